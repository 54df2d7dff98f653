/*
 * dnssec.c -- every version of a signed zone signed inside the write
 * transaction that makes it, before it is journaled (store.h: struct
 * store_sign).
 *
 * dnssec_begin() runs before the unsigned change is written, so that the
 * incremental signer (signer/zone.h: sign_zone_update) sees the zone as
 * it was through the SQLite view (dnssec_view.c); direct SQL edits, which
 * are in `records` already, are put back first and written again by
 * apply_change(). dnssec_finish() runs after: a whole signing (the first
 * one, a change of chain, a new CSK) reads the zone as it now is, and the
 * generated records are written to `dnssec_records` and appended to the
 * version's journal (so that an IXFR of a 10-RR change carries the
 * signatures and chain records it touched, not the zone).
 *
 * Keys: made at the first signing (private keys into the keystore, 0600;
 * public state into dnssec_keys); the rollover steps due at NOW are
 * applied before each signing (signer/rollover.h), so a key moves with
 * the version that publishes it. A private key that cannot be read fails
 * the transaction: nothing unsigned is ever published.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/log.h"
#include "dns/wire.h"
#include "signer/canon.h"
#include "signer/keystore.h"
#include "signer/policy.h"
#include "signer/rollover.h"
#include "signer/rrsig.h"
#include "signer/zone.h"
#include "store/dnssec_int.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/zset.h"

#define TYPE_ZONEMD	63
/* RRsets re-signed by one refresh version at most */
#define REFRESH_BATCH	5000

struct dnssec_job {
	struct store *st;
	int64_t zone_id;
	struct change *c;
	int64_t now;
	const struct sign_policy *p;
	struct keys_state keys[DNSSEC_MAXKEYS];
	struct keys_key *priv[DNSSEC_MAXKEYS];
	size_t nkeys;
	struct sign_ctx *ctx;
	struct dnssec_view *view;
	uint8_t apex[DNAME_MAXLEN];
	int full;
	int first;		/* never signed before */
	char why[256];		/* why whole */
	struct sign_rrs del, add;	/* generated records out and in */
	size_t signatures;
	char chain[600];
};

static void
job_say(struct dnssec_job *j, const char *fmt, const char *a, const char *b)
{
	char msg[1024];

	snprintf(msg, sizeof(msg), fmt, a, b);
	hp_problem(j->c->problem, j->c->problem_arg, NULL, 0, 0, "%s", msg);
	snprintf(j->st->err, sizeof(j->st->err), "%.200s", msg);
}

void
store_dnssec_chain(const struct sign_policy *p, char *out, size_t len)
{
	char salt[2 * 255 + 1];
	size_t i;

	if (!p->nsec3) {
		snprintf(out, len, "nsec");
		return;
	}
	for (i = 0; i < p->nsec3_salt_len; i++)
		snprintf(salt + 2 * i, 3, "%02x", p->nsec3_salt[i]);
	salt[2 * i] = '\0';
	snprintf(out, len, "nsec3 1 0 %u %s", p->nsec3_iterations,
	    p->nsec3_salt_len ? salt : "-");
}

int
dnssec_zone_signed(struct store *st, int64_t zone_id)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = store_prep(st, &s, "SELECT 1 FROM dnssec_zones WHERE "
	    "zone_id = ?")) < 0)
		return rc;
	sqlite3_bind_int64(s, 1, zone_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
}

