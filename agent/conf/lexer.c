/*
 * lexer.c -- reading agent.conf: files read whole and cut into tokens;
 * "word:" (unquoted) is a keyword, anything else a value; a keyword and
 * the values after it form a statement, handed to conf_statement().
 * include: FILE is followed here (relative to the including file, globs
 * allowed, loops refused).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/conf/conf.h"
#include "agent/conf/conf_int.h"
#include "dns/err.h"

struct token {
	char *text;
	int line;
	int keyword;
};

static const char *
intern_file(struct loader *ld, const char *path)
{
	struct conf *cfg = ld->cfg;
	char **n;

	n = realloc(cfg->files, (cfg->n_files + 1) * sizeof(*n));
	if (n == NULL)
		abort();
	cfg->files = n;
	n[cfg->n_files] = xstrdup(path);
	return n[cfg->n_files++];
}

static int
is_keyword(const char *s, size_t n)
{
	size_t i;

	if (n < 2 || s[n - 1] != ':' || !isalpha((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n - 1; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_')
			return 0;
	return 1;
}

static void
token_add(struct token **t, int *n, int *cap, const char *s, size_t len,
    int line, int kw)
{
	struct token *nt;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		if ((nt = realloc(*t, *cap * sizeof(**t))) == NULL)
			abort();
		*t = nt;
	}
	(*t)[*n].text = xcalloc(1, len + 1);
	memcpy((*t)[*n].text, s, len);
	(*t)[*n].line = line;
	(*t)[*n].keyword = kw;
	(*n)++;
}

static void
tokens_free(struct token *t, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(t[i].text);
	free(t);
}

/* Cut BUF into tokens: words, "quoted" or 'quoted' values, and keywords
 * ("word:", unquoted); '#' to the end of the line is a comment. 0, or an
 * error printed and negative. */
static int
tokenize(struct loader *ld, const char *file, const char *buf,
    struct token **out, int *nout)
{
	struct token *t = NULL;
	int n = 0, cap = 0, line = 1;
	const char *p = buf, *start;
	char q;
	int kw;

	while (*p != '\0') {
		if (*p == '\n') {
			line++;
			p++;
		} else if (isspace((unsigned char)*p))
			p++;
		else if (*p == '#') {
			while (*p != '\0' && *p != '\n')
				p++;
		} else if (*p == '"' || *p == '\'') {
			q = *p++;
			start = p;
			while (*p != '\0' && *p != q && *p != '\n')
				p++;
			if (*p != q) {
				conf_error(ld, file, line, "unterminated "
				    "quoted string");
				tokens_free(t, n);
				return HP_EPARSE;
			}
			token_add(&t, &n, &cap, start, p - start, line, 0);
			p++;
		} else {
			start = p;
			while (*p != '\0' && !isspace((unsigned char)*p) &&
			    *p != '#' && *p != '"' && *p != '\'')
				p++;
			kw = is_keyword(start, p - start);
			token_add(&t, &n, &cap, start, p - start, line, kw);
			if (kw)		/* drop the colon (put back for a secret) */
				t[n - 1].text[p - start - 1] = '\0';
		}
	}
	*out = t;
	*nout = n;
	return 0;
}

