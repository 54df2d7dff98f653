/*
 * test_signer_zone.c -- the zone signer: what a whole-zone signing makes
 * (delegations, glue, empty non-terminals, wildcards, TTLs, validity),
 * what it refuses, incremental signing checked against whole signing on
 * random changes (the chain must be the same, every RRset signed alike,
 * every signature verified by libdnssec), the size of a small change,
 * refresh in batches, and ZSK and CSK rollovers driven end to end.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "signer_help.h"
#include "dns/wire.h"
#include "signer/keys.h"
#include "signer/nsec.h"
#include "signer/nsec3.h"
#include "signer/policy.h"
#include "signer/rollover.h"
#include "signer/zone.h"
#include "signer/zview.h"

#define NOW	1700000000
#define MAXK	8

struct kset {
	struct keys_state st[MAXK];
	struct keys_key *priv[MAXK];
	size_t n;
};

static void
kset_free(struct kset *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		keys_key_free(k->priv[i]);
	k->n = 0;
}

/* A new key of ROLE published and active from WHEN. */
static size_t
kset_add(struct kset *k, uint8_t alg, uint8_t role, int64_t when)
{
	struct keys_state *s = &k->st[k->n];
	uint8_t rd[KEYS_DNSKEY_MAX];

	memset(s, 0, sizeof(*s));
	s->algorithm = alg;
	s->role = role;
	s->created = s->publish = s->active = when;
	assert_int_equal(keys_key_generate(alg, &k->priv[k->n], s->pubkey,
	    &s->publen), 0);
	assert_int_equal(keys_tag(rd, keys_dnskey_rdata(s, rd), &s->keytag),
	    0);
	return k->n++;
}

static struct sign_keys
keys_of(struct kset *k)
{
	struct sign_keys sk = { .st = k->st, .priv = k->priv, .n = k->n };

	return sk;
}

