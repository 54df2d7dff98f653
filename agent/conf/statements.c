/*
 * statements.c -- the statement table of agent.conf (name, clauses,
 * number of values, handler), as Knot's conf/schema.c: every statement is
 * looked up here; clause keywords open a clause. Statements nsd.conf has
 * and hpagent does not use are warned about once each.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent/conf/conf.h"
#include "agent/conf/conf_int.h"
#include "dns/dname.h"
#include "dns/err.h"
#include "dns/serial.h"
#include "dns/tsig.h"

struct stmt;
typedef void stmt_fn(struct loader *, const struct stmt *,
    const struct stmt_val *);

struct stmt {
	const char *name;
	unsigned clauses;
	int min, max;
	stmt_fn *fn;
	size_t off;	/* field offset, or item kind, for the handler */
};

/* Every statement nsd.conf knows (NSD 4.x, man nsd.conf) that hpagent
 * does not use. They are warned about once each, never fatal. */
static const char *const nsd_options[] = {
	"allow-axfr-fallback", "allow-notify", "allow-query",
	"answer-cookie", "auth-domain-name",
	"catalog-member-pattern", "client-cert",
	"client-key", "client-key-pw", "confine-to-zone",
	"control-cert-file", "control-enable", "control-interface",
	"control-key-file", "control-port", "cookie-secret",
	"cookie-secret-file", "cpu-affinity", "create-ixfr", "debug-mode",
	"difffile", "dnstap-enable", "dnstap-identity",
	"dnstap-log-auth-query-messages",
	"dnstap-log-auth-response-messages", "dnstap-send-identity",
	"dnstap-send-version", "dnstap-socket-path", "dnstap-version",
	"do-ip4", "do-ip6", "drop-updates", "hide-identity",
	"hide-version", "identity", "interface", "ip-freebind",
	"ip-transparent", "ipv4-edns-size", "ipv6-edns-size", "ixfr-number",
	"ixfr-size", "log-only-syslog", "log-time-ascii", "log-time-iso",
	"max-refresh-time", "max-retry-time", "metrics-enable",
	"metrics-interface", "metrics-path", "metrics-port",
	"min-expire-time", "min-refresh-time", "min-retry-time",
	"minimal-responses", "multi-master-check", "nsid",
	"outgoing-tcp-mss", "proxy-protocol-port", "receive-buffer-size",
	"refuse-any", "reload-config", "request-xfr", "reuseport",
	"round-robin", "rrl-ipv4-prefix-length", "rrl-ipv6-prefix-length",
	"rrl-ratelimit", "rrl-size", "rrl-slip", "rrl-whitelist",
	"rrl-whitelist-ratelimit", "send-buffer-size", "server-cert-file",
	"server-count", "server-key-file", "size-limit-xfr", "statistics",
	"store-ixfr", "tcp-mss", "tcp-query-count",
	"tcp-reject-overflow", "tcp-timeout", "tls-auth",
	"tls-auth-port", "tls-auth-xfr-only", "tls-cert-bundle", "tls-port",
	"tls-service-key", "tls-service-ocsp", "tls-service-pem",
	"use-systemd", "verifier", "verifier-count", "verifier-feed-zone",
	"verifier-timeout", "verify-zone", "verify-zones", "version",
	"xdp-bpf-bpffs-path", "xdp-bpf-path", "xdp-interface",
	"xfrd-cpu-affinity", "xfrd-reload-timeout", "xfrd-tcp-max",
	"xfrd-tcp-pipeline", "xfrdfile", "xfrdir", "zonefiles-check",
	"zonefiles-write", "zonelistfile", "zonestats",
	"enable", "identity", "socket-path", "log-auth-query-messages",
	NULL
};

static int
is_nsd_option(const char *name)
{
	size_t n = strlen(name);
	int i;

	for (i = 0; nsd_options[i] != NULL; i++)
		if (strcmp(nsd_options[i], name) == 0)
			return 1;
	/* server-N-cpu-affinity, one per server process */
	if (n > 20 && strncmp(name, "server-", 7) == 0 &&
	    strcmp(name + n - 13, "-cpu-affinity") == 0)
		return 1;
	return 0;
}

static void
warn_unused(struct loader *ld, const char *name, const char *file, int line)
{
	struct warned *w;

	for (w = ld->warned; w != NULL; w = w->next)
		if (strcmp(w->name, name) == 0)
			return;
	w = xcalloc(1, sizeof(*w));
	w->name = xstrdup(name);
	w->next = ld->warned;
	ld->warned = w;
	conf_warn(ld, file, line, "'%s' is an nsd.conf option hpagent does "
	    "not use; ignored", name);
}

