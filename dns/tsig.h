/*
 * tsig.h -- TSIG (RFC 8945): keys, HMACs, signing and verifying messages.
 *
 * Algorithms are rows of a table registered by tsig-openssl.c (the only
 * file that includes OpenSSL): hmac-md5 (hmac-md5.sig-alg.reg.int.),
 * hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512.
 *
 * A struct tsig_ctx carries one exchange: the key, the MAC of the previous
 * message (request MAC, or the last MAC of a multi-message response) and
 * what the next sign/verify must do. Typical use:
 *
 *   server   tsig_server_verify(&ctx, &req, lookup, arg, now)
 *            -> 0, or HP_EBADKEY/HP_EBADSIG/HP_EBADTIME (answer NOTAUTH
 *            with the TSIG error tsig_sign() writes from CTX), HP_ENOTSIG
 *            (unsigned: the caller's policy), HP_EMALF (FORMERR)
 *            then tsig_sign(&ctx, ...) on each response message
 *            (RFC 8945 5.3.1: hpagent signs every message).
 *   client   tsig_ctx_init(&ctx, &key, fudge); tsig_sign(&ctx, ...request)
 *            then tsig_client_verify(&ctx, &resp, now) on each response
 *            message and tsig_client_finish(&ctx) after the last one.
 *
 * "now" is always passed in (seconds since the epoch) so tests can skew
 * the clock. Secrets are wiped by tsig_key_clear(); never logged.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_TSIG_H
#define HP_TSIG_H

#include <stddef.h>
#include <stdint.h>

#include "dns/dname.h"
#include "dns/pkt.h"

#define TSIG_MAX_DIGEST		64	/* SHA-512 */
#define TSIG_MAX_SECRET		256
#define TSIG_DEFAULT_FUDGE	300
/* The largest fudge a request may claim by default: a signature made
 * 65535 s away from our clock is not "recent" (RFC 8945 10). */
#define TSIG_MAX_FUDGE		300
/* RFC 8945 5.3.1: at most 99 unsigned messages between signed ones. */
#define TSIG_MAX_UNSIGNED	99

/* One HMAC algorithm (a row of the table). */
struct tsig_alg {
	const char *name;		/* "hmac-sha256" */
	const uint8_t *wire;		/* wire name, "\x0bhmac-sha256\x00" */
	size_t digest_size;		/* bytes of the full MAC */
	int id;				/* index for the crypto backend */
};

/* Algorithm by short name ("hmac-sha256", case-insensitive; a final dot
 * and the long "hmac-md5.sig-alg.reg.int" are accepted), or NULL. */
const struct tsig_alg *tsig_alg_by_name(const char *name);
/* Algorithm by wire name (case-insensitive), or NULL. */
const struct tsig_alg *tsig_alg_by_wire(const uint8_t *wire);
/* The table, for iteration: *COUNT gets the number of rows. */
const struct tsig_alg *tsig_alg_table(size_t *count);

struct tsig_key {
	uint8_t name[DNAME_MAXLEN];	/* wire, lowercase */
	size_t name_len;
	const struct tsig_alg *alg;
	uint8_t secret[TSIG_MAX_SECRET];
	size_t secret_len;
};

/* Key from its NAME (text), ALG name and SECRET (base64, as in
 * knot.conf / nsd.conf / named.conf). 0, HP_EPARSE (name or base64),
 * HP_ENOTSUP (algorithm), HP_ETOOBIG (secret over TSIG_MAX_SECRET). */
int tsig_key_init(struct tsig_key *k, const char *name, const char *alg,
    const char *secret_b64);
/* As tsig_key_init() with the raw SECRET bytes. */
int tsig_key_init_raw(struct tsig_key *k, const char *name, const char *alg,
    const uint8_t *secret, size_t secret_len);
/* Key from "[alg:]name:secret" (dig/kdig -y form; alg defaults to
 * hmac-sha256). Same returns as tsig_key_init(). */
int tsig_key_parse(struct tsig_key *k, const char *spec);
/* Wipe the secret. */
void tsig_key_clear(struct tsig_key *k);
/* 1 when A and B are the same key: name, algorithm and secret. */
int tsig_key_equal(const struct tsig_key *a, const struct tsig_key *b);

/* Base64 (RFC 4648, padding required, no whitespace) to OUT (capacity
 * CAP); *OUTLEN the length. 0, HP_EPARSE or HP_ESPACE. */
/* LEN octets of IN as base64 text (padded, NUL-terminated) into OUT of
 * CAP bytes: the text's length, or 0 when CAP is too small. */
size_t tsig_b64_encode(const uint8_t *in, size_t len, char *out, size_t cap);
int tsig_b64_decode(const char *text, uint8_t *out, size_t cap,
    size_t *outlen);

/*
 * Low-level incremental HMAC (tsig-openssl.c). tsig_hmac_new() returns
 * NULL when out of memory or OpenSSL fails. tsig_hmac_final() writes
 * alg->digest_size bytes to OUT (TSIG_MAX_DIGEST is always enough); the
 * handle can then be freed or restarted with tsig_hmac_reset().
 */
struct tsig_hmac;
struct tsig_hmac *tsig_hmac_new(const struct tsig_alg *alg,
    const uint8_t *secret, size_t secret_len);
int tsig_hmac_reset(struct tsig_hmac *h);
int tsig_hmac_update(struct tsig_hmac *h, const void *data, size_t len);
int tsig_hmac_final(struct tsig_hmac *h, uint8_t *out, size_t *outlen);
void tsig_hmac_free(struct tsig_hmac *h);
/* Constant-time comparison (CRYPTO_memcmp): 0 when equal. */
int tsig_memcmp(const void *a, const void *b, size_t len);

