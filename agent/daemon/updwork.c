/*
 * updwork.c -- the dynamic update engine: one thread with its own
 * database connection applies the UPDATE jobs in order of arrival
 * (store_update, one transaction each) and hands them back to the event
 * loop through a pipe; there the zone's NOTIFYs are started (coalesced:
 * at once for the first update of a burst, then at most once per
 * update-coalesce: ms) and each answer is sent, at once or, with
 * update-wait:, once every notify: target of the zone serves the new
 * serial (its own SOA answer, from the probes) or at the deadline.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "agent/conf/conf.h"
#include "agent/daemon/updwork.h"
#include "agent/daemon/update_int.h"
#include "dns/err.h"
#include "dns/log.h"
#include "dns/pkt.h"
#include "dns/serial.h"
#include "dns/wire.h"
#include "store/store.h"

#define UPD_MAX_QUEUED	1024	/* jobs waiting for the thread */
#define UPD_BUSY_MS	2000	/* the thread's busy timeout */

/* A zone whose NOTIFYs are being coalesced: the window closes after
 * update-coalesce: ms, or as soon as every secondary serves the serial
 * last NOTIFYed (then nothing is in flight to coalesce with). */
struct ucoal {
	struct update *up;
	char zone[DNAME_MAXSTR];
	struct event *timer;
	int open;		/* the window runs */
	int dirty;		/* a version came in it */
	int flushing;		/* the scan is run by us */
	uint32_t latest;	/* the newest serial committed */
	uint32_t sent;		/* the serial of the last flush */
	struct conf_seen seen;		/* secondaries serving SENT */
	struct ucoal *next;
};

struct update {
	struct event_base *base;
	struct store *st;		/* the loop's: the ledger */
	const struct conf *cfg;		/* a reference: the targets */
	update_changed_cb changed;
	void *arg;
	struct jobq *jq;		/* the thread, its own connection */
	struct upd_job *waiting;	/* answered when confirmed */
	struct ucoal *coal;
};

void
upd_job_free(struct upd_job *j)
{
	if (j == NULL)
		return;
	if (j->timer != NULL)
		event_free(j->timer);
	upd_free(&j->msg);
	conf_unref(j->cfg);
	conf_seen_clear(&j->done);
	free(j);
}

/* ---- the thread ----------------------------------------------------- */

/* The store's reasons, joined for the log line. */
static void
upd_problem(void *arg, const struct hp_problem *p)
{
	struct upd_job *j = arg;
	size_t n = strlen(p->text);

	if (j->whylen > 0 && j->whylen + 2 < sizeof(j->why)) {
		memcpy(j->why + j->whylen, "; ", 2);
		j->whylen += 2;
	}
	if (n > sizeof(j->why) - 1 - j->whylen)
		n = sizeof(j->why) - 1 - j->whylen;
	memcpy(j->why + j->whylen, p->text, n);
	j->whylen += n;
	j->why[j->whylen] = '\0';
}

/* In the thread: J on ST, the thread's connection (NULL: it could not
 * be opened, ERR and WHY say why). */
static void
upd_run(void *ctx, struct jobq_item *it, struct store *st, int err,
    const char *why)
{
	struct upd_job *j = (struct upd_job *)it;
	struct store_update_opts o = {
		.key = j->key[0] != '\0' ? j->key : NULL,
		.serial_policy = j->z->serial_policy,
		.max_journal_versions = j->z->max_journal_versions,
		.problem = upd_problem, .problem_arg = j,
	};

	(void)ctx;
	/* a signed zone: the update signed in its transaction, as imports */
	if (j->z->dnssec_signing && j->z->dnssec_policy != NULL) {
		o.sign.policy = j->z->dnssec_policy;
		o.sign.keystore = j->cfg->dnssec_keystore;
	}
	if (st == NULL) {
		j->err = err;
		j->rcode = WIRE_RCODE_SERVFAIL;
		snprintf(j->why, sizeof(j->why), "%s", why);
		return;
	}
	j->err = store_update(st, &j->msg, &o, &j->res, &j->rcode);
	if (j->err == HP_ESTORE)
		upd_problem(j, &(struct hp_problem){ .text =
		    store_errmsg(st) });
}

