/*
 * acl.c -- address match lists, as nsd.conf writes them: "ADDR[@PORT]",
 * "ADDR/PREFIX", "ADDR&MASK", "ADDR-ADDR", then a key name, NOKEY or
 * BLOCKED; and matching a peer's address against one.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/conf/conf.h"
#include "agent/conf/conf_int.h"
#include "dns/addr.h"
#include "dns/err.h"

static int
acl_msg(char *msg, size_t msglen, const char *fmt, const char *arg)
{
	if (msg != NULL && msglen > 0)
		snprintf(msg, msglen, fmt, arg);
	return HP_EINVAL;
}

/* A contiguous netmask to a prefix length, or -1. */
static int
mask_prefix(const unsigned char *m, int bytes)
{
	int i, bit, n = 0, ended = 0;

	for (i = 0; i < bytes; i++)
		for (bit = 7; bit >= 0; bit--) {
			if (m[i] & (1 << bit)) {
				if (ended)
					return -1;
				n++;
			} else
				ended = 1;
		}
	return n;
}

int
conf_parse_addr(const char *spec, struct conf_acl *acl, char *msg,
    size_t msglen)
{
	char buf[128], *at, *sep;
	unsigned long long v;
	unsigned char m[16];
	int fam2, len;

	memset(acl, 0, sizeof(*acl));
	acl->action = ACL_NOKEY;
	if (strlen(spec) >= sizeof(buf))
		return acl_msg(msg, msglen, "address too long: '%.40s...'",
		    spec);
	memcpy(buf, spec, strlen(spec) + 1);
	if ((at = strchr(buf, '@')) != NULL) {
		*at++ = '\0';
		if (parse_uint(at, 65535, &v) < 0 || v == 0)
			return acl_msg(msg, msglen, "bad port '%s'", at);
		acl->port = (uint16_t)v;
	}
	acl->kind = ACL_SINGLE;
	if ((sep = strpbrk(buf, "/&-")) != NULL) {
		char c = *sep;

		*sep++ = '\0';
		if (addr_pton(buf, &acl->family, acl->addr) < 0)
			return acl_msg(msg, msglen, "bad address '%s'", buf);
		len = acl->family == AF_INET ? 32 : 128;
		if (c == '/') {
			if (parse_uint(sep, len, &v) < 0)
				return acl_msg(msg, msglen,
				    "bad prefix length '%s'", sep);
			acl->kind = ACL_PREFIX;
			acl->prefix = (int)v;
		} else if (c == '&') {
			if (addr_pton(sep, &fam2, m) < 0 ||
			    fam2 != acl->family ||
			    (acl->prefix = mask_prefix(m, len / 8)) < 0)
				return acl_msg(msg, msglen,
				    "bad netmask '%s'", sep);
			acl->kind = ACL_PREFIX;
		} else {
			if (addr_pton(sep, &fam2, acl->addr_hi) < 0 ||
			    fam2 != acl->family)
				return acl_msg(msg, msglen,
				    "bad range end '%s'", sep);
			if (memcmp(acl->addr, acl->addr_hi, len / 8) > 0)
				return acl_msg(msg, msglen,
				    "range '%s' ends before it starts", spec);
			acl->kind = ACL_RANGE;
		}
		return 0;
	}
	if (addr_pton(buf, &acl->family, acl->addr) < 0)
		return acl_msg(msg, msglen, "bad address '%s'", buf);
	return 0;
}

int
conf_parse_acl(const struct conf *cfg, const char *value,
    struct conf_acl *acl, char *msg, size_t msglen)
{
	char addr[128], keyname[256];
	const char *p = value, *q;
	size_t n, tlen;
	struct conf_acl a;
	int r;

