/*
 * seen.c -- a set of notify: targets (their "ADDR@PORT" labels) seen
 * serving a serial, and which of a zone's targets are not in it: what a
 * ?wait= publish, a waiting UPDATE and the coalescing of NOTIFYs after
 * UPDATEs each keep.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/conf/conf.h"

int
conf_seen_has(const struct conf_seen *s, const char *label)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], label) == 0)
			return 1;
	return 0;
}

int
conf_seen_add(struct conf_seen *s, const char *label)
{
	void *n;
	int cap;

	if (conf_seen_has(s, label))
		return 0;
	if (s->n == s->cap) {
		cap = s->cap ? 2 * s->cap : 4;
		if ((n = realloc(s->v, (size_t)cap * sizeof(*s->v))) == NULL)
			return HP_ENOMEM;
		s->v = n;
		s->cap = cap;
	}
	snprintf(s->v[s->n++], sizeof(*s->v), "%s", label);
	return 0;
}

int
conf_seen_left(const struct conf_seen *s, const struct conf_zone *z,
    char *behind, size_t len)
{
	size_t o = 0;
	int i, left = 0, n;

	if (behind != NULL && len > 0)
		behind[0] = '\0';
	for (i = 0; i < z->ntargets; i++) {
		if (!z->targets[i].first || conf_seen_has(s, z->targets[i].label))
			continue;
		left++;
		if (behind == NULL || o + 1 >= len)
			continue;
		n = snprintf(behind + o, len - o, "%s%s", o ? " " : "",
		    z->targets[i].label);
		o = n < 0 || (size_t)n >= len - o ? len - 1 : o + (size_t)n;
	}
	return left;
}

void
conf_seen_clear(struct conf_seen *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}