static struct sign_ctx *
ctx(const char *apex, const struct sign_policy *p, struct kset *k,
    int64_t now)
{
	struct sign_keys sk = keys_of(k);
	uint8_t a[DNAME_MAXLEN];
	struct sign_ctx *c;
	char err[512];

	assert_int_equal(h_name(apex, a), 0);
	if (sign_ctx_new(a, p, &sk, now, &c, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		fail();
	}
	sign_ctx_seed(c, 42);
	return c;
}

/* Sign unsigned Z whole; the signed zone as a view. */
static struct zview_mem *
sign_all(struct sign_ctx *c, const struct sign_rrs *z)
{
	struct sign_result r;
	struct zview_mem *m = zview_mem_new();

	sign_result_init(&r);
	if (sign_zone_full(c, z->rr, z->n, &r) < 0) {
		fprintf(stderr, "%s\n", sign_ctx_error(c));
		fail();
	}
	assert_int_equal(r.removed.n, 0);
	assert_int_equal(zview_mem_add(m, z->rr, z->n), 0);
	assert_int_equal(zview_mem_add(m, r.added.rr, r.added.n), 0);
	sign_result_free(&r);
	return m;
}

static void
dump(const struct zview_mem *m, struct sign_rrs *out)
{
	sign_rrs_init(out);
	assert_int_equal(zview_mem_dump(m, out), 0);
}

static long
check_sigs(const struct zview_mem *m, int64_t now)
{
	struct sign_rrs all;
	long n;

	dump(m, &all);
	n = h_check_sigs(&all, now);
	sign_rrs_free(&all);
	assert_true(n > 0);
	return n;
}

/* The RRs of TYPE at OWNER (text) in the signed zone. */
static size_t
at(const struct zview_mem *m, const char *owner, uint16_t type,
    struct sign_rrs *out)
{
	uint8_t o[DNAME_MAXLEN];
	struct sign_rrs all;
	size_t i;

	sign_rrs_init(out);
	assert_int_equal(h_name(owner, o), 0);
	dump(m, &all);
	for (i = 0; i < all.n; i++)
		if (all.rr[i].type == type && dname_equal(all.rr[i].owner, o))
			sign_rrs_add_rr(out, &all.rr[i]);
	sign_rrs_free(&all);
	return out->n;
}

/* RRSIGs at OWNER covering TYPE, by key TAG (0: any). */
static size_t
sigs_at(const struct zview_mem *m, const char *owner, uint16_t type,
    uint16_t tag)
{
	struct sign_rrs l;
	struct rrsig_info ri;
	size_t i, n = 0;

	at(m, owner, SIGN_T_RRSIG, &l);
	for (i = 0; i < l.n; i++)
		if (rrsig_parse(l.rr[i].rdata, l.rr[i].rdlen, &ri) == 0 &&
		    ri.covered == type && (tag == 0 || ri.keytag == tag))
			n++;
	sign_rrs_free(&l);
	return n;
}

static size_t
count_type(const struct zview_mem *m, uint16_t type)
{
	struct sign_rrs all;
	size_t i, n = 0;

	dump(m, &all);
	for (i = 0; i < all.n; i++)
		n += all.rr[i].type == type;
	sign_rrs_free(&all);
	return n;
}

/* The types in the NSEC at OWNER, or in the NSEC3 of OWNER. */
static void
chain_types(const struct zview_mem *m, const char *apex, const char *owner,
    int nsec3, struct nsec_types *t)
{
	uint8_t name[DNAME_MAXLEN], a[DNAME_MAXLEN], h[NSEC3_HASH_LEN],
	    o[DNAME_MAXLEN], nx[NSEC3_HASH_LEN];
	char text[DNAME_MAXSTR];
	struct nsec3_params p0 = { .algorithm = 1 }, p;
	const uint8_t *next;
	struct sign_rrs l;

	if (nsec3) {
		assert_int_equal(h_name(owner, name), 0);
		assert_int_equal(h_name(apex, a), 0);
		assert_int_equal(nsec3_hash(&p0, name, h), 0);
		assert_int_equal(nsec3_owner(h, a, o), 0);
		dname_to_str(o, text, sizeof(text));
		assert_int_equal(at(m, text, SIGN_T_NSEC3, &l), 1);
		assert_int_equal(nsec3_rdata_parse(l.rr[0].rdata,
		    l.rr[0].rdlen, &p, nx, t), 0);
	} else {
		assert_int_equal(at(m, owner, SIGN_T_NSEC, &l), 1);
		assert_int_equal(nsec_rdata_parse(l.rr[0].rdata,
		    l.rr[0].rdlen, &next, t), 0);
	}
	sign_rrs_free(&l);
}

static int
types_are(const struct nsec_types *t, const uint16_t *want, size_t n)
{
	size_t i;

	if (t->n != n)
		return 0;
	for (i = 0; i < n; i++)
		if (t->t[i] != want[i])
			return 0;
	return 1;
}

/* The chain record of OWNER (in example.) lists exactly WANT (N types)? */
static int
chain_is(const struct zview_mem *m, const char *owner, int nsec3,
    const uint16_t *want, size_t n)
{
	struct nsec_types t;

	chain_types(m, "example.", owner, nsec3, &t);
	return types_are(&t, want, n);
}

static const char *zone1 =
    "$TTL 3600\n"
    "@ SOA ns1 host 1 7200 3600 1209600 300\n"
    "@ NS ns1\n"
    "@ NS ns.other.net.\n"
    "@ MX 10 MAIL\n"
    "ns1 A 192.0.2.1\n"
    "mail 600 A 192.0.2.2\n"
    "sub NS ns.sub\n"
    "sub DS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123"
    "456789ABCDEF\n"
    "ns.sub A 192.0.2.53\n"
    "deep.ns.sub A 192.0.2.54\n"
    "ins NS ns.other.net.\n"
    "*.wild TXT \"any\"\n"
    "a.b.c.ent A 192.0.2.9\n"
    "www CNAME ns1\n";

static void
test_full_nsec(void **state)
{
	static const uint16_t deleg[] = { 2, 43, 46, 47 };
	static const uint16_t apex_t[] = { 2, 6, 15, 46, 47, 48 };
	static const uint16_t ins[] = { 2, 46, 47 };
	struct sign_policy p;
	struct sign_rrs z, l;
	struct kset k = { .n = 0 };
	struct rrsig_info ri;
	struct zview_mem *m;
	struct sign_ctx *c;
	size_t ksk, zsk, i;
	uint32_t span;

	(void)state;
	sign_policy_init(&p, NULL);
	p.single_type = 0;
	ksk = kset_add(&k, 13, KEYS_KSK, NOW - 100);
	zsk = kset_add(&k, 13, KEYS_ZSK, NOW - 100);
	sign_rrs_init(&z);
	assert_int_equal(h_zone("example.", zone1, &z), 0);
	c = ctx("example.", &p, &k, NOW);
	m = sign_all(c, &z);
	/* DNSKEY by the KSK only, the rest by the ZSK only */
	assert_int_equal(at(m, "example.", SIGN_T_DNSKEY, &l), 2);
	sign_rrs_free(&l);
	assert_int_equal(sigs_at(m, "example.", SIGN_T_DNSKEY,
	    k.st[ksk].keytag), 1);
	assert_int_equal(sigs_at(m, "example.", SIGN_T_DNSKEY, 0), 1);
	assert_int_equal(sigs_at(m, "example.", 6, k.st[zsk].keytag), 1);
	assert_int_equal(sigs_at(m, "example.", 6, 0), 1);
	/* a delegation: DS signed, NS not; glue never */
	assert_int_equal(sigs_at(m, "sub.example.", SIGN_T_DS, 0), 1);
	assert_int_equal(sigs_at(m, "sub.example.", 2, 0), 0);
	assert_int_equal(sigs_at(m, "ns.sub.example.", 1, 0), 0);
	assert_int_equal(sigs_at(m, "deep.ns.sub.example.", 1, 0), 0);
	assert_int_equal(at(m, "ns.sub.example.", SIGN_T_NSEC, &l), 0);
	assert_int_equal(at(m, "deep.ns.sub.example.", SIGN_T_NSEC, &l), 0);
	assert_true(chain_is(m, "sub.example.", 0, deleg, 4));
	assert_true(chain_is(m, "ins.example.", 0, ins, 3));
	assert_true(chain_is(m, "example.", 0, apex_t, 6));
	/* no NSEC at an empty non-terminal; the chain has every name */
	assert_int_equal(at(m, "c.ent.example.", SIGN_T_NSEC, &l), 0);
	assert_int_equal(count_type(m, SIGN_T_NSEC), 8);
	/* NSEC TTL: min(SOA TTL, MINIMUM) */
	assert_int_equal(at(m, "www.example.", SIGN_T_NSEC, &l), 1);
	assert_int_equal(l.rr[0].ttl, 300);
	sign_rrs_free(&l);
	/* an RRset's RRSIG takes its TTL; a wildcard's labels omit "*" */
	assert_int_equal(at(m, "mail.example.", SIGN_T_RRSIG, &l), 2);
	for (i = 0; i < l.n; i++) {
		assert_int_equal(rrsig_parse(l.rr[i].rdata, l.rr[i].rdlen,
		    &ri), 0);
		if (ri.covered == 1)
			assert_int_equal(l.rr[i].ttl, 600);
	}
	sign_rrs_free(&l);
	assert_int_equal(at(m, "*.wild.example.", SIGN_T_RRSIG, &l), 2);
	assert_int_equal(rrsig_parse(l.rr[0].rdata, l.rr[0].rdlen, &ri), 0);
	assert_int_equal(ri.labels, 2);
	/* validity: inception backdated, expiration jittered */
	span = (p.rrsig_lifetime - p.rrsig_refresh) / 4;
	assert_int_equal(ri.inception, NOW - SIGN_INCEPTION_BACKDATE);
	assert_true(ri.expiration <= NOW + p.rrsig_lifetime);
	assert_true(ri.expiration >= NOW + p.rrsig_lifetime - span);
	sign_rrs_free(&l);
	/* every signature verifies; 8 NSEC + 9 RRsets + DNSKEY */
	assert_int_equal(check_sigs(m, NOW), 8 + 9 + 1);
	zview_mem_free(m);
	sign_ctx_free(c);
	sign_rrs_free(&z);
	kset_free(&k);
}

static void
test_full_nsec3(void **state)
{
	static const uint16_t deleg_ds[] = { 2, 43, 46 };
	static const uint16_t deleg[] = { 2 };
	static const uint16_t apex_t[] = { 2, 6, 15, 46, 48, 51, 59, 60 };
	struct sign_policy p;
	struct sign_rrs z, l;
	struct kset k = { .n = 0 };
	struct zview_mem *m;
	struct sign_ctx *c;

	(void)state;
	sign_policy_init(&p, NULL);
	p.nsec3 = 1;
	kset_add(&k, 15, KEYS_CSK, NOW - 100);
	p.algorithm = 15;
	k.st[0].ready = NOW - 50;	/* CDS/CDNSKEY appear */
	sign_rrs_init(&z);
	assert_int_equal(h_zone("example.", zone1, &z), 0);
	c = ctx("example.", &p, &k, NOW);
	m = sign_all(c, &z);
	assert_int_equal(at(m, "example.", SIGN_T_NSEC3PARAM, &l), 1);
	assert_int_equal(l.rr[0].rdlen, 5);
	assert_int_equal(l.rr[0].ttl, 300);
	sign_rrs_free(&l);
	assert_int_equal(at(m, "example.", SIGN_T_CDS, &l), 1);
	sign_rrs_free(&l);
	assert_int_equal(count_type(m, SIGN_T_NSEC), 0);
	assert_true(chain_is(m, "example.", 1, apex_t, 8));
	assert_true(chain_is(m, "sub.example.", 1, deleg_ds, 3));
	assert_true(chain_is(m, "ins.example.", 1, deleg, 1));
	/* empty non-terminals have NSEC3s with no types (RFC 5155 7.1) */
	assert_true(chain_is(m, "b.c.ent.example.", 1, NULL, 0));
	assert_true(chain_is(m, "c.ent.example.", 1, NULL, 0));
	assert_true(chain_is(m, "ent.example.", 1, NULL, 0));
	assert_true(chain_is(m, "wild.example.", 1, NULL, 0));
	/* 8 names + 4 ENTs; not glue */
	assert_int_equal(count_type(m, SIGN_T_NSEC3), 12);
	/* 12 NSEC3 + 9 RRsets + NSEC3PARAM + DNSKEY + CDS + CDNSKEY */
	assert_int_equal(check_sigs(m, NOW), 12 + 9 + 4);
	zview_mem_free(m);
	sign_ctx_free(c);
	sign_rrs_free(&z);
	kset_free(&k);
}

static int
refused_class(const char *text, const char *msg, uint16_t rclass)
{
	struct sign_policy p;
	struct sign_rrs z;
	struct sign_result r;
	struct kset k = { .n = 0 };
	struct sign_ctx *c;
	int ret;

	sign_policy_init(&p, NULL);
	kset_add(&k, 13, KEYS_CSK, NOW - 100);
	sign_rrs_init(&z);
	sign_result_init(&r);
	assert_int_equal(h_zone("example.", text, &z), 0);
	if (rclass != 0)	/* libzscanner reads class IN only */
		z.rr[z.n - 1].rclass = rclass;
	c = ctx("example.", &p, &k, NOW);
	ret = sign_zone_full(c, z.rr, z.n, &r) == HP_EINVALID &&
	    strstr(sign_ctx_error(c), msg) != NULL;
	if (!ret)
		fprintf(stderr, "got: %s\n", sign_ctx_error(c));
	sign_result_free(&r);
	sign_ctx_free(c);
	sign_rrs_free(&z);
	kset_free(&k);
	return ret;
}

static int
refused(const char *text, const char *msg)
{
	return refused_class(text, msg, 0);
}

#define SOA	"@ SOA ns1 host 1 7200 3600 1209600 300\n"

/* The zone: SOA, NS, hosts h0..h(N-1) with an A each (and a TXT). */
static void
hosts_zone(size_t n, int txt, struct sign_rrs *z)
{
	char text[8192];
	size_t len, i;

	len = (size_t)snprintf(text, sizeof(text), "%s", SOA "@ NS ns.o.\n");
	for (i = 0; i < n && len < sizeof(text); i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    "h%zu A 10.0.0.%zu\n", i, i);
	for (i = 0; txt && i < n && len < sizeof(text); i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    "h%zu TXT \"t\"\n", i);
	assert_true(len < sizeof(text));
	sign_rrs_init(z);
	assert_int_equal(h_zone("example.", text, z), 0);
}

static void
test_full_refused(void **state)
{
	struct sign_policy p;
	struct kset k = { .n = 0 };
	struct sign_keys sk;
	struct sign_ctx *c;
	uint8_t apex[DNAME_MAXLEN];
	char err[512];

	(void)state;
	assert_true(refused(SOA "x RRSIG A 13 2 3600 20300101000000 "
	    "20240101000000 1 example. AAAA\n", "made by the signer"));
	assert_true(refused(SOA "@ DNSKEY 256 3 13 AAAA\n",
	    "example. type 48"));
	assert_true(refused(SOA "x NSEC y A\n", "not accepted as input"));
	assert_true(refused(SOA "x 100000 A 192.0.2.1\n",
	    "TTL 100000 exceeds zone-max-ttl 86400"));
	assert_true(refused_class(SOA "x A 192.0.2.1\n", "class 3 is not IN",
	    3));
	assert_true(refused(SOA "x.other. A 192.0.2.1\n",
	    "x.other. is outside the zone"));
	assert_true(refused("x A 192.0.2.1\n", "no SOA"));
	assert_true(refused(SOA SOA, "more than one SOA"));
	assert_true(refused(SOA "x SOA ns1 host 1 2 3 4 5\n",
	    "SOA below the apex"));
	/* no key to sign with */
	sign_policy_init(&p, NULL);
	kset_add(&k, 13, KEYS_ZSK, NOW - 100);
	sk = keys_of(&k);
	assert_int_equal(h_name("example.", apex), 0);
	assert_int_equal(sign_ctx_new(apex, &p, &sk, NOW, &c, err,
	    sizeof(err)), HP_EINVALID);
	assert_non_null(strstr(err, "no key signs the DNSKEY RRset"));
	/* a key that should sign but has no private key */
	k.st[0].role = KEYS_CSK;
	keys_key_free(k.priv[0]);
	k.priv[0] = NULL;
	assert_int_equal(sign_ctx_new(apex, &p, &sk, NOW, &c, err,
	    sizeof(err)), HP_EINVALID);
	assert_non_null(strstr(err, "private key"));
	/* a key of another algorithm than the policy's */
	p.algorithm = 15;
	assert_int_equal(sign_ctx_new(apex, &p, &sk, NOW, &c, err,
	    sizeof(err)), HP_ENOTSUP);
	kset_free(&k);
}

/* ---- incremental ---- */


/* Sign the change DEL/ADD through M's view and apply it to M. */
static void
update(struct sign_ctx *c, struct zview_mem *m, const struct sign_rrs *del,
    const struct sign_rrs *add, struct sign_result *r)
{
	struct zview v = zview_mem_view(m);

	sign_result_init(r);
	if (sign_zone_update(c, &v, del->rr, del->n, add->rr, add->n, r) < 0) {
		fprintf(stderr, "update: %s\n", sign_ctx_error(c));
		fail();
	}
	assert_false(r->full_needed);
	assert_int_equal(zview_mem_apply(m, del, add), 0);
	assert_int_equal(zview_mem_apply(m, &r->removed, &r->added), 0);
}

/* Generated records of A and B: the same NSEC/NSEC3/apex records, the
 * same (owner, type, key) RRSIGs. */
static int
same_generated(const struct zview_mem *a, const struct zview_mem *b)
{
	struct sign_rrs x, y, *l[2] = { &x, &y };
	size_t i, k, n[2];
	int same = 1;

	dump(a, &x);
	dump(b, &y);
	for (k = 0; k < 2; k++) {
		n[k] = 0;
		for (i = 0; i < l[k]->n; i++)
			if (sign_type_generated(l[k]->rr[i].type))
				l[k]->rr[n[k]++] = l[k]->rr[i];
		l[k]->n = n[k];
		/* RRSIGs compared by what they cover and who signed:
		 * covered type, algorithm, labels, key tag */
		for (i = 0; i < l[k]->n; i++)
			if (l[k]->rr[i].type == SIGN_T_RRSIG) {
				uint8_t *rd = (uint8_t *)(uintptr_t)
				    l[k]->rr[i].rdata;

				memmove(rd + 4, rd + 16, 2);
				l[k]->rr[i].rdlen = 6;
				l[k]->rr[i].ttl = 0;
			}
		sign_rrs_sort(l[k]);
	}
	if (x.n != y.n)
		same = 0;
	for (i = 0; same && i < x.n; i++) {
		same = sign_rr_cmp(&x.rr[i], &y.rr[i]) == 0 &&
		    x.rr[i].ttl == y.rr[i].ttl;
		if (!same) {
			char t1[DNAME_MAXSTR], t2[DNAME_MAXSTR];

			dname_to_str(x.rr[i].owner, t1, sizeof(t1));
			dname_to_str(y.rr[i].owner, t2, sizeof(t2));
			fprintf(stderr, "differ at %zu: %s %u / %s %u\n", i, t1,
			    x.rr[i].type, t2, y.rr[i].type);
		}
	}
	if (x.n != y.n)
		fprintf(stderr, "%zu generated RRs against %zu\n", x.n, y.n);
	sign_rrs_free(&x);
	sign_rrs_free(&y);
	return same;
}

/* Random zones over a small tree of names, so that changes collide:
 * names appear and vanish, cuts come and go, ENTs form. */
static const char *labels[] = { "a", "b", "c", "*", "d" };

static unsigned long rnd_state;

static unsigned
rnd(unsigned n)
{
	rnd_state = rnd_state * 6364136223846793005ul + 1442695040888963407ul;
	return (unsigned)((rnd_state >> 33) % n);
}

static void
rnd_name(uint8_t *out)
{
	char text[64] = "";
	size_t len = 0;
	unsigned depth = 1 + rnd(3), i;

	for (i = 0; i < depth; i++) {
		const char *l = labels[rnd(i == 0 ? 5 : 4)];

		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s.",
		    l);
	}
	snprintf(text + len, sizeof(text) - len, "example.");
	assert_int_equal(h_name(text, out), 0);
}

