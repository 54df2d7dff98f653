/*
 * keys-openssl.c -- private keys and signatures on OpenSSL 3 (keys.h).
 * Every digest and signature context is made once per key and reused:
 * per-signature set-up dominated the cost of an ECDSA signature.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "dns/err.h"
#include "signer/keys.h"
#include "signer/policy.h"

#define RSA_BITS	2048

struct keys_key {
	EVP_PKEY *pkey;
	EVP_PKEY_CTX *pctx;	/* ECDSA, RSA: signs a SHA-256 digest */
	EVP_MD_CTX *mdctx;	/* digest (ECDSA, RSA) or one-shot (Ed25519) */
	EVP_MD *sha256;
	uint8_t alg;
};

void
keys_key_free(struct keys_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_CTX_free(k->pctx);
	EVP_MD_CTX_free(k->mdctx);
	EVP_MD_free(k->sha256);
	EVP_PKEY_free(k->pkey);
	free(k);
}

uint8_t
keys_key_algorithm(const struct keys_key *k)
{
	return k->alg;
}

static int
bn_field(const EVP_PKEY *pkey, const char *name, BIGNUM **out)
{
	*out = NULL;
	return EVP_PKEY_get_bn_param(pkey, name, out) == 1 ? 0 : HP_ECRYPTO;
}

/* The DNSKEY public key field: RFC 6605 4 (x||y), RFC 8080 3 (raw),
 * RFC 3110 2 (exponent length, exponent, modulus). */
static int
public_field(const struct keys_key *k, uint8_t *pub, uint16_t *publen)
{
	BIGNUM *x = NULL, *y = NULL;
	size_t len = KEYS_PUB_MAX;
	int elen, nlen, ret = HP_ECRYPTO;

	switch (k->alg) {
	case SIGN_ALG_ECDSAP256SHA256:
		if (bn_field(k->pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) < 0 ||
		    bn_field(k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) < 0 ||
		    BN_bn2binpad(x, pub, 32) != 32 ||
		    BN_bn2binpad(y, pub + 32, 32) != 32)
			break;
		*publen = 64;
		ret = 0;
		break;
	case SIGN_ALG_ED25519:
		if (EVP_PKEY_get_raw_public_key(k->pkey, pub, &len) != 1 ||
		    len != 32)
			break;
		*publen = 32;
		ret = 0;
		break;
	case SIGN_ALG_RSASHA256:
		/* x: exponent, y: modulus */
		if (bn_field(k->pkey, OSSL_PKEY_PARAM_RSA_E, &x) < 0 ||
		    bn_field(k->pkey, OSSL_PKEY_PARAM_RSA_N, &y) < 0)
			break;
		elen = BN_num_bytes(x);
		nlen = BN_num_bytes(y);
		if (elen < 1 || elen > 255 || 1 + elen + nlen > KEYS_PUB_MAX)
			break;
		pub[0] = (uint8_t)elen;
		BN_bn2bin(x, pub + 1);
		BN_bn2bin(y, pub + 1 + elen);
		*publen = (uint16_t)(1 + elen + nlen);
		ret = 0;
		break;
	default:
		ret = HP_ENOTSUP;
	}
	BN_free(x);
	BN_free(y);
	return ret;
}

/* Is PKEY a key of algorithm ALG? */
static int
key_matches(EVP_PKEY *pkey, uint8_t alg)
{
	char group[64];
	size_t glen = 0;

	switch (alg) {
	case SIGN_ALG_ECDSAP256SHA256:
		if (!EVP_PKEY_is_a(pkey, "EC") ||
		    EVP_PKEY_get_utf8_string_param(pkey,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
		    &glen) != 1)
			return 0;
		return strcmp(group, "prime256v1") == 0 ||
		    strcmp(group, "P-256") == 0;
	case SIGN_ALG_ED25519:
		return EVP_PKEY_is_a(pkey, "ED25519");
	case SIGN_ALG_RSASHA256:
		return EVP_PKEY_is_a(pkey, "RSA") &&
		    EVP_PKEY_get_bits(pkey) >= 1024 &&
		    EVP_PKEY_get_bits(pkey) <= 4096;
	default:
		return 0;
	}
}

