/*
 * pkt.h -- DNS messages: a validating parser and a compressing writer.
 *
 * Parser: pkt_parse() checks the whole message once (header, every RR of
 * every section within bounds, counts equal to what is there, at most one
 * OPT, TSIG only as the last additional RR) and records where things are;
 * iterate RRs with struct pkt_iter. Nothing is copied: struct pkt points
 * into the caller's buffer, which must outlive it.
 *
 * Writer: struct pkt_wr builds one message in a caller buffer of a fixed
 * capacity. The header counts are kept current on every call, so the
 * buffer always holds a complete message of w->len bytes. A put that does
 * not fit returns HP_ESPACE and leaves the message exactly as it was, so
 * the caller can send it and start the next one (AXFR), or set TC (UDP).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_PKT_H
#define HP_PKT_H

#include <stddef.h>
#include <stdint.h>

#include "dns/dname.h"
#include "dns/wire.h"

enum pkt_section {
	PKT_QUESTION = 0,
	PKT_ANSWER = 1,
	PKT_AUTHORITY = 2,
	PKT_ADDITIONAL = 3,
};

/* A parsed message. All offsets are from the start of WIRE. */
struct pkt {
	const uint8_t *wire;
	size_t len;
	uint16_t id;
	uint16_t flags;			/* QR, opcode, AA..., rcode (low 4) */
	uint16_t count[4];		/* QD, AN, NS, AR as in the header */
	size_t sec_off[4];		/* where each section starts */
	/* The question (when count[PKT_QUESTION] == 1; else qname_len 0). */
	uint8_t qname[DNAME_MAXLEN];	/* uncompressed, case as sent */
	size_t qname_len;
	uint16_t qtype;
	uint16_t qclass;
	/* EDNS (RFC 6891): opt_off != 0 when an OPT RR is present. */
	size_t opt_off;
	uint16_t edns_size;		/* the OPT's CLASS (UDP payload size) */
	uint8_t edns_ext_rcode;
	uint8_t edns_version;
	uint16_t edns_flags;		/* DO bit etc. */
	/* TSIG (RFC 8945): tsig_off != 0 when the last additional RR is a
	 * TSIG; the message without it is wire[0..tsig_off). */
	size_t tsig_off;
};

/* One resource record as it sits in a parsed message. */
struct pkt_rr {
	uint8_t owner[DNAME_MAXLEN];	/* uncompressed, case as sent */
	size_t owner_len;
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	size_t rdata_off;		/* rdata is wire[rdata_off..+rdlen),
					 * possibly with compressed names */
	size_t off;			/* start of the RR (its owner) */
	size_t end;			/* first byte after the RR */
};

/* A cursor over one section of a parsed message. */
struct pkt_iter {
	const struct pkt *p;
	size_t pos;
	unsigned left;
};

/*
 * Parse and validate WIRE (LEN bytes) into P. At most one question is
 * accepted (queries must have exactly one; the caller checks
 * count[PKT_QUESTION]). 0, or HP_EMALF (short header, truncated or
 * overlong data, bad name, counts that do not match the data, more than
 * one question, OPT twice or outside the additional section, TSIG not
 * last or not in the additional section). P is set only on success.
 */
int pkt_parse(struct pkt *p, const uint8_t *wire, size_t len);

/* Position IT at the first RR of SECTION (ANSWER, AUTHORITY, ADDITIONAL). */
void pkt_iter_init(struct pkt_iter *it, const struct pkt *p,
    enum pkt_section section);

/*
 * Read the next RR of the section into RR: 1 when one was read, 0 at the
 * end of the section, HP_EMALF if the data is bad (cannot happen after a
 * successful pkt_parse, but checked anyway).
 */
int pkt_iter_next(struct pkt_iter *it, struct pkt_rr *rr);

