/*
 * secstate.h -- reading the secondaries table (schema/002_serve.sql) for
 * `hpagent status --json`, `hpagent wait` and the HTTP API.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_SECSTATE_H
#define HP_SECSTATE_H

#include <stdint.h>
#include <sqlite3.h>

struct hp_zone;
struct hp_config;
struct json_writer;

#define SEC_ADDR_MAX	64

/* One notify: target of a zone: ADDR (as the table keys it, no port) and
 * LABEL ("ADDR@PORT"). */
struct sec_target {
	char addr[SEC_ADDR_MAX];
	char label[SEC_ADDR_MAX + 8];
};

/* The notify: targets of Z into T (at most MAX). Returns the count. */
int sec_targets(const struct hp_zone *z, struct sec_target *t, int max);

/* The serial the table says ADDR has for ZONE (name): 1 and *SERIAL set,
 * 0 when unknown, negative HP_E* on a database error. */
int sec_serial(sqlite3 *db, const char *zone, const char *addr,
    uint32_t *serial);

/* 1 when HAVE is SERIAL or ahead of it (RFC 1982). */
int sec_has(uint32_t have, uint32_t serial);

/* Write {"zone": ..., "serial": N, "secondaries": [{address, serial,
 * state, since, notify_serial, notify_sent, notify_acked, target}...]}
 * for ZONE (name with trailing dot) into W: the table's rows plus the
 * notify: targets of CFG never seen. HP_ENOENT when ZONE is not stored. */
int sec_zone_json(sqlite3 *db, const struct hp_config *cfg,
    const char *zone, struct json_writer *w);

#endif
