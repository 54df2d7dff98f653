/*
 * rollback.c -- a stored version published again, as a new version with
 * source "rollback", straight from its rows (store_republish): no zone
 * text is rendered or parsed on the way.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "agent/conf/conf.h"
#include "agent/publish/publish.h"
#include "agent/publish/publish_int.h"
#include "dns/err.h"

int
pub_rollback(const struct pub_ctx *c, uint32_t serial, struct pub_result *res)
{
	struct store_import_opts o;
	int r;

	memset(res, 0, sizeof(*res));
	/* no source: the stored version replaces the zone; every source
	 * remembers it as another channel's change */
	pub_import_opts(c, c->z->name, "rollback", NULL, &o);
	o.mode = STORE_REPLACE;
	o.guard = 0;
	o.filename = "rollback";
	if ((r = store_republish(c->st, serial, &o, &res->r)) == 0)
		return 0;
	if (r == HP_ENOENT)
		snprintf(res->msg, sizeof(res->msg), "%s: not in the store",
		    c->z->name);
	else if (r == HP_ENOJOURNAL)
		snprintf(res->msg, sizeof(res->msg), "%s: serial %u is not "
		    "stored (no such version, or pruned)", c->z->name, serial);
	r = pub_failed(c, res, r);
	if (r == HP_ENOENT)
		res->stage = PUB_OTHER;
	return r;
}
