/*
 * publish.h -- the ways into the store, shared by the command line
 * (import, publish, rollback) and the daemon (its HTTP API, direct edits):
 * a zone text from a file, a URL (conditional requests with the validators
 * kept in the table sources) or a request body; direct edits of the
 * records table; a stored version again. Failures are classified by stage
 * for exit statuses and HTTP answers.
 *
 * publish.c: options, zone texts, direct edits, classification.
 * source.c: a zone's source: file path or URL (fetch.c: libcurl).
 * rollback.c: a stored version published again from its rows.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_PUBLISH_H
#define HP_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include "dns/err.h"
#include "store/store.h"

struct conf;
struct conf_zone;
struct fetch_opts;
struct fetch_result;

/* Where a pipeline failed. */
enum pub_stage {
	PUB_OK = 0,
	PUB_FETCH,		/* source unreachable, HTTP error, too big */
	PUB_PARSE,		/* the text does not parse */
	PUB_VALID,		/* parsed, not a valid zone */
	PUB_STORE,		/* database busy or failing */
	PUB_GUARD,		/* refused by max-delete */
	PUB_OTHER,		/* anything else (no such version, ...) */
};

/* Exit statuses of import / rollback (README "Exit statuses"). */
#define PUB_EXIT_FETCH	10
#define PUB_EXIT_PARSE	11
#define PUB_EXIT_VALID	12
#define PUB_EXIT_STORE	13
#define PUB_EXIT_GUARD	14

/* What a publish works with. Z may be NULL for a zone that is in the
 * store but not in the configuration (server-wide settings apply). */
struct pub_ctx {
	struct store *st;		/* read-write */
	const struct conf *cfg;
	const struct conf_zone *z;
	hp_problem_fn *problem;		/* each problem of the zone text and
					   why the store refused; NULL:
					   printed to stderr */
	void *problem_arg;
	int own_origin;			/* zone texts must name their zone
					   (store_import_opts.own_origin) */
	/* how an import is applied (all 0: as the zone says) */
	int replace;			/* --replace: the zone becomes the
					   text, whatever its source-mode: */
	int force;			/* --force, ?force=1: no max-delete */
	int dry_run;			/* --dry-run: nothing changes */
	store_journal_cb change_cb;	/* a dry run's change, RR by RR */
	void *change_arg;
};

struct pub_result {
	struct store_import_result r;
	int not_modified;	/* the source said 304 / same file */
	enum pub_stage stage;	/* PUB_OK or where it failed */
	int err;		/* 0 or the negative HP_E* */
	char msg[640];		/* one-line reason when it failed */
	unsigned max_delete;	/* PUB_GUARD: the limit it went over */
};

/* HP_EINVALID (RES says why, stage PUB_VALID) when C's zone is a catalog
 * (catalog: producer), whose records hpagent writes: no import nor
 * rollback of it; else 0. */
int pub_catalog_refused(const struct pub_ctx *c, struct pub_result *res);
/* 1 when S is a URL ("scheme://..."), 0 for a file path. */
int pub_is_url(const char *s);
/* Import options for ZONE with the settings of C (its zone may be NULL:
 * server-wide settings) and the SOURCE label of the version; ORIGIN: the
 * source remembered (a path, a URL, "webhook"), NULL for none. */
void pub_import_opts(const struct pub_ctx *c, const char *zone,
    const char *source, const char *origin, struct store_import_opts *o);
/* Fetch options from CFG (ca-file:, max-zone-size:, bounded timeouts). */
void pub_fetch_opts(const struct conf *cfg, struct fetch_opts *o);

/*
 * Publish C's zone from ORIGIN: a URL (fetched, conditional on the kept
 * validators) or a file path (imported directly, $INCLUDE allowed), with
 * the version's source LABEL (NULL: "fetch" or "file"). The source (the
 * URL, or the file's real path) is remembered: its next import applies
 * only its own change, merged (store_import_file; C->replace or the
 * zone's source-mode: replace for the whole text). Returns 0
 * (RES->r.changed, RES->not_modified tell what happened) or a negative
 * HP_E* with RES->stage and RES->msg set (HP_EMAXDELETE: PUB_GUARD, the
 * counts in RES->r). The store is unchanged on failure.
 */
int pub_import_origin(const struct pub_ctx *c, const char *origin,
    const char *label, struct pub_result *res);
/* The second half for a fetch of URL already done (FR, with FETCH_RET
 * what fetch_source returned): import and keep the validators. */
int pub_import_fetched(const struct pub_ctx *c, const char *url,
    const char *label, struct fetch_result *fr, int fetch_ret,
    struct pub_result *res);
/* Import the zone text BUF/LEN with source LABEL ("webhook", ...); the
 * source remembered is LABEL. */
int pub_import_buffer(const struct pub_ctx *c, const char *buf, size_t len,
    const char *label, struct pub_result *res);
/*
 * Publish the content of the stored version SERIAL of C's zone as a new
 * version (serial moved forward per the policy, source "rollback"), read
 * from its rows. 0 (changed is 0 when the current content already equals
 * it) or a negative HP_E* (HP_ENOJOURNAL: that version is not stored).
 */
int pub_rollback(const struct pub_ctx *c, uint32_t serial,
    struct pub_result *res);
/*
 * Publish the direct edits of ZONE (rows changed in the records table) as
 * a new version with source "sql": store_publish()'s returns (HP_EUNCHANGED
 * when nothing is pending; HP_EINVALID, each bad row through C->problem:
 * the zone is held).
 */
/* A version of signed ZONE made by the signer alone
 * (store_dnssec_resign: WHAT, ROLL); HP_EINVAL when the zone is not
 * signed by its configuration. */
int pub_resign(const struct pub_ctx *c, const char *zone, int what,
    unsigned roll, struct store_import_result *res);
int pub_edits(const struct pub_ctx *c, const char *zone,
    struct store_import_result *res);

/* The exit status for RES (0 when it succeeded). */
int pub_exit_status(const struct pub_result *res);

#endif
