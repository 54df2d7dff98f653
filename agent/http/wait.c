/*
 * wait.c -- the answer to a publish or a rollback once it ran: the
 * NOTIFYs asked for, then the answer now, or with ?wait=S when every
 * notify: target of the zone (as the configuration in force names them:
 * a reload may change them meanwhile) serves the new serial, as its own
 * SOA answer showed (200, "confirmed": true), or S seconds later, or as
 * soon as one of them is stale (202, "confirmed": false, "behind": [...],
 * "states": {target: {state, reason}}).
 * The daemon's probes (api_wait_has) wake a waiter at once; the
 * secondaries ledger is read each second (stale verdicts, and what
 * another process recorded).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "agent/conf/conf.h"
#include "agent/http/api_int.h"
#include "agent/http/http.h"
#include "agent/http/json.h"
#include "dns/err.h"
#include "dns/log.h"
#include "dns/serial.h"
#include "store/store.h"

struct waiter {
	struct api *api;
	struct http_req *req;
	const struct conf *cfg;		/* a reference: Z is in it */
	const struct conf_zone *z;
	struct pub_result res;
	struct conf_seen done;		/* secondaries seen serving it */
	int stale;			/* one of them will not serve it */
	time_t deadline;
	struct event *timer;
	struct waiter *next, **prevp;
};

static void
waiter_free(struct waiter *wt)
{
	*wt->prevp = wt->next;
	if (wt->next != NULL)
		wt->next->prevp = wt->prevp;
	event_free(wt->timer);
	conf_unref(wt->cfg);
	conf_seen_clear(&wt->done);
	free(wt);
}

/* The zone's notify: targets as the configuration in force has them (a
 * reload may have changed them while the request waits). */
static const struct conf_zone *
waiter_zone(const struct waiter *wt)
{
	const struct conf_zone *z = conf_find_zone(wt->api->cfg, wt->z->name);

	return z != NULL ? z : wt->z;
}

/* Targets not confirmed yet. */
static int
waiter_left(const struct waiter *wt)
{
	return conf_seen_left(&wt->done, waiter_zone(wt), NULL, 0);
}

static int
waiter_check_db(struct waiter *wt)
{
	const struct conf_zone *z = waiter_zone(wt);
	const struct conf_target *t;
	struct store_secondary s;
	int i;

	for (i = 0; i < z->ntargets; i++) {
		t = &z->targets[i];
		if (!t->first || conf_seen_has(&wt->done, t->label) ||
		    store_sec_get(wt->api->st, z->name, t->label, &s) <= 0)
			continue;
		if (store_sec_has(&s, wt->res.r.new_serial))
			(void)conf_seen_add(&wt->done, t->label);
		else if (store_sec_stale(&s, wt->res.r.new_serial))
			wt->stale = 1;
	}
	return waiter_left(wt);
}

