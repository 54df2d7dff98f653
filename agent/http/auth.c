/*
 * auth.c -- the HTTP API's credentials: webhook signatures (HMAC-SHA256
 * of the body), GitLab's token, bearer tokens; every comparison in
 * constant time (see http.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <string.h>
#include <strings.h>

#include "agent/http/http.h"
#include "dns/err.h"

int
http_signature_ok(const char *secret, const char *hex, const void *body,
    size_t len)
{
	unsigned char want[EVP_MAX_MD_SIZE], got[SHA256_DIGEST_LENGTH];
	unsigned int wantlen = 0;
	size_t n = 0;
	int ok;

	if (secret == NULL || hex == NULL || strlen(hex) != 2 * sizeof(got))
		return 0;
	/* No separator ('\0'): exactly the hex digits, two per octet. */
	if (!OPENSSL_hexstr2buf_ex(got, sizeof(got), &n, hex, '\0') ||
	    n != sizeof(got)) {
		ERR_clear_error();
		return 0;
	}
	if (HMAC(EVP_sha256(), secret, (int)strlen(secret),
	    body != NULL ? body : (const void *)"", len, want, &wantlen) ==
	    NULL || wantlen != sizeof(got))
		return 0;
	ok = CRYPTO_memcmp(want, got, sizeof(got)) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

/* Constant-time equality of two strings of any lengths: compare their
 * SHA-256 digests. */
static int
token_eq(const char *a, const char *b)
{
	unsigned char da[SHA256_DIGEST_LENGTH], db[SHA256_DIGEST_LENGTH];

	if (a == NULL || b == NULL)
		return 0;
	if (SHA256((const unsigned char *)a, strlen(a), da) == NULL ||
	    SHA256((const unsigned char *)b, strlen(b), db) == NULL)
		return 0;
	return CRYPTO_memcmp(da, db, sizeof(da)) == 0;
}

/* "Bearer TOKEN" (scheme case-insensitive, RFC 9110 11.1) -> TOKEN. */
static const char *
bearer_token(const char *authorization)
{
	const char *p;

	if (strncasecmp(authorization, "Bearer ", 7) != 0)
		return NULL;
	for (p = authorization + 7; *p == ' '; p++)
		;
	return *p != '\0' ? p : NULL;
}

static int
check_bearer(const char *api_token, const char *authorization,
    const char **why)
{
	const char *tok;

	if ((tok = bearer_token(authorization)) == NULL) {
		*why = "malformed Authorization header (want: Bearer TOKEN)";
		return HP_EACCES;
	}
	if (api_token == NULL) {
		*why = "bearer token given but no api-token is configured";
		return HP_EACCES;
	}
	if (!token_eq(api_token, tok)) {
		*why = "wrong bearer token";
		return HP_EACCES;
	}
	return 0;
}

int
http_auth_check(const char *webhook_secret, const char *api_token,
    int method, const struct http_auth_input *in, const void *body,
    size_t len, const char **why)
{
	const char *sig;
	int presented = 0;

	*why = NULL;
	if (!(method & (HTTP_M_POST | HTTP_M_DELETE))) {
		if (api_token == NULL)
			return 0;
		if (in->authorization == NULL) {
			*why = "missing Authorization: Bearer token";
			return HP_EACCES;
		}
		return check_bearer(api_token, in->authorization, why);
	}
	if (webhook_secret == NULL && api_token == NULL) {
		*why = "no webhook-secret or api-token is configured";
		return HP_ENOTSUP;
	}
	if ((sig = in->hub_signature_256) != NULL) {
		presented++;
		if (webhook_secret == NULL) {
			*why = "signature given but no webhook-secret is "
			    "configured";
			return HP_EACCES;
		}
		if (strncmp(sig, "sha256=", 7) != 0) {
			*why = "malformed X-Hub-Signature-256 "
			    "(want: sha256=HEX)";
			return HP_EACCES;
		}
		if (!http_signature_ok(webhook_secret, sig + 7, body, len)) {
			*why = "X-Hub-Signature-256 does not match the body";
			return HP_EACCES;
		}
	}
	if ((sig = in->gitea_signature) != NULL) {
		presented++;
		if (webhook_secret == NULL) {
			*why = "signature given but no webhook-secret is "
			    "configured";
			return HP_EACCES;
		}
		if (!http_signature_ok(webhook_secret, sig, body, len)) {
			*why = "X-Gitea-Signature does not match the body";
			return HP_EACCES;
		}
	}
	if (in->gitlab_token != NULL) {
		presented++;
		if (webhook_secret == NULL ||
		    !token_eq(webhook_secret, in->gitlab_token)) {
			*why = "wrong X-Gitlab-Token";
			return HP_EACCES;
		}
	}
	if (in->authorization != NULL) {
		presented++;
		if (check_bearer(api_token, in->authorization, why) != 0)
			return HP_EACCES;
	}
	if (presented == 0) {
		*why = "missing signature or token (X-Hub-Signature-256, "
		    "X-Gitea-Signature, X-Gitlab-Token or Authorization)";
		return HP_EACCES;
	}
	return 0;
}
