/*
 * conf.c -- hpagent [-c FILE] [-v] check-conf: load the configuration,
 * print every error (file:line: message) and exit 1, or a one-line
 * summary and exit 0. With -v, the resolved view: server settings, key
 * names and algorithms (never secrets), each zone's effective settings.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <pwd.h>
#include <stdio.h>

#include "agent/cli/cli.h"
#include "agent/conf/conf.h"
#include "agent/daemon/privs.h"
#include "agent/publish/fetch.h"
#include "dns/serial.h"

static const char usage_text[] =
    "usage: hpagent [-c FILE] [-v] [-q] check-conf\n"
    "\n"
    "Load the configuration (default " HP_DEFAULT_CONFIG ", or $HPAGENT_CONF)\n"
    "and report every error as FILE:LINE: MESSAGE on stderr. Options of\n"
    "nsd.conf that hpagent does not use are warnings, not errors.\n"
    "\n"
    "  -v   also print the resolved configuration: each zone with its\n"
    "       zonefile, serial policy, journal limit, notify: and\n"
    "       provide-xfr: lists; keys by name and algorithm (never secrets)\n"
    "  -q   print nothing when the configuration is fine\n"
    "\n"
    "Warns (stderr) when the configuration, a file it includes, or the\n"
    "database is readable by others: they hold TSIG and webhook secrets\n"
    "(not with -q).\n"
    "\n"
    "Exit status: 0 the configuration is usable, 1 it has errors,\n"
    "2 bad command line.\n";

static void
print_acls(const char *what, const struct conf_acl *a)
{
	for (; a != NULL; a = a->next)
		printf("  %s: %s\n", what, a->text ? a->text : "?");
}

static void
print_view(const struct conf *cfg)
{
	const struct conf_zone *z;
	const struct conf_update *u;
	const struct conf_key *k;
	char shown[FETCH_SHOWN_MAX];
	const struct conf_policy *cp;
	int i;

	printf("server:\n");
	for (i = 0; i < cfg->n_ip_address; i++)
		printf("  ip-address: %s\n", cfg->ip_address[i]);
	printf("  port: %u\n", (unsigned)cfg->port);
	printf("  zonesdir: %s\n", cfg->zonesdir);
	printf("  database: %s\n", cfg->database);
	printf("  logfile: %s\n", cfg->logfile ? cfg->logfile : "(stderr)");
	if (cfg->pidfile != NULL)
		printf("  pidfile: %s\n", cfg->pidfile);
	if (cfg->username != NULL)
		printf("  username: %s\n", cfg->username);
	if (cfg->chroot != NULL)
		printf("  chroot: %s\n", cfg->chroot);
	printf("  verbosity: %d\n", cfg->verbosity);
	printf("  max-journal-versions: %u\n", cfg->max_journal_versions);
	printf("  max-delete: %u\n", cfg->max_delete);
	if (cfg->http_listen != NULL)
		printf("  http-listen: %s\n", cfg->http_listen);
	printf("  max-zone-size: %llu\n",
	    (unsigned long long)cfg->max_zone_size);
	printf("  webhook-max-body: %llu\n",
	    (unsigned long long)cfg->webhook_max_body);
	printf("  http-max-connections: %u\n", cfg->http_max_conns);
	printf("  http-max-connections-per-address: %u\n",
	    cfg->http_max_per_addr);
	printf("  http-request-timeout: %u\n", cfg->http_request_timeout);
	printf("  tcp-count: %u\n", cfg->tcp_count);
	printf("  tcp-count-per-address: %u\n", cfg->tcp_count_per_addr);
	printf("  tsig-max-fudge: %u\n", cfg->tsig_max_fudge);
	if (cfg->webhook_secret != NULL)
		printf("  webhook-secret: (set)\n");
	if (cfg->api_token != NULL)
		printf("  api-token: (set)\n");
	printf("  dnssec-keystore: %s\n", cfg->dnssec_keystore);
	for (cp = cfg->policies; cp != NULL; cp = cp->next) {
		printf("dnssec-policy: %s\n", cp->p.name);
		sign_policy_print(&cp->p, stdout, "  ");
	}
	for (k = cfg->keys; k != NULL; k = k->next)
		printf("key: %s %s\n", k->name, k->algorithm);
	for (z = cfg->zones; z != NULL; z = z->next) {
		printf("zone: %s\n", z->name);
		printf("  zonefile: %s\n", z->zonefile ? z->zonefile :
		    "(none)");
		if (z->source != NULL)
			printf("  source: %s\n", fetch_redact(z->source, shown,
			    sizeof(shown)));
		printf("  serial-policy: %s\n",
		    serial_policy_str(z->serial_policy));
		printf("  max-journal-versions: %u\n",
		    z->max_journal_versions);
		printf("  source-mode: %s\n", z->source_replace ? "replace" :
		    "merge");
		printf("  max-delete: %u\n", z->max_delete);
		printf("  notify-retry: %d\n", z->notify_retry);
		printf("  sync-timeout: %d\n", z->sync_timeout);
		printf("  probe-interval: %d\n", z->probe_interval);
		if (z->dnssec_signing)
			printf("  dnssec-signing: yes\n  dnssec-policy: %s\n",
			    z->dnssec_policy->name);
		print_acls("notify", z->notify);
		print_acls("provide-xfr", z->provide_xfr);
		print_acls("outgoing-interface", z->outgoing_interface);
		for (u = z->allow_update; u != NULL; u = u->next)
			printf("  allow-update: %s\n", u->acl.text);
		if (z->allow_update != NULL)
			printf("  update-wait: %d\n  update-coalesce: %d\n",
			    z->update_wait, z->update_coalesce);
	}
}

static void
warn_stderr(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "hpagent: warning: %s\n", msg);
}

int
cmd_check_conf(const struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct conf *cfg;

	if (cmd_wants_help(argc, argv, usage_text))
		return EXIT_OK;
	if (argc > 1) {
		fprintf(stderr, "hpagent: check-conf: unexpected argument "
		    "'%s'\n%s", argv[1], usage_text);
		return EXIT_USAGE;
	}
	if (conf_load(ctx->config_path, NULL, NULL, &cfg) < 0) {
		fprintf(stderr, "hpagent: %s: configuration has errors\n",
		    ctx->config_path);
		return EXIT_FAIL;
	}
	/* What serve would refuse, refused here too. */
	if (cfg->username != NULL && cfg->username[0] != '\0' &&
	    strcmp(cfg->username, "root") != 0 &&
	    getpwnam(cfg->username) == NULL) {
		fprintf(stderr, "hpagent: %s: username: %s: no such user "
		    "(serve would refuse to start)\n", ctx->config_path,
		    cfg->username);
		conf_unref(cfg);
		return EXIT_FAIL;
	}
	/* Files holding secrets: not for others to read (-q: quiet; serve
	 * warns again in its log). */
	if (!ctx->quiet)
		privs_perm_warnings(cfg, warn_stderr, NULL);
	if (ctx->verbose > 0)
		print_view(cfg);
	if (!ctx->quiet)
		printf("%s: ok: %d zone%s, %d key%s, %d pattern%s\n",
		    ctx->config_path, cfg->n_zones,
		    cfg->n_zones == 1 ? "" : "s", cfg->n_keys,
		    cfg->n_keys == 1 ? "" : "s", cfg->n_patterns,
		    cfg->n_patterns == 1 ? "" : "s");
	conf_unref(cfg);
	return EXIT_OK;
}