/* One random edit of the unsigned zone Z (SOA serial moved too). */
static void
rnd_edit(struct sign_rrs *z, struct sign_rrs *out)
{
	uint8_t name[DNAME_MAXLEN], rd[64];
	size_t i, skip, edits = 1 + rnd(4), e;
	unsigned op;

	sign_rrs_init(out);
	skip = SIZE_MAX;
	if (z->n > 1 && rnd(3) == 0)
		skip = rnd((unsigned)z->n);	/* remove one, not the SOA */
	for (i = 0; i < z->n; i++) {
		struct sign_rr rr = z->rr[i];

		if (i == skip && rr.type != WIRE_TYPE_SOA)
			continue;
		if (rr.type == WIRE_TYPE_SOA) {
			memcpy(rd, rr.rdata, rr.rdlen);
			wire_write_u32(rd + rr.rdlen - 20,
			    wire_read_u32(rd + rr.rdlen - 20) + 1);
			rr.rdata = rd;
		} else if (rnd(40) == 0)
			continue;	/* sometimes remove more */
		else if (rnd(60) == 0)
			rr.ttl += 1;	/* a new TTL */
		sign_rrs_add_rr(out, &rr);
	}
	for (e = 0; e < edits; e++) {
		rnd_name(name);
		op = rnd(10);
		if (op < 5) {
			uint8_t a[4] = { 192, 0, 2, (uint8_t)rnd(4) };

			sign_rrs_add(out, name, 1, 1, 300, a, 4);
		} else if (op < 7) {
			sign_rrs_add(out, name, 16, 1, 300,
			    (const uint8_t *)"\003txt", 4);
		} else if (op < 9) {
			uint8_t ns[DNAME_MAXLEN];

			assert_int_equal(h_name(rnd(2) ? "ns.a.example." :
			    "ns.other.", ns), 0);
			sign_rrs_add(out, name, 2, 1, 300, ns,
			    (size_t)dname_wire_len(ns, DNAME_MAXLEN));
		} else {
			static const uint8_t ds[] = { 0x30, 0x39, 13, 2, 1, 2,
			    3, 4 };

			sign_rrs_add(out, name, 43, 1, 300, ds, sizeof(ds));
		}
	}
	/* no duplicates: the zone is a set */
	sign_rrs_unique(out);
	for (i = 0; i < out->n; i++)
		if (sign_type_generated(out->rr[i].type) ||
		    out->rr[i].rclass != 1)
			fail();
}

