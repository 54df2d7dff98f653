/*
 * probe.c -- the SOA probes of the secondaries (see probe.h): what is
 * known of each zone x secondary (a psec) and the verdict on it; when to
 * probe it next; what transfers, NOTIFY outcomes and new serials change.
 * One probe at a time per psec: its I/O is probe_io.c.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "agent/daemon/daemon_int.h"
#include "agent/daemon/probe.h"
#include "agent/daemon/probe_int.h"
#include "agent/http/api.h"
#include "dns/addr.h"
#include "dns/dname.h"
#include "dns/err.h"
#include "dns/log.h"
#include "dns/serial.h"
#include "dns/tsig.h"
#include "notify/notify.h"
#include "store/store.h"

static const char *const pstate_names[] = {
	[PS_UNKNOWN] = "unknown", [PS_IN_SYNC] = "in-sync",
	[PS_BEHIND] = "behind", [PS_STALE] = "stale",
	[PS_UNREACHABLE] = "unreachable", [PS_REFUSED] = "refused",
};

/* ---- small helpers ------------------------------------------------- */

/* A's first LEN octets into *P (LEN: at most a sockaddr_in6). */
static socklen_t
paddr_set(union paddr *p, const struct sockaddr_storage *a, socklen_t len)
{
	memset(p, 0, sizeof(*p));
	if (len > sizeof(*p))
		len = 0;
	memcpy(p, a, len);
	return len;
}

static uint32_t
hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static const char *
clock_str(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "?");
	return buf;
}

static unsigned
bucket(const char *name)
{
	return hash_str(name) % PROBE_BUCKETS;
}

/* The shared copy of KEY (NULL: none), a reference taken. */
static struct pkey *
pkey_get(struct probe *pr, const struct tsig_key *key)
{
	struct pkey *k;

	if (key == NULL)
		return NULL;
	for (k = pr->keys; k != NULL; k = k->next)
		if (tsig_key_equal(&k->k, key)) {
			k->refs++;
			return k;
		}
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	k->k = *key;
	k->refs = 1;
	k->next = pr->keys;
	pr->keys = k;
	return k;
}

static void
pkey_put(struct probe *pr, struct pkey *key)
{
	struct pkey **kp;

	if (key == NULL || --key->refs > 0)
		return;
	for (kp = &pr->keys; *kp != NULL; kp = &(*kp)->next)
		if (*kp == key) {
			*kp = key->next;
			break;
		}
	tsig_key_clear(&key->k);
	free(key);
}

static struct pzone *
pzone_find(const struct probe *pr, const char *zone)
{
	struct pzone *pz;

	for (pz = pr->tab[bucket(zone)]; pz != NULL; pz = pz->next)
		if (strcmp(pz->name, zone) == 0)
			return pz;
	return NULL;
}

/* The secondary LABEL in the list PS. */
static struct psec *
psec_in(struct psec *ps, const char *label)
{
	for (; ps != NULL; ps = ps->next)
		if (strcmp(ps->label, label) == 0)
			return ps;
	return NULL;
}

static struct psec *
psec_find(const struct pzone *pz, const char *label)
{
	return pz != NULL ? psec_in(pz->secs, label) : NULL;
}

/* A random share of MS: 90 % to 110 %, so that probes spread out. */
static int
jitter(int ms)
{
	int j = ms / 10;

	return j > 0 ? ms - j + (int)arc4random_uniform((uint32_t)(2 * j + 1)) :
	    ms;
}

/* ---- the verdict ----------------------------------------------------- */

/* The verdict from what is known of PS: ps->state, and the reason into R
 * (RL octets). */
