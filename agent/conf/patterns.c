/*
 * patterns.c -- pattern resolution: each zone gets the effective settings
 * of its own statements and of every include-pattern: (recursively, in
 * order, each expanded where it is written); zonefile: gets nsd.conf's
 * %s %1 %2 %3 %z %y %x substitutions.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/conf/conf.h"
#include "agent/conf/conf_int.h"
#include "dns/dname.h"
#include "dns/err.h"
#include "dns/serial.h"

static struct pattern *
find_pattern(const struct loader *ld, const char *name)
{
	struct pattern *p;

	for (p = ld->patterns; p != NULL; p = p->next)
		if (p->name != NULL && strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/* Check a pattern's include-pattern: (names, loops) and ACLs once, so an
 * error in a pattern is reported once, not once per zone using it. */
static void
check_pattern(struct loader *ld, struct pattern *p)
{
	struct pattern *q;
	struct item *it;
	struct conf_acl a;
	struct conf_update u;
	char msg[200];

	if (p->state == 2)
		return;
	p->state = 1;
	for (it = p->s.items; it != NULL; it = it->next) {
		if (it->kind == IT_INCLUDE) {
			if ((q = find_pattern(ld, it->text)) == NULL)
				conf_error(ld, it->file, it->line, "unknown "
				    "pattern '%s'", it->text);
			else if (q->state == 1)
				conf_error(ld, it->file, it->line, "pattern "
				    "loop: '%s' includes itself", it->text);
			else
				check_pattern(ld, q);
			continue;
		}
		if (it->kind == IT_UPDATE) {
			if (conf_parse_update(ld->cfg, it->text, &u, msg,
			    sizeof(msg)) < 0)
				conf_error(ld, it->file, it->line,
				    "allow-update: %s", msg);
			else
				conf_update_clear(&u);
			continue;
		}
		if (it->kind == IT_OUTIF ?
		    conf_parse_addr(it->text, &a, msg, sizeof(msg)) :
		    conf_parse_acl(ld->cfg, it->text, &a, msg,
		    sizeof(msg)))
			conf_error(ld, it->file, it->line, "%s: %s",
			    it->kind == IT_NOTIFY ? "notify" :
			    it->kind == IT_PROVIDE ? "provide-xfr" :
			    "outgoing-interface", msg);
		else
			conf_acl_clear(&a);
	}
	p->state = 2;
}

/* catalog-producer-zone: of S. The zone's own wins; two patterns it
 * includes naming different catalogs are two catalogs claiming it. */
static void
apply_catalog(struct loader *ld, struct conf_zone *z,
    const struct settings *s, int depth)
{
	if (depth > 0 && z->catalog != NULL &&
	    strcmp(z->catalog, s->catalog) != 0 && ld->cat_other[0] == '\0')
		snprintf(ld->cat_other, sizeof(ld->cat_other), "%s",
		    z->catalog);
	else if (depth == 0)
		ld->cat_other[0] = '\0';
	free(z->catalog);
	z->catalog = xstrdup(s->catalog);
}

