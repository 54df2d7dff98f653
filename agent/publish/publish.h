/*
 * pub.h -- publishing pipelines shared by the CLI (import, rollback) and
 * the daemon's HTTP API: fetch a zone's source (conditional requests with
 * the validators kept in the table sources), import it, roll back to an
 * earlier version. Failures are classified by stage for exit statuses and
 * HTTP answers.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_PUB_H
#define HP_PUB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

struct hp_config;
struct hp_zone;
struct fetch_opts;
struct fetch_result;

/* Where a pipeline failed. */
enum pub_stage {
	PUB_OK = 0,
	PUB_FETCH,		/* source unreachable, HTTP error, too big */
	PUB_PARSE,		/* the text does not parse */
	PUB_VALID,		/* parsed, not a valid zone */
	PUB_STORE,		/* database busy or failing */
	PUB_OTHER,		/* anything else (no such version, ...) */
};

/* Exit statuses of import / rollback (README "Exit statuses"). */
#define PUB_EXIT_FETCH	10
#define PUB_EXIT_PARSE	11
#define PUB_EXIT_VALID	12
#define PUB_EXIT_STORE	13

struct pub_result {
	struct store_import_result r;
	int not_modified;	/* the source said 304 / same file */
	enum pub_stage stage;	/* PUB_OK or where it failed */
	int err;		/* 0 or the negative HP_E* */
	char msg[640];		/* one-line reason when it failed */
};

/* 1 when S is a URL ("scheme://..."), 0 for a file path. */
int pub_is_url(const char *s);
/* Import options for zone Z of CFG (Z may be NULL) with SOURCE label. */
void pub_import_opts(const struct hp_config *cfg, const struct hp_zone *z,
    const char *zone, const char *source, FILE *errs,
    struct store_import_opts *o);
/* Fetch options from CFG (ca-file:, max-zone-size:, bounded timeouts). */
void pub_fetch_opts(const struct hp_config *cfg, struct fetch_opts *o);

/*
 * Publish ZONE (config Z) from ORIGIN: a URL (fetched, conditional on the
 * kept validators) or a file path (imported directly, $INCLUDE allowed).
 * Problems of the zone text go to ERRS. Returns 0 (RES->r.changed,
 * RES->not_modified tell what happened) or a negative HP_E* with
 * RES->stage and RES->msg set. The store is unchanged on failure.
 */
int pub_import_origin(struct store *st, const struct hp_config *cfg,
    const struct hp_zone *z, const char *origin, const char *label,
    FILE *errs, struct pub_result *res);
/* The second half for a fetch already done (FR, with FETCH_RET what
 * fetch_source returned): import and keep the validators. */
int pub_import_fetched(struct store *st, const struct hp_config *cfg,
    const struct hp_zone *z, const char *url, const char *label,
    struct fetch_result *fr, int fetch_ret, FILE *errs,
    struct pub_result *res);
/* Import the zone text BUF/LEN with SOURCE label ("webhook", ...). */
int pub_import_buffer(struct store *st, const struct hp_config *cfg,
    const struct hp_zone *z, const char *buf, size_t len,
    const char *label, FILE *errs, struct pub_result *res);
/*
 * Publish the content of the stored version SERIAL of Z as a new version
 * (serial moved forward per the policy, source "rollback"). 0 (changed is
 * 0 when the current content already equals it) or a negative HP_E*
 * (HP_ENOJOURNAL: that version is not stored).
 */
int pub_rollback(struct store *st, const struct hp_config *cfg,
    const struct hp_zone *z, uint32_t serial, FILE *errs,
    struct pub_result *res);

/* Render the version SERIAL (or the current one when CURRENT) of ZONE_ID
 * as zone text (one RR per line) into *OUT (malloc'ed, *LEN bytes). */
int pub_render(struct store *st, int64_t zone_id, int current,
    uint32_t serial, char **out, size_t *len);

/* The exit status for RES (0 when it succeeded). */
int pub_exit_status(const struct pub_result *res);

#endif
