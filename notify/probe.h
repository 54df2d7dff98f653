/*
 * probe.h -- SOA probes of a secondary (is it serving the serial we
 * published?): the query and the reading of its answer, apart from the
 * I/O (the daemon's agent/daemon/probe.c sends them, over UDP first, TCP
 * when the answer is truncated or does not come).
 *
 * A secondary counts as having serial S only when its own SOA answer, for
 * the zone, authoritative, TSIG-verified with the key of its notify:
 * entry, shows S or a newer serial (RFC 1982). What a transfer we served,
 * a NOTIFY acknowledgement or an IXFR request claims is never enough.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_PROBE_H
#define HP_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "dns/tsig.h"

/* What an answer to a probe says (probe_check_reply()). */
enum probe_answer {
	PROBE_SERIAL,		/* NOERROR, authoritative, the zone's SOA:
				   *SERIAL set */
	PROBE_NOZONE,		/* it answers but serves no such zone now:
				   SERVFAIL, NXDOMAIN, or NOERROR without
				   an authoritative SOA */
	PROBE_REFUSED,		/* REFUSED, NOTAUTH, NOTIMP, FORMERR ...:
				   it will not answer us */
	PROBE_TRUNCATED,	/* TC set: ask again over TCP */
	PROBE_BADTSIG,		/* a NOERROR answer that failed TSIG: not
				   to be trusted (may be forged) */
};

/*
 * Build the probe for ZONE (wire name) with ID into BUF (CAP octets): a
 * query (RD clear) for ZONE SOA IN, signed with TSIG (appended) when TSIG
 * is not NULL (a fresh context for the secondary's key). *LEN gets the
 * length. 0, HP_ESPACE, or an error of tsig_sign().
 */
int probe_build(uint8_t *buf, size_t cap, size_t *len, uint16_t id,
    const uint8_t *zone, struct tsig_ctx *tsig, uint64_t now);

/*
 * Read REPLY (LEN octets) to the probe with ID for ZONE, signed with TSIG
 * (the request's context, NULL when unsigned). Returns HP_EMALF when it is
 * not a matching answer (wrong ID, not a response, another question);
 * else a PROBE_* value, with *RCODE the answer's RCODE, *SERIAL for
 * PROBE_SERIAL, and *TSIG_RES (0, or the TSIG failure: HP_ENOTSIG,
 * HP_EBADKEY, HP_EBADSIG, HP_EBADTIME; tsig->error then holds a TSIG
 * error the answer reported). An error answer is taken whether or not it
 * verified (a secondary that does not know the key cannot sign it); a
 * NOERROR one only when it verified: else PROBE_BADTSIG.
 */
int probe_check_reply(const uint8_t *reply, size_t len, uint16_t id,
    const uint8_t *zone, struct tsig_ctx *tsig, uint64_t now, int *rcode,
    uint32_t *serial, int *tsig_res);

#endif
