/*
 * xfrcache.c -- AXFR messages of a zone version.
 *
 * xfrc_stream reads the records in storage order (owner, type, rdata,
 * class: the primary key's order, no sort), all of them or those between
 * two keys, and writes them into messages with name compression, one
 * message per call: a transfer can stream the records table with a few
 * messages in memory, and the cache builder (xfrc_build, run by the
 * daemon in a thread of its own) stores each message as a row of
 * axfr_msgs and the version's list of them in axfr_cache
 * (schema/007_axfr_msgs.sql). Owners come sorted, so the text -> wire
 * conversion is done once per owner, not once per RR.
 *
 * A version after a small change is built from the one before: each
 * cached message covers the records from its first one's key to the next
 * message's, so the journal's changed records tell which messages differ
 * (those and the first and last, which hold the SOA); only their ranges
 * are built again, the other messages are shared by both versions.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/log.h"
#include "dns/pkt.h"
#include "dns/wire.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/xfrcache.h"

/* An incremental build when at most this share of the messages changed
 * (else the whole version is built), and while the version's messages
 * stay this close to as few as a full build makes. */
#define XFRC_INCR_MAX_DIRTY	4	/* 1/4 of the messages */
#define XFRC_INCR_MAX_KEYS	100000	/* changed records */
#define XFRC_INCR_SLACK(n)	((n) / 4 + 4)

static const char xfrc_present_sql[] = "SELECT 1 FROM axfr_cache_done "
    "WHERE zone_id = ? AND version_id = ?";

