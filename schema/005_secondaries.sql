-- 005_secondaries.sql -- the secondaries ledger, keyed by notify: entry.
-- A secondary is a notify: target of a zone, identified by that entry's
-- ADDR@PORT; the serial it serves is what its own SOA answer showed
-- (the daemon's probes), never what we sent it. The rows of the former
-- table (keyed by address, serials from transfers) cannot be carried
-- over with that meaning: they are dropped, and the daemon probes anew.
-- SPDX-License-Identifier: GPL-3.0-or-later
DROP TABLE IF EXISTS secondaries;
CREATE TABLE secondaries (
	zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
	target TEXT NOT NULL,		-- the notify: entry: '192.0.2.1@53'
	serial INTEGER,			-- the serial its SOA answer showed, NULL = none
	since INTEGER,			-- when it first showed that serial
	probed INTEGER,			-- when it was last probed
	state TEXT,			-- in-sync, behind, stale, unreachable, refused
	reason TEXT,			-- why, in words; NULL when in sync
	xfr_serial INTEGER,		-- the last transfer we served it: serial,
	xfr_kind TEXT,			-- 'AXFR' or 'IXFR',
	xfr_bytes INTEGER,		-- octets sent,
	xfr_time INTEGER,		-- when it completed,
	xfr_first INTEGER,		-- the first completed transfer of that serial
	notify_serial INTEGER,		-- serial announced by the last NOTIFY
	notify_sent INTEGER,		-- when the last NOTIFY went out
	notify_acked INTEGER,		-- when it was acknowledged, NULL = not (yet)
	notify_error TEXT,		-- why it failed ('answered NOTAUTH', ...)
	PRIMARY KEY (zone_id, target)
) WITHOUT ROWID;
