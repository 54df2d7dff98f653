/*
 * zone.c -- the zone signer (zone.h): context, common helpers, and the
 * whole-zone signer. The incremental signer and the refresh are in
 * update.c; both share sign_int.h.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/wire.h"
#include "signer/canon.h"
#include "signer/cds.h"
#include "signer/nsec.h"
#include "signer/nsec3.h"
#include "signer/sign_int.h"
#include "signer/zone.h"

void
sign_result_init(struct sign_result *r)
{
	memset(r, 0, sizeof(*r));
	sign_rrs_init(&r->removed);
	sign_rrs_init(&r->added);
}

void
sign_result_free(struct sign_result *r)
{
	sign_rrs_free(&r->removed);
	sign_rrs_free(&r->added);
	memset(r, 0, sizeof(*r));
}

int
sign_fail(struct sign_ctx *c, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return code;
}

const char *
sign_ctx_error(const struct sign_ctx *c)
{
	return c->err;
}

void
sign_ctx_seed(struct sign_ctx *c, uint64_t seed)
{
	c->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
}

/* xorshift64*: jitter only, no secrecy needed */
static uint64_t
rng_next(struct sign_ctx *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return c->rng * 0x2545f4914f6cdd1dull;
}

const char *
sign_name_str(const uint8_t *name, char *buf)
{
	if (dname_to_str(name, buf, DNAME_MAXSTR) < 0)
		snprintf(buf, DNAME_MAXSTR, "(bad name)");
	return buf;
}

/* Who signs what at C->now: C->zsig and C->ksig from the keys. 0, or an
 * error with a message in ERR. */
static int
ctx_signers(struct sign_ctx *c, char *err, size_t errlen)
{
	const struct keys_state *k;
	char text[DNAME_MAXSTR];
	size_t i;

	for (i = 0; i < c->keys.n; i++) {
		k = &c->keys.st[i];
		if (k->algorithm != c->p->algorithm &&
		    keys_published(k, c->now)) {
			/* an algorithm rollover is not implemented */
			snprintf(err, errlen, "key %u uses algorithm %u, the "
			    "policy %s", k->keytag, k->algorithm,
			    sign_alg_name(c->p->algorithm));
			return HP_ENOTSUP;
		}
		if (!keys_signs_zone(k, c->now) && !keys_signs_dnskey(k, c->now))
			continue;
		if (c->keys.priv == NULL || c->keys.priv[i] == NULL) {
			snprintf(err, errlen, "the private key of key %u (%s) "
			    "is not loaded", k->keytag, keys_role_name(k->role));
			return HP_EINVALID;
		}
		if (keys_signs_zone(k, c->now)) {
			c->zsig[c->nz].st = k;
			c->zsig[c->nz++].key = c->keys.priv[i];
		}
		if (keys_signs_dnskey(k, c->now)) {
			c->ksig[c->nk].st = k;
			c->ksig[c->nk++].key = c->keys.priv[i];
		}
	}
	if (c->nz == 0 || c->nk == 0) {
		snprintf(err, errlen, "zone %s: no key signs the %s at this "
		    "time", sign_name_str(c->apex, text),
		    c->nz == 0 ? "zone" : "DNSKEY RRset");
		return HP_EINVALID;
	}
	return 0;
}

