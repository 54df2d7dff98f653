/*
 * update.h -- RFC 2136 dynamic updates in the daemon.
 *
 * update.c: an UPDATE message as a query (query.c hands it over after
 * TSIG): the zone held here, allow-update: (address, key, the names and
 * types each RR touches), the sections read (dns/update.h); a job for the
 * engine, the answer left pending until the engine completes it.
 *
 * updwork.c (updwork.h): the engine. One thread with its own database
 * connection applies the jobs in order of arrival (store_update: one
 * transaction each), off the event loop. Back on the loop: the zone's NOTIFYs and SOA
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

/* query.c: answer the UPDATE Q (TSIG verified into A) from A's peer. 0
 * (an answer pushed into A, or A left pending), or a negative HP_E*. */
int xfr_update(struct xfr_answer *a, const struct pkt *q);
/* answer.c: A's pending job is forgotten (the client went away). */
void update_detach(struct upd_job *j);

#endif
