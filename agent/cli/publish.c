/*
 * publish.c -- the ways into the store from the command line: import
 * (files, URLs, --all), publish (direct edits), rollback (agent/publish/).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	char shown[FETCH_SHOWN_MAX];

	if (res->stage != PUB_OK) {
		fprintf(stderr, "hpagent: %s\n", res->msg);
		return pub_exit_status(res);
	}
	if (r->pending_published && !ctx->quiet)
		printf("%s: pending direct edits published first\n", name);
	if (ctx->quiet)
		return EXIT_OK;
	if (res->not_modified) {
		if (ctx->verbose)
			printf("%s: unchanged (%s not modified), serial %u "
			    "stays\n", name, fetch_redact(origin, shown,
			    sizeof(shown)), r->new_serial);
	} else if (r->changed && r->new_zone)
		printf("%s: new zone, serial %u, %llu records\n", name,
		    r->new_serial, (unsigned long long)r->records);
	else if (r->changed)
		printf("%s: published serial %u (was %u): +%llu -%llu, %llu "
		    "records\n", name, r->new_serial, r->old_serial,
		    (unsigned long long)r->added,
		    (unsigned long long)r->removed,
		    (unsigned long long)r->records);
	else if (ctx->verbose)
		printf("%s: unchanged, serial %u stays (%llu records)\n", name,
		    r->new_serial, (unsigned long long)r->records);
	return EXIT_OK;
}

static const char import_usage[] =
    "usage: hpagent [-c CONF] [-q|-v] import ZONE [FILE|URL]\n"
    "       hpagent [-c CONF] [-q|-v] import --all\n"
    "  Read the zone from FILE or URL (default: the zone's source:, else its\n"
    "  zonefile:), validate it and, when its records differ from the\n"
    "  published version (the SOA serial ignored), publish it as a new\n"
    "  version with the serial bumped per the zone's serial-policy.\n"
    "  An argument with \"://\" is a URL (http, https with ca-file:, file):\n"
    "  the request is conditional on the ETag / Last-Modified of the last\n"
    "  successful fetch, and \"not modified\" does nothing. --all: every\n"
    "  zone with a source: or zonefile:. Nothing is printed for an\n"
    "  unchanged zone unless -v (cron mails only news).\n"
    "  Exit: 0 published or unchanged, 10 fetch failed, 11 parse error,\n"
    "  12 validation error, 13 database busy or failing, 2 usage, 1 other\n"
    "  (--all: the highest). The store is unchanged on failure.\n";

int
cmd_import(const struct cmd_ctx *ctx, int argc, char **argv)
{
	struct pub_ctx c = { 0 };
	const struct conf *cfg;
	const struct conf_zone *z;
	struct pub_result res;
	const char *origin;
	int all = 0, rc = EXIT_OK, r, n = 0;

	if (cmd_wants_help(argc, argv, import_usage))
		return EXIT_OK;
	if (argc == 2 && strcmp(argv[1], "--all") == 0)
		all = 1;
	else if (argc < 2 || argc > 3 || argv[1][0] == '-') {
		fputs(import_usage, stderr);
		return EXIT_USAGE;
	}
	if (cmd_load_config(ctx, &cfg) < 0)
		return EXIT_FAIL;
	z = all ? cfg->zones : conf_find_zone(cfg, argv[1]);
	if (z == NULL && !all) {
		fprintf(stderr, "hpagent: zone %s is not in %s\n", argv[1],
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
		origin = !all && argc == 3 ? argv[2] :
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
		(void)pub_import_origin(&c, origin, NULL, &res);
		r = report(ctx, z->name, origin, &res);
		if (r > rc)
			rc = r;
	}
	if (all && n == 0 && ctx->verbose)
		printf("no zone has a source: or zonefile:\n");
	store_close(c.st);
	conf_unref(cfg);
	return rc;
}

static const char rollback_usage[] =
    "usage: hpagent [-c CONF] [-q] rollback ZONE SERIAL\n"
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
	int rc;

	if (cmd_wants_help(argc, argv, rollback_usage))
		return EXIT_OK;
	if (argc != 3 || cmd_parse_serial(argv[2], &serial) < 0) {
		fputs(rollback_usage, stderr);
		return EXIT_USAGE;
	}
	if (cmd_load_config(ctx, &cfg) < 0)
		return EXIT_FAIL;
	if ((c.z = conf_find_zone(cfg, argv[1])) == NULL) {
		fprintf(stderr, "hpagent: zone %s is not in %s\n", argv[1],
		    cfg->path);
		conf_unref(cfg);
		return EXIT_FAIL;
	}
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
    "usage: hpagent [-c CONF] [-q] publish ZONE\n"
    "  Publish direct edits of the zone's rows in the `records` table\n"
    "  (made with the sqlite3 shell, see docs/SCHEMA.md) as a new version.\n";

int
cmd_publish(const struct cmd_ctx *ctx, int argc, char **argv)
{
	struct store_import_result r;
	struct pub_ctx c = { 0 };
	const struct conf *cfg;
	char name[256];
	int ret;

	if (cmd_wants_help(argc, argv, publish_usage))
		return EXIT_OK;
	if (argc != 2) {
		fputs(publish_usage, stderr);
		return EXIT_USAGE;
	}
	if (cmd_load_config(ctx, &cfg) < 0)
		return EXIT_FAIL;
	if (cmd_open_store(cfg, 0, &c.st) < 0) {
		conf_unref(cfg);
		return EXIT_FAIL;
	}
	c.cfg = cfg;
	c.z = conf_find_zone(cfg, argv[1]);	/* NULL: server-wide settings */
	ret = pub_edits(&c, argv[1], &r);
	snprintf(name, sizeof(name), "%s", c.z != NULL ? c.z->name : argv[1]);
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
	} else if (ret != HP_EINVALID) {
		fprintf(stderr, "hpagent: publish %s: %s\n", name,
		    hp_strerror(ret));
	}
	store_close(c.st);
	conf_unref(cfg);
	return ret == 0 ? EXIT_OK : EXIT_FAIL;
}
