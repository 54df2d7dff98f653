/*
 * validate.c -- the one validator of every way into the store.
 *
 * Per RR (store_check_rr): the owner as the store keeps it (absolute,
 * lowercase, libknot's presentation form, at or below the apex), the type
 * (no meta or query type), the class (IN, what an import accepts), the
 * TTL (RFC 2181 8) and the rdata: its length and field structure for the
 * types of the table below (at least what libknot's descriptors demand,
 * so that kdig, Knot, NSD and BIND parse what we send), RFC 3597 opaque
 * data for the others.
 *
 * Per owner (vowner_*): one CNAME and nothing beside it but RRSIG/NSEC
 * (RFC 1034 3.6.2, RFC 4035 2.5), one DNAME (RFC 6672 2.4); and for the
 * zone: one SOA, at the apex, NS at the apex, nothing below a DNAME
 * (RFC 6672 2.3). zset_check() applies them to a zone text in memory;
 * check_change() to the owners a change touched, on the rows of the
 * records table inside the change's write transaction (SQL edits, merged
 * imports, later dynamic updates).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libknot/libknot.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/wire.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/zset.h"

/*
 * Rdata forms: one character per field, in order.
 *   '1'..'9'  that many octets     'a'  16 octets
 *   'n'  an uncompressed domain name
 *   's'  a character-string (length octet, then that many)
 *   'S'  a character-string of at least one octet (CAA tag)
 *   'T'  one or more character-strings, to the end (TXT)
 *   'h'  NSEC3's next hashed owner: a length octet (> 0), the hash
 *   'b'  a type bitmap (RFC 4034 4.1.2), to the end, possibly empty
 *   'p'  SVCB parameters (RFC 9460 2.2), to the end
 *   'g'  IPSECKEY's gateway, of the type in the second octet (RFC 4025)
 *   'A'  APL items (RFC 3123 4), to the end
 *   'r'  the rest, possibly empty    'R'  the rest, at least one octet
 * A form ends the rdata exactly: octets left over are an error.
 */
static const char *const rdata_forms[] = {
	[1] = "4",		/* A */
	[2] = "n",		/* NS */
	[3] = "n",		/* MD */
	[4] = "n",		/* MF */
	[5] = "n",		/* CNAME */
	[6] = "nn44444",	/* SOA */
	[7] = "n",		/* MB */
	[8] = "n",		/* MG */
	[9] = "n",		/* MR */
	[10] = "r",		/* NULL */
	[11] = "41r",		/* WKS */
	[12] = "n",		/* PTR */
	[13] = "ss",		/* HINFO */
	[14] = "nn",		/* MINFO */
	[15] = "2n",		/* MX */
	[16] = "T",		/* TXT */
	[17] = "nn",		/* RP */
	[18] = "2n",		/* AFSDB */
	[19] = "s",		/* X25 */
	[21] = "2n",		/* RT */
	[22] = "R",		/* NSAP */
	[23] = "n",		/* NSAP-PTR */
	[24] = "2114442nR",	/* SIG */
	[25] = "211r",		/* KEY */
	[26] = "2nn",		/* PX */
	[27] = "sss",		/* GPOS */
	[28] = "a",		/* AAAA */
	[29] = "1111444",	/* LOC (version 0, RFC 1876) */
	[30] = "nb",		/* NXT */
	[33] = "222n",		/* SRV */
	[35] = "22sssn",	/* NAPTR */
	[36] = "2n",		/* KX */
	[37] = "221r",		/* CERT */
	[39] = "n",		/* DNAME */
	[42] = "A",		/* APL */
	[43] = "212r",		/* DS */
	[44] = "11r",		/* SSHFP */
	[45] = "111gr",		/* IPSECKEY */
	[46] = "2114442nR",	/* RRSIG */
	[47] = "nb",		/* NSEC */
	[48] = "211r",		/* DNSKEY */
	[49] = "R",		/* DHCID */
	[50] = "112shb",	/* NSEC3 */
	[51] = "112s",		/* NSEC3PARAM */
	[52] = "111r",		/* TLSA */
	[53] = "111r",		/* SMIMEA */
	[59] = "212r",		/* CDS */
	[60] = "211r",		/* CDNSKEY */
	[61] = "R",		/* OPENPGPKEY */
	[62] = "42b",		/* CSYNC */
	[63] = "411R",		/* ZONEMD */
	[64] = "2np",		/* SVCB */
	[65] = "2np",		/* HTTPS */
	[99] = "T",		/* SPF */
	[104] = "28",		/* NID */
	[105] = "24",		/* L32 */
	[106] = "28",		/* L64 */
	[107] = "2n",		/* LP */
	[108] = "6",		/* EUI48 */
	[109] = "8",		/* EUI64 */
	[256] = "22R",		/* URI */
	[257] = "1Sr",		/* CAA */
};
#define NFORMS	(sizeof(rdata_forms) / sizeof(rdata_forms[0]))

