/*
 * dnsq.c -- a small DNS query tool built on hpagent's dns/ code, for
 * interop tests: sends one query (UDP, or TCP with -t; AXFR and IXFR
 * always over TCP), verifies TSIG on every response message, prints each
 * message and its records.
 *
 * usage: dnsq [-t] [-q] [-y [alg:]name:secret] [-s SRCADDR] [-T SECONDS]
 *             [-w MS] [-x CMD] ADDR PORT NAME TYPE [SERIAL]
 *   SERIAL: for IXFR, the serial the client has (sent as the SOA in the
 *   authority section).
 *   -q: do not print records, only message summaries and totals.
 *   -w: a slow secondary: a small receive buffer, and MS milliseconds of
 *   sleep before each response message is read (TCP).
 *   -x: connect, run CMD (sh -c) and wait for it, then send the query at
 *   once: it arrives the moment CMD's work is done (a commit of another
 *   process, say), before the server could look at anything else.
 * Output: ";; msg N: ..." per message, records as "owner ttl TYPE data",
 * then ";; total: M messages, R records, tsig STATUS".
 * Exit: 0 success, 1 usage/network/parse error, 2 rcode not NOERROR,
 * 3 TSIG failure (including TSIG errors reported by the server).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libknot/libknot.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/pkt.h"
#include "dns/serial.h"
#include "dns/tsig.h"
#include "dns/wire.h"

#define MAX_MESSAGES 200000

struct opts {
	int tcp, quiet, timeout, slow_ms;
	const char *keyspec, *src, *addr, *name, *cmd;
	uint16_t port, qtype;
	uint32_t serial;
	int has_serial;
};

static void
usage(void)
{
	fprintf(stderr, "usage: dnsq [-t] [-q] [-y [alg:]name:secret] "
	    "[-s SRCADDR] [-T SECONDS] [-w MS] [-x CMD] ADDR PORT NAME TYPE "
	    "[SERIAL]\n");
	exit(1);
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	int c;
	char *end;
	uint16_t t;

	memset(o, 0, sizeof(*o));
	o->timeout = 5;
	while ((c = getopt(argc, argv, "tqy:s:T:w:x:")) != -1) {
		switch (c) {
		case 't': o->tcp = 1; break;
		case 'q': o->quiet = 1; break;
		case 'y': o->keyspec = optarg; break;
		case 's': o->src = optarg; break;
		case 'T': o->timeout = atoi(optarg); break;
		case 'w': o->slow_ms = atoi(optarg); break;
		case 'x': o->cmd = optarg; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 4 || argc > 5)
		usage();
	o->addr = argv[0];
	o->port = (uint16_t)strtoul(argv[1], &end, 10);
	if (*end != '\0')
		usage();
	o->name = argv[2];
	if (knot_rrtype_from_string(argv[3], &t) != 0) {
		fprintf(stderr, "dnsq: unknown type %s\n", argv[3]);
		exit(1);
	}
	o->qtype = t;
	if (argc == 5) {
		o->serial = (uint32_t)strtoul(argv[4], NULL, 10);
		o->has_serial = 1;
	}
	if (o->qtype == WIRE_TYPE_AXFR || o->qtype == WIRE_TYPE_IXFR)
		o->tcp = 1;
	return 0;
}

static int
open_socket(const struct opts *o)
{
	struct sockaddr_in sa, src;
	int fd, rcvbuf = 8192;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(o->port);
	if (inet_pton(AF_INET, o->addr, &sa.sin_addr) != 1)
		return -1;
	fd = socket(AF_INET, o->tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	/* Before connect(): the window the server sees stays small. */
	if (o->slow_ms > 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    sizeof(rcvbuf));
	if (o->src != NULL) {
		memset(&src, 0, sizeof(src));
		src.sin_family = AF_INET;
		if (inet_pton(AF_INET, o->src, &src.sin_addr) != 1 ||
		    bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
			goto fail;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

static int
wait_readable(int fd, int timeout)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, timeout * 1000) == 1 ? 0 : -1;
}

static int
read_full(int fd, uint8_t *buf, size_t len, int timeout)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		if (wait_readable(fd, timeout) < 0)
			return -1;
		n = read(fd, buf + got, len - got);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static int
build_query(const struct opts *o, struct tsig_ctx *ctx, uint8_t *buf,
    size_t *len)
{
	struct pkt_wr w;
	uint8_t qn[DNAME_MAXLEN], rd[22];
	uint16_t id;
	int ret;

	if (dname_from_str(o->name, qn, NULL) < 0)
		return HP_EPARSE;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	id = (uint16_t)rand();
	ret = pkt_wr_init(&w, buf, WIRE_MAX_MSG, id, 0, NULL);
	if (ret == 0)
		ret = pkt_wr_question(&w, qn, o->qtype, WIRE_CLASS_IN);
	if (ret == 0 && o->qtype == WIRE_TYPE_IXFR) {
		/* RFC 1995: the client's SOA; only the serial matters. */
		memset(rd, 0, sizeof(rd));
		wire_write_u32(rd + 2, o->serial);
		ret = pkt_wr_rr(&w, PKT_AUTHORITY, qn, WIRE_TYPE_SOA,
		    WIRE_CLASS_IN, 0, rd, sizeof(rd));
	}
	if (ret < 0)
		return ret;
	*len = w.len;
	if (ctx->key != NULL)
		ret = tsig_sign(ctx, buf, len, WIRE_MAX_MSG, (uint64_t)time(NULL));
	return ret;
}

