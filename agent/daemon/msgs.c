/*
 * msgs.c -- an answer's messages kept in memory (single messages, an
 * IXFR, an UPDATE's answer): added, dropped, and a prepared one (AXFR
 * cache, kept IXFR) patched for the query it answers.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "agent/daemon/xfr_int.h"
#include "dns/dname.h"
#include "dns/err.h"
#include "dns/wire.h"

int
xfr_push(struct xfr_answer *a, const uint8_t *msg, size_t len)
{
	uint8_t **m;
	size_t *l, n;

	if (a->nmsgs == a->cap_msgs) {
		n = a->cap_msgs ? a->cap_msgs * 2 : 4;
		if ((m = realloc(a->msgs, n * sizeof(*m))) == NULL)
			return HP_ENOMEM;
		a->msgs = m;
		if ((l = realloc(a->lens, n * sizeof(*l))) == NULL)
			return HP_ENOMEM;
		a->lens = l;
		a->cap_msgs = n;
	}
	if ((a->msgs[a->nmsgs] = malloc(len)) == NULL)
		return HP_ENOMEM;
	memcpy(a->msgs[a->nmsgs], msg, len);
	a->lens[a->nmsgs++] = len;
	a->bytes += len;
	return 0;
}

void
xfr_drop_msgs(struct xfr_answer *a)
{
	size_t i;

	for (i = 0; i < a->nmsgs; i++)
		free(a->msgs[i]);
	a->nmsgs = a->next = a->bytes = 0;
}

/* Prepared messages (AXFR cache, kept IXFR): our query's ID, RD, the
 * question's case and type. */
int
xfr_patch(struct xfr_answer *a, uint8_t *buf, size_t len)
{
	uint16_t flags;

	if (len < WIRE_HDR_LEN + a->qname_len + 4)
		return HP_EMALF;
	wire_write_u16(buf + WIRE_OFF_ID, a->id);
	flags = wire_read_u16(buf + WIRE_OFF_FLAGS);
	flags = (uint16_t)((flags & ~WIRE_FLAG_RD) |
	    (a->qflags & WIRE_FLAG_RD));
	wire_write_u16(buf + WIRE_OFF_FLAGS, flags);
	if (wire_read_u16(buf + WIRE_OFF_QDCOUNT) != 1 ||
	    !dname_equal(buf + WIRE_HDR_LEN, a->qname))
		return HP_EMALF;
	/* Same name, same length: copy the query's case (RFC 4343). */
	memcpy(buf + WIRE_HDR_LEN, a->qcase, a->qname_len);
	wire_write_u16(buf + WIRE_HDR_LEN + a->qname_len, a->qtype);
	return 0;
}
