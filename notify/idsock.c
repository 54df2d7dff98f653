/*
 * idsock.c -- UDP sockets whose answers are matched by ID (idsock.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "dns/addr.h"
#include "dns/err.h"
#include "dns/log.h"
#include "dns/wire.h"
#include "notify/idsock.h"

int
idsock_open(struct idsock *s, struct event_base *base, int family,
    const void *src, socklen_t srclen, event_callback_fn cb, void *arg,
    const char *who)
{
	int r = HP_ENOMEM;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->who = who;
	s->family = family;
	s->srclen = srclen <= sizeof(s->src) ? srclen : 0;
	memcpy(&s->src, src, s->srclen);
	s->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || (s->srclen != 0 && bind(s->fd,
	    (const struct sockaddr *)&s->src, s->srclen) != 0)) {
		r = -errno;
		log_err("%s: cannot open a socket from the source address: %s",
		    who, strerror(errno));
		goto fail;
	}
	s->by_id = calloc(65536, sizeof(*s->by_id));
	s->ev = event_new(base, s->fd, EV_READ | EV_PERSIST, cb, arg);
	if (s->by_id == NULL || s->ev == NULL || event_add(s->ev, NULL) != 0)
		goto fail;
	return 0;
fail:
	idsock_close(s);
	return r;
}

void
idsock_close(struct idsock *s)
{
	if (s->ev != NULL)
		event_free(s->ev);
	if (s->fd >= 0)
		close(s->fd);
	free(s->by_id);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

int
idsock_is(const struct idsock *s, int family, const void *src,
    socklen_t srclen)
{
	return s->family == family &&
	    addr_equal(&s->src, s->srclen, src, srclen);
}

struct idsock *
idsock_list_get(struct idsock **list, struct event_base *base, int family,
    const void *src, socklen_t srclen, event_callback_fn cb, void *owner,
    const char *who)
{
	struct idsock *s;

	for (s = *list; s != NULL; s = s->next)
		if (idsock_is(s, family, src, srclen))
			return s;
	if ((s = malloc(sizeof(*s))) == NULL)
		return NULL;
	if (idsock_open(s, base, family, src, srclen, cb, s, who) < 0) {
		free(s);
		return NULL;
	}
	s->owner = owner;
	s->next = *list;
	*list = s;
	return s;
}

void
idsock_list_free(struct idsock **list)
{
	struct idsock *s;

	while ((s = *list) != NULL) {
		*list = s->next;
		idsock_close(s);
		free(s);
	}
}

int
idsock_take(struct idsock *s, void *p, uint16_t *id)
{
	uint16_t i;
	int n;

	for (n = 0; n < 64; n++) {
		i = (uint16_t)arc4random_uniform(65536);
		if (s->by_id[i] == NULL) {
			s->by_id[i] = p;
			*id = i;
			return 0;
		}
	}
	return HP_EAGAIN;
}

void
idsock_put(struct idsock *s, uint16_t id, const void *p)
{
	if (s->by_id != NULL && s->by_id[id] == p)
		s->by_id[id] = NULL;
}

void *
idsock_get(const struct idsock *s, uint16_t id)
{
	return s->by_id[id];
}

ssize_t
idsock_recv(struct idsock *s, uint8_t *buf, size_t cap, void **p,
    idsock_peer_fn *peer, int log_key)
{
	struct sockaddr_storage from;
	const void *want;
	socklen_t fl, wl;
	ssize_t len;

	for (;;) {
		fl = sizeof(from);
		len = recvfrom(s->fd, buf, cap, 0, (struct sockaddr *)&from,
		    &fl);
		if (len < 0)
			return -1;
		if (len < WIRE_HDR_LEN ||
		    (*p = s->by_id[wire_read_u16(buf)]) == NULL ||
		    (want = peer(*p, &wl)) == NULL ||
		    !addr_equal(&from, fl, want, wl)) {
			log_limited(log_key, 5, LOG_INFO, "%s: stray answer "
			    "from %s dropped", s->who, addr_ntop((struct sockaddr *)
			    &from, (char *)buf, cap < ADDR_STRLEN ? cap :
			    ADDR_STRLEN));
			continue;
		}
		return len;
	}
}
