/*
 * test_http.c -- agent/http/ (http.c, routes.c, auth.c): HMAC signatures
 * (known answers), the authentication rules, routing, zone names, ?wait=,
 * and one server on loopback driven by libevent's HTTP client (immediate
 * and deferred answers).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "dns/err.h"
#include "agent/http/http.h"

/* RFC 4231 test case 2 and GitHub's documented webhook example. */
#define RFC4231_2 \
	"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
#define GITHUB_SIG \
	"757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
#define GITHUB_SECRET	"It's a Secret to Everybody"
#define GITHUB_BODY	"Hello, World!"

static void
test_signature_vectors(void **state)
{
	const char *body = "what do ya want for nothing?";
	char upper[65];
	size_t i;

	(void)state;
	assert_true(http_signature_ok("Jefe", RFC4231_2, body, strlen(body)));
	assert_true(http_signature_ok(GITHUB_SECRET, GITHUB_SIG, GITHUB_BODY,
	    strlen(GITHUB_BODY)));
	for (i = 0; i < 64; i++)
		upper[i] = (char)(GITHUB_SIG[i] >= 'a' ? GITHUB_SIG[i] - 32 :
		    GITHUB_SIG[i]);
	upper[64] = '\0';
	assert_true(http_signature_ok(GITHUB_SECRET, upper, GITHUB_BODY,
	    strlen(GITHUB_BODY)));
	/* Wrong body, wrong secret, truncated, too long, not hex, NULLs. */
	assert_false(http_signature_ok(GITHUB_SECRET, GITHUB_SIG,
	    "Hello, World?", 13));
	assert_false(http_signature_ok("it's a secret to everybody",
	    GITHUB_SIG, GITHUB_BODY, 13));
	assert_false(http_signature_ok(GITHUB_SECRET,
	    "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1",
	    GITHUB_BODY, 13));
	assert_false(http_signature_ok(GITHUB_SECRET, GITHUB_SIG "0",
	    GITHUB_BODY, 13));
	assert_false(http_signature_ok(GITHUB_SECRET,
	    "z57107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
	    GITHUB_BODY, 13));
	assert_false(http_signature_ok(NULL, GITHUB_SIG, GITHUB_BODY, 13));
	assert_false(http_signature_ok(GITHUB_SECRET, NULL, GITHUB_BODY, 13));
	/* The empty body: HMAC-SHA256("key", ""). */
	assert_true(http_signature_ok("key", "5d5d139563c95b5967b9bd9a8c9b2"
	    "33a9dedb45072794cd232dc1b74832607d0", NULL, 0));
}

static int
auth(const char *secret, const char *token, int method, const char *hub,
    const char *gitea, const char *gitlab, const char *authz)
{
	struct http_auth_input in = { hub, gitea, gitlab, authz };
	const char *why = NULL;
	int rc, how = -1, how2 = -1;

	struct evbuffer *b = evbuffer_new();

	assert_non_null(b);
	/* in two pieces, as evhttp may hold it */
	evbuffer_add_reference(b, GITHUB_BODY, 5, NULL, NULL);
	evbuffer_add_reference(b, GITHUB_BODY + 5, strlen(GITHUB_BODY) - 5,
	    NULL, NULL);
	rc = http_auth_check(secret, token, method, &in, b, &how, &why);
	evbuffer_free(b);
	if (rc != 0)
		assert_non_null(why);
	/* What the head alone says agrees, but for a signature, which needs
	 * the body: a wrong one passes the head and fails with the body. */
	if (http_auth_headers(secret, token, method, &in, &how2, &why) == 0 &&
	    rc == 0)
		assert_int_equal(how, how2);
	return rc;
}

/* How a request got in, from its head only. */
static int
head_how(const char *secret, const char *token, int method,
    const char *hub, const char *gitlab, const char *authz)
{
	struct http_auth_input in = { hub, NULL, gitlab, authz };
	const char *why = NULL;
	int how = -1, rc;

	rc = http_auth_headers(secret, token, method, &in, &how, &why);
	return rc < 0 ? rc : how;
}

