/*
 * query.c -- answering queries for the held zones: the server (its
 * configuration, a pool of read connections), the dispatch of a query
 * (TSIG first, then the zone, provide-xfr:, the type), single-message
 * answers (errors, SOA), and writing the messages of an answer out, each
 * signed when the query was (RFC 8945 5.3.1). The transfers themselves:
 * axfr.c and ixfr.c.
 *
 * A query becomes a struct xfr_answer: a stream of messages produced one
 * at a time by xfr_answer_next(). It holds a reference on the
 * configuration it began with, so that a reload changes nothing under a
 * transfer: its keys sign it to the end.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/conf/conf.h"
#include "agent/daemon/cachebuild.h"
#include "agent/daemon/update.h"
#include "agent/daemon/xfr.h"
#include "agent/daemon/xfr_int.h"
#include "agent/http/api.h"
#include "dns/addr.h"
#include "dns/dname.h"
#include "dns/err.h"
#include "dns/log.h"
#include "dns/pkt.h"
#include "dns/serial.h"
#include "dns/tsig.h"
#include "dns/wire.h"
#include "store/store.h"
#include "store/xfrcache.h"

/* log_limited() keys */
enum { XFR_LOG_REFUSED = 1, XFR_LOG_TSIG, XFR_LOG_FORMERR, XFR_LOG_NOTAUTH,
    XFR_LOG_BROKEN };

/* ---- the server ---------------------------------------------------- */

/*
 * What the first transfer after a start would otherwise pay: a read
 * connection opened (the schema parsed), the statements of the SOA, IXFR
 * and AXFR paths prepared on it and on the main one, the pages they read
 * cached, the IXFR from each zone's serial before kept (xfr_ixfr_prepare:
 * a secondary one change behind asks exactly that), and OpenSSL's HMAC
 * implementations loaded (its first fetch costs a millisecond or two).
 * Failures only cost the first transfer.
 */
#define XFR_WARM_ZONES	64

int
xfr_server_ixfr_prepare(struct xfr_server *srv, const char *zone)
{
	struct store_zone_info zi;
	struct store_soa soa;
	int r;

	if ((r = store_snapshot_begin(srv->main)) < 0)
		return r;
	if ((r = store_zone_info(srv->main, zone, &zi)) == 0 &&
	    (r = store_zone_soa(srv->main, zi.id, &soa)) == 0)
		xfr_ixfr_prepare(srv, srv->main, &zi, &soa);
	store_snapshot_end(srv->main);
	return r;
}

/* The SOA and IXFR paths' statements on the main connection (they run
 * there), the IXFR from each zone's serial before prepared. */
static void
xfr_server_warm_main(struct xfr_server *srv)
{
	const struct conf_zone *z;
	int n = 0;

	for (z = srv->cfg->zones; z != NULL && n < XFR_WARM_ZONES;
	    z = z->next, n++)
		if (xfr_server_ixfr_prepare(srv, z->name) == HP_ESTORE)
			break;
}

static void
xfr_server_warm(struct xfr_server *srv)
{
	const struct conf_zone *z;
	const struct conf_key *k;
	struct store_zone_info zi;
	struct store_soa soa;
	struct tsig_hmac *h;
	struct store *st;
	uint8_t mac[TSIG_MAX_DIGEST];
	size_t maclen;
	int n = 0;

	for (k = srv->cfg->keys; k != NULL; k = k->next) {
		if (!k->usable || (h = tsig_hmac_new(k->tsig.alg,
		    k->tsig.secret, k->tsig.secret_len)) == NULL)
			continue;
		(void)tsig_hmac_update(h, mac, 1);
		(void)tsig_hmac_final(h, mac, &maclen);
		tsig_hmac_free(h);
	}
	xfr_server_warm_main(srv);
	/* An AXFR's connection. */
	if ((st = xfr_pool_get(srv)) == NULL)
		return;
	for (z = srv->cfg->zones; z != NULL && n < XFR_WARM_ZONES;
	    z = z->next, n++) {
		if (store_snapshot_begin(st) < 0)
			break;
		if (store_zone_info(st, z->name, &zi) == 0 &&
		    store_zone_soa(st, zi.id, &soa) == 0)
			(void)xfrc_present(st, zi.id, zi.version_id);
		store_snapshot_end(st);
	}
	xfr_pool_put(srv, st);
}

