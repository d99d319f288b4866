-- Articles: one row per language edition of a story. Applied unchanged by SQLite (Node) and D1.
CREATE TABLE articles (
  id            TEXT PRIMARY KEY,          -- stable public id (tag: URI)
  lang          TEXT NOT NULL,             -- canonical BCP 47 tag
  section       TEXT NOT NULL,
  slug          TEXT NOT NULL,
  story         TEXT NOT NULL,             -- translation-group key
  url           TEXT NOT NULL,
  title         TEXT NOT NULL,
  summary       TEXT NOT NULL,
  content_html  TEXT NOT NULL,
  authors       TEXT NOT NULL,             -- JSON array of {name, email?, url?}
  tags          TEXT NOT NULL,             -- JSON array of strings
  image         TEXT,                      -- JSON {url, type, length, width, height, alt} or NULL
  published     TEXT NOT NULL,             -- RFC 3339 in the offset it was written in
  published_ms  INTEGER NOT NULL,
  updated       TEXT NOT NULL,
  updated_ms    INTEGER NOT NULL,
  source        TEXT NOT NULL,             -- where it came from, for messages
  version       INTEGER NOT NULL DEFAULT 1 -- incremented by every change of the row
) WITHOUT ROWID;

CREATE UNIQUE INDEX articles_by_slug ON articles (lang, slug);
CREATE UNIQUE INDEX articles_by_story ON articles (story, lang);
-- Latest N and keyset pages, per language and per section: newest first, id breaks ties.
CREATE INDEX articles_latest ON articles (lang, published_ms DESC, id DESC);
CREATE INDEX articles_latest_in_section ON articles (lang, section, published_ms DESC, id DESC);
-- Newest update of a feed, read as MAX() from one end of an index.
CREATE INDEX articles_updated ON articles (lang, updated_ms);
CREATE INDEX articles_updated_in_section ON articles (lang, section, updated_ms);
