/*
 * json.h -- the HTTP API's JSON, through libjansson: what jansson leaves
 * to its user. Documents are built with jansson itself (json_pack,
 * json_object_set_new, ...).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_HTTP_JSON_H
#define HP_HTTP_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/*
 * A JSON string of S (NULL: null). Text from outside (parser messages,
 * URLs, a server's error) need not be UTF-8: jansson refuses such a
 * string, so each byte that is not part of valid UTF-8 becomes U+FFFD and
 * the document stays valid. NULL only when out of memory.
 */
json_t *hjson_str(const char *s);
/* {"error": MSG}, or NULL when out of memory. */
json_t *hjson_error(const char *msg);

/*
 * DOC as compact JSON ({"a":1,"b":[true]}) ending with a newline, into a
 * malloc'ed buffer (*LEN octets, NUL-terminated); NULL when out of memory.
 */
char *hjson_text(const json_t *doc, size_t *len);

/*
 * Read member KEY of the JSON object in BUF (LEN bytes, need not be
 * NUL-terminated) as an unsigned integer (no sign, fraction or exponent)
 * no greater than MAX. The text must be one flat object: values are
 * strings, numbers, true, false or null (no nesting), at most 64 members,
 * no member twice. Returns 0 and sets *OUT, HP_ENOENT when the key is
 * absent, HP_EPARSE for text that is not such an object, HP_ERANGE for a
 * value that is not an integer in 0..MAX.
 */
int hjson_get_uint(const char *buf, size_t len, const char *key,
    uint64_t max, uint64_t *out);
/* The same for a string member: copied into OUT (OUTLEN octets with its
 * NUL; HP_ERANGE when it is not a string or does not fit). */
int hjson_get_str(const char *buf, size_t len, const char *key, char *out,
    size_t outlen);

#endif
