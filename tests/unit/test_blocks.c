/*
 * test_blocks.c -- imports through the zone's blocks (store/blocks.c):
 * after every import of a series of edits (a few records, a TTL, a whole
 * run of blocks removed, one added, the SOA alone, a file in another
 * order) the zone's records are exactly those of the same text imported
 * into a fresh database; the blocks are kept with each version, stale
 * after a change by another channel (which then costs a full read and
 * still comes out right), and an import really reads only the blocks
 * that changed (a row altered behind the store's back in a block the
 * import does not touch stays as it is). Blocks are cut by content: after
 * the series, the zone's blocks and content digest are those of the same
 * text imported into a fresh database, octet for octet.
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
#include <sqlite3.h>

#include "dns/err.h"
#include "dns/serial.h"
#include "store/store.h"
#include "unit_tmp.h"

#define HOSTS	3000

static char dir[] = "/tmp/hp-test-blocks.XXXXXX";
static char dbpath[300], freshpath[300];

/* What a generation of the zone holds: per host, whether it is there, its
 * A record's last octet, its TTL. */
struct gen {
	uint32_t serial;
	char present[HOSTS];
	unsigned char a[HOSTS];
	unsigned ttl[HOSTS];
	int reverse;		/* hosts written last to first */
};

/* Serial 1, every host, A records ending in .1, TTL 300. */
static void
gen_init(struct gen *g)
{
	int i;

	memset(g, 0, sizeof(*g));
	g->serial = 1;
	for (i = 0; i < HOSTS; i++) {
		g->present[i] = 1;
		g->a[i] = 1;
		g->ttl[i] = 300;
	}
}

static char *
zone_text(const struct gen *g, size_t *len)
{
	size_t cap = 128 * HOSTS + 256, n = 0;
	char *buf = malloc(cap);
	int i, k;

	assert_non_null(buf);
	n += (size_t)snprintf(buf + n, cap - n, "$ORIGIN b.test.\n$TTL 300\n"
	    "@ SOA ns h %u 1 2 3 4\n@ NS ns\nns A 192.0.2.1\n", g->serial);
	for (k = 0; k < HOSTS; k++) {
		i = g->reverse ? HOSTS - 1 - k : k;
		if (!g->present[i])
			continue;
		/* the SRV owners share their first 8 octets ("_x._tcp."):
		 * one long run for the sort's first pass */
		n += (size_t)snprintf(buf + n, cap - n, "h%d %u A 10.%d.%d.%u\n"
		    "h%d TXT \"host %d\"\n_x._tcp.h%d SRV 0 0 80 h%d\n", i,
		    g->ttl[i], i / 250, i % 250, g->a[i], i, i, i, i);
	}
	*len = n;
	return buf;
}

static void
opts(struct store_import_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->zone = "b.test";
	o->origin = "/zones/b.test";	/* a source: merged, remembered */
	o->serial_policy = SERIAL_POLICY_INCREMENT;
}

static struct store *
open_at(const char *path)
{
	struct store *st = NULL;
	char err[256];

	assert_int_equal(store_open(path, STORE_CREATE, &st, err,
	    sizeof(err)), 0);
	return st;
}

/* The records of b.test in PATH, SOA aside, one line each, in order. */
static char *
records_of(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	size_t cap = 1 << 20, n = 0;
	char *out = malloc(cap);

	assert_non_null(out);
	out[0] = '\0';
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT owner, type, class, "
	    "ttl, hex(rdata) FROM records r JOIN zones z ON z.id = r.zone_id "
	    "WHERE z.name = 'b.test.' AND type <> 6 ORDER BY owner, type, "
	    "rdata, class", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		assert_true(n + 512 < cap);
		n += (size_t)snprintf(out + n, cap - n, "%s %d %d %lld %s\n",
		    sqlite3_column_text(s, 0), sqlite3_column_int(s, 1),
		    sqlite3_column_int(s, 2),
		    (long long)sqlite3_column_int64(s, 3),
		    sqlite3_column_text(s, 4));
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return out;
}