static void
psec_eval(struct psec *ps, char *r, size_t rl)
{
	uint32_t want = ps->pz->serial;
	char serves[176], t1[32], nerr[128];
	int xfr_done;

	nerr[0] = '\0';
	if (ps->has_nerr && serial_at_least(ps->nerr_serial, want))
		snprintf(nerr, sizeof(nerr), "NOTIFY of serial %u %s",
		    ps->nerr_serial, ps->nerr);
	if (ps->last == PL_SERIAL && serial_at_least(ps->serial, want)) {
		ps->state = PS_IN_SYNC;
		if (ps->serial != want)
			snprintf(r, rl, "serves %u, newer than the published "
			    "%u", ps->serial, want);
		else
			r[0] = '\0';
		return;
	}
	switch (ps->last) {
	case PL_NONE:
		ps->state = nerr[0] != '\0' && ps->nerr_refused ? PS_REFUSED :
		    PS_UNKNOWN;
		snprintf(r, rl, "%s", nerr[0] != '\0' ? nerr :
		    "not probed yet");
		return;
	case PL_NOANSWER:
		ps->state = PS_UNREACHABLE;
		snprintf(r, rl, "%s%s%s", ps->last_why, nerr[0] ? "; " : "",
		    nerr);
		return;
	case PL_REFUSED:
		ps->state = PS_REFUSED;
		snprintf(r, rl, "%s%s%s", ps->last_why, nerr[0] ? "; " : "",
		    nerr);
		return;
	default:
		break;
	}
	/* It answers, without the serial: behind, or worse. */
	if (ps->last == PL_SERIAL)
		snprintf(serves, sizeof(serves), "serves %u", ps->serial);
	else
		snprintf(serves, sizeof(serves), "serves no such zone (%s)",
		    ps->last_why);
	xfr_done = ps->has_xfr && serial_at_least(ps->xfr_serial, want);
	if (xfr_done && log_clock() >= ps->xfr_first_mono +
	    ps->sync_timeout) {
		ps->state = PS_STALE;
		snprintf(r, rl, "transferred but not serving: %s of serial %u, "
		    "%llu bytes at %s; after %d s it still %.100s", ps->xfr_kind,
		    ps->xfr_serial, (unsigned long long)ps->xfr_bytes,
		    clock_str(ps->xfr_first, t1, sizeof(t1)),
		    ps->sync_timeout, serves);
		return;
	}
	if (nerr[0] != '\0' && ps->nerr_refused) {
		ps->state = PS_REFUSED;
		snprintf(r, rl, "%.100s; %.150s", nerr, serves);
		return;
	}
	ps->state = PS_BEHIND;
	if (xfr_done)
		snprintf(r, rl, "%s; %s of serial %u done at %s, not served "
		    "yet", serves, ps->xfr_kind, ps->xfr_serial,
		    clock_str(ps->xfr_time, t1, sizeof(t1)));
	else if (nerr[0] != '\0')
		snprintf(r, rl, "%.150s; %.100s", serves, nerr);
	else if (ps->chasing)
		snprintf(r, rl, "%s; NOTIFY of serial %u acknowledged, "
		    "transfer awaited", serves, want);
	else
		snprintf(r, rl, "%s; serial %u published", serves, want);
}

/* Queue the verdict (REASON) for the ledger when it changed, or a probe
 * ended (PROBED) and the last write is a second old. */