/* An allow-update: rule IT, appended to Z's. */
static void
apply_update(struct loader *ld, struct conf_zone *z, const struct item *it,
    int report)
{
	struct conf_update u, *n, **tail;
	char msg[200];

	if (conf_parse_update(ld->cfg, it->text, &u, msg, sizeof(msg)) < 0) {
		if (report)
			conf_error(ld, it->file, it->line, "allow-update: %s",
			    msg);
		return;
	}
	u.acl.file = it->file;
	u.acl.line = it->line;
	n = xcalloc(1, sizeof(*n));
	*n = u;
	for (tail = &z->allow_update; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = n;
}

/* Apply S (a zone's or pattern's statements) to Z: lists in order, with
 * each include-pattern: expanded in place; then S's own single values,
 * which override those of the patterns it includes. REPORT: print ACL
 * errors (a zone's own; a pattern's were reported by check_pattern). */
static void
apply(struct loader *ld, struct conf_zone *z, const struct settings *s,
    char **zonefile, int report, int depth)
{
	struct pattern *p;
	struct item *it;
	struct conf_acl a;
	char msg[200];
	int r;

	for (it = s->items; it != NULL; it = it->next) {
		if (it->kind == IT_INCLUDE) {
			p = find_pattern(ld, it->text);
			if (p == NULL && report)
				conf_error(ld, it->file, it->line,
				    "unknown pattern '%s'", it->text);
			/* A pattern included twice at each of many levels
			 * (or in a loop) would expand exponentially. */
			if (p != NULL && ++ld->applied == PATTERN_MAX_APPLY)
				conf_error(ld, it->file, it->line, "include-"
				    "pattern: more than %d expansions",
				    PATTERN_MAX_APPLY);
			if (p != NULL && depth == 0 && z->pattern == NULL)
				z->pattern = xstrdup(p->name);
			if (p != NULL && depth < PATTERN_DEPTH &&
			    ld->applied < PATTERN_MAX_APPLY)
				apply(ld, z, &p->s, zonefile, 0, depth + 1);
			continue;
		}
		if (it->kind == IT_UPDATE) {
			apply_update(ld, z, it, report);
			continue;
		}
		if (it->kind == IT_OUTIF) {
			r = conf_parse_addr(it->text, &a, msg, sizeof(msg));
			if (r == 0)
				a.text = xstrdup(it->text);
		} else
			r = conf_parse_acl(ld->cfg, it->text, &a, msg,
			    sizeof(msg));
		if (r < 0) {
			if (report)
				conf_error(ld, it->file, it->line, "%s: %s",
				    it->kind == IT_NOTIFY ? "notify" :
				    it->kind == IT_PROVIDE ? "provide-xfr" :
				    "outgoing-interface", msg);
			continue;
		}
		a.file = it->file;
		a.line = it->line;
		if (it->kind == IT_NOTIFY) {
			if (a.port == 0)
				a.port = 53;
			conf_acl_append(&z->notify, &a);
		} else if (it->kind == IT_PROVIDE)
			conf_acl_append(&z->provide_xfr, &a);
		else
			conf_acl_append(&z->outgoing_interface, &a);
	}
	if (s->zonefile != NULL)
		*zonefile = s->zonefile;
	if (s->source != NULL) {
		free(z->source);
		z->source = xstrdup(s->source);
	}
	if (s->has_policy)
		z->serial_policy = s->policy;
	if (s->has_mjv)
		z->max_journal_versions = s->mjv;
	if (s->has_mode)
		z->source_replace = s->replace;
	if (s->has_maxdel)
		z->max_delete = s->maxdel;
	if (s->has_retry)
		z->notify_retry = s->retry;
	if (s->has_sync)
		z->sync_timeout = s->sync_timeout;
	if (s->has_probe)
		z->probe_interval = s->probe_interval;
	if (s->catalog != NULL)
		apply_catalog(ld, z, s, depth);
	if (s->catalog_group != NULL) {
		free(z->catalog_group);
		z->catalog_group = xstrdup(s->catalog_group);
	}
	if (s->producer)
		z->catalog_producer = 1;
	if (s->has_signing)
		z->dnssec_signing = s->signing;
	if (s->dnssec_policy != NULL) {
		z->policy_name = s->dnssec_policy;
		z->policy_file = s->policy_file;
		z->policy_line = s->policy_line;
	}
	if (s->has_uwait)
		z->update_wait = s->update_wait;
	if (s->has_ucoal)
		z->update_coalesce = s->update_coalesce;
}

/* The policy named NAME (NULL: "default"), or NULL. */
static const struct sign_policy *
find_policy(const struct conf *cfg, const char *name)
{
	const struct conf_policy *cp;

	for (cp = cfg->policies; cp != NULL; cp = cp->next)
		if (strcmp(cp->p.name, name != NULL ? name : "default") == 0)
			return &cp->p;
	return NULL;
}

/* NAME (absolute, trailing dot) without its dot; "." for the root. */
static void
zone_bare(const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name);

	if (n > 1)
		n--;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, name, n);
	out[n] = '\0';
}

