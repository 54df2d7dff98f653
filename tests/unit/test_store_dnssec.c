/*
 * test_store_dnssec.c -- signing in the store (store/dnssec*.c) through
 * its API: the first import signed whole; a change signed incrementally
 * through the SQLite view gives the same chain and the same signed
 * RRsets as a whole signing of the result (NSEC and NSEC3, CSK and
 * KSK+ZSK), its journal carries only what the change touched; DNSSEC
 * records as input refused with file:line; a signed zone changed without
 * signing refused; a rollback signed; a version of the signer alone; a
 * keystore that cannot be read fails and publishes nothing.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "dns/err.h"
#include "dns/serial.h"
#include "signer/keys.h"
#include "signer/policy.h"
#include "store/store.h"
#include "unit_tmp.h"

static char dir[] = "/tmp/hp-test-sdnssec.XXXXXX";
static char dbpath[256], keydir[256];

/* a delegation with glue, an empty non-terminal, a wildcard */
static const char zone1[] =
    "$ORIGIN s.test.\n$TTL 300\n@ SOA ns h 10 1 2 3 60\n@ NS ns\n"
    "ns A 192.0.2.1\nwww A 192.0.2.2\nmail A 192.0.2.3\n"
    "@ MX 10 mail\nsub NS ns.sub\nns.sub A 192.0.2.4\n"
    "sub DS 1 13 2 00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF\n"
    "x.y.deep A 192.0.2.5\n*.wild TXT \"w\"\n";
/* ten RRs changed: names added and removed, a cut, an ENT */
static const char zone2[] =
    "$ORIGIN s.test.\n$TTL 300\n@ SOA ns h 11 1 2 3 60\n@ NS ns\n"
    "ns A 192.0.2.1\nwww A 192.0.2.9\nwww AAAA 2001:db8::9\n"
    "@ MX 10 mail\nmail A 192.0.2.3\nnew1 A 192.0.2.10\n"
    "a.b.c A 192.0.2.11\nip NS ns.ip\nns.ip A 192.0.2.12\n"
    "x.y.deep A 192.0.2.5\n*.wild TXT \"w\"\n";

struct rrs {
	char **line;
	size_t n;
};

static int
collect(const struct store_rr *rr, void *arg)
{
	struct rrs *l = arg;
	char *buf = NULL;
	size_t len = 0;

	if (store_rr_text(rr, &buf, &len) < 0)
		return -1;
	l->line = realloc(l->line, (l->n + 1) * sizeof(*l->line));
	l->line[l->n++] = buf;
	return 0;
}

static void
rrs_free(struct rrs *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->line[i]);
	free(l->line);
	memset(l, 0, sizeof(*l));
}

static int
cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * What the signer made, reduced to what does not depend on randomness
 * or time: NSEC/NSEC3/NSEC3PARAM/DNSKEY/CDS/CDNSKEY lines whole, RRSIGs
 * as "owner covered keytag", sorted, one string.
 */
static char *
generated_shape(struct store *st, int64_t zone_id)
{
	struct rrs l = { 0 };
	char *out, f[6][300];
	size_t i, len = 0, k;

	assert_int_equal(store_foreach_generated(st, zone_id, collect, &l), 0);
	for (i = 0; i < l.n; i++) {
		if (sscanf(l.line[i], "%299s %299s %299s %299s %299s %*s %*s "
		    "%*s %*s %*s %299s", f[0], f[1], f[2], f[3], f[4], f[5]) == 6 &&
		    strcmp(f[3], "RRSIG") == 0) {
			char *shape = malloc(1024);

			snprintf(shape, 1024, "%s RRSIG %s %s", f[0], f[4],
			    f[5]);
			free(l.line[i]);
			l.line[i] = shape;
		}
	}
	qsort(l.line, l.n, sizeof(*l.line), cmp_line);
	for (i = 0; i < l.n; i++)
		len += strlen(l.line[i]) + 1;
	out = calloc(1, len + 1);
	for (i = 0, len = 0; i < l.n; i++) {
		k = strlen(l.line[i]);
		memcpy(out + len, l.line[i], k);
		out[len + k] = '\n';
		len += k + 1;
	}
	rrs_free(&l);
	return out;
}

