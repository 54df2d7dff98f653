/*
 * test_config.c -- agent.conf: grammar, includes, patterns, ACLs, and
 * every error reported with its file:line.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "build.h"
#include "agent/conf/conf.h"
#include "dns/serial.h"
#include "signer/policy.h"
#include "unit_tmp.h"

#define SECRET "K2tf3TRjvQkVCmJF3/Z9vA=="

static char dir[256];

static void
put(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Each problem as the command line prints it, one line each. */
static void
collect(void *arg, const struct hp_problem *p)
{
	char line[1200];

	fprintf(arg, "%s\n", hp_problem_str(p, line, sizeof(line)));
}

/* Load NAME from the test directory; *msgs gets every problem reported. */
static int
load(const char *name, const struct conf **cfg, char **msgs)
{
	char path[512];
	size_t len;
	FILE *f;
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = open_memstream(msgs, &len);
	assert_non_null(f);
	*cfg = NULL;
	r = conf_load(path, collect, f, cfg);
	fclose(f);
	return r;
}

/* Assert MSGS has a line "DIR/FILE:LINE: ..." containing WHAT. */
static void
expect_msg(const char *msgs, const char *file, int line, const char *what)
{
	char prefix[600];
	const char *p = msgs;

	snprintf(prefix, sizeof(prefix), "%s/%s:%d: ", dir, file, line);
	while ((p = strstr(p, prefix)) != NULL) {
		const char *eol = strchr(p, '\n');
		const char *hit = strstr(p, what);

		if (hit != NULL && (eol == NULL || hit < eol))
			return;
		p++;
	}
	fail_msg("expected a line '%s...%s' in:\n%s", prefix, what, msgs);
}

