/*
 * fetch.c -- zone sources: local files directly, URLs with libcurl
 * (see fetch.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <curl/curl.h>
#include <ctype.h>
#include <openssl/evp.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dns/err.h"
#include "agent/publish/fetch.h"

#define FETCH_DEFAULT_MAX	((uint64_t)256 * 1024 * 1024)
#define FETCH_MAX_VALIDATOR	1024

void
fetch_opts_init(struct fetch_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->max_size = FETCH_DEFAULT_MAX;
	opts->connect_timeout_ms = 10000;
	opts->timeout_ms = 300000;
	opts->low_speed_bytes = 1;
	opts->low_speed_time_s = 30;
	opts->max_redirects = 5;
}

static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static int fetch_init_rc;

static void
fetch_init_once(void)
{
	fetch_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ?
	    0 : HP_EFETCH;
}

int
fetch_global_init(void)
{
	if (pthread_once(&fetch_once, fetch_init_once) != 0)
		return HP_EFETCH;
	return fetch_init_rc;
}

void
fetch_global_cleanup(void)
{
	curl_global_cleanup();
}

void
fetch_result_free(struct fetch_result *res)
{
	if (res == NULL)
		return;
	free(res->body);
	free(res->etag);
	free(res->last_modified);
	memset(res, 0, sizeof(*res));
}

char *
fetch_redact(const char *source, char *buf, size_t len)
{
	const char *scheme, *auth, *at, *end, *path, *q, *frag;
	int plen;

	if (len == 0)
		return buf;
	if ((scheme = strstr(source, "://")) == NULL) {
		snprintf(buf, len, "%s", source);
		return buf;
	}
	auth = scheme + 3;
	end = auth + strcspn(auth, "/?#");
	at = memchr(auth, '@', (size_t)(end - auth));
	/* The last '@' of the authority ends the userinfo. */
	while (at != NULL && memchr(at + 1, '@', (size_t)(end - at - 1)))
		at = memchr(at + 1, '@', (size_t)(end - at - 1));
	path = at != NULL ? at : auth;
	/* The query and the fragment: tokens live there
	 * (?private_token=..., #access_token=...). */
	q = strchr(path, '?');
	frag = strchr(path, '#');
	if (q != NULL && frag != NULL && frag < q)
		q = NULL;
	plen = (int)((q != NULL ? q : frag != NULL ? frag : path +
	    strlen(path)) - path);
	snprintf(buf, len, "%.*s%s%.*s%s%s", (int)(auth - source), source,
	    at != NULL ? "***" : "", plen, path, q != NULL && q[1] != '\0' &&
	    q + 1 != frag ? "?***" : "", frag != NULL && frag[1] != '\0' ?
	    "#***" : "");
	return buf;
}

int
fetch_is_url(const char *source)
{
	return source != NULL && strstr(source, "://") != NULL;
}

