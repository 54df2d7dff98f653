/*
 * api_int.h -- internal to the HTTP API's actions (api.c, worker.c,
 * wait.c, result.c, metrics.c).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_API_INT_H
#define HP_API_INT_H

#include <stddef.h>

#include <jansson.h>

#include "agent/publish/jobq.h"
#include "agent/http/api.h"
#include "agent/publish/publish.h"

struct evbuffer;
struct http_req;
struct http_server;
struct conf_zone;
struct fetch_result;
struct delivery;
struct waiter;
struct jobq;

struct api {
	struct event_base *base;
	const struct conf *boot;	/* start-up: the server's settings */
	const struct conf *cfg;		/* current (a reference) */
	struct store *st;
	api_published_cb published;
	void *arg;
	struct http_server *srv;
	struct waiter *waiters;
	int fetching;
	int closing;
	struct jobq *w;			/* the import worker (worker.c) */
	struct delivery *deliveries;	/* in flight, or not yet written */
	unsigned ndeliveries;
};

/* What the parser said, for the answer's "problems": at most this many
 * {file, line, message} objects, then one saying how many more. */
#define API_PROBLEMS_MAX	100

/*
 * An import for the worker thread. The loop fills the request half, the
 * worker the result half; only the loop touches REQ. CFG is a reference:
 * the zone's settings stay as they were asked for, whatever reloads do.
 */
enum job_kind { JOB_BUFFER, JOB_FETCHED, JOB_ROLLBACK };

struct job {
	struct jobq_item item;		/* first: the worker's queue */
	enum job_kind kind;
	struct http_req *req;		/* loop side */
	const struct conf *cfg;
	const struct conf_zone *z;
	int wait_s;
	int force;			/* ?force=1: past max-delete */
	char *body;			/* JOB_BUFFER: the zone text (a copy) */
	size_t len;
	int own_origin;			/* JOB_BUFFER: only a signature let it
					   in, which does not cover the zone */
	char *url;			/* JOB_FETCHED */
	struct fetch_result *fr;
	uint32_t serial;		/* JOB_ROLLBACK */
	struct pub_result res;		/* worker side */
	json_t *problems;	/* array of {file, line, message, warning} */
	unsigned nproblems;
	double secs;
};

/* wait.c: after a pipeline ran: NOTIFY, then answer now (*OUT, *STATUS,
 * HTTP_REPLY_NOW) or defer (HTTP_DEFERRED, ?wait=). */
int api_finish(struct api *api, struct http_req *req, const struct conf *cfg,
    const struct conf_zone *z, struct pub_result *res, json_t *problems,
    int wait_s, json_t **out, int *status);
/* The same for a request deferred already: the answer is sent. */
void api_finish_deferred(struct api *api, struct http_req *req,
    const struct conf *cfg, const struct conf_zone *z,
    struct pub_result *res, json_t *problems, int wait_s);
/* result.c: the document of a publish that succeeded, without its
 * closing fields; the status and document of one that failed (PROBLEMS:
 * what the parser said, may be NULL). */
json_t *api_result_doc(const struct conf_zone *z, const struct pub_result *res);
int api_error_doc(const struct pub_result *res, json_t *problems,
    json_t **out);

/* worker.c */
struct job *job_new(enum job_kind kind, struct http_req *req,
    const struct conf *cfg, const struct conf_zone *z, int wait_s);
void job_free(struct job *j);
int worker_start(struct api *api, const char *dbpath, struct jobq **out);
/* Queue J (owned from now on): HTTP_DEFERRED, or 503 in *OUT and *STATUS. */
int worker_push(struct api *api, struct job *j, json_t **out, int *status);
/* Answer what is queued 503, wait up to WAIT_MS for the import running.
 * Returns how many requests were answered, or -1 when it is still
 * running (left alone: the process is about to exit). */
int worker_stop(struct api *api, int wait_ms);

/* wait.c: the secondary TARGET ("ADDR@PORT") showed SERIAL of ZONE. */
void api_wait_has(struct api *api, const char *zone, const char *target,
    uint32_t serial);
/* Forget every waiter (their requests are drained by the server). */
void api_wait_free(struct api *api);

/* deliveries.c: webhook delivery ids (http.h's delivery actions), kept
 * in the store for a day; those accepted while the database was busy are
 * written by api_delivery_flush (every tick; FINAL: at exit, once more). */
int api_delivery_begin(void *arg, const char *id, const char *zone);
void api_delivery_end(void *arg, const char *id, const char *zone,
    int status);
void api_delivery_flush(struct api *api, int final);

/* metrics.c */
int api_metrics(void *arg, struct evbuffer *b);

#endif
