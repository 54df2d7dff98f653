/*
 * zones.c -- a zone's lifecycle (added, kept in the database, deleted,
 * purged with a backup) and the producer catalog zones written from the
 * configuration's members (see zones.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "agent/conf/conf.h"
#include "agent/publish/publish.h"
#include "agent/publish/zones.h"
#include "dns/dname.h"
#include "dns/err.h"
#include "dns/serial.h"
#include "store/store.h"

#define say(p, a, ...)	hp_problem((p), (a), NULL, 0, 0, __VA_ARGS__)

/* ---- the zones kept in the database ----------------------------------- */

struct dblist {
	struct conf_dbzone *z;
	char (*names)[256];
	char (*pats)[256];
	size_t n, cap;
	int err;
};

static int
dblist_add(const struct store_zonedef *d, void *arg)
{
	struct dblist *l = arg;
	void *a, *b, *c;
	size_t cap, i;

	if (l->n == l->cap) {
		cap = l->cap * 2 + 64;
		a = realloc(l->z, cap * sizeof(*l->z));
		if (a != NULL)
			l->z = a;
		b = realloc(l->names, cap * sizeof(*l->names));
		if (b != NULL)
			l->names = b;
		c = realloc(l->pats, cap * sizeof(*l->pats));
		if (c != NULL)
			l->pats = c;
		if (a == NULL || b == NULL || c == NULL)
			return l->err = HP_ENOMEM;
		l->cap = cap;
		/* the pointers into the arrays moved with them */
		for (i = 0; i < l->n; i++) {
			l->z[i].name = l->names[i];
			l->z[i].pattern = l->pats[i][0] != '\0' ?
			    l->pats[i] : NULL;
		}
	}
	snprintf(l->names[l->n], 256, "%s", d->name);
	snprintf(l->pats[l->n], 256, "%s", d->pattern);
	l->z[l->n].name = l->names[l->n];
	l->z[l->n].pattern = d->pattern[0] != '\0' ? l->pats[l->n] : NULL;
	l->n++;
	return 0;
}

static void
dblist_free(struct dblist *l)
{
	free(l->z);
	free(l->names);
	free(l->pats);
}

/* The zones of ST's zone_defs into L (none for an older schema). */
static int
dblist_read(struct store *st, struct dblist *l)
{
	int r = store_zonedef_list(st, dblist_add, l);

	if (l->err != 0)
		return l->err;
	return r == HP_ESTORE ? 0 : r;
}

int
zones_conf_load(const char *path, hp_problem_fn *problem, void *arg,
    const struct conf **out)
{
	const struct conf *cfg;
	struct store *st;
	struct dblist l = { 0 };
	int r;

	if ((r = conf_load(path, problem, arg, &cfg)) < 0)
		return r;
	if (store_open(cfg->database, STORE_READONLY, &st, NULL, 0) < 0) {
		*out = cfg;
		return 0;
	}
	r = dblist_read(st, &l);
	store_close(st);
	if (r < 0 || l.n == 0) {
		dblist_free(&l);
		*out = cfg;
		return 0;	/* (a database error shows at its next use) */
	}
	conf_unref(cfg);
	r = conf_load_db(path, l.z, l.n, problem, arg, out);
	dblist_free(&l);
	return r;
}

/* ---- catalogs ----------------------------------------------------------- */

/* 1 when member Z is to be listed: stored, and not being deleted. */
static int
member_listed(struct store *st, const struct conf_zone *z)
{
	struct store_zone_info zi;
	struct store_zonedef d;

	if (store_zone_info(st, z->name, &zi) < 0)
		return 0;
	if (z->from_db && store_zonedef_get(st, z->name, &d) == 1 &&
	    d.deleting != 0)
		return 0;
	return 1;
}

int
zones_catalog_sync(struct store *st, const struct conf *cfg,
    hp_problem_fn *problem, void *arg, struct store_catalog_result *res)
{
	struct store_catalog_result dummy;
	struct store_catalog *cats;
	struct store_member *m;
	const struct conf_zone *z;
	size_t nc = 0, nm = 0;
	int r;

	cats = calloc((size_t)cfg->n_zones + 1, sizeof(*cats));
	m = calloc((size_t)cfg->n_zones + 1, sizeof(*m));
	if (cats == NULL || m == NULL) {
		free(cats);
		free(m);
		return HP_ENOMEM;
	}
	for (z = cfg->zones; z != NULL; z = z->next) {
		if (z->catalog_producer) {
			cats[nc].name = z->name;
			cats[nc].serial_policy = z->serial_policy;
			cats[nc].max_journal_versions =
			    z->max_journal_versions;
			nc++;
		} else if (z->catalog != NULL && member_listed(st, z)) {
			m[nm].zone = z->name;
			m[nm].catalog = z->catalog;
			m[nm].group = z->catalog_group;
			nm++;
		}
	}
	r = store_catalog_sync(st, cats, nc, m, nm, problem, arg,
	    res != NULL ? res : &dummy);
	free(cats);
	free(m);
	return r;
}

