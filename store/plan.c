/*
 * plan.c -- what a change is, before anything is written: an imported RR
 * set against the zone's records (both in the store's order) -- the zone
 * replaced by it, or only the source's own change merged in -- or the
 * pending log of direct edits consolidated and checked.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libknot/libknot.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/wire.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/zset.h"

static void
row_load(sqlite3_stmt *s, struct rowv *v)
{
	v->o = (const char *)sqlite3_column_text(s, 0);
	v->olen = (size_t)sqlite3_column_bytes(s, 0);
	v->type = sqlite3_column_int(s, 1);
	v->rclass = sqlite3_column_int(s, 2);
	v->ttl = sqlite3_column_int64(s, 3);
	v->rd = sqlite3_column_blob(s, 4);
	v->rdlen = (size_t)sqlite3_column_bytes(s, 4);
}

int
cmp_rowv(const struct zset *z, const struct zrr *r, const struct rowv *v)
{
	int c;

	if ((c = store_bytes_cmp(ZOWNER(z, r), r->owner_len, v->o,
	    v->olen)) != 0)
		return c;
	if (r->type != v->type)
		return r->type < v->type ? -1 : 1;
	if ((c = store_bytes_cmp(ZRDATA(z, r), r->rdlen, v->rd, v->rdlen)) != 0)
		return c;
	if (r->rclass != v->rclass)
		return r->rclass < v->rclass ? -1 : 1;
	return 0;
}

int
zset_add_row(struct zset *z, sqlite3_stmt *s)
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

/* The records of a zone in the store's order: all, from a key on, below
 * a key, or between the two (?2..?5: from, ?6..?9: below). */
#define DIFF_SQL	"SELECT owner, type, class, ttl, rdata FROM records " \
			"WHERE zone_id = ?1"
#define DIFF_FROM	" AND (owner, type, rdata, class) >= (?2, ?3, ?4, ?5)"
#define DIFF_BELOW	" AND (owner, type, rdata, class) < (?6, ?7, ?8, ?9)"
#define DIFF_ORDER	" ORDER BY owner, type, rdata, class"
static const char *const diff_sql[] = {
	DIFF_SQL DIFF_ORDER,
	DIFF_SQL DIFF_FROM DIFF_ORDER,
	DIFF_SQL DIFF_BELOW DIFF_ORDER,
	DIFF_SQL DIFF_FROM DIFF_BELOW DIFF_ORDER,
};

static void
bind_key(sqlite3_stmt *s, int at, const struct rowv *k)
{
	sqlite3_bind_text(s, at, k->o, (int)k->olen, SQLITE_STATIC);
	sqlite3_bind_int(s, at + 1, k->type);
	sqlite3_bind_blob(s, at + 2, k->rdlen ? (const void *)k->rd : "",
	    (int)k->rdlen, SQLITE_STATIC);
	sqlite3_bind_int(s, at + 3, k->rclass);
}

int
plan_diff(struct store *st, int64_t zone_id, const struct zset *nz,
    struct zset *rm, struct zset *oldsoa, size_t **added, size_t *nadded,
    size_t *ttl_changes)
{
	size_t *ad;
	int ret;

	*nadded = *ttl_changes = 0;
	if ((ad = malloc((nz->n + 1) * sizeof(*ad))) == NULL)
		return HP_ENOMEM;
	if ((ret = plan_diff_range(st, zone_id, nz, 0, nz->n, NULL, NULL, rm,
	    oldsoa, ad, nadded, ttl_changes)) < 0) {
		free(ad);
		return ret;
	}
	*added = ad;
	return 0;
}

/*
 * Merge the entries FROM..TO of NZ (sorted) with the zone's records
 * between the keys LO (NULL: from the first) and HI (NULL: to the last),
 * in index order, skipping SOAs: removed rows into RM, added indexes
 * appended to AD (*NA of them), TTL changes counted in *TC. The current
 * SOA goes to OLDSOA (a one-RR set).
 */
