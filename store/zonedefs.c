/*
 * zonedefs.c -- zones kept in the database (table zone_defs: `hpagent
 * zone add`, POST /v1/zones) and a zone's purge, its rows copied first
 * into a backup file.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dns/err.h"
#include "store/store.h"
#include "store/store_int.h"

int
store_zonedef_add(struct store *st, const char *zone, const char *pattern)
{
	sqlite3_stmt *s;
	char name[256];
	int ret;

	if (store_norm_name(zone, name, sizeof(name)) < 0)
		return HP_EINVAL;
	if ((ret = store_begin(st)) < 0)
		return ret;
	if ((ret = store_prep(st, &s, "INSERT OR IGNORE INTO zone_defs(name, "
	    "pattern, added) VALUES (?, ?, ?)")) == 0) {
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		if (pattern != NULL)
			sqlite3_bind_text(s, 2, pattern, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, (int64_t)time(NULL));
		ret = store_step_done(s);
		sqlite3_finalize(s);
		if (ret == 0 && sqlite3_changes(st->db) == 0)
			ret = HP_EEXIST;
	}
	if (ret == 0)
		ret = store_commit(st);
	if (ret < 0)
		store_rollback(st);
	return ret;
}

static void
zonedef_row(sqlite3_stmt *s, struct store_zonedef *d)
{
	const unsigned char *t;

	memset(d, 0, sizeof(*d));
	if ((t = sqlite3_column_text(s, 0)) != NULL)
		snprintf(d->name, sizeof(d->name), "%s", (const char *)t);
	if ((t = sqlite3_column_text(s, 1)) != NULL)
		snprintf(d->pattern, sizeof(d->pattern), "%s",
		    (const char *)t);
	d->added = sqlite3_column_int64(s, 2);
	d->deleting = sqlite3_column_int64(s, 3);
	d->purge = sqlite3_column_int(s, 4);
}

#define ZONEDEF_COLS	"name, pattern, added, coalesce(deleting, 0), purge"

int
store_zonedef_get(struct store *st, const char *zone,
    struct store_zonedef *out)
{
	sqlite3_stmt *s;
	char name[256];
	int rc;

	if (store_norm_name(zone, name, sizeof(name)) < 0)
		return 0;
	if ((rc = store_prep(st, &s, "SELECT " ZONEDEF_COLS " FROM zone_defs "
	    "WHERE name = ?")) < 0)
		return rc;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		zonedef_row(s, out);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

int
store_zonedef_list(struct store *st,
    int (*cb)(const struct store_zonedef *d, void *arg), void *arg)
{
	struct store_zonedef d;
	sqlite3_stmt *s;
	int rc, ret = 0;

	if ((rc = store_prep(st, &s, "SELECT " ZONEDEF_COLS " FROM zone_defs "
	    "ORDER BY name")) < 0)
		return rc;
	while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		zonedef_row(s, &d);
		ret = cb(&d, arg);
	}
	return store_walk_end(s, rc, ret);
}

int
store_zonedef_delete(struct store *st, const char *zone, int purge)
{
	sqlite3_stmt *s;
	char name[256];
	int ret;

	if (store_norm_name(zone, name, sizeof(name)) < 0)
		return HP_ENOENT;
	if ((ret = store_begin(st)) < 0)
		return ret;
	if ((ret = store_prep(st, &s, "UPDATE zone_defs SET deleting = "
	    "coalesce(deleting, ?2), purge = ?3 WHERE name = ?1")) == 0) {
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, (int64_t)time(NULL));
		sqlite3_bind_int(s, 3, purge != 0);
		ret = store_step_done(s);
		sqlite3_finalize(s);
		if (ret == 0 && sqlite3_changes(st->db) == 0)
			ret = HP_ENOENT;
	}
	if (ret == 0)
		ret = store_commit(st);
	if (ret < 0)
		store_rollback(st);
	return ret;
}

int64_t
store_zonedef_seq(struct store *st)
{
	int64_t n;

	return store_get_int(st, "SELECT n FROM zone_defs_seq", &n) == 0 ?
	    n : -1;
}

/* ---- purge ------------------------------------------------------------ */

/* The zone's rows into the attached database "bk", in its own
 * transaction (ATTACH and DETACH cannot be inside one). */
