/*
 * canon.h -- DNSSEC canonical forms (RFC 4034 section 6).
 *
 * canon_key() turns a wire name into a byte string whose memcmp() order
 * (shorter first when one is a prefix of the other) is the canonical name
 * order of RFC 4034 6.1: labels from the root, each lowercased, a label
 * sorting before any longer label it is a prefix of, a name before its
 * descendants. A store can keep it in an indexed BLOB column to walk a
 * zone in canonical order (next/previous name for NSEC) with SQLite's
 * BINARY comparison. Encoding: labels from the root; each label's octets
 * lowercased, 0x00 written as 0x01 0x01 and 0x01 as 0x01 0x02, then a
 * 0x00 terminator.
 *
 * canon_rdata() lowercases the domain names embedded in the rdata of the
 * types listed in RFC 4034 6.2 as corrected by RFC 6840 5.1 (NSEC's next
 * name is not lowercased); other types' rdata is already canonical
 * (RFC 3597 7). Lowercasing does not change lengths.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_SIGNER_CANON_H
#define HP_SIGNER_CANON_H

#include <stddef.h>
#include <stdint.h>

/* Longest key canon_key() writes (255 octets, each possibly escaped). */
#define CANON_KEY_MAX	640

/* Write the canonical order key of wire NAME to OUT (CANON_KEY_MAX
 * bytes); returns its length. NAME must be a valid wire name. */
size_t canon_key(const uint8_t *name, uint8_t *out);

/* Compare two octet strings left-justified, a prefix first (RFC 4034 6:
 * keys made by canon_key(), canonical rdata): <0, 0, >0. */
int canon_cmp(const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen);

/* 1 if rdata of TYPE embeds names that canon_rdata() lowercases. */
int canon_rdata_has_names(uint16_t type);

/*
 * Copy RDATA (LEN bytes) of TYPE to OUT (LEN bytes) in canonical form.
 * 0, or HP_EMALF if the rdata does not parse as TYPE's layout (then OUT
 * holds an unmodified copy).
 */
int canon_rdata(uint16_t type, const uint8_t *rdata, size_t len,
    uint8_t *out);

#endif
