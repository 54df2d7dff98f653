/*
 * signzone.c -- sign a zone file with the signer engine (signer/), for
 * the validators (tests/scenario/signer_verify.sh) and the benchmark
 * (tests/bench/sign.sh).
 *
 * usage: signzone [options] ZONE FILE
 *   -a ALG     algorithm (ecdsap256sha256, ed25519, rsasha256)
 *   -3         NSEC3 (default NSEC)
 *   -z         KSK + ZSK (default CSK)
 *   -K DIR     keystore directory (default: a new one under /tmp,
 *              removed at exit); keys found there are not reused
 *   -n TIME    signing time, unix seconds (default: now)
 *   -s         strip DNSSEC records (DNSKEY, RRSIG, NSEC, ...) from the
 *              input with a warning (default: refuse them)
 *   -o OUT     write the signed zone to OUT (default stdout; "-" none)
 *   -c NEW     then sign the change from FILE to NEW incrementally and
 *   -O OUT2    write the signed NEW zone to OUT2
 *   -r SECS    then refresh signatures at TIME + SECS, in batches of
 *   -b N       N RRsets (default 1000) and write the result to -O
 *   -X         corrupt one RRSIG of an A RRset (a negative test)
 *   -t         timings, counts and peak memory on stderr
 * Prints on stderr, for scripts: "full: rrs N generated N signatures N",
 * "update: unsigned -N +N generated -N +N signatures N",
 * "refresh: batches N generated -N +N".
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <libknot/libknot.h>
#include <libzscanner/scanner.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "signer/keystore.h"
#include "signer/policy.h"
#include "signer/rollover.h"
#include "signer/rrsig.h"
#include "signer/zone.h"
#include "signer/zview.h"

#define MAXKEYS	8

static const char *prog = "signzone";

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, why);
	exit(1);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Parse FILE for zone ORIGIN into L. STRIP drops generated types. */
static void
parse(const char *origin, const char *file, int strip, struct sign_rrs *l)
{
	uint8_t owner[KNOT_DNAME_MAXLEN];
	zs_scanner_t s;
	size_t stripped = 0;
	int ret;

	if (zs_init(&s, origin, KNOT_CLASS_IN, 3600) != 0)
		die(file, "cannot init the zone scanner");
	if (zs_set_input_file(&s, file) != 0)
		die(file, zs_strerror(s.error.code));
	for (;;) {
		if (zs_parse_record(&s) != 0 && s.state != ZS_STATE_ERROR)
			die(file, zs_strerror(s.error.code));
		if (s.state == ZS_STATE_EOF || s.state == ZS_STATE_STOP)
			break;
		if (s.state == ZS_STATE_ERROR) {
			fprintf(stderr, "%s:%llu: %s\n", file,
			    (unsigned long long)s.line_counter,
			    zs_strerror(s.error.code));
			exit(1);
		}
		if (s.state != ZS_STATE_DATA)
			continue;
		if (strip && sign_type_generated(s.r_type)) {
			stripped++;
			continue;
		}
		memcpy(owner, s.r_owner, s.r_owner_length);
		knot_dname_to_lower(owner);
		if ((ret = sign_rrs_add(l, owner, s.r_type, s.r_class,
		    s.r_ttl, s.r_data, s.r_data_length)) < 0)
			die(file, hp_strerror(ret));
	}
	zs_deinit(&s);
	if (stripped > 0)
		fprintf(stderr, "%s: warning: %zu DNSSEC records stripped from "
		    "the input\n", file, stripped);
}

/* Print L as zone file text, the SOA first. */
static void
print_rr(FILE *f, const struct sign_rr *rr, char **buf, size_t *size)
{
	knot_rrset_t rs;
	int ret;

	knot_rrset_init(&rs, (knot_dname_t *)(uintptr_t)rr->owner, rr->type,
	    rr->rclass, rr->ttl);
	if (knot_rrset_add_rdata(&rs, rr->rdata, rr->rdlen, NULL) != KNOT_EOK)
		die("print", "out of memory");
	while ((ret = knot_rrset_txt_dump(&rs, buf, size,
	    &KNOT_DUMP_STYLE_DEFAULT)) == KNOT_ESPACE) {
		*size *= 2;
		if ((*buf = realloc(*buf, *size)) == NULL)
			die("print", "out of memory");
	}
	if (ret < 0)
		die("print", knot_strerror(ret));
	fputs(*buf, f);
	knot_rdataset_clear(&rs.rrs, NULL);
}

static void
write_zone(const char *path, const struct zview_mem *m)
{
	struct sign_rrs all;
	size_t i, size = 1 << 16;
	char *buf;
	FILE *f;

	if (path == NULL || strcmp(path, "-") == 0)
		return;
	if ((f = strcmp(path, "/dev/stdout") == 0 ? stdout :
	    fopen(path, "w")) == NULL)
		die(path, strerror(errno));
	if ((buf = malloc(size)) == NULL)
		die("print", "out of memory");
	sign_rrs_init(&all);
	if (zview_mem_dump(m, &all) < 0)
		die("print", "out of memory");
	for (i = 0; i < all.n; i++)
		if (all.rr[i].type == 6)
			print_rr(f, &all.rr[i], &buf, &size);
	for (i = 0; i < all.n; i++)
		if (all.rr[i].type != 6)
			print_rr(f, &all.rr[i], &buf, &size);
	sign_rrs_free(&all);
	free(buf);
	if (f != stdout && fclose(f) != 0)
		die(path, strerror(errno));
	else if (f == stdout)
		fflush(f);
}

