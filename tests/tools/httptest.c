/*
 * httptest.c -- runs agent/http.c's server with stub actions that print
 * each call on stdout, for tests/scenario/http_*.sh.
 *
 * usage: httptest -l ADDR@PORT [-s SECRET] [-t TOKEN] [-m MAXBODY]
 *                 [-T TIMEOUT_S] [-W MAX_WAIT_S]
 * publish with ?wait=S (S > 0) is deferred and answered after S seconds.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns/err.h"
#include "dns/log.h"
#include "agent/http/http.h"
#include "agent/http/json.h"

struct later {
	struct http_req *req;
	struct event *ev;
	int wait_s;
	struct later *next;
};

static struct later *laters;	/* timers not yet fired */

static void
later_unlink(struct later *l)
{
	struct later **p;

	for (p = &laters; *p != NULL; p = &(*p)->next)
		if (*p == l) {
			*p = l->next;
			return;
		}
}

static struct event_base *base;
static unsigned long calls;

static void
reply_later(evutil_socket_t fd, short what, void *arg)
{
	struct later *l = arg;
	struct json_writer w;

	(void)fd;
	(void)what;
	json_init(&w);
	json_obj_begin(&w);
	json_kv_str(&w, "zone", http_req_zone(l->req));
	json_kv_int(&w, "waited", l->wait_s);
	json_obj_end(&w);
	printf("deferred-reply %s\n", http_req_zone(l->req));
	fflush(stdout);
	http_reply_json(l->req, 200, &w);
	json_free(&w);
	later_unlink(l);
	event_free(l->ev);
	free(l);
}

static int
t_publish(void *arg, struct http_req *req, const char *zone,
    const char *body, size_t len, int wait_s, struct json_writer *out,
    int *status)
{
	struct timeval tv = { 0, 0 };
	struct later *l;

	(void)arg;
	calls++;
	printf("publish %s %s len=%zu wait=%d\n", zone,
	    body != NULL ? "body" : "fetch", len, wait_s);
	fflush(stdout);
	if (strcmp(zone, "missing.test.") == 0) {
		*status = 404;
		return json_error_doc(out, "no such zone: missing.test.");
	}
	if (wait_s > 0) {
		if ((l = calloc(1, sizeof(*l))) == NULL)
			return HP_ENOMEM;
		l->req = req;
		l->wait_s = wait_s;
		tv.tv_sec = wait_s;
		if ((l->ev = evtimer_new(base, reply_later, l)) == NULL ||
		    evtimer_add(l->ev, &tv) != 0) {
			free(l);
			return HP_ENOMEM;
		}
		l->next = laters;
		laters = l;
		return HTTP_DEFERRED;
	}
	json_obj_begin(out);
	json_kv_str(out, "zone", zone);
	json_kv_bool(out, "changed", 1);
	json_kv_uint(out, "bytes", len);
	return json_obj_end(out);
}

static int
t_rollback(void *arg, struct http_req *req, const char *zone,
    uint32_t serial, int wait_s, struct json_writer *out, int *status)
{
	(void)arg;
	(void)req;
	(void)status;
	calls++;
	printf("rollback %s serial=%u wait=%d\n", zone, serial, wait_s);
	fflush(stdout);
	json_obj_begin(out);
	json_kv_str(out, "zone", zone);
	json_kv_uint(out, "serial", serial);
	return json_obj_end(out);
}

static int
t_list(void *arg, struct json_writer *out, int *status)
{
	(void)arg;
	(void)status;
	printf("list\n");
	fflush(stdout);
	json_obj_begin(out);
	json_key(out, "zones");
	json_arr_begin(out);
	json_obj_begin(out);
	json_kv_str(out, "name", "example.com.");
	json_kv_uint(out, "serial", 2026112401);
	json_obj_end(out);
	json_arr_end(out);
	return json_obj_end(out);
}

static int
t_zone(void *arg, const char *zone, struct json_writer *out, int *status)
{
	(void)arg;
	printf("zone %s\n", zone);
	fflush(stdout);
	if (strcmp(zone, "example.com.") != 0) {
		*status = 404;
		return 0;	/* http.c fills {"error": "not found"} */
	}
	json_obj_begin(out);
	json_kv_str(out, "name", zone);
	json_kv_str(out, "note", "quote \" backslash \\ newline \n tab \t");
	return json_obj_end(out);
}

static int
t_status(void *arg, const char *zone, struct json_writer *out, int *status)
{
	(void)arg;
	(void)status;
	printf("status %s\n", zone);
	fflush(stdout);
	json_obj_begin(out);
	json_kv_str(out, "name", zone);
	json_key(out, "secondaries");
	json_arr_begin(out);
	json_arr_end(out);
	return json_obj_end(out);
}

static int
t_metrics(void *arg, struct evbuffer *out)
{
	(void)arg;
	return evbuffer_add_printf(out, "# TYPE hpagent_test_calls counter\n"
	    "hpagent_test_calls %lu\n", calls) < 0 ? HP_ENOMEM : 0;
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct timeval flush = { 0, 300000 };
	struct later *l;

	(void)sig;
	(void)what;
	printf("exiting, %u deferred\n", http_server_drain(arg));
	while ((l = laters) != NULL) {	/* their requests are answered */
		laters = l->next;
		event_free(l->ev);
		free(l);
	}
	fflush(stdout);
	event_base_loopexit(base, &flush);
}

int
main(int argc, char **argv)
{
	struct http_actions act = { NULL, t_publish, t_rollback, t_list,
	    t_zone, t_status, t_metrics };
	struct http_server_opts o;
	struct http_server *srv = NULL;
	struct event *sigterm, *sigint;
	char err[256];
	int c, rc;

	memset(&o, 0, sizeof(o));
	while ((c = getopt(argc, argv, "l:s:t:m:T:W:")) != -1) {
		switch (c) {
		case 'l': o.listen = optarg; break;
		case 's': o.webhook_secret = optarg; break;
		case 't': o.api_token = optarg; break;
		case 'm': o.max_body = strtoull(optarg, NULL, 10); break;
		case 'T': o.timeout_s = atoi(optarg); break;
		case 'W': o.max_wait_s = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: httptest -l ADDR@PORT [-s SECRET]"
			    " [-t TOKEN] [-m MAX] [-T TIMEOUT] [-W MAXWAIT]\n");
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	log_open("httptest", 2, NULL);
	if ((base = event_base_new()) == NULL)
		return 1;
	rc = http_server_new(base, &o, &act, &srv, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "httptest: %s (%s)\n", err, hp_strerror(rc));
		event_base_free(base);
		return 1;
	}
	sigterm = evsignal_new(base, SIGTERM, on_signal, srv);
	sigint = evsignal_new(base, SIGINT, on_signal, srv);
	if (sigterm == NULL || sigint == NULL || evsignal_add(sigterm, NULL) ||
	    evsignal_add(sigint, NULL))
		return 1;
	printf("ready\n");
	fflush(stdout);
	event_base_dispatch(base);
	http_server_free(srv);
	event_free(sigterm);
	event_free(sigint);
	event_base_free(base);
	log_close();
	return 0;
}
