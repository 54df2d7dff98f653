/*
 * tsig-openssl.c -- the HMAC algorithms of TSIG, on OpenSSL 3 (EVP_MAC).
 * The only file of hpagent that includes OpenSSL headers.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <pthread.h>
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

/*
 * Keyed HMAC contexts of the keys used last, copied for each new one
 * (EVP_MAC_CTX_dup): a signed transfer then pays neither OpenSSL's
 * fetches of HMAC and its digest by name nor the key's set-up, which cost
 * more than the HMAC of a small answer. A few, replaced in turn; freed
 * (key material cleansed by OpenSSL) when replaced.
 */
#define HMAC_KEPT	8
#define HMAC_KEPT_SECRET 128	/* longer secrets are not kept */
static struct {
	int alg;
	size_t len;
	uint8_t secret[HMAC_KEPT_SECRET];
	EVP_MAC_CTX *ctx;
} kept[HMAC_KEPT];
static unsigned kept_next;
static pthread_mutex_t kept_mu = PTHREAD_MUTEX_INITIALIZER;

/* A copy of the kept context of ALG and SECRET, or NULL. */
static EVP_MAC_CTX *
kept_dup(const struct tsig_alg *alg, const uint8_t *secret, size_t len)
{
	EVP_MAC_CTX *c = NULL;
	int i;

	pthread_mutex_lock(&kept_mu);
	for (i = 0; i < HMAC_KEPT; i++)
		if (kept[i].ctx != NULL && kept[i].alg == alg->id &&
		    kept[i].len == len &&
		    CRYPTO_memcmp(kept[i].secret, secret, len) == 0) {
			c = EVP_MAC_CTX_dup(kept[i].ctx);
			break;
		}
	pthread_mutex_unlock(&kept_mu);
	return c;
}

static void
kept_put(const struct tsig_alg *alg, const uint8_t *secret, size_t len,
    const EVP_MAC_CTX *ctx)
{
	EVP_MAC_CTX *c;
	unsigned i;

	if (len > HMAC_KEPT_SECRET || (c = EVP_MAC_CTX_dup(ctx)) == NULL)
		return;
	pthread_mutex_lock(&kept_mu);
	i = kept_next++ % HMAC_KEPT;
	EVP_MAC_CTX_free(kept[i].ctx);
	OPENSSL_cleanse(kept[i].secret, sizeof(kept[i].secret));
	kept[i].ctx = c;
	kept[i].alg = alg->id;
	kept[i].len = len;
	memcpy(kept[i].secret, secret, len);
	pthread_mutex_unlock(&kept_mu);
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
	if ((h->ctx = kept_dup(alg, secret, secret_len)) != NULL)
		return h;
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
	kept_put(alg, secret, secret_len, h->ctx);
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
