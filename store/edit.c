/*
 * edit.c -- an edit of a zone as text (hpagent add, del, edit): the
 * records of one text replaced by those of another, as one RFC 2136
 * update (store_update): deletions of the records only the first has,
 * additions of those only the second has; for an edit, each RRset it
 * touches must still be as the first text had it (value-dependent
 * prerequisites), so that a change made meanwhile by another channel is
 * found, not overwritten.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "dns/dname.h"
#include "dns/serial.h"
#include "dns/update.h"
#include "dns/wire.h"
#include "store/store_int.h"
#include "store/zset.h"

/* Append an RR of OP to U. 0 or HP_ENOMEM / HP_EINVALID. */
static int
edit_rr(struct upd_msg *u, enum upd_op op, const struct zset *z,
    const struct zrr *r, const uint8_t *rdata, uint32_t ttl)
{
	struct upd_rr *n;
	uint8_t *a;
	void *v;
	size_t cnt = u->npre + u->nupd;
	char owner[DNAME_MAXSTR];

	if (r->owner_len >= sizeof(owner))
		return HP_EINVALID;
	if ((v = realloc(u->rr, (cnt + 1) * sizeof(*u->rr))) == NULL)
		return HP_ENOMEM;
	u->rr = v;
	if (u->alen + r->rdlen + 1 > u->acap) {
		if ((a = realloc(u->arena, 2 * u->acap + r->rdlen + 256)) ==
		    NULL)
			return HP_ENOMEM;
		u->arena = a;
		u->acap = 2 * u->acap + r->rdlen + 256;
	}
	n = &u->rr[cnt];
	memset(n, 0, sizeof(*n));
	memcpy(owner, ZOWNER(z, r), r->owner_len);
	owner[r->owner_len] = '\0';
	if (dname_from_str(owner, n->owner, NULL) < 0)
		return HP_EINVALID;
	n->op = op;
	n->type = r->type;
	n->ttl = ttl;
	n->rdata = u->alen;
	if (op != UPD_PRE_NXRRSET) {	/* a prerequisite without rdata */
		n->rdlen = r->rdlen;
		memcpy(u->arena + u->alen, rdata, r->rdlen);
		u->alen += r->rdlen;
	}
	if (op <= UPD_PRE_NXRRSET)
		u->npre++;
	else
		u->nupd++;
	return 0;
}

/* Same owner and type. */
static int
same_set(const struct zset *za, const struct zrr *a, const struct zset *zb,
    const struct zrr *b)
{
	return a->type == b->type && a->owner_len == b->owner_len &&
	    memcmp(ZOWNER(za, a), ZOWNER(zb, b), a->owner_len) == 0;
}

/* Same record, TTL included (an SOA: its serial aside). */
static int
same_rr(const struct zset *za, const struct zrr *a, const struct zset *zb,
    const struct zrr *b)
{
	if (!same_set(za, a, zb, b) || a->ttl != b->ttl ||
	    a->rdlen != b->rdlen)
		return 0;
	if (a->type == WIRE_TYPE_SOA && a->rdlen >= 20)
		return memcmp(ZRDATA(za, a), ZRDATA(zb, b), a->rdlen - 20) ==
		    0 && memcmp(ZRDATA(za, a) + a->rdlen - 16, ZRDATA(zb, b) +
		    b->rdlen - 16, 16) == 0;
	return memcmp(ZRDATA(za, a), ZRDATA(zb, b), a->rdlen) == 0;
}

/* Whether Z holds R exactly (TTL included). */
static int
holds(const struct zset *z, const struct zset *zr, const struct zrr *r)
{
	size_t i;

	for (i = 0; i < z->n; i++)
		if (same_rr(z, &z->rr[i], zr, r))
			return 1;
	return 0;
}

/* The RRset of A's owner and type: in its own text, each record as a
 * value-dependent prerequisite, or NXRRSET when OLD has none. Once per
 * RRset (DONE marks the records of OLD and NEW already covered). */
static int
edit_prereq(struct upd_msg *u, const struct zset *old, char *done_old,
    const struct zset *z, const struct zrr *r)
{
	size_t i;
	int any = 0, ret;

	for (i = 0; i < old->n; i++)
		if (same_set(old, &old->rr[i], z, r)) {
			if (done_old[i])
				return 0;
			done_old[i] = 1;
			any = 1;
			if ((ret = edit_rr(u, UPD_PRE_YXRRSET_VAL, old,
			    &old->rr[i], ZRDATA(old, &old->rr[i]), 0)) < 0)
				return ret;
		}
	if (!any)
		return edit_rr(u, UPD_PRE_NXRRSET, z, r, ZRDATA(z, r), 0) < 0 ?
		    HP_ENOMEM : 0;
	return 0;
}

