/*
 * retire.c -- zones deleted (hpagent zone delete, DELETE /v1/zones/{zone}):
 * out of their catalog already, they are served until every secondary
 * answers that it dropped them (its SOA probe: REFUSED, NOTAUTH,
 * SERVFAIL ...), or RETIRE_PATIENCE sync-timeout:s passed, then purged
 * from the store, their history kept in a backup file; the reload that
 * follows stops serving them.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/conf/conf.h"
#include "agent/daemon/daemon_int.h"
#include "agent/daemon/probe.h"
#include "agent/publish/zones.h"
#include "dns/err.h"
#include "dns/log.h"
#include "store/store.h"

/* A deleted zone is served at most this many sync-timeout:s (default
 * 60 s: 10 minutes) while its secondaries have not all dropped it. */
#define RETIRE_PATIENCE	10

struct deleting {
	struct store_zonedef *d;
	size_t n, cap;
};

static int
deleting_add(const struct store_zonedef *d, void *arg)
{
	struct deleting *l = arg;
	struct store_zonedef *g;

	if (d->deleting == 0)
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap * 2 + 8;
		if ((g = realloc(l->d, l->cap * sizeof(*g))) == NULL)
			return HP_ENOMEM;
		l->d = g;
	}
	l->d[l->n++] = *d;
	return 0;
}

static void
retire_purge(struct daemon *d, const struct store_zonedef *zd)
{
	char backup[1024];
	int r;

	/* the ledger rows queued for it first: they go with it */
	ledger_flush(d->ledger);
	r = zones_purge(d->st, d->dbpath, zd->name, zd->purge, backup,
	    sizeof(backup));
	if (r < 0 && r != HP_ENOENT)
		log_err("zone %s: cannot remove it from the store: %s",
		    zd->name, hp_strerror(r));
	else
		log_notice("zone %s: deleted%s%s", zd->name,
		    backup[0] != '\0' ? "; history kept in " : "", backup);
}

void
daemon_retire(struct daemon *d)
{
	struct deleting l = { 0 };
	struct daemon_zone *dz;
	char why[160];
	size_t i;
	int n, purged = 0;

	if (d->pr == NULL || store_zonedef_list(d->st, deleting_add, &l) < 0 ||
	    l.n == 0) {
		free(l.d);
		return;
	}
	for (i = 0; i < l.n; i++) {
		dz = daemon_zone_find(d, l.d[i].name);
		if (dz != NULL && !dz->retiring) {
			dz->retiring = 1;
			n = probe_retire(d->pr, dz->z->name);
			log_notice("zone %s: deleted: served until %d "
			    "secondar%s dropped it", dz->z->name, n,
			    n == 1 ? "y has" : "ies have");
			if (n > 0)
				continue;
		} else if (dz != NULL && !probe_dropped(d->pr, dz->z->name,
		    why, sizeof(why))) {
			/* bounded: a secondary that never answers (gone for
			 * good) does not keep the zone for ever */
			if ((int64_t)time(NULL) - l.d[i].deleting <
			    RETIRE_PATIENCE * (int64_t)dz->z->sync_timeout) {
				log_debug("zone %s: deleted: waiting: %s",
				    dz->z->name, why);
				continue;
			}
			log_warn("zone %s: deleted %d s ago, and still not "
			    "dropped by every secondary (%s): removed anyway",
			    dz->z->name, RETIRE_PATIENCE * dz->z->sync_timeout,
			    why);
		}
		retire_purge(d, &l.d[i]);
		purged++;
	}
	free(l.d);
	if (purged > 0)
		daemon_refresh(d);	/* the zones purged: reload */
}
