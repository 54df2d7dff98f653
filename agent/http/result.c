/*
 * result.c -- the documents a publish or a rollback is answered with:
 * what changed and who was notified; or why it failed, with the HTTP
 * status of its stage.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "agent/conf/conf.h"
#include "agent/http/api_int.h"
#include "agent/http/json.h"
#include "dns/err.h"

/* The notify: targets of Z (each entry once), as the answer lists them. */
static json_t *
notified(const struct conf_zone *z, int changed)
{
	json_t *a = json_array();
	int i;

	for (i = 0; a != NULL && changed && i < z->ntargets; i++)
		if (z->targets[i].first && json_array_append_new(a,
		    json_string(z->targets[i].label)) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

json_t *
api_result_doc(const struct conf_zone *z, const struct pub_result *res)
{
	const struct store_import_result *r = &res->r;
	json_t *doc;

	doc = json_pack("{s:s, s:I, s:I, s:b}", "zone", z->name, "old_serial",
	    (json_int_t)(r->changed ? r->old_serial : r->new_serial),
	    "new_serial", (json_int_t)r->new_serial, "changed", r->changed);
	if (doc != NULL && res->not_modified &&
	    json_object_set_new(doc, "not_modified", json_true()) < 0)
		goto fail;
	if (doc != NULL && (json_object_set_new(doc, "added",
	    json_integer((json_int_t)r->added)) < 0 ||
	    json_object_set_new(doc, "removed",
	    json_integer((json_int_t)r->removed)) < 0 ||
	    json_object_set_new(doc, "records",
	    json_integer((json_int_t)r->records)) < 0 ||
	    json_object_set_new(doc, "conflicts",
	    json_integer((json_int_t)r->conflicts)) < 0 ||
	    json_object_set_new(doc, "notified", notified(z, r->changed)) < 0))
		goto fail;
	return doc;
fail:
	json_decref(doc);
	return NULL;
}

int
api_error_doc(const struct pub_result *res, json_t *problems,
    json_t **out)
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
	case PUB_GUARD:
		status = 409;	/* max-delete: the state of the zone */
		break;
	case PUB_STORE:
		status = res->err == HP_EBUSY ? 503 : 500;
		break;
	default:
		status = res->err == HP_ENOJOURNAL || res->err == HP_ENOENT ?
		    404 : 500;
	}
	*out = hjson_error(res->msg);
	if (*out != NULL && problems != NULL && json_array_size(problems) >
	    0 && json_object_set(*out, "problems", problems) < 0) {
		json_decref(*out);
		*out = NULL;
	}
	/* the counts of a refusal by max-delete; the zone held */
	if (*out != NULL && res->stage == PUB_GUARD &&
	    (json_object_set_new(*out, "removed",
	    json_integer((json_int_t)res->r.deleted)) < 0 ||
	    json_object_set_new(*out, "records",
	    json_integer((json_int_t)res->r.records_before)) < 0 ||
	    json_object_set_new(*out, "max_delete",
	    json_integer((json_int_t)res->max_delete)) < 0)) {
		json_decref(*out);
		*out = NULL;
	}
	if (*out != NULL && res->r.held &&
	    json_object_set_new(*out, "held", json_true()) < 0) {
		json_decref(*out);
		*out = NULL;
	}
	hp_metrics.publish_failures++;
	return status;
}
