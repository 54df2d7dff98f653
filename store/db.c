/*
 * db.c -- opening the store (pragmas, migrations) and reading from it.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "dns/err.h"
#include "store/store.h"
#include "store/store_int.h"

extern const char *const schema_migrations[];
extern const int schema_version;

#define BUSY_DEFAULT_MS	5000

int
store_norm_name(const char *name, char *out, size_t outlen)
{
	size_t len = strlen(name), i;

	if (len == 0 || len + 2 > outlen)
		return HP_EINVAL;
	for (i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)name[i]);
	if (out[len - 1] != '.')
		out[len++] = '.';
	out[len] = '\0';
	return 0;
}

int
store_sqlerr(int rc)
{
	rc &= 0xff;
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return HP_EBUSY;
	if (rc == SQLITE_NOTADB)
		return HP_ENOTDB;
	return HP_ESTORE;
}

int
store_exec(struct store *st, const char *sql)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_sqlerr(rc);
}

static void
seterr(char *errbuf, size_t errlen, const char *path, const char *msg)
{
	if (errbuf != NULL && errlen > 0)
		snprintf(errbuf, errlen, "%s: %s", path, msg);
}

/*
 * The file must be absent (1) or a regular file (0). Its content is left
 * to SQLite (PRAGMA user_version fails with SQLITE_NOTDB): opening and
 * closing a descriptor here would drop every POSIX lock this process holds
 * on the database through its other connections (SQLite's "POSIX advisory
 * locking" caveat), letting another process delete the live WAL.
 */
static int
check_magic(const char *path, char *errbuf, size_t errlen)
{
	struct stat sb;

	if (stat(path, &sb) != 0) {
		if (errno == ENOENT)
			return 1;
		seterr(errbuf, errlen, path, strerror(errno));
		return -errno;
	}
	if (!S_ISREG(sb.st_mode)) {
		seterr(errbuf, errlen, path, "not a regular file");
		return HP_ENOTDB;
	}
	return 0;
}

static int
busy_ms(void)
{
	const char *e = getenv("HPAGENT_BUSY_TIMEOUT_MS");
	char *end;
	long v;

	if (e == NULL || *e == '\0')
		return BUSY_DEFAULT_MS;
	v = strtol(e, &end, 10);
	if (*end != '\0' || v < 0 || v > 600000)
		return BUSY_DEFAULT_MS;
	return (int)v;
}

static int
get_int(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL)) != SQLITE_OK)
		return store_sqlerr(rc);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : store_sqlerr(rc);
}

