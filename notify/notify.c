/*
 * notify.c -- NOTIFY jobs per zone x target on a libevent base.
 *
 * Targets with the same address, source and key form a peer: its jobs
 * wait in a FIFO, at most NOTIFY_PEER_MAX of them in flight. A peer whose
 * last NOTIFY_DEAD_AFTER jobs all went unanswered is unresponsive: its
 * jobs get one try each (no retries) and a window of NOTIFY_DEAD_MAX, so
 * that thousands of zones give up on a dead secondary in minutes, not
 * hours; its first answer makes it responsive again. Sending
 * sockets are per source address (notify/idsock.h: bound to it, port
 * chosen by the kernel); a reply is matched by its ID (a table per
 * socket), then by its source address and port, then checked by
 * notify_check_reply().
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "dns/addr.h"
#include "dns/dname.h"
#include "dns/err.h"
#include "dns/log.h"
#include "dns/pkt.h"
#include "dns/serial.h"
#include "dns/tsig.h"
#include "dns/wire.h"
#include "notify/idsock.h"
#include "notify/notify.h"

#define NOTIFY_MSG_MAX	1024

struct notify_peer {
	struct notify_target t;		/* t.key points to KEY, or is NULL */
	struct tsig_key key;		/* a copy: the caller's may go */
	struct idsock *sock;		/* by_id: struct notify_job */
	struct notify_job *head, *tail;	/* waiting */
	struct notify_job *flying;	/* in flight (list) */
	int inflight;
	int silent;		/* jobs in a row that got no answer */
	struct notify_peer *next;
};

struct notify_job {
	struct notify *n;
	struct notify_peer *peer;
	uint8_t zone[DNAME_MAXLEN];
	char zone_str[DNAME_MAXSTR];
	int64_t tag;
	uint32_t ttl, serial;
	uint8_t soa[2 * DNAME_MAXLEN + 20];
	size_t soalen;
	int retries, tries, timeout_ms;
	int bad_tsig;		/* a NOERROR answer that failed TSIG */
	int announce;		/* a new serial: report its first send */
	uint16_t id;
	int has_id;
	struct tsig_ctx tsig;
	struct event *timer;
	struct notify_job *next, *prev;	/* queue or flying list */
};

struct notify {
	struct event_base *base;
	struct notify_opts o;
	notify_cb cb;
	void *arg;
	struct idsock *socks;
	struct notify_peer *peers;
	struct notify_peer *rr;		/* round-robin position */
	int inflight, pending;
};

/* ---- messages (no I/O) --------------------------------------------- */

int
notify_build(uint8_t *buf, size_t cap, size_t *len, uint16_t id,
    const uint8_t *zone, uint32_t ttl, const uint8_t *soa, size_t soalen,
    struct tsig_ctx *tsig, uint64_t now)
{
	struct pkt_wr w;
	size_t l;
	int r;

	if (soalen > 65535)
		return HP_EMALF;
	if ((r = pkt_wr_init(&w, buf, cap, id, (uint16_t)(WIRE_FLAG_AA |
	    (WIRE_OPCODE_NOTIFY << WIRE_OPCODE_SHIFT)), NULL)) < 0 ||
	    (r = pkt_wr_question(&w, zone, WIRE_TYPE_SOA, WIRE_CLASS_IN)) < 0 ||
	    (r = pkt_wr_rr(&w, PKT_ANSWER, zone, WIRE_TYPE_SOA, WIRE_CLASS_IN,
	    ttl, soa, (uint16_t)soalen)) < 0)
		return r;
	l = w.len;
	if (tsig != NULL && (r = tsig_sign(tsig, buf, &l, cap, now)) < 0)
		return r;
	*len = l;
	return 0;
}

