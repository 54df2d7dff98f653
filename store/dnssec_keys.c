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
