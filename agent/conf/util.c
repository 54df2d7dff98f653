/*
 * util.c -- the loader's messages (every one "file:line: message", through
 * the caller's problem callback) and its small helpers.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/conf/conf.h"
#include "agent/conf/conf_int.h"
#include "dns/err.h"

/* ---------------------------------------------------------- messages */

static void
conf_say(struct loader *ld, const char *file, int line, int warning,
    const char *fmt, va_list ap)
{
	char text[1024];

	vsnprintf(text, sizeof(text), fmt, ap);
	hp_problem(ld->problem, ld->problem_arg, file,
	    line > 0 ? (unsigned)line : 0, warning, "%s", text);
}

void
conf_error(struct loader *ld, const char *file, int line, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_say(ld, file, line, 0, fmt, ap);
	va_end(ap);
	ld->nerr++;
}

void
conf_warn(struct loader *ld, const char *file, int line, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_say(ld, file, line, 1, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------- helpers */

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL) {
		fputs("hpagent: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL) {
		fputs("hpagent: out of memory\n", stderr);
		abort();
	}
	return p;
}

/* DIR/P, or a copy of P when it is absolute (or DIR is NULL). */
char *
path_join(const char *dir, const char *p)
{
	size_t n;
	char *r;

	if (p[0] == '/' || dir == NULL || dir[0] == '\0')
		return xstrdup(p);
	n = strlen(dir) + strlen(p) + 2;
	r = xcalloc(1, n);
	snprintf(r, n, "%s/%s", dir, p);
	return r;
}

/* The directory part of PATH ("." when none). */
char *
path_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *r;

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	r = xcalloc(1, slash - path + 1);
	memcpy(r, path, slash - path);
	return r;
}

/* Decimal 0..MAX, the whole string. */
int
parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (*s == '\0')
		return HP_EINVAL;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return HP_EINVAL;
		if (v > (max - (*s - '0')) / 10)
			return HP_ERANGE;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

int
parse_secs(const char *s, int max, int *out)
{
	char buf[24];
	size_t len = strlen(s);
	unsigned long long v, mul = 1;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len + 1);
	if (buf[len - 1] == 'm')
		mul = 60;
	else if (buf[len - 1] == 'h')
		mul = 3600;
	if (strchr("smh", buf[len - 1]) != NULL)
		buf[len - 1] = '\0';
	if (parse_uint(buf, (unsigned long long)max, &v) < 0 ||
	    v * mul > (unsigned long long)max)
		return -1;
	*out = (int)(v * mul);
	return 0;
}

/* Paths relative to the config file's directory; defaults. */
