/*
 * dnssec_view.c -- the signer's read-only view of a signed zone
 * (signer/zview.h) on the store's tables: the users' records in
 * `records`, their owners in canonical order in `dnssec_names`, the
 * generated records in `dnssec_records`. Every answer is one indexed
 * statement; the view reads inside the caller's transaction, so it sees
 * the zone as that transaction has it.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "signer/canon.h"
#include "signer/rrs.h"
#include "signer/zview.h"
#include "store/dnssec_int.h"
#include "store/store_int.h"

enum {
	Q_UAT, Q_GAT, Q_UNEXT, Q_UFIRST, Q_PREV, Q_NEXT, Q_FIRST, Q_LAST,
	Q_EXP, Q_KEY, Q_N
};

static const char *const view_sql[Q_N] = {
	[Q_UAT] = "SELECT owner, type, class, ttl, rdata FROM records WHERE "
	    "zone_id = ?1 AND owner = ?2",
	[Q_GAT] = "SELECT owner, type, class, ttl, rdata FROM dnssec_records "
	    "WHERE zone_id = ?1 AND canon = ?2 AND type = ?3",
	[Q_UNEXT] = "SELECT owner FROM dnssec_names WHERE zone_id = ?1 AND "
	    "canon > ?2 ORDER BY canon LIMIT 1",
	[Q_UFIRST] = "SELECT owner FROM dnssec_names WHERE zone_id = ?1 "
	    "ORDER BY canon LIMIT 1",
	[Q_PREV] = "SELECT owner FROM dnssec_records WHERE zone_id = ?1 AND "
	    "type = ?2 AND canon < ?3 ORDER BY canon DESC LIMIT 1",
	[Q_NEXT] = "SELECT owner FROM dnssec_records WHERE zone_id = ?1 AND "
	    "type = ?2 AND canon > ?3 ORDER BY canon LIMIT 1",
	[Q_FIRST] = "SELECT owner FROM dnssec_records WHERE zone_id = ?1 AND "
	    "type = ?2 ORDER BY canon LIMIT 1",
	[Q_LAST] = "SELECT owner FROM dnssec_records WHERE zone_id = ?1 AND "
	    "type = ?2 ORDER BY canon DESC LIMIT 1",
	[Q_EXP] = "SELECT owner, type, class, ttl, rdata FROM dnssec_records "
	    "WHERE zone_id = ?1 AND type = 46 AND expiration < ?2 "
	    "ORDER BY expiration LIMIT ?3",
	[Q_KEY] = "SELECT owner, type, class, ttl, rdata FROM dnssec_records "
	    "WHERE zone_id = ?1 AND type = 46 AND keytag = ?2 AND "
	    "algorithm = ?3 LIMIT ?4",
};

struct dnssec_view {
	struct store *st;
	int64_t zone_id;
	sqlite3_stmt *q[Q_N];
};

/* Prepare Q on first use, reset and bound to the zone. */
static sqlite3_stmt *
q_get(struct dnssec_view *v, int q)
{
	if (v->q[q] == NULL && store_prep(v->st, &v->q[q], view_sql[q]) < 0)
		return NULL;
	sqlite3_reset(v->q[q]);
	sqlite3_clear_bindings(v->q[q]);
	sqlite3_bind_int64(v->q[q], 1, v->zone_id);
	return v->q[q];
}

int
dnssec_owner_wire(const char *text, size_t len, uint8_t *out)
{
	char buf[DNAME_MAXSTR + 1];

	if (len >= sizeof(buf))
		return HP_EINVALID;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (dname_from_str(buf, out, NULL) < 0)
		return HP_EINVALID;
	dname_lower(out);
	return 0;
}

int
dnssec_rows(sqlite3_stmt *s, struct sign_rrs *out)
{
	uint8_t owner[DNAME_MAXLEN];
	char prev[DNAME_MAXSTR];
	const char *text;
	int rc, ret, len, plen = -1;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		text = (const char *)sqlite3_column_text(s, 0);
		len = sqlite3_column_bytes(s, 0);
		if (text == NULL || len >= (int)sizeof(prev))
			return HP_ESTORE;
		/* rows come by owner: each name converted once */
		if (len != plen || memcmp(prev, text, (size_t)len) != 0) {
			if (dnssec_owner_wire(text, (size_t)len, owner) < 0)
				return HP_ESTORE;
			memcpy(prev, text, (size_t)len);
			plen = len;
		}
		if ((ret = sign_rrs_add(out, owner,
		    (uint16_t)sqlite3_column_int(s, 1),
		    (uint16_t)sqlite3_column_int(s, 2),
		    (uint32_t)sqlite3_column_int64(s, 3),
		    sqlite3_column_blob(s, 4),
		    (size_t)sqlite3_column_bytes(s, 4))) < 0)
			return ret;
	}
	return rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

