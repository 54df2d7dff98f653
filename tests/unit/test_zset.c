/*
 * test_zset.c -- a zone text in memory (store/zset.c) read on two cores
 * gives what it gives on one: the same records in the same order with the
 * same lines and files, the same problems in the same order (non-fatal
 * and fatal errors, $INCLUDE with its loops, relative names refused), for
 * files and buffers that span many of the parser's chunks. And a big set
 * sorted in two parts is in the store's order, its duplicates dropped, its
 * job run beside the checks sees the final set.
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
#include <openssl/evp.h>

#include "dns/err.h"
#include "store/zset.h"
#include "unit_tmp.h"

static char dir[] = "/tmp/hp-test-zset.XXXXXX";

/* What a parse gave. */
struct res {
	int ret;
	unsigned errors, warnings;
	size_t n, nfiles;
	uint8_t digest[32];
	char *msgs;
	size_t mlen, mcap;
};

static void
collect(void *arg, const struct hp_problem *p)
{
	struct res *r = arg;
	char line[1200];
	size_t l;

	hp_problem_str(p, line, sizeof(line));
	l = strlen(line);
	if (r->mlen + l + 2 > r->mcap) {
		r->mcap = (r->mcap + l + 2) * 2;
		r->msgs = realloc(r->msgs, r->mcap);
		assert_non_null(r->msgs);
	}
	memcpy(r->msgs + r->mlen, line, l);
	r->mlen += l;
	r->msgs[r->mlen++] = '\n';
	r->msgs[r->mlen] = '\0';
}

/* Every entry of Z in its order, with its line and file name. */
static void
digest_all(const struct zset *z, uint8_t out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t *buf = malloc(ZSET_RR_BYTES_MAX);
	const struct zrr *r;
	unsigned int olen;
	size_t i, n;

	assert_non_null(ctx);
	assert_non_null(buf);
	assert_int_equal(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL), 1);
	for (i = 0; i < z->n; i++) {
		r = &z->rr[i];
		n = zset_rr_bytes(z, r, buf);
		EVP_DigestUpdate(ctx, buf, n);
		EVP_DigestUpdate(ctx, &r->line, sizeof(r->line));
		EVP_DigestUpdate(ctx, z->files[r->file],
		    strlen(z->files[r->file]) + 1);
	}
	EVP_DigestFinal_ex(ctx, out, &olen);
	EVP_MD_CTX_free(ctx);
	free(buf);
}

/* Parse PATH (or TEXT as a buffer) with PIPE (1 two cores, -1 one). */
static void
parse(const char *path, const char *text, int pipe, int own_origin,
    struct res *r)
{
	struct zset z;

	memset(r, 0, sizeof(*r));
	assert_int_equal(zset_init(&z, "t.test", collect, r), 0);
	z.pipe = pipe;
	z.own_origin = own_origin;
	if (path != NULL)
		r->ret = zset_parse_file(&z, path);
	else
		r->ret = zset_parse_buffer(&z, "upload", text, strlen(text));
	r->errors = z.errors;
	r->warnings = z.warnings;
	r->n = z.n;
	r->nfiles = z.nfiles;
	digest_all(&z, r->digest);
	zset_free(&z);
}

/* Both ways, the same; returns the two-core result's record count. */
static size_t
same_both_ways(const char *path, const char *text, int own_origin,
    struct res *out)
{
	struct res one, two;

	parse(path, text, -1, own_origin, &one);
	parse(path, text, 1, own_origin, &two);
	assert_int_equal(two.ret, one.ret);
	assert_int_equal(two.errors, one.errors);
	assert_int_equal(two.warnings, one.warnings);
	assert_int_equal(two.n, one.n);
	assert_int_equal(two.nfiles, one.nfiles);
	assert_memory_equal(two.digest, one.digest, 32);
	assert_int_equal(two.mlen, one.mlen);
	if (one.mlen > 0)
		assert_string_equal(two.msgs, one.msgs);
	free(one.msgs);
	if (out != NULL)
		*out = two;
	else
		free(two.msgs);
	return one.n;
}

