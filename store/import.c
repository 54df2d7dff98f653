/*
 * import.c -- publishing new versions, each in one BEGIN IMMEDIATE
 * transaction: an imported zone text (file or buffer), the direct edits of
 * the records table, or a stored version again (rollback). Each entry
 * point gets an RR set (store/zset.h), plans the change against the
 * current records (plan.c) and writes it (apply.c).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns/err.h"
#include "dns/log.h"
#include "dns/serial.h"
#include "dns/wire.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/zset.h"

/* $HPAGENT_TIMING set: phase times on stderr, for benchmarks. */
static void
phase(const char *what)
{
	static double t0;
	double t;

	if (getenv("HPAGENT_TIMING") == NULL)
		return;
	t = log_clock();
	if (t0 != 0)
		fprintf(stderr, "timing: %-16s %.3f s\n", what, t - t0);
	t0 = t;
}

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
	    "content_hash, records FROM zones WHERE name = ?")) < 0)
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
begin_write(struct store *st, const struct store_import_opts *o)
{
	int ret = store_exec(st, "BEGIN IMMEDIATE");

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
	if (!sqlite3_get_autocommit(st->db))
		store_exec(st, "ROLLBACK");
}

/*
 * Publish the pending direct edits of ZR inside the open transaction.
 * HP_EUNCHANGED when they cancel out.
 */
static int
publish_pending(struct store *st, const struct zrow *zr, const char *apex,
    const struct store_import_opts *o, time_t now,
    struct store_import_result *res)
{
	struct zset cur, rm, ad, oldsoa;
	struct change c;
	uint8_t hash[32], soa[STORE_SOA_MAX];
	const struct zrr *r, *cs;
	size_t *idx = NULL, i;
	uint32_t edited;
	int64_t vid;
	int ret;

	zset_init(&cur, apex, o->problem, o->problem_arg);
	zset_init(&rm, apex, o->problem, o->problem_arg);
	zset_init(&ad, apex, o->problem, o->problem_arg);
	zset_init(&oldsoa, apex, o->problem, o->problem_arg);
	if ((ret = plan_pending(st, zr, &cur, &ad, &rm, &oldsoa)) < 0)
		goto out;
	if (zset_check(&cur) < 0) {
		say(o, apex, "the edited records are not a valid zone; "
		    "nothing published");
		ret = HP_EINVALID;
		goto out;
	}
	cs = &cur.rr[cur.soa];
	if (ad.n == 0 && rm.n == 0 && (oldsoa.n == 0 ||
	    (oldsoa.rr[0].ttl == cs->ttl && oldsoa.rr[0].rdlen == cs->rdlen &&
	    memcmp(ZRDATA(&oldsoa, &oldsoa.rr[0]), ZRDATA(&cur, cs),
	    cs->rdlen) == 0))) {
		ret = apply_finish(st, zr->id, zr->serial, NULL, cur.n, 0, now);
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
	if ((ret = serial_soa_get(soa, cs->rdlen, &edited)) < 0 ||
	    (ret = serial_choose(zr->serial, edited, o->serial_policy, now,
	    &c.new_serial)) < 0)
		goto out;
	serial_soa_set(soa, cs->rdlen, c.new_serial);
	c.has_prev = 1;
	c.records_done = 1;
	c.source = "sql";
	c.records = cur.n;
	if ((ret = apply_writer(st, zr->id, 1)) < 0 ||
	    (ret = apply_change(st, zr->id, &c, now, &vid)) < 0)
		goto out;
	/* the hash of what is now published */
	serial_soa_set((uint8_t *)ZRDATA(&cur, cs), cs->rdlen, 0);
	if ((ret = zset_hash(&cur, hash)) < 0 ||
	    (ret = apply_finish(st, zr->id, c.new_serial, hash, cur.n,
	    o->max_journal_versions, now)) < 0)
		goto out;
	res->changed = 1;
	res->old_serial = zr->serial;
	res->new_serial = c.new_serial;
	res->version_id = vid;
	res->added = ad.n;
	res->removed = rm.n;
	res->records = cur.n;
	ret = 0;
out:
	free(idx);
	zset_free(&cur);
	zset_free(&rm);
	zset_free(&ad);
	zset_free(&oldsoa);
	return ret;
}

int
store_publish(struct store *st, const struct store_import_opts *o,
    struct store_import_result *res)
{
	char apex[256];
	struct zrow zr;
	time_t now = time(NULL);
	int ret;

