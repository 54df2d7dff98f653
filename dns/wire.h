/*
 * wire.h -- bounds-checked big-endian access to DNS wire data, and the
 * constants of the DNS message format (RFC 1035 4.1, RFC 6895, RFC 8945).
 *
 * A struct wire is a cursor over a byte run: DATA, LEN bytes, position
 * POS. Every wire_get_* fails (returns HP_EMALF, leaving POS and the
 * output untouched) instead of reading past LEN; every wire_put_* fails
 * (HP_ESPACE, nothing written) instead of writing past LEN. Reads take a
 * const view through the same struct: the get functions never write.
 *
 * wire_read_u16() and friends are the unchecked primitives for fixed
 * offsets the caller has already checked (e.g. header fields once the
 * message is at least WIRE_HDR_LEN long).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_WIRE_H
#define HP_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns/err.h"

/* Header layout (RFC 1035 4.1.1). */
#define WIRE_HDR_LEN		12
#define WIRE_OFF_ID		0
#define WIRE_OFF_FLAGS		2
#define WIRE_OFF_QDCOUNT	4
#define WIRE_OFF_ANCOUNT	6
#define WIRE_OFF_NSCOUNT	8
#define WIRE_OFF_ARCOUNT	10

/* The 16-bit flags word (bytes 2-3 of the header). */
#define WIRE_FLAG_QR		0x8000
#define WIRE_FLAG_AA		0x0400
#define WIRE_FLAG_TC		0x0200
#define WIRE_FLAG_RD		0x0100
#define WIRE_FLAG_RA		0x0080
#define WIRE_FLAG_AD		0x0020
#define WIRE_FLAG_CD		0x0010
#define WIRE_OPCODE_SHIFT	11
#define WIRE_OPCODE_MASK	0x7800
#define WIRE_RCODE_MASK		0x000f
#define WIRE_OPCODE(flags)	(((flags) & WIRE_OPCODE_MASK) >> WIRE_OPCODE_SHIFT)
#define WIRE_RCODE(flags)	((flags) & WIRE_RCODE_MASK)

/* Opcodes. */
#define WIRE_OPCODE_QUERY	0
#define WIRE_OPCODE_IQUERY	1
#define WIRE_OPCODE_STATUS	2
#define WIRE_OPCODE_NOTIFY	4
#define WIRE_OPCODE_UPDATE	5

/* Response codes; 16-18 appear only in the TSIG Error field (RFC 8945). */
#define WIRE_RCODE_NOERROR	0
#define WIRE_RCODE_FORMERR	1
#define WIRE_RCODE_SERVFAIL	2
#define WIRE_RCODE_NXDOMAIN	3
#define WIRE_RCODE_NOTIMP	4
#define WIRE_RCODE_REFUSED	5
#define WIRE_RCODE_YXDOMAIN	6	/* RFC 2136 */
#define WIRE_RCODE_YXRRSET	7
#define WIRE_RCODE_NXRRSET	8
#define WIRE_RCODE_NOTAUTH	9
#define WIRE_RCODE_NOTZONE	10
#define WIRE_RCODE_BADVERS	16
#define WIRE_RCODE_BADSIG	16
#define WIRE_RCODE_BADKEY	17
#define WIRE_RCODE_BADTIME	18
#define WIRE_RCODE_BADTRUNC	22

/* Classes and types. */
#define WIRE_CLASS_IN		1
#define WIRE_CLASS_CH		3
#define WIRE_CLASS_NONE		254
#define WIRE_CLASS_ANY		255

#define WIRE_TYPE_A		1
#define WIRE_TYPE_NS		2
#define WIRE_TYPE_MD		3
#define WIRE_TYPE_MF		4
#define WIRE_TYPE_CNAME		5
#define WIRE_TYPE_SOA		6
#define WIRE_TYPE_MB		7
#define WIRE_TYPE_MG		8
#define WIRE_TYPE_MR		9
#define WIRE_TYPE_PTR		12
#define WIRE_TYPE_MINFO		14
#define WIRE_TYPE_MX		15
#define WIRE_TYPE_TXT		16
#define WIRE_TYPE_RP		17
#define WIRE_TYPE_AFSDB		18
#define WIRE_TYPE_RT		21
#define WIRE_TYPE_AAAA		28
#define WIRE_TYPE_PX		26
#define WIRE_TYPE_SRV		33
#define WIRE_TYPE_DNAME		39
#define WIRE_TYPE_OPT		41
#define WIRE_TYPE_DS		43
#define WIRE_TYPE_RRSIG		46
#define WIRE_TYPE_NSEC		47
#define WIRE_TYPE_DNSKEY	48
#define WIRE_TYPE_TSIG		250
#define WIRE_TYPE_IXFR		251
#define WIRE_TYPE_AXFR		252
#define WIRE_TYPE_ANY		255