int
update_submit(struct update *up, struct upd_job *j)
{
	int full;

	j->up = up;
	full = up->jq == NULL || jobq_push(up->jq, &j->item) < 0;
	if (full) {
		j->ans = NULL;
		upd_job_free(j);
		return HP_EAGAIN;
	}
	return 0;
}

/* ---- NOTIFYs coalesced ---------------------------------------------- */

static struct ucoal *
upd_coal_find(const struct update *up, const char *zone)
{
	struct ucoal *c;

	for (c = up->coal; c != NULL; c = c->next)
		if (strcmp(c->zone, zone) == 0)
			return c;
	return NULL;
}

static void
upd_coal_flush(struct ucoal *c)
{
	c->flushing = 1;
	c->sent = c->latest;
	conf_seen_clear(&c->seen);
	c->up->changed(c->up->arg, c->zone);
	c->flushing = 0;
}

/* (Re)start C's window of MS milliseconds. */
static void
upd_coal_arm(struct ucoal *c, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	c->open = 1;
	evtimer_add(c->timer, &tv);
}

/* The secondaries of Z not seen serving C's last flushed serial. */
static int
upd_coal_left(const struct ucoal *c, const struct conf_zone *z)
{
	return conf_seen_left(&c->seen, z, NULL, 0);
}

/* TARGET of C's zone serves SERIAL: when every secondary serves the
 * serial last NOTIFYed, what came since goes now. */
static void
upd_coal_seen(struct ucoal *c, const char *target, uint32_t serial)
{
	const struct conf_zone *z = conf_find_zone(c->up->cfg, c->zone);

	if (z == NULL || !c->open || !serial_at_least(serial, c->sent))
		return;
	if (conf_seen_add(&c->seen, target) < 0 || !c->dirty)
		return;		/* (ENOMEM: the window's end will do) */
	if (upd_coal_left(c, z) > 0)
		return;
	c->dirty = 0;
	upd_coal_flush(c);
	upd_coal_arm(c, z->update_coalesce);
}

static void
upd_coal_timer(evutil_socket_t fd, short what, void *arg)
{
	struct ucoal *c = arg;
	const struct conf_zone *z = conf_find_zone(c->up->cfg, c->zone);

	(void)fd;
	(void)what;
	if (!c->dirty) {
		c->open = 0;
		return;
	}
	c->dirty = 0;
	upd_coal_flush(c);
	upd_coal_arm(c, z != NULL ? z->update_coalesce : 100);
}

/* ZONE has a new version from an UPDATE: NOTIFY now, or at the end of
 * the window under way. */
static void
upd_changed(struct update *up, const struct conf_zone *z, uint32_t serial)
{
	struct ucoal *c = upd_coal_find(up, z->name);

	if (z->update_coalesce == 0) {
		up->changed(up->arg, z->name);
		return;
	}
	if (c == NULL) {
		if ((c = calloc(1, sizeof(*c))) == NULL ||
		    (c->timer = evtimer_new(up->base, upd_coal_timer, c)) ==
		    NULL) {
			free(c);
			up->changed(up->arg, z->name);
			return;
		}
		c->up = up;
		snprintf(c->zone, sizeof(c->zone), "%s", z->name);
		c->next = up->coal;
		up->coal = c;
	}
	c->latest = serial;
	/* a window with nothing in flight (every secondary serves what
	 * was NOTIFYed) coalesces nothing: NOTIFY now */
	if (c->open && upd_coal_left(c, z) > 0) {
		c->dirty = 1;
		return;
	}
	upd_coal_flush(c);
	upd_coal_arm(c, z->update_coalesce);
}

int
update_holding(struct update *up, const char *zone, uint32_t serial)
{
	const struct conf_zone *z;
	struct ucoal *c;

	if (up == NULL || (c = upd_coal_find(up, zone)) == NULL ||
	    !c->open || c->flushing)
		return 0;
	/* flushed already: the scan announces it now that its AXFR
	 * messages are ready (the flush's own scan found them building) */
	if (serial == c->sent)
		return 0;
	z = conf_find_zone(up->cfg, zone);
	c->latest = serial;
	if (z == NULL || upd_coal_left(c, z) == 0) {
		/* nothing in flight: the scan NOTIFYs it now (an import's
		 * version, say), and it is what is in flight from now on */
		c->sent = serial;
		conf_seen_clear(&c->seen);
		c->dirty = 0;
		return 0;
	}
	c->dirty = 1;	/* NOTIFYed at the window's end, or sooner */
	return 1;
}

