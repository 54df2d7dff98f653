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
    const char *source, const char *origin, struct store_import_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->zone = zone;
	o->source = source;
	o->origin = origin;
	o->problem = c->problem;
	o->problem_arg = c->problem_arg;
	o->max_size = c->cfg->max_zone_size;
	o->own_origin = c->own_origin;
	o->max_delete = c->cfg->max_delete;
	if (c->z != NULL) {
		o->serial_policy = c->z->serial_policy;
		o->max_journal_versions = c->z->max_journal_versions;
		o->max_delete = c->z->max_delete;
		if (c->z->source_replace)
			o->mode = STORE_REPLACE;
		if (c->z->dnssec_signing) {
			o->sign.policy = c->z->dnssec_policy;
			o->sign.keystore = c->cfg->dnssec_keystore;
		}
	}
	if (c->replace)
		o->mode = STORE_REPLACE;
	o->guard = !c->force && o->max_delete < 100;
	o->dry_run = c->dry_run;
	o->change_cb = c->change_cb;
	o->change_arg = c->change_arg;
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
	case HP_EMAXDELETE:
		return PUB_GUARD;
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
		if (res->r.held)
			snprintf(res->msg, sizeof(res->msg), "%s: held by "
			    "direct edits that do not validate (hpagent "
			    "publish %s names them; --discard drops them); "
			    "nothing changed", zone, zone);
		else
			snprintf(res->msg, sizeof(res->msg), "%s: not a valid "
			    "zone; nothing changed", zone);
		break;
	case HP_EMAXDELETE:
		res->max_delete = c->z != NULL ? c->z->max_delete :
		    c->cfg->max_delete;
		snprintf(res->msg, sizeof(res->msg), "%s: refused by "
		    "max-delete: the import would remove %llu of the zone's "
		    "%llu records (more than %u%%); nothing changed (--force, "
		    "or ?force=1 for the API, publishes it)", zone,
		    (unsigned long long)res->r.deleted,
		    (unsigned long long)res->r.records_before,
		    res->max_delete);
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
pub_catalog_refused(const struct pub_ctx *c, struct pub_result *res)
{
	if (c->z == NULL || !c->z->catalog_producer)
		return 0;
	snprintf(res->msg, sizeof(res->msg), "%s: a catalog zone (catalog: "
	    "producer): hpagent writes its records from the member zones "
	    "(zone add/delete, catalog-producer-zone:); it is not imported, "
	    "nor rolled back; nothing changed", c->z->name);
	res->err = HP_EINVALID;
	res->stage = PUB_VALID;
	return HP_EINVALID;
}

int
pub_import_text(const struct pub_ctx *c, const char *buf, size_t len,
    const char *label, const char *origin, struct pub_result *res)
{
	struct store_import_opts o;
	int r;

	if ((r = pub_catalog_refused(c, res)) < 0)
		return r;
	pub_import_opts(c, c->z->name, label, origin, &o);
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
pub_import_buffer(const struct pub_ctx *c, const char *buf, size_t len,
    const char *label, struct pub_result *res)
{
	return pub_import_text(c, buf, len, label, label, res);
}

int
pub_edits(const struct pub_ctx *c, const char *zone,
    struct store_import_result *res)
{
	struct store_import_opts o;

	pub_import_opts(c, zone, "sql", NULL, &o);
	return store_publish(c->st, &o, res);
}

int
pub_resign(const struct pub_ctx *c, const char *zone, int what,
    unsigned roll, struct store_import_result *res)
{
	struct store_import_opts o;

	pub_import_opts(c, zone, "dnssec", NULL, &o);
	if (o.sign.policy == NULL) {
		hp_problem(c->problem, c->problem_arg, NULL, 0, 0, "%s: "
		    "dnssec-signing: is not on for this zone", zone);
		return HP_EINVAL;
	}
	return store_dnssec_resign(c->st, &o, what, roll, res);
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
	case PUB_GUARD:
		return PUB_EXIT_GUARD;
	default:
		return 1;
	}
}