#define TTL_MAX	2147483647u	/* RFC 2181 8 */

static const char *
type_name(uint16_t type, char *buf, size_t len)
{
	if (knot_rrtype_to_string(type, buf, len) < 0)
		snprintf(buf, len, "TYPE%u", type);
	return buf;
}

/* A type bitmap (RFC 4034 4.1.2): windows in increasing order, each of
 * 1..32 octets. */
static int
check_bitmap(const uint8_t *p, size_t len)
{
	size_t i = 0;
	int last = -1;

	while (i < len) {
		if (len - i < 2 || p[i + 1] == 0 || p[i + 1] > 32 ||
		    (int)p[i] <= last || len - i - 2 < p[i + 1])
			return -1;
		last = p[i];
		i += 2 + (size_t)p[i + 1];
	}
	return 0;
}

/* SVCB parameters (RFC 9460 2.2): key, length, value; keys increasing. */
static int
check_svcparams(const uint8_t *p, size_t len)
{
	size_t i = 0, vl;
	long last = -1, key;

	while (i < len) {
		if (len - i < 4)
			return -1;
		key = (long)(p[i] << 8 | p[i + 1]);
		vl = (size_t)(p[i + 2] << 8 | p[i + 3]);
		if (key <= last || len - i - 4 < vl)
			return -1;
		last = key;
		i += 4 + vl;
	}
	return 0;
}

/* APL items (RFC 3123 4): family, prefix, N|AFDLENGTH, AFDPART. */
static int
check_apl(const uint8_t *p, size_t len)
{
	size_t i = 0, afd;

	while (i < len) {
		if (len - i < 4)
			return -1;
		afd = p[i + 3] & 0x7f;
		if (len - i - 4 < afd)
			return -1;
		i += 4 + afd;
	}
	return 0;
}

/* IPSECKEY's gateway (RFC 4025 2.3, 2.5), of gateway type GT. */
static int
check_gateway(uint8_t gt, const uint8_t *p, size_t len, size_t *used)
{
	int n;

	switch (gt) {
	case 0:
		*used = 0;
		return 0;
	case 1:
		*used = 4;
		return len < 4 ? -1 : 0;
	case 2:
		*used = 16;
		return len < 16 ? -1 : 0;
	case 3:
		if ((n = dname_wire_len(p, len)) < 0)
			return -1;
		*used = (size_t)n;
		return 0;
	default:
		return -1;
	}
}

/*
 * RDATA (LEN octets) against FORM: 0, or -1 with *WHY (static text)
 * saying what is wrong.
 */