static char *
read_file(struct loader *ld, const char *path, const char *from, int line)
{
	FILE *f;
	char *buf;
	size_t n;
	long len;

	if ((f = fopen(path, "r")) == NULL) {
		if (from != NULL)
			conf_error(ld, from, line, "cannot open %s: %s", path,
			    strerror(errno));
		else
			conf_error(ld, path, 0, "cannot open: %s",
			    strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0 ||
	    len > CONF_MAX_FILE || fseek(f, 0, SEEK_SET) < 0) {
		conf_error(ld, path, 0, "cannot read, or larger than %d bytes",
		    CONF_MAX_FILE);
		fclose(f);
		return NULL;
	}
	buf = xcalloc(1, (size_t)len + 1);
	n = fread(buf, 1, (size_t)len, f);
	fclose(f);
	buf[n] = '\0';
	if (strlen(buf) != n) {
		conf_error(ld, path, 0, "contains a NUL byte");
		free(buf);
		return NULL;
	}
	return buf;
}

/* include: SPEC from FILE:LINE -- relative to FILE's directory, globs. */
static void
include(struct loader *ld, const char *spec, const char *file, int line)
{
	char *dir = path_dir(file), *pat = path_join(dir, spec);
	glob_t g;
	size_t i;
	int r;

	free(dir);
	if (strpbrk(spec, "*?[") == NULL) {
		conf_parse_file(ld, pat, file, line);
		free(pat);
		return;
	}
	r = glob(pat, 0, NULL, &g);
	if (r == 0)
		for (i = 0; i < g.gl_pathc; i++)
			conf_parse_file(ld, g.gl_pathv[i], file, line);
	else if (r != GLOB_NOMATCH)
		conf_error(ld, file, line, "include: cannot expand %s", spec);
	if (r != GLOB_NOMATCH)
		globfree(&g);
	free(pat);
}

static int
is_secret_stmt(const char *kw)
{
	return strcmp(kw, "secret") == 0 || strcmp(kw, "webhook-secret") == 0 ||
	    strcmp(kw, "api-token") == 0 || strcmp(kw, "cookie-secret") == 0;
}

/* Read PATH (included from FROM:LINE, or the top file when FROM is NULL). */
void
conf_parse_file(struct loader *ld, const char *path, const char *from,
    int line)
{
	struct token *t = NULL;
	struct stmt_val v;
	char *buf, *real, *vals[CONF_MAX_VALUES];
	const char *file;
	int n, i, j, d;

	if (ld->depth >= CONF_MAX_DEPTH) {
		conf_error(ld, from, line, "include: nested too deeply");
		return;
	}
	if ((real = realpath(path, NULL)) != NULL) {
		for (d = 0; d < ld->depth; d++)
			if (strcmp(ld->stack[d], real) == 0) {
				conf_error(ld, from, line, "include loop: %s "
				    "is already being read", path);
				free(real);
				return;
			}
	}
	if ((buf = read_file(ld, path, from, line)) == NULL) {
		free(real);
		return;
	}
	ld->stack[ld->depth++] = real ? real : xstrdup(path);
	file = intern_file(ld, path);
	if (tokenize(ld, file, buf, &t, &n) < 0)
		goto out;
	for (i = 0; i < n; ) {
		if (!t[i].keyword) {
			conf_error(ld, file, t[i].line, "expected 'name:', "
			    "found a value");
			while (i < n && !t[i].keyword)
				i++;
			continue;
		}
		/* The value of a secret (on its line) is never taken for a
		 * keyword, so a "word:" secret is not echoed in an error. */
		if (is_secret_stmt(t[i].text) && i + 1 < n &&
		    t[i + 1].keyword && t[i + 1].line == t[i].line) {
			t[i + 1].keyword = 0;
			t[i + 1].text[strlen(t[i + 1].text)] = ':';
		}
		v.file = file;
		v.line = t[i].line;
		v.v = vals;
		v.n = 0;
		for (j = i + 1; j < n && !t[j].keyword; j++)
			if (v.n < CONF_MAX_VALUES)
				vals[v.n++] = t[j].text;
		if (j - i - 1 > CONF_MAX_VALUES)
			v.n = CONF_MAX_VALUES;
		if (strcmp(t[i].text, "include") == 0) {
			if (v.n != 1)
				conf_error(ld, file, v.line, "include: "
				    "expected one file name");
			else
				include(ld, vals[0], file, v.line);
		} else
			conf_statement(ld, t[i].text, &v);
		i = j;
	}
	tokens_free(t, n);
out:
	free(buf);
	free(ld->stack[--ld->depth]);
}
