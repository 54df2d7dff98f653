/*
 * test_catalog.c -- producer catalog zones (store/catalog.c): the records
 * written from the members (RFC 9432 version 2: version, PTR per member
 * under its id, group, coo after a move), ids kept across reopening and
 * re-syncs, new ids after a removal, every bad input refused with the
 * store unchanged.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "dns/err.h"
#include "dns/serial.h"
#include "store/store.h"

static char dir[] = "/tmp/hp-test-catalog.XXXXXX";
static char dbpath[256];

static const struct store_catalog cats[] = {
	{ "cat.invalid", SERIAL_POLICY_INCREMENT, 0 },
	{ "cat2.invalid", SERIAL_POLICY_INCREMENT, 0 },
};

static struct store *
open_store(void)
{
	struct store *st = NULL;

	assert_int_equal(store_open(dbpath, STORE_CREATE, &st, NULL, 0), 0);
	return st;
}

/* The catalog's records as text lines "owner TYPE rdata", in one buffer. */
struct text {
	char buf[8192];
	size_t len;
};

static int
add_line(const struct store_rr *rr, void *arg)
{
	struct text *t = arg;
	char *line = NULL;
	size_t n = 0;

	char *p, *q;

	assert_int_equal(store_rr_text(rr, &line, &n), 0);
	/* blanks collapsed: "owner TTL IN TYPE rdata" */
	for (p = q = line; *p != '\0'; p++)
		if (*p != ' ' && *p != '\t')
			*q++ = *p;
		else if (q > line && q[-1] != ' ')
			*q++ = ' ';
	*q = '\0';
	t->len += (size_t)snprintf(t->buf + t->len, sizeof(t->buf) - t->len,
	    "%s\n", line);
	free(line);
	return 0;
}

static void
catalog_text(struct store *st, const char *cat, struct text *t)
{
	struct store_zone_info zi;

	memset(t, 0, sizeof(*t));
	assert_int_equal(store_zone_info(st, cat, &zi), 0);
	assert_int_equal(store_foreach_rr(st, zi.id, add_line, t), 0);
}

static int
get_id(const struct store_catalog_row *r, void *arg)
{
	char *out = arg;

	if (strcmp(r->member, out) == 0 && r->coo[0] == '\0') {
		snprintf(out, 32, "%s", r->id);
		return 1;
	}
	return 0;
}

static void
member_id(struct store *st, const char *cat, const char *member, char id[32])
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s", member);
	assert_int_equal(store_catalog_list(st, cat, get_id, buf), 1);
	memcpy(id, buf, 32);
	id[31] = '\0';
}

static unsigned nproblems;
static void
count_problem(void *arg, const struct hp_problem *p)
{
	(void)arg;
	(void)p;
	nproblems++;
}

static uint32_t
serial_of(struct store *st, const char *zone)
{
	struct store_zone_info zi;

	assert_int_equal(store_zone_info(st, zone, &zi), 0);
	return zi.serial;
}

static void
test_records_and_ids(void **state)
{
	struct store_member m[] = {
		{ "a.test", "cat.invalid", "members" },
		{ "B.Test.", "cat.invalid", NULL },
	};
	struct store_catalog_result r;
	struct store *st = open_store();
	struct text t;
	char ida[32], idb[32], ida2[32], line[256];
	uint32_t s1;

	(void)state;
	assert_int_equal(store_catalog_sync(st, cats, 1, m, 2, NULL, NULL,
	    &r), 0);
	assert_int_equal(r.added, 2);
	assert_int_equal(r.published, 1);
	catalog_text(st, "cat.invalid.", &t);
	assert_non_null(strstr(t.buf, "cat.invalid. 0 IN SOA invalid. "
	    "invalid. "));
	assert_non_null(strstr(t.buf, "cat.invalid. 0 IN NS invalid.\n"));
	assert_non_null(strstr(t.buf, "version.cat.invalid. 0 IN TXT \"2\""));
	member_id(st, "cat.invalid.", "a.test.", ida);
	member_id(st, "cat.invalid.", "b.test.", idb);
	assert_int_equal(strlen(ida), 16);
	assert_string_not_equal(ida, idb);
	snprintf(line, sizeof(line), "%s.zones.cat.invalid. 0 IN PTR a.test.",
	    ida);
	assert_non_null(strstr(t.buf, line));
	snprintf(line, sizeof(line), "group.%s.zones.cat.invalid. 0 IN TXT "
	    "\"members\"", ida);
	assert_non_null(strstr(t.buf, line));
	snprintf(line, sizeof(line), "group.%s.", idb);
	assert_null(strstr(t.buf, line));
	s1 = serial_of(st, "cat.invalid.");

	/* reopened, the same members: nothing published, the same ids */
	store_close(st);
	st = open_store();
	assert_int_equal(store_catalog_sync(st, cats, 1, m, 2, NULL, NULL,
	    &r), 0);
	assert_int_equal(r.published, 0);
	assert_int_equal(serial_of(st, "cat.invalid."), s1);
	member_id(st, "cat.invalid.", "a.test.", ida2);
	assert_string_equal(ida, ida2);

	/* b removed: its PTR goes, a's id stays; b back: a new id */
	assert_int_equal(store_catalog_sync(st, cats, 1, m, 1, NULL, NULL,
	    &r), 0);
	assert_int_equal(r.removed, 1);
	catalog_text(st, "cat.invalid.", &t);
	assert_null(strstr(t.buf, "PTR b.test."));
	assert_int_equal(serial_of(st, "cat.invalid."), s1 + 1);
	assert_int_equal(store_catalog_sync(st, cats, 1, m, 2, NULL, NULL,
	    &r), 0);
	member_id(st, "cat.invalid.", "b.test.", ida2);
	assert_string_not_equal(ida2, idb);
	member_id(st, "cat.invalid.", "a.test.", ida2);
	assert_string_equal(ida, ida2);

	/* a moves to cat2: same id there, coo in cat */
	m[0].catalog = "cat2.invalid";
	assert_int_equal(store_catalog_sync(st, cats, 2, m, 2, NULL, NULL,
	    &r), 0);
	assert_int_equal(r.moved, 1);
	catalog_text(st, "cat.invalid.", &t);
	snprintf(line, sizeof(line), "coo.%s.zones.cat.invalid. 0 IN PTR "
	    "cat2.invalid.", ida);
	assert_non_null(strstr(t.buf, line));
	catalog_text(st, "cat2.invalid.", &t);
	snprintf(line, sizeof(line), "%s.zones.cat2.invalid. 0 IN PTR a.test.",
	    ida);
	assert_non_null(strstr(t.buf, line));
	store_close(st);
}