int
plan_diff_range(struct store *st, int64_t zone_id, const struct zset *nz,
    size_t from, size_t to, const struct rowv *lo, const struct rowv *hi,
    struct zset *rm, struct zset *oldsoa, size_t *ad, size_t *nadded,
    size_t *ttl_changes)
{
	sqlite3_stmt *s;
	struct rowv rv;
	size_t i = from, na = *nadded, tc = *ttl_changes;
	int rc, ret = 0, c, have;

	if ((ret = store_prep(st, &s, diff_sql[(lo != NULL) +
	    2 * (hi != NULL)])) < 0)
		return ret;
	if (lo != NULL)
		bind_key(s, 2, lo);
	if (hi != NULL)
		bind_key(s, 6, hi);
	sqlite3_bind_int64(s, 1, zone_id);
	rc = sqlite3_step(s);
	for (;;) {
		while (i < to && nz->rr[i].type == WIRE_TYPE_SOA)
			i++;
		while (rc == SQLITE_ROW && sqlite3_column_int(s, 1) == WIRE_TYPE_SOA) {
			if ((ret = zset_add_row(oldsoa, s)) < 0)
				goto out;
			rc = sqlite3_step(s);
		}
		have = rc == SQLITE_ROW;
		if (!have && i >= to)
			break;
		if (!have)
			c = -1;
		else if (i >= to)
			c = 1;
		else {
			row_load(s, &rv);
			c = cmp_rowv(nz, &nz->rr[i], &rv);
		}
		if (c == 0 && nz->rr[i].ttl != (uint32_t)rv.ttl) {
			/* same RR, new TTL: remove and add */
			if ((ret = zset_add_row(rm, s)) < 0)
				goto out;
			ad[na++] = i++;
			tc++;
			rc = sqlite3_step(s);
		} else if (c == 0) {
			i++;
			rc = sqlite3_step(s);
		} else if (c < 0) {
			ad[na++] = i++;
		} else {
			if ((ret = zset_add_row(rm, s)) < 0)
				goto out;
			rc = sqlite3_step(s);
		}
	}
	if (rc != SQLITE_DONE)
		ret = store_sqlerr(rc);
out:
	sqlite3_finalize(s);
	*nadded = na;
	*ttl_changes = tc;
	return ret;
}

/* An added row of the pending log (S: owner, type, class, ttl, rdata) as
 * store_check_rr() and the column types docs/SCHEMA.md gives: 0, or the
 * problem reported through AD's callback and counted. */
static int
pending_row_ok(struct zset *ad, sqlite3_stmt *s)
{
	const char *owner = (const char *)sqlite3_column_text(s, 0);
	int olen = sqlite3_column_bytes(s, 0);
	char why[512], tn[32];
	int64_t type = sqlite3_column_int64(s, 1);

	if (knot_rrtype_to_string((uint16_t)type, tn, sizeof(tn)) < 0 ||
	    sqlite3_column_type(s, 1) != SQLITE_INTEGER)
		snprintf(tn, sizeof(tn), "%s", sqlite3_column_type(s, 1) ==
		    SQLITE_INTEGER ? "TYPE?" : "(type not a number)");
	if (sqlite3_column_type(s, 0) != SQLITE_TEXT)
		snprintf(why, sizeof(why), "owner is not text");
	else if (sqlite3_column_type(s, 1) != SQLITE_INTEGER ||
	    sqlite3_column_type(s, 2) != SQLITE_INTEGER ||
	    sqlite3_column_type(s, 3) != SQLITE_INTEGER)
		snprintf(why, sizeof(why), "type, class and ttl must be "
		    "integers");
	else if (sqlite3_column_type(s, 4) != SQLITE_BLOB)
		snprintf(why, sizeof(why), "rdata is not a BLOB (write it in "
		    "wire form, X'...')");
	else if (store_check_rr(ad->origin, owner, (size_t)olen, type,
	    sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3),
	    sqlite3_column_blob(s, 4), (size_t)sqlite3_column_bytes(s, 4),
	    why, sizeof(why)) == 0)
		return 0;
	hp_problem(ad->problem, ad->problem_arg, ad->origin, 0, 0,
	    "%.*s %s: %s", owner != NULL ? olen : 6, owner != NULL ? owner :
	    "(null)", tn, why);
	ad->errors++;
	return HP_EINVALID;
}

int
plan_pending(struct store *st, const struct zrow *zr, struct zset *ad,
    struct zset *rm, struct zset *oldsoa, size_t *newsoa)
{
	sqlite3_stmt *s = NULL;
	int rc, ret, op;

