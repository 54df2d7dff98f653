/*
 * nsec.h -- NSEC records (RFC 4034 section 4) and the type bitmaps that
 * NSEC and NSEC3 share (RFC 4034 4.1.2).
 *
 * A struct nsec_types is a sorted set of RR types, small enough to live
 * on the stack. Written by nsec_bitmap(), read back by nsec_bitmap_parse()
 * (libdnssec encodes bitmaps but cannot decode them; the incremental
 * signer needs both).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_SIGNER_NSEC_H
#define HP_SIGNER_NSEC_H

#include <stddef.h>
#include <stdint.h>

#define NSEC_TYPES_MAX	256
/* The largest bitmap: 256 windows of 2 + 32 octets. */
#define NSEC_BITMAP_MAX	(256 * 34)

struct nsec_types {
	uint16_t n;
	uint16_t t[NSEC_TYPES_MAX];
};

static inline void
nsec_types_clear(struct nsec_types *s)
{
	s->n = 0;
}

/* Add TYPE (kept sorted, no duplicates). 0, or HP_ETOOBIG when full. */
int nsec_types_add(struct nsec_types *s, uint16_t type);
/* 1 if S holds TYPE. */
int nsec_types_has(const struct nsec_types *s, uint16_t type);
/* 1 if A and B hold the same types. */
int nsec_types_equal(const struct nsec_types *a, const struct nsec_types *b);

/* Encode S as a type bitmap into OUT (NSEC_BITMAP_MAX bytes); returns
 * its length (0 for the empty set). */
size_t nsec_bitmap(const struct nsec_types *s, uint8_t *out);

/* Decode a type bitmap (LEN bytes). 0 or HP_EMALF. */
int nsec_bitmap_parse(const uint8_t *bm, size_t len, struct nsec_types *s);

/* NSEC rdata: NEXT (wire name, written lowercase) + bitmap of S, into
 * OUT (DNAME_MAXLEN + NSEC_BITMAP_MAX bytes). Returns its length. */
size_t nsec_rdata(const uint8_t *next, const struct nsec_types *s,
    uint8_t *out);

/* Split NSEC rdata into the next name and the types. 0 or HP_EMALF. */
int nsec_rdata_parse(const uint8_t *rd, size_t len, const uint8_t **next,
    struct nsec_types *s);

#endif