int
xfrc_present(struct store *st, int64_t zone_id, int64_t version_id)
{
	sqlite3_stmt *s;
	int rc;

	if (store_stmt_get(st, xfrc_present_sql, &s) < 0)
		return HP_ESTORE;
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_int64(s, 2, version_id);
	rc = sqlite3_step(s);
	store_stmt_put(st, s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : HP_ESTORE;
}

/* ---- keys: the records' order ------------------------------------------ */

/* Where a record sorts: (owner, type, rdata, class), as the primary key of
 * `records` orders them (text and blobs: octets, then length). NONE: no
 * record, after every one (a message with the closing SOA alone). */
struct xfrc_key {
	char *owner;		/* malloc'ed: owner text, then rdata */
	size_t olen;
	uint16_t type, rclass;
	const uint8_t *rdata;
	size_t rdlen;
	int none;
};

static void
key_free(struct xfrc_key *k)
{
	free(k->owner);
	memset(k, 0, sizeof(*k));
	k->none = 1;
}

static int
key_set(struct xfrc_key *k, const char *owner, size_t olen, uint16_t type,
    const void *rdata, size_t rdlen, uint16_t rclass)
{
	char *p;

	if ((p = malloc(olen + rdlen + 1)) == NULL)
		return HP_ENOMEM;
	free(k->owner);
	memcpy(p, owner, olen);
	if (rdlen > 0)
		memcpy(p + olen, rdata, rdlen);
	k->owner = p;
	k->olen = olen;
	k->type = type;
	k->rdata = (const uint8_t *)p + olen;
	k->rdlen = rdlen;
	k->rclass = rclass;
	k->none = 0;
	return 0;
}

static int
key_cmp(const struct xfrc_key *a, const struct xfrc_key *b)
{
	int c;

	if (a->none || b->none)
		return a->none - b->none;
	if ((c = store_bytes_cmp(a->owner, a->olen, b->owner, b->olen)) != 0)
		return c;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if ((c = store_bytes_cmp(a->rdata, a->rdlen, b->rdata, b->rdlen)) != 0)
		return c;
	return a->rclass < b->rclass ? -1 : a->rclass > b->rclass;
}

/* Columns FIRST.. of S (owner, type, rdata, class) into K. */
static int
key_of_row(struct xfrc_key *k, sqlite3_stmt *s, int first)
{
	const char *owner = (const char *)sqlite3_column_text(s, first);
	const void *rd = sqlite3_column_blob(s, first + 2);

	if (owner == NULL) {
		key_free(k);
		return 0;
	}
	return key_set(k, owner, (size_t)sqlite3_column_bytes(s, first),
	    (uint16_t)sqlite3_column_int(s, first + 1), rd,
	    (size_t)sqlite3_column_bytes(s, first + 2),
	    (uint16_t)sqlite3_column_int(s, first + 3));
}

/* Bind K to the parameters AT..AT+3 of S. */
static void
key_bind(sqlite3_stmt *s, int at, const struct xfrc_key *k)
{
	sqlite3_bind_text(s, at, k->owner, (int)k->olen, SQLITE_STATIC);
	sqlite3_bind_int(s, at + 1, k->type);
	sqlite3_bind_blob(s, at + 2, k->rdata, (int)k->rdlen, SQLITE_STATIC);
	sqlite3_bind_int(s, at + 3, k->rclass);
}

/* ---- streaming the records table ------------------------------------- */

enum { XS_SOA1, XS_REST, XS_SOA2, XS_END };

/* The records of the zone other than the SOA, in key order: all (and the
 * signer's), from a key on, below a key, or between the two. */
#define XS_SQL		"SELECT owner, type, class, ttl, rdata FROM records " \
			"WHERE zone_id = ?1 AND type <> 6"
#define XS_FROM		" AND (owner, type, rdata, class) >= (?2, ?3, ?4, ?5)"
#define XS_BELOW	" AND (owner, type, rdata, class) < (?6, ?7, ?8, ?9)"
#define XS_ORDER	" ORDER BY owner, type, rdata, class"
static const char *const xs_sql[] = {
	/* a whole zone: the users' records in key order, then those the
	 * signer made for a signed zone (dnssec_records, canonical order;
	 * a signed zone is always built whole: see xfrc_from()) */
	"SELECT * FROM (" XS_SQL XS_ORDER ") UNION ALL SELECT * FROM "
	    "(SELECT owner, type, class, ttl, rdata FROM dnssec_records "
	    "WHERE zone_id = ?1 ORDER BY canon, type, rdata)",
	XS_SQL XS_FROM XS_ORDER,
	XS_SQL XS_BELOW XS_ORDER,
	XS_SQL XS_FROM XS_BELOW XS_ORDER,
};

struct xfrc_stream {
	sqlite3 *db;
	sqlite3_stmt *rest;
	int phase;
	int soa_last;		/* end with the SOA (the zone's end) */
	int have_row;		/* rest is on a row not written yet */
	struct dname_ctab *ctab;
	uint8_t zone[DNAME_MAXLEN];
	uint8_t soa[2 * DNAME_MAXLEN + 20];
	uint16_t soalen;
	uint32_t soattl;
	/* the previous owner, text and wire */
	char prev[DNAME_MAXSTR];
	int prevlen;
	uint8_t owner[DNAME_MAXLEN];
	/* the first record of the last message written */
	struct xfrc_key first;
	char why[DNAME_MAXSTR + 320];	/* a record no transfer may send */
};

static void xfrc_stream_free(struct xfrc_stream *s);

/*
 * Walk the current records of ZONE_ID (ZONE: its name, absolute,
 * lowercase text) on ST, which should be inside a read transaction so
 * that the walk sees one version: those from key LO on (NULL: from the
 * first) and below HI (NULL: to the last), the SOA first when LO is NULL
 * and last when HI is NULL (a whole zone: both). 0 and *OUT set,
 * HP_ENOENT when the zone has no SOA, HP_ENOMEM, HP_ESTORE.
 */
static int
xfrc_stream_open(struct store *st, int64_t zone_id, const char *zone,
    const struct xfrc_key *lo, const struct xfrc_key *hi,
    struct xfrc_stream **out)
{
	struct xfrc_stream *s;
	struct store_soa soa;
	sqlite3 *db = st->db;
	int r = HP_ESTORE;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return HP_ENOMEM;
	s->db = db;
	s->prevlen = -1;
	s->first.none = 1;
	s->soa_last = hi == NULL || hi->none;
	/* From a key after every record (where the closing SOA stands
	 * alone): no record, only that SOA. */
	s->phase = lo == NULL ? XS_SOA1 : !lo->none ? XS_REST :
	    s->soa_last ? XS_SOA2 : XS_END;
	if ((s->ctab = dname_ctab_new()) == NULL) {
		r = HP_ENOMEM;
		goto fail;
	}
	if (dname_from_str(zone, s->zone, NULL) < 0) {
		r = HP_EINVALID;
		goto fail;
	}
	if ((r = store_zone_soa(st, zone_id, &soa)) < 0) {
		if (r == HP_ESTORE)
			goto dberr;
		goto fail;
	}
	memcpy(s->soa, soa.rdata, soa.rdlen);
	s->soalen = soa.rdlen;
	s->soattl = soa.ttl;
	if (s->phase == XS_SOA2 || s->phase == XS_END) {
		*out = s;
		return 0;
	}
	if (sqlite3_prepare_v2(db, xs_sql[(lo != NULL) + 2 * !s->soa_last],
	    -1, &s->rest, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_int64(s->rest, 1, zone_id);
	if (lo != NULL)
		key_bind(s->rest, 2, lo);
	if (!s->soa_last)
		key_bind(s->rest, 6, hi);
	*out = s;
	return 0;
dberr:
	log_err("AXFR %s: %s", zone, sqlite3_errmsg(db));
	r = HP_ESTORE;
fail:
	xfrc_stream_free(s);
	return r;
}

static void
xfrc_stream_free(struct xfrc_stream *s)
{
	if (s == NULL)
		return;
	sqlite3_finalize(s->rest);
	dname_ctab_free(s->ctab);
	key_free(&s->first);
	free(s);
}

/* The current row's owner as a wire name (converted when it changes). */
static int
xfrc_owner(struct xfrc_stream *s)
{
	const char *text = (const char *)sqlite3_column_text(s->rest, 0);
	int len = sqlite3_column_bytes(s->rest, 0);

	if (text == NULL || len <= 0 || len >= (int)sizeof(s->prev))
		return HP_EINVALID;
	if (len == s->prevlen && memcmp(text, s->prev, (size_t)len) == 0)
		return 0;
	if (dname_from_str(text, s->owner, NULL) < 0 ||
	    !dname_is_subdomain(s->owner, s->zone)) {
		s->prevlen = -1;
		snprintf(s->why, sizeof(s->why), "%.*s: not a domain name of "
		    "the zone", len, text);
		return HP_EINVALID;
	}
	memcpy(s->prev, text, (size_t)len);
	s->prevlen = len;
	return 0;
}

/* The current row as store_check_rr() checks a record, but for the
 * owner's spelling (the owner was converted to a wire name already). */
static int
xfrc_check(struct xfrc_stream *s)
{
	sqlite3_stmt *q = s->rest;
	char why[256];
	int type = sqlite3_column_int(q, 1);

	if (store_check_type(type, sqlite3_column_int64(q, 2),
	    sqlite3_column_int64(q, 3), why, sizeof(why)) == 0 &&
	    sqlite3_column_type(q, 4) == SQLITE_BLOB &&
	    store_check_rdata((uint16_t)type, sqlite3_column_blob(q, 4),
	    (size_t)sqlite3_column_bytes(q, 4), why, sizeof(why)) == 0)
		return 0;
	if (sqlite3_column_type(q, 4) != SQLITE_BLOB)
		snprintf(why, sizeof(why), "rdata is not a BLOB");
	snprintf(s->why, sizeof(s->why), "%.*s type %d: %s", s->prevlen,
	    s->prev, type, why);
	return HP_EINVALID;
}

/*
 * Write the next message into BUF (CAP octets) and set *LEN (and *RRS, may
 * be NULL, to its RR count); its first record other than the SOA is then
 * S->first (none when it has the closing SOA alone). 1 when a message was
 * written, 0 at the end, or a negative HP_E*.
 */
static int
xfrc_stream_next(struct xfrc_stream *s, uint8_t *buf, size_t cap,
    size_t *len, int *rrs)
{
	struct pkt_wr w;
	const uint8_t *rd;
	uint16_t type, rclass;
	int n = 0, r, rc, rdlen;

	if (s->phase == XS_END)
		return 0;
	if ((r = pkt_wr_init(&w, buf, cap, 0, WIRE_FLAG_QR | WIRE_FLAG_AA,
	    s->ctab)) < 0 || (r = pkt_wr_question(&w, s->zone,
	    WIRE_TYPE_AXFR, WIRE_CLASS_IN)) < 0)
		return r;
	s->first.none = 1;
	/* RFC 5936 2.2: the SOA first, every other RR, the SOA again. */
	if (s->phase == XS_SOA1) {
		if ((r = pkt_wr_rr(&w, PKT_ANSWER, s->zone, WIRE_TYPE_SOA,
		    WIRE_CLASS_IN, s->soattl, s->soa, s->soalen)) < 0)
			return r;
		n++;
		s->phase = XS_REST;
	}
	while (s->phase == XS_REST) {
		if (!s->have_row) {
			rc = sqlite3_step(s->rest);
			if (rc == SQLITE_DONE) {
				s->phase = s->soa_last ? XS_SOA2 : XS_END;
				break;
			}
			if (rc != SQLITE_ROW) {
				log_err("AXFR: %s", sqlite3_errmsg(s->db));
				return HP_ESTORE;
			}
			s->have_row = 1;
		}
		rd = sqlite3_column_blob(s->rest, 4);
		rdlen = sqlite3_column_bytes(s->rest, 4);
		/* What our own checks refuse is never sent (a row of an
		 * older database): the caller answers SERVFAIL. */
		if ((r = xfrc_owner(s)) < 0 || (r = xfrc_check(s)) < 0)
			return r;
		type = (uint16_t)sqlite3_column_int(s->rest, 1);
		rclass = (uint16_t)sqlite3_column_int(s->rest, 2);
		r = pkt_wr_rr(&w, PKT_ANSWER, s->owner, type, rclass,
		    (uint32_t)sqlite3_column_int64(s->rest, 3), rd,
		    (uint16_t)rdlen);
		if (r == HP_ESPACE && n > 0)
			goto full;
		if (r < 0) {
			log_err("AXFR: cannot write a record of %s: %s",
			    s->prev, hp_strerror(r));
			return r;
		}
		if (s->first.none && (r = key_set(&s->first, s->prev,
		    (size_t)s->prevlen, type, rd, (size_t)rdlen, rclass)) < 0)
			return r;
		s->have_row = 0;
		n++;
	}
	if (s->phase == XS_SOA2) {
		r = pkt_wr_rr(&w, PKT_ANSWER, s->zone, WIRE_TYPE_SOA,
		    WIRE_CLASS_IN, s->soattl, s->soa, s->soalen);
		if (r == HP_ESPACE && n > 0)
			goto full;
		if (r < 0)
			return r;
		n++;
		s->phase = XS_END;
	}
	if (n == 0)
		return 0;	/* a range with no record: no message */
full:
	*len = w.len;
	if (rrs != NULL)
		*rrs = n;
	return 1;
}

/* ---- reading a version's messages -------------------------------------- */

struct xfrc_reader {
	struct store *st;
	sqlite3_stmt *cached;		/* the version's list of messages */
	struct xfrc_stream *stream;	/* or built from the records */
};

const char *
xfrc_why(const struct xfrc_reader *r)
{
	return r != NULL && r->stream != NULL && r->stream->why[0] != '\0' ?
	    r->stream->why : "a record no transfer may send";
}

int
xfrc_open(struct store *st, const struct store_zone_info *zi,
    struct xfrc_reader **out, int *cached)
{
	struct xfrc_reader *r;
	int ret;

	if (zi->broken)
		return HP_EINVALID;	/* found by the builder: SERVFAIL */
	if ((ret = xfrc_present(st, zi->id, zi->version_id)) < 0)
		return ret;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return HP_ENOMEM;
	r->st = st;
	*cached = ret;
	if (!ret) {
		/* Not built yet (or disabled): the records of the snapshot. */
		if ((ret = xfrc_stream_open(st, zi->id, zi->name, NULL, NULL,
		    &r->stream)) < 0) {
			free(r);
			return ret;
		}
	} else if ((ret = store_prep(st, &r->cached, "SELECT m.msg FROM "
	    "axfr_cache c JOIN axfr_msgs m ON m.id = c.msg_id WHERE "
	    "c.zone_id = ? AND c.version_id = ? ORDER BY c.seq")) < 0) {
		log_err("AXFR %s: %s", zi->name, sqlite3_errmsg(st->db));
		free(r);
		return ret;
	} else {
		sqlite3_bind_int64(r->cached, 1, zi->id);
		sqlite3_bind_int64(r->cached, 2, zi->version_id);
	}
	*out = r;
	return 0;
}

int
xfrc_next(struct xfrc_reader *r, uint8_t *buf, size_t cap, size_t *len)
{
	const void *blob;
	size_t n;
	int rc;

	if (r->stream != NULL)
		return xfrc_stream_next(r->stream, buf, cap < XFRC_MSG_MAX ?
		    cap : XFRC_MSG_MAX, len, NULL);
	rc = sqlite3_step(r->cached);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW) {
		log_err("AXFR: %s", sqlite3_errmsg(r->st->db));
		return HP_ESTORE;
	}
	blob = sqlite3_column_blob(r->cached, 0);
	n = (size_t)sqlite3_column_bytes(r->cached, 0);
	if (blob == NULL || n > cap)
		return HP_ESPACE;
	memcpy(buf, blob, n);
	*len = n;
	return 1;
}

void
xfrc_close(struct xfrc_reader *r)
{
	if (r == NULL)
		return;
	sqlite3_finalize(r->cached);
	xfrc_stream_free(r->stream);
	free(r);
}

/* ---- building the cache ------------------------------------------------ */

/* Messages built and not written yet: new ones (buf, rrs, key) or, in an
 * incremental build, ones of the version before (id > 0, shared). */
struct xfrc_msg {
	int64_t id;		/* axfr_msgs.id: shared, or once written */
	size_t off, len;	/* in the chunk's buf (new ones) */
	int rrs;
	struct xfrc_key key;
};

struct xfrc_chunk {
	uint8_t *buf;		/* new messages back to back */
	size_t len, cap;
	struct xfrc_msg *m;
	int n, max;
};

static int
xfrc_exec(sqlite3 *db, const char *sql)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		return 0;
	if (rc == SQLITE_BUSY)
		return HP_EBUSY;
	log_err("axfr cache: %s: %s", sql, sqlite3_errmsg(db));
	return HP_ESTORE;
}

static int
xfrc_step(sqlite3 *db, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_BUSY)
		return HP_EBUSY;
	log_err("axfr cache: %s", sqlite3_errmsg(db));
	return HP_ESTORE;
}

