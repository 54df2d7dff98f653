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
 * target's key; an error answer (NOTAUTH, REFUSED, ...) ends it at
 * once. A new serial for a zone x target already queued or in flight
 * replaces the old one (retries start again).
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
 * A report on a job. For NOTIFY_FAILED: RCODE > 0 when the target
 * answered with an error (NOTAUTH, REFUSED, ...): the job ends at once,
 * whether or not the answer verified (refusals come unsigned: NSD, Knot
 * and BIND do not sign an answer to a key they do not know); then
 * TSIG_ERROR is the TSIG error the answer carried (16 BADSIG, 17 BADKEY,
 * 18 BADTIME; RFC 8945 5.3.2) and ERR what our verification said (0, or
 * HP_ENOTSIG / HP_EBADSIG / ...). RCODE 0: ERR is HP_EAGAIN (no answer
 * after the retries), the TSIG failure of the only NOERROR answers that
 * came (never trusted as an acknowledgement), or another HP_E*.
 * TRIES is the number of datagrams sent.
 */
struct notify_report {
	const char *zone;		/* presentation, lowercase */
	int64_t tag;			/* as given to notify_zone() */
	const struct notify_target *target;
	uint32_t serial;
	enum notify_event ev;
	int rcode;
	int tsig_error;
	int err;
	int tries;
};

typedef void (*notify_cb)(void *arg, const struct notify_report *r);

/* R as words for logs and status: "acknowledged", "answered NOTAUTH
 * (TSIG error BADKEY)", "answered REFUSED (unsigned)", "no answer after 6
 * tries", ... into BUF (LEN octets); returns BUF. */
const char *notify_report_str(const struct notify_report *r, char *buf,
    size_t len);

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
 * context that signed the request) when not NULL. Returns HP_EMALF when
 * it is not a matching reply; else its RCODE when it verified (or no
 * TSIG was asked for), and also when the RCODE is an error (> 0) that
 * did not verify: *TSIG_RES (may be NULL) then gets the failure
 * (HP_ENOTSIG, HP_EBADKEY, HP_EBADSIG, HP_EBADTIME; tsig->error holds a
 * TSIG error the answer reported), else 0. A NOERROR answer that does
 * not verify returns that failure (negative): it acknowledges nothing.
 */
int notify_check_reply(const uint8_t *reply, size_t len, uint16_t id,
    const uint8_t *zone, struct tsig_ctx *tsig, uint64_t now, int *tsig_res);

#endif
