/*
 * pub.c -- publishing pipelines: sources, imports, rollback (see pub.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libknot/libknot.h>

#include "agent/conf/conf.h"
#include "agent/publish/fetch.h"
#include "agent/publish/publish.h"
#include "dns/err.h"

int
pub_is_url(const char *s)
{
	return s != NULL && strstr(s, "://") != NULL;
}

void
pub_import_opts(const struct hp_config *cfg, const struct hp_zone *z,
    const char *zone, const char *source, FILE *errs,
    struct store_import_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->zone = zone;
	o->source = source;
	o->errs = errs;
	o->max_size = cfg->max_zone_size;
	if (z != NULL) {
		o->serial_policy = (int)z->serial_policy;
		o->max_journal_versions = z->max_journal_versions;
	}
	if (o->max_journal_versions == 0)
		o->max_journal_versions = cfg->max_journal_versions;
}

void
pub_fetch_opts(const struct hp_config *cfg, struct fetch_opts *o)
{
	fetch_opts_init(o);
	o->ca_file = cfg->ca_file;
	o->max_size = cfg->max_zone_size;
	o->connect_timeout_ms = 10000;
	o->timeout_ms = 120000;
	o->max_redirects = 5;
}

static enum pub_stage
stage_of(int err)
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

static int
failed(struct store *st, struct pub_result *res, const char *zone, int err)
{
	res->err = err;
	res->stage = stage_of(err);
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
		    zone, st != NULL ? store_errmsg(st) : "database error");
		break;
	default:
		if (res->msg[0] == '\0')
			snprintf(res->msg, sizeof(res->msg), "%s: %s", zone,
			    hp_strerror(err));
	}
	return err;
}

static const char *
zname(const struct hp_zone *z)
{
	return z->name;
}

int
pub_import_buffer(struct store *st, const struct hp_config *cfg,
    const struct hp_zone *z, const char *buf, size_t len,
    const char *label, FILE *errs, struct pub_result *res)
{
	struct store_import_opts o;
	int r;

	pub_import_opts(cfg, z, zname(z), label, errs, &o);
	o.filename = label;
	if ((r = store_import_buffer(st, buf, len, &o, &res->r)) < 0) {
		if (r == HP_ETOOBIG)
			snprintf(res->msg, sizeof(res->msg), "%s: zone text "
			    "exceeds max-zone-size", zname(z));
		return failed(st, res, zname(z), r);
	}
	return 0;
}

int
pub_import_fetched(struct store *st, const struct hp_config *cfg,
    const struct hp_zone *z, const char *url, const char *label,
    struct fetch_result *fr, int fetch_ret, FILE *errs,
    struct pub_result *res)
{
	struct store_zone_info zi;
	int r;

	if (fetch_ret < 0 || fr->status == FETCH_ERROR) {
		snprintf(res->msg, sizeof(res->msg), "%s: %s", zname(z),
		    fr->errmsg);
		res->err = fetch_ret < 0 ? fetch_ret : HP_EFETCH;
		res->stage = PUB_FETCH;
		return res->err;
	}
	if (fr->status == FETCH_NOT_MODIFIED) {
		res->not_modified = 1;
		if (store_zone_info(st, zname(z), &zi) == 0) {
			res->r.old_serial = res->r.new_serial = zi.serial;
			res->r.records = zi.records;
			res->r.zone_id = zi.id;
			res->r.version_id = zi.version_id;
		}
		(void)store_source_set(st, zname(z), url, fr->etag,
		    fr->last_modified, 0);
		return 0;
	}
	if ((r = pub_import_buffer(st, cfg, z, fr->body, fr->len, label,
	    errs, res)) < 0)
		return r;
	/* Kept only once the content is in: a failed import fetches anew. */
	if ((r = store_source_set(st, zname(z), url, fr->etag,
	    fr->last_modified, 1)) < 0 && errs != NULL)
		fprintf(errs, "hpagent: %s: cannot keep the source's "
		    "validators: %s\n", zname(z), hp_strerror(r));
	return 0;
}

