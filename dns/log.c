/* log.c -- see log.h. SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dns/log.h"

#define LOG_KEYS 32

static int log_verbosity = 1;
static int log_to_syslog;
static FILE *log_file;
static const char *log_ident = "hpagent";
static char log_dest[4096];		/* the file log_open opened, or "" */
static struct {
	time_t second;
	int count;
	unsigned long suppressed;
} log_rate[LOG_KEYS];

static int
log_threshold(void)
{
	if (log_verbosity <= 0)
		return LOG_WARNING;
	if (log_verbosity == 1)
		return LOG_NOTICE;
	if (log_verbosity == 2)
		return LOG_INFO;
	return LOG_DEBUG;
}

int
log_open_regular(const char *path, int flags, mode_t mode)
{
	struct stat sb;
	int fd, e;

	/* O_NONBLOCK: a FIFO put there must not hang the open. */
	fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode);
	if (fd < 0)	/* ENXIO: a FIFO nobody reads */
		return errno == ENXIO ? -EINVAL : -errno;
	if (fstat(fd, &sb) != 0) {
		e = -errno;
		close(fd);
		return e;
	}
	/* A character device (/dev/null) is the administrator's choice; a
	 * FIFO or a second name of someone else's file is not. */
	if ((!S_ISREG(sb.st_mode) && !S_ISCHR(sb.st_mode)) ||
	    (S_ISREG(sb.st_mode) && sb.st_nlink > 1)) {
		close(fd);
		return S_ISREG(sb.st_mode) ? -EMLINK : -EINVAL;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
		e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

const char *
log_open_strerror(int err)
{
	switch (err) {
	case -ELOOP:
		return "is a symbolic link (refused: it could point anywhere)";
	case -EMLINK:
		return "has other hard links (refused)";
	case -EINVAL:
		return "is not a regular file (refused)";
	default:
		return strerror(-err);
	}
}

/* PATH opened for appending as log_open_regular() opens it, line
 * buffered, into *OUT: 0 or a negative errno. */
static int
log_file_open(const char *path, FILE **out)
{
	int fd;

	if ((fd = log_open_regular(path, O_WRONLY | O_APPEND | O_CREAT,
	    0640)) < 0)
		return fd;
	if ((*out = fdopen(fd, "a")) == NULL) {
		close(fd);
		return -ENOMEM;
	}
	setvbuf(*out, NULL, _IOLBF, 0);
	return 0;
}

int
log_open(const char *ident, int verbosity, const char *dest)
{
	FILE *f;
	int fd;

	log_close();
	log_ident = ident ? ident : "hpagent";
	log_verbosity = verbosity;
	if (dest == NULL || dest[0] == '\0')
		return 0;
	if (strcmp(dest, "syslog") == 0) {
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		log_to_syslog = 1;
		return 0;
	}
	if ((fd = log_file_open(dest, &f)) < 0)
		return fd;
	log_file = f;
	snprintf(log_dest, sizeof(log_dest), "%s", dest);
	return 0;
}

int
log_reopen(void)
{
	FILE *f;
	int r;

	if (log_file == NULL || log_dest[0] == '\0')
		return 0;
	/* the new file first: a failure keeps the old one */
	if ((r = log_file_open(log_dest, &f)) < 0)
		return r;
	fclose(log_file);
	log_file = f;
	return 1;
}

const char *
log_path(void)
{
	return log_file != NULL ? log_dest : NULL;
}

void
log_set_verbosity(int verbosity)
{
	log_verbosity = verbosity;
}

int
log_get_verbosity(void)
{
	return log_verbosity;
}

void
log_close(void)
{
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
	if (log_to_syslog)
		closelog();
	log_to_syslog = 0;
	log_dest[0] = '\0';
}

static const char *
log_level_name(int prio)
{
	switch (prio) {
	case LOG_EMERG: case LOG_ALERT: case LOG_CRIT: case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_NOTICE:
		return "notice";
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

static void
log_vmsg(int prio, const char *fmt, va_list ap)
{
	char line[1024], stamp[32];
	struct timespec ts;
	struct tm tm;
	long off;
	FILE *out;

	if (prio > log_threshold())
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_to_syslog) {
		syslog(prio, "%s", line);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	off = tm.tm_gmtoff / 60;	/* ISO 8601: the offset as +hh:mm */
	out = log_file ? log_file : stderr;
	fprintf(out, "%s.%03ld%c%02ld:%02ld %s[%ld]: %s: %s\n", stamp,
	    ts.tv_nsec / 1000000L, off < 0 ? '-' : '+', (off < 0 ? -off : off)
	    / 60, (off < 0 ? -off : off) % 60, log_ident, (long)getpid(),
	    log_level_name(prio), line);
	fflush(out);
}

void
log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(prio, fmt, ap);
	va_end(ap);
}

void
log_limited(int key, int burst, int prio, const char *fmt, ...)
{
	time_t now = time(NULL);
	va_list ap;

	if (key < 0 || key >= LOG_KEYS)
		key = 0;
	if (log_rate[key].second != now) {
		if (log_rate[key].suppressed > 0)
			log_msg(prio, "(%lu similar messages suppressed)",
			    log_rate[key].suppressed);
		log_rate[key].second = now;
		log_rate[key].count = 0;
		log_rate[key].suppressed = 0;
	}
	if (log_rate[key].count >= burst) {
		log_rate[key].suppressed++;
		return;
	}
	log_rate[key].count++;
	va_start(ap, fmt);
	log_vmsg(prio, fmt, ap);
	va_end(ap);
}

double
log_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
