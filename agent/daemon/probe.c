/*
 * probe.c -- the SOA probes of the secondaries and the verdict on each
 * zone x secondary (see probe.h). The messages are built and read by
 * notify/probe.c; here are the sockets, the timers and the state.
 *
 * Each zone x secondary (a psec) has one probe at a time: a UDP query
 * from a socket per source address (bound to it, replies matched by ID
 * and source address and port), then, when the answer is truncated,
 * fails TSIG or does not come within PROBE_UDP_MS, the same question over
 * TCP (a fresh ID and signature) within PROBE_TCP_MS. At most
 * PROBE_INFLIGHT probes are in flight; the others wait a little.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "agent/daemon/daemon_int.h"
#include "agent/daemon/probe.h"
#include "agent/http/api.h"
#include "dns/addr.h"
#include "dns/dname.h"
#include "dns/err.h"
#include "dns/log.h"
#include "dns/pkt.h"
#include "dns/serial.h"
#include "dns/tsig.h"
#include "dns/wire.h"
#include "notify/notify.h"
#include "notify/probe.h"
#include "store/store.h"

#define PROBE_UDP_MS		1000	/* UDP answer awaited, then TCP */
#define PROBE_TCP_MS		3000	/* TCP: connect, ask, answer */
#define PROBE_INFLIGHT		128	/* probes in flight at once */
#define PROBE_CHASE_FIRST_MS	5	/* after a transfer: the first probe */
#define PROBE_CHASE_NOTIFY_MS	20	/* after a NOTIFY acknowledgement */
#define PROBE_CHASE_MAX_MS	1000	/* ... doubling up to this */
#define PROBE_BACKOFF_MAX	16	/* unreachable: interval x 2^n, up to
					   this factor */
#define PROBE_BUCKETS		1024	/* zones hashed by name */
#define PROBE_MSG_MAX		1024	/* a query with its TSIG */

enum pstate { PS_UNKNOWN, PS_IN_SYNC, PS_BEHIND, PS_STALE, PS_UNREACHABLE,
    PS_REFUSED };

static const char *const pstate_names[] = {
	[PS_UNKNOWN] = "unknown", [PS_IN_SYNC] = "in-sync",
	[PS_BEHIND] = "behind", [PS_STALE] = "stale",
	[PS_UNREACHABLE] = "unreachable", [PS_REFUSED] = "refused",
};

/* What the last probe got. */
enum plast { PL_NONE, PL_SERIAL, PL_NOZONE, PL_REFUSED, PL_NOANSWER };

struct probe_sock {
	struct probe *pr;
	struct sockaddr_storage src;
	socklen_t srclen;
	int family;
	int fd;
	struct event *ev;
	struct psec **by_id;		/* 65536 slots */
	struct probe_sock *next;
};

struct pzone;

struct psec {
	struct probe *pr;
	struct pzone *pz;
	struct notify_target t;		/* t.key points to KEY, or is NULL */
	struct tsig_key key;
	int sync_timeout, interval;	/* seconds */
	/* the last answer */
	enum plast last;
	char last_why[128];
	int has_serial;			/* it serves SERIAL, as it showed */
	uint32_t serial;
	int64_t since, probed;		/* unix times */
	int fails;			/* probes in a row without an answer */
	/* the last transfer we served it */
	int has_xfr;
	uint32_t xfr_serial;
	int64_t xfr_time, xfr_first;
	double xfr_first_mono;		/* for sync-timeout */
	char xfr_kind[8];
	uint64_t xfr_bytes;
	/* NOTIFY */
	int notify_busy;		/* sent, not answered yet */
	int has_nerr, nerr_refused;	/* the last NOTIFY failed: refused
					   (an error answer) or unanswered */
	uint32_t nerr_serial;
	char nerr[96];
	/* chasing a serial: fast probes until CHASE_END (monotonic s) */
	int chasing, delay_ms;
	double chase_end;
	/* the verdict, and what the ledger was told */
	enum pstate state;
	char reason[STORE_REASON_MAX];
	enum pstate w_state;
	char w_reason[STORE_REASON_MAX];
	int w_has_serial;
	uint32_t w_serial;
	double w_mono;
	int told;			/* confirmed TOLD_SERIAL reported */
	uint32_t told_serial;
	/* the probe in flight */
	int busy, tcp;
	uint16_t id;
	struct probe_sock *sock;	/* UDP: the ID is held there */
	struct tsig_ctx tsig;
	struct bufferevent *bev;	/* TCP */
	struct event *sched, *tmo;
	struct psec *next;
};

