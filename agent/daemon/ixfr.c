/*
 * ixfr.c -- IXFR (RFC 1995) from the journal: the journal's sequences
 * from the client's serial to the current one, built into messages when
 * the query comes. Over XFR_IXFR_MAX octets, when the journal does not
 * reach the client's serial, or holds a record the store's validator
 * refuses, the caller answers AXFR-style (RFC 1995 4).
 *
 * Answers are kept in memory (XFR_IXFR_KEEP of them): after a publish
 * every secondary asks the same IXFR, from the serial before; the first
 * builds it from the journal, the others get its messages patched for
 * their query (ID, RD, the question's case), as AXFR's prepared ones.
 * A kept answer is found by zone, version and client serial, so a new
 * version never gets an old answer. The zone's row says which version
 * is current: one read of the database per query, or none when the
 * daemon's scan, which runs within milliseconds of every commit (the WAL
 * watch, serve.c), saw the kept answer's version as the zone's last.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/daemon/xfr_int.h"
#include "dns/dname.h"
#include "dns/err.h"
#include "dns/pkt.h"
#include "dns/wire.h"
#include "store/store.h"
#include "store/xfrcache.h"

struct xfr_ixfr {
	struct xfr_answer *a;
	struct pkt_wr w;
	uint8_t *buf;
	size_t cap;
	const struct pkt *q;
	int r;
};

static int
xfr_ixfr_start(struct xfr_ixfr *x)
{
	int r;

	if ((r = pkt_wr_reply(&x->w, x->buf, x->cap, x->q, WIRE_RCODE_NOERROR,
	    x->a->srv->ctab)) < 0)
		return r;
	pkt_wr_set_flags(&x->w, WIRE_FLAG_AA);
	return 0;
}

static int
xfr_ixfr_rr(struct xfr_ixfr *x, const char *owner_text, uint16_t type,
    uint16_t rclass, uint32_t ttl, const uint8_t *rd, uint16_t rdlen)
{
	uint8_t owner[DNAME_MAXLEN];
	int r;

	if (owner_text == NULL)
		owner_text = x->a->zone;
	if (dname_from_str(owner_text, owner, NULL) < 0)
		return HP_EINVALID;
	r = pkt_wr_rr(&x->w, PKT_ANSWER, owner, type, rclass, ttl, rd, rdlen);
	if (r == HP_ESPACE && pkt_wr_count(&x->w, PKT_ANSWER) > 0) {
		if ((r = xfr_push(x->a, x->buf, x->w.len)) < 0 ||
		    (r = xfr_ixfr_start(x)) < 0)
			return r;
		r = pkt_wr_rr(&x->w, PKT_ANSWER, owner, type, rclass, ttl, rd,
		    rdlen);
	}
	if (r == 0 && x->a->bytes > (x->a->ixfr_max ? x->a->ixfr_max :
	    XFR_IXFR_MAX))
		return HP_ETOOBIG;
	return r;
}

static int
xfr_journal_cb(int op, const struct store_rr *rr, void *arg)
{
	struct xfr_ixfr *x = arg;
	char why[400];

	(void)op;
	/* never sent: a journal row of an older database the validator
	 * refuses (the caller answers with the whole zone instead) */
	if (store_check_rr(x->a->zone, rr->owner, strlen(rr->owner), rr->type,
	    rr->rclass, rr->ttl, rr->rdata, rr->rdlen, why, sizeof(why)) < 0) {
		snprintf(x->a->why, sizeof(x->a->why), "%s", why);
		return HP_EINVALID;
	}
	return xfr_ixfr_rr(x, rr->owner, rr->type, rr->rclass, rr->ttl,
	    rr->rdata, rr->rdlen);
}

