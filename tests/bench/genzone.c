/*
 * genzone.c -- write a deterministic benchmark zone to stdout.
 *
 * usage: genzone [-f] ZONE COUNT SERIAL [edit [GEN]]
 *
 * Exactly COUNT resource records: the apex (SOA, 2 NS, 2 glue A), then
 * blocks of ten records per host number: A, AAAA, TXT, MX, CNAME, SRV and
 * a delegation (glue A, NS, glue A, NS) -- the "realistic" shape, half of
 * it with names in RDATA. Glue and targets always precede the records
 * that need them, so a truncated last block still passes BIND's integrity
 * checks. -f: the "flat" shape instead, one A record per host name and
 * nothing else. "edit" changes the A records of ten hosts spread over the
 * zone (GEN, default 1, picks the new addresses), so a re-import differs
 * in exactly ten RRs (ten removed, ten added).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APEX_RRS	5
#define BLOCK_RRS	10
#define EDITS		10

struct out {
	char buf[1 << 16];
	size_t len;
};

static void
flush(struct out *o)
{
	if (o->len > 0 && fwrite(o->buf, 1, o->len, stdout) != o->len) {
		perror("genzone: write");
		exit(1);
	}
	o->len = 0;
}

static void
put(struct out *o, const char *s)
{
	size_t n = strlen(s);

	if (o->len + n > sizeof(o->buf))
		flush(o);
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void
putu(struct out *o, unsigned long v)
{
	char tmp[24];
	int i = (int)sizeof(tmp);

	tmp[--i] = '\0';
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	put(o, tmp + i);
}

static void
putx(struct out *o, unsigned long v)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[24];
	int i = (int)sizeof(tmp);

	tmp[--i] = '\0';
	do {
		tmp[--i] = hex[v & 15];
		v >>= 4;
	} while (v > 0);
	put(o, tmp + i);
}

/* An IPv4 address in 10.0.0.0/8 derived from N (plus OFF for variety). */
static void
put_v4(struct out *o, unsigned long n)
{
	putu(o, 10);
	put(o, ".");
	putu(o, (n >> 16) & 255);
	put(o, ".");
	putu(o, (n >> 8) & 255);
	put(o, ".");
	putu(o, n & 255);
}

/* Is host H one of the ten edited ones? Returns its index or -1. */
static int
edited(unsigned long h, unsigned long nblocks)
{
	unsigned long step = nblocks / EDITS;
	int j;

	if (step == 0)
		step = 1;
	for (j = 0; j < EDITS; j++)
		if (h == (unsigned long)j * step + step / 2)
			return j;
	return -1;
}

static void
rr(struct out *o, const char *p1, unsigned long h, const char *p2)
{
	put(o, p1);
	putu(o, h);
	put(o, p2);
}

static void
block_rr(struct out *o, unsigned long h, int kind, int edit_gen,
    unsigned long nblocks)
{
	int e;

	switch (kind) {
	case 0:
		rr(o, "h", h, " A ");
		e = edit_gen > 0 ? edited(h, nblocks) : -1;
		if (e >= 0) {
			put(o, "198.18.");
			putu(o, (unsigned long)edit_gen & 255);
			put(o, ".");
			putu(o, (unsigned long)e);
		} else
			put_v4(o, h);
		break;
	case 1:
		rr(o, "h", h, " AAAA 2001:db8:");
		putx(o, (h >> 16) & 0xffff);
		put(o, ":");
		putx(o, h & 0xffff);
		put(o, "::1");
		break;
	case 2:
		rr(o, "h", h, " TXT \"v=spf1 ip4:");
		put_v4(o, h);
		put(o, " -all\"");
		break;
	case 3:
		rr(o, "h", h, " MX 10 h");
		putu(o, h);
		break;
	case 4:
		rr(o, "w", h, " CNAME h");
		putu(o, h);
		break;
	case 5:
		rr(o, "_sip._tcp.h", h, " SRV 0 5 5060 h");
		putu(o, h);
		break;
	case 6:
	case 8:
		rr(o, kind == 6 ? "ns1.d" : "ns2.d", h, " A ");
		put_v4(o, h + (kind == 6 ? 1 : 2) * 0x400000UL);
		break;
	case 7:
	case 9:
		rr(o, "d", h, kind == 7 ? " NS ns1.d" : " NS ns2.d");
		putu(o, h);
		break;
	}
	put(o, "\n");
}

int
main(int argc, char **argv)
{
	static struct out o;
	unsigned long count, serial, k, nblocks;
	int edit_gen = 0, flat = 0;
	char *end;

	if (argc > 1 && strcmp(argv[1], "-f") == 0) {
		flat = 1;
		argc--;
		argv++;
	}
	if (argc < 4 || argc > 6 || (argc >= 5 && strcmp(argv[4], "edit"))) {
		fprintf(stderr,
		    "usage: genzone [-f] ZONE COUNT SERIAL [edit [GEN]]\n");
		return 2;
	}
	count = strtoul(argv[2], &end, 10);
	if (*end != '\0' || count < APEX_RRS) {
		fprintf(stderr, "genzone: COUNT must be >= %d\n", APEX_RRS);
		return 2;
	}
	serial = strtoul(argv[3], &end, 10);
	if (*end != '\0' || serial > 0xffffffffUL) {
		fprintf(stderr, "genzone: bad SERIAL\n");
		return 2;
	}
	if (argc >= 5) {
		edit_gen = argc == 6 ? atoi(argv[5]) : 1;
		if (edit_gen < 1 || edit_gen > 255) {
			fprintf(stderr, "genzone: GEN must be 1..255\n");
			return 2;
		}
	}
	nblocks = flat ? count - APEX_RRS :
	    (count - APEX_RRS + BLOCK_RRS - 1) / BLOCK_RRS;

	put(&o, "$ORIGIN ");
	put(&o, argv[1]);
	if (argv[1][strlen(argv[1]) - 1] != '.')
		put(&o, ".");
	put(&o, "\n$TTL 3600\n@ SOA ns1 hostmaster ");
	putu(&o, serial);
	put(&o, " 3600 900 1209600 300\n"
	    "@ NS ns1\n@ NS ns2\nns1 A 192.0.2.1\nns2 A 192.0.2.2\n");
	for (k = 0; k < count - APEX_RRS; k++)
		if (flat)
			block_rr(&o, k, 0, edit_gen, nblocks);
		else
			block_rr(&o, k / BLOCK_RRS, (int)(k % BLOCK_RRS),
			    edit_gen, nblocks);
	flush(&o);
	if (fflush(stdout) != 0) {
		perror("genzone: write");
		return 1;
	}
	return 0;
}
