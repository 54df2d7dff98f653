/*
 * listen.c -- UDP and TCP sockets of the daemon on one libevent base.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "agent/daemon/listen.h"
#include "agent/daemon/xfr.h"
#include "agent/http/accept.h"
#include "dns/addr.h"
#include "dns/err.h"
#include "dns/log.h"

#define LISTEN_TCP_IDLE		30	/* seconds without a query */
#define LISTEN_QUERY_MS		5000	/* for a query to arrive whole, from
					   its first octet (default) */
#define LISTEN_TCP_WRITE	120	/* seconds without write progress */
#define LISTEN_FILL		(256 * 1024) /* refill below this many octets */
#define LISTEN_MSG_MAX		65535
#define LISTEN_FIRST_READ	4096	/* octets read at accept */
/* A transfer that does not hand LISTEN_MIN_PROGRESS more octets to the
 * kernel within LISTEN_PROGRESS_WINDOW seconds is closed: a client reading
 * a byte a second must not keep a slot for hours. */
#define LISTEN_PROGRESS_WINDOW	30
#define LISTEN_MIN_PROGRESS	(32 * 1024)

struct listen_conn;

/* A UDP answer not ready yet (an UPDATE): sent when it is. */
struct listen_udp_wait {
	struct listen_set *ls;
	int fd;
	struct sockaddr_storage peer;
	socklen_t plen;
	struct xfr_answer *ans;
	struct listen_udp_wait *next, **prevp;
};

struct listen_set {
	struct event_base *base;
	struct xfr_server *srv;
	struct event **udp;
	int *udp_fd;
	int n_udp;
	struct evconnlistener **tcp;
	int n_tcp;
	struct listen_conn *conns;
	int n_conns;
	unsigned max_conns;	/* tcp-count: */
	unsigned max_per_addr;	/* tcp-count-per-address: */
	unsigned query_ms;	/* for a query to arrive whole */
	struct accept_guard guard;
	uint8_t *buf;		/* one message, shared: the loop is serial */
	struct event *sweep;	/* checks transfer progress */
	struct listen_udp_wait *udp_wait;
};

struct listen_conn {
	struct listen_set *ls;
	struct bufferevent *bev;
	struct xfr_answer *ans;	/* the answer being written, or NULL */
	int draining;		/* all of ans queued: ends when sent */
	struct sockaddr_storage peer;
	uint64_t queued;	/* octets of answers put in the output */
	uint64_t mark;		/* octets handed to the kernel at mark_time */
	time_t mark_time;	/* when the transfer last made progress */
	struct event *deadline;	/* a query begun must be whole by then */
	struct listen_conn *prev, *next;
};

/* log_limited() keys (dns/log.h) */
enum { LISTEN_LOG_FULL = 10, LISTEN_LOG_SLOW = 11, LISTEN_LOG_ACL = 14,
    LISTEN_LOG_QUERY = 15 };

/* ---- UDP ----------------------------------------------------------- */

static void
listen_udp_wait_free(struct listen_udp_wait *w)
{
	*w->prevp = w->next;
	if (w->next != NULL)
		w->next->prevp = w->prevp;
	xfr_answer_free(w->ans);
	free(w);
}

/* The answer of W is ready: sent, and W freed. */
static void
listen_udp_wake(void *arg)
{
	struct listen_udp_wait *w = arg;
	uint8_t *buf = w->ls->buf;
	size_t len;

	if (xfr_answer_next(w->ans, buf, LISTEN_MSG_MAX, &len) == 1)
		(void)sendto(w->fd, buf, len, 0, (struct sockaddr *)&w->peer,
		    w->plen);
	listen_udp_wait_free(w);
}

static void
listen_udp_defer(struct listen_set *ls, int fd,
    const struct sockaddr_storage *peer, socklen_t plen,
    struct xfr_answer *ans)
{
	struct listen_udp_wait *w;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		xfr_answer_free(ans);	/* the client retries */
		return;
	}
	w->ls = ls;
	w->fd = fd;
	memcpy(&w->peer, peer, sizeof(w->peer));
	w->plen = plen;
	w->ans = ans;
	w->next = ls->udp_wait;
	w->prevp = &ls->udp_wait;
	if (w->next != NULL)
		w->next->prevp = &w->next;
	ls->udp_wait = w;
	xfr_answer_set_wake(ans, listen_udp_wake, w);
}

