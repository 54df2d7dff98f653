/*
 * zones.c -- reading the store: zones, show, history, diff. Records are
 * printed in presentation format by libknot, SOA first, then in canonical
 * order (RFC 4034 6); one printer for show and diff.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libknot/libknot.h>

#include <jansson.h>

#include "agent/cli/cli.h"
#include "agent/conf/conf.h"
#include "dns/err.h"
#include "dns/wire.h"
#include "signer/rrs.h"
#include "store/store.h"

/* ---- the configuration (for the database's path) and the store ---- */

struct session {
	const struct conf *cfg;
	struct store *st;
};

static void
session_close(struct session *s)
{
	store_close(s->st);
	conf_unref(s->cfg);
}

static int
session_open(const struct cmd_ctx *ctx, struct session *s)
{
	memset(s, 0, sizeof(*s));
	if (cmd_load_config(ctx, &s->cfg) < 0)
		return -1;
	if (cmd_open_store(s->cfg, STORE_READONLY, &s->st) < 0) {
		session_close(s);
		return -1;
	}
	return 0;
}

/* ---- zones / history --------------------------------------------- */

static int
print_zone(const struct store_zone_info *z, void *arg)
{
	char t[32];

	(void)arg;
	printf("%-30s %10u %9llu  %s%s%s\n", z->name, z->serial,
	    (unsigned long long)z->records, cmd_time(z->updated, t, sizeof(t)),
	    z->held ? "  (held: direct edits that do not validate)" :
	    z->dirty ? "  (direct edits pending)" : "",
	    z->broken ? "  (broken: see hpagent status)" : "");
	return 0;
}

static int
json_zone(const struct store_zone_info *z, void *arg)
{
	char t[32];

	return cmd_json_append(arg, json_pack("{s:s, s:I, s:I, s:s, s:b, s:b, "
	    "s:b}", "zone", z->name, "serial", (json_int_t)z->serial, "records",
	    (json_int_t)z->records, "updated", cmd_time(z->updated, t,
	    sizeof(t)), "held", z->held, "dirty", z->dirty, "broken",
	    z->broken));
}

static const char zones_usage[] =
    "usage: hpagent [-c FILE] zones [--json]\n"
    "  List the zones in the store: name, serial, records, last change\n"
    "  (UTC).\n"
    "  --json: {\"zones\": [{zone, serial, records, updated, held, dirty,\n"
    "  broken}...]}\n";

int
cmd_zones(const struct cmd_ctx *ctx, int argc, char **argv)
{
	struct session s;
	int ret;

	json_t *list = NULL;
	int json;

	if ((json = cmd_json_args(argc, argv, zones_usage, 0, 0)) < 0)
		return json == CMD_JSON_HELP ? EXIT_OK : EXIT_USAGE;
	if (session_open(ctx, &s) < 0)
		return EXIT_FAIL;
	if (json) {
		if ((list = json_array()) == NULL)
			ret = HP_ENOMEM;
		else if ((ret = store_zone_list(s.st, json_zone, list)) == 0)
			ret = cmd_json_print(json_pack("{s:O}", "zones", list));
		json_decref(list);
		if (ret < 0)
			fprintf(stderr, "hpagent: zones: %s\n",
			    hp_strerror(ret));
		session_close(&s);
		return ret < 0 ? EXIT_FAIL : EXIT_OK;
	}
	printf("%-30s %10s %9s  %s\n", "ZONE", "SERIAL", "RECORDS",
	    "LAST CHANGE");
	ret = store_zone_list(s.st, print_zone, NULL);
	if (ret < 0)
		fprintf(stderr, "hpagent: zones: %s\n", hp_strerror(ret));
	session_close(&s);
	return ret < 0 ? EXIT_FAIL : EXIT_OK;
}

/* Which channel made V: its source label, and for an import the source
 * remembered and how it was applied ("file merge /etc/nsd/x.zone"). */
static const char *
channel(const struct store_version *v, char *buf, size_t len)
{
	if (v->origin[0] != '\0')
		snprintf(buf, len, "%s %s %s", v->source, v->mode[0] ?
		    v->mode : "-", v->origin);
	else
		snprintf(buf, len, "%s", v->source);
	return buf;
}

