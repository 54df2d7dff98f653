/*
 * test_xfrcache.c -- store/xfrcache.c: AXFR messages built whole and from
 * the version before. After each change the cached messages must hold
 * exactly the zone's records in order (the SOA first and last), whether
 * the build was incremental (asserted where the change is small) or
 * whole (asserted where it is not).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/log.h"
#include "dns/pkt.h"
#include "dns/wire.h"
#include "store/store.h"
#include "store/xfrcache.h"

static char dir[] = "/tmp/test_xfrcache.XXXXXX";
static char dbpath[256];
static struct store *rst, *wst;
static unsigned serial = 1;

/* A growable byte string. */
struct bytes {
	uint8_t *p;
	size_t len, cap;
};

static void
put(struct bytes *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		assert_non_null(b->p = realloc(b->p, b->cap));
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* One RR in a form both sides can make: owner (wire, lowercase), type,
 * class, TTL, RDATA (names uncompressed). */
static void
put_rr(struct bytes *b, const uint8_t *owner, uint16_t type, uint16_t rclass,
    uint32_t ttl, const uint8_t *rd, size_t rdlen)
{
	uint8_t fixed[10];

	put(b, owner, (size_t)dname_wire_len(owner, DNAME_MAXLEN));
	wire_write_u16(fixed, type);
	wire_write_u16(fixed + 2, rclass);
	wire_write_u32(fixed + 4, ttl);
	wire_write_u16(fixed + 8, (uint16_t)rdlen);
	put(b, fixed, sizeof(fixed));
	put(b, rd, rdlen);
}

static int
expect_rr(const struct store_rr *rr, void *arg)
{
	uint8_t owner[DNAME_MAXLEN];

	assert_int_equal(dname_from_str(rr->owner, owner, NULL), 0);
	put_rr(arg, owner, rr->type, rr->rclass, rr->ttl, rr->rdata,
	    rr->rdlen);
	return 0;
}

/* The zone as an AXFR must send it: the SOA, the others, the SOA. */
static void
expected(struct bytes *b, int64_t zone_id)
{
	struct bytes soa = { 0 };
	size_t first;

	assert_int_equal(store_foreach_rr(rst, zone_id, expect_rr, b), 0);
	/* The first RR is the SOA: once more at the end. */
	first = (size_t)dname_wire_len(b->p, DNAME_MAXLEN) + 10;
	first += wire_read_u16(b->p + first - 2);
	put(&soa, b->p, first);
	put(b, soa.p, soa.len);
	free(soa.p);
}

/* What the cache holds for the current version, RR by RR; its messages
 * in *MSGS. */
static void
cached(struct bytes *b, int *msgs)
{
	static uint8_t buf[65535], rd[65535];
	struct store_zone_info zi;
	struct xfrc_reader *r;
	struct pkt p;
	struct pkt_iter it;
	struct pkt_rr rr;
	size_t len, rdlen;
	int c, ret;

	*msgs = 0;
	assert_int_equal(store_snapshot_begin(rst), 0);
	assert_int_equal(store_zone_info(rst, "x.test", &zi), 0);
	assert_int_equal(xfrc_open(rst, &zi, &r, &c), 0);
	assert_int_equal(c, 1);
	while ((ret = xfrc_next(r, buf, sizeof(buf), &len)) == 1) {
		assert_true(len <= XFRC_MSG_MAX);
		assert_int_equal(pkt_parse(&p, buf, len), 0);
		pkt_iter_init(&it, &p, PKT_ANSWER);
		while (pkt_iter_next(&it, &rr) == 1) {
			assert_int_equal(pkt_rdata_expand(&p, &rr, rd,
			    sizeof(rd), &rdlen), 0);
			dname_lower(rr.owner);
			put_rr(b, rr.owner, rr.type, rr.rclass, rr.ttl, rd,
			    rdlen);
		}
		(*msgs)++;
	}
	assert_int_equal(ret, 0);
	xfrc_close(r);
	store_snapshot_end(rst);
}

/*
 * Publish the next version: hosts FROM..TO-1 (TXT and MX each, the MX
 * naming a host: names in RDATA), without the hosts SKIP_LO..SKIP_HI-1,
 * plus the text EXTRA. Then build its cache as the daemon does and check
 * it against the records; INCREMENTAL: -1 either, else what it must be.
 */
static void
step(int from, int to, int skip_lo, int skip_hi, const char *extra,
    int incremental)
{
	struct store_import_opts o = { .zone = "x.test", .source = "test" };
	struct store_import_result res;
	struct xfrc_build_stats bs;
	struct store_zone_info zi;
	struct bytes want = { 0 }, got = { 0 };
	size_t len = 0, cap = 8 << 20;
	char *t;
	int i, msgs;

	assert_non_null(t = malloc(cap));
	len = (size_t)snprintf(t, cap, "$ORIGIN x.test.\n$TTL 300\n"
	    "@ SOA ns1 host %u 7200 3600 1209600 300\n@ NS ns1\n"
	    "ns1 A 192.0.2.1\n%s", serial++, extra);
	for (i = from; i < to; i++)
		if (i < skip_lo || i >= skip_hi)
			len += (size_t)snprintf(t + len, cap - len,
			    "h%05d TXT \"text of host number %d\"\n"
			    "h%05d MX 10 mail.h%05d\n", i, i, i, (i * 7) % to);
	assert_int_equal(store_import_buffer(wst, t, len, &o, &res), 0);
	free(t);
	assert_int_equal(xfrc_build(rst, wst, "x.test.", 1 << 20, NULL, &bs),
	    1);
	if (incremental >= 0)
		assert_int_equal(bs.incremental, incremental);
	assert_int_equal(store_zone_info(rst, "x.test", &zi), 0);
	assert_int_equal(bs.version_id, zi.version_id);
	expected(&want, zi.id);
	cached(&got, &msgs);
	assert_int_equal(bs.msgs, (uint64_t)msgs);
	assert_int_equal(bs.rrs, zi.records + 1);
	assert_int_equal(got.len, want.len);
	assert_memory_equal(got.p, want.p, want.len);
	free(want.p);
	free(got.p);
}

/* The host number whose record starts the cached message SEQ of the
 * current version (SQL of the test's own). */
static int
host_starting(int seq)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int host = -1;

	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT m.owner FROM "
	    "axfr_cache c JOIN axfr_msgs m ON m.id = c.msg_id JOIN "
	    "axfr_cache_done d ON d.zone_id = c.zone_id AND d.version_id = "
	    "c.version_id WHERE c.seq = ?", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_int(s, 1, seq);
	if (sqlite3_step(s) == SQLITE_ROW)
		assert_int_equal(sscanf((const char *)sqlite3_column_text(s,
		    0), "h%d.", &host), 1);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return host;
}

