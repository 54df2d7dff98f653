/*
 * daemon.h -- `hpagent serve` and `hpagent notify`: what the command line
 * asks of the daemon's room.
 *
 * serve.c: the event loop and its start-up (privileges, sockets, the
 *   0.1 s poll of the database).
 * zones.c: the zones served; the scan that publishes direct edits and
 *   NOTIFYs new serials.
 * reload.c: SIGHUP, a new configuration swapped in.
 * notify.c: NOTIFY glue: a zone's targets to the NOTIFY engine
 *   (notify/notify.h), its reports to the ledger and the counters.
 * ledger.c: writes to the secondaries ledger, queued while the database
 *   is busy, so that an import never stalls the loop.
 * query.c, answer.c, axfr.c, ixfr.c (xfr.h): answering queries.
 * listen.c: the DNS sockets. cachebuild.c: the AXFR cache builder thread.
 * privs.c: user, chroot, permissions.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_DAEMON_H
#define HP_DAEMON_H

struct conf;

struct daemon_opts {
	const char *config_path;	/* as given: SIGHUP loads it again */
	int verbose;			/* -v count, added to verbosity: */
	int daemonize;			/* -d */
	int allow_root;			/* --allow-root */
};

/* Serve CFG until SIGTERM or SIGINT; the caller's reference on CFG is
 * taken over (a reload drops it). Returns the exit status (0, or 1 with
 * the reason printed or logged). */
int daemon_serve(const struct conf *cfg, const struct daemon_opts *o);

/*
 * Send NOTIFYs of the current serial of each of the NZONES zones ZONES
 * (names as given) of CFG to their notify: targets now, and wait until
 * each is acknowledged or its retries run out, printing each outcome; the
 * ledger records them. Returns the exit status: 0 when every target
 * acknowledged.
 */
int daemon_notify(const struct conf *cfg, int verbose, char *const *zones,
    int nzones);

#endif