/* The parsed RDATA of a TSIG RR (RFC 8945 4.2). Pointers into the message. */
struct tsig_rr {
	uint8_t key_name[DNAME_MAXLEN];	/* owner */
	size_t key_name_len;
	uint8_t alg_name[DNAME_MAXLEN];
	size_t alg_name_len;
	uint64_t time_signed;
	uint16_t fudge;
	uint16_t mac_size;
	const uint8_t *mac;
	uint16_t orig_id;
	uint16_t error;
	uint16_t other_len;
	const uint8_t *other;
};

/* Parse the TSIG RR of P (at p->tsig_off) into RR. 0, HP_ENOTSIG or
 * HP_EMALF (also for class other than ANY or TTL other than 0). */
int tsig_rr_parse(const struct pkt *p, struct tsig_rr *rr);

struct tsig_ctx {
	const struct tsig_key *key;	/* NULL after BADKEY */
	uint16_t fudge;
	uint16_t error;			/* TSIG error to send (0, 16, 17, 18) */
	uint64_t req_time;		/* Time Signed of the request (BADTIME) */
	uint8_t mac[TSIG_MAX_DIGEST];	/* previous MAC; mac_len 0 = none */
	size_t mac_len;
	unsigned nsigned;		/* messages signed / verified so far */
	unsigned unsigned_run;		/* client: unsigned messages pending */
	struct tsig_hmac *run;		/* client: digest over those */
	/* For error answers when the key is unknown (BADKEY). */
	uint8_t key_name[DNAME_MAXLEN];
	size_t key_name_len;
	uint8_t alg_name[DNAME_MAXLEN];
	size_t alg_name_len;
};

/* Start a context for KEY (may be NULL for an empty server context) with
 * FUDGE seconds (0 = TSIG_DEFAULT_FUDGE). KEY must outlive CTX. */
void tsig_ctx_init(struct tsig_ctx *ctx, const struct tsig_key *key,
    uint16_t fudge);
/* Release what CTX holds (the running HMAC); wipe the MAC. */
void tsig_ctx_deinit(struct tsig_ctx *ctx);

/* Key lookup for servers: the key with wire NAME (lowercase) and ALG, or
 * NULL. ALG is NULL when the algorithm is unknown to hpagent. */
typedef const struct tsig_key *(*tsig_lookup_fn)(void *arg,
    const uint8_t *name, const struct tsig_alg *alg);

/*
 * Server side: verify request P at time NOW, accepting at most MAX_FUDGE
 * seconds between its Time Signed and NOW whatever Fudge it claims (0: the
 * request's own Fudge; RFC 8945 5.2.3 trusts it, NSD and Knot do too; a
 * captured request then stays valid for up to 18 hours). CTX is initialised here,
 * overwriting it: a CTX used before must first be tsig_ctx_deinit()ed,
 * or its HMAC leaks; call tsig_ctx_deinit() when done. Returns 0 (CTX ready to sign the
 * responses), HP_ENOTSIG (no TSIG; CTX has no key), HP_EMALF (bad TSIG
 * RR: answer FORMERR), or HP_EBADKEY / HP_EBADSIG / HP_EBADTIME: then
 * ctx->error is set, and tsig_sign() on the NOTAUTH answer writes the
 * error TSIG RFC 8945 5.2.3 asks for (BADKEY/BADSIG unsigned, MAC size 0;
 * BADTIME signed with the server time in Other Data).
 */
int tsig_server_verify(struct tsig_ctx *ctx, const struct pkt *p,
    tsig_lookup_fn lookup, void *arg, uint64_t now, uint16_t max_fudge);

/*
 * Bytes to keep free at the end of each message for the TSIG RR that
 * tsig_sign() will append with CTX (owner, algorithm, MAC, other data).
 */
size_t tsig_reserve(const struct tsig_ctx *ctx);

/*
 * Sign the message MSG (*LEN bytes, capacity CAP) and append the TSIG RR
 * in place, incrementing ARCOUNT; *LEN grows. The MAC covers the prior
 * MAC in CTX when there is one (a response: the request MAC first, then
 * RFC 8945 5.3.1 chaining with only the timers for every later message),
 * and CTX keeps the new MAC for the next message. 0, HP_ESPACE (message
 * unchanged), HP_EINVAL (no key and no error to report), HP_ECRYPTO.
 */
int tsig_sign(struct tsig_ctx *ctx, uint8_t *msg, size_t *len, size_t cap,
    uint64_t now);

/*
 * Client side: check response message P (one of possibly many) against
 * the request signed with CTX. The first message must be signed; later
 * unsigned ones are folded into a running digest, up to
 * TSIG_MAX_UNSIGNED in a row. Returns 0 (verified, or unsigned and
 * accepted for now), HP_ENOTSIG (required signature missing),
 * HP_EBADKEY (other key/algorithm), HP_EBADSIG, HP_EBADTIME, HP_EMALF;
 * also HP_EBADKEY/HP_EBADSIG/HP_EBADTIME when the server's TSIG reports
 * that error (ctx->error then holds it).
 */
int tsig_client_verify(struct tsig_ctx *ctx, const struct pkt *p,
    uint64_t now);

/* After the last response message: 0 if it was signed and verified,
 * HP_ENOTSIG if unsigned messages were left at the end. */
int tsig_client_finish(const struct tsig_ctx *ctx);

#endif
