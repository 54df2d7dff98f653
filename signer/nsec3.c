/* nsec3.c -- see nsec3.h. SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include <libdnssec/binary.h>
#include <libdnssec/error.h>
#include <libdnssec/nsec.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/wire.h"
#include "signer/nsec3.h"

int
nsec3_hash(const struct nsec3_params *p, const uint8_t *name,
    uint8_t out[NSEC3_HASH_LEN])
{
	uint8_t lower[DNAME_MAXLEN];
	int len = dname_wire_len(name, DNAME_MAXLEN);
	dnssec_nsec3_params_t dp = {
		.algorithm = DNSSEC_NSEC3_ALGORITHM_SHA1,
		.iterations = p->iterations,
		.salt = { .size = p->salt_len, .data = (uint8_t *)p->salt },
	};
	dnssec_binary_t in, hash = { 0 };
	int ret = HP_ECRYPTO;

	if (len < 0 || p->algorithm != NSEC3_HASH_SHA1)
		return HP_EINVAL;
	memcpy(lower, name, (size_t)len);
	dname_lower(lower);
	in.data = lower;
	in.size = (size_t)len;
	if (dnssec_nsec3_hash(&in, &dp, &hash) == DNSSEC_EOK &&
	    hash.size == NSEC3_HASH_LEN) {
		memcpy(out, hash.data, NSEC3_HASH_LEN);
		ret = 0;
	}
	dnssec_binary_free(&hash);
	return ret;
}

static const char b32[] = "0123456789abcdefghijklmnopqrstuv";

size_t
nsec3_b32hex(const uint8_t *in, size_t len, char *out)
{
	size_t i, n = 0;
	unsigned bits = 0, acc = 0;

	for (i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			out[n++] = b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[n++] = b32[(acc << (5 - bits)) & 31];
	return n;
}

int
nsec3_b32hex_decode(const char *in, size_t len, uint8_t *out, size_t size)
{
	unsigned bits = 0, acc = 0, v;
	size_t i, n = 0;
	char c;

	for (i = 0; i < len; i++) {
		c = in[i];
		if (c >= '0' && c <= '9')
			v = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'v')
			v = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'V')
			v = (unsigned)(c - 'A' + 10);
		else
			return HP_EMALF;
		acc = (acc << 5) | v;
		bits += 5;
		if (bits >= 8) {
			if (n == size)
				return HP_EMALF;
			out[n++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	return (int)n;
}

int
nsec3_owner(const uint8_t hash[NSEC3_HASH_LEN], const uint8_t *apex,
    uint8_t *out)
{
	int alen = dname_wire_len(apex, DNAME_MAXLEN);

	if (alen < 0 || 1 + NSEC3_B32_LEN + alen > DNAME_MAXLEN)
		return HP_ETOOBIG;
	out[0] = NSEC3_B32_LEN;
	nsec3_b32hex(hash, NSEC3_HASH_LEN, (char *)out + 1);
	memcpy(out + 1 + NSEC3_B32_LEN, apex, (size_t)alen);
	dname_lower(out + 1 + NSEC3_B32_LEN);
	return 0;
}

int
nsec3_owner_hash(const uint8_t *owner, uint8_t out[NSEC3_HASH_LEN])
{
	if (owner[0] != NSEC3_B32_LEN)
		return HP_EMALF;
	return nsec3_b32hex_decode((const char *)owner + 1, NSEC3_B32_LEN, out,
	    NSEC3_HASH_LEN) == NSEC3_HASH_LEN ? 0 : HP_EMALF;
}

size_t
nsec3_rdata(const struct nsec3_params *p, const uint8_t next[NSEC3_HASH_LEN],
    const struct nsec_types *s, uint8_t *out)
{
	size_t len;

	out[0] = p->algorithm;
	out[1] = p->flags;
	wire_write_u16(out + 2, p->iterations);
	out[4] = p->salt_len;
	memcpy(out + 5, p->salt, p->salt_len);
	len = 5 + (size_t)p->salt_len;
	out[len++] = NSEC3_HASH_LEN;
	memcpy(out + len, next, NSEC3_HASH_LEN);
	len += NSEC3_HASH_LEN;
	return len + nsec_bitmap(s, out + len);
}

int
nsec3_rdata_parse(const uint8_t *rd, size_t len, struct nsec3_params *p,
    uint8_t next[NSEC3_HASH_LEN], struct nsec_types *s)
{
	size_t pos;

	if (len < 6)
		return HP_EMALF;
	p->algorithm = rd[0];
	p->flags = rd[1];
	p->iterations = wire_read_u16(rd + 2);
	p->salt_len = rd[4];
	pos = 5 + (size_t)p->salt_len;
	if (pos + 1 > len)
		return HP_EMALF;
	memcpy(p->salt, rd + 5, p->salt_len);
	if (rd[pos] != NSEC3_HASH_LEN || pos + 1 + NSEC3_HASH_LEN > len)
		return HP_EMALF;
	memcpy(next, rd + pos + 1, NSEC3_HASH_LEN);
	pos += 1 + NSEC3_HASH_LEN;
	return nsec_bitmap_parse(rd + pos, len - pos, s);
}

size_t
nsec3param_rdata(const struct nsec3_params *p, uint8_t *out)
{
	out[0] = p->algorithm;
	out[1] = 0;
	wire_write_u16(out + 2, p->iterations);
	out[4] = p->salt_len;
	memcpy(out + 5, p->salt, p->salt_len);
	return 5 + (size_t)p->salt_len;
}

int
nsec3_params_equal(const struct nsec3_params *a, const struct nsec3_params *b)
{
	return a->algorithm == b->algorithm &&
	    a->iterations == b->iterations && a->salt_len == b->salt_len &&
	    memcmp(a->salt, b->salt, a->salt_len) == 0;
}
