-- 003_sources.sql -- zone sources: what the last successful fetch of a
-- zone's source returned, so the next one is a conditional request
-- (If-None-Match / If-Modified-Since; for a local file, its identity).
-- Keyed by zone name: a source may be fetched before the zone exists.
CREATE TABLE IF NOT EXISTS sources (
	zone TEXT NOT NULL PRIMARY KEY,	-- 'example.com.'
	url TEXT NOT NULL,		-- the source the validators belong to
	etag TEXT,			-- ETag of the last successful fetch
	last_modified TEXT,		-- its Last-Modified
	fetched INTEGER,		-- unix time of the last 200
	checked INTEGER			-- unix time of the last 200 or 304
);
