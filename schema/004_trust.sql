-- 004_trust.sql -- publishing that can be trusted: direct edits held when
-- they do not validate, records no transfer may send, and what each source
-- of a zone last contributed (so that an import applies only its own
-- change). Documented in docs/SCHEMA.md.
-- SPDX-License-Identifier: GPL-3.0-or-later

-- A zone whose direct edits do not validate is "held": they stay in
-- `records` and `pending`, nothing is published, until they are fixed or
-- discarded (hpagent publish --discard). held_mark: max(pending.id) when
-- that was found, so that the daemon tries again only after new edits.
ALTER TABLE zones ADD COLUMN held TEXT;			-- why, NULL: not held
ALTER TABLE zones ADD COLUMN held_since INTEGER;	-- unix time
ALTER TABLE zones ADD COLUMN held_mark INTEGER;
-- A version holding a record that no transfer may send (a database
-- written by an older hpagent): transfers of it are answered SERVFAIL.
ALTER TABLE zones ADD COLUMN broken TEXT;		-- why, NULL: not broken
ALTER TABLE zones ADD COLUMN broken_version INTEGER;	-- versions.id

-- Which source made a version: its path, URL or 'webhook' (NULL for the
-- other channels: sql, rollback), and how it was applied.
ALTER TABLE versions ADD COLUMN origin TEXT;
ALTER TABLE versions ADD COLUMN mode TEXT;		-- 'merge', 'replace'

-- One row per zone and source: what the source contributed at its last
-- import, summarised (its records themselves are the zone's records,
-- corrected by source_rrs).
CREATE TABLE IF NOT EXISTS source_content (
	id INTEGER PRIMARY KEY,
	zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
	source TEXT NOT NULL,		-- '/etc/nsd/example.com.zone',
					-- 'https://...', 'webhook'
	digest BLOB NOT NULL,		-- SHA-256 of its RR set, SOA serial
					-- zeroed (as zones.content_hash)
	soa BLOB NOT NULL,		-- its SOA rdata, serial zeroed
	soa_ttl INTEGER NOT NULL,
	records INTEGER NOT NULL,	-- its RRs, SOA included
	size INTEGER,			-- a file: its size and modification
	mtime INTEGER,			-- time (ns) when it was read
	imported INTEGER NOT NULL,	-- unix time of its last import
	UNIQUE (zone_id, source)
);

-- How a source's last content differs from the zone's records now:
-- op 0 = a record of the zone the source does not have (another channel
-- added it, or changed its TTL), op 1 = a record of the source the zone
-- does not have (another channel removed it). Usually empty: a file
-- imported last and not edited since is the zone.
CREATE TABLE IF NOT EXISTS source_rrs (
	source_id INTEGER NOT NULL REFERENCES source_content(id)
	    ON DELETE CASCADE,
	op INTEGER NOT NULL,
	owner TEXT NOT NULL,
	type INTEGER NOT NULL,
	class INTEGER NOT NULL,
	ttl INTEGER,			-- always written; not declared NOT NULL:
					-- SQLite 3.40's integrity_check reports
					-- such a lone column of a WITHOUT ROWID
					-- table as NULL when it is not
	rdata BLOB NOT NULL,
	PRIMARY KEY (source_id, op, owner, type, rdata, class)
) WITHOUT ROWID;

-- The DNAMEs of a zone without a scan (the validator's "nothing below a
-- DNAME" rule); one entry per DNAME, usually none.
CREATE INDEX IF NOT EXISTS records_dname ON records(zone_id, owner)
    WHERE type = 39;

-- AXFR messages prepared by an older hpagent were built without the
-- validator: dropped, the daemon builds them again, checked (a version
-- holding a record no transfer may send is then marked broken).
DELETE FROM axfr_cache_done;
DELETE FROM axfr_cache;
