/*
 * keys.c -- key state, DNSKEY/DS rdata, key tags and ids (keys.h).
 * Key tags, key ids and DS digests come from libdnssec.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libdnssec/binary.h>
#include <libdnssec/error.h>
#include <libdnssec/key.h>
#include <libdnssec/keytag.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "signer/keys.h"
#include "signer/policy.h"

uint16_t
keys_flags(const struct keys_state *k)
{
	return (uint16_t)(KEYS_FLAG_ZONE |
	    ((k->role & KEYS_KSK) ? KEYS_FLAG_SEP : 0));
}

size_t
keys_dnskey_rdata(const struct keys_state *k, uint8_t *out)
{
	uint16_t flags = keys_flags(k);

	out[0] = (uint8_t)(flags >> 8);
	out[1] = (uint8_t)flags;
	out[2] = 3;			/* protocol (RFC 4034 2.1.2) */
	out[3] = k->algorithm;
	memcpy(out + 4, k->pubkey, k->publen);
	return 4 + (size_t)k->publen;
}

int
keys_tag(const uint8_t *dnskey, size_t len, uint16_t *tag)
{
	dnssec_binary_t rd = { .size = len, .data = (uint8_t *)dnskey };

	if (len < 4 || dnssec_keytag(&rd, tag) != DNSSEC_EOK)
		return HP_EMALF;
	return 0;
}

/* A libdnssec key holding the public part of DNSKEY rdata. */
static int
dkey_from_rdata(const uint8_t *dnskey, size_t len, const uint8_t *apex,
    dnssec_key_t **out)
{
	dnssec_binary_t rd = { .size = len, .data = (uint8_t *)dnskey };
	dnssec_key_t *key;

	if (dnssec_key_new(&key) != DNSSEC_EOK)
		return HP_ENOMEM;
	if ((apex != NULL && dnssec_key_set_dname(key, apex) != DNSSEC_EOK) ||
	    dnssec_key_set_rdata(key, &rd) != DNSSEC_EOK) {
		dnssec_key_free(key);
		return HP_EMALF;
	}
	*out = key;
	return 0;
}

int
keys_id(const uint8_t *dnskey, size_t len, char id[KEYS_ID_LEN + 1])
{
	dnssec_key_t *key;
	char *s = NULL;
	int ret;

	if ((ret = dkey_from_rdata(dnskey, len, NULL, &key)) < 0)
		return ret;
	ret = HP_ECRYPTO;
	if (dnssec_key_get_keyid(key, &s) == DNSSEC_EOK && s != NULL &&
	    strlen(s) == KEYS_ID_LEN) {
		memcpy(id, s, KEYS_ID_LEN + 1);
		ret = 0;
	}
	free(s);
	dnssec_key_free(key);
	return ret;
}

int
keys_ds_rdata(const struct keys_state *k, const uint8_t *apex,
    uint8_t digest, uint8_t *out)
{
	uint8_t rd[KEYS_DNSKEY_MAX];
	dnssec_binary_t ds = { 0 };
	dnssec_key_t *key;
	size_t len = keys_dnskey_rdata(k, rd);
	int ret;

	if (digest != KEYS_DIGEST_SHA256)
		return HP_ENOTSUP;
	if ((ret = dkey_from_rdata(rd, len, apex, &key)) < 0)
		return ret;
	ret = HP_ECRYPTO;
	if (dnssec_key_create_ds(key, DNSSEC_KEY_DIGEST_SHA256, &ds) ==
	    DNSSEC_EOK && ds.size <= KEYS_DS_MAX) {
		memcpy(out, ds.data, ds.size);
		ret = (int)ds.size;
	}
	dnssec_binary_free(&ds);
	dnssec_key_free(key);
	return ret;
}

/* Is T (0 = unset) reached at NOW? Is it still in the future? */
static int
reached(int64_t t, int64_t now)
{
	return t != 0 && t <= now;
}

int
keys_published(const struct keys_state *k, int64_t now)
{
	return reached(k->publish, now) && !reached(k->remove, now);
}

static int
signing(const struct keys_state *k, int64_t now)
{
	return reached(k->active, now) && !reached(k->retire, now) &&
	    keys_published(k, now);
}

int
keys_signs_zone(const struct keys_state *k, int64_t now)
{
	return (k->role & KEYS_ZSK) && signing(k, now);
}

int
keys_signs_dnskey(const struct keys_state *k, int64_t now)
{
	return (k->role & KEYS_KSK) && signing(k, now);
}

static const char *role_names[] = { "?", "ZSK", "KSK", "CSK" };

const char *
keys_role_name(uint8_t role)
{
	return role_names[role & 3];
}