int
xfr_ixfr(struct xfr_answer *a, const struct pkt *q, uint32_t client,
    const struct store_soa *soa, size_t cap)
{
	struct xfr_ixfr x = { .a = a, .q = q, .cap = cap };
	int r;

	if ((x.buf = malloc(cap)) == NULL)
		return HP_ENOMEM;
	if ((r = xfr_ixfr_start(&x)) < 0 ||
	    (r = xfr_ixfr_rr(&x, NULL, WIRE_TYPE_SOA, WIRE_CLASS_IN, soa->ttl,
	    soa->rdata, soa->rdlen)) < 0 ||
	    (r = store_journal_foreach(a->st, a->zone_id, client,
	    xfr_journal_cb, &x)) < 0 ||
	    (r = xfr_ixfr_rr(&x, NULL, WIRE_TYPE_SOA, WIRE_CLASS_IN, soa->ttl,
	    soa->rdata, soa->rdlen)) < 0)
		goto out;
	r = xfr_push(a, x.buf, x.w.len);
out:
	free(x.buf);
	return r;
}

/* ---- answers kept -------------------------------------------------- */

static struct xfr_ixfr_kept *
xfr_ixfr_find(struct xfr_server *srv, const struct store_zone_info *zi,
    uint32_t client)
{
	struct xfr_ixfr_kept *k;
	int i;

	for (i = 0; i < XFR_IXFR_KEEP; i++) {
		k = &srv->kept[i];
		if (k->buf != NULL && k->zone_id == zi->id &&
		    k->created == zi->created &&
		    k->version_id == zi->version_id &&
		    k->serial == zi->serial && k->client == client)
			return k;
	}
	return NULL;
}

static void
xfr_ixfr_drop(struct xfr_ixfr_kept *k)
{
	free(k->buf);
	free(k->zone);
	memset(k, 0, sizeof(*k));
}

/* ZI, the row of its zone just read: the answers kept for that version
 * are current, those for any other version of a zone of that name not. */
static void
xfr_ixfr_mark(struct xfr_server *srv, const struct store_zone_info *zi)
{
	struct xfr_ixfr_kept *k;
	int i;

	for (i = 0; i < XFR_IXFR_KEEP; i++) {
		k = &srv->kept[i];
		if (k->buf != NULL && strcmp(k->zone, zi->name) == 0)
			k->now = k->zone_id == zi->id &&
			    k->created == zi->created &&
			    k->version_id == zi->version_id &&
			    k->serial == zi->serial;
	}
}

void
xfr_ixfr_keep(struct xfr_answer *a, const struct store_zone_info *zi,
    uint32_t client)
{
	struct xfr_server *srv = a->srv;
	struct xfr_ixfr_kept *k = NULL;
	size_t i, off;
	int j;

	if (a->nmsgs == 0 || a->nmsgs > sizeof(k->lens) / sizeof(k->lens[0]) ||
	    a->bytes > XFR_IXFR_KEEP_MAX || xfr_ixfr_find(srv, zi, client))
		return;
	/* A slot: empty, else one of an older version of this zone, else
	 * the least recently used. */
	for (j = 0; j < XFR_IXFR_KEEP; j++) {
		struct xfr_ixfr_kept *c = &srv->kept[j];

		if (c->buf == NULL || (c->zone_id == zi->id &&
		    c->version_id != zi->version_id)) {
			k = c;
			break;
		}
		if (k == NULL || c->used < k->used)
			k = c;
	}
	xfr_ixfr_drop(k);
	if ((k->buf = malloc(a->bytes)) == NULL ||
	    (k->zone = strdup(zi->name)) == NULL) {
		xfr_ixfr_drop(k);
		return;
	}
	for (i = off = 0; i < a->nmsgs; i++) {
		memcpy(k->buf + off, a->msgs[i], a->lens[i]);
		k->lens[i] = a->lens[i];
		off += a->lens[i];
	}
	k->n = a->nmsgs;
	k->size = off;
	k->zone_id = zi->id;
	k->created = zi->created;
	k->version_id = zi->version_id;
	k->serial = zi->serial;
	k->client = client;
	k->used = ++srv->tick;
	/* read just now: current until a newer read says otherwise */
	xfr_ixfr_mark(srv, zi);
}

