/*
 * edit.c -- a zone edited as text, published as one version with source
 * "edit" (store_edit: an RFC 2136 update of what changed): add and del
 * for scripts, edit for people ($VISUAL, $EDITOR, else vi).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/cli/cli.h"
#include "agent/conf/conf.h"
#include "dns/err.h"
#include "dns/wire.h"
#include "store/store.h"

static void
edit_problem(void *arg, const struct hp_problem *p)
{
	char line[1200];

	(void)arg;
	fprintf(stderr, "hpagent: %s\n", hp_problem_str(p, line, sizeof(line)));
}

struct shown {
	char *buf;
	size_t len;
};

/* Each RR of the change, as `diff` prints it. */
static int
edit_show(int op, const struct store_rr *rr, void *arg)
{
	struct shown *s = arg;

	if (store_rr_text(rr, &s->buf, &s->len) < 0)
		printf("%c%s (type %u)\n", op ? '+' : '-', rr->owner, rr->type);
	else
		printf("%c%s\n", op ? '+' : '-', s->buf);
	return 0;
}

/*
 * Replace OLDTEXT by NEWTEXT in ZONE (store_edit), the change printed
 * first unless quiet; the outcome said. Exit status: 0 published or
 * nothing to do, 11 a text does not parse, 12 refused (a record the
 * validator or the zone rules refuse), 13 the database busy or failing,
 * 1 the zone changed meanwhile (GUARD) or is not stored.
 */
static int
edit_apply(const struct cmd_ctx *ctx, const char *zone, const char *oldtext,
    const char *newtext, int guard)
{
	const struct conf *cfg;
	const struct conf_zone *z;
	struct store *st;
	struct store_update_opts o = { .source = "edit",
	    .problem = edit_problem };
	struct store_import_result res;
	struct shown sh = { 0 };
	uint8_t rcode;
	int r, rc;

	if (cmd_load_zone(ctx, zone, &cfg, &z) < 0)
		return EXIT_FAIL;
	o.serial_policy = z->serial_policy;
	o.max_journal_versions = z->max_journal_versions;
	if (z->dnssec_signing && z->dnssec_policy != NULL) {
		o.sign.policy = z->dnssec_policy;
		o.sign.keystore = cfg->dnssec_keystore;
	}
	if (cmd_open_store(cfg, 0, &st) < 0) {
		conf_unref(cfg);
		return 13;
	}
	r = store_edit(st, z->name, oldtext, strlen(oldtext), newtext,
	    strlen(newtext), guard, &o, ctx->quiet ? NULL : edit_show, &sh,
	    &res, &rcode);
	/* add and del: their records named; edit: the file names them */
	free(sh.buf);
	if (r == HP_EPARSE)
		rc = 11;
	else if (r == HP_EBUSY && res.held)
		rc = 12;	/* pending direct edits that do not validate */
	else if (r == HP_EBUSY || r == HP_ESTORE)
		rc = 13;
	else if (rcode == WIRE_RCODE_YXRRSET || rcode == WIRE_RCODE_NXRRSET) {
		fprintf(stderr, "hpagent: %s: the zone changed meanwhile (a "
		    "record you edited is not as it was): nothing changed; "
		    "edit again\n", z->name);
		rc = EXIT_FAIL;
	} else if (rcode == WIRE_RCODE_FORMERR || rcode == WIRE_RCODE_REFUSED)
		rc = 12;
	else if (r < 0 || rcode != WIRE_RCODE_NOERROR)
		rc = EXIT_FAIL;
	else
		rc = EXIT_OK;
	if (rc == EXIT_OK && !ctx->quiet) {
		if (res.pending_published)
			printf("%s: pending direct edits published first\n",
			    z->name);
		if (res.changed)
			printf("%s: published serial %u (was %u): +%llu -%llu, "
			    "source edit\n", z->name, res.new_serial,
			    res.old_serial, (unsigned long long)res.added,
			    (unsigned long long)res.removed);
		else
			printf("%s: unchanged, serial %u stays\n", z->name,
			    res.new_serial);
	} else if (rc != EXIT_OK && rc != EXIT_FAIL)
		fprintf(stderr, "hpagent: %s: nothing changed\n", z->name);
	store_close(st);
	conf_unref(cfg);
	return rc;
}

/* The operands from ARGV[2] on, a line each. */
static char *
edit_lines(char **argv)
{
	size_t len = 1, i, o = 0, l;
	char *t;

	for (i = 2; argv[i] != NULL; i++)
		len += strlen(argv[i]) + 1;
	if ((t = calloc(1, len)) == NULL)
		return NULL;
	for (i = 2; argv[i] != NULL; i++) {
		l = strlen(argv[i]);
		memcpy(t + o, argv[i], l);
		o += l;
		t[o++] = '\n';
	}
	return t;
}