/* -------------------------------------------------------- the clauses */

static const struct {
	const char *name;
	enum clause clause;
} clauses[] = {
	{ "server", C_SERVER },
	{ "key", C_KEY },
	{ "pattern", C_PATTERN },
	{ "zone", C_ZONE },
	{ "remote-control", C_RC },
	{ "dnssec-policy", C_POLICY },
	{ "verify", C_IGNORED },
	{ "dnstap", C_IGNORED },
	{ "tls-auth", C_IGNORED },
};

static const char *
clause_name(enum clause c)
{
	size_t i;

	for (i = 0; i < sizeof(clauses) / sizeof(clauses[0]); i++)
		if (clauses[i].clause == c)
			return clauses[i].name;
	return "top level";
}

static void
settings_init(struct settings *s)
{
	memset(s, 0, sizeof(*s));
	s->tail = &s->items;
}

void
conf_settings_free(struct settings *s)
{
	struct item *it, *nx;

	free(s->zonefile);
	free(s->source);
	free(s->catalog);
	free(s->catalog_group);
	free(s->dnssec_policy);
	for (it = s->items; it != NULL; it = nx) {
		nx = it->next;
		free(it->text);
		free(it);
	}
}

/* The key of the clause just read as a TSIG key: one that cannot be
 * made (a name that is not a domain name, a secret over TSIG_MAX_SECRET
 * octets) is kept, unusable, with a warning. */
static void
key_resolve(struct loader *ld, struct conf_key *k)
{
	int r;

	if (k->name == NULL || k->algorithm == NULL || ld->key_secret == NULL)
		return;
	r = tsig_key_init_raw(&k->tsig, k->name, k->algorithm,
	    ld->key_secret, ld->key_secret_len);
	if (r < 0)
		conf_warn(ld, k->file, k->line, "key %s unusable: %s", k->name,
		    r == HP_ETOOBIG ? "secret longer than 256 octets" :
		    r == HP_EPARSE ? "its name is not a domain name" :
		    hp_strerror(r));
	k->usable = r == 0;
}

static void
key_secret_drop(struct loader *ld)
{
	if (ld->key_secret != NULL)
		explicit_bzero(ld->key_secret, ld->key_secret_len);
	free(ld->key_secret);
	ld->key_secret = NULL;
	ld->key_secret_len = 0;
}

/* Close the clause being read: check what it must have, link it. */
void
conf_clause_end(struct loader *ld)
{
	struct conf *cfg = ld->cfg;
	const struct conf_key *dup;
	struct pattern *p;
	struct conf_key *k;
	struct zdef *z;

	if (ld->key != NULL) {
		k = ld->key;
		ld->key = NULL;
		if (k->name == NULL)
			conf_error(ld, k->file, k->line, "key: without name:");
		else if (k->algorithm == NULL && !ld->key_alg_seen)
			conf_error(ld, k->file, k->line,
			    "key '%s' has no algorithm:", k->name);
		else if (ld->key_secret == NULL && !ld->key_secret_seen)
			conf_error(ld, k->file, k->line,
			    "key '%s' has no secret:", k->name);
		if (k->name != NULL && (dup = conf_find_key(cfg, k->name)))
			conf_error(ld, k->file, k->line, "key '%s' is "
			    "already defined at %s:%d", k->name, dup->file,
			    dup->line);
		key_resolve(ld, k);
		key_secret_drop(ld);
		*ld->ktail = k;
		ld->ktail = &k->next;
		cfg->n_keys++;
	}
	if (ld->pat != NULL) {
		p = ld->pat;
		ld->pat = NULL;
		if (p->name == NULL)
			conf_error(ld, p->file, p->line,
			    "pattern: without name:");
		else {
			struct pattern *q;

			for (q = ld->patterns; q != NULL; q = q->next)
				if (q->name != NULL &&
				    strcmp(q->name, p->name) == 0) {
					conf_error(ld, p->file, p->line,
					    "pattern '%s' is already defined "
					    "at %s:%d", p->name, q->file,
					    q->line);
					break;
				}
		}
		*ld->ptail = p;
		ld->ptail = &p->next;
		cfg->n_patterns++;
	}
	if (ld->policy != NULL) {
		struct conf_policy *cp = ld->policy, *q;
		char err[256];

		ld->policy = NULL;
		if (!ld->policy_named)
			conf_error(ld, cp->file, cp->line,
			    "dnssec-policy: without name:");
		else if (sign_policy_check(&cp->p, err, sizeof(err)) < 0)
			conf_error(ld, cp->file, cp->line, "%s", err);
		for (q = cfg->policies; ld->policy_named && q != NULL;
		    q = q->next)
			if (strcmp(q->p.name, cp->p.name) == 0) {
				conf_error(ld, cp->file, cp->line, "dnssec-"
				    "policy '%s' is already defined at %s:%d",
				    cp->p.name, q->file, q->line);
				break;
			}
		*ld->poltail = cp;
		ld->poltail = &cp->next;
	}
	if (ld->zone != NULL) {
		z = ld->zone;
		ld->zone = NULL;
		if (z->name == NULL)
			conf_error(ld, z->file, z->line,
			    "zone: without name:");
		*ld->ztail = z;
		ld->ztail = &z->next;
	}
}

