/*
 * reload.c -- SIGHUP: load the configuration again. A broken one: every
 * error logged, the daemon goes on with the one it has. A good one is
 * swapped in: zones, keys, provide-xfr:, notify: targets and verbosity:
 * apply to what begins from now on; what is under way (a transfer, a
 * NOTIFY being retried, a waiting HTTP request) finishes with the
 * configuration it began with, which each of them holds a reference on;
 * the old one is freed when the last of them ends. What a reload cannot
 * change (sockets, database, user, ...) keeps its running value, said so.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "agent/conf/conf.h"
#include "agent/daemon/daemon_int.h"
#include "agent/daemon/privs.h"
#include "agent/daemon/updwork.h"
#include "agent/daemon/xfr.h"
#include "agent/http/api.h"
#include "agent/publish/zones.h"
#include "dns/err.h"
#include "dns/log.h"

static int
str_differ(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

/* PATH of the new configuration vs the running OLD (as used now, i.e.
 * inside the chroot): the same file? */
static int
path_differs(const struct daemon *d, const char *path, const char *old)
{
	const char *in = privs_path(&d->pv, path);

	if (!str_differ(path, old))
		return 0;
	return in == NULL || str_differ(in, old);
}

/* What a reload cannot change: say so, once per setting. */
static void
restart_needed(const struct daemon *d, const struct conf *n)
{
	const struct conf *o = d->cfg;
	int i, addrs = o->n_ip_address != n->n_ip_address ||
	    o->port != n->port;

	for (i = 0; !addrs && i < n->n_ip_address; i++)
		addrs = strcmp(o->ip_address[i], n->ip_address[i]) != 0;
#define HP_RESTART(what) log_warn("reload: %s changed: restart hpagent " \
	    "to apply it (the running value is kept)", what)
	if (addrs)
		HP_RESTART("ip-address:/port: (listening addresses)");
	if (path_differs(d, n->database, d->dbpath))
		HP_RESTART("database:");
	if (str_differ(o->username, n->username))
		HP_RESTART("username:");
	if (str_differ(o->chroot, n->chroot))
		HP_RESTART("chroot:");
	if (path_differs(d, n->logfile, o->logfile))
		HP_RESTART("logfile:");
	if (path_differs(d, n->pidfile, o->pidfile))
		HP_RESTART("pidfile:");
	if (str_differ(o->http_listen, n->http_listen))
		HP_RESTART("http-listen:");
	if (str_differ(o->webhook_secret, n->webhook_secret))
		HP_RESTART("webhook-secret:");
	if (str_differ(o->api_token, n->api_token))
		HP_RESTART("api-token:");
	if (o->max_zone_size != n->max_zone_size)
		HP_RESTART("max-zone-size:");
	if (o->webhook_max_body != n->webhook_max_body)
		HP_RESTART("webhook-max-body:");
	if (o->http_max_conns != n->http_max_conns ||
	    o->http_max_per_addr != n->http_max_per_addr ||
	    o->http_request_timeout != n->http_request_timeout)
		HP_RESTART("http-max-connections*:/http-request-timeout:");
	if (o->tcp_count != n->tcp_count ||
	    o->tcp_count_per_addr != n->tcp_count_per_addr)
		HP_RESTART("tcp-count:/tcp-count-per-address:");
#undef HP_RESTART
}

/* Each problem of the new configuration, logged as it comes. */
static void
reload_problem(void *arg, const struct hp_problem *p)
{
	char line[1200];

	(void)arg;
	log_msg(p->warning ? LOG_WARNING : LOG_ERR, "reload: %s",
	    hp_problem_str(p, line, sizeof(line)));
}

void
daemon_reload(struct daemon *d)
{
	const struct conf *ncfg, *old = d->cfg;
	const char *path = privs_path(&d->pv, d->cfg_path);
	int added, kept;

	if (path == NULL) {
		log_err("reload: %s is outside chroot: %s: restart hpagent "
		    "instead", d->cfg_path, d->pv.chroot);
		return;
	}
	if (zones_conf_load(path, reload_problem, NULL, &ncfg) < 0) {
		log_err("reload: %s has errors: still running with the "
		    "configuration loaded before", path);
		return;
	}
	if (daemon_zones(d, ncfg, &added, &kept) < 0) {
		log_err("reload: out of memory: configuration unchanged");
		conf_unref(ncfg);
		return;
	}
	restart_needed(d, ncfg);
	xfr_server_reload(d->xs, ncfg);
	api_set_config(d->api, ncfg);
	update_set_config(d->upd, ncfg);
	d->cfg = ncfg;		/* the reference conf_load gave */
	log_set_verbosity(ncfg->verbosity + d->verbose);
	log_notice("reloaded %s: %d zone%s (%d added, %d removed)", path,
	    d->nzones, d->nzones == 1 ? "" : "s", added, old->n_zones - kept);
	conf_unref(old);	/* freed now, or when its last user ends */
	daemon_probe_sync(d);	/* notify: targets added, changed, gone */
	daemon_catalogs(d);	/* members added, gone */
	daemon_scan(d);		/* new zones: NOTIFY now */
}

void
daemon_refresh(struct daemon *d)
{
	int64_t seq;

	/* zones added or deleted in the database: the configuration with
	 * them (the reload scans) */
	if ((seq = store_zonedef_seq(d->st)) >= 0 && seq != d->zd_seq) {
		d->zd_seq = seq;
		daemon_reload(d);
		return;
	}
	daemon_scan(d);
}
