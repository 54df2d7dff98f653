/*
 * http.c -- the webhook / API server on libevent's evhttp (see http.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <sys/queue.h>
#include <sys/types.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns/err.h"
#include "dns/log.h"
#include "agent/http/http.h"
#include "agent/http/json.h"

#define HTTP_DEFAULT_MAX_BODY	((uint64_t)256 * 1024 * 1024)
#define HTTP_MAX_HEADERS	16384
#define HTTP_MAX_SEGMENTS	8
#define HTTP_LOG_AUTH		4011	/* log_limited key: auth failures */

struct http_req {
	struct http_server *srv;
	struct evhttp_request *ev;
	enum http_route_id route;
	char zone[256];
	struct http_req *prev, *next;	/* srv->deferred */
};

struct http_server {
	struct event_base *base;
	struct evhttp *http;
	struct http_actions act;
	char *secret;
	char *token;
	int max_wait_s;
	unsigned pending;
	struct http_req *deferred;
	uint64_t by_class[6];		/* answers by status / 100 */
	uint64_t auth_failures;
};

/* ---- routing ----------------------------------------------------------- */

static const struct http_route_row {
	enum http_route_id id;
	int methods;
	const char *allow;
	const char *seg[4];	/* "*" is the zone name */
} http_routes[] = {
	{ HTTP_ROUTE_ZONES, HTTP_M_GET | HTTP_M_HEAD, "GET, HEAD",
	    { "v1", "zones", NULL } },
	{ HTTP_ROUTE_ZONE, HTTP_M_GET | HTTP_M_HEAD, "GET, HEAD",
	    { "v1", "zones", "*", NULL } },
	{ HTTP_ROUTE_STATUS, HTTP_M_GET | HTTP_M_HEAD, "GET, HEAD",
	    { "v1", "zones", "*", "status" } },
	{ HTTP_ROUTE_PUBLISH, HTTP_M_POST, "POST",
	    { "v1", "zones", "*", "publish" } },
	{ HTTP_ROUTE_ROLLBACK, HTTP_M_POST, "POST",
	    { "v1", "zones", "*", "rollback" } },
	{ HTTP_ROUTE_METRICS, HTTP_M_GET | HTTP_M_HEAD, "GET, HEAD",
	    { "metrics", NULL } },
};

int
http_zone_name(const char *in, size_t len, char *out, size_t outlen)
{
	size_t i, label = 0;
	int c;

	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0 || len > 253 || outlen < len + 2)
		return HP_EINVAL;
	for (i = 0; i < len; i++) {
		c = (unsigned char)in[i];
		if (c == '.') {
			if (label == 0)
				return HP_EINVAL;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_') {
			if (++label > 63)
				return HP_EINVAL;
			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
		} else
			return HP_EINVAL;
		out[i] = (char)c;
	}
	if (label == 0)
		return HP_EINVAL;	/* "a.." */
	out[len] = '.';
	out[len + 1] = '\0';
	return 0;
}

/* Split PATH ("/a/b/c") into at most HTTP_MAX_SEGMENTS segments. */
static int
split_path(const char *path, const char **seg, size_t *seglen)
{
	const char *p = path, *e;
	int n = 0;

	if (path == NULL || path[0] != '/')
		return -1;
	while (*p == '/') {
		p++;
		e = p + strcspn(p, "/");
		if (e == p)
			return -1;	/* empty segment ("//", trailing '/') */
		if (n == HTTP_MAX_SEGMENTS)
			return -1;
		seg[n] = p;
		seglen[n] = (size_t)(e - p);
		n++;
		p = e;
	}
	return *p == '\0' ? n : -1;
}

static int
row_matches(const struct http_route_row *r, int n, const char **seg,
    const size_t *seglen, int *zone_at)
{
	int i;

	*zone_at = -1;
	for (i = 0; i < 4 && r->seg[i] != NULL; i++) {
		if (i >= n)
			return 0;
		if (strcmp(r->seg[i], "*") == 0) {
			*zone_at = i;
			continue;
		}
		if (seglen[i] != strlen(r->seg[i]) ||
		    memcmp(seg[i], r->seg[i], seglen[i]) != 0)
			return 0;
	}
	return i == n;
}