/* The timestamps, as a table, for the text form. */
static const struct {
	const char *name;
	size_t off;
} times[] = {
	{ "created", offsetof(struct keys_state, created) },
	{ "publish", offsetof(struct keys_state, publish) },
	{ "active", offsetof(struct keys_state, active) },
	{ "ready", offsetof(struct keys_state, ready) },
	{ "ds_seen", offsetof(struct keys_state, ds_seen) },
	{ "retire", offsetof(struct keys_state, retire) },
	{ "resigned", offsetof(struct keys_state, resigned) },
	{ "remove", offsetof(struct keys_state, remove) },
	{ "step", offsetof(struct keys_state, step) },
	{ "seen", offsetof(struct keys_state, seen) },
};
#define NTIMES	(sizeof(times) / sizeof(times[0]))

int
keys_state_format(const struct keys_state *k, char *buf, size_t size)
{
	dnssec_binary_t pub = { .size = k->publen,
	    .data = (uint8_t *)k->pubkey }, b64 = { 0 };
	int64_t t;
	size_t len, i;
	int n;

	if (dnssec_binary_to_base64(&pub, &b64) != DNSSEC_EOK)
		return HP_ENOMEM;
	n = snprintf(buf, size, "id=%s tag=%u alg=%u role=%s pub=%.*s", k->id,
	    k->keytag, k->algorithm, keys_role_name(k->role), (int)b64.size,
	    (const char *)b64.data);
	dnssec_binary_free(&b64);
	if (n < 0 || (size_t)n >= size)
		return HP_ESPACE;
	len = (size_t)n;
	for (i = 0; i < NTIMES; i++) {
		memcpy(&t, (const uint8_t *)k + times[i].off, sizeof(t));
		n = snprintf(buf + len, size - len, " %s=%" PRId64,
		    times[i].name, t);
		if (n < 0 || (size_t)n >= size - len)
			return HP_ESPACE;
		len += (size_t)n;
	}
	return 0;
}

static int
parse_field(struct keys_state *k, const char *name, size_t nlen,
    const char *val, size_t vlen)
{
	dnssec_binary_t in = { .size = vlen, .data = (uint8_t *)val },
	    out = { 0 };
	char tmp[32], *end;
	long long v;
	size_t i;

	if (nlen == 2 && memcmp(name, "id", 2) == 0) {
		if (vlen != KEYS_ID_LEN)
			return HP_EPARSE;
		for (i = 0; i < vlen; i++)
			if (!isxdigit((unsigned char)val[i]))
				return HP_EPARSE;
		memcpy(k->id, val, vlen);
		k->id[vlen] = '\0';
		return 0;
	}
	if (nlen == 4 && memcmp(name, "role", 4) == 0) {
		for (i = 1; i < 4; i++)
			if (vlen == 3 && strncasecmp(val, role_names[i], 3) == 0) {
				k->role = (uint8_t)i;
				return 0;
			}
		return HP_EPARSE;
	}
	if (nlen == 3 && memcmp(name, "pub", 3) == 0) {
		if (dnssec_binary_from_base64(&in, &out) != DNSSEC_EOK)
			return HP_EPARSE;
		if (out.size == 0 || out.size > KEYS_PUB_MAX) {
			dnssec_binary_free(&out);
			return HP_EPARSE;
		}
		memcpy(k->pubkey, out.data, out.size);
		k->publen = (uint16_t)out.size;
		dnssec_binary_free(&out);
		return 0;
	}
	if (vlen == 0 || vlen >= sizeof(tmp))
		return HP_EPARSE;
	memcpy(tmp, val, vlen);
	tmp[vlen] = '\0';
	v = strtoll(tmp, &end, 10);
	if (*end != '\0')
		return HP_EPARSE;
	if (nlen == 3 && memcmp(name, "tag", 3) == 0 && v >= 0 && v <= 65535) {
		k->keytag = (uint16_t)v;
		return 0;
	}
	if (nlen == 3 && memcmp(name, "alg", 3) == 0 && v > 0 && v < 256) {
		k->algorithm = (uint8_t)v;
		return 0;
	}
	for (i = 0; i < NTIMES; i++)
		if (strlen(times[i].name) == nlen &&
		    memcmp(times[i].name, name, nlen) == 0) {
			int64_t t = v;

			memcpy((uint8_t *)k + times[i].off, &t, sizeof(t));
			return 0;
		}
	return HP_EPARSE;
}

int
keys_state_parse(const char *line, struct keys_state *k)
{
	const char *p = line, *name, *eq, *end;
	uint8_t rd[KEYS_DNSKEY_MAX];
	uint16_t tag;
	int ret;

	memset(k, 0, sizeof(*k));
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '\n')
			break;
		name = p;
		end = p + strcspn(p, " \t\n");
		if ((eq = memchr(name, '=', (size_t)(end - name))) == NULL)
			return HP_EPARSE;
		if ((ret = parse_field(k, name, (size_t)(eq - name), eq + 1,
		    (size_t)(end - eq - 1))) < 0)
			return ret;
		p = end;
	}
	if (k->id[0] == '\0' || k->role == 0 || k->publen == 0 ||
	    sign_alg_name(k->algorithm) == NULL)
		return HP_EPARSE;
	if (keys_tag(rd, keys_dnskey_rdata(k, rd), &tag) < 0 ||
	    tag != k->keytag)
		return HP_EPARSE;
	return 0;
}