static void
print_rdata(const struct pkt *p, const struct pkt_rr *rr)
{
	uint8_t rd[WIRE_MAX_MSG];
	char s[DNAME_MAXSTR], a[INET6_ADDRSTRLEN];
	size_t len;

	if (pkt_rdata_expand(p, rr, rd, sizeof(rd), &len) < 0) {
		printf("(bad rdata)");
		return;
	}
	switch (rr->type) {
	case WIRE_TYPE_A:
		if (len == 4 && inet_ntop(AF_INET, rd, a, sizeof(a)))
			printf("%s", a);
		return;
	case WIRE_TYPE_AAAA:
		if (len == 16 && inet_ntop(AF_INET6, rd, a, sizeof(a)))
			printf("%s", a);
		return;
	case WIRE_TYPE_NS:
	case WIRE_TYPE_CNAME:
	case WIRE_TYPE_PTR:
		if (dname_to_str(rd, s, sizeof(s)) == 0)
			printf("%s", s);
		return;
	case WIRE_TYPE_SOA: {
		int l1 = dname_wire_len(rd, len);
		int l2 = l1 < 0 ? -1 : dname_wire_len(rd + l1, len - (size_t)l1);

		if (l2 > 0 && len == (size_t)(l1 + l2 + 20))
			printf("serial %u", wire_read_u32(rd + l1 + l2));
		return;
	}
	default:
		printf("\\# %zu", len);
	}
}

static void
print_rrs(const struct pkt *p)
{
	struct pkt_iter it;
	struct pkt_rr rr;
	char owner[DNAME_MAXSTR], type[32];
	int s;

	for (s = PKT_ANSWER; s <= PKT_ADDITIONAL; s++) {
		pkt_iter_init(&it, p, s);
		while (pkt_iter_next(&it, &rr) == 1) {
			if (rr.type == WIRE_TYPE_TSIG || rr.type == WIRE_TYPE_OPT)
				continue;
			if (dname_to_str(rr.owner, owner, sizeof(owner)) < 0)
				continue;
			if (knot_rrtype_to_string(rr.type, type,
			    sizeof(type)) < 0)
				snprintf(type, sizeof(type), "TYPE%u", rr.type);
			printf("%s\t%u\t%s\t", owner, rr.ttl, type);
			print_rdata(p, &rr);
			printf("\n");
		}
	}
}

static const char *
tsig_status(int ret, const struct tsig_ctx *ctx, const struct pkt *p)
{
	if (ctx->key == NULL)
		return p->tsig_off ? "present-unchecked" : "none";
	if (ret == 0)
		return p->tsig_off ? "ok" : "unsigned-accepted";
	if (ctx->error == WIRE_RCODE_BADSIG)
		return "error BADSIG";
	if (ctx->error == WIRE_RCODE_BADKEY)
		return "error BADKEY";
	if (ctx->error == WIRE_RCODE_BADTIME)
		return "error BADTIME";
	return hp_strerror(ret);
}

/* Transfer end (RFC 5936, RFC 1995): the first SOA's serial again at an
 * odd position among the later SOAs; or a one-record IXFR answer (the
 * client is current). */
struct xfr_state {
	int seen_first;
	uint32_t first_serial;
	unsigned long rrs;
	unsigned long nsoa;	/* SOAs after the first */
	int done;
};

static void
track_xfr(struct xfr_state *x, const struct pkt *p)
{
	struct pkt_iter it;
	struct pkt_rr rr;
	uint8_t rd[WIRE_MAX_MSG];
	size_t len;
	uint32_t serial;

	pkt_iter_init(&it, p, PKT_ANSWER);
	while (pkt_iter_next(&it, &rr) == 1) {
		x->rrs++;
		if (rr.type != WIRE_TYPE_SOA)
			continue;
		if (pkt_rdata_expand(p, &rr, rd, sizeof(rd), &len) < 0)
			continue;
		if (serial_soa_get(rd, len, &serial) < 0)
			continue;
		if (!x->seen_first) {
			x->seen_first = 1;
			x->first_serial = serial;
		} else if (++x->nsoa % 2 == 1 && serial == x->first_serial) {
			/* Deleted-part SOAs (odd) never carry the new serial;
			 * AXFR and AXFR-style IXFR end at the first repeat. */
			x->done = 1;
		}
	}
}