static int
migrate(struct store *st, int from, char *errbuf, size_t errlen,
    const char *path)
{
	char sql[64];
	int v, ret;

	for (v = from; v < schema_version; v++) {
		if ((ret = store_exec(st, "BEGIN IMMEDIATE")) < 0)
			goto fail;
		if ((ret = store_exec(st, schema_migrations[v])) < 0) {
			store_exec(st, "ROLLBACK");
			goto fail;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if ((ret = store_exec(st, sql)) < 0 ||
		    (ret = store_exec(st, "COMMIT")) < 0) {
			store_exec(st, "ROLLBACK");
			goto fail;
		}
	}
	return 0;
fail:
	if (errbuf != NULL)
		snprintf(errbuf, errlen, "%s: schema migration %d: %s", path,
		    v + 1, ret == HP_EBUSY ?
		    "database is locked by another writer" :
		    sqlite3_errmsg(st->db));
	return ret;
}

int
store_open(const char *path, int flags, struct store **out, char *errbuf,
    size_t errlen)
{
	struct store *st;
	int64_t uv = 0;
	int ret, oflags;

	if ((ret = check_magic(path, errbuf, errlen)) < 0)
		return ret;
	if (ret == 1 && !(flags & STORE_CREATE)) {
		seterr(errbuf, errlen, path, "no such database");
		return HP_ENOENT;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return HP_ENOMEM;
	st->readonly = (flags & STORE_READONLY) != 0;
	oflags = st->readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &st->db, oflags | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK) {
		seterr(errbuf, errlen, path, st->db != NULL ?
		    sqlite3_errmsg(st->db) : "cannot open");
		ret = HP_ESTORE;
		goto fail;
	}
	sqlite3_busy_timeout(st->db, busy_ms());
	if ((ret = get_int(st->db, "PRAGMA user_version", &uv)) < 0) {
		seterr(errbuf, errlen, path, ret == HP_ENOTDB ?
		    "not an SQLite database (refusing to touch it)" :
		    sqlite3_errmsg(st->db));
		goto fail;
	}
	if (uv > schema_version) {
		if (errbuf != NULL)
			snprintf(errbuf, errlen, "%s: database schema version "
			    "%lld is newer than this hpagent knows (%d); "
			    "use a newer hpagent", path, (long long)uv,
			    schema_version);
		ret = HP_ESCHEMA;
		goto fail;
	}
	if (!st->readonly &&
	    (ret = store_exec(st, "PRAGMA journal_mode = WAL")) < 0) {
		seterr(errbuf, errlen, path, ret == HP_EBUSY ?
		    "database is locked by another writer" :
		    sqlite3_errmsg(st->db));
		goto fail;
	}
	if ((ret = store_exec(st, "PRAGMA foreign_keys = ON;"
	    "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32768;"
	    "PRAGMA temp_store = MEMORY")) < 0) {
		seterr(errbuf, errlen, path, sqlite3_errmsg(st->db));
		goto fail;
	}
	if (uv < schema_version) {
		if (st->readonly) {
			seterr(errbuf, errlen, path, "database schema is older "
			    "than this hpagent; open it read-write once");
			ret = HP_ESCHEMA;
			goto fail;
		}
		if ((ret = migrate(st, (int)uv, errbuf, errlen, path)) < 0)
			goto fail;
	}
	*out = st;
	return 0;
fail:
	sqlite3_close(st->db);
	free(st);
	return ret;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->in_snapshot)
		store_snapshot_end(st);
	sqlite3_close(st->db);
	free(st);
}

sqlite3 *
store_db(struct store *st)
{
	return st->db;
}

const char *
store_errmsg(struct store *st)
{
	if (st->err[0] != '\0')
		return st->err;
	return sqlite3_errmsg(st->db);
}

int
store_snapshot_begin(struct store *st)
{
	int64_t v;
	int ret;

	if (st->in_snapshot)
		return HP_EINVAL;
	if ((ret = store_exec(st, "BEGIN")) < 0)
		return ret;
	/* a read starts the snapshot (BEGIN alone is deferred) */
	if ((ret = get_int(st->db, "SELECT count(*) FROM zones", &v)) < 0) {
		store_exec(st, "ROLLBACK");
		return ret;
	}
	st->in_snapshot = 1;
	return 0;
}

void
store_snapshot_end(struct store *st)
{
	if (!st->in_snapshot)
		return;
	store_exec(st, "COMMIT");
	st->in_snapshot = 0;
}

#define ZONE_COLS "id, name, serial, records, created, updated, dirty, " \
	"(SELECT max(id) FROM versions v WHERE v.zone_id = zones.id)"

static void
zone_row(sqlite3_stmt *s, struct store_zone_info *info)
{
	const unsigned char *name = sqlite3_column_text(s, 1);

	memset(info, 0, sizeof(*info));
	info->id = sqlite3_column_int64(s, 0);
	snprintf(info->name, sizeof(info->name), "%s",
	    name != NULL ? (const char *)name : "");
	info->serial = (uint32_t)sqlite3_column_int64(s, 2);
	info->records = (uint64_t)sqlite3_column_int64(s, 3);
	info->created = sqlite3_column_int64(s, 4);
	info->updated = sqlite3_column_int64(s, 5);
	info->dirty = sqlite3_column_int(s, 6);
	info->version_id = sqlite3_column_int64(s, 7);
}

int
store_zone_info(struct store *st, const char *zone,
    struct store_zone_info *info)
{
	char name[256];
	sqlite3_stmt *s;
	int rc;

