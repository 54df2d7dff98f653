/*
 * publish.c -- the ways into the store from the command line: import
 * (files, URLs, --all), publish (direct edits), rollback (agent/publish/).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agent/cli/cli.h"
#include "agent/conf/conf.h"
#include "agent/publish/fetch.h"
#include "agent/publish/publish.h"
#include "dns/err.h"
#include "store/store.h"

/* Print the outcome of RES for zone NAME; returns the exit status. */
static int
report(const struct cmd_ctx *ctx, const char *name, const char *origin,
    const struct pub_result *res)
{
	const struct store_import_result *r = &res->r;
	const char *would = r->dry_run ? "dry run: would publish" :
	    "published";
	char shown[FETCH_SHOWN_MAX];

	if (res->stage != PUB_OK) {
		fprintf(stderr, "hpagent: %s\n", res->msg);
		return pub_exit_status(res);
	}
	if (r->pending_published && !ctx->quiet)
		printf("%s: pending direct edits %spublished first\n", name,
		    r->dry_run ? "would be " : "");
	if (r->conflicts > 0 && !ctx->quiet)
		printf("%s: %u conflict%s with changes made by other channels "
		    "(listed above); the zone keeps them\n", name,
		    r->conflicts, r->conflicts == 1 ? "" : "s");
	if (ctx->quiet && !r->dry_run)
		return EXIT_OK;
	if (res->not_modified) {
		if (ctx->verbose || r->dry_run)
			printf("%s: unchanged (%s not modified), serial %u "
			    "stays\n", name, fetch_redact(origin, shown,
			    sizeof(shown)), r->new_serial);
	} else if (r->changed && r->new_zone)
		printf("%s: %snew zone, serial %u, %llu records\n", name,
		    r->dry_run ? "dry run: would create the " : "",
		    r->new_serial, (unsigned long long)r->records);
	else if (r->changed)
		printf("%s: %s serial %u (was %u): +%llu -%llu, %llu "
		    "records%s\n", name, would, r->new_serial, r->old_serial,
		    (unsigned long long)r->added,
		    (unsigned long long)r->removed,
		    (unsigned long long)r->records, r->replaced &&
		    !r->new_zone ? " (replaced: the zone is the text)" : "");
	else if (ctx->verbose || r->dry_run)
		printf("%s: unchanged, serial %u stays (%llu records)%s\n",
		    name, r->new_serial, (unsigned long long)r->records,
		    r->held ? "; the zone is held by direct edits that do "
		    "not validate (hpagent publish names them)" : "");
	return EXIT_OK;
}

/* A dry run's change, as `diff` prints it (SOAs included); with --json,
 * collected for the zone's document. */
struct dry {
	char *buf;
	size_t len;
	json_t *rm, *add;	/* --json */
};

static int
dry_rr(int op, const struct store_rr *rr, void *arg)
{
	struct dry *d = arg;
	int bad = store_rr_text(rr, &d->buf, &d->len) < 0;

	if (d->rm != NULL)
		return cmd_json_append(op ? d->add : d->rm, bad ?
		    json_sprintf("%s (type %u: cannot print)", rr->owner,
		    rr->type) : json_string(d->buf));
	if (bad)
		printf("%c%s (type %u: cannot print)\n", op ? '+' : '-',
		    rr->owner, rr->type);
	else
		printf("%c%s\n", op ? '+' : '-', d->buf);
	return 0;
}

/* RES for zone NAME as one line of JSON; returns the exit status. */
static int
report_json(const char *name, const char *origin,
    const struct pub_result *res, struct dry *d)
{
	const struct store_import_result *r = &res->r;
	int rc = res->stage != PUB_OK ? pub_exit_status(res) : EXIT_OK;
	json_t *doc;

	doc = json_pack("{s:s, s:s, s:b, s:i, s:o, s:b, s:b, s:b, s:b, s:I, "
	    "s:I, s:I, s:I, s:I, s:I, s:b}", "zone", name, "origin", origin,
	    "ok", res->stage == PUB_OK, "exit", rc, "error",
	    res->stage != PUB_OK ? json_string(res->msg) : json_null(),
	    "changed", r->changed, "new_zone", r->new_zone, "not_modified",
	    res->not_modified, "dry_run", r->dry_run, "old_serial",
	    (json_int_t)r->old_serial, "new_serial", (json_int_t)r->new_serial,
	    "added", (json_int_t)r->added, "removed", (json_int_t)r->removed,
	    "records", (json_int_t)r->records, "conflicts",
	    (json_int_t)r->conflicts, "held", r->held);
	if (doc != NULL && d->rm != NULL && (json_object_set(doc,
	    "removed_rrs", d->rm) < 0 || json_object_set(doc, "added_rrs",
	    d->add) < 0)) {
		json_decref(doc);
		doc = NULL;
	}
	if (cmd_json_print(doc) < 0)
		rc = rc > EXIT_FAIL ? rc : EXIT_FAIL;
	if (d->rm != NULL) {
		json_array_clear(d->rm);
		json_array_clear(d->add);
	}
	return rc;
}

