/*
 * api.c -- the HTTP API actions of `hpagent serve` (see api.h, http.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "agent/http/api.h"
#include "agent/conf/conf.h"
#include "agent/publish/fetch.h"
#include "agent/http/http.h"
#include "agent/http/json.h"
#include "agent/publish/publish.h"
#include "agent/http/status.h"
#include "dns/err.h"
#include "dns/log.h"
#include "store/store.h"

#define API_MAX_TARGETS	64
#define API_MAX_QUEUED	64	/* publishes waiting for the import worker */
#define API_WORKER_BUSY_MS 1000	/* worker's busy timeout (the loop's is 50) */
#define API_STOP_WAIT_MS 60000	/* at exit: wait this long for an import */

struct hp_metrics hp_metrics;

struct waiter {
	struct api *api;
	struct http_req *req;
	char zone[256];
	struct pub_result res;
	int nt;
	struct sec_target t[API_MAX_TARGETS];
	int done[API_MAX_TARGETS];
	time_t deadline;
	struct event *timer;
	struct waiter *next, **prevp;
};

/* A fetch of a zone's source in flight. */
struct fetching {
	struct api *api;
	struct http_req *req;
	const struct hp_zone *z;
	char *url;
	int wait_s;
};

/*
 * An import for the worker thread. The loop fills the request half (the
 * zone's settings copied, so that a reload may free the configuration
 * meanwhile), the worker the result half; only the loop touches REQ and Z.
 */
enum job_kind { JOB_BUFFER, JOB_FETCHED, JOB_ROLLBACK };

struct job {
	enum job_kind kind;
	struct http_req *req;		/* loop side */
	const struct hp_zone *z;	/* loop side: the zone when asked */
	int wait_s;
	char zone[256];
	struct hp_config cfg;		/* max_zone_size, max_journal_versions */
	struct hp_zone zc;		/* name (-> zone), serial policy, ... */
	char *body;			/* JOB_BUFFER: the zone text (a copy) */
	size_t len;
	char *url;			/* JOB_FETCHED */
	struct fetch_result *fr;
	uint32_t serial;		/* JOB_ROLLBACK */
	struct pub_result res;		/* worker side */
	char *problems;
	double secs;
	struct job *next;
};

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

struct api {
	struct event_base *base;
	const struct hp_config *cfg;
	struct store *st;
	api_published_cb published;
	void *arg;
	struct http_server *srv;
	struct waiter *waiters;
	int fetching;
	int closing;
	struct worker *w;
};

/* ---- answers ----------------------------------------------------------- */

static void
json_targets(struct json_writer *w, const char *key,
    const struct sec_target *t, const int *done, int nt, int want)
{
	int i;

	json_key(w, key);
	json_arr_begin(w);
	for (i = 0; i < nt; i++)
		if (done == NULL || done[i] == want)
			json_str(w, t[i].label);
	json_arr_end(w);
}

/* The document for a successful publish. */
static void
result_doc(struct json_writer *w, const char *zone,
    const struct pub_result *res, const struct sec_target *t, int nt)
{
	const struct store_import_result *r = &res->r;

	json_obj_begin(w);
	json_kv_str(w, "zone", zone);
	json_kv_uint(w, "old_serial", r->changed ? r->old_serial :
	    r->new_serial);
	json_kv_uint(w, "new_serial", r->new_serial);
	json_kv_bool(w, "changed", r->changed);
	if (res->not_modified)
		json_kv_bool(w, "not_modified", 1);
	json_kv_uint(w, "added", r->added);
	json_kv_uint(w, "removed", r->removed);
	json_kv_uint(w, "records", r->records);
	json_targets(w, "notified", t, NULL, r->changed ? nt : 0, 0);
}

/* Status and document for a failed pipeline; PROBLEMS: what the parser
 * said (may be NULL). */
static int
error_doc(struct json_writer *w, const struct pub_result *res,
    const char *problems)
{
	int status;

	switch (res->stage) {
	case PUB_FETCH:
		status = res->err == HP_ETOOBIG ? 413 : 502;
		break;
	case PUB_PARSE:
	case PUB_VALID:
		status = 422;
		break;
	case PUB_STORE:
		status = res->err == HP_EBUSY ? 503 : 500;
		break;
	default:
		status = res->err == HP_ENOJOURNAL || res->err == HP_ENOENT ?
		    404 : 500;
	}
	json_reset(w);
	json_obj_begin(w);
	json_kv_str(w, "error", res->msg);
	if (problems != NULL && problems[0] != '\0')
		json_kv_str(w, "problems", problems);
	json_obj_end(w);
	hp_metrics.publish_failures++;
	return status;
}

