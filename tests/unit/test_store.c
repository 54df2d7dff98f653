/*
 * test_store.c -- the store API directly: buffer import, unchanged
 * detection, journal walk for IXFR, ENOJOURNAL, errors reported as
 * structured problems, a version published again from its rows, the
 * secondaries ledger, what /metrics reads; sources merged (each one's
 * own change applied, other channels' edits kept, conflicts, replace,
 * rollbacks), max-delete and dry runs.
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

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/serial.h"
#include "dns/update.h"
#include "dns/wire.h"
#include "store/deliveries.h"
#include "store/store.h"
#include "unit_tmp.h"

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
	char line[4][1200];
};

static int
on_sec(const struct store_secondary *s, void *arg)
{
	struct rows *rs = arg;

	if (rs->n < 4)
		snprintf(rs->line[rs->n], sizeof(rs->line[0]), "%s %u %s %lld "
		    "%lld %lld %s [%s] %s %lld %lld %lld %lld %lld %lld %lld "
		    "[%s]", s->zone, s->zone_serial, s->target,
		    (long long)s->serial, (long long)s->since,
		    (long long)s->probed, s->state, s->reason, s->xfr_kind,
		    (long long)s->xfr_serial, (long long)s->xfr_bytes,
		    (long long)s->xfr_time, (long long)s->xfr_first,
		    (long long)s->notify_serial, (long long)s->notify_sent,
		    (long long)s->notify_acked, s->notify_error);
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

/* A ledger record of EVENT for TARGET of ZONE_ID. */
static struct store_sec_record
sec_ev(enum store_sec_event event, int64_t zone_id, const char *target,
    uint32_t serial, int64_t when)
{
	struct store_sec_record r;

	memset(&r, 0, sizeof(r));
	r.event = event;
	r.zone_id = zone_id;
	snprintf(r.target, sizeof(r.target), "%s", target);
	r.serial = serial;
	r.when = when;
	return r;
}

/* The ledger: events recorded in one transaction, read back; the serial
 * a secondary serves is only what a probe recorded. */
