/*
 * zset.c -- a zone's RR set in memory: libzscanner parsing ($INCLUDE with
 * loop detection), store order sorting, validation, content hash.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <libknot/libknot.h>
#include <libzscanner/scanner.h>
#include <openssl/evp.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/serial.h"
#include "dns/wire.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/zset.h"

#define ZSET_MAX_INCLUDE	16

int
zset_init(struct zset *z, const char *origin, hp_problem_fn *problem,
    void *arg)
{
	memset(z, 0, sizeof(*z));
	z->problem = problem;
	z->problem_arg = arg;
	z->soa = -1;
	if (dname_norm(origin, strlen(origin), z->origin, sizeof(z->origin),
	    NULL) < 0)
		return HP_EINVAL;
	if (knot_dname_from_str(z->origin_wire, z->origin,
	    sizeof(z->origin_wire)) == NULL)
		return HP_EINVAL;
	knot_dname_to_lower(z->origin_wire);
	z->origin_wire_len = knot_dname_size(z->origin_wire);
	return 0;
}

void
zset_free(struct zset *z)
{
	size_t i;

	for (i = 0; i < z->nfiles; i++)
		free(z->files[i]);
	free(z->files);
	free(z->rr);
	free(z->key);
	free(z->arena);
	memset(z, 0, sizeof(*z));
}

static int
arena_put(struct zset *z, const void *p, size_t len, uint32_t *off)
{
	size_t ncap;
	uint8_t *na;

	if (z->alen + len > UINT32_MAX)
		return HP_ETOOBIG;
	if (z->alen + len > z->acap) {
		ncap = z->acap ? z->acap * 2 : 1 << 20;
		while (ncap < z->alen + len)
			ncap *= 2;
		if ((na = realloc(z->arena, ncap)) == NULL)
			return HP_ENOMEM;
		z->arena = na;
		z->acap = ncap;
	}
	memcpy(z->arena + z->alen, p, len);
	*off = (uint32_t)z->alen;
	z->alen += len;
	return 0;
}

int
zset_add(struct zset *z, const char *owner, size_t owner_len,
    uint16_t type, uint16_t rclass, uint32_t ttl, const uint8_t *rdata,
    size_t rdlen, uint32_t line, uint32_t file)
{
	struct zrr *r, *nr;
	uint64_t *nk, k;
	size_t ncap, i;
	int ret;

	if (rdlen > UINT16_MAX || owner_len > UINT16_MAX)
		return HP_ETOOBIG;
	if (z->n == z->cap) {
		ncap = z->cap ? z->cap * 2 : 4096;
		if ((nr = realloc(z->rr, ncap * sizeof(*nr))) == NULL)
			return HP_ENOMEM;
		z->rr = nr;
		z->cap = ncap;
		/* the keys follow while they are in step (a set sorted
		 * once has none) */
		if (z->nkey == z->n) {
			if ((nk = realloc(z->key, ncap * sizeof(*nk))) != NULL)
				z->key = nk;
			else
				z->nkey = 0;	/* the sort takes them */
		}
	}
	if (z->nkey == z->n && z->key != NULL) {
		/* owner_key(..., 0) of the entry being added */
		for (i = 0, k = 0; i < 8 && i < owner_len; i++)
			k |= (uint64_t)(uint8_t)owner[i] << (56 - 8 * i);
		z->key[z->nkey++] = k;
	}
	r = &z->rr[z->n];
	/* consecutive RRs usually share the owner: store it once */
	if (z->n > 0 && z->last_owner_len == owner_len &&
	    memcmp(z->arena + z->last_owner, owner, owner_len) == 0) {
		r->owner = z->last_owner;
	} else {
		if ((ret = arena_put(z, owner, owner_len, &r->owner)) < 0)
			return ret;
		z->last_owner = r->owner;
		z->last_owner_len = (uint32_t)owner_len;
	}
	if ((ret = arena_put(z, rdata, rdlen, &r->rdata)) < 0)
		return ret;
	r->owner_len = (uint16_t)owner_len;
	r->rdlen = (uint16_t)rdlen;
	r->type = type;
	r->rclass = rclass;
	r->ttl = ttl;
	r->line = line;
	r->file = file;
	z->n++;
	return 0;
}

static void
zproblem(struct zset *z, uint32_t file, uint32_t line, int warn,
    const char *fmt, const char *a, const char *b)
{
	const char *fname = file < z->nfiles ? z->files[file] : z->origin;
	char text[1024];

	snprintf(text, sizeof(text), fmt, a != NULL ? a : "",
	    b != NULL ? b : "");
	hp_problem(z->problem, z->problem_arg, fname, line, warn, "%s", text);
	if (warn)
		z->warnings++;
	else
		z->errors++;
}

/* The owner of R as a C string, for messages (the arena holds its text
 * without a terminating NUL). */
static const char *
owner_str(const struct zset *z, const struct zrr *r, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", (int)r->owner_len, ZOWNER(z, r));
	return buf;
}

static int
add_file(struct zset *z, const char *name, uint32_t *idx)
{
	char **nf;

	if ((nf = realloc(z->files, (z->nfiles + 1) * sizeof(*nf))) == NULL)
		return HP_ENOMEM;
	z->files = nf;
	if ((nf[z->nfiles] = strdup(name)) == NULL)
		return HP_ENOMEM;
	*idx = (uint32_t)z->nfiles++;
	return 0;
}

/* A record as libzscanner gave it (the scanner's fields, or their copy
 * in a parse on two cores). */
struct scanned {
	const uint8_t *owner, *rdata;
	size_t owner_len, rdlen;
	uint16_t type, rclass;
	uint32_t ttl, line;
};

static void
scanned_of(const zs_scanner_t *zs, struct scanned *s)
{
	s->owner = zs->r_owner;
	s->owner_len = zs->r_owner_length;
	s->rdata = zs->r_data;
	s->rdlen = zs->r_data_length;
	s->type = zs->r_type;
	s->rclass = zs->r_class;
	s->ttl = zs->r_ttl;
	s->line = (uint32_t)zs->line_counter;
}