char *
fetch_source_id(const char *zone, const char *source, char *buf,
    size_t len)
{
	static const char salt[] = "hpagent source";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	char shown[FETCH_SHOWN_MAX], hex[2 * EVP_MAX_MD_SIZE + 1];
	EVP_MD_CTX *c;
	int ok;

	if (!fetch_is_url(source)) {
		snprintf(buf, len, "%s", source);
		return buf;
	}
	/* SHA-256 of the whole URL, salted with the zone name: the row
	 * changes when any part of the URL does, and no part of it is kept
	 * in clear but what fetch_redact() shows. */
	ok = (c = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(c, salt, sizeof(salt)) == 1 &&
	    EVP_DigestUpdate(c, zone, strlen(zone) + 1) == 1 &&
	    EVP_DigestUpdate(c, source, strlen(source)) == 1 &&
	    EVP_DigestFinal_ex(c, md, &mdlen) == 1;
	EVP_MD_CTX_free(c);
	if (!ok)
		mdlen = 0;
	for (i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[2 * mdlen] = '\0';
	snprintf(buf, len, "%s sha256:%s", fetch_redact(source, shown,
	    sizeof(shown)), mdlen > 0 ? hex : "unavailable");
	return buf;
}

/* Set RES to FETCH_ERROR with "fetch SOURCE: reason"; returns ERR. */
static int
fetch_fail(struct fetch_result *res, const char *source, int err,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
fetch_fail(struct fetch_result *res, const char *source, int err,
    const char *fmt, ...)
{
	char shown[240], reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	snprintf(res->errmsg, sizeof(res->errmsg), "fetch %s: %s",
	    fetch_redact(source, shown, sizeof(shown)), reason);
	free(res->body);
	res->body = NULL;
	res->len = 0;
	res->status = FETCH_ERROR;
	res->err = err;
	return err;
}

static uint64_t
max_of(const struct fetch_opts *opts)
{
	return opts->max_size != 0 ? opts->max_size : FETCH_DEFAULT_MAX;
}

/* ---- local files ------------------------------------------------------- */

static int
errno_code(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		return HP_ENOENT;
	case EACCES:
	case EPERM:
		return HP_EACCES;
	case ENOMEM:
		return HP_ENOMEM;
	default:
		return HP_EIO;
	}
}

static int
fetch_file(const char *source, const char *path, const struct fetch_opts *opts,
    struct fetch_result *res)
{
	uint64_t max = max_of(opts);
	struct stat st;
	char tag[128];
	size_t cap, got = 0;
	ssize_t n;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return fetch_fail(res, source, errno_code(errno), "%s",
		    strerror(errno));
	if (fstat(fd, &st) != 0) {
		e = errno;
		close(fd);
		return fetch_fail(res, source, errno_code(e), "%s",
		    strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return fetch_fail(res, source, HP_EINVAL,
		    "not a regular file");
	}
	snprintf(tag, sizeof(tag), "\"%ju-%jd-%jd.%09ld\"",
	    (uintmax_t)st.st_ino, (intmax_t)st.st_size,
	    (intmax_t)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
	if ((res->etag = strdup(tag)) == NULL) {
		close(fd);
		return fetch_fail(res, source, HP_ENOMEM, "out of memory");
	}
	if (opts->etag != NULL && strcmp(opts->etag, tag) == 0) {
		close(fd);
		res->status = FETCH_NOT_MODIFIED;
		return 0;
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return fetch_fail(res, source, HP_ETOOBIG,
		    "body exceeds max-zone-size (%" PRIu64 " bytes)", max);
	}
	/* The file may grow while we read: never read past MAX + 1. */
	cap = (size_t)st.st_size + 1;
	if ((res->body = malloc(cap + 1)) == NULL) {
		close(fd);
		return fetch_fail(res, source, HP_ENOMEM, "out of memory");
	}
	for (;;) {
		if (got == cap) {
			char *p;

			if ((uint64_t)got > max)
				break;
			cap = (uint64_t)cap * 2 > max + 1 ?
			    (size_t)max + 1 : cap * 2;
			if ((p = realloc(res->body, cap + 1)) == NULL) {
				close(fd);
				return fetch_fail(res, source, HP_ENOMEM,
				    "out of memory");
			}
			res->body = p;
		}
		n = read(fd, res->body + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			close(fd);
			return fetch_fail(res, source, errno_code(e),
			    "read: %s", strerror(e));
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if ((uint64_t)got > max)
		return fetch_fail(res, source, HP_ETOOBIG,
		    "body exceeds max-zone-size (%" PRIu64 " bytes)", max);
	res->body[got] = '\0';
	res->len = got;
	res->status = FETCH_OK;
	return 0;
}

/* file://[localhost]/path -> "/path" (percent-decoded by libcurl) in OUT.
 * A malformed escape or an escaped NUL is refused. */
static int
file_url_path(const char *url, char *out, size_t outlen)
{
	const char *p = url + 7, *slash, *q;
	char *dec;
	size_t n;
	int declen;

	slash = strchr(p, '/');
	if (slash == NULL)
		return HP_EINVAL;
	if (slash != p && !((size_t)(slash - p) == 9 &&
	    strncasecmp(p, "localhost", 9) == 0))
		return HP_EINVAL;
	n = strcspn(slash, "?#");
	for (q = slash; q < slash + n; q++)
		if (*q == '%' && (!isxdigit((unsigned char)q[1]) ||
		    !isxdigit((unsigned char)q[2])))
			return HP_EINVAL;
	if (n > INT_MAX ||
	    (dec = curl_easy_unescape(NULL, slash, (int)n, &declen)) == NULL)
		return HP_ENOMEM;
	if (memchr(dec, '\0', (size_t)declen) != NULL) {
		curl_free(dec);
		return HP_EINVAL;
	}
	if ((size_t)declen >= outlen) {
		curl_free(dec);
		return HP_ERANGE;
	}
	memcpy(out, dec, (size_t)declen + 1);
	curl_free(dec);
	return 0;
}

/* ---- HTTP(S) with libcurl --------------------------------------------- */

struct sink {
	char *buf;
	size_t len, cap;
	uint64_t max;
	int overflow, nomem;
	char *etag, *last_modified;	/* of the last response */
	int header_nomem;
};

static size_t
sink_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb, cap;
	char *p;

	if ((uint64_t)s->len + n > s->max) {
		s->overflow = 1;
		return 0;	/* CURLE_WRITE_ERROR: stop now */
	}
	if (s->len + n + 1 > s->cap) {
		cap = s->cap != 0 ? s->cap : 65536;
		while (cap < s->len + n + 1)
			cap *= 2;
		if ((p = realloc(s->buf, cap)) == NULL) {
			s->nomem = 1;
			return 0;
		}
		s->buf = p;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return n;
}

/* The value of header NAME in LINE (LEN bytes), trimmed, or NULL. */
static char *
header_value(const char *line, size_t len, const char *name)
{
	size_t nl = strlen(name);
	const char *v, *end = line + len;

	if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return NULL;
	v = line + nl + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' ||
	    end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end == v || end - v > FETCH_MAX_VALIDATOR)
		return NULL;
	return strndup(v, (size_t)(end - v));
}

static size_t
sink_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;
	char *v;

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* A new response (after a redirect): forget the last one's. */
		free(s->etag);
		free(s->last_modified);
		s->etag = s->last_modified = NULL;
		return n;
	}
	if ((v = header_value(data, n, "etag")) != NULL) {
		free(s->etag);
		s->etag = v;
	} else if ((v = header_value(data, n, "last-modified")) != NULL) {
		free(s->last_modified);
		s->last_modified = v;
	}
	return n;
}

/* A validator goes into a request header: printable ASCII only. */
static int
validator_ok(const char *v)
{
	size_t i;

	for (i = 0; v[i] != '\0'; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] >= 0x7f)
			return 0;
	return i > 0 && i <= FETCH_MAX_VALIDATOR;
}

static int
add_header(struct curl_slist **list, const char *name, const char *value)
{
	char line[FETCH_MAX_VALIDATOR + 64];
	struct curl_slist *l;

	snprintf(line, sizeof(line), "%s: %s", name, value);
	if ((l = curl_slist_append(*list, line)) == NULL)
		return HP_ENOMEM;
	*list = l;
	return 0;
}

static int
set_options(CURL *c, const char *url, const struct fetch_opts *opts,
    struct sink *s, struct curl_slist *hdrs, char *errbuf)
{
	long speed_time = opts->low_speed_time_s;
	CURLcode rc = CURLE_OK;

	/* The low-speed window never outlasts the total timeout. */
	if (opts->timeout_ms > 0 && speed_time * 1000 > opts->timeout_ms)
		speed_time = (opts->timeout_ms + 999) / 1000;
#define SET(opt, val) \
	do { if (rc == CURLE_OK) rc = curl_easy_setopt(c, opt, val); } while (0)
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_URL, url);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, opts->max_redirects >= 0 ? 1L : 0L);
	SET(CURLOPT_MAXREDIRS, (long)(opts->max_redirects >= 0 ?
	    opts->max_redirects : 0));
	SET(CURLOPT_CONNECTTIMEOUT_MS, opts->connect_timeout_ms);
	SET(CURLOPT_TIMEOUT_MS, opts->timeout_ms);
	if (opts->low_speed_bytes > 0 && speed_time > 0) {
		SET(CURLOPT_LOW_SPEED_LIMIT, opts->low_speed_bytes);
		SET(CURLOPT_LOW_SPEED_TIME, speed_time);
	}
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (opts->ca_file != NULL)
		SET(CURLOPT_CAINFO, opts->ca_file);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s->max);
	SET(CURLOPT_FAILONERROR, 1L);
	SET(CURLOPT_WRITEFUNCTION, sink_write);
	SET(CURLOPT_WRITEDATA, s);
	SET(CURLOPT_HEADERFUNCTION, sink_header);
	SET(CURLOPT_HEADERDATA, s);
	SET(CURLOPT_USERAGENT, opts->user_agent != NULL ? opts->user_agent :
	    "hpagent");
	if (hdrs != NULL)
		SET(CURLOPT_HTTPHEADER, hdrs);