static int
check_form(const char *form, const uint8_t *rd, size_t len, const char **why)
{
	const char *f;
	size_t i = 0, n;
	int k;

	for (f = form; *f != '\0'; f++) {
		switch (*f) {
		case 'n':
			if ((k = dname_wire_len(rd + i, len - i)) < 0) {
				*why = i == len ? "the rdata ends before a "
				    "domain name" : "a domain name in the rdata "
				    "is malformed (compressed, a label over 63 "
				    "octets or over 255 in all)";
				return -1;
			}
			i += (size_t)k;
			break;
		case 's':
		case 'S':
			if (i == len || len - i - 1 < rd[i]) {
				*why = "a character-string runs past the rdata";
				return -1;
			}
			if (*f == 'S' && rd[i] == 0) {
				*why = "an empty tag";
				return -1;
			}
			i += 1 + (size_t)rd[i];
			break;
		case 'T':
			if (i == len) {
				*why = "no character-string";
				return -1;
			}
			while (i < len) {
				if (len - i - 1 < rd[i]) {
					*why = "a character-string runs past "
					    "the rdata";
					return -1;
				}
				i += 1 + (size_t)rd[i];
			}
			break;
		case 'h':
			if (i == len || rd[i] == 0 || len - i - 1 < rd[i]) {
				*why = "the next hashed owner name is empty or "
				    "runs past the rdata";
				return -1;
			}
			i += 1 + (size_t)rd[i];
			break;
		case 'b':
			if (check_bitmap(rd + i, len - i) < 0) {
				*why = "a malformed type bitmap";
				return -1;
			}
			i = len;
			break;
		case 'p':
			if (check_svcparams(rd + i, len - i) < 0) {
				*why = "malformed service parameters";
				return -1;
			}
			i = len;
			break;
		case 'A':
			if (check_apl(rd + i, len - i) < 0) {
				*why = "a malformed address prefix item";
				return -1;
			}
			i = len;
			break;
		case 'g':
			if (i < 2 || check_gateway(rd[i - 2], rd + i, len - i,
			    &n) < 0) {
				*why = "a malformed gateway";
				return -1;
			}
			i += n;
			break;
		case 'R':
			if (i == len) {
				*why = "an empty last field";
				return -1;
			}
			/* FALLTHROUGH */
		case 'r':
			i = len;
			break;
		default:
			n = *f == 'a' ? 16 : (size_t)(*f - '0');
			if (len - i < n) {
				*why = "the rdata ends inside a field";
				return -1;
			}
			i += n;
		}
	}
	if (i != len) {
		*why = "octets after the last field";
		return -1;
	}
	return 0;
}

/* Whether a form is only fixed fields, and their total (A: 4). */
static size_t
form_fixed(const char *form)
{
	size_t n = 0;

	for (; *form != '\0'; form++) {
		if (*form == 'a')
			n += 16;
		else if (*form >= '1' && *form <= '9')
			n += (size_t)(*form - '0');
		else
			return 0;
	}
	return n;
}

int
store_check_rdata(uint16_t type, const uint8_t *rdata, size_t rdlen,
    char *why, size_t whylen)
{
	const char *form = type < NFORMS ? rdata_forms[type] : NULL;
	const char *what;
	char tn[32];
	size_t fixed;

	if (rdlen > UINT16_MAX) {
		snprintf(why, whylen, "rdata of %zu octets (at most 65535)",
		    rdlen);
		return HP_EINVALID;
	}
	if (form == NULL)
		return 0;	/* RFC 3597: opaque */
	if (check_form(form, rdata, rdlen, &what) == 0)
		return 0;
	fixed = form_fixed(form);
	if (fixed > 0)
		snprintf(why, whylen, "rdata is %zu octet%s, %s takes %zu",
		    rdlen, rdlen == 1 ? "" : "s", type_name(type, tn,
		    sizeof(tn)), fixed);
	else
		snprintf(why, whylen, "malformed %s rdata: %s",
		    type_name(type, tn, sizeof(tn)), what);
	return HP_EINVALID;
}

