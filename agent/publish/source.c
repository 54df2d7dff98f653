/*
 * source.c -- a zone's source: a file path imported directly, or a URL
 * fetched (fetch.c, libcurl) on the condition of the validators the last
 * successful fetch left in the table sources; "not modified" does nothing.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/conf/conf.h"
#include "agent/publish/fetch.h"
#include "agent/publish/publish.h"
#include "agent/publish/publish_int.h"
#include "dns/err.h"

int
pub_import_fetched(const struct pub_ctx *c, const char *url,
    const char *label, struct fetch_result *fr, int fetch_ret,
    struct pub_result *res)
{
	const char *zone = c->z->name;
	struct store_zone_info zi;
	char id[FETCH_SOURCE_ID_MAX];
	int r;

	/* The source is known (sources, source_content, versions.origin) by
	 * its id: the URL redacted, and a digest of the whole of it. */
	fetch_source_id(zone, url, id, sizeof(id));

	if ((r = pub_catalog_refused(c, res)) < 0)
		return r;
	if (fetch_ret < 0 || fr->status == FETCH_ERROR) {
		snprintf(res->msg, sizeof(res->msg), "%s: %s", zone,
		    fr->errmsg);
		res->err = fetch_ret < 0 ? fetch_ret : HP_EFETCH;
		res->stage = PUB_FETCH;
		return res->err;
	}
	if (fr->status == FETCH_NOT_MODIFIED) {
		res->not_modified = 1;
		if (store_zone_info(c->st, zone, &zi) == 0) {
			res->r.old_serial = res->r.new_serial = zi.serial;
			res->r.records = zi.records;
			res->r.zone_id = zi.id;
			res->r.version_id = zi.version_id;
		}
		(void)store_source_set(c->st, zone, id, fr->etag,
		    fr->last_modified, 0);
		return 0;
	}
	if ((r = pub_import_text(c, fr->body, fr->len, label, id, res)) < 0)
		return r;
	if (c->dry_run)
		return 0;	/* nothing kept: the next run fetches in full */
	/* Kept only once the content is in: a failed import fetches anew. */
	if ((r = store_source_set(c->st, zone, id, fr->etag,
	    fr->last_modified, 1)) < 0)
		hp_problem(c->problem, c->problem_arg, NULL, 0, 0, "hpagent: "
		    "%s: cannot keep the source's validators: %s", zone,
		    hp_strerror(r));
	return 0;
}

int
pub_import_origin(const struct pub_ctx *c, const char *origin,
    const char *label, struct pub_result *res)
{
	const char *zone = c->z->name;
	struct store_import_opts o;
	struct fetch_opts fo;
	struct fetch_result fr;
	char *etag = NULL, *lm = NULL, *real, id[FETCH_SOURCE_ID_MAX];
	int r;

	memset(res, 0, sizeof(*res));
	if ((r = pub_catalog_refused(c, res)) < 0)
		return r;
	if (!pub_is_url(origin)) {
		/* the file is remembered by its real path, however named */
		if ((real = realpath(origin, NULL)) == NULL)
			real = strdup(origin);
		if (real == NULL)
			return pub_failed(c, res, HP_ENOMEM);
		pub_import_opts(c, zone, label ? label : "file", real, &o);
		r = store_import_file(c->st, origin, &o, &res->r);
		free(real);
		if (r < 0) {
			if (pub_stage_of(r) == PUB_FETCH)
				snprintf(res->msg, sizeof(res->msg), "%s: %s: "
				    "%s", zone, origin, hp_strerror(r));
			return pub_failed(c, res, r);
		}
		return 0;
	}
	pub_fetch_opts(c->cfg, &fo);
	/* a dry run shows what the source holds: no conditional request */
	if (!c->dry_run)
		(void)store_source_get(c->st, zone, fetch_source_id(zone,
		    origin, id, sizeof(id)), &etag, &lm);
	fo.etag = etag;
	fo.last_modified = lm;
	memset(&fr, 0, sizeof(fr));
	r = fetch_source(origin, &fo, &fr);
	r = pub_import_fetched(c, origin, label ? label : "fetch", &fr, r, res);
	fetch_result_free(&fr);
	free(etag);
	free(lm);
	return r;
}
