/*
 * fuzz_dns.c -- DNS messages as the server sees them.
 *
 * Input: one mode byte, then a DNS message (the corpus files are real
 * queries as kdig/dig send them, with the mode byte in front).
 *   mode & 1   sign the message with the test key before handing it over
 *              (so the fuzzer gets past TSIG verification), and verify
 *              every answer message as a client would
 *   mode & 2   the query comes from 10.0.0.3 (provide-xfr: needs the key)
 *              instead of 127.0.0.2 (NOKEY)
 *   mode & 4   sign the message as a NOTIFY reply (server side of the
 *              NOTIFY we sent) before notify_check_reply() sees it, and
 *              as an answer to our SOA probe before probe_check_reply()
 * The message goes through: pkt_parse() and every RR of every section
 * (pkt_rdata_expand()), dname_parse() at each offset, tsig_rr_parse(),
 * tsig_server_verify(); xfr_query() over UDP and over TCP against a
 * temporary store holding ex.test (two versions, so IXFR has a journal)
 * with every answer message drained and checked to parse with our ID;
 * notify_check_reply() and probe_check_reply() with and without TSIG.
 * UPDATEs (opcode 5): upd_parse() on its own; through xfr_query() with
 * the dynamic update engine (allow-update: loopback NOKEY, 10.0.0.3 k1),
 * the loop run until the answer is sent; and store_update() on its own,
 * whose every answer but NOERROR must leave the zone as it was (a
 * malformed UPDATE gets FORMERR and changes nothing).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <event2/event.h>

#include "agent/conf/conf.h"
#include "agent/daemon/updwork.h"
#include "agent/daemon/xfr.h"
#include "dns/dname.h"
#include "dns/err.h"
#include "dns/log.h"
#include "dns/pkt.h"
#include "dns/tsig.h"
#include "dns/update.h"
#include "dns/wire.h"
#include "notify/notify.h"
#include "notify/probe.h"
#include "store/store.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/fuzz_zone.h"

static unsigned char fz_secret[32] = "0123456789abcdef0123456789abcdef";
/* provide-xfr: loopback without a key, 10.0.0.3 with k1 (FZ_SECRET) */
static const char fz_conf_text[] =
    "key:\n\tname: k1\n\talgorithm: hmac-sha256\n"
    "\tsecret: " FZ_K1_B64 "\n"
    "zone:\n\tname: ex.test\n"
    "\tprovide-xfr: 127.0.0.0/8 NOKEY\n\tprovide-xfr: 10.0.0.3 k1\n"
    "\tallow-update: 127.0.0.0/8 NOKEY\n"
    "\tallow-update: 10.0.0.3 k1 name=@,_acme-challenge*,new,www type=TXT,A,NS\n"
    "\tmax-journal-versions: 5\n";
static struct tsig_key fz_key;
static struct fz_zone fz_z;		/* the store, configuration, server */
static struct event_base *fz_base;
static struct update *fz_upd;
static struct store *fz_st;		/* the engine's ledger reads,
					   store_update() */
static uint8_t fz_zw[DNAME_MAXLEN];

static void
fz_cleanup(void)
{
	update_free(fz_upd);
	fz_upd = NULL;
	store_close(fz_st);
	if (fz_base != NULL)
		event_base_free(fz_base);
	fz_zone_free(&fz_z);
}

static void
fz_changed(void *arg, const char *zone)
{
	(void)arg;
	(void)zone;
}

static void
fz_init(void)
{
	char err[256];

	log_open("fuzz_dns", 0, "/dev/null");
	fz_zone_init_conf(&fz_z, "fuzz_dns", fz_conf_text);
	FUZZ_CHECK(store_open(fz_z.db, 0, &fz_st, err, sizeof(err)) == 0);
	FUZZ_CHECK((fz_base = event_base_new()) != NULL);
	FUZZ_CHECK(update_new(fz_base, fz_z.db, fz_st, fz_changed, NULL,
	    &fz_upd) == 0);
	update_set_config(fz_upd, fz_z.cfg);
	xfr_server_set_update(fz_z.srv, fz_upd);
	FUZZ_CHECK(tsig_key_init_raw(&fz_key, "k1", "hmac-sha256", fz_secret,
	    sizeof(fz_secret)) == 0);
	FUZZ_CHECK(dname_from_str("ex.test", fz_zw, NULL) == 0);
	atexit(fz_cleanup);
}

static const struct tsig_key *
fz_lookup(void *arg, const uint8_t *name, const struct tsig_alg *alg)
{
	(void)arg;
	return alg == fz_key.alg && dname_equal(name, fz_key.name) ?
	    &fz_key : NULL;
}

