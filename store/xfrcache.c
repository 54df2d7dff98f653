/*
 * xfrcache.c -- AXFR messages of a zone version.
 *
 * xfrc_stream reads the records in storage order (owner, type, rdata:
 * the primary key's order, no sort) and writes them into messages with
 * name compression, one message per call: a transfer can stream the
 * records table with a few messages in memory, and the cache builder
 * (xfrc_build, run by the daemon in a thread of its own) stores each
 * message as one row of axfr_cache. Owners come sorted, so the text ->
 * wire conversion is done once per owner, not once per RR.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
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

/* ---- streaming the records table ------------------------------------- */

enum { XS_SOA1, XS_REST, XS_SOA2, XS_END };

struct xfrc_stream {
	sqlite3 *db;
	sqlite3_stmt *rest;
	int phase;
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
};

static void xfrc_stream_free(struct xfrc_stream *s);

/*
 * Walk the current records of ZONE_ID (ZONE: its name, absolute,
 * lowercase text) on ST, which should be inside a read transaction so
 * that the walk sees one version. 0 and *OUT set, HP_ENOENT when the
 * zone has no SOA, HP_ENOMEM, HP_ESTORE.
 */
static int
xfrc_stream_open(struct store *st, int64_t zone_id, const char *zone,
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
	if (sqlite3_prepare_v2(db, "SELECT owner, type, class, ttl, rdata "
	    "FROM records WHERE zone_id = ? ORDER BY owner, type, rdata",
	    -1, &s->rest, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_int64(s->rest, 1, zone_id);
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
	if (dname_from_str(text, s->owner, NULL) < 0) {
		s->prevlen = -1;
		return HP_EINVALID;
	}
	memcpy(s->prev, text, (size_t)len);
	s->prevlen = len;
	return 0;
}

/*
 * Write the next message into BUF (CAP octets) and set *LEN (and *RRS, may
 * be NULL, to its RR count). 1 when a message was written, 0 at the end,
 * or a negative HP_E*.
 */
static int
xfrc_stream_next(struct xfrc_stream *s, uint8_t *buf, size_t cap,
    size_t *len, int *rrs)
{
	struct pkt_wr w;
	const uint8_t *rd;
	int n = 0, r, rc, rdlen;

	if (s->phase == XS_END)
		return 0;
	if ((r = pkt_wr_init(&w, buf, cap, 0, WIRE_FLAG_QR | WIRE_FLAG_AA,
	    s->ctab)) < 0 || (r = pkt_wr_question(&w, s->zone,
	    WIRE_TYPE_AXFR, WIRE_CLASS_IN)) < 0)
		return r;
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
				s->phase = XS_SOA2;
				break;
			}
			if (rc != SQLITE_ROW) {
				log_err("AXFR: %s", sqlite3_errmsg(s->db));
				return HP_ESTORE;
			}
			if (sqlite3_column_int(s->rest, 1) == WIRE_TYPE_SOA)
				continue;
			s->have_row = 1;
		}
		rd = sqlite3_column_blob(s->rest, 4);
		rdlen = sqlite3_column_bytes(s->rest, 4);
		if (rdlen > 65535 || (r = xfrc_owner(s)) < 0) {
			log_err("AXFR: bad record row (owner %s)",
			    (const char *)sqlite3_column_text(s->rest, 0));
			return HP_EINVALID;
		}
		r = pkt_wr_rr(&w, PKT_ANSWER, s->owner,
		    (uint16_t)sqlite3_column_int(s->rest, 1),
		    (uint16_t)sqlite3_column_int(s->rest, 2),
		    (uint32_t)sqlite3_column_int64(s->rest, 3), rd,
		    (uint16_t)rdlen);
		if (r == HP_ESPACE && n > 0)
			goto full;
		if (r < 0) {
			log_err("AXFR: cannot write a record of %s: %s",
			    s->prev, hp_strerror(r));
			return r;
		}
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
full:
	*len = w.len;
	if (rrs != NULL)
		*rrs = n;
	return 1;
}

/* ---- reading a version's messages -------------------------------------- */

struct xfrc_reader {
	struct store *st;
	sqlite3_stmt *cached;		/* rows of axfr_cache */
	struct xfrc_stream *stream;	/* or built from the records */
};