static void
clause_begin(struct loader *ld, enum clause c, const char *file, int line)
{
	conf_clause_end(ld);
	ld->clause = c;
	ld->clause_file = file;
	ld->clause_line = line;
	if (c == C_KEY) {
		ld->key_alg_seen = ld->key_secret_seen = 0;
		ld->key = xcalloc(1, sizeof(*ld->key));
		ld->key->file = file;
		ld->key->line = line;
	} else if (c == C_PATTERN) {
		ld->pat = xcalloc(1, sizeof(*ld->pat));
		settings_init(&ld->pat->s);
		ld->pat->file = file;
		ld->pat->line = line;
	} else if (c == C_POLICY) {
		ld->policy = xcalloc(1, sizeof(*ld->policy));
		sign_policy_init(&ld->policy->p, NULL);
		ld->policy->file = file;
		ld->policy->line = line;
		ld->policy_named = 0;
	} else if (c == C_ZONE) {
		ld->zone = xcalloc(1, sizeof(*ld->zone));
		settings_init(&ld->zone->s);
		ld->zone->file = file;
		ld->zone->line = line;
	}
}

/* The settings of the zone: or pattern: being read. */
static struct settings *
cur_settings(struct loader *ld)
{
	if (ld->clause == C_ZONE)
		return &ld->zone->s;
	return &ld->pat->s;
}

/* ----------------------------------------------------------- handlers */

#define FIELD(ld, off, type)	((type *)((char *)(ld)->cfg + (off)))

static void
h_srv_str(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	char **f = FIELD(ld, st->off, char *);

	free(*f);
	*f = xstrdup(v->v[0]);
}

static void
h_srv_ip(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	struct conf *cfg = ld->cfg;
	struct conf_acl a;
	char msg[160];
	char **n;

	(void)st;
	if (conf_parse_addr(v->v[0], &a, msg, sizeof(msg)) < 0) {
		conf_error(ld, v->file, v->line, "ip-address: %s", msg);
		return;
	}
	if (a.kind != ACL_SINGLE) {
		conf_error(ld, v->file, v->line, "ip-address: expected ADDR "
		    "or ADDR@PORT, not '%s'", v->v[0]);
		return;
	}
	n = realloc(cfg->ip_address, (cfg->n_ip_address + 1) * sizeof(*n));
	if (n == NULL)
		abort();
	cfg->ip_address = n;
	n[cfg->n_ip_address++] = xstrdup(v->v[0]);
}

static void
h_srv_port(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	unsigned long long n;

	(void)st;
	if (parse_uint(v->v[0], 65535, &n) < 0 || n == 0)
		conf_error(ld, v->file, v->line, "port: expected 1..65535, "
		    "not '%s'", v->v[0]);
	else
		ld->cfg->port = (uint16_t)n;
}

static void
h_srv_int(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	unsigned long long n;

	if (parse_uint(v->v[0], INT_MAX, &n) < 0)
		conf_error(ld, v->file, v->line, "%s: expected a number, "
		    "not '%s'", st->name, v->v[0]);
	else
		*FIELD(ld, st->off, int) = (int)n;
}

static void
h_srv_uint(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	unsigned long long n;

	if (parse_uint(v->v[0], UINT_MAX, &n) < 0)
		conf_error(ld, v->file, v->line, "%s: expected a number, "
		    "not '%s'", st->name, v->v[0]);
	else
		*FIELD(ld, st->off, unsigned) = (unsigned)n;
}

/* Limits with a range: connection counts, seconds, the TSIG fudge. */
static const struct {
	const char *name;
	unsigned long long min, max;
	const char *what;
} srv_ranges[] = {
	{ "http-max-connections", 1, 1000000, "connections" },
	{ "http-max-connections-per-address", 1, 1000000, "connections" },
	{ "http-request-timeout", 1, 3600, "seconds" },
	{ "tcp-count", 1, 1000000, "connections" },
	{ "tcp-count-per-address", 1, 1000000, "connections" },
	{ "tsig-max-fudge", 1, 65535, "seconds" },
};