/* The first row's owner of S as a wire name into OUT, or HP_ENOENT. */
static int
one_owner(sqlite3_stmt *s, uint8_t *out)
{
	const char *text;
	int rc;

	if ((rc = sqlite3_step(s)) == SQLITE_DONE)
		return HP_ENOENT;
	if (rc != SQLITE_ROW)
		return store_sqlerr(rc);
	text = (const char *)sqlite3_column_text(s, 0);
	if (text == NULL)
		return HP_ESTORE;
	return dnssec_owner_wire(text, (size_t)sqlite3_column_bytes(s, 0),
	    out);
}

static int
v_unsigned_at(void *ctx, const uint8_t *owner, struct sign_rrs *out)
{
	struct dnssec_view *v = ctx;
	char text[DNAME_MAXSTR];
	sqlite3_stmt *s;

	if (dname_to_str(owner, text, sizeof(text)) < 0)
		return HP_EINVAL;
	if ((s = q_get(v, Q_UAT)) == NULL)
		return HP_ESTORE;
	sqlite3_bind_text(s, 2, text, -1, SQLITE_TRANSIENT);
	return dnssec_rows(s, out);
}

static int
v_signed_at(void *ctx, const uint8_t *owner, uint16_t type,
    struct sign_rrs *out)
{
	struct dnssec_view *v = ctx;
	uint8_t key[CANON_KEY_MAX];
	sqlite3_stmt *s;

	if ((s = q_get(v, Q_GAT)) == NULL)
		return HP_ESTORE;
	sqlite3_bind_blob(s, 2, key, (int)canon_key(owner, key),
	    SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 3, type);
	return dnssec_rows(s, out);
}

static int
v_unsigned_next(void *ctx, const uint8_t *name, uint8_t *out)
{
	struct dnssec_view *v = ctx;
	uint8_t key[CANON_KEY_MAX];
	sqlite3_stmt *s;

	if ((s = q_get(v, name == NULL ? Q_UFIRST : Q_UNEXT)) == NULL)
		return HP_ESTORE;
	if (name != NULL)
		sqlite3_bind_blob(s, 2, key, (int)canon_key(name, key),
		    SQLITE_TRANSIENT);
	return one_owner(s, out);
}

static int
v_chain_near(void *ctx, uint16_t type, const uint8_t *name, int dir,
    uint8_t *out)
{
	struct dnssec_view *v = ctx;
	uint8_t key[CANON_KEY_MAX];
	sqlite3_stmt *s;
	int q;

	if (type != SIGN_T_NSEC && type != SIGN_T_NSEC3)
		return HP_EINVAL;
	if (name == NULL)
		q = dir < 0 ? Q_LAST : Q_FIRST;
	else
		q = dir < 0 ? Q_PREV : Q_NEXT;
	if ((s = q_get(v, q)) == NULL)
		return HP_ESTORE;
	sqlite3_bind_int(s, 2, type);
	if (name != NULL)
		sqlite3_bind_blob(s, 3, key, (int)canon_key(name, key),
		    SQLITE_TRANSIENT);
	return one_owner(s, out);
}

static int
v_rrsigs_expiring(void *ctx, int64_t before, size_t max,
    struct sign_rrs *out)
{
	struct dnssec_view *v = ctx;
	sqlite3_stmt *s;

	if ((s = q_get(v, Q_EXP)) == NULL)
		return HP_ESTORE;
	sqlite3_bind_int64(s, 2, before);
	sqlite3_bind_int64(s, 3, max > INT64_MAX ? INT64_MAX : (int64_t)max);
	return dnssec_rows(s, out);
}

static int
v_rrsigs_by_key(void *ctx, uint16_t tag, uint8_t alg, size_t max,
    struct sign_rrs *out)
{
	struct dnssec_view *v = ctx;
	sqlite3_stmt *s;

	if ((s = q_get(v, Q_KEY)) == NULL)
		return HP_ESTORE;
	sqlite3_bind_int(s, 2, tag);
	sqlite3_bind_int(s, 3, alg);
	sqlite3_bind_int64(s, 4, max > INT64_MAX ? INT64_MAX : (int64_t)max);
	return dnssec_rows(s, out);
}

static const struct zview_ops view_ops = {
	.unsigned_at = v_unsigned_at,
	.signed_at = v_signed_at,
	.unsigned_next = v_unsigned_next,
	.chain_near = v_chain_near,
	.rrsigs_expiring = v_rrsigs_expiring,
	.rrsigs_by_key = v_rrsigs_by_key,
};

int
dnssec_view_new(struct store *st, int64_t zone_id, struct dnssec_view **out)
{
	struct dnssec_view *v;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return HP_ENOMEM;
	v->st = st;
	v->zone_id = zone_id;
	*out = v;
	return 0;
}

struct zview
dnssec_view_zview(struct dnssec_view *v)
{
	struct zview z = { .ops = &view_ops, .ctx = v };

	return z;
}

void
dnssec_view_free(struct dnssec_view *v)
{
	int i;

	if (v == NULL)
		return;
	for (i = 0; i < Q_N; i++)
		sqlite3_finalize(v->q[i]);
	free(v);
}
