/*
 * stats.c -- what /metrics reads from the store: zones, their serials,
 * stored versions and whether they are held or broken, versions by source.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "dns/err.h"
#include "store/store.h"
#include "store/store_int.h"

int
store_stat_zone_count(struct store *st, uint64_t *n)
{
	int64_t v;
	int ret;

	if ((ret = store_get_int(st, "SELECT count(*) FROM zones", &v)) < 0)
		return ret;
	*n = (uint64_t)v;
	return 0;
}

int
store_stat_zones(struct store *st,
    int (*cb)(const struct store_zone_stat *, void *), void *arg)
{
	struct store_zone_stat z;
	sqlite3_stmt *s;
	int rc, ret = 0;

	if ((ret = store_prep(st, &s, "SELECT z.name, z.serial, (SELECT "
	    "count(*) FROM versions v WHERE v.zone_id = z.id), z.held IS NOT "
	    "NULL AND z.dirty, z.broken IS NOT NULL AND z.broken_version = "
	    "(SELECT max(id) FROM versions v WHERE v.zone_id = z.id) FROM "
	    "zones z ORDER BY z.name")) < 0)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		z.zone = (const char *)sqlite3_column_text(s, 0);
		z.serial = (uint32_t)sqlite3_column_int64(s, 1);
		z.versions = (uint64_t)sqlite3_column_int64(s, 2);
		z.held = sqlite3_column_int(s, 3);
		z.broken = sqlite3_column_int(s, 4);
		if (z.zone != NULL && (ret = cb(&z, arg)) != 0)
			break;
	}
	return store_walk_end(s, rc, ret);
}

int
store_stat_sources(struct store *st,
    int (*cb)(const char *, uint64_t, void *), void *arg)
{
	const char *src;
	sqlite3_stmt *s;
	int rc, ret = 0;

	if ((ret = store_prep(st, &s, "SELECT source, n FROM published_counts "
	    "ORDER BY source")) < 0)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		src = (const char *)sqlite3_column_text(s, 0);
		if (src != NULL && (ret = cb(src,
		    (uint64_t)sqlite3_column_int64(s, 1), arg)) != 0)
			break;
	}
	return store_walk_end(s, rc, ret);
}
