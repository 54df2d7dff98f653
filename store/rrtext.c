/*
 * rrtext.c -- an RR as one line of presentation format, as libknot prints
 * it: for `hpagent show`, `diff`, `import --dry-run` and the messages that
 * name a record (conflicts of a merge).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include <libknot/libknot.h>

#include "dns/err.h"
#include "store/store.h"

int
store_rr_text(const struct store_rr *rr, char **buf, size_t *len)
{
	knot_dump_style_t style = KNOT_DUMP_STYLE_DEFAULT;
	uint8_t owner[KNOT_DNAME_MAXLEN];
	knot_rrset_t rrset;
	size_t n;
	int ret;

	style.wrap = false;
	style.show_class = true;
	style.show_ttl = true;
	style.human_ttl = false;
	style.empty_ttl = false;
	style.original_ttl = false;
	style.verbose = false;
	style.generic = false;
	style.hide_crypto = false;
	style.color = NULL;
	style.ascii_to_idn = NULL;
	if (knot_dname_from_str(owner, rr->owner, sizeof(owner)) == NULL)
		return HP_EMALF;
	if (*buf == NULL) {
		/* knot_rrset_txt_dump grows the buffer, but wants one */
		if ((*buf = malloc(4096)) == NULL)
			return HP_ENOMEM;
		*len = 4096;
	}
	knot_rrset_init(&rrset, owner, rr->type, rr->rclass, rr->ttl);
	if (knot_rrset_add_rdata(&rrset, rr->rdata, rr->rdlen, NULL) !=
	    KNOT_EOK)
		return HP_ENOMEM;
	ret = knot_rrset_txt_dump(&rrset, buf, len, &style);
	knot_rdataset_clear(&rrset.rrs, NULL);
	if (ret < 0)
		return HP_EMALF;
	/* one line: without the newline libknot ends it with */
	n = strlen(*buf);
	if (n > 0 && (*buf)[n - 1] == '\n')
		(*buf)[n - 1] = '\0';
	return 0;
}