static void
test_auth_headers(void **state)
{
	const char *S = GITHUB_SECRET, *P = "tok";

	(void)state;
	/* A signature is only looked at for its form on the head. */
	assert_int_equal(head_how(S, P, HTTP_M_POST, "sha256=" RFC4231_2,
	    NULL, NULL), HTTP_AUTH_SIGNATURE);
	assert_int_equal(head_how(S, P, HTTP_M_POST, "sha256=abc", NULL,
	    NULL), HP_EACCES);
	/* Tokens are decided at once. */
	assert_int_equal(head_how(S, P, HTTP_M_POST, NULL, NULL, "Bearer tok"),
	    HTTP_AUTH_TOKEN);
	assert_int_equal(head_how(S, P, HTTP_M_POST, NULL, S, NULL),
	    HTTP_AUTH_TOKEN);
	assert_int_equal(head_how(S, P, HTTP_M_POST, "sha256=" RFC4231_2,
	    NULL, "Bearer tok"), HTTP_AUTH_TOKEN);
	assert_int_equal(head_how(S, P, HTTP_M_POST, "sha256=" RFC4231_2,
	    NULL, "Bearer nope"), HP_EACCES);
	assert_int_equal(head_how(S, P, HTTP_M_POST, NULL, NULL, NULL),
	    HP_EACCES);
	assert_int_equal(head_how(NULL, NULL, HTTP_M_POST, NULL, NULL,
	    "Bearer tok"), HP_ENOTSUP);
	/* GET: open without a token configured, a token otherwise. */
	assert_int_equal(head_how(S, NULL, HTTP_M_GET, NULL, NULL, NULL),
	    HTTP_AUTH_OPEN);
	assert_int_equal(head_how(S, P, HTTP_M_GET, NULL, NULL, "Bearer tok"),
	    HTTP_AUTH_TOKEN);
	assert_int_equal(head_how(S, P, HTTP_M_GET, NULL, NULL, NULL),
	    HP_EACCES);
	/* DELETE: a token; a signature alone (over no body, the same for
	 * every zone) is refused, beside a token it must still hold. */
	assert_int_equal(head_how(S, P, HTTP_M_DELETE, NULL, NULL,
	    "Bearer tok"), HTTP_AUTH_TOKEN);
	assert_int_equal(head_how(S, P, HTTP_M_DELETE, NULL, S, NULL),
	    HTTP_AUTH_TOKEN);
	assert_int_equal(head_how(S, P, HTTP_M_DELETE, "sha256=" RFC4231_2,
	    NULL, NULL), HP_EACCES);
	assert_int_equal(head_how(S, P, HTTP_M_DELETE, NULL, NULL, NULL),
	    HP_EACCES);
	assert_int_equal(head_how(S, NULL, HTTP_M_DELETE, NULL, NULL, NULL),
	    HP_EACCES);
	assert_int_equal(auth(S, P, HTTP_M_DELETE, "sha256=" RFC4231_2, NULL,
	    NULL, "Bearer tok"), HP_EACCES);
}

