/*
 * notify.c -- the daemon's NOTIFY glue: a zone's notify: targets (resolved
 * by the configuration) handed to the NOTIFY engine (notify/notify.h) with
 * the zone's current SOA; the engine's reports written to the secondaries
 * ledger and the counters; `hpagent notify`.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "agent/conf/conf.h"
#include "agent/daemon/daemon.h"
#include "agent/daemon/daemon_int.h"
#include "agent/daemon/probe.h"
#include "agent/http/api.h"
#include "dns/dname.h"
#include "dns/err.h"
#include "dns/log.h"
#include "notify/notify.h"
#include "store/store.h"

/* The source for NOTIFYs to FAMILY when no outgoing-interface: says: the
 * first listening address of that family that is not a wildcard. */
static void
notify_source(const struct daemon *d, int family,
    struct sockaddr_storage *src, socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)src;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)src;
	int i;

	for (i = 0; i < d->nlsn; i++) {
		if (d->lsn[i].ss_family != family)
			continue;
		memcpy(src, &d->lsn[i], d->lsnlen[i]);
		if (family == AF_INET) {
			if (s4->sin_addr.s_addr == htonl(INADDR_ANY))
				continue;
			s4->sin_port = 0;
		} else {
			if (IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr))
				continue;
			s6->sin6_port = 0;
		}
		*len = d->lsnlen[i];
		return;
	}
	memset(src, 0, sizeof(*src));
	*len = 0;
}

int
daemon_targets(const struct daemon *d, const struct conf_zone *z,
    struct notify_target **out)
{
	const struct conf_target *c;
	struct notify_target *t;
	int i, n = 0;

	if ((*out = t = calloc((size_t)z->ntargets + 1, sizeof(*t))) == NULL)
		return HP_ENOMEM;
	for (i = 0; i < z->ntargets; i++) {
		c = &z->targets[i];
		if (c->key != NULL && !c->key->usable)
			continue;
		memcpy(&t[n].addr, &c->addr, c->addrlen);
		t[n].addrlen = c->addrlen;
		if (c->srclen > 0) {
			memcpy(&t[n].src, &c->src, c->srclen);
			t[n].srclen = c->srclen;
		} else
			notify_source(d, c->addr.ss_family, &t[n].src,
			    &t[n].srclen);
		t[n].key = c->key != NULL ? &c->key->tsig : NULL;
		snprintf(t[n].label, sizeof(t[n].label), "%s", c->label);
		n++;
	}
	return n;
}

int
daemon_notify_zone(struct daemon *d, const struct conf_zone *z, int64_t id,
    const char *label)
{
	struct notify_target *t;
	struct store_soa soa;
	uint8_t zw[DNAME_MAXLEN];
	int i, n, r;

	if (z->ntargets == 0)
		return 0;
	if ((r = store_zone_soa(d->st, id, &soa)) < 0)
		return r;
	if (dname_from_str(z->name, zw, NULL) < 0)
		return HP_EINVAL;
	if ((n = daemon_targets(d, z, &t)) < 0)
		return n;
	for (i = 0; label != NULL && i < n; i++)
		if (strcmp(t[i].label, label) == 0)
			break;
	if (label == NULL)
		r = notify_zone(d->nt, zw, id, soa.ttl, soa.rdata, soa.rdlen, t,
		    n, z->notify_retry);
	else if (i < n)
		r = notify_zone(d->nt, zw, id, soa.ttl, soa.rdata, soa.rdlen,
		    &t[i], 1, z->notify_retry);
	free(t);
	return r;
}

/* A ledger record of a NOTIFY outcome. */
static void
notify_ledger(struct daemon *d, const struct notify_report *r,
    enum store_sec_event ev, const char *why)
{
	struct store_sec_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.event = ev;
	rec.zone_id = r->tag;
	snprintf(rec.target, sizeof(rec.target), "%s", r->target->label);
	rec.serial = r->serial;
	snprintf(rec.reason, sizeof(rec.reason), "%s", why);
	ledger_add(d->ledger, &rec);
}

