/*
 * pkt.c -- DNS messages: validating parser, rdata name expansion and the
 * compressing writer.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/pkt.h"
#include "dns/wire.h"

/*
 * Rdata layouts with names, as a table indexed by type (every one of them
 * is below RDATA_DESC_TYPES): 'n' a name, '2' two bytes; then TAIL bytes
 * of fixed data that must end the rdata exactly. COMPRESS says whether
 * the writer may compress the names (RFC 3597 4: only the types of RFC
 * 1035); the reader expands all of these. A row without a layout: a type
 * without names.
 */
#define RDATA_DESC_TYPES	64

static const struct rdata_desc {
	const char *layout;
	uint16_t tail;
	int compress;
} rdata_descs[RDATA_DESC_TYPES] = {
	[WIRE_TYPE_NS] = { "n", 0, 1 },
	[WIRE_TYPE_MD] = { "n", 0, 1 },
	[WIRE_TYPE_MF] = { "n", 0, 1 },
	[WIRE_TYPE_CNAME] = { "n", 0, 1 },
	[WIRE_TYPE_SOA] = { "nn", 20, 1 },
	[WIRE_TYPE_MB] = { "n", 0, 1 },
	[WIRE_TYPE_MG] = { "n", 0, 1 },
	[WIRE_TYPE_MR] = { "n", 0, 1 },
	[WIRE_TYPE_PTR] = { "n", 0, 1 },
	[WIRE_TYPE_MINFO] = { "nn", 0, 1 },
	[WIRE_TYPE_MX] = { "2n", 0, 1 },
	[WIRE_TYPE_RP] = { "nn", 0, 0 },
	[WIRE_TYPE_AFSDB] = { "2n", 0, 0 },
	[WIRE_TYPE_RT] = { "2n", 0, 0 },
	[WIRE_TYPE_PX] = { "2nn", 0, 0 },
	[WIRE_TYPE_SRV] = { "222n", 0, 0 },
};

static const struct rdata_desc *
rdata_desc(uint16_t type)
{
	if (type >= RDATA_DESC_TYPES || rdata_descs[type].layout == NULL)
		return NULL;
	return &rdata_descs[type];
}

/* Read the RR at *POS of WIRE into RR (RR may be NULL: skip). */
static int
rr_read(const uint8_t *wire, size_t len, size_t *pos, struct pkt_rr *rr)
{
	struct pkt_rr tmp;
	size_t p = *pos;
	int ret;

	if (rr == NULL)
		rr = &tmp;
	rr->off = p;
	ret = dname_parse(wire, len, &p, rr->owner, &rr->owner_len);
	if (ret < 0)
		return ret;
	if (len - p < WIRE_RR_FIXED)
		return HP_EMALF;
	rr->type = wire_read_u16(wire + p);
	rr->rclass = wire_read_u16(wire + p + 2);
	rr->ttl = wire_read_u32(wire + p + 4);
	rr->rdlen = wire_read_u16(wire + p + 8);
	p += WIRE_RR_FIXED;
	if (len - p < rr->rdlen)
		return HP_EMALF;
	rr->rdata_off = p;
	p += rr->rdlen;
	rr->end = p;
	*pos = p;
	return 0;
}

static int
parse_question(struct pkt *p, size_t *pos)
{
	int ret;

	if (p->count[PKT_QUESTION] > 1)
		return HP_EMALF;
	if (p->count[PKT_QUESTION] == 0)
		return 0;
	ret = dname_parse(p->wire, p->len, pos, p->qname, &p->qname_len);
	if (ret < 0)
		return ret;
	if (p->len - *pos < 4)
		return HP_EMALF;
	p->qtype = wire_read_u16(p->wire + *pos);
	p->qclass = wire_read_u16(p->wire + *pos + 2);
	*pos += 4;
	return 0;
}

