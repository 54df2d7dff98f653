/*
 * keys.h -- DNSSEC keys: the public state of a key as plain data, the
 * records made from it (DNSKEY, DS, CDS, CDNSKEY), and private keys.
 *
 * Crypto: private keys, key generation and signatures use OpenSSL
 * (keys-openssl.c), the library hpagent already uses for TSIG: ECDSA P-256
 * signing through OpenSSL measured 31.7k signatures/s on the reference
 * machine against 16.3k/s through libdnssec (GnuTLS/nettle), and private
 * keys never pass through a second crypto library. libdnssec (libknot-dev)
 * supplies what it does well without touching private keys: key tags,
 * key ids, DS digests and NSEC3 hashes; the unit tests use it as an
 * independent verifier of our signatures.
 *
 * struct keys_state is what the store keeps about a key: no pointers, so
 * it can be copied, compared and written as one row or one text line
 * (keys_state_format/parse). A key is identified by its id (40 hex
 * digits, libdnssec's key id: the keystore file name, as in Knot's PKCS#8
 * keystore) and shown by key tag + algorithm. Timestamps are unix
 * seconds; 0 means "not yet". The rollover logic (rollover.h) moves them.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_SIGNER_KEYS_H
#define HP_SIGNER_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define KEYS_ID_LEN	40
#define KEYS_PUB_MAX	520	/* RSA 4096: 3 + 512 octets of modulus */
#define KEYS_DNSKEY_MAX	(4 + KEYS_PUB_MAX)
#define KEYS_DS_MAX	(4 + 64)
#define KEYS_STATE_TEXT	1024	/* keys_state_format() buffer size */

#define KEYS_FLAG_ZONE	0x0100	/* DNSKEY flags: Zone Key */
#define KEYS_FLAG_SEP	0x0001	/* DNSKEY flags: Secure Entry Point */

#define KEYS_DIGEST_SHA256	2	/* DS digest type (RFC 4509) */

enum keys_role {
	KEYS_ZSK = 1,		/* signs the zone's RRsets */
	KEYS_KSK = 2,		/* signs DNSKEY, CDS, CDNSKEY; DS at the parent */
	KEYS_CSK = 3,		/* both */
};

struct keys_state {
	char id[KEYS_ID_LEN + 1];
	uint16_t keytag;
	uint8_t algorithm;
	uint8_t role;			/* enum keys_role */
	uint16_t publen;
	uint8_t pubkey[KEYS_PUB_MAX];	/* the DNSKEY Public Key field */
	int64_t created;
	int64_t publish;	/* in the DNSKEY RRset from */
	int64_t active;		/* signs from */
	int64_t ready;		/* KSK/CSK: known to resolvers; DS may point
				 * at it (CDS published) */
	int64_t ds_seen;	/* KSK/CSK: its DS is at the parent since */
	int64_t retire;		/* stops signing at */
	int64_t resigned;	/* ZSK: its last signature replaced at */
	int64_t remove;		/* leaves the DNSKEY RRset at */
	int64_t step;		/* time of the last change above */
	int64_t seen;		/* that change served by every secondary since
				 * (set by the caller: rollover.h) */
};

/* DNSKEY flags for the key's role: 257 for KSK and CSK, 256 for ZSK. */
uint16_t keys_flags(const struct keys_state *k);

/* Write the DNSKEY rdata of K to OUT (KEYS_DNSKEY_MAX bytes); returns its
 * length. */
size_t keys_dnskey_rdata(const struct keys_state *k, uint8_t *out);

/* The key tag (RFC 4034 Appendix B) of DNSKEY rdata. 0 or HP_EMALF. */
int keys_tag(const uint8_t *dnskey, size_t len, uint16_t *tag);

/* The key id (40 hex digits + NUL in ID) of DNSKEY rdata. 0 or error. */
int keys_id(const uint8_t *dnskey, size_t len, char id[KEYS_ID_LEN + 1]);

/*
 * DS rdata (RFC 4034 5.1, RFC 4509) for key K of zone APEX (wire name)
 * with DIGEST (KEYS_DIGEST_SHA256), into OUT (KEYS_DS_MAX bytes). Returns
 * the length, or a negative error. Also the rdata of CDS (RFC 7344).
 */
int keys_ds_rdata(const struct keys_state *k, const uint8_t *apex,
    uint8_t digest, uint8_t *out);

/* What K does at NOW, by its timestamps. */
int keys_published(const struct keys_state *k, int64_t now);
int keys_signs_zone(const struct keys_state *k, int64_t now);
int keys_signs_dnskey(const struct keys_state *k, int64_t now);

/* "ZSK", "KSK" or "CSK". */
const char *keys_role_name(uint8_t role);

/*
 * One line of text for K (no newline): "id=... tag=... alg=... role=csk
 * pub=BASE64 created=... publish=..." (timestamps in unix seconds, 0 for
 * unset). Writes at most KEYS_STATE_TEXT bytes. 0 or HP_ESPACE.
 */
int keys_state_format(const struct keys_state *k, char *buf, size_t size);

/* Parse what keys_state_format() wrote. Checks the id, the algorithm,
 * and that the tag matches the public key. 0 or HP_EPARSE. */
int keys_state_parse(const char *line, struct keys_state *k);

/*
 * Private keys (OpenSSL, keys-openssl.c). A struct keys_key holds one
 * private key and the contexts to sign with it; one thread at a time.
 */
struct keys_key;

/* A new private key for ALG; fills PUB (KEYS_PUB_MAX) and *PUBLEN with
 * its DNSKEY public key field. 0, HP_ENOTSUP, or HP_ECRYPTO. */
int keys_key_generate(uint8_t alg, struct keys_key **out, uint8_t *pub,
    uint16_t *publen);

/* The key as unencrypted PKCS#8 PEM in a buffer the caller frees with
 * keys_pem_free() (which wipes it). 0 or HP_ECRYPTO/HP_ENOMEM. */
int keys_key_to_pem(const struct keys_key *k, char **pem, size_t *len);
void keys_pem_free(char *pem, size_t len);

/* Load a PKCS#8 PEM private key for ALG; fills PUB/PUBLEN like
 * keys_key_generate. 0, HP_EINVALID (not a key of ALG), HP_ECRYPTO. */
int keys_key_from_pem(uint8_t alg, const char *pem, size_t len,
    struct keys_key **out, uint8_t *pub, uint16_t *publen);

void keys_key_free(struct keys_key *k);

/* The key's algorithm. */
uint8_t keys_key_algorithm(const struct keys_key *k);

/*
 * Sign DATA (LEN bytes) as DNSSEC algorithm of K requires: the signature
 * field of an RRSIG, to SIG (KEYS_SIG_MAX bytes), its length to *SIGLEN.
 * ECDSA signatures are r||s (RFC 6605), RSA PKCS#1 v1.5 (RFC 5702),
 * Ed25519 pure (RFC 8080). 0 or HP_ECRYPTO.
 */
#define KEYS_SIG_MAX	512
int keys_key_sign(struct keys_key *k, const uint8_t *data, size_t len,
    uint8_t *sig, size_t *siglen);

#endif
