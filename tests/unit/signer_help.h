/*
 * signer_help.h -- helpers shared by test_signer*.c: zone text to RRs
 * (libzscanner), base64 (libdnssec), and an independent check of a
 * signed zone: every RRSIG verified by libdnssec (GnuTLS), which shares
 * no code with the signer's OpenSSL signatures.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef TESTS_SIGNER_HELP_H
#define TESTS_SIGNER_HELP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libdnssec/binary.h>
#include <libdnssec/crypto.h>
#include <libdnssec/error.h>
#include <libdnssec/key.h>
#include <libdnssec/keytag.h>
#include <libdnssec/sign.h>
#include <libknot/libknot.h>
#include <libzscanner/scanner.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "signer/canon.h"
#include "signer/rrs.h"
#include "signer/rrsig.h"

/* Parse zone TEXT (origin ORIGIN) into L, owners lowercased; 0 or -1. */
static __attribute__((unused)) int
h_zone(const char *origin, const char *text, struct sign_rrs *l)
{
	uint8_t owner[KNOT_DNAME_MAXLEN];
	zs_scanner_t s;
	int ret = 0;

	if (zs_init(&s, origin, KNOT_CLASS_IN, 3600) != 0)
		return -1;
	if (zs_set_input_string(&s, text, strlen(text)) != 0) {
		zs_deinit(&s);
		return -1;
	}
	while (zs_parse_record(&s) == 0 && ret == 0) {
		if (s.state == ZS_STATE_ERROR) {
			fprintf(stderr, "line %llu: %s\n",
			    (unsigned long long)s.line_counter,
			    zs_strerror(s.error.code));
			ret = -1;
		} else if (s.state == ZS_STATE_DATA) {
			memcpy(owner, s.r_owner, s.r_owner_length);
			knot_dname_to_lower(owner);
			ret = sign_rrs_add(l, owner, s.r_type, s.r_class,
			    s.r_ttl, s.r_data, s.r_data_length);
		} else if (s.state == ZS_STATE_EOF || s.state == ZS_STATE_STOP)
			break;
	}
	zs_deinit(&s);
	return ret;
}

/* Base64 to bytes into OUT (SIZE); returns the length or -1. */
static __attribute__((unused)) int
h_b64(const char *text, uint8_t *out, size_t size)
{
	dnssec_binary_t in = { .size = strlen(text), .data = (uint8_t *)text },
	    bin = { 0 };
	int n;

	if (dnssec_binary_from_base64(&in, &bin) != DNSSEC_EOK)
		return -1;
	n = bin.size <= size ? (int)bin.size : -1;
	if (n > 0)
		memcpy(out, bin.data, bin.size);
	dnssec_binary_free(&bin);
	return n;
}

static __attribute__((unused)) int
h_name(const char *text, uint8_t *out)
{
	return dname_from_str(text, out, NULL);
}

/* Verify RRSIG SIG over SET (N RRs) with DNSKEY rdata KEY; 1 if valid. */
static __attribute__((unused)) int
h_verify(const struct sign_rr *sig, const struct sign_rr *const *set,
    size_t n, const uint8_t *key, size_t keylen)
{
	dnssec_binary_t rd = { .size = keylen, .data = (uint8_t *)key }, d,
	    s;
	struct rrsig_buf b;
	struct rrsig_info ri;
	dnssec_sign_ctx_t *ctx = NULL;
	dnssec_key_t *k = NULL;
	const uint8_t *data;
	size_t len;
	int ok = 0;

	memset(&b, 0, sizeof(b));
	if (rrsig_parse(sig->rdata, sig->rdlen, &ri) < 0 ||
	    rrsig_signed_data(&b, sig->rdata, sig->rdlen, set, n, &data,
	    &len) < 0)
		goto out;
	if (dnssec_key_new(&k) != DNSSEC_EOK ||
	    dnssec_key_set_rdata(k, &rd) != DNSSEC_EOK ||
	    dnssec_sign_new(&ctx, k) != DNSSEC_EOK)
		goto out;
	d.data = (uint8_t *)data;
	d.size = len;
	s.data = (uint8_t *)ri.sig;
	s.size = ri.siglen;
	ok = dnssec_sign_add(ctx, &d) == DNSSEC_EOK &&
	    dnssec_sign_verify(ctx, false, &s) == DNSSEC_EOK;
out:
	dnssec_sign_free(ctx);
	dnssec_key_free(k);
	rrsig_buf_free(&b);
	return ok;
}

/*
 * Check a signed zone Z (all RRs): every RRSIG verifies with a DNSKEY of
 * the zone whose tag it names, over the RRset it covers, inside its
 * validity at NOW. Returns the number of RRSIGs verified, or -1 (with a
 * line on stderr) at the first failure.
 */
static __attribute__((unused)) long
h_check_sigs(const struct sign_rrs *z, int64_t now)
{
	const struct sign_rr **set;
	struct rrsig_info ri;
	size_t i, j, n, k;
	long good = 0;
	char text[DNAME_MAXSTR];
	uint16_t tag;

	if ((set = malloc((z->n + 1) * sizeof(*set))) == NULL)
		return -1;
	for (i = 0; i < z->n; i++) {
		const struct sign_rr *sig = &z->rr[i];
		int ok = 0;

		if (sig->type != SIGN_T_RRSIG)
			continue;
		if (rrsig_parse(sig->rdata, sig->rdlen, &ri) < 0)
			goto bad;
		if ((int64_t)ri.inception > now || (int64_t)ri.expiration < now)
			goto bad;
		for (n = 0, j = 0; j < z->n; j++)
			if (z->rr[j].type == ri.covered &&
			    dname_equal(z->rr[j].owner, sig->owner))
				set[n++] = &z->rr[j];
		for (k = 0; k < z->n && !ok; k++) {
			const struct sign_rr *key = &z->rr[k];
			dnssec_binary_t rd = { .size = key->rdlen,
			    .data = (uint8_t *)key->rdata };

			if (key->type != SIGN_T_DNSKEY ||
			    dnssec_keytag(&rd, &tag) != DNSSEC_EOK ||
			    tag != ri.keytag)
				continue;
			ok = h_verify(sig, set, n, key->rdata, key->rdlen);
		}
		if (!ok)
			goto bad;
		good++;
		continue;
bad:
		dname_to_str(sig->owner, text, sizeof(text));
		fprintf(stderr, "RRSIG at %s over type %u does not verify\n",
		    text, ri.covered);
		free(set);
		return -1;
	}
	free(set);
	return good;
}

#endif
