/*
 * test_signer.c -- the signer's parts, with known answers from the RFCs:
 * canonical order and form (RFC 4034 6), type bitmaps (RFC 4034 4.3),
 * NSEC3 hashes (RFC 5155 Appendix A), key tags and DS digests (RFC 4509,
 * 6605, 8080), signatures (RFC 6605 and RFC 8080 examples; ours checked
 * by libdnssec), the policy statements, key state text, the keystore's
 * files and refusals, CDS selection and the rollover state machine.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "signer_help.h"
#include "signer/cds.h"
#include "signer/keys.h"
#include "signer/keystore.h"
#include "signer/nsec.h"
#include "signer/nsec3.h"
#include "signer/policy.h"
#include "signer/rollover.h"
#include "unit_tmp.h"

/* ---- canonical forms ---- */

static void
test_canon_order(void **state)
{
	/* RFC 4034 6.1, in order */
	static const char *names[] = {
		"example.", "a.example.", "yljkjljk.a.example.",
		"Z.a.example.", "zABC.a.EXAMPLE.", "z.example.",
		"\\001.z.example.", "*.z.example.", "\\200.z.example.",
	};
	uint8_t w[2][DNAME_MAXLEN], k[2][CANON_KEY_MAX];
	size_t i, j, kl[2];

	(void)state;
	for (i = 0; i < 9; i++)
		for (j = 0; j < 9; j++) {
			assert_int_equal(h_name(names[i], w[0]), 0);
			assert_int_equal(h_name(names[j], w[1]), 0);
			kl[0] = canon_key(w[0], k[0]);
			kl[1] = canon_key(w[1], k[1]);
			int c = canon_cmp(k[0], kl[0], k[1], kl[1]);
			int d = dname_canon_cmp(w[0], w[1]);

			assert_true(i < j ? c < 0 : i > j ? c > 0 : c == 0);
			assert_true((c < 0) == (d < 0) && (c > 0) == (d > 0));
		}
	/* a zero octet in a label sorts before the end of a longer label */
	assert_int_equal(h_name("a\\000b.example.", w[0]), 0);
	assert_int_equal(h_name("a.example.", w[1]), 0);
	kl[0] = canon_key(w[0], k[0]);
	kl[1] = canon_key(w[1], k[1]);
	assert_true(canon_cmp(k[1], kl[1], k[0], kl[0]) < 0);
	assert_true(dname_canon_cmp(w[1], w[0]) < 0);
}

static void
test_canon_rdata(void **state)
{
	uint8_t mx[64], out[64], nsec[64], bad[3] = { 0, 10, 5 };
	size_t len;

	(void)state;
	/* MX 10 Mail.Example. -> names lowercased, preference kept */
	mx[0] = 0;
	mx[1] = 10;
	assert_int_equal(h_name("Mail.Example.", mx + 2), 0);
	len = 2 + (size_t)dname_wire_len(mx + 2, DNAME_MAXLEN);
	assert_int_equal(canon_rdata(15, mx, len, out), 0);
	assert_memory_equal(out + 2, "\004mail\007example", 13);
	assert_int_equal(out[1], 10);
	/* NSEC's next name is not lowercased (RFC 6840 5.1) */
	assert_int_equal(h_name("Host.Example.", nsec), 0);
	len = (size_t)dname_wire_len(nsec, DNAME_MAXLEN);
	assert_int_equal(canon_rdata(47, nsec, len, out), 0);
	assert_memory_equal(out, nsec, len);
	/* TXT is never touched, even when it looks like a name */
	assert_int_equal(canon_rdata(16, (const uint8_t *)"\003ABC", 4, out),
	    0);
	assert_memory_equal(out, "\003ABC", 4);
	/* an MX whose name runs past the rdata */
	assert_int_equal(canon_rdata(15, bad, 3, out), HP_EMALF);
	assert_true(canon_rdata_has_names(6) && !canon_rdata_has_names(1));
}

/* ---- NSEC and NSEC3 ---- */

static void
test_nsec_bitmap(void **state)
{
	/* RFC 4034 4.3: host.example.com. A MX RRSIG NSEC TYPE1234 */
	static const uint8_t want[] = {
		0x04, 'h', 'o', 's', 't', 0x07, 'e', 'x', 'a', 'm', 'p', 'l',
		'e', 0x03, 'c', 'o', 'm', 0x00,
		0x00, 0x06, 0x40, 0x01, 0x00, 0x00, 0x00, 0x03,
		0x04, 0x1b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20,
	};
	uint8_t next[DNAME_MAXLEN], rd[DNAME_MAXLEN + NSEC_BITMAP_MAX];
	struct nsec_types t, back;
	const uint8_t *np;
	size_t len;

	(void)state;
	nsec_types_clear(&t);
	assert_int_equal(nsec_types_add(&t, 1234), 0);
	assert_int_equal(nsec_types_add(&t, 47), 0);
	assert_int_equal(nsec_types_add(&t, 1), 0);
	assert_int_equal(nsec_types_add(&t, 46), 0);
	assert_int_equal(nsec_types_add(&t, 15), 0);
	assert_int_equal(nsec_types_add(&t, 15), 0);	/* no duplicate */
	assert_int_equal(t.n, 5);
	assert_int_equal(h_name("host.example.com.", next), 0);
	len = nsec_rdata(next, &t, rd);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(rd, want, sizeof(want));
	assert_int_equal(nsec_rdata_parse(rd, len, &np, &back), 0);
	assert_true(nsec_types_equal(&t, &back));
	assert_true(dname_equal(np, next));
	/* windows out of order, a zero-length window: malformed */
	static const uint8_t bad1[] = { 1, 1, 0x80, 0, 1, 0x80 };
	static const uint8_t bad2[] = { 0, 0 };
	assert_int_equal(nsec_bitmap_parse(bad1, sizeof(bad1), &back),
	    HP_EMALF);
	assert_int_equal(nsec_bitmap_parse(bad2, sizeof(bad2), &back),
	    HP_EMALF);
	/* the empty set: no octets */
	nsec_types_clear(&t);
	assert_int_equal(nsec_bitmap(&t, rd), 0);
}

