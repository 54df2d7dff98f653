/*
 * fuzz_http.c -- the webhook / API request handling (agent/http/).
 *
 * Input: the bytes a client sends on one connection (request line,
 * headers, body; several pipelined requests allowed). They are written
 * into a connection to the server's evhttp, listening on a Unix socket in
 * a temporary directory (evhttp_accept_socket), so libevent's parser, handle() (routing, ?wait=, the credential checks,
 * webhook event detection, bodies) and the answers all run; the answer
 * is read until the server closes. Before sending, "@LEN@" in the input
 * becomes the length of what follows the first blank line, and "@SIG@"
 * the hex HMAC-SHA256 of it under the webhook secret, so the fuzzer gets
 * past Content-Length and the signature check. An input starting with
 * '!' goes (without it) to a server with no secret or token configured.
 * The actions are stubs: publish defers when ?wait= is given (answered
 * 504 or drained with 503 afterwards), rollback answers with the serial.
 * The server is http_server_new()'s, accepting on a Unix socket, so each
 * connection goes through the gate in front of evhttp (agent/http/gate.c:
 * the head checked before any body, limits per credential, a body under
 * a signature only at most 64 KiB here, one request per connection) and
 * the delivery-id checks (stubs: an id ending in '7' was seen before).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "agent/http/http.h"
#include "agent/http/json.h"
#include "dns/err.h"
#include "dns/log.h"
#include "tests/fuzz/fuzz.h"

#define FZ_MAX_DEFERRED	64

static struct event_base *fz_base;
static struct http_server *fz_srv[2];
static struct http_req *fz_req[FZ_MAX_DEFERRED];	/* deferred, in order */
static int fz_nreq;
static int fz_deferred;
static struct sockaddr_un fz_sun[2];
static char fz_dir[64];

static const char fz_secret[] = "s3cret-webhook";
static const char fz_token[] = "t0ken-api";

/* Keep REQ to answer it later (the server answers 503 when full). */
static int
fz_defer(struct http_req *req, json_t **out, int *status)
{
	fz_deferred++;
	if (fz_nreq == FZ_MAX_DEFERRED) {
		*status = 503;
		*out = hjson_error("too many deferred");
		return HTTP_REPLY_NOW;
	}
	fz_req[fz_nreq++] = req;
	return HTTP_DEFERRED;
}

static int
fz_publish(void *arg, struct http_req *req, const char *zone,
    const char *body, size_t len, int wait_s, json_t **out, int *status)
{
	(void)arg;
	FUZZ_CHECK(zone != NULL && strcmp(http_req_zone(req), zone) == 0);
	FUZZ_CHECK((body == NULL) == (len == 0));
	if (wait_s > 0)
		return fz_defer(req, out, status);
	if (len > 0 && body[0] == 'X')
		return HP_EPARSE;	/* a 500 */
	if (len > 0 && body[0] == 'Y') {
		*status = 422;		/* no document: an error from the code */
		return HTTP_REPLY_NOW;
	}
	*out = json_pack("{s:s, s:b}", "zone", zone, "fetch", body == NULL);
	return HTTP_REPLY_NOW;
}

static int
fz_rollback(void *arg, struct http_req *req, const char *zone,
    uint32_t serial, int wait_s, json_t **out, int *status)
{
	(void)arg;
	if (wait_s > 0)
		return fz_defer(req, out, status);
	*out = json_pack("{s:s, s:s}", "zone", zone, "serial", serial % 2 ?
	    "odd" : "even");
	return HTTP_REPLY_NOW;
}

static int
fz_list(void *arg, json_t **out, int *status)
{
	(void)arg;
	(void)status;
	*out = json_object();
	return 0;
}

static int
fz_info(void *arg, const char *zone, json_t **out, int *status)
{
	(void)arg;
	(void)out;
	if (strcmp(zone, "example.com.") != 0)
		*status = 404;
	return 0;
}

static int
fz_delivery_begin(void *arg, const char *id, const char *zone)
{
	(void)arg;
	/* (zone: "" for POST /v1/zones, whose zone is in its body) */
	FUZZ_CHECK(id[0] != '\0' && strlen(id) <= HTTP_DELIVERY_MAX);
	FUZZ_CHECK(zone != NULL);
	return id[strlen(id) - 1] == '7';
}

static void
fz_delivery_end(void *arg, const char *id, const char *zone, int status)
{
	(void)arg;
	FUZZ_CHECK(id[0] != '\0' && zone != NULL);
	FUZZ_CHECK(status >= 200 && status < 600);
}

static int
fz_metrics(void *arg, struct evbuffer *out)
{
	(void)arg;
	evbuffer_add_printf(out, "hpagent_zones 1\n");
	return 0;
}

