/*
 * sign_int.h -- internal to signer/: the signing context and the helpers
 * zone.c (whole zone) and update.c (changes, refresh) share.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_SIGNER_SIGN_INT_H
#define HP_SIGNER_SIGN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "dns/dname.h"
#include "signer/canon.h"
#include "signer/nsec.h"
#include "signer/nsec3.h"
#include "signer/rrsig.h"
#include "signer/zone.h"

/* What a name is, for signing and for the chain. */
enum {
	SIGN_ST_ABSENT = 0,	/* no records (maybe an empty non-terminal) */
	SIGN_ST_AUTH,		/* authoritative data */
	SIGN_ST_DELEG,		/* a zone cut: NS (and DS) */
	SIGN_ST_OCCLUDED,	/* below a zone cut: glue, never signed */
	SIGN_ST_APEX,
};

struct sign_ctx {
	uint8_t apex[DNAME_MAXLEN];
	uint8_t apexkey[CANON_KEY_MAX];
	size_t apexkeylen;
	const struct sign_policy *p;
	struct sign_keys keys;
	int64_t now;
	struct rrsig_signer *zsig, *ksig;	/* who signs what now */
	size_t nz, nk;
	struct rrsig_buf buf;
	struct nsec3_params n3;
	uint64_t rng;
	struct sign_rrs tmp;		/* scratch arena, per call */
	const struct sign_rr **set;	/* scratch RRset */
	size_t setcap;
	char err[512];
};

int sign_fail(struct sign_ctx *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *sign_name_str(const uint8_t *name, char *buf);

/* 1 for the types the KSK signs (DNSKEY, CDS, CDNSKEY). */
int sign_keyset_type(uint16_t type);
/* Sign one RRset with the keys for its type; RRSIGs appended to OUT. */
int sign_rrset(struct sign_ctx *c, const struct sign_rr *const *set,
    size_t n, struct sign_rrs *out);
int sign_set_room(struct sign_ctx *c, size_t n);
int sign_list(struct sign_ctx *c, const struct sign_rrs *list, size_t first,
    size_t n, struct sign_rrs *out);
/* min(SOA TTL, SOA MINIMUM): the TTL of NSEC and NSEC3 (RFC 9077). */
uint32_t sign_chain_ttl(const struct sign_rr *soa);
/* The apex records the keys and policy ask for now: DNSKEY, CDS,
 * CDNSKEY, NSEC3PARAM (TTL 0: the caller sets the chain TTL). */
int sign_apex_records(struct sign_ctx *c, struct sign_rrs *out);
/* Refuse what unsigned input must not hold. */
int sign_check_rr(struct sign_ctx *c, const struct sign_rr *rr);
/* The types an NSEC/NSEC3 lists for a name of STATUS holding TYPES. */
int sign_bitmap_types(struct sign_ctx *c, int status,
    const struct nsec_types *types, struct nsec_types *out);

/* Labels in a canonical key prefix: its label terminators. */
static inline int
sign_key_labels(const uint8_t *key, size_t len)
{
	size_t i;
	int n = 0;

	for (i = 0; i < len; i++)
		n += key[i] == 0;
	return n;
}

#endif
