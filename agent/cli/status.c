/*
 * status.c -- what the secondaries serve, from the ledger the daemon
 * keeps in the store: status (a table, or JSON with --json), wait, and
 * secondary forget. None builds anything of the daemon: they read (or,
 * forget, delete from) the store.
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
#include "dns/addr.h"
#include "dns/dname.h"
#include "dns/err.h"
#include "dns/serial.h"
#include "store/store.h"

/* `wait`: the ledger read again every 20 ms (a few indexed reads; the
 * daemon writes a new verdict within milliseconds: ledger_soon). */
#define WAIT_POLL_US	20000

static const char status_usage[] =
    "usage: hpagent [-c FILE] status [ZONE] [--json]\n"
    "  For each zone and secondary (its notify: entry, ADDR@PORT): the\n"
    "  serial it serves, as its own SOA answer showed; its state\n"
    "  (in-sync, behind, stale, unreachable, refused) and why; the last\n"
    "  probe; the last transfer (serial, AXFR/IXFR, bytes, time); the\n"
    "  last NOTIFY (serial; acked, not acked, or failed: see the reason).\n"
    "  Secondaries that are no longer notify: targets are listed too,\n"
    "  until `hpagent secondary forget`.\n"
    "  Then a line for each zone held by direct edits that do not\n"
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
	return t == STORE_NONE ? "-" : cmd_time(t, buf, len);
}

/* One line: zone, secondary, serial, state, last probe, last transfer,
 * last NOTIFY, reason (S NULL: never seen). */
static void
status_line(const char *zone, const char *target,
    const struct store_secondary *s, int configured)
{
	char has[16], probe[32], xfr[96], xt[32], nt[32];
	const char *reason;

	if (s == NULL || s->serial == STORE_NONE)
		snprintf(has, sizeof(has), "-");
	else
		snprintf(has, sizeof(has), "%lld", (long long)s->serial);
	if (s == NULL || s->xfr_serial == STORE_NONE)
		snprintf(xfr, sizeof(xfr), "-");
	else
		snprintf(xfr, sizeof(xfr), "%s %lld %lldB %s", s->xfr_kind,
		    (long long)s->xfr_serial, (long long)s->xfr_bytes,
		    status_time(s->xfr_time, xt, sizeof(xt)));
	if (s == NULL || s->notify_serial == STORE_NONE)
		snprintf(nt, sizeof(nt), "-");
	else
		snprintf(nt, sizeof(nt), "%lld %s", (long long)s->notify_serial,
		    s->notify_acked != STORE_NONE ? "acked" :
		    s->notify_error[0] != '\0' ? "failed" : "not acked");
	reason = s == NULL ? "not probed yet" : s->reason[0] != '\0' ?
	    s->reason : "-";
	printf("%-20s %-22s %-10s %-11s %-20s  %-44s  %-16s  %s%s\n", zone,
	    target, has, s != NULL ? s->state : "unknown",
	    s != NULL ? status_time(s->probed, probe, sizeof(probe)) : "-",
	    xfr, nt, configured ? "" : "(no longer a notify: target) ", reason);
}

struct status_rows {
	const struct conf_zone *z;
	int rows;
};