int
sign_ctx_new(const uint8_t *apex, const struct sign_policy *p,
    const struct sign_keys *keys, int64_t now, struct sign_ctx **out,
    char *err, size_t errlen)
{
	struct sign_ctx *c;
	int len, ret;

	if ((len = dname_wire_len(apex, DNAME_MAXLEN)) < 0) {
		snprintf(err, errlen, "invalid zone name");
		return HP_EINVAL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->zsig = calloc(keys->n + 1, sizeof(*c->zsig))) == NULL ||
	    (c->ksig = calloc(keys->n + 1, sizeof(*c->ksig))) == NULL) {
		sign_ctx_free(c);
		snprintf(err, errlen, "out of memory");
		return HP_ENOMEM;
	}
	sign_rrs_init(&c->tmp);
	memcpy(c->apex, apex, (size_t)len);
	dname_lower(c->apex);
	c->apexkeylen = canon_key(c->apex, c->apexkey);
	c->p = p;
	c->keys = *keys;
	c->now = now;
	if (getrandom(&c->rng, sizeof(c->rng), 0) != sizeof(c->rng))
		c->rng = (uint64_t)now;
	sign_ctx_seed(c, c->rng);
	c->n3.algorithm = NSEC3_HASH_SHA1;
	c->n3.flags = 0;
	c->n3.iterations = p->nsec3_iterations;
	c->n3.salt_len = p->nsec3_salt_len;
	memcpy(c->n3.salt, p->nsec3_salt, p->nsec3_salt_len);
	if ((ret = ctx_signers(c, err, errlen)) < 0) {
		sign_ctx_free(c);
		return ret;
	}
	*out = c;
	return 0;
}

void
sign_ctx_free(struct sign_ctx *c)
{
	if (c == NULL)
		return;
	rrsig_buf_free(&c->buf);
	sign_rrs_free(&c->tmp);
	free(c->set);
	free(c->zsig);
	free(c->ksig);
	free(c);
}

/* Signature validity for a signature made now. */
static void
validity(struct sign_ctx *c, uint32_t *inception, uint32_t *expiration)
{
	uint64_t span = (c->p->rrsig_lifetime - c->p->rrsig_refresh) / 4;
	uint64_t jitter = span > 0 ? rng_next(c) % (span + 1) : 0;

	*inception = (uint32_t)(c->now - SIGN_INCEPTION_BACKDATE);
	*expiration = (uint32_t)(c->now + c->p->rrsig_lifetime - jitter);
}

int
sign_keyset_type(uint16_t type)
{
	return type == SIGN_T_DNSKEY || type == SIGN_T_CDS ||
	    type == SIGN_T_CDNSKEY;
}

int
sign_rrset(struct sign_ctx *c, const struct sign_rr *const *set, size_t n,
    struct sign_rrs *out)
{
	uint32_t inc, exp;
	char text[DNAME_MAXSTR];
	int ret;

	if (n == 0)
		return 0;
	validity(c, &inc, &exp);
	if (sign_keyset_type(set[0]->type))
		ret = rrsig_sign(&c->buf, c->ksig, c->nk, c->apex, set, n, inc,
		    exp, out);
	else
		ret = rrsig_sign(&c->buf, c->zsig, c->nz, c->apex, set, n, inc,
		    exp, out);
	if (ret == HP_EMALF)
		return sign_fail(c, HP_EINVALID, "%s type %u: rdata does not "
		    "parse", sign_name_str(set[0]->owner, text), set[0]->type);
	if (ret < 0)
		return sign_fail(c, ret, "signing %s type %u: %s",
		    sign_name_str(set[0]->owner, text), set[0]->type,
		    hp_strerror(ret));
	return 0;
}

int
sign_set_room(struct sign_ctx *c, size_t n)
{
	return sign_grow(&c->set, &c->setcap, n, sizeof(*c->set), 64);
}

/* Sign the RRs of LIST (of one owner and type) as one RRset. */
int
sign_list(struct sign_ctx *c, const struct sign_rrs *list, size_t first,
    size_t n, struct sign_rrs *out)
{
	size_t i;
	int ret;

	if ((ret = sign_set_room(c, n)) < 0)
		return ret;
	for (i = 0; i < n; i++)
		c->set[i] = &list->rr[first + i];
	return sign_rrset(c, c->set, n, out);
}

uint32_t
sign_chain_ttl(const struct sign_rr *soa)
{
	uint32_t min;

	if (soa->rdlen < 4)
		return soa->ttl;
	min = wire_read_u32(soa->rdata + soa->rdlen - 4);
	return min < soa->ttl ? min : soa->ttl;
}

