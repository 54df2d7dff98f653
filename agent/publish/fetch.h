/*
 * fetch.h -- fetch a zone source into a bounded memory buffer.
 *
 * A source is a local file path, a file:// URL (no host or "localhost"),
 * or an http:// / https:// URL fetched with libcurl: certificates verified
 * (peer and host name; OPTS->ca_file replaces the system store), at most
 * OPTS->max_redirects redirects, to http/https only (never to file://),
 * connect and total timeouts, a low-speed limit so that a stalled
 * connection fails, and the body bounded by OPTS->max_size (the transfer
 * stops as soon as the limit is passed, or before it starts when
 * Content-Length announces more).
 *
 * Conditional requests: with OPTS->etag / OPTS->last_modified (what a
 * previous fetch returned) an HTTP fetch sends If-None-Match /
 * If-Modified-Since and a 304 answer gives FETCH_NOT_MODIFIED. For a local
 * file the validator is the file's identity, size and modification time:
 * RES->etag is "\"INODE-SIZE-MTIME.NSEC\"" and, when it equals OPTS->etag,
 * the result is FETCH_NOT_MODIFIED without reading the file. Pass NULL
 * validators to force a full fetch.
 *
 * fetch_source() blocks for at most about OPTS->timeout_ms; it is safe to
 * call from several threads at once once fetch_global_init() has run.
 * fetch_async() runs it in a thread and reports on a libevent base.
 * Messages never contain the user:password, query or fragment of a URL.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_FETCH_H
#define HP_FETCH_H

#include <stddef.h>
#include <stdint.h>

struct event_base;

enum fetch_status {
	FETCH_ERROR = -1,	/* RES->errmsg says why */
	FETCH_OK = 0,		/* RES->body holds RES->len bytes */
	FETCH_NOT_MODIFIED = 1,	/* the previous content is still current */
};

struct fetch_opts {
	const char *ca_file;		/* PEM CA bundle, NULL: system store */
	uint64_t max_size;		/* body limit, bytes; 0: 256 MiB */
	long connect_timeout_ms;	/* default 10000 */
	long timeout_ms;		/* whole transfer, default 300000 */
	long low_speed_bytes;		/* fail when slower than this ... */
	long low_speed_time_s;		/* ... for this long (default 1 B/s
					   for 30 s; capped by timeout_ms) */
	int max_redirects;		/* default 5; -1: follow none */
	const char *etag;		/* previous ETag, or NULL */
	const char *last_modified;	/* previous Last-Modified, or NULL */
	const char *user_agent;		/* NULL: "hpagent" */
};

struct fetch_result {
	enum fetch_status status;
	int err;		/* 0 or the negative HP_E* returned */
	char *body;		/* FETCH_OK: the content, NUL-terminated */
	size_t len;		/* its length without the NUL */
	char *etag;		/* validators to keep for the next fetch */
	char *last_modified;	/* (each NULL when the server sent none) */
	long http_code;		/* last HTTP status, 0 for files */
	char errmsg[512];	/* FETCH_ERROR: "fetch SOURCE: reason" */
};

/* The defaults above in OPTS. */
void fetch_opts_init(struct fetch_opts *opts);

/* libcurl's global initialisation; call once before any thread starts
 * (fetch_source calls it too, which is fine in a single thread).
 * Returns 0 or HP_EFETCH. */
int fetch_global_init(void);
void fetch_global_cleanup(void);

/*
 * Fetch SOURCE. RES is filled in every case (release it with
 * fetch_result_free). Returns 0 for FETCH_OK and FETCH_NOT_MODIFIED;
 * otherwise RES->status is FETCH_ERROR, RES->errmsg names the source
 * and the stage ("fetch https://h/z: HTTP 404", "...: body exceeds
 * max-zone-size (N bytes)", "...: timed out after N s", "...: too many
 * redirects", "...: connection failed: ..."), and the return value is
 * HP_ETOOBIG (over the size limit), HP_EINVAL (unsupported source or bad
 * validator), HP_ENOENT/HP_EACCES (local file), HP_ENOMEM or HP_EFETCH.
 * On FETCH_NOT_MODIFIED RES->etag/last_modified hold the validators to
 * keep (the new ones when the server sent any, else the previous ones).
 */
int fetch_source(const char *source, const struct fetch_opts *opts,
    struct fetch_result *res);
/* Free what RES holds and clear it (NULL allowed). */
void fetch_result_free(struct fetch_result *res);

/* Copy of SOURCE for people: a URL's "user:password@" becomes "***@", its
 * query "?***" and its fragment "#***" (tokens live there); a path is
 * kept. Into BUF (LEN bytes, truncated; FETCH_SHOWN_MAX is enough for
 * messages). Returns BUF. Every message, log line and answer that shows
 * a source: shows this. */
#define FETCH_SHOWN_MAX	512
char *fetch_redact(const char *source, char *buf, size_t len);
/* 1 when SOURCE is written as a URL (SCHEME://...), else a path. */
int fetch_is_url(const char *source);
/* What the table sources keys ZONE's validators by: a path as is; a URL
 * redacted (fetch_redact) with " sha256:HEX" of the whole URL salted with
 * ZONE, so that the database holds no secret of it. Into BUF (LEN bytes;
 * FETCH_SOURCE_ID_MAX is enough). Returns BUF. */
#define FETCH_SOURCE_ID_MAX	(FETCH_SHOWN_MAX + 80)
char *fetch_source_id(const char *zone, const char *source, char *buf,
    size_t len);

/*
 * Run fetch_source(SOURCE, OPTS) in a new thread and call DONE(RES, ARG)
 * from BASE's loop when it has finished; DONE owns RES (fetch_result_free
 * then free(), or fetch_result_free_async()). SOURCE and OPTS' strings are
 * copied. fetch_global_init() must have run. Returns 0, or a negative
 * HP_E* when the job could not be started (DONE is then never called).
 * A job cannot be cancelled; BASE must run until DONE has been called.
 */
int fetch_async(struct event_base *base, const char *source,
    const struct fetch_opts *opts,
    void (*done)(struct fetch_result *res, void *arg), void *arg);
/* fetch_result_free(RES) then free(RES): for fetch_async results. */
void fetch_result_free_async(struct fetch_result *res);

#endif
