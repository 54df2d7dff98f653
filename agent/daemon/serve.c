/*
 * serve.c -- hpagent serve: one libevent base with the DNS sockets
 * (listen.c, answered by query.c), the NOTIFY engine (notify.c) and a
 * 0.1 s poll of the database: a commit by another process changes its
 * data version; then zones whose serial moved are NOTIFYed, and zones with
 * direct edits (zones.dirty) are published here. A write to the WAL
 * (inotify) looks at once. What the daemon sees of
 * the secondaries (their SOA answers: probe.c) goes to the ledger
 * (ledger.c) for `hpagent status`.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#include <sys/ioctl.h>
#endif

#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include "build.h"
#include "agent/conf/conf.h"
#include "agent/daemon/daemon.h"
#include "agent/daemon/daemon_int.h"
#include "agent/daemon/listen.h"
#include "agent/daemon/privs.h"
#include "agent/daemon/probe.h"
#include "agent/daemon/updwork.h"
#include "agent/daemon/xfr.h"
#include "agent/http/api.h"
#include "dns/err.h"
#include "dns/log.h"
#include "notify/notify.h"
#include "store/store.h"

#define SERVE_POLL_MS	100	/* data version: a read of shared memory */
#define SERVE_RETIRE_POLLS 5	/* deleted zones looked at every 0.5 s */
#define SERVE_QUICK_MS	2	/* after a write to the WAL: for its commit */
#define SERVE_BUSY_MS	100	/* direct edits that met another writer */
#define SERVE_DB_BUSY_MS 50	/* the loop's wait for another writer */

/* ---- what the secondaries have: their own SOA answers ------------- */

/* A transfer went out: the probes match it to a notify: entry and ask
 * that secondary until it serves the serial. */
static void
serve_xfr_done(void *arg, const struct xfr_done *x)
{
	struct daemon *d = arg;

	api_transfer_done(x->kind);
	probe_xfr(d->pr, x->zone, x->peer, x->key, x->serial, x->kind,
	    x->bytes);
}

/* A secondary's SOA answer showed the published serial (or newer). */
static void
serve_confirmed(void *arg, const char *zone, const char *target,
    uint32_t serial)
{
	struct daemon *d = arg;

	/* Written before the API hears of it, so that a publish confirmed
	 * by ?wait= is what GET .../status and `hpagent wait` read too. */
	ledger_flush(d->ledger);
	api_secondary_has(d->api, zone, target, serial);
	update_secondary_has(d->upd, zone, target, serial);
}

/* A probe found a secondary behind with nothing under way: NOTIFY it. */
static void
serve_behind(void *arg, const char *zone, int64_t zone_id, const char *target)
{
	struct daemon *d = arg;
	const struct conf_zone *z = conf_find_zone(d->cfg, zone);
	int r;

	if (z != NULL && (r = daemon_notify_zone(d, z, zone_id, target)) < 0)
		log_err("zone %s: NOTIFY to %s: %s", zone, target,
		    hp_strerror(r));
}

/* A transfer met a record no transfer may send: the zone shows broken
 * (the AXFR cache builder marks it too, when it builds that version). */
static void
serve_xfr_broken(void *arg, const char *zone, int64_t zone_id,
    int64_t version_id, const char *why)
{
	struct daemon *d = arg;
	int r;

	if ((r = store_zone_set_broken(d->st, zone_id, version_id, why)) < 0 &&
	    r != HP_EBUSY)
		log_err("zone %s: cannot mark it broken: %s", zone,
		    hp_strerror(r));
}

/* ---- polling the database ------------------------------------------ */

/* The database file deleted or replaced under the daemon: imports now go
 * to another file, which this process never sees. Say so (once). */
static void
serve_db_check(struct daemon *d)
{
	struct stat sb;
	int gone;

	gone = stat(d->dbpath, &sb) != 0 || sb.st_dev != d->db_dev ||
	    sb.st_ino != d->db_ino;
	if (gone && !d->db_gone)
		log_err("database %s deleted or replaced under the daemon: "
		    "serving what it has; restart hpagent serve", d->dbpath);
	else if (!gone && d->db_gone)
		log_notice("database %s is back", d->dbpath);
	d->db_gone = gone;
}

