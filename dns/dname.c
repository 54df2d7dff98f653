/*
 * dname.c -- wire names: parsing with compression, comparison, canonical
 * order, presentation form and the writer's compression table.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <ctype.h>
#include <string.h>

#include <libknot/libknot.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/wire.h"

static inline uint8_t
lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/*
 * Each compression pointer must point strictly before the start of the
 * run of labels that holds it (RFC 1035 4.1.4 speaks of "a prior
 * occurrence"). The limit only ever decreases, so loops are impossible.
 */
int
dname_parse(const uint8_t *msg, size_t msglen, size_t *pos, uint8_t *out,
    size_t *outlen)
{
	size_t p = *pos, lim = *pos, next = 0, olen = 0, target;
	int jumped = 0;
	uint8_t c;

	for (;;) {
		if (p >= msglen)
			return HP_EMALF;
		c = msg[p];
		if ((c & 0xc0) == 0xc0) {
			if (p + 1 >= msglen)
				return HP_EMALF;
			target = ((size_t)(c & 0x3f) << 8) | msg[p + 1];
			if (target >= lim || target < WIRE_HDR_LEN)
				return HP_EMALF;
			if (!jumped) {
				next = p + 2;
				jumped = 1;
			}
			lim = p = target;
			continue;
		}
		if (c & 0xc0)
			return HP_EMALF;	/* 01 and 10: reserved */
		if (olen + 1 + c > DNAME_MAXLEN || p + 1 + c > msglen)
			return HP_EMALF;
		if (out != NULL)
			memcpy(out + olen, msg + p, 1 + (size_t)c);
		olen += 1 + (size_t)c;
		p += 1 + (size_t)c;
		if (c == 0)
			break;
	}
	*pos = jumped ? next : p;
	if (outlen != NULL)
		*outlen = olen;
	return 0;
}

int
dname_wire_len(const uint8_t *name, size_t maxlen)
{
	size_t p = 0;
	uint8_t c;

	if (maxlen > DNAME_MAXLEN)
		maxlen = DNAME_MAXLEN;
	for (;;) {
		if (p >= maxlen)
			return HP_EMALF;
		c = name[p];
		if (c > DNAME_MAXLABEL)
			return HP_EMALF;
		if (p + 1 + c > maxlen)
			return HP_EMALF;
		p += 1 + (size_t)c;
		if (c == 0)
			return (int)p;
	}
}

static int
norm_fail(const char **why, const char *text)
{
	if (why != NULL)
		*why = text;
	return HP_EINVAL;
}

int
dname_norm(const char *name, size_t n, char *out, size_t outlen,
    const char **why)
{
	size_t i, label = 0;
	unsigned char c;

	if (n == 0)
		return norm_fail(why, "empty zone name");
	if (n == 1 && name[0] == '.') {
		if (outlen < 2)
			return norm_fail(why, "zone name too long");
		memcpy(out, ".", 2);
		return 0;
	}
	if (n + 2 > outlen || n > 253 + (name[n - 1] == '.'))
		return norm_fail(why, "zone name too long");
	for (i = 0; i < n; i++) {
		c = (unsigned char)name[i];
		if (c == '.') {
			if (label == 0)
				return norm_fail(why,
				    "empty label in zone name");
			label = 0;
		} else if (!isgraph(c) || c == '\\')
			return norm_fail(why, "bad character in zone name");
		else if (++label > DNAME_MAXLABEL)
			return norm_fail(why,
			    "label longer than 63 in zone name");
		out[i] = (char)tolower(c);
	}
	if (name[n - 1] != '.')
		out[n++] = '.';
	out[n] = '\0';
	return 0;
}

/* Octets dname_from_str() takes as they are, without libknot: printable
 * ASCII but the dot and the backslash. */
static const uint8_t plain_octet[256] = {
	[0x21] =	/* ! to - */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x2f] =	/* / to [ */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x5d] =	/* ] to ~ */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1,
};

/*
 * The common case of dname_from_str() without libknot: printable text
 * without escapes, each character its own octet (as libknot takes it).
 * 0 when converted, 1 when the text is for libknot (escapes, other
 * characters, or anything wrong: libknot decides).
 */
static int
from_str_plain(const char *text, uint8_t *out, size_t *outlen)
{
	const unsigned char *p = (const unsigned char *)text, *label;
	size_t o = 0, l;

	if (p[0] == '.' && p[1] == '\0') {
		out[0] = 0;
		*outlen = 1;
		return 0;
	}
	for (;;) {
		for (label = p; plain_octet[*p]; p++)
			;
		l = (size_t)(p - label);
		if (l == 0 || l > DNAME_MAXLABEL || o + 1 + l >= DNAME_MAXLEN)
			return 1;
		out[o] = (uint8_t)l;
		memcpy(out + o + 1, label, l);
		o += 1 + l;
		if (*p == '.' && *++p == '\0')
			break;
		if (*p == '\0')
			break;
		if (!plain_octet[*p])
			return 1;
	}
	out[o] = 0;
	*outlen = o + 1;
	return 0;
}

