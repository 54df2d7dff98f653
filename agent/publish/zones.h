/*
 * zones.h -- a zone's lifecycle and the producer catalog zones (RFC 9432)
 * that list the zones: zones kept in the database (hpagent zone add,
 * POST /v1/zones) beside the configuration's, each added or deleted in
 * one transaction with its catalog's new version; a deleted zone purged
 * once its secondaries dropped it, its history kept in a backup file.
 *
 * Used by the command line (zone add/delete), the HTTP API and the
 * daemon (catalogs written after each reload; purges).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_PUBLISH_ZONES_H
#define HP_PUBLISH_ZONES_H

#include <stddef.h>

#include "agent/publish/publish.h"
#include "dns/err.h"

struct conf;
struct store;

/*
 * Load the configuration PATH with the zones kept in its database (read
 * through a read-only handle; none when the database does not exist
 * yet): conf_load_db(). Problems through PROBLEM (NULL: stderr).
 */
int zones_conf_load(const char *path, hp_problem_fn *problem, void *arg,
    const struct conf **out);

/*
 * Make the catalogs of CFG (zones with catalog: producer) list exactly its
 * members (catalog-producer-zone:) that are stored and not being
 * deleted: store_catalog_sync(), in one transaction (nested in the
 * caller's). RES may be NULL. 0 or a negative HP_E* (HP_EINVALID: every
 * reason through PROBLEM).
 */
int zones_catalog_sync(struct store *st, const struct conf *cfg,
    hp_problem_fn *problem, void *arg, struct store_catalog_result *res);

/* What zone add/delete did. */
struct zones_result {
	struct pub_result pub;		/* the import of the zone's text */
	char catalog[256];		/* the catalog changed, "" when none */
	uint32_t catalog_serial;	/* its serial now */
	int deleting;			/* delete: waits for the secondaries */
	int purged;			/* delete: gone from the store */
	char backup[1024];		/* purged: the backup file, "" none */
};

/*
 * Add ZONE, kept in the database with PATTERN (NULL: none), its text
 * from ORIGIN (a file path or URL; NULL: the pattern's zonefile:) or
 * TEXT/LEN (the API's body; ORIGIN then NULL), under CFG (the running
 * configuration; its file is read again with the new zone to check it):
 * the import, the zone_defs row and the catalog's new version in one
 * transaction. *NCFG (may be NULL) gets the configuration with the zone.
 * HP_EINVAL (not a valid domain name), HP_EEXIST (in the configuration
 * or added already), HP_ECONF (the configuration with it has errors:
 * an unknown pattern, a catalog that would list itself ...), the
 * import's errors (RES->pub), HP_EBUSY, HP_ESTORE. Each reason through
 * PROBLEM. The store is unchanged on failure.
 */
int zones_add(struct store *st, const struct conf *cfg, const char *zone,
    const char *pattern, const char *origin, const char *text, size_t len,
    hp_problem_fn *problem, void *arg, struct zones_result *res,
    const struct conf **ncfg);

/*
 * Delete ZONE: a zone kept in the database is taken out of its catalog
 * and marked deleting (the daemon serves it until its secondaries have
 * dropped it, then purges it: zones_purge()); a zone stored but no
 * longer configured is purged now. PURGE: no backup file. HP_ENOENT,
 * HP_EPERM (a zone of the configuration file: remove it there),
 * HP_EBUSY for a catalog that still lists zones, HP_ESTORE.
 */
int zones_delete(struct store *st, const struct conf *cfg, const char *zone,
    int purge, hp_problem_fn *problem, void *arg, struct zones_result *res);

/*
 * Remove ZONE from the store; unless PURGE, its rows first copied into
 * "deleted/ZONE-YYYYmmddTHHMMSSZ.db" beside the database DBPATH (path
 * into BACKUP, LEN octets). 0 or a negative HP_E*.
 */
int zones_purge(struct store *st, const char *dbpath, const char *zone,
    int purge, char *backup, size_t len);

#endif
