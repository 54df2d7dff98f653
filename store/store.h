/*
 * store.h -- the zone store: one SQLite database (WAL) holding every zone's
 * current records, its versions and the journal between them.
 *
 * A struct store is one SQLite connection; it is not thread-safe. A process
 * that serves transfers while another process (or connection) imports should
 * open a second handle and read through store_snapshot_begin/end so that one
 * transfer sees one version. No SQLite handle leaves store/: what other
 * modules need is a function here, named for what it does. Writers are serialised by SQLite (BEGIN
 * IMMEDIATE + busy timeout, 5 s or $HPAGENT_BUSY_TIMEOUT_MS); a writer that
 * cannot get the lock fails with HP_EBUSY ("database is locked by another
 * writer") and changes nothing.
 *
 * Owner names are absolute, lowercase, in libknot's presentation form
 * ("www.example.com."); rdata is the uncompressed wire form. The table
 * layout is documented in docs/SCHEMA.md.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_STORE_H
#define HP_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "dns/err.h"

struct store;

/* store_open() flags */
#define STORE_READONLY	0x1	/* open read-only; no migrations applied */
#define STORE_CREATE	0x2	/* create the file if it does not exist */

/*
 * Open (and with STORE_CREATE create) the database at PATH, set the pragmas
 * (WAL, foreign keys, synchronous=NORMAL, busy timeout) and apply the
 * embedded schema migrations not yet applied (unless STORE_READONLY).
 * On success *out is set and 0 returned. On failure a negative HP_E* is
 * returned, *out untouched, and a one-line reason written to ERRBUF
 * (ERRLEN bytes, may be NULL): HP_ENOTDB for a file that is not an SQLite
 * database, HP_ESCHEMA for a schema newer than this binary, HP_ENOENT for
 * a missing file without STORE_CREATE, HP_EBUSY, HP_ESTORE otherwise.
 */
int store_open(const char *path, int flags, struct store **out,
    char *errbuf, size_t errlen);
/*
 * Copy the database of ST into the file DEST (created; an existing file is
 * overwritten) with SQLite's online backup: one consistent snapshot, taken
 * while the daemon serves and imports. The copy is an ordinary database
 * (rollback journal mode) that store_open() opens as it is. 0, or
 * HP_ESTORE with the reason in ERRBUF.
 */
int store_backup(struct store *st, const char *dest, char *errbuf,
    size_t errlen);
/* Close the handle (NULL allowed). Any open snapshot is ended. */
void store_close(struct store *st);
/* The path ST was opened with. */
const char *store_path(const struct store *st);
/* The last database error message of ST (never NULL). */
const char *store_errmsg(struct store *st);
/* How long a write on ST waits for another writer before HP_EBUSY, in
 * milliseconds (0: not at all). */
void store_busy_timeout(struct store *st, int ms);
/* The page cache of ST's connection, in KiB (a transfer streams: it
 * needs little; the default is 32 MiB). */
void store_cache_size(struct store *st, int kib);
/* A number that changes when another connection commits (PRAGMA
 * data_version: a cheap read of shared memory, polled by the daemon);
 * -1 on error. */
int64_t store_data_version(struct store *st);
/* A number that moves when a version is written, a direct edit made or
 * a zone definition changed (-1 on error): what the daemon looks at when
 * the WAL was written, where the data version also moves with its own
 * ledger's and cache builder's commits. */
int64_t store_publish_gen(struct store *st);

/*
 * A write transaction of the caller's (BEGIN IMMEDIATE), so that several
 * changes are one: every write of store/ made while it is open (imports,
 * catalogs, zones added or purged) nests in it as a savepoint, and
 * store_commit() makes them all durable at once, store_rollback() undoes
 * them all. They nest. 0, HP_EBUSY (another writer), HP_ESTORE.
 */
int store_begin(struct store *st);
int store_commit(struct store *st);
void store_rollback(struct store *st);

/*
 * Checkpoints (copying the WAL into the database file): by default a
 * connection whose commit leaves the WAL over 1000 pages runs one itself,
 * with fsyncs, in the committing thread.
 * store_autocheckpoint(ST, 0) stops that for a connection whose thread
 * must not wait for the disk (the daemon's event loop): its commits only
 * note the WAL's size. Then another thread of the process calls
 * store_checkpoint() now and then: it checkpoints (PASSIVE: copies what no
 * reader still needs, waits for nobody) when such a commit left the WAL
 * over those 1000 pages, or always with FORCE. 1 when it checkpointed, 0
 * when there was no need, or a negative HP_E*.
 */
void store_autocheckpoint(struct store *st, int on);
int store_checkpoint(struct store *st, int force);

/*
 * A read snapshot: BEGIN on ST's connection and a first read, so that
 * everything read until store_snapshot_end() sees one version even while
 * another connection commits. Do not nest. 0 or HP_ESTORE.
 */