/* ---- waiting for the secondaries --------------------------------------- */

static int
waiter_check_db(struct waiter *wt)
{
	uint32_t have;
	int i, left = 0;

	for (i = 0; i < wt->nt; i++) {
		if (!wt->done[i] && sec_serial(store_db(wt->api->st), wt->zone,
		    wt->t[i].addr, &have) > 0 &&
		    sec_has(have, wt->res.r.new_serial))
			wt->done[i] = 1;
		left += !wt->done[i];
	}
	return left;
}

static void
waiter_finish(struct waiter *wt, int confirmed)
{
	struct json_writer w;

	json_init(&w);
	result_doc(&w, wt->zone, &wt->res, wt->t, wt->nt);
	json_kv_bool(&w, "confirmed", confirmed);
	json_targets(&w, "behind", wt->t, wt->done, wt->nt, 0);
	json_targets(&w, "in_sync", wt->t, wt->done, wt->nt, 1);
	json_obj_end(&w);
	http_reply_json(wt->req, confirmed ? 200 : 202, &w);
	json_free(&w);
	*wt->prevp = wt->next;
	if (wt->next != NULL)
		wt->next->prevp = wt->prevp;
	event_free(wt->timer);
	free(wt);
}

static void
waiter_timer(evutil_socket_t fd, short what, void *arg)
{
	struct waiter *wt = arg;
	struct timeval tv = { 0, 0 };
	time_t now = time(NULL);

	(void)fd;
	(void)what;
	if (waiter_check_db(wt) == 0) {
		waiter_finish(wt, 1);
		return;
	}
	if (now >= wt->deadline) {
		waiter_finish(wt, 0);
		return;
	}
	/* The daemon's own events wake us; the table is re-read each
	 * second for what other processes record. */
	tv.tv_sec = wt->deadline - now < 1 ? wt->deadline - now : 1;
	evtimer_add(wt->timer, &tv);
}

/* Defer REQ until the targets of Z have RES's serial or WAIT_S passed.
 * Always answers from a later event. */
static int
wait_for(struct api *api, struct http_req *req, const struct hp_zone *z,
    const struct pub_result *res, int wait_s)
{
	struct waiter *wt;
	struct timeval tv = { 0, 0 };

	if ((wt = calloc(1, sizeof(*wt))) == NULL)
		return HP_ENOMEM;
	wt->api = api;
	wt->req = req;
	snprintf(wt->zone, sizeof(wt->zone), "%s", z->name);
	wt->res = *res;
	wt->nt = sec_targets(z, wt->t, API_MAX_TARGETS);
	wt->deadline = time(NULL) + wait_s;
	if ((wt->timer = evtimer_new(api->base, waiter_timer, wt)) == NULL) {
		free(wt);
		return HP_ENOMEM;
	}
	wt->next = api->waiters;
	wt->prevp = &api->waiters;
	if (wt->next != NULL)
		wt->next->prevp = &wt->next;
	api->waiters = wt;
	evtimer_add(wt->timer, &tv);
	return HTTP_DEFERRED;
}

void
api_secondary_has(struct api *api, const char *zone,
    const struct sockaddr *peer, uint32_t serial, const char *kind)
{
	struct waiter *wt, *next;
	char ab[INET6_ADDRSTRLEN];
	const void *a;
	int i, left;

	if (kind != NULL && strcmp(kind, "AXFR") == 0)
		hp_metrics.xfr_axfr++;
	else if (kind != NULL)
		hp_metrics.xfr_ixfr++;
	if (api == NULL)
		return;
	a = peer->sa_family == AF_INET6 ?
	    (const void *)&((const struct sockaddr_in6 *)peer)->sin6_addr :
	    (const void *)&((const struct sockaddr_in *)peer)->sin_addr;
	if (inet_ntop(peer->sa_family, a, ab, sizeof(ab)) == NULL)
		return;
	for (wt = api->waiters; wt != NULL; wt = next) {
		next = wt->next;
		if (strcmp(wt->zone, zone) != 0 ||
		    !sec_has(serial, wt->res.r.new_serial))
			continue;
		for (left = 0, i = 0; i < wt->nt; i++) {
			if (strcmp(wt->t[i].addr, ab) == 0)
				wt->done[i] = 1;
			left += !wt->done[i];
		}
		if (left == 0)
			waiter_finish(wt, 1);
	}
}

