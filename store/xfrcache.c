/*
 * xfrcache.c -- prepared AXFR messages for each published version.
 *
 * Done at publish time so that serving an AXFR is copying blobs: the
 * records are read in storage order (owner, type, rdata: the index's
 * order, no sort), written into messages with name compression, and each
 * full message is stored as one row of axfr_cache.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/log.h"
#include "dns/pkt.h"
#include "dns/wire.h"
#include "store/store.h"
#include "store/xfrcache.h"

struct xfrc_build {
	sqlite3 *db;
	sqlite3_stmt *ins;
	int64_t zone_id, version_id;
	uint8_t zone[DNAME_MAXLEN];
	struct dname_ctab *ctab;
	struct pkt_wr w;
	uint8_t *buf;
	int seq;
	int rrs;
};

static int
xfrc_flush(struct xfrc_build *b)
{
	sqlite3_stmt *s = b->ins;
	int rc;

	sqlite3_bind_int64(s, 1, b->zone_id);
	sqlite3_bind_int64(s, 2, b->version_id);
	sqlite3_bind_int(s, 3, b->seq);
	sqlite3_bind_int(s, 4, b->rrs);
	sqlite3_bind_blob(s, 5, b->w.buf, (int)b->w.len, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		log_err("axfr cache: %s", sqlite3_errmsg(b->db));
		return rc == SQLITE_BUSY ? HP_EBUSY : HP_ESTORE;
	}
	b->seq++;
	return 0;
}

static int
xfrc_start(struct xfrc_build *b)
{
	int r;

	b->rrs = 0;
	if ((r = pkt_wr_init(&b->w, b->buf, XFRC_MSG_MAX, 0,
	    WIRE_FLAG_QR | WIRE_FLAG_AA, b->ctab)) < 0)
		return r;
	return pkt_wr_question(&b->w, b->zone, WIRE_TYPE_AXFR,
	    WIRE_CLASS_IN);
}

/* Add one RR, starting a new message when the current one is full. */
static int
xfrc_add(struct xfrc_build *b, sqlite3_stmt *row)
{
	uint8_t owner[DNAME_MAXLEN];
	const char *text = (const char *)sqlite3_column_text(row, 0);
	const uint8_t *rd = sqlite3_column_blob(row, 4);
	int rdlen = sqlite3_column_bytes(row, 4);
	int r, i;

	if (text == NULL || rdlen > 65535 ||
	    dname_from_str(text, owner, NULL) < 0) {
		log_err("axfr cache: bad record row (owner %s)",
		    text != NULL ? text : "NULL");
		return HP_EINVALID;
	}
	for (i = 0; i < 2; i++) {
		r = pkt_wr_rr(&b->w, PKT_ANSWER, owner,
		    (uint16_t)sqlite3_column_int(row, 1),
		    (uint16_t)sqlite3_column_int(row, 2),
		    (uint32_t)sqlite3_column_int64(row, 3), rd,
		    (uint16_t)rdlen);
		if (r != HP_ESPACE || b->rrs == 0)
			break;
		if ((r = xfrc_flush(b)) < 0 || (r = xfrc_start(b)) < 0)
			return r;
	}
	if (r < 0) {
		log_err("axfr cache: cannot write a record of %s: %s", text,
		    hp_strerror(r));
		return r;
	}
	b->rrs++;
	return 0;
}

static int
xfrc_rows(struct xfrc_build *b, const char *sql, int *n)
{
	sqlite3_stmt *s;
	int rc, r = 0;

	if (sqlite3_prepare_v2(b->db, sql, -1, &s, NULL) != SQLITE_OK) {
		log_err("axfr cache: %s", sqlite3_errmsg(b->db));
		return HP_ESTORE;
	}
	sqlite3_bind_int64(s, 1, b->zone_id);
	*n = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((r = xfrc_add(b, s)) < 0)
			break;
		(*n)++;
	}
	if (r == 0 && rc != SQLITE_DONE) {
		log_err("axfr cache: %s", sqlite3_errmsg(b->db));
		r = HP_ESTORE;
	}
	sqlite3_finalize(s);
	return r;
}

