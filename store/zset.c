/*
 * zset.c -- a zone's RR set in memory: its arena and entries, sorted in
 * the store's order (on two cores when big), validated, digested. Zone
 * texts are read into it by zparse.c.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <sys/mman.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libknot/libknot.h>
#include <openssl/evp.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/serial.h"
#include "dns/wire.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/zset.h"

int
zset_init(struct zset *z, const char *origin, hp_problem_fn *problem,
    void *arg)
{
	memset(z, 0, sizeof(*z));
	z->problem = problem;
	z->problem_arg = arg;
	z->soa = -1;
	if (dname_norm(origin, strlen(origin), z->origin, sizeof(z->origin),
	    NULL) < 0)
		return HP_EINVAL;
	if (knot_dname_from_str(z->origin_wire, z->origin,
	    sizeof(z->origin_wire)) == NULL)
		return HP_EINVAL;
	knot_dname_to_lower(z->origin_wire);
	z->origin_wire_len = knot_dname_size(z->origin_wire);
	return 0;
}

void
zset_free(struct zset *z)
{
	size_t i;

	for (i = 0; i < z->nfiles; i++)
		free(z->files[i]);
	free(z->files);
	free(z->rr);
	free(z->key);
	free(z->arena);
	memset(z, 0, sizeof(*z));
}

/*
 * A big array of the sort (LEN octets at P) asked to be backed by huge
 * pages where the kernel gives them on request (transparent_hugepage
 * "madvise", Debian's default): its first touch costs a page fault per
 * 2 MiB instead of per 4 KiB (the sort's arrays of a million records,
 * some 13,000 faults). Only whole huge pages inside it are asked for.
 * Not the arena and entries the parse grows: measured, the parse was no
 * faster (they grow by realloc, on the thread that parses).
 */
#define ZSET_HUGE	((uintptr_t)2 << 20)
static void
zset_huge(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
	uintptr_t a = ((uintptr_t)p + ZSET_HUGE - 1) & ~(ZSET_HUGE - 1);
	uintptr_t e = ((uintptr_t)p + len) & ~(ZSET_HUGE - 1);

	if (len >= 4 * ZSET_HUGE && e > a)
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
	(void)p;
	(void)len;
#endif
}

static int
arena_put(struct zset *z, const void *p, size_t len, uint32_t *off)
{
	size_t ncap;
	uint8_t *na;

	if (z->alen + len > UINT32_MAX)
		return HP_ETOOBIG;
	if (z->alen + len > z->acap) {
		ncap = z->acap ? z->acap * 2 : 1 << 20;
		while (ncap < z->alen + len)
			ncap *= 2;
		if ((na = realloc(z->arena, ncap)) == NULL)
			return HP_ENOMEM;
		z->arena = na;
		z->acap = ncap;
	}
	memcpy(z->arena + z->alen, p, len);
	*off = (uint32_t)z->alen;
	z->alen += len;
	return 0;
}

/* The first eight octets of O (LEN of them), big-endian, zeros past its
 * end: the sort's key (a shorter name sorts first). */
static uint64_t
key8(const uint8_t *o, size_t len)
{
	uint64_t k = 0;
	size_t i;

	for (i = 0; i < len && i < 8; i++)
		k |= (uint64_t)o[i] << (56 - 8 * i);
	return k;
}

int
zset_add(struct zset *z, const char *owner, size_t owner_len,
    uint16_t type, uint16_t rclass, uint32_t ttl, const uint8_t *rdata,
    size_t rdlen, uint32_t line, uint32_t file)
{
	struct zrr *r, *nr;
	uint64_t *nk;
	size_t ncap;
	int ret;

	if (rdlen > UINT16_MAX || owner_len > UINT16_MAX)
		return HP_ETOOBIG;
	if (z->n == z->cap) {
		ncap = z->cap ? z->cap * 2 : 4096;
		if ((nr = realloc(z->rr, ncap * sizeof(*nr))) == NULL)
			return HP_ENOMEM;
		z->rr = nr;
		z->cap = ncap;
		/* the keys follow while they are in step (a set sorted
		 * once has none) */
		if (z->nkey == z->n) {
			if ((nk = realloc(z->key, ncap * sizeof(*nk))) != NULL)
				z->key = nk;
			else
				z->nkey = 0;	/* the sort takes them */
		}
	}
	r = &z->rr[z->n];
	/* consecutive RRs usually share the owner: store it once */
	if (z->n > 0 && z->last_owner_len == owner_len &&
	    memcmp(z->arena + z->last_owner, owner, owner_len) == 0) {
		r->owner = z->last_owner;
	} else {
		if ((ret = arena_put(z, owner, owner_len, &r->owner)) < 0)
			return ret;
		z->last_owner = r->owner;
		z->last_owner_len = (uint32_t)owner_len;
	}
	if ((ret = arena_put(z, rdata, rdlen, &r->rdata)) < 0)
		return ret;
	r->owner_len = (uint16_t)owner_len;
	r->rdlen = (uint16_t)rdlen;
	r->type = type;
	r->rclass = rclass;
	r->ttl = ttl;
	r->line = line;
	r->file = file;
	if (z->nkey == z->n && z->key != NULL)
		z->key[z->nkey++] = key8((const uint8_t *)owner, owner_len);
	z->n++;
	return 0;
}

