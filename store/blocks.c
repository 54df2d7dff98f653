/*
 * blocks.c -- an import's change found by reading only what changed, and
 * the digest of a zone's content.
 *
 * A zone's records, SOA aside, are cut into blocks in the store's order
 * by their content alone: a block ends before an owner name whose hash
 * has its low BLOCKS_BITS bits clear (one owner in 2^BLOCKS_BITS, as
 * rsync and restic cut files), or at BLOCKS_MAX records whatever the
 * owners. Each is kept as its first key, the number of its records and a
 * digest of them (table zone_blocks, one row per zone, valid while the
 * zone's current version is the one it names). A change of ten records
 * in a million leaves all blocks but the ten (or a few more) that hold
 * them as they were: an import cuts its sorted set the same way, pairs
 * its blocks with the stored ones by first key and digest, and reads
 * from `records` only the key ranges between pairs that match
 * (plan_diff_range), a few thousand rows instead of the whole zone.
 *
 * Digests: SHA-256 (the first 16 octets) over the octets zset_rr_bytes()
 * gives, record after record. The digest of a whole set (blocks_hash:
 * zones.content_hash, a source's digest) is SHA-256 over its SOA with the
 * serial zeroed and its blocks' counts and digests: content-defined like
 * the blocks, so one pass over the records, on both cores, gives both.
 * Only imports that leave the zone exactly their text (replace, or a
 * source that made the zone) write blocks; any other change makes a new
 * version and so makes them stale.
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

#define BLOCKS_MAGIC	"HPB2"	/* HPB1: cut at the keys of the version before */
#define BLOCKS_HASH_MAGIC "HPZ2"
#define BLOCKS_PAR_MIN	4096	/* records: smaller sets on one core */
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

/* A hash of LEN octets at P, from H. */
static uint64_t
hash_bytes(uint64_t h, const void *p, size_t len)
{
	const uint8_t *o = p;
	uint64_t w;

	h ^= len;
	while (len >= 8) {
		memcpy(&w, o, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
		o += 8;
		len -= 8;
	}
	w = 0;
	memcpy(&w, o, len);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

/* The hash of entry R's owner: *OH, kept while the owner is *LAST. */
static uint64_t
owner_hash(const struct zset *z, const struct zrr *r, uint32_t *last,
    uint64_t *oh)
{
	if (*last != r->owner) {
		*oh = hash_bytes(0x9e3779b97f4a7c15ULL, ZOWNER(z, r),
		    r->owner_len);
		*last = r->owner;
	}
	return *oh;
}

/* 1 when entry I of Z starts a block whatever came before it: its key
 * (owner, type, rdata) hashes so. LAST and OH: owner_hash()'s. */
static int
cut_at(const struct zset *z, size_t i, uint32_t *last, uint64_t *oh)
{
	const struct zrr *r = &z->rr[i];
	uint64_t h;

	h = hash_bytes(owner_hash(z, r, last, oh) ^ r->type, ZRDATA(z, r),
	    r->rdlen);
	return (h & ((1u << BLOCKS_BITS) - 1)) == 0;
}

struct digester {
	EVP_MD_CTX *ctx;
	uint8_t buf[ZSET_DIGEST_BUF];
};

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

/* One block: entries START..END of Z, its first key FIRST (NULL: from the
 * start), into OUT. */
static int
block_add(struct digester *d, const struct zset *z, size_t start,
    size_t end, int first, struct blocks *out)
{
	struct block k;
	uint8_t md[32];
	int ret;

	memset(&k, 0, sizeof(k));
	if (!first)
		key_of(z, &z->rr[start], &k.key);
	k.at = start;
	if ((ret = zset_digest(z, start, end, 0, d->ctx, d->buf, md,
	    &k.n)) < 0)
		return ret;
	memcpy(k.digest, md, 16);
	return blocks_push(out, &k);
}

/*
 * The blocks of the entries FROM..TO of Z into OUT; FROM is 0 or an entry
 * that starts a block whatever came before (cut_at), so that the blocks
 * of two ranges are those of their union. An SOA never starts a block.
 */
static int
blocks_cut(const struct zset *z, size_t from, size_t to, struct blocks *out)
{
	struct digester *d;
	size_t i, start = from, n = 0;
	uint32_t last = UINT32_MAX;
	uint64_t oh = 0;
	int ret = 0;

	if (from >= to && from > 0)
		return 0;
	if ((ret = digester_new(&d)) < 0)
		return ret;
	for (i = from; i < to && ret == 0; i++) {
		if (z->rr[i].type == WIRE_TYPE_SOA)
			continue;
		if (i > start && (n >= BLOCKS_MAX || cut_at(z, i, &last,
		    &oh))) {
			ret = block_add(d, z, start, i, start == 0, out);
			start = i;
			n = 0;
		}
		n++;
	}
	if (ret == 0)
		ret = block_add(d, z, start, to, start == 0, out);
	digester_free(d);
	return ret;
}

struct cut_job {
	const struct zset *z;
	size_t from, to;
	struct blocks out;
};

static int
cut_job_run(void *arg)
{
	struct cut_job *j = arg;

	return blocks_cut(j->z, j->from, j->to, &j->out);
}

int
blocks_build(const struct zset *nz, struct blocks *out)
{
	struct cut_job j1 = { nz, 0, nz->n, { 0 } }, j2 = { nz, 0, 0, { 0 } };
	struct par p;
	size_t i, mid;
	uint32_t last = UINT32_MAX;
	uint64_t oh = 0;
	int r1, r2 = 0;

	blocks_free(out);
	/* two halves on two cores, the second from the first entry past the
	 * middle that starts a block whatever came before */
	if (nz->n >= 2 * BLOCKS_PAR_MIN) {
		for (mid = nz->n / 2; mid < nz->n; mid++)
			if (nz->rr[mid].type != WIRE_TYPE_SOA &&
			    cut_at(nz, mid, &last, &oh))
				break;
		j1.to = j2.from = mid;
		j2.to = nz->n;
	}
	if (j2.from < j2.to)
		par_start(&p, cut_job_run, &j2);
	r1 = cut_job_run(&j1);
	if (j2.from < j2.to)
		r2 = par_join(&p);
	if (r1 == 0 && r2 == 0)
		for (i = 0; i < j2.out.n && r1 == 0; i++)
			r1 = blocks_push(&j1.out, &j2.out.b[i]);
	blocks_free(&j2.out);
	if (r1 < 0 || r2 < 0) {
		blocks_free(&j1.out);
		return r1 < 0 ? r1 : r2;
	}
	*out = j1.out;
	return 0;
}

int
blocks_hash(const struct zset *nz, const struct blocks *nb, uint8_t out[32])
{
	EVP_MD_CTX *ctx;
	uint8_t *buf, n[4];
	unsigned int olen = 0;
	size_t i, len;
	int ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    (buf = malloc(ZSET_RR_BYTES_MAX)) == NULL) {
		EVP_MD_CTX_free(ctx);
		return HP_ENOMEM;
	}
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, BLOCKS_HASH_MAGIC, 4) == 1;
	if (ok && nz->soa >= 0 && (size_t)nz->soa < nz->n) {
		len = zset_rr_bytes(nz, &nz->rr[nz->soa], buf);
		ok = EVP_DigestUpdate(ctx, buf, len) == 1;
	}
	for (i = 0; ok && i < nb->n; i++) {
		n[0] = (uint8_t)(nb->b[i].n >> 24);
		n[1] = (uint8_t)(nb->b[i].n >> 16);
		n[2] = (uint8_t)(nb->b[i].n >> 8);
		n[3] = (uint8_t)nb->b[i].n;
		ok = EVP_DigestUpdate(ctx, n, 4) == 1 &&
		    EVP_DigestUpdate(ctx, nb->b[i].digest, 16) == 1;
	}
	ok = ok && EVP_DigestFinal_ex(ctx, out, &olen) == 1 && olen == 32;
	EVP_MD_CTX_free(ctx);
	free(buf);
	return ok ? 0 : HP_ECRYPTO;
}

