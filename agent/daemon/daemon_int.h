/*
 * daemon_int.h -- internal to agent/daemon/: the daemon's state, shared
 * by the loop (serve.c), its zones (zones.c), the reload (reload.c), the
 * NOTIFY glue (notify.c) and the ledger writes (ledger.c).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_DAEMON_INT_H
#define HP_DAEMON_INT_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "agent/daemon/privs.h"
#include "store/store.h"

struct conf;
struct conf_zone;
struct event;
struct event_base;
struct api;
struct listen_set;
struct notify;
struct notify_target;
struct probe;
struct update;
struct xfr_server;

/* ---- the ledger (ledger.c) -------------------------------------------- */

struct ledger;

/* A ledger writing through its own handle on DBPATH (no busy wait).
 * 0 and *OUT set, or a negative HP_E* (message on stderr). */
int ledger_open(const char *dbpath, struct ledger **out);
/* The ledger's connection (xfr_server_share_store: the loop reads on it
 * too). */
struct store *ledger_store(struct ledger *l);
/* Whether the ledger's commits run checkpoints (store_autocheckpoint):
 * not while the builder thread makes them. */
void ledger_autocheckpoint(struct ledger *l, int on);
/* Queue the record R (copied; R->when 0: now). L may be NULL. */
void ledger_add(struct ledger *l, const struct store_sec_record *r);
/* Write what is queued in one transaction; on a busy database keep it
 * for the next call (a minute's worth of calls at most). 1 while records
 * are left, else 0. */
int ledger_flush(struct ledger *l);
/* What is queued written LEDGER_SOON_MS from now, not at the next tick
 * (a verdict `hpagent wait` waits for); after ledger_soon_init() on the
 * loop's BASE, else a no-op. */
struct event_base;
int ledger_soon_init(struct ledger *l, struct event_base *base);
void ledger_soon(struct ledger *l);
/* Flush what is queued, then close (NULL allowed). */
void ledger_close(struct ledger *l);

/* ---- the daemon ------------------------------------------------------- */

struct daemon_zone {
	const struct conf_zone *z;	/* of the current configuration */
	int64_t id;
	uint32_t serial;
	int known;		/* serial seen (NOTIFY sent for it) */
	double waiting;		/* log_clock() since a new version waits
				   for its AXFR messages; 0: none */
	int64_t waiting_for;	/* the version the builder was kicked for */
	int64_t held_logged;	/* held edits logged (their pending mark) */
	int retiring;		/* deleted: waiting for its secondaries */
	int64_t dnssec_next;	/* dnssec.c: not before (after a failure) */
	int dnssec_busy;	/* dnssec.c: a signing in the signer thread */
};

struct daemon {
	const struct conf *cfg;		/* current: a reference */
	char *dbpath;			/* as opened (inside the chroot) */
	char *pidfile;			/* as written (inside the chroot) */
	struct event_base *base;
	struct store *st;		/* polling, publishing */
	struct ledger *ledger;
	struct xfr_server *xs;
	struct listen_set *ls;
	struct notify *nt;
	struct probe *pr;		/* SOA probes (probe.h); NULL in
					   `hpagent notify` */
	struct sockaddr_storage *lsn;	/* listening addresses (NOTIFY */
	socklen_t *lsnlen;		/* sources): the start-up ones */
	int nlsn;
	struct daemon_zone *zones;
	int nzones;
	int64_t data_version;
	int64_t zd_seq;			/* zone_defs changes seen */
	int scanning;			/* daemon_scan running */
	unsigned polls;			/* poll ticks, for daemon_retire */
	dev_t db_dev;			/* the file opened, to notice it */
	ino_t db_ino;			/* deleted or replaced */
	int db_gone;
	struct event *poll_ev;
	struct event *built_ev;		/* the AXFR cache builder made one */
	int waiting;			/* zones waiting for theirs */
	int edits_busy;			/* direct edits met a busy database in
					   the last scan: looked at again */
	int wal_fd;			/* inotify on the database's folder */
	char *wal_name;			/* the WAL's file name in it */
	struct event *wal_ev, *quick_ev;
	double wal_last;		/* the last write to the WAL seen */
	double gen_at;			/* when pub_gen was last read */
	int64_t pub_gen;		/* store_publish_gen() last seen */
	struct api *api;		/* http-listen: (agent/http/api.h) */
	struct update *upd;		/* RFC 2136 UPDATEs (update.h) */
	int cli, cli_failed;		/* hpagent notify */
	struct privs pv;
	const char *cfg_path;		/* -c, as given */
	int verbose;			/* -v count */
	int64_t dnssec_tick;		/* dnssec.c: the second last run */
	struct jobq *signer;		/* dnssec.c: the signings' thread */
};

/* notify.c */
/* The NOTIFY engine on D's base, reporting to D. 0 or HP_ENOMEM. */
int daemon_notify_start(struct daemon *d);
/* Queue NOTIFYs of zone Z (id ID) at its current SOA; to its notify:
 * target LABEL only, unless NULL. */
int daemon_notify_zone(struct daemon *d, const struct conf_zone *z,
    int64_t id, const char *label);
/* The notify: targets of Z as the NOTIFY engine and the probes take them
 * (source address resolved), into *OUT (malloc'ed); the count, or
 * HP_ENOMEM. Targets whose key cannot be used are left out. */
int daemon_targets(const struct daemon *d, const struct conf_zone *z,
    struct notify_target **out);

/* The SOA probes of zone DZ's secondaries, for its current serial. */
struct daemon_zone;
void daemon_probe_zone(struct daemon *d, const struct daemon_zone *dz);
/* After a reload: every zone's secondaries as the new configuration
 * has them. */
void daemon_probe_sync(struct daemon *d);

/* zones.c */
/* Zones whose serial moved: NOTIFY; zones with direct edits: publish. */
void daemon_scan(struct daemon *d);
/* dnssec.c: signed zones' first signing, refreshes, key steps, and
 * rollovers fed by the secondaries' answers; at most once a second. */
void daemon_dnssec_tick(struct daemon *d);
/* The signer thread (its own database connection): started with the
 * daemon, stopped (a signing under way finished first) before the store
 * is closed. 0 or a negative HP_E*. */
int daemon_signer_start(struct daemon *d);
void daemon_signer_stop(struct daemon *d);
/* D's zones from CFG (those known keep what is known of them). */
int daemon_zones(struct daemon *d, const struct conf *cfg, int *added,
    int *kept);

/* zones.c: D's zone NAME (absolute, lowercase), or NULL. */
struct daemon_zone *daemon_zone_find(struct daemon *d, const char *name);
/* zones.c: the catalogs written from the configuration in force (after
 * a start or reload, when a member is first stored). */
void daemon_catalogs(struct daemon *d);

/* reload.c */
void daemon_reload(struct daemon *d);
/* daemon_scan(), or a reload first when zones were added to or deleted
 * from the database (zone add/delete, the API): the poll's entry. */
void daemon_refresh(struct daemon *d);

/* retire.c: deleted zones purged once their secondaries dropped them. */
void daemon_retire(struct daemon *d);

#endif
