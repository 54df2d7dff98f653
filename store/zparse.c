/*
 * zparse.c -- a zone text read into a zone's RR set (zset.h) by
 * libzscanner: each record's owner made the store's text and checked as
 * any record entering the store is, $INCLUDE with loop detection and a
 * depth limit (refused where the text came as a buffer), relative names
 * refused when the text must say its origin. A big input is read on two
 * cores: libzscanner on a thread of its own, the records taken in order
 * by the caller.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libknot/libknot.h>
#include <libzscanner/scanner.h>

#include "dns/err.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/zset.h"

#define ZSET_MAX_INCLUDE	16

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
	uint8_t owner[KNOT_DNAME_MAXLEN], c;
	uint32_t line = s->line;
	size_t i;
	char why[256];

	if (s->owner_len > sizeof(owner))
		return HP_EMALF;
	if (!z->pc_valid || z->pc_wire_len != s->owner_len ||
	    memcmp(z->pc_wire, s->owner, s->owner_len) != 0) {
		/* (a loop: memcpy of these few octets is a slow rep movs),
		 * lowered as it is copied: a label's length (at most 63)
		 * is never an upper-case letter */
		for (i = 0; i < s->owner_len; i++) {
			c = s->owner[i];
			z->pc_wire[i] = c;
			owner[i] = c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
		}
		z->pc_wire_len = s->owner_len;
		z->pc_valid = 1;
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
			zset_problem(z, file, line, 0, "a relative name, and no "
			    "$ORIGIN: a zone text authenticated only by a "
			    "signature must name its zone (a $ORIGIN %s line, "
			    "or absolute names)%s", z->origin, NULL);
		return 0;
	}
	if (z->pc_status == 1) {
		zset_problem(z, file, line, 0, "bad owner name", NULL, NULL);
		return 0;
	}
	if (z->pc_status == 2) {
		zset_problem(z, file, line, 0, "%s is outside the zone %s",
		    z->pc_text, z->origin);
		return 0;
	}
	if (s->rclass != KNOT_CLASS_IN) {
		zset_problem(z, file, line, 0, "%s: class is not IN", z->pc_text,
		    NULL);
		return 0;
	}
	/* The owner is canonical by construction; the rest is checked as
	 * any record entering the store is (store/validate.c). */
	if (store_check_type(s->type, s->rclass, s->ttl, why,
	    sizeof(why)) < 0 || store_check_rdata(s->type, s->rdata,
	    s->rdlen, why, sizeof(why)) < 0) {
		zset_problem(z, file, line, 0, "%s: %s", z->pc_text, why);
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
		zset_problem(z, file, inc->line, 0,
		    "$INCLUDE is not allowed here%s%s", NULL, NULL);
		return 0;
	}
	if (realpath(inc->path, real) == NULL) {
		zset_problem(z, file, inc->line, 0, "$INCLUDE %s: %s", inc->path,
		    strerror(errno));
		return 0;
	}
	for (i = up; i != NULL; i = i->up)
		if (strcmp(i->real, real) == 0) {
			zset_problem(z, file, inc->line, 0,
			    "$INCLUDE loop: %s is already being read%s",
			    inc->path, NULL);
			return 0;
		}
	if (z->include_depth >= ZSET_MAX_INCLUDE) {
		zset_problem(z, file, inc->line, 0,
		    "$INCLUDE nested too deeply: %s%s", inc->path, NULL);
		return 0;
	}
	if ((in = calloc(1, sizeof(*in))) == NULL)
		return HP_ENOMEM;
	ret = HP_ENOMEM;
	if (zs_init(in, inc->origin, inc->rclass, inc->ttl) != 0)
		goto out;
	if ((ret = zset_add_file(z, inc->path, &idx)) < 0)
		goto out_deinit;
	if (zs_set_input_file(in, inc->path) != 0) {
		zset_problem(z, file, inc->line, 0, "$INCLUDE %s: %s", inc->path,
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

/* What the scanner did with its last record (RC: zs_parse_record's
 * return), as both ways of parsing take it. */
enum { EV_NONE, EV_DATA, EV_ERROR, EV_FAIL, EV_INCLUDE, EV_END };

static int
ev_kind(const zs_scanner_t *s, int rc)
{
	if (rc != 0 && s->state != ZS_STATE_ERROR)
		return EV_FAIL;		/* said, and the input ends */
	switch (s->state) {
	case ZS_STATE_DATA:
		return EV_DATA;
	case ZS_STATE_ERROR:
		return EV_ERROR;	/* said; the input ends when fatal */
	case ZS_STATE_INCLUDE:
		return EV_INCLUDE;
	case ZS_STATE_EOF:
	case ZS_STATE_STOP:
		return EV_END;
	default:
		return EV_NONE;
	}
}

/* One event (KIND of ev_kind; SC, INC, CODE, FATAL as it says) of input
 * FILE: 0 to go on, 1 when the input ends there, or an error. */
struct scan_event {
	int kind, fatal;
	int32_t code;
	uint32_t line;
	struct scanned sc;
	struct include inc;
};

static int
take_event(struct zset *z, const struct scan_event *ev, uint32_t file,
    const struct incl *up)
{
	switch (ev->kind) {
	case EV_DATA:
		return take_record(z, &ev->sc, file);
	case EV_INCLUDE:
		return do_include(z, &ev->inc, file, up);
	case EV_FAIL:
	case EV_ERROR:
		zset_problem(z, file, ev->line, 0, "%s%s",
		    zs_strerror(ev->code), NULL);
		return ev->kind == EV_FAIL || ev->fatal;
	case EV_END:
		return 1;
	default:
		return 0;
	}
}

static int
parse_scanner(struct zset *z, zs_scanner_t *s, uint32_t file,
    const struct incl *up)
{
	struct scan_event ev;
	int ret;

	for (;;) {
		ev.kind = ev_kind(s, zs_parse_record(s));
		ev.line = (uint32_t)s->line_counter;
		ev.code = s->error.code;
		ev.fatal = s->error.fatal != 0;
		if (ev.kind == EV_DATA)
			scanned_of(s, &ev.sc);
		else if (ev.kind == EV_INCLUDE)
			include_of(s, &ev.inc);
		if ((ret = take_event(z, &ev, file, up)) != 0)
			return ret > 0 ? 0 : ret;
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
struct ev {
	uint32_t len;		/* of the event with its octets, 8-aligned */
	uint8_t kind, fatal;	/* ev_kind(), error.fatal */
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
	int kind, last = 0;

	c = pipe_put(p, NULL);
	while (c != NULL && !last) {
		kind = ev_kind(s, zs_parse_record(s));
		olen = rdlen = 0;
		if (kind == EV_NONE)
			continue;
		if (kind == EV_END)
			break;
		if (kind == EV_DATA) {
			olen = s->r_owner_length;
			rdlen = s->r_data_length;
		} else if (kind == EV_INCLUDE) {
			olen = strlen(s->include_filename) + 1;
			rdlen = strlen((const char *)s->buffer) + 1;
		} else	/* the input ends with it when take_event says so */
			last = kind == EV_FAIL || s->error.fatal;
		need = EV_ROOM(olen, rdlen);
		if (need > PIPE_CHUNK || olen > UINT16_MAX)
			break;	/* cannot be: names and rdata are short */
		if (c->used + need > PIPE_CHUNK &&
		    (c = pipe_put(p, c)) == NULL)
			break;
		e = (struct ev *)(c->buf + c->used);
		memset(e, 0, sizeof(*e));
		e->len = (uint32_t)need;
		e->kind = (uint8_t)kind;
		e->line = (uint32_t)s->line_counter;
		e->owner_len = (uint16_t)olen;
		e->rdlen = (uint32_t)rdlen;
		e->code = s->error.code;
		e->fatal = s->error.fatal != 0;
		if (kind == EV_DATA) {
			e->type = s->r_type;
			e->rclass = s->r_class;
			e->ttl = s->r_ttl;
			memcpy(e + 1, s->r_owner, olen);
			memcpy((uint8_t *)(e + 1) + olen, s->r_data, rdlen);
		} else if (kind == EV_INCLUDE) {
			e->rclass = s->default_class;
			e->ttl = s->default_ttl;
			memcpy(e + 1, s->include_filename, olen);
			memcpy((uint8_t *)(e + 1) + olen, s->buffer, rdlen);
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
	struct scan_event ev;
	size_t off;
	int ret;

	for (off = 0; off < c->used; off += e->len) {
		e = (const struct ev *)(c->buf + off);
		d = (const uint8_t *)(e + 1);
		ev.kind = e->kind;
		ev.fatal = e->fatal;
		ev.code = e->code;
		ev.line = e->line;
		if (e->kind == EV_DATA) {
			ev.sc.owner = d;
			ev.sc.owner_len = e->owner_len;
			ev.sc.rdata = d + e->owner_len;
			ev.sc.rdlen = e->rdlen;
			ev.sc.type = e->type;
			ev.sc.rclass = e->rclass;
			ev.sc.ttl = e->ttl;
			ev.sc.line = e->line;
		} else if (e->kind == EV_INCLUDE) {
			ev.inc.path = (const char *)d;
			ev.inc.origin = (const char *)d + e->owner_len;
			ev.inc.rclass = e->rclass;
			ev.inc.ttl = e->ttl;
			ev.inc.line = e->line;
		}
		if ((ret = take_event(z, &ev, file, up)) != 0)
			return ret;
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
	if ((ret = zset_add_file(z, name, &idx)) < 0)
		goto out;
	if (path != NULL) {
		if (realpath(path, real) == NULL) {
			ret = -errno;
			goto out;
		}
		if (zs_set_input_file(s, path) != 0) {
			zset_problem(z, idx, 0, 0, "%s%s",
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
		if (zset_add_file(z, name, &idx) < 0)
			return HP_ENOMEM;
		zset_problem(z, idx, 0, 0, "empty zone file (no records)%s%s",
		    NULL, NULL);
		return HP_EINVALID;
	}
	return parse_with(z, name, NULL, buf, len);
}