/* LOOK(d) (daemon_refresh or daemon_scan), and G, what a publication
 * moves as read at T, noted as seen (read before: one that lands
 * meanwhile is looked at again). */
static void
serve_look_gen(struct daemon *d, void (*look)(struct daemon *), int64_t g,
    double t)
{
	/* a retry of busy edits does not wait for the lock again: the loop
	 * serves meanwhile, and tries SERVE_BUSY_MS later */
	if (d->edits_busy)
		store_busy_timeout(d->st, 0);
	look(d);
	store_busy_timeout(d->st, SERVE_DB_BUSY_MS);
	/* Direct edits that met another writer's lock are not seen yet:
	 * looked at again SERVE_BUSY_MS later, whatever the poll's period
	 * (the other writer's commit may not even change the publication). */
	if (d->edits_busy) {
		struct timeval tv = { 0, SERVE_BUSY_MS * 1000 };

		if (d->quick_ev != NULL)
			evtimer_add(d->quick_ev, &tv);
		return;
	}
	if (g >= 0) {
		d->pub_gen = g;
		d->gen_at = t;
	}
}

static void
serve_look(struct daemon *d, void (*look)(struct daemon *))
{
	double t = log_clock();

	serve_look_gen(d, look, store_publish_gen(d->st), t);
}

static void
serve_refresh(struct daemon *d)
{
	serve_look(d, daemon_refresh);
}

static void
serve_poll(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	int64_t v;

	(void)fd;
	(void)what;
	serve_db_check(d);
	v = store_data_version(d->st);
	/* Zones waiting for their AXFR messages: until a deadline too. */
	if (v != d->data_version || d->waiting || d->edits_busy) {
		d->data_version = v;
		serve_refresh(d);
	}
	if (++d->polls % SERVE_RETIRE_POLLS == 0)
		daemon_retire(d);
	daemon_dnssec_tick(d);
	ledger_flush(d->ledger);
	api_tick(d->api);
}

/*
 * Commits of other processes (a cron import, an SQL edit, hpagent
 * publish) are seen at once, not at the next poll: the database's folder
 * is watched (inotify), and a write to the WAL looks, SERVE_QUICK_MS later
 * (the rest of its commit), at what a publication moves. The data version
 * would not do: the daemon's own ledger and AXFR cache builder write the
 * WAL all the time. The poll stays, for the rest and as the fallback.
 */
#ifdef __linux__
static void
serve_quick(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	double t = log_clock(), left;
	int64_t g;

	(void)fd;
	(void)what;
	if ((g = store_publish_gen(d->st)) >= 0 && g != d->pub_gen) {
		d->data_version = store_data_version(d->st);
		serve_look_gen(d, daemon_refresh, g, t);	/* G read once */
	} else if (g >= 0)
		d->gen_at = t;
	/* A write after the first one of a burst: looked at again once
	 * it is SERVE_QUICK_MS old too (serve_settled). */
	left = d->wal_last + SERVE_QUICK_MS / 1e3 - t;
	if (left > 0) {
		struct timeval tv = { 0, (suseconds_t)(left * 1e6) + 1 };

		evtimer_add(d->quick_ev, &tv);
	}
}

/*
 * 1 when every commit is known to the last scan (daemon_scan): no write
 * to the WAL unread, and the publication looked at SERVE_QUICK_MS or
 * more after the last one. Then the transfers answer IXFRs kept for the
 * version the scan saw with no read of the database (xfr.h); else they
 * read the zone's row, as always.
 */
static int
serve_settled(void *arg)
{
	struct daemon *d = arg;
	int n = 0;

	return d->wal_fd >= 0 && d->gen_at >= d->wal_last + SERVE_QUICK_MS /
	    1e3 && ioctl(d->wal_fd, FIONREAD, &n) == 0 && n == 0;
}