static void
h_srv_range(struct loader *ld, const struct stmt *st,
    const struct stmt_val *v)
{
	unsigned long long n;
	size_t i;

	for (i = 0; i < sizeof(srv_ranges) / sizeof(srv_ranges[0]); i++)
		if (strcmp(srv_ranges[i].name, st->name) == 0)
			break;
	if (i == sizeof(srv_ranges) / sizeof(srv_ranges[0]))
		abort();	/* a statement without its row */
	if (parse_uint(v->v[0], srv_ranges[i].max, &n) < 0 ||
	    n < srv_ranges[i].min)
		conf_error(ld, v->file, v->line, "%s: expected %llu..%llu %s, "
		    "not '%s'", st->name, srv_ranges[i].min,
		    srv_ranges[i].max, srv_ranges[i].what, v->v[0]);
	else
		*FIELD(ld, st->off, unsigned) = (unsigned)n;
}

/* A size: a number with an optional k, m or g (powers of 1024). */
static void
h_srv_size(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	char buf[32];
	size_t len = strlen(v->v[0]);
	unsigned long long n, mul = 1;

	if (len == 0 || len >= sizeof(buf))
		goto bad;
	memcpy(buf, v->v[0], len + 1);
	switch (tolower((unsigned char)buf[len - 1])) {
	case 'k': mul = 1ULL << 10; break;
	case 'm': mul = 1ULL << 20; break;
	case 'g': mul = 1ULL << 30; break;
	}
	if (mul != 1)
		buf[len - 1] = '\0';
	if (parse_uint(buf, UINT64_MAX / mul, &n) < 0 || n == 0)
		goto bad;
	*FIELD(ld, st->off, uint64_t) = n * mul;
	return;
bad:
	conf_error(ld, v->file, v->line, "%s: expected a size (e.g. 256m), "
	    "not '%s'", st->name, v->v[0]);
}

/* http-listen: "ADDR@PORT" (an IPv6 address may be in brackets): the
 * address and the port apart, for the HTTP server. */
static void
h_srv_http(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	struct conf *cfg = ld->cfg;
	const char *spec = v->v[0], *at, *q;
	size_t alen;
	long p = 0;

	at = strrchr(spec, '@');
	if (at == NULL || at == spec || at[1] == '\0')
		goto bad;
	alen = (size_t)(at - spec);
	if (spec[0] == '[' && alen >= 2 && spec[alen - 1] == ']') {
		spec++;
		alen -= 2;
	}
	for (q = at + 1; *q != '\0'; q++) {
		if (*q < '0' || *q > '9' || p > 65535)
			goto bad;
		p = p * 10 + (*q - '0');
	}
	if (p < 1 || p > 65535 || alen == 0)
		goto bad;
	free(cfg->http_host);
	cfg->http_host = xcalloc(1, alen + 1);
	memcpy(cfg->http_host, spec, alen);
	cfg->http_port = (uint16_t)p;
	ld->http_file = v->file;
	ld->http_line = v->line;
	h_srv_str(ld, st, v);
	return;
bad:
	conf_error(ld, v->file, v->line, "http-listen: want ADDR@PORT, got "
	    "\"%s\"", v->v[0]);
}

/* webhook-secret: and api-token: -- stored, never echoed. */
static void
h_srv_secret(struct loader *ld, const struct stmt *st,
    const struct stmt_val *v)
{
	if (strlen(v->v[0]) < 16)
		conf_error(ld, v->file, v->line, "%s: too short (at least 16 "
		    "characters)", st->name);
	h_srv_str(ld, st, v);
}

static void
h_key_name(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	(void)st;
	free(ld->key->name);
	ld->key->name = xstrdup(v->v[0]);
}

static void
h_key_alg(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	const struct tsig_alg *alg;

	(void)st;
	ld->key_alg_seen = 1;
	if ((alg = tsig_alg_by_name(v->v[0])) == NULL) {
		conf_error(ld, v->file, v->line, "unknown TSIG algorithm "
		    "'%s' (hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, "
		    "hmac-sha384 or hmac-sha512)", v->v[0]);
		return;
	}
	ld->key->algorithm = alg->name;
}