static void
test_auth_rules(void **state)
{
	const char *S = GITHUB_SECRET, *P = "tok";
	const int POST = HTTP_M_POST, GET = HTTP_M_GET;

	(void)state;
	/* POST: each kind of credential. */
	assert_int_equal(auth(S, P, POST, "sha256=" GITHUB_SIG, NULL, NULL,
	    NULL), 0);
	assert_int_equal(auth(S, P, POST, NULL, GITHUB_SIG, NULL, NULL), 0);
	assert_int_equal(auth(S, P, POST, NULL, NULL, S, NULL), 0);
	assert_int_equal(auth(S, P, POST, NULL, NULL, NULL, "Bearer tok"), 0);
	assert_int_equal(auth(S, P, POST, NULL, NULL, NULL, "bearer   tok"), 0);
	/* Missing, wrong, malformed. */
	assert_int_equal(auth(S, P, POST, NULL, NULL, NULL, NULL), HP_EACCES);
	assert_int_equal(auth(S, P, POST, "sha256=" RFC4231_2, NULL, NULL,
	    NULL), HP_EACCES);
	assert_int_equal(auth(S, P, POST, GITHUB_SIG, NULL, NULL, NULL),
	    HP_EACCES);
	assert_int_equal(auth(S, P, POST, "sha1=" GITHUB_SIG, NULL, NULL,
	    NULL), HP_EACCES);
	assert_int_equal(auth(S, P, POST, "sha256=", NULL, NULL, NULL),
	    HP_EACCES);
	assert_int_equal(auth(S, P, POST, NULL, "sha256=" GITHUB_SIG, NULL,
	    NULL), HP_EACCES);
	assert_int_equal(auth(S, P, POST, NULL, NULL, "tok", NULL), HP_EACCES);
	assert_int_equal(auth(S, P, POST, NULL, NULL, NULL, "Bearer tok2"),
	    HP_EACCES);
	assert_int_equal(auth(S, P, POST, NULL, NULL, NULL, "Bearer to"),
	    HP_EACCES);
	assert_int_equal(auth(S, P, POST, NULL, NULL, NULL, "Basic dG9r"),
	    HP_EACCES);
	assert_int_equal(auth(S, P, POST, NULL, NULL, NULL, "Bearer "),
	    HP_EACCES);
	/* A right credential does not excuse a wrong one. */
	assert_int_equal(auth(S, P, POST, "sha256=" GITHUB_SIG, NULL, NULL,
	    "Bearer nope"), HP_EACCES);
	/* Only what is configured is accepted. */
	assert_int_equal(auth(NULL, P, POST, "sha256=" GITHUB_SIG, NULL, NULL,
	    NULL), HP_EACCES);
	assert_int_equal(auth(S, NULL, POST, NULL, NULL, NULL, "Bearer tok"),
	    HP_EACCES);
	assert_int_equal(auth(NULL, NULL, POST, "sha256=" GITHUB_SIG, NULL,
	    NULL, "Bearer tok"), HP_ENOTSUP);
	/* GET: open without a token, bearer only with one. */
	assert_int_equal(auth(S, NULL, GET, NULL, NULL, NULL, NULL), 0);
	assert_int_equal(auth(S, P, GET, NULL, NULL, NULL, NULL), HP_EACCES);
	assert_int_equal(auth(S, P, GET, "sha256=" GITHUB_SIG, NULL, NULL,
	    NULL), HP_EACCES);
	assert_int_equal(auth(S, P, GET, NULL, NULL, NULL, "Bearer tok"), 0);
	assert_int_equal(auth(S, P, HTTP_M_HEAD, NULL, NULL, NULL, "Bearer x"),
	    HP_EACCES);
}

static int
route(int method, const char *path, enum http_route_id *id, char *zone)
{
	const char *allow;

	return http_route(method, path, id, zone, 256, &allow);
}