static int
print_version(const struct store_version *v, void *arg)
{
	char t[32];

	(void)arg;
	printf("%10u  %s  %-8s +%-7llu -%-7llu %9llu%s", v->serial,
	    cmd_time(v->created, t, sizeof(t)), v->source,
	    (unsigned long long)v->added, (unsigned long long)v->removed,
	    (unsigned long long)v->records,
	    v->has_prev ? "" : "  (first)");
	if (v->origin[0] != '\0')
		printf("  %s %s", v->mode[0] ? v->mode : "-", v->origin);
	printf("\n");
	return 0;
}

static int
json_version(const struct store_version *v, void *arg)
{
	char t[32];

	return cmd_json_append(arg, json_pack("{s:I, s:s, s:s, s:I, s:I, "
	    "s:I, s:b, s:o, s:o}", "serial", (json_int_t)v->serial, "time",
	    cmd_time(v->created, t, sizeof(t)), "source", v->source, "added",
	    (json_int_t)v->added, "removed", (json_int_t)v->removed,
	    "records", (json_int_t)v->records, "first", !v->has_prev, "mode",
	    v->mode[0] ? json_string(v->mode) : json_null(), "origin",
	    v->origin[0] ? json_string(v->origin) : json_null()));
}

static const char history_usage[] =
    "usage: hpagent [-c FILE] history ZONE [--json]\n"
    "  List the zone's stored versions, oldest first: serial, time,\n"
    "  source (file, fetch, webhook, sql, rollback), RRs added/removed,\n"
    "  records; for an import, how it was applied (merge, replace) and\n"
    "  the source it came from. Times are UTC.\n"
    "  --json: {\"zone\", \"versions\": [{serial, time, source, added,\n"
    "  removed, records, first, mode, origin}...]}\n";

static int
zone_lookup(struct session *s, const char *zone,
    struct store_zone_info *info)
{
	int ret = store_zone_info(s->st, zone, info);

	if (ret == HP_ENOENT)
		fprintf(stderr, "hpagent: no zone %s in the store\n", zone);
	else if (ret < 0)
		fprintf(stderr, "hpagent: %s: %s\n", zone, hp_strerror(ret));
	return ret;
}

int
cmd_history(const struct cmd_ctx *ctx, int argc, char **argv)
{
	struct store_zone_info info;
	struct session s;
	json_t *list = NULL;
	int ret, json;

	if ((json = cmd_json_args(argc, argv, history_usage, 1, 1)) < 0)
		return json == CMD_JSON_HELP ? EXIT_OK : EXIT_USAGE;
	if (session_open(ctx, &s) < 0)
		return EXIT_FAIL;
	if ((ret = zone_lookup(&s, argv[1], &info)) == 0 && json) {
		if ((list = json_array()) == NULL)
			ret = HP_ENOMEM;
		else if ((ret = store_version_list(s.st, info.id,
		    json_version, list)) == 0)
			ret = cmd_json_print(json_pack("{s:s, s:O}", "zone",
			    info.name, "versions", list));
		json_decref(list);
	} else if (ret == 0) {
		printf("%10s  %-20s  %-8s %-8s %-8s %9s\n", "SERIAL", "TIME",
		    "SOURCE", "ADDED", "REMOVED", "RECORDS");
		ret = store_version_list(s.st, info.id, print_version, NULL);
	}
	session_close(&s);
	return ret < 0 ? EXIT_FAIL : EXIT_OK;
}

/* ---- show / diff: RRs collected, canonical order (RFC 4034 §6) ---- */

struct crr {
	uint8_t *owner;		/* wire, lowercase */
	char *text;		/* the owner as stored */
	uint16_t type, rclass, rdlen;
	uint32_t ttl;
	uint8_t *rdata;
};

struct crrs {
	struct crr *v;
	size_t n, cap;
	int unsigned_only;	/* show --unsigned: no DNSSEC records */
};

