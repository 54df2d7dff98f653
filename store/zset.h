/*
 * zset.h -- internal to store/: a zone's RR set in memory (one arena, one
 * array of fixed-size entries), filled from a zone text (zparse.c) or from
 * the database, sorted in the store's order, validated and digested
 * (zset.c).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_STORE_ZSET_H
#define HP_STORE_ZSET_H

#include <stddef.h>
#include <stdint.h>

#include "dns/err.h"

struct zrr {
	uint32_t owner;		/* arena offset of the owner text */
	uint32_t rdata;		/* arena offset of the rdata */
	uint16_t owner_len;
	uint16_t rdlen;
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint32_t line;		/* input line, 0 when from the database */
	uint32_t file;		/* index into files[] */
};

struct zset {
	struct zrr *rr;
	size_t n, cap;
	uint64_t *key;		/* the sort's first key of entries 0..nkey-1,
				   taken as they are added (zset_add) */
	size_t nkey;
	uint8_t *arena;
	size_t alen, acap;
	char **files;		/* names for messages */
	size_t nfiles;
	char origin[256];	/* zone name, text, lowercase, trailing dot */
	uint8_t origin_wire[256];
	size_t origin_wire_len;
	hp_problem_fn *problem;	/* NULL: stderr */
	void *problem_arg;
	unsigned errors, warnings;
	int soa;		/* index of the SOA after zset_check, or -1 */
	int include_depth;
	uint32_t last_owner, last_owner_len;	/* owner dedup */
	/* parser: the last owner (wire, as scanned) and its text form */
	uint8_t pc_wire[256];
	char pc_text[1024];
	size_t pc_wire_len, pc_text_len;
	int pc_valid, pc_status;	/* 0 ok, 1 bad name, 2 outside */
	uint64_t max_size;
	int own_origin;		/* non-zero: relative names do not get the
				   zone as their origin (ZSET_NO_ORIGIN); 1 +
				   the records refused for it */
	int check_rows;		/* zset_check() checks each RR as well (a
				   set read from the database) */
	int pipe;		/* parse on two cores: 1 always, -1 never,
				   0 inputs of 4 MiB and more */
	/* zset_check() runs SIDE(Z, SIDE_ARG) on another core beside its
	 * checks once the set is in order (again when duplicates went);
	 * SIDE_DONE is 1 after it when it ran on the final set and returned
	 * 0 (small sets: not run, the caller runs it). It only reads Z. */
	int (*side)(const struct zset *, void *);
	void *side_arg;
	int side_done;
};

/* With OWN_ORIGIN set, relative names are parsed against this name
 * instead of the zone's, and refused when they end up under it: the text
 * must say its origin ($ORIGIN or absolute names) for the zone it is
 * imported into to accept it. */
#define ZSET_NO_ORIGIN	"hpagent-text-without-origin.invalid."

/* Initialise Z for zone ORIGIN (any case, dot optional); problems go to
 * PROBLEM (NULL: stderr). 0 or HP_EINVAL. */
int zset_init(struct zset *z, const char *origin, hp_problem_fn *problem,
    void *arg);
void zset_free(struct zset *z);

/* zparse.c: parse a file / a buffer into Z. Problems are printed and
 * counted in Z->errors; returns 0, HP_EPARSE (syntax), or a file error. */
int zset_parse_file(struct zset *z, const char *path);
int zset_parse_buffer(struct zset *z, const char *name, const char *buf,
    size_t len);

/* A problem of Z's input FILE (index into files[]; past them: the zone)
 * at LINE: FMT with up to two strings; counted in errors or warnings. */
void zset_problem(struct zset *z, uint32_t file, uint32_t line, int warn,
    const char *fmt, const char *a, const char *b);
/* NAME added to Z's files: *IDX its index. 0 or HP_ENOMEM. */
int zset_add_file(struct zset *z, const char *name, uint32_t *idx);

/* Append one RR (owner text as stored). 0 or HP_ENOMEM/HP_ETOOBIG. */
int zset_add(struct zset *z, const char *owner, size_t owner_len,
    uint16_t type, uint16_t rclass, uint32_t ttl, const uint8_t *rdata,
    size_t rdlen, uint32_t line, uint32_t file);

/* Sort in the store's order, drop duplicates (warning each), validate the
 * zone (one SOA at the apex, apex NS, CNAME alone, one DNAME and nothing
 * below it; with CHECK_ROWS each RR too: store_check_rr). 0 or
 * HP_EINVALID. SIDE, when set, runs beside the checks (above). */
int zset_check(struct zset *z);

/* Compare two entries in the store's order (owner, type, rdata, class). */
int zset_cmp(const struct zset *z, const struct zrr *a, const struct zrr *b);

/* The octets of R that the digests take (owner text, NUL, type, class,
 * TTL, rdata length, rdata; an SOA's serial zeroed) into BUF, which has
 * room for ZSET_RR_BYTES_MAX; returns their count. */
#define ZSET_RR_BYTES_MAX	(65535 + 1 + 10 + 65535)
size_t zset_rr_bytes(const struct zset *z, const struct zrr *r, uint8_t *buf);
/* SHA-256 over the octets of entries FROM..TO of Z, the SOA left out
 * unless WITH_SOA (the blocks' digests: blocks.c): into OUT, their count
 * into *COUNT (may be NULL). CTX (an EVP_MD_CTX) and BUF (ZSET_DIGEST_BUF octets) are the
 * caller's, kept from one range to the next. 0 or HP_ECRYPTO. */
#define ZSET_DIGEST_BUF	(65536 + ZSET_RR_BYTES_MAX)
struct evp_md_ctx_st;
int zset_digest(const struct zset *z, size_t from, size_t to, int with_soa,
    struct evp_md_ctx_st *ctx, uint8_t *buf, uint8_t out[32],
    uint32_t *count);

/* R of Z as a struct store_rr (its owner copied into OWNER, LEN octets:
 * DNAME_MAXSTR is enough; the rdata borrowed). */
struct store_rr;
void zset_rr(const struct zset *z, const struct zrr *r, char *owner,
    size_t len, struct store_rr *rr);

/* A pass over a sorted set reads the arena at random: entry I + 16's
 * octets are asked for ahead of their use. */
#define ZSET_AHEAD	16
static inline void
zset_prefetch(const struct zset *z, size_t i)
{
	const struct zrr *r;

	if (i + ZSET_AHEAD < z->n) {
		r = &z->rr[i + ZSET_AHEAD];
		__builtin_prefetch(z->arena + r->owner);
		__builtin_prefetch(z->arena + r->rdata);
	}
}

#define ZOWNER(z, r)	((const char *)(z)->arena + (r)->owner)
#define ZRDATA(z, r)	((z)->arena + (r)->rdata)

#endif
