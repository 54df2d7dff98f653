/*
 * probe_io.c -- one SOA probe of a secondary (see probe.h, probe_int.h):
 * a UDP query from a socket per source address (bound to it; answers
 * matched by ID, then by the secondary's address and port), then, when
 * the answer is truncated, fails TSIG or does not come within
 * PROBE_UDP_MS, the same question over TCP (a fresh ID and signature)
 * within PROBE_TCP_MS. At most PROBE_INFLIGHT probes are in flight; the
 * others wait their turn in a FIFO (no timer churn with 30,000 zone x
 * secondaries starting at once). The messages are built and read by
 * notify/probe.c; what the answer means is for probe.c (psec_done()).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "agent/daemon/probe_int.h"
#include "agent/http/api.h"
#include "dns/addr.h"
#include "dns/err.h"
#include "dns/log.h"
#include "dns/pkt.h"
#include "dns/wire.h"
#include "notify/probe.h"

static void probe_read(evutil_socket_t fd, short what, void *arg);

/* ---- the timer ------------------------------------------------------- */

/* The timer of PS in MS: the next probe (idle), or the timeout of the
 * one in flight (busy). */
void
psec_timer_in(struct psec *ps, int ms)
{
	struct timeval tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(ps->ev, &tv);
}

/* The next probe of PS in MS (never while one is in flight). */
void
psec_schedule(struct psec *ps, int ms)
{
	if (!ps->busy)
		psec_timer_in(ps, ms);
}

/* ---- UDP sockets, one per source address (notify/idsock.h) ----------- */

void
probe_socks_free(struct probe *pr)
{
	idsock_list_free(&pr->socks);
}

/* ---- one probe ------------------------------------------------------- */

/* Release what the probe in flight holds. */
void
psec_release(struct psec *ps)
{
	if (!ps->busy)
		return;
	if (ps->sock != NULL)
		idsock_put(ps->sock, ps->id, ps);
	ps->sock = NULL;
	if (ps->bev != NULL) {
		bufferevent_free(ps->bev);
		ps->bev = NULL;
	}
	evtimer_del(ps->ev);
	if (ps->tsig != NULL) {
		tsig_ctx_deinit(ps->tsig);
		free(ps->tsig);
		ps->tsig = NULL;
	}
	ps->busy = 0;
	if (ps->pr->inflight-- == PROBE_INFLIGHT && ps->pr->waitq != NULL)
		event_active(ps->pr->kick, EV_TIMEOUT, 0);
}

void
psec_unqueue(struct psec *ps)
{
	struct probe *pr = ps->pr;

	if (ps->qprev == NULL)
		return;
	*ps->qprev = ps->qnext;
	if (ps->qnext != NULL)
		ps->qnext->qprev = ps->qprev;
	else
		pr->waitq_tail = ps->qprev;
	ps->qnext = NULL;
	ps->qprev = NULL;
}

static void
psec_enqueue(struct psec *ps)
{
	struct probe *pr = ps->pr;

	if (ps->qprev != NULL)
		return;
	if (pr->waitq_tail == NULL)
		pr->waitq_tail = &pr->waitq;
	ps->qnext = NULL;
	ps->qprev = pr->waitq_tail;
	*pr->waitq_tail = ps;
	pr->waitq_tail = &ps->qnext;
}

static int psec_tcp(struct psec *ps);

/* The answer REPLY (LEN octets) to the probe of PS: it ends the probe,
 * or sends it on to TCP, or (not ours) is ignored. */
