/*
 * db.c -- the store's connection: opening it (pragmas, migrations),
 * tuning it, transactions and read snapshots.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <unistd.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "store/store.h"
#include "store/store_int.h"

extern const char *const schema_migrations[];
extern const int schema_version;

#define BUSY_DEFAULT_MS	5000

int
store_norm_name(const char *name, char *out, size_t outlen)
{
	return dname_norm(name, strlen(name), out, outlen, NULL);
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

int
store_prep(struct store *st, sqlite3_stmt **s, const char *sql)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, s, NULL);

	return rc == SQLITE_OK ? 0 : store_sqlerr(rc);
}

int
store_step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
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

int
store_walk_end(sqlite3_stmt *s, int rc, int ret)
{
	sqlite3_finalize(s);
	if (ret != 0)
		return ret;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

int
store_get_int(struct store *st, const char *sql, int64_t *out)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL)) != SQLITE_OK)
		return store_sqlerr(rc);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : store_sqlerr(rc);
}

int
store_stmt_get(struct store *st, const char *sql, sqlite3_stmt **s)
{
	int i, rc;

	for (i = 0; i < st->nstmt; i++) {
		if (st->stmt[i].sql != sql)
			continue;
		if (sqlite3_stmt_busy(st->stmt[i].s))
			break;		/* in use: a fresh one below */
		*s = st->stmt[i].s;
		return 0;
	}
	rc = sqlite3_prepare_v3(st->db, sql, -1, i == st->nstmt &&
	    i < STORE_STMTS ? SQLITE_PREPARE_PERSISTENT : 0, s, NULL);
	if (rc != SQLITE_OK)
		return store_sqlerr(rc);
	if (i == st->nstmt && i < STORE_STMTS) {
		st->stmt[i].sql = sql;
		st->stmt[i].s = *s;
		st->nstmt++;
	}
	return 0;
}

void
store_stmt_put(struct store *st, sqlite3_stmt *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < st->nstmt; i++)
		if (st->stmt[i].s == s) {
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			return;
		}
	sqlite3_finalize(s);
}

int
store_stmt_int(struct store *st, const char *sql, int64_t a, int64_t *out)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = store_stmt_get(st, sql, &s)) < 0)
		return rc;
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, a);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	store_stmt_put(st, s);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? HP_ENOENT : store_sqlerr(rc);
}

int
store_stmt_exec(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = store_stmt_get(st, sql, &s)) < 0)
		return rc;
	rc = sqlite3_step(s);
	store_stmt_put(st, s);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

int
store_run_id(struct store *st, const char *const *sql, size_t n, int64_t id)
{
	sqlite3_stmt *s;
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < n; i++) {
		if ((ret = store_prep(st, &s, sql[i])) < 0)
			return ret;
		sqlite3_bind_int64(s, 1, id);
		ret = store_step_done(s);
		sqlite3_finalize(s);
	}
	return ret;
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
	if ((st->path = strdup(path)) == NULL) {
		free(st);
		return HP_ENOMEM;
	}
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
	if ((ret = store_get_int(st, "PRAGMA user_version", &uv)) < 0) {
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
	free(st->path);
	free(st);
	return ret;
}

void
store_close(struct store *st)
{
	int i;

	if (st == NULL)
		return;
	if (st->in_snapshot)
		store_snapshot_end(st);
	for (i = 0; i < st->nstmt; i++)
		sqlite3_finalize(st->stmt[i].s);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

const char *
store_path(const struct store *st)
{
	return st->path;
}

void
store_busy_timeout(struct store *st, int ms)
{
	sqlite3_busy_timeout(st->db, ms);
}

void
store_cache_size(struct store *st, int kib)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", kib);
	(void)store_exec(st, sql);
}

int64_t
store_data_version(struct store *st)
{
	int64_t v;

	return store_stmt_int(st, "PRAGMA data_version", 0, &v) == 0 ? v : -1;
}

static const char publish_gen_sql[] = "SELECT ifnull((SELECT max(id) FROM "
    "versions), 0) * 1000003 + ifnull((SELECT max(id) FROM pending), 0) * "
    "7919 + ifnull((SELECT n FROM zone_defs_seq), 0)";

int64_t
store_publish_gen(struct store *st)
{
	int64_t v;

	return store_stmt_int(st, publish_gen_sql, 0, &v) == 0 ? v : -1;
}

/* SQLite's default threshold of an automatic checkpoint, in frames. */
#define STORE_CKPT_FRAMES	1000

/* Frames in the WAL after the last commit of a connection that leaves
 * checkpoints to another thread (store_autocheckpoint(st, 0)): what
 * store_checkpoint() decides on. One per process: a daemon has one
 * database (another process's commits checkpoint themselves). */
static atomic_int wal_frames;