int
http_route(int method, const char *path, enum http_route_id *route,
    char *zone, size_t zonelen, const char **allow)
{
	const char *seg[HTTP_MAX_SEGMENTS];
	size_t seglen[HTTP_MAX_SEGMENTS], i;
	int n, zone_at;

	*route = HTTP_ROUTE_NONE;
	*allow = NULL;
	if (zonelen > 0)
		zone[0] = '\0';
	if ((n = split_path(path, seg, seglen)) < 0)
		return 404;
	for (i = 0; i < sizeof(http_routes) / sizeof(http_routes[0]); i++) {
		const struct http_route_row *r = &http_routes[i];

		if (!row_matches(r, n, seg, seglen, &zone_at))
			continue;
		if (!(method & r->methods)) {
			*allow = r->allow;
			return 405;
		}
		if (zone_at >= 0 && http_zone_name(seg[zone_at],
		    seglen[zone_at], zone, zonelen) != 0)
			return 400;
		*route = r->id;
		return 200;
	}
	return 404;
}

int
http_parse_wait(const char *query, int max_s, int *wait_s)
{
	struct evkeyvalq kv;
	const char *v;
	long n = 0;
	size_t i;

	*wait_s = 0;
	if (query == NULL || query[0] == '\0')
		return 0;
	TAILQ_INIT(&kv);
	if (evhttp_parse_query_str(query, &kv) != 0) {
		evhttp_clear_headers(&kv);
		return HP_EINVAL;
	}
	if ((v = evhttp_find_header(&kv, "wait")) != NULL) {
		if (v[0] == '\0' || strlen(v) > 6)
			goto bad;
		for (i = 0; v[i] != '\0'; i++) {
			if (v[i] < '0' || v[i] > '9')
				goto bad;
			n = n * 10 + (v[i] - '0');
		}
		if (n > max_s)
			goto bad;
		*wait_s = (int)n;
	}
	evhttp_clear_headers(&kv);
	return 0;
bad:
	evhttp_clear_headers(&kv);
	return HP_EINVAL;
}