static const char import_usage[] =
    "usage: hpagent [-c FILE] [-q|-v] import [--replace] [--dry-run]\n"
    "           [--force] [--json] ZONE [FILE|URL]\n"
    "       hpagent [-c FILE] [-q|-v] import [OPTIONS] --all\n"
    "  Read the zone from FILE or URL (default: the zone's source:, else its\n"
    "  zonefile:), validate it and publish what it changes as a new version\n"
    "  (the SOA serial ignored; bumped per the zone's serial-policy).\n"
    "  Each source (file, URL) is remembered: an import applies only its\n"
    "  own change since its last import, so that edits made by other\n"
    "  channels (SQL, rollback, the API) stay; conflicts are listed. The\n"
    "  first import of a source, --replace and source-mode: replace make\n"
    "  the zone exactly the text.\n"
    "  An argument with \"://\" is a URL (http, https with ca-file:, file):\n"
    "  the request is conditional on the ETag / Last-Modified of the last\n"
    "  successful fetch, and \"not modified\" does nothing. --all: every\n"
    "  zone with a source: or zonefile:. Nothing is printed for an\n"
    "  unchanged zone unless -v (cron mails only news).\n"
    "  --dry-run: print the change and the serial it would publish;\n"
    "  nothing changes. An import removing more than max-delete: percent\n"
    "  (default 50) of the zone's records is refused; --force publishes it.\n"
    "  --json: a line of JSON per zone: zone, origin, ok, exit, error,\n"
    "  changed, new_zone, not_modified, dry_run, old_serial, new_serial,\n"
    "  added, removed, records, conflicts, held (a dry run: removed_rrs,\n"
    "  added_rrs).\n"
    "  Exit: 0 published or unchanged, 10 fetch failed, 11 parse error,\n"
    "  12 validation error, 13 database busy or failing, 14 refused by\n"
    "  max-delete, 2 usage, 1 other (--all: the highest). The store is\n"
    "  unchanged on failure.\n";

int
cmd_import(const struct cmd_ctx *ctx, int argc, char **argv)
{
	struct pub_ctx c = { 0 };
	struct dry dry = { 0 };
	const struct conf *cfg;
	const struct conf_zone *z;
	struct pub_result res;
	const char *origin, *args[2];
	int all = 0, rc = EXIT_OK, r, n = 0, nargs = 0, i, json = 0;

	if (cmd_wants_help(argc, argv, import_usage))
		return EXIT_OK;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--all") == 0)
			all = 1;
		else if (strcmp(argv[i], "--replace") == 0)
			c.replace = 1;
		else if (strcmp(argv[i], "--dry-run") == 0)
			c.dry_run = 1;
		else if (strcmp(argv[i], "--force") == 0)
			c.force = 1;
		else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "hpagent: import: unknown option "
			    "'%s'\n%s", argv[i], import_usage);
			return EXIT_USAGE;
		} else if (nargs == 2) {
			fprintf(stderr, "hpagent: import: too many operands "
			    "('%s')\n%s", argv[i], import_usage);
			return EXIT_USAGE;
		} else
			args[nargs++] = argv[i];
	}
	if ((all && nargs > 0) || (!all && nargs == 0)) {
		fprintf(stderr, "hpagent: import: %s\n%s", all ? "--all takes "
		    "no zone" : "missing operand: ZONE", import_usage);
		return EXIT_USAGE;
	}
	if (json && c.dry_run && ((dry.rm = json_array()) == NULL ||
	    (dry.add = json_array()) == NULL)) {
		json_decref(dry.rm);
		return EXIT_FAIL;
	}
	if (c.dry_run) {
		c.change_cb = dry_rr;
		c.change_arg = &dry;
	}
	if (cmd_load_config(ctx, &cfg) < 0)
		return EXIT_FAIL;
	z = all ? cfg->zones : conf_find_zone(cfg, args[0]);
	if (z == NULL && !all) {
		fprintf(stderr, "hpagent: zone %s is not in %s\n", args[0],
		    cfg->path);
		conf_unref(cfg);
		return EXIT_FAIL;
	}
	if (cmd_open_store(cfg, STORE_CREATE, &c.st) < 0) {
		conf_unref(cfg);
		return PUB_EXIT_STORE;
	}
	c.cfg = cfg;
	for (; z != NULL; z = all ? z->next : NULL) {
		origin = nargs == 2 ? args[1] :
		    z->source != NULL ? z->source : z->zonefile;
		if (origin == NULL) {
			if (all)
				continue;
			fprintf(stderr, "hpagent: zone %s has no source: or "
			    "zonefile:\n", z->name);
			rc = EXIT_FAIL;
			break;
		}
		n++;
		c.z = z;
		if (c.dry_run && !json)
			printf("; %s: dry run of the import of %s\n", z->name,
			    origin);
		(void)pub_import_origin(&c, origin, NULL, &res);
		r = json ? report_json(z->name, origin, &res, &dry) :
		    report(ctx, z->name, origin, &res);
		if (r > rc)
			rc = r;
	}
	if (all && n == 0 && ctx->verbose)
		printf("no zone has a source: or zonefile:\n");
	free(dry.buf);
	json_decref(dry.rm);
	json_decref(dry.add);
	store_close(c.st);
	conf_unref(cfg);
	return rc;
}

