/*
 * worker.c -- imports and rollbacks of the HTTP API, off the event loop:
 * one thread with its own connection to the database takes the jobs in
 * order of arrival, runs the publish pipelines on them (agent/publish/)
 * and hands them back to the loop through a pipe.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "agent/conf/conf.h"
#include "agent/http/api_int.h"
#include "agent/http/http.h"
#include "agent/http/json.h"
#include "agent/publish/fetch.h"
#include "dns/err.h"
#include "dns/log.h"
#include "store/store.h"

#define API_MAX_QUEUED	64	/* publishes waiting for the import worker */
#define API_WORKER_BUSY_MS 1000	/* worker's busy timeout (the loop's is 50) */

struct job *
job_new(enum job_kind kind, struct http_req *req, const struct conf *cfg,
    const struct conf_zone *z, int wait_s)
{
	struct job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	j->kind = kind;
	j->req = req;
	j->cfg = conf_ref(cfg);
	j->z = z;
	j->wait_s = wait_s;
	return j;
}

void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	free(j->body);
	free(j->url);
	json_decref(j->problems);
	fetch_result_free_async(j->fr);
	conf_unref(j->cfg);
	free(j);
}

/* Each problem as an object of the answer's "problems": {"file": name or
 * null, "line": N or null, "message": text, "warning": bool}; past
 * API_PROBLEMS_MAX, only counted. */
static void
job_problem(void *arg, const struct hp_problem *p)
{
	struct job *j = arg;
	json_t *o;

	if (j->problems == NULL && (j->problems = json_array()) == NULL)
		return;
	if (j->nproblems++ >= API_PROBLEMS_MAX)
		return;
	o = json_pack("{s:o, s:o, s:s, s:b}", "file", hjson_str(p->file),
	    "line", p->line > 0 ? json_integer((json_int_t)p->line) :
	    json_null(), "message", p->text, "warning", p->warning);
	if (o != NULL)
		json_array_append_new(j->problems, o);
}

/* The count of the problems left out, as a last one. */
static void
job_problems_end(struct job *j)
{
	json_t *o;
	char msg[64];

	if (j->nproblems <= API_PROBLEMS_MAX || j->problems == NULL)
		return;
	snprintf(msg, sizeof(msg), "%u more problems not listed",
	    j->nproblems - API_PROBLEMS_MAX);
	o = json_pack("{s:n, s:n, s:s, s:b}", "file", "line", "message", msg,
	    "warning", 0);
	if (o != NULL)
		json_array_append_new(j->problems, o);
}

/* In the worker: run J on ST, the worker's connection (NULL: it could
 * not be opened, ERR and WHY say why). */
static void
job_run(void *ctx, struct jobq_item *it, struct store *st, int err,
    const char *why)
{
	struct job *j = (struct job *)it;
	struct pub_ctx c = { .cfg = j->cfg, .z = j->z, .problem = job_problem,
	    .problem_arg = j, .force = j->force };

	(void)ctx;
	memset(&j->res, 0, sizeof(j->res));
	j->secs = log_clock();
	if (st == NULL) {
		j->res.err = err;
		j->res.stage = PUB_STORE;
		snprintf(j->res.msg, sizeof(j->res.msg), "%s: %s; "
		    "nothing changed", j->z->name, why);
		return;
	}
	c.st = st;
	c.own_origin = j->own_origin;
	switch (j->kind) {
	case JOB_BUFFER:
		pub_import_buffer(&c, j->body, j->len, "webhook", &j->res);
		break;
	case JOB_FETCHED:
		pub_import_fetched(&c, j->url, "fetch", j->fr, 0, &j->res);
		break;
	case JOB_ROLLBACK:
		pub_rollback(&c, j->serial, &j->res);
		break;
	}
	job_problems_end(j);
	free(j->body);		/* large; not needed any more */
	j->body = NULL;
	j->secs = log_clock() - j->secs;
}

/* On the loop: answer an import the worker has finished. */
static void
job_done(void *ctx, struct jobq_item *it)
{
	struct api *api = ctx;
	struct job *j = (struct job *)it;
	const struct conf_zone *z;
	const struct conf *cfg;

	log_info("zone %s: API %s took %.3f s", j->z->name,
	    j->kind == JOB_ROLLBACK ? "rollback" : "import", j->secs);
	/* The zone as configured now (whose secondaries the daemon
	 * NOTIFYs); the one asked for when a reload removed it. */
	cfg = api->cfg;
	if ((z = conf_find_zone(cfg, j->z->name)) == NULL) {
		cfg = j->cfg;
		z = j->z;
	}
	api_finish_deferred(api, j->req, cfg, z, &j->res, j->problems,
	    j->wait_s);
	job_free(j);
}

static const struct jobq_ops worker_ops = { job_run, job_done };

int
worker_start(struct api *api, const char *dbpath, struct jobq **out)
{
	return jobq_start(api->base, dbpath, API_WORKER_BUSY_MS,
	    API_MAX_QUEUED, &worker_ops, api, out);
}

int
worker_push(struct api *api, struct job *j, json_t **out, int *status)
{
	/* Stopped (api_free lets the loop write its last answers, and a
	 * request may still come in meanwhile): refused below. */
	if (api->w != NULL && jobq_push(api->w, &j->item) == 0)
		return HTTP_DEFERRED;
	if (!api->closing)
		log_warn("API: %s: too many publishes queued", j->z->name);
	job_free(j);
	hp_metrics.publish_failures++;
	*status = 503;
	*out = hjson_error(api->closing ? "server shutting down" :
	    "too many publishes queued; try again later");
	return HTTP_REPLY_NOW;
}

/* The zone of the import running, for the log. */
static void
cur_zone(void *arg, const struct jobq_item *it)
{
	char *zone = arg;

	if (zone[0] == '\0')
		snprintf(zone, 256, "%s", ((const struct job *)it)->z->name);
}

int
worker_stop(struct api *api, int wait_ms)
{
	struct jobq *w = api->w;
	struct jobq_item *l;
	struct job *j;
	char zone[256] = "";
	int busy, answered = 0, waited = 0, said = 0;

	if (w == NULL)
		return 0;
	l = jobq_close(w);
	while ((j = (struct job *)l) != NULL) {
		l = l->next;
		http_reply_error(j->req, 503, "server shutting down");
		answered++;
		job_free(j);
	}
	answered += api->fetching;
	for (;;) {
		busy = jobq_busy(w, cur_zone, zone);
		if (zone[0] != '\0' && !said) {
			log_notice("waiting for the import of zone %s to "
			    "finish", zone);
			answered++;
			said = 1;
		}
		if ((!busy && api->fetching == 0) || waited >= wait_ms)
			break;
		/* Fetch threads and the worker report on the base. */
		event_base_loop(api->base, EVLOOP_NONBLOCK);
		usleep(20000);
		waited += 20;
	}
	if (busy) {
		/* Its memory is left alone: the process is about to exit. */
		log_warn("the import of zone %s is still running after %d s: "
		    "exiting without it", zone, wait_ms / 1000);
		jobq_abandon(w);
		api->w = NULL;
		return -1;
	}
	/* everything done was answered by the loop above */
	l = jobq_join(w);
	while ((j = (struct job *)l) != NULL) {
		l = l->next;
		job_free(j);
	}
	jobq_free(w);
	api->w = NULL;
	return answered;
}
