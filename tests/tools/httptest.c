/*
 * httptest.c -- runs agent/http/http.c's server with stub actions that print
 * each call on stdout, for tests/scenario/http_*.sh.
 *
 * usage: httptest -l ADDR@PORT [-s SECRET] [-t TOKEN] [-m MAXBODY]
 *                 [-b WEBHOOK_MAX_BODY] [-c MAX_CONNS] [-p MAX_PER_ADDR]
 *                 [-D REQUEST_TIMEOUT_S] [-T TIMEOUT_S] [-W MAX_WAIT_S]
 * publish with ?wait=S (S > 0) is deferred and answered after S seconds.
 * Delivery ids: remembered in memory when answered below 400; one seen
 * before is refused (printed "delivery-seen ID").
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

	(void)fd;
	(void)what;
	printf("deferred-reply %s\n", http_req_zone(l->req));
	fflush(stdout);
	http_reply_json(l->req, 200, json_pack("{s:s, s:i}", "zone",
	    http_req_zone(l->req), "waited", l->wait_s));
	later_unlink(l);
	event_free(l->ev);
	free(l);
}

static int
t_publish(void *arg, struct http_req *req, const char *zone,
    const char *body, size_t len, int wait_s, json_t **out, int *status)
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
		*out = hjson_error("no such zone: missing.test.");
		return HTTP_REPLY_NOW;
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
	*out = json_pack("{s:s, s:b, s:I}", "zone", zone, "changed", 1,
	    "bytes", (json_int_t)len);
	return HTTP_REPLY_NOW;
}

static int
t_rollback(void *arg, struct http_req *req, const char *zone,
    uint32_t serial, int wait_s, json_t **out, int *status)
{
	(void)arg;
	(void)req;
	(void)status;
	calls++;
	printf("rollback %s serial=%u wait=%d\n", zone, serial, wait_s);
	fflush(stdout);
	*out = json_pack("{s:s, s:I}", "zone", zone, "serial",
	    (json_int_t)serial);
	return HTTP_REPLY_NOW;
}

static int
t_list(void *arg, json_t **out, int *status)
{
	(void)arg;
	(void)status;
	printf("list\n");
	fflush(stdout);
	*out = json_pack("{s:[{s:s, s:I}]}", "zones", "name", "example.com.",
	    "serial", (json_int_t)2026112401);
	return 0;
}

static int
t_zone(void *arg, const char *zone, json_t **out, int *status)
{
	(void)arg;
	printf("zone %s\n", zone);
	fflush(stdout);
	if (strcmp(zone, "example.com.") != 0) {
		*status = 404;
		return 0;	/* http.c fills {"error": "not found"} */
	}
	*out = json_pack("{s:s, s:s}", "name", zone, "note",
	    "quote \" backslash \\ newline \n tab \t");
	return 0;
}

static int
t_status(void *arg, const char *zone, json_t **out, int *status)
{
	(void)arg;
	(void)status;
	printf("status %s\n", zone);
	fflush(stdout);
	*out = json_pack("{s:s, s:[]}", "name", zone, "secondaries");
	return 0;
}

static int
t_metrics(void *arg, struct evbuffer *out)
{
	(void)arg;
	return evbuffer_add_printf(out, "# TYPE hpagent_test_calls counter\n"
	    "hpagent_test_calls %lu\n", calls) < 0 ? HP_ENOMEM : 0;
}

static char seen[64][HTTP_DELIVERY_MAX + 1];
static int nseen;

static int
t_delivery_begin(void *arg, const char *id, const char *zone)
{
	int i;

	(void)arg;
	for (i = 0; i < nseen; i++)
		if (strcmp(seen[i], id) == 0) {
			printf("delivery-seen %s %s\n", id, zone);
			fflush(stdout);
			return 1;
		}
	return 0;
}

static void
t_delivery_end(void *arg, const char *id, const char *zone, int status)
{
	(void)arg;
	printf("delivery-end %s %s %d\n", id, zone, status);
	fflush(stdout);
	if (status < 400 && nseen < 64)
		snprintf(seen[nseen++], sizeof(seen[0]), "%s", id);
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
	struct http_actions act = { .publish = t_publish,
	    .rollback = t_rollback, .list_zones = t_list, .zone_info = t_zone,
	    .zone_status = t_status, .metrics = t_metrics,
	    .delivery_begin = t_delivery_begin,
	    .delivery_end = t_delivery_end };
	struct http_server_opts o;
	struct http_server *srv = NULL;
	struct event *sigterm, *sigint;
	char err[256], host[128], *at;
	int c, rc;

	memset(&o, 0, sizeof(o));
	while ((c = getopt(argc, argv, "l:s:t:m:b:c:p:D:T:W:")) != -1) {
		switch (c) {
		case 'l':	/* ADDR@PORT */
			snprintf(host, sizeof(host), "%s", optarg);
			if ((at = strrchr(host, '@')) == NULL)
				return 2;
			*at = '\0';
			o.host = host;
			o.port = (uint16_t)atoi(at + 1);
			break;
		case 's': o.webhook_secret = optarg; break;
		case 't': o.api_token = optarg; break;
		case 'm': o.max_body = strtoull(optarg, NULL, 10); break;
		case 'b': o.webhook_max_body = strtoull(optarg, NULL, 10);
			break;
		case 'c': o.max_conns = (unsigned)atoi(optarg); break;
		case 'p': o.max_per_addr = (unsigned)atoi(optarg); break;
		case 'D': o.request_timeout_s = atoi(optarg); break;
		case 'T': o.timeout_s = atoi(optarg); break;
		case 'W': o.max_wait_s = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: httptest -l ADDR@PORT [-s SECRET]"
			    " [-t TOKEN] [-m MAX] [-b WEBHOOK_MAX] [-c CONNS] "
			    "[-p PER_ADDR] [-D DEADLINE] [-T TIMEOUT] "
			    "[-W MAXWAIT]\n");
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