static const char rollback_usage[] =
    "usage: hpagent [-c FILE] [-q] rollback ZONE SERIAL\n"
    "  Publish the content of the stored version SERIAL again, as a new\n"
    "  version: the serial moves forward per the serial-policy, the\n"
    "  journal records the change (source \"rollback\") and a running\n"
    "  daemon NOTIFYs the secondaries. Exit statuses as for import.\n";

int
cmd_rollback(const struct cmd_ctx *ctx, int argc, char **argv)
{
	struct pub_ctx c = { 0 };
	const struct conf *cfg;
	struct pub_result res;
	uint32_t serial;
	int rc, i;

	if (cmd_wants_help(argc, argv, rollback_usage))
		return EXIT_OK;
	if (argc != 3 || cmd_parse_serial(argv[2], &serial) < 0) {
		for (i = 1; i < argc; i++)
			if (argv[i][0] == '-' && argv[i][1] != '\0')
				return cmd_usage("rollback", argv[i],
				    rollback_usage);
		if (argc == 3)
			fprintf(stderr, "hpagent: rollback: '%s' is not a "
			    "serial\n", argv[2]);
		else
			(void)cmd_usage("rollback", argc > 3 ? argv[3] : NULL,
			    "");
		fputs(rollback_usage, stderr);
		return EXIT_USAGE;
	}
	if (cmd_load_zone(ctx, argv[1], &cfg, &c.z) < 0)
		return EXIT_FAIL;
	if (cmd_open_store(cfg, 0, &c.st) < 0) {
		conf_unref(cfg);
		return PUB_EXIT_STORE;
	}
	c.cfg = cfg;
	pub_rollback(&c, serial, &res);
	if (res.stage == PUB_OK && !res.r.changed && !ctx->quiet)
		printf("%s: the current version already has the content of "
		    "serial %u; serial %u stays\n", c.z->name, serial,
		    res.r.new_serial);
	else if (res.stage == PUB_OK && !ctx->quiet)
		printf("%s: content of serial %u published as serial %u (was "
		    "%u): +%llu -%llu\n", c.z->name, serial, res.r.new_serial,
		    res.r.old_serial, (unsigned long long)res.r.added,
		    (unsigned long long)res.r.removed);
	else
		(void)report(ctx, c.z->name, "", &res);
	rc = pub_exit_status(&res);
	store_close(c.st);
	conf_unref(cfg);
	return rc;
}

static const char publish_usage[] =
    "usage: hpagent [-c FILE] [-q] publish [--discard] ZONE\n"
    "  Publish direct edits of the zone's rows in the `records` table\n"
    "  (made with the sqlite3 shell, see docs/SCHEMA.md) as a new version.\n"
    "  Each added row is validated as an import is: a bad one is named\n"
    "  (owner, type, problem), nothing is published and the zone is held\n"
    "  until the rows are fixed or the edits discarded.\n"
    "  --discard: drop the pending edits, the rows back as published.\n"
    "  Exit: 0 published or nothing pending, 12 the edits do not validate,\n"
    "  13 database busy or failing, 1 other.\n";