static int
setup(void **state)
{
	*state = dir;
	snprintf(dir, sizeof(dir), "%s/hp-conf.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static void
test_quotes_comments(void **state)
{
	const struct conf *cfg;
	const struct conf_zone *z;
	char *m;

	(void)state;
	put("q.conf",
	    "# a comment\n"
	    "server: # comment after a clause\n"
	    "  zonesdir: 'zones dir' # quoted with a space\n"
	    "  port: \"5300\"\n"
	    "zone: name: Example.COM zonefile: \"a #b.zone\"\n");
	assert_int_equal(load("q.conf", &cfg, &m), 0);
	assert_int_equal(cfg->port, 5300);
	z = conf_find_zone(cfg, "example.com");
	assert_non_null(z);
	assert_ptr_equal(z, conf_find_zone(cfg, "EXAMPLE.com."));
	assert_string_equal(z->name, "example.com.");
	assert_non_null(strstr(z->zonefile, "/zones dir/a #b.zone"));
	assert_int_equal(z->line, 5);
	conf_unref(cfg);
	free(m);
}

static int
mkdir_p_sub(void)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/sub", dir);
	return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

static void
test_includes(void **state)
{
	const struct conf *cfg;
	char *m;

	(void)state;
	assert_int_equal(mkdir_p_sub(), 0);
	put("main.conf",
	    "server:\n include: \"sub/keys.conf\"\n"
	    "include: sub/z*.conf\n");
	put("sub/keys.conf", "key:\n name: k1\n algorithm: hmac-sha1\n"
	    " secret: " SECRET "\n");
	put("sub/z1.conf", "zone:\n name: one.test\n");
	put("sub/z2.conf", "zone:\n name: two.test\n"
	    " provide-xfr: 10.0.0.1 k1\n");
	assert_int_equal(load("main.conf", &cfg, &m), 0);
	assert_int_equal(cfg->n_zones, 2);
	assert_int_equal(cfg->n_keys, 1);
	assert_non_null(conf_find_zone(cfg, "one.test"));
	assert_non_null(conf_find_zone(cfg, "two.test")->provide_xfr);
	assert_non_null(strstr(conf_find_key(cfg, "k1")->file, "sub/keys.conf"));
	assert_int_equal(conf_find_key(cfg, "k1")->line, 1);
	conf_unref(cfg);
	free(m);
}

static void
test_include_loop(void **state)
{
	const struct conf *cfg;
	char *m;

	(void)state;
	put("a.conf", "server:\n  port: 53\ninclude: b.conf\n");
	put("b.conf", "\n\ninclude: a.conf\n");
	assert_true(load("a.conf", &cfg, &m) < 0);
	assert_null(cfg);
	expect_msg(m, "b.conf", 3, "include loop");
	free(m);
	put("c.conf", "include: missing.conf\n");
	assert_true(load("c.conf", &cfg, &m) < 0);
	expect_msg(m, "c.conf", 1, "cannot open");
	free(m);
}

static void
test_patterns(void **state)
{
	const struct conf *cfg;
	const struct conf_zone *z;
	const struct conf_acl *a;
	char *m;

	(void)state;
	put("p.conf",
	    "server:\n max-journal-versions: 7\n"
	    "zone:\n name: a.test\n notify: 10.0.0.9 NOKEY\n"
	    " include-pattern: later\n serial-policy: dateserial\n"
	    "zone:\n name: b.test\n include-pattern: later\n"
	    "pattern:\n name: later\n include-pattern: base\n"
	    " notify: 10.0.0.1@5353 k\n serial-policy: unixtime\n"
	    " zonefile: %s.zone\n notify-retry: 2\n"
	    "pattern:\n name: base\n provide-xfr: 10.0.0.0/8 k\n"
	    " max-journal-versions: 3\n zonefile: base.zone\n"
	    "key:\n name: k\n algorithm: hmac-sha512\n secret: " SECRET
	    "\n");
	assert_int_equal(load("p.conf", &cfg, &m), 0);
	assert_int_equal(cfg->n_patterns, 2);
	z = conf_find_zone(cfg, "a.test");
	assert_non_null(z);
	/* the zone's own statement wins, wherever it is written */
	assert_int_equal(z->serial_policy, SERIAL_POLICY_DATESERIAL);
	/* the later pattern overrides the one it includes */
	assert_non_null(strstr(z->zonefile, "/a.test.zone"));
	assert_int_equal(z->max_journal_versions, 3);
	assert_int_equal(z->notify_retry, 2);
	/* lists in order of appearance, patterns expanded in place */
	a = z->notify;
	assert_non_null(a);
	assert_string_equal(a->text, "10.0.0.9 NOKEY");
	assert_int_equal(a->port, 53);
	assert_int_equal(a->action, ACL_NOKEY);
	a = a->next;
	assert_non_null(a);
	assert_string_equal(a->text, "10.0.0.1@5353 k");
	assert_int_equal(a->port, 5353);
	assert_ptr_equal(a->key, conf_find_key(cfg, "k"));
	assert_null(a->next);
	assert_int_equal(z->provide_xfr->kind, ACL_PREFIX);
	z = conf_find_zone(cfg, "b.test");
	assert_int_equal(z->serial_policy, SERIAL_POLICY_UNIXTIME);
	assert_non_null(z->notify);
	assert_null(z->notify->next);
	conf_unref(cfg);
	free(m);

	put("d.conf", "zone:\n name: x.test\n max-journal-versions: 0\n");
	assert_int_equal(load("d.conf", &cfg, &m), 0);
	assert_int_equal(conf_find_zone(cfg, "x.test")->max_journal_versions, 0);
	assert_int_equal(cfg->max_journal_versions, 100);
	assert_int_equal(conf_find_zone(cfg, "x.test")->serial_policy,
	    SERIAL_POLICY_INCREMENT);
	assert_int_equal(conf_find_zone(cfg, "x.test")->notify_retry, 5);
	assert_null(conf_find_zone(cfg, "x.test")->zonefile);
	conf_unref(cfg);
	free(m);
}

/* The default database: the state directory for the installed
 * configuration, beside any other. */
static void
test_default_database(void **state)
{
	(void)state;
	assert_string_equal(conf_default_database(HP_SYSCONFDIR "/hpagent"),
	    HP_STATE_DIR "/hpagent.db");
	assert_string_equal(conf_default_database("/srv/hp"), "hpagent.db");
	assert_string_equal(conf_default_database(HP_SYSCONFDIR), "hpagent.db");
}

/* catalog: producer, catalog-producer-zone:, catalog-group: and every
 * way a configuration of catalogs can be wrong, each with file:line. */
static void
test_catalog_conf(void **state)
{
	const struct conf *cfg;
	const struct conf_zone *z;
	char *m;

	(void)state;
	put("cat.conf",
	    "pattern:\n name: gold\n catalog-producer-zone: cat.test\n"
	    "zone:\n name: cat.test\n catalog: producer\n"
	    "zone:\n name: a.test\n include-pattern: gold\n"
	    "zone:\n name: b.test\n include-pattern: gold\n"
	    " catalog-group: silver\n");
	assert_int_equal(load("cat.conf", &cfg, &m), 0);
	assert_true(conf_find_zone(cfg, "cat.test")->catalog_producer);
	z = conf_find_zone(cfg, "a.test");
	assert_string_equal(z->catalog, "cat.test.");
	assert_string_equal(z->catalog_group, "gold");	/* the pattern's name */
	assert_string_equal(conf_find_zone(cfg, "b.test")->catalog_group,
	    "silver");
	conf_unref(cfg);
	free(m);
	put("catbad.conf",
	    "pattern:\n name: p1\n catalog-producer-zone: c1.test\n"	/* 1 */
	    "pattern:\n name: p2\n catalog-producer-zone: c2.test\n"	/* 4 */
	    "zone:\n name: c1.test\n catalog: producer\n"		/* 7 */
	    "zone:\n name: c2.test\n catalog: producer\n"		/* 10 */
	    "zone:\n name: two.test\n include-pattern: p1\n"		/* 13 */
	    " include-pattern: p2\n"
	    "zone:\n name: self.test\n catalog: producer\n"		/* 17 */
	    " catalog-producer-zone: self.test\n"
	    "zone:\n name: x.test\n catalog-producer-zone: bad..name\n"	/* 21 */
	    "zone:\n name: y.test\n catalog-producer-zone: a.test\n"	/* 24 */
	    "zone:\n name: a.test\n"					/* 27 */
	    "zone:\n name: z.test\n catalog: consumer\n");		/* 29 */
	assert_true(load("catbad.conf", &cfg, &m) < 0);
	expect_msg(m, "catbad.conf", 13, "zone two.test. is claimed by two "
	    "catalogs");
	expect_msg(m, "catbad.conf", 17, "catalog self.test. would list itself");
	expect_msg(m, "catbad.conf", 23, "catalog-producer-zone: 'bad..name' "
	    "is not a valid domain name");
	expect_msg(m, "catbad.conf", 24, "zone y.test.: catalog-producer-zone:"
	    " a.test. is not a catalog zone");
	expect_msg(m, "catbad.conf", 31, "catalog: expected producer (hpagent "
	    "is a primary");
	free(m);
}

/* sync-timeout: and probe-interval: in server:, pattern: and zone:, with
 * units; their bounds reported with file:line. */
static void
test_sync_probe(void **state)
{
	const struct conf *cfg;
	const struct conf_zone *z;
	char *m;

	(void)state;
	put("s.conf",
	    "server:\n sync-timeout: 2m\n probe-interval: 30\n"
	    "pattern:\n name: p\n probe-interval: 1h\n"
	    "zone:\n name: a.test\n include-pattern: p\n sync-timeout: 5s\n"
	    "zone:\n name: b.test\n probe-interval: 0\n"
	    "zone:\n name: c.test\n");
	assert_int_equal(load("s.conf", &cfg, &m), 0);
	assert_int_equal(cfg->sync_timeout, 120);
	z = conf_find_zone(cfg, "a.test");
	assert_int_equal(z->sync_timeout, 5);
	assert_int_equal(z->probe_interval, 3600);
	z = conf_find_zone(cfg, "b.test");
	assert_int_equal(z->sync_timeout, 120);
	assert_int_equal(z->probe_interval, 0);	/* no periodic probes */
	z = conf_find_zone(cfg, "c.test");
	assert_int_equal(z->probe_interval, 30);
	conf_unref(cfg);
	free(m);
	/* the defaults: 60 s each */
	put("s0.conf", "zone:\n name: d.test\n");
	assert_int_equal(load("s0.conf", &cfg, &m), 0);
	z = conf_find_zone(cfg, "d.test");
	assert_int_equal(z->sync_timeout, 60);
	assert_int_equal(z->probe_interval, 60);
	conf_unref(cfg);
	free(m);
	put("s1.conf",
	    "server:\n sync-timeout: 0\n"		/* 2 */
	    "zone:\n name: e.test\n"
	    " probe-interval: 25h\n"			/* 5 over a day */
	    " sync-timeout: soon\n");			/* 6 */
	assert_true(load("s1.conf", &cfg, &m) < 0);
	expect_msg(m, "s1.conf", 2, "sync-timeout: expected 1..86400 seconds");
	expect_msg(m, "s1.conf", 5, "probe-interval: expected 0..86400");
	expect_msg(m, "s1.conf", 6, "sync-timeout: expected 1..86400");
	free(m);
}

static struct sockaddr_in
sin4(const char *a, unsigned port)
{
	struct sockaddr_in s;

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	s.sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, a, &s.sin_addr), 1);
	return s;
}

