/*
 * serial.h -- SOA serial arithmetic (RFC 1982) and serial policies.
 *
 * Pure functions: no I/O, no clock (callers pass the time).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_SERIAL_H
#define HP_SERIAL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Serial policies (serial-policy: in agent.conf). */
#define SERIAL_POLICY_INCREMENT		0	/* current + 1 */
#define SERIAL_POLICY_UNIXTIME		1	/* seconds since the epoch */
#define SERIAL_POLICY_DATESERIAL	2	/* YYYYMMDDnn (UTC date) */

/* serial_cmp() result when A and B are exactly 2^31 apart (RFC 1982 §3.2
 * leaves that comparison undefined). */
#define SERIAL_UNDEFINED	2

/*
 * Compare serials A and B in RFC 1982 arithmetic (SERIAL_BITS = 32):
 * -1 when A < B, 0 when equal, 1 when A > B, SERIAL_UNDEFINED when they
 * are 2^31 apart.
 */
int serial_cmp(uint32_t a, uint32_t b);

/* 1 when a secondary that has HAVE has WANT: HAVE is WANT or ahead of it
 * (RFC 1982). */
int serial_at_least(uint32_t have, uint32_t want);

/*
 * The serial that follows CURRENT under POLICY at time NOW (unix seconds):
 * increment: CURRENT + 1 (mod 2^32); unixtime: NOW when that is greater
 * than CURRENT, else CURRENT + 1; dateserial: YYYYMMDD00 of NOW's UTC date
 * when greater than CURRENT, else CURRENT + 1. Always greater than CURRENT
 * in RFC 1982 terms. Returns 0 and sets *OUT, or HP_EINVAL for an unknown
 * policy.
 */
int serial_next(uint32_t current, int policy, time_t now, uint32_t *out);

/*
 * The serial of a new version: WANTED (e.g. the serial written in an
 * imported file) when it is greater than CURRENT in RFC 1982 terms,
 * otherwise serial_next(CURRENT, POLICY, NOW). 0 or HP_EINVAL.
 */
int serial_choose(uint32_t current, uint32_t wanted, int policy, time_t now,
    uint32_t *out);

/*
 * The SERIAL field of SOA RDATA (RFC 1035 3.3.13: MNAME, RNAME, then five
 * 32-bit fields; the names uncompressed, as the store and the message
 * parser's expanded form hold them), LEN octets. serial_soa_off() returns
 * its offset, or HP_EMALF when RDATA is not exactly that; the others
 * return 0 or HP_EMALF.
 */
int serial_soa_off(const uint8_t *rdata, size_t len);
int serial_soa_get(const uint8_t *rdata, size_t len, uint32_t *serial);
int serial_soa_set(uint8_t *rdata, size_t len, uint32_t serial);

/* The policy's name ("increment", "unixtime", "dateserial") or NULL. */
const char *serial_policy_str(int policy);
/* The policy named NAME, or HP_EINVAL. */
int serial_policy_parse(const char *name);

#endif