static void
psec_write(struct psec *ps, const char *reason, int probed)
{
	struct store_sec_record rec;
	double now = log_clock();
	uint32_t rh = hash_str(reason);

	/* a deleted zone's rows go with it */
	if (ps->pz->retiring)
		return;
	if (ps->state == ps->w_state && rh == ps->w_reason &&
	    ps->has_serial == ps->w_has_serial &&
	    (!ps->has_serial || ps->serial == ps->w_serial) &&
	    (!probed || now < ps->w_mono + 1))
		return;
	memset(&rec, 0, sizeof(rec));
	rec.event = STORE_SEC_PROBE;
	rec.zone_id = ps->pz->id;
	snprintf(rec.target, sizeof(rec.target), "%s", ps->label);
	rec.when = probed ? ps->probed : 0;
	rec.has_serial = ps->has_serial;
	rec.serial = ps->serial;
	rec.since = ps->since;
	snprintf(rec.state, sizeof(rec.state), "%s", pstate_names[ps->state]);
	snprintf(rec.reason, sizeof(rec.reason), "%s", reason);
	ledger_add(ps->pr->l, &rec);
	/* a new verdict (in sync, stale, ...): `hpagent wait` and `status`
	 * see it within milliseconds, not at the next tick */
	if (ps->state != ps->w_state)
		ledger_soon(ps->pr->l);
	/* In sync again: notice; behind (a publish): info; the rest is
	 * trouble. */
	if (ps->state != ps->w_state) {
		if (ps->state == PS_IN_SYNC)
			log_notice("zone %s: secondary %s serves serial %u: in "
			    "sync", ps->pz->name, ps->label, ps->serial);
		else
			log_msg(ps->state == PS_BEHIND ||
			    ps->state == PS_UNKNOWN ? LOG_INFO : LOG_WARNING,
			    "zone %s: secondary %s %s: %s", ps->pz->name,
			    ps->label, pstate_names[ps->state], reason);
	}
	ps->w_state = ps->state;
	ps->w_reason = rh;
	ps->w_has_serial = ps->has_serial;
	ps->w_serial = ps->serial;
	ps->w_mono = now;
}

/* Verdict, ledger, and the daemon told of a confirmation. */
static void
psec_update(struct psec *ps, int probed)
{
	char reason[PROBE_REASON_MAX];

	psec_eval(ps, reason, sizeof(reason));
	psec_write(ps, reason, probed);
	if (ps->state != PS_IN_SYNC)
		return;
	ps->chasing = 0;
	ps->has_nerr = 0;
	if (ps->told && ps->told_serial == ps->serial)
		return;
	ps->told = 1;
	ps->told_serial = ps->serial;
	if (ps->pr->cb.confirmed != NULL)
		ps->pr->cb.confirmed(ps->pr->arg, ps->pz->name, ps->label,
		    ps->serial);
}

/* Fast probes from now until the serial shows, or until DEADLINE
 * (monotonic seconds), the first in FIRST_MS. */
static void
psec_chase(struct psec *ps, double deadline, int first_ms)
{
	if (ps->state == PS_IN_SYNC && ps->last == PL_SERIAL &&
	    serial_at_least(ps->serial, ps->pz->serial))
		return;
	if (!ps->chasing || deadline > ps->chase_end)
		ps->chase_end = deadline;
	ps->chasing = 1;
	ps->delay_ms = first_ms;
	if (!ps->busy)
		psec_schedule(ps, first_ms);
}

/* After a probe ended: the next one. A periodic probe that finds the
 * secondary behind sends it a NOTIFY (one that ends a chase does not:
 * the next periodic one will, so that a secondary which cannot load the
 * zone is not made to transfer it over and over). */
static void
psec_next(struct psec *ps)
{
	int ms, f, chased = ps->chasing;

	if (ps->pz->retiring) {
		ps->chasing = 0;
		psec_schedule(ps, PROBE_RETIRE_MS);
		return;
	}
	if (ps->chasing && ps->state != PS_IN_SYNC) {
		if (log_clock() < ps->chase_end) {
			/* 5, 7, 10, 15, 22 ... ms: a secondary loading a
			 * small change is seen within a few ms of it */
			ps->delay_ms += ps->delay_ms / 2 > 0 ? ps->delay_ms / 2 : 1;
			if (ps->delay_ms > PROBE_CHASE_MAX_MS)
				ps->delay_ms = PROBE_CHASE_MAX_MS;
			psec_schedule(ps, ps->delay_ms);
			return;
		}
		/* sync-timeout passed: the verdict may be "stale" now */
		ps->chasing = 0;
		psec_update(ps, 0);
	}
	ps->chasing = 0;
	if (!chased && (ps->state == PS_BEHIND || ps->state == PS_STALE) &&
	    !ps->notify_busy && ps->pr->cb.behind != NULL) {
		log_info("zone %s: secondary %s is behind: NOTIFY",
		    ps->pz->name, ps->label);
		ps->pr->cb.behind(ps->pr->arg, ps->pz->name, ps->pz->id,
		    ps->label);
	}
	if (ps->interval <= 0)
		return;
	ms = ps->interval * 1000;
	if (ps->last == PL_NOANSWER && ps->fails > 1) {
		f = ps->fails - 1 > 4 ? PROBE_BACKOFF_MAX : 1 << (ps->fails - 1);
		ms = ps->interval * f > 86400 ? 86400 * 1000 : ms * f;
	}
	psec_schedule(ps, jitter(ms));
}

