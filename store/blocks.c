/*
 * blocks.c -- an import's change found by reading only what changed.
 *
 * A zone's records, SOA aside, are cut into blocks of about BLOCKS_RRS in
 * the store's order: block k is the key range from its first key (the
 * first block: from the start) to the next block's, kept with the number
 * of its records and a digest of them (table zone_blocks, one row per
 * zone, valid while the zone's current version is the one it names). An
 * import of a text that changes ten records of a million cuts its sorted
 * RR set at the same keys, digests each range, and reads from `records`
 * only the ranges whose digest differs (plan_diff_range): a few thousand
 * rows instead of the whole zone. The blocks of the new content follow:
 * those that did not change are kept, the changed ranges are cut again.
 *
 * Digests: SHA-256 (the first 16 octets) over the octets zset_hash()
 * digests, record after record. Only imports that leave the zone exactly
 * their text (replace, or a source that made the zone) write blocks;
 * any other change makes a new version and so makes them stale.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "dns/err.h"
#include "dns/wire.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/zset.h"

#define BLOCKS_MAGIC	"HPB1"
#define BLOCKS_NONE	0xffff	/* owner length of "from the start" */

void
blocks_free(struct blocks *b)
{
	free(b->b);
	free(b->blob);
	memset(b, 0, sizeof(*b));
}

static int
blocks_push(struct blocks *b, const struct block *k)
{
	struct block *nb;
	size_t cap;

	if (b->n == b->cap) {
		cap = b->cap ? 2 * b->cap : 256;
		if ((nb = realloc(b->b, cap * sizeof(*nb))) == NULL)
			return HP_ENOMEM;
		b->b = nb;
		b->cap = cap;
	}
	b->b[b->n++] = *k;
	return 0;
}

/* The key of entry R of Z. */
static void
key_of(const struct zset *z, const struct zrr *r, struct rowv *k)
{
	k->o = ZOWNER(z, r);
	k->olen = r->owner_len;
	k->type = r->type;
	k->rclass = r->rclass;
	k->ttl = 0;
	k->rd = ZRDATA(z, r);
	k->rdlen = r->rdlen;
}

