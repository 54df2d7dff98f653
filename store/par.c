/*
 * par.c -- one job run beside the caller on the other core: an import's
 * digests while it parses, checks or compares (store_int.h: par_start).
 * When no thread can be started the job runs at once, in the caller.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <pthread.h>
#include <string.h>

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