static void
test_nsec3_hash(void **state)
{
	/* RFC 5155 Appendix A: salt aabbccdd, 12 iterations */
	static const char *tab[][2] = {
		{ "example.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom" },
		{ "a.example.", "35mthgpgcu1qg68fab165klnsnk3dpvl" },
		{ "ai.example.", "gjeqe526plbf1g8mklp59enfd789njgi" },
		{ "ns1.example.", "2t7b4g4vsa5smi47k61mv5bv1a22bojr" },
		{ "ns2.example.", "q04jkcevqvmu85r014c7dkba38o0ji5r" },
		{ "w.example.", "k8udemvp1j2f7eg6jebps17vp3n8i58h" },
		{ "*.w.example.", "r53bq7cc2uvmubfu5ocmm6pers9tk9en" },
		{ "x.w.example.", "b4um86eghhds6nea196smvmlo4ors995" },
		{ "y.w.example.", "ji6neoaepv8b5o6k4ev33abha8ht9fgc" },
		{ "x.y.w.example.", "2vptu5timamqttgl4luu9kg21e0aor3s" },
		{ "xx.example.", "t644ebqk9bibcna874givr6joj62mlhv" },
		{ "XX.Example.", "t644ebqk9bibcna874givr6joj62mlhv" },
	};
	struct nsec3_params p = { .algorithm = 1, .iterations = 12,
	    .salt_len = 4, .salt = { 0xaa, 0xbb, 0xcc, 0xdd } };
	uint8_t name[DNAME_MAXLEN], h[NSEC3_HASH_LEN], back[NSEC3_HASH_LEN];
	uint8_t apex[DNAME_MAXLEN], owner[DNAME_MAXLEN];
	char b32[NSEC3_B32_LEN + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		assert_int_equal(h_name(tab[i][0], name), 0);
		assert_int_equal(nsec3_hash(&p, name, h), 0);
		assert_int_equal(nsec3_b32hex(h, sizeof(h), b32),
		    NSEC3_B32_LEN);
		b32[NSEC3_B32_LEN] = '\0';
		assert_string_equal(b32, tab[i][1]);
		assert_int_equal(nsec3_b32hex_decode(b32, NSEC3_B32_LEN, back,
		    sizeof(back)), NSEC3_HASH_LEN);
		assert_memory_equal(back, h, NSEC3_HASH_LEN);
	}
	/* the owner: one label under the apex, the hash read back */
	assert_int_equal(h_name("Example.", apex), 0);
	assert_int_equal(nsec3_owner(h, apex, owner), 0);
	assert_memory_equal(owner + 1, "t644ebqk", 8);
	assert_memory_equal(owner + 33, "\007example", 8);
	assert_int_equal(nsec3_owner_hash(owner, back), 0);
	assert_memory_equal(back, h, NSEC3_HASH_LEN);
	assert_int_equal(nsec3_b32hex_decode("0w", 2, back, sizeof(back)),
	    HP_EMALF);
	/* NSEC3 rdata round trip; NSEC3PARAM of the RFC 9276 defaults */
	struct nsec_types t, t2;
	struct nsec3_params p2 = { 0 }, p0 = { .algorithm = 1 };
	uint8_t rd[512], nx[NSEC3_HASH_LEN];
	size_t len;

	nsec_types_clear(&t);
	nsec_types_add(&t, 1);
	nsec_types_add(&t, 46);
	len = nsec3_rdata(&p, h, &t, rd);
	assert_int_equal(nsec3_rdata_parse(rd, len, &p2, nx, &t2), 0);
	assert_true(nsec3_params_equal(&p, &p2));
	assert_memory_equal(nx, h, NSEC3_HASH_LEN);
	assert_true(nsec_types_equal(&t, &t2));
	assert_int_equal(nsec3param_rdata(&p0, rd), 5);
	assert_memory_equal(rd, "\001\000\000\000\000", 5);
}

/* ---- keys ---- */

/* A key state holding the public key of DNSKEY rdata text. */
static void
state_from(struct keys_state *k, uint8_t alg, uint8_t role, const char *b64)
{
	int n;

	memset(k, 0, sizeof(*k));
	k->algorithm = alg;
	k->role = role;
	n = h_b64(b64, k->pubkey, sizeof(k->pubkey));
	assert_true(n > 0);
	k->publen = (uint16_t)n;
}

static void
hex_of(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02X", p[i]);
}

