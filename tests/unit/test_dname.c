/*
 * test_dname.c -- wire names: compressed parsing and its malformed cases,
 * presentation form, comparison, canonical order (RFC 4034 6.1) and the
 * compression table.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libknot/libknot.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/wire.h"

/* A message body: 12 header bytes, then the test bytes. */
static size_t
msg(uint8_t *m, const void *body, size_t len)
{
	memset(m, 0, 12);
	memcpy(m + 12, body, len);
	return 12 + len;
}

static void
test_parse_plain_and_compressed(void **state)
{
	uint8_t m[512], out[DNAME_MAXLEN];
	size_t len, pos, olen;
	/* 12: example.com. ; 25: www + ptr 12 ; 31: ptr 25 */
	static const uint8_t body[] = "\x07" "example" "\x03" "com" "\x00"
	    "\x03" "www" "\xc0\x0c" "\xc0\x19";

	(void)state;
	len = msg(m, body, sizeof(body) - 1);
	pos = 12;
	assert_int_equal(dname_parse(m, len, &pos, out, &olen), 0);
	assert_int_equal(pos, 25);
	assert_int_equal(olen, 13);
	assert_memory_equal(out, "\x07" "example\x03" "com\x00", 13);
	assert_int_equal(dname_parse(m, len, &pos, out, &olen), 0);
	assert_int_equal(pos, 31);
	assert_int_equal(olen, 17);
	assert_memory_equal(out, "\x03www\x07" "example\x03" "com\x00", 17);
	assert_int_equal(dname_parse(m, len, &pos, out, &olen), 0);
	assert_int_equal(pos, 33);
	assert_int_equal(olen, 17);
	/* Validate-only mode. */
	pos = 25;
	assert_int_equal(dname_parse(m, len, &pos, NULL, NULL), 0);
	assert_int_equal(pos, 31);
}

static void
expect_malformed(const void *body, size_t blen, size_t at, const char *why)
{
	uint8_t m[1024];
	size_t len, pos = at;

	len = msg(m, body, blen);
	if (dname_parse(m, len, &pos, NULL, NULL) != HP_EMALF)
		fail_msg("expected HP_EMALF for %s", why);
	if (pos != at)
		fail_msg("position moved for %s", why);
}

static void
test_parse_malformed(void **state)
{
	uint8_t big[600];
	size_t i;

	(void)state;
	/* Pointer to itself. */
	expect_malformed("\xc0\x0c", 2, 12, "self pointer");
	/* Two pointers pointing at each other. */
	expect_malformed("\xc0\x0e\xc0\x0c", 4, 14, "pointer loop");
	/* A name whose labels run into a pointer back to its start. */
	expect_malformed("\x01" "a" "\xc0\x0c", 4, 12, "loop via labels");
	/* Forward pointer. */
	expect_malformed("\xc0\x0e\x00", 3, 12, "forward pointer");
	/* Pointer past the end. */
	expect_malformed("\x00\xc0\xff", 3, 13, "pointer past end");
	/* Pointer into the header. */
	expect_malformed("\xc0\x02", 2, 12, "pointer into header");
	/* Truncated pointer. */
	expect_malformed("\xc0", 1, 12, "truncated pointer");
	/* Label running past the end, missing root. */
	expect_malformed("\x05" "ab", 3, 12, "truncated label");
	expect_malformed("\x02" "ab", 3, 12, "no root label");
	/* Reserved label types 01 and 10. */
	expect_malformed("\x41" "a\x00", 3, 12, "label type 01");
	expect_malformed("\x81" "a\x00", 3, 12, "label type 10");
	/* Label of 64 bytes: 0x40 is type 01 by its top bits. */
	memset(big, 'a', sizeof(big));
	big[0] = 64;
	big[65] = 0;
	expect_malformed(big, 66, 12, "label > 63");
	/* 256 bytes: four 63-byte labels = 256 with the root. */
	for (i = 0; i < 4; i++)
		big[i * 64] = 63;
	big[256] = 0;
	expect_malformed(big, 257, 12, "name > 255");
	/* Exactly 255 is fine: 3 x 63 + one 62-byte label. */
	big[192] = 61;
	big[254] = 0;
	{
		uint8_t m[1024], out[DNAME_MAXLEN];
		size_t len = msg(m, big, 255), pos = 12, olen;

		assert_int_equal(dname_parse(m, len, &pos, out, &olen), 0);
		assert_int_equal(olen, 255);
		assert_int_equal(dname_wire_len(out, DNAME_MAXLEN), 255);
	}
	/* Over 255 through compression: 200 bytes + pointer to 100. */
	memset(big, 'b', sizeof(big));
	big[0] = 50; big[51] = 50; big[102] = 0;		/* 12: 103 bytes */
	big[103] = 63; big[167] = 63; big[231] = 63;
	big[295] = 0xc0; big[296] = 12;
	expect_malformed(big, 297, 12 + 103, "> 255 via pointer");
	/* dname_wire_len bounds. */
	assert_int_equal(dname_wire_len((const uint8_t *)"\x03" "abc", 4),
	    HP_EMALF);
	assert_int_equal(dname_wire_len((const uint8_t *)"\x03" "abc\x01",
	    5), HP_EMALF);
	assert_int_equal(dname_wire_len((const uint8_t *)"\x03" "abc\x00", 5),
	    5);
	assert_int_equal(dname_wire_len((const uint8_t *)"\xc0\x0c", 2),
	    HP_EMALF);
}

