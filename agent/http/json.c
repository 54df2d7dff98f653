/*
 * json.c -- a tiny JSON writer and a flat-object reader (see json.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/err.h"
#include "agent/http/json.h"

#define JSON_DEFAULT_MAX	(16u * 1024 * 1024)

void
json_init(struct json_writer *w)
{
	memset(w, 0, sizeof(*w));
}

void
json_free(struct json_writer *w)
{
	free(w->buf);
	json_init(w);
}

void
json_reset(struct json_writer *w)
{
	char *buf = w->buf;
	size_t cap = w->cap, max = w->max;

	json_init(w);
	w->buf = buf;
	w->cap = cap;
	w->max = max;
	if (buf != NULL)
		buf[0] = '\0';
}

int
json_error(const struct json_writer *w)
{
	return w->err;
}

const char *
json_data(const struct json_writer *w, size_t *len)
{
	if (len != NULL)
		*len = w->buf != NULL ? w->len : 0;
	return w->buf != NULL ? w->buf : "";
}

static int
fail(struct json_writer *w, int err)
{
	if (w->err == 0)
		w->err = err;
	return w->err;
}

/* Make room for N more bytes plus the NUL. */
static int
reserve(struct json_writer *w, size_t n)
{
	size_t max = w->max != 0 ? w->max : JSON_DEFAULT_MAX;
	size_t need, cap;
	char *p;

	if (w->err != 0)
		return w->err;
	if (n > max || w->len > max - n)
		return fail(w, HP_ETOOBIG);
	need = w->len + n + 1;
	if (need <= w->cap)
		return 0;
	cap = w->cap != 0 ? w->cap : 256;
	while (cap < need)
		cap *= 2;
	if ((p = realloc(w->buf, cap)) == NULL)
		return fail(w, HP_ENOMEM);
	w->buf = p;
	w->cap = cap;
	return 0;
}

static int
put(struct json_writer *w, const char *s, size_t n)
{
	if (reserve(w, n) != 0)
		return w->err;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
	return 0;
}

/* Before any value: a comma when needed; a key must precede a value
 * inside an object. */
static int
before_value(struct json_writer *w)
{
	if (w->err != 0)
		return w->err;
	if (w->depth > 0 && w->in_obj[w->depth - 1]) {
		if (!w->want_value)
			return fail(w, HP_EINVAL);
		w->want_value = 0;
		return 0;
	}
	if (w->depth == 0 && w->len > 0)
		return fail(w, HP_EINVAL);	/* one document only */
	if (w->depth > 0) {
		if (!w->first[w->depth - 1] && put(w, ",", 1) != 0)
			return w->err;
		w->first[w->depth - 1] = 0;
	}
	return 0;
}

static int
open_level(struct json_writer *w, int obj)
{
	if (before_value(w) != 0)
		return w->err;
	if (w->depth >= JSON_MAX_DEPTH)
		return fail(w, HP_ERANGE);
	if (put(w, obj ? "{" : "[", 1) != 0)
		return w->err;
	w->first[w->depth] = 1;
	w->in_obj[w->depth] = obj;
	w->depth++;
	return 0;
}

static int
close_level(struct json_writer *w, int obj)
{
	if (w->err != 0)
		return w->err;
	if (w->depth == 0 || w->in_obj[w->depth - 1] != obj || w->want_value)
		return fail(w, HP_EINVAL);
	w->depth--;
	return put(w, obj ? "}" : "]", 1);
}

int
json_obj_begin(struct json_writer *w)
{
	return open_level(w, 1);
}

int
json_obj_end(struct json_writer *w)
{
	return close_level(w, 1);
}

int
json_arr_begin(struct json_writer *w)
{
	return open_level(w, 0);
}

int
json_arr_end(struct json_writer *w)
{
	return close_level(w, 0);
}

/* Length of the valid UTF-8 sequence at S (N bytes left), 0 if invalid
 * (overlong forms, surrogates and values over U+10FFFF are invalid). */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/* The escaped string body of S (LEN bytes), quotes included. */