int
sign_apex_records(struct sign_ctx *c, struct sign_rrs *out)
{
	uint8_t rd[KEYS_DNSKEY_MAX + 300];
	size_t i, len;
	int ret;

	for (i = 0; i < c->keys.n; i++) {
		if (!keys_published(&c->keys.st[i], c->now))
			continue;
		len = keys_dnskey_rdata(&c->keys.st[i], rd);
		if ((ret = sign_rrs_add(out, c->apex, SIGN_T_DNSKEY,
		    WIRE_CLASS_IN, c->p->dnskey_ttl, rd, len)) < 0)
			return ret;
	}
	if ((ret = cds_records(c->keys.st, c->keys.n, c->p, c->apex, c->now,
	    out)) < 0)
		return ret;
	if (c->p->nsec3) {
		len = nsec3param_rdata(&c->n3, rd);
		/* NSEC3PARAM TTL: that of the chain is set by the caller */
		if ((ret = sign_rrs_add(out, c->apex, SIGN_T_NSEC3PARAM,
		    WIRE_CLASS_IN, 0, rd, len)) < 0)
			return ret;
	}
	return 0;
}

int
sign_check_rr(struct sign_ctx *c, const struct sign_rr *rr)
{
	char text[DNAME_MAXSTR];

	if (sign_type_generated(rr->type))
		return sign_fail(c, HP_EINVALID, "%s type %u: DNSSEC records "
		    "are made by the signer; they are not accepted as input",
		    sign_name_str(rr->owner, text), rr->type);
	if (rr->rclass != WIRE_CLASS_IN)
		return sign_fail(c, HP_EINVALID, "%s: class %u is not IN",
		    sign_name_str(rr->owner, text), rr->rclass);
	if (!dname_is_subdomain(rr->owner, c->apex))
		return sign_fail(c, HP_EINVALID, "%s is outside the zone",
		    sign_name_str(rr->owner, text));
	if (rr->ttl > c->p->zone_max_ttl)
		return sign_fail(c, HP_EINVALID, "%s type %u: TTL %u exceeds "
		    "zone-max-ttl %u of dnssec-policy %s",
		    sign_name_str(rr->owner, text), rr->type, rr->ttl,
		    c->p->zone_max_ttl, c->p->name);
	if (rr->type == WIRE_TYPE_SOA && !dname_equal(rr->owner, c->apex))
		return sign_fail(c, HP_EINVALID, "%s: SOA below the apex",
		    sign_name_str(rr->owner, text));
	return 0;
}

int
sign_bitmap_types(struct sign_ctx *c, int status,
    const struct nsec_types *types, struct nsec_types *out)
{
	size_t i;
	int ret = 0;

	nsec_types_clear(out);
	switch (status) {
	case SIGN_ST_APEX:
	case SIGN_ST_AUTH:
		for (i = 0; i < types->n && ret == 0; i++)
			ret = nsec_types_add(out, types->t[i]);
		if (ret == 0 && types->n > 0)
			ret = nsec_types_add(out, SIGN_T_RRSIG);
		break;
	case SIGN_ST_DELEG:
		ret = nsec_types_add(out, WIRE_TYPE_NS);
		if (ret == 0 && nsec_types_has(types, SIGN_T_DS)) {
			ret = nsec_types_add(out, SIGN_T_DS);
			if (ret == 0)
				ret = nsec_types_add(out, SIGN_T_RRSIG);
		}
		/* the NSEC itself is signed (RFC 4035 2.3) */
		if (ret == 0 && !c->p->nsec3)
			ret = nsec_types_add(out, SIGN_T_RRSIG);
		break;
	default:
		return 0;	/* an empty non-terminal: no types */
	}
	if (ret == 0 && !c->p->nsec3)
		ret = nsec_types_add(out, SIGN_T_NSEC);
	return ret;
}

/* ---- the whole-zone signer ---- */

struct fent {
	const struct sign_rr *rr;
	const uint8_t *key;
	uint16_t keylen;
};

static int
fent_cmp(const void *a, const void *b)
{
	const struct fent *x = a, *y = b;
	int c = canon_cmp(x->key, x->keylen, y->key, y->keylen);

	if (c != 0)
		return c;
	return x->rr->type < y->rr->type ? -1 : x->rr->type > y->rr->type;
}

