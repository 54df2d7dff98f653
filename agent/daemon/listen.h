/*
 * listen.h -- the daemon's DNS sockets: UDP and TCP on each listening
 * address, on one libevent base.
 *
 * The listener knows nothing of DNS beyond TCP's two-octet length prefix:
 * each query is handed to a handler that returns a stream of response
 * messages (xfr.h). TCP answers are written a few messages at a
 * time, when the socket drains, so a slow client costs a buffer and not
 * the daemon; several queries on one connection are answered in order.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_LISTEN_H
#define HP_LISTEN_H

#include <sys/socket.h>

struct event_base;
struct xfr_server;
struct listen_set;

/* Limits of the TCP side (0: the default). */
struct listen_limits {
	unsigned max_conns;	/* tcp-count:, default 256 */
	unsigned max_per_addr;	/* tcp-count-per-address:, default 32 */
	unsigned query_ms;	/* for a query to arrive whole, 5000 */
};

/*
 * Open UDP and TCP sockets on each of the N addresses in ADDRS and
 * register them with BASE; queries go to SRV. On success *out is set and
 * 0 returned; on failure every socket opened is closed, a message naming
 * the address is logged and a negative errno returned.
 *
 * TCP connections: one from an address SRV does not list
 * (xfr_peer_listed: provide-xfr:, notify:, allow-update:) is closed at
 * accept; so is
 * one over LIM's limits, in total or from one client (IPv6: its /64). A
 * query begun must arrive whole within 5 s (LIM->query_ms; then the
 * connection is closed); a connection without a query is closed after 30 s. A failing
 * accept() (EMFILE) pauses the listeners (agent/http/accept.h).
 */
int listen_open(struct event_base *base, struct xfr_server *srv,
    const struct sockaddr_storage *addrs, const socklen_t *lens, int n,
    const struct listen_limits *lim, struct listen_set **out);

/*
 * Take over the connected TCP socket FD from peer SA (SALEN octets) as if
 * one of LS's listeners had accepted it: the same checks, the same
 * answering. 0, or HP_EACCES / HP_EAGAIN / HP_ENOMEM when refused (FD is
 * closed then). The listeners use it; so does the fuzzer, with a
 * socketpair standing for a connection.
 */
int listen_tcp_adopt(struct listen_set *ls, int fd, const struct sockaddr *sa,
    socklen_t salen);
/* TCP connections open now. */
int listen_tcp_count(const struct listen_set *ls);

/* Close every socket and connection (aborting transfers). NULL allowed. */
void listen_close(struct listen_set *ls);

#endif