/* OPT (RFC 6891 6.1): root owner, once, in the additional section. */
static int
note_opt(struct pkt *p, const struct pkt_rr *rr, int section)
{
	if (section != PKT_ADDITIONAL || p->opt_off != 0 || rr->owner_len != 1)
		return HP_EMALF;
	p->opt_off = rr->off;
	p->edns_size = rr->rclass;
	p->edns_ext_rcode = (uint8_t)(rr->ttl >> 24);
	p->edns_version = (uint8_t)(rr->ttl >> 16);
	p->edns_flags = (uint16_t)rr->ttl;
	return 0;
}

int
pkt_parse(struct pkt *out, const uint8_t *wire, size_t len)
{
	struct pkt p;
	struct pkt_rr rr;
	size_t pos = WIRE_HDR_LEN;
	unsigned i;
	int s, ret;

	if (len < WIRE_HDR_LEN || len > WIRE_MAX_MSG)
		return HP_EMALF;
	memset(&p, 0, sizeof(p));
	p.wire = wire;
	p.len = len;
	p.id = wire_read_u16(wire + WIRE_OFF_ID);
	p.flags = wire_read_u16(wire + WIRE_OFF_FLAGS);
	for (s = 0; s < 4; s++)
		p.count[s] = wire_read_u16(wire + WIRE_OFF_QDCOUNT + 2 * s);
	p.sec_off[PKT_QUESTION] = pos;
	ret = parse_question(&p, &pos);
	if (ret < 0)
		return ret;
	for (s = PKT_ANSWER; s <= PKT_ADDITIONAL; s++) {
		p.sec_off[s] = pos;
		for (i = 0; i < p.count[s]; i++) {
			ret = rr_read(wire, len, &pos, &rr);
			if (ret < 0)
				return ret;
			if (rr.type == WIRE_TYPE_OPT &&
			    (ret = note_opt(&p, &rr, s)) < 0)
				return ret;
			if (rr.type == WIRE_TYPE_TSIG) {
				/* RFC 8945 5.1: the last additional RR. */
				if (s != PKT_ADDITIONAL ||
				    i + 1 != p.count[s])
					return HP_EMALF;
				p.tsig_off = rr.off;
			}
		}
	}
	if (pos != len)
		return HP_EMALF;	/* trailing bytes */
	*out = p;
	return 0;
}

void
pkt_iter_init(struct pkt_iter *it, const struct pkt *p,
    enum pkt_section section)
{
	it->p = p;
	if (section < PKT_ANSWER || section > PKT_ADDITIONAL) {
		it->pos = p->len;
		it->left = 0;
		return;
	}
	it->pos = p->sec_off[section];
	it->left = p->count[section];
}

int
pkt_iter_next(struct pkt_iter *it, struct pkt_rr *rr)
{
	int ret;

	if (it->left == 0)
		return 0;
	ret = rr_read(it->p->wire, it->p->len, &it->pos, rr);
	if (ret < 0)
		return ret;
	it->left--;
	return 1;
}

int
pkt_rdata_expand(const struct pkt *p, const struct pkt_rr *rr,
    uint8_t *out, size_t cap, size_t *outlen)
{
	const struct rdata_desc *d = rdata_desc(rr->type);
	size_t pos = rr->rdata_off, end = rr->rdata_off + rr->rdlen;
	size_t o = 0, nlen;
	const char *l;
	int ret;

	if (end > p->len)
		return HP_EMALF;
	if (d == NULL) {
		if (cap < rr->rdlen)
			return HP_ESPACE;
		memcpy(out, p->wire + pos, rr->rdlen);
		*outlen = rr->rdlen;
		return 0;
	}
	for (l = d->layout; *l != '\0'; l++) {
		if (*l == '2') {
			if (end - pos < 2)
				return HP_EMALF;
			if (cap - o < 2)
				return HP_ESPACE;
			memcpy(out + o, p->wire + pos, 2);
			o += 2;
			pos += 2;
			continue;
		}
		{
			uint8_t name[DNAME_MAXLEN];

			ret = dname_parse(p->wire, end, &pos, name, &nlen);
			if (ret < 0)
				return ret;
			if (cap - o < nlen)
				return HP_ESPACE;
			memcpy(out + o, name, nlen);
			o += nlen;
		}
	}
	if (end - pos != d->tail)
		return HP_EMALF;
	if (cap - o < d->tail)
		return HP_ESPACE;
	memcpy(out + o, p->wire + pos, d->tail);
	*outlen = o + d->tail;
	return 0;
}