int store_snapshot_begin(struct store *st);
void store_snapshot_end(struct store *st);

/* ---- import and publish ---------------------------------------------- */

/* How an import meets the zone's current content (store_import_opts). */
#define STORE_MERGE	0	/* apply only the source's own change */
#define STORE_REPLACE	1	/* the zone becomes exactly the text */

/* Called for each RR of a change, as an IXFR sends it (OP 0 removed, 1
 * added; the old SOA first, then the new): store_journal_cb below. */
struct store_rr;
typedef int (*store_journal_cb)(int op, const struct store_rr *rr,
    void *arg);

/*
 * DNSSEC signing of a zone (store/dnssec.c): every version of a zone
 * imported, published or rolled back with a struct store_sign is signed
 * in the transaction that makes it, before it is journaled -- the first
 * time whole, then only what a change touches. Keys are made at the first
 * signing, their private parts written to KEYSTORE (0600 files), their
 * public state kept in the store. Unsigned input for such a zone must not
 * hold DNSSEC records (DNSKEY, RRSIG, NSEC, NSEC3, NSEC3PARAM, CDS,
 * CDNSKEY) or ZONEMD: refused with a message naming each.
 */
struct sign_policy;
struct store_sign {
	const struct sign_policy *policy;
	const char *keystore;	/* directory of private keys */
};

/* A version made by the signer alone (store_dnssec_resign). */
#define STORE_RESIGN_REFRESH	1	/* signatures due, key steps due */
#define STORE_RESIGN_FULL	2	/* the whole zone signed again */

struct store_import_opts {
	const char *zone;	/* zone name, with or without trailing dot */
	const char *source;	/* label kept in versions.source: "file",
				   "webhook", "fetch", ... (NULL: "file") */
	const char *origin;	/* which source this is, remembered per zone:
				   a file's path, a URL, "webhook"; NULL:
				   none (a rollback): the import replaces,
				   and every source of the zone counts as
				   having made the result (it stays while
				   they are unchanged) */
	int mode;		/* STORE_MERGE or STORE_REPLACE */
	int guard;		/* 1: refuse (HP_EMAXDELETE) an import that
				   removes more than MAX_DELETE percent of
				   the zone's records */
	unsigned max_delete;
	int dry_run;		/* do it all, then roll back: nothing
				   changes; CHANGE_CB sees the change */
	store_journal_cb change_cb;	/* may be NULL */
	void *change_arg;
	const char *filename;	/* name used in "file:line:" messages of a
				   buffer import (NULL: "<input>") */
	int serial_policy;	/* SERIAL_POLICY_* of dns/serial.h */
	unsigned max_journal_versions;	/* keep at most this many versions
					   with journal; 0 = keep all */
	hp_problem_fn *problem;	/* each problem and warning of the zone
				   text, and why the store refused; NULL:
				   printed to stderr */
	void *problem_arg;
	uint64_t max_size;	/* buffer/file size limit in bytes, 0: none;
				   over it: HP_ETOOBIG */
	int own_origin;		/* 1: the text must name its origin
				   ($ORIGIN or absolute names); a name
				   relative to the zone is refused. For
				   texts whose signature does not cover the
				   zone they are sent to. */
	struct store_sign sign;	/* policy NULL: the zone is not signed (a
				   zone the store holds signed is then
				   refused: HP_EINVALID) */
};

struct store_import_result {
	int changed;		/* 1: a new version was published */
	int pending_published;	/* 1: direct edits were first published as
				   their own version (source "sql") */
	int new_zone;		/* 1: the zone did not exist before */
	uint32_t old_serial;	/* serial before (0 for a new zone) */
	uint32_t new_serial;	/* serial now (== old_serial if unchanged) */
	int64_t zone_id;
	int64_t version_id;	/* the version now current */
	uint64_t added;		/* RRs added by this version (excl. SOA) */
	uint64_t removed;	/* RRs removed (excl. SOA) */
	uint64_t records;	/* RRs in the zone now (incl. SOA) */
	unsigned warnings;	/* e.g. duplicate RRs dropped */
	unsigned errors;	/* problems found in the input */
	unsigned conflicts;	/* merge: changes of the source the zone
				   already has, or records no longer there
				   (each reported as a warning) */
	uint64_t deleted;	/* records removed, TTL changes not counted
				   (what max-delete counts) */
	uint64_t records_before;	/* RRs in the zone before */
	int replaced;		/* 1: applied as a replace (--replace,
				   source-mode: replace, or the first import
				   of this source) */
	int dry_run;		/* 1: rolled back (opts->dry_run) */
	int held;		/* 1: the zone is held by invalid direct
				   edits (nothing else was done) */
};

