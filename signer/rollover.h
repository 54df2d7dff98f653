/*
 * rollover.h -- key rollovers as pure functions of key state, time and
 * policy (RFC 6781 4.1, RFC 7583 3).
 *
 *  - ZSK: pre-publication. The successor is published ahead of the end of
 *    zsk-lifetime; once its DNSKEY has reached every secondary and the
 *    DNSKEY TTL (plus propagation-delay) has passed, it starts signing
 *    and the old ZSK retires. Refresh (zone.h) replaces the old ZSK's
 *    signatures, a batch at a time; once none is left and that version
 *    has reached every secondary, zone-max-ttl (plus propagation-delay)
 *    later the old ZSK leaves the DNSKEY RRset.
 *  - KSK and CSK: double signature. The new key is published and signs
 *    at once (a CSK: every RRset, so the zone is re-signed whole). When
 *    its DNSKEY has reached every secondary plus DNSKEY TTL, it is ready:
 *    CDS/CDNSKEY name it (RFC 7344). Once its DS is seen at the parent,
 *    parent-ds-ttl (plus propagation-delay) later the old key leaves.
 *  - A key that left: DNSKEY TTL after that reached every secondary, its
 *    private key and state may be deleted (ROLL_PURGE).
 *
 * "Reached every secondary" is not a guess: each step sets the key's
 * `step` time and clears `seen`; the caller calls roll_confirm() when the
 * version made by that step is served by every secondary. The DS at the
 * parent is confirmed by the caller likewise (roll_ds_seen()).
 *
 * roll_next() tells the next action and when it is due; the caller
 * performs ROLL_GENERATE (keys_store_generate(), the new state appended
 * to the array) and applies every action with roll_apply() at its time,
 * then signs the zone again (sign_zone_update() makes the DNSKEY, CDS and
 * CDNSKEY RRsets follow the keys).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_SIGNER_ROLLOVER_H
#define HP_SIGNER_ROLLOVER_H

#include <stddef.h>
#include <stdint.h>

#include "signer/keys.h"
#include "signer/policy.h"

enum roll_kind {
	ROLL_NONE = 0,		/* nothing scheduled */
	ROLL_GENERATE,		/* make a key of ROLE, then roll_apply() */
	ROLL_ACTIVATE,		/* ZSK KEY starts signing, OTHER retires */
	ROLL_READY,		/* KSK/CSK KEY is known: CDS may name it */
	ROLL_RESIGNED,		/* retired ZSK KEY: no signature left */
	ROLL_REMOVE,		/* KEY leaves the DNSKEY RRset */
	ROLL_PURGE,		/* KEY may be deleted (store and keystore) */
	ROLL_WAIT_PROPAGATION,	/* KEY's last step is not on every
				 * secondary yet: roll_confirm() */
	ROLL_WAIT_DS,		/* KEY's DS is not seen at the parent yet */
	ROLL_WAIT_RESIGN,	/* retired ZSK KEY still has signatures */
};

struct roll_action {
	enum roll_kind kind;
	uint8_t role;		/* ROLL_GENERATE: KEYS_ZSK, KEYS_KSK or CSK */
	int key;		/* the key concerned (index), or -1 */
	int other;		/* ROLL_ACTIVATE: the ZSK that retires */
	int64_t when;		/* due at (<= now: now); 0 for the waits */
	int64_t next;		/* the first action due after now, or 0:
				 * when to call roll_next() again at the
				 * latest, waits or not */
};

struct roll_input {
	int64_t now;
	unsigned request;	/* roles the operator asks to roll now:
				 * KEYS_ZSK and/or KEYS_KSK bits */
	const size_t *sigs_left;	/* per key, RRSIGs still made by it
				 * (NULL: unknown, assumed some) */
};

/*
 * The next action for the zone's N KEYS under policy P: an action due
 * now if any, else what is waited for (call again after roll_confirm()
 * or roll_ds_seen()), else the action due first. OUT->next tells when
 * the next timed action falls due in every case. HP_ENOTSUP if the keys
 * do not match the policy's algorithm (algorithm rollover is not
 * implemented).
 */
int roll_next(const struct keys_state *keys, size_t n,
    const struct sign_policy *p, const struct roll_input *in,
    struct roll_action *out);

/*
 * Apply A at NOW to KEYS (for ROLL_GENERATE, A->key is the index of the
 * new key's state, already appended). ROLL_PURGE changes nothing: the
 * caller deletes the key. HP_EINVAL for a wait or a bad index.
 */
int roll_apply(struct keys_state *keys, size_t n,
    const struct roll_action *a, int64_t now);

/* The version made at VERSION_TIME is served by every secondary since
 * AT: every key whose last step is not later than VERSION_TIME and not
 * yet confirmed gets seen = AT. */
void roll_confirm(struct keys_state *keys, size_t n, int64_t version_time,
    int64_t at);

/* The parent publishes a DS for K since AT. */
void roll_ds_seen(struct keys_state *k, int64_t at);

/* "generate", "activate", ... for status lines. */
const char *roll_kind_name(enum roll_kind kind);

#endif
