/*
 * plan.c -- what a change is, before anything is written: an imported RR
 * set merged against the zone's records (both in the store's order), or
 * the pending log of direct edits consolidated.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "dns/err.h"
#include "dns/wire.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/zset.h"

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

/*
 * Merge NEW (sorted) with the zone's records (index order), skipping SOAs:
 * removed rows into RM, added indexes into *ADDED. The current SOA goes to
 * OLDSOA (a one-RR set).
 */
int
plan_diff(struct store *st, int64_t zone_id, const struct zset *nz,
    struct zset *rm, struct zset *oldsoa, size_t **added, size_t *nadded)
{
	sqlite3_stmt *s;
	size_t i = 0, na = 0;
	size_t *ad;
	int rc, ret = 0, c, have;

	if ((ad = malloc((nz->n + 1) * sizeof(*ad))) == NULL)
		return HP_ENOMEM;
	if ((ret = store_prep(st, &s, "SELECT owner, type, class, ttl, rdata FROM "
	    "records WHERE zone_id = ? ORDER BY owner, type, rdata, class")) < 0) {
		free(ad);
		return ret;
	}
	sqlite3_bind_int64(s, 1, zone_id);
	rc = sqlite3_step(s);
	for (;;) {
		while (i < nz->n && nz->rr[i].type == WIRE_TYPE_SOA)
			i++;
		while (rc == SQLITE_ROW && sqlite3_column_int(s, 1) == WIRE_TYPE_SOA) {
			if ((ret = zset_add_row(oldsoa, s)) < 0)
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
			if ((ret = zset_add_row(rm, s)) < 0)
				goto out;
			ad[na++] = i++;
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
	if (ret < 0) {
		free(ad);
		return ret;
	}
	*added = ad;
	*nadded = na;
	return 0;
}

/* Load the zone's records into Z (for validation after direct edits). */
static int
load_records(struct store *st, int64_t zone_id, struct zset *z)
{
	sqlite3_stmt *s;
	int rc, ret;

	if ((ret = store_prep(st, &s, "SELECT owner, type, class, ttl, rdata FROM "
	    "records WHERE zone_id = ?")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, zone_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((ret = zset_add_row(z, s)) < 0)
			break;
	sqlite3_finalize(s);
	if (ret < 0)
		return ret;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

int
plan_pending(struct store *st, const struct zrow *zr, struct zset *cur,
    struct zset *ad, struct zset *rm, struct zset *oldsoa)
{
	sqlite3_stmt *s = NULL;
	int rc, ret, op;

	if ((ret = load_records(st, zr->id, cur)) < 0)
		return ret;
	/* consolidate: an add and a delete of the same RR cancel */
	if ((ret = store_prep(st, &s, "SELECT owner, type, class, ttl, rdata, "
	    "sum(CASE op WHEN 1 THEN 1 ELSE -1 END) AS n FROM pending WHERE "
	    "zone_id = ? GROUP BY owner, type, class, ttl, rdata HAVING n <> 0"
	    " ORDER BY owner, type, rdata, class")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, zr->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		op = sqlite3_column_int(s, 5) > 0;
		if (sqlite3_column_int(s, 1) == WIRE_TYPE_SOA) {
			if (!op && (ret = zset_add_row(oldsoa, s)) < 0)
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
