/*
 * nsec3.h -- NSEC3 and NSEC3PARAM records (RFC 5155): hashed owner names
 * (hashing by libdnssec), Base32hex, rdata.
 *
 * The signer writes SHA-1 NSEC3 without opt-out; with the RFC 9276
 * defaults, no extra iterations and no salt. An NSEC3 owner is the
 * Base32hex hash as one label under the apex: all such owners have the
 * same length, so their canonical order is the order of the hashes.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_SIGNER_NSEC3_H
#define HP_SIGNER_NSEC3_H

#include <stddef.h>
#include <stdint.h>

#include "signer/nsec.h"

#define NSEC3_HASH_SHA1	1
#define NSEC3_HASH_LEN	20	/* SHA-1 */
#define NSEC3_B32_LEN	32	/* Base32hex of 20 octets, no padding */

struct nsec3_params {
	uint8_t algorithm;	/* NSEC3_HASH_SHA1 */
	uint8_t flags;		/* 0: no opt-out */
	uint16_t iterations;
	uint8_t salt_len;
	uint8_t salt[255];
};

/* Hash wire NAME (lowercased here) with P into OUT. 0 or HP_ECRYPTO. */
int nsec3_hash(const struct nsec3_params *p, const uint8_t *name,
    uint8_t out[NSEC3_HASH_LEN]);

/* Base32hex (RFC 4648 7), lowercase, no padding. Writes the text to OUT
 * (8 * ceil(len / 5) bytes suffice) and returns its length. */
size_t nsec3_b32hex(const uint8_t *in, size_t len, char *out);
/* Decode LEN characters of Base32hex (either case). Returns the octets
 * written to OUT or HP_EMALF. */
int nsec3_b32hex_decode(const char *in, size_t len, uint8_t *out,
    size_t size);

/* The NSEC3 owner for HASH in zone APEX, as a wire name in OUT
 * (DNAME_MAXLEN bytes). HP_ETOOBIG if it would exceed 255 octets. */
int nsec3_owner(const uint8_t hash[NSEC3_HASH_LEN], const uint8_t *apex,
    uint8_t *out);

/* The hash in an NSEC3 owner name (its first label). 0 or HP_EMALF. */
int nsec3_owner_hash(const uint8_t *owner, uint8_t out[NSEC3_HASH_LEN]);

/* NSEC3 rdata with NEXT hash and types S into OUT (6 + 255 + 21 +
 * NSEC_BITMAP_MAX bytes). Returns its length. */
size_t nsec3_rdata(const struct nsec3_params *p,
    const uint8_t next[NSEC3_HASH_LEN], const struct nsec_types *s,
    uint8_t *out);

/* Read NSEC3 rdata: parameters, next hash, types. 0 or HP_EMALF. */
int nsec3_rdata_parse(const uint8_t *rd, size_t len, struct nsec3_params *p,
    uint8_t next[NSEC3_HASH_LEN], struct nsec_types *s);

/* NSEC3PARAM rdata (flags 0) into OUT (5 + 255 bytes); its length. */
size_t nsec3param_rdata(const struct nsec3_params *p, uint8_t *out);

/* 1 if A and B name the same chain (algorithm, iterations, salt). */
int nsec3_params_equal(const struct nsec3_params *a,
    const struct nsec3_params *b);

#endif
