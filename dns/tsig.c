/*
 * tsig.c -- TSIG (RFC 8945): keys, the TSIG RR, signing and verifying
 * requests, responses and multi-message transfers. The HMACs themselves
 * are in tsig-openssl.c.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/pkt.h"
#include "dns/tsig.h"
#include "dns/wire.h"

/* The TSIG variables of RFC 8945 4.3.3, in canonical (lowercase) form. */
struct tsig_vars {
	const uint8_t *key_name;
	size_t key_name_len;
	const uint8_t *alg_name;
	size_t alg_name_len;
	uint64_t time;
	uint16_t fudge;
	uint16_t error;
	uint16_t other_len;
	const uint8_t *other;
};

const struct tsig_alg *
tsig_alg_by_name(const char *name)
{
	const struct tsig_alg *t;
	size_t n, i, len;

	if (name == NULL)
		return NULL;
	len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == strlen("hmac-md5.sig-alg.reg.int") &&
	    strncasecmp(name, "hmac-md5.sig-alg.reg.int", len) == 0)
		name = "hmac-md5", len = strlen(name);
	t = tsig_alg_table(&n);
	for (i = 0; i < n; i++)
		if (strlen(t[i].name) == len &&
		    strncasecmp(t[i].name, name, len) == 0)
			return &t[i];
	return NULL;
}

const struct tsig_alg *
tsig_alg_by_wire(const uint8_t *wire)
{
	const struct tsig_alg *t;
	size_t n, i;

	t = tsig_alg_table(&n);
	for (i = 0; i < n; i++)
		if (dname_equal(t[i].wire, wire))
			return &t[i];
	return NULL;
}

static int
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

size_t
tsig_b64_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0, need = (len + 2) / 3 * 4 + 1;
	uint32_t v;

	if (cap < need)
		return 0;
	for (i = 0; i < len; i += 3) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = a[v >> 18 & 63];
		out[o++] = a[v >> 12 & 63];
		out[o++] = i + 1 < len ? a[v >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? a[v & 63] : '=';
	}
	out[o] = '\0';
	return o;
}

int
tsig_b64_decode(const char *text, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t len = strlen(text), i, o = 0;
	int v[4], j, pad;

	if (len == 0 || len % 4 != 0)
		return HP_EPARSE;
	for (i = 0; i < len; i += 4) {
		pad = 0;
		for (j = 0; j < 4; j++) {
			if (text[i + j] == '=' && i + 4 == len && j >= 2) {
				v[j] = 0;
				pad++;
				continue;
			}
			if (pad > 0 || (v[j] = b64_value(text[i + j])) < 0)
				return HP_EPARSE;
		}
		if (cap - o < (size_t)(3 - pad))
			return HP_ESPACE;
		out[o++] = (uint8_t)((v[0] << 2) | (v[1] >> 4));
		if (pad < 2)
			out[o++] = (uint8_t)((v[1] << 4) | (v[2] >> 2));
		if (pad < 1)
			out[o++] = (uint8_t)((v[2] << 6) | v[3]);
	}
	*outlen = o;
	return 0;
}

int
tsig_key_init_raw(struct tsig_key *k, const char *name, const char *alg,
    const uint8_t *secret, size_t secret_len)
{
	struct tsig_key tmp;
	int ret;

	memset(&tmp, 0, sizeof(tmp));
	ret = dname_from_str(name, tmp.name, &tmp.name_len);
	if (ret < 0)
		return ret;
	dname_lower(tmp.name);
	tmp.alg = tsig_alg_by_name(alg);
	if (tmp.alg == NULL)
		return HP_ENOTSUP;
	if (secret_len > TSIG_MAX_SECRET)
		return HP_ETOOBIG;
	if (secret_len == 0)
		return HP_EPARSE;
	memcpy(tmp.secret, secret, secret_len);
	tmp.secret_len = secret_len;
	*k = tmp;
	tsig_key_clear(&tmp);
	return 0;
}