static void
test_refused(void **state)
{
	struct store_member self[] = { { "cat.invalid", "cat.invalid", NULL } };
	struct store_member bad[] = { { "a..b", "cat.invalid", NULL } };
	struct store_member two[] = {
		{ "x.test", "cat.invalid", NULL },
		{ "x.test", "cat2.invalid", NULL },
	};
	struct store_member cat[] = { { "cat2.invalid", "cat.invalid", NULL } };
	struct store_member none[] = { { "y.test", "nocat.invalid", NULL } };
	struct store_catalog_result r;
	struct store *st = open_store();
	struct text before, after;
	uint32_t s;

	(void)state;
	catalog_text(st, "cat.invalid.", &before);
	s = serial_of(st, "cat.invalid.");
#define REFUSED(m, n) do { \
	nproblems = 0; \
	assert_int_equal(store_catalog_sync(st, cats, 2, m, n, \
	    count_problem, NULL, &r), HP_EINVALID); \
	assert_true(nproblems >= 1); \
	assert_int_equal(serial_of(st, "cat.invalid."), s); \
	catalog_text(st, "cat.invalid.", &after); \
	assert_string_equal(before.buf, after.buf); \
} while (0)
	REFUSED(self, 1);
	REFUSED(bad, 1);
	REFUSED(two, 2);
	REFUSED(cat, 1);
	REFUSED(none, 1);
#undef REFUSED
	store_close(st);
}

static void
test_zonedefs(void **state)
{
	struct store_zonedef d;
	struct store *st = open_store();
	int64_t seq = store_zonedef_seq(st);

	(void)state;
	assert_int_equal(store_zonedef_add(st, "New.Test", "p"), 0);
	assert_int_equal(store_zonedef_add(st, "new.test.", NULL), HP_EEXIST);
	assert_int_equal(store_zonedef_add(st, "a..b", NULL), HP_EINVAL);
	assert_true(store_zonedef_seq(st) > seq);
	assert_int_equal(store_zonedef_get(st, "new.test", &d), 1);
	assert_string_equal(d.pattern, "p");
	assert_int_equal(d.deleting, 0);
	assert_int_equal(store_zonedef_delete(st, "new.test", 1), 0);
	assert_int_equal(store_zonedef_get(st, "new.test", &d), 1);
	assert_true(d.deleting > 0);
	assert_int_equal(d.purge, 1);
	/* never stored: the purge drops the row */
	assert_int_equal(store_zone_purge(st, "new.test", NULL), 0);
	assert_int_equal(store_zonedef_get(st, "new.test", &d), 0);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records_and_ids),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_zonedefs),
	};
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(dbpath, sizeof(dbpath), "%s/t.db", dir);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(dbpath);
	snprintf(dbpath, sizeof(dbpath), "%s/t.db-wal", dir);
	unlink(dbpath);
	snprintf(dbpath, sizeof(dbpath), "%s/t.db-shm", dir);
	unlink(dbpath);
	rmdir(dir);
	return rc;
}