static int
put_escaped(struct json_writer *w, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run, n;
	char esc[7];

	if (put(w, "\"", 1) != 0)
		return w->err;
	while (i < len) {
		/* Copy plain bytes in runs. */
		for (run = i; run < len && p[run] >= 0x20 && p[run] < 0x7f &&
		    p[run] != '"' && p[run] != '\\'; run++)
			;
		if (run > i && put(w, s + i, run - i) != 0)
			return w->err;
		i = run;
		if (i >= len)
			break;
		switch (p[i]) {
		case '"':  put(w, "\\\"", 2); n = 1; break;
		case '\\': put(w, "\\\\", 2); n = 1; break;
		case '\b': put(w, "\\b", 2); n = 1; break;
		case '\f': put(w, "\\f", 2); n = 1; break;
		case '\n': put(w, "\\n", 2); n = 1; break;
		case '\r': put(w, "\\r", 2); n = 1; break;
		case '\t': put(w, "\\t", 2); n = 1; break;
		default:
			if (p[i] < 0x20 || p[i] == 0x7f) {
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[p[i] >> 4];
				esc[5] = hex[p[i] & 0xf];
				put(w, esc, 6);
				n = 1;
			} else if ((n = utf8_len(p + i, len - i)) != 0) {
				put(w, s + i, n);
			} else {
				put(w, "\\ufffd", 6);
				n = 1;
			}
		}
		if (w->err != 0)
			return w->err;
		i += n;
	}
	return put(w, "\"", 1);
}

int
json_key(struct json_writer *w, const char *key)
{
	if (w->err != 0)
		return w->err;
	if (w->depth == 0 || !w->in_obj[w->depth - 1] || w->want_value ||
	    key == NULL)
		return fail(w, HP_EINVAL);
	if (!w->first[w->depth - 1] && put(w, ",", 1) != 0)
		return w->err;
	w->first[w->depth - 1] = 0;
	if (put_escaped(w, key, strlen(key)) != 0 || put(w, ":", 1) != 0)
		return w->err;
	w->want_value = 1;
	return 0;
}

int
json_strn(struct json_writer *w, const char *s, size_t len)
{
	if (s == NULL)
		return json_null(w);
	if (before_value(w) != 0)
		return w->err;
	return put_escaped(w, s, len);
}

int
json_str(struct json_writer *w, const char *s)
{
	return json_strn(w, s, s != NULL ? strlen(s) : 0);
}

static int
put_token(struct json_writer *w, const char *tok)
{
	if (before_value(w) != 0)
		return w->err;
	return put(w, tok, strlen(tok));
}

int
json_int(struct json_writer *w, int64_t v)
{
	char num[32];

	snprintf(num, sizeof(num), "%" PRId64, v);
	return put_token(w, num);
}

int
json_uint(struct json_writer *w, uint64_t v)
{
	char num[32];

	snprintf(num, sizeof(num), "%" PRIu64, v);
	return put_token(w, num);
}

int
json_bool(struct json_writer *w, int v)
{
	return put_token(w, v ? "true" : "false");
}

int
json_null(struct json_writer *w)
{
	return put_token(w, "null");
}

int
json_kv_str(struct json_writer *w, const char *key, const char *s)
{
	return json_key(w, key) != 0 ? w->err : json_str(w, s);
}

int
json_kv_int(struct json_writer *w, const char *key, int64_t v)
{
	return json_key(w, key) != 0 ? w->err : json_int(w, v);
}

int
json_kv_uint(struct json_writer *w, const char *key, uint64_t v)
{
	return json_key(w, key) != 0 ? w->err : json_uint(w, v);
}

int
json_kv_bool(struct json_writer *w, const char *key, int v)
{
	return json_key(w, key) != 0 ? w->err : json_bool(w, v);
}

int
json_error_doc(struct json_writer *w, const char *msg)
{
	json_reset(w);
	json_obj_begin(w);
	json_kv_str(w, "error", msg);
	return json_obj_end(w);
}

/* ---- reader: one flat object ------------------------------------------ */

struct jscan {
	const char *p, *end;
};

