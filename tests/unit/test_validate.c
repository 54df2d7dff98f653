/*
 * test_validate.c -- the store's one validator (store/validate.c): each
 * rule refuses its failing case and accepts its passing one, per RR
 * (store_check_rr, the rdata forms) and per zone (an imported text, and
 * the same rules on the rows of a direct SQL edit).
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

static char dir[] = "/tmp/hp-test-validate.XXXXXX";
static char dbpath[256];

/* store_check_rr on zone t.test. with the given fields; the reason in
 * WHY. */
static char why[512];

static int
rr(const char *owner, int64_t type, int64_t rclass, int64_t ttl,
    const void *rd, size_t rdlen)
{
	why[0] = '\0';
	return store_check_rr("t.test.", owner, strlen(owner), type, rclass,
	    ttl, rd, rdlen, why, sizeof(why));
}

static int
rd(uint16_t type, const void *data, size_t len)
{
	return rr("x.t.test.", type, 1, 300, data, len);
}

static const uint8_t a4[] = { 192, 0, 2, 1 };
static const uint8_t name[] = "\2ns\1t\4test";	/* with its root byte */

static void
test_owner(void **state)
{
	(void)state;
	/* absolute */
	assert_int_equal(rr("www.t.test", 1, 1, 300, a4, 4), HP_EINVALID);
	assert_non_null(strstr(why, "write 'www.t.test.'"));
	assert_int_equal(rr("www.t.test.", 1, 1, 300, a4, 4), 0);
	/* lowercase, refused (not rewritten) */
	assert_int_equal(rr("WWW.t.test.", 1, 1, 300, a4, 4), HP_EINVALID);
	assert_non_null(strstr(why, "not lowercase: write 'www.t.test.'"));
	/* the row: uppercase, relative, outside the zone */
	assert_int_equal(rr("Bad.Example.org", 1, 1, 300, a4, 4),
	    HP_EINVALID);
	assert_non_null(strstr(why, "'Bad.Example.org'"));
	/* presentation form as libknot prints it: \098 is 'b' */
	assert_int_equal(rr("a\\098.t.test.", 1, 1, 300, a4, 4), HP_EINVALID);
	assert_non_null(strstr(why, "write 'ab.t.test.'"));
	assert_int_equal(rr("a\\032b.t.test.", 1, 1, 300, a4, 4), 0);
	/* a domain name at all */
	assert_int_equal(rr("a..t.test.", 1, 1, 300, a4, 4), HP_EINVALID);
	assert_int_equal(rr("", 1, 1, 300, a4, 4), HP_EINVALID);
	/* inside the zone, apex included */
	assert_int_equal(rr("www.example.org.", 1, 1, 300, a4, 4),
	    HP_EINVALID);
	assert_non_null(strstr(why, "outside the zone t.test."));
	assert_int_equal(rr("test.", 1, 1, 300, a4, 4), HP_EINVALID);
	assert_int_equal(rr("t.test.", 1, 1, 300, a4, 4), 0);
	assert_int_equal(rr("a.b.c.t.test.", 1, 1, 300, a4, 4), 0);
}

static void
test_type_class_ttl(void **state)
{
	(void)state;
	/* types: reserved 0, OPT, meta and query types refused */
	assert_int_equal(rr("t.test.", 0, 1, 300, "", 0), HP_EINVALID);
	assert_int_equal(rr("t.test.", 41, 1, 300, "", 0), HP_EINVALID);
	assert_int_equal(rr("t.test.", 250, 1, 300, "", 0), HP_EINVALID);
	assert_int_equal(rr("t.test.", 252, 1, 300, "", 0), HP_EINVALID);
	assert_int_equal(rr("t.test.", 65536, 1, 300, "", 0), HP_EINVALID);
	assert_int_equal(rr("t.test.", 127, 1, 300, "", 0), 0);
	/* RFC 3597: a type without a form is opaque, any length */
	assert_int_equal(rr("t.test.", 65534, 1, 300, "\x0a\0\0\1", 4), 0);
	assert_int_equal(rr("t.test.", 65534, 1, 300, "", 0), 0);
	/* class IN only */
	assert_int_equal(rr("t.test.", 1, 3, 300, a4, 4), HP_EINVALID);
	assert_non_null(strstr(why, "class 3 is not IN"));
	assert_int_equal(rr("t.test.", 1, 255, 300, a4, 4), HP_EINVALID);
	assert_int_equal(rr("t.test.", 1, 1, 300, a4, 4), 0);
	/* TTL 0..2^31-1 (RFC 2181 8) */
	assert_int_equal(rr("t.test.", 1, 1, 2147483648LL, a4, 4),
	    HP_EINVALID);
	assert_int_equal(rr("t.test.", 1, 1, -1, a4, 4), HP_EINVALID);
	assert_int_equal(rr("t.test.", 1, 1, 2147483647LL, a4, 4), 0);
	assert_int_equal(rr("t.test.", 1, 1, 0, a4, 4), 0);
}