static void
serve_wal_event(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	union {
		struct inotify_event ev;
		char buf[4096];
	} u;
	const struct inotify_event *ev;
	struct timeval tv = { 0, SERVE_QUICK_MS * 1000 };
	ssize_t n;
	size_t off;
	int hit = 0, rounds = 0;

	(void)what;
	while (rounds++ < 64 && (n = read(fd, u.buf, sizeof(u.buf))) > 0)
		for (off = 0; off + sizeof(*ev) <= (size_t)n;
		    off += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(u.buf + off);
			if ((ev->mask & IN_Q_OVERFLOW) || (ev->len > 0 &&
			    strcmp(ev->name, d->wal_name) == 0))
				hit = 1;
		}
	if (hit)
		d->wal_last = log_clock();
	if (hit && !evtimer_pending(d->quick_ev, NULL))
		evtimer_add(d->quick_ev, &tv);
}
#endif

static void
serve_watch_db(struct daemon *d)
{
#ifdef __linux__
	const char *slash = strrchr(d->dbpath, '/');
	const char *base = slash != NULL ? slash + 1 : d->dbpath;
	char *dir = path_dir(d->dbpath);

	if ((d->wal_name = malloc(strlen(base) + 5)) == NULL) {
		free(dir);
		return;
	}
	snprintf(d->wal_name, strlen(base) + 5, "%s-wal", base);
	if ((d->wal_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0 ||
	    inotify_add_watch(d->wal_fd, dir, IN_MODIFY) < 0) {
		log_info("%s: not watched (%s): commits of other processes "
		    "are seen at the %d ms poll", dir, strerror(errno),
		    SERVE_POLL_MS);
		if (d->wal_fd >= 0)
			close(d->wal_fd);
		d->wal_fd = -1;
		free(dir);
		return;
	}
	free(dir);
	d->wal_ev = event_new(d->base, d->wal_fd, EV_READ | EV_PERSIST,
	    serve_wal_event, d);
	d->quick_ev = evtimer_new(d->base, serve_quick, d);
	if (d->wal_ev == NULL || d->quick_ev == NULL ||
	    event_add(d->wal_ev, NULL) != 0) {
		log_warn("%s: not watched: out of memory", d->dbpath);
		if (d->wal_ev != NULL)
			event_free(d->wal_ev);
		if (d->quick_ev != NULL)
			event_free(d->quick_ev);
		d->wal_ev = d->quick_ev = NULL;
	}
#else
	(void)d;
#endif
}

/* The builder made a cache: a version waiting for it is announced now,
 * not at the next poll. */
static void
serve_built(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	char buf[64];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	if (d->waiting)
		daemon_scan(d);
}

/* The HTTP API published a version: NOTIFY now, not at the next poll. */
static void
serve_api_published(void *arg, const char *zone)
{
	(void)zone;
	serve_refresh(arg);
}

/* UPDATEs made a new version (coalesced): NOTIFY and probe now. */
static void
serve_updated(void *arg, const char *zone)
{
	(void)zone;
	serve_look(arg, daemon_scan);
}

static void
serve_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)what;
	(void)sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	log_notice("signal %d: exiting", (int)sig);
	event_base_loopexit(d->base, NULL);
}

/* The log file opened again by its path (logrotate moved it). */
static void
serve_reopen_log(void)
{
	int r;

	if ((r = log_reopen()) < 0)
		log_err("logfile %s: cannot open it again: %s (still writing "
		    "to the file it was)", log_path(), strerror(-r));
	else if (r > 0)
		log_info("logfile %s: opened again", log_path());
}

/* systemd's STATUS= line: what `systemctl status` shows. */
static void
serve_ready(const struct daemon *d)
{
	(void)sd_notifyf(0, "READY=1\nSTATUS=serving %d zone%s", d->nzones,
	    d->nzones == 1 ? "" : "s");
}

static void
serve_usr1(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	serve_reopen_log();
}

static void
serve_hup(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)sd_notify(0, "RELOADING=1\nSTATUS=reloading");
	serve_reopen_log();
	log_notice("SIGHUP: reloading the configuration");
	daemon_reload(arg);
	serve_ready(arg);
}

static void
serve_warn_log(void *arg, const char *msg)
{
	(void)arg;
	log_warn("%s", msg);
}