int
notify_check_reply(const uint8_t *reply, size_t len, uint16_t id,
    const uint8_t *zone, struct tsig_ctx *tsig, uint64_t now, int *tsig_res)
{
	struct pkt p;
	int r = 0, rcode;

	if (tsig_res != NULL)
		*tsig_res = 0;
	if (pkt_parse(&p, reply, len) < 0 || p.id != id ||
	    !(p.flags & WIRE_FLAG_QR) ||
	    WIRE_OPCODE(p.flags) != WIRE_OPCODE_NOTIFY)
		return HP_EMALF;
	/* RFC 1996 4.7: the question may be echoed; when it is, it must be
	 * ours. */
	if (p.count[PKT_QUESTION] == 1 && (p.qtype != WIRE_TYPE_SOA ||
	    !dname_equal(p.qname, zone)))
		return HP_EMALF;
	rcode = WIRE_RCODE(p.flags);
	if (tsig != NULL && (r = tsig_client_verify(tsig, &p, now)) == 0)
		r = tsig_client_finish(tsig);
	if (r == 0)
		return rcode;
	if (rcode == WIRE_RCODE_NOERROR)
		return r;
	/* An error answer, unverified: a secondary that does not know the
	 * key (or refuses us) cannot sign its answer. */
	if (tsig_res != NULL)
		*tsig_res = r;
	return rcode;
}

const char *
notify_report_str(const struct notify_report *r, char *buf, size_t len)
{
	const char *rc = pkt_rcode_name(r->rcode);
	const char *te = pkt_rcode_name(r->tsig_error);
	char num[24];

	if (r->ev == NOTIFY_ACKED)
		snprintf(buf, len, "acknowledged");
	else if (r->ev == NOTIFY_SENT)
		snprintf(buf, len, "sent");
	else if (r->rcode > 0) {
		if (rc == NULL) {
			snprintf(num, sizeof(num), "RCODE %d", r->rcode);
			rc = num;
		}
		if (r->tsig_error != 0)
			snprintf(buf, len, "answered %s (TSIG error %s)", rc,
			    te != NULL ? te : "?");
		else if (r->err == HP_ENOTSIG)
			snprintf(buf, len, "answered %s (unsigned)", rc);
		else if (r->err < 0)
			snprintf(buf, len, "answered %s (%s)", rc,
			    hp_strerror(r->err));
		else
			snprintf(buf, len, "answered %s", rc);
	} else if (r->err == HP_EAGAIN)
		snprintf(buf, len, "no answer after %d %s", r->tries,
		    r->tries == 1 ? "try" : "tries");
	else
		snprintf(buf, len, "answers failed TSIG (%s)",
		    hp_strerror(r->err));
	return buf;
}

/* ---- peers and their sockets (idsock.h) ----------------------------- */

static void notify_read(evutil_socket_t fd, short what, void *arg);

static struct notify_peer *
notify_peer_get(struct notify *n, const struct notify_target *t)
{
	struct notify_peer *p;

	for (p = n->peers; p != NULL; p = p->next)
		if (addr_equal(&p->t.addr, p->t.addrlen, &t->addr,
		    t->addrlen) && addr_equal(&p->t.src, p->t.srclen,
		    &t->src, t->srclen) && (p->t.key == NULL ? t->key == NULL :
		    t->key != NULL && tsig_key_equal(p->t.key, t->key)))
			return p;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->t = *t;
	if (t->key != NULL) {
		p->key = *t->key;
		p->t.key = &p->key;
	}
	if ((p->sock = idsock_list_get(&n->socks, n->base, t->addr.ss_family,
	    &t->src, t->srclen, notify_read, n, "NOTIFY")) == NULL) {
		free(p);
		return NULL;
	}
	p->next = n->peers;
	n->peers = p;
	return p;
}

/* ---- jobs ---------------------------------------------------------- */

static void notify_dispatch(struct notify *n);
static void notify_timeout(evutil_socket_t fd, short what, void *arg);

static void
notify_unlink(struct notify_job **head, struct notify_job **tail,
    struct notify_job *j)
{
	if (j->prev != NULL)
		j->prev->next = j->next;
	else
		*head = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	else if (tail != NULL)
		*tail = j->prev;
	j->next = j->prev = NULL;
}

static void
notify_release_id(struct notify_job *j)
{
	if (j->has_id)
		idsock_put(j->peer->sock, j->id, j);
	j->has_id = 0;
}