static void
test_routing(void **state)
{
	enum http_route_id id;
	char zone[256];
	const char *allow;

	(void)state;
	assert_int_equal(route(HTTP_M_POST, "/v1/zones/Example.COM/publish",
	    &id, zone), 200);
	assert_int_equal(id, HTTP_ROUTE_PUBLISH);
	assert_string_equal(zone, "example.com.");
	assert_int_equal(route(HTTP_M_POST, "/v1/zones/example.com./rollback",
	    &id, zone), 200);
	assert_int_equal(id, HTTP_ROUTE_ROLLBACK);
	assert_string_equal(zone, "example.com.");
	assert_int_equal(route(HTTP_M_GET, "/v1/zones", &id, zone), 200);
	assert_int_equal(id, HTTP_ROUTE_ZONES);
	assert_string_equal(zone, "");
	assert_int_equal(route(HTTP_M_HEAD, "/v1/zones/a.b", &id, zone), 200);
	assert_int_equal(id, HTTP_ROUTE_ZONE);
	assert_int_equal(route(HTTP_M_GET, "/v1/zones/a.b/status", &id, zone),
	    200);
	assert_int_equal(id, HTTP_ROUTE_STATUS);
	assert_int_equal(route(HTTP_M_GET, "/metrics", &id, zone), 200);
	assert_int_equal(id, HTTP_ROUTE_METRICS);
	/* Zone "status" is a name, not the status route. */
	assert_int_equal(route(HTTP_M_GET, "/v1/zones/status", &id, zone), 200);
	assert_int_equal(id, HTTP_ROUTE_ZONE);
	/* Methods. */
	assert_int_equal(http_route(HTTP_M_GET, "/v1/zones/a/publish", &id,
	    zone, sizeof(zone), &allow), 405);
	assert_string_equal(allow, "POST");
	assert_int_equal(http_route(HTTP_M_OTHER, "/metrics", &id, zone,
	    sizeof(zone), &allow), 405);
	assert_string_equal(allow, "GET, HEAD");
	/* zone add and delete: the same paths as the reads */
	assert_int_equal(route(HTTP_M_POST, "/v1/zones", &id, zone), 200);
	assert_int_equal(id, HTTP_ROUTE_ZONE_ADD);
	assert_int_equal(route(HTTP_M_DELETE, "/v1/zones/a.test", &id, zone),
	    200);
	assert_int_equal(id, HTTP_ROUTE_ZONE_DELETE);
	assert_string_equal(zone, "a.test.");
	assert_int_equal(http_route(HTTP_M_OTHER, "/v1/zones", &id, zone,
	    sizeof(zone), &allow), 405);
	assert_string_equal(allow, "GET, HEAD, POST");
	assert_int_equal(route(HTTP_M_DELETE, "/v1/zones", &id, zone), 405);
	/* Unknown paths. */
	assert_int_equal(route(HTTP_M_GET, "/", &id, zone), 404);
	assert_int_equal(route(HTTP_M_GET, "", &id, zone), 404);
	assert_int_equal(route(HTTP_M_GET, "v1/zones", &id, zone), 404);
	assert_int_equal(route(HTTP_M_GET, "/v1/zones/", &id, zone), 404);
	assert_int_equal(route(HTTP_M_GET, "/v1//zones", &id, zone), 404);
	assert_int_equal(route(HTTP_M_GET, "/v1/zones/a/status/x", &id, zone),
	    404);
	assert_int_equal(route(HTTP_M_GET, "/v1/zones/a/b/c/d/e/f/g/h/i", &id,
	    zone), 404);
	assert_int_equal(route(HTTP_M_POST, "/v1/zones/a/Publish", &id, zone),
	    404);
	assert_int_equal(route(HTTP_M_GET, "/metricsx", &id, zone), 404);
	/* Bad zone names. */
	assert_int_equal(route(HTTP_M_GET, "/v1/zones/a..b", &id, zone), 400);
	assert_int_equal(route(HTTP_M_GET, "/v1/zones/.", &id, zone), 400);
	assert_int_equal(route(HTTP_M_GET, "/v1/zones/a%2fb", &id, zone), 400);
	assert_int_equal(route(HTTP_M_GET, "/v1/zones/a b", &id, zone), 400);
	assert_int_equal(id, HTTP_ROUTE_NONE);
}

