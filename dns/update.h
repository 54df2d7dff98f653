/*
 * update.h -- RFC 2136 UPDATE messages: the zone, prerequisite and update
 * sections read and checked as RFC 2136 3.1, 3.2 and 3.4.1 say, into a
 * copy that outlives the message (the update is applied elsewhere, later,
 * in one transaction).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_UPDATE_H
#define HP_UPDATE_H

#include <stddef.h>
#include <stdint.h>

#include "dns/dname.h"

struct pkt;

/* What one RR of the prerequisite or update section asks (RFC 2136 2.4,
 * 2.5), by its class and type. */
enum upd_op {
	UPD_PRE_YXDOMAIN,	/* ANY ANY: the name is in use */
	UPD_PRE_NXDOMAIN,	/* NONE ANY: the name is not in use */
	UPD_PRE_YXRRSET,	/* ANY TYPE: the RRset exists */
	UPD_PRE_YXRRSET_VAL,	/* IN TYPE RDATA: the RRset is exactly the
				   RRs of the section with that name and
				   type (value dependent) */
	UPD_PRE_NXRRSET,	/* NONE TYPE: the RRset does not exist */
	UPD_ADD,		/* IN: add the RR */
	UPD_DEL_RRSET,		/* ANY TYPE: delete the RRset */
	UPD_DEL_NAME,		/* ANY ANY: delete every RRset at the name */
	UPD_DEL_RR,		/* NONE: delete the RR */
};

struct upd_rr {
	enum upd_op op;
	uint8_t owner[DNAME_MAXLEN];	/* wire, lowercase */
	uint16_t type;
	uint32_t ttl;
	uint16_t rdlen;
	size_t rdata;			/* offset into upd_msg.arena */
};

struct upd_msg {
	uint8_t zone[DNAME_MAXLEN];	/* wire, lowercase */
	uint16_t zclass;
	struct upd_rr *rr;		/* the prerequisites, then the updates */
	size_t npre, nupd;
	uint8_t *arena;			/* rdata, uncompressed */
	size_t alen, acap;
};

#define UPD_RDATA(u, r)	((u)->arena + (r)->rdata)

/*
 * Read the UPDATE P (opcode 5, parsed by pkt_parse) into U. 0; or a
 * negative HP_E* with *RCODE the answer RFC 2136 asks for: FORMERR (zone
 * section not one SOA question, a prerequisite or update RR whose class,
 * type, TTL or RDLENGTH does not go together, rdata that does not
 * expand), NOTZONE (an owner outside the zone). The OPT and TSIG of the
 * additional section are the caller's; other additional RRs are ignored.
 * U is zeroed first; upd_free() it in every case.
 */
int upd_parse(const struct pkt *p, struct upd_msg *u, uint8_t *rcode);
void upd_free(struct upd_msg *u);

/* The mnemonic of OP ("add", "delete RRset", ..., "prerequisite
 * YXDOMAIN" ...), for logs. */
const char *upd_op_name(enum upd_op op);

#endif