void
xfr_server_share_store(struct xfr_server *srv, struct store *st)
{
	if (!srv->main_shared)
		store_close(srv->main);
	srv->main = st;
	srv->main_shared = 1;
	xfr_server_warm_main(srv);
}

int
xfr_server_new(const struct conf *cfg, const char *dbpath,
    struct xfr_server **out)
{
	struct xfr_server *srv;
	char err[256];
	int r;

	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return HP_ENOMEM;
	srv->cfg = conf_ref(cfg);
	srv->dbpath = strdup(dbpath);
	srv->ctab = dname_ctab_new();
	srv->built_fd[0] = srv->built_fd[1] = -1;
	if (srv->dbpath == NULL || srv->ctab == NULL ||
	    pipe2(srv->built_fd, O_NONBLOCK | O_CLOEXEC) != 0) {
		xfr_server_free(srv);
		return HP_ENOMEM;
	}
	if (peers_build(cfg, &srv->peers) < 0)
		log_err("out of memory: DNS TCP connections are not filtered "
		    "by address");
	r = store_open(dbpath, STORE_CREATE, &srv->main, err, sizeof(err));
	if (r < 0) {
		log_err("%s: %s", dbpath, err);
		xfr_server_free(srv);
		return r;
	}
	xfr_server_warm(srv);
	*out = srv;
	return 0;
}

void
xfr_server_free(struct xfr_server *srv)
{
	int i;

	if (srv == NULL)
		return;
	cachebuild_stop(srv->builder);
	xfr_ixfr_forget(srv);
	for (i = 0; i < srv->npool; i++)
		store_close(srv->pool[i]);
	if (!srv->main_shared)
		store_close(srv->main);
	if (srv->built_fd[0] >= 0)
		close(srv->built_fd[0]);
	if (srv->built_fd[1] >= 0)
		close(srv->built_fd[1]);
	dname_ctab_free(srv->ctab);
	peers_free(&srv->peers);
	conf_unref(srv->cfg);
	free(srv->dbpath);
	free(srv);
}

void
xfr_server_set_callbacks(struct xfr_server *srv, xfr_done_cb done,
    void *arg)
{
	srv->done = done;
	srv->cbarg = arg;
}

void
xfr_server_set_update(struct xfr_server *srv, struct update *up)
{
	srv->upd = up;
}

void
xfr_server_set_broken_cb(struct xfr_server *srv, xfr_broken_cb cb, void *arg)
{
	srv->broken = cb;
	srv->broken_arg = arg;
}

int
xfr_server_cache_start(struct xfr_server *srv)
{
	const struct conf_zone *z;
	const char **names;
	int n = 0, r;

	if (srv->builder != NULL)
		return 0;
	for (z = srv->cfg->zones; z != NULL; z = z->next)
		n++;
	if ((names = calloc((size_t)n + 1, sizeof(*names))) == NULL)
		return HP_ENOMEM;
	n = 0;
	for (z = srv->cfg->zones; z != NULL; z = z->next)
		names[n++] = z->name;
	r = cachebuild_start(srv->dbpath, names, n, srv->built_fd[1],
	    &srv->builder);
	free(names);
	return r;
}

/* 1 when A and B configure the same zone names in the same order. */
static int
xfr_same_zones(const struct conf *a, const struct conf *b)
{
	const struct conf_zone *x = a->zones, *y = b->zones;

	for (; x != NULL && y != NULL; x = x->next, y = y->next)
		if (strcmp(x->name, y->name) != 0)
			return 0;
	return x == NULL && y == NULL;
}

void
xfr_server_reload(struct xfr_server *srv, const struct conf *cfg)
{
	int r, restart;

	restart = srv->builder != NULL && !xfr_same_zones(srv->cfg, cfg);
	conf_unref(srv->cfg);
	srv->cfg = conf_ref(cfg);
	/* no kept answer taken as current before the scan that follows */
	xfr_server_seen_begin(srv);
	peers_free(&srv->peers);
	if (peers_build(cfg, &srv->peers) < 0)
		log_err("out of memory: DNS TCP connections are not filtered "
		    "by address");
	if (restart) {
		cachebuild_stop(srv->builder);
		srv->builder = NULL;
		if ((r = xfr_server_cache_start(srv)) < 0)
			log_warn("AXFR cache builder: %s", hp_strerror(r));
	}
}