/* allow-update: the issue's ACME rule as written, NOKEY and BLOCKED, the
 * SOA only by name, update-wait: and update-coalesce:, errors. */
static void
test_allow_update(void **state)
{
	const struct conf *cfg;
	const struct conf_zone *z;
	const struct conf_key *acme, *adm;
	struct sockaddr_in lo = sin4("127.0.0.1", 4000);
	struct sockaddr_in far = sin4("192.0.2.1", 4000);
	struct sockaddr_in nk = sin4("10.1.1.1", 53);
	const struct sockaddr *l = (const struct sockaddr *)&lo;
	char *m;

	(void)state;
	put("u.conf",
	    "key:\n name: acme-key\n algorithm: hmac-sha256\n secret: " SECRET "\n"
	    "key:\n name: admin\n algorithm: hmac-sha256\n secret: " SECRET "\n"
	    "pattern:\n name: p\n"
	    " allow-update: 127.0.0.0/8 acme-key name=_acme-challenge,_acme-challenge.* type=TXT\n"
	    " update-wait: 30\n"
	    "zone:\n name: a.test\n include-pattern: p\n"
	    " allow-update: 127.0.0.1 admin\n"
	    " allow-update: 10.1.1.0/24@53 NOKEY name=dyn type=A,AAAA\n"
	    " allow-update: 127.0.0.9 BLOCKED\n"
	    " update-coalesce: 250\n"
	    "zone:\n name: b.test\n");
	assert_int_equal(load("u.conf", &cfg, &m), 0);
	free(m);
	acme = conf_find_key(cfg, "acme-key");
	adm = conf_find_key(cfg, "admin");
	z = conf_find_zone(cfg, "a.test");
	assert_int_equal(z->update_wait, 30);
	assert_int_equal(z->update_coalesce, 250);
	assert_true(conf_update_client(z, l, acme));
	assert_true(conf_update_client(z, l, adm));
	assert_false(conf_update_client(z, l, NULL));
	assert_false(conf_update_client(z, (struct sockaddr *)&far, acme));
	/* the ACME rule: TXT at _acme-challenge and below one name */
	assert_true(conf_update_allows(z, l, acme, "_acme-challenge", 16));
	assert_true(conf_update_allows(z, l, acme, "_acme-challenge.www", 16));
	assert_true(conf_update_allows(z, l, acme, "_ACME-Challenge.a.b", 16));
	assert_false(conf_update_allows(z, l, acme, "_acme-challenge", 1));
	assert_false(conf_update_allows(z, l, acme, "www", 16));
	assert_false(conf_update_allows(z, l, acme, "x._acme-challenge", 16));
	assert_false(conf_update_allows(z, l, acme, "@", 16));
	assert_false(conf_update_allows(z, l, acme, "_acme-challenge", 255));
	/* no name=/type=: anything but the SOA */
	assert_true(conf_update_allows(z, l, adm, "@", 2));
	assert_true(conf_update_allows(z, l, adm, "www", 255));
	assert_false(conf_update_allows(z, l, adm, "@", 6));
	/* NOKEY, with a port */
	assert_true(conf_update_allows(z, (struct sockaddr *)&nk, NULL,
	    "dyn", 28));
	assert_false(conf_update_allows(z, (struct sockaddr *)&nk, adm,
	    "dyn", 28));
	nk.sin_port = htons(54);
	assert_false(conf_update_client(z, (struct sockaddr *)&nk, NULL));
	/* BLOCKED wins; SOA queries for the rules' addresses */
	lo = sin4("127.0.0.9", 1);
	assert_false(conf_update_client(z, l, acme));
	assert_false(conf_update_addr(z, l));
	lo = sin4("127.0.0.2", 1);
	assert_true(conf_update_addr(z, l));
	assert_false(conf_update_addr(z, (struct sockaddr *)&far));
	/* a zone without rules: nobody; the defaults */
	z = conf_find_zone(cfg, "b.test");
	assert_false(conf_update_client(z, l, acme));
	assert_int_equal(z->update_wait, 0);
	assert_int_equal(z->update_coalesce, 100);
	conf_unref(cfg);
	put("u1.conf",
	    "key:\n name: k\n algorithm: hmac-sha256\n secret: " SECRET "\n"
	    "zone:\n name: c.test\n"
	    " allow-update: 127.0.0.1 nokey-here\n"		/* 7 */
	    " allow-update: 127.0.0.1 k type=NOPE\n"		/* 8 */
	    " allow-update: 127.0.0.1 k name=a,,b\n"		/* 9 */
	    " allow-update: 127.0.0.1 k what=x\n"		/* 10 */
	    " allow-update: 127.0.0.1 k type=A type=TXT\n"	/* 11 */
	    " update-wait: 301\n"				/* 12 */
	    " update-coalesce: -1\n"				/* 13 */
	    " allow-update: 127.0.0.1\n");			/* 14 */
	assert_true(load("u1.conf", &cfg, &m) < 0);
	expect_msg(m, "u1.conf", 7, "allow-update: unknown key 'nokey-here'");
	expect_msg(m, "u1.conf", 8, "type=: 'nope' is not a record type");
	expect_msg(m, "u1.conf", 9, "empty item");
	expect_msg(m, "u1.conf", 10, "unexpected 'what=x'");
	expect_msg(m, "u1.conf", 11, "unexpected 'type=TXT'");
	expect_msg(m, "u1.conf", 12, "update-wait: expected 0..300");
	expect_msg(m, "u1.conf", 13, "update-coalesce: expected 0..10000");
	expect_msg(m, "u1.conf", 14, "allow-update: missing value");
	free(m);
}