/* ---- setting up ---------------------------------------------------- */

/* The listening addresses of the start-up configuration, kept: they are
 * the NOTIFY sources, and what a reload cannot change. */
static int
serve_listen_addrs(struct daemon *d)
{
	const struct conf *cfg = d->cfg;

	d->lsn = calloc((size_t)cfg->nlisten + 1, sizeof(*d->lsn));
	d->lsnlen = calloc((size_t)cfg->nlisten + 1, sizeof(*d->lsnlen));
	if (d->lsn == NULL || d->lsnlen == NULL)
		return HP_ENOMEM;
	memcpy(d->lsn, cfg->listen, (size_t)cfg->nlisten * sizeof(*d->lsn));
	memcpy(d->lsnlen, cfg->listen_len,
	    (size_t)cfg->nlisten * sizeof(*d->lsnlen));
	d->nlsn = cfg->nlisten;
	return 0;
}

static int
serve_open_db(struct daemon *d)
{
	const struct probe_cbs cbs = { serve_confirmed, serve_behind };
	struct stat sb;
	char err[256];
	int r, added, kept;

	r = store_open(d->dbpath, STORE_CREATE, &d->st, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "hpagent: %s: %s\n", d->dbpath, err);
		return r;
	}
	if (stat(d->dbpath, &sb) == 0) {
		d->db_dev = sb.st_dev;
		d->db_ino = sb.st_ino;
	}
	/* Publishing direct edits from the event loop must not wait long
	 * for another writer: busy now means "next tick". */
	store_busy_timeout(d->st, SERVE_DB_BUSY_MS);
	if ((r = ledger_open(d->dbpath, &d->ledger)) < 0 ||
	    (r = daemon_zones(d, d->cfg, &added, &kept)) < 0)
		return r;
	if ((d->base = event_base_new()) == NULL ||
	    ledger_soon_init(d->ledger, d->base) < 0)
		return HP_ENOMEM;
	if ((r = probe_new(d->base, d->ledger, &cbs, d, &d->pr)) < 0)
		return r;
	return daemon_notify_start(d);
}

static void
serve_close(struct daemon *d)
{
	daemon_signer_stop(d);
	api_free(d->api);
	d->api = NULL;
	listen_close(d->ls);
	update_free(d->upd);
	d->upd = NULL;
	probe_free(d->pr);
	notify_free(d->nt);
	xfr_server_free(d->xs);
	ledger_close(d->ledger);
	if (d->poll_ev != NULL)
		event_free(d->poll_ev);
	if (d->built_ev != NULL)
		event_free(d->built_ev);
	if (d->wal_ev != NULL)
		event_free(d->wal_ev);
	if (d->quick_ev != NULL)
		event_free(d->quick_ev);
	if (d->wal_fd >= 0)
		close(d->wal_fd);
	free(d->wal_name);
	if (d->base != NULL)
		event_base_free(d->base);
	store_close(d->st);
	free(d->zones);
	free(d->lsn);
	free(d->lsnlen);
	free(d->dbpath);
	free(d->pidfile);
	conf_unref(d->cfg);
}

/*
 * Write our PID to PATH, as root before the privilege drop: never through
 * a symbolic or hard link a compromised daemon user may have planted in
 * the directory (log_open_regular), chowned to the user on the open
 * descriptor (so that it can empty it at exit). Returns 0, HP_EACCES for
 * a link or a file that is not regular (fatal: someone laid a trap), or
 * another negative value (logged; serving goes on).
 */
static int
serve_pidfile(const char *path, const struct privs *pv)
{
	char buf[32];
	int fd, n, r = 0;

	if (path == NULL || path[0] == '\0')
		return 0;
	if ((fd = log_open_regular(path, O_WRONLY | O_CREAT, 0644)) < 0) {
		log_err("pidfile %s: %s", path, log_open_strerror(fd));
		return fd == -ELOOP || fd == -EMLINK || fd == -EINVAL ?
		    HP_EACCES : fd;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || write(fd, buf, (size_t)n) != n) {
		log_err("pidfile %s: %s", path, strerror(errno));
		r = HP_EIO;
	} else if (pv->drop && fchown(fd, pv->uid, pv->gid) != 0)
		log_warn("pidfile %s: chown: %s", path, strerror(errno));
	close(fd);
	return r;
}