int
store_edit(struct store *st, const char *zone, const char *oldtext,
    size_t oldlen, const char *newtext, size_t newlen, int guard,
    const struct store_update_opts *o, store_journal_cb change_cb,
    void *change_arg, struct store_import_result *res, uint8_t *rcode)
{
	struct zset old, new_;
	struct upd_msg u;
	struct store_rr rr;
	char owner[DNAME_MAXSTR], *done_old = NULL, *done_new = NULL;
	uint8_t soa[STORE_SOA_MAX];
	uint32_t serial;
	size_t i;
	int ret = 0, pass;

	memset(res, 0, sizeof(*res));
	memset(&u, 0, sizeof(u));
	*rcode = WIRE_RCODE_FORMERR;
	if ((ret = zset_init(&old, zone, o->problem, o->problem_arg)) < 0)
		return ret;
	if ((ret = zset_init(&new_, zone, o->problem, o->problem_arg)) < 0) {
		zset_free(&old);
		return ret;
	}
	/* an empty side (add, del) is an empty set, not an empty zone file */
	if ((oldlen > 0 && (ret = zset_parse_buffer(&old, "before", oldtext,
	    oldlen)) < 0) || (newlen > 0 && (ret = zset_parse_buffer(&new_,
	    "edited", newtext, newlen)) < 0))
		goto out;
	if (old.errors > 0 || new_.errors > 0) {
		ret = HP_EPARSE;
		goto out;
	}
	if (dname_from_str(old.origin, u.zone, NULL) < 0) {
		ret = HP_EINVALID;
		goto out;
	}
	u.zclass = 1;
	if ((done_old = calloc(old.n + 1, 1)) == NULL ||
	    (done_new = calloc(new_.n + 1, 1)) == NULL) {
		ret = HP_ENOMEM;
		goto out;
	}
	/* the prerequisites first (RFC 2136 3.2 before 3.4), then the
	 * deletions, then the additions */
	for (pass = guard ? 0 : 1; pass < 3; pass++) {
		for (i = 0; pass < 2 && i < old.n; i++) {
			if (holds(&new_, &old, &old.rr[i]))
				continue;
			if (pass == 0)
				ret = edit_prereq(&u, &old, done_old, &old,
				    &old.rr[i]);
			else if (old.rr[i].type == WIRE_TYPE_SOA)
				continue;	/* replaced by the new one */
			else
				ret = edit_rr(&u, UPD_DEL_RR, &old, &old.rr[i],
				    ZRDATA(&old, &old.rr[i]), 0);
			if (ret < 0)
				goto out;
		}
		for (i = 0; pass != 1 && i < new_.n; i++) {
			if (holds(&old, &new_, &new_.rr[i]))
				continue;
			if (pass == 0) {
				ret = edit_prereq(&u, &old, done_old, &new_,
				    &new_.rr[i]);
			} else if (new_.rr[i].type == WIRE_TYPE_SOA) {
				/* a new SOA (timers, names): a serial ahead of
				 * the zone's, so that it is taken; the zone's
				 * policy bumps it as for any change */
				if (new_.rr[i].rdlen > sizeof(soa)) {
					ret = HP_EINVALID;
					goto out;
				}
				memcpy(soa, ZRDATA(&new_, &new_.rr[i]),
				    new_.rr[i].rdlen);
				if (serial_soa_get(soa, new_.rr[i].rdlen,
				    &serial) == 0)
					serial_soa_set(soa, new_.rr[i].rdlen,
					    serial + 1);
				ret = edit_rr(&u, UPD_ADD, &new_, &new_.rr[i],
				    soa, new_.rr[i].ttl);
			} else
				ret = edit_rr(&u, UPD_ADD, &new_, &new_.rr[i],
				    ZRDATA(&new_, &new_.rr[i]), new_.rr[i].ttl);
			if (ret < 0)
				goto out;
		}
	}
	/* the change, for people, before it is made */
	for (pass = 0; change_cb != NULL && pass < 2; pass++) {
		const struct zset *z = pass == 0 ? &old : &new_;
		const struct zset *other = pass == 0 ? &new_ : &old;

		for (i = 0; i < z->n; i++)
			if (!holds(other, z, &z->rr[i])) {
				zset_rr(z, &z->rr[i], owner, sizeof(owner), &rr);
				(void)change_cb(pass, &rr, change_arg);
			}
	}
	if (u.nupd == 0) {
		*rcode = WIRE_RCODE_NOERROR;
		ret = 0;
		goto out;
	}
	ret = store_update(st, &u, o, res, rcode);
out:
	free(done_old);
	free(done_new);
	upd_free(&u);
	zset_free(&old);
	zset_free(&new_);
	return ret;
}
