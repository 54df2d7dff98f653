/*
 * serve.c -- the daemon's commands: serve and notify (agent/daemon/).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "agent/cli/cli.h"
#include "agent/conf/conf.h"
#include "agent/daemon/daemon.h"

static const char serve_usage[] =
    "usage: hpagent [-c FILE] serve [-d] [--allow-root]\n"
    "  Serve the zones: SOA, AXFR and IXFR on every ip-address:, NOTIFY\n"
    "  to the notify: targets on every new version.\n"
    "  -d            detach (daemonize) and write the pidfile\n"
    "  --allow-root  started as root without username:, stay root\n"
    "  Started as root, it binds its ports, then drops to username:\n"
    "  (after chroot: when set). SIGHUP reloads the configuration;\n"
    "  SIGTERM and SIGINT stop it.\n";

int
cmd_serve(const struct cmd_ctx *ctx, int argc, char **argv)
{
	struct daemon_opts o = { .config_path = ctx->config_path,
	    .verbose = ctx->verbose };
	const struct conf *cfg;
	int i;

	if (cmd_wants_help(argc, argv, serve_usage))
		return EXIT_OK;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-d") == 0)
			o.daemonize = 1;
		else if (strcmp(argv[i], "--allow-root") == 0)
			o.allow_root = 1;
		else {
			(void)cmd_usage("serve", argv[i], serve_usage);
			return EXIT_USAGE;
		}
	}
	if (cmd_load_config(ctx, &cfg) < 0)
		return EXIT_FAIL;
	return daemon_serve(cfg, &o);	/* CFG's reference goes with it */
}

static const char notify_usage[] =
    "usage: hpagent [-c FILE] notify ZONE...\n"
    "  Send NOTIFYs of each ZONE's current serial to its notify: targets\n"
    "  now, waiting until each is acknowledged or its retries run out.\n"
    "  Exit status 0 when every target acknowledged.\n";

int
cmd_notify(const struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct conf *cfg;
	int rc, i;

	if (cmd_wants_help(argc, argv, notify_usage))
		return EXIT_OK;
	if (argc < 2)
		return cmd_usage("notify", NULL, notify_usage);
	for (i = 1; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cmd_usage("notify", argv[i], notify_usage);
	if (cmd_load_config(ctx, &cfg) < 0)
		return EXIT_FAIL;
	rc = daemon_notify(cfg, ctx->verbose, argv + 1, argc - 1);
	conf_unref(cfg);
	return rc;
}