static void
test_ledger(void **state)
{
	struct store *st = open_store();
	struct store_zone_info zi;
	struct store_sec_record ev[5];
	struct store_secondary one;
	struct rows rs;
	char zline[64], sources[64] = "";
	uint64_t n = 0;
	int removed;

	(void)state;
	assert_int_equal(store_zone_info(st, "t.test", &zi), 0);
	ev[0] = sec_ev(STORE_SEC_NOTIFY_SENT, zi.id, "192.0.2.53@53", 12,
	    1000);
	ev[1] = sec_ev(STORE_SEC_NOTIFY_ACKED, zi.id, "192.0.2.53@53", 12,
	    1001);
	ev[2] = sec_ev(STORE_SEC_XFR, zi.id, "192.0.2.53@53", 12, 1002);
	snprintf(ev[2].kind, sizeof(ev[2].kind), "IXFR");
	ev[2].bytes = 345;
	ev[2].first = 1002;
	ev[3] = sec_ev(STORE_SEC_NOTIFY_FAILED, zi.id, "2001:db8::53@5353",
	    12, 1003);
	snprintf(ev[3].reason, sizeof(ev[3].reason), "answered NOTAUTH");
	ev[4] = sec_ev(STORE_SEC_NOTIFY_SENT, zi.id, "192.0.2.53@5300", 12,
	    1004);
	assert_int_equal(store_sec_record(st, ev, 5), 0);
	/* A transfer confirms nothing: no serial, state unknown. */
	assert_int_equal(store_sec_get(st, "t.test.", "192.0.2.53@53", &one),
	    1);
	assert_int_equal(one.serial, STORE_NONE);
	assert_string_equal(one.state, "unknown");
	assert_false(store_sec_has(&one, 12));
	assert_int_equal(store_sec_get(st, "t.test.", "192.0.2.9@53", &one),
	    0);
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(store_sec_list(st, NULL, on_sec, &rs), 0);
	assert_int_equal(rs.n, 3);
	assert_string_equal(rs.line[0], "t.test. 12 192.0.2.53@53 -1 -1 -1 "
	    "unknown [] IXFR 12 345 1002 1002 12 1000 1001 []");
	assert_string_equal(rs.line[1], "t.test. 12 192.0.2.53@5300 -1 -1 -1 "
	    "unknown []  -1 -1 -1 -1 12 1004 -1 []");
	assert_string_equal(rs.line[2], "t.test. 12 2001:db8::53@5353 -1 -1 "
	    "-1 unknown []  -1 -1 -1 -1 12 -1 -1 [answered NOTAUTH]");
	/* A probe: it serves 12. */
	ev[0] = sec_ev(STORE_SEC_PROBE, zi.id, "192.0.2.53@53", 12, 1010);
	ev[0].has_serial = 1;
	ev[0].since = 1010;
	snprintf(ev[0].state, sizeof(ev[0].state), "in-sync");
	assert_int_equal(store_sec_record(st, ev, 1), 0);
	assert_int_equal(store_sec_get(st, "t.test.", "192.0.2.53@53", &one),
	    1);
	assert_true(store_sec_has(&one, 12));
	assert_true(store_sec_has(&one, 11));
	assert_false(store_sec_has(&one, 13));
	assert_string_equal(one.state, "in-sync");
	assert_int_equal(one.probed, 1010);
	/* An event's verdict (when 0) keeps the last probe's time. */
	ev[0].when = 0;
	snprintf(ev[0].state, sizeof(ev[0].state), "stale");
	snprintf(ev[0].reason, sizeof(ev[0].reason), "transferred but not "
	    "serving");
	ev[0].serial = 11;
	assert_int_equal(store_sec_record(st, ev, 1), 0);
	assert_int_equal(store_sec_get(st, "t.test.", "192.0.2.53@53", &one),
	    1);
	assert_int_equal(one.probed, 1010);
	assert_int_equal(one.serial, 11);
	assert_string_equal(one.reason, "transferred but not serving");
	assert_true(store_sec_stale(&one, 12));	/* transferred 12 */
	assert_false(store_sec_stale(&one, 13));	/* not 13 */
	/* forget: one entry, then every port of an address */
	assert_int_equal(store_sec_forget(st, "2001:db8::53@5353", NULL,
	    &removed), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(store_sec_forget(st, "192.0.2.5", NULL, &removed),
	    0);
	assert_int_equal(removed, 0);		/* no prefix match */
	assert_int_equal(store_sec_forget(st, "192.0.2.53", "other.test.",
	    &removed), 0);
	assert_int_equal(removed, 0);
	assert_int_equal(store_sec_forget(st, "192.0.2.53", "t.test.",
	    &removed), 0);
	assert_int_equal(removed, 2);
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(store_sec_list(st, "t.test.", on_sec, &rs), 0);
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

/* ---- sources merged ------------------------------------------------- */

#define MHEAD "$ORIGIN m.test.\n$TTL 300\n@ SOA ns h 1 1 2 3 4\n@ NS ns\n" \
	"ns A 192.0.2.1\n"
#define M0 MHEAD "a A 192.0.2.10\nb A 192.0.2.11\nc A 192.0.2.12\n" \
	"d A 192.0.2.13\n"
#define M1 MHEAD "a A 192.0.2.20\nb A 192.0.2.11\nc A 192.0.2.12\n" \
	"d A 192.0.2.13\n"
#define M2 M1 "e A 192.0.2.14\n"
#define M3 MHEAD "a A 192.0.2.20\nc A 192.0.2.12\nd A 192.0.2.13\n" \
	"e A 192.0.2.14\n"
#define M4 M3 "f A 192.0.2.15\n"

static void
msql(const char *text)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, text, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static int
mimport(struct store *st, const char *text, struct store_import_opts *o,
    struct store_import_result *r)
{
	return store_import_buffer(st, text, strlen(text), o, r);
}

static void
mopts(struct store_import_opts *o, struct problems *ps)
{
	memset(o, 0, sizeof(*o));
	memset(ps, 0, sizeof(*ps));
	o->zone = "m.test";
	o->origin = "/srv/m.test.zone";
	o->serial_policy = SERIAL_POLICY_INCREMENT;
	o->problem = on_problem;
	o->problem_arg = ps;
}

/* 1 when the zone has OWNER (relative to m.test.) A 192.0.2.LAST with
 * TTL (0: any). */
static int
has(struct store *st, const char *owner, int last, unsigned ttl)
{
	struct store_zone_info zi;
	struct dump d;
	char want[96];
	const char *p;

	memset(&d, 0, sizeof(d));
	assert_int_equal(store_zone_info(st, "m.test", &zi), 0);
	assert_int_equal(store_foreach_rr(st, zi.id, on_dump, &d), 0);
	snprintf(want, sizeof(want), "\n%s.m.test. 1 1 ", owner);
	for (p = d.buf; (p = strstr(p, want)) != NULL; p++) {
		char tail[32];
		unsigned t;

		snprintf(tail, sizeof(tail), "c00002%02x\n", last);
		if (sscanf(p + strlen(want), "%u", &t) == 1 &&
		    (ttl == 0 || t == ttl) && strncmp(strchr(p + strlen(want),
		    ' ') + 1, tail, strlen(tail)) == 0)
			return 1;
	}
	return 0;
}

static int
count_row(void *arg, int ncol, char **val, char **name)
{
	(void)name;
	if (ncol == 1 && val[0] != NULL)
		*(int *)arg = atoi(val[0]);
	return 0;
}

static int
count_change(int op, const struct store_rr *rr, void *arg)
{
	int *n = arg;

	(void)rr;
	n[op ? 1 : 0]++;
	return 0;
}

static void
test_merge(void **state)
{
	struct store *st = open_store();
	struct store_import_opts o;
	struct store_import_result r;
	struct store_zone_info zi;
	struct problems ps;
	uint32_t s1, s3;
	int seen[2] = { 0, 0 }, i, n = 0;
	char origin[64];
	sqlite3 *db;

	(void)state;
	mopts(&o, &ps);
	/* the first import of a source replaces */
	assert_int_equal(mimport(st, M0, &o, &r), 0);
	assert_int_equal(r.new_zone, 1);
	assert_int_equal(r.replaced, 1);
	/* an SQL edit, then the source's own change: the edit stays */
	msql("INSERT INTO records(zone_id, owner, type, class, ttl, rdata) "
	    "SELECT id, 'x.m.test.', 1, 1, 300, X'C0000263' FROM zones "
	    "WHERE name = 'm.test.'");
	assert_int_equal(mimport(st, M1, &o, &r), 0);
	assert_int_equal(r.pending_published, 1);
	assert_int_equal(r.replaced, 0);
	assert_int_equal(r.conflicts, 0);
	assert_int_equal(r.removed, 1);
	assert_int_equal(r.added, 1);
	assert_true(has(st, "x", 0x63, 300));
	assert_true(has(st, "a", 20, 0));
	assert_false(has(st, "a", 10, 0));
	s1 = r.new_serial;
	/* unchanged: nothing at all */
	assert_int_equal(mimport(st, M1, &o, &r), 0);
	assert_int_equal(r.changed, 0);
	assert_int_equal(r.new_serial, s1);
	/* a change the zone has already: a conflict, no version */
	msql("INSERT INTO records(zone_id, owner, type, class, ttl, rdata) "
	    "SELECT id, 'e.m.test.', 1, 1, 300, X'C000020E' FROM zones "
	    "WHERE name = 'm.test.'; DELETE FROM records WHERE owner = "
	    "'b.m.test.'");
	assert_int_equal(mimport(st, M2, &o, &r), 0);
	assert_int_equal(r.pending_published, 1);
	assert_int_equal(r.conflicts, 1);
	assert_int_equal(ps.warnings, 1);
	assert_non_null(strstr(ps.text, "conflict: e.m.test."));
	assert_non_null(strstr(ps.text, "already in the zone"));
	/* removing what another channel removed already: a conflict too */
	mopts(&o, &ps);
	assert_int_equal(mimport(st, M3, &o, &r), 0);
	assert_int_equal(r.conflicts, 1);
	assert_non_null(strstr(ps.text, "no longer in the zone"));
	assert_int_equal(r.changed, 0);
	assert_true(has(st, "e", 14, 0));
	assert_false(has(st, "b", 11, 0));
	/* a rollback stays while the source is unchanged ... */
	memset(&o, 0, sizeof(o));
	o.zone = "m.test";
	o.source = "rollback";
	assert_int_equal(store_republish(st, s1, &o, &r), 0);
	assert_int_equal(r.changed, 1);
	s3 = r.new_serial;
	assert_true(has(st, "b", 11, 0));
	assert_false(has(st, "e", 14, 0));
	mopts(&o, &ps);
	assert_int_equal(mimport(st, M3, &o, &r), 0);
	assert_int_equal(r.changed, 0);
	assert_int_equal(r.new_serial, s3);
	assert_true(has(st, "b", 11, 0));
	/* ... and is replaced when it changes */
	assert_int_equal(mimport(st, M4, &o, &r), 0);
	assert_int_equal(r.changed, 1);
	assert_false(has(st, "b", 11, 0));
	assert_true(has(st, "e", 14, 0));
	assert_true(has(st, "f", 15, 0));
	assert_true(has(st, "x", 0x63, 0));	/* in the rolled back version */
	/* replace: the zone is the text, the SQL edit goes */
	o.mode = STORE_REPLACE;
	assert_int_equal(mimport(st, M4, &o, &r), 0);
	assert_int_equal(r.changed, 1);
	assert_int_equal(r.replaced, 1);
	assert_false(has(st, "x", 0x63, 0));
	/* a TTL the source changes; one an SQL edit changed stays */
	o.mode = STORE_MERGE;
	msql("UPDATE records SET ttl = 900 WHERE owner = 'c.m.test.'");
	assert_int_equal(mimport(st, MHEAD "a A 192.0.2.20\nc A 192.0.2.12\n"
	    "d 600 A 192.0.2.13\ne A 192.0.2.14\nf A 192.0.2.15\n", &o, &r),
	    0);
	assert_true(has(st, "d", 13, 600));
	assert_true(has(st, "c", 12, 900));
	/* max-delete: refused, with the counts; nothing changed */
	assert_int_equal(store_zone_info(st, "m.test", &zi), 0);
	o.guard = 1;
	o.max_delete = 50;	/* 5 of 8 is more */
	assert_int_equal(mimport(st, MHEAD, &o, &r), HP_EMAXDELETE);
	assert_int_equal(r.deleted, 5);
	assert_int_equal(r.records_before, 8);
	o.max_delete = 70;
	o.dry_run = 1;
	o.change_cb = count_change;
	o.change_arg = seen;
	assert_int_equal(mimport(st, MHEAD, &o, &r), 0);
	assert_int_equal(r.dry_run, 1);
	assert_int_equal(r.changed, 1);
	assert_int_equal(seen[0], 6);	/* the old SOA and 5 RRs */
	assert_int_equal(seen[1], 1);	/* the new SOA */
	/* the dry run changed nothing */
	assert_int_equal(store_zone_info(st, "m.test", &zi), 0);
	assert_int_equal(zi.records, 8);
	assert_true(has(st, "f", 15, 0));
	o.dry_run = 0;
	o.guard = 0;
	assert_int_equal(mimport(st, MHEAD, &o, &r), 0);
	assert_int_equal(r.records, 3);
	/* the sources imported last are remembered, 8 of them */
	for (i = 0; i < 12; i++) {
		snprintf(origin, sizeof(origin), "/tmp/once-%d.zone", i);
		o.origin = origin;
		assert_int_equal(mimport(st, MHEAD, &o, &r), 0);
		assert_int_equal(r.replaced, 1);
	}
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "SELECT count(*) FROM "
	    "source_content", count_row, &n, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(n, 8);
	store_close(st);
}

/* Owners as the store keeps them, whichever way the parser converts
 * them (plain names without libknot, others with it): lowercase, a
 * wildcard, '_' and '-', escapes kept as libknot prints them, the apex;
 * one outside the zone (a suffix that is not at a label) refused. */
static int
owner_row(void *arg, int n, char **v, char **col)
{
	char *out = arg;
	size_t len = strlen(out);

	(void)n;
	(void)col;
	snprintf(out + len, 1024 - len, "%s|", v[0]);
	return 0;
}

static void
test_owner_text(void **state)
{
	static const char ok_zone[] = "$ORIGIN O.test.\n$TTL 300\n"
	    "@ SOA ns h 1 1 2 3 4\n@ NS ns\nns A 192.0.2.1\n"
	    "WWW A 192.0.2.2\n*.w A 192.0.2.3\n_dmarc TXT \"v\"\n"
	    "a-b.C_d A 192.0.2.4\na\\.b A 192.0.2.5\nq\\032r A 192.0.2.6\n";
	static const char out_zone[] = "$ORIGIN o.test.\n$TTL 300\n"
	    "@ SOA ns h 2 1 2 3 4\n@ NS ns\nxo.test. A 192.0.2.7\n";
	struct store *st = open_store();
	struct store_import_opts o;
	struct store_import_result r;
	struct problems ps;
	sqlite3 *db;
	char got[1024] = "";

	(void)state;
	opts(&o);
	o.zone = "o.test";
	o.problem = on_problem;
	o.problem_arg = &ps;
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(store_import_buffer(st, ok_zone, strlen(ok_zone), &o,
	    &r), 0);
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "SELECT owner FROM records r JOIN "
	    "zones z ON z.id = r.zone_id WHERE z.name = 'o.test.' AND type "
	    "<> 2 AND type <> 6 ORDER BY owner", owner_row, got, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_string_equal(got, "*.w.o.test.|_dmarc.o.test.|a-b.c_d.o.test.|"
	    "a\\.b.o.test.|ns.o.test.|q\\032r.o.test.|www.o.test.|");
	memset(&ps, 0, sizeof(ps));
	assert_int_equal(store_import_buffer(st, out_zone, strlen(out_zone),
	    &o, &r), HP_EPARSE);
	assert_non_null(strstr(ps.text, "xo.test. is outside the zone"));
	store_close(st);
}

/* ---- dynamic updates ---------------------------------------------- */

/* Append to U an RR of OP at OWNER (text) with TYPE, TTL and rdata. */
static void
urr(struct upd_msg *u, enum upd_op op, const char *owner, uint16_t type,
    uint32_t ttl, const void *rd, size_t len)
{
	struct upd_rr *r;
	size_t n = u->npre + u->nupd;

	u->rr = realloc(u->rr, (n + 1) * sizeof(*u->rr));
	u->arena = realloc(u->arena, u->alen + len + 1);
	assert_non_null(u->rr);
	assert_non_null(u->arena);
	r = &u->rr[n];
	memset(r, 0, sizeof(*r));
	r->op = op;
	assert_int_equal(dname_from_str(owner, r->owner, NULL), 0);
	r->type = type;
	r->ttl = ttl;
	r->rdata = u->alen;
	r->rdlen = (uint16_t)len;
	memcpy(u->arena + u->alen, rd, len);
	u->alen += len;
	u->acap = u->alen;
	if (op <= UPD_PRE_NXRRSET)
		u->npre++;
	else
		u->nupd++;
}

static void
umsg(struct upd_msg *u, const char *zone)
{
	memset(u, 0, sizeof(*u));
	assert_int_equal(dname_from_str(zone, u->zone, NULL), 0);
	u->zclass = 1;
}

/* Run U with key K: the rcode; *RES as store_update left it. */
static int
urun(struct store *st, struct upd_msg *u, const char *k,
    struct store_import_result *res)
{
	struct store_update_opts o = { .key = k, .serial_policy =
	    SERIAL_POLICY_INCREMENT };
	struct problems ps;
	uint8_t rcode = 99;

	memset(&ps, 0, sizeof(ps));
	o.problem = on_problem;
	o.problem_arg = &ps;
	(void)store_update(st, u, &o, res, &rcode);
	upd_free(u);
	return rcode;
}

struct rrfind {
	const char *owner;
	uint16_t type;
	uint8_t rd[4];
	int n;
	uint32_t ttl;
};

static int
on_rrfind(const struct store_rr *rr, void *arg)
{
	struct rrfind *f = arg;

	if (strcmp(rr->owner, f->owner) == 0 && rr->type == f->type &&
	    (f->type != 1 || memcmp(rr->rdata, f->rd, 4) == 0)) {
		f->n++;
		f->ttl = rr->ttl;
	}
	return 0;
}

/* How many RRs at OWNER of TYPE (A: with the address A4) ZONE has. */
static int
uhas_in(struct store *st, const char *zone, const char *owner, uint16_t type,
    const char *a4, uint32_t *ttl)
{
	struct store_zone_info zi;
	struct rrfind f = { .owner = owner, .type = type };

	if (a4 != NULL)
		memcpy(f.rd, a4, 4);
	assert_int_equal(store_zone_info(st, zone, &zi), 0);
	assert_int_equal(store_foreach_rr(st, zi.id, on_rrfind, &f), 0);
	if (ttl != NULL)
		*ttl = f.ttl;
	return f.n;
}

/* How many RRs at OWNER of TYPE (A: with the address A4) t.test has. */
static int
uhas(struct store *st, const char *owner, uint16_t type, const char *a4,
    uint32_t *ttl)
{
	return uhas_in(st, "t.test", owner, type, a4, ttl);
}

static int
on_last_version(const struct store_version *v, void *arg)
{
	*(struct store_version *)arg = *v;
	return 0;
}

static void
test_update(void **state)
{
	struct store *st = open_store();
	struct store_import_opts o;
	struct store_import_result r;
	struct store_zone_info zi, zj;
	struct store_version v;
	struct problems ps;
	struct upd_msg u;
	const char a2[4] = { (char)192, 0, 2, 2 }, a9[4] = { (char)192, 0, 2, 9 };
	const char a3[4] = { (char)192, 0, 2, 3 };
	const uint8_t dn[] = "\003ext\004test";	/* ext.test. */
	uint32_t ttl;

	(void)state;
	mopts(&o, &ps);
	o.zone = "t.test";
	assert_int_equal(store_import_buffer(st, zone1, strlen(zone1), &o,
	    &r), 0);
	assert_int_equal(store_zone_info(st, "t.test", &zi), 0);

	/* an add: one version, source ddns, the key as its origin */
	umsg(&u, "t.test");
	urr(&u, UPD_ADD, "www.t.test", 1, 60, a9, 4);
	assert_int_equal(urun(st, &u, "k1", &r), WIRE_RCODE_NOERROR);
	assert_true(r.changed);
	assert_int_equal(r.new_serial, zi.serial + 1);
	assert_int_equal(uhas(st, "www.t.test.", 1, a9, &ttl), 1);
	assert_int_equal(ttl, 60);
	/* RFC 2181 5.2: the RRset took the new TTL */
	assert_int_equal(uhas(st, "www.t.test.", 1, a2, &ttl), 1);
	assert_int_equal(ttl, 60);
	assert_int_equal(store_version_list(st, zi.id, on_last_version, &v),
	    0);
	assert_string_equal(v.source, "ddns");
	assert_string_equal(v.origin, "k1");

	/* prerequisites that do not hold: their rcode, nothing changed */
	umsg(&u, "t.test");
	urr(&u, UPD_PRE_NXDOMAIN, "www.t.test", 255, 0, "", 0);
	urr(&u, UPD_ADD, "x.t.test", 1, 60, a9, 4);
	assert_int_equal(urun(st, &u, "k1", &r), WIRE_RCODE_YXDOMAIN);
	umsg(&u, "t.test");
	urr(&u, UPD_PRE_YXDOMAIN, "nope.t.test", 255, 0, "", 0);
	assert_int_equal(urun(st, &u, "k1", &r), WIRE_RCODE_NXDOMAIN);
	umsg(&u, "t.test");
	urr(&u, UPD_PRE_YXRRSET, "www.t.test", 16, 0, "", 0);
	assert_int_equal(urun(st, &u, "k1", &r), WIRE_RCODE_NXRRSET);
	umsg(&u, "t.test");
	urr(&u, UPD_PRE_NXRRSET, "www.t.test", 1, 0, "", 0);
	assert_int_equal(urun(st, &u, "k1", &r), WIRE_RCODE_YXRRSET);
	umsg(&u, "t.test");
	urr(&u, UPD_PRE_YXRRSET_VAL, "www.t.test", 1, 0, a2, 4);
	urr(&u, UPD_ADD, "x.t.test", 1, 60, a9, 4);
	assert_int_equal(urun(st, &u, "k1", &r), WIRE_RCODE_NXRRSET);
	assert_int_equal(uhas(st, "x.t.test.", 1, a9, NULL), 0);
	assert_int_equal(store_zone_info(st, "t.test", &zj), 0);
	assert_int_equal(zj.serial, zi.serial + 1);

	/* the whole RRset (duplicates in the message count once) */
	umsg(&u, "t.test");
	urr(&u, UPD_PRE_YXRRSET_VAL, "www.t.test", 1, 0, a9, 4);
	urr(&u, UPD_PRE_YXRRSET_VAL, "www.t.test", 1, 0, a2, 4);
	urr(&u, UPD_PRE_YXRRSET_VAL, "www.t.test", 1, 0, a2, 4);
	urr(&u, UPD_DEL_RR, "www.t.test", 1, 0, a2, 4);
	assert_int_equal(urun(st, &u, "k2", &r), WIRE_RCODE_NOERROR);
	assert_int_equal(uhas(st, "www.t.test.", 1, a2, NULL), 0);

	/* in order: added then deleted in one message is nothing */
	umsg(&u, "t.test");
	urr(&u, UPD_ADD, "tmp.t.test", 1, 60, a3, 4);
	urr(&u, UPD_DEL_NAME, "tmp.t.test", 255, 0, "", 0);
	assert_int_equal(urun(st, &u, "k2", &r), WIRE_RCODE_NOERROR);
	assert_false(r.changed);

	/* the apex: its NS RRset and SOA are not deleted */
	umsg(&u, "t.test");
	urr(&u, UPD_DEL_RRSET, "t.test", 2, 0, "", 0);
	urr(&u, UPD_DEL_NAME, "t.test", 255, 0, "", 0);
	urr(&u, UPD_DEL_RR, "t.test", 2, 0, "\002ns\001t\004test", 11);
	assert_int_equal(urun(st, &u, "k2", &r), WIRE_RCODE_NOERROR);
	assert_false(r.changed);
	assert_int_equal(uhas(st, "t.test.", 2, NULL, NULL), 1);

	/* all or nothing: a DNAME and a name below it */
	assert_int_equal(store_zone_info(st, "t.test", &zi), 0);
	umsg(&u, "t.test");
	urr(&u, UPD_ADD, "d.t.test", 39, 60, dn, sizeof(dn));
	urr(&u, UPD_ADD, "x.d.t.test", 1, 60, a3, 4);
	assert_int_equal(urun(st, &u, "k2", &r), WIRE_RCODE_REFUSED);
	assert_int_equal(uhas(st, "d.t.test.", 39, NULL, NULL), 0);
	/* a record the validator refuses: FORMERR */
	umsg(&u, "t.test");
	urr(&u, UPD_ADD, "ok.t.test", 1, 60, a3, 4);
	urr(&u, UPD_ADD, "bad.t.test", 1, 60, a3, 3);
	assert_int_equal(urun(st, &u, "k2", &r), WIRE_RCODE_FORMERR);
	assert_int_equal(uhas(st, "ok.t.test.", 1, a3, NULL), 0);
	assert_int_equal(store_zone_info(st, "t.test", &zj), 0);
	assert_int_equal(zj.serial, zi.serial);
	assert_int_equal(zj.version_id, zi.version_id);
	/* a zone not stored */
	umsg(&u, "nothere.test");
	urr(&u, UPD_ADD, "x.nothere.test", 1, 60, a3, 4);
	assert_int_equal(urun(st, &u, "k2", &r), WIRE_RCODE_NOTAUTH);

	/* the file imported again, changed elsewhere: the update's record
	 * stays, the one it deleted is not back */
	assert_int_equal(store_import_buffer(st, zone2, strlen(zone2), &o,
	    &r), 0);
	assert_true(r.changed);
	assert_int_equal(uhas(st, "www.t.test.", 1, a9, NULL), 1);
	assert_int_equal(uhas(st, "www.t.test.", 1, a3, NULL), 1);
	assert_int_equal(uhas(st, "www.t.test.", 1, a2, NULL), 0);
	assert_int_equal(uhas(st, "new.t.test.", 16, NULL, NULL), 1);
	store_close(st);
}

/* The result of a one-column query on the database file. */
static int
sqlint(const char *text)
{
	sqlite3 *db;
	int n = -1;

	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, text, count_row, &n, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	return n;
}

static int
on_version_sources(const struct store_version *v, void *arg)
{
	char (*src)[2][32] = arg;

	memcpy((*src)[0], (*src)[1], sizeof((*src)[0]));
	snprintf((*src)[1], sizeof((*src)[1]), "%s", v->source);
	return 0;
}

/* An A row OWNER.p.test. of rdata RDHEX, added by SQL (a direct edit). */
static void
pinsert(const char *owner, const char *rdhex)
{
	char q[256];

	snprintf(q, sizeof(q), "INSERT INTO records(zone_id, owner, type, "
	    "class, ttl, rdata) SELECT id, '%s.p.test.', 1, 1, 300, X'%s' "
	    "FROM zones WHERE name = 'p.test.'", owner, rdhex);
	msql(q);
}

/* One UPDATE of p.test (key k1): OP on OWNER's A record A4 with TTL: its
 * rcode. */
static int
pupdate(struct store *st, enum upd_op op, const char *owner, uint32_t ttl,
    const char *a4, struct store_import_result *r)
{
	struct upd_msg u;

	umsg(&u, "p.test");
	urr(&u, op, owner, 1, ttl, a4, 4);
	return urun(st, &u, "k1", r);
}

/* An UPDATE while direct SQL edits of its zone are pending: they are
 * published first, as their own version; edits that do not validate
 * hold the zone, and the update is SERVFAIL until they are mended. */
static void
test_update_pending(void **state)
{
	static const char pz[] = "$ORIGIN p.test.\n$TTL 300\n"
	    "@ SOA ns h 10 1 2 3 4\n@ NS ns\nns A 192.0.2.1\n";
	struct store *st = open_store();
	struct store_import_opts o;
	struct store_import_result r;
	struct store_zone_info zi, zj;
	struct problems ps;
	char src[2][32];
	const char a5[4] = { (char)192, 0, 2, 5 }, a6[4] = { (char)192, 0, 2, 6 };
	const char a7[4] = { (char)192, 0, 2, 7 }, a8[4] = { (char)192, 0, 2, 8 };

	(void)state;
	mopts(&o, &ps);
	o.zone = "p.test";
	assert_int_equal(store_import_buffer(st, pz, strlen(pz), &o, &r), 0);
	assert_int_equal(store_zone_info(st, "p.test", &zi), 0);

	/* a row added by SQL, then an UPDATE: two versions, sql then ddns */
	pinsert("sql", "C0000205");
	assert_int_equal(pupdate(st, UPD_ADD, "dyn.p.test", 60, a6, &r),
	    WIRE_RCODE_NOERROR);
	assert_true(r.changed);
	assert_int_equal(r.pending_published, 1);
	assert_int_equal(r.old_serial, zi.serial);
	assert_int_equal(r.new_serial, zi.serial + 2);
	assert_int_equal(uhas_in(st, "p.test", "sql.p.test.", 1, a5, NULL), 1);
	assert_int_equal(uhas_in(st, "p.test", "dyn.p.test.", 1, a6, NULL), 1);
	memset(src, 0, sizeof(src));
	assert_int_equal(store_version_list(st, zi.id, on_version_sources,
	    &src), 0);
	assert_string_equal(src[0], "sql");
	assert_string_equal(src[1], "ddns");
	assert_int_equal(sqlint("SELECT dirty FROM zones WHERE name = "
	    "'p.test.'"), 0);

	/* an UPDATE that changes nothing: NOERROR, the edit still pending */
	pinsert("sql2", "C0000207");
	assert_int_equal(pupdate(st, UPD_DEL_RR, "none.p.test", 0, a6, &r),
	    WIRE_RCODE_NOERROR);
	assert_false(r.changed);
	assert_int_equal(r.pending_published, 0);
	assert_int_equal(r.new_serial, zi.serial + 2);
	assert_int_equal(sqlint("SELECT dirty FROM zones WHERE name = "
	    "'p.test.'"), 1);

	/* a row that does not validate: SERVFAIL, nothing published, the
	 * zone held; asked again, the same without a new look */
	pinsert("bad", "C00002");
	assert_int_equal(pupdate(st, UPD_ADD, "dyn2.p.test", 60, a8, &r),
	    WIRE_RCODE_SERVFAIL);
	assert_true(r.held);
	assert_false(r.changed);
	assert_int_equal(store_zone_info(st, "p.test", &zj), 0);
	assert_int_equal(zj.serial, zi.serial + 2);
	assert_int_equal(sqlint("SELECT held IS NOT NULL FROM zones WHERE "
	    "name = 'p.test.'"), 1);
	assert_int_equal(pupdate(st, UPD_ADD, "dyn2.p.test", 60, a8, &r),
	    WIRE_RCODE_SERVFAIL);
	assert_true(r.held);
	assert_int_equal(uhas_in(st, "p.test", "dyn2.p.test.", 1, a8, NULL),
	    0);

	/* mended by SQL: the good edit published first, then the update */
	msql("DELETE FROM records WHERE owner = 'bad.p.test.'");
	assert_int_equal(pupdate(st, UPD_ADD, "dyn2.p.test", 60, a8, &r),
	    WIRE_RCODE_NOERROR);
	assert_int_equal(r.pending_published, 1);
	assert_int_equal(r.new_serial, zi.serial + 4);
	assert_int_equal(uhas_in(st, "p.test", "sql2.p.test.", 1, a7, NULL),
	    1);
	assert_int_equal(uhas_in(st, "p.test", "dyn2.p.test.", 1, a8, NULL),
	    1);
	assert_int_equal(sqlint("SELECT (held IS NULL) + 2 * dirty FROM zones "
	    "WHERE name = 'p.test.'"), 1);
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
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_owner_text),
		cmocka_unit_test(test_update),
		cmocka_unit_test(test_update_pending),
		cmocka_unit_test(test_not_a_db),
		cmocka_unit_test(test_own_origin),
		cmocka_unit_test(test_deliveries),
	};
	int ret;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(dbpath, sizeof(dbpath), "%s/store.db", dir);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	if (unit_rmtree(dir) != 0)
		ret = 1;
	return ret;
}