int
tsig_key_init(struct tsig_key *k, const char *name, const char *alg,
    const char *secret_b64)
{
	uint8_t raw[TSIG_MAX_SECRET];
	size_t len = 0;
	int ret;

	ret = tsig_b64_decode(secret_b64, raw, sizeof(raw), &len);
	if (ret == HP_ESPACE)
		return HP_ETOOBIG;
	if (ret == 0)
		ret = tsig_key_init_raw(k, name, alg, raw, len);
	explicit_bzero(raw, sizeof(raw));
	return ret;
}

int
tsig_key_parse(struct tsig_key *k, const char *spec)
{
	char buf[1024], *c1, *c2, *alg, *name, *secret;
	size_t len = strlen(spec);
	int ret;

	if (len >= sizeof(buf))
		return HP_ETOOBIG;
	memcpy(buf, spec, len + 1);
	c1 = strchr(buf, ':');
	if (c1 == NULL)
		return HP_EPARSE;
	*c1 = '\0';
	c2 = strchr(c1 + 1, ':');
	if (c2 != NULL) {
		*c2 = '\0';
		alg = buf;
		name = c1 + 1;
		secret = c2 + 1;
	} else {
		alg = "hmac-sha256";
		name = buf;
		secret = c1 + 1;
	}
	ret = tsig_key_init(k, name, alg, secret);
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

void
tsig_key_clear(struct tsig_key *k)
{
	explicit_bzero(k->secret, sizeof(k->secret));
	k->secret_len = 0;
}

int
tsig_key_equal(const struct tsig_key *a, const struct tsig_key *b)
{
	return a->alg == b->alg && a->secret_len == b->secret_len &&
	    dname_equal(a->name, b->name) &&
	    tsig_memcmp(a->secret, b->secret, a->secret_len) == 0;
}

/* RFC 8945 4.2: the TSIG RR, class ANY, TTL 0, fields in order. */
int
tsig_rr_parse(const struct pkt *p, struct tsig_rr *rr)
{
	struct wire w;
	size_t pos, end;
	uint16_t type, rclass, rdlen;
	uint32_t ttl;
	int ret;

	if (p->tsig_off == 0)
		return HP_ENOTSIG;
	pos = p->tsig_off;
	ret = dname_parse(p->wire, p->len, &pos, rr->key_name,
	    &rr->key_name_len);
	if (ret < 0)
		return HP_EMALF;
	wire_init(&w, p->wire, p->len);
	w.pos = pos;
	if (wire_get_u16(&w, &type) < 0 || wire_get_u16(&w, &rclass) < 0 ||
	    wire_get_u32(&w, &ttl) < 0 || wire_get_u16(&w, &rdlen) < 0)
		return HP_EMALF;
	if (type != WIRE_TYPE_TSIG || rclass != WIRE_CLASS_ANY || ttl != 0 ||
	    wire_left(&w) < rdlen)
		return HP_EMALF;
	end = w.pos + rdlen;
	pos = w.pos;
	/* The algorithm name must not be compressed (RFC 8945 4.2) but
	 * must lie inside the rdata: parse with the rdata end as limit. */
	if (dname_parse(p->wire, end, &pos, rr->alg_name,
	    &rr->alg_name_len) < 0)
		return HP_EMALF;
	w.pos = pos;
	w.len = end;
	if (wire_get_u48(&w, &rr->time_signed) < 0 ||
	    wire_get_u16(&w, &rr->fudge) < 0 ||
	    wire_get_u16(&w, &rr->mac_size) < 0 ||
	    wire_left(&w) < rr->mac_size)
		return HP_EMALF;
	rr->mac = w.data + w.pos;
	w.pos += rr->mac_size;
	if (wire_get_u16(&w, &rr->orig_id) < 0 ||
	    wire_get_u16(&w, &rr->error) < 0 ||
	    wire_get_u16(&w, &rr->other_len) < 0 ||
	    wire_left(&w) != rr->other_len)
		return HP_EMALF;
	rr->other = w.data + w.pos;
	dname_lower(rr->key_name);
	dname_lower(rr->alg_name);
	return 0;
}

void
tsig_ctx_init(struct tsig_ctx *ctx, const struct tsig_key *key,
    uint16_t fudge)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->key = key;
	ctx->fudge = fudge ? fudge : TSIG_DEFAULT_FUDGE;
	if (key != NULL) {
		memcpy(ctx->key_name, key->name, key->name_len);
		ctx->key_name_len = key->name_len;
		memcpy(ctx->alg_name, key->alg->wire,
		    (size_t)dname_wire_len(key->alg->wire, DNAME_MAXLEN));
		ctx->alg_name_len = (size_t)dname_wire_len(key->alg->wire,
		    DNAME_MAXLEN);
	}
}

