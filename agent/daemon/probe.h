/*
 * probe.h -- internal to agent/daemon/: the SOA probes of the
 * secondaries, and the verdict on each zone x secondary (probe.c).
 *
 * A secondary is a notify: target of a zone (its "ADDR@PORT"). It counts
 * as having serial S only when its own SOA answer shows S or newer (RFC
 * 1982): asked at the notify: address, TSIG-signed with that entry's key,
 * from the NOTIFY source address, over UDP, then TCP when the answer is
 * truncated, fails TSIG or does not come. Probes are sent
 *   - fast (from 5 ms, x1.5 up to 1 s) after a transfer we served it or a
 *     NOTIFY it acknowledged, until the serial shows or sync-timeout
 *     passes: then a transfer not served is "stale";
 *   - every probe-interval otherwise (with backoff while it does not
 *     answer); one that finds it behind sends it a NOTIFY.
 * The verdict (in-sync, behind, stale, unreachable, refused, and why) and
 * the last transfer go to the ledger (store/secondaries.c) for `hpagent
 * status` and `wait`; confirmations go to the daemon at once (?wait=).
 *
 * Transfers are matched to notify: entries by the peer's address (and,
 * among entries of that address, the TSIG key); a transfer from an
 * address no entry of the zone has is matched by its key when exactly one
 * entry of the zone has that key. Otherwise it is logged, not listed.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_DAEMON_PROBE_H
#define HP_DAEMON_PROBE_H

#include <stdint.h>
#include <sys/socket.h>

struct event_base;
struct ledger;
struct notify_report;
struct notify_target;
struct probe;
struct tsig_key;

struct probe_cbs {
	/* TARGET of ZONE showed SERIAL, the published one or newer. */
	void (*confirmed)(void *arg, const char *zone, const char *target,
	    uint32_t serial);
	/* TARGET of ZONE (ZONE_ID) serves an older serial, or none, and
	 * nothing is under way: send it a NOTIFY. */
	void (*behind)(void *arg, const char *zone, int64_t zone_id,
	    const char *target);
};

/* A prober on BASE writing to L. 0 and *OUT, or HP_ENOMEM. */
int probe_new(struct event_base *base, struct ledger *l,
    const struct probe_cbs *cbs, void *arg, struct probe **out);
/* Stop every probe and free (NULL allowed). */
void probe_free(struct probe *p);

/*
 * ZONE (id ZONE_ID, published SERIAL) has the NT secondaries T (what is
 * needed is copied, keys too), with SYNC_TIMEOUT and INTERVAL seconds:
 * new ones are probed soon, known ones keep what is known of them; a new
 * SERIAL makes those in sync behind until they show it. Those of ZONE
 * not in T are dropped. 0 or HP_ENOMEM.
 */
int probe_zone(struct probe *p, const char *zone, int64_t zone_id,
    uint32_t serial, const struct notify_target *t, int nt,
    int sync_timeout, int interval);
/* Before a reload's probe_zone() calls: every zone unseen; after them,
 * probe_sweep() drops the zones no call named. */
void probe_mark(struct probe *p);
void probe_sweep(struct probe *p);

/* What the NOTIFY engine reported (P may be NULL). */
void probe_notify_report(struct probe *p, const struct notify_report *r);

/* A transfer of ZONE at SERIAL (KIND "AXFR"/"IXFR", BYTES octets) to PEER,
 * its query signed with KEY (NULL: unsigned), was written out in full
 * (P may be NULL). */
void probe_xfr(struct probe *p, const char *zone, const struct sockaddr *peer,
    const struct tsig_key *key, uint32_t serial, const char *kind,
    uint64_t bytes);

#endif