/*
 * Parse the zone file PATH (libzscanner: $ORIGIN/$TTL/$INCLUDE, RFC 3597
 * generic form; origin = the zone name), validate it (each RR as
 * store_check_rr; one SOA at the apex, NS at the apex, nothing outside
 * the zone, CNAME and DNAME rules; duplicates dropped with a warning) and
 * publish what it changes as a new version in one transaction: records
 * delta, version row, journal, serial bumped per the policy (the file's
 * serial is kept when it is ahead in RFC 1982 terms), pruning. (The
 * daemon prepares the AXFR messages of the new version after the commit:
 * store/xfrcache.h.) Pending direct edits are first published as their
 * own version in the same transaction.
 *
 * What it changes (OPTS->mode): STORE_REPLACE, the zone becomes the text
 * (SOA serial ignored). STORE_MERGE, only the change of the source
 * OPTS->origin since its last import (its previous content -> this one)
 * is applied to the zone's records: what other channels added or removed
 * stays; an unchanged source changes nothing, without a write; conflicts
 * are warnings (RES->conflicts). A source never imported before (or no
 * OPTS->origin) replaces. Either way the source's content is remembered.
 * The result is validated where it changed (check_change); with
 * OPTS->guard, removing more than OPTS->max_delete percent of the
 * records is refused (HP_EMAXDELETE, RES->deleted and ->records_before
 * set).
 * Returns 0 (RES->changed says whether a version was made), HP_EPARSE or
 * HP_EINVALID (every problem reported to OPTS->problem; store unchanged;
 * also when the zone is held by invalid direct edits, RES->held),
 * HP_EMAXDELETE, HP_ENOENT/HP_EACCES/HP_EIO for the file, HP_EBUSY,
 * HP_ESTORE.
 */
int store_import_file(struct store *st, const char *path,
    const struct store_import_opts *opts, struct store_import_result *res);
/* As store_import_file, reading the zone text from BUF (LEN bytes, need
 * not be NUL-terminated). $INCLUDE is refused in a buffer. */
int store_import_buffer(struct store *st, const char *buf, size_t len,
    const struct store_import_opts *opts, struct store_import_result *res);

/*
 * Publish the direct edits of OPTS->zone (rows in `pending`, logged by the
 * triggers on `records`) as a new version: serial bumped per the policy,
 * journal from the consolidated pending log, dirty cleared. Each added
 * row is checked as store_check_rr() checks (and its columns must be
 * TEXT, INTEGER and BLOB as docs/SCHEMA.md says), the zone rules where
 * they changed. Returns 0, HP_EUNCHANGED when nothing is pending (edits
 * that cancel out count as nothing; the flag is cleared), HP_EINVALID
 * when the edits do not validate: each bad row named through
 * OPTS->problem (owner, type, problem), nothing published, and the zone
 * marked held (store_zone_info: held, held_why) until its rows are fixed
 * or discarded; HP_ENOENT for an unknown zone, HP_EBUSY, HP_ESTORE.
 */
int store_publish(struct store *st, const struct store_import_opts *opts,
    struct store_import_result *res);

/*
 * Drop the direct edits of ZONE: the rows of `records` put back as the
 * current version has them (from the pending log, in reverse), the log
 * emptied, dirty and held cleared. RES->removed / ->added: rows taken
 * out / put back. 0, HP_EUNCHANGED (nothing pending), HP_ENOENT,
 * HP_EBUSY, HP_ESTORE.
 */
int store_discard(struct store *st, const char *zone,
    struct store_import_result *res);

/*
 * Publish the content of OPTS->zone's stored version SERIAL again, as a
 * new version (source OPTS->source, e.g. "rollback"): its RRs are read
 * from the rows (the current records with the journal applied backwards),
 * checked as direct edits are, and published as store_import_buffer()
 * publishes them with no OPTS->origin: the zone becomes that content,
 * and it stays while the zone's sources are unchanged (the next change of
 * a source replaces it with the source's content). The serial moves
 * forward per the policy; RES->changed is 0 when the current content
 * already equals it. HP_ENOENT (no such zone), HP_ENOJOURNAL (that
 * version is not stored: never was, or pruned), HP_EINVALID, HP_EBUSY,
 * HP_ESTORE.
 */
int store_republish(struct store *st, uint32_t serial,
    const struct store_import_opts *opts, struct store_import_result *res);

/* ---- DNSSEC (store/dnssec*.c) ------------------------------------------ */

/*
 * A version of signed zone OPTS->zone made by the signer alone: the SOA
 * serial moved on (OPTS->serial_policy), the key steps due now applied
 * (ROLL: key roles the operator asks to roll now, signer/keys.h's
 * KEYS_ZSK / KEYS_KSK bits), and with STORE_RESIGN_REFRESH the
 * signatures due refreshed (a batch of them), with STORE_RESIGN_FULL the
 * whole zone signed again (also a zone signed for the first time).
 * 0 (RES->new_serial), HP_ENOENT, HP_EAGAIN (direct edits pending),
 * HP_EKEYSTORE, HP_EINVALID (why through OPTS->problem), HP_EBUSY,
 * HP_ESTORE.
 */