static int
wal_note(void *arg, sqlite3 *db, const char *name, int frames)
{
	(void)arg;
	(void)db;
	(void)name;
	atomic_store_explicit(&wal_frames, frames, memory_order_relaxed);
	return SQLITE_OK;
}

void
store_autocheckpoint(struct store *st, int on)
{
	if (on)
		sqlite3_wal_autocheckpoint(st->db, STORE_CKPT_FRAMES);
	else	/* replaces the hook that checkpoints */
		sqlite3_wal_hook(st->db, wal_note, NULL);
}

int
store_checkpoint(struct store *st, int force)
{
	int rc, log = 0, done = 0;

	if (!force && atomic_load_explicit(&wal_frames,
	    memory_order_relaxed) < STORE_CKPT_FRAMES)
		return 0;
	rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    &log, &done);
	if (rc != SQLITE_OK)
		return store_sqlerr(rc);
	/* All copied: the next commit starts the WAL over. Else a reader
	 * still holds frames: the next call tries again. */
	if (log == done)
		atomic_store_explicit(&wal_frames, 0, memory_order_relaxed);
	return 1;
}

const char *
store_errmsg(struct store *st)
{
	if (st->err[0] != '\0')
		return st->err;
	return sqlite3_errmsg(st->db);
}

int
store_begin(struct store *st)
{
	int ret;

	ret = store_exec(st, st->depth > 0 ? "SAVEPOINT hp_nested" :
	    "BEGIN IMMEDIATE");
	if (ret == 0)
		st->depth++;
	return ret;
}

int
store_commit(struct store *st)
{
	int ret;

	if (st->depth == 0)
		return HP_EINVAL;
	if (st->depth > 1) {
		if ((ret = store_exec(st, "RELEASE hp_nested")) == 0)
			st->depth--;
		return ret;
	}
	ret = store_exec(st, "COMMIT");
	/* a failed COMMIT may have rolled back already */
	if (ret == 0 || sqlite3_get_autocommit(st->db))
		st->depth = 0;
	return ret;
}

void
store_rollback(struct store *st)
{
	if (st->depth > 1) {
		store_exec(st, "ROLLBACK TO hp_nested");
		store_exec(st, "RELEASE hp_nested");
		st->depth--;
		return;
	}
	if (!sqlite3_get_autocommit(st->db))
		store_exec(st, "ROLLBACK");
	st->depth = 0;
}

int
store_snapshot_begin(struct store *st)
{
	int64_t v;
	int ret;

	if (st->in_snapshot)
		return HP_EINVAL;
	/* Inside a transaction of the caller's (store_begin(): zone add
	 * imports in one): its reads already see one version. */
	if (!sqlite3_get_autocommit(st->db)) {
		st->in_snapshot = 2;
		return 0;
	}
	if ((ret = store_stmt_exec(st, "BEGIN")) < 0)
		return ret;
	/* A read starts the snapshot (BEGIN alone is deferred): the schema
	 * cookie in the database header, one page, whatever the zones. */
	if ((ret = store_stmt_int(st, "PRAGMA schema_version", 0, &v)) < 0) {
		store_stmt_exec(st, "ROLLBACK");
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
	if (st->in_snapshot == 1)
		store_stmt_exec(st, "COMMIT");
	st->in_snapshot = 0;
}


int
store_backup(struct store *st, const char *dest, char *errbuf, size_t errlen)
{
	sqlite3 *out = NULL;
	sqlite3_backup *b;
	int rc, tries = 0;

	if (sqlite3_open_v2(dest, &out, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		seterr(errbuf, errlen, dest, out != NULL ?
		    sqlite3_errmsg(out) : "cannot open");
		sqlite3_close(out);
		return HP_ESTORE;
	}
	if ((b = sqlite3_backup_init(out, "main", st->db, "main")) == NULL) {
		seterr(errbuf, errlen, dest, sqlite3_errmsg(out));
		sqlite3_close(out);
		return HP_ESTORE;
	}
	/* All pages in one step: in WAL mode that is one read transaction,
	 * a consistent snapshot that does not hold the daemon's writers
	 * (they append to the WAL meanwhile). A step that meets a lock
	 * (a checkpoint) waits and tries again, at most 500 times. */
	do {
		rc = sqlite3_backup_step(b, -1);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(10);
	} while ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && ++tries < 500);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		seterr(errbuf, errlen, dest, rc == SQLITE_BUSY || rc ==
		    SQLITE_LOCKED ? "the database stayed locked; try again" :
		    sqlite3_errstr(rc));
		sqlite3_close(out);
		return HP_ESTORE;
	}
	rc = sqlite3_exec(out, "PRAGMA journal_mode = DELETE", NULL, NULL,
	    NULL);
	if (sqlite3_close(out) != SQLITE_OK || rc != SQLITE_OK) {
		seterr(errbuf, errlen, dest, "cannot finish the copy");
		return HP_ESTORE;
	}
	return 0;
}
