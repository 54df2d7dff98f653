/* err.c -- names for hpagent's error codes. SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dns/err.h"

static const struct {
	int code;
	const char *text;
} hp_errors[] = {
	{ HP_EMALF, "malformed message" },
	{ HP_ESPACE, "not enough buffer space" },
	{ HP_ENOTSUP, "not supported" },
	{ HP_EPARSE, "parse error" },
	{ HP_EINVALID, "invalid data" },
	{ HP_ESTORE, "database error" },
	{ HP_EBUSY, "database is locked by another writer" },
	{ HP_ESCHEMA, "database schema is newer than this hpagent" },
	{ HP_ENOTDB, "file is not an hpagent (SQLite) database" },
	{ HP_EBADKEY, "TSIG: unknown key" },
	{ HP_EBADSIG, "TSIG: bad signature" },
	{ HP_EBADTIME, "TSIG: time outside fudge" },
	{ HP_ENOTSIG, "TSIG: message not signed" },
	{ HP_ECRYPTO, "cryptographic library error" },
	{ HP_ENOJOURNAL, "journal does not reach that serial" },
	{ HP_EFETCH, "fetch failed" },
	{ HP_ETOOBIG, "input too large" },
	{ HP_ECONF, "configuration error" },
	{ HP_EUNCHANGED, "unchanged" },
	{ HP_EMAXDELETE, "would remove more records than max-delete allows" },
};

const char *
hp_strerror(int err)
{
	size_t i;

	if (err == 0)
		return "success";
	for (i = 0; i < sizeof(hp_errors) / sizeof(hp_errors[0]); i++)
		if (hp_errors[i].code == err)
			return hp_errors[i].text;
	if (err < 0 && err > HP_ERROR_MIN + 100)
		return strerror(-err);
	return "unknown error";
}

const char *
hp_problem_str(const struct hp_problem *p, char *buf, size_t len)
{
	const char *w = p->warning ? "warning: " : "";

	if (p->file != NULL && p->line > 0)
		snprintf(buf, len, "%s:%u: %s%s", p->file, p->line, w, p->text);
	else if (p->file != NULL)
		snprintf(buf, len, "%s: %s%s", p->file, w, p->text);
	else
		snprintf(buf, len, "%s%s", w, p->text);
	return buf;
}

void
hp_problem(hp_problem_fn *fn, void *arg, const char *file, unsigned line,
    int warning, const char *fmt, ...)
{
	struct hp_problem p = { file, line, warning, NULL };
	char text[1024], buf[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	p.text = text;
	if (fn != NULL)
		fn(arg, &p);
	else
		fprintf(stderr, "%s\n", hp_problem_str(&p, buf, sizeof(buf)));
}