/*
 * Copy RR's rdata to OUT (capacity CAP) with every compressed name
 * expanded: the RFC 1035 types (NS, MD, MF, CNAME, SOA, MB, MG, MR, PTR,
 * MINFO, MX) and those RFC 3597 section 4 asks receivers to expand (RP,
 * AFSDB, RT, PX, SRV). Other types are copied as they are. *OUTLEN gets
 * the length. 0, HP_ESPACE, or HP_EMALF (a name or the fixed fields run
 * past RDLENGTH).
 */
int pkt_rdata_expand(const struct pkt *p, const struct pkt_rr *rr,
    uint8_t *out, size_t cap, size_t *outlen);

/* A message being written. Fields are read-only for callers. */
struct pkt_wr {
	uint8_t *buf;
	size_t cap;
	size_t len;			/* bytes of the message so far */
	int section;			/* current section */
	struct dname_ctab *ctab;	/* NULL: no compression */
	/* The owner of the last RR written with compression, where its
	 * octets went: the next RR of the same owner (zones come sorted)
	 * repeats them with no lookup. last_len 0: none yet. */
	uint8_t last[DNAME_MAXLEN];
	size_t last_len, last_off, last_enc;
};

/*
 * Start a message in BUF (capacity CAP >= WIRE_HDR_LEN) with ID and FLAGS,
 * all counts 0. CTAB (may be NULL for no compression) is reset and used
 * for this message; it stays owned by the caller and can be reused for
 * message after message without reallocation. 0 or HP_ESPACE.
 */
int pkt_wr_init(struct pkt_wr *w, uint8_t *buf, size_t cap, uint16_t id,
    uint16_t flags, struct dname_ctab *ctab);

/*
 * Start a response to query Q: same ID and opcode, QR set, RD copied, the
 * given RCODE, and Q's question copied (when it has one). 0 or HP_ESPACE.
 */
int pkt_wr_reply(struct pkt_wr *w, uint8_t *buf, size_t cap,
    const struct pkt *q, uint8_t rcode, struct dname_ctab *ctab);

/* Add the question (only before any RR). 0, HP_ESPACE or HP_EINVAL. */
int pkt_wr_question(struct pkt_wr *w, const uint8_t *qname, uint16_t qtype,
    uint16_t qclass);

/*
 * Append an RR to SECTION (ANSWER..ADDITIONAL; sections must come in
 * order, else HP_EINVAL). OWNER is a wire name; RDATA is the uncompressed
 * wire rdata of RDLEN bytes. The owner is compressed; so are the names in
 * the rdata of NS, MD, MF, CNAME, SOA, MB, MG, MR, PTR, MINFO and MX
 * (RFC 3597 4: never in other types). 0; HP_ESPACE if it does not fit
 * (message unchanged); HP_EMALF if the rdata of one of those types does
 * not hold valid names.
 */
int pkt_wr_rr(struct pkt_wr *w, enum pkt_section section,
    const uint8_t *owner, uint16_t type, uint16_t rclass, uint32_t ttl,
    const uint8_t *rdata, uint16_t rdlen);

/*
 * Append an EDNS OPT RR (root owner, no options) to the additional
 * section, advertising PAYLOAD bytes. 0 or HP_ESPACE.
 */
int pkt_wr_opt(struct pkt_wr *w, uint16_t payload, uint8_t ext_rcode,
    uint16_t flags);

/* Set the RCODE (low 4 bits) / OR in / clear header FLAGS. */
void pkt_wr_set_rcode(struct pkt_wr *w, uint8_t rcode);
void pkt_wr_set_flags(struct pkt_wr *w, uint16_t flags);
void pkt_wr_clear_flags(struct pkt_wr *w, uint16_t flags);

/* The header count of SECTION as written so far. */
uint16_t pkt_wr_count(const struct pkt_wr *w, enum pkt_section section);

/* The mnemonic of RCODE ("NOERROR", "NOTAUTH", ...; the TSIG errors
 * 16-18 as "BADSIG", "BADKEY", "BADTIME", RFC 8945), or NULL for a code
 * without one. */
const char *pkt_rcode_name(int rcode);

#endif
