/*
 * xfrcache.h -- prepared AXFR messages, one set per published version.
 *
 * store_prepare_serving() (declared in store.h) fills the table
 * axfr_cache (schema/002_serve.sql) inside every publish transaction:
 * whole DNS messages of at most XFRC_MSG_MAX octets, each with header
 * (ID 0, QR and AA set), the question (zone, AXFR, IN) and compressed
 * answer RRs, the SOA first in the first message and last in the last.
 * A server patches the ID and the question name's case (same length) and
 * appends a TSIG RR; XFRC_MSG_MAX leaves room for it. Older versions'
 * messages of the zone are deleted in the same transaction.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_XFRCACHE_H
#define HP_XFRCACHE_H

#include <stdint.h>
#include <sqlite3.h>

/* Largest prepared message: 64 KiB minus room for a TSIG RR. */
#define XFRC_MSG_MAX	(65535 - 1024)

/*
 * 1 when the messages of VERSION_ID of ZONE_ID are in the cache, 0 when
 * not, negative HP_ESTORE on a database error.
 */
int xfrc_present(sqlite3 *db, int64_t zone_id, int64_t version_id);

/*
 * Prepare the messages of the zone's current records as VERSION_ID in a
 * transaction of its own (for versions published before the cache
 * existed). 0, HP_EBUSY or HP_ESTORE.
 */
int xfrc_fill(sqlite3 *db, int64_t zone_id, int64_t version_id);

#endif
