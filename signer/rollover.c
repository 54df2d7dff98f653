/* rollover.c -- see rollover.h. SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "dns/err.h"
#include "signer/rollover.h"

static const char *kind_names[] = {
	"none", "generate", "activate", "ready", "resigned", "remove",
	"purge", "wait-propagation", "wait-ds", "wait-resign",
};

const char *
roll_kind_name(enum roll_kind kind)
{
	if ((size_t)kind < sizeof(kind_names) / sizeof(kind_names[0]))
		return kind_names[kind];
	return "?";
}

static int
live(const struct keys_state *k)
{
	return k->publish != 0 && k->remove == 0;
}

/*
 * Candidate actions are gathered; the best one wins: an action due now,
 * else a wait, else the action due first. NEXT keeps the time of the
 * first action due later.
 */
struct pick {
	struct roll_action best;
	int have;
	int64_t now;
	int64_t next;
};

static int
rank(const struct pick *p, enum roll_kind kind, int64_t when)
{
	if (kind >= ROLL_WAIT_PROPAGATION)
		return 1;
	return when <= p->now ? 0 : 2;
}

static void
offer(struct pick *p, enum roll_kind kind, int key, int other, uint8_t role,
    int64_t when)
{
	int r = rank(p, kind, when), rb;

	if (kind < ROLL_WAIT_PROPAGATION && when > p->now &&
	    (p->next == 0 || when < p->next))
		p->next = when;
	if (p->have) {
		rb = rank(p, p->best.kind, p->best.when);
		if (r > rb || (r == rb && (r == 1 || when >= p->best.when)))
			return;
	}
	p->best.kind = kind;
	p->best.key = key;
	p->best.other = other;
	p->best.role = role;
	p->best.when = kind >= ROLL_WAIT_PROPAGATION ? 0 : when;
	p->have = 1;
}

/* After K's last step reached every secondary, wait DELAY more; else
 * wait for the confirmation. */
static void
after_seen(struct pick *p, const struct keys_state *k, int i,
    enum roll_kind kind, int other, int64_t delay)
{
	if (k->seen == 0)
		offer(p, ROLL_WAIT_PROPAGATION, i, -1, 0, 0);
	else
		offer(p, kind, i, other, 0, k->seen + delay);
}

/* The newest live key of exactly ROLE (ZSK) or with the KSK bit. */
static int
newest(const struct keys_state *keys, size_t n, uint8_t role, int ksk)
{
	int best = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!live(&keys[i]) || (ksk ? !(keys[i].role & KEYS_KSK) :
		    keys[i].role != role))
			continue;
		if (best < 0 || keys[i].created > keys[best].created)
			best = (int)i;
	}
	return best;
}

/* ZSK pre-publication (role exactly ZSK). */
static void
zsk_steps(const struct keys_state *keys, size_t n,
    const struct sign_policy *p, const struct roll_input *in,
    struct pick *pk)
{
	int64_t ipub = (int64_t)p->dnskey_ttl + p->propagation_delay;
	int cur = -1, next = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct keys_state *k = &keys[i];

		if (k->role != KEYS_ZSK || !live(k))
			continue;
		if (k->active != 0 && k->retire == 0)
			cur = (int)i;
		else if (k->active == 0)
			next = (int)i;
	}
	if (cur < 0 && next < 0) {
		offer(pk, ROLL_GENERATE, -1, -1, KEYS_ZSK, in->now);
		return;
	}
	if (next >= 0) {
		if (cur < 0)	/* a lone published ZSK: sign now */
			offer(pk, ROLL_ACTIVATE, next, -1, 0, in->now);
		else
			after_seen(pk, &keys[next], next, ROLL_ACTIVATE, cur,
			    ipub);
	} else if (in->request & KEYS_ZSK)
		offer(pk, ROLL_GENERATE, -1, -1, KEYS_ZSK, in->now);
	else if (p->zsk_lifetime != 0)
		offer(pk, ROLL_GENERATE, -1, -1, KEYS_ZSK, keys[cur].active +
		    p->zsk_lifetime - ipub);
}

/* A retired ZSK: signatures replaced, then removal. */
static void
zsk_retired(const struct keys_state *k, int i, const struct sign_policy *p,
    const struct roll_input *in, struct pick *pk)
{
	if (k->resigned == 0) {
		if (in->sigs_left != NULL && in->sigs_left[i] == 0)
			offer(pk, ROLL_RESIGNED, i, -1, 0, in->now);
		else
			offer(pk, ROLL_WAIT_RESIGN, i, -1, 0, 0);
		return;
	}
	after_seen(pk, k, i, ROLL_REMOVE, -1, (int64_t)p->zone_max_ttl +
	    p->propagation_delay);
}

