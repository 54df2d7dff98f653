/*
 * serial.c -- RFC 1982 serial arithmetic and serial policies.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <time.h>

#include "dns/err.h"
#include "dns/serial.h"

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
