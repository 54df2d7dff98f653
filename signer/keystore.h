/*
 * keystore.h -- a directory of private keys, one PKCS#8 PEM file per key
 * named ID.pem (ID from keys.h; the layout of Knot's PKCS#8 keystore).
 *
 * Files are created mode 0600 with O_CREAT|O_EXCL|O_NOFOLLOW (never over
 * an existing file, never through a symbolic link) and synced to disk
 * with their directory before keys_store_generate() returns: store the
 * key's state only after it has. Reading refuses symbolic links, files
 * that are not regular, and files readable or writable by group or
 * others (as ssh refuses such private keys). The directory is created
 * mode 0700 if asked; one writable by others is refused.
 *
 * Errors come back as a negative code plus a message for people in ERR
 * naming the file and the reason. No key material ever appears in a
 * message or a log line; PEM buffers are wiped after use.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_SIGNER_KEYSTORE_H
#define HP_SIGNER_KEYSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "signer/keys.h"

struct keys_store;

/*
 * Open the keystore directory DIR (created mode 0700 when CREATE is set
 * and it does not exist). 0, or a negative error with ERR set: the
 * directory is missing, not a directory, unreadable, or writable by
 * others.
 */
int keys_store_open(const char *dir, int create, struct keys_store **out,
    char *err, size_t errlen);
void keys_store_close(struct keys_store *ks);

/*
 * Generate a key of algorithm ALG and ROLE (enum keys_role) at NOW, write
 * its private key to the store, and fill *ST (id, tag, algorithm, role,
 * public key, created = NOW; no other timestamps). Key tags in AVOID
 * (NAVOID of them: the zone's other keys) are avoided by generating
 * again. *KEY (if KEY is not NULL) gets the private key, ready to sign.
 */
int keys_store_generate(struct keys_store *ks, uint8_t alg, uint8_t role,
    const uint16_t *avoid, size_t navoid, int64_t now, struct keys_state *st,
    struct keys_key **key, char *err, size_t errlen);

/*
 * Load the private key of ST. Fails with ERR set if the file is missing,
 * unreadable, too open, not a key of ST's algorithm, or a key whose
 * public part differs from ST's.
 */
int keys_store_load(struct keys_store *ks, const struct keys_state *st,
    struct keys_key **out, char *err, size_t errlen);

/* Delete the private key of ID (after its key left the zone). */
int keys_store_remove(struct keys_store *ks, const char *id, char *err,
    size_t errlen);

#endif
