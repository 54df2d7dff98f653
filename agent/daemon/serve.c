/*
 * serve.c -- hpagent serve | notify | status.
 *
 * serve: one libevent base with the DNS sockets (agent/listen.c), the
 * NOTIFY engine (notify/notify.c) and a 0.1 s poll of the database: a
 * commit by another process changes PRAGMA data_version; then zones whose
 * serial moved are NOTIFYed, and zones with direct edits (zones.dirty)
 * are published here. Per zone x secondary state goes to the table
 * secondaries (schema/002_serve.sql) for `hpagent status`; writes that
 * find the database locked are kept and retried on the next tick, so an
 * import never stalls the event loop.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "agent/http/api.h"
#include "agent/cli/cli.h"
#include "agent/conf/conf.h"
#include "agent/daemon/listen.h"
#include "agent/daemon/privs.h"
#include "agent/daemon/xfr.h"
#include "dns/dname.h"
#include "dns/err.h"
#include "dns/log.h"
#include "dns/tsig.h"
#include "dns/wire.h"
#include "notify/notify.h"
#include "store/store.h"
#include "store/xfrcache.h"

#define SERVE_POLL_MS	100	/* PRAGMA data_version: a read of shared memory */
#define SERVE_MAX_LISTEN 32

/* One pending write to the secondaries table. */
enum sec_op { SEC_SENT, SEC_ACKED, SEC_HAS, SEC_XFR };
struct sec_update {
	enum sec_op op;
	int64_t zone_id;
	char addr[INET6_ADDRSTRLEN];
	uint32_t serial;
	int64_t when;
	int tries;
	struct sec_update *next;
};

struct serve_zone {
	const struct hp_zone *z;
	int64_t id;
	uint32_t serial;
	int known;		/* serial seen (NOTIFY sent for it) */
};

struct serve {
	struct hp_config *cfg;
	const char *dbpath;
	struct event_base *base;
	struct store *st;		/* polling, publishing */
	sqlite3 *sdb;			/* secondaries table, no busy wait */
	struct xfr_server *xs;
	struct listen_set *ls;
	struct notify *nt;
	struct tsig_key *keys;
	const struct hp_key **key_cfg;
	int nkeys;
	struct sockaddr_storage lsn[SERVE_MAX_LISTEN];
	socklen_t lsnlen[SERVE_MAX_LISTEN];
	int nlsn;
	struct serve_zone *zones;
	int nzones;
	int64_t data_version;
	dev_t db_dev;			/* the file opened, to notice it */
	ino_t db_ino;			/* deleted or replaced */
	int db_gone;
	struct sec_update *q, **qtail;
	struct event *poll_ev;
	struct api *api;		/* http-listen: (agent/api.c) */
	/* hpagent notify */
	int cli, cli_failed;
	/* hpagent serve: reloads (SIGHUP) */
	struct privs pv;
	const char *cfg_path;		/* -c, as given */
	int verbose;			/* -v count */
	struct retired *retired;	/* configs replaced by a reload */
};

/* A configuration and its keys replaced by a reload: NOTIFYs queued,
 * transfers and HTTP answers begun under it may still point into it, so
 * it is freed at exit (a reload costs the size of one configuration). */
struct retired {
	struct hp_config *cfg;
	struct tsig_key *keys;
	const struct hp_key **key_cfg;
	int nkeys;
	struct retired *next;
};

/* ---- small helpers ------------------------------------------------- */

static int
serve_keys(struct serve *s)
{
	const struct hp_key *k;
	int n = 0, r;

	for (k = s->cfg->keys; k != NULL; k = k->next)
		n++;
	s->keys = calloc((size_t)n + 1, sizeof(*s->keys));
	s->key_cfg = calloc((size_t)n + 1, sizeof(*s->key_cfg));
	if (s->keys == NULL || s->key_cfg == NULL)
		return HP_ENOMEM;
	for (k = s->cfg->keys; k != NULL; k = k->next) {
		r = tsig_key_init_raw(&s->keys[s->nkeys], k->name,
		    k->algorithm, k->secret, k->secret_len);
		if (r == 0)
			s->key_cfg[s->nkeys++] = k;
	}
	return 0;
}

static const struct tsig_key *
serve_key(const struct serve *s, const struct hp_key *k)
{
	int i;

	for (i = 0; i < s->nkeys; i++)
		if (s->key_cfg[i] == k)
			return &s->keys[i];
	return NULL;
}

static int
serve_listen_addrs(struct serve *s)
{
	static const char *const any[] = { "0.0.0.0", "::" };
	int i, n = s->cfg->n_ip_address, r;
	const char *spec;

	for (i = 0; i < (n ? n : 2) && s->nlsn < SERVE_MAX_LISTEN; i++) {
		spec = n ? s->cfg->ip_address[i] : any[i];
		r = listen_parse_addr(spec, s->cfg->port, &s->lsn[s->nlsn],
		    &s->lsnlen[s->nlsn]);
		if (r < 0) {
			fprintf(stderr, "hpagent: ip-address %s: not an "
			    "address\n", spec);
			return r;
		}
		s->nlsn++;
	}
	return 0;
}