void
zset_problem(struct zset *z, uint32_t file, uint32_t line, int warn,
    const char *fmt, const char *a, const char *b)
{
	const char *fname = file < z->nfiles ? z->files[file] : z->origin;
	char text[1024];

	snprintf(text, sizeof(text), fmt, a != NULL ? a : "",
	    b != NULL ? b : "");
	hp_problem(z->problem, z->problem_arg, fname, line, warn, "%s", text);
	if (warn)
		z->warnings++;
	else
		z->errors++;
}

/* The owner of R as a C string, for messages (the arena holds its text
 * without a terminating NUL). */
static const char *
owner_str(const struct zset *z, const struct zrr *r, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", (int)r->owner_len, ZOWNER(z, r));
	return buf;
}

int
zset_add_file(struct zset *z, const char *name, uint32_t *idx)
{
	char **nf;

	if ((nf = realloc(z->files, (z->nfiles + 1) * sizeof(*nf))) == NULL)
		return HP_ENOMEM;
	z->files = nf;
	if ((nf[z->nfiles] = strdup(name)) == NULL)
		return HP_ENOMEM;
	*idx = (uint32_t)z->nfiles++;
	return 0;
}

/* zset_cmp() of two entries with the same owner. */
static int
cmp_past_owner(const struct zset *z, const struct zrr *a, const struct zrr *b)
{
	int c;

	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if ((c = store_bytes_cmp(z->arena + a->rdata, a->rdlen, z->arena + b->rdata,
	    b->rdlen)) != 0)
		return c;
	if (a->rclass != b->rclass)
		return a->rclass < b->rclass ? -1 : 1;
	return 0;
}

int
zset_cmp(const struct zset *z, const struct zrr *a, const struct zrr *b)
{
	int c;

	if (a->owner != b->owner || a->owner_len != b->owner_len) {
		c = store_bytes_cmp(z->arena + a->owner, a->owner_len,
		    z->arena + b->owner, b->owner_len);
		if (c != 0)
			return c;
	}
	return cmp_past_owner(z, a, b);
}

/* The store's order, then the input's (the first of duplicates stays). */
static int
sort_cmp(const struct zset *z, const struct zrr *a, const struct zrr *b)
{
	int c = zset_cmp(z, a, b);

	if (c != 0)
		return c;
	if (a->file != b->file)
		return a->file < b->file ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line;
}

static int
same_owner(const struct zset *z, const struct zrr *a, const struct zrr *b)
{
	return a->owner_len == b->owner_len && (a->owner == b->owner ||
	    memcmp(z->arena + a->owner, z->arena + b->owner,
	    a->owner_len) == 0);
}

/* The rules at one owner (store/validate.c): CNAME alone (RRSIG/NSEC may
 * accompany it, RFC 4035), one DNAME. */
static void
check_owner_group(struct zset *z, size_t from, size_t to)
{
	struct vowner v = { 0 };
	size_t i, first = from;
	unsigned bad, bit;
	char o[DNAME_MAXSTR];

	for (i = from; i < to; i++)
		vowner_add(&v, z->rr[i].type);
	if ((bad = vowner_check(&v)) == 0)
		return;
	/* the line of the first CNAME (else DNAME) for the message */
	for (i = from; i < to && z->rr[i].type != WIRE_TYPE_CNAME; i++)
		;
	if (i == to)
		for (i = from; i < to && z->rr[i].type != WIRE_TYPE_DNAME; i++)
			;
	first = i < to ? i : from;
	for (bit = 1; bit <= VOWN_MULTI_DNAME; bit <<= 1)
		if (bad & bit)
			zset_problem(z, z->rr[first].file, z->rr[first].line, 0,
			    "%s: %s", owner_str(z, &z->rr[first], o,
			    sizeof(o)), vowner_msg(bit));
}