static void
catalog_serial(struct store *st, const char *catalog, struct zones_result *res)
{
	struct store_zone_info zi;

	snprintf(res->catalog, sizeof(res->catalog), "%s", catalog);
	if (store_zone_info(st, catalog, &zi) == 0)
		res->catalog_serial = zi.serial;
}

/* ---- add -------------------------------------------------------------- */

/* The configuration of CFG's file with the database's zones and ZONE
 * (PATTERN): errors through PROBLEM. */
static int
conf_with(struct store *st, const struct conf *cfg, const char *zone,
    const char *pattern, hp_problem_fn *problem, void *arg,
    const struct conf **out)
{
	struct store_zonedef d;
	struct dblist l = { 0 };
	int r;

	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "%.255s", zone);
	snprintf(d.pattern, sizeof(d.pattern), "%s",
	    pattern != NULL ? pattern : "");
	if ((r = dblist_read(st, &l)) < 0 || (r = dblist_add(&d, &l)) < 0) {
		dblist_free(&l);
		return r;
	}
	r = conf_load_db(cfg->path, l.z, l.n, problem, arg, out);
	dblist_free(&l);
	return r;
}

int
zones_add(struct store *st, const struct conf *cfg, const char *zone,
    const char *pattern, const char *origin, const char *text, size_t len,
    hp_problem_fn *problem, void *arg, struct zones_result *res,
    const struct conf **ncfg)
{
	const struct conf_zone *z;
	const struct conf *nc = NULL;
	struct store_zonedef d;
	struct store_zone_info zi;
	struct pub_ctx c;
	char name[DNAME_MAXSTR];
	const char *why = NULL;
	int r, stored;

	memset(res, 0, sizeof(*res));
	if (dname_norm(zone, strlen(zone), name, sizeof(name), &why) < 0 ||
	    strcmp(name, ".") == 0) {
		say(problem, arg, "'%s' is not a valid domain name%s%s", zone,
		    why != NULL ? ": " : "", why != NULL ? why : "");
		return HP_EINVAL;
	}
	if ((z = conf_find_zone(cfg, name)) != NULL && !z->from_db) {
		say(problem, arg, "zone %s is in the configuration already "
		    "(%s:%d)", name, z->file, z->line);
		return HP_EEXIST;
	}
	if ((r = store_zonedef_get(st, name, &d)) == 1) {
		say(problem, arg, "zone %s was added already%s", name,
		    d.deleting ? " (and is being deleted)" : "");
		return HP_EEXIST;
	}
	if (r < 0)
		return r;
	if (conf_with(st, cfg, name, pattern, problem, arg, &nc) < 0) {
		say(problem, arg, "zone %s not added: the configuration with "
		    "it has errors; nothing changed", name);
		return HP_ECONF;
	}
	z = conf_find_zone(nc, name);
	stored = store_zone_info(st, name, &zi) == 0;
	if (origin == NULL && text == NULL && z != NULL)
		origin = z->source != NULL ? z->source : z->zonefile;
	if (origin == NULL && text == NULL && !stored) {
		say(problem, arg, "zone %s: no zone text: give a file (or "
		    "URL), or a pattern with zonefile:", name);
		conf_unref(nc);
		return HP_EINVAL;
	}
	memset(&c, 0, sizeof(c));
	c.st = st;
	c.cfg = nc;
	c.z = z;
	c.problem = problem;
	c.problem_arg = arg;
	if ((r = store_begin(st)) < 0) {
		say(problem, arg, "database: %s", hp_strerror(r));
		conf_unref(nc);
		return r;
	}
	if (text != NULL)
		r = pub_import_buffer(&c, text, len, "webhook", &res->pub);
	else if (origin != NULL)
		r = pub_import_origin(&c, origin, NULL, &res->pub);
	if (r == 0 && (r = store_zonedef_add(st, name, pattern)) == HP_EEXIST)
		say(problem, arg, "zone %s was added already", name);
	if (r == 0 && (r = zones_catalog_sync(st, nc, problem, arg,
	    NULL)) < 0)
		say(problem, arg, "zone %s: its catalog cannot be written",
		    name);
	if (r == 0)
		r = store_commit(st);
	if (r < 0) {
		store_rollback(st);
		if (res->pub.msg[0] != '\0')
			say(problem, arg, "%s", res->pub.msg);
		say(problem, arg, "zone %s not added; nothing changed", name);
		conf_unref(nc);
		return r;
	}
	if (z != NULL && z->catalog != NULL)
		catalog_serial(st, z->catalog, res);
	if (ncfg != NULL)
		*ncfg = nc;
	else
		conf_unref(nc);
	return 0;
}

