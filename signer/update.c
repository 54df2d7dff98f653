/*
 * update.c -- incremental signing and signature refresh (zone.h).
 *
 * sign_zone_update() works on an overlay: the names the change touches,
 * each with its unsigned RRs before and after, plus the names whose
 * status follows from them (the subtree of a name that gains or loses a
 * zone cut; for NSEC3, the ancestors that may become or stop being empty
 * non-terminals). Everything else is asked of the view, which shows the
 * zone before the change. Then:
 *  1. each RRset of an overlay name whose content or signability changed
 *     loses its old RRSIGs and, if it is to be signed, gets new ones;
 *  2. the apex key records (DNSKEY, CDS, CDNSKEY, NSEC3PARAM) are made
 *     what the keys ask for at NOW, and re-signed if their signers moved;
 *  3. the chain: every overlay name in the new chain, and the new-chain
 *     predecessor of every name that enters or leaves it, gets the
 *     NSEC/NSEC3 it should have; it is replaced only if it differs.
 *     Predecessor and successor in the new chain are the view's nearest
 *     chain owners, skipping those that leave, merged with those that
 *     enter;
 *  4. RRSIGs of keys that left the DNSKEY RRset are removed.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/wire.h"
#include "signer/canon.h"
#include "signer/nsec.h"
#include "signer/nsec3.h"
#include "signer/sign_int.h"
#include "signer/zone.h"

/* One overlay name. RR ranges index u->rrs. */
struct ov {
	const uint8_t *name;
	const uint8_t *key;
	uint16_t keylen;
	uint8_t old_st, new_st;
	uint8_t in_old, in_new;
	uint32_t old_first, old_n;
	uint32_t new_first, new_n;
	const uint8_t *cname;		/* chain owner: NAME, or hashed */
	const uint8_t *ckey;
	uint16_t ckeylen;
};

/* Memo of "has NS" for names outside the overlay. */
struct nsmemo {
	const uint8_t *key;
	uint16_t keylen;
	uint8_t has_ns;
};

struct upd {
	struct sign_ctx *c;
	const struct zview *v;
	struct sign_result *out;
	struct ov *ov;
	size_t n, cap, nsorted;
	struct sign_rrs rrs;		/* old and new RRs of overlay names */
	struct sign_rrs apex;		/* the apex records wanted now */
	struct nsmemo *memo;
	size_t nmemo, memocap;
	uint16_t chain_type;
	uint32_t chain_ttl;
	size_t *ins, nins;		/* overlay names entering the chain */
	size_t *dels, ndels;		/* ... and leaving it, by chain key */
};

/* A change record with its owner's key. */
struct chg {
	const struct sign_rr *rr;
	const uint8_t *key;
	uint16_t keylen;
	uint8_t add;
};

static int
key_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}

static int
is_below(const uint8_t *key, size_t klen, const uint8_t *a, size_t alen)
{
	return klen > alen && memcmp(key, a, alen) == 0;
}

static int
rr_same(const struct sign_rr *a, const struct sign_rr *b)
{
	return a->type == b->type && a->rclass == b->rclass &&
	    a->rdlen == b->rdlen && (a->rdlen == 0 ||
	    memcmp(a->rdata, b->rdata, a->rdlen) == 0);
}

static int
copy_key(struct upd *u, const uint8_t *name, const uint8_t **key,
    uint16_t *klen, const uint8_t **namecopy)
{
	uint8_t k[CANON_KEY_MAX], *p;
	size_t len = canon_key(name, k);
	int nlen = dname_wire_len(name, DNAME_MAXLEN);

	if (nlen < 0)
		return HP_EMALF;
	if ((p = sign_rrs_alloc(&u->c->tmp, len + (size_t)nlen)) == NULL)
		return HP_ENOMEM;
	memcpy(p, k, len);
	memcpy(p + len, name, (size_t)nlen);
	*key = p;
	*klen = (uint16_t)len;
	if (namecopy != NULL)
		*namecopy = p + len;
	return 0;
}

/* ---- the overlay ---- */

static struct ov *
ov_find(struct upd *u, const uint8_t *key, size_t klen)
{
	size_t lo = 0, hi = u->nsorted, mid, i;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = canon_cmp(u->ov[mid].key, u->ov[mid].keylen, key, klen);
		if (c == 0)
			return &u->ov[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = u->nsorted; i < u->n; i++)
		if (key_eq(u->ov[i].key, u->ov[i].keylen, key, klen))
			return &u->ov[i];
	return NULL;
}

static int
ov_cmp(const void *a, const void *b)
{
	const struct ov *x = a, *y = b;

	return canon_cmp(x->key, x->keylen, y->key, y->keylen);
}

static void
ov_sort(struct upd *u)
{
	qsort(u->ov, u->n, sizeof(*u->ov), ov_cmp);
	u->nsorted = u->n;
}

/* Add NAME to the overlay with its RRs from the view, unchanged. */
static int
ov_add(struct upd *u, const uint8_t *name, struct ov **out)
{
	struct sign_rrs q;
	struct ov *o;
	size_t i;
	int ret;

	if (sign_grow(&u->ov, &u->cap, u->n + 1, sizeof(*u->ov), 64) < 0)
		return HP_ENOMEM;
	o = &u->ov[u->n];
	memset(o, 0, sizeof(*o));
	if ((ret = copy_key(u, name, &o->key, &o->keylen, &o->name)) < 0)
		return ret;
	sign_rrs_init(&q);
	if ((ret = u->v->ops->unsigned_at(u->v->ctx, name, &q)) < 0) {
		sign_rrs_free(&q);
		return ret;
	}
	o->old_first = o->new_first = (uint32_t)u->rrs.n;
	o->old_n = o->new_n = (uint32_t)q.n;
	for (i = 0; i < q.n && ret == 0; i++)
		ret = sign_rrs_add_rr(&u->rrs, &q.rr[i]);
	sign_rrs_free(&q);
	if (ret < 0)
		return ret;
	u->n++;
	*out = o;
	return 0;
}