/* Writer. */

static uint16_t
hdr_count(const struct pkt_wr *w, int section)
{
	return wire_read_u16(w->buf + WIRE_OFF_QDCOUNT + 2 * section);
}

static void
hdr_count_inc(struct pkt_wr *w, int section)
{
	wire_write_u16(w->buf + WIRE_OFF_QDCOUNT + 2 * section,
	    (uint16_t)(hdr_count(w, section) + 1));
}

int
pkt_wr_init(struct pkt_wr *w, uint8_t *buf, size_t cap, uint16_t id,
    uint16_t flags, struct dname_ctab *ctab)
{
	if (cap < WIRE_HDR_LEN)
		return HP_ESPACE;
	w->buf = buf;
	w->cap = cap > WIRE_MAX_MSG ? WIRE_MAX_MSG : cap;
	w->len = WIRE_HDR_LEN;
	w->section = PKT_QUESTION;
	w->ctab = ctab;
	w->last_len = 0;
	if (ctab != NULL)
		dname_ctab_reset(ctab);
	memset(buf, 0, WIRE_HDR_LEN);
	wire_write_u16(buf + WIRE_OFF_ID, id);
	wire_write_u16(buf + WIRE_OFF_FLAGS, flags);
	return 0;
}

int
pkt_wr_reply(struct pkt_wr *w, uint8_t *buf, size_t cap,
    const struct pkt *q, uint8_t rcode, struct dname_ctab *ctab)
{
	uint16_t flags;
	int ret;

	flags = WIRE_FLAG_QR | (q->flags & (WIRE_OPCODE_MASK | WIRE_FLAG_RD)) |
	    (rcode & WIRE_RCODE_MASK);
	ret = pkt_wr_init(w, buf, cap, q->id, flags, ctab);
	if (ret < 0 || q->qname_len == 0)
		return ret;
	return pkt_wr_question(w, q->qname, q->qtype, q->qclass);
}

int
pkt_wr_question(struct pkt_wr *w, const uint8_t *qname, uint16_t qtype,
    uint16_t qclass)
{
	size_t pos = w->len, mark = 0;
	int ret;

	if (w->section != PKT_QUESTION || hdr_count(w, PKT_QUESTION) != 0)
		return HP_EINVAL;
	if (w->ctab != NULL)
		mark = dname_ctab_mark(w->ctab);
	ret = dname_ctab_put(w->ctab, w->buf, w->cap, &pos, qname);
	if (ret == 0 && w->cap - pos < 4)
		ret = HP_ESPACE;
	if (ret < 0) {
		if (w->ctab != NULL)
			dname_ctab_undo(w->ctab, mark);
		return ret;
	}
	wire_write_u16(w->buf + pos, qtype);
	wire_write_u16(w->buf + pos + 2, qclass);
	w->len = pos + 4;
	hdr_count_inc(w, PKT_QUESTION);
	return 0;
}

