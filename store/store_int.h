/*
 * store_int.h -- internal to store/: the handle, SQLite helpers, and what
 * the import's steps hand each other (a zone's row, a planned change).
 * The only header of the tree that includes sqlite3.h.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_STORE_INT_H
#define HP_STORE_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "store/store.h"

struct zset;
struct zrr;

/* Statements a connection keeps prepared (store_stmt_get): those of the
 * serving paths, run for every query. */
#define STORE_STMTS	24

struct store {
	sqlite3 *db;
	char *path;
	int readonly;
	int in_snapshot;		/* 1: BEGIN of its own; 2: inside the caller's */
	int depth;	/* write transactions open (store_begin) */
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
/* Octets, then the shorter first: SQLite's order of TEXT and BLOB values
 * (BINARY collation), the store's order of owners and rdata. */
static inline int
store_bytes_cmp(const void *a, size_t al, const void *b, size_t bl)
{
	int c = al > 0 && bl > 0 ? memcmp(a, b, al < bl ? al : bl) : 0;

	if (c != 0)
		return c;
	return al < bl ? -1 : al > bl;
}
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
/* Run the N statements SQL (no result rows) in order, each with ?1 = ID;
 * 0 or the first error. */
int store_run_id(struct store *st, const char *const *sql, size_t n,
    int64_t id);

/* ---- the import's steps (import.c, plan.c, apply.c) ---------------- */

/* The name of TYPE when a signed zone's input must not hold it (the
 * signer's to make: RRSIG, NSEC, NSEC3, NSEC3PARAM, DNSKEY, CDS, CDNSKEY,
 * ZONEMD), else NULL. */
const char *store_dnssec_type_name(uint16_t type);

/* A zone's row of `zones`, as the import reads it. */
struct zrow {
	int exists;
	int64_t id;
	uint32_t serial;
	int dirty;
	int has_hash;
	uint8_t hash[32];
	uint64_t records;
	int held;		/* held by invalid direct edits */
	int64_t held_mark;	/* the pending log then ... */
	int64_t pending_mark;	/* ... and now */
};

/* One change: removed RRs (in REMOVED) and added RRs (indexes into
 * ADDED_SET), the SOA before and after, the serials; which channel made
 * it (SOURCE: versions.source; ORIGIN, MODE: the importing source). */
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
	const char *origin;	/* a source's path, URL, "webhook"; or NULL */
	const char *mode;	/* "merge", "replace", or NULL */
	uint64_t records;	/* RRs after the change */
	/* DNSSEC (dnssec.c): the zone is signed with SIGN; RESIGN, a
	 * version of the signer alone (STORE_RESIGN_*, -1: a change);
	 * ROLL_REQUEST: key roles the operator asks to roll now; problems
	 * of the input through PROBLEM. */
	const struct store_sign *sign;
	int resign;
	unsigned roll_request;
	hp_problem_fn *problem;
	void *problem_arg;
};

/* Read ZONE's row (exists = 0 when there is none). */
int zrow_load(struct store *st, const char *zone, struct zrow *z);
/* Z is held by direct edits that have not changed since they were found
 * not to validate: nothing to try again. */
static inline int
zrow_held_as_found(const struct zrow *z)
{
	return z->held && z->held_mark == z->pending_mark;
}

/* The problems of held edits, collected for zones.held while they are
 * passed on to FWD (NULL: printed). */
struct held_note {
	hp_problem_fn *fwd;
	void *fwd_arg;
	char text[480];
	size_t len;
	unsigned n;
};
/*
 * Inside the open write transaction on ZR's zone (APEX): its pending
 * direct edits published first, as their own version (source "sql"), so
 * that the change that follows (an import, an UPDATE) starts from them.
 * ZR follows (serial, records; its content hash no longer known), RES
 * says so (pending_published, old and new serial). 0, also when the
 * edits cancel out; HP_EINVALID when they do not validate (every problem
 * through O->problem, and collected in HN for held_record once the
 * transaction is rolled back).
 */
int pending_first(struct store *st, struct zrow *zr, const char *apex,
    const struct store_import_opts *o, time_t now,
    struct store_import_result *res, struct held_note *hn);
/* Mark zone ZONE_ID held by its edits, HN saying why (outside any
 * transaction). */
void held_record(struct store *st, int64_t zone_id,
    const struct held_note *h);
/* Add a row (owner, type, class, ttl, rdata) of S to Z. */
int zset_add_row(struct zset *z, sqlite3_stmt *s);

/* A source's row of source_content (srcstate.c). */
struct srcrow {
	int exists;
	int64_t id;
	uint8_t digest[32];
	uint8_t soa[STORE_SOA_MAX];	/* serial zeroed */
	uint16_t soalen;
	uint32_t soa_ttl;
	int64_t size, mtime;	/* a file's when read (-1: none) */
	int has_file_digest;
	uint8_t file_digest[32];	/* its octets' SHA-256 */
};

