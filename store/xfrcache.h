/*
 * xfrcache.h -- AXFR messages of a zone version: built on the fly from
 * the records table (xfrc_stream) and kept in the table axfr_cache
 * (schema/002_serve.sql), one set per version.
 *
 * Messages are at most XFRC_MSG_MAX octets, each with header (ID 0, QR
 * and AA set), the question (zone, AXFR, IN) and compressed answer RRs,
 * the SOA first in the first message and last in the last. A server
 * patches the ID and the question name's case (same length) and appends
 * a TSIG RR; XFRC_MSG_MAX leaves room for it.
 *
 * The cache is not written by the publish transaction: the daemon
 * builds it after the commit, in a thread of its own (agent/cachebuild.c) with xfrc_build(), in short transactions,
 * and marks the version complete (table axfr_cache_done) at the end.
 * Until then a transfer streams the records of its snapshot.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_XFRCACHE_H
#define HP_XFRCACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

/* Largest prepared message: 64 KiB minus room for a TSIG RR. */
#define XFRC_MSG_MAX	(65535 - 1024)

/*
 * 1 when the messages of VERSION_ID of ZONE_ID are complete in the cache,
 * 0 when not, negative HP_ESTORE on a database error.
 */
int xfrc_present(sqlite3 *db, int64_t zone_id, int64_t version_id);

/* ---- messages built from the records table --------------------------- */

struct xfrc_stream;

/*
 * Walk the current records of ZONE_ID (ZONE: its name, absolute,
 * lowercase text) on DB, which should be inside a read transaction so
 * that the walk sees one version. 0 and *OUT set, HP_ENOENT when the
 * zone has no SOA, HP_ENOMEM, HP_ESTORE.
 */
int xfrc_stream_open(sqlite3 *db, int64_t zone_id, const char *zone,
    struct xfrc_stream **out);
/*
 * Write the next message into BUF (CAP octets, at least XFRC_MSG_MAX is
 * best) and set *LEN (and *RRS, may be NULL, to its RR count). 1 when a
 * message was written, 0 at the end, or a negative HP_E*.
 */
int xfrc_stream_next(struct xfrc_stream *s, uint8_t *buf, size_t cap,
    size_t *len, int *rrs);
void xfrc_stream_free(struct xfrc_stream *s);

/* ---- building the cache ------------------------------------------------ */

struct xfrc_build_stats {
	int64_t zone_id, version_id;
	uint32_t serial;
	uint64_t rrs, msgs, bytes;
	int txns;		/* write transactions used */
};

/*
 * Build the cache of the current version of ZONE (absolute lowercase
 * text) when it is not complete yet: read the records in one snapshot on
 * RDB (a connection with no transaction open), write the messages on WDB
 * (another connection to the same file) in transactions of about CHUNK
 * octets, mark the version complete in the last one, then delete the
 * zone's older versions from the cache. *STOP (may be NULL) non-zero
 * aborts between chunks (partial rows are never marked complete and are
 * deleted by the next build). Returns 1 when a cache was built, 0 when
 * it was already complete (older versions still pruned), HP_ENOENT for
 * a zone not in the database, HP_EBUSY, HP_ECANCELED-like HP_EAGAIN when
 * stopped, HP_ESTORE.
 */
int xfrc_build(sqlite3 *rdb, sqlite3 *wdb, const char *zone, size_t chunk,
    const volatile int *stop, struct xfrc_build_stats *stats);

/* Settings for a builder's connections (page cache, no fsync per
 * chunk). */
void xfrc_tune(sqlite3 *rdb, sqlite3 *wdb);

/*
 * Build the cache of the zone's current version on DB (one connection,
 * one transaction; for tests and tools). Same returns as xfrc_build.
 */
int xfrc_fill(sqlite3 *db, const char *zone);

#endif
