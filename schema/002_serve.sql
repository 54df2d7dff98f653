-- 002_serve.sql -- what the daemon keeps for serving.
-- axfr_cache: the AXFR messages of a zone version, built by the daemon
-- (hpagent serve) in a thread of its own after the version is published,
-- in short transactions. Each blob is a whole DNS message (header with ID
-- 0, the question, compressed answer RRs); the server patches the ID and
-- the question name's case and appends TSIG.
CREATE TABLE IF NOT EXISTS axfr_cache (
	zone_id INTEGER NOT NULL,
	version_id INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	rrs INTEGER NOT NULL,
	msg BLOB NOT NULL,
	PRIMARY KEY (zone_id, version_id, seq)
) WITHOUT ROWID;

-- axfr_cache_done: a version whose messages are all in axfr_cache (written
-- with the last of them). Without a row here a transfer streams `records`.
CREATE TABLE IF NOT EXISTS axfr_cache_done (
	zone_id INTEGER NOT NULL,
	version_id INTEGER NOT NULL,
	msgs INTEGER NOT NULL,
	rrs INTEGER NOT NULL,
	built INTEGER NOT NULL,		-- unix time
	PRIMARY KEY (zone_id, version_id)
) WITHOUT ROWID;

-- secondaries: per zone x secondary address (no port), what it has and
-- what we told it. Times are unix seconds; NULL = never.
CREATE TABLE IF NOT EXISTS secondaries (
	zone_id INTEGER NOT NULL,
	address TEXT NOT NULL,
	serial INTEGER,			-- the serial it has, NULL = unknown
	since INTEGER,			-- when it got that serial
	notify_serial INTEGER,		-- serial announced by the last NOTIFY
	notify_sent INTEGER,		-- when the last NOTIFY went out
	notify_acked INTEGER,		-- when it was answered, NULL = not yet
	notify_tries INTEGER NOT NULL DEFAULT 0,
	last_xfr INTEGER,		-- when it last transferred
	PRIMARY KEY (zone_id, address)
) WITHOUT ROWID;
