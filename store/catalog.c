/*
 * catalog.c -- producer catalog zones (RFC 9432, schema version 2): the
 * members of each catalog (table catalog_members, their ids kept) and the
 * catalog's records written from them, published as a new version of the
 * catalog zone in the transaction that changes its members.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns/err.h"
#include "dns/serial.h"
#include "store/store.h"
#include "store/store_int.h"

#define say(p, a, ...)	hp_problem((p), (a), NULL, 0, 0, __VA_ARGS__)

/* A growing text buffer (the catalog's zone text). */
struct tbuf {
	char *s;
	size_t len, cap;
	int err;
};

static void
tb_add(struct tbuf *b, const char *s, size_t n)
{
	char *g;
	size_t cap;

	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = (b->len + n + 1) * 2 + 4096;
		if ((g = realloc(b->s, cap)) == NULL) {
			b->err = HP_ENOMEM;
			return;
		}
		b->s = g;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
tb_str(struct tbuf *b, const char *s)
{
	tb_add(b, s, strlen(s));
}

/* S as a quoted character-string: '"' and '\' escaped, the rest of what
 * is not printable ASCII as \DDD. */
static void
tb_quoted(struct tbuf *b, const char *s)
{
	char e[8];

	tb_add(b, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			e[0] = '\\';
			e[1] = (char)c;
			tb_add(b, e, 2);
		} else if (c < 0x20 || c > 0x7e) {
			snprintf(e, sizeof(e), "\\%03u", c);
			tb_add(b, e, 4);
		} else
			tb_add(b, (const char *)&c, 1);
	}
	tb_add(b, "\"", 1);
}

/*
 * The zone text of CATALOG from its rows (RFC 9432 4: SOA and NS whose
 * content does not matter, the version property, the members; TTL 0 as
 * NSD writes it). The SOA serial is 1: the store moves it forward.
 */