int store_dnssec_resign(struct store *st, const struct store_import_opts *o,
    int what, unsigned roll, struct store_import_result *res);

/* What the store knows of a signed zone (store_dnssec_info). */
struct keys_state;
struct store_dnssec_info {
	int64_t zone_id;
	int is_signed;		/* 0: not signed (the rest unset) */
	char policy[64];
	char chain[600];	/* "nsec", "nsec3 1 0 ITERATIONS SALT" */
	int64_t signed_at;	/* last whole signing */
	int64_t updated;	/* last signing */
	int64_t refresh;	/* signatures due for refresh from (0: -) */
	int64_t roll;		/* the next key step due at (0: none) */
	char waiting[64];	/* what a rollover waits for ("" none) */
	uint64_t generated;	/* generated records */
	size_t nkeys;
	struct keys_state *keys;	/* NKEYS, by creation; free() */
};
/* The chain policy P asks for, as store_dnssec_info's CHAIN says it. */
void store_dnssec_chain(const struct sign_policy *p, char *out, size_t len);
/* Fill *INFO for ZONE. 0, HP_ENOENT (no such zone), HP_ESTORE. */
int store_dnssec_info(struct store *st, const char *zone,
    struct store_dnssec_info *info);
void store_dnssec_info_free(struct store_dnssec_info *info);

/* Every secondary of ZONE_ID serves SERIAL since AT: the keys whose last
 * step that version (or an earlier one) carried are confirmed as
 * propagated (signer/rollover.h roll_confirm). *MOVED: 1 when a key was
 * waiting for it. 0, HP_EBUSY, HP_ESTORE. */
int store_dnssec_confirm(struct store *st, int64_t zone_id, uint32_t serial,
    int64_t at, int *moved);

/* The parent publishes the DS of ZONE's KSK/CSK KEYTAG since AT (the
 * operator says so: hpagent dnssec ds-seen). 0, HP_ENOENT (no such key),
 * HP_EBUSY, HP_ESTORE. */
int store_dnssec_ds_seen(struct store *st, const char *zone,
    unsigned keytag, int64_t at);

/* Signed zones whose refresh or key step is due at NOW: CB with each
 * name. */
int store_dnssec_due(struct store *st, int64_t now,
    int (*cb)(const char *zone, void *arg), void *arg);

/* ---- dynamic updates (store/update.c) -------------------------------- */

struct upd_msg;

struct store_update_opts {
	const char *key;	/* the TSIG key's name (versions.origin), or
				   NULL: an unsigned update */
	int serial_policy;	/* SERIAL_POLICY_* of dns/serial.h */
	unsigned max_journal_versions;
	hp_problem_fn *problem;	/* why it failed, what was ignored */
	void *problem_arg;
	const char *source;	/* the version's source (NULL: "ddns") */
	struct store_sign sign;	/* a signed zone: signed as imports are
				   (policy NULL: not signed); DNSSEC types
				   are refused as update records */
};

/*
 * Apply the RFC 2136 UPDATE U (dns/update.h) to its zone in one
 * transaction, all or nothing: the prerequisites checked on the records
 * (3.2), the updates applied in order (3.4.2: an SOA whose serial is not
 * ahead, a CNAME beside other data or data beside a CNAME, deleting the
 * apex SOA or NS RRset or the last apex NS are ignored, with a warning;
 * an added RR's TTL becomes its RRset's, RFC 2181 5.2), each added RR and
 * the touched owners validated as imports are; the net change published
 * as one version (source "ddns", origin OPTS->key), serial bumped by the
 * policy (an SOA the update sets keeps its serial when ahead), journaled;
 * every source's memory follows it (the records stay through imports).
 * Direct edits of the records table still pending are published first,
 * as their own version in the same transaction (RES->pending_published;
 * RES->old_serial the serial before both).
 * *RCODE: the answer (NOERROR also when nothing changed: RES->changed 0;
 * YXDOMAIN, NXDOMAIN, YXRRSET, NXRRSET: a prerequisite failed, nothing
 * changed, returns 0; NOTAUTH: the zone is not stored, HP_ENOENT;
 * FORMERR: an RR the validator refuses, HP_EINVALID; REFUSED: the
 * result breaks a zone rule, HP_EINVALID; SERVFAIL: HP_EBUSY (also when
 * pending direct edits do not validate: RES->held, the zone marked held
 * as an import marks it), HP_ESTORE). Every reason goes to
 * OPTS->problem.
 */
int store_update(struct store *st, const struct upd_msg *u,
    const struct store_update_opts *opts, struct store_import_result *res,
    uint8_t *rcode);

