/*
 * deliveries.h -- webhook deliveries already received (table
 * webhook_deliveries, schema/006_listeners.sql): the id a sender gives a
 * delivery (X-GitHub-Delivery, X-Gitea-Delivery, X-Gitlab-Event-UUID), so
 * that the same delivery is not acted on twice.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_STORE_DELIVERIES_H
#define HP_STORE_DELIVERIES_H

#include <stdint.h>

struct store;

/* 1 when delivery ID was recorded at or after SINCE (unix time), 0 when
 * not, or HP_ESTORE. A read: never waits for a writer (WAL). */
int store_delivery_seen(struct store *st, const char *id, int64_t since);

/* Record delivery ID for ZONE at NOW and forget those received before
 * NOW - KEEP_S, in one short transaction. 0, HP_EBUSY (another writer
 * holds the database: try again later), HP_ESTORE. */
int store_delivery_add(struct store *st, const char *id, const char *zone,
    int64_t now, int64_t keep_s);

#endif
