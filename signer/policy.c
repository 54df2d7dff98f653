/* policy.c -- see policy.h. SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns/err.h"
#include "signer/policy.h"

#define DAY	86400u

static const struct alg_row {
	uint8_t number;
	const char *name;
	const char *iana;
} algs[] = {
	{ SIGN_ALG_ECDSAP256SHA256, "ecdsap256sha256", "ECDSAP256SHA256" },
	{ SIGN_ALG_ED25519, "ed25519", "ED25519" },
	{ SIGN_ALG_RSASHA256, "rsasha256", "RSASHA256" },
};
#define NALGS	(sizeof(algs) / sizeof(algs[0]))

int
sign_alg_from_name(const char *name)
{
	char *end;
	long v;
	size_t i;

	for (i = 0; i < NALGS; i++)
		if (strcasecmp(name, algs[i].name) == 0 ||
		    strcasecmp(name, algs[i].iana) == 0)
			return algs[i].number;
	v = strtol(name, &end, 10);
	if (*name != '\0' && *end == '\0')
		for (i = 0; i < NALGS; i++)
			if (algs[i].number == v)
				return algs[i].number;
	return -1;
}

const char *
sign_alg_name(uint8_t alg)
{
	size_t i;

	for (i = 0; i < NALGS; i++)
		if (algs[i].number == alg)
			return algs[i].name;
	return NULL;
}

int
sign_duration_parse(const char *text, uint32_t *out)
{
	unsigned long long v = 0, mult = 1;
	const char *p = text;

	if (!isdigit((unsigned char)*p))
		return HP_EPARSE;
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (unsigned)(*p++ - '0');
		if (v > UINT32_MAX)
			return HP_EPARSE;
	}
	switch (tolower((unsigned char)*p)) {
	case '\0':
		break;
	case 's':
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = DAY;
		break;
	case 'w':
		mult = 7 * DAY;
		break;
	default:
		return HP_EPARSE;
	}
	if (*p != '\0' && p[1] != '\0')
		return HP_EPARSE;
	if (v * mult > UINT32_MAX)
		return HP_EPARSE;
	*out = (uint32_t)(v * mult);
	return 0;
}

void
sign_policy_init(struct sign_policy *p, const char *name)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name ? name : "default");
	p->algorithm = SIGN_ALG_ECDSAP256SHA256;
	p->single_type = 1;
	p->nsec3 = 0;
	p->cds_publish = SIGN_CDS_ROLLOVER;
	p->rrsig_lifetime = 14 * DAY;
	p->rrsig_refresh = 5 * DAY;
	p->zsk_lifetime = 30 * DAY;
	p->ksk_lifetime = 0;
	p->nsec3_iterations = 0;
	p->nsec3_salt_len = 0;
	p->dnskey_ttl = 3600;
	p->zone_max_ttl = DAY;
	p->propagation_delay = 3600;
	p->parent_ds_ttl = DAY;
}

/* The statements, as a table: name, kind, where the value goes. */
enum kind { K_ALG, K_BOOL, K_DURATION, K_U16, K_SALT, K_CDS };

static const struct stmt {
	const char *name;
	enum kind kind;
	size_t off;
	uint32_t max;
} stmts[] = {
	{ "algorithm", K_ALG, offsetof(struct sign_policy, algorithm), 0 },
	{ "single-type-signing", K_BOOL,
	    offsetof(struct sign_policy, single_type), 0 },
	{ "rrsig-lifetime", K_DURATION,
	    offsetof(struct sign_policy, rrsig_lifetime), 0 },
	{ "rrsig-refresh", K_DURATION,
	    offsetof(struct sign_policy, rrsig_refresh), 0 },
	{ "zsk-lifetime", K_DURATION,
	    offsetof(struct sign_policy, zsk_lifetime), 0 },
	{ "ksk-lifetime", K_DURATION,
	    offsetof(struct sign_policy, ksk_lifetime), 0 },
	{ "nsec3", K_BOOL, offsetof(struct sign_policy, nsec3), 0 },
	{ "nsec3-iterations", K_U16,
	    offsetof(struct sign_policy, nsec3_iterations), 150 },
	{ "nsec3-salt", K_SALT, 0, 0 },
	{ "dnskey-ttl", K_DURATION, offsetof(struct sign_policy, dnskey_ttl),
	    0 },
	{ "zone-max-ttl", K_DURATION,
	    offsetof(struct sign_policy, zone_max_ttl), 0 },
	{ "propagation-delay", K_DURATION,
	    offsetof(struct sign_policy, propagation_delay), 0 },
	{ "parent-ds-ttl", K_DURATION,
	    offsetof(struct sign_policy, parent_ds_ttl), 0 },
	{ "cds-cdnskey-publish", K_CDS,
	    offsetof(struct sign_policy, cds_publish), 0 },
};
#define NSTMTS	(sizeof(stmts) / sizeof(stmts[0]))

