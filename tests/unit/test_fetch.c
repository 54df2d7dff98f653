/*
 * test_fetch.c -- agent/publish/fetch.c: local files, file:// URLs, validators,
 * size limits, redaction, and HTTP against a canned server in a thread on
 * loopback (200 with validators, conditional 304, 404, oversized).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>
#include <cmocka.h>

#include "dns/err.h"
#include "agent/publish/fetch.h"

#define ZONE "$ORIGIN example.com.\n@ 300 IN SOA ns h 1 2 3 4 5\n"
#define SRV_ADDR "127.0.7.21"
#define SRV_PORT 31158

static char tmpdir[] = "/tmp/test_fetch.XXXXXX";
static char zonepath[256];

static int
setup(void **state)
{
	FILE *f;

	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(zonepath, sizeof(zonepath), "%s/zone", tmpdir);
	if ((f = fopen(zonepath, "w")) == NULL)
		return -1;
	fputs(ZONE, f);
	fclose(f);
	return fetch_global_init();
}

static int
teardown(void **state)
{
	(void)state;
	unlink(zonepath);
	rmdir(tmpdir);
	fetch_global_cleanup();
	return 0;
}

static void
test_file(void **state)
{
	struct fetch_opts o;
	struct fetch_result r;
	char url[300], *etag;

	(void)state;
	fetch_opts_init(&o);
	assert_int_equal(fetch_source(zonepath, &o, &r), 0);
	assert_int_equal(r.status, FETCH_OK);
	assert_int_equal(r.len, strlen(ZONE));
	assert_string_equal(r.body, ZONE);
	assert_non_null(r.etag);
	etag = strdup(r.etag);
	fetch_result_free(&r);

	snprintf(url, sizeof(url), "file://%s", zonepath);
	assert_int_equal(fetch_source(url, &o, &r), 0);
	assert_string_equal(r.body, ZONE);
	fetch_result_free(&r);
	snprintf(url, sizeof(url), "file://localhost%s", zonepath);
	assert_int_equal(fetch_source(url, &o, &r), 0);
	fetch_result_free(&r);
	snprintf(url, sizeof(url), "file://%s/%%7a%%6fne", tmpdir);
	assert_int_equal(fetch_source(url, &o, &r), 0);	/* "zone" */
	fetch_result_free(&r);

	/* Unchanged file: not modified, validator kept. */
	o.etag = etag;
	assert_int_equal(fetch_source(zonepath, &o, &r), 0);
	assert_int_equal(r.status, FETCH_NOT_MODIFIED);
	assert_null(r.body);
	assert_string_equal(r.etag, etag);
	fetch_result_free(&r);
	o.etag = "\"other\"";
	assert_int_equal(fetch_source(zonepath, &o, &r), 0);
	assert_int_equal(r.status, FETCH_OK);
	fetch_result_free(&r);
	free(etag);
	o.etag = NULL;

	/* Limits and errors. */
	o.max_size = strlen(ZONE);
	assert_int_equal(fetch_source(zonepath, &o, &r), 0);
	fetch_result_free(&r);
	o.max_size = strlen(ZONE) - 1;
	assert_int_equal(fetch_source(zonepath, &o, &r), HP_ETOOBIG);
	assert_int_equal(r.status, FETCH_ERROR);
	assert_non_null(strstr(r.errmsg, "body exceeds max-zone-size"));
	assert_non_null(strstr(r.errmsg, zonepath));
	fetch_result_free(&r);
	fetch_opts_init(&o);
	assert_int_equal(fetch_source("/nonexistent/zone", &o, &r), HP_ENOENT);
	assert_string_equal(r.errmsg,
	    "fetch /nonexistent/zone: No such file or directory");
	fetch_result_free(&r);
	assert_int_equal(fetch_source(tmpdir, &o, &r), HP_EINVAL);
	fetch_result_free(&r);
	assert_int_equal(fetch_source("file://host/zone", &o, &r), HP_EINVAL);
	fetch_result_free(&r);
	assert_int_equal(fetch_source("file:///a%00b", &o, &r), HP_EINVAL);
	fetch_result_free(&r);
	assert_int_equal(fetch_source("gopher://h/z", &o, &r), HP_EINVAL);
	fetch_result_free(&r);
	assert_int_equal(fetch_source("", &o, &r), HP_EINVAL);
	fetch_result_free(&r);
	assert_int_equal(fetch_source(NULL, NULL, &r), HP_EINVAL);
	fetch_result_free(&r);
	fetch_result_free(NULL);
}