/* A gets K's messages, patched for its query, and its zone's id, version
 * and serial: 1, or 0 (none given). */
static int
xfr_ixfr_give(struct xfr_answer *a, struct xfr_ixfr_kept *k)
{
	size_t i, off;

	k->used = ++a->srv->tick;
	for (i = off = 0; i < k->n; i++) {
		if (xfr_push(a, k->buf + off, k->lens[i]) < 0 ||
		    xfr_patch(a, a->msgs[a->nmsgs - 1], k->lens[i]) < 0) {
			xfr_drop_msgs(a);	/* built from the journal */
			return 0;
		}
		off += k->lens[i];
	}
	a->zone_id = k->zone_id;
	a->version_id = k->version_id;
	a->serial = k->serial;
	return 1;
}

int
xfr_ixfr_kept(struct xfr_answer *a, const struct store_zone_info *zi,
    uint32_t client)
{
	struct xfr_ixfr_kept *k;

	xfr_ixfr_mark(a->srv, zi);
	if ((k = xfr_ixfr_find(a->srv, zi, client)) == NULL)
		return 0;
	return xfr_ixfr_give(a, k);
}

int
xfr_ixfr_kept_now(struct xfr_answer *a, uint32_t client)
{
	struct xfr_server *srv = a->srv;
	struct xfr_ixfr_kept *k;
	int i;

	if (srv->settled == NULL || !srv->settled(srv->settled_arg))
		return 0;
	for (i = 0; i < XFR_IXFR_KEEP; i++) {
		k = &srv->kept[i];
		if (k->buf == NULL || !k->now || k->client != client ||
		    strcmp(k->zone, a->zone) != 0)
			continue;
		return xfr_ixfr_give(a, k);
	}
	return 0;
}

void
xfr_server_seen_begin(struct xfr_server *srv)
{
	int i;

	for (i = 0; i < XFR_IXFR_KEEP; i++)
		srv->kept[i].now = 0;
}

void
xfr_server_set_settled(struct xfr_server *srv, int (*settled)(void *),
    void *arg)
{
	srv->settled = settled;
	srv->settled_arg = arg;
}

void
xfr_server_seen(struct xfr_server *srv, const struct store_zone_info *zi)
{
	xfr_ixfr_mark(srv, zi);
}

void
xfr_ixfr_forget(struct xfr_server *srv)
{
	int i;

	for (i = 0; i < XFR_IXFR_KEEP; i++)
		xfr_ixfr_drop(&srv->kept[i]);
}

void
xfr_ixfr_prepare(struct xfr_server *srv, struct store *st,
    const struct store_zone_info *zi, const struct store_soa *soa)
{
	struct xfr_answer a;
	struct pkt q;
	uint32_t prev;

	if (store_version_prev(st, zi->version_id, &prev) < 0)
		return;
	/* Kept already (prepared when the scan first saw the version, and
	 * asked again at its announce): current, not built twice. */
	if (xfr_ixfr_find(srv, zi, prev) != NULL) {
		xfr_ixfr_mark(srv, zi);
		return;
	}
	/* The answer to "IXFR from the previous serial", ID 0: patched for
	 * each query that gets it. */
	memset(&a, 0, sizeof(a));
	memset(&q, 0, sizeof(q));
	a.srv = srv;
	a.st = st;
	a.zone_id = zi->id;
	/* no more than what is kept: a larger one is built when asked */
	a.ixfr_max = XFR_IXFR_KEEP_MAX;
	snprintf(a.zone, sizeof(a.zone), "%s", zi->name);
	if (dname_from_str(zi->name, q.qname, &q.qname_len) < 0)
		return;
	q.qtype = WIRE_TYPE_IXFR;
	q.qclass = WIRE_CLASS_IN;
	if (xfr_ixfr(&a, &q, prev, soa, XFRC_MSG_MAX) == 0)
		xfr_ixfr_keep(&a, zi, prev);
	xfr_drop_msgs(&a);
	free(a.msgs);
	free(a.lens);
}
