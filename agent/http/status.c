/*
 * status.c -- a zone's state and secondaries as JSON: held by invalid
 * direct edits or broken; its notify: targets, each with what the ledger
 * says of it (the serial its own SOA answer showed, the verdict and why,
 * the last probe, transfer and NOTIFY), then the ledger's rows of
 * secondaries no longer configured. GET /v1/zones/{zone}/status and
 * `hpagent status --json`.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "agent/conf/conf.h"
#include "agent/http/api.h"
#include "agent/http/json.h"
#include "dns/err.h"
#include "store/store.h"

struct status_walk {
	const struct conf_zone *z;
	json_t *list;
	int err;
};

/* A time or serial the ledger may not have: a number, or null. */
static json_t *
maybe(int64_t v)
{
	return v == STORE_NONE ? json_null() : json_integer(v);
}

static json_t *
maybe_str(const char *s)
{
	return s[0] != '\0' ? json_string(s) : json_null();
}

/* "ADDR@PORT" apart: the address (a copy into BUF) and the port. */
static const char *
target_addr(const char *target, char *buf, size_t len, int *port)
{
	const char *at = strrchr(target, '@');
	size_t n = at != NULL ? (size_t)(at - target) : strlen(target);

	if (n >= len)
		n = len - 1;
	memcpy(buf, target, n);
	buf[n] = '\0';
	*port = at != NULL ? atoi(at + 1) : 53;
	return buf;
}

/* The document of one secondary: S (NULL: never seen) of TARGET. */
static json_t *
status_doc(const char *target, int configured, const struct store_secondary *s)
{
	char addr[STORE_TARGET_MAX];
	json_t *row, *xfr;
	int port;

	target_addr(target, addr, sizeof(addr), &port);
	if (s == NULL)
		return json_pack("{s:s, s:s, s:i, s:b, s:n, s:n, s:s, s:s, "
		    "s:n, s:n, s:n, s:n, s:n, s:n}", "secondary", target,
		    "address", addr, "port", port, "notify_target", configured,
		    "serial", "since", "state", "unknown", "reason",
		    "not probed yet", "last_probe", "last_transfer",
		    "notify_serial", "notify_sent", "notify_acked",
		    "notify_error");
	xfr = s->xfr_serial == STORE_NONE ? json_null() :
	    json_pack("{s:I, s:s, s:o, s:o, s:o}", "serial",
	    (json_int_t)s->xfr_serial, "type", s->xfr_kind, "bytes",
	    maybe(s->xfr_bytes), "time", maybe(s->xfr_time), "first",
	    maybe(s->xfr_first));
	if (xfr == NULL)
		return NULL;
	row = json_pack("{s:s, s:s, s:i, s:b, s:o, s:o, s:s, s:o, s:o, s:o, "
	    "s:o, s:o, s:o, s:o}", "secondary", target, "address", addr,
	    "port", port, "notify_target", configured, "serial",
	    maybe(s->serial), "since", maybe(s->since), "state", s->state,
	    "reason", maybe_str(s->reason), "last_probe", maybe(s->probed),
	    "last_transfer", xfr, "notify_serial", maybe(s->notify_serial),
	    "notify_sent", maybe(s->notify_sent), "notify_acked",
	    maybe(s->notify_acked), "notify_error",
	    maybe_str(s->notify_error));
	return row;
}

static int
status_add(struct status_walk *w, json_t *row)
{
	if (row == NULL || json_array_append_new(w->list, row) < 0) {
		w->err = HP_ENOMEM;
		return HP_ENOMEM;
	}
	return 0;
}

/* Rows of secondaries that are no longer notify: targets. */
static int
status_former(const struct store_secondary *s, void *arg)
{
	struct status_walk *w = arg;
	int i;

	for (i = 0; w->z != NULL && i < w->z->ntargets; i++)
		if (strcmp(w->z->targets[i].label, s->target) == 0)
			return 0;
	return status_add(w, status_doc(s->target, 0, s));
}

int
api_zone_status(struct store *st, const struct conf *cfg, const char *zone,
    json_t **out)
{
	const struct conf_target *t;
	struct store_zone_info zi;
	struct store_secondary s;
	struct status_walk w = { 0 };
	int r = 0, i, got;

	if ((r = store_zone_info(st, zone, &zi)) < 0)
		return r;
	w.z = conf_find_zone(cfg, zone);
	if ((w.list = json_array()) == NULL)
		return HP_ENOMEM;
	for (i = 0; r == 0 && w.z != NULL && i < w.z->ntargets; i++) {
		t = &w.z->targets[i];
		if (!t->first)
			continue;
		if ((got = store_sec_get(st, zi.name, t->label, &s)) < 0)
			r = got;
		else
			r = status_add(&w, status_doc(t->label, 1, got ? &s :
			    NULL));
	}
	if (r == 0)
		r = store_sec_list(st, zi.name, status_former, &w);
	/* held: direct edits that do not validate, not published; broken:
	 * the current version holds a record no transfer may send */
	if (r == 0 && (*out = json_pack("{s:s, s:I, s:b, s:o, s:b, s:o, s:O}",
	    "zone", zi.name, "serial", (json_int_t)zi.serial, "held", zi.held,
	    "held_why", hjson_str(zi.held ? zi.held_why : NULL), "broken",
	    zi.broken, "broken_why", hjson_str(zi.broken ? zi.broken_why :
	    NULL), "secondaries", w.list)) == NULL)
		r = HP_ENOMEM;
	json_decref(w.list);
	return r == 0 || r == HP_ENOMEM ? r : HP_ESTORE;
}
