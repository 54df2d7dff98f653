/*
 * http.c -- the webhook / API server on libevent's evhttp: requests in,
 * routed (routes.c) and checked (auth.c), handed to the actions; JSON
 * answers out, now or deferred (see http.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <sys/queue.h>
#include <sys/types.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent/http/http.h"
#include "agent/http/http_int.h"
#include "agent/http/json.h"
#include "dns/err.h"
#include "dns/log.h"

#define HTTP_DEFAULT_MAX_BODY	((uint64_t)256 * 1024 * 1024)
#define HTTP_DEFAULT_WEBHOOK_BODY ((uint64_t)64 * 1024 * 1024)
#define HTTP_MAX_HEADERS	16384

/* ---- replies ----------------------------------------------------------- */

/* Send STATUS with BODY (LEN bytes) of TYPE; frees nothing. */
static void
send_body(struct http_server *srv, struct evhttp_request *ev, int status,
    const char *type, const char *body, size_t len, const char *allow)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(ev);
	struct evbuffer *buf;

	if (srv != NULL)
		http_count(srv, status);
	/* One request per connection (gate.c). */
	if (evhttp_add_header(h, "Content-Type", type) != 0 ||
	    evhttp_add_header(h, "Cache-Control", "no-store") != 0 ||
	    evhttp_add_header(h, "Connection", "close") != 0 ||
	    (allow != NULL && evhttp_add_header(h, "Allow", allow) != 0))
		log_warn("http: cannot add response headers");
	if ((buf = evbuffer_new()) == NULL) {
		evhttp_send_error(ev, 500, NULL);
		return;
	}
	if (evbuffer_add(buf, body, len) != 0 ||
	    (len > 0 && body[len - 1] != '\n' && evbuffer_add(buf, "\n", 1) !=
	    0)) {
		evbuffer_free(buf);
		evhttp_send_error(ev, 500, NULL);
		return;
	}
	evhttp_send_reply(ev, status, NULL, buf);
	evbuffer_free(buf);
}

/* Send STATUS with DOC (taken over): NULL is {} below 400 and
 * {"error": "<reason phrase>"} from 400 on. */
static void
send_json(struct http_server *srv, struct evhttp_request *ev, int status,
    json_t *doc, const char *allow)
{
	static const char internal[] = "{\"error\":\"internal error: "
	    "out of memory\"}";
	char *text;
	size_t len;

	if (doc == NULL)
		doc = status >= 400 ? hjson_error(http_reason(status)) :
		    json_object();
	if (doc == NULL || (text = hjson_text(doc, &len)) == NULL) {
		json_decref(doc);
		send_body(srv, ev, 500, "application/json", internal,
		    sizeof(internal) - 1, NULL);
		return;
	}
	json_decref(doc);
	send_body(srv, ev, status, "application/json", text, len, allow);
	free(text);
}

static void
send_error(struct http_server *srv, struct evhttp_request *ev, int status,
    const char *msg, const char *allow)
{
	send_json(srv, ev, status, hjson_error(msg), allow);
}

const char *
http_reason(int status)
{
	switch (status) {
	case 400: return "bad request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not found";
	case 408: return "request timeout";
	case 409: return "conflict";
	case 411: return "length required";
	case 413: return "body too large";
	case 431: return "request header fields too large";
	case 501: return "not implemented";
	case 503: return "unavailable";
	default:  return "error";
	}
}

static void
unlink_req(struct http_req *r)
{
	struct http_server *srv = r->srv;

	if (r->prev != NULL)
		r->prev->next = r->next;
	else if (srv->deferred == r)
		srv->deferred = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
	if (srv->pending > 0)
		srv->pending--;
}

/* R was answered STATUS: the delivery id it held is done with. */
static void
req_free(struct http_req *r, int status)
{
	struct http_server *srv = r->srv;

	if (r->delivery_held && srv->act.delivery_end != NULL)
		srv->act.delivery_end(srv->act.arg, r->delivery, r->zone,
		    status);
	free(r);
}