static void
test_keytag_ds(void **state)
{
	static const struct {
		const char *owner;
		uint8_t alg, role;
		const char *pub;
		uint16_t tag;
		const char *ds;
	} tab[] = {
		/* RFC 4509 2.3 */
		{ "dskey.example.com.", 5, KEYS_ZSK,
		    "AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ"
		    "5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMb"
		    "CVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljw"
		    "vFw==", 60485,
		    "D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E446"
		    "9DA50A" },
		/* RFC 6605 6.1 */
		{ "example.net.", 13, KEYS_CSK,
		    "GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbc"
		    "B7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==", 55648,
		    "B4C8C1FE2E7477127B27115656AD6256F424625BF5C1E2770CE6D6E37D"
		    "F61D17" },
		/* RFC 8080 6.1 */
		{ "example.com.", 15, KEYS_CSK,
		    "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=", 3613,
		    "3AA5AB37EFCE57F737FC1627013FEE07BDF241BD10F3B1964AB55C78E7"
		    "9A304B" },
	};
	uint8_t rd[KEYS_DNSKEY_MAX], ds[KEYS_DS_MAX], apex[DNAME_MAXLEN];
	struct keys_state k;
	char hex[2 * KEYS_DS_MAX + 1], id[KEYS_ID_LEN + 1];
	uint16_t tag;
	size_t i, len;
	int n;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		state_from(&k, tab[i].alg, tab[i].role, tab[i].pub);
		len = keys_dnskey_rdata(&k, rd);
		assert_int_equal(rd[0] << 8 | rd[1],
		    tab[i].role & KEYS_KSK ? 257 : 256);
		assert_int_equal(keys_tag(rd, len, &tag), 0);
		assert_int_equal(tag, tab[i].tag);
		k.keytag = tag;
		assert_int_equal(h_name(tab[i].owner, apex), 0);
		n = keys_ds_rdata(&k, apex, KEYS_DIGEST_SHA256, ds);
		assert_int_equal(n, 4 + 32);
		assert_int_equal(ds[0] << 8 | ds[1], tab[i].tag);
		assert_int_equal(ds[2], tab[i].alg);
		assert_int_equal(ds[3], 2);
		hex_of(ds + 4, 32, hex);
		assert_string_equal(hex, tab[i].ds);
		assert_int_equal(keys_id(rd, len, id), 0);
		assert_int_equal(strlen(id), KEYS_ID_LEN);
	}
	assert_int_equal(keys_ds_rdata(&k, apex, 1, ds), HP_ENOTSUP);
}

static void
test_keys_state_text(void **state)
{
	struct keys_state k, back;
	char line[KEYS_STATE_TEXT];
	uint8_t rd[KEYS_DNSKEY_MAX];

	(void)state;
	state_from(&k, 13, KEYS_KSK, "GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7b"
	    "R6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==");
	assert_int_equal(keys_tag(rd, keys_dnskey_rdata(&k, rd), &k.keytag),
	    0);
	assert_int_equal(keys_id(rd, keys_dnskey_rdata(&k, rd), k.id), 0);
	k.created = 1700000000;
	k.publish = 1700000001;
	k.active = 1700000002;
	k.ready = 1700000003;
	k.ds_seen = 1700000004;
	k.retire = 1700000005;
	k.resigned = 1700000006;
	k.remove = 1700000007;
	k.step = 1700000008;
	k.seen = 1700000009;
	assert_int_equal(keys_state_format(&k, line, sizeof(line)), 0);
	assert_non_null(strstr(line, "tag=55648 alg=13 role=KSK"));
	assert_int_equal(keys_state_parse(line, &back), 0);
	assert_memory_equal(&k, &back, sizeof(k));
	assert_int_equal(keys_state_format(&k, line, 40), HP_ESPACE);
	/* a tag that does not match the public key is refused */
	assert_int_equal(keys_state_format(&k, line, sizeof(line)), 0);
	memcpy(strstr(line, "tag=55648"), "tag=55649", 9);
	assert_int_equal(keys_state_parse(line, &back), HP_EPARSE);
	assert_int_equal(keys_state_parse("id=zz tag=1", &back), HP_EPARSE);
	assert_int_equal(keys_state_parse("garbage", &back), HP_EPARSE);
}

/* ---- signatures ---- */

/* The rdata of RRSIG text from an RFC example. */
static size_t
rrsig_from(const char *owner, const char *text, uint8_t *out)
{
	struct sign_rrs l;
	char zone[1024];
	size_t len;

	sign_rrs_init(&l);
	snprintf(zone, sizeof(zone), "%s 3600 IN RRSIG %s\n", owner, text);
	assert_int_equal(h_zone(".", zone, &l), 0);
	assert_int_equal(l.n, 1);
	len = l.rr[0].rdlen;
	memcpy(out, l.rr[0].rdata, len);
	sign_rrs_free(&l);
	return len;
}