static void
listen_udp_read(evutil_socket_t fd, short what, void *arg)
{
	struct listen_set *ls = arg;
	struct sockaddr_storage peer;
	socklen_t plen;
	struct xfr_answer *ans;
	ssize_t n;
	size_t len;
	int i, r;

	(void)what;
	/* A bounded batch per wake-up keeps TCP transfers moving. */
	for (i = 0; i < 32; i++) {
		plen = sizeof(peer);
		n = recvfrom(fd, ls->buf, LISTEN_MSG_MAX, 0,
		    (struct sockaddr *)&peer, &plen);
		if (n < 0)
			return;
		if (xfr_query(ls->srv, ls->buf, (size_t)n,
		    (struct sockaddr *)&peer, 0, &ans) != 0)
			continue;
		r = xfr_answer_next(ans, ls->buf, LISTEN_MSG_MAX, &len);
		if (r == XFR_PENDING) {
			listen_udp_defer(ls, fd, &peer, plen, ans);
			continue;
		}
		/* A UDP answer is one message: once it is sent, ask for
		 * the next so that a UDP IXFR is recorded as complete. */
		if (r == 1 && sendto(fd, ls->buf, len, 0,
		    (struct sockaddr *)&peer, plen) == (ssize_t)len)
			(void)xfr_answer_next(ans, ls->buf, LISTEN_MSG_MAX,
			    &len);
		xfr_answer_free(ans);
	}
}

/* ---- TCP ----------------------------------------------------------- */

static void
listen_conn_free(struct listen_conn *c)
{
	struct listen_set *ls = c->ls;

	/* Not handed to the kernel in full: not done, whatever was queued. */
	if (c->ans != NULL && c->draining &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) > 0)
		xfr_answer_abort(c->ans);
	else if (c->ans != NULL)
		xfr_answer_free(c->ans);
	if (c->deadline != NULL)
		event_free(c->deadline);
	bufferevent_free(c->bev);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		ls->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	ls->n_conns--;
	free(c);
}

/*
 * While an answer is being written the client sends nothing, so the idle
 * (read) timeout must not run: a long transfer to a slow secondary is
 * governed by the progress check (listen_sweep) and the write timeout.
 * Between answers the idle timeout is back.
 */
static void
listen_conn_timeouts(struct listen_conn *c)
{
	struct timeval rt = { LISTEN_TCP_IDLE, 0 }, wt = { LISTEN_TCP_WRITE, 0 };

	bufferevent_set_timeouts(c->bev, c->ans != NULL ? NULL : &rt, &wt);
}

static void listen_conn_wake(void *arg);

/*
 * The current answer has been handed to the kernel in full: it ends now
 * (reported done, which writes the ledger), after its last octet left,
 * not before, so that no bookkeeping delays the answer itself.
 */
static void
listen_conn_end(struct listen_conn *c)
{
	xfr_answer_free(c->ans);
	c->ans = NULL;
	c->draining = 0;
	bufferevent_setwatermark(c->bev, EV_WRITE, LISTEN_FILL / 2, 0);
	listen_conn_timeouts(c);
}

/*
 * Hand MSG (LEN octets, its length prefix included) to the client. While
 * nothing is queued before it and DIRECT allows, it goes to the socket at
 * once: an IXFR or SOA answer leaves in the callback that read its query,
 * with no turn of the loop waiting for EPOLLOUT. What the socket does not
 * take is queued, and the output buffer's write event sends it.
 */
static int
listen_conn_send(struct listen_conn *c, const uint8_t *msg, size_t len,
    int direct)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	ssize_t n = 0;

	if (direct && evbuffer_get_length(out) == 0) {
		n = send(bufferevent_getfd(c->bev), msg, len, MSG_NOSIGNAL |
		    MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR)
			return HP_EIO;
		if (n < 0)
			n = 0;
	}
	c->queued += len;
	if ((size_t)n == len)
		return 0;
	if (evbuffer_add(out, msg + n, len - (size_t)n) != 0)
		return HP_ENOMEM;
	if (!(bufferevent_get_enabled(c->bev) & EV_WRITE))
		bufferevent_enable(c->bev, EV_WRITE);
	return 0;
}