static int
discard(const struct cmd_ctx *ctx, struct store *st, const char *name)
{
	struct store_import_result r;
	int ret = store_discard(st, name, &r);

	if (ret == HP_EUNCHANGED) {
		if (!ctx->quiet)
			printf("%s: no pending edits (serial %u)\n", name,
			    r.new_serial);
		return EXIT_OK;
	}
	if (ret == 0) {
		if (!ctx->quiet)
			printf("%s: pending edits discarded: %llu row%s taken "
			    "out, %llu put back; the records are serial %u "
			    "again\n", name, (unsigned long long)r.removed,
			    r.removed == 1 ? "" : "s",
			    (unsigned long long)r.added, r.new_serial);
		return EXIT_OK;
	}
	if (ret == HP_ENOENT)
		fprintf(stderr, "hpagent: publish: no zone %s in the store\n",
		    name);
	else
		fprintf(stderr, "hpagent: publish --discard %s: %s; nothing "
		    "changed\n", name, hp_strerror(ret));
	return ret == HP_EBUSY || ret == HP_ESTORE ? PUB_EXIT_STORE :
	    EXIT_FAIL;
}

int
cmd_publish(const struct cmd_ctx *ctx, int argc, char **argv)
{
	struct store_import_result r;
	struct pub_ctx c = { 0 };
	const struct conf *cfg;
	const char *zone = NULL;
	char name[256];
	int ret, i, drop = 0;

	if (cmd_wants_help(argc, argv, publish_usage))
		return EXIT_OK;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--discard") == 0)
			drop = 1;
		else if (argv[i][0] == '-' || zone != NULL) {
			(void)cmd_usage("publish", argv[i], publish_usage);
			return EXIT_USAGE;
		} else
			zone = argv[i];
	}
	if (zone == NULL) {
		(void)cmd_usage("publish", NULL, publish_usage);
		return EXIT_USAGE;
	}
	if (cmd_load_config(ctx, &cfg) < 0)
		return EXIT_FAIL;
	if (cmd_open_store(cfg, 0, &c.st) < 0) {
		conf_unref(cfg);
		return EXIT_FAIL;
	}
	c.cfg = cfg;
	c.z = conf_find_zone(cfg, zone);	/* NULL: server-wide settings */
	snprintf(name, sizeof(name), "%s", c.z != NULL ? c.z->name : zone);
	if (drop) {
		ret = discard(ctx, c.st, name);
		store_close(c.st);
		conf_unref(cfg);
		return ret;
	}
	ret = pub_edits(&c, zone, &r);
	if (ret == HP_EUNCHANGED) {
		if (!ctx->quiet)
			printf("%s: no pending edits (serial %u)\n", name,
			    r.new_serial);
		ret = 0;
	} else if (ret == 0) {
		if (!ctx->quiet)
			printf("%s: published serial %u (was %u): +%llu -%llu,"
			    " %llu records\n", name, r.new_serial, r.old_serial,
			    (unsigned long long)r.added,
			    (unsigned long long)r.removed,
			    (unsigned long long)r.records);
	} else if (ret == HP_ENOENT) {
		fprintf(stderr, "hpagent: publish: no zone %s in the store\n",
		    name);
	} else if (ret == HP_EBUSY) {
		fprintf(stderr, "hpagent: publish %s: database is locked by "
		    "another writer; nothing changed\n", name);
	} else if (ret == HP_EINVALID) {
		fprintf(stderr, "hpagent: publish %s: held: the direct edits "
		    "do not validate; serial %u stays (fix the rows, or "
		    "hpagent publish --discard %s)\n", name, r.old_serial,
		    name);
	} else {
		fprintf(stderr, "hpagent: publish %s: %s\n", name,
		    hp_strerror(ret));
	}
	store_close(c.st);
	conf_unref(cfg);
	if (ret == HP_EINVALID)
		return PUB_EXIT_VALID;
	if (ret == HP_EBUSY || ret == HP_ESTORE)
		return PUB_EXIT_STORE;
	return ret == 0 ? EXIT_OK : EXIT_FAIL;
}