static void
test_rfc_signatures(void **state)
{
	struct sign_rrs set;
	struct keys_state k;
	struct sign_rr sig;
	uint8_t rd[KEYS_DNSKEY_MAX], srd[512];
	const struct sign_rr *p[1];

	(void)state;
	/* RFC 6605 6.1: their signature verifies over our signed data */
	sign_rrs_init(&set);
	assert_int_equal(h_zone("example.net.", "www 3600 IN A 192.0.2.1\n",
	    &set), 0);
	state_from(&k, 13, KEYS_CSK, "GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7b"
	    "R6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==");
	sig.owner = set.rr[0].owner;
	sig.type = SIGN_T_RRSIG;
	sig.rclass = 1;
	sig.ttl = 3600;
	sig.rdata = srd;
	sig.rdlen = (uint16_t)rrsig_from("www.example.net.", "A 13 3 3600 "
	    "20100909100439 20100812100439 55648 example.net. qx6wLYqmh+l9oC"
	    "KTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7Zwmw"
	    "Wep666VCw==", srd);
	p[0] = &set.rr[0];
	assert_true(h_verify(&sig, p, 1, rd, keys_dnskey_rdata(&k, rd)));
	/* one bit off in the data: no longer */
	((uint8_t *)set.rr[0].rdata)[3] ^= 1;
	assert_false(h_verify(&sig, p, 1, rd, keys_dnskey_rdata(&k, rd)));
	sign_rrs_free(&set);
}

/* RFC 8080 6.1: Ed25519 is deterministic, so we must produce exactly
 * the RFC's RRSIG from its private key. */
static void
test_rfc8080_exact(void **state)
{
	uint8_t priv[32], want[512], apex[DNAME_MAXLEN];
	struct rrsig_buf b;
	struct rrsig_signer s;
	struct keys_state k;
	struct keys_key *key;
	struct sign_rrs set, out;
	const struct sign_rr *p[1];
	uint8_t pub[KEYS_PUB_MAX];
	uint16_t publen;
	EVP_PKEY *pk;
	BIO *bio;
	char *pem;
	long pemlen;
	size_t wlen;

	(void)state;
	assert_int_equal(h_b64("ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNjI=",
	    priv, sizeof(priv)), 32);
	pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, priv, 32);
	assert_non_null(pk);
	bio = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL,
	    NULL), 1);
	pemlen = BIO_get_mem_data(bio, &pem);
	assert_int_equal(keys_key_from_pem(SIGN_ALG_ED25519, pem,
	    (size_t)pemlen, &key, pub, &publen), 0);
	BIO_free(bio);
	EVP_PKEY_free(pk);
	state_from(&k, 15, KEYS_CSK,
	    "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=");
	assert_int_equal(publen, k.publen);
	assert_memory_equal(pub, k.pubkey, publen);
	k.keytag = 3613;
	/* the RFC's MX, with a name in upper case: canonical form applies */
	sign_rrs_init(&set);
	sign_rrs_init(&out);
	assert_int_equal(h_zone("example.com.", "@ 3600 IN MX 10 MAIL\n",
	    &set), 0);
	assert_int_equal(h_name("example.com.", apex), 0);
	memset(&b, 0, sizeof(b));
	s.st = &k;
	s.key = key;
	p[0] = &set.rr[0];
	assert_int_equal(rrsig_sign(&b, &s, 1, apex, p, 1, 1438207200u,
	    1440021600u, &out), 0);
	wlen = rrsig_from("example.com.", "MX 15 2 3600 1440021600 1438207200 "
	    "3613 example.com. oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAv"
	    "TdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg==", want);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.rr[0].rdlen, wlen);
	assert_memory_equal(out.rr[0].rdata, want, wlen);
	assert_int_equal(out.rr[0].ttl, 3600);
	rrsig_buf_free(&b);
	keys_key_free(key);
	sign_rrs_free(&set);
	sign_rrs_free(&out);
}

/* Our own keys, each algorithm: libdnssec verifies; the RRset's order,
 * case and duplicates do not change what is signed. */
static void
test_sign_verify(void **state)
{
	static const uint8_t algs[] = { SIGN_ALG_ECDSAP256SHA256,
	    SIGN_ALG_ED25519, SIGN_ALG_RSASHA256 };
	uint8_t rd[KEYS_DNSKEY_MAX], apex[DNAME_MAXLEN];
	struct sign_rrs a, b, out;
	struct rrsig_buf buf;
	struct rrsig_signer s;
	struct keys_state k;
	struct keys_key *key;
	struct rrsig_info ri;
	const struct sign_rr *pa[3], *pb[4];
	size_t i, klen;

	(void)state;
	sign_rrs_init(&a);
	sign_rrs_init(&b);
	assert_int_equal(h_zone("example.org.", "www 300 NS ns1\nwww 300 NS "
	    "ns2\nwww 300 NS ns3\n", &a), 0);
	assert_int_equal(h_zone("example.org.", "www 300 NS NS3\nwww 300 NS "
	    "ns1\nwww 300 NS ns2\nwww 300 NS Ns1\n", &b), 0);
	assert_int_equal(h_name("example.org.", apex), 0);
	for (i = 0; i < 3; i++)
		pa[i] = &a.rr[i];
	for (i = 0; i < 4; i++)
		pb[i] = &b.rr[i];
	memset(&buf, 0, sizeof(buf));
	for (i = 0; i < sizeof(algs); i++) {
		memset(&k, 0, sizeof(k));
		k.algorithm = algs[i];
		k.role = KEYS_ZSK;
		assert_int_equal(keys_key_generate(algs[i], &key, k.pubkey,
		    &k.publen), 0);
		klen = keys_dnskey_rdata(&k, rd);
		assert_int_equal(keys_tag(rd, klen, &k.keytag), 0);
		s.st = &k;
		s.key = key;
		sign_rrs_init(&out);
		assert_int_equal(rrsig_sign(&buf, &s, 1, apex, pa, 3, 1000,
		    2000, &out), 0);
		assert_int_equal(rrsig_parse(out.rr[0].rdata, out.rr[0].rdlen,
		    &ri), 0);
		assert_int_equal(ri.covered, 2);
		assert_int_equal(ri.labels, 3);
		assert_int_equal(ri.keytag, k.keytag);
		assert_int_equal(ri.inception, 1000);
		assert_int_equal(ri.expiration, 2000);
		assert_true(h_verify(&out.rr[0], pa, 3, rd, klen));
		assert_true(h_verify(&out.rr[0], pb, 4, rd, klen));
		/* a different RRset does not verify */
		assert_false(h_verify(&out.rr[0], pa, 2, rd, klen));
		keys_key_free(key);
		sign_rrs_free(&out);
	}
	/* a wildcard's labels do not count the "*" (RFC 4034 3.1.3) */
	assert_int_equal(h_name("*.a.example.org.", rd), 0);
	assert_int_equal(rrsig_labels(rd), 3);
	rrsig_buf_free(&buf);
	sign_rrs_free(&a);
	sign_rrs_free(&b);
}

