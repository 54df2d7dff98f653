/*
 * test_json.c -- agent/json.c: escaping, structure, errors, the reader.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dns/err.h"
#include "agent/http/json.h"

/* The document made of the single string S (LEN bytes). */
static void
check_str(const char *s, size_t len, const char *want)
{
	struct json_writer w;

	json_init(&w);
	assert_int_equal(json_strn(&w, s, len), 0);
	assert_string_equal(json_data(&w, NULL), want);
	json_free(&w);
}

static void
test_escape(void **state)
{
	(void)state;
	check_str("plain", 5, "\"plain\"");
	check_str("", 0, "\"\"");
	check_str("a\"b\\c/d", 7, "\"a\\\"b\\\\c/d\"");
	check_str("\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"");
	check_str("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"");
	check_str("nul\0in", 6, "\"nul\\u0000in\"");
	/* Valid UTF-8 passes through: é, €, U+1F600. */
	check_str("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9,
	    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	/* Invalid: lone continuation, overlong '/', surrogate, truncated,
	 * over U+10FFFF. */
	check_str("\x80", 1, "\"\\ufffd\"");
	check_str("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");
	check_str("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");
	check_str("a\xe2\x82", 3, "\"a\\ufffd\\ufffd\"");
	check_str("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

static void
test_structure(void **state)
{
	struct json_writer w;

	(void)state;
	json_init(&w);
	json_obj_begin(&w);
	json_kv_str(&w, "zone", "example.com.");
	json_kv_uint(&w, "serial", 4294967295u);
	json_kv_int(&w, "delta", -3);
	json_kv_bool(&w, "changed", 1);
	json_key(&w, "none");
	json_null(&w);
	json_key(&w, "list");
	json_arr_begin(&w);
	json_uint(&w, 1);
	json_str(&w, "two");
	json_obj_begin(&w);
	json_obj_end(&w);
	json_arr_begin(&w);
	json_arr_end(&w);
	json_arr_end(&w);
	json_kv_str(&w, "k\"ey", NULL);
	assert_int_equal(json_obj_end(&w), 0);
	assert_string_equal(json_data(&w, NULL),
	    "{\"zone\":\"example.com.\",\"serial\":4294967295,\"delta\":-3,"
	    "\"changed\":true,\"none\":null,\"list\":[1,\"two\",{},[]],"
	    "\"k\\\"ey\":null}");
	json_reset(&w);
	assert_string_equal(json_data(&w, NULL), "");
	json_error_doc(&w, "bad \"zone\"\n");
	assert_string_equal(json_data(&w, NULL),
	    "{\"error\":\"bad \\\"zone\\\"\\n\"}");
	json_free(&w);
}

static void
test_errors(void **state)
{
	struct json_writer w;
	int i;

	(void)state;
	/* A value where a key is due; sticky afterwards. */
	json_init(&w);
	json_obj_begin(&w);
	assert_int_equal(json_str(&w, "x"), HP_EINVAL);
	assert_int_equal(json_kv_str(&w, "k", "v"), HP_EINVAL);
	assert_int_equal(json_error(&w), HP_EINVAL);
	json_free(&w);
	/* Mismatched close, key outside an object, two documents. */
	json_init(&w);
	json_arr_begin(&w);
	assert_int_equal(json_obj_end(&w), HP_EINVAL);
	json_free(&w);
	json_init(&w);
	assert_int_equal(json_key(&w, "k"), HP_EINVAL);
	json_free(&w);
	json_init(&w);
	json_uint(&w, 1);
	assert_int_equal(json_uint(&w, 2), HP_EINVAL);
	json_free(&w);
	/* Too deep. */
	json_init(&w);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		assert_int_equal(json_arr_begin(&w), 0);
	assert_int_equal(json_arr_begin(&w), HP_ERANGE);
	json_free(&w);
	/* Size limit. */
	json_init(&w);
	w.max = 16;
	assert_int_equal(json_str(&w, "0123456789abcdef"), HP_ETOOBIG);
	json_free(&w);
}

static void
test_get_uint(void **state)
{
	uint64_t v = 0;

	(void)state;
#define GET(text, max) json_get_uint(text, strlen(text), "serial", max, &v)
	assert_int_equal(GET("{\"serial\": 7}", UINT32_MAX), 0);
	assert_int_equal(v, 7);
	assert_int_equal(GET(" {\"a\":\"x}\",\"b\":[1],\"serial\":1}",
	    UINT32_MAX), HP_EPARSE);
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
	assert_int_equal(json_get_uint("{\"serial\":12}999", 13, "serial",
	    UINT32_MAX, &v), 0);
	assert_int_equal(v, 12);
#undef GET
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_get_uint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
