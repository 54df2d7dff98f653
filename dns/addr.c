/*
 * addr.c -- socket addresses (see addr.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/addr.h"
#include "dns/err.h"

int
addr_pton(const char *s, int *family, unsigned char *raw)
{
	memset(raw, 0, 16);
	if (inet_pton(AF_INET, s, raw) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, raw) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return HP_EINVAL;
}

int
addr_parse(const char *spec, unsigned defport, struct sockaddr_storage *ss,
    socklen_t *len)
{
	char host[ADDR_STRLEN + 1], *end;
	const char *at = strrchr(spec, '@');
	size_t hl = at != NULL ? (size_t)(at - spec) : strlen(spec);
	unsigned long port = defport;
	unsigned char raw[16];
	int family;

	if (hl == 0 || hl >= sizeof(host))
		return HP_EINVAL;
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (at != NULL) {
		errno = 0;
		port = strtoul(at + 1, &end, 10);
		if (errno != 0 || *end != '\0' || end == at + 1 ||
		    at[1] < '0' || at[1] > '9' || port == 0 || port > 65535)
			return HP_EINVAL;
	}
	if (addr_pton(host, &family, raw) < 0)
		return HP_EINVAL;
	*len = addr_make(family, raw, (unsigned)port, ss);
	return 0;
}

socklen_t
addr_make(int family, const unsigned char *raw, unsigned port,
    struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, raw, 4);
		s4->sin_port = htons((uint16_t)port);
		return sizeof(*s4);
	}
	s6->sin6_family = AF_INET6;
	memcpy(&s6->sin6_addr, raw, 16);
	s6->sin6_port = htons((uint16_t)port);
	return sizeof(*s6);
}

const char *
addr_ntop(const struct sockaddr *sa, char *buf, size_t len)
{
	const void *a = sa->sa_family == AF_INET6 ?
	    (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr :
	    (const void *)&((const struct sockaddr_in *)sa)->sin_addr;

	if ((sa->sa_family != AF_INET && sa->sa_family != AF_INET6) ||
	    inet_ntop(sa->sa_family, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

unsigned
addr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return 0;
}

socklen_t
addr_len(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return sizeof(struct sockaddr_in);
	if (sa->sa_family == AF_INET6)
		return sizeof(struct sockaddr_in6);
	return 0;
}

/* The client part of SA (see addr_same_client) into KEY; its length, or
 * -1 for a family that has none. */
static int
client_key(const struct sockaddr *sa, unsigned char *key)
{
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	const struct sockaddr_in6 *s6;

	switch (sa->sa_family) {
	case AF_INET:
		memcpy(key, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 4;
	case AF_INET6:
		s6 = (const struct sockaddr_in6 *)sa;
		if (memcmp(s6->sin6_addr.s6_addr, mapped, 12) == 0) {
			memcpy(key, s6->sin6_addr.s6_addr + 12, 4);
			return 4;
		}
		memcpy(key, s6->sin6_addr.s6_addr, 8);
		return 8;
	case AF_UNIX:
		return 0;
	default:
		return -1;
	}
}

int
addr_same_client(const struct sockaddr *a, const struct sockaddr *b)
{
	unsigned char ka[8], kb[8];
	int la = client_key(a, ka), lb = client_key(b, kb);

	return la >= 0 && la == lb && memcmp(ka, kb, (size_t)la) == 0;
}

int
addr_equal(const void *a, socklen_t al, const void *b, socklen_t bl)
{
	return al == bl && (al == 0 || memcmp(a, b, al) == 0);
}

int
addr_same_host(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return 0;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		    ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->sa_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		    &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
	return 0;
}
