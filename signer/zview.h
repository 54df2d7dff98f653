/*
 * zview.h -- a read-only view of a signed zone, for incremental signing.
 *
 * The incremental signer (zone.h) never holds the zone: it asks a view
 * for what it needs around the names a change touches. A view answers
 * from the zone as it was before the change (unsigned records plus the
 * records the signer generated). The store implements these callbacks on
 * SQLite later; struct zview_mem below implements them in memory for the
 * full signer's callers and the tests.
 *
 * "Unsigned" records are the users' (everything but the generated types
 * of rrs.h: RRSIG, NSEC, NSEC3, NSEC3PARAM, DNSKEY, CDS, CDNSKEY); the
 * rest are "generated". Names are wire names. Canonical order is RFC 4034
 * 6.1 (canon.h gives a memcmp-able key for it). RRSIG expiration times
 * are read as unsigned 32-bit unix times (good until 2106).
 *
 * Every callback returns 0 or a negative error; HP_ENOENT where noted.
 * Records appended to a struct sign_rrs are copies the caller owns.
 *
 * What a SQLite store needs for these (one zone_id per zone):
 *  - the unsigned records with a canonical key column (canon BLOB from
 *    canon_key()) indexed (zone_id, canon): unsigned_at, unsigned_next;
 *  - the generated records apart (their own table, never user input) with
 *    canon, type, and for RRSIGs covered, keytag, algorithm, expiration
 *    extracted: index (zone_id, canon, type) for signed_at; a partial
 *    index (zone_id, type, canon) WHERE type IN (47, 50) for chain_near;
 *    (zone_id, expiration) WHERE type = 46 for rrsigs_expiring;
 *    (zone_id, keytag) WHERE type = 46 for rrsigs_by_key.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_SIGNER_ZVIEW_H
#define HP_SIGNER_ZVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "signer/rrs.h"

struct zview_ops {
	/* Append the unsigned RRs at OWNER to OUT. */
	int (*unsigned_at)(void *ctx, const uint8_t *owner,
	    struct sign_rrs *out);
	/* Append the generated RRs of TYPE at OWNER to OUT. */
	int (*signed_at)(void *ctx, const uint8_t *owner, uint16_t type,
	    struct sign_rrs *out);
	/* The first owner of unsigned RRs after NAME in canonical order
	 * (NAME NULL: the first one) into OUT (DNAME_MAXLEN bytes), or
	 * HP_ENOENT. */
	int (*unsigned_next)(void *ctx, const uint8_t *name, uint8_t *out);
	/* The owner of an RR of TYPE (NSEC or NSEC3) nearest to NAME in
	 * canonical order, before it (DIR < 0) or after it (DIR > 0), NAME
	 * itself excluded, into OUT; HP_ENOENT if there is none that side. */
	int (*chain_near)(void *ctx, uint16_t type, const uint8_t *name,
	    int dir, uint8_t *out);
	/* Append to OUT at most MAX RRSIGs expiring before BEFORE, the
	 * earliest first. */
	int (*rrsigs_expiring)(void *ctx, int64_t before, size_t max,
	    struct sign_rrs *out);
	/* Append to OUT at most MAX RRSIGs made by the key TAG/ALG. */
	int (*rrsigs_by_key)(void *ctx, uint16_t tag, uint8_t alg, size_t max,
	    struct sign_rrs *out);
};

struct zview {
	const struct zview_ops *ops;
	void *ctx;
};

/*
 * The in-memory view: a signed zone held as two sorted arrays (unsigned
 * and generated records) plus the NSEC/NSEC3 owners; changes are merged
 * in O(zone) by zview_mem_apply().
 */
struct zview_mem;

/* A new empty zone. NULL if out of memory. */
struct zview_mem *zview_mem_new(void);
void zview_mem_free(struct zview_mem *m);

/*
 * Apply a change: remove the RRs of DEL (matched on owner, type, class and
 * rdata; the TTL is ignored) and add those of ADD. Either may be NULL.
 * HP_ENOENT if a removed RR is not there (nothing is changed then).
 */
int zview_mem_apply(struct zview_mem *m, const struct sign_rrs *del,
    const struct sign_rrs *add);

/* Add N RRs (a load). */
int zview_mem_add(struct zview_mem *m, const struct sign_rr *rrs, size_t n);

/* The view of M (valid until M changes... it reads M's current state). */
struct zview zview_mem_view(struct zview_mem *m);

/* Number of RRs, unsigned and generated. */
size_t zview_mem_count(const struct zview_mem *m, size_t *nunsigned,
    size_t *ngenerated);

/* Append every RR (unsigned, then generated; each in canonical order). */
int zview_mem_dump(const struct zview_mem *m, struct sign_rrs *out);

/* Append every unsigned RR in canonical order. */
int zview_mem_dump_unsigned(const struct zview_mem *m, struct sign_rrs *out);

#endif
