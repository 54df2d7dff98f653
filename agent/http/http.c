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
#include "agent/http/json.h"
#include "dns/err.h"
#include "dns/log.h"

#define HTTP_DEFAULT_MAX_BODY	((uint64_t)256 * 1024 * 1024)
#define HTTP_MAX_HEADERS	16384
#define HTTP_LOG_AUTH		4011	/* log_limited key: auth failures */

struct http_req {
	struct http_server *srv;
	struct evhttp_request *ev;
	enum http_route_id route;
	char zone[256];
	int force;			/* ?force=1 */
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
};

/* ---- replies ----------------------------------------------------------- */

static void
count_status(struct http_server *srv, int status)
{
	int c = status / 100;

	srv->by_class[c >= 1 && c <= 5 ? c : 0]++;
}

/* Send STATUS with BODY (LEN bytes) of TYPE; frees nothing. */
static void
send_body(struct http_server *srv, struct evhttp_request *ev, int status,
    const char *type, const char *body, size_t len, const char *allow)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(ev);
	struct evbuffer *buf;

	if (srv != NULL)
		count_status(srv, status);
	if (evhttp_add_header(h, "Content-Type", type) != 0 ||
	    evhttp_add_header(h, "Cache-Control", "no-store") != 0 ||
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

static const char *reason_phrase(int status);

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
		doc = status >= 400 ? hjson_error(reason_phrase(status)) :
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

static const char *
reason_phrase(int status)
{
	switch (status) {
	case 400: return "bad request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not found";
	case 409: return "conflict";
	case 413: return "body too large";
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
	free(req);
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

/* Run a POST action; answers or defers R. */
static void
run_post(struct http_server *srv, struct http_req *r, struct evkeyvalq *h,
    const char *body, size_t len, int wait_s)
{
	json_t *out = NULL;
	uint64_t serial = 0;
	int status = 200, ret, ping, rc;

	if (r->route == HTTP_ROUTE_PUBLISH) {
		if (is_webhook_event(h, &ping)) {
			if (ping) {
				send_json(srv, r->ev, 200, json_pack(
				    "{s:b, s:s}", "ok", 1, "event", "ping"),
				    NULL);
				goto done;
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
			send_error(srv, r->ev, 400, rc == HP_ERANGE ?
			    "serial must be an integer in 0..4294967295" :
			    "body must be a JSON object {\"serial\": N}",
			    NULL);
			goto done;
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
		send_error(srv, r->ev, 500, hp_strerror(ret), NULL);
		goto done;
	}
	send_json(srv, r->ev, status, out, NULL);
	goto done;
not_impl:
	send_error(srv, r->ev, 501, "not implemented", NULL);
done:
	free(r);
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
		count_status(srv, 200);
		evbuffer_add_printf(text, "# TYPE hpagent_http_responses_total "
		    "counter\n");
		for (c = 1; c <= 5; c++)
			evbuffer_add_printf(text, "hpagent_http_responses_total"
			    "{code=\"%uxx\"} %llu\n", c,
			    (unsigned long long)srv->by_class[c]);
		evbuffer_add_printf(text, "# TYPE hpagent_http_auth_failures_"
		    "total counter\nhpagent_http_auth_failures_total %llu\n"
		    "# TYPE hpagent_http_deferred gauge\n"
		    "hpagent_http_deferred %u\n",
		    (unsigned long long)srv->auth_failures, srv->pending);
		if (evhttp_add_header(evhttp_request_get_output_headers(ev),
		    "Content-Type", "text/plain; version=0.0.4") != 0)
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
	char zone[256], peer[64];
	size_t len;
	int method, status, wait_s = 0, force = 0, rc;

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
	len = in != NULL ? evbuffer_get_length(in) : 0;
	if (len > 0 && (body = (const char *)evbuffer_pullup(in, -1)) ==
	    NULL) {
		send_error(srv, ev, 500, "out of memory", NULL);
		return;
	}
	auth.hub_signature_256 = evhttp_find_header(h, "X-Hub-Signature-256");
	auth.gitea_signature = evhttp_find_header(h, "X-Gitea-Signature");
	auth.gitlab_token = evhttp_find_header(h, "X-Gitlab-Token");
	auth.authorization = evhttp_find_header(h, "Authorization");
	rc = http_auth_check(srv->secret, srv->token, method, &auth, body,
	    len, &why);
	if (rc != 0) {
		srv->auth_failures++;
		log_limited(HTTP_LOG_AUTH, 5, LOG_WARNING, "http: %s %s from "
		    "%s refused: %s", method == HTTP_M_POST ? "POST" : "GET",
		    evhttp_uri_get_path(uri), peer_name(ev, peer,
		    sizeof(peer)), why);
		send_error(srv, ev, rc == HP_ENOTSUP ? 403 : 401, why, NULL);
		return;
	}
	if (method != HTTP_M_POST) {
		run_get(srv, ev, route, zone);
		return;
	}
	if (http_parse_wait(evhttp_uri_get_query(uri), srv->max_wait_s,
	    &wait_s) != 0) {
		send_error(srv, ev, 400, "wait must be a number of seconds "
		    "no greater than the server's maximum", NULL);
		return;
	}
	if (http_parse_force(evhttp_uri_get_query(uri), &force) != 0) {
		send_error(srv, ev, 400, "force must be 0 or 1", NULL);
		return;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		send_error(srv, ev, 500, "out of memory", NULL);
		return;
	}
	r->srv = srv;
	r->ev = ev;
	r->route = route;
	r->force = force;
	memcpy(r->zone, zone, sizeof(r->zone));
	log_info("http: %s %s from %s", "POST", evhttp_uri_get_path(uri),
	    peer_name(ev, peer, sizeof(peer)));
	run_post(srv, r, h, body, len, wait_s);
}

/* ---- set-up ------------------------------------------------------------ */

int
http_server_new(struct event_base *base, const struct http_server_opts *opts,
    const struct http_actions *act, struct http_server **out, char *errbuf,
    size_t errlen)
{
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
	if ((srv->http = evhttp_new(base)) == NULL) {
		ret = HP_ENOMEM;
		snprintf(errbuf, errlen, "http: evhttp_new failed");
		goto fail;
	}
	max_body = opts->max_body != 0 ? opts->max_body : HTTP_DEFAULT_MAX_BODY;
	if (max_body > (uint64_t)SSIZE_MAX)
		max_body = SSIZE_MAX;
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
		if (evhttp_accept_socket(srv->http, opts->fd) != 0) {
			ret = HP_EIO;
			snprintf(errbuf, errlen, "http: cannot accept on "
			    "socket %d", opts->fd);
			goto fail;
		}
	} else if (opts->host == NULL ||
	    evhttp_bind_socket_with_handle(srv->http, opts->host,
	    opts->port) == NULL) {
		ret = HP_EIO;
		snprintf(errbuf, errlen, "cannot listen on %s port %u",
		    opts->host != NULL ? opts->host : "(none)",
		    (unsigned)opts->port);
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
	if (srv->http != NULL)
		evhttp_free(srv->http);
	free(srv);
}