int
xfr_peer_listed(const struct xfr_server *srv, const struct sockaddr *peer)
{
	return peers_listed(&srv->peers, peer);
}

void
xfr_server_cache_kick(struct xfr_server *srv)
{
	cachebuild_kick(srv->builder);
}

int
xfr_server_cache_ready(struct xfr_server *srv, int64_t zone_id,
    int64_t version_id)
{
	if (srv == NULL || !cachebuild_builds(srv->builder))
		return 1;
	return xfrc_present(srv->main, zone_id, version_id) != 0;
}

int
xfr_server_cache_fd(const struct xfr_server *srv)
{
	return srv != NULL ? srv->built_fd[0] : -1;
}

/* TSIG: the usable key of the answer's configuration with NAME and ALG. */
static const struct tsig_key *
xfr_key_lookup(void *arg, const uint8_t *name, const struct tsig_alg *alg)
{
	struct xfr_answer *a = arg;

	a->key = conf_find_tsig(a->cfg, name, alg);
	return a->key != NULL ? &a->key->tsig : NULL;
}

/* ---- building single messages -------------------------------------- */

/* An answer with RCODE and no data (the question echoed when there is one).
 * With a TSIG error in a->tsig, tsig_sign() adds the error TSIG later. */
static int
xfr_error(struct xfr_answer *a, const struct pkt *q, const uint8_t *raw,
    size_t rawlen, uint8_t rcode)
{
	uint8_t buf[WIRE_HDR_LEN + DNAME_MAXLEN + 4];
	struct pkt_wr w;
	uint16_t flags;

	if (q != NULL) {
		if (pkt_wr_reply(&w, buf, sizeof(buf), q, rcode, NULL) < 0)
			return HP_ESPACE;
		return xfr_push(a, buf, w.len);
	}
	/* Unparseable: the header only, counts zero (RFC 1035 4.1.1). */
	if (rawlen < WIRE_HDR_LEN)
		return HP_EMALF;
	memset(buf, 0, WIRE_HDR_LEN);
	memcpy(buf, raw, 2);
	flags = wire_read_u16(raw + WIRE_OFF_FLAGS);
	flags = (uint16_t)((flags & (WIRE_OPCODE_MASK | WIRE_FLAG_RD)) |
	    WIRE_FLAG_QR | rcode);
	wire_write_u16(buf + WIRE_OFF_FLAGS, flags);
	return xfr_push(a, buf, WIRE_HDR_LEN);
}

/* The answer holding only the SOA (SOA query; IXFR when up to date);
 * an OPT when the query had one (RFC 6891 7), over UDP or TCP. */
static int
xfr_soa_answer(struct xfr_answer *a, const struct pkt *q,
    const struct store_soa *soa)
{
	uint8_t buf[1024];
	struct pkt_wr w;
	int r;

	if ((r = pkt_wr_reply(&w, buf, sizeof(buf), q, WIRE_RCODE_NOERROR,
	    a->srv->ctab)) < 0)
		return r;
	pkt_wr_set_flags(&w, WIRE_FLAG_AA);
	if ((r = pkt_wr_rr(&w, PKT_ANSWER, q->qname, WIRE_TYPE_SOA,
	    WIRE_CLASS_IN, soa->ttl, soa->rdata, soa->rdlen)) < 0)
		return r;
	if (q->opt_off != 0 && (r = pkt_wr_opt(&w, XFR_UDP_EDNS, 0,
	    0)) < 0)
		return r;
	return xfr_push(a, buf, w.len);
}

/* Take a snapshot: the zone's version, read in the snapshot the whole
 * transfer reads; on a pooled connection (a transfer sent as it is read),
 * or on the main one for an answer built at once (IXFR): there, the
 * ledger's writes (ledger_store) leave its page cache as it was. */
