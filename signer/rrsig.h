/*
 * rrsig.h -- RRSIG records (RFC 4034 section 3): signing an RRset in its
 * canonical form, and reading RRSIG rdata.
 *
 * The data signed (RFC 4034 3.1.8.1) is the RRSIG rdata without its
 * signature, signer name lowercased, followed by every RR of the set in
 * canonical form (owner lowercased, class, type, the original TTL, rdata
 * with embedded names lowercased for the types of RFC 4034 6.2) and in
 * canonical order (RFC 4034 6.3: by canonical rdata, duplicates dropped).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_SIGNER_RRSIG_H
#define HP_SIGNER_RRSIG_H

#include <stddef.h>
#include <stdint.h>

#include "signer/keys.h"
#include "signer/rrs.h"

#define RRSIG_FIXED	18	/* rdata octets before the signer's name */

/* The fields of RRSIG rdata; pointers into the rdata. */
struct rrsig_info {
	uint16_t covered;
	uint8_t algorithm;
	uint8_t labels;
	uint32_t orig_ttl;
	uint32_t expiration;
	uint32_t inception;
	uint16_t keytag;
	const uint8_t *signer;
	const uint8_t *sig;
	size_t siglen;
};

/* Parse RRSIG rdata. 0 or HP_EMALF. */
int rrsig_parse(const uint8_t *rdata, size_t len, struct rrsig_info *out);

/* A key that signs: its state (tag, algorithm) and private key. */
struct rrsig_signer {
	const struct keys_state *st;
	struct keys_key *key;
};

/* Scratch space reused from one RRset to the next. */
struct rrsig_buf {
	uint8_t *data;		/* the signed data */
	size_t cap;
	uint8_t *canon;		/* canonical rdata of the set */
	size_t ccap;
	size_t *idx;		/* sort order of the set */
	size_t icap;
	size_t signatures;	/* signatures made, for statistics */
};

void rrsig_buf_free(struct rrsig_buf *b);

/*
 * Sign the RRset SET (N RRs of one owner, type and class; the original
 * TTL is the smallest of their TTLs) with each of the NS SIGNERS, for the
 * zone APEX (the signer name), valid from INCEPTION to EXPIRATION (RFC
 * 1982 times). Appends one RRSIG RR per signer to OUT (owner and class of
 * the set, TTL the original TTL). 0, HP_EMALF (an rdata does not parse
 * as its type), HP_ECRYPTO or HP_ENOMEM.
 */
int rrsig_sign(struct rrsig_buf *b, const struct rrsig_signer *signers,
    size_t ns, const uint8_t *apex, const struct sign_rr *const *set,
    size_t n, uint32_t inception, uint32_t expiration, struct sign_rrs *out);

/*
 * The data an existing RRSIG (rdata RRSIG, LEN bytes) signs over SET (N
 * RRs): for verifying with another library. *DATA points into B.
 */
int rrsig_signed_data(struct rrsig_buf *b, const uint8_t *rrsig, size_t len,
    const struct sign_rr *const *set, size_t n, const uint8_t **data,
    size_t *datalen);

/* The labels field for OWNER: its labels, not counting a leading "*". */
uint8_t rrsig_labels(const uint8_t *owner);

#endif