int
http_reply_json(struct http_req *req, int status, json_t *doc)
{
	if (req == NULL) {
		json_decref(doc);
		return HP_EINVAL;
	}
	unlink_req(req);
	send_json(req->srv, req->ev, status, doc != NULL ? doc :
	    json_object(), NULL);
	req_free(req, status);
	return 0;
}

int
http_reply_error(struct http_req *req, int status, const char *msg)
{
	return http_reply_json(req, status, hjson_error(msg));
}

const char *
http_req_zone(const struct http_req *req)
{
	return req->zone;
}

int
http_req_auth(const struct http_req *req)
{
	return req->auth;
}

int
http_req_purge(const struct http_req *req)
{
	return req != NULL && req->purge;
}

int
http_req_force(const struct http_req *req)
{
	return req != NULL && req->force;
}

unsigned
http_server_pending(const struct http_server *srv)
{
	return srv->pending;
}

/* ---- dispatch ---------------------------------------------------------- */

static int
method_bit(enum evhttp_cmd_type cmd)
{
	switch (cmd) {
	case EVHTTP_REQ_GET:
		return HTTP_M_GET;
	case EVHTTP_REQ_HEAD:
		return HTTP_M_HEAD;
	case EVHTTP_REQ_POST:
		return HTTP_M_POST;
	case EVHTTP_REQ_DELETE:
		return HTTP_M_DELETE;
	default:
		return HTTP_M_OTHER;
	}
}

static const char *
peer_name(struct evhttp_request *ev, char *buf, size_t len)
{
	struct evhttp_connection *c = evhttp_request_get_connection(ev);
	char *addr = NULL;
	ev_uint16_t port = 0;

	if (c != NULL)
		evhttp_connection_get_peer(c, &addr, &port);
	snprintf(buf, len, "%s", addr != NULL ? addr : "?");
	return buf;
}

/* A webhook event rather than a zone text (see http.h). Sets *PING. */
static int
is_webhook_event(struct evkeyvalq *h, int *ping)
{
	static const char *events[] = { "X-GitHub-Event", "X-Gitea-Event",
	    "X-Gogs-Event", "X-Gitlab-Event" };
	const char *v, *type;
	size_t i;
	int event = 0;

	*ping = 0;
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		if ((v = evhttp_find_header(h, events[i])) != NULL) {
			event = 1;
			if (strcasecmp(v, "ping") == 0)
				*ping = 1;
		}
	}
	/* Not application/x-www-form-urlencoded: curl's default for
	 * --data-binary, the obvious way to send a zone file. Form-encoded
	 * webhooks carry one of the event headers anyway. */
	if ((type = evhttp_find_header(h, "Content-Type")) != NULL &&
	    strncasecmp(type, "application/json", 16) == 0)
		event = 1;
	return event;
}

/* Answer R now with STATUS and DOC (taken over), then free R. */
static void
post_answer(struct http_server *srv, struct http_req *r, int status,
    json_t *doc)
{
	send_json(srv, r->ev, status, doc, NULL);
	req_free(r, status);
}

/* Does the JSON object BODY have a "zone" member naming ZONE (normalised
 * as in a URL)? */
static int
body_names_zone(const char *body, size_t len, const char *zone)
{
	char named[256], norm[256];

	return hjson_get_str(body != NULL ? body : "", len, "zone", named,
	    sizeof(named)) == 0 && http_zone_name(named, strlen(named), norm,
	    sizeof(norm)) == 0 && strcmp(norm, zone) == 0;
}