static void
opts(struct store_import_opts *o, const struct sign_policy *p)
{
	memset(o, 0, sizeof(*o));
	o->zone = "s.test";
	o->serial_policy = SERIAL_POLICY_INCREMENT;
	o->sign.policy = p;
	o->sign.keystore = keydir;
}

static struct store *
fresh_store(void)
{
	struct store *st = NULL;
	char err[256], cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%.100s' '%.100s' '%.100s-wal' "
	    "'%.100s-shm'", keydir, dbpath, dbpath, dbpath);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(store_open(dbpath, STORE_CREATE, &st, err,
	    sizeof(err)), 0);
	return st;
}

struct jcount {
	int n;
	int rrsig_removed;	/* RRSIGs the change replaced */
};

static int
jcount(int op, const struct store_rr *rr, void *arg)
{
	struct jcount *c = arg;

	c->n++;
	c->rrsig_removed += op == 0 && rr->type == 46;
	return 0;
}

static int
count_rrsig(const struct store_rr *rr, void *arg)
{
	*(int *)arg += rr->type == 46;
	return 0;
}

/* Incremental = whole, for policy P. */
static void
incremental_is_whole(const struct sign_policy *p)
{
	struct store_import_opts o;
	struct store_import_result r;
	struct store_dnssec_info di;
	struct jcount jc = { 0, 0 };
	struct store *st;
	char *inc, *whole;
	int sigs = 0;

	st = fresh_store();
	opts(&o, p);
	assert_int_equal(store_import_buffer(st, zone1, strlen(zone1), &o,
	    &r), 0);
	assert_int_equal(store_dnssec_info(st, "s.test.", &di), 0);
	assert_true(di.is_signed);
	assert_int_equal(di.nkeys, p->single_type ? 1 : 2);
	assert_true(di.generated > 20);
	assert_int_equal(store_foreach_generated(st, di.zone_id, count_rrsig,
	    &sigs), 0);
	assert_int_equal(store_import_buffer(st, zone2, strlen(zone2), &o,
	    &r), 0);
	assert_true(r.changed);
	/* the change's journal: a few dozen RRs, not the zone */
	assert_int_equal(store_journal_foreach(st, r.zone_id, 10, jcount,
	    &jc), 0);
	/* only the RRsets the change touched (and their chain records)
	 * are signed again, not every one (a whole signing replaces each
	 * RRSIG: its times and signature change) */
	assert_true(jc.n > 10);
	assert_true(jc.rrsig_removed > 0);
	assert_true(jc.rrsig_removed < sigs);
	inc = generated_shape(st, r.zone_id);
	/* the same zone signed whole (a new store, the same keys) */
	assert_int_equal(store_dnssec_resign(st, &o, STORE_RESIGN_FULL, 0,
	    &r), 0);
	whole = generated_shape(st, r.zone_id);
	assert_string_equal(inc, whole);
	free(inc);
	free(whole);
	store_dnssec_info_free(&di);
	store_close(st);
}

static void
test_incremental_nsec_csk(void **state)
{
	struct sign_policy p;

	(void)state;
	sign_policy_init(&p, "t");
	incremental_is_whole(&p);
}

static void
test_incremental_nsec3_kskzsk(void **state)
{
	struct sign_policy p;

	(void)state;
	sign_policy_init(&p, "t");
	p.nsec3 = 1;
	p.single_type = 0;
	incremental_is_whole(&p);
}

struct problems {
	int n;
	char text[512];
	unsigned line;
};

