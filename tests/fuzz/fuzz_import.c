/*
 * fuzz_import.c -- zone text through validation into the store
 * (store/import.c, zset.c, xfrcache.c, db.c).
 *
 * Input: zone text for example.com., optionally two versions separated
 * by a line "%%". Each run starts from an empty database in a temporary
 * directory (the store opened once; every table emptied between runs
 * through a connection of the fuzzer's own), imports the first text with
 * store_import_buffer(), then the second, both as one source (the second
 * merged, or with an odd input length replacing); when something was
 * published it reads it all back (store_foreach_rr, store_version_list,
 * store_journal_foreach from the first serial, store_foreach_rr_at),
 * makes a direct edit through SQL and publishes it (store_publish), then
 * publishes the first version again from its rows (store_republish), and
 * imports the second text once more, merged with what the edit and the
 * rollback made. The serial policy is the input length modulo 3.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#include "dns/err.h"
#include "dns/log.h"
#include "store/store.h"
#include "tests/fuzz/fuzz.h"

static struct store *fz_st;
static sqlite3 *fz_sql;		/* the fuzzer's own: resets, direct edits */
static char fz_dir[64], fz_db[128];

static void
fz_cleanup(void)
{
	store_close(fz_st);
	sqlite3_close(fz_sql);
	fuzz_rm_db(fz_db, fz_dir);
}

static void
fz_quiet(void *arg, const struct hp_problem *p)
{
	char line[256];

	(void)arg;
	hp_problem_str(p, line, sizeof(line));
}

static void
fz_init(void)
{
	char err[256];

	log_open("fuzz_import", 0, "/dev/null");
	snprintf(fz_dir, sizeof(fz_dir), "/tmp/fuzz_import.XXXXXX");
	FUZZ_CHECK(mkdtemp(fz_dir) != NULL);
	snprintf(fz_db, sizeof(fz_db), "%s/hp.db", fz_dir);
	if (store_open(fz_db, STORE_CREATE, &fz_st, err, sizeof(err)) != 0) {
		fprintf(stderr, "store_open: %s\n", err);
		abort();
	}
	FUZZ_CHECK(sqlite3_open_v2(fz_db, &fz_sql, SQLITE_OPEN_READWRITE,
	    NULL) == SQLITE_OK);
	sqlite3_busy_timeout(fz_sql, 5000);
	atexit(fz_cleanup);
}

static void
fz_reset(void)
{
	static const char sql[] =
	    "DELETE FROM pending; DELETE FROM journal; DELETE FROM versions;"
	    "UPDATE zones SET writer = 1; DELETE FROM records;"
	    "DELETE FROM source_rrs; DELETE FROM source_content;"
	    "DELETE FROM zones; DELETE FROM axfr_cache;"
	    "DELETE FROM secondaries; DELETE FROM pending;";
	char *msg = NULL;

	if (sqlite3_exec(fz_sql, sql, NULL, NULL, &msg) !=
	    SQLITE_OK) {
		fprintf(stderr, "reset: %s\n", msg);
		abort();
	}
}

static int
fz_rr(const struct store_rr *rr, void *arg)
{
	FUZZ_CHECK(rr->owner != NULL && rr->owner[0] != '\0');
	FUZZ_CHECK(rr->rdlen == 0 || rr->rdata != NULL);
	(*(uint64_t *)arg)++;
	return 0;
}

static int
fz_jrr(int op, const struct store_rr *rr, void *arg)
{
	FUZZ_CHECK(op == 0 || op == 1);
	return fz_rr(rr, arg);
}

static int
fz_version(const struct store_version *v, void *arg)
{
	uint32_t *first = arg;

	if (*first == 0 && !v->has_prev)
		*first = v->serial;
	return 0;
}

static void
fz_readback(const struct store_import_result *res)
{
	struct store_zone_info zi;
	uint64_t n = 0;
	uint32_t first = 0;

	FUZZ_CHECK(store_zone_info(fz_st, "example.com", &zi) == 0);
	FUZZ_CHECK(zi.id == res->zone_id && zi.serial == res->new_serial);
	FUZZ_CHECK(store_foreach_rr(fz_st, zi.id, fz_rr, &n) == 0);
	FUZZ_CHECK(n == zi.records);
	FUZZ_CHECK(store_version_list(fz_st, zi.id, fz_version, &first) == 0);
	n = 0;
	(void)store_journal_foreach(fz_st, zi.id, first, fz_jrr, &n);
	n = 0;
	(void)store_foreach_rr_at(fz_st, zi.id, first, fz_rr, &n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	struct store_import_opts o = { .zone = "example.com.",
	    .source = "fuzz", .origin = "fuzz", .filename = "fuzz.zone",
	    .problem = fz_quiet };
	struct store_import_result res;
	const char *text = (const char *)data, *sep = NULL;
	size_t i, len1 = size;
	uint32_t first = 0;
	int published = 0;
	char *msg = NULL;

	if (!inited) {
		fz_init();
		inited = 1;
	}
	if (size > 1 << 16)
		return 0;
	o.serial_policy = (int)(size % 3);
	o.mode = size % 2 ? STORE_REPLACE : STORE_MERGE;
	o.max_journal_versions = 2;
	o.max_size = 1 << 16;
	for (i = 0; i + 4 <= size; i++)
		if (memcmp(text + i, "\n%%\n", 4) == 0) {
			sep = text + i + 4;
			len1 = i + 1;
			break;
		}
	fz_reset();
	memset(&res, 0, sizeof(res));
	if (store_import_buffer(fz_st, text, len1, &o, &res) == 0) {
		FUZZ_CHECK(res.changed && res.new_zone);
		published = 1;
		first = res.new_serial;
		fz_readback(&res);
	}
	if (sep != NULL && store_import_buffer(fz_st, sep,
	    size - (size_t)(sep - text), &o, &res) == 0) {
		published = 1;
		fz_readback(&res);
	}
	if (!published)
		return 0;
	/* A direct edit, as an operator's SQL would make it. */
	if (sqlite3_exec(fz_sql, "UPDATE records SET ttl = ttl + 1 "
	    "WHERE (owner, type, rdata) = (SELECT owner, type, rdata FROM "
	    "records WHERE type != 6 ORDER BY owner DESC, type LIMIT 1)",
	    NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "edit: %s\n", msg);
		abort();
	}
	if (store_publish(fz_st, &o, &res) == 0)
		fz_readback(&res);
	/* The first version again, from its rows (pruned: HP_ENOJOURNAL). */
	o.source = "rollback";
	o.origin = NULL;
	if (first != 0 && store_republish(fz_st, first, &o, &res) == 0)
		fz_readback(&res);
	/* The source again: merged with the edit and the rollback. */
	o.source = "fuzz";
	o.origin = "fuzz";
	if (sep != NULL && store_import_buffer(fz_st, sep,
	    size - (size_t)(sep - text), &o, &res) == 0)
		fz_readback(&res);
	return 0;
}
