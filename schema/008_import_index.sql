-- 008_import_index.sql -- imports that read only what changed.
-- A zone's records, cut into blocks of a few hundred in the store's order,
-- each block with its first key and a digest of its records: an import of
-- a text that changes ten records compares digests and reads from the
-- database only the blocks that differ (store/blocks.c), not a million
-- rows. And a file source's own digest, so that an unchanged file needs no
-- parse. Documented in docs/SCHEMA.md.
-- SPDX-License-Identifier: GPL-3.0-or-later

-- The blocks of a zone's records as they were at version_id; stale (not
-- used) once the zone has another version.
CREATE TABLE IF NOT EXISTS zone_blocks (
	zone_id INTEGER PRIMARY KEY REFERENCES zones(id) ON DELETE CASCADE,
	version_id INTEGER NOT NULL,
	blocks BLOB NOT NULL
);

-- A file source: SHA-256 of the file's bytes when it was imported (NULL:
-- not a file, or one that includes others).
ALTER TABLE source_content ADD COLUMN file_digest BLOB;