int
xfrc_open(struct store *st, const struct store_zone_info *zi,
    struct xfrc_reader **out, int *cached)
{
	struct xfrc_reader *r;
	int ret;

	if ((ret = xfrc_present(st, zi->id, zi->version_id)) < 0)
		return ret;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return HP_ENOMEM;
	r->st = st;
	*cached = ret;
	if (!ret) {
		/* Not built yet (or disabled): the records of the snapshot. */
		if ((ret = xfrc_stream_open(st, zi->id, zi->name,
		    &r->stream)) < 0) {
			free(r);
			return ret;
		}
	} else if ((ret = store_prep(st, &r->cached, "SELECT msg FROM "
	    "axfr_cache WHERE zone_id = ? AND version_id = ? ORDER BY seq")) <
	    0) {
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

struct xfrc_chunk {
	uint8_t *buf;		/* messages back to back */
	size_t len, cap;
	size_t *off;		/* start of each */
	int *rrs;
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

/* Write the messages of the chunk as rows SEQ.. */
static int
xfrc_put(sqlite3 *db, sqlite3_stmt *ins, const struct xfrc_chunk *c,
    int64_t zone_id, int64_t version_id, int seq)
{
	int i, r;
	size_t end;

	for (i = 0; i < c->n; i++) {
		end = i + 1 < c->n ? c->off[i + 1] : c->len;
		sqlite3_bind_int64(ins, 1, zone_id);
		sqlite3_bind_int64(ins, 2, version_id);
		sqlite3_bind_int(ins, 3, seq + i);
		sqlite3_bind_int(ins, 4, c->rrs[i]);
		sqlite3_bind_blob(ins, 5, c->buf + c->off[i],
		    (int)(end - c->off[i]), SQLITE_STATIC);
		if ((r = xfrc_step(db, ins)) < 0)
			return r;
	}
	return 0;
}

static const char xfrc_ins_sql[] = "INSERT INTO axfr_cache "
    "(zone_id, version_id, seq, rrs, msg) VALUES (?, ?, ?, ?, ?)";
static const char xfrc_done_sql[] = "INSERT OR REPLACE INTO "
    "axfr_cache_done (zone_id, version_id, msgs, rrs, built) "
    "VALUES (?, ?, ?, ?, ?)";
static const char xfrc_clear_sql[] = "DELETE FROM axfr_cache "
    "WHERE zone_id = ?1 AND version_id = ?2";
/* Older (and newer, abandoned) versions: two ranges of the primary key,
 * so that neither statement visits the rows of the version kept (an OR
 * of the two made SQLite read every overflow page of the kept messages,
 * 31 MB for a 1M-RR zone, at every look). */
static const char xfrc_prune_sql[] = "DELETE FROM axfr_cache "
    "WHERE zone_id = ?1 AND version_id < ?2";
static const char xfrc_prune2_sql[] = "DELETE FROM axfr_cache "
    "WHERE zone_id = ?1 AND version_id > ?2";
static const char xfrc_prune_done_sql[] = "DELETE FROM axfr_cache_done "
    "WHERE zone_id = ?1 AND version_id <> ?2";
/* Is there anything to prune? A read: the builder looks after every
 * commit of anyone, and must not take the write lock for nothing. */
static const char xfrc_stale_sql[] = "SELECT EXISTS (SELECT 1 FROM "
    "axfr_cache WHERE zone_id = ?1 AND version_id < ?2) OR EXISTS (SELECT 1 "
    "FROM axfr_cache WHERE zone_id = ?1 AND version_id > ?2) OR EXISTS "
    "(SELECT 1 FROM axfr_cache_done WHERE zone_id = ?1 AND version_id <> ?2)";

/* One statement with ?1 = zone, ?2 = version, in a transaction of its own
 * unless ONE (the caller's transaction). */
static int
xfrc_run(sqlite3 *db, const char *sql, int64_t zone_id, int64_t version_id,
    int own)
{
	sqlite3_stmt *s;
	int r;

	if (own && (r = xfrc_exec(db, "BEGIN IMMEDIATE")) < 0)
		return r;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		log_err("axfr cache: %s", sqlite3_errmsg(db));
		r = HP_ESTORE;
	} else {
		sqlite3_bind_int64(s, 1, zone_id);
		sqlite3_bind_int64(s, 2, version_id);
		r = xfrc_step(db, s);
		sqlite3_finalize(s);
	}
	if (own) {
		if (r == 0)
			r = xfrc_exec(db, "COMMIT");
		if (r < 0)
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	}
	return r;
}

/* Delete the zone's messages of versions other than VERSION_ID, when
 * there are any, in one transaction (of its own unless not OWN). */
static int
xfrc_prune(sqlite3 *db, int64_t zone_id, int64_t version_id, int own)
{
	static const char *const del[] = { xfrc_prune_sql, xfrc_prune2_sql,
	    xfrc_prune_done_sql };
	sqlite3_stmt *s;
	size_t i;
	int r = 0, rc, stale = 0;

	if (sqlite3_prepare_v2(db, xfrc_stale_sql, -1, &s, NULL) != SQLITE_OK) {
		log_err("axfr cache: %s", sqlite3_errmsg(db));
		return HP_ESTORE;
	}
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_int64(s, 2, version_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		stale = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_BUSY ? HP_EBUSY : HP_ESTORE;
	if (!stale)
		return 0;
	if (own && (r = xfrc_exec(db, "BEGIN IMMEDIATE")) < 0)
		return r;
	for (i = 0; i < sizeof(del) / sizeof(del[0]) && r == 0; i++)
		r = xfrc_run(db, del[i], zone_id, version_id, 0);
	if (own) {
		if (r == 0)
			r = xfrc_exec(db, "COMMIT");
		if (r < 0)
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	}
	return r;
}

/* The zone's id and current version as RDB sees them. */
static int
xfrc_zone(sqlite3 *db, const char *zone, struct xfrc_build_stats *bs)
{
	sqlite3_stmt *s;
	int rc, r = HP_ENOENT;

	if (sqlite3_prepare_v2(db, "SELECT id, serial, (SELECT max(id) FROM "
	    "versions v WHERE v.zone_id = zones.id) FROM zones WHERE name = ?",
	    -1, &s, NULL) != SQLITE_OK) {
		log_err("axfr cache: %s", sqlite3_errmsg(db));
		return HP_ESTORE;
	}
	sqlite3_bind_text(s, 1, zone, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 2) != SQLITE_NULL) {
		bs->zone_id = sqlite3_column_int64(s, 0);
		bs->serial = (uint32_t)sqlite3_column_int64(s, 1);
		bs->version_id = sqlite3_column_int64(s, 2);
		r = 0;
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = rc == SQLITE_BUSY ? HP_EBUSY : HP_ESTORE;
	sqlite3_finalize(s);
	return r;
}

static int
xfrc_chunk_room(struct xfrc_chunk *c)
{
	void *p;
	int m;

	if (c->n < c->max)
		return 0;
	m = c->max ? c->max * 2 : 16;
	if ((p = realloc(c->off, (size_t)m * sizeof(*c->off))) == NULL)
		return HP_ENOMEM;
	c->off = p;
	if ((p = realloc(c->rrs, (size_t)m * sizeof(*c->rrs))) == NULL)
		return HP_ENOMEM;
	c->rrs = p;
	c->max = m;
	return 0;
}

int
xfrc_build(struct store *rst, struct store *wst, const char *zone,
    size_t chunk, const volatile int *stop, struct xfrc_build_stats *stats)
{
	struct xfrc_build_stats bs;
	struct xfrc_stream *xs = NULL;
	struct xfrc_chunk c;
	sqlite3_stmt *ins = NULL, *done = NULL;
	sqlite3 *rdb = rst->db, *wdb = wst->db;
	int one = rst == wst, in_read = 0, in_write = 0, r, more, seq = 0;
	size_t len;

	memset(&bs, 0, sizeof(bs));
	memset(&c, 0, sizeof(c));
	if (chunk < XFRC_MSG_MAX)
		chunk = XFRC_MSG_MAX;
	c.cap = chunk + XFRC_MSG_MAX;
	/* The read snapshot: BEGIN and a first read. With one connection,
	 * one write transaction for everything. */
	if ((r = xfrc_exec(rdb, one ? "BEGIN IMMEDIATE" : "BEGIN")) < 0)
		goto out;
	in_read = 1;
	in_write = one;
	if ((r = xfrc_zone(rdb, zone, &bs)) < 0)
		goto out;
	if ((r = xfrc_present(rst, bs.zone_id, bs.version_id)) != 0) {
		if (r > 0)
			r = 0;
		goto prune;
	}
	if (sqlite3_prepare_v2(wdb, xfrc_ins_sql, -1, &ins, NULL) !=
	    SQLITE_OK || sqlite3_prepare_v2(wdb, xfrc_done_sql, -1, &done,
	    NULL) != SQLITE_OK) {
		log_err("axfr cache: %s", sqlite3_errmsg(wdb));
		r = HP_ESTORE;
		goto out;
	}
	if ((c.buf = malloc(c.cap)) == NULL) {
		r = HP_ENOMEM;
		goto out;
	}
	if ((r = xfrc_stream_open(rst, bs.zone_id, zone, &xs)) < 0)
		goto out;
	/* Rows of this version left by an interrupted build. */
	if ((r = xfrc_run(wdb, xfrc_clear_sql, bs.zone_id, bs.version_id,
	    !one)) < 0)
		goto out;
	do {
		/* Fill a chunk without holding the write lock... */
		c.n = 0;
		c.len = 0;
		more = 1;
		while (c.len < chunk) {
			if ((r = xfrc_chunk_room(&c)) < 0)
				goto out;
			r = xfrc_stream_next(xs, c.buf + c.len, XFRC_MSG_MAX,
			    &len, &c.rrs[c.n]);
			if (r < 0)
				goto out;
			if (r == 0) {
				more = 0;
				break;
			}
			c.off[c.n] = c.len;
			c.len += len;
			bs.rrs += (uint64_t)c.rrs[c.n];
			c.n++;
		}
		if (stop != NULL && *stop) {
			r = HP_EAGAIN;
			goto out;
		}
		/* ... then write it in a short transaction. */
		if (!one && (r = xfrc_exec(wdb, "BEGIN IMMEDIATE")) < 0)
			goto out;
		in_write = 1;
		r = xfrc_put(wdb, ins, &c, bs.zone_id, bs.version_id, seq);
		seq += c.n;
		bs.msgs += (uint64_t)c.n;
		bs.bytes += c.len;
		if (r == 0 && !more) {
			/* The last chunk marks the version complete. */
			sqlite3_bind_int64(done, 1, bs.zone_id);
			sqlite3_bind_int64(done, 2, bs.version_id);
			sqlite3_bind_int64(done, 3, (int64_t)bs.msgs);
			sqlite3_bind_int64(done, 4, (int64_t)bs.rrs);
			sqlite3_bind_int64(done, 5, (int64_t)time(NULL));
			r = xfrc_step(wdb, done);
		}
		if (r < 0)
			goto out;
		if (!one) {
			if ((r = xfrc_exec(wdb, "COMMIT")) < 0)
				goto out;
			in_write = 0;
			bs.txns++;
		}
	} while (more);
	r = 1;
prune:
	/* Older versions: a transfer still reading one has its own snapshot,
	 * which keeps the rows it reads (WAL); new transfers use this one. */
	xfrc_stream_free(xs);
	xs = NULL;
	if (!one) {
		sqlite3_exec(rdb, "COMMIT", NULL, NULL, NULL);
		in_read = 0;
	}
	if (xfrc_prune(wdb, bs.zone_id, bs.version_id, !one) < 0)
		log_warn("axfr cache: %s: older versions not deleted", zone);
	if (one) {
		if (xfrc_exec(wdb, "COMMIT") < 0)
			r = HP_ESTORE;
		in_read = in_write = 0;
	}
out:
	xfrc_stream_free(xs);
	sqlite3_finalize(ins);
	sqlite3_finalize(done);
	if (in_write)
		sqlite3_exec(wdb, "ROLLBACK", NULL, NULL, NULL);
	if (in_read && !one)
		sqlite3_exec(rdb, "COMMIT", NULL, NULL, NULL);
	free(c.buf);
	free(c.off);
	free(c.rrs);
	if (stats != NULL)
		*stats = bs;
	return r;
}

int
xfrc_fill(struct store *st, const char *zone)
{
	return xfrc_build(st, st, zone, 4u << 20, NULL, NULL);
}