/* Write RDATA of a type with names (descriptor D) at *POS. */
static int
put_rdata_names(struct pkt_wr *w, size_t *pos, const struct rdata_desc *d,
    const uint8_t *rdata, size_t rdlen)
{
	struct dname_ctab *ct = d->compress ? w->ctab : NULL;
	size_t r = 0;
	const char *l;
	int n, ret;

	for (l = d->layout; *l != '\0'; l++) {
		if (*l == '2') {
			if (rdlen - r < 2)
				return HP_EMALF;
			if (w->cap - *pos < 2)
				return HP_ESPACE;
			memcpy(w->buf + *pos, rdata + r, 2);
			*pos += 2;
			r += 2;
			continue;
		}
		n = dname_wire_len(rdata + r, rdlen - r);
		if (n < 0)
			return n;
		ret = dname_ctab_put(ct, w->buf, w->cap, pos, rdata + r);
		if (ret < 0)
			return ret;
		r += (size_t)n;
	}
	if (rdlen - r != d->tail)
		return HP_EMALF;
	if (w->cap - *pos < d->tail)
		return HP_ESPACE;
	if (d->tail > 0)
		memcpy(w->buf + *pos, rdata + r, d->tail);
	*pos += d->tail;
	return 0;
}

/*
 * The owner of an RR: when it is the last RR's (W->last), what the table
 * would give again, without the lookup: a pointer to where it was
 * written when that can be pointed at and was written there in full,
 * else the same octets as then. *SAME: set when so.
 */
static int
put_owner(struct pkt_wr *w, size_t *pos, const uint8_t *owner, int *same)
{
	const uint8_t *prev = w->buf + w->last_off;
	int len;

	*same = 0;
	if (w->ctab == NULL || w->last_len == 0)
		return dname_ctab_put(w->ctab, w->buf, w->cap, pos, owner);
	if ((len = dname_wire_len(owner, DNAME_MAXLEN)) < 0)
		return HP_EMALF;
	if ((size_t)len != w->last_len || memcmp(owner, w->last, w->last_len))
		return dname_ctab_put(w->ctab, w->buf, w->cap, pos, owner);
	*same = 1;
	if (w->last_off <= 0x3fff && (prev[0] & 0xc0) != 0xc0) {
		if (w->cap - *pos < 2)
			return HP_ESPACE;
		wire_write_u16(w->buf + *pos, (uint16_t)(0xc000 | w->last_off));
		*pos += 2;
		return 0;
	}
	if (w->cap - *pos < w->last_enc)
		return HP_ESPACE;
	memcpy(w->buf + *pos, prev, w->last_enc);
	*pos += w->last_enc;
	return 0;
}

static int
put_rr(struct pkt_wr *w, size_t *pos, const uint8_t *owner, uint16_t type,
    uint16_t rclass, uint32_t ttl, const uint8_t *rdata, uint16_t rdlen)
{
	const struct rdata_desc *d;
	size_t fixed, rdstart, start = *pos;
	int ret, same;

	ret = put_owner(w, pos, owner, &same);
	if (ret < 0)
		return ret;
	/* Remembered once written in full; the RR may not fit yet, so
	 * pkt_wr_rr forgets it again then. */
	if (!same && w->ctab != NULL) {
		w->last_len = (size_t)dname_wire_len(owner, DNAME_MAXLEN);
		memcpy(w->last, owner, w->last_len);
		w->last_off = start;
		w->last_enc = *pos - start;
	}
	if (w->cap - *pos < WIRE_RR_FIXED)
		return HP_ESPACE;
	fixed = *pos;
	wire_write_u16(w->buf + fixed, type);
	wire_write_u16(w->buf + fixed + 2, rclass);
	wire_write_u32(w->buf + fixed + 4, ttl);
	*pos += WIRE_RR_FIXED;
	rdstart = *pos;
	d = rdata_desc(type);
	if (d != NULL) {
		ret = put_rdata_names(w, pos, d, rdata, rdlen);
		if (ret < 0)
			return ret;
	} else {
		if (w->cap - *pos < rdlen)
			return HP_ESPACE;
		if (rdlen > 0)
			memcpy(w->buf + *pos, rdata, rdlen);
		*pos += rdlen;
	}
	wire_write_u16(w->buf + fixed + 8, (uint16_t)(*pos - rdstart));
	return 0;
}

