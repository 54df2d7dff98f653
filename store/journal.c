/*
 * journal.c -- walking a zone's RRs: the current version (records), a
 * past version rebuilt by applying the journal backwards, and the journal
 * itself as IXFR sends it (RFC 1995).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "dns/err.h"
#include "store/store.h"
#include "store/store_int.h"

/* Walk rows (owner, type, class, ttl, rdata) of S. */
/* The row of S (owner, type, class, ttl, rdata, ...) as an RR. */
static int
row_rr(sqlite3_stmt *s, struct store_rr *rr)
{
	int len;

	rr->owner = (const char *)sqlite3_column_text(s, 0);
	rr->type = (uint16_t)sqlite3_column_int(s, 1);
	rr->rclass = (uint16_t)sqlite3_column_int(s, 2);
	rr->ttl = (uint32_t)sqlite3_column_int64(s, 3);
	rr->rdata = sqlite3_column_blob(s, 4);
	len = sqlite3_column_bytes(s, 4);
	if (rr->owner == NULL || len < 0 || len > 65535)
		return HP_ESTORE;
	rr->rdlen = (uint16_t)len;
	return 0;
}

static int
walk_rows(sqlite3_stmt *s, store_rr_cb cb, void *arg)
{
	struct store_rr rr;
	int rc, ret;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((ret = row_rr(s, &rr)) < 0 || (ret = cb(&rr, arg)) != 0)
			return ret;
	}
	return rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

static int
walk_sql(struct store *st, const char *sql, int64_t a, int64_t b,
    store_rr_cb cb, void *arg)
{
	sqlite3_stmt *s;
	int rc, ret;

	if ((rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL)) != SQLITE_OK)
		return store_sqlerr(rc);
	sqlite3_bind_int64(s, 1, a);
	if (sqlite3_bind_parameter_count(s) > 1)
		sqlite3_bind_int64(s, 2, b);
	ret = walk_rows(s, cb, arg);
	sqlite3_finalize(s);
	return ret;
}

int
store_foreach_rr(struct store *st, int64_t zone_id, store_rr_cb cb,
    void *arg)
{
	int ret;

	ret = walk_sql(st, "SELECT owner, type, class, ttl, rdata FROM records"
	    " WHERE zone_id = ?1 AND type = 6", zone_id, 0, cb, arg);
	if (ret != 0)
		return ret;
	return walk_sql(st, "SELECT owner, type, class, ttl, rdata FROM records"
	    " WHERE zone_id = ?1 AND type <> 6 ORDER BY owner, type, rdata,"
	    " class", zone_id, 0, cb, arg);
}

int
store_foreach_generated(struct store *st, int64_t zone_id, store_rr_cb cb,
    void *arg)
{
	return walk_sql(st, "SELECT owner, type, class, ttl, rdata FROM "
	    "dnssec_records WHERE zone_id = ?1 ORDER BY canon, type, rdata",
	    zone_id, 0, cb, arg);
}

/* Kept prepared (store_stmt_get): every IXFR runs them. */
static const char version_sql[] = "SELECT id, prev_serial FROM versions "
    "WHERE zone_id = ? AND serial = ? ORDER BY id DESC LIMIT 1";
static const char zone_serial_sql[] = "SELECT serial FROM zones WHERE id = ?";
static const char journal_sql[] = "SELECT owner, type, class, ttl, rdata, "
    "op FROM journal WHERE version_id = ? ORDER BY op, seq";

/* The latest version of ZONE_ID with SERIAL: its id and prev_serial. */
static int
version_by_serial(struct store *st, int64_t zone_id, uint32_t serial,
    int64_t *id, int64_t *prev, int *has_prev)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = store_stmt_get(st, version_sql, &s)) < 0)
		return rc;
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_int64(s, 2, serial);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		*has_prev = sqlite3_column_type(s, 1) != SQLITE_NULL;
		*prev = sqlite3_column_int64(s, 1);
	}
	store_stmt_put(st, s);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? HP_ENOJOURNAL : store_sqlerr(rc);
}

static int
exec_bind(struct store *st, const char *sql, int64_t a)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL)) != SQLITE_OK)
		return store_sqlerr(rc);
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, a);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

/* The published serial of ZONE_ID. */
static int
get_int_bind(struct store *st, int64_t zone_id, int64_t *serial)
{
	return store_stmt_int(st, zone_serial_sql, zone_id, serial);
}

