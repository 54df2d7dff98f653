/*
 * zones.c -- the zones the daemon serves: what is known of each (its id
 * and the serial last NOTIFYed), kept across reloads; the scan the poll
 * runs when the database changed: direct edits published, new serials
 * NOTIFYed and handed to the SOA probes (probe.c).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "agent/conf/conf.h"
#include "agent/daemon/daemon_int.h"
#include "agent/daemon/probe.h"
#include "agent/daemon/xfr.h"
#include "agent/daemon/updwork.h"
#include "agent/publish/publish.h"
#include "agent/publish/zones.h"
#include "dns/err.h"
#include "dns/log.h"
#include "store/store.h"

/* Each problem of the direct edits, logged (once: see daemon_scan). */
static void
serve_edit_problem(void *arg, const struct hp_problem *p)
{
	const struct conf_zone *z = arg;

	if (p->warning)
		log_warn("zone %s: direct edits: %s", z->name, p->text);
	else
		log_err("zone %s: direct edits: %s", z->name, p->text);
}

static void
serve_publish(struct daemon *d, struct daemon_zone *dz)
{
	const struct conf_zone *z = dz->z;
	struct pub_ctx c = { .st = d->st, .cfg = d->cfg, .z = z,
	    .problem = serve_edit_problem, .problem_arg = (void *)z };
	struct store_import_result res;
	int r;

	memset(&res, 0, sizeof(res));
	r = pub_edits(&c, z->name, &res);
	if (r == 0)
		log_notice("zone %s: direct edits published as serial %u",
		    z->name, res.new_serial);
	else if (r == HP_EINVALID)
		log_err("zone %s: held: the direct edits do not validate; "
		    "serial %u stays (fix the rows, or hpagent publish "
		    "--discard %s)", z->name, res.old_serial, z->name);
	else if (r == HP_EBUSY)
		d->edits_busy = 1;	/* another writer: again soon (serve.c) */
	else if (r != HP_EUNCHANGED)
		log_err("zone %s: cannot publish direct edits: %s", z->name,
		    hp_strerror(r));
}

/*
 * Direct edits of DZ's zone (ZI: its row). Edits already found invalid
 * (held, and nothing edited since: the same pending log) are not tried
 * again: said once, not at every poll.
 */
static void
serve_edits(struct daemon *d, struct daemon_zone *dz,
    const struct store_zone_info *zi)
{
	if (zi->held && zi->held_mark == zi->pending_mark) {
		if (dz->held_logged != zi->held_mark)
			log_err("zone %s: held: direct edits that do not "
			    "validate: %s; serial %u stays (fix the rows, or "
			    "hpagent publish --discard %s)", dz->z->name,
			    zi->held_why, zi->serial, dz->z->name);
		dz->held_logged = zi->held_mark;
		return;
	}
	serve_publish(d, dz);
	/* what was logged now is not logged again */
	dz->held_logged = -1;
	{
		struct store_zone_info now;

		if (store_zone_info(d->st, dz->z->name, &now) == 0 &&
		    now.held)
			dz->held_logged = now.held_mark;
	}
}

/*
 * A new version is announced (NOTIFY) once the builder has prepared its
 * AXFR messages, so that no secondary gets it streamed from the records
 * (several times slower than the cache); a small change takes the
 * builder tens of milliseconds (it rebuilds only the messages the change
 * touches), a whole zone of a million records half a second. Never
 * longer than DAEMON_CACHE_WAIT_MS after the version was seen. 1: wait.
 */
#define DAEMON_CACHE_WAIT_MS	2000

static int
daemon_cache_wait(struct daemon *d, struct daemon_zone *dz,
    const struct store_zone_info *zi, int *ready)
{
	double now = log_clock();

	*ready = 0;
	/* A broken version (a record no transfer may send) gets no
	 * messages: nothing to wait for, its transfers answer SERVFAIL. */
	if (zi->broken ||
	    xfr_server_cache_ready(d->xs, zi->id, zi->version_id)) {
		if (dz->waiting > 0 && !zi->broken)
			log_info("zone %s: serial %u: AXFR messages ready "
			    "after %.3f s", dz->z->name, zi->serial,
			    now - dz->waiting);
		dz->waiting = 0;
		*ready = !zi->broken;
		return 0;
	}
	/* the builder is asked at once for each new version: one that
	 * came while it built the one before (a burst of updates) would
	 * otherwise wait for its next round (CACHEBUILD_POLL_MS) */
	if (dz->waiting == 0 || dz->waiting_for != zi->version_id) {
		if (dz->waiting == 0)
			dz->waiting = now;
		dz->waiting_for = zi->version_id;
		xfr_server_cache_kick(d->xs);
		/* its SOA already answers: a secondary that asks meanwhile
		 * (its refresh timer) gets the IXFR ready too, not one built
		 * from the journal for it */
		if (dz->known)
			(void)xfr_server_ixfr_prepare(d->xs, dz->z->name);
	}
	if (now - dz->waiting < DAEMON_CACHE_WAIT_MS / 1e3) {
		d->waiting++;
		return 1;
	}
	log_notice("zone %s: serial %u announced before its AXFR messages "
	    "are ready (%.1f s): transfers stream the records meanwhile",
	    dz->z->name, zi->serial, now - dz->waiting);
	dz->waiting = 0;
	return 0;
}