/* Sizes. */
#define WIRE_MAX_UDP		512	/* without EDNS (RFC 1035 4.2.1) */
#define WIRE_MAX_MSG		65535	/* TCP length prefix limit */
#define WIRE_RR_FIXED		10	/* type, class, ttl, rdlength */

/* A cursor over DATA[0..LEN). POS is the next byte to read or write. */
struct wire {
	uint8_t *data;
	size_t len;
	size_t pos;
};

/* Point W at BUF of LEN bytes, position 0. BUF may be const for a cursor
 * only ever passed to wire_get_* (the cast is confined here). */
static inline void
wire_init(struct wire *w, const void *buf, size_t len)
{
	w->data = (uint8_t *)(uintptr_t)buf;
	w->len = len;
	w->pos = 0;
}

/* Bytes left between POS and LEN. */
static inline size_t
wire_left(const struct wire *w)
{
	return w->pos <= w->len ? w->len - w->pos : 0;
}

/* Unchecked primitives at a fixed pointer. */
static inline uint16_t
wire_read_u16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t
wire_read_u32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t
wire_read_u48(const uint8_t *p)
{
	return ((uint64_t)wire_read_u16(p) << 32) | wire_read_u32(p + 2);
}

static inline void
wire_write_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
wire_write_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Low 48 bits of V (TSIG Time Signed). */
static inline void
wire_write_u48(uint8_t *p, uint64_t v)
{
	wire_write_u16(p, (uint16_t)(v >> 32));
	wire_write_u32(p + 2, (uint32_t)v);
}

/* Checked reads: 0, or HP_EMALF with nothing consumed. */
static inline int
wire_get_u8(struct wire *w, uint8_t *v)
{
	if (wire_left(w) < 1)
		return HP_EMALF;
	*v = w->data[w->pos++];
	return 0;
}

static inline int
wire_get_u16(struct wire *w, uint16_t *v)
{
	if (wire_left(w) < 2)
		return HP_EMALF;
	*v = wire_read_u16(w->data + w->pos);
	w->pos += 2;
	return 0;
}

static inline int
wire_get_u32(struct wire *w, uint32_t *v)
{
	if (wire_left(w) < 4)
		return HP_EMALF;
	*v = wire_read_u32(w->data + w->pos);
	w->pos += 4;
	return 0;
}

static inline int
wire_get_u48(struct wire *w, uint64_t *v)
{
	if (wire_left(w) < 6)
		return HP_EMALF;
	*v = wire_read_u48(w->data + w->pos);
	w->pos += 6;
	return 0;
}

/* Copy N bytes to OUT (OUT may be NULL to skip them). */
static inline int
wire_get_bytes(struct wire *w, void *out, size_t n)
{
	if (wire_left(w) < n)
		return HP_EMALF;
	if (out != NULL && n > 0)
		memcpy(out, w->data + w->pos, n);
	w->pos += n;
	return 0;
}

/* Checked writes: 0, or HP_ESPACE with nothing written. */
static inline int
wire_put_u8(struct wire *w, uint8_t v)
{
	if (wire_left(w) < 1)
		return HP_ESPACE;
	w->data[w->pos++] = v;
	return 0;
}

static inline int
wire_put_u16(struct wire *w, uint16_t v)
{
	if (wire_left(w) < 2)
		return HP_ESPACE;
	wire_write_u16(w->data + w->pos, v);
	w->pos += 2;
	return 0;
}

static inline int
wire_put_u32(struct wire *w, uint32_t v)
{
	if (wire_left(w) < 4)
		return HP_ESPACE;
	wire_write_u32(w->data + w->pos, v);
	w->pos += 4;
	return 0;
}

static inline int
wire_put_u48(struct wire *w, uint64_t v)
{
	if (wire_left(w) < 6)
		return HP_ESPACE;
	wire_write_u48(w->data + w->pos, v);
	w->pos += 6;
	return 0;
}

static inline int
wire_put_bytes(struct wire *w, const void *src, size_t n)
{
	if (wire_left(w) < n)
		return HP_ESPACE;
	if (n > 0)
		memcpy(w->data + w->pos, src, n);
	w->pos += n;
	return 0;
}

#endif
