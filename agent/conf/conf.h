/*
 * conf.h -- the runtime configuration: agent.conf, in the grammar of
 * nsd.conf, loaded once into typed, immutable values.
 *
 * Clauses server:, key:, pattern:, zone:, remote-control:; statements
 * "name: value", values optionally quoted, '#' comments, include: FILE
 * (globs allowed). Options nsd.conf has that hpagent does not use are
 * warned about once each, never fatal.
 *
 * Everything a consumer needs is resolved at load, in one place: TSIG keys
 * as struct tsig_key (name in wire form, algorithm, decoded secret), the
 * listening addresses and notify: targets as socket addresses, each zone's
 * effective settings with its patterns applied. Nothing is re-parsed later.
 *
 * Resolution: list statements (notify:, provide-xfr:, outgoing-interface:)
 * accumulate in order of appearance, each include-pattern: expanded where
 * it is written. Single values: the zone's own statement wins wherever it
 * is written; otherwise the last include-pattern: that sets it (a pattern's
 * own statements beat the patterns it includes). Relative paths: include,
 * database, logfile, pidfile, ca-file and zonesdir are taken from the
 * config file's directory (made absolute); zonefile from zonesdir.
 *
 * Lifetime: a loaded configuration is never changed. It is counted: each
 * user that may outlive the daemon's current configuration (a transfer, a
 * NOTIFY of a zone, an HTTP request waiting for the secondaries) takes a
 * reference with conf_ref() and drops it with conf_unref(); a reload swaps
 * the daemon's pointer and drops its own reference, and the configuration
 * is freed when the last user is done. References may be taken and dropped
 * from any thread.
 *
 * Files: conf.c (loading, resolution, lifetime), lexer.c (tokens,
 * include:), statements.c (the statement table), patterns.c (pattern
 * resolution), acl.c (address match lists), lookup.c (finding a zone or a
 * key), util.c (the loader's messages and helpers); conf_int.h holds what
 * the loader's files share.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_CONF_H
#define HP_CONF_H

#include <stdint.h>
#include <sys/socket.h>

#include "dns/addr.h"
#include "dns/err.h"
#include "dns/tsig.h"
#include "signer/policy.h"

struct conf_key {
	char *name;		/* as written, e.g. "secretkey0" */
	const char *algorithm;	/* e.g. "hmac-sha256" (dns/tsig.h's name) */
	int usable;		/* 0: no TSIG key can be made of it (the
				   reason was warned at load); never matches */
	struct tsig_key tsig;	/* when usable: wire name, algorithm, secret */
	const char *file;	/* where defined, for messages */
	int line;
	struct conf_key *next;
};

/* One address match, as in nsd.conf's provide-xfr:/notify:/allow-notify:
 * "ADDR[@PORT]", "ADDR/PREFIX", "ADDR&MASK", "ADDR-ADDR" (range), then a
 * key name, NOKEY or BLOCKED. */
enum acl_kind { ACL_SINGLE, ACL_PREFIX, ACL_RANGE };
enum acl_action { ACL_KEY, ACL_NOKEY, ACL_BLOCKED };

struct conf_acl {
	int family;			/* AF_INET or AF_INET6 */
	enum acl_kind kind;
	unsigned char addr[16];		/* network order; v4 in first 4 */
	unsigned char addr_hi[16];	/* range end (ACL_RANGE) */
	int prefix;			/* ACL_PREFIX */
	uint16_t port;			/* 0: any port (notify: default 53) */
	enum acl_action action;
	const struct conf_key *key;	/* ACL_KEY: resolved at load */
	char *text;			/* the statement's value, for logs */
	const char *file;
	int line;
	struct conf_acl *next;
};

/* allow-update: ADDR[/N][@PORT] KEY|NOKEY|BLOCKED [name=GLOB[,GLOB...]]
 * [type=TYPE[,TYPE...]]: who may send RFC 2136 UPDATEs to the zone, and
 * what they may change. GLOBs are fnmatch(3) patterns, matched without
 * case against the owner relative to the apex ("@" is the apex); without
 * name= any owner, without type= any type but the SOA. */
