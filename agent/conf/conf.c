/*
 * config.c -- agent.conf in the grammar of nsd.conf (see config.h).
 *
 * A file is read whole and cut into tokens: "word:" (unquoted) is a
 * keyword, anything else a value. A keyword and the values after it form
 * a statement. Clause keywords (server:, key:, pattern:, zone:,
 * remote-control:) open a clause; every other statement is looked up in
 * one table (name, clauses allowed, number of values, handler), as Knot's
 * conf/schema.c does. Patterns, key names and paths are resolved after
 * the last file, so a pattern or key may be used before it is defined.
 * Every error is printed as "file:line: message"; loading goes on so all
 * of them are reported. No message ever prints a secret.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent/conf/conf.h"
#include "dns/err.h"
#include "dns/serial.h"

#define CONF_MAX_FILE	(16 * 1024 * 1024)
#define CONF_MAX_DEPTH	16	/* include: nesting */
#define CONF_MAX_VALUES	8	/* values in one statement */
#define PATTERN_DEPTH	32	/* include-pattern: nesting */
#define PATTERN_MAX_APPLY 1024	/* include-pattern: expansions per zone */

enum clause {
	C_NONE = 0,
	C_SERVER = 1 << 0,
	C_KEY = 1 << 1,
	C_PATTERN = 1 << 2,
	C_ZONE = 1 << 3,
	C_RC = 1 << 4,
	C_IGNORED = 1 << 5,	/* nsd.conf clauses hpagent does not use */
};
#define C_ZP	(C_ZONE | C_PATTERN)

/* A list statement of a zone or pattern, kept in order of appearance. */
enum item_kind { IT_NOTIFY, IT_PROVIDE, IT_OUTIF, IT_INCLUDE };

struct item {
	enum item_kind kind;
	char *text;
	const char *file;
	int line;
	struct item *next;
};

/* What a zone: or pattern: clause says, before patterns are applied. */
struct settings {
	char *zonefile;
	char *source;
	int has_policy, has_mjv, has_retry;
	enum serial_policy policy;
	unsigned mjv;
	int retry;
	struct item *items, **tail;
};

struct hp_pattern {
	char *name;
	struct settings s;
	const char *file;
	int line;
	int state;		/* loop check: 0 new, 1 visiting, 2 done */
	struct hp_pattern *next;
};

struct zdef {
	char *name;		/* as written */
	struct settings s;
	const char *file;
	int line;
	struct zdef *next;
};

struct warned {
	char *name;
	struct warned *next;
};

struct stmt_val {
	char **v;
	int n;
	const char *file;
	int line;
};

struct loader {
	struct hp_config *cfg;
	FILE *errs;
	int nerr;
	char *dir;			/* the config file's directory */
	enum clause clause;
	const char *clause_file;
	int clause_line;
	struct hp_key *key;		/* the clause being read */
	int key_alg_seen, key_secret_seen; /* even if invalid */
	struct hp_pattern *pat;
	struct zdef *zone;
	struct zdef *zdefs, **ztail;
	struct hp_key **ktail;
	struct hp_pattern **ptail;
	char *stack[CONF_MAX_DEPTH];	/* real paths of open files */
	int depth;
	struct warned *warned;
	unsigned applied;		/* include-pattern: expansions, this zone */
};

struct token {
	char *text;
	int line;
	int keyword;
};

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

static void parse_file(struct loader *, const char *, const char *, int);

/* ---------------------------------------------------------------- util */

static void
conf_error(struct loader *ld, const char *file, int line, const char *fmt,
    ...)
{
	va_list ap;

	if (line > 0)
		fprintf(ld->errs, "%s:%d: ", file, line);
	else
		fprintf(ld->errs, "%s: ", file);
	va_start(ap, fmt);
	vfprintf(ld->errs, fmt, ap);
	va_end(ap);
	fputc('\n', ld->errs);
	ld->nerr++;
}

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL) {
		fputs("hpagent: out of memory\n", stderr);
		abort();
	}
	return p;
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL) {
		fputs("hpagent: out of memory\n", stderr);
		abort();
	}
	return p;
}

/* DIR/P, or a copy of P when it is absolute (or DIR is NULL). */
static char *
path_join(const char *dir, const char *p)
{
	size_t n;
	char *r;

	if (p[0] == '/' || dir == NULL || dir[0] == '\0')
		return xstrdup(p);
	n = strlen(dir) + strlen(p) + 2;
	r = xcalloc(1, n);
	snprintf(r, n, "%s/%s", dir, p);
	return r;
}

/* The directory part of PATH ("." when none). */
static char *
path_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *r;

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	r = xcalloc(1, slash - path + 1);
	memcpy(r, path, slash - path);
	return r;
}

/* Decimal 0..MAX, the whole string. */
static int
parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (*s == '\0')
		return HP_EINVAL;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return HP_EINVAL;
		if (v > (max - (*s - '0')) / 10)
			return HP_ERANGE;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

/* Strict base64 (RFC 4648 §4, padding required). Returns the decoded
 * length or negative. OUT must hold strlen(s) / 4 * 3 bytes. */
