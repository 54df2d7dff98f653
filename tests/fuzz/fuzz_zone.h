/*
 * fuzz_zone.h -- the fixture of the DNS fuzz targets (fuzz_dns.c,
 * fuzz_dnstcp.c): a temporary store holding ex.test in two versions (so
 * IXFR has a journal), a configuration (by default provide-xfr: lets
 * loopback in without a key and 10.0.0.3 with k1; fuzz_dns.c adds
 * allow-update:), and an answering server on them.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_FUZZ_ZONE_H
#define HP_FUZZ_ZONE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/conf/conf.h"
#include "agent/daemon/xfr.h"
#include "dns/err.h"
#include "store/store.h"
#include "tests/fuzz/fuzz.h"

/* k1's secret: "0123456789abcdef0123456789abcdef" */
#define FZ_K1_B64 "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

struct fz_zone {
	char dir[64];
	char db[128];
	char conf[128];
	const struct conf *cfg;
	struct xfr_server *srv;
};

static const char fz_zone_v1[] =
    "$ORIGIN ex.test.\n$TTL 300\n"
    "@ IN SOA ns1 host 10 7200 3600 1209600 300\n"
    "@ IN NS ns1\n@ IN NS ns.other.test.\n@ IN MX 10 mail\n"
    "ns1 IN A 192.0.2.1\nmail IN AAAA 2001:db8::25\n"
    "www IN CNAME @\n_sip._udp IN SRV 0 5 5060 sip\n"
    "txt IN TXT \"hello\" \"world\"\n";
static const char fz_zone_v2[] =
    "$ORIGIN ex.test.\n$TTL 300\n"
    "@ IN SOA ns1 host 11 7200 3600 1209600 300\n"
    "@ IN NS ns1\n@ IN NS ns.other.test.\n@ IN MX 20 mail\n"
    "ns1 IN A 192.0.2.1\nmail IN AAAA 2001:db8::26\n"
    "www IN CNAME @\n_sip._udp IN SRV 0 5 5060 sip\n"
    "new IN A 192.0.2.7\nsub IN NS ns.sub\nns.sub IN A 192.0.2.8\n";

static void
fz_zone_quiet(void *arg, const struct hp_problem *p)
{
	(void)arg;
	(void)p;
}

/* Set Z up in a new temporary directory named after NAME, with the
 * configuration CONF_TEXT (its zone ex.test). */
static inline void
fz_zone_init_conf(struct fz_zone *z, const char *name, const char *conf_text)
{
	struct store_import_opts o = { .zone = "ex.test", .source = "fuzz",
	    .problem = fz_zone_quiet };
	struct store_import_result res;
	struct store *st;
	char err[256];
	FILE *f;

	snprintf(z->dir, sizeof(z->dir), "/tmp/%s.XXXXXX", name);
	FUZZ_CHECK(mkdtemp(z->dir) != NULL);
	snprintf(z->db, sizeof(z->db), "%s/hp.db", z->dir);
	FUZZ_CHECK(store_open(z->db, STORE_CREATE, &st, err,
	    sizeof(err)) == 0);
	FUZZ_CHECK(store_import_buffer(st, fz_zone_v1, strlen(fz_zone_v1),
	    &o, &res) == 0);
	FUZZ_CHECK(store_import_buffer(st, fz_zone_v2, strlen(fz_zone_v2),
	    &o, &res) == 0 && res.changed);
	store_close(st);
	snprintf(z->conf, sizeof(z->conf), "%s/agent.conf", z->dir);
	FUZZ_CHECK((f = fopen(z->conf, "w")) != NULL);
	fputs(conf_text, f);
	FUZZ_CHECK(fclose(f) == 0);
	FUZZ_CHECK(conf_load(z->conf, NULL, NULL, &z->cfg) == 0);
	FUZZ_CHECK(xfr_server_new(z->cfg, z->db, &z->srv) == 0);
}

/* The same with the configuration above: provide-xfr: only. */
static inline void
fz_zone_init(struct fz_zone *z, const char *name)
{
	static const char conf_text[] =
	    "key:\n\tname: k1\n\talgorithm: hmac-sha256\n"
	    "\tsecret: " FZ_K1_B64 "\n"
	    "zone:\n\tname: ex.test\n"
	    "\tprovide-xfr: 127.0.0.0/8 NOKEY\n\tprovide-xfr: 10.0.0.3 k1\n";

	fz_zone_init_conf(z, name, conf_text);
}

static inline void
fz_zone_free(struct fz_zone *z)
{
	xfr_server_free(z->srv);
	z->srv = NULL;
	conf_unref(z->cfg);
	z->cfg = NULL;
	unlink(z->conf);
	fuzz_rm_db(z->db, z->dir);
}

#endif
