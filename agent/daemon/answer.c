/*
 * answer.c -- an answer's messages: kept in memory (single messages,
 * IXFR) or read from the transfer's snapshot (AXFR, on a pooled read
 * connection), written out one at a time, each signed when the query was
 * (RFC 8945 5.3.1); and the answer's end, reported when it completed.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/conf/conf.h"
#include "agent/daemon/update.h"
#include "agent/daemon/xfr.h"
#include "agent/daemon/xfr_int.h"
#include "agent/http/api.h"
#include "dns/dname.h"
#include "dns/err.h"
#include "dns/log.h"
#include "dns/tsig.h"
#include "dns/wire.h"
#include "store/store.h"
#include "store/xfrcache.h"

/* ---- read connections, one per transfer under way ------------------- */

struct store *
xfr_pool_get(struct xfr_server *srv)
{
	struct store *st;
	char err[256];

	if (srv->npool > 0)
		return srv->pool[--srv->npool];
	if (store_open(srv->dbpath, STORE_READONLY, &st, err,
	    sizeof(err)) < 0) {
		log_err("%s: %s", srv->dbpath, err);
		return NULL;
	}
	/* A transfer streams; a big page cache per connection buys nothing. */
	store_cache_size(st, 1024);
	return st;
}

void
xfr_pool_put(struct xfr_server *srv, struct store *st)
{
	if (srv->npool < XFR_POOL)
		srv->pool[srv->npool++] = st;
	else
		store_close(st);
}

void
xfr_release(struct xfr_answer *a)
{
	xfrc_close(a->axfr);
	a->axfr = NULL;
	if (a->st != NULL) {
		store_snapshot_end(a->st);
		if (!a->st_main)
			xfr_pool_put(a->srv, a->st);
		a->st = NULL;
		a->st_main = 0;
	}
}

/* ---- writing the messages ------------------------------------------ */

/* A record no transfer may send, met while streaming: said, the zone
 * marked broken (by the daemon), the transfer ended with SERVFAIL. */
static void
xfr_axfr_broken(struct xfr_answer *a)
{
	struct xfr_server *srv = a->srv;
	const char *why = xfrc_why(a->axfr);

	log_err("%s %s serial %u to %s: %s: answered SERVFAIL (a record no "
	    "transfer may send)", a->what ? a->what : "AXFR", a->zone,
	    a->serial, a->peer_str, why);
	if (srv->broken != NULL)
		srv->broken(srv->broken_arg, a->zone, a->zone_id, a->version_id,
		    why);
}

int
xfr_answer_next(struct xfr_answer *a, uint8_t *buf, size_t cap,
    size_t *len)
{
	int r;

	if (a->complete || a->failed)
		return 0;
	if (a->pending)
		return XFR_PENDING;
	if (a->axfr != NULL) {
		r = xfr_axfr_next(a, buf, cap, len);
		if (r == HP_EINVALID) {
			xfr_axfr_broken(a);
			if ((r = xfr_axfr_fail(a, buf, cap, len)) < 0)
				return r;
			a->failed = 1;
		} else if (r <= 0) {
			a->complete = r == 0;
			return r;
		}
	} else {
		if (a->next >= a->nmsgs) {
			a->complete = 1;
			return 0;
		}
		if (a->lens[a->next] > cap)
			return HP_ESPACE;
		memcpy(buf, a->msgs[a->next], a->lens[a->next]);
		*len = a->lens[a->next];
		/* Free as we go: a long IXFR shrinks while it is sent. */
		free(a->msgs[a->next]);
		a->msgs[a->next++] = NULL;
	}
	if (a->signed_q && (r = tsig_sign(&a->tsig, buf, len,
	    cap > WIRE_MAX_MSG ? WIRE_MAX_MSG : cap,
	    (uint64_t)time(NULL))) < 0) {
		log_err("%s %s: cannot sign: %s", a->what ? a->what : "answer",
		    a->zone, hp_strerror(r));
		return r;
	}
	hp_metrics.xfr_bytes += *len;
	a->sent += *len;
	return 1;
}

int
xfr_answer_pending(const struct xfr_answer *a)
{
	return a->pending;
}

void
xfr_answer_set_wake(struct xfr_answer *a, void (*fn)(void *), void *arg)
{
	a->wake = fn;
	a->wake_arg = arg;
}

void
xfr_answer_abort(struct xfr_answer *a)
{
	if (a == NULL)
		return;
	a->complete = 0;
	xfr_answer_free(a);
}

void
xfr_answer_free(struct xfr_answer *a)
{
	struct xfr_server *srv;

	if (a == NULL)
		return;
	srv = a->srv;
	if (a->job != NULL)
		update_detach(a->job);
	/* The snapshot ends before anything is reported: the ledger write
	 * the report makes must not find this reader pinning the WAL. */
	xfr_release(a);
	if (a->what != NULL && a->complete) {
		struct xfr_done x = {
			.zone = a->zone, .zone_id = a->zone_id,
			.peer = (struct sockaddr *)&a->peer,
			.serial = a->serial, .kind = a->what, .bytes = a->sent,
			.key = a->signed_q && a->key != NULL ? &a->key->tsig :
			    NULL
		};

		/* An IXFR built at once gets one line, once sent: logging
		 * before would only delay the answer. */
		if (a->incremental)
			log_notice("IXFR %s %u -> %u to %s%s done", a->zone,
			    a->client, a->serial, a->peer_str, a->udp ?
			    " (UDP)" : "");
		else
			log_notice("%s %s serial %u to %s done", a->what,
			    a->zone, a->serial, a->peer_str);
		if (srv->done != NULL)
			srv->done(srv->cbarg, &x);
	} else if (a->what != NULL) {
		log_notice("%s %s serial %u to %s aborted", a->what, a->zone,
		    a->serial, a->peer_str);
	}
	xfr_drop_msgs(a);
	free(a->msgs);
	free(a->lens);
	tsig_ctx_deinit(&a->tsig);
	conf_unref(a->cfg);
	free(a);
}
