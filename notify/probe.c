/*
 * probe.c -- SOA probes: the query and the reading of its answer (no
 * I/O; see probe.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stddef.h>
#include <stdint.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/pkt.h"
#include "dns/serial.h"
#include "dns/tsig.h"
#include "dns/wire.h"
#include "notify/probe.h"

int
probe_build(uint8_t *buf, size_t cap, size_t *len, uint16_t id,
    const uint8_t *zone, struct tsig_ctx *tsig, uint64_t now)
{
	struct pkt_wr w;
	size_t l;
	int r;

	if ((r = pkt_wr_init(&w, buf, cap, id, 0, NULL)) < 0 ||
	    (r = pkt_wr_question(&w, zone, WIRE_TYPE_SOA, WIRE_CLASS_IN)) < 0)
		return r;
	l = w.len;
	if (tsig != NULL && (r = tsig_sign(tsig, buf, &l, cap, now)) < 0)
		return r;
	*len = l;
	return 0;
}

/* The serial of the SOA of ZONE in P's answer section: 0 and *SERIAL,
 * or HP_ENOENT. */
static int
probe_soa_serial(const struct pkt *p, const uint8_t *zone, uint32_t *serial)
{
	uint8_t rd[2 * DNAME_MAXLEN + 20];
	struct pkt_iter it;
	struct pkt_rr rr;
	size_t len;
	int r;

	pkt_iter_init(&it, p, PKT_ANSWER);
	while ((r = pkt_iter_next(&it, &rr)) == 1) {
		if (rr.type != WIRE_TYPE_SOA || rr.rclass != WIRE_CLASS_IN ||
		    !dname_equal(rr.owner, zone))
			continue;
		if (pkt_rdata_expand(p, &rr, rd, sizeof(rd), &len) < 0 ||
		    serial_soa_get(rd, len, serial) < 0)
			return HP_EMALF;
		return 0;
	}
	return r < 0 ? r : HP_ENOENT;
}

int
probe_check_reply(const uint8_t *reply, size_t len, uint16_t id,
    const uint8_t *zone, struct tsig_ctx *tsig, uint64_t now, int *rcode,
    uint32_t *serial, int *tsig_res)
{
	struct pkt p;
	int r = 0;

	*tsig_res = 0;
	if (pkt_parse(&p, reply, len) < 0 || p.id != id ||
	    !(p.flags & WIRE_FLAG_QR) ||
	    WIRE_OPCODE(p.flags) != WIRE_OPCODE_QUERY)
		return HP_EMALF;
	/* An answer without the question is accepted only as an error
	 * (RFC 1035 4.1.1: FORMERR and friends may drop it). */
	if (p.count[PKT_QUESTION] == 1 ? p.qtype != WIRE_TYPE_SOA ||
	    !dname_equal(p.qname, zone) :
	    WIRE_RCODE(p.flags) == WIRE_RCODE_NOERROR)
		return HP_EMALF;
	*rcode = WIRE_RCODE(p.flags);
	if (p.flags & WIRE_FLAG_TC)
		return PROBE_TRUNCATED;
	if (tsig != NULL && (r = tsig_client_verify(tsig, &p, now)) == 0)
		r = tsig_client_finish(tsig);
	*tsig_res = r;
	switch (*rcode) {
	case WIRE_RCODE_NOERROR:
		if (r < 0)
			return PROBE_BADTSIG;
		if (!(p.flags & WIRE_FLAG_AA))
			return PROBE_NOZONE;
		r = probe_soa_serial(&p, zone, serial);
		return r == 0 ? PROBE_SERIAL : r == HP_ENOENT ? PROBE_NOZONE :
		    HP_EMALF;
	case WIRE_RCODE_SERVFAIL:
	case WIRE_RCODE_NXDOMAIN:
		return PROBE_NOZONE;
	default:
		return PROBE_REFUSED;
	}
}
