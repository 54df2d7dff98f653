/*
 * json.c -- the HTTP API's JSON through libjansson (see json.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "agent/http/json.h"
#include "dns/err.h"

#define HJSON_MAX_MEMBERS	64

/* Length of the valid UTF-8 sequence at S (N octets left), or 0. */
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
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong, surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

json_t *
hjson_str(const char *s)
{
	const unsigned char *p;
	size_t n, i, o = 0, l;
	json_t *j;
	char *fix;

	if (s == NULL)
		return json_null();
	n = strlen(s);
	if ((j = json_stringn(s, n)) != NULL)
		return j;
	/* Not UTF-8: each stray octet becomes U+FFFD (3 octets). */
	if ((fix = malloc(3 * n + 1)) == NULL)
		return NULL;
	for (p = (const unsigned char *)s, i = 0; i < n; i += l) {
		if ((l = utf8_len(p + i, n - i)) > 0) {
			memcpy(fix + o, p + i, l);
			o += l;
		} else {
			memcpy(fix + o, "\xef\xbf\xbd", 3);
			o += 3;
			l = 1;
		}
	}
	j = json_stringn(fix, o);
	free(fix);
	return j;
}

json_t *
hjson_error(const char *msg)
{
	return json_pack("{s:o}", "error", hjson_str(msg));
}

char *
hjson_text(const json_t *doc, size_t *len)
{
	char *text, *nl;
	size_t n;

	if ((text = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
		return NULL;
	n = strlen(text);
	if ((nl = realloc(text, n + 2)) == NULL) {
		free(text);
		return NULL;
	}
	nl[n++] = '\n';
	nl[n] = '\0';
	*len = n;
	return nl;
}

/* BUF as one flat JSON object (see json.h) into *DOC. 0 or HP_EPARSE /
 * HP_ERANGE. */
static int
flat_object(const char *buf, size_t len, json_t **doc)
{
	json_error_t err;
	json_t *v;
	const char *k;

	*doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
	if (*doc == NULL)
		return json_error_code(&err) == json_error_numeric_overflow ?
		    HP_ERANGE : HP_EPARSE;
	if (!json_is_object(*doc) ||
	    json_object_size(*doc) > HJSON_MAX_MEMBERS)
		goto bad;
	json_object_foreach(*doc, k, v)
		if (json_is_object(v) || json_is_array(v))
			goto bad;
	return 0;
bad:
	json_decref(*doc);
	*doc = NULL;
	return HP_EPARSE;
}

int
hjson_get_uint(const char *buf, size_t len, const char *key, uint64_t max,
    uint64_t *out)
{
	json_t *doc, *v;
	json_int_t n;
	int ret;

	if ((ret = flat_object(buf, len, &doc)) < 0)
		return ret;
	if ((v = json_object_get(doc, key)) == NULL)
		ret = HP_ENOENT;
	else if (!json_is_integer(v) || (n = json_integer_value(v)) < 0 ||
	    (uint64_t)n > max)
		ret = HP_ERANGE;
	else {
		*out = (uint64_t)n;
		ret = 0;
	}
	json_decref(doc);
	return ret;
}

int
hjson_get_str(const char *buf, size_t len, const char *key, char *out,
    size_t outlen)
{
	json_t *doc, *v;
	size_t n;
	int ret;

	if ((ret = flat_object(buf, len, &doc)) < 0)
		return ret;
	if ((v = json_object_get(doc, key)) == NULL)
		ret = HP_ENOENT;
	else if (!json_is_string(v) || (n = json_string_length(v)) >= outlen)
		ret = HP_ERANGE;
	else {
		memcpy(out, json_string_value(v), n + 1);
		ret = 0;
	}
	json_decref(doc);
	return ret;
}