/* KSK or CSK: double signature. */
static void
ksk_steps(const struct keys_state *keys, size_t n,
    const struct sign_policy *p, const struct roll_input *in,
    struct pick *pk)
{
	uint8_t role = p->single_type ? KEYS_CSK : KEYS_KSK;
	int64_t ipub = (int64_t)p->dnskey_ttl + p->propagation_delay;
	int cur = newest(keys, n, 0, 1);
	size_t i;

	if (cur < 0) {
		offer(pk, ROLL_GENERATE, -1, -1, role, in->now);
		return;
	}
	if (keys[cur].ready == 0) {
		after_seen(pk, &keys[cur], cur, ROLL_READY, -1, ipub);
		return;
	}
	if (keys[cur].ds_seen == 0) {
		offer(pk, ROLL_WAIT_DS, cur, -1, 0, 0);
		return;
	}
	/* the new key's DS is at the parent: older KSKs leave */
	for (i = 0; i < n; i++)
		if ((int)i != cur && (keys[i].role & KEYS_KSK) &&
		    live(&keys[i]))
			offer(pk, ROLL_REMOVE, (int)i, -1, 0, keys[cur].ds_seen +
			    (int64_t)p->parent_ds_ttl + p->propagation_delay);
	if (in->request & KEYS_KSK)
		offer(pk, ROLL_GENERATE, -1, -1, role, in->now);
	else if (p->ksk_lifetime != 0)
		offer(pk, ROLL_GENERATE, -1, -1, role, keys[cur].active +
		    p->ksk_lifetime);
}

int
roll_next(const struct keys_state *keys, size_t n,
    const struct sign_policy *p, const struct roll_input *in,
    struct roll_action *out)
{
	struct pick pk;
	size_t i;

	memset(&pk, 0, sizeof(pk));
	pk.now = in->now;
	for (i = 0; i < n; i++)
		if (live(&keys[i]) && keys[i].algorithm != p->algorithm)
			return HP_ENOTSUP;
	ksk_steps(keys, n, p, in, &pk);
	if (!p->single_type)
		zsk_steps(keys, n, p, in, &pk);
	for (i = 0; i < n; i++) {
		const struct keys_state *k = &keys[i];

		if (k->remove != 0)
			after_seen(&pk, k, (int)i, ROLL_PURGE, -1,
			    (int64_t)p->dnskey_ttl + p->propagation_delay);
		else if (k->role == KEYS_ZSK && k->retire != 0)
			zsk_retired(k, (int)i, p, in, &pk);
	}
	if (!pk.have) {
		memset(out, 0, sizeof(*out));
		out->key = out->other = -1;
		return 0;
	}
	if (pk.best.when != 0 && pk.best.when < in->now &&
	    pk.best.kind < ROLL_WAIT_PROPAGATION)
		pk.best.when = in->now;
	*out = pk.best;
	out->next = pk.next;
	return 0;
}

static void
stepped(struct keys_state *k, int64_t now)
{
	k->step = now;
	k->seen = 0;
}

/* Is another key of the same kind signing (not the first key)? */
static int
others_sign(const struct keys_state *keys, size_t n, int self, int ksk)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((int)i != self && live(&keys[i]) && keys[i].active != 0 &&
		    keys[i].retire == 0 && (ksk ? (keys[i].role & KEYS_KSK) :
		    keys[i].role == KEYS_ZSK))
			return 1;
	return 0;
}

int
roll_apply(struct keys_state *keys, size_t n, const struct roll_action *a,
    int64_t now)
{
	struct keys_state *k;

	if (a->key < 0 || (size_t)a->key >= n)
		return HP_EINVAL;
	k = &keys[a->key];
	switch (a->kind) {
	case ROLL_GENERATE:
		k->publish = now;
		/* a KSK/CSK signs from the start (double signature); a ZSK
		 * is pre-published unless it is the zone's first */
		if ((k->role & KEYS_KSK) || !others_sign(keys, n, a->key, 0))
			k->active = now;
		stepped(k, now);
		return 0;
	case ROLL_ACTIVATE:
		k->active = now;
		stepped(k, now);
		if (a->other >= 0 && (size_t)a->other < n) {
			keys[a->other].retire = now;
			stepped(&keys[a->other], now);
		}
		return 0;
	case ROLL_READY:
		k->ready = now;
		stepped(k, now);
		return 0;
	case ROLL_RESIGNED:
		k->resigned = now;
		stepped(k, now);
		return 0;
	case ROLL_REMOVE:
		if (k->retire == 0)
			k->retire = now;
		k->remove = now;
		stepped(k, now);
		return 0;
	case ROLL_PURGE:
		return 0;
	default:
		return HP_EINVAL;
	}
}

void
roll_confirm(struct keys_state *keys, size_t n, int64_t version_time,
    int64_t at)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (keys[i].step != 0 && keys[i].step <= version_time &&
		    keys[i].seen == 0)
			keys[i].seen = at;
}

void
roll_ds_seen(struct keys_state *k, int64_t at)
{
	if (k->ds_seen == 0)
		k->ds_seen = at;
}
