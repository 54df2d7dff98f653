/*
 * update.c -- allow-update: rules, who may send RFC 2136 UPDATEs to a
 * zone and what they may change: parsed once at load, matched for each
 * UPDATE (and each SOA query of an updating client) by the daemon.
 *
 *   allow-update: ADDR[/N][@PORT] KEY|NOKEY|BLOCKED [name=GLOB[,GLOB...]]
 *                 [type=TYPE[,TYPE...]]
 *
 * GLOBs are fnmatch(3) patterns (no FNM_PATHNAME: '*' matches dots too),
 * matched without case against the owner relative to the apex ("@" for
 * the apex itself); TYPEs are mnemonics (TXT) or TYPEnnn. Without type=
 * a rule allows any type but the SOA (the serial is hpagent's to set).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libknot/libknot.h>

#include "agent/conf/conf.h"
#include "agent/conf/conf_int.h"
#include "dns/err.h"
#include "dns/wire.h"

#define UPD_MAX_ITEMS	64	/* globs or types in one rule */

static int
upd_msg(char *msg, size_t msglen, const char *fmt, const char *arg)
{
	if (msg != NULL && msglen > 0)
		snprintf(msg, msglen, fmt, arg);
	return HP_EINVAL;
}

/* The comma-separated items of LIST (LEN octets) into *OUT (malloc'ed,
 * each malloc'ed), lowercased; their number, or HP_EINVAL. */
static int
upd_split(const char *list, char ***out, char *msg, size_t msglen)
{
	char **v;
	const char *p = list, *q;
	size_t n;
	int cnt = 0, i;

	if ((v = calloc(UPD_MAX_ITEMS, sizeof(*v))) == NULL)
		return HP_ENOMEM;
	for (;;) {
		q = strchr(p, ',');
		n = q != NULL ? (size_t)(q - p) : strlen(p);
		if (n == 0 || n > 255 || cnt == UPD_MAX_ITEMS) {
			for (i = 0; i < cnt; i++)
				free(v[i]);
			free(v);
			return upd_msg(msg, msglen, n == 0 ? "empty item in "
			    "'%s'" : "too many or too long items in '%s'",
			    list);
		}
		if ((v[cnt] = malloc(n + 1)) == NULL)
			break;
		for (i = 0; i < (int)n; i++)
			v[cnt][i] = (char)tolower((unsigned char)p[i]);
		v[cnt++][n] = '\0';
		if (q == NULL) {
			*out = v;
			return cnt;
		}
		p = q + 1;
	}
	for (i = 0; i < cnt; i++)
		free(v[i]);
	free(v);
	return HP_ENOMEM;
}

static void
upd_free_list(char **v, int n)
{
	int i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

static int
upd_types(struct conf_update *u, const char *list, char *msg, size_t msglen)
{
	char **v, up[260];
	size_t k;
	int n, i;

	if ((n = upd_split(list, &v, msg, msglen)) < 0)
		return n;
	if ((u->types = calloc((size_t)n, sizeof(*u->types))) == NULL) {
		upd_free_list(v, n);
		return HP_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		for (k = 0; v[i][k] != '\0'; k++)
			up[k] = (char)toupper((unsigned char)v[i][k]);
		up[k] = '\0';
		if (knot_rrtype_from_string(up, &u->types[i]) != 0 ||
		    u->types[i] == 0 || u->types[i] == WIRE_TYPE_OPT ||
		    (u->types[i] >= 128 && u->types[i] != WIRE_TYPE_ANY) ||
		    u->types[i] == WIRE_TYPE_TSIG) {
			upd_msg(msg, msglen, "type=: '%s' is not a record "
			    "type (TXT, A, TYPE65280 ...; ANY: every type)",
			    v[i]);
			upd_free_list(v, n);
			return HP_EINVAL;
		}
	}
	u->ntypes = n;
	upd_free_list(v, n);
	return 0;
}

int
conf_parse_update(const struct conf *cfg, const char *value,
    struct conf_update *u, char *msg, size_t msglen)
{
	char tok[4][512];
	char acl[1100];
	const char *p = value, *q;
	size_t n;
	int nt = 0, i, r;

	memset(u, 0, sizeof(*u));
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		for (q = p; *q != '\0' && !isspace((unsigned char)*q); q++)
			;
		n = (size_t)(q - p);
		if (nt == 4)
			return upd_msg(msg, msglen, "unexpected '%s' (expected:"
			    " ADDRESS KEY|NOKEY|BLOCKED [name=GLOB,...] "
			    "[type=TYPE,...])", p);
		if (n >= sizeof(tok[0]))
			return upd_msg(msg, msglen, "%s", "value too long");
		memcpy(tok[nt], p, n);
		tok[nt++][n] = '\0';
		p = q;
	}
	if (nt < 2)
		return upd_msg(msg, msglen, "%s", "expected: ADDRESS "
		    "KEY|NOKEY|BLOCKED [name=GLOB,...] [type=TYPE,...]");
	snprintf(acl, sizeof(acl), "%s %s", tok[0], tok[1]);
	if ((r = conf_parse_acl(cfg, acl, &u->acl, msg, msglen)) < 0)
		return r;
	for (i = 2; i < nt; i++) {
		if (strncmp(tok[i], "name=", 5) == 0 && u->names == NULL) {
			if ((r = upd_split(tok[i] + 5, &u->names, msg,
			    msglen)) < 0)
				goto fail;
			u->nnames = r;
		} else if (strncmp(tok[i], "type=", 5) == 0 &&
		    u->types == NULL) {
			if ((r = upd_types(u, tok[i] + 5, msg, msglen)) < 0)
				goto fail;
		} else {
			r = upd_msg(msg, msglen, "unexpected '%s' (name=GLOB,"
			    "... or type=TYPE,..., each once)", tok[i]);
			goto fail;
		}
	}
	/* the whole value, for the logs */
	free(u->acl.text);
	if ((u->acl.text = strdup(value)) == NULL) {
		r = HP_ENOMEM;
		goto fail;
	}
	return 0;
fail:
	conf_update_clear(u);
	return r;
}