/* Wrap PKEY (taking it) with its signing contexts. */
static int
key_wrap(EVP_PKEY *pkey, uint8_t alg, struct keys_key **out)
{
	struct keys_key *k;

	if ((k = calloc(1, sizeof(*k))) == NULL) {
		EVP_PKEY_free(pkey);
		return HP_ENOMEM;
	}
	k->pkey = pkey;
	k->alg = alg;
	if ((k->mdctx = EVP_MD_CTX_new()) == NULL)
		goto fail;
	if (alg != SIGN_ALG_ED25519) {
		if ((k->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL ||
		    (k->pctx = EVP_PKEY_CTX_new(pkey, NULL)) == NULL ||
		    EVP_PKEY_sign_init(k->pctx) != 1 ||
		    EVP_PKEY_CTX_set_signature_md(k->pctx, k->sha256) != 1)
			goto fail;
		if (alg == SIGN_ALG_RSASHA256 &&
		    EVP_PKEY_CTX_set_rsa_padding(k->pctx,
		    RSA_PKCS1_PADDING) != 1)
			goto fail;
	}
	*out = k;
	return 0;
fail:
	keys_key_free(k);
	return HP_ECRYPTO;
}

/* Wrap PKEY (taking it) with its signing contexts and read its public
 * key field. */
static int
key_finish(EVP_PKEY *pkey, uint8_t alg, struct keys_key **out,
    uint8_t *pub, uint16_t *publen)
{
	struct keys_key *k;
	int ret;

	if ((ret = key_wrap(pkey, alg, &k)) < 0)
		return ret;
	if ((ret = public_field(k, pub, publen)) < 0) {
		keys_key_free(k);
		return ret;
	}
	*out = k;
	return 0;
}

int
keys_key_generate(uint8_t alg, struct keys_key **out, uint8_t *pub,
    uint16_t *publen)
{
	EVP_PKEY *pkey;

	switch (alg) {
	case SIGN_ALG_ECDSAP256SHA256:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case SIGN_ALG_ED25519:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	case SIGN_ALG_RSASHA256:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)RSA_BITS);
		break;
	default:
		return HP_ENOTSUP;
	}
	if (pkey == NULL)
		return HP_ECRYPTO;
	return key_finish(pkey, alg, out, pub, publen);
}

void
keys_pem_free(char *pem, size_t len)
{
	if (pem == NULL)
		return;
	OPENSSL_cleanse(pem, len);
	free(pem);
}

int
keys_key_to_pem(const struct keys_key *k, char **pem, size_t *len)
{
	BIO *b;
	char *data, *copy;
	long n;
	int ret = HP_ECRYPTO;

	if ((b = BIO_new(BIO_s_secmem())) == NULL)
		return HP_ECRYPTO;
	/* PKCS#8, unencrypted: what Knot's keystore and BIND can read */
	if (PEM_write_bio_PrivateKey(b, k->pkey, NULL, NULL, 0, NULL,
	    NULL) != 1)
		goto out;
	if ((n = BIO_get_mem_data(b, &data)) <= 0)
		goto out;
	ret = HP_ENOMEM;
	if ((copy = malloc((size_t)n + 1)) == NULL)
		goto out;
	memcpy(copy, data, (size_t)n);
	copy[n] = '\0';
	*pem = copy;
	*len = (size_t)n;
	ret = 0;
out:
	BIO_free(b);
	return ret;
}

int
keys_key_from_pem(uint8_t alg, const char *pem, size_t len,
    struct keys_key **out, uint8_t *pub, uint16_t *publen)
{
	EVP_PKEY *pkey;
	BIO *b;

	if (len > INT32_MAX || (b = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return HP_ECRYPTO;
	pkey = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	if (pkey == NULL)
		return HP_EINVALID;
	if (!key_matches(pkey, alg)) {
		EVP_PKEY_free(pkey);
		return HP_EINVALID;
	}
	return key_finish(pkey, alg, out, pub, publen);
}

/* ECDSA: DER SEQUENCE { r, s } to the fixed r||s of RFC 6605. */
static int
ecdsa_raw(const uint8_t *der, size_t len, uint8_t *sig, size_t *siglen)
{
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *es;
	int ret = HP_ECRYPTO;

	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL)
		return HP_ECRYPTO;
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, sig, 32) == 32 && BN_bn2binpad(s, sig + 32,
	    32) == 32) {
		*siglen = 64;
		ret = 0;
	}
	ECDSA_SIG_free(es);
	return ret;
}

int
keys_key_sign(struct keys_key *k, const uint8_t *data, size_t len,
    uint8_t *sig, size_t *siglen)
{
	uint8_t digest[EVP_MAX_MD_SIZE], der[160];
	unsigned int dlen = 0;
	size_t slen;

	if (k->alg == SIGN_ALG_ED25519) {
		slen = KEYS_SIG_MAX;
		if (EVP_DigestSignInit_ex(k->mdctx, NULL, NULL, NULL, NULL,
		    k->pkey, NULL) != 1 ||
		    EVP_DigestSign(k->mdctx, sig, &slen, data, len) != 1)
			return HP_ECRYPTO;
		*siglen = slen;
		return 0;
	}
	if (EVP_DigestInit_ex(k->mdctx, k->sha256, NULL) != 1 ||
	    EVP_DigestUpdate(k->mdctx, data, len) != 1 ||
	    EVP_DigestFinal_ex(k->mdctx, digest, &dlen) != 1)
		return HP_ECRYPTO;
	if (k->alg == SIGN_ALG_ECDSAP256SHA256) {
		slen = sizeof(der);
		if (EVP_PKEY_sign(k->pctx, der, &slen, digest, dlen) != 1)
			return HP_ECRYPTO;
		return ecdsa_raw(der, slen, sig, siglen);
	}
	slen = KEYS_SIG_MAX;
	if (EVP_PKEY_sign(k->pctx, sig, &slen, digest, dlen) != 1)
		return HP_ECRYPTO;
	*siglen = slen;
	return 0;
}