/* The zone's dnssec_zones.chain into OUT; 0, or HP_ENOENT (unsigned). */
static int
zone_chain(struct store *st, int64_t zone_id, char *out, size_t len)
{
	sqlite3_stmt *s;
	int rc, ret;

	if ((ret = store_prep(st, &s, "SELECT chain FROM dnssec_zones WHERE "
	    "zone_id = ?")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, zone_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(out, len, "%s", (const char *)sqlite3_column_text(s,
		    0) ? (const char *)sqlite3_column_text(s, 0) : "");
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? HP_ENOENT : store_sqlerr(rc);
}

/* ---- the input -------------------------------------------------------- */

/* An RR of the zone text as the signer reads it, appended to L. */
static int
add_zrr(struct sign_rrs *l, const struct zset *z, const struct zrr *r)
{
	uint8_t owner[DNAME_MAXLEN];
	int ret;

	if ((ret = dnssec_owner_wire(ZOWNER(z, r), r->owner_len, owner)) < 0)
		return ret;
	return sign_rrs_add(l, owner, r->type, r->rclass, r->ttl,
	    ZRDATA(z, r), r->rdlen);
}

/* Types a signed zone's input must not hold, and TTLs above the
 * policy's zone-max-ttl. */
static int
check_input(struct dnssec_job *j)
{
	const struct change *c = j->c;
	const struct zset *ad = c->added_set;
	const struct zrr *r;
	char owner[DNAME_MAXSTR + 1];
	size_t i;
	int bad = 0;

	for (i = 0; i < c->nadded; i++) {
		r = &ad->rr[c->added[i]];
		if (!sign_type_generated(r->type) && r->type != TYPE_ZONEMD &&
		    r->ttl <= j->p->zone_max_ttl)
			continue;
		snprintf(owner, sizeof(owner), "%.*s", (int)r->owner_len,
		    ZOWNER(ad, r));
		if (r->ttl > j->p->zone_max_ttl && !sign_type_generated(
		    r->type) && r->type != TYPE_ZONEMD)
			hp_problem(c->problem, c->problem_arg, NULL, 0, 0,
			    "%s type %u: TTL %u exceeds zone-max-ttl %u of "
			    "dnssec-policy %s", owner, r->type, r->ttl,
			    j->p->zone_max_ttl, j->p->name);
		else
			hp_problem(c->problem, c->problem_arg, NULL, 0, 0,
			    "%s type %u: DNSSEC records of a signed zone are "
			    "made by hpagent's signer; not accepted as input",
			    owner, r->type);
		bad++;
	}
	if (c->soa_ttl_new > j->p->zone_max_ttl) {
		hp_problem(c->problem, c->problem_arg, NULL, 0, 0, "%s SOA: TTL "
		    "%u exceeds zone-max-ttl %u of dnssec-policy %s", c->apex,
		    c->soa_ttl_new, j->p->zone_max_ttl, j->p->name);
		bad++;
	}
	if (bad > 0)
		snprintf(j->st->err, sizeof(j->st->err), "%d record%s not "
		    "accepted in a signed zone", bad, bad > 1 ? "s" : "");
	return bad > 0 ? HP_EINVALID : 0;
}

/*
 * Direct SQL edits are in `records` already: put the rows back as the
 * version before had them (the removed rows in, the added out, the old
 * SOA), so the signer sees the zone before the change; apply_change()
 * writes them again.
 */
static int
edits_undo(struct store *st, int64_t zone_id, struct change *c)
{
	static const char *const sql[] = {
		"DELETE FROM records WHERE zone_id = ?1 AND owner = ?2 AND "
		"type = ?3 AND class = ?4 AND rdata = ?5",
		"INSERT OR REPLACE INTO records(zone_id, owner, type, class, "
		"ttl, rdata) VALUES (?1, ?2, ?3, ?4, ?6, ?5)",
	};
	sqlite3_stmt *s[2] = { NULL, NULL };
	const struct zset *z;
	const struct zrr *r;
	size_t i, n;
	int k, ret = 0;

	for (k = 0; k < 2 && ret == 0; k++)
		ret = store_prep(st, &s[k], sql[k]);
	/* the added rows out, then the removed rows in, then the SOA */
	for (k = 0; k < 2 && ret == 0; k++) {
		z = k == 0 ? c->added_set : c->removed;
		n = k == 0 ? c->nadded : (z != NULL ? z->n : 0);
		for (i = 0; i < n && ret == 0; i++) {
			r = &z->rr[k == 0 ? c->added[i] : i];
			sqlite3_bind_int64(s[k], 1, zone_id);
			sqlite3_bind_text(s[k], 2, ZOWNER(z, r), r->owner_len,
			    SQLITE_STATIC);
			sqlite3_bind_int(s[k], 3, r->type);
			sqlite3_bind_int(s[k], 4, r->rclass);
			sqlite3_bind_blob(s[k], 5, r->rdlen ? (const void *)
			    ZRDATA(z, r) : "", r->rdlen, SQLITE_STATIC);
			if (k == 1)
				sqlite3_bind_int64(s[k], 6, r->ttl);
			ret = store_step_done(s[k]);
		}
	}
	sqlite3_finalize(s[0]);
	sqlite3_finalize(s[1]);
	if (ret < 0)
		return ret;
	if ((ret = store_prep(st, &s[0], "DELETE FROM records WHERE zone_id = "
	    "?1 AND owner = ?2 AND type = 6")) < 0)
		return ret;
	sqlite3_bind_int64(s[0], 1, zone_id);
	sqlite3_bind_text(s[0], 2, c->apex, -1, SQLITE_STATIC);
	ret = store_step_done(s[0]);
	sqlite3_finalize(s[0]);
	if (ret < 0 || (ret = store_prep(st, &s[0], "INSERT INTO records("
	    "zone_id, owner, type, class, ttl, rdata) VALUES (?, ?, 6, 1, ?, "
	    "?)")) < 0)
		return ret;
	sqlite3_bind_int64(s[0], 1, zone_id);
	sqlite3_bind_text(s[0], 2, c->apex, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s[0], 3, c->soa_ttl_old);
	sqlite3_bind_blob(s[0], 4, c->old_soa, (int)c->old_soa_len,
	    SQLITE_STATIC);
	ret = store_step_done(s[0]);
	sqlite3_finalize(s[0]);
	if (ret == 0)
		c->records_done = 0;
	return ret;
}

/* ---- keys ------------------------------------------------------------- */

/* RRSIGs still made by each key (the rollover waits for none left). */
static int
sigs_left(struct dnssec_job *j, size_t *left)
{
	sqlite3_stmt *s;
	size_t i;
	int ret, rc;

	if ((ret = store_prep(j->st, &s, "SELECT count(*) FROM dnssec_records "
	    "WHERE zone_id = ? AND type = 46 AND keytag = ? AND "
	    "algorithm = ?")) < 0)
		return ret;
	for (i = 0; i < j->nkeys; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, j->zone_id);
		sqlite3_bind_int(s, 2, j->keys[i].keytag);
		sqlite3_bind_int(s, 3, j->keys[i].algorithm);
		if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
			sqlite3_finalize(s);
			return store_sqlerr(rc);
		}
		left[i] = (size_t)sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	return 0;
}

/*
 * The rollover steps due now applied to the zone's keys (the first
 * keys made); the keys saved when they moved. The private keys of the
 * keys that sign now loaded from the keystore.
 */
static int
keys_prepare(struct dnssec_job *j)
{
	struct keys_store *ks = NULL;
	struct roll_input in;
	struct roll_action a;
	size_t left[DNSSEC_MAXKEYS], i, k;
	uint16_t tags[DNSSEC_MAXKEYS];
	char err[512];
	int ret, moved = 0, step;

	if ((ret = dnssec_keys_load(j->st, j->zone_id, j->keys,
	    &j->nkeys)) < 0)
		return ret;
	if (keys_store_open(j->c->sign->keystore, 1, &ks, err,
	    sizeof(err)) < 0) {
		job_say(j, "%s%s", err, "");
		return HP_EKEYSTORE;
	}
	memset(&in, 0, sizeof(in));
	in.now = j->now;
	in.request = j->c->roll_request;
	for (step = 0; step < 16; step++) {
		if ((ret = sigs_left(j, left)) < 0)
			goto out;
		in.sigs_left = left;
		if ((ret = roll_next(j->keys, j->nkeys, j->p, &in, &a)) < 0) {
			job_say(j, "dnssec-policy %s: %s", j->p->name,
			    ret == HP_ENOTSUP ? "the zone's keys have another "
			    "algorithm (an algorithm rollover is not "
			    "implemented)" : hp_strerror(ret));
			goto out;
		}
		if (a.kind == ROLL_NONE || a.kind >= ROLL_WAIT_PROPAGATION ||
		    a.when > j->now)
			break;
		if (a.kind == ROLL_GENERATE) {
			if (j->nkeys == DNSSEC_MAXKEYS) {
				job_say(j, "%s%s", "too many keys at once", "");
				ret = HP_EINVALID;
				goto out;
			}
			for (k = 0; k < j->nkeys; k++)
				tags[k] = j->keys[k].keytag;
			if (keys_store_generate(ks, j->p->algorithm, a.role,
			    tags, j->nkeys, j->now, &j->keys[j->nkeys], NULL,
			    err, sizeof(err)) < 0) {
				job_say(j, "%s%s", err, "");
				ret = HP_EKEYSTORE;
				goto out;
			}
			a.key = (int)j->nkeys++;
			in.request &= a.role == KEYS_ZSK ? ~(unsigned)KEYS_ZSK :
			    ~(unsigned)KEYS_KSK;
			log_info("DNSSEC %s: new %s %u", j->c->apex,
			    keys_role_name(a.role), j->keys[a.key].keytag);
		} else if (a.kind == ROLL_PURGE) {
			/* its state goes; its file stays in the keystore */
			log_info("DNSSEC %s: %s %u purged", j->c->apex,
			    keys_role_name(j->keys[a.key].role),
			    j->keys[a.key].keytag);
			memmove(&j->keys[a.key], &j->keys[a.key + 1],
			    (j->nkeys - (size_t)a.key - 1) * sizeof(j->keys[0]));
			j->nkeys--;
			moved = 1;
			continue;
		}
		if ((ret = roll_apply(j->keys, j->nkeys, &a, j->now)) < 0)
			goto out;
		if (a.kind != ROLL_GENERATE)
			log_info("DNSSEC %s: %s %s %u", j->c->apex,
			    roll_kind_name(a.kind),
			    keys_role_name(j->keys[a.key].role),
			    j->keys[a.key].keytag);
		moved = 1;
	}
	if (moved && (ret = dnssec_keys_save(j->st, j->zone_id, j->keys,
	    j->nkeys)) < 0)
		goto out;
	for (i = 0; i < j->nkeys; i++) {
		if (!keys_signs_zone(&j->keys[i], j->now) &&
		    !keys_signs_dnskey(&j->keys[i], j->now))
			continue;
		if (keys_store_load(ks, &j->keys[i], &j->priv[i], err,
		    sizeof(err)) < 0) {
			job_say(j, "%s%s", err, "");
			ret = HP_EKEYSTORE;
			goto out;
		}
	}
	ret = 0;
out:
	keys_store_close(ks);
	return ret;
}

/* ---- signing ---------------------------------------------------------- */

/* The unsigned change of C as the signer reads it. */
static int
change_rrs(struct dnssec_job *j, struct sign_rrs *del, struct sign_rrs *add)
{
	const struct change *c = j->c;
	size_t i;
	int ret;

	for (i = 0; c->removed != NULL && i < c->removed->n; i++)
		if ((ret = add_zrr(del, c->removed, &c->removed->rr[i])) < 0)
			return ret;
	for (i = 0; i < c->nadded; i++)
		if ((ret = add_zrr(add, c->added_set,
		    &c->added_set->rr[c->added[i]])) < 0)
			return ret;
	if ((ret = sign_rrs_add(del, j->apex, WIRE_TYPE_SOA, 1,
	    c->soa_ttl_old, c->old_soa, c->old_soa_len)) < 0)
		return ret;
	return sign_rrs_add(add, j->apex, WIRE_TYPE_SOA, 1, c->soa_ttl_new,
	    c->new_soa, c->new_soa_len);
}

/* 1 if R is an RRSIG over the apex SOA. */
static int
is_soa_sig(const struct dnssec_job *j, const struct sign_rr *r)
{
	struct rrsig_info ri;

	return r->type == SIGN_T_RRSIG && dname_equal(r->owner, j->apex) &&
	    rrsig_parse(r->rdata, r->rdlen, &ri) == 0 &&
	    ri.covered == WIRE_TYPE_SOA;
}

/* Refreshed signatures, but the SOA's (the change re-signs it). */
static int
refresh_into(struct dnssec_job *j, struct zview *v)
{
	struct sign_result r;
	size_t i;
	int ret;

	sign_result_init(&r);
	if ((ret = sign_zone_refresh(j->ctx, v, REFRESH_BATCH, &r)) < 0)
		goto out;
	for (i = 0; i < r.removed.n && ret == 0; i++)
		if (!is_soa_sig(j, &r.removed.rr[i]))
			ret = sign_rrs_add_rr(&j->del, &r.removed.rr[i]);
	for (i = 0; i < r.added.n && ret == 0; i++)
		if (!is_soa_sig(j, &r.added.rr[i]))
			ret = sign_rrs_add_rr(&j->add, &r.added.rr[i]);
	j->signatures += r.signatures;
	if (r.pending > 0)
		log_info("DNSSEC %s: %zu RRsets left to refresh", j->c->apex,
		    r.pending);
out:
	sign_result_free(&r);
	return ret;
}

static int
move_result(struct dnssec_job *j, struct sign_result *r)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < r->removed.n && ret == 0; i++)
		ret = sign_rrs_add_rr(&j->del, &r->removed.rr[i]);
	for (i = 0; i < r->added.n && ret == 0; i++)
		ret = sign_rrs_add_rr(&j->add, &r->added.rr[i]);
	j->signatures += r->signatures;
	return ret;
}