static void
random_run(int nsec3, int csk, unsigned long seed, int rounds)
{
	struct sign_policy p;
	struct sign_rrs z, z2, del, add;
	struct kset k = { .n = 0 };
	struct sign_result r;
	struct zview_mem *m, *full;
	struct sign_ctx *c;
	int i;

	rnd_state = seed;
	sign_policy_init(&p, NULL);
	p.nsec3 = (uint8_t)nsec3;
	p.single_type = (uint8_t)csk;
	if (csk)
		kset_add(&k, 13, KEYS_CSK, NOW - 100);
	else {
		kset_add(&k, 13, KEYS_KSK, NOW - 100);
		kset_add(&k, 13, KEYS_ZSK, NOW - 100);
	}
	sign_rrs_init(&z);
	assert_int_equal(h_zone("example.", SOA "@ NS ns.other.\n"
	    "a A 192.0.2.1\nb.a TXT \"x\"\n", &z), 0);
	c = ctx("example.", &p, &k, NOW);
	m = sign_all(c, &z);
	for (i = 0; i < rounds; i++) {
		rnd_edit(&z, &z2);
		sign_rrs_init(&del);
		sign_rrs_init(&add);
		assert_int_equal(sign_rrs_diff(&z, &z2, &del, &add), 0);
		update(c, m, &del, &add, &r);
		sign_result_free(&r);
		full = sign_all(c, &z2);
		if (!same_generated(m, full)) {
			fprintf(stderr, "seed %lu nsec3 %d csk %d round %d\n",
			    seed, nsec3, csk, i);
			fail();
		}
		check_sigs(m, NOW);
		zview_mem_free(full);
		sign_rrs_free(&z);
		z = z2;
		sign_rrs_free(&del);
		sign_rrs_free(&add);
	}
	zview_mem_free(m);
	sign_ctx_free(c);
	sign_rrs_free(&z);
	kset_free(&k);
}