/*
 * An edit of ZONE as text: the records of OLDTEXT that NEWTEXT lacks
 * deleted, those NEWTEXT adds added (an SOA that differs but for its
 * serial replaces the zone's), as one store_update() with OPTS (source
 * OPTS->source, e.g. "edit"); GUARD: each RRset touched must still be as
 * OLDTEXT has it (value-dependent prerequisites: a change made meanwhile
 * fails the edit with YXRRSET or NXRRSET, nothing changed). The texts are
 * zone text relative to ZONE; OLDTEXT "" and GUARD 0 only adds (hpagent
 * add), NEWTEXT "" only deletes (hpagent del). CHANGE_CB (may be NULL)
 * sees each RR removed (op 0) and added (op 1) before it is applied.
 * Returns as store_update() (*RCODE), HP_EPARSE when a text does not
 * parse (its problems to OPTS->problem).
 */
int store_edit(struct store *st, const char *zone, const char *oldtext,
    size_t oldlen, const char *newtext, size_t newlen, int guard,
    const struct store_update_opts *o, store_journal_cb change_cb,
    void *change_arg, struct store_import_result *res, uint8_t *rcode);

/* ---- reading (store/zones.c, store/journal.c) ----------------------- */

struct store_zone_info {
	int64_t id;
	char name[256];		/* absolute, lowercase, trailing dot */
	uint32_t serial;	/* published serial */
	uint64_t records;	/* RRs in the current version (incl. SOA) */
	int64_t created;	/* unix time */
	int64_t updated;	/* unix time of the last version */
	int dirty;		/* 1: direct edits pending */
	int64_t version_id;	/* current version */
	int held;		/* 1: the pending edits do not validate */
	char held_why[512];	/* their problems (the first ones) */
	int64_t held_since;	/* unix time */
	int64_t held_mark;	/* the pending log when that was found ... */
	int64_t pending_mark;	/* ... and now (equal: nothing new) */
	int broken;		/* 1: the current version holds a record
				   no transfer may send */
	char broken_why[512];
};

/* Fill *INFO for ZONE (with or without trailing dot, any case).
 * 0, HP_ENOENT, HP_ESTORE. */
int store_zone_info(struct store *st, const char *zone,
    struct store_zone_info *info);
/* Call CB for each zone, by name. A non-zero CB return stops the walk and
 * is returned. */
int store_zone_list(struct store *st,
    int (*cb)(const struct store_zone_info *info, void *arg), void *arg);

struct store_rr {
	const char *owner;	/* absolute, lowercase presentation form */
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	const uint8_t *rdata;	/* wire form, valid during the callback */
	uint16_t rdlen;
};
/* Return 0 to go on; non-zero stops the walk and is returned. */
typedef int (*store_rr_cb)(const struct store_rr *rr, void *arg);

/* The current RRs of ZONE_ID: the SOA first, then the rest in storage
 * order (owner, type, class, rdata). */
int store_foreach_rr(struct store *st, int64_t zone_id, store_rr_cb cb,
    void *arg);

/* The records the signer made for ZONE_ID (DNSKEY, RRSIG, NSEC, ...;
 * none for a zone that is not signed), in DNSSEC canonical order. */
int store_foreach_generated(struct store *st, int64_t zone_id,
    store_rr_cb cb, void *arg);

/* The RRs of the version of ZONE_ID that had SERIAL (reconstructed by
 * applying the journal in reverse): SOA first, then storage order.
 * HP_ENOJOURNAL when the journal no longer reaches SERIAL. */
int store_foreach_rr_at(struct store *st, int64_t zone_id, uint32_t serial,
    store_rr_cb cb, void *arg);

/* Journal walk callback (store_journal_cb, above): OP is 0 for a
 * removed RR, 1 for an added RR. */

/*
 * Walk the journal of ZONE_ID from serial FROM to the current serial, as
 * IXFR sends it (RFC 1995): for each version in order, the removed RRs
 * (the old SOA first), then the added RRs (the new SOA first). The chain
 * is checked before the first callback: HP_ENOJOURNAL when it does not
 * reach FROM (pruned, or FROM never existed). FROM equal to the current
 * serial: 0 with no callback.
 */
int store_journal_foreach(struct store *st, int64_t zone_id, uint32_t from,
    store_journal_cb cb, void *arg);

/* One version's row of `versions`. */
struct store_version {
	int64_t id;
	uint32_t serial;
	uint32_t prev_serial;	/* 0 with has_prev = 0 for the first */
	int has_prev;
	int64_t created;
	char source[32];
	char origin[256];	/* the importing source ("" for others) */
	char mode[16];		/* "merge", "replace", or "" */
	uint64_t added, removed, records;
	int has_journal;	/* 0 once pruned */
};
/* Call CB for each version of ZONE_ID, oldest first. */
int store_version_list(struct store *st, int64_t zone_id,
    int (*cb)(const struct store_version *v, void *arg), void *arg);