static int
xfr_snapshot(struct xfr_answer *a, struct store_zone_info *zi, int main)
{
	int r;

	a->st_main = main;
	if ((a->st = main ? a->srv->main : xfr_pool_get(a->srv)) == NULL)
		return HP_ESTORE;
	if ((r = store_snapshot_begin(a->st)) < 0 ||
	    (r = store_zone_info(a->st, a->zone, zi)) < 0)
		return r;
	return 0;
}

/* ---- the query ----------------------------------------------------- */

/* The zone QNAME is in (its apex or below it: *BELOW), or NULL. */
static const struct conf_zone *
xfr_find_zone(const struct conf *cfg, const uint8_t *qname, int *below)
{
	char text[DNAME_MAXSTR];
	const struct conf_zone *z;
	const uint8_t *n = qname;

	*below = 0;
	while (1) {
		if (dname_to_str(n, text, sizeof(text)) == 0 &&
		    (z = conf_find_zone(cfg, text)) != NULL) {
			*below = n != qname;
			return z;
		}
		if (*n == 0)
			return NULL;
		n += *n + 1;
	}
}

/* An SOA query for a name below zone Z from a client allow-update:
 * names (nsupdate finds the zone so): NOERROR (the name exists) or
 * NXDOMAIN, authoritative, the SOA in the authority section. */
static int
xfr_soa_below(struct xfr_answer *a, const struct pkt *q,
    const struct conf_zone *z)
{
	uint8_t buf[1024], apex[DNAME_MAXLEN];
	struct store_soa soa;
	struct pkt_wr w;
	int r, exists;

	if (dname_from_str(z->name, apex, NULL) < 0)
		return xfr_error(a, q, NULL, 0, WIRE_RCODE_SERVFAIL);
	if ((r = store_zone_soa_named(a->srv->main, z->name, &soa)) < 0 ||
	    (exists = store_name_exists(a->srv->main, z->name, a->zone)) < 0)
		return xfr_error(a, q, NULL, 0, r == HP_ENOENT ?
		    WIRE_RCODE_NOTAUTH : WIRE_RCODE_SERVFAIL);
	if ((r = pkt_wr_reply(&w, buf, sizeof(buf), q, exists ?
	    WIRE_RCODE_NOERROR : WIRE_RCODE_NXDOMAIN, a->srv->ctab)) < 0)
		return r;
	pkt_wr_set_flags(&w, WIRE_FLAG_AA);
	if ((r = pkt_wr_rr(&w, PKT_AUTHORITY, apex, WIRE_TYPE_SOA,
	    WIRE_CLASS_IN, soa.ttl, soa.rdata, soa.rdlen)) < 0)
		return r;
	if (q->opt_off != 0 && (r = pkt_wr_opt(&w, XFR_UDP_EDNS, 0,
	    0)) < 0)
		return r;
	return xfr_push(a, buf, w.len);
}

/* provide-xfr: 1 allowed, 0 refused. BLOCKED wins wherever it is; a
 * KEY entry needs a verified TSIG with that key; NOKEY an unsigned query
 * (as NSD does). */
static int
xfr_allowed(struct xfr_answer *a, const struct conf_zone *z,
    const struct conf_key *key)
{
	const struct conf_acl *acl;
	const struct sockaddr *sa = (const struct sockaddr *)&a->peer;
	int ok = 0;

	for (acl = z->provide_xfr; acl != NULL; acl = acl->next) {
		if (!conf_acl_match(acl, sa))
			continue;
		if (acl->action == ACL_BLOCKED)
			return 0;
		if (ok)
			continue;
		if (acl->action == ACL_NOKEY)
			ok = key == NULL;
		else
			ok = key != NULL && acl->key == key;
	}
	/* the addresses allow-update: names may read the SOA: certbot
	 * finds the zone so, signed with its key; lego unsigned */
	if (!ok && a->qtype == WIRE_TYPE_SOA)
		ok = conf_update_addr(z, sa);
	return ok;
}

/* The serial in the authority section's SOA (IXFR, RFC 1995 3). */
static int
xfr_ixfr_serial(const struct pkt *q, uint32_t *serial)
{
	struct pkt_iter it;
	struct pkt_rr rr;
	uint8_t rd[2 * DNAME_MAXLEN + 20];
	size_t len;
	int r;

	pkt_iter_init(&it, q, PKT_AUTHORITY);
	while ((r = pkt_iter_next(&it, &rr)) == 1) {
		if (rr.type != WIRE_TYPE_SOA)
			continue;
		if ((r = pkt_rdata_expand(q, &rr, rd, sizeof(rd), &len)) < 0)
			return r;
		return serial_soa_get(rd, len, serial);
	}
	return r < 0 ? r : HP_ENOENT;
}