static void
skip_ws(struct jscan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Scan a string at S->p (at its opening quote). When MATCH is not NULL,
 * *EQUAL tells whether its decoded value equals MATCH (escapes decoded;
 * \u escapes above U+007F never match an ASCII key).
 */
static int
scan_string(struct jscan *s, const char *match, int *equal)
{
	size_t mi = 0, mlen = match != NULL ? strlen(match) : 0;
	int same = 1, c, i, v;

	if (s->p >= s->end || *s->p != '"')
		return HP_EPARSE;
	s->p++;
	for (;;) {
		if (s->p >= s->end)
			return HP_EPARSE;
		c = (unsigned char)*s->p++;
		if (c == '"')
			break;
		if (c < 0x20)
			return HP_EPARSE;
		if (c == '\\') {
			if (s->p >= s->end)
				return HP_EPARSE;
			c = *s->p++;
			switch (c) {
			case '"': case '\\': case '/': break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u':
				if (s->end - s->p < 4)
					return HP_EPARSE;
				for (c = 0, i = 0; i < 4; i++) {
					if ((v = hexval(s->p[i])) < 0)
						return HP_EPARSE;
					c = c * 16 + v;
				}
				s->p += 4;
				if (c > 0x7f)
					c = -1;
				break;
			default:
				return HP_EPARSE;
			}
		}
		if (mi < mlen && c == (unsigned char)match[mi])
			mi++;
		else
			same = 0;
	}
	if (equal != NULL)
		*equal = same && mi == mlen;
	return 0;
}

/* A number, true, false or null; its span in *START, *LEN. */
static int
scan_scalar(struct jscan *s, const char **start, size_t *len)
{
	static const char *words[] = { "true", "false", "null" };
	const char *p = s->p;
	size_t i, n;

	*start = p;
	for (i = 0; i < 3; i++) {
		n = strlen(words[i]);
		if ((size_t)(s->end - p) >= n && memcmp(p, words[i], n) == 0) {
			s->p = p + n;
			*len = n;
			return 0;
		}
	}
	if (p < s->end && *p == '-')
		p++;
	if (p >= s->end || *p < '0' || *p > '9')
		return HP_EPARSE;
	if (*p == '0')
		p++;
	else
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	if (p < s->end && *p == '.') {
		p++;
		if (p >= s->end || *p < '0' || *p > '9')
			return HP_EPARSE;
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < s->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < s->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= s->end || *p < '0' || *p > '9')
			return HP_EPARSE;
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	}
	*len = (size_t)(p - *start);
	s->p = p;
	return 0;
}

static int
to_uint(const char *tok, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 20)
		return HP_ERANGE;
	for (i = 0; i < len; i++) {
		if (tok[i] < '0' || tok[i] > '9')
			return HP_ERANGE;
		if (v > (UINT64_MAX - (uint64_t)(tok[i] - '0')) / 10)
			return HP_ERANGE;
		v = v * 10 + (uint64_t)(tok[i] - '0');
	}
	if (v > max)
		return HP_ERANGE;
	*out = v;
	return 0;
}

int
json_get_uint(const char *buf, size_t len, const char *key, uint64_t max,
    uint64_t *out)
{
	struct jscan s = { buf, buf + len };
	const char *tok = NULL, *t;
	size_t toklen = 0, tl;
	int found = 0, equal, members = 0, is_string;

	skip_ws(&s);
	if (s.p >= s.end || *s.p++ != '{')
		return HP_EPARSE;
	skip_ws(&s);
	if (s.p < s.end && *s.p == '}') {
		s.p++;
		goto done;
	}
	for (;;) {
		if (++members > 64)
			return HP_EPARSE;
		skip_ws(&s);
		if (scan_string(&s, key, &equal) != 0)
			return HP_EPARSE;
		skip_ws(&s);
		if (s.p >= s.end || *s.p++ != ':')
			return HP_EPARSE;
		skip_ws(&s);
		is_string = s.p < s.end && *s.p == '"';
		t = s.p;
		if (is_string) {
			if (scan_string(&s, NULL, NULL) != 0)
				return HP_EPARSE;
			tl = 0;
		} else if (scan_scalar(&s, &t, &tl) != 0)
			return HP_EPARSE;
		if (equal) {
			if (found)
				return HP_EPARSE;	/* duplicate key */
			found = 1;
			tok = is_string ? NULL : t;
			toklen = tl;
		}
		skip_ws(&s);
		if (s.p >= s.end)
			return HP_EPARSE;
		if (*s.p == ',') {
			s.p++;
			continue;
		}
		if (*s.p++ != '}')
			return HP_EPARSE;
		break;
	}
done:
	skip_ws(&s);
	if (s.p != s.end)
		return HP_EPARSE;
	if (!found)
		return HP_ENOENT;
	if (tok == NULL)
		return HP_ERANGE;
	return to_uint(tok, toklen, max, out);
}