static void
xfrc_chunk_clear(struct xfrc_chunk *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		key_free(&c->m[i].key);
	c->n = 0;
	c->len = 0;
}

static void
xfrc_chunk_free(struct xfrc_chunk *c)
{
	xfrc_chunk_clear(c);
	free(c->buf);
	free(c->m);
	memset(c, 0, sizeof(*c));
}

/* Room for one more message in C. */
static int
xfrc_chunk_slot(struct xfrc_chunk *c)
{
	void *p;
	int m;

	if (c->n == c->max) {
		m = c->max ? c->max * 2 : 16;
		if ((p = realloc(c->m, (size_t)m * sizeof(*c->m))) == NULL)
			return HP_ENOMEM;
		c->m = p;
		c->max = m;
	}
	memset(&c->m[c->n], 0, sizeof(c->m[c->n]));
	c->m[c->n].key.none = 1;
	return 0;
}

/* Room for one more message in C and its XFRC_MSG_MAX octets. */
static int
xfrc_chunk_room(struct xfrc_chunk *c)
{
	void *p;
	size_t cap;

	if (c->cap - c->len < XFRC_MSG_MAX) {
		cap = c->cap ? c->cap * 2 : 4 * (size_t)XFRC_MSG_MAX;
		if ((p = realloc(c->buf, cap)) == NULL)
			return HP_ENOMEM;
		c->buf = p;
		c->cap = cap;
	}
	return xfrc_chunk_slot(c);
}