static void
test_update_random(void **state)
{
	(void)state;
	random_run(0, 1, 1, 120);
	random_run(1, 1, 2, 120);
	random_run(0, 0, 3, 80);
	random_run(1, 0, 4, 80);
}

/* A change of 10 A records: their RRSIGs and the SOA's, nothing else. */
static void
test_update_small(void **state)
{
	struct sign_policy p;
	struct sign_rrs z, z2, del, add;
	struct kset k = { .n = 0 };
	struct sign_result r;
	struct zview_mem *m;
	struct sign_ctx *c;
	char text[64];
	size_t i;
	int nsec3;

	(void)state;
	for (nsec3 = 0; nsec3 < 2; nsec3++) {
		sign_policy_init(&p, NULL);
		p.nsec3 = (uint8_t)nsec3;
		kset_add(&k, 13, KEYS_CSK, NOW - 100);
		hosts_zone(40, 1, &z);
		c = ctx("example.", &p, &k, NOW);
		m = sign_all(c, &z);
		sign_rrs_init(&del);
		sign_rrs_init(&add);
		sign_rrs_init(&z2);
		assert_int_equal(h_zone("example.", "@ SOA ns1 host 2 7200 3600 "
		    "1209600 300\n", &add), 0);
		assert_int_equal(h_zone("example.", SOA, &del), 0);
		for (i = 0; i < 10; i++) {
			snprintf(text, sizeof(text), "h%zu A 10.0.0.%zu\n",
			    i * 4, i * 4);
			assert_int_equal(h_zone("example.", text, &del), 0);
			snprintf(text, sizeof(text), "h%zu A 10.0.1.%zu\n",
			    i * 4, i * 4);
			assert_int_equal(h_zone("example.", text, &add), 0);
		}
		update(c, m, &del, &add, &r);
		assert_int_equal(r.removed.n, 11);
		assert_int_equal(r.added.n, 11);
		for (i = 0; i < r.added.n; i++)
			assert_int_equal(r.added.rr[i].type, SIGN_T_RRSIG);
		sign_result_free(&r);
		check_sigs(m, NOW);
		/* a removed record that is not there: refused, clearly */
		sign_result_init(&r);
		struct zview v = zview_mem_view(m);

		assert_int_equal(sign_zone_update(c, &v, del.rr + 1, 1, NULL, 0,
		    &r), HP_EINVALID);
		assert_non_null(strstr(sign_ctx_error(c), "not in the zone"));
		sign_result_free(&r);
		/* a generated record as input: refused */
		sign_rrs_free(&add);
		sign_rrs_init(&add);
		assert_int_equal(h_zone("example.", "x NSEC y A\n", &add), 0);
		assert_int_equal(sign_zone_update(c, &v, NULL, 0, add.rr, 1,
		    &r), HP_EINVALID);
		sign_result_free(&r);
		zview_mem_free(m);
		sign_ctx_free(c);
		sign_rrs_free(&z);
		sign_rrs_free(&z2);
		sign_rrs_free(&del);
		sign_rrs_free(&add);
		kset_free(&k);
	}
}