/* Run a POST action; answers or defers R. */
static void
run_post(struct http_server *srv, struct http_req *r, struct evkeyvalq *h,
    const char *body, size_t len, int wait_s)
{
	json_t *out = NULL;
	uint64_t serial = 0;
	int status = 200, ret, ping, rc;

	if (r->route == HTTP_ROUTE_ZONE_ADD ||
	    r->route == HTTP_ROUTE_ZONE_DELETE) {
		if ((r->route == HTTP_ROUTE_ZONE_ADD ? srv->act.zone_add ==
		    NULL : srv->act.zone_delete == NULL))
			goto not_impl;
		ret = r->route == HTTP_ROUTE_ZONE_ADD ?
		    srv->act.zone_add(srv->act.arg, body != NULL ? body : "",
		    len, &out, &status) :
		    srv->act.zone_delete(srv->act.arg, r->zone, r->purge, &out,
		    &status);
	} else if (r->route == HTTP_ROUTE_PUBLISH) {
		if (is_webhook_event(h, &ping)) {
			if (ping) {
				post_answer(srv, r, 200, json_pack("{s:b, s:s}",
				    "ok", 1, "event", "ping"));
				return;
			}
			body = NULL;
			len = 0;
		} else if (len == 0)
			body = NULL;
		if (srv->act.publish == NULL)
			goto not_impl;
		ret = srv->act.publish(srv->act.arg, r, r->zone, body, len,
		    wait_s, &out, &status);
	} else {
		rc = hjson_get_uint(body != NULL ? body : "", len, "serial",
		    UINT32_MAX, &serial);
		if (rc != 0) {
			post_answer(srv, r, 400, hjson_error(rc == HP_ERANGE ?
			    "serial must be an integer in 0..4294967295" :
			    "body must be a JSON object {\"serial\": N}"));
			return;
		}
		/* A signature covers the body, not the URL: the body must
		 * name the zone, or a rollback signed for one zone would
		 * roll back any other. */
		if (r->auth == HTTP_AUTH_SIGNATURE && !body_names_zone(body,
		    len, r->zone)) {
			post_answer(srv, r, 422, hjson_error("a rollback "
			    "authenticated only by a signature must name its "
			    "zone: {\"zone\": \"example.com\", \"serial\": N}"));
			return;
		}
		if (srv->act.rollback == NULL)
			goto not_impl;
		ret = srv->act.rollback(srv->act.arg, r, r->zone,
		    (uint32_t)serial, wait_s, &out, &status);
	}
	if (ret == HTTP_DEFERRED) {
		json_decref(out);
		r->next = srv->deferred;
		if (r->next != NULL)
			r->next->prev = r;
		srv->deferred = r;
		srv->pending++;
		return;
	}
	if (ret < 0) {
		json_decref(out);
		post_answer(srv, r, 500, hjson_error(hp_strerror(ret)));
		return;
	}
	post_answer(srv, r, status, out);
	return;
not_impl:
	post_answer(srv, r, 501, hjson_error("not implemented"));
}

static void
run_get(struct http_server *srv, struct evhttp_request *ev,
    enum http_route_id route, const char *zone)
{
	json_t *out = NULL;
	struct evbuffer *text;
	int status = 200, ret = 0;
	unsigned c;