/* The source for NOTIFYs to FAMILY: outgoing-interface:, else the first
 * listening address of that family that is not a wildcard. */
static void
serve_source(const struct serve *s, const struct hp_zone *z, int family,
    struct sockaddr_storage *src, socklen_t *len)
{
	const struct hp_acl *a;
	struct sockaddr_in *s4 = (struct sockaddr_in *)src;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)src;
	int i;

	*len = 0;
	memset(src, 0, sizeof(*src));
	for (a = z->outgoing_interface; a != NULL; a = a->next) {
		if (a->family != family)
			continue;
		if (family == AF_INET) {
			s4->sin_family = AF_INET;
			memcpy(&s4->sin_addr, a->addr, 4);
			*len = sizeof(*s4);
		} else {
			s6->sin6_family = AF_INET6;
			memcpy(&s6->sin6_addr, a->addr, 16);
			*len = sizeof(*s6);
		}
		return;
	}
	for (i = 0; i < s->nlsn; i++) {
		if (s->lsn[i].ss_family != family)
			continue;
		memcpy(src, &s->lsn[i], s->lsnlen[i]);
		if (family == AF_INET) {
			if (s4->sin_addr.s_addr == htonl(INADDR_ANY))
				continue;
			s4->sin_port = 0;
		} else {
			if (IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr))
				continue;
			s6->sin6_port = 0;
		}
		*len = s->lsnlen[i];
		return;
	}
	memset(src, 0, sizeof(*src));
}

/* The notify: targets of Z. *OUT is malloc'ed; returns the count. */
static int
serve_targets(const struct serve *s, const struct hp_zone *z,
    struct notify_target **out)
{
	const struct hp_acl *a;
	struct notify_target *t;
	struct sockaddr_in *s4;
	struct sockaddr_in6 *s6;
	char ab[INET6_ADDRSTRLEN];
	int n = 0;

	for (a = z->notify; a != NULL; a = a->next)
		n++;
	if ((*out = t = calloc((size_t)n + 1, sizeof(*t))) == NULL)
		return HP_ENOMEM;
	n = 0;
	for (a = z->notify; a != NULL; a = a->next) {
		if (a->action == ACL_BLOCKED || a->kind != ACL_SINGLE)
			continue;
		if (a->action == ACL_KEY &&
		    (t[n].key = serve_key(s, a->key)) == NULL)
			continue;
		if (a->family == AF_INET) {
			s4 = (struct sockaddr_in *)&t[n].addr;
			s4->sin_family = AF_INET;
			memcpy(&s4->sin_addr, a->addr, 4);
			s4->sin_port = htons(a->port ? a->port : 53);
			t[n].addrlen = sizeof(*s4);
		} else {
			s6 = (struct sockaddr_in6 *)&t[n].addr;
			s6->sin6_family = AF_INET6;
			memcpy(&s6->sin6_addr, a->addr, 16);
			s6->sin6_port = htons(a->port ? a->port : 53);
			t[n].addrlen = sizeof(*s6);
		}
		serve_source(s, z, a->family, &t[n].src, &t[n].srclen);
		snprintf(t[n].label, sizeof(t[n].label), "%s@%u",
		    listen_ntop((struct sockaddr *)&t[n].addr, ab, sizeof(ab)),
		    a->port ? a->port : 53);
		n++;
	}
	return n;
}

/* Queue NOTIFYs of zone Z (id ID) at its current SOA. */
static int
serve_notify_zone(struct serve *s, const struct hp_zone *z, int64_t id)
{
	struct notify_target *t;
	struct store_soa soa;
	uint8_t zw[DNAME_MAXLEN];
	int n, r;

	if (z->notify == NULL)
		return 0;
	if ((r = store_zone_soa(s->st, id, &soa)) < 0)
		return r;
	if (dname_from_str(z->name, zw, NULL) < 0)
		return HP_EINVAL;
	if ((n = serve_targets(s, z, &t)) < 0)
		return n;
	r = notify_zone(s->nt, zw, id, soa.ttl, soa.rdata, soa.rdlen, t, n,
	    z->notify_retry);
	free(t);
	return r;
}

/* ---- the secondaries table ----------------------------------------- */

static void
sec_queue(struct serve *s, enum sec_op op, int64_t zone_id,
    const struct sockaddr *sa, uint32_t serial)
{
	struct sec_update *u;

	if (s->sdb == NULL || (u = calloc(1, sizeof(*u))) == NULL)
		return;
	u->op = op;
	u->zone_id = zone_id;
	listen_ntop(sa, u->addr, sizeof(u->addr));
	u->serial = serial;
	u->when = (int64_t)time(NULL);
	*s->qtail = u;
	s->qtail = &u->next;
}