static int
catalog_text(struct store *st, const char *catalog, struct tbuf *b)
{
	sqlite3_stmt *s;
	const char *member, *id, *grp, *coo;
	int rc, ret;

	tb_str(b, "$ORIGIN ");
	tb_str(b, catalog);
	tb_str(b, "\n@ 0 IN SOA invalid. invalid. 1 3600 600 2147483646 0\n"
	    "@ 0 IN NS invalid.\nversion 0 IN TXT \"2\"\n");
	if ((ret = store_prep(st, &s, "SELECT member, id, grp, coo FROM "
	    "catalog_members WHERE catalog = ? ORDER BY id")) < 0)
		return ret;
	sqlite3_bind_text(s, 1, catalog, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		member = (const char *)sqlite3_column_text(s, 0);
		id = (const char *)sqlite3_column_text(s, 1);
		grp = (const char *)sqlite3_column_text(s, 2);
		coo = (const char *)sqlite3_column_text(s, 3);
		if (member == NULL || id == NULL)
			continue;
		tb_str(b, id);
		tb_str(b, ".zones 0 IN PTR ");
		tb_str(b, member);
		tb_str(b, "\n");
		if (grp != NULL) {
			tb_str(b, "group.");
			tb_str(b, id);
			tb_str(b, ".zones 0 IN TXT ");
			tb_quoted(b, grp);
			tb_str(b, "\n");
		}
		if (coo != NULL) {
			tb_str(b, "coo.");
			tb_str(b, id);
			tb_str(b, ".zones 0 IN PTR ");
			tb_str(b, coo);
			tb_str(b, "\n");
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(rc);
	return b->err;
}

/* Publish CAT's records as they follow from its rows now. */
static int
catalog_publish(struct store *st, const struct store_catalog *cat,
    const char *name, hp_problem_fn *problem, void *arg)
{
	struct store_import_opts o;
	struct store_import_result r;
	struct tbuf b = { 0 };
	int ret;

	if ((ret = catalog_text(st, name, &b)) < 0) {
		free(b.s);
		return ret;
	}
	memset(&o, 0, sizeof(o));
	o.zone = name;
	o.source = "catalog";
	o.mode = STORE_REPLACE;
	o.filename = name;
	o.serial_policy = cat->serial_policy;
	o.max_journal_versions = cat->max_journal_versions;
	o.problem = problem;
	o.problem_arg = arg;
	ret = store_import_buffer(st, b.s, b.len, &o, &r);
	free(b.s);
	return ret;
}

/* ---- the members wanted, checked ---------------------------------- */

struct want {
	char member[256];
	char catalog[256];
	const char *group;
};

static int
want_cmp(const void *a, const void *b)
{
	return strcmp(((const struct want *)a)->member,
	    ((const struct want *)b)->member);
}

/* The names of CATS normalized into CN; every member of M checked into
 * W (sorted by member, duplicates of one catalog dropped); *NW. The
 * number of problems reported. */
static unsigned
want_check(const struct store_catalog *cats, size_t ncat, char (*cn)[256],
    const struct store_member *m, size_t nm, struct want *w, size_t *nw,
    hp_problem_fn *problem, void *arg)
{
	unsigned bad = 0;
	size_t i, j, n = 0;

	for (i = 0; i < ncat; i++)
		if (store_norm_name(cats[i].name, cn[i], 256) < 0) {
			say(problem, arg, "catalog '%s' is not a domain name",
			    cats[i].name);
			cn[i][0] = '\0';
			bad++;
		}
	for (i = 0; i < nm; i++) {
		struct want *x = &w[n];

		if (store_norm_name(m[i].zone, x->member, 256) < 0) {
			say(problem, arg, "member zone '%s' is not a valid "
			    "domain name", m[i].zone);
			bad++;
			continue;
		}
		if (store_norm_name(m[i].catalog, x->catalog, 256) < 0) {
			say(problem, arg, "zone %s: catalog '%s' is not a "
			    "domain name", x->member, m[i].catalog);
			bad++;
			continue;
		}
		for (j = 0; j < ncat; j++)
			if (strcmp(cn[j], x->catalog) == 0)
				break;
		if (j == ncat) {
			say(problem, arg, "zone %s: %s is not a catalog zone "
			    "(catalog: producer)", x->member, x->catalog);
			bad++;
			continue;
		}
		if (strcmp(x->member, x->catalog) == 0) {
			say(problem, arg, "catalog %s would list itself",
			    x->catalog);
			bad++;
			continue;
		}
		for (j = 0; j < ncat; j++)
			if (strcmp(cn[j], x->member) == 0)
				break;
		if (j < ncat) {
			say(problem, arg, "%s is a catalog zone: catalog %s "
			    "cannot list it", x->member, x->catalog);
			bad++;
			continue;
		}
		if (m[i].group != NULL && strlen(m[i].group) > 255) {
			say(problem, arg, "zone %s: group longer than 255 "
			    "octets", x->member);
			bad++;
			continue;
		}
		x->group = m[i].group;
		n++;
	}
	qsort(w, n, sizeof(*w), want_cmp);
	for (i = j = 0; i < n; i++) {
		if (j > 0 && strcmp(w[j - 1].member, w[i].member) == 0) {
			if (strcmp(w[j - 1].catalog, w[i].catalog) != 0) {
				say(problem, arg, "zone %s is claimed by two "
				    "catalogs: %s and %s", w[i].member,
				    w[j - 1].catalog, w[i].catalog);
				bad++;
			}
			continue;
		}
		w[j++] = w[i];
	}
	*nw = j;
	return bad;
}

/* ---- the sync ---------------------------------------------------------- */

/* The temporary tables of a sync: what is wanted, which catalogs there
 * are, which changed, which members move. */
static const char *const sync_prep[] = {
	"CREATE TEMP TABLE IF NOT EXISTS cat_want(member TEXT PRIMARY KEY, "
	"catalog TEXT NOT NULL, grp TEXT)",
	"CREATE TEMP TABLE IF NOT EXISTS cat_cats(name TEXT PRIMARY KEY)",
	"CREATE TEMP TABLE IF NOT EXISTS cat_dirty(name TEXT PRIMARY KEY)",
	"CREATE TEMP TABLE IF NOT EXISTS cat_move(member TEXT PRIMARY KEY, "
	"old TEXT, new TEXT, id TEXT, grp TEXT)",
	"DELETE FROM cat_want", "DELETE FROM cat_cats", "DELETE FROM cat_dirty",
	"DELETE FROM cat_move",
};

/* One step of the sync: SQL run with ?1 = now; how many rows it changed
 * added to *COUNT (may be NULL). */
struct step {
	const char *sql;
	size_t count;	/* offset in the result, or (size_t)-1 */
};

#define RES(f)	offsetof(struct store_catalog_result, f)
#define NOCOUNT	((size_t)-1)

static const struct step sync_steps[] = {
	/* rows of catalogs no longer configured: dropped */
	{ "DELETE FROM catalog_members WHERE catalog NOT IN "
	  "(SELECT name FROM cat_cats)", NOCOUNT },
	/* members no longer wanted: out, with their coo rows */
	{ "INSERT OR IGNORE INTO cat_dirty SELECT catalog FROM "
	  "catalog_members WHERE member NOT IN (SELECT member FROM cat_want)",
	  NOCOUNT },
	{ "DELETE FROM catalog_members WHERE coo IS NULL AND member NOT IN "
	  "(SELECT member FROM cat_want)", RES(removed) },
	{ "DELETE FROM catalog_members WHERE member NOT IN "
	  "(SELECT member FROM cat_want)", NOCOUNT },
	/* the group changed */
	{ "INSERT OR IGNORE INTO cat_dirty SELECT c.catalog FROM "
	  "catalog_members c JOIN cat_want w ON w.member = c.member AND "
	  "w.catalog = c.catalog WHERE c.coo IS NULL AND c.grp IS NOT w.grp",
	  NOCOUNT },
	{ "UPDATE catalog_members SET grp = (SELECT grp FROM cat_want w "
	  "WHERE w.member = catalog_members.member) WHERE coo IS NULL AND "
	  "EXISTS (SELECT 1 FROM cat_want w WHERE w.member = "
	  "catalog_members.member AND w.catalog = catalog_members.catalog "
	  "AND w.grp IS NOT catalog_members.grp)", RES(regrouped) },
	/* moved to another catalog: coo in the old one (RFC 9432 5.6.1),
	 * the same id in the new one (its coo row there, when it moves
	 * back, becomes the member again) */
	{ "INSERT INTO cat_move SELECT c.member, c.catalog, w.catalog, c.id, "
	  "w.grp FROM catalog_members c JOIN cat_want w ON w.member = "
	  "c.member WHERE c.coo IS NULL AND c.catalog != w.catalog", NOCOUNT },
	{ "INSERT OR IGNORE INTO cat_dirty SELECT old FROM cat_move UNION "
	  "SELECT new FROM cat_move", NOCOUNT },
	{ "UPDATE catalog_members SET coo = (SELECT new FROM cat_move m "
	  "WHERE m.member = catalog_members.member) WHERE coo IS NULL AND "
	  "(catalog, member) IN (SELECT old, member FROM cat_move)",
	  RES(moved) },
	{ "UPDATE catalog_members SET coo = NULL, grp = (SELECT grp FROM "
	  "cat_move m WHERE m.member = catalog_members.member) WHERE "
	  "(catalog, member) IN (SELECT new, member FROM cat_move)", NOCOUNT },
	{ "INSERT OR IGNORE INTO catalog_members(catalog, member, id, grp, "
	  "coo, added) SELECT new, member, id, grp, NULL, ?1 FROM cat_move",
	  NOCOUNT },
	/* wanted back in a catalog that kept a coo row of it */
	{ "INSERT OR IGNORE INTO cat_dirty SELECT w.catalog FROM cat_want w "
	  "JOIN catalog_members c ON c.member = w.member AND c.catalog = "
	  "w.catalog WHERE c.coo IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
	  "catalog_members x WHERE x.member = w.member AND x.coo IS NULL)",
	  NOCOUNT },
	{ "UPDATE catalog_members SET coo = NULL, grp = (SELECT grp FROM "
	  "cat_want w WHERE w.member = catalog_members.member) WHERE coo IS "
	  "NOT NULL AND (catalog, member) IN (SELECT catalog, member FROM "
	  "cat_want) AND NOT EXISTS (SELECT 1 FROM catalog_members x WHERE "
	  "x.member = catalog_members.member AND x.coo IS NULL)", NOCOUNT },
	/* new members: a fresh id each */
	{ "INSERT OR IGNORE INTO cat_dirty SELECT catalog FROM cat_want w "
	  "WHERE NOT EXISTS (SELECT 1 FROM catalog_members c WHERE c.member "
	  "= w.member AND c.coo IS NULL)", NOCOUNT },
};

/* Members wanted without a row: inserted, each with a random id (a
 * clash with an id of the catalog leaves it out: tried again). */
static const char add_sql[] =
	"INSERT OR IGNORE INTO catalog_members(catalog, member, id, grp, coo, "
	"added) SELECT catalog, member, lower(hex(randomblob(8))), grp, NULL, "
	"?1 FROM cat_want w WHERE NOT EXISTS (SELECT 1 FROM catalog_members c "
	"WHERE c.member = w.member AND c.coo IS NULL)";

static int
run_step(struct store *st, const char *sql, int64_t now, unsigned *count)
{
	sqlite3_stmt *s;
	int ret;

	if ((ret = store_prep(st, &s, sql)) < 0)
		return ret;
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, now);
	ret = store_step_done(s);
	sqlite3_finalize(s);
	if (ret == 0 && count != NULL)
		*count += (unsigned)sqlite3_changes(st->db);
	return ret;
}

static int
fill_want(struct store *st, const struct want *w, size_t nw, char (*cn)[256],
    size_t ncat)
{
	sqlite3_stmt *s;
	size_t i;
	int ret;

	if ((ret = store_prep(st, &s, "INSERT INTO cat_want VALUES "
	    "(?, ?, ?)")) < 0)
		return ret;
	for (i = 0; ret == 0 && i < nw; i++) {
		sqlite3_bind_text(s, 1, w[i].member, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, w[i].catalog, -1, SQLITE_STATIC);
		if (w[i].group != NULL)
			sqlite3_bind_text(s, 3, w[i].group, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(s, 3);
		ret = store_step_done(s);
	}
	sqlite3_finalize(s);
	if (ret < 0 || (ret = store_prep(st, &s, "INSERT OR IGNORE INTO "
	    "cat_cats VALUES (?)")) < 0)
		return ret;
	for (i = 0; ret == 0 && i < ncat; i++) {
		sqlite3_bind_text(s, 1, cn[i], -1, SQLITE_STATIC);
		ret = store_step_done(s);
	}
	sqlite3_finalize(s);
	return ret;
}

/* 1 when CATALOG must be published: its members changed, or it is not
 * stored yet. */
static int
catalog_dirty(struct store *st, const char *catalog)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prep(st, &s, "SELECT EXISTS (SELECT 1 FROM cat_dirty WHERE "
	    "name = ?1) OR NOT EXISTS (SELECT 1 FROM zones WHERE name = ?1)")
	    < 0)
		return 1;
	sqlite3_bind_text(s, 1, catalog, -1, SQLITE_STATIC);
	rc = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 1;
	sqlite3_finalize(s);
	return rc;
}