int
pkt_wr_rr(struct pkt_wr *w, enum pkt_section section,
    const uint8_t *owner, uint16_t type, uint16_t rclass, uint32_t ttl,
    const uint8_t *rdata, uint16_t rdlen)
{
	size_t pos = w->len, mark = 0, last_off;
	int ret;

	if (section < PKT_ANSWER || section > PKT_ADDITIONAL ||
	    (int)section < w->section)
		return HP_EINVAL;
	if (hdr_count(w, section) == 0xffff)
		return HP_ESPACE;
	if (w->ctab != NULL)
		mark = dname_ctab_mark(w->ctab);
	last_off = w->last_off;
	ret = put_rr(w, &pos, owner, type, rclass, ttl, rdata, rdlen);
	if (ret < 0) {
		if (w->ctab != NULL)
			dname_ctab_undo(w->ctab, mark);
		/* Where it was not written is not a place to point at. */
		if (w->last_off != last_off || w->last_off >= w->len)
			w->last_len = 0;
		return ret;
	}
	w->len = pos;
	w->section = section;
	hdr_count_inc(w, section);
	return 0;
}

int
pkt_wr_opt(struct pkt_wr *w, uint16_t payload, uint8_t ext_rcode,
    uint16_t flags)
{
	static const uint8_t root[1] = { 0 };
	uint32_t ttl;

	ttl = ((uint32_t)ext_rcode << 24) | flags;	/* version 0 */
	return pkt_wr_rr(w, PKT_ADDITIONAL, root, WIRE_TYPE_OPT, payload, ttl,
	    NULL, 0);
}

void
pkt_wr_set_rcode(struct pkt_wr *w, uint8_t rcode)
{
	uint16_t f = wire_read_u16(w->buf + WIRE_OFF_FLAGS);

	f = (uint16_t)((f & ~WIRE_RCODE_MASK) | (rcode & WIRE_RCODE_MASK));
	wire_write_u16(w->buf + WIRE_OFF_FLAGS, f);
}

void
pkt_wr_set_flags(struct pkt_wr *w, uint16_t flags)
{
	uint16_t f = wire_read_u16(w->buf + WIRE_OFF_FLAGS);

	wire_write_u16(w->buf + WIRE_OFF_FLAGS, (uint16_t)(f | flags));
}

void
pkt_wr_clear_flags(struct pkt_wr *w, uint16_t flags)
{
	uint16_t f = wire_read_u16(w->buf + WIRE_OFF_FLAGS);

	wire_write_u16(w->buf + WIRE_OFF_FLAGS, (uint16_t)(f & ~flags));
}

uint16_t
pkt_wr_count(const struct pkt_wr *w, enum pkt_section section)
{
	return hdr_count(w, section);
}

/* RFC 1035 4.1.1, RFC 2136 2.2, RFC 8945 4.3 (TSIG Error field). */
static const char *const rcode_names[] = {
	[WIRE_RCODE_NOERROR] = "NOERROR",
	[WIRE_RCODE_FORMERR] = "FORMERR",
	[WIRE_RCODE_SERVFAIL] = "SERVFAIL",
	[WIRE_RCODE_NXDOMAIN] = "NXDOMAIN",
	[WIRE_RCODE_NOTIMP] = "NOTIMP",
	[WIRE_RCODE_REFUSED] = "REFUSED",
	[6] = "YXDOMAIN",
	[7] = "YXRRSET",
	[8] = "NXRRSET",
	[WIRE_RCODE_NOTAUTH] = "NOTAUTH",
	[WIRE_RCODE_NOTZONE] = "NOTZONE",
	[WIRE_RCODE_BADSIG] = "BADSIG",
	[WIRE_RCODE_BADKEY] = "BADKEY",
	[WIRE_RCODE_BADTIME] = "BADTIME",
};

const char *
pkt_rcode_name(int rcode)
{
	if (rcode < 0 ||
	    (size_t)rcode >= sizeof(rcode_names) / sizeof(rcode_names[0]))
		return NULL;
	return rcode_names[rcode];
}