/* Keys for a new zone: what roll_next() asks for first. */
static size_t
make_keys(struct keys_store *ks, const struct sign_policy *p, int64_t now,
    struct keys_state *st, struct keys_key **priv)
{
	struct roll_input in = { .now = now };
	struct roll_action a;
	uint16_t tags[MAXKEYS];
	char err[512];
	size_t n = 0, i;
	int ret;

	while (n < MAXKEYS) {
		if ((ret = roll_next(st, n, p, &in, &a)) < 0)
			die("rollover", hp_strerror(ret));
		if (a.kind != ROLL_GENERATE || a.when > now)
			break;
		for (i = 0; i < n; i++)
			tags[i] = st[i].keytag;
		if ((ret = keys_store_generate(ks, p->algorithm, a.role, tags,
		    n, now, &st[n], &priv[n], err, sizeof(err))) < 0)
			die("keystore", err);
		a.key = (int)n++;
		if ((ret = roll_apply(st, n, &a, now)) < 0)
			die("rollover", hp_strerror(ret));
	}
	return n;
}


/* Flip a bit in the middle of the signature of one RRSIG over an A. */
static void
corrupt(struct zview_mem *m, const uint8_t *apex)
{
	struct sign_rrs all, del, add;
	struct rrsig_info ri;
	uint8_t rd[2048];
	size_t i;

	sign_rrs_init(&all);
	sign_rrs_init(&del);
	sign_rrs_init(&add);
	zview_mem_dump(m, &all);
	for (i = 0; i < all.n; i++) {
		if (all.rr[i].type != SIGN_T_RRSIG ||
		    dname_equal(all.rr[i].owner, apex) ||
		    rrsig_parse(all.rr[i].rdata, all.rr[i].rdlen, &ri) < 0 ||
		    ri.covered != 1 || all.rr[i].rdlen > sizeof(rd))
			continue;
		memcpy(rd, all.rr[i].rdata, all.rr[i].rdlen);
		rd[all.rr[i].rdlen - ri.siglen / 2] ^= 0x10;
		sign_rrs_add_rr(&del, &all.rr[i]);
		sign_rrs_add(&add, all.rr[i].owner, all.rr[i].type,
		    all.rr[i].rclass, all.rr[i].ttl, rd, all.rr[i].rdlen);
		break;
	}
	if (del.n == 0 || zview_mem_apply(m, &del, &add) < 0)
		die("corrupt", "no RRSIG over an A RRset to corrupt");
	sign_rrs_free(&all);
	sign_rrs_free(&del);
	sign_rrs_free(&add);
}

static void
apply(struct zview_mem *m, const struct sign_rrs *del,
    const struct sign_rrs *add)
{
	int ret;

	if ((ret = zview_mem_apply(m, del, add)) < 0)
		die("apply", hp_strerror(ret));
}

static long
peak_mib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss / 1024;
}