/* OWNER (LEN octets) as the store keeps names in zone APEX. */
static int
check_owner(const char *apex, const char *owner, size_t len, char *why,
    size_t whylen)
{
	uint8_t wire[KNOT_DNAME_MAXLEN], apexw[KNOT_DNAME_MAXLEN];
	char text[DNAME_MAXSTR], canon[DNAME_MAXSTR];
	size_t i;

	if (owner == NULL || len == 0) {
		snprintf(why, whylen, "empty owner");
		return HP_EINVALID;
	}
	if (len >= sizeof(text) || memchr(owner, '\0', len) != NULL) {
		snprintf(why, whylen, "owner is not a domain name");
		return HP_EINVALID;
	}
	memcpy(text, owner, len);
	text[len] = '\0';
	if (knot_dname_from_str(wire, text, sizeof(wire)) == NULL) {
		snprintf(why, whylen, "owner '%s' is not a domain name", text);
		return HP_EINVALID;
	}
	knot_dname_to_lower(wire);
	if (knot_dname_to_str(canon, wire, sizeof(canon)) == NULL) {
		snprintf(why, whylen, "owner '%s' is not a domain name", text);
		return HP_EINVALID;
	}
	/* Refused, not rewritten: the row is what would be served. */
	if (text[len - 1] != '.' || strcmp(text, canon) != 0) {
		for (i = 0; i < len && !(text[i] >= 'A' && text[i] <= 'Z'); i++)
			;
		snprintf(why, whylen, "owner '%s' is not %s: write '%s'", text,
		    text[len - 1] != '.' ? "absolute (a final dot)" :
		    i < len ? "lowercase" : "in presentation form", canon);
		return HP_EINVALID;
	}
	if (knot_dname_from_str(apexw, apex, sizeof(apexw)) == NULL ||
	    knot_dname_in_bailiwick(wire, apexw) < 0) {
		snprintf(why, whylen, "owner %s is outside the zone %s", text,
		    apex);
		return HP_EINVALID;
	}
	return 0;
}

int
store_check_type(int64_t type, int64_t rclass, int64_t ttl, char *why,
    size_t whylen)
{
	if (type <= 0 || type > UINT16_MAX || type == WIRE_TYPE_OPT ||
	    (type >= 128 && type <= 255)) {
		snprintf(why, whylen, "type %lld is %s", (long long)type,
		    type < 0 || type > UINT16_MAX ? "out of range" :
		    type == 0 ? "reserved" : "a meta or query type, not data");
		return HP_EINVALID;
	}
	if (rclass != WIRE_CLASS_IN) {
		snprintf(why, whylen, "class %lld is not IN (1)",
		    (long long)rclass);
		return HP_EINVALID;
	}
	if (ttl < 0 || ttl > TTL_MAX) {
		snprintf(why, whylen, "TTL %lld is out of range (0..%u, RFC "
		    "2181 8)", (long long)ttl, TTL_MAX);
		return HP_EINVALID;
	}
	return 0;
}

int
store_check_rr(const char *apex, const char *owner, size_t owner_len,
    int64_t type, int64_t rclass, int64_t ttl, const uint8_t *rdata,
    size_t rdlen, char *why, size_t whylen)
{
	int r;

	if ((r = check_owner(apex, owner, owner_len, why, whylen)) < 0 ||
	    (r = store_check_type(type, rclass, ttl, why, whylen)) < 0)
		return r;
	return store_check_rdata((uint16_t)type, rdata, rdlen, why, whylen);
}

/* ---- the rules at one owner ---------------------------------------- */

void
vowner_add(struct vowner *v, uint16_t type)
{
	if (type == WIRE_TYPE_CNAME)
		v->cname++;
	else if (type == WIRE_TYPE_DNAME) {
		v->dname++;
		v->other++;
	} else if (type != WIRE_TYPE_RRSIG && type != WIRE_TYPE_NSEC)
		v->other++;
}

unsigned
vowner_check(const struct vowner *v)
{
	unsigned bad = 0;

	if (v->cname > 1)
		bad |= VOWN_MULTI_CNAME;
	if (v->cname > 0 && v->other > 0)
		bad |= VOWN_CNAME_OTHER;
	if (v->dname > 1)
		bad |= VOWN_MULTI_DNAME;
	return bad;
}

