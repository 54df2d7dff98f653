/*
 * gate.c -- the HTTP server's front door. evhttp reads a request's whole
 * body before its handler runs, and libevent 2.1 lets no handler see a
 * server request earlier (evhttp_set_newreqcb, which would allow a header
 * callback, came with 2.2). So every connection gets a filtering
 * bufferevent (evhttp_set_bevcb) whose input filter sees the bytes before
 * evhttp does:
 *
 *   - at accept: connections in total (http-max-connections: the
 *     listener pauses at the limit) and per client address
 *     (http-max-connections-per-address:, IPv6 by /64) are counted; one
 *     over is closed at once;
 *   - the head (request line and header fields, at most GATE_HEAD_MAX
 *     octets) is held until complete, then checked: obs-fold, malformed
 *     or duplicated Content-Length, Transfer-Encoding, duplicated
 *     credentials: 400/411; the credentials that need no body (bearer
 *     token, X-Gitlab-Token) are checked now (http_auth_headers); a
 *     request with none, or a wrong one, is answered 401/403 here and its
 *     body never read; a body over what its credential allows (a token:
 *     max-zone-size; only a signature: webhook-max-body; GET and others:
 *     none) is answered 413 here;
 *   - bodies that only a signature will authenticate are held to a budget
 *     (GATE_UNVERIFIED_FACTOR x webhook-max-body at once; 503 over it);
 *   - the whole request, head and body, must arrive within
 *     http-request-timeout: seconds of the accept (408 and closed
 *     otherwise), however slowly it trickles;
 *   - one request per connection: every answer says Connection: close,
 *     so what a client sends after its request is discarded.
 * Only what passes reaches evhttp, which parses it again (its parser
 * stays the reference; this one only refuses). An answer from here is
 * written straight to the socket, its reading side drained for a moment
 * (so that the client sees the answer rather than a reset), then closed.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "agent/http/auth.h"
#include "agent/http/routes.h"
#include "agent/http/http_int.h"
#include "agent/http/json.h"
#include "dns/addr.h"
#include "dns/err.h"
#include "dns/log.h"

#define GATE_HEAD_MAX		(24 * 1024)	/* request line + fields */
#define GATE_UNVERIFIED_FACTOR	2
#define GATE_LINGER_TICK_MS	250
#define GATE_LINGER_TICKS	8		/* 2 s at most */
#define GATE_READ_SIZE		(16384 - 256)	/* fits a 16 KiB chain */

enum gate_state {
	G_HEAD,		/* reading the head */
	G_BODY,		/* passing the body on */
	G_DONE,		/* the request is with evhttp */
	G_ANSWERED,	/* answered here: draining, then closed */
};

struct gate_conn {
	struct http_server *srv;	/* NULL once the server is gone */
	struct bufferevent *bev;	/* the filter, evhttp's */
	struct sockaddr_storage peer;
	int admitted;
	enum gate_state st;
	struct evbuffer *head;
	struct evbuffer *out;		/* an answer of the gate's own */
	size_t scan;			/* the head's first incomplete line */
	uint64_t left;			/* body octets still to pass on */
	uint64_t reserved;		/* of srv->unverified */
	struct event *timer;		/* the deadline, then the lingering */
	struct event *writable;		/* evhttp's output waits for room */
	int ticks, shut, closed;
	struct gate_conn *prev, *next;
};

/* The head's fields the gate decides on (first occurrence, value trimmed;
 * counts for those that must not repeat). */
struct gate_head {
	int method;			/* HTTP_M_* */
	const char *path;		/* for the log */
	size_t pathlen;
	struct http_auth_input auth;
	int n_auth[4];
	const char *cl, *te;
	int n_cl, n_te;
	char buf[GATE_HEAD_MAX + 1];	/* the head, NUL-separated */
};

/* ---- connections ------------------------------------------------------ */

/* Is the connection still evhttp's? bufferevent_free() clears the
 * callbacks, so a connection evhttp has freed has none (its memory lives
 * until the finalizer calls gate_conn_free). */
