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
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "agent/daemon/listen.h"
#include "agent/daemon/xfr.h"
#include "dns/addr.h"
#include "dns/err.h"
#include "dns/log.h"

#define LISTEN_MAX_TCP		256	/* connections at once */
#define LISTEN_TCP_IDLE		30	/* seconds without a query */
#define LISTEN_TCP_WRITE	120	/* seconds without write progress */
#define LISTEN_FILL		(256 * 1024) /* refill below this many octets */
#define LISTEN_MSG_MAX		65535
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
	uint8_t *buf;		/* one message, shared: the loop is serial */
	struct event *sweep;	/* checks transfer progress */
	struct listen_udp_wait *udp_wait;
};

struct listen_conn {
	struct listen_set *ls;
	struct bufferevent *bev;
	struct xfr_answer *ans;	/* the answer being written, or NULL */
	struct sockaddr_storage peer;
	uint64_t queued;	/* octets of answers put in the output */
	uint64_t mark;		/* octets handed to the kernel at mark_time */
	time_t mark_time;	/* when the transfer last made progress */
	struct listen_conn *prev, *next;
};

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

	if (c->ans != NULL)
		xfr_answer_free(c->ans);
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

/* Write messages of the current answer until the buffer is full enough. */
static int
listen_conn_fill(struct listen_conn *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	uint8_t *buf = c->ls->buf;
	size_t len;
	int r;

	while (c->ans != NULL && evbuffer_get_length(out) < LISTEN_FILL) {
		r = xfr_answer_next(c->ans, buf + 2, LISTEN_MSG_MAX, &len);
		if (r < 0)
			return r;
		if (r == XFR_PENDING) {
			xfr_answer_set_wake(c->ans, listen_conn_wake, c);
			break;
		}
		if (r == 0) {
			xfr_answer_free(c->ans);
			c->ans = NULL;
			listen_conn_timeouts(c);
			break;
		}
		buf[0] = (uint8_t)(len >> 8);
		buf[1] = (uint8_t)len;
		if (evbuffer_add(out, buf, len + 2) != 0)
			return HP_ENOMEM;
		c->queued += len + 2;
	}
	return 0;
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
		if (evbuffer_copyout(in, hdr, 2) != 2)
			return 0;
		qlen = (size_t)hdr[0] << 8 | hdr[1];
		if (evbuffer_get_length(in) < qlen + 2)
			return 0;
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
	if (c->ans != NULL)
		r = listen_conn_fill(c);
	else
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
			log_limited(11, 5, LOG_NOTICE, "TCP to %s: transfer "
			    "too slow (under %d octets in %lld s), closed",
			    addr_ntop((struct sockaddr *)&c->peer, a,
			    sizeof(a)), LISTEN_MIN_PROGRESS,
			    (long long)(now - c->mark_time));
			listen_conn_abort(c);
		}
	}
}

static void
listen_tcp_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct listen_set *ls = arg;
	struct listen_conn *c;
	int one = 1;

	(void)l;
	if (ls->n_conns >= LISTEN_MAX_TCP || (size_t)salen > sizeof(c->peer) ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		log_limited(10, 1, LOG_WARNING, "TCP connection refused: %d "
		    "open", ls->n_conns);
		evutil_closesocket(fd);
		return;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->ls = ls;
	memcpy(&c->peer, sa, (size_t)salen);
	c->bev = bufferevent_socket_new(ls->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		evutil_closesocket(fd);
		free(c);
		return;
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
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
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
    struct listen_set **out)
{
	struct listen_set *ls;
	char a[ADDR_STRLEN];
	unsigned port;
	int i, fd;

	if ((ls = calloc(1, sizeof(*ls))) == NULL)
		return HP_ENOMEM;
	ls->base = base;
	ls->srv = srv;
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
