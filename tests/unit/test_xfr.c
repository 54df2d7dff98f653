/*
 * test_xfr.c -- agent/daemon/ answers (SOA, AXFR, IXFR, refusals) against a
 * temporary store, and the message building and reply checks of
 * notify/notify.c (NOTIFY) and notify/probe.c (SOA probes).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "agent/conf/conf.h"
#include "agent/daemon/xfr.h"
#include "agent/daemon/xfr_int.h"
#include "dns/dname.h"
#include "dns/addr.h"
#include "dns/err.h"
#include "dns/log.h"
#include "dns/pkt.h"
#include "dns/serial.h"
#include "dns/tsig.h"
#include "dns/wire.h"
#include "notify/notify.h"
#include "notify/probe.h"
#include "store/store.h"
#include "store/xfrcache.h"

static char dir[] = "/tmp/test_xfr.XXXXXX";
static char dbpath[256];
static const struct conf *cfg;
static unsigned char secret[32] = "0123456789abcdef0123456789abcdef";
/* provide-xfr: loopback without a key, 10.0.0.3 with k1 (SECRET); the
 * second configuration (a reload) has k2 in place of k1. */
static const char conf1[] =
    "key:\n\tname: k1\n\talgorithm: hmac-sha256\n"
    "\tsecret: MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n"
    "zone:\n\tname: ex.test\n"
    "\tprovide-xfr: 127.0.0.0/8 NOKEY\n\tprovide-xfr: 10.0.0.3 k1\n";
static const char conf2[] =
    "key:\n\tname: k2\n\talgorithm: hmac-sha256\n"
    "\tsecret: MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n"
    "zone:\n\tname: ex.test\n"
    "\tprovide-xfr: 127.0.0.0/8 NOKEY\n\tprovide-xfr: 10.0.0.3 k2\n";

/* A configuration of TEXT, loaded from a file in the test directory. */
static const struct conf *
load_conf(const char *name, const char *text)
{
	const struct conf *c = NULL;
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return NULL;
	fputs(text, f);
	if (fclose(f) != 0 || conf_load(path, NULL, NULL, &c) < 0)
		return NULL;
	return c;
}
static struct xfr_server *srv;
static int nrecords;

static const char zone_v1[] =
    "$ORIGIN ex.test.\n$TTL 300\n"
    "@ IN SOA ns1 host 10 7200 3600 1209600 300\n"
    "@ IN NS ns1\nns1 IN A 192.0.2.1\n";

