/* rrsig.c -- see rrsig.h. SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/wire.h"
#include "signer/canon.h"
#include "signer/rrsig.h"

int
rrsig_parse(const uint8_t *rdata, size_t len, struct rrsig_info *out)
{
	int slen;

	if (len < RRSIG_FIXED + 1)
		return HP_EMALF;
	if ((slen = dname_wire_len(rdata + RRSIG_FIXED,
	    len - RRSIG_FIXED)) < 0)
		return HP_EMALF;
	out->covered = wire_read_u16(rdata);
	out->algorithm = rdata[2];
	out->labels = rdata[3];
	out->orig_ttl = wire_read_u32(rdata + 4);
	out->expiration = wire_read_u32(rdata + 8);
	out->inception = wire_read_u32(rdata + 12);
	out->keytag = wire_read_u16(rdata + 16);
	out->signer = rdata + RRSIG_FIXED;
	out->sig = rdata + RRSIG_FIXED + slen;
	out->siglen = len - RRSIG_FIXED - (size_t)slen;
	return 0;
}

void
rrsig_buf_free(struct rrsig_buf *b)
{
	free(b->data);
	free(b->canon);
	free(b->idx);
	memset(b, 0, sizeof(*b));
}


uint8_t
rrsig_labels(const uint8_t *owner)
{
	int n = dname_labels(owner);

	if (owner[0] == 1 && owner[1] == '*')
		n--;
	return (uint8_t)n;
}


/*
 * Write the RR part of the signed data at B->data + AT: the set's RRs
 * canonical and sorted, duplicates dropped. Returns the end offset in
 * *END.
 */
static int
rr_part(struct rrsig_buf *b, size_t at, const struct sign_rr *const *set,
    size_t n, uint32_t ttl, size_t *end)
{
	uint8_t owner[DNAME_MAXLEN];
	size_t i, j, total = 0, pos, olen, coff, ci, cj;
	size_t *idx;
	int ret;

	olen = (size_t)dname_wire_len(set[0]->owner, DNAME_MAXLEN);
	memcpy(owner, set[0]->owner, olen);
	dname_lower(owner);
	for (i = 0; i < n; i++)
		total += set[i]->rdlen;
	/* canonical rdata, each preceded by its offset in idx[n + i] */
	if ((ret = sign_grow(&b->canon, &b->ccap, total + 1, 1, 1024)) < 0 ||
	    (ret = sign_grow(&b->idx, &b->icap, 2 * n, sizeof(size_t),
	    64)) < 0)
		return ret;
	idx = b->idx;
	coff = 0;
	for (i = 0; i < n; i++) {
		if ((ret = canon_rdata(set[i]->type, set[i]->rdata,
		    set[i]->rdlen, b->canon + coff)) < 0)
			return ret;
		idx[n + i] = coff;
		coff += set[i]->rdlen;
	}
	/* insertion sort of the order: RRsets are small */
	for (i = 0; i < n; i++)
		idx[i] = i;
	for (i = 1; i < n; i++) {
		size_t v = idx[i];

		for (j = i; j > 0; j--) {
			cj = idx[j - 1];
			if (canon_cmp(b->canon + idx[n + cj], set[cj]->rdlen,
			    b->canon + idx[n + v], set[v]->rdlen) <= 0)
				break;
			idx[j] = cj;
		}
		idx[j] = v;
	}
	if ((ret = sign_grow(&b->data, &b->cap, at + n * (olen + 10) + total,
	    1, 1024)) < 0)
		return ret;
	pos = at;
	for (i = 0; i < n; i++) {
		ci = idx[i];
		if (i > 0) {
			cj = idx[i - 1];
			if (canon_cmp(b->canon + idx[n + cj], set[cj]->rdlen,
			    b->canon + idx[n + ci], set[ci]->rdlen) == 0)
				continue;
		}
		memcpy(b->data + pos, owner, olen);
		pos += olen;
		wire_write_u16(b->data + pos, set[ci]->type);
		wire_write_u16(b->data + pos + 2, set[ci]->rclass);
		wire_write_u32(b->data + pos + 4, ttl);
		wire_write_u16(b->data + pos + 8, set[ci]->rdlen);
		pos += 10;
		memcpy(b->data + pos, b->canon + idx[n + ci], set[ci]->rdlen);
		pos += set[ci]->rdlen;
	}
	*end = pos;
	return 0;
}

/* The RRSIG rdata fields before the signature, signer lowercased. */
static size_t
header(uint8_t *p, uint16_t covered, uint8_t alg, uint8_t labels,
    uint32_t ttl, uint32_t expiration, uint32_t inception, uint16_t tag,
    const uint8_t *signer, size_t slen)
{
	wire_write_u16(p, covered);
	p[2] = alg;
	p[3] = labels;
	wire_write_u32(p + 4, ttl);
	wire_write_u32(p + 8, expiration);
	wire_write_u32(p + 12, inception);
	wire_write_u16(p + 16, tag);
	memcpy(p + RRSIG_FIXED, signer, slen);
	dname_lower(p + RRSIG_FIXED);
	return RRSIG_FIXED + slen;
}

int
rrsig_sign(struct rrsig_buf *b, const struct rrsig_signer *signers,
    size_t ns, const uint8_t *apex, const struct sign_rr *const *set,
    size_t n, uint32_t inception, uint32_t expiration, struct sign_rrs *out)
{
	uint8_t rd[RRSIG_FIXED + DNAME_MAXLEN + KEYS_SIG_MAX];
	size_t slen, hlen, end, siglen, i;
	uint32_t ttl;
	uint8_t labels;
	int ret;

	if (n == 0 || ns == 0)
		return 0;
	ttl = set[0]->ttl;
	for (i = 1; i < n; i++)
		if (set[i]->ttl < ttl)
			ttl = set[i]->ttl;
	labels = rrsig_labels(set[0]->owner);
	slen = (size_t)dname_wire_len(apex, DNAME_MAXLEN);
	hlen = RRSIG_FIXED + slen;
	if ((ret = rr_part(b, hlen, set, n, ttl, &end)) < 0)
		return ret;
	for (i = 0; i < ns; i++) {
		header(b->data, set[0]->type, signers[i].st->algorithm, labels,
		    ttl, expiration, inception, signers[i].st->keytag, apex,
		    slen);
		if ((ret = keys_key_sign(signers[i].key, b->data, end,
		    rd + hlen, &siglen)) < 0)
			return ret;
		memcpy(rd, b->data, hlen);
		if ((ret = sign_rrs_add(out, set[0]->owner, SIGN_T_RRSIG,
		    set[0]->rclass, ttl, rd, hlen + siglen)) < 0)
			return ret;
		b->signatures++;
	}
	return 0;
}

int
rrsig_signed_data(struct rrsig_buf *b, const uint8_t *rrsig, size_t len,
    const struct sign_rr *const *set, size_t n, const uint8_t **data,
    size_t *datalen)
{
	struct rrsig_info ri;
	size_t hlen, end;
	int ret;

	if (n == 0 || (ret = rrsig_parse(rrsig, len, &ri)) < 0)
		return HP_EMALF;
	hlen = (size_t)(ri.sig - rrsig);
	if ((ret = rr_part(b, hlen, set, n, ri.orig_ttl, &end)) < 0)
		return ret;
	memcpy(b->data, rrsig, hlen);
	dname_lower(b->data + RRSIG_FIXED);
	*data = b->data;
	*datalen = end;
	return 0;
}