/* Does the record S just scanned hold a name that was relative, i.e. ends
 * under ZSET_NO_ORIGIN (its owner, or a name in its RDATA)? */
static int
uses_no_origin(const struct scanned *s)
{
	/* ZSET_NO_ORIGIN in wire form */
	static const uint8_t none[] = "\x1b" "hpagent-text-without-origin"
	    "\x07" "invalid";
	const knot_rdata_descriptor_t *d;
	const uint8_t *rd = s->rdata, *end = s->rdata + s->rdlen;
	int i, n;

	if (knot_dname_in_bailiwick(s->owner, none) >= 0)
		return 1;
	d = knot_get_rdata_descriptor(s->type);
	for (i = 0; d->block_types[i] != KNOT_RDATA_WF_END && rd < end; i++) {
		switch (d->block_types[i]) {
		case KNOT_RDATA_WF_FIXED_DNAME:
		case KNOT_RDATA_WF_COMPRESSIBLE_DNAME:
		case KNOT_RDATA_WF_DECOMPRESSIBLE_DNAME:
			if ((n = knot_dname_wire_check(rd, end, NULL)) <= 0)
				return 0;	/* the validator says why */
			if (knot_dname_in_bailiwick(rd, none) >= 0)
				return 1;
			rd += n;
			break;
		case KNOT_RDATA_WF_NAPTR_HEADER:
			if ((n = knot_naptr_header_size(rd, end)) <= 0)
				return 0;
			rd += n;
			break;
		case KNOT_RDATA_WF_REMAINDER:
			return 0;
		default:
			rd += d->block_types[i];	/* fixed length */
		}
	}
	return 0;
}

/*
 * The owner's text form is computed once per run of RRs with the same
 * owner (wire form, as the scanner gives it): consecutive RRs usually
 * share it, and zset_add() then stores it once.
 */
/*
 * The owner W (wire, as scanned) as the store's text in Z->pc_text, for
 * the names most zones are made of: every label of lowercase-able letters,
 * digits, '-' and '_' (or a lone '*'), which knot_dname_to_str() prints
 * as they are. Sets Z->pc_status as take_record does. 0 when done, -1 for
 * any other name (then libknot converts it).
 */
static int
owner_plain(struct zset *z, const uint8_t *w, size_t wlen)
{
	char *t = z->pc_text;
	size_t i = 0, n = 0, k, olen = z->origin_wire_len, in = 0;
	uint8_t c, len;

	while (i < wlen && (len = w[i]) != 0) {
		if (len > 63 || i + 1 + len > wlen ||
		    n + len + 2 > sizeof(z->pc_text))
			return -1;
		/* the rest of the name, from this label, is the origin */
		if (!in && wlen - i == olen &&
		    memcmp(w + i, z->origin_wire, olen) == 0)
			in = 1;
		if (len == 1 && w[i + 1] == '*') {
			t[n++] = '*';
		} else {
			for (k = 1; k <= len; k++) {
				c = w[i + k];
				if (c >= 'A' && c <= 'Z')
					c = (uint8_t)(c - 'A' + 'a');
				else if (!((c >= 'a' && c <= 'z') ||
				    (c >= '0' && c <= '9') || c == '-' ||
				    c == '_'))
					return -1;
				t[n++] = (char)c;
			}
		}
		t[n++] = '.';
		i += 1 + len;
	}
	if (i + 1 != wlen)
		return -1;
	if (n == 0)
		t[n++] = '.';		/* the root */
	if (olen == 1)
		in = 1;			/* the root zone holds every name */
	t[n] = '\0';
	z->pc_text_len = n;
	z->pc_status = in ? 0 : 2;
	return 0;
}

static int
take_record(struct zset *z, const struct scanned *s, uint32_t file)
{
	uint8_t owner[KNOT_DNAME_MAXLEN];
	uint32_t line = s->line;
	size_t i;
	char why[256];

	if (s->owner_len > sizeof(owner))
		return HP_EMALF;
	if (!z->pc_valid || z->pc_wire_len != s->owner_len ||
	    memcmp(z->pc_wire, s->owner, s->owner_len) != 0) {
		/* (a loop: memcpy of these few octets is a slow rep movs) */
		for (i = 0; i < s->owner_len; i++)
			z->pc_wire[i] = owner[i] = s->owner[i];
		z->pc_wire_len = s->owner_len;
		z->pc_valid = 1;
		knot_dname_to_lower(owner);
		if (owner_plain(z, owner, s->owner_len) == 0)
			;	/* the usual names: no libknot */
		else if (knot_dname_to_str(z->pc_text, owner,
		    sizeof(z->pc_text)) == NULL) {
			z->pc_status = 1;
			z->pc_text_len = 0;
		} else {
			z->pc_text_len = strlen(z->pc_text);
			z->pc_status = knot_dname_in_bailiwick(owner,
			    z->origin_wire) < 0 ? 2 : 0;
		}
	}
	if (z->own_origin && uses_no_origin(s)) {
		/* Said once: every record after the first would repeat it. */
		if (z->own_origin++ == 1)
			zproblem(z, file, line, 0, "a relative name, and no "
			    "$ORIGIN: a zone text authenticated only by a "
			    "signature must name its zone (a $ORIGIN %s line, "
			    "or absolute names)%s", z->origin, NULL);
		return 0;
	}
	if (z->pc_status == 1) {
		zproblem(z, file, line, 0, "bad owner name", NULL, NULL);
		return 0;
	}
	if (z->pc_status == 2) {
		zproblem(z, file, line, 0, "%s is outside the zone %s",
		    z->pc_text, z->origin);
		return 0;
	}
	if (s->rclass != KNOT_CLASS_IN) {
		zproblem(z, file, line, 0, "%s: class is not IN", z->pc_text,
		    NULL);
		return 0;
	}
	/* The owner is canonical by construction; the rest is checked as
	 * any record entering the store is (store/validate.c). */
	if (store_check_type(s->type, s->rclass, s->ttl, why,
	    sizeof(why)) < 0 || store_check_rdata(s->type, s->rdata,
	    s->rdlen, why, sizeof(why)) < 0) {
		zproblem(z, file, line, 0, "%s: %s", z->pc_text, why);
		return 0;
	}
	return zset_add(z, z->pc_text, z->pc_text_len, s->type, s->rclass,
	    s->ttl, s->rdata, s->rdlen, line, file);
}

