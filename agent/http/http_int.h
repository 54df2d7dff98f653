/*
 * http_int.h -- internal to the HTTP server: the transport (http.c) and
 * its front door (gate.c), which sees every connection and the head of
 * every request before evhttp does.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_HTTP_INT_H
#define HP_HTTP_INT_H

#include <stdint.h>

#include "agent/http/accept.h"
#include "agent/http/http.h"

struct event;
struct evhttp;
struct evhttp_bound_socket;
struct evhttp_request;
struct gate_conn;

/* log_limited() keys of agent/http (dns/log.h) */
#define HTTP_LOG_AUTH	12	/* credentials refused */
#define HTTP_LOG_GATE	13	/* connections and heads refused */

struct http_req {
	struct http_server *srv;
	struct evhttp_request *ev;
	enum http_route_id route;
	char zone[256];
	int auth;			/* HTTP_AUTH_* that let it in */
	int force;			/* ?force=1 */
	int purge;			/* ?purge=1 */
	char delivery[HTTP_DELIVERY_MAX + 1];	/* the sender's id, or "" */
	int delivery_held;		/* announced with delivery_begin */
	struct http_req *prev, *next;	/* srv->deferred */
};

struct http_server {
	struct event_base *base;
	struct evhttp *http;
	struct http_actions act;
	const char *secret;
	const char *token;
	int max_wait_s;
	unsigned pending;
	struct http_req *deferred;
	uint64_t by_class[6];		/* answers by status / 100 */
	uint64_t auth_failures;
	/* The gate (gate.c). */
	uint64_t max_body;		/* a body under a token */
	uint64_t webhook_max_body;	/* a body under a signature only */
	uint64_t unverified_cap;	/* such bodies at once, in octets */
	uint64_t unverified;		/* ... being received now */
	unsigned max_conns, max_per_addr, nconns;
	int request_timeout_s;
	struct gate_conn *conns;
	struct event *admit;		/* new connections: check their peer */
	struct accept_guard guard;
	uint64_t conns_refused;		/* over a limit, at accept */
	uint64_t deadline_cuts;		/* not received within the deadline */
};

/* An answer of STATUS counted by its class (1xx..5xx; 0: other), for
 * /metrics: by the transport and by the gate. */
static inline void
http_count(struct http_server *srv, int status)
{
	int c = status / 100;

	srv->by_class[c >= 1 && c <= 5 ? c : 0]++;
}

/* http.c */
const char *http_reason(int status);

/* gate.c: set the gate up on SRV's evhttp (before binding); watch a
 * listening socket; a request reached the handler (its body is in);
 * stop (before evhttp_free). */
int gate_init(struct http_server *srv);
int gate_watch(struct http_server *srv, struct evhttp_bound_socket *b);
void gate_request_in(struct http_server *srv, struct evhttp_request *ev);
void gate_deinit(struct http_server *srv);

#endif
