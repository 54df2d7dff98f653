/*
 * conf.c -- loading agent.conf into a struct conf: the files are read
 * (lexer.c) statement by statement (statements.c); after the last file,
 * patterns are applied (patterns.c). Everything a consumer needs is
 * resolved once, at load: TSIG keys and http-listen: as their statements
 * end (statements.c); paths, listening addresses and notify: targets
 * here. Every error is reported as "file:line: message";
 * loading goes on so that all of them are reported. No message ever
 * prints a secret. A loaded configuration is immutable and counted.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "agent/conf/conf.h"
#include "agent/conf/conf_int.h"
#include "dns/addr.h"
#include "dns/dname.h"
#include "dns/err.h"
#include "dns/log.h"

/* What conf.h shows, and what only this file touches: the count. */
struct conf_box {
	struct conf c;
	atomic_uint refs;
};

static atomic_uint conf_generation;

/* --------------------------------------------------------- resolution */

const char *
conf_default_database(const char *confdir)
{
	return strcmp(confdir, HP_SYSCONFDIR "/hpagent") == 0 ?
	    HP_STATE_DIR "/hpagent.db" : "hpagent.db";
}

/* Paths relative to the config file's directory; defaults. */
static void
resolve_paths(struct loader *ld)
{
	struct conf *cfg = ld->cfg;
	char **paths[] = { &cfg->logfile, &cfg->pidfile, &cfg->database,
	    &cfg->ca_file, &cfg->zonesdir, &cfg->dnssec_keystore };
	size_t i;
	char *p;

	if (cfg->zonesdir == NULL || cfg->zonesdir[0] == '\0' ||
	    strcmp(cfg->zonesdir, ".") == 0) {
		free(cfg->zonesdir);
		cfg->zonesdir = xstrdup(ld->dir);
	}
	if (cfg->database == NULL || cfg->database[0] == '\0') {
		/* nsd.conf's database: "" means no database file. The
		 * installed configuration's database is in the state
		 * directory (a unit's ProtectSystem=strict makes the
		 * configuration's directory read-only); any other's is
		 * beside it. */
		free(cfg->database);
		cfg->database = xstrdup(conf_default_database(ld->dir));
	}
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (*paths[i] == NULL || (*paths[i])[0] == '\0' ||
		    strcmp(*paths[i], "syslog") == 0)
			continue;
		p = path_join(ld->dir, *paths[i]);
		free(*paths[i]);
		*paths[i] = p;
	}
	/* the keystore: "keys" beside the database unless named */
	if (cfg->dnssec_keystore == NULL) {
		char *dir = path_dir(cfg->database);

		cfg->dnssec_keystore = path_join(dir, "keys");
		free(dir);
	}
}

/* The built-in policy "default" unless a dnssec-policy: clause is named
 * so: the defaults of signer/policy.h. */
static void
default_policy(struct loader *ld)
{
	struct conf_policy *cp;

	for (cp = ld->cfg->policies; cp != NULL; cp = cp->next)
		if (strcmp(cp->p.name, "default") == 0)
			return;
	cp = xcalloc(1, sizeof(*cp));
	sign_policy_init(&cp->p, "default");
	*ld->poltail = cp;
	ld->poltail = &cp->next;
}

/* ------------------------------------------------------------- public */

/* ip-address: (or the wildcards) with port:, as socket addresses. */
static void
resolve_listen(struct loader *ld)
{
	static const char *const any[] = { "0.0.0.0", "::" };
	struct conf *cfg = ld->cfg;
	int i, n = cfg->n_ip_address ? cfg->n_ip_address : 2;
	const char *spec;

	cfg->listen = xcalloc((size_t)n, sizeof(*cfg->listen));
	cfg->listen_len = xcalloc((size_t)n, sizeof(*cfg->listen_len));
	for (i = 0; i < n; i++) {
		spec = cfg->n_ip_address ? cfg->ip_address[i] : any[i];
		/* checked by the statement already */
		if (addr_parse(spec, cfg->port, &cfg->listen[cfg->nlisten],
		    &cfg->listen_len[cfg->nlisten]) == 0)
			cfg->nlisten++;
	}
}

