/*
 * zones.c -- reading zones: their rows, current SOA and versions.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "dns/err.h"
#include "dns/serial.h"
#include "store/store.h"
#include "store/store_int.h"

#define ZONE_COLS "id, name, serial, records, created, updated, dirty, " \
	"(SELECT max(id) FROM versions v WHERE v.zone_id = zones.id), " \
	"held, held_since, held_mark, (SELECT max(id) FROM pending p " \
	"WHERE p.zone_id = zones.id), broken, broken_version"

/* Kept prepared (store_stmt_get): every query and transfer reads them. */
static const char zone_info_sql[] = "SELECT " ZONE_COLS
    " FROM zones WHERE name = ?";
static const char zone_soa_sql[] = "SELECT ttl, rdata FROM records "
    "WHERE zone_id = ?1 AND type = 6 LIMIT 1";
static const char zone_soa_named_sql[] = "SELECT r.ttl, r.rdata FROM zones "
    "z JOIN records r ON r.zone_id = z.id AND r.type = 6 WHERE "
    "z.name = ?1 LIMIT 1";

static void
zone_row(sqlite3_stmt *s, struct store_zone_info *info)
{
	const unsigned char *name = sqlite3_column_text(s, 1);
	const unsigned char *held = sqlite3_column_text(s, 8);
	const unsigned char *broken = sqlite3_column_text(s, 12);

	memset(info, 0, sizeof(*info));
	info->id = sqlite3_column_int64(s, 0);
	snprintf(info->name, sizeof(info->name), "%s",
	    name != NULL ? (const char *)name : "");
	info->serial = (uint32_t)sqlite3_column_int64(s, 2);
	info->records = (uint64_t)sqlite3_column_int64(s, 3);
	info->created = sqlite3_column_int64(s, 4);
	info->updated = sqlite3_column_int64(s, 5);
	info->dirty = sqlite3_column_int(s, 6);
	info->version_id = sqlite3_column_int64(s, 7);
	if (held != NULL && info->dirty) {
		info->held = 1;
		snprintf(info->held_why, sizeof(info->held_why), "%s", held);
		info->held_since = sqlite3_column_int64(s, 9);
		info->held_mark = sqlite3_column_int64(s, 10);
	}
	info->pending_mark = sqlite3_column_int64(s, 11);
	/* broken while that version is the current one */
	if (broken != NULL && sqlite3_column_int64(s, 13) ==
	    info->version_id) {
		info->broken = 1;
		snprintf(info->broken_why, sizeof(info->broken_why), "%s",
		    broken);
	}
}

int
store_zone_info(struct store *st, const char *zone,
    struct store_zone_info *info)
{
	char name[256];
	sqlite3_stmt *s;
	int rc;

	/* What cannot be a zone's name is no zone of the store. */
	if (store_norm_name(zone, name, sizeof(name)) < 0)
		return HP_ENOENT;
	if ((rc = store_stmt_get(st, zone_info_sql, &s)) < 0)
		return rc;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		zone_row(s, info);
	store_stmt_put(st, s);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? HP_ENOENT : store_sqlerr(rc);
}

int
store_zone_list(struct store *st,
    int (*cb)(const struct store_zone_info *, void *), void *arg)
{
	struct store_zone_info info;
	sqlite3_stmt *s;
	int rc, ret = 0;

	if ((rc = store_prep(st, &s, "SELECT " ZONE_COLS
	    " FROM zones ORDER BY name")) < 0)
		return rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		zone_row(s, &info);
		if ((ret = cb(&info, arg)) != 0)
			break;
	}
	return store_walk_end(s, rc, ret);
}

int
store_version_list(struct store *st, int64_t zone_id,
    int (*cb)(const struct store_version *, void *), void *arg)
{
	struct store_version v;
	sqlite3_stmt *s;
	const unsigned char *src;
	int rc, ret = 0;

	if ((rc = store_prep(st, &s, "SELECT id, serial, prev_serial,"
	    " created, source, added, removed, records, EXISTS (SELECT 1 FROM "
	    "journal j WHERE j.version_id = versions.id), origin, mode FROM "
	    "versions WHERE zone_id = ? ORDER BY id")) < 0)
		return rc;
	sqlite3_bind_int64(s, 1, zone_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&v, 0, sizeof(v));
		v.id = sqlite3_column_int64(s, 0);
		v.serial = (uint32_t)sqlite3_column_int64(s, 1);
		v.has_prev = sqlite3_column_type(s, 2) != SQLITE_NULL;
		v.prev_serial = (uint32_t)sqlite3_column_int64(s, 2);
		v.created = sqlite3_column_int64(s, 3);
		src = sqlite3_column_text(s, 4);
		snprintf(v.source, sizeof(v.source), "%s",
		    src != NULL ? (const char *)src : "");
		v.added = (uint64_t)sqlite3_column_int64(s, 5);
		v.removed = (uint64_t)sqlite3_column_int64(s, 6);
		v.records = (uint64_t)sqlite3_column_int64(s, 7);
		v.has_journal = sqlite3_column_int(s, 8);
		src = sqlite3_column_text(s, 9);
		snprintf(v.origin, sizeof(v.origin), "%s",
		    src != NULL ? (const char *)src : "");
		src = sqlite3_column_text(s, 10);
		snprintf(v.mode, sizeof(v.mode), "%s",
		    src != NULL ? (const char *)src : "");
		if ((ret = cb(&v, arg)) != 0)
			break;
	}
	return store_walk_end(s, rc, ret);
}

