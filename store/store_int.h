/*
 * store_int.h -- internal to store/: the handle, SQLite helpers, and what
 * the import's steps hand each other (a zone's row, a planned change).
 * The only header of the tree that includes sqlite3.h.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_STORE_INT_H
#define HP_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "store/store.h"

struct zset;

/* Statements a connection keeps prepared (store_stmt_get): those of the
 * serving paths, run for every query. */
#define STORE_STMTS	24

struct store {
	sqlite3 *db;
	char *path;
	int readonly;
	int in_snapshot;
	char err[256];	/* why the last write failed (kept past ROLLBACK) */
	struct {
		const char *sql;	/* the caller's literal: the key */
		sqlite3_stmt *s;
	} stmt[STORE_STMTS];
	int nstmt;
};

/* NAME as the zones table keys it ("example.com.") into OUT. 0 or
 * HP_EINVAL. */
int store_norm_name(const char *name, char *out, size_t outlen);
/* Map an SQLite result code: HP_EBUSY for locks, else HP_ESTORE. */
int store_sqlerr(int rc);
/* Run SQL (no result rows). 0 or store_sqlerr(). */
int store_exec(struct store *st, const char *sql);
/* Prepare SQL into *S. 0 or store_sqlerr(). */
int store_prep(struct store *st, sqlite3_stmt **s, const char *sql);
/* Step S to its end and reset it. 0 or store_sqlerr(). */
int store_step_done(sqlite3_stmt *s);
/* The end of a walk over S: S finalized; RET when the callback stopped
 * the walk (non-zero), else 0 when the last step RC was SQLITE_DONE, else
 * RC as an HP_E*. */
int store_walk_end(sqlite3_stmt *s, int rc, int ret);
/* The first column of the first row of SQL as an integer. */
int store_get_int(struct store *st, const char *sql, int64_t *out);
/*
 * A statement of SQL (a string literal: its address is the key) kept
 * prepared on ST's connection, reset and unbound, into *S: the queries
 * of the serving paths are parsed once per connection, not once per
 * query. Give it back with store_stmt_put() when done with it (that
 * resets it, ending its read). While the kept one is in use, a fresh one
 * is prepared (and finalized by put). 0 or store_sqlerr().
 */
int store_stmt_get(struct store *st, const char *sql, sqlite3_stmt **s);
void store_stmt_put(struct store *st, sqlite3_stmt *s);
/* Run the kept statement SQL, which returns no rows (BEGIN, COMMIT, a
 * statement run again and again). 0 or store_sqlerr(). */
int store_stmt_exec(struct store *st, const char *sql);
/* The first column of the first row of the kept statement SQL, bound to
 * A (when it has a parameter), as an integer. HP_ENOENT without a row. */
int store_stmt_int(struct store *st, const char *sql, int64_t a,
    int64_t *out);

/* ---- the import's steps (import.c, plan.c, apply.c) ---------------- */

/* A zone's row of `zones`, as the import reads it. */
struct zrow {
	int exists;
	int64_t id;
	uint32_t serial;
	int dirty;
	int has_hash;
	uint8_t hash[32];
	uint64_t records;
};

/* One change: removed RRs (in REMOVED) and added RRs (indexes into
 * ADDED_SET), the SOA before and after, the serials. */
struct change {
	struct zset *removed;
	const struct zset *added_set;
	size_t *added;
	size_t nadded;
	const uint8_t *old_soa;		/* rdata, NULL for a new zone */
	size_t old_soa_len;
	const char *apex;
	uint32_t soa_ttl_old, soa_ttl_new;
	uint8_t *new_soa;
	size_t new_soa_len;
	uint32_t old_serial, new_serial;
	int has_prev;
	int records_done;	/* publish: `records` already edited */
	const char *source;
	uint64_t records;	/* RRs after the change */
};

/* Read ZONE's row (exists = 0 when there is none). */
int zrow_load(struct store *st, const char *zone, struct zrow *z);
/* Add a row (owner, type, class, ttl, rdata) of S to Z. */
int zset_add_row(struct zset *z, sqlite3_stmt *s);

/*
 * plan.c: what a change is. plan_diff() merges NZ (sorted, checked) with
 * the records of ZONE_ID: removed rows into RM, the indexes of added RRs
 * into *ADDED (malloc'ed), the current SOA into OLDSOA. plan_pending()
 * reads the direct edits of ZR (the pending log, consolidated) into AD,
 * RM and OLDSOA, the edited records into CUR.
 */
int plan_diff(struct store *st, int64_t zone_id, const struct zset *nz,
    struct zset *rm, struct zset *oldsoa, size_t **added, size_t *nadded);
int plan_pending(struct store *st, const struct zrow *zr, struct zset *cur,
    struct zset *ad, struct zset *rm, struct zset *oldsoa);

/*
 * apply.c: writing a planned change inside the caller's write
 * transaction. apply_change() writes the version row, its journal, the
 * records delta and the new SOA (*VERSION_ID: the new version);
 * apply_finish() prunes to KEEP versions and sets the zone's serial,
 * hash, count and clean state; apply_writer() marks the zone as being
 * written by hpagent (the triggers then log nothing).
 */
int apply_change(struct store *st, int64_t zone_id, struct change *c,
    time_t now, int64_t *version_id);
int apply_finish(struct store *st, int64_t zone_id, uint32_t serial,
    const uint8_t *hash, uint64_t records, unsigned keep, time_t now);
int apply_writer(struct store *st, int64_t zone_id, int on);
int apply_hash(struct store *st, int64_t zone_id, const uint8_t *hash);

#endif