/* 1 when the zone's blocks describe its current version. */
static int
blocks_current(void)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int ok = 0;

	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM "
	    "zone_blocks b JOIN zones z ON z.id = b.zone_id WHERE z.name = "
	    "'b.test.' AND b.version_id = (SELECT max(id) FROM versions v "
	    "WHERE v.zone_id = z.id)", -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		ok = sqlite3_column_int(s, 0) == 1;
	sqlite3_finalize(s);
	sqlite3_close(db);
	return ok;
}

/* The zone's blocks and content digest in PATH, as hex, into OUT. */
static void
blocks_of(const char *path, char *out, size_t len)
{
	sqlite3 *db;
	sqlite3_stmt *s;

	out[0] = '\0';
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT hex(z.content_hash) "
	    "|| ' ' || hex(b.blocks) FROM zone_blocks b JOIN zones z ON z.id = "
	    "b.zone_id WHERE z.name = 'b.test.'", -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(out, len, "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
}

static void
exec_sql(const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* Import G into the database under test and into a fresh one: the same
 * records. Returns whether the import changed the zone. */
static struct store_import_result last;	/* of the store under test */

static int
import_and_compare(struct store *st, const struct gen *g)
{
	struct store_import_opts o;
	struct store_import_result r;
	struct store *fresh;
	char *text, *a, *b;
	size_t len;
	int changed;

	opts(&o);
	text = zone_text(g, &len);
	assert_int_equal(store_import_buffer(st, text, len, &o, &r), 0);
	changed = r.changed;
	last = r;
	unlink(freshpath);
	fresh = open_at(freshpath);
	assert_int_equal(store_import_buffer(fresh, text, len, &o, &r), 0);
	store_close(fresh);
	free(text);
	a = records_of(dbpath);
	b = records_of(freshpath);
	if (strcmp(a, b) != 0) {
		size_t k = 0, l = 0;

		while (a[k] == b[k])
			if (a[k++] == '\n')
				l = k;
		print_error("serial %u: first difference: [%.60s] != "
		    "[%.60s]\n", g->serial, a + l, b + l);
		fail();
	}
	free(a);
	free(b);
	return changed;
}

static void
test_edits(void **state)
{
	struct store *st;
	static struct gen g;
	int i;

	(void)state;
	gen_init(&g);
	st = open_at(dbpath);
	assert_true(import_and_compare(st, &g));
	assert_true(blocks_current());
	/* a few records here and there */
	g.serial++;
	g.a[5] = g.a[1500] = g.a[2999] = 7;
	assert_true(import_and_compare(st, &g));
	assert_true(blocks_current());
	/* exactly those: the set's order is the store's (a record out of
	 * place would be removed and added again) */
	assert_int_equal(last.added, 3);
	assert_int_equal(last.removed, 3);
	/* a TTL */
	g.serial++;
	g.ttl[42] = 60;
	assert_true(import_and_compare(st, &g));
	/* a whole run removed (several blocks' worth), then back, larger */
	g.serial++;
	for (i = 1000; i < 1700; i++)
		g.present[i] = 0;
	assert_true(import_and_compare(st, &g));
	assert_true(blocks_current());
	g.serial++;
	for (i = 1000; i < 1700; i++) {
		g.present[i] = 1;
		g.a[i] = 9;
	}
	assert_true(import_and_compare(st, &g));
	/* the first and the last hosts gone */
	g.serial++;
	g.present[0] = g.present[HOSTS - 1] = 0;
	assert_true(import_and_compare(st, &g));
	/* the serial alone, and the same records in another order: no
	 * change (a source's SOA serial counts for nothing) */
	g.serial++;
	assert_false(import_and_compare(st, &g));
	g.reverse = 1;
	assert_false(import_and_compare(st, &g));
	assert_true(blocks_current());
	/* another channel (SQL, published): the blocks are stale; the
	 * source's next change is merged (the zone is not its content), the
	 * one after reads the zone whole, is exact and keeps blocks again */
	exec_sql("UPDATE records SET ttl = 77 WHERE owner = 'h7.b.test.' "
	    "AND type = 1");
	{
		struct store_import_opts o;
		struct store_import_result r;

		opts(&o);
		o.origin = NULL;
		assert_int_equal(store_publish(st, &o, &r), 0);
	}
	assert_false(blocks_current());
	g.serial++;
	g.a[7] = 3;
	g.ttl[7] = 77;
	assert_true(import_and_compare(st, &g));
	assert_false(blocks_current());
	g.serial++;
	g.a[8] = 3;
	assert_true(import_and_compare(st, &g));
	assert_true(blocks_current());
	store_close(st);
	/* twelve versions here, one there: the same blocks, the same
	 * digest (the fresh database holds this text alone) */
	{
		static char here[1 << 20], there[1 << 20];

		blocks_of(dbpath, here, sizeof(here));
		blocks_of(freshpath, there, sizeof(there));
		assert_true(strlen(here) > 64 + 1 + 100 * 2);
		assert_string_equal(here, there);
	}
}

/* Random edits, a fixed seed: after each, the zone is the text (as a
 * fresh import of it), and at the end its blocks and digest are the fresh
 * import's, whatever blocks the history merged or split on the way. */
static void
test_random_edits(void **state)
{
	struct store *st;
	static struct gen g;
	static char here[1 << 20], there[1 << 20];
	uint32_t x = 20261129;
	int i, k, n, h;

	(void)state;
	unlink(dbpath);
	gen_init(&g);
	st = open_at(dbpath);
	assert_true(import_and_compare(st, &g));
	for (i = 0; i < 30; i++) {
		g.serial++;
		x = x * 1103515245 + 12345;
		n = 1 + (int)((x >> 8) % 40);
		for (k = 0; k < n; k++) {
			x = x * 1103515245 + 12345;
			h = (int)((x >> 8) % HOSTS);
			switch ((x >> 4) % 3) {
			case 0:
				g.present[h] = !g.present[h];
				break;
			case 1:
				g.a[h] = (unsigned char)(g.a[h] + 1);
				break;
			default:
				g.ttl[h] = g.ttl[h] == 300 ? 60 : 300;
			}
		}
		(void)import_and_compare(st, &g);
		assert_true(blocks_current());
	}
	store_close(st);
	blocks_of(dbpath, here, sizeof(here));
	blocks_of(freshpath, there, sizeof(there));
	assert_string_equal(here, there);
}

/* Only the blocks that changed are read: a row altered behind the
 * store's back (writer set: no trigger, no version) in a block the next
 * import does not touch stays altered; one in a block it touches is put
 * right. */
static void
test_reads_changed_only(void **state)
{
	struct store *st;
	struct store_import_opts o;
	struct store_import_result r;
	static struct gen g;
	char *text;
	size_t len;
	sqlite3 *db;
	sqlite3_stmt *s;
	int far = -1, near = -1;

	(void)state;
	unlink(dbpath);
	gen_init(&g);
	st = open_at(dbpath);
	opts(&o);
	text = zone_text(&g, &len);
	assert_int_equal(store_import_buffer(st, text, len, &o, &r), 0);
	free(text);
	exec_sql("UPDATE zones SET writer = 1; "
	    "UPDATE records SET ttl = 1 WHERE owner IN ('h999.b.test.', "
	    "'h21.b.test.') AND type = 16; UPDATE zones SET writer = 0");
	g.serial++;
	g.a[21] = 5;		/* h21's block */
	opts(&o);
	text = zone_text(&g, &len);
	assert_int_equal(store_import_buffer(st, text, len, &o, &r), 0);
	free(text);
	/* h21's A, and its TXT put right (removed at TTL 1, added back) */
	assert_int_equal(r.added, 2);
	assert_int_equal(r.removed, 2);
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT owner, ttl FROM "
	    "records WHERE type = 16 AND owner IN ('h999.b.test.', "
	    "'h21.b.test.')", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (strcmp((const char *)sqlite3_column_text(s, 0),
		    "h999.b.test.") == 0)
			far = sqlite3_column_int(s, 1);
		else
			near = sqlite3_column_int(s, 1);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	assert_int_equal(far, 1);	/* not read: its block's digest */
	assert_int_equal(near, 300);	/* read, and put right */
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edits),
		cmocka_unit_test(test_random_edits),
		cmocka_unit_test(test_reads_changed_only),
	};
	int ret;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(dbpath, sizeof(dbpath), "%s/blocks.db", dir);
	snprintf(freshpath, sizeof(freshpath), "%s/fresh.db", dir);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	if (unit_rmtree(dir) != 0)
		ret = 1;
	return ret;
}
