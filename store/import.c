/*
 * import.c -- publishing new versions: import of a zone file or buffer
 * (merge-diff against the current records) and publishing direct edits.
 * Each publish is one BEGIN IMMEDIATE transaction.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns/err.h"
#include "dns/serial.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/zset.h"

#define T_SOA	6

/* $HPAGENT_TIMING set: phase times on stderr, for benchmarks. */
static void
phase(const char *what)
{
	static struct timespec t0;
	struct timespec t;

	if (getenv("HPAGENT_TIMING") == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (t0.tv_sec != 0)
		fprintf(stderr, "timing: %-16s %.3f s\n", what,
		    (double)(t.tv_sec - t0.tv_sec) +
		    (double)(t.tv_nsec - t0.tv_nsec) / 1e9);
	t0 = t;
}

struct zrow {
	int exists;
	int64_t id;
	uint32_t serial;
	int dirty;
	int has_hash;
	uint8_t hash[32];
	uint64_t records;
};

/* One change: removed RRs (in OLD) and added RRs (indexes into NEW). */
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

static int
prep(struct store *st, sqlite3_stmt **s, const char *sql)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, s, NULL);

	return rc == SQLITE_OK ? 0 : store_sqlerr(rc);
}

static int
step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

static int
load_zrow(struct store *st, const char *name, struct zrow *z)
{
	sqlite3_stmt *s;
	int rc, ret;
	const void *h;

	memset(z, 0, sizeof(*z));
	if ((ret = prep(st, &s, "SELECT id, serial, dirty, content_hash, "
	    "records FROM zones WHERE name = ?")) < 0)
		return ret;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		z->exists = 1;
		z->id = sqlite3_column_int64(s, 0);
		z->serial = (uint32_t)sqlite3_column_int64(s, 1);
		z->dirty = sqlite3_column_int(s, 2);
		h = sqlite3_column_blob(s, 3);
		if (h != NULL && sqlite3_column_bytes(s, 3) == 32) {
			memcpy(z->hash, h, 32);
			z->has_hash = 1;
		}
		z->records = (uint64_t)sqlite3_column_int64(s, 4);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

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
	return step_done(w->jins);
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
	return prep(w->st, &w->rbatch, sql);
}

