/*
 * log.h -- one line per event, to stderr, a file or syslog.
 *
 * Levels are syslog's. What is printed follows `verbosity:` as in nsd.conf:
 * errors and warnings always; notices (transfers, NOTIFYs, publishes) from
 * verbosity 1 (the default); info from 2; debug from 3.
 * Never pass a secret to these functions.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_LOG_H
#define HP_LOG_H

#include <sys/types.h>
#include <syslog.h>

/* Send log lines to DEST: NULL or "" for stderr, "syslog", or a file path
 * (appended; opened as log_open_regular() does). Returns 0, or a negative
 * errno if the file cannot be opened (logging then stays on stderr). */
int log_open(const char *ident, int verbosity, const char *dest);
/* Open the log file again, by its path (after logrotate moved it): 1 when
 * reopened, 0 when logging does not go to a file, a negative errno when
 * the file cannot be opened (the old one is kept). */
int log_reopen(void);
/* The log file's path, NULL when logging goes elsewhere. */
const char *log_path(void);
/*
 * open(2) PATH with FLAGS (O_CLOEXEC added) for a file root writes in a
 * directory another user may write (logfile:, pidfile:): a symbolic link
 * as the last component is not followed (-ELOOP), and anything but a
 * regular file with a single link or a character device is refused
 * (-EINVAL, -EMLINK), so that
 * no link planted there turns the write on another file. Returns the
 * descriptor or a negative errno; log_open_strerror() says it for people.
 */
int log_open_regular(const char *path, int flags, mode_t mode);
const char *log_open_strerror(int err);
void log_set_verbosity(int verbosity);
int log_get_verbosity(void);
void log_close(void);

void log_msg(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* As log_msg, but at most BURST lines per second for the same KEY (a small
 * integer naming a kind of event, 0..31: query.c 1-5, listen.c 10-11 and
 * 14-15, agent/http 12-13, notify.c 20, probe_io.c 21); suppressed lines
 * are counted and reported in the next line that passes. For floods of
 * refusals. */
void log_limited(int key, int burst, int prio, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Seconds on the monotonic clock, for the durations log lines report. */
double log_clock(void);

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...)	log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
