/*
 * xfrbench.c -- a lean AXFR/IXFR client for benchmarks.
 *
 * usage: xfrbench [-s ADDR] [-p PORT] [-b SRCADDR] [-t axfr|ixfr]
 *                 [-S SERIAL] [-y [ALG:]NAME:SECRET] [-n N] [-T SECONDS]
 *                 [-N ADDR@PORT] [-v] ZONE
 *
 * Sends one query over TCP, reads the length-prefixed response messages
 * and walks the header and every RR header without decoding RDATA (only
 * the SOA serial is read). Counts messages, answer RRs and bytes; checks
 * the ID, QR, the RCODE of every message and that the answer starts and
 * ends with the zone's SOA. TCP_QUICKACK is set after every read, so the
 * server never waits out a delayed ACK of ours (Linux clears the flag as
 * it goes). With -y the request is TSIG-signed and every
 * response message is verified (dns/tsig.h). -n N repeats the transfer
 * and reports the median time. With -N, a secondary's moment: it first
 * waits (at most -T seconds) for a NOTIFY of ZONE at ADDR@PORT (UDP or
 * TCP), answers it, and starts the transfer at once (the time counts from
 * there, as always from the connect). The last line of output is
 *   RESULT time=S msgs=N rrs=N bytes=N serial=N style=axfr|ixfr|soa
 * Exit status 0 when every transfer was complete and correct.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "dns/dname.h"
#include "dns/err.h"
#include "dns/pkt.h"
#include "dns/tsig.h"
#include "dns/wire.h"

#define RBUF_SIZE	(1 << 18)
#define MAX_RUNS	100

struct opts {
	const char *server;
	const char *source;
	uint16_t port;
	uint16_t qtype;
	uint32_t ixfr_serial;
	int use_tsig;
	struct tsig_key key;
	int runs;
	int timeout;
	int verbose;
	const char *notify_at;	/* -N ADDR@PORT */
	uint8_t zone[DNAME_MAXLEN];
	size_t zone_len;
};

struct result {
	double secs;
	unsigned long msgs;
	unsigned long rrs;
	unsigned long long bytes;
	uint32_t serial;
	const char *style;
};

/* Transfer state while walking answers. */
struct xstate {
	unsigned long rrs;
	uint32_t first_serial;
	int nsoa_first;		/* SOAs carrying the first serial */
	int style;		/* 0 unknown, 1 axfr, 2 ixfr incremental */
	int done;
};

static double
now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Skip a possibly compressed name at *POS within MSG[0..LEN). */
static int
skip_name(const uint8_t *msg, size_t len, size_t *pos)
{
	size_t p = *pos;
	int n = 0;

	for (;;) {
		uint8_t l;

		if (p >= len)
			return HP_EMALF;
		l = msg[p];
		if (l == 0) {
			*pos = p + 1;
			return 0;
		}
		if ((l & 0xc0) == 0xc0) {
			if (p + 2 > len)
				return HP_EMALF;
			*pos = p + 2;
			return 0;
		}
		if ((l & 0xc0) != 0 || ++n > 127)
			return HP_EMALF;
		p += 1 + (size_t)l;
	}
}

/* Serial of the SOA whose RDATA is MSG[off..off+rdlen). */
static int
soa_serial(const uint8_t *msg, size_t len, size_t off, uint16_t rdlen,
    uint32_t *serial)
{
	size_t end = off + rdlen, p = off;

	if (end > len || skip_name(msg, end, &p) < 0 ||
	    skip_name(msg, end, &p) < 0 || p + 20 > end)
		return HP_EMALF;
	*serial = wire_read_u32(msg + p);
	return 0;
}

/* One answer RR seen: update the end-of-transfer state. */
static int
see_rr(struct xstate *x, int is_soa, uint32_t serial)
{
	if (x->done)
		return HP_EMALF;	/* data after the final SOA */
	x->rrs++;
	if (x->rrs == 1) {
		if (!is_soa)
			return HP_EMALF;
		x->first_serial = serial;
		x->nsoa_first = 1;
		return 0;
	}
	if (x->rrs == 2)
		x->style = (is_soa && serial != x->first_serial) ? 2 : 1;
	if (!is_soa)
		return 0;
	if (x->style == 1) {
		x->done = 1;	/* AXFR form: the second SOA ends it */
		return serial == x->first_serial ? 0 : HP_EMALF;
	}
	if (serial == x->first_serial && ++x->nsoa_first == 3)
		x->done = 1;
	return 0;
}