static void
test_zone_names(void **state)
{
	char out[256], small[8], name[300];

	(void)state;
	assert_int_equal(http_zone_name("_Dmarc.Ex-1.ORG", 15, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "_dmarc.ex-1.org.");
	assert_int_equal(http_zone_name("com", 3, out, sizeof(out)), 0);
	assert_string_equal(out, "com.");
	assert_int_equal(http_zone_name("", 0, out, sizeof(out)), HP_EINVAL);
	assert_int_equal(http_zone_name(".a", 2, out, sizeof(out)), HP_EINVAL);
	assert_int_equal(http_zone_name("a..", 3, out, sizeof(out)),
	    HP_EINVAL);
	assert_int_equal(http_zone_name("a*b", 3, out, sizeof(out)),
	    HP_EINVAL);
	assert_int_equal(http_zone_name("a\0b", 3, out, sizeof(out)),
	    HP_EINVAL);
	assert_int_equal(http_zone_name("example.com", 11, small,
	    sizeof(small)), HP_EINVAL);
	/* Label of 63 fine, 64 not; 253 characters fine, 254 not. */
	memset(name, 'a', 64);
	assert_int_equal(http_zone_name(name, 63, out, sizeof(out)), 0);
	assert_int_equal(http_zone_name(name, 64, out, sizeof(out)),
	    HP_EINVAL);
	memset(name, 'a', sizeof(name));
	name[63] = name[127] = name[191] = '.';
	assert_int_equal(http_zone_name(name, 253, out, sizeof(out)), 0);
	assert_int_equal(strlen(out), 254);
	assert_int_equal(http_zone_name(name, 254, out, sizeof(out)),
	    HP_EINVAL);
}

static void
test_wait(void **state)
{
	int w = -1;

	(void)state;
	assert_int_equal(http_parse_wait(NULL, 300, &w), 0);
	assert_int_equal(w, 0);
	assert_int_equal(http_parse_wait("wait=30", 300, &w), 0);
	assert_int_equal(w, 30);
	assert_int_equal(http_parse_wait("x=1&wait=300", 300, &w), 0);
	assert_int_equal(w, 300);
	assert_int_equal(http_parse_wait("x=1", 300, &w), 0);
	assert_int_equal(w, 0);
	assert_int_equal(http_parse_wait("wait=301", 300, &w), HP_EINVAL);
	assert_int_equal(http_parse_wait("wait=-1", 300, &w), HP_EINVAL);
	assert_int_equal(http_parse_wait("wait=", 300, &w), HP_EINVAL);
	assert_int_equal(http_parse_wait("wait=1e3", 300, &w), HP_EINVAL);
	assert_int_equal(http_parse_wait("wait=99999999999", 300, &w),
	    HP_EINVAL);
	/* ?force=0|1, beside ?wait= */
	assert_int_equal(http_parse_force(NULL, &w), 0);
	assert_int_equal(w, 0);
	assert_int_equal(http_parse_force("wait=3&force=1", &w), 0);
	assert_int_equal(w, 1);
	assert_int_equal(http_parse_force("force=0", &w), 0);
	assert_int_equal(w, 0);
	assert_int_equal(http_parse_force("force=yes", &w), HP_EINVAL);
	assert_int_equal(http_parse_force("force=", &w), HP_EINVAL);
	assert_int_equal(http_parse_force("force=11", &w), HP_EINVAL);
}

/* ---- a live server on loopback ---------------------------------------- */

struct live {
	struct event_base *base;
	int publishes;
	int last_wait;
	size_t last_len;
	int got_status;
	char got_body[512];
	struct http_req *held;
};

static void
answer_held(evutil_socket_t fd, short what, void *arg)
{
	struct live *l = arg;

	(void)fd;
	(void)what;
	assert_int_equal(http_reply_json(l->held, 200, json_pack("{s:b}",
	    "in_sync", 1)), 0);
}

static int
live_publish(void *arg, struct http_req *req, const char *zone,
    const char *body, size_t len, int wait_s, json_t **out, int *status)
{
	struct live *l = arg;
	struct timeval tv = { 0, 100000 };

	(void)body;
	(void)status;
	assert_string_equal(zone, "example.com.");
	l->publishes++;
	l->last_wait = wait_s;
	l->last_len = len;
	if (wait_s > 0) {
		l->held = req;
		assert_int_equal(event_base_once(l->base, -1, EV_TIMEOUT,
		    answer_held, l, &tv), 0);
		return HTTP_DEFERRED;
	}
	*out = json_pack("{s:I}", "bytes", (json_int_t)len);
	return HTTP_REPLY_NOW;
}

static void
client_done(struct evhttp_request *req, void *arg)
{
	struct live *l = arg;
	struct evbuffer *in;
	size_t n;

	l->got_status = req != NULL ? evhttp_request_get_response_code(req) :
	    -1;
	l->got_body[0] = '\0';
	if (req != NULL && (in = evhttp_request_get_input_buffer(req)) !=
	    NULL) {
		n = evbuffer_get_length(in);
		if (n >= sizeof(l->got_body))
			n = sizeof(l->got_body) - 1;
		evbuffer_remove(in, l->got_body, n);
		l->got_body[n] = '\0';
	}
	event_base_loopexit(l->base, NULL);
}

static void
send_req(struct live *l, struct evhttp_connection *c,
    enum evhttp_cmd_type cmd, const char *uri, const char *sig,
    const char *body)
{
	struct evhttp_request *r = evhttp_request_new(client_done, l);
	struct timeval limit = { 5, 0 };

	assert_non_null(r);
	evhttp_add_header(evhttp_request_get_output_headers(r), "Host", "t");
	if (sig != NULL)
		evhttp_add_header(evhttp_request_get_output_headers(r),
		    "X-Hub-Signature-256", sig);
	if (body != NULL)
		evbuffer_add(evhttp_request_get_output_buffer(r), body,
		    strlen(body));
	l->got_status = 0;
	assert_int_equal(evhttp_make_request(c, r, cmd, uri), 0);
	assert_int_equal(event_base_loopexit(l->base, &limit), 0);
	event_base_dispatch(l->base);
}

static void
test_live_server(void **state)
{
	struct http_actions act = { 0 };
	struct http_server_opts o = { 0 };
	struct http_server *srv = NULL;
	struct evhttp_connection *c;
	struct live l = { 0 };
	char err[256];

	(void)state;
	assert_non_null(l.base = event_base_new());
	act.arg = &l;
	act.publish = live_publish;
	o.host = "127.0.7.21";
	o.port = 31157;
	o.webhook_secret = GITHUB_SECRET;
	o.max_body = 1000;
	o.timeout_s = 5;
	assert_int_equal(http_server_new(l.base, &o, &act, &srv, err,
	    sizeof(err)), 0);
	assert_non_null(c = evhttp_connection_base_new(l.base, NULL,
	    "127.0.7.21", 31157));

	send_req(&l, c, EVHTTP_REQ_POST, "/v1/zones/example.com/publish",
	    "sha256=" GITHUB_SIG, GITHUB_BODY);
	assert_int_equal(l.got_status, 200);
	assert_string_equal(l.got_body, "{\"bytes\":13}\n");
	assert_int_equal(l.publishes, 1);

	send_req(&l, c, EVHTTP_REQ_POST, "/v1/zones/example.com/publish",
	    "sha256=" RFC4231_2, GITHUB_BODY);
	assert_int_equal(l.got_status, 401);
	assert_int_equal(l.publishes, 1);

	send_req(&l, c, EVHTTP_REQ_POST,
	    "/v1/zones/example.com/publish?wait=3", "sha256=" GITHUB_SIG,
	    GITHUB_BODY);
	assert_int_equal(l.got_status, 200);
	assert_string_equal(l.got_body, "{\"in_sync\":true}\n");
	assert_int_equal(l.last_wait, 3);
	assert_int_equal(http_server_pending(srv), 0);

	send_req(&l, c, EVHTTP_REQ_GET, "/v1/zones", NULL, NULL);
	assert_int_equal(l.got_status, 501);	/* no list action given */
	send_req(&l, c, EVHTTP_REQ_PUT, "/v1/zones/example.com", NULL, NULL);
	assert_int_equal(l.got_status, 405);

	evhttp_connection_free(c);
	http_server_free(srv);
	/* The address is free again; one that is not ours is refused
	 * (http-listen: syntax is the configuration's: test_config). */
	o.host = "192.0.2.1";
	assert_int_equal(http_server_new(l.base, &o, &act, &srv, err,
	    sizeof(err)), HP_EIO);
	assert_non_null(strstr(err, "cannot listen on 192.0.2.1 port 31157"));
	o.host = "::1";
	if (http_server_new(l.base, &o, &act, &srv, err, sizeof(err)) == 0)
		http_server_free(srv);
	o.host = "127.0.7.21";
	assert_int_equal(http_server_new(l.base, &o, &act, &srv, err,
	    sizeof(err)), 0);
	http_server_free(srv);
	event_base_free(l.base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature_vectors),
		cmocka_unit_test(test_auth_rules),
		cmocka_unit_test(test_auth_headers),
		cmocka_unit_test(test_routing),
		cmocka_unit_test(test_zone_names),
		cmocka_unit_test(test_wait),
		cmocka_unit_test(test_live_server),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