int
pub_import_origin(struct store *st, const struct hp_config *cfg,
    const struct hp_zone *z, const char *origin, const char *label,
    FILE *errs, struct pub_result *res)
{
	struct store_import_opts o;
	struct fetch_opts fo;
	struct fetch_result fr;
	char *etag = NULL, *lm = NULL;
	int r;

	memset(res, 0, sizeof(*res));
	if (!pub_is_url(origin)) {
		pub_import_opts(cfg, z, zname(z), label ? label : "file",
		    errs, &o);
		if ((r = store_import_file(st, origin, &o, &res->r)) < 0) {
			if (stage_of(r) == PUB_FETCH)
				snprintf(res->msg, sizeof(res->msg), "%s: %s: "
				    "%s", zname(z), origin, hp_strerror(r));
			return failed(st, res, zname(z), r);
		}
		return 0;
	}
	pub_fetch_opts(cfg, &fo);
	(void)store_source_get(st, zname(z), origin, &etag, &lm);
	fo.etag = etag;
	fo.last_modified = lm;
	memset(&fr, 0, sizeof(fr));
	r = fetch_source(origin, &fo, &fr);
	r = pub_import_fetched(st, cfg, z, origin, label ? label : "fetch",
	    &fr, r, errs, res);
	fetch_result_free(&fr);
	free(etag);
	free(lm);
	return r;
}

/* ---- rendering a version as zone text ---------------------------------- */

struct render {
	FILE *f;
	char *buf;
	size_t len;
};

static int
render_rr(const struct store_rr *rr, void *arg)
{
	struct render *rd = arg;
	knot_dump_style_t style = KNOT_DUMP_STYLE_DEFAULT;
	knot_rrset_t rrset;
	uint8_t owner[KNOT_DNAME_MAXLEN];
	int ret;

	style.wrap = false;
	style.show_class = true;
	style.show_ttl = true;
	style.human_ttl = false;
	style.original_ttl = false;
	style.generic = false;
	style.hide_crypto = false;
	style.color = NULL;
	style.ascii_to_idn = NULL;
	if (knot_dname_from_str(owner, rr->owner, sizeof(owner)) == NULL)
		return HP_EMALF;
	knot_rrset_init(&rrset, owner, rr->type, rr->rclass, rr->ttl);
	if (knot_rrset_add_rdata(&rrset, rr->rdata, rr->rdlen, NULL) !=
	    KNOT_EOK)
		return HP_ENOMEM;
	ret = knot_rrset_txt_dump(&rrset, &rd->buf, &rd->len, &style);
	knot_rdataset_clear(&rrset.rrs, NULL);
	if (ret < 0)
		return HP_EMALF;
	fputs(rd->buf, rd->f);
	return 0;
}

int
pub_render(struct store *st, int64_t zone_id, int current, uint32_t serial,
    char **out, size_t *len)
{
	struct render rd = { 0 };
	int r;

	*out = NULL;
	*len = 0;
	if ((rd.buf = malloc(4096)) == NULL)
		return HP_ENOMEM;
	rd.len = 4096;
	if ((rd.f = open_memstream(out, len)) == NULL) {
		free(rd.buf);
		return HP_ENOMEM;
	}
	if ((r = store_snapshot_begin(st)) == 0) {
		r = current ? store_foreach_rr(st, zone_id, render_rr, &rd) :
		    store_foreach_rr_at(st, zone_id, serial, render_rr, &rd);
		store_snapshot_end(st);
	}
	if (fclose(rd.f) != 0 && r == 0)
		r = HP_ENOMEM;
	free(rd.buf);
	if (r < 0) {
		free(*out);
		*out = NULL;
		*len = 0;
	}
	return r;
}

int
pub_rollback(struct store *st, const struct hp_config *cfg,
    const struct hp_zone *z, uint32_t serial, FILE *errs,
    struct pub_result *res)
{
	struct store_zone_info zi;
	char *text;
	size_t len;
	int r;

	memset(res, 0, sizeof(*res));
	if ((r = store_zone_info(st, zname(z), &zi)) < 0) {
		if (r == HP_ENOENT)
			snprintf(res->msg, sizeof(res->msg), "%s: not in the "
			    "store", zname(z));
		r = failed(st, res, zname(z), r);
		res->stage = r == HP_ENOENT ? PUB_OTHER : res->stage;
		return r;
	}
	if ((r = pub_render(st, zi.id, 0, serial, &text, &len)) < 0) {
		if (r == HP_ENOJOURNAL)
			snprintf(res->msg, sizeof(res->msg), "%s: serial %u is "
			    "not stored (no such version, or pruned)",
			    zname(z), serial);
		r = failed(st, res, zname(z), r);
		return r;
	}
	r = pub_import_buffer(st, cfg, z, text, len, "rollback", errs, res);
	free(text);
	return r;
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