	if (route == HTTP_ROUTE_METRICS) {
		if ((text = evbuffer_new()) == NULL) {
			send_error(srv, ev, 500, "out of memory", NULL);
			return;
		}
		if (srv->act.metrics != NULL)
			ret = srv->act.metrics(srv->act.arg, text);
		if (ret < 0) {
			evbuffer_free(text);
			send_error(srv, ev, 500, hp_strerror(ret), NULL);
			return;
		}
		http_count(srv, 200);
		evbuffer_add_printf(text, "# HELP hpagent_http_responses_total "
		    "HTTP answers, by class.\n# TYPE hpagent_http_responses_"
		    "total counter\n");
		for (c = 1; c <= 5; c++)
			evbuffer_add_printf(text, "hpagent_http_responses_total"
			    "{code=\"%uxx\"} %llu\n", c,
			    (unsigned long long)srv->by_class[c]);
		evbuffer_add_printf(text, "# HELP hpagent_http_auth_failures_"
		    "total Requests refused for their credentials.\n"
		    "# TYPE hpagent_http_auth_failures_"
		    "total counter\nhpagent_http_auth_failures_total %llu\n"
		    "# HELP hpagent_http_deferred Requests not answered yet "
		    "(imports in the worker, ?wait=).\n"
		    "# TYPE hpagent_http_deferred gauge\n"
		    "hpagent_http_deferred %u\n"
		    "# HELP hpagent_http_connections HTTP connections open.\n"
		    "# TYPE hpagent_http_connections gauge\n"
		    "hpagent_http_connections %u\n"
		    "# HELP hpagent_http_connections_refused_total HTTP "
		    "connections closed at accept (over a limit).\n"
		    "# TYPE hpagent_http_connections_refused_total counter\n"
		    "hpagent_http_connections_refused_total %llu\n"
		    "# HELP hpagent_http_deadline_cuts_total HTTP requests "
		    "cut at their deadline (408).\n"
		    "# TYPE hpagent_http_deadline_cuts_total counter\n"
		    "hpagent_http_deadline_cuts_total %llu\n",
		    (unsigned long long)srv->auth_failures, srv->pending,
		    srv->nconns, (unsigned long long)srv->conns_refused,
		    (unsigned long long)srv->deadline_cuts);
		if (evhttp_add_header(evhttp_request_get_output_headers(ev),
		    "Content-Type", "text/plain; version=0.0.4") != 0 ||
		    evhttp_add_header(evhttp_request_get_output_headers(ev),
		    "Connection", "close") != 0)
			log_warn("http: cannot add response headers");
		evhttp_send_reply(ev, 200, NULL, text);
		evbuffer_free(text);
		return;
	}
	switch (route) {
	case HTTP_ROUTE_ZONES:
		ret = srv->act.list_zones == NULL ? 1 :
		    srv->act.list_zones(srv->act.arg, &out, &status);
		break;
	case HTTP_ROUTE_ZONE:
		ret = srv->act.zone_info == NULL ? 1 :
		    srv->act.zone_info(srv->act.arg, zone, &out, &status);
		break;
	case HTTP_ROUTE_STATUS:
		ret = srv->act.zone_status == NULL ? 1 :
		    srv->act.zone_status(srv->act.arg, zone, &out, &status);
		break;
	default:
		ret = 1;
	}
	if (ret == 1 || ret < 0) {
		json_decref(out);
		send_error(srv, ev, ret == 1 ? 501 : 500, ret == 1 ?
		    "not implemented" : hp_strerror(ret), NULL);
	} else
		send_json(srv, ev, status, out, NULL);
}

/* The sender's delivery id of a webhook request into OUT (size
 * HTTP_DELIVERY_MAX + 1; "" when there is none). 0, or HP_EINVAL for one
 * that is empty, too long or not printable ASCII. */
static int
delivery_id(struct evkeyvalq *h, char *out)
{
	static const char *const names[] = { "X-GitHub-Delivery",
	    "X-Gitea-Delivery", "X-Gitlab-Event-UUID", "X-Gogs-Delivery" };
	const char *v = NULL;
	size_t i, n;

	out[0] = '\0';
	for (i = 0; v == NULL && i < sizeof(names) / sizeof(names[0]); i++)
		v = evhttp_find_header(h, names[i]);
	if (v == NULL)
		return 0;
	n = strlen(v);
	if (n == 0 || n > HTTP_DELIVERY_MAX)
		return HP_EINVAL;
	for (i = 0; i < n; i++)
		if (v[i] < 0x21 || v[i] > 0x7e)
			return HP_EINVAL;
	memcpy(out, v, n + 1);
	return 0;
}

/* Routes that show configuration: a zone's source:, its secondaries. */
static int
shows_config(enum http_route_id route)
{
	return route == HTTP_ROUTE_ZONE || route == HTTP_ROUTE_STATUS;
}