static int
collect(const struct store_rr *rr, void *arg)
{
	struct crrs *c = arg;
	struct crr *nv, *e;
	uint8_t wire[KNOT_DNAME_MAXLEN];
	size_t wl, tl = strlen(rr->owner) + 1;

	if (c->unsigned_only && sign_type_generated(rr->type))
		return 0;
	if (knot_dname_from_str(wire, rr->owner, sizeof(wire)) == NULL)
		return HP_EMALF;
	wl = knot_dname_size(wire);
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		if ((nv = realloc(c->v, c->cap * sizeof(*nv))) == NULL)
			return HP_ENOMEM;
		c->v = nv;
	}
	e = &c->v[c->n];
	if ((e->owner = malloc(wl + (size_t)rr->rdlen + tl + 1)) == NULL)
		return HP_ENOMEM;
	memcpy(e->owner, wire, wl);
	e->rdata = e->owner + wl;
	memcpy(e->rdata, rr->rdata, rr->rdlen);
	e->text = (char *)e->rdata + rr->rdlen;
	memcpy(e->text, rr->owner, tl);
	e->type = rr->type;
	e->rclass = rr->rclass;
	e->rdlen = rr->rdlen;
	e->ttl = rr->ttl;
	c->n++;
	return 0;
}

static void
crrs_free(struct crrs *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].owner);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/* SOA first; then owner (canonical), type, class, rdata, TTL. */
static int
crr_cmp(const void *pa, const void *pb)
{
	const struct crr *a = pa, *b = pb;
	size_t m;
	int c;

	if ((a->type == WIRE_TYPE_SOA) != (b->type == WIRE_TYPE_SOA))
		return a->type == WIRE_TYPE_SOA ? -1 : 1;
	if ((c = knot_dname_cmp(a->owner, b->owner)) != 0)
		return c;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->rclass != b->rclass)
		return a->rclass < b->rclass ? -1 : 1;
	m = a->rdlen < b->rdlen ? a->rdlen : b->rdlen;
	if (m > 0 && (c = memcmp(a->rdata, b->rdata, m)) != 0)
		return c;
	if (a->rdlen != b->rdlen)
		return a->rdlen < b->rdlen ? -1 : 1;
	return a->ttl < b->ttl ? -1 : a->ttl > b->ttl;
}

/* E as presentation text in *BUF. */
static int
rr_text(const struct crr *e, char **buf, size_t *len)
{
	struct store_rr rr = { .owner = e->text, .type = e->type,
	    .rclass = e->rclass, .ttl = e->ttl, .rdata = e->rdata,
	    .rdlen = e->rdlen };

	if (store_rr_text(&rr, buf, len) < 0) {
		fprintf(stderr, "hpagent: cannot print a record of %s (type "
		    "%u)\n", e->text, e->type);
		return HP_EMALF;
	}
	return 0;
}

static int
print_rr(FILE *out, const char *prefix, const struct crr *e, char **buf,
    size_t *len)
{
	int ret;

	if ((ret = rr_text(e, buf, len)) == 0)
		fprintf(out, "%s%s\n", prefix, *buf);
	return ret;
}

/* E's text appended to the JSON array LIST. */
static int
json_rr(json_t *list, const struct crr *e, char **buf, size_t *len)
{
	int ret;

	if ((ret = rr_text(e, buf, len)) < 0)
		return ret;
	return cmd_json_append(list, json_string(*buf));
}

static int
load_version(struct session *s, int64_t zone_id, int have_serial,
    uint32_t serial, struct crrs *c)
{
	int ret;

	if (!have_serial) {
		ret = store_foreach_rr(s->st, zone_id, collect, c);
		if (ret == 0 && !c->unsigned_only)
			ret = store_foreach_generated(s->st, zone_id, collect,
			    c);
	} else
		ret = store_foreach_rr_at(s->st, zone_id, serial, collect, c);
	if (ret == HP_ENOJOURNAL)
		fprintf(stderr, "hpagent: serial %u is not stored (no such "
		    "version, or pruned)\n", serial);
	else if (ret < 0)
		fprintf(stderr, "hpagent: reading the zone: %s\n",
		    hp_strerror(ret));
	if (ret == 0 && c->n > 1)
		qsort(c->v, c->n, sizeof(*c->v), crr_cmp);
	return ret;
}

