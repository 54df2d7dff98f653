/*
 * idsock.h -- a UDP socket bound to a source address, on a libevent
 * base, whose answers are matched to what is in flight by message ID (a
 * table of 65536 slots): the sockets of the NOTIFY engine (notify.c) and
 * of the SOA probes (agent/daemon/probe_io.c). Queries leave from the
 * source address so that the secondaries' access lists (allow-notify,
 * acl) see the primary's own address.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_IDSOCK_H
#define HP_IDSOCK_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <event2/event.h>

struct idsock {
	void *owner;			/* the caller's (the engine) */
	const char *who;		/* for logs: "NOTIFY", "SOA probes" */
	struct idsock *next;		/* in the caller's list */
	int family;
	struct sockaddr_storage src;	/* bound here */
	socklen_t srclen;		/* 0: the kernel chooses */
	int fd;
	struct event *ev;		/* readable: the caller's callback */
	void **by_id;			/* what each ID in flight is for */
};

/*
 * Open *S: a UDP socket of FAMILY bound to SRC (SRCLEN octets; 0: the
 * kernel chooses), non-blocking, CB(fd, what, ARG) called on BASE when it
 * is readable. 0, or a negative HP_E* with *S cleared (the reason, naming
 * WHO, logged).
 */
int idsock_open(struct idsock *s, struct event_base *base, int family,
    const void *src, socklen_t srclen, event_callback_fn cb, void *arg,
    const char *who);
/* Close what idsock_open() opened (also after it failed). */
void idsock_close(struct idsock *s);
/* 1 when S is the socket of FAMILY bound to SRC (SRCLEN octets). */
int idsock_is(const struct idsock *s, int family, const void *src,
    socklen_t srclen);

/*
 * The socket of *LIST for FAMILY and SRC: found, or opened (its callback
 * CB gets the struct idsock; OWNER is kept in it for the caller) and put
 * first in *LIST. NULL when it cannot be opened (logged, naming WHO).
 */
struct idsock *idsock_list_get(struct idsock **list, struct event_base *base,
    int family, const void *src, socklen_t srclen, event_callback_fn cb,
    void *owner, const char *who);
/* Close and free every socket of *LIST. */
void idsock_list_free(struct idsock **list);
/* A random free ID for P into *ID, the slot taken: 0, or HP_EAGAIN when
 * 64 tries found none free. */
int idsock_take(struct idsock *s, void *p, uint16_t *id);
/* Free the slot of ID if P holds it. */
void idsock_put(struct idsock *s, uint16_t id, const void *p);
/* What the slot of ID is for (NULL: nothing in flight). */
void *idsock_get(const struct idsock *s, uint16_t id);

/*
 * The next answer on S for something in flight, into BUF (CAP octets):
 * its length, with *P the slot of its ID; answers shorter than a DNS
 * header, for an ID not in flight, or not from the address and port
 * PEER(*P, PEER_ARG) says (a socket address and its length) are dropped
 * (logged as LOG_KEY's stray answers). -1 when nothing is left to read.
 */
typedef const void *idsock_peer_fn(const void *p, socklen_t *len);
ssize_t idsock_recv(struct idsock *s, uint8_t *buf, size_t cap, void **p,
    idsock_peer_fn *peer, int log_key);

#endif
