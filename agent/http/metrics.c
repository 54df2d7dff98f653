/*
 * metrics.c -- GET /metrics: the Prometheus text exposition of the store
 * (zones, serials, versions, secondaries; store/stats.c and the ledger)
 * and of the daemon's counters (hp_metrics).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "agent/conf/conf.h"
#include "agent/http/api_int.h"
#include "dns/err.h"
#include "store/store.h"

struct hp_metrics hp_metrics;

struct metrics_walk {
	struct evbuffer *b;
	const struct conf *cfg;
};

static void
counter(struct evbuffer *b, const char *name, const char *help, uint64_t v)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n",
	    name, help, name, name, (unsigned long long)v);
}

static int
zone_line(const struct store_zone_stat *z, void *arg)
{
	evbuffer_add_printf(arg, "hpagent_zone_serial{zone=\"%s\"} %lld\n"
	    "hpagent_zone_versions{zone=\"%s\"} %lld\n"
	    "hpagent_zone_held{zone=\"%s\"} %d\n"
	    "hpagent_zone_broken{zone=\"%s\"} %d\n", z->zone,
	    (long long)z->serial, z->zone, (long long)z->versions, z->zone,
	    z->held, z->zone, z->broken);
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

/* The gauges of one secondary that is a notify: target of a zone of the
 * configuration: rows of former targets are left out. */
static int
secondary_line(const struct store_secondary *s, void *arg)
{
	const struct metrics_walk *w = arg;
	const struct conf_zone *z = conf_find_zone(w->cfg, s->zone);
	int i, in_sync = store_sec_has(s, s->zone_serial);

	for (i = 0; z != NULL && i < z->ntargets; i++)
		if (strcmp(z->targets[i].label, s->target) == 0)
			break;
	if (z == NULL || i == z->ntargets)
		return 0;
	if (s->serial != STORE_NONE)
		evbuffer_add_printf(w->b, "hpagent_secondary_serial{zone=\"%s\","
		    "secondary=\"%s\"} %lld\n", s->zone, s->target,
		    (long long)s->serial);
	evbuffer_add_printf(w->b, "hpagent_secondary_in_sync{zone=\"%s\","
	    "secondary=\"%s\"} %d\nhpagent_secondary_lag_seconds{zone=\"%s\","
	    "secondary=\"%s\"} %lld\n", s->zone, s->target, in_sync,
	    s->zone, s->target, in_sync ? 0LL :
	    (long long)((int64_t)time(NULL) - s->zone_updated));
	if (s->probed != STORE_NONE)
		evbuffer_add_printf(w->b, "hpagent_secondary_last_probe_"
		    "timestamp_seconds{zone=\"%s\",secondary=\"%s\"} %lld\n",
		    s->zone, s->target, (long long)s->probed);
	for (i = 0; sec_states[i] != NULL; i++)
		evbuffer_add_printf(w->b, "hpagent_secondary_state{zone=\"%s\","
		    "secondary=\"%s\",state=\"%s\"} %d\n", s->zone, s->target,
		    sec_states[i], strcmp(s->state, sec_states[i]) == 0);
	return 0;
}

int
api_metrics(void *arg, struct evbuffer *b)
{
	struct api *api = arg;
	struct metrics_walk w;
	uint64_t n;

	evbuffer_add_printf(b, "# HELP hpagent_zones Zones in the store.\n"
	    "# TYPE hpagent_zones gauge\n");
	if (store_stat_zone_count(api->st, &n) == 0)
		evbuffer_add_printf(b, "hpagent_zones %llu\n",
		    (unsigned long long)n);
	evbuffer_add_printf(b, "# HELP hpagent_zone_serial Published serial."
	    "\n# TYPE hpagent_zone_serial gauge\n# HELP hpagent_zone_versions"
	    " Versions stored.\n# TYPE hpagent_zone_versions gauge\n"
	    "# HELP hpagent_zone_held 1 while direct edits that do not "
	    "validate hold the zone at its version.\n# TYPE hpagent_zone_held "
	    "gauge\n# HELP hpagent_zone_broken 1 while the zone's version "
	    "holds a record no transfer may send (SERVFAIL).\n# TYPE "
	    "hpagent_zone_broken gauge\n");
	(void)store_stat_zones(api->st, zone_line, b);
	evbuffer_add_printf(b, "# HELP hpagent_versions_published_total "
	    "Versions stored, by source.\n# TYPE "
	    "hpagent_versions_published_total counter\n");
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
	evbuffer_add_printf(b, "# HELP hpagent_transfers_total Transfers "
	    "served in full.\n# TYPE hpagent_transfers_total counter\n"
	    "hpagent_transfers_total{type=\"AXFR\"} %llu\n"
	    "hpagent_transfers_total{type=\"IXFR\"} %llu\n",
	    (unsigned long long)hp_metrics.xfr_axfr,
	    (unsigned long long)hp_metrics.xfr_ixfr);
	counter(b, "hpagent_transfer_bytes_total", "Octets of transfer "
	    "messages sent.", hp_metrics.xfr_bytes);
	counter(b, "hpagent_tsig_failures_total", "Requests with a TSIG that "
	    "did not verify.", hp_metrics.tsig_failures);
	counter(b, "hpagent_probes_total", "SOA probes of secondaries sent.",
	    hp_metrics.probes_sent);
	counter(b, "hpagent_probe_failures_total", "SOA probes that got no "
	    "answer over UDP or TCP.", hp_metrics.probe_failures);
	evbuffer_add_printf(b, "# HELP hpagent_secondary_serial Serial a "
	    "secondary serves, as its own SOA answer showed.\n"
	    "# TYPE hpagent_secondary_serial gauge\n"
	    "# HELP hpagent_secondary_in_sync 1 when the secondary serves "
	    "the published serial (or newer), as its SOA answer showed.\n"
	    "# TYPE hpagent_secondary_in_sync gauge\n"
	    "# HELP hpagent_secondary_lag_seconds Seconds since the zone "
	    "changed while the secondary is not seen serving it (0: in "
	    "sync).\n# TYPE hpagent_secondary_lag_seconds gauge\n"
	    "# HELP hpagent_secondary_last_probe_timestamp_seconds When the "
	    "secondary was last probed (unix time).\n"
	    "# TYPE hpagent_secondary_last_probe_timestamp_seconds gauge\n"
	    "# HELP hpagent_secondary_state The secondary's state (1 for the "
	    "current one).\n# TYPE hpagent_secondary_state gauge\n");
	w.b = b;
	w.cfg = api->cfg;
	(void)store_sec_list(api->st, NULL, secondary_line, &w);
	return 0;
}
