/*
 * policy.h -- a DNSSEC signing policy: the `dnssec-policy:` clause.
 *
 * Statements (names as written in agent.conf; durations are seconds or a
 * number with a unit s, m, h, d, w, e.g. 14d):
 *   algorithm            ecdsap256sha256 (default), ed25519, rsasha256
 *   single-type-signing  yes (one CSK, default) | no (KSK + ZSK)
 *   rrsig-lifetime       validity of a signature (default 14d)
 *   rrsig-refresh        re-sign when a signature expires within this
 *                        (default 5d)
 *   zsk-lifetime         roll the ZSK after this (default 30d; 0 never)
 *   ksk-lifetime         roll the KSK or CSK after this (default 0: never)
 *   nsec3                no (NSEC, default) | yes
 *   nsec3-iterations     extra NSEC3 hash iterations (default 0, RFC 9276)
 *   nsec3-salt           hex, or "-" for none (default none, RFC 9276)
 *   dnskey-ttl           TTL of DNSKEY, CDS, CDNSKEY (default 1h)
 *   zone-max-ttl         the largest TTL the zone may hold (default 1d);
 *                        rollovers wait it out, larger TTLs are refused
 *   propagation-delay    margin added to every rollover wait (default 1h)
 *   parent-ds-ttl        TTL of the DS at the parent (default 1d)
 *   cds-cdnskey-publish  none | rollover (default: while a new KSK's DS
 *                        is awaited at the parent) | always
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_SIGNER_POLICY_H
#define HP_SIGNER_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* DNSKEY algorithm numbers (IANA) the signer implements. */
#define SIGN_ALG_RSASHA256		8
#define SIGN_ALG_ECDSAP256SHA256	13
#define SIGN_ALG_ED25519		15

enum sign_cds_publish {
	SIGN_CDS_NONE = 0,
	SIGN_CDS_ROLLOVER = 1,
	SIGN_CDS_ALWAYS = 2,
};

/* Backdating of RRSIG inception, for clocks of validators running late. */
#define SIGN_INCEPTION_BACKDATE	3600

struct sign_policy {
	char name[64];
	uint8_t algorithm;
	uint8_t single_type;		/* 1: CSK, 0: KSK + ZSK */
	uint8_t nsec3;			/* 0: NSEC, 1: NSEC3 */
	uint8_t cds_publish;		/* enum sign_cds_publish */
	uint32_t rrsig_lifetime;
	uint32_t rrsig_refresh;
	uint32_t zsk_lifetime;		/* 0: never */
	uint32_t ksk_lifetime;		/* 0: never */
	uint16_t nsec3_iterations;
	uint8_t nsec3_salt_len;
	uint8_t nsec3_salt[255];
	uint32_t dnskey_ttl;
	uint32_t zone_max_ttl;
	uint32_t propagation_delay;
	uint32_t parent_ds_ttl;
};

/* Fill P with the defaults above, named NAME (may be NULL: "default"). */
void sign_policy_init(struct sign_policy *p, const char *name);

/*
 * Set statement NAME to VALUE (text as in the configuration file).
 * 0; HP_ENOENT if NAME is not a policy statement; HP_ECONF if VALUE is
 * not valid for it, with a message for people in ERR (ERRLEN bytes),
 * e.g. "unknown algorithm 'foo' (known: ecdsap256sha256, ed25519,
 * rsasha256)".
 */
int sign_policy_set(struct sign_policy *p, const char *name,
    const char *value, char *err, size_t errlen);

/* Check the statements against each other (e.g. rrsig-refresh below
 * rrsig-lifetime). 0, or HP_ECONF with a message in ERR. */
int sign_policy_check(const struct sign_policy *p, char *err,
    size_t errlen);

/* Print P as configuration statements, one per line, each prefixed by
 * INDENT. */
void sign_policy_print(const struct sign_policy *p, FILE *f,
    const char *indent);

/* Algorithm number for a name (case-insensitive; the IANA mnemonics
 * and the numbers are accepted), or -1. */
int sign_alg_from_name(const char *name);
/* The configuration name of algorithm ALG, or NULL if unsupported. */
const char *sign_alg_name(uint8_t alg);

/* Parse a duration ("3600", "90m", "14d", "2w"). 0 or HP_EPARSE. */
int sign_duration_parse(const char *text, uint32_t *out);

#endif
