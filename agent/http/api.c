/*
 * api.c -- the HTTP API actions of `hpagent serve` (see api.h, http.h):
 * start, reload and stop; the read actions; publish and rollback, handed
 * to the worker (worker.c), answered now or when the secondaries have the
 * new serial (wait.c).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "agent/conf/conf.h"
#include "agent/http/api_int.h"
#include "agent/http/http.h"
#include "agent/http/json.h"
#include "agent/publish/fetch.h"
#include "dns/err.h"
#include "dns/log.h"
#include "store/store.h"

#define API_STOP_WAIT_MS 60000	/* at exit: wait this long for an import */

/* A fetch of a zone's source in flight. */
struct fetching {
	struct api *api;
	struct http_req *req;
	const struct conf *cfg;		/* a reference: Z is in it */
	const struct conf_zone *z;
	char *url;
	int wait_s;
	int force;
};

/* ---- publish / rollback ------------------------------------------------ */

static void
fetching_free(struct fetching *f)
{
	conf_unref(f->cfg);
	free(f->url);
	free(f);
}

static void
fetch_done(struct fetch_result *fr, void *arg)
{
	struct fetching *f = arg;
	struct api *api = f->api;
	struct pub_ctx c = { .st = api->st, .cfg = f->cfg, .z = f->z,
	    .force = f->force };
	struct pub_result res;
	json_t *out = NULL;
	struct job *j;
	int status = 200;

	api->fetching--;
	if (fr->status == FETCH_ERROR) {
		/* Nothing to import: answer from here. */
		memset(&res, 0, sizeof(res));
		pub_import_fetched(&c, f->url, "fetch", fr, fr->err ? fr->err :
		    HP_EFETCH, &res);
		api_finish_deferred(api, f->req, f->cfg, f->z, &res, NULL,
		    f->wait_s);
		fetch_result_free_async(fr);
	} else if (api->closing) {
		http_reply_error(f->req, 503, "server shutting down");
		fetch_result_free_async(fr);
	} else if ((j = job_new(JOB_FETCHED, f->req, f->cfg, f->z,
	    f->wait_s)) == NULL) {
		http_reply_error(f->req, 500, hp_strerror(HP_ENOMEM));
		fetch_result_free_async(fr);
	} else {
		j->fr = fr;
		j->force = f->force;
		j->url = f->url;
		f->url = NULL;
		if (worker_push(api, j, &out, &status) != HTTP_DEFERRED)
			http_reply_json(f->req, status, out);
	}
	fetching_free(f);
}

/* Fetch Z's source off the loop, then import what came. */
static int
fetch_start(struct api *api, struct http_req *req, const struct conf_zone *z,
    int wait_s)
{
	struct fetch_opts fo;
	struct fetching *f;
	char *etag = NULL, *lm = NULL;
	int r;

	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->url = strdup(z->source)) == NULL) {
		free(f);
		return HP_ENOMEM;
	}
	f->api = api;
	f->req = req;
	f->cfg = conf_ref(api->cfg);
	f->z = z;
	f->wait_s = wait_s;
	f->force = http_req_force(req);
	pub_fetch_opts(api->cfg, &fo);
	(void)store_source_get(api->st, z->name, z->source, &etag, &lm);
	fo.etag = etag;
	fo.last_modified = lm;
	r = fetch_async(api->base, z->source, &fo, fetch_done, f);
	free(etag);
	free(lm);
	if (r < 0) {
		fetching_free(f);
		return r;
	}
	api->fetching++;
	return HTTP_DEFERRED;
}

static int
act_publish(void *arg, struct http_req *req, const char *zone,
    const char *body, size_t len, int wait_s, json_t **out, int *status)
{
	struct api *api = arg;
	const struct conf_zone *z = conf_find_zone(api->cfg, zone);
	struct job *j;

	if (z == NULL) {
		*status = 404;
		*out = hjson_error("no such zone in the configuration");
		return HTTP_REPLY_NOW;
	}
	if (body == NULL) {
		if (z->source == NULL) {
			*status = 409;
			*out = hjson_error("the zone has no source: to fetch; "
			    "send the zone text");
			return HTTP_REPLY_NOW;
		}
		return fetch_start(api, req, z, wait_s);
	}
	/* The body belongs to the request, which a shutdown may answer
	 * (and free) while the worker still reads: a copy. */
	if ((j = job_new(JOB_BUFFER, req, api->cfg, z, wait_s)) == NULL ||
	    (j->body = malloc(len > 0 ? len : 1)) == NULL) {
		job_free(j);
		return HP_ENOMEM;
	}
	memcpy(j->body, body, len);
	j->len = len;
	j->force = http_req_force(req);
	return worker_push(api, j, out, status);
}

