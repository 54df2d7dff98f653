/*
 * serial.c -- RFC 1982 serial arithmetic and serial policies.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <time.h>

#include "dns/err.h"
#include "dns/dname.h"
#include "dns/serial.h"
#include "dns/wire.h"

int
serial_at_least(uint32_t have, uint32_t want)
{
	return have == want || serial_cmp(have, want) == 1;
}

static const char *const policy_names[] = {
	[SERIAL_POLICY_INCREMENT] = "increment",
	[SERIAL_POLICY_UNIXTIME] = "unixtime",
	[SERIAL_POLICY_DATESERIAL] = "dateserial",
};
#define NPOLICIES (int)(sizeof(policy_names) / sizeof(policy_names[0]))

int
serial_cmp(uint32_t a, uint32_t b)
{
	uint32_t d = b - a;	/* mod 2^32 */

	if (d == 0)
		return 0;
	if (d == UINT32_C(0x80000000))
		return SERIAL_UNDEFINED;
	/* RFC 1982 §3.2: a < b when 0 < (b - a) mod 2^32 < 2^31 */
	return d < UINT32_C(0x80000000) ? -1 : 1;
}

static uint32_t
date_base(time_t now)
{
	struct tm tm;

	if (gmtime_r(&now, &tm) == NULL)
		return 0;
	return (uint32_t)(tm.tm_year + 1900) * 1000000u +
	    (uint32_t)(tm.tm_mon + 1) * 10000u + (uint32_t)tm.tm_mday * 100u;
}

int
serial_next(uint32_t current, int policy, time_t now, uint32_t *out)
{
	uint32_t cand;

	switch (policy) {
	case SERIAL_POLICY_INCREMENT:
		*out = current + 1;
		return 0;
	case SERIAL_POLICY_UNIXTIME:
		cand = (uint32_t)now;
		break;
	case SERIAL_POLICY_DATESERIAL:
		cand = date_base(now);
		break;
	default:
		return HP_EINVAL;
	}
	*out = serial_cmp(cand, current) == 1 ? cand : current + 1;
	return 0;
}

int
serial_choose(uint32_t current, uint32_t wanted, int policy, time_t now,
    uint32_t *out)
{
	if (policy < 0 || policy >= NPOLICIES)
		return HP_EINVAL;
	if (serial_cmp(wanted, current) == 1) {
		*out = wanted;
		return 0;
	}
	return serial_next(current, policy, now, out);
}

const char *
serial_policy_str(int policy)
{
	if (policy < 0 || policy >= NPOLICIES)
		return NULL;
	return policy_names[policy];
}

int
serial_policy_parse(const char *name)
{
	int i;

	for (i = 0; i < NPOLICIES; i++)
		if (strcmp(name, policy_names[i]) == 0)
			return i;
	return HP_EINVAL;
}

int
serial_soa_off(const uint8_t *rdata, size_t len)
{
	size_t off = 0;
	int i, n;

	for (i = 0; i < 2; i++) {	/* MNAME, RNAME */
		if ((n = dname_wire_len(rdata + off, len - off)) < 0)
			return HP_EMALF;
		off += (size_t)n;
	}
	return off + 20 == len ? (int)off : HP_EMALF;
}

int
serial_soa_get(const uint8_t *rdata, size_t len, uint32_t *serial)
{
	int off = serial_soa_off(rdata, len);

	if (off < 0)
		return off;
	*serial = wire_read_u32(rdata + off);
	return 0;
}

int
serial_soa_set(uint8_t *rdata, size_t len, uint32_t serial)
{
	int off = serial_soa_off(rdata, len);

	if (off < 0)
		return off;
	wire_write_u32(rdata + off, serial);
	return 0;
}