int
dname_from_str(const char *text, uint8_t *out, size_t *outlen)
{
	uint8_t tmp[KNOT_DNAME_MAXLEN];
	size_t plen;
	int len;

	if (text == NULL || *text == '\0')
		return HP_EPARSE;
	/* Owners come by the million from the store, plain: no libknot. */
	if (from_str_plain(text, tmp, &plen) == 0) {
		memcpy(out, tmp, plen);
		if (outlen != NULL)
			*outlen = plen;
		return 0;
	}
	if (knot_dname_from_str(tmp, text, sizeof(tmp)) == NULL)
		return HP_EPARSE;
	len = dname_wire_len(tmp, sizeof(tmp));
	if (len < 0)
		return HP_EPARSE;
	memcpy(out, tmp, (size_t)len);
	if (outlen != NULL)
		*outlen = (size_t)len;
	return 0;
}

int
dname_to_str(const uint8_t *name, char *buf, size_t size)
{
	char tmp[DNAME_MAXSTR];
	size_t n;

	if (dname_wire_len(name, DNAME_MAXLEN) < 0)
		return HP_EMALF;
	if (knot_dname_to_str(tmp, name, sizeof(tmp)) == NULL)
		return HP_EMALF;
	n = strlen(tmp);
	if (n + 1 > size)
		return HP_ESPACE;
	memcpy(buf, tmp, n + 1);
	return 0;
}

void
dname_lower(uint8_t *name)
{
	size_t p = 0, i;

	while (name[p] != 0) {
		for (i = 1; i <= name[p]; i++)
			name[p + i] = lower(name[p + i]);
		p += 1 + (size_t)name[p];
	}
}

int
dname_equal(const uint8_t *a, const uint8_t *b)
{
	size_t p = 0, i;

	for (;;) {
		if (a[p] != b[p])
			return 0;
		if (a[p] == 0)
			return 1;
		for (i = 1; i <= a[p]; i++)
			if (lower(a[p + i]) != lower(b[p + i]))
				return 0;
		p += 1 + (size_t)a[p];
	}
}

/* Offsets of the labels of NAME; offs[count] is the root label's.
 * Returns the count (the root not counted). */
static int
label_offsets(const uint8_t *name, size_t offs[DNAME_MAXLABELS + 1])
{
	size_t p = 0;
	int n = 0;

	while (name[p] != 0 && n < DNAME_MAXLABELS) {
		offs[n++] = p;
		p += 1 + (size_t)name[p];
	}
	offs[n] = p;
	return n;
}

int
dname_labels(const uint8_t *name)
{
	size_t offs[DNAME_MAXLABELS + 1];

	return label_offsets(name, offs);
}

int
dname_is_subdomain(const uint8_t *name, const uint8_t *parent)
{
	size_t offs[DNAME_MAXLABELS + 1];
	int n, np;

	n = label_offsets(name, offs);
	np = dname_labels(parent);
	if (n < np)
		return 0;
	if (n == np)
		return dname_equal(name, parent);
	return dname_equal(name + offs[n - np], parent);
}

int
dname_canon_cmp(const uint8_t *a, const uint8_t *b)
{
	size_t oa[DNAME_MAXLABELS + 1], ob[DNAME_MAXLABELS + 1];
	int na, nb, i, j;
	size_t k, la, lb, lmin;
	uint8_t ca, cb;

	na = label_offsets(a, oa);
	nb = label_offsets(b, ob);
	for (i = na - 1, j = nb - 1; i >= 0 && j >= 0; i--, j--) {
		la = a[oa[i]];
		lb = b[ob[j]];
		lmin = la < lb ? la : lb;
		for (k = 1; k <= lmin; k++) {
			ca = lower(a[oa[i] + k]);
			cb = lower(b[ob[j] + k]);
			if (ca != cb)
				return ca < cb ? -1 : 1;
		}
		if (la != lb)
			return la < lb ? -1 : 1;
	}
	return na == nb ? 0 : (na < nb ? -1 : 1);
}

/*
 * Compression table: open addressing (linear probing) from a hash of a
 * name suffix to the offset where that suffix was written. Entries are
 * live when their generation equals the table's, so a reset is O(1).
 * Insertions are logged so the latest ones can be undone (undoing the
 * most recent insertions is safe with linear probing).
 */
#define CTAB_SIZE	8192
#define CTAB_MASK	(CTAB_SIZE - 1)
#define CTAB_MAXFILL	(CTAB_SIZE * 3 / 4)
#define CTAB_MAXOFF	0x3fff