	memset(res, 0, sizeof(*res));
	if (store_norm_name(o->zone, apex, sizeof(apex)) < 0)
		return HP_EINVAL;
	if ((ret = begin_write(st, o)) < 0)
		return ret;
	if ((ret = zrow_load(st, apex, &zr)) < 0)
		goto fail;
	if (!zr.exists) {
		ret = HP_ENOENT;
		goto fail;
	}
	res->zone_id = zr.id;
	res->old_serial = res->new_serial = zr.serial;
	res->records = zr.records;
	ret = publish_pending(st, &zr, apex, o, now, res);
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

/* The zone's row, created (a new zone with the serial of its file) when
 * there is none; pending direct edits first published as their own
 * version. Inside the write transaction. */
static int
zone_for_import(struct store *st, const struct zset *nz, uint32_t file_serial,
    const struct store_import_opts *o, time_t now, struct zrow *zr,
    struct store_import_result *res)
{
	sqlite3_stmt *s;
	int ret;

	if ((ret = zrow_load(st, nz->origin, zr)) < 0)
		return ret;
	if (zr->exists && zr->dirty) {
		ret = publish_pending(st, zr, nz->origin, o, now, res);
		if (ret == 0) {
			res->pending_published = 1;
			zr->serial = res->new_serial;
		} else if (ret != HP_EUNCHANGED)
			return ret;
		return 0;
	}
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

/* 1 when the SOA of OLDSOA (one RR) equals NZ's but for the serial. */
static int
soa_same(const struct zset *oldsoa, const struct zset *nz,
    uint32_t file_serial)
{
	uint8_t tmp[STORE_SOA_MAX];
	const struct zrr *os, *ns = &nz->rr[nz->soa];

	if (oldsoa->n != 1)
		return 0;
	os = &oldsoa->rr[0];
	if (os->rdlen > sizeof(tmp) || os->ttl != ns->ttl ||
	    os->rdlen != ns->rdlen)
		return 0;
	memcpy(tmp, ZRDATA(oldsoa, os), os->rdlen);
	serial_soa_set(tmp, os->rdlen, file_serial);
	return memcmp(tmp, ZRDATA(nz, ns), ns->rdlen) == 0;
}

/* The import proper, on a parsed and checked set NZ. */
static int
import_set(struct store *st, struct zset *nz, const struct store_import_opts *o,
    struct store_import_result *res)
{
	struct zset rm, oldsoa;
	struct zrow zr;
	struct change c;
	uint8_t hash[32];
	struct zrr *ns = &nz->rr[nz->soa];
	uint8_t *nsoa = nz->arena + ns->rdata;
	uint32_t file_serial = 0;
	size_t *added = NULL, nadded = 0, i;
	time_t now = time(NULL);
	int64_t vid = 0;
	int ret;