static void
on_problem(void *arg, const struct hp_problem *p)
{
	struct problems *ps = arg;

	if (ps->n++ == 0) {
		snprintf(ps->text, sizeof(ps->text), "%s", p->text);
		ps->line = p->line;
	}
}

static void
test_refusals(void **state)
{
	static const char bad[] =
	    "$ORIGIN s.test.\n$TTL 300\n@ SOA ns h 12 1 2 3 60\n@ NS ns\n"
	    "ns A 192.0.2.1\n"
	    "ns RRSIG A 13 3 300 20300101000000 20200101000000 1 s.test. AAAA\n";
	struct store_import_opts o;
	struct store_import_result r;
	struct store_zone_info zi;
	struct problems ps = { 0 };
	struct sign_policy p;
	struct store *st;
	char pem[600];

	(void)state;
	sign_policy_init(&p, "t");
	st = fresh_store();
	opts(&o, &p);
	assert_int_equal(store_import_buffer(st, zone1, strlen(zone1), &o,
	    &r), 0);
	/* DNSSEC records as input: refused at their line */
	o.problem = on_problem;
	o.problem_arg = &ps;
	assert_int_equal(store_import_buffer(st, bad, strlen(bad), &o, &r),
	    HP_EINVALID);
	assert_int_equal(ps.line, 6);
	assert_non_null(strstr(ps.text, "ns.s.test. RRSIG: DNSSEC records "
	    "are made by hpagent's signer"));
	assert_int_equal(store_zone_info(st, "s.test", &zi), 0);
	assert_int_equal(zi.serial, 10);
	/* the signed zone changed without signing: refused */
	memset(&ps, 0, sizeof(ps));
	o.sign.policy = NULL;
	assert_int_equal(store_import_buffer(st, zone2, strlen(zone2), &o,
	    &r), HP_EINVALID);
	assert_non_null(strstr(ps.text, "is signed"));
	/* the keystore refuses a key readable by others: nothing published */
	opts(&o, &p);
	{
		struct store_dnssec_info di;

		assert_int_equal(store_dnssec_info(st, "s.test.", &di), 0);
		assert_true(strlen(keydir) + KEYS_ID_LEN + 6 < sizeof(pem));
		snprintf(pem, sizeof(pem), "%.200s/%s.pem", keydir,
		    di.keys[0].id);
		store_dnssec_info_free(&di);
	}
	assert_int_equal(chmod(pem, 0644), 0);
	assert_int_equal(store_import_buffer(st, zone2, strlen(zone2), &o,
	    &r), HP_EKEYSTORE);
	assert_int_equal(store_zone_info(st, "s.test", &zi), 0);
	assert_int_equal(zi.serial, 10);
	assert_int_equal(chmod(pem, 0600), 0);
	assert_int_equal(store_import_buffer(st, zone2, strlen(zone2), &o,
	    &r), 0);
	assert_int_equal(r.new_serial, 11);
	/* a rollback of a signed zone is signed; no generated record
	 * becomes a user record */
	assert_int_equal(store_republish(st, 10, &o, &r), 0);
	assert_true(r.changed);
	{
		struct rrs l = { 0 };
		size_t i;

		assert_int_equal(store_foreach_rr(st, r.zone_id, collect, &l),
		    0);
		for (i = 0; i < l.n; i++)
			assert_null(strstr(l.line[i], "RRSIG"));
		rrs_free(&l);
	}
	/* a version of the signer alone: the serial moves on */
	assert_int_equal(store_dnssec_resign(st, &o, STORE_RESIGN_REFRESH, 0,
	    &r), 0);
	assert_int_equal(r.new_serial, 13);
	store_close(st);
}

static int
setup(void **state)
{
	*state = dir;
	assert_non_null(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/s.db", dir);
	snprintf(keydir, sizeof(keydir), "%s/keys", dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_incremental_nsec_csk),
		cmocka_unit_test(test_incremental_nsec3_kskzsk),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, setup, unit_tmp_teardown);
}