/* ---- the end of a probe ---------------------------------------------- */

/* The probe ended with LAST (RCODE: the answer's; SERIAL for PL_SERIAL;
 * WHY in words). */
void
psec_done(struct psec *ps, enum plast last, uint32_t serial, const char *why)
{
	psec_release(ps);
	ps->probed = (int64_t)time(NULL);
	ps->last = last;
	snprintf(ps->last_why, sizeof(ps->last_why), "%s", why);
	switch (last) {
	case PL_SERIAL:
		if (!ps->has_serial || ps->serial != serial)
			ps->since = ps->probed;
		ps->has_serial = 1;
		ps->serial = serial;
		ps->fails = 0;
		break;
	case PL_NOZONE:
	case PL_REFUSED:
		ps->has_serial = 0;
		ps->fails = 0;
		break;
	case PL_NOANSWER:
		/* What it showed last still stands. */
		ps->fails++;
		hp_metrics.probe_failures++;
		break;
	case PL_NONE:
		break;
	}
	log_debug("zone %s: probe of %s: %s", ps->pz->name, ps->label,
	    last == PL_SERIAL ? "answered" : why);
	psec_update(ps, 1);
	psec_next(ps);
}

/* ---- the zones and their secondaries --------------------------------- */

static void
psec_free(struct psec *ps)
{
	psec_release(ps);
	psec_unqueue(ps);
	event_free(ps->ev);
	pkey_put(ps->pr, ps->key);
	ps->pr->nsecs--;
	free(ps);
}

static struct psec *
psec_new(struct probe *pr, struct pzone *pz)
{
	struct psec *ps;

	if ((ps = calloc(1, sizeof(*ps))) == NULL)
		return NULL;
	ps->pr = pr;
	ps->pz = pz;
	ps->w_state = PS_UNKNOWN;
	if ((ps->ev = evtimer_new(pr->base, psec_timer, ps)) == NULL) {
		free(ps);
		return NULL;
	}
	pr->nsecs++;
	return ps;
}

/* T's settings into PS (its key shared, a reference taken). 0 or
 * HP_ENOMEM. */
static int
psec_set(struct psec *ps, const struct notify_target *t, int sync_timeout,
    int interval)
{
	union paddr a, src;
	socklen_t al = paddr_set(&a, &t->addr, t->addrlen);
	socklen_t sl = paddr_set(&src, &t->src, t->srclen);
	struct pkey *k = pkey_get(ps->pr, t->key);

	if (t->key != NULL && k == NULL)
		return HP_ENOMEM;
	if (ps->busy && (!addr_equal(&ps->addr, ps->addrlen, &a, al) ||
	    !addr_equal(&ps->src, ps->srclen, &src, sl) || k != ps->key)) {
		/* the probe in flight asked the old way: ask again */
		psec_release(ps);
		psec_schedule(ps, 100);
	}
	ps->addr = a;
	ps->addrlen = al;
	ps->src = src;
	ps->srclen = sl;
	pkey_put(ps->pr, ps->key);
	ps->key = k;
	snprintf(ps->label, sizeof(ps->label), "%.*s",
	    (int)sizeof(ps->label) - 1, t->label);
	ps->sync_timeout = sync_timeout;
	ps->interval = interval;
	return 0;
}