/* A server as the daemon's, accepting on a Unix socket SUN. */
static struct http_server *
fz_server(const char *secret, const char *token, struct sockaddr_un *sun,
    const char *name)
{
	static const struct http_actions act = {
		.publish = fz_publish, .rollback = fz_rollback,
		.list_zones = fz_list, .zone_info = fz_info,
		.zone_status = NULL, .metrics = fz_metrics,
		.delivery_begin = fz_delivery_begin,
		.delivery_end = fz_delivery_end,
	};
	struct http_server_opts o = { .webhook_secret = secret,
	    .api_token = token, .max_body = 1 << 20,
	    .webhook_max_body = 1 << 16, .timeout_s = 30 };
	struct http_server *srv;
	char err[128];
	int fd;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/%s", fz_dir, name);
	FUZZ_CHECK((fd = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	FUZZ_CHECK(bind(fd, (struct sockaddr *)sun, sizeof(*sun)) == 0);
	FUZZ_CHECK(listen(fd, 16) == 0);
	FUZZ_CHECK(evutil_make_socket_nonblocking(fd) == 0);
	o.fd = fd;
	FUZZ_CHECK(http_server_new(fz_base, &o, &act, &srv, err,
	    sizeof(err)) == 0);
	return srv;
}

static void
fz_cleanup(void)
{
	http_server_free(fz_srv[0]);
	http_server_free(fz_srv[1]);
	event_base_free(fz_base);
	unlink(fz_sun[0].sun_path);
	unlink(fz_sun[1].sun_path);
	rmdir(fz_dir);
}

static void
fz_init(void)
{
	log_open("fuzz_http", 0, "/dev/null");
	FUZZ_CHECK((fz_base = event_base_new()) != NULL);
	snprintf(fz_dir, sizeof(fz_dir), "/tmp/fuzz_http.XXXXXX");
	FUZZ_CHECK(mkdtemp(fz_dir) != NULL);
	fz_srv[0] = fz_server(fz_secret, fz_token, &fz_sun[0], "a");
	fz_srv[1] = fz_server(NULL, NULL, &fz_sun[1], "b");
	atexit(fz_cleanup);
}

/* Replace "@LEN@" and "@SIG@" in IN (see above) into a new buffer. */
static uint8_t *
fz_expand(const uint8_t *in, size_t len, size_t *outlen)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *body = NULL;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	char lenstr[24], sig[2 * EVP_MAX_MD_SIZE + 1];
	size_t i, o = 0, blen = 0, cap = len * 14 + 64;
	uint8_t *out;
	unsigned j;

	for (i = 0; i + 4 <= len; i++)
		if (memcmp(in + i, "\r\n\r\n", 4) == 0) {
			body = in + i + 4;
			blen = len - i - 4;
			break;
		}
	snprintf(lenstr, sizeof(lenstr), "%zu", blen);
	HMAC(EVP_sha256(), fz_secret, (int)strlen(fz_secret),
	    body != NULL ? body : (const uint8_t *)"", blen, mac, &maclen);
	for (j = 0; j < maclen; j++) {
		sig[2 * j] = hex[mac[j] >> 4];
		sig[2 * j + 1] = hex[mac[j] & 15];
	}
	sig[2 * maclen] = '\0';
	FUZZ_CHECK((out = malloc(cap)) != NULL);
	for (i = 0; i < len; ) {
		if (len - i >= 5 && (body == NULL || in + i < body) &&
		    memcmp(in + i, "@LEN@", 5) == 0) {
			memcpy(out + o, lenstr, strlen(lenstr));
			o += strlen(lenstr);
			i += 5;
		} else if (len - i >= 5 && (body == NULL || in + i < body) &&
		    memcmp(in + i, "@SIG@", 5) == 0) {
			memcpy(out + o, sig, strlen(sig));
			o += strlen(sig);
			i += 5;
		} else
			out[o++] = in[i++];
	}
	*outlen = o;
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	static char rbuf[65536];
	struct http_server *srv;
	uint8_t *req;
	size_t len, sent = 0;
	ssize_t n;
	int fd, idle = 0, eof = 0, rounds = 0, which = 0;

	if (!inited) {
		fz_init();
		inited = 1;
	}
	if (size > 1 << 16)
		return 0;
	if (size > 0 && data[0] == '!') {
		which = 1;
		data++;
		size--;
	}
	srv = fz_srv[which];
	req = fz_expand(data, size, &len);
	FUZZ_CHECK((fd = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	FUZZ_CHECK(connect(fd, (struct sockaddr *)&fz_sun[which],
	    sizeof(fz_sun[which])) == 0);
	FUZZ_CHECK(fcntl(fd, F_SETFL, O_NONBLOCK) == 0);
	fz_deferred = 0;
	/* Send, run the loop, read the answers until the server closes. */
	while (!eof && idle < 50 && rounds++ < 100000) {
		int progress = 0;

		if (sent < len) {
			n = write(fd, req + sent, len - sent);
			if (n > 0) {
				sent += (size_t)n;
				progress = 1;
				if (sent == len)
					shutdown(fd, SHUT_WR);
			}
		} else if (len == 0 && sent == 0) {
			shutdown(fd, SHUT_WR);
			sent = 1;
		}
		event_base_loop(fz_base, EVLOOP_NONBLOCK);
		while ((n = read(fd, rbuf, sizeof(rbuf))) > 0) {
			progress = 1;
			if (getenv("FUZZ_DEBUG") != NULL)	/* the answers */
				fwrite(rbuf, 1, (size_t)n, stderr);
		}
		if (n == 0)
			eof = 1;
		else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			eof = 1;
		if (!progress && fz_nreq > 0) {
			/* Answer what the stubs deferred. */
			FUZZ_CHECK(http_server_pending(srv) ==
			    (unsigned)fz_nreq);
			if (fz_deferred & 1)
				http_reply_error(fz_req[--fz_nreq], 504,
				    "timed out waiting");
			else {
				http_server_drain(srv);
				fz_nreq = 0;
			}
			progress = 1;
		}
		idle = progress ? 0 : idle + 1;
	}
	http_server_drain(srv);
	fz_nreq = 0;
	close(fd);
	/* Let the server see the close and free the connection. */
	event_base_loop(fz_base, EVLOOP_NONBLOCK);
	event_base_loop(fz_base, EVLOOP_NONBLOCK);
	free(req);
	return 0;
}