int
store_foreach_rr_at(struct store *st, int64_t zone_id, uint32_t serial,
    store_rr_cb cb, void *arg)
{
	int64_t cur, vid, prev;
	int has_prev, ret, guard;

	if ((ret = get_int_bind(st, zone_id, &cur)) < 0)
		return ret;
	if ((uint32_t)cur == serial) {
		if ((ret = store_foreach_rr(st, zone_id, cb, arg)) != 0)
			return ret;
		return store_foreach_generated(st, zone_id, cb, arg);
	}
	if ((ret = exec_bind(st, "CREATE TEMP TABLE IF NOT EXISTS hp_snap("
	    "owner TEXT, type INTEGER, class INTEGER, ttl INTEGER, rdata BLOB,"
	    " PRIMARY KEY (owner, type, rdata, class)) WITHOUT ROWID", 0)) < 0 ||
	    (ret = exec_bind(st, "DELETE FROM temp.hp_snap", 0)) < 0 ||
	    (ret = exec_bind(st, "INSERT INTO temp.hp_snap SELECT owner, type,"
	    " class, ttl, rdata FROM records WHERE zone_id = ?", zone_id)) < 0 ||
	    (ret = exec_bind(st, "INSERT OR REPLACE INTO temp.hp_snap SELECT "
	    "owner, type, class, ttl, rdata FROM dnssec_records WHERE "
	    "zone_id = ?", zone_id)) < 0)
		return ret;
	/* reverse-apply versions, newest first, until SERIAL is reached */
	for (guard = 0; (uint32_t)cur != serial; guard++) {
		if (guard > 1000000)
			return HP_ENOJOURNAL;
		if ((ret = version_by_serial(st, zone_id, (uint32_t)cur, &vid,
		    &prev, &has_prev)) < 0)
			return ret;
		if (!has_prev)
			return HP_ENOJOURNAL;
		if ((ret = exec_bind(st, "DELETE FROM temp.hp_snap WHERE "
		    "(owner, type, class, rdata) IN (SELECT owner, type, class,"
		    " rdata FROM journal WHERE version_id = ? AND op = 1)",
		    vid)) < 0 ||
		    (ret = exec_bind(st, "INSERT OR REPLACE INTO temp.hp_snap "
		    "SELECT owner, type, class, ttl, rdata FROM journal WHERE "
		    "version_id = ? AND op = 0", vid)) < 0)
			return ret;
		cur = prev;
	}
	ret = walk_sql(st, "SELECT owner, type, class, ttl, rdata FROM "
	    "temp.hp_snap WHERE type = 6 AND ?1 = ?1", 0, 0, cb, arg);
	if (ret == 0)
		ret = walk_sql(st, "SELECT owner, type, class, ttl, rdata FROM "
		    "temp.hp_snap WHERE type <> 6 AND ?1 = ?1 ORDER BY owner, "
		    "type, rdata, class", 0, 0, cb, arg);
	exec_bind(st, "DELETE FROM temp.hp_snap", 0);
	return ret;
}

int
store_journal_foreach(struct store *st, int64_t zone_id, uint32_t from,
    store_journal_cb cb, void *arg)
{
	int64_t cur, vid, prev, *ids = NULL, *nids;
	size_t n = 0, cap = 0, i;
	int has_prev, ret, rc;
	sqlite3_stmt *s = NULL;
	struct store_rr rr;

	/* Prepared first (kept): a walk that finds no chain, as the
	 * daemon's warm-up makes, prepares every statement of the path. */
	if ((ret = store_stmt_get(st, journal_sql, &s)) < 0)
		return ret;
	if ((ret = get_int_bind(st, zone_id, &cur)) < 0)
		goto out;
	/* collect the chain backwards from the current serial */
	while ((uint32_t)cur != from) {
		if ((ret = version_by_serial(st, zone_id, (uint32_t)cur, &vid,
		    &prev, &has_prev)) < 0)
			goto out;
		if (!has_prev || n > 1000000) {
			ret = HP_ENOJOURNAL;
			goto out;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nids = realloc(ids, cap * sizeof(*ids))) == NULL) {
				ret = HP_ENOMEM;
				goto out;
			}
			ids = nids;
		}
		ids[n++] = vid;
		cur = prev;
	}
	for (i = n; i-- > 0;) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, ids[i]);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW)
			if ((ret = row_rr(s, &rr)) < 0 ||
			    (ret = cb(sqlite3_column_int(s, 5), &rr, arg)) != 0)
				goto out;
		if (rc != SQLITE_DONE) {
			ret = store_sqlerr(rc);
			goto out;
		}
	}
	ret = 0;
out:
	store_stmt_put(st, s);
	free(ids);
	return ret;
}