/* ---- publish / rollback ------------------------------------------------ */

/* After a pipeline ran: NOTIFY, then answer now (OUT/STATUS) or defer. */
static int
finish(struct api *api, struct http_req *req, const struct hp_zone *z,
    struct pub_result *res, const char *problems, int wait_s,
    struct json_writer *out, int *status)
{
	struct sec_target t[API_MAX_TARGETS];
	int nt;

	if (res->stage != PUB_OK) {
		log_warn("API: %s", res->msg);
		*status = error_doc(out, res, problems);
		return HTTP_REPLY_NOW;
	}
	if (res->r.changed) {
		hp_metrics.publishes++;
		log_notice("zone %s: published serial %u via the API",
		    z->name, res->r.new_serial);
		if (api->published != NULL)
			api->published(api->arg, z->name);
	}
	if (wait_s > 0)
		return wait_for(api, req, z, res, wait_s);
	nt = sec_targets(z, t, API_MAX_TARGETS);
	json_reset(out);
	result_doc(out, z->name, res, t, nt);
	json_obj_end(out);
	*status = 200;
	return HTTP_REPLY_NOW;
}

/* For a deferred request: finish and send what finish() left in OUT. */
static void
finish_deferred(struct api *api, struct http_req *req,
    const struct hp_zone *z, struct pub_result *res, const char *problems,
    int wait_s)
{
	struct json_writer w;
	int status = 200, r;

	json_init(&w);
	r = finish(api, req, z, res, problems, wait_s, &w, &status);
	if (r == HTTP_REPLY_NOW)
		http_reply_json(req, status, &w);
	else if (r < 0)
		http_reply_error(req, 500, hp_strerror(r));
	json_free(&w);
}

/* A FILE* collecting the parser's problems. */
struct errs {
	FILE *f;
	char *buf;
	size_t len;
};

static FILE *
errs_open(struct errs *e)
{
	memset(e, 0, sizeof(*e));
	e->f = open_memstream(&e->buf, &e->len);
	return e->f != NULL ? e->f : stderr;
}

static const char *
errs_text(struct errs *e)
{
	if (e->f != NULL) {
		fclose(e->f);
		e->f = NULL;
	}
	if (e->buf != NULL && e->len > 2000)
		e->buf[2000] = '\0';
	return e->buf;
}

/* ---- the import worker ------------------------------------------------ */

static double
api_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	free(j->body);
	free(j->url);
	fetch_result_free_async(j->fr);
	free(j->problems);
	free(j);
}

/* A job for zone Z of CFG with the settings the import needs copied. */
static struct job *
job_new(enum job_kind kind, struct http_req *req, const struct hp_config *cfg,
    const struct hp_zone *z, int wait_s)
{
	struct job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	j->kind = kind;
	j->req = req;
	j->z = z;
	j->wait_s = wait_s;
	snprintf(j->zone, sizeof(j->zone), "%s", z->name);
	j->cfg.max_zone_size = cfg->max_zone_size;
	j->cfg.max_journal_versions = cfg->max_journal_versions;
	j->zc.name = j->zone;
	j->zc.serial_policy = z->serial_policy;
	j->zc.max_journal_versions = z->max_journal_versions;
	return j;
}

