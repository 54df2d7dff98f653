/*
 * tsig-openssl.c -- the HMAC algorithms of TSIG, on OpenSSL 3 (EVP_MAC).
 * The only file of hpagent that includes OpenSSL headers.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "dns/err.h"
#include "dns/tsig.h"

/* The algorithm table (RFC 8945 6, RFC 4635). Row order = id. */
static const struct tsig_alg algs[] = {
	{ "hmac-md5", (const uint8_t *)
	    "\x08hmac-md5\x07sig-alg\x03reg\x03int", 16, 0 },
	{ "hmac-sha1", (const uint8_t *)"\x09hmac-sha1", 20, 1 },
	{ "hmac-sha224", (const uint8_t *)"\x0bhmac-sha224", 28, 2 },
	{ "hmac-sha256", (const uint8_t *)"\x0bhmac-sha256", 32, 3 },
	{ "hmac-sha384", (const uint8_t *)"\x0bhmac-sha384", 48, 4 },
	{ "hmac-sha512", (const uint8_t *)"\x0bhmac-sha512", 64, 5 },
};

/* The digest of each row, by id. */
static const EVP_MD *(*const alg_md[])(void) = {
	EVP_md5, EVP_sha1, EVP_sha224, EVP_sha256, EVP_sha384, EVP_sha512,
};

#define NALGS (sizeof(algs) / sizeof(algs[0]))

struct tsig_hmac {
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
	const struct tsig_alg *alg;
};

const struct tsig_alg *
tsig_alg_table(size_t *count)
{
	*count = NALGS;
	return algs;
}

struct tsig_hmac *
tsig_hmac_new(const struct tsig_alg *alg, const uint8_t *secret,
    size_t secret_len)
{
	struct tsig_hmac *h;
	OSSL_PARAM params[2];
	const EVP_MD *md;

	if (alg == NULL || alg->id < 0 || (size_t)alg->id >= NALGS ||
	    secret_len == 0)
		return NULL;
	md = alg_md[alg->id]();
	if (md == NULL)
		return NULL;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	h->alg = alg;
	h->mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
	if (h->mac != NULL)
		h->ctx = EVP_MAC_CTX_new(h->mac);
	if (h->ctx == NULL)
		goto fail;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)(uintptr_t)EVP_MD_get0_name(md), 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(h->ctx, secret, secret_len, params) != 1)
		goto fail;
	return h;
fail:
	tsig_hmac_free(h);
	return NULL;
}

/* Restart with the same key (EVP_MAC_init with a NULL key keeps it). */
int
tsig_hmac_reset(struct tsig_hmac *h)
{
	if (EVP_MAC_init(h->ctx, NULL, 0, NULL) != 1)
		return HP_ECRYPTO;
	return 0;
}

int
tsig_hmac_update(struct tsig_hmac *h, const void *data, size_t len)
{
	if (len == 0)
		return 0;
	if (EVP_MAC_update(h->ctx, data, len) != 1)
		return HP_ECRYPTO;
	return 0;
}

int
tsig_hmac_final(struct tsig_hmac *h, uint8_t *out, size_t *outlen)
{
	size_t n = 0;

	if (EVP_MAC_final(h->ctx, out, &n, TSIG_MAX_DIGEST) != 1 ||
	    n != h->alg->digest_size)
		return HP_ECRYPTO;
	*outlen = n;
	return 0;
}

void
tsig_hmac_free(struct tsig_hmac *h)
{
	if (h == NULL)
		return;
	EVP_MAC_CTX_free(h->ctx);
	EVP_MAC_free(h->mac);
	free(h);
}

int
tsig_memcmp(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len);
}