static void
xfr_refuse_log(struct xfr_answer *a, const char *why)
{
	log_limited(XFR_LOG_REFUSED, 10, LOG_NOTICE, "refused %s %s from %s: "
	    "%s", a->qtype == WIRE_TYPE_AXFR ? "AXFR" : a->qtype ==
	    WIRE_TYPE_IXFR ? "IXFR" : "SOA", a->zone, a->peer_str, why);
}

static const char *
xfr_key_str(const struct tsig_ctx *t, char *buf, size_t len)
{
	if (dname_to_str(t->key_name, buf, len) < 0)
		snprintf(buf, len, "?");
	return buf;
}

/* The zone's row or SOA could not be read: NOTAUTH when it is not in the
 * database, else SERVFAIL (logged). */
static int
xfr_dberr(struct xfr_answer *a, const struct pkt *q, int r)
{
	if (r != HP_ENOENT)
		log_err("%s %s: %s", q->qtype == WIRE_TYPE_AXFR ? "AXFR" :
		    "IXFR", a->zone, hp_strerror(r));
	return xfr_error(a, q, NULL, 0, r == HP_ENOENT ? WIRE_RCODE_NOTAUTH :
	    WIRE_RCODE_SERVFAIL);
}

static int
xfr_answer_query(struct xfr_answer *a, const struct pkt *q, int tcp)
{
	struct xfr_server *srv = a->srv;
	const struct conf_zone *z;
	struct store_zone_info zi;
	struct store_soa soa;
	size_t udpmax = 0;
	uint32_t client;
	char kn[DNAME_MAXSTR];
	int below, r, cached = 0;

	if (!tcp)
		udpmax = q->opt_off ? (q->edns_size < WIRE_MAX_UDP ?
		    WIRE_MAX_UDP : q->edns_size > XFR_UDP_EDNS ? XFR_UDP_EDNS :
		    q->edns_size) : WIRE_MAX_UDP;
	if (WIRE_OPCODE(q->flags) != WIRE_OPCODE_QUERY &&
	    WIRE_OPCODE(q->flags) != WIRE_OPCODE_UPDATE)
		return xfr_error(a, q, NULL, 0, WIRE_RCODE_NOTIMP);
	if (q->count[PKT_QUESTION] != 1)
		return xfr_error(a, q, NULL, 0, WIRE_RCODE_FORMERR);
	memcpy(a->qcase, q->qname, q->qname_len);
	memcpy(a->qname, q->qname, q->qname_len);
	dname_lower(a->qname);
	a->qname_len = q->qname_len;
	if (dname_to_str(a->qname, a->zone, sizeof(a->zone)) < 0)
		return xfr_error(a, q, NULL, 0, WIRE_RCODE_FORMERR);
	a->qtype = q->qtype;

	/* TSIG first: a bad signature is answered whatever was asked. */
	r = tsig_server_verify(&a->tsig, q, xfr_key_lookup, a,
	    (uint64_t)time(NULL), (uint16_t)a->cfg->tsig_max_fudge);
	if (r == HP_EMALF)
		return xfr_error(a, q, NULL, 0, WIRE_RCODE_FORMERR);
	if (r == HP_EBADKEY || r == HP_EBADSIG || r == HP_EBADTIME) {
		hp_metrics.tsig_failures++;
		log_limited(XFR_LOG_TSIG, 10, LOG_WARNING, "%s from %s "
		    "(key %s, zone %s): answered NOTAUTH", hp_strerror(r),
		    a->peer_str, xfr_key_str(&a->tsig, kn, sizeof(kn)),
		    a->zone);
		a->signed_q = 1;
		return xfr_error(a, q, NULL, 0, WIRE_RCODE_NOTAUTH);
	}
	a->signed_q = r == 0;
	if (WIRE_OPCODE(q->flags) == WIRE_OPCODE_UPDATE)
		return xfr_update(a, q);

	if (q->qclass != WIRE_CLASS_IN)
		return xfr_error(a, q, NULL, 0, WIRE_RCODE_REFUSED);
	if ((z = xfr_find_zone(a->cfg, a->qname, &below)) == NULL) {
		log_limited(XFR_LOG_NOTAUTH, 5, LOG_INFO, "query for %s from "
		    "%s: not a zone held here", a->zone, a->peer_str);
		return xfr_error(a, q, NULL, 0, WIRE_RCODE_NOTAUTH);
	}
	if (below) {
		if (q->qtype == WIRE_TYPE_SOA && conf_update_addr(z,
		    (const struct sockaddr *)&a->peer))
			return xfr_soa_below(a, q, z);
		return xfr_error(a, q, NULL, 0, WIRE_RCODE_REFUSED);
	}
	if (q->qtype != WIRE_TYPE_SOA && q->qtype != WIRE_TYPE_AXFR &&
	    q->qtype != WIRE_TYPE_IXFR)
		return xfr_error(a, q, NULL, 0, WIRE_RCODE_REFUSED);
	if (!xfr_allowed(a, z, a->signed_q ? a->key : NULL)) {
		xfr_refuse_log(a, a->signed_q ? "not allowed with this key" :
		    "not allowed (provide-xfr)");
		return xfr_error(a, q, NULL, 0, WIRE_RCODE_REFUSED);
	}
	if (q->qtype == WIRE_TYPE_AXFR && !tcp) {
		xfr_refuse_log(a, "AXFR over UDP");
		return xfr_error(a, q, NULL, 0, WIRE_RCODE_REFUSED);
	}
	if (q->qtype == WIRE_TYPE_SOA) {
		if ((r = store_zone_soa_named(srv->main, a->zone, &soa)) < 0) {
			if (r != HP_ENOENT)
				log_err("SOA %s: %s", a->zone, hp_strerror(r));
			return xfr_error(a, q, NULL, 0, r == HP_ENOENT ?
			    WIRE_RCODE_NOTAUTH : WIRE_RCODE_SERVFAIL);
		}
		return xfr_soa_answer(a, q, &soa);
	}
	client = 0;
	if (q->qtype == WIRE_TYPE_IXFR && xfr_ixfr_serial(q, &client) < 0)
		return xfr_error(a, q, NULL, 0, WIRE_RCODE_FORMERR);

	/* The same IXFR as a secondary before: its messages, kept. No read
	 * when the daemon's last scan saw that version as the zone's, else
	 * one (the zone's row: its version); no snapshot. */
	if (q->qtype == WIRE_TYPE_IXFR && tcp &&
	    (xfr_ixfr_kept_now(a, client) == 1 ||
	    (store_zone_info(srv->main, a->zone, &zi) == 0 &&
	    xfr_ixfr_kept(a, &zi, client) == 1))) {
		a->what = "IXFR";
		a->incremental = 1;	/* logged when sent (answer.c) */
		a->client = client;
		return 0;
	}
	/* A transfer: one snapshot, on a connection of its own for AXFR. */
	if ((r = xfr_snapshot(a, &zi, q->qtype == WIRE_TYPE_IXFR)) < 0)
		return xfr_dberr(a, q, r);
	a->zone_id = zi.id;
	a->version_id = zi.version_id;
	a->serial = zi.serial;
	if ((r = store_zone_soa(a->st, zi.id, &soa)) < 0)
		return xfr_dberr(a, q, r);
	if (q->qtype == WIRE_TYPE_IXFR) {
		/* The serial the request names is the client's word only:
		 * it counts for nothing (the SOA probes ask the secondary
		 * itself); RFC 1995 2: one as new as us gets the SOA. */
		if (serial_cmp(client, zi.serial) == 0 ||
		    serial_cmp(client, zi.serial) == 1) {
			log_info("IXFR %s to %s: serial %u is current",
			    a->zone, a->peer_str, client);
			xfr_release(a);
			return xfr_soa_answer(a, q, &soa);
		}
		r = xfr_ixfr(a, q, client, &soa, udpmax ?
		    udpmax - (a->signed_q ? tsig_reserve(&a->tsig) : 0) :
		    XFRC_MSG_MAX);
		if (r == 0 && udpmax && a->nmsgs > 1)
			r = HP_ETOOBIG;
		if (r == 0) {
			if (tcp)
				xfr_ixfr_keep(a, &zi, client);
			/* In memory now: the snapshot is not needed to send
			 * it, and an open one would pin the WAL meanwhile. */
			xfr_release(a);
			a->what = "IXFR";
			a->incremental = 1;	/* logged when sent */
			a->client = client;
			a->udp = !tcp;
			return 0;
		}
		xfr_drop_msgs(a);
		if (r != HP_ENOJOURNAL && r != HP_ETOOBIG &&
		    r != HP_EINVALID) {
			log_err("IXFR %s: %s", a->zone, hp_strerror(r));
			return xfr_error(a, q, NULL, 0, WIRE_RCODE_SERVFAIL);
		}
		/* RFC 1995 2: over UDP, the SOA alone sends it to TCP. */
		if (udpmax)
			return xfr_soa_answer(a, q, &soa);
		if (r == HP_EINVALID)
			log_limited(XFR_LOG_BROKEN, 5, LOG_WARNING, "IXFR %s "
			    "from %u: the journal holds a record no transfer "
			    "may send (%s): answering with the whole zone",
			    a->zone, client, a->why);
		else
			log_info("IXFR %s from %u: %s, answering with the "
			    "whole zone", a->zone, client, r == HP_ENOJOURNAL ?
			    "journal does not reach it" : "changes too large");
		/* Sent as it is read: a snapshot of its own (of the version
		 * current now). */
		xfr_release(a);
		if ((r = xfr_snapshot(a, &zi, 0)) < 0)
			return xfr_dberr(a, q, r);
		a->zone_id = zi.id;
		a->version_id = zi.version_id;
		a->serial = zi.serial;
	}
	if ((r = xfr_axfr_open(a, &zi, &cached)) < 0) {
		if (r == HP_EINVALID)
			log_limited(XFR_LOG_BROKEN, 5, LOG_ERR, "%s %s serial "
			    "%u to %s: answered SERVFAIL: the version holds a "
			    "record no transfer may send (%s)",
			    q->qtype == WIRE_TYPE_AXFR ? "AXFR" : "IXFR",
			    a->zone, zi.serial, a->peer_str, zi.broken_why);
		else
			log_err("AXFR %s: %s", a->zone, hp_strerror(r));
		return xfr_error(a, q, NULL, 0, WIRE_RCODE_SERVFAIL);
	}
	a->what = q->qtype == WIRE_TYPE_IXFR ? "IXFR" : "AXFR";
	log_notice("%s %s serial %u to %s started%s%s", a->what, a->zone,
	    zi.serial, a->peer_str, q->qtype == WIRE_TYPE_IXFR ?
	    " (AXFR-style)" : "", cached ? "" : " (from the records)");
	return 0;
}

