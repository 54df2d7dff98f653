-- 001_init.sql -- hpagent's zone store. Documented in docs/SCHEMA.md.
-- SPDX-License-Identifier: GPL-3.0-or-later

-- One row per zone. writer = 1 only inside hpagent's own write transaction
-- (so the triggers below do not log hpagent's writes as direct edits).
CREATE TABLE zones (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,		-- 'example.com.' lowercase, absolute
	serial INTEGER NOT NULL DEFAULT 0,	-- published serial, 0..4294967295
	content_hash BLOB,			-- SHA-256 of the RR set, SOA serial zeroed
	dirty INTEGER NOT NULL DEFAULT 0,	-- 1: direct edits pending
	writer INTEGER NOT NULL DEFAULT 0,
	created INTEGER NOT NULL,		-- unix time
	updated INTEGER NOT NULL,		-- unix time of the last version
	records INTEGER NOT NULL DEFAULT 0	-- RRs in the current version
);

-- The current records of every zone, in the order diffs are computed.
CREATE TABLE records (
	zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
	owner TEXT NOT NULL,		-- 'www.example.com.' lowercase, absolute
	type INTEGER NOT NULL,		-- 1 A, 2 NS, 5 CNAME, 6 SOA, 15 MX, 16 TXT, 28 AAAA ...
	class INTEGER NOT NULL DEFAULT 1,	-- 1 IN
	ttl INTEGER NOT NULL,
	rdata BLOB NOT NULL,		-- uncompressed wire form
	PRIMARY KEY (zone_id, owner, type, rdata, class)
) WITHOUT ROWID;
-- The SOA of a zone without scanning its records ("WHERE zone_id = ? AND
-- type = 6"); covering (the key columns are in every index of a WITHOUT
-- ROWID table), one entry per zone.
CREATE INDEX records_soa ON records(zone_id, type, ttl) WHERE type = 6;

-- One row per published version.
CREATE TABLE versions (
	id INTEGER PRIMARY KEY,
	zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
	serial INTEGER NOT NULL,
	prev_serial INTEGER,		-- NULL for the first version
	created INTEGER NOT NULL,
	source TEXT NOT NULL,		-- 'file', 'sql', 'webhook', ...
	added INTEGER NOT NULL DEFAULT 0,	-- RRs added (SOA not counted)
	removed INTEGER NOT NULL DEFAULT 0,	-- RRs removed (SOA not counted)
	records INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX versions_zone ON versions(zone_id, id);

-- For each version, what an IXFR sends: op 0 = removed (old SOA first),
-- op 1 = added (new SOA first), in seq order.
CREATE TABLE journal (
	version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
	op INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	owner TEXT NOT NULL,
	type INTEGER NOT NULL,
	class INTEGER NOT NULL,
	ttl INTEGER NOT NULL,
	rdata BLOB NOT NULL,
	PRIMARY KEY (version_id, op, seq)
) WITHOUT ROWID;

-- Direct edits of `records` not yet published (op 0 removed, 1 added).
CREATE TABLE pending (
	id INTEGER PRIMARY KEY,
	zone_id INTEGER NOT NULL,
	op INTEGER NOT NULL,
	owner TEXT NOT NULL,
	type INTEGER NOT NULL,
	class INTEGER NOT NULL,
	ttl INTEGER NOT NULL,
	rdata BLOB NOT NULL
);
CREATE INDEX pending_zone ON pending(zone_id);

CREATE TRIGGER records_ins AFTER INSERT ON records
WHEN (SELECT writer FROM zones WHERE id = NEW.zone_id) = 0
BEGIN
	INSERT INTO pending(zone_id, op, owner, type, class, ttl, rdata)
	VALUES (NEW.zone_id, 1, NEW.owner, NEW.type, NEW.class, NEW.ttl, NEW.rdata);
	UPDATE zones SET dirty = 1 WHERE id = NEW.zone_id;
END;

CREATE TRIGGER records_del AFTER DELETE ON records
WHEN (SELECT writer FROM zones WHERE id = OLD.zone_id) = 0
BEGIN
	INSERT INTO pending(zone_id, op, owner, type, class, ttl, rdata)
	VALUES (OLD.zone_id, 0, OLD.owner, OLD.type, OLD.class, OLD.ttl, OLD.rdata);
	UPDATE zones SET dirty = 1 WHERE id = OLD.zone_id;
END;

CREATE TRIGGER records_upd AFTER UPDATE ON records
WHEN (SELECT writer FROM zones WHERE id = OLD.zone_id) = 0
BEGIN
	INSERT INTO pending(zone_id, op, owner, type, class, ttl, rdata)
	VALUES (OLD.zone_id, 0, OLD.owner, OLD.type, OLD.class, OLD.ttl, OLD.rdata);
	INSERT INTO pending(zone_id, op, owner, type, class, ttl, rdata)
	VALUES (NEW.zone_id, 1, NEW.owner, NEW.type, NEW.class, NEW.ttl, NEW.rdata);
	UPDATE zones SET dirty = 1 WHERE id IN (OLD.zone_id, NEW.zone_id);
END;