static void
notify_report(void *arg, const struct notify_report *r)
{
	struct daemon *d = arg;
	char why[96];

	notify_report_str(r, why, sizeof(why));
	switch (r->ev) {
	case NOTIFY_SENT:
		log_info("NOTIFY %s serial %u to %s sent", r->zone, r->serial,
		    r->target->label);
		notify_ledger(d, r, STORE_SEC_NOTIFY_SENT, "");
		hp_metrics.notify_sent++;
		break;
	case NOTIFY_ACKED:
		hp_metrics.notify_acked++;
		notify_ledger(d, r, STORE_SEC_NOTIFY_ACKED, "");
		if (d->cli)
			printf("%s %s serial %u: acknowledged (%d %s)\n",
			    r->zone, r->target->label, r->serial, r->tries,
			    r->tries == 1 ? "try" : "tries");
		break;
	case NOTIFY_FAILED:
		hp_metrics.notify_failed++;
		notify_ledger(d, r, STORE_SEC_NOTIFY_FAILED, why);
		d->cli_failed++;
		if (d->cli)
			printf("%s %s serial %u: failed: %s\n", r->zone,
			    r->target->label, r->serial, why);
		break;
	}
	probe_notify_report(d->pr, r);
	if (d->cli && notify_pending(d->nt) == 0)
		event_base_loopbreak(d->base);
}

int
daemon_notify_start(struct daemon *d)
{
	d->nt = notify_new(d->base, NULL, notify_report, d);
	return d->nt == NULL ? HP_ENOMEM : 0;
}

/* ---- hpagent notify ---------------------------------------------------- */

int
daemon_notify(const struct conf *cfg, int verbose, char *const *zones,
    int nzones)
{
	struct daemon d;
	struct store_zone_info zi;
	const struct conf_zone *z;
	char err[512];
	int i, r, rc = 1;

	memset(&d, 0, sizeof(d));
	d.cli = 1;
	d.cfg = cfg;
	d.lsn = cfg->listen;
	d.lsnlen = cfg->listen_len;
	d.nlsn = cfg->nlisten;
	log_open("hpagent", cfg->verbosity - 1 + verbose, NULL);
	if ((r = store_open(cfg->database, STORE_CREATE, &d.st, err,
	    sizeof(err))) < 0) {
		fprintf(stderr, "hpagent: %s\n", err);
		goto out;
	}
	if (ledger_open(cfg->database, &d.ledger) < 0 ||
	    (d.base = event_base_new()) == NULL || daemon_notify_start(&d) < 0)
		goto out;
	for (i = 0; i < nzones; i++) {
		if ((z = conf_find_zone(cfg, zones[i])) == NULL) {
			fprintf(stderr, "hpagent: notify: %s: no such zone in "
			    "%s\n", zones[i], cfg->path);
			goto out;
		}
		if ((r = store_zone_info(d.st, z->name, &zi)) < 0) {
			fprintf(stderr, "hpagent: notify: %s: %s\n", z->name,
			    r == HP_ENOENT ? "not imported yet" :
			    hp_strerror(r));
			goto out;
		}
		if (z->ntargets == 0)
			printf("%s: no notify: targets\n", z->name);
		if ((r = daemon_notify_zone(&d, z, zi.id, NULL)) < 0) {
			fprintf(stderr, "hpagent: notify: %s: %s\n", z->name,
			    hp_strerror(r));
			goto out;
		}
	}
	if (notify_pending(d.nt) > 0)
		event_base_dispatch(d.base);
	/* The database may be busy: try the ledger writes for a while. */
	for (i = 0; i < 50 && ledger_flush(d.ledger); i++)
		usleep(100000);
	rc = d.cli_failed ? 1 : 0;
out:
	ledger_close(d.ledger);
	notify_free(d.nt);
	if (d.base != NULL)
		event_base_free(d.base);
	store_close(d.st);
	log_close();
	return rc;
}