static void
notify_job_free(struct notify_job *j)
{
	notify_release_id(j);
	if (j->timer != NULL)
		event_free(j->timer);
	tsig_ctx_deinit(&j->tsig);
	free(j);
}

static int
notify_peer_dead(const struct notify_peer *p)
{
	return p->silent >= NOTIFY_DEAD_AFTER;
}

/* Count answered and unanswered jobs of P (see the top of this file). */
static void
notify_peer_account(struct notify_peer *p, enum notify_event ev, int err)
{
	if (ev == NOTIFY_FAILED && err == HP_EAGAIN) {
		if (++p->silent == NOTIFY_DEAD_AFTER)
			log_warn("NOTIFY to %s: %d NOTIFYs in a row unanswered; "
			    "until it answers, one try each", p->t.label,
			    NOTIFY_DEAD_AFTER);
		return;
	}
	if (notify_peer_dead(p))
		log_notice("NOTIFY to %s: answering again", p->t.label);
	p->silent = 0;
}

/* End an in-flight job with EV and report it (RCODE, TSIG_ERROR, ERR as
 * in struct notify_report). */
static void
notify_finish(struct notify_job *j, enum notify_event ev, int rcode,
    int tsig_error, int err)
{
	struct notify *n = j->n;
	struct notify_peer *p = j->peer;
	struct notify_report r = {
		.zone = j->zone_str, .tag = j->tag, .target = &p->t,
		.serial = j->serial, .ev = ev, .rcode = rcode,
		.tsig_error = tsig_error, .err = err, .tries = j->tries
	};
	char why[96];

	if (rcode > 0)
		log_warn("NOTIFY %s serial %u to %s %s", j->zone_str,
		    j->serial, p->t.label, notify_report_str(&r, why,
		    sizeof(why)));
	notify_unlink(&p->flying, NULL, j);
	notify_peer_account(p, ev, err);
	p->inflight--;
	n->inflight--;
	n->pending--;
	if (n->cb != NULL)
		n->cb(n->arg, &r);
	notify_job_free(j);
	notify_dispatch(n);
}

static int
notify_send(struct notify_job *j)
{
	struct idsock *s = j->peer->sock;
	uint8_t buf[NOTIFY_MSG_MAX];
	struct timeval tv;
	size_t len;
	int r;

	notify_release_id(j);
	if ((r = idsock_take(s, j, &j->id)) < 0)
		return r;
	j->has_id = 1;
	tsig_ctx_deinit(&j->tsig);
	tsig_ctx_init(&j->tsig, j->peer->t.key, 0);
	r = notify_build(buf, sizeof(buf), &len, j->id, j->zone, j->ttl,
	    j->soa, j->soalen, j->peer->t.key != NULL ? &j->tsig : NULL,
	    (uint64_t)time(NULL));
	if (r < 0)
		return r;
	/* A send error (e.g. no route) counts as a lost datagram. */
	if (sendto(s->fd, buf, len, 0, (struct sockaddr *)&j->peer->t.addr,
	    j->peer->t.addrlen) < 0)
		log_debug("NOTIFY %s to %s: %s", j->zone_str, j->peer->t.label,
		    strerror(errno));
	j->tries++;
	tv.tv_sec = j->timeout_ms / 1000;
	tv.tv_usec = (j->timeout_ms % 1000) * 1000;
	evtimer_add(j->timer, &tv);
	if ((j->tries == 1 || j->announce) && j->n->cb != NULL) {
		struct notify_report rep = {
			.zone = j->zone_str, .tag = j->tag,
			.target = &j->peer->t, .serial = j->serial,
			.ev = NOTIFY_SENT, .tries = j->tries
		};

		j->announce = 0;
		j->n->cb(j->n->arg, &rep);
	}
	return 0;
}

