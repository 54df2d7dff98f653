/*
 * deliveries.c -- webhook deliveries already received (the delivery
 * actions of http.h): a delivery id seen in the last day, or in flight
 * now, is a replay. An id is recorded once its request was answered
 * below 400 (a failed delivery may be sent again: GitHub's "Redeliver"
 * keeps the id); the store keeps it a day (store/deliveries.h). The loop
 * never waits for the database: an id the store cannot take now (another
 * writer holds it) stays in memory, still counted as seen, and is
 * written at a later tick.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/http/api_int.h"
#include "agent/http/http.h"
#include "dns/err.h"
#include "dns/log.h"
#include "store/deliveries.h"

#define DELIVERY_KEEP_S		86400	/* a day */
#define DELIVERY_MAX_HELD	4096	/* in memory at once */

struct delivery {
	char id[HTTP_DELIVERY_MAX + 1];
	char zone[256];
	int64_t when;
	int unsaved;			/* 0: in flight, 1: to be written */
	struct delivery *next;
};

static struct delivery **
find(struct api *api, const char *id)
{
	struct delivery **p;

	for (p = &api->deliveries; *p != NULL; p = &(*p)->next)
		if (strcmp((*p)->id, id) == 0)
			return p;
	return NULL;
}

static void
drop(struct api *api, struct delivery **p)
{
	struct delivery *d = *p;

	*p = d->next;
	free(d);
	api->ndeliveries--;
}

int
api_delivery_begin(void *arg, const char *id, const char *zone)
{
	struct api *api = arg;
	struct delivery *d;
	int64_t now = (int64_t)time(NULL);
	int r;

	if (find(api, id) != NULL)
		return 1;
	if ((r = store_delivery_seen(api->st, id, now - DELIVERY_KEEP_S)) != 0)
		return r;
	if (api->ndeliveries >= DELIVERY_MAX_HELD ||
	    (d = calloc(1, sizeof(*d))) == NULL)
		return HP_ENOMEM;
	snprintf(d->id, sizeof(d->id), "%s", id);
	snprintf(d->zone, sizeof(d->zone), "%s", zone);
	d->when = now;
	d->next = api->deliveries;
	api->deliveries = d;
	api->ndeliveries++;
	return 0;
}

void
api_delivery_end(void *arg, const char *id, const char *zone, int status)
{
	struct api *api = arg;
	struct delivery **p = find(api, id);

	(void)zone;
	if (p == NULL)
		return;
	if (status >= 400) {
		drop(api, p);	/* not acted on: may come again */
		return;
	}
	(*p)->unsaved = 1;
	api_delivery_flush(api, 0);
}

void
api_delivery_flush(struct api *api, int final)
{
	struct delivery **p = &api->deliveries;
	int r;

	if (api == NULL)
		return;
	while (*p != NULL) {
		if (!(*p)->unsaved) {
			if (final)
				drop(api, p);	/* never answered */
			else
				p = &(*p)->next;
			continue;
		}
		r = store_delivery_add(api->st, (*p)->id, (*p)->zone,
		    (*p)->when, DELIVERY_KEEP_S);
		if (r == HP_EBUSY && !final)
			return;		/* the next tick */
		if (r < 0)
			log_warn("webhook delivery %s: cannot be recorded: %s%s",
			    (*p)->id, hp_strerror(r), final ? " (exiting)" :
			    "; a replay of it after a restart is not refused");
		drop(api, p);
	}
}