static const char *const sec_sql[] = {
	[SEC_SENT] = "INSERT INTO secondaries (zone_id, address, "
	    "notify_serial, notify_sent, notify_acked, notify_tries) "
	    "VALUES (?1, ?2, ?3, ?4, NULL, 1) ON CONFLICT DO UPDATE SET "
	    "notify_serial = ?3, notify_sent = ?4, notify_acked = NULL, "
	    "notify_tries = 1",
	[SEC_ACKED] = "INSERT INTO secondaries (zone_id, address, "
	    "notify_serial, notify_acked) VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT DO UPDATE SET notify_serial = ?3, notify_acked = ?4",
	[SEC_HAS] = "INSERT INTO secondaries (zone_id, address, serial, since) "
	    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET serial = ?3, "
	    "since = CASE WHEN serial IS ?3 THEN since ELSE ?4 END",
	[SEC_XFR] = "INSERT INTO secondaries (zone_id, address, serial, since, "
	    "last_xfr) VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT DO UPDATE SET "
	    "serial = ?3, last_xfr = ?4, "
	    "since = CASE WHEN serial IS ?3 THEN since ELSE ?4 END",
};

/* Write the queued updates in one transaction; on a busy database keep
 * them for the next tick (at most a minute's worth of tries). */
static void
sec_flush(struct serve *s)
{
	struct sec_update *u;
	sqlite3_stmt *st;
	int ok = 1;

	if (s->q == NULL)
		return;
	if (sqlite3_exec(s->sdb, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		log_debug("secondary state: %s", sqlite3_errmsg(s->sdb));
		if (++s->q->tries > 120) {
			log_warn("secondary state: database busy, dropped");
			while ((u = s->q) != NULL) {
				s->q = u->next;
				free(u);
			}
			s->qtail = &s->q;
		}
		return;
	}
	for (u = s->q; u != NULL && ok; u = u->next) {
		if (sqlite3_prepare_v2(s->sdb, sec_sql[u->op], -1, &st,
		    NULL) != SQLITE_OK) {
			ok = 0;
			break;
		}
		sqlite3_bind_int64(st, 1, u->zone_id);
		sqlite3_bind_text(st, 2, u->addr, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, u->serial);
		sqlite3_bind_int64(st, 4, u->when);
		ok = sqlite3_step(st) == SQLITE_DONE;
		sqlite3_finalize(st);
	}
	if (!ok || sqlite3_exec(s->sdb, "COMMIT", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		log_err("secondary state: %s", sqlite3_errmsg(s->sdb));
		sqlite3_exec(s->sdb, "ROLLBACK", NULL, NULL, NULL);
	}
	while ((u = s->q) != NULL) {
		s->q = u->next;
		free(u);
	}
	s->qtail = &s->q;
}

/* ---- callbacks ----------------------------------------------------- */

static void
serve_xfr_done(void *arg, const char *zone, int64_t zone_id,
    const struct sockaddr *peer, uint32_t serial, const char *kind)
{
	sec_queue(arg, SEC_XFR, zone_id, peer, serial);
	/* Written before the API hears of it, so that a publish confirmed
	 * by ?wait= is what GET .../status and `hpagent wait` read too. */
	sec_flush(arg);
	api_secondary_has(((struct serve *)arg)->api, zone, peer, serial, kind);
}

static void
serve_xfr_hint(void *arg, const char *zone, int64_t zone_id,
    const struct sockaddr *peer, uint32_t serial)
{
	sec_queue(arg, SEC_HAS, zone_id, peer, serial);
	api_secondary_has(((struct serve *)arg)->api, zone, peer, serial, NULL);
}

static void
serve_notify_cb(void *arg, const char *zone, int64_t tag,
    const struct notify_target *t, uint32_t serial, enum notify_event ev,
    int err, int tries)
{
	struct serve *s = arg;
	const struct sockaddr *sa = (const struct sockaddr *)&t->addr;

	switch (ev) {
	case NOTIFY_SENT:
		log_info("NOTIFY %s serial %u to %s sent", zone, serial,
		    t->label);
		sec_queue(s, SEC_SENT, tag, sa, serial);
		hp_metrics.notify_sent++;
		break;
	case NOTIFY_ACKED:
		hp_metrics.notify_acked++;
		sec_queue(s, SEC_ACKED, tag, sa, serial);
		if (s->cli)
			printf("%s %s serial %u: acknowledged (%d %s)\n",
			    zone, t->label, serial, tries, tries == 1 ?
			    "try" : "tries");
		break;
	case NOTIFY_FAILED:
		hp_metrics.notify_failed++;
		s->cli_failed++;
		if (s->cli)
			printf("%s %s serial %u: failed: %s (%d %s)\n", zone,
			    t->label, serial, err > 0 ? "error answer" :
			    err == HP_EAGAIN ? "no answer" : hp_strerror(err),
			    tries, tries == 1 ? "try" : "tries");
		break;
	}
	if (s->cli && notify_pending(s->nt) == 0)
		event_base_loopbreak(s->base);
}

/* ---- polling the database ------------------------------------------ */

static void
serve_publish(struct serve *s, const struct hp_zone *z)
{
	struct store_import_opts o = { .zone = z->name, .source = "sql",
	    .serial_policy = (int)z->serial_policy,
	    .max_journal_versions = z->max_journal_versions };
	struct store_import_result res;
	int r;

	memset(&res, 0, sizeof(res));
	r = store_publish(s->st, &o, &res);
	if (r == 0)
		log_notice("zone %s: direct edits published as serial %u",
		    z->name, res.new_serial);
	else if (r != HP_EUNCHANGED && r != HP_EBUSY)
		log_err("zone %s: cannot publish direct edits: %s", z->name,
		    hp_strerror(r));
}

static void
serve_scan(struct serve *s)
{
	struct store_zone_info zi;
	struct serve_zone *sz;
	int i, r;

	for (i = 0; i < s->nzones; i++) {
		sz = &s->zones[i];
		if (store_zone_info(s->st, sz->z->name, &zi) < 0)
			continue;
		if (zi.dirty) {
			serve_publish(s, sz->z);
			if (store_zone_info(s->st, sz->z->name, &zi) < 0)
				continue;
		}
		if (sz->known && sz->serial == zi.serial && sz->id == zi.id)
			continue;
		if (sz->known)
			log_notice("zone %s: serial %u -> %u", sz->z->name,
			    sz->serial, zi.serial);
		else
			log_notice("zone %s: serving serial %u", sz->z->name,
			    zi.serial);
		sz->known = 1;
		sz->id = zi.id;
		sz->serial = zi.serial;
		if ((r = serve_notify_zone(s, sz->z, zi.id)) < 0)
			log_err("zone %s: NOTIFY: %s", sz->z->name,
			    hp_strerror(r));
	}
}

/* The database file deleted or replaced under the daemon: imports now go
 * to another file, which this process never sees. Say so (once). */
static void
serve_db_check(struct serve *s)
{
	struct stat sb;
	int gone;

	gone = stat(s->dbpath, &sb) != 0 || sb.st_dev != s->db_dev ||
	    sb.st_ino != s->db_ino;
	if (gone && !s->db_gone)
		log_err("database %s deleted or replaced under the daemon: "
		    "serving what it has; restart hpagent serve", s->dbpath);
	else if (!gone && s->db_gone)
		log_notice("database %s is back", s->dbpath);
	s->db_gone = gone;
}

static void
serve_poll(evutil_socket_t fd, short what, void *arg)
{
	struct serve *s = arg;
	int64_t v;

	(void)fd;
	(void)what;
	serve_db_check(s);
	v = store_data_version(store_db(s->st));
	if (v != s->data_version) {
		s->data_version = v;
		serve_scan(s);
	}
	sec_flush(s);
}

/* The HTTP API published a version: NOTIFY now, not at the next poll. */
static void
serve_api_published(void *arg, const char *zone)
{
	(void)zone;
	serve_scan(arg);
}

static void
serve_signal(evutil_socket_t sig, short what, void *arg)
{
	struct serve *s = arg;

	(void)what;
	log_notice("signal %d: exiting", (int)sig);
	event_base_loopexit(s->base, NULL);
}

/* ---- SIGHUP: reloading the configuration ---------------------------- */

static int
serve_str_differ(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

/* PATH of the new configuration vs the running OLD (as used now, i.e.
 * inside the chroot): the same file? */
static int
serve_path_differs(const struct serve *s, const char *path, const char *old)
{
	const char *in = privs_path(&s->pv, path);

	if (!serve_str_differ(path, old))
		return 0;
	return in == NULL || serve_str_differ(in, old);
}

/* What a reload cannot change: say so, once per setting. */
static void
serve_reload_restart_needed(const struct serve *s, const struct hp_config *n)
{
	const struct hp_config *o = s->cfg;
	int i, addrs = o->n_ip_address != n->n_ip_address ||
	    o->port != n->port;

	for (i = 0; !addrs && i < n->n_ip_address; i++)
		addrs = strcmp(o->ip_address[i], n->ip_address[i]) != 0;
#define HP_RESTART(what) log_warn("reload: %s changed: restart hpagent " \
	    "to apply it (the running value is kept)", what)
	if (addrs)
		HP_RESTART("ip-address:/port: (listening addresses)");
	if (serve_path_differs(s, n->database, s->dbpath))
		HP_RESTART("database:");
	if (serve_str_differ(o->username, n->username))
		HP_RESTART("username:");
	if (serve_str_differ(o->chroot, n->chroot))
		HP_RESTART("chroot:");
	if (serve_path_differs(s, n->logfile, o->logfile))
		HP_RESTART("logfile:");
	if (serve_path_differs(s, n->pidfile, o->pidfile))
		HP_RESTART("pidfile:");
	if (serve_str_differ(o->http_listen, n->http_listen))
		HP_RESTART("http-listen:");
	if (serve_str_differ(o->webhook_secret, n->webhook_secret))
		HP_RESTART("webhook-secret:");
	if (serve_str_differ(o->api_token, n->api_token))
		HP_RESTART("api-token:");
	if (o->max_zone_size != n->max_zone_size)
		HP_RESTART("max-zone-size:");
#undef HP_RESTART
}

/* Load the configuration again. Broken: log every error, keep running
 * with the old one. Good: zones, keys, provide-xfr:, notify: targets and
 * verbosity: apply to what begins from now on; what is under way (a
 * transfer, a NOTIFY being retried, a waiting HTTP request) finishes with
 * the settings it began with. */
static void
serve_reload(struct serve *s)
{
	struct hp_config *ncfg;
	struct serve_zone *nz;
	struct retired *rt;
	const struct hp_zone *z;
	const char *path = privs_path(&s->pv, s->cfg_path);
	char *errs = NULL, *line, *nl;
	size_t errlen = 0;
	FILE *ef;
	int i, j, n = 0, r, added = 0, kept = 0;

	if (path == NULL) {
		log_err("reload: %s is outside chroot: %s: restart hpagent "
		    "instead", s->cfg_path, s->pv.chroot);
		return;
	}
	if ((ef = open_memstream(&errs, &errlen)) == NULL) {
		log_err("reload: %s", strerror(errno));
		return;
	}
	r = config_load(path, ef, &ncfg);
	fclose(ef);
	for (line = errs; line != NULL && *line != '\0'; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		if (*line != '\0')
			log_msg(r < 0 ? LOG_ERR : LOG_WARNING, "reload: %s",
			    line);
	}
	free(errs);
	if (r < 0) {
		log_err("reload: %s has errors: still running with the "
		    "configuration loaded before", path);
		return;
	}
	for (z = ncfg->zones; z != NULL; z = z->next)
		n++;
	nz = calloc((size_t)n + 1, sizeof(*nz));
	rt = calloc(1, sizeof(*rt));
	if (nz == NULL || rt == NULL ||
	    (r = xfr_server_reload(s->xs, ncfg)) < 0) {
		log_err("reload: out of memory: configuration unchanged");
		free(nz);
		free(rt);
		config_free(ncfg);
		return;
	}
	serve_reload_restart_needed(s, ncfg);
	/* The old configuration and keys, for what is under way. */
	rt->cfg = s->cfg;
	rt->keys = s->keys;
	rt->key_cfg = s->key_cfg;
	rt->nkeys = s->nkeys;
	rt->next = s->retired;
	s->retired = rt;
	s->cfg = ncfg;
	s->keys = NULL;
	s->key_cfg = NULL;
	s->nkeys = 0;
	if (serve_keys(s) < 0)
		log_err("reload: out of memory: TSIG keys missing");
	/* Zones: what is known of those still configured is kept. */
	n = 0;
	for (z = ncfg->zones; z != NULL; z = z->next) {
		nz[n].z = z;
		for (j = 0; j < s->nzones; j++)
			if (strcmp(s->zones[j].z->name, z->name) == 0) {
				nz[n].id = s->zones[j].id;
				nz[n].serial = s->zones[j].serial;
				nz[n].known = s->zones[j].known;
				kept++;
				break;
			}
		if (j == s->nzones) {
			added++;
			log_notice("reload: zone %s added", z->name);
		}
		n++;
	}
	for (j = 0; j < s->nzones; j++) {
		for (i = 0; i < n; i++)
			if (strcmp(s->zones[j].z->name, nz[i].z->name) == 0)
				break;
		if (i == n)
			log_notice("reload: zone %s removed",
			    s->zones[j].z->name);
	}
	free(s->zones);
	s->zones = nz;
	s->nzones = n;
	api_set_config(s->api, ncfg);
	log_set_verbosity(ncfg->verbosity + s->verbose);
	log_notice("reloaded %s: %d zone%s (%d added, %d removed)", path, n,
	    n == 1 ? "" : "s", added, rt->cfg->n_zones - kept);
	serve_scan(s);		/* new zones: NOTIFY now */
}

static void
serve_hup(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	log_notice("SIGHUP: reloading the configuration");
	serve_reload(arg);
}

static void
serve_warn_log(void *arg, const char *msg)
{
	(void)arg;
	log_warn("%s", msg);
}

/* ---- setting up ---------------------------------------------------- */

static int
serve_load(struct serve *s, const struct cmd_ctx *ctx)
{
	int r;

	if (cmd_load_config(ctx, &s->cfg) < 0)
		return HP_ECONF;
	s->dbpath = s->cfg->database;
	s->qtail = &s->q;
	if ((r = serve_keys(s)) < 0 || (r = serve_listen_addrs(s)) < 0)
		return r;
	return 0;
}

static int
serve_open_db(struct serve *s, int readonly)
{
	const struct hp_zone *z;
	struct stat sb;
	char err[256];
	int r, n = 0;

	r = store_open(s->dbpath, readonly ? STORE_READONLY : STORE_CREATE,
	    &s->st, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "hpagent: %s: %s\n", s->dbpath, err);
		return r;
	}
	if (stat(s->dbpath, &sb) == 0) {
		s->db_dev = sb.st_dev;
		s->db_ino = sb.st_ino;
	}
	if (!readonly) {
		/* Publishing direct edits from the event loop must not wait
		 * long for another writer: busy now means "next tick". */
		if (!s->cli)
			sqlite3_busy_timeout(store_db(s->st), 50);
		if (sqlite3_open_v2(s->dbpath, &s->sdb, SQLITE_OPEN_READWRITE,
		    NULL) != SQLITE_OK) {
			fprintf(stderr, "hpagent: %s: %s\n", s->dbpath,
			    sqlite3_errmsg(s->sdb));
			return HP_ESTORE;
		}
		sqlite3_busy_timeout(s->sdb, 0);
	}
	for (z = s->cfg->zones; z != NULL; z = z->next)
		n++;
	if ((s->zones = calloc((size_t)n + 1, sizeof(*s->zones))) == NULL)
		return HP_ENOMEM;
	for (z = s->cfg->zones; z != NULL; z = z->next)
		s->zones[s->nzones++].z = z;
	if ((s->base = event_base_new()) == NULL)
		return HP_ENOMEM;
	s->nt = notify_new(s->base, NULL, serve_notify_cb, s);
	return s->nt == NULL ? HP_ENOMEM : 0;
}

static int
serve_open(struct serve *s, const struct cmd_ctx *ctx, int readonly)
{
	int r;

	if ((r = serve_load(s, ctx)) < 0)
		return r;
	return serve_open_db(s, readonly);
}

static void
serve_close(struct serve *s)
{
	struct retired *rt;
	int i;

	api_free(s->api);
	if (s->sdb != NULL)
		sec_flush(s);
	listen_close(s->ls);
	notify_free(s->nt);
	xfr_server_free(s->xs);
	if (s->poll_ev != NULL)
		event_free(s->poll_ev);
	if (s->base != NULL)
		event_base_free(s->base);
	store_close(s->st);
	sqlite3_close(s->sdb);
	for (i = 0; i < s->nkeys; i++)
		tsig_key_clear(&s->keys[i]);
	free(s->keys);
	free(s->key_cfg);
	free(s->zones);
	config_free(s->cfg);
	while ((rt = s->retired) != NULL) {
		s->retired = rt->next;
		for (i = 0; i < rt->nkeys; i++)
			tsig_key_clear(&rt->keys[i]);
		free(rt->keys);
		free(rt->key_cfg);
		config_free(rt->cfg);
		free(rt);
	}
}

/* AXFR messages of every zone's current version, built by a thread of
 * their own (agent/cachebuild.c); transfers stream the records meanwhile. */
static void
serve_fill_cache(struct serve *s)
{
	int r;

	if ((r = xfr_server_cache_start(s->xs)) < 0)
		log_warn("AXFR cache builder: %s", hp_strerror(r));
}

static int
serve_pidfile(const char *path)
{
	char buf[32];
	int fd, n;

	if (path == NULL || path[0] == '\0')
		return 0;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) < 0) {
		log_err("pidfile %s: %s", path, strerror(errno));
		return -errno;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		close(fd);
		return HP_EIO;
	}
	close(fd);
	return 0;
}

