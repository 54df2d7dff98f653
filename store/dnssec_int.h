/*
 * dnssec_int.h -- internal to store/: signing a change inside its write
 * transaction (dnssec.c), the signer's view on the tables
 * (dnssec_view.c), and the zones' keys (dnssec_keys.c).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_STORE_DNSSEC_INT_H
#define HP_STORE_DNSSEC_INT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "signer/keys.h"
#include "signer/zview.h"

struct store;
struct change;

#define DNSSEC_MAXKEYS	8	/* keys of one zone at once */

/* A wire name (lowercase) from the store's owner text (LEN octets). */
int dnssec_owner_wire(const char *text, size_t len, uint8_t *out);

/* Rows (owner, type, class, ttl, rdata) of statement S, stepped to its
 * end, appended to OUT. */
struct sqlite3_stmt;
int dnssec_rows(struct sqlite3_stmt *s, struct sign_rrs *out);

struct dnssec_view;
int dnssec_view_new(struct store *st, int64_t zone_id,
    struct dnssec_view **out);
struct zview dnssec_view_zview(struct dnssec_view *v);
void dnssec_view_free(struct dnssec_view *v);

/*
 * Signing change C of ZONE_ID at NOW (C->sign set), in two steps around
 * apply_change()'s writing of the unsigned part: dnssec_begin() refuses
 * generated types in the input, moves the keys (rollover steps due,
 * keys made at the first signing), loads the private keys and signs what
 * can be signed against the zone before the change; dnssec_finish()
 * signs the whole zone when that is needed, writes the generated records
 * and appends them to version VERSION_ID's journal.
 */
struct dnssec_job;
int dnssec_begin(struct store *st, int64_t zone_id, struct change *c,
    time_t now, struct dnssec_job **out);
int dnssec_finish(struct dnssec_job *j, int64_t version_id);
void dnssec_job_free(struct dnssec_job *j);

/* 1 if ZONE_ID is signed (generated records stored), 0 if not. */
int dnssec_zone_signed(struct store *st, int64_t zone_id);

/* The keys of ZONE_ID (at most DNSSEC_MAXKEYS) into KEYS, by creation. */
int dnssec_keys_load(struct store *st, int64_t zone_id,
    struct keys_state *keys, size_t *n);
/* Replace the stored keys of ZONE_ID with the N of KEYS. */
int dnssec_keys_save(struct store *st, int64_t zone_id,
    const struct keys_state *keys, size_t n);

#endif
