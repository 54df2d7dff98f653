/*
 * xfrcache.c -- prepared AXFR messages for each published version.
 * Filled by the serving module; until then the hook does nothing.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "store/store.h"

int
store_prepare_serving(sqlite3 *db, int64_t zone_id, int64_t version_id)
{
	/* filled by the serving module */
	(void)db;
	(void)zone_id;
	(void)version_id;
	return 0;
}