/* Unlink the pidfile; after dropping privileges the directory may not be
 * writable: then empty it (it was chowned to us) so no stale PID stays. */
static void
serve_pidfile_remove(const char *path)
{
	int fd;

	if (path == NULL || path[0] == '\0' || unlink(path) == 0 ||
	    errno == ENOENT)
		return;
	if ((fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) >= 0) {
		close(fd);
		log_warn("pidfile %s: cannot remove it (its directory is not "
		    "writable by this user): emptied", path);
	} else
		log_warn("pidfile %s: cannot remove it: %s", path,
		    strerror(errno));
}

/* PATH as seen inside the chroot, copied (the configuration it comes
 * from is replaced by a reload). NULL for none; HP_ENOMEM. */
static int
serve_path(const struct daemon *d, const char *path, char **out)
{
	const char *in = privs_path(&d->pv, path);

	*out = NULL;
	return in == NULL || (*out = strdup(in)) != NULL ? 0 : HP_ENOMEM;
}

/* Privileges, the database (opened as the user it will be written by),
 * the sockets (as root), detaching, the HTTP API. */
static int
serve_start(struct daemon *d, const struct daemon_opts *o)
{
	const struct conf *cfg = d->cfg;
	struct listen_limits lim = { 0 };
	int r;

	if (serve_listen_addrs(d) < 0 ||
	    privs_prepare(cfg, o->allow_root, &d->pv) < 0 ||
	    privs_check_paths(&d->pv, cfg) < 0)
		return -1;
	if ((r = log_open("hpagent", cfg->verbosity + o->verbose,
	    cfg->logfile)) == -ELOOP || r == -EMLINK || r == -EINVAL) {
		/* Someone laid a trap where root appends: do not start. */
		fprintf(stderr, "hpagent: logfile %s: %s\n", cfg->logfile,
		    log_open_strerror(r));
		return -1;
	} else if (r < 0)
		fprintf(stderr, "hpagent: logfile %s: %s: logging to "
		    "stderr\n", cfg->logfile, strerror(-r));
	privs_perm_warnings(cfg, serve_warn_log, NULL);
	/* The database, its -wal and -shm: not for others to read. */
	umask(027);
	if (privs_chroot(&d->pv) < 0)
		return -1;
	if (serve_path(d, cfg->database, &d->dbpath) < 0 ||
	    serve_path(d, cfg->pidfile, &d->pidfile) < 0)
		return HP_ENOMEM;
	if ((r = privs_enter(&d->pv)) == 0) {
		if ((r = privs_check_db(&d->pv, d->dbpath)) == 0 &&
		    (r = serve_open_db(d)) == 0)
			r = xfr_server_new(cfg, d->dbpath, &d->xs);
		privs_leave(&d->pv);
	}
	if (r < 0)
		return r;
	xfr_server_set_callbacks(d->xs, serve_xfr_done, d);
	xfr_server_set_broken_cb(d->xs, serve_xfr_broken, d);
	/* The loop's reads for answers and its ledger writes on one
	 * connection: its own commits keep its page cache. */
	xfr_server_share_store(d->xs, ledger_store(d->ledger));
#ifdef __linux__
	xfr_server_set_settled(d->xs, serve_settled, d);
#endif
	lim.max_conns = cfg->tcp_count;
	lim.max_per_addr = cfg->tcp_count_per_addr;
	if (listen_open(d->base, d->xs, d->lsn, d->lsnlen, d->nlsn, &lim,
	    &d->ls) < 0)
		return -1;
	if (o->daemonize && daemon(1, 0) != 0) {
		log_err("daemon: %s", strerror(errno));
		return -1;
	}
	/* libevent's epoll does not survive fork: reinit after daemon(). */
	if (o->daemonize && event_reinit(d->base) != 0)
		return -1;
	/* The update worker's thread after the fork (daemon() keeps only
	 * the calling thread): the listeners hand it UPDATEs once the loop
	 * runs. */
	if (update_new(d->base, d->dbpath, d->st, serve_updated, d,
	    &d->upd) < 0)
		return -1;
	update_set_config(d->upd, cfg);
	xfr_server_set_update(d->xs, d->upd);
	if (cfg->http_listen != NULL && api_start(d->base, cfg, d->st,
	    serve_api_published, d, &d->api) < 0)
		return -1;
	return 0;
}

