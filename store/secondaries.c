/*
 * secondaries.c -- the secondaries ledger (table secondaries,
 * schema/005_secondaries.sql): what the daemon knows of each notify:
 * target of each zone, read by status, wait, ?wait= and /metrics.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "dns/err.h"
#include "dns/serial.h"
#include "store/store.h"
#include "store/store_int.h"

/* Parameters: ?1 zone_id, ?2 target, ?3 serial, ?4 when, ?5 kind,
 * ?6 bytes, ?7 first, ?8 state, ?9 reason, ?10 since. */
#define SEC_UPSERT(cols, vals, set) "INSERT INTO secondaries (zone_id, " \
    "target, " cols ") VALUES (?1, ?2, " vals ") ON CONFLICT DO UPDATE SET " set

static const char *const sec_sql[] = {
	[STORE_SEC_NOTIFY_SENT] = SEC_UPSERT("notify_serial, notify_sent",
	    "?3, ?4", "notify_serial = ?3, notify_sent = ?4, "
	    "notify_acked = NULL, notify_error = NULL"),
	[STORE_SEC_NOTIFY_ACKED] = SEC_UPSERT("notify_serial, notify_acked",
	    "?3, ?4", "notify_serial = ?3, notify_acked = ?4, "
	    "notify_error = NULL"),
	[STORE_SEC_NOTIFY_FAILED] = SEC_UPSERT("notify_serial, notify_error",
	    "?3, ?9", "notify_serial = ?3, notify_acked = NULL, "
	    "notify_error = ?9"),
	[STORE_SEC_XFR] = SEC_UPSERT("xfr_serial, xfr_time, xfr_kind, "
	    "xfr_bytes, xfr_first", "?3, ?4, ?5, ?6, ?7", "xfr_serial = ?3, "
	    "xfr_time = ?4, xfr_kind = ?5, xfr_bytes = ?6, xfr_first = ?7"),
	[STORE_SEC_PROBE] = SEC_UPSERT("serial, since, probed, state, reason",
	    "?3, ?10, nullif(?4, 0), ?8, ?9", "serial = ?3, since = ?10, "
	    "probed = coalesce(nullif(?4, 0), probed), state = ?8, "
	    "reason = ?9"),
};

static void
bind_text_or_null(sqlite3_stmt *s, int col, const char *text)
{
	if (text[0] != '\0')
		sqlite3_bind_text(s, col, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, col);
}

static int
sec_one(struct store *st, const struct store_sec_record *r)
{
	sqlite3_stmt *s;
	int ret;

	if ((unsigned)r->event > STORE_SEC_PROBE)
		return HP_EINVAL;
	/* Kept prepared: the daemon writes after every transfer. */
	if ((ret = store_stmt_get(st, sec_sql[r->event], &s)) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, r->zone_id);
	sqlite3_bind_text(s, 2, r->target, -1, SQLITE_STATIC);
	if (r->event != STORE_SEC_PROBE || r->has_serial)
		sqlite3_bind_int64(s, 3, r->serial);
	sqlite3_bind_int64(s, 4, r->when);
	sqlite3_bind_text(s, 5, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)r->bytes);
	sqlite3_bind_int64(s, 7, r->first);
	sqlite3_bind_text(s, 8, r->state, -1, SQLITE_STATIC);
	bind_text_or_null(s, 9, r->reason);
	if (r->has_serial)
		sqlite3_bind_int64(s, 10, r->since);
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

/* ---- reading -------------------------------------------------------- */

#define SEC_COLS "z.name, z.serial, z.updated, s.target, s.serial, " \
    "s.since, s.probed, s.state, s.reason, s.xfr_serial, s.xfr_kind, " \
    "s.xfr_bytes, s.xfr_time, s.xfr_first, s.notify_serial, " \
    "s.notify_sent, s.notify_acked, s.notify_error FROM secondaries s " \
    "JOIN zones z ON z.id = s.zone_id "

static int64_t
col_or_none(sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return STORE_NONE;
	return sqlite3_column_int64(s, col);
}

static void
col_text(sqlite3_stmt *s, int col, char *out, size_t len)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(out, len, "%s", t != NULL ? (const char *)t : "");
}

