/*
 * cds.h -- CDS and CDNSKEY (RFC 7344): the DS set the zone asks its
 * parent to publish.
 *
 * A KSK or CSK is named in CDS/CDNSKEY once it is ready (its DNSKEY known
 * to resolvers) unless a newer ready KSK supersedes it or it is leaving.
 * With cds-cdnskey-publish "rollover" that lasts until its DS is seen at
 * the parent; with "always", as long as it is the current KSK; with
 * "none", never. CDS uses SHA-256 (RFC 8624 3.3).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_SIGNER_CDS_H
#define HP_SIGNER_CDS_H

#include <stddef.h>
#include <stdint.h>

#include "signer/keys.h"
#include "signer/policy.h"
#include "signer/rrs.h"

/* 1 if KEYS[I] belongs in CDS/CDNSKEY at NOW under P, else 0. */
int cds_wanted(const struct keys_state *keys, size_t n, size_t i,
    const struct sign_policy *p, int64_t now);

/* Append the CDS and CDNSKEY RRs of zone APEX (TTL dnskey-ttl) to OUT.
 * 0 or a negative error. */
int cds_records(const struct keys_state *keys, size_t n,
    const struct sign_policy *p, const uint8_t *apex, int64_t now,
    struct sign_rrs *out);

#endif
