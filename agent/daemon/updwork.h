/*
 * updwork.h -- the dynamic updates' engine (updwork.c), as the daemon
 * runs it: started, configured, asked whether it holds a zone's NOTIFYs,
 * told what the secondaries serve (update.h says how it works).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_DAEMON_UPDWORK_H
#define HP_DAEMON_UPDWORK_H

#include <stdint.h>

struct conf;
struct event_base;
struct store;
struct update;

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

#endif