/* An NSEC3 chain entry: hash and bitmap (in the context's arena). */
struct n3ent {
	uint8_t hash[NSEC3_HASH_LEN];
	uint32_t bm;
	uint16_t bmlen;
};

struct full {
	struct sign_ctx *c;
	struct sign_result *out;
	uint32_t chain_ttl;
	/* NSEC: the previous chain name, waiting for its successor */
	const uint8_t *prev;
	struct nsec_types prev_types;
	/* NSEC3: the entries, and the path from the apex to the name */
	struct n3ent *n3;
	size_t n3n, n3cap;
	uint8_t *bms;
	size_t bmlen, bmcap;
	const uint8_t *path[DNAME_MAXLABELS + 1];
	uint16_t pathlen[DNAME_MAXLABELS + 1];
	int depth;
};

static int
emit_nsec(struct full *f, const uint8_t *owner, const uint8_t *next,
    const struct nsec_types *types)
{
	uint8_t rd[DNAME_MAXLEN + NSEC_BITMAP_MAX];
	size_t len = nsec_rdata(next, types, rd);
	struct sign_rr rr = { .owner = owner, .rdata = rd, .ttl = f->chain_ttl,
	    .type = SIGN_T_NSEC, .rclass = WIRE_CLASS_IN,
	    .rdlen = (uint16_t)len };
	const struct sign_rr *set[1] = { &rr };
	int ret;

	if ((ret = sign_rrs_add_rr(&f->out->added, &rr)) < 0)
		return ret;
	return sign_rrset(f->c, set, 1, &f->out->added);
}

static int
add_n3(struct full *f, const uint8_t *name, const struct nsec_types *types)
{
	uint8_t bm[NSEC_BITMAP_MAX];
	struct n3ent *ne;
	size_t len = nsec_bitmap(types, bm);
	int ret;

	if (f->bmlen + len > UINT32_MAX ||
	    sign_grow(&f->n3, &f->n3cap, f->n3n + 1, sizeof(*f->n3), 1024) < 0 ||
	    sign_grow(&f->bms, &f->bmcap, f->bmlen + len, 1, 1 << 16) < 0)
		return HP_ENOMEM;
	ne = &f->n3[f->n3n];
	if ((ret = nsec3_hash(&f->c->n3, name, ne->hash)) < 0)
		return ret;
	memcpy(f->bms + f->bmlen, bm, len);
	ne->bm = (uint32_t)f->bmlen;
	ne->bmlen = (uint16_t)len;
	f->bmlen += len;
	f->n3n++;
	return 0;
}

/* Is the name with KEY/KLEN a proper descendant of the one with A/ALEN? */
static int
below(const uint8_t *key, size_t klen, const uint8_t *a, size_t alen)
{
	return klen > alen && memcmp(key, a, alen) == 0;
}

/*
 * NSEC3: NAME (key KEY) is in the chain. Its ancestors not seen yet are
 * empty non-terminals; they get entries too (RFC 5155 7.1).
 */
static int
n3_name(struct full *f, const uint8_t *name, const uint8_t *key,
    size_t klen, const struct nsec_types *types)
{
	static const struct nsec_types none;
	const uint8_t *anc;
	size_t alen, cut;
	int labels, skip, ret;

	while (f->depth > 0 && !below(key, klen, f->path[f->depth - 1],
	    f->pathlen[f->depth - 1]))
		f->depth--;
	/* ancestors from just below the deepest seen one down to NAME */
	alen = f->depth > 0 ? f->pathlen[f->depth - 1] : f->c->apexkeylen;
	labels = dname_labels(name);
	for (cut = alen; cut < klen; cut++) {
		if (key[cut] != 0 || cut + 1 == klen)
			continue;
		/* key[0..cut] is an ancestor: find its wire form in NAME */
		anc = name;
		for (skip = labels - sign_key_labels(key, cut + 1);
		    skip > 0; skip--)
			anc += *anc + 1;
		if (f->depth > DNAME_MAXLABELS)
			return HP_EMALF;
		f->path[f->depth] = key;
		f->pathlen[f->depth++] = (uint16_t)(cut + 1);
		if ((ret = add_n3(f, anc, &none)) < 0)
			return ret;
	}
	if (f->depth > DNAME_MAXLABELS)
		return HP_EMALF;
	f->path[f->depth] = key;
	f->pathlen[f->depth++] = (uint16_t)klen;
	return add_n3(f, name, types);
}