static const char serve_usage[] =
    "usage: hpagent [-c FILE] serve [-d] [--allow-root]\n"
    "  Serve the zones: SOA, AXFR and IXFR on every ip-address:, NOTIFY\n"
    "  to the notify: targets on every new version.\n"
    "  -d            detach (daemonize) and write the pidfile\n"
    "  --allow-root  started as root without username:, stay root\n"
    "  Started as root, it binds its ports, then drops to username:\n"
    "  (after chroot: when set). SIGHUP reloads the configuration;\n"
    "  SIGTERM and SIGINT stop it.\n";

/* Unlink the pidfile; after dropping privileges the directory may not be
 * writable: then empty it (it was chowned to us) so no stale PID stays. */
static void
serve_pidfile_remove(const char *path)
{
	int fd;

	if (path == NULL || path[0] == '\0' || unlink(path) == 0 ||
	    errno == ENOENT)
		return;
	if ((fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)) >= 0) {
		close(fd);
		log_warn("pidfile %s: cannot remove it (its directory is not "
		    "writable by this user): emptied", path);
	} else
		log_warn("pidfile %s: cannot remove it: %s", path,
		    strerror(errno));
}

int
cmd_serve(const struct cmd_ctx *ctx, int argc, char **argv)
{
	struct serve s;
	struct event *sigs[3] = { NULL, NULL, NULL };
	struct timeval tv = { 0, SERVE_POLL_MS * 1000 };
	const char *pidfile = NULL;
	int daemonize = 0, allow_root = 0, i, r, rc = EXIT_FAIL;

	if (cmd_wants_help(argc, argv, serve_usage))
		return EXIT_OK;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-d") == 0)
			daemonize = 1;
		else if (strcmp(argv[i], "--allow-root") == 0)
			allow_root = 1;
		else {
			fputs(serve_usage, stderr);
			return EXIT_USAGE;
		}
	}
	memset(&s, 0, sizeof(s));
	s.cfg_path = ctx->config_path;
	s.verbose = ctx->verbose;
	signal(SIGPIPE, SIG_IGN);
	if (serve_load(&s, ctx) < 0)
		goto out;
	if (privs_prepare(s.cfg, allow_root, &s.pv) < 0 ||
	    privs_check_paths(&s.pv, s.cfg) < 0)
		goto out;
	if ((r = log_open("hpagent", s.cfg->verbosity + ctx->verbose,
	    s.cfg->logfile)) < 0)
		fprintf(stderr, "hpagent: logfile %s: %s: logging to "
		    "stderr\n", s.cfg->logfile, strerror(-r));
	privs_perm_warnings(s.cfg, serve_warn_log, NULL);
	/* The database, its -wal and -shm: not for others to read. */
	umask(027);
	if (privs_chroot(&s.pv) < 0)
		goto out;
	s.dbpath = privs_path(&s.pv, s.cfg->database);
	pidfile = privs_path(&s.pv, s.cfg->pidfile);
	/* The database is opened (and created) as the user it will be
	 * written by; only the sockets need root. */
	if ((r = privs_enter(&s.pv)) == 0) {
		if ((r = privs_check_db(&s.pv, s.dbpath)) == 0 &&
		    (r = serve_open_db(&s, 0)) == 0)
			r = xfr_server_new(s.cfg, s.dbpath, &s.xs);
		privs_leave(&s.pv);
	}
	if (r < 0)
		goto out;
	xfr_server_set_callbacks(s.xs, serve_xfr_done, serve_xfr_hint, &s);
	if (listen_open(s.base, s.xs, s.lsn, s.lsnlen, s.nlsn, &s.ls) < 0)
		goto out;
	if (daemonize && daemon(1, 0) != 0) {
		log_err("daemon: %s", strerror(errno));
		goto out;
	}
	/* libevent's epoll does not survive fork: reinit after daemon(). */
	if (daemonize && event_reinit(s.base) != 0)
		goto out;
	if (s.cfg->http_listen != NULL && api_start(s.base, s.cfg, s.st,
	    serve_api_published, &s, &s.api) < 0)
		goto out;
	if (serve_pidfile(pidfile) == 0 && pidfile != NULL &&
	    pidfile[0] != '\0' && s.pv.drop &&
	    chown(pidfile, s.pv.uid, s.pv.gid) != 0)
		log_warn("pidfile %s: chown: %s", pidfile, strerror(errno));
	if (privs_drop(&s.pv) < 0)
		goto out_pid;
	serve_fill_cache(&s);
	sigs[0] = evsignal_new(s.base, SIGTERM, serve_signal, &s);
	sigs[1] = evsignal_new(s.base, SIGINT, serve_signal, &s);
	sigs[2] = evsignal_new(s.base, SIGHUP, serve_hup, &s);
	s.poll_ev = event_new(s.base, -1, EV_PERSIST, serve_poll, &s);
	if (sigs[0] == NULL || sigs[1] == NULL || sigs[2] == NULL ||
	    s.poll_ev == NULL)
		goto out_pid;
	for (i = 0; i < 3; i++)
		evsignal_add(sigs[i], NULL);
	event_add(s.poll_ev, &tv);
	s.data_version = store_data_version(store_db(s.st));
	serve_scan(&s);		/* NOTIFY once at start-up */
	log_notice("hpagent serving %d zone%s", s.nzones, s.nzones == 1 ?
	    "" : "s");
	event_base_dispatch(s.base);
	rc = EXIT_OK;