/* The LAST-th label from the right of BARE (0: top level), or "." */
static void
zone_label(const char *bare, int last, char *out, size_t outlen)
{
	const char *end = bare + strlen(bare), *p;
	size_t n;

	for (;;) {
		for (p = end; p > bare && p[-1] != '.'; p--)
			;
		if (last-- == 0)
			break;
		if (p == bare) {
			snprintf(out, outlen, ".");
			return;
		}
		end = p - 1;
	}
	n = end - p;
	if (n == 0 || strcmp(bare, ".") == 0) {
		snprintf(out, outlen, ".");
		return;
	}
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* nsd's zonefile: substitutions (man nsd.conf): %s the zone name, %1 %2
 * %3 its first characters, %z %y %x its labels from the top; a missing
 * one becomes ".". */
static char *
expand_zonefile(const char *tmpl, const char *zone)
{
	char bare[256], piece[256], *out, *grown;
	size_t cap = strlen(tmpl) + 256, o = 0, n;
	const char *p, *add;

	zone_bare(zone, bare, sizeof(bare));
	out = xcalloc(1, cap);
	for (p = tmpl; *p != '\0'; p++) {
		add = piece;
		piece[0] = *p;
		piece[1] = '\0';
		if (*p == '%' && p[1] != '\0') {
			p++;
			switch (*p) {
			case 's':
				add = bare;
				break;
			case '1': case '2': case '3':
				n = (size_t)(*p - '1');
				piece[0] = n < strlen(bare) ? bare[n] : '.';
				break;
			case 'z': zone_label(bare, 0, piece, sizeof(piece));
				break;
			case 'y': zone_label(bare, 1, piece, sizeof(piece));
				break;
			case 'x': zone_label(bare, 2, piece, sizeof(piece));
				break;
			default:
				piece[0] = '%';
				piece[1] = *p;
				piece[2] = '\0';
			}
		}
		n = strlen(add);
		if (o + n + 1 > cap) {
			cap = (o + n + 1) * 2;
			if ((grown = realloc(out, cap)) == NULL)
				abort();
			out = grown;
		}
		memcpy(out + o, add, n);
		o += n;
	}
	out[o] = '\0';
	return out;
}

void
conf_zone_free(struct conf_zone *z)
{
	free(z->name);
	free(z->zonefile);
	free(z->source);
	free(z->catalog);
	free(z->catalog_group);
	free(z->pattern);
	free(z->targets);
	conf_acls_free(z->notify);
	conf_acls_free(z->provide_xfr);
	conf_acls_free(z->outgoing_interface);
	conf_updates_free(z->allow_update);
	free(z);
}

void
conf_resolve_zones(struct loader *ld)
{
	struct conf *cfg = ld->cfg;
	struct conf_zone *z, **tail = &cfg->zones;
	struct zdef *d;
	const struct conf_zone *dup;
	char norm[DNAME_MAXSTR], *zonefile, *exp;
	const char *why;
	int bad;

	for (d = ld->zdefs; d != NULL; d = d->next) {
		bad = d->name == NULL;	/* reported */
		if (!bad && dname_norm(d->name, strlen(d->name), norm,
		    sizeof(norm), &why) < 0) {
			conf_error(ld, d->file, d->line, "%s: '%s'", why,
			    d->name);
			bad = 1;
		}
		if (!bad && (dup = conf_find_zone(cfg, norm)) != NULL) {
			if (d->from_db) {
				/* the file's zone; the database's is not
				 * used while the file has it */
				conf_warn(ld, dup->file, dup->line, "zone %s "
				    "is also kept in the database (zone add)"
				    ": the configuration's is used", norm);
				continue;
			}
			conf_error(ld, d->file, d->line, "zone '%s' is already "
			    "defined at %s:%d", d->name, dup->file,
			    dup->line);
			bad = 1;
		}
		z = xcalloc(1, sizeof(*z));
		z->name = xstrdup(bad ? "." : norm);
		z->serial_policy = SERIAL_POLICY_INCREMENT;
		z->max_journal_versions = cfg->max_journal_versions;
		z->max_delete = cfg->max_delete;
		z->notify_retry = 5;
		z->sync_timeout = cfg->sync_timeout;
		z->probe_interval = cfg->probe_interval;
		z->update_coalesce = 100;
		z->file = d->file;
		z->line = d->line;
		z->from_db = d->from_db;
		zonefile = NULL;
		ld->applied = 0;
		ld->cat_other[0] = '\0';
		/* also for a bad zone: its statements' errors are reported */
		apply(ld, z, &d->s, &zonefile, 1, 0);
		if (ld->cat_other[0] != '\0') {
			conf_error(ld, d->file, d->line, "zone %s is claimed "
			    "by two catalogs: %s and %s (catalog-producer-"
			    "zone: in two of its patterns; set it in the "
			    "zone: to choose)", z->name, ld->cat_other,
			    z->catalog);
			bad = 1;
		}
		if (z->catalog != NULL && z->catalog_group == NULL &&
		    z->pattern != NULL)
			z->catalog_group = xstrdup(z->pattern);
		if (z->dnssec_signing && !bad) {
			z->dnssec_policy = find_policy(cfg, z->policy_name);
			if (z->dnssec_policy == NULL)
				conf_error(ld, z->policy_file, z->policy_line,
				    "dnssec-policy '%s' is not defined (a "
				    "dnssec-policy: clause with that name:)",
				    z->policy_name);
		}
		z->policy_name = NULL;	/* the settings' own, freed with them */
		if (bad) {
			conf_zone_free(z);
			continue;
		}
		if (zonefile != NULL) {
			exp = expand_zonefile(zonefile, z->name);
			z->zonefile = path_join(cfg->zonesdir, exp);
			free(exp);
		}
		*tail = z;
		tail = &z->next;
		cfg->n_zones++;
	}
}

/* Every catalog-producer-zone: names a zone with catalog: producer that
 * is not the zone itself; a catalog is no member of a catalog. */
void
conf_check_catalogs(struct loader *ld)
{
	const struct conf_zone *z, *c;

	for (z = ld->cfg->zones; z != NULL; z = z->next) {
		if (z->catalog == NULL)
			continue;
		if (strcmp(z->catalog, z->name) == 0) {
			conf_error(ld, z->file, z->line, "catalog %s would "
			    "list itself (catalog-producer-zone: %s)",
			    z->name, z->catalog);
			continue;
		}
		if (z->catalog_producer) {
			conf_error(ld, z->file, z->line, "%s is a catalog "
			    "zone: it cannot be a member of catalog %s",
			    z->name, z->catalog);
			continue;
		}
		c = conf_find_zone(ld->cfg, z->catalog);
		if (c == NULL || !c->catalog_producer)
			conf_error(ld, z->file, z->line, "zone %s: catalog-"
			    "producer-zone: %s is not %s", z->name,
			    z->catalog, c == NULL ? "a zone of the "
			    "configuration" : "a catalog zone (catalog: "
			    "producer)");
	}
}

void
conf_check_patterns(struct loader *ld)
{
	struct pattern *p;

	for (p = ld->patterns; p != NULL; p = p->next)
		check_pattern(ld, p);
}
