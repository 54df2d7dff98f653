/*
 * update.c -- an RFC 2136 UPDATE applied to a zone in one BEGIN IMMEDIATE
 * transaction, all or nothing: the prerequisites (3.2) read on the rows,
 * the updates (3.4.2) applied in order to the RRs of the names they touch
 * (read into memory once), the net change validated as every other way in
 * is (store_check_rr per added RR, check_change on the touched owners),
 * and written as one version (source "ddns", the key's name as its
 * origin): records delta, journal, serial bumped by the zone's policy,
 * and every source's memory told (src_follow), so that the records stay
 * when a file or URL import of the zone runs.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libknot/libknot.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/serial.h"
#include "dns/update.h"
#include "dns/wire.h"
#include "signer/policy.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/zset.h"

#define say(o, ...) \
	hp_problem((o)->problem, (o)->problem_arg, NULL, 0, 0, __VA_ARGS__)

/* One RR at a touched name: as the zone had it (ORIG) and as the updates
 * so far leave it (LIVE, TTL). */
struct urr {
	size_t name;		/* index into unames */
	uint16_t type;
	uint32_t ttl, orig_ttl;
	int orig, live;
	uint8_t *rdata;
	uint16_t rdlen;
};

struct uname {
	char text[DNAME_MAXSTR];
	size_t len;
	int apex;
};

struct uctx {
	struct store *st;
	const struct store_update_opts *o;
	const struct upd_msg *u;
	int64_t zone_id;
	char apex[DNAME_MAXSTR];
	struct uname *names;
	size_t nnames, capnames;
	struct urr *rrs;
	size_t nrrs, caprrs;
	int soa_changed;
	uint8_t soa[STORE_SOA_MAX];	/* the SOA as the updates leave it */
	uint16_t soalen;
	uint32_t soattl;
	unsigned ignored;
	struct held_note held;	/* pending edits that do not validate: */
	int held_found;		/* found so by this update */
	int held_zone;		/* the zone is held by them */
};

/* A wire name as the store keeps owners (libknot's presentation form). */
static int
u_text(const uint8_t *wire, char *out, size_t len)
{
	return knot_dname_to_str(out, wire, len) != NULL ? 0 : HP_EMALF;
}

static int
u_name(struct uctx *c, const uint8_t *wire, size_t *idx)
{
	char text[DNAME_MAXSTR];
	struct uname *n;
	size_t i;

	if (u_text(wire, text, sizeof(text)) < 0)
		return HP_EMALF;
	for (i = 0; i < c->nnames; i++)
		if (strcmp(c->names[i].text, text) == 0) {
			*idx = i;
			return 0;
		}
	if (c->nnames == c->capnames) {
		size_t cap = c->capnames ? c->capnames * 2 : 8;

		if ((n = realloc(c->names, cap * sizeof(*n))) == NULL)
			return HP_ENOMEM;
		c->names = n;
		c->capnames = cap;
	}
	n = &c->names[c->nnames];
	memcpy(n->text, text, strlen(text) + 1);
	n->len = strlen(text);
	n->apex = strcmp(text, c->apex) == 0;
	*idx = c->nnames++;
	return 1;
}

static int
u_push(struct uctx *c, size_t name, uint16_t type, uint32_t ttl,
    const uint8_t *rd, size_t rdlen, int orig)
{
	struct urr *r;

	if (c->nrrs == c->caprrs) {
		size_t cap = c->caprrs ? c->caprrs * 2 : 16;

		if ((r = realloc(c->rrs, cap * sizeof(*r))) == NULL)
			return HP_ENOMEM;
		c->rrs = r;
		c->caprrs = cap;
	}
	r = &c->rrs[c->nrrs];
	memset(r, 0, sizeof(*r));
	if ((r->rdata = malloc(rdlen ? rdlen : 1)) == NULL)
		return HP_ENOMEM;
	if (rdlen > 0)
		memcpy(r->rdata, rd, rdlen);
	r->rdlen = (uint16_t)rdlen;
	r->name = name;
	r->type = type;
	r->ttl = r->orig_ttl = ttl;
	r->orig = orig;
	r->live = 1;
	c->nrrs++;
	return 0;
}

