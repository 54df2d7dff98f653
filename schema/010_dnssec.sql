-- 010_dnssec.sql -- DNSSEC signing (dnssec-signing: yes): the public state
-- of each zone's keys, and the records the signer generates, kept apart
-- from the users' records (`records` never holds them for a signed zone).
-- Documented in docs/SCHEMA.md. Private keys are never here: they live in
-- the keystore directory (dnssec-keystore:), one 0600 file per key.
-- SPDX-License-Identifier: GPL-3.0-or-later

-- One row per signed zone: what it was last signed with.
CREATE TABLE IF NOT EXISTS dnssec_zones (
	zone_id INTEGER PRIMARY KEY REFERENCES zones(id) ON DELETE CASCADE,
	policy TEXT NOT NULL,		-- the dnssec-policy: name
	chain TEXT NOT NULL,		-- 'nsec' or 'nsec3 1 0 ITER SALT'
	signed INTEGER NOT NULL,	-- unix time of the last whole signing
	updated INTEGER NOT NULL,	-- unix time of the last signing
	refresh INTEGER,		-- when signatures next need refreshing
	roll INTEGER,			-- when the next key step falls due
	waiting TEXT			-- what a rollover waits for, NULL: none
);

-- One row per key of a signed zone: its public state (signer/keys.h),
-- one line as keys_state_format() writes it, with the columns people
-- look for beside it. Rollovers rewrite it.
CREATE TABLE IF NOT EXISTS dnssec_keys (
	zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
	key_id TEXT NOT NULL,		-- 40 hex digits: the keystore file name
	keytag INTEGER NOT NULL,
	algorithm INTEGER NOT NULL,
	role TEXT NOT NULL,		-- 'CSK', 'KSK', 'ZSK'
	state TEXT NOT NULL,		-- keys_state_format()
	PRIMARY KEY (zone_id, key_id)
) WITHOUT ROWID;

-- The owners of a signed zone's records in DNSSEC canonical order (canon:
-- signer/canon.h's key, compared as BLOBs): the next name for NSEC.
CREATE TABLE IF NOT EXISTS dnssec_names (
	zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
	canon BLOB NOT NULL,
	owner TEXT NOT NULL,
	PRIMARY KEY (zone_id, canon)
) WITHOUT ROWID;

-- The generated records of a signed zone: DNSKEY, CDS, CDNSKEY,
-- NSEC3PARAM, RRSIG, NSEC, NSEC3. For RRSIGs the fields the signer looks
-- them up by (covered type, key tag, algorithm, expiration) beside.
CREATE TABLE IF NOT EXISTS dnssec_records (
	zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
	canon BLOB NOT NULL,
	owner TEXT NOT NULL,		-- as records.owner
	type INTEGER NOT NULL,
	class INTEGER NOT NULL,
	ttl INTEGER NOT NULL,
	rdata BLOB NOT NULL,
	covered INTEGER,		-- RRSIG: type covered, key tag,
	keytag INTEGER,			-- algorithm, expiration (unix time)
	algorithm INTEGER,
	expiration INTEGER,
	PRIMARY KEY (zone_id, canon, type, rdata)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS dnssec_records_chain
    ON dnssec_records(zone_id, type, canon) WHERE type IN (47, 50);
CREATE INDEX IF NOT EXISTS dnssec_records_expiry
    ON dnssec_records(zone_id, expiration) WHERE type = 46;
CREATE INDEX IF NOT EXISTS dnssec_records_key
    ON dnssec_records(zone_id, keytag, algorithm) WHERE type = 46;