static void
pzone_free(struct pzone *pz)
{
	struct psec *ps;

	while ((ps = pz->secs) != NULL) {
		pz->secs = ps->next;
		psec_free(ps);
	}
	free(pz->name);
	free(pz->zw);
	free(pz);
}

static struct pzone *
pzone_get(struct probe *pr, const char *zone)
{
	struct pzone *pz = pzone_find(pr, zone);
	uint8_t zw[DNAME_MAXLEN];
	size_t len;
	unsigned b;

	if (pz != NULL)
		return pz;
	if (dname_from_str(zone, zw, &len) < 0 ||
	    (pz = calloc(1, sizeof(*pz))) == NULL)
		return NULL;
	if ((pz->name = strdup(zone)) == NULL ||
	    (pz->zw = malloc(len)) == NULL) {
		pzone_free(pz);
		return NULL;
	}
	memcpy(pz->zw, zw, len);
	b = bucket(zone);
	pz->next = pr->tab[b];
	pr->tab[b] = pz;
	return pz;
}

int
probe_zone(struct probe *pr, const char *zone, int64_t zone_id,
    uint32_t serial, const struct notify_target *t, int nt,
    int sync_timeout, int interval)
{
	struct psec *ps, **pp, *keep = NULL, **tail = &keep;
	struct pzone *pz;
	int i, first, moved, spread, r = 0;

	if (pr == NULL)
		return 0;
	if ((pz = pzone_get(pr, zone)) == NULL)
		return HP_ENOMEM;
	moved = pz->id != 0 && (pz->serial != serial || pz->id != zone_id);
	pz->seen = 1;
	pz->id = zone_id;
	pz->serial = serial;
	for (i = 0; i < nt; i++) {
		/* the entries of T in its order, each label once */
		for (pp = &pz->secs; *pp != NULL; pp = &(*pp)->next)
			if (strcmp((*pp)->label, t[i].label) == 0)
				break;
		first = 0;
		if ((ps = *pp) != NULL)
			*pp = ps->next;
		else if (psec_in(keep, t[i].label) == NULL) {
			if ((ps = psec_new(pr, pz)) == NULL)
				return HP_ENOMEM;
			first = 1;
		} else
			continue;
		r = psec_set(ps, &t[i], sync_timeout, interval);
		ps->next = NULL;
		*tail = ps;
		tail = &ps->next;
		if (r < 0)
			break;
		if (first) {
			/* spread the first probes of many secondaries */
			spread = 1000 + pr->nsecs * 5;
			if (interval > 0 && spread > interval * 1000)
				spread = interval * 1000;
			psec_schedule(ps, 100 + (int)arc4random_uniform(
			    (uint32_t)spread));
		}
	}
	while ((ps = pz->secs) != NULL) {
		pz->secs = ps->next;
		if (r == 0)
			log_info("zone %s: %s is no longer a notify: target",
			    pz->name, ps->label);
		psec_free(ps);
	}
	pz->secs = keep;
	if (moved)
		for (ps = pz->secs; ps != NULL; ps = ps->next) {
			ps->told = 0;
			psec_update(ps, 0);
		}
	return r;
}

int
probe_retire(struct probe *pr, const char *zone)
{
	struct pzone *pz;
	struct psec *ps;
	int n = 0;

	if (pr == NULL || (pz = pzone_find(pr, zone)) == NULL)
		return 0;
	pz->retiring = 1;
	for (ps = pz->secs; ps != NULL; ps = ps->next) {
		/* only answers from now count */
		ps->last = PL_NONE;
		ps->chasing = 0;
		if (!ps->busy)
			psec_schedule(ps, 10 + (int)arc4random_uniform(
			    PROBE_RETIRE_MS));
		n++;
	}
	return n;
}

