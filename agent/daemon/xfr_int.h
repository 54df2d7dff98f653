/*
 * xfr_int.h -- internal to the answering code: query.c (the server, the
 * dispatch, single-message answers), answer.c (an answer's messages, the
 * read connections), axfr.c, ixfr.c.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_XFR_INT_H
#define HP_XFR_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "agent/daemon/peers.h"
#include "agent/daemon/xfr.h"
#include "dns/addr.h"
#include "dns/dname.h"
#include "dns/pkt.h"
#include "dns/tsig.h"

#define XFR_POOL	8		/* idle read connections kept */
#define XFR_IXFR_MAX	(4u << 20)	/* journal answer kept in memory */
#define XFR_UDP_EDNS	1232		/* our EDNS payload size */

struct store;
struct store_soa;
struct store_zone_info;
struct conf_key;
struct xfrc_reader;
struct update;
struct upd_job;

#define XFR_IXFR_KEEP	8		/* IXFR answers kept in memory */
#define XFR_IXFR_KEEP_MAX (64u << 10)	/* the largest kept, octets */

/* An IXFR answer kept: its messages (unsigned, as for the query that
 * built them), for the next secondary asking the same. */
struct xfr_ixfr_kept {
	int64_t zone_id, created;	/* the zone (created: not a new one
					   with a reused id) */
	int64_t version_id;		/* its version then */
	uint32_t serial, client;	/* from CLIENT to SERIAL */
	char *zone;			/* its name, absolute, lowercase */
	int now;			/* the zone's version as last seen
					   (xfr_server_seen) */
	uint8_t *buf;			/* messages back to back */
	size_t lens[16];
	size_t n, size;
	uint64_t used;			/* for the least recently used */
};

struct xfr_server {
	const struct conf *cfg;		/* a reference */
	char *dbpath;
	struct store *main;		/* SOA answers, IXFR built at once */
	int main_shared;		/* main is the ledger's (not ours) */
	struct store *pool[XFR_POOL];
	int npool;
	xfr_done_cb done;
	void *cbarg;
	xfr_broken_cb broken;
	void *broken_arg;
	struct dname_ctab *ctab;
	struct cachebuild *builder;
	struct peers peers;		/* who may connect over TCP (cfg's) */
	int built_fd[2];		/* the builder tells the loop */
	struct xfr_ixfr_kept kept[XFR_IXFR_KEEP];
	uint64_t tick;
	int (*settled)(void *);		/* 1: kept answers marked now are
					   sent with no read (xfr.h) */
	void *settled_arg;
	struct update *upd;		/* dynamic updates (NULL: refused) */
};

struct xfr_answer {
	struct xfr_server *srv;
	const struct conf *cfg;		/* a reference: the keys and ACLs the
					   answer began with, until it ends */
	const struct conf_key *key;	/* the key the query verified with */
	const char *what;		/* "AXFR"/"IXFR" when a transfer */
	int complete;
	int incremental;		/* an IXFR built at once (logged
					   when sent): from CLIENT, */
	uint32_t client;
	int udp;			/* over UDP */
	int failed;			/* ended with SERVFAIL: a record no
					   transfer may send */
	char why[512];			/* which, and what is wrong */
	/* query */
	uint16_t id, qflags, qtype;
	uint8_t qname[DNAME_MAXLEN];	/* lowercase */
	uint8_t qcase[DNAME_MAXLEN];	/* as the query spelled it */
	size_t qname_len;
	struct sockaddr_storage peer;
	char peer_str[ADDR_STRLEN];
	/* zone */
	char zone[DNAME_MAXSTR];
	int64_t zone_id;
	int64_t version_id;
	uint32_t serial;
	/* messages in memory, unsigned (single answers, IXFR) */
	uint8_t **msgs;
	size_t *lens;
	size_t nmsgs, cap_msgs, next;
	size_t bytes;
	size_t ixfr_max;		/* an IXFR's octets at most (0:
					   XFR_IXFR_MAX) */
	uint64_t sent;			/* octets written out, TSIG included */
	/* the snapshot: a pooled connection (AXFR, its messages) or the
	 * main one (IXFR, while it is built) */
	struct store *st;
	int st_main;
	struct xfrc_reader *axfr;
	/* TSIG */
	struct tsig_ctx tsig;
	int signed_q;			/* sign the answers with tsig */
	int edns;			/* the query had an OPT (an UPDATE's
					   answer, made later, has one too) */
	/* an UPDATE: answered once its job is done (update.h) */
	struct upd_job *job;
	int pending;
	void (*wake)(void *arg);	/* the listener: the answer is ready */
	void *wake_arg;
};

