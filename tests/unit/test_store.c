/*
 * test_store.c -- the store API directly: buffer import, unchanged
 * detection, journal walk for IXFR, ENOJOURNAL, errors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "dns/err.h"
#include "dns/serial.h"
#include "store/store.h"

static char dir[] = "/tmp/hp-test-store.XXXXXX";
static char dbpath[256];

static const char zone1[] =
    "$ORIGIN t.test.\n$TTL 300\n@ SOA ns h 10 1 2 3 4\n@ NS ns\n"
    "ns A 192.0.2.1\nwww A 192.0.2.2\n";
static const char zone2[] =
    "$ORIGIN t.test.\n$TTL 300\n@ SOA ns h 10 1 2 3 4\n@ NS ns\n"
    "ns A 192.0.2.1\nwww A 192.0.2.3\nnew TXT \"x\"\n";

static struct store *
open_store(void)
{
	struct store *st = NULL;
	char err[256];

	assert_int_equal(store_open(dbpath, STORE_CREATE, &st, err,
	    sizeof(err)), 0);
	return st;
}

static void
opts(struct store_import_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->zone = "T.test";
	o->serial_policy = SERIAL_POLICY_INCREMENT;
	o->errs = stderr;
}

struct walk {
	int n;
	char seq[64];
};

static int
on_journal(int op, const struct store_rr *rr, void *arg)
{
	struct walk *w = arg;

	if (w->n < 60)
		w->seq[w->n++] = rr->type == 6 ? (op ? 'S' : 's') :
		    (op ? '+' : '-');
	return 0;
}

static void
test_import_and_journal(void **state)
{
	struct store *st = open_store();
	struct store_import_opts o;
	struct store_import_result r;
	struct store_zone_info zi;
	struct walk w = { 0 };

	(void)state;
	opts(&o);
	assert_int_equal(store_import_buffer(st, zone1, strlen(zone1), &o,
	    &r), 0);
	assert_int_equal(r.changed, 1);
	assert_int_equal(r.new_serial, 10);
	assert_int_equal(r.records, 4);
	assert_int_equal(store_import_buffer(st, zone1, strlen(zone1), &o,
	    &r), 0);
	assert_int_equal(r.changed, 0);
	assert_int_equal(store_import_buffer(st, zone2, strlen(zone2), &o,
	    &r), 0);
	assert_int_equal(r.changed, 1);
	assert_int_equal(r.old_serial, 10);
	assert_int_equal(r.new_serial, 11);
	assert_int_equal(r.added, 2);
	assert_int_equal(r.removed, 1);
	assert_int_equal(store_zone_info(st, "t.test", &zi), 0);
	assert_int_equal(zi.serial, 11);
	assert_int_equal(zi.records, 5);
	/* IXFR order: old SOA, removed, new SOA, added */
	assert_int_equal(store_journal_foreach(st, zi.id, 10, on_journal, &w),
	    0);
	w.seq[w.n] = '\0';
	assert_string_equal(w.seq, "s-S++");
	w.n = 0;
	assert_int_equal(store_journal_foreach(st, zi.id, 11, on_journal, &w),
	    0);
	assert_int_equal(w.n, 0);
	assert_int_equal(store_journal_foreach(st, zi.id, 9, on_journal, &w),
	    HP_ENOJOURNAL);
	assert_int_equal(w.n, 0);
	assert_int_equal(store_snapshot_begin(st), 0);
	store_snapshot_end(st);
	store_close(st);
}

static void
test_bad_input(void **state)
{
	struct store *st = open_store();
	struct store_import_opts o;
	struct store_import_result r;
	struct store_zone_info zi;
	static const char incl[] = "$ORIGIN t.test.\n@ 300 SOA ns h 1 1 2 3 4\n"
	    "@ 300 NS ns\n$INCLUDE /etc/passwd\n";
	static const char two[] = "$ORIGIN t.test.\n@ 300 SOA ns h 1 1 2 3 4\n"
	    "@ 300 SOA ns h 2 1 2 3 4\n@ 300 NS ns\n";
	FILE *devnull = fopen("/dev/null", "w");

	(void)state;
	opts(&o);
	o.errs = devnull;
	assert_int_equal(store_import_buffer(st, incl, strlen(incl), &o, &r),
	    HP_EPARSE);
	assert_int_equal(store_import_buffer(st, two, strlen(two), &o, &r),
	    HP_EINVALID);
	assert_int_equal(r.errors, 1);
	assert_int_equal(store_import_buffer(st, "", 0, &o, &r), HP_EINVALID);
	assert_int_equal(store_zone_info(st, "t.test", &zi), 0);
	assert_int_equal(zi.serial, 11);	/* from the test before */
	fclose(devnull);
	store_close(st);
}

static void
test_not_a_db(void **state)
{
	struct store *st = NULL;
	char path[300], err[256];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/garbage", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("this is not a database, just some text long enough\n", f);
	fclose(f);
	assert_int_equal(store_open(path, STORE_CREATE, &st, err, sizeof(err)),
	    HP_ENOTDB);
	assert_null(st);
	assert_non_null(strstr(err, "not an SQLite database"));
	snprintf(path, sizeof(path), "%s/none.db", dir);
	assert_int_equal(store_open(path, 0, &st, err, sizeof(err)),
	    HP_ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_import_and_journal),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_not_a_db),
	};
	char cmd[300];
	int ret;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(dbpath, sizeof(dbpath), "%s/store.db", dir);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		ret = 1;
	return ret;
}