/* {"ADDR@PORT": {"state": ..., "reason": ...}} of the targets behind. */
static json_t *
waiter_states(const struct waiter *wt)
{
	const struct conf_zone *z = waiter_zone(wt);
	const struct conf_target *t;
	struct store_secondary s;
	json_t *o = json_object(), *v;
	int i;

	for (i = 0; o != NULL && i < z->ntargets; i++) {
		t = &z->targets[i];
		if (!t->first || conf_seen_has(&wt->done, t->label))
			continue;
		if (store_sec_get(wt->api->st, z->name, t->label, &s) <= 0)
			v = json_pack("{s:s, s:s}", "state", "unknown",
			    "reason", "not probed yet");
		else
			v = json_pack("{s:s, s:s?}", "state", s.state,
			    "reason", s.reason[0] != '\0' ? s.reason : NULL);
		if (v == NULL || json_object_set_new(o, t->label, v) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* The labels of the targets whose done flag is WANT. */
static json_t *
waiter_list(const struct waiter *wt, int want)
{
	const struct conf_zone *z = waiter_zone(wt);
	json_t *a = json_array();
	int i;

	for (i = 0; a != NULL && i < z->ntargets; i++)
		if (z->targets[i].first &&
		    conf_seen_has(&wt->done, z->targets[i].label) == want &&
		    json_array_append_new(a, json_string(
		    z->targets[i].label)) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static void
waiter_finish(struct waiter *wt, int confirmed)
{
	json_t *doc = api_result_doc(wt->z, &wt->res);

	if (doc != NULL && (json_object_set_new(doc, "confirmed",
	    json_boolean(confirmed)) < 0 || json_object_set_new(doc, "behind",
	    waiter_list(wt, 0)) < 0 || json_object_set_new(doc, "in_sync",
	    waiter_list(wt, 1)) < 0 || (!confirmed &&
	    json_object_set_new(doc, "states", waiter_states(wt)) < 0))) {
		json_decref(doc);
		doc = NULL;
	}
	if (doc != NULL)
		http_reply_json(wt->req, confirmed ? 200 : 202, doc);
	else
		http_reply_error(wt->req, 500, hp_strerror(HP_ENOMEM));
	waiter_free(wt);
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
	if (now >= wt->deadline || wt->stale) {
		waiter_finish(wt, 0);
		return;
	}
	/* The daemon's own events wake us; the table is re-read each
	 * second for what other processes record. */
	tv.tv_sec = wt->deadline - now < 1 ? wt->deadline - now : 1;
	evtimer_add(wt->timer, &tv);
}

/* Defer REQ until the secondaries of Z (of CFG) have RES's serial or
 * WAIT_S passed; always answers from a later event. */
static int
api_wait(struct api *api, struct http_req *req, const struct conf *cfg,
    const struct conf_zone *z, const struct pub_result *res, int wait_s)
{
	struct waiter *wt;
	struct timeval tv = { 0, 0 };

	if ((wt = calloc(1, sizeof(*wt))) == NULL ||
	    (wt->timer = evtimer_new(api->base, waiter_timer, wt)) == NULL) {
		free(wt);
		return HP_ENOMEM;
	}
	wt->api = api;
	wt->req = req;
	wt->cfg = conf_ref(cfg);
	wt->z = z;
	wt->res = *res;
	wt->deadline = time(NULL) + wait_s;
	wt->next = api->waiters;
	wt->prevp = &api->waiters;
	if (wt->next != NULL)
		wt->next->prevp = &wt->next;
	api->waiters = wt;
	evtimer_add(wt->timer, &tv);
	return HTTP_DEFERRED;
}

int
api_finish(struct api *api, struct http_req *req, const struct conf *cfg,
    const struct conf_zone *z, struct pub_result *res, json_t *problems,
    int wait_s, json_t **out, int *status)
{
	if (res->stage != PUB_OK) {
		log_warn("API: %s", res->msg);
		*status = api_error_doc(res, problems, out);
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
		return api_wait(api, req, cfg, z, res, wait_s);
	*out = api_result_doc(z, res);
	*status = 200;
	return *out != NULL ? HTTP_REPLY_NOW : HP_ENOMEM;
}

void
api_finish_deferred(struct api *api, struct http_req *req,
    const struct conf *cfg, const struct conf_zone *z,
    struct pub_result *res, json_t *problems, int wait_s)
{
	json_t *out = NULL;
	int status = 200, r;

	r = api_finish(api, req, cfg, z, res, problems, wait_s, &out, &status);
	if (r == HTTP_REPLY_NOW)
		http_reply_json(req, status, out);
	else if (r < 0)
		http_reply_error(req, 500, hp_strerror(r));
}

void
api_wait_has(struct api *api, const char *zone, const char *target,
    uint32_t serial)
{
	struct waiter *wt, *next;

	for (wt = api->waiters; wt != NULL; wt = next) {
		next = wt->next;
		if (strcmp(wt->z->name, zone) != 0 ||
		    !serial_at_least(serial, wt->res.r.new_serial))
			continue;
		(void)conf_seen_add(&wt->done, target);
		if (waiter_left(wt) == 0)
			waiter_finish(wt, 1);
	}
}

void
api_wait_free(struct api *api)
{
	while (api->waiters != NULL)
		waiter_free(api->waiters);
}