/* The SOA of the zone S (a kept statement of ST, bound) selects (ttl,
 * rdata) into *SOA. */
static int
zone_soa(struct store *st, sqlite3_stmt *s, struct store_soa *soa)
{
	const void *rd;
	int rc, n, ret = 0;

	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		rd = sqlite3_column_blob(s, 1);
		n = sqlite3_column_bytes(s, 1);
		if (rd == NULL || n > STORE_SOA_MAX ||
		    serial_soa_off(rd, (size_t)n) < 0)
			ret = HP_EINVALID;
		else {
			memcpy(soa->rdata, rd, (size_t)n);
			soa->rdlen = (uint16_t)n;
			soa->ttl = (uint32_t)sqlite3_column_int64(s, 0);
		}
	} else
		ret = rc == SQLITE_DONE ? HP_ENOENT : store_sqlerr(rc);
	store_stmt_put(st, s);
	return ret;
}

int
store_version_prev(struct store *st, int64_t version_id, uint32_t *prev)
{
	static const char sql[] = "SELECT prev_serial FROM versions "
	    "WHERE id = ?";
	sqlite3_stmt *s;
	int rc, ret = HP_ENOENT;

	if ((ret = store_stmt_get(st, sql, &s)) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, version_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*prev = (uint32_t)sqlite3_column_int64(s, 0);
		ret = 0;
	} else
		ret = rc == SQLITE_ROW || rc == SQLITE_DONE ? HP_ENOENT :
		    store_sqlerr(rc);
	store_stmt_put(st, s);
	return ret;
}

int
store_zone_soa(struct store *st, int64_t zone_id, struct store_soa *soa)
{
	sqlite3_stmt *s;
	int ret;

	if ((ret = store_stmt_get(st, zone_soa_sql, &s)) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, zone_id);
	return zone_soa(st, s, soa);
}

int
store_zone_soa_named(struct store *st, const char *zone,
    struct store_soa *soa)
{
	char name[256];
	sqlite3_stmt *s;
	int ret;

	if (store_norm_name(zone, name, sizeof(name)) < 0)
		return HP_ENOENT;
	if ((ret = store_stmt_get(st, zone_soa_named_sql, &s)) < 0)
		return ret;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	return zone_soa(st, s, soa);
}

int
store_name_exists(struct store *st, const char *zone, const char *name)
{
	static const char *const sql[] = {
		"SELECT 1 FROM zones z JOIN records r ON r.zone_id = z.id AND "
		"r.owner = ?2 WHERE z.name = ?1 LIMIT 1",
		/* an empty non-terminal: a name below it */
		"SELECT 1 FROM zones z JOIN records r ON r.zone_id = z.id AND "
		"length(r.owner) > length(?2) AND substr(r.owner, "
		"-length(?2) - 1) = '.' || ?2 WHERE z.name = ?1 LIMIT 1",
	};
	char zn[256];
	sqlite3_stmt *s;
	size_t i;
	int rc, ret;

	if (store_norm_name(zone, zn, sizeof(zn)) < 0)
		return HP_ENOENT;
	for (i = 0; i < 2; i++) {
		if ((ret = store_prep(st, &s, sql[i])) < 0)
			return ret;
		sqlite3_bind_text(s, 1, zn, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc == SQLITE_ROW)
			return 1;
		if (rc != SQLITE_DONE)
			return store_sqlerr(rc);
	}
	return 0;
}

int
store_zone_set_broken(struct store *st, int64_t zone_id, int64_t version_id,
    const char *why)
{
	sqlite3_stmt *s;
	int ret;

	if ((ret = store_prep(st, &s, "UPDATE zones SET broken = ?, "
	    "broken_version = ? WHERE id = ?")) < 0)
		return ret;
	sqlite3_bind_text(s, 1, why, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, version_id);
	sqlite3_bind_int64(s, 3, zone_id);
	ret = store_step_done(s);
	sqlite3_finalize(s);
	return ret;
}