static int
chg_cmp(const void *a, const void *b)
{
	const struct chg *x = a, *y = b;

	return canon_cmp(x->key, x->keylen, y->key, y->keylen);
}

/* The new RRs of O: the old ones minus CH's removals plus its additions. */
static int
ov_change(struct upd *u, struct ov *o, const struct chg *ch, size_t n)
{
	char text[DNAME_MAXSTR];
	unsigned char *gone;
	size_t i, j, first = u->rrs.n;
	int ret = 0, found;

	if ((gone = calloc(o->old_n + 1, 1)) == NULL)
		return HP_ENOMEM;
	for (i = 0; i < n; i++) {
		if (ch[i].add)
			continue;
		found = 0;
		for (j = 0; j < o->old_n && !found; j++)
			if (!gone[j] && rr_same(&u->rrs.rr[o->old_first + j],
			    ch[i].rr)) {
				gone[j] = 1;
				found = 1;
			}
		if (!found) {
			free(gone);
			return sign_fail(u->c, HP_EINVALID, "%s type %u: the "
			    "record to remove is not in the zone",
			    sign_name_str(ch[i].rr->owner, text),
			    ch[i].rr->type);
		}
	}
	for (j = 0; j < o->old_n && ret == 0; j++)
		if (!gone[j])
			ret = sign_rrs_add_rr(&u->rrs,
			    &u->rrs.rr[o->old_first + j]);
	for (i = 0; i < n && ret == 0; i++) {
		if (!ch[i].add)
			continue;
		/* an RR already there: a new TTL replaces the old */
		for (j = first; j < u->rrs.n; j++)
			if (rr_same(&u->rrs.rr[j], ch[i].rr))
				break;
		if (j < u->rrs.n)
			u->rrs.rr[j].ttl = ch[i].rr->ttl;
		else
			ret = sign_rrs_add_rr(&u->rrs, ch[i].rr);
	}
	free(gone);
	o->new_first = (uint32_t)first;
	o->new_n = (uint32_t)(u->rrs.n - first);
	return ret;
}

/* Overlay entries for the names of the change, sorted. */
static int
ov_from_changes(struct upd *u, const struct sign_rr *del, size_t ndel,
    const struct sign_rr *add, size_t nadd)
{
	char text[DNAME_MAXSTR];
	struct chg *ch;
	struct ov *o;
	size_t i, j, n = ndel + nadd;
	int ret = 0;

	if ((ch = calloc(n + 1, sizeof(*ch))) == NULL)
		return HP_ENOMEM;
	for (i = 0; i < n && ret == 0; i++) {
		ch[i].add = i >= ndel;
		ch[i].rr = i < ndel ? &del[i] : &add[i - ndel];
		if (ch[i].add)
			ret = sign_check_rr(u->c, ch[i].rr);
		else if (sign_type_generated(ch[i].rr->type))
			ret = sign_fail(u->c, HP_EINVALID, "%s type %u: "
			    "generated records cannot be removed by hand",
			    sign_name_str(ch[i].rr->owner, text),
			    ch[i].rr->type);
		if (ret == 0)
			ret = copy_key(u, ch[i].rr->owner, &ch[i].key,
			    &ch[i].keylen, NULL);
	}
	if (ret == 0)
		qsort(ch, n, sizeof(*ch), chg_cmp);
	for (i = 0; i < n && ret == 0; i = j) {
		for (j = i; j < n && key_eq(ch[j].key, ch[j].keylen,
		    ch[i].key, ch[i].keylen); j++)
			;
		if ((ret = ov_add(u, ch[i].rr->owner, &o)) == 0)
			ret = ov_change(u, o, ch + i, j - i);
	}
	free(ch);
	if (ret == 0)
		ov_sort(u);
	return ret;
}

/* ---- status of names ---- */

static int
range_has(const struct upd *u, uint32_t first, uint32_t n, uint16_t type)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (u->rrs.rr[first + i].type == type)
			return 1;
	return 0;
}

static int
has_ns(struct upd *u, const uint8_t *name, int new_state, int *out)
{
	uint8_t key[CANON_KEY_MAX];
	size_t klen = canon_key(name, key), i;
	struct nsmemo *nm;
	struct sign_rrs q;
	struct ov *o;
	int ret;

	if ((o = ov_find(u, key, klen)) != NULL) {
		*out = new_state ? range_has(u, o->new_first, o->new_n,
		    WIRE_TYPE_NS) : range_has(u, o->old_first, o->old_n,
		    WIRE_TYPE_NS);
		return 0;
	}
	for (i = 0; i < u->nmemo; i++)
		if (key_eq(u->memo[i].key, u->memo[i].keylen, key, klen)) {
			*out = u->memo[i].has_ns;
			return 0;
		}
	sign_rrs_init(&q);
	ret = u->v->ops->unsigned_at(u->v->ctx, name, &q);
	*out = 0;
	for (i = 0; ret == 0 && i < q.n; i++)
		if (q.rr[i].type == WIRE_TYPE_NS)
			*out = 1;
	sign_rrs_free(&q);
	if (ret < 0)
		return ret;
	if (sign_grow(&u->memo, &u->memocap, u->nmemo + 1, sizeof(*u->memo),
	    32) < 0)
		return HP_ENOMEM;
	nm = &u->memo[u->nmemo];
	if ((ret = copy_key(u, name, &nm->key, &nm->keylen, NULL)) < 0)
		return ret;
	nm->has_ns = (uint8_t)*out;
	u->nmemo++;
	return 0;
}