static void
test_rdata(void **state)
{
	uint8_t buf[80], big[70000];

	(void)state;
	/* fixed lengths: the 3-octet A */
	assert_int_equal(rd(1, "\xc0\x00\x02", 3), HP_EINVALID);
	assert_string_equal(why, "rdata is 3 octets, A takes 4");
	assert_int_equal(rd(1, a4, 4), 0);
	assert_int_equal(rd(1, "\xc0\x00\x02\x01\x00", 5), HP_EINVALID);
	assert_int_equal(rd(28, buf, 15), HP_EINVALID);
	memset(buf, 0, 16);
	assert_int_equal(rd(28, buf, 16), 0);
	/* names: uncompressed, labels <= 63 */
	assert_int_equal(rd(2, "\xc0\x0c", 2), HP_EINVALID);
	assert_non_null(strstr(why, "malformed NS rdata"));
	assert_int_equal(rd(2, "\x40" "aaaa", 5), HP_EINVALID);
	assert_int_equal(rd(2, name, sizeof(name)), 0);
	assert_int_equal(rd(2, name, sizeof(name) - 1), HP_EINVALID);
	/* a field, then a name; nothing after the last field */
	memcpy(buf, "\0\x0a", 2);
	memcpy(buf + 2, name, sizeof(name));
	assert_int_equal(rd(15, buf, 2), HP_EINVALID);
	assert_int_equal(rd(15, buf, 2 + sizeof(name)), 0);
	buf[2 + sizeof(name)] = 7;
	assert_int_equal(rd(15, buf, 3 + sizeof(name)), HP_EINVALID);
	assert_non_null(strstr(why, "octets after the last field"));
	/* SOA: two names and 20 octets */
	memcpy(buf, name, sizeof(name));
	memcpy(buf + sizeof(name), name, sizeof(name));
	memset(buf + 2 * sizeof(name), 1, 20);
	assert_int_equal(rd(6, buf, 2 * sizeof(name) + 20), 0);
	assert_int_equal(rd(6, buf, 2 * sizeof(name) + 19), HP_EINVALID);
	assert_int_equal(rd(6, buf, 2 * sizeof(name) + 21), HP_EINVALID);
	/* TXT: one or more character-strings, none running past the end */
	assert_int_equal(rd(16, "", 0), HP_EINVALID);
	assert_int_equal(rd(16, "\x05" "abc", 4), HP_EINVALID);
	assert_int_equal(rd(16, "\x03" "abc\x00", 5), 0);
	/* HINFO: exactly two */
	assert_int_equal(rd(13, "\x02PC", 3), HP_EINVALID);
	assert_int_equal(rd(13, "\x02PC\x05Linux", 9), 0);
	/* CAA: flags, a tag of at least one octet, the value */
	assert_int_equal(rd(257, "\x00\x00", 2), HP_EINVALID);
	assert_int_equal(rd(257, "\x00\x05issueca", 9), 0);
	/* NSEC: a name and a well-formed bitmap */
	memcpy(buf, name, sizeof(name));
	memcpy(buf + sizeof(name), "\x00\x01\x40", 3);
	assert_int_equal(rd(47, buf, sizeof(name) + 3), 0);
	memcpy(buf + sizeof(name), "\x00\x21\x40", 3);	/* 33 octets */
	assert_int_equal(rd(47, buf, sizeof(name) + 3), HP_EINVALID);
	/* SVCB: parameters in increasing key order */
	memcpy(buf, "\x00\x01\x00", 3);		/* priority 1, target "." */
	memcpy(buf + 3, "\x00\x03\x00\x02\x20\xfb", 6);	/* port=8443 */
	assert_int_equal(rd(64, buf, 9), 0);
	memcpy(buf + 9, "\x00\x01\x00\x00", 4);	/* alpn after port */
	assert_int_equal(rd(64, buf, 13), HP_EINVALID);
	/* DS: key tag, algorithm, digest type, digest */
	assert_int_equal(rd(43, "\x30\x39\x0d", 3), HP_EINVALID);
	assert_int_equal(rd(43, "\x30\x39\x0d\x02\x01", 5), 0);
	/* at most 65535 octets */
	memset(big, 0, sizeof(big));
	assert_int_equal(rd(65534, big, sizeof(big)), HP_EINVALID);
	assert_int_equal(rd(65534, big, 65535), 0);
}

