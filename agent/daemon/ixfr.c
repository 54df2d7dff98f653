/*
 * ixfr.c -- IXFR (RFC 1995) from the journal: the journal's sequences
 * from the client's serial to the current one, built into messages when
 * the query comes. Over XFR_IXFR_MAX octets, when the journal does not
 * reach the client's serial, or holds a record the store's validator
 * refuses, the caller answers AXFR-style (RFC 1995 4).
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
	if (r == 0 && x->a->bytes > XFR_IXFR_MAX)
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