/* Nothing below a DNAME (RFC 6672 2.3): each owner's ancestors looked up
 * among the DNAME owners (none, in most zones: then nothing is done). */
static int
check_dnames(struct zset *z)
{
	struct vnames dn = { 0 };
	const struct vname *d;
	size_t i;
	char o[DNAME_MAXSTR], d_s[DNAME_MAXSTR];
	int ret = 0;

	for (i = 0; ret == 0 && i < z->n; i++)
		if (z->rr[i].type == WIRE_TYPE_DNAME)
			ret = vnames_add(&dn, ZOWNER(z, &z->rr[i]),
			    z->rr[i].owner_len);
	if (ret < 0 || dn.n == 0) {
		vnames_free(&dn);
		return ret;
	}
	vnames_sort(&dn);
	for (i = 0; i < z->n; i++) {
		if (i > 0 && same_owner(z, &z->rr[i - 1], &z->rr[i]))
			continue;
		if ((d = vnames_below(&dn, ZOWNER(z, &z->rr[i]),
		    z->rr[i].owner_len, z->origin)) == NULL)
			continue;
		snprintf(d_s, sizeof(d_s), "%.*s", (int)d->len, d->s);
		zset_problem(z, z->rr[i].file, z->rr[i].line, 0,
		    "%s: below the DNAME at %s (RFC 6672 2.3)",
		    owner_str(z, &z->rr[i], o, sizeof(o)), d_s);
	}
	vnames_free(&dn);
	return 0;
}

/* Each RR of a set read from the database (a version published again):
 * checked as a direct edit is. */
static void
check_rows(struct zset *z)
{
	const struct zrr *r;
	size_t i;
	char why[256];

	for (i = 0; i < z->n; i++) {
		r = &z->rr[i];
		if (store_check_rr(z->origin, ZOWNER(z, r), r->owner_len,
		    r->type, r->rclass, r->ttl, ZRDATA(z, r), r->rdlen, why,
		    sizeof(why)) < 0)
			zset_problem(z, r->file, r->line, 0, "%s", why, NULL);
	}
}

/*
 * Sorting a million RRs: an LSD radix sort of (first 8 owner bytes, index)
 * pairs, each run with equal prefixes sorted by its next 8 owner bytes
 * the same way (the SRV records of every host, "_sip._tcp.h..."), short
 * runs and runs of one owner by comparison, then one permutation of the
 * entries. Several times faster than qsort of
 * the 28-byte entries, and less memory than glibc's merge buffer.
 */
struct skey {
	uint64_t k;
	uint32_t i;
	uint32_t pad;
};

/* Owner octets OFF..OFF+7 of R, big-endian, zeros past its end (a
 * shorter owner sorts first: it has no octet 0). */
static uint64_t
owner_key(const struct zset *z, const struct zrr *r, size_t off)
{
	return r->owner_len <= off ? 0 :
	    key8(z->arena + r->owner + off, r->owner_len - off);
}

/* LSD radix sort of A (N keys) by k, stable passes of BITS bits (8 or 16;
 * CNT: room for 2^BITS counts) least significant first, through B;
 * returns the array that holds the result. */
