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

-- sources.url was the whole source: URL, with any user:password and
-- query-string token in clear. From now on it holds the URL redacted
-- (user:password, query and fragment replaced by ***) and a SHA-256 of
-- the whole URL. Rows written before lose their URL and validators (the
-- next fetch of each is a full one); secure_delete overwrites what the
-- old text occupied in the file.
PRAGMA secure_delete = ON;
UPDATE sources SET url = '(dropped by migration 006)', etag = NULL,
	last_modified = NULL
	WHERE url LIKE '%://%' AND url NOT LIKE '% sha256:%';
PRAGMA secure_delete = OFF;