/* max-delete: (server, pattern, zone) and source-mode: (pattern, zone). */
static void
test_import_guards(void **state)
{
	const struct conf *cfg;
	char *m;

	(void)state;
	put("g.conf",
	    "server:\n max-delete: 30%\n"
	    "pattern:\n name: mirror\n source-mode: replace\n"
	    " max-delete: 80\n"
	    "zone:\n name: a.test\n include-pattern: mirror\n"
	    "zone:\n name: b.test\n include-pattern: mirror\n"
	    " source-mode: merge\n max-delete: 100\n"
	    "zone:\n name: c.test\n");
	assert_int_equal(load("g.conf", &cfg, &m), 0);
	assert_int_equal(cfg->max_delete, 30);
	assert_int_equal(conf_find_zone(cfg, "a.test")->source_replace, 1);
	assert_int_equal(conf_find_zone(cfg, "a.test")->max_delete, 80);
	assert_int_equal(conf_find_zone(cfg, "b.test")->source_replace, 0);
	assert_int_equal(conf_find_zone(cfg, "b.test")->max_delete, 100);
	assert_int_equal(conf_find_zone(cfg, "c.test")->source_replace, 0);
	assert_int_equal(conf_find_zone(cfg, "c.test")->max_delete, 30);
	conf_unref(cfg);
	free(m);
	put("d.conf", "zone:\n name: x.test\n");
	assert_int_equal(load("d.conf", &cfg, &m), 0);
	assert_int_equal(conf_find_zone(cfg, "x.test")->max_delete, 50);
	conf_unref(cfg);
	free(m);
	put("e.conf",
	    "server:\n max-delete: 101\n"		/* 2 */
	    "zone:\n name: x.test\n"
	    " source-mode: mirror\n"		/* 5 */
	    " max-delete: half\n");		/* 6 */
	assert_true(load("e.conf", &cfg, &m) < 0);
	expect_msg(m, "e.conf", 2, "max-delete: expected a percentage 0..100");
	expect_msg(m, "e.conf", 5, "source-mode: expected merge or replace");
	expect_msg(m, "e.conf", 6, "max-delete: expected a percentage");
	free(m);
}

/* dnssec-policy: clauses, dnssec-signing:/dnssec-policy: in patterns and
 * zones, dnssec-keystore:, and their errors at file:line. */
static void
test_dnssec(void **state)
{
	const struct conf *cfg;
	const struct conf_zone *z;
	char *m, want[600];

	(void)state;
	put("s.conf",
	    "server:\n database: db/h.db\n"
	    "dnssec-policy:\n name: fast\n algorithm: ed25519\n"
	    " single-type-signing: no\n nsec3: yes\n rrsig-lifetime: 2d\n"
	    " rrsig-refresh: 1d\n zone-max-ttl: 3600\n dnskey-ttl: 600\n"
	    " zsk-lifetime: 30d\n ksk-lifetime: 365d\n"
	    "pattern:\n name: signed\n dnssec-signing: yes\n"
	    " dnssec-policy: fast\n"
	    "zone:\n name: a.test\n include-pattern: signed\n"
	    "zone:\n name: b.test\n dnssec-signing: yes\n"
	    "zone:\n name: c.test\n include-pattern: signed\n"
	    " dnssec-signing: no\n");
	assert_int_equal(load("s.conf", &cfg, &m), 0);
	z = conf_find_zone(cfg, "a.test");
	assert_true(z->dnssec_signing);
	assert_string_equal(z->dnssec_policy->name, "fast");
	assert_int_equal(z->dnssec_policy->algorithm, SIGN_ALG_ED25519);
	assert_int_equal(z->dnssec_policy->single_type, 0);
	assert_int_equal(z->dnssec_policy->nsec3, 1);
	assert_int_equal(z->dnssec_policy->nsec3_iterations, 0);
	assert_int_equal(z->dnssec_policy->nsec3_salt_len, 0);
	assert_int_equal(z->dnssec_policy->rrsig_lifetime, 2 * 86400);
	assert_int_equal(z->dnssec_policy->dnskey_ttl, 600);
	z = conf_find_zone(cfg, "b.test");
	assert_true(z->dnssec_signing);
	assert_string_equal(z->dnssec_policy->name, "default");
	assert_int_equal(z->dnssec_policy->algorithm,
	    SIGN_ALG_ECDSAP256SHA256);
	assert_int_equal(z->dnssec_policy->single_type, 1);
	assert_int_equal(z->dnssec_policy->nsec3, 0);
	assert_false(conf_find_zone(cfg, "c.test")->dnssec_signing);
	snprintf(want, sizeof(want), "%s/db/keys", dir);
	assert_string_equal(cfg->dnssec_keystore, want);
	conf_unref(cfg);
	free(m);
	put("t.conf",
	    "dnssec-policy:\n name: bad\n"
	    " algorithm: rsamd5\n"		/* 3 */
	    " nsec3: maybe\n"			/* 4 */
	    " rrsig-colour: blue\n"		/* 5 */
	    "dnssec-policy:\n"			/* 6: no name */
	    " rrsig-refresh: 2h\n"
	    "dnssec-policy:\n name: bad\n"	/* 8: again */
	    "zone:\n name: x.test\n dnssec-signing: maybe\n"	/* 12 */
	    "zone:\n name: y.test\n dnssec-signing: yes\n"
	    " dnssec-policy: nowhere\n");	/* 16 */
	assert_true(load("t.conf", &cfg, &m) < 0);
	expect_msg(m, "t.conf", 3, "unknown algorithm 'rsamd5'");
	expect_msg(m, "t.conf", 4, "nsec3");
	expect_msg(m, "t.conf", 5, "unknown statement 'rrsig-colour' in "
	    "dnssec-policy:");
	expect_msg(m, "t.conf", 6, "dnssec-policy: without name:");
	expect_msg(m, "t.conf", 8, "dnssec-policy 'bad' is already defined");
	expect_msg(m, "t.conf", 12, "dnssec-signing: expected yes or no");
	expect_msg(m, "t.conf", 16, "dnssec-policy 'nowhere' is not defined");
	free(m);
}

