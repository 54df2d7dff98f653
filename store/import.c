/*
 * import.c -- publishing new versions, each in one BEGIN IMMEDIATE
 * transaction: an imported zone text (file or buffer), the direct edits of
 * the records table, or a stored version again (rollback). Each entry
 * point gets an RR set (store/zset.h), plans the change against the
 * current records (plan.c) and writes it (apply.c).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/serial.h"
#include "dns/wire.h"
#include "signer/policy.h"
#include "signer/rrs.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/zset.h"

/* Report a problem of the import (no place in the zone text). */
#define say(o, file, ...) \
	hp_problem((o)->problem, (o)->problem_arg, (file), 0, 0, __VA_ARGS__)

int
zrow_load(struct store *st, const char *name, struct zrow *z)
{
	sqlite3_stmt *s;
	int rc, ret;
	const void *h;

	memset(z, 0, sizeof(*z));
	if ((ret = store_prep(st, &s, "SELECT id, serial, dirty, "
	    "content_hash, records, held IS NOT NULL, held_mark, (SELECT "
	    "max(id) FROM pending p WHERE p.zone_id = zones.id) FROM zones "
	    "WHERE name = ?")) < 0)
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
		z->held = sqlite3_column_int(s, 5);
		z->held_mark = sqlite3_column_int64(s, 6);
		z->pending_mark = sqlite3_column_int64(s, 7);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

static int
begin_write(struct store *st, const struct store_import_opts *o)
{
	int ret = store_begin(st);

	if (ret == HP_EBUSY)
		say(o, NULL, "hpagent: database is locked by another writer "
		    "(waited for the busy timeout); nothing changed");
	else if (ret < 0)
		say(o, NULL, "hpagent: database: %s", sqlite3_errmsg(st->db));
	return ret;
}

/* Keep SQLite's reason (read-only, disk full ...) for the caller: the
 * ROLLBACK resets it. A failed COMMIT may have rolled back already. */
static void
rollback(struct store *st, int ret)
{
	if (ret == HP_ESTORE && sqlite3_errcode(st->db) != SQLITE_OK)
		snprintf(st->err, sizeof(st->err), "%s",
		    sqlite3_errmsg(st->db));
	store_rollback(st);
}

/* ---- direct edits ---------------------------------------------------- */

static void
held_collect(void *arg, const struct hp_problem *p)
{
	struct held_note *h = arg;
	size_t n;

	if (h->fwd != NULL)
		h->fwd(h->fwd_arg, p);
	else
		hp_problem(NULL, NULL, p->file, p->line, p->warning, "%s",
		    p->text);
	if (p->warning)
		return;
	if (h->n++ > 0 && h->len + 2 < sizeof(h->text)) {
		memcpy(h->text + h->len, "; ", 2);
		h->len += 2;
	}
	n = strlen(p->text);
	if (n > sizeof(h->text) - 1 - h->len)
		n = sizeof(h->text) - 1 - h->len;
	memcpy(h->text + h->len, p->text, n);
	h->len += n;
	h->text[h->len] = '\0';
}

/* Mark the zone held by its edits (after the failed transaction rolled
 * back): why, since when, and the pending log it was found in. */
void
held_record(struct store *st, int64_t zone_id, const struct held_note *h)
{
	sqlite3_stmt *s;

	if (st->depth > 0 || store_exec(st, "BEGIN IMMEDIATE") < 0)
		return;
	if (store_prep(st, &s, "UPDATE zones SET held = ?2, held_since = "
	    "CASE WHEN held IS NULL THEN ?3 ELSE held_since END, held_mark = "
	    "(SELECT max(id) FROM pending WHERE zone_id = ?1) WHERE id = ?1")
	    == 0) {
		sqlite3_bind_int64(s, 1, zone_id);
		sqlite3_bind_text(s, 2, h->n > 0 ? h->text : "invalid direct "
		    "edits", -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, (int64_t)time(NULL));
		if (store_step_done(s) == 0) {
			sqlite3_finalize(s);
			store_exec(st, "COMMIT");
			return;
		}
		sqlite3_finalize(s);
	}
	store_exec(st, "ROLLBACK");
}

/* Nothing pending after all (edits that cancel out): the log emptied. */
static int
pending_clear(struct store *st, int64_t zone_id)
{
	static const char *const sql[] = {
		"DELETE FROM pending WHERE zone_id = ?",
		"UPDATE zones SET dirty = 0, held = NULL, held_since = NULL, "
		"held_mark = NULL WHERE id = ?",
	};

	return store_run_id(st, sql, 2, zone_id);
}

/* The write transaction on zone APEX of a direct-edit command: begun,
 * its row in *ZR (HP_ENOENT when there is none: rolled back). */
static int
edits_begin(struct store *st, const char *apex,
    const struct store_import_opts *o, struct zrow *zr,
    struct store_import_result *res)
{
	int ret;

	if ((ret = begin_write(st, o)) < 0)
		return ret;
	if ((ret = zrow_load(st, apex, zr)) == 0 && !zr->exists)
		ret = HP_ENOENT;
	if (ret < 0) {
		rollback(st, ret);
		return ret;
	}
	res->zone_id = zr->id;
	res->old_serial = res->new_serial = zr->serial;
	res->records = zr->records;
	return 0;
}

/* The owners of the RRs of Z (all, or the N at IDX) into V (borrowed). */
static int
touched_add(struct vnames *v, const struct zset *z, const size_t *idx,
    size_t n)
{
	const struct zrr *r;
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		r = &z->rr[idx != NULL ? idx[i] : i];
		if ((ret = vnames_add(v, ZOWNER(z, r), r->owner_len)) < 0)
			return ret;
	}
	return 0;
}

/*
 * Publish the pending direct edits of ZR inside the open transaction.
 * HP_EUNCHANGED when they cancel out; HP_EINVALID when they do not
 * validate (every problem through HN, which collects them).
 */
