/*
 * cachebuild.c -- building AXFR caches off the event loop.
 *
 * One thread, two connections: RDB reads the records of a version in one
 * snapshot, WDB writes its messages in transactions of CACHEBUILD_CHUNK
 * octets (each a few milliseconds long, so an import waits for none of
 * them noticeably). The messages of a chunk are built before the write
 * lock is taken. WDB also makes the daemon's checkpoints (cb_checkpoint).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "agent/daemon/cachebuild.h"
#include "dns/err.h"
#include "dns/log.h"
#include "store/store.h"
#include "store/xfrcache.h"

#define CACHEBUILD_CHUNK	(4u << 20)
#define CACHEBUILD_BUSY_MS	10000
#define CACHEBUILD_CACHE_KIB	8192
#define CACHEBUILD_NICE		10
#define CACHEBUILD_CKPT_MS	1000	/* checkpoint retries at most this
					   often (but right after a build) */

struct cachebuild {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	atomic_int stop;
	int kicked;
	int build;		/* 0: checkpoints only ($HPAGENT_NO_AXFR_CACHE) */
	int done_fd;		/* an octet after each build, or -1 */
	char *dbpath;
	char **zones;
	int nzones;
};

/* A handle of the builder's own: no migrations (the daemon's handle did
 * them), a busy timeout long enough for an import, a small page cache. */
static int
cb_open(const char *path, int flags, struct store **st)
{
	char err[256];

	if (store_open(path, flags, st, err, sizeof(err)) < 0) {
		log_err("AXFR cache builder: %s", err);
		return HP_ESTORE;
	}
	store_busy_timeout(*st, CACHEBUILD_BUSY_MS);
	store_cache_size(*st, CACHEBUILD_CACHE_KIB);
	return 0;
}

/* Tell the loop a cache is ready (a full pipe has told it already). */
static void
cb_tell(struct cachebuild *cb)
{
	ssize_t n = 0;

	if (cb->done_fd >= 0)
		n = write(cb->done_fd, "", 1);
	(void)n;
}

/* Every zone once; 1 when one should be tried again. */
static int
cb_scan(struct cachebuild *cb, struct store *rdb, struct store *wdb)
{
	struct xfrc_build_stats bs;
	double t0;
	int i, r, again = 0;

	for (i = 0; i < cb->nzones && !cb->stop; i++) {
		t0 = log_clock();
		r = xfrc_build(rdb, wdb, cb->zones[i], CACHEBUILD_CHUNK,
		    &cb->stop, &bs);
		/* Built, or found broken (never built): the loop waiting
		 * to announce the version looks again at once. */
		if (r == 1 || (r == HP_EINVALID && bs.broken == 1))
			cb_tell(cb);
		if (r == 1 && bs.incremental)
			log_info("zone %s: AXFR messages of serial %u ready: "
			    "%llu RRs, %llu messages (%llu of the version "
			    "before built again), %llu octets, %.3f s",
			    cb->zones[i], bs.serial,
			    (unsigned long long)bs.rrs,
			    (unsigned long long)bs.msgs,
			    (unsigned long long)bs.rebuilt,
			    (unsigned long long)bs.bytes, log_clock() - t0);
		else if (r == 1)
			log_info("zone %s: AXFR messages of serial %u ready: "
			    "%llu RRs, %llu messages, %llu octets, %.3f s",
			    cb->zones[i], bs.serial,
			    (unsigned long long)bs.rrs,
			    (unsigned long long)bs.msgs,
			    (unsigned long long)bs.bytes, log_clock() - t0);
		else if (r == HP_EINVALID) {
			/* marked broken: transfers get SERVFAIL; said once,
			 * not tried again until a new version */
			if (bs.broken == 1)
				log_err("zone %s: serial %u holds a record no "
				    "transfer may send (%s): its transfers are "
				    "answered SERVFAIL until a version without "
				    "it is published", cb->zones[i], bs.serial,
				    bs.why);
		} else if (r < 0 && r != HP_ENOENT && !cb->stop) {
			log_warn("zone %s: cannot prepare AXFR messages: %s "
			    "(streamed from the records meanwhile)",
			    cb->zones[i], hp_strerror(r));
			again = 1;
		}
	}
	return again;
}

/*
 * The daemon's checkpoints: its event loop commits (the ledger, direct
 * edits) without running them (store_autocheckpoint), so they are made
 * here, off the loop: when those commits left the WAL over SQLite's
 * threshold, trying again at most once every CACHEBUILD_CKPT_MS while
 * readers keep it from completing (a build checkpoints what it wrote
 * itself, xfrc_build).
 */
