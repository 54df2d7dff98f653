/*
 * cmd_pub.c -- publishing commands: import (files, URLs, --all),
 * rollback, wait, and status --json.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/cli/cli.h"
#include "agent/conf/conf.h"
#include "agent/publish/fetch.h"
#include "agent/http/json.h"
#include "agent/publish/publish.h"
#include "agent/http/status.h"
#include "dns/err.h"
#include "store/store.h"

static int
open_store(const struct hp_config *cfg, int flags, struct store **st)
{
	char err[512];

	if (store_open(cfg->database, flags, st, err, sizeof(err)) < 0) {
		fprintf(stderr, "hpagent: %s\n", err);
		return -1;
	}
	return 0;
}

/* Print the outcome of RES for zone NAME; returns the exit status. */
static int
report(const struct cmd_ctx *ctx, const char *name, const char *origin,
    const struct pub_result *res)
{
	const struct store_import_result *r = &res->r;

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
			    "stays\n", name, origin, r->new_serial);
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
	struct hp_config *cfg;
	const struct hp_zone *z;
	struct pub_result res;
	struct store *st;
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
	z = all ? cfg->zones : config_zone(cfg, argv[1]);
	if (z == NULL && !all) {
		fprintf(stderr, "hpagent: zone %s is not in %s\n", argv[1],
		    cfg->path);
		config_free(cfg);
		return EXIT_FAIL;
	}
	if (open_store(cfg, STORE_CREATE, &st) < 0) {
		config_free(cfg);
		return PUB_EXIT_STORE;
	}
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
		r = pub_import_origin(st, cfg, z, origin, NULL, stderr, &res);
		(void)r;
		r = report(ctx, z->name, origin, &res);
		if (r > rc)
			rc = r;
	}
	if (all && n == 0 && ctx->verbose)
		printf("no zone has a source: or zonefile:\n");
	store_close(st);
	config_free(cfg);
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
	struct hp_config *cfg;
	const struct hp_zone *z;
	struct pub_result res;
	struct store *st;
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
	if ((z = config_zone(cfg, argv[1])) == NULL) {
		fprintf(stderr, "hpagent: zone %s is not in %s\n", argv[1],
		    cfg->path);
		config_free(cfg);
		return EXIT_FAIL;
	}
	if (open_store(cfg, 0, &st) < 0) {
		config_free(cfg);
		return PUB_EXIT_STORE;
	}
	pub_rollback(st, cfg, z, serial, stderr, &res);
	if (res.stage == PUB_OK && !res.r.changed && !ctx->quiet)
		printf("%s: the current version already has the content of "
		    "serial %u; serial %u stays\n", z->name, serial,
		    res.r.new_serial);
	else if (res.stage == PUB_OK && !ctx->quiet)
		printf("%s: content of serial %u published as serial %u (was "
		    "%u): +%llu -%llu\n", z->name, serial, res.r.new_serial,
		    res.r.old_serial, (unsigned long long)res.r.added,
		    (unsigned long long)res.r.removed);
	else
		(void)report(ctx, z->name, "", &res);
	rc = pub_exit_status(&res);
	store_close(st);
	config_free(cfg);
	return rc;
}

static const char wait_usage[] =
    "usage: hpagent [-c CONF] wait ZONE [SERIAL] [--timeout S]\n"
    "  Wait until every notify: target of ZONE has SERIAL (default: the\n"
    "  current one) or a later one, as recorded by the running daemon\n"
    "  when it serves their transfers. Exit 0 when they all have it, 1 at\n"
    "  the timeout (default 60 s), listing the secondaries behind.\n";