static void
handle(struct evhttp_request *ev, void *arg)
{
	struct http_server *srv = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(ev);
	struct evkeyvalq *h = evhttp_request_get_input_headers(ev);
	struct evbuffer *in = evhttp_request_get_input_buffer(ev);
	struct http_auth_input auth;
	enum http_route_id route;
	struct http_req *r;
	const char *allow, *why, *body = NULL;
	char zone[256], peer[64], delivery[HTTP_DELIVERY_MAX + 1];
	size_t len;
	int method, status, wait_s = 0, force = 0, purge = 0, rc, how;

	gate_request_in(srv, ev);
	method = method_bit(evhttp_request_get_command(ev));
	if (uri == NULL) {
		send_error(srv, ev, 400, "malformed request target", NULL);
		return;
	}
	status = http_route(method, evhttp_uri_get_path(uri), &route, zone,
	    sizeof(zone), &allow);
	if (status != 200) {
		send_error(srv, ev, status, status == 400 ?
		    "invalid zone name" : status == 405 ?
		    "method not allowed" : "not found", allow);
		return;
	}
	auth.hub_signature_256 = evhttp_find_header(h, "X-Hub-Signature-256");
	auth.gitea_signature = evhttp_find_header(h, "X-Gitea-Signature");
	auth.gitlab_token = evhttp_find_header(h, "X-Gitlab-Token");
	auth.authorization = evhttp_find_header(h, "Authorization");
	rc = http_auth_check(srv->secret, srv->token, method, &auth, in,
	    &how, &why);
	if (rc == 0 && how == HTTP_AUTH_OPEN && shows_config(route)) {
		rc = HP_ENOTSUP;
		why = "this route shows configuration (source:, secondaries): "
		    "set api-token: and send it as Authorization: Bearer";
	}
	if (rc != 0) {
		srv->auth_failures++;
		log_limited(HTTP_LOG_AUTH, 5, LOG_WARNING, "http: %s %s from "
		    "%s refused: %s", method == HTTP_M_POST ? "POST" :
		    method == HTTP_M_DELETE ? "DELETE" : "GET",
		    evhttp_uri_get_path(uri), peer_name(ev, peer,
		    sizeof(peer)), why);
		send_error(srv, ev, rc == HP_ENOTSUP ? 403 : 401, why, NULL);
		return;
	}
	if (method != HTTP_M_POST && method != HTTP_M_DELETE) {
		run_get(srv, ev, route, zone);
		return;
	}
	/* Authenticated: now the body may be made one piece. */
	len = in != NULL ? evbuffer_get_length(in) : 0;
	if (len > 0 && (body = (const char *)evbuffer_pullup(in, -1)) ==
	    NULL) {
		send_error(srv, ev, 500, "out of memory", NULL);
		return;
	}
	if (http_parse_wait(evhttp_uri_get_query(uri), srv->max_wait_s,
	    &wait_s) != 0) {
		send_error(srv, ev, 400, "wait must be a number of seconds "
		    "no greater than the server's maximum", NULL);
		return;
	}
	if (delivery_id(h, delivery) != 0) {
		send_error(srv, ev, 400, "malformed delivery id", NULL);
		return;
	}
	if (http_parse_force(evhttp_uri_get_query(uri), &force) != 0 ||
	    http_parse_purge(evhttp_uri_get_query(uri), &purge) != 0) {
		send_error(srv, ev, 400, "force and purge must be 0 or 1",
		    NULL);
		return;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		send_error(srv, ev, 500, "out of memory", NULL);
		return;
	}
	r->srv = srv;
	r->ev = ev;
	r->route = route;
	r->auth = how;
	r->force = force;
	r->purge = purge;
	memcpy(r->zone, zone, sizeof(r->zone));
	memcpy(r->delivery, delivery, sizeof(r->delivery));
	log_info("http: %s %s from %s", method == HTTP_M_DELETE ? "DELETE" :
	    "POST", evhttp_uri_get_path(uri), peer_name(ev, peer,
	    sizeof(peer)));
	if (r->delivery[0] != '\0' && srv->act.delivery_begin != NULL) {
		rc = srv->act.delivery_begin(srv->act.arg, r->delivery,
		    r->zone);
		if (rc != 0) {
			if (rc == 1)
				log_notice("http: %s %s from %s: delivery %s "
				    "received before: refused as a replay",
				    method == HTTP_M_DELETE ? "DELETE" : "POST",
				    evhttp_uri_get_path(uri), peer_name(ev,
				    peer, sizeof(peer)), r->delivery);
			post_answer(srv, r, rc == 1 ? 409 : 503, hjson_error(
			    rc == 1 ? "this delivery was received before: "
			    "refused as a replay" : "cannot check the delivery "
			    "id now; try again later"));
			return;
		}
		r->delivery_held = 1;
	}
	run_post(srv, r, h, body, len, wait_s);
}