static void
test_text(void **state)
{
	uint8_t w[DNAME_MAXLEN];
	char s[DNAME_MAXSTR];
	size_t len;

	(void)state;
	assert_int_equal(dname_from_str("Example.COM", w, &len), 0);
	assert_int_equal(len, 13);
	assert_int_equal(dname_to_str(w, s, sizeof(s)), 0);
	assert_string_equal(s, "Example.COM.");
	dname_lower(w);
	assert_int_equal(dname_to_str(w, s, sizeof(s)), 0);
	assert_string_equal(s, "example.com.");
	assert_int_equal(dname_from_str(".", w, &len), 0);
	assert_int_equal(len, 1);
	assert_int_equal(dname_to_str(w, s, sizeof(s)), 0);
	assert_string_equal(s, ".");
	assert_int_equal(dname_from_str("a\\.b.c.", w, &len), 0);
	assert_memory_equal(w, "\x03" "a.b\x01" "c\x00", 7);
	assert_int_equal(dname_from_str("a\\032b.", w, &len), 0);
	assert_memory_equal(w, "\x03" "a b\x00", 5);
	assert_int_equal(dname_to_str(w, s, sizeof(s)), 0);
	assert_string_equal(s, "a\\032b.");
	assert_int_equal(dname_to_str(w, s, 4), HP_ESPACE);
	assert_int_equal(dname_from_str("", w, &len), HP_EPARSE);
	assert_int_equal(dname_from_str("a..b", w, &len), HP_EPARSE);
	assert_int_equal(dname_from_str(
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.",
	    w, &len), HP_EPARSE);
}

/*
 * dname_from_str() converts plain text itself and leaves the rest to
 * libknot: both must agree on every text, accepted or not. Edge lengths
 * (63/64-octet labels, 255/256-octet names) and random texts.
 */
static void
same_as_knot(const char *t)
{
	uint8_t a[DNAME_MAXLEN], b[KNOT_DNAME_MAXLEN];
	size_t alen;
	int r = dname_from_str(t, a, &alen);
	const uint8_t *k = *t ? knot_dname_from_str(b, t, sizeof(b)) : NULL;

	if (k != NULL && knot_dname_size(b) > DNAME_MAXLEN)
		k = NULL;
	if ((r == 0) != (k != NULL))
		fail_msg("\"%s\": ours %d, libknot %s", t, r, k ? "ok" : "no");
	if (r == 0) {
		assert_int_equal(alen, knot_dname_size(b));
		assert_memory_equal(a, b, alen);
	}
}

static void
test_text_like_knot(void **state)
{
	static const char alpha[] = "abcXYZ019-_*.\\ @/[]~";
	char t[600];
	int i, j, n, len;

	(void)state;
	same_as_knot(".");
	same_as_knot("..");
	same_as_knot(".a");
	same_as_knot("a.");
	same_as_knot("A.b-c_d.*.");
	same_as_knot("a\\.b");
	same_as_knot("a\\065b.");
	for (len = 60; len <= 66; len++) {	/* labels about 63 */
		memset(t, 'x', (size_t)len);
		memcpy(t + len, ".y.", 4);
		same_as_knot(t);
	}
	for (len = 250; len <= 258; len++) {	/* names about 255 */
		for (i = 0; i < len; i++)
			t[i] = (i % 10 == 9) ? '.' : 'n';
		t[len] = '\0';
		same_as_knot(t);
	}
	srandom(1);
	for (i = 0; i < 200000; i++) {
		n = (int)(random() % 40) + 1;
		for (j = 0; j < n; j++)
			t[j] = random() % 3 ? (char)('a' + random() % 26) :
			    alpha[random() % (sizeof(alpha) - 1)];
		t[n] = '\0';
		same_as_knot(t);
	}
}

static void
from(const char *text, uint8_t *w)
{
	assert_int_equal(dname_from_str(text, w, NULL), 0);
}