static void
test_zonefile_expansion(void **state)
{
	const struct conf *cfg;
	char *m;

	(void)state;
	put("e.conf",
	    "server:\n zonesdir: /z\n"
	    "pattern:\n name: p\n zonefile: %1/%2/%3/%z/%y/%x/%s\n"
	    "zone:\n name: www.example.com.\n include-pattern: p\n"
	    "zone:\n name: ab\n include-pattern: p\n"
	    "zone:\n name: c.test\n zonefile: /abs/%s\n");
	assert_int_equal(load("e.conf", &cfg, &m), 0);
	assert_string_equal(conf_find_zone(cfg, "www.example.com")->zonefile,
	    "/z/w/w/w/com/example/www/www.example.com");
	assert_string_equal(conf_find_zone(cfg, "ab")->zonefile,
	    "/z/a/b/./ab/././ab");
	assert_string_equal(conf_find_zone(cfg, "c.test")->zonefile,
	    "/abs/c.test");
	conf_unref(cfg);
	free(m);
}

static void
test_paths(void **state)
{
	const struct conf *cfg;
	char want[600], *m;

	(void)state;
	put("r.conf", "server:\n logfile: log/x.log\n pidfile: /run/p\n"
	    " zonesdir: zones\n ip-address: 127.0.0.1@5300\n"
	    " ip-address: ::1\n http-listen: 127.0.0.1@8080\n"
	    " max-zone-size: 2m\n webhook-secret: 0123456789abcdef\n");
	assert_int_equal(load("r.conf", &cfg, &m), 0);
	snprintf(want, sizeof(want), "%s/hpagent.db", dir);
	assert_non_null(strstr(cfg->database, "/hpagent.db"));
	assert_true(cfg->database[0] == '/');
	assert_non_null(strstr(cfg->logfile, "/log/x.log"));
	assert_string_equal(cfg->pidfile, "/run/p");
	assert_non_null(strstr(cfg->zonesdir, "/zones"));
	assert_int_equal(cfg->n_ip_address, 2);
	assert_string_equal(cfg->ip_address[1], "::1");
	assert_string_equal(cfg->http_listen, "127.0.0.1@8080");
	assert_int_equal(cfg->max_zone_size, 2 * 1024 * 1024);
	assert_string_equal(cfg->webhook_secret, "0123456789abcdef");
	conf_unref(cfg);
	free(m);
}

/* What consumers get resolved: TSIG keys, listening addresses, notify:
 * targets (sockaddr, source, key, ledger address, label), http-listen:;
 * and the count that keeps a configuration alive. */