const char *
vowner_msg(unsigned bit)
{
	switch (bit) {
	case VOWN_MULTI_CNAME:
		return "more than one CNAME";
	case VOWN_CNAME_OTHER:
		return "CNAME beside other data";
	case VOWN_MULTI_DNAME:
		return "more than one DNAME (RFC 6672 2.4)";
	default:
		return "?";
	}
}

/* ---- nothing below a DNAME ----------------------------------------- */

const char *
vname_parent(const char *s, size_t len, size_t *plen)
{
	size_t i = 0;

	if (len <= 1)
		return NULL;	/* the root */
	while (i < len && s[i] != '.') {
		if (s[i] == '\\')
			i += i + 1 < len && s[i + 1] >= '0' &&
			    s[i + 1] <= '9' ? 4 : 2;
		else
			i++;
	}
	if (i >= len)
		return NULL;
	i++;			/* past the dot */
	if (i == len) {
		*plen = 1;
		return s + len - 1;	/* "." */
	}
	*plen = len - i;
	return s + i;
}

static int
vname_cmp(const void *a, const void *b)
{
	const struct vname *x = a, *y = b;
	int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);

	return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

int
vnames_add(struct vnames *v, const char *s, size_t len)
{
	struct vname *nv;

	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 16;
		if ((nv = realloc(v->v, v->cap * sizeof(*nv))) == NULL)
			return HP_ENOMEM;
		v->v = nv;
	}
	if (v->owns) {
		char *c = malloc(len + 1);

		if (c == NULL)
			return HP_ENOMEM;
		memcpy(c, s, len);
		c[len] = '\0';
		s = c;
	}
	v->v[v->n].s = s;
	v->v[v->n].len = len;
	v->n++;
	return 0;
}

void
vnames_sort(struct vnames *v)
{
	size_t i, j;

	if (v->n > 1)
		qsort(v->v, v->n, sizeof(*v->v), vname_cmp);
	for (i = 0, j = 0; i < v->n; i++) {
		if (j == 0 || vname_cmp(&v->v[j - 1], &v->v[i]) != 0)
			v->v[j++] = v->v[i];
		else if (v->owns)
			free((char *)(uintptr_t)v->v[i].s);
	}
	v->n = j;
}

void
vnames_free(struct vnames *v)
{
	size_t i;

	for (i = 0; v->owns && i < v->n; i++)
		free((char *)(uintptr_t)v->v[i].s);
	free(v->v);
	memset(v, 0, sizeof(*v));
}

const struct vname *
vnames_below(const struct vnames *dnames, const char *s, size_t len,
    const char *apex)
{
	struct vname key;
	const char *p;
	size_t plen, alen = strlen(apex);

	if (dnames->n == 0)
		return NULL;
	/* the proper ancestors of S down to the apex */
	while (len > alen && (p = vname_parent(s, len, &plen)) != NULL) {
		const struct vname *d;

		key.s = p;
		key.len = plen;
		if ((d = bsearch(&key, dnames->v, dnames->n, sizeof(key),
		    vname_cmp)) != NULL)
			return d;
		s = p;
		len = plen;
	}
	return NULL;
}

/* ---- a change, checked on the rows --------------------------------- */

struct cc {
	struct store *st;
	int64_t zone_id;
	const char *apex;
	hp_problem_fn *problem;
	void *arg;
	unsigned errors;
	int soa;		/* SOAs at the apex */
	int apex_ns;
};

static void
cc_say(struct cc *c, const char *owner, size_t len, const char *text)
{
	hp_problem(c->problem, c->arg, c->apex, 0, 0, "%.*s: %s", (int)len,
	    owner, text);
	c->errors++;
}