/* Is PATH (real path) already being parsed? Loops are refused. */
struct incl {
	const char *real;
	const struct incl *up;
};

static int parse_scanner(struct zset *, zs_scanner_t *, uint32_t,
    const struct incl *);

/* What a $INCLUDE line says: the file, the origin for it (text), the
 * class and TTL then in force, its line. */
struct include {
	const char *path, *origin;
	uint16_t rclass;
	uint32_t ttl, line;
};

static int
do_include(struct zset *z, const struct include *inc, uint32_t file,
    const struct incl *up)
{
	zs_scanner_t *in;
	char real[PATH_MAX];
	const struct incl *i;
	struct incl me;
	uint32_t idx;
	int ret;

	if (up == NULL) {
		zproblem(z, file, inc->line, 0,
		    "$INCLUDE is not allowed here%s%s", NULL, NULL);
		return 0;
	}
	if (realpath(inc->path, real) == NULL) {
		zproblem(z, file, inc->line, 0, "$INCLUDE %s: %s", inc->path,
		    strerror(errno));
		return 0;
	}
	for (i = up; i != NULL; i = i->up)
		if (strcmp(i->real, real) == 0) {
			zproblem(z, file, inc->line, 0,
			    "$INCLUDE loop: %s is already being read%s",
			    inc->path, NULL);
			return 0;
		}
	if (z->include_depth >= ZSET_MAX_INCLUDE) {
		zproblem(z, file, inc->line, 0,
		    "$INCLUDE nested too deeply: %s%s", inc->path, NULL);
		return 0;
	}
	if ((in = calloc(1, sizeof(*in))) == NULL)
		return HP_ENOMEM;
	ret = HP_ENOMEM;
	if (zs_init(in, inc->origin, inc->rclass, inc->ttl) != 0)
		goto out;
	if ((ret = add_file(z, inc->path, &idx)) < 0)
		goto out_deinit;
	if (zs_set_input_file(in, inc->path) != 0) {
		zproblem(z, file, inc->line, 0, "$INCLUDE %s: %s", inc->path,
		    zs_strerror(in->error.code));
		ret = 0;
		goto out_deinit;
	}
	me.real = real;
	me.up = up;
	z->include_depth++;
	ret = parse_scanner(z, in, idx, &me);
	z->include_depth--;
out_deinit:
	zs_deinit(in);
out:
	free(in);
	return ret;
}

static void
include_of(const zs_scanner_t *s, struct include *inc)
{
	inc->path = s->include_filename;
	inc->origin = (const char *)s->buffer;
	inc->rclass = s->default_class;
	inc->ttl = s->default_ttl;
	inc->line = (uint32_t)s->line_counter;
}

static int
parse_scanner(struct zset *z, zs_scanner_t *s, uint32_t file,
    const struct incl *up)
{
	struct scanned sc;
	struct include inc;
	int ret;

	for (;;) {
		if (zs_parse_record(s) != 0 && s->state != ZS_STATE_ERROR) {
			zproblem(z, file, (uint32_t)s->line_counter, 0, "%s%s",
			    zs_strerror(s->error.code), NULL);
			return 0;
		}
		switch (s->state) {
		case ZS_STATE_DATA:
			scanned_of(s, &sc);
			if ((ret = take_record(z, &sc, file)) < 0)
				return ret;
			break;
		case ZS_STATE_ERROR:
			zproblem(z, file, (uint32_t)s->line_counter, 0, "%s%s",
			    zs_strerror(s->error.code), NULL);
			if (s->error.fatal)
				return 0;
			break;
		case ZS_STATE_INCLUDE:
			include_of(s, &inc);
			if ((ret = do_include(z, &inc, file, up)) < 0)
				return ret;
			break;
		case ZS_STATE_EOF:
		case ZS_STATE_STOP:
			return 0;
		default:
			break;
		}
	}
}

/*
 * A big input is parsed on two cores: libzscanner runs on a thread of its
 * own (pipe_main) and copies what it scans into chunks, in order; the
 * caller takes them (take_record and the rest, as parse_scanner does, its
 * problems reported from the caller's thread). A $INCLUDE is read by the
 * caller when it comes to it, on one core.
 */
#define PIPE_CHUNK	(512u * 1024)
#define PIPE_CHUNKS	4
#define PIPE_MIN	(4u << 20)	/* inputs from this size */
enum { EV_DATA = 1, EV_ERROR, EV_FAIL, EV_INCLUDE };
struct ev {
	uint32_t len;		/* of the event with its octets, 8-aligned */
	uint8_t kind, fatal;
	uint16_t type, rclass;	/* EV_INCLUDE: RCLASS the class in force */
	uint16_t owner_len;	/* EV_INCLUDE: the path's length with NUL */
	uint32_t rdlen;		/* EV_INCLUDE: the origin's length with NUL */
	uint32_t ttl, line;
	int32_t code;		/* EV_ERROR, EV_FAIL: libzscanner's */
	/* then the owner and the rdata, or the path and the origin */
};
struct chunk {
	size_t used;
	uint8_t buf[PIPE_CHUNK];
};
struct pipe {
	zs_scanner_t *s;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct chunk *c[PIPE_CHUNKS];
	unsigned head, count;	/* the next to fill; those full */
	int done, cancel;
};

