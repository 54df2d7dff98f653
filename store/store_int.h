/*
 * store_int.h -- internal to store/: the handle and shared helpers.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_STORE_INT_H
#define HP_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>

struct store {
	sqlite3 *db;
	int readonly;
	int in_snapshot;
	char err[256];	/* why the last write failed (kept past ROLLBACK) */
};

/* Lowercase NAME with a trailing dot into OUT. 0 or HP_EINVAL. */
int store_norm_name(const char *name, char *out, size_t outlen);
/* Map an SQLite result code: HP_EBUSY for locks, else HP_ESTORE. */
int store_sqlerr(int rc);
/* Run SQL (no result rows). 0 or store_sqlerr(). */
int store_exec(struct store *st, const char *sql);

#endif