/* The rules at OWNER given the types of its rows (S: owner, type). */
static void
cc_group(struct cc *c, const char *owner, size_t len,
    const uint16_t *types, size_t n)
{
	struct vowner v = { 0 };
	unsigned bad, bit;
	size_t i, alen = strlen(c->apex);
	int apex = len == alen && memcmp(owner, c->apex, len) == 0;
	char msg[DNAME_MAXSTR + 64];

	for (i = 0; i < n; i++) {
		vowner_add(&v, types[i]);
		if (types[i] == WIRE_TYPE_SOA && apex)
			c->soa++;
		else if (types[i] == WIRE_TYPE_SOA) {
			snprintf(msg, sizeof(msg), "SOA record not at the "
			    "apex %s", c->apex);
			cc_say(c, owner, len, msg);
		}
		if (types[i] == WIRE_TYPE_NS && apex)
			c->apex_ns = 1;
	}
	bad = vowner_check(&v);
	for (bit = 1; bit <= VOWN_MULTI_DNAME; bit <<= 1)
		if (bad & bit)
			cc_say(c, owner, len, vowner_msg(bit));
}

/* Group the rows of S (owner, type; in owner order) and check each. */
static int
cc_rows(struct cc *c, sqlite3_stmt *s, const struct vnames *dn, int all)
{
	uint16_t *types = NULL, *nt;
	size_t n = 0, cap = 0;
	char prev[DNAME_MAXSTR];
	size_t plen = 0;
	const char *o;
	const struct vname *d;
	int rc, olen, ret = 0;

	for (;;) {
		rc = sqlite3_step(s);
		o = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) :
		    NULL;
		olen = o != NULL ? sqlite3_column_bytes(s, 0) : 0;
		if (n > 0 && (o == NULL || (size_t)olen != plen ||
		    memcmp(o, prev, plen) != 0)) {
			cc_group(c, prev, plen, types, n);
			if (all && (d = vnames_below(dn, prev, plen,
			    c->apex)) != NULL) {
				char msg[DNAME_MAXSTR + 64];

				snprintf(msg, sizeof(msg), "below the DNAME at "
				    "%.*s (RFC 6672 2.3)", (int)d->len, d->s);
				cc_say(c, prev, plen, msg);
			}
			n = 0;
		}
		if (o == NULL)
			break;
		if ((size_t)olen >= sizeof(prev))
			continue;
		if (n == 0) {
			memcpy(prev, o, (size_t)olen);
			plen = (size_t)olen;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nt = realloc(types, cap * sizeof(*nt))) == NULL) {
				ret = HP_ENOMEM;
				break;
			}
			types = nt;
		}
		types[n++] = (uint16_t)sqlite3_column_int(s, 1);
	}
	free(types);
	if (ret == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = store_sqlerr(rc);
	return ret;
}

