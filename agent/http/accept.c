/*
 * accept.c -- listeners that pause instead of spinning when accept()
 * fails (see accept.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <string.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "agent/http/accept.h"
#include "dns/err.h"
#include "dns/log.h"

/*
 * A listener's error callback gets the listener's user data, which for
 * evhttp's listener is evhttp's: the guard is found by the listener. The
 * loop is single-threaded; a handful of listeners at most.
 */
#define ACCEPT_MAX_WATCHED	128
static struct {
	struct evconnlistener *l;
	struct accept_guard *g;
} watched[ACCEPT_MAX_WATCHED];

static void
accept_apply(struct accept_guard *g)
{
	int i;

	for (i = 0; i < g->nlev; i++) {
		if (g->paused || g->full)
			evconnlistener_disable(g->lev[i]);
		else
			evconnlistener_enable(g->lev[i]);
	}
}

static void
accept_resume(evutil_socket_t fd, short what, void *arg)
{
	struct accept_guard *g = arg;

	(void)fd;
	(void)what;
	g->paused = 0;
	accept_apply(g);
}

static void
accept_error(struct evconnlistener *l, void *arg)
{
	struct timeval tv = { ACCEPT_PAUSE_MS / 1000,
	    (ACCEPT_PAUSE_MS % 1000) * 1000 };
	struct accept_guard *g = NULL;
	int e = EVUTIL_SOCKET_ERROR(), i;
	time_t now;

	(void)arg;
	for (i = 0; i < ACCEPT_MAX_WATCHED && g == NULL; i++)
		if (watched[i].l == l)
			g = watched[i].g;
	if (g == NULL) {
		evconnlistener_disable(l);	/* never spin */
		return;
	}
	g->paused = 1;
	g->pauses++;
	accept_apply(g);
	evtimer_add(g->resume, &tv);
	now = time(NULL);
	if (g->logged == 0 || now - g->logged >= ACCEPT_LOG_INTERVAL) {
		log_warn("%s: accept: %s: not accepting connections for %d ms "
		    "(%u pause%s since the last such line; %s)", g->what,
		    strerror(e), ACCEPT_PAUSE_MS, g->pauses, g->pauses == 1 ?
		    "" : "s", e == EMFILE || e == ENFILE ? "raise LimitNOFILE= "
		    "or lower the connection limits" : "a system error");
		g->logged = now;
		g->pauses = 0;
	}
}

int
accept_guard_init(struct accept_guard *g, struct event_base *base,
    const char *what)
{
	memset(g, 0, sizeof(*g));
	g->what = what;
	if ((g->resume = evtimer_new(base, accept_resume, g)) == NULL)
		return HP_ENOMEM;
	return 0;
}

int
accept_guard_watch(struct accept_guard *g, struct evconnlistener *l)
{
	int i;

	if (g->nlev == (int)(sizeof(g->lev) / sizeof(g->lev[0])))
		return HP_ERANGE;
	for (i = 0; i < ACCEPT_MAX_WATCHED; i++)
		if (watched[i].l == NULL) {
			watched[i].l = l;
			watched[i].g = g;
			g->lev[g->nlev++] = l;
			evconnlistener_set_error_cb(l, accept_error);
			return 0;
		}
	return HP_ERANGE;
}

void
accept_guard_full(struct accept_guard *g, int full)
{
	if (g->full == full)
		return;
	g->full = full;
	accept_apply(g);
}

void
accept_guard_deinit(struct accept_guard *g)
{
	int i;

	for (i = 0; i < ACCEPT_MAX_WATCHED; i++)
		if (watched[i].g == g) {
			watched[i].l = NULL;
			watched[i].g = NULL;
		}
	if (g->resume != NULL)
		event_free(g->resume);
	memset(g, 0, sizeof(*g));
}