/* Changes an incremental signing cannot do: said, not half done. */
static void
test_update_full_needed(void **state)
{
	struct sign_policy p, p3;
	struct sign_rrs z, del, add;
	struct kset k = { .n = 0 };
	struct sign_result r;
	struct zview_mem *m;
	struct sign_ctx *c;
	struct zview v;

	(void)state;
	sign_policy_init(&p, NULL);
	kset_add(&k, 13, KEYS_CSK, NOW - 100);
	sign_rrs_init(&z);
	assert_int_equal(h_zone("example.", SOA "@ NS ns.other.\n", &z), 0);
	c = ctx("example.", &p, &k, NOW);
	m = sign_all(c, &z);
	v = zview_mem_view(m);
	sign_rrs_init(&del);
	sign_rrs_init(&add);
	/* a new SOA MINIMUM moves the chain's TTL */
	assert_int_equal(h_zone("example.", SOA, &del), 0);
	assert_int_equal(h_zone("example.", "@ SOA ns1 host 2 7200 3600 "
	    "1209600 600\n", &add), 0);
	sign_result_init(&r);
	assert_int_equal(sign_zone_update(c, &v, del.rr, 1, add.rr, 1, &r), 0);
	assert_true(r.full_needed);
	assert_int_equal(r.added.n + r.removed.n, 0);
	assert_non_null(strstr(sign_ctx_error(c), "TTL"));
	sign_result_free(&r);
	sign_ctx_free(c);
	/* NSEC to NSEC3 */
	p3 = p;
	p3.nsec3 = 1;
	c = ctx("example.", &p3, &k, NOW);
	sign_result_init(&r);
	assert_int_equal(sign_zone_update(c, &v, NULL, 0, NULL, 0, &r), 0);
	assert_true(r.full_needed);
	sign_result_free(&r);
	sign_ctx_free(c);
	/* a second CSK starts signing beside the first */
	kset_add(&k, 13, KEYS_CSK, NOW);
	c = ctx("example.", &p, &k, NOW);
	sign_result_init(&r);
	assert_int_equal(sign_zone_update(c, &v, NULL, 0, NULL, 0, &r), 0);
	assert_true(r.full_needed);
	assert_non_null(strstr(sign_ctx_error(c), "beside"));
	sign_result_free(&r);
	sign_ctx_free(c);
	zview_mem_free(m);
	sign_rrs_free(&z);
	sign_rrs_free(&del);
	sign_rrs_free(&add);
	kset_free(&k);
}

/* ---- refresh ---- */

static void
test_refresh(void **state)
{
	struct sign_policy p;
	struct sign_rrs z;
	struct kset k = { .n = 0 };
	struct sign_result r;
	struct zview_mem *m;
	struct sign_ctx *c, *c2;
	struct zview v;
	int64_t when, later;
	size_t total = 0, batches = 0, signed_sets, i;

	(void)state;
	sign_policy_init(&p, NULL);
	kset_add(&k, 13, KEYS_CSK, NOW - 100);
	hosts_zone(30, 0, &z);
	c = ctx("example.", &p, &k, NOW);
	m = sign_all(c, &z);
	v = zview_mem_view(m);
	signed_sets = (size_t)check_sigs(m, NOW);
	/* a day later nothing is due; the first is due when the earliest
	 * expiration enters the refresh window */
	c2 = ctx("example.", &p, &k, NOW + 86400);
	sign_result_init(&r);
	assert_int_equal(sign_zone_refresh(c2, &v, 5, &r), 0);
	assert_int_equal(r.added.n + r.removed.n + r.pending, 0);
	sign_result_free(&r);
	assert_int_equal(sign_zone_next_refresh(c2, &v, &when), 0);
	assert_true(when >= NOW + p.rrsig_lifetime - p.rrsig_refresh -
	    (p.rrsig_lifetime - p.rrsig_refresh) / 4);
	assert_true(when <= NOW + p.rrsig_lifetime - p.rrsig_refresh);
	sign_ctx_free(c2);
	/* when all are due: batches of 5 RRsets until none is left */
	later = NOW + p.rrsig_lifetime - p.rrsig_refresh + 1;
	c2 = ctx("example.", &p, &k, later);
	for (;;) {
		sign_result_init(&r);
		assert_int_equal(sign_zone_refresh(c2, &v, 5, &r), 0);
		assert_true(r.added.n <= 5 && r.removed.n <= 5);
		assert_int_equal(r.added.n, r.removed.n);
		total += r.added.n;
		batches++;
		assert_int_equal(zview_mem_apply(m, &r.removed, &r.added), 0);
		i = r.pending;
		sign_result_free(&r);
		if (i == 0)
			break;
		assert_true(batches < 100);
	}
	assert_int_equal(total, signed_sets);
	assert_int_equal(batches, (signed_sets + 4) / 5);
	assert_int_equal(check_sigs(m, later), (long)signed_sets);
	assert_int_equal(sign_zone_next_refresh(c2, &v, &when), 0);
	assert_true(when > later);
	sign_ctx_free(c2);
	sign_ctx_free(c);
	zview_mem_free(m);
	sign_rrs_free(&z);
	kset_free(&k);
}

/* ---- rollovers end to end ---- */

/* Bump the SOA serial of M and sign that change (a new version). */
static void
bump(struct sign_ctx *c, struct zview_mem *m, struct sign_result *r)
{
	struct sign_rrs del, add, all;
	uint8_t rd[512];
	size_t i;

	sign_rrs_init(&del);
	sign_rrs_init(&add);
	dump(m, &all);
	for (i = 0; i < all.n; i++)
		if (all.rr[i].type == WIRE_TYPE_SOA) {
			sign_rrs_add_rr(&del, &all.rr[i]);
			memcpy(rd, all.rr[i].rdata, all.rr[i].rdlen);
			wire_write_u32(rd + all.rr[i].rdlen - 20, wire_read_u32(
			    rd + all.rr[i].rdlen - 20) + 1);
			sign_rrs_add(&add, all.rr[i].owner, 6, 1, all.rr[i].ttl,
			    rd, all.rr[i].rdlen);
		}
	update(c, m, &del, &add, r);
	sign_rrs_free(&del);
	sign_rrs_free(&add);
	sign_rrs_free(&all);
}