static int
n3_cmp(const void *a, const void *b)
{
	return memcmp(((const struct n3ent *)a)->hash,
	    ((const struct n3ent *)b)->hash, NSEC3_HASH_LEN);
}

static int
emit_nsec3_chain(struct full *f)
{
	uint8_t owner[DNAME_MAXLEN], rd[300 + NSEC_BITMAP_MAX];
	struct nsec_types types;
	struct sign_rr rr;
	const struct sign_rr *set[1] = { &rr };
	char text[DNAME_MAXSTR];
	size_t i, len;
	int ret;

	qsort(f->n3, f->n3n, sizeof(*f->n3), n3_cmp);
	for (i = 0; i < f->n3n; i++) {
		if (i > 0 && memcmp(f->n3[i - 1].hash, f->n3[i].hash,
		    NSEC3_HASH_LEN) == 0)
			return sign_fail(f->c, HP_EINVALID, "zone %s: two names "
			    "have the same NSEC3 hash; choose another salt",
			    sign_name_str(f->c->apex, text));
		if ((ret = nsec3_owner(f->n3[i].hash, f->c->apex, owner)) < 0)
			return ret;
		if ((ret = nsec_bitmap_parse(f->bms + f->n3[i].bm,
		    f->n3[i].bmlen, &types)) < 0)
			return ret;
		len = nsec3_rdata(&f->c->n3, f->n3[(i + 1) % f->n3n].hash,
		    &types, rd);
		rr.owner = owner;
		rr.rdata = rd;
		rr.rdlen = (uint16_t)len;
		rr.ttl = f->chain_ttl;
		rr.type = SIGN_T_NSEC3;
		rr.rclass = WIRE_CLASS_IN;
		if ((ret = sign_rrs_add_rr(&f->out->added, &rr)) < 0 ||
		    (ret = sign_rrset(f->c, set, 1, &f->out->added)) < 0)
			return ret;
	}
	return 0;
}

/* One owner's RRs, E[0..N): sign, chain. */
static int
full_name(struct full *f, const struct fent *e, size_t n, int status)
{
	struct sign_ctx *c = f->c;
	struct nsec_types types, bm;
	size_t i, j;
	int ret;

	nsec_types_clear(&types);
	for (i = 0; i < n; i++)
		if ((ret = nsec_types_add(&types, e[i].rr->type)) < 0)
			return sign_fail(c, HP_EINVALID, "too many types at "
			    "one name");
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && e[j].rr->type == e[i].rr->type; j++)
			;
		if (status == SIGN_ST_DELEG && e[i].rr->type != SIGN_T_DS)
			continue;
		if ((ret = sign_set_room(c, j - i)) < 0)
			return ret;
		for (size_t k = i; k < j; k++)
			c->set[k - i] = e[k].rr;
		if ((ret = sign_rrset(c, c->set, j - i, &f->out->added)) < 0)
			return ret;
	}
	if ((ret = sign_bitmap_types(c, status, &types, &bm)) < 0)
		return ret;
	if (c->p->nsec3)
		return n3_name(f, e[0].rr->owner, e[0].key, e[0].keylen, &bm);
	if (f->prev != NULL && (ret = emit_nsec(f, f->prev, e[0].rr->owner,
	    &f->prev_types)) < 0)
		return ret;
	f->prev = e[0].rr->owner;
	f->prev_types = bm;
	return 0;
}

/* Sort keys and entries for RRS (checked) plus the apex records in
 * EXTRA. */