static int
publish_pending(struct store *st, const struct zrow *zr, const char *apex,
    const struct store_import_opts *o, time_t now,
    struct store_import_result *res, struct held_note *hn)
{
	struct zset rm, ad, oldsoa;
	struct vnames touched = { 0 };
	struct store_soa cur;
	struct change c;
	uint8_t soa[STORE_SOA_MAX];
	const struct zrr *r;
	size_t *idx = NULL, i, newsoa = 0;
	uint32_t edited;
	int64_t vid;
	int ret;

	hn->fwd = o->problem;
	hn->fwd_arg = o->problem_arg;
	zset_init(&rm, apex, held_collect, hn);
	zset_init(&ad, apex, held_collect, hn);
	zset_init(&oldsoa, apex, held_collect, hn);
	if ((ret = plan_pending(st, zr, &ad, &rm, &oldsoa, &newsoa)) < 0)
		goto out;
	if (ad.errors > 0) {
		ret = HP_EINVALID;
		goto invalid;
	}
	if (ad.n == 0 && rm.n == 0 && oldsoa.n == 0 && newsoa == 0) {
		ret = pending_clear(st, zr->id);
		if (ret == 0)
			ret = HP_EUNCHANGED;
		goto out;
	}
	/* the zone rules where the edits are, on the rows as edited */
	if ((ret = touched_add(&touched, &ad, NULL, ad.n)) < 0 ||
	    (ret = touched_add(&touched, &rm, NULL, rm.n)) < 0)
		goto out;
	if ((ret = check_change(st, zr->id, apex, &touched, held_collect,
	    hn)) < 0) {
		if (ret == HP_EINVALID)
			goto invalid;
		goto out;
	}
	if ((ret = store_zone_soa(st, zr->id, &cur)) < 0)
		goto out;
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
	if (oldsoa.n > 0) {
		r = &oldsoa.rr[0];
		c.old_soa = ZRDATA(&oldsoa, r);
		c.old_soa_len = r->rdlen;
		c.soa_ttl_old = r->ttl;
	} else {
		c.old_soa = cur.rdata;
		c.old_soa_len = cur.rdlen;
		c.soa_ttl_old = cur.ttl;
	}
	c.soa_ttl_new = cur.ttl;
	memcpy(soa, cur.rdata, cur.rdlen);
	c.new_soa = soa;
	c.new_soa_len = cur.rdlen;
	c.old_serial = zr->serial;
	if ((ret = serial_soa_get(soa, cur.rdlen, &edited)) < 0 ||
	    (ret = serial_choose(zr->serial, edited, o->serial_policy, now,
	    &c.new_serial)) < 0)
		goto out;
	serial_soa_set(soa, cur.rdlen, c.new_serial);
	c.has_prev = 1;
	c.records_done = 1;
	c.source = "sql";
	c.records = zr->records + ad.n - rm.n;
	c.sign = o->sign.policy != NULL ? &o->sign : NULL;
	c.problem = held_collect;
	c.problem_arg = hn;
	if ((ret = apply_writer(st, zr->id, 1)) < 0 ||
	    (ret = apply_change(st, zr->id, &c, now, &vid)) < 0 ||
	    (ret = src_follow(st, zr->id, 0, &rm, &ad, idx, ad.n)) < 0 ||
	    (ret = apply_finish(st, zr->id, c.new_serial, NULL, c.records,
	    o->max_journal_versions, now)) < 0)
		goto out;
	res->changed = 1;
	res->old_serial = zr->serial;
	res->new_serial = c.new_serial;
	res->version_id = vid;
	res->added = ad.n;
	res->removed = rm.n;
	res->records = c.records;
	ret = 0;
	goto out;
invalid:
	/* (the callers say what follows: held) */
out:
	free(idx);
	vnames_free(&touched);
	zset_free(&rm);
	zset_free(&ad);
	zset_free(&oldsoa);
	return ret;
}

int
pending_first(struct store *st, struct zrow *zr, const char *apex,
    const struct store_import_opts *o, time_t now,
    struct store_import_result *res, struct held_note *hn)
{
	int ret;

	if ((ret = publish_pending(st, zr, apex, o, now, res, hn)) < 0)
		return ret == HP_EUNCHANGED ? 0 : ret;
	res->pending_published = 1;
	zr->serial = res->new_serial;
	zr->records = res->records;
	zr->has_hash = 0;
	zr->dirty = 0;
	return 0;
}

int
store_publish(struct store *st, const struct store_import_opts *o,
    struct store_import_result *res)
{
	struct held_note hn;
	char apex[256];
	struct zrow zr;
	time_t now = time(NULL);
	int ret;

	memset(res, 0, sizeof(*res));
	memset(&hn, 0, sizeof(hn));
	if (store_norm_name(o->zone, apex, sizeof(apex)) < 0)
		return HP_EINVAL;
	if ((ret = edits_begin(st, apex, o, &zr, res)) < 0)
		return ret;
	ret = publish_pending(st, &zr, apex, o, now, res, &hn);
	if (ret < 0 && ret != HP_EUNCHANGED)
		goto fail;
	if (store_commit(st) < 0) {
		ret = HP_ESTORE;
		goto fail;
	}
	return ret;
fail:
	rollback(st, ret);
	if (ret == HP_EINVALID) {
		res->held = 1;
		held_record(st, zr.id, &hn);
	}
	return ret;
}