static void
cb_checkpoint(struct store *wdb, double *last)
{
	double now = log_clock();
	int r;

	if (now - *last < CACHEBUILD_CKPT_MS / 1e3)
		return;
	if ((r = store_checkpoint(wdb, 0)) < 0 && r != HP_EBUSY)
		log_warn("checkpoint: %s", store_errmsg(wdb));
	if (r != 0)
		*last = now;
}

static void *
cb_main(void *arg)
{
	struct cachebuild *cb = arg;
	struct store *rdb = NULL, *wdb = NULL;
	struct timespec ts;
	int64_t v, last = -1;
	double ckpt_last = 0;
	int again = 0;

	/* Builds yield the CPU to the event loop (Linux: a thread's own
	 * nice value): the secondaries' IXFRs come while it builds. */
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), CACHEBUILD_NICE);
	if (cb_open(cb->dbpath, STORE_READONLY, &rdb) < 0 ||
	    cb_open(cb->dbpath, 0, &wdb) < 0)
		goto out;
	/* Its chunks' commits would checkpoint in vain: its own read
	 * snapshot holds the WAL until the build ends. */
	store_autocheckpoint(wdb, 0);
	while (!cb->stop) {
		v = store_data_version(rdb);
		if (v != last || again) {
			last = v;
			if (cb->build)
				again = cb_scan(cb, rdb, wdb);
		}
		cb_checkpoint(wdb, &ckpt_last);
		pthread_mutex_lock(&cb->mu);
		if (!cb->stop && !cb->kicked) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += (long)CACHEBUILD_POLL_MS * 1000000L *
			    (again ? 8 : 1);
			ts.tv_sec += ts.tv_nsec / 1000000000L;
			ts.tv_nsec %= 1000000000L;
			pthread_cond_timedwait(&cb->cv, &cb->mu, &ts);
		}
		cb->kicked = 0;
		pthread_mutex_unlock(&cb->mu);
	}
out:
	store_close(rdb);
	store_close(wdb);
	return NULL;
}

static void
cb_free(struct cachebuild *cb)
{
	int i;

	for (i = 0; i < cb->nzones; i++)
		free(cb->zones[i]);
	free(cb->zones);
	free(cb->dbpath);
	free(cb);
}

int
cachebuild_start(const char *dbpath, const char *const *zones, int nzones,
    int done_fd, struct cachebuild **out)
{
	struct cachebuild *cb;
	const char *e = getenv("HPAGENT_NO_AXFR_CACHE");
	int i;

	*out = NULL;
	if ((cb = calloc(1, sizeof(*cb))) == NULL)
		return HP_ENOMEM;
	cb->build = 1;
	cb->done_fd = done_fd;
	if (e != NULL && e[0] != '\0' && strcmp(e, "0") != 0) {
		log_notice("AXFR cache disabled (HPAGENT_NO_AXFR_CACHE): "
		    "transfers stream the records");
		cb->build = 0;
	}
	cb->dbpath = strdup(dbpath);
	cb->zones = calloc((size_t)nzones + 1, sizeof(*cb->zones));
	if (cb->dbpath == NULL || cb->zones == NULL) {
		cb_free(cb);
		return HP_ENOMEM;
	}
	for (i = 0; i < nzones; i++) {
		if ((cb->zones[i] = strdup(zones[i])) == NULL) {
			cb_free(cb);
			return HP_ENOMEM;
		}
		cb->nzones++;
	}
	pthread_mutex_init(&cb->mu, NULL);
	pthread_cond_init(&cb->cv, NULL);
	if (pthread_create(&cb->th, NULL, cb_main, cb) != 0) {
		pthread_mutex_destroy(&cb->mu);
		pthread_cond_destroy(&cb->cv);
		cb_free(cb);
		return HP_ENOMEM;
	}
	*out = cb;
	return 0;
}

void
cachebuild_kick(struct cachebuild *cb)
{
	if (cb == NULL)
		return;
	pthread_mutex_lock(&cb->mu);
	cb->kicked = 1;
	pthread_cond_signal(&cb->cv);
	pthread_mutex_unlock(&cb->mu);
}

int
cachebuild_builds(const struct cachebuild *cb)
{
	return cb != NULL && cb->build;
}

void
cachebuild_stop(struct cachebuild *cb)
{
	if (cb == NULL)
		return;
	pthread_mutex_lock(&cb->mu);
	cb->stop = 1;
	pthread_cond_signal(&cb->cv);
	pthread_mutex_unlock(&cb->mu);
	pthread_join(cb->th, NULL);
	pthread_mutex_destroy(&cb->mu);
	pthread_cond_destroy(&cb->cv);
	cb_free(cb);
}
