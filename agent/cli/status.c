/*
 * status.c -- what the secondaries have, from the ledger the daemon keeps
 * in the store: status (a table, or JSON with --json) and wait. Neither
 * builds anything of the daemon: they read the store.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "agent/cli/cli.h"
#include "agent/conf/conf.h"
#include "agent/http/api.h"
#include "dns/dname.h"
#include "dns/err.h"
#include "dns/serial.h"
#include "store/store.h"

static const char status_usage[] =
    "usage: hpagent [-c FILE] status [ZONE] [--json]\n"
    "  For each zone and secondary: the serial it has, in sync or\n"
    "  lagging, since when, and the last NOTIFY (acknowledged or not);\n"
    "  then a line for each zone held by direct edits that do not\n"
    "  validate, or broken (a stored record no transfer may send).\n"
    "  --json: the same as one JSON document.\n";

/* ZONE as the store names it; as given when it is no zone name. */
static const char *
status_zone(const char *zone, char *buf, size_t len)
{
	if (dname_norm(zone, strlen(zone), buf, len, NULL) < 0)
		snprintf(buf, len, "%s", zone);
	return buf;
}

static const char *
status_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == STORE_NONE)
		return "-";
	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		return "?";
	return buf;
}

static int
status_row(const struct store_secondary *s, void *arg)
{
	char has[16], since[32], sent[32];
	const char *state;

	(*(int *)arg)++;
	if (s->serial == STORE_NONE) {
		snprintf(has, sizeof(has), "-");
		state = "unknown";
	} else {
		snprintf(has, sizeof(has), "%lld", (long long)s->serial);
		state = s->serial == s->zone_serial ? "in-sync" : "lagging";
	}
	printf("%-24s %-16s %-10s %-8s %-19s  %s%s\n", s->zone, s->address,
	    has, state, status_time(s->since, since, sizeof(since)),
	    status_time(s->notify_sent, sent, sizeof(sent)),
	    s->notify_sent == STORE_NONE ? "" : s->notify_acked != STORE_NONE ?
	    " acked" : " not acked");
	return 0;
}

/* A zone that is not publishing as it should: a line saying why. */
static int
status_note(const struct store_zone_info *zi, void *arg)
{
	char since[32];

	(void)arg;
	if (zi->held)
		printf("%s: held at serial %u since %s: direct edits that do "
		    "not validate: %s (fix the rows, or hpagent publish "
		    "--discard %s)\n", zi->name, zi->serial, status_time(
		    zi->held_since, since, sizeof(since)), zi->held_why,
		    zi->name);
	if (zi->broken)
		printf("%s: broken: serial %u holds a record no transfer may "
		    "send, transfers are answered SERVFAIL: %s\n", zi->name,
		    zi->serial, zi->broken_why);
	return 0;
}

static int
status_notes(struct store *st, const char *zone)
{
	struct store_zone_info zi;
	int r;

	if (zone == NULL)
		return store_zone_list(st, status_note, NULL);
	if ((r = store_zone_info(st, zone, &zi)) < 0)
		return r == HP_ENOENT ? 0 : r;
	return status_note(&zi, NULL);
}

