/*
 * notify.h -- NOTIFY (RFC 1996) per zone x target: a state machine on a
 * libevent base, and the message building it uses, apart from the I/O.
 *
 * The agent hands in targets (address, source address, TSIG key, all
 * copied) and the zone's SOA; this module never reads the store. For each zone x target a
 * job is queued; at most NOTIFY_PEER_MAX jobs per target and
 * opts.max_inflight in all are in flight, so a dead secondary holds its
 * own slots only. A job sends, waits (timeout doubling from
 * opts.timeout_ms up to opts.max_timeout_ms), resends up to RETRIES more
 * times, and ends when a reply comes back that matches its ID, comes from
 * the target's address and port, carries the zone, and verifies with the
 * target's key. A new serial for a zone x target already queued or in
 * flight replaces the old one (retries start again).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_NOTIFY_H
#define HP_NOTIFY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dns/tsig.h"

#define NOTIFY_PEER_MAX		16	/* in flight per target */
#define NOTIFY_DEAD_AFTER	3	/* unanswered jobs in a row: unresponsive */
#define NOTIFY_DEAD_MAX		64	/* in flight to an unresponsive target */

struct event_base;
struct notify;

struct notify_target {
	struct sockaddr_storage addr;	/* where to (port set) */
	socklen_t addrlen;
	struct sockaddr_storage src;	/* bind the sending socket here */
	socklen_t srclen;		/* 0: the kernel chooses */
	const struct tsig_key *key;	/* NULL: unsigned (copied) */
	char label[96];			/* "ADDR@PORT" or the config text */
};

struct notify_opts {
	int max_inflight;		/* 0: 256 */
	int timeout_ms;			/* first wait, 0: 1000 */
	int max_timeout_ms;		/* longest wait, 0: 8000 */
};

enum notify_event {
	NOTIFY_SENT,		/* first datagram of a job went out */
	NOTIFY_ACKED,		/* NOERROR reply verified */
	NOTIFY_FAILED,		/* retries exhausted, or an error reply */
};

/*
 * Reports on a job: ZONE (presentation, lowercase), the tag given to
 * notify_zone(), TARGET, SERIAL, EV; for NOTIFY_FAILED, ERR is the
 * reply's RCODE (> 0), HP_EAGAIN (no answer), or another negative HP_E*
 * (e.g. HP_EBADSIG: a reply that did not verify). TRIES is the number of
 * datagrams sent.
 */
typedef void (*notify_cb)(void *arg, const char *zone, int64_t tag,
    const struct notify_target *target, uint32_t serial,
    enum notify_event ev, int err, int tries);

/* A NOTIFY engine on BASE (OPTS may be NULL). NULL when out of memory. */
struct notify *notify_new(struct event_base *base,
    const struct notify_opts *opts, notify_cb cb, void *arg);
/* Drop every job (no more reports) and close the sockets. */
void notify_free(struct notify *n);

/*
 * Queue NOTIFYs of ZONE (wire name) at the SOA (TTL, RDATA of SOALEN
 * octets) to the NT TARGETS (copied), each sent once and then up to
 * RETRIES more times. TAG is passed back in reports. 0 or HP_ENOMEM /
 * HP_EINVAL (bad SOA).
 */
int notify_zone(struct notify *n, const uint8_t *zone, int64_t tag,
    uint32_t ttl, const uint8_t *soa, size_t soalen,
    const struct notify_target *targets, int nt, int retries);

/* Jobs queued or in flight. */
int notify_pending(const struct notify *n);

/*
 * Build a NOTIFY for ZONE with ID into BUF (CAP octets): opcode NOTIFY,
 * AA, the question (ZONE, SOA, IN) and the SOA in the answer section;
 * signed with TSIG (appended) when TSIG is not NULL (a fresh context for
 * the target's key). *LEN gets the length. 0, HP_ESPACE, HP_EMALF (SOA).
 */
int notify_build(uint8_t *buf, size_t cap, size_t *len, uint16_t id,
    const uint8_t *zone, uint32_t ttl, const uint8_t *soa, size_t soalen,
    struct tsig_ctx *tsig, uint64_t now);

/*
 * Check REPLY (LEN octets) to the NOTIFY with ID for ZONE: a response
 * (QR), opcode NOTIFY, same ID and question; TSIG verified with TSIG (the
 * context that signed the request) when not NULL. Returns the RCODE
 * (0 = acknowledged, > 0 = the target's error), or HP_EMALF (not a
 * matching reply), HP_ENOTSIG / HP_EBADKEY / HP_EBADSIG / HP_EBADTIME.
 */
int notify_check_reply(const uint8_t *reply, size_t len, uint16_t id,
    const uint8_t *zone, struct tsig_ctx *tsig, uint64_t now);

#endif
