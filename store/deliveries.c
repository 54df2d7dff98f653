/*
 * deliveries.c -- webhook deliveries already received (see deliveries.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "dns/err.h"
#include "store/deliveries.h"
#include "store/store_int.h"

int
store_delivery_seen(struct store *st, const char *id, int64_t since)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = store_prep(st, &s, "SELECT 1 FROM webhook_deliveries "
	    "WHERE id = ?1 AND received >= ?2")) < 0)
		return HP_ESTORE;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, since);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : HP_ESTORE;
}

int
store_delivery_add(struct store *st, const char *id, const char *zone,
    int64_t now, int64_t keep_s)
{
	sqlite3_stmt *s = NULL;
	int r;

	if ((r = store_exec(st, "BEGIN IMMEDIATE")) < 0)
		return r;
	if ((r = store_prep(st, &s, "DELETE FROM webhook_deliveries WHERE "
	    "received < ?1")) < 0)
		goto out;
	sqlite3_bind_int64(s, 1, now - keep_s);
	if ((r = store_step_done(s)) < 0)
		goto out;
	sqlite3_finalize(s);
	if ((r = store_prep(st, &s, "INSERT OR REPLACE INTO "
	    "webhook_deliveries (id, zone, received) VALUES (?1, ?2, ?3)")) <
	    0) {
		s = NULL;
		goto out;
	}
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, zone, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	r = store_step_done(s);
out:
	sqlite3_finalize(s);
	if (r == 0 && (r = store_exec(st, "COMMIT")) == 0)
		return 0;
	(void)store_exec(st, "ROLLBACK");
	return r;
}