int
store_dnssec_resign(struct store *st, const struct store_import_opts *o,
    int what, unsigned roll, struct store_import_result *res)
{
	struct zset rm, ad;
	struct zrow zr;
	struct store_soa cur;
	struct change c;
	uint8_t soa[STORE_SOA_MAX];
	char apex[256];
	time_t now = time(NULL);
	uint32_t cserial;
	int64_t vid;
	int ret;

	memset(res, 0, sizeof(*res));
	if (o->sign.policy == NULL)
		return HP_EINVAL;
	if (store_norm_name(o->zone, apex, sizeof(apex)) < 0)
		return HP_EINVAL;
	zset_init(&rm, apex, o->problem, o->problem_arg);
	zset_init(&ad, apex, o->problem, o->problem_arg);
	if ((ret = edits_begin(st, apex, o, &zr, res)) < 0)
		goto out;
	if (zr.dirty) {
		/* the records are not the version: publish first */
		say(o, NULL, "%s: direct edits are pending: publish (or "
		    "discard) them first", apex);
		ret = HP_EAGAIN;
		goto fail;
	}
	if ((ret = store_zone_soa(st, zr.id, &cur)) < 0 ||
	    (ret = serial_soa_get(cur.rdata, cur.rdlen, &cserial)) < 0)
		goto fail;
	memset(&c, 0, sizeof(c));
	c.removed = &rm;
	c.added_set = &ad;
	c.apex = apex;
	c.old_soa = cur.rdata;
	c.old_soa_len = cur.rdlen;
	c.soa_ttl_old = c.soa_ttl_new = cur.ttl;
	memcpy(soa, cur.rdata, cur.rdlen);
	c.new_soa = soa;
	c.new_soa_len = cur.rdlen;
	c.old_serial = zr.serial;
	if ((ret = serial_choose(zr.serial, cserial, o->serial_policy, now,
	    &c.new_serial)) < 0)
		goto fail;
	serial_soa_set(soa, cur.rdlen, c.new_serial);
	c.has_prev = 1;
	c.source = "dnssec";
	c.records = zr.records;
	c.sign = &o->sign;
	c.resign = what;
	c.roll_request = roll;
	c.problem = o->problem;
	c.problem_arg = o->problem_arg;
	if ((ret = apply_writer(st, zr.id, 1)) < 0 ||
	    (ret = apply_change(st, zr.id, &c, now, &vid)) < 0 ||
	    (ret = apply_finish(st, zr.id, c.new_serial, zr.has_hash ?
	    zr.hash : NULL, c.records, o->max_journal_versions, now)) < 0)
		goto fail;
	if ((ret = store_exec(st, "COMMIT")) < 0)
		goto fail;
	res->changed = 1;
	res->new_serial = c.new_serial;
	res->version_id = vid;
	goto out;
fail:
	rollback(st, ret);
	res->changed = 0;
	res->new_serial = res->old_serial;
out:
	zset_free(&rm);
	zset_free(&ad);
	return ret;
}

int
store_discard(struct store *st, const char *zone,
    struct store_import_result *res)
{
	static const char *const sql[] = {
		/* the rows the edits added, out; those they removed, back */
		"DELETE FROM records WHERE zone_id = ?1 AND (owner, type, "
		"class, rdata) IN (SELECT owner, type, class, rdata FROM "
		"pending WHERE zone_id = ?1 GROUP BY owner, type, class, ttl, "
		"rdata HAVING sum(CASE op WHEN 1 THEN 1 ELSE -1 END) > 0)",
		"INSERT OR REPLACE INTO records(zone_id, owner, type, class, "
		"ttl, rdata) SELECT ?1, owner, type, class, ttl, rdata FROM "
		"pending WHERE zone_id = ?1 GROUP BY owner, type, class, ttl, "
		"rdata HAVING sum(CASE op WHEN 1 THEN 1 ELSE -1 END) < 0",
	};
	struct store_import_opts o = { 0 };
	char apex[256];
	struct zrow zr;
	size_t i;
	int ret, n[2] = { 0, 0 };

	memset(res, 0, sizeof(*res));
	if (store_norm_name(zone, apex, sizeof(apex)) < 0)
		return HP_ENOENT;
	o.zone = apex;
	if ((ret = edits_begin(st, apex, &o, &zr, res)) < 0)
		return ret;
	if ((ret = apply_writer(st, zr.id, 1)) < 0)
		goto fail;
	for (i = 0; i < 2; i++) {
		if ((ret = store_run_id(st, &sql[i], 1, zr.id)) < 0)
			goto fail;
		n[i] = sqlite3_changes(st->db);
	}
	if ((ret = pending_clear(st, zr.id)) < 0 ||
	    (ret = apply_writer(st, zr.id, 0)) < 0)
		goto fail;
	if ((ret = store_commit(st)) < 0)
		goto fail;
	res->removed = (uint64_t)n[0];
	res->added = (uint64_t)n[1];
	return zr.dirty ? 0 : HP_EUNCHANGED;
fail:
	rollback(st, ret);
	return ret;
}

/* ---- imports -------------------------------------------------------- */

/* The zone's row, created (a new zone with the serial of its file) when
 * there is none; pending direct edits first published as their own
 * version. Inside the write transaction. */
static int
zone_for_import(struct store *st, const struct zset *nz, uint32_t file_serial,
    const struct store_import_opts *o, time_t now, struct zrow *zr,
    struct store_import_result *res, struct held_note *hn)
{
	sqlite3_stmt *s;
	int ret;

	if ((ret = zrow_load(st, nz->origin, zr)) < 0)
		return ret;
	if (zr->exists && zr->dirty)
		return pending_first(st, zr, nz->origin, o, now, res, hn);
	if (zr->exists)
		return 0;
	if ((ret = store_prep(st, &s, "INSERT INTO zones(name, serial, writer,"
	    " created, updated) VALUES (?, ?, 1, ?, ?)")) < 0)
		return ret;
	sqlite3_bind_text(s, 1, nz->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, file_serial);
	sqlite3_bind_int64(s, 3, (int64_t)now);
	sqlite3_bind_int64(s, 4, (int64_t)now);
	ret = store_step_done(s);
	sqlite3_finalize(s);
	if (ret < 0)
		return ret;
	zr->id = sqlite3_last_insert_rowid(st->db);
	zr->serial = file_serial;
	res->new_zone = 1;
	return 0;
}