static int
base64_decode(const char *s, unsigned char *out)
{
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t len = strlen(s), i, o = 0;
	int j, pad;
	unsigned v;
	const char *p;

	if (len == 0 || len % 4 != 0)
		return HP_EINVAL;
	for (i = 0; i < len; i += 4) {
		v = 0;
		pad = 0;
		for (j = 0; j < 4; j++) {
			char c = s[i + j];

			if (c == '=' && i + 4 == len && j >= 2) {
				pad++;
				v <<= 6;
				continue;
			}
			if (pad > 0 || c == '\0' ||
			    (p = strchr(alpha, c)) == NULL)
				return HP_EINVAL;
			v = (v << 6) | (unsigned)(p - alpha);
		}
		out[o++] = v >> 16;
		if (pad < 2)
			out[o++] = (v >> 8) & 0xff;
		if (pad < 1)
			out[o++] = v & 0xff;
	}
	return (int)o;
}

/* ------------------------------------------------------------- the ACL */

static int
acl_msg(char *msg, size_t msglen, const char *fmt, const char *arg)
{
	if (msg != NULL && msglen > 0)
		snprintf(msg, msglen, fmt, arg);
	return HP_EINVAL;
}

static int
parse_ip(const char *s, int *family, unsigned char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;

	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, &a4) == 1) {
		*family = AF_INET;
		memcpy(addr, &a4, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a6) == 1) {
		*family = AF_INET6;
		memcpy(addr, &a6, 16);
		return 0;
	}
	return HP_EINVAL;
}

/* A contiguous netmask to a prefix length, or -1. */
static int
mask_prefix(const unsigned char *m, int bytes)
{
	int i, bit, n = 0, ended = 0;

	for (i = 0; i < bytes; i++)
		for (bit = 7; bit >= 0; bit--) {
			if (m[i] & (1 << bit)) {
				if (ended)
					return -1;
				n++;
			} else
				ended = 1;
		}
	return n;
}

int
config_parse_addr(const char *spec, struct hp_acl *acl, char *msg,
    size_t msglen)
{
	char buf[128], *at, *sep;
	unsigned long long v;
	unsigned char m[16];
	int fam2, len;

	memset(acl, 0, sizeof(*acl));
	acl->action = ACL_NOKEY;
	if (strlen(spec) >= sizeof(buf))
		return acl_msg(msg, msglen, "address too long: '%.40s...'",
		    spec);
	memcpy(buf, spec, strlen(spec) + 1);
	if ((at = strchr(buf, '@')) != NULL) {
		*at++ = '\0';
		if (parse_uint(at, 65535, &v) < 0 || v == 0)
			return acl_msg(msg, msglen, "bad port '%s'", at);
		acl->port = (uint16_t)v;
	}
	acl->kind = ACL_SINGLE;
	if ((sep = strpbrk(buf, "/&-")) != NULL) {
		char c = *sep;

		*sep++ = '\0';
		if (parse_ip(buf, &acl->family, acl->addr) < 0)
			return acl_msg(msg, msglen, "bad address '%s'", buf);
		len = acl->family == AF_INET ? 32 : 128;
		if (c == '/') {
			if (parse_uint(sep, len, &v) < 0)
				return acl_msg(msg, msglen,
				    "bad prefix length '%s'", sep);
			acl->kind = ACL_PREFIX;
			acl->prefix = (int)v;
		} else if (c == '&') {
			if (parse_ip(sep, &fam2, m) < 0 ||
			    fam2 != acl->family ||
			    (acl->prefix = mask_prefix(m, len / 8)) < 0)
				return acl_msg(msg, msglen,
				    "bad netmask '%s'", sep);
			acl->kind = ACL_PREFIX;
		} else {
			if (parse_ip(sep, &fam2, acl->addr_hi) < 0 ||
			    fam2 != acl->family)
				return acl_msg(msg, msglen,
				    "bad range end '%s'", sep);
			if (memcmp(acl->addr, acl->addr_hi, len / 8) > 0)
				return acl_msg(msg, msglen,
				    "range '%s' ends before it starts", spec);
			acl->kind = ACL_RANGE;
		}
		return 0;
	}
	if (parse_ip(buf, &acl->family, acl->addr) < 0)
		return acl_msg(msg, msglen, "bad address '%s'", buf);
	return 0;
}

int
config_parse_acl(const struct hp_config *cfg, const char *value,
    struct hp_acl *acl, char *msg, size_t msglen)
{
	char addr[128], keyname[256];
	const char *p = value, *q;
	size_t n, tlen;
	struct hp_acl a;
	int r;

