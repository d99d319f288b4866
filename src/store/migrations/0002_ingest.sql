-- Ingest: what counts as a real change, withdrawn articles, source state, the run lease, run reports,
-- and links between editions that wait for the other edition to arrive.
ALTER TABLE articles ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
CREATE INDEX articles_by_url ON articles (url);
CREATE INDEX articles_by_source ON articles (source);

CREATE TABLE tombstones (
  id           TEXT PRIMARY KEY,
  lang         TEXT NOT NULL,
  slug         TEXT NOT NULL,
  url          TEXT NOT NULL,
  source       TEXT NOT NULL,
  withdrawn_ms INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE source_state (
  source_id     TEXT PRIMARY KEY,
  etag          TEXT,
  last_modified TEXT,
  checked_ms    INTEGER,            -- last time the source was asked, whatever the answer
  next_ms       INTEGER NOT NULL,   -- not asked again before this (minimum interval, Retry-After, back-off)
  failures      INTEGER NOT NULL,   -- consecutive failures, for back-off
  last_error    TEXT
) WITHOUT ROWID;

CREATE TABLE leases (
  name       TEXT PRIMARY KEY,
  holder     TEXT NOT NULL,
  expires_ms INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE ingest_runs (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  started_ms  INTEGER NOT NULL,
  finished_ms INTEGER NOT NULL,
  report      TEXT NOT NULL            -- JSON
);

-- An article names another edition (by URL or id) before or after that edition is stored.
CREATE TABLE edition_links (
  article_id TEXT NOT NULL,
  target     TEXT NOT NULL,
  PRIMARY KEY (article_id, target)
) WITHOUT ROWID;
CREATE INDEX edition_links_by_target ON edition_links (target);