static const char show_usage[] =
    "usage: hpagent [-c FILE] show ZONE [--serial N] [--unsigned]\n"
    "  Print the zone (or its stored version N) in presentation format,\n"
    "  one RR per line, SOA first, then in canonical order (RFC 4034).\n"
    "  A signed zone is shown with the records the signer made (DNSKEY,\n"
    "  RRSIG, NSEC/NSEC3, CDS/CDNSKEY); --unsigned leaves them out.\n";

int
cmd_zone_text(const struct cmd_ctx *ctx, const char *zone, FILE *out)
{
	struct store_zone_info info;
	struct session s;
	struct crrs c = { .unsigned_only = 1 };
	char *buf = NULL;
	size_t len = 0, i;
	int ret;

	if (session_open(ctx, &s) < 0)
		return HP_ESTORE;
	if ((ret = zone_lookup(&s, zone, &info)) == 0 &&
	    (ret = store_snapshot_begin(s.st)) == 0) {
		ret = load_version(&s, info.id, 0, 0, &c);
		store_snapshot_end(s.st);
	}
	if (ret == 0)
		fprintf(out, "; %s serial %u: edit the records; the SOA serial "
		    "is hpagent's.\n", info.name, info.serial);
	for (i = 0; ret == 0 && i < c.n; i++)
		ret = print_rr(out, "", &c.v[i], &buf, &len);
	free(buf);
	crrs_free(&c);
	session_close(&s);
	return ret;
}

int
cmd_show(const struct cmd_ctx *ctx, int argc, char **argv)
{
	struct store_zone_info info;
	struct session s;
	struct crrs c = { 0 };
	const char *zone = NULL;
	char *buf = NULL;
	size_t len = 0, i;
	uint32_t serial = 0;
	int have_serial = 0, ret, k;

	if (cmd_wants_help(argc, argv, show_usage))
		return EXIT_OK;
	for (k = 1; k < argc; k++) {
		if (strcmp(argv[k], "--serial") == 0 && k + 1 < argc) {
			if (cmd_parse_serial(argv[++k], &serial) < 0) {
				fprintf(stderr, "hpagent: show: bad serial %s\n",
				    argv[k]);
				return EXIT_USAGE;
			}
			have_serial = 1;
		} else if (strcmp(argv[k], "--unsigned") == 0) {
			c.unsigned_only = 1;
		} else if (zone == NULL && argv[k][0] != '-') {
			zone = argv[k];
		} else
			return cmd_usage("show", argv[k], show_usage);
	}
	if (zone == NULL) {
		(void)cmd_usage("show", NULL, show_usage);
		return EXIT_USAGE;
	}
	if (session_open(ctx, &s) < 0)
		return EXIT_FAIL;
	if ((ret = zone_lookup(&s, zone, &info)) == 0 &&
	    (ret = store_snapshot_begin(s.st)) == 0) {
		ret = load_version(&s, info.id, have_serial, serial, &c);
		store_snapshot_end(s.st);
	}
	for (i = 0; ret == 0 && i < c.n; i++)
		ret = print_rr(stdout, "", &c.v[i], &buf, &len);
	free(buf);
	crrs_free(&c);
	session_close(&s);
	return ret < 0 ? EXIT_FAIL : EXIT_OK;
}

static const char diff_usage[] =
    "usage: hpagent [-c FILE] diff ZONE [FROM [TO]] [--json]\n"
    "  Print the RRs removed (-) and added (+) between stored versions\n"
    "  FROM and TO (serials; TO defaults to the current one), after a\n"
    "  line per version saying which channel made it. Without FROM: the\n"
    "  last change.\n"
    "  --json: {\"zone\", \"from\", \"to\", \"removed\": [RR text...],\n"
    "  \"added\": [...]}\n";

struct last {
	uint32_t serial, prev;
	int has_prev;
};

static int
remember_last(const struct store_version *v, void *arg)
{
	struct last *l = arg;

	l->serial = v->serial;
	l->prev = v->prev_serial;
	l->has_prev = v->has_prev;
	return 0;
}

/* The versions of a diff: each after FROM up to TO, with its channel. */
struct span {
	uint32_t from, to;
	int in, done;
};