void
tsig_ctx_deinit(struct tsig_ctx *ctx)
{
	tsig_hmac_free(ctx->run);
	ctx->run = NULL;
	explicit_bzero(ctx->mac, sizeof(ctx->mac));
	ctx->mac_len = 0;
}

/* A fresh HMAC with CTX's key, allocated once per context. */
static struct tsig_hmac *
ctx_hmac(struct tsig_ctx *ctx)
{
	if (ctx->key == NULL)
		return NULL;
	if (ctx->run == NULL) {
		ctx->run = tsig_hmac_new(ctx->key->alg, ctx->key->secret,
		    ctx->key->secret_len);
		return ctx->run;
	}
	if (tsig_hmac_reset(ctx->run) < 0)
		return NULL;
	return ctx->run;
}

/* MAC Size (2 bytes) and MAC of the previous message (RFC 8945 4.3.1). */
static int
digest_prior(struct tsig_hmac *h, const uint8_t *mac, size_t len)
{
	uint8_t sz[2];
	int ret;

	wire_write_u16(sz, (uint16_t)len);
	ret = tsig_hmac_update(h, sz, 2);
	if (ret == 0)
		ret = tsig_hmac_update(h, mac, len);
	return ret;
}

/*
 * The message MSG[0..LEN) without its TSIG RR, as RFC 8945 4.3.2 has it:
 * the ID replaced by the Original ID and, when STRIP, ARCOUNT decremented
 * (the TSIG RR was counted in it).
 */
static int
digest_msg(struct tsig_hmac *h, const uint8_t *msg, size_t len,
    uint16_t orig_id, int strip)
{
	uint8_t hdr[WIRE_HDR_LEN];
	int ret;

	if (len < WIRE_HDR_LEN)
		return HP_EMALF;
	memcpy(hdr, msg, WIRE_HDR_LEN);
	wire_write_u16(hdr + WIRE_OFF_ID, orig_id);
	if (strip)
		wire_write_u16(hdr + WIRE_OFF_ARCOUNT, (uint16_t)(wire_read_u16(
		    hdr + WIRE_OFF_ARCOUNT) - 1));
	ret = tsig_hmac_update(h, hdr, WIRE_HDR_LEN);
	if (ret == 0)
		ret = tsig_hmac_update(h, msg + WIRE_HDR_LEN,
		    len - WIRE_HDR_LEN);
	return ret;
}

/* The TSIG variables (4.3.3), or only the timers (4.3.1) when TIMERS. */
static int
digest_vars(struct tsig_hmac *h, const struct tsig_vars *v, int timers)
{
	uint8_t b[10];
	int ret;

	if (timers) {
		wire_write_u48(b, v->time);
		wire_write_u16(b + 6, v->fudge);
		return tsig_hmac_update(h, b, 8);
	}
	ret = tsig_hmac_update(h, v->key_name, v->key_name_len);
	wire_write_u16(b, WIRE_CLASS_ANY);
	wire_write_u32(b + 2, 0);
	if (ret == 0)
		ret = tsig_hmac_update(h, b, 6);
	if (ret == 0)
		ret = tsig_hmac_update(h, v->alg_name, v->alg_name_len);
	wire_write_u48(b, v->time);
	wire_write_u16(b + 6, v->fudge);
	if (ret == 0)
		ret = tsig_hmac_update(h, b, 8);
	wire_write_u16(b, v->error);
	wire_write_u16(b + 2, v->other_len);
	if (ret == 0)
		ret = tsig_hmac_update(h, b, 4);
	if (ret == 0)
		ret = tsig_hmac_update(h, v->other, v->other_len);
	return ret;
}

