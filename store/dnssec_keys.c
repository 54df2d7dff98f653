/*
 * dnssec_keys.c -- the public state of each signed zone's keys (table
 * dnssec_keys: one keys_state_format() line per key), and what the
 * commands read of a signed zone.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/err.h"
#include "signer/keys.h"
#include "signer/rollover.h"
#include "store/dnssec_int.h"
#include "store/store.h"
#include "store/store_int.h"

static int
by_created(const void *a, const void *b)
{
	const struct keys_state *x = a, *y = b;

	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

int
dnssec_keys_load(struct store *st, int64_t zone_id, struct keys_state *keys,
    size_t *n)
{
	sqlite3_stmt *s;
	const char *line;
	int rc, ret = 0;

	*n = 0;
	if ((ret = store_prep(st, &s, "SELECT state FROM dnssec_keys WHERE "
	    "zone_id = ?")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, zone_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		line = (const char *)sqlite3_column_text(s, 0);
		if (*n == DNSSEC_MAXKEYS || line == NULL ||
		    keys_state_parse(line, &keys[*n]) < 0) {
			ret = HP_ESTORE;
			snprintf(st->err, sizeof(st->err), "dnssec_keys: a "
			    "row that does not parse, or too many keys");
			break;
		}
		(*n)++;
	}
	sqlite3_finalize(s);
	if (ret < 0)
		return ret;
	if (rc != SQLITE_DONE)
		return store_sqlerr(rc);
	qsort(keys, *n, sizeof(*keys), by_created);
	return 0;
}

int
dnssec_keys_save(struct store *st, int64_t zone_id,
    const struct keys_state *keys, size_t n)
{
	static const char *const clear[] = {
		"DELETE FROM dnssec_keys WHERE zone_id = ?1",
	};
	char line[KEYS_STATE_TEXT];
	sqlite3_stmt *s;
	size_t i;
	int ret;

	if ((ret = store_run_id(st, clear, 1, zone_id)) < 0 ||
	    (ret = store_prep(st, &s, "INSERT INTO dnssec_keys(zone_id, "
	    "key_id, keytag, algorithm, role, state) VALUES (?, ?, ?, ?, ?, "
	    "?)")) < 0)
		return ret;
	for (i = 0; i < n && ret == 0; i++) {
		if ((ret = keys_state_format(&keys[i], line,
		    sizeof(line))) < 0)
			break;
		sqlite3_bind_int64(s, 1, zone_id);
		sqlite3_bind_text(s, 2, keys[i].id, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, keys[i].keytag);
		sqlite3_bind_int(s, 4, keys[i].algorithm);
		sqlite3_bind_text(s, 5, keys_role_name(keys[i].role), -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(s, 6, line, -1, SQLITE_STATIC);
		ret = store_step_done(s);
	}
	sqlite3_finalize(s);
	return ret;
}

/* ---- what commands and the daemon read and confirm ----------------- */

void
store_dnssec_info_free(struct store_dnssec_info *info)
{
	free(info->keys);
	info->keys = NULL;
	info->nkeys = 0;
}

static void
col_text(sqlite3_stmt *s, int i, char *out, size_t len)
{
	const char *t = (const char *)sqlite3_column_text(s, i);

	snprintf(out, len, "%s", t != NULL ? t : "");
}

int
store_dnssec_info(struct store *st, const char *zone,
    struct store_dnssec_info *info)
{
	struct keys_state keys[DNSSEC_MAXKEYS];
	struct store_zone_info zi;
	sqlite3_stmt *s;
	int rc, ret;