/* What a source contributes now: its content's digest and SOA (serial
 * zeroed), how many RRs, and (a file) its size, mtime and the SHA-256 of
 * its octets (NULL: not a file, or one that includes others). */
struct srcinfo {
	const uint8_t *digest;
	const uint8_t *soa;
	size_t soalen;
	uint32_t soa_ttl;
	uint64_t records;
	int64_t size, mtime;	/* -1: not a file */
	const uint8_t *file_digest;
};

/*
 * srcstate.c: what each source of a zone last contributed. src_load()
 * reads SOURCE's row of ZONE_ID (exists = 0: never imported);
 * src_load_rrs() its difference from the zone's records (MINUS: zone
 * records it does not have, PLUS: its records the zone does not have),
 * in store order. src_save() writes the row and replaces the difference
 * with NMINUS and the NNPLUS RRs of PLUS_SET at the indexes NPLUS.
 * src_follow() keeps every other source's difference true after a change
 * made by another channel (RM removed, the NAD RRs of AD at IDX added).
 * src_reset(): after a rollback, every source counts as having made the
 * zone as it is now (but for records other channels added that the
 * rollback kept: still theirs): it stays while they are unchanged, and a
 * source that changes replaces it with its own content.
 */
int src_load(struct store *st, int64_t zone_id, const char *source,
    struct srcrow *sr);
int src_load_rrs(struct store *st, int64_t source_id, struct zset *minus,
    struct zset *plus);
int src_save(struct store *st, int64_t zone_id, const char *source,
    const struct srcinfo *info, time_t now, const struct zset *nminus,
    const struct zset *plus_set, const size_t *nplus, size_t nnplus,
    int64_t *source_id);
int src_follow(struct store *st, int64_t zone_id, int64_t except,
    const struct zset *rm, const struct zset *ad, const size_t *idx,
    size_t nad);
int src_reset(struct store *st, int64_t zone_id);
/* A file source found unchanged by its parse (its digest still
 * IN->digest) but with another size, mtime or octets (touched, rewritten
 * alike): those are kept, in a transaction of its own, so that the next
 * import needs no parse. */
int src_touch(struct store *st, int64_t source_id, const struct srcinfo *in);

/*
 * plan.c: the three-way merge of an import. The source's previous
 * content P (the zone's records, less MINUS, plus PLUS) against its new
 * content NZ gives its own change; that change is applied to the zone's
 * records: RM the rows removed, ADDED the indexes into NZ of the RRs
 * added (a TTL change is both, counted in TTL_CHANGES). A change the
 * zone already has, or a record no longer there to remove or change, is
 * a conflict: reported as a warning through PROBLEM, counted, not
 * applied. NMINUS/NPLUS: the source's new difference from the zone.
 */
struct merge {
	const struct zset *nz, *minus, *plus;	/* in */
	hp_problem_fn *problem;
	void *problem_arg;
	const char *name;	/* the source, for messages */
	struct zset *rm;			/* out */
	size_t *added, nadded, ttl_changes;
	struct zset *nminus;
	size_t *nplus, nnplus;
	unsigned conflicts;
};
int plan_merge(struct store *st, int64_t zone_id, struct merge *m);

/*
 * plan.c: what a change is. plan_diff() merges NZ (sorted, checked) with
 * the records of ZONE_ID: removed rows into RM, the indexes of added RRs
 * into *ADDED (malloc'ed), the current SOA into OLDSOA. plan_pending()
 * reads the direct edits of ZR (the pending log, consolidated) into AD,
 * RM and OLDSOA, the edited records into CUR.
 */
int plan_diff(struct store *st, int64_t zone_id, const struct zset *nz,
    struct zset *rm, struct zset *oldsoa, size_t **added, size_t *nadded,
    size_t *ttl_changes);
/* A row of `records` (owner, type, class, ttl, rdata), its columns read
 * once, or a key of the store's order (owner, type, rdata, class). */
struct rowv {
	const char *o;
	size_t olen;
	int type, rclass;
	int64_t ttl;
	const uint8_t *rd;
	size_t rdlen;
};
/* R of Z against the row or key V, in the store's order. */
int cmp_rowv(const struct zset *z, const struct zrr *r, const struct rowv *v);
/* plan_diff() of the entries FROM..TO of NZ against the zone's records
 * from the key LO (NULL: the first) and below HI (NULL: to the last);
 * added indexes appended to AD at *NADDED (AD has room for them). */
int plan_diff_range(struct store *st, int64_t zone_id, const struct zset *nz,
    size_t from, size_t to, const struct rowv *lo, const struct rowv *hi,
    struct zset *rm, struct zset *oldsoa, size_t *ad, size_t *nadded,
    size_t *ttl_changes);

/* With $HPAGENT_TIMING set, the time since the last call on stderr as
 * "timing: WHAT  N s" (for benchmarks; par.c). */
