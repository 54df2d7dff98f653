/* zview.c -- the in-memory zone view (zview.h). SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "signer/canon.h"
#include "signer/rrsig.h"
#include "signer/zview.h"

/* One RR and the canonical key of its owner. */
struct ment {
	struct sign_rr rr;
	const uint8_t *key;
	uint16_t keylen;
};

struct mset {
	struct ment *e;
	size_t n, cap;
};

struct zview_mem {
	struct sign_rrs arena;		/* owns every owner, rdata and key */
	struct mset u, g;		/* unsigned, generated; sorted */
	size_t *chain[2];		/* indexes into g of NSEC, NSEC3 */
	size_t nchain[2];
};

static int
ment_cmp(const struct ment *a, const struct ment *b)
{
	int c = canon_cmp(a->key, a->keylen, b->key, b->keylen);

	if (c != 0)
		return c;
	if (a->rr.type != b->rr.type)
		return a->rr.type < b->rr.type ? -1 : 1;
	if (a->rr.rclass != b->rr.rclass)
		return a->rr.rclass < b->rr.rclass ? -1 : 1;
	return canon_cmp(a->rr.rdata, a->rr.rdlen, b->rr.rdata, b->rr.rdlen);
}

static int
ment_qcmp(const void *a, const void *b)
{
	return ment_cmp(a, b);
}

struct zview_mem *
zview_mem_new(void)
{
	struct zview_mem *m = calloc(1, sizeof(*m));

	if (m != NULL)
		sign_rrs_init(&m->arena);
	return m;
}

void
zview_mem_free(struct zview_mem *m)
{
	if (m == NULL)
		return;
	sign_rrs_free(&m->arena);
	free(m->u.e);
	free(m->g.e);
	free(m->chain[0]);
	free(m->chain[1]);
	free(m);
}

/* Fill E from RR, copying the bytes into ARENA. */
static int
ment_make(struct sign_rrs *arena, const struct sign_rr *rr, struct ment *e)
{
	uint8_t key[CANON_KEY_MAX];
	size_t klen = canon_key(rr->owner, key);
	int olen = dname_wire_len(rr->owner, DNAME_MAXLEN);
	uint8_t *p;

	if (olen < 0)
		return HP_EMALF;
	if ((p = sign_rrs_alloc(arena, (size_t)olen + klen +
	    rr->rdlen)) == NULL)
		return HP_ENOMEM;
	memcpy(p, rr->owner, (size_t)olen);
	memcpy(p + olen, key, klen);
	if (rr->rdlen > 0)
		memcpy(p + olen + klen, rr->rdata, rr->rdlen);
	e->rr = *rr;
	e->rr.owner = p;
	e->rr.rdata = rr->rdlen > 0 ? p + olen + klen : NULL;
	e->key = p + olen;
	e->keylen = (uint16_t)klen;
	return 0;
}