/* 1 when SOA rdata A (ALEN, TTL ATTL) equals B's but for the serial. */
static int
soa_same(const uint8_t *a, size_t alen, uint32_t attl, const uint8_t *b,
    size_t blen, uint32_t bttl)
{
	uint8_t x[STORE_SOA_MAX], y[STORE_SOA_MAX];

	if (alen != blen || attl != bttl || alen > sizeof(x))
		return 0;
	memcpy(x, a, alen);
	memcpy(y, b, blen);
	serial_soa_set(x, alen, 0);
	serial_soa_set(y, blen, 0);
	return memcmp(x, y, alen) == 0;
}

/* A dry run: the change of version VID (its journal), or every RR of the
 * new zone NZ, to OPTS->change_cb. */
static int
dry_report(struct store *st, int64_t vid, const struct zset *nz, int new_zone,
    const struct store_import_opts *o)
{
	struct store_rr rr;
	sqlite3_stmt *s;
	char owner[DNAME_MAXSTR];
	const struct zrr *r;
	size_t i;
	int rc, ret = 0, pass;

	if (o->change_cb == NULL)
		return 0;
	if (new_zone) {
		/* the SOA first, as a transfer sends it */
		for (pass = 0; pass < 2 && ret == 0; pass++)
			for (i = 0; i < nz->n && ret == 0; i++) {
				r = &nz->rr[i];
				if ((r->type == WIRE_TYPE_SOA) != (pass == 0))
					continue;
				zset_rr(nz, r, owner, sizeof(owner), &rr);
				ret = o->change_cb(1, &rr, o->change_arg);
			}
		return ret;
	}
	if ((ret = store_prep(st, &s, "SELECT op, owner, type, class, ttl, "
	    "rdata FROM journal WHERE version_id = ? ORDER BY op, seq")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, vid);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		rr.owner = (const char *)sqlite3_column_text(s, 1);
		rr.type = (uint16_t)sqlite3_column_int(s, 2);
		rr.rclass = (uint16_t)sqlite3_column_int(s, 3);
		rr.ttl = (uint32_t)sqlite3_column_int64(s, 4);
		rr.rdata = sqlite3_column_blob(s, 5);
		rr.rdlen = (uint16_t)sqlite3_column_bytes(s, 5);
		if ((ret = o->change_cb(sqlite3_column_int(s, 0), &rr,
		    o->change_arg)) != 0)
			break;
	}
	sqlite3_finalize(s);
	if (ret != 0)
		return ret;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

/*
 * The change that makes the zone's records exactly NZ (the SOA aside):
 * through the zone's blocks when they describe its current version (only
 * the ranges where they differ from NB, NZ's, are read; *STORED 1), else
 * by reading every record.
 */
static int
plan_exact(struct store *st, int64_t zone_id, const struct zset *nz,
    const struct blocks *nb, struct zset *rm, struct zset *oldsoa,
    size_t **added, size_t *nadded, size_t *ttl_changes, int *stored)
{
	struct blocks ob = { 0 };
	uint64_t read = 0;
	int ret;

	*stored = 0;
	if ((ret = blocks_load(st, zone_id, &ob)) < 0)
		return ret;
	if (ob.n > 0) {
		ret = blocks_diff(st, zone_id, nz, &ob, nb, rm, oldsoa, added,
		    nadded, ttl_changes, &read);
		*stored = ret == 0;
		if (ret == 0 && getenv("HPAGENT_TIMING") != NULL)
			fprintf(stderr, "timing: blocks: %llu of %llu records "
			    "read, %zu blocks\n", (unsigned long long)read,
			    (unsigned long long)nz->n, nb->n);
	} else
		ret = plan_diff(st, zone_id, nz, rm, oldsoa, added, nadded,
		    ttl_changes);
	blocks_free(&ob);
	return ret;
}

/* What an import knows of its input besides the RR set. */
struct input {
	int64_t size, mtime;	/* a file's; -1 otherwise */
	const uint8_t *file_digest;	/* its octets' SHA-256, or NULL */
};

/* The import proper, on a parsed and checked set NZ; NB its blocks when
 * NZ->side_done says zset_check() made them, else made here. */
static int
import_set(struct store *st, struct zset *nz, struct blocks *nb,
    const struct input *in, const struct store_import_opts *o,
    struct store_import_result *res)
{
	struct zset rm, oldsoa, minus, plus, nminus;
	struct merge m;
	struct zrow zr;
	struct srcrow sr;
	struct srcinfo si;
	struct store_soa cur = { 0 };
	struct change c;
	struct held_note hn;
	struct vnames touched = { 0 };
	uint8_t hash[32], soa0[STORE_SOA_MAX], nsoa[STORE_SOA_MAX];
	struct zrr *ns = &nz->rr[nz->soa];
	const uint8_t *fsoa;
	uint32_t file_serial = 0, fttl;
	size_t *added = NULL, nadded = 0, ttl_changes = 0, i, fsoalen;
	size_t *nplus = NULL, nnplus = 0;
	time_t now = time(NULL);
	int64_t vid = 0, sid = 0;
	int ret, replace, same_src, soa_changed, guarded = 0, whole = 0;
	int exact, nb_made = 0, nb_stored = 0;
	const char *label = o->origin != NULL ? o->origin : nz->origin;

	st->err[0] = '\0';
	memset(&hn, 0, sizeof(hn));
	memset(&m, 0, sizeof(m));
	res->dry_run = o->dry_run;
	zset_init(&rm, nz->origin, o->problem, o->problem_arg);
	zset_init(&oldsoa, nz->origin, o->problem, o->problem_arg);
	zset_init(&minus, nz->origin, o->problem, o->problem_arg);
	zset_init(&plus, nz->origin, o->problem, o->problem_arg);
	zset_init(&nminus, nz->origin, o->problem, o->problem_arg);
	res->records = nz->n;
	(void)serial_soa_get(ZRDATA(nz, ns), ns->rdlen, &file_serial);
	/* the digest of the content, from its blocks */
	if ((!nz->side_done && (ret = blocks_build(nz, nb)) < 0) ||
	    (ret = blocks_hash(nz, nb, hash)) < 0)
		goto out;
	store_phase("hash");
	/* what this source is now */
	memcpy(soa0, ZRDATA(nz, ns), ns->rdlen);
	serial_soa_set(soa0, ns->rdlen, 0);
	si.digest = hash;
	si.soa = soa0;
	si.soalen = ns->rdlen;
	si.soa_ttl = ns->ttl;
	si.records = nz->n;
	si.size = in->size;
	si.mtime = in->mtime;
	si.file_digest = in->file_digest;
	/* fast paths: nothing to do, nothing written */
	if ((ret = zrow_load(st, nz->origin, &zr)) < 0)
		goto out;
	memset(&sr, 0, sizeof(sr));
	if (zr.exists && (ret = src_load(st, zr.id, o->origin, &sr)) < 0)
		goto out;
	replace = o->mode == STORE_REPLACE || o->origin == NULL || !sr.exists;
	same_src = sr.exists && memcmp(sr.digest, hash, 32) == 0;
	res->replaced = replace;
	if (zr.exists) {
		res->zone_id = zr.id;
		res->old_serial = res->new_serial = zr.serial;
		res->records = res->records_before = zr.records;
	}
	if (zr.exists && !zr.dirty && ((!replace && same_src) || (replace &&
	    zr.has_hash && memcmp(zr.hash, hash, 32) == 0 &&
	    (o->origin == NULL || same_src)))) {
		/* the same content in a file touched or rewritten: known
		 * without a parse next time */
		if (same_src && in->file_digest != NULL && !o->dry_run &&
		    (!sr.has_file_digest || sr.size != in->size ||
		    sr.mtime != in->mtime || memcmp(sr.file_digest,
		    in->file_digest, 32) != 0))
			(void)src_touch(st, sr.id, &si);	/* else: a
						   parse next time */
		goto out;
	}
	/* held by invalid edits, the source unchanged: nothing to do but
	 * what cannot be done (publish says why) */
	if (zr.exists && zrow_held_as_found(&zr) && !replace && same_src) {
		res->held = 1;
		goto out;
	}
	if ((ret = begin_write(st, o)) < 0)
		goto out;
	if ((ret = zone_for_import(st, nz, file_serial, o, now, &zr, res,
	    &hn)) < 0) {
		if (ret == HP_EINVALID)
			res->held = 1;
		goto fail;
	}
	res->zone_id = zr.id;
	res->old_serial = res->new_serial = zr.serial;
	res->records_before = zr.records;
	/* what the source contributed, as this transaction sees it (another
	 * import of it may have committed since the look above) */
	memset(&sr, 0, sizeof(sr));
	if (!res->new_zone && (ret = src_load(st, zr.id, o->origin, &sr)) < 0)
		goto fail;
	replace = o->mode == STORE_REPLACE || o->origin == NULL || !sr.exists;
	same_src = sr.exists && memcmp(sr.digest, hash, 32) == 0;
	res->replaced = replace;
	if (!replace && same_src)
		goto commit;	/* the pending edits were all there was */
	if ((ret = apply_writer(st, zr.id, 1)) < 0)
		goto fail;
	store_phase("begin");
	if (res->new_zone) {
		/* nothing stored yet: every RR is added, no scan (the SOA is
		 * written by apply_change) */
		if ((added = malloc((nz->n + 1) * sizeof(*added))) == NULL) {
			ret = HP_ENOMEM;
			goto fail;
		}
		for (i = 0; i < nz->n; i++)
			if (nz->rr[i].type != WIRE_TYPE_SOA)
				added[nadded++] = i;
		nb_made = 1;
	} else if (replace && zr.has_hash && memcmp(zr.hash, hash, 32) == 0) {
		/* the zone is the text already (a new source of the same
		 * content): nothing to compare */
	} else if (replace) {
		nb_made = 1;
		if ((ret = plan_exact(st, zr.id, nz, nb, &rm, &oldsoa, &added,
		    &nadded, &ttl_changes, &nb_stored)) < 0)
			goto fail;
	} else if ((ret = src_load_rrs(st, sr.id, &minus, &plus)) < 0) {
		goto fail;
	} else if (minus.n == 0 && plus.n == 0) {
		/* the zone is what the source made: its change, applied,
		 * makes the zone its new content (checked whole already) */
		whole = 1;
		nb_made = 1;
		if ((ret = plan_exact(st, zr.id, nz, nb, &rm, &oldsoa, &added,
		    &nadded, &ttl_changes, &nb_stored)) < 0)
			goto fail;
	} else {
		m.nz = nz;
		m.minus = &minus;
		m.plus = &plus;
		m.rm = &rm;
		m.nminus = &nminus;
		m.problem = o->problem;
		m.problem_arg = o->problem_arg;
		m.name = label;
		ret = plan_merge(st, zr.id, &m);
		added = m.added;
		nadded = m.nadded;
		ttl_changes = m.ttl_changes;
		nplus = m.nplus;
		nnplus = m.nnplus;
		res->conflicts = m.conflicts;
		if (ret < 0)
			goto fail;
	}
	store_phase("merge-diff");
	res->deleted = rm.n - ttl_changes;
	/* max-delete (a dry run goes on, to show what would be refused) */
	if (o->guard && !res->new_zone && res->records_before > 0 &&
	    res->deleted * 100 > (uint64_t)o->max_delete *
	    res->records_before) {
		guarded = 1;
		if (!o->dry_run) {
			ret = HP_EMAXDELETE;
			goto fail;
		}
	}
	/* The SOA: the text's, unless merging a source whose SOA did not
	 * change (then the zone's stays: another channel may have set it). */
	fsoa = ZRDATA(nz, ns);
	fsoalen = ns->rdlen;
	fttl = ns->ttl;
	if (!res->new_zone) {
		if ((ret = store_zone_soa(st, zr.id, &cur)) < 0)
			goto fail;
		if (!replace && sr.soa_ttl == ns->ttl &&
		    sr.soalen == ns->rdlen && memcmp(sr.soa, soa0,
		    ns->rdlen) == 0) {
			fsoa = cur.rdata;
			fsoalen = cur.rdlen;
			fttl = cur.ttl;
		}
	}
	memcpy(nsoa, fsoa, fsoalen);
	/* the zone is exactly the text (its hash is the zone's) unless the
	 * zone's own SOA stays and differs */
	exact = replace || whole;
	if (fsoa != ZRDATA(nz, ns) && !soa_same(fsoa, fsoalen, fttl,
	    ZRDATA(nz, ns), ns->rdlen, ns->ttl))
		exact = 0;
	soa_changed = res->new_zone || !soa_same(cur.rdata, cur.rdlen,
	    cur.ttl, nsoa, fsoalen, fttl);
	if (!res->new_zone && nadded == 0 && rm.n == 0 && !soa_changed) {
		/* nothing for the zone; the source is remembered */
		if (o->origin != NULL && (ret = src_save(st, zr.id, o->origin,
		    &si, now, replace ? NULL : &nminus, nz, nplus,
		    replace ? 0 : nnplus, &sid)) < 0)
			goto fail;
		if (exact && (ret = apply_hash(st, zr.id, hash)) < 0)
			goto fail;
		/* the blocks, when the stored ones were stale (the zone
		 * is NZ) */
		if (nb_made && !nb_stored &&
		    (ret = blocks_save(st, zr.id, nb)) < 0)
			goto fail;
		if ((ret = apply_writer(st, zr.id, 0)) < 0)
			goto fail;
		goto commit;
	}
	memset(&c, 0, sizeof(c));
	c.removed = &rm;
	c.added_set = nz;
	c.added = added;
	c.nadded = nadded;
	c.apex = nz->origin;
	c.has_prev = !res->new_zone;
	if (c.has_prev) {
		c.old_soa = cur.rdata;
		c.old_soa_len = cur.rdlen;
		c.soa_ttl_old = cur.ttl;
		if ((ret = serial_choose(zr.serial, file_serial,
		    o->serial_policy, now, &c.new_serial)) < 0)
			goto fail;
	} else
		c.new_serial = file_serial;
	c.old_serial = zr.serial;
	serial_soa_set(nsoa, fsoalen, c.new_serial);
	c.new_soa = nsoa;
	c.new_soa_len = fsoalen;
	c.soa_ttl_new = fttl;
	c.source = o->source != NULL ? o->source : "file";
	c.origin = o->origin;
	c.mode = o->origin == NULL ? NULL : replace ? "replace" : "merge";
	c.records = res->new_zone ? nz->n : zr.records + nadded - rm.n;
	c.sign = o->sign.policy != NULL ? &o->sign : NULL;
	c.problem = o->problem;
	c.problem_arg = o->problem_arg;
	if ((ret = apply_change(st, zr.id, &c, now, &vid)) < 0)
		goto fail;
	/* what this source contributed; every other source follows */
	if (o->origin != NULL && (ret = src_save(st, zr.id, o->origin, &si,
	    now, replace ? NULL : &nminus, nz, nplus, replace ? 0 : nnplus,
	    &sid)) < 0)
		goto fail;
	if (!res->new_zone && (ret = o->origin != NULL ? src_follow(st,
	    zr.id, sid, &rm, nz, added, nadded) : src_reset(st, zr.id)) < 0)
		goto fail;
	/* a merged result is no text that was checked whole: the rules
	 * where it changed */
	if (!replace && !whole) {
		if ((ret = touched_add(&touched, &rm, NULL, rm.n)) < 0 ||
		    (ret = touched_add(&touched, nz, added, nadded)) < 0)
			goto fail;
		if ((ret = check_change(st, zr.id, nz->origin, &touched,
		    o->problem, o->problem_arg)) < 0) {
			if (ret == HP_EINVALID)
				say(o, label, "merged with the zone's other "
				    "changes, the result is not a valid zone;"
				    " nothing changed (--replace makes the "
				    "zone exactly the text)");
			goto fail;
		}
	}
	if ((ret = apply_finish(st, zr.id, c.new_serial, exact ? hash : NULL,
	    c.records, o->max_journal_versions, now)) < 0)
		goto fail;
	/* the zone's records are NZ's now: its blocks go with the version */
	if (nb_made && (ret = blocks_save(st, zr.id, nb)) < 0)
		goto fail;
	store_phase("write");
	res->changed = 1;
	res->new_serial = c.new_serial;
	res->version_id = vid;
	res->added = nadded;
	res->removed = rm.n;
	res->records = c.records;
commit:
	if (o->dry_run) {
		if (res->changed && (ret = dry_report(st, vid, nz,
		    res->new_zone, o)) < 0)
			goto fail;
		rollback(st, 0);
		res->dry_run = 1;
		if (res->pending_published)
			res->changed = 1;
		if (guarded)
			ret = HP_EMAXDELETE;
		goto out;
	}
	ret = store_commit(st);
	store_phase("commit");
	if (ret < 0) {
		say(o, NULL, "hpagent: database: commit failed: %s",
		    sqlite3_errmsg(st->db));
		goto fail;
	}
	if (res->pending_published)
		res->changed = 1;
	goto out;
fail:
	rollback(st, ret);
	{
		struct store_import_result keep = *res;

		memset(res, 0, sizeof(*res));
		res->dry_run = keep.dry_run;
		res->held = keep.held;
		res->deleted = keep.deleted;
		res->records_before = keep.records_before;
		res->conflicts = keep.conflicts;
	}
	if (ret == HP_EINVALID && res->held)
		held_record(st, zr.id, &hn);
out:
	free(added);
	free(nplus);
	vnames_free(&touched);
	zset_free(&rm);
	zset_free(&oldsoa);
	zset_free(&minus);
	zset_free(&plus);
	zset_free(&nminus);
	return ret;
}

/* Check Z (sort, duplicates, validation) and import it. NAME: the input's
 * name for the closing message. */
const char *
store_dnssec_type_name(uint16_t type)
{
	switch (type) {
	case SIGN_T_RRSIG: return "RRSIG";
	case SIGN_T_NSEC: return "NSEC";
	case SIGN_T_DNSKEY: return "DNSKEY";
	case SIGN_T_NSEC3: return "NSEC3";
	case SIGN_T_NSEC3PARAM: return "NSEC3PARAM";
	case SIGN_T_CDS: return "CDS";
	case SIGN_T_CDNSKEY: return "CDNSKEY";
	case 63: return "ZONEMD";
	}
	return NULL;
}

/*
 * A signed zone's input (o->sign): DNSSEC records are the signer's to
 * make, and TTLs above the policy's zone-max-ttl would outlast what the
 * rollovers wait for. Each one an error at its line; nothing imported.
 */
static void
check_signed_input(struct zset *z, const struct store_import_opts *o)
{
	const struct sign_policy *p = o->sign.policy;
	const struct zrr *r;
	const char *t, *file;
	size_t i;

	for (i = 0; i < z->n; i++) {
		r = &z->rr[i];
		file = r->file < z->nfiles ? z->files[r->file] : NULL;
		if ((t = store_dnssec_type_name(r->type)) != NULL) {
			hp_problem(o->problem, o->problem_arg, file, r->line,
			    0, "%.*s %s: DNSSEC records are made by hpagent's "
			    "signer for a signed zone (dnssec-signing: yes); "
			    "refused as input (remove them)",
			    (int)r->owner_len, ZOWNER(z, r), t);
			z->errors++;
		} else if (r->ttl > p->zone_max_ttl) {
			hp_problem(o->problem, o->problem_arg, file, r->line,
			    0, "%.*s: TTL %u exceeds zone-max-ttl %u of "
			    "dnssec-policy %s", (int)r->owner_len,
			    ZOWNER(z, r), r->ttl, p->zone_max_ttl, p->name);
			z->errors++;
		}
	}
}

static int
side_blocks(const struct zset *z, void *arg)
{
	return blocks_build(z, arg);
}

static int
check_and_import(struct store *st, struct zset *z, int ret, const char *name,
    const struct input *in, const struct store_import_opts *o,
    struct store_import_result *res)
{
	struct blocks nb = { 0 };

	/* the blocks (and so the digest) beside the checks */
	z->side = side_blocks;
	z->side_arg = &nb;
	if (ret == 0)
		ret = zset_check(z);
	if (ret == 0 && o->sign.policy != NULL)
		check_signed_input(z, o);
	store_phase("signed-check");
	res->errors = z->errors;
	res->warnings = z->warnings;
	if (ret < 0 || z->errors > 0) {
		say(o, name, "%u error%s; the store is unchanged", z->errors,
		    z->errors == 1 ? "" : "s");
		blocks_free(&nb);
		return ret == 0 ? HP_EINVALID : ret;
	}
	ret = import_set(st, z, &nb, in, o, res);
	res->warnings = z->warnings;
	blocks_free(&nb);
	return ret;
}

/* SHA-256 of the octets of the file PATH (SIZE of them) into OUT: 0, or
 * -1 when it cannot be read whole. */
#define FILE_CHUNK	(1u << 20)
static int
file_sha256(const char *path, int64_t size, uint8_t out[32])
{
	EVP_MD_CTX *ctx = NULL;
	uint8_t *buf;
	unsigned int olen = 0;
	int64_t total = 0;
	ssize_t n = -1;
	int fd, ret = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if ((buf = malloc(FILE_CHUNK)) == NULL ||
	    (ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	while ((n = read(fd, buf, FILE_CHUNK)) > 0) {
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1)
			goto out;
		total += n;
	}
	if (n == 0 && total == size &&
	    EVP_DigestFinal_ex(ctx, out, &olen) == 1 && olen == 32)
		ret = 0;
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	close(fd);
	return ret;
}

/* file_sha256() of PATH on a thread beside the parse (par.c), for files
 * of FILE_PAR_MIN octets and more. */
#define FILE_PAR_MIN	(1 << 20)
struct file_job {
	const char *path;
	int64_t size;
	uint8_t digest[32];
};

static int
file_job_run(void *arg)
{
	struct file_job *j = arg;

	return file_sha256(j->path, j->size, j->digest);
}

/*
 * A file source imported before and unchanged since (the same size, mtime
 * and octets): nothing to do, and no parse to find it out. The zone must
 * be as that import left it where the import would look (no direct edits
 * pending; replacing: the zone's content is the file's). 1 when so (RES
 * filled as an unchanged import fills it), 0 when the import must run,
 * or a negative HP_E*. The file's digest is taken only when its size and
 * mtime are the ones kept (else the import runs anyway): into J, which
 * keeps J->size 0 when not taken.
 */
static int
import_unchanged(struct store *st, struct input *in, struct file_job *j,
    const struct store_import_opts *o, struct store_import_result *res)
{
	struct zrow zr;
	struct srcrow sr;
	char name[256];
	int ret, same = 0, seen = 0;

	if (store_norm_name(o->zone, name, sizeof(name)) < 0)
		return 0;
	if ((ret = store_snapshot_begin(st)) < 0)
		return ret;
	if ((ret = zrow_load(st, name, &zr)) == 0 && zr.exists &&
	    !zr.dirty && (ret = src_load(st, zr.id, o->origin, &sr)) == 0 &&
	    sr.exists && sr.has_file_digest && sr.size == in->size &&
	    sr.mtime == in->mtime)
		seen = o->mode != STORE_REPLACE || (zr.has_hash &&
		    memcmp(zr.hash, sr.digest, 32) == 0);
	store_snapshot_end(st);
	if (ret < 0 || !seen)
		return ret < 0 ? ret : 0;
	/* the file looks the same: its octets say */
	j->size = in->size;
	if (file_sha256(j->path, in->size, j->digest) == 0) {
		in->file_digest = j->digest;
		same = memcmp(sr.file_digest, j->digest, 32) == 0;
	}
	if (!same)
		return 0;
	res->zone_id = zr.id;
	res->old_serial = res->new_serial = zr.serial;
	res->records = res->records_before = zr.records;
	res->replaced = o->mode == STORE_REPLACE;
	return 1;
}

static int
import_common(struct store *st, const char *path, const char *buf,
    size_t len, const struct store_import_opts *o,
    struct store_import_result *res)
{
	struct input in = { -1, -1, NULL };
	struct zset z;
	struct stat sb, sb2;
	struct file_job fj = { NULL, 0, { 0 } };
	struct par fjob = { 0 };
	const char *name;
	int ret;

	memset(res, 0, sizeof(*res));
	if (o->zone == NULL ||
	    zset_init(&z, o->zone, o->problem, o->problem_arg) < 0)
		return HP_EINVAL;
	z.max_size = o->max_size;
	z.own_origin = o->own_origin != 0;
	store_phase("start");
	if (path != NULL) {
		name = path;
		/* kept with the source: an unchanged file is known without
		 * a parse */
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    (o->max_size == 0 || (uint64_t)sb.st_size <= o->max_size)) {
			in.size = (int64_t)sb.st_size;
			in.mtime = (int64_t)sb.st_mtim.tv_sec * 1000000000 +
			    sb.st_mtim.tv_nsec;
		}
		if (o->origin != NULL && in.size >= 0) {
			fj.path = path;
			if (!o->dry_run &&
			    (ret = import_unchanged(st, &in, &fj, o, res)) != 0) {
				store_phase("unchanged");
				if (ret > 0)
					ret = 0;
				goto out;
			}
			/* a new file: its digest, kept with the source, is
			 * taken beside the parse */
			if (fj.size == 0) {
				fj.size = in.size;
				if (in.size >= FILE_PAR_MIN)
					par_start(&fjob, file_job_run, &fj);
				else if (file_sha256(path, in.size,
				    fj.digest) == 0)
					in.file_digest = fj.digest;
			}
		}
		ret = zset_parse_file(&z, path);
		if (fjob.used && par_join(&fjob) == 0)
			in.file_digest = fj.digest;
		/* a file that includes others, or that changed while read:
		 * its octets say nothing of what was imported */
		if (in.file_digest != NULL && (z.nfiles > 1 ||
		    stat(path, &sb2) != 0 ||
		    sb2.st_size != sb.st_size ||
		    sb2.st_mtim.tv_sec != sb.st_mtim.tv_sec ||
		    sb2.st_mtim.tv_nsec != sb.st_mtim.tv_nsec))
			in.file_digest = NULL;
	} else {
		name = o->filename != NULL ? o->filename : "<input>";
		ret = zset_parse_buffer(&z, name, buf, len);
	}
	if (ret < 0 && ret != HP_EPARSE && ret != HP_EINVALID) {
		if (ret == HP_ETOOBIG)
			say(o, name, "larger than the size limit");
		else
			say(o, name, "cannot read: %s", ret == -EISDIR ?
			    "is a directory" : ret > -1000 ? strerror(-ret) :
			    hp_strerror(ret));
		goto out;
	}
	store_phase("parse");
	ret = check_and_import(st, &z, ret, name, &in, o, res);
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

struct stored {
	struct zset *z;
	int sign;	/* a signed zone: generated records left out */
};

static int
add_stored(const struct store_rr *rr, void *arg)
{
	struct stored *a = arg;

	/* a signed zone's journal holds what the signer made: the version
	 * is its users' records, signed anew */
	if (a->sign && sign_type_generated(rr->type))
		return 0;
	return zset_add(a->z, rr->owner, strlen(rr->owner), rr->type,
	    rr->rclass, rr->ttl, rr->rdata, rr->rdlen, 0, 0);
}

int
store_republish(struct store *st, uint32_t serial,
    const struct store_import_opts *o, struct store_import_result *res)
{
	struct store_zone_info zi;
	struct input in = { -1, -1 };
	struct zset z;
	struct stored sa = { &z, o->sign.policy != NULL };
	int ret;

	memset(res, 0, sizeof(*res));
	if (o->zone == NULL ||
	    zset_init(&z, o->zone, o->problem, o->problem_arg) < 0)
		return HP_EINVAL;
	/* rows of an older database are checked as direct edits are */
	z.check_rows = 1;
	/* The version's RRs, read in one snapshot; the import below takes
	 * the write lock itself, as any import does. */
	if ((ret = store_snapshot_begin(st)) == 0) {
		if ((ret = store_zone_info(st, o->zone, &zi)) == 0)
			ret = store_foreach_rr_at(st, zi.id, serial,
			    add_stored, &sa);
		store_snapshot_end(st);
	}
	if (ret == 0)
		ret = check_and_import(st, &z, 0, z.origin, &in, o, res);
	zset_free(&z);
	return ret;
}