int
probe_dropped(struct probe *pr, const char *zone, char *why, size_t len)
{
	struct pzone *pz;
	struct psec *ps;

	if (pr == NULL || (pz = pzone_find(pr, zone)) == NULL)
		return 1;
	for (ps = pz->secs; ps != NULL; ps = ps->next)
		if (ps->last != PL_NOZONE && ps->last != PL_REFUSED) {
			if (ps->last == PL_SERIAL)
				snprintf(why, len, "%s still serves serial %u",
				    ps->label, ps->serial);
			else if (ps->last == PL_NOANSWER)
				snprintf(why, len, "%s does not answer (%s)",
				    ps->label, ps->last_why);
			else
				snprintf(why, len, "%s not probed yet",
				    ps->label);
			return 0;
		}
	return 1;
}

void
probe_mark(struct probe *pr)
{
	struct pzone *pz;
	int b;

	if (pr == NULL)
		return;
	for (b = 0; b < PROBE_BUCKETS; b++)
		for (pz = pr->tab[b]; pz != NULL; pz = pz->next)
			pz->seen = 0;
}

void
probe_sweep(struct probe *pr)
{
	struct pzone **pp, *pz;
	int b;

	if (pr == NULL)
		return;
	for (b = 0; b < PROBE_BUCKETS; b++)
		for (pp = &pr->tab[b]; (pz = *pp) != NULL;) {
			if (pz->seen) {
				pp = &pz->next;
				continue;
			}
			*pp = pz->next;
			pzone_free(pz);
		}
}

/* ---- what the daemon tells ------------------------------------------- */

void
probe_notify_report(struct probe *pr, const struct notify_report *r)
{
	struct psec *ps;
	char why[96];

	if (pr == NULL ||
	    (ps = psec_find(pzone_find(pr, r->zone), r->target->label)) ==
	    NULL)
		return;
	switch (r->ev) {
	case NOTIFY_SENT:
		ps->notify_busy = 1;
		return;
	case NOTIFY_ACKED:
		ps->notify_busy = 0;
		if (ps->has_nerr && ps->nerr_serial == r->serial)
			ps->has_nerr = 0;
		if (serial_at_least(r->serial, ps->pz->serial))
			psec_chase(ps, log_clock() + ps->sync_timeout,
			    PROBE_CHASE_NOTIFY_MS);
		return;
	case NOTIFY_FAILED:
		ps->notify_busy = 0;
		ps->has_nerr = 1;
		ps->nerr_refused = r->rcode > 0 || r->err != HP_EAGAIN;
		ps->nerr_serial = r->serial;
		snprintf(ps->nerr, sizeof(ps->nerr), "%s",
		    notify_report_str(r, why, sizeof(why)));
		psec_update(ps, 0);
		return;
	}
}

/*
 * The notify: entry of PZ a transfer to PEER with KEY went to: the entry
 * of PEER's address (among several, the one with KEY); else, from an
 * address no entry has, the only entry with KEY. NULL when none or
 * several (*N: how many candidates).
 */
static struct psec *
probe_match(struct pzone *pz, const struct sockaddr *peer,
    const struct tsig_key *key, int *n)
{
	struct psec *ps, *hit = NULL, *keyed = NULL;
	int nhost = 0, nkeyed = 0, nboth = 0;

	for (ps = pz->secs; ps != NULL; ps = ps->next) {
		int k = key == NULL ? ps->key == NULL :
		    ps->key != NULL && tsig_key_equal(key, &ps->key->k);

		if (addr_same_host(peer, &ps->addr.sa)) {
			nhost++;
			if (k) {
				nboth++;
				hit = ps;
			} else if (nboth == 0)
				hit = ps;
		}
		if (k && key != NULL) {
			nkeyed++;
			keyed = ps;
		}
	}
	if (nhost == 1 || nboth == 1) {
		*n = 1;
		return hit;
	}
	if (nhost > 1) {
		*n = nboth > 0 ? nboth : nhost;
		return NULL;
	}
	*n = nkeyed;
	return nkeyed == 1 ? keyed : NULL;
}

