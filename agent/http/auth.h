/*
 * auth.h -- a request's credentials (auth.c): the API token, the webhook
 * signatures (GitHub, Gitea, GitLab's token), checked on the head before
 * any body is read, then on the body. The rules are in http.h.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_HTTP_AUTH_H
#define HP_HTTP_AUTH_H

#include <stddef.h>

struct evbuffer;

/* Credentials presented with a request (NULL: header absent). */
struct http_auth_input {
	const char *hub_signature_256;	/* X-Hub-Signature-256 */
	const char *gitea_signature;	/* X-Gitea-Signature */
	const char *gitlab_token;	/* X-Gitlab-Token */
	const char *authorization;	/* Authorization */
};

/* What let a request in (http_auth_headers, http_auth_check *HOW). */
#define HTTP_AUTH_OPEN		0	/* a GET with no api-token configured */
#define HTTP_AUTH_TOKEN		1	/* a bearer token or X-Gitlab-Token */
#define HTTP_AUTH_SIGNATURE	2	/* only a signature of the body */

#define HTTP_DELIVERY_MAX	128	/* octets of a delivery id */

/*
 * The rules above on what the head of a request with method METHOD
 * (HTTP_M_*) says, before any body: tokens are checked, signatures only
 * for their form. Returns 0 with *HOW set (HTTP_AUTH_SIGNATURE: the
 * signature must still be checked against the body), HP_EACCES (401: *WHY
 * says why, never echoing a secret) or HP_ENOTSUP (403: POST with nothing
 * configured).
 */
int http_auth_headers(const char *webhook_secret, const char *api_token,
    int method, const struct http_auth_input *in, int *how,
    const char **why);
/* The same with the body (NULL: none): the signatures are checked too,
 * over the buffer's pieces (no copy of a body that may be refused). */
int http_auth_check(const char *webhook_secret, const char *api_token,
    int method, const struct http_auth_input *in, struct evbuffer *body,
    int *how, const char **why);

/* 1 when HEX (64 hex digits, either case) is HMAC-SHA256(SECRET, BODY). */
int http_signature_ok(const char *secret, const char *hex, const void *body,
    size_t len);
/* The same over the octets of an evbuffer (NULL: empty). */
int http_signature_ok_buf(const char *secret, const char *hex,
    struct evbuffer *body);

#endif
