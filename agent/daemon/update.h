/*
 * update.h -- RFC 2136 dynamic updates in the daemon.
 *
 * update.c: an UPDATE message as a query (query.c hands it over after
 * TSIG): the zone held here, allow-update: (address, key, the names and
 * types each RR touches), the sections read (dns/update.h); a job for the
 * engine, the answer left pending until the engine completes it.
 *
 * updwork.c: the engine. One thread with its own database connection
 * applies the jobs in order of arrival (store_update: one transaction
 * each), off the event loop. Back on the loop: the zone's NOTIFYs and SOA
 * probes are started at once for the first update of a burst, then at
 * most once per update-coalesce: milliseconds for the updates that follow
 * (the daemon's scan leaves the zone alone meanwhile: update_holding); the
 * NOERROR is sent at once, or with update-wait: N once every notify:
 * target serves the new serial as its own SOA answer shows (the probes
 * say so: update_secondary_has; the ledger is read each second), or after
 * N seconds (still NOERROR, logged).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_DAEMON_UPDATE_H
#define HP_DAEMON_UPDATE_H

#include <stdint.h>

struct conf;
struct conf_zone;
struct event_base;
struct pkt;
struct store;
struct update;
struct upd_job;
struct xfr_answer;

/* The zone ZONE has a new version from UPDATEs: NOTIFY and probe it. */
typedef void (*update_changed_cb)(void *arg, const char *zone);

/*
 * The engine on BASE: its thread opens DBPATH; ST (the loop's own
 * connection) reads the secondaries ledger. 0 and *OUT, or a negative
 * HP_E* (logged).
 */
int update_new(struct event_base *base, const char *dbpath, struct store *st,
    update_changed_cb changed, void *arg, struct update **out);
/* The job under way is finished, waiting answers are sent (NOERROR: the
 * updates are committed), queued ones answered SERVFAIL. NULL allowed. */
void update_free(struct update *up);
/* The configuration in force (a reload): the targets waited for. */
void update_set_config(struct update *up, const struct conf *cfg);

/* 1 while zone ZONE's NOTIFYs are being coalesced and secondaries still
 * transfer: the daemon's scan leaves the new SERIAL it found (whoever
 * made it) to the engine, which NOTIFYs it at the window's end or as
 * soon as they serve the last one; 0: NOTIFY it now. UP may be NULL. */
int update_holding(struct update *up, const char *zone, uint32_t serial);
/* The secondary TARGET of ZONE showed SERIAL (its SOA answer). */
void update_secondary_has(struct update *up, const char *zone,
    const char *target, uint32_t serial);

/* query.c: answer the UPDATE Q (TSIG verified into A) from A's peer. 0
 * (an answer pushed into A, or A left pending), or a negative HP_E*. */
int xfr_update(struct xfr_answer *a, const struct pkt *q);
/* answer.c: A's pending job is forgotten (the client went away). */
void update_detach(struct upd_job *j);

#endif