struct ctab_ent {
	uint32_t hash;
	uint32_t gen;
	uint16_t off;
};

struct dname_ctab {
	uint32_t gen;
	size_t nlog;
	uint16_t log[CTAB_MAXFILL];
	struct ctab_ent ent[CTAB_SIZE];
};

struct dname_ctab *
dname_ctab_new(void)
{
	struct dname_ctab *t;

	t = calloc(1, sizeof(*t));
	if (t != NULL)
		t->gen = 1;
	return t;
}

void
dname_ctab_free(struct dname_ctab *t)
{
	free(t);
}

void
dname_ctab_reset(struct dname_ctab *t)
{
	t->nlog = 0;
	if (++t->gen == 0) {
		memset(t->ent, 0, sizeof(t->ent));
		t->gen = 1;
	}
}

size_t
dname_ctab_mark(const struct dname_ctab *t)
{
	return t->nlog;
}

void
dname_ctab_undo(struct dname_ctab *t, size_t mark)
{
	while (t->nlog > mark)
		t->ent[t->log[--t->nlog]].gen = 0;
}

/* Does the name written in MSG at OFF equal the labels at S? MSG holds
 * only names this writer produced, whose pointers all point backwards. */
static int
ctab_match(const uint8_t *msg, size_t off, const uint8_t *s)
{
	int steps = 0;

	while (steps++ < 256) {
		if ((msg[off] & 0xc0) == 0xc0) {
			off = ((size_t)(msg[off] & 0x3f) << 8) | msg[off + 1];
			continue;
		}
		if (msg[off] != *s)
			return 0;
		if (*s == 0)
			return 1;
		if (memcmp(msg + off + 1, s + 1, *s) != 0)
			return 0;
		off += 1 + (size_t)*s;
		s += 1 + (size_t)*s;
	}
	return 0;
}

static int
ctab_find(const struct dname_ctab *t, const uint8_t *msg, uint32_t h,
    const uint8_t *s)
{
	size_t i = h & CTAB_MASK;

	while (t->ent[i].gen == t->gen) {
		if (t->ent[i].hash == h && ctab_match(msg, t->ent[i].off, s))
			return t->ent[i].off;
		i = (i + 1) & CTAB_MASK;
	}
	return -1;
}

static void
ctab_add(struct dname_ctab *t, uint32_t h, size_t off)
{
	size_t i = h & CTAB_MASK;

	if (off > CTAB_MAXOFF || t->nlog >= CTAB_MAXFILL)
		return;
	while (t->ent[i].gen == t->gen)
		i = (i + 1) & CTAB_MASK;
	t->ent[i].hash = h;
	t->ent[i].gen = t->gen;
	t->ent[i].off = (uint16_t)off;
	t->log[t->nlog++] = (uint16_t)i;
}

/* Hash of the label at L chained onto the hash of the suffix after it. */
static inline uint32_t
label_hash(const uint8_t *l, uint32_t h)
{
	size_t i;

	for (i = 0; i <= l[0]; i++)
		h = (h ^ l[i]) * 16777619u;
	h ^= h >> 15;
	return h * 2246822519u;
}

int
dname_ctab_put(struct dname_ctab *t, uint8_t *msg, size_t cap, size_t *pos,
    const uint8_t *name)
{
	size_t offs[DNAME_MAXLABELS + 1], need, prefix;
	uint32_t h[DNAME_MAXLABELS + 1];
	int len, n, i, m, ptr = -1;

	len = dname_wire_len(name, DNAME_MAXLEN);
	if (len < 0)
		return HP_EMALF;
	if (t == NULL) {
		if (*pos > cap || cap - *pos < (size_t)len)
			return HP_ESPACE;
		memcpy(msg + *pos, name, (size_t)len);
		*pos += (size_t)len;
		return 0;
	}
	n = label_offsets(name, offs);
	h[n] = 2166136261u;
	for (i = n - 1; i >= 0; i--)
		h[i] = label_hash(name + offs[i], h[i + 1]);
	for (m = 0; m < n; m++) {
		ptr = ctab_find(t, msg, h[m], name + offs[m]);
		if (ptr >= 0)
			break;
	}
	prefix = m < n ? offs[m] : (size_t)len - 1;
	need = prefix + (m < n ? 2 : 1);
	if (*pos > cap || cap - *pos < need)
		return HP_ESPACE;
	memcpy(msg + *pos, name, prefix);
	if (m < n)
		wire_write_u16(msg + *pos + prefix, (uint16_t)(0xc000 | ptr));
	else
		msg[*pos + prefix] = 0;
	for (i = 0; i < m; i++)
		ctab_add(t, h[i], *pos + offs[i]);
	*pos += need;
	return 0;
}