/* ---- delete ----------------------------------------------------------- */

static int
catalog_busy(struct store *st, const struct conf *cfg, const char *catalog,
    hp_problem_fn *problem, void *arg)
{
	const struct conf_zone *z;
	int64_t n = 0;
	int cn = 0;

	for (z = cfg->zones; z != NULL; z = z->next)
		if (z->catalog != NULL && strcmp(z->catalog, catalog) == 0)
			cn++;
	(void)store_catalog_count(st, catalog, &n);
	if (cn == 0 && n == 0)
		return 0;
	say(problem, arg, "zone %s is a catalog that %d zone%s of the "
	    "configuration name%s (catalog-producer-zone:) and that lists %lld"
	    " member%s: delete them or move them to another catalog first",
	    catalog, cn, cn == 1 ? "" : "s", cn == 1 ? "s" : "",
	    (long long)n, n == 1 ? "" : "s");
	return 1;
}

int
zones_delete(struct store *st, const struct conf *cfg, const char *zone,
    int purge, hp_problem_fn *problem, void *arg, struct zones_result *res)
{
	const struct conf_zone *z;
	struct store_zonedef d;
	char name[DNAME_MAXSTR];
	int64_t nmem = 0;
	int r;

	memset(res, 0, sizeof(*res));
	if (dname_norm(zone, strlen(zone), name, sizeof(name), NULL) < 0) {
		say(problem, arg, "'%s' is not a valid domain name", zone);
		return HP_EINVAL;
	}
	z = conf_find_zone(cfg, name);
	(void)store_catalog_count(st, name, &nmem);
	if (((z != NULL && z->catalog_producer) || nmem > 0) &&
	    catalog_busy(st, cfg, name, problem, arg))
		return HP_EINVALID;
	if (z != NULL && !z->from_db) {
		say(problem, arg, "zone %s is defined in the configuration "
		    "(%s:%d): remove it there and reload; then delete it",
		    name, z->file, z->line);
		return HP_EINVALID;
	}
	if ((r = store_zonedef_get(st, name, &d)) < 0)
		return r;
	if (r == 1 && z != NULL) {
		/* served: out of its catalog now, purged by the daemon once
		 * the secondaries dropped it */
		if ((r = store_begin(st)) < 0)
			return r;
		if ((r = store_zonedef_delete(st, name, purge)) == 0)
			r = zones_catalog_sync(st, cfg, problem, arg, NULL);
		if (r == 0)
			r = store_commit(st);
		if (r < 0) {
			store_rollback(st);
			say(problem, arg, "zone %s not deleted: %s", name,
			    hp_strerror(r));
			return r;
		}
		res->deleting = 1;
		if (z->catalog != NULL)
			catalog_serial(st, z->catalog, res);
		return 0;
	}
	/* not served (or kept but not loaded): purged now */
	r = zones_purge(st, cfg->database, name, purge, res->backup,
	    sizeof(res->backup));
	if (r == HP_ENOENT)
		say(problem, arg, "no zone %s", name);
	else if (r < 0)
		say(problem, arg, "zone %s not deleted: %s", name,
		    hp_strerror(r));
	else
		res->purged = 1;
	return r;
}

int
zones_purge(struct store *st, const char *dbpath, const char *zone,
    int purge, char *backup, size_t len)
{
	char *up, *dir, bare[256], stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	size_t n;
	int e;

	if (len > 0)
		backup[0] = '\0';
	if (purge)
		return store_zone_purge(st, zone, NULL);
	/* deleted/ beside the database */
	up = path_dir(dbpath);
	n = strlen(up) + sizeof("/deleted");
	dir = malloc(n);
	if (dir != NULL)
		snprintf(dir, n, "%s/deleted", up);
	free(up);
	if (dir == NULL)
		return HP_ENOMEM;
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		e = errno;
		free(dir);
		return -e;
	}
	snprintf(bare, sizeof(bare), "%s", zone);
	n = strlen(bare);
	if (n > 1 && bare[n - 1] == '.')
		bare[n - 1] = '\0';
	for (n = 0; bare[n] != '\0'; n++)
		if (bare[n] == '/')
			bare[n] = '_';
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(backup, len, "%s/%s-%s.db", dir, bare, stamp);
	free(dir);
	return store_zone_purge(st, zone, backup);
}
