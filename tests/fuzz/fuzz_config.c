/*
 * fuzz_config.c -- the agent.conf parser (agent/conf/).
 *
 * Input: the text of a configuration file. It is written to fuzz.conf in
 * a temporary directory that also holds inc.conf (a key and a pattern, for
 * include: to find), loaded with conf_load() (each message formatted, then
 * dropped) and, when it loads, walked (conf_find_zone(), conf_find_key(),
 * conf_find_tsig(), conf_acl_match() on every ACL, the resolved notify:
 * targets), referenced and released. Leaks and double frees on the error
 * paths are what ASan looks for.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "agent/conf/conf.h"
#include "dns/serial.h"
#include "tests/fuzz/fuzz.h"

static char fz_dir[64];
static char fz_conf[128], fz_inc[128];

static const char fz_inc_text[] =
    "key:\n\tname: inckey\n\talgorithm: hmac-sha256\n"
    "\tsecret: \"Ehvt9S3/Iz9ozdh9kS0VhBagp6RT/JoUsO80AJrMj+k=\"\n"
    "pattern:\n\tname: incpat\n\tnotify: 192.0.2.1 inckey\n"
    "\tprovide-xfr: 192.0.2.0/24 NOKEY\n";

static void
fz_cleanup(void)
{
	unlink(fz_conf);
	unlink(fz_inc);
	rmdir(fz_dir);
}

static void
fz_init(void)
{
	FILE *f;

	snprintf(fz_dir, sizeof(fz_dir), "/tmp/fuzz_config.XXXXXX");
	FUZZ_CHECK(mkdtemp(fz_dir) != NULL);
	snprintf(fz_conf, sizeof(fz_conf), "%s/fuzz.conf", fz_dir);
	snprintf(fz_inc, sizeof(fz_inc), "%s/inc.conf", fz_dir);
	FUZZ_CHECK((f = fopen(fz_inc, "w")) != NULL);
	fputs(fz_inc_text, f);
	fclose(f);
	atexit(fz_cleanup);
}

/* Every problem formatted, as the command line and the log do. */
static void
fz_problem(void *arg, const struct hp_problem *p)
{
	char line[256];

	(void)arg;
	FUZZ_CHECK(p->text != NULL);
	hp_problem_str(p, line, sizeof(line));
}

static void
fz_walk(const struct conf *cfg)
{
	const struct conf_zone *z;
	const struct conf_key *k;
	const struct conf_acl *a;
	int i;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(53);
	inet_pton(AF_INET, "192.0.2.1", &sin.sin_addr);
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(53);
	inet_pton(AF_INET6, "2001:db8::1", &sin6.sin6_addr);
	for (k = cfg->keys; k != NULL; k = k->next) {
		FUZZ_CHECK(conf_find_key(cfg, k->name) != NULL);
		FUZZ_CHECK(!k->usable || conf_find_tsig(cfg, k->tsig.name,
		    k->tsig.alg) != NULL);
	}
	FUZZ_CHECK(cfg->nlisten == (cfg->n_ip_address ? cfg->n_ip_address :
	    2));
	for (z = cfg->zones; z != NULL; z = z->next) {
		FUZZ_CHECK(z->name != NULL && conf_find_zone(cfg, z->name) != NULL);
		for (a = z->provide_xfr; a != NULL; a = a->next) {
			(void)conf_acl_match(a, (struct sockaddr *)&sin);
			(void)conf_acl_match(a, (struct sockaddr *)&sin6);
		}
		for (a = z->notify; a != NULL; a = a->next)
			(void)conf_acl_match(a, (struct sockaddr *)&sin);
		for (i = 0; i < z->ntargets; i++) {
			FUZZ_CHECK(z->targets[i].addrlen > 0);
			FUZZ_CHECK(z->targets[i].label[0] != '\0');
			FUZZ_CHECK(z->targets[i].key == NULL || conf_find_key(cfg,
			    z->targets[i].key->name) == z->targets[i].key);
		}
	}
	FUZZ_CHECK(serial_policy_str(SERIAL_POLICY_DATESERIAL) != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	const struct conf *cfg = NULL;
	FILE *f;

	if (!inited) {
		fz_init();
		inited = 1;
	}
	if (size > 1 << 16)
		return 0;
	FUZZ_CHECK((f = fopen(fz_conf, "w")) != NULL);
	if (size > 0)
		FUZZ_CHECK(fwrite(data, 1, size, f) == size);
	FUZZ_CHECK(fclose(f) == 0);
	if (conf_load(fz_conf, fz_problem, NULL, &cfg) == 0) {
		FUZZ_CHECK(cfg != NULL);
		fz_walk(cfg);
		FUZZ_CHECK(conf_ref(cfg) == cfg);
		conf_unref(cfg);
		conf_unref(cfg);
	}
	return 0;
}