static int
print_channel(const struct store_version *v, void *arg)
{
	struct span *sp = arg;
	char ch[320];

	if (sp->done)
		return 0;
	if (sp->in)
		printf("; serial %u: %s\n", v->serial, channel(v, ch,
		    sizeof(ch)));
	if (v->serial == sp->from && !sp->in)
		sp->in = 1;
	if (sp->in && v->serial == sp->to)
		sp->done = 1;
	return 0;
}

int
cmd_diff(const struct cmd_ctx *ctx, int argc, char **argv)
{
	struct store_zone_info info;
	struct session s;
	struct crrs a = { 0 }, b = { 0 };
	struct last l = { 0 };
	uint32_t from = 0, to = 0;
	char *buf = NULL;
	size_t len = 0, i = 0, j = 0;
	json_t *rm = NULL, *add = NULL;
	int ret, c, json;

	if ((json = cmd_json_args(argc, argv, diff_usage, 1, 3)) < 0)
		return json == CMD_JSON_HELP ? EXIT_OK : EXIT_USAGE;
	for (argc = 1; argv[argc] != NULL; argc++)
		;		/* the operands cmd_json_args left */
	if ((argc > 2 && cmd_parse_serial(argv[2], &from) < 0) ||
	    (argc > 3 && cmd_parse_serial(argv[3], &to) < 0)) {
		fprintf(stderr, "hpagent: diff: '%s' is not a serial\n",
		    cmd_parse_serial(argv[2], &from) < 0 ? argv[2] : argv[3]);
		return EXIT_USAGE;
	}
	if (session_open(ctx, &s) < 0)
		return EXIT_FAIL;
	if ((ret = zone_lookup(&s, argv[1], &info)) < 0 ||
	    (ret = store_snapshot_begin(s.st)) < 0)
		goto out;
	if (argc < 4)
		to = info.serial;
	if (argc == 2) {
		ret = store_version_list(s.st, info.id, remember_last, &l);
		if (ret == 0 && !l.has_prev) {
			if (json)
				ret = cmd_json_print(json_pack("{s:s, s:n, "
				    "s:I, s:[], s:[]}", "zone", info.name, "from",
				    "to", (json_int_t)l.serial, "removed",
				    "added"));
			else
				printf("%s: no earlier version to compare "
				    "with\n", info.name);
			store_snapshot_end(s.st);
			goto out;
		}
		from = l.prev;
	}
	if (ret == 0)
		ret = load_version(&s, info.id, 1, from, &a);
	if (ret == 0)
		ret = load_version(&s, info.id, 1, to, &b);
	store_snapshot_end(s.st);
	if (ret < 0)
		goto out;
	if (json) {
		rm = json_array();
		add = json_array();
		if (rm == NULL || add == NULL)
			ret = HP_ENOMEM;
	} else
		printf("; %s: serial %u -> %u\n", info.name, from, to);
	if (!json) {
		struct span sp = { .from = from, .to = to };

		/* which channel made each version of the span */
		if (from != to)
			(void)store_version_list(s.st, info.id, print_channel,
			    &sp);
	}
	while (ret == 0 && (i < a.n || j < b.n)) {
		if (i >= a.n)
			c = 1;
		else if (j >= b.n)
			c = -1;
		else
			c = crr_cmp(&a.v[i], &b.v[j]);
		if (c == 0)
			i++, j++;
		else if (c < 0)
			ret = json ? json_rr(rm, &a.v[i++], &buf, &len) :
			    print_rr(stdout, "-", &a.v[i++], &buf, &len);
		else
			ret = json ? json_rr(add, &b.v[j++], &buf, &len) :
			    print_rr(stdout, "+", &b.v[j++], &buf, &len);
	}
	if (ret == 0 && json)
		ret = cmd_json_print(json_pack("{s:s, s:I, s:I, s:O, s:O}",
		    "zone", info.name, "from", (json_int_t)from, "to",
		    (json_int_t)to, "removed", rm, "added", add));
out:
	json_decref(rm);
	json_decref(add);
	free(buf);
	crrs_free(&a);
	crrs_free(&b);
	session_close(&s);
	return ret < 0 ? EXIT_FAIL : EXIT_OK;
}