static const char add_usage[] =
    "usage: hpagent [-c FILE] [-q] add ZONE RR...\n"
    "  Add each RR (zone-file text relative to ZONE, e.g.\n"
    "  'www 300 IN A 192.0.2.7') to the zone as one new version (source\n"
    "  edit): validated as imports are, the serial bumped, journaled, and\n"
    "  NOTIFYed by the running daemon. An RR already there: nothing to do.\n"
    "  Exit: 0 published or unchanged, 11 an RR does not parse, 12 refused,\n"
    "  13 the database busy, 1 other.\n";

static const char del_usage[] =
    "usage: hpagent [-c FILE] [-q] del ZONE RR...\n"
    "  Delete each RR (as add writes them; the TTL may be left out) from\n"
    "  the zone as one new version (source edit). An RR not there:\n"
    "  nothing to do. Exit statuses as for add.\n";

static int
add_del(const struct cmd_ctx *ctx, int argc, char **argv, int add)
{
	char *text;
	int rc;

	if ((rc = cmd_args(argc, argv, add ? add_usage : del_usage, 2, -1)) !=
	    CMD_ARGS_OK)
		return rc == CMD_ARGS_HELP ? EXIT_OK : EXIT_USAGE;
	if ((text = edit_lines(argv)) == NULL)
		return EXIT_FAIL;
	rc = edit_apply(ctx, argv[1], add ? "" : text, add ? text : "", 0);
	free(text);
	return rc;
}

int
cmd_add(const struct cmd_ctx *ctx, int argc, char **argv)
{
	return add_del(ctx, argc, argv, 1);
}

int
cmd_del(const struct cmd_ctx *ctx, int argc, char **argv)
{
	return add_del(ctx, argc, argv, 0);
}

static const char edit_usage[] =
    "usage: hpagent [-c FILE] edit ZONE\n"
    "  Open the zone's current records (as `show --unsigned` prints them)\n"
    "  in $VISUAL, else $EDITOR, else vi. When the editor exits 0 with\n"
    "  the text changed, the change is shown and published as one\n"
    "  version (source edit); every RRset it touches must still be as it\n"
    "  was shown, else nothing changes (another channel changed it\n"
    "  meanwhile: edit again). A text that does not parse or a record\n"
    "  refused changes nothing and keeps the edited file (its path is\n"
    "  said). Exit statuses as for add.\n";

/* The whole of file PATH, NUL-terminated; NULL on error. */
static char *
edit_slurp(const char *path)
{
	FILE *f;
	char *t;
	long n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (t = malloc((size_t)n + 1)) ==
	    NULL) {
		fclose(f);
		return NULL;
	}
	if (fread(t, 1, (size_t)n, f) != (size_t)n) {
		free(t);
		fclose(f);
		return NULL;
	}
	t[n] = '\0';
	fclose(f);
	return t;
}

int
cmd_edit(const struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *ed;
	char path[256], *before = NULL, *after = NULL, *cmd = NULL;
	FILE *f;
	int fd, rc, st;
	size_t n;

	if ((rc = cmd_args(argc, argv, edit_usage, 1, 1)) != CMD_ARGS_OK)
		return rc == CMD_ARGS_HELP ? EXIT_OK : EXIT_USAGE;
	snprintf(path, sizeof(path), "%s/hpagent-edit.XXXXXX.zone",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if ((fd = mkstemps(path, 5)) < 0 || (f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "hpagent: edit: %s: %s\n", path,
		    strerror(errno));
		return EXIT_FAIL;
	}
	rc = cmd_zone_text(ctx, argv[1], f);
	if (fclose(f) != 0 || rc < 0) {
		unlink(path);
		return EXIT_FAIL;
	}
	if ((before = edit_slurp(path)) == NULL)
		goto fail;
	if ((ed = getenv("VISUAL")) == NULL || ed[0] == '\0')
		if ((ed = getenv("EDITOR")) == NULL || ed[0] == '\0')
			ed = "vi";
	/* as git and crontab -e do: the editor is a shell word list */
	n = strlen(ed) + strlen(path) + 8;
	if ((cmd = malloc(n)) == NULL)
		goto fail;
	snprintf(cmd, n, "%s '%s'", ed, path);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "hpagent: edit: the editor (%s) failed: nothing "
		    "changed\n", ed);
		goto fail;
	}
	if ((after = edit_slurp(path)) == NULL)
		goto fail;
	if (strcmp(before, after) == 0) {
		if (!ctx->quiet)
			printf("%s: no change\n", argv[1]);
		rc = EXIT_OK;
	} else
		rc = edit_apply(ctx, argv[1], before, after, 1);
	if (rc == 11 || rc == 12)
		fprintf(stderr, "hpagent: edit: your text is kept in %s\n",
		    path);
	else
		unlink(path);
	free(before);
	free(after);
	free(cmd);
	return rc;
fail:
	unlink(path);
	free(before);
	free(after);
	free(cmd);
	return EXIT_FAIL;
}
