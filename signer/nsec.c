/* nsec.c -- see nsec.h. SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "signer/nsec.h"

/* Where TYPE is in S, or would go: 1 if there, else 0; *AT the place. */
static int
types_find(const struct nsec_types *s, uint16_t type, size_t *at)
{
	size_t lo = 0, hi = s->n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (s->t[mid] == type) {
			*at = mid;
			return 1;
		}
		if (s->t[mid] < type)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return 0;
}

int
nsec_types_add(struct nsec_types *s, uint16_t type)
{
	size_t at;

	if (types_find(s, type, &at))
		return 0;
	if (s->n == NSEC_TYPES_MAX)
		return HP_ETOOBIG;
	memmove(s->t + at + 1, s->t + at, (s->n - at) * sizeof(s->t[0]));
	s->t[at] = type;
	s->n++;
	return 0;
}

int
nsec_types_has(const struct nsec_types *s, uint16_t type)
{
	size_t at;

	return types_find(s, type, &at);
}

int
nsec_types_equal(const struct nsec_types *a, const struct nsec_types *b)
{
	return a->n == b->n && memcmp(a->t, b->t, a->n * sizeof(a->t[0])) == 0;
}

size_t
nsec_bitmap(const struct nsec_types *s, uint8_t *out)
{
	size_t len = 0, i = 0, win_at;
	unsigned win, octets, bit;

	while (i < s->n) {
		win = s->t[i] >> 8;
		win_at = len;
		out[len] = (uint8_t)win;
		memset(out + len + 2, 0, 32);
		octets = 0;
		for (; i < s->n && (s->t[i] >> 8) == win; i++) {
			bit = s->t[i] & 0xff;
			out[len + 2 + bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
			octets = bit / 8 + 1;
		}
		out[win_at + 1] = (uint8_t)octets;
		len += 2 + octets;
	}
	return len;
}

int
nsec_bitmap_parse(const uint8_t *bm, size_t len, struct nsec_types *s)
{
	size_t pos = 0, j;
	unsigned win, octets, b;
	int last = -1;

	nsec_types_clear(s);
	while (pos < len) {
		if (pos + 2 > len)
			return HP_EMALF;
		win = bm[pos];
		octets = bm[pos + 1];
		/* windows ascending, 1..32 octets (RFC 4034 4.1.2) */
		if ((int)win <= last || octets < 1 || octets > 32 ||
		    pos + 2 + octets > len)
			return HP_EMALF;
		last = (int)win;
		for (j = 0; j < octets; j++)
			for (b = 0; b < 8; b++)
				if (bm[pos + 2 + j] & (0x80 >> b) &&
				    nsec_types_add(s, (uint16_t)(win << 8 |
				    (j * 8 + b))) < 0)
					return HP_EMALF;
		pos += 2 + octets;
	}
	return 0;
}

size_t
nsec_rdata(const uint8_t *next, const struct nsec_types *s, uint8_t *out)
{
	size_t nlen = (size_t)dname_wire_len(next, DNAME_MAXLEN);

	memcpy(out, next, nlen);
	dname_lower(out);
	return nlen + nsec_bitmap(s, out + nlen);
}

int
nsec_rdata_parse(const uint8_t *rd, size_t len, const uint8_t **next,
    struct nsec_types *s)
{
	int nlen = dname_wire_len(rd, len);

	if (nlen < 0)
		return HP_EMALF;
	*next = rd;
	return nsec_bitmap_parse(rd + nlen, len - (size_t)nlen, s);
}
