/*
 * probe_int.h -- internal to the SOA probes (probe.h): probe.c keeps the
 * state of each zone x secondary and its verdict; probe_io.c sends one
 * probe and reads its answer (sockets, UDP, TCP).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_DAEMON_PROBE_INT_H
#define HP_DAEMON_PROBE_INT_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

#include <event2/util.h>

#include "agent/daemon/probe.h"
#include "dns/addr.h"
#include "dns/dname.h"
#include "dns/tsig.h"
#include "notify/idsock.h"
#include "store/store.h"

struct bufferevent;
struct event;

#define PROBE_UDP_MS		1000	/* UDP answer awaited, then TCP */
#define PROBE_TCP_MS		3000	/* TCP: connect, ask, answer */
#define PROBE_INFLIGHT		128	/* probes in flight at once */
#define PROBE_CHASE_FIRST_MS	5	/* after a transfer: the first probe */
#define PROBE_CHASE_NOTIFY_MS	20	/* after a NOTIFY acknowledgement */
#define PROBE_CHASE_MAX_MS	1000	/* ... x1.5 each, up to this */
#define PROBE_BACKOFF_MAX	16	/* unreachable: interval x 2^n, up to
					   this factor */
#define PROBE_BUCKETS		1024	/* zones hashed by name */
#define PROBE_MSG_MAX		1024	/* a query with its TSIG */
#define PROBE_REASON_MAX	STORE_REASON_MAX

/* The verdict on a zone x secondary (status's "state"). */
enum pstate { PS_UNKNOWN, PS_IN_SYNC, PS_BEHIND, PS_STALE, PS_UNREACHABLE,
    PS_REFUSED };

/* What the last probe got. */
enum plast { PL_NONE, PL_SERIAL, PL_NOZONE, PL_REFUSED, PL_NOANSWER };

/* An address of either family, as small as it can be: there is one
 * struct psec per zone x secondary (30,000 for 10,000 zones x 3). */
union paddr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/* A TSIG key the probes sign with: one copy per distinct key, shared by
 * the zone x secondaries that use it (the configuration it came from may
 * be gone after a reload). */
struct pkey {
	struct tsig_key k;
	int refs;
	struct pkey *next;
};

struct pzone;

struct psec {
	struct probe *pr;
	struct pzone *pz;
	union paddr addr, src;		/* the notify: target; the source */
	socklen_t addrlen, srclen;	/* srclen 0: the kernel chooses */
	struct pkey *key;		/* NULL: unsigned */
	char label[ADDR_STRLEN + 8];	/* "ADDR@PORT" */
	int sync_timeout, interval;	/* seconds */
	/* the last answer */
	enum plast last;
	char last_why[80];
	int has_serial;			/* it serves SERIAL, as it showed */
	uint32_t serial;
	int64_t since, probed;		/* unix times */
	int fails;			/* probes in a row without an answer */
	/* the last transfer we served it */
	int has_xfr;
	uint32_t xfr_serial;
	int64_t xfr_time, xfr_first;
	double xfr_first_mono;		/* for sync-timeout */
	char xfr_kind[8];
	uint64_t xfr_bytes;
	/* NOTIFY */
	int notify_busy;		/* sent, not answered yet */
	int has_nerr, nerr_refused;	/* the last NOTIFY failed: refused
					   (an error answer) or unanswered */
	uint32_t nerr_serial;
	char nerr[64];
	/* chasing a serial: fast probes until CHASE_END (monotonic s) */
	int chasing, delay_ms;
	double chase_end;
	/* the verdict, and what the ledger was told */
	enum pstate state;
	enum pstate w_state;
	uint32_t w_reason;		/* hash of the reason written */
	int w_has_serial;
	uint32_t w_serial;
	double w_mono;
	int told;			/* confirmed TOLD_SERIAL reported */
	uint32_t told_serial;
	/* the probe in flight; EV is the next probe while idle, the
	 * timeout while busy */
	int busy, tcp;
	uint16_t id;
	struct idsock *sock;		/* UDP: the ID is held there */
	struct tsig_ctx *tsig;		/* while busy, when signed */
	struct bufferevent *bev;	/* TCP */
	struct event *ev;
	struct psec *qnext, **qprev;	/* waiting for a slot (qprev NULL:
					   not waiting) */
	struct psec *next;
};

struct pzone {
	char *name;			/* absolute, lowercase (malloc'ed) */
	uint8_t *zw;			/* wire form (malloc'ed) */
	int64_t id;
	uint32_t serial;
	int seen;
	struct psec *secs;
	struct pzone *next;		/* in its bucket */
};

struct probe {
	struct event_base *base;
	struct ledger *l;
	struct probe_cbs cb;
	void *arg;
	struct pzone *tab[PROBE_BUCKETS];
	int nsecs, inflight;
	struct psec *waitq, **waitq_tail;	/* FIFO: no slot free yet */
	struct event *kick;		/* start the waiting ones */
	struct idsock *socks;		/* UDP, by source address */
	struct pkey *keys;
};

/* probe_io.c: one probe. The timer of PS in MS: the next probe (idle) or
 * the timeout of the one in flight (busy); psec_schedule() only ever sets
 * the next probe. psec_timer() is the timer's callback: it sends the
 * probe, or goes on to TCP, or gives up. psec_release() drops what the
 * probe in flight holds (it ends without a verdict). */
void psec_timer_in(struct psec *ps, int ms);
void psec_schedule(struct psec *ps, int ms);
void psec_timer(evutil_socket_t fd, short what, void *arg);
void psec_release(struct psec *ps);
/* PS leaves the queue of probes waiting for a slot (when it is in it). */
void psec_unqueue(struct psec *ps);
/* The callback of pr->kick: start waiting probes while slots are free. */
void probe_kick(evutil_socket_t fd, short what, void *arg);
/* Close the UDP sockets of PR. */
void probe_socks_free(struct probe *pr);

/* probe.c: the probe of PS ended with LAST (SERIAL for PL_SERIAL; WHY in
 * words): the verdict, the ledger, the next probe. */
void psec_done(struct psec *ps, enum plast last, uint32_t serial,
    const char *why);

#endif