/* Refresh every signature due at T (in batches, until none is left). */
static void
refresh_all(const struct sign_policy *p, struct kset *k, struct zview_mem *m,
    int64_t t)
{
	struct sign_ctx *c = ctx("example.", p, k, t);
	struct zview v = zview_mem_view(m);
	struct sign_result r;
	size_t pending, rounds = 0;

	do {
		sign_result_init(&r);
		assert_int_equal(sign_zone_refresh(c, &v, 1000, &r), 0);
		assert_int_equal(zview_mem_apply(m, &r.removed, &r.added), 0);
		pending = r.pending;
		sign_result_free(&r);
		assert_true(++rounds < 100);
	} while (pending > 0);
	sign_ctx_free(c);
}

/* Replace every generated record of M by a whole signing at C. */
static void
resign_all(struct sign_ctx *c, struct zview_mem *m)
{
	struct sign_rrs all, u, g;
	struct sign_result r;
	size_t i;

	dump(m, &all);
	sign_rrs_init(&u);
	sign_rrs_init(&g);
	for (i = 0; i < all.n; i++)
		sign_rrs_add_rr(sign_type_generated(all.rr[i].type) ? &g : &u,
		    &all.rr[i]);
	sign_result_init(&r);
	assert_int_equal(sign_zone_full(c, u.rr, u.n, &r), 0);
	assert_int_equal(zview_mem_apply(m, &g, &r.added), 0);
	sign_result_free(&r);
	sign_rrs_free(&all);
	sign_rrs_free(&u);
	sign_rrs_free(&g);
}

static size_t
sigs_by(struct zview_mem *m, const struct keys_state *k)
{
	struct zview v = zview_mem_view(m);
	struct sign_rrs l;
	size_t n;

	sign_rrs_init(&l);
	assert_int_equal(v.ops->rrsigs_by_key(v.ctx, k->keytag, k->algorithm,
	    SIZE_MAX, &l), 0);
	n = l.n;
	sign_rrs_free(&l);
	return n;
}

static size_t
dnskeys(struct zview_mem *m)
{
	struct sign_rrs l;
	size_t n = at(m, "example.", SIGN_T_DNSKEY, &l);

	sign_rrs_free(&l);
	return n;
}

/* At A's time: signatures refreshed, A applied, a new version signed. */
static int64_t
take_step(const struct sign_policy *p, struct kset *k, struct zview_mem *m,
    const struct roll_action *a)
{
	struct sign_result r;
	struct sign_ctx *c;
	int64_t t = a->when;

	refresh_all(p, k, m, t);
	assert_int_equal(roll_apply(k->st, k->n, a, t), 0);
	c = ctx("example.", p, k, t);
	bump(c, m, &r);
	sign_result_free(&r);
	sign_ctx_free(c);
	return t;
}

static void
test_zsk_rollover(void **state)
{
	struct sign_policy p;
	struct sign_rrs z;
	struct kset k = { .n = 0 };
	struct sign_result r;
	struct roll_action a;
	struct roll_input in;
	struct zview_mem *m;
	struct sign_ctx *c;
	size_t left[MAXK], batches;
	int64_t t = NOW;

	(void)state;
	sign_policy_init(&p, NULL);
	p.single_type = 0;
	p.rrsig_lifetime = 2 * 86400;
	p.rrsig_refresh = 86400;
	p.zone_max_ttl = 3600;
	p.zsk_lifetime = 3 * 86400;
	kset_add(&k, 13, KEYS_KSK, t);
	kset_add(&k, 13, KEYS_ZSK, t);
	hosts_zone(20, 0, &z);
	c = ctx("example.", &p, &k, t);
	m = sign_all(c, &z);
	sign_ctx_free(c);
	k.st[0].ds_seen = k.st[0].ready = t;
	k.st[0].seen = k.st[1].seen = t;
	/* the successor: generated ahead of the lifetime's end */
	memset(&in, 0, sizeof(in));
	in.now = t;
	assert_int_equal(roll_next(k.st, k.n, &p, &in, &a), 0);
	assert_int_equal(a.kind, ROLL_GENERATE);
	t = a.when;
	refresh_all(&p, &k, m, t);
	kset_add(&k, 13, KEYS_ZSK, t);
	k.st[2].active = 0;
	a.key = 2;
	in.now = t;
	assert_int_equal(roll_apply(k.st, k.n, &a, t), 0);
	assert_int_equal(k.st[2].active, 0);
	c = ctx("example.", &p, &k, t);
	bump(c, m, &r);
	/* one DNSKEY more, the RRset re-signed by the KSK; the SOA's */
	assert_int_equal(r.added.n, 1 + 1 + 1);
	assert_int_equal(r.removed.n, 1 + 1);
	sign_result_free(&r);
	sign_ctx_free(c);
	assert_int_equal(dnskeys(m), 3);
	check_sigs(m, t);
	/* served everywhere, DNSKEY TTL later: the new ZSK signs */
	roll_confirm(k.st, k.n, t, t + 10);
	in.now = t + 10;
	assert_int_equal(roll_next(k.st, k.n, &p, &in, &a), 0);
	assert_int_equal(a.kind, ROLL_ACTIVATE);
	t = take_step(&p, &k, m, &a);	/* no whole re-signing */
	c = ctx("example.", &p, &k, t);
	assert_true(sigs_by(m, &k.st[2]) > 0);	/* the SOA, at least */
	/* refresh replaces the old ZSK's signatures, 5 RRsets at a time */
	for (batches = 0; sigs_by(m, &k.st[1]) > 0; batches++) {
		struct zview v = zview_mem_view(m);

		memset(left, 0, sizeof(left));
		left[1] = sigs_by(m, &k.st[1]);
		in.now = t;
		in.sigs_left = left;
		assert_int_equal(roll_next(k.st, k.n, &p, &in, &a), 0);
		assert_int_equal(a.kind, ROLL_WAIT_RESIGN);
		sign_result_init(&r);
		assert_int_equal(sign_zone_refresh(c, &v, 5, &r), 0);
		assert_true(r.added.n <= 5);
		assert_int_equal(zview_mem_apply(m, &r.removed, &r.added), 0);
		sign_result_free(&r);
		check_sigs(m, t);
		assert_true(batches < 20);
	}
	assert_true(batches >= 4);	/* spread, not all at once */
	assert_int_equal(dnskeys(m), 3);	/* still published */
	memset(left, 0, sizeof(left));
	assert_int_equal(roll_next(k.st, k.n, &p, &in, &a), 0);
	assert_int_equal(a.kind, ROLL_RESIGNED);
	assert_int_equal(roll_apply(k.st, k.n, &a, t), 0);
	roll_confirm(k.st, k.n, t, t + 5);
	in.now = t + 5;
	assert_int_equal(roll_next(k.st, k.n, &p, &in, &a), 0);
	assert_int_equal(a.kind, ROLL_REMOVE);
	assert_int_equal(a.key, 1);
	sign_ctx_free(c);
	t = take_step(&p, &k, m, &a);
	c = ctx("example.", &p, &k, t);
	assert_int_equal(dnskeys(m), 2);
	assert_int_equal(sigs_by(m, &k.st[1]), 0);
	check_sigs(m, t);
	sign_ctx_free(c);
	zview_mem_free(m);
	sign_rrs_free(&z);
	kset_free(&k);
}

