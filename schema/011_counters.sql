-- Versions published, per source, for ever: /metrics'
-- hpagent_versions_published_total must not go down when old versions are
-- pruned or a zone is deleted. Counted by a trigger, so that every way a
-- version is written counts, in its own transaction.
CREATE TABLE published_counts (
	source TEXT PRIMARY KEY,
	n INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO published_counts SELECT source, count(*) FROM versions
    GROUP BY source;
CREATE TRIGGER versions_published AFTER INSERT ON versions
BEGIN
	INSERT INTO published_counts(source, n) VALUES (NEW.source, 1)
	    ON CONFLICT(source) DO UPDATE SET n = n + 1;
END;