/* The next message of XS into C: 1, 0 at the end, or a negative HP_E*. */
static int
xfrc_chunk_add(struct xfrc_chunk *c, struct xfrc_stream *xs,
    struct xfrc_build_stats *bs)
{
	struct xfrc_msg *m;
	size_t len;
	int r;

	if ((r = xfrc_chunk_room(c)) < 0)
		return r;
	m = &c->m[c->n];
	r = xfrc_stream_next(xs, c->buf + c->len, XFRC_MSG_MAX, &len,
	    &m->rrs);
	if (r == HP_EINVALID) {
		/* A record no transfer may send: the version is broken. */
		bs->broken = 1;
		snprintf(bs->why, sizeof(bs->why), "%s", xs->why);
	}
	if (r <= 0)
		return r;
	m->off = c->len;
	m->len = len;
	/* The stream's key moves to the message (it makes a new one). */
	m->key = xs->first;
	memset(&xs->first, 0, sizeof(xs->first));
	xs->first.none = 1;
	c->len += len;
	c->n++;
	return 1;
}

static const char xfrc_msg_sql[] = "INSERT INTO axfr_msgs "
    "(zone_id, rrs, owner, type, rdata, class, msg) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char xfrc_list_sql[] = "INSERT INTO axfr_cache "
    "(zone_id, version_id, seq, msg_id) VALUES (?1, ?2, ?3, ?4)";
static const char xfrc_done_sql[] = "INSERT OR REPLACE INTO "
    "axfr_cache_done (zone_id, version_id, msgs, rrs, built) "
    "VALUES (?, ?, ?, ?, ?)";
static const char xfrc_clear_sql[] = "DELETE FROM axfr_cache "
    "WHERE zone_id = ?1 AND version_id = ?2";

/* Write the messages of C as the version's list entries SEQ.. (the new
 * ones as rows of axfr_msgs first), inside the caller's transaction. */