/* 1 when HOST (http-listen:'s address) is a loopback address. */
static int
is_loopback(const char *host)
{
	static const unsigned char v6lo[16] = { [15] = 1 };
	unsigned char raw[16];
	int family;

	if (strcmp(host, "localhost") == 0)
		return 1;
	if (addr_pton(host, &family, raw) < 0)
		return 0;
	return family == AF_INET ? raw[0] == 127 :
	    memcmp(raw, v6lo, sizeof(v6lo)) == 0;
}

/* An API anyone on the network reaches, with no token for the GET routes:
 * say so (the issue is the reader's, not a syntax error). */
static void
check_http_exposure(struct loader *ld)
{
	const struct conf *cfg = ld->cfg;

	if (cfg->http_host == NULL || cfg->api_token != NULL ||
	    is_loopback(cfg->http_host))
		return;
	conf_warn(ld, ld->http_file, ld->http_line, "http-listen: %s is not "
	    "a loopback address and no api-token: is set: GET /v1/zones and "
	    "/metrics are open to anyone who reaches it (set api-token:, or "
	    "listen on 127.0.0.1 behind a TLS proxy)", cfg->http_listen);
}

/* The source address for NOTIFYs to FAMILY: the first outgoing-interface:
 * of that family (port 0). */
static void
target_source(const struct conf_zone *z, int family, struct conf_target *t)
{
	const struct conf_acl *a;

	for (a = z->outgoing_interface; a != NULL; a = a->next)
		if (a->family == family) {
			t->srclen = addr_make(family, a->addr, 0, &t->src);
			return;
		}
}

/* notify: entries with one address, not BLOCKED, as targets. */
static void
resolve_targets(struct conf_zone *z)
{
	const struct conf_acl *a;
	struct conf_target *t;
	int n = 0, i;

	for (a = z->notify; a != NULL; a = a->next)
		n++;
	z->targets = xcalloc((size_t)n + 1, sizeof(*z->targets));
	for (a = z->notify; a != NULL; a = a->next) {
		if (a->action == ACL_BLOCKED || a->kind != ACL_SINGLE)
			continue;
		t = &z->targets[z->ntargets];
		t->addrlen = addr_make(a->family, a->addr, a->port ? a->port :
		    53, &t->addr);
		t->key = a->action == ACL_KEY ? a->key : NULL;
		target_source(z, a->family, t);
		addr_ntop((const struct sockaddr *)&t->addr, t->address,
		    sizeof(t->address));
		snprintf(t->label, sizeof(t->label), "%s@%u", t->address,
		    a->port ? a->port : 53);
		t->first = 1;
		for (i = 0; i < z->ntargets; i++)
			if (strcmp(z->targets[i].label, t->label) == 0)
				t->first = 0;
		z->ntargets++;
	}
}

/* ------------------------------------------------------------- lifetime */

static void
free_keys(struct conf_key *k)
{
	struct conf_key *nx;

	for (; k != NULL; k = nx) {
		nx = k->next;
		free(k->name);
		tsig_key_clear(&k->tsig);
		free(k);
	}
}

/* A secret string: wiped before it is freed. */
static void
free_secret(char *s)
{
	if (s != NULL)
		explicit_bzero(s, strlen(s));
	free(s);
}

static void
conf_free(struct conf *cfg)
{
	struct conf_zone *z, *nz;
	int i;

	for (z = cfg->zones; z != NULL; z = nz) {
		nz = z->next;
		conf_zone_free(z);
	}
	free_keys(cfg->keys);
	while (cfg->policies != NULL) {
		struct conf_policy *cp = cfg->policies;

		cfg->policies = cp->next;
		free(cp);
	}
	free(cfg->dnssec_keystore);
	for (i = 0; i < cfg->n_ip_address; i++)
		free(cfg->ip_address[i]);
	free(cfg->ip_address);
	free(cfg->listen);
	free(cfg->listen_len);
	for (i = 0; i < cfg->n_files; i++)
		free(cfg->files[i]);
	free(cfg->files);
	free(cfg->path);
	free(cfg->zonesdir);
	free(cfg->username);
	free(cfg->chroot);
	free(cfg->logfile);
	free(cfg->pidfile);
	free(cfg->database);
	free(cfg->http_listen);
	free(cfg->http_host);
	free_secret(cfg->webhook_secret);
	free_secret(cfg->api_token);
	free(cfg->ca_file);
	free((struct conf_box *)cfg);
}

const struct conf *
conf_ref(const struct conf *c)
{
	if (c != NULL)
		atomic_fetch_add(&((struct conf_box *)(uintptr_t)c)->refs, 1);
	return c;
}