static void
test_compare(void **state)
{
	uint8_t a[DNAME_MAXLEN], b[DNAME_MAXLEN];

	(void)state;
	from("WWW.Example.com.", a);
	from("www.example.COM.", b);
	assert_true(dname_equal(a, b));
	from("www.example.net.", b);
	assert_false(dname_equal(a, b));
	from("example.com.", b);
	assert_true(dname_is_subdomain(a, b));
	assert_false(dname_is_subdomain(b, a));
	assert_true(dname_is_subdomain(b, b));
	from("xample.com.", b);
	assert_false(dname_is_subdomain(a, b));
	from(".", b);
	assert_true(dname_is_subdomain(a, b));
	assert_int_equal(dname_labels(a), 3);
	assert_int_equal(dname_labels(b), 0);
}

/* RFC 4034 6.1: the example list, in canonical order. */
static void
test_canonical_order(void **state)
{
	static const char *order[] = {
		"example.", "a.example.", "yljkjljk.a.example.",
		"Z.a.example.", "zABC.a.EXAMPLE.", "z.example.",
		"\\001.z.example.", "*.z.example.", "\\200.z.example.",
	};
	uint8_t a[DNAME_MAXLEN], b[DNAME_MAXLEN];
	size_t i, j, n = sizeof(order) / sizeof(order[0]);
	int c;

	(void)state;
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			from(order[i], a);
			from(order[j], b);
			c = dname_canon_cmp(a, b);
			if ((i < j && c >= 0) || (i > j && c <= 0) ||
			    (i == j && c != 0))
				fail_msg("canon_cmp(%s, %s) = %d", order[i],
				    order[j], c);
		}
	}
	from("a.example.", a);
	from("A.EXAMPLE.", b);
	assert_int_equal(dname_canon_cmp(a, b), 0);
	from("ab.example.", b);
	assert_true(dname_canon_cmp(a, b) < 0);	/* prefix sorts first */
}

static void
test_ctab(void **state)
{
	struct dname_ctab *t = dname_ctab_new();
	uint8_t m[512], n1[DNAME_MAXLEN], n2[DNAME_MAXLEN], out[DNAME_MAXLEN];
	size_t pos = 12, p, olen, mark;

	(void)state;
	assert_non_null(t);
	memset(m, 0, sizeof(m));
	from("www.example.com.", n1);
	from("mail.example.com.", n2);
	assert_int_equal(dname_ctab_put(t, m, sizeof(m), &pos, n1), 0);
	assert_int_equal(pos, 12 + 17);
	/* Second name: "mail" + pointer to example.com at 16. */
	assert_int_equal(dname_ctab_put(t, m, sizeof(m), &pos, n2), 0);
	assert_int_equal(pos, 29 + 5 + 2);
	assert_memory_equal(m + 29, "\x04mail\xc0\x10", 7);
	/* Same name again: a bare pointer. */
	assert_int_equal(dname_ctab_put(t, m, sizeof(m), &pos, n1), 0);
	assert_memory_equal(m + 36, "\xc0\x0c", 2);
	/* Case differs: only the identical suffix is shared. */
	from("WWW.example.com.", n1);
	assert_int_equal(dname_ctab_put(t, m, sizeof(m), &pos, n1), 0);
	assert_memory_equal(m + 38, "\x03WWW\xc0\x10", 6);
	/* All of them parse back. */
	for (p = 12; p < pos;) {
		assert_int_equal(dname_parse(m, pos, &p, out, &olen), 0);
	}
	assert_int_equal(p, pos);
	/* Undo forgets names added after the mark. */
	mark = dname_ctab_mark(t);
	from("x.other.org.", n2);
	p = pos;
	assert_int_equal(dname_ctab_put(t, m, sizeof(m), &p, n2), 0);
	dname_ctab_undo(t, mark);
	assert_int_equal(dname_ctab_put(t, m, sizeof(m), &pos, n2), 0);
	assert_memory_equal(m + 44, "\x01x\x05other\x03org\x00", 13);
	/* No space: HP_ESPACE, position kept. */
	p = pos;
	assert_int_equal(dname_ctab_put(t, m, pos + 3, &p,
	    (const uint8_t *)"\x05zzzzz\x00"), HP_ESPACE);
	assert_int_equal(p, pos);
	/* Reset: nothing to point at. */
	dname_ctab_reset(t);
	pos = 12;
	from("www.example.com.", n1);
	assert_int_equal(dname_ctab_put(t, m, sizeof(m), &pos, n1), 0);
	assert_int_equal(pos, 29);
	/* Without a table: plain copy. */
	assert_int_equal(dname_ctab_put(NULL, m, sizeof(m), &pos, n1), 0);
	assert_int_equal(pos, 46);
	dname_ctab_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_plain_and_compressed),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_like_knot),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_canonical_order),
		cmocka_unit_test(test_ctab),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
