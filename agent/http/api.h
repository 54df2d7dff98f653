/*
 * api.h -- the daemon's HTTP API: the actions behind the routes of
 * http.h, and the counters /metrics shows. The daemon starts it when
 * http-listen: is set and feeds it the transfers it serves (so that ?wait=
 * is answered when every secondary has the new serial) and the NOTIFY
 * outcomes.
 *
 * api.c: start, reload, stop; the read actions; publish and rollback.
 * worker.c: imports and rollbacks, off the event loop, in order.
 * wait.c: the answer to a publish: now, or with ?wait= when the
 *   secondaries have the serial. result.c: its documents.
 * status.c: a zone's secondaries as JSON (also `hpagent status --json`).
 * metrics.c: the Prometheus text.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_API_H
#define HP_API_H

#include <stdint.h>
#include <sys/socket.h>

#include <jansson.h>

struct event_base;
struct conf;
struct store;
struct api;

/* Counters of the running daemon, bumped where things happen. */
struct hp_metrics {
	uint64_t notify_sent, notify_acked, notify_failed;
	uint64_t xfr_axfr, xfr_ixfr;	/* transfers completed */
	uint64_t xfr_bytes;		/* octets of transfer messages */
	uint64_t tsig_failures;		/* requests answered NOTAUTH */
	uint64_t probes_sent;		/* SOA probes of secondaries */
	uint64_t probe_failures;	/* ... that got no answer */
	uint64_t publishes;		/* versions published via the API */
	uint64_t publish_failures;
	uint64_t updates[16];		/* UPDATEs answered, by RCODE */
};
extern struct hp_metrics hp_metrics;

/* Called after the API published a version of ZONE: NOTIFY now. */
typedef void (*api_published_cb)(void *arg, const char *zone);

/*
 * Listen on CFG's http-listen: with the actions (CFG: a reference is
 * taken; its http-listen:, webhook-secret: and api-token: stay in force
 * until api_free, whatever reloads bring). Imports and rollbacks run off
 * the event loop, one at a time in order of arrival, in a worker thread
 * with its own connection to ST's database (a database still busy after
 * 1 s answers 503); the answer, ?wait= and the NOTIFYs follow on BASE's
 * loop. ST (read-write) serves the reads. 0 and *OUT set, or a negative
 * HP_E* (message logged).
 */
int api_start(struct event_base *base, const struct conf *cfg,
    struct store *st, api_published_cb published, void *arg,
    struct api **out);
/* Use CFG's zones from now on (a reload; a reference is taken, the
 * previous one dropped: requests under way keep theirs). API may be
 * NULL. */
void api_set_config(struct api *api, const struct conf *cfg);
/* Every tick of the daemon (0.1 s): write what waited for the database
 * (webhook delivery ids). API may be NULL. */
void api_tick(struct api *api);
/* Answer what is still deferred and stop (NULL allowed): publishes queued
 * get 503, the import running is waited for (60 s at most, the loop
 * running meanwhile) and answered, waiters get 503. */
void api_free(struct api *api);

/* A transfer completed (KIND "AXFR"/"IXFR"): counted for /metrics. */
void api_transfer_done(const char *kind);
/* The secondary TARGET ("ADDR@PORT", a notify: entry) of ZONE showed
 * SERIAL in its own SOA answer: ?wait= requests it completes are
 * answered. API may be NULL. */
void api_secondary_has(struct api *api, const char *zone,
    const char *target, uint32_t serial);

/*
 * {"zone": ..., "serial": N, "held": bool, "held_why": text|null,
 * "broken": bool, "broken_why": text|null, "secondaries": [{secondary,
 * address, port, notify_target, serial, since, state, reason, last_probe,
 * last_transfer: {serial, type, bytes, time, first} | null,
 * notify_serial, notify_sent, notify_acked, notify_error}...]} for ZONE
 * (name with trailing dot) into *OUT: the notify: targets of CFG in
 * order (those never seen with state "unknown"), then ledger rows of
 * secondaries no longer configured (notify_target false). HP_ENOENT when
 * ZONE is not stored, HP_ESTORE, HP_ENOMEM.
 */
int api_zone_status(struct store *st, const struct conf *cfg,
    const char *zone, json_t **out);

#endif
