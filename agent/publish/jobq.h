/*
 * jobq.h -- work off the event loop: one thread with its own connection to
 * the database takes jobs in order of arrival and runs them; each finished
 * job goes back to the loop through a pipe. The API's imports
 * (agent/http/worker.c), the dynamic updates (agent/daemon/updwork.c) and
 * the signings (agent/daemon/dnssec.c) each run one.
 *
 * A job is the user's structure with a struct jobq_item as its first
 * member. RUN is called in the thread, DONE on the loop, each once per
 * job, in order. The thread opens its connection at its first job (its
 * busy timeout BUSY_MS, unless $HPAGENT_BUSY_TIMEOUT_MS says otherwise;
 * 0: the store's) and closes it when it ends.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_PUBLISH_JOBQ_H
#define HP_PUBLISH_JOBQ_H

struct event_base;
struct jobq;
struct store;

struct jobq_item {
	struct jobq_item *next;
};

struct jobq_ops {
	/* In the thread: run IT on ST, the thread's connection; NULL when
	 * it could not be opened (ERR the HP_E* of store_open, WHY says
	 * why). */
	void (*run)(void *ctx, struct jobq_item *it, struct store *st,
	    int err, const char *why);
	/* On the loop: IT is finished (the user frees it). */
	void (*done)(void *ctx, struct jobq_item *it);
};

/*
 * The queue on BASE, its thread started, DBPATH its database; at most
 * MAX_QUEUED jobs wait (0: no limit). 0 and *OUT, or HP_ENOMEM /
 * HP_EAGAIN (nothing was started).
 */
int jobq_start(struct event_base *base, const char *dbpath, int busy_ms,
    unsigned max_queued, const struct jobq_ops *ops, void *ctx,
    struct jobq **out);
/* IT queued (0), or HP_EAGAIN when the queue is full or closed: IT is
 * still the caller's. */
int jobq_push(struct jobq *q, struct jobq_item *it);
/* No job is taken any more: the ones that wait, never started, are
 * handed back as a list (the caller answers and frees them). The job
 * under way goes on. */
struct jobq_item *jobq_close(struct jobq *q);
/* 1 while a job runs or a finished one has not been through DONE yet;
 * with a job running, SEEN (not NULL) is called with it first, under the
 * queue's lock. */
int jobq_busy(struct jobq *q, void (*seen)(void *arg,
    const struct jobq_item *it), void *arg);
/* After jobq_close: wait for the thread to end; the finished jobs that
 * have not been through DONE are handed back as a list. */
struct jobq_item *jobq_join(struct jobq *q);
/* After jobq_join: everything freed. */
void jobq_free(struct jobq *q);
/* After jobq_close, for a process about to exit with a job still
 * running: the loop hears no more of the queue; its thread and memory are
 * left as they are. */
void jobq_abandon(struct jobq *q);

#endif
