/*
 * api.h -- the daemon's HTTP API actions (agent/http.h routes) and its
 * counters for /metrics. serve.c starts it when http-listen: is set and
 * feeds it the transfers it serves (so that ?wait= can be answered when
 * every secondary has the new serial) and the NOTIFY outcomes.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_API_H
#define HP_API_H

#include <stdint.h>
#include <sys/socket.h>

struct event_base;
struct hp_config;
struct store;
struct api;

/* Counters of the running daemon, bumped where things happen. */
struct hp_metrics {
	uint64_t notify_sent, notify_acked, notify_failed;
	uint64_t xfr_axfr, xfr_ixfr;	/* transfers completed */
	uint64_t xfr_bytes;		/* octets of transfer messages */
	uint64_t tsig_failures;		/* requests answered NOTAUTH */
	uint64_t publishes;		/* versions published via the API */
	uint64_t publish_failures;
};
extern struct hp_metrics hp_metrics;

/* Called after the API published a version of ZONE: NOTIFY now. */
typedef void (*api_published_cb)(void *arg, const char *zone);

/*
 * Listen on CFG->http_listen with the actions below. Imports and rollbacks
 * run off the event loop, one at a time in order of arrival, in a worker
 * thread with its own connection to ST's database (a database still busy
 * after 1 s answers 503); the answer, ?wait= and the NOTIFYs follow on
 * BASE's loop. ST (read-write) serves the reads. 0 and *OUT set, or a
 * negative HP_E* (message logged).
 */
int api_start(struct event_base *base, const struct hp_config *cfg,
    struct store *st, api_published_cb published, void *arg,
    struct api **out);
/* Use CFG's zones from now on (a reload; CFG must outlive API, and so
 * must the previous one, which deferred answers may still use).
 * http-listen:, webhook-secret: and api-token: keep their start-up
 * values. API may be NULL. */
void api_set_config(struct api *api, const struct hp_config *cfg);
/* Answer what is still deferred and stop (NULL allowed): publishes queued
 * get 503, the import running is waited for (60 s at most, the loop
 * running meanwhile) and answered, waiters get 503. */
void api_free(struct api *api);

/* A transfer of ZONE at SERIAL to PEER completed (KIND "AXFR"/"IXFR"),
 * or (KIND NULL) an IXFR request said PEER has SERIAL. API may be NULL. */
void api_secondary_has(struct api *api, const char *zone,
    const struct sockaddr *peer, uint32_t serial, const char *kind);

#endif