void
conf_update_clear(struct conf_update *u)
{
	if (u == NULL)
		return;
	conf_acl_clear(&u->acl);
	upd_free_list(u->names, u->nnames);
	free(u->types);
	u->names = NULL;
	u->types = NULL;
	u->nnames = u->ntypes = 0;
}

/* 1 when rule U names the client at SA with KEY (NULL: unsigned). */
static int
upd_client(const struct conf_update *u, const struct sockaddr *sa,
    const struct conf_key *key)
{
	if (!conf_acl_match(&u->acl, sa))
		return 0;
	if (u->acl.action == ACL_NOKEY)
		return key == NULL;
	return u->acl.action == ACL_KEY && key != NULL && u->acl.key == key;
}

/* A BLOCKED rule for SA's address wins wherever it is (as provide-xfr:). */
static int
upd_blocked(const struct conf_zone *z, const struct sockaddr *sa)
{
	const struct conf_update *u;

	for (u = z->allow_update; u != NULL; u = u->next)
		if (u->acl.action == ACL_BLOCKED && conf_acl_match(&u->acl, sa))
			return 1;
	return 0;
}

int
conf_update_client(const struct conf_zone *z, const struct sockaddr *sa,
    const struct conf_key *key)
{
	const struct conf_update *u;

	if (z == NULL || upd_blocked(z, sa))
		return 0;
	for (u = z->allow_update; u != NULL; u = u->next)
		if (upd_client(u, sa, key))
			return 1;
	return 0;
}

int
conf_update_addr(const struct conf_zone *z, const struct sockaddr *sa)
{
	const struct conf_update *u;

	if (z == NULL || upd_blocked(z, sa))
		return 0;
	for (u = z->allow_update; u != NULL; u = u->next)
		if (conf_acl_match(&u->acl, sa))
			return 1;
	return 0;
}

static int
upd_rule_allows(const struct conf_update *u, const char *rel, uint16_t type)
{
	int i, ok = u->names == NULL;

	for (i = 0; !ok && i < u->nnames; i++)
		ok = fnmatch(u->names[i], rel, FNM_CASEFOLD) == 0;
	if (!ok)
		return 0;
	if (u->types == NULL)
		return type != WIRE_TYPE_SOA;
	for (i = 0; i < u->ntypes; i++)
		if (u->types[i] == type || (u->types[i] == WIRE_TYPE_ANY &&
		    type != WIRE_TYPE_SOA))
			return 1;
	return 0;
}

int
conf_update_allows(const struct conf_zone *z, const struct sockaddr *sa,
    const struct conf_key *key, const char *rel, uint16_t type)
{
	const struct conf_update *u;

	if (z == NULL || upd_blocked(z, sa))
		return 0;
	for (u = z->allow_update; u != NULL; u = u->next)
		if (upd_client(u, sa, key) && upd_rule_allows(u, rel, type))
			return 1;
	return 0;
}

void
conf_updates_free(struct conf_update *u)
{
	struct conf_update *nx;

	for (; u != NULL; u = nx) {
		nx = u->next;
		conf_update_clear(u);
		free(u);
	}
}
