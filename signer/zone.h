/*
 * zone.h -- the zone signer: a whole zone, a change, or a refresh.
 *
 * Input is a zone's unsigned records (sign_zone_full) or the unsigned
 * change to a signed zone seen through a view (sign_zone_update,
 * sign_zone_refresh; zview.h). Output is always the generated records to
 * remove and to add: DNSKEY, CDS/CDNSKEY, NSEC3PARAM at the apex, RRSIGs
 * over every authoritative RRset (at a delegation only DS; never glue or
 * anything else below a zone cut), and an NSEC chain or an NSEC3 chain
 * (SHA-1, no opt-out, empty non-terminals included; RFC 5155 7.1).
 *
 * Which key signs what follows its state at NOW (keys.h): DNSKEY, CDS and
 * CDNSKEY RRsets by the keys with the KSK role, all others by the keys
 * with the ZSK role (a CSK has both). RRSIG inception is NOW minus
 * SIGN_INCEPTION_BACKDATE; expiration NOW plus rrsig-lifetime minus a
 * random jitter of up to a quarter of (rrsig-lifetime - rrsig-refresh),
 * so that signatures made together fall due over a span of time and
 * their refresh spreads out. NSEC/NSEC3 TTLs are min(SOA TTL, SOA
 * MINIMUM) (RFC 9077); DNSKEY, CDS, CDNSKEY TTLs are dnskey-ttl.
 *
 * Unsigned input must not hold generated types, classes other than IN,
 * names outside the zone, or TTLs above zone-max-ttl: such input fails
 * with HP_EINVALID and a message naming the record (sign_ctx_error()).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_SIGNER_ZONE_H
#define HP_SIGNER_ZONE_H

#include <stddef.h>
#include <stdint.h>

#include "signer/keys.h"
#include "signer/policy.h"
#include "signer/rrs.h"
#include "signer/rrsig.h"
#include "signer/zview.h"

/* The zone's keys: public state, and private keys (NULL for those that do
 * not sign at NOW; keys that sign must have theirs). */
struct sign_keys {
	const struct keys_state *st;
	struct keys_key *const *priv;
	size_t n;
};

/* What one call produced. */
struct sign_result {
	struct sign_rrs removed;	/* generated RRs to delete */
	struct sign_rrs added;		/* generated RRs to add */
	size_t signatures;		/* RRSIGs made */
	/* sign_zone_update: the change cannot be signed incrementally
	 * (NSEC <-> NSEC3 or new NSEC3 parameters, a new SOA MINIMUM or
	 * TTL for the chain, a new key that must sign every RRset at once):
	 * removed/added are empty; sign the whole zone and replace the
	 * generated records. Why, in sign_ctx_error(). */
	int full_needed;
	/* sign_zone_refresh: RRsets left over beyond the batch. */
	size_t pending;
};

void sign_result_init(struct sign_result *r);
void sign_result_free(struct sign_result *r);

struct sign_ctx;

/*
 * A signing context for zone APEX (wire name) under policy P with KEYS at
 * time NOW. P and KEYS must outlive it. HP_EINVALID (message in ERR) if
 * no key signs the zone or the DNSKEY RRset at NOW.
 */
int sign_ctx_new(const uint8_t *apex, const struct sign_policy *p,
    const struct sign_keys *keys, int64_t now, struct sign_ctx **out,
    char *err, size_t errlen);
void sign_ctx_free(struct sign_ctx *c);

/* The message of the last failure (or of full_needed). */
const char *sign_ctx_error(const struct sign_ctx *c);

/* Seed the jitter (tests: reproducible expirations). */
void sign_ctx_seed(struct sign_ctx *c, uint64_t seed);

/*
 * Sign a whole zone: RRS are its N unsigned RRs (any order; one SOA at
 * the apex). OUT->added gets every generated RR; OUT->removed stays
 * empty.
 */
int sign_zone_full(struct sign_ctx *c, const struct sign_rr *rrs, size_t n,
    struct sign_result *out);

/*
 * Sign a change to the zone seen through V (the zone before the change):
 * unsigned RRs DEL (NDEL; each must be in the zone) removed, ADD (NADD)
 * added, the SOA change included. OUT gets the generated RRs to remove
 * from and add to the zone: the RRSIGs of the RRsets the change touched,
 * the NSEC/NSEC3 records whose part of the chain moved, and the apex key
 * records (DNSKEY, CDS, CDNSKEY) if the keys' state at NOW asks for other
 * ones; RRSIGs of keys no longer published are removed. Nothing else.
 */
int sign_zone_update(struct sign_ctx *c, const struct zview *v,
    const struct sign_rr *del, size_t ndel, const struct sign_rr *add,
    size_t nadd, struct sign_result *out);

/*
 * Refresh signatures: the RRsets whose RRSIGs expire within rrsig-refresh
 * of NOW, or were made by a key that is published but no longer signs
 * (a ZSK being replaced), re-signed by the current keys; at most
 * MAX_RRSETS of them, the most urgent first (OUT->pending counts the
 * rest, 0 when all are done).
 */
int sign_zone_refresh(struct sign_ctx *c, const struct zview *v,
    size_t max_rrsets, struct sign_result *out);

/*
 * When sign_zone_refresh() next has work for zone V: *WHEN = NOW if some
 * RRSIG is already due or made by a retired key, else the time the
 * earliest RRSIG enters the refresh window, else 0 (nothing signed).
 */
int sign_zone_next_refresh(struct sign_ctx *c, const struct zview *v,
    int64_t *when);

#endif