/* ---- policy ---- */

static void
test_policy(void **state)
{
	struct sign_policy p;
	char err[256];
	uint32_t d;

	(void)state;
	sign_policy_init(&p, "p1");
	assert_int_equal(p.algorithm, 13);
	assert_int_equal(p.single_type, 1);
	assert_int_equal(p.nsec3, 0);
	assert_int_equal(p.nsec3_iterations, 0);
	assert_int_equal(p.nsec3_salt_len, 0);
	assert_int_equal(sign_policy_check(&p, err, sizeof(err)), 0);
	assert_int_equal(sign_policy_set(&p, "algorithm", "foo", err,
	    sizeof(err)), HP_ECONF);
	assert_non_null(strstr(err, "unknown algorithm 'foo'"));
	assert_int_equal(sign_policy_set(&p, "algorithm", "ED25519", err,
	    sizeof(err)), 0);
	assert_int_equal(p.algorithm, 15);
	assert_int_equal(sign_policy_set(&p, "algorithm", "8", err,
	    sizeof(err)), 0);
	assert_int_equal(p.algorithm, 8);
	assert_int_equal(sign_policy_set(&p, "algorithm", "5", err,
	    sizeof(err)), HP_ECONF);
	assert_int_equal(sign_policy_set(&p, "single-type-signing", "no", err,
	    sizeof(err)), 0);
	assert_int_equal(p.single_type, 0);
	assert_int_equal(sign_policy_set(&p, "nsec3", "maybe", err,
	    sizeof(err)), HP_ECONF);
	assert_int_equal(sign_policy_set(&p, "nsec3", "yes", err, sizeof(err)),
	    0);
	assert_int_equal(sign_policy_set(&p, "nsec3-salt", "AABBccdd", err,
	    sizeof(err)), 0);
	assert_int_equal(p.nsec3_salt_len, 4);
	assert_int_equal(p.nsec3_salt[3], 0xdd);
	assert_int_equal(sign_policy_set(&p, "nsec3-salt", "abc", err,
	    sizeof(err)), HP_ECONF);
	assert_int_equal(sign_policy_set(&p, "nsec3-salt", "-", err,
	    sizeof(err)), 0);
	assert_int_equal(p.nsec3_salt_len, 0);
	assert_int_equal(sign_policy_set(&p, "nsec3-iterations", "151", err,
	    sizeof(err)), HP_ECONF);
	assert_int_equal(sign_policy_set(&p, "rrsig-lifetime", "3w", err,
	    sizeof(err)), 0);
	assert_int_equal(p.rrsig_lifetime, 21 * 86400);
	assert_int_equal(sign_policy_set(&p, "rrsig-refresh", "2x", err,
	    sizeof(err)), HP_ECONF);
	assert_non_null(strstr(err, "rrsig-refresh"));
	assert_int_equal(sign_policy_set(&p, "cds-cdnskey-publish", "always",
	    err, sizeof(err)), 0);
	assert_int_equal(p.cds_publish, SIGN_CDS_ALWAYS);
	assert_int_equal(sign_policy_set(&p, "no-such", "1", err,
	    sizeof(err)), HP_ENOENT);
	/* consistency */
	sign_policy_init(&p, "p2");
	p.rrsig_refresh = p.rrsig_lifetime;
	assert_int_equal(sign_policy_check(&p, err, sizeof(err)), HP_ECONF);
	sign_policy_init(&p, "p3");
	p.zone_max_ttl = p.rrsig_refresh;
	assert_int_equal(sign_policy_check(&p, err, sizeof(err)), HP_ECONF);
	assert_non_null(strstr(err, "zone-max-ttl"));
	/* durations */
	assert_int_equal(sign_duration_parse("90m", &d), 0);
	assert_int_equal(d, 5400);
	assert_int_equal(sign_duration_parse("7", &d), 0);
	assert_int_equal(d, 7);
	assert_int_equal(sign_duration_parse("1d2h", &d), HP_EPARSE);
	assert_int_equal(sign_duration_parse("h", &d), HP_EPARSE);
	assert_int_equal(sign_duration_parse("99999999999", &d), HP_EPARSE);
	assert_int_equal(sign_alg_from_name("ECDSAP256SHA256"), 13);
	assert_string_equal(sign_alg_name(15), "ed25519");
	assert_null(sign_alg_name(5));
}

