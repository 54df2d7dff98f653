/* cds.c -- see cds.h. SPDX-License-Identifier: GPL-3.0-or-later */
#include "dns/err.h"
#include "dns/wire.h"
#include "signer/cds.h"

static int
reached(int64_t t, int64_t now)
{
	return t != 0 && t <= now;
}

int
cds_wanted(const struct keys_state *keys, size_t n, size_t i,
    const struct sign_policy *p, int64_t now)
{
	const struct keys_state *k = &keys[i];
	size_t j;

	if (p->cds_publish == SIGN_CDS_NONE || !(k->role & KEYS_KSK) ||
	    !keys_published(k, now) || !reached(k->ready, now) ||
	    k->retire != 0)
		return 0;
	if (p->cds_publish == SIGN_CDS_ROLLOVER && k->ds_seen != 0)
		return 0;
	for (j = 0; j < n; j++)
		if (j != i && (keys[j].role & KEYS_KSK) &&
		    keys_published(&keys[j], now) &&
		    reached(keys[j].ready, now) && keys[j].retire == 0 &&
		    keys[j].created > k->created)
			return 0;
	return 1;
}

int
cds_records(const struct keys_state *keys, size_t n,
    const struct sign_policy *p, const uint8_t *apex, int64_t now,
    struct sign_rrs *out)
{
	uint8_t rd[KEYS_DNSKEY_MAX > KEYS_DS_MAX ? KEYS_DNSKEY_MAX :
	    KEYS_DS_MAX];
	size_t i;
	int len, ret;

	for (i = 0; i < n; i++) {
		if (!cds_wanted(keys, n, i, p, now))
			continue;
		if ((len = keys_ds_rdata(&keys[i], apex, KEYS_DIGEST_SHA256,
		    rd)) < 0)
			return len;
		if ((ret = sign_rrs_add(out, apex, SIGN_T_CDS, WIRE_CLASS_IN,
		    p->dnskey_ttl, rd, (size_t)len)) < 0)
			return ret;
		len = (int)keys_dnskey_rdata(&keys[i], rd);
		if ((ret = sign_rrs_add(out, apex, SIGN_T_CDNSKEY,
		    WIRE_CLASS_IN, p->dnskey_ttl, rd, (size_t)len)) < 0)
			return ret;
	}
	return 0;
}
