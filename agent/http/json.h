/*
 * json.h -- a tiny JSON writer (bounded, growable buffer, sticky error) and
 * a reader for one flat object, enough for the HTTP API's request bodies.
 *
 * The writer inserts commas itself: call json_obj_begin(), then pairs of
 * json_key() + a value (or the json_kv_*() shorthands), then json_obj_end().
 * Strings are escaped per RFC 8259 section 7: '"', '\\' and every control
 * character below 0x20 (as \n, \t, ... or \u00XX), plus DEL as \u007f;
 * bytes that are not valid UTF-8 are written as U+FFFD so the output is
 * always valid JSON. The first failure (no memory, over the size limit,
 * nesting too deep, a value where a key was expected) is kept and every
 * later call does nothing; json_error() reports it.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_JSON_H
#define HP_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH	32

struct json_writer {
	char *buf;		/* NUL-terminated output (owned) */
	size_t len, cap;
	size_t max;		/* output limit in bytes, 0: 16 MiB */
	int err;		/* sticky: 0 or a negative HP_E* */
	int depth;
	unsigned char first[JSON_MAX_DEPTH];	/* no member yet at level */
	unsigned char in_obj[JSON_MAX_DEPTH];	/* level is an object */
	int want_value;		/* a key was written, its value is due */
};

/* Start an empty writer (no allocation yet). */
void json_init(struct json_writer *w);
/* Free the buffer; the writer may be json_init()ed again. */
void json_free(struct json_writer *w);
/* Forget the output and the error, keep the buffer. */
void json_reset(struct json_writer *w);

int json_obj_begin(struct json_writer *w);
int json_obj_end(struct json_writer *w);
int json_arr_begin(struct json_writer *w);
int json_arr_end(struct json_writer *w);
/* A member name inside an object; its value must follow. */
int json_key(struct json_writer *w, const char *key);
/* Values. json_str(w, NULL) writes null. json_strn takes LEN bytes. */
int json_str(struct json_writer *w, const char *s);
int json_strn(struct json_writer *w, const char *s, size_t len);
int json_int(struct json_writer *w, int64_t v);
int json_uint(struct json_writer *w, uint64_t v);
int json_bool(struct json_writer *w, int v);
int json_null(struct json_writer *w);
/* "key": value shorthands. */
int json_kv_str(struct json_writer *w, const char *key, const char *s);
int json_kv_int(struct json_writer *w, const char *key, int64_t v);
int json_kv_uint(struct json_writer *w, const char *key, uint64_t v);
int json_kv_bool(struct json_writer *w, const char *key, int v);

/* The first error (0 when none). */
int json_error(const struct json_writer *w);
/* The output so far ("" when nothing was written); *LEN set when not NULL.
 * Valid until the next call on W. */
const char *json_data(const struct json_writer *w, size_t *len);
/* A whole document {"error": MSG} in W (reset first). */
int json_error_doc(struct json_writer *w, const char *msg);

/*
 * Read member KEY of the flat JSON object in BUF (LEN bytes, need not be
 * NUL-terminated) as an unsigned integer (no sign, fraction or exponent)
 * no greater than MAX. The whole text must be one object whose values are
 * strings, numbers, true, false or null (no nesting), at most 64 members.
 * Returns 0 and sets *OUT, HP_ENOENT when the key is absent, HP_EPARSE
 * for text that is not such an object, HP_ERANGE for a value that is not
 * an integer in 0..MAX.
 */
int json_get_uint(const char *buf, size_t len, const char *key,
    uint64_t max, uint64_t *out);

#endif