/* Walk one response message. */
static int
walk_msg(const struct opts *o, uint16_t id, const uint8_t *msg, size_t len,
    struct xstate *x)
{
	uint16_t flags, qd, an, i;
	size_t p = WIRE_HDR_LEN;

	if (len < WIRE_HDR_LEN)
		return HP_EMALF;
	flags = wire_read_u16(msg + WIRE_OFF_FLAGS);
	if (wire_read_u16(msg + WIRE_OFF_ID) != id ||
	    !(flags & WIRE_FLAG_QR)) {
		fprintf(stderr, "xfrbench: reply with wrong id or no QR\n");
		return HP_EMALF;
	}
	if (WIRE_RCODE(flags) != WIRE_RCODE_NOERROR) {
		fprintf(stderr, "xfrbench: rcode %u\n", WIRE_RCODE(flags));
		return HP_EINVALID;
	}
	if (flags & WIRE_FLAG_TC) {
		fprintf(stderr, "xfrbench: TC set over TCP\n");
		return HP_EMALF;
	}
	qd = wire_read_u16(msg + WIRE_OFF_QDCOUNT);
	an = wire_read_u16(msg + WIRE_OFF_ANCOUNT);
	for (i = 0; i < qd; i++) {
		if (skip_name(msg, len, &p) < 0 || p + 4 > len)
			return HP_EMALF;
		p += 4;
	}
	for (i = 0; i < an; i++) {
		uint16_t type, rdlen;
		uint32_t serial = 0;
		int r;

		if (skip_name(msg, len, &p) < 0 || p + WIRE_RR_FIXED > len)
			return HP_EMALF;
		type = wire_read_u16(msg + p);
		rdlen = wire_read_u16(msg + p + 8);
		p += WIRE_RR_FIXED;
		if (p + rdlen > len)
			return HP_EMALF;
		if (type == WIRE_TYPE_SOA &&
		    soa_serial(msg, len, p, rdlen, &serial) < 0)
			return HP_EMALF;
		if ((r = see_rr(x, type == WIRE_TYPE_SOA, serial)) < 0) {
			fprintf(stderr, "xfrbench: bad answer sequence at "
			    "RR %lu\n", x->rrs);
			return r;
		}
		p += rdlen;
	}
	(void)o;
	return 0;
}