struct conf_update {
	struct conf_acl acl;		/* address, port, key (text: the whole
					   value, for logs) */
	char **names;			/* lowercase; NULL: any owner */
	int nnames;
	uint16_t *types;		/* NULL: any type but SOA */
	int ntypes;
	struct conf_update *next;
};

/* A notify: target of a zone, resolved: one per notify: entry with a
 * single address that is not BLOCKED, in order. */
struct conf_target {
	struct sockaddr_storage addr;	/* where NOTIFYs go (port: 53 unless
					   written) */
	socklen_t addrlen;
	struct sockaddr_storage src;	/* outgoing-interface: of the family */
	socklen_t srclen;		/* 0: none configured */
	const struct conf_key *key;	/* NULL: NOKEY (unusable keys are
					   kept: the target is still a
					   secondary, but gets no NOTIFY) */
	char address[ADDR_STRLEN];	/* the address alone, as text */
	char label[ADDR_STRLEN + 8];	/* "ADDR@PORT": the secondary, as
					   the secondaries ledger keys it */
	int first;			/* 1: no earlier target has LABEL */
};

/* A dnssec-policy: clause (signer/policy.h), or the built-in "default". */
struct conf_policy {
	struct sign_policy p;
	const char *file;	/* where defined (NULL: built in) */
	int line;
	struct conf_policy *next;
};

struct conf_zone {
	char *name;		/* absolute, lowercase, with trailing dot */
	char *zonefile;		/* expanded (%s etc.); a relative zonefile:
				 * is joined to zonesdir here, so the path
				 * is usable as is. NULL when none given. */
	char *source;		/* file path or URL, or NULL */
	int serial_policy;	/* SERIAL_POLICY_* of dns/serial.h */
	unsigned max_journal_versions;	/* 0 = keep all */
	int source_replace;	/* source-mode: replace (default merge) */
	unsigned max_delete;	/* percent of the records an import may
				   remove (default 50; 100: no limit) */
	struct conf_acl *notify;	/* as written (port default 53) */
	struct conf_acl *provide_xfr;	/* who may transfer / query SOA */
	struct conf_acl *outgoing_interface; /* source addresses, or NULL */
	struct conf_target *targets;	/* notify:, resolved */
	int ntargets;
	int notify_retry;		/* retries after the first, default 5 */
	int sync_timeout;		/* s: a transfer not served by then is
					   stale (default 60) */
	int probe_interval;		/* s between SOA probes of each
					   secondary (default 60; 0: none but
					   those after a change) */
	int catalog_producer;		/* catalog: producer -- a catalog
					   zone whose records hpagent writes
					   (RFC 9432) */
	char *catalog;			/* catalog-producer-zone: the catalog
					   listing it (normalized), or NULL */
	char *catalog_group;		/* its group property: catalog-group:,
					   else the name of the zone's first
					   include-pattern:; NULL: none */
	char *pattern;			/* the zone's first include-pattern:
					   (as written in zone:), or NULL */
	int from_db;			/* kept in the database (hpagent zone
					   add), not written in the file */
	int dnssec_signing;		/* dnssec-signing: yes */
	const struct sign_policy *dnssec_policy; /* dnssec-policy: NAME
					   (the built-in "default" unless
					   named); NULL when not signing */
	const char *policy_name;	/* (the loader's, while resolving) */
	const char *policy_file;
	int policy_line;
	struct conf_update *allow_update; /* RFC 2136 UPDATE rules, or NULL */
	int update_wait;		/* s: an UPDATE's NOERROR waits until
					   every secondary serves it (0: no) */
	int update_coalesce;		/* ms: NOTIFYs after UPDATEs at most
					   this often (default 100) */
	const char *file;
	int line;
	struct conf_zone *next;
};