/*
 * Write messages of the current answer until the buffer is full enough.
 * At most LISTEN_FILL octets go to the socket directly per call; after
 * that they are queued, so that the write event calls again (a big
 * transfer takes turns with the other connections).
 */
static int
listen_conn_fill(struct listen_conn *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	uint8_t *buf = c->ls->buf;
	size_t len, sent = 0;
	int r;

	if (c->draining) {
		if (evbuffer_get_length(out) == 0)
			listen_conn_end(c);
		return 0;
	}
	while (c->ans != NULL && evbuffer_get_length(out) < LISTEN_FILL) {
		r = xfr_answer_next(c->ans, buf + 2, LISTEN_MSG_MAX, &len);
		if (r < 0)
			return r;
		if (r == XFR_PENDING) {
			xfr_answer_set_wake(c->ans, listen_conn_wake, c);
			break;
		}
		if (r == 0) {
			/* All queued: the write callback comes back when
			 * the output buffer is empty. */
			c->draining = 1;
			bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
			if (evbuffer_get_length(out) == 0)
				listen_conn_end(c);
			break;
		}
		buf[0] = (uint8_t)(len >> 8);
		buf[1] = (uint8_t)len;
		if ((r = listen_conn_send(c, buf, len + 2,
		    sent < LISTEN_FILL)) < 0)
			return r;
		sent += len + 2;
	}
	return 0;
}

static void
listen_query_late(evutil_socket_t fd, short what, void *arg)
{
	struct listen_conn *c = arg;
	char a[ADDR_STRLEN];

	(void)fd;
	(void)what;
	log_limited(LISTEN_LOG_QUERY, 2, LOG_NOTICE, "TCP from %s: query not "
	    "received in full within %u ms: closed", addr_ntop(
	    (struct sockaddr *)&c->peer, a, sizeof(a)), c->ls->query_ms);
	listen_conn_free(c);
}

/* Start the clock of the query being received, unless it runs. */
static void
listen_conn_deadline(struct listen_conn *c)
{
	struct timeval tv = { c->ls->query_ms / 1000,
	    (c->ls->query_ms % 1000) * 1000 };

	if (!evtimer_pending(c->deadline, NULL))
		evtimer_add(c->deadline, &tv);
}

/* Take the queries that are complete in the input, one answer at a time. */
static int
listen_conn_process(struct listen_conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	uint8_t hdr[2];
	size_t qlen;
	int r;

	while (c->ans == NULL) {
		if (evbuffer_get_length(in) == 0) {
			evtimer_del(c->deadline);
			return 0;
		}
		if (evbuffer_copyout(in, hdr, 2) != 2 ||
		    evbuffer_get_length(in) < ((size_t)hdr[0] << 8 | hdr[1]) +
		    2) {
			/* A query has begun: it has LISTEN_QUERY_MS to
			 * arrive whole, however it trickles (an idle timer
			 * that each octet restarts would hold the slot). */
			listen_conn_deadline(c);
			return 0;
		}
		qlen = (size_t)hdr[0] << 8 | hdr[1];
		evtimer_del(c->deadline);
		evbuffer_drain(in, 2);
		if (evbuffer_remove(in, c->ls->buf, qlen) != (int)qlen)
			return HP_EIO;
		r = xfr_query(c->ls->srv, c->ls->buf, qlen,
		    (struct sockaddr *)&c->peer, 1, &c->ans);
		if (r == 1)
			return HP_EMALF;	/* dropped: close (RFC 7766) */
		if (r < 0)
			return r;
		c->mark = c->queued - evbuffer_get_length(
		    bufferevent_get_output(c->bev));
		c->mark_time = time(NULL);
		listen_conn_timeouts(c);
		if ((r = listen_conn_fill(c)) < 0)
			return r;
	}
	return 0;
}

/* The pending answer of C is ready (an UPDATE's): written, then the
 * queries that came after it. */
static void
listen_conn_wake(void *arg)
{
	struct listen_conn *c = arg;

	if (listen_conn_fill(c) < 0 ||
	    (c->ans == NULL && listen_conn_process(c) < 0))
		listen_conn_free(c);
}

