/*
 * routes.c -- the HTTP API's routes: a table of paths and methods, the
 * zone name in them, ?wait= and ?force= (see http.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <string.h>

#include "agent/http/http.h"
#include "dns/dname.h"
#include "dns/err.h"

#define HTTP_MAX_SEGMENTS	8

static const struct http_route_row {
	enum http_route_id id;
	int methods;
	const char *allow;
	const char *seg[4];	/* "*" is the zone name */
} http_routes[] = {
	{ HTTP_ROUTE_ZONES, HTTP_M_GET | HTTP_M_HEAD, "GET, HEAD",
	    { "v1", "zones", NULL } },
	{ HTTP_ROUTE_ZONE, HTTP_M_GET | HTTP_M_HEAD, "GET, HEAD",
	    { "v1", "zones", "*", NULL } },
	{ HTTP_ROUTE_STATUS, HTTP_M_GET | HTTP_M_HEAD, "GET, HEAD",
	    { "v1", "zones", "*", "status" } },
	{ HTTP_ROUTE_PUBLISH, HTTP_M_POST, "POST",
	    { "v1", "zones", "*", "publish" } },
	{ HTTP_ROUTE_ROLLBACK, HTTP_M_POST, "POST",
	    { "v1", "zones", "*", "rollback" } },
	{ HTTP_ROUTE_METRICS, HTTP_M_GET | HTTP_M_HEAD, "GET, HEAD",
	    { "metrics", NULL } },
};

int
http_zone_name(const char *in, size_t len, char *out, size_t outlen)
{
	size_t i;

	/* In a URL path: letters, digits, '-', '_' and dots; not the root. */
	for (i = 0; i < len; i++)
		if (!((in[i] >= 'a' && in[i] <= 'z') ||
		    (in[i] >= 'A' && in[i] <= 'Z') ||
		    (in[i] >= '0' && in[i] <= '9') || in[i] == '-' ||
		    in[i] == '_' || in[i] == '.'))
			return HP_EINVAL;
	if (len == 0 || (len == 1 && in[0] == '.'))
		return HP_EINVAL;
	return dname_norm(in, len, out, outlen, NULL);
}

/* Split PATH ("/a/b/c") into at most HTTP_MAX_SEGMENTS segments. */
static int
split_path(const char *path, const char **seg, size_t *seglen)
{
	const char *p = path, *e;
	int n = 0;

	if (path == NULL || path[0] != '/')
		return -1;
	while (*p == '/') {
		p++;
		e = p + strcspn(p, "/");
		if (e == p)
			return -1;	/* empty segment ("//", trailing '/') */
		if (n == HTTP_MAX_SEGMENTS)
			return -1;
		seg[n] = p;
		seglen[n] = (size_t)(e - p);
		n++;
		p = e;
	}
	return *p == '\0' ? n : -1;
}

static int
row_matches(const struct http_route_row *r, int n, const char **seg,
    const size_t *seglen, int *zone_at)
{
	int i;

	*zone_at = -1;
	for (i = 0; i < 4 && r->seg[i] != NULL; i++) {
		if (i >= n)
			return 0;
		if (strcmp(r->seg[i], "*") == 0) {
			*zone_at = i;
			continue;
		}
		if (seglen[i] != strlen(r->seg[i]) ||
		    memcmp(seg[i], r->seg[i], seglen[i]) != 0)
			return 0;
	}
	return i == n;
}

int
http_route(int method, const char *path, enum http_route_id *route,
    char *zone, size_t zonelen, const char **allow)
{
	const char *seg[HTTP_MAX_SEGMENTS];
	size_t seglen[HTTP_MAX_SEGMENTS], i;
	int n, zone_at;

	*route = HTTP_ROUTE_NONE;
	*allow = NULL;
	if (zonelen > 0)
		zone[0] = '\0';
	if ((n = split_path(path, seg, seglen)) < 0)
		return 404;
	for (i = 0; i < sizeof(http_routes) / sizeof(http_routes[0]); i++) {
		const struct http_route_row *r = &http_routes[i];

		if (!row_matches(r, n, seg, seglen, &zone_at))
			continue;
		if (!(method & r->methods)) {
			*allow = r->allow;
			return 405;
		}
		if (zone_at >= 0 && http_zone_name(seg[zone_at],
		    seglen[zone_at], zone, zonelen) != 0)
			return 400;
		*route = r->id;
		return 200;
	}
	return 404;
}

/* The value of NAME in QUERY into OUT (LEN octets): 1, 0 when absent,
 * HP_EINVAL for a query that does not parse or a value too long. */
static int
query_value(const char *query, const char *name, char *out, size_t len)
{
	struct evkeyvalq kv;
	const char *v;
	int ret = 0;

	if (query == NULL || query[0] == '\0')
		return 0;
	TAILQ_INIT(&kv);
	if (evhttp_parse_query_str(query, &kv) != 0)
		ret = HP_EINVAL;
	else if ((v = evhttp_find_header(&kv, name)) != NULL)
		ret = strlen(v) < len ? 1 : HP_EINVAL;
	if (ret == 1)
		memcpy(out, v, strlen(v) + 1);
	evhttp_clear_headers(&kv);
	return ret;
}

int
http_parse_wait(const char *query, int max_s, int *wait_s)
{
	char v[8];
	long n = 0;
	size_t i;
	int r;

	*wait_s = 0;
	if ((r = query_value(query, "wait", v, sizeof(v))) <= 0)
		return r;
	if (v[0] == '\0' || strlen(v) > 6)
		return HP_EINVAL;
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9')
			return HP_EINVAL;
		n = n * 10 + (v[i] - '0');
	}
	if (n > max_s)
		return HP_EINVAL;
	*wait_s = (int)n;
	return 0;
}

int
http_parse_force(const char *query, int *force)
{
	char v[4];
	int r;

	*force = 0;
	if ((r = query_value(query, "force", v, sizeof(v))) <= 0)
		return r;
	if (strcmp(v, "1") != 0 && strcmp(v, "0") != 0)
		return HP_EINVAL;
	*force = v[0] == '1';
	return 0;
}
