/*
 * config.h -- agent.conf, in the grammar of nsd.conf.
 *
 * Clauses server:, key:, pattern:, zone:, remote-control:; statements
 * "name: value", values optionally quoted, '#' comments, include: FILE
 * (globs allowed). Patterns are resolved at load time: each hp_zone holds
 * the effective settings of its own statements and every include-pattern:
 * (recursively, in order). Options nsd.conf has that hpagent does not use
 * are warned about once each, never fatal.
 *
 * Resolution: list statements (notify:, provide-xfr:, outgoing-interface:)
 * accumulate in order of appearance, each include-pattern: expanded where
 * it is written. Single values: the zone's own statement wins wherever it
 * is written; otherwise the last include-pattern: that sets it (a pattern's
 * own statements beat the patterns it includes). Relative paths: include,
 * database, logfile, pidfile, ca-file and zonesdir are taken from the
 * config file's directory (made absolute); zonefile from zonesdir.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_CONFIG_H
#define HP_CONFIG_H

#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

enum serial_policy {
	SERIAL_INCREMENT = 0,	/* current + 1 */
	SERIAL_UNIXTIME,	/* seconds since the epoch */
	SERIAL_DATESERIAL,	/* YYYYMMDDnn */
};

struct hp_key {
	char *name;		/* as written, e.g. "secretkey0" */
	char *algorithm;	/* e.g. "hmac-sha256" (validated at load) */
	unsigned char *secret;	/* decoded base64 */
	size_t secret_len;
	const char *file;	/* where defined, for messages */
	int line;
	struct hp_key *next;
};

/* One address match, as in nsd.conf's provide-xfr:/notify:/allow-notify:
 * "ADDR[@PORT]", "ADDR/PREFIX", "ADDR-ADDR" (range), then a key name,
 * NOKEY or BLOCKED. */
enum acl_kind { ACL_SINGLE, ACL_PREFIX, ACL_RANGE };
enum acl_action { ACL_KEY, ACL_NOKEY, ACL_BLOCKED };

struct hp_acl {
	int family;			/* AF_INET or AF_INET6 */
	enum acl_kind kind;
	unsigned char addr[16];		/* network order; v4 in first 4 */
	unsigned char addr_hi[16];	/* range end (ACL_RANGE) */
	int prefix;			/* ACL_PREFIX */
	uint16_t port;			/* 0: any port (notify: default 53) */
	enum acl_action action;
	const struct hp_key *key;	/* ACL_KEY: resolved at load */
	char *text;			/* the statement's value, for logs */
	const char *file;
	int line;
	struct hp_acl *next;
};

struct hp_pattern;

struct hp_zone {
	char *name;		/* absolute, lowercase, with trailing dot */
	char *zonefile;		/* expanded (%s etc.); a relative zonefile:
				 * is joined to zonesdir here, so the path
				 * is usable as is. NULL when none given. */
	char *source;		/* file path or URL (issue 4), or NULL */
	enum serial_policy serial_policy;
	unsigned max_journal_versions;	/* 0 = keep all */
	struct hp_acl *notify;		/* targets (port default 53) */
	struct hp_acl *provide_xfr;	/* who may transfer / query SOA */
	int notify_retry;		/* retries after the first, default 5 */
	/* notify: entries without @PORT get port 53. */
	struct hp_acl *outgoing_interface; /* source addresses, or NULL */
	const char *file;
	int line;
	struct hp_zone *next;
};

struct hp_config {
	char *path;			/* the file loaded */
	/* server: */
	char **ip_address;		/* "ADDR" or "ADDR@PORT", count below */
	int n_ip_address;
	uint16_t port;			/* default 53 */
	char *zonesdir;			/* default: the config file's directory */
	char *username;			/* NULL: do not drop privileges */
	char *chroot;
	int verbosity;			/* default 1 */
	char *logfile;			/* NULL: stderr; "syslog" allowed */
	char *pidfile;
	char *database;			/* default: hpagent.db beside the config */
	unsigned max_journal_versions;	/* server-wide default, 0 = all */
	/* hpagent additions for issue 4 */
	char *http_listen;		/* "ADDR@PORT" or NULL (off) */
	char *webhook_secret;
	char *api_token;
	char *ca_file;
	uint64_t max_zone_size;		/* bytes, default 256 MiB */
	struct hp_key *keys;
	struct hp_zone *zones;
	struct hp_pattern *patterns;	/* internal */
	int n_zones, n_keys, n_patterns;
	char **files;			/* internal: files read, for file:line */
	int n_files;
};

/*
 * Load PATH. On success *out is set and 0 returned. On failure every
 * error is printed to ERRS (one "file:line: message" line each, never a
 * secret) and a negative value returned; *out untouched. Warnings about
 * unused nsd.conf options go to ERRS too, once per option name.
 */
int config_load(const char *path, FILE *errs, struct hp_config **out);
void config_free(struct hp_config *cfg);

const struct hp_zone *config_zone(const struct hp_config *cfg,
    const char *name);	/* name with or without trailing dot, any case */
const struct hp_key *config_key(const struct hp_config *cfg,
    const char *name);

/* Parse one nsd.conf address spec (the value of provide-xfr: etc.) into
 * ACL; key names resolved against CFG. 0 or negative with MSG set. */
int config_parse_acl(const struct hp_config *cfg, const char *value,
    struct hp_acl *acl, char *msg, size_t msglen);
/* Free what config_parse_acl() allocated in ACL (its text). */
void config_acl_clear(struct hp_acl *acl);
/* Parse only an address part ("ADDR[@PORT]", "ADDR/N", "ADDR&MASK",
 * "ADDR-ADDR") into ACL (action ACL_NOKEY, text NULL). 0 or negative with
 * MSG set. Used for outgoing-interface: and ip-address:. */
int config_parse_addr(const char *spec, struct hp_acl *acl, char *msg,
    size_t msglen);
/* 1 when SA (with port) matches ACL's address part, else 0. */
int config_acl_match_addr(const struct hp_acl *acl,
    const struct sockaddr *sa);

/* "increment", "unixtime" or "dateserial" (dns/serial.h names them). */
const char *serial_policy_name(enum serial_policy p);

#endif
