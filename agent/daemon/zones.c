/*
 * zones.c -- the zones the daemon serves: what is known of each (its id
 * and the serial last NOTIFYed), kept across reloads; the scan the poll
 * runs when the database changed: direct edits published, new serials
 * NOTIFYed.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "agent/conf/conf.h"
#include "agent/daemon/daemon_int.h"
#include "agent/daemon/xfr.h"
#include "agent/publish/publish.h"
#include "dns/err.h"
#include "dns/log.h"
#include "store/store.h"

static void
serve_publish(struct daemon *d, const struct conf_zone *z)
{
	struct pub_ctx c = { .st = d->st, .cfg = d->cfg, .z = z };
	struct store_import_result res;
	int r;

	memset(&res, 0, sizeof(res));
	r = pub_edits(&c, z->name, &res);
	if (r == 0)
		log_notice("zone %s: direct edits published as serial %u",
		    z->name, res.new_serial);
	else if (r != HP_EUNCHANGED && r != HP_EBUSY)
		log_err("zone %s: cannot publish direct edits: %s", z->name,
		    hp_strerror(r));
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
    const struct store_zone_info *zi)
{
	double now = log_clock();

	if (xfr_server_cache_ready(d->xs, zi->id, zi->version_id)) {
		if (dz->waiting > 0)
			log_info("zone %s: serial %u: AXFR messages ready "
			    "after %.3f s", dz->z->name, zi->serial,
			    now - dz->waiting);
		dz->waiting = 0;
		return 0;
	}
	if (dz->waiting == 0) {
		dz->waiting = now;
		xfr_server_cache_kick(d->xs);
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
	int i, r;

	d->waiting = 0;
	for (i = 0; i < d->nzones; i++) {
		dz = &d->zones[i];
		if (store_zone_info(d->st, dz->z->name, &zi) < 0)
			continue;
		if (zi.dirty) {
			serve_publish(d, dz->z);
			if (store_zone_info(d->st, dz->z->name, &zi) < 0)
				continue;
		}
		if (dz->known && dz->serial == zi.serial && dz->id == zi.id)
			continue;
		if (daemon_cache_wait(d, dz, &zi))
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
		if ((r = daemon_notify_zone(d, dz->z, zi.id)) < 0)
			log_err("zone %s: NOTIFY: %s", dz->z->name,
			    hp_strerror(r));
	}
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
