/*
 * update.c -- reading RFC 2136 UPDATE messages: the zone section (3.1.1),
 * the prerequisites (2.4, 3.2.1) and the updates (2.5, 3.4.1.3), each RR
 * classified by its class and type and copied with its rdata expanded.
 * Whether they hold, and what they change, is the store's question.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/pkt.h"
#include "dns/update.h"
#include "dns/wire.h"

#define UPD_MAX_RRS	4096	/* prerequisites + updates in one message */

static const char *const op_names[] = {
	[UPD_PRE_YXDOMAIN] = "prerequisite YXDOMAIN",
	[UPD_PRE_NXDOMAIN] = "prerequisite NXDOMAIN",
	[UPD_PRE_YXRRSET] = "prerequisite YXRRSET",
	[UPD_PRE_YXRRSET_VAL] = "prerequisite YXRRSET (value)",
	[UPD_PRE_NXRRSET] = "prerequisite NXRRSET",
	[UPD_ADD] = "add",
	[UPD_DEL_RRSET] = "delete RRset",
	[UPD_DEL_NAME] = "delete name",
	[UPD_DEL_RR] = "delete RR",
};

const char *
upd_op_name(enum upd_op op)
{
	return (size_t)op < sizeof(op_names) / sizeof(op_names[0]) ?
	    op_names[op] : "?";
}

void
upd_free(struct upd_msg *u)
{
	free(u->rr);
	free(u->arena);
	memset(u, 0, sizeof(*u));
}

/* Types that are not data (RFC 2136 3.4.1.3: AXFR, IXFR, MAILA, MAILB,
 * ANY and other meta types; OPT, TSIG). */
static int
upd_meta(uint16_t type)
{
	return type == 0 || type == WIRE_TYPE_OPT || (type >= 128 && type <= 255);
}

/* RFC 2136 2.4 / 3.2.1: the prerequisite RR's meaning, or -1 (FORMERR). */
static int
upd_pre_op(const struct upd_msg *u, const struct pkt_rr *rr)
{
	if (rr->ttl != 0)
		return -1;
	if (rr->rclass == WIRE_CLASS_ANY) {
		if (rr->rdlen != 0 || (upd_meta(rr->type) &&
		    rr->type != WIRE_TYPE_ANY))
			return -1;
		return rr->type == WIRE_TYPE_ANY ? UPD_PRE_YXDOMAIN :
		    UPD_PRE_YXRRSET;
	}
	if (rr->rclass == WIRE_CLASS_NONE) {
		if (rr->rdlen != 0 || (upd_meta(rr->type) &&
		    rr->type != WIRE_TYPE_ANY))
			return -1;
		return rr->type == WIRE_TYPE_ANY ? UPD_PRE_NXDOMAIN :
		    UPD_PRE_NXRRSET;
	}
	if (rr->rclass == u->zclass && !upd_meta(rr->type))
		return UPD_PRE_YXRRSET_VAL;
	return -1;
}

/* RFC 2136 2.5 / 3.4.1.3: the update RR's meaning, or -1 (FORMERR). */
static int
upd_upd_op(const struct upd_msg *u, const struct pkt_rr *rr)
{
	if (rr->rclass == u->zclass)
		return upd_meta(rr->type) ? -1 : UPD_ADD;
	if (rr->rclass == WIRE_CLASS_ANY) {
		if (rr->ttl != 0 || rr->rdlen != 0 || (upd_meta(rr->type) &&
		    rr->type != WIRE_TYPE_ANY))
			return -1;
		return rr->type == WIRE_TYPE_ANY ? UPD_DEL_NAME : UPD_DEL_RRSET;
	}
	if (rr->rclass == WIRE_CLASS_NONE) {
		if (rr->ttl != 0 || upd_meta(rr->type))
			return -1;
		return UPD_DEL_RR;
	}
	return -1;
}

/* Room for one more RR and LEN more octets of rdata. */
static int
upd_grow(struct upd_msg *u, size_t *cap, size_t len)
{
	void *n;
	size_t c;

	if (u->npre + u->nupd == *cap) {
		c = *cap ? *cap * 2 : 8;
		if ((n = realloc(u->rr, c * sizeof(*u->rr))) == NULL)
			return HP_ENOMEM;
		u->rr = n;
		*cap = c;
	}
	if (u->alen + len > u->acap) {
		c = u->acap ? u->acap : 1024;
		while (c < u->alen + len)
			c *= 2;
		if ((n = realloc(u->arena, c)) == NULL)
			return HP_ENOMEM;
		u->arena = n;
		u->acap = c;
	}
	return 0;
}

/* The RRs of SECTION, each classified by FN, appended to U. */
static int
upd_section(const struct pkt *p, struct upd_msg *u, enum pkt_section section,
    int (*fn)(const struct upd_msg *, const struct pkt_rr *), size_t *cap,
    uint8_t *rcode)
{
	struct pkt_iter it;
	struct pkt_rr rr;
	struct upd_rr *o;
	size_t len;
	int r, op;

	pkt_iter_init(&it, p, section);
	while ((r = pkt_iter_next(&it, &rr)) == 1) {
		*rcode = WIRE_RCODE_FORMERR;
		if ((op = fn(u, &rr)) < 0)
			return HP_EMALF;
		if (u->npre + u->nupd >= UPD_MAX_RRS)
			return HP_ETOOBIG;
		dname_lower(rr.owner);
		if (!dname_is_subdomain(rr.owner, u->zone)) {
			*rcode = WIRE_RCODE_NOTZONE;
			return HP_EINVALID;
		}
		/* names expanded: the rdata may hold more than RDLENGTH */
		if ((r = upd_grow(u, cap, (size_t)rr.rdlen + 2 *
		    DNAME_MAXLEN)) < 0) {
			*rcode = WIRE_RCODE_SERVFAIL;
			return r;
		}
		o = &u->rr[u->npre + u->nupd];
		memset(o, 0, sizeof(*o));
		o->op = (enum upd_op)op;
		memcpy(o->owner, rr.owner, rr.owner_len);
		o->type = rr.type;
		o->ttl = rr.ttl;
		o->rdata = u->alen;
		/* (an empty rdata: a deletion or a prerequisite) */
		len = 0;
		if (rr.rdlen > 0 && ((r = pkt_rdata_expand(p, &rr, u->arena +
		    u->alen, u->acap - u->alen, &len)) < 0 || len > UINT16_MAX))
			return r < 0 ? r : HP_EMALF;
		o->rdlen = (uint16_t)len;
		u->alen += len;
		if (section == PKT_ANSWER)
			u->npre++;
		else
			u->nupd++;
	}
	if (r < 0)
		*rcode = WIRE_RCODE_FORMERR;
	return r;
}

int
upd_parse(const struct pkt *p, struct upd_msg *u, uint8_t *rcode)
{
	size_t cap = 0;
	int r;

	memset(u, 0, sizeof(*u));
	*rcode = WIRE_RCODE_FORMERR;
	/* 3.1.1: one zone, its type SOA */
	if (p->count[PKT_QUESTION] != 1 || p->qtype != WIRE_TYPE_SOA)
		return HP_EMALF;
	memcpy(u->zone, p->qname, p->qname_len);
	dname_lower(u->zone);
	u->zclass = p->qclass;
	if ((r = upd_section(p, u, PKT_ANSWER, upd_pre_op, &cap, rcode)) < 0)
		return r;
	if ((r = upd_section(p, u, PKT_AUTHORITY, upd_upd_op, &cap,
	    rcode)) < 0)
		return r;
	*rcode = WIRE_RCODE_NOERROR;
	return 0;
}