/* ---- set-up ------------------------------------------------------------ */

int
http_server_new(struct event_base *base, const struct http_server_opts *opts,
    const struct http_actions *act, struct http_server **out, char *errbuf,
    size_t errlen)
{
	struct evhttp_bound_socket *bound;
	struct http_server *srv;
	uint64_t max_body;
	int ret;

	if (errlen > 0)
		errbuf[0] = '\0';
	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return HP_ENOMEM;
	srv->base = base;
	if (act != NULL)
		srv->act = *act;
	srv->max_wait_s = opts->max_wait_s > 0 ? opts->max_wait_s : 300;
	srv->secret = opts->webhook_secret != NULL &&
	    opts->webhook_secret[0] != '\0' ? opts->webhook_secret : NULL;
	srv->token = opts->api_token != NULL && opts->api_token[0] != '\0' ?
	    opts->api_token : NULL;
	max_body = opts->max_body != 0 ? opts->max_body : HTTP_DEFAULT_MAX_BODY;
	if (max_body > (uint64_t)SSIZE_MAX)
		max_body = SSIZE_MAX;
	srv->max_body = max_body;
	srv->webhook_max_body = opts->webhook_max_body != 0 ?
	    opts->webhook_max_body : HTTP_DEFAULT_WEBHOOK_BODY;
	if (srv->webhook_max_body > max_body)
		srv->webhook_max_body = max_body;
	srv->max_conns = opts->max_conns > 0 ? opts->max_conns : 128;
	srv->max_per_addr = opts->max_per_addr > 0 ? opts->max_per_addr : 16;
	srv->request_timeout_s = opts->request_timeout_s > 0 ?
	    opts->request_timeout_s : 60;
	if ((srv->http = evhttp_new(base)) == NULL) {
		ret = HP_ENOMEM;
		snprintf(errbuf, errlen, "http: evhttp_new failed");
		goto fail;
	}
	if ((ret = gate_init(srv)) < 0) {
		snprintf(errbuf, errlen, "http: %s", hp_strerror(ret));
		goto fail;
	}
	evhttp_set_max_body_size(srv->http, (ev_ssize_t)max_body);
	evhttp_set_max_headers_size(srv->http, HTTP_MAX_HEADERS);
	evhttp_set_timeout(srv->http, opts->timeout_s > 0 ? opts->timeout_s :
	    30);
	/* Every method reaches handle(), which answers 405 itself. */
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET |
	    EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(srv->http, handle, srv);
	if (opts->fd > 0) {
		if ((bound = evhttp_accept_socket_with_handle(srv->http,
		    opts->fd)) == NULL) {
			ret = HP_EIO;
			snprintf(errbuf, errlen, "http: cannot accept on "
			    "socket %d", opts->fd);
			goto fail;
		}
	} else if (opts->host == NULL || (bound =
	    evhttp_bind_socket_with_handle(srv->http, opts->host,
	    opts->port)) == NULL) {
		ret = HP_EIO;
		snprintf(errbuf, errlen, "cannot listen on %s port %u",
		    opts->host != NULL ? opts->host : "(none)",
		    (unsigned)opts->port);
		goto fail;
	}
	if ((ret = gate_watch(srv, bound)) < 0) {
		snprintf(errbuf, errlen, "http: %s", hp_strerror(ret));
		goto fail;
	}
	*out = srv;
	return 0;
fail:
	http_server_free(srv);
	return ret;
}

unsigned
http_server_drain(struct http_server *srv)
{
	unsigned n = 0;

	while (srv->deferred != NULL) {
		http_reply_error(srv->deferred, 503, "server shutting down");
		n++;
	}
	return n;
}

void
http_server_free(struct http_server *srv)
{
	if (srv == NULL)
		return;
	http_server_drain(srv);
	gate_deinit(srv);
	if (srv->http != NULL)
		evhttp_free(srv->http);
	free(srv);
}
