/*
 * api.c -- the HTTP API actions of `hpagent serve` (see api.h, http.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "agent/api.h"
#include "agent/config.h"
#include "agent/fetch.h"
#include "agent/http.h"
#include "agent/json.h"
#include "agent/pub.h"
#include "agent/secstate.h"
#include "dns/err.h"
#include "dns/log.h"
#include "store/store.h"

#define API_MAX_TARGETS	64

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

struct api {
	struct event_base *base;
	const struct hp_config *cfg;
	struct store *st;
	api_published_cb published;
	void *arg;
	struct http_server *srv;
	struct waiter *waiters;
	int fetching;
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

static void
fetch_done(struct fetch_result *fr, void *arg)
{
	struct fetching *f = arg;
	struct pub_result res;
	struct errs e;
	FILE *ef = errs_open(&e);

	f->api->fetching--;
	memset(&res, 0, sizeof(res));
	pub_import_fetched(f->api->st, f->api->cfg, f->z, f->url, "fetch", fr,
	    fr->status == FETCH_ERROR ? (fr->err ? fr->err : HP_EFETCH) : 0,
	    ef, &res);
	finish_deferred(f->api, f->req, f->z, &res, errs_text(&e), f->wait_s);
	free(e.buf);
	fetch_result_free_async(fr);
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
	struct pub_result res;
	struct fetch_opts fo;
	struct fetching *f;
	struct errs e;
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
	memset(&res, 0, sizeof(res));
	pub_import_buffer(api->st, api->cfg, z, body, len, "webhook",
	    errs_open(&e), &res);
	r = finish(api, req, z, &res, errs_text(&e), wait_s, out, status);
	free(e.buf);
	return r;
}

static int
act_rollback(void *arg, struct http_req *req, const char *zone,
    uint32_t serial, int wait_s, struct json_writer *out, int *status)
{
	struct api *api = arg;
	const struct hp_zone *z = config_zone(api->cfg, zone);
	struct pub_result res;
	struct errs e;
	int r;

	if (z == NULL) {
		*status = 404;
		return json_error_doc(out, "no such zone in the configuration");
	}
	pub_rollback(api->st, api->cfg, z, serial, errs_open(&e), &res);
	r = finish(api, req, z, &res, errs_text(&e), wait_s, out, status);
	free(e.buf);
	return r;
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

/* ---- life ---------------------------------------------------------- */

int
api_start(struct event_base *base, const struct hp_config *cfg,
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
	int i;

	if (api == NULL)
		return;
	while ((wt = api->waiters) != NULL) {
		api->waiters = wt->next;
		event_free(wt->timer);
		free(wt);
	}
	/* Fetch threads report on the base: let them finish (bounded). */
	for (i = 0; i < 100 && api->fetching > 0; i++) {
		event_base_loop(api->base, EVLOOP_NONBLOCK);
		usleep(50000);
	}
	http_server_drain(api->srv);
	http_server_free(api->srv);
	free(api);
}
