/*
 * source.c -- the validators of the last successful fetch of each zone's
 * source (table sources, schema/003_sources.sql).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns/err.h"
#include "store/store.h"
#include "store/store_int.h"

static char *
col_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t == NULL ? NULL : strdup((const char *)t);
}

int
store_source_get(struct store *st, const char *zone, const char *url,
    char **etag, char **last_modified)
{
	sqlite3_stmt *s;
	int r;

	*etag = *last_modified = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT etag, last_modified "
	    "FROM sources WHERE zone = ?1 AND url = ?2", -1, &s, NULL) !=
	    SQLITE_OK)
		return HP_ESTORE;
	sqlite3_bind_text(s, 1, zone, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, url, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		*etag = col_dup(s, 0);
		*last_modified = col_dup(s, 1);
		r = 0;
	} else
		r = r == SQLITE_DONE ? HP_ENOENT : HP_ESTORE;
	sqlite3_finalize(s);
	return r;
}

int
store_source_set(struct store *st, const char *zone, const char *url,
    const char *etag, const char *last_modified, int fetched)
{
	sqlite3_stmt *s;
	int r;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO sources (zone, url, "
	    "etag, last_modified, fetched, checked) VALUES (?1, ?2, ?3, ?4, "
	    "CASE WHEN ?5 THEN ?6 END, ?6) ON CONFLICT (zone) DO UPDATE SET "
	    "url = ?2, etag = ?3, last_modified = ?4, checked = ?6, "
	    "fetched = CASE WHEN ?5 THEN ?6 ELSE fetched END", -1, &s,
	    NULL) != SQLITE_OK)
		return HP_ESTORE;
	sqlite3_bind_text(s, 1, zone, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, url, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, etag, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, last_modified, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, fetched);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)time(NULL));
	r = sqlite3_step(s);
	sqlite3_finalize(s);
	if (r == SQLITE_BUSY || r == SQLITE_LOCKED)
		return HP_EBUSY;
	return r == SQLITE_DONE ? 0 : HP_ESTORE;
}