static void
put(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
}

/* A text of N names (about 5 records each): every kind of record, a
 * 60 KB TXT, $TTL and $ORIGIN lines, duplicates, and (with BAD) records
 * libzscanner or the store refuse, one in every few hundred lines. */
static void
write_zone(FILE *f, int n, int bad)
{
	int i, k;

	put(f, "$ORIGIN t.test.\n$TTL 300\n");
	put(f, "@ SOA ns1 hostmaster 1 3600 900 1209600 300\n@ NS ns1\n");
	put(f, "ns1 A 192.0.2.1\n");
	for (i = 0; i < n; i++) {
		put(f, "h%d A 10.%d.%d.%d\n", i, i >> 16 & 255, i >> 8 & 255,
		    i & 255);
		put(f, "h%d AAAA 2001:db8::%x\n", i, i);
		put(f, "h%d TXT \"v=spf1 ip4:10.0.0.%d -all\" \"%d\"\n", i,
		    i & 255, i);
		put(f, "_sip._tcp.h%d SRV 0 5 5060 h%d\n", i, i);
		put(f, "w%d 60 CNAME h%d.t.test.\n", i, i);
		if (i % 1000 == 7)
			put(f, "h%d A 10.%d.%d.%d\n", i, i >> 16 & 255,
			    i >> 8 & 255, i & 255);	/* a duplicate */
		if (i % 2500 == 3) {
			put(f, "$TTL %d\n", 60 + i % 7);
			put(f, "$ORIGIN sub%d.t.test.\nx A 192.0.2.9\n"
			    "$ORIGIN t.test.\n", i);
		}
		if (i == n / 2) {
			put(f, "big TXT");
			for (k = 0; k < 240; k++)
				put(f, " \"%0250d\"", k);
			put(f, "\n");
		}
		if (bad && i % 397 == 11)
			put(f, "bad%d A 300.1.2.%d\n", i, i & 255);
		if (bad && i % 601 == 5)
			put(f, "x%d.other.org. A 192.0.2.1\n", i);
		if (bad && i % 911 == 1)
			put(f, "c%d CH A 192.0.2.1\n", i);
		if (bad && i % 1301 == 2)
			put(f, "e%d TXT\n", i);
	}
}