struct conf {
	char *path;			/* the file loaded */
	unsigned generation;		/* 1 for the first load, then +1 */
	/* server: */
	char **ip_address;		/* "ADDR" or "ADDR@PORT", as written */
	int n_ip_address;
	struct sockaddr_storage *listen; /* resolved: each ip-address: with
					   port:, or the wildcards 0.0.0.0
					   and :: when there is none */
	socklen_t *listen_len;
	int nlisten;
	uint16_t port;			/* default 53 */
	char *zonesdir;			/* default: the config file's directory */
	char *username;			/* NULL: do not drop privileges */
	char *chroot;
	int verbosity;			/* default 1 */
	char *logfile;			/* NULL: stderr; "syslog" allowed */
	char *pidfile;
	char *database;			/* default: hpagent.db beside the config */
	unsigned max_journal_versions;	/* server-wide default, 0 = all */
	int sync_timeout;		/* server-wide defaults (60 s) */
	int probe_interval;
	unsigned max_delete;		/* server-wide default, 50 */
	char *http_listen;		/* "ADDR@PORT" as written, NULL: off */
	char *http_host;		/* resolved: the address part ... */
	uint16_t http_port;		/* ... and the port */
	char *webhook_secret;
	char *api_token;
	char *ca_file;
	uint64_t max_zone_size;		/* bytes, default 256 MiB */
	/* Listeners under attack (see README, "Operating hpagent"). */
	uint64_t webhook_max_body;	/* a body read before its signature is
					   checked, default 64 MiB */
	unsigned http_max_conns;	/* HTTP connections at once, 128 */
	unsigned http_max_per_addr;	/* ... from one address (IPv6: /64),
					   default 16 */
	unsigned http_request_timeout;	/* seconds for a whole request to
					   arrive, default 60 */
	unsigned tcp_count;		/* DNS TCP connections at once, 256 */
	unsigned tcp_count_per_addr;	/* ... from one address, default 32 */
	unsigned tsig_max_fudge;	/* largest TSIG fudge accepted, 300 */
	char *dnssec_keystore;		/* private keys' directory, default
					   "keys" beside the database */
	struct conf_policy *policies;	/* dnssec-policy: clauses, then
					   the built-in "default" */
	struct conf_key *keys;
	struct conf_zone *zones;
	int n_zones, n_keys, n_patterns;
	char **files;			/* the files read (for permissions) */
	int n_files;
};

/*
 * Load PATH. On success *OUT is set (one reference: conf_unref() it) and 0
 * returned. On failure every error is reported through PROBLEM (NULL:
 * printed to stderr), one file:line each, never a secret, and a negative
 * value returned; *OUT untouched. Warnings (nsd.conf options hpagent does
 * not use, once per name; keys that cannot be used) go there too.
 */
int conf_load(const char *path, hp_problem_fn *problem, void *arg,
    const struct conf **out);

/*
 * As conf_load, with the N zones kept in the database (ZONES: name and
 * pattern, NULL for none) added as if each were written "zone: name:
 * NAME include-pattern: PATTERN" (their messages say "database"). A zone
 * the file defines as well is the file's (a warning). A pattern that is
 * not defined, or a catalog-producer-zone: that names no catalog, is an
 * error as in the file.
 */
struct conf_dbzone {
	const char *name;
	const char *pattern;
};
int conf_load_db(const char *path, const struct conf_dbzone *zones,
    size_t n, hp_problem_fn *problem, void *arg, const struct conf **out);

/* Take a reference on C (NULL allowed); returns C. */
const struct conf *conf_ref(const struct conf *c);
/* Drop a reference (NULL allowed); the last one frees C. */
void conf_unref(const struct conf *c);

/* The zone NAME (with or without trailing dot, any case), or NULL. */
const struct conf_zone *conf_find_zone(const struct conf *c,
    const char *name);