/* A row of SEC_COLS into *R, with the state as readers see it. */
static int
sec_fill(sqlite3_stmt *s, struct store_secondary *r)
{
	memset(r, 0, sizeof(*r));
	if (sqlite3_column_type(s, 0) == SQLITE_NULL ||
	    sqlite3_column_type(s, 3) == SQLITE_NULL)
		return HP_ESTORE;
	col_text(s, 0, r->zone, sizeof(r->zone));
	r->zone_serial = (uint32_t)sqlite3_column_int64(s, 1);
	r->zone_updated = sqlite3_column_int64(s, 2);
	col_text(s, 3, r->target, sizeof(r->target));
	r->serial = col_or_none(s, 4);
	r->since = col_or_none(s, 5);
	r->probed = col_or_none(s, 6);
	col_text(s, 7, r->state, sizeof(r->state));
	col_text(s, 8, r->reason, sizeof(r->reason));
	r->xfr_serial = col_or_none(s, 9);
	col_text(s, 10, r->xfr_kind, sizeof(r->xfr_kind));
	r->xfr_bytes = col_or_none(s, 11);
	r->xfr_time = col_or_none(s, 12);
	r->xfr_first = col_or_none(s, 13);
	r->notify_serial = col_or_none(s, 14);
	r->notify_sent = col_or_none(s, 15);
	r->notify_acked = col_or_none(s, 16);
	col_text(s, 17, r->notify_error, sizeof(r->notify_error));
	if (r->state[0] == '\0')
		snprintf(r->state, sizeof(r->state), "unknown");
	else if (strcmp(r->state, "in-sync") == 0 &&
	    !store_sec_has(r, r->zone_serial)) {
		/* Published after the daemon's last verdict. */
		snprintf(r->state, sizeof(r->state), "behind");
		snprintf(r->reason, sizeof(r->reason), "serial %u published, "
		    "not confirmed yet", r->zone_serial);
	}
	return 0;
}

int
store_sec_has(const struct store_secondary *s, uint32_t serial)
{
	return s->serial != STORE_NONE &&
	    serial_at_least((uint32_t)s->serial, serial);
}

int
store_sec_stale(const struct store_secondary *s, uint32_t serial)
{
	return strcmp(s->state, "stale") == 0 &&
	    s->xfr_serial != STORE_NONE &&
	    serial_at_least((uint32_t)s->xfr_serial, serial) &&
	    !store_sec_has(s, serial);
}

int
store_sec_get(struct store *st, const char *zone, const char *target,
    struct store_secondary *out)
{
	sqlite3_stmt *s;
	int r;

	if (store_prep(st, &s, "SELECT " SEC_COLS "WHERE z.name = ?1 AND "
	    "s.target = ?2") < 0)
		return HP_ESTORE;
	sqlite3_bind_text(s, 1, zone, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, target, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		r = sec_fill(s, out) == 0 ? 1 : HP_ESTORE;
	else
		r = r == SQLITE_DONE ? 0 : HP_ESTORE;
	sqlite3_finalize(s);
	return r;
}

int
store_sec_list(struct store *st, const char *zone,
    int (*cb)(const struct store_secondary *, void *), void *arg)
{
	struct store_secondary r;
	sqlite3_stmt *s;
	int rc, ret = 0;

	if (store_prep(st, &s, "SELECT " SEC_COLS "WHERE ?1 IS NULL OR "
	    "z.name = ?1 ORDER BY z.name, s.target") < 0)
		return HP_ESTORE;
	if (zone != NULL)
		sqlite3_bind_text(s, 1, zone, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sec_fill(s, &r) < 0) {
			rc = SQLITE_CORRUPT;
			break;
		}
		if ((ret = cb(&r, arg)) != 0)
			break;
	}
	return store_walk_end(s, rc, ret);
}

int
store_sec_forget(struct store *st, const char *who, const char *zone,
    int *n)
{
	sqlite3_stmt *s;
	int ret;

	*n = 0;
	st->err[0] = '\0';
	/* "ADDR@PORT" is one target; "ADDR" every target of that address
	 * (a target's text is ADDR@PORT: its part before the last '@'). */
	if ((ret = store_prep(st, &s, "DELETE FROM secondaries WHERE "
	    "(target = ?1 OR (instr(?1, '@') = 0 AND "
	    "substr(target, 1, length(?1) + 1) = ?1 || '@')) AND (?2 IS NULL "
	    "OR zone_id = (SELECT id FROM zones WHERE name = ?2))")) < 0)
		return ret;
	sqlite3_bind_text(s, 1, who, -1, SQLITE_STATIC);
	if (zone != NULL)
		sqlite3_bind_text(s, 2, zone, -1, SQLITE_STATIC);
	ret = store_step_done(s);
	if (ret == 0)
		*n = sqlite3_changes(st->db);
	sqlite3_finalize(s);
	return ret;
}
