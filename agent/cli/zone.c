/*
 * zone.c -- zone add and zone delete: a zone kept in the database (no
 * configuration to edit), added to or removed from its catalog zone in
 * the same transaction (agent/publish/zones.c).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "agent/cli/cli.h"
#include "agent/conf/conf.h"
#include "agent/publish/zones.h"
#include "dns/err.h"
#include "store/store.h"

static const char zone_usage[] =
    "usage: hpagent [-c FILE] zone add NAME [--pattern P] [FILE|URL]\n"
    "       hpagent [-c FILE] zone delete NAME [--purge]\n"
    "  add: keep zone NAME in the database, served as if the configuration\n"
    "    had \"zone: name: NAME include-pattern: P\"; its text from FILE or\n"
    "    URL (else the pattern's zonefile:); when P names a catalog\n"
    "    (catalog-producer-zone:), the zone is added to it, in the same\n"
    "    transaction. The running daemon serves it within a second.\n"
    "  delete: take zone NAME out of its catalog; the daemon serves it\n"
    "    until its secondaries have dropped it (at most 10 times its\n"
    "    sync-timeout:), then removes it from the store, keeping its\n"
    "    history in deleted/NAME-TIME.db beside the database (--purge:\n"
    "    no backup). A zone no longer configured is\n"
    "    removed at once. Zones of the configuration file are removed\n"
    "    there.\n";

static int
zone_add(const struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *name = NULL, *pattern = NULL, *origin = NULL;
	const struct conf *cfg;
	struct zones_result res;
	struct store *st;
	int i, r;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--pattern") == 0 && i + 1 < argc)
			pattern = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			goto usage;
		else if (name == NULL)
			name = argv[i];
		else if (origin == NULL)
			origin = argv[i];
		else
			goto usage;
	}
	if (name == NULL)
		goto usage;
	if (cmd_load_config(ctx, &cfg) < 0)
		return EXIT_FAIL;
	if (cmd_open_store(cfg, STORE_CREATE, &st) < 0) {
		conf_unref(cfg);
		return EXIT_FAIL;
	}
	r = zones_add(st, cfg, name, pattern, origin, NULL, 0, NULL, NULL,
	    &res, NULL);
	if (r == 0 && !ctx->quiet) {
		printf("%s: added, serial %u", name, res.pub.r.new_serial);
		if (res.catalog[0] != '\0')
			printf("; catalog %s serial %u", res.catalog,
			    res.catalog_serial);
		printf("\n");
	}
	store_close(st);
	conf_unref(cfg);
	if (r < 0 && res.pub.stage != PUB_OK)
		return pub_exit_status(&res.pub);
	return r < 0 ? (r == HP_EBUSY ? PUB_EXIT_STORE : EXIT_FAIL) : EXIT_OK;
usage:
	fputs(zone_usage, stderr);
	return EXIT_USAGE;
}

static int
zone_delete(const struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *name = NULL;
	const struct conf *cfg;
	struct zones_result res;
	struct store *st;
	int i, r, purge = 0;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--purge") == 0)
			purge = 1;
		else if (argv[i][0] == '-' || name != NULL)
			goto usage;
		else
			name = argv[i];
	}
	if (name == NULL)
		goto usage;
	if (cmd_load_config(ctx, &cfg) < 0)
		return EXIT_FAIL;
	if (cmd_open_store(cfg, 0, &st) < 0) {
		conf_unref(cfg);
		return EXIT_FAIL;
	}
	r = zones_delete(st, cfg, name, purge, NULL, NULL, &res);
	if (r == 0 && !ctx->quiet) {
		if (res.deleting) {
			printf("%s: deleting", name);
			if (res.catalog[0] != '\0')
				printf(": out of catalog %s (serial %u)",
				    res.catalog, res.catalog_serial);
			printf("; served until its secondaries dropped it, "
			    "then removed%s\n", purge ? "" :
			    " (history kept in a backup file)");
		} else
			printf("%s: removed from the store%s%s\n", name,
			    res.backup[0] != '\0' ? "; history in " : "",
			    res.backup);
	}
	store_close(st);
	conf_unref(cfg);
	return r < 0 ? (r == HP_EBUSY ? PUB_EXIT_STORE : EXIT_FAIL) : EXIT_OK;
usage:
	fputs(zone_usage, stderr);
	return EXIT_USAGE;
}

int
cmd_zone(const struct cmd_ctx *ctx, int argc, char **argv)
{
	if (cmd_wants_help(argc, argv, zone_usage))
		return EXIT_OK;
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return zone_add(ctx, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "delete") == 0)
		return zone_delete(ctx, argc, argv);
	return cmd_usage("zone", argc >= 2 ? argv[1] : NULL, zone_usage);
}
