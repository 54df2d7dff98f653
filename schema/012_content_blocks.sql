-- 012: a zone's blocks are cut by their content now (store/blocks.c), and
-- the digest of a zone's or a source's content is taken from them. The
-- blocks and digests stored before are of the kind before: forgotten, so
-- that the next import of each zone and source compares its records
-- instead (once) and stores the new kind.
DELETE FROM zone_blocks;
UPDATE zones SET content_hash = NULL;
UPDATE source_content SET digest = zeroblob(32);