int
dnssec_begin(struct store *st, int64_t zone_id, struct change *c,
    time_t now, struct dnssec_job **out)
{
	struct dnssec_job *j;
	struct sign_keys keys;
	struct sign_result r;
	struct sign_rrs del, add;
	struct zview v;
	char chain[600], err[512];
	int ret;

	*out = NULL;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return HP_ENOMEM;
	j->st = st;
	j->zone_id = zone_id;
	j->c = c;
	j->now = (int64_t)now;
	j->p = c->sign->policy;
	sign_rrs_init(&j->del);
	sign_rrs_init(&j->add);
	*out = j;
	if (dname_from_str(c->apex, j->apex, NULL) < 0)
		return HP_EINVAL;
	dname_lower(j->apex);
	if ((ret = check_input(j)) < 0)
		return ret;
	if (c->records_done && (ret = edits_undo(st, zone_id, c)) < 0)
		return ret;
	if ((ret = keys_prepare(j)) < 0)
		return ret;
	keys.st = j->keys;
	keys.priv = j->priv;
	keys.n = j->nkeys;
	if (sign_ctx_new(j->apex, j->p, &keys, j->now, &j->ctx, err,
	    sizeof(err)) < 0) {
		job_say(j, "%s%s", err, "");
		return HP_EINVALID;
	}
	if ((ret = dnssec_view_new(st, zone_id, &j->view)) < 0)
		return ret;
	store_dnssec_chain(j->p, j->chain, sizeof(j->chain));
	ret = zone_chain(st, zone_id, chain, sizeof(chain));
	if (ret == HP_ENOENT || !c->has_prev) {
		j->full = j->first = 1;
		return 0;
	}
	if (ret < 0)
		return ret;
	if (strcmp(chain, j->chain) != 0 || c->resign == STORE_RESIGN_FULL) {
		j->full = 1;
		snprintf(j->why, sizeof(j->why), "%s", c->resign ==
		    STORE_RESIGN_FULL ? "asked" : "a new chain");
		return 0;
	}
	v = dnssec_view_zview(j->view);
	sign_rrs_init(&del);
	sign_rrs_init(&add);
	sign_result_init(&r);
	if ((ret = change_rrs(j, &del, &add)) == 0 &&
	    (ret = sign_zone_update(j->ctx, &v, del.rr, del.n, add.rr, add.n,
	    &r)) == 0) {
		if (r.full_needed) {
			j->full = 1;
			snprintf(j->why, sizeof(j->why), "%s",
			    sign_ctx_error(j->ctx));
		} else
			ret = move_result(j, &r);
	} else if (ret < 0 && ret != HP_ENOMEM && ret != HP_ESTORE)
		job_say(j, "%s%s", sign_ctx_error(j->ctx), "");
	sign_result_free(&r);
	sign_rrs_free(&del);
	sign_rrs_free(&add);
	if (ret == 0 && !j->full && c->resign == STORE_RESIGN_REFRESH)
		ret = refresh_into(j, &v);
	return ret;
}