	memset(info, 0, sizeof(*info));
	if ((ret = store_zone_info(st, zone, &zi)) < 0)
		return ret;
	info->zone_id = zi.id;
	if ((ret = store_prep(st, &s, "SELECT policy, chain, signed, updated,"
	    " coalesce(refresh, 0), coalesce(roll, 0), waiting, (SELECT "
	    "count(*) FROM dnssec_records WHERE zone_id = ?1) FROM "
	    "dnssec_zones WHERE zone_id = ?1")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, zi.id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		info->is_signed = 1;
		col_text(s, 0, info->policy, sizeof(info->policy));
		col_text(s, 1, info->chain, sizeof(info->chain));
		info->signed_at = sqlite3_column_int64(s, 2);
		info->updated = sqlite3_column_int64(s, 3);
		info->refresh = sqlite3_column_int64(s, 4);
		info->roll = sqlite3_column_int64(s, 5);
		col_text(s, 6, info->waiting, sizeof(info->waiting));
		info->generated = (uint64_t)sqlite3_column_int64(s, 7);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(rc);
	if ((ret = dnssec_keys_load(st, zi.id, keys, &info->nkeys)) < 0)
		return ret;
	if (info->nkeys > 0) {
		if ((info->keys = calloc(info->nkeys, sizeof(*keys))) == NULL)
			return HP_ENOMEM;
		memcpy(info->keys, keys, info->nkeys * sizeof(*keys));
	}
	return 0;
}

/* A write transaction over ZONE_ID's keys: loaded, changed by FN, saved
 * when FN says they moved. */
static int
keys_edit(struct store *st, int64_t zone_id,
    int (*fn)(struct keys_state *, size_t, void *), void *arg)
{
	struct keys_state keys[DNSSEC_MAXKEYS];
	size_t n;
	int ret, moved;

	if ((ret = store_exec(st, "BEGIN IMMEDIATE")) < 0)
		return ret;
	if ((ret = dnssec_keys_load(st, zone_id, keys, &n)) < 0)
		goto fail;
	if ((moved = fn(keys, n, arg)) < 0) {
		ret = moved;
		goto fail;
	}
	if (moved > 0 && (ret = dnssec_keys_save(st, zone_id, keys, n)) < 0)
		goto fail;
	if ((ret = store_exec(st, "COMMIT")) < 0)
		goto fail;
	return moved;
fail:
	store_exec(st, "ROLLBACK");
	return ret;
}

struct confirm {
	int64_t version_time, at;
};

static int
do_confirm(struct keys_state *keys, size_t n, void *arg)
{
	struct confirm *c = arg;
	int64_t seen[DNSSEC_MAXKEYS];
	size_t i;
	int moved = 0;

	for (i = 0; i < n; i++)
		seen[i] = keys[i].seen;
	roll_confirm(keys, n, c->version_time, c->at);
	for (i = 0; i < n; i++)
		moved |= seen[i] != keys[i].seen;
	return moved;
}

int
store_dnssec_confirm(struct store *st, int64_t zone_id, uint32_t serial,
    int64_t at, int *moved)
{
	struct confirm c = { 0, at };
	sqlite3_stmt *s;
	int rc, ret;

	*moved = 0;
	/* the time of the newest version with that serial */
	if ((ret = store_prep(st, &s, "SELECT created FROM versions WHERE "
	    "zone_id = ? AND serial = ? ORDER BY id DESC LIMIT 1")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_int64(s, 2, serial);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		c.version_time = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return store_sqlerr(rc);
	if ((ret = keys_edit(st, zone_id, do_confirm, &c)) < 0)
		return ret;
	*moved = ret;
	return 0;
}

struct dsseen {
	unsigned tag;
	int64_t at;
	int found;
};

static int
do_ds_seen(struct keys_state *keys, size_t n, void *arg)
{
	struct dsseen *d = arg;
	size_t i;

	for (i = 0; i < n; i++)
		if (keys[i].keytag == d->tag && keys[i].role != KEYS_ZSK &&
		    keys[i].remove == 0) {
			d->found = 1;
			if (keys[i].ds_seen != 0)
				return 0;
			roll_ds_seen(&keys[i], d->at);
			return 1;
		}
	return 0;
}

int
store_dnssec_ds_seen(struct store *st, const char *zone, unsigned keytag,
    int64_t at)
{
	struct store_zone_info zi;
	struct dsseen d = { keytag, at, 0 };
	int ret;

	if ((ret = store_zone_info(st, zone, &zi)) < 0)
		return ret;
	if ((ret = keys_edit(st, zi.id, do_ds_seen, &d)) < 0)
		return ret;
	return d.found ? 0 : HP_ENOENT;
}

int
store_dnssec_due(struct store *st, int64_t now,
    int (*cb)(const char *zone, void *arg), void *arg)
{
	sqlite3_stmt *s;
	int rc, ret = 0;

	if ((ret = store_prep(st, &s, "SELECT z.name FROM dnssec_zones d JOIN "
	    "zones z ON z.id = d.zone_id WHERE (d.refresh > 0 AND d.refresh "
	    "<= ?1) OR (d.roll > 0 AND d.roll <= ?1) ORDER BY z.name")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, now);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((ret = cb((const char *)sqlite3_column_text(s, 0),
		    arg)) != 0)
			break;
	return store_walk_end(s, rc, ret);
}
