/*
 * metrics.c -- GET /metrics: the Prometheus text exposition of the store
 * (zones, serials, versions, secondaries; store/stats.c and the ledger)
 * and of the daemon's counters (hp_metrics).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "build.h"
#include "agent/conf/conf.h"
#include "agent/http/api_int.h"
#include "dns/err.h"
#include "dns/pkt.h"
#include "dns/wire.h"
#include "store/store.h"

struct hp_metrics hp_metrics;

/* One family of per-zone or per-secondary samples at a time: the
 * exposition format wants a family's samples together, after its HELP
 * and TYPE. */
enum zone_family { ZF_SERIAL, ZF_VERSIONS, ZF_HELD, ZF_BROKEN };
enum sec_family { SF_SERIAL, SF_IN_SYNC, SF_LAG, SF_PROBED, SF_STATE };

struct metrics_walk {
	struct evbuffer *b;
	const struct conf *cfg;
	int family;
};

static void
family(struct evbuffer *b, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

static void
counter(struct evbuffer *b, const char *name, const char *help, uint64_t v)
{
	family(b, name, "counter", help);
	evbuffer_add_printf(b, "%s %llu\n", name, (unsigned long long)v);
}

static int
zone_line(const struct store_zone_stat *z, void *arg)
{
	const struct metrics_walk *w = arg;

	switch (w->family) {
	case ZF_SERIAL:
		evbuffer_add_printf(w->b, "hpagent_zone_serial{zone=\"%s\"} "
		    "%lld\n", z->zone, (long long)z->serial);
		break;
	case ZF_VERSIONS:
		evbuffer_add_printf(w->b, "hpagent_zone_versions{zone=\"%s\"} "
		    "%lld\n", z->zone, (long long)z->versions);
		break;
	case ZF_HELD:
		evbuffer_add_printf(w->b, "hpagent_zone_held{zone=\"%s\"} %d\n",
		    z->zone, z->held);
		break;
	default:
		evbuffer_add_printf(w->b, "hpagent_zone_broken{zone=\"%s\"} "
		    "%d\n", z->zone, z->broken);
		break;
	}
	return 0;
}

static int
source_line(const char *source, uint64_t n, void *arg)
{
	evbuffer_add_printf(arg, "hpagent_versions_published_total"
	    "{source=\"%s\"} %lld\n", source, (long long)n);
	return 0;
}

static const char *const sec_states[] = { "in-sync", "behind", "stale",
    "unreachable", "refused", "unknown", NULL };

/* The samples of one family for one secondary that is a notify: target
 * of a zone of the configuration (rows of former targets are left out);
 * all of them come from the SOA probes' ledger (confirmed sync). */
static int
secondary_line(const struct store_secondary *s, void *arg)
{
	const struct metrics_walk *w = arg;
	const struct conf_zone *z = conf_find_zone(w->cfg, s->zone);
	int i, in_sync = store_sec_has(s, s->zone_serial);
	const char *l = "hpagent_secondary";

	for (i = 0; z != NULL && i < z->ntargets; i++)
		if (strcmp(z->targets[i].label, s->target) == 0)
			break;
	if (z == NULL || i == z->ntargets)
		return 0;
	switch (w->family) {
	case SF_SERIAL:
		if (s->serial != STORE_NONE)
			evbuffer_add_printf(w->b, "%s_serial{zone=\"%s\","
			    "secondary=\"%s\"} %lld\n", l, s->zone, s->target,
			    (long long)s->serial);
		break;
	case SF_IN_SYNC:
		evbuffer_add_printf(w->b, "%s_in_sync{zone=\"%s\",secondary="
		    "\"%s\"} %d\n", l, s->zone, s->target, in_sync);
		break;
	case SF_LAG:
		evbuffer_add_printf(w->b, "%s_lag_seconds{zone=\"%s\","
		    "secondary=\"%s\"} %lld\n", l, s->zone, s->target,
		    in_sync ? 0LL : (long long)((int64_t)time(NULL) -
		    s->zone_updated));
		break;
	case SF_PROBED:
		if (s->probed != STORE_NONE)
			evbuffer_add_printf(w->b, "%s_last_probe_timestamp_"
			    "seconds{zone=\"%s\",secondary=\"%s\"} %lld\n", l,
			    s->zone, s->target, (long long)s->probed);
		break;
	default:
		for (i = 0; sec_states[i] != NULL; i++)
			evbuffer_add_printf(w->b, "%s_state{zone=\"%s\","
			    "secondary=\"%s\",state=\"%s\"} %d\n", l, s->zone,
			    s->target, sec_states[i],
			    strcmp(s->state, sec_states[i]) == 0);
		break;
	}
	return 0;
}

static const struct {
	const char *name, *help;
} zone_families[] = {
	[ZF_SERIAL] = { "hpagent_zone_serial", "Published serial." },
	[ZF_VERSIONS] = { "hpagent_zone_versions", "Versions stored." },
	[ZF_HELD] = { "hpagent_zone_held", "1 while direct edits that do "
	    "not validate hold the zone at its version." },
	[ZF_BROKEN] = { "hpagent_zone_broken", "1 while the zone's version "
	    "holds a record no transfer may send (SERVFAIL)." },
}, sec_families[] = {
	[SF_SERIAL] = { "hpagent_secondary_serial", "Serial a secondary "
	    "serves, as its own SOA answer showed." },
	[SF_IN_SYNC] = { "hpagent_secondary_in_sync", "1 when the secondary "
	    "serves the published serial (or newer), as its SOA answer "
	    "showed." },
	[SF_LAG] = { "hpagent_secondary_lag_seconds", "Seconds since the "
	    "zone changed while the secondary is not seen serving it (0: in "
	    "sync)." },
	[SF_PROBED] = { "hpagent_secondary_last_probe_timestamp_seconds",
	    "When the secondary was last probed (unix time)." },
	[SF_STATE] = { "hpagent_secondary_state", "The secondary's state "
	    "(1 for the current one)." },
};

int
api_metrics(void *arg, struct evbuffer *b)
{
	struct api *api = arg;
	struct metrics_walk w = { b, api->cfg, 0 };
	uint64_t n;
	size_t i;

	family(b, "hpagent_build_info", "gauge", "The running hpagent's "
	    "version (1).");
	evbuffer_add_printf(b, "hpagent_build_info{version=\"%s\"} 1\n",
	    HP_VERSION);
	family(b, "hpagent_zones", "gauge", "Zones in the store.");
	if (store_stat_zone_count(api->st, &n) == 0)
		evbuffer_add_printf(b, "hpagent_zones %llu\n",
		    (unsigned long long)n);
	for (i = 0; i < sizeof(zone_families) / sizeof(zone_families[0]);
	    i++) {
		family(b, zone_families[i].name, "gauge", zone_families[i].help);
		w.family = (int)i;
		(void)store_stat_zones(api->st, zone_line, &w);
	}
	family(b, "hpagent_versions_published_total", "counter", "Versions "
	    "published, by source (pruned and deleted ones included).");
	(void)store_stat_sources(api->st, source_line, b);
	counter(b, "hpagent_api_publishes_total", "Versions published by this "
	    "daemon's API.", hp_metrics.publishes);
	counter(b, "hpagent_api_publish_failures_total", "API publishes that "
	    "failed (nothing changed).", hp_metrics.publish_failures);
	counter(b, "hpagent_notify_sent_total", "NOTIFYs sent.",
	    hp_metrics.notify_sent);
	counter(b, "hpagent_notify_acked_total", "NOTIFYs acknowledged.",
	    hp_metrics.notify_acked);
	counter(b, "hpagent_notify_failed_total", "NOTIFYs that failed.",
	    hp_metrics.notify_failed);
	family(b, "hpagent_transfers_total", "counter", "Transfers served in "
	    "full.");
	evbuffer_add_printf(b, "hpagent_transfers_total{type=\"AXFR\"} %llu\n"
	    "hpagent_transfers_total{type=\"IXFR\"} %llu\n",
	    (unsigned long long)hp_metrics.xfr_axfr,
	    (unsigned long long)hp_metrics.xfr_ixfr);
	counter(b, "hpagent_transfer_bytes_total", "Octets of transfer "
	    "messages sent.", hp_metrics.xfr_bytes);
	family(b, "hpagent_updates_total", "counter", "Dynamic updates (RFC "
	    "2136) answered, by RCODE (NOERROR: applied, or nothing to "
	    "change).");
	for (i = 0; i <= WIRE_RCODE_NOTZONE; i++)
		evbuffer_add_printf(b, "hpagent_updates_total{rcode=\"%s\"} "
		    "%llu\n", pkt_rcode_name((int)i),
		    (unsigned long long)hp_metrics.updates[i]);
	counter(b, "hpagent_tsig_failures_total", "Requests with a TSIG that "
	    "did not verify.", hp_metrics.tsig_failures);
	counter(b, "hpagent_probes_total", "SOA probes of secondaries sent.",
	    hp_metrics.probes_sent);
	counter(b, "hpagent_probe_failures_total", "SOA probes that got no "
	    "answer over UDP or TCP.", hp_metrics.probe_failures);
	for (i = 0; i < sizeof(sec_families) / sizeof(sec_families[0]); i++) {
		family(b, sec_families[i].name, "gauge", sec_families[i].help);
		w.family = (int)i;
		(void)store_sec_list(api->st, NULL, secondary_line, &w);
	}
	return 0;
}