/* The rows SQL (owner, type, class, ttl, rdata; ?1 = the zone) into OUT. */
static int
read_all(struct dnssec_job *j, const char *sql, struct sign_rrs *out)
{
	sqlite3_stmt *s;
	int ret;

	if ((ret = store_prep(j->st, &s, sql)) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, j->zone_id);
	ret = dnssec_rows(s, out);
	sqlite3_finalize(s);
	return ret;
}

/* The whole zone signed; the generated records it had replaced. */
static int
sign_whole(struct dnssec_job *j)
{
	struct sign_rrs zone, old;
	struct sign_result r;
	int ret;

	sign_rrs_init(&zone);
	sign_rrs_init(&old);
	sign_result_init(&r);
	if (!j->first)
		log_info("DNSSEC %s: signing the whole zone (%s)", j->c->apex,
		    j->why);
	if ((ret = read_all(j, "SELECT owner, type, class, ttl, rdata FROM "
	    "records WHERE zone_id = ? ORDER BY owner", &zone)) < 0)
		goto out;
	if ((ret = sign_zone_full(j->ctx, zone.rr, zone.n, &r)) < 0) {
		if (ret != HP_ENOMEM)
			job_say(j, "%s%s", sign_ctx_error(j->ctx), "");
		goto out;
	}
	sign_rrs_free(&zone);
	j->signatures += r.signatures;
	if ((ret = read_all(j, "SELECT owner, type, class, ttl, rdata FROM "
	    "dnssec_records WHERE zone_id = ? ORDER BY canon", &old)) < 0)
		goto out;
	if (old.n == 0) {
		/* the usual first signing: every generated RR is new */
		sign_rrs_free(&j->add);
		j->add = r.added;
		sign_rrs_init(&r.added);
	} else
		ret = sign_rrs_diff(&old, &r.added, &j->del, &j->add);
out:
	sign_rrs_free(&zone);
	sign_rrs_free(&old);
	sign_result_free(&r);
	return ret;
}