/* Is there a zone cut strictly between the apex and NAME? */
static int
cut_above(struct upd *u, const uint8_t *name, int new_state, int *out)
{
	const uint8_t *anc = name;
	int depth = dname_labels(name) - dname_labels(u->c->apex), ns, ret;

	*out = 0;
	for (; depth > 1; depth--) {
		anc += *anc + 1;
		if ((ret = has_ns(u, anc, new_state, &ns)) < 0)
			return ret;
		if (ns) {
			*out = 1;
			return 0;
		}
	}
	return 0;
}

static int
status_of(struct upd *u, const struct ov *o, int new_state, uint8_t *st)
{
	uint32_t first = new_state ? o->new_first : o->old_first;
	uint32_t n = new_state ? o->new_n : o->old_n;
	int cut, ret;

	if (key_eq(o->key, o->keylen, u->c->apexkey, u->c->apexkeylen)) {
		*st = SIGN_ST_APEX;
		return 0;
	}
	if ((ret = cut_above(u, o->name, new_state, &cut)) < 0)
		return ret;
	if (cut)
		*st = SIGN_ST_OCCLUDED;
	else if (range_has(u, first, n, WIRE_TYPE_NS))
		*st = SIGN_ST_DELEG;
	else
		*st = n > 0 ? SIGN_ST_AUTH : SIGN_ST_ABSENT;
	return 0;
}

/* A name that gains or loses a zone cut: its whole subtree changes
 * status; bring it into the overlay. */
static int
add_subtrees(struct upd *u)
{
	uint8_t x[DNAME_MAXLEN], nx[DNAME_MAXLEN], key[CANON_KEY_MAX];
	size_t i, n = u->n, klen;
	struct ov *o;
	int ret, old_ns, new_ns;

	for (i = 0; i < n; i++) {
		o = &u->ov[i];
		old_ns = range_has(u, o->old_first, o->old_n, WIRE_TYPE_NS);
		new_ns = range_has(u, o->new_first, o->new_n, WIRE_TYPE_NS);
		if (old_ns == new_ns || key_eq(o->key, o->keylen,
		    u->c->apexkey, u->c->apexkeylen))
			continue;
		memcpy(x, o->name, (size_t)dname_wire_len(o->name,
		    DNAME_MAXLEN));
		for (;;) {
			ret = u->v->ops->unsigned_next(u->v->ctx, x, nx);
			if (ret == HP_ENOENT)
				break;
			if (ret < 0)
				return ret;
			klen = canon_key(nx, key);
			/* u->ov may move: re-read the subtree root's key */
			if (!is_below(key, klen, u->ov[i].key, u->ov[i].keylen))
				break;
			if (ov_find(u, key, klen) == NULL &&
			    (ret = ov_add(u, nx, &o)) < 0)
				return ret;
			memcpy(x, nx, (size_t)dname_wire_len(nx, DNAME_MAXLEN));
		}
	}
	ov_sort(u);
	return 0;
}

/* NSEC3: the ancestors of overlay names may become or stop being empty
 * non-terminals; bring them into the overlay. */
static int
add_ancestors(struct upd *u)
{
	uint8_t key[CANON_KEY_MAX];
	const uint8_t *anc;
	size_t i, n = u->n, klen;
	struct ov *o;
	int depth, ret;

	for (i = 0; i < n; i++) {
		anc = u->ov[i].name;
		depth = dname_labels(anc) - dname_labels(u->c->apex);
		for (; depth > 1; depth--) {
			anc += *anc + 1;
			klen = canon_key(anc, key);
			if (ov_find(u, key, klen) != NULL)
				continue;
			if ((ret = ov_add(u, anc, &o)) < 0)
				return ret;
		}
	}
	ov_sort(u);
	return 0;
}

/* The first name with unsigned RRs after O in the new state: does it lie
 * below O? (Then O, without RRs of its own, is an empty non-terminal.) */
static int
has_desc_new(struct upd *u, size_t at, int *out)
{
	const struct ov *o = &u->ov[at], *f;
	uint8_t x[DNAME_MAXLEN], nx[DNAME_MAXLEN], key[CANON_KEY_MAX];
	size_t i, klen;
	int ret;

	*out = 0;
	/* the overlay side: the next overlay name with RRs */
	for (i = at + 1; i < u->n; i++)
		if (u->ov[i].new_n > 0)
			break;
	if (i < u->n && is_below(u->ov[i].key, u->ov[i].keylen, o->key,
	    o->keylen)) {
		*out = 1;
		return 0;
	}
	/* the view side, skipping names the change empties */
	memcpy(x, o->name, (size_t)dname_wire_len(o->name, DNAME_MAXLEN));
	for (;;) {
		ret = u->v->ops->unsigned_next(u->v->ctx, x, nx);
		if (ret == HP_ENOENT)
			return 0;
		if (ret < 0)
			return ret;
		klen = canon_key(nx, key);
		if (!is_below(key, klen, o->key, o->keylen))
			return 0;
		if ((f = ov_find(u, key, klen)) == NULL || f->new_n > 0) {
			*out = 1;
			return 0;
		}
		memcpy(x, nx, (size_t)dname_wire_len(nx, DNAME_MAXLEN));
	}
}

