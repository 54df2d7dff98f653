/*
 * apply.c -- writing a planned change inside the import's write
 * transaction: the version row, its journal (what an IXFR sends), the
 * records delta, the new SOA; then pruning and the zone's row.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns/err.h"
#include "dns/wire.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/zset.h"

static int
bind_rr(sqlite3_stmt *s, int first, const char *owner, size_t olen,
    int type, int rclass, uint32_t ttl, const uint8_t *rd, size_t rdlen)
{
	sqlite3_bind_text(s, first, owner, (int)olen, SQLITE_STATIC);
	sqlite3_bind_int(s, first + 1, type);
	sqlite3_bind_int(s, first + 2, rclass);
	sqlite3_bind_int64(s, first + 3, ttl);
	sqlite3_bind_blob(s, first + 4, rdlen ? (const void *)rd : "",
	    (int)rdlen, SQLITE_STATIC);
	return 0;
}

struct writer {
	struct store *st;
	int64_t zone_id, version_id;
	sqlite3_stmt *jins, *rins, *rdel;
	sqlite3_stmt *rbatch;	/* RINS_BATCH rows per statement */
	int seq[2];
};

/*
 * Bulk inserts go RINS_BATCH rows per statement: the statement overhead is
 * paid once per batch, and within a statement SQLite keeps its cursor on
 * the last leaf, so appends in key order need no seek from the root.
 */
#define RINS_BATCH	64

static int
journal_put(struct writer *w, int op, const char *owner, size_t olen,
    int type, int rclass, uint32_t ttl, const uint8_t *rd, size_t rdlen)
{
	sqlite3_bind_int64(w->jins, 1, w->version_id);
	sqlite3_bind_int(w->jins, 2, op);
	sqlite3_bind_int(w->jins, 3, w->seq[op]++);
	bind_rr(w->jins, 4, owner, olen, type, rclass, ttl, rd, rdlen);
	return store_step_done(w->jins);
}

static void
writer_fini(struct writer *w)
{
	sqlite3_finalize(w->jins);
	sqlite3_finalize(w->rins);
	sqlite3_finalize(w->rdel);
	sqlite3_finalize(w->rbatch);
}

static int
rbatch_prep(struct writer *w)
{
	char sql[64 + RINS_BATCH * 48];
	size_t len;
	int i, p, n;

	len = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO records(zone_id,"
	    " owner, type, class, ttl, rdata) VALUES ");
	for (i = 0; i < RINS_BATCH; i++) {
		p = 2 + 5 * i;
		n = snprintf(sql + len, sizeof(sql) - len,
		    "%s(?1,?%d,?%d,?%d,?%d,?%d)", i ? "," : "", p, p + 1,
		    p + 2, p + 3, p + 4);
		if (n < 0 || (size_t)n >= sizeof(sql) - len)
			return HP_ENOMEM;
		len += (size_t)n;
	}
	return store_prep(w->st, &w->rbatch, sql);
}

static int
writer_init(struct writer *w, struct store *st, int64_t zone_id)
{
	int ret;

	memset(w, 0, sizeof(*w));
	w->st = st;
	w->zone_id = zone_id;
	if ((ret = store_prep(st, &w->jins, "INSERT INTO journal(version_id, op, "
	    "seq, owner, type, class, ttl, rdata) VALUES (?,?,?,?,?,?,?,?)")) < 0 ||
	    (ret = store_prep(st, &w->rins, "INSERT INTO records(zone_id, owner, "
	    "type, class, ttl, rdata) VALUES (?,?,?,?,?,?)")) < 0 ||
	    (ret = store_prep(st, &w->rdel, "DELETE FROM records WHERE zone_id = ? "
	    "AND owner = ? AND type = ? AND class = ? AND rdata = ?")) < 0) {
		writer_fini(w);
		return ret;
	}
	return 0;
}

