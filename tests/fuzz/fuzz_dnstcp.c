/*
 * fuzz_dnstcp.c -- the daemon's DNS TCP side as a client sees it: the
 * accept-time checks (the peer's address against provide-xfr:/notify:,
 * connections per address), the two-octet framing, the deadline of a
 * query arriving in pieces, and the answers written as the socket drains
 * (agent/daemon/listen.c over agent/daemon/query.c).
 *
 * Input: one mode byte, then the octets a client sends on one connection
 * (length-prefixed queries, whole, cut or trickled).
 *   mode & 1    the peer is 192.0.2.9, which no list names: refused at
 *               accept, nothing may be answered
 *   mode & 2    two connections from the peer are open already, over the
 *               per-address limit (2) of this server: refused
 *   mode & 4    the octets are sent one at a time, the loop run between
 *               them (the query deadline is 1 ms here, so a slow query
 *               is cut)
 * The connection is a socketpair adopted by listen_tcp_adopt() with the
 * peer's address given; the store is fuzz_zone.h's. Every answer must be
 * a framed DNS response (QR set, parseable), none for a refused peer; at
 * the end no connection may be left open.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <event2/event.h>

#include "agent/daemon/listen.h"
#include "dns/log.h"
#include "dns/pkt.h"
#include "dns/wire.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/fuzz_zone.h"

static struct fz_zone fz_z;
static struct event_base *fz_base;
static struct listen_set *fz_ls;

static void
fz_cleanup(void)
{
	listen_close(fz_ls);
	event_base_free(fz_base);
	fz_zone_free(&fz_z);
}

static void
fz_init(void)
{
	struct listen_limits lim = { .max_conns = 8, .max_per_addr = 2,
	    .query_ms = 1 };

	log_open("fuzz_dnstcp", 0, "/dev/null");
	fz_zone_init(&fz_z, "fuzz_dnstcp");
	FUZZ_CHECK((fz_base = event_base_new()) != NULL);
	FUZZ_CHECK(listen_open(fz_base, fz_z.srv, NULL, NULL, 0, &lim,
	    &fz_ls) == 0);
	atexit(fz_cleanup);
}

static void
fz_peer(struct sockaddr_in *sin, int listed)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(40000);
	sin->sin_addr.s_addr = listed ? htonl(0x7f000002) : htonl(0xc0000209);
}

/* A client's end of a new adopted connection, or -1 when refused. */
static int
fz_connect(const struct sockaddr_in *peer)
{
	int sv[2];

	FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	FUZZ_CHECK(fcntl(sv[0], F_SETFL, O_NONBLOCK) == 0);
	FUZZ_CHECK(fcntl(sv[1], F_SETFL, O_NONBLOCK) == 0);
	if (listen_tcp_adopt(fz_ls, sv[0], (const struct sockaddr *)peer,
	    sizeof(*peer)) != 0) {
		close(sv[1]);
		return -1;
	}
	return sv[1];
}

/* Check the framed answers in BUF (LEN octets); returns the octets used. */
static size_t
fz_answers(const uint8_t *buf, size_t len)
{
	struct pkt p;
	size_t off = 0, n;

	while (len - off >= 2) {
		n = (size_t)buf[off] << 8 | buf[off + 1];
		if (len - off - 2 < n)
			break;
		FUZZ_CHECK(n >= WIRE_HDR_LEN);
		FUZZ_CHECK(buf[off + 2 + 2] & 0x80);	/* QR */
		FUZZ_CHECK(pkt_parse(&p, buf + off + 2, n) == 0);
		if (getenv("FUZZ_DEBUG") != NULL)
			fprintf(stderr, "answer id %u, %zu octets\n",
			    (unsigned)(buf[off + 2] << 8 | buf[off + 3]), n);
		off += 2 + n;
	}
	return off;
}

/* Run the loop a little (timers of a few ms included). */
static void
fz_run(void)
{
	struct timeval tv = { 0, 2000 };

	event_base_loopexit(fz_base, &tv);
	event_base_dispatch(fz_base);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	static uint8_t rbuf[1 << 18];
	struct sockaddr_in peer;
	size_t sent = 0, have = 0, step;
	int fd, extra[2] = { -1, -1 }, mode, i, rounds = 0, eof = 0;
	ssize_t n;

	if (!inited) {
		fz_init();
		inited = 1;
	}
	if (size == 0 || size > 1 << 16)
		return 0;
	mode = data[0];
	data++;
	size--;
	fz_peer(&peer, !(mode & 1));
	if (mode & 2)
		for (i = 0; i < 2; i++)
			extra[i] = fz_connect(&peer);
	fd = fz_connect(&peer);
	if (mode & 1)
		FUZZ_CHECK(fd < 0);		/* refused at accept */
	if ((mode & 3) == 2)
		FUZZ_CHECK(fd < 0 && extra[1] >= 0);	/* per address */
	if (fd >= 0) {
		step = mode & 4 ? 1 : size;
		while (!eof && rounds++ < 4000) {
			if (sent < size && (n = write(fd, data + sent,
			    size - sent < step ? size - sent : step)) > 0)
				sent += (size_t)n;
			else if (sent == size)
				shutdown(fd, SHUT_WR);
			fz_run();
			while ((n = read(fd, rbuf + have, sizeof(rbuf) -
			    have)) > 0) {
				have += (size_t)n;
				step = fz_answers(rbuf, have);
				memmove(rbuf, rbuf + step, have - step);
				have -= step;
				step = mode & 4 ? 1 : size;
			}
			if (n == 0 || (n < 0 && errno != EAGAIN &&
			    errno != EWOULDBLOCK))
				eof = 1;
			if (have == sizeof(rbuf))
				have = 0;	/* a huge AXFR: keep reading */
		}
		close(fd);
	}
	for (i = 0; i < 2; i++)
		if (extra[i] >= 0)
			close(extra[i]);
	/* Every connection gone once the clients have closed. */
	for (i = 0; i < 50 && listen_tcp_count(fz_ls) > 0; i++)
		fz_run();
	FUZZ_CHECK(listen_tcp_count(fz_ls) == 0);
	return 0;
}
