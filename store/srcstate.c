/*
 * srcstate.c -- what each source of a zone last contributed (tables
 * source_content and source_rrs, schema/004_trust.sql).
 *
 * A source's last content is not kept as a copy: it is the zone's records
 * less the rows of op 0 ("the zone has it, the source does not") plus
 * the rows of op 1 ("the source has it, the zone does not"). A source
 * imported last and not edited since costs one row; the difference grows
 * only with what other channels (SQL edits, rollbacks, other sources)
 * changed since. Every change to the zone therefore updates the
 * difference of every source but the one importing (src_follow), inside
 * the change's write transaction.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns/err.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/zset.h"

#define SRC_KEEP	8	/* sources remembered per zone */

int
src_load(struct store *st, int64_t zone_id, const char *source,
    struct srcrow *sr)
{
	sqlite3_stmt *s;
	const void *p;
	int rc, ret, n;

	memset(sr, 0, sizeof(*sr));
	if (source == NULL)
		return 0;
	if ((ret = store_prep(st, &s, "SELECT id, digest, soa, soa_ttl, "
	    "size, mtime, file_digest FROM source_content WHERE zone_id = ? "
	    "AND source = ?")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_text(s, 2, source, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sr->id = sqlite3_column_int64(s, 0);
		p = sqlite3_column_blob(s, 1);
		n = sqlite3_column_bytes(s, 2);
		/* a row that is not what we write counts as none */
		if (p != NULL && sqlite3_column_bytes(s, 1) == 32 &&
		    n > 0 && n <= STORE_SOA_MAX) {
			memcpy(sr->digest, p, 32);
			memcpy(sr->soa, sqlite3_column_blob(s, 2), (size_t)n);
			sr->soalen = (uint16_t)n;
			sr->soa_ttl = (uint32_t)sqlite3_column_int64(s, 3);
			sr->size = sqlite3_column_type(s, 4) == SQLITE_INTEGER ?
			    sqlite3_column_int64(s, 4) : -1;
			sr->mtime = sqlite3_column_type(s, 5) ==
			    SQLITE_INTEGER ? sqlite3_column_int64(s, 5) : -1;
			if ((p = sqlite3_column_blob(s, 6)) != NULL &&
			    sqlite3_column_bytes(s, 6) == 32) {
				memcpy(sr->file_digest, p, 32);
				sr->has_file_digest = 1;
			}
			sr->exists = 1;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

int
src_load_rrs(struct store *st, int64_t source_id, struct zset *minus,
    struct zset *plus)
{
	sqlite3_stmt *s;
	int rc, ret = 0;

	/* the primary key's order: op, then the store's order */
	if ((ret = store_prep(st, &s, "SELECT owner, type, class, ttl, rdata,"
	    " op FROM source_rrs WHERE source_id = ? ORDER BY op, owner, type,"
	    " rdata, class")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, source_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((ret = zset_add_row(sqlite3_column_int(s, 5) ? plus :
		    minus, s)) < 0)
			break;
	sqlite3_finalize(s);
	if (ret < 0)
		return ret;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

/* Bind ?1..?7 of S: source, op, owner, type, class, ttl, rdata (R of Z). */
static void
bind_rr(sqlite3_stmt *s, int64_t source_id, int op, const struct zset *z,
    const struct zrr *r)
{
	sqlite3_bind_int64(s, 1, source_id);
	sqlite3_bind_int(s, 2, op);
	sqlite3_bind_text(s, 3, ZOWNER(z, r), r->owner_len, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, r->type);
	sqlite3_bind_int(s, 5, r->rclass);
	sqlite3_bind_int64(s, 6, r->ttl);
	sqlite3_bind_blob(s, 7, r->rdlen ? (const void *)ZRDATA(z, r) : "",
	    r->rdlen, SQLITE_STATIC);
}

static int
put_rr(sqlite3_stmt *s, int64_t source_id, int op, const struct zset *z,
    const struct zrr *r)
{
	bind_rr(s, source_id, op, z, r);
	return store_step_done(s);
}

int
src_save(struct store *st, int64_t zone_id, const char *source,
    const struct srcinfo *in, time_t now, const struct zset *nminus,
    const struct zset *plus_set, const size_t *nplus, size_t nnplus,
    int64_t *source_id)
{
	sqlite3_stmt *s;
	size_t i;
	int64_t id;
	int ret;

	if ((ret = store_prep(st, &s, "INSERT INTO source_content(zone_id, "
	    "source, digest, soa, soa_ttl, records, size, mtime, imported, "
	    "file_digest) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
	    "ON CONFLICT (zone_id, source) DO UPDATE SET digest = ?3, "
	    "soa = ?4, soa_ttl = ?5, records = ?6, size = ?7, mtime = ?8, "
	    "imported = ?9, file_digest = ?10 RETURNING id")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_text(s, 2, source, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, in->digest, 32, SQLITE_STATIC);
	sqlite3_bind_blob(s, 4, in->soa, (int)in->soalen, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, in->soa_ttl);
	sqlite3_bind_int64(s, 6, (int64_t)in->records);
	if (in->size >= 0) {
		sqlite3_bind_int64(s, 7, in->size);
		sqlite3_bind_int64(s, 8, in->mtime);
	}
	sqlite3_bind_int64(s, 9, (int64_t)now);
	if (in->file_digest != NULL)
		sqlite3_bind_blob(s, 10, in->file_digest, 32, SQLITE_STATIC);
	if ((ret = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return store_sqlerr(ret);
	}
	id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	/* The sources imported last are remembered, SRC_KEEP of them: each
	 * one follows every change of the zone (src_follow), and a path
	 * imported once (a temporary file) must not cost for ever. One
	 * forgotten is imported as a first import again. */
	if ((ret = store_prep(st, &s, "DELETE FROM source_content WHERE "
	    "zone_id = ?1 AND id NOT IN (SELECT id FROM source_content WHERE "
	    "zone_id = ?1 ORDER BY imported DESC, id DESC LIMIT ?2)")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_int(s, 2, SRC_KEEP);
	ret = store_step_done(s);
	sqlite3_finalize(s);
	if (ret < 0)
		return ret;
	if ((ret = store_prep(st, &s, "DELETE FROM source_rrs WHERE "
	    "source_id = ?")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, id);
	ret = store_step_done(s);
	sqlite3_finalize(s);
	if (ret < 0)
		return ret;
	if ((nminus == NULL || nminus->n == 0) && nnplus == 0)
		goto done;
	if ((ret = store_prep(st, &s, "INSERT INTO source_rrs(source_id, op, "
	    "owner, type, class, ttl, rdata) VALUES (?, ?, ?, ?, ?, ?, ?)")) <
	    0)
		return ret;
	for (i = 0; ret == 0 && nminus != NULL && i < nminus->n; i++)
		ret = put_rr(s, id, 0, nminus, &nminus->rr[i]);
	for (i = 0; ret == 0 && i < nnplus; i++)
		ret = put_rr(s, id, 1, plus_set, &plus_set->rr[nplus[i]]);
	sqlite3_finalize(s);
	if (ret < 0)
		return ret;
done:
	if (source_id != NULL)
		*source_id = id;
	return 0;
}

int
src_touch(struct store *st, int64_t source_id, const struct srcinfo *in)
{
	sqlite3_stmt *s;
	int ret;

	if ((ret = store_exec(st, "BEGIN IMMEDIATE")) < 0)
		return ret;
	if ((ret = store_prep(st, &s, "UPDATE source_content SET size = ?, "
	    "mtime = ?, file_digest = ? WHERE id = ? AND digest = ?")) == 0) {
		sqlite3_bind_int64(s, 1, in->size);
		sqlite3_bind_int64(s, 2, in->mtime);
		sqlite3_bind_blob(s, 3, in->file_digest, 32, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, source_id);
		sqlite3_bind_blob(s, 5, in->digest, 32, SQLITE_STATIC);
		ret = store_step_done(s);
		sqlite3_finalize(s);
	}
	if (ret == 0)
		ret = store_exec(st, "COMMIT");
	if (ret < 0)
		(void)store_exec(st, "ROLLBACK");
	return ret;
}

/*
 * R (of Z) left the zone (OP 0) or came into it (OP 1) by another
 * channel: for source ID, a difference row of the other side that is
 * exactly R cancels; else R is a new difference on this side.
 */
static int
follow_one(sqlite3_stmt *del, sqlite3_stmt *ins, struct store *st,
    int64_t id, int op, const struct zset *z, const struct zrr *r)
{
	int ret;

	if ((ret = put_rr(del, id, op, z, r)) < 0)
		return ret;
	if (sqlite3_changes(st->db) > 0)
		return 0;
	/* removed from the zone, the source had it: "source has, zone not"
	 * (op 1); added, the source lacks it: "zone has, source not" */
	return put_rr(ins, id, op == 0 ? 1 : 0, z, r);
}

int
src_follow(struct store *st, int64_t zone_id, int64_t except,
    const struct zset *rm, const struct zset *ad, const size_t *idx,
    size_t nad)
{
	sqlite3_stmt *s, *del = NULL, *ins = NULL;
	int64_t *ids = NULL, *nids;
	size_t n = 0, cap = 0, i, k;
	int rc, ret;

	if ((rm == NULL || rm->n == 0) && nad == 0)
		return 0;
	if ((ret = store_prep(st, &s, "SELECT id FROM source_content WHERE "
	    "zone_id = ? AND id <> ?")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_int64(s, 2, except);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			if ((nids = realloc(ids, cap * sizeof(*ids))) == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			ids = nids;
		}
		ids[n++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(ids);
		return rc == SQLITE_NOMEM ? HP_ENOMEM : store_sqlerr(rc);
	}
	if (n == 0)
		goto out;
	/* a removed row of the zone matches a "zone has" row (op 0); an
	 * added one a "source has" row (op 1) */
	if ((ret = store_prep(st, &del, "DELETE FROM source_rrs WHERE "
	    "source_id = ?1 AND op = ?2 AND owner = ?3 AND type = ?4 AND "
	    "rdata = ?7 AND class = ?5 AND ttl = ?6")) < 0 ||
	    (ret = store_prep(st, &ins, "INSERT OR REPLACE INTO source_rrs("
	    "source_id, op, owner, type, class, ttl, rdata) VALUES (?, ?, ?, "
	    "?, ?, ?, ?)")) < 0)
		goto out;
	for (k = 0; ret == 0 && k < n; k++) {
		/* removals first: a TTL change is a removal and an addition */
		for (i = 0; ret == 0 && rm != NULL && i < rm->n; i++)
			ret = follow_one(del, ins, st, ids[k], 0, rm,
			    &rm->rr[i]);
		for (i = 0; ret == 0 && i < nad; i++)
			ret = follow_one(del, ins, st, ids[k], 1, ad,
			    &ad->rr[idx[i]]);
	}
out:
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	free(ids);
	return ret;
}

int
src_reset(struct store *st, int64_t zone_id)
{
	static const char *const sql[] = {
		/* what each source had that the zone lacked: the rollback
		 * decided */
		"DELETE FROM source_rrs WHERE op = 1 AND source_id IN (SELECT "
		"id FROM source_content WHERE zone_id = ?1)",
		/* records other channels added: still theirs where the
		 * rollback kept them */
		"DELETE FROM source_rrs WHERE op = 0 AND source_id IN (SELECT "
		"id FROM source_content WHERE zone_id = ?1) AND NOT EXISTS "
		"(SELECT 1 FROM records r WHERE r.zone_id = ?1 AND r.owner = "
		"source_rrs.owner AND r.type = source_rrs.type AND r.rdata = "
		"source_rrs.rdata AND r.class = source_rrs.class AND r.ttl = "
		"source_rrs.ttl)",
	};

	return store_run_id(st, sql, 2, zone_id);
}