/* The serial before version VERSION_ID (its prev_serial). 0, HP_ENOENT
 * (no such version, or the zone's first), HP_ESTORE. */
int store_version_prev(struct store *st, int64_t version_id,
    uint32_t *prev);

/* The current SOA of a zone: its rdata (wire form) and TTL. */
#define STORE_SOA_MAX	(2 * 255 + 20)
struct store_soa {
	uint8_t rdata[STORE_SOA_MAX];
	uint16_t rdlen;
	uint32_t ttl;
};
/* Fill *SOA with the SOA of ZONE_ID's current version (through the
 * partial index records_soa, not a scan). 0, HP_ENOENT (no such zone or
 * no SOA), HP_EINVALID (not a valid SOA rdata), HP_ESTORE. */
int store_zone_soa(struct store *st, int64_t zone_id, struct store_soa *soa);
/* The same for ZONE by name, in one statement (the SOA queries the
 * daemon answers). */
int store_zone_soa_named(struct store *st, const char *zone,
    struct store_soa *soa);

/* 1 when NAME (absolute, lowercase, the store's form) owns records in
 * ZONE or is an empty non-terminal of it, 0 when it does not exist there
 * (NXDOMAIN), or HP_ENOENT/HP_ESTORE. */
int store_name_exists(struct store *st, const char *zone, const char *name);

/*
 * Mark version VERSION_ID of ZONE_ID broken: it holds a record no
 * transfer may send (WHY: which, and what is wrong). Transfers of that
 * version are answered SERVFAIL; store_zone_info() reports it while it is
 * the current version. 0, HP_EBUSY, HP_ESTORE.
 */
int store_zone_set_broken(struct store *st, int64_t zone_id,
    int64_t version_id, const char *why);

/* ---- validation (store/validate.c): every way into the store ---------- */

/*
 * Check one RR as the store would keep it in zone APEX (absolute,
 * lowercase text): the OWNER (OWNER_LEN octets: absolute, lowercase,
 * libknot's presentation form -- refused, not rewritten, otherwise --
 * at or below APEX), the type (not 0, OPT or a meta/query type
 * 128..255), the class (IN), the TTL (0..2^31-1, RFC 2181 8) and the
 * rdata (length and field structure of its type; RFC 3597 opaque data
 * for types without a form). 0, or HP_EINVALID with one line in WHY.
 */
int store_check_rr(const char *apex, const char *owner, size_t owner_len,
    int64_t type, int64_t rclass, int64_t ttl, const uint8_t *rdata,
    size_t rdlen, char *why, size_t whylen);
/* Only the type, class and TTL of an RR. */
int store_check_type(int64_t type, int64_t rclass, int64_t ttl, char *why,
    size_t whylen);
/* Only the rdata of an RR of TYPE. */
int store_check_rdata(uint16_t type, const uint8_t *rdata, size_t rdlen,
    char *why, size_t whylen);

/*
 * RR in presentation format, one line ("owner TTL class type rdata"
 * without a newline), as libknot prints it, into *BUF (of *LEN octets,
 * malloc'ed, grown as needed; both may start as NULL/0; free() it).
 * 0, HP_ENOMEM, HP_EMALF (a name or rdata libknot cannot print).
 */
int store_rr_text(const struct store_rr *rr, char **buf, size_t *len);

/* ---- zone sources (store/sources.c, table sources) --------------------- */

/* The ETag / Last-Modified kept for ZONE's source URL (either may be set
 * to NULL; free() them). 0, HP_ENOENT (none kept for that URL), HP_ESTORE. */
int store_source_get(struct store *st, const char *zone, const char *url,
    char **etag, char **last_modified);
/* Keep the validators of a successful fetch of URL for ZONE (FETCHED: 1
 * for a full fetch, 0 for "not modified"). 0, HP_EBUSY, HP_ESTORE. */
int store_source_set(struct store *st, const char *zone, const char *url,
    const char *etag, const char *last_modified, int fetched);

/* ---- the secondaries ledger (store/secondaries.c) ---------------------- */

/*
 * What the daemon knows of each secondary of each zone (table
 * secondaries): a secondary is a notify: entry of the zone, keyed by its
 * "ADDR@PORT" (TARGET). The serial it serves is what its own SOA answer
 * showed (the daemon's probes); the state and its reason are the
 * daemon's verdict at the last probe or event; the last transfer we
 * served it and the last NOTIFY are kept beside. What `hpagent status`,
 * `hpagent wait`, ?wait= and /metrics read.
 */
#define STORE_ADDR_MAX		46	/* an IPv6 address as text, with NUL */
#define STORE_TARGET_MAX	96	/* "ADDR@PORT" with its NUL (the label
					   of a NOTIFY target) */
#define STORE_STATE_MAX		16	/* "unreachable" with its NUL */
#define STORE_REASON_MAX	256
#define STORE_NONE		(-1)	/* a time or serial never recorded */