struct pzone {
	char name[DNAME_MAXSTR];
	uint8_t zw[DNAME_MAXLEN];
	int64_t id;
	uint32_t serial;
	int seen;
	struct psec *secs;
	struct pzone *next;		/* in its bucket */
};

struct probe {
	struct event_base *base;
	struct ledger *l;
	struct probe_cbs cb;
	void *arg;
	struct pzone *tab[PROBE_BUCKETS];
	int nsecs, inflight;
	struct probe_sock *socks;
};

static void psec_start(evutil_socket_t fd, short what, void *arg);
static void psec_timeout(evutil_socket_t fd, short what, void *arg);
static void probe_read(evutil_socket_t fd, short what, void *arg);

/* ---- small helpers ------------------------------------------------- */

static int
same_addr(const struct sockaddr_storage *a, socklen_t al,
    const struct sockaddr_storage *b, socklen_t bl)
{
	return al == bl && (al == 0 || memcmp(a, b, al) == 0);
}

/* The addresses of A and B (not the ports) are the same. */
static int
same_host(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return 0;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		    ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->sa_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		    &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
	return 0;
}

static const char *
clock_str(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%H:%M:%S", &tm) == 0)
		snprintf(buf, len, "?");
	return buf;
}

static unsigned
bucket(const char *name)
{
	uint32_t h = 2166136261u;

	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h % PROBE_BUCKETS;
}

static struct pzone *
pzone_find(const struct probe *pr, const char *zone)
{
	struct pzone *pz;

	for (pz = pr->tab[bucket(zone)]; pz != NULL; pz = pz->next)
		if (strcmp(pz->name, zone) == 0)
			return pz;
	return NULL;
}

/* The secondary LABEL in the list PS. */
static struct psec *
psec_in(struct psec *ps, const char *label)
{
	for (; ps != NULL; ps = ps->next)
		if (strcmp(ps->t.label, label) == 0)
			return ps;
	return NULL;
}

static struct psec *
psec_find(const struct pzone *pz, const char *label)
{
	return pz != NULL ? psec_in(pz->secs, label) : NULL;
}

/* A random share of MS: 90 % to 110 %, so that probes spread out. */
static int
jitter(int ms)
{
	int j = ms / 10;

	return j > 0 ? ms - j + (int)arc4random_uniform((uint32_t)(2 * j + 1)) :
	    ms;
}

static void
psec_schedule(struct psec *ps, int ms)
{
	struct timeval tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(ps->sched, &tv);
}

/* ---- UDP sockets, one per source address ----------------------------- */

static struct probe_sock *
probe_sock_get(struct probe *pr, const struct notify_target *t)
{
	struct probe_sock *s;
	int family = t->addr.ss_family;

	for (s = pr->socks; s != NULL; s = s->next)
		if (s->family == family &&
		    same_addr(&s->src, s->srclen, &t->src, t->srclen))
			return s;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->pr = pr;
	s->family = family;
	s->srclen = t->srclen;
	memcpy(&s->src, &t->src, t->srclen);
	s->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || (t->srclen != 0 && bind(s->fd,
	    (const struct sockaddr *)&t->src, t->srclen) != 0)) {
		log_err("SOA probes: cannot open a socket from the source "
		    "address for %s: %s", t->label, strerror(errno));
		goto fail;
	}
	s->by_id = calloc(65536, sizeof(*s->by_id));
	s->ev = event_new(pr->base, s->fd, EV_READ | EV_PERSIST, probe_read,
	    s);
	if (s->by_id == NULL || s->ev == NULL || event_add(s->ev, NULL) != 0)
		goto fail;
	s->next = pr->socks;
	pr->socks = s;
	return s;
fail:
	if (s->ev != NULL)
		event_free(s->ev);
	if (s->fd >= 0)
		close(s->fd);
	free(s->by_id);
	free(s);
	return NULL;
}

/* ---- the verdict ----------------------------------------------------- */

