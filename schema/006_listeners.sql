-- 006_listeners.sql -- what the hardened listeners keep (issue 11).
--
-- Webhook deliveries: the id a sender gives each delivery
-- (X-GitHub-Delivery, X-Gitea-Delivery, X-Gitlab-Event-UUID), kept a day,
-- so that a delivery received and accepted once is refused when it comes
-- again. Rows older than a day are deleted as new ones come.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
	id TEXT NOT NULL PRIMARY KEY,	-- as the sender wrote it
	zone TEXT NOT NULL,		-- 'example.com.'
	received INTEGER NOT NULL	-- unix time
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_received
	ON webhook_deliveries (received);

-- sources.url, source_content.source and versions.origin held the whole
-- source: URL, with any user:password and query-string token in clear.
-- From now on a URL source is known by its id: the URL redacted
-- (user:password, query and fragment replaced by ***) and a SHA-256 of
-- the whole URL (agent/publish/fetch.c, fetch_source_id). Rows written
-- before lose the URL: the validators (the next fetch is a full one),
-- what the source contributed (its next import is a first import, as
-- for a source forgotten), and the URL shown in a version's history (the
-- scheme is kept). secure_delete overwrites what the old text occupied
-- in the file.
PRAGMA secure_delete = ON;
UPDATE sources SET url = '(dropped by migration 006)', etag = NULL,
	last_modified = NULL
	WHERE url LIKE '%://%' AND url NOT LIKE '% sha256:%';
DELETE FROM source_rrs WHERE source_id IN (SELECT id FROM source_content
	WHERE source LIKE '%://%' AND source NOT LIKE '% sha256:%');
DELETE FROM source_content
	WHERE source LIKE '%://%' AND source NOT LIKE '% sha256:%';
UPDATE versions SET origin = substr(origin, 1, instr(origin, '://') + 2)
	|| '(dropped by migration 006)'
	WHERE origin LIKE '%://%' AND origin NOT LIKE '% sha256:%';
PRAGMA secure_delete = OFF;
