/* rrs.c -- see rrs.h. SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "signer/canon.h"
#include "signer/rrs.h"

#define CHUNK_SIZE	(256 * 1024)

struct sign_chunk {
	struct sign_chunk *next;
	size_t used, size;
	uint8_t data[];
};

void
sign_rrs_init(struct sign_rrs *l)
{
	memset(l, 0, sizeof(*l));
}

void
sign_rrs_free(struct sign_rrs *l)
{
	struct sign_chunk *c, *next;

	for (c = l->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(l->rr);
	memset(l, 0, sizeof(*l));
}

int
sign_grow(void *pp, size_t *cap, size_t need, size_t elem, size_t first)
{
	void **p = pp;
	size_t ncap = *cap ? *cap : first;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	if ((np = realloc(*p, ncap * elem)) == NULL)
		return HP_ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

void *
sign_rrs_alloc(struct sign_rrs *l, size_t len)
{
	struct sign_chunk *c = l->chunks;
	size_t size;
	void *p;

	if (c == NULL || c->size - c->used < len) {
		size = len > CHUNK_SIZE / 4 ? len : CHUNK_SIZE;
		if ((c = malloc(sizeof(*c) + size)) == NULL)
			return NULL;
		c->used = 0;
		c->size = size;
		/* a big one-off allocation goes behind the current chunk so
		 * the current one keeps filling */
		if (size > CHUNK_SIZE && l->chunks != NULL) {
			c->next = l->chunks->next;
			l->chunks->next = c;
		} else {
			c->next = l->chunks;
			l->chunks = c;
		}
	}
	p = c->data + c->used;
	c->used += len;
	return p;
}

int
sign_rrs_add(struct sign_rrs *l, const uint8_t *owner, uint16_t type,
    uint16_t rclass, uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
	struct sign_rr *r;
	uint8_t *o, *d;
	int olen;

	if ((olen = dname_wire_len(owner, DNAME_MAXLEN)) < 0)
		return HP_EMALF;
	if (rdlen > UINT16_MAX)
		return HP_ETOOBIG;
	if (sign_grow(&l->rr, &l->cap, l->n + 1, sizeof(*l->rr), 64) < 0)
		return HP_ENOMEM;
	if (l->last_owner != NULL &&
	    memcmp(l->last_owner, owner, (size_t)olen) == 0) {
		o = (uint8_t *)(uintptr_t)l->last_owner;
	} else {
		if ((o = sign_rrs_alloc(l, (size_t)olen)) == NULL)
			return HP_ENOMEM;
		memcpy(o, owner, (size_t)olen);
		l->last_owner = o;
	}
	d = NULL;
	if (rdlen > 0) {
		if ((d = sign_rrs_alloc(l, rdlen)) == NULL)
			return HP_ENOMEM;
		memcpy(d, rdata, rdlen);
	}
	r = &l->rr[l->n++];
	r->owner = o;
	r->rdata = d;
	r->rdlen = (uint16_t)rdlen;
	r->type = type;
	r->rclass = rclass;
	r->ttl = ttl;
	return 0;
}

int
sign_rrs_add_rr(struct sign_rrs *l, const struct sign_rr *rr)
{
	return sign_rrs_add(l, rr->owner, rr->type, rr->rclass, rr->ttl,
	    rr->rdata, rr->rdlen);
}

int
sign_rr_cmp(const struct sign_rr *a, const struct sign_rr *b)
{
	int c;

	if (a->owner != b->owner && (c = dname_canon_cmp(a->owner,
	    b->owner)) != 0)
		return c;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	return canon_cmp(a->rdata, a->rdlen, b->rdata, b->rdlen);
}

static int
rr_qcmp(const void *a, const void *b)
{
	return sign_rr_cmp(a, b);
}

void
sign_rrs_sort(struct sign_rrs *l)
{
	if (l->n > 1)
		qsort(l->rr, l->n, sizeof(*l->rr), rr_qcmp);
}

void
sign_rrs_unique(struct sign_rrs *l)
{
	size_t i, n = 0;

	sign_rrs_sort(l);
	for (i = 0; i < l->n; i++)
		if (n == 0 || sign_rr_cmp(&l->rr[n - 1], &l->rr[i]) != 0 ||
		    l->rr[n - 1].rclass != l->rr[i].rclass)
			l->rr[n++] = l->rr[i];
	l->n = n;
}

int
sign_rrs_diff(struct sign_rrs *a, struct sign_rrs *b, struct sign_rrs *del,
    struct sign_rrs *add)
{
	size_t i = 0, j = 0;
	int c, ret = 0;

	sign_rrs_sort(a);
	sign_rrs_sort(b);
	while ((i < a->n || j < b->n) && ret == 0) {
		c = i == a->n ? 1 : j == b->n ? -1 :
		    sign_rr_cmp(&a->rr[i], &b->rr[j]);
		if (c == 0 && a->rr[i].rclass != b->rr[j].rclass)
			c = a->rr[i].rclass < b->rr[j].rclass ? -1 : 1;
		if (c == 0 && a->rr[i].ttl == b->rr[j].ttl) {
			i++;
			j++;
		} else if (c == 0) {
			if ((ret = sign_rrs_add_rr(del, &a->rr[i++])) == 0)
				ret = sign_rrs_add_rr(add, &b->rr[j++]);
		} else if (c < 0)
			ret = sign_rrs_add_rr(del, &a->rr[i++]);
		else
			ret = sign_rrs_add_rr(add, &b->rr[j++]);
	}
	return ret;
}

int
sign_type_generated(uint16_t type)
{
	switch (type) {
	case SIGN_T_RRSIG:
	case SIGN_T_NSEC:
	case SIGN_T_DNSKEY:
	case SIGN_T_NSEC3:
	case SIGN_T_NSEC3PARAM:
	case SIGN_T_CDS:
	case SIGN_T_CDNSKEY:
		return 1;
	default:
		return 0;
	}
}
