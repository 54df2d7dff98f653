/*
 * test_serial.c -- RFC 1982 comparison and serial policies, known answers.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dns/err.h"
#include "dns/serial.h"

static void
test_cmp(void **state)
{
	(void)state;
	assert_int_equal(serial_cmp(1, 1), 0);
	assert_int_equal(serial_cmp(1, 2), -1);
	assert_int_equal(serial_cmp(2, 1), 1);
	/* RFC 1982 §3.2 examples with SERIAL_BITS = 32 */
	assert_int_equal(serial_cmp(0xFFFFFFFFu, 0), -1);
	assert_int_equal(serial_cmp(0, 0xFFFFFFFFu), 1);
	assert_int_equal(serial_cmp(0x7FFFFFFFu, 0x80000000u), -1);
	assert_int_equal(serial_cmp(0, 0x7FFFFFFFu), -1);
	assert_int_equal(serial_cmp(0x7FFFFFFFu, 0), 1);
	assert_int_equal(serial_cmp(0, 0x80000000u), SERIAL_UNDEFINED);
	assert_int_equal(serial_cmp(0x80000000u, 0), SERIAL_UNDEFINED);
	assert_int_equal(serial_cmp(2024010100u, 4294967295u), 1);
}

static void
test_next(void **state)
{
	uint32_t out = 0;
	time_t day = 1700000000;	/* 2023-11-14T22:13:20Z */

	(void)state;
	assert_int_equal(serial_next(5, SERIAL_POLICY_INCREMENT, day, &out), 0);
	assert_int_equal(out, 6);
	assert_int_equal(serial_next(0xFFFFFFFFu, SERIAL_POLICY_INCREMENT,
	    day, &out), 0);
	assert_int_equal(out, 0);
	assert_int_equal(serial_next(5, SERIAL_POLICY_UNIXTIME, day, &out), 0);
	assert_int_equal(out, 1700000000u);
	assert_int_equal(serial_next(1700000000u, SERIAL_POLICY_UNIXTIME, day,
	    &out), 0);
	assert_int_equal(out, 1700000001u);
	assert_int_equal(serial_next(1, SERIAL_POLICY_DATESERIAL, day, &out), 0);
	assert_int_equal(out, 2023111400u);
	assert_int_equal(serial_next(2023111400u, SERIAL_POLICY_DATESERIAL, day,
	    &out), 0);
	assert_int_equal(out, 2023111401u);
	assert_int_equal(serial_next(2099010100u, SERIAL_POLICY_DATESERIAL, day,
	    &out), 0);
	assert_int_equal(out, 2099010101u);
	assert_int_equal(serial_next(1, 99, day, &out), HP_EINVAL);
}

static void
test_choose(void **state)
{
	uint32_t out = 0;

	(void)state;
	/* the wanted (file) serial is kept when ahead */
	assert_int_equal(serial_choose(10, 20, SERIAL_POLICY_INCREMENT, 0,
	    &out), 0);
	assert_int_equal(out, 20);
	assert_int_equal(serial_choose(0xFFFFFFF0u, 5, SERIAL_POLICY_INCREMENT,
	    0, &out), 0);
	assert_int_equal(out, 5);
	/* behind or equal: the policy moves on */
	assert_int_equal(serial_choose(20, 20, SERIAL_POLICY_INCREMENT, 0,
	    &out), 0);
	assert_int_equal(out, 21);
	assert_int_equal(serial_choose(20, 10, SERIAL_POLICY_INCREMENT, 0,
	    &out), 0);
	assert_int_equal(out, 21);
	assert_int_equal(serial_choose(1, 2, -1, 0, &out), HP_EINVAL);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(serial_policy_str(SERIAL_POLICY_DATESERIAL),
	    "dateserial");
	assert_null(serial_policy_str(7));
	assert_int_equal(serial_policy_parse("unixtime"),
	    SERIAL_POLICY_UNIXTIME);
	assert_int_equal(serial_policy_parse("bogus"), HP_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmp),
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