static int
setup(void **state)
{
	struct store_import_opts o = { .zone = "ex.test", .source = "test" };
	struct store_import_result res;
	struct store *st;
	char err[256], *text;
	size_t len = 0, cap = 1 << 20;
	int i;

	(void)state;
	log_open("test_xfr", 1, "/dev/null");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(dbpath, sizeof(dbpath), "%s/hp.db", dir);
	/* Version 1, then version 2 with 2000 more RRs (several messages). */
	if (store_open(dbpath, STORE_CREATE, &st, err, sizeof(err)) < 0)
		return -1;
	if (store_import_buffer(st, zone_v1, strlen(zone_v1), &o, &res) < 0)
		return -1;
	text = malloc(cap);
	len = (size_t)snprintf(text, cap, "%s", zone_v1);
	memcpy(strstr(text, " 10 7200"), " 11", 3);
	for (i = 0; i < 2000; i++)
		len += (size_t)snprintf(text + len, cap - len,
		    "h%d IN TXT \"a text record long enough to fill %d\"\n", i, i);
	if (store_import_buffer(st, text, len, &o, &res) < 0 || !res.changed)
		return -1;
	nrecords = (int)res.records;
	free(text);
	store_close(st);

	if ((cfg = load_conf("agent.conf", conf1)) == NULL)
		return -1;
	return xfr_server_new(cfg, dbpath, &srv) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[300];

	(void)state;
	xfr_server_free(srv);
	conf_unref(cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static size_t
mkquery(uint8_t *buf, const char *name, uint16_t qtype, uint16_t opcode,
    int ixfr_serial)
{
	struct pkt_wr w;
	uint8_t qn[DNAME_MAXLEN], soa[22] = { 0 };

	assert_int_equal(dname_from_str(name, qn, NULL), 0);
	assert_int_equal(pkt_wr_init(&w, buf, 512, 0x1234,
	    (uint16_t)(opcode << WIRE_OPCODE_SHIFT), NULL), 0);
	assert_int_equal(pkt_wr_question(&w, qn, qtype, WIRE_CLASS_IN), 0);
	if (ixfr_serial >= 0) {
		wire_write_u32(soa + 2, (uint32_t)ixfr_serial);
		assert_int_equal(pkt_wr_rr(&w, PKT_AUTHORITY, qn,
		    WIRE_TYPE_SOA, WIRE_CLASS_IN, 0, soa, sizeof(soa)), 0);
	}
	return w.len;
}

static void
peer(struct sockaddr_in *sin, const char *addr)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(5353);
	inet_pton(AF_INET, addr, &sin->sin_addr);
}

/* Run a query; return the messages' RR counts and the rcode of the first. */
static int
run(const uint8_t *q, size_t qlen, const char *from, int tcp, int *msgs,
    int *rrs, uint16_t *first_type, uint16_t *last_type)
{
	static uint8_t buf[65535];
	struct sockaddr_in sin;
	struct xfr_answer *a;
	struct pkt p;
	struct pkt_iter it;
	struct pkt_rr rr;
	size_t len;
	int r, rcode = -1;

	peer(&sin, from);
	r = xfr_query(srv, q, qlen, (struct sockaddr *)&sin, tcp, &a);
	if (r != 0)
		return r > 0 ? -100 : r;
	*msgs = *rrs = 0;
	while ((r = xfr_answer_next(a, buf, sizeof(buf), &len)) == 1) {
		assert_int_equal(pkt_parse(&p, buf, len), 0);
		assert_int_equal(p.id, 0x1234);
		assert_true(p.flags & WIRE_FLAG_QR);
		if (*msgs == 0)
			rcode = WIRE_RCODE(p.flags);
		(*msgs)++;
		pkt_iter_init(&it, &p, PKT_ANSWER);
		while (pkt_iter_next(&it, &rr) == 1) {
			if (*rrs == 0 && first_type != NULL)
				*first_type = rr.type;
			if (last_type != NULL)
				*last_type = rr.type;
			(*rrs)++;
		}
	}
	assert_int_equal(r, 0);
	xfr_answer_free(a);
	return rcode;
}

static void
test_soa(void **state)
{
	uint8_t q[512];
	size_t n = mkquery(q, "ex.test", WIRE_TYPE_SOA, 0, -1);
	int msgs, rrs;
	uint16_t t = 0;

	(void)state;
	assert_int_equal(run(q, n, "127.0.0.2", 0, &msgs, &rrs, &t, NULL),
	    WIRE_RCODE_NOERROR);
	assert_int_equal(msgs, 1);
	assert_int_equal(rrs, 1);
	assert_int_equal(t, WIRE_TYPE_SOA);
}

static void
test_refusals(void **state)
{
	uint8_t q[512];
	size_t n;
	int msgs, rrs;

	(void)state;
	n = mkquery(q, "ex.test", WIRE_TYPE_SOA, 0, -1);
	assert_int_equal(run(q, n, "10.0.0.1", 0, &msgs, &rrs, NULL, NULL),
	    WIRE_RCODE_REFUSED);
	assert_int_equal(rrs, 0);
	n = mkquery(q, "ex.test", WIRE_TYPE_A, 0, -1);
	assert_int_equal(run(q, n, "127.0.0.2", 0, &msgs, &rrs, NULL, NULL),
	    WIRE_RCODE_REFUSED);
	n = mkquery(q, "other.test", WIRE_TYPE_SOA, 0, -1);
	assert_int_equal(run(q, n, "127.0.0.2", 0, &msgs, &rrs, NULL, NULL),
	    WIRE_RCODE_NOTAUTH);
	/* an UPDATE without allow-update: rules: REFUSED; another opcode
	 * is not implemented */
	n = mkquery(q, "ex.test", WIRE_TYPE_SOA, WIRE_OPCODE_UPDATE, -1);
	assert_int_equal(run(q, n, "127.0.0.2", 0, &msgs, &rrs, NULL, NULL),
	    WIRE_RCODE_REFUSED);
	n = mkquery(q, "ex.test", WIRE_TYPE_SOA, WIRE_OPCODE_STATUS, -1);
	assert_int_equal(run(q, n, "127.0.0.2", 0, &msgs, &rrs, NULL, NULL),
	    WIRE_RCODE_NOTIMP);
	n = mkquery(q, "ex.test", WIRE_TYPE_AXFR, 0, -1);
	assert_int_equal(run(q, n, "127.0.0.2", 0, &msgs, &rrs, NULL, NULL),
	    WIRE_RCODE_REFUSED);	/* AXFR over UDP */
	/* Truncated: FORMERR with the header only; too short: dropped. */
	n = mkquery(q, "ex.test", WIRE_TYPE_SOA, 0, -1);
	assert_int_equal(run(q, n - 3, "127.0.0.2", 0, &msgs, &rrs, NULL,
	    NULL), WIRE_RCODE_FORMERR);
	assert_int_equal(run(q, 5, "127.0.0.2", 0, &msgs, &rrs, NULL, NULL),
	    -100);
	/* A response is never answered. */
	q[2] |= 0x80;
	assert_int_equal(run(q, n, "127.0.0.2", 0, &msgs, &rrs, NULL, NULL),
	    -100);
}

static void
test_axfr(void **state)
{
	uint8_t q[512];
	size_t n = mkquery(q, "Ex.Test", WIRE_TYPE_AXFR, 0, -1);
	int msgs, rrs;
	uint16_t ft = 0, lt = 0;

	(void)state;
	assert_int_equal(run(q, n, "127.0.0.2", 1, &msgs, &rrs, &ft, &lt),
	    WIRE_RCODE_NOERROR);
	assert_true(msgs > 1);
	assert_int_equal(rrs, nrecords + 1);
	assert_int_equal(ft, WIRE_TYPE_SOA);
	assert_int_equal(lt, WIRE_TYPE_SOA);
}

/* The whole answer to Q, messages back to back (malloc'ed), in *LEN. */
static uint8_t *
collect(const uint8_t *q, size_t qlen, size_t *total)
{
	static uint8_t buf[65535];
	struct sockaddr_in sin;
	struct xfr_answer *a;
	uint8_t *all = NULL;
	size_t len;
	int r;

	*total = 0;
	peer(&sin, "127.0.0.2");
	assert_int_equal(xfr_query(srv, q, qlen, (struct sockaddr *)&sin, 1,
	    &a), 0);
	while ((r = xfr_answer_next(a, buf, sizeof(buf), &len)) == 1) {
		all = realloc(all, *total + len);
		assert_non_null(all);
		memcpy(all + *total, buf, len);
		*total += len;
	}
	assert_int_equal(r, 0);
	xfr_answer_free(a);
	return all;
}

static int
cache_state(void)
{
	struct store *st;
	struct store_zone_info zi;
	char err[256];
	int r;

	assert_int_equal(store_open(dbpath, 0, &st, err, sizeof(err)), 0);
	assert_int_equal(store_zone_info(st, "ex.test.", &zi), 0);
	r = xfrc_present(st, zi.id, zi.version_id);
	store_close(st);
	return r;
}

/* Streamed from the records (no cache), from a cache built by
 * xfrc_fill and by the builder thread: the same octets. */
static void
test_axfr_cache(void **state)
{
	uint8_t q[512], *streamed, *cached;
	size_t n = mkquery(q, "Ex.Test", WIRE_TYPE_AXFR, 0, -1), l1, l2;
	struct store *st;
	sqlite3 *db;
	char err[256];
	int i;

	(void)state;
	assert_int_equal(cache_state(), 0);
	streamed = collect(q, n, &l1);
	assert_true(l1 > 65535);
	assert_int_equal(store_open(dbpath, 0, &st, err, sizeof(err)), 0);
	assert_int_equal(xfrc_fill(st, "ex.test."), 1);
	assert_int_equal(xfrc_fill(st, "ex.test."), 0);
	assert_int_equal(cache_state(), 1);
	cached = collect(q, n, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(streamed, cached, l1);
	free(cached);
	store_close(st);
	/* Drop it (SQL of the test's own); the builder thread makes it
	 * again. */
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM axfr_cache_done; "
	    "DELETE FROM axfr_cache", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(xfr_server_cache_start(srv), 0);
	for (i = 0; i < 100 && cache_state() != 1; i++)
		usleep(50000);
	assert_int_equal(cache_state(), 1);
	cached = collect(q, n, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(streamed, cached, l1);
	free(cached);
	free(streamed);
}

static void
test_ixfr(void **state)
{
	uint8_t q[512];
	size_t n;
	int msgs, rrs;
	uint16_t ft = 0, lt = 0;

	(void)state;
	/* Current: the single SOA. */
	n = mkquery(q, "ex.test", WIRE_TYPE_IXFR, 0, 11);
	assert_int_equal(run(q, n, "127.0.0.2", 1, &msgs, &rrs, &ft, NULL),
	    WIRE_RCODE_NOERROR);
	assert_int_equal(rrs, 1);
	/* From 10: SOA, old SOA, new SOA + 2000 added, SOA. */
	n = mkquery(q, "ex.test", WIRE_TYPE_IXFR, 0, 10);
	assert_int_equal(run(q, n, "127.0.0.2", 1, &msgs, &rrs, &ft, &lt),
	    WIRE_RCODE_NOERROR);
	assert_int_equal(rrs, 2000 + 4);
	assert_int_equal(lt, WIRE_TYPE_SOA);
	/* Over UDP that does not fit: the single SOA. */
	assert_int_equal(run(q, n, "127.0.0.2", 0, &msgs, &rrs, NULL, NULL),
	    WIRE_RCODE_NOERROR);
	assert_int_equal(rrs, 1);
	/* Unknown serial: AXFR-style. */
	n = mkquery(q, "ex.test", WIRE_TYPE_IXFR, 0, 5);
	assert_int_equal(run(q, n, "127.0.0.2", 1, &msgs, &rrs, NULL, NULL),
	    WIRE_RCODE_NOERROR);
	assert_int_equal(rrs, nrecords + 1);
	/* No SOA in the authority section: FORMERR. */
	n = mkquery(q, "ex.test", WIRE_TYPE_IXFR, 0, -1);
	assert_int_equal(run(q, n, "127.0.0.2", 1, &msgs, &rrs, NULL, NULL),
	    WIRE_RCODE_FORMERR);
}

static const struct tsig_key *tkey;

static const struct tsig_key *
lookup(void *arg, const uint8_t *name, const struct tsig_alg *alg)
{
	(void)arg;
	return alg == tkey->alg && dname_equal(name, tkey->name) ? tkey : NULL;
}

/* The signed request in BUF (LEN octets) made a reply: its TSIG dropped,
 * QR and RCODE set, as a secondary without the key answers. Its length. */
static size_t
unsigned_reply(uint8_t *buf, size_t len, uint16_t rcode)
{
	struct pkt p;

	assert_int_equal(pkt_parse(&p, buf, len), 0);
	wire_write_u16(buf + 10, 0);
	wire_write_u16(buf + 2, (uint16_t)(wire_read_u16(buf + 2) |
	    WIRE_FLAG_QR | rcode));
	return p.tsig_off;
}

static void
test_notify_msg(void **state)
{
	uint8_t buf[1024], zw[DNAME_MAXLEN], soa[64];
	struct tsig_key key;
	struct tsig_ctx cli, srvctx;
	struct pkt p;
	size_t len, rlen;
	uint16_t flags;
	int tr;

	(void)state;
	assert_int_equal(dname_from_str("ex.test", zw, NULL), 0);
	memset(soa, 0, sizeof(soa));
	wire_write_u32(soa + 2, 42);	/* two root names, then serial */
	assert_int_equal(notify_build(buf, sizeof(buf), &len, 77, zw, 300,
	    soa, 22, NULL, 1000), 0);
	assert_int_equal(pkt_parse(&p, buf, len), 0);
	assert_int_equal(WIRE_OPCODE(p.flags), WIRE_OPCODE_NOTIFY);
	assert_true(p.flags & WIRE_FLAG_AA);
	assert_int_equal(p.count[PKT_QUESTION], 1);
	assert_int_equal(p.qtype, WIRE_TYPE_SOA);
	assert_int_equal(p.count[PKT_ANSWER], 1);
	/* The reply: same message with QR set. */
	flags = wire_read_u16(buf + 2) | WIRE_FLAG_QR;
	wire_write_u16(buf + 2, flags);
	assert_int_equal(notify_check_reply(buf, len, 77, zw, NULL, 1000,
	    NULL), 0);
	assert_int_equal(notify_check_reply(buf, len, 78, zw, NULL, 1000,
	    NULL), HP_EMALF);
	wire_write_u16(buf + 2, (uint16_t)(flags | WIRE_RCODE_NOTAUTH));
	assert_int_equal(notify_check_reply(buf, len, 77, zw, NULL, 1000,
	    NULL), WIRE_RCODE_NOTAUTH);

	/* Signed: the secondary verifies, signs its reply; we verify. */
	assert_int_equal(tsig_key_init(&key, "k1", "hmac-sha256",
	    "Ehvt9S3/Iz9ozdh9kS0VhBagp6RT/JoUsO80AJrMj+k="), 0);
	tkey = &key;
	tsig_ctx_init(&cli, &key, 0);
	assert_int_equal(notify_build(buf, sizeof(buf), &len, 99, zw, 300,
	    soa, 22, &cli, 1000), 0);
	assert_int_equal(pkt_parse(&p, buf, len), 0);
	assert_int_equal(tsig_server_verify(&srvctx, &p, lookup, NULL, 1000, 0),
	    0);
	/* Reply = the request without its TSIG, QR set, re-signed. */
	rlen = p.tsig_off;
	wire_write_u16(buf + 10, 0);
	wire_write_u16(buf + 2, wire_read_u16(buf + 2) | WIRE_FLAG_QR);
	assert_int_equal(tsig_sign(&srvctx, buf, &rlen, sizeof(buf), 1000), 0);
	assert_int_equal(notify_check_reply(buf, rlen, 99, zw, &cli, 1001,
	    &tr), 0);
	assert_int_equal(tr, 0);
	tsig_ctx_deinit(&cli);
	/* A reply whose MAC was tampered with does not verify. */
	tsig_ctx_init(&cli, &key, 0);
	assert_int_equal(notify_build(buf + 600, 400, &len, 99, zw, 300,
	    soa, 22, &cli, 1000), 0);
	buf[rlen - 10] ^= 1;
	assert_true(notify_check_reply(buf, rlen, 99, zw, &cli, 1001,
	    &tr) < 0);
	tsig_ctx_deinit(&cli);
	/* A secondary without the key answers NOTAUTH, unsigned: the error
	 * is taken (it ends the NOTIFY's retries), marked unverified. */
	tsig_ctx_init(&cli, &key, 0);
	assert_int_equal(notify_build(buf, sizeof(buf), &len, 98, zw, 300,
	    soa, 22, &cli, 1000), 0);
	rlen = unsigned_reply(buf, len, WIRE_RCODE_NOTAUTH);
	assert_int_equal(notify_check_reply(buf, rlen, 98, zw, &cli, 1001,
	    &tr), WIRE_RCODE_NOTAUTH);
	assert_int_equal(tr, HP_ENOTSIG);
	{
		struct notify_report rep = { .ev = NOTIFY_FAILED,
		    .rcode = WIRE_RCODE_NOTAUTH, .err = tr, .tries = 1 };
		char why[96];

		assert_string_equal(notify_report_str(&rep, why, sizeof(why)),
		    "answered NOTAUTH (unsigned)");
		rep.rcode = 0;
		rep.err = HP_EAGAIN;
		rep.tries = 6;
		assert_string_equal(notify_report_str(&rep, why, sizeof(why)),
		    "no answer after 6 tries");
	}
	/* ... but an unsigned NOERROR acknowledges nothing. */
	tsig_ctx_deinit(&cli);
	tsig_ctx_init(&cli, &key, 0);
	assert_int_equal(notify_build(buf, sizeof(buf), &len, 97, zw, 300,
	    soa, 22, &cli, 1000), 0);
	rlen = unsigned_reply(buf, len, WIRE_RCODE_NOERROR);
	assert_int_equal(notify_check_reply(buf, rlen, 97, zw, &cli, 1001,
	    &tr), HP_ENOTSIG);
	tsig_ctx_deinit(&cli);
	tsig_ctx_deinit(&srvctx);
	tsig_key_clear(&key);
}

/* A SOA query from 10.0.0.3 signed with KEY at time WHEN; returns the
 * rcode and the TSIG error of the answer, and whether it verified. */
static int
signed_soa(const struct tsig_key *key, uint64_t when, int *tsig_err,
    int *verified)
{
	static uint8_t buf[65535];
	uint8_t q[512];
	struct sockaddr_in sin;
	struct xfr_answer *a;
	struct tsig_ctx ctx;
	struct pkt p;
	size_t n = mkquery(q, "ex.test", WIRE_TYPE_SOA, 0, -1), len;
	int rcode;

	tsig_ctx_init(&ctx, key, 0);
	assert_int_equal(tsig_sign(&ctx, q, &n, sizeof(q), when), 0);
	peer(&sin, "10.0.0.3");
	assert_int_equal(xfr_query(srv, q, n, (struct sockaddr *)&sin, 0, &a),
	    0);
	assert_int_equal(xfr_answer_next(a, buf, sizeof(buf), &len), 1);
	assert_int_equal(pkt_parse(&p, buf, len), 0);
	rcode = WIRE_RCODE(p.flags);
	*verified = tsig_client_verify(&ctx, &p, (uint64_t)time(NULL)) == 0;
	*tsig_err = ctx.error;
	xfr_answer_free(a);
	tsig_ctx_deinit(&ctx);
	return rcode;
}

/* An answer to the probe in Q (QLEN octets, as the server parsed it into
 * *QP) with FLAGS and RCODE, the zone's SOA of SERIAL in the answer
 * section when SERIAL is not 0, signed with SRV when not NULL; into ANS. */
static size_t
probe_answer(const struct pkt *qp, uint16_t flags, uint8_t rcode,
    uint32_t serial, struct tsig_ctx *sctx, uint8_t *ans, size_t cap)
{
	uint8_t soa[22];
	struct pkt_wr w;
	size_t len;

	memset(soa, 0, sizeof(soa));
	wire_write_u32(soa + 2, serial);
	assert_int_equal(pkt_wr_reply(&w, ans, cap, qp, rcode, NULL), 0);
	pkt_wr_set_flags(&w, flags);
	if (serial != 0)
		assert_int_equal(pkt_wr_rr(&w, PKT_ANSWER, qp->qname,
		    WIRE_TYPE_SOA, WIRE_CLASS_IN, 300, soa, sizeof(soa)), 0);
	len = w.len;
	if (sctx != NULL)
		assert_int_equal(tsig_sign(sctx, ans, &len, cap, 1000), 0);
	return len;
}

/* notify/probe.c: the SOA probe and the reading of its answer. */
static void
test_probe_msg(void **state)
{
	uint8_t zw[DNAME_MAXLEN], other[DNAME_MAXLEN], q[512], a[512];
	struct tsig_ctx cli, sctx;
	struct tsig_key key;
	struct pkt p;
	uint32_t serial;
	size_t qlen, alen;
	int rcode, tr;

	(void)state;
	assert_int_equal(dname_from_str("ex.test", zw, NULL), 0);
	assert_int_equal(dname_from_str("other.test", other, NULL), 0);
	/* Unsigned: the question, no RD. */
	assert_int_equal(probe_build(q, sizeof(q), &qlen, 5, zw, NULL, 1000),
	    0);
	assert_int_equal(pkt_parse(&p, q, qlen), 0);
	assert_int_equal(WIRE_OPCODE(p.flags), WIRE_OPCODE_QUERY);
	assert_false(p.flags & (WIRE_FLAG_RD | WIRE_FLAG_QR));
	assert_int_equal(p.qtype, WIRE_TYPE_SOA);
	assert_true(dname_equal(p.qname, zw));
	assert_int_equal(p.tsig_off, 0);
	alen = probe_answer(&p, WIRE_FLAG_AA, 0, 2024010101, NULL, a,
	    sizeof(a));
	assert_int_equal(probe_check_reply(a, alen, 5, zw, NULL, 1000,
	    &rcode, &serial, &tr), PROBE_SERIAL);
	assert_int_equal(serial, 2024010101);
	/* Another ID, another zone: not the answer. */
	assert_int_equal(probe_check_reply(a, alen, 6, zw, NULL, 1000,
	    &rcode, &serial, &tr), HP_EMALF);
	assert_int_equal(probe_check_reply(a, alen, 5, other, NULL, 1000,
	    &rcode, &serial, &tr), HP_EMALF);
	/* Not authoritative, SERVFAIL, no SOA: no zone served. */
	alen = probe_answer(&p, 0, 0, 7, NULL, a, sizeof(a));
	assert_int_equal(probe_check_reply(a, alen, 5, zw, NULL, 1000,
	    &rcode, &serial, &tr), PROBE_NOZONE);
	alen = probe_answer(&p, 0, WIRE_RCODE_SERVFAIL, 0, NULL, a, sizeof(a));
	assert_int_equal(probe_check_reply(a, alen, 5, zw, NULL, 1000,
	    &rcode, &serial, &tr), PROBE_NOZONE);
	assert_int_equal(rcode, WIRE_RCODE_SERVFAIL);
	alen = probe_answer(&p, WIRE_FLAG_AA, 0, 0, NULL, a, sizeof(a));
	assert_int_equal(probe_check_reply(a, alen, 5, zw, NULL, 1000,
	    &rcode, &serial, &tr), PROBE_NOZONE);
	alen = probe_answer(&p, 0, WIRE_RCODE_REFUSED, 0, NULL, a, sizeof(a));
	assert_int_equal(probe_check_reply(a, alen, 5, zw, NULL, 1000,
	    &rcode, &serial, &tr), PROBE_REFUSED);
	alen = probe_answer(&p, WIRE_FLAG_TC, 0, 0, NULL, a, sizeof(a));
	assert_int_equal(probe_check_reply(a, alen, 5, zw, NULL, 1000,
	    &rcode, &serial, &tr), PROBE_TRUNCATED);

	/* Signed with the secondary's key; its signed answer verifies. */
	assert_int_equal(tsig_key_init(&key, "k1", "hmac-sha256",
	    "Ehvt9S3/Iz9ozdh9kS0VhBagp6RT/JoUsO80AJrMj+k="), 0);
	tkey = &key;
	tsig_ctx_init(&cli, &key, 0);
	assert_int_equal(probe_build(q, sizeof(q), &qlen, 9, zw, &cli, 1000),
	    0);
	assert_int_equal(pkt_parse(&p, q, qlen), 0);
	assert_true(p.tsig_off != 0);
	assert_int_equal(tsig_server_verify(&sctx, &p, lookup, NULL, 1000, 0),
	    0);
	alen = probe_answer(&p, WIRE_FLAG_AA, 0, 42, &sctx, a, sizeof(a));
	tsig_ctx_deinit(&sctx);
	assert_int_equal(probe_check_reply(a, alen, 9, zw, &cli, 1001,
	    &rcode, &serial, &tr), PROBE_SERIAL);
	assert_int_equal(serial, 42);
	assert_int_equal(tr, 0);
	tsig_ctx_deinit(&cli);
	/* The same answer unsigned (or forged): never a serial. */
	tsig_ctx_init(&cli, &key, 0);
	assert_int_equal(probe_build(q, sizeof(q), &qlen, 9, zw, &cli, 1000),
	    0);
	assert_int_equal(pkt_parse(&p, q, qlen), 0);
	alen = probe_answer(&p, WIRE_FLAG_AA, 0, 43, NULL, a, sizeof(a));
	assert_int_equal(probe_check_reply(a, alen, 9, zw, &cli, 1001,
	    &rcode, &serial, &tr), PROBE_BADTSIG);
	assert_int_equal(tr, HP_ENOTSIG);
	tsig_ctx_deinit(&cli);
	/* A secondary without the key: NOTAUTH, unsigned, taken as such. */
	tsig_ctx_init(&cli, &key, 0);
	assert_int_equal(probe_build(q, sizeof(q), &qlen, 9, zw, &cli, 1000),
	    0);
	assert_int_equal(pkt_parse(&p, q, qlen), 0);
	alen = probe_answer(&p, 0, WIRE_RCODE_NOTAUTH, 0, NULL, a, sizeof(a));
	assert_int_equal(probe_check_reply(a, alen, 9, zw, &cli, 1001,
	    &rcode, &serial, &tr), PROBE_REFUSED);
	assert_int_equal(rcode, WIRE_RCODE_NOTAUTH);
	assert_int_equal(tr, HP_ENOTSIG);
	tsig_ctx_deinit(&cli);
	tsig_key_clear(&key);
	assert_string_equal(pkt_rcode_name(WIRE_RCODE_NOTAUTH), "NOTAUTH");
	assert_string_equal(pkt_rcode_name(WIRE_RCODE_BADKEY), "BADKEY");
	assert_null(pkt_rcode_name(15));
}

static void
test_tsig(void **state)
{
	struct tsig_key good, bad, unknown;
	uint64_t now = (uint64_t)time(NULL);
	int err, ver;

	(void)state;
	assert_int_equal(tsig_key_init_raw(&good, "k1", "hmac-sha256", secret,
	    sizeof(secret)), 0);
	assert_int_equal(tsig_key_init_raw(&bad, "k1", "hmac-sha256",
	    (const uint8_t *)"another secret", 14), 0);
	assert_int_equal(tsig_key_init_raw(&unknown, "k2", "hmac-sha256",
	    secret, sizeof(secret)), 0);
	assert_int_equal(signed_soa(&good, now, &err, &ver),
	    WIRE_RCODE_NOERROR);
	assert_true(ver);
	assert_int_equal(signed_soa(&bad, now, &err, &ver), WIRE_RCODE_NOTAUTH);
	assert_int_equal(err, WIRE_RCODE_BADSIG);
	assert_int_equal(signed_soa(&unknown, now, &err, &ver),
	    WIRE_RCODE_NOTAUTH);
	assert_int_equal(err, WIRE_RCODE_BADKEY);
	assert_int_equal(signed_soa(&good, now - 3600, &err, &ver),
	    WIRE_RCODE_NOTAUTH);
	assert_int_equal(err, WIRE_RCODE_BADTIME);
	tsig_key_clear(&good);
	tsig_key_clear(&bad);
	tsig_key_clear(&unknown);
}

/*
 * A reload while a signed AXFR is being written: the transfer goes on
 * signed with the key it began with, although the new configuration
 * knows it no more; a new query with that key gets BADKEY; the old
 * configuration lives until the transfer ends.
 */
static void
test_reload_mid_transfer(void **state)
{
	static uint8_t buf[65535];
	const struct conf *next;
	struct tsig_key k1;
	struct tsig_ctx ctx;
	struct sockaddr_in sin;
	struct xfr_answer *a;
	struct pkt p;
	uint8_t q[512];
	size_t n = mkquery(q, "ex.test", WIRE_TYPE_AXFR, 0, -1), len;
	int r, msgs = 0, err, ver;

	(void)state;
	assert_int_equal(tsig_key_init_raw(&k1, "k1", "hmac-sha256", secret,
	    sizeof(secret)), 0);
	tsig_ctx_init(&ctx, &k1, 0);
	assert_int_equal(tsig_sign(&ctx, q, &n, sizeof(q),
	    (uint64_t)time(NULL)), 0);
	peer(&sin, "10.0.0.3");
	assert_int_equal(xfr_query(srv, q, n, (struct sockaddr *)&sin, 1, &a),
	    0);
	assert_int_equal(xfr_answer_next(a, buf, sizeof(buf), &len), 1);
	assert_int_equal(pkt_parse(&p, buf, len), 0);
	assert_int_equal(WIRE_RCODE(p.flags), WIRE_RCODE_NOERROR);
	assert_int_equal(tsig_client_verify(&ctx, &p, (uint64_t)time(NULL)), 0);
	msgs++;
	/* The reload: k1 gone; the daemon drops its reference at once. */
	assert_non_null(next = load_conf("agent2.conf", conf2));
	xfr_server_reload(srv, next);
	conf_unref(cfg);
	cfg = next;
	while ((r = xfr_answer_next(a, buf, sizeof(buf), &len)) == 1) {
		assert_int_equal(pkt_parse(&p, buf, len), 0);
		assert_int_equal(tsig_client_verify(&ctx, &p,
		    (uint64_t)time(NULL)), 0);
		msgs++;
	}
	assert_int_equal(r, 0);
	assert_int_equal(tsig_client_finish(&ctx), 0);
	assert_true(msgs > 1);
	xfr_answer_free(a);	/* the last user of the first configuration */
	tsig_ctx_deinit(&ctx);
	/* From now on k1 is unknown. */
	assert_int_equal(signed_soa(&k1, (uint64_t)time(NULL), &err, &ver),
	    WIRE_RCODE_NOTAUTH);
	assert_int_equal(err, WIRE_RCODE_BADKEY);
	tsig_key_clear(&k1);
}

/* Who may open a TCP connection (checked at accept): the addresses of
 * provide-xfr: and notify: lists (a notify: port is a destination, not
 * the client's), never a BLOCKED entry; the list follows a reload. */
static int
listed(const char *a, unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t len;

	assert_int_equal(addr_parse(a, port, &ss, &len), 0);
	return xfr_peer_listed(srv, (struct sockaddr *)&ss);
}

static void
test_peers(void **state)
{
	static const char conf3[] =
	    "zone:\n\tname: ex.test\n"
	    "\tprovide-xfr: 192.0.2.0/28 NOKEY\n"
	    "\tprovide-xfr: 192.0.2.5 BLOCKED\n"
	    "\tprovide-xfr: 198.51.100.7@4000 NOKEY\n"
	    "\tnotify: 203.0.113.9@5353 NOKEY\n"
	    "\tallow-update: 198.18.0.0/24 NOKEY type=TXT\n"
	    "zone:\n\tname: other.test\n"
	    "\tprovide-xfr: 192.0.2.0/28 NOKEY\n"
	    "\tprovide-xfr: 2001:db8::/64 NOKEY\n";
	const struct conf *c3;

	(void)state;
	assert_true(listed("127.0.0.2", 40000));
	assert_true(listed("10.0.0.3", 40000));
	assert_false(listed("10.0.0.4", 40000));
	assert_false(listed("::1", 40000));
	assert_non_null(c3 = load_conf("peers.conf", conf3));
	xfr_server_reload(srv, c3);
	assert_false(listed("127.0.0.2", 40000));
	assert_true(listed("192.0.2.1", 1234));
	assert_true(listed("192.0.2.15", 1234));
	assert_false(listed("192.0.2.16", 1234));
	/* BLOCKED admits nobody, though the /28 does admit .5 */
	assert_true(listed("192.0.2.5", 1234));
	assert_true(listed("198.51.100.7", 4000));
	assert_false(listed("198.51.100.7", 4001));
	assert_true(listed("203.0.113.9", 39999));
	assert_true(listed("2001:db8::77", 1234));
	assert_false(listed("2001:db9::77", 1234));
	/* allow-update: clients (UPDATE over TCP, their SOA queries) */
	assert_true(listed("198.18.0.9", 1234));
	assert_false(listed("198.18.1.9", 1234));
	xfr_server_reload(srv, cfg);
	conf_unref(c3);
	assert_true(listed("127.0.0.2", 40000));
	assert_false(listed("192.0.2.1", 1234));
}

/* Publish version SERIAL of the zone of setup() whose record h0 says
 * WORD: a one-RR change from the version before. */
static void
publish_small(unsigned serial, const char *word)
{
	struct store_import_opts o = { .zone = "ex.test", .source = "test" };
	struct store_import_result res;
	struct store *st;
	size_t len = 0, cap = 1 << 20;
	char err[256], *text;
	int i;

	assert_non_null(text = malloc(cap));
	len = (size_t)snprintf(text, cap, "$ORIGIN ex.test.\n$TTL 300\n"
	    "@ IN SOA ns1 host %u 7200 3600 1209600 300\n"
	    "@ IN NS ns1\nns1 IN A 192.0.2.1\n", serial);
	for (i = 0; i < 2000; i++)
		len += (size_t)snprintf(text + len, cap - len,
		    "h%d IN TXT \"%s text record long enough to fill %d\"\n",
		    i, i == 0 ? word : "a", i);
	assert_int_equal(store_open(dbpath, 0, &st, err, sizeof(err)), 0);
	assert_int_equal(store_import_buffer(st, text, len, &o, &res), 0);
	assert_true(res.changed);
	assert_int_equal(res.new_serial, serial);
	store_close(st);
	free(text);
}

/* The messages of the answer to Q (from 127.0.0.2 over TCP), back to
 * back into OUT; their total length. */
static size_t
answer_bytes(const uint8_t *q, size_t qlen, uint8_t *out, size_t cap)
{
	static uint8_t buf[65535];
	struct sockaddr_in sin;
	struct xfr_answer *a;
	size_t len, total = 0;
	int r;

	peer(&sin, "127.0.0.2");
	assert_int_equal(xfr_query(srv, q, qlen, (struct sockaddr *)&sin, 1,
	    &a), 0);
	while ((r = xfr_answer_next(a, buf, sizeof(buf), &len)) == 1) {
		assert_true(total + len <= cap);
		memcpy(out + total, buf, len);
		total += len;
	}
	assert_int_equal(r, 0);
	xfr_answer_free(a);
	return total;
}

/* The serial of the first SOA of the answer in MSG. */
static uint32_t
first_serial(const uint8_t *msg, size_t len)
{
	struct pkt p;
	struct pkt_iter it;
	struct pkt_rr rr;
	uint8_t rd[600];
	size_t rdlen;
	uint32_t serial = 0;

	assert_int_equal(pkt_parse(&p, msg, len), 0);
	pkt_iter_init(&it, &p, PKT_ANSWER);
	assert_int_equal(pkt_iter_next(&it, &rr), 1);
	assert_int_equal(rr.type, WIRE_TYPE_SOA);
	assert_int_equal(pkt_rdata_expand(&p, &rr, rd, sizeof(rd), &rdlen), 0);
	assert_int_equal(serial_soa_get(rd, rdlen, &serial), 0);
	return serial;
}

/*
 * IXFR answers kept for the next secondary asking the same: the second
 * gets the same answer with its own ID and its question's case; after a
 * new version the kept answer (to the old one) is not served; a server
 * starts with the IXFR from the serial before the current one kept, and
 * keeps the one to a new version when it is announced.
 */
static void
test_ixfr_kept(void **state)
{
	static uint8_t a1[1 << 16], a2[1 << 16], a3[1 << 16];
	struct xfr_server *s2;
	const uint8_t *kept = NULL;
	uint8_t q[512];
	size_t n, l1, l2, l3;
	int i, found;

	(void)state;
	publish_small(12, "b");
	n = mkquery(q, "ex.test", WIRE_TYPE_IXFR, 0, 11);
	l1 = answer_bytes(q, n, a1, sizeof(a1));
	assert_int_equal(first_serial(a1, l1), 12);
	/* Another ID, the zone spelled in capitals. */
	n = mkquery(q, "Ex.TEST", WIRE_TYPE_IXFR, 0, 11);
	wire_write_u16(q, 0x4321);
	l2 = answer_bytes(q, n, a2, sizeof(a2));
	assert_int_equal(l2, l1);
	assert_int_equal(wire_read_u16(a2), 0x4321);
	assert_memory_equal(a2 + WIRE_HDR_LEN, "\2Ex\4TEST", 9);
	assert_memory_equal(a2 + 2, a1 + 2, WIRE_HDR_LEN - 2);
	assert_memory_equal(a2 + WIRE_HDR_LEN + 9, a1 + WIRE_HDR_LEN + 9,
	    l1 - WIRE_HDR_LEN - 9);
	/* Version 13: the same question gets the way to 13. */
	publish_small(13, "c");
	n = mkquery(q, "ex.test", WIRE_TYPE_IXFR, 0, 11);
	l3 = answer_bytes(q, n, a3, sizeof(a3));
	assert_int_equal(first_serial(a3, l3), 13);
	assert_true(l3 > l1);
	/* A server started now has the IXFR from 12 (the serial before 13)
	 * ready, and nothing else. */
	assert_int_equal(xfr_server_new(cfg, dbpath, &s2), 0);
	for (i = found = 0; i < XFR_IXFR_KEEP; i++)
		if (s2->kept[i].buf != NULL) {
			assert_int_equal(s2->kept[i].client, 12);
			assert_int_equal(s2->kept[i].serial, 13);
			found++;
		}
	assert_int_equal(found, 1);
	/* Version 14 on that running server: announcing it prepares the
	 * IXFR from 13 (what the secondaries ask after the NOTIFY). */
	publish_small(14, "d");
	assert_int_equal(xfr_server_ixfr_prepare(s2, "ex.test"), 0);
	for (i = found = 0; i < XFR_IXFR_KEEP; i++)
		if (s2->kept[i].buf != NULL && s2->kept[i].serial == 14) {
			assert_int_equal(s2->kept[i].client, 13);
			kept = s2->kept[i].buf;
			found++;
		}
	assert_int_equal(found, 1);
	/* asked again (at the announce): the same answer, not a second */
	assert_int_equal(xfr_server_ixfr_prepare(s2, "ex.test"), 0);
	for (i = found = 0; i < XFR_IXFR_KEEP; i++)
		if (s2->kept[i].buf != NULL && s2->kept[i].serial == 14) {
			assert_ptr_equal(s2->kept[i].buf, kept);
			found++;
		}
	assert_int_equal(found, 1);
	xfr_server_free(s2);
}

static int settled_now;

static int
settled(void *arg)
{
	(void)arg;
	return settled_now;
}

/* The serial an IXFR from CLIENT on server S brings. */
static uint32_t
ixfr_to(struct xfr_server *s, uint32_t client)
{
	static uint8_t out[1 << 17];
	struct xfr_server *keep = srv;
	uint8_t q[512];
	size_t n, len;

	n = mkquery(q, "ex.test", WIRE_TYPE_IXFR, 0, (int)client);
	srv = s;
	len = answer_bytes(q, n, out, sizeof(out));
	srv = keep;
	return first_serial(out, len);
}

/* What the daemon's scan reads of the zone (zones.c): its row now. */
static void
scan(struct xfr_server *s, int readable)
{
	struct store_zone_info zi;
	struct store *st;
	char err[256];

	xfr_server_seen_begin(s);
	if (!readable)
		return;
	assert_int_equal(store_open(dbpath, 0, &st, err, sizeof(err)), 0);
	assert_int_equal(store_zone_info(st, "ex.test", &zi), 0);
	xfr_server_seen(s, &zi);
	store_close(st);
}

/*
 * A kept IXFR sent with no read of the database: only while the scanner
 * says every commit is known to it (settled), and only the one kept for
 * the version its scan last saw. Shown by a commit no scan has seen yet:
 * answered from memory (the version before) while settled, from the
 * database once not; a read or a scan that finds a newer version retires
 * the old answer; a zone the scan could not read is always read.
 */
static void
test_ixfr_seen(void **state)
{
	struct xfr_server *s2;

	(void)state;
	/* started at 14: the IXFR from 13 kept; scanned, settled */
	assert_int_equal(xfr_server_new(cfg, dbpath, &s2), 0);
	xfr_server_set_settled(s2, settled, NULL);
	settled_now = 1;
	scan(s2, 1);
	assert_int_equal(ixfr_to(s2, 13), 14);
	assert_int_equal(ixfr_to(s2, 12), 14);	/* kept now too */
	/* 15 committed by another process, not scanned yet */
	publish_small(15, "e");
	assert_int_equal(ixfr_to(s2, 13), 14);
	/* not settled (a write to the WAL not looked at): read, 15 */
	settled_now = 0;
	assert_int_equal(ixfr_to(s2, 13), 15);
	/* that read made the answers to 15 the current ones, 14's not */
	settled_now = 1;
	assert_int_equal(ixfr_to(s2, 13), 15);
	assert_int_equal(ixfr_to(s2, 12), 15);	/* 12 to 14 retired too */
	/* 16, and a scan that sees it: the answer to 15 is not sent */
	publish_small(16, "f");
	scan(s2, 1);
	assert_int_equal(ixfr_to(s2, 13), 16);
	assert_int_equal(ixfr_to(s2, 15), 16);
	/* 17, and a scan that could not read the zone: read, 17 */
	publish_small(17, "g");
	scan(s2, 0);
	assert_int_equal(ixfr_to(s2, 15), 17);
	/* no scanner (the main test server): always read */
	assert_int_equal(ixfr_to(srv, 13), 17);
	xfr_server_free(s2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_soa),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_axfr),
		cmocka_unit_test(test_axfr_cache),
		cmocka_unit_test(test_ixfr),
		cmocka_unit_test(test_notify_msg),
		cmocka_unit_test(test_probe_msg),
		cmocka_unit_test(test_tsig),
		cmocka_unit_test(test_reload_mid_transfer),
		cmocka_unit_test(test_peers),
		cmocka_unit_test(test_ixfr_kept),	/* new versions: last */
		cmocka_unit_test(test_ixfr_seen),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