int
daemon_serve(const struct conf *cfg, const struct daemon_opts *o)
{
	struct daemon d;
	struct event *sigs[4] = { NULL, NULL, NULL, NULL };
	struct timeval tv = { 0, SERVE_POLL_MS * 1000 };
	const char *e = getenv("HPAGENT_POLL_MS");
	long ms;
	int i, r, rc = 1;

	/* $HPAGENT_POLL_MS: the poll slowed (10..600000 ms), for the test
	 * that commits of other processes are seen without it */
	if (e != NULL && (ms = strtol(e, NULL, 10)) >= 10 && ms <= 600000) {
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
	}
	memset(&d, 0, sizeof(d));
	d.wal_fd = -1;
	d.cfg = cfg;		/* the caller's reference */
	d.cfg_path = o->config_path;
	d.verbose = o->verbose;
	signal(SIGPIPE, SIG_IGN);
	if (serve_start(&d, o) < 0)
		goto out;
	if (serve_pidfile(d.pidfile, &d.pv) == HP_EACCES) {
		/* Not ours to remove either. */
		free(d.pidfile);
		d.pidfile = NULL;
		goto out;
	}
	if (privs_drop(&d.pv) < 0)
		goto out_pid;
	/* AXFR messages of every zone's current version, built by a thread
	 * of their own; transfers stream the records meanwhile. */
	if ((r = xfr_server_cache_start(d.xs)) < 0)
		log_warn("AXFR cache builder: %s", hp_strerror(r));
	else {
		/* Its thread checkpoints: the loop's commits never wait
		 * for the disk. */
		store_autocheckpoint(d.st, 0);
		ledger_autocheckpoint(d.ledger, 0);
	}
	if ((r = daemon_signer_start(&d)) < 0)
		log_warn("DNSSEC signer thread: %s (signing on the main loop)",
		    hp_strerror(r));
	sigs[0] = evsignal_new(d.base, SIGTERM, serve_signal, &d);
	sigs[1] = evsignal_new(d.base, SIGINT, serve_signal, &d);
	sigs[2] = evsignal_new(d.base, SIGHUP, serve_hup, &d);
	sigs[3] = evsignal_new(d.base, SIGUSR1, serve_usr1, &d);
	d.poll_ev = event_new(d.base, -1, EV_PERSIST, serve_poll, &d);
	d.built_ev = event_new(d.base, xfr_server_cache_fd(d.xs),
	    EV_READ | EV_PERSIST, serve_built, &d);
	if (sigs[0] == NULL || sigs[1] == NULL || sigs[2] == NULL ||
	    sigs[3] == NULL || d.poll_ev == NULL || d.built_ev == NULL)
		goto out_pid;
	for (i = 0; i < 4; i++)
		evsignal_add(sigs[i], NULL);
	event_add(d.poll_ev, &tv);
	event_add(d.built_ev, NULL);
	d.data_version = store_data_version(d.st);
	d.zd_seq = store_zonedef_seq(d.st);
	serve_watch_db(&d);
	daemon_catalogs(&d);		/* members as configured now */
	serve_refresh(&d);		/* NOTIFY once at start-up */
	log_notice("hpagent %s serving %d zone%s", HP_VERSION, d.nzones,
	    d.nzones == 1 ? "" : "s");
	serve_ready(&d);
	event_base_dispatch(d.base);
	rc = 0;
out_pid:
	serve_pidfile_remove(d.pidfile);
out:
	for (i = 0; i < 4; i++)
		if (sigs[i] != NULL)
			event_free(sigs[i]);
	serve_close(&d);
	if (rc == 0)
		log_notice("hpagent stopped");
	log_close();
	return rc;
}