void store_phase(const char *what);

/*
 * par.c: FN(ARG) run on a thread of its own beside the caller (at once in
 * the caller when none can be started); par_join() waits for it and
 * returns what FN returned. The job must not report problems (the
 * callbacks are the caller's) nor touch the database.
 */
struct par {
	pthread_t th;
	int (*fn)(void *);
	void *arg;
	int ret, used, started;
};
void par_start(struct par *p, int (*fn)(void *), void *arg);
int par_join(struct par *p);

/*
 * blocks.c: a zone's records (SOA aside) in blocks cut by their content,
 * in the store's order: a block ends before an owner whose hash has its
 * low BLOCKS_BITS bits clear, or at BLOCKS_MAX records. Each is a key
 * range (its first key; the first block from the start) with the count
 * and a digest of its records (table zone_blocks). blocks_build() makes
 * the blocks of NZ (on two cores); blocks_hash() is the digest of NZ's
 * content from them (zones.content_hash, a source's digest).
 * blocks_load() reads those of ZONE_ID when they describe its current
 * version (B->n 0 when not). blocks_diff() is plan_diff() of NZ against
 * the zone through OLD and NEW (NZ's): only the key ranges between blocks
 * that match are read from `records` (*READ rows). blocks_save() keeps B
 * as those of the zone's current version (inside the change's
 * transaction).
 */
#define BLOCKS_BITS	7
#define BLOCKS_MAX	1024
struct block {
	struct rowv key;	/* owner NULL: from the start */
	uint32_t n;		/* records in it, SOA excepted */
	uint8_t digest[16];
	size_t at;		/* built: the entry it starts at */
};
struct blocks {
	struct block *b;
	size_t n, cap;
	uint8_t *blob;		/* what keys of loaded blocks point into */
};
int blocks_load(struct store *st, int64_t zone_id, struct blocks *b);
int blocks_diff(struct store *st, int64_t zone_id, const struct zset *nz,
    const struct blocks *old, const struct blocks *new, struct zset *rm,
    struct zset *oldsoa, size_t **added, size_t *nadded,
    size_t *ttl_changes, uint64_t *read);
int blocks_build(const struct zset *nz, struct blocks *out);
int blocks_hash(const struct zset *nz, const struct blocks *nb,
    uint8_t out[32]);
int blocks_save(struct store *st, int64_t zone_id, const struct blocks *b);
void blocks_free(struct blocks *b);
/* plan_pending() also checks each added row as store_check_rr() does
 * (and that its columns have the types SQL edits must give them): each
 * bad row reported through AD's problem callback, counted in AD->errors.
 * SOA rows: the removed ones into OLDSOA, the added ones counted in
 * *NEWSOA (the SOA published is the one `records` holds). */
int plan_pending(struct store *st, const struct zrow *zr, struct zset *ad,
    struct zset *rm, struct zset *oldsoa, size_t *newsoa);

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

/* ---- validation (validate.c) ---------------------------------------- */

/* The types at one owner, counted: vowner_check() says which rules they
 * break (VOWN_* bits), vowner_msg() names one. */
struct vowner {
	unsigned cname, dname, other;	/* other: not CNAME, RRSIG, NSEC */
};
#define VOWN_MULTI_CNAME	0x1
#define VOWN_CNAME_OTHER	0x2
#define VOWN_MULTI_DNAME	0x4
void vowner_add(struct vowner *v, uint16_t type);
unsigned vowner_check(const struct vowner *v);
const char *vowner_msg(unsigned bit);

/* Owner names as the store keeps them (text, not NUL-terminated), a
 * sorted set: borrowed, or copied when OWNS is set before the first add. */
struct vname {
	const char *s;
	size_t len;
};
struct vnames {
	struct vname *v;
	size_t n, cap;
	int owns;
};
int vnames_add(struct vnames *v, const char *s, size_t len);
void vnames_sort(struct vnames *v);	/* and drop duplicates */
void vnames_free(struct vnames *v);
/* The parent of name S (text, LEN octets), or NULL for the root. */
const char *vname_parent(const char *s, size_t len, size_t *plen);
/* The entry of DNAMES (sorted) that is a proper ancestor of S, at or
 * below APEX; NULL when none is. */
const struct vname *vnames_below(const struct vnames *dnames, const char *s,
    size_t len, const char *apex);

/*
 * The zone rules at the owners TOUCHED (and the apex, added to it) as the
 * records of ZONE_ID stand now, inside the change's write transaction:
 * CNAME and DNAME rules per owner, one SOA at the apex, apex NS, nothing
 * below a DNAME. Every problem reported through PROBLEM; 0 or
 * HP_EINVALID (or a database error).
 */
int check_change(struct store *st, int64_t zone_id, const char *apex,
    struct vnames *touched, hp_problem_fn *problem, void *arg);

#endif