static int
act_rollback(void *arg, struct http_req *req, const char *zone,
    uint32_t serial, int wait_s, json_t **out, int *status)
{
	struct api *api = arg;
	const struct conf_zone *z = conf_find_zone(api->cfg, zone);
	struct job *j;

	if (z == NULL) {
		*status = 404;
		*out = hjson_error("no such zone in the configuration");
		return HTTP_REPLY_NOW;
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
	json_t *z = json_pack("{s:s, s:I, s:I, s:I, s:b}", "zone", zi->name,
	    "serial", (json_int_t)zi->serial, "records",
	    (json_int_t)zi->records, "updated", (json_int_t)zi->updated,
	    "dirty", zi->dirty);

	return z != NULL && json_array_append_new(arg, z) == 0 ? 0 :
	    HP_ENOMEM;
}

static int
act_list(void *arg, json_t **out, int *status)
{
	struct api *api = arg;
	json_t *list = json_array();
	int r;

	if (list == NULL)
		return HP_ENOMEM;
	if ((r = store_zone_list(api->st, list_one, list)) < 0) {
		json_decref(list);
		*status = 500;
		return r;
	}
	*out = json_pack("{s:O}", "zones", list);
	json_decref(list);
	return *out != NULL ? 0 : HP_ENOMEM;
}

static int
version_one(const struct store_version *v, void *arg)
{
	json_t *o = json_pack("{s:I, s:I, s:s, s:o, s:o, s:I, s:I, s:I, s:b}",
	    "serial", (json_int_t)v->serial, "created", (json_int_t)v->created,
	    "source", v->source, "origin", hjson_str(v->origin[0] ?
	    v->origin : NULL), "mode", hjson_str(v->mode[0] ? v->mode : NULL),
	    "added", (json_int_t)v->added, "removed",
	    (json_int_t)v->removed, "records", (json_int_t)v->records,
	    "journal", v->has_journal);

	return o != NULL && json_array_append_new(arg, o) == 0 ? 0 :
	    HP_ENOMEM;
}

static int
act_zone(void *arg, const char *zone, json_t **out, int *status)
{
	struct api *api = arg;
	const struct conf_zone *z = conf_find_zone(api->cfg, zone);
	struct store_zone_info zi;
	json_t *versions;
	int r;

	if ((r = store_zone_info(api->st, zone, &zi)) < 0) {
		*status = r == HP_ENOENT ? 404 : 500;
		*out = hjson_error(r == HP_ENOENT ? "no such zone in the "
		    "store" : hp_strerror(r));
		return 0;
	}
	if ((versions = json_array()) == NULL)
		return HP_ENOMEM;
	if ((r = store_version_list(api->st, zi.id, version_one,
	    versions)) < 0) {
		json_decref(versions);
		return r;
	}
	*out = json_pack("{s:s, s:I, s:I, s:I, s:I, s:b, s:b, s:b, s:o, s:O}",
	    "zone", zi.name, "serial", (json_int_t)zi.serial, "records",
	    (json_int_t)zi.records, "created", (json_int_t)zi.created,
	    "updated", (json_int_t)zi.updated, "dirty", zi.dirty, "held",
	    zi.held, "broken", zi.broken, "source",
	    hjson_str(z != NULL ? z->source : NULL), "versions", versions);
	json_decref(versions);
	return *out != NULL ? 0 : HP_ENOMEM;
}

static int
act_status(void *arg, const char *zone, json_t **out, int *status)
{
	struct api *api = arg;
	int r = api_zone_status(api->st, api->cfg, zone, out);

	if (r == HP_ENOENT) {
		*status = 404;
		*out = hjson_error("no such zone in the store");
		return 0;
	}
	return r;
}

/* ---- life -------------------------------------------------------------- */

void
api_transfer_done(const char *kind)
{
	if (strcmp(kind, "AXFR") == 0)
		hp_metrics.xfr_axfr++;
	else
		hp_metrics.xfr_ixfr++;
}

void
api_secondary_has(struct api *api, const char *zone, const char *target,
    uint32_t serial)
{
	if (api != NULL)
		api_wait_has(api, zone, target, serial);
}

int
api_start(struct event_base *base, const struct conf *cfg,
    struct store *st, api_published_cb published, void *arg,
    struct api **out)
{
	struct http_server_opts o = { 0 };
	struct http_actions act = { 0 };
	struct api *api;
	char err[256];
	int r;

	if ((r = fetch_global_init()) < 0) {
		log_err("http: cannot initialise libcurl");
		return r;
	}
	if ((api = calloc(1, sizeof(*api))) == NULL)
		return HP_ENOMEM;
	api->base = base;
	api->boot = conf_ref(cfg);
	api->cfg = conf_ref(cfg);
	api->st = st;
	api->published = published;
	api->arg = arg;
	o.host = cfg->http_host;
	o.port = cfg->http_port;
	o.webhook_secret = cfg->webhook_secret;
	o.api_token = cfg->api_token;
	o.max_body = cfg->max_zone_size;
	o.timeout_s = 30;
	o.max_wait_s = 300;
	if ((r = worker_start(api, store_path(st), &api->w)) < 0) {
		log_err("http: cannot start the import worker: %s",
		    hp_strerror(r));
		goto fail;
	}
	act.arg = api;
	act.publish = act_publish;
	act.rollback = act_rollback;
	act.list_zones = act_list;
	act.zone_info = act_zone;
	act.zone_status = act_status;
	act.metrics = api_metrics;
	if ((r = http_server_new(base, &o, &act, &api->srv, err,
	    sizeof(err))) < 0) {
		log_err("http-listen %s: %s", cfg->http_listen, err);
		worker_stop(api, 0);
		goto fail;
	}
	log_notice("HTTP API on %s", cfg->http_listen);
	*out = api;
	return 0;
fail:
	conf_unref(api->boot);
	conf_unref(api->cfg);
	free(api);
	return r;
}

void
api_set_config(struct api *api, const struct conf *cfg)
{
	if (api == NULL)
		return;
	conf_unref(api->cfg);
	api->cfg = conf_ref(cfg);
}

void
api_free(struct api *api)
{
	struct timeval tv = { 0, 300000 };
	int answered;

	if (api == NULL)
		return;
	api->closing = 1;
	answered = worker_stop(api, API_STOP_WAIT_MS) > 0;
	api_wait_free(api);
	/* Waiters and the like: 503; let the loop write the answers. */
	if (http_server_drain(api->srv) > 0 || answered) {
		event_base_loopexit(api->base, &tv);
		event_base_dispatch(api->base);
	}
	http_server_free(api->srv);
	conf_unref(api->cfg);
	conf_unref(api->boot);
	free(api);
}
