/* privs.c -- see privs.h. SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "agent/conf/conf.h"
#include "agent/daemon/privs.h"
#include "dns/err.h"
#include "dns/log.h"

int
privs_prepare(const struct conf *cfg, int allow_root, struct privs *p)
{
	const char *u = cfg->username;
	struct passwd *pw;
	size_t l;

	memset(p, 0, sizeof(*p));
	if (cfg->chroot != NULL && cfg->chroot[0] != '\0') {
		l = strlen(cfg->chroot);
		while (l > 1 && cfg->chroot[l - 1] == '/')
			l--;
		if (cfg->chroot[0] != '/' || l >= sizeof(p->chroot)) {
			fprintf(stderr, "hpagent: chroot: %s: must be an "
			    "absolute path\n", cfg->chroot);
			return HP_ECONF;
		}
		if (l == 1)	/* chroot: "/" is no chroot */
			l = 0;
		memcpy(p->chroot, cfg->chroot, l);
		p->chroot[l] = '\0';
	}
	if (geteuid() != 0) {
		if (p->chroot[0] != '\0') {
			fprintf(stderr, "hpagent: chroot: %s: only root can "
			    "chroot; start hpagent serve as root or remove "
			    "chroot:\n", p->chroot);
			return HP_ECONF;
		}
		if (u != NULL && u[0] != '\0' &&
		    ((pw = getpwnam(u)) == NULL || pw->pw_uid != geteuid()))
			log_warn("username: %s: not started as root, so "
			    "running as uid %ld", u, (long)geteuid());
		return 0;
	}
	if (u == NULL && !allow_root) {
		fprintf(stderr, "hpagent: serve: refusing to run as root: set "
		    "username: in server: (the user to drop to after binding "
		    "the ports, e.g. username: hpagent), or write username: "
		    "root to run as root deliberately, or use serve "
		    "--allow-root\n");
		return HP_ECONF;
	}
	if (u == NULL || u[0] == '\0' || strcmp(u, "root") == 0) {
		if (p->chroot[0] != '\0') {
			/* chroot without a user: root can walk out of it. */
			fprintf(stderr, "hpagent: chroot: %s needs username: "
			    "(a chroot is no barrier to root)\n", p->chroot);
			return HP_ECONF;
		}
		return 0;
	}
	errno = 0;
	if ((pw = getpwnam(u)) == NULL) {
		fprintf(stderr, "hpagent: username: %s: %s\n", u, errno ?
		    strerror(errno) : "no such user");
		return HP_ECONF;
	}
	if (strlen(u) >= sizeof(p->user)) {
		fprintf(stderr, "hpagent: username: too long\n");
		return HP_ECONF;
	}
	memcpy(p->user, u, strlen(u) + 1);
	p->uid = pw->pw_uid;
	p->gid = pw->pw_gid;
	p->drop = pw->pw_uid != 0;
	if (!p->drop && p->chroot[0] != '\0') {
		fprintf(stderr, "hpagent: chroot: %s needs a username: that "
		    "is not root\n", p->chroot);
		return HP_ECONF;
	}
	return 0;
}

const char *
privs_path(const struct privs *p, const char *path)
{
	size_t l = strlen(p->chroot);

	if (path == NULL || l == 0)
		return path;
	if (strncmp(path, p->chroot, l) != 0)
		return NULL;
	if (path[l] == '\0')
		return "/";
	return path[l] == '/' ? path + l : NULL;
}

int
privs_check_paths(const struct privs *p, const struct conf *cfg)
{
	int bad = 0;

	if (p->chroot[0] == '\0')
		return 0;
	if (privs_path(p, cfg->database) == NULL) {
		fprintf(stderr, "hpagent: database: %s: not under chroot: %s "
		    "(the daemon opens it after chroot)\n", cfg->database,
		    p->chroot);
		bad = 1;
	}
	if (cfg->pidfile != NULL && cfg->pidfile[0] != '\0' &&
	    privs_path(p, cfg->pidfile) == NULL) {
		fprintf(stderr, "hpagent: pidfile: %s: not under chroot: %s "
		    "(it is removed at exit, inside the chroot)\n",
		    cfg->pidfile, p->chroot);
		bad = 1;
	}
	if (cfg->path != NULL && privs_path(p, cfg->path) == NULL)
		log_warn("configuration %s is not under chroot: %s: SIGHUP "
		    "cannot reload it (restart instead)", cfg->path,
		    p->chroot);
	return bad ? HP_ECONF : 0;
}

