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
#include "agent/daemon/update.h"
#include "agent/publish/publish.h"
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
	else if (r != HP_EUNCHANGED && r != HP_EBUSY)
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

void
daemon_scan(struct daemon *d)
{
	struct store_zone_info zi;
	struct daemon_zone *dz;
	int i, r;

	for (i = 0; i < d->nzones; i++) {
		dz = &d->zones[i];
		if (store_zone_info(d->st, dz->z->name, &zi) < 0)
			continue;
		if (zi.dirty) {
			serve_edits(d, dz, &zi);
			if (store_zone_info(d->st, dz->z->name, &zi) < 0)
				continue;
		}
		if (dz->known && dz->serial == zi.serial && dz->id == zi.id)
			continue;
		/* UPDATEs under way: their NOTIFYs are coalesced */
		if (dz->known && dz->id == zi.id &&
		    update_holding(d->upd, dz->z->name, zi.serial))
			continue;
		if (dz->known)
			log_notice("zone %s: serial %u -> %u", dz->z->name,
			    dz->serial, zi.serial);
		else
			log_notice("zone %s: serving serial %u", dz->z->name,
			    zi.serial);
		dz->known = 1;
		dz->id = zi.id;
		dz->serial = zi.serial;
		daemon_probe_zone(d, dz);
		if ((r = daemon_notify_zone(d, dz->z, zi.id, NULL)) < 0)
			log_err("zone %s: NOTIFY: %s", dz->z->name,
			    hp_strerror(r));
	}
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
				nz[n].held_logged = d->zones[j].held_logged;
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