int
store_catalog_sync(struct store *st, const struct store_catalog *cats,
    size_t ncat, const struct store_member *m, size_t nm,
    hp_problem_fn *problem, void *arg, struct store_catalog_result *res)
{
	char (*cn)[256] = NULL;
	struct want *w = NULL;
	size_t nw = 0, i;
	int64_t now = (int64_t)time(NULL), left;
	int ret, tries;

	memset(res, 0, sizeof(*res));
	cn = calloc(ncat + 1, sizeof(*cn));
	w = calloc(nm + 1, sizeof(*w));
	if (cn == NULL || w == NULL) {
		ret = HP_ENOMEM;
		goto out;
	}
	if (want_check(cats, ncat, cn, m, nm, w, &nw, problem, arg) > 0) {
		say(problem, arg, "catalog zones unchanged");
		ret = HP_EINVALID;
		goto out;
	}
	if ((ret = store_begin(st)) < 0)
		goto out;
	for (i = 0; ret == 0 && i < sizeof(sync_prep) / sizeof(*sync_prep);
	    i++)
		ret = store_exec(st, sync_prep[i]);
	if (ret == 0)
		ret = fill_want(st, w, nw, cn, ncat);
	for (i = 0; ret == 0 && i < sizeof(sync_steps) / sizeof(*sync_steps);
	    i++)
		ret = run_step(st, sync_steps[i].sql, now,
		    sync_steps[i].count == NOCOUNT ? NULL :
		    (unsigned *)((char *)res + sync_steps[i].count));
	for (tries = 0, left = 1; ret == 0 && left > 0 && tries < 4; tries++)
		if ((ret = run_step(st, add_sql, now, &res->added)) == 0)
			ret = store_get_int(st, "SELECT count(*) FROM cat_want "
			    "w WHERE NOT EXISTS (SELECT 1 FROM catalog_members "
			    "c WHERE c.member = w.member AND c.coo IS NULL)",
			    &left);
	if (ret == 0 && left > 0)
		ret = HP_ESTORE;
	for (i = 0; ret == 0 && i < ncat; i++) {
		if (!catalog_dirty(st, cn[i]))
			continue;
		if ((ret = catalog_publish(st, &cats[i], cn[i], problem,
		    arg)) == 0)
			res->published++;
	}
	if (ret == 0)
		ret = store_commit(st);
	if (ret < 0) {
		store_rollback(st);
		memset(res, 0, sizeof(*res));
	}
out:
	free(cn);
	free(w);
	return ret;
}