/* The parser and the pieces built on it, on their own. */
static void
fz_parse(const uint8_t *m, size_t len, uint64_t now)
{
	static uint8_t rd[65536];
	uint8_t name[DNAME_MAXLEN];
	struct pkt p;
	struct pkt_iter it;
	struct pkt_rr rr;
	struct tsig_rr trr;
	struct tsig_ctx ctx;
	size_t pos, nlen, rdlen;
	int s, r, total = 0;

	for (pos = 0; pos < len && pos < 600; pos++) {
		size_t at = pos;

		if (dname_parse(m, len, &at, name, &nlen) == 0) {
			FUZZ_CHECK(at > pos && at <= len);
			FUZZ_CHECK(nlen >= 1 && nlen <= DNAME_MAXLEN);
			FUZZ_CHECK(dname_wire_len(name, nlen) == (int)nlen);
		}
	}
	if (pkt_parse(&p, m, len) < 0)
		return;
	FUZZ_CHECK(p.count[PKT_QUESTION] <= 1);
	FUZZ_CHECK(p.tsig_off < len && p.opt_off < len);
	for (s = PKT_ANSWER; s <= PKT_ADDITIONAL; s++) {
		pkt_iter_init(&it, &p, (enum pkt_section)s);
		while ((r = pkt_iter_next(&it, &rr)) == 1) {
			FUZZ_CHECK(rr.end <= len &&
			    rr.rdata_off + rr.rdlen == rr.end);
			if (pkt_rdata_expand(&p, &rr, rd, sizeof(rd),
			    &rdlen) == 0)
				FUZZ_CHECK(rdlen <= sizeof(rd));
			total++;
		}
		FUZZ_CHECK(r == 0);	/* parse accepted it all */
	}
	FUZZ_CHECK(total == p.count[1] + p.count[2] + p.count[3]);
	if (p.tsig_off != 0)
		(void)tsig_rr_parse(&p, &trr);
	(void)tsig_server_verify(&ctx, &p, fz_lookup, NULL, now,
	    TSIG_MAX_FUDGE);
	tsig_ctx_deinit(&ctx);
}

/* An UPDATE read (upd_parse) and applied (store_update) on its own:
 * whatever the answer but NOERROR, the zone is as it was. */
static void
fz_update(const uint8_t *m, size_t len)
{
	struct store_update_opts o = { .problem = fz_zone_quiet,
	    .max_journal_versions = 5 };
	struct store_import_result res;
	struct store_zone_info before, after;
	struct upd_msg u;
	struct pkt p;
	uint8_t rcode;
	int r;

	if (pkt_parse(&p, m, len) < 0 ||
	    WIRE_OPCODE(p.flags) != WIRE_OPCODE_UPDATE)
		return;
	r = upd_parse(&p, &u, &rcode);
	FUZZ_CHECK((r == 0) == (rcode == WIRE_RCODE_NOERROR));
	FUZZ_CHECK(u.npre + u.nupd <= 4096 && u.alen <= u.acap);
	if (r == 0 && dname_equal(u.zone, fz_zw)) {
		FUZZ_CHECK(store_zone_info(fz_st, "ex.test", &before) == 0);
		r = store_update(fz_st, &u, &o, &res, &rcode);
		FUZZ_CHECK(store_zone_info(fz_st, "ex.test", &after) == 0);
		if (rcode != WIRE_RCODE_NOERROR || !res.changed)
			FUZZ_CHECK(before.serial == after.serial &&
			    before.version_id == after.version_id &&
			    before.records == after.records);
		else
			FUZZ_CHECK(after.serial == res.new_serial &&
			    after.version_id == res.version_id);
	}
	upd_free(&u);
}

/* The query as a UDP or TCP query from PEER; answers drained, checked. */
static void
fz_query(const uint8_t *m, size_t len, const char *peer, int tcp,
    struct tsig_ctx *cli, uint64_t now)
{
	static uint8_t buf[65535];
	struct sockaddr_in sin;
	struct xfr_answer *a;
	struct pkt p;
	size_t rlen;
	int r, n = 0;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(5353);
	inet_pton(AF_INET, peer, &sin.sin_addr);
	r = xfr_query(fz_z.srv, m, len, (struct sockaddr *)&sin, tcp, &a);
	if (r != 0)
		return;
	r = xfr_answer_next(a, buf, tcp ? sizeof(buf) : 65535, &rlen);
	/* an UPDATE: the engine's thread commits, the loop answers */
	for (n = 0; r == XFR_PENDING && n < 10000; n++) {
		event_base_loop(fz_base, EVLOOP_ONCE);
		r = xfr_answer_next(a, buf, tcp ? sizeof(buf) : 65535, &rlen);
	}
	FUZZ_CHECK(r != XFR_PENDING);
	n = 0;
	for (; r == 1; r = xfr_answer_next(a, buf, tcp ? sizeof(buf) : 65535,
	    &rlen)) {
		FUZZ_CHECK(rlen >= WIRE_HDR_LEN && rlen <= sizeof(buf));
		FUZZ_CHECK(pkt_parse(&p, buf, rlen) == 0);
		FUZZ_CHECK(p.flags & WIRE_FLAG_QR);
		FUZZ_CHECK(p.id == wire_read_u16(m));
		if (!tcp)
			FUZZ_CHECK(n == 0);	/* one datagram */
		if (cli != NULL)
			(void)tsig_client_verify(cli, &p, now);
		if (getenv("FUZZ_DEBUG") != NULL)
			fprintf(stderr, "%s %s: rcode %d, %u answer RRs\n",
			    tcp ? "TCP" : "UDP", peer, WIRE_RCODE(p.flags),
			    p.count[PKT_ANSWER]);
		if (++n > 100)
			break;
	}
	xfr_answer_free(a);
}