static int
view_has(struct upd *u, const uint8_t *owner, uint16_t type, int *out)
{
	struct sign_rrs q;
	int ret;

	sign_rrs_init(&q);
	ret = u->v->ops->signed_at(u->v->ctx, owner, type, &q);
	*out = q.n > 0;
	sign_rrs_free(&q);
	return ret;
}

/* Statuses, chain owners and chain membership of every overlay name. */
static int
ov_classify(struct upd *u)
{
	uint8_t hash[NSEC3_HASH_LEN], owner[DNAME_MAXLEN];
	struct ov *o;
	size_t i;
	int ret, desc, in;

	for (i = 0; i < u->n; i++) {
		o = &u->ov[i];
		if ((ret = status_of(u, o, 0, &o->old_st)) < 0 ||
		    (ret = status_of(u, o, 1, &o->new_st)) < 0)
			return ret;
		o->in_new = o->new_st == SIGN_ST_APEX ||
		    o->new_st == SIGN_ST_AUTH || o->new_st == SIGN_ST_DELEG;
		if (u->c->p->nsec3) {
			if ((ret = nsec3_hash(&u->c->n3, o->name, hash)) < 0 ||
			    (ret = nsec3_owner(hash, u->c->apex, owner)) < 0 ||
			    (ret = copy_key(u, owner, &o->ckey, &o->ckeylen,
			    &o->cname)) < 0)
				return ret;
			if (!o->in_new && o->new_st == SIGN_ST_ABSENT) {
				if ((ret = has_desc_new(u, i, &desc)) < 0)
					return ret;
				o->in_new = (uint8_t)desc;
			}
		} else {
			o->cname = o->name;
			o->ckey = o->key;
			o->ckeylen = o->keylen;
		}
		if ((ret = view_has(u, o->cname, u->chain_type, &in)) < 0)
			return ret;
		o->in_old = (uint8_t)in;
	}
	return 0;
}

/* ---- RRSIGs ---- */

/* Remove from the zone the RRSIGs covering TYPE at OWNER. */
static int
drop_rrsigs(struct upd *u, const uint8_t *owner, uint16_t type)
{
	struct rrsig_info ri;
	struct sign_rrs q;
	size_t i;
	int ret;

	sign_rrs_init(&q);
	ret = u->v->ops->signed_at(u->v->ctx, owner, SIGN_T_RRSIG, &q);
	for (i = 0; ret == 0 && i < q.n; i++)
		if (rrsig_parse(q.rr[i].rdata, q.rr[i].rdlen, &ri) == 0 &&
		    ri.covered == type)
			ret = sign_rrs_add_rr(&u->out->removed, &q.rr[i]);
	sign_rrs_free(&q);
	return ret;
}

static int
signable(int st, uint16_t type)
{
	return st == SIGN_ST_APEX || st == SIGN_ST_AUTH ||
	    (st == SIGN_ST_DELEG && type == SIGN_T_DS);
}

/* The RRs of TYPE in a range, gathered into L (pointers into u->rrs). */
static size_t
gather(struct upd *u, uint32_t first, uint32_t n, uint16_t type,
    const struct sign_rr **l)
{
	size_t k = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		if (u->rrs.rr[first + i].type == type)
			l[k++] = &u->rrs.rr[first + i];
	return k;
}

/* Is R (same TTL) in SET? */
static int
in_set(const struct sign_rr *r, const struct sign_rr *const *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rr_same(r, set[i]) && r->ttl == set[i]->ttl)
			return 1;
	return 0;
}

/* Same RRs and TTLs? */
static int
same_set(const struct sign_rr *const *a, size_t na,
    const struct sign_rr *const *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (!in_set(a[i], b, nb))
			return 0;
	return 1;
}

static int
resign_name(struct upd *u, const struct ov *o)
{
	const struct sign_rr **a = NULL, **b;
	struct nsec_types types;
	size_t na, nb, i;
	int ret = 0, s_old, s_new, changed;

	nsec_types_clear(&types);
	for (i = 0; i < o->old_n && ret == 0; i++)
		ret = nsec_types_add(&types, u->rrs.rr[o->old_first + i].type);
	for (i = 0; i < o->new_n && ret == 0; i++)
		ret = nsec_types_add(&types, u->rrs.rr[o->new_first + i].type);
	if (ret < 0)
		return ret;
	if ((a = malloc((o->old_n + o->new_n + 1) * sizeof(*a))) == NULL)
		return HP_ENOMEM;
	b = a + o->old_n;
	for (i = 0; i < types.n && ret == 0; i++) {
		na = gather(u, o->old_first, o->old_n, types.t[i], a);
		nb = gather(u, o->new_first, o->new_n, types.t[i], b);
		changed = !same_set(a, na, b, nb);
		s_old = na > 0 && signable(o->old_st, types.t[i]);
		s_new = nb > 0 && signable(o->new_st, types.t[i]);
		if (s_old && (changed || !s_new))
			ret = drop_rrsigs(u, o->name, types.t[i]);
		if (ret == 0 && s_new && (changed || !s_old))
			ret = sign_rrset(u->c, b, nb, &u->out->added);
	}
	free(a);
	return ret;
}

