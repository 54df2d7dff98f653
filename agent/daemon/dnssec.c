/*
 * dnssec.c -- the daemon's DNSSEC driver, once a second over the zones
 * with dnssec-signing: yes:
 *  - a zone in the store not signed yet (signing just turned on), or
 *    signed with another chain than its policy's (NSEC <-> NSEC3, new
 *    NSEC3 parameters), is signed whole, as a new version;
 *  - signatures due for refresh (dnssec_zones.refresh, spread by the
 *    signer's jitter; a batch per version) and key steps due
 *    (signer/rollover.h) make a new version;
 *  - a rollover waiting for its last step to reach the secondaries is
 *    fed the secondaries' own SOA answers (the probes' ledger): once
 *    every notify: target serves the zone's serial, the keys that
 *    version carried are confirmed as propagated.
 * Each new version is NOTIFYed like any other (daemon_scan).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/conf/conf.h"
#include "agent/daemon/daemon_int.h"
#include "agent/publish/publish.h"
#include "dns/err.h"
#include "dns/log.h"
#include "dns/serial.h"
#include "signer/keys.h"
#include "signer/rollover.h"
#include "store/store.h"

/* After a failure, the zone is tried again this much later (s). */
#define DNSSEC_RETRY	60

static void
dnssec_problem(void *arg, const struct hp_problem *p)
{
	const struct conf_zone *z = arg;

	log_err("zone %s: DNSSEC: %s", z->name, p->text);
}

/* A new version of DZ's zone by the signer; NOTIFYed. */
static void
dnssec_resign(struct daemon *d, struct daemon_zone *dz, int what,
    const char *why, int64_t now)
{
	struct pub_ctx c = { .st = d->st, .cfg = d->cfg, .z = dz->z,
	    .problem = dnssec_problem, .problem_arg = (void *)dz->z };
	struct store_import_result res;
	int r;

	r = pub_resign(&c, dz->z->name, what, 0, &res);
	if (r == 0) {
		log_notice("zone %s: signed serial %u (%s)", dz->z->name,
		    res.new_serial, why);
		dz->dnssec_next = 0;
		daemon_scan(d);
		return;
	}
	if (r == HP_EBUSY || r == HP_EAGAIN) {
		dz->dnssec_next = now + 1;
		return;
	}
	log_err("zone %s: DNSSEC signing (%s) failed: %s; nothing published, "
	    "tried again in %d s", dz->z->name, why, hp_strerror(r),
	    DNSSEC_RETRY);
	dz->dnssec_next = now + DNSSEC_RETRY;
}

struct sec_served {
	const struct conf_zone *z;
	int have;		/* targets with a serial */
	uint32_t oldest;	/* the oldest serial they serve */
};

static int
sec_one(const struct store_secondary *s, void *arg)
{
	struct sec_served *c = arg;
	int i;

	if (s->serial < 0)
		return 0;
	for (i = 0; i < c->z->ntargets; i++)
		if (c->z->targets[i].first &&
		    strcmp(c->z->targets[i].label, s->target) == 0) {
			if (c->have++ == 0 || serial_cmp((uint32_t)s->serial,
			    c->oldest) < 0)
				c->oldest = (uint32_t)s->serial;
		}
	return 0;
}

/*
 * The serial every notify: target of Z serves (their own SOA answers):
 * the oldest of theirs, into *SERIAL; 1, or 0 when a target serves none
 * known. A zone without secondaries: CURRENT.
 */
static int
all_serve(struct daemon *d, const struct conf_zone *z, uint32_t current,
    uint32_t *serial)
{
	struct sec_served c = { z, 0, 0 };
	int i, want = 0;

	for (i = 0; i < z->ntargets; i++)
		want += z->targets[i].first;
	*serial = current;
	if (want == 0)
		return 1;
	if (store_sec_list(d->st, z->name, sec_one, &c) < 0 || c.have < want)
		return 0;
	*serial = c.oldest;
	return 1;
}

/* 1 when a key's last step is not yet confirmed as propagated. */
static int
unconfirmed(const struct store_dnssec_info *di)
{
	size_t i;

	for (i = 0; i < di->nkeys; i++)
		if (di->keys[i].step != 0 && di->keys[i].seen == 0)
			return 1;
	return 0;
}

/* Signatures due are refreshed a little later, together: an eighth of
 * the time between their refresh and their expiry, and never so late
 * that what is left is under half the margin over zone-max-ttl. */
static int64_t
refresh_slack(const struct sign_policy *p)
{
	int64_t a = ((int64_t)p->rrsig_lifetime - p->rrsig_refresh) / 8;
	int64_t b = ((int64_t)p->rrsig_refresh - p->zone_max_ttl) / 2;

	a = a < b ? a : b;
	return a > 0 ? a : 0;
}

static void
dnssec_zone(struct daemon *d, struct daemon_zone *dz, int64_t now)
{
	const struct conf_zone *z = dz->z;
	struct store_dnssec_info di;
	struct store_zone_info zi;
	struct roll_input in;
	struct roll_action a;
	char chain[600];
	uint32_t served;
	int moved = 0;

	if (!dz->known || now < dz->dnssec_next)
		return;
	if (store_dnssec_info(d->st, z->name, &di) < 0)
		return;
	if (!di.is_signed) {
		store_dnssec_info_free(&di);
		dnssec_resign(d, dz, STORE_RESIGN_FULL, "first signing", now);
		return;
	}
	/* the policy asks for another chain (NSEC <-> NSEC3, parameters) */
	store_dnssec_chain(z->dnssec_policy, chain, sizeof(chain));
	if (strcmp(chain, di.chain) != 0) {
		store_dnssec_info_free(&di);
		dnssec_resign(d, dz, STORE_RESIGN_FULL, "a new chain", now);
		return;
	}
	if (unconfirmed(&di) &&
	    store_zone_info(d->st, z->name, &zi) == 0 &&
	    all_serve(d, z, zi.serial, &served) &&
	    store_dnssec_confirm(d->st, zi.id, served, now, &moved) == 0 &&
	    moved) {
		log_notice("zone %s: DNSSEC: serial %u served by every "
		    "secondary: the key steps it carries have propagated",
		    z->name, served);
		store_dnssec_info_free(&di);
		if (store_dnssec_info(d->st, z->name, &di) < 0)
			return;
	}
	memset(&in, 0, sizeof(in));
	in.now = now;
	if (roll_next(di.keys, di.nkeys, z->dnssec_policy, &in, &a) == 0 &&
	    a.kind != ROLL_NONE && a.kind < ROLL_WAIT_PROPAGATION &&
	    a.when <= now) {
		store_dnssec_info_free(&di);
		dnssec_resign(d, dz, STORE_RESIGN_REFRESH, roll_kind_name(
		    a.kind), now);
		return;
	}
	if (di.refresh > 0 && di.refresh + refresh_slack(z->dnssec_policy) <=
	    now) {
		store_dnssec_info_free(&di);
		dnssec_resign(d, dz, STORE_RESIGN_REFRESH, "signature refresh",
		    now);
		return;
	}
	store_dnssec_info_free(&di);
}

void
daemon_dnssec_tick(struct daemon *d)
{
	int64_t now = (int64_t)time(NULL);
	int i;

	if (now == d->dnssec_tick)
		return;
	d->dnssec_tick = now;
	for (i = 0; i < d->nzones; i++)
		if (d->zones[i].z->dnssec_signing)
			dnssec_zone(d, &d->zones[i], now);
}