/* The verdict from what is known of PS, into ps->state and ps->reason. */
static void
psec_eval(struct psec *ps)
{
	uint32_t want = ps->pz->serial;
	char serves[176], t1[16], nerr[128];
	char *r = ps->reason;
	size_t rl = sizeof(ps->reason);
	int xfr_done;

	nerr[0] = '\0';
	if (ps->has_nerr && serial_at_least(ps->nerr_serial, want))
		snprintf(nerr, sizeof(nerr), "NOTIFY of serial %u %s",
		    ps->nerr_serial, ps->nerr);
	if (ps->last == PL_SERIAL && serial_at_least(ps->serial, want)) {
		ps->state = PS_IN_SYNC;
		if (ps->serial != want)
			snprintf(r, rl, "serves %u, newer than the published "
			    "%u", ps->serial, want);
		else
			r[0] = '\0';
		return;
	}
	switch (ps->last) {
	case PL_NONE:
		ps->state = nerr[0] != '\0' && ps->nerr_refused ? PS_REFUSED :
		    PS_UNKNOWN;
		snprintf(r, rl, "%s", nerr[0] != '\0' ? nerr :
		    "not probed yet");
		return;
	case PL_NOANSWER:
		ps->state = PS_UNREACHABLE;
		snprintf(r, rl, "%s%s%s", ps->last_why, nerr[0] ? "; " : "",
		    nerr);
		return;
	case PL_REFUSED:
		ps->state = PS_REFUSED;
		snprintf(r, rl, "%s%s%s", ps->last_why, nerr[0] ? "; " : "",
		    nerr);
		return;
	default:
		break;
	}
	/* It answers, without the serial: behind, or worse. */
	if (ps->last == PL_SERIAL)
		snprintf(serves, sizeof(serves), "serves %u", ps->serial);
	else
		snprintf(serves, sizeof(serves), "serves no such zone (%s)",
		    ps->last_why);
	xfr_done = ps->has_xfr && serial_at_least(ps->xfr_serial, want);
	if (xfr_done && log_clock() >= ps->xfr_first_mono +
	    ps->sync_timeout) {
		ps->state = PS_STALE;
		snprintf(r, rl, "transferred but not serving: %s of serial %u, "
		    "%llu bytes at %s; after %d s it still %.150s", ps->xfr_kind,
		    ps->xfr_serial, (unsigned long long)ps->xfr_bytes,
		    clock_str(ps->xfr_first, t1, sizeof(t1)),
		    ps->sync_timeout, serves);
		return;
	}
	if (nerr[0] != '\0' && ps->nerr_refused) {
		ps->state = PS_REFUSED;
		snprintf(r, rl, "%s; %s", nerr, serves);
		return;
	}
	ps->state = PS_BEHIND;
	if (xfr_done)
		snprintf(r, rl, "%s; %s of serial %u done at %s, not served "
		    "yet", serves, ps->xfr_kind, ps->xfr_serial,
		    clock_str(ps->xfr_time, t1, sizeof(t1)));
	else if (nerr[0] != '\0')
		snprintf(r, rl, "%s; %s", serves, nerr);
	else if (ps->chasing)
		snprintf(r, rl, "%s; NOTIFY of serial %u acknowledged, "
		    "transfer awaited", serves, want);
	else
		snprintf(r, rl, "%s; serial %u published", serves, want);
}

/* Queue the verdict for the ledger when it changed, or a probe ended
 * (PROBED) and the last write is a second old. */
static void
psec_write(struct psec *ps, int probed)
{
	struct store_sec_record rec;
	double now = log_clock();

	if (ps->state == ps->w_state && strcmp(ps->reason, ps->w_reason) == 0 &&
	    ps->has_serial == ps->w_has_serial &&
	    (!ps->has_serial || ps->serial == ps->w_serial) &&
	    (!probed || now < ps->w_mono + 1))
		return;
	memset(&rec, 0, sizeof(rec));
	rec.event = STORE_SEC_PROBE;
	rec.zone_id = ps->pz->id;
	snprintf(rec.target, sizeof(rec.target), "%s", ps->t.label);
	rec.when = probed ? ps->probed : 0;
	rec.has_serial = ps->has_serial;
	rec.serial = ps->serial;
	rec.since = ps->since;
	snprintf(rec.state, sizeof(rec.state), "%s", pstate_names[ps->state]);
	snprintf(rec.reason, sizeof(rec.reason), "%s", ps->reason);
	ledger_add(ps->pr->l, &rec);
	/* In sync again: notice; behind (a publish): info; the rest is
	 * trouble. */
	if (ps->state != ps->w_state) {
		if (ps->state == PS_IN_SYNC)
			log_notice("zone %s: secondary %s serves serial %u: in "
			    "sync", ps->pz->name, ps->t.label, ps->serial);
		else
			log_msg(ps->state == PS_BEHIND ||
			    ps->state == PS_UNKNOWN ? LOG_INFO : LOG_WARNING,
			    "zone %s: secondary %s %s: %s", ps->pz->name,
			    ps->t.label, pstate_names[ps->state], ps->reason);
	}
	ps->w_state = ps->state;
	snprintf(ps->w_reason, sizeof(ps->w_reason), "%s", ps->reason);
	ps->w_has_serial = ps->has_serial;
	ps->w_serial = ps->serial;
	ps->w_mono = now;
}