#undef SET
	return rc == CURLE_OK ? 0 : HP_EFETCH;
}

/* Map a failed transfer to a message naming the stage. */
static int
curl_failure(CURL *c, CURLcode rc, const char *source,
    const struct fetch_opts *opts, const struct sink *s, const char *errbuf,
    struct fetch_result *res)
{
	const char *detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
	double total = 0;
	long code = 0;

	if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK)
		res->http_code = code;
	if (s->nomem)
		return fetch_fail(res, source, HP_ENOMEM, "out of memory");
	if (s->overflow || rc == CURLE_FILESIZE_EXCEEDED)
		return fetch_fail(res, source, HP_ETOOBIG,
		    "body exceeds max-zone-size (%" PRIu64 " bytes)", s->max);
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		if (curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &total) !=
		    CURLE_OK)
			total = opts->timeout_ms / 1000.0;
		return fetch_fail(res, source, HP_EFETCH,
		    "timed out after %.1f s (%s)", total, detail);
	case CURLE_TOO_MANY_REDIRECTS:
		return fetch_fail(res, source, HP_EFETCH,
		    "too many redirects (more than %d)", opts->max_redirects);
	case CURLE_HTTP_RETURNED_ERROR:
		return fetch_fail(res, source, HP_EFETCH, "HTTP %ld", code);
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		return fetch_fail(res, source, HP_EFETCH,
		    "connection failed: %s", detail);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		return fetch_fail(res, source, HP_EFETCH, "TLS: %s", detail);
	case CURLE_UNSUPPORTED_PROTOCOL:
		return fetch_fail(res, source, HP_EFETCH,
		    "protocol not allowed: %s", detail);
	default:
		return fetch_fail(res, source, HP_EFETCH, "%s", detail);
	}
}

