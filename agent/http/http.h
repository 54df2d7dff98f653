/*
 * http.h -- the webhook / API server (libevent evhttp on `http-listen:`):
 * the transport (http.c), the routes (routes.c, routes.h), the credentials
 * (auth.c, auth.h); documents are JSON through libjansson (json.h). The actions
 * behind the routes are the daemon's (api.h).
 *
 * Routes (anything else: 404; a known path with another method: 405):
 *   POST /v1/zones/{zone}/publish[?wait=S]   publish (body or fetch)
 *   POST /v1/zones/{zone}/rollback[?wait=S]  body {"serial": N}
 *   GET  /v1/zones                           list
 *   GET  /v1/zones/{zone}                    one zone
 *   GET  /v1/zones/{zone}/status             secondaries' state
 *   GET  /metrics                            Prometheus text format
 * HEAD is answered like GET. {zone} is checked (letters, digits, '-', '_',
 * labels of 1..63, 253 characters at most, trailing dot optional) and
 * handed to the actions lowercase with a trailing dot ("example.com.").
 * ?wait=S (0..max_wait_s seconds) asks the action to answer only when the
 * secondaries have the new serial or S seconds have passed. ?force=1 on a
 * publish lets it past max-delete (http_req_force).
 *
 * Authentication (http_auth_headers on the head, before any body is read;
 * http_auth_check once it is):
 *   - POST and DELETE always need a credential; with neither
 *     webhook-secret nor api-token configured they get 403. A DELETE
 *     needs a token: a signature covers a body, and a DELETE has none.
 *   - GET/HEAD need `Authorization: Bearer <api-token>` when api-token is
 *     configured, and are open otherwise -- but for the routes that show
 *     configuration (GET /v1/zones/{zone}: its source:; .../status: its
 *     secondaries), which need the token and answer 403 when none is
 *     configured.
 *   - Credentials: `X-Hub-Signature-256: sha256=<hex>` (GitHub, Gitea,
 *     Forgejo) or `X-Gitea-Signature: <hex>`, the HMAC-SHA256 of the raw
 *     body under webhook-secret; `X-Gitlab-Token: <webhook-secret>`;
 *     `Authorization: Bearer <api-token>`. Every credential presented must
 *     be valid (a wrong one is never excused by a right one), at least one
 *     must be; comparisons are constant-time. Failure: 401 with
 *     {"error": "..."} and the action is not called. A token is checked
 *     on the head: a request without a credential, or with a wrong token,
 *     is answered before its body is read. A signature can only be
 *     checked with the body: such a body is read up to webhook_max_body
 *     (413 over it, before reading), a token's up to max_body.
 *   - A POST carrying a delivery id (X-GitHub-Delivery, X-Gitea-Delivery,
 *     X-Gitlab-Event-UUID) is refused 409 when the delivery_begin action
 *     says the id was seen before (a replay); delivery_end tells how it
 *     was answered.
 *
 * Publish bodies: a webhook event (header X-GitHub-Event, X-Gitea-Event,
 * X-Gogs-Event or X-Gitlab-Event, or Content-Type application/json)
 * only triggers a fetch of the zone's
 * configured source: the action gets BODY == NULL. GitHub's "ping" event
 * is answered 200 without calling the action. Any other non-empty body is
 * the zone text itself; when only a signature authenticated it
 * (http_req_auth() says HTTP_AUTH_SIGNATURE), the signature covers the
 * body but not the URL's zone: the action must make the text name its
 * zone itself.
 *
 * Limits (gate.c): connections at once in total (max_conns: the listener
 * pauses) and per client address (max_per_addr, IPv6 by /64: closed at
 * accept); the whole request must arrive within request_timeout_s of the
 * accept (408, closed); one request per connection (Connection: close);
 * the head at most 24 KiB, header fields 16 KiB; a body only with
 * Content-Length (411 for Transfer-Encoding, 400 for a duplicate or
 * malformed Content-Length or for obs-fold); a body over its
 * credential's limit gets 413 before it is read; bodies under a signature
 * only are held to 2 x webhook_max_body at once (503 over it). An accept
 * that fails (EMFILE, ENFILE) pauses the listener for a second (accept.h)
 * rather than spinning. A connection idle for timeout_s while an answer
 * is written is closed; a deferred request is not subject to the
 * deadline. Every other answer is JSON (Content-Type application/json,
 * Cache-Control no-store), errors as {"error": "..."}.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_HTTP_H
#define HP_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct event_base;
struct evbuffer;
struct http_server;
struct http_req;	/* one request an action may answer later */

/* What an action returns (besides a negative HP_E*: 500 with its name). */
#define HTTP_REPLY_NOW	0	/* http.c answers *STATUS with *OUT */
#define HTTP_DEFERRED	1	/* the action keeps REQ; it will call
				   http_reply_json() exactly once, from a
				   later event (never before returning) */

/*
 * The integrator's side. Each action may set *OUT to a JSON document (the
 * transport sends and frees it; NULL with a status >= 400 becomes
 * {"error": "<reason phrase>"}, NULL otherwise {}) and sets *STATUS (preset
 * to 200). A NULL action answers 501.
 */