/* ---- waiting for the secondaries ------------------------------------ */

static const struct conf_zone *
upd_zone(const struct upd_job *j)
{
	const struct conf_zone *z = conf_find_zone(j->up->cfg, j->z->name);

	return z != NULL ? z : j->z;
}

/* Targets not confirmed yet; their labels into BEHIND (LEN octets). */
static int
upd_left(const struct upd_job *j, char *behind, size_t len)
{
	return conf_seen_left(&j->done, upd_zone(j), behind, len);
}

static void
upd_unwait(struct upd_job *j)
{
	*j->prevp = j->next;
	if (j->next != NULL)
		j->next->prevp = j->prevp;
}

static void
upd_finish(struct upd_job *j, int confirmed)
{
	char behind[400];

	if (j->prevp != NULL)
		upd_unwait(j);
	if (confirmed)
		log_info("UPDATE of %s serial %u: every secondary serves it "
		    "after %.3f s", j->z->name, j->res.new_serial,
		    log_clock() - j->t0);
	else {
		(void)upd_left(j, behind, sizeof(behind));
		log_warn("UPDATE of %s serial %u: update-wait: %d s passed, "
		    "not yet served by %s; answered NOERROR (committed)",
		    j->z->name, j->res.new_serial, j->z->update_wait, behind);
	}
	j->answer(j, WIRE_RCODE_NOERROR);
	upd_job_free(j);
}

/* Each second: what the ledger says (another process's probes too). */
static void
upd_wait_timer(evutil_socket_t fd, short what, void *arg)
{
	struct upd_job *j = arg;
	const struct conf_zone *z = upd_zone(j);
	struct store_secondary s;
	struct timeval tv = { 0, 0 };
	time_t now = time(NULL);
	const char *t;
	int i;

	(void)fd;
	(void)what;
	for (i = 0; i < z->ntargets; i++) {
		t = z->targets[i].label;
		if (z->targets[i].first && !conf_seen_has(&j->done, t) &&
		    store_sec_get(j->up->st, z->name, t, &s) > 0 &&
		    store_sec_has(&s, j->res.new_serial))
			(void)conf_seen_add(&j->done, t);
	}
	if (upd_left(j, NULL, 0) == 0) {
		upd_finish(j, 1);
		return;
	}
	if (now >= j->deadline) {
		upd_finish(j, 0);
		return;
	}
	tv.tv_sec = j->deadline - now < 1 ? j->deadline - now : 1;
	evtimer_add(j->timer, &tv);
}

static int
upd_wait(struct update *up, struct upd_job *j)
{
	struct timeval tv = { 0, 0 };

	if ((j->timer = evtimer_new(up->base, upd_wait_timer, j)) == NULL)
		return HP_ENOMEM;
	j->deadline = time(NULL) + j->z->update_wait;
	j->next = up->waiting;
	j->prevp = &up->waiting;
	if (j->next != NULL)
		j->next->prevp = &j->next;
	up->waiting = j;
	tv.tv_sec = 1;
	evtimer_add(j->timer, &tv);
	return 0;
}

void
update_secondary_has(struct update *up, const char *zone, const char *target,
    uint32_t serial)
{
	struct upd_job *j, *next;
	struct ucoal *c;

	if (up == NULL)
		return;
	if ((c = upd_coal_find(up, zone)) != NULL)
		upd_coal_seen(c, target, serial);
	for (j = up->waiting; j != NULL; j = next) {
		next = j->next;
		if (strcmp(j->z->name, zone) != 0 ||
		    !serial_at_least(serial, j->res.new_serial))
			continue;
		(void)conf_seen_add(&j->done, target);
		if (upd_left(j, NULL, 0) == 0)
			upd_finish(j, 1);
	}
}

/* ---- back on the loop ----------------------------------------------- */

