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
#include "store/store.h"
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
	struct store *rst, *wst;
	sqlite3 *db;
	char err[256];
	double t, c;
	int i, n, r;

	if (argc < 3) {
		fprintf(stderr, "usage: cachebench DBFILE ZONE [N]\n");
		return 2;
	}
	n = argc > 3 ? atoi(argv[3]) : 3;
	/* The builder's handles as the daemon opens them (cachebuild.c);
	 * a connection of the benchmark's own drops the cache each round. */
	if (store_open(argv[1], STORE_READONLY, &rst, err, sizeof(err)) < 0 ||
	    store_open(argv[1], 0, &wst, err, sizeof(err)) < 0 ||
	    sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "cachebench: %s: cannot open\n", argv[1]);
		return 1;
	}
	store_busy_timeout(wst, 5000);
	store_cache_size(rst, 8192);
	store_cache_size(wst, 8192);
	for (i = 0; i < n; i++) {
		sqlite3_exec(db, "DELETE FROM axfr_cache_done", NULL, NULL,
		    NULL);
		t = clk(CLOCK_MONOTONIC);
		c = clk(CLOCK_PROCESS_CPUTIME_ID);
		r = xfrc_build(rst, wst, argv[2], 4u << 20, NULL, &bs);
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
	store_close(rst);
	store_close(wst);
	sqlite3_close(db);
	return 0;
}