static int
fetch_url(const char *source, const struct fetch_opts *opts,
    struct fetch_result *res)
{
	char errbuf[CURL_ERROR_SIZE];
	struct curl_slist *hdrs = NULL;
	struct sink s;
	CURLcode rc;
	CURL *c;
	long code = 0;
	int ret, conditional = 0;

	if (fetch_global_init() != 0)
		return fetch_fail(res, source, HP_EFETCH,
		    "libcurl initialisation failed");
	memset(&s, 0, sizeof(s));
	s.max = max_of(opts);
	errbuf[0] = '\0';
	if (opts->etag != NULL) {
		if (!validator_ok(opts->etag))
			return fetch_fail(res, source, HP_EINVAL,
			    "invalid stored ETag");
		if (add_header(&hdrs, "If-None-Match", opts->etag) != 0)
			goto nomem;
		conditional = 1;
	}
	if (opts->last_modified != NULL) {
		if (!validator_ok(opts->last_modified)) {
			curl_slist_free_all(hdrs);
			return fetch_fail(res, source, HP_EINVAL,
			    "invalid stored Last-Modified");
		}
		if (add_header(&hdrs, "If-Modified-Since",
		    opts->last_modified) != 0)
			goto nomem;
		conditional = 1;
	}
	if ((c = curl_easy_init()) == NULL) {
		curl_slist_free_all(hdrs);
		return fetch_fail(res, source, HP_EFETCH,
		    "libcurl: cannot create a handle");
	}
	if (set_options(c, source, opts, &s, hdrs, errbuf) != 0) {
		ret = fetch_fail(res, source, HP_EFETCH,
		    "libcurl: option refused: %s", errbuf);
		goto out;
	}
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		ret = curl_failure(c, rc, source, opts, &s, errbuf, res);
		goto out;
	}
	if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK) {
		ret = fetch_fail(res, source, HP_EFETCH,
		    "libcurl: no response code");
		goto out;
	}
	res->http_code = code;
	if (code == 304 && conditional) {
		res->status = FETCH_NOT_MODIFIED;
		/* RFC 9110 15.4.5: a 304 may carry fresh validators. */
		res->etag = s.etag != NULL ? s.etag :
		    (opts->etag != NULL ? strdup(opts->etag) : NULL);
		res->last_modified = s.last_modified != NULL ?
		    s.last_modified : (opts->last_modified != NULL ?
		    strdup(opts->last_modified) : NULL);
		s.etag = s.last_modified = NULL;
		ret = 0;
		if ((opts->etag != NULL && res->etag == NULL) ||
		    (opts->last_modified != NULL && res->last_modified == NULL))
			ret = fetch_fail(res, source, HP_ENOMEM,
			    "out of memory");
		goto out;
	}
	if (code != 200) {
		ret = fetch_fail(res, source, HP_EFETCH, "HTTP %ld", code);
		goto out;
	}
	if (s.buf == NULL && (s.buf = calloc(1, 1)) == NULL) {
		ret = fetch_fail(res, source, HP_ENOMEM, "out of memory");
		goto out;
	}
	res->status = FETCH_OK;
	res->body = s.buf;
	res->len = s.len;
	res->etag = s.etag;
	res->last_modified = s.last_modified;
	s.buf = s.etag = s.last_modified = NULL;
	ret = 0;