/* The rows at name IDX, read once into memory. */
static int
u_load(struct uctx *c, size_t idx)
{
	sqlite3_stmt *s;
	int rc, ret;

	if ((ret = store_prep(c->st, &s, "SELECT type, ttl, rdata FROM records "
	    "WHERE zone_id = ? AND owner = ? AND class = 1")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, c->zone_id);
	sqlite3_bind_text(s, 2, c->names[idx].text, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((ret = u_push(c, idx, (uint16_t)sqlite3_column_int(s, 0),
		    (uint32_t)sqlite3_column_int64(s, 1),
		    sqlite3_column_blob(s, 2), (size_t)sqlite3_column_bytes(s,
		    2), 1)) < 0)
			break;
	sqlite3_finalize(s);
	if (ret < 0)
		return ret;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

/* The rdata of R in U (NULL when empty: U's arena may be NULL). */
static const uint8_t *
u_rd(const struct upd_msg *u, const struct upd_rr *r)
{
	return r->rdlen > 0 ? UPD_RDATA(u, r) : NULL;
}

/* 1 when rdata A (ALEN octets) and B (BLEN) are the same. */
static int
u_same(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* ---- prerequisites (RFC 2136 3.2) ----------------------------------- */

/* How many rows at OWNER (of TYPE, unless 0) the zone has, up to 1. */
static int
u_exists(struct uctx *c, const char *owner, uint16_t type)
{
	sqlite3_stmt *s;
	int rc, ret;

	if ((ret = store_prep(c->st, &s, type != 0 ? "SELECT 1 FROM records "
	    "WHERE zone_id = ? AND owner = ? AND type = ? LIMIT 1" :
	    "SELECT 1 FROM records WHERE zone_id = ? AND owner = ? LIMIT 1"))
	    < 0)
		return ret;
	sqlite3_bind_int64(s, 1, c->zone_id);
	sqlite3_bind_text(s, 2, owner, -1, SQLITE_STATIC);
	if (type != 0)
		sqlite3_bind_int(s, 3, type);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

/* 1 when a value-dependent prerequisite of U among the first N has the
 * owner and type of P and rdata RD (LEN octets). */
static int
u_pre_has(const struct upd_msg *u, size_t n, const struct upd_rr *p,
    const void *rd, size_t len)
{
	const struct upd_rr *q;
	size_t k;

	for (k = 0; k < n; k++) {
		q = &u->rr[k];
		if (q->op == UPD_PRE_YXRRSET_VAL && q->type == p->type &&
		    dname_equal(q->owner, p->owner) &&
		    u_same(u_rd(u, q), q->rdlen, rd, len))
			return 1;
	}
	return 0;
}

/* 1 when the prerequisite RRs (value dependent) with the owner and type
 * of the I-th equal the zone's RRset (3.2.3: TTLs aside). */
static int
u_rrset_equal(struct uctx *c, size_t i, const char *owner)
{
	const struct upd_msg *u = c->u;
	const struct upd_rr *p = &u->rr[i], *q;
	sqlite3_stmt *s;
	size_t k, want = 0, have = 0;
	int rc, ret;

	/* the distinct RRs of the set in the message */
	for (k = 0; k < u->npre; k++) {
		q = &u->rr[k];
		if (q->op == UPD_PRE_YXRRSET_VAL && q->type == p->type &&
		    dname_equal(q->owner, p->owner) &&
		    !u_pre_has(u, k, q, u_rd(u, q), q->rdlen))
			want++;
	}
	if ((ret = store_prep(c->st, &s, "SELECT rdata FROM records WHERE "
	    "zone_id = ? AND owner = ? AND type = ?")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, c->zone_id);
	sqlite3_bind_text(s, 2, owner, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, p->type);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		have++;
		if (!u_pre_has(u, u->npre, p, sqlite3_column_blob(s, 0),
		    (size_t)sqlite3_column_bytes(s, 0))) {
			sqlite3_finalize(s);
			return 0;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(rc);
	return have == want;
}

/* The prerequisites in order: 0 and *RCODE NOERROR when they hold. */
static int
u_prereqs(struct uctx *c, uint8_t *rcode)
{
	const struct upd_msg *u = c->u;
	const struct upd_rr *p;
	char owner[DNAME_MAXSTR];
	size_t i;
	int r;

	for (i = 0; i < u->npre; i++) {
		p = &u->rr[i];
		if (u_text(p->owner, owner, sizeof(owner)) < 0) {
			*rcode = WIRE_RCODE_FORMERR;
			return 0;
		}
		switch (p->op) {
		case UPD_PRE_YXDOMAIN:
		case UPD_PRE_NXDOMAIN:
			if ((r = u_exists(c, owner, 0)) < 0)
				return r;
			if (r != (p->op == UPD_PRE_YXDOMAIN)) {
				*rcode = r ? WIRE_RCODE_YXDOMAIN :
				    WIRE_RCODE_NXDOMAIN;
				goto failed;
			}
			break;
		case UPD_PRE_YXRRSET:
		case UPD_PRE_NXRRSET:
			if ((r = u_exists(c, owner, p->type)) < 0)
				return r;
			if (r != (p->op == UPD_PRE_YXRRSET)) {
				*rcode = r ? WIRE_RCODE_YXRRSET :
				    WIRE_RCODE_NXRRSET;
				goto failed;
			}
			break;
		case UPD_PRE_YXRRSET_VAL:
			if ((r = u_rrset_equal(c, i, owner)) < 0)
				return r;
			if (!r) {
				*rcode = WIRE_RCODE_NXRRSET;
				goto failed;
			}
			break;
		default:
			break;
		}
	}
	*rcode = WIRE_RCODE_NOERROR;
	return 0;
failed:
	say(c->o, "%s: %s %s failed", c->apex, upd_op_name(p->op), owner);
	return 0;
}

/* ---- updates (RFC 2136 3.4.2) --------------------------------------- */

static int
u_data_type(uint16_t t)
{
	return t != WIRE_TYPE_CNAME && t != WIRE_TYPE_RRSIG &&
	    t != WIRE_TYPE_NSEC;
}

/* Live RRs at NAME of TYPE (0: any), and whether one is a CNAME / other
 * data. */
static size_t
u_count(const struct uctx *c, size_t name, uint16_t type, int *cname,
    int *other)
{
	size_t i, n = 0;

	*cname = *other = 0;
	for (i = 0; i < c->nrrs; i++) {
		const struct urr *r = &c->rrs[i];

		if (!r->live || r->name != name)
			continue;
		if (type == 0 || r->type == type)
			n++;
		if (r->type == WIRE_TYPE_CNAME)
			*cname = 1;
		else if (u_data_type(r->type))
			*other = 1;
	}
	return n;
}

static void
u_ignore(struct uctx *c, const char *owner, const char *why)
{
	c->ignored++;
	say(c->o, "warning: %s: %s ignored (RFC 2136 3.4.2)", owner, why);
}

static int
u_add(struct uctx *c, const struct upd_rr *p, size_t name, const char *owner)
{
	const struct upd_msg *u = c->u;
	const uint8_t *rd = u_rd(u, p);
	uint32_t have, want;
	int cname, other;
	size_t i;
	struct urr *r;

	if (p->type == WIRE_TYPE_SOA) {
		if (!c->names[name].apex) {
			u_ignore(c, owner, "an SOA not at the apex");
			return 0;
		}
		if (rd == NULL || p->rdlen > sizeof(c->soa) ||
		    serial_soa_get(c->soa, c->soalen, &have) < 0 ||
		    serial_soa_get(rd, p->rdlen, &want) < 0) {
			say(c->o, "%s: malformed SOA rdata", owner);
			return HP_EINVALID;
		}
		if (serial_cmp(want, have) <= 0) {
			u_ignore(c, owner, "an SOA whose serial is not ahead");
			return 0;
		}
		memcpy(c->soa, rd, p->rdlen);
		c->soalen = p->rdlen;
		c->soattl = p->ttl;
		c->soa_changed = 1;
		return 0;
	}
	(void)u_count(c, name, 0, &cname, &other);
	if (p->type == WIRE_TYPE_CNAME && other) {
		u_ignore(c, owner, "a CNAME beside other data");
		return 0;
	}
	if (u_data_type(p->type) && cname) {
		u_ignore(c, owner, "data beside a CNAME");
		return 0;
	}
	/* one CNAME: the new one replaces it */
	if (p->type == WIRE_TYPE_CNAME)
		for (i = 0; i < c->nrrs; i++)
			if (c->rrs[i].name == name &&
			    c->rrs[i].type == WIRE_TYPE_CNAME)
				c->rrs[i].live = 0;
	/* RFC 2181 5.2: one TTL per RRset, the one just given */
	for (i = 0; i < c->nrrs; i++) {
		r = &c->rrs[i];
		if (r->live && r->name == name && r->type == p->type)
			r->ttl = p->ttl;
	}
	for (i = 0; i < c->nrrs; i++) {
		r = &c->rrs[i];
		if (r->name == name && r->type == p->type &&
		    u_same(r->rdata, r->rdlen, rd, p->rdlen)) {
			r->live = 1;	/* the same RR: replaced */
			r->ttl = p->ttl;
			return 0;
		}
	}
	return u_push(c, name, p->type, p->ttl, rd, p->rdlen, 0);
}

static void
u_delete(struct uctx *c, const struct upd_rr *p, size_t name,
    const char *owner)
{
	const struct upd_msg *u = c->u;
	int apex = c->names[name].apex, cname, other;
	size_t i;
	struct urr *r;

	if (p->op == UPD_DEL_RRSET && apex && (p->type == WIRE_TYPE_SOA ||
	    p->type == WIRE_TYPE_NS)) {
		u_ignore(c, owner, "deleting the apex SOA or NS RRset");
		return;
	}
	if (p->op == UPD_DEL_RR && p->type == WIRE_TYPE_SOA) {
		u_ignore(c, owner, "deleting the SOA");
		return;
	}
	for (i = 0; i < c->nrrs; i++) {
		r = &c->rrs[i];
		if (!r->live || r->name != name)
			continue;
		switch (p->op) {
		case UPD_DEL_NAME:
			if (apex && (r->type == WIRE_TYPE_SOA ||
			    r->type == WIRE_TYPE_NS))
				continue;
			break;
		case UPD_DEL_RRSET:
			if (r->type != p->type)
				continue;
			break;
		default:	/* UPD_DEL_RR */
			if (r->type != p->type || !u_same(r->rdata, r->rdlen,
			    u_rd(u, p), p->rdlen))
				continue;
			if (apex && r->type == WIRE_TYPE_NS &&
			    u_count(c, name, WIRE_TYPE_NS, &cname, &other) ==
			    1) {
				u_ignore(c, owner, "deleting the last apex NS");
				continue;
			}
			break;
		}
		r->live = 0;
	}
}

static int
u_apply(struct uctx *c)
{
	const struct upd_msg *u = c->u;
	const struct upd_rr *p;
	char owner[DNAME_MAXSTR];
	size_t i, name;
	int r;

	for (i = u->npre; i < u->npre + u->nupd; i++) {
		p = &u->rr[i];
		if ((r = u_name(c, p->owner, &name)) < 0)
			return r;
		if (r == 1 && (r = u_load(c, name)) < 0)
			return r;
		memcpy(owner, c->names[name].text, c->names[name].len + 1);
		if (p->op == UPD_ADD) {
			if ((r = u_add(c, p, name, owner)) < 0)
				return r;
		} else
			u_delete(c, p, name, owner);
	}
	return 0;
}

/* ---- the change ----------------------------------------------------- */

/* The net change into RM and AD (the SOA aside: the caller's), each added
 * RR checked by the validator. */
static int
u_diff(struct uctx *c, struct zset *rm, struct zset *ad)
{
	char why[256];
	struct uname *n;
	struct urr *r;
	size_t i;
	int ret;

	for (i = 0; i < c->nrrs; i++) {
		r = &c->rrs[i];
		n = &c->names[r->name];
		if (r->type == WIRE_TYPE_SOA && n->apex)
			continue;
		if (r->orig && (!r->live || r->ttl != r->orig_ttl) &&
		    (ret = zset_add(rm, n->text, n->len, r->type, 1,
		    r->orig_ttl, r->rdata, r->rdlen, 0, 0)) < 0)
			return ret;
		if (!r->live || (r->orig && r->ttl == r->orig_ttl))
			continue;
		/* a signed zone: what the signer makes is not taken as input,
		 * and no TTL may outlast what its rollovers wait for */
		if (c->o->sign.policy != NULL &&
		    (store_dnssec_type_name(r->type) != NULL ||
		    r->ttl > c->o->sign.policy->zone_max_ttl)) {
			say(c->o, "%s %s: %s", n->text,
			    store_dnssec_type_name(r->type) != NULL ?
			    store_dnssec_type_name(r->type) : "TTL",
			    store_dnssec_type_name(r->type) != NULL ?
			    "DNSSEC records are made by hpagent's signer for "
			    "a signed zone; refused" : "above the zone-max-ttl "
			    "of the zone's dnssec-policy; refused");
			return HP_EACCES;
		}
		if (store_check_rr(c->apex, n->text, n->len, r->type, 1,
		    r->ttl, r->rdata, r->rdlen, why, sizeof(why)) < 0) {
			say(c->o, "%s: %s", n->text, why);
			return HP_EINVALID;
		}
		if ((ret = zset_add(ad, n->text, n->len, r->type, 1, r->ttl,
		    r->rdata, r->rdlen, 0, 0)) < 0)
			return ret;
	}
	return 0;
}

/* Write the change (RM, AD) as a version, inside the transaction; the
 * zone rules checked on the rows as they now stand. */
static int
u_write(struct uctx *c, const struct zrow *zr, struct zset *rm,
    struct zset *ad, const struct store_soa *cur,
    struct store_import_result *res)
{
	const struct store_update_opts *o = c->o;
	struct vnames touched = { 0 };
	struct change ch;
	uint8_t soa[STORE_SOA_MAX];
	size_t *idx = NULL, i;
	uint32_t wanted;
	time_t now = time(NULL);
	int64_t vid;
	int ret;

	if ((idx = malloc((ad->n + 1) * sizeof(*idx))) == NULL)
		return HP_ENOMEM;
	for (i = 0; i < ad->n; i++)
		idx[i] = i;
	memset(&ch, 0, sizeof(ch));
	ch.removed = rm;
	ch.added_set = ad;
	ch.added = idx;
	ch.nadded = ad->n;
	ch.apex = c->apex;
	ch.old_soa = cur->rdata;
	ch.old_soa_len = cur->rdlen;
	ch.soa_ttl_old = cur->ttl;
	memcpy(soa, c->soa, c->soalen);
	ch.new_soa = soa;
	ch.new_soa_len = c->soalen;
	ch.soa_ttl_new = c->soattl;
	ch.old_serial = zr->serial;
	if ((ret = serial_soa_get(soa, c->soalen, &wanted)) < 0 ||
	    (ret = serial_choose(zr->serial, c->soa_changed ? wanted :
	    zr->serial, o->serial_policy, now, &ch.new_serial)) < 0)
		goto out;
	serial_soa_set(soa, c->soalen, ch.new_serial);
	ch.has_prev = 1;
	ch.source = o->source != NULL ? o->source : "ddns";
	ch.origin = o->key;
	ch.sign = o->sign.policy != NULL ? &o->sign : NULL;
	ch.resign = -1;
	ch.records = zr->records + ad->n - rm->n;
	for (i = 0; i < c->nnames; i++)
		if ((ret = vnames_add(&touched, c->names[i].text,
		    c->names[i].len)) < 0)
			goto out;
	if ((ret = apply_writer(c->st, zr->id, 1)) < 0 ||
	    (ret = apply_change(c->st, zr->id, &ch, now, &vid)) < 0)
		goto out;
	if ((ret = check_change(c->st, zr->id, c->apex, &touched, o->problem,
	    o->problem_arg)) < 0)
		goto out;
	if ((ret = src_follow(c->st, zr->id, 0, rm, ad, idx, ad->n)) < 0 ||
	    (ret = apply_finish(c->st, zr->id, ch.new_serial, NULL,
	    ch.records, o->max_journal_versions, now)) < 0)
		goto out;
	res->changed = 1;
	res->new_serial = ch.new_serial;
	res->version_id = vid;
	res->added = ad->n;
	res->removed = rm->n;
	res->records = ch.records;
out:
	vnames_free(&touched);
	free(idx);
	return ret;
}

static void
u_free(struct uctx *c)
{
	size_t i;

	for (i = 0; i < c->nrrs; i++)
		free(c->rrs[i].rdata);
	free(c->rrs);
	free(c->names);
}

static void
u_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		store_exec(st, "ROLLBACK");
}

/*
 * Direct edits of the records table are pending: published first, as an
 * import publishes them, in the update's transaction (the update's own
 * version follows theirs). Edits known not to validate, and not edited
 * since, hold the zone; edits found not to validate now hold it from
 * here (marked once the transaction has rolled back, as HP_EINVALID
 * says to the caller): either way HP_EBUSY, and the update waits for the
 * operator (hpagent publish says what is wrong).
 */
static int
u_pending(struct uctx *c, struct zrow *zr, struct store_import_result *res)
{
	const struct store_update_opts *o = c->o;
	struct store_import_opts io;
	int ret;

	if (!zrow_held_as_found(zr)) {
		memset(&io, 0, sizeof(io));
		io.zone = c->apex;
		io.serial_policy = o->serial_policy;
		io.max_journal_versions = o->max_journal_versions;
		io.problem = o->problem;
		io.problem_arg = o->problem_arg;
		io.sign = o->sign;
		memset(&c->held, 0, sizeof(c->held));
		ret = pending_first(c->st, zr, c->apex, &io, time(NULL), res,
		    &c->held);
		if (ret != HP_EINVALID)
			return ret;
		c->held_found = 1;
	}
	c->held_zone = 1;
	say(o, "%s: direct edits of the records table are pending and do "
	    "not validate (held)", c->apex);
	return HP_EBUSY;
}

int
store_update(struct store *st, const struct upd_msg *u,
    const struct store_update_opts *o, struct store_import_result *res,
    uint8_t *rcode)
{
	struct uctx c;
	struct zrow zr;
	struct store_soa cur;
	struct store_import_result res0;
	struct zset rm, ad;
	int ret;

	memset(res, 0, sizeof(*res));
	memset(&c, 0, sizeof(c));
	memset(&zr, 0, sizeof(zr));
	*rcode = WIRE_RCODE_SERVFAIL;
	c.st = st;
	c.o = o;
	c.u = u;
	if (u_text(u->zone, c.apex, sizeof(c.apex)) < 0) {
		*rcode = WIRE_RCODE_FORMERR;
		return HP_EMALF;
	}
	zset_init(&rm, c.apex, o->problem, o->problem_arg);
	zset_init(&ad, c.apex, o->problem, o->problem_arg);
	if ((ret = store_exec(st, "BEGIN IMMEDIATE")) < 0) {
		say(o, "%s: database: %s", c.apex, ret == HP_EBUSY ?
		    "locked by another writer" : sqlite3_errmsg(st->db));
		goto out;
	}
	if ((ret = zrow_load(st, c.apex, &zr)) < 0)
		goto fail;
	if (!zr.exists) {
		*rcode = WIRE_RCODE_NOTAUTH;
		say(o, "%s: not in the store (never imported)", c.apex);
		ret = HP_ENOENT;
		goto fail;
	}
	c.zone_id = zr.id;
	res->zone_id = zr.id;
	res->old_serial = res->new_serial = zr.serial;
	res->records = zr.records;
	res0 = *res;	/* what a rolled-back update says */
	if (zr.dirty && (ret = u_pending(&c, &zr, res)) < 0)
		goto fail;
	if ((ret = u_prereqs(&c, rcode)) < 0)
		goto fail;
	if (*rcode != WIRE_RCODE_NOERROR) {
		u_rollback(st);
		*res = res0;
		ret = 0;
		goto out;
	}
	*rcode = WIRE_RCODE_SERVFAIL;
	if ((ret = store_zone_soa(st, zr.id, &cur)) < 0)
		goto fail;
	memcpy(c.soa, cur.rdata, cur.rdlen);
	c.soalen = cur.rdlen;
	c.soattl = cur.ttl;
	if ((ret = u_apply(&c)) < 0 || (ret = u_diff(&c, &rm, &ad)) < 0) {
		if (ret == HP_EINVALID || ret == HP_EMALF)
			*rcode = WIRE_RCODE_FORMERR;
		else if (ret == HP_EACCES)
			*rcode = WIRE_RCODE_REFUSED;
		goto fail;
	}
	if (rm.n == 0 && ad.n == 0 && !c.soa_changed) {
		/* nothing to do is success (RFC 2136 3.4.2.7); pending
		 * edits published here wait for the daemon's own turn */
		u_rollback(st);
		*res = res0;
		*rcode = WIRE_RCODE_NOERROR;
		ret = 0;
		goto out;
	}
	if ((ret = u_write(&c, &zr, &rm, &ad, &cur, res)) < 0) {
		if (ret == HP_EINVALID)
			*rcode = WIRE_RCODE_REFUSED;
		goto fail;
	}
	if ((ret = store_exec(st, "COMMIT")) < 0)
		goto fail;
	*rcode = WIRE_RCODE_NOERROR;
	goto out;
fail:
	if (ret == HP_ESTORE && sqlite3_errcode(st->db) != SQLITE_OK)
		snprintf(st->err, sizeof(st->err), "%s",
		    sqlite3_errmsg(st->db));
	u_rollback(st);
	memset(res, 0, sizeof(*res));
	res->held = c.held_zone;
	if (c.held_found)
		held_record(st, zr.id, &c.held);
out:
	zset_free(&rm);
	zset_free(&ad);
	u_free(&c);
	return ret;
}