static void
test_resolved(void **state)
{
	const struct conf *cfg;
	const struct conf_zone *z;
	const struct conf_target *t;
	const struct conf_key *k;
	const struct sockaddr_in *s4;
	const struct sockaddr_in6 *s6;
	char *m;

	(void)state;
	put("t.conf", "server:\n port: 5300\n ip-address: 127.0.0.1\n"
	    " ip-address: ::1@5301\n http-listen: [::1]@8053\n"
	    "key:\n name: k1\n algorithm: HMAC-SHA256\n secret: " SECRET "\n"
	    "key:\n name: bad..name\n algorithm: hmac-sha1\n"
	    " secret: " SECRET "\n"
	    "zone:\n name: t.test\n"
	    " notify: 192.0.2.1 k1\n notify: 192.0.2.1@5353 NOKEY\n"
	    " notify: 2001:db8::2@54 bad..name\n notify: 192.0.2.3 BLOCKED\n"
	    " notify: 10.0.0.0/8 NOKEY\n"
	    " outgoing-interface: 127.0.0.9\n");
	assert_int_equal(load("t.conf", &cfg, &m), 0);
	/* The unusable key is a warning at load, never an error. */
	expect_msg(m, "t.conf", 10, "warning: key bad..name unusable: its "
	    "name is not a domain name");
	assert_non_null(k = conf_find_key(cfg, "K1"));
	assert_true(k->usable);
	assert_string_equal(k->algorithm, "hmac-sha256");
	assert_int_equal(k->tsig.secret_len, 16);
	assert_ptr_equal(conf_find_tsig(cfg, k->tsig.name, k->tsig.alg), k);
	assert_false(conf_find_key(cfg, "bad..name")->usable);
	/* Listening: port: where ip-address: has none. */
	assert_int_equal(cfg->nlisten, 2);
	s4 = (const struct sockaddr_in *)&cfg->listen[0];
	assert_int_equal(s4->sin_family, AF_INET);
	assert_int_equal(ntohs(s4->sin_port), 5300);
	s6 = (const struct sockaddr_in6 *)&cfg->listen[1];
	assert_int_equal(s6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(s6->sin6_port), 5301);
	assert_string_equal(cfg->http_host, "::1");
	assert_int_equal(cfg->http_port, 8053);
	/* Targets: single addresses only, BLOCKED and ranges out. */
	assert_non_null(z = conf_find_zone(cfg, "t.test"));
	assert_int_equal(z->ntargets, 3);
	t = &z->targets[0];
	assert_string_equal(t->label, "192.0.2.1@53");
	assert_string_equal(t->address, "192.0.2.1");
	assert_ptr_equal(t->key, k);
	assert_true(t->first);
	s4 = (const struct sockaddr_in *)&t->src;
	assert_int_equal(t->srclen, sizeof(*s4));
	assert_int_equal(ntohl(s4->sin_addr.s_addr), 0x7f000009);
	t = &z->targets[1];
	assert_string_equal(t->label, "192.0.2.1@5353");
	assert_null(t->key);
	assert_true(t->first);		/* another port: a secondary of its own */
	t = &z->targets[2];
	assert_string_equal(t->label, "2001:db8::2@54");
	assert_int_equal(t->srclen, 0);	/* no outgoing-interface: for v6 */
	assert_false(t->key->usable);
	/* Counted: a reference keeps it after the loader's is dropped. */
	assert_ptr_equal(conf_ref(cfg), cfg);
	conf_unref(cfg);
	assert_string_equal(z->targets[0].label, "192.0.2.1@53");
	conf_unref(cfg);
	free(m);
	/* http-listen: syntax, at its line. */
	put("h.conf", "server:\n http-listen: 127.0.0.1\n"
	    " http-listen: 127.0.0.1@70000\n");
	assert_true(load("h.conf", &cfg, &m) < 0);
	expect_msg(m, "h.conf", 2, "http-listen: want ADDR@PORT");
	expect_msg(m, "h.conf", 3, "http-listen: want ADDR@PORT");
	free(m);
}

static void
sa4(struct sockaddr_storage *ss, const char *ip, int port)
{
	struct sockaddr_in *s = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s->sin_family = AF_INET;
	s->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, ip, &s->sin_addr), 1);
}

static void
sa6(struct sockaddr_storage *ss, const char *ip, int port)
{
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	s->sin6_family = AF_INET6;
	s->sin6_port = htons(port);
	assert_int_equal(inet_pton(AF_INET6, ip, &s->sin6_addr), 1);
}

static int
match(const char *spec, int v6, const char *ip, int port)
{
	struct sockaddr_storage ss;
	struct conf_acl a;
	char msg[200];
	int r;

	if (conf_parse_acl(NULL, spec, &a, msg, sizeof(msg)) < 0)
		fail_msg("'%s' did not parse: %s", spec, msg);
	if (v6)
		sa6(&ss, ip, port);
	else
		sa4(&ss, ip, port);
	r = conf_acl_match(&a, (struct sockaddr *)&ss);
	conf_acl_clear(&a);
	return r;
}

static void
test_acl_forms(void **state)
{
	struct conf_acl a;
	char msg[200];

	(void)state;
	assert_int_equal(match("192.0.2.1 NOKEY", 0, "192.0.2.1", 999), 1);
	assert_int_equal(match("192.0.2.1 NOKEY", 0, "192.0.2.2", 999), 0);
	assert_int_equal(match("192.0.2.1 NOKEY", 1, "::ffff:192.0.2.1", 1),
	    1);
	assert_int_equal(match("192.0.2.1@53 NOKEY", 0, "192.0.2.1", 53), 1);
	assert_int_equal(match("192.0.2.1@53 NOKEY", 0, "192.0.2.1", 54), 0);
	assert_int_equal(match("10.1.0.0/16 BLOCKED", 0, "10.1.255.3", 5), 1);
	assert_int_equal(match("10.1.0.0/16 BLOCKED", 0, "10.2.0.3", 5), 0);
	assert_int_equal(match("10.1.2.0/23 NOKEY", 0, "10.1.3.9", 5), 1);
	assert_int_equal(match("10.1.2.0/23 NOKEY", 0, "10.1.4.9", 5), 0);
	assert_int_equal(match("10.0.0.0&255.0.0.0 NOKEY", 0, "10.9.9.9", 5),
	    1);
	assert_int_equal(match("10.0.0.5-10.0.0.9 NOKEY", 0, "10.0.0.7", 5),
	    1);
	assert_int_equal(match("10.0.0.5-10.0.0.9 NOKEY", 0, "10.0.0.10", 5),
	    0);
	assert_int_equal(match("10.0.0.5-10.0.0.9 NOKEY", 0, "10.0.0.4", 5),
	    0);
	assert_int_equal(match("2001:db8::/32 NOKEY", 1, "2001:db8:1::5", 5),
	    1);
	assert_int_equal(match("2001:db8::/32 NOKEY", 1, "2001:db9::5", 5),
	    0);
	assert_int_equal(match("2001:db8::/32 NOKEY", 0, "32.1.13.184", 5),
	    0);
	assert_int_equal(match("::1@5300 NOKEY", 1, "::1", 5300), 1);
	assert_int_equal(match("::1@5300 NOKEY", 1, "::1", 5301), 0);
	assert_int_equal(match("2001:db8::1-2001:db8::ff NOKEY", 1,
	    "2001:db8::80", 5), 1);

	assert_int_equal(conf_parse_acl(NULL, "192.0.2.1 BLOCKED", &a, msg,
	    sizeof(msg)), 0);
	assert_int_equal(a.action, ACL_BLOCKED);
	assert_int_equal(a.kind, ACL_SINGLE);
	assert_int_equal(a.family, AF_INET);
	conf_acl_clear(&a);
	assert_true(conf_parse_acl(NULL, "192.0.2.1 nokey0", &a, msg,
	    sizeof(msg)) < 0);
	assert_non_null(strstr(msg, "unknown key 'nokey0'"));
	assert_true(conf_parse_acl(NULL, "192.0.2.1", &a, msg,
	    sizeof(msg)) < 0);
	assert_true(conf_parse_acl(NULL, "192.0.2.300 NOKEY", &a, msg,
	    sizeof(msg)) < 0);
	assert_true(conf_parse_acl(NULL, "10.0.0.0/33 NOKEY", &a, msg,
	    sizeof(msg)) < 0);
	assert_true(conf_parse_acl(NULL, "10.0.0.9-10.0.0.1 NOKEY", &a,
	    msg, sizeof(msg)) < 0);
	assert_true(conf_parse_acl(NULL, "10.0.0.1@0 NOKEY", &a, msg,
	    sizeof(msg)) < 0);
	assert_true(conf_parse_acl(NULL, "10.0.0.0&255.0.255.0 NOKEY", &a,
	    msg, sizeof(msg)) < 0);
	assert_true(conf_parse_acl(NULL, "10.0.0.1 NOKEY extra", &a, msg,
	    sizeof(msg)) < 0);
}