/* The rows of secondaries no longer configured. */
static int
status_former(const struct store_secondary *s, void *arg)
{
	struct status_rows *w = arg;
	int i;

	for (i = 0; w->z != NULL && i < w->z->ntargets; i++)
		if (strcmp(w->z->targets[i].label, s->target) == 0)
			return 0;
	status_line(s->zone, s->target, s, 0);
	w->rows++;
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

/* The configured secondaries of ZONE, then the former ones. */
static int
status_zone_rows(struct store *st, const struct conf *cfg, const char *zone,
    int *rows)
{
	struct status_rows w = { conf_find_zone(cfg, zone), 0 };
	struct store_secondary s;
	int i, r;

	for (i = 0; w.z != NULL && i < w.z->ntargets; i++) {
		if (!w.z->targets[i].first)
			continue;
		if ((r = store_sec_get(st, zone, w.z->targets[i].label,
		    &s)) < 0)
			return r;
		status_line(zone, w.z->targets[i].label, r ? &s : NULL, 1);
		w.rows++;
	}
	r = store_sec_list(st, zone, status_former, &w);
	*rows += w.rows;
	return r;
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
status_table(struct store *st, const struct conf *cfg, const char *zone)
{
	struct names l = { 0 };
	int rows = 0, r = 0, i;

	if (zone != NULL) {
		if ((l.v = calloc(1, sizeof(*l.v))) == NULL)
			return EXIT_FAIL;
		snprintf(l.v[0], sizeof(*l.v), "%s", zone);
		l.n = 1;
	} else
		r = store_zone_list(st, names_add, &l);
	printf("%-20s %-22s %-10s %-11s %-20s  %-44s  %-16s  %s\n", "ZONE",
	    "SECONDARY", "SERIAL", "STATE", "LAST PROBE", "LAST TRANSFER",
	    "LAST NOTIFY", "REASON");
	for (i = 0; r == 0 && i < l.n; i++)
		r = status_zone_rows(st, cfg, l.v[i], &rows);
	free(l.v);
	if (r < 0) {
		fprintf(stderr, "hpagent: status: %s\n", store_errmsg(st));
		return EXIT_FAIL;
	}
	if (rows == 0)
		printf("(no secondaries%s%s)\n", zone ? " for " : "",
		    zone ? zone : "");
	if (status_notes(st, zone) < 0) {
		fprintf(stderr, "hpagent: status: %s\n", store_errmsg(st));
		return EXIT_FAIL;
	}
	return EXIT_OK;
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

/* 1 when ZONE is in the store; 0 (said on stderr) when not. */
static int
status_zone_known(struct store *st, const char *zone)
{
	struct store_zone_info zi;
	int r;

	if ((r = store_zone_info(st, zone, &zi)) == 0)
		return 1;
	if (r == HP_ENOENT)
		fprintf(stderr, "hpagent: status: no zone %s in the store\n",
		    zone);
	else
		fprintf(stderr, "hpagent: status: %s\n", store_errmsg(st));
	return 0;
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
			(void)cmd_usage("status", argv[i], status_usage);
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
	if (zone != NULL && !status_zone_known(st, zone))
		rc = EXIT_FAIL;
	else
		rc = json ? status_json(st, cfg, zone) :
		    status_table(st, cfg, zone);
	store_close(st);
	conf_unref(cfg);
	return rc;
}

/* ---- hpagent wait ------------------------------------------------------ */

static const char wait_usage[] =
    "usage: hpagent [-c FILE] wait ZONE [SERIAL] [--timeout S]\n"
    "  Wait until every notify: target of ZONE serves SERIAL (default: the\n"
    "  current one) or a later one, as its own SOA answer to the running\n"
    "  daemon's probes showed. Exit 0 when they all do; 1 at the timeout\n"
    "  (default 60 s), or as soon as one of them is stale (it transferred\n"
    "  the serial but did not serve it within sync-timeout), listing the\n"
    "  secondaries behind and why.\n";

/* What the ledger says of target T of Z, for SERIAL: 1 it serves it,
 * -1 it is stale for it, 0 not yet (*S filled, *KNOWN: a row exists). */
static int
wait_has(struct store *st, const struct conf_zone *z,
    const struct conf_target *t, uint32_t serial, struct store_secondary *s,
    int *known)
{
	*known = store_sec_get(st, z->name, t->label, s) > 0;
	if (!*known)
		return 0;
	if (store_sec_has(s, serial))
		return 1;
	return store_sec_stale(s, serial) ? -1 : 0;
}

static void
wait_report(struct store *st, const struct conf_zone *z, uint32_t serial,
    int behind, int nt, const char *why)
{
	const struct conf_target *t;
	struct store_secondary s;
	int i, known;

	printf("%s: %d of %d secondar%s behind serial %u %s:\n", z->name,
	    behind, nt, nt == 1 ? "y" : "ies", serial, why);
	for (i = 0; i < z->ntargets; i++) {
		t = &z->targets[i];
		if (!t->first || wait_has(st, z, t, serial, &s, &known) > 0)
			continue;
		if (!known)
			printf("  %s unknown: not probed yet\n", t->label);
		else if (s.serial != STORE_NONE)
			printf("  %s %s (serves %lld)%s%s\n", t->label, s.state,
			    (long long)s.serial, s.reason[0] ? ": " : "",
			    s.reason);
		else
			printf("  %s %s%s%s\n", t->label, s.state,
			    s.reason[0] ? ": " : "", s.reason);
	}
}

int
cmd_wait(const struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct conf *cfg;
	const struct conf_zone *z;
	struct store_secondary s;
	struct store_zone_info zi;
	struct store *st;
	const char *zone = NULL;
	char why[64];
	uint32_t serial = 0;
	int have_serial = 0, timeout = 60, nt = 0, i, behind, stale, r, known;
	int rc = EXIT_FAIL;
	time_t end;

	if (cmd_wants_help(argc, argv, wait_usage))
		return EXIT_OK;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			if (cmd_parse_int(argv[++i], 0, 86400, &timeout) < 0) {
				fprintf(stderr, "hpagent: wait: --timeout '%s': "
				    "expected seconds, 0..86400\n", argv[i]);
				return EXIT_USAGE;
			}
		} else if (zone == NULL && argv[i][0] != '-')
			zone = argv[i];
		else if (!have_serial && cmd_parse_serial(argv[i], &serial) == 0)
			have_serial = 1;
		else
			return cmd_usage("wait", argv[i], wait_usage);
	}
	if (zone == NULL) {
		(void)cmd_usage("wait", NULL, wait_usage);
		return EXIT_USAGE;
	}
	if (cmd_load_zone(ctx, zone, &cfg, &z) < 0)
		return EXIT_FAIL;
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
		behind = stale = 0;
		for (i = 0; i < z->ntargets; i++) {
			if (!z->targets[i].first)
				continue;
			r = wait_has(st, z, &z->targets[i], serial, &s, &known);
			behind += r <= 0;
			stale += r < 0;
		}
		if (behind == 0) {
			if (!ctx->quiet)
				printf("%s: serial %u served by all %d "
				    "secondar%s\n", z->name, serial, nt,
				    nt == 1 ? "y" : "ies");
			rc = EXIT_OK;
			break;
		}
		if (stale > 0) {
			wait_report(st, z, serial, behind, nt, "(stale: "
			    "transferred, not served)");
			break;
		}
		if (time(NULL) >= end) {
			snprintf(why, sizeof(why), "after %d s", timeout);
			wait_report(st, z, serial, behind, nt, why);
			break;
		}
		usleep(WAIT_POLL_US);
	}
out:
	store_close(st);
	conf_unref(cfg);
	return rc;
}