static void
notify_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct notify_job *j = arg;
	int r;

	(void)fd;
	(void)what;
	if (j->tries > j->retries ||
	    (notify_peer_dead(j->peer) && j->tries >= 1)) {
		if (j->bad_tsig < 0)
			log_warn("NOTIFY %s serial %u to %s: only answers that "
			    "failed TSIG (%s) after %d tries", j->zone_str,
			    j->serial, j->peer->t.label,
			    hp_strerror(j->bad_tsig), j->tries);
		else
			log_warn("NOTIFY %s serial %u to %s: no answer after "
			    "%d tries", j->zone_str, j->serial,
			    j->peer->t.label, j->tries);
		notify_finish(j, NOTIFY_FAILED, 0, 0, j->bad_tsig < 0 ?
		    j->bad_tsig : HP_EAGAIN);
		return;
	}
	j->timeout_ms *= 2;
	if (j->timeout_ms > j->n->o.max_timeout_ms)
		j->timeout_ms = j->n->o.max_timeout_ms;
	if ((r = notify_send(j)) < 0)
		notify_finish(j, NOTIFY_FAILED, 0, 0, r);
}

static void
notify_start(struct notify_job *j)
{
	struct notify_peer *p = j->peer;
	int r;

	notify_unlink(&p->head, &p->tail, j);
	j->next = p->flying;
	if (p->flying != NULL)
		p->flying->prev = j;
	p->flying = j;
	p->inflight++;
	j->n->inflight++;
	j->timeout_ms = j->n->o.timeout_ms;
	if ((r = notify_send(j)) < 0) {
		log_err("NOTIFY %s to %s: %s", j->zone_str, p->t.label,
		    hp_strerror(r));
		notify_finish(j, NOTIFY_FAILED, 0, 0, r);
	}
}

/* Start waiting jobs, round-robin over peers, within the limits. */
static void
notify_dispatch(struct notify *n)
{
	struct notify_peer *p;
	int progress = 1;

	while (progress && n->inflight < n->o.max_inflight) {
		progress = 0;
		for (p = n->peers; p != NULL &&
		    n->inflight < n->o.max_inflight; p = p->next) {
			if (p->head == NULL || p->inflight >=
			    (notify_peer_dead(p) ? NOTIFY_DEAD_MAX :
			    NOTIFY_PEER_MAX))
				continue;
			notify_start(p->head);
			progress = 1;
		}
	}
}

static struct notify_job *
notify_find(struct notify_job *list, const uint8_t *zone)
{
	for (; list != NULL; list = list->next)
		if (dname_equal(list->zone, zone))
			return list;
	return NULL;
}

static int
notify_one(struct notify *n, const uint8_t *zone, int64_t tag, uint32_t ttl,
    const uint8_t *soa, size_t soalen, const struct notify_target *t,
    int retries)
{
	struct notify_peer *p;
	struct notify_job *j;
	uint32_t serial;
	int len;

	if ((p = notify_peer_get(n, t)) == NULL)
		return HP_ENOMEM;
	if ((j = notify_find(p->head, zone)) == NULL &&
	    (j = notify_find(p->flying, zone)) == NULL) {
		if ((j = calloc(1, sizeof(*j))) == NULL)
			return HP_ENOMEM;
		j->n = n;
		j->peer = p;
		tsig_ctx_init(&j->tsig, NULL, 0);
		if ((j->timer = evtimer_new(n->base, notify_timeout, j)) ==
		    NULL) {
			free(j);
			return HP_ENOMEM;
		}
		len = dname_wire_len(zone, DNAME_MAXLEN);
		memcpy(j->zone, zone, (size_t)len);
		if (dname_to_str(zone, j->zone_str, sizeof(j->zone_str)) < 0)
			snprintf(j->zone_str, sizeof(j->zone_str), "?");
		j->prev = p->tail;
		if (p->tail != NULL)
			p->tail->next = j;
		else
			p->head = j;
		p->tail = j;
		n->pending++;
	}
	/* New or replaced: this serial, retries counted afresh; a job in
	 * flight reports the first send of its new serial. */
	j->tag = tag;
	j->ttl = ttl;
	serial = j->serial;
	(void)serial_soa_get(soa, soalen, &j->serial);
	if (j->tries > 0 && j->serial != serial) {
		j->announce = 1;
		j->bad_tsig = 0;
	}
	memcpy(j->soa, soa, soalen);
	j->soalen = soalen;
	j->retries = retries;
	if (j->tries > 0)
		j->tries = 1;	/* in flight: the next send is a retry */
	return 0;
}

