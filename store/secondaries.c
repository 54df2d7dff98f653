/*
 * secondaries.c -- the per-secondary ledger (table secondaries,
 * schema/002_serve.sql): what the daemon saw of each secondary of each
 * zone, read by status, wait, ?wait= and /metrics.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "dns/err.h"
#include "store/store.h"
#include "store/store_int.h"

static const char *const sec_sql[] = {
	[STORE_SEC_NOTIFY_SENT] = "INSERT INTO secondaries (zone_id, address, "
	    "notify_serial, notify_sent, notify_acked, notify_tries) "
	    "VALUES (?1, ?2, ?3, ?4, NULL, 1) ON CONFLICT DO UPDATE SET "
	    "notify_serial = ?3, notify_sent = ?4, notify_acked = NULL, "
	    "notify_tries = 1",
	[STORE_SEC_NOTIFY_ACKED] = "INSERT INTO secondaries (zone_id, address, "
	    "notify_serial, notify_acked) VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT DO UPDATE SET notify_serial = ?3, notify_acked = ?4",
	[STORE_SEC_HAS] = "INSERT INTO secondaries (zone_id, address, serial, "
	    "since) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET "
	    "serial = ?3, since = CASE WHEN serial IS ?3 THEN since ELSE ?4 END",
	[STORE_SEC_XFR] = "INSERT INTO secondaries (zone_id, address, serial, "
	    "since, last_xfr) VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT DO UPDATE "
	    "SET serial = ?3, last_xfr = ?4, "
	    "since = CASE WHEN serial IS ?3 THEN since ELSE ?4 END",
};

static int
sec_one(struct store *st, const struct store_sec_record *r)
{
	sqlite3_stmt *s;
	int ret;

	if ((unsigned)r->event > STORE_SEC_XFR)
		return HP_EINVAL;
	/* Kept prepared: the daemon writes after every transfer. */
	if ((ret = store_stmt_get(st, sec_sql[r->event], &s)) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, r->zone_id);
	sqlite3_bind_text(s, 2, r->address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, r->serial);
	sqlite3_bind_int64(s, 4, r->when);
	ret = store_step_done(s);
	store_stmt_put(st, s);
	return ret;
}

int
store_sec_record(struct store *st, const struct store_sec_record *r,
    size_t n)
{
	size_t i;
	int ret;

	st->err[0] = '\0';
	if ((ret = store_stmt_exec(st, "BEGIN IMMEDIATE")) < 0)
		return ret;
	for (i = 0; i < n && ret == 0; i++)
		ret = sec_one(st, &r[i]);
	if (ret == 0)
		ret = store_stmt_exec(st, "COMMIT");
	if (ret < 0) {
		snprintf(st->err, sizeof(st->err), "%s", sqlite3_errmsg(st->db));
		if (!sqlite3_get_autocommit(st->db))
			store_exec(st, "ROLLBACK");
		return ret == HP_EBUSY ? HP_ESTORE : ret;
	}
	return 0;
}

int
store_sec_serial(struct store *st, const char *zone, const char *address,
    uint32_t *serial)
{
	sqlite3_stmt *s;
	int r;

	if (store_prep(st, &s, "SELECT s.serial FROM secondaries s JOIN zones "
	    "z ON z.id = s.zone_id WHERE z.name = ?1 AND s.address = ?2 AND "
	    "s.serial IS NOT NULL") < 0)
		return HP_ESTORE;
	sqlite3_bind_text(s, 1, zone, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, address, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		*serial = (uint32_t)sqlite3_column_int64(s, 0);
		r = 1;
	} else
		r = r == SQLITE_DONE ? 0 : HP_ESTORE;
	sqlite3_finalize(s);
	return r;
}

static int64_t
col_or_none(sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return STORE_NONE;
	return sqlite3_column_int64(s, col);
}

int
store_sec_list(struct store *st, const char *zone,
    int (*cb)(const struct store_secondary *, void *), void *arg)
{
	struct store_secondary r;
	sqlite3_stmt *s;
	int rc, ret = 0;

	if (store_prep(st, &s, "SELECT z.name, z.serial, z.updated, "
	    "s.address, s.serial, s.since, s.notify_serial, s.notify_sent, "
	    "s.notify_acked, s.last_xfr FROM secondaries s JOIN zones z ON "
	    "z.id = s.zone_id WHERE ?1 IS NULL OR z.name = ?1 "
	    "ORDER BY z.name, s.address") < 0)
		return HP_ESTORE;
	if (zone != NULL)
		sqlite3_bind_text(s, 1, zone, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.zone = (const char *)sqlite3_column_text(s, 0);
		r.zone_serial = (uint32_t)sqlite3_column_int64(s, 1);
		r.zone_updated = sqlite3_column_int64(s, 2);
		r.address = (const char *)sqlite3_column_text(s, 3);
		r.serial = col_or_none(s, 4);
		r.since = col_or_none(s, 5);
		r.notify_serial = col_or_none(s, 6);
		r.notify_sent = col_or_none(s, 7);
		r.notify_acked = col_or_none(s, 8);
		r.last_xfr = col_or_none(s, 9);
		if (r.zone == NULL || r.address == NULL) {
			rc = SQLITE_CORRUPT;
			break;
		}
		if ((ret = cb(&r, arg)) != 0)
			break;
	}
	return store_walk_end(s, rc, ret);
}
