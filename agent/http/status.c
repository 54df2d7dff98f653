/*
 * status.c -- a zone's state and secondaries as JSON: held by invalid
 * direct edits or broken, the ledger's rows (what the daemon saw of each)
 * and the notify: targets never seen. GET /v1/zones/{zone}/status and
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
	int *seen;		/* per target of Z */
	json_t *list;
	int err;
};

/* A time or serial the ledger may not have: a number, or null. */
static json_t *
maybe(int64_t v)
{
	return v == STORE_NONE ? json_null() : json_integer(v);
}

static int
status_row(const struct store_secondary *s, void *arg)
{
	struct status_walk *w = arg;
	int target = 0, i;
	json_t *row;

	for (i = 0; w->z != NULL && i < w->z->ntargets; i++)
		if (strcmp(w->z->targets[i].address, s->address) == 0)
			w->seen[i] = target = 1;
	row = json_pack("{s:o, s:b, s:o, s:s, s:o, s:o, s:o, s:o, s:o}",
	    "address", hjson_str(s->address), "notify_target", target,
	    "serial", maybe(s->serial), "state", s->serial == STORE_NONE ?
	    "unknown" : s->serial == s->zone_serial ? "in-sync" : "lagging",
	    "since", maybe(s->since), "notify_serial", maybe(s->notify_serial),
	    "notify_sent", maybe(s->notify_sent), "notify_acked",
	    maybe(s->notify_acked), "last_xfr", maybe(s->last_xfr));
	if (row == NULL || json_array_append_new(w->list, row) < 0) {
		w->err = HP_ENOMEM;
		return HP_ENOMEM;
	}
	return 0;
}

int
api_zone_status(struct store *st, const struct conf *cfg, const char *zone,
    json_t **out)
{
	struct store_zone_info zi;
	struct status_walk w = { 0 };
	json_t *row;
	int r, i;

	if ((r = store_zone_info(st, zone, &zi)) < 0)
		return r;
	w.z = conf_find_zone(cfg, zone);
	if ((w.seen = calloc(w.z != NULL ? (size_t)w.z->ntargets + 1 : 1,
	    sizeof(*w.seen))) == NULL || (w.list = json_array()) == NULL) {
		free(w.seen);
		return HP_ENOMEM;
	}
	r = store_sec_list(st, zi.name, status_row, &w);
	for (i = 0; r == 0 && w.z != NULL && i < w.z->ntargets; i++) {
		if (w.seen[i] || !w.z->targets[i].first)
			continue;
		row = json_pack("{s:s, s:b, s:n, s:s}", "address",
		    w.z->targets[i].address, "notify_target", 1, "serial",
		    "state", "unknown");
		if (row == NULL || json_array_append_new(w.list, row) < 0)
			r = HP_ENOMEM;
	}
	free(w.seen);
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
