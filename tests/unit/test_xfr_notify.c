/*
 * test_xfr_notify.c -- the NOTIFY engine (notify/notify.c) on loopback:
 * 2000 zones to a live secondary (answered by a responder on the same
 * event base, which also measures how many are in flight at once) and
 * to a dead one; the live one must be done long before the dead one's
 * retries run out, and never see more than NOTIFY_PEER_MAX at once; and
 * 200 zones to a dead target alone give up fast once it is unresponsive.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <event2/event.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/log.h"
#include "dns/wire.h"
#include "notify/notify.h"

#define NZONES		2000
#define NDEAD		32	/* zones also sent to the dead target */
#define LIVE_ADDR	"127.0.4.50"
#define LIVE_PORT	30480
#define DEAD_ADDR	"127.0.4.51"
#define DEAD_PORT	30481
#define SRC_ADDR	"127.0.4.52"

struct held {
	uint8_t msg[512];
	size_t len;
	struct sockaddr_storage from;
	socklen_t fl;
};

static struct {
	struct event_base *base;
	struct notify *n;
	int fd;
	struct held held[64];
	int nheld, max_held;
	int wrong_source;
	int acked_live, failed_dead, other;
	struct timespec t0, live_done;
} S;

static double
since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	    (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* The responder holds the NOTIFYs it gets and answers them together on
 * the next timer tick, so that concurrency is visible. */
static void
responder_read(evutil_socket_t fd, short what, void *arg)
{
	struct held *h;
	struct sockaddr_in *sin;

	(void)what;
	(void)arg;
	while (S.nheld < 64) {
		h = &S.held[S.nheld];
		h->fl = sizeof(h->from);
		ssize_t r = recvfrom(fd, h->msg, sizeof(h->msg), 0,
		    (struct sockaddr *)&h->from, &h->fl);
		if (r < WIRE_HDR_LEN)
			break;
		sin = (struct sockaddr_in *)&h->from;
		if (sin->sin_addr.s_addr != inet_addr(SRC_ADDR))
			S.wrong_source++;
		h->len = (size_t)r;
		S.nheld++;
	}
	if (S.nheld > S.max_held)
		S.max_held = S.nheld;
}

static void
responder_tick(evutil_socket_t fd, short what, void *arg)
{
	int i;
	struct held *h;

	(void)fd;
	(void)what;
	(void)arg;
	for (i = 0; i < S.nheld; i++) {
		h = &S.held[i];
		h->msg[2] |= 0x80;	/* QR */
		(void)sendto(S.fd, h->msg, h->len, 0,
		    (struct sockaddr *)&h->from, h->fl);
	}
	S.nheld = 0;
}

static void
report(void *arg, const struct notify_report *r)
{
	int live = strncmp(r->target->label, LIVE_ADDR,
	    strlen(LIVE_ADDR)) == 0;

	(void)arg;
	if (r->ev == NOTIFY_SENT)
		return;
	if (live && r->ev == NOTIFY_ACKED) {
		if (++S.acked_live == NZONES)
			clock_gettime(CLOCK_MONOTONIC, &S.live_done);
	} else if (!live && r->ev == NOTIFY_FAILED && r->err == HP_EAGAIN)
		S.failed_dead++;
	else
		S.other++;
	if (notify_pending(S.n) == 0)
		event_base_loopbreak(S.base);
}

static void
target(struct notify_target *t, const char *addr, int port)
{
	struct sockaddr_in *d = (struct sockaddr_in *)&t->addr;
	struct sockaddr_in *s = (struct sockaddr_in *)&t->src;

	memset(t, 0, sizeof(*t));
	d->sin_family = AF_INET;
	d->sin_port = htons((uint16_t)port);
	d->sin_addr.s_addr = inet_addr(addr);
	t->addrlen = sizeof(*d);
	s->sin_family = AF_INET;
	s->sin_addr.s_addr = inet_addr(SRC_ADDR);
	t->srclen = sizeof(*s);
	snprintf(t->label, sizeof(t->label), "%s@%d", addr, port);
}

static void
test_fanout(void **state)
{
	struct notify_opts o = { .timeout_ms = 200, .max_timeout_ms = 400 };
	struct notify_target t[2];
	struct sockaddr_in sin;
	struct event *rev, *tick;
	struct timeval tv = { 0, 5000 }, guard = { 30, 0 };
	uint8_t zone[DNAME_MAXLEN], soa[22];
	char name[64];
	int i;

	(void)state;
	log_open("test_xfr_notify", 0, "/dev/null");
	S.base = event_base_new();
	assert_non_null(S.base);
	S.fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(LIVE_PORT);
	sin.sin_addr.s_addr = inet_addr(LIVE_ADDR);
	assert_int_equal(bind(S.fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	rev = event_new(S.base, S.fd, EV_READ | EV_PERSIST, responder_read,
	    NULL);
	tick = event_new(S.base, -1, EV_PERSIST, responder_tick, NULL);
	event_add(rev, NULL);
	event_add(tick, &tv);
	event_base_loopexit(S.base, &guard);

	S.n = notify_new(S.base, &o, report, NULL);
	assert_non_null(S.n);
	target(&t[0], DEAD_ADDR, DEAD_PORT);
	target(&t[1], LIVE_ADDR, LIVE_PORT);
	memset(soa, 0, sizeof(soa));
	clock_gettime(CLOCK_MONOTONIC, &S.t0);
	for (i = 0; i < NZONES; i++) {
		snprintf(name, sizeof(name), "zone%d.test", i);
		assert_int_equal(dname_from_str(name, zone, NULL), 0);
		wire_write_u32(soa + 2, (uint32_t)i + 1);
		/* The dead target first: it must not hold the live one. */
		assert_int_equal(notify_zone(S.n, zone, i, 300, soa,
		    sizeof(soa), i < NDEAD ? t : t + 1, i < NDEAD ? 2 : 1, 1),
		    0);
	}
	/* Re-queueing a zone replaces its job, it does not add one. */
	assert_int_equal(notify_pending(S.n), NZONES + NDEAD);
	assert_int_equal(dname_from_str("zone0.test", zone, NULL), 0);
	assert_int_equal(notify_zone(S.n, zone, 0, 300, soa, sizeof(soa), t,
	    2, 1), 0);
	assert_int_equal(notify_pending(S.n), NZONES + NDEAD);

	event_base_dispatch(S.base);
	print_message("# live: %d acked in %.3f s (max %d in flight); "
	    "dead: %d failed after %.3f s\n", S.acked_live,
	    S.acked_live == NZONES ? (double)(S.live_done.tv_sec -
	    S.t0.tv_sec) + (double)(S.live_done.tv_nsec - S.t0.tv_nsec) / 1e9 :
	    -1.0, S.max_held, S.failed_dead, since(&S.t0));
	assert_int_equal(S.acked_live, NZONES);
	assert_int_equal(S.failed_dead, NDEAD);
	/* 2000 answered in well under the dead target's 0.6 s x 2 batches. */
	assert_true((double)(S.live_done.tv_sec - S.t0.tv_sec) +
	    (double)(S.live_done.tv_nsec - S.t0.tv_nsec) / 1e9 < 5.0);
	assert_int_equal(S.other, 0);
	assert_int_equal(S.wrong_source, 0);
	assert_true(S.max_held <= NOTIFY_PEER_MAX);
	assert_int_equal(notify_pending(S.n), 0);

	notify_free(S.n);
	event_free(rev);
	event_free(tick);
	close(S.fd);
	event_base_free(S.base);
}


/* A target that never answers: once NOTIFY_DEAD_AFTER jobs in a row went
 * unanswered, the rest get one try each and a wider window, so 200 zones
 * give up in about a second instead of 200 / 16 x the retry schedule. */
static struct {
	int failed, single, multi;
} D;

static void
dead_report(void *arg, const struct notify_report *r)
{
	(void)arg;
	if (r->ev != NOTIFY_FAILED)
		return;
	assert_int_equal(r->err, HP_EAGAIN);
	D.failed++;
	if (r->tries == 1)
		D.single++;
	else
		D.multi++;
	if (notify_pending(S.n) == 0)
		event_base_loopbreak(S.base);
}

static void
test_dead_peer(void **state)
{
	struct notify_opts o = { .timeout_ms = 100, .max_timeout_ms = 200 };
	struct notify_target t;
	struct timeval guard = { 30, 0 };
	struct timespec t0;
	uint8_t zone[DNAME_MAXLEN], soa[22];
	char name[64];
	double took;
	int i;

	(void)state;
	S.base = event_base_new();
	assert_non_null(S.base);
	event_base_loopexit(S.base, &guard);
	S.n = notify_new(S.base, &o, dead_report, NULL);
	assert_non_null(S.n);
	target(&t, DEAD_ADDR, DEAD_PORT);
	memset(soa, 0, sizeof(soa));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "dead%d.test", i);
		assert_int_equal(dname_from_str(name, zone, NULL), 0);
		assert_int_equal(notify_zone(S.n, zone, i, 300, soa,
		    sizeof(soa), &t, 1, 5), 0);
	}
	event_base_dispatch(S.base);
	took = since(&t0);
	print_message("# dead target: 200 zones failed in %.3f s: %d with all "
	    "retries, %d with one try\n", took, D.multi, D.single);
	assert_int_equal(D.failed, 200);
	/* Only the first window keeps its retries. */
	assert_true(D.multi <= NOTIFY_PEER_MAX);
	assert_true(took < 5.0);
	notify_free(S.n);
	event_base_free(S.base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fanout),
		cmocka_unit_test(test_dead_peer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