int
xfr_query(struct xfr_server *srv, const uint8_t *q, size_t qlen,
    const struct sockaddr *peer, int tcp, struct xfr_answer **out)
{
	struct xfr_answer *a;
	struct pkt p;
	int r;

	if (qlen < WIRE_HDR_LEN ||
	    (wire_read_u16(q + WIRE_OFF_FLAGS) & WIRE_FLAG_QR))
		return 1;	/* never answer an answer */
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return HP_ENOMEM;
	a->srv = srv;
	a->cfg = conf_ref(srv->cfg);
	tsig_ctx_init(&a->tsig, NULL, 0);
	memcpy(&a->peer, peer, peer->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	addr_ntop(peer, a->peer_str, sizeof(a->peer_str));
	if (pkt_parse(&p, q, qlen) < 0) {
		log_limited(XFR_LOG_FORMERR, 5, LOG_INFO, "malformed query "
		    "from %s: FORMERR", a->peer_str);
		r = xfr_error(a, NULL, q, qlen, WIRE_RCODE_FORMERR);
	} else {
		a->id = p.id;
		a->qflags = p.flags;
		r = xfr_answer_query(a, &p, tcp);
	}
	if (r < 0) {
		xfr_answer_free(a);
		return r == HP_EMALF ? 1 : r;
	}
	*out = a;
	return 0;
}
