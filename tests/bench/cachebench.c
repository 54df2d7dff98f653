/*
 * cachebench.c -- time the AXFR cache build of a zone (store/xfrcache.h).
 *
 * usage: cachebench DBFILE ZONE [N]
 *
 * Deletes the zone's cache, then builds it N times (default 3) with two
 * connections as the daemon does, printing the time of each build.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sqlite3.h>

#include "dns/err.h"
#include "store/xfrcache.h"

static double
clk(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct xfrc_build_stats bs;
	sqlite3 *rdb, *wdb;
	double t, c;
	int i, n, r;

	if (argc < 3) {
		fprintf(stderr, "usage: cachebench DBFILE ZONE [N]\n");
		return 2;
	}
	n = argc > 3 ? atoi(argv[3]) : 3;
	if (sqlite3_open_v2(argv[1], &rdb, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK || sqlite3_open_v2(argv[1], &wdb,
	    SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		fprintf(stderr, "cachebench: %s: cannot open\n", argv[1]);
		return 1;
	}
	sqlite3_busy_timeout(wdb, 5000);
	sqlite3_exec(wdb, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
	xfrc_tune(rdb, wdb);
	for (i = 0; i < n; i++) {
		sqlite3_exec(wdb, "DELETE FROM axfr_cache_done", NULL, NULL,
		    NULL);
		t = clk(CLOCK_MONOTONIC);
		c = clk(CLOCK_PROCESS_CPUTIME_ID);
		r = xfrc_build(rdb, wdb, argv[2], 4u << 20, NULL, &bs);
		t = clk(CLOCK_MONOTONIC) - t;
		c = clk(CLOCK_PROCESS_CPUTIME_ID) - c;
		printf("build %d: %s, %llu RRs, %llu messages, %llu octets, "
		    "%d transactions, %.3f s (CPU %.3f s)\n", i + 1, r == 1 ? "built" :
		    hp_strerror(r), (unsigned long long)bs.rrs,
		    (unsigned long long)bs.msgs, (unsigned long long)bs.bytes,
		    bs.txns, t, c);
		if (r != 1)
			return 1;
	}
	sqlite3_close(rdb);
	sqlite3_close(wdb);
	return 0;
}
