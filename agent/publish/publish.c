/*
 * publish.c -- publishing: import options from the configuration, zone
 * texts (webhook payloads, request bodies), direct edits, and the stage a
 * failure belongs to (see publish.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "agent/conf/conf.h"
#include "agent/publish/fetch.h"
#include "agent/publish/publish.h"
#include "agent/publish/publish_int.h"
#include "dns/err.h"

int
pub_is_url(const char *s)
{
	return fetch_is_url(s);
}

void
pub_import_opts(const struct pub_ctx *c, const char *zone,
    const char *source, struct store_import_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->zone = zone;
	o->source = source;
	o->problem = c->problem;
	o->problem_arg = c->problem_arg;
	o->max_size = c->cfg->max_zone_size;
	o->own_origin = c->own_origin;
	if (c->z != NULL) {
		o->serial_policy = c->z->serial_policy;
		o->max_journal_versions = c->z->max_journal_versions;
	}
	if (o->max_journal_versions == 0)
		o->max_journal_versions = c->cfg->max_journal_versions;
}

void
pub_fetch_opts(const struct conf *cfg, struct fetch_opts *o)
{
	fetch_opts_init(o);
	o->ca_file = cfg->ca_file;
	o->max_size = cfg->max_zone_size;
	o->connect_timeout_ms = 10000;
	o->timeout_ms = 120000;
	o->max_redirects = 5;
}

enum pub_stage
pub_stage_of(int err)
{
	switch (err) {
	case 0:
		return PUB_OK;
	case HP_EPARSE:
		return PUB_PARSE;
	case HP_EINVALID:
		return PUB_VALID;
	case HP_EBUSY:
	case HP_ESTORE:
		return PUB_STORE;
	case HP_ENOENT:
	case HP_EACCES:
	case HP_EIO:
	case HP_ETOOBIG:
	case HP_EFETCH:
		return PUB_FETCH;
	default:
		return PUB_OTHER;
	}
}

int
pub_failed(const struct pub_ctx *c, struct pub_result *res, int err)
{
	const char *zone = c->z->name;

	res->err = err;
	res->stage = pub_stage_of(err);
	switch (err) {
	case HP_EPARSE:
		snprintf(res->msg, sizeof(res->msg), "%s: the zone text does "
		    "not parse; nothing changed", zone);
		break;
	case HP_EINVALID:
		snprintf(res->msg, sizeof(res->msg), "%s: not a valid zone; "
		    "nothing changed", zone);
		break;
	case HP_EBUSY:
		snprintf(res->msg, sizeof(res->msg), "%s: database is locked "
		    "by another writer; nothing changed", zone);
		break;
	case HP_ESTORE:
		snprintf(res->msg, sizeof(res->msg), "%s: %s; nothing changed",
		    zone, store_errmsg(c->st));
		break;
	default:
		if (res->msg[0] == '\0')
			snprintf(res->msg, sizeof(res->msg), "%s: %s", zone,
			    hp_strerror(err));
	}
	return err;
}

int
pub_import_buffer(const struct pub_ctx *c, const char *buf, size_t len,
    const char *label, struct pub_result *res)
{
	struct store_import_opts o;
	int r;

	pub_import_opts(c, c->z->name, label, &o);
	o.filename = label;
	if ((r = store_import_buffer(c->st, buf, len, &o, &res->r)) < 0) {
		if (r == HP_ETOOBIG)
			snprintf(res->msg, sizeof(res->msg), "%s: zone text "
			    "exceeds max-zone-size", c->z->name);
		return pub_failed(c, res, r);
	}
	return 0;
}

int
pub_edits(const struct pub_ctx *c, const char *zone,
    struct store_import_result *res)
{
	struct store_import_opts o;

	pub_import_opts(c, zone, "sql", &o);
	return store_publish(c->st, &o, res);
}

int
pub_exit_status(const struct pub_result *res)
{
	switch (res->stage) {
	case PUB_OK:
		return 0;
	case PUB_FETCH:
		return PUB_EXIT_FETCH;
	case PUB_PARSE:
		return PUB_EXIT_PARSE;
	case PUB_VALID:
		return PUB_EXIT_VALID;
	case PUB_STORE:
		return PUB_EXIT_STORE;
	default:
		return 1;
	}
}