out_pid:
	serve_pidfile_remove(pidfile);
out:
	for (i = 0; i < 3; i++)
		if (sigs[i] != NULL)
			event_free(sigs[i]);
	serve_close(&s);
	if (rc == EXIT_OK)
		log_notice("hpagent stopped");
	log_close();
	return rc;
}

/* ---- hpagent notify ------------------------------------------------ */

static const char notify_usage[] =
    "usage: hpagent [-c FILE] notify ZONE...\n"
    "  Send NOTIFYs of each ZONE's current serial to its notify: targets\n"
    "  now, waiting until each is acknowledged or its retries run out.\n"
    "  Exit status 0 when every target acknowledged.\n";

int
cmd_notify(const struct cmd_ctx *ctx, int argc, char **argv)
{
	struct serve s;
	struct store_zone_info zi;
	const struct hp_zone *z;
	int i, r, rc = EXIT_FAIL;

	if (cmd_wants_help(argc, argv, notify_usage))
		return EXIT_OK;
	if (argc < 2) {
		fputs(notify_usage, stderr);
		return EXIT_USAGE;
	}
	memset(&s, 0, sizeof(s));
	s.cli = 1;
	if (serve_open(&s, ctx, 0) < 0)
		goto out;
	log_open("hpagent", s.cfg->verbosity - 1 + ctx->verbose,
	    NULL);
	for (i = 1; i < argc; i++) {
		if ((z = config_zone(s.cfg, argv[i])) == NULL) {
			fprintf(stderr, "hpagent: notify: %s: no such zone in "
			    "%s\n", argv[i], s.cfg->path);
			goto out;
		}
		if ((r = store_zone_info(s.st, z->name, &zi)) < 0) {
			fprintf(stderr, "hpagent: notify: %s: %s\n", z->name,
			    r == HP_ENOENT ? "not imported yet" :
			    hp_strerror(r));
			goto out;
		}
		if (z->notify == NULL)
			printf("%s: no notify: targets\n", z->name);
		if ((r = serve_notify_zone(&s, z, zi.id)) < 0) {
			fprintf(stderr, "hpagent: notify: %s: %s\n", z->name,
			    hp_strerror(r));
			goto out;
		}
	}
	if (notify_pending(s.nt) > 0)
		event_base_dispatch(s.base);
	/* The database may be busy: try the state writes for a while. */
	for (i = 0; i < 50 && s.q != NULL; i++) {
		sec_flush(&s);
		if (s.q != NULL)
			usleep(100000);
	}
	rc = s.cli_failed ? EXIT_FAIL : EXIT_OK;
out:
	serve_close(&s);
	log_close();
	return rc;
}

