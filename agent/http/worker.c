/*
 * worker.c -- imports and rollbacks of the HTTP API, off the event loop:
 * one thread with its own connection to the database takes the jobs in
 * order of arrival, runs the publish pipelines on them (agent/publish/)
 * and hands them back to the loop through a pipe.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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

/* One thread with its own connection imports, in order of arrival. */
struct worker {
	pthread_t th;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *q, **qtail;		/* to do */
	struct job *done, **dtail;	/* done, for the loop */
	struct job *cur;		/* being imported */
	int nq;
	int stop;
	int fds[2];			/* worker -> loop: "done" */
	struct event *ev;
	char *dbpath;
	struct store *st;		/* the worker's own connection */
};

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

/* In the worker: run J against the worker's connection. */
static void
job_run(struct worker *w, struct job *j)
{
	struct pub_ctx c = { .cfg = j->cfg, .z = j->z, .problem = job_problem,
	    .problem_arg = j, .force = j->force };
	char err[256];
	int r;

	memset(&j->res, 0, sizeof(j->res));
	j->secs = log_clock();
	if (w->st == NULL) {
		if ((r = store_open(w->dbpath, 0, &w->st, err,
		    sizeof(err))) < 0) {
			w->st = NULL;
			j->res.err = r;
			j->res.stage = PUB_STORE;
			snprintf(j->res.msg, sizeof(j->res.msg), "%s: %s; "
			    "nothing changed", j->z->name, err);
			return;
		}
		if (getenv("HPAGENT_BUSY_TIMEOUT_MS") == NULL)
			store_busy_timeout(w->st, API_WORKER_BUSY_MS);
	}
	c.st = w->st;
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

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct job *j;
	ssize_t n;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->stop && w->q == NULL)
			pthread_cond_wait(&w->cv, &w->mu);
		if ((j = w->q) == NULL)
			break;		/* stopping */
		if ((w->q = j->next) == NULL)
			w->qtail = &w->q;
		w->nq--;
		j->next = NULL;
		w->cur = j;
		pthread_mutex_unlock(&w->mu);
		job_run(w, j);
		pthread_mutex_lock(&w->mu);
		w->cur = NULL;
		*w->dtail = j;
		w->dtail = &j->next;
		do
			n = write(w->fds[1], "x", 1);
		while (n < 0 && errno == EINTR);
		/* EAGAIN: the pipe is full of wake-ups already. */
	}
	pthread_mutex_unlock(&w->mu);
	store_close(w->st);
	w->st = NULL;
	return NULL;
}

/* On the loop: answer the imports the worker has finished. */
static void
worker_done(evutil_socket_t fd, short what, void *arg)
{
	struct api *api = arg;
	struct worker *w = api->w;
	const struct conf_zone *z;
	const struct conf *cfg;
	struct job *j, *list;
	char buf[64];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&w->mu);
	list = w->done;
	w->done = NULL;
	w->dtail = &w->done;
	pthread_mutex_unlock(&w->mu);
	while ((j = list) != NULL) {
		list = j->next;
		log_info("zone %s: API %s took %.3f s", j->z->name,
		    j->kind == JOB_ROLLBACK ? "rollback" : "import", j->secs);
		/* The zone as configured now (whose secondaries the daemon
		 * NOTIFYs); the one asked for when a reload removed it. */
		cfg = api->cfg;
		if ((z = conf_find_zone(cfg, j->z->name)) == NULL) {
			cfg = j->cfg;
			z = j->z;
		}
		api_finish_deferred(api, j->req, cfg, z, &j->res,
		    j->problems, j->wait_s);
		job_free(j);
	}
}

static void
worker_free(struct worker *w)
{
	if (w == NULL)
		return;
	if (w->ev != NULL)
		event_free(w->ev);
	if (w->fds[0] >= 0) {
		close(w->fds[0]);
		close(w->fds[1]);
	}
	if (w->started) {
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
	}
	free(w->dbpath);
	free(w);
}

int
worker_start(struct api *api, const char *dbpath, struct worker **out)
{
	struct worker *w;
	int i;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return HP_ENOMEM;
	w->fds[0] = w->fds[1] = -1;
	w->qtail = &w->q;
	w->dtail = &w->done;
	if ((w->dbpath = strdup(dbpath)) == NULL)
		goto fail;
	if (pipe2(w->fds, O_CLOEXEC | O_NONBLOCK) != 0) {
		w->fds[0] = w->fds[1] = -1;
		goto fail;
	}
	if ((w->ev = event_new(api->base, w->fds[0], EV_READ | EV_PERSIST,
	    worker_done, api)) == NULL || event_add(w->ev, NULL) != 0)
		goto fail;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->started = 1;
	if (pthread_create(&w->th, NULL, worker_main, w) != 0)
		goto fail;
	*out = w;
	return 0;
fail:
	i = errno;
	worker_free(w);
	return i == ENOMEM ? HP_ENOMEM : HP_EAGAIN;
}

int
worker_push(struct api *api, struct job *j, json_t **out, int *status)
{
	struct worker *w = api->w;
	int full = 1;

	/* Stopped (api_free lets the loop write its last answers, and a
	 * request may still come in meanwhile): refused below. */
	if (w != NULL) {
		pthread_mutex_lock(&w->mu);
		full = w->stop || w->nq >= API_MAX_QUEUED;
		if (!full) {
			*w->qtail = j;
			w->qtail = &j->next;
			w->nq++;
			pthread_cond_signal(&w->cv);
		}
		pthread_mutex_unlock(&w->mu);
	}
	if (!full)
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

int
worker_stop(struct api *api, int wait_ms)
{
	struct worker *w = api->w;
	struct job *j, *q;
	char zone[256] = "";
	int busy, answered = 0, waited = 0;

	if (w == NULL)
		return 0;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	q = w->q;
	w->q = NULL;
	w->qtail = &w->q;
	w->nq = 0;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	while ((j = q) != NULL) {
		q = j->next;
		http_reply_error(j->req, 503, "server shutting down");
		answered++;
		job_free(j);
	}
	answered += api->fetching;
	for (;;) {
		pthread_mutex_lock(&w->mu);
		busy = w->cur != NULL || w->done != NULL;
		if (w->cur != NULL && zone[0] == '\0') {
			snprintf(zone, sizeof(zone), "%s", w->cur->z->name);
			log_notice("waiting for the import of zone %s to "
			    "finish", zone);
			answered++;
		}
		pthread_mutex_unlock(&w->mu);
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
		event_del(w->ev);
		api->w = NULL;
		return -1;
	}
	pthread_join(w->th, NULL);
	worker_free(w);
	api->w = NULL;
	return answered;
}