static int
rec_insert(struct writer *w, const char *owner, size_t olen, int type,
    int rclass, uint32_t ttl, const uint8_t *rd, size_t rdlen)
{
	sqlite3_bind_int64(w->rins, 1, w->zone_id);
	bind_rr(w->rins, 2, owner, olen, type, rclass, ttl, rd, rdlen);
	return store_step_done(w->rins);
}

static int
rec_delete(struct writer *w, const char *owner, size_t olen, int type,
    int rclass, const uint8_t *rd, size_t rdlen)
{
	sqlite3_bind_int64(w->rdel, 1, w->zone_id);
	sqlite3_bind_text(w->rdel, 2, owner, (int)olen, SQLITE_STATIC);
	sqlite3_bind_int(w->rdel, 3, type);
	sqlite3_bind_int(w->rdel, 4, rclass);
	sqlite3_bind_blob(w->rdel, 5, rdlen ? (const void *)rd : "",
	    (int)rdlen, SQLITE_STATIC);
	return store_step_done(w->rdel);
}

/* Keep the KEEP newest versions of ZONE_ID: the journal of the older
 * ones, then their rows. */
static int
prune(struct store *st, int64_t zone_id, unsigned keep)
{
	static const char *const sql[] = {
		"DELETE FROM journal WHERE version_id IN (SELECT id FROM "
		"versions WHERE zone_id = ?1 ORDER BY id DESC LIMIT -1 OFFSET ?2)",
		"DELETE FROM versions WHERE id IN (SELECT id FROM versions "
		"WHERE zone_id = ?1 ORDER BY id DESC LIMIT -1 OFFSET ?2)",
	};
	sqlite3_stmt *s;
	size_t i;
	int ret = 0;

	for (i = 0; keep > 0 && ret == 0 && i < 2; i++) {
		if ((ret = store_prep(st, &s, sql[i])) < 0)
			return ret;
		sqlite3_bind_int64(s, 1, zone_id);
		sqlite3_bind_int64(s, 2, keep);
		ret = store_step_done(s);
		sqlite3_finalize(s);
	}
	return ret;
}

/*
 * Bulk changes: the triggers on `records` cost more than the insert
 * itself, so they are dropped and re-created (from their own text in
 * sqlite_master) inside the write transaction; no other connection ever
 * sees them missing.
 */
#define BULK_ROWS	50000

static int
triggers_off(struct store *st, char ***saved, size_t *nsaved)
{
	sqlite3_stmt *s;
	char **v = NULL, **nv, drop[160];
	size_t n = 0, i;
	int rc, ret;

	if ((ret = store_prep(st, &s, "SELECT name, sql FROM sqlite_master WHERE "
	    "type = 'trigger' AND tbl_name = 'records'")) < 0)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		const char *sql = (const char *)sqlite3_column_text(s, 1);

		if (name == NULL || sql == NULL || strlen(name) > 100)
			continue;
		if ((nv = realloc(v, (n + 2) * sizeof(*v))) == NULL)
			break;
		v = nv;
		if ((v[n] = strdup(name)) == NULL)
			break;
		if ((v[n + 1] = strdup(sql)) == NULL) {
			free(v[n]);
			break;
		}
		n += 2;
	}
	sqlite3_finalize(s);
	ret = rc == SQLITE_DONE ? 0 : HP_ENOMEM;
	for (i = 0; ret == 0 && i < n; i += 2) {
		snprintf(drop, sizeof(drop), "DROP TRIGGER \"%s\"", v[i]);
		ret = store_exec(st, drop);
	}
	*saved = v;
	*nsaved = n;
	return ret;
}

static int
triggers_on(struct store *st, char **saved, size_t nsaved)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < nsaved; i += 2) {
		if (ret == 0)
			ret = store_exec(st, saved[i + 1]);
		free(saved[i]);
		free(saved[i + 1]);
	}
	free(saved);
	return ret;
}