static void
test_redact(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(fetch_redact("https://u:p@h/z", buf, sizeof(buf)),
	    "https://***@h/z");
	assert_string_equal(fetch_redact("https://u:p@x@h:8/z?a@b", buf,
	    sizeof(buf)), "https://***@h:8/z?***");
	assert_string_equal(fetch_redact("https://h/z?private_token=s3cr3t"
	    "&ref=main#frag", buf, sizeof(buf)), "https://h/z?***#***");
	assert_string_equal(fetch_redact("https://h/z#access_token=s3cr3t",
	    buf, sizeof(buf)), "https://h/z#***");
	assert_string_equal(fetch_redact("https://h?t=1", buf, sizeof(buf)),
	    "https://h?***");
	assert_string_equal(fetch_redact("https://h/z?", buf, sizeof(buf)),
	    "https://h/z");
	assert_string_equal(fetch_redact("file:///srv/z?x", buf, sizeof(buf)),
	    "file:///srv/z?***");
	assert_string_equal(fetch_redact("https://h/z@x", buf, sizeof(buf)),
	    "https://h/z@x");
	assert_string_equal(fetch_redact("/srv/zone@1", buf, sizeof(buf)),
	    "/srv/zone@1");
	assert_string_equal(fetch_redact("http://u@h", buf, 8), "http://");
}

/* The validators' key: no secret part of the URL, different for any
 * change of it, the path of a file kept. */
static void
test_source_id(void **state)
{
	char a[FETCH_SOURCE_ID_MAX], b[FETCH_SOURCE_ID_MAX];

	(void)state;
	fetch_source_id("example.com.", "https://u:pw0rd@h/z?token=t0k3n",
	    a, sizeof(a));
	assert_null(strstr(a, "pw0rd"));
	assert_null(strstr(a, "t0k3n"));
	assert_non_null(strstr(a, "https://***@h/z?*** sha256:"));
	assert_int_equal(strlen(strstr(a, "sha256:")), 7 + 64);
	fetch_source_id("example.com.", "https://u:pw0rd@h/z?token=t0k3m",
	    b, sizeof(b));
	assert_string_not_equal(a, b);
	fetch_source_id("example.org.", "https://u:pw0rd@h/z?token=t0k3n",
	    b, sizeof(b));
	assert_string_not_equal(a, b);
	assert_string_equal(fetch_source_id("example.com.", "/srv/z", b,
	    sizeof(b)), "/srv/z");
}

/* ---- canned HTTP server ------------------------------------------------- */

struct canned {
	int fd;
	int requests;
	char last[2048];	/* the last request's head */
};

static void
respond(int c, const char *head)
{
	char out[4096];
	int n = 0;

	if (strstr(head, "GET /zone ") != NULL) {
		if (strstr(head, "If-None-Match: \"v1\"") != NULL)
			n = snprintf(out, sizeof(out), "HTTP/1.1 304 Not "
			    "Modified\r\nETag: \"v1\"\r\nContent-Length: 0\r\n"
			    "Connection: close\r\n\r\n");
		else
			n = snprintf(out, sizeof(out), "HTTP/1.1 200 OK\r\n"
			    "ETag: \"v1\"\r\nLast-Modified: Tue, 24 Nov 2026 "
			    "10:00:00 GMT\r\nContent-Length: %zu\r\n"
			    "Connection: close\r\n\r\n%s", strlen(ZONE), ZONE);
	} else if (strstr(head, "GET /big ") != NULL)
		n = snprintf(out, sizeof(out), "HTTP/1.1 200 OK\r\n"
		    "Content-Length: 999999999\r\nConnection: close\r\n\r\n;");
	else if (strstr(head, "GET /moved ") != NULL)
		n = snprintf(out, sizeof(out), "HTTP/1.1 301 Moved\r\n"
		    "Location: /zone\r\nETag: \"old\"\r\nContent-Length: 0\r\n"
		    "\r\n");
	else
		n = snprintf(out, sizeof(out), "HTTP/1.1 404 Not Found\r\n"
		    "Content-Length: 0\r\nConnection: close\r\n\r\n");
	if (n > 0 && write(c, out, (size_t)n) < 0)
		return;
}

