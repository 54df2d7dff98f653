/*
 * dnssec.c -- hpagent dnssec status|ds|rollover|ds-seen ZONE: what the
 * signer did and what it waits for, the DS records for the parent, a key
 * rollover asked for now, the parent's DS confirmed. Private keys are
 * never read here but by the signer (store/dnssec.c), and never printed.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/cli/cli.h"
#include "agent/conf/conf.h"
#include "agent/publish/publish.h"
#include "dns/dname.h"
#include "dns/err.h"
#include "signer/keys.h"
#include "signer/policy.h"
#include "store/store.h"

static const char usage[] =
    "usage: hpagent [-c FILE] dnssec status ZONE\n"
    "       hpagent [-c FILE] dnssec ds ZONE\n"
    "       hpagent [-c FILE] dnssec rollover ZONE ksk|zsk\n"
    "       hpagent [-c FILE] dnssec ds-seen ZONE KEYTAG\n"
    "  status: how a signed zone is signed: its policy, chain, keys and\n"
    "    their state, the next signature refresh and key step, and what\n"
    "    a rollover waits for.\n"
    "  ds: the DS records (SHA-256) of the zone's KSK or CSK, for the\n"
    "    parent zone.\n"
    "  rollover: start a rollover of the KSK (or CSK) or the ZSK now: a\n"
    "    new key is made and published in a new version; the steps that\n"
    "    follow wait for the secondaries and the TTLs of the policy.\n"
    "  ds-seen: the parent publishes the DS of key KEYTAG (a new KSK or\n"
    "    CSK): the old key may leave once the parent's DS TTL passed.\n";

static void
when(char *buf, size_t len, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0) {
		snprintf(buf, len, "-");
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
print_key(const struct keys_state *k)
{
	static const struct {
		const char *name;
		size_t off;
	} f[] = {
		{ "created", offsetof(struct keys_state, created) },
		{ "published", offsetof(struct keys_state, publish) },
		{ "active", offsetof(struct keys_state, active) },
		{ "ready", offsetof(struct keys_state, ready) },
		{ "ds-seen", offsetof(struct keys_state, ds_seen) },
		{ "retired", offsetof(struct keys_state, retire) },
		{ "removed", offsetof(struct keys_state, remove) },
		{ "propagated", offsetof(struct keys_state, seen) },
	};
	const char *alg = sign_alg_name(k->algorithm);
	char t[32];
	size_t i;

	printf("  %s %u %s id %s\n", keys_role_name(k->role), k->keytag,
	    alg != NULL ? alg : "?", k->id);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		int64_t v = *(const int64_t *)(const void *)((const char *)k +
		    f[i].off);

		if (v == 0)
			continue;
		when(t, sizeof(t), v);
		printf("    %-11s %s\n", f[i].name, t);
	}
}

static int
status(struct store *st, const char *zone)
{
	struct store_dnssec_info di;
	char t[32];
	size_t i;
	int ret;

	if ((ret = store_dnssec_info(st, zone, &di)) < 0)
		return ret;
	if (!di.is_signed) {
		printf("%s: not signed\n", zone);
		store_dnssec_info_free(&di);
		return 0;
	}
	printf("%s: signed, dnssec-policy %s, %s, %llu generated records\n",
	    zone, di.policy, di.chain, (unsigned long long)di.generated);
	when(t, sizeof(t), di.signed_at);
	printf("  signed whole:      %s\n", t);
	when(t, sizeof(t), di.updated);
	printf("  last signed:       %s\n", t);
	when(t, sizeof(t), di.refresh);
	printf("  refresh due:       %s\n", t);
	when(t, sizeof(t), di.roll);
	printf("  next key step:     %s\n", t);
	printf("  waiting for:       %s\n", di.waiting[0] ? di.waiting : "-");
	printf("keys:\n");
	for (i = 0; i < di.nkeys; i++)
		print_key(&di.keys[i]);
	store_dnssec_info_free(&di);
	return 0;
}

static int
ds(struct store *st, const char *zone)
{
	struct store_dnssec_info di;
	uint8_t apex[DNAME_MAXLEN], rd[KEYS_DS_MAX];
	size_t i;
	int n, k, ret, printed = 0;

	if ((ret = store_dnssec_info(st, zone, &di)) < 0)
		return ret;
	if (dname_from_str(zone, apex, NULL) < 0) {
		store_dnssec_info_free(&di);
		return HP_EINVAL;
	}
	for (i = 0; i < di.nkeys; i++) {
		const struct keys_state *key = &di.keys[i];

		if (key->role == KEYS_ZSK || key->publish == 0 ||
		    key->retire != 0 || key->remove != 0)
			continue;
		if ((n = keys_ds_rdata(key, apex, KEYS_DIGEST_SHA256, rd)) < 4)
			continue;
		printf("%s IN DS %u %u %u ", zone, key->keytag, rd[2], rd[3]);
		for (k = 4; k < n; k++)
			printf("%02X", rd[k]);
		printf("\n");
		printed++;
	}
	store_dnssec_info_free(&di);
	if (printed == 0) {
		fprintf(stderr, "hpagent: dnssec ds: %s has no KSK or CSK (is "
		    "it signed?)\n", zone);
		return HP_ENOENT;
	}
	return 0;
}

static void
problem_stderr(void *arg, const struct hp_problem *p)
{
	char buf[1024];

	(void)arg;
	fprintf(stderr, "hpagent: %s\n", hp_problem_str(p, buf, sizeof(buf)));
}

static int
resign(const struct cmd_ctx *ctx, struct pub_ctx *c, const char *zone,
    unsigned roll)
{
	struct store_import_result r;
	int ret;

	ret = pub_resign(c, zone, STORE_RESIGN_REFRESH, roll, &r);
	if (ret == 0 && !ctx->quiet)
		printf("%s: signed serial %u\n", zone, r.new_serial);
	else if (ret < 0 && ret != HP_EINVAL && ret != HP_EINVALID &&
	    ret != HP_EKEYSTORE)
		fprintf(stderr, "hpagent: dnssec %s: %s%s%s\n", zone,
		    hp_strerror(ret), store_errmsg(c->st)[0] ? ": " : "",
		    store_errmsg(c->st));
	return ret;
}

int
cmd_dnssec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	struct pub_ctx c = { 0 };
	const struct conf *cfg;
	const char *sub, *zone;
	char name[256];
	unsigned roll = 0, tag = 0;
	int ret;

	if (cmd_wants_help(argc, argv, usage))
		return EXIT_OK;
	if (argc < 3)
		return cmd_usage("dnssec", argc == 2 && argv[1][0] == '-' ?
		    argv[1] : NULL, usage);
	sub = argv[1];
	zone = argv[2];
	if (strcmp(sub, "rollover") == 0) {
		if (argc != 4 || (strcmp(argv[3], "ksk") != 0 &&
		    strcmp(argv[3], "zsk") != 0)) {
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
		roll = strcmp(argv[3], "ksk") == 0 ? KEYS_KSK : KEYS_ZSK;
	} else if (strcmp(sub, "ds-seen") == 0) {
		char *end;
		unsigned long v;

		if (argc != 4 || (v = strtoul(argv[3], &end, 10)) > 65535 ||
		    *end != '\0' || end == argv[3]) {
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
		tag = (unsigned)v;
	} else if ((strcmp(sub, "status") != 0 && strcmp(sub, "ds") != 0) ||
	    argc != 3) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (cmd_load_config(ctx, &cfg) < 0)
		return EXIT_FAIL;
	if (cmd_open_store(cfg, strcmp(sub, "status") == 0 ||
	    strcmp(sub, "ds") == 0 ? STORE_READONLY : 0, &c.st) < 0) {
		conf_unref(cfg);
		return EXIT_FAIL;
	}
	c.cfg = cfg;
	c.z = conf_find_zone(cfg, zone);
	c.problem = problem_stderr;
	if (dname_norm(zone, strlen(zone), name, sizeof(name), NULL) < 0) {
		fprintf(stderr, "hpagent: dnssec: bad zone name %s\n", zone);
		ret = HP_EINVAL;
		goto out;
	}
	if (strcmp(sub, "status") == 0)
		ret = status(c.st, name);
	else if (strcmp(sub, "ds") == 0)
		ret = ds(c.st, name);
	else if (c.z == NULL || !c.z->dnssec_signing) {
		fprintf(stderr, "hpagent: dnssec %s: %s is not a zone with "
		    "dnssec-signing: yes in %s\n", sub, name, cfg->path);
		ret = HP_EINVAL;
	} else if (roll != 0) {
		if (c.z->dnssec_policy->single_type && roll == KEYS_ZSK) {
			fprintf(stderr, "hpagent: dnssec rollover: dnssec-policy "
			    "%s signs with one CSK: roll it with 'ksk'\n",
			    c.z->dnssec_policy->name);
			ret = HP_EINVAL;
		} else
			ret = resign(ctx, &c, name, roll);
	} else {
		ret = store_dnssec_ds_seen(c.st, name, tag, (int64_t)time(NULL));
		if (ret == HP_ENOENT)
			fprintf(stderr, "hpagent: dnssec ds-seen: %s has no "
			    "KSK or CSK %u\n", name, tag);
		else if (ret == 0)
			ret = resign(ctx, &c, name, 0);
	}
	if (ret == HP_ENOENT && strcmp(sub, "ds-seen") != 0 &&
	    strcmp(sub, "ds") != 0)
		fprintf(stderr, "hpagent: dnssec: no zone %s in the store\n",
		    name);
out:
	store_close(c.st);
	conf_unref(cfg);
	return ret < 0 ? EXIT_FAIL : EXIT_OK;
}
