/*
 * accept.h -- listening sockets that hold when file descriptors run out:
 * the HTTP server's (http.c) and the daemon's DNS TCP ones (listen.c).
 *
 * A libevent listener whose accept() fails with EMFILE or ENFILE is
 * readable again at once: without care the loop spins on it and logs a
 * line per try (155 MB of warnings in 8 s, the CPU at 99 %, was seen). A
 * guard pauses every listener it watches for ACCEPT_PAUSE_MS when
 * accept() fails, resumes them after, and says so in the log at most once
 * per ACCEPT_LOG_INTERVAL seconds, with how many pauses there were. It
 * also keeps them paused while their owner says it is full (its
 * connection limit reached), so that further clients wait in the
 * kernel's backlog instead of costing a descriptor each.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_ACCEPT_H
#define HP_ACCEPT_H

#include <time.h>

#define ACCEPT_PAUSE_MS		1000
#define ACCEPT_LOG_INTERVAL	60

struct event;
struct event_base;
struct evconnlistener;

struct accept_guard {
	const char *what;		/* for the log: "HTTP", "DNS TCP" */
	struct evconnlistener *lev[64];
	int nlev;
	struct event *resume;
	int paused;			/* accept() failed: for a while */
	int full;			/* the owner is at its limit */
	time_t logged;			/* when the last line was written */
	unsigned pauses;		/* since then */
};

/* Set G up on BASE (WHAT names the listeners in the log). 0 or HP_ENOMEM. */
int accept_guard_init(struct accept_guard *g, struct event_base *base,
    const char *what);
/* Watch L (at most 64 per guard): its accept errors pause every listener
 * of G. L must stay alive until accept_guard_deinit(). 0 or HP_ERANGE. */
int accept_guard_watch(struct accept_guard *g, struct evconnlistener *l);
/* The owner is (FULL 1) or is no longer (0) at its connection limit. */
void accept_guard_full(struct accept_guard *g, int full);
void accept_guard_deinit(struct accept_guard *g);

#endif
