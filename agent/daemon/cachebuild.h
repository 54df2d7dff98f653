/*
 * cachebuild.h -- the daemon's AXFR cache builder: a thread with its own
 * SQLite connections that, whenever the database changes (PRAGMA
 * data_version, polled every CACHEBUILD_POLL_MS) and at start-up, builds
 * the AXFR messages (store/xfrcache.h) of every held zone whose current
 * version has no complete cache, and deletes older versions' messages.
 * The event loop never waits for it; until a cache is complete,
 * transfers stream the records table. It is also the daemon's
 * checkpointer: the loop's connections do not checkpoint
 * (store_autocheckpoint), this thread does, off the loop.
 * $HPAGENT_NO_AXFR_CACHE=1 disables the builds (for tests of the
 * streaming path), not the checkpoints.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_CACHEBUILD_H
#define HP_CACHEBUILD_H

#define CACHEBUILD_POLL_MS	250

struct cachebuild;

/*
 * Start the builder for the NZONES zone names ZONES (absolute, lowercase;
 * copied) of the database at DBPATH. After each cache it built it writes
 * an octet to DONE_FD (a non-blocking pipe of the caller's, -1: none).
 * 0 and *OUT set, or a negative HP_E*.
 */
int cachebuild_start(const char *dbpath, const char *const *zones,
    int nzones, int done_fd, struct cachebuild **out);
/* Look at the database now rather than at the next poll. */
void cachebuild_kick(struct cachebuild *cb);
/* 1 when CB builds caches (not only checkpoints), else 0 (NULL too). */
int cachebuild_builds(const struct cachebuild *cb);
/* Stop (an unfinished build is abandoned, never marked complete), join
 * and free. NULL allowed. */
void cachebuild_stop(struct cachebuild *cb);

#endif