/* Verdict, ledger, and the daemon told of a confirmation. */
static void
psec_update(struct psec *ps, int probed)
{
	psec_eval(ps);
	psec_write(ps, probed);
	if (ps->state != PS_IN_SYNC)
		return;
	ps->chasing = 0;
	ps->has_nerr = 0;
	if (ps->told && ps->told_serial == ps->serial)
		return;
	ps->told = 1;
	ps->told_serial = ps->serial;
	if (ps->pr->cb.confirmed != NULL)
		ps->pr->cb.confirmed(ps->pr->arg, ps->pz->name, ps->t.label,
		    ps->serial);
}

/* Fast probes from now until the serial shows, or until DEADLINE
 * (monotonic seconds), the first in FIRST_MS. */
static void
psec_chase(struct psec *ps, double deadline, int first_ms)
{
	if (ps->state == PS_IN_SYNC && ps->last == PL_SERIAL &&
	    serial_at_least(ps->serial, ps->pz->serial))
		return;
	if (!ps->chasing || deadline > ps->chase_end)
		ps->chase_end = deadline;
	ps->chasing = 1;
	ps->delay_ms = first_ms;
	if (!ps->busy)
		psec_schedule(ps, first_ms);
}

/* After a probe ended: the next one. A periodic probe that finds the
 * secondary behind sends it a NOTIFY (one that ends a chase does not:
 * the next periodic one will, so that a secondary which cannot load the
 * zone is not made to transfer it over and over). */
static void
psec_next(struct psec *ps)
{
	int ms, f, chased = ps->chasing;

	if (ps->chasing && ps->state != PS_IN_SYNC) {
		if (log_clock() < ps->chase_end) {
			ps->delay_ms = ps->delay_ms * 2 > PROBE_CHASE_MAX_MS ?
			    PROBE_CHASE_MAX_MS : ps->delay_ms * 2;
			psec_schedule(ps, ps->delay_ms);
			return;
		}
		/* sync-timeout passed: the verdict may be "stale" now */
		ps->chasing = 0;
		psec_update(ps, 0);
	}
	ps->chasing = 0;
	if (!chased && (ps->state == PS_BEHIND || ps->state == PS_STALE) &&
	    !ps->notify_busy && ps->pr->cb.behind != NULL) {
		log_info("zone %s: secondary %s is behind: NOTIFY",
		    ps->pz->name, ps->t.label);
		ps->pr->cb.behind(ps->pr->arg, ps->pz->name, ps->pz->id,
		    ps->t.label);
	}
	if (ps->interval <= 0)
		return;
	ms = ps->interval * 1000;
	if (ps->last == PL_NOANSWER && ps->fails > 1) {
		f = ps->fails - 1 > 4 ? PROBE_BACKOFF_MAX : 1 << (ps->fails - 1);
		ms = ps->interval * f > 86400 ? 86400 * 1000 : ms * f;
	}
	psec_schedule(ps, jitter(ms));
}

/* ---- one probe ------------------------------------------------------- */

/* Release what the probe in flight holds. */
static void
psec_release(struct psec *ps)
{
	if (!ps->busy)
		return;
	if (ps->sock != NULL && ps->sock->by_id[ps->id] == ps)
		ps->sock->by_id[ps->id] = NULL;
	ps->sock = NULL;
	if (ps->bev != NULL) {
		bufferevent_free(ps->bev);
		ps->bev = NULL;
	}
	evtimer_del(ps->tmo);
	tsig_ctx_deinit(&ps->tsig);
	tsig_ctx_init(&ps->tsig, NULL, 0);
	ps->busy = 0;
	ps->pr->inflight--;
}

/* The probe ended with LAST (RCODE: the answer's; SERIAL for PL_SERIAL;
 * WHY in words). */
