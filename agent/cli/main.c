/*
 * main.c -- hpagent [-c FILE] [-v] [-q] SUBCOMMAND [ARGS]: dispatch only.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "agent/cli/cli.h"
#include "agent/conf/conf.h"
#include "agent/publish/zones.h"
#include "dns/err.h"
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
	{ "zone", cmd_zone, "zone add|delete NAME: add or delete a zone "
	    "(and its catalog member)" },
	{ "show", cmd_show, "print a zone (any stored version)" },
	{ "history", cmd_history, "list a zone's versions" },
	{ "diff", cmd_diff, "print the records removed/added between versions" },
	{ "notify", cmd_notify, "send NOTIFYs for a zone now" },
	{ "status", cmd_status, "which serial each secondary serves, and why" },
	{ "wait", cmd_wait, "wait until the secondaries serve a serial" },
	{ "secondary", cmd_secondary, "secondary forget ADDR[@PORT]: drop a "
	    "secondary's row" },
	{ "dnssec", cmd_dnssec, "dnssec status|ds|rollover|ds-seen ZONE: "
	    "the signer's keys and steps" },
	{ "check-conf", cmd_check_conf, "check the configuration file" },
	{ "add", cmd_add, "add records to a zone (a new version)" },
	{ "del", cmd_del, "delete records from a zone (a new version)" },
	{ "edit", cmd_edit, "edit a zone's records in $EDITOR" },
	{ "keygen", cmd_keygen, "print a new TSIG key as a key: clause" },
	{ "backup", cmd_backup, "copy the database (online, consistent)" },
	{ "reopen", cmd_reopen, "make the daemon open its log file again" },
	{ NULL, NULL, NULL }
};

static void
usage(FILE *out)
{
	const struct command *c;

	fprintf(out, "usage: hpagent [-c FILE] [-v] [-q] COMMAND [ARGS]\n"
	    "       hpagent -V | --version\n"
	    "\n  -c FILE  configuration (default %s)\n"
	    "  -v       more output   -q  less output\n"
	    "  -V       print the version and exit\n\ncommands:\n",
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

/* cmd_args and cmd_json_args: --json accepted when JSON is not NULL. */
static int
cmd_operands(int argc, char **argv, const char *usage, int min, int max,
    int *json)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	char **ops;
	int c, n = 0;

	if ((ops = calloc((size_t)argc + 1, sizeof(*ops))) == NULL)
		return CMD_ARGS_USAGE;
	optind = 0;		/* glibc: start over, for every command */
	opterr = 0;
	/* "-": operands returned in order as 1, so that options may come
	 * after them ("history ZONE --json"); "--" ends the options */
	while ((c = getopt_long(argc, argv, "-h", longopts, NULL)) != -1) {
		if (c == 1)
			ops[n++] = optarg;
		else if (c == 'h') {
			fputs(usage, stdout);
			free(ops);
			return CMD_ARGS_HELP;
		} else if (c == 'j' && json != NULL)
			*json = 1;
		else {
			fprintf(stderr, "hpagent: %s: unknown option '%s'\n",
			    argv[0], argv[optind - 1]);
			fputs(usage, stderr);
			free(ops);
			return CMD_ARGS_USAGE;
		}
	}
	while (optind < argc)	/* after "--" */
		ops[n++] = argv[optind++];
	if (n < min || (max >= 0 && n > max)) {
		fprintf(stderr, "hpagent: %s: %s\n", argv[0], n < min ?
		    "missing operand" : "too many operands");
		fputs(usage, stderr);
		free(ops);
		return CMD_ARGS_USAGE;
	}
	memcpy(argv + 1, ops, (size_t)n * sizeof(*argv));
	argv[n + 1] = NULL;
	free(ops);
	return CMD_ARGS_OK;
}

int
cmd_usage(const char *cmd, const char *arg, const char *usage)
{
	if (arg == NULL)
		fprintf(stderr, "hpagent: %s: missing operand\n", cmd);
	else if (arg[0] == '-' && arg[1] != '\0')
		fprintf(stderr, "hpagent: %s: unknown option '%s'\n", cmd, arg);
	else
		fprintf(stderr, "hpagent: %s: unexpected operand '%s'\n", cmd,
		    arg);
	fputs(usage, stderr);
	return EXIT_USAGE;
}

int
cmd_args(int argc, char **argv, const char *usage, int min, int max)
{
	return cmd_operands(argc, argv, usage, min, max, NULL);
}

int
cmd_json_args(int argc, char **argv, const char *usage, int min, int max)
{
	int json = 0, r;

	if ((r = cmd_operands(argc, argv, usage, min, max, &json)) !=
	    CMD_ARGS_OK)
		return r == CMD_ARGS_HELP ? CMD_JSON_HELP : CMD_JSON_USAGE;
	return json;
}

int
cmd_json_append(json_t *list, json_t *item)
{
	if (item == NULL || json_array_append_new(list, item) < 0)
		return HP_ENOMEM;
	return 0;
}

int
cmd_json_print(json_t *doc)
{
	char *text;

	if (doc == NULL || (text = json_dumps(doc, JSON_COMPACT)) == NULL) {
		json_decref(doc);
		return HP_ENOMEM;
	}
	printf("%s\n", text);
	free(text);
	json_decref(doc);
	return 0;
}

int
cmd_load_config(const struct cmd_ctx *ctx, const struct conf **cfg)
{
	if (zones_conf_load(ctx->config_path, NULL, NULL, cfg) < 0) {
		fprintf(stderr, "hpagent: cannot use configuration %s\n",
		    ctx->config_path);
		return -1;
	}
	return 0;
}

int
cmd_load_zone(const struct cmd_ctx *ctx, const char *zone,
    const struct conf **cfg, const struct conf_zone **z)
{
	if (cmd_load_config(ctx, cfg) < 0)
		return -1;
	if ((*z = conf_find_zone(*cfg, zone)) == NULL) {
		fprintf(stderr, "hpagent: zone %s is not in %s\n", zone,
		    (*cfg)->path);
		conf_unref(*cfg);
		*cfg = NULL;
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

const char *
cmd_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "-");
	return buf;
}

int
cmd_parse_int(const char *s, int min, int max, int *out)
{
	char *end;
	long v;

	if (!((s[0] >= '0' && s[0] <= '9') || (s[0] == '-' && s[1] >= '0' &&
	    s[1] <= '9')))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0' || errno != 0 || v < min || v > max)
		return -1;
	*out = (int)v;
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
		} else if (strcmp(argv[i], "-V") == 0 ||
		    strcmp(argv[i], "--version") == 0) {
			printf("hpagent %s\n", HP_VERSION);
			return EXIT_OK;
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