/* The zone's DNAME owners (the partial index records_dname), copied. */
static int
cc_dnames(struct cc *c, struct vnames *dn)
{
	sqlite3_stmt *s;
	int rc, ret;

	dn->owns = 1;
	if ((ret = store_prep(c->st, &s, "SELECT owner FROM records WHERE "
	    "zone_id = ? AND type = 39")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, c->zone_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((ret = vnames_add(dn, (const char *)sqlite3_column_text(s,
		    0), (size_t)sqlite3_column_bytes(s, 0))) < 0)
			break;
	sqlite3_finalize(s);
	if (ret < 0)
		return ret;
	vnames_sort(dn);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

/* Names below DNAME owner D anywhere in the zone (a DNAME just added). */
static int
cc_below_dname(struct cc *c, const struct vname *d)
{
	sqlite3_stmt *s;
	const char *o;
	size_t len;
	int rc, ret;
	struct vnames one = { 0 };
	char msg[DNAME_MAXSTR + 64];

	if ((ret = store_prep(c->st, &s, "SELECT DISTINCT owner FROM records "
	    "WHERE zone_id = ?1 AND length(owner) > length(?2) AND "
	    "substr(owner, -length(?2)) = ?2")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, c->zone_id);
	sqlite3_bind_text(s, 2, d->s, (int)d->len, SQLITE_STATIC);
	if ((ret = vnames_add(&one, d->s, d->len)) < 0) {
		sqlite3_finalize(s);
		return ret;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		o = (const char *)sqlite3_column_text(s, 0);
		len = (size_t)sqlite3_column_bytes(s, 0);
		/* "a\.x.example." ends like "x.example." but is no child */
		if (vnames_below(&one, o, len, c->apex) == NULL)
			continue;
		snprintf(msg, sizeof(msg), "below the DNAME at %.*s (RFC 6672 "
		    "2.3)", (int)d->len, d->s);
		cc_say(c, o, len, msg);
	}
	sqlite3_finalize(s);
	vnames_free(&one);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

/* Over this many owners, one scan of the zone beats a query each. */
#define CC_SCAN_OWNERS	20000

int
check_change(struct store *st, int64_t zone_id, const char *apex,
    struct vnames *touched, hp_problem_fn *problem, void *arg)
{
	struct cc c = { .st = st, .zone_id = zone_id, .apex = apex,
	    .problem = problem, .arg = arg };
	struct vnames dn = { 0 };
	const struct vname *d;
	sqlite3_stmt *s;
	char msg[DNAME_MAXSTR + 64];
	size_t i;
	int ret, all;

	if ((ret = vnames_add(touched, apex, strlen(apex))) < 0)
		return ret;
	vnames_sort(touched);
	if ((ret = cc_dnames(&c, &dn)) < 0)
		goto out;
	all = touched->n > CC_SCAN_OWNERS;
	if (all) {
		if ((ret = store_prep(st, &s, "SELECT owner, type FROM records"
		    " WHERE zone_id = ? ORDER BY owner, type")) < 0)
			goto out;
		sqlite3_bind_int64(s, 1, zone_id);
		ret = cc_rows(&c, s, &dn, 1);
		sqlite3_finalize(s);
		if (ret < 0)
			goto out;
	} else {
		if ((ret = store_prep(st, &s, "SELECT owner, type FROM records"
		    " WHERE zone_id = ? AND owner = ? ORDER BY type")) < 0)
			goto out;
		for (i = 0; ret == 0 && i < touched->n; i++) {
			sqlite3_reset(s);
			sqlite3_bind_int64(s, 1, zone_id);
			sqlite3_bind_text(s, 2, touched->v[i].s,
			    (int)touched->v[i].len, SQLITE_STATIC);
			ret = cc_rows(&c, s, &dn, 0);
			if ((d = vnames_below(&dn, touched->v[i].s,
			    touched->v[i].len, apex)) != NULL) {
				snprintf(msg, sizeof(msg), "below the DNAME at "
				    "%.*s (RFC 6672 2.3)", (int)d->len, d->s);
				cc_say(&c, touched->v[i].s, touched->v[i].len,
				    msg);
			}
		}
		sqlite3_finalize(s);
		if (ret < 0)
			goto out;
		/* a DNAME at a touched owner: nothing may be below it */
		for (i = 0; ret == 0 && i < dn.n; i++)
			if (bsearch(&dn.v[i], touched->v, touched->n,
			    sizeof(dn.v[i]), vname_cmp) != NULL)
				ret = cc_below_dname(&c, &dn.v[i]);
		if (ret < 0)
			goto out;
	}
	if (c.soa == 0)
		cc_say(&c, apex, strlen(apex), "no SOA record at the apex");
	else if (c.soa > 1)
		cc_say(&c, apex, strlen(apex), "second SOA record at the apex "
		    "(a zone has exactly one)");
	if (!c.apex_ns)
		cc_say(&c, apex, strlen(apex), "no NS record at the apex");
	ret = c.errors > 0 ? HP_EINVALID : 0;
out:
	vnames_free(&dn);
	return ret;
}
