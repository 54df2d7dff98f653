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

struct order {
	int n, bad;
	char last[256];
	uint16_t ltype;
	uint8_t lrd[64];
	int lrdlen;
};

/* store_foreach_rr: SOA first, then strictly (owner, type, rdata). */
static int
on_rr(const struct store_rr *rr, void *arg)
{
	struct order *o = arg;
	int c, m;

	if (o->n++ > 0 && rr->type != 6) {
		c = strcmp(o->last, rr->owner);
		if (c == 0)
			c = o->ltype < rr->type ? -1 : o->ltype > rr->type;
		if (c == 0) {
			m = o->lrdlen < rr->rdlen ? o->lrdlen : rr->rdlen;
			c = memcmp(o->lrd, rr->rdata, (size_t)m);
			if (c == 0)
				c = o->lrdlen < rr->rdlen ? -1 : 1;
		}
		if (c >= 0 && o->n > 2)
			o->bad++;
	}
	snprintf(o->last, sizeof(o->last), "%s", rr->owner);
	o->ltype = rr->type;
	o->lrdlen = rr->rdlen < 64 ? rr->rdlen : 64;
	memcpy(o->lrd, rr->rdata, (size_t)o->lrdlen);
	return 0;
}

/* Enough RRs for the batched insert path (and a remainder), owners that
 * share long prefixes (the sort's runs), a duplicate, one change. */
static void
test_bulk(void **state)
{
	struct store *st = open_store();
	struct store_import_opts o;
	struct store_import_result r;
	struct store_zone_info zi;
	struct order ord;
	char *buf;
	size_t len = 0, cap = 1 << 20;
	int i, pass;

	(void)state;
	opts(&o);
	o.zone = "b.test";
	for (pass = 0; pass < 2; pass++) {
		assert_non_null(buf = malloc(cap));
		len = (size_t)snprintf(buf, cap, "$ORIGIN b.test.\n$TTL 300\n"
		    "@ SOA ns h 5 1 2 3 4\n@ NS ns\nns A 192.0.2.1\n"
		    "ns A 192.0.2.1\n");
		for (i = 999; i >= 0; i--)
			len += (size_t)snprintf(buf + len, cap - len,
			    "_long._prefix.h%d A 10.0.%d.%d\nh%d TXT \"%d\"\n",
			    i % 300, i / 256, pass && i == 500 ? 7 : i % 256,
			    i, i);
		assert_int_equal(store_import_buffer(st, buf, len, &o, &r), 0);
		free(buf);
		assert_int_equal(r.changed, 1);
		assert_int_equal(r.records, 2003);
		if (pass == 1) {
			assert_int_equal(r.added, 1);
			assert_int_equal(r.removed, 1);
		}
	}
	assert_int_equal(store_zone_info(st, "b.test", &zi), 0);
	assert_int_equal(zi.records, 2003);
	memset(&ord, 0, sizeof(ord));
	assert_int_equal(store_foreach_rr(st, zi.id, on_rr, &ord), 0);
	assert_int_equal(ord.n, 2003);
	assert_int_equal(ord.bad, 0);
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
		cmocka_unit_test(test_bulk),
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