/* The key NAME (any case), or NULL. */
const struct conf_key *conf_find_key(const struct conf *c, const char *name);
/* The usable key with wire name NAME (lowercase) and algorithm ALG, for
 * TSIG verification; NULL when there is none. */
const struct conf_key *conf_find_tsig(const struct conf *c,
    const uint8_t *name, const struct tsig_alg *alg);

/* ---- secondaries seen serving a serial (seen.c) -------------------------- */

/* A set of notify: target labels ("ADDR@PORT"), empty when zeroed. */
struct conf_seen {
	char (*v)[ADDR_STRLEN + 8];
	int n, cap;
};
/* 1 when LABEL is in S. */
int conf_seen_has(const struct conf_seen *s, const char *label);
/* Add LABEL: 0, or HP_ENOMEM (S unchanged). */
int conf_seen_add(struct conf_seen *s, const char *label);
/* How many of Z's notify: targets (each label once) S lacks; their labels
 * into BEHIND (LEN octets, space-separated, cut to fit) unless NULL. */
int conf_seen_left(const struct conf_seen *s, const struct conf_zone *z,
    char *behind, size_t len);
/* Free S's memory and empty it. */
void conf_seen_clear(struct conf_seen *s);

/* ---- address match lists (acl.c) --------------------------------------- */

/* Parse one nsd.conf address spec (the value of provide-xfr: etc.) into
 * ACL; key names resolved against C (NULL: none known). 0 or negative with
 * MSG set. */
int conf_parse_acl(const struct conf *c, const char *value,
    struct conf_acl *acl, char *msg, size_t msglen);
/* Free what conf_parse_acl() allocated in ACL (its text). */
void conf_acl_clear(struct conf_acl *acl);
/* Parse only an address part ("ADDR[@PORT]", "ADDR/N", "ADDR&MASK",
 * "ADDR-ADDR") into ACL (action ACL_NOKEY, text NULL). 0 or negative with
 * MSG set. Used for outgoing-interface: and ip-address:. */
int conf_parse_addr(const char *spec, struct conf_acl *acl, char *msg,
    size_t msglen);
/* 1 when SA (with port) matches ACL's address part, else 0. */
int conf_acl_match(const struct conf_acl *acl, const struct sockaddr *sa);

/* The database of a configuration in directory CONFDIR without
 * database:: the state directory's hpagent.db for the installed one
 * (SYSCONFDIR/hpagent: a unit's ProtectSystem=strict makes it read-only),
 * else "hpagent.db" (beside the configuration). */
const char *conf_default_database(const char *confdir);
/* Parse one allow-update: value into U (key names resolved against C).
 * 0 or negative with MSG set. conf_update_clear() frees what it holds. */
int conf_parse_update(const struct conf *c, const char *value,
    struct conf_update *u, char *msg, size_t msglen);
void conf_update_clear(struct conf_update *u);
/*
 * allow-update: of Z for a client at SA whose message verified with KEY
 * (NULL: unsigned). conf_update_client(): 1 when a rule names this
 * client (address and key; none BLOCKED), else 0: it may send UPDATEs
 * and query the zone's SOA. conf_update_allows(): 1 when one of those
 * rules lets it change the RRset TYPE at OWNER (REL: relative to the
 * apex, lowercase, "@" for the apex); TYPE 255 (ANY: every RRset at the
 * name) needs a rule without type=. conf_update_addr(): 1 when a rule
 * names SA's address (whatever the key): SOA queries are answered there
 * (lego finds the zone with unsigned ones).
 */
int conf_update_client(const struct conf_zone *z, const struct sockaddr *sa,
    const struct conf_key *key);
int conf_update_allows(const struct conf_zone *z, const struct sockaddr *sa,
    const struct conf_key *key, const char *rel, uint16_t type);
int conf_update_addr(const struct conf_zone *z, const struct sockaddr *sa);

/* The directory part of PATH ("." when none, "/" at the root), allocated
 * (aborts when out of memory). */
char *path_dir(const char *path);

#endif