/* msgs.c: MSG (LEN octets) copied to the end of A's messages (0 or
 * HP_ENOMEM); A's messages dropped. */
int xfr_push(struct xfr_answer *a, const uint8_t *msg, size_t len);
void xfr_drop_msgs(struct xfr_answer *a);
/* Patch a prepared message (AXFR cache, kept IXFR) for A's query: its ID,
 * RD, the question's case and type. 0 or HP_EMALF. */
int xfr_patch(struct xfr_answer *a, uint8_t *buf, size_t len);

/* answer.c */
struct store *xfr_pool_get(struct xfr_server *srv);
void xfr_pool_put(struct xfr_server *srv, struct store *st);
/* End A's snapshot and give its connection back to the pool (an answer
 * built in memory needs neither once built). */
void xfr_release(struct xfr_answer *a);

/*
 * ixfr.c: the IXFR answer from the journal of A's zone (its snapshot
 * A->st): SOA, the changes from CLIENT on, SOA (RFC 1995 4), in messages
 * of at most CAP octets. 0, HP_ENOJOURNAL (the journal does not reach
 * CLIENT), HP_ETOOBIG (over XFR_IXFR_MAX), HP_EINVALID (a journal row the
 * validator refuses, A->why): the caller answers with the whole zone; or
 * another HP_E*.
 */
int xfr_ixfr(struct xfr_answer *a, const struct pkt *q, uint32_t client,
    const struct store_soa *soa, size_t cap);
/*
 * The IXFR answers the server keeps (TCP, at most XFR_IXFR_KEEP_MAX
 * octets, the least recently used of XFR_IXFR_KEEP replaced): after a
 * publish every secondary asks the same IXFR. xfr_ixfr_keep() keeps A's
 * messages, answering from CLIENT the version ZI describes;
 * xfr_ixfr_kept() gives A a kept answer from CLIENT to that version,
 * patched for A's query, and sets A's zone_id, version_id and serial: 1,
 * or 0 when none is kept (or out of memory).
 * xfr_ixfr_kept_now() does the same with no read of the database, for
 * the version of A's zone (A->zone) the daemon's last scan saw
 * (xfr_server_seen): 1, or 0 (then read the zone's row and ask
 * xfr_ixfr_kept()).
 * xfr_ixfr_forget() drops them all.
 */
void xfr_ixfr_keep(struct xfr_answer *a, const struct store_zone_info *zi,
    uint32_t client);
int xfr_ixfr_kept(struct xfr_answer *a, const struct store_zone_info *zi,
    uint32_t client);
int xfr_ixfr_kept_now(struct xfr_answer *a, uint32_t client);
void xfr_ixfr_forget(struct xfr_server *srv);
/*
 * Build and keep the IXFR answer from the serial before the current
 * version of the zone ZI describes (read in ST's open snapshot; SOA its
 * SOA), as the daemon's start-up warm-up does: the likeliest IXFR after a
 * restart. Nothing when the journal does not have it.
 */
void xfr_ixfr_prepare(struct xfr_server *srv, struct store *st,
    const struct store_zone_info *zi, const struct store_soa *soa);

/* axfr.c: the AXFR messages of the version ZI describes (in A's snapshot
 * A->st); xfr_axfr_next() writes the next one, patched for the query. */
int xfr_axfr_open(struct xfr_answer *a, const struct store_zone_info *zi,
    int *cached);
int xfr_axfr_next(struct xfr_answer *a, uint8_t *buf, size_t cap,
    size_t *len);
/* The message ending a transfer that met a record no transfer may send
 * (RFC 5936 2.2: an error RCODE ends it): SERVFAIL, the question. */
int xfr_axfr_fail(struct xfr_answer *a, uint8_t *buf, size_t cap,
    size_t *len);

#endif
