/*
 * auth.c -- the HTTP API's credentials: webhook signatures (HMAC-SHA256
 * of the body), GitLab's token, bearer tokens; every comparison in
 * constant time (see http.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <event2/buffer.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/sha.h>
#include <string.h>
#include <strings.h>

#include "agent/http/http.h"
#include "dns/err.h"
#include "dns/tsig.h"

int
http_signature_ok(const char *secret, const char *hex, const void *body,
    size_t len)
{
	struct evbuffer *b;
	int ok;

	if ((b = evbuffer_new()) == NULL)
		return 0;
	ok = (len == 0 || evbuffer_add_reference(b, body, len, NULL,
	    NULL) == 0) && http_signature_ok_buf(secret, hex, b);
	evbuffer_free(b);
	return ok;
}

int
http_signature_ok_buf(const char *secret, const char *hex,
    struct evbuffer *body)
{
	uint8_t want[TSIG_MAX_DIGEST], got[SHA256_DIGEST_LENGTH];
	struct evbuffer_iovec v[16];
	struct evbuffer_ptr at;
	struct tsig_hmac *h;
	size_t n = 0, wantlen = 0, left;
	int ok, i, k;

	if (secret == NULL || hex == NULL || strlen(hex) != 2 * sizeof(got))
		return 0;
	/* No separator ('\0'): exactly the hex digits, two per octet. */
	if (!OPENSSL_hexstr2buf_ex(got, sizeof(got), &n, hex, '\0') ||
	    n != sizeof(got)) {
		ERR_clear_error();
		return 0;
	}
	/* Over the pieces evhttp holds: no copy of a body that may be
	 * refused. The incremental HMAC is TSIG's (dns/tsig.h). */
	if ((h = tsig_hmac_new(tsig_alg_by_name("hmac-sha256"),
	    (const uint8_t *)secret, strlen(secret))) == NULL)
		return 0;
	left = body != NULL ? evbuffer_get_length(body) : 0;
	ok = left == 0 || evbuffer_ptr_set(body, &at, 0,
	    EVBUFFER_PTR_SET) == 0;
	while (ok && left > 0) {
		if ((k = evbuffer_peek(body, -1, &at, v, 16)) <= 0)
			break;
		for (i = 0; i < k && i < 16 && ok && left > 0; i++) {
			n = v[i].iov_len < left ? v[i].iov_len : left;
			ok = tsig_hmac_update(h, v[i].iov_base, n) == 0;
			left -= n;
			if (ok && left > 0)
				ok = evbuffer_ptr_set(body, &at, n,
				    EVBUFFER_PTR_ADD) == 0;
		}
	}
	ok = ok && left == 0 && tsig_hmac_final(h, want, &wantlen) == 0 &&
	    wantlen == sizeof(got) && CRYPTO_memcmp(want, got,
	    sizeof(got)) == 0;
	tsig_hmac_free(h);
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

/* A signature header's hex part: 64 hex digits (the HMAC is checked with
 * the body). */
static int
hex64(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return i == 2 * SHA256_DIGEST_LENGTH;
}

int
http_auth_headers(const char *webhook_secret, const char *api_token,
    int method, const struct http_auth_input *in, int *how,
    const char **why)
{
	int token_ok = 0, sigs = 0;

	*why = NULL;
	*how = HTTP_AUTH_OPEN;
	if (!(method & (HTTP_M_POST | HTTP_M_DELETE))) {
		if (api_token == NULL)
			return 0;
		if (in->authorization == NULL) {
			*why = "missing Authorization: Bearer token";
			return HP_EACCES;
		}
		*how = HTTP_AUTH_TOKEN;
		return check_bearer(api_token, in->authorization, why);
	}
	if (webhook_secret == NULL && api_token == NULL) {
		*why = "no webhook-secret or api-token is configured";
		return HP_ENOTSUP;
	}
	if (in->hub_signature_256 != NULL) {
		sigs++;
		if (webhook_secret == NULL) {
			*why = "signature given but no webhook-secret is "
			    "configured";
			return HP_EACCES;
		}
		if (strncmp(in->hub_signature_256, "sha256=", 7) != 0 ||
		    !hex64(in->hub_signature_256 + 7)) {
			*why = "malformed X-Hub-Signature-256 "
			    "(want: sha256=HEX)";
			return HP_EACCES;
		}
	}
	if (in->gitea_signature != NULL) {
		sigs++;
		if (webhook_secret == NULL) {
			*why = "signature given but no webhook-secret is "
			    "configured";
			return HP_EACCES;
		}
		if (!hex64(in->gitea_signature)) {
			*why = "malformed X-Gitea-Signature (want: HEX)";
			return HP_EACCES;
		}
	}
	if (in->gitlab_token != NULL) {
		if (webhook_secret == NULL ||
		    !token_eq(webhook_secret, in->gitlab_token)) {
			*why = "wrong X-Gitlab-Token";
			return HP_EACCES;
		}
		token_ok = 1;
	}
	if (in->authorization != NULL) {
		if (check_bearer(api_token, in->authorization, why) != 0)
			return HP_EACCES;
		token_ok = 1;
	}
	if (!token_ok && sigs == 0) {
		*why = "missing signature or token (X-Hub-Signature-256, "
		    "X-Gitea-Signature, X-Gitlab-Token or Authorization)";
		return HP_EACCES;
	}
	/* A DELETE has no body: a signature would cover nothing, the same
	 * for every zone, and could be replayed against any of them. */
	if (!token_ok && (method & HTTP_M_DELETE)) {
		*why = "a DELETE needs a token (Authorization: Bearer); a "
		    "signature covers a body, and a DELETE has none";
		return HP_EACCES;
	}
	*how = token_ok ? HTTP_AUTH_TOKEN : HTTP_AUTH_SIGNATURE;
	return 0;
}

int
http_auth_check(const char *webhook_secret, const char *api_token,
    int method, const struct http_auth_input *in, struct evbuffer *body,
    int *how, const char **why)
{
	int r;

	if ((r = http_auth_headers(webhook_secret, api_token, method, in,
	    how, why)) != 0 || !(method & (HTTP_M_POST | HTTP_M_DELETE)))
		return r;
	/* Every credential presented must hold: the signatures too. */
	if (in->hub_signature_256 != NULL &&
	    !http_signature_ok_buf(webhook_secret, in->hub_signature_256 + 7,
	    body)) {
		*why = "X-Hub-Signature-256 does not match the body";
		return HP_EACCES;
	}
	if (in->gitea_signature != NULL &&
	    !http_signature_ok_buf(webhook_secret, in->gitea_signature,
	    body)) {
		*why = "X-Gitea-Signature does not match the body";
		return HP_EACCES;
	}
	return 0;
}