	st->err[0] = '\0';
	zset_init(&rm, nz->origin, o->problem, o->problem_arg);
	zset_init(&oldsoa, nz->origin, o->problem, o->problem_arg);
	res->records = nz->n;
	(void)serial_soa_get(nsoa, ns->rdlen, &file_serial);
	if ((ret = zset_hash(nz, hash)) < 0)
		goto out;
	phase("hash");
	/* fast path: same content, no direct edits: no write at all */
	if ((ret = zrow_load(st, nz->origin, &zr)) < 0)
		goto out;
	if (zr.exists && !zr.dirty && zr.has_hash &&
	    memcmp(zr.hash, hash, 32) == 0) {
		res->zone_id = zr.id;
		res->old_serial = res->new_serial = zr.serial;
		goto out;
	}
	if ((ret = begin_write(st, o)) < 0)
		goto out;
	if ((ret = zone_for_import(st, nz, file_serial, o, now, &zr, res)) < 0)
		goto fail;
	res->zone_id = zr.id;
	res->old_serial = res->new_serial = zr.serial;
	if ((ret = apply_writer(st, zr.id, 1)) < 0)
		goto fail;
	phase("begin");
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
	} else if ((ret = plan_diff(st, zr.id, nz, &rm, &oldsoa, &added,
	    &nadded)) < 0)
		goto fail;
	phase("merge-diff");
	if (!res->new_zone && nadded == 0 && rm.n == 0 &&
	    soa_same(&oldsoa, nz, file_serial)) {
		if ((ret = apply_hash(st, zr.id, hash)) < 0)
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
	serial_soa_set(nsoa, ns->rdlen, c.new_serial);
	c.new_soa = nsoa;
	c.new_soa_len = ns->rdlen;
	c.soa_ttl_new = ns->ttl;
	c.source = o->source != NULL ? o->source : "file";
	c.records = nz->n;
	if ((ret = apply_change(st, zr.id, &c, now, &vid)) < 0 ||
	    (ret = apply_finish(st, zr.id, c.new_serial, hash, nz->n,
	    o->max_journal_versions, now)) < 0)
		goto fail;
	phase("write");
	res->changed = 1;
	res->new_serial = c.new_serial;
	res->version_id = vid;
	res->added = nadded;
	res->removed = rm.n;
commit:
	ret = store_exec(st, "COMMIT");
	phase("commit");
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
	memset(res, 0, sizeof(*res));
out:
	free(added);
	zset_free(&rm);
	zset_free(&oldsoa);
	return ret;
}

/* Check Z (sort, duplicates, validation) and import it. NAME: the input's
 * name for the closing message. */
static int
check_and_import(struct store *st, struct zset *z, int ret, const char *name,
    const struct store_import_opts *o, struct store_import_result *res)
{
	if (ret == 0)
		ret = zset_check(z);
	phase("sort+check");
	res->errors = z->errors;
	res->warnings = z->warnings;
	if (ret < 0 || z->errors > 0) {
		say(o, name, "%u error%s; the store is unchanged", z->errors,
		    z->errors == 1 ? "" : "s");
		return ret == 0 ? HP_EINVALID : ret;
	}
	ret = import_set(st, z, o, res);
	res->warnings = z->warnings;
	return ret;
}

static int
import_common(struct store *st, const char *path, const char *buf,
    size_t len, const struct store_import_opts *o,
    struct store_import_result *res)
{
	struct zset z;
	const char *name;
	int ret;

	memset(res, 0, sizeof(*res));
	if (o->zone == NULL ||
	    zset_init(&z, o->zone, o->problem, o->problem_arg) < 0)
		return HP_EINVAL;
	z.max_size = o->max_size;
	z.own_origin = o->own_origin != 0;
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
			say(o, name, "larger than the size limit");
		else
			say(o, name, "cannot read: %s", ret == -EISDIR ?
			    "is a directory" : ret > -1000 ? strerror(-ret) :
			    hp_strerror(ret));
		goto out;
	}
	phase("parse");
	ret = check_and_import(st, &z, ret, name, o, res);
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

static int
add_stored(const struct store_rr *rr, void *arg)
{
	return zset_add(arg, rr->owner, strlen(rr->owner), rr->type,
	    rr->rclass, rr->ttl, rr->rdata, rr->rdlen, 0, 0);
}

int
store_republish(struct store *st, uint32_t serial,
    const struct store_import_opts *o, struct store_import_result *res)
{
	struct store_zone_info zi;
	struct zset z;
	int ret;

	memset(res, 0, sizeof(*res));
	if (o->zone == NULL ||
	    zset_init(&z, o->zone, o->problem, o->problem_arg) < 0)
		return HP_EINVAL;
	/* The version's RRs, read in one snapshot; the import below takes
	 * the write lock itself, as any import does. */
	if ((ret = store_snapshot_begin(st)) == 0) {
		if ((ret = store_zone_info(st, o->zone, &zi)) == 0)
			ret = store_foreach_rr_at(st, zi.id, serial,
			    add_stored, &z);
		store_snapshot_end(st);
	}
	if (ret == 0)
		ret = check_and_import(st, &z, 0, z.origin, o, res);
	zset_free(&z);
	return ret;
}