#define EV_ROOM(olen, rdlen) \
	((sizeof(struct ev) + (olen) + (rdlen) + 7) & ~(size_t)7)

/* The chunk being filled handed over (when it holds anything), the next
 * one waited for; NULL when the caller has stopped. */
static struct chunk *
pipe_put(struct pipe *p, struct chunk *c)
{
	pthread_mutex_lock(&p->mu);
	if (c != NULL && c->used > 0) {
		p->head = (p->head + 1) % PIPE_CHUNKS;
		p->count++;
		pthread_cond_broadcast(&p->cv);
	}
	while (p->count == PIPE_CHUNKS && !p->cancel)
		pthread_cond_wait(&p->cv, &p->mu);
	c = p->cancel ? NULL : p->c[p->head];
	pthread_mutex_unlock(&p->mu);
	if (c != NULL)
		c->used = 0;
	return c;
}

static void *
pipe_main(void *arg)
{
	struct pipe *p = arg;
	zs_scanner_t *s = p->s;
	struct chunk *c;
	struct ev *e;
	size_t olen, rdlen, need;
	int rc, last = 0;

	c = pipe_put(p, NULL);
	while (c != NULL && !last) {
		rc = zs_parse_record(s);
		olen = rdlen = 0;
		if (rc != 0 && s->state != ZS_STATE_ERROR)
			last = 1;
		else if (s->state == ZS_STATE_DATA) {
			olen = s->r_owner_length;
			rdlen = s->r_data_length;
		} else if (s->state == ZS_STATE_INCLUDE) {
			olen = strlen(s->include_filename) + 1;
			rdlen = strlen((const char *)s->buffer) + 1;
		} else if (s->state == ZS_STATE_ERROR) {
			last = s->error.fatal;
		} else if (s->state == ZS_STATE_EOF ||
		    s->state == ZS_STATE_STOP) {
			break;
		} else
			continue;
		need = EV_ROOM(olen, rdlen);
		if (need > PIPE_CHUNK || olen > UINT16_MAX)
			break;	/* cannot be: names and rdata are short */
		if (c->used + need > PIPE_CHUNK &&
		    (c = pipe_put(p, c)) == NULL)
			break;
		e = (struct ev *)(c->buf + c->used);
		memset(e, 0, sizeof(*e));
		e->len = (uint32_t)need;
		e->line = (uint32_t)s->line_counter;
		e->owner_len = (uint16_t)olen;
		e->rdlen = (uint32_t)rdlen;
		if (rc != 0 && s->state != ZS_STATE_ERROR) {
			e->kind = EV_FAIL;
			e->code = s->error.code;
		} else if (s->state == ZS_STATE_DATA) {
			e->kind = EV_DATA;
			e->type = s->r_type;
			e->rclass = s->r_class;
			e->ttl = s->r_ttl;
			memcpy(e + 1, s->r_owner, olen);
			memcpy((uint8_t *)(e + 1) + olen, s->r_data, rdlen);
		} else if (s->state == ZS_STATE_INCLUDE) {
			e->kind = EV_INCLUDE;
			e->rclass = s->default_class;
			e->ttl = s->default_ttl;
			memcpy(e + 1, s->include_filename, olen);
			memcpy((uint8_t *)(e + 1) + olen, s->buffer, rdlen);
		} else {
			e->kind = EV_ERROR;
			e->fatal = s->error.fatal != 0;
			e->code = s->error.code;
		}
		c->used += need;
	}
	if (c != NULL)
		(void)pipe_put(p, c);
	pthread_mutex_lock(&p->mu);
	p->done = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* The events of chunk C, as parse_scanner takes what it scans: 0 to go
 * on, 1 when the input ends there, or an error. */
static int
pipe_take(struct zset *z, const struct chunk *c, uint32_t file,
    const struct incl *up)
{
	const struct ev *e;
	const uint8_t *d;
	struct scanned sc;
	struct include inc;
	size_t off;
	int ret;

	for (off = 0; off < c->used; off += e->len) {
		e = (const struct ev *)(c->buf + off);
		d = (const uint8_t *)(e + 1);
		switch (e->kind) {
		case EV_DATA:
			sc.owner = d;
			sc.owner_len = e->owner_len;
			sc.rdata = d + e->owner_len;
			sc.rdlen = e->rdlen;
			sc.type = e->type;
			sc.rclass = e->rclass;
			sc.ttl = e->ttl;
			sc.line = e->line;
			if ((ret = take_record(z, &sc, file)) < 0)
				return ret;
			break;
		case EV_FAIL:
			zproblem(z, file, e->line, 0, "%s%s",
			    zs_strerror(e->code), NULL);
			return 1;
		case EV_ERROR:
			zproblem(z, file, e->line, 0, "%s%s",
			    zs_strerror(e->code), NULL);
			if (e->fatal)
				return 1;
			break;
		case EV_INCLUDE:
			inc.path = (const char *)d;
			inc.origin = (const char *)d + e->owner_len;
			inc.rclass = e->rclass;
			inc.ttl = e->ttl;
			inc.line = e->line;
			if ((ret = do_include(z, &inc, file, up)) < 0)
				return ret;
			break;
		}
	}
	return 0;
}

/* parse_scanner() of S on two cores. */
static int
parse_piped(struct zset *z, zs_scanner_t *s, uint32_t file,
    const struct incl *up)
{
	struct pipe p;
	pthread_t th;
	struct chunk *c;
	unsigned i, tail;
	int ret = HP_ENOMEM, end = 0;

	memset(&p, 0, sizeof(p));
	p.s = s;
	for (i = 0; i < PIPE_CHUNKS; i++)
		if ((p.c[i] = malloc(sizeof(*p.c[i]))) == NULL)
			goto out;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	if (pthread_create(&th, NULL, pipe_main, &p) != 0) {
		ret = parse_scanner(z, s, file, up);
		goto out_sync;
	}
	ret = 0;
	while (!end) {
		pthread_mutex_lock(&p.mu);
		while (p.count == 0 && !p.done)
			pthread_cond_wait(&p.cv, &p.mu);
		if (p.count == 0) {
			pthread_mutex_unlock(&p.mu);
			break;		/* done, all taken */
		}
		tail = (p.head + PIPE_CHUNKS - p.count) % PIPE_CHUNKS;
		c = p.c[tail];
		pthread_mutex_unlock(&p.mu);
		if ((ret = pipe_take(z, c, file, up)) != 0)
			end = 1;
		pthread_mutex_lock(&p.mu);
		p.count--;
		if (end)
			p.cancel = 1;
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
	}
	pthread_join(th, NULL);
	if (ret > 0)
		ret = 0;
out_sync:
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
out:
	for (i = 0; i < PIPE_CHUNKS; i++)
		free(p.c[i]);
	return ret;
}

static int
parse_with(struct zset *z, const char *name, const char *path,
    const char *buf, size_t len)
{
	int (*parse)(struct zset *, zs_scanner_t *, uint32_t,
	    const struct incl *) = parse_scanner;
	zs_scanner_t *s;
	char real[PATH_MAX];
	struct incl top;
	uint32_t idx;
	unsigned before = z->errors;
	int ret;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return HP_ENOMEM;
	if (zs_init(s, z->own_origin ? ZSET_NO_ORIGIN : z->origin,
	    KNOT_CLASS_IN, 3600) != 0) {
		free(s);
		return HP_ENOMEM;
	}
	if ((ret = add_file(z, name, &idx)) < 0)
		goto out;
	if (path != NULL) {
		if (realpath(path, real) == NULL) {
			ret = -errno;
			goto out;
		}
		if (zs_set_input_file(s, path) != 0) {
			zproblem(z, idx, 0, 0, "%s%s",
			    zs_strerror(s->error.code), NULL);
			ret = HP_EIO;
			goto out;
		}
		top.real = real;
		top.up = NULL;
		if (z->pipe > 0 || (z->pipe == 0 && len >= PIPE_MIN))
			parse = parse_piped;
		ret = parse(z, s, idx, &top);
	} else {
		if (zs_set_input_string(s, buf, len) != 0) {
			ret = HP_ENOMEM;
			goto out;
		}
		if (z->pipe > 0 || (z->pipe == 0 && len >= PIPE_MIN))
			parse = parse_piped;
		ret = parse(z, s, idx, NULL);
	}
	if (ret == 0 && z->errors > before)
		ret = HP_EPARSE;
out:
	zs_deinit(s);
	free(s);
	return ret;
}

int
zset_parse_file(struct zset *z, const char *path)
{
	struct stat sb;
	int fd;

	/* libzscanner's messages for these are vague: check first */
	if ((fd = open(path, O_RDONLY)) < 0)
		return -errno;
	if (fstat(fd, &sb) != 0) {
		close(fd);
		return HP_EIO;
	}
	close(fd);
	if (S_ISDIR(sb.st_mode))
		return -EISDIR;
	if (!S_ISREG(sb.st_mode))
		return HP_EINVAL;
	if (z->max_size > 0 && (uint64_t)sb.st_size > z->max_size)
		return HP_ETOOBIG;
	if (sb.st_size == 0) {
		zset_parse_buffer(z, path, "", 0);
		return HP_EINVALID;
	}
	return parse_with(z, path, path, NULL, (size_t)sb.st_size);
}

int
zset_parse_buffer(struct zset *z, const char *name, const char *buf,
    size_t len)
{
	uint32_t idx;

	if (z->max_size > 0 && len > z->max_size)
		return HP_ETOOBIG;
	if (len == 0) {
		if (add_file(z, name, &idx) < 0)
			return HP_ENOMEM;
		zproblem(z, idx, 0, 0, "empty zone file (no records)%s%s",
		    NULL, NULL);
		return HP_EINVALID;
	}
	return parse_with(z, name, NULL, buf, len);
}

/* zset_cmp() of two entries with the same owner. */
static int
cmp_past_owner(const struct zset *z, const struct zrr *a, const struct zrr *b)
{
	int c;

	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if ((c = store_bytes_cmp(z->arena + a->rdata, a->rdlen, z->arena + b->rdata,
	    b->rdlen)) != 0)
		return c;
	if (a->rclass != b->rclass)
		return a->rclass < b->rclass ? -1 : 1;
	return 0;
}

int
zset_cmp(const struct zset *z, const struct zrr *a, const struct zrr *b)
{
	int c;

	if (a->owner != b->owner || a->owner_len != b->owner_len) {
		c = store_bytes_cmp(z->arena + a->owner, a->owner_len,
		    z->arena + b->owner, b->owner_len);
		if (c != 0)
			return c;
	}
	return cmp_past_owner(z, a, b);
}

/* The store's order, then the input's (the first of duplicates stays). */
static int
sort_cmp(const struct zset *z, const struct zrr *a, const struct zrr *b)
{
	int c = zset_cmp(z, a, b);

	if (c != 0)
		return c;
	if (a->file != b->file)
		return a->file < b->file ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line;
}

static int
same_owner(const struct zset *z, const struct zrr *a, const struct zrr *b)
{
	return a->owner_len == b->owner_len && (a->owner == b->owner ||
	    memcmp(z->arena + a->owner, z->arena + b->owner,
	    a->owner_len) == 0);
}

/* The rules at one owner (store/validate.c): CNAME alone (RRSIG/NSEC may
 * accompany it, RFC 4035), one DNAME. */
static void
check_owner_group(struct zset *z, size_t from, size_t to)
{
	struct vowner v = { 0 };
	size_t i, first = from;
	unsigned bad, bit;
	char o[DNAME_MAXSTR];

	for (i = from; i < to; i++)
		vowner_add(&v, z->rr[i].type);
	if ((bad = vowner_check(&v)) == 0)
		return;
	/* the line of the first CNAME (else DNAME) for the message */
	for (i = from; i < to && z->rr[i].type != WIRE_TYPE_CNAME; i++)
		;
	if (i == to)
		for (i = from; i < to && z->rr[i].type != WIRE_TYPE_DNAME; i++)
			;
	first = i < to ? i : from;
	for (bit = 1; bit <= VOWN_MULTI_DNAME; bit <<= 1)
		if (bad & bit)
			zproblem(z, z->rr[first].file, z->rr[first].line, 0,
			    "%s: %s", owner_str(z, &z->rr[first], o,
			    sizeof(o)), vowner_msg(bit));
}

/* Nothing below a DNAME (RFC 6672 2.3): each owner's ancestors looked up
 * among the DNAME owners (none, in most zones: then nothing is done). */
static int
check_dnames(struct zset *z)
{
	struct vnames dn = { 0 };
	const struct vname *d;
	size_t i;
	char o[DNAME_MAXSTR], d_s[DNAME_MAXSTR];
	int ret = 0;

	for (i = 0; ret == 0 && i < z->n; i++)
		if (z->rr[i].type == WIRE_TYPE_DNAME)
			ret = vnames_add(&dn, ZOWNER(z, &z->rr[i]),
			    z->rr[i].owner_len);
	if (ret < 0 || dn.n == 0) {
		vnames_free(&dn);
		return ret;
	}
	vnames_sort(&dn);
	for (i = 0; i < z->n; i++) {
		if (i > 0 && same_owner(z, &z->rr[i - 1], &z->rr[i]))
			continue;
		if ((d = vnames_below(&dn, ZOWNER(z, &z->rr[i]),
		    z->rr[i].owner_len, z->origin)) == NULL)
			continue;
		snprintf(d_s, sizeof(d_s), "%.*s", (int)d->len, d->s);
		zproblem(z, z->rr[i].file, z->rr[i].line, 0,
		    "%s: below the DNAME at %s (RFC 6672 2.3)",
		    owner_str(z, &z->rr[i], o, sizeof(o)), d_s);
	}
	vnames_free(&dn);
	return 0;
}

/* Each RR of a set read from the database (a version published again):
 * checked as a direct edit is. */
static void
check_rows(struct zset *z)
{
	const struct zrr *r;
	size_t i;
	char why[256];

	for (i = 0; i < z->n; i++) {
		r = &z->rr[i];
		if (store_check_rr(z->origin, ZOWNER(z, r), r->owner_len,
		    r->type, r->rclass, r->ttl, ZRDATA(z, r), r->rdlen, why,
		    sizeof(why)) < 0)
			zproblem(z, r->file, r->line, 0, "%s", why, NULL);
	}
}

/*
 * Sorting a million RRs: an LSD radix sort of (first 8 owner bytes, index)
 * pairs, each run with equal prefixes sorted by its next 8 owner bytes
 * the same way (the SRV records of every host, "_sip._tcp.h..."), short
 * runs and runs of one owner by comparison, then one permutation of the
 * entries. Several times faster than qsort of
 * the 28-byte entries, and less memory than glibc's merge buffer.
 */
struct skey {
	uint64_t k;
	uint32_t i;
	uint32_t pad;
};

/* Owner octets OFF..OFF+7 of R, big-endian, zeros past its end (a
 * shorter owner sorts first: it has no octet 0). */
static uint64_t
owner_key(const struct zset *z, const struct zrr *r, size_t off)
{
	const uint8_t *o = z->arena + r->owner;
	uint64_t k = 0;
	size_t i, n;

	if (r->owner_len <= off)
		return 0;
	n = r->owner_len - off < 8 ? r->owner_len - off : 8;
	for (i = 0; i < n; i++)
		k |= (uint64_t)o[off + i] << (56 - 8 * i);
	return k;
}

/* LSD radix sort of A (N keys) by k, stable passes of BITS bits (8 or 16;
 * CNT: room for 2^BITS counts) least significant first, through B;
 * returns the array that holds the result. */
static struct skey *
radix(struct skey *a, struct skey *b, size_t n, size_t *cnt, int bits)
{
	size_t i, sum, c, nd = (size_t)1 << bits, mask = nd - 1;
	struct skey *t;
	int shift;

	for (shift = 0; shift < 64; shift += bits) {
		memset(cnt, 0, nd * sizeof(*cnt));
		for (i = 0; i < n; i++)
			cnt[(a[i].k >> shift) & mask]++;
		if (cnt[(a[0].k >> shift) & mask] == n)
			continue;	/* all the same digit */
		for (i = 0, sum = 0; i < nd; i++) {
			c = cnt[i];
			cnt[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			b[cnt[(a[i].k >> shift) & mask]++] = a[i];
		t = a, a = b, b = t;
	}
	return a;
}

static int
skey_cmp(const void *pa, const void *pb, void *arg)
{
	const struct skey *a = pa, *b = pb;
	const struct zset *z = arg;

	return sort_cmp(z, &z->rr[a->i], &z->rr[b->i]);
}

/*
 * A run of N keys whose owners share their first OFF octets: by insertion
 * when short (most runs are the few records of one owner); else by the
 * next eight owner octets (radix, TMP: room for N), each run of those
 * again; runs of one owner by qsort_r.
 */
#define SORT_INSERTION	24
static void
sort_run(const struct zset *z, struct skey *a, struct skey *tmp, size_t n,
    size_t off)
{
	struct skey t, *r;
	size_t cnt[256], i, j;
	int longer = 0;

	if (n > SORT_INSERTION) {
		for (i = 0; i < n; i++) {
			/* the entries and their owners are read at random */
			if (i + 32 < n)
				__builtin_prefetch(&z->rr[a[i + 32].i]);
			if (i + 16 < n)
				__builtin_prefetch(z->arena +
				    z->rr[a[i + 16].i].owner + off);
			a[i].k = owner_key(z, &z->rr[a[i].i], off);
			longer |= z->rr[a[i].i].owner_len > off;
		}
		if (!longer) {
			qsort_r(a, n, sizeof(*a), skey_cmp,
			    (void *)(uintptr_t)z);
			return;
		}
		if ((r = radix(a, tmp, n, cnt, 8)) != a)
			memcpy(a, r, n * sizeof(*a));
		for (i = 0; i < n; i = j) {
			for (j = i + 1; j < n && a[j].k == a[i].k; j++)
				;
			if (j - i > 1)
				sort_run(z, a + i, tmp + i, j - i, off + 8);
		}
		return;
	}
	for (i = 1; i < n; i++) {
		t = a[i];
		for (j = i; j > 0 && sort_cmp(z, &z->rr[a[j - 1].i],
		    &z->rr[t.i]) > 0; j--)
			a[j] = a[j - 1];
		a[j] = t;
	}
}

/*
 * A big set is sorted in two parts on the two cores (par.c): the keys are
 * split by their first two octets near the middle, each part sorted on
 * its own (sort_part), the parts laid end to end; then the entries are
 * moved into their order, half by each core (move_part).
 */
#define SORT_PAR_MIN	65536
struct sort_job {
	const struct zset *z;
	struct skey *keys, *tmp;	/* N each; the result in KEYS */
	struct zrr *nr;			/* move_part: where the N go */
	size_t n;
	size_t *cnt;			/* 65536 counts */
};

static int
sort_part(void *arg)
{
	struct sort_job *j = arg;
	struct skey *a = j->keys, *b = j->tmp, *r;
	size_t i, k, n = j->n;

	if (n < 2)
		return 0;
	/* four passes of 16 bits */
	if ((r = radix(a, b, n, j->cnt, 16)) != a)
		memcpy(a, r, n * sizeof(*a));
	/* runs with the same 8-byte prefix: the next octets, then in full */
	for (i = 0; i < n; i = k) {
		for (k = i + 1; k < n && a[k].k == a[i].k; k++)
			;
		if (k - i > 1)
			sort_run(j->z, a + i, b + i, k - i, 8);
	}
	return 0;
}

static int
move_part(void *arg)
{
	struct sort_job *j = arg;
	size_t i;

	for (i = 0; i < j->n; i++)
		j->nr[i] = j->z->rr[j->keys[i].i];
	return 0;
}

/* JOB on this core and on another beside it (none when the set is small:
 * then J1 has all). */
static void
two_jobs(int (*job)(void *), struct sort_job *j1, struct sort_job *j2)
{
	struct par p;

	if (j2->n == 0) {
		job(j1);
		return;
	}
	par_start(&p, job, j2);
	job(j1);
	par_join(&p);
}

static int
zset_sort(struct zset *z)
{
	struct skey *a, *b;
	struct zrr *nr = NULL;
	struct sort_job j1, j2;
	size_t *cnt, i, n = z->n, n1 = n, cum, h, top = 0x10000;
	int ret = HP_ENOMEM;

	if (n < 2)
		return 0;
	if (n > UINT32_MAX)
		return HP_ETOOBIG;
	a = malloc(n * sizeof(*a));
	b = malloc(n * sizeof(*b));
	cnt = malloc(2 * 65536 * sizeof(*cnt));
	if (a == NULL || b == NULL || cnt == NULL)
		goto out;
	memset(cnt, 0, 65536 * sizeof(*cnt));
	for (i = 0; i < n; i++) {
		/* taken while parsing (zset_add), when they were */
		a[i].k = z->nkey == n ? z->key[i] : owner_key(z, &z->rr[i], 0);
		a[i].i = (uint32_t)i;
		a[i].pad = 0;
		cnt[a[i].k >> 48]++;
	}
	/* the entries are moved below: no key is in step any more */
	free(z->key);
	z->key = NULL;
	z->nkey = 0;
	/* the split: the first TOP values of the first two octets in part
	 * one, the nearest to half of the keys */
	if (n >= SORT_PAR_MIN) {
		for (h = 0, cum = 0; h < 0x10000 && cum + cnt[h] <= n / 2; h++)
			cum += cnt[h];
		if (h < 0x10000 && n / 2 - cum > cum + cnt[h] - n / 2) {
			cum += cnt[h];
			h++;
		}
		top = h;
		n1 = cum;
	}
	if (n1 == 0 || n1 == n) {
		/* one part: A sorted in place, B its room */
		j1 = (struct sort_job){ z, a, b, NULL, n, cnt };
		j2 = (struct sort_job){ z, NULL, NULL, NULL, 0, NULL };
	} else {
		/* a stable split of A into B, the room for each part in A */
		size_t p1 = 0, p2 = n1;

		for (i = 0; i < n; i++)
			if ((a[i].k >> 48) < top)
				b[p1++] = a[i];
			else
				b[p2++] = a[i];
		j1 = (struct sort_job){ z, b, a, NULL, n1, cnt };
		j2 = (struct sort_job){ z, b + n1, a + n1, NULL, n - n1,
		    cnt + 65536 };
	}
	store_phase("sort-keys");
	two_jobs(sort_part, &j1, &j2);
	store_phase("sort-parts");
	/* the keys in order are in J1's (and J2's) KEYS; the other array
	 * goes before the entries' new room is taken */
	if (j1.keys == a)
		free(b);
	else
		free(a);
	a = j1.keys;
	b = NULL;
	if ((nr = malloc(z->cap * sizeof(*nr))) == NULL)
		goto out;
	j1.nr = nr;
	j2.nr = nr + j1.n;
	two_jobs(move_part, &j1, &j2);
	store_phase("sort-move");
	free(z->rr);
	z->rr = nr;
	ret = 0;
out:
	free(a);
	free(b);
	free(cnt);
	return ret;
}

#define PAR_HASH_MIN	4096	/* smaller sets: import_set() digests them */
static int
hash_job(void *arg)
{
	struct zset *z = arg;

	return zset_hash(z, z->hash);
}

int
zset_check(struct zset *z)
{
	size_t i, j, start, olen = strlen(z->origin);
	int apex_ns = 0, nsoa = 0, rehash = 0, same, ret;
	struct zrr *r;
	struct par hj = { 0 };
	char o[DNAME_MAXSTR];

	z->has_hash = 0;
	if ((ret = zset_sort(z)) < 0)
		return ret;
	store_phase("sort");
	/* Its digest beside the checks, on another core: the set is final
	 * unless it holds duplicates (then taken again once they are gone).
	 * One pass drops duplicates (the first seen stays) and checks each
	 * owner's records, the SOA and the apex NS. */
	if (z->want_hash && z->n >= PAR_HASH_MIN)
		par_start(&hj, hash_job, z);
	z->soa = -1;
	for (i = 0, j = 0, start = 0; i < z->n; i++) {
		zset_prefetch(z, i);
		r = &z->rr[i];
		/* sorted: a duplicate follows its first, with its owner */
		same = j > 0 && same_owner(z, &z->rr[j - 1], r);
		if (same && cmp_past_owner(z, &z->rr[j - 1], r) == 0) {
			if (hj.used) {
				/* the set changes under the digest */
				par_join(&hj);
				rehash = 1;
			}
			zproblem(z, r->file, r->line, 1,
			    "duplicate record at %s dropped%s",
			    owner_str(z, r, o, sizeof(o)), NULL);
			continue;
		}
		if (j != i)
			z->rr[j] = *r;
		r = &z->rr[j];
		/* the group's owner is the one before (hot in the cache) */
		if (j > start && !same) {
			check_owner_group(z, start, j);
			start = j;
		}
		j++;
		if (olen != r->owner_len ||
		    memcmp(ZOWNER(z, r), z->origin, r->owner_len) != 0) {
			if (r->type == WIRE_TYPE_SOA)
				zproblem(z, r->file, r->line, 0,
				    "SOA record at %s, not at the apex %s",
				    owner_str(z, r, o, sizeof(o)), z->origin);
			continue;
		}
		if (r->type == WIRE_TYPE_NS)
			apex_ns = 1;
		if (r->type == WIRE_TYPE_SOA) {
			if (serial_soa_off(ZRDATA(z, r), r->rdlen) < 0)
				zproblem(z, r->file, r->line, 0,
				    "malformed SOA record%s%s", NULL, NULL);
			else if (nsoa++ == 0)
				z->soa = (int)(j - 1);
			else
				zproblem(z, r->file, r->line, 0,
				    "second SOA record at %s (a zone has "
				    "exactly one)%s", z->origin, NULL);
		}
	}
	if (j != z->n)
		z->n = j;	/* (no digest runs then) */
	if (z->n > start)
		check_owner_group(z, start, z->n);
	if (rehash)
		par_start(&hj, hash_job, z);
	if (z->check_rows)
		check_rows(z);
	ret = check_dnames(z);
	store_phase("check");
	if (hj.used && par_join(&hj) == 0)
		z->has_hash = 1;
	store_phase("hash-wait");
	if (ret < 0)
		return ret;
	if (nsoa == 0)
		zproblem(z, 0, 0, 0, "no SOA record at the apex %s%s",
		    z->origin, NULL);
	if (!apex_ns)
		zproblem(z, 0, 0, 0, "no NS record at the apex %s%s",
		    z->origin, NULL);
	return z->errors > 0 ? HP_EINVALID : 0;
}

size_t
zset_rr_bytes(const struct zset *z, const struct zrr *r, uint8_t *buf)
{
	uint8_t *p = buf;

	memcpy(p, ZOWNER(z, r), r->owner_len);
	p += r->owner_len;
	*p++ = 0;
	*p++ = (uint8_t)(r->type >> 8);
	*p++ = (uint8_t)r->type;
	*p++ = (uint8_t)(r->rclass >> 8);
	*p++ = (uint8_t)r->rclass;
	*p++ = (uint8_t)(r->ttl >> 24);
	*p++ = (uint8_t)(r->ttl >> 16);
	*p++ = (uint8_t)(r->ttl >> 8);
	*p++ = (uint8_t)r->ttl;
	*p++ = (uint8_t)(r->rdlen >> 8);
	*p++ = (uint8_t)r->rdlen;
	memcpy(p, ZRDATA(z, r), r->rdlen);
	if (r->type == WIRE_TYPE_SOA)
		serial_soa_set(p, r->rdlen, 0);
	return (size_t)(p - buf) + r->rdlen;
}

int
zset_hash(const struct zset *z, uint8_t out[32])
{
	EVP_MD_CTX *ctx;
	uint8_t buf[65536 + ZSET_RR_BYTES_MAX];
	size_t used = 0, i;
	unsigned int olen = 0;
	int ret = HP_ECRYPTO;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return HP_ENOMEM;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	for (i = 0; i < z->n; i++) {
		if (used > 65536) {
			if (EVP_DigestUpdate(ctx, buf, used) != 1)
				goto out;
			used = 0;
		}
		zset_prefetch(z, i);
		used += zset_rr_bytes(z, &z->rr[i], buf + used);
	}
	if (EVP_DigestUpdate(ctx, buf, used) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, &olen) != 1 || olen != 32)
		goto out;
	ret = 0;
out:
	EVP_MD_CTX_free(ctx);
	return ret;
}

void
zset_rr(const struct zset *z, const struct zrr *r, char *owner, size_t len,
    struct store_rr *rr)
{
	snprintf(owner, len, "%.*s", (int)r->owner_len, ZOWNER(z, r));
	rr->owner = owner;
	rr->type = r->type;
	rr->rclass = r->rclass;
	rr->ttl = r->ttl;
	rr->rdata = ZRDATA(z, r);
	rr->rdlen = r->rdlen;
}