	while (isspace((unsigned char)*p))
		p++;
	for (q = p; *q != '\0' && !isspace((unsigned char)*q); q++)
		;
	n = q - p;
	if (n == 0 || n >= sizeof(addr))
		return acl_msg(msg, msglen, "%s",
		    "expected: ADDRESS KEY-NAME|NOKEY|BLOCKED");
	memcpy(addr, p, n);
	addr[n] = '\0';
	for (p = q; isspace((unsigned char)*p); p++)
		;
	for (q = p; *q != '\0' && !isspace((unsigned char)*q); q++)
		;
	n = q - p;
	if (n == 0)
		return acl_msg(msg, msglen, "missing key name (or NOKEY or "
		    "BLOCKED) after '%s'", addr);
	if (n >= sizeof(keyname))
		return acl_msg(msg, msglen, "%s", "key name too long");
	memcpy(keyname, p, n);
	keyname[n] = '\0';
	while (isspace((unsigned char)*q))
		q++;
	if (*q != '\0')
		return acl_msg(msg, msglen, "unexpected '%s' after the key "
		    "name", q);
	if ((r = conf_parse_addr(addr, &a, msg, msglen)) < 0)
		return r;
	if (strcmp(keyname, "NOKEY") == 0)
		a.action = ACL_NOKEY;
	else if (strcmp(keyname, "BLOCKED") == 0)
		a.action = ACL_BLOCKED;
	else {
		a.action = ACL_KEY;
		if (cfg == NULL ||
		    (a.key = conf_find_key(cfg, keyname)) == NULL)
			return acl_msg(msg, msglen, "unknown key '%s'",
			    keyname);
	}
	tlen = strlen(addr) + strlen(keyname) + 2;
	if ((a.text = malloc(tlen)) == NULL)
		return HP_ENOMEM;
	snprintf(a.text, tlen, "%s %s", addr, keyname);
	*acl = a;
	return 0;
}

void
conf_acl_clear(struct conf_acl *acl)
{
	if (acl == NULL)
		return;
	free(acl->text);
	acl->text = NULL;
}

static int
prefix_match(const unsigned char *a, const unsigned char *b, int bits)
{
	int bytes = bits / 8, rest = bits % 8;
	unsigned char mask;

	if (memcmp(a, b, bytes) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[bytes] & mask) == (b[bytes] & mask);
}

int
conf_acl_match(const struct conf_acl *acl, const struct sockaddr *sa)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	unsigned char a[16] = { 0 };
	int family, len;
	uint16_t port;

	if (acl == NULL || sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		family = AF_INET;
		memcpy(a, &s4->sin_addr, 4);
		port = ntohs(s4->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		family = AF_INET6;
		memcpy(a, &s6->sin6_addr, 16);
		port = ntohs(s6->sin6_port);
		if (acl->family == AF_INET && memcmp(a, mapped, 12) == 0) {
			family = AF_INET;	/* v4-mapped */
			memmove(a, a + 12, 4);
			memset(a + 4, 0, 12);
		}
	} else
		return 0;
	if (family != acl->family)
		return 0;
	if (acl->port != 0 && acl->port != port)
		return 0;
	len = family == AF_INET ? 4 : 16;
	switch (acl->kind) {
	case ACL_SINGLE:
		return memcmp(a, acl->addr, len) == 0;
	case ACL_PREFIX:
		return prefix_match(a, acl->addr, acl->prefix);
	case ACL_RANGE:
		return memcmp(a, acl->addr, len) >= 0 &&
		    memcmp(a, acl->addr_hi, len) <= 0;
	}
	return 0;
}

void
conf_acl_append(struct conf_acl **head, const struct conf_acl *a)
{
	struct conf_acl *n = xcalloc(1, sizeof(*n));

	*n = *a;
	n->next = NULL;
	while (*head != NULL)
		head = &(*head)->next;
	*head = n;
}

void
conf_acls_free(struct conf_acl *a)
{
	struct conf_acl *nx;

	for (; a != NULL; a = nx) {
		nx = a->next;
		free(a->text);
		free(a);
	}
}
