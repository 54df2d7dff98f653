/*
 * rrs.h -- the signer's resource records.
 *
 * struct sign_rr is one RR as the signer sees it: owner and rdata in
 * uncompressed wire form (dns/dname.h), class, type, TTL. It points at
 * bytes it does not own. struct sign_rrs is a growable list that owns
 * copies of its RRs' bytes in a chunked arena: pointers into it stay
 * valid while the list grows, until sign_rrs_free().
 *
 * The signer's own names are lowercase (the store keeps owners lowercase);
 * rdata keeps the case it came with and is canonicalised only for
 * signing (canon.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_SIGNER_RRS_H
#define HP_SIGNER_RRS_H

#include <stddef.h>
#include <stdint.h>

/* RR types the signer generates and owns (besides DS, which users keep). */
#define SIGN_T_DS		43
#define SIGN_T_RRSIG		46
#define SIGN_T_NSEC		47
#define SIGN_T_DNSKEY		48
#define SIGN_T_NSEC3		50
#define SIGN_T_NSEC3PARAM	51
#define SIGN_T_CDS		59
#define SIGN_T_CDNSKEY		60

struct sign_rr {
	const uint8_t *owner;	/* uncompressed absolute wire name */
	const uint8_t *rdata;	/* uncompressed wire rdata */
	uint32_t ttl;
	uint16_t type;
	uint16_t rclass;
	uint16_t rdlen;
};

struct sign_chunk;

struct sign_rrs {
	struct sign_rr *rr;
	size_t n, cap;
	struct sign_chunk *chunks;	/* arena for owners and rdata */
	const uint8_t *last_owner;	/* consecutive RRs share the owner copy */
};

void sign_rrs_init(struct sign_rrs *l);
void sign_rrs_free(struct sign_rrs *l);

/*
 * Append a copy of one RR (owner and rdata copied into the list's arena).
 * 0, HP_ENOMEM, or HP_EMALF if OWNER is not a valid wire name.
 */
int sign_rrs_add(struct sign_rrs *l, const uint8_t *owner, uint16_t type,
    uint16_t rclass, uint32_t ttl, const uint8_t *rdata, size_t rdlen);
int sign_rrs_add_rr(struct sign_rrs *l, const struct sign_rr *rr);

/*
 * Make the array at *PP (of *CAP elements of ELEM bytes) hold NEED
 * elements, doubling from FIRST. 0 or HP_ENOMEM (*PP unchanged).
 */
int sign_grow(void *pp, size_t *cap, size_t need, size_t elem,
    size_t first);

/* LEN bytes from the list's arena (freed with the list), or NULL. */
void *sign_rrs_alloc(struct sign_rrs *l, size_t len);

/*
 * Sort in canonical order (RFC 4034 6.1 and 6.3): owner, then type, then
 * rdata as octets (not canonicalised: callers compare stored forms).
 */
void sign_rrs_sort(struct sign_rrs *l);

/* Sort, then drop RRs equal to the one before (owner, type, class,
 * rdata; the TTL is ignored). */
void sign_rrs_unique(struct sign_rrs *l);

/*
 * The difference from zone A to zone B (both sorted here): the RRs to
 * delete into DEL and to add into ADD. An RR whose TTL alone changed is
 * deleted and added again (as IXFR carries it). 0 or HP_ENOMEM.
 */
int sign_rrs_diff(struct sign_rrs *a, struct sign_rrs *b,
    struct sign_rrs *del, struct sign_rrs *add);

/* The order of sign_rrs_sort(): <0, 0, >0. */
int sign_rr_cmp(const struct sign_rr *a, const struct sign_rr *b);

/* 1 if TYPE is made by the signer (RRSIG, NSEC, NSEC3, NSEC3PARAM,
 * DNSKEY, CDS, CDNSKEY) and so refused in unsigned input, else 0. */
int sign_type_generated(uint16_t type);

#endif
