/*
 * dname.h -- domain names in wire form (RFC 1035 3.1, 4.1.4).
 *
 * A "wire name" here is always uncompressed and absolute: length-prefixed
 * labels ending with the root label (a zero byte), at most DNAME_MAXLEN
 * bytes in all, labels at most DNAME_MAXLABEL bytes. Names read from a
 * message may be compressed; dname_parse() expands them. Functions taking
 * a wire name (const uint8_t *) expect one that dname_wire_len() accepts.
 *
 * The compression table (struct dname_ctab) is used by the message writer
 * (pkt.h): it remembers where each name suffix was written in the current
 * message, in a hash table, so writing a name costs O(labels).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_DNAME_H
#define HP_DNAME_H

#include <stddef.h>
#include <stdint.h>

#define DNAME_MAXLEN	255
#define DNAME_MAXLABEL	63
#define DNAME_MAXLABELS	127
/* Presentation form, worst case: every byte as \DDD, plus dots and NUL. */
#define DNAME_MAXSTR	(4 * DNAME_MAXLEN + 2)

/*
 * Read a possibly compressed name from MSG (MSGLEN bytes, the whole
 * message, since pointers are offsets from its start) at *POS. On success
 * writes the uncompressed name to OUT (DNAME_MAXLEN bytes), its length to
 * *OUTLEN (if not NULL), moves *POS past the name as it sits in MSG (past
 * the first pointer, if any) and returns 0. Rejects with HP_EMALF, leaving
 * *POS alone: running past MSGLEN, labels over 63 bytes, names over 255,
 * the reserved label types 01 and 10, pointers that do not point strictly
 * before the label that holds them (this rejects loops and forward
 * pointers). OUT may be NULL to only validate and skip. Case is kept.
 */
int dname_parse(const uint8_t *msg, size_t msglen, size_t *pos, uint8_t *out,
    size_t *outlen);

/*
 * Length of the uncompressed wire name at NAME, reading at most MAXLEN
 * bytes (use DNAME_MAXLEN when the buffer is known to hold a valid
 * name), or HP_EMALF if it is not a valid uncompressed name within MAXLEN.
 */
int dname_wire_len(const uint8_t *name, size_t maxlen);

/*
 * Presentation text (e.g. "example.com." or "example.com"; a name without
 * a final dot is taken as absolute; "." is the root; \DDD and \X escapes
 * as in zone files) to a wire name in OUT (DNAME_MAXLEN bytes). *OUTLEN
 * (if not NULL) gets its length. 0, or HP_EPARSE.
 */
int dname_from_str(const char *text, uint8_t *out, size_t *outlen);

/*
 * Wire NAME to presentation text with the final dot, written to BUF of
 * SIZE bytes (DNAME_MAXSTR always suffices), escaping as zone files do.
 * 0, HP_ESPACE if BUF is too small, or HP_EMALF.
 */
int dname_to_str(const uint8_t *name, char *buf, size_t size);

/*
 * A zone name as text, as the configuration, the store and the HTTP routes
 * spell it: NAME (LEN octets; "example.com" or "Example.COM.") lowercase,
 * with its trailing dot ("." for the root), into OUT (OUTLEN octets,
 * DNAME_MAXSTR is enough). Labels of 1..63 printable characters other
 * than '\\', 253 characters at most without the final dot. 0, or
 * HP_EINVAL with *WHY (may be NULL) saying what is wrong.
 */
int dname_norm(const char *name, size_t len, char *out, size_t outlen,
    const char **why);

/* Lowercase the ASCII letters of wire NAME in place. */
void dname_lower(uint8_t *name);

/* 1 if A and B are the same name ignoring ASCII case, else 0. */
int dname_equal(const uint8_t *a, const uint8_t *b);

/* 1 if NAME equals PARENT or lies below it (case-insensitive), else 0. */
int dname_is_subdomain(const uint8_t *name, const uint8_t *parent);

/* Number of labels, not counting the root ("." has 0). */
int dname_labels(const uint8_t *name);

/*
 * Canonical order of RFC 4034 6.1: compare label by label from the root,
 * each label as lowercased octets (a shorter label that is a prefix of a
 * longer one sorts first), and a name sorts after its ancestors.
 * Returns <0, 0 or >0.
 */
int dname_canon_cmp(const uint8_t *a, const uint8_t *b);

/* The compression table of one message being written. Opaque. */
struct dname_ctab;

/* A new, empty table, or NULL if out of memory. Free with dname_ctab_free. */
struct dname_ctab *dname_ctab_new(void);
void dname_ctab_free(struct dname_ctab *t);

/* Forget every name (start of a new message). O(1). */
void dname_ctab_reset(struct dname_ctab *t);

/*
 * Rollback support for writers that must leave a message unchanged when
 * an RR does not fit: dname_ctab_mark() returns a mark; dname_ctab_undo()
 * forgets every name added since that mark.
 */
size_t dname_ctab_mark(const struct dname_ctab *t);
void dname_ctab_undo(struct dname_ctab *t, size_t mark);

/*
 * Write wire NAME into MSG (capacity CAP) at *POS, compressed against the
 * names already written in this message (exact-case matches of whole
 * label suffixes), and remember its suffixes at their offsets if they lie
 * below 0x4000. T may be NULL: then the name is written uncompressed.
 * On success *POS moves past what was written and returns 0; HP_ESPACE
 * if it does not fit (nothing remembered, *POS unchanged).
 */
int dname_ctab_put(struct dname_ctab *t, uint8_t *msg, size_t cap,
    size_t *pos, const uint8_t *name);

#endif