static void
h_key_secret(struct loader *ld, const struct stmt *st,
    const struct stmt_val *v)
{
	size_t len = strlen(v->v[0]), cap = len / 4 * 3 + 3, n;
	unsigned char *buf;

	(void)st;
	ld->key_secret_seen = 1;
	buf = xcalloc(1, cap);
	if (tsig_b64_decode(v->v[0], buf, cap, &n) < 0) {
		/* The value is a secret: never print it. */
		conf_error(ld, v->file, v->line, "secret: of key '%s' is not "
		    "valid base64", ld->key->name ? ld->key->name : "?");
		free(buf);
		return;
	}
	key_secret_drop(ld);
	ld->key_secret = buf;
	ld->key_secret_len = n;
}

static void
h_pat_name(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	(void)st;
	if (ld->clause == C_ZONE) {
		free(ld->zone->name);
		ld->zone->name = xstrdup(v->v[0]);
	} else {
		free(ld->pat->name);
		ld->pat->name = xstrdup(v->v[0]);
	}
}

static void
h_zonefile(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	struct settings *s = cur_settings(ld);

	(void)st;
	free(s->zonefile);
	s->zonefile = xstrdup(v->v[0]);
}

static void
h_source(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	struct settings *s = cur_settings(ld);

	(void)st;
	free(s->source);
	s->source = xstrdup(v->v[0]);
}

static void
h_policy(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	struct settings *s = cur_settings(ld);
	int p = serial_policy_parse(v->v[0]);

	(void)st;
	if (p < 0) {
		conf_error(ld, v->file, v->line, "serial-policy: expected "
		    "increment, unixtime or dateserial, not '%s'", v->v[0]);
		return;
	}
	s->policy = p;
	s->has_policy = 1;
}

static void
h_mjv(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	struct settings *s = cur_settings(ld);
	unsigned long long n;

	if (parse_uint(v->v[0], UINT_MAX, &n) < 0) {
		conf_error(ld, v->file, v->line, "%s: expected a number, "
		    "not '%s'", st->name, v->v[0]);
		return;
	}
	s->mjv = (unsigned)n;
	s->has_mjv = 1;
}

static void
h_mode(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	struct settings *s = cur_settings(ld);

	(void)st;
	if (strcmp(v->v[0], "merge") != 0 && strcmp(v->v[0], "replace") != 0) {
		conf_error(ld, v->file, v->line, "source-mode: expected merge "
		    "or replace, not '%s'", v->v[0]);
		return;
	}
	s->replace = strcmp(v->v[0], "replace") == 0;
	s->has_mode = 1;
}

/* catalog: producer (a zone: hpagent writes its records from its
 * members); consumer is for secondaries. */
static void
h_catalog(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	(void)st;
	if (strcmp(v->v[0], "producer") == 0) {
		ld->zone->s.producer = 1;
		return;
	}
	conf_error(ld, v->file, v->line, "catalog: expected producer%s, not "
	    "'%s'", strcmp(v->v[0], "consumer") == 0 ? " (hpagent is a "
	    "primary: a catalog is consumed by the secondaries)" : "",
	    v->v[0]);
}

/* catalog-producer-zone: NAME -- the catalog that lists the zone. */
static void
h_catzone(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	struct settings *s = cur_settings(ld);
	char norm[DNAME_MAXSTR];
	const char *why;

	(void)st;
	if (dname_norm(v->v[0], strlen(v->v[0]), norm, sizeof(norm),
	    &why) < 0 || strcmp(norm, ".") == 0) {
		conf_error(ld, v->file, v->line, "catalog-producer-zone: '%s' "
		    "is not a valid domain name", v->v[0]);
		return;
	}
	free(s->catalog);
	s->catalog = xstrdup(norm);
}

/* catalog-group: TEXT -- the member's group property (RFC 9432 4.4.2). */
static void
h_catgroup(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	struct settings *s = cur_settings(ld);

	(void)st;
	if (strlen(v->v[0]) == 0 || strlen(v->v[0]) > 255) {
		conf_error(ld, v->file, v->line, "catalog-group: expected 1 "
		    "to 255 characters");
		return;
	}
	free(s->catalog_group);
	s->catalog_group = xstrdup(v->v[0]);
}

/* max-delete: PERCENT (0..100), with or without a '%' */
static int
parse_percent(const char *v, unsigned *out)
{
	unsigned long long n;
	char buf[8];
	size_t len = strlen(v);

	if (len > 0 && v[len - 1] == '%')
		len--;
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	if (parse_uint(buf, 100, &n) < 0)
		return -1;
	*out = (unsigned)n;
	return 0;
}

