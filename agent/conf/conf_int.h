/*
 * conf_int.h -- internal to agent/conf/: the loader's state, shared by
 * the lexer, the statement table, pattern resolution and the final
 * resolution into struct conf.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_CONF_INT_H
#define HP_CONF_INT_H

#include <stddef.h>

#include "agent/conf/conf.h"

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
	C_POLICY = 1 << 6,	/* dnssec-policy: */
};
#define C_ZP	(C_ZONE | C_PATTERN)

/* A list statement of a zone or pattern, kept in order of appearance. */
enum item_kind { IT_NOTIFY, IT_PROVIDE, IT_OUTIF, IT_INCLUDE, IT_UPDATE };

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
	int has_policy, has_mjv, has_retry, has_sync, has_probe, has_mode,
	    has_maxdel, has_uwait, has_ucoal;
	int policy;
	unsigned mjv;
	int retry;
	int sync_timeout, probe_interval;	/* seconds */
	int replace;		/* source-mode: */
	unsigned maxdel;	/* max-delete: */
	int producer;		/* catalog: producer (zone: only) */
	char *catalog;		/* catalog-producer-zone:, normalized */
	char *catalog_group;	/* catalog-group: */
	int has_signing, signing;	/* dnssec-signing: */
	char *dnssec_policy;		/* dnssec-policy: NAME */
	const char *policy_file;	/* ... where it is written */
	int policy_line;
	int update_wait;	/* update-wait: (s) */
	int update_coalesce;	/* update-coalesce: (ms) */
	struct item *items, **tail;
};

struct pattern {
	char *name;
	struct settings s;
	const char *file;
	int line;
	int state;		/* loop check: 0 new, 1 visiting, 2 done */
	struct pattern *next;
};

struct zdef {
	char *name;		/* as written */
	int from_db;		/* kept in the database (zone add) */
	struct settings s;
	const char *file;
	int line;
	struct zdef *next;
};

struct warned {
	char *name;
	struct warned *next;
};

/* The values of one statement. */
struct stmt_val {
	char **v;
	int n;
	const char *file;
	int line;
};

struct loader {
	struct conf *cfg;
	hp_problem_fn *problem;
	void *problem_arg;
	int nerr;
	char *dir;			/* the config file's directory */
	enum clause clause;
	const char *clause_file;
	int clause_line;
	struct conf_key *key;		/* the key: clause being read */
	int key_alg_seen, key_secret_seen; /* even if invalid */
	unsigned char *key_secret;	/* its decoded secret: wiped, freed */
	size_t key_secret_len;		/* at the end of the clause */
	struct pattern *pat;
	struct pattern *patterns, **ptail;
	struct conf_policy *policy;	/* the dnssec-policy: being read */
	int policy_named;
	struct conf_policy **poltail;
	struct zdef *zone;
	struct zdef *zdefs, **ztail;
	struct conf_key **ktail;
	char *stack[CONF_MAX_DEPTH];	/* real paths of open files */
	int depth;
	struct warned *warned;
	unsigned applied;		/* include-pattern: expansions, this zone */
	const char *http_file;		/* where http-listen: was written */
	int http_line;
	/* the zone being resolved: a second catalog one of its patterns
	 * names (catalog-producer-zone:), "" when none */
	char cat_other[1024];
};

/* util.c: messages and small helpers */
void conf_error(struct loader *ld, const char *file, int line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void conf_warn(struct loader *ld, const char *file, int line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
char *xstrdup(const char *s);
void *xcalloc(size_t n, size_t size);
char *path_join(const char *dir, const char *p);
/* A duration: seconds, or a number with s, m or h; at most MAX seconds.
 * 0 or -1. */
int parse_secs(const char *s, int max, int *out);
int parse_uint(const char *s, unsigned long long max,
    unsigned long long *out);

/* lexer.c: read PATH (included from FROM:LINE, or the top file when FROM
 * is NULL) and hand each statement to conf_statement(). */
void conf_parse_file(struct loader *ld, const char *path, const char *from,
    int line);

/* statements.c: one statement KW with its values; the end of the clause
 * being read (at the next clause and after the last file). */
void conf_statement(struct loader *ld, const char *kw,
    const struct stmt_val *v);
void conf_clause_end(struct loader *ld);
void conf_settings_free(struct settings *s);

/* patterns.c: check every pattern once; build the zones with their
 * patterns applied (cfg->zones). */
void conf_check_patterns(struct loader *ld);
void conf_resolve_zones(struct loader *ld);
void conf_check_catalogs(struct loader *ld);
void conf_zone_free(struct conf_zone *z);

/* acl.c */
void conf_acl_append(struct conf_acl **head, const struct conf_acl *a);
void conf_acls_free(struct conf_acl *a);
/* update.c */
void conf_updates_free(struct conf_update *u);

#endif
