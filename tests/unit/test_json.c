/*
 * test_json.c -- agent/http/json.c, the HTTP API's JSON on libjansson:
 * strings from outside made valid UTF-8, compact documents, the reader of
 * a rollback's {"serial": N}.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dns/err.h"
#include "agent/http/json.h"

/* The document made of the single string S. */
static void
check_str(const char *s, const char *want)
{
	json_t *j = hjson_str(s);
	size_t len;
	char *text;

	assert_non_null(j);
	assert_non_null(text = hjson_text(j, &len));
	assert_int_equal(len, strlen(want) + 1);
	assert_memory_equal(text, want, strlen(want));
	assert_int_equal(text[len - 1], '\n');
	free(text);
	json_decref(j);
}

static void
test_strings(void **state)
{
	json_t *j;

	(void)state;
	check_str("plain", "\"plain\"");
	check_str("", "\"\"");
	check_str("a\"b\\c/d", "\"a\\\"b\\\\c/d\"");
	check_str("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
	check_str("\x01\x1f", "\"\\u0001\\u001F\"");
	/* Valid UTF-8 passes through: é, €, U+1F600. */
	check_str("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
	    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	/* Not UTF-8, each stray octet U+FFFD: a lone continuation, an
	 * overlong '/', a surrogate, a truncated sequence, over U+10FFFF. */
	check_str("\x80", "\"\xef\xbf\xbd\"");
	check_str("\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"");
	check_str("\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	check_str("a\xe2\x82", "\"a\xef\xbf\xbd\xef\xbf\xbd\"");
	check_str("x\xf4\x90\x80\x80y", "\"x\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd\xef\xbf\xbdy\"");
	/* NULL is null. */
	assert_non_null(j = hjson_str(NULL));
	assert_true(json_is_null(j));
	json_decref(j);
}

static void
test_documents(void **state)
{
	json_t *doc;
	char *text;
	size_t len;

	(void)state;
	doc = json_pack("{s:s, s:I, s:I, s:b, s:[s,s], s:n}", "zone",
	    "example.com.", "serial", (json_int_t)4294967295u, "delta",
	    (json_int_t)-3, "changed", 1, "notified", "192.0.2.1@53",
	    "[2001:db8::1]@53", "none");
	assert_non_null(doc);
	assert_non_null(text = hjson_text(doc, &len));
	/* Compact, members in the order they were set, as the API always
	 * answered. */
	assert_string_equal(text, "{\"zone\":\"example.com.\",\"serial\":"
	    "4294967295,\"delta\":-3,\"changed\":true,\"notified\":"
	    "[\"192.0.2.1@53\",\"[2001:db8::1]@53\"],\"none\":null}\n");
	free(text);
	json_decref(doc);
	assert_non_null(doc = hjson_error("bad \"zone\"\n"));
	assert_non_null(text = hjson_text(doc, &len));
	assert_string_equal(text, "{\"error\":\"bad \\\"zone\\\"\\n\"}\n");
	free(text);
	json_decref(doc);
}

static void
test_get_uint(void **state)
{
	uint64_t v = 0;

	(void)state;
#define GET(text, max) hjson_get_uint(text, strlen(text), "serial", max, &v)
	assert_int_equal(GET("{\"serial\": 7}", UINT32_MAX), 0);
	assert_int_equal(v, 7);
	assert_int_equal(GET(" {\"a\":\"x}\",\"b\":[1],\"serial\":1}",
	    UINT32_MAX), HP_EPARSE);
	assert_int_equal(GET("{\"a\":{},\"serial\":1}", UINT32_MAX),
	    HP_EPARSE);
	assert_int_equal(GET("{\"a\":\"x}\\\"\",\"b\":-1.5e3,\"c\":null,"
	    "\"d\":true,\"serial\":4294967295}\n", UINT32_MAX), 0);
	assert_int_equal(v, 4294967295u);
	assert_int_equal(GET("{\"ser\\u0069al\": 9}", UINT32_MAX), 0);
	assert_int_equal(v, 9);
	assert_int_equal(GET("{\"serial\": 4294967296}", UINT32_MAX),
	    HP_ERANGE);
	assert_int_equal(GET("{\"serial\": 99999999999999999999999}",
	    UINT64_MAX), HP_ERANGE);
	assert_int_equal(GET("{\"serial\": -1}", UINT32_MAX), HP_ERANGE);
	assert_int_equal(GET("{\"serial\": 1.0}", UINT32_MAX), HP_ERANGE);
	assert_int_equal(GET("{\"serial\": \"7\"}", UINT32_MAX), HP_ERANGE);
	assert_int_equal(GET("{\"serial\": null}", UINT32_MAX), HP_ERANGE);
	assert_int_equal(GET("{}", UINT32_MAX), HP_ENOENT);
	assert_int_equal(GET("{\"serials\": 1}", UINT32_MAX), HP_ENOENT);
	assert_int_equal(GET("{\"serial\": 1, \"serial\": 2}", UINT32_MAX),
	    HP_EPARSE);
	assert_int_equal(GET("{\"serial\": 1", UINT32_MAX), HP_EPARSE);
	assert_int_equal(GET("{\"serial\": 1}x", UINT32_MAX), HP_EPARSE);
	assert_int_equal(GET("{\"serial\": 01}", UINT32_MAX), HP_EPARSE);
	assert_int_equal(GET("{\"serial\" 1}", UINT32_MAX), HP_EPARSE);
	assert_int_equal(GET("[1]", UINT32_MAX), HP_EPARSE);
	assert_int_equal(GET("", UINT32_MAX), HP_EPARSE);
	assert_int_equal(GET("{\"a\":\"\x01\"}", UINT32_MAX), HP_EPARSE);
	/* Not NUL-terminated: only LEN bytes are read. */
	assert_int_equal(hjson_get_uint("{\"serial\":12}999", 13, "serial",
	    UINT32_MAX, &v), 0);
	assert_int_equal(v, 12);
#undef GET
}

static void
test_get_str(void **state)
{
	char z[16];

	(void)state;
#define GETS(text) hjson_get_str(text, strlen(text), "zone", z, sizeof(z))
	assert_int_equal(GETS("{\"zone\": \"a.test\", \"serial\": 7}"), 0);
	assert_string_equal(z, "a.test");
	assert_int_equal(GETS("{\"serial\": 7}"), HP_ENOENT);
	assert_int_equal(GETS("{\"zone\": 7}"), HP_ERANGE);
	assert_int_equal(GETS("{\"zone\": \"0123456789abcdef\"}"),
	    HP_ERANGE);			/* does not fit with its NUL */
	assert_int_equal(GETS("{\"zone\": \"a\", \"zone\": \"b\"}"),
	    HP_EPARSE);			/* twice */
	assert_int_equal(GETS("{\"zone\": [\"a\"]}"), HP_EPARSE);
	assert_int_equal(GETS("[\"zone\"]"), HP_EPARSE);
#undef GETS
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_documents),
		cmocka_unit_test(test_get_uint),
		cmocka_unit_test(test_get_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