static void
upd_log(const struct upd_job *j)
{
	const char *key = j->key[0] != '\0' ? j->key : "NOKEY";
	double ms = (log_clock() - j->t0) * 1000;

	if (j->rcode == WIRE_RCODE_NOERROR && j->res.changed)
		log_notice("UPDATE of %s from %s (key %s): serial %u -> %u, "
		    "+%llu -%llu%s%s (%.1f ms)", j->z->name, j->peer, key,
		    j->res.old_serial, j->res.new_serial,
		    (unsigned long long)j->res.added,
		    (unsigned long long)j->res.removed, j->whylen ? "; " : "",
		    j->why, ms);
	else if (j->rcode == WIRE_RCODE_NOERROR)
		log_info("UPDATE of %s from %s (key %s): nothing to change%s%s",
		    j->z->name, j->peer, key, j->whylen ? ": " : "", j->why);
	else
		/* a prerequisite that does not hold is an answer, not a
		 * fault */
		log_msg((j->rcode >= WIRE_RCODE_YXDOMAIN && j->rcode <=
		    WIRE_RCODE_NXRRSET) || j->rcode == WIRE_RCODE_NXDOMAIN ?
		    LOG_NOTICE : LOG_WARNING, "UPDATE of %s from %s (key %s): "
		    "%s%s%s; nothing changed", j->z->name, j->peer, key,
		    pkt_rcode_name(j->rcode), j->whylen ? ": " : "", j->why);
}

static void
upd_done(struct update *up, struct upd_job *j)
{
	upd_log(j);
	if (j->rcode != WIRE_RCODE_NOERROR || !j->res.changed) {
		j->answer(j, j->rcode);
		upd_job_free(j);
		return;
	}
	upd_changed(up, j->z, j->res.new_serial);
	/* nobody to answer, nobody to wait for, or no wait: now */
	if (j->ans == NULL || j->z->update_wait == 0 ||
	    upd_left(j, NULL, 0) == 0 || upd_wait(up, j) < 0) {
		j->answer(j, WIRE_RCODE_NOERROR);
		upd_job_free(j);
	}
}

/* On the loop: J is done. */
static void
upd_job_done(void *ctx, struct jobq_item *it)
{
	upd_done(ctx, (struct upd_job *)it);
}

static const struct jobq_ops upd_ops = { upd_run, upd_job_done };

/* ---- life ----------------------------------------------------------- */

int
update_new(struct event_base *base, const char *dbpath, struct store *st,
    update_changed_cb changed, void *arg, struct update **out)
{
	struct update *up;

	if ((up = calloc(1, sizeof(*up))) == NULL)
		return HP_ENOMEM;
	up->base = base;
	up->st = st;
	up->changed = changed;
	up->arg = arg;
	if (jobq_start(base, dbpath, UPD_BUSY_MS, UPD_MAX_QUEUED, &upd_ops,
	    up, &up->jq) < 0) {
		log_err("dynamic updates: cannot start: %s", strerror(errno));
		update_free(up);
		return HP_EAGAIN;
	}
	*out = up;
	return 0;
}

void
update_set_config(struct update *up, const struct conf *cfg)
{
	if (up == NULL)
		return;
	conf_unref(up->cfg);
	up->cfg = conf_ref(cfg);
}

void
update_free(struct update *up)
{
	struct jobq_item *l;
	struct upd_job *j;
	struct ucoal *c;

	if (up == NULL)
		return;
	if (up->jq != NULL) {
		l = jobq_close(up->jq);
		while ((j = (struct upd_job *)l) != NULL) {
			l = l->next;
			j->answer(j, WIRE_RCODE_SERVFAIL);
			upd_job_free(j);
		}
		/* what the thread finished: answered as it stands */
		l = jobq_join(up->jq);
		while ((j = (struct upd_job *)l) != NULL) {
			l = l->next;
			j->answer(j, j->rcode);
			upd_job_free(j);
		}
		jobq_free(up->jq);
	}
	/* committed: their clients (gone with the listeners) were owed a
	 * NOERROR; nothing is left to answer */
	while ((j = up->waiting) != NULL) {
		upd_unwait(j);
		j->answer(j, WIRE_RCODE_NOERROR);
		upd_job_free(j);
	}
	while ((c = up->coal) != NULL) {
		up->coal = c->next;
		event_free(c->timer);
		conf_seen_clear(&c->seen);
		free(c);
	}
	conf_unref(up->cfg);
	free(up);
}
