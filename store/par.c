/*
 * par.c -- what makes an import fast, and shows it: one job run beside
 * the caller on the other core (an import's digests while it parses,
 * checks or compares; store_int.h: par_start), run at once in the caller
 * when no thread can be started; the time of each phase, on request.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/log.h"
#include "store/store_int.h"

static void *
par_main(void *arg)
{
	struct par *p = arg;

	p->ret = p->fn(p->arg);
	return NULL;
}

void
par_start(struct par *p, int (*fn)(void *), void *arg)
{
	memset(p, 0, sizeof(*p));
	p->fn = fn;
	p->arg = arg;
	p->used = 1;
	if (pthread_create(&p->th, NULL, par_main, p) == 0)
		p->started = 1;
	else
		p->ret = fn(arg);
}

int
par_join(struct par *p)
{
	if (!p->used)
		return 0;
	if (p->started)
		pthread_join(p->th, NULL);
	p->used = p->started = 0;
	return p->ret;
}

/* $HPAGENT_TIMING set: phase times on stderr, for benchmarks. */
void
store_phase(const char *what)
{
	static double t0;
	double t;

	if (getenv("HPAGENT_TIMING") == NULL)
		return;
	t = log_clock();
	if (t0 != 0)
		fprintf(stderr, "timing: %-16s %.3f s\n", what, t - t0);
	t0 = t;
}
