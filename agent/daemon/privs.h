/*
 * privs.h -- running `hpagent serve` as a service: the user to run as
 * (username:), an optional chroot:, and checks of file permissions.
 *
 * The rule (documented in contrib/hpagent.8 and README "Operating
 * hpagent"): started as root, hpagent binds its sockets, then drops to
 * username: (setgroups/setgid/setuid, after chroot: when set). Started as
 * root without username:, it refuses to run, unless username: is written
 * explicitly as "root" or "" (nsd's way of saying "do not drop"), or
 * `serve --allow-root` is given. Started as another user, username: must
 * be that user or absent, and chroot: cannot be used.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_PRIVS_H
#define HP_PRIVS_H

#include <stddef.h>
#include <sys/types.h>

struct conf;

struct privs {
	int drop;		/* setuid/setgid to uid/gid at privs_drop() */
	uid_t uid;
	gid_t gid;
	char user[64];
	char chroot[4096];	/* "" when none; no trailing slash */
	int temp;		/* effective ids switched by privs_enter() */
};

/*
 * Decide from CFG (and ALLOW_ROOT, the --allow-root flag) what to become.
 * 0, or a negative HP_E* with every reason printed to stderr (the daemon
 * has not detached yet), e.g. root without username:.
 */
int privs_prepare(const struct conf *cfg, int allow_root,
    struct privs *p);

/*
 * PATH as seen inside the chroot (PATH itself when there is none): a
 * pointer into PATH ("/" for the chroot directory itself), or NULL when
 * PATH is not under the chroot.
 */
const char *privs_path(const struct privs *p, const char *path);

/* Check that every file the daemon needs (database, pidfile) is under
 * chroot: when one is set. 0 or HP_ECONF (messages on stderr). */
int privs_check_paths(const struct privs *p, const struct conf *cfg);

/* chroot(2) and chdir("/") when chroot: is set. 0 or a negative errno
 * (logged). */
int privs_chroot(const struct privs *p);

/* Take the user's identity as effective ids only (files created now
 * belong to it; access is checked as it), and back. No-ops when no drop. */
int privs_enter(struct privs *p);
void privs_leave(struct privs *p);

/* The database DBPATH (a path usable now) and its directory: readable and
 * writable as the current effective user, -wal and -shm too when they
 * exist. 0, or HP_ESTORE with a clear message logged. */
int privs_check_db(const struct privs *p, const char *dbpath);

/* For good: setgroups, setgid, setuid; then make sure root cannot be
 * regained. 0 or a negative errno (logged). */
int privs_drop(const struct privs *p);

/*
 * Permission warnings: each of CFG's files (the config and its includes:
 * they hold TSIG and webhook secrets) and the database when it exists,
 * if readable by others (mode & 004). WARN is called with one message
 * each (no secret in it). Returns the number of warnings.
 */
int privs_perm_warnings(const struct conf *cfg,
    void (*warn)(void *arg, const char *msg), void *arg);

#endif
