/* log.c -- see log.h. SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dns/log.h"

#define LOG_KEYS 16

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
log_open(const char *ident, int verbosity, const char *dest)
{
	FILE *f;

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
	f = fopen(dest, "a");
	if (f == NULL)
		return -errno;
	setvbuf(f, NULL, _IOLBF, 0);
	log_file = f;
	snprintf(log_dest, sizeof(log_dest), "%s", dest);
	return 0;
}

int
log_reopen(void)
{
	FILE *f;

	if (log_file == NULL || log_dest[0] == '\0')
		return 0;
	/* the new file first: a failure keeps the old one */
	if ((f = fopen(log_dest, "a")) == NULL)
		return -errno;
	setvbuf(f, NULL, _IOLBF, 0);
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