static char *
path_of(const char *name)
{
	static char p[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	long len;
	char *b;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	b = malloc((size_t)len + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
	b[len] = '\0';
	fclose(f);
	return b;
}

static void
test_big_clean(void **state)
{
	FILE *f = fopen(path_of("clean.zone"), "w");
	struct res r;
	char *text;

	(void)state;
	assert_non_null(f);
	write_zone(f, 20000, 0);
	fclose(f);
	/* 20000 names, over 2 MB: many chunks, the ring wraps */
	assert_true(same_both_ways(path_of("clean.zone"), NULL, 0, &r) >
	    100000);
	assert_int_equal(r.ret, 0);
	assert_int_equal(r.errors, 0);
	free(r.msgs);
	/* the same as a buffer (an upload) */
	text = slurp(path_of("clean.zone"));
	same_both_ways(NULL, text, 0, NULL);
	free(text);
}

static void
test_big_errors(void **state)
{
	FILE *f = fopen(path_of("bad.zone"), "w");
	struct res r;

	(void)state;
	assert_non_null(f);
	write_zone(f, 20000, 1);
	fclose(f);
	same_both_ways(path_of("bad.zone"), NULL, 0, &r);
	assert_int_equal(r.ret, HP_EPARSE);
	/* 51 + 34 + 22 + 16: each bad record said, at its line */
	assert_int_equal(r.errors, 51 + 34 + 22 + 16);
	assert_non_null(strstr(r.msgs, "bad.zone:"));
	assert_non_null(strstr(r.msgs, "is outside the zone"));
	assert_non_null(strstr(r.msgs, "invalid IPv4 address"));
	assert_non_null(strstr(r.msgs, "unsupported record type"));
	assert_non_null(strstr(r.msgs, "invalid record data"));
	free(r.msgs);
}

static void
test_fatal_midway(void **state)
{
	FILE *f = fopen(path_of("fatal.zone"), "w");
	struct res r;

	(void)state;
	assert_non_null(f);
	write_zone(f, 8000, 1);
	put(f, "$TTL x\n");		/* fatal: nothing after it is read */
	write_zone(f, 8000, 0);
	fclose(f);
	same_both_ways(path_of("fatal.zone"), NULL, 0, &r);
	assert_int_equal(r.ret, HP_EPARSE);
	assert_non_null(strstr(r.msgs, "invalid number"));
	assert_true(r.n < 45000);	/* the second half was not taken */
	free(r.msgs);
}

static void
test_includes(void **state)
{
	FILE *f;
	struct res r;

	(void)state;
	f = fopen(path_of("inc2.zone"), "w");
	assert_non_null(f);
	put(f, "deep A 192.0.2.2\n$INCLUDE %s\n", path_of("inc1.zone"));
	fclose(f);
	f = fopen(path_of("inc1.zone"), "w");
	assert_non_null(f);
	put(f, "one A 192.0.2.1\n$INCLUDE %s\nafter A 192.0.2.3\n",
	    path_of("inc2.zone"));
	put(f, "$INCLUDE %s\n", path_of("missing.zone"));
	fclose(f);
	f = fopen(path_of("main.zone"), "w");
	assert_non_null(f);
	write_zone(f, 3000, 1);
	put(f, "$INCLUDE %s sub.t.test.\n", path_of("inc1.zone"));
	write_zone(f, 3000, 0);
	put(f, "$INCLUDE %s\n", path_of("inc2.zone"));
	fclose(f);
	same_both_ways(path_of("main.zone"), NULL, 0, &r);
	/* main, inc1 (from main), inc2 (from inc1: its inc1 is a loop),
	 * inc2 (from main), inc1 (from that inc2: its inc2 is a loop) */
	assert_int_equal(r.nfiles, 5);
	assert_non_null(strstr(r.msgs, "$INCLUDE loop"));
	assert_non_null(strstr(r.msgs, "missing.zone"));
	free(r.msgs);
}

static void
test_no_origin(void **state)
{
	FILE *f = fopen(path_of("rel.zone"), "w");
	struct res r;

	(void)state;
	assert_non_null(f);
	put(f, "t.test. 300 SOA ns1.t.test. h.t.test. 1 3600 900 1209600 300\n");
	put(f, "t.test. 300 NS ns1.t.test.\n");
	write_zone(f, 2000, 0);		/* its own $ORIGIN: accepted */
	put(f, "$ORIGIN t.test.\nrel MX 10 mail\n");
	fclose(f);
	same_both_ways(path_of("rel.zone"), NULL, 1, &r);
	assert_int_equal(r.errors, 0);
	free(r.msgs);
	f = fopen(path_of("rel2.zone"), "w");
	assert_non_null(f);
	put(f, "www 300 A 192.0.2.1\nt.test. 300 NS ns1\n");
	fclose(f);
	same_both_ways(path_of("rel2.zone"), NULL, 1, &r);
	assert_int_equal(r.errors, 1);
	assert_non_null(strstr(r.msgs, "a relative name, and no $ORIGIN"));
	free(r.msgs);
}

/* The job run beside the checks: a digest of the whole set. */
struct side_res {
	uint8_t md[32];
	int runs;
};

static int
side_digest(const struct zset *z, void *arg)
{
	struct side_res *sr = arg;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t *buf = malloc(ZSET_DIGEST_BUF);
	int ret = ctx != NULL && buf != NULL ? zset_digest(z, 0, z->n, 1, ctx,
	    buf, sr->md, NULL) : -1;

	EVP_MD_CTX_free(ctx);
	free(buf);
	sr->runs++;
	return ret;
}

/* A big set, shuffled, sorted in two parts: in order, duplicates gone,
 * the job beside the checks run on the final set (again after the
 * duplicates went). */
static void
check_sorted(int dups)
{
	struct zset z;
	struct res r;
	struct side_res sr = { { 0 }, 0 };
	uint8_t rd[4];
	char owner[64];
	size_t i, n = 200000, want;
	uint32_t x = 12345, j, t;
	uint32_t *perm = malloc(n * sizeof(*perm));

	assert_non_null(perm);
	memset(&r, 0, sizeof(r));
	assert_int_equal(zset_init(&z, "t.test", collect, &r), 0);
	for (i = 0; i < n; i++)
		perm[i] = (uint32_t)i;
	for (i = n - 1; i > 0; i--) {	/* a fixed shuffle */
		x = x * 1103515245 + 12345;
		j = (x >> 8) % (uint32_t)(i + 1);
		t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	assert_int_equal(zset_add(&z, "t.test.", 7, 6, 1, 300,
	    (const uint8_t *)"\0\0\0\0\0\0\0\1\0\0\0\2\0\0\0\3\0\0\0\4\0\0\0\5",
	    22, 1, 0), 0);
	assert_int_equal(zset_add(&z, "t.test.", 7, 2, 1, 300,
	    (const uint8_t *)"\3ns1\1t\4test", 12, 2, 0), 0);
	for (i = 0; i < n; i++) {
		/* names that share long prefixes: runs sorted deeper */
		snprintf(owner, sizeof(owner), "%s%u.t.test.",
		    perm[i] % 3 == 0 ? "_sip._tcp.host" : perm[i] % 3 == 1 ?
		    "h" : "www", perm[i] / 7);
		rd[0] = 10;
		rd[1] = (uint8_t)(perm[i] >> 16);
		rd[2] = (uint8_t)(perm[i] >> 8);
		rd[3] = (uint8_t)perm[i];
		assert_int_equal(zset_add(&z, owner, strlen(owner), 1, 1, 300,
		    rd, 4, (uint32_t)i + 3, 0), 0);
		if (dups && perm[i] % 1000 == 0)
			assert_int_equal(zset_add(&z, owner, strlen(owner), 1,
			    1, 600, rd, 4, (uint32_t)i + 3, 0), 0);
	}
	free(perm);
	want = n + 2;
	z.side = side_digest;
	z.side_arg = &sr;
	assert_int_equal(zset_check(&z), 0);
	assert_int_equal(z.n, want);
	assert_int_equal(z.warnings, dups ? 200 : 0);
	for (i = 1; i < z.n; i++)
		assert_true(zset_cmp(&z, &z.rr[i - 1], &z.rr[i]) < 0);
	/* the first seen of duplicates stays (its TTL, 300) */
	for (i = 0; i < z.n; i++)
		assert_int_equal(z.rr[i].ttl, 300);
	assert_true(z.side_done);
	assert_int_equal(sr.runs, dups ? 2 : 1);
	{
		struct side_res now = { { 0 }, 0 };

		assert_int_equal(side_digest(&z, &now), 0);
		assert_memory_equal(now.md, sr.md, 32);
	}
	assert_true(z.soa >= 0);
	assert_int_equal(z.rr[z.soa].type, 6);
	zset_free(&z);
	free(r.msgs);
}

static void
test_sort_two_parts(void **state)
{
	(void)state;
	check_sorted(0);
	check_sorted(1);
}

static int
setup(void **state)
{
	*state = dir;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_big_clean),
		cmocka_unit_test(test_big_errors),
		cmocka_unit_test(test_fatal_midway),
		cmocka_unit_test(test_includes),
		cmocka_unit_test(test_no_origin),
		cmocka_unit_test(test_sort_two_parts),
	};

	return cmocka_run_group_tests(tests, setup, unit_tmp_teardown);
}
