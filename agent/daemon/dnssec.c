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
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

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

/* A signing handed to the thread, and what came of it. */
struct sjob {
	struct sjob *next;
	const struct conf *cfg;		/* a reference: Z lives in it */
	const struct conf_zone *z;
	int what;			/* STORE_RESIGN_* */
	char why[64];
	int r;				/* pub_resign() */
	struct store_import_result res;
};

struct signer_thread {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct sjob *q, **qtail;	/* to sign */
	struct sjob *done, **dtail;	/* signed (or failed) */
	int fds[2];			/* the thread writes a byte per job */
	struct event *ev;
	char *dbpath;
	struct store *st;		/* the thread's own connection */
	int stop, started;
};

static void *
signer_main(void *arg)
{
	struct signer_thread *t = arg;
	struct sjob *j;
	char err[256];
	int r;

	pthread_mutex_lock(&t->mu);
	for (;;) {
		while (t->q == NULL && !t->stop)
			pthread_cond_wait(&t->cv, &t->mu);
		if (t->stop)
			break;
		j = t->q;
		if ((t->q = j->next) == NULL)
			t->qtail = &t->q;
		pthread_mutex_unlock(&t->mu);
		j->next = NULL;
		if (t->st == NULL && (r = store_open(t->dbpath, 0, &t->st, err,
		    sizeof(err))) < 0) {
			log_err("DNSSEC signer: %s", err);
			t->st = NULL;
			j->r = r;
		} else {
			struct pub_ctx c = { .st = t->st, .cfg = j->cfg,
			    .z = j->z, .problem = dnssec_problem,
			    .problem_arg = (void *)j->z };

			j->r = pub_resign(&c, j->z->name, j->what, 0, &j->res);
		}
		pthread_mutex_lock(&t->mu);
		*t->dtail = j;
		t->dtail = &j->next;
		while (write(t->fds[1], "", 1) < 0 && errno == EINTR)
			;
	}
	pthread_mutex_unlock(&t->mu);
	return NULL;
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

/* The loop: the signings done, logged; the new versions NOTIFYed. */
static void
signer_done(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	struct signer_thread *t = d->signer;
	struct daemon_zone *dz;
	struct sjob *l, *j;
	int64_t now = (int64_t)time(NULL);
	char buf[64];
	int signed_some = 0;

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&t->mu);
	l = t->done;
	t->done = NULL;
	t->dtail = &t->done;
	pthread_mutex_unlock(&t->mu);
	for (; (j = l) != NULL; l = j->next, conf_unref(j->cfg), free(j)) {
		if ((dz = daemon_zone_find(d, j->z->name)) != NULL)
			dz->dnssec_busy = 0;
		signed_some |= dnssec_result(dz, j->z->name, j->r, &j->res,
		    j->why, now);
	}
	if (signed_some)
		daemon_scan(d);
}

int
daemon_signer_start(struct daemon *d)
{
	struct signer_thread *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return HP_ENOMEM;
	t->fds[0] = t->fds[1] = -1;
	t->qtail = &t->q;
	t->dtail = &t->done;
	if ((t->dbpath = strdup(d->dbpath)) == NULL ||
	    pipe2(t->fds, O_CLOEXEC | O_NONBLOCK) != 0 ||
	    (t->ev = event_new(d->base, t->fds[0], EV_READ | EV_PERSIST,
	    signer_done, d)) == NULL || event_add(t->ev, NULL) != 0)
		goto fail;
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	if (pthread_create(&t->th, NULL, signer_main, t) != 0) {
		pthread_mutex_destroy(&t->mu);
		pthread_cond_destroy(&t->cv);
		goto fail;
	}
	t->started = 1;
	d->signer = t;
	return 0;
fail:
	if (t->ev != NULL)
		event_free(t->ev);
	if (t->fds[0] >= 0) {
		close(t->fds[0]);
		close(t->fds[1]);
	}
	free(t->dbpath);
	free(t);
	return HP_EAGAIN;
}

static void
sjobs_free(struct sjob *l)
{
	struct sjob *j;

	while ((j = l) != NULL) {
		l = j->next;
		conf_unref(j->cfg);
		free(j);
	}
}

void
daemon_signer_stop(struct daemon *d)
{
	struct signer_thread *t = d->signer;

	if (t == NULL)
		return;
	/* a signing under way ends first (it is one transaction: stopping
	 * it halfway would only roll it back) */
	pthread_mutex_lock(&t->mu);
	t->stop = 1;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->th, NULL);
	pthread_mutex_destroy(&t->mu);
	pthread_cond_destroy(&t->cv);
	sjobs_free(t->q);
	sjobs_free(t->done);
	event_free(t->ev);
	close(t->fds[0]);
	close(t->fds[1]);
	store_close(t->st);
	free(t->dbpath);
	free(t);
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
	struct signer_thread *t = d->signer;
	struct sjob *j;

	if (t == NULL || (j = calloc(1, sizeof(*j))) == NULL) {
		dnssec_resign_here(d, dz, what, why, now);
		return;
	}
	j->cfg = conf_ref(d->cfg);
	j->z = dz->z;
	j->what = what;
	snprintf(j->why, sizeof(j->why), "%s", why);
	dz->dnssec_busy = 1;
	pthread_mutex_lock(&t->mu);
	*t->qtail = j;
	t->qtail = &j->next;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
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