static void
vars_from_rr(struct tsig_vars *v, const struct tsig_rr *rr)
{
	v->key_name = rr->key_name;
	v->key_name_len = rr->key_name_len;
	v->alg_name = rr->alg_name;
	v->alg_name_len = rr->alg_name_len;
	v->time = rr->time_signed;
	v->fudge = rr->fudge;
	v->error = rr->error;
	v->other_len = rr->other_len;
	v->other = rr->other;
}

/* RFC 8945 5.2.2.1: a MAC longer than the digest, or shorter than half
 * of it or 10 bytes, is a format error. */
static int
mac_size_ok(const struct tsig_alg *alg, uint16_t size)
{
	size_t min = alg->digest_size / 2;

	if (min < 10)
		min = 10;
	return size <= alg->digest_size && size >= min;
}

/* Is NOW within FUDGE of SIGNED_AT, FUDGE being at most CAP (0: no cap)? */
static int
time_ok(uint64_t now, uint64_t signed_at, uint16_t fudge, uint16_t cap)
{
	if (cap != 0 && fudge > cap)
		fudge = cap;
	return !(now + fudge < signed_at || signed_at + fudge < now);
}

/*
 * MAC of message P (TSIG at p->tsig_off, described by RR) with CTX's key
 * into OUT, continuing the HMAC H (already fed with the prior MAC and
 * any unsigned messages).
 */
static int
mac_of(struct tsig_hmac *h, const struct pkt *p, const struct tsig_rr *rr,
    int timers, uint8_t *out, size_t *outlen)
{
	struct tsig_vars v;
	int ret;

	vars_from_rr(&v, rr);
	ret = digest_msg(h, p->wire, p->tsig_off, rr->orig_id, 1);
	if (ret == 0)
		ret = digest_vars(h, &v, timers);
	if (ret == 0)
		ret = tsig_hmac_final(h, out, outlen);
	return ret;
}

int
tsig_server_verify(struct tsig_ctx *ctx, const struct pkt *p,
    tsig_lookup_fn lookup, void *arg, uint64_t now, uint16_t max_fudge)
{
	struct tsig_rr rr;
	const struct tsig_alg *alg;
	const struct tsig_key *key;
	struct tsig_hmac *h;
	uint8_t mac[TSIG_MAX_DIGEST];
	size_t mac_len;
	int ret;

	tsig_ctx_init(ctx, NULL, 0);
	if (p->tsig_off == 0)
		return HP_ENOTSIG;
	if (tsig_rr_parse(p, &rr) < 0)
		return HP_EMALF;
	memcpy(ctx->key_name, rr.key_name, rr.key_name_len);
	ctx->key_name_len = rr.key_name_len;
	memcpy(ctx->alg_name, rr.alg_name, rr.alg_name_len);
	ctx->alg_name_len = rr.alg_name_len;
	ctx->req_time = rr.time_signed;
	alg = tsig_alg_by_wire(rr.alg_name);
	key = lookup(arg, rr.key_name, alg);
	if (alg == NULL || key == NULL || key->alg != alg) {
		ctx->error = WIRE_RCODE_BADKEY;
		return HP_EBADKEY;
	}
	ctx->key = key;
	if (!mac_size_ok(alg, rr.mac_size))
		return HP_EMALF;
	h = ctx_hmac(ctx);
	if (h == NULL)
		return HP_ECRYPTO;
	ret = mac_of(h, p, &rr, 0, mac, &mac_len);
	if (ret < 0)
		return ret;
	if (tsig_memcmp(mac, rr.mac, rr.mac_size) != 0) {
		ctx->error = WIRE_RCODE_BADSIG;
		return HP_EBADSIG;
	}
	memcpy(ctx->mac, rr.mac, rr.mac_size);
	ctx->mac_len = rr.mac_size;
	if (!time_ok(now, rr.time_signed, rr.fudge, max_fudge)) {
		ctx->error = WIRE_RCODE_BADTIME;
		return HP_EBADTIME;
	}
	return 0;
}