static const char *cds_names[] = { "none", "rollover", "always" };

static int
parse_bool(const char *v, uint8_t *out)
{
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "on") == 0 ||
	    strcasecmp(v, "true") == 0)
		*out = 1;
	else if (strcasecmp(v, "no") == 0 || strcasecmp(v, "off") == 0 ||
	    strcasecmp(v, "false") == 0)
		*out = 0;
	else
		return HP_EPARSE;
	return 0;
}

static int
parse_salt(struct sign_policy *p, const char *v)
{
	size_t len = strlen(v), i;
	int hi, lo;

	if (strcmp(v, "-") == 0 || len == 0) {
		p->nsec3_salt_len = 0;
		return 0;
	}
	if (len % 2 != 0 || len / 2 > sizeof(p->nsec3_salt))
		return HP_EPARSE;
	for (i = 0; i < len / 2; i++) {
		hi = isxdigit((unsigned char)v[2 * i]);
		lo = isxdigit((unsigned char)v[2 * i + 1]);
		if (!hi || !lo)
			return HP_EPARSE;
	}
	for (i = 0; i < len / 2; i++) {
		char two[3] = { v[2 * i], v[2 * i + 1], '\0' };

		p->nsec3_salt[i] = (uint8_t)strtoul(two, NULL, 16);
	}
	p->nsec3_salt_len = (uint8_t)(len / 2);
	return 0;
}

int
sign_policy_set(struct sign_policy *p, const char *name, const char *value,
    char *err, size_t errlen)
{
	const struct stmt *s = NULL;
	uint8_t *base = (uint8_t *)p;
	uint32_t d;
	long v;
	char *end;
	size_t i;
	int a;

	for (i = 0; i < NSTMTS; i++)
		if (strcmp(stmts[i].name, name) == 0)
			s = &stmts[i];
	if (s == NULL) {
		snprintf(err, errlen, "unknown dnssec-policy statement '%s'",
		    name);
		return HP_ENOENT;
	}
	switch (s->kind) {
	case K_ALG:
		if ((a = sign_alg_from_name(value)) < 0) {
			snprintf(err, errlen, "unknown algorithm '%s' (known: "
			    "ecdsap256sha256, ed25519, rsasha256)", value);
			return HP_ECONF;
		}
		base[s->off] = (uint8_t)a;
		return 0;
	case K_BOOL:
		if (parse_bool(value, base + s->off) < 0) {
			snprintf(err, errlen, "%s: expected yes or no, not '%s'",
			    name, value);
			return HP_ECONF;
		}
		return 0;
	case K_DURATION:
		if (sign_duration_parse(value, &d) < 0) {
			snprintf(err, errlen, "%s: '%s' is not a duration "
			    "(e.g. 3600, 90m, 12h, 14d, 2w)", name, value);
			return HP_ECONF;
		}
		memcpy(base + s->off, &d, sizeof(d));
		return 0;
	case K_U16:
		v = strtol(value, &end, 10);
		if (*value == '\0' || *end != '\0' || v < 0 ||
		    (uint32_t)v > s->max) {
			snprintf(err, errlen, "%s: expected a number from 0 to "
			    "%u, not '%s'", name, s->max, value);
			return HP_ECONF;
		}
		{
			uint16_t u = (uint16_t)v;

			memcpy(base + s->off, &u, sizeof(u));
		}
		return 0;
	case K_SALT:
		if (parse_salt(p, value) < 0) {
			snprintf(err, errlen, "nsec3-salt: expected hex digits "
			    "(at most 255 octets) or '-', not '%s'", value);
			return HP_ECONF;
		}
		return 0;
	case K_CDS:
		for (i = 0; i < sizeof(cds_names) / sizeof(cds_names[0]); i++)
			if (strcasecmp(value, cds_names[i]) == 0) {
				base[s->off] = (uint8_t)i;
				return 0;
			}
		snprintf(err, errlen, "cds-cdnskey-publish: expected none, "
		    "rollover or always, not '%s'", value);
		return HP_ECONF;
	}
	return HP_ECONF;
}

