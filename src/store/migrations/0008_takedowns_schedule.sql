-- Takedowns: why an article was withdrawn and which feeds it was in, so those feeds can tell their
-- readers (RFC 6721 deleted entries) while `listed` is 1; and articles scheduled for a later time.
ALTER TABLE tombstones ADD COLUMN section TEXT NOT NULL DEFAULT '';
ALTER TABLE tombstones ADD COLUMN title TEXT NOT NULL DEFAULT '';   -- '' after a legal takedown
ALTER TABLE tombstones ADD COLUMN reason TEXT NOT NULL DEFAULT '';  -- the public reason, '' for none
ALTER TABLE tombstones ADD COLUMN legal INTEGER NOT NULL DEFAULT 0;
-- 1 while the feeds list the withdrawal; the minute task sets 0 once it is older than the window.
-- Withdrawals made before this migration kept no section, so no feed lists them.
ALTER TABLE tombstones ADD COLUMN listed INTEGER NOT NULL DEFAULT 0;

CREATE INDEX tombstones_by_slug ON tombstones (lang, slug);
CREATE INDEX tombstones_listed ON tombstones (listed, lang, withdrawn_ms);
CREATE INDEX tombstones_listed_in_section ON tombstones (listed, lang, section, withdrawn_ms);

-- A listed withdrawal is part of its feeds: adding, changing or removing one moves them.
CREATE TRIGGER tombstones_insert_moves_feeds AFTER INSERT ON tombstones WHEN NEW.listed = 1 BEGIN
  INSERT INTO feed_versions (lang, section, version)
    SELECT NEW.lang, NEW.section, 1 UNION SELECT NEW.lang, '', 1
    ON CONFLICT (lang, section) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER tombstones_update_moves_feeds AFTER UPDATE ON tombstones WHEN OLD.listed = 1 OR NEW.listed = 1 BEGIN
  INSERT INTO feed_versions (lang, section, version)
    SELECT OLD.lang, OLD.section, 1 UNION SELECT OLD.lang, '', 1
    UNION SELECT NEW.lang, NEW.section, 1 UNION SELECT NEW.lang, '', 1
    ON CONFLICT (lang, section) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER tombstones_delete_moves_feeds AFTER DELETE ON tombstones WHEN OLD.listed = 1 BEGIN
  INSERT INTO feed_versions (lang, section, version)
    SELECT OLD.lang, OLD.section, 1 UNION SELECT OLD.lang, '', 1
    ON CONFLICT (lang, section) DO UPDATE SET version = version + 1;
END;

-- Articles whose publication time is still ahead: in no feed, page or listing until then, when the
-- minute task moves them into `articles` (whose triggers move the feeds). The columns of `articles`,
-- and the other editions the article names (a JSON array of URLs or ids).
CREATE TABLE scheduled (
  id            TEXT PRIMARY KEY,
  lang          TEXT NOT NULL,
  section       TEXT NOT NULL,
  slug          TEXT NOT NULL,
  story         TEXT NOT NULL,
  url           TEXT NOT NULL,
  title         TEXT NOT NULL,
  summary       TEXT NOT NULL,
  content_html  TEXT NOT NULL,
  authors       TEXT NOT NULL,
  tags          TEXT NOT NULL,
  image         TEXT,
  published     TEXT NOT NULL,
  published_ms  INTEGER NOT NULL,
  updated       TEXT NOT NULL,
  updated_ms    INTEGER NOT NULL,
  source        TEXT NOT NULL,
  fingerprint   TEXT NOT NULL,
  corrections   TEXT NOT NULL DEFAULT '[]',
  corrected_ms  INTEGER,
  editions      TEXT NOT NULL DEFAULT '[]'
) WITHOUT ROWID;
CREATE INDEX scheduled_due ON scheduled (published_ms, id);
CREATE INDEX scheduled_by_source ON scheduled (source);
