/*
 * test_store.c -- the store API directly: buffer import, unchanged
 * detection, journal walk for IXFR, ENOJOURNAL, errors reported as
 * structured problems, a version published again from its rows, the
 * secondaries ledger, what /metrics reads.
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
#include "store/deliveries.h"
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
}

/* Problems as the import reports them: how many, the first of each
 * kind's place and text. */
struct problems {
	int n, warnings;
	char file[64];
	unsigned line;
	char text[256];
};

static void
on_problem(void *arg, const struct hp_problem *p)
{
	struct problems *ps = arg;

	if (p->warning)
		ps->warnings++;
	if (ps->n++ > 0)
		return;
	snprintf(ps->file, sizeof(ps->file), "%s", p->file ? p->file : "");
	ps->line = p->line;
	snprintf(ps->text, sizeof(ps->text), "%s", p->text);
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
	struct problems ps;
	char line[512];

	(void)state;
	opts(&o);
	o.problem = on_problem;
	o.problem_arg = &ps;
	o.filename = "in.zone";
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(store_import_buffer(st, incl, strlen(incl), &o, &r),
	    HP_EPARSE);
	/* The $INCLUDE, at its place, then the closing line. */
	assert_int_equal(ps.n, 2);
	assert_string_equal(ps.file, "in.zone");
	assert_int_equal(ps.line, 4);
	assert_non_null(strstr(ps.text, "$INCLUDE is not allowed here"));
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(store_import_buffer(st, two, strlen(two), &o, &r),
	    HP_EINVALID);
	assert_int_equal(r.errors, 1);
	assert_int_equal(ps.line, 3);
	assert_non_null(strstr(ps.text, "second SOA record"));
	assert_string_equal(hp_problem_str(&(struct hp_problem){ ps.file,
	    ps.line, 0, ps.text }, line, sizeof(line)), "in.zone:3: second "
	    "SOA record at t.test. (a zone has exactly one)");
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(store_import_buffer(st, "", 0, &o, &r), HP_EINVALID);
	assert_non_null(strstr(ps.text, "empty zone file"));
	assert_int_equal(store_zone_info(st, "t.test", &zi), 0);
	assert_int_equal(zi.serial, 11);	/* from the test before */
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

/* The RRs of a version as one string, in the order the store walks them. */
struct dump {
	char buf[2048];
	size_t len;
};

static int
on_dump(const struct store_rr *rr, void *arg)
{
	struct dump *d = arg;
	size_t i;

	d->len += (size_t)snprintf(d->buf + d->len, sizeof(d->buf) - d->len,
	    "%s %u %u %u ", rr->owner, rr->type, rr->rclass, rr->ttl);
	for (i = 0; i < rr->rdlen && d->len + 3 < sizeof(d->buf); i++)
		d->len += (size_t)snprintf(d->buf + d->len,
		    sizeof(d->buf) - d->len, "%02x", rr->rdata[i]);
	if (d->len + 1 < sizeof(d->buf))
		d->buf[d->len++] = '\n';
	d->buf[d->len] = '\0';
	return 0;
}

static int
last_source(const struct store_version *v, void *arg)
{
	snprintf(arg, 32, "%s", v->source);
	return 0;
}

/* Rollback: version 10 published again from its rows, serial forward. */
static void
test_republish(void **state)
{
	struct store *st = open_store();
	struct store_import_opts o;
	struct store_import_result r;
	struct store_zone_info zi;
	struct dump old, now;
	char source[32];

	(void)state;
	opts(&o);
	o.source = "rollback";
	assert_int_equal(store_zone_info(st, "t.test", &zi), 0);
	memset(&old, 0, sizeof(old));
	assert_int_equal(store_foreach_rr_at(st, zi.id, 10, on_dump, &old), 0);
	assert_int_equal(store_republish(st, 10, &o, &r), 0);
	assert_int_equal(r.changed, 1);
	assert_int_equal(r.old_serial, 11);
	assert_int_equal(r.new_serial, 12);
	assert_int_equal(r.added, 1);
	assert_int_equal(r.removed, 2);
	assert_int_equal(r.records, 4);
	assert_int_equal(store_version_list(st, zi.id, last_source, source), 0);
	assert_string_equal(source, "rollback");
	/* The same RRs as version 10, but for the SOA's serial. */
	memset(&now, 0, sizeof(now));
	assert_int_equal(store_foreach_rr(st, zi.id, on_dump, &now), 0);
	assert_int_equal(now.len, old.len);
	assert_memory_not_equal(now.buf, old.buf, old.len);
	assert_int_equal(strcmp(strchr(now.buf, '\n'), strchr(old.buf, '\n')),
	    0);
	/* Again: the content is current already. */
	assert_int_equal(store_republish(st, 10, &o, &r), 0);
	assert_int_equal(r.changed, 0);
	assert_int_equal(r.new_serial, 12);
	assert_int_equal(store_republish(st, 9, &o, &r), HP_ENOJOURNAL);
	o.zone = "none.test";
	assert_int_equal(store_republish(st, 10, &o, &r), HP_ENOENT);
	store_close(st);
}

struct rows {
	int n;
	char line[4][160];
};

static int
on_sec(const struct store_secondary *s, void *arg)
{
	struct rows *rs = arg;

	if (rs->n < 4)
		snprintf(rs->line[rs->n], sizeof(rs->line[0]), "%s %u %s %lld "
		    "%lld %lld %lld %lld %lld", s->zone, s->zone_serial,
		    s->address, (long long)s->serial, (long long)s->since,
		    (long long)s->notify_serial, (long long)s->notify_sent,
		    (long long)s->notify_acked, (long long)s->last_xfr);
	rs->n++;
	return 0;
}

static int
on_zone_stat(const struct store_zone_stat *z, void *arg)
{
	snprintf(arg, 64, "%s %u %llu", z->zone, z->serial,
	    (unsigned long long)z->versions);
	return 0;
}

static int
on_source(const char *source, uint64_t n, void *arg)
{
	size_t len = strlen(arg);

	snprintf((char *)arg + len, 64 - len, "%s=%llu ", source,
	    (unsigned long long)n);
	return 0;
}

/* The ledger: events recorded in one transaction, read back. */
static void
test_ledger(void **state)
{
	struct store *st = open_store();
	struct store_zone_info zi;
	struct store_sec_record ev[4];
	struct rows rs;
	char zline[64], sources[64] = "";
	uint32_t serial = 0;
	uint64_t n = 0;

	(void)state;
	assert_int_equal(store_zone_info(st, "t.test", &zi), 0);
	memset(ev, 0, sizeof(ev));
	ev[0] = (struct store_sec_record){ STORE_SEC_NOTIFY_SENT, zi.id,
	    "192.0.2.53", 12, 1000 };
	ev[1] = (struct store_sec_record){ STORE_SEC_NOTIFY_ACKED, zi.id,
	    "192.0.2.53", 12, 1001 };
	ev[2] = (struct store_sec_record){ STORE_SEC_XFR, zi.id,
	    "192.0.2.53", 12, 1002 };
	ev[3] = (struct store_sec_record){ STORE_SEC_NOTIFY_SENT, zi.id,
	    "2001:db8::53", 12, 1003 };
	assert_int_equal(store_sec_record(st, ev, 4), 0);
	assert_int_equal(store_sec_serial(st, "t.test.", "192.0.2.53",
	    &serial), 1);
	assert_int_equal(serial, 12);
	assert_int_equal(store_sec_serial(st, "t.test.", "2001:db8::53",
	    &serial), 0);
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(store_sec_list(st, NULL, on_sec, &rs), 0);
	assert_int_equal(rs.n, 2);
	assert_string_equal(rs.line[0], "t.test. 12 192.0.2.53 12 1002 12 "
	    "1000 1001 1002");
	assert_string_equal(rs.line[1], "t.test. 12 2001:db8::53 -1 -1 12 "
	    "1003 -1 -1");
	/* An IXFR request says it has 11: since moves. */
	ev[0] = (struct store_sec_record){ STORE_SEC_HAS, zi.id,
	    "192.0.2.53", 11, 1010 };
	assert_int_equal(store_sec_record(st, ev, 1), 0);
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(store_sec_list(st, "t.test.", on_sec, &rs), 0);
	assert_string_equal(rs.line[0], "t.test. 12 192.0.2.53 11 1010 12 "
	    "1000 1001 1002");
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(store_sec_list(st, "other.test.", on_sec, &rs), 0);
	assert_int_equal(rs.n, 0);
	/* What /metrics reads. */
	assert_int_equal(store_stat_zone_count(st, &n), 0);
	assert_int_equal(n, 2);		/* t.test, b.test */
	assert_int_equal(store_stat_zones(st, on_zone_stat, zline), 0);
	assert_string_equal(zline, "t.test. 12 3");
	assert_int_equal(store_stat_sources(st, on_source, sources), 0);
	assert_string_equal(sources, "file=4 rollback=1 ");
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

/* A text that must name its zone (own_origin: authenticated only by a
 * signature): $ORIGIN or absolute names pass; a relative owner, or a
 * relative name in RDATA, is refused, and said once. */
static void
test_own_origin(void **state)
{
	static const char rel[] =
	    "$TTL 300\n@ SOA ns h 10 1 2 3 4\n@ NS ns\nns A 192.0.2.1\n"
	    "www A 192.0.2.2\n";
	static const char abs_owner_rel_rdata[] =
	    "$TTL 300\nt.test. SOA ns.t.test. h.t.test. 10 1 2 3 4\n"
	    "t.test. NS ns\nns.t.test. A 192.0.2.1\n";
	static const char absolute[] =
	    "$TTL 300\nt.test. SOA ns.t.test. h.t.test. 10 1 2 3 4\n"
	    "t.test. NS ns.t.test.\nns.t.test. A 192.0.2.1\n"
	    "x.t.test. MX 10 mail.other.test.\n";
	struct store_import_opts o;
	struct store_import_result res;
	struct problems ps;
	struct store *st = open_store();

	(void)state;
	opts(&o);
	o.zone = "own.t.test";	/* a zone of its own: t.test's is kept */
	o.own_origin = 1;
	o.problem = on_problem;
	o.problem_arg = &ps;
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(store_import_buffer(st, rel, strlen(rel), &o, &res),
	    HP_EPARSE);
	assert_int_equal(ps.n, 2);	/* said once, then the summary */
	assert_non_null(strstr(ps.text, "must name its zone"));
	memset(&ps, 0, sizeof(ps));
	o.zone = "t.test";
	assert_int_equal(store_import_buffer(st, abs_owner_rel_rdata,
	    strlen(abs_owner_rel_rdata), &o, &res), HP_EPARSE);
	assert_int_equal(ps.line, 3);	/* the NS's target */
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(store_import_buffer(st, absolute, strlen(absolute),
	    &o, &res), 0);
	assert_int_equal(store_import_buffer(st, zone1, strlen(zone1), &o,
	    &res), 0);
	/* Named for t.test, refused for another zone. */
	o.zone = "u.test";
	assert_true(store_import_buffer(st, zone1, strlen(zone1), &o,
	    &res) < 0);
	store_close(st);
}

/* Webhook delivery ids: seen once recorded, forgotten after KEEP. */
static void
test_deliveries(void **state)
{
	struct store *st = open_store();

	(void)state;
	assert_int_equal(store_delivery_seen(st, "d-1", 0), 0);
	assert_int_equal(store_delivery_add(st, "d-1", "t.test.", 1000,
	    86400), 0);
	assert_int_equal(store_delivery_seen(st, "d-1", 1000 - 86400), 1);
	assert_int_equal(store_delivery_seen(st, "d-1", 1001), 0);
	assert_int_equal(store_delivery_seen(st, "d-2", 0), 0);
	/* a day later, the next one prunes the first */
	assert_int_equal(store_delivery_add(st, "d-2", "t.test.",
	    1000 + 86401, 86400), 0);
	assert_int_equal(store_delivery_seen(st, "d-1", 0), 0);
	assert_int_equal(store_delivery_seen(st, "d-2", 0), 1);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_import_and_journal),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_bulk),
		cmocka_unit_test(test_republish),
		cmocka_unit_test(test_ledger),
		cmocka_unit_test(test_not_a_db),
		cmocka_unit_test(test_own_origin),
		cmocka_unit_test(test_deliveries),
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