int
sign_policy_check(const struct sign_policy *p, char *err, size_t errlen)
{
	if (sign_alg_name(p->algorithm) == NULL) {
		snprintf(err, errlen, "dnssec-policy %s: unsupported algorithm "
		    "%u", p->name, p->algorithm);
		return HP_ECONF;
	}
	if (p->rrsig_refresh == 0 || p->rrsig_refresh >= p->rrsig_lifetime) {
		snprintf(err, errlen, "dnssec-policy %s: rrsig-refresh (%u) "
		    "must be above 0 and below rrsig-lifetime (%u)", p->name,
		    p->rrsig_refresh, p->rrsig_lifetime);
		return HP_ECONF;
	}
	/* A signature must outlive the records it covers in caches. */
	if (p->rrsig_refresh <= p->zone_max_ttl) {
		snprintf(err, errlen, "dnssec-policy %s: rrsig-refresh (%u) "
		    "must exceed zone-max-ttl (%u), or cached records outlive "
		    "their signatures", p->name, p->rrsig_refresh,
		    p->zone_max_ttl);
		return HP_ECONF;
	}
	if (p->dnskey_ttl > p->zone_max_ttl) {
		snprintf(err, errlen, "dnssec-policy %s: dnskey-ttl (%u) "
		    "exceeds zone-max-ttl (%u)", p->name, p->dnskey_ttl,
		    p->zone_max_ttl);
		return HP_ECONF;
	}
	if (p->zsk_lifetime != 0 && p->zsk_lifetime < p->rrsig_lifetime) {
		snprintf(err, errlen, "dnssec-policy %s: zsk-lifetime (%u) is "
		    "shorter than rrsig-lifetime (%u)", p->name,
		    p->zsk_lifetime, p->rrsig_lifetime);
		return HP_ECONF;
	}
	return 0;
}

static void
print_dur(FILE *f, const char *indent, const char *name, uint32_t v)
{
	if (v != 0 && v % (7 * DAY) == 0)
		fprintf(f, "%s%s: %uw\n", indent, name, v / (7 * DAY));
	else if (v != 0 && v % DAY == 0)
		fprintf(f, "%s%s: %ud\n", indent, name, v / DAY);
	else if (v != 0 && v % 3600 == 0)
		fprintf(f, "%s%s: %uh\n", indent, name, v / 3600);
	else
		fprintf(f, "%s%s: %u\n", indent, name, v);
}

void
sign_policy_print(const struct sign_policy *p, FILE *f, const char *indent)
{
	size_t i;

	fprintf(f, "%sname: %s\n", indent, p->name);
	fprintf(f, "%salgorithm: %s\n", indent,
	    sign_alg_name(p->algorithm) ? sign_alg_name(p->algorithm) : "?");
	fprintf(f, "%ssingle-type-signing: %s\n", indent,
	    p->single_type ? "yes" : "no");
	print_dur(f, indent, "rrsig-lifetime", p->rrsig_lifetime);
	print_dur(f, indent, "rrsig-refresh", p->rrsig_refresh);
	print_dur(f, indent, "zsk-lifetime", p->zsk_lifetime);
	print_dur(f, indent, "ksk-lifetime", p->ksk_lifetime);
	fprintf(f, "%snsec3: %s\n", indent, p->nsec3 ? "yes" : "no");
	fprintf(f, "%snsec3-iterations: %u\n", indent, p->nsec3_iterations);
	fprintf(f, "%snsec3-salt: ", indent);
	if (p->nsec3_salt_len == 0)
		fputc('-', f);
	for (i = 0; i < p->nsec3_salt_len; i++)
		fprintf(f, "%02x", p->nsec3_salt[i]);
	fputc('\n', f);
	print_dur(f, indent, "dnskey-ttl", p->dnskey_ttl);
	print_dur(f, indent, "zone-max-ttl", p->zone_max_ttl);
	print_dur(f, indent, "propagation-delay", p->propagation_delay);
	print_dur(f, indent, "parent-ds-ttl", p->parent_ds_ttl);
	fprintf(f, "%scds-cdnskey-publish: %s\n", indent,
	    cds_names[p->cds_publish < 3 ? p->cds_publish : 0]);
}