enum store_sec_event {
	STORE_SEC_NOTIFY_SENT,	/* a NOTIFY of SERIAL went out */
	STORE_SEC_NOTIFY_ACKED,	/* ... and was acknowledged */
	STORE_SEC_NOTIFY_FAILED, /* ... or failed: REASON says how */
	STORE_SEC_XFR,		/* a transfer of SERIAL to it completed:
				   KIND, BYTES, FIRST */
	STORE_SEC_PROBE,	/* the verdict of a probe or an event:
				   SERIAL (when HAS_SERIAL), SINCE, STATE,
				   REASON; WHEN: the last probe (0: keep) */
};

struct store_sec_record {
	enum store_sec_event event;
	int64_t zone_id;
	char target[STORE_TARGET_MAX];
	int64_t when;		/* unix time */
	uint32_t serial;
	int has_serial;		/* PROBE: 0 = serves none known */
	int64_t since;		/* PROBE */
	int64_t first;		/* XFR: first transfer of that serial */
	uint64_t bytes;		/* XFR */
	char kind[8];		/* XFR: "AXFR" / "IXFR" */
	char state[STORE_STATE_MAX];	/* PROBE */
	char reason[STORE_REASON_MAX];	/* PROBE ("" = none), NOTIFY_FAILED */
};

/* Record the N events of R in one transaction: 0; HP_EBUSY when another
 * writer holds the database (nothing written: try again later);
 * HP_ESTORE (store_errmsg() says why; nothing written). */
int store_sec_record(struct store *st, const struct store_sec_record *r,
    size_t n);

/*
 * One row of the ledger with its zone's current serial. Times are unix
 * seconds, serials and counts STORE_NONE where nothing was recorded.
 * STATE is the daemon's verdict, except that "in-sync" is reported as
 * "behind" once the zone has a newer serial than the one confirmed (a
 * publish the daemon has not seen confirmed yet); "unknown" for a row
 * never probed.
 */
struct store_secondary {
	char zone[256];
	uint32_t zone_serial;
	int64_t zone_updated;
	char target[STORE_TARGET_MAX];
	int64_t serial;		/* served, as its SOA answer showed */
	int64_t since;		/* when it first showed SERIAL */
	int64_t probed;		/* last probe */
	char state[STORE_STATE_MAX];
	char reason[STORE_REASON_MAX];	/* "" when none */
	int64_t xfr_serial, xfr_bytes, xfr_time, xfr_first;
	char xfr_kind[8];		/* "" when no transfer */
	int64_t notify_serial, notify_sent, notify_acked;
	char notify_error[STORE_REASON_MAX];
};

/* 1 when S is known to serve SERIAL or newer (RFC 1982), else 0. */
int store_sec_has(const struct store_secondary *s, uint32_t serial);
/* 1 when S cannot be expected to serve SERIAL: it is stale, having
 * transferred SERIAL or newer without serving it within sync-timeout. */
int store_sec_stale(const struct store_secondary *s, uint32_t serial);

/* The row of TARGET of ZONE (name, trailing dot) into *OUT: 1, 0 when
 * there is none, HP_ESTORE. */
int store_sec_get(struct store *st, const char *zone, const char *target,
    struct store_secondary *out);

/* Call CB for each row of ZONE (NULL: every zone), by zone name and
 * target; a non-zero return of CB stops the walk and is returned. */
int store_sec_list(struct store *st, const char *zone,
    int (*cb)(const struct store_secondary *s, void *arg), void *arg);

/*
 * Remove the rows of the secondary WHO: "ADDR@PORT" that entry, "ADDR"
 * every port of that address; of ZONE only (name, trailing dot) unless
 * NULL. *N gets the number removed. 0, HP_EBUSY, HP_ESTORE.
 */
int store_sec_forget(struct store *st, const char *who, const char *zone,
    int *n);

/* ---- catalog zones (store/catalog.c, table catalog_members) ------------ */

/*
 * Producer catalog zones (RFC 9432, schema version 2). A catalog is an
 * ordinary zone of the store (versions, serials, journal) whose records
 * hpagent writes from its members: the SOA (invalid. invalid., TTL 0),
 * "NS invalid.", "version TXT "2"", and per member "<id>.zones PTR
 * <member>." with "group.<id>.zones TXT <group>" when it has a group, and
 * "coo.<id>.zones PTR <catalog>." in the catalog a member moved out of.
 * Each member's id (the unique N label, 16 hex digits) is chosen once and
 * kept in catalog_members: stable across restarts and reloads; a member
 * removed and added again gets a new one (RFC 9432 5.4: a reset).
 */
struct store_catalog {
	const char *name;		/* the catalog zone */
	int serial_policy;		/* SERIAL_POLICY_* */
	unsigned max_journal_versions;
};