/* ---- reading ---------------------------------------------------------- */

int
store_catalog_list(struct store *st, const char *catalog,
    int (*cb)(const struct store_catalog_row *r, void *arg), void *arg)
{
	struct store_catalog_row r;
	sqlite3_stmt *s;
	char name[256];
	const unsigned char *t;
	int rc, ret = 0;

	if (catalog != NULL && store_norm_name(catalog, name,
	    sizeof(name)) < 0)
		return HP_EINVAL;
	if ((rc = store_prep(st, &s, "SELECT catalog, member, id, grp, coo, "
	    "added FROM catalog_members WHERE ?1 IS NULL OR catalog = ?1 "
	    "ORDER BY catalog, member")) < 0)
		return rc;
	if (catalog != NULL)
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
#define COL(i, f) \
	if ((t = sqlite3_column_text(s, i)) != NULL) \
		snprintf(r.f, sizeof(r.f), "%s", (const char *)t)
		COL(0, catalog);
		COL(1, member);
		COL(2, id);
		COL(3, group);
		COL(4, coo);
#undef COL
		r.added = sqlite3_column_int64(s, 5);
		ret = cb(&r, arg);
	}
	return store_walk_end(s, rc, ret);
}

int
store_catalog_count(struct store *st, const char *catalog, int64_t *n)
{
	sqlite3_stmt *s;
	char name[256];
	int rc;

	if (store_norm_name(catalog, name, sizeof(name)) < 0)
		return HP_EINVAL;
	if ((rc = store_prep(st, &s, "SELECT count(*) FROM catalog_members "
	    "WHERE catalog = ? AND coo IS NULL")) < 0)
		return rc;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : store_sqlerr(rc);
}