static void
listen_conn_read(struct bufferevent *bev, void *arg)
{
	struct listen_conn *c = arg;

	(void)bev;
	if (listen_conn_process(c) < 0)
		listen_conn_free(c);
}

static void
listen_conn_write(struct bufferevent *bev, void *arg)
{
	struct listen_conn *c = arg;
	int r;

	(void)bev;
	r = c->ans != NULL ? listen_conn_fill(c) : 0;
	/* The answer ended: the next query already read, if any. */
	if (r == 0 && c->ans == NULL)
		r = listen_conn_process(c);
	if (r < 0)
		listen_conn_free(c);
}

/* Free C with a reset, so that the kernel drops what it still holds for
 * a client that does not read (a plain close would keep it until sent). */
static void
listen_conn_abort(struct listen_conn *c)
{
	struct linger lg = { 1, 0 };

	(void)setsockopt(bufferevent_getfd(c->bev), SOL_SOCKET, SO_LINGER,
	    &lg, sizeof(lg));
	listen_conn_free(c);
}

static void
listen_conn_event(struct bufferevent *bev, short what, void *arg)
{
	struct listen_conn *c = arg;
	char a[ADDR_STRLEN];

	(void)bev;
	if ((what & BEV_EVENT_TIMEOUT) && c->ans != NULL)
		log_info("TCP to %s timed out mid-answer", addr_ntop(
		    (struct sockaddr *)&c->peer, a, sizeof(a)));
	if ((what & BEV_EVENT_TIMEOUT) && c->ans != NULL)
		listen_conn_abort(c);
	else if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		listen_conn_free(c);
}

/* Every few seconds: a transfer that handed LISTEN_MIN_PROGRESS more octets
 * to the kernel since the last mark moves the mark; one whose mark is
 * older than LISTEN_PROGRESS_WINDOW is reset (octets still in our own
 * output buffer are not progress). */
static void
listen_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct listen_set *ls = arg;
	struct listen_conn *c, *next;
	time_t now = time(NULL);
	uint64_t handed;
	char a[ADDR_STRLEN];

	(void)fd;
	(void)what;
	for (c = ls->conns; c != NULL; c = next) {
		next = c->next;
		if (c->ans == NULL || xfr_answer_pending(c->ans))
			continue;
		handed = c->queued - evbuffer_get_length(
		    bufferevent_get_output(c->bev));
		if (handed - c->mark >= LISTEN_MIN_PROGRESS) {
			c->mark = handed;
			c->mark_time = now;
		} else if (now - c->mark_time >= LISTEN_PROGRESS_WINDOW) {
			log_limited(LISTEN_LOG_SLOW, 5, LOG_NOTICE, "TCP to %s: transfer "
			    "too slow (under %d octets in %lld s), closed",
			    addr_ntop((struct sockaddr *)&c->peer, a,
			    sizeof(a)), LISTEN_MIN_PROGRESS,
			    (long long)(now - c->mark_time));
			listen_conn_abort(c);
		}
	}
}

/* How many connections from the same client as SA are open. */
static unsigned
listen_from(const struct listen_set *ls, const struct sockaddr *sa)
{
	const struct listen_conn *c;
	unsigned n = 0;

	for (c = ls->conns; c != NULL; c = c->next)
		if (addr_same_client((const struct sockaddr *)&c->peer, sa))
			n++;
	return n;
}