struct store_member {
	const char *zone;		/* the member zone */
	const char *catalog;		/* the catalog that lists it */
	const char *group;		/* its group property, NULL: none */
};

struct store_catalog_result {
	unsigned added, removed, moved, regrouped;
	unsigned published;		/* catalogs given a new version */
};

/*
 * Make the catalogs CATS (NCAT) list exactly the members M (NM), in one
 * transaction (nested in the caller's when store_begin() opened one):
 * members new to a catalog get a fresh id, members gone are removed
 * (with their coo rows elsewhere), a member now in another catalog keeps
 * its id there and its old catalog gets "coo.<id>.zones PTR <new>."
 * (RFC 9432 5.6.1; a moved member listed back drops it); each catalog
 * whose members changed (or that is not stored yet) is published as a
 * new version, source "catalog". Rows of catalogs not in CATS are
 * dropped. Refused with HP_EINVALID, every reason through PROBLEM,
 * nothing changed: a member or catalog name that is not a domain name,
 * a catalog that would list itself or another catalog, a member listed
 * twice (two catalogs claiming one zone), a catalog not in CATS, a group
 * longer than 255 octets. HP_EBUSY, HP_ESTORE.
 */
int store_catalog_sync(struct store *st, const struct store_catalog *cats,
    size_t ncat, const struct store_member *m, size_t nm,
    hp_problem_fn *problem, void *problem_arg,
    struct store_catalog_result *res);

/* One row of catalog_members. */
struct store_catalog_row {
	char catalog[256];
	char member[256];
	char id[32];
	char group[256];		/* "" when none */
	char coo[256];			/* "" when none */
	int64_t added;
};
/* CB for each row of CATALOG (NULL: every catalog), by catalog and
 * member; a non-zero return stops the walk and is returned. */
int store_catalog_list(struct store *st, const char *catalog,
    int (*cb)(const struct store_catalog_row *r, void *arg), void *arg);
/* The number of members (rows without coo) of CATALOG into *N. */
int store_catalog_count(struct store *st, const char *catalog, int64_t *n);

/* ---- zones kept in the database (store/zonedefs.c, table zone_defs) --- */

/*
 * Zones added with `hpagent zone add` or POST /v1/zones: the name and
 * the pattern they include, served as configured zones are. DELETING:
 * unix time of `zone delete` (0: served), PURGE: no backup wanted.
 */
struct store_zonedef {
	char name[256];
	char pattern[256];		/* "" when none */
	int64_t added;
	int64_t deleting;
	int purge;
};
/* Keep ZONE (with PATTERN, may be NULL) in zone_defs: 0, HP_EEXIST (it
 * is kept already), HP_EINVAL (not a domain name), HP_EBUSY, HP_ESTORE.
 * Nests in the caller's transaction. */
int store_zonedef_add(struct store *st, const char *zone,
    const char *pattern);
/* ZONE's row into *OUT: 1, 0 when there is none, HP_ESTORE. */
int store_zonedef_get(struct store *st, const char *zone,
    struct store_zonedef *out);
/* CB for each row, by name. */
int store_zonedef_list(struct store *st,
    int (*cb)(const struct store_zonedef *d, void *arg), void *arg);
/* Mark ZONE's row deleting (PURGE: no backup). 0, HP_ENOENT. Nests. */
int store_zonedef_delete(struct store *st, const char *zone, int purge);
/* A number that changes with every change of zone_defs (-1 on error). */
int64_t store_zonedef_seq(struct store *st);

/*
 * Remove ZONE from the store: its row, records, versions, journal,
 * pending edits, sources, AXFR messages, ledger rows, its zone_defs row
 * and its catalog_members rows, in one transaction. Unless BACKUP is
 * NULL, the zone's rows (zones, records, versions, journal,
 * source_content, source_rrs) are first copied into a new SQLite file
 * BACKUP (tables of the same names; it must not exist). 0, HP_ENOENT (no
 * such zone: nothing done), HP_EEXIST (BACKUP exists), HP_EBUSY,
 * HP_ESTORE.
 */
int store_zone_purge(struct store *st, const char *zone, const char *backup);

/* ---- what /metrics reads (store/stats.c) -------------------------------- */

struct store_zone_stat {
	const char *zone;
	uint32_t serial;
	uint64_t versions;	/* stored */
	int held;		/* direct edits held (store_publish) */
	int broken;		/* the current version is broken */
};

/* The number of zones in *N. 0 or HP_ESTORE. */
int store_stat_zone_count(struct store *st, uint64_t *n);
/* CB for each zone, by name. */
int store_stat_zones(struct store *st,
    int (*cb)(const struct store_zone_stat *z, void *arg), void *arg);
/* CB for each versions.source with how many versions it published, ever
 * (pruned and deleted ones included: the count never goes down). */
int store_stat_sources(struct store *st,
    int (*cb)(const char *source, uint64_t versions, void *arg), void *arg);

#endif
