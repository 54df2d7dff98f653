/* err.c -- names for hpagent's error codes. SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "dns/err.h"

static const struct {
	int code;
	const char *text;
} hp_errors[] = {
	{ HP_EMALF, "malformed message" },
	{ HP_ESPACE, "not enough buffer space" },
	{ HP_ENOTSUP, "not supported" },
	{ HP_EPARSE, "parse error" },
	{ HP_EINVALID, "invalid data" },
	{ HP_ESTORE, "database error" },
	{ HP_EBUSY, "database is locked by another writer" },
	{ HP_ESCHEMA, "database schema is newer than this hpagent" },
	{ HP_ENOTDB, "file is not an hpagent (SQLite) database" },
	{ HP_EBADKEY, "TSIG: unknown key" },
	{ HP_EBADSIG, "TSIG: bad signature" },
	{ HP_EBADTIME, "TSIG: time outside fudge" },
	{ HP_ENOTSIG, "TSIG: message not signed" },
	{ HP_ECRYPTO, "cryptographic library error" },
	{ HP_ENOJOURNAL, "journal does not reach that serial" },
	{ HP_EFETCH, "fetch failed" },
	{ HP_ETOOBIG, "input too large" },
	{ HP_ECONF, "configuration error" },
	{ HP_EUNCHANGED, "unchanged" },
};

const char *
hp_strerror(int err)
{
	size_t i;

	if (err == 0)
		return "success";
	for (i = 0; i < sizeof(hp_errors) / sizeof(hp_errors[0]); i++)
		if (hp_errors[i].code == err)
			return hp_errors[i].text;
	if (err < 0 && err > HP_ERROR_MIN + 100)
		return strerror(-err);
	return "unknown error";
}
