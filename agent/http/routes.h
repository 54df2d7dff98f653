/*
 * routes.h -- the API's routes (routes.c): a request's method and path to
 * a route and its zone, and the query parameters the routes take. The
 * routes themselves are listed in http.h.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_HTTP_ROUTES_H
#define HP_HTTP_ROUTES_H

#include <stddef.h>

enum http_route_id {
	HTTP_ROUTE_NONE = 0,
	HTTP_ROUTE_PUBLISH,
	HTTP_ROUTE_ROLLBACK,
	HTTP_ROUTE_ZONES,
	HTTP_ROUTE_ZONE,
	HTTP_ROUTE_STATUS,
	HTTP_ROUTE_METRICS,
	HTTP_ROUTE_ZONE_ADD,		/* POST /v1/zones */
	HTTP_ROUTE_ZONE_DELETE,		/* DELETE /v1/zones/{zone} */
};

#define HTTP_M_GET	0x1
#define HTTP_M_POST	0x2
#define HTTP_M_HEAD	0x4
#define HTTP_M_OTHER	0x8
#define HTTP_M_DELETE	0x10

/*
 * Route PATH (no query) for METHOD (HTTP_M_*). Returns the HTTP status:
 * 200 with *ROUTE set and the normalised zone name in ZONE (ZONELEN bytes,
 * "" for routes without one), 404 unknown path, 405 wrong method (then
 * *ALLOW names the methods allowed, e.g. "POST"), 400 bad zone name.
 */
int http_route(int method, const char *path, enum http_route_id *route,
    char *zone, size_t zonelen, const char **allow);

/* Check and normalise a zone name (see above) into OUT. 0 or HP_EINVAL. */
int http_zone_name(const char *in, size_t len, char *out, size_t outlen);

/* Parse ?wait=S from QUERY (may be NULL): *WAIT_S = S, 0 when absent.
 * Returns 0 or HP_EINVAL (not a number, or over MAX_S). */
int http_parse_wait(const char *query, int max_s, int *wait_s);
/* Parse ?force=0|1 from QUERY (may be NULL): *FORCE, 0 when absent.
 * Returns 0 or HP_EINVAL (another value). */
int http_parse_force(const char *query, int *force);
/* ?purge=0|1 of a DELETE, the same way. */
int http_parse_purge(const char *query, int *purge);

#endif