/* M (LEN octets) as the answer to our request REQ (RL octets) into REP,
 * signed as the server would when SIGN; its length. */
static size_t
fz_answer(const uint8_t *req, size_t rl, const uint8_t *m, size_t len,
    int sign, uint64_t now, uint8_t *rep, size_t cap)
{
	struct tsig_ctx srv;
	struct pkt p;
	size_t rlen;

	if (len > 65535)
		len = 65535;
	memcpy(rep, m, len);
	rlen = len;
	if (sign && len >= WIRE_HDR_LEN) {
		FUZZ_CHECK(pkt_parse(&p, req, rl) == 0);
		FUZZ_CHECK(tsig_server_verify(&srv, &p, fz_lookup, NULL,
		    now, TSIG_MAX_FUDGE) == 0);
		(void)tsig_sign(&srv, rep, &rlen, cap, now);
		tsig_ctx_deinit(&srv);
	}
	return rlen;
}

/* M as a reply to our NOTIFY for ex.test, unsigned and signed. */
static void
fz_notify(const uint8_t *m, size_t len, int sign, uint64_t now)
{
	static uint8_t req[1024], rep[65535 + 512];
	uint8_t soa[22] = { 0 };
	struct tsig_ctx cli;
	size_t rl, rlen;
	uint16_t id = len >= 2 ? wire_read_u16(m) : 0;
	int tr;

	wire_write_u32(soa + 2, 11);
	(void)notify_check_reply(m, len, id, fz_zw, NULL, now, &tr);
	tsig_ctx_init(&cli, &fz_key, 0);
	FUZZ_CHECK(notify_build(req, sizeof(req), &rl, id, fz_zw, 300, soa,
	    sizeof(soa), &cli, now) == 0);
	rlen = fz_answer(req, rl, m, len, sign, now, rep, sizeof(rep));
	(void)notify_check_reply(rep, rlen, id, fz_zw, &cli, now, &tr);
	tsig_ctx_deinit(&cli);
}

/* M as an answer to our SOA probe of ex.test, unsigned and signed. */
static void
fz_probe(const uint8_t *m, size_t len, int sign, uint64_t now)
{
	static uint8_t req[1024], rep[65535 + 512];
	struct tsig_ctx cli;
	uint32_t serial;
	size_t rl, rlen;
	uint16_t id = len >= 2 ? wire_read_u16(m) : 0;
	int rcode, tr;

	(void)probe_check_reply(m, len, id, fz_zw, NULL, now, &rcode, &serial,
	    &tr);
	tsig_ctx_init(&cli, &fz_key, 0);
	FUZZ_CHECK(probe_build(req, sizeof(req), &rl, id, fz_zw, &cli,
	    now) == 0);
	rlen = fz_answer(req, rl, m, len, sign, now, rep, sizeof(rep));
	(void)probe_check_reply(rep, rlen, id, fz_zw, &cli, now, &rcode,
	    &serial, &tr);
	tsig_ctx_deinit(&cli);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	static uint8_t msg[65535 + 512];
	struct tsig_ctx cli;
	uint64_t now = (uint64_t)time(NULL);
	const char *peer;
	size_t len;
	int mode, signd = 0;

	if (!inited) {
		fz_init();
		inited = 1;
	}
	if (size < 1 || size > 65535 + 1)
		return 0;
	mode = data[0];
	len = size - 1;
	memcpy(msg, data + 1, len);
	peer = (mode & 2) ? "10.0.0.3" : "127.0.0.2";

	fz_parse(msg, len, now);
	fz_update(msg, len);
	fz_notify(msg, len, mode & 4, now);
	fz_probe(msg, len, mode & 4, now);

	tsig_ctx_init(&cli, &fz_key, 0);
	if ((mode & 1) && len >= WIRE_HDR_LEN &&
	    tsig_sign(&cli, msg, &len, 65535, now) == 0)
		signd = 1;
	if (signd)
		fz_parse(msg, len, now);
	fz_query(msg, len, peer, 0, signd ? &cli : NULL, now);
	tsig_ctx_deinit(&cli);
	/* A fresh client context for the TCP answer. */
	tsig_ctx_init(&cli, &fz_key, 0);
	if (signd) {
		len = size - 1;
		memcpy(msg, data + 1, len);
		FUZZ_CHECK(tsig_sign(&cli, msg, &len, 65535, now) == 0);
	}
	fz_query(msg, len, peer, 1, signd ? &cli : NULL, now);
	tsig_ctx_deinit(&cli);
	return 0;
}