/* Records delta of C: delete the removed rows, insert the added. */
static int
apply_records(struct writer *w, struct change *c)
{
	struct zset *rm = c->removed;
	const struct zset *ad = c->added_set;
	const struct zrr *r;
	size_t i;
	int ret;

	for (i = 0; rm != NULL && i < rm->n; i++) {
		r = &rm->rr[i];
		if ((ret = rec_delete(w, ZOWNER(rm, r), r->owner_len,
		    r->type, r->rclass, ZRDATA(rm, r), r->rdlen)) < 0)
			return ret;
	}
	i = 0;
	if (c->nadded >= RINS_BATCH && (ret = rbatch_prep(w)) < 0)
		return ret;
	for (; i + RINS_BATCH <= c->nadded; i += RINS_BATCH) {
		size_t k;

		sqlite3_bind_int64(w->rbatch, 1, w->zone_id);
		for (k = 0; k < RINS_BATCH; k++) {
			r = &ad->rr[c->added[i + k]];
			bind_rr(w->rbatch, 2 + 5 * (int)k, ZOWNER(ad, r),
			    r->owner_len, r->type, r->rclass, r->ttl,
			    ZRDATA(ad, r), r->rdlen);
		}
		if ((ret = store_step_done(w->rbatch)) < 0)
			return ret;
	}
	for (; i < c->nadded; i++) {
		r = &ad->rr[c->added[i]];
		if ((ret = rec_insert(w, ZOWNER(ad, r), r->owner_len,
		    r->type, r->rclass, r->ttl, ZRDATA(ad, r), r->rdlen)) < 0)
			return ret;
	}
	return 0;
}