static void
psec_done(struct psec *ps, enum plast last, uint32_t serial, const char *why)
{
	psec_release(ps);
	ps->probed = (int64_t)time(NULL);
	ps->last = last;
	snprintf(ps->last_why, sizeof(ps->last_why), "%s", why);
	switch (last) {
	case PL_SERIAL:
		if (!ps->has_serial || ps->serial != serial)
			ps->since = ps->probed;
		ps->has_serial = 1;
		ps->serial = serial;
		ps->fails = 0;
		break;
	case PL_NOZONE:
	case PL_REFUSED:
		ps->has_serial = 0;
		ps->fails = 0;
		break;
	case PL_NOANSWER:
		/* What it showed last still stands. */
		ps->fails++;
		hp_metrics.probe_failures++;
		break;
	case PL_NONE:
		break;
	}
	log_debug("zone %s: probe of %s: %s", ps->pz->name, ps->t.label,
	    last == PL_SERIAL ? "answered" : why);
	psec_update(ps, 1);
	psec_next(ps);
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

	r = probe_check_reply(reply, len, ps->id, ps->pz->zw,
	    ps->t.key != NULL ? &ps->tsig : NULL, (uint64_t)time(NULL),
	    &rcode, &serial, &tr);
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
	te = pkt_rcode_name(ps->tsig.error);
	if (ps->t.key != NULL && ps->tsig.error != 0)
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

static void
probe_read(evutil_socket_t fd, short what, void *arg)
{
	struct probe_sock *s = arg;
	struct sockaddr_storage from;
	struct psec *ps;
	uint8_t buf[4096];
	socklen_t fl;
	ssize_t len;
	int i;

	(void)what;
	for (i = 0; i < 64; i++) {
		fl = sizeof(from);
		len = recvfrom(fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &fl);
		if (len < 0)
			return;
		if (len < WIRE_HDR_LEN)
			continue;
		ps = s->by_id[wire_read_u16(buf)];
		if (ps == NULL || ps->tcp || !same_addr(&from, fl, &ps->t.addr,
		    ps->t.addrlen)) {
			log_limited(21, 5, LOG_INFO, "SOA probes: stray "
			    "answer dropped");
			continue;
		}
		psec_answer(ps, buf, (size_t)len);
	}
}

/* A fresh query for PS into BUF: ID, a new TSIG context. */
static int
psec_query(struct psec *ps, uint8_t *buf, size_t cap, size_t *len)
{
	tsig_ctx_deinit(&ps->tsig);
	tsig_ctx_init(&ps->tsig, ps->t.key, 0);
	return probe_build(buf, cap, len, ps->id, ps->pz->zw,
	    ps->t.key != NULL ? &ps->tsig : NULL, (uint64_t)time(NULL));
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
	struct timeval tv = { PROBE_TCP_MS / 1000, (PROBE_TCP_MS % 1000) * 1000 };
	size_t len;
	int fd, r;

	if (ps->sock != NULL && ps->sock->by_id[ps->id] == ps)
		ps->sock->by_id[ps->id] = NULL;
	ps->sock = NULL;
	ps->id = (uint16_t)arc4random_uniform(65536);
	if ((r = psec_query(ps, buf + 2, sizeof(buf) - 2, &len)) < 0)
		return r;
	wire_write_u16(buf, (uint16_t)len);
	fd = socket(ps->t.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd < 0 || (ps->t.srclen != 0 && bind(fd,
	    (const struct sockaddr *)&ps->t.src, ps->t.srclen) != 0)) {
		log_warn("SOA probe of %s: TCP socket: %s", ps->t.label,
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
	if (bufferevent_socket_connect(ps->bev,
	    (struct sockaddr *)&ps->t.addr, (int)ps->t.addrlen) != 0 ||
	    bufferevent_write(ps->bev, buf, len + 2) != 0) {
		bufferevent_free(ps->bev);
		ps->bev = NULL;
		return HP_EIO;
	}
	evtimer_add(ps->tmo, &tv);
	return 0;
}

static void
psec_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct psec *ps = arg;

	(void)fd;
	(void)what;
	if (!ps->busy)
		return;
	if (ps->tcp)
		psec_done(ps, PL_NOANSWER, 0, "no answer over UDP or TCP");
	else if (psec_tcp(ps) < 0)
		psec_done(ps, PL_NOANSWER, 0, "no answer over UDP; no TCP "
		    "connection");
}

/* The timer of PS: send its probe (over UDP). */
static void
psec_start(evutil_socket_t fd, short what, void *arg)
{
	struct psec *ps = arg;
	struct probe_sock *s;
	struct timeval tv = { PROBE_UDP_MS / 1000,
	    (PROBE_UDP_MS % 1000) * 1000 };
	uint8_t buf[PROBE_MSG_MAX];
	size_t len;
	int i;

	(void)fd;
	(void)what;
	if (ps->busy)
		return;
	if (ps->pr->inflight >= PROBE_INFLIGHT) {
		psec_schedule(ps, 50 + (int)arc4random_uniform(50));
		return;
	}
	if ((s = probe_sock_get(ps->pr, &ps->t)) == NULL) {
		psec_schedule(ps, ps->interval > 0 ? ps->interval * 1000 :
		    60000);
		return;
	}
	for (i = 0; i < 64; i++) {
		ps->id = (uint16_t)arc4random_uniform(65536);
		if (s->by_id[ps->id] == NULL)
			break;
	}
	if (s->by_id[ps->id] != NULL || psec_query(ps, buf, sizeof(buf),
	    &len) < 0) {
		psec_schedule(ps, 100);
		return;
	}
	ps->busy = 1;
	ps->tcp = 0;
	ps->sock = s;
	s->by_id[ps->id] = ps;
	ps->pr->inflight++;
	hp_metrics.probes_sent++;
	/* A send error (no route ...) counts as a lost datagram. */
	if (sendto(s->fd, buf, len, 0, (struct sockaddr *)&ps->t.addr,
	    ps->t.addrlen) < 0)
		log_debug("SOA probe of %s: %s", ps->t.label, strerror(errno));
	evtimer_add(ps->tmo, &tv);
}

/* ---- the zones and their secondaries --------------------------------- */

static void
psec_free(struct psec *ps)
{
	psec_release(ps);
	if (ps->sched != NULL)
		event_free(ps->sched);
	if (ps->tmo != NULL)
		event_free(ps->tmo);
	tsig_ctx_deinit(&ps->tsig);
	tsig_key_clear(&ps->key);
	ps->pr->nsecs--;
	free(ps);
}

static struct psec *
psec_new(struct probe *pr, struct pzone *pz)
{
	struct psec *ps;

	if ((ps = calloc(1, sizeof(*ps))) == NULL)
		return NULL;
	ps->pr = pr;
	ps->pz = pz;
	ps->w_state = PS_UNKNOWN;
	tsig_ctx_init(&ps->tsig, NULL, 0);
	ps->sched = evtimer_new(pr->base, psec_start, ps);
	ps->tmo = evtimer_new(pr->base, psec_timeout, ps);
	if (ps->sched == NULL || ps->tmo == NULL) {
		if (ps->sched != NULL)
			event_free(ps->sched);
		if (ps->tmo != NULL)
			event_free(ps->tmo);
		free(ps);
		return NULL;
	}
	pr->nsecs++;
	return ps;
}

/* T's settings into PS (the key copied). */
static void
psec_set(struct psec *ps, const struct notify_target *t, int sync_timeout,
    int interval)
{
	int changed = !same_addr(&ps->t.addr, ps->t.addrlen, &t->addr,
	    t->addrlen) || !same_addr(&ps->t.src, ps->t.srclen, &t->src,
	    t->srclen) || (t->key == NULL) != (ps->t.key == NULL) ||
	    (t->key != NULL && !tsig_key_equal(t->key, &ps->key));

	if (changed && ps->busy) {
		/* the probe in flight asked the old: ask again */
		psec_release(ps);
		psec_schedule(ps, 100);
	}
	ps->t = *t;
	if (t->key != NULL) {
		ps->key = *t->key;
		ps->t.key = &ps->key;
	}
	ps->sync_timeout = sync_timeout;
	ps->interval = interval;
}

static struct pzone *
pzone_get(struct probe *pr, const char *zone)
{
	struct pzone *pz = pzone_find(pr, zone);
	unsigned b;

	if (pz != NULL)
		return pz;
	if ((pz = calloc(1, sizeof(*pz))) == NULL)
		return NULL;
	snprintf(pz->name, sizeof(pz->name), "%s", zone);
	if (dname_from_str(zone, pz->zw, NULL) < 0) {
		free(pz);
		return NULL;
	}
	b = bucket(zone);
	pz->next = pr->tab[b];
	pr->tab[b] = pz;
	return pz;
}

static void
pzone_free(struct pzone *pz)
{
	struct psec *ps;

	while ((ps = pz->secs) != NULL) {
		pz->secs = ps->next;
		psec_free(ps);
	}
	free(pz);
}

int
probe_zone(struct probe *pr, const char *zone, int64_t zone_id,
    uint32_t serial, const struct notify_target *t, int nt,
    int sync_timeout, int interval)
{
	struct psec *ps, **pp, *keep = NULL, **tail = &keep;
	struct pzone *pz;
	int i, first, moved, spread;

	if (pr == NULL)
		return 0;
	if ((pz = pzone_get(pr, zone)) == NULL)
		return HP_ENOMEM;
	moved = pz->id != 0 && (pz->serial != serial || pz->id != zone_id);
	pz->seen = 1;
	pz->id = zone_id;
	pz->serial = serial;
	for (i = 0; i < nt; i++) {
		/* the entries of T in its order, each label once */
		for (pp = &pz->secs; *pp != NULL; pp = &(*pp)->next)
			if (strcmp((*pp)->t.label, t[i].label) == 0)
				break;
		first = 0;
		if ((ps = *pp) != NULL)
			*pp = ps->next;
		else if (psec_in(keep, t[i].label) == NULL) {
			if ((ps = psec_new(pr, pz)) == NULL)
				return HP_ENOMEM;
			first = 1;
		} else
			continue;
		psec_set(ps, &t[i], sync_timeout, interval);
		ps->next = NULL;
		*tail = ps;
		tail = &ps->next;
		if (first) {
			/* spread the first probes of many secondaries */
			spread = 1000 + pr->nsecs * 5;
			if (interval > 0 && spread > interval * 1000)
				spread = interval * 1000;
			psec_schedule(ps, 100 + (int)arc4random_uniform(
			    (uint32_t)spread));
		}
	}
	while ((ps = pz->secs) != NULL) {
		pz->secs = ps->next;
		log_info("zone %s: %s is no longer a notify: target",
		    pz->name, ps->t.label);
		psec_free(ps);
	}
	pz->secs = keep;
	if (moved)
		for (ps = pz->secs; ps != NULL; ps = ps->next) {
			ps->told = 0;
			psec_update(ps, 0);
		}
	return 0;
}

void
probe_mark(struct probe *pr)
{
	struct pzone *pz;
	int b;

	if (pr == NULL)
		return;
	for (b = 0; b < PROBE_BUCKETS; b++)
		for (pz = pr->tab[b]; pz != NULL; pz = pz->next)
			pz->seen = 0;
}

void
probe_sweep(struct probe *pr)
{
	struct pzone **pp, *pz;
	int b;

	if (pr == NULL)
		return;
	for (b = 0; b < PROBE_BUCKETS; b++)
		for (pp = &pr->tab[b]; (pz = *pp) != NULL;) {
			if (pz->seen) {
				pp = &pz->next;
				continue;
			}
			*pp = pz->next;
			pzone_free(pz);
		}
}

/* ---- what the daemon tells ------------------------------------------- */

void
probe_notify_report(struct probe *pr, const struct notify_report *r)
{
	struct psec *ps;
	char why[96];

	if (pr == NULL ||
	    (ps = psec_find(pzone_find(pr, r->zone), r->target->label)) ==
	    NULL)
		return;
	switch (r->ev) {
	case NOTIFY_SENT:
		ps->notify_busy = 1;
		return;
	case NOTIFY_ACKED:
		ps->notify_busy = 0;
		if (ps->has_nerr && ps->nerr_serial == r->serial)
			ps->has_nerr = 0;
		if (serial_at_least(r->serial, ps->pz->serial))
			psec_chase(ps, log_clock() + ps->sync_timeout,
			    PROBE_CHASE_NOTIFY_MS);
		return;
	case NOTIFY_FAILED:
		ps->notify_busy = 0;
		ps->has_nerr = 1;
		ps->nerr_refused = r->rcode > 0 || r->err != HP_EAGAIN;
		ps->nerr_serial = r->serial;
		snprintf(ps->nerr, sizeof(ps->nerr), "%s",
		    notify_report_str(r, why, sizeof(why)));
		psec_update(ps, 0);
		return;
	}
}

/*
 * The notify: entry of PZ a transfer to PEER with KEY went to: the entry
 * of PEER's address (among several, the one with KEY); else, from an
 * address no entry has, the only entry with KEY. NULL when none or
 * several (*N: how many candidates).
 */
static struct psec *
probe_match(struct pzone *pz, const struct sockaddr *peer,
    const struct tsig_key *key, int *n)
{
	struct psec *ps, *hit = NULL, *keyed = NULL;
	int nhost = 0, nkeyed = 0, nboth = 0;

	for (ps = pz->secs; ps != NULL; ps = ps->next) {
		int k = key == NULL ? ps->t.key == NULL :
		    ps->t.key != NULL && tsig_key_equal(key, ps->t.key);

		if (same_host(peer, (struct sockaddr *)&ps->t.addr)) {
			nhost++;
			if (k) {
				nboth++;
				hit = ps;
			} else if (nboth == 0)
				hit = ps;
		}
		if (k && key != NULL) {
			nkeyed++;
			keyed = ps;
		}
	}
	if (nhost == 1 || nboth == 1) {
		*n = 1;
		return hit;
	}
	if (nhost > 1) {
		*n = nboth > 0 ? nboth : nhost;
		return NULL;
	}
	*n = nkeyed;
	return nkeyed == 1 ? keyed : NULL;
}

void
probe_xfr(struct probe *pr, const char *zone, const struct sockaddr *peer,
    const struct tsig_key *key, uint32_t serial, const char *kind,
    uint64_t bytes)
{
	struct store_sec_record rec;
	struct pzone *pz;
	struct psec *ps;
	char ab[ADDR_STRLEN], kn[DNAME_MAXSTR];
	int n = 0;

	if (pr == NULL || (pz = pzone_find(pr, zone)) == NULL)
		return;
	addr_ntop(peer, ab, sizeof(ab));
	if (key == NULL || dname_to_str(key->name, kn, sizeof(kn)) < 0)
		snprintf(kn, sizeof(kn), "none");
	if ((ps = probe_match(pz, peer, key, &n)) == NULL) {
		if (n == 0)
			log_info("zone %s: %s of serial %u to %s (key %s): no "
			    "notify: entry names it; not listed", zone, kind,
			    serial, ab, kn);
		else
			log_notice("zone %s: %s of serial %u to %s (key %s): "
			    "%d notify: entries could be it; recorded for "
			    "none", zone, kind, serial, ab, kn, n);
		return;
	}
	if (!ps->has_xfr || ps->xfr_serial != serial) {
		ps->xfr_first = (int64_t)time(NULL);
		ps->xfr_first_mono = log_clock();
	}
	ps->has_xfr = 1;
	ps->xfr_serial = serial;
	ps->xfr_time = (int64_t)time(NULL);
	ps->xfr_bytes = bytes;
	snprintf(ps->xfr_kind, sizeof(ps->xfr_kind), "%s", kind);
	memset(&rec, 0, sizeof(rec));
	rec.event = STORE_SEC_XFR;
	rec.zone_id = pz->id;
	snprintf(rec.target, sizeof(rec.target), "%s", ps->t.label);
	rec.when = ps->xfr_time;
	rec.serial = serial;
	rec.first = ps->xfr_first;
	rec.bytes = bytes;
	snprintf(rec.kind, sizeof(rec.kind), "%s", kind);
	ledger_add(pr->l, &rec);
	if (!same_host(peer, (struct sockaddr *)&ps->t.addr))
		log_info("zone %s: %s to %s counted for %s (its key %s)", zone,
		    kind, ab, ps->t.label, kn);
	if (serial_at_least(serial, pz->serial))
		psec_chase(ps, ps->xfr_first_mono + ps->sync_timeout,
		    PROBE_CHASE_FIRST_MS);
}

/* ---- life ------------------------------------------------------------ */

int
probe_new(struct event_base *base, struct ledger *l,
    const struct probe_cbs *cbs, void *arg, struct probe **out)
{
	struct probe *pr;

	if ((pr = calloc(1, sizeof(*pr))) == NULL)
		return HP_ENOMEM;
	pr->base = base;
	pr->l = l;
	if (cbs != NULL)
		pr->cb = *cbs;
	pr->arg = arg;
	*out = pr;
	return 0;
}

void
probe_free(struct probe *pr)
{
	struct probe_sock *s;
	struct pzone *pz;
	int b;

	if (pr == NULL)
		return;
	for (b = 0; b < PROBE_BUCKETS; b++)
		while ((pz = pr->tab[b]) != NULL) {
			pr->tab[b] = pz->next;
			pzone_free(pz);
		}
	while ((s = pr->socks) != NULL) {
		pr->socks = s->next;
		event_free(s->ev);
		close(s->fd);
		free(s->by_id);
		free(s);
	}
	free(pr);
}