/* The first key of block I of B (NULL: from the start). */
static const struct rowv *
bkey(const struct blocks *b, size_t i)
{
	return b->b[i].key.o != NULL ? &b->b[i].key : NULL;
}

/* Block I of OLD against block J of NEW (of NZ): their first keys in the
 * store's order. */
static int
key_cmp(const struct zset *nz, const struct blocks *old, size_t i,
    const struct blocks *new, size_t j)
{
	if (bkey(old, i) == NULL || bkey(new, j) == NULL)
		return (bkey(old, i) != NULL) - (bkey(new, j) != NULL);
	return -cmp_rowv(nz, &nz->rr[new->b[j].at], bkey(old, i));
}

/* 1 when they hold the same records: same first key, count and digest. */
static int
blk_same(const struct zset *nz, const struct blocks *old, size_t i,
    const struct blocks *new, size_t j)
{
	return i < old->n && j < new->n && old->b[i].n == new->b[j].n &&
	    memcmp(old->b[i].digest, new->b[j].digest, 16) == 0 &&
	    key_cmp(nz, old, i, new, j) == 0;
}

/*
 * Walk both lists in key order. Blocks that pair up hold the same records
 * in both; between two pairs (or the ends) lies a gap: the key range from
 * the lower of the first keys of its unpaired blocks to the next pair's,
 * the same in both, read from `records` and compared with NZ's entries.
 */
int
blocks_diff(struct store *st, int64_t zone_id, const struct zset *nz,
    const struct blocks *old, const struct blocks *new, struct zset *rm,
    struct zset *oldsoa, size_t **added, size_t *nadded,
    size_t *ttl_changes, uint64_t *read)
{
	const struct rowv *lo;
	size_t *ad, i = 0, j = 0, gi, gj, from, to;
	int ret = 0, c;

	*nadded = *ttl_changes = 0;
	*read = 0;
	if (old->n == 0 || old->b[0].key.o != NULL || new->n == 0 ||
	    new->b[0].key.o != NULL)
		return HP_EINVAL;
	if ((ad = malloc((nz->n + 1) * sizeof(*ad))) == NULL)
		return HP_ENOMEM;
	while (ret == 0 && (i < old->n || j < new->n)) {
		if (blk_same(nz, old, i, new, j)) {
			i++;
			j++;
			continue;
		}
		gi = i;
		gj = j;
		do {
			c = i == old->n ? 1 : j == new->n ? -1 :
			    key_cmp(nz, old, i, new, j);
			if (c <= 0)
				*read += old->b[i++].n;
			if (c >= 0)
				j++;
		} while ((i < old->n || j < new->n) && !blk_same(nz, old, i,
		    new, j));
		/* the gap starts where its first unpaired block does, in
		 * the list where that is lower; NZ's entries from its first
		 * unpaired block (none past the pair before otherwise) */
		from = gj < new->n ? new->b[gj].at : nz->n;
		to = j < new->n ? new->b[j].at : nz->n;
		if (gi == old->n)
			lo = bkey(new, gj);
		else if (gj == new->n || key_cmp(nz, old, gi, new, gj) <= 0)
			lo = bkey(old, gi);
		else
			lo = bkey(new, gj);
		ret = plan_diff_range(st, zone_id, nz, from, to, lo,
		    i < old->n ? bkey(old, i) : NULL, rm, oldsoa, ad, nadded,
		    ttl_changes);
	}
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
