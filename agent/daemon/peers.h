/*
 * peers.h -- who may open a DNS TCP connection at all: the addresses the
 * configuration names for a zone in a list that admits a TCP client
 * (provide-xfr:, notify:; allow-update: when dynamic updates are served),
 * gathered once per configuration so that the check at accept time costs
 * one pass over distinct entries, not over every zone.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_PEERS_H
#define HP_PEERS_H

#include <stddef.h>
#include <sys/socket.h>

struct conf;
struct conf_acl;

struct peers {
	struct conf_acl *v;	/* copies: address part only, distinct */
	size_t n;
	int all;		/* could not be built: everyone may */
};

/* Gather CFG's entries into *P (freed with peers_free). 0 or HP_ENOMEM
 * (then *P admits everyone: refusing every secondary would be worse). */
int peers_build(const struct conf *cfg, struct peers *p);
void peers_free(struct peers *p);
/* 1 when SA may connect: an entry matches it (a BLOCKED one never does);
 * also 1 for a P that could not be built. */
int peers_listed(const struct peers *p, const struct sockaddr *sa);

#endif
