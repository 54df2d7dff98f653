/*
 * addr.h -- socket addresses: "ADDR[@PORT]" in, text out. The one parser
 * of an address with an optional port (ip-address:, notify:,
 * outgoing-interface:), the one printer of a peer's address (logs, the
 * secondaries ledger's ADDR@PORT), and their comparisons.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_ADDR_H
#define HP_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Room for the text of any address, without a port (INET6_ADDRSTRLEN). */
#define ADDR_STRLEN	46

/*
 * Parse "ADDR" or "ADDR@PORT" (IPv4 or IPv6, no brackets; PORT 1..65535)
 * into *SS with DEFPORT when no port is given; *LEN gets the length of the
 * sockaddr. 0, or HP_EINVAL with *SS and *LEN untouched.
 */
int addr_parse(const char *spec, unsigned defport,
    struct sockaddr_storage *ss, socklen_t *len);

/* The address text S (IPv4 or IPv6, nothing else) into *FAMILY
 * (AF_INET, AF_INET6) and RAW (16 octets; network order, an IPv4
 * address in the first 4, the rest zero). 0 or HP_EINVAL. */
int addr_pton(const char *s, int *family, unsigned char *raw);

/* The sockaddr of FAMILY (AF_INET or AF_INET6) for RAW (4 or 16 octets,
 * network order) and PORT into *SS; returns its length. */
socklen_t addr_make(int family, const unsigned char *raw, unsigned port,
    struct sockaddr_storage *ss);

/* The address of SA (IPv4 or IPv6, no port) as text in BUF (LEN octets,
 * ADDR_STRLEN is enough; "?" when it cannot be printed). Returns BUF. */
const char *addr_ntop(const struct sockaddr *sa, char *buf, size_t len);

/* The port of SA (host order), 0 for another family. */
unsigned addr_port(const struct sockaddr *sa);

/* The length of SA's sockaddr structure by its family (0 when unknown). */
socklen_t addr_len(const struct sockaddr *sa);

/*
 * 1 when A and B are the same client for per-address limits: the same
 * IPv4 address, the same IPv6 /64 (what one host is usually given), an
 * IPv4-mapped IPv6 address as its IPv4 one; any two AF_UNIX peers.
 * Ports are ignored.
 */
int addr_same_client(const struct sockaddr *a, const struct sockaddr *b);
/* 1 when the socket addresses A (AL octets) and B (BL octets) are the
 * same, address and port (two empty ones are), else 0. */
int addr_equal(const void *a, socklen_t al, const void *b, socklen_t bl);
/* 1 when A and B have the same address, whatever their ports, else 0. */
int addr_same_host(const struct sockaddr *a, const struct sockaddr *b);

#endif