static void
psec_answer(struct psec *ps, const uint8_t *reply, size_t len)
{
	char why[128];
	const char *rc, *te;
	uint32_t serial = 0;
	int r, rcode = 0, tr;

	r = probe_check_reply(reply, len, ps->id, ps->pz->zw, ps->tsig,
	    (uint64_t)time(NULL), &rcode, &serial, &tr);
	if (r == HP_EMALF) {
		if (ps->tcp)
			psec_done(ps, PL_NOANSWER, 0, "malformed answer over "
			    "TCP");
		return;			/* UDP: not ours, keep waiting */
	}
	/* Truncated, or a NOERROR that failed TSIG (it may be forged): ask
	 * again over TCP, where answers are whole and not forged as
	 * cheaply. */
	if ((r == PROBE_TRUNCATED || r == PROBE_BADTSIG) && !ps->tcp &&
	    psec_tcp(ps) == 0)
		return;
	if (r == PROBE_TRUNCATED) {
		psec_done(ps, PL_NOANSWER, 0, ps->tcp ? "truncated answer "
		    "over TCP" : "truncated answer over UDP, no TCP");
		return;
	}
	if (r == PROBE_BADTSIG) {
		snprintf(why, sizeof(why), "SOA answer failed TSIG (%s)",
		    hp_strerror(tr));
		psec_done(ps, PL_REFUSED, 0, why);
		return;
	}
	rc = pkt_rcode_name(rcode);
	te = ps->tsig != NULL ? pkt_rcode_name(ps->tsig->error) : NULL;
	if (ps->tsig != NULL && ps->tsig->error != 0)
		snprintf(why, sizeof(why), "SOA query answered %s (TSIG error "
		    "%s)", rc != NULL ? rc : "?", te != NULL ? te : "?");
	else if (tr == HP_ENOTSIG && r != PROBE_SERIAL)
		snprintf(why, sizeof(why), "SOA query answered %s (unsigned)",
		    rc != NULL ? rc : "?");
	else if (r == PROBE_NOZONE && rcode == WIRE_RCODE_NOERROR)
		snprintf(why, sizeof(why), "SOA query answered without the "
		    "zone's SOA");
	else
		snprintf(why, sizeof(why), "SOA query answered %s",
		    rc != NULL ? rc : "?");
	psec_done(ps, r == PROBE_SERIAL ? PL_SERIAL : r == PROBE_NOZONE ?
	    PL_NOZONE : PL_REFUSED, serial, why);
}

/* Where the answer to the UDP probe of P must come from (none: over
 * TCP). */
static const void *
psec_peer_addr(const void *p, socklen_t *len)
{
	const struct psec *ps = p;

	*len = ps->addrlen;
	return ps->tcp ? NULL : &ps->addr;
}

static void
probe_read(evutil_socket_t fd, short what, void *arg)
{
	struct idsock *s = arg;
	uint8_t buf[4096];
	ssize_t len;
	void *ps;
	int i;

	(void)fd;
	(void)what;
	for (i = 0; i < 64; i++) {
		if ((len = idsock_recv(s, buf, sizeof(buf), &ps,
		    psec_peer_addr, 21)) < 0)
			return;
		psec_answer(ps, buf, (size_t)len);
	}
}

/* A fresh query for PS into BUF: its ID, a new TSIG context (signed
 * with its key, when it has one). */
static int
psec_query(struct psec *ps, uint8_t *buf, size_t cap, size_t *len)
{
	if (ps->tsig != NULL)
		tsig_ctx_deinit(ps->tsig);
	else if (ps->key != NULL &&
	    (ps->tsig = malloc(sizeof(*ps->tsig))) == NULL)
		return HP_ENOMEM;
	if (ps->tsig != NULL)
		tsig_ctx_init(ps->tsig, &ps->key->k, 0);
	return probe_build(buf, cap, len, ps->id, ps->pz->zw, ps->tsig,
	    (uint64_t)time(NULL));
}

static void
psec_tcp_read(struct bufferevent *bev, void *arg)
{
	struct psec *ps = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	uint8_t hdr[2], *msg;
	size_t need;

	if (evbuffer_get_length(in) < 2)
		return;
	evbuffer_copyout(in, hdr, 2);
	need = (size_t)wire_read_u16(hdr);
	if (evbuffer_get_length(in) < need + 2)
		return;
	if ((msg = evbuffer_pullup(in, (ssize_t)need + 2)) == NULL) {
		psec_done(ps, PL_NOANSWER, 0, "out of memory");
		return;
	}
	psec_answer(ps, msg + 2, need);
}

static void
psec_tcp_event(struct bufferevent *bev, short what, void *arg)
{
	struct psec *ps = arg;
	char why[128];
	int err = EVUTIL_SOCKET_ERROR();

	(void)bev;
	if (what & BEV_EVENT_CONNECTED)
		return;
	if ((what & BEV_EVENT_ERROR) && err != 0)
		snprintf(why, sizeof(why), "no answer over UDP; TCP: %s",
		    strerror(err));
	else
		snprintf(why, sizeof(why), "no answer over UDP; TCP "
		    "connection closed without an answer");
	psec_done(ps, PL_NOANSWER, 0, why);
}

