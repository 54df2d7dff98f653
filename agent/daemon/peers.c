/*
 * peers.c -- the addresses that may open a DNS TCP connection (see
 * peers.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "agent/conf/conf.h"
#include "agent/daemon/peers.h"
#include "dns/err.h"

/*
 * The lists of a zone that admit a TCP client, and whether the port of an
 * entry is the client's (provide-xfr: ADDR@PORT names where the query
 * comes from) or a destination (notify: ADDR@PORT is where NOTIFYs go;
 * the secondary's SOA queries and transfers come from any port). The
 * addresses of allow-update: rules (dynamic updates and their SOA
 * queries) are taken too, their port the client's (add_updates()).
 */
static const struct {
	size_t off;
	int client_port;
} lists[] = {
	{ offsetof(struct conf_zone, provide_xfr), 1 },
	{ offsetof(struct conf_zone, notify), 0 },
};

static int
same_entry(const struct conf_acl *a, const struct conf_acl *b)
{
	return a->family == b->family && a->kind == b->kind &&
	    a->prefix == b->prefix && a->port == b->port &&
	    memcmp(a->addr, b->addr, sizeof(a->addr)) == 0 &&
	    memcmp(a->addr_hi, b->addr_hi, sizeof(a->addr_hi)) == 0;
}

static int
cmp_entry(const void *x, const void *y)
{
	const struct conf_acl *a = x, *b = y;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->prefix != b->prefix)
		return a->prefix < b->prefix ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (memcmp(a->addr, b->addr, sizeof(a->addr)) != 0)
		return memcmp(a->addr, b->addr, sizeof(a->addr));
	return memcmp(a->addr_hi, b->addr_hi, sizeof(a->addr_hi));
}

/* The allow-update: rules of CFG's zones (BLOCKED ones aside) into P->v
 * from P->n on, or (V NULL) only counted into *N. */
static void
add_updates(const struct conf *cfg, struct peers *p, size_t *n)
{
	const struct conf_zone *z;
	const struct conf_update *u;

	for (z = cfg->zones; z != NULL; z = z->next)
		for (u = z->allow_update; u != NULL; u = u->next) {
			if (p->v == NULL) {
				(*n)++;
				continue;
			}
			if (u->acl.action == ACL_BLOCKED)
				continue;
			p->v[p->n] = u->acl;
			p->v[p->n].text = NULL;
			p->v[p->n].key = NULL;
			p->v[p->n].next = NULL;
			p->n++;
		}
}

int
peers_build(const struct conf *cfg, struct peers *p)
{
	const struct conf_zone *z;
	const struct conf_acl *a;
	size_t i, j, n = 0;

	memset(p, 0, sizeof(*p));
	for (z = cfg->zones; z != NULL; z = z->next)
		for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
			for (a = *(struct conf_acl *const *)((const char *)z +
			    lists[i].off); a != NULL; a = a->next)
				n++;
	add_updates(cfg, p, &n);
	if (n == 0)
		return 0;
	if ((p->v = calloc(n, sizeof(*p->v))) == NULL) {
		p->all = 1;
		return HP_ENOMEM;
	}
	for (z = cfg->zones; z != NULL; z = z->next)
		for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
			for (a = *(struct conf_acl *const *)((const char *)z +
			    lists[i].off); a != NULL; a = a->next) {
				if (a->action == ACL_BLOCKED)
					continue;
				p->v[p->n] = *a;
				p->v[p->n].text = NULL;
				p->v[p->n].key = NULL;
				p->v[p->n].next = NULL;
				if (!lists[i].client_port)
					p->v[p->n].port = 0;
				p->n++;
			}
	add_updates(cfg, p, &n);
	qsort(p->v, p->n, sizeof(*p->v), cmp_entry);
	for (i = j = 0; i < p->n; i++)
		if (j == 0 || !same_entry(&p->v[j - 1], &p->v[i]))
			p->v[j++] = p->v[i];
	p->n = j;
	return 0;
}

void
peers_free(struct peers *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}

int
peers_listed(const struct peers *p, const struct sockaddr *sa)
{
	size_t i;

	if (p->all)
		return 1;
	for (i = 0; i < p->n; i++)
		if (conf_acl_match(&p->v[i], sa))
			return 1;
	return 0;
}