/* The keytags of the RRSIGs covering TYPE at the apex match SIGNERS? */
static int
signers_match(struct upd *u, uint16_t type, const struct rrsig_signer *s,
    size_t ns, int *out)
{
	struct rrsig_info ri;
	struct sign_rrs q;
	size_t i, j, seen = 0;
	int ret;

	sign_rrs_init(&q);
	ret = u->v->ops->signed_at(u->v->ctx, u->c->apex, SIGN_T_RRSIG, &q);
	*out = 1;
	for (i = 0; ret == 0 && i < q.n; i++) {
		if (rrsig_parse(q.rr[i].rdata, q.rr[i].rdlen, &ri) < 0 ||
		    ri.covered != type)
			continue;
		for (j = 0; j < ns; j++)
			if (s[j].st->keytag == ri.keytag &&
			    s[j].st->algorithm == ri.algorithm)
				break;
		if (j == ns)
			*out = 0;	/* a signer that should not sign */
		else
			seen++;
	}
	if (seen < ns)
		*out = 0;
	sign_rrs_free(&q);
	return ret;
}

/* DNSKEY, CDS, CDNSKEY, NSEC3PARAM: what the keys ask for now. */
static int
apex_sync(struct upd *u)
{
	static const uint16_t types[] = { SIGN_T_DNSKEY, SIGN_T_CDS,
	    SIGN_T_CDNSKEY, SIGN_T_NSEC3PARAM };
	const struct sign_rr **a = NULL, **b;
	struct sign_rrs q;
	size_t t, i, na, nb;
	int ret = 0, match, changed;

	for (t = 0; t < sizeof(types) / sizeof(types[0]) && ret == 0; t++) {
		sign_rrs_init(&q);
		if ((ret = u->v->ops->signed_at(u->v->ctx, u->c->apex,
		    types[t], &q)) < 0)
			goto next;
		if ((a = malloc((q.n + u->apex.n + 1) * sizeof(*a))) == NULL) {
			ret = HP_ENOMEM;
			goto next;
		}
		b = a + q.n;
		for (i = na = 0; i < q.n; i++)
			a[na++] = &q.rr[i];
		for (i = nb = 0; i < u->apex.n; i++)
			if (u->apex.rr[i].type == types[t])
				b[nb++] = &u->apex.rr[i];
		changed = !same_set(a, na, b, nb);
		match = 1;
		if (!changed && nb > 0) {
			if (sign_keyset_type(types[t]))
				ret = signers_match(u, types[t], u->c->ksig,
				    u->c->nk, &match);
			else
				ret = signers_match(u, types[t], u->c->zsig,
				    u->c->nz, &match);
		}
		if (ret < 0 || (!changed && match))
			goto next;
		/* only what differs: a new key is one DNSKEY more */
		for (i = 0; changed && i < na && ret == 0; i++)
			if (!in_set(a[i], b, nb))
				ret = sign_rrs_add_rr(&u->out->removed, a[i]);
		for (i = 0; changed && i < nb && ret == 0; i++)
			if (!in_set(b[i], a, na))
				ret = sign_rrs_add_rr(&u->out->added, b[i]);
		if (ret == 0)
			ret = drop_rrsigs(u, u->c->apex, types[t]);
		if (ret == 0 && nb > 0)
			ret = sign_rrset(u->c, b, nb, &u->out->added);
next:
		free(a);
		a = NULL;
		sign_rrs_free(&q);
	}
	return ret;
}

/* ---- the chain ---- */

static int
ckey_cmp_idx(struct upd *u, size_t i, const uint8_t *key, size_t klen)
{
	return canon_cmp(u->ov[i].ckey, u->ov[i].ckeylen, key, klen);
}

static struct upd *sort_upd;	/* qsort has no context argument */

static int
idx_cmp(const void *a, const void *b)
{
	const struct ov *x = &sort_upd->ov[*(const size_t *)a];
	const struct ov *y = &sort_upd->ov[*(const size_t *)b];

	return canon_cmp(x->ckey, x->ckeylen, y->ckey, y->ckeylen);
}