static int
setup(void **state)
{
	char err[256];

	(void)state;
	log_open("test_xfrcache", 0, "/dev/null");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(dbpath, sizeof(dbpath), "%s/hp.db", dir);
	if (store_open(dbpath, STORE_CREATE, &wst, err, sizeof(err)) < 0 ||
	    store_open(dbpath, STORE_READONLY, &rst, err, sizeof(err)) < 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[300];

	(void)state;
	store_close(rst);
	store_close(wst);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_whole_then_incremental(void **state)
{
	static char many[64 << 10];
	size_t n = 0;
	int i;

	(void)state;
	/* 20,000 hosts: about 40 messages, built whole. */
	step(0, 20000, 0, 0, "", 0);
	/* Before everything, after everything, in the middle. */
	step(0, 20000, 0, 0, "0first A 192.0.2.9\n", 1);
	step(0, 20000, 0, 0, "0first A 192.0.2.9\nzzz A 192.0.2.10\n", 1);
	step(0, 20000, 7000, 7001, "0first A 192.0.2.9\nzzz A 192.0.2.10\n",
	    1);
	/* A message's worth more in one place (a run overflows). */
	for (i = 0; i < 800; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n,
		    "h07000x%03d TXT \"added to a run of its own %d\"\n", i, i);
	step(0, 20000, 7000, 7001, many, 1);
	/* A part of the zone gone: messages empty, their range dropped. */
	step(0, 20000, 3000, 5000, many, 1);
	/* Back to the whole zone, less the last hosts, and a version made
	 * of another: too many changes, a whole build. */
	step(0, 20000, 0, 0, "", -1);
	step(0, 12000, 0, 0, "", 0);
	/* Many small builds in a row stay correct. */
	for (i = 0; i < 12; i++)
		step(0, 12000, 100 * i, 100 * i + 1, "", 1);
	/* The very record a message starts with removed (its host), then
	 * put back. */
	assert_true((i = host_starting(5)) > 1200);
	step(0, 12000, i, i + 1, "", 1);
	step(0, 12000, 0, 0, "", 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_then_incremental),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