struct http_actions {
	void *arg;
	/* BODY/LEN: the zone text, or BODY NULL: fetch the zone's source.
	 * WAIT_S: 0, or seconds to wait for the secondaries. */
	int (*publish)(void *arg, struct http_req *req, const char *zone,
	    const char *body, size_t len, int wait_s, json_t **out,
	    int *status);
	int (*rollback)(void *arg, struct http_req *req, const char *zone,
	    uint32_t serial, int wait_s, json_t **out, int *status);
	int (*list_zones)(void *arg, json_t **out, int *status);
	int (*zone_info)(void *arg, const char *zone, json_t **out,
	    int *status);
	int (*zone_status)(void *arg, const char *zone, json_t **out,
	    int *status);
	/* A POST with delivery ID (HTTP_DELIVERY_MAX octets at most) for
	 * ZONE is about to be acted on: 0 go on, 1 it was seen before
	 * (answered 409), negative: 503. NULL: ids are not checked. */
	int (*delivery_begin)(void *arg, const char *id, const char *zone);
	/* ... and was answered STATUS (only after a 0 from delivery_begin). */
	void (*delivery_end)(void *arg, const char *id, const char *zone,
	    int status);
	/* Prometheus text exposition into OUT; http.c adds its own
	 * hpagent_http_* counters after it. */
	int (*metrics)(void *arg, struct evbuffer *out);
	/* POST /v1/zones: BODY/LEN the JSON document {"zone", "pattern",
	 * "text"}; DELETE /v1/zones/{zone}[?purge=1]. */
	int (*zone_add)(void *arg, const char *body, size_t len, json_t **out,
	    int *status);
	int (*zone_delete)(void *arg, const char *zone, int purge,
	    json_t **out, int *status);
};

struct http_server_opts {
	const char *host;		/* address to listen on ("::1") ... */
	uint16_t port;			/* ... and port */
	int fd;				/* > 0: accept on this listening
					   socket instead (e.g. AF_UNIX) */
	const char *webhook_secret;	/* NULL: no signatures accepted */
	const char *api_token;		/* NULL: no bearer token accepted */
	uint64_t max_body;		/* max-zone-size; 0: 256 MiB */
	uint64_t webhook_max_body;	/* under a signature only; 0: 64 MiB
					   (never over max_body) */
	unsigned max_conns;		/* connections at once; 0: 128 */
	unsigned max_per_addr;		/* ... from one client; 0: 16 */
	int request_timeout_s;		/* whole request; 0: 60 */
	int timeout_s;			/* idle limit while answering, def. 30 */
	int max_wait_s;			/* ?wait= bound, default 300 */
};

/*
 * Listen on OPTS->host and OPTS->port (or accept on OPTS->fd) with the
 * routes above, answering through ACT (copied; ACT->arg is passed to
 * every action). The secrets are not copied: they must outlive the
 * server. Returns 0 and sets *OUT, or a negative HP_E* (HP_EIO when it
 * cannot be bound) with a reason in ERRBUF.
 */
int http_server_new(struct event_base *base,
    const struct http_server_opts *opts, const struct http_actions *act,
    struct http_server **out, char *errbuf, size_t errlen);
/*
 * Answer every deferred request 503 {"error": "server shutting down"};
 * returns how many. For a clean shutdown: http_server_drain(), let the
 * loop run briefly (e.g. event_base_loopexit with 0.5 s) so the answers
 * are written, then http_server_free(). The integrator must not touch the
 * drained requests afterwards.
 */
unsigned http_server_drain(struct http_server *srv);
/* Stop listening, close every connection and free SRV (NULL allowed).
 * Requests still deferred are drained first (answers may not reach the
 * clients; see http_server_drain). */
void http_server_free(struct http_server *srv);
/* Number of deferred requests not answered yet. */
unsigned http_server_pending(const struct http_server *srv);

/*
 * Answer a deferred request: STATUS with the JSON document DOC (taken
 * over; NULL: an empty object). Frees REQ; safe when the client has gone
 * away meanwhile. Returns 0 or HP_EINVAL for a NULL REQ.
 */
int http_reply_json(struct http_req *req, int status, json_t *doc);
/* As http_reply_json with {"error": MSG}. */
int http_reply_error(struct http_req *req, int status, const char *msg);
/* The validated zone name of a deferred request. */
const char *http_req_zone(const struct http_req *req);
/* How REQ was authenticated: HTTP_AUTH_TOKEN (a bearer token or
 * X-Gitlab-Token) or HTTP_AUTH_SIGNATURE (only a signature of the body). */
int http_req_auth(const struct http_req *req);
/* 1 when the request asked ?purge=1 (DELETE: no backup file). */
int http_req_purge(const struct http_req *req);
/* 1 when the request asked ?force=1 (a publish past max-delete). */
int http_req_force(const struct http_req *req);

/* The routes (routes.h) and the credentials (auth.h). */
#include "agent/http/auth.h"
#include "agent/http/routes.h"

#endif