size_t
tsig_reserve(const struct tsig_ctx *ctx)
{
	size_t digest = ctx->key != NULL ? ctx->key->alg->digest_size :
	    TSIG_MAX_DIGEST;

	/* owner, fixed RR fields, algorithm, time, fudge, MAC size, MAC,
	 * original ID, error, other length, other data (BADTIME). */
	return ctx->key_name_len + WIRE_RR_FIXED + ctx->alg_name_len +
	    6 + 2 + 2 + digest + 2 + 2 + 2 + 6;
}

/* Append the TSIG RR described by V with MAC to MSG. */
static int
append_rr(uint8_t *msg, size_t *len, size_t cap, const struct tsig_vars *v,
    const uint8_t *mac, size_t mac_len)
{
	struct wire w;
	size_t rdlen;

	rdlen = v->alg_name_len + 6 + 2 + 2 + mac_len + 2 + 2 + 2 +
	    v->other_len;
	if (*len > cap || cap - *len < v->key_name_len + WIRE_RR_FIXED + rdlen)
		return HP_ESPACE;
	wire_init(&w, msg, cap);
	w.pos = *len;
	(void)wire_put_bytes(&w, v->key_name, v->key_name_len);
	(void)wire_put_u16(&w, WIRE_TYPE_TSIG);
	(void)wire_put_u16(&w, WIRE_CLASS_ANY);
	(void)wire_put_u32(&w, 0);
	(void)wire_put_u16(&w, (uint16_t)rdlen);
	(void)wire_put_bytes(&w, v->alg_name, v->alg_name_len);
	(void)wire_put_u48(&w, v->time);
	(void)wire_put_u16(&w, v->fudge);
	(void)wire_put_u16(&w, (uint16_t)mac_len);
	(void)wire_put_bytes(&w, mac, mac_len);
	(void)wire_put_u16(&w, wire_read_u16(msg + WIRE_OFF_ID));
	(void)wire_put_u16(&w, v->error);
	(void)wire_put_u16(&w, v->other_len);
	(void)wire_put_bytes(&w, v->other, v->other_len);
	wire_write_u16(msg + WIRE_OFF_ARCOUNT,
	    (uint16_t)(wire_read_u16(msg + WIRE_OFF_ARCOUNT) + 1));
	*len = w.pos;
	return 0;
}

int
tsig_sign(struct tsig_ctx *ctx, uint8_t *msg, size_t *len, size_t cap,
    uint64_t now)
{
	struct tsig_vars v;
	struct tsig_hmac *h;
	uint8_t mac[TSIG_MAX_DIGEST], other[6];
	size_t mac_len = 0;
	int request, timers, ret;

	if (*len < WIRE_HDR_LEN || (ctx->key == NULL && ctx->error == 0))
		return HP_EINVAL;
	memset(&v, 0, sizeof(v));
	v.key_name = ctx->key_name;
	v.key_name_len = ctx->key_name_len;
	v.alg_name = ctx->alg_name;
	v.alg_name_len = ctx->alg_name_len;
	v.time = now;
	v.fudge = ctx->fudge;
	v.error = ctx->error;
	if (ctx->error == WIRE_RCODE_BADTIME) {
		/* RFC 8945 5.2.3: the request's time, ours in Other Data. */
		v.time = ctx->req_time;
		wire_write_u48(other, now);
		v.other = other;
		v.other_len = 6;
	}
	if (ctx->error == WIRE_RCODE_BADKEY || ctx->error == WIRE_RCODE_BADSIG)
		return append_rr(msg, len, cap, &v, NULL, 0);
	if (v.key_name_len + WIRE_RR_FIXED + v.alg_name_len + 22 +
	    ctx->key->alg->digest_size + v.other_len > cap - *len ||
	    *len > cap)
		return HP_ESPACE;
	request = ctx->mac_len == 0;
	timers = !request && ctx->nsigned > 0;
	h = ctx_hmac(ctx);
	if (h == NULL)
		return HP_ECRYPTO;
	ret = 0;
	if (!request)
		ret = digest_prior(h, ctx->mac, ctx->mac_len);
	if (ret == 0)
		ret = digest_msg(h, msg, *len,
		    wire_read_u16(msg + WIRE_OFF_ID), 0);
	if (ret == 0)
		ret = digest_vars(h, &v, timers);
	if (ret == 0)
		ret = tsig_hmac_final(h, mac, &mac_len);
	if (ret == 0)
		ret = append_rr(msg, len, cap, &v, mac, mac_len);
	if (ret < 0)
		return ret;
	memcpy(ctx->mac, mac, mac_len);
	ctx->mac_len = mac_len;
	if (!request)
		ctx->nsigned++;
	return 0;
}

