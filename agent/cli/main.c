/*
 * main.c -- hpagent [-c FILE] [-v] [-q] SUBCOMMAND [ARGS]: dispatch only.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agent/cli/cli.h"
#include "agent/conf/conf.h"
#include "store/store.h"

static const struct command {
	const char *name;
	int (*run)(const struct cmd_ctx *, int, char **);
	const char *summary;
} commands[] = {
	{ "serve", cmd_serve, "run the hidden primary (transfers, NOTIFY)" },
	{ "import", cmd_import, "import a zone (file or URL); publish it if it changed" },
	{ "rollback", cmd_rollback, "publish an earlier version again" },
	{ "publish", cmd_publish, "publish direct database edits of a zone" },
	{ "zones", cmd_zones, "list zones: serial, records, last change" },
	{ "show", cmd_show, "print a zone (any stored version)" },
	{ "history", cmd_history, "list a zone's versions" },
	{ "diff", cmd_diff, "print the records removed/added between versions" },
	{ "notify", cmd_notify, "send NOTIFYs for a zone now" },
	{ "status", cmd_status, "which serial each secondary serves, and why" },
	{ "wait", cmd_wait, "wait until the secondaries serve a serial" },
	{ "secondary", cmd_secondary, "secondary forget ADDR[@PORT]: drop a "
	    "secondary's row" },
	{ "check-conf", cmd_check_conf, "check the configuration file" },
	{ NULL, NULL, NULL }
};

static void
usage(FILE *out)
{
	const struct command *c;

	fprintf(out, "usage: hpagent [-c FILE] [-v] [-q] COMMAND [ARGS]\n"
	    "\n  -c FILE  configuration (default %s)\n"
	    "  -v       more output   -q  less output\n\ncommands:\n",
	    HP_DEFAULT_CONFIG);
	for (c = commands; c->name != NULL; c++)
		fprintf(out, "  %-11s %s\n", c->name, c->summary);
	fprintf(out, "  %-11s %s\n", "help", "this text");
	fprintf(out, "\n'hpagent COMMAND --help' describes a command.\n");
}

int
cmd_wants_help(int argc, char **argv, const char *text)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			fputs(text, stdout);
			return 1;
		}
	}
	return 0;
}

int
cmd_load_config(const struct cmd_ctx *ctx, const struct conf **cfg)
{
	if (conf_load(ctx->config_path, NULL, NULL, cfg) < 0) {
		fprintf(stderr, "hpagent: cannot use configuration %s\n",
		    ctx->config_path);
		return -1;
	}
	return 0;
}

int
cmd_open_store(const struct conf *cfg, int flags, struct store **st)
{
	char err[512];

	if (store_open(cfg->database, flags, st, err, sizeof(err)) < 0) {
		fprintf(stderr, "hpagent: %s\n", err);
		return -1;
	}
	return 0;
}

int
cmd_parse_serial(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int
main(int argc, char **argv)
{
	struct cmd_ctx ctx = { .config_path = HP_DEFAULT_CONFIG };
	const struct command *c;
	const char *env;
	int i = 1;

	/* The database, its -wal/-shm, logs and pidfiles hpagent creates are
	 * not for other users (check-conf and serve warn about such files). */
	umask(027);
	if ((env = getenv("HPAGENT_CONF")) != NULL && env[0] != '\0')
		ctx.config_path = env;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			ctx.config_path = argv[++i];
			ctx.config_given = 1;
		} else if (strncmp(argv[i], "-c", 2) == 0 && argv[i][2]) {
			ctx.config_path = argv[i] + 2;
			ctx.config_given = 1;
		} else if (strcmp(argv[i], "-v") == 0) {
			ctx.verbose++;
		} else if (strcmp(argv[i], "-q") == 0) {
			ctx.quiet = 1;
		} else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else {
			fprintf(stderr, "hpagent: unknown option %s\n",
			    argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	for (c = commands; c->name != NULL; c++)
		if (strcmp(argv[i], c->name) == 0)
			return c->run(&ctx, argc - i, argv + i);
	fprintf(stderr, "hpagent: unknown command '%s' (try 'hpagent help')\n",
	    argv[i]);
	return EXIT_USAGE;
}
