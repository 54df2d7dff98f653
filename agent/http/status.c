/*
 * secstate.c -- reading the secondaries table (see secstate.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "agent/conf/conf.h"
#include "agent/http/json.h"
#include "agent/http/status.h"
#include "dns/err.h"
#include "dns/serial.h"

int
sec_targets(const struct hp_zone *z, struct sec_target *t, int max)
{
	const struct hp_acl *a;
	int n = 0, i, dup;
	char ab[INET6_ADDRSTRLEN];

	for (a = z->notify; a != NULL && n < max; a = a->next) {
		if (a->action == ACL_BLOCKED || a->kind != ACL_SINGLE)
			continue;
		if (inet_ntop(a->family, a->addr, ab, sizeof(ab)) == NULL)
			continue;
		for (dup = 0, i = 0; i < n; i++)
			dup |= strcmp(t[i].addr, ab) == 0;
		if (dup)
			continue;
		snprintf(t[n].addr, sizeof(t[n].addr), "%s", ab);
		snprintf(t[n].label, sizeof(t[n].label), "%s@%u", ab,
		    a->port ? a->port : 53);
		n++;
	}
	return n;
}

int
sec_has(uint32_t have, uint32_t serial)
{
	return have == serial || serial_cmp(have, serial) > 0;
}

int
sec_serial(sqlite3 *db, const char *zone, const char *addr,
    uint32_t *serial)
{
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(db, "SELECT s.serial FROM secondaries s JOIN "
	    "zones z ON z.id = s.zone_id WHERE z.name = ?1 AND s.address = ?2 "
	    "AND s.serial IS NOT NULL", -1, &st, NULL) != SQLITE_OK)
		return HP_ESTORE;
	sqlite3_bind_text(st, 1, zone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, addr, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*serial = (uint32_t)sqlite3_column_int64(st, 0);
		r = 1;
	} else
		r = r == SQLITE_DONE ? 0 : HP_ESTORE;
	sqlite3_finalize(st);
	return r;
}

static void
kv_time(struct json_writer *w, const char *key, sqlite3_stmt *st, int col)
{
	json_key(w, key);
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		json_null(w);
	else
		json_int(w, sqlite3_column_int64(st, col));
}

int
sec_zone_json(sqlite3 *db, const struct hp_config *cfg, const char *zone,
    struct json_writer *w)
{
	struct sec_target t[64];
	int seen[64] = { 0 };
	const struct hp_zone *z = config_zone(cfg, zone);
	sqlite3_stmt *st;
	int64_t serial;
	int nt = 0, i, r, target;
	const char *addr;

	if (sqlite3_prepare_v2(db, "SELECT serial FROM zones WHERE name = ?1",
	    -1, &st, NULL) != SQLITE_OK)
		return HP_ESTORE;
	sqlite3_bind_text(st, 1, zone, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	serial = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	if (r != SQLITE_ROW)
		return r == SQLITE_DONE ? HP_ENOENT : HP_ESTORE;
	if (z != NULL)
		nt = sec_targets(z, t, 64);
	if (sqlite3_prepare_v2(db, "SELECT s.address, s.serial, s.since, "
	    "s.notify_serial, s.notify_sent, s.notify_acked, s.last_xfr "
	    "FROM secondaries s JOIN zones z ON z.id = s.zone_id WHERE "
	    "z.name = ?1 ORDER BY s.address", -1, &st, NULL) != SQLITE_OK)
		return HP_ESTORE;
	sqlite3_bind_text(st, 1, zone, -1, SQLITE_STATIC);
	json_obj_begin(w);
	json_kv_str(w, "zone", zone);
	json_kv_int(w, "serial", serial);
	json_key(w, "secondaries");
	json_arr_begin(w);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		addr = (const char *)sqlite3_column_text(st, 0);
		for (target = 0, i = 0; i < nt; i++)
			if (strcmp(t[i].addr, addr) == 0)
				seen[i] = target = 1;
		json_obj_begin(w);
		json_kv_str(w, "address", addr);
		json_kv_bool(w, "notify_target", target);
		json_key(w, "serial");
		if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
			json_null(w);
			json_kv_str(w, "state", "unknown");
		} else {
			json_int(w, sqlite3_column_int64(st, 1));
			json_kv_str(w, "state", sqlite3_column_int64(st, 1) ==
			    serial ? "in-sync" : "lagging");
		}
		kv_time(w, "since", st, 2);
		kv_time(w, "notify_serial", st, 3);
		kv_time(w, "notify_sent", st, 4);
		kv_time(w, "notify_acked", st, 5);
		kv_time(w, "last_xfr", st, 6);
		json_obj_end(w);
	}
	sqlite3_finalize(st);
	for (i = 0; i < nt; i++) {
		if (seen[i])
			continue;
		json_obj_begin(w);
		json_kv_str(w, "address", t[i].addr);
		json_kv_bool(w, "notify_target", 1);
		json_key(w, "serial");
		json_null(w);
		json_kv_str(w, "state", "unknown");
		json_obj_end(w);
	}
	json_arr_end(w);
	json_obj_end(w);
	return r == SQLITE_DONE ? 0 : HP_ESTORE;
}