/* Write version, journal, records delta and SOA for change C. */
static int
write_change(struct writer *w, struct change *c, time_t now)
{
	struct zset *rm = c->removed;
	const struct zset *ad = c->added_set;
	const struct zrr *r;
	sqlite3_stmt *s;
	size_t i, alen = strlen(c->apex);
	int ret, ret2;

	if ((ret = store_prep(w->st, &s, "INSERT INTO versions(zone_id, serial, "
	    "prev_serial, created, source, added, removed, records, origin, "
	    "mode) VALUES (?,?,?,?,?,?,?,?,?,?)")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, w->zone_id);
	sqlite3_bind_int64(s, 2, c->new_serial);
	if (c->has_prev)
		sqlite3_bind_int64(s, 3, c->old_serial);
	sqlite3_bind_int64(s, 4, (int64_t)now);
	sqlite3_bind_text(s, 5, c->source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, (int64_t)c->nadded);
	sqlite3_bind_int64(s, 7, rm != NULL ? (int64_t)rm->n : 0);
	sqlite3_bind_int64(s, 8, (int64_t)c->records);
	if (c->origin != NULL)
		sqlite3_bind_text(s, 9, c->origin, -1, SQLITE_STATIC);
	if (c->mode != NULL)
		sqlite3_bind_text(s, 10, c->mode, -1, SQLITE_STATIC);
	ret = store_step_done(s);
	sqlite3_finalize(s);
	if (ret < 0)
		return ret;
	w->version_id = sqlite3_last_insert_rowid(w->st->db);
	w->seq[0] = w->seq[1] = 0;
	/* RFC 1995: removed starts with the old SOA, added with the new */
	if (c->has_prev) {
		if ((ret = journal_put(w, 0, c->apex, alen, WIRE_TYPE_SOA, 1,
		    c->soa_ttl_old, c->old_soa, c->old_soa_len)) < 0)
			return ret;
		for (i = 0; rm != NULL && i < rm->n; i++) {
			r = &rm->rr[i];
			if ((ret = journal_put(w, 0, ZOWNER(rm, r), r->owner_len,
			    r->type, r->rclass, r->ttl, ZRDATA(rm, r),
			    r->rdlen)) < 0)
				return ret;
		}
		if ((ret = journal_put(w, 1, c->apex, alen, WIRE_TYPE_SOA, 1,
		    c->soa_ttl_new, c->new_soa, c->new_soa_len)) < 0)
			return ret;
		for (i = 0; i < c->nadded; i++) {
			r = &ad->rr[c->added[i]];
			if ((ret = journal_put(w, 1, ZOWNER(ad, r), r->owner_len,
			    r->type, r->rclass, r->ttl, ZRDATA(ad, r),
			    r->rdlen)) < 0)
				return ret;
		}
	}
	if (!c->records_done) {
		char **saved = NULL;
		size_t nsaved = 0;

		if (c->nadded + (rm != NULL ? rm->n : 0) > BULK_ROWS &&
		    (ret = triggers_off(w->st, &saved, &nsaved)) < 0) {
			triggers_on(w->st, saved, nsaved);
			return ret;
		}
		ret = apply_records(w, c);
		if (nsaved > 0 && (ret2 = triggers_on(w->st, saved,
		    nsaved)) < 0 && ret == 0)
			ret = ret2;
		if (ret < 0)
			return ret;
	}
	/* the SOA row: replaced by the one with the new serial */
	/* by primary key prefix (the SOA is at the apex): no table scan */
	if ((ret = store_prep(w->st, &s, "DELETE FROM records WHERE zone_id = ? "
	    "AND owner = ? AND type = 6")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, w->zone_id);
	sqlite3_bind_text(s, 2, c->apex, (int)alen, SQLITE_STATIC);
	ret = store_step_done(s);
	sqlite3_finalize(s);
	if (ret < 0)
		return ret;
	return rec_insert(w, c->apex, alen, WIRE_TYPE_SOA, 1, c->soa_ttl_new,
	    c->new_soa, c->new_soa_len);
}

int
apply_finish(struct store *st, int64_t zone_id, uint32_t serial,
    const uint8_t *hash, uint64_t records, unsigned keep, time_t now)
{
	sqlite3_stmt *s;
	int ret;

	if ((ret = prune(st, zone_id, keep)) < 0)
		return ret;
	if ((ret = store_prep(st, &s, "UPDATE zones SET serial = ?, content_hash = ?,"
	    " records = ?, updated = ?, dirty = 0, writer = 0, held = NULL, "
	    "held_since = NULL, held_mark = NULL WHERE id = ?")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, serial);
	if (hash != NULL)
		sqlite3_bind_blob(s, 2, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (int64_t)records);
	sqlite3_bind_int64(s, 4, (int64_t)now);
	sqlite3_bind_int64(s, 5, zone_id);
	ret = store_step_done(s);
	sqlite3_finalize(s);
	if (ret < 0)
		return ret;
	if ((ret = store_prep(st, &s, "DELETE FROM pending WHERE zone_id = ?")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, zone_id);
	ret = store_step_done(s);
	sqlite3_finalize(s);
	return ret;
}

int
apply_change(struct store *st, int64_t zone_id, struct change *c,
    time_t now, int64_t *version_id)
{
	struct writer w;
	int ret;

	if ((ret = writer_init(&w, st, zone_id)) < 0)
		return ret;
	ret = write_change(&w, c, now);
	*version_id = w.version_id;
	writer_fini(&w);
	return ret;
}

int
apply_writer(struct store *st, int64_t zone_id, int on)
{
	sqlite3_stmt *s;
	int ret;

	if ((ret = store_prep(st, &s, "UPDATE zones SET writer = ? WHERE id = ?")) < 0)
		return ret;
	sqlite3_bind_int(s, 1, on);
	sqlite3_bind_int64(s, 2, zone_id);
	ret = store_step_done(s);
	sqlite3_finalize(s);
	return ret;
}

/* An unchanged import: remember the hash for the fast path. */
int
apply_hash(struct store *st, int64_t zone_id, const uint8_t *hash)
{
	sqlite3_stmt *s;
	int ret;

	if ((ret = store_prep(st, &s, "UPDATE zones SET content_hash = ?, "
	    "writer = 0 WHERE id = ?")) < 0)
		return ret;
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, zone_id);
	ret = store_step_done(s);
	sqlite3_finalize(s);
	return ret;
}
