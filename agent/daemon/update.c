/*
 * update.c -- an RFC 2136 UPDATE as the daemon receives it: after TSIG
 * (query.c: a bad signature is NOTAUTH with its TSIG error, RFC 8945),
 * the zone (NOTAUTH when not held here), allow-update: (REFUSED, logged,
 * when no rule names the client's address and key, or when one RR
 * touches a name or type the rules do not give it), the sections read
 * (FORMERR, NOTZONE); then a job for the engine (updwork.c), the answer
 * pending until the engine completes it with the transaction's rcode.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libknot/libknot.h>

#include "agent/conf/conf.h"
#include "agent/daemon/update.h"
#include "agent/daemon/update_int.h"
#include "agent/daemon/xfr.h"
#include "agent/daemon/xfr_int.h"
#include "agent/http/api.h"
#include "dns/dname.h"
#include "dns/err.h"
#include "dns/log.h"
#include "dns/pkt.h"
#include "dns/wire.h"

/* log_limited() keys (dns/log.h: 0..15; query.c 1..5, listen.c 10, 11) */
enum { UPD_LOG_REFUSED = 12, UPD_LOG_NOTAUTH, UPD_LOG_FORMERR };

/* The answer to A's UPDATE: header, the zone section echoed (RFC 2136
 * 3.8), RCODE, an OPT when the UPDATE had one (RFC 6891 7); signed when
 * the UPDATE was (answer.c). */
static void update_answer(struct upd_job *j, uint8_t rcode);

static int
upd_reply(struct xfr_answer *a, uint8_t rcode, uint16_t zclass)
{
	uint8_t buf[WIRE_HDR_LEN + DNAME_MAXLEN + 4 + 11];
	struct pkt_wr w;
	uint16_t flags;

	hp_metrics.updates[rcode & 15]++;	/* /metrics */
	flags = (uint16_t)((a->qflags & (WIRE_OPCODE_MASK | WIRE_FLAG_RD)) |
	    WIRE_FLAG_QR | rcode);
	if (pkt_wr_init(&w, buf, sizeof(buf), a->id, flags, NULL) < 0 ||
	    pkt_wr_question(&w, a->qcase, WIRE_TYPE_SOA, zclass) < 0 ||
	    (a->edns && pkt_wr_opt(&w, XFR_UDP_EDNS, 0, 0) < 0))
		return HP_ESPACE;
	return xfr_push(a, buf, w.len);
}

static const char *
upd_key(const struct xfr_answer *a)
{
	return a->signed_q && a->key != NULL ? a->key->name : "NOKEY";
}

/* OWNER (wire, lowercase) relative to APEX (text): "@" for the apex. */
static void
upd_rel(const uint8_t *owner, const char *apex, char *out, size_t len)
{
	size_t n, alen = strlen(apex);

	if (dname_to_str(owner, out, len) < 0) {
		snprintf(out, len, "?");
		return;
	}
	n = strlen(out);
	if (n == alen)
		snprintf(out, len, "@");
	else if (n > alen + 1 && strcmp(out + n - alen, apex) == 0)
		out[n - alen - 1] = '\0';
}

/* Every update RR within what the rules give this client: 0, or the
 * index of the first that is not, plus one. */
static size_t
upd_policy(const struct xfr_answer *a, const struct conf_zone *z,
    const struct upd_msg *u, const struct conf_key *key, char *rel,
    size_t rlen)
{
	const struct upd_rr *p;
	size_t i;

	for (i = u->npre; i < u->npre + u->nupd; i++) {
		p = &u->rr[i];
		upd_rel(p->owner, z->name, rel, rlen);
		if (!conf_update_allows(z, (const struct sockaddr *)&a->peer,
		    key, rel, p->op == UPD_DEL_NAME ? WIRE_TYPE_ANY : p->type))
			return i + 1;
	}
	return 0;
}