/* The generated records written, and journaled when there is a journal. */
static int
write_generated(struct dnssec_job *j, int64_t version_id)
{
	sqlite3_stmt *del = NULL, *ins = NULL, *jr = NULL;
	uint8_t key[CANON_KEY_MAX];
	char owner[DNAME_MAXSTR];
	struct rrsig_info ri;
	const struct sign_rr *r;
	int64_t seq[2] = { 0, 0 };
	size_t i, klen;
	int k, ret;

	if ((ret = store_prep(j->st, &del, "DELETE FROM dnssec_records WHERE "
	    "zone_id = ? AND canon = ? AND type = ? AND rdata = ?")) < 0 ||
	    (ret = store_prep(j->st, &ins, "INSERT OR REPLACE INTO "
	    "dnssec_records(zone_id, canon, owner, type, class, ttl, rdata, "
	    "covered, keytag, algorithm, expiration) VALUES (?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?, ?)")) < 0)
		goto out;
	if (j->c->has_prev) {
		for (k = 0; k < 2; k++) {
			char sql[128];

			snprintf(sql, sizeof(sql), "SELECT coalesce(max(seq) + "
			    "1, 0) FROM journal WHERE version_id = %lld AND "
			    "op = %d", (long long)version_id, k);
			if ((ret = store_get_int(j->st, sql, &seq[k])) < 0)
				goto out;
		}
		if ((ret = store_prep(j->st, &jr, "INSERT INTO journal("
		    "version_id, op, seq, owner, type, class, ttl, rdata) "
		    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) < 0)
			goto out;
	}
	for (k = 0; k < 2; k++) {
		const struct sign_rrs *l = k == 0 ? &j->del : &j->add;

		for (i = 0; i < l->n; i++) {
			r = &l->rr[i];
			klen = canon_key(r->owner, key);
			if ((ret = dname_to_str(r->owner, owner,
			    sizeof(owner))) < 0)
				goto out;
			if (k == 0) {
				sqlite3_bind_int64(del, 1, j->zone_id);
				sqlite3_bind_blob(del, 2, key, (int)klen,
				    SQLITE_STATIC);
				sqlite3_bind_int(del, 3, r->type);
				sqlite3_bind_blob(del, 4, r->rdlen ? (const
				    void *)r->rdata : "", r->rdlen,
				    SQLITE_STATIC);
				if ((ret = store_step_done(del)) < 0)
					goto out;
			} else {
				sqlite3_bind_int64(ins, 1, j->zone_id);
				sqlite3_bind_blob(ins, 2, key, (int)klen,
				    SQLITE_STATIC);
				sqlite3_bind_text(ins, 3, owner, -1,
				    SQLITE_STATIC);
				sqlite3_bind_int(ins, 4, r->type);
				sqlite3_bind_int(ins, 5, r->rclass);
				sqlite3_bind_int64(ins, 6, r->ttl);
				sqlite3_bind_blob(ins, 7, r->rdlen ? (const
				    void *)r->rdata : "", r->rdlen,
				    SQLITE_STATIC);
				if (r->type == SIGN_T_RRSIG && rrsig_parse(
				    r->rdata, r->rdlen, &ri) == 0) {
					sqlite3_bind_int(ins, 8, ri.covered);
					sqlite3_bind_int(ins, 9, ri.keytag);
					sqlite3_bind_int(ins, 10, ri.algorithm);
					sqlite3_bind_int64(ins, 11,
					    ri.expiration);
				} else
					for (int b = 8; b <= 11; b++)
						sqlite3_bind_null(ins, b);
				if ((ret = store_step_done(ins)) < 0)
					goto out;
			}
			if (jr == NULL)
				continue;
			sqlite3_bind_int64(jr, 1, version_id);
			sqlite3_bind_int(jr, 2, k);
			sqlite3_bind_int64(jr, 3, seq[k]++);
			sqlite3_bind_text(jr, 4, owner, -1, SQLITE_STATIC);
			sqlite3_bind_int(jr, 5, r->type);
			sqlite3_bind_int(jr, 6, r->rclass);
			sqlite3_bind_int64(jr, 7, r->ttl);
			sqlite3_bind_blob(jr, 8, r->rdlen ? (const void *)
			    r->rdata : "", r->rdlen, SQLITE_STATIC);
			if ((ret = store_step_done(jr)) < 0)
				goto out;
		}
	}
	ret = 0;
out:
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	sqlite3_finalize(jr);
	return ret;
}

/* dnssec_names: OWNER (text, LEN) in or out as `records` has it now. */
static int
name_sync(struct dnssec_job *j, sqlite3_stmt *has, sqlite3_stmt *ins,
    sqlite3_stmt *del, const char *owner, size_t len, int known)
{
	uint8_t wire[DNAME_MAXLEN], key[CANON_KEY_MAX];
	size_t klen;
	int rc, ret;

	if ((ret = dnssec_owner_wire(owner, len, wire)) < 0)
		return ret;
	klen = canon_key(wire, key);
	if (known) {
		sqlite3_bind_int64(ins, 1, j->zone_id);
		sqlite3_bind_blob(ins, 2, key, (int)klen, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, owner, (int)len, SQLITE_STATIC);
		return store_step_done(ins);
	}
	sqlite3_reset(has);
	sqlite3_bind_int64(has, 1, j->zone_id);
	sqlite3_bind_text(has, 2, owner, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(has);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(rc);
	if (rc == SQLITE_ROW) {
		sqlite3_bind_int64(ins, 1, j->zone_id);
		sqlite3_bind_blob(ins, 2, key, (int)klen, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, owner, (int)len, SQLITE_STATIC);
		return store_step_done(ins);
	}
	sqlite3_bind_int64(del, 1, j->zone_id);
	sqlite3_bind_blob(del, 2, key, (int)klen, SQLITE_STATIC);
	return store_step_done(del);
}

/* The owners in canonical order: all of them after a whole signing, the
 * owners the change touched otherwise. */
static int
names_update(struct dnssec_job *j)
{
	sqlite3_stmt *has = NULL, *ins = NULL, *del = NULL, *all = NULL;
	const struct change *c = j->c;
	const struct zrr *r;
	size_t i;
	int rc, ret;

	if ((ret = store_prep(j->st, &has, "SELECT 1 FROM records WHERE "
	    "zone_id = ? AND owner = ? LIMIT 1")) < 0 ||
	    (ret = store_prep(j->st, &ins, "INSERT OR IGNORE INTO dnssec_names"
	    "(zone_id, canon, owner) VALUES (?, ?, ?)")) < 0 ||
	    (ret = store_prep(j->st, &del, "DELETE FROM dnssec_names WHERE "
	    "zone_id = ? AND canon = ?")) < 0)
		goto out;
	if (j->full) {
		static const char *const clear[] = {
			"DELETE FROM dnssec_names WHERE zone_id = ?1",
		};

		if ((ret = store_run_id(j->st, clear, 1, j->zone_id)) < 0 ||
		    (ret = store_prep(j->st, &all, "SELECT DISTINCT owner "
		    "FROM records WHERE zone_id = ?")) < 0)
			goto out;
		sqlite3_bind_int64(all, 1, j->zone_id);
		while ((rc = sqlite3_step(all)) == SQLITE_ROW) {
			if ((ret = name_sync(j, has, ins, del,
			    (const char *)sqlite3_column_text(all, 0),
			    (size_t)sqlite3_column_bytes(all, 0), 1)) < 0)
				goto out;
		}
		ret = rc == SQLITE_DONE ? 0 : store_sqlerr(rc);
		goto out;
	}
	for (i = 0; c->removed != NULL && i < c->removed->n; i++) {
		r = &c->removed->rr[i];
		if ((ret = name_sync(j, has, ins, del, ZOWNER(c->removed, r),
		    r->owner_len, 0)) < 0)
			goto out;
	}
	for (i = 0; i < c->nadded; i++) {
		r = &c->added_set->rr[c->added[i]];
		if ((ret = name_sync(j, has, ins, del, ZOWNER(c->added_set, r),
		    r->owner_len, 0)) < 0)
			goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(has);
	sqlite3_finalize(ins);
	sqlite3_finalize(del);
	sqlite3_finalize(all);
	return ret;
}

/* The zone's row: chain, times, when the signer has work next. */
static int
zone_row(struct dnssec_job *j)
{
	struct zview v = dnssec_view_zview(j->view);
	struct roll_input in;
	struct roll_action a;
	sqlite3_stmt *s;
	int64_t refresh = 0;
	const char *waiting = NULL;
	char wbuf[64];
	int ret;

	if ((ret = sign_zone_next_refresh(j->ctx, &v, &refresh)) < 0)
		return ret;
	memset(&in, 0, sizeof(in));
	in.now = j->now;
	if ((ret = roll_next(j->keys, j->nkeys, j->p, &in, &a)) < 0)
		return ret;
	if (a.kind >= ROLL_WAIT_PROPAGATION && a.key >= 0) {
		snprintf(wbuf, sizeof(wbuf), "%s %s %u",
		    roll_kind_name(a.kind),
		    keys_role_name(j->keys[a.key].role),
		    j->keys[a.key].keytag);
		waiting = wbuf;
	}
	if ((ret = store_prep(j->st, &s, "INSERT INTO dnssec_zones(zone_id, "
	    "policy, chain, signed, updated, refresh, roll, waiting) VALUES "
	    "(?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7) ON CONFLICT(zone_id) DO UPDATE "
	    "SET policy = ?2, chain = ?3, signed = CASE WHEN ?8 THEN ?4 ELSE "
	    "signed END, updated = ?4, refresh = ?5, roll = ?6, "
	    "waiting = ?7")) < 0)
		return ret;
	sqlite3_bind_int64(s, 1, j->zone_id);
	sqlite3_bind_text(s, 2, j->p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, j->chain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, j->now);
	if (refresh > 0)
		sqlite3_bind_int64(s, 5, refresh);
	if (a.kind != ROLL_NONE && a.kind < ROLL_WAIT_PROPAGATION && a.when)
		sqlite3_bind_int64(s, 6, a.when);
	else if (a.next > 0)
		sqlite3_bind_int64(s, 6, a.next);
	if (waiting != NULL)
		sqlite3_bind_text(s, 7, waiting, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 8, j->full);
	ret = store_step_done(s);
	sqlite3_finalize(s);
	return ret;
}

int
dnssec_finish(struct dnssec_job *j, int64_t version_id)
{
	int ret;

	if (j->full && (ret = sign_whole(j)) < 0)
		return ret;
	if ((ret = write_generated(j, version_id)) < 0 ||
	    (ret = names_update(j)) < 0 ||
	    (ret = zone_row(j)) < 0)
		return ret;
	log_debug("DNSSEC %s: serial %u signed%s: generated -%zu +%zu, %zu "
	    "signatures", j->c->apex, j->c->new_serial, j->full ? " whole" :
	    "", j->del.n, j->add.n, j->signatures);
	return 0;
}

void
dnssec_job_free(struct dnssec_job *j)
{
	size_t i;

	if (j == NULL)
		return;
	sign_ctx_free(j->ctx);
	dnssec_view_free(j->view);
	for (i = 0; i < j->nkeys; i++)
		keys_key_free(j->priv[i]);
	sign_rrs_free(&j->del);
	sign_rrs_free(&j->add);
	free(j);
}
