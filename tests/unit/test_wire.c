/*
 * test_wire.c -- bounds-checked big-endian accessors: values, and reads
 * and writes that would cross the end fail without moving or writing.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dns/err.h"
#include "dns/wire.h"

static void
test_get(void **state)
{
	static const uint8_t d[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
	    0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d };
	struct wire w;
	uint8_t u8, out[4];
	uint16_t u16;
	uint32_t u32;
	uint64_t u48;

	(void)state;
	wire_init(&w, d, sizeof(d));
	assert_int_equal(wire_get_u8(&w, &u8), 0);
	assert_int_equal(u8, 0x01);
	assert_int_equal(wire_get_u16(&w, &u16), 0);
	assert_int_equal(u16, 0x0203);
	assert_int_equal(wire_get_u32(&w, &u32), 0);
	assert_int_equal(u32, 0x04050607);
	assert_int_equal(wire_get_u48(&w, &u48), 0);
	assert_int_equal(u48, 0x08090a0b0c0dULL);
	assert_int_equal(wire_left(&w), 0);
	u16 = 0x5555;
	assert_int_equal(wire_get_u8(&w, &u8), HP_EMALF);
	assert_int_equal(wire_get_u16(&w, &u16), HP_EMALF);
	assert_int_equal(u16, 0x5555);
	assert_int_equal(w.pos, sizeof(d));
	/* Partial overrun: 3 bytes left, a u32 fails and consumes nothing. */
	w.pos = sizeof(d) - 3;
	assert_int_equal(wire_get_u32(&w, &u32), HP_EMALF);
	assert_int_equal(wire_get_u48(&w, &u48), HP_EMALF);
	assert_int_equal(wire_get_bytes(&w, out, 4), HP_EMALF);
	assert_int_equal(w.pos, sizeof(d) - 3);
	assert_int_equal(wire_get_bytes(&w, out, 3), 0);
	assert_memory_equal(out, d + 10, 3);
	assert_int_equal(wire_get_bytes(&w, NULL, 0), 0);
	/* A position past the end reads as nothing left. */
	w.pos = sizeof(d) + 5;
	assert_int_equal(wire_left(&w), 0);
	assert_int_equal(wire_get_u8(&w, &u8), HP_EMALF);
}

static void
test_put(void **state)
{
	uint8_t b[8];
	struct wire w;

	(void)state;
	memset(b, 0xee, sizeof(b));
	wire_init(&w, b, 8);
	assert_int_equal(wire_put_u16(&w, 0xabcd), 0);
	assert_int_equal(wire_put_u48(&w, 0x010203040506ULL), 0);
	assert_int_equal(w.pos, 8);
	assert_memory_equal(b, "\xab\xcd\x01\x02\x03\x04\x05\x06", 8);
	/* Seven bytes of room, one left: nothing written, position kept;
	 * byte 7 untouched. */
	memset(b, 0xee, sizeof(b));
	wire_init(&w, b, 7);
	w.pos = 6;
	assert_int_equal(wire_put_u16(&w, 0x1111), HP_ESPACE);
	assert_int_equal(wire_put_u32(&w, 0x1111), HP_ESPACE);
	assert_int_equal(wire_put_u48(&w, 0x1111), HP_ESPACE);
	assert_int_equal(wire_put_bytes(&w, "xy", 2), HP_ESPACE);
	assert_int_equal(w.pos, 6);
	assert_int_equal(b[6], 0xee);
	assert_int_equal(wire_put_u8(&w, 0x77), 0);
	assert_int_equal(wire_put_u8(&w, 0x78), HP_ESPACE);
	assert_int_equal(b[6], 0x77);
	assert_int_equal(b[7], 0xee);
	/* Unchecked primitives. */
	wire_write_u32(b, 0xdeadbeef);
	assert_int_equal(wire_read_u32(b), 0xdeadbeef);
	assert_int_equal(wire_read_u16(b + 2), 0xbeef);
	wire_write_u48(b, 0xffff00000001ULL);
	assert_int_equal(wire_read_u48(b), 0xffff00000001ULL);
	/* Header flag helpers. */
	assert_int_equal(WIRE_OPCODE(0x2000 | WIRE_FLAG_QR), WIRE_OPCODE_NOTIFY);
	assert_int_equal(WIRE_RCODE(0x8409), WIRE_RCODE_NOTAUTH);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_put),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