/* The first entry of Z at or after FROM whose key is not below K. */
static size_t
lower_bound(const struct zset *z, size_t from, const struct rowv *k)
{
	size_t lo = from, hi = z->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cmp_rowv(z, &z->rr[mid], k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The digest and count of the entries FROM..TO of Z but the SOA. */
struct digester {
	EVP_MD_CTX *ctx;
	uint8_t buf[ZSET_DIGEST_BUF];
};

static int
digest_range(struct digester *d, const struct zset *z, size_t from,
    size_t to, uint8_t out[16], uint32_t *count)
{
	uint8_t md[32];
	int ret;

	if ((ret = zset_digest(z, from, to, 0, d->ctx, d->buf, md,
	    count)) == 0)
		memcpy(out, md, 16);
	return ret;
}

/* The entries FROM..TO of Z as blocks of BLOCKS_RRS records into OUT, the
 * first from FIRST (the range's own start: NULL owner = from the start).
 * A range with no record but the first block adds none: the block before
 * covers it. */
static int
blocks_cut(struct digester *d, const struct zset *z, size_t from, size_t to,
    const struct rowv *first, struct blocks *out)
{
	struct block k;
	size_t i, start, n;
	int ret;

	for (i = from; i < to && z->rr[i].type == WIRE_TYPE_SOA; i++)
		;
	if (i == to && first->o != NULL)
		return 0;
	memset(&k, 0, sizeof(k));
	k.key = *first;
	start = from;
	do {
		/* BLOCKS_RRS records (SOA aside) from START */
		for (i = start, n = 0; i < to && n < BLOCKS_RRS; i++)
			if (z->rr[i].type != WIRE_TYPE_SOA)
				n++;
		if ((ret = digest_range(d, z, start, i, k.digest, &k.n)) < 0 ||
		    (ret = blocks_push(out, &k)) < 0)
			return ret;
		start = i;
		while (start < to && z->rr[start].type == WIRE_TYPE_SOA)
			start++;
		if (start < to)
			key_of(z, &z->rr[start], &k.key);
	} while (start < to);
	return 0;
}

static int
digester_new(struct digester **d)
{
	if ((*d = malloc(sizeof(**d))) == NULL)
		return HP_ENOMEM;
	if (((*d)->ctx = EVP_MD_CTX_new()) == NULL) {
		free(*d);
		*d = NULL;
		return HP_ENOMEM;
	}
	return 0;
}

static void
digester_free(struct digester *d)
{
	if (d == NULL)
		return;
	EVP_MD_CTX_free(d->ctx);
	free(d);
}

int
blocks_build(const struct zset *nz, struct blocks *out)
{
	struct digester *d;
	struct rowv none = { 0 };
	int ret;

	out->n = 0;
	if ((ret = digester_new(&d)) < 0)
		return ret;
	ret = blocks_cut(d, nz, 0, nz->n, &none, out);
	digester_free(d);
	return ret;
}

/*
 * The digests of NZ's entries in the ranges of the blocks FROM..TO (the
 * ranges' starts in AT[], AT[i + 1] the end of block i) into OUT[]: half
 * of the blocks on a thread of their own (par.c), half in the caller.
 */
struct range_job {
	const struct zset *nz;
	const size_t *at;
	struct block *out;
	size_t from, to;
};

static int
range_job_run(void *arg)
{
	struct range_job *j = arg;
	struct digester *d;
	size_t i;
	int ret;

	if ((ret = digester_new(&d)) < 0)
		return ret;
	for (i = j->from; ret == 0 && i < j->to; i++)
		ret = digest_range(d, j->nz, j->at[i], j->at[i + 1],
		    j->out[i].digest, &j->out[i].n);
	digester_free(d);
	return ret;
}

static int
digest_ranges(const struct zset *nz, const size_t *at, struct block *out,
    size_t n)
{
	struct range_job j1 = { nz, at, out, 0, n / 2 };
	struct range_job j2 = { nz, at, out, n / 2, n };
	struct par p;
	int r1, r2;

	if (n < 64) {		/* a small zone: not worth a thread */
		j1.to = n;
		return range_job_run(&j1);
	}
	par_start(&p, range_job_run, &j2);
	r1 = range_job_run(&j1);
	r2 = par_join(&p);
	return r1 < 0 ? r1 : r2;
}

int
blocks_diff(struct store *st, int64_t zone_id, const struct zset *nz,
    const struct blocks *old, struct zset *rm, struct zset *oldsoa,
    size_t **added, size_t *nadded, size_t *ttl_changes, struct blocks *out)
{
	struct digester *d = NULL;
	const struct block *b;
	struct block *nd = NULL;
	size_t *ad, *at = NULL, i, lo, hi;
	int ret;

	*nadded = *ttl_changes = 0;
	out->n = 0;
	out->read = 0;
	if (old->n == 0 || old->b[0].key.o != NULL)
		return HP_EINVAL;
	if ((ad = malloc((nz->n + 1) * sizeof(*ad))) == NULL)
		return HP_ENOMEM;
	/* where each block's range starts in NZ, then their digests */
	if ((at = malloc((old->n + 1) * sizeof(*at))) == NULL ||
	    (nd = calloc(old->n, sizeof(*nd))) == NULL) {
		ret = HP_ENOMEM;
		goto out;
	}
	at[0] = 0;
	for (i = 1; i < old->n; i++)
		at[i] = lower_bound(nz, at[i - 1], &old->b[i].key);
	at[old->n] = nz->n;
	if ((ret = digest_ranges(nz, at, nd, old->n)) < 0 ||
	    (ret = digester_new(&d)) < 0)
		goto out;
	for (i = 0; i < old->n; i++) {
		b = &old->b[i];
		lo = at[i];
		hi = at[i + 1];
		if (nd[i].n == b->n && memcmp(nd[i].digest, b->digest,
		    16) == 0) {
			/* the same records: the block stays as it is */
			if ((ret = blocks_push(out, b)) < 0)
				break;
		} else {
			out->read += b->n;
			if ((ret = plan_diff_range(st, zone_id, nz, lo, hi,
			    i == 0 ? NULL : &b->key, i + 1 < old->n ?
			    &old->b[i + 1].key : NULL, rm, oldsoa, ad, nadded,
			    ttl_changes)) < 0 ||
			    (ret = blocks_cut(d, nz, lo, hi, &b->key, out)) < 0)
				break;
		}
	}
out:
	digester_free(d);
	free(at);
	free(nd);
	if (ret < 0) {
		free(ad);
		return ret;
	}
	*added = ad;
	return 0;
}

/* ---- the table ---------------------------------------------------------- */

static void
put16(uint8_t **p, unsigned v)
{
	(*p)[0] = (uint8_t)(v >> 8);
	(*p)[1] = (uint8_t)v;
	*p += 2;
}

int
blocks_save(struct store *st, int64_t zone_id, const struct blocks *b)
{
	sqlite3_stmt *s;
	const struct block *k;
	uint8_t *blob, *p;
	size_t len = 4, i;
	int ret;

	for (i = 0; i < b->n; i++)
		len += 2 + (b->b[i].key.o != NULL ? b->b[i].key.olen + 6 +
		    b->b[i].key.rdlen : 0) + 4 + 16;
	if ((blob = malloc(len)) == NULL)
		return HP_ENOMEM;
	p = blob;
	memcpy(p, BLOCKS_MAGIC, 4);
	p += 4;
	for (i = 0; i < b->n; i++) {
		k = &b->b[i];
		if (k->key.o == NULL)
			put16(&p, BLOCKS_NONE);
		else {
			put16(&p, (unsigned)k->key.olen);
			memcpy(p, k->key.o, k->key.olen);
			p += k->key.olen;
			put16(&p, (unsigned)k->key.type);
			put16(&p, (unsigned)k->key.rclass);
			put16(&p, (unsigned)k->key.rdlen);
			if (k->key.rdlen > 0)
				memcpy(p, k->key.rd, k->key.rdlen);
			p += k->key.rdlen;
		}
		put16(&p, k->n >> 16);
		put16(&p, k->n & 0xffff);
		memcpy(p, k->digest, 16);
		p += 16;
	}
	if ((ret = store_prep(st, &s, "INSERT OR REPLACE INTO zone_blocks "
	    "(zone_id, version_id, blocks) VALUES (?1, (SELECT max(id) FROM "
	    "versions WHERE zone_id = ?1), ?2)")) == 0) {
		sqlite3_bind_int64(s, 1, zone_id);
		sqlite3_bind_blob(s, 2, blob, (int)len, SQLITE_STATIC);
		ret = store_step_done(s);
		sqlite3_finalize(s);
	}
	free(blob);
	return ret;
}

static int
get16(const uint8_t **p, const uint8_t *end, unsigned *v)
{
	if (end - *p < 2)
		return -1;
	*v = (unsigned)(*p)[0] << 8 | (*p)[1];
	*p += 2;
	return 0;
}

/* The blocks of the blob B->blob (LEN octets) into B; -1 when it is not
 * what blocks_save writes. */
static int
blocks_parse(struct blocks *b, size_t len)
{
	const uint8_t *p = b->blob, *end = b->blob + len;
	struct block k;
	unsigned v, hi, lo;

	if (len < 4 || memcmp(p, BLOCKS_MAGIC, 4) != 0)
		return -1;
	p += 4;
	while (p < end) {
		memset(&k, 0, sizeof(k));
		if (get16(&p, end, &v) < 0)
			return -1;
		if (v != BLOCKS_NONE) {
			k.key.o = (const char *)p;
			k.key.olen = v;
			if ((size_t)(end - p) < v)
				return -1;
			p += v;
			if (get16(&p, end, &v) < 0)
				return -1;
			k.key.type = (int)v;
			if (get16(&p, end, &v) < 0)
				return -1;
			k.key.rclass = (int)v;
			if (get16(&p, end, &v) < 0 || (size_t)(end - p) < v)
				return -1;
			k.key.rd = p;
			k.key.rdlen = v;
			p += v;
		} else if (b->n > 0)
			return -1;	/* only the first is from the start */
		if (get16(&p, end, &hi) < 0 || get16(&p, end, &lo) < 0 ||
		    end - p < 16)
			return -1;
		k.n = (uint32_t)hi << 16 | lo;
		memcpy(k.digest, p, 16);
		p += 16;
		if (blocks_push(b, &k) < 0)
			return -1;
	}
	return b->n > 0 && b->b[0].key.o == NULL ? 0 : -1;
}

int
blocks_load(struct store *st, int64_t zone_id, struct blocks *b)
{
	sqlite3_stmt *s;
	const void *p;
	size_t len;
	int rc, ret;

	blocks_free(b);
	if ((ret = store_prep(st, &s, "SELECT blocks FROM zone_blocks WHERE "
	    "zone_id = ?1 AND version_id = (SELECT max(id) FROM versions "
	    "WHERE zone_id = ?1)")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, zone_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW &&
	    (p = sqlite3_column_blob(s, 0)) != NULL) {
		len = (size_t)sqlite3_column_bytes(s, 0);
		if ((b->blob = malloc(len)) == NULL)
			rc = SQLITE_NOMEM;
		else {
			memcpy(b->blob, p, len);
			if (blocks_parse(b, len) < 0) {
				/* not ours: as if there were none */
				free(b->b);
				b->b = NULL;
				b->n = b->cap = 0;
			}
		}
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_NOMEM)
		return HP_ENOMEM;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}