	while (isspace((unsigned char)*p))
		p++;
	for (q = p; *q != '\0' && !isspace((unsigned char)*q); q++)
		;
	n = q - p;
	if (n == 0 || n >= sizeof(addr))
		return acl_msg(msg, msglen, "%s",
		    "expected: ADDRESS KEY-NAME|NOKEY|BLOCKED");
	memcpy(addr, p, n);
	addr[n] = '\0';
	for (p = q; isspace((unsigned char)*p); p++)
		;
	for (q = p; *q != '\0' && !isspace((unsigned char)*q); q++)
		;
	n = q - p;
	if (n == 0)
		return acl_msg(msg, msglen, "missing key name (or NOKEY or "
		    "BLOCKED) after '%s'", addr);
	if (n >= sizeof(keyname))
		return acl_msg(msg, msglen, "%s", "key name too long");
	memcpy(keyname, p, n);
	keyname[n] = '\0';
	while (isspace((unsigned char)*q))
		q++;
	if (*q != '\0')
		return acl_msg(msg, msglen, "unexpected '%s' after the key "
		    "name", q);
	if ((r = config_parse_addr(addr, &a, msg, msglen)) < 0)
		return r;
	if (strcmp(keyname, "NOKEY") == 0)
		a.action = ACL_NOKEY;
	else if (strcmp(keyname, "BLOCKED") == 0)
		a.action = ACL_BLOCKED;
	else {
		a.action = ACL_KEY;
		if (cfg == NULL ||
		    (a.key = config_key(cfg, keyname)) == NULL)
			return acl_msg(msg, msglen, "unknown key '%s'",
			    keyname);
	}
	tlen = strlen(addr) + strlen(keyname) + 2;
	if ((a.text = malloc(tlen)) == NULL)
		return HP_ENOMEM;
	snprintf(a.text, tlen, "%s %s", addr, keyname);
	*acl = a;
	return 0;
}

void
config_acl_clear(struct hp_acl *acl)
{
	if (acl == NULL)
		return;
	free(acl->text);
	acl->text = NULL;
}

static int
prefix_match(const unsigned char *a, const unsigned char *b, int bits)
{
	int bytes = bits / 8, rest = bits % 8;
	unsigned char mask;

	if (memcmp(a, b, bytes) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[bytes] & mask) == (b[bytes] & mask);
}

int
config_acl_match_addr(const struct hp_acl *acl, const struct sockaddr *sa)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	unsigned char a[16] = { 0 };
	int family, len;
	uint16_t port;

	if (acl == NULL || sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		family = AF_INET;
		memcpy(a, &s4->sin_addr, 4);
		port = ntohs(s4->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		family = AF_INET6;
		memcpy(a, &s6->sin6_addr, 16);
		port = ntohs(s6->sin6_port);
		if (acl->family == AF_INET && memcmp(a, mapped, 12) == 0) {
			family = AF_INET;	/* v4-mapped */
			memmove(a, a + 12, 4);
			memset(a + 4, 0, 12);
		}
	} else
		return 0;
	if (family != acl->family)
		return 0;
	if (acl->port != 0 && acl->port != port)
		return 0;
	len = family == AF_INET ? 4 : 16;
	switch (acl->kind) {
	case ACL_SINGLE:
		return memcmp(a, acl->addr, len) == 0;
	case ACL_PREFIX:
		return prefix_match(a, acl->addr, acl->prefix);
	case ACL_RANGE:
		return memcmp(a, acl->addr, len) >= 0 &&
		    memcmp(a, acl->addr_hi, len) <= 0;
	}
	return 0;
}

/* ------------------------------------------------------ serial policies */

const char *
serial_policy_name(enum serial_policy p)
{
	const char *s = serial_policy_str((int)p);

	return s != NULL ? s : "unknown";
}

/* ----------------------------------------------------- TSIG algorithms */

static const char *const tsig_algorithms[] = {
	"hmac-md5", "hmac-sha1", "hmac-sha224", "hmac-sha256",
	"hmac-sha384", "hmac-sha512", NULL
};

/* -------------------------------------------- nsd.conf options we skip */

/* Every statement nsd.conf knows (NSD 4.x, man nsd.conf) that hpagent
 * does not use. They are warned about once each, never fatal. */
