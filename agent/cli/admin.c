/*
 * admin.c -- the operator's housekeeping: keygen (a TSIG key: clause),
 * backup (an online copy of the database), reopen (the daemon's log file,
 * after logrotate).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/cli/cli.h"
#include "agent/conf/conf.h"
#include "dns/dname.h"
#include "dns/err.h"
#include "dns/tsig.h"
#include "store/store.h"

static const char keygen_usage[] =
    "usage: hpagent keygen NAME [ALGORITHM]\n"
    "  Print a new TSIG key as an nsd.conf key: clause, for hpagent.conf\n"
    "  and nsd.conf (knot.conf and named.conf spell it their way). ALGORITHM:\n"
    "  hmac-sha256 (the default), hmac-sha384, hmac-sha512, hmac-sha224,\n"
    "  hmac-sha1, hmac-md5. The secret is as long as the algorithm's\n"
    "  digest, from the kernel's random source.\n";

int
cmd_keygen(const struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct tsig_alg *alg;
	uint8_t raw[TSIG_MAX_DIGEST], wire[DNAME_MAXLEN];
	char b64[2 * TSIG_MAX_DIGEST];
	size_t got = 0, wlen;
	ssize_t n;
	int rc;

	(void)ctx;
	if ((rc = cmd_args(argc, argv, keygen_usage, 1, 2)) != CMD_ARGS_OK)
		return rc == CMD_ARGS_HELP ? EXIT_OK : EXIT_USAGE;
	if (dname_from_str(argv[1], wire, &wlen) < 0) {
		fprintf(stderr, "hpagent: keygen: '%s' is not a valid key name "
		    "(a domain name)\n", argv[1]);
		return EXIT_USAGE;
	}
	if ((alg = tsig_alg_by_name(argv[2] != NULL ? argv[2] : "hmac-sha256")) ==
	    NULL) {
		fprintf(stderr, "hpagent: keygen: unknown algorithm '%s' "
		    "(hmac-sha256, hmac-sha384, hmac-sha512, hmac-sha224, "
		    "hmac-sha1, hmac-md5)\n", argv[2]);
		return EXIT_USAGE;
	}
	while (got < alg->digest_size) {	/* at most a few reads */
		n = getrandom(raw + got, alg->digest_size - got, 0);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "hpagent: keygen: getrandom: %s\n",
			    strerror(errno));
			return EXIT_FAIL;
		}
		if (n > 0)
			got += (size_t)n;
	}
	if (tsig_b64_encode(raw, alg->digest_size, b64, sizeof(b64)) == 0)
		return EXIT_FAIL;
	printf("key:\n\tname: \"%s\"\n\talgorithm: %s\n\tsecret: \"%s\"\n",
	    argv[1], alg->name, b64);
	explicit_bzero(raw, sizeof(raw));
	explicit_bzero(b64, sizeof(b64));
	return EXIT_OK;
}

static const char backup_usage[] =
    "usage: hpagent [-c FILE] backup FILE\n"
    "  Copy the database into FILE with SQLite's online backup: one\n"
    "  consistent snapshot, taken while the daemon serves and imports\n"
    "  (it is not stopped). FILE is written beside itself and renamed\n"
    "  into place when complete. To restore: stop the daemon, remove the\n"
    "  database's -wal and -shm files, copy FILE over the database, start\n"
    "  the daemon (README, \"Backing up and restoring\").\n";

int
cmd_backup(const struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct conf *cfg;
	struct store *st;
	struct stat a, b;
	char err[512], *tmp;
	size_t len;
	int rc;

	if ((rc = cmd_args(argc, argv, backup_usage, 1, 1)) != CMD_ARGS_OK)
		return rc == CMD_ARGS_HELP ? EXIT_OK : EXIT_USAGE;
	if (cmd_load_config(ctx, &cfg) < 0)
		return EXIT_FAIL;
	if (stat(argv[1], &b) == 0 && stat(cfg->database, &a) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		fprintf(stderr, "hpagent: backup: %s is the database itself\n",
		    argv[1]);
		conf_unref(cfg);
		return EXIT_USAGE;
	}
	if (cmd_open_store(cfg, STORE_READONLY, &st) < 0) {
		conf_unref(cfg);
		return EXIT_FAIL;
	}
	len = strlen(argv[1]) + 16;
	if ((tmp = malloc(len)) == NULL) {
		store_close(st);
		conf_unref(cfg);
		return EXIT_FAIL;
	}
	snprintf(tmp, len, "%s.tmp%ld", argv[1], (long)getpid());
	rc = EXIT_OK;
	if (store_backup(st, tmp, err, sizeof(err)) < 0) {
		fprintf(stderr, "hpagent: backup: %s\n", err);
		rc = EXIT_FAIL;
	} else if (rename(tmp, argv[1]) != 0) {
		fprintf(stderr, "hpagent: backup: %s: %s\n", argv[1],
		    strerror(errno));
		rc = EXIT_FAIL;
	}
	if (rc != EXIT_OK)
		(void)unlink(tmp);
	else if (ctx->verbose)
		printf("%s: a copy of %s\n", argv[1], cfg->database);
	free(tmp);
	store_close(st);
	conf_unref(cfg);
	return rc;
}

static const char reopen_usage[] =
    "usage: hpagent [-c FILE] reopen\n"
    "  Make the running daemon (its pid in pidfile:) open its logfile:\n"
    "  again, as after logrotate moved it (SIGUSR1; SIGHUP does it too,\n"
    "  with a reload).\n";

int
cmd_reopen(const struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct conf *cfg;
	FILE *f;
	long pid = 0;
	int rc;

	if ((rc = cmd_args(argc, argv, reopen_usage, 0, 0)) != CMD_ARGS_OK)
		return rc == CMD_ARGS_HELP ? EXIT_OK : EXIT_USAGE;
	if (cmd_load_config(ctx, &cfg) < 0)
		return EXIT_FAIL;
	rc = EXIT_FAIL;
	if (cfg->pidfile == NULL || cfg->pidfile[0] == '\0')
		fprintf(stderr, "hpagent: reopen: no pidfile: in the "
		    "configuration (send the daemon SIGUSR1)\n");
	else if ((f = fopen(cfg->pidfile, "r")) == NULL)
		fprintf(stderr, "hpagent: reopen: %s: %s (is the daemon "
		    "running?)\n", cfg->pidfile, strerror(errno));
	else {
		if (fscanf(f, "%ld", &pid) != 1 || pid <= 1)
			fprintf(stderr, "hpagent: reopen: %s holds no pid\n",
			    cfg->pidfile);
		else if (kill((pid_t)pid, SIGUSR1) != 0)
			fprintf(stderr, "hpagent: reopen: pid %ld: %s\n", pid,
			    strerror(errno));
		else
			rc = EXIT_OK;
		fclose(f);
	}
	conf_unref(cfg);
	return rc;
}