/* ---- hpagent status ------------------------------------------------ */

static const char status_usage[] =
    "usage: hpagent [-c FILE] status [ZONE] [--json]\n"
    "  For each zone and secondary: the serial it has, in sync or\n"
    "  lagging, since when, and the last NOTIFY (acknowledged or not).\n"
    "  --json: the same as one JSON document (agent/cmd_pub.c).\n";

static const char *
status_time(sqlite3_stmt *st, int col, char *buf, size_t len)
{
	time_t t;
	struct tm tm;

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return "-";
	t = (time_t)sqlite3_column_int64(st, col);
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		return "?";
	return buf;
}

int
cmd_status(const struct cmd_ctx *ctx, int argc, char **argv)
{
	struct serve s;
	sqlite3_stmt *st = NULL;
	const char *zone = NULL, *state;
	char has[16], since[32], sent[32], zbuf[DNAME_MAXSTR];
	int rc = EXIT_FAIL, rows = 0;
	size_t l;

	if (cmd_wants_help(argc, argv, status_usage))
		return EXIT_OK;
	if (argc > 2) {
		fputs(status_usage, stderr);
		return EXIT_USAGE;
	}
	memset(&s, 0, sizeof(s));
	if (serve_open(&s, ctx, 1) < 0)
		goto out;
	if (argc == 2) {
		l = strlen(argv[1]);
		snprintf(zbuf, sizeof(zbuf), "%s%s", argv[1],
		    l > 0 && argv[1][l - 1] == '.' ? "" : ".");
		for (l = 0; zbuf[l] != '\0'; l++)
			if (zbuf[l] >= 'A' && zbuf[l] <= 'Z')
				zbuf[l] = (char)(zbuf[l] - 'A' + 'a');
		zone = zbuf;
	}
	if (sqlite3_prepare_v2(store_db(s.st), "SELECT z.name, z.serial, "
	    "s.address, s.serial, s.since, s.notify_sent, s.notify_acked, "
	    "s.notify_serial FROM secondaries s JOIN zones z ON "
	    "z.id = s.zone_id WHERE ?1 IS NULL OR z.name = ?1 "
	    "ORDER BY z.name, s.address", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "hpagent: status: %s\n",
		    sqlite3_errmsg(store_db(s.st)));
		goto out;
	}
	if (zone != NULL)
		sqlite3_bind_text(st, 1, zone, -1, SQLITE_STATIC);
	printf("%-24s %-16s %-10s %-8s %-19s  %s\n", "ZONE", "SECONDARY",
	    "SERIAL", "STATE", "SINCE", "LAST NOTIFY");
	while (sqlite3_step(st) == SQLITE_ROW) {
		rows++;
		if (sqlite3_column_type(st, 3) == SQLITE_NULL) {
			snprintf(has, sizeof(has), "-");
			state = "unknown";
		} else {
			snprintf(has, sizeof(has), "%lld",
			    (long long)sqlite3_column_int64(st, 3));
			state = sqlite3_column_int64(st, 3) ==
			    sqlite3_column_int64(st, 1) ? "in-sync" :
			    "lagging";
		}
		printf("%-24s %-16s %-10s %-8s %-19s  %s%s\n",
		    (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 2), has, state,
		    status_time(st, 4, since, sizeof(since)),
		    status_time(st, 5, sent, sizeof(sent)),
		    sqlite3_column_type(st, 5) == SQLITE_NULL ? "" :
		    sqlite3_column_type(st, 6) != SQLITE_NULL ? " acked" :
		    " not acked");
	}
	if (rows == 0)
		printf("(no secondary has been seen%s%s)\n", zone ? " for " :
		    "", zone ? zone : "");
	rc = EXIT_OK;
out:
	sqlite3_finalize(st);
	serve_close(&s);
	return rc;
}