int
main(int argc, char **argv)
{
	static uint8_t q[WIRE_MAX_MSG + 2], r[WIRE_MAX_MSG];
	struct opts o;
	struct tsig_key key;
	struct tsig_ctx ctx;
	struct xfr_state x;
	struct pkt p;
	size_t qlen;
	ssize_t n;
	int fd, ret, nmsg = 0, status = 0, tret, xfr;
	uint16_t rlen;
	const char *tsig_total = "none";

	parse_opts(argc, argv, &o);
	tsig_ctx_init(&ctx, NULL, 0);
	if (o.keyspec != NULL) {
		ret = tsig_key_parse(&key, o.keyspec);
		if (ret < 0) {
			fprintf(stderr, "dnsq: bad key: %s\n", hp_strerror(ret));
			return 1;
		}
		tsig_ctx_init(&ctx, &key, 0);
		tsig_total = "ok";
	}
	ret = build_query(&o, &ctx, q + 2, &qlen);
	if (ret < 0) {
		fprintf(stderr, "dnsq: building query: %s\n", hp_strerror(ret));
		return 1;
	}
	fd = open_socket(&o);
	if (fd < 0) {
		fprintf(stderr, "dnsq: %s:%u: %s\n", o.addr, o.port,
		    strerror(errno));
		return 1;
	}
	if (o.cmd != NULL && (ret = system(o.cmd)) != 0) {
		fprintf(stderr, "dnsq: %s: exit status %d\n", o.cmd, ret);
		return 1;
	}
	wire_write_u16(q, (uint16_t)qlen);
	if (o.tcp)
		n = write(fd, q, qlen + 2);
	else
		n = send(fd, q + 2, qlen, 0);
	if (n != (ssize_t)(o.tcp ? qlen + 2 : qlen)) {
		fprintf(stderr, "dnsq: send failed\n");
		return 1;
	}
	xfr = o.qtype == WIRE_TYPE_AXFR || o.qtype == WIRE_TYPE_IXFR;
	memset(&x, 0, sizeof(x));
	for (;;) {
		if (o.tcp) {
			uint8_t lb[2];

			if (o.slow_ms > 0)
				usleep((useconds_t)o.slow_ms * 1000);
			if (read_full(fd, lb, 2, o.timeout) < 0)
				break;
			rlen = wire_read_u16(lb);
			if (read_full(fd, r, rlen, o.timeout) < 0)
				break;
			n = rlen;
		} else {
			if (wait_readable(fd, o.timeout) < 0)
				break;
			n = recv(fd, r, sizeof(r), 0);
			if (n <= 0)
				break;
		}
		nmsg++;
		ret = pkt_parse(&p, r, (size_t)n);
		if (ret < 0) {
			printf(";; msg %d: malformed (%s)\n", nmsg,
			    hp_strerror(ret));
			status = 1;
			break;
		}
		tret = 0;
		if (ctx.key != NULL)
			tret = tsig_client_verify(&ctx, &p,
			    (uint64_t)time(NULL));
		printf(";; msg %d: id %u rcode %u opcode %u flags%s%s%s "
		    "qd %u an %u ns %u ar %u tsig %s\n", nmsg, p.id,
		    WIRE_RCODE(p.flags), WIRE_OPCODE(p.flags),
		    (p.flags & WIRE_FLAG_QR) ? " qr" : "",
		    (p.flags & WIRE_FLAG_AA) ? " aa" : "",
		    (p.flags & WIRE_FLAG_TC) ? " tc" : "",
		    p.count[0], p.count[1], p.count[2], p.count[3],
		    tsig_status(tret, &ctx, &p));
		if (!o.quiet)
			print_rrs(&p);
		track_xfr(&x, &p);
		if (tret < 0) {
			tsig_total = tsig_status(tret, &ctx, &p);
			status = 3;
			break;
		}
		if (WIRE_RCODE(p.flags) != 0) {
			status = 2;
			break;
		}
		if (!xfr || x.done || (nmsg == 1 && x.rrs == 1 &&
		    o.qtype == WIRE_TYPE_IXFR) || nmsg >= MAX_MESSAGES)
			break;
	}
	close(fd);
	if (nmsg == 0) {
		fprintf(stderr, "dnsq: no answer\n");
		return 1;
	}
	if (status == 0 && xfr && !x.done && !(o.qtype == WIRE_TYPE_IXFR &&
	    x.rrs == 1)) {
		fprintf(stderr, "dnsq: transfer incomplete\n");
		status = 1;
	}
	if (status == 0 && ctx.key != NULL && tsig_client_finish(&ctx) < 0) {
		tsig_total = "unsigned at end";
		status = 3;
	}
	printf(";; total: %d messages, %lu records, tsig %s\n", nmsg, x.rrs,
	    tsig_total);
	tsig_ctx_deinit(&ctx);
	if (o.keyspec != NULL)
		tsig_key_clear(&key);
	return status;
}