int
notify_zone(struct notify *n, const uint8_t *zone, int64_t tag,
    uint32_t ttl, const uint8_t *soa, size_t soalen,
    const struct notify_target *targets, int nt, int retries)
{
	int i, r = 0;

	if (soalen > 2 * DNAME_MAXLEN + 20 || serial_soa_off(soa, soalen) < 0 ||
	    dname_wire_len(zone, DNAME_MAXLEN) < 0)
		return HP_EINVAL;
	for (i = 0; i < nt && r == 0; i++)
		r = notify_one(n, zone, tag, ttl, soa, soalen, &targets[i],
		    retries < 0 ? 0 : retries);
	notify_dispatch(n);
	return r;
}

int
notify_pending(const struct notify *n)
{
	return n->pending;
}

/* ---- replies ------------------------------------------------------- */

/* Where the answer to J must come from. */
static const void *
notify_peer_addr(const void *p, socklen_t *len)
{
	const struct notify_job *j = p;

	*len = j->peer->t.addrlen;
	return &j->peer->t.addr;
}

static void
notify_read(evutil_socket_t fd, short what, void *arg)
{
	struct idsock *s = arg;
	struct notify_job *j;
	uint8_t buf[4096];
	void *jp;
	ssize_t len;
	int i, r, tr;

	(void)fd;
	(void)what;
	for (i = 0; i < 64; i++) {
		if ((len = idsock_recv(s, buf, sizeof(buf), &jp,
		    notify_peer_addr, 20)) < 0)
			return;
		j = jp;
		r = notify_check_reply(buf, (size_t)len, j->id, j->zone,
		    j->peer->t.key != NULL ? &j->tsig : NULL,
		    (uint64_t)time(NULL), &tr);
		if (r == HP_EMALF)
			continue;
		if (r < 0) {
			/* An acknowledgement we cannot trust: keep waiting
			 * (it may be forged); report it only when nothing
			 * better comes. */
			log_warn("NOTIFY %s to %s: reply failed TSIG: %s",
			    j->zone_str, j->peer->t.label, hp_strerror(r));
			j->bad_tsig = r;
			tsig_ctx_deinit(&j->tsig);
			tsig_ctx_init(&j->tsig, j->peer->t.key, 0);
			continue;
		}
		evtimer_del(j->timer);
		if (r == 0) {
			log_notice("NOTIFY %s serial %u to %s acknowledged",
			    j->zone_str, j->serial, j->peer->t.label);
			notify_finish(j, NOTIFY_ACKED, 0, 0, 0);
			continue;
		}
		/* An error answer ends the job: retrying would only get
		 * the same answer (RFC 1996 4.7 asks for retries of
		 * unanswered NOTIFYs only). */
		notify_finish(j, NOTIFY_FAILED, r, j->peer->t.key != NULL ?
		    j->tsig.error : 0, tr);
	}
}

/* ---- life ---------------------------------------------------------- */

struct notify *
notify_new(struct event_base *base, const struct notify_opts *opts,
    notify_cb cb, void *arg)
{
	struct notify *n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	n->base = base;
	if (opts != NULL)
		n->o = *opts;
	if (n->o.max_inflight <= 0)
		n->o.max_inflight = 256;
	if (n->o.timeout_ms <= 0)
		n->o.timeout_ms = 1000;
	if (n->o.max_timeout_ms < n->o.timeout_ms)
		n->o.max_timeout_ms = n->o.timeout_ms > 8000 ?
		    n->o.timeout_ms : 8000;
	n->cb = cb;
	n->arg = arg;
	return n;
}

void
notify_free(struct notify *n)
{
	struct notify_peer *p;
	struct notify_job *j;

	if (n == NULL)
		return;
	while ((p = n->peers) != NULL) {
		n->peers = p->next;
		while ((j = p->head) != NULL) {
			p->head = j->next;
			notify_job_free(j);
		}
		while ((j = p->flying) != NULL) {
			p->flying = j->next;
			notify_job_free(j);
		}
		tsig_key_clear(&p->key);
		free(p);
	}
	idsock_list_free(&n->socks);
	free(n);
}