static int
writer_init(struct writer *w, struct store *st, int64_t zone_id)
{
	int ret;

	memset(w, 0, sizeof(*w));
	w->st = st;
	w->zone_id = zone_id;
	if ((ret = prep(st, &w->jins, "INSERT INTO journal(version_id, op, "
	    "seq, owner, type, class, ttl, rdata) VALUES (?,?,?,?,?,?,?,?)")) < 0 ||
	    (ret = prep(st, &w->rins, "INSERT INTO records(zone_id, owner, "
	    "type, class, ttl, rdata) VALUES (?,?,?,?,?,?)")) < 0 ||
	    (ret = prep(st, &w->rdel, "DELETE FROM records WHERE zone_id = ? "
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
	return step_done(w->rins);
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
	return step_done(w->rdel);
}

static int
prune(struct store *st, int64_t zone_id, unsigned keep)
{
	sqlite3_stmt *s;
	int ret;

	if (keep == 0)
		return 0;
	if ((ret = prep(st, &s, "DELETE FROM journal WHERE version_id IN "
	    "(SELECT id FROM versions WHERE zone_id = ?1 ORDER BY id DESC "
	    "LIMIT -1 OFFSET ?2)")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_int64(s, 2, keep);
	ret = step_done(s);
	sqlite3_finalize(s);
	if (ret < 0)
		return ret;
	if ((ret = prep(st, &s, "DELETE FROM versions WHERE id IN (SELECT id "
	    "FROM versions WHERE zone_id = ?1 ORDER BY id DESC LIMIT -1 "
	    "OFFSET ?2)")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_int64(s, 2, keep);
	ret = step_done(s);
	sqlite3_finalize(s);
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

	if ((ret = prep(st, &s, "SELECT name, sql FROM sqlite_master WHERE "
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
		if ((ret = step_done(w->rbatch)) < 0)
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
apply_change(struct writer *w, struct change *c, time_t now)
{
	struct zset *rm = c->removed;
	const struct zset *ad = c->added_set;
	const struct zrr *r;
	sqlite3_stmt *s;
	size_t i, alen = strlen(c->apex);
	int ret, ret2;

	if ((ret = prep(w->st, &s, "INSERT INTO versions(zone_id, serial, "
	    "prev_serial, created, source, added, removed, records) VALUES "
	    "(?,?,?,?,?,?,?,?)")) < 0)
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
	ret = step_done(s);
	sqlite3_finalize(s);
	if (ret < 0)
		return ret;
	w->version_id = sqlite3_last_insert_rowid(w->st->db);
	w->seq[0] = w->seq[1] = 0;
	/* RFC 1995: removed starts with the old SOA, added with the new */
	if (c->has_prev) {
		if ((ret = journal_put(w, 0, c->apex, alen, T_SOA, 1,
		    c->soa_ttl_old, c->old_soa, c->old_soa_len)) < 0)
			return ret;
		for (i = 0; rm != NULL && i < rm->n; i++) {
			r = &rm->rr[i];
			if ((ret = journal_put(w, 0, ZOWNER(rm, r), r->owner_len,
			    r->type, r->rclass, r->ttl, ZRDATA(rm, r),
			    r->rdlen)) < 0)
				return ret;
		}
		if ((ret = journal_put(w, 1, c->apex, alen, T_SOA, 1,
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
	if ((ret = prep(w->st, &s, "DELETE FROM records WHERE zone_id = ? "
	    "AND owner = ? AND type = 6")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, w->zone_id);
	sqlite3_bind_text(s, 2, c->apex, (int)alen, SQLITE_STATIC);
	ret = step_done(s);
	sqlite3_finalize(s);
	if (ret < 0)
		return ret;
	return rec_insert(w, c->apex, alen, T_SOA, 1, c->soa_ttl_new,
	    c->new_soa, c->new_soa_len);
}

static int
finish_zone(struct store *st, int64_t zone_id, uint32_t serial,
    const uint8_t *hash, uint64_t records, time_t now)
{
	sqlite3_stmt *s;
	int ret;

	if ((ret = prep(st, &s, "UPDATE zones SET serial = ?, content_hash = ?,"
	    " records = ?, updated = ?, dirty = 0, writer = 0 WHERE id = ?")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, serial);
	if (hash != NULL)
		sqlite3_bind_blob(s, 2, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (int64_t)records);
	sqlite3_bind_int64(s, 4, (int64_t)now);
	sqlite3_bind_int64(s, 5, zone_id);
	ret = step_done(s);
	sqlite3_finalize(s);
	if (ret < 0)
		return ret;
	if ((ret = prep(st, &s, "DELETE FROM pending WHERE zone_id = ?")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, zone_id);
	ret = step_done(s);
	sqlite3_finalize(s);
	return ret;
}

static int
cmp_row(const struct zset *z, const struct zrr *r, sqlite3_stmt *s)
{
	const void *o = sqlite3_column_text(s, 0);
	int olen = sqlite3_column_bytes(s, 0);
	const void *rd = sqlite3_column_blob(s, 4);
	int rdlen = sqlite3_column_bytes(s, 4);
	int type = sqlite3_column_int(s, 1), rclass = sqlite3_column_int(s, 2);
	size_t m;
	int c;

	m = r->owner_len < (size_t)olen ? r->owner_len : (size_t)olen;
	if ((c = memcmp(ZOWNER(z, r), o, m)) != 0)
		return c;
	if (r->owner_len != olen)
		return r->owner_len < olen ? -1 : 1;
	if (r->type != type)
		return r->type < type ? -1 : 1;
	m = r->rdlen < (size_t)rdlen ? r->rdlen : (size_t)rdlen;
	if (m > 0 && (c = memcmp(ZRDATA(z, r), rd, m)) != 0)
		return c;
	if (r->rdlen != rdlen)
		return r->rdlen < rdlen ? -1 : 1;
	if (r->rclass != rclass)
		return r->rclass < rclass ? -1 : 1;
	return 0;
}

static int
row_to_set(struct zset *z, sqlite3_stmt *s)
{
	const char *o = (const char *)sqlite3_column_text(s, 0);
	int olen = sqlite3_column_bytes(s, 0);
	const uint8_t *rd = sqlite3_column_blob(s, 4);
	int rdlen = sqlite3_column_bytes(s, 4);

	if (o == NULL || rdlen < 0)
		return HP_ESTORE;
	return zset_add(z, o, (size_t)olen, (uint16_t)sqlite3_column_int(s, 1),
	    (uint16_t)sqlite3_column_int(s, 2),
	    (uint32_t)sqlite3_column_int64(s, 3), rd, (size_t)rdlen, 0, 0);
}

/*
 * Merge NEW (sorted) with the zone's records (index order), skipping SOAs:
 * removed rows into RM, added indexes into *ADDED. The current SOA goes to
 * OLDSOA (a one-RR set).
 */
static int
merge_diff(struct store *st, int64_t zone_id, const struct zset *nz,
    struct zset *rm, struct zset *oldsoa, size_t **added, size_t *nadded)
{
	sqlite3_stmt *s;
	size_t i = 0, na = 0;
	size_t *ad;
	int rc, ret = 0, c, have;

	if ((ad = malloc((nz->n + 1) * sizeof(*ad))) == NULL)
		return HP_ENOMEM;
	if ((ret = prep(st, &s, "SELECT owner, type, class, ttl, rdata FROM "
	    "records WHERE zone_id = ? ORDER BY owner, type, rdata, class")) < 0) {
		free(ad);
		return ret;
	}
	sqlite3_bind_int64(s, 1, zone_id);
	rc = sqlite3_step(s);
	for (;;) {
		while (i < nz->n && nz->rr[i].type == T_SOA)
			i++;
		while (rc == SQLITE_ROW && sqlite3_column_int(s, 1) == T_SOA) {
			if ((ret = row_to_set(oldsoa, s)) < 0)
				goto out;
			rc = sqlite3_step(s);
		}
		have = rc == SQLITE_ROW;
		if (!have && i >= nz->n)
			break;
		if (!have)
			c = -1;
		else if (i >= nz->n)
			c = 1;
		else
			c = cmp_row(nz, &nz->rr[i], s);
		if (c == 0 && nz->rr[i].ttl !=
		    (uint32_t)sqlite3_column_int64(s, 3)) {
			/* same RR, new TTL: remove and add */
			if ((ret = row_to_set(rm, s)) < 0)
				goto out;
			ad[na++] = i++;
			rc = sqlite3_step(s);
		} else if (c == 0) {
			i++;
			rc = sqlite3_step(s);
		} else if (c < 0) {
			ad[na++] = i++;
		} else {
			if ((ret = row_to_set(rm, s)) < 0)
				goto out;
			rc = sqlite3_step(s);
		}
	}
	if (rc != SQLITE_DONE)
		ret = store_sqlerr(rc);
out:
	sqlite3_finalize(s);
	if (ret < 0) {
		free(ad);
		return ret;
	}
	*added = ad;
	*nadded = na;
	return 0;
}

static int
begin_write(struct store *st, FILE *errs)
{
	int ret = store_exec(st, "BEGIN IMMEDIATE");

	if (ret == HP_EBUSY)
		fprintf(errs, "hpagent: database is locked by another writer "
		    "(waited for the busy timeout); nothing changed\n");
	else if (ret < 0)
		fprintf(errs, "hpagent: database: %s\n",
		    sqlite3_errmsg(st->db));
	return ret;
}

static int
set_writer(struct store *st, int64_t zone_id, int on)
{
	sqlite3_stmt *s;
	int ret;

	if ((ret = prep(st, &s, "UPDATE zones SET writer = ? WHERE id = ?")) < 0)
		return ret;
	sqlite3_bind_int(s, 1, on);
	sqlite3_bind_int64(s, 2, zone_id);
	ret = step_done(s);
	sqlite3_finalize(s);
	return ret;
}

/* Load the zone's records into Z (for validation after direct edits). */
static int
load_records(struct store *st, int64_t zone_id, struct zset *z)
{
	sqlite3_stmt *s;
	int rc, ret;

	if ((ret = prep(st, &s, "SELECT owner, type, class, ttl, rdata FROM "
	    "records WHERE zone_id = ?")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, zone_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((ret = row_to_set(z, s)) < 0)
			break;
	sqlite3_finalize(s);
	if (ret < 0)
		return ret;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

/*
 * Publish the pending direct edits of Z inside the open transaction.
 * HP_EUNCHANGED when they cancel out.
 */
static int
publish_pending(struct store *st, const struct zrow *zr, const char *apex,
    const struct store_import_opts *o, FILE *errs, time_t now,
    struct store_import_result *res)
{
	struct zset cur, rm, ad, oldsoa;
	struct writer w;
	struct change c;
	sqlite3_stmt *s = NULL;
	uint8_t hash[32], soa[65536];
	const struct zrr *r;
	size_t *idx = NULL, i;
	int rc, ret, op;
	const struct zrr *cs;

	zset_init(&cur, apex, errs);
	zset_init(&rm, apex, errs);
	zset_init(&ad, apex, errs);
	zset_init(&oldsoa, apex, errs);
	memset(&w, 0, sizeof(w));
	if ((ret = load_records(st, zr->id, &cur)) < 0)
		goto out;
	if (zset_check(&cur) < 0) {
		fprintf(errs, "%s: the edited records are not a valid zone; "
		    "nothing published\n", apex);
		ret = HP_EINVALID;
		goto out;
	}
	/* consolidate: an add and a delete of the same RR cancel */
	if ((ret = prep(st, &s, "SELECT owner, type, class, ttl, rdata, "
	    "sum(CASE op WHEN 1 THEN 1 ELSE -1 END) AS n FROM pending WHERE "
	    "zone_id = ? GROUP BY owner, type, class, ttl, rdata HAVING n <> 0"
	    " ORDER BY owner, type, rdata, class")) < 0)
		goto out;
	sqlite3_bind_int64(s, 1, zr->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		op = sqlite3_column_int(s, 5) > 0;
		if (sqlite3_column_int(s, 1) == T_SOA) {
			if (!op && (ret = row_to_set(&oldsoa, s)) < 0)
				goto out;
			continue;
		}
		if ((ret = row_to_set(op ? &ad : &rm, s)) < 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		ret = store_sqlerr(rc);
		goto out;
	}
	cs = &cur.rr[cur.soa];
	if (ad.n == 0 && rm.n == 0 && (oldsoa.n == 0 ||
	    (oldsoa.rr[0].ttl == cs->ttl && oldsoa.rr[0].rdlen == cs->rdlen &&
	    memcmp(ZRDATA(&oldsoa, &oldsoa.rr[0]), ZRDATA(&cur, cs),
	    cs->rdlen) == 0))) {
		ret = finish_zone(st, zr->id, zr->serial, NULL, cur.n, now);
		if (ret == 0)
			ret = HP_EUNCHANGED;
		goto out;
	}
	if ((idx = malloc((ad.n + 1) * sizeof(*idx))) == NULL) {
		ret = HP_ENOMEM;
		goto out;
	}
	for (i = 0; i < ad.n; i++)
		idx[i] = i;
	memset(&c, 0, sizeof(c));
	c.removed = &rm;
	c.added_set = &ad;
	c.added = idx;
	c.nadded = ad.n;
	c.apex = apex;
	if (oldsoa.n > 0)
		r = &oldsoa.rr[0], c.old_soa = ZRDATA(&oldsoa, r);
	else
		r = cs, c.old_soa = ZRDATA(&cur, cs);
	c.old_soa_len = r->rdlen;
	c.soa_ttl_old = r->ttl;
	c.soa_ttl_new = cs->ttl;
	memcpy(soa, ZRDATA(&cur, cs), cs->rdlen);
	c.new_soa = soa;
	c.new_soa_len = cs->rdlen;
	c.old_serial = zr->serial;
	if ((ret = serial_choose(zr->serial, zset_soa_serial(soa, cs->rdlen),
	    o->serial_policy, now, &c.new_serial)) < 0)
		goto out;
	zset_soa_set_serial(soa, cs->rdlen, c.new_serial);
	c.has_prev = 1;
	c.records_done = 1;
	c.source = "sql";
	c.records = cur.n;
	if ((ret = set_writer(st, zr->id, 1)) < 0 ||
	    (ret = writer_init(&w, st, zr->id)) < 0 ||
	    (ret = apply_change(&w, &c, now)) < 0)
		goto out;
	/* the hash of what is now published */
	zset_soa_set_serial((uint8_t *)ZRDATA(&cur, cs), cs->rdlen, 0);
	if ((ret = zset_hash(&cur, hash)) < 0 ||
	    (ret = prune(st, zr->id, o->max_journal_versions)) < 0 ||
	    (ret = finish_zone(st, zr->id, c.new_serial, hash, cur.n, now)) < 0)
		goto out;
	res->changed = 1;
	res->old_serial = zr->serial;
	res->new_serial = c.new_serial;
	res->version_id = w.version_id;
	res->added = ad.n;
	res->removed = rm.n;
	res->records = cur.n;
	ret = 0;
out:
	writer_fini(&w);
	sqlite3_finalize(s);
	free(idx);
	zset_free(&cur);
	zset_free(&rm);
	zset_free(&ad);
	zset_free(&oldsoa);
	return ret;
}

static FILE *
errs_of(const struct store_import_opts *o)
{
	return o->errs != NULL ? o->errs : stderr;
}

int
store_publish(struct store *st, const struct store_import_opts *o,
    struct store_import_result *res)
{
	char apex[256];
	struct zrow zr;
	FILE *errs = errs_of(o);
	time_t now = time(NULL);
	int ret;

	memset(res, 0, sizeof(*res));
	if (store_norm_name(o->zone, apex, sizeof(apex)) < 0)
		return HP_EINVAL;
	if ((ret = begin_write(st, errs)) < 0)
		return ret;
	if ((ret = load_zrow(st, apex, &zr)) < 0)
		goto fail;
	if (!zr.exists) {
		ret = HP_ENOENT;
		goto fail;
	}
	res->zone_id = zr.id;
	res->old_serial = res->new_serial = zr.serial;
	res->records = zr.records;
	ret = publish_pending(st, &zr, apex, o, errs, now, res);
	if (ret < 0 && ret != HP_EUNCHANGED)
		goto fail;
	if (store_exec(st, "COMMIT") < 0) {
		ret = HP_ESTORE;
		goto fail;
	}
	return ret;
fail:
	store_exec(st, "ROLLBACK");
	return ret;
}

/* The import proper, on a parsed and checked set NZ. */
static int
import_set(struct store *st, struct zset *nz, const struct store_import_opts *o,
    struct store_import_result *res)
{
	FILE *errs = errs_of(o);
	struct zset rm, oldsoa;
	struct zrow zr;
	struct writer w;
	struct change c;
	sqlite3_stmt *s;
	uint8_t hash[32];
	struct zrr *ns = &nz->rr[nz->soa];
	uint8_t *nsoa = nz->arena + ns->rdata;
	uint32_t file_serial = zset_soa_serial(nsoa, ns->rdlen);
	size_t *added = NULL, nadded = 0;
	time_t now = time(NULL);
	int ret, soa_same;

	st->err[0] = '\0';
	memset(&w, 0, sizeof(w));
	zset_init(&rm, nz->origin, errs);
	zset_init(&oldsoa, nz->origin, errs);
	res->records = nz->n;
	if ((ret = zset_hash(nz, hash)) < 0)
		goto out0;
	phase("hash");
	/* fast path: same content, no direct edits: no write at all */
	if ((ret = load_zrow(st, nz->origin, &zr)) < 0)
		goto out0;
	if (zr.exists && !zr.dirty && zr.has_hash &&
	    memcmp(zr.hash, hash, 32) == 0) {
		res->zone_id = zr.id;
		res->old_serial = res->new_serial = zr.serial;
		goto out0;
	}
	if ((ret = begin_write(st, errs)) < 0)
		goto out0;
	if ((ret = load_zrow(st, nz->origin, &zr)) < 0)
		goto fail;
	if (!zr.exists) {
		if ((ret = prep(st, &s, "INSERT INTO zones(name, serial, writer,"
		    " created, updated) VALUES (?, ?, 1, ?, ?)")) < 0)
			goto fail;
		sqlite3_bind_text(s, 1, nz->origin, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, file_serial);
		sqlite3_bind_int64(s, 3, (int64_t)now);
		sqlite3_bind_int64(s, 4, (int64_t)now);
		ret = step_done(s);
		sqlite3_finalize(s);
		if (ret < 0)
			goto fail;
		zr.id = sqlite3_last_insert_rowid(st->db);
		zr.serial = file_serial;
		res->new_zone = 1;
	} else if (zr.dirty) {
		ret = publish_pending(st, &zr, nz->origin, o, errs, now, res);
		if (ret == 0) {
			res->pending_published = 1;
			zr.serial = res->new_serial;
		} else if (ret != HP_EUNCHANGED)
			goto fail;
	}
	res->zone_id = zr.id;
	res->old_serial = res->new_serial = zr.serial;
	if ((ret = set_writer(st, zr.id, 1)) < 0)
		goto fail;
	phase("begin");
	if (res->new_zone) {
		/* nothing stored yet: every RR is added, no scan */
		if ((added = malloc((nz->n + 1) * sizeof(*added))) == NULL) {
			ret = HP_ENOMEM;
			goto fail;
		}
		/* the SOA is written by apply_change */
		for (size_t i = nadded = 0; i < nz->n; i++)
			if (nz->rr[i].type != T_SOA)
				added[nadded++] = i;
	} else if ((ret = merge_diff(st, zr.id, nz, &rm, &oldsoa, &added,
	    &nadded)) < 0)
		goto fail;
	phase("merge-diff");
	soa_same = 0;
	if (oldsoa.n == 1) {
		uint8_t tmp[65536];
		const struct zrr *os = &oldsoa.rr[0];

		memcpy(tmp, ZRDATA(&oldsoa, os), os->rdlen);
		zset_soa_set_serial(tmp, os->rdlen, file_serial);
		soa_same = os->ttl == ns->ttl && os->rdlen == ns->rdlen &&
		    memcmp(tmp, nsoa, ns->rdlen) == 0;
	}
	if (!res->new_zone && soa_same && nadded == 0 && rm.n == 0) {
		/* unchanged: remember the hash for the fast path */
		if ((ret = prep(st, &s, "UPDATE zones SET content_hash = ?, "
		    "writer = 0 WHERE id = ?")) < 0)
			goto fail;
		sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, zr.id);
		ret = step_done(s);
		sqlite3_finalize(s);
		if (ret < 0)
			goto fail;
		goto commit;
	}
	memset(&c, 0, sizeof(c));
	c.removed = &rm;
	c.added_set = nz;
	c.added = added;
	c.nadded = nadded;
	c.apex = nz->origin;
	c.has_prev = !res->new_zone && oldsoa.n == 1;
	if (c.has_prev) {
		c.old_soa = ZRDATA(&oldsoa, &oldsoa.rr[0]);
		c.old_soa_len = oldsoa.rr[0].rdlen;
		c.soa_ttl_old = oldsoa.rr[0].ttl;
		if ((ret = serial_choose(zr.serial, file_serial,
		    o->serial_policy, now, &c.new_serial)) < 0)
			goto fail;
	} else
		c.new_serial = file_serial;
	c.old_serial = zr.serial;
	zset_soa_set_serial(nsoa, ns->rdlen, c.new_serial);
	c.new_soa = nsoa;
	c.new_soa_len = ns->rdlen;
	c.soa_ttl_new = ns->ttl;
	c.source = o->source != NULL ? o->source : "file";
	c.records = nz->n;
	if ((ret = writer_init(&w, st, zr.id)) < 0 ||
	    (ret = apply_change(&w, &c, now)) < 0 ||
	    (ret = prune(st, zr.id, o->max_journal_versions)) < 0 ||
	    (ret = finish_zone(st, zr.id, c.new_serial, hash, nz->n, now)) < 0)
		goto fail;
	phase("write");
	res->changed = 1;
	res->new_serial = c.new_serial;
	res->version_id = w.version_id;
	res->added = nadded;
	res->removed = rm.n;
commit:
	writer_fini(&w);
	memset(&w, 0, sizeof(w));
	ret = store_exec(st, "COMMIT");
	phase("commit");
	if (ret < 0) {
		fprintf(errs, "hpagent: database: commit failed: %s\n",
		    sqlite3_errmsg(st->db));
		goto fail;
	}
	if (res->pending_published)
		res->changed = 1;
	goto out0;
fail:
	/* Keep SQLite's reason (read-only, disk full ...) for the caller:
	 * the ROLLBACK below resets it. */
	if (ret == HP_ESTORE && sqlite3_errcode(st->db) != SQLITE_OK)
		snprintf(st->err, sizeof(st->err), "%s",
		    sqlite3_errmsg(st->db));
	writer_fini(&w);
	memset(&w, 0, sizeof(w));
	/* A failed COMMIT (disk full) may have rolled back already. */
	if (!sqlite3_get_autocommit(st->db))
		store_exec(st, "ROLLBACK");
	memset(res, 0, sizeof(*res));
out0:
	free(added);
	zset_free(&rm);
	zset_free(&oldsoa);
	return ret;
}

static int
import_common(struct store *st, const char *path, const char *buf,
    size_t len, const struct store_import_opts *o,
    struct store_import_result *res)
{
	FILE *errs = errs_of(o);
	struct zset z;
	const char *name;
	int ret;

	memset(res, 0, sizeof(*res));
	if (o->zone == NULL || zset_init(&z, o->zone, errs) < 0)
		return HP_EINVAL;
	z.max_size = o->max_size;
	phase("start");
	if (path != NULL) {
		name = path;
		ret = zset_parse_file(&z, path);
	} else {
		name = o->filename != NULL ? o->filename : "<input>";
		ret = zset_parse_buffer(&z, name, buf, len);
	}
	if (ret < 0 && ret != HP_EPARSE && ret != HP_EINVALID) {
		if (ret == HP_ETOOBIG)
			fprintf(errs, "%s: larger than the size limit\n", name);
		else
			fprintf(errs, "%s: cannot read: %s\n", name,
			    ret == -EISDIR ? "is a directory" :
			    ret > -1000 ? strerror(-ret) : hp_strerror(ret));
		goto out;
	}
	phase("parse");
	if (ret == 0)
		ret = zset_check(&z);
	phase("sort+check");
	res->errors = z.errors;
	res->warnings = z.warnings;
	if (ret < 0 || z.errors > 0) {
		fprintf(errs, "%s: %u error%s; the store is unchanged\n", name,
		    z.errors, z.errors == 1 ? "" : "s");
		if (ret == 0)
			ret = HP_EINVALID;
		goto out;
	}
	ret = import_set(st, &z, o, res);
	res->warnings = z.warnings;
out:
	zset_free(&z);
	return ret;
}

int
store_import_file(struct store *st, const char *path,
    const struct store_import_opts *o, struct store_import_result *res)
{
	return import_common(st, path, NULL, 0, o, res);
}

int
store_import_buffer(struct store *st, const char *buf, size_t len,
    const struct store_import_opts *o, struct store_import_result *res)
{
	return import_common(st, NULL, buf, len, o, res);
}
