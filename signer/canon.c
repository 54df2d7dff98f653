/* canon.c -- see canon.h. SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "signer/canon.h"

static uint8_t
lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

size_t
canon_key(const uint8_t *name, uint8_t *out)
{
	size_t off[DNAME_MAXLABELS + 1], len = 0, p = 0;
	int n = 0, i;
	uint8_t c, k;

	while (name[p] != 0 && n <= DNAME_MAXLABELS) {
		off[n++] = p;
		p += (size_t)name[p] + 1;
	}
	for (i = n - 1; i >= 0; i--) {
		for (k = 1; k <= name[off[i]]; k++) {
			c = lower(name[off[i] + k]);
			if (c <= 1) {
				out[len++] = 1;
				out[len++] = (uint8_t)(c + 1);
			} else
				out[len++] = c;
		}
		out[len++] = 0;
	}
	return len;
}

int
canon_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t m = alen < blen ? alen : blen;
	int c = m > 0 ? memcmp(a, b, m) : 0;

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/*
 * Rdata layouts of the types whose names are lowercased: a list of steps,
 * a positive number skips that many octets, the others are below.
 */
#define L_NAME	-1	/* an uncompressed name: lowercased */
#define L_STR	-2	/* a <character-string> */
#define L_A6	-3	/* A6 (RFC 2874): prefix length, suffix, name */
#define L_END	0

static const struct layout {
	uint16_t type;
	signed char step[6];
} layouts[] = {
	{ 2, { L_NAME } },			/* NS */
	{ 3, { L_NAME } },			/* MD */
	{ 4, { L_NAME } },			/* MF */
	{ 5, { L_NAME } },			/* CNAME */
	{ 6, { L_NAME, L_NAME } },		/* SOA */
	{ 7, { L_NAME } },			/* MB */
	{ 8, { L_NAME } },			/* MG */
	{ 9, { L_NAME } },			/* MR */
	{ 12, { L_NAME } },			/* PTR */
	{ 14, { L_NAME, L_NAME } },		/* MINFO */
	{ 15, { 2, L_NAME } },			/* MX */
	{ 17, { L_NAME, L_NAME } },		/* RP */
	{ 18, { 2, L_NAME } },			/* AFSDB */
	{ 21, { 2, L_NAME } },			/* RT */
	{ 24, { 18, L_NAME } },			/* SIG */
	{ 26, { 2, L_NAME, L_NAME } },		/* PX */
	{ 30, { L_NAME } },			/* NXT */
	{ 33, { 6, L_NAME } },			/* SRV */
	{ 35, { 4, L_STR, L_STR, L_STR, L_NAME } },	/* NAPTR */
	{ 36, { 2, L_NAME } },			/* KX */
	{ 38, { L_A6 } },			/* A6 */
	{ 39, { L_NAME } },			/* DNAME */
	{ 46, { 18, L_NAME } },			/* RRSIG */
};

static const struct layout *
layout_of(uint16_t type)
{
	size_t i;

	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (layouts[i].type == type)
			return &layouts[i];
	return NULL;
}

int
canon_rdata_has_names(uint16_t type)
{
	return layout_of(type) != NULL;
}

/* Lowercase the name at OUT[*pos] (LEN bounds it); move *pos past it. */
static int
lower_name(uint8_t *out, size_t len, size_t *pos)
{
	int nlen = dname_wire_len(out + *pos, len - *pos);
	size_t p;

	if (nlen < 0)
		return HP_EMALF;
	for (p = *pos; p < *pos + (size_t)nlen; p++)
		out[p] = lower(out[p]);
	*pos += (size_t)nlen;
	return 0;
}

int
canon_rdata(uint16_t type, const uint8_t *rdata, size_t len, uint8_t *out)
{
	const struct layout *l;
	size_t pos = 0, i, skip;
	uint8_t prefix;

	if (len > 0)
		memcpy(out, rdata, len);
	if ((l = layout_of(type)) == NULL)
		return 0;
	for (i = 0; i < sizeof(l->step) && l->step[i] != L_END; i++) {
		switch (l->step[i]) {
		case L_NAME:
			if (lower_name(out, len, &pos) < 0)
				goto bad;
			break;
		case L_STR:
			if (pos >= len || pos + 1 + out[pos] > len)
				goto bad;
			pos += 1 + (size_t)out[pos];
			break;
		case L_A6:
			if (pos >= len || (prefix = out[pos]) > 128)
				goto bad;
			skip = 1 + (size_t)(128 - prefix + 7) / 8;
			if (pos + skip > len)
				goto bad;
			pos += skip;
			if (prefix > 0 && lower_name(out, len, &pos) < 0)
				goto bad;
			break;
		default:
			skip = (size_t)l->step[i];
			if (pos + skip > len)
				goto bad;
			pos += skip;
			break;
		}
	}
	return 0;
bad:
	if (len > 0)
		memcpy(out, rdata, len);
	return HP_EMALF;
}