static int
full_entries(struct sign_ctx *c, const struct sign_rr *rrs, size_t n,
    const struct sign_rrs *extra, struct fent **out)
{
	uint8_t key[CANON_KEY_MAX], *kp = NULL;
	const uint8_t *last = NULL;
	struct fent *e;
	size_t i, klen = 0;

	if ((e = malloc((n + extra->n + 1) * sizeof(*e))) == NULL)
		return HP_ENOMEM;
	for (i = 0; i < n + extra->n; i++) {
		const struct sign_rr *rr = i < n ? &rrs[i] : &extra->rr[i - n];

		if (last == NULL || (rr->owner != last &&
		    !dname_equal(rr->owner, last))) {
			klen = canon_key(rr->owner, key);
			if ((kp = sign_rrs_alloc(&c->tmp, klen)) == NULL) {
				free(e);
				return HP_ENOMEM;
			}
			memcpy(kp, key, klen);
			last = rr->owner;
		}
		e[i].rr = rr;
		e[i].key = kp;
		e[i].keylen = (uint16_t)klen;
	}
	qsort(e, n + extra->n, sizeof(*e), fent_cmp);
	*out = e;
	return 0;
}

int
sign_zone_full(struct sign_ctx *c, const struct sign_rr *rrs, size_t n,
    struct sign_result *out)
{
	struct sign_rrs extra;
	struct fent *e = NULL;
	struct full f;
	const uint8_t *cut = NULL;
	size_t i, j, total, cutlen = 0, nsoa = 0, soa = 0;
	char text[DNAME_MAXSTR];
	int ret, status, has_ns;

	memset(&f, 0, sizeof(f));
	f.c = c;
	f.out = out;
	sign_rrs_init(&extra);
	sign_rrs_free(&c->tmp);
	for (i = 0; i < n; i++) {
		if ((ret = sign_check_rr(c, &rrs[i])) < 0)
			goto out;
		if (rrs[i].type == WIRE_TYPE_SOA) {
			nsoa++;
			soa = i;
		}
	}
	if (nsoa != 1) {
		ret = sign_fail(c, HP_EINVALID, "zone %s: %s SOA record",
		    sign_name_str(c->apex, text), nsoa ? "more than one" :
		    "no");
		goto out;
	}
	f.chain_ttl = sign_chain_ttl(&rrs[soa]);
	if ((ret = sign_apex_records(c, &out->added)) < 0)
		goto out;
	for (i = 0; i < out->added.n; i++) {
		if (out->added.rr[i].type == SIGN_T_NSEC3PARAM)
			out->added.rr[i].ttl = f.chain_ttl;
		if ((ret = sign_rrs_add_rr(&extra, &out->added.rr[i])) < 0)
			goto out;
	}
	if ((ret = full_entries(c, rrs, n, &extra, &e)) < 0)
		goto out;
	total = n + extra.n;
	if (total == 0 || e[0].keylen != c->apexkeylen ||
	    memcmp(e[0].key, c->apexkey, c->apexkeylen) != 0) {
		ret = sign_fail(c, HP_EINVALID, "zone %s: no SOA at the apex",
		    sign_name_str(c->apex, text));
		goto out;
	}
	for (i = 0; i < total; i = j) {
		has_ns = 0;
		for (j = i; j < total && e[j].keylen == e[i].keylen &&
		    memcmp(e[j].key, e[i].key, e[i].keylen) == 0; j++)
			if (e[j].rr->type == WIRE_TYPE_NS)
				has_ns = 1;
		if (i == 0)
			status = SIGN_ST_APEX;
		else if (cut != NULL && below(e[i].key, e[i].keylen, cut,
		    cutlen))
			continue;	/* glue or occluded: not signed */
		else if (has_ns) {
			status = SIGN_ST_DELEG;
			cut = e[i].key;
			cutlen = e[i].keylen;
		} else
			status = SIGN_ST_AUTH;
		if ((ret = full_name(&f, e + i, j - i, status)) < 0)
			goto out;
	}
	if (c->p->nsec3)
		ret = emit_nsec3_chain(&f);
	else
		ret = emit_nsec(&f, f.prev, c->apex, &f.prev_types);
out:
	out->signatures = c->buf.signatures;
	free(e);
	free(f.n3);
	free(f.bms);
	sign_rrs_free(&extra);
	return ret;
}