/* An unsigned message in a multi-message response (RFC 8945 5.3.1). */
static int
client_fold_unsigned(struct tsig_ctx *ctx, const struct pkt *p)
{
	struct tsig_hmac *h;
	int ret;

	if (ctx->nsigned == 0 || ctx->unsigned_run >= TSIG_MAX_UNSIGNED)
		return HP_ENOTSIG;
	if (ctx->unsigned_run == 0) {
		h = ctx_hmac(ctx);
		if (h == NULL)
			return HP_ECRYPTO;
		ret = digest_prior(h, ctx->mac, ctx->mac_len);
		if (ret < 0)
			return ret;
	}
	ret = tsig_hmac_update(ctx->run, p->wire, p->len);
	if (ret < 0)
		return ret;
	ctx->unsigned_run++;
	return 0;
}

static int
tsig_error_code(uint16_t error)
{
	switch (error) {
	case WIRE_RCODE_BADKEY:
		return HP_EBADKEY;
	case WIRE_RCODE_BADTIME:
		return HP_EBADTIME;
	default:
		return HP_EBADSIG;
	}
}

int
tsig_client_verify(struct tsig_ctx *ctx, const struct pkt *p, uint64_t now)
{
	struct tsig_rr rr;
	struct tsig_hmac *h;
	uint8_t mac[TSIG_MAX_DIGEST];
	size_t mac_len;
	int ret;

	if (ctx->key == NULL || ctx->mac_len == 0)
		return HP_EINVAL;
	if (p->tsig_off == 0)
		return client_fold_unsigned(ctx, p);
	if (tsig_rr_parse(p, &rr) < 0)
		return HP_EMALF;
	if (!dname_equal(rr.key_name, ctx->key->name) ||
	    tsig_alg_by_wire(rr.alg_name) != ctx->key->alg)
		return HP_EBADKEY;
	if (rr.error != 0) {
		ctx->error = rr.error;
		/* BADKEY / BADSIG answers carry no MAC to check. */
		if (rr.error != WIRE_RCODE_BADTIME || rr.mac_size == 0)
			return tsig_error_code(rr.error);
	}
	if (!mac_size_ok(ctx->key->alg, rr.mac_size))
		return HP_EMALF;
	if (ctx->unsigned_run == 0) {
		h = ctx_hmac(ctx);
		if (h == NULL)
			return HP_ECRYPTO;
		ret = digest_prior(h, ctx->mac, ctx->mac_len);
		if (ret < 0)
			return ret;
	}
	ret = mac_of(ctx->run, p, &rr, ctx->nsigned > 0, mac, &mac_len);
	if (ret < 0)
		return ret;
	if (tsig_memcmp(mac, rr.mac, rr.mac_size) != 0)
		return HP_EBADSIG;
	if (rr.error != 0)
		return tsig_error_code(rr.error);
	/* A response is held to our own fudge as well. */
	if (!time_ok(now, rr.time_signed, rr.fudge, ctx->fudge))
		return HP_EBADTIME;
	memcpy(ctx->mac, rr.mac, rr.mac_size);
	ctx->mac_len = rr.mac_size;
	ctx->nsigned++;
	ctx->unsigned_run = 0;
	return 0;
}

int
tsig_client_finish(const struct tsig_ctx *ctx)
{
	if (ctx->nsigned == 0 || ctx->unsigned_run > 0)
		return HP_ENOTSIG;
	return 0;
}