/* In the worker: run J against the worker's connection. */
static void
job_run(struct worker *w, struct job *j)
{
	char err[256];
	struct errs e;
	FILE *ef;
	int r;

	memset(&j->res, 0, sizeof(j->res));
	j->secs = api_now();
	if (w->st == NULL) {
		if ((r = store_open(w->dbpath, 0, &w->st, err,
		    sizeof(err))) < 0) {
			w->st = NULL;
			j->res.err = r;
			j->res.stage = PUB_STORE;
			snprintf(j->res.msg, sizeof(j->res.msg), "%s: %s; "
			    "nothing changed", j->zone, err);
			return;
		}
		if (getenv("HPAGENT_BUSY_TIMEOUT_MS") == NULL)
			sqlite3_busy_timeout(store_db(w->st),
			    API_WORKER_BUSY_MS);
	}
	ef = errs_open(&e);
	switch (j->kind) {
	case JOB_BUFFER:
		pub_import_buffer(w->st, &j->cfg, &j->zc, j->body, j->len,
		    "webhook", ef, &j->res);
		break;
	case JOB_FETCHED:
		pub_import_fetched(w->st, &j->cfg, &j->zc, j->url, "fetch",
		    j->fr, 0, ef, &j->res);
		break;
	case JOB_ROLLBACK:
		pub_rollback(w->st, &j->cfg, &j->zc, j->serial, ef, &j->res);
		break;
	}
	errs_text(&e);
	j->problems = e.buf;
	free(j->body);		/* large; not needed any more */
	j->body = NULL;
	j->secs = api_now() - j->secs;
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
	const struct hp_zone *z;
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
		log_info("zone %s: API %s took %.3f s", j->zone,
		    j->kind == JOB_ROLLBACK ? "rollback" : "import", j->secs);
		/* The zone as configured now; the one asked for when a
		 * reload removed it meanwhile (kept: see api.h). */
		if ((z = config_zone(api->cfg, j->zone)) == NULL)
			z = j->z;
		finish_deferred(api, j->req, z, &j->res, j->problems,
		    j->wait_s);
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

static int
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

/* Queue J (owned from now on): HTTP_DEFERRED, or answers 503 now. */
static int
worker_push(struct api *api, struct job *j, struct json_writer *out,
    int *status)
{
	struct worker *w = api->w;
	int full;

	pthread_mutex_lock(&w->mu);
	full = w->stop || w->nq >= API_MAX_QUEUED;
	if (!full) {
		*w->qtail = j;
		w->qtail = &j->next;
		w->nq++;
		pthread_cond_signal(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	if (!full)
		return HTTP_DEFERRED;
	log_warn("API: %s: too many publishes queued", j->zone);
	job_free(j);
	hp_metrics.publish_failures++;
	*status = 503;
	return json_error_doc(out, api->closing ? "server shutting down" :
	    "too many publishes queued; try again later");
}

static void
fetch_done(struct fetch_result *fr, void *arg)
{
	struct fetching *f = arg;
	struct api *api = f->api;
	struct pub_result res;
	struct json_writer w;
	struct job *j;
	int status = 200, r;

	api->fetching--;
	if (fr->status == FETCH_ERROR) {
		/* Nothing to import: answer from here. */
		memset(&res, 0, sizeof(res));
		pub_import_fetched(api->st, api->cfg, f->z, f->url, "fetch",
		    fr, fr->err ? fr->err : HP_EFETCH, NULL, &res);
		finish_deferred(api, f->req, f->z, &res, NULL, f->wait_s);
		fetch_result_free_async(fr);
	} else if (api->closing) {
		http_reply_error(f->req, 503, "server shutting down");
		fetch_result_free_async(fr);
	} else if ((j = job_new(JOB_FETCHED, f->req, api->cfg, f->z,
	    f->wait_s)) == NULL) {
		http_reply_error(f->req, 500, hp_strerror(HP_ENOMEM));
		fetch_result_free_async(fr);
	} else {
		j->fr = fr;
		j->url = f->url;
		f->url = NULL;
		json_init(&w);
		if ((r = worker_push(api, j, &w, &status)) != HTTP_DEFERRED)
			http_reply_json(f->req, status, &w);
		json_free(&w);
	}
	free(f->url);
	free(f);
}

static int
act_publish(void *arg, struct http_req *req, const char *zone,
    const char *body, size_t len, int wait_s, struct json_writer *out,
    int *status)
{
	struct api *api = arg;
	const struct hp_zone *z = config_zone(api->cfg, zone);
	struct fetch_opts fo;
	struct fetching *f;
	struct job *j;
	char *etag = NULL, *lm = NULL;
	int r;

	if (z == NULL) {
		*status = 404;
		return json_error_doc(out, "no such zone in the configuration");
	}
	if (body == NULL) {
		if (z->source == NULL) {
			*status = 409;
			return json_error_doc(out, "the zone has no source: "
			    "to fetch; send the zone text");
		}
		if ((f = calloc(1, sizeof(*f))) == NULL ||
		    (f->url = strdup(z->source)) == NULL) {
			free(f);
			return HP_ENOMEM;
		}
		f->api = api;
		f->req = req;
		f->z = z;
		f->wait_s = wait_s;
		pub_fetch_opts(api->cfg, &fo);
		(void)store_source_get(api->st, z->name, z->source, &etag, &lm);
		fo.etag = etag;
		fo.last_modified = lm;
		r = fetch_async(api->base, z->source, &fo, fetch_done, f);
		free(etag);
		free(lm);
		if (r < 0) {
			free(f->url);
			free(f);
			return r;
		}
		api->fetching++;
		return HTTP_DEFERRED;
	}
	/* The body belongs to the request, which a shutdown may answer
	 * (and free) while the worker still reads: a copy. */
	if ((j = job_new(JOB_BUFFER, req, api->cfg, z, wait_s)) == NULL ||
	    (j->body = malloc(len > 0 ? len : 1)) == NULL) {
		free(j);
		return HP_ENOMEM;
	}
	memcpy(j->body, body, len);
	j->len = len;
	return worker_push(api, j, out, status);
}

static int
act_rollback(void *arg, struct http_req *req, const char *zone,
    uint32_t serial, int wait_s, struct json_writer *out, int *status)
{
	struct api *api = arg;
	const struct hp_zone *z = config_zone(api->cfg, zone);
	struct job *j;

	if (z == NULL) {
		*status = 404;
		return json_error_doc(out, "no such zone in the configuration");
	}
	if ((j = job_new(JOB_ROLLBACK, req, api->cfg, z, wait_s)) == NULL)
		return HP_ENOMEM;
	j->serial = serial;
	return worker_push(api, j, out, status);
}

/* ---- reading ----------------------------------------------------------- */

static int
list_one(const struct store_zone_info *zi, void *arg)
{
	struct json_writer *w = arg;

	json_obj_begin(w);
	json_kv_str(w, "zone", zi->name);
	json_kv_uint(w, "serial", zi->serial);
	json_kv_uint(w, "records", zi->records);
	json_kv_int(w, "updated", zi->updated);
	json_kv_bool(w, "dirty", zi->dirty);
	json_obj_end(w);
	return 0;
}

static int
act_list(void *arg, struct json_writer *out, int *status)
{
	struct api *api = arg;
	int r;

	json_obj_begin(out);
	json_key(out, "zones");
	json_arr_begin(out);
	r = store_zone_list(api->st, list_one, out);
	json_arr_end(out);
	json_obj_end(out);
	if (r < 0)
		*status = 500;
	return r < 0 ? r : 0;
}

static int
version_one(const struct store_version *v, void *arg)
{
	struct json_writer *w = arg;

	json_obj_begin(w);
	json_kv_uint(w, "serial", v->serial);
	json_kv_int(w, "created", v->created);
	json_kv_str(w, "source", v->source);
	json_kv_uint(w, "added", v->added);
	json_kv_uint(w, "removed", v->removed);
	json_kv_uint(w, "records", v->records);
	json_kv_bool(w, "journal", v->has_journal);
	json_obj_end(w);
	return 0;
}

static int
act_zone(void *arg, const char *zone, struct json_writer *out, int *status)
{
	struct api *api = arg;
	const struct hp_zone *z = config_zone(api->cfg, zone);
	struct store_zone_info zi;
	int r;

	if ((r = store_zone_info(api->st, zone, &zi)) < 0) {
		*status = r == HP_ENOENT ? 404 : 500;
		return json_error_doc(out, r == HP_ENOENT ? "no such zone in "
		    "the store" : hp_strerror(r));
	}
	json_obj_begin(out);
	json_kv_str(out, "zone", zi.name);
	json_kv_uint(out, "serial", zi.serial);
	json_kv_uint(out, "records", zi.records);
	json_kv_int(out, "created", zi.created);
	json_kv_int(out, "updated", zi.updated);
	json_kv_bool(out, "dirty", zi.dirty);
	json_kv_str(out, "source", z != NULL ? z->source : NULL);
	json_key(out, "versions");
	json_arr_begin(out);
	r = store_version_list(api->st, zi.id, version_one, out);
	json_arr_end(out);
	json_obj_end(out);
	return r < 0 ? r : 0;
}

static int
act_status(void *arg, const char *zone, struct json_writer *out,
    int *status)
{
	struct api *api = arg;
	int r = sec_zone_json(store_db(api->st), api->cfg, zone, out);

	if (r == HP_ENOENT) {
		*status = 404;
		return json_error_doc(out, "no such zone in the store");
	}
	return r;
}

/* ---- /metrics ------------------------------------------------------ */

static void
counter(struct evbuffer *b, const char *name, const char *help,
    uint64_t v)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n",
	    name, help, name, name, (unsigned long long)v);
}

static int
act_metrics(void *arg, struct evbuffer *b)
{
	struct api *api = arg;
	sqlite3 *db = store_db(api->st);
	sqlite3_stmt *st;
	int64_t now = (int64_t)time(NULL);

	evbuffer_add_printf(b, "# HELP hpagent_zones Zones in the store.\n"
	    "# TYPE hpagent_zones gauge\n");
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM zones", -1, &st,
	    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		evbuffer_add_printf(b, "hpagent_zones %lld\n",
		    (long long)sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
	evbuffer_add_printf(b, "# HELP hpagent_zone_serial Published serial."
	    "\n# TYPE hpagent_zone_serial gauge\n# HELP hpagent_zone_versions"
	    " Versions stored.\n# TYPE hpagent_zone_versions gauge\n");
	if (sqlite3_prepare_v2(db, "SELECT z.name, z.serial, (SELECT count(*)"
	    " FROM versions v WHERE v.zone_id = z.id) FROM zones z ORDER BY "
	    "z.name", -1, &st, NULL) == SQLITE_OK)
		while (sqlite3_step(st) == SQLITE_ROW)
			evbuffer_add_printf(b, "hpagent_zone_serial{zone=\"%s\"}"
			    " %lld\nhpagent_zone_versions{zone=\"%s\"} %lld\n",
			    sqlite3_column_text(st, 0),
			    (long long)sqlite3_column_int64(st, 1),
			    sqlite3_column_text(st, 0),
			    (long long)sqlite3_column_int64(st, 2));
	sqlite3_finalize(st);
	evbuffer_add_printf(b, "# HELP hpagent_versions_published_total "
	    "Versions stored, by source.\n# TYPE "
	    "hpagent_versions_published_total counter\n");
	if (sqlite3_prepare_v2(db, "SELECT source, count(*) FROM versions "
	    "GROUP BY source ORDER BY source", -1, &st, NULL) == SQLITE_OK)
		while (sqlite3_step(st) == SQLITE_ROW)
			evbuffer_add_printf(b, "hpagent_versions_published_total"
			    "{source=\"%s\"} %lld\n", sqlite3_column_text(st, 0),
			    (long long)sqlite3_column_int64(st, 1));
	sqlite3_finalize(st);
	counter(b, "hpagent_api_publishes_total", "Versions published by this "
	    "daemon's API.", hp_metrics.publishes);
	counter(b, "hpagent_api_publish_failures_total", "API publishes that "
	    "failed (nothing changed).", hp_metrics.publish_failures);
	counter(b, "hpagent_notify_sent_total", "NOTIFYs sent.",
	    hp_metrics.notify_sent);
	counter(b, "hpagent_notify_acked_total", "NOTIFYs acknowledged.",
	    hp_metrics.notify_acked);
	counter(b, "hpagent_notify_failed_total", "NOTIFYs that failed.",
	    hp_metrics.notify_failed);
	evbuffer_add_printf(b, "# HELP hpagent_transfers_total Transfers "
	    "served in full.\n# TYPE hpagent_transfers_total counter\n"
	    "hpagent_transfers_total{type=\"AXFR\"} %llu\n"
	    "hpagent_transfers_total{type=\"IXFR\"} %llu\n",
	    (unsigned long long)hp_metrics.xfr_axfr,
	    (unsigned long long)hp_metrics.xfr_ixfr);
	counter(b, "hpagent_transfer_bytes_total", "Octets of transfer "
	    "messages sent.", hp_metrics.xfr_bytes);
	counter(b, "hpagent_tsig_failures_total", "Requests with a TSIG that "
	    "did not verify.", hp_metrics.tsig_failures);
	evbuffer_add_printf(b, "# HELP hpagent_secondary_serial Serial a "
	    "secondary has.\n# TYPE hpagent_secondary_serial gauge\n"
	    "# HELP hpagent_secondary_lag_seconds Seconds since the zone "
	    "changed while the secondary does not have it (0: in sync).\n"
	    "# TYPE hpagent_secondary_lag_seconds gauge\n");
	if (sqlite3_prepare_v2(db, "SELECT z.name, s.address, s.serial, "
	    "z.serial, z.updated FROM secondaries s JOIN zones z ON z.id = "
	    "s.zone_id WHERE s.serial IS NOT NULL ORDER BY z.name, s.address",
	    -1, &st, NULL) == SQLITE_OK)
		while (sqlite3_step(st) == SQLITE_ROW)
			evbuffer_add_printf(b, "hpagent_secondary_serial{zone="
			    "\"%s\",address=\"%s\"} %lld\n"
			    "hpagent_secondary_lag_seconds{zone=\"%s\","
			    "address=\"%s\"} %lld\n",
			    sqlite3_column_text(st, 0),
			    sqlite3_column_text(st, 1),
			    (long long)sqlite3_column_int64(st, 2),
			    sqlite3_column_text(st, 0),
			    sqlite3_column_text(st, 1),
			    sqlite3_column_int64(st, 2) ==
			    sqlite3_column_int64(st, 3) ? 0LL :
			    (long long)(now - sqlite3_column_int64(st, 4)));
	sqlite3_finalize(st);
	return 0;
}

/* ---- stopping ---------------------------------------------------------- */

/*
 * Stop the worker: imports queued but not started are answered 503; the
 * one running (and fetches in flight) may finish within WAIT_MS, the loop
 * running meanwhile so that their answers and NOTIFYs go out. Returns how
 * many requests were answered, or -1 when the worker was left running
 * (then its memory is left alone too: the process is about to exit).
 */
static int
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
			snprintf(zone, sizeof(zone), "%s", w->cur->zone);
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

/* ---- life ---------------------------------------------------------- */

int
api_start(struct event_base *base, const struct hp_config *cfg,
    struct store *st, api_published_cb published, void *arg,
    struct api **out)
{
	struct http_server_opts o = { 0 };
	struct http_actions act = { 0 };
	struct api *api;
	const char *dbpath;
	char err[256];
	int r;

	if ((r = fetch_global_init()) < 0) {
		log_err("http: cannot initialise libcurl");
		return r;
	}
	if ((api = calloc(1, sizeof(*api))) == NULL)
		return HP_ENOMEM;
	api->base = base;
	api->cfg = cfg;
	api->st = st;
	api->published = published;
	api->arg = arg;
	o.listen = cfg->http_listen;
	o.webhook_secret = cfg->webhook_secret;
	o.api_token = cfg->api_token;
	o.max_body = cfg->max_zone_size;
	o.timeout_s = 30;
	o.max_wait_s = 300;
	dbpath = sqlite3_db_filename(store_db(st), "main");
	if ((r = worker_start(api, dbpath != NULL ? dbpath : cfg->database,
	    &api->w)) < 0) {
		log_err("http: cannot start the import worker: %s",
		    hp_strerror(r));
		free(api);
		return r;
	}
	act.arg = api;
	act.publish = act_publish;
	act.rollback = act_rollback;
	act.list_zones = act_list;
	act.zone_info = act_zone;
	act.zone_status = act_status;
	act.metrics = act_metrics;
	if ((r = http_server_new(base, &o, &act, &api->srv, err,
	    sizeof(err))) < 0) {
		log_err("http-listen %s: %s", cfg->http_listen, err);
		worker_stop(api, 0);
		free(api);
		return r;
	}
	log_notice("HTTP API on %s", cfg->http_listen);
	*out = api;
	return 0;
}

void
api_set_config(struct api *api, const struct hp_config *cfg)
{
	if (api != NULL)
		api->cfg = cfg;
}

void
api_free(struct api *api)
{
	struct waiter *wt;
	struct timeval tv = { 0, 300000 };
	int answered;

	if (api == NULL)
		return;
	api->closing = 1;
	answered = worker_stop(api, API_STOP_WAIT_MS) > 0;
	while ((wt = api->waiters) != NULL) {
		api->waiters = wt->next;
		event_free(wt->timer);
		free(wt);
	}
	/* Waiters and the like: 503; let the loop write the answers. */
	if (http_server_drain(api->srv) > 0 || answered) {
		event_base_loopexit(api->base, &tv);
		event_base_dispatch(api->base);
	}
	http_server_free(api->srv);
	free(api);
}