int
xfr_update(struct xfr_answer *a, const struct pkt *q)
{
	const struct conf_key *key = a->signed_q ? a->key : NULL;
	const struct conf_zone *z;
	struct upd_msg msg;
	struct upd_job *j;
	char rel[DNAME_MAXSTR], tn[32];
	uint8_t rcode;
	size_t bad;
	int r;

	a->edns = q->opt_off != 0;
	if (q->qclass != WIRE_CLASS_IN ||
	    (z = conf_find_zone(a->cfg, a->zone)) == NULL) {
		log_limited(UPD_LOG_NOTAUTH, 5, LOG_NOTICE, "UPDATE of %s from "
		    "%s (key %s): not a zone held here: NOTAUTH", a->zone,
		    a->peer_str, upd_key(a));
		return upd_reply(a, WIRE_RCODE_NOTAUTH, q->qclass);
	}
	if (a->srv->upd == NULL || !conf_update_client(z,
	    (const struct sockaddr *)&a->peer, key)) {
		log_limited(UPD_LOG_REFUSED, 10, LOG_WARNING, "refused UPDATE "
		    "of %s from %s (key %s): no allow-update: rule names this "
		    "client", a->zone, a->peer_str, upd_key(a));
		return upd_reply(a, WIRE_RCODE_REFUSED, q->qclass);
	}
	if ((r = upd_parse(q, &msg, &rcode)) < 0) {
		upd_free(&msg);
		log_limited(UPD_LOG_FORMERR, 10, LOG_NOTICE, "UPDATE of %s from "
		    "%s (key %s): %s: %s", a->zone, a->peer_str, upd_key(a),
		    rcode == WIRE_RCODE_NOTZONE ? "a name outside the zone" :
		    "malformed", pkt_rcode_name(rcode));
		return upd_reply(a, rcode, q->qclass);
	}
	if ((bad = upd_policy(a, z, &msg, key, rel, sizeof(rel))) != 0) {
		const struct upd_rr *p = &msg.rr[bad - 1];

		if (p->op == UPD_DEL_NAME)
			snprintf(tn, sizeof(tn), "ANY");
		else if (knot_rrtype_to_string(p->type, tn, sizeof(tn)) < 0)
			snprintf(tn, sizeof(tn), "TYPE%u", p->type);
		log_limited(UPD_LOG_REFUSED, 10, LOG_WARNING, "refused UPDATE "
		    "of %s from %s (key %s): %s %s %s is not allowed by "
		    "allow-update: (nothing changed)", a->zone, a->peer_str,
		    upd_key(a), upd_op_name(p->op), rel, tn);
		upd_free(&msg);
		return upd_reply(a, WIRE_RCODE_REFUSED, q->qclass);
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		upd_free(&msg);
		return upd_reply(a, WIRE_RCODE_SERVFAIL, q->qclass);
	}
	j->msg = msg;
	j->cfg = conf_ref(a->cfg);
	j->z = z;
	j->t0 = log_clock();
	snprintf(j->key, sizeof(j->key), "%s", key != NULL ? key->name : "");
	snprintf(j->peer, sizeof(j->peer), "%s", a->peer_str);
	j->ans = a;
	j->answer = update_answer;
	a->job = j;
	a->pending = 1;
	if (update_submit(a->srv->upd, j) < 0) {
		a->job = NULL;
		a->pending = 0;
		log_warn("UPDATE of %s from %s: too many updates queued: "
		    "SERVFAIL", a->zone, a->peer_str);
		return upd_reply(a, WIRE_RCODE_SERVFAIL, q->qclass);
	}
	return 0;
}

/* J's answer completed (if the client is still there) with RCODE, and J
 * forgotten: the engine's call (upd_job.answer). */
static void
update_answer(struct upd_job *j, uint8_t rcode)
{
	struct xfr_answer *a = j->ans;

	if (a == NULL)
		return;
	j->ans = NULL;
	a->job = NULL;
	a->pending = 0;
	if (upd_reply(a, rcode, WIRE_CLASS_IN) < 0)
		a->failed = 1;
	if (a->wake != NULL)
		a->wake(a->wake_arg);
}

void
update_detach(struct upd_job *j)
{
	j->ans = NULL;
}