/* ---- the zone rules, on an imported text --------------------------- */

struct problems {
	int n;
	char text[1024];
};

static void
on_problem(void *arg, const struct hp_problem *p)
{
	struct problems *ps = arg;
	size_t len = strlen(ps->text);

	if (p->warning)
		return;
	ps->n++;
	snprintf(ps->text + len, sizeof(ps->text) - len, "%s|", p->text);
}

static struct store *
open_store(void)
{
	struct store *st = NULL;
	char err[256];

	assert_int_equal(store_open(dbpath, STORE_CREATE, &st, err,
	    sizeof(err)), 0);
	return st;
}

#define HEAD "$ORIGIN t.test.\n$TTL 300\n@ SOA ns h 1 1 2 3 4\n@ NS ns\n" \
	"ns A 192.0.2.1\n"

/* Import TEXT into t.test: the status; the problems in PS. */
static int
import(struct store *st, const char *text, struct problems *ps)
{
	struct store_import_opts o;
	struct store_import_result r;

	memset(&o, 0, sizeof(o));
	memset(ps, 0, sizeof(*ps));
	o.zone = "t.test";
	o.serial_policy = SERIAL_POLICY_INCREMENT;
	o.mode = STORE_REPLACE;
	o.problem = on_problem;
	o.problem_arg = ps;
	return store_import_buffer(st, text, strlen(text), &o, &r);
}

static void
test_zone_rules(void **state)
{
	struct store *st = open_store();
	struct problems ps;

	(void)state;
	/* one SOA, at the apex */
	assert_int_equal(import(st, HEAD "@ SOA ns h 2 1 2 3 4\n", &ps),
	    HP_EINVALID);
	assert_non_null(strstr(ps.text, "second SOA"));
	assert_int_equal(import(st, HEAD "sub SOA ns h 2 1 2 3 4\n", &ps),
	    HP_EINVALID);
	assert_non_null(strstr(ps.text, "not at the apex"));
	assert_int_equal(import(st, "$ORIGIN t.test.\n@ 300 NS ns\n", &ps),
	    HP_EINVALID);
	assert_non_null(strstr(ps.text, "no SOA record at the apex"));
	/* NS at the apex */
	assert_int_equal(import(st, "$ORIGIN t.test.\n@ 300 SOA ns h 1 1 2 3 "
	    "4\nsub 300 NS ns\n", &ps), HP_EINVALID);
	assert_non_null(strstr(ps.text, "no NS record at the apex"));
	/* CNAME alone (RRSIG/NSEC aside), once */
	assert_int_equal(import(st, HEAD "www CNAME ns\nwww A 192.0.2.2\n",
	    &ps), HP_EINVALID);
	assert_non_null(strstr(ps.text, "CNAME beside other data"));
	assert_int_equal(import(st, HEAD "www CNAME ns\nwww CNAME a\n", &ps),
	    HP_EINVALID);
	assert_non_null(strstr(ps.text, "more than one CNAME"));
	assert_int_equal(import(st, HEAD "@ CNAME ns\n", &ps), HP_EINVALID);
	/* DNAME: once per owner, nothing below it */
	assert_int_equal(import(st, HEAD "d DNAME a.example.\n"
	    "d DNAME b.example.\n", &ps), HP_EINVALID);
	assert_non_null(strstr(ps.text, "more than one DNAME"));
	assert_int_equal(import(st, HEAD "d DNAME a.example.\n"
	    "x.y.d A 192.0.2.3\n", &ps), HP_EINVALID);
	assert_non_null(strstr(ps.text, "x.y.d.t.test.: below the DNAME at "
	    "d.t.test."));
	assert_int_equal(import(st, HEAD "d CNAME a.example.\n"
	    "d DNAME b.example.\n", &ps), HP_EINVALID);
	/* each of these as it should be */
	assert_int_equal(import(st, HEAD "www CNAME ns\nd DNAME a.example.\n"
	    "dd A 192.0.2.3\nd TXT \"beside a DNAME\"\nx.e A 192.0.2.4\n",
	    &ps), 0);
	assert_int_equal(ps.n, 0);
	/* per RR, in the text too: a generic A of 3 octets */
	assert_int_equal(import(st, HEAD "bad TYPE1 \\# 3 C00002\n", &ps),
	    HP_EPARSE);
	assert_non_null(strstr(ps.text, "rdata is 3 octets, A takes 4"));
	store_close(st);
}

/* ---- the same rules on direct SQL edits ----------------------------- */