int
listen_tcp_adopt(struct listen_set *ls, int fd, const struct sockaddr *sa,
    socklen_t salen)
{
	struct listen_conn *c;
	struct evbuffer *in;
	struct evbuffer_iovec v;
	char a[ADDR_STRLEN];
	unsigned from;
	ssize_t n;
#ifndef __linux__
	int one = 1;
#endif

	/* Refused before anything is read: an address no zone lists for
	 * transfers or NOTIFYs has nothing to ask over TCP, and would only
	 * hold a slot a secondary needs. */
	if ((size_t)salen > sizeof(c->peer) || !xfr_peer_listed(ls->srv, sa)) {
		log_limited(LISTEN_LOG_ACL, 2, LOG_INFO, "TCP connection from "
		    "%s refused: not in any provide-xfr:, notify: or "
		    "allow-update: list",
		    addr_ntop(sa, a, sizeof(a)));
		evutil_closesocket(fd);
		return HP_EACCES;
	}
	if ((unsigned)ls->n_conns >= ls->max_conns) {
		log_limited(LISTEN_LOG_FULL, 1, LOG_WARNING, "TCP connection "
		    "from %s refused: %d open (tcp-count: %u)", addr_ntop(sa, a,
		    sizeof(a)), ls->n_conns, ls->max_conns);
		evutil_closesocket(fd);
		return HP_EAGAIN;
	}
	if ((from = listen_from(ls, sa)) >= ls->max_per_addr) {
		log_limited(LISTEN_LOG_FULL, 1, LOG_WARNING, "TCP connection "
		    "from %s refused: %u open from it (tcp-count-per-address: "
		    "%u)", addr_ntop(sa, a, sizeof(a)), from, ls->max_per_addr);
		evutil_closesocket(fd);
		return HP_EAGAIN;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		evutil_closesocket(fd);
		return HP_ENOMEM;
	}
#ifndef __linux__
	/* (Linux: inherited from the listening socket, listen_socket()) */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
#endif
	c->ls = ls;
	memcpy(&c->peer, sa, (size_t)salen);
	c->bev = bufferevent_socket_new(ls->base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->deadline = evtimer_new(ls->base, listen_query_late, c);
	if (c->bev == NULL || c->deadline == NULL) {
		if (c->bev != NULL)
			bufferevent_free(c->bev);
		else
			evutil_closesocket(fd);
		if (c->deadline != NULL)
			event_free(c->deadline);
		free(c);
		return HP_ENOMEM;
	}
	c->next = ls->conns;
	if (ls->conns != NULL)
		ls->conns->prev = c;
	ls->conns = c;
	ls->n_conns++;
	bufferevent_setcb(c->bev, listen_conn_read, listen_conn_write,
	    listen_conn_event, c);
	/* Refill when half the fill level has gone out. */
	bufferevent_setwatermark(c->bev, EV_WRITE, LISTEN_FILL / 2, 0);
	bufferevent_setwatermark(c->bev, EV_READ, 0, 70000);
	listen_conn_timeouts(c);
	/* A client sends its query right after connecting: it is often
	 * there already, and answered at once, before the connection joins
	 * the loop (its epoll_ctl then costs the answer nothing). One read
	 * into the input, no FIONREAD first: a query is small, and what
	 * does not fit is read when the loop says. (The bufferevent keeps
	 * its input's end frozen but to itself.) */
	in = bufferevent_get_input(c->bev);
	evbuffer_unfreeze(in, 0);
	n = -1;
	if (evbuffer_reserve_space(in, LISTEN_FIRST_READ, &v, 1) == 1) {
		n = recv(fd, v.iov_base, v.iov_len, MSG_DONTWAIT);
		v.iov_len = n > 0 ? (size_t)n : 0;
		(void)evbuffer_commit_space(in, &v, 1);
	}
	evbuffer_freeze(in, 0);
	if ((n > 0 && listen_conn_process(c) < 0) || n == 0) {
		listen_conn_free(c);
		return 0;
	}
	/* EV_WRITE once something is queued (listen_conn_send): enabled on
	 * an empty buffer it costs an epoll_ctl and a wake-up for nothing. */
	bufferevent_enable(c->bev, EV_READ);
	return 0;
}

static void
listen_tcp_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	(void)l;
	(void)listen_tcp_adopt(arg, fd, sa, (socklen_t)salen);
}

int
listen_tcp_count(const struct listen_set *ls)
{
	return ls->n_conns;
}

/* ---- set up -------------------------------------------------------- */

static int
listen_socket(const struct sockaddr_storage *ss, socklen_t len, int type)
{
	int fd, one = 1, e;

	fd = socket(ss->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* every answer's last segment leaves at once (accepted sockets
	 * inherit it on Linux) */
	if (type == SOCK_STREAM)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	if (ss->ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, len) != 0 ||
	    (type == SOCK_STREAM && listen(fd, 128) != 0)) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