out:
	curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	free(s.buf);
	free(s.etag);
	free(s.last_modified);
	return ret;
nomem:
	curl_slist_free_all(hdrs);
	return fetch_fail(res, source, HP_ENOMEM, "out of memory");
}

int
fetch_source(const char *source, const struct fetch_opts *opts,
    struct fetch_result *res)
{
	struct fetch_opts defaults;
	char path[4096];
	int ret;

	memset(res, 0, sizeof(*res));
	res->status = FETCH_ERROR;
	if (opts == NULL) {
		fetch_opts_init(&defaults);
		opts = &defaults;
	}
	if (source == NULL || source[0] == '\0')
		return fetch_fail(res, "(none)", HP_EINVAL, "no source");
	if (strncasecmp(source, "http://", 7) == 0 ||
	    strncasecmp(source, "https://", 8) == 0)
		return fetch_url(source, opts, res);
	if (strncasecmp(source, "file://", 7) == 0) {
		if ((ret = file_url_path(source, path, sizeof(path))) != 0)
			return fetch_fail(res, source, HP_EINVAL,
			    "file URL must be file:///path or "
			    "file://localhost/path");
		return fetch_file(source, path, opts, res);
	}
	if (strstr(source, "://") != NULL)
		return fetch_fail(res, source, HP_EINVAL,
		    "unsupported scheme (use a path, file://, http:// or "
		    "https://)");
	return fetch_file(source, source, opts, res);
}

/* ---- in a thread, reported on an event base --------------------------- */