	if (store_norm_name(zone, name, sizeof(name)) < 0)
		return HP_EINVAL;
	if ((rc = sqlite3_prepare_v2(st->db, "SELECT " ZONE_COLS
	    " FROM zones WHERE name = ?", -1, &s, NULL)) != SQLITE_OK)
		return store_sqlerr(rc);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		zone_row(s, info);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? HP_ENOENT : store_sqlerr(rc);
}

int
store_zone_list(struct store *st,
    int (*cb)(const struct store_zone_info *, void *), void *arg)
{
	struct store_zone_info info;
	sqlite3_stmt *s;
	int rc, ret = 0;

	if ((rc = sqlite3_prepare_v2(st->db, "SELECT " ZONE_COLS
	    " FROM zones ORDER BY name", -1, &s, NULL)) != SQLITE_OK)
		return store_sqlerr(rc);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		zone_row(s, &info);
		if ((ret = cb(&info, arg)) != 0)
			break;
	}
	sqlite3_finalize(s);
	if (ret != 0)
		return ret;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

/* Walk rows (owner, type, class, ttl, rdata) of S. */
static int
walk_rows(sqlite3_stmt *s, store_rr_cb cb, void *arg)
{
	struct store_rr rr;
	int rc, ret;
	int len;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		rr.owner = (const char *)sqlite3_column_text(s, 0);
		rr.type = (uint16_t)sqlite3_column_int(s, 1);
		rr.rclass = (uint16_t)sqlite3_column_int(s, 2);
		rr.ttl = (uint32_t)sqlite3_column_int64(s, 3);
		rr.rdata = sqlite3_column_blob(s, 4);
		len = sqlite3_column_bytes(s, 4);
		if (rr.owner == NULL || len < 0 || len > 65535)
			return HP_ESTORE;
		rr.rdlen = (uint16_t)len;
		if ((ret = cb(&rr, arg)) != 0)
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

/* The latest version of ZONE_ID with SERIAL: its id and prev_serial. */
static int
version_by_serial(struct store *st, int64_t zone_id, uint32_t serial,
    int64_t *id, int64_t *prev, int *has_prev)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = sqlite3_prepare_v2(st->db, "SELECT id, prev_serial FROM "
	    "versions WHERE zone_id = ? AND serial = ? ORDER BY id DESC "
	    "LIMIT 1", -1, &s, NULL)) != SQLITE_OK)
		return store_sqlerr(rc);
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_int64(s, 2, serial);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		*has_prev = sqlite3_column_type(s, 1) != SQLITE_NULL;
		*prev = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
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
	sqlite3_stmt *s;
	int rc;

	if ((rc = sqlite3_prepare_v2(st->db, "SELECT serial FROM zones WHERE "
	    "id = ?", -1, &s, NULL)) != SQLITE_OK)
		return store_sqlerr(rc);
	sqlite3_bind_int64(s, 1, zone_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*serial = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? HP_ENOENT : store_sqlerr(rc);
}

int
store_foreach_rr_at(struct store *st, int64_t zone_id, uint32_t serial,
    store_rr_cb cb, void *arg)
{
	int64_t cur, vid, prev;
	int has_prev, ret, guard;

	if ((ret = get_int_bind(st, zone_id, &cur)) < 0)
		return ret;
	if ((uint32_t)cur == serial)
		return store_foreach_rr(st, zone_id, cb, arg);
	if ((ret = exec_bind(st, "CREATE TEMP TABLE IF NOT EXISTS hp_snap("
	    "owner TEXT, type INTEGER, class INTEGER, ttl INTEGER, rdata BLOB,"
	    " PRIMARY KEY (owner, type, rdata, class)) WITHOUT ROWID", 0)) < 0 ||
	    (ret = exec_bind(st, "DELETE FROM temp.hp_snap", 0)) < 0 ||
	    (ret = exec_bind(st, "INSERT INTO temp.hp_snap SELECT owner, type,"
	    " class, ttl, rdata FROM records WHERE zone_id = ?", zone_id)) < 0)
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
	int len;

	if ((ret = get_int_bind(st, zone_id, &cur)) < 0)
		return ret;
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
	if ((rc = sqlite3_prepare_v2(st->db, "SELECT owner, type, class, ttl,"
	    " rdata, op FROM journal WHERE version_id = ? ORDER BY op, seq",
	    -1, &s, NULL)) != SQLITE_OK) {
		ret = store_sqlerr(rc);
		goto out;
	}
	for (i = n; i-- > 0;) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, ids[i]);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			rr.owner = (const char *)sqlite3_column_text(s, 0);
			rr.type = (uint16_t)sqlite3_column_int(s, 1);
			rr.rclass = (uint16_t)sqlite3_column_int(s, 2);
			rr.ttl = (uint32_t)sqlite3_column_int64(s, 3);
			rr.rdata = sqlite3_column_blob(s, 4);
			len = sqlite3_column_bytes(s, 4);
			if (rr.owner == NULL || len < 0 || len > 65535) {
				ret = HP_ESTORE;
				goto out;
			}
			rr.rdlen = (uint16_t)len;
			if ((ret = cb(sqlite3_column_int(s, 5), &rr, arg)) != 0)
				goto out;
		}
		if (rc != SQLITE_DONE) {
			ret = store_sqlerr(rc);
			goto out;
		}
	}
	ret = 0;