static void
sql(const char *text)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, text, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* Publish the edits of t.test: the status, the problems in PS. */
static int
publish(struct store *st, struct problems *ps)
{
	struct store_import_opts o;
	struct store_import_result r;

	memset(&o, 0, sizeof(o));
	memset(ps, 0, sizeof(*ps));
	o.zone = "t.test";
	o.problem = on_problem;
	o.problem_arg = ps;
	return store_publish(st, &o, &r);
}

#define ADD(owner, type, rdata) "INSERT INTO records(zone_id, owner, " \
	"type, class, ttl, rdata) SELECT id, '" owner "', " type ", 1, 300, " \
	rdata " FROM zones WHERE name = 't.test.';"

static void
test_sql_rules(void **state)
{
	struct store *st = open_store();
	struct store_zone_info zi;
	struct store_import_result r;
	struct problems ps;

	(void)state;
	/* each bad row named, the zone held, the rows restored */
	sql(ADD("bad.t.test.", "1", "X'C00002'")
	    ADD("Bad.Example.org", "1", "X'C0000202'")
	    ADD("txt.t.test.", "16", "'text'"));
	assert_int_equal(publish(st, &ps), HP_EINVALID);
	assert_int_equal(ps.n, 3);	/* each row */
	assert_non_null(strstr(ps.text, "bad.t.test. A: rdata is 3 octets"));
	assert_non_null(strstr(ps.text, "Bad.Example.org A: owner"));
	assert_non_null(strstr(ps.text, "txt.t.test. TXT: rdata is not a "
	    "BLOB"));
	assert_int_equal(store_zone_info(st, "t.test", &zi), 0);
	assert_int_equal(zi.held, 1);
	assert_int_equal(zi.held_mark, zi.pending_mark);
	assert_non_null(strstr(zi.held_why, "rdata is 3 octets"));
	assert_int_equal(store_discard(st, "t.test", &r), 0);
	assert_int_equal(r.removed, 3);
	assert_int_equal(store_zone_info(st, "t.test", &zi), 0);
	assert_int_equal(zi.held, 0);
	assert_int_equal(zi.dirty, 0);
	assert_int_equal(store_discard(st, "t.test", &r), HP_EUNCHANGED);
	/* zone rules where the edits are: CNAME beside data */
	sql(ADD("www.t.test.", "1", "X'C0000209'"));
	assert_int_equal(publish(st, &ps), HP_EINVALID);
	assert_non_null(strstr(ps.text, "www.t.test.: CNAME beside other "
	    "data"));
	assert_int_equal(store_discard(st, "t.test", &r), 0);
	/* below a DNAME (d.t.test. has one) */
	sql(ADD("z.d.t.test.", "1", "X'C0000209'"));
	assert_int_equal(publish(st, &ps), HP_EINVALID);
	assert_non_null(strstr(ps.text, "below the DNAME at d.t.test."));
	assert_int_equal(store_discard(st, "t.test", &r), 0);
	/* a DNAME above existing names (x.e.t.test.) */
	sql(ADD("e.t.test.", "39", "X'016100'"));
	assert_int_equal(publish(st, &ps), HP_EINVALID);
	assert_non_null(strstr(ps.text, "x.e.t.test.: below the DNAME at "
	    "e.t.test."));
	assert_int_equal(store_discard(st, "t.test", &r), 0);
	/* the apex: the SOA removed, the NS removed */
	sql("DELETE FROM records WHERE type = 6");
	assert_int_equal(publish(st, &ps), HP_EINVALID);
	assert_non_null(strstr(ps.text, "no SOA record at the apex"));
	assert_int_equal(store_discard(st, "t.test", &r), 0);
	assert_int_equal(r.added, 1);	/* the SOA, back */
	sql("DELETE FROM records WHERE type = 2 AND owner = 't.test.'");
	assert_int_equal(publish(st, &ps), HP_EINVALID);
	assert_non_null(strstr(ps.text, "no NS record at the apex"));
	assert_int_equal(store_discard(st, "t.test", &r), 0);
	/* and a good edit is published */
	sql(ADD("good.t.test.", "1", "X'C0000209'"));
	assert_int_equal(publish(st, &ps), 0);
	assert_int_equal(store_zone_info(st, "t.test", &zi), 0);
	assert_int_equal(zi.held, 0);
	assert_int_equal(zi.dirty, 0);
	store_close(st);
}

static int
setup(void **state)
{
	*state = dir;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(dbpath, sizeof(dbpath), "%s/v.db", dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_owner),
		cmocka_unit_test(test_type_class_ttl),
		cmocka_unit_test(test_rdata),
		cmocka_unit_test(test_zone_rules),
		cmocka_unit_test(test_sql_rules),
	};

	return cmocka_run_group_tests(tests, setup, unit_tmp_teardown);
}
