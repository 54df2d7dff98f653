/*
 * err.h -- hpagent's one error convention.
 *
 * 0 is success; a negative value is an error. System errors are the
 * negated errno (HP_ENOMEM == -ENOMEM); the rest are hpagent's own codes
 * below -1000. hp_strerror() names either kind.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_ERR_H
#define HP_ERR_H

#include <errno.h>
#include <stddef.h>

enum {
	HP_OK = 0,
	HP_ENOMEM = -ENOMEM,
	HP_EINVAL = -EINVAL,
	HP_ENOENT = -ENOENT,
	HP_EEXIST = -EEXIST,
	HP_ERANGE = -ERANGE,
	HP_EIO = -EIO,
	HP_EACCES = -EACCES,
	HP_EAGAIN = -EAGAIN,

	HP_ERROR_MIN = -1100,
	HP_EMALF = -1001,	/* malformed wire data */
	HP_ESPACE = -1002,	/* output buffer too small */
	HP_ENOTSUP = -1003,	/* unsupported (algorithm, type, opcode) */
	HP_EPARSE = -1004,	/* text input did not parse */
	HP_EINVALID = -1005,	/* parsed, but semantically invalid */
	HP_ESTORE = -1006,	/* database error */
	HP_EBUSY = -1007,	/* database locked by another writer */
	HP_ESCHEMA = -1008,	/* database schema newer than this binary */
	HP_ENOTDB = -1009,	/* file is not an SQLite database */
	HP_EBADKEY = -1010,	/* TSIG: unknown key or algorithm */
	HP_EBADSIG = -1011,	/* TSIG: MAC did not verify */
	HP_EBADTIME = -1012,	/* TSIG: time outside fudge */
	HP_ENOTSIG = -1013,	/* TSIG: expected, absent */
	HP_ECRYPTO = -1014,	/* OpenSSL failed */
	HP_ENOJOURNAL = -1015,	/* journal does not reach that serial */
	HP_EFETCH = -1016,	/* fetching a zone source failed */
	HP_ETOOBIG = -1017,	/* input over its size limit */
	HP_ECONF = -1018,	/* configuration error */
	HP_EUNCHANGED = -1019,	/* not an error: nothing to do */
	HP_EMAXDELETE = -1020,	/* an import would remove too much */
};

/* A static string naming ERR (negative errno or HP_E*). Never NULL. */
const char *hp_strerror(int err);

/*
 * A message for people about an input (a zone text, a configuration
 * file): where it is and what is wrong. Parsers hand these to a callback
 * rather than printing, so that the command line prints them, the daemon
 * logs them and the HTTP API answers with them.
 */
struct hp_problem {
	const char *file;	/* the input's name, or NULL: no place */
	unsigned line;		/* 1.., or 0: the input as a whole */
	int warning;		/* 1: a warning, 0: an error */
	const char *text;	/* what is wrong, one line */
};
typedef void hp_problem_fn(void *arg, const struct hp_problem *p);

/* P as people read it, "FILE:LINE: [warning: ]TEXT" ("FILE: ..." without
 * a line, TEXT alone without a file), into BUF (LEN octets, truncated).
 * Returns BUF. */
const char *hp_problem_str(const struct hp_problem *p, char *buf,
    size_t len);

/* Report TEXT (printf FMT) at FILE:LINE through FN, or print it to stderr
 * when FN is NULL. */
void hp_problem(hp_problem_fn *fn, void *arg, const char *file,
    unsigned line, int warning, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#endif