static int
xfrc_put(struct store *wst, const struct xfrc_chunk *c,
    const struct xfrc_build_stats *bs, int seq)
{
	sqlite3 *db = wst->db;
	sqlite3_stmt *msg = NULL, *list = NULL;
	const struct xfrc_msg *m;
	int64_t id;
	int i, r;

	if ((r = store_stmt_get(wst, xfrc_msg_sql, &msg)) < 0 ||
	    (r = store_stmt_get(wst, xfrc_list_sql, &list)) < 0)
		goto out;
	for (i = 0; i < c->n; i++) {
		m = &c->m[i];
		if ((id = m->id) == 0) {
			sqlite3_bind_int64(msg, 1, bs->zone_id);
			sqlite3_bind_int(msg, 2, m->rrs);
			if (m->key.none) {
				sqlite3_bind_null(msg, 3);
				sqlite3_bind_null(msg, 4);
				sqlite3_bind_null(msg, 5);
				sqlite3_bind_null(msg, 6);
			} else
				key_bind(msg, 3, &m->key);
			sqlite3_bind_blob(msg, 7, c->buf + m->off,
			    (int)m->len, SQLITE_STATIC);
			if ((r = xfrc_step(db, msg)) < 0)
				goto out;
			id = sqlite3_last_insert_rowid(db);
		}
		sqlite3_bind_int64(list, 1, bs->zone_id);
		sqlite3_bind_int64(list, 2, bs->version_id);
		sqlite3_bind_int(list, 3, seq + i);
		sqlite3_bind_int64(list, 4, id);
		if ((r = xfrc_step(db, list)) < 0)
			goto out;
	}
	r = 0;
out:
	store_stmt_put(wst, msg);
	store_stmt_put(wst, list);
	return r;
}

/* The version complete: its row of axfr_cache_done. */
static int
xfrc_done(struct store *wst, const struct xfrc_build_stats *bs)
{
	sqlite3_stmt *s;
	int r;

	if ((r = store_stmt_get(wst, xfrc_done_sql, &s)) < 0)
		return r;
	sqlite3_bind_int64(s, 1, bs->zone_id);
	sqlite3_bind_int64(s, 2, bs->version_id);
	sqlite3_bind_int64(s, 3, (int64_t)bs->msgs);
	sqlite3_bind_int64(s, 4, (int64_t)bs->rrs);
	sqlite3_bind_int64(s, 5, (int64_t)time(NULL));
	r = xfrc_step(wst->db, s);
	store_stmt_put(wst, s);
	return r;
}

/* Other versions: two ranges of the key, so that neither statement visits
 * the kept version's rows; then the messages no list names any more (a
 * message shared with the kept version stays). */
static const char xfrc_prune_sql[] = "DELETE FROM axfr_cache "
    "WHERE zone_id = ?1 AND version_id < ?2";
static const char xfrc_prune2_sql[] = "DELETE FROM axfr_cache "
    "WHERE zone_id = ?1 AND version_id > ?2";
static const char xfrc_prune_done_sql[] = "DELETE FROM axfr_cache_done "
    "WHERE zone_id = ?1 AND version_id <> ?2";
static const char xfrc_prune_msgs_sql[] = "DELETE FROM axfr_msgs "
    "WHERE zone_id = ?1 AND id NOT IN (SELECT msg_id FROM axfr_cache "
    "WHERE zone_id = ?1 AND version_id = ?2)";
/* Is there anything to prune? A read: the builder looks after every
 * commit of anyone, and must not take the write lock for nothing. */
static const char xfrc_stale_sql[] = "SELECT EXISTS (SELECT 1 FROM "
    "axfr_cache WHERE zone_id = ?1 AND version_id < ?2) OR EXISTS (SELECT 1 "
    "FROM axfr_cache WHERE zone_id = ?1 AND version_id > ?2) OR EXISTS "
    "(SELECT 1 FROM axfr_cache_done WHERE zone_id = ?1 AND version_id <> ?2)"
    " OR (SELECT count(*) FROM axfr_msgs WHERE zone_id = ?1) > "
    "(SELECT count(*) FROM axfr_cache WHERE zone_id = ?1 AND version_id = ?2)";

/* One statement with ?1 = zone, ?2 = version, in the caller's
 * transaction. */
static int
xfrc_run(struct store *st, const char *sql, int64_t zone_id,
    int64_t version_id)
{
	sqlite3_stmt *s;
	int r;

	if ((r = store_stmt_get(st, sql, &s)) < 0) {
		log_err("axfr cache: %s", sqlite3_errmsg(st->db));
		return r;
	}
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_int64(s, 2, version_id);
	r = xfrc_step(st->db, s);
	store_stmt_put(st, s);
	return r;
}

/* Delete the zone's messages of versions other than VERSION_ID, when
 * there are any, in one transaction (of its own unless not OWN). */
