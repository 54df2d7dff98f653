-- 007_axfr_msgs.sql -- the AXFR cache, messages apart from their lists.
-- In 002's axfr_cache every 64 KiB message sat in the key of a WITHOUT
-- ROWID table: each seek (an insert, a lookup, a range delete) compared
-- whole records, read from their overflow pages. Now a message is a row
-- of a rowid table (axfr_msgs), never compared, and a version's list of
-- messages a small keyed table (axfr_cache); a message the next version
-- does not change is shared by both, so that a small publish builds only
-- the messages it touches. Each message keeps the key of its first record
-- (owner, type, rdata, class: the records' order), where its part of the
-- zone starts. Built again by the daemon: nothing is carried over.
-- Documented in docs/SCHEMA.md. Numbered after 004, 005 (issue 10) and
-- 006 (issue 11); it may run again on its own result (it only rebuilds the
-- cache).
-- SPDX-License-Identifier: GPL-3.0-or-later
DROP TABLE IF EXISTS axfr_cache;
DROP TABLE IF EXISTS axfr_msgs;
DELETE FROM axfr_cache_done;

-- One DNS message each (header with ID 0, the question, compressed answer
-- RRs); owner..class: its first record other than the SOA (NULL when it
-- holds the closing SOA alone).
CREATE TABLE axfr_msgs (
	id INTEGER PRIMARY KEY,
	zone_id INTEGER NOT NULL,
	rrs INTEGER NOT NULL,
	owner TEXT,
	type INTEGER,
	rdata BLOB,
	class INTEGER,
	msg BLOB NOT NULL
);
CREATE INDEX axfr_msgs_zone ON axfr_msgs(zone_id);

-- The messages of a version, in order (axfr_cache_done says when the list
-- is complete).
CREATE TABLE axfr_cache (
	zone_id INTEGER NOT NULL,
	version_id INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	msg_id INTEGER NOT NULL,
	PRIMARY KEY (zone_id, version_id, seq)
) WITHOUT ROWID;