void
probe_xfr(struct probe *pr, const char *zone, const struct sockaddr *peer,
    const struct tsig_key *key, uint32_t serial, const char *kind,
    uint64_t bytes)
{
	struct store_sec_record rec;
	struct pzone *pz;
	struct psec *ps;
	char ab[ADDR_STRLEN], kn[DNAME_MAXSTR];
	int n = 0;

	if (pr == NULL || (pz = pzone_find(pr, zone)) == NULL)
		return;
	addr_ntop(peer, ab, sizeof(ab));
	if (key == NULL || dname_to_str(key->name, kn, sizeof(kn)) < 0)
		snprintf(kn, sizeof(kn), "none");
	if ((ps = probe_match(pz, peer, key, &n)) == NULL) {
		if (n == 0)
			log_info("zone %s: %s of serial %u to %s (key %s): no "
			    "notify: entry names it; not listed", zone, kind,
			    serial, ab, kn);
		else
			log_notice("zone %s: %s of serial %u to %s (key %s): "
			    "%d notify: entries could be it; recorded for "
			    "none", zone, kind, serial, ab, kn, n);
		return;
	}
	if (!ps->has_xfr || ps->xfr_serial != serial) {
		ps->xfr_first = (int64_t)time(NULL);
		ps->xfr_first_mono = log_clock();
	}
	ps->has_xfr = 1;
	ps->xfr_serial = serial;
	ps->xfr_time = (int64_t)time(NULL);
	ps->xfr_bytes = bytes;
	snprintf(ps->xfr_kind, sizeof(ps->xfr_kind), "%s", kind);
	memset(&rec, 0, sizeof(rec));
	rec.event = STORE_SEC_XFR;
	rec.zone_id = pz->id;
	snprintf(rec.target, sizeof(rec.target), "%s", ps->label);
	rec.when = ps->xfr_time;
	rec.serial = serial;
	rec.first = ps->xfr_first;
	rec.bytes = bytes;
	snprintf(rec.kind, sizeof(rec.kind), "%s", kind);
	ledger_add(pr->l, &rec);
	if (!addr_same_host(peer, &ps->addr.sa))
		log_info("zone %s: %s to %s counted for %s (its key %s)", zone,
		    kind, ab, ps->label, kn);
	if (serial_at_least(serial, pz->serial))
		psec_chase(ps, ps->xfr_first_mono + ps->sync_timeout,
		    PROBE_CHASE_FIRST_MS);
}

/* ---- life ------------------------------------------------------------ */

int
probe_new(struct event_base *base, struct ledger *l,
    const struct probe_cbs *cbs, void *arg, struct probe **out)
{
	struct probe *pr;

	if ((pr = calloc(1, sizeof(*pr))) == NULL)
		return HP_ENOMEM;
	pr->base = base;
	pr->done = psec_done;
	pr->l = l;
	if (cbs != NULL)
		pr->cb = *cbs;
	pr->arg = arg;
	pr->waitq_tail = &pr->waitq;
	if ((pr->kick = event_new(base, -1, 0, probe_kick, pr)) == NULL) {
		free(pr);
		return HP_ENOMEM;
	}
	*out = pr;
	return 0;
}

void
probe_free(struct probe *pr)
{
	struct pzone *pz;
	int b;

	if (pr == NULL)
		return;
	for (b = 0; b < PROBE_BUCKETS; b++)
		while ((pz = pr->tab[b]) != NULL) {
			pr->tab[b] = pz->next;
			pzone_free(pz);
		}
	probe_socks_free(pr);
	event_free(pr->kick);
	/* every zone x secondary gave its key back */
	free(pr);
}