int
main(int argc, char **argv)
{
	struct sign_policy p;
	struct keys_state st[MAXKEYS];
	struct keys_key *priv[MAXKEYS] = { NULL };
	struct keys_store *ks;
	struct sign_keys keys;
	struct sign_ctx *c;
	struct sign_result r;
	struct sign_rrs z, z2, del, add;
	struct zview_mem *m;
	struct zview v;
	uint8_t apex[DNAME_MAXLEN];
	char err[512], tmpdir[] = "/tmp/signzone-keys.XXXXXX", cmd[600];
	const char *kdir = NULL, *out = NULL, *newfile = NULL, *out2 = NULL;
	int64_t now = (int64_t)time(NULL), refresh = -1;
	size_t nkeys, batch = 1000, i, batches;
	int opt, strip = 0, timing = 0, bad = 0, ret;
	double t0, t1;

	sign_policy_init(&p, "signzone");
	while ((opt = getopt(argc, argv, "3a:b:c:K:n:o:O:r:stXz")) != -1) {
		switch (opt) {
		case '3':
			p.nsec3 = 1;
			break;
		case 'a':
			if (sign_policy_set(&p, "algorithm", optarg, err,
			    sizeof(err)) < 0)
				die("-a", err);
			break;
		case 'b':
			batch = strtoul(optarg, NULL, 10);
			break;
		case 'c':
			newfile = optarg;
			break;
		case 'K':
			kdir = optarg;
			break;
		case 'n':
			now = strtoll(optarg, NULL, 10);
			break;
		case 'o':
			out = optarg;
			break;
		case 'O':
			out2 = optarg;
			break;
		case 'r':
			refresh = strtoll(optarg, NULL, 10);
			break;
		case 's':
			strip = 1;
			break;
		case 't':
			timing = 1;
			break;
		case 'X':
			bad = 1;
			break;
		case 'z':
			p.single_type = 0;
			break;
		default:
			fprintf(stderr, "usage: %s [-3stXz] [-a ALG] [-K DIR] "
			    "[-n TIME] [-o OUT] [-c NEW -O OUT2] [-r SECS] "
			    "[-b N] ZONE FILE\n", prog);
			return 2;
		}
	}
	if (argc - optind != 2)
		die("usage", "ZONE FILE");
	if (dname_from_str(argv[optind], apex, NULL) < 0)
		die(argv[optind], "bad zone name");
	dname_lower(apex);
	if (kdir == NULL) {
		if (mkdtemp(tmpdir) == NULL)
			die("mkdtemp", strerror(errno));
		kdir = tmpdir;
	}
	if (keys_store_open(kdir, 1, &ks, err, sizeof(err)) < 0)
		die("keystore", err);
	nkeys = make_keys(ks, &p, now, st, priv);
	keys.st = st;
	keys.priv = priv;
	keys.n = nkeys;

	sign_rrs_init(&z);
	t0 = now_s();
	parse(argv[optind], argv[optind + 1], strip, &z);
	t1 = now_s();
	if (timing)
		fprintf(stderr, "parse: %zu rrs in %.3f s\n", z.n, t1 - t0);
	if (sign_ctx_new(apex, &p, &keys, now, &c, err, sizeof(err)) < 0)
		die("sign", err);
	sign_result_init(&r);
	t0 = now_s();
	if ((ret = sign_zone_full(c, z.rr, z.n, &r)) < 0)
		die(argv[optind + 1], sign_ctx_error(c));
	t1 = now_s();
	fprintf(stderr, "full: rrs %zu generated %zu signatures %zu\n", z.n,
	    r.added.n, r.signatures);
	if (timing)
		fprintf(stderr, "sign: %.3f s, peak %ld MiB\n", t1 - t0,
		    peak_mib());
	if (out != NULL && strcmp(out, "-") == 0 && newfile == NULL &&
	    refresh < 0 && !bad) {
		/* nothing to print or to change: a benchmark run */
		sign_result_free(&r);
		m = NULL;
		goto done;
	}
	if ((m = zview_mem_new()) == NULL)
		die("view", "out of memory");
	if (zview_mem_add(m, z.rr, z.n) < 0 ||
	    zview_mem_add(m, r.added.rr, r.added.n) < 0)
		die("view", "cannot load the signed zone");
	sign_result_free(&r);
	if (bad)
		corrupt(m, apex);
	write_zone(out ? out : "/dev/stdout", m);
	v = zview_mem_view(m);

	if (newfile != NULL) {
		double tp = now_s();

		sign_rrs_init(&z2);
		sign_rrs_init(&del);
		sign_rrs_init(&add);
		parse(argv[optind], newfile, strip, &z2);
		if (sign_rrs_diff(&z, &z2, &del, &add) < 0)
			die("diff", "out of memory");
		sign_result_init(&r);
		t0 = now_s();
		if (timing)
			fprintf(stderr, "parse and diff: %.3f s\n", t0 - tp);
		if ((ret = sign_zone_update(c, &v, del.rr, del.n, add.rr, add.n,
		    &r)) < 0)
			die(newfile, sign_ctx_error(c));
		t1 = now_s();
		if (r.full_needed)
			die(newfile, sign_ctx_error(c));
		fprintf(stderr, "update: unsigned -%zu +%zu generated -%zu +%zu "
		    "signatures %zu\n", del.n, add.n, r.removed.n, r.added.n,
		    r.signatures);
		if (timing)
			fprintf(stderr, "update time: %.6f s\n", t1 - t0);
		apply(m, &del, &add);
		apply(m, &r.removed, &r.added);
		sign_result_free(&r);
		sign_rrs_free(&z2);
		sign_rrs_free(&del);
		sign_rrs_free(&add);
	}
	if (refresh >= 0) {
		struct sign_ctx *c2;
		size_t rem = 0, added = 0;

		if (sign_ctx_new(apex, &p, &keys, now + refresh, &c2, err,
		    sizeof(err)) < 0)
			die("refresh", err);
		for (batches = 1; batches < 100000; batches++) {
			sign_result_init(&r);
			if (sign_zone_refresh(c2, &v, batch, &r) < 0)
				die("refresh", sign_ctx_error(c2));
			rem += r.removed.n;
			added += r.added.n;
			apply(m, &r.removed, &r.added);
			i = r.pending;
			sign_result_free(&r);
			if (i == 0)
				break;
		}
		fprintf(stderr, "refresh: batches %zu generated -%zu +%zu\n",
		    batches, rem, added);
		sign_ctx_free(c2);
	}
	if (newfile != NULL || refresh >= 0)
		write_zone(out2, m);
done:
	sign_ctx_free(c);
	zview_mem_free(m);
	sign_rrs_free(&z);
	for (i = 0; i < nkeys; i++)
		keys_key_free(priv[i]);
	keys_store_close(ks);
	if (kdir == tmpdir) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "%s: cannot remove %s\n", prog, tmpdir);
	}
	return 0;
}
