/*
 * jobq.c -- work off the event loop (jobq.h): a queue, one thread, a pipe
 * back to the loop.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "agent/publish/jobq.h"
#include "dns/err.h"
#include "store/store.h"

struct jobq {
	const struct jobq_ops *ops;
	void *ctx;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct jobq_item *q, **qtail;		/* to do */
	struct jobq_item *done, **dtail;	/* done, for the loop */
	struct jobq_item *cur;			/* under way */
	unsigned nq, max_queued;
	int closed;
	int fds[2];			/* thread -> loop: a byte per job */
	struct event *ev;
	char *dbpath;
	int busy_ms;
	struct store *st;		/* the thread's connection */
};

static void
jobq_run(struct jobq *q, struct jobq_item *it)
{
	char why[256] = "";
	int err = 0;

	if (q->st == NULL) {
		if ((err = store_open(q->dbpath, 0, &q->st, why,
		    sizeof(why))) < 0)
			q->st = NULL;
		else if (q->busy_ms > 0 &&
		    getenv("HPAGENT_BUSY_TIMEOUT_MS") == NULL)
			store_busy_timeout(q->st, q->busy_ms);
	}
	q->ops->run(q->ctx, it, q->st, err, why);
}

static void *
jobq_main(void *arg)
{
	struct jobq *q = arg;
	struct jobq_item *it;
	ssize_t n;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->closed && q->q == NULL)
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->closed || (it = q->q) == NULL)
			break;
		if ((q->q = it->next) == NULL)
			q->qtail = &q->q;
		q->nq--;
		it->next = NULL;
		q->cur = it;
		pthread_mutex_unlock(&q->mu);
		jobq_run(q, it);
		pthread_mutex_lock(&q->mu);
		q->cur = NULL;
		*q->dtail = it;
		q->dtail = &it->next;
		do
			n = write(q->fds[1], "x", 1);
		while (n < 0 && errno == EINTR);
		/* EAGAIN: the pipe is full of wake-ups already */
	}
	pthread_mutex_unlock(&q->mu);
	store_close(q->st);
	q->st = NULL;
	return NULL;
}

/* The finished jobs, taken off the queue. */
static struct jobq_item *
take_done(struct jobq *q)
{
	struct jobq_item *l;

	pthread_mutex_lock(&q->mu);
	l = q->done;
	q->done = NULL;
	q->dtail = &q->done;
	pthread_mutex_unlock(&q->mu);
	return l;
}

/* On the loop: the finished jobs through DONE, in order. */
static void
jobq_wakeup(evutil_socket_t fd, short what, void *arg)
{
	struct jobq *q = arg;
	struct jobq_item *it, *l;
	char buf[64];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	for (l = take_done(q); (it = l) != NULL; ) {
		l = it->next;
		it->next = NULL;
		q->ops->done(q->ctx, it);
	}
}

int
jobq_start(struct event_base *base, const char *dbpath, int busy_ms,
    unsigned max_queued, const struct jobq_ops *ops, void *ctx,
    struct jobq **out)
{
	struct jobq *q;
	int ret = HP_EAGAIN;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return HP_ENOMEM;
	q->ops = ops;
	q->ctx = ctx;
	q->max_queued = max_queued;
	q->busy_ms = busy_ms;
	q->fds[0] = q->fds[1] = -1;
	q->qtail = &q->q;
	q->dtail = &q->done;
	if ((q->dbpath = strdup(dbpath)) == NULL) {
		ret = HP_ENOMEM;
		goto fail;
	}
	if (pipe2(q->fds, O_CLOEXEC | O_NONBLOCK) != 0) {
		q->fds[0] = q->fds[1] = -1;
		goto fail;
	}
	if ((q->ev = event_new(base, q->fds[0], EV_READ | EV_PERSIST,
	    jobq_wakeup, q)) == NULL || event_add(q->ev, NULL) != 0)
		goto fail;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	if (pthread_create(&q->th, NULL, jobq_main, q) != 0) {
		pthread_mutex_destroy(&q->mu);
		pthread_cond_destroy(&q->cv);
		goto fail;
	}
	*out = q;
	return 0;
fail:
	if (q->ev != NULL)
		event_free(q->ev);
	if (q->fds[0] >= 0) {
		close(q->fds[0]);
		close(q->fds[1]);
	}
	free(q->dbpath);
	free(q);
	return ret;
}

int
jobq_push(struct jobq *q, struct jobq_item *it)
{
	int full;

	pthread_mutex_lock(&q->mu);
	full = q->closed || (q->max_queued > 0 && q->nq >= q->max_queued);
	if (!full) {
		it->next = NULL;
		*q->qtail = it;
		q->qtail = &it->next;
		q->nq++;
		pthread_cond_signal(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	return full ? HP_EAGAIN : 0;
}

struct jobq_item *
jobq_close(struct jobq *q)
{
	struct jobq_item *l;

	pthread_mutex_lock(&q->mu);
	q->closed = 1;
	l = q->q;
	q->q = NULL;
	q->qtail = &q->q;
	q->nq = 0;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return l;
}

int
jobq_busy(struct jobq *q, void (*seen)(void *arg, const struct jobq_item *it),
    void *arg)
{
	int busy;

	pthread_mutex_lock(&q->mu);
	busy = q->cur != NULL || q->done != NULL;
	if (q->cur != NULL && seen != NULL)
		seen(arg, q->cur);
	pthread_mutex_unlock(&q->mu);
	return busy;
}

struct jobq_item *
jobq_join(struct jobq *q)
{
	pthread_join(q->th, NULL);
	return take_done(q);
}

void
jobq_free(struct jobq *q)
{
	if (q == NULL)
		return;
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	event_free(q->ev);
	close(q->fds[0]);
	close(q->fds[1]);
	free(q->dbpath);
	free(q);
}

void
jobq_abandon(struct jobq *q)
{
	event_del(q->ev);
}