int
privs_chroot(const struct privs *p)
{
	if (p->chroot[0] == '\0')
		return 0;
	if (chroot(p->chroot) != 0 || chdir("/") != 0) {
		log_err("chroot %s: %s", p->chroot, strerror(errno));
		return -errno;
	}
	log_info("chroot to %s", p->chroot);
	return 0;
}

int
privs_enter(struct privs *p)
{
	if (!p->drop || p->temp)
		return 0;
	if (setegid(p->gid) != 0 || seteuid(p->uid) != 0) {
		log_err("cannot become %s: %s", p->user, strerror(errno));
		if (setegid(0) != 0)
			log_err("setegid(0): %s", strerror(errno));
		return -errno;
	}
	p->temp = 1;
	return 0;
}

void
privs_leave(struct privs *p)
{
	if (!p->temp)
		return;
	if (seteuid(0) != 0 || setegid(0) != 0) {
		log_err("cannot get root back: %s", strerror(errno));
		abort();
	}
	p->temp = 0;
}

static int
privs_access(const char *path, int mode, const char *what, const char *hint)
{
	if (faccessat(AT_FDCWD, path, mode, AT_EACCESS) == 0)
		return 0;
	if (errno == ENOENT && mode != (R_OK | W_OK | X_OK))
		return 0;	/* a file SQLite will create */
	log_err("%s %s: %s for uid %ld%s", what, path, strerror(errno),
	    (long)geteuid(), hint);
	return HP_ESTORE;
}

int
privs_check_db(const struct privs *p, const char *dbpath)
{
	char path[4200], *dir = path_dir(dbpath);
	struct statvfs vfs;
	int r = 0, ro;

	(void)p;
	/* A read-only file system is not a permission problem: the daemon
	 * still serves what the database holds (fault tolerance), it just
	 * cannot publish or record secondary state until it is writable. */
	ro = statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_RDONLY);
	if (ro)
		log_warn("database %s is on a read-only file system: serving "
		    "what it holds; nothing can be published and secondary "
		    "state is not recorded until it is writable", dbpath);
	else
		r |= privs_access(dir, R_OK | W_OK | X_OK,
		    "database directory", ": SQLite creates the -wal and -shm "
		    "files beside the database; chown the directory to the "
		    "username: user");
	free(dir);
	if (ro)
		return 0;
	r |= privs_access(dbpath, R_OK | W_OK, "database",
	    ": chown it to the username: user");
	snprintf(path, sizeof(path), "%s-wal", dbpath);
	r |= privs_access(path, R_OK | W_OK, "database journal",
	    ": chown it to the username: user");
	snprintf(path, sizeof(path), "%s-shm", dbpath);
	r |= privs_access(path, R_OK | W_OK, "database journal",
	    ": chown it to the username: user");
	return r ? HP_ESTORE : 0;
}

int
privs_drop(const struct privs *p)
{
	if (!p->drop)
		return 0;
	if (initgroups(p->user, p->gid) != 0 &&
	    setgroups(1, &p->gid) != 0) {
		log_err("setgroups: %s", strerror(errno));
		return -errno;
	}
	if (setresgid(p->gid, p->gid, p->gid) != 0) {
		log_err("setgid %ld: %s", (long)p->gid, strerror(errno));
		return -errno;
	}
	if (setresuid(p->uid, p->uid, p->uid) != 0) {
		log_err("setuid %ld: %s", (long)p->uid, strerror(errno));
		return -errno;
	}
	if (setuid(0) == 0 || seteuid(0) == 0) {
		log_err("privileges not dropped: root regained");
		return HP_EACCES;
	}
	log_notice("running as %s (uid %ld, gid %ld)", p->user, (long)p->uid,
	    (long)p->gid);
	return 0;
}

int
privs_perm_warnings(const struct conf *cfg,
    void (*warn)(void *arg, const char *msg), void *arg)
{
	char msg[4400];
	struct stat sb;
	int i, n = 0;

	for (i = 0; i < cfg->n_files; i++) {
		if (stat(cfg->files[i], &sb) != 0 || !(sb.st_mode & S_IROTH))
			continue;
		snprintf(msg, sizeof(msg), "%s is readable by others (mode "
		    "%04o): it may hold TSIG or webhook secrets; chmod o-r "
		    "it", cfg->files[i], (unsigned)(sb.st_mode & 07777));
		warn(arg, msg);
		n++;
	}
	if (cfg->database != NULL && stat(cfg->database, &sb) == 0 &&
	    (sb.st_mode & S_IROTH)) {
		snprintf(msg, sizeof(msg), "database %s is readable by others "
		    "(mode %04o); chmod o-r it", cfg->database,
		    (unsigned)(sb.st_mode & 07777));
		warn(arg, msg);
		n++;
	}
	return n;
}