static void
h_maxdel(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	struct settings *s;
	unsigned n;

	if (parse_percent(v->v[0], &n) < 0) {
		conf_error(ld, v->file, v->line, "%s: expected a percentage "
		    "0..100, not '%s'", st->name, v->v[0]);
		return;
	}
	if (ld->clause == C_SERVER) {
		ld->cfg->max_delete = n;
		return;
	}
	s = cur_settings(ld);
	s->maxdel = n;
	s->has_maxdel = 1;
}

static void
h_retry(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	struct settings *s = cur_settings(ld);
	unsigned long long n;

	if (parse_uint(v->v[0], 100, &n) < 0) {
		conf_error(ld, v->file, v->line, "%s: expected 0..100, "
		    "not '%s'", st->name, v->v[0]);
		return;
	}
	s->retry = (int)n;
	s->has_retry = 1;
}

/* sync-timeout: (1 s .. a day) and probe-interval: (0 = no periodic
 * probes .. a day): a duration, in server:, pattern: or zone:. */
static int
secs_value(struct loader *ld, const struct stmt *st, const struct stmt_val *v,
    int *out)
{
	int min = strcmp(st->name, "sync-timeout") == 0;

	if (parse_secs(v->v[0], 86400, out) < 0 || *out < min) {
		conf_error(ld, v->file, v->line, "%s: expected %d..86400 "
		    "seconds (or with m, h), not '%s'", st->name, min,
		    v->v[0]);
		return -1;
	}
	return 0;
}

static void
h_srv_secs(struct loader *ld, const struct stmt *st,
    const struct stmt_val *v)
{
	int n;

	if (secs_value(ld, st, v, &n) == 0)
		*FIELD(ld, st->off, int) = n;
}

static void
h_secs(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	struct settings *s = cur_settings(ld);
	int n;

	if (secs_value(ld, st, v, &n) < 0)
		return;
	if (strcmp(st->name, "sync-timeout") == 0) {
		s->sync_timeout = n;
		s->has_sync = 1;
	} else {
		s->probe_interval = n;
		s->has_probe = 1;
	}
}

/* dnssec-signing: yes|no */
static void
h_signing(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	struct settings *s = cur_settings(ld);

	(void)st;
	if (strcmp(v->v[0], "yes") != 0 && strcmp(v->v[0], "no") != 0) {
		conf_error(ld, v->file, v->line, "dnssec-signing: expected yes "
		    "or no, not '%s'", v->v[0]);
		return;
	}
	s->signing = strcmp(v->v[0], "yes") == 0;
	s->has_signing = 1;
}

/* dnssec-policy: NAME in a zone: or pattern: (resolved with the zones) */
static void
h_zone_policy(struct loader *ld, const struct stmt_val *v)
{
	struct settings *s = cur_settings(ld);

	free(s->dnssec_policy);
	s->dnssec_policy = xstrdup(v->v[0]);
	s->policy_file = v->file;
	s->policy_line = v->line;
}

/* A statement of the dnssec-policy: clause being read. */
static void
policy_statement(struct loader *ld, const char *kw, const struct stmt_val *v)
{
	struct conf_policy *cp = ld->policy;
	char err[256];
	int r;

	if (v->n != 1) {
		conf_error(ld, v->file, v->line, "%s: expected one value", kw);
		return;
	}
	if (strcmp(kw, "name") == 0) {
		if (strlen(v->v[0]) == 0 || strlen(v->v[0]) >=
		    sizeof(cp->p.name)) {
			conf_error(ld, v->file, v->line, "dnssec-policy name: "
			    "1 to %zu characters", sizeof(cp->p.name) - 1);
			return;
		}
		snprintf(cp->p.name, sizeof(cp->p.name), "%s", v->v[0]);
		ld->policy_named = 1;
		return;
	}
	r = sign_policy_set(&cp->p, kw, v->v[0], err, sizeof(err));
	if (r == HP_ENOENT)
		conf_error(ld, v->file, v->line, "unknown statement '%s' in "
		    "dnssec-policy: (algorithm, single-type-signing, "
		    "rrsig-lifetime, rrsig-refresh, zsk-lifetime, ksk-lifetime,"
		    " nsec3, nsec3-iterations, nsec3-salt, dnskey-ttl, "
		    "zone-max-ttl, propagation-delay, parent-ds-ttl, "
		    "cds-cdnskey-publish)", kw);
	else if (r < 0)
		conf_error(ld, v->file, v->line, "%s: %s", kw, err);
}

