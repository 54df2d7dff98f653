/*
 * ledger.c -- the daemon's writes to the secondaries ledger
 * (store_sec_record): queued, and written in one transaction at the next
 * tick; a database busy with an import keeps them for a later tick (at
 * most a minute's worth of tries), so that the event loop never waits for
 * the lock. A verdict that changed (a secondary in sync now) is written
 * a few milliseconds later instead (ledger_soon), for `hpagent wait`.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "agent/daemon/daemon_int.h"
#include "dns/err.h"
#include "dns/log.h"
#include "store/store.h"

#define LEDGER_MAX_TRIES	120
#define LEDGER_KEEP		256	/* records whose room stays allocated */
#define LEDGER_SOON_MS		2	/* ledger_soon(): the ones with it */

struct ledger {
	struct store *st;
	struct store_sec_record *q;
	size_t n, cap;
	int tries;
	struct event *soon;	/* ledger_soon()'s flush */
};

int
ledger_open(const char *dbpath, struct ledger **out)
{
	struct ledger *l;
	char err[256];
	int r;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return HP_ENOMEM;
	if ((r = store_open(dbpath, 0, &l->st, err, sizeof(err))) < 0) {
		fprintf(stderr, "hpagent: %s\n", err);
		free(l);
		return r;
	}
	/* Busy now means "at the next tick". */
	store_busy_timeout(l->st, 0);
	*out = l;
	return 0;
}

struct store *
ledger_store(struct ledger *l)
{
	return l->st;
}

void
ledger_autocheckpoint(struct ledger *l, int on)
{
	if (l != NULL)
		store_autocheckpoint(l->st, on);
}

void
ledger_add(struct ledger *l, const struct store_sec_record *rec)
{
	struct store_sec_record *r;
	size_t cap;

	if (l == NULL)
		return;
	if (l->n == l->cap) {
		cap = l->cap ? 2 * l->cap : 16;
		if ((r = realloc(l->q, cap * sizeof(*r))) == NULL) {
			log_warn("secondary state: out of memory, dropped");
			return;
		}
		l->q = r;
		l->cap = cap;
	}
	r = &l->q[l->n++];
	*r = *rec;
	if (r->when == 0 && r->event != STORE_SEC_PROBE)
		r->when = (int64_t)time(NULL);
}

int
ledger_flush(struct ledger *l)
{
	int r;

	if (l == NULL || l->n == 0)
		return 0;
	r = store_sec_record(l->st, l->q, l->n);
	if (r == HP_EBUSY) {
		log_debug("secondary state: database is locked");
		if (++l->tries <= LEDGER_MAX_TRIES)
			return 1;
		log_warn("secondary state: database busy, dropped");
	} else if (r < 0)
		log_err("secondary state: %s", store_errmsg(l->st));
	l->n = 0;
	l->tries = 0;
	/* A burst (thousands of zones NOTIFYed and probed at start-up)
	 * leaves a big queue: give it back. */
	if (l->cap > LEDGER_KEEP) {
		free(l->q);
		l->q = NULL;
		l->cap = 0;
	}
	return 0;
}

static void
ledger_soon_fire(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)ledger_flush(arg);	/* busy: at the next tick */
}

int
ledger_soon_init(struct ledger *l, struct event_base *base)
{
	if ((l->soon = evtimer_new(base, ledger_soon_fire, l)) == NULL)
		return HP_ENOMEM;
	return 0;
}

void
ledger_soon(struct ledger *l)
{
	struct timeval tv = { 0, LEDGER_SOON_MS * 1000 };

	if (l != NULL && l->soon != NULL && !evtimer_pending(l->soon, NULL))
		evtimer_add(l->soon, &tv);
}

void
ledger_close(struct ledger *l)
{
	if (l == NULL)
		return;
	if (l->soon != NULL)
		event_free(l->soon);
	ledger_flush(l);
	store_close(l->st);
	free(l->q);
	free(l);
}