static int
conn_alive(const struct gate_conn *c)
{
	bufferevent_event_cb ecb = NULL;

	if (c->closed)
		return 0;
	bufferevent_getcb(c->bev, NULL, NULL, &ecb, NULL);
	return ecb != NULL;
}

/* Close C through evhttp's own path for a client gone away: it frees the
 * connection (and detaches a request a handler still holds). */
static void
conn_close(struct gate_conn *c)
{
	if (!conn_alive(c))
		return;
	c->closed = 1;
	bufferevent_trigger_event(c->bev, BEV_EVENT_EOF | BEV_EVENT_READING,
	    0);
}

static void
conn_release(struct gate_conn *c)
{
	if (c->srv != NULL && c->reserved > 0)
		c->srv->unverified -= c->reserved;
	c->reserved = 0;
}

static void
conn_unlink(struct gate_conn *c)
{
	struct http_server *srv = c->srv;

	if (srv == NULL)
		return;
	conn_release(c);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	srv->nconns--;
	accept_guard_full(&srv->guard, srv->nconns >= srv->max_conns);
	c->srv = NULL;
}

/* The filter's free_context: the bufferevent is being destroyed. */
static void
gate_conn_free(void *arg)
{
	struct gate_conn *c = arg;

	conn_unlink(c);
	if (c->timer != NULL)
		event_free(c->timer);
	if (c->writable != NULL)
		event_free(c->writable);
	if (c->head != NULL)
		evbuffer_free(c->head);
	if (c->out != NULL)
		evbuffer_free(c->out);
	free(c);
}

static const char *
conn_peer(const struct gate_conn *c, char *buf, size_t len)
{
	if (c->peer.ss_family == AF_UNIX)
		return "local";
	return addr_ntop((const struct sockaddr *)&c->peer, buf, len);
}

/* ---- answering from here ---------------------------------------------- */

static void
arm(struct gate_conn *c, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(c->timer, &tv);
}

/* The reason phrase of a status line the gate writes (RFC 9110 15). */
static const char *
status_phrase(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	default:  return "Internal Server Error";
	}
}

/*
 * Write what OUT holds to C's socket, as much as the kernel takes now;
 * the rest when it is writable. 0, or -1 when the client is gone (OUT is
 * emptied then).
 */
static int
conn_send(struct gate_conn *c, struct evbuffer *out)
{
	evutil_socket_t fd = bufferevent_getfd(c->bev);
	int n;

	while (evbuffer_get_length(out) > 0) {
		if ((n = evbuffer_write(out, fd)) > 0)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR)) {
			if (c->writable != NULL)
				event_add(c->writable, NULL);
			return 0;
		}
		evbuffer_drain(out, evbuffer_get_length(out));
		return -1;
	}
	return 0;
}

/*
 * Answer STATUS {"error": WHY} straight to the socket, read nothing more,
 * close after a moment. The request never reaches evhttp.
 */
static void
conn_answer(struct gate_conn *c, int status, const char *why)
{
	struct http_server *srv = c->srv;
	json_t *doc = hjson_error(why);
	size_t tlen = 0;
	char *text = doc != NULL ? hjson_text(doc, &tlen) : NULL;
	const char *body = text != NULL ? text : "{}\n";

	json_decref(doc);
	c->st = G_ANSWERED;
	conn_release(c);
	evbuffer_drain(c->head, evbuffer_get_length(c->head));
	http_count(srv, status);
	if (status == 401 || status == 403)
		srv->auth_failures++;
	(void)evbuffer_add_printf(c->out, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: application/json\r\nCache-Control: no-store\r\n"
	    "%sContent-Length: %zu\r\nConnection: close\r\n\r\n%s", status,
	    status_phrase(status), status == 503 ? "Retry-After: 5\r\n" : "",
	    strlen(body), body);
	free(text);
	(void)conn_send(c, c->out);
	c->ticks = 0;
	arm(c, GATE_LINGER_TICK_MS);
}