int
cmd_wait(const struct cmd_ctx *ctx, int argc, char **argv)
{
	struct hp_config *cfg;
	const struct hp_zone *z;
	struct store_zone_info zi;
	struct sec_target t[64];
	struct store *st;
	const char *zone = NULL;
	uint32_t serial = 0, have;
	int have_serial = 0, timeout = 60, nt, i, behind, r, rc = EXIT_FAIL;
	time_t end;

	if (cmd_wants_help(argc, argv, wait_usage))
		return EXIT_OK;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			timeout = atoi(argv[++i]);
			if (timeout < 0 || timeout > 86400) {
				fputs(wait_usage, stderr);
				return EXIT_USAGE;
			}
		} else if (zone == NULL && argv[i][0] != '-')
			zone = argv[i];
		else if (!have_serial && cmd_parse_serial(argv[i], &serial) == 0)
			have_serial = 1;
		else {
			fputs(wait_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (zone == NULL) {
		fputs(wait_usage, stderr);
		return EXIT_USAGE;
	}
	if (cmd_load_config(ctx, &cfg) < 0)
		return EXIT_FAIL;
	if ((z = config_zone(cfg, zone)) == NULL) {
		fprintf(stderr, "hpagent: zone %s is not in %s\n", zone,
		    cfg->path);
		config_free(cfg);
		return EXIT_FAIL;
	}
	if (open_store(cfg, STORE_READONLY, &st) < 0) {
		config_free(cfg);
		return EXIT_FAIL;
	}
	if ((r = store_zone_info(st, z->name, &zi)) < 0) {
		fprintf(stderr, "hpagent: wait: %s: %s\n", z->name,
		    r == HP_ENOENT ? "not imported yet" : hp_strerror(r));
		goto out;
	}
	if (!have_serial)
		serial = zi.serial;
	nt = sec_targets(z, t, 64);
	end = time(NULL) + timeout;
	for (;;) {
		behind = 0;
		for (i = 0; i < nt; i++) {
			r = sec_serial(store_db(st), z->name, t[i].addr, &have);
			if (r <= 0 || !sec_has(have, serial))
				behind++;
		}
		if (behind == 0) {
			if (!ctx->quiet)
				printf("%s: serial %u on all %d secondar%s\n",
				    z->name, serial, nt, nt == 1 ? "y" : "ies");
			rc = EXIT_OK;
			break;
		}
		if (time(NULL) >= end) {
			printf("%s: %d of %d secondar%s behind serial %u after "
			    "%d s:\n", z->name, behind, nt, nt == 1 ? "y" :
			    "ies", serial, timeout);
			for (i = 0; i < nt; i++) {
				r = sec_serial(store_db(st), z->name,
				    t[i].addr, &have);
				if (r > 0 && sec_has(have, serial))
					continue;
				if (r > 0)
					printf("  %s has %u\n", t[i].label, have);
				else
					printf("  %s has no known serial\n",
					    t[i].label);
			}
			break;
		}
		usleep(200000);
	}
out:
	store_close(st);
	config_free(cfg);
	return rc;
}

/* status --json here; the table output stays cmd_status (serve.c). */
struct zlist {
	char (*names)[256];
	int n, cap;
};

static int
add_zone(const struct store_zone_info *info, void *arg)
{
	struct zlist *l = arg;
	void *nv;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		if ((nv = realloc(l->names, (size_t)l->cap *
		    sizeof(*l->names))) == NULL)
			return HP_ENOMEM;
		l->names = nv;
	}
	snprintf(l->names[l->n++], 256, "%s", info->name);
	return 0;
}

int
cmd_status_main(const struct cmd_ctx *ctx, int argc, char **argv)
{
	struct hp_config *cfg;
	struct store *st;
	struct json_writer w;
	struct zlist l = { 0 };
	char zbuf[256];
	const char *zone = NULL;
	int i, json = 0, r = 0, rc = EXIT_FAIL;
	size_t k;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
	if (!json || cmd_wants_help(argc, argv, ""))
		return cmd_status(ctx, argc, argv);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			continue;
		if (zone != NULL || argv[i][0] == '-') {
			fputs("usage: hpagent [-c FILE] status [ZONE] "
			    "[--json]\n", stderr);
			return EXIT_USAGE;
		}
		zone = argv[i];
	}
	if (cmd_load_config(ctx, &cfg) < 0)
		return EXIT_FAIL;
	if (open_store(cfg, STORE_READONLY, &st) < 0) {
		config_free(cfg);
		return EXIT_FAIL;
	}
	if (zone != NULL) {
		k = strlen(zone);
		snprintf(zbuf, sizeof(zbuf), "%s%s", zone,
		    k > 0 && zone[k - 1] == '.' ? "" : ".");
		for (k = 0; zbuf[k] != '\0'; k++)
			if (zbuf[k] >= 'A' && zbuf[k] <= 'Z')
				zbuf[k] = (char)(zbuf[k] - 'A' + 'a');
		r = add_zone(&(struct store_zone_info){ .id = 0 }, &l);
		if (r == 0)
			snprintf(l.names[0], 256, "%s", zbuf);
	} else
		r = store_zone_list(st, add_zone, &l);
	json_init(&w);
	json_obj_begin(&w);
	json_key(&w, "zones");
	json_arr_begin(&w);
	for (i = 0; r == 0 && i < l.n; i++) {
		r = sec_zone_json(store_db(st), cfg, l.names[i], &w);
		if (r == HP_ENOENT)
			fprintf(stderr, "hpagent: status: no zone %s in the "
			    "store\n", l.names[i]);
	}
	json_arr_end(&w);
	json_obj_end(&w);
	if (r == 0 && json_error(&w) == 0) {
		printf("%s\n", json_data(&w, NULL));
		rc = EXIT_OK;
	} else if (r != HP_ENOENT)
		fprintf(stderr, "hpagent: status: %s\n",
		    hp_strerror(r < 0 ? r : json_error(&w)));
	json_free(&w);
	free(l.names);
	store_close(st);
	config_free(cfg);
	return rc;
}
