/*
 * refresh.c -- signatures re-made before they expire, and those of a key
 * that stopped signing replaced, a batch at a time (zone.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "signer/rrsig.h"
#include "signer/sign_int.h"
#include "signer/zone.h"

/* An RRset to re-sign: owner and type, from one of its RRSIGs. */
struct target {
	const uint8_t *owner;
	uint16_t type;
};

static int
has_target(const struct target *t, size_t n, const struct sign_rr *sig,
    uint16_t covered)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].type == covered && dname_equal(t[i].owner, sig->owner))
			return 1;
	return 0;
}

/* A published key that signs nothing now: its signatures are replaced. */
static int
retired(const struct sign_ctx *c, const struct keys_state *k)
{
	return k->active != 0 && k->active <= c->now &&
	    !keys_signs_zone(k, c->now) &&
	    !keys_signs_dnskey(k, c->now);
}

/* Candidate RRSIGs, most urgent first: expiring, then of retired keys. */
static int
candidates(struct sign_ctx *c, const struct zview *v, size_t max,
    struct sign_rrs *q)
{
	size_t i;
	int ret;

	if ((ret = v->ops->rrsigs_expiring(v->ctx, c->now +
	    c->p->rrsig_refresh, max, q)) < 0)
		return ret;
	for (i = 0; i < c->keys.n && q->n < max; i++)
		if (retired(c, &c->keys.st[i]) &&
		    (ret = v->ops->rrsigs_by_key(v->ctx, c->keys.st[i].keytag,
		    c->keys.st[i].algorithm, max - q->n, q)) < 0)
			return ret;
	return 0;
}

/* Re-sign the RRset T: its old RRSIGs out, new ones in. */
static int
resign(struct sign_ctx *c, const struct zview *v, const struct target *t,
    struct sign_result *out)
{
	struct rrsig_info ri;
	struct sign_rrs set, sigs;
	size_t i, n = 0;
	int ret;

	sign_rrs_init(&set);
	sign_rrs_init(&sigs);
	if (sign_type_generated(t->type))
		ret = v->ops->signed_at(v->ctx, t->owner, t->type, &set);
	else
		ret = v->ops->unsigned_at(v->ctx, t->owner, &set);
	if (ret == 0)
		ret = v->ops->signed_at(v->ctx, t->owner, SIGN_T_RRSIG, &sigs);
	for (i = 0; ret == 0 && i < sigs.n; i++)
		if (rrsig_parse(sigs.rr[i].rdata, sigs.rr[i].rdlen, &ri) == 0 &&
		    ri.covered == t->type)
			ret = sign_rrs_add_rr(&out->removed, &sigs.rr[i]);
	if (ret == 0 && (ret = sign_set_room(c, set.n)) == 0) {
		for (i = 0; i < set.n; i++)
			if (set.rr[i].type == t->type)
				c->set[n++] = &set.rr[i];
		ret = sign_rrset(c, c->set, n, &out->added);
	}
	sign_rrs_free(&set);
	sign_rrs_free(&sigs);
	return ret;
}

int
sign_zone_refresh(struct sign_ctx *c, const struct zview *v,
    size_t max_rrsets, struct sign_result *out)
{
	struct rrsig_info ri;
	struct target *t = NULL;
	struct sign_rrs q;
	size_t i, nt = 0, want;
	int ret;

	c->buf.signatures = 0;
	sign_rrs_init(&q);
	/* several RRSIGs per RRset (KSK and ZSK, two keys in a roll) */
	want = (max_rrsets + 1) * (c->keys.n + 1);
	if ((ret = candidates(c, v, want, &q)) < 0)
		goto out;
	if ((t = calloc(max_rrsets + 1, sizeof(*t))) == NULL) {
		ret = HP_ENOMEM;
		goto out;
	}
	out->pending = 0;
	for (i = 0; i < q.n; i++) {
		if (rrsig_parse(q.rr[i].rdata, q.rr[i].rdlen, &ri) < 0 ||
		    has_target(t, nt, &q.rr[i], ri.covered))
			continue;
		if (nt == max_rrsets) {
			out->pending++;
			continue;
		}
		t[nt].owner = q.rr[i].owner;
		t[nt++].type = ri.covered;
	}
	for (i = 0; i < nt && ret == 0; i++)
		ret = resign(c, v, &t[i], out);
	if (ret == 0)
		sign_rrs_unique(&out->removed);
out:
	out->signatures = c->buf.signatures;
	free(t);
	sign_rrs_free(&q);
	return ret;
}

int
sign_zone_next_refresh(struct sign_ctx *c, const struct zview *v,
    int64_t *when)
{
	struct rrsig_info ri;
	struct sign_rrs q;
	size_t i;
	int64_t due;
	int ret = 0;

	*when = 0;
	sign_rrs_init(&q);
	for (i = 0; i < c->keys.n && ret == 0 && q.n == 0; i++)
		if (retired(c, &c->keys.st[i]))
			ret = v->ops->rrsigs_by_key(v->ctx,
			    c->keys.st[i].keytag, c->keys.st[i].algorithm, 1,
			    &q);
	if (ret == 0 && q.n > 0) {
		*when = c->now;
		goto out;
	}
	if (ret < 0 || (ret = v->ops->rrsigs_expiring(v->ctx, INT64_MAX, 1,
	    &q)) < 0 || q.n == 0)
		goto out;
	if ((ret = rrsig_parse(q.rr[0].rdata, q.rr[0].rdlen, &ri)) < 0)
		goto out;
	due = (int64_t)ri.expiration - c->p->rrsig_refresh;
	*when = due > c->now ? due : c->now;
out:
	sign_rrs_free(&q);
	return ret;
}