void
daemon_scan(struct daemon *d)
{
	struct store_zone_info zi;
	struct daemon_zone *dz;
	int i, r, ready, members = 0;

	if (d->scanning)
		return;
	d->scanning = 1;
	d->waiting = 0;
	d->edits_busy = 0;
	xfr_server_seen_begin(d->xs);
	for (i = 0; i < d->nzones; i++) {
		dz = &d->zones[i];
		if (store_zone_info(d->st, dz->z->name, &zi) < 0)
			continue;
		if (zi.dirty) {
			serve_edits(d, dz, &zi);
			if (store_zone_info(d->st, dz->z->name, &zi) < 0)
				continue;
		}
		xfr_server_seen(d->xs, &zi);
		if (dz->known && dz->serial == zi.serial && dz->id == zi.id)
			continue;
		/* A new version is announced once its AXFR messages are
		 * ready (at most DAEMON_CACHE_WAIT_MS later) ... */
		if (daemon_cache_wait(d, dz, &zi, &ready))
			continue;
		/* ... and, after UPDATEs, as their coalescing says: asked
		 * only now, when it would be NOTIFYed (update_holding()
		 * takes a serial it lets through as the one in flight) */
		if (dz->known && dz->id == zi.id &&
		    update_holding(d->upd, dz->z->name, zi.serial))
			continue;
		if (dz->known)
			log_notice("zone %s: serial %u -> %u%s", dz->z->name,
			    dz->serial, zi.serial, ready ?
			    " (AXFR messages ready)" : "");
		else
			log_notice("zone %s: serving serial %u%s", dz->z->name,
			    zi.serial, ready ? " (AXFR messages ready)" : "");
		/* The IXFR the secondaries are about to ask, ready before
		 * they are told. */
		if (dz->known)
			(void)xfr_server_ixfr_prepare(d->xs, dz->z->name);
		if (!dz->known && dz->z->catalog != NULL)
			members++;	/* stored now: listed */
		dz->known = 1;
		dz->id = zi.id;
		dz->serial = zi.serial;
		daemon_probe_zone(d, dz);
		if ((r = daemon_notify_zone(d, dz->z, zi.id, NULL)) < 0)
			log_err("zone %s: NOTIFY: %s", dz->z->name,
			    hp_strerror(r));
	}
	d->scanning = 0;
	if (members > 0) {
		daemon_catalogs(d);
		daemon_scan(d);		/* the catalogs' new serials */
	}
}

struct daemon_zone *
daemon_zone_find(struct daemon *d, const char *name)
{
	int i;

	for (i = 0; i < d->nzones; i++)
		if (strcmp(d->zones[i].z->name, name) == 0)
			return &d->zones[i];
	return NULL;
}

void
daemon_probe_zone(struct daemon *d, const struct daemon_zone *dz)
{
	struct notify_target *t;
	int n;

	if (d->pr == NULL || !dz->known)
		return;
	if ((n = daemon_targets(d, dz->z, &t)) < 0 ||
	    probe_zone(d->pr, dz->z->name, dz->id, dz->serial, t, n,
	    dz->z->sync_timeout, dz->z->probe_interval) < 0)
		log_err("zone %s: SOA probes: %s", dz->z->name,
		    hp_strerror(HP_ENOMEM));
	if (n >= 0)
		free(t);
}

void
daemon_probe_sync(struct daemon *d)
{
	int i;

	probe_mark(d->pr);
	for (i = 0; i < d->nzones; i++)
		daemon_probe_zone(d, &d->zones[i]);
	probe_sweep(d->pr);
}

int
daemon_zones(struct daemon *d, const struct conf *cfg, int *added, int *kept)
{
	const struct conf_zone *z;
	struct daemon_zone *nz;
	int i, j, n = 0;

	*added = *kept = 0;
	if ((nz = calloc((size_t)cfg->n_zones + 1, sizeof(*nz))) == NULL)
		return HP_ENOMEM;
	for (z = cfg->zones; z != NULL; z = z->next) {
		nz[n].z = z;
		for (j = 0; j < d->nzones; j++)
			if (strcmp(d->zones[j].z->name, z->name) == 0) {
				nz[n].id = d->zones[j].id;
				nz[n].serial = d->zones[j].serial;
				nz[n].known = d->zones[j].known;
				nz[n].waiting = d->zones[j].waiting;
				nz[n].held_logged = d->zones[j].held_logged;
				nz[n].retiring = d->zones[j].retiring;
				nz[n].dnssec_next = d->zones[j].dnssec_next;
				nz[n].dnssec_busy = d->zones[j].dnssec_busy;
				(*kept)++;
				break;
			}
		if (d->zones != NULL && j == d->nzones) {
			(*added)++;
			log_notice("reload: zone %s added", z->name);
		}
		n++;
	}
	for (j = 0; j < d->nzones; j++) {
		for (i = 0; i < n; i++)
			if (strcmp(d->zones[j].z->name, nz[i].z->name) == 0)
				break;
		if (i == n)
			log_notice("reload: zone %s removed",
			    d->zones[j].z->name);
	}
	free(d->zones);
	d->zones = nz;
	d->nzones = n;
	return 0;
}

static void
catalog_problem(void *arg, const struct hp_problem *p)
{
	char line[1200];

	(void)arg;
	log_msg(p->warning ? LOG_WARNING : LOG_ERR, "catalog: %s",
	    hp_problem_str(p, line, sizeof(line)));
}

void
daemon_catalogs(struct daemon *d)
{
	struct store_catalog_result r;
	int ret;

	if ((ret = zones_catalog_sync(d->st, d->cfg, catalog_problem, NULL,
	    &r)) < 0) {
		log_err("catalog zones not written: %s", hp_strerror(ret));
		return;
	}
	if (r.published > 0)
		log_notice("catalog zones: %u member%s added, %u removed, %u "
		    "moved, %u regrouped", r.added, r.added == 1 ? "" : "s",
		    r.removed, r.moved, r.regrouped);
}