out:
	sqlite3_finalize(s);
	free(ids);
	return ret;
}

int
store_version_list(struct store *st, int64_t zone_id,
    int (*cb)(const struct store_version *, void *), void *arg)
{
	struct store_version v;
	sqlite3_stmt *s;
	const unsigned char *src;
	int rc, ret = 0;

	if ((rc = sqlite3_prepare_v2(st->db, "SELECT id, serial, prev_serial,"
	    " created, source, added, removed, records, EXISTS (SELECT 1 FROM "
	    "journal j WHERE j.version_id = versions.id) FROM versions WHERE "
	    "zone_id = ? ORDER BY id", -1, &s, NULL)) != SQLITE_OK)
		return store_sqlerr(rc);
	sqlite3_bind_int64(s, 1, zone_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&v, 0, sizeof(v));
		v.id = sqlite3_column_int64(s, 0);
		v.serial = (uint32_t)sqlite3_column_int64(s, 1);
		v.has_prev = sqlite3_column_type(s, 2) != SQLITE_NULL;
		v.prev_serial = (uint32_t)sqlite3_column_int64(s, 2);
		v.created = sqlite3_column_int64(s, 3);
		src = sqlite3_column_text(s, 4);
		snprintf(v.source, sizeof(v.source), "%s",
		    src != NULL ? (const char *)src : "");
		v.added = (uint64_t)sqlite3_column_int64(s, 5);
		v.removed = (uint64_t)sqlite3_column_int64(s, 6);
		v.records = (uint64_t)sqlite3_column_int64(s, 7);
		v.has_journal = sqlite3_column_int(s, 8);
		if ((ret = cb(&v, arg)) != 0)
			break;
	}
	sqlite3_finalize(s);
	if (ret != 0)
		return ret;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

int64_t
store_data_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA data_version", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int
store_zone_soa(struct store *st, int64_t zone_id, struct store_soa *soa)
{
	sqlite3_stmt *s;
	const void *rd;
	int rc, n, ret = 0;

	if ((rc = sqlite3_prepare_v2(st->db, "SELECT ttl, rdata FROM records "
	    "WHERE zone_id = ?1 AND type = 6 LIMIT 1", -1, &s, NULL)) !=
	    SQLITE_OK)
		return store_sqlerr(rc);
	sqlite3_bind_int64(s, 1, zone_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		rd = sqlite3_column_blob(s, 1);
		n = sqlite3_column_bytes(s, 1);
		/* RFC 1035 3.3.13: two names and five 32-bit fields. */
		if (rd == NULL || n < 22 || n > STORE_SOA_MAX)
			ret = HP_EINVALID;
		else {
			memcpy(soa->rdata, rd, (size_t)n);
			soa->rdlen = (uint16_t)n;
			soa->ttl = (uint32_t)sqlite3_column_int64(s, 0);
		}
	} else
		ret = rc == SQLITE_DONE ? HP_ENOENT : store_sqlerr(rc);
	sqlite3_finalize(s);
	return ret;
}
