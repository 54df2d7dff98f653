/*
 * axfr.c -- AXFR (RFC 5936): the messages of the zone's version in the
 * transfer's snapshot, prepared by the cache builder or built from the
 * records while they are not ready (store/xfrcache.h), one per call, each
 * patched for the query: its ID, RD, the question's case and type.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "agent/daemon/xfr_int.h"
#include "dns/err.h"
#include "dns/wire.h"
#include "store/store.h"
#include "store/xfrcache.h"

int
xfr_axfr_open(struct xfr_answer *a, const struct store_zone_info *zi,
    int *cached)
{
	return xfrc_open(a->st, zi, &a->axfr, cached);
}

int
xfr_axfr_next(struct xfr_answer *a, uint8_t *buf, size_t cap, size_t *len)
{
	int r;

	if ((r = xfrc_next(a->axfr, buf, cap, len)) <= 0)
		return r;
	return (r = xfr_patch(a, buf, *len)) < 0 ? r : 1;
}

int
xfr_axfr_fail(struct xfr_answer *a, uint8_t *buf, size_t cap, size_t *len)
{
	uint16_t flags;

	if (cap < WIRE_HDR_LEN + a->qname_len + 4)
		return HP_ESPACE;
	memset(buf, 0, WIRE_HDR_LEN);
	wire_write_u16(buf + WIRE_OFF_ID, a->id);
	flags = (uint16_t)(WIRE_FLAG_QR | (a->qflags & WIRE_FLAG_RD) |
	    WIRE_RCODE_SERVFAIL);
	wire_write_u16(buf + WIRE_OFF_FLAGS, flags);
	wire_write_u16(buf + WIRE_OFF_QDCOUNT, 1);
	memcpy(buf + WIRE_HDR_LEN, a->qcase, a->qname_len);
	wire_write_u16(buf + WIRE_HDR_LEN + a->qname_len, a->qtype);
	wire_write_u16(buf + WIRE_HDR_LEN + a->qname_len + 2, WIRE_CLASS_IN);
	*len = WIRE_HDR_LEN + a->qname_len + 4;
	return 0;
}