static void
test_errors_all_reported(void **state)
{
	const struct conf *cfg;
	char *m;

	(void)state;
	put("bad.conf",
	    "server:\n"				/* 1 */
	    "  hide-version: yes\n"		/* 2 warning */
	    "  hide-version: no\n"		/* 3 no second warning */
	    "  zonesdri: /tmp\n"		/* 4 typo */
	    "key:\n"				/* 5 */
	    "  name: k0\n"
	    "  algorithm: hmac-sha256\n"
	    "  secret: \"not*base64!\"\n"	/* 8 bad base64 */
	    "key:\n"				/* 9 */
	    "  name: k1\n"
	    "  algorithm: hmac-sha3\n"		/* 11 unknown algorithm */
	    "  secret: " SECRET "\n"
	    "zone:\n"				/* 13 */
	    "  name: a.test\n"
	    "  notify: 10.0.0.1 nosuchkey\n"	/* 15 unknown key */
	    "  include-pattern: nosuchpattern\n" /* 16 */
	    "zone:\n"				/* 17 */
	    "  name: A.TEST.\n"			/* duplicate of 13 */
	    "zone:\n"				/* 19 missing name */
	    "  zonefile: x.zone\n"
	    "  serial-policy: weekly\n"		/* 21 */
	    "  port: 53\n"			/* 22 wrong clause */
	    "  provide-xfr: 10.0.0.0/40 NOKEY\n"); /* 23 */
	assert_true(load("bad.conf", &cfg, &m) < 0);
	assert_null(cfg);
	expect_msg(m, "bad.conf", 2, "warning: 'hide-version'");
	assert_null(strstr(strstr(m, "hide-version") + 1, "hide-version"));
	expect_msg(m, "bad.conf", 4, "unknown statement 'zonesdri'");
	expect_msg(m, "bad.conf", 8, "not valid base64");
	expect_msg(m, "bad.conf", 11, "unknown TSIG algorithm 'hmac-sha3'");
	/* an invalid value is not also reported as a missing one */
	assert_null(strstr(m, "has no"));
	expect_msg(m, "bad.conf", 15, "unknown key 'nosuchkey'");
	expect_msg(m, "bad.conf", 16, "unknown pattern 'nosuchpattern'");
	expect_msg(m, "bad.conf", 17, "already defined at");
	expect_msg(m, "bad.conf", 19, "zone: without name:");
	expect_msg(m, "bad.conf", 21, "serial-policy");
	expect_msg(m, "bad.conf", 22, "'port' is not allowed in zone:");
	expect_msg(m, "bad.conf", 23, "bad prefix length");
	assert_null(strstr(m, SECRET));
	assert_null(strstr(m, "not*base64"));
	free(m);
}

static void
test_more_errors(void **state)
{
	const struct conf *cfg;
	char *m;

	(void)state;
	put("m.conf",
	    "port: 53\n"			/* 1 outside a clause */
	    "server:\n"
	    "  ip-address: 10.0.0.0/8\n"	/* 3 */
	    "  port: 70000\n"			/* 4 */
	    "key:\n"				/* 5 no secret */
	    "  name: k\n"
	    "  algorithm: hmac-md5\n"
	    "pattern:\n"			/* 8 */
	    "  notify: 10.0.0.1\n"		/* 9 missing key */
	    "pattern:\n"			/* 10 */
	    "  name: loop\n"
	    "  include-pattern: loop\n"		/* 12 */
	    "zone:\n"
	    "  name: bad..name\n"		/* 14 */
	    "zone:\n"
	    "  name: \"unterminated\n");	/* 16 */
	assert_true(load("m.conf", &cfg, &m) < 0);
	expect_msg(m, "m.conf", 16, "unterminated");
	free(m);
	/* without the lexical error, everything else is reported */
	put("m.conf",
	    "port: 53\n"
	    "server:\n"
	    "  ip-address: 10.0.0.0/8\n"
	    "  port: 70000\n"
	    "key:\n"
	    "  name: k\n"
	    "  algorithm: hmac-md5\n"
	    "pattern:\n"
	    "  notify: 10.0.0.1\n"
	    "pattern:\n"
	    "  name: loop\n"
	    "  include-pattern: loop\n"
	    "zone:\n"
	    "  name: bad..name\n");
	assert_true(load("m.conf", &cfg, &m) < 0);
	expect_msg(m, "m.conf", 1, "'port' is not allowed in top level");
	expect_msg(m, "m.conf", 3, "ip-address");
	expect_msg(m, "m.conf", 4, "port: expected 1..65535");
	expect_msg(m, "m.conf", 5, "key 'k' has no secret");
	expect_msg(m, "m.conf", 8, "pattern: without name:");
	expect_msg(m, "m.conf", 9, "notify: missing value");
	expect_msg(m, "m.conf", 12, "pattern loop");
	expect_msg(m, "m.conf", 13, "empty label");
	free(m);
}

