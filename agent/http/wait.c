/*
 * wait.c -- the answer to a publish or a rollback once it ran: the
 * NOTIFYs asked for, then the answer now, or with ?wait=S when every
 * notify: target of the zone has the new serial (200, "confirmed": true)
 * or S seconds later (202, "confirmed": false, "behind": [...]). The
 * daemon's transfers (api_wait_has) wake a waiter at once; the
 * secondaries ledger is read each second for what other processes
 * record.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "agent/conf/conf.h"
#include "agent/http/api_int.h"
#include "agent/http/http.h"
#include "agent/http/json.h"
#include "dns/err.h"
#include "dns/log.h"
#include "dns/serial.h"
#include "store/store.h"

struct waiter {
	struct api *api;
	struct http_req *req;
	const struct conf *cfg;		/* a reference: Z is in it */
	const struct conf_zone *z;
	struct pub_result res;
	int *done;			/* per target of Z (the first of each
					   address count) */
	time_t deadline;
	struct event *timer;
	struct waiter *next, **prevp;
};

static void
waiter_free(struct waiter *wt)
{
	*wt->prevp = wt->next;
	if (wt->next != NULL)
		wt->next->prevp = wt->prevp;
	event_free(wt->timer);
	conf_unref(wt->cfg);
	free(wt->done);
	free(wt);
}

/* Targets not confirmed yet. */
static int
waiter_left(const struct waiter *wt)
{
	int i, left = 0;

	for (i = 0; i < wt->z->ntargets; i++)
		left += wt->z->targets[i].first && !wt->done[i];
	return left;
}

static int
waiter_check_db(struct waiter *wt)
{
	const struct conf_target *t;
	uint32_t have;
	int i;

	for (i = 0; i < wt->z->ntargets; i++) {
		t = &wt->z->targets[i];
		if (t->first && !wt->done[i] && store_sec_serial(wt->api->st,
		    wt->z->name, t->address, &have) > 0 &&
		    serial_at_least(have, wt->res.r.new_serial))
			wt->done[i] = 1;
	}
	return waiter_left(wt);
}

/* The labels of the targets whose done flag is WANT. */
static json_t *
waiter_list(const struct waiter *wt, int want)
{
	json_t *a = json_array();
	int i;

	for (i = 0; a != NULL && i < wt->z->ntargets; i++)
		if (wt->z->targets[i].first && wt->done[i] == want &&
		    json_array_append_new(a, json_string(
		    wt->z->targets[i].label)) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static void
waiter_finish(struct waiter *wt, int confirmed)
{
	json_t *doc = api_result_doc(wt->z, &wt->res);

	if (doc != NULL && (json_object_set_new(doc, "confirmed",
	    json_boolean(confirmed)) < 0 || json_object_set_new(doc, "behind",
	    waiter_list(wt, 0)) < 0 || json_object_set_new(doc, "in_sync",
	    waiter_list(wt, 1)) < 0)) {
		json_decref(doc);
		doc = NULL;
	}
	if (doc != NULL)
		http_reply_json(wt->req, confirmed ? 200 : 202, doc);
	else
		http_reply_error(wt->req, 500, hp_strerror(HP_ENOMEM));
	waiter_free(wt);
}

static void
waiter_timer(evutil_socket_t fd, short what, void *arg)
{
	struct waiter *wt = arg;
	struct timeval tv = { 0, 0 };
	time_t now = time(NULL);

	(void)fd;
	(void)what;
	if (waiter_check_db(wt) == 0) {
		waiter_finish(wt, 1);
		return;
	}
	if (now >= wt->deadline) {
		waiter_finish(wt, 0);
		return;
	}
	/* The daemon's own events wake us; the table is re-read each
	 * second for what other processes record. */
	tv.tv_sec = wt->deadline - now < 1 ? wt->deadline - now : 1;
	evtimer_add(wt->timer, &tv);
}

/* Defer REQ until the secondaries of Z (of CFG) have RES's serial or
 * WAIT_S passed; always answers from a later event. */
static int
api_wait(struct api *api, struct http_req *req, const struct conf *cfg,
    const struct conf_zone *z, const struct pub_result *res, int wait_s)
{
	struct waiter *wt;
	struct timeval tv = { 0, 0 };

	if ((wt = calloc(1, sizeof(*wt))) == NULL ||
	    (wt->done = calloc((size_t)z->ntargets + 1,
	    sizeof(*wt->done))) == NULL ||
	    (wt->timer = evtimer_new(api->base, waiter_timer, wt)) == NULL) {
		if (wt != NULL)
			free(wt->done);
		free(wt);
		return HP_ENOMEM;
	}
	wt->api = api;
	wt->req = req;
	wt->cfg = conf_ref(cfg);
	wt->z = z;
	wt->res = *res;
	wt->deadline = time(NULL) + wait_s;
	wt->next = api->waiters;
	wt->prevp = &api->waiters;
	if (wt->next != NULL)
		wt->next->prevp = &wt->next;
	api->waiters = wt;
	evtimer_add(wt->timer, &tv);
	return HTTP_DEFERRED;
}

int
api_finish(struct api *api, struct http_req *req, const struct conf *cfg,
    const struct conf_zone *z, struct pub_result *res, const char *problems,
    int wait_s, json_t **out, int *status)
{
	if (res->stage != PUB_OK) {
		log_warn("API: %s", res->msg);
		*status = api_error_doc(res, problems, out);
		return HTTP_REPLY_NOW;
	}
	if (res->r.changed) {
		hp_metrics.publishes++;
		log_notice("zone %s: published serial %u via the API",
		    z->name, res->r.new_serial);
		if (api->published != NULL)
			api->published(api->arg, z->name);
	}
	if (wait_s > 0)
		return api_wait(api, req, cfg, z, res, wait_s);
	*out = api_result_doc(z, res);
	*status = 200;
	return *out != NULL ? HTTP_REPLY_NOW : HP_ENOMEM;
}

void
api_finish_deferred(struct api *api, struct http_req *req,
    const struct conf *cfg, const struct conf_zone *z,
    struct pub_result *res, const char *problems, int wait_s)
{
	json_t *out = NULL;
	int status = 200, r;

	r = api_finish(api, req, cfg, z, res, problems, wait_s, &out, &status);
	if (r == HTTP_REPLY_NOW)
		http_reply_json(req, status, out);
	else if (r < 0)
		http_reply_error(req, 500, hp_strerror(r));
}

void
api_wait_has(struct api *api, const char *zone, const char *address,
    uint32_t serial)
{
	struct waiter *wt, *next;
	int i;

	for (wt = api->waiters; wt != NULL; wt = next) {
		next = wt->next;
		if (strcmp(wt->z->name, zone) != 0 ||
		    !serial_at_least(serial, wt->res.r.new_serial))
			continue;
		for (i = 0; i < wt->z->ntargets; i++)
			if (strcmp(wt->z->targets[i].address, address) == 0)
				wt->done[i] = 1;
		if (waiter_left(wt) == 0)
			waiter_finish(wt, 1);
	}
}

void
api_wait_free(struct api *api)
{
	while (api->waiters != NULL)
		waiter_free(api->waiters);
}