struct fetch_job {
	char *source;
	struct fetch_opts opts;
	char *ca_file, *etag, *last_modified, *user_agent;
	struct fetch_result *res;
	void (*done)(struct fetch_result *, void *);
	void *arg;
	int fds[2];
	struct event *ev;
};

static void
fetch_job_free(struct fetch_job *job)
{
	if (job->ev != NULL)
		event_free(job->ev);
	free(job->source);
	free(job->ca_file);
	free(job->etag);
	free(job->last_modified);
	free(job->user_agent);
	free(job);
}

static void *
job_run(void *arg)
{
	struct fetch_job *job = arg;
	int wfd = job->fds[1];
	ssize_t n;

	fetch_source(job->source, &job->opts, job->res);
	/* After this byte the job belongs to the event loop again. */
	do
		n = write(wfd, "x", 1);
	while (n < 0 && errno == EINTR);
	close(wfd);
	return NULL;
}

static void
job_finished(evutil_socket_t fd, short what, void *arg)
{
	struct fetch_job *job = arg;
	struct fetch_result *res = job->res;
	void (*done)(struct fetch_result *, void *) = job->done;
	void *darg = job->arg;
	char b;

	(void)what;
	if (read(fd, &b, 1) != 1)
		return;		/* spurious; the event stays armed */
	close(job->fds[0]);
	fetch_job_free(job);
	done(res, darg);
}

static int
dup_opt(const char *in, char **out)
{
	*out = NULL;
	if (in == NULL)
		return 0;
	return (*out = strdup(in)) == NULL ? HP_ENOMEM : 0;
}

void
fetch_result_free_async(struct fetch_result *res)
{
	fetch_result_free(res);
	free(res);
}

int
fetch_async(struct event_base *base, const char *source,
    const struct fetch_opts *opts,
    void (*done)(struct fetch_result *res, void *arg), void *arg)
{
	struct fetch_job *job;
	pthread_attr_t attr;
	pthread_t tid;
	int rc;

	if (base == NULL || source == NULL || done == NULL)
		return HP_EINVAL;
	if ((job = calloc(1, sizeof(*job))) == NULL)
		return HP_ENOMEM;
	job->fds[0] = job->fds[1] = -1;
	if (opts != NULL)
		job->opts = *opts;
	else
		fetch_opts_init(&job->opts);
	if ((job->source = strdup(source)) == NULL ||
	    dup_opt(job->opts.ca_file, &job->ca_file) != 0 ||
	    dup_opt(job->opts.etag, &job->etag) != 0 ||
	    dup_opt(job->opts.last_modified, &job->last_modified) != 0 ||
	    dup_opt(job->opts.user_agent, &job->user_agent) != 0 ||
	    (job->res = calloc(1, sizeof(*job->res))) == NULL) {
		free(job->res);
		fetch_job_free(job);
		return HP_ENOMEM;
	}
	job->opts.ca_file = job->ca_file;
	job->opts.etag = job->etag;
	job->opts.last_modified = job->last_modified;
	job->opts.user_agent = job->user_agent;
	job->done = done;
	job->arg = arg;
	if (pipe2(job->fds, O_CLOEXEC) != 0) {
		rc = errno_code(errno);
		goto fail;
	}
	job->ev = event_new(base, job->fds[0], EV_READ | EV_PERSIST,
	    job_finished, job);
	if (job->ev == NULL || event_add(job->ev, NULL) != 0) {
		rc = HP_ENOMEM;
		goto fail;
	}
	if (pthread_attr_init(&attr) != 0) {
		rc = HP_ENOMEM;
		goto fail;
	}
	rc = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (rc == 0)
		rc = pthread_create(&tid, &attr, job_run, job);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		rc = HP_EAGAIN;
		goto fail;
	}
	return 0;
fail:
	if (job->fds[0] >= 0) {
		close(job->fds[0]);
		close(job->fds[1]);
	}
	free(job->res);
	fetch_job_free(job);
	return rc;
}