/* update-wait: (seconds, 0..300) and update-coalesce: (ms, 0..10000). */
static void
h_update(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	struct settings *s = cur_settings(ld);
	unsigned long long n;
	int secs = strcmp(st->name, "update-wait") == 0;
	int wait;

	if (secs) {
		if (parse_secs(v->v[0], 300, &wait) < 0) {
			conf_error(ld, v->file, v->line, "update-wait: "
			    "expected 0..300 seconds (or with m), not '%s'",
			    v->v[0]);
			return;
		}
		s->update_wait = wait;
		s->has_uwait = 1;
		return;
	}
	if (parse_uint(v->v[0], 10000, &n) < 0) {
		conf_error(ld, v->file, v->line, "update-coalesce: expected "
		    "0..10000 milliseconds, not '%s'", v->v[0]);
		return;
	}
	s->update_coalesce = (int)n;
	s->has_ucoal = 1;
}

/* notify:, provide-xfr:, outgoing-interface:, include-pattern: -- kept
 * as written; checked when keys and patterns are all known. */
static void
h_item(struct loader *ld, const struct stmt *st, const struct stmt_val *v)
{
	struct settings *s = cur_settings(ld);
	struct item *it;
	size_t len = 0;
	int i;

	for (i = 0; i < v->n; i++)
		len += strlen(v->v[i]) + 1;
	it = xcalloc(1, sizeof(*it));
	it->kind = (enum item_kind)st->off;
	it->text = xcalloc(1, len);
	for (i = 0, len = 0; i < v->n; i++) {
		size_t n = strlen(v->v[i]);

		if (i > 0)
			it->text[len++] = ' ';
		memcpy(it->text + len, v->v[i], n);
		len += n;
	}
	it->file = v->file;
	it->line = v->line;
	*s->tail = it;
	s->tail = &it->next;
}

#define SRV(f)	offsetof(struct conf, f)

static const struct stmt statements[] = {
	{ "ip-address", C_SERVER, 1, 1, h_srv_ip, 0 },
	{ "port", C_SERVER, 1, 1, h_srv_port, 0 },
	{ "zonesdir", C_SERVER, 1, 1, h_srv_str, SRV(zonesdir) },
	{ "username", C_SERVER, 1, 1, h_srv_str, SRV(username) },
	{ "chroot", C_SERVER, 1, 1, h_srv_str, SRV(chroot) },
	{ "verbosity", C_SERVER, 1, 1, h_srv_int, SRV(verbosity) },
	{ "logfile", C_SERVER, 1, 1, h_srv_str, SRV(logfile) },
	{ "pidfile", C_SERVER, 1, 1, h_srv_str, SRV(pidfile) },
	{ "database", C_SERVER, 1, 1, h_srv_str, SRV(database) },
	{ "max-journal-versions", C_SERVER, 1, 1, h_srv_uint,
	    SRV(max_journal_versions) },
	{ "http-listen", C_SERVER, 1, 1, h_srv_http, SRV(http_listen) },
	{ "webhook-secret", C_SERVER, 1, 1, h_srv_secret,
	    SRV(webhook_secret) },
	{ "api-token", C_SERVER, 1, 1, h_srv_secret, SRV(api_token) },
	{ "ca-file", C_SERVER, 1, 1, h_srv_str, SRV(ca_file) },
	{ "max-zone-size", C_SERVER, 1, 1, h_srv_size, SRV(max_zone_size) },
	{ "webhook-max-body", C_SERVER, 1, 1, h_srv_size,
	    SRV(webhook_max_body) },
	{ "http-max-connections", C_SERVER, 1, 1, h_srv_range,
	    SRV(http_max_conns) },
	{ "http-max-connections-per-address", C_SERVER, 1, 1, h_srv_range,
	    SRV(http_max_per_addr) },
	{ "http-request-timeout", C_SERVER, 1, 1, h_srv_range,
	    SRV(http_request_timeout) },
	{ "tcp-count", C_SERVER, 1, 1, h_srv_range, SRV(tcp_count) },
	{ "tcp-count-per-address", C_SERVER, 1, 1, h_srv_range,
	    SRV(tcp_count_per_addr) },
	{ "tsig-max-fudge", C_SERVER, 1, 1, h_srv_range,
	    SRV(tsig_max_fudge) },
	{ "dnssec-keystore", C_SERVER, 1, 1, h_srv_str, SRV(dnssec_keystore) },
	{ "sync-timeout", C_SERVER, 1, 1, h_srv_secs, SRV(sync_timeout) },
	{ "probe-interval", C_SERVER, 1, 1, h_srv_secs,
	    SRV(probe_interval) },
	{ "max-delete", C_SERVER | C_ZP, 1, 1, h_maxdel, 0 },
	{ "name", C_KEY, 1, 1, h_key_name, 0 },
	{ "algorithm", C_KEY, 1, 1, h_key_alg, 0 },
	{ "secret", C_KEY, 1, 1, h_key_secret, 0 },
	{ "name", C_ZP, 1, 1, h_pat_name, 0 },
	{ "zonefile", C_ZP, 1, 1, h_zonefile, 0 },
	{ "source", C_ZP, 1, 1, h_source, 0 },
	{ "serial-policy", C_ZP, 1, 1, h_policy, 0 },
	{ "max-journal-versions", C_ZP, 1, 1, h_mjv, 0 },
	{ "source-mode", C_ZP, 1, 1, h_mode, 0 },
	{ "notify-retry", C_ZP, 1, 1, h_retry, 0 },
	{ "sync-timeout", C_ZP, 1, 1, h_secs, 0 },
	{ "probe-interval", C_ZP, 1, 1, h_secs, 0 },
	{ "dnssec-signing", C_ZP, 1, 1, h_signing, 0 },
	{ "notify", C_ZP, 2, 2, h_item, IT_NOTIFY },
	{ "provide-xfr", C_ZP, 2, 2, h_item, IT_PROVIDE },
	{ "outgoing-interface", C_ZP, 1, 1, h_item, IT_OUTIF },
	{ "include-pattern", C_ZP, 1, 1, h_item, IT_INCLUDE },
	{ "catalog", C_ZONE, 1, 1, h_catalog, 0 },
	{ "catalog-producer-zone", C_ZP, 1, 1, h_catzone, 0 },
	{ "catalog-group", C_ZP, 1, 1, h_catgroup, 0 },
	{ "allow-update", C_ZP, 2, 4, h_item, IT_UPDATE },
	{ "update-wait", C_ZP, 1, 1, h_update, 0 },
	{ "update-coalesce", C_ZP, 1, 1, h_update, 0 },
	{ NULL, 0, 0, 0, NULL, 0 }
};