void
conf_unref(const struct conf *c)
{
	struct conf_box *b = (struct conf_box *)(uintptr_t)c;

	if (c == NULL || atomic_fetch_sub(&b->refs, 1) != 1)
		return;
	log_info("configuration %u (%s) released", c->generation, c->path);
	conf_free(&b->c);
}

static void
loader_done(struct loader *ld)
{
	struct zdef *d, *nd;
	struct pattern *p, *np;
	struct warned *w, *nw;

	for (d = ld->zdefs; d != NULL; d = nd) {
		nd = d->next;
		free(d->name);
		conf_settings_free(&d->s);
		free(d);
	}
	for (p = ld->patterns; p != NULL; p = np) {
		np = p->next;
		free(p->name);
		conf_settings_free(&p->s);
		free(p);
	}
	for (w = ld->warned; w != NULL; w = nw) {
		nw = w->next;
		free(w->name);
		free(w);
	}
	free(ld->dir);
}

/* The zones kept in the database, as zone: clauses after the file's. */
static void
add_db_zones(struct loader *ld, const struct conf_dbzone *dz, size_t n)
{
	struct zdef *z;
	struct item *it;
	size_t i;

	for (i = 0; i < n; i++) {
		z = xcalloc(1, sizeof(*z));
		z->name = xstrdup(dz[i].name);
		z->from_db = 1;
		z->file = "database";
		z->line = 0;
		z->s.tail = &z->s.items;
		if (dz[i].pattern != NULL) {
			it = xcalloc(1, sizeof(*it));
			it->kind = IT_INCLUDE;
			it->text = xstrdup(dz[i].pattern);
			it->file = z->file;
			*z->s.tail = it;
			z->s.tail = &it->next;
		}
		*ld->ztail = z;
		ld->ztail = &z->next;
	}
}

int
conf_load(const char *path, hp_problem_fn *problem, void *arg,
    const struct conf **out)
{
	return conf_load_db(path, NULL, 0, problem, arg, out);
}

int
conf_load_db(const char *path, const struct conf_dbzone *dbz, size_t ndbz,
    hp_problem_fn *problem, void *arg, const struct conf **out)
{
	struct loader ld;
	struct conf_box *box;
	struct conf *cfg;
	struct conf_zone *z;
	char *dir;

	memset(&ld, 0, sizeof(ld));
	ld.problem = problem;
	ld.problem_arg = arg;
	box = xcalloc(1, sizeof(*box));
	atomic_init(&box->refs, 1);
	cfg = &box->c;
	cfg->path = xstrdup(path);
	cfg->port = 53;
	cfg->verbosity = 1;
	cfg->max_journal_versions = 100;
	cfg->sync_timeout = 60;
	cfg->probe_interval = 60;
	cfg->max_delete = 50;
	cfg->max_zone_size = 256ULL << 20;
	cfg->webhook_max_body = 64ULL << 20;
	cfg->http_max_conns = 128;
	cfg->http_max_per_addr = 16;
	cfg->http_request_timeout = 60;
	cfg->tcp_count = 256;
	cfg->tcp_count_per_addr = 32;
	cfg->tsig_max_fudge = 300;
	ld.cfg = cfg;
	ld.ztail = &ld.zdefs;
	ld.ktail = &cfg->keys;
	ld.ptail = &ld.patterns;
	ld.poltail = &cfg->policies;
	dir = path_dir(path);
	if ((ld.dir = realpath(dir, NULL)) == NULL)
		ld.dir = xstrdup(dir);
	free(dir);

	conf_parse_file(&ld, path, NULL, 0);
	conf_clause_end(&ld);
	add_db_zones(&ld, dbz, ndbz);
	conf_check_patterns(&ld);
	resolve_paths(&ld);
	default_policy(&ld);
	conf_resolve_zones(&ld);
	conf_check_catalogs(&ld);
	for (z = cfg->zones; z != NULL; z = z->next)
		resolve_targets(z);
	resolve_listen(&ld);
	check_http_exposure(&ld);
	loader_done(&ld);
	if (ld.nerr > 0) {
		conf_free(cfg);
		return HP_ECONF;
	}
	cfg->generation = atomic_fetch_add(&conf_generation, 1) + 1;
	*out = cfg;
	return 0;
}