/* Lingering after an answer: once it is out, half-close; then wait a
 * moment for the client to close (its remaining bytes are discarded), so
 * that it reads the answer instead of a reset. */
static void
conn_linger(struct gate_conn *c)
{
	if (!c->shut && evbuffer_get_length(c->out) == 0) {
		(void)shutdown(bufferevent_getfd(c->bev), SHUT_WR);
		c->shut = 1;
	}
	if (++c->ticks >= GATE_LINGER_TICKS)
		conn_close(c);
	else
		arm(c, GATE_LINGER_TICK_MS);
}

static void
gate_timer(evutil_socket_t fd, short what, void *arg)
{
	struct gate_conn *c = arg;
	char a[ADDR_STRLEN];

	(void)fd;
	(void)what;
	if (!conn_alive(c) || c->srv == NULL)
		return;
	switch (c->st) {
	case G_HEAD:
	case G_BODY:
		c->srv->deadline_cuts++;
		log_limited(HTTP_LOG_GATE, 5, LOG_NOTICE, "http: request from "
		    "%s not received in full within %d s: closed",
		    conn_peer(c, a, sizeof(a)), c->srv->request_timeout_s);
		conn_answer(c, 408, "request not received in full within the "
		    "server's deadline (http-request-timeout:)");
		break;
	case G_ANSWERED:
		conn_linger(c);
		break;
	case G_DONE:
		break;
	}
}

/* ---- the head --------------------------------------------------------- */