/* ---- authentication ---------------------------------------------------- */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
http_signature_ok(const char *secret, const char *hex, const void *body,
    size_t len)
{
	unsigned char want[EVP_MAX_MD_SIZE], got[SHA256_DIGEST_LENGTH];
	unsigned int wantlen = 0;
	size_t i;
	int hi, lo, ok;

	if (secret == NULL || hex == NULL || strlen(hex) != 2 * sizeof(got))
		return 0;
	for (i = 0; i < sizeof(got); i++) {
		if ((hi = hexval(hex[2 * i])) < 0 ||
		    (lo = hexval(hex[2 * i + 1])) < 0)
			return 0;
		got[i] = (unsigned char)(hi * 16 + lo);
	}
	if (HMAC(EVP_sha256(), secret, (int)strlen(secret),
	    body != NULL ? body : (const void *)"", len, want, &wantlen) ==
	    NULL || wantlen != sizeof(got))
		return 0;
	ok = CRYPTO_memcmp(want, got, sizeof(got)) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

/* Constant-time equality of two strings of any lengths: compare their
 * SHA-256 digests. */
static int
token_eq(const char *a, const char *b)
{
	unsigned char da[SHA256_DIGEST_LENGTH], db[SHA256_DIGEST_LENGTH];

	if (a == NULL || b == NULL)
		return 0;
	if (SHA256((const unsigned char *)a, strlen(a), da) == NULL ||
	    SHA256((const unsigned char *)b, strlen(b), db) == NULL)
		return 0;
	return CRYPTO_memcmp(da, db, sizeof(da)) == 0;
}

/* "Bearer TOKEN" (scheme case-insensitive, RFC 9110 11.1) -> TOKEN. */
static const char *
bearer_token(const char *authorization)
{
	const char *p;

	if (strncasecmp(authorization, "Bearer ", 7) != 0)
		return NULL;
	for (p = authorization + 7; *p == ' '; p++)
		;
	return *p != '\0' ? p : NULL;
}

static int
check_bearer(const char *api_token, const char *authorization,
    const char **why)
{
	const char *tok;

	if ((tok = bearer_token(authorization)) == NULL) {
		*why = "malformed Authorization header (want: Bearer TOKEN)";
		return HP_EACCES;
	}
	if (api_token == NULL) {
		*why = "bearer token given but no api-token is configured";
		return HP_EACCES;
	}
	if (!token_eq(api_token, tok)) {
		*why = "wrong bearer token";
		return HP_EACCES;
	}
	return 0;
}

int
http_auth_check(const char *webhook_secret, const char *api_token,
    int method, const struct http_auth_input *in, const void *body,
    size_t len, const char **why)
{
	const char *sig;
	int presented = 0;

	*why = NULL;
	if (!(method & HTTP_M_POST)) {
		if (api_token == NULL)
			return 0;
		if (in->authorization == NULL) {
			*why = "missing Authorization: Bearer token";
			return HP_EACCES;
		}
		return check_bearer(api_token, in->authorization, why);
	}
	if (webhook_secret == NULL && api_token == NULL) {
		*why = "no webhook-secret or api-token is configured";
		return HP_ENOTSUP;
	}
	if ((sig = in->hub_signature_256) != NULL) {
		presented++;
		if (webhook_secret == NULL) {
			*why = "signature given but no webhook-secret is "
			    "configured";
			return HP_EACCES;
		}
		if (strncmp(sig, "sha256=", 7) != 0) {
			*why = "malformed X-Hub-Signature-256 "
			    "(want: sha256=HEX)";
			return HP_EACCES;
		}
		if (!http_signature_ok(webhook_secret, sig + 7, body, len)) {
			*why = "X-Hub-Signature-256 does not match the body";
			return HP_EACCES;
		}
	}
	if ((sig = in->gitea_signature) != NULL) {
		presented++;
		if (webhook_secret == NULL) {
			*why = "signature given but no webhook-secret is "
			    "configured";
			return HP_EACCES;
		}
		if (!http_signature_ok(webhook_secret, sig, body, len)) {
			*why = "X-Gitea-Signature does not match the body";
			return HP_EACCES;
		}
	}
	if (in->gitlab_token != NULL) {
		presented++;
		if (webhook_secret == NULL ||
		    !token_eq(webhook_secret, in->gitlab_token)) {
			*why = "wrong X-Gitlab-Token";
			return HP_EACCES;
		}
	}
	if (in->authorization != NULL) {
		presented++;
		if (check_bearer(api_token, in->authorization, why) != 0)
			return HP_EACCES;
	}
	if (presented == 0) {
		*why = "missing signature or token (X-Hub-Signature-256, "
		    "X-Gitea-Signature, X-Gitlab-Token or Authorization)";
		return HP_EACCES;
	}
	return 0;
}

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

static void
send_json(struct http_server *srv, struct evhttp_request *ev, int status,
    const struct json_writer *w, const char *allow)
{
	static const char internal[] = "{\"error\":\"internal error: "
	    "response too large or malformed\"}";
	static const char empty[] = "{}";
	size_t len;
	const char *doc;

	if (w == NULL) {
		send_body(srv, ev, status, "application/json", empty,
		    sizeof(empty) - 1, allow);
		return;
	}
	doc = json_data(w, &len);
	if (json_error(w) != 0 || w->depth != 0) {
		send_body(srv, ev, 500, "application/json", internal,
		    sizeof(internal) - 1, NULL);
		return;
	}
	if (len == 0) {
		send_body(srv, ev, status, "application/json", empty,
		    sizeof(empty) - 1, allow);
		return;
	}
	send_body(srv, ev, status, "application/json", doc, len, allow);
}

static void
send_error(struct http_server *srv, struct evhttp_request *ev, int status,
    const char *msg, const char *allow)
{
	struct json_writer w;

	json_init(&w);
	json_error_doc(&w, msg);
	send_json(srv, ev, status, &w, allow);
	json_free(&w);
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
http_reply_json(struct http_req *req, int status,
    const struct json_writer *json)
{
	struct json_writer w;

	if (req == NULL)
		return HP_EINVAL;
	unlink_req(req);
	if (json != NULL && json_data(json, NULL)[0] == '\0' && status >= 400) {
		json_init(&w);
		json_error_doc(&w, reason_phrase(status));
		send_json(req->srv, req->ev, status, &w, NULL);
		json_free(&w);
	} else
		send_json(req->srv, req->ev, status, json, NULL);
	free(req);
	return 0;
}

int
http_reply_error(struct http_req *req, int status, const char *msg)
{
	struct json_writer w;
	int ret;

	json_init(&w);
	json_error_doc(&w, msg);
	ret = http_reply_json(req, status, &w);
	json_free(&w);
	return ret;
}

const char *
http_req_zone(const struct http_req *req)
{
	return req->zone;
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
	struct json_writer out;
	uint64_t serial = 0;
	int status = 200, ret, ping, rc;

	json_init(&out);
	if (r->route == HTTP_ROUTE_PUBLISH) {
		if (is_webhook_event(h, &ping)) {
			if (ping) {
				json_obj_begin(&out);
				json_kv_bool(&out, "ok", 1);
				json_kv_str(&out, "event", "ping");
				json_obj_end(&out);
				send_json(srv, r->ev, 200, &out, NULL);
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
		rc = json_get_uint(body != NULL ? body : "", len, "serial",
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
		r->next = srv->deferred;
		if (r->next != NULL)
			r->next->prev = r;
		srv->deferred = r;
		srv->pending++;
		json_free(&out);
		return;
	}
	if (ret < 0) {
		send_error(srv, r->ev, 500, hp_strerror(ret), NULL);
		goto done;
	}
	if (json_data(&out, NULL)[0] == '\0' && status >= 400)
		json_error_doc(&out, reason_phrase(status));
	send_json(srv, r->ev, status, &out, NULL);
	goto done;
not_impl:
	send_error(srv, r->ev, 501, "not implemented", NULL);
done:
	json_free(&out);
	free(r);
}

static void
run_get(struct http_server *srv, struct evhttp_request *ev,
    enum http_route_id route, const char *zone)
{
	struct json_writer out;
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
	json_init(&out);
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
	if (ret == 1)
		send_error(srv, ev, 501, "not implemented", NULL);
	else if (ret < 0)
		send_error(srv, ev, 500, hp_strerror(ret), NULL);
	else {
		if (json_data(&out, NULL)[0] == '\0' && status >= 400)
			json_error_doc(&out, reason_phrase(status));
		send_json(srv, ev, status, &out, NULL);
	}
	json_free(&out);
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
	int method, status, wait_s = 0, rc;

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
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		send_error(srv, ev, 500, "out of memory", NULL);
		return;
	}
	r->srv = srv;
	r->ev = ev;
	r->route = route;
	memcpy(r->zone, zone, sizeof(r->zone));
	log_info("http: %s %s from %s", "POST", evhttp_uri_get_path(uri),
	    peer_name(ev, peer, sizeof(peer)));
	run_post(srv, r, h, body, len, wait_s);
}

/* ---- set-up ------------------------------------------------------------ */

static int
split_listen(const char *spec, char *addr, size_t addrlen, uint16_t *port)
{
	const char *at = strrchr(spec, '@');
	size_t alen;
	long p = 0;
	const char *q;

	if (at == NULL || at == spec || at[1] == '\0')
		return HP_ECONF;
	alen = (size_t)(at - spec);
	if (spec[0] == '[' && alen >= 2 && spec[alen - 1] == ']') {
		spec++;
		alen -= 2;
	}
	if (alen + 1 > addrlen)
		return HP_ECONF;
	memcpy(addr, spec, alen);
	addr[alen] = '\0';
	for (q = at + 1; *q != '\0'; q++) {
		if (*q < '0' || *q > '9' || p > 65535)
			return HP_ECONF;
		p = p * 10 + (*q - '0');
	}
	if (p < 1 || p > 65535)
		return HP_ECONF;
	*port = (uint16_t)p;
	return 0;
}

static void
free_secret(char *s)
{
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

static int
dup_secret(const char *in, char **out)
{
	*out = NULL;
	if (in == NULL || in[0] == '\0')
		return 0;
	return (*out = strdup(in)) == NULL ? HP_ENOMEM : 0;
}

int
http_server_new(struct event_base *base, const struct http_server_opts *opts,
    const struct http_actions *act, struct http_server **out, char *errbuf,
    size_t errlen)
{
	struct http_server *srv;
	uint64_t max_body;
	char addr[128];
	uint16_t port;
	int ret;

	if (errlen > 0)
		errbuf[0] = '\0';
	if (opts->listen == NULL ||
	    split_listen(opts->listen, addr, sizeof(addr), &port) != 0) {
		snprintf(errbuf, errlen, "http-listen: want ADDR@PORT, got "
		    "\"%s\"", opts->listen != NULL ? opts->listen : "");
		return HP_ECONF;
	}
	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return HP_ENOMEM;
	srv->base = base;
	if (act != NULL)
		srv->act = *act;
	srv->max_wait_s = opts->max_wait_s > 0 ? opts->max_wait_s : 300;
	if ((ret = dup_secret(opts->webhook_secret, &srv->secret)) != 0 ||
	    (ret = dup_secret(opts->api_token, &srv->token)) != 0)
		goto fail;
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
	if (evhttp_bind_socket_with_handle(srv->http, addr, port) == NULL) {
		ret = HP_EIO;
		snprintf(errbuf, errlen, "http-listen %s: cannot listen on "
		    "%s port %u", opts->listen, addr, (unsigned)port);
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
	free_secret(srv->secret);
	free_secret(srv->token);
	free(srv);
}