static int
xfrc_zone_name(sqlite3 *db, int64_t zone_id, uint8_t *out)
{
	sqlite3_stmt *s;
	const char *t;
	int r = HP_ENOENT;

	if (sqlite3_prepare_v2(db, "SELECT name FROM zones WHERE id = ?",
	    -1, &s, NULL) != SQLITE_OK)
		return HP_ESTORE;
	sqlite3_bind_int64(s, 1, zone_id);
	if (sqlite3_step(s) == SQLITE_ROW &&
	    (t = (const char *)sqlite3_column_text(s, 0)) != NULL)
		r = dname_from_str(t, out, NULL) < 0 ? HP_EINVALID : 0;
	sqlite3_finalize(s);
	return r;
}

static const char xfrc_soa_sql[] =
    "SELECT owner, type, class, ttl, rdata FROM records "
    "WHERE zone_id = ? AND type = 6";
static const char xfrc_rest_sql[] =
    "SELECT owner, type, class, ttl, rdata FROM records "
    "WHERE zone_id = ? AND type <> 6 ORDER BY owner, type, rdata";

int
store_prepare_serving(sqlite3 *db, int64_t zone_id, int64_t version_id)
{
	struct xfrc_build b = { .db = db, .zone_id = zone_id,
	    .version_id = version_id };
	sqlite3_stmt *del = NULL;
	int r, n;

	if ((r = xfrc_zone_name(db, zone_id, b.zone)) < 0)
		return r;
	if (sqlite3_prepare_v2(db, "DELETE FROM axfr_cache WHERE zone_id = ?",
	    -1, &del, NULL) != SQLITE_OK || sqlite3_prepare_v2(db,
	    "INSERT INTO axfr_cache (zone_id, version_id, seq, rrs, msg) "
	    "VALUES (?, ?, ?, ?, ?)", -1, &b.ins, NULL) != SQLITE_OK) {
		log_err("axfr cache: %s", sqlite3_errmsg(db));
		r = HP_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(del, 1, zone_id);
	if (sqlite3_step(del) != SQLITE_DONE) {
		log_err("axfr cache: %s", sqlite3_errmsg(db));
		r = HP_ESTORE;
		goto out;
	}
	b.buf = malloc(XFRC_MSG_MAX);
	b.ctab = dname_ctab_new();
	if (b.buf == NULL || b.ctab == NULL) {
		r = HP_ENOMEM;
		goto out;
	}
	/* RFC 5936 2.2: the SOA first, every other RR, the SOA again. */
	if ((r = xfrc_start(&b)) < 0 ||
	    (r = xfrc_rows(&b, xfrc_soa_sql, &n)) < 0)
		goto out;
	if (n != 1) {
		log_err("axfr cache: zone %lld has %d SOA records",
		    (long long)zone_id, n);
		r = HP_EINVALID;
		goto out;
	}
	if ((r = xfrc_rows(&b, xfrc_rest_sql, &n)) < 0 ||
	    (r = xfrc_rows(&b, xfrc_soa_sql, &n)) < 0)
		goto out;
	r = xfrc_flush(&b);
out:
	sqlite3_finalize(del);
	sqlite3_finalize(b.ins);
	dname_ctab_free(b.ctab);
	free(b.buf);
	return r;
}

int
xfrc_present(sqlite3 *db, int64_t zone_id, int64_t version_id)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM axfr_cache "
	    "WHERE zone_id = ? AND version_id = ? AND seq = 0", -1, &s,
	    NULL) != SQLITE_OK)
		return HP_ESTORE;
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_int64(s, 2, version_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : HP_ESTORE;
}

int
xfrc_fill(sqlite3 *db, int64_t zone_id, int64_t version_id)
{
	int r;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return HP_EBUSY;
	r = store_prepare_serving(db, zone_id, version_id);
	if (r == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) !=
	    SQLITE_OK)
		r = HP_ESTORE;
	if (r < 0)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}