	*newsoa = 0;
	/* consolidate: an add and a delete of the same RR cancel */
	if ((ret = store_prep(st, &s, "SELECT owner, type, class, ttl, rdata, "
	    "sum(CASE op WHEN 1 THEN 1 ELSE -1 END) AS n FROM pending WHERE "
	    "zone_id = ? GROUP BY owner, type, class, ttl, rdata HAVING n <> 0"
	    " ORDER BY owner, type, rdata, class")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, zr->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		op = sqlite3_column_int(s, 5) > 0;
		if (op && pending_row_ok(ad, s) < 0)
			continue;
		if (sqlite3_column_int(s, 1) == WIRE_TYPE_SOA) {
			if (op)
				(*newsoa)++;
			else if ((ret = zset_add_row(oldsoa, s)) < 0)
				break;
			continue;
		}
		if ((ret = zset_add_row(op ? ad : rm, s)) < 0)
			break;
	}
	sqlite3_finalize(s);
	if (ret < 0)
		return ret;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

/* ---- the three-way merge of an import ------------------------------ */

/* A and B of two sets, in the store's order (as zset_cmp). */
static int
cmp2(const struct zset *za, const struct zrr *a, const struct zset *zb,
    const struct zrr *b)
{
	size_t m = a->owner_len < b->owner_len ? a->owner_len : b->owner_len;
	int c;

	if ((c = memcmp(ZOWNER(za, a), ZOWNER(zb, b), m)) != 0)
		return c;
	if (a->owner_len != b->owner_len)
		return a->owner_len < b->owner_len ? -1 : 1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	m = a->rdlen < b->rdlen ? a->rdlen : b->rdlen;
	if (m > 0 && (c = memcmp(ZRDATA(za, a), ZRDATA(zb, b), m)) != 0)
		return c;
	if (a->rdlen != b->rdlen)
		return a->rdlen < b->rdlen ? -1 : 1;
	if (a->rclass != b->rclass)
		return a->rclass < b->rclass ? -1 : 1;
	return 0;
}

/* A head of the merge: a row of the zone (V) or an entry of a set. */
struct head {
	const struct rowv *v;
	const struct zset *z;
	const struct zrr *r;
};

static int
head_cmp(const struct head *a, const struct head *b)
{
	if (a->v == NULL && b->v == NULL)
		return cmp2(a->z, a->r, b->z, b->r);
	if (a->v == NULL)
		return cmp_rowv(a->z, a->r, b->v);
	return -cmp_rowv(b->z, b->r, a->v);
}

/* Say what conflicts: WHAT of the RR R of Z (its text, as libknot
 * prints it). */
static void
conflict(struct merge *m, const struct zset *z, const struct zrr *r,
    const char *what)
{
	struct store_rr rr;
	char owner[DNAME_MAXSTR], *text = NULL;
	size_t len = 0;

	zset_rr(z, r, owner, sizeof(owner), &rr);
	m->conflicts++;
	hp_problem(m->problem, m->problem_arg, m->name, 0, 1, "conflict: %s "
	    "%s", store_rr_text(&rr, &text, &len) == 0 ? text : owner, what);
	free(text);
}

/*
 * One key K present in some of: the zone (Z, TTL ZT), the source before
 * (P, PT), the source now (N, NT); -1 where absent. The zone keeps its
 * record unless the source changed it (PT != NT) and the zone still has
 * what the source had.
 */
struct key3 {
	int64_t zt, pt, nt;
	int at_z, at_n;
	size_t n;		/* index in NZ when at_n */
};

static int
merge_key(struct merge *m, sqlite3_stmt *s, const struct key3 *k,
    const struct zrr *pr)
{
	int ret;
	int64_t zt2 = k->zt;	/* the zone's TTL after */
	int removed = 0, added = 0;

	if (k->pt == k->nt) {
		/* the source did not change this record: the zone keeps it */
	} else if (k->pt < 0) {
		/* the source adds it */
		if (k->zt < 0)
			added = 1;
		else
			conflict(m, m->nz, &m->nz->rr[k->n], "(added by the "
			    "source) is already in the zone");
	} else if (k->nt < 0) {
		/* the source removes it */
		if (k->zt >= 0)
			removed = 1;
		else if (pr != NULL)
			conflict(m, m->plus, pr, "(removed by the source) is "
			    "no longer in the zone");
	} else {
		/* the source changes its TTL */
		if (k->zt < 0)
			conflict(m, m->nz, &m->nz->rr[k->n], "(a TTL changed "
			    "by the source) is no longer in the zone");
		else if (k->zt != k->nt) {
			removed = added = 1;
			m->ttl_changes++;
		}
	}
	if (removed && (ret = zset_add_row(m->rm, s)) < 0)
		return ret;
	if (added)
		m->added[m->nadded++] = k->n;
	if (removed)
		zt2 = added ? k->nt : -1;
	else if (added)
		zt2 = k->nt;
	/* the source's difference from the zone after */
	if (zt2 == k->nt)
		return 0;
	if (zt2 >= 0 && (ret = zset_add_row(m->nminus, s)) < 0)
		return ret;
	if (k->nt >= 0)
		m->nplus[m->nnplus++] = k->n;
	return 0;
}

int
plan_merge(struct store *st, int64_t zone_id, struct merge *m)
{
	const struct zset *nz = m->nz;
	struct head hz = { 0 }, hn = { 0 }, hp = { 0 }, hm = { 0 }, *min;
	struct rowv rv;
	struct key3 k;
	sqlite3_stmt *s;
	size_t i = 0, j = 0, mi = 0;
	int rc, ret = 0, have_z, in_m, c;
	const struct zrr *pr;

	m->nadded = m->nnplus = m->ttl_changes = 0;
	m->conflicts = 0;
	m->added = malloc((nz->n + 1) * sizeof(*m->added));
	m->nplus = malloc((nz->n + 1) * sizeof(*m->nplus));
	if (m->added == NULL || m->nplus == NULL)
		return HP_ENOMEM;
	if ((ret = store_prep(st, &s, "SELECT owner, type, class, ttl, rdata "
	    "FROM records WHERE zone_id = ? ORDER BY owner, type, rdata, "
	    "class")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, zone_id);
	hz.v = &rv;
	hn.z = nz;
	hp.z = m->plus;
	hm.z = m->minus;
	rc = sqlite3_step(s);
	for (;;) {
		/* SOAs are not merged here (see import.c) */
		while (rc == SQLITE_ROW &&
		    sqlite3_column_int(s, 1) == WIRE_TYPE_SOA)
			rc = sqlite3_step(s);
		while (i < nz->n && nz->rr[i].type == WIRE_TYPE_SOA)
			i++;
		have_z = rc == SQLITE_ROW;
		if (have_z)
			row_load(s, &rv);
		if (!have_z && i >= nz->n && j >= m->plus->n)
			break;
		/* the smallest key among the zone, N and the source's plus
		 * (one comparison per key, two with a plus row) */
		k.zt = k.pt = k.nt = -1;
		k.n = 0;
		if (i < nz->n)
			hn.r = &nz->rr[i];
		if (have_z && i < nz->n) {
			c = cmp_rowv(nz, hn.r, &rv);
			k.at_z = c >= 0;
			k.at_n = c <= 0;
		} else {
			k.at_z = have_z;
			k.at_n = i < nz->n;
		}
		min = k.at_z ? &hz : k.at_n ? &hn : NULL;
		pr = NULL;
		if (j < m->plus->n) {
			hp.r = &m->plus->rr[j];
			c = min == NULL ? -1 : head_cmp(&hp, min);
			if (c < 0)
				k.at_z = k.at_n = 0, min = &hp;
			if (c <= 0)
				pr = hp.r;
		}
		/* the source's minus: rows of the zone it does not have
		 * (entries that are no row any more are stale: passed) */
		in_m = 0;
		while (mi < m->minus->n) {
			hm.r = &m->minus->rr[mi];
			if ((c = head_cmp(&hm, min)) > 0)
				break;
			mi++;
			if (c == 0) {
				in_m = 1;
				break;
			}
		}
		if (k.at_z)
			k.zt = rv.ttl;
		if (k.at_n) {
			k.n = i;
			k.nt = nz->rr[i].ttl;
		}
		if (pr != NULL)
			k.pt = pr->ttl;
		else if (k.at_z && !in_m)
			k.pt = k.zt;
		/* most keys: in all three, alike: nothing to do */
		if ((k.zt != k.nt || k.pt != k.nt || pr != NULL) &&
		    (ret = merge_key(m, s, &k, pr)) < 0)
			goto out;
		if (k.at_z)
			rc = sqlite3_step(s);
		if (k.at_n)
			i++;
		if (pr != NULL)
			j++;
	}
	if (rc != SQLITE_DONE)
		ret = store_sqlerr(rc);
out:
	sqlite3_finalize(s);
	return ret;
}