/* ACK at once: the kernel leaves quick-ACK mode on its own (tcp(7)). */
static void
quickack(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

static int
connect_to(const struct opts *o)
{
	struct sockaddr_in6 a6 = { 0 };
	struct sockaddr_in a4 = { 0 };
	struct sockaddr *sa;
	socklen_t salen;
	struct timeval tv = { o->timeout, 0 };
	int fd, one = 1, fam;

	if (inet_pton(AF_INET, o->server, &a4.sin_addr) == 1) {
		a4.sin_family = AF_INET;
		a4.sin_port = htons(o->port);
		sa = (struct sockaddr *)&a4;
		salen = sizeof(a4);
		fam = AF_INET;
	} else if (inet_pton(AF_INET6, o->server, &a6.sin6_addr) == 1) {
		a6.sin6_family = AF_INET6;
		a6.sin6_port = htons(o->port);
		sa = (struct sockaddr *)&a6;
		salen = sizeof(a6);
		fam = AF_INET6;
	} else {
		fprintf(stderr, "xfrbench: bad address %s\n", o->server);
		return -1;
	}
	if ((fd = socket(fam, SOCK_STREAM, 0)) < 0) {
		perror("xfrbench: socket");
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (o->source != NULL) {
		struct sockaddr_in b4 = { 0 };

		b4.sin_family = AF_INET;
		if (fam != AF_INET ||
		    inet_pton(AF_INET, o->source, &b4.sin_addr) != 1 ||
		    bind(fd, (struct sockaddr *)&b4, sizeof(b4)) < 0) {
			fprintf(stderr, "xfrbench: cannot bind %s\n",
			    o->source);
			close(fd);
			return -1;
		}
	}
	if (connect(fd, sa, salen) < 0) {
		fprintf(stderr, "xfrbench: connect %s#%u: %s\n", o->server,
		    o->port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Build the query (2-byte length prefix first) into BUF; *LEN its size. */
static int
build_query(const struct opts *o, struct tsig_ctx *tctx, uint16_t id,
    uint8_t *buf, size_t cap, size_t *len)
{
	struct pkt_wr w;
	size_t mlen;
	int r;

	if ((r = pkt_wr_init(&w, buf + 2, cap - 2, id, 0, NULL)) < 0 ||
	    (r = pkt_wr_question(&w, o->zone, o->qtype, WIRE_CLASS_IN)) < 0)
		return r;
	if (o->qtype == WIRE_TYPE_IXFR) {
		uint8_t rd[22] = { 0 };	/* ". . SERIAL 0 0 0 0" */

		wire_write_u32(rd + 2, o->ixfr_serial);
		if ((r = pkt_wr_rr(&w, PKT_AUTHORITY, o->zone, WIRE_TYPE_SOA,
		    WIRE_CLASS_IN, 0, rd, sizeof(rd))) < 0)
			return r;
	}
	mlen = w.len;
	if (o->use_tsig && (r = tsig_sign(tctx, buf + 2, &mlen, cap - 2,
	    (uint64_t)time(NULL))) < 0)
		return r;
	wire_write_u16(buf, (uint16_t)mlen);
	*len = mlen + 2;
	return 0;
}

static int
send_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
verify_tsig(struct tsig_ctx *tctx, const uint8_t *msg, size_t len)
{
	struct pkt p;
	int r;

	if ((r = pkt_parse(&p, msg, len)) < 0)
		return r;
	return tsig_client_verify(tctx, &p, (uint64_t)time(NULL));
}

/* A NOTIFY of the zone in M (N octets)? Then M becomes its answer (the
 * header and question, QR and AA set) and its length is returned; else 0. */
static size_t
notify_answer(const struct opts *o, uint8_t *m, size_t n)
{
	uint8_t qname[DNAME_MAXLEN];
	size_t pos = WIRE_HDR_LEN;

	if (n < WIRE_HDR_LEN + 5 || (wire_read_u16(m + 2) & WIRE_FLAG_QR) ||
	    WIRE_OPCODE(wire_read_u16(m + 2)) != WIRE_OPCODE_NOTIFY ||
	    wire_read_u16(m + 4) != 1 ||
	    dname_parse(m, n, &pos, qname, NULL) < 0 || pos + 4 > n ||
	    !dname_equal(qname, o->zone))
		return 0;
	wire_write_u16(m + 2, (uint16_t)(wire_read_u16(m + 2) | WIRE_FLAG_QR |
	    WIRE_FLAG_AA));
	memset(m + 6, 0, 6);	/* no answer, authority, additional */
	return pos + 4;
}

/* One DNS message over TCP on FD (its length prefix first) into M: its
 * length, or 0. */
static size_t
tcp_message(int fd, uint8_t *m, size_t cap)
{
	size_t have = 0, want = 2;
	ssize_t n;

	while (have < want) {
		if ((n = recv(fd, m + have, want - have, 0)) <= 0)
			return 0;
		have += (size_t)n;
		if (have == 2 && want == 2) {
			want = 2 + wire_read_u16(m);
			if (want > cap || want < 2 + WIRE_HDR_LEN)
				return 0;
		}
	}
	memmove(m, m + 2, want - 2);
	return want - 2;
}

/* -N: wait for a NOTIFY of the zone at AT ("ADDR@PORT"), over UDP or
 * TCP (Knot sends it over TCP), answer it, return 0; -1 on error or
 * after the timeout. */
static int
wait_notify(const struct opts *o, const char *at)
{
	struct sockaddr_in sa = { 0 }, from;
	struct pollfd pf[2];
	socklen_t flen;
	struct timeval tv = { 5, 0 };
	uint8_t m[4096 + 2];
	char addr[64];
	const char *at_sign = strchr(at, '@');
	double end = now_secs() + o->timeout;
	size_t alen;
	ssize_t n;
	int fd[2], c, one = 1, i, r = -1;

	if (at_sign == NULL || (size_t)(at_sign - at) >= sizeof(addr)) {
		fprintf(stderr, "xfrbench: -N wants ADDR@PORT\n");
		return -1;
	}
	memcpy(addr, at, (size_t)(at_sign - at));
	addr[at_sign - at] = '\0';
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(at_sign + 1));
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return -1;
	fd[0] = socket(AF_INET, SOCK_DGRAM, 0);
	fd[1] = socket(AF_INET, SOCK_STREAM, 0);
	for (i = 0; i < 2; i++) {
		if (fd[i] < 0 || setsockopt(fd[i], SOL_SOCKET, SO_REUSEADDR,
		    &one, sizeof(one)) < 0 ||
		    bind(fd[i], (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    (i == 1 && listen(fd[i], 4) < 0)) {
			fprintf(stderr, "xfrbench: -N %s: %s\n", at,
			    strerror(errno));
			goto out;
		}
		pf[i].fd = fd[i];
		pf[i].events = POLLIN;
	}
	/* stdout is a file: say when the sockets are there */
	printf("listening for a NOTIFY at %s\n", at);
	fflush(stdout);
	while (now_secs() < end) {
		if (poll(pf, 2, (int)((end - now_secs()) * 1000) + 1) <= 0)
			continue;
		if (pf[0].revents & POLLIN) {
			flen = sizeof(from);
			n = recvfrom(fd[0], m, sizeof(m), 0,
			    (struct sockaddr *)&from, &flen);
			if (n > 0 && (alen = notify_answer(o, m, (size_t)n)) > 0) {
				(void)sendto(fd[0], m, alen, 0,
				    (struct sockaddr *)&from, flen);
				r = 0;
				goto out;
			}
		}
		if (pf[1].revents & POLLIN &&
		    (c = accept(fd[1], NULL, NULL)) >= 0) {
			setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			n = (ssize_t)tcp_message(c, m, sizeof(m));
			if (n > 0 && (alen = notify_answer(o, m, (size_t)n)) > 0) {
				memmove(m + 2, m, alen);
				wire_write_u16(m, (uint16_t)alen);
				(void)send(c, m, alen + 2, MSG_NOSIGNAL);
				close(c);
				r = 0;
				goto out;
			}
			close(c);
		}
	}
	fprintf(stderr, "xfrbench: no NOTIFY at %s within %d s\n", at,
	    o->timeout);
out:
	for (i = 0; i < 2; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	return r;
}

static int
transfer(const struct opts *o, struct result *res)
{
	static uint8_t rbuf[RBUF_SIZE];
	uint8_t q[1024];
	struct tsig_ctx tctx;
	struct xstate x = { 0 };
	size_t qlen, have = 0, off = 0;
	uint16_t id = (uint16_t)(random() & 0xffff);
	double t0;
	int fd = -1, r = -1;

	memset(res, 0, sizeof(*res));
	memset(&tctx, 0, sizeof(tctx));
	if (o->use_tsig)
		tsig_ctx_init(&tctx, &o->key, 0);
	t0 = now_secs();
	if ((fd = connect_to(o)) < 0)
		goto out;
	if (build_query(o, &tctx, id, q, sizeof(q), &qlen) < 0) {
		fprintf(stderr, "xfrbench: cannot build the query\n");
		goto out;
	}
	if (send_all(fd, q, qlen) < 0) {
		perror("xfrbench: send");
		goto out;
	}
	while (!x.done) {
		size_t mlen;
		ssize_t n;

		/* A complete message at rbuf[off..have)? */
		if (have - off >= 2) {
			mlen = wire_read_u16(rbuf + off);
			if (have - off >= 2 + mlen) {
				const uint8_t *m = rbuf + off + 2;
				int e;

				if ((e = walk_msg(o, id, m, mlen, &x)) < 0)
					goto out;
				if (o->use_tsig &&
				    (e = verify_tsig(&tctx, m, mlen)) < 0) {
					fprintf(stderr, "xfrbench: TSIG: %s "
					    "(message %lu)\n", hp_strerror(e),
					    res->msgs + 1);
					goto out;
				}
				res->msgs++;
				res->bytes += 2 + mlen;
				off += 2 + mlen;
				/* A lone SOA: no more to come (up to date). */
				if (x.rrs == 1 && res->msgs == 1 &&
				    o->qtype == WIRE_TYPE_IXFR)
					break;
				continue;
			}
		}
		if (off > 0) {
			memmove(rbuf, rbuf + off, have - off);
			have -= off;
			off = 0;
		}
		n = recv(fd, rbuf + have, sizeof(rbuf) - have, 0);
		quickack(fd);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "xfrbench: %s after %lu messages, "
			    "%lu RRs\n", n == 0 ? "connection closed" :
			    strerror(errno), res->msgs, x.rrs);
			goto out;
		}
		have += (size_t)n;
	}
	if (have != off) {
		fprintf(stderr, "xfrbench: data after the final SOA\n");
		goto out;
	}
	if (o->use_tsig && (r = tsig_client_finish(&tctx)) < 0) {
		fprintf(stderr, "xfrbench: TSIG: last message unsigned\n");
		r = -1;
		goto out;
	}
	res->secs = now_secs() - t0;
	res->rrs = x.rrs;
	res->serial = x.first_serial;
	res->style = x.rrs == 1 ? "soa" : x.style == 2 ? "ixfr" : "axfr";
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	if (o->use_tsig)
		tsig_ctx_deinit(&tctx);
	return r;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
usage(void)
{
	fprintf(stderr, "usage: xfrbench [-s ADDR] [-p PORT] [-b SRCADDR] "
	    "[-t axfr|ixfr] [-S SERIAL]\n"
	    "                [-y [ALG:]NAME:SECRET] [-n N] [-T SECONDS] "
	    "[-N ADDR@PORT] [-v] ZONE\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static struct opts o;
	struct result res, last = { 0 };
	double times[MAX_RUNS];
	int c, i, r;

	o.server = "127.0.0.1";
	o.port = 53;
	o.qtype = WIRE_TYPE_AXFR;
	o.runs = 1;
	o.timeout = 60;
	while ((c = getopt(argc, argv, "s:p:b:t:S:y:n:T:N:v")) != -1) {
		switch (c) {
		case 's':
			o.server = optarg;
			break;
		case 'p':
			o.port = (uint16_t)atoi(optarg);
			break;
		case 'b':
			o.source = optarg;
			break;
		case 't':
			if (strcmp(optarg, "axfr") == 0)
				o.qtype = WIRE_TYPE_AXFR;
			else if (strcmp(optarg, "ixfr") == 0)
				o.qtype = WIRE_TYPE_IXFR;
			else
				usage();
			break;
		case 'S':
			o.ixfr_serial = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'y':
			if ((r = tsig_key_parse(&o.key, optarg)) < 0) {
				fprintf(stderr, "xfrbench: -y: %s\n",
				    hp_strerror(r));
				return 2;
			}
			o.use_tsig = 1;
			break;
		case 'n':
			o.runs = atoi(optarg);
			if (o.runs < 1 || o.runs > MAX_RUNS)
				usage();
			break;
		case 'T':
			o.timeout = atoi(optarg);
			break;
		case 'N':
			o.notify_at = optarg;
			break;
		case 'v':
			o.verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc)
		usage();
	if (dname_from_str(argv[optind], o.zone, &o.zone_len) < 0) {
		fprintf(stderr, "xfrbench: bad zone name %s\n", argv[optind]);
		return 2;
	}
	srandom((unsigned)getpid() ^ (unsigned)time(NULL));
	if (o.use_tsig) {
		/* Sign one query untimed: OpenSSL's first HMAC loads its
		 * algorithms (~1.5 ms), a cost of this process, not of the
		 * server measured. */
		struct tsig_ctx w;
		uint8_t q[1024];
		size_t qlen;

		memset(&w, 0, sizeof(w));
		tsig_ctx_init(&w, &o.key, 0);
		(void)build_query(&o, &w, 0, q, sizeof(q), &qlen);
		tsig_ctx_deinit(&w);
	}
	if (o.notify_at != NULL && wait_notify(&o, o.notify_at) < 0)
		return 1;
	for (i = 0; i < o.runs; i++) {
		if (transfer(&o, &res) < 0) {
			fprintf(stderr, "xfrbench: transfer %d of %d failed\n",
			    i + 1, o.runs);
			return 1;
		}
		times[i] = res.secs;
		if (o.verbose || o.runs == 1)
			printf("%s %s @%s#%u: %.3f s, %lu messages, %lu RRs, "
			    "%llu bytes, serial %u%s\n", res.style,
			    argv[optind], o.server, o.port, res.secs,
			    res.msgs, res.rrs, res.bytes, res.serial,
			    o.use_tsig ? ", TSIG verified" : "");
		if (i > 0 && (res.rrs != last.rrs ||
		    res.serial != last.serial)) {
			fprintf(stderr, "xfrbench: runs differ\n");
			return 1;
		}
		last = res;
	}
	qsort(times, (size_t)o.runs, sizeof(times[0]), cmp_double);
	res.secs = (o.runs % 2) ? times[o.runs / 2] :
	    (times[o.runs / 2 - 1] + times[o.runs / 2]) / 2;
	if (o.runs > 1)
		printf("median of %d: %.4f s (min %.4f, max %.4f)\n", o.runs,
		    res.secs, times[0], times[o.runs - 1]);
	printf("RESULT time=%.6f msgs=%lu rrs=%lu bytes=%llu serial=%u "
	    "style=%s\n", res.secs, res.msgs, res.rrs, res.bytes, res.serial,
	    res.style);
	tsig_key_clear(&o.key);
	return 0;
}
