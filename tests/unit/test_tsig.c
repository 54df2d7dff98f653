/*
 * test_tsig.c -- TSIG: HMAC known answers (RFC 2202, RFC 4231), sign and
 * verify round trips for every algorithm, error cases, multi-message
 * chaining, and cross-checks against libknot's independent TSIG code.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <libknot/libknot.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/pkt.h"
#include "dns/tsig.h"
#include "dns/wire.h"

static const char *alg_names[] = {
	"hmac-md5", "hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384",
	"hmac-sha512",
};
#define NALG 6
#define SECRET_B64 "c2VjcmV0LWtleS1mb3ItaHBhZ2VudC10ZXN0cy0wMTIzNDU2Nzg5YWJj"
#define KEYNAME "transfer.key."

static size_t
unhex(const char *hex, uint8_t *out)
{
	size_t n = 0;
	unsigned v;

	while (hex[0] && hex[1]) {
		sscanf(hex, "%2x", &v);
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

/* HMAC known answers: RFC 2202 (MD5, SHA-1) and RFC 4231 (SHA-2) test
 * cases 1 (key 0x0b.., "Hi There") and 2 (key "Jefe"). */
static const struct kat {
	const char *alg;
	const char *key_hex;
	const char *data;
	const char *mac_hex;
} kats[] = {
	{ "hmac-md5", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
	    "9294727a3638bb1c13f48ef8158bfc9d" },
	{ "hmac-md5", "4a656665", "what do ya want for nothing?",
	    "750c783e6ab0b503eaa86e310a5db738" },
	{ "hmac-sha1", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
	    "b617318655057264e28bc0b6fb378c8ef146be00" },
	{ "hmac-sha1", "4a656665", "what do ya want for nothing?",
	    "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
	{ "hmac-sha224", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	    "Hi There",
	    "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22" },
	{ "hmac-sha224", "4a656665", "what do ya want for nothing?",
	    "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44" },
	{ "hmac-sha256", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	    "Hi There",
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
	{ "hmac-sha256", "4a656665", "what do ya want for nothing?",
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
	{ "hmac-sha384", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	    "Hi There",
	    "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	    "faea9ea9076ede7f4af152e8b2fa9cb6" },
	{ "hmac-sha384", "4a656665", "what do ya want for nothing?",
	    "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	    "8e2240ca5e69e2c78b3239ecfab21649" },
	{ "hmac-sha512", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	    "Hi There",
	    "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	    "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
	{ "hmac-sha512", "4a656665", "what do ya want for nothing?",
	    "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	    "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
};

static void
test_hmac_kat(void **state)
{
	uint8_t key[64], want[64], got[TSIG_MAX_DIGEST];
	size_t i, klen, wlen, glen, half;
	struct tsig_hmac *h;
	const struct tsig_alg *alg;
	int pass;

	(void)state;
	/* Twice: the second pass gets copies of the keyed contexts the
	 * first one left (the same secret with six algorithms, two secrets
	 * with each). */
	for (pass = 0; pass < 2; pass++)
	for (i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
		alg = tsig_alg_by_name(kats[i].alg);
		assert_non_null(alg);
		klen = unhex(kats[i].key_hex, key);
		wlen = unhex(kats[i].mac_hex, want);
		assert_int_equal(wlen, alg->digest_size);
		h = tsig_hmac_new(alg, key, klen);
		assert_non_null(h);
		/* In two pieces, to exercise the incremental interface. */
		half = strlen(kats[i].data) / 2;
		assert_int_equal(tsig_hmac_update(h, kats[i].data, half), 0);
		assert_int_equal(tsig_hmac_update(h, kats[i].data + half,
		    strlen(kats[i].data) - half), 0);
		assert_int_equal(tsig_hmac_final(h, got, &glen), 0);
		assert_int_equal(glen, wlen);
		if (memcmp(got, want, wlen) != 0)
			fail_msg("%s KAT %zu, pass %d: MAC differs",
			    kats[i].alg, i, pass);
		/* Reset keeps the key. */
		assert_int_equal(tsig_hmac_reset(h), 0);
		assert_int_equal(tsig_hmac_update(h, kats[i].data,
		    strlen(kats[i].data)), 0);
		assert_int_equal(tsig_hmac_final(h, got, &glen), 0);
		assert_memory_equal(got, want, wlen);
		tsig_hmac_free(h);
	}
}

static void
test_alg_names(void **state)
{
	const struct tsig_alg *a;
	uint8_t w[DNAME_MAXLEN];

	(void)state;
	assert_non_null(tsig_alg_by_name("HMAC-SHA256."));
	a = tsig_alg_by_name("hmac-md5.sig-alg.reg.int.");
	assert_non_null(a);
	assert_string_equal(a->name, "hmac-md5");
	assert_int_equal(dname_from_str("HMAC-MD5.SIG-ALG.REG.INT", w, NULL),
	    0);
	assert_ptr_equal(tsig_alg_by_wire(w), a);
	assert_null(tsig_alg_by_name("hmac-sha3"));
	assert_null(tsig_alg_by_name("gss-tsig"));
}

static void
test_key_parse(void **state)
{
	struct tsig_key k;
	uint8_t raw[8];
	size_t n;

	(void)state;
	assert_int_equal(tsig_key_parse(&k,
	    "hmac-sha1:Key.Example:" SECRET_B64), 0);
	assert_string_equal(k.alg->name, "hmac-sha1");
	assert_memory_equal(k.name, "\x03key\x07" "example\x00", 13);
	assert_int_equal(k.secret_len, 42);
	assert_int_equal(tsig_key_parse(&k, "key:" SECRET_B64), 0);
	assert_string_equal(k.alg->name, "hmac-sha256");
	assert_int_equal(tsig_key_parse(&k, "foo:key:" SECRET_B64),
	    HP_ENOTSUP);
	assert_int_equal(tsig_key_parse(&k, "key:not*base64"), HP_EPARSE);
	assert_int_equal(tsig_b64_decode("YWI=", raw, sizeof(raw), &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(tsig_b64_decode("YQ==", raw, sizeof(raw), &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(tsig_b64_decode("YQ=a", raw, sizeof(raw), &n),
	    HP_EPARSE);
	assert_int_equal(tsig_b64_decode("YWJj", raw, 2, &n), HP_ESPACE);
	tsig_key_clear(&k);
	assert_int_equal(k.secret_len, 0);
}

/* A query for example.com SOA with id ID, in BUF (capacity 4096). */
static size_t
make_query(uint8_t *buf, uint16_t id, uint16_t qtype)
{
	struct pkt_wr w;
	uint8_t qn[DNAME_MAXLEN];

	assert_int_equal(dname_from_str("example.com.", qn, NULL), 0);
	assert_int_equal(pkt_wr_init(&w, buf, 4096, id, 0, NULL), 0);
	assert_int_equal(pkt_wr_question(&w, qn, qtype, WIRE_CLASS_IN), 0);
	return w.len;
}

/* A response to the query in Q with N A records. */
static size_t
make_answer(uint8_t *buf, size_t cap, const uint8_t *q, size_t qlen, int n,
    struct dname_ctab *ct)
{
	struct pkt p;
	struct pkt_wr w;
	uint8_t a[4] = { 192, 0, 2, 0 };
	int i;

	assert_int_equal(pkt_parse(&p, q, qlen), 0);
	assert_int_equal(pkt_wr_reply(&w, buf, cap, &p, 0, ct), 0);
	for (i = 0; i < n; i++) {
		a[3] = (uint8_t)i;
		assert_int_equal(pkt_wr_rr(&w, PKT_ANSWER, p.qname,
		    WIRE_TYPE_A, WIRE_CLASS_IN, 3600, a, 4), 0);
	}
	return w.len;
}

static const struct tsig_key *lookup_key;

static const struct tsig_key *
lookup(void *arg, const uint8_t *name, const struct tsig_alg *alg)
{
	(void)arg;
	if (lookup_key != NULL && dname_equal(name, lookup_key->name) &&
	    alg == lookup_key->alg)
		return lookup_key;
	return NULL;
}

/* Server verify into a context that may hold a previous result. */
static int
reverify(struct tsig_ctx *srv, const struct pkt *p, uint64_t now)
{
	tsig_ctx_deinit(srv);
	return tsig_server_verify(srv, p, lookup, NULL, now, 0);
}

static void
test_roundtrip_all(void **state)
{
	struct tsig_key k;
	struct tsig_ctx cli, srv;
	struct pkt p;
	uint8_t q[4096], r[4096];
	size_t qlen, rlen;
	uint64_t now = 1700000000;
	int a, m;

	(void)state;
	for (a = 0; a < NALG; a++) {
		assert_int_equal(tsig_key_init(&k, KEYNAME, alg_names[a],
		    SECRET_B64), 0);
		lookup_key = &k;
		tsig_ctx_init(&cli, &k, 0);
		qlen = make_query(q, 0x1234, WIRE_TYPE_AXFR);
		assert_int_equal(tsig_sign(&cli, q, &qlen, sizeof(q), now), 0);
		assert_int_equal(pkt_parse(&p, q, qlen), 0);
		assert_int_equal(p.count[PKT_ADDITIONAL], 1);
		assert_true(p.tsig_off > 0);
		assert_int_equal(tsig_server_verify(&srv, &p, lookup, NULL,
		    now + 10, TSIG_MAX_FUDGE), 0);
		/* Three response messages, each signed (RFC 8945 5.3.1). */
		for (m = 0; m < 3; m++) {
			rlen = make_answer(r, sizeof(r) - tsig_reserve(&srv),
			    q, qlen, 10 + m, NULL);
			assert_true(rlen + tsig_reserve(&srv) <= sizeof(r));
			assert_int_equal(tsig_sign(&srv, r, &rlen, sizeof(r),
			    now + 20 + m), 0);
			assert_int_equal(pkt_parse(&p, r, rlen), 0);
			if (tsig_client_verify(&cli, &p, now + 30) != 0)
				fail_msg("%s message %d did not verify",
				    alg_names[a], m);
		}
		assert_int_equal(tsig_client_finish(&cli), 0);
		tsig_ctx_deinit(&cli);
		tsig_ctx_deinit(&srv);
	}
}

static void
test_server_errors(void **state)
{
	struct tsig_key k, other;
	struct tsig_ctx cli, srv = { 0 };
	struct tsig_rr rr;
	struct pkt p;
	uint8_t q[4096], r[4096];
	size_t qlen, rlen;
	uint64_t now = 1700000000;

	(void)state;
	assert_int_equal(tsig_key_init(&k, KEYNAME, "hmac-sha256",
	    SECRET_B64), 0);
	assert_int_equal(tsig_key_init(&other, KEYNAME, "hmac-sha256",
	    "b3RoZXItc2VjcmV0"), 0);

	/* Unknown key name / algorithm -> BADKEY, unsigned error TSIG. */
	lookup_key = NULL;
	tsig_ctx_init(&cli, &k, 0);
	qlen = make_query(q, 7, WIRE_TYPE_SOA);
	assert_int_equal(tsig_sign(&cli, q, &qlen, sizeof(q), now), 0);
	assert_int_equal(pkt_parse(&p, q, qlen), 0);
	assert_int_equal(reverify(&srv, &p, now),
	    HP_EBADKEY);
	assert_int_equal(srv.error, WIRE_RCODE_BADKEY);
	rlen = make_answer(r, sizeof(r), q, qlen, 0, NULL);
	assert_int_equal(tsig_sign(&srv, r, &rlen, sizeof(r), now), 0);
	assert_int_equal(pkt_parse(&p, r, rlen), 0);
	assert_int_equal(tsig_rr_parse(&p, &rr), 0);
	assert_int_equal(rr.error, WIRE_RCODE_BADKEY);
	assert_int_equal(rr.mac_size, 0);
	assert_int_equal(tsig_client_verify(&cli, &p, now), HP_EBADKEY);
	tsig_ctx_deinit(&srv);

	/* Wrong secret -> BADSIG. */
	lookup_key = &other;
	assert_int_equal(pkt_parse(&p, q, qlen), 0);
	assert_int_equal(reverify(&srv, &p, now),
	    HP_EBADSIG);
	rlen = make_answer(r, sizeof(r), q, qlen, 0, NULL);
	assert_int_equal(tsig_sign(&srv, r, &rlen, sizeof(r), now), 0);
	assert_int_equal(pkt_parse(&p, r, rlen), 0);
	assert_int_equal(tsig_client_verify(&cli, &p, now), HP_EBADSIG);
	tsig_ctx_deinit(&srv);

	/* A flipped MAC byte -> BADSIG. */
	lookup_key = &k;
	assert_int_equal(pkt_parse(&p, q, qlen), 0);
	assert_int_equal(tsig_rr_parse(&p, &rr), 0);
	q[rr.mac - q + 5] ^= 0x01;
	assert_int_equal(reverify(&srv, &p, now),
	    HP_EBADSIG);
	q[rr.mac - q + 5] ^= 0x01;
	/* A changed message byte (the question type) -> BADSIG. */
	q[qlen - (qlen - p.sec_off[PKT_ANSWER]) - 3] ^= 0x01;
	assert_int_equal(reverify(&srv, &p, now),
	    HP_EBADSIG);
	q[qlen - (qlen - p.sec_off[PKT_ANSWER]) - 3] ^= 0x01;
	assert_int_equal(reverify(&srv, &p, now), 0);

	/* Time outside the fudge, both directions -> BADTIME. */
	assert_int_equal(reverify(&srv, &p, now + 300), 0);
	assert_int_equal(reverify(&srv, &p, now - 300), 0);
	assert_int_equal(reverify(&srv, &p, now - 301), HP_EBADTIME);
	assert_int_equal(reverify(&srv, &p, now + 301), HP_EBADTIME);
	/* The BADTIME answer is signed; Other Data = server time. */
	rlen = make_answer(r, sizeof(r), q, qlen, 0, NULL);
	assert_int_equal(tsig_sign(&srv, r, &rlen, sizeof(r), now + 301), 0);
	assert_int_equal(pkt_parse(&p, r, rlen), 0);
	assert_int_equal(tsig_rr_parse(&p, &rr), 0);
	assert_int_equal(rr.error, WIRE_RCODE_BADTIME);
	assert_int_equal(rr.time_signed, now);
	assert_int_equal(rr.other_len, 6);
	assert_int_equal(wire_read_u48(rr.other), now + 301);
	assert_int_equal(rr.mac_size, 32);
	assert_int_equal(tsig_client_verify(&cli, &p, now), HP_EBADTIME);
	assert_int_equal(cli.error, WIRE_RCODE_BADTIME);
	tsig_ctx_deinit(&srv);
	tsig_ctx_deinit(&cli);

	/* Unsigned request. */
	qlen = make_query(q, 8, WIRE_TYPE_SOA);
	assert_int_equal(pkt_parse(&p, q, qlen), 0);
	assert_int_equal(reverify(&srv, &p, now),
	    HP_ENOTSIG);
	tsig_ctx_deinit(&srv);
}

static void
test_client_errors(void **state)
{
	struct tsig_key k;
	struct tsig_ctx cli, srv = { 0 };
	struct pkt p;
	uint8_t q[4096], r[4096], r2[4096];
	size_t qlen, rlen, r2len;
	uint64_t now = 1700000000;

	(void)state;
	assert_int_equal(tsig_key_init(&k, KEYNAME, "hmac-sha512",
	    SECRET_B64), 0);
	lookup_key = &k;
	tsig_ctx_init(&cli, &k, 0);
	qlen = make_query(q, 9, WIRE_TYPE_AXFR);
	assert_int_equal(tsig_sign(&cli, q, &qlen, sizeof(q), now), 0);
	assert_int_equal(pkt_parse(&p, q, qlen), 0);
	assert_int_equal(reverify(&srv, &p, now), 0);

	/* An unsigned first response is refused. */
	rlen = make_answer(r, sizeof(r), q, qlen, 3, NULL);
	assert_int_equal(pkt_parse(&p, r, rlen), 0);
	assert_int_equal(tsig_client_verify(&cli, &p, now), HP_ENOTSIG);

	/* A response whose time is off -> BADTIME at the client. */
	assert_int_equal(tsig_sign(&srv, r, &rlen, sizeof(r), now + 1000), 0);
	assert_int_equal(pkt_parse(&p, r, rlen), 0);
	assert_int_equal(tsig_client_verify(&cli, &p, now), HP_EBADTIME);
	tsig_ctx_deinit(&cli);
	tsig_ctx_deinit(&srv);

	/* Messages swapped in a stream -> BADSIG. */
	tsig_ctx_init(&cli, &k, 0);
	qlen = make_query(q, 9, WIRE_TYPE_AXFR);
	assert_int_equal(tsig_sign(&cli, q, &qlen, sizeof(q), now), 0);
	assert_int_equal(pkt_parse(&p, q, qlen), 0);
	assert_int_equal(reverify(&srv, &p, now), 0);
	rlen = make_answer(r, sizeof(r), q, qlen, 3, NULL);
	assert_int_equal(tsig_sign(&srv, r, &rlen, sizeof(r), now), 0);
	r2len = make_answer(r2, sizeof(r2), q, qlen, 4, NULL);
	assert_int_equal(tsig_sign(&srv, r2, &r2len, sizeof(r2), now), 0);
	assert_int_equal(pkt_parse(&p, r2, r2len), 0);
	assert_int_equal(tsig_client_verify(&cli, &p, now), HP_EBADSIG);
	tsig_ctx_deinit(&cli);
	tsig_ctx_deinit(&srv);

	/* No room for the TSIG: HP_ESPACE, message unchanged. */
	tsig_ctx_init(&cli, &k, 0);
	qlen = make_query(q, 9, WIRE_TYPE_SOA);
	memcpy(r, q, qlen);
	rlen = qlen;
	assert_int_equal(tsig_sign(&cli, q, &qlen, qlen + 20, now),
	    HP_ESPACE);
	assert_int_equal(qlen, rlen);
	assert_memory_equal(q, r, qlen);
	tsig_ctx_deinit(&cli);
}

/*
 * Append a TSIG RR by hand for an unsigned-intermediates stream: MAC over
 * prior MAC, the unsigned messages (U, ULEN each), this message, timers.
 */
static void
sign_after_unsigned(const struct tsig_key *k, const uint8_t *prior,
    size_t prior_len, uint8_t **u, size_t *ulen, int nu, uint8_t *msg,
    size_t *len, uint64_t now, uint8_t *mac_out)
{
	struct tsig_hmac *h = tsig_hmac_new(k->alg, k->secret, k->secret_len);
	uint8_t b[8], mac[TSIG_MAX_DIGEST];
	size_t mlen, alen = (size_t)dname_wire_len(k->alg->wire, 255), o;
	int i;

	assert_non_null(h);
	wire_write_u16(b, (uint16_t)prior_len);
	tsig_hmac_update(h, b, 2);
	tsig_hmac_update(h, prior, prior_len);
	for (i = 0; i < nu; i++)
		tsig_hmac_update(h, u[i], ulen[i]);
	tsig_hmac_update(h, msg, *len);
	wire_write_u48(b, now);
	wire_write_u16(b + 6, 300);
	tsig_hmac_update(h, b, 8);
	assert_int_equal(tsig_hmac_final(h, mac, &mlen), 0);
	tsig_hmac_free(h);
	o = *len;
	memcpy(msg + o, k->name, k->name_len);
	o += k->name_len;
	wire_write_u16(msg + o, WIRE_TYPE_TSIG);
	wire_write_u16(msg + o + 2, WIRE_CLASS_ANY);
	wire_write_u32(msg + o + 4, 0);
	wire_write_u16(msg + o + 8, (uint16_t)(alen + 16 + mlen));
	o += 10;
	memcpy(msg + o, k->alg->wire, alen);
	o += alen;
	wire_write_u48(msg + o, now);
	wire_write_u16(msg + o + 6, 300);
	wire_write_u16(msg + o + 8, (uint16_t)mlen);
	o += 10;
	memcpy(msg + o, mac, mlen);
	o += mlen;
	wire_write_u16(msg + o, wire_read_u16(msg));
	wire_write_u16(msg + o + 2, 0);
	wire_write_u16(msg + o + 4, 0);
	o += 6;
	wire_write_u16(msg + WIRE_OFF_ARCOUNT,
	    (uint16_t)(wire_read_u16(msg + WIRE_OFF_ARCOUNT) + 1));
	*len = o;
	memcpy(mac_out, mac, mlen);
}

static void
test_unsigned_intermediate(void **state)
{
	struct tsig_key k;
	struct tsig_ctx cli, srv = { 0 };
	struct pkt p;
	static uint8_t q[4096], m[4][4096];
	uint8_t *u[2];
	size_t qlen, len[4], ul[2];
	uint8_t mac[TSIG_MAX_DIGEST];
	uint64_t now = 1700000000;

	(void)state;
	assert_int_equal(tsig_key_init(&k, KEYNAME, "hmac-sha1",
	    SECRET_B64), 0);
	lookup_key = &k;
	tsig_ctx_init(&cli, &k, 0);
	qlen = make_query(q, 77, WIRE_TYPE_AXFR);
	assert_int_equal(tsig_sign(&cli, q, &qlen, sizeof(q), now), 0);
	assert_int_equal(pkt_parse(&p, q, qlen), 0);
	assert_int_equal(reverify(&srv, &p, now), 0);
	/* signed, unsigned, unsigned, signed */
	len[0] = make_answer(m[0], 4000, q, qlen, 5, NULL);
	assert_int_equal(tsig_sign(&srv, m[0], &len[0], 4096, now), 0);
	len[1] = make_answer(m[1], 4000, q, qlen, 6, NULL);
	len[2] = make_answer(m[2], 4000, q, qlen, 7, NULL);
	len[3] = make_answer(m[3], 4000, q, qlen, 8, NULL);
	u[0] = m[1], u[1] = m[2], ul[0] = len[1], ul[1] = len[2];
	sign_after_unsigned(&k, srv.mac, srv.mac_len, u, ul, 2, m[3], &len[3],
	    now, mac);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pkt_parse(&p, m[i], len[i]), 0);
		assert_int_equal(tsig_client_verify(&cli, &p, now), 0);
		if (i == 1 || i == 2)
			assert_int_equal(tsig_client_finish(&cli), HP_ENOTSIG);
	}
	assert_int_equal(tsig_client_finish(&cli), 0);
	assert_memory_equal(cli.mac, mac, 20);
	tsig_ctx_deinit(&cli);
	tsig_ctx_deinit(&srv);

	/* 100 unsigned messages in a row are too many. */
	tsig_ctx_init(&cli, &k, 0);
	qlen = make_query(q, 77, WIRE_TYPE_AXFR);
	assert_int_equal(tsig_sign(&cli, q, &qlen, sizeof(q), now), 0);
	assert_int_equal(pkt_parse(&p, q, qlen), 0);
	assert_int_equal(reverify(&srv, &p, now), 0);
	len[0] = make_answer(m[0], 4000, q, qlen, 5, NULL);
	assert_int_equal(tsig_sign(&srv, m[0], &len[0], 4096, now), 0);
	assert_int_equal(pkt_parse(&p, m[0], len[0]), 0);
	assert_int_equal(tsig_client_verify(&cli, &p, now), 0);
	assert_int_equal(pkt_parse(&p, m[1], len[1]), 0);
	for (int i = 0; i < TSIG_MAX_UNSIGNED; i++)
		assert_int_equal(tsig_client_verify(&cli, &p, now), 0);
	assert_int_equal(tsig_client_verify(&cli, &p, now), HP_ENOTSIG);
	tsig_ctx_deinit(&cli);
	tsig_ctx_deinit(&srv);
}

/* libknot cross-checks. libknot checks times against time(NULL). */

static void
knot_key(knot_tsig_key_t *kk, const char *alg)
{
	assert_int_equal(knot_tsig_key_init(kk, alg, KEYNAME, SECRET_B64),
	    KNOT_EOK);
}

static knot_pkt_t *
knot_parse(uint8_t *copy, const uint8_t *wire, size_t len)
{
	knot_pkt_t *kp;

	memcpy(copy, wire, len);
	kp = knot_pkt_new(copy, (uint16_t)len, NULL);
	assert_non_null(kp);
	assert_int_equal(knot_pkt_parse(kp, 0), KNOT_EOK);
	assert_non_null(kp->tsig_rr);
	return kp;
}

static void
test_knot_cross(void **state)
{
	struct tsig_key k;
	struct tsig_ctx cli, srv = { 0 };
	knot_tsig_key_t kk;
	knot_pkt_t *kp;
	struct pkt p;
	static uint8_t q[4096], r[4096], copy[4096];
	uint8_t kmac[64], kmac2[64];
	size_t qlen, rlen, kmac_len, kmac2_len;
	uint64_t now = (uint64_t)time(NULL);
	int a, ret, m;

	(void)state;
	for (a = 0; a < NALG; a++) {
		assert_int_equal(tsig_key_init(&k, KEYNAME, alg_names[a],
		    SECRET_B64), 0);
		knot_key(&kk, alg_names[a]);
		lookup_key = &k;

		/* 1. We sign a request; libknot's server check accepts it. */
		tsig_ctx_init(&cli, &k, 0);
		qlen = make_query(q, 0x4242, WIRE_TYPE_AXFR);
		assert_int_equal(tsig_sign(&cli, q, &qlen, sizeof(q), now), 0);
		kp = knot_parse(copy, q, qlen);
		ret = knot_tsig_server_check(kp->tsig_rr, kp->wire, kp->size,
		    &kk);
		if (ret != KNOT_EOK)
			fail_msg("%s: libknot rejected our request: %s",
			    alg_names[a], knot_strerror(ret));
		knot_pkt_free(kp);

		/* 2. We sign responses; libknot's client check accepts. */
		assert_int_equal(pkt_parse(&p, q, qlen), 0);
		assert_int_equal(reverify(&srv, &p, now), 0);
		memcpy(kmac, cli.mac, cli.mac_len);
		kmac_len = cli.mac_len;
		for (m = 0; m < 3; m++) {
			rlen = make_answer(r, 3000, q, qlen, 20 + m, NULL);
			assert_int_equal(tsig_sign(&srv, r, &rlen, sizeof(r),
			    now), 0);
			kp = knot_parse(copy, r, rlen);
			if (m == 0)
				ret = knot_tsig_client_check(kp->tsig_rr,
				    kp->wire, kp->size, kmac, kmac_len, &kk,
				    0);
			else
				ret = knot_tsig_client_check_next(kp->tsig_rr,
				    kp->wire, kp->size, kmac, kmac_len, &kk,
				    0);
			if (ret != KNOT_EOK)
				fail_msg("%s: libknot rejected our response "
				    "%d: %s", alg_names[a], m,
				    knot_strerror(ret));
			memcpy(kmac, srv.mac, srv.mac_len);
			kmac_len = srv.mac_len;
			knot_pkt_free(kp);
		}
		tsig_ctx_deinit(&srv);

		/* 3. libknot signs a request; we verify it. */
		qlen = make_query(q, 0x4343, WIRE_TYPE_AXFR);
		kmac_len = sizeof(kmac);
		assert_int_equal(knot_tsig_sign(q, &qlen, sizeof(q), NULL, 0,
		    kmac, &kmac_len, &kk, 0, 0), KNOT_EOK);
		assert_int_equal(pkt_parse(&p, q, qlen), 0);
		ret = reverify(&srv, &p, now);
		if (ret != 0)
			fail_msg("%s: we rejected libknot's request: %s",
			    alg_names[a], hp_strerror(ret));

		/* 4. libknot signs responses; our client verifies. */
		tsig_ctx_deinit(&cli);
		tsig_ctx_init(&cli, &k, 0);
		memcpy(cli.mac, kmac, kmac_len);
		cli.mac_len = kmac_len;
		for (m = 0; m < 3; m++) {
			rlen = make_answer(r, 3000, q, qlen, 30 + m, NULL);
			kmac2_len = sizeof(kmac2);
			if (m == 0)
				ret = knot_tsig_sign(r, &rlen, sizeof(r), kmac,
				    kmac_len, kmac2, &kmac2_len, &kk, 0, 0);
			else
				ret = knot_tsig_sign_next(r, &rlen, sizeof(r),
				    kmac, kmac_len, kmac2, &kmac2_len, &kk, r,
				    rlen);
			assert_int_equal(ret, KNOT_EOK);
			memcpy(kmac, kmac2, kmac2_len);
			kmac_len = kmac2_len;
			assert_int_equal(pkt_parse(&p, r, rlen), 0);
			ret = tsig_client_verify(&cli, &p, now);
			if (ret != 0)
				fail_msg("%s: we rejected libknot's response "
				    "%d: %s", alg_names[a], m,
				    hp_strerror(ret));
		}
		assert_int_equal(tsig_client_finish(&cli), 0);
		tsig_ctx_deinit(&cli);
		tsig_ctx_deinit(&srv);

		/* 5. libknot's check rejects our request signed with
		 * another secret (the cross-check can fail). */
		{
			struct tsig_key bad;

			assert_int_equal(tsig_key_init(&bad, KEYNAME,
			    alg_names[a], "b3RoZXItc2VjcmV0"), 0);
			tsig_ctx_init(&cli, &bad, 0);
			qlen = make_query(q, 0x4444, WIRE_TYPE_SOA);
			assert_int_equal(tsig_sign(&cli, q, &qlen, sizeof(q),
			    now), 0);
			kp = knot_parse(copy, q, qlen);
			assert_int_not_equal(knot_tsig_server_check(
			    kp->tsig_rr, kp->wire, kp->size, &kk), KNOT_EOK);
			knot_pkt_free(kp);
			tsig_ctx_deinit(&cli);
		}
		knot_tsig_key_deinit(&kk);
	}
}

/* The fudge a request claims is capped: 65535 s of skew is not accepted
 * when the server allows 300 (tsig-max-fudge:). */
static void
test_fudge_cap(void **state)
{
	struct tsig_key k;
	struct tsig_ctx cli, srv;
	struct pkt p;
	uint8_t q[4096];
	size_t qlen;
	uint64_t now = 1700000000;

	(void)state;
	assert_int_equal(tsig_key_init(&k, KEYNAME, "hmac-sha256",
	    "c2VjcmV0LWtleS1mb3ItdGVzdHM="), 0);
	lookup_key = &k;
	tsig_ctx_init(&cli, &k, 65535);
	qlen = make_query(q, 9, WIRE_TYPE_AXFR);
	assert_int_equal(tsig_sign(&cli, q, &qlen, sizeof(q), now), 0);
	assert_int_equal(pkt_parse(&p, q, qlen), 0);
	memset(&srv, 0, sizeof(srv));
	/* No cap: the request's own 65535 s. */
	assert_int_equal(reverify(&srv, &p, now + 40000), 0);
	tsig_ctx_deinit(&srv);
	assert_int_equal(tsig_server_verify(&srv, &p, lookup, NULL,
	    now + 40000, TSIG_MAX_FUDGE), HP_EBADTIME);
	assert_int_equal(srv.error, WIRE_RCODE_BADTIME);
	tsig_ctx_deinit(&srv);
	assert_int_equal(tsig_server_verify(&srv, &p, lookup, NULL,
	    now - 301, TSIG_MAX_FUDGE), HP_EBADTIME);
	tsig_ctx_deinit(&srv);
	assert_int_equal(tsig_server_verify(&srv, &p, lookup, NULL,
	    now + 300, TSIG_MAX_FUDGE), 0);
	tsig_ctx_deinit(&srv);
	/* A smaller fudge than the cap is the request's to choose. */
	tsig_ctx_deinit(&cli);
	tsig_ctx_init(&cli, &k, 10);
	qlen = make_query(q, 10, WIRE_TYPE_AXFR);
	assert_int_equal(tsig_sign(&cli, q, &qlen, sizeof(q), now), 0);
	assert_int_equal(pkt_parse(&p, q, qlen), 0);
	assert_int_equal(tsig_server_verify(&srv, &p, lookup, NULL,
	    now + 11, TSIG_MAX_FUDGE), HP_EBADTIME);
	tsig_ctx_deinit(&srv);
	tsig_ctx_deinit(&cli);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_kat),
		cmocka_unit_test(test_alg_names),
		cmocka_unit_test(test_key_parse),
		cmocka_unit_test(test_roundtrip_all),
		cmocka_unit_test(test_server_errors),
		cmocka_unit_test(test_fudge_cap),
		cmocka_unit_test(test_client_errors),
		cmocka_unit_test(test_unsigned_intermediate),
		cmocka_unit_test(test_knot_cross),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