static int
status_table(struct store *st, const char *zone)
{
	int rows = 0, r;

	printf("%-24s %-16s %-10s %-8s %-19s  %s\n", "ZONE", "SECONDARY",
	    "SERIAL", "STATE", "SINCE", "LAST NOTIFY");
	if ((r = store_sec_list(st, zone, status_row, &rows)) < 0) {
		fprintf(stderr, "hpagent: status: %s\n", store_errmsg(st));
		return EXIT_FAIL;
	}
	if (rows == 0)
		printf("(no secondary has been seen%s%s)\n", zone ? " for " :
		    "", zone ? zone : "");
	if (status_notes(st, zone) < 0) {
		fprintf(stderr, "hpagent: status: %s\n", store_errmsg(st));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* The names of the zones in the store. */
struct names {
	char (*v)[DNAME_MAXSTR];
	int n, cap;
};

static int
names_add(const struct store_zone_info *zi, void *arg)
{
	struct names *l = arg;
	void *nv;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		if ((nv = realloc(l->v, (size_t)l->cap * sizeof(*l->v))) ==
		    NULL)
			return HP_ENOMEM;
		l->v = nv;
	}
	snprintf(l->v[l->n++], sizeof(*l->v), "%s", zi->name);
	return 0;
}

static int
status_json(struct store *st, const struct conf *cfg, const char *zone)
{
	struct names l = { 0 };
	json_t *list, *doc;
	char *text = NULL;
	int i, r;

	if (zone != NULL) {
		if ((l.v = calloc(1, sizeof(*l.v))) == NULL)
			return EXIT_FAIL;
		snprintf(l.v[0], sizeof(*l.v), "%s", zone);
		l.n = 1;
		r = 0;
	} else
		r = store_zone_list(st, names_add, &l);
	if ((list = json_array()) == NULL)
		r = HP_ENOMEM;
	for (i = 0; r == 0 && i < l.n; i++) {
		if ((r = api_zone_status(st, cfg, l.v[i], &doc)) == HP_ENOENT)
			fprintf(stderr, "hpagent: status: no zone %s in the "
			    "store\n", l.v[i]);
		else if (r == 0 && json_array_append_new(list, doc) < 0)
			r = HP_ENOMEM;
	}
	free(l.v);
	if (r == 0 && (doc = json_pack("{s:O}", "zones", list)) != NULL) {
		text = json_dumps(doc, JSON_COMPACT);
		json_decref(doc);
	}
	json_decref(list);
	if (text == NULL) {
		if (r != HP_ENOENT)
			fprintf(stderr, "hpagent: status: %s\n", hp_strerror(
			    r < 0 ? r : HP_ENOMEM));
		return EXIT_FAIL;
	}
	printf("%s\n", text);
	free(text);
	return EXIT_OK;
}

int
cmd_status(const struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct conf *cfg;
	struct store *st;
	const char *zone = NULL;
	char zbuf[DNAME_MAXSTR];
	int i, json = 0, rc;

	if (cmd_wants_help(argc, argv, status_usage))
		return EXIT_OK;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (zone != NULL || argv[i][0] == '-') {
			fputs(status_usage, stderr);
			return EXIT_USAGE;
		} else
			zone = status_zone(argv[i], zbuf, sizeof(zbuf));
	}
	if (cmd_load_config(ctx, &cfg) < 0)
		return EXIT_FAIL;
	if (cmd_open_store(cfg, STORE_READONLY, &st) < 0) {
		conf_unref(cfg);
		return EXIT_FAIL;
	}
	rc = json ? status_json(st, cfg, zone) : status_table(st, zone);
	store_close(st);
	conf_unref(cfg);
	return rc;
}

/* ---- hpagent wait ------------------------------------------------------ */

static const char wait_usage[] =
    "usage: hpagent [-c CONF] wait ZONE [SERIAL] [--timeout S]\n"
    "  Wait until every notify: target of ZONE has SERIAL (default: the\n"
    "  current one) or a later one, as recorded by the running daemon\n"
    "  when it serves their transfers. Exit 0 when they all have it, 1 at\n"
    "  the timeout (default 60 s), listing the secondaries behind.\n";

/* 1 when the secondary of target T has SERIAL of Z; *HAVE, *KNOWN: what
 * the ledger says it has. */
static int
wait_has(struct store *st, const struct conf_zone *z,
    const struct conf_target *t, uint32_t serial, uint32_t *have, int *known)
{
	*known = store_sec_serial(st, z->name, t->address, have) > 0;
	return *known && serial_at_least(*have, serial);
}

int
cmd_wait(const struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct conf *cfg;
	const struct conf_zone *z;
	const struct conf_target *t;
	struct store_zone_info zi;
	struct store *st;
	const char *zone = NULL;
	uint32_t serial = 0, have;
	int have_serial = 0, timeout = 60, nt = 0, i, behind, r, known;
	int rc = EXIT_FAIL;
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
	if ((z = conf_find_zone(cfg, zone)) == NULL) {
		fprintf(stderr, "hpagent: zone %s is not in %s\n", zone,
		    cfg->path);
		conf_unref(cfg);
		return EXIT_FAIL;
	}
	if (cmd_open_store(cfg, STORE_READONLY, &st) < 0) {
		conf_unref(cfg);
		return EXIT_FAIL;
	}
	if ((r = store_zone_info(st, z->name, &zi)) < 0) {
		fprintf(stderr, "hpagent: wait: %s: %s\n", z->name,
		    r == HP_ENOENT ? "not imported yet" : hp_strerror(r));
		goto out;
	}
	if (!have_serial)
		serial = zi.serial;
	for (i = 0; i < z->ntargets; i++)
		nt += z->targets[i].first;
	end = time(NULL) + timeout;
	for (;;) {
		behind = 0;
		for (i = 0; i < z->ntargets; i++)
			if (z->targets[i].first && !wait_has(st, z,
			    &z->targets[i], serial, &have, &known))
				behind++;
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
			for (i = 0; i < z->ntargets; i++) {
				t = &z->targets[i];
				if (!t->first || wait_has(st, z, t, serial,
				    &have, &known))
					continue;
				if (known)
					printf("  %s has %u\n", t->label, have);
				else
					printf("  %s has no known serial\n",
					    t->label);
			}
			break;
		}
		usleep(200000);
	}
out:
	store_close(st);
	conf_unref(cfg);
	return rc;
}