static int
is_leaving(struct upd *u, const uint8_t *key, size_t klen)
{
	size_t lo = 0, hi = u->ndels, mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = ckey_cmp_idx(u, u->dels[mid], key, klen);
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/*
 * The chain owner nearest to NAME (key KEY) in the new chain, before it
 * (DIR < 0) or after it (DIR > 0), wrapping around; into OUT. NAME NULL
 * starts from the end (the last or first owner).
 */
static int
chain_near_new(struct upd *u, const uint8_t *name, const uint8_t *key,
    size_t klen, int dir, uint8_t *out)
{
	uint8_t x[DNAME_MAXLEN], nx[DNAME_MAXLEN], vkey[CANON_KEY_MAX];
	const uint8_t *from = name;
	size_t vklen = 0, lo, hi, mid, pick = SIZE_MAX;
	int ret, have_v = 0;

	for (;;) {
		ret = u->v->ops->chain_near(u->v->ctx, u->chain_type, from,
		    dir, nx);
		if (ret == HP_ENOENT)
			break;
		if (ret < 0)
			return ret;
		vklen = canon_key(nx, vkey);
		if (!is_leaving(u, vkey, vklen)) {
			have_v = 1;
			break;
		}
		memcpy(x, nx, (size_t)dname_wire_len(nx, DNAME_MAXLEN));
		from = x;
	}
	/* the entering names: binary search around KEY */
	if (u->nins > 0) {
		lo = 0;
		hi = u->nins;
		while (lo < hi) {
			mid = (lo + hi) / 2;
			if (name != NULL && (dir < 0 ?
			    ckey_cmp_idx(u, u->ins[mid], key, klen) < 0 :
			    ckey_cmp_idx(u, u->ins[mid], key, klen) <= 0))
				lo = mid + 1;
			else
				hi = mid;
		}
		if (name == NULL)
			pick = dir < 0 ? u->nins - 1 : 0;
		else if (dir < 0 && lo > 0)
			pick = lo - 1;
		else if (dir > 0 && lo < u->nins)
			pick = lo;
	}
	if (pick != SIZE_MAX) {
		const struct ov *o = &u->ov[u->ins[pick]];
		int c = have_v ? canon_cmp(o->ckey, o->ckeylen, vkey,
		    vklen) : 0;

		if (!have_v || (dir < 0 ? c > 0 : c < 0)) {
			memcpy(out, o->cname, (size_t)dname_wire_len(o->cname,
			    DNAME_MAXLEN));
			return 0;
		}
	}
	if (have_v) {
		memcpy(out, nx, (size_t)dname_wire_len(nx, DNAME_MAXLEN));
		return 0;
	}
	if (name == NULL)
		return HP_ENOENT;	/* an empty chain */
	return chain_near_new(u, NULL, NULL, 0, dir, out);
}

/* The chain record NAME should have, given its types BM, into RR. */
static int
chain_record(struct upd *u, const uint8_t *name, const struct nsec_types *bm,
    uint8_t *rd, struct sign_rr *rr)
{
	uint8_t next[DNAME_MAXLEN], nhash[NSEC3_HASH_LEN];
	uint8_t key[CANON_KEY_MAX];
	size_t klen = canon_key(name, key), len;
	int ret;

	if ((ret = chain_near_new(u, name, key, klen, 1, next)) < 0)
		return ret;
	if (u->c->p->nsec3) {
		if ((ret = nsec3_owner_hash(next, nhash)) < 0)
			return ret;
		len = nsec3_rdata(&u->c->n3, nhash, bm, rd);
	} else
		len = nsec_rdata(next, bm, rd);
	rr->owner = name;
	rr->rdata = rd;
	rr->rdlen = (uint16_t)len;
	rr->ttl = u->chain_ttl;
	rr->type = u->chain_type;
	rr->rclass = WIRE_CLASS_IN;
	return 0;
}

/* The types listed for overlay name O in the new state. */
static int
ov_bitmap(struct upd *u, const struct ov *o, struct nsec_types *bm)
{
	struct nsec_types types;
	size_t i;
	int ret = 0;

	nsec_types_clear(&types);
	for (i = 0; i < o->new_n && ret == 0; i++)
		ret = nsec_types_add(&types, u->rrs.rr[o->new_first + i].type);
	if (o->new_st == SIGN_ST_APEX)
		for (i = 0; i < u->apex.n && ret == 0; i++)
			ret = nsec_types_add(&types, u->apex.rr[i].type);
	if (ret < 0)
		return ret;
	return sign_bitmap_types(u->c, o->new_st, &types, bm);
}

/* The types in the existing chain record OLD. */
static int
old_bitmap(struct upd *u, const struct sign_rr *old, struct nsec_types *bm)
{
	struct nsec3_params p;
	uint8_t h[NSEC3_HASH_LEN];
	const uint8_t *next;

	if (u->c->p->nsec3)
		return nsec3_rdata_parse(old->rdata, old->rdlen, &p, h, bm);
	return nsec_rdata_parse(old->rdata, old->rdlen, &next, bm);
}

/* Make chain owner NAME's record right: O is its overlay entry or NULL. */
static int
chain_fix(struct upd *u, const uint8_t *name, const struct ov *o)
{
	uint8_t rd[300 + DNAME_MAXLEN + NSEC_BITMAP_MAX];
	struct nsec_types bm;
	struct sign_rrs q;
	struct sign_rr rr;
	const struct sign_rr *set[1] = { &rr };
	size_t i;
	int ret;

	sign_rrs_init(&q);
	if ((ret = u->v->ops->signed_at(u->v->ctx, name, u->chain_type,
	    &q)) < 0)
		goto out;
	if (o != NULL)
		ret = ov_bitmap(u, o, &bm);
	else if (q.n > 0)
		ret = old_bitmap(u, &q.rr[0], &bm);
	else
		ret = HP_EINVALID;	/* a chain owner without a record */
	if (ret < 0 || (ret = chain_record(u, name, &bm, rd, &rr)) < 0)
		goto out;
	if (q.n == 1 && q.rr[0].ttl == rr.ttl && rr_same(&q.rr[0], &rr))
		goto out;
	for (i = 0; i < q.n && ret == 0; i++)
		ret = sign_rrs_add_rr(&u->out->removed, &q.rr[i]);
	if (ret == 0 && q.n > 0)
		ret = drop_rrsigs(u, name, u->chain_type);
	if (ret == 0)
		ret = sign_rrs_add_rr(&u->out->added, &rr);
	if (ret == 0)
		ret = sign_rrset(u->c, set, 1, &u->out->added);
out:
	sign_rrs_free(&q);
	return ret;
}

static int
chain_drop(struct upd *u, const uint8_t *name)
{
	struct sign_rrs q;
	size_t i;
	int ret;

	sign_rrs_init(&q);
	ret = u->v->ops->signed_at(u->v->ctx, name, u->chain_type, &q);
	for (i = 0; i < q.n && ret == 0; i++)
		ret = sign_rrs_add_rr(&u->out->removed, &q.rr[i]);
	sign_rrs_free(&q);
	if (ret == 0)
		ret = drop_rrsigs(u, name, u->chain_type);
	return ret;
}

/* A chain owner whose record must be recomputed, and its overlay entry. */
struct fix {
	const uint8_t *name;
	const uint8_t *key;
	uint16_t keylen;
	const struct ov *o;
};

static int
fix_cmp(const void *a, const void *b)
{
	const struct fix *x = a, *y = b;
	int c = canon_cmp(x->key, x->keylen, y->key, y->keylen);

	if (c != 0)
		return c;
	/* the entry with an overlay name first: it wins the dedup */
	return (x->o == NULL) - (y->o == NULL);
}

static int
chain_update(struct upd *u)
{
	uint8_t pred[DNAME_MAXLEN];
	struct fix *fx = NULL;
	size_t i, nfx = 0;
	struct ov *o;
	int ret = 0;

	if ((u->ins = malloc((u->n + 1) * sizeof(size_t))) == NULL ||
	    (u->dels = malloc((u->n + 1) * sizeof(size_t))) == NULL ||
	    (fx = malloc((2 * u->n + 1) * sizeof(*fx))) == NULL) {
		free(fx);
		return HP_ENOMEM;
	}
	for (i = 0; i < u->n; i++) {
		o = &u->ov[i];
		if (o->in_new && !o->in_old)
			u->ins[u->nins++] = i;
		if (o->in_old && !o->in_new)
			u->dels[u->ndels++] = i;
	}
	sort_upd = u;
	qsort(u->ins, u->nins, sizeof(size_t), idx_cmp);
	qsort(u->dels, u->ndels, sizeof(size_t), idx_cmp);
	/* every overlay name in the new chain, and the new predecessors of
	 * those entering or leaving it */
	for (i = 0; i < u->n && ret == 0; i++) {
		o = &u->ov[i];
		if (o->in_new) {
			fx[nfx].name = o->cname;
			fx[nfx].key = o->ckey;
			fx[nfx].keylen = o->ckeylen;
			fx[nfx++].o = o;
		}
		if (o->in_new == o->in_old)
			continue;
		if ((ret = chain_near_new(u, o->cname, o->ckey, o->ckeylen, -1,
		    pred)) == HP_ENOENT) {
			ret = 0;	/* the chain is now empty */
			continue;
		}
		if (ret == 0)
			ret = copy_key(u, pred, &fx[nfx].key, &fx[nfx].keylen,
			    &fx[nfx].name);
		fx[nfx++].o = NULL;
	}
	if (ret == 0)
		qsort(fx, nfx, sizeof(*fx), fix_cmp);
	for (i = 0; i < nfx && ret == 0; i++) {
		if (i > 0 && key_eq(fx[i].key, fx[i].keylen, fx[i - 1].key,
		    fx[i - 1].keylen))
			continue;
		ret = chain_fix(u, fx[i].name, fx[i].o);
	}
	for (i = 0; i < u->ndels && ret == 0; i++)
		ret = chain_drop(u, u->ov[u->dels[i]].cname);
	free(fx);
	return ret;
}

/* ---- keys that left ---- */

static int
drop_removed_keys(struct upd *u)
{
	const struct keys_state *k;
	size_t i;
	int ret;

	for (i = 0; i < u->c->keys.n; i++) {
		k = &u->c->keys.st[i];
		if (k->remove == 0 || k->remove > u->c->now)
			continue;
		if ((ret = u->v->ops->rrsigs_by_key(u->v->ctx, k->keytag,
		    k->algorithm, SIZE_MAX, &u->out->removed)) < 0)
			return ret;
	}
	return 0;
}

/* ---- cases for a whole-zone signing ---- */

/* The SOA after the change: in ADD, or the zone's. Sets u->chain_ttl. */
static int
new_soa(struct upd *u, const struct sign_rr *add, size_t nadd)
{
	struct sign_rrs q;
	size_t i;
	int ret;

	for (i = 0; i < nadd; i++)
		if (add[i].type == WIRE_TYPE_SOA) {
			u->chain_ttl = sign_chain_ttl(&add[i]);
			return 0;
		}
	sign_rrs_init(&q);
	ret = u->v->ops->unsigned_at(u->v->ctx, u->c->apex, &q);
	for (i = 0; ret == 0 && i < q.n; i++)
		if (q.rr[i].type == WIRE_TYPE_SOA) {
			u->chain_ttl = sign_chain_ttl(&q.rr[i]);
			break;
		}
	if (ret == 0 && i == q.n)
		ret = sign_fail(u->c, HP_EINVALID, "the zone has no SOA");
	sign_rrs_free(&q);
	return ret;
}

/* NSEC or NSEC3, and the NSEC3 parameters: as the policy says? */
static int
chain_kind_same(struct upd *u, int *same)
{
	struct nsec3_params p;
	struct sign_rrs q;
	int ret, nsec;

	*same = 0;
	sign_rrs_init(&q);
	if ((ret = view_has(u, u->c->apex, SIGN_T_NSEC, &nsec)) < 0 ||
	    (ret = u->v->ops->signed_at(u->v->ctx, u->c->apex,
	    SIGN_T_NSEC3PARAM, &q)) < 0)
		goto out;
	if (u->c->p->nsec3 != (q.n > 0) || u->c->p->nsec3 == nsec) {
		sign_fail(u->c, 0, "the policy changes NSEC to NSEC3 or back");
		goto out;
	}
	if (q.n > 0) {
		if (q.n != 1 || q.rr[0].rdlen < 5 ||
		    5u + q.rr[0].rdata[4] != q.rr[0].rdlen) {
			sign_fail(u->c, 0, "bad NSEC3PARAM");
			goto out;
		}
		p.algorithm = q.rr[0].rdata[0];
		p.iterations = wire_read_u16(q.rr[0].rdata + 2);
		p.salt_len = q.rr[0].rdata[4];
		memcpy(p.salt, q.rr[0].rdata + 5, p.salt_len);
		if (!nsec3_params_equal(&p, &u->c->n3)) {
			sign_fail(u->c, 0, "new NSEC3 parameters");
			goto out;
		}
	}
	*same = 1;
out:
	sign_rrs_free(&q);
	return ret;
}

/* The chain record at the apex has the TTL the new SOA asks for? */
static int
chain_ttl_same(struct upd *u, int *same)
{
	uint8_t hash[NSEC3_HASH_LEN], owner[DNAME_MAXLEN];
	struct sign_rrs q;
	int ret;

	*same = 0;
	memcpy(owner, u->c->apex, sizeof(owner));
	if (u->c->p->nsec3 && ((ret = nsec3_hash(&u->c->n3, u->c->apex,
	    hash)) < 0 || (ret = nsec3_owner(hash, u->c->apex, owner)) < 0))
		return ret;
	sign_rrs_init(&q);
	if ((ret = u->v->ops->signed_at(u->v->ctx, owner, u->chain_type,
	    &q)) == 0) {
		if (q.n != 1)
			sign_fail(u->c, 0, "the apex has no chain record");
		else if (q.rr[0].ttl != u->chain_ttl)
			sign_fail(u->c, 0, "the SOA sets a new TTL for "
			    "NSEC/NSEC3");
		else
			*same = 1;
	}
	sign_rrs_free(&q);
	return ret;
}

/*
 * A key that starts signing beside one that signed (a CSK's double
 * signature): every RRset needs its signature at once. Seen on the SOA,
 * which every version re-signs.
 */
static int
signers_kept(struct upd *u, int *kept)
{
	struct rrsig_info ri;
	struct sign_rrs q;
	size_t i, j, have = 0;
	int ret;

	sign_rrs_init(&q);
	ret = u->v->ops->signed_at(u->v->ctx, u->c->apex, SIGN_T_RRSIG, &q);
	for (j = 0; ret == 0 && j < u->c->nz; j++)
		for (i = 0; i < q.n; i++)
			if (rrsig_parse(q.rr[i].rdata, q.rr[i].rdlen,
			    &ri) == 0 && ri.covered == WIRE_TYPE_SOA &&
			    ri.keytag == u->c->zsig[j].st->keytag &&
			    ri.algorithm == u->c->zsig[j].st->algorithm) {
				have++;
				break;
			}
	*kept = !(have > 0 && have < u->c->nz);
	if (!*kept)
		sign_fail(u->c, 0, "a new key signs beside the current one: "
		    "every RRset needs its signature");
	sign_rrs_free(&q);
	return ret;
}

static int
full_needed(struct upd *u, const struct sign_rr *add, size_t nadd, int *out)
{
	int ret, ok = 0;

	*out = 1;
	if ((ret = new_soa(u, add, nadd)) < 0 ||
	    (ret = chain_kind_same(u, &ok)) < 0 || !ok ||
	    (ret = chain_ttl_same(u, &ok)) < 0 || !ok ||
	    (ret = signers_kept(u, &ok)) < 0 || !ok)
		return ret;
	*out = 0;
	return 0;
}

int
sign_zone_update(struct sign_ctx *c, const struct zview *v,
    const struct sign_rr *del, size_t ndel, const struct sign_rr *add,
    size_t nadd, struct sign_result *out)
{
	struct upd u;
	struct ov *o;
	size_t i;
	int ret, full;

	memset(&u, 0, sizeof(u));
	u.c = c;
	u.v = v;
	u.out = out;
	u.chain_type = c->p->nsec3 ? SIGN_T_NSEC3 : SIGN_T_NSEC;
	sign_rrs_init(&u.rrs);
	sign_rrs_init(&u.apex);
	sign_rrs_free(&c->tmp);
	c->err[0] = '\0';
	c->buf.signatures = 0;
	if ((ret = full_needed(&u, add, nadd, &full)) < 0)
		goto out;
	if (full) {
		out->full_needed = 1;
		goto out;
	}
	if ((ret = sign_apex_records(c, &u.apex)) < 0)
		goto out;
	for (i = 0; i < u.apex.n; i++)
		if (u.apex.rr[i].type == SIGN_T_NSEC3PARAM)
			u.apex.rr[i].ttl = u.chain_ttl;
	if ((ret = ov_from_changes(&u, del, ndel, add, nadd)) < 0)
		goto out;
	/* the apex is always looked at: its key records may change */
	if (ov_find(&u, c->apexkey, c->apexkeylen) == NULL) {
		if ((ret = ov_add(&u, c->apex, &o)) < 0)
			goto out;
		ov_sort(&u);
	}
	if ((ret = add_subtrees(&u)) < 0)
		goto out;
	if (c->p->nsec3 && (ret = add_ancestors(&u)) < 0)
		goto out;
	if ((ret = ov_classify(&u)) < 0)
		goto out;
	o = ov_find(&u, c->apexkey, c->apexkeylen);
	if (o->new_n == 0 || !range_has(&u, o->new_first, o->new_n,
	    WIRE_TYPE_SOA)) {
		ret = sign_fail(c, HP_EINVALID, "the change removes the SOA");
		goto out;
	}
	for (i = 0; i < u.n && ret == 0; i++)
		ret = resign_name(&u, &u.ov[i]);
	if (ret == 0)
		ret = apex_sync(&u);
	if (ret == 0)
		ret = chain_update(&u);
	if (ret == 0)
		ret = drop_removed_keys(&u);
	if (ret == 0)
		sign_rrs_unique(&out->removed);
out:
	out->signatures = c->buf.signatures;
	free(u.ov);
	free(u.memo);
	free(u.ins);
	free(u.dels);
	sign_rrs_free(&u.rrs);
	sign_rrs_free(&u.apex);
	return ret;
}
