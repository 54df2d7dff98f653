/*
 * xfr.h -- answering queries: a request and the peer's address in, a
 * stream of response messages out. query.c dispatches (TSIG, provide-xfr:,
 * SOA and error answers), axfr.c and ixfr.c answer the transfers.
 *
 * Held zones are answered for SOA (UDP or TCP), AXFR (TCP, RFC 5936) and
 * IXFR (RFC 1995; over UDP only when the answer fits). Everything else
 * gets no data: REFUSED, NOTAUTH, NOTIMP or FORMERR. No transfer sends a
 * record the store's validator refuses (an older database's row): an
 * AXFR of such a version is answered SERVFAIL (at once when the version
 * is known to be broken, else by a SERVFAIL message where the record
 * would be); an IXFR whose journal holds one is answered AXFR-style. provide-xfr: decides
 * who may transfer and query the SOA; TSIG (RFC 8945) signs every message
 * of a transfer. Each transfer reads one SQLite snapshot on a connection
 * of its own (a small pool), streaming AXFR messages prepared by a
 * background builder (store/xfrcache.h, cachebuild.h), or built
 * from the records of the snapshot while they are not ready, so memory
 * does not grow with zone size.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_XFR_H
#define HP_XFR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct conf;
struct store;
struct tsig_key;
struct xfr_server;
struct xfr_answer;

/* A transfer written out in full (into the socket: whether the peer
 * loads it is for the SOA probes to find out). */
struct xfr_done {
	const char *zone;		/* absolute, lowercase */
	int64_t zone_id;
	const struct sockaddr *peer;
	uint32_t serial;
	const char *kind;		/* "AXFR" or "IXFR" */
	uint64_t bytes;			/* octets of its messages */
	const struct tsig_key *key;	/* its query's key, NULL: unsigned */
};
typedef void (*xfr_done_cb)(void *arg, const struct xfr_done *x);

/* Called when a transfer met a record no transfer may send in version
 * VERSION_ID of ZONE_ID (WHY: which, what is wrong): it was answered
 * SERVFAIL; the zone is to be shown broken. */
typedef void (*xfr_broken_cb)(void *arg, const char *zone, int64_t zone_id,
    int64_t version_id, const char *why);

/*
 * A server answering from the database at DBPATH for the zones of CFG (a
 * reference is taken). 0 and *out set, or a negative HP_E*.
 */
int xfr_server_new(const struct conf *cfg, const char *dbpath,
    struct xfr_server **out);
void xfr_server_free(struct xfr_server *srv);
/*
 * Answer new queries with CFG from now on: its zones, provide-xfr: lists
 * and keys (a reference is taken, the previous one dropped). Each answer
 * holds a reference on the configuration it began with: a transfer under
 * way finishes with its keys, which live until it ends. The AXFR cache
 * builder is restarted when the zone list changed.
 */
void xfr_server_reload(struct xfr_server *srv, const struct conf *cfg);
/* Start the AXFR cache builder thread for the configured zones (the
 * daemon; stopped by xfr_server_free). 0 or a negative HP_E*. */
int xfr_server_cache_start(struct xfr_server *srv);
/* Tell the builder the database changed (else it polls). */
void xfr_server_cache_kick(struct xfr_server *srv);
/*
 * 1 when the AXFR messages of version VERSION_ID of zone ZONE_ID are
 * ready, or will not be (no builder, builds disabled, a database error);
 * 0 while the builder is to make them. The daemon announces a version
 * once they are (zones.c).
 */
int xfr_server_cache_ready(struct xfr_server *srv, int64_t zone_id,
    int64_t version_id);
/* Build and keep the IXFR answer from the serial before ZONE's current
 * one: what every secondary asks after the NOTIFY of a new version. 0 or
 * a negative HP_E* (then the first such IXFR builds it). */
int xfr_server_ixfr_prepare(struct xfr_server *srv, const char *zone);
/*
 * The daemon's scan of its zones (zones.c), within milliseconds of every
 * commit: xfr_server_seen_begin() first, then xfr_server_seen() with
 * each zone's row as read. An IXFR answer kept for the version a zone
 * was last seen at is sent with no read of the database while
 * SETTLED(ARG) returns 1: every commit since is known to have been
 * scanned. Without SETTLED (the default), every IXFR reads the zone's
 * row.
 */
struct store_zone_info;
void xfr_server_seen_begin(struct xfr_server *srv);
void xfr_server_seen(struct xfr_server *srv,
    const struct store_zone_info *zi);
void xfr_server_set_settled(struct xfr_server *srv, int (*settled)(void *),
    void *arg);
/* A descriptor readable (an octet each) when the builder made a cache:
 * the loop looks again at once. -1 when there is none. */
int xfr_server_cache_fd(const struct xfr_server *srv);
void xfr_server_set_callbacks(struct xfr_server *srv, xfr_done_cb done,
    void *arg);
void xfr_server_set_broken_cb(struct xfr_server *srv, xfr_broken_cb cb,
    void *arg);
/*
 * Answer SOA queries and build IXFRs on ST (the daemon's ledger
 * connection, which the daemon keeps open longer than SRV) instead of a
 * connection of SRV's own: the ledger's write after every transfer then
 * leaves the page cache the next query reads as it was (a commit by
 * another connection empties it: seven page reads again).
 */
void xfr_server_share_store(struct xfr_server *srv, struct store *st);

/*
 * 1 when PEER may open a TCP connection: an address in a zone's
 * provide-xfr: or notify: list of the current configuration (peers.h).
 * Checked at accept, before anything is read.
 */
int xfr_peer_listed(const struct xfr_server *srv, const struct sockaddr *peer);

/*
 * Answer the query Q (QLEN octets) from PEER, received over TCP when TCP
 * is non-zero. Returns 0 with *out set to the answer stream, 1 when the
 * query is to be dropped (no answer at all), or a negative HP_E*.
 */
int xfr_query(struct xfr_server *srv, const uint8_t *q, size_t qlen,
    const struct sockaddr *peer, int tcp, struct xfr_answer **out);

/* xfr_answer_next(): the answer is not ready yet (an UPDATE waiting for
 * its transaction, or for the secondaries): the listener sets a wake-up
 * with xfr_answer_set_wake() and asks again when it is called. */
#define XFR_PENDING	2

/*
 * Write the next response message into BUF (CAP octets, at least 65535
 * for TCP) and set *LEN. Returns 1 when a message was written, 0 when the
 * answer is complete, XFR_PENDING, or a negative HP_E* (the connection
 * should close).
 */
int xfr_answer_next(struct xfr_answer *ans, uint8_t *buf, size_t cap,
    size_t *len);
/* 1 while ANS waits (XFR_PENDING). */
int xfr_answer_pending(const struct xfr_answer *ans);
/* Call FN(ARG) once, from the event loop, when ANS stops pending. */
void xfr_answer_set_wake(struct xfr_answer *ans, void (*fn)(void *),
    void *arg);
/* UPDATEs go to UP (agent/daemon/update.h); NULL: answered REFUSED. */
struct update;
void xfr_server_set_update(struct xfr_server *srv, struct update *up);
/* Release the answer; when it completed (and was handed to the kernel
 * in full: call it then), report it (xfr_done_cb). */
void xfr_answer_free(struct xfr_answer *ans);
/* Release an answer that was not delivered in full: logged as aborted,
 * never reported done, whatever was produced. */
void xfr_answer_abort(struct xfr_answer *ans);

#endif