static const char *const backup_sql[] = {
	"CREATE TABLE bk.zones AS SELECT * FROM main.zones WHERE id = ?1",
	"CREATE TABLE bk.records AS SELECT * FROM main.records "
	"WHERE zone_id = ?1",
	"CREATE TABLE bk.versions AS SELECT * FROM main.versions "
	"WHERE zone_id = ?1",
	"CREATE TABLE bk.journal AS SELECT * FROM main.journal WHERE "
	"version_id IN (SELECT id FROM main.versions WHERE zone_id = ?1)",
	"CREATE TABLE bk.source_content AS SELECT * FROM main.source_content "
	"WHERE zone_id = ?1",
	"CREATE TABLE bk.source_rrs AS SELECT * FROM main.source_rrs WHERE "
	"source_id IN (SELECT id FROM main.source_content WHERE zone_id = ?1)",
};

static int
zone_backup(struct store *st, int64_t id, const char *path)
{
	sqlite3_stmt *s;
	struct stat sb;
	int ret, r2;

	if (stat(path, &sb) == 0)
		return HP_EEXIST;
	if ((ret = store_prep(st, &s, "ATTACH ? AS bk")) < 0)
		return ret;
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	ret = store_step_done(s);
	sqlite3_finalize(s);
	if (ret < 0)
		return ret;
	if ((ret = store_exec(st, "BEGIN IMMEDIATE")) == 0) {
		ret = store_run_id(st, backup_sql,
		    sizeof(backup_sql) / sizeof(*backup_sql), id);
		if (ret == 0)
			ret = store_exec(st, "COMMIT");
		if (ret < 0)
			store_exec(st, "ROLLBACK");
	}
	if ((r2 = store_exec(st, "DETACH bk")) < 0 && ret == 0)
		ret = r2;
	if (ret < 0)
		(void)remove(path);
	return ret;
}

static const char *const purge_sql[] = {
	"DELETE FROM pending WHERE zone_id = ?1",
	"DELETE FROM axfr_cache WHERE zone_id = ?1",
	"DELETE FROM axfr_msgs WHERE zone_id = ?1",
	"DELETE FROM axfr_cache_done WHERE zone_id = ?1",
	"DELETE FROM sources WHERE zone = (SELECT name FROM zones "
	"WHERE id = ?1)",
	"DELETE FROM zone_defs WHERE name = (SELECT name FROM zones "
	"WHERE id = ?1)",
	"DELETE FROM catalog_members WHERE member = (SELECT name FROM zones "
	"WHERE id = ?1)",
	/* versions (and their journal), records, sources, ledger rows
	 * follow by ON DELETE CASCADE */
	"DELETE FROM zones WHERE id = ?1",
};

/* A zone kept in zone_defs that was never stored: its rows dropped. */
static int
zonedef_drop(struct store *st, const char *zone)
{
	sqlite3_stmt *s;
	char name[256];
	int ret, n = 0;

	if (store_norm_name(zone, name, sizeof(name)) < 0)
		return HP_ENOENT;
	if ((ret = store_begin(st)) < 0)
		return ret;
	if ((ret = store_prep(st, &s, "DELETE FROM zone_defs WHERE name = ?")
	    ) == 0) {
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		ret = store_step_done(s);
		n = sqlite3_changes(st->db);
		sqlite3_finalize(s);
	}
	if (ret == 0 && (ret = store_prep(st, &s, "DELETE FROM "
	    "catalog_members WHERE member = ?")) == 0) {
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		ret = store_step_done(s);
		sqlite3_finalize(s);
	}
	if (ret == 0)
		ret = store_commit(st);
	if (ret < 0) {
		store_rollback(st);
		return ret;
	}
	return n > 0 ? 0 : HP_ENOENT;
}

int
store_zone_purge(struct store *st, const char *zone, const char *backup)
{
	struct store_zone_info zi;
	int ret;

	if ((ret = store_zone_info(st, zone, &zi)) == HP_ENOENT)
		return zonedef_drop(st, zone);
	if (ret < 0)
		return ret;
	if (backup != NULL && (ret = zone_backup(st, zi.id, backup)) < 0)
		return ret;
	if ((ret = store_begin(st)) < 0)
		return ret;
	ret = store_run_id(st, purge_sql, sizeof(purge_sql) /
	    sizeof(*purge_sql), zi.id);
	if (ret == 0)
		ret = store_commit(st);
	if (ret < 0)
		store_rollback(st);
	return ret;
}