/* RFC 9110 5.6.2 token characters. */
static int
is_tchar(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || (ch != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

static int
method_of(const char *m, size_t len)
{
	if (len == 4 && memcmp(m, "POST", 4) == 0)
		return HTTP_M_POST;
	if (len == 3 && memcmp(m, "GET", 3) == 0)
		return HTTP_M_GET;
	if (len == 4 && memcmp(m, "HEAD", 4) == 0)
		return HTTP_M_HEAD;
	if (len == 6 && memcmp(m, "DELETE", 6) == 0)
		return HTTP_M_DELETE;
	return HTTP_M_OTHER;
}

/* One field NAME: VALUE (both NUL-terminated in the head's copy). */
static void
take_field(struct gate_head *h, const char *name, const char *value)
{
	static const char *const creds[4] = { "X-Hub-Signature-256",
	    "X-Gitea-Signature", "X-Gitlab-Token", "Authorization" };
	const char **slot[4] = { &h->auth.hub_signature_256,
	    &h->auth.gitea_signature, &h->auth.gitlab_token,
	    &h->auth.authorization };
	int i;

	if (strcasecmp(name, "Content-Length") == 0) {
		if (h->n_cl++ == 0)
			h->cl = value;
		return;
	}
	if (strcasecmp(name, "Transfer-Encoding") == 0) {
		if (h->n_te++ == 0)
			h->te = value;
		return;
	}
	for (i = 0; i < 4; i++)
		if (strcasecmp(name, creds[i]) == 0 && h->n_auth[i]++ == 0)
			*slot[i] = value;
}

/*
 * Split the head (LEN octets in H->buf, the blank line excluded) into the
 * request line and its fields. 0, or 400 with *WHY.
 */
static int
parse_head(struct gate_head *h, size_t len, const char **why)
{
	char *p = h->buf, *end = h->buf + len, *eol, *colon, *v, *e;
	const char *sp;
	int first = 1;

	h->buf[len] = '\0';
	for (; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		e = eol;
		if (e > p && e[-1] == '\r')
			e--;
		*e = '\0';
		if (first) {
			first = 0;
			if ((sp = strchr(p, ' ')) == NULL) {
				*why = "malformed request line";
				return 400;
			}
			h->method = method_of(p, (size_t)(sp - p));
			h->path = sp + 1;
			h->pathlen = strcspn(h->path, " ?");
			continue;
		}
		if (*p == ' ' || *p == '\t') {
			/* RFC 9112 5.2: reject obs-fold. */
			*why = "folded header field (obs-fold) refused";
			return 400;
		}
		if ((colon = strchr(p, ':')) == NULL || colon == p) {
			*why = "malformed header field";
			return 400;
		}
		for (v = p; v < colon; v++)
			if (!is_tchar((unsigned char)*v)) {
				/* "Content-Length : 5" is no Content-Length
				 * to evhttp but may be one to a proxy. */
				*why = "malformed header field name";
				return 400;
			}
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		take_field(h, p, v);
	}
	return first ? (*why = "empty request", 400) : 0;
}

/* The body length the head announces, checked. 0 or 400/411 with *WHY. */
static int
body_length(const struct gate_head *h, uint64_t *len, const char **why)
{
	const char *p;
	uint64_t n = 0;

	*len = 0;
	if (h->n_cl > 1) {
		/* Smuggling: a proxy may take the last, evhttp the first. */
		*why = "duplicate Content-Length refused";
		return 400;
	}
	if (h->n_te > 0 && h->n_cl > 0) {
		*why = "Content-Length with Transfer-Encoding refused";
		return 400;
	}
	if (h->n_te > 0) {
		*why = "Transfer-Encoding is not accepted: send the body with "
		    "a Content-Length";
		return 411;
	}
	if (h->cl == NULL)
		return 0;
	for (p = h->cl; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || n > (UINT64_MAX - 9) / 10) {
			*why = "malformed Content-Length";
			return 400;
		}
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (p == h->cl) {
		*why = "malformed Content-Length";
		return 400;
	}
	*len = n;
	return 0;
}

/*
 * Decide on the complete head of LEN octets at the start of C->head.
 * Returns 0 (let it through: C->left set) or the status to answer with
 * (*WHY set).
 */
static int
judge_head(struct gate_conn *c, size_t len, const char **why)
{
	struct http_server *srv = c->srv;
	struct gate_head *h;
	uint64_t cl, allowed;
	int how, status, r;
	char a[ADDR_STRLEN];

	if ((h = calloc(1, sizeof(*h))) == NULL) {
		*why = "out of memory";
		return 503;
	}
	if (evbuffer_copyout(c->head, h->buf, len) != (ev_ssize_t)len) {
		free(h);
		*why = "internal error";
		return 500;
	}
	if ((status = parse_head(h, len, why)) != 0 ||
	    (status = body_length(h, &cl, why)) != 0)
		goto out;
	for (r = 0; r < 4; r++)
		if (h->n_auth[r] > 1) {
			*why = "a credential header appears twice";
			status = 400;
			goto out;
		}
	r = http_auth_headers(srv->secret, srv->token, h->method, &h->auth,
	    &how, why);
	if (r < 0) {
		status = r == HP_ENOTSUP ? 403 : 401;
		log_limited(HTTP_LOG_AUTH, 5, LOG_WARNING, "http: %s %.*s from "
		    "%s refused before its body: %s", h->method == HTTP_M_POST ?
		    "POST" : h->method == HTTP_M_DELETE ? "DELETE" : "GET",
		    (int)(h->pathlen < 200 ? h->pathlen : 200),
		    h->path, conn_peer(c, a, sizeof(a)), *why);
		goto out;
	}
	allowed = h->method != HTTP_M_POST ? 0 : how == HTTP_AUTH_SIGNATURE ?
	    srv->webhook_max_body : srv->max_body;
	if (cl > allowed) {
		*why = h->method != HTTP_M_POST ? "this method takes no body" :
		    how == HTTP_AUTH_SIGNATURE ? "body over webhook-max-body "
		    "(the most read before a signature is checked; a bearer "
		    "token allows up to max-zone-size)" : "body over "
		    "max-zone-size";
		status = 413;
		goto out;
	}
	if (how == HTTP_AUTH_SIGNATURE && cl > 0) {
		if (srv->unverified + cl > srv->unverified_cap) {
			*why = "too many unverified uploads at once; try again "
			    "later";
			status = 503;
			goto out;
		}
		srv->unverified += cl;
		c->reserved = cl;
	}
	c->left = cl;
out:
	free(h);
	return status;
}

/*
 * Pass up to C->left octets of SRC on to DST, copied. Moving the chains
 * would be cheaper but costly in memory: libevent reads 4 KiB at a time
 * into 8 KiB chains, which stay half empty when taken away at once; a
 * body kept until its signature is checked would cost twice its size.
 */
static void
pass_body(struct gate_conn *c, struct evbuffer *src, struct evbuffer *dst)
{
	struct evbuffer_iovec v;
	size_t n = evbuffer_get_length(src), k;

	if (n > c->left)
		n = (size_t)c->left;
	while (n > 0 && evbuffer_peek(src, -1, NULL, &v, 1) >= 1) {
		k = v.iov_len < n ? v.iov_len : n;
		if (evbuffer_add(dst, v.iov_base, k) != 0)
			break;		/* out of memory: the rest waits */
		evbuffer_drain(src, k);
		n -= k;
		c->left -= k;
	}
	if (c->left == 0) {
		/* Complete: evhttp has it all; no deadline any more. */
		c->st = G_DONE;
		evtimer_del(c->timer);
	}
}

/*
 * The end of the head in C->head: the length of the head without its
 * blank line into *HLEN, with it into *TOTAL; 0 when it is not there yet.
 * Lines end with LF or CRLF, as evhttp reads them. The scan resumes at
 * the line not yet complete (C->scan), so a head trickled an octet at a
 * time costs each octet once.
 */
static int
head_end(struct gate_conn *c, size_t *hlen, size_t *total)
{
	struct evbuffer_ptr pos, eol;
	size_t eol_len;

	if (evbuffer_ptr_set(c->head, &pos, c->scan, EVBUFFER_PTR_SET) != 0)
		return 0;
	for (;;) {
		eol_len = 0;
		eol = evbuffer_search_eol(c->head, &pos, &eol_len,
		    EVBUFFER_EOL_CRLF);
		if (eol.pos < 0)
			return 0;
		if (eol.pos == pos.pos && pos.pos > 0) {
			*hlen = (size_t)pos.pos;
			*total = (size_t)pos.pos + eol_len;
			return 1;
		}
		if (evbuffer_ptr_set(c->head, &eol, eol_len,
		    EVBUFFER_PTR_ADD) != 0)
			return 0;
		pos = eol;
		c->scan = (size_t)pos.pos;
	}
}

static void
on_head(struct gate_conn *c, struct evbuffer *dst)
{
	size_t hlen, total;
	const char *why = NULL;
	int status;

	if (!head_end(c, &hlen, &total)) {
		if (evbuffer_get_length(c->head) >= GATE_HEAD_MAX)
			conn_answer(c, 431, "request head too large");
		return;
	}
	if (hlen > GATE_HEAD_MAX) {
		conn_answer(c, 431, "request head too large");
		return;
	}
	if ((status = judge_head(c, hlen, &why)) != 0) {
		conn_answer(c, status, why);
		return;
	}
	(void)evbuffer_remove_buffer(c->head, dst, total);
	c->st = G_BODY;
	pass_body(c, c->head, dst);
	/* After the request: nothing more is read on this connection. */
	evbuffer_drain(c->head, evbuffer_get_length(c->head));
}

static enum bufferevent_filter_result
gate_input(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t limit,
    enum bufferevent_flush_mode mode, void *arg)
{
	struct gate_conn *c = arg;

	(void)limit;
	(void)mode;
	if (c->srv == NULL || c->closed) {
		evbuffer_drain(src, evbuffer_get_length(src));
		return BEV_OK;
	}
	switch (c->st) {
	case G_HEAD:
		(void)evbuffer_add_buffer(c->head, src);
		on_head(c, dst);
		break;
	case G_BODY:
		pass_body(c, src, dst);
		break;
	case G_DONE:
	case G_ANSWERED:
		break;
	}
	evbuffer_drain(src, evbuffer_get_length(src));
	return BEV_OK;
}

/* ---- evhttp's answers ------------------------------------------------- */

/*
 * The output filter. A filter's write callback runs once its own output
 * has moved on to the socket bufferevent's, not once the kernel has it;
 * evhttp then closes (Connection: close) and what was still queued is
 * lost. So evhttp's output goes to the socket here, directly: the filter's
 * output empties only when the kernel has taken all of it. What the
 * kernel does not take now waits for the socket to be writable.
 */
static enum bufferevent_filter_result
gate_output(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t limit,
    enum bufferevent_flush_mode mode, void *arg)
{
	struct gate_conn *c = arg;

	(void)dst;
	(void)limit;
	(void)mode;
	/* A client gone: what it would have read is dropped (conn_send
	 * empties SRC), and evhttp closes as after any answer. */
	(void)conn_send(c, src);
	return evbuffer_get_length(src) > 0 ? BEV_NEED_MORE : BEV_OK;
}

/* evhttp queues an answer with writing disabled, then enables it, which
 * does not run the filter: the filter is run from the loop as soon as
 * something is queued. */
static void
gate_queued(struct evbuffer *b, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct gate_conn *c = arg;

	(void)b;
	if (info->n_added > 0 && c->writable != NULL)
		event_active(c->writable, EV_WRITE, 0);
}

static void
gate_writable(evutil_socket_t fd, short what, void *arg)
{
	struct gate_conn *c = arg;

	(void)fd;
	(void)what;
	if (!conn_alive(c))
		return;
	if (c->st == G_ANSWERED)
		(void)conn_send(c, c->out);
	else	/* through the filter, which holds a reference meanwhile */
		(void)bufferevent_flush(c->bev, EV_WRITE, BEV_NORMAL);
}

/* ---- accepting -------------------------------------------------------- */

static struct bufferevent *
gate_bevcb(struct event_base *base, void *arg)
{
	struct http_server *srv = arg;
	struct bufferevent *under, *bev;
	struct gate_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->head = evbuffer_new()) == NULL ||
	    (c->out = evbuffer_new()) == NULL ||
	    (c->timer = evtimer_new(base, gate_timer, c)) == NULL ||
	    (under = bufferevent_socket_new(base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		goto fail;
	if ((bev = bufferevent_filter_new(under, gate_input, gate_output,
	    BEV_OPT_CLOSE_ON_FREE, gate_conn_free, c)) == NULL) {
		bufferevent_free(under);
		goto fail;
	}
	/*
	 * Nothing is written through the socket bufferevent: evhttp's output
	 * goes to the socket from the filter (gate_output), the gate's own
	 * from conn_send. Its write callback must never run: libevent 2.1's
	 * filter calls the filter from it without holding a reference, and
	 * evhttp freeing the connection in its own write callback there
	 * leaves a timer armed on freed memory.
	 */
	bufferevent_disable(under, EV_WRITE);
	/* A read of 16 KiB makes a 32 KiB buffer chain (libevent rounds the
	 * chain and its header up to a power of two): a body held until its
	 * signature is checked would cost twice its size. */
	(void)bufferevent_set_max_single_read(under, GATE_READ_SIZE);
	if (evbuffer_add_cb(bufferevent_get_output(bev), gate_queued, c) ==
	    NULL) {
		bufferevent_free(bev);	/* gate_conn_free frees C */
		return NULL;
	}
	c->bev = bev;
	c->srv = srv;
	c->next = srv->conns;
	if (c->next != NULL)
		c->next->prev = c;
	srv->conns = c;
	srv->nconns++;
	/* At the limit: stop accepting (the kernel's backlog holds the
	 * next ones) until a connection ends. */
	accept_guard_full(&srv->guard, srv->nconns >= srv->max_conns);
	/* The socket is set on BEV after this returns: look at the peer
	 * once the accept callback is over, before anything is read. */
	event_active(srv->admit, EV_TIMEOUT, 0);
	return bev;
fail:
	/* evhttp then makes a plain socket bufferevent: this connection
	 * goes ungated, which is better than none at all being served. */
	log_limited(HTTP_LOG_GATE, 1, LOG_ERR, "http: out of memory for a "
	    "connection");
	if (c != NULL) {
		if (c->timer != NULL)
			event_free(c->timer);
		if (c->head != NULL)
			evbuffer_free(c->head);
		if (c->out != NULL)
			evbuffer_free(c->out);
		free(c);
	}
	return NULL;
}

/* New connections: their peer, the per-address limit, the deadline. */
static void
gate_admit(evutil_socket_t fd, short what, void *arg)
{
	struct http_server *srv = arg;
	struct timeval tv = { srv->request_timeout_s, 0 };
	struct gate_conn *c, *o;
	socklen_t len;
	unsigned same;
	char a[ADDR_STRLEN];

	(void)fd;
	(void)what;
	for (c = srv->conns; c != NULL; c = c->next) {
		if (c->admitted)
			continue;
		c->admitted = 1;
		if (!conn_alive(c))
			continue;
		len = sizeof(c->peer);
		if (getpeername(bufferevent_getfd(c->bev),
		    (struct sockaddr *)&c->peer, &len) != 0 ||
		    (c->writable = event_new(srv->base,
		    bufferevent_getfd(c->bev), EV_WRITE, gate_writable, c)) ==
		    NULL) {
			conn_close(c);
			continue;
		}
		same = 0;
		for (o = srv->conns; o != NULL; o = o->next)
			if (o->admitted && !o->closed &&
			    addr_same_client((struct sockaddr *)&o->peer,
			    (struct sockaddr *)&c->peer))
				same++;
		if (same > srv->max_per_addr) {
			srv->conns_refused++;
			log_limited(HTTP_LOG_GATE, 2, LOG_NOTICE, "http: "
			    "connection from %s refused: %u open from that "
			    "address (http-max-connections-per-address: %u)",
			    conn_peer(c, a, sizeof(a)), same - 1,
			    srv->max_per_addr);
			conn_close(c);
			continue;
		}
		evtimer_add(c->timer, &tv);
	}
}

void
gate_request_in(struct http_server *srv, struct evhttp_request *ev)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(ev);
	struct bufferevent *bev;
	struct gate_conn *c;

	if (evcon == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL)
		return;
	for (c = srv->conns; c != NULL; c = c->next)
		if (c->bev == bev) {
			/* Its signature is checked now: the budget is free
			 * again; and the deadline is over. */
			conn_release(c);
			c->st = G_DONE;
			evtimer_del(c->timer);
			return;
		}
}

/* ---- set-up ----------------------------------------------------------- */

int
gate_init(struct http_server *srv)
{
	int r;

	if ((srv->admit = event_new(srv->base, -1, 0, gate_admit, srv)) ==
	    NULL)
		return HP_ENOMEM;
	if ((r = accept_guard_init(&srv->guard, srv->base, "http")) < 0)
		return r;
	srv->unverified_cap = GATE_UNVERIFIED_FACTOR * srv->webhook_max_body;
	evhttp_set_bevcb(srv->http, gate_bevcb, srv);
	return 0;
}

int
gate_watch(struct http_server *srv, struct evhttp_bound_socket *b)
{
	struct evconnlistener *l = evhttp_bound_socket_get_listener(b);

	return l != NULL ? accept_guard_watch(&srv->guard, l) : HP_EINVAL;
}

void
gate_deinit(struct http_server *srv)
{
	struct gate_conn *c;

	/* The connections outlive the server by a finalizer: cut them
	 * loose (gate_conn_free then frees only their own memory). */
	while ((c = srv->conns) != NULL) {
		if (c->timer != NULL) {
			event_free(c->timer);
			c->timer = NULL;
		}
		if (c->writable != NULL) {
			event_free(c->writable);
			c->writable = NULL;
		}
		conn_unlink(c);
	}
	if (srv->admit != NULL)
		event_free(srv->admit);
	srv->admit = NULL;
	accept_guard_deinit(&srv->guard);
}