static void
test_ignored_clauses(void **state)
{
	const struct conf *cfg;
	char *m;

	(void)state;
	put("i.conf",
	    "verify:\n  enable: no\n  port: 5347\n"
	    "tls-auth:\n  name: x\n  auth-domain-name: y\n"
	    "remote-control:\n  control-enable: no\n"
	    "server:\n  port: 5300\n  zonestats: a\n  rrl-size: 1000\n"
	    "  server-1-cpu-affinity: 0\n");
	assert_int_equal(load("i.conf", &cfg, &m), 0);
	assert_int_equal(cfg->port, 5300);
	expect_msg(m, "i.conf", 1, "warning: 'verify'");
	expect_msg(m, "i.conf", 8, "warning: 'control-enable'");
	expect_msg(m, "i.conf", 12, "warning: 'rrl-size'");
	conf_unref(cfg);
	free(m);
}

static void
test_policy_names(void **state)
{
	(void)state;
	assert_string_equal(serial_policy_str(SERIAL_POLICY_INCREMENT), "increment");
	assert_string_equal(serial_policy_str(SERIAL_POLICY_UNIXTIME), "unixtime");
	assert_string_equal(serial_policy_str(SERIAL_POLICY_DATESERIAL),
	    "dateserial");
}

/* The listeners' limits (issue 11): defaults, values, ranges; the warning
 * for an API open to the network. */
static void
test_listener_limits(void **state)
{
	const struct conf *cfg;
	char *m;

	(void)state;
	put("l.conf", "server:\n http-listen: 127.0.0.1@8080\n");
	assert_int_equal(load("l.conf", &cfg, &m), 0);
	assert_int_equal(cfg->webhook_max_body, 64 * 1024 * 1024);
	assert_int_equal(cfg->http_max_conns, 128);
	assert_int_equal(cfg->http_max_per_addr, 16);
	assert_int_equal(cfg->http_request_timeout, 60);
	assert_int_equal(cfg->tcp_count, 256);
	assert_int_equal(cfg->tcp_count_per_addr, 32);
	assert_int_equal(cfg->tsig_max_fudge, 300);
	assert_null(strstr(m, "loopback"));	/* loopback: no warning */
	conf_unref(cfg);
	free(m);
	put("l.conf", "server:\n webhook-max-body: 1m\n"
	    " http-max-connections: 40\n"
	    " http-max-connections-per-address: 4\n"
	    " http-request-timeout: 5\n tcp-count: 100\n"
	    " tcp-count-per-address: 8\n tsig-max-fudge: 60\n");
	assert_int_equal(load("l.conf", &cfg, &m), 0);
	assert_int_equal(cfg->webhook_max_body, 1024 * 1024);
	assert_int_equal(cfg->http_max_conns, 40);
	assert_int_equal(cfg->http_max_per_addr, 4);
	assert_int_equal(cfg->http_request_timeout, 5);
	assert_int_equal(cfg->tcp_count, 100);
	assert_int_equal(cfg->tcp_count_per_addr, 8);
	assert_int_equal(cfg->tsig_max_fudge, 60);
	assert_null(strstr(m, "tcp-count"));	/* no longer "not used" */
	conf_unref(cfg);
	free(m);
	put("l.conf", "server:\n tsig-max-fudge: 0\n"	/* 2 */
	    " tsig-max-fudge: 65536\n"			/* 3 */
	    " http-request-timeout: 3601\n"		/* 4 */
	    " tcp-count: x\n"				/* 5 */
	    " webhook-max-body: 0\n");			/* 6 */
	assert_true(load("l.conf", &cfg, &m) < 0);
	expect_msg(m, "l.conf", 2, "tsig-max-fudge: expected 1..65535 seconds");
	expect_msg(m, "l.conf", 3, "tsig-max-fudge: expected 1..65535");
	expect_msg(m, "l.conf", 4, "http-request-timeout: expected 1..3600");
	expect_msg(m, "l.conf", 5, "tcp-count: expected 1..1000000");
	expect_msg(m, "l.conf", 6, "webhook-max-body: expected a size");
	free(m);
	/* Not loopback, no api-token: a warning naming the line. */
	put("l.conf", "server:\n webhook-secret: 0123456789abcdef\n"
	    " http-listen: 0.0.0.0@8080\n");
	assert_int_equal(load("l.conf", &cfg, &m), 0);
	expect_msg(m, "l.conf", 3, "is not a loopback address and no "
	    "api-token: is set");
	conf_unref(cfg);
	free(m);
	put("l.conf", "server:\n http-listen: [::1]@8080\n");
	assert_int_equal(load("l.conf", &cfg, &m), 0);
	assert_null(strstr(m, "loopback"));
	conf_unref(cfg);
	free(m);
	put("l.conf", "server:\n http-listen: 192.0.2.1@8080\n"
	    " api-token: 0123456789abcdef\n");
	assert_int_equal(load("l.conf", &cfg, &m), 0);
	assert_null(strstr(m, "loopback"));	/* a token: no warning */
	conf_unref(cfg);
	free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quotes_comments),
		cmocka_unit_test(test_includes),
		cmocka_unit_test(test_include_loop),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_sync_probe),
		cmocka_unit_test(test_default_database),
		cmocka_unit_test(test_catalog_conf),
		cmocka_unit_test(test_import_guards),
		cmocka_unit_test(test_dnssec),
		cmocka_unit_test(test_zonefile_expansion),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_resolved),
		cmocka_unit_test(test_acl_forms),
		cmocka_unit_test(test_errors_all_reported),
		cmocka_unit_test(test_more_errors),
		cmocka_unit_test(test_ignored_clauses),
		cmocka_unit_test(test_policy_names),
		cmocka_unit_test(test_listener_limits),
		cmocka_unit_test(test_allow_update),
	};

	return cmocka_run_group_tests(tests, setup, unit_tmp_teardown);
}