/* Ask over TCP: 0, or negative when it cannot even start (PS left as it
 * was). */
static int
psec_tcp(struct psec *ps)
{
	uint8_t buf[2 + PROBE_MSG_MAX];
	size_t len;
	int fd, r;

	if (ps->sock != NULL)
		idsock_put(ps->sock, ps->id, ps);
	ps->sock = NULL;
	ps->id = (uint16_t)arc4random_uniform(65536);
	if ((r = psec_query(ps, buf + 2, sizeof(buf) - 2, &len)) < 0)
		return r;
	wire_write_u16(buf, (uint16_t)len);
	fd = socket(ps->addr.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd < 0 || (ps->srclen != 0 && bind(fd, &ps->src.sa,
	    ps->srclen) != 0)) {
		log_warn("SOA probe of %s: TCP socket: %s", ps->label,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return HP_EIO;
	}
	if ((ps->bev = bufferevent_socket_new(ps->pr->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		close(fd);
		return HP_ENOMEM;
	}
	ps->tcp = 1;
	bufferevent_setcb(ps->bev, psec_tcp_read, NULL, psec_tcp_event, ps);
	bufferevent_enable(ps->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(ps->bev, &ps->addr.sa,
	    (int)ps->addrlen) != 0 ||
	    bufferevent_write(ps->bev, buf, len + 2) != 0) {
		bufferevent_free(ps->bev);
		ps->bev = NULL;
		return HP_EIO;
	}
	psec_timer_in(ps, PROBE_TCP_MS);
	return 0;
}

/* The probe in flight got no answer in time: on to TCP, or done. */
static void
psec_timeout(struct psec *ps)
{
	if (ps->tcp)
		psec_done(ps, PL_NOANSWER, 0, "no answer over UDP or TCP");
	else if (psec_tcp(ps) < 0)
		psec_done(ps, PL_NOANSWER, 0, "no answer over UDP; no TCP "
		    "connection");
}

/* Send the probe of PS (over UDP). */
static void
psec_start(struct psec *ps)
{
	struct idsock *s;
	uint8_t buf[PROBE_MSG_MAX];
	size_t len;

	if (ps->pr->inflight >= PROBE_INFLIGHT) {
		psec_enqueue(ps);
		return;
	}
	if ((s = idsock_list_get(&ps->pr->socks, ps->pr->base,
	    ps->addr.sa.sa_family, &ps->src, ps->srclen, probe_read, ps->pr,
	    "SOA probes")) == NULL) {
		psec_schedule(ps, ps->interval > 0 ? ps->interval * 1000 :
		    60000);
		return;
	}
	if (idsock_take(s, ps, &ps->id) < 0) {
		psec_schedule(ps, 100);
		return;
	}
	if (psec_query(ps, buf, sizeof(buf), &len) < 0) {
		idsock_put(s, ps->id, ps);
		psec_schedule(ps, 100);
		return;
	}
	ps->busy = 1;
	ps->tcp = 0;
	ps->sock = s;
	ps->pr->inflight++;
	hp_metrics.probes_sent++;
	/* A send error (no route ...) counts as a lost datagram. */
	if (sendto(s->fd, buf, len, 0, &ps->addr.sa, ps->addrlen) < 0)
		log_debug("SOA probe of %s: %s", ps->label, strerror(errno));
	psec_timer_in(ps, PROBE_UDP_MS);
}

void
psec_timer(evutil_socket_t fd, short what, void *arg)
{
	struct psec *ps = arg;

	(void)fd;
	(void)what;
	if (ps->busy)
		psec_timeout(ps);
	else
		psec_start(ps);
}

void
probe_kick(evutil_socket_t fd, short what, void *arg)
{
	struct probe *pr = arg;
	struct psec *ps;

	(void)fd;
	(void)what;
	while (pr->inflight < PROBE_INFLIGHT && (ps = pr->waitq) != NULL) {
		psec_unqueue(ps);
		if (!ps->busy)
			psec_start(ps);
	}
}
