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
#include "agent/publish/zones.h"
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
	char *etag = NULL, *lm = NULL, id[FETCH_SOURCE_ID_MAX];
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
	(void)store_source_get(api->st, z->name, fetch_source_id(z->name,
	    z->source, id, sizeof(id)), &etag, &lm);
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
	/* A signature covers the body, not the zone in the URL: a text
	 * signed for one zone, with relative names, must not publish into
	 * another. Such a text must name its zone itself. */
	j->own_origin = http_req_auth(req) == HTTP_AUTH_SIGNATURE;
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

/* ---- zones added and deleted (agent/publish/zones.c) ------------------ */

/* Problems of a zone add/delete, for the answer's "problems". */
struct zproblems {
	json_t *a;
};

static void
zone_problem(void *arg, const struct hp_problem *p)
{
	struct zproblems *z = arg;
	char line[1200];

	if (json_array_size(z->a) < 50)
		json_array_append_new(z->a, json_string(hp_problem_str(p,
		    line, sizeof(line))));
}

/* The answer to a zone add/delete that failed with R. */
static int
zone_failed(int r, const struct zones_result *res, struct zproblems *zp,
    json_t **out, int *status)
{
	const char *what = hp_strerror(r);

	*status = r == HP_EEXIST ? 409 : r == HP_ENOENT ? 404 :
	    r == HP_EBUSY ? 503 : r == HP_EINVALID ? 409 :
	    r == HP_ESTORE || r == HP_ENOMEM ? 500 :
	    res->pub.stage == PUB_FETCH ? 502 : 422;
	if (res->pub.msg[0] != '\0')
		what = res->pub.msg;
	*out = json_pack("{s:s, s:o}", "error", what, "problems", zp->a);
	return HTTP_REPLY_NOW;
}

static int
act_zone_add(void *arg, const char *body, size_t len, json_t **out,
    int *status)
{
	struct api *api = arg;
	struct zproblems zp = { json_array() };
	struct zones_result res;
	json_t *doc;
	json_error_t je;
	const char *zone = NULL, *pattern = NULL, *text = NULL;
	int r;

	doc = json_loadb(body, len, 0, &je);
	if (doc == NULL || json_unpack(doc, "{s:s, s?s, s?s}", "zone", &zone,
	    "pattern", &pattern, "text", &text) != 0) {
		json_decref(doc);
		json_decref(zp.a);
		*status = 400;
		*out = hjson_error("body must be a JSON object {\"zone\": "
		    "NAME, \"pattern\": P, \"text\": ZONE TEXT}");
		return HTTP_REPLY_NOW;
	}
	r = zones_add(api->st, api->cfg, zone, pattern, NULL, text,
	    text != NULL ? strlen(text) : 0, zone_problem, &zp, &res, NULL);
	if (r < 0) {
		log_warn("API: zone add %s refused: %s", zone,
		    hp_strerror(r));
		r = zone_failed(r, &res, &zp, out, status);
		json_decref(doc);
		return r;
	}
	log_notice("API: zone %s added", zone);
	*status = 201;
	*out = json_pack("{s:s, s:I, s:s?, s:I}", "zone", zone, "serial",
	    (json_int_t)res.pub.r.new_serial, "catalog", res.catalog[0] ?
	    res.catalog : NULL, "catalog_serial",
	    (json_int_t)res.catalog_serial);
	json_decref(zp.a);
	json_decref(doc);
	/* the daemon loads the zone (zone_defs changed) and NOTIFYs */
	if (api->published != NULL)
		api->published(api->arg, zone);
	return HTTP_REPLY_NOW;
}

static int
act_zone_delete(void *arg, const char *zone, int purge, json_t **out,
    int *status)
{
	struct api *api = arg;
	struct zproblems zp = { json_array() };
	struct zones_result res;
	int r;

	r = zones_delete(api->st, api->cfg, zone, purge, zone_problem, &zp,
	    &res);
	if (r < 0)
		return zone_failed(r, &res, &zp, out, status);
	json_decref(zp.a);
	log_notice("API: zone %s %s", zone, res.deleting ? "deleted: served "
	    "until its secondaries dropped it" : "purged");
	*status = res.deleting ? 202 : 200;
	*out = json_pack("{s:s, s:b, s:b, s:s?, s:I, s:s?}", "zone", zone,
	    "deleting", res.deleting, "purged", res.purged, "catalog",
	    res.catalog[0] ? res.catalog : NULL, "catalog_serial",
	    (json_int_t)res.catalog_serial, "backup", res.backup[0] ?
	    res.backup : NULL);
	if (api->published != NULL)
		api->published(api->arg, zone);
	return HTTP_REPLY_NOW;
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
	char shown[FETCH_SHOWN_MAX];
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
	    hjson_str(z != NULL && z->source != NULL ? fetch_redact(z->source,
	    shown, sizeof(shown)) : NULL), "versions", versions);
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
	o.webhook_max_body = cfg->webhook_max_body;
	o.max_conns = cfg->http_max_conns;
	o.max_per_addr = cfg->http_max_per_addr;
	o.request_timeout_s = (int)cfg->http_request_timeout;
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
	act.delivery_begin = api_delivery_begin;
	act.delivery_end = api_delivery_end;
	act.zone_add = act_zone_add;
	act.zone_delete = act_zone_delete;
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
api_tick(struct api *api)
{
	if (api != NULL && api->deliveries != NULL)
		api_delivery_flush(api, 0);
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
	api_delivery_flush(api, 1);
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
