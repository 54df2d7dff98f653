/*
 * cli.h -- the subcommands of the hpagent binary: main.c dispatches, one
 * file per family does the work, each opening only what it needs.
 *
 *   conf.c     check-conf
 *   zones.c    zones, show, history, diff      (reading the store)
 *   publish.c  import, publish, rollback       (agent/publish/)
 *   status.c   status, wait, secondary forget  (the secondaries ledger)
 *   serve.c    serve, notify                   (agent/daemon/)
 *   admin.c    keygen, backup, reopen          (housekeeping)
 *   edit.c     add, del, edit                  (a zone edited as text)
 *   zone.c     zone add, zone delete           (agent/publish/zones.c)
 *
 * Each takes the global options and its own argv (argv[0] is the
 * subcommand name) and returns the process exit status. Every command
 * accepts --help. Exit statuses are documented in README.md.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_CLI_H
#define HP_CLI_H

#include <stdint.h>
#include <stdio.h>

struct conf;
struct store;

struct cmd_ctx {
	const char *config_path;	/* -c, default HP_DEFAULT_CONFIG */
	int config_given;		/* -c was on the command line */
	int verbose;			/* -v count */
	int quiet;			/* -q */
};

/* HP_DEFAULT_CONFIG, HP_VERSION: build/build.h (make, from PREFIX...) */
#include "build.h"

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
/* The configuration, as cmd_load_config(), and ZONE's clause in it (its
 * absence said on stderr, the configuration released): 0 or -1. */
struct conf_zone;
int cmd_load_zone(const struct cmd_ctx *ctx, const char *zone,
    const struct conf **cfg, const struct conf_zone **z);
/* Open CFG's database with FLAGS (store_open), the reason on stderr. */
int cmd_open_store(const struct conf *cfg, int flags, struct store **st);
/* Parse S as a decimal SOA serial (0..2^32-1) into *OUT: 0, or -1. */
int cmd_parse_serial(const char *s, uint32_t *out);
/* Unix time T as every command prints a time: UTC, ISO 8601
 * (2026-11-29T15:04:05Z); "-" when T <= 0. Returns BUF. */
const char *cmd_time(int64_t t, char *buf, size_t len);
/* Parse S as a decimal integer MIN..MAX, all of it, into *OUT: 0, or -1
 * (no atoi: "abc" and "5s" are errors, not 0 and 5). */
int cmd_parse_int(const char *s, int min, int max, int *out);
/*
 * The arguments of a command that takes no options but -h/--help: USAGE
 * on stdout and CMD_ARGS_HELP for --help; the reason and USAGE on stderr
 * and CMD_ARGS_USAGE for an unknown option or fewer than MIN or more than
 * MAX operands (MAX < 0: any number); else CMD_ARGS_OK. "--" ends the
 * options.
 */
enum { CMD_ARGS_OK, CMD_ARGS_HELP, CMD_ARGS_USAGE };
/* A usage error of CMD: the reason (ARG an unknown option, an operand too
 * many, or NULL: one missing) and USAGE on stderr; returns EXIT_USAGE. */
int cmd_usage(const char *cmd, const char *arg, const char *usage);
int cmd_args(int argc, char **argv, const char *usage, int min, int max);
/* The same, with --json accepted: 1 when given, 0 when not, or
 * CMD_JSON_HELP / CMD_JSON_USAGE (negative). Operands and options may
 * come in any order. */
enum { CMD_JSON_HELP = -1, CMD_JSON_USAGE = -2 };
int cmd_json_args(int argc, char **argv, const char *usage, int min,
    int max);
/* Append ITEM (a new reference; NULL: out of memory) to LIST: 0 or
 * HP_ENOMEM. */
typedef struct json_t json_t;
int cmd_json_append(json_t *list, json_t *item);
/* Print DOC (a new reference, consumed; NULL: out of memory) as one line
 * of compact JSON: 0 or HP_ENOMEM. */
int cmd_json_print(json_t *doc);
/* 1 when ARGV holds -h or --help (then print USAGE to stdout). */
int cmd_wants_help(int argc, char **argv, const char *usage);

int cmd_check_conf(const struct cmd_ctx *, int, char **);
int cmd_import(const struct cmd_ctx *, int, char **);
int cmd_publish(const struct cmd_ctx *, int, char **);
int cmd_rollback(const struct cmd_ctx *, int, char **);
int cmd_zones(const struct cmd_ctx *, int, char **);
int cmd_zone(const struct cmd_ctx *, int, char **);
int cmd_show(const struct cmd_ctx *, int, char **);
int cmd_history(const struct cmd_ctx *, int, char **);
int cmd_diff(const struct cmd_ctx *, int, char **);
int cmd_serve(const struct cmd_ctx *, int, char **);
int cmd_notify(const struct cmd_ctx *, int, char **);
int cmd_status(const struct cmd_ctx *, int, char **);
int cmd_wait(const struct cmd_ctx *, int, char **);
int cmd_secondary(const struct cmd_ctx *, int, char **);
/* zones.c: ZONE's current records (unsigned) as zone text into OUT, after
 * a comment line; 0 or a negative HP_E* (said on stderr). */
int cmd_zone_text(const struct cmd_ctx *ctx, const char *zone, FILE *out);
int cmd_add(const struct cmd_ctx *, int, char **);
int cmd_del(const struct cmd_ctx *, int, char **);
int cmd_edit(const struct cmd_ctx *, int, char **);
int cmd_keygen(const struct cmd_ctx *, int, char **);
int cmd_backup(const struct cmd_ctx *, int, char **);
int cmd_reopen(const struct cmd_ctx *, int, char **);
int cmd_dnssec(const struct cmd_ctx *, int, char **);

#endif