static const char *const nsd_options[] = {
	"allow-axfr-fallback", "allow-notify", "allow-query",
	"answer-cookie", "auth-domain-name", "catalog",
	"catalog-member-pattern", "catalog-producer-zone", "client-cert",
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
	"store-ixfr", "tcp-count", "tcp-mss", "tcp-query-count",
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
	fprintf(ld->errs, "%s:%d: warning: '%s' is an nsd.conf option "
	    "hpagent does not use; ignored\n", file, line, name);
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

static void
settings_free(struct settings *s)
{
	struct item *it, *nx;

	free(s->zonefile);
	free(s->source);
	for (it = s->items; it != NULL; it = nx) {
		nx = it->next;
		free(it->text);
		free(it);
	}
}

/* Close the clause being read: check what it must have, link it. */
static void
clause_end(struct loader *ld)
{
	struct hp_config *cfg = ld->cfg;
	const struct hp_key *dup;
	struct hp_pattern *p;
	struct hp_key *k;
	struct zdef *z;

	if (ld->key != NULL) {
		k = ld->key;
		ld->key = NULL;
		if (k->name == NULL)
			conf_error(ld, k->file, k->line, "key: without name:");
		else if (k->algorithm == NULL && !ld->key_alg_seen)
			conf_error(ld, k->file, k->line,
			    "key '%s' has no algorithm:", k->name);
		else if (k->secret == NULL && !ld->key_secret_seen)
			conf_error(ld, k->file, k->line,
			    "key '%s' has no secret:", k->name);
		if (k->name != NULL && (dup = config_key(cfg, k->name)))
			conf_error(ld, k->file, k->line, "key '%s' is "
			    "already defined at %s:%d", k->name, dup->file,
			    dup->line);
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
			struct hp_pattern *q;

			for (q = cfg->patterns; q != NULL; q = q->next)
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
	clause_end(ld);
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
	struct hp_config *cfg = ld->cfg;
	struct hp_acl a;
	char msg[160];
	char **n;

	(void)st;
	if (config_parse_addr(v->v[0], &a, msg, sizeof(msg)) < 0) {
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
	int i;

	(void)st;
	ld->key_alg_seen = 1;
	for (i = 0; tsig_algorithms[i] != NULL; i++)
		if (strcasecmp(tsig_algorithms[i], v->v[0]) == 0)
			break;
	if (tsig_algorithms[i] == NULL) {
		conf_error(ld, v->file, v->line, "unknown TSIG algorithm "
		    "'%s' (hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, "
		    "hmac-sha384 or hmac-sha512)", v->v[0]);
		return;
	}
	free(ld->key->algorithm);
	ld->key->algorithm = xstrdup(tsig_algorithms[i]);
}

static void
h_key_secret(struct loader *ld, const struct stmt *st,
    const struct stmt_val *v)
{
	size_t len = strlen(v->v[0]);
	unsigned char *buf;
	int n;

	(void)st;
	ld->key_secret_seen = 1;
	buf = xcalloc(1, len / 4 * 3 + 3);
	if ((n = base64_decode(v->v[0], buf)) <= 0) {
		/* The value is a secret: never print it. */
		conf_error(ld, v->file, v->line, "secret: of key '%s' is not "
		    "valid base64", ld->key->name ? ld->key->name : "?");
		free(buf);
		return;
	}
	if (ld->key->secret != NULL) {
		memset(ld->key->secret, 0, ld->key->secret_len);
		free(ld->key->secret);
	}
	ld->key->secret = buf;
	ld->key->secret_len = (size_t)n;
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
	s->policy = (enum serial_policy)p;
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

#define SRV(f)	offsetof(struct hp_config, f)

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
	{ "http-listen", C_SERVER, 1, 1, h_srv_str, SRV(http_listen) },
	{ "webhook-secret", C_SERVER, 1, 1, h_srv_secret,
	    SRV(webhook_secret) },
	{ "api-token", C_SERVER, 1, 1, h_srv_secret, SRV(api_token) },
	{ "ca-file", C_SERVER, 1, 1, h_srv_str, SRV(ca_file) },
	{ "max-zone-size", C_SERVER, 1, 1, h_srv_size, SRV(max_zone_size) },
	{ "name", C_KEY, 1, 1, h_key_name, 0 },
	{ "algorithm", C_KEY, 1, 1, h_key_alg, 0 },
	{ "secret", C_KEY, 1, 1, h_key_secret, 0 },
	{ "name", C_ZP, 1, 1, h_pat_name, 0 },
	{ "zonefile", C_ZP, 1, 1, h_zonefile, 0 },
	{ "source", C_ZP, 1, 1, h_source, 0 },
	{ "serial-policy", C_ZP, 1, 1, h_policy, 0 },
	{ "max-journal-versions", C_ZP, 1, 1, h_mjv, 0 },
	{ "notify-retry", C_ZP, 1, 1, h_retry, 0 },
	{ "notify", C_ZP, 2, 2, h_item, IT_NOTIFY },
	{ "provide-xfr", C_ZP, 2, 2, h_item, IT_PROVIDE },
	{ "outgoing-interface", C_ZP, 1, 1, h_item, IT_OUTIF },
	{ "include-pattern", C_ZP, 1, 1, h_item, IT_INCLUDE },
	{ NULL, 0, 0, 0, NULL, 0 }
};

/* One statement: KW and its values. */
static void
statement(struct loader *ld, const char *kw, const struct stmt_val *v)
{
	const struct stmt *st, *named = NULL;
	size_t i;

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

/* ------------------------------------------------------------- lexing */

static const char *
intern_file(struct loader *ld, const char *path)
{
	struct hp_config *cfg = ld->cfg;
	char **n;

	n = realloc(cfg->files, (cfg->n_files + 1) * sizeof(*n));
	if (n == NULL)
		abort();
	cfg->files = n;
	n[cfg->n_files] = xstrdup(path);
	return n[cfg->n_files++];
}

static int
is_keyword(const char *s, size_t n)
{
	size_t i;

	if (n < 2 || s[n - 1] != ':' || !isalpha((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n - 1; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_')
			return 0;
	return 1;
}

static void
token_add(struct token **t, int *n, int *cap, const char *s, size_t len,
    int line, int kw)
{
	struct token *nt;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		if ((nt = realloc(*t, *cap * sizeof(**t))) == NULL)
			abort();
		*t = nt;
	}
	(*t)[*n].text = xcalloc(1, len + 1);
	memcpy((*t)[*n].text, s, len);
	(*t)[*n].line = line;
	(*t)[*n].keyword = kw;
	(*n)++;
}

static void
tokens_free(struct token *t, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(t[i].text);
	free(t);
}

/* Cut BUF into tokens: words, "quoted" or 'quoted' values, and keywords
 * ("word:", unquoted); '#' to the end of the line is a comment. 0, or an
 * error printed and negative. */
static int
tokenize(struct loader *ld, const char *file, const char *buf,
    struct token **out, int *nout)
{
	struct token *t = NULL;
	int n = 0, cap = 0, line = 1;
	const char *p = buf, *start;
	char q;
	int kw;

	while (*p != '\0') {
		if (*p == '\n') {
			line++;
			p++;
		} else if (isspace((unsigned char)*p))
			p++;
		else if (*p == '#') {
			while (*p != '\0' && *p != '\n')
				p++;
		} else if (*p == '"' || *p == '\'') {
			q = *p++;
			start = p;
			while (*p != '\0' && *p != q && *p != '\n')
				p++;
			if (*p != q) {
				conf_error(ld, file, line, "unterminated "
				    "quoted string");
				tokens_free(t, n);
				return HP_EPARSE;
			}
			token_add(&t, &n, &cap, start, p - start, line, 0);
			p++;
		} else {
			start = p;
			while (*p != '\0' && !isspace((unsigned char)*p) &&
			    *p != '#' && *p != '"' && *p != '\'')
				p++;
			kw = is_keyword(start, p - start);
			token_add(&t, &n, &cap, start, p - start, line, kw);
			if (kw)		/* drop the colon (put back for a secret) */
				t[n - 1].text[p - start - 1] = '\0';
		}
	}
	*out = t;
	*nout = n;
	return 0;
}

static char *
read_file(struct loader *ld, const char *path, const char *from, int line)
{
	FILE *f;
	char *buf;
	size_t n;
	long len;

	if ((f = fopen(path, "r")) == NULL) {
		if (from != NULL)
			conf_error(ld, from, line, "cannot open %s: %s", path,
			    strerror(errno));
		else
			fprintf(ld->errs, "%s: cannot open: %s\n", path,
			    strerror(errno)), ld->nerr++;
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0 ||
	    len > CONF_MAX_FILE || fseek(f, 0, SEEK_SET) < 0) {
		conf_error(ld, path, 0, "cannot read, or larger than %d bytes",
		    CONF_MAX_FILE);
		fclose(f);
		return NULL;
	}
	buf = xcalloc(1, (size_t)len + 1);
	n = fread(buf, 1, (size_t)len, f);
	fclose(f);
	buf[n] = '\0';
	if (strlen(buf) != n) {
		conf_error(ld, path, 0, "contains a NUL byte");
		free(buf);
		return NULL;
	}
	return buf;
}

/* include: SPEC from FILE:LINE -- relative to FILE's directory, globs. */
static void
include(struct loader *ld, const char *spec, const char *file, int line)
{
	char *dir = path_dir(file), *pat = path_join(dir, spec);
	glob_t g;
	size_t i;
	int r;

	free(dir);
	if (strpbrk(spec, "*?[") == NULL) {
		parse_file(ld, pat, file, line);
		free(pat);
		return;
	}
	r = glob(pat, 0, NULL, &g);
	if (r == 0)
		for (i = 0; i < g.gl_pathc; i++)
			parse_file(ld, g.gl_pathv[i], file, line);
	else if (r != GLOB_NOMATCH)
		conf_error(ld, file, line, "include: cannot expand %s", spec);
	if (r != GLOB_NOMATCH)
		globfree(&g);
	free(pat);
}

static int
is_secret_stmt(const char *kw)
{
	return strcmp(kw, "secret") == 0 || strcmp(kw, "webhook-secret") == 0 ||
	    strcmp(kw, "api-token") == 0 || strcmp(kw, "cookie-secret") == 0;
}

/* Read PATH (included from FROM:LINE, or the top file when FROM is NULL). */
static void
parse_file(struct loader *ld, const char *path, const char *from, int line)
{
	struct token *t = NULL;
	struct stmt_val v;
	char *buf, *real, *vals[CONF_MAX_VALUES];
	const char *file;
	int n, i, j, d;

	if (ld->depth >= CONF_MAX_DEPTH) {
		conf_error(ld, from, line, "include: nested too deeply");
		return;
	}
	if ((real = realpath(path, NULL)) != NULL) {
		for (d = 0; d < ld->depth; d++)
			if (strcmp(ld->stack[d], real) == 0) {
				conf_error(ld, from, line, "include loop: %s "
				    "is already being read", path);
				free(real);
				return;
			}
	}
	if ((buf = read_file(ld, path, from, line)) == NULL) {
		free(real);
		return;
	}
	ld->stack[ld->depth++] = real ? real : xstrdup(path);
	file = intern_file(ld, path);
	if (tokenize(ld, file, buf, &t, &n) < 0)
		goto out;
	for (i = 0; i < n; ) {
		if (!t[i].keyword) {
			conf_error(ld, file, t[i].line, "expected 'name:', "
			    "found a value");
			while (i < n && !t[i].keyword)
				i++;
			continue;
		}
		/* The value of a secret (on its line) is never taken for a
		 * keyword, so a "word:" secret is not echoed in an error. */
		if (is_secret_stmt(t[i].text) && i + 1 < n &&
		    t[i + 1].keyword && t[i + 1].line == t[i].line) {
			t[i + 1].keyword = 0;
			t[i + 1].text[strlen(t[i + 1].text)] = ':';
		}
		v.file = file;
		v.line = t[i].line;
		v.v = vals;
		v.n = 0;
		for (j = i + 1; j < n && !t[j].keyword; j++)
			if (v.n < CONF_MAX_VALUES)
				vals[v.n++] = t[j].text;
		if (j - i - 1 > CONF_MAX_VALUES)
			v.n = CONF_MAX_VALUES;
		if (strcmp(t[i].text, "include") == 0) {
			if (v.n != 1)
				conf_error(ld, file, v.line, "include: "
				    "expected one file name");
			else
				include(ld, vals[0], file, v.line);
		} else
			statement(ld, t[i].text, &v);
		i = j;
	}
	tokens_free(t, n);
out:
	free(buf);
	free(ld->stack[--ld->depth]);
}

/* --------------------------------------------------------- resolution */

static struct hp_pattern *
find_pattern(const struct hp_config *cfg, const char *name)
{
	struct hp_pattern *p;

	for (p = cfg->patterns; p != NULL; p = p->next)
		if (p->name != NULL && strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/* Check a pattern's include-pattern: (names, loops) and ACLs once, so an
 * error in a pattern is reported once, not once per zone using it. */
static void
check_pattern(struct loader *ld, struct hp_pattern *p)
{
	struct hp_pattern *q;
	struct item *it;
	struct hp_acl a;
	char msg[200];

	if (p->state == 2)
		return;
	p->state = 1;
	for (it = p->s.items; it != NULL; it = it->next) {
		if (it->kind == IT_INCLUDE) {
			if ((q = find_pattern(ld->cfg, it->text)) == NULL)
				conf_error(ld, it->file, it->line, "unknown "
				    "pattern '%s'", it->text);
			else if (q->state == 1)
				conf_error(ld, it->file, it->line, "pattern "
				    "loop: '%s' includes itself", it->text);
			else
				check_pattern(ld, q);
			continue;
		}
		if (it->kind == IT_OUTIF ?
		    config_parse_addr(it->text, &a, msg, sizeof(msg)) :
		    config_parse_acl(ld->cfg, it->text, &a, msg,
		    sizeof(msg)))
			conf_error(ld, it->file, it->line, "%s: %s",
			    it->kind == IT_NOTIFY ? "notify" :
			    it->kind == IT_PROVIDE ? "provide-xfr" :
			    "outgoing-interface", msg);
		else
			config_acl_clear(&a);
	}
	p->state = 2;
}

static void
acl_append(struct hp_acl **head, const struct hp_acl *a)
{
	struct hp_acl *n = xcalloc(1, sizeof(*n));

	*n = *a;
	n->next = NULL;
	while (*head != NULL)
		head = &(*head)->next;
	*head = n;
}

/* Apply S (a zone's or pattern's statements) to Z: lists in order, with
 * each include-pattern: expanded in place; then S's own single values,
 * which override those of the patterns it includes. REPORT: print ACL
 * errors (a zone's own; a pattern's were reported by check_pattern). */
static void
apply(struct loader *ld, struct hp_zone *z, const struct settings *s,
    char **zonefile, int report, int depth)
{
	struct hp_pattern *p;
	struct item *it;
	struct hp_acl a;
	char msg[200];
	int r;

	for (it = s->items; it != NULL; it = it->next) {
		if (it->kind == IT_INCLUDE) {
			p = find_pattern(ld->cfg, it->text);
			if (p == NULL && report)
				conf_error(ld, it->file, it->line,
				    "unknown pattern '%s'", it->text);
			/* A pattern included twice at each of many levels
			 * (or in a loop) would expand exponentially. */
			if (p != NULL && ++ld->applied == PATTERN_MAX_APPLY)
				conf_error(ld, it->file, it->line, "include-"
				    "pattern: more than %d expansions",
				    PATTERN_MAX_APPLY);
			if (p != NULL && depth < PATTERN_DEPTH &&
			    ld->applied < PATTERN_MAX_APPLY)
				apply(ld, z, &p->s, zonefile, 0, depth + 1);
			continue;
		}
		if (it->kind == IT_OUTIF) {
			r = config_parse_addr(it->text, &a, msg, sizeof(msg));
			if (r == 0)
				a.text = xstrdup(it->text);
		} else
			r = config_parse_acl(ld->cfg, it->text, &a, msg,
			    sizeof(msg));
		if (r < 0) {
			if (report)
				conf_error(ld, it->file, it->line, "%s: %s",
				    it->kind == IT_NOTIFY ? "notify" :
				    it->kind == IT_PROVIDE ? "provide-xfr" :
				    "outgoing-interface", msg);
			continue;
		}
		a.file = it->file;
		a.line = it->line;
		if (it->kind == IT_NOTIFY) {
			if (a.port == 0)
				a.port = 53;
			acl_append(&z->notify, &a);
		} else if (it->kind == IT_PROVIDE)
			acl_append(&z->provide_xfr, &a);
		else
			acl_append(&z->outgoing_interface, &a);
	}
	if (s->zonefile != NULL)
		*zonefile = s->zonefile;
	if (s->source != NULL) {
		free(z->source);
		z->source = xstrdup(s->source);
	}
	if (s->has_policy)
		z->serial_policy = s->policy;
	if (s->has_mjv)
		z->max_journal_versions = s->mjv;
	if (s->has_retry)
		z->notify_retry = s->retry;
}

/* NAME (absolute, trailing dot) without its dot; "." for the root. */
static void
zone_bare(const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name);

	if (n > 1)
		n--;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, name, n);
	out[n] = '\0';
}

/* The LAST-th label from the right of BARE (0: top level), or "." */
static void
zone_label(const char *bare, int last, char *out, size_t outlen)
{
	const char *end = bare + strlen(bare), *p;
	size_t n;

	for (;;) {
		for (p = end; p > bare && p[-1] != '.'; p--)
			;
		if (last-- == 0)
			break;
		if (p == bare) {
			snprintf(out, outlen, ".");
			return;
		}
		end = p - 1;
	}
	n = end - p;
	if (n == 0 || strcmp(bare, ".") == 0) {
		snprintf(out, outlen, ".");
		return;
	}
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* nsd's zonefile: substitutions (man nsd.conf): %s the zone name, %1 %2
 * %3 its first characters, %z %y %x its labels from the top; a missing
 * one becomes ".". */
static char *
expand_zonefile(const char *tmpl, const char *zone)
{
	char bare[256], piece[256], *out, *grown;
	size_t cap = strlen(tmpl) + 256, o = 0, n;
	const char *p, *add;

	zone_bare(zone, bare, sizeof(bare));
	out = xcalloc(1, cap);
	for (p = tmpl; *p != '\0'; p++) {
		add = piece;
		piece[0] = *p;
		piece[1] = '\0';
		if (*p == '%' && p[1] != '\0') {
			p++;
			switch (*p) {
			case 's':
				add = bare;
				break;
			case '1': case '2': case '3':
				n = (size_t)(*p - '1');
				piece[0] = n < strlen(bare) ? bare[n] : '.';
				break;
			case 'z': zone_label(bare, 0, piece, sizeof(piece));
				break;
			case 'y': zone_label(bare, 1, piece, sizeof(piece));
				break;
			case 'x': zone_label(bare, 2, piece, sizeof(piece));
				break;
			default:
				piece[0] = '%';
				piece[1] = *p;
				piece[2] = '\0';
			}
		}
		n = strlen(add);
		if (o + n + 1 > cap) {
			cap = (o + n + 1) * 2;
			if ((grown = realloc(out, cap)) == NULL)
				abort();
			out = grown;
		}
		memcpy(out + o, add, n);
		o += n;
	}
	out[o] = '\0';
	return out;
}

/* NAME as "example.com.", lowercase; 0 or an error text. */
static const char *
zone_normalize(const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name), i, label = 0;

	if (n == 0)
		return "empty zone name";
	if (strcmp(name, ".") == 0) {
		snprintf(out, outlen, ".");
		return NULL;
	}
	if (n + 2 > outlen || n > 253 + (name[n - 1] == '.'))
		return "zone name too long";
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '.') {
			if (label == 0)
				return "empty label in zone name";
			label = 0;
		} else if (!isgraph(c) || c == '\\')
			return "bad character in zone name";
		else if (++label > 63)
			return "label longer than 63 in zone name";
		out[i] = (char)tolower(c);
	}
	if (name[n - 1] != '.')
		out[n++] = '.';
	out[n] = '\0';
	return NULL;
}

static void
free_acls(struct hp_acl *a)
{
	struct hp_acl *nx;

	for (; a != NULL; a = nx) {
		nx = a->next;
		free(a->text);
		free(a);
	}
}

static void
zone_free(struct hp_zone *z)
{
	free(z->name);
	free(z->zonefile);
	free(z->source);
	free_acls(z->notify);
	free_acls(z->provide_xfr);
	free_acls(z->outgoing_interface);
	free(z);
}

static void
resolve_zones(struct loader *ld)
{
	struct hp_config *cfg = ld->cfg;
	struct hp_zone *z, **tail = &cfg->zones;
	struct zdef *d;
	const struct hp_zone *dup;
	char norm[260], *zonefile, *exp;
	const char *why;
	int bad;

	for (d = ld->zdefs; d != NULL; d = d->next) {
		bad = d->name == NULL;	/* reported */
		if (!bad && (why = zone_normalize(d->name, norm,
		    sizeof(norm)))) {
			conf_error(ld, d->file, d->line, "%s: '%s'", why,
			    d->name);
			bad = 1;
		}
		if (!bad && (dup = config_zone(cfg, norm)) != NULL) {
			conf_error(ld, d->file, d->line, "zone '%s' is already "
			    "defined at %s:%d", d->name, dup->file,
			    dup->line);
			bad = 1;
		}
		z = xcalloc(1, sizeof(*z));
		z->name = xstrdup(bad ? "." : norm);
		z->serial_policy = SERIAL_INCREMENT;
		z->max_journal_versions = cfg->max_journal_versions;
		z->notify_retry = 5;
		z->file = d->file;
		z->line = d->line;
		zonefile = NULL;
		ld->applied = 0;
		/* also for a bad zone: its statements' errors are reported */
		apply(ld, z, &d->s, &zonefile, 1, 0);
		if (bad) {
			zone_free(z);
			continue;
		}
		if (zonefile != NULL) {
			exp = expand_zonefile(zonefile, z->name);
			z->zonefile = path_join(cfg->zonesdir, exp);
			free(exp);
		}
		*tail = z;
		tail = &z->next;
		cfg->n_zones++;
	}
}

/* Paths relative to the config file's directory; defaults. */
static void
resolve_paths(struct loader *ld)
{
	struct hp_config *cfg = ld->cfg;
	char **paths[] = { &cfg->logfile, &cfg->pidfile, &cfg->database,
	    &cfg->ca_file, &cfg->zonesdir };
	size_t i;
	char *p;

	if (cfg->zonesdir == NULL || cfg->zonesdir[0] == '\0' ||
	    strcmp(cfg->zonesdir, ".") == 0) {
		free(cfg->zonesdir);
		cfg->zonesdir = xstrdup(ld->dir);
	}
	if (cfg->database == NULL || cfg->database[0] == '\0') {
		/* nsd.conf's database: "" means no database file */
		free(cfg->database);
		cfg->database = xstrdup("hpagent.db");
	}
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (*paths[i] == NULL || (*paths[i])[0] == '\0' ||
		    strcmp(*paths[i], "syslog") == 0)
			continue;
		p = path_join(ld->dir, *paths[i]);
		free(*paths[i]);
		*paths[i] = p;
	}
}

/* ------------------------------------------------------------- public */

static void
free_pattern_list(struct hp_pattern *p)
{
	struct hp_pattern *nx;

	for (; p != NULL; p = nx) {
		nx = p->next;
		free(p->name);
		settings_free(&p->s);
		free(p);
	}
}

static void
free_keys(struct hp_key *k)
{
	struct hp_key *nx;

	for (; k != NULL; k = nx) {
		nx = k->next;
		free(k->name);
		free(k->algorithm);
		if (k->secret != NULL)
			memset(k->secret, 0, k->secret_len);
		free(k->secret);
		free(k);
	}
}

static void
free_secret(char *s)
{
	if (s != NULL)
		memset(s, 0, strlen(s));
	free(s);
}

void
config_free(struct hp_config *cfg)
{
	struct hp_zone *z, *nz;
	int i;

	if (cfg == NULL)
		return;
	for (z = cfg->zones; z != NULL; z = nz) {
		nz = z->next;
		zone_free(z);
	}
	free_keys(cfg->keys);
	free_pattern_list(cfg->patterns);
	for (i = 0; i < cfg->n_ip_address; i++)
		free(cfg->ip_address[i]);
	free(cfg->ip_address);
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
	free_secret(cfg->webhook_secret);
	free_secret(cfg->api_token);
	free(cfg->ca_file);
	free(cfg);
}

static void
loader_done(struct loader *ld)
{
	struct zdef *d, *nd;
	struct warned *w, *nw;

	for (d = ld->zdefs; d != NULL; d = nd) {
		nd = d->next;
		free(d->name);
		settings_free(&d->s);
		free(d);
	}
	for (w = ld->warned; w != NULL; w = nw) {
		nw = w->next;
		free(w->name);
		free(w);
	}
	free(ld->dir);
}

int
config_load(const char *path, FILE *errs, struct hp_config **out)
{
	struct loader ld;
	struct hp_config *cfg;
	struct hp_pattern *p;
	char *dir;

	memset(&ld, 0, sizeof(ld));
	ld.errs = errs != NULL ? errs : stderr;
	cfg = xcalloc(1, sizeof(*cfg));
	cfg->path = xstrdup(path);
	cfg->port = 53;
	cfg->verbosity = 1;
	cfg->max_journal_versions = 100;
	cfg->max_zone_size = 256ULL << 20;
	ld.cfg = cfg;
	ld.ztail = &ld.zdefs;
	ld.ktail = &cfg->keys;
	ld.ptail = &cfg->patterns;
	dir = path_dir(path);
	if ((ld.dir = realpath(dir, NULL)) == NULL)
		ld.dir = xstrdup(dir);
	free(dir);

	parse_file(&ld, path, NULL, 0);
	clause_end(&ld);
	for (p = cfg->patterns; p != NULL; p = p->next)
		check_pattern(&ld, p);
	resolve_paths(&ld);
	resolve_zones(&ld);
	loader_done(&ld);
	if (ld.nerr > 0) {
		config_free(cfg);
		return HP_ECONF;
	}
	*out = cfg;
	return 0;
}

const struct hp_zone *
config_zone(const struct hp_config *cfg, const char *name)
{
	const struct hp_zone *z;
	size_t n;

	if (cfg == NULL || name == NULL)
		return NULL;
	n = strlen(name);
	if (n > 1 && name[n - 1] == '.')
		n--;
	for (z = cfg->zones; z != NULL; z = z->next) {
		size_t zn = strlen(z->name);

		if (zn > 1)
			zn--;
		if (zn == n && strncasecmp(z->name, name, n) == 0)
			return z;
	}
	return NULL;
}

const struct hp_key *
config_key(const struct hp_config *cfg, const char *name)
{
	const struct hp_key *k;

	if (cfg == NULL || name == NULL)
		return NULL;
	for (k = cfg->keys; k != NULL; k = k->next)
		if (k->name != NULL && strcasecmp(k->name, name) == 0)
			return k;
	return NULL;
}
