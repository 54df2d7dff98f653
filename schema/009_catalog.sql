-- 009_catalog.sql -- zones kept in the database (hpagent zone add,
-- POST /v1/zones) and the members of producer catalog zones (RFC 9432).
-- Documented in docs/SCHEMA.md.
-- SPDX-License-Identifier: GPL-3.0-or-later

-- A zone added by `hpagent zone add` or the API: served as if the
-- configuration had "zone: name: NAME include-pattern: PATTERN".
-- deleting: when `zone delete` asked for it (the member is out of its
-- catalog; the daemon serves it until its secondaries dropped it, then
-- purges it); purge: 1 = no backup file.
CREATE TABLE IF NOT EXISTS zone_defs (
	name TEXT NOT NULL PRIMARY KEY,	-- 'example.com.'
	pattern TEXT,			-- include-pattern:, NULL: none
	added INTEGER NOT NULL,		-- unix time
	deleting INTEGER,		-- unix time, NULL: served
	purge INTEGER NOT NULL DEFAULT 0
);
-- Bumped by every change of zone_defs: the daemon polls it to load the
-- zones kept in the database again.
CREATE TABLE IF NOT EXISTS zone_defs_seq (n INTEGER NOT NULL);
INSERT INTO zone_defs_seq SELECT 0 WHERE NOT EXISTS
    (SELECT 1 FROM zone_defs_seq);
CREATE TRIGGER IF NOT EXISTS zone_defs_ins AFTER INSERT ON zone_defs
BEGIN UPDATE zone_defs_seq SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS zone_defs_upd AFTER UPDATE ON zone_defs
BEGIN UPDATE zone_defs_seq SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS zone_defs_del AFTER DELETE ON zone_defs
BEGIN UPDATE zone_defs_seq SET n = n + 1; END;

-- The members of each catalog zone, from which hpagent writes the
-- catalog's records: "<id>.zones PTR <member>.", "group.<id>.zones TXT",
-- "coo.<id>.zones PTR <new catalog>." (RFC 9432 4.1, 4.4.1, 4.4.2).
-- id: the unique N label, chosen once (random) and kept: a member keeps
-- its id across restarts; removed and added again it gets a new one.
-- A member moved to another catalog keeps a row in the old one with coo
-- set, until it is deleted or moved back.
CREATE TABLE IF NOT EXISTS catalog_members (
	catalog TEXT NOT NULL,		-- 'catalog.invalid.'
	member TEXT NOT NULL,		-- 'example.com.'
	id TEXT NOT NULL,		-- '8f1c2e0a4b6d7e91'
	grp TEXT,			-- the group property, NULL: none
	coo TEXT,			-- moved there: the coo property
	added INTEGER NOT NULL,		-- unix time
	PRIMARY KEY (catalog, member),
	UNIQUE (catalog, id)
);
-- one catalog claims a zone (the coo rows aside)
CREATE UNIQUE INDEX IF NOT EXISTS catalog_members_one
    ON catalog_members(member) WHERE coo IS NULL;
