/*
 * update_int.h -- internal to the dynamic updates (update.c, updwork.c):
 * a job, from the UPDATE's checks to its answer.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_DAEMON_UPDATE_INT_H
#define HP_DAEMON_UPDATE_INT_H

#include <stdint.h>
#include <time.h>

#include "agent/conf/conf.h"
#include "agent/publish/jobq.h"
#include "agent/daemon/updwork.h"
#include "dns/addr.h"
#include "dns/dname.h"
#include "dns/update.h"
#include "store/store.h"

struct event;

struct upd_job {
	struct jobq_item item;		/* first: the engine's queue */
	struct update *up;
	struct xfr_answer *ans;		/* loop side; NULL: the client went
					   away (the update still runs) */
	/* the engine completes the answer through this (update.c's
	 * update_answer): RCODE, then the job is forgotten by it */
	void (*answer)(struct upd_job *j, uint8_t rcode);
	const struct conf *cfg;		/* a reference: Z is in it */
	const struct conf_zone *z;
	struct upd_msg msg;
	char key[DNAME_MAXSTR];		/* "" when unsigned */
	char peer[ADDR_STRLEN + 8];
	double t0;			/* when it came (log_clock) */
	/* the worker's */
	uint8_t rcode;
	int err;
	struct store_import_result res;
	char why[600];			/* the store's reasons, joined */
	size_t whylen;
	/* waiting for the secondaries (update-wait:) */
	time_t deadline;
	struct event *timer;
	struct conf_seen done;		/* secondaries seen serving it */
	struct upd_job *next, **prevp;	/* the update's waiting list */
};

/* updwork.c: queue J (owned from now on). 0, or HP_EAGAIN when too many
 * are queued (J freed, the caller answers SERVFAIL). */
int update_submit(struct update *up, struct upd_job *j);
void upd_job_free(struct upd_job *j);

#endif