int
listen_open(struct event_base *base, struct xfr_server *srv,
    const struct sockaddr_storage *addrs, const socklen_t *lens, int n,
    const struct listen_limits *lim, struct listen_set **out)
{
	struct listen_set *ls;
	char a[ADDR_STRLEN];
	unsigned port;
	int i, fd;

	if ((ls = calloc(1, sizeof(*ls))) == NULL)
		return HP_ENOMEM;
	ls->base = base;
	ls->srv = srv;
	ls->max_conns = lim != NULL && lim->max_conns > 0 ? lim->max_conns :
	    256;
	ls->max_per_addr = lim != NULL && lim->max_per_addr > 0 ?
	    lim->max_per_addr : 32;
	ls->query_ms = lim != NULL && lim->query_ms > 0 ? lim->query_ms :
	    LISTEN_QUERY_MS;
	if (accept_guard_init(&ls->guard, base, "DNS TCP") < 0) {
		free(ls);
		return HP_ENOMEM;
	}
	ls->buf = malloc(LISTEN_MSG_MAX + 2);
	ls->udp = calloc((size_t)n + 1, sizeof(*ls->udp));
	ls->udp_fd = calloc((size_t)n + 1, sizeof(*ls->udp_fd));
	ls->tcp = calloc((size_t)n + 1, sizeof(*ls->tcp));
	if (ls->buf == NULL || ls->udp == NULL || ls->udp_fd == NULL ||
	    ls->tcp == NULL) {
		listen_close(ls);
		return HP_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		port = addr_port((const struct sockaddr *)&addrs[i]);
		addr_ntop((const struct sockaddr *)&addrs[i], a, sizeof(a));
		if ((fd = listen_socket(&addrs[i], lens[i], SOCK_DGRAM)) < 0)
			goto fail;
		ls->udp_fd[ls->n_udp] = fd;
		ls->udp[ls->n_udp] = event_new(base, fd, EV_READ | EV_PERSIST,
		    listen_udp_read, ls);
		if (ls->udp[ls->n_udp] == NULL ||
		    event_add(ls->udp[ls->n_udp], NULL) != 0) {
			close(fd);
			fd = HP_ENOMEM;
			goto fail;
		}
		ls->n_udp++;
		if ((fd = listen_socket(&addrs[i], lens[i], SOCK_STREAM)) < 0)
			goto fail;
		ls->tcp[ls->n_tcp] = evconnlistener_new(base,
		    listen_tcp_accept, ls, LEV_OPT_CLOSE_ON_FREE, -1, fd);
		if (ls->tcp[ls->n_tcp] == NULL) {
			close(fd);
			fd = HP_ENOMEM;
			goto fail;
		}
		/* EMFILE and the like: pause, do not spin (accept.h). */
		if (accept_guard_watch(&ls->guard, ls->tcp[ls->n_tcp]) < 0)
			log_warn("%s port %u: too many listening addresses to "
			    "pace their accept() errors", a, port);
		ls->n_tcp++;
		log_info("listening on %s port %u (UDP, TCP)", a, port);
	}
	{
		struct timeval tv = { 5, 0 };

		ls->sweep = event_new(base, -1, EV_PERSIST, listen_sweep, ls);
		if (ls->sweep == NULL || event_add(ls->sweep, &tv) != 0) {
			listen_close(ls);
			return HP_ENOMEM;
		}
	}
	*out = ls;
	return 0;
fail:
	log_err("cannot listen on %s port %u: %s", a, port, hp_strerror(fd));
	listen_close(ls);
	return fd;
}

void
listen_close(struct listen_set *ls)
{
	int i;

	if (ls == NULL)
		return;
	if (ls->sweep != NULL)
		event_free(ls->sweep);
	while (ls->conns != NULL)
		listen_conn_free(ls->conns);
	accept_guard_deinit(&ls->guard);
	while (ls->udp_wait != NULL)
		listen_udp_wait_free(ls->udp_wait);
	for (i = 0; i < ls->n_udp; i++) {
		event_free(ls->udp[i]);
		close(ls->udp_fd[i]);
	}
	for (i = 0; i < ls->n_tcp; i++)
		evconnlistener_free(ls->tcp[i]);
	free(ls->udp);
	free(ls->udp_fd);
	free(ls->tcp);
	free(ls->buf);
	free(ls);
}
