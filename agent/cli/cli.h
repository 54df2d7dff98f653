/*
 * cli.h -- the subcommands of the hpagent binary: main.c dispatches, one
 * file per family does the work, each opening only what it needs.
 *
 *   conf.c     check-conf
 *   zones.c    zones, show, history, diff      (reading the store)
 *   publish.c  import, publish, rollback       (agent/publish/)
 *   status.c   status, wait, secondary forget  (the secondaries ledger)
 *   serve.c    serve, notify                   (agent/daemon/)
 *
 * Each takes the global options and its own argv (argv[0] is the
 * subcommand name) and returns the process exit status. Every command
 * accepts --help. Exit statuses are documented in README.md.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_CLI_H
#define HP_CLI_H

#include <stdint.h>

struct conf;
struct store;

struct cmd_ctx {
	const char *config_path;	/* -c, default HP_DEFAULT_CONFIG */
	int config_given;		/* -c was on the command line */
	int verbose;			/* -v count */
	int quiet;			/* -q */
};

#define HP_DEFAULT_CONFIG "/etc/hpagent/agent.conf"

/* Exit statuses shared by the commands (README: "Exit statuses"). */
enum {
	EXIT_OK = 0,		/* done / published */
	EXIT_FAIL = 1,		/* generic failure */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_UNCHANGED = 0,	/* import: nothing to publish (still success) */
};

/* main.c: helpers of every command. */
/* Load the configuration named by CTX, its problems on stderr. */
int cmd_load_config(const struct cmd_ctx *ctx, const struct conf **cfg);
/* Open CFG's database with FLAGS (store_open), the reason on stderr. */
int cmd_open_store(const struct conf *cfg, int flags, struct store **st);
/* Parse S as a decimal SOA serial (0..2^32-1) into *OUT: 0, or -1. */
int cmd_parse_serial(const char *s, uint32_t *out);
/* 1 when ARGV holds -h or --help (then print USAGE to stdout). */
int cmd_wants_help(int argc, char **argv, const char *usage);

int cmd_check_conf(const struct cmd_ctx *, int, char **);
int cmd_import(const struct cmd_ctx *, int, char **);
int cmd_publish(const struct cmd_ctx *, int, char **);
int cmd_rollback(const struct cmd_ctx *, int, char **);
int cmd_zones(const struct cmd_ctx *, int, char **);
int cmd_show(const struct cmd_ctx *, int, char **);
int cmd_history(const struct cmd_ctx *, int, char **);
int cmd_diff(const struct cmd_ctx *, int, char **);
int cmd_serve(const struct cmd_ctx *, int, char **);
int cmd_notify(const struct cmd_ctx *, int, char **);
int cmd_status(const struct cmd_ctx *, int, char **);
int cmd_wait(const struct cmd_ctx *, int, char **);
int cmd_secondary(const struct cmd_ctx *, int, char **);

#endif