/* ---- keystore ---- */

static char ksdir[64];

static void
rmdir_all(const char *dir)
{
	assert_int_equal(unit_rmtree(dir), 0);
}

static void
test_keystore(void **state)
{
	struct keys_store *ks;
	struct keys_state st, st2, bad;
	struct keys_key *k, *k2;
	struct stat sb;
	char err[512], path[256], path2[256];
	uint16_t avoid[1];
	int fd;

	(void)state;
	snprintf(ksdir, sizeof(ksdir), "/tmp/test-keystore.XXXXXX");
	assert_non_null(mkdtemp(ksdir));
	rmdir(ksdir);
	/* missing, not created: a clear error */
	assert_true(keys_store_open(ksdir, 0, &ks, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "cannot open"));
	assert_non_null(strstr(err, ksdir));
	assert_int_equal(keys_store_open(ksdir, 1, &ks, err, sizeof(err)), 0);
	assert_int_equal(stat(ksdir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(keys_store_generate(ks, 13, KEYS_CSK, NULL, 0, 1000,
	    &st, &k, err, sizeof(err)), 0);
	assert_int_equal(st.created, 1000);
	assert_int_equal(st.role, KEYS_CSK);
	snprintf(path, sizeof(path), "%s/%s.pem", ksdir, st.id);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(keys_store_load(ks, &st, &k2, err, sizeof(err)), 0);
	keys_key_free(k2);
	/* a second key avoids the first one's tag */
	avoid[0] = st.keytag;
	assert_int_equal(keys_store_generate(ks, 15, KEYS_ZSK, avoid, 1, 1000,
	    &st2, NULL, err, sizeof(err)), 0);
	assert_int_not_equal(st2.keytag, st.keytag);
	/* too open */
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(keys_store_load(ks, &st, &k2, err, sizeof(err)),
	    HP_EACCES);
	assert_non_null(strstr(err, "0640"));
	assert_null(strstr(err, "PRIVATE"));
	assert_int_equal(chmod(path, 0600), 0);
	/* a symbolic link is refused even to a good key */
	snprintf(path2, sizeof(path2), "%s/%s.pem", ksdir, st2.id);
	assert_int_equal(unlink(path2), 0);
	assert_int_equal(symlink(path, path2), 0);
	assert_true(keys_store_load(ks, &st2, &k2, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "symbolic link"));
	assert_int_equal(unlink(path2), 0);
	/* another key's file in place of this one's: mismatch */
	bad = st;
	bad.pubkey[5] ^= 1;
	assert_int_equal(keys_store_load(ks, &bad, &k2, err, sizeof(err)),
	    HP_EINVALID);
	assert_non_null(strstr(err, "does not match"));
	/* a key file of the wrong algorithm */
	bad = st;
	bad.algorithm = 15;
	assert_int_equal(keys_store_load(ks, &bad, &k2, err, sizeof(err)),
	    HP_EINVALID);
	/* garbage in a key file */
	snprintf(path2, sizeof(path2), "%s/%s.pem", ksdir, st2.id);
	fd = open(path2, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello\n", 6), 6);
	close(fd);
	assert_int_equal(keys_store_load(ks, &st2, &k2, err, sizeof(err)),
	    HP_EINVALID);
	assert_non_null(strstr(err, "is not a ed25519 private key"));
	/* a missing key file */
	assert_int_equal(keys_store_remove(ks, st2.id, err, sizeof(err)), 0);
	assert_true(keys_store_load(ks, &st2, &k2, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "No such file"));
	keys_key_free(k);
	keys_store_close(ks);
	/* a directory writable by others is refused */
	assert_int_equal(chmod(ksdir, 0777), 0);
	assert_true(keys_store_open(ksdir, 0, &ks, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "writable by others"));
	/* a file where the directory should be */
	snprintf(path2, sizeof(path2), "%s/file", ksdir);
	fd = open(path2, O_WRONLY | O_CREAT, 0600);
	close(fd);
	assert_int_equal(keys_store_open(path2, 0, &ks, err, sizeof(err)),
	    -ENOTDIR);
	rmdir_all(ksdir);
}

/* ---- CDS and rollover ---- */

static struct keys_state
key_at(uint8_t role, int64_t created, uint16_t tag)
{
	struct keys_state k;

	memset(&k, 0, sizeof(k));
	k.algorithm = 13;
	k.role = role;
	k.created = created;
	k.keytag = tag;
	k.publen = 64;
	return k;
}

static void
test_cds_wanted(void **state)
{
	struct sign_policy p;
	struct keys_state k[2];

	(void)state;
	sign_policy_init(&p, NULL);
	k[0] = key_at(KEYS_CSK, 10, 1);
	k[0].publish = k[0].active = 10;
	k[1] = key_at(KEYS_CSK, 20, 2);
	assert_false(cds_wanted(k, 1, 0, &p, 100));	/* not ready */
	k[0].ready = 50;
	assert_true(cds_wanted(k, 1, 0, &p, 100));
	assert_false(cds_wanted(k, 1, 0, &p, 40));	/* not yet */
	k[0].ds_seen = 60;
	assert_false(cds_wanted(k, 1, 0, &p, 100));	/* rollover: done */
	p.cds_publish = SIGN_CDS_ALWAYS;
	assert_true(cds_wanted(k, 1, 0, &p, 100));
	/* a newer ready key supersedes it */
	k[1].publish = k[1].active = 70;
	assert_true(cds_wanted(k, 2, 0, &p, 100));
	k[1].ready = 90;
	assert_false(cds_wanted(k, 2, 0, &p, 100));
	assert_true(cds_wanted(k, 2, 1, &p, 100));
	p.cds_publish = SIGN_CDS_NONE;
	assert_false(cds_wanted(k, 2, 1, &p, 100));
	/* a ZSK never */
	k[0] = key_at(KEYS_ZSK, 10, 1);
	k[0].publish = k[0].ready = 10;
	p.cds_publish = SIGN_CDS_ALWAYS;
	assert_false(cds_wanted(k, 1, 0, &p, 100));
}

/* Drive roll_next/roll_apply; the generated keys come from key_at. */
static struct roll_action
step(struct keys_state *k, size_t *n, const struct sign_policy *p,
    int64_t now, const size_t *left)
{
	struct roll_input in = { .now = now, .sigs_left = left };
	struct roll_action a;

	assert_int_equal(roll_next(k, *n, p, &in, &a), 0);
	if (a.kind == ROLL_GENERATE && a.when <= now) {
		k[*n] = key_at(a.role, now, (uint16_t)(100 + *n));
		a.key = (int)(*n)++;
	}
	if (a.kind != ROLL_NONE && a.kind < ROLL_WAIT_PROPAGATION &&
	    a.when <= now)
		assert_int_equal(roll_apply(k, *n, &a, now), 0);
	return a;
}

static void
test_rollover_csk(void **state)
{
	struct sign_policy p;
	struct keys_state k[8];
	struct roll_action a;
	size_t n = 0;
	int64_t t = 1000000, ipub;

	(void)state;
	sign_policy_init(&p, NULL);
	p.ksk_lifetime = 100 * 86400;
	ipub = p.dnskey_ttl + p.propagation_delay;
	/* the first key: published and signing at once */
	a = step(k, &n, &p, t, NULL);
	assert_int_equal(a.kind, ROLL_GENERATE);
	assert_int_equal(a.role, KEYS_CSK);
	assert_int_equal(n, 1);
	assert_int_equal(k[0].publish, t);
	assert_int_equal(k[0].active, t);
	/* not ready before the secondaries serve it */
	a = step(k, &n, &p, t + 10 * 86400, NULL);
	assert_int_equal(a.kind, ROLL_WAIT_PROPAGATION);
	roll_confirm(k, n, t, t + 60);
	a = step(k, &n, &p, t + 61, NULL);
	assert_int_equal(a.kind, ROLL_READY);
	assert_int_equal(a.when, t + 60 + ipub);
	assert_int_equal(k[0].ready, 0);
	a = step(k, &n, &p, t + 60 + ipub, NULL);
	assert_int_equal(k[0].ready, t + 60 + ipub);
	/* then the DS is awaited */
	a = step(k, &n, &p, t + 2 * 86400, NULL);
	assert_int_equal(a.kind, ROLL_WAIT_DS);
	assert_int_equal(a.key, 0);
	roll_ds_seen(&k[0], t + 3 * 86400);
	/* the lifetime ends: a new CSK, published and signing */
	a = step(k, &n, &p, t + 4 * 86400, NULL);
	assert_int_equal(a.kind, ROLL_GENERATE);
	assert_int_equal(a.when, t + 100 * 86400);
	t += 100 * 86400;
	a = step(k, &n, &p, t, NULL);
	assert_int_equal(a.kind, ROLL_GENERATE);
	assert_int_equal(n, 2);
	assert_int_equal(k[1].active, t);
	assert_true(keys_signs_zone(&k[0], t) && keys_signs_zone(&k[1], t));
	roll_confirm(k, n, t, t + 30);
	a = step(k, &n, &p, t + 31, NULL);
	assert_int_equal(a.kind, ROLL_READY);
	assert_int_equal(a.key, 1);
	a = step(k, &n, &p, t + 30 + ipub, NULL);
	a = step(k, &n, &p, t + 30 + ipub + 1, NULL);
	assert_int_equal(a.kind, ROLL_WAIT_DS);
	assert_int_equal(a.key, 1);
	/* DS seen: the old key leaves after the parent's DS TTL */
	roll_ds_seen(&k[1], t + 86400);
	a = step(k, &n, &p, t + 86400 + 1, NULL);
	assert_int_equal(a.kind, ROLL_REMOVE);
	assert_int_equal(a.key, 0);
	assert_int_equal(a.when, t + 86400 + p.parent_ds_ttl +
	    p.propagation_delay);
	t = a.when;
	a = step(k, &n, &p, t, NULL);
	assert_int_equal(k[0].remove, t);
	assert_false(keys_published(&k[0], t));
	assert_true(keys_signs_zone(&k[1], t));
	/* purge once the removal is out and cached DNSKEYs expired */
	a = step(k, &n, &p, t + 1, NULL);
	assert_int_equal(a.kind, ROLL_WAIT_PROPAGATION);
	roll_confirm(k, n, t, t + 5);
	a = step(k, &n, &p, t + 6, NULL);
	assert_int_equal(a.kind, ROLL_PURGE);
	assert_int_equal(a.key, 0);
	assert_int_equal(a.when, t + 5 + ipub);
}

static void
test_rollover_zsk(void **state)
{
	struct sign_policy p;
	struct keys_state k[8];
	struct roll_action a;
	size_t n = 0, left[8] = { 0 };
	int64_t t = 2000000, ipub;

	(void)state;
	sign_policy_init(&p, NULL);
	p.single_type = 0;
	ipub = p.dnskey_ttl + p.propagation_delay;
	/* KSK then ZSK, both signing */
	a = step(k, &n, &p, t, NULL);
	assert_int_equal(a.role, KEYS_KSK);
	a = step(k, &n, &p, t, NULL);
	assert_int_equal(a.role, KEYS_ZSK);
	assert_int_equal(n, 2);
	assert_int_equal(k[1].active, t);
	assert_true(keys_signs_dnskey(&k[0], t) && !keys_signs_zone(&k[0], t));
	assert_true(keys_signs_zone(&k[1], t) && !keys_signs_dnskey(&k[1], t));
	roll_confirm(k, n, t, t + 1);
	step(k, &n, &p, t + 1 + ipub, NULL);		/* KSK ready */
	roll_ds_seen(&k[0], t + 2 * ipub);
	/* the ZSK's successor is pre-published ahead of its lifetime end */
	a = step(k, &n, &p, t + 2 * ipub, NULL);
	assert_int_equal(a.kind, ROLL_GENERATE);
	assert_int_equal(a.role, KEYS_ZSK);
	assert_int_equal(a.when, t + p.zsk_lifetime - ipub);
	t += p.zsk_lifetime - ipub;
	a = step(k, &n, &p, t, NULL);
	assert_int_equal(n, 3);
	assert_int_equal(k[2].publish, t);
	assert_int_equal(k[2].active, 0);		/* published only */
	assert_true(keys_published(&k[2], t) && !keys_signs_zone(&k[2], t));
	a = step(k, &n, &p, t + 10, NULL);
	assert_int_equal(a.kind, ROLL_WAIT_PROPAGATION);
	roll_confirm(k, n, t, t + 20);
	a = step(k, &n, &p, t + 21, NULL);
	assert_int_equal(a.kind, ROLL_ACTIVATE);
	assert_int_equal(a.key, 2);
	assert_int_equal(a.other, 1);
	assert_int_equal(a.when, t + 20 + ipub);
	t += 20 + ipub;
	a = step(k, &n, &p, t, NULL);
	assert_true(keys_signs_zone(&k[2], t));
	assert_false(keys_signs_zone(&k[1], t));
	assert_true(keys_published(&k[1], t));
	/* the old ZSK stays while signatures of it remain */
	left[1] = 5;
	a = step(k, &n, &p, t + 100, left);
	assert_int_equal(a.kind, ROLL_WAIT_RESIGN);
	/* and says when the next timed step falls due: the next ZSK */
	assert_int_equal(a.next, k[2].active + p.zsk_lifetime - ipub);
	a = step(k, &n, &p, t + 100, NULL);		/* unknown: wait */
	assert_int_equal(a.kind, ROLL_WAIT_RESIGN);
	left[1] = 0;
	a = step(k, &n, &p, t + 200, left);
	assert_int_equal(a.kind, ROLL_RESIGNED);
	assert_int_equal(k[1].resigned, t + 200);
	roll_confirm(k, n, t + 200, t + 210);
	a = step(k, &n, &p, t + 211, left);
	assert_int_equal(a.kind, ROLL_REMOVE);
	assert_int_equal(a.key, 1);
	assert_int_equal(a.when, t + 210 + p.zone_max_ttl +
	    p.propagation_delay);
	/* an operator's request rolls the ZSK now */
	struct roll_input in = { .now = t + 300, .request = KEYS_ZSK,
	    .sigs_left = left };
	assert_int_equal(roll_next(k, n, &p, &in, &a), 0);
	assert_int_equal(a.kind, ROLL_GENERATE);
	assert_int_equal(a.when, t + 300);
	/* keys of another algorithm: not supported */
	p.algorithm = 15;
	assert_int_equal(roll_next(k, n, &p, &in, &a), HP_ENOTSUP);
	assert_string_equal(roll_kind_name(ROLL_WAIT_DS), "wait-ds");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canon_order),
		cmocka_unit_test(test_canon_rdata),
		cmocka_unit_test(test_nsec_bitmap),
		cmocka_unit_test(test_nsec3_hash),
		cmocka_unit_test(test_keytag_ds),
		cmocka_unit_test(test_keys_state_text),
		cmocka_unit_test(test_rfc_signatures),
		cmocka_unit_test(test_rfc8080_exact),
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_keystore),
		cmocka_unit_test(test_cds_wanted),
		cmocka_unit_test(test_rollover_csk),
		cmocka_unit_test(test_rollover_zsk),
	};

	dnssec_crypto_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