static void *
serve(void *arg)
{
	struct canned *cs = arg;
	char head[2048];
	size_t got;
	ssize_t n;
	int c;

	for (;;) {
		if ((c = accept(cs->fd, NULL, NULL)) < 0)
			return NULL;
		got = 0;
		while (got < sizeof(head) - 1 &&
		    (n = read(c, head + got, sizeof(head) - 1 - got)) > 0) {
			got += (size_t)n;
			head[got] = '\0';
			if (strstr(head, "\r\n\r\n") != NULL)
				break;
		}
		head[got] = '\0';
		memcpy(cs->last, head, got + 1);
		cs->requests++;
		respond(c, head);
		shutdown(c, SHUT_WR);
		while (read(c, head, sizeof(head)) > 0)
			;
		close(c);
	}
}

static void
test_http(void **state)
{
	struct sockaddr_in sin;
	struct canned cs = { -1, 0, "" };
	struct fetch_opts o;
	struct fetch_result r;
	pthread_t tid;
	int one = 1;

	(void)state;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(SRV_PORT);
	inet_pton(AF_INET, SRV_ADDR, &sin.sin_addr);
	assert_true((cs.fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	setsockopt(cs.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(cs.fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(cs.fd, 8), 0);
	assert_int_equal(pthread_create(&tid, NULL, serve, &cs), 0);

	fetch_opts_init(&o);
	o.timeout_ms = 5000;
	assert_int_equal(fetch_source("http://" SRV_ADDR ":31158/zone", &o,
	    &r), 0);
	assert_int_equal(r.status, FETCH_OK);
	assert_int_equal(r.http_code, 200);
	assert_string_equal(r.body, ZONE);
	assert_string_equal(r.etag, "\"v1\"");
	assert_string_equal(r.last_modified, "Tue, 24 Nov 2026 10:00:00 GMT");
	fetch_result_free(&r);

	o.etag = "\"v1\"";
	o.last_modified = "Tue, 24 Nov 2026 10:00:00 GMT";
	assert_int_equal(fetch_source("http://" SRV_ADDR ":31158/zone", &o,
	    &r), 0);
	assert_int_equal(r.status, FETCH_NOT_MODIFIED);
	assert_non_null(strstr(cs.last, "If-None-Match: \"v1\"\r\n"));
	assert_non_null(strstr(cs.last, "If-Modified-Since: Tue, 24 Nov 2026 "
	    "10:00:00 GMT\r\n"));
	assert_string_equal(r.etag, "\"v1\"");
	assert_string_equal(r.last_modified, "Tue, 24 Nov 2026 10:00:00 GMT");
	fetch_result_free(&r);

	/* A validator that would inject a header is refused. */
	o.etag = "\"v1\"\r\nX-Evil: 1";
	assert_int_equal(fetch_source("http://" SRV_ADDR ":31158/zone", &o,
	    &r), HP_EINVAL);
	fetch_result_free(&r);
	o.etag = NULL;
	o.last_modified = NULL;

	/* Validators come from the final response of a redirect chain. */
	assert_int_equal(fetch_source("http://" SRV_ADDR ":31158/moved", &o,
	    &r), 0);
	assert_string_equal(r.etag, "\"v1\"");
	fetch_result_free(&r);

	assert_int_equal(fetch_source("http://" SRV_ADDR ":31158/nothing", &o,
	    &r), HP_EFETCH);
	assert_string_equal(r.errmsg,
	    "fetch http://" SRV_ADDR ":31158/nothing: HTTP 404");
	assert_int_equal(r.http_code, 404);
	fetch_result_free(&r);

	o.max_size = 1000;
	assert_int_equal(fetch_source("http://u:pw@" SRV_ADDR ":31158/big",
	    &o, &r), HP_ETOOBIG);
	assert_string_equal(r.errmsg, "fetch http://***@" SRV_ADDR
	    ":31158/big: body exceeds max-zone-size (1000 bytes)");
	fetch_result_free(&r);

	shutdown(cs.fd, SHUT_RDWR);
	close(cs.fd);
	pthread_join(tid, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_source_id),
		cmocka_unit_test(test_http),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