/* ---- hpagent secondary forget --------------------------------------- */

static const char secondary_usage[] =
    "usage: hpagent [-c FILE] secondary forget ADDR[@PORT] [ZONE]\n"
    "  Remove what the secondaries ledger keeps of the secondary\n"
    "  ADDR@PORT (without @PORT: of every port of ADDR), for every zone\n"
    "  or ZONE only. A secondary still named by a notify: entry is\n"
    "  listed again at the daemon's next probe of it.\n";

/* WHO as the ledger spells it: "ADDR@PORT", or "ADDR". */
static int
secondary_who(const char *arg, char *out, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char a[ADDR_STRLEN];

	if (addr_parse(arg, 0, &ss, &sl) < 0)
		return -1;
	addr_ntop((struct sockaddr *)&ss, a, sizeof(a));
	if (addr_port((struct sockaddr *)&ss) == 0)
		snprintf(out, len, "%s", a);
	else
		snprintf(out, len, "%s@%u", a, addr_port((struct sockaddr *)&ss));
	return 0;
}

int
cmd_secondary(const struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct conf *cfg;
	const struct conf_zone *z;
	struct store *st;
	char who[STORE_TARGET_MAX], zbuf[DNAME_MAXSTR];
	const char *zone = NULL;
	int n, r, i;

	if (cmd_wants_help(argc, argv, secondary_usage))
		return EXIT_OK;
	if (argc < 3 || argc > 4 || strcmp(argv[1], "forget") != 0 ||
	    secondary_who(argv[2], who, sizeof(who)) < 0) {
		if (argc >= 3 && strcmp(argv[1], "forget") == 0)
			fprintf(stderr, "hpagent: secondary forget: '%s' is not "
			    "ADDR or ADDR@PORT\n", argv[2]);
		else
			return cmd_usage("secondary", argc >= 2 ? argv[1] :
			    NULL, secondary_usage);
		fputs(secondary_usage, stderr);
		return EXIT_USAGE;
	}
	if (argc == 4)
		zone = status_zone(argv[3], zbuf, sizeof(zbuf));
	if (cmd_load_config(ctx, &cfg) < 0)
		return EXIT_FAIL;
	if (cmd_open_store(cfg, 0, &st) < 0) {
		conf_unref(cfg);
		return EXIT_FAIL;
	}
	r = store_sec_forget(st, who, zone, &n);
	store_close(st);
	if (r < 0) {
		fprintf(stderr, "hpagent: secondary forget: %s\n",
		    r == HP_EBUSY ? "database is locked by another writer" :
		    hp_strerror(r));
		conf_unref(cfg);
		return EXIT_FAIL;
	}
	for (z = cfg->zones; z != NULL; z = z->next)
		for (i = 0; (zone == NULL || strcmp(zone, z->name) == 0) &&
		    i < z->ntargets; i++)
			if (strcmp(z->targets[i].label, who) == 0 ||
			    strcmp(z->targets[i].address, who) == 0) {
				if (!ctx->quiet)
					printf("%s: %s is still a notify: "
					    "target: listed again at its next "
					    "probe\n", z->name,
					    z->targets[i].label);
			}
	conf_unref(cfg);
	if (n == 0) {
		fprintf(stderr, "hpagent: secondary forget: no row of %s%s%s\n",
		    who, zone != NULL ? " for " : "", zone != NULL ? zone : "");
		return EXIT_FAIL;
	}
	if (!ctx->quiet)
		printf("%s: %d row%s removed\n", who, n, n == 1 ? "" : "s");
	return EXIT_OK;
}