static struct skey *
radix(struct skey *a, struct skey *b, size_t n, size_t *cnt, int bits)
{
	size_t i, sum, c, nd = (size_t)1 << bits, mask = nd - 1;
	struct skey *t;
	int shift;

	for (shift = 0; shift < 64; shift += bits) {
		memset(cnt, 0, nd * sizeof(*cnt));
		for (i = 0; i < n; i++)
			cnt[(a[i].k >> shift) & mask]++;
		if (cnt[(a[0].k >> shift) & mask] == n)
			continue;	/* all the same digit */
		for (i = 0, sum = 0; i < nd; i++) {
			c = cnt[i];
			cnt[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			b[cnt[(a[i].k >> shift) & mask]++] = a[i];
		t = a, a = b, b = t;
	}
	return a;
}

static int
skey_cmp(const void *pa, const void *pb, void *arg)
{
	const struct skey *a = pa, *b = pb;
	const struct zset *z = arg;

	return sort_cmp(z, &z->rr[a->i], &z->rr[b->i]);
}

/*
 * A run of N keys whose owners share their first OFF octets: by insertion
 * when short (most runs are the few records of one owner); else by the
 * next eight owner octets (radix, TMP: room for N), each run of those
 * again; runs of one owner by qsort_r.
 */
#define SORT_INSERTION	24
static void
sort_run(const struct zset *z, struct skey *a, struct skey *tmp, size_t n,
    size_t off)
{
	struct skey t, *r;
	size_t cnt[256], i, j;
	int longer = 0;

	if (n > SORT_INSERTION) {
		for (i = 0; i < n; i++) {
			/* the entries and their owners are read at random */
			if (i + 32 < n)
				__builtin_prefetch(&z->rr[a[i + 32].i]);
			if (i + 16 < n)
				__builtin_prefetch(z->arena +
				    z->rr[a[i + 16].i].owner + off);
			a[i].k = owner_key(z, &z->rr[a[i].i], off);
			longer |= z->rr[a[i].i].owner_len > off;
		}
		if (!longer) {
			qsort_r(a, n, sizeof(*a), skey_cmp,
			    (void *)(uintptr_t)z);
			return;
		}
		if ((r = radix(a, tmp, n, cnt, 8)) != a)
			memcpy(a, r, n * sizeof(*a));
		for (i = 0; i < n; i = j) {
			for (j = i + 1; j < n && a[j].k == a[i].k; j++)
				;
			if (j - i > 1)
				sort_run(z, a + i, tmp + i, j - i, off + 8);
		}
		return;
	}
	for (i = 1; i < n; i++) {
		t = a[i];
		for (j = i; j > 0 && sort_cmp(z, &z->rr[a[j - 1].i],
		    &z->rr[t.i]) > 0; j--)
			a[j] = a[j - 1];
		a[j] = t;
	}
}

/*
 * A big set is sorted in two parts on the two cores (par.c): the keys are
 * split by their first two octets near the middle, each part sorted on
 * its own (sort_part), the parts laid end to end; then the entries are
 * moved into their order, half by each core (move_part).
 */
#define SORT_PAR_MIN	65536
struct sort_job {
	const struct zset *z;
	struct skey *keys, *tmp;	/* N each; the result in KEYS */
	struct zrr *nr;			/* move_part: where the N go */
	size_t n;
	size_t *cnt;			/* 65536 counts */
};

static int
sort_part(void *arg)
{
	struct sort_job *j = arg;
	struct skey *a = j->keys, *b = j->tmp, *r;
	size_t i, k, n = j->n;

	if (n < 2)
		return 0;
	/* four passes of 16 bits */
	if ((r = radix(a, b, n, j->cnt, 16)) != a)
		memcpy(a, r, n * sizeof(*a));
	/* runs with the same 8-byte prefix: the next octets, then in full */
	for (i = 0; i < n; i = k) {
		for (k = i + 1; k < n && a[k].k == a[i].k; k++)
			;
		if (k - i > 1)
			sort_run(j->z, a + i, b + i, k - i, 8);
	}
	return 0;
}

static int
move_part(void *arg)
{
	struct sort_job *j = arg;
	size_t i;

	for (i = 0; i < j->n; i++)
		j->nr[i] = j->z->rr[j->keys[i].i];
	return 0;
}

/* FN of J1 on this core and of J2 on another beside it (none when the
 * set is small: then J1 has all). */
static void
two_jobs(int (*fn)(void *), struct sort_job *j1, struct sort_job *j2)
{
	struct par p;

	if (j2->n == 0) {
		fn(j1);
		return;
	}
	par_start(&p, fn, j2);
	fn(j1);
	par_join(&p);
}

static int
zset_sort(struct zset *z)
{
	struct skey *a, *b;
	struct zrr *nr = NULL;
	struct sort_job j1, j2;
	size_t *cnt, i, n = z->n, n1 = n, cum, h, top = 0x10000;
	int ret = HP_ENOMEM;

	if (n < 2)
		return 0;
	if (n > UINT32_MAX)
		return HP_ETOOBIG;
	a = malloc(n * sizeof(*a));
	b = malloc(n * sizeof(*b));
	cnt = malloc(2 * 65536 * sizeof(*cnt));
	if (a == NULL || b == NULL || cnt == NULL)
		goto out;
	zset_huge(a, n * sizeof(*a));
	zset_huge(b, n * sizeof(*b));
	memset(cnt, 0, 65536 * sizeof(*cnt));
	for (i = 0; i < n; i++) {
		/* taken while parsing (zset_add), when they were */
		a[i].k = z->nkey == n ? z->key[i] : owner_key(z, &z->rr[i], 0);
		a[i].i = (uint32_t)i;
		a[i].pad = 0;
		cnt[a[i].k >> 48]++;
	}
	/* the entries are moved below: no key is in step any more */
	free(z->key);
	z->key = NULL;
	z->nkey = 0;
	/* the split: the first TOP values of the first two octets in part
	 * one, the nearest to half of the keys */
	if (n >= SORT_PAR_MIN) {
		for (h = 0, cum = 0; h < 0x10000 && cum + cnt[h] <= n / 2; h++)
			cum += cnt[h];
		if (h < 0x10000 && n / 2 - cum > cum + cnt[h] - n / 2) {
			cum += cnt[h];
			h++;
		}
		top = h;
		n1 = cum;
	}
	if (n1 == 0 || n1 == n) {
		/* one part: A sorted in place, B its room */
		j1 = (struct sort_job){ z, a, b, NULL, n, cnt };
		j2 = (struct sort_job){ z, NULL, NULL, NULL, 0, NULL };
	} else {
		/* a stable split of A into B, the room for each part in A */
		size_t p1 = 0, p2 = n1;

		for (i = 0; i < n; i++)
			if ((a[i].k >> 48) < top)
				b[p1++] = a[i];
			else
				b[p2++] = a[i];
		j1 = (struct sort_job){ z, b, a, NULL, n1, cnt };
		j2 = (struct sort_job){ z, b + n1, a + n1, NULL, n - n1,
		    cnt + 65536 };
	}
	store_phase("sort-keys");
	two_jobs(sort_part, &j1, &j2);
	store_phase("sort-parts");
	/* the keys in order are in J1's (and J2's) KEYS; the other array
	 * goes before the entries' new room is taken */
	if (j1.keys == a)
		free(b);
	else
		free(a);
	a = j1.keys;
	b = NULL;
	if ((nr = malloc(z->cap * sizeof(*nr))) == NULL)
		goto out;
	zset_huge(nr, z->cap * sizeof(*nr));
	j1.nr = nr;
	j2.nr = nr + j1.n;
	two_jobs(move_part, &j1, &j2);
	store_phase("sort-move");
	free(z->rr);
	z->rr = nr;
	ret = 0;
out:
	free(a);
	free(b);
	free(cnt);
	return ret;
}

#define PAR_SIDE_MIN	4096	/* smaller sets: the caller runs it after */
static int
side_job(void *arg)
{
	struct zset *z = arg;

	return z->side(z, z->side_arg);
}

int
zset_check(struct zset *z)
{
	size_t i, j, start, olen = strlen(z->origin);
	int apex_ns = 0, nsoa = 0, rerun = 0, same, ret;
	struct zrr *r;
	struct par hj = { 0 };
	char o[DNAME_MAXSTR];

	z->side_done = 0;
	if ((ret = zset_sort(z)) < 0)
		return ret;
	store_phase("sort");
	/* The caller's job beside the checks, on another core: the set is
	 * final unless it holds duplicates (then run again once they are
	 * gone). One pass drops duplicates (the first seen stays) and checks
	 * each owner's records, the SOA and the apex NS. */
	if (z->side != NULL && z->n >= PAR_SIDE_MIN)
		par_start(&hj, side_job, z);
	z->soa = -1;
	for (i = 0, j = 0, start = 0; i < z->n; i++) {
		zset_prefetch(z, i);
		r = &z->rr[i];
		/* sorted: a duplicate follows its first, with its owner */
		same = j > 0 && same_owner(z, &z->rr[j - 1], r);
		if (same && cmp_past_owner(z, &z->rr[j - 1], r) == 0) {
			if (hj.used) {
				/* the set changes under the job */
				par_join(&hj);
				rerun = 1;
			}
			zset_problem(z, r->file, r->line, 1,
			    "duplicate record at %s dropped%s",
			    owner_str(z, r, o, sizeof(o)), NULL);
			continue;
		}
		if (j != i)
			z->rr[j] = *r;
		r = &z->rr[j];
		/* the group's owner is the one before (hot in the cache) */
		if (j > start && !same) {
			check_owner_group(z, start, j);
			start = j;
		}
		j++;
		if (olen != r->owner_len ||
		    memcmp(ZOWNER(z, r), z->origin, r->owner_len) != 0) {
			if (r->type == WIRE_TYPE_SOA)
				zset_problem(z, r->file, r->line, 0,
				    "SOA record at %s, not at the apex %s",
				    owner_str(z, r, o, sizeof(o)), z->origin);
			continue;
		}
		if (r->type == WIRE_TYPE_NS)
			apex_ns = 1;
		if (r->type == WIRE_TYPE_SOA) {
			if (serial_soa_off(ZRDATA(z, r), r->rdlen) < 0)
				zset_problem(z, r->file, r->line, 0,
				    "malformed SOA record%s%s", NULL, NULL);
			else if (nsoa++ == 0)
				z->soa = (int)(j - 1);
			else
				zset_problem(z, r->file, r->line, 0,
				    "second SOA record at %s (a zone has "
				    "exactly one)%s", z->origin, NULL);
		}
	}
	if (j != z->n)
		z->n = j;	/* (no digest runs then) */
	if (z->n > start)
		check_owner_group(z, start, z->n);
	if (rerun)
		par_start(&hj, side_job, z);
	if (z->check_rows)
		check_rows(z);
	ret = check_dnames(z);
	store_phase("check");
	if (hj.used && par_join(&hj) == 0)
		z->side_done = 1;
	store_phase("side-wait");
	if (ret < 0)
		return ret;
	if (nsoa == 0)
		zset_problem(z, 0, 0, 0, "no SOA record at the apex %s%s",
		    z->origin, NULL);
	if (!apex_ns)
		zset_problem(z, 0, 0, 0, "no NS record at the apex %s%s",
		    z->origin, NULL);
	return z->errors > 0 ? HP_EINVALID : 0;
}

size_t
zset_rr_bytes(const struct zset *z, const struct zrr *r, uint8_t *buf)
{
	uint8_t *p = buf;

	memcpy(p, ZOWNER(z, r), r->owner_len);
	p += r->owner_len;
	*p++ = 0;
	*p++ = (uint8_t)(r->type >> 8);
	*p++ = (uint8_t)r->type;
	*p++ = (uint8_t)(r->rclass >> 8);
	*p++ = (uint8_t)r->rclass;
	*p++ = (uint8_t)(r->ttl >> 24);
	*p++ = (uint8_t)(r->ttl >> 16);
	*p++ = (uint8_t)(r->ttl >> 8);
	*p++ = (uint8_t)r->ttl;
	*p++ = (uint8_t)(r->rdlen >> 8);
	*p++ = (uint8_t)r->rdlen;
	memcpy(p, ZRDATA(z, r), r->rdlen);
	if (r->type == WIRE_TYPE_SOA)
		serial_soa_set(p, r->rdlen, 0);
	return (size_t)(p - buf) + r->rdlen;
}

int
zset_digest(const struct zset *z, size_t from, size_t to, int with_soa,
    struct evp_md_ctx_st *ctx, uint8_t *buf, uint8_t out[32],
    uint32_t *count)
{
	size_t used = 0, i;
	unsigned int olen = 0;
	uint32_t n = 0;

	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		return HP_ECRYPTO;
	for (i = from; i < to; i++) {
		if (!with_soa && z->rr[i].type == WIRE_TYPE_SOA)
			continue;
		if (used > 65536) {
			if (EVP_DigestUpdate(ctx, buf, used) != 1)
				return HP_ECRYPTO;
			used = 0;
		}
		zset_prefetch(z, i);
		used += zset_rr_bytes(z, &z->rr[i], buf + used);
		n++;
	}
	if (EVP_DigestUpdate(ctx, buf, used) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, &olen) != 1 || olen != 32)
		return HP_ECRYPTO;
	if (count != NULL)
		*count = n;
	return 0;
}

void
zset_rr(const struct zset *z, const struct zrr *r, char *owner, size_t len,
    struct store_rr *rr)
{
	snprintf(owner, len, "%.*s", (int)r->owner_len, ZOWNER(z, r));
	rr->owner = owner;
	rr->type = r->type;
	rr->rclass = r->rclass;
	rr->ttl = r->ttl;
	rr->rdata = ZRDATA(z, r);
	rr->rdlen = r->rdlen;
}
