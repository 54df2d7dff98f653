/*
 * xfrcache.h -- AXFR messages of a zone version: built on the fly from
 * the records table and kept in the tables axfr_msgs and axfr_cache
 * (schema/007_axfr_msgs.sql), one list per version.
 *
 * Messages are at most XFRC_MSG_MAX octets, each with header (ID 0, QR
 * and AA set), the question (zone, AXFR, IN) and compressed answer RRs,
 * the SOA first in the first message and last in the last. A server
 * patches the ID and the question name's case (same length) and appends
 * a TSIG RR; XFRC_MSG_MAX leaves room for it.
 *
 * The cache is not written by the publish transaction: the daemon
 * builds it after the commit, in a thread of its own (agent/daemon/
 * cachebuild.c) with xfrc_build(), in short transactions,
 * and marks the version complete (table axfr_cache_done) at the end.
 * Until then a transfer streams the records of its snapshot
 * (xfrc_open() chooses).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_XFRCACHE_H
#define HP_XFRCACHE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct store_zone_info;

/* Largest prepared message: 64 KiB minus room for a TSIG RR. */
#define XFRC_MSG_MAX	(65535 - 1024)

/*
 * 1 when the messages of VERSION_ID of ZONE_ID are complete in the cache,
 * 0 when not, negative HP_ESTORE on a database error.
 */
int xfrc_present(struct store *st, int64_t zone_id, int64_t version_id);

/* ---- reading a version's messages -------------------------------------- */

struct xfrc_reader;

/*
 * The AXFR messages of the version ZI describes (store_zone_info() read in
 * the same snapshot), read in ST's open snapshot (store_snapshot_begin):
 * the prepared ones when the version's cache is complete (*CACHED = 1),
 * else built from the records of the snapshot, one per call (*CACHED = 0),
 * so that memory does not grow with the zone; each record checked on the
 * way (xfrc_next: HP_EINVALID). 0 and *OUT set, HP_ENOENT when the zone
 * has no SOA, HP_EINVALID when the version is marked broken (ZI->broken),
 * HP_ENOMEM, HP_ESTORE.
 */
int xfrc_open(struct store *st, const struct store_zone_info *zi,
    struct xfrc_reader **out, int *cached);
/*
 * Write the next message into BUF (CAP octets, at least XFRC_MSG_MAX is
 * best) and set *LEN. 1 when a message was written, 0 at the end, or a
 * negative HP_E* (HP_ESPACE: CAP too small).
 */
int xfrc_next(struct xfrc_reader *r, uint8_t *buf, size_t cap, size_t *len);
void xfrc_close(struct xfrc_reader *r);
/* After HP_EINVALID from xfrc_next (a record that store_check_rr()
 * refuses: never sent), which record and what is wrong. */
const char *xfrc_why(const struct xfrc_reader *r);

/* ---- building the cache ------------------------------------------------ */

struct xfrc_build_stats {
	int64_t zone_id, version_id;
	uint32_t serial;
	uint64_t rrs, msgs, bytes;
	int txns;		/* write transactions used */
	int incremental;	/* from the version before: */
	uint64_t rebuilt;	/* its messages built again */
	int broken;		/* HP_EINVALID: 1 found now (and marked,
				   store_zone_set_broken), 2 marked before */
	char why[1400];		/* which record, what is wrong */
};

/*
 * Build the cache of the current version of ZONE (absolute lowercase
 * text) when it is not complete yet: read the records in one snapshot on
 * RST (a handle with no transaction open), write the messages on WST
 * (another handle on the same file) in transactions of about CHUNK
 * octets, mark the version complete in the last one, checkpoint what it
 * wrote (WST), then delete the zone's older versions from the cache. A
 * version whose journal since a cached version before shows a small
 * change is built from that one instead (its unchanged messages kept,
 * the changed parts built again, and checked, from the records). *STOP
 * (may be NULL) non-zero aborts between chunks (partial rows are never
 * marked complete and are deleted by the next build). A record that store_check_rr() refuses
 * stops the build: the version is marked broken (STATS->broken, ->why).
 * Returns 1 when a cache was built, 0 when it was already complete
 * (older versions still pruned), HP_ENOENT for a zone not in the
 * database, HP_EINVALID for a broken version, HP_EBUSY, HP_EAGAIN when
 * stopped, HP_ESTORE.
 */
int xfrc_build(struct store *rst, struct store *wst, const char *zone,
    size_t chunk, const atomic_int *stop, struct xfrc_build_stats *stats);

/*
 * Build the cache of the zone's current version on ST (one handle, one
 * transaction; for tests and tools). Same returns as xfrc_build.
 */
int xfrc_fill(struct store *st, const char *zone);

#endif