static int
xfrc_prune(struct store *wst, int64_t zone_id, int64_t version_id, int own)
{
	static const char *const del[] = { xfrc_prune_sql, xfrc_prune2_sql,
	    xfrc_prune_done_sql, xfrc_prune_msgs_sql };
	sqlite3 *db = wst->db;
	sqlite3_stmt *s;
	size_t i;
	int r = 0, rc, stale = 0;

	if ((r = store_stmt_get(wst, xfrc_stale_sql, &s)) < 0) {
		log_err("axfr cache: %s", sqlite3_errmsg(db));
		return r;
	}
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_int64(s, 2, version_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		stale = sqlite3_column_int(s, 0);
	store_stmt_put(wst, s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_BUSY ? HP_EBUSY : HP_ESTORE;
	if (!stale)
		return 0;
	if (own && (r = xfrc_exec(db, "BEGIN IMMEDIATE")) < 0)
		return r;
	for (i = 0; i < sizeof(del) / sizeof(del[0]) && r == 0; i++)
		r = xfrc_run(wst, del[i], zone_id, version_id);
	if (own) {
		if (r == 0)
			r = xfrc_exec(db, "COMMIT");
		if (r < 0)
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	}
	return r;
}

/* The zone's id and current version as RST sees them. */
static int
xfrc_zone(struct store *rst, const char *zone, struct xfrc_build_stats *bs)
{
	static const char sql[] = "SELECT id, serial, (SELECT max(id) FROM "
	    "versions v WHERE v.zone_id = zones.id), broken_version, broken "
	    "FROM zones WHERE name = ?";
	sqlite3_stmt *s;
	int rc, r = HP_ENOENT;

	if ((r = store_stmt_get(rst, sql, &s)) < 0) {
		log_err("axfr cache: %s", sqlite3_errmsg(rst->db));
		return r;
	}
	r = HP_ENOENT;
	sqlite3_bind_text(s, 1, zone, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 2) != SQLITE_NULL) {
		bs->zone_id = sqlite3_column_int64(s, 0);
		bs->serial = (uint32_t)sqlite3_column_int64(s, 1);
		bs->version_id = sqlite3_column_int64(s, 2);
		if (sqlite3_column_type(s, 4) != SQLITE_NULL &&
		    sqlite3_column_int64(s, 3) == bs->version_id) {
			bs->broken = 2;
			snprintf(bs->why, sizeof(bs->why), "%s",
			    (const char *)sqlite3_column_text(s, 4));
		}
		r = 0;
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = rc == SQLITE_BUSY ? HP_EBUSY : HP_ESTORE;
	store_stmt_put(rst, s);
	return r;
}

/* ---- a version from the one before --------------------------------------- */

/* The complete version before BS's (0: none), read on RST. */
static int
xfrc_before(struct store *rst, const struct xfrc_build_stats *bs,
    int64_t *prev)
{
	static const char sql[] = "SELECT max(version_id) FROM "
	    "axfr_cache_done WHERE zone_id = ?1 AND version_id < ?2";

	sqlite3_stmt *s;
	int r, rc;

	*prev = 0;
	if ((r = store_stmt_get(rst, sql, &s)) < 0)
		return r;
	sqlite3_bind_int64(s, 1, bs->zone_id);
	sqlite3_bind_int64(s, 2, bs->version_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*prev = sqlite3_column_int64(s, 0);	/* NULL: 0 */
	store_stmt_put(rst, s);
	return rc == SQLITE_ROW ? 0 : store_sqlerr(rc);
}

/* The messages of version PREV into C (shared: their ids and keys). */
static int
xfrc_list(struct store *rst, int64_t zone_id, int64_t prev,
    struct xfrc_chunk *c)
{
	static const char sql[] = "SELECT c.msg_id, m.rrs, m.owner, m.type, "
	    "m.rdata, m.class, length(m.msg) FROM axfr_cache c JOIN axfr_msgs "
	    "m ON m.id = c.msg_id WHERE c.zone_id = ?1 AND c.version_id = ?2 "
	    "ORDER BY c.seq";
	sqlite3_stmt *s;
	int r, rc;

	if ((r = store_stmt_get(rst, sql, &s)) < 0)
		return r;
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_int64(s, 2, prev);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((r = xfrc_chunk_slot(c)) < 0)
			break;
		c->m[c->n].id = sqlite3_column_int64(s, 0);
		c->m[c->n].rrs = sqlite3_column_int(s, 1);
		c->m[c->n].len = (size_t)sqlite3_column_int64(s, 6);
		if ((r = key_of_row(&c->m[c->n].key, s, 2)) < 0)
			break;
		c->n++;
	}
	store_stmt_put(rst, s);
	if (r < 0)
		return r;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

/*
 * Mark in DIRTY the messages of P (N of them) whose part of the zone the
 * versions after PREV up to BS's changed: the record keys their journal
 * removed or added fall there. 0, HP_ENOJOURNAL when the versions between
 * do not all have their journal (or too many records changed), or
 * another HP_E*.
 */
static int
xfrc_dirty(struct store *rst, const struct xfrc_build_stats *bs,
    int64_t prev, const struct xfrc_msg *p, int n, char *dirty)
{
	static const char chain_sql[] = "SELECT v.id, EXISTS (SELECT 1 FROM "
	    "journal j WHERE j.version_id = v.id) FROM versions v WHERE "
	    "v.zone_id = ?1 AND v.id > ?2 AND v.id <= ?3";
	static const char keys_sql[] = "SELECT owner, type, rdata, class "
	    "FROM journal WHERE version_id IN (SELECT id FROM versions WHERE "
	    "zone_id = ?1 AND id > ?2 AND id <= ?3) AND type <> 6";
	struct xfrc_key k = { .none = 1 };
	sqlite3_stmt *s;
	int r = 0, rc, lo, hi, mid, keys = 0, versions = 0;

	/* Every version since PREV has its journal (the one step from the
	 * version before it). */
	if ((r = store_stmt_get(rst, chain_sql, &s)) < 0)
		return r;
	sqlite3_bind_int64(s, 1, bs->zone_id);
	sqlite3_bind_int64(s, 2, prev);
	sqlite3_bind_int64(s, 3, bs->version_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		versions++;
		if (!sqlite3_column_int(s, 1))
			r = HP_ENOJOURNAL;
	}
	store_stmt_put(rst, s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(rc);
	if (r < 0 || versions == 0)
		return HP_ENOJOURNAL;
	/* Each changed record: the last message starting at or before it
	 * (the first one starts before everything). */
	if ((r = store_stmt_get(rst, keys_sql, &s)) < 0)
		return r;
	sqlite3_bind_int64(s, 1, bs->zone_id);
	sqlite3_bind_int64(s, 2, prev);
	sqlite3_bind_int64(s, 3, bs->version_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (++keys > XFRC_INCR_MAX_KEYS) {
			r = HP_ENOJOURNAL;
			break;
		}
		if ((r = key_of_row(&k, s, 0)) < 0)
			break;
		for (lo = 0, hi = n - 1; lo < hi;) {
			mid = lo + (hi - lo + 1) / 2;
			if (key_cmp(&p[mid].key, &k) <= 0)
				lo = mid;
			else
				hi = mid - 1;
		}
		dirty[lo] = 1;
	}
	store_stmt_put(rst, s);
	key_free(&k);
	if (r < 0)
		return r;
	if (rc != SQLITE_DONE)
		return store_sqlerr(rc);
	/* The SOA: first and last. */
	dirty[0] = dirty[n - 1] = 1;
	return 0;
}

/*
 * Build version BS of the zone from the complete version PREV: its
 * messages where they did not change, the parts of the zone that did
 * built again from the records (RST's snapshot), into OUT. 0, 1 when a
 * whole build is better (too much changed, the journal does not reach,
 * or the messages would be many more than a whole build makes), or a
 * negative HP_E*.
 */
static int
xfrc_from(struct store *rst, const char *zone, struct xfrc_build_stats *bs,
    int64_t prev, struct xfrc_chunk *out)
{
	struct xfrc_chunk p = { 0 };
	struct xfrc_stream *xs = NULL;
	char *dirty = NULL;
	size_t total, ideal;
	int64_t signed_ = 0;
	int i, j, r, ndirty = 0;

	/* A signed zone's messages end with the signer's records, outside
	 * the key order the runs below rely on: built whole. */
	if ((r = store_stmt_int(rst, "SELECT EXISTS (SELECT 1 FROM "
	    "dnssec_records WHERE zone_id = ?)", bs->zone_id, &signed_)) < 0)
		return r;
	if (signed_)
		return 1;
	if ((r = xfrc_list(rst, bs->zone_id, prev, &p)) < 0)
		goto out;
	r = 1;
	if (p.n == 0 || (dirty = calloc((size_t)p.n, 1)) == NULL)
		goto out;
	if ((r = xfrc_dirty(rst, bs, prev, p.m, p.n, dirty)) < 0) {
		r = r == HP_ENOJOURNAL ? 1 : r;
		goto out;
	}
	for (i = 0; i < p.n; i++)
		ndirty += dirty[i];
	r = 1;
	if (ndirty > p.n / XFRC_INCR_MAX_DIRTY + 2)
		goto out;
	/* Runs of changed messages built again from the records between
	 * their first key and the next clean message's; the others kept. */
	for (i = 0; i < p.n; i = j) {
		if (!dirty[i]) {
			if ((r = xfrc_chunk_slot(out)) < 0)
				goto out;
			out->m[out->n] = p.m[i];
			memset(&p.m[i].key, 0, sizeof(p.m[i].key));
			p.m[i].key.none = 1;
			out->n++;
			bs->rrs += (uint64_t)p.m[i].rrs;
			j = i + 1;
			continue;
		}
		for (j = i; j < p.n && dirty[j]; j++)
			;
		if ((r = xfrc_stream_open(rst, bs->zone_id, zone, i == 0 ?
		    NULL : &p.m[i].key, j == p.n ? NULL : &p.m[j].key,
		    &xs)) < 0)
			goto out;
		while ((r = xfrc_chunk_add(out, xs, bs)) == 1)
			bs->rrs += (uint64_t)out->m[out->n - 1].rrs;
		xfrc_stream_free(xs);
		xs = NULL;
		if (r < 0)
			goto out;
		bs->rebuilt += (uint64_t)(j - i);
	}
	/* Each build adds a message or so where a run's last one is not
	 * full: past a slack, one whole build packs them again. */
	for (i = 0, total = 0; i < out->n; i++)
		total += out->m[i].len;
	ideal = total / XFRC_MSG_MAX + 1;
	r = (size_t)out->n > ideal + XFRC_INCR_SLACK(ideal);
out:
	xfrc_stream_free(xs);
	xfrc_chunk_free(&p);
	free(dirty);
	return r;
}

/* ---- building -------------------------------------------------------------- */

/* Write OUT (a whole version) in one transaction of WST (own unless not
 * OWN) and mark it complete. */
static int
xfrc_write_all(struct store *wst, struct xfrc_build_stats *bs,
    const struct xfrc_chunk *out, int own)
{
	sqlite3 *db = wst->db;
	int r, i;

	if (own && (r = xfrc_exec(db, "BEGIN IMMEDIATE")) < 0)
		return r;
	bs->msgs = (uint64_t)out->n;
	for (i = 0, bs->bytes = 0; i < out->n; i++)
		bs->bytes += out->m[i].len;
	if ((r = xfrc_run(wst, xfrc_clear_sql, bs->zone_id,
	    bs->version_id)) == 0 && (r = xfrc_put(wst, out, bs, 0)) == 0)
		r = xfrc_done(wst, bs);
	if (own) {
		if (r == 0 && (r = xfrc_exec(db, "COMMIT")) == 0)
			bs->txns++;
		if (r < 0)
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	}
	return r;
}

/*
 * The whole version: the zone's records streamed into chunks of about
 * CHUNK octets, each written in a short transaction of its own (unless
 * not OWN) after it was built without the write lock; the last marks the
 * version complete.
 */
static int
xfrc_write_whole(struct store *rst, struct store *wst, const char *zone,
    struct xfrc_build_stats *bs, size_t chunk, const atomic_int *stop,
    int own)
{
	struct xfrc_stream *xs = NULL;
	struct xfrc_chunk c = { 0 };
	sqlite3 *db = wst->db;
	int r, more, seq = 0, in_write = 0;

	if ((r = xfrc_stream_open(rst, bs->zone_id, zone, NULL, NULL,
	    &xs)) < 0)
		return r;
	/* Rows of this version left by an interrupted build. */
	if (own && (r = xfrc_exec(db, "BEGIN IMMEDIATE")) < 0)
		goto out;
	in_write = own;
	if ((r = xfrc_run(wst, xfrc_clear_sql, bs->zone_id,
	    bs->version_id)) < 0)
		goto out;
	if (own) {
		if ((r = xfrc_exec(db, "COMMIT")) < 0)
			goto out;
		in_write = 0;
	}
	do {
		/* Fill a chunk without holding the write lock... */
		xfrc_chunk_clear(&c);
		more = 1;
		while (c.len < chunk) {
			if ((r = xfrc_chunk_add(&c, xs, bs)) < 0)
				goto out;
			if (r == 0) {
				more = 0;
				break;
			}
			bs->rrs += (uint64_t)c.m[c.n - 1].rrs;
		}
		if (stop != NULL && atomic_load_explicit(stop,
		    memory_order_relaxed)) {
			r = HP_EAGAIN;
			goto out;
		}
		/* ... then write it in a short transaction. */
		if (own && (r = xfrc_exec(db, "BEGIN IMMEDIATE")) < 0)
			goto out;
		in_write = own;
		r = xfrc_put(wst, &c, bs, seq);
		seq += c.n;
		bs->msgs += (uint64_t)c.n;
		bs->bytes += c.len;
		if (r == 0 && !more)
			r = xfrc_done(wst, bs);
		if (r < 0)
			goto out;
		if (own) {
			if ((r = xfrc_exec(db, "COMMIT")) < 0)
				goto out;
			in_write = 0;
			bs->txns++;
		}
	} while (more);
	r = 0;
out:
	if (in_write)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	xfrc_stream_free(xs);
	xfrc_chunk_free(&c);
	return r;
}

int
xfrc_build(struct store *rst, struct store *wst, const char *zone,
    size_t chunk, const atomic_int *stop, struct xfrc_build_stats *stats)
{
	struct xfrc_build_stats bs;
	struct xfrc_chunk out = { 0 };
	sqlite3 *rdb = rst->db, *wdb = wst->db;
	int64_t prev = 0;
	int one = rst == wst, in_read = 0, in_write = 0, r;

	memset(&bs, 0, sizeof(bs));
	if (chunk < XFRC_MSG_MAX)
		chunk = XFRC_MSG_MAX;
	/* The read snapshot: BEGIN and a first read. With one connection,
	 * one write transaction for everything. */
	if ((r = xfrc_exec(rdb, one ? "BEGIN IMMEDIATE" : "BEGIN")) < 0)
		goto out;
	in_read = 1;
	in_write = one;
	if ((r = xfrc_zone(rst, zone, &bs)) < 0)
		goto out;
	if (bs.broken) {
		r = HP_EINVALID;	/* known: marked by an earlier build */
		goto out;
	}
	if ((r = xfrc_present(rst, bs.zone_id, bs.version_id)) != 0) {
		if (r > 0)
			r = 0;
		goto prune;
	}
	/* From the version before, when it is cached and little changed:
	 * built in memory, written in one transaction. */
	if ((r = xfrc_before(rst, &bs, &prev)) < 0)
		goto out;
	r = 1;
	if (prev > 0 && (r = xfrc_from(rst, zone, &bs, prev, &out)) < 0)
		goto out;
	if (r == 0) {
		bs.incremental = 1;
		if ((r = xfrc_write_all(wst, &bs, &out, !one)) < 0)
			goto out;
	} else {
		bs.rrs = bs.rebuilt = 0;
		xfrc_chunk_free(&out);
		if ((r = xfrc_write_whole(rst, wst, zone, &bs, chunk, stop,
		    !one)) < 0)
			goto out;
	}
	r = 1;
prune:
	/* Older versions: a transfer still reading one has its own snapshot,
	 * which keeps the rows it reads (WAL); new transfers use this one. */
	if (!one) {
		sqlite3_exec(rdb, "COMMIT", NULL, NULL, NULL);
		in_read = 0;
		/* What was built goes into the database file now, before the
		 * prune, whose commit then starts the WAL over (and syncs its
		 * header) here rather than in the daemon loop's next commit. */
		if (r == 1)
			(void)store_checkpoint(wst, 1);
	}
	if (xfrc_prune(wst, bs.zone_id, bs.version_id, !one) < 0)
		log_warn("axfr cache: %s: older versions not deleted", zone);
	if (one) {
		if (xfrc_exec(wdb, "COMMIT") < 0)
			r = HP_ESTORE;
		in_read = in_write = 0;
	}
out:
	xfrc_chunk_free(&out);
	if (in_write)
		sqlite3_exec(wdb, "ROLLBACK", NULL, NULL, NULL);
	if (in_read && !one)
		sqlite3_exec(rdb, "COMMIT", NULL, NULL, NULL);
	/* Found now: the version is marked, so that transfers answer
	 * SERVFAIL at once and status says why. */
	if (bs.broken == 1 && xfrc_exec(wdb, "BEGIN IMMEDIATE") == 0) {
		if (store_zone_set_broken(wst, bs.zone_id, bs.version_id,
		    bs.why) == 0)
			xfrc_exec(wdb, "COMMIT");
		else
			sqlite3_exec(wdb, "ROLLBACK", NULL, NULL, NULL);
	}
	if (stats != NULL)
		*stats = bs;
	return r;
}

int
xfrc_fill(struct store *st, const char *zone)
{
	return xfrc_build(st, st, zone, 4u << 20, NULL, NULL);
}