/* Index of the first entry of S not less than E (in ment_cmp order). */
static size_t
lower_bound(const struct mset *s, const struct ment *e)
{
	size_t lo = 0, hi = s->n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (ment_cmp(&s->e[mid], e) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index of the first entry whose key is >= KEY (STRICT: > KEY). */
static size_t
key_bound(const struct ment *arr, size_t n, const size_t *idx,
    const uint8_t *key, size_t klen, int strict)
{
	size_t lo = 0, hi = n, mid;
	const struct ment *e;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		e = idx != NULL ? &arr[idx[mid]] : &arr[mid];
		c = canon_cmp(e->key, e->keylen, key, klen);
		if (c < 0 || (strict && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
rebuild_chains(struct zview_mem *m)
{
	size_t i, k;

	for (k = 0; k < 2; k++)
		m->nchain[k] = 0;
	for (i = 0; i < m->g.n; i++) {
		k = m->g.e[i].rr.type == SIGN_T_NSEC ? 0 :
		    m->g.e[i].rr.type == SIGN_T_NSEC3 ? 1 : 2;
		if (k < 2)
			m->chain[k][m->nchain[k]++] = i;
	}
}

/*
 * Merge: S minus the entries flagged in DEAD, plus ADD (sorted). HP_EEXIST
 * if an added RR is already there.
 */
static int
mset_merge(struct mset *s, const unsigned char *dead, struct ment *add,
    size_t nadd)
{
	struct ment *ne;
	size_t i = 0, j = 0, n = 0, cap = s->n + nadd;
	int c;

	if ((ne = malloc((cap ? cap : 1) * sizeof(*ne))) == NULL)
		return HP_ENOMEM;
	while (i < s->n || j < nadd) {
		if (i < s->n && dead != NULL && dead[i]) {
			i++;
			continue;
		}
		if (j == nadd)
			c = -1;
		else if (i == s->n)
			c = 1;
		else
			c = ment_cmp(&s->e[i], &add[j]);
		if (c == 0) {
			free(ne);
			return HP_EEXIST;
		}
		if (c < 0)
			ne[n++] = s->e[i++];
		else
			ne[n++] = add[j++];
	}
	free(s->e);
	s->e = ne;
	s->n = n;
	s->cap = cap;
	return 0;
}

static int
apply_set(struct mset *s, struct ment *del, size_t ndel, struct ment *add,
    size_t nadd, unsigned char **deadp)
{
	unsigned char *dead = NULL;
	size_t i, at;

	if (ndel > 0) {
		if ((dead = calloc(s->n ? s->n : 1, 1)) == NULL)
			return HP_ENOMEM;
		for (i = 0; i < ndel; i++) {
			at = lower_bound(s, &del[i]);
			if (at == s->n || ment_cmp(&s->e[at], &del[i]) != 0 ||
			    dead[at]) {
				free(dead);
				return HP_ENOENT;
			}
			dead[at] = 1;
		}
	}
	qsort(add, nadd, sizeof(*add), ment_qcmp);
	for (i = 0; i < nadd; i++) {
		at = lower_bound(s, &add[i]);
		if ((i > 0 && ment_cmp(&add[i - 1], &add[i]) == 0) ||
		    (at < s->n && ment_cmp(&s->e[at], &add[i]) == 0 &&
		    (dead == NULL || !dead[at]))) {
			free(dead);
			return HP_EEXIST;
		}
	}
	*deadp = dead;
	return 0;
}

int
zview_mem_apply(struct zview_mem *m, const struct sign_rrs *del,
    const struct sign_rrs *add)
{
	struct ment *d[2] = { NULL, NULL }, *a[2] = { NULL, NULL };
	size_t nd[2] = { 0, 0 }, na[2] = { 0, 0 }, i, k, total;
	unsigned char *dead[2] = { NULL, NULL };
	struct sign_rrs tmp;
	size_t *nc;
	int ret = HP_ENOMEM;

	sign_rrs_init(&tmp);
	for (k = 0; k < 2; k++) {
		if ((d[k] = malloc(((del ? del->n : 0) + 1) *
		    sizeof(struct ment))) == NULL ||
		    (a[k] = malloc(((add ? add->n : 0) + 1) *
		    sizeof(struct ment))) == NULL)
			goto out;
	}
	for (i = 0; del != NULL && i < del->n; i++) {
		k = sign_type_generated(del->rr[i].type);
		if ((ret = ment_make(&tmp, &del->rr[i], &d[k][nd[k]++])) < 0)
			goto out;
	}
	for (i = 0; add != NULL && i < add->n; i++) {
		k = sign_type_generated(add->rr[i].type);
		if ((ret = ment_make(&m->arena, &add->rr[i],
		    &a[k][na[k]++])) < 0)
			goto out;
	}
	if ((ret = apply_set(&m->u, d[0], nd[0], a[0], na[0], &dead[0])) < 0 ||
	    (ret = apply_set(&m->g, d[1], nd[1], a[1], na[1], &dead[1])) < 0)
		goto out;
	/* both checked: now change (merge fails only on memory or dups) */
	if ((ret = mset_merge(&m->u, dead[0], a[0], na[0])) < 0 ||
	    (ret = mset_merge(&m->g, dead[1], a[1], na[1])) < 0)
		goto out;
	total = m->g.n ? m->g.n : 1;
	for (k = 0; k < 2; k++) {
		if ((nc = realloc(m->chain[k], total * sizeof(*nc))) == NULL) {
			ret = HP_ENOMEM;
			goto out;
		}
		m->chain[k] = nc;
	}
	rebuild_chains(m);
	ret = 0;
out:
	for (k = 0; k < 2; k++) {
		free(d[k]);
		free(a[k]);
		free(dead[k]);
	}
	sign_rrs_free(&tmp);
	return ret;
}

int
zview_mem_add(struct zview_mem *m, const struct sign_rr *rrs, size_t n)
{
	struct sign_rrs l = { 0 };
	int ret;

	/* a borrowed list: apply() only reads rr[] and n */
	l.rr = (struct sign_rr *)(uintptr_t)rrs;
	l.n = n;
	ret = zview_mem_apply(m, NULL, &l);
	return ret;
}

size_t
zview_mem_count(const struct zview_mem *m, size_t *nu, size_t *ng)
{
	if (nu != NULL)
		*nu = m->u.n;
	if (ng != NULL)
		*ng = m->g.n;
	return m->u.n + m->g.n;
}

static int
dump_set(const struct mset *s, struct sign_rrs *out)
{
	size_t i;
	int ret;

	for (i = 0; i < s->n; i++)
		if ((ret = sign_rrs_add_rr(out, &s->e[i].rr)) < 0)
			return ret;
	return 0;
}

int
zview_mem_dump(const struct zview_mem *m, struct sign_rrs *out)
{
	int ret;

	if ((ret = dump_set(&m->u, out)) < 0)
		return ret;
	return dump_set(&m->g, out);
}

int
zview_mem_dump_unsigned(const struct zview_mem *m, struct sign_rrs *out)
{
	return dump_set(&m->u, out);
}

/* The view's callbacks. */

static int
at_owner(const struct mset *s, const uint8_t *owner, int any_type,
    uint16_t type, struct sign_rrs *out)
{
	uint8_t key[CANON_KEY_MAX];
	size_t klen = canon_key(owner, key), i;
	int ret;

	i = key_bound(s->e, s->n, NULL, key, klen, 0);
	for (; i < s->n && canon_cmp(s->e[i].key, s->e[i].keylen, key,
	    klen) == 0; i++) {
		if (!any_type && s->e[i].rr.type != type)
			continue;
		if ((ret = sign_rrs_add_rr(out, &s->e[i].rr)) < 0)
			return ret;
	}
	return 0;
}

static int
mem_unsigned_at(void *ctx, const uint8_t *owner, struct sign_rrs *out)
{
	struct zview_mem *m = ctx;

	return at_owner(&m->u, owner, 1, 0, out);
}

static int
mem_signed_at(void *ctx, const uint8_t *owner, uint16_t type,
    struct sign_rrs *out)
{
	struct zview_mem *m = ctx;

	return at_owner(&m->g, owner, 0, type, out);
}

static void
copy_name(const uint8_t *name, uint8_t *out)
{
	memcpy(out, name, (size_t)dname_wire_len(name, DNAME_MAXLEN));
}

static int
mem_unsigned_next(void *ctx, const uint8_t *name, uint8_t *out)
{
	struct zview_mem *m = ctx;
	uint8_t key[CANON_KEY_MAX];
	size_t i = 0;

	if (name != NULL)
		i = key_bound(m->u.e, m->u.n, NULL, key, canon_key(name, key),
		    1);
	if (i >= m->u.n)
		return HP_ENOENT;
	copy_name(m->u.e[i].rr.owner, out);
	return 0;
}

static int
mem_chain_near(void *ctx, uint16_t type, const uint8_t *name, int dir,
    uint8_t *out)
{
	struct zview_mem *m = ctx;
	uint8_t key[CANON_KEY_MAX];
	size_t k = type == SIGN_T_NSEC3, n = m->nchain[k], i;
	const size_t *idx = m->chain[k];

	if (type != SIGN_T_NSEC && type != SIGN_T_NSEC3)
		return HP_EINVAL;
	if (n == 0)
		return HP_ENOENT;
	if (name == NULL) {
		i = dir < 0 ? n - 1 : 0;
	} else if (dir < 0) {
		i = key_bound(m->g.e, n, idx, key, canon_key(name, key), 0);
		if (i == 0)
			return HP_ENOENT;
		i--;
	} else {
		i = key_bound(m->g.e, n, idx, key, canon_key(name, key), 1);
		if (i == n)
			return HP_ENOENT;
	}
	copy_name(m->g.e[idx[i]].rr.owner, out);
	return 0;
}

struct exp_ent {
	uint32_t exp;
	size_t i;
};

static int
exp_cmp(const void *a, const void *b)
{
	const struct exp_ent *x = a, *y = b;

	if (x->exp != y->exp)
		return x->exp < y->exp ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int
mem_rrsigs_expiring(void *ctx, int64_t before, size_t max,
    struct sign_rrs *out)
{
	struct zview_mem *m = ctx;
	struct rrsig_info ri;
	struct exp_ent *v;
	size_t i, n = 0;
	int ret = 0;

	if ((v = malloc((m->g.n + 1) * sizeof(*v))) == NULL)
		return HP_ENOMEM;
	for (i = 0; i < m->g.n; i++) {
		if (m->g.e[i].rr.type != SIGN_T_RRSIG ||
		    rrsig_parse(m->g.e[i].rr.rdata, m->g.e[i].rr.rdlen,
		    &ri) < 0)
			continue;
		if ((int64_t)ri.expiration < before) {
			v[n].exp = ri.expiration;
			v[n++].i = i;
		}
	}
	qsort(v, n, sizeof(*v), exp_cmp);
	for (i = 0; i < n && i < max && ret == 0; i++)
		ret = sign_rrs_add_rr(out, &m->g.e[v[i].i].rr);
	free(v);
	return ret;
}

static int
mem_rrsigs_by_key(void *ctx, uint16_t tag, uint8_t alg, size_t max,
    struct sign_rrs *out)
{
	struct zview_mem *m = ctx;
	struct rrsig_info ri;
	size_t i, n = 0;
	int ret;

	for (i = 0; i < m->g.n && n < max; i++) {
		if (m->g.e[i].rr.type != SIGN_T_RRSIG ||
		    rrsig_parse(m->g.e[i].rr.rdata, m->g.e[i].rr.rdlen,
		    &ri) < 0 || ri.keytag != tag || ri.algorithm != alg)
			continue;
		if ((ret = sign_rrs_add_rr(out, &m->g.e[i].rr)) < 0)
			return ret;
		n++;
	}
	return 0;
}

static const struct zview_ops mem_ops = {
	.unsigned_at = mem_unsigned_at,
	.signed_at = mem_signed_at,
	.unsigned_next = mem_unsigned_next,
	.chain_near = mem_chain_near,
	.rrsigs_expiring = mem_rrsigs_expiring,
	.rrsigs_by_key = mem_rrsigs_by_key,
};

struct zview
zview_mem_view(struct zview_mem *m)
{
	struct zview v = { .ops = &mem_ops, .ctx = m };

	return v;
}
