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
 * The signings themselves run in a thread of their own with its own
 * connection to the database (a first signing of a large zone takes a
 * minute: transfers, probes and the API go on meanwhile); the loop only
 * decides what is due, hands it over, and hears back through a pipe.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "agent/conf/conf.h"
#include "agent/daemon/daemon_int.h"
#include "agent/publish/jobq.h"
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

/* A signing handed to the thread, and what came of it. */
struct sjob {
	struct jobq_item item;		/* first: the signer's queue */
	const struct conf *cfg;		/* a reference: Z lives in it */
	const struct conf_zone *z;
	int what;			/* STORE_RESIGN_* */
	char why[64];
	int r;				/* pub_resign() */
	struct store_import_result res;
};

/* In the signer's thread: J on ST, its own connection (NULL: it could
 * not be opened, ERR and WHY say why). */
static void
signer_run(void *ctx, struct jobq_item *it, struct store *st, int err,
    const char *why)
{
	struct sjob *j = (struct sjob *)it;
	struct pub_ctx c = { .st = st, .cfg = j->cfg, .z = j->z,
	    .problem = dnssec_problem, .problem_arg = (void *)j->z };

	(void)ctx;
	if (st == NULL) {
		log_err("DNSSEC signer: %s", why);
		j->r = err;
		return;
	}
	j->r = pub_resign(&c, j->z->name, j->what, 0, &j->res);
}

/* What came of a signing of ZONE (DZ: NULL when a reload removed it),
 * logged; when to try again. 1 when a version was published. */
static int
dnssec_result(struct daemon_zone *dz, const char *zone, int r,
    const struct store_import_result *res, const char *why, int64_t now)
{
	int64_t next = 0;

	if (r == 0)
		log_notice("zone %s: signed serial %u (%s)", zone,
		    res->new_serial, why);
	else if (r == HP_EBUSY || r == HP_EAGAIN)
		next = now + 1;
	else {
		log_err("zone %s: DNSSEC signing (%s) failed: %s; nothing "
		    "published, tried again in %d s", zone, why, hp_strerror(r),
		    DNSSEC_RETRY);
		next = now + DNSSEC_RETRY;
	}
	if (dz != NULL)
		dz->dnssec_next = next;
	return r == 0;
}

/* The loop: a signing done, logged; the new version NOTIFYed. */
static void
signer_done(void *ctx, struct jobq_item *it)
{
	struct daemon *d = ctx;
	struct sjob *j = (struct sjob *)it;
	struct daemon_zone *dz;

	if ((dz = daemon_zone_find(d, j->z->name)) != NULL)
		dz->dnssec_busy = 0;
	if (dnssec_result(dz, j->z->name, j->r, &j->res, j->why,
	    (int64_t)time(NULL)))
		daemon_scan(d);
	conf_unref(j->cfg);
	free(j);
}

static const struct jobq_ops signer_ops = { signer_run, signer_done };

int
daemon_signer_start(struct daemon *d)
{
	return jobq_start(d->base, d->dbpath, 0, 0, &signer_ops, d,
	    &d->signer);
}

static void
sjobs_free(struct jobq_item *l)
{
	struct sjob *j;

	while ((j = (struct sjob *)l) != NULL) {
		l = l->next;
		conf_unref(j->cfg);
		free(j);
	}
}

void
daemon_signer_stop(struct daemon *d)
{
	if (d->signer == NULL)
		return;
	/* a signing under way ends first (it is one transaction: stopping
	 * it halfway would only roll it back) */
	sjobs_free(jobq_close(d->signer));
	sjobs_free(jobq_join(d->signer));
	jobq_free(d->signer);
	d->signer = NULL;
}

/* The signing on the loop's own connection: when the thread could not
 * start. */
static void
dnssec_resign_here(struct daemon *d, struct daemon_zone *dz, int what,
    const char *why, int64_t now)
{
	struct pub_ctx c = { .st = d->st, .cfg = d->cfg, .z = dz->z,
	    .problem = dnssec_problem, .problem_arg = (void *)dz->z };
	struct store_import_result res;
	int r;

	r = pub_resign(&c, dz->z->name, what, 0, &res);
	if (dnssec_result(dz, dz->z->name, r, &res, why, now))
		daemon_scan(d);
}

/* A new version of DZ's zone by the signer, made in the signer's thread
 * (without it, here); NOTIFYed when done. */
static void
dnssec_resign(struct daemon *d, struct daemon_zone *dz, int what,
    const char *why, int64_t now)
{
	struct sjob *j;

	if (d->signer == NULL || (j = calloc(1, sizeof(*j))) == NULL) {
		dnssec_resign_here(d, dz, what, why, now);
		return;
	}
	j->cfg = conf_ref(d->cfg);
	j->z = dz->z;
	j->what = what;
	snprintf(j->why, sizeof(j->why), "%s", why);
	if (jobq_push(d->signer, &j->item) < 0) {
		conf_unref(j->cfg);
		free(j);
		dnssec_resign_here(d, dz, what, why, now);
		return;
	}
	dz->dnssec_busy = 1;
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

	if (!dz->known || dz->dnssec_busy || now < dz->dnssec_next)
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