static void
test_csk_rollover(void **state)
{
	struct sign_policy p;
	struct sign_rrs z, l;
	struct kset k = { .n = 0 };
	struct sign_result r;
	struct roll_action a;
	struct roll_input in;
	struct zview_mem *m;
	struct sign_ctx *c;
	struct zview v;
	int64_t t = NOW;
	long before;

	(void)state;
	sign_policy_init(&p, NULL);
	p.ksk_lifetime = 30 * 86400;
	kset_add(&k, 13, KEYS_CSK, t);
	sign_rrs_init(&z);
	assert_int_equal(h_zone("example.", SOA "@ NS ns.o.\na A 10.0.0.1\n"
	    "b A 10.0.0.2\n", &z), 0);
	c = ctx("example.", &p, &k, t);
	m = sign_all(c, &z);
	sign_ctx_free(c);
	assert_int_equal(at(m, "example.", SIGN_T_CDS, &l), 0);
	/* ready: CDS and CDNSKEY appear with the next version */
	k.st[0].seen = t + 1;
	memset(&in, 0, sizeof(in));
	in.now = t + 1;
	assert_int_equal(roll_next(k.st, k.n, &p, &in, &a), 0);
	assert_int_equal(a.kind, ROLL_READY);
	t = take_step(&p, &k, m, &a);
	c = ctx("example.", &p, &k, t);
	assert_int_equal(at(m, "example.", SIGN_T_CDS, &l), 1);
	sign_rrs_free(&l);
	assert_int_equal(at(m, "example.", SIGN_T_CDNSKEY, &l), 1);
	sign_rrs_free(&l);
	check_sigs(m, t);
	sign_ctx_free(c);
	/* the DS is at the parent: the CDS goes (rollover mode) */
	roll_ds_seen(&k.st[0], t + 100);
	c = ctx("example.", &p, &k, t + 100);
	bump(c, m, &r);
	sign_result_free(&r);
	sign_ctx_free(c);
	assert_int_equal(at(m, "example.", SIGN_T_CDS, &l), 0);
	/* the lifetime ends: a second CSK signs everything beside the
	 * first, which needs a whole signing */
	in.now = t + 100;
	assert_int_equal(roll_next(k.st, k.n, &p, &in, &a), 0);
	assert_int_equal(a.kind, ROLL_GENERATE);
	t = a.when;
	refresh_all(&p, &k, m, t);
	kset_add(&k, 13, KEYS_CSK, t);
	a.key = 1;
	assert_int_equal(roll_apply(k.st, k.n, &a, t), 0);
	c = ctx("example.", &p, &k, t);
	v = zview_mem_view(m);
	sign_result_init(&r);
	assert_int_equal(sign_zone_update(c, &v, NULL, 0, NULL, 0, &r), 0);
	assert_true(r.full_needed);
	sign_result_free(&r);
	before = check_sigs(m, t);
	resign_all(c, m);
	assert_int_equal(check_sigs(m, t), 2 * before);	/* all by both */
	assert_int_equal(sigs_by(m, &k.st[0]), sigs_by(m, &k.st[1]));
	sign_ctx_free(c);
	/* ready, CDS of the new key only; DS seen; the old one leaves */
	roll_confirm(k.st, k.n, t, t + 20);
	in.now = t + 20;
	assert_int_equal(roll_next(k.st, k.n, &p, &in, &a), 0);
	assert_int_equal(a.kind, ROLL_READY);
	assert_int_equal(a.key, 1);
	t = take_step(&p, &k, m, &a);
	assert_int_equal(at(m, "example.", SIGN_T_CDS, &l), 1);
	assert_int_equal(l.rr[0].rdata[0] << 8 | l.rr[0].rdata[1],
	    k.st[1].keytag);
	sign_rrs_free(&l);
	roll_ds_seen(&k.st[1], t + 50);
	in.now = t + 50;
	assert_int_equal(roll_next(k.st, k.n, &p, &in, &a), 0);
	assert_int_equal(a.kind, ROLL_REMOVE);
	assert_int_equal(a.key, 0);
	t = take_step(&p, &k, m, &a);
	assert_int_equal(dnskeys(m), 1);
	assert_int_equal(sigs_by(m, &k.st[0]), 0);
	assert_int_equal(at(m, "example.", SIGN_T_CDS, &l), 0);
	check_sigs(m, t);
	zview_mem_free(m);
	sign_rrs_free(&z);
	kset_free(&k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_nsec),
		cmocka_unit_test(test_full_nsec3),
		cmocka_unit_test(test_full_refused),
		cmocka_unit_test(test_update_small),
		cmocka_unit_test(test_update_full_needed),
		cmocka_unit_test(test_update_random),
		cmocka_unit_test(test_refresh),
		cmocka_unit_test(test_zsk_rollover),
		cmocka_unit_test(test_csk_rollover),
	};

	dnssec_crypto_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