/* One statement: KW and its values. */
void
conf_statement(struct loader *ld, const char *kw, const struct stmt_val *v)
{
	const struct stmt *st, *named = NULL;
	size_t i;

	/* dnssec-policy: NAME in a zone or pattern; without a value it
	 * opens the clause that defines one */
	if (strcmp(kw, "dnssec-policy") == 0 && v->n > 0 &&
	    (ld->clause & C_ZP)) {
		if (v->n > 1)
			conf_error(ld, v->file, v->line, "dnssec-policy: too "
			    "many values (expected 1)");
		else
			h_zone_policy(ld, v);
		return;
	}
	if (ld->clause == C_POLICY && strcmp(kw, "dnssec-policy") != 0) {
		for (i = 0; i < sizeof(clauses) / sizeof(clauses[0]); i++)
			if (strcmp(clauses[i].name, kw) == 0)
				break;
		if (i == sizeof(clauses) / sizeof(clauses[0])) {
			policy_statement(ld, kw, v);
			return;
		}
	}
	for (i = 0; i < sizeof(clauses) / sizeof(clauses[0]); i++)
		if (strcmp(clauses[i].name, kw) == 0) {
			if (v->n > 0)
				conf_error(ld, v->file, v->line, "%s: takes "
				    "no value", kw);
			if (clauses[i].clause == C_IGNORED)
				warn_unused(ld, kw, v->file, v->line);
			clause_begin(ld, clauses[i].clause, v->file, v->line);
			return;
		}
	for (st = statements; st->name != NULL; st++) {
		if (strcmp(st->name, kw) != 0)
			continue;
		named = st;
		if (st->clauses & ld->clause)
			break;
	}
	if (st->name == NULL) {
		if (ld->clause == C_IGNORED &&
		    (named != NULL || is_nsd_option(kw)))
			return;
		if (named != NULL)
			conf_error(ld, v->file, v->line, "'%s' is not allowed "
			    "in %s%s", kw, clause_name(ld->clause),
			    ld->clause == C_NONE ? "" : ":");
		else if (is_nsd_option(kw))
			warn_unused(ld, kw, v->file, v->line);
		else
			conf_error(ld, v->file, v->line, "unknown statement "
			    "'%s'", kw);
		return;
	}
	if (v->n < st->min)
		conf_error(ld, v->file, v->line, "%s: missing value", kw);
	else if (v->n > st->max)
		conf_error(ld, v->file, v->line, "%s: too many values "
		    "(expected %d)", kw, st->max);
	else
		st->fn(ld, st, v);
}
