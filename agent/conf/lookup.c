/*
 * lookup.c -- finding a zone, a key, a TSIG key in a configuration.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <strings.h>

#include "agent/conf/conf.h"
#include "dns/dname.h"

const struct conf_zone *
conf_find_zone(const struct conf *cfg, const char *name)
{
	const struct conf_zone *z;
	size_t n;

	if (cfg == NULL || name == NULL)
		return NULL;
	n = strlen(name);
	if (n > 1 && name[n - 1] == '.')
		n--;
	for (z = cfg->zones; z != NULL; z = z->next) {
		size_t zn = strlen(z->name);

		if (zn > 1)
			zn--;
		if (zn == n && strncasecmp(z->name, name, n) == 0)
			return z;
	}
	return NULL;
}

const struct conf_key *
conf_find_key(const struct conf *cfg, const char *name)
{
	const struct conf_key *k;

	if (cfg == NULL || name == NULL)
		return NULL;
	for (k = cfg->keys; k != NULL; k = k->next)
		if (k->name != NULL && strcasecmp(k->name, name) == 0)
			return k;
	return NULL;
}

const struct conf_key *
conf_find_tsig(const struct conf *cfg, const uint8_t *name,
    const struct tsig_alg *alg)
{
	const struct conf_key *k;

	if (cfg == NULL || alg == NULL)
		return NULL;
	for (k = cfg->keys; k != NULL; k = k->next)
		if (k->usable && k->tsig.alg == alg &&
		    dname_equal(k->tsig.name, name))
			return k;
	return NULL;
}
