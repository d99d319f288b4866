-- Author and tag feeds. Each article's authors and tags as terms (`author/<key>`, `tag/<key>`, the key as
-- src/model/terms.ts derives it: ASCII lower case, spaces as '-'), kept by triggers with the article so
-- no writer can forget them, and a version per term feed of a language, moved like feed_versions (0003):
-- by every change to an article that carries the term, or to another edition of its story, whose title
-- and URL its items show. A term whose key is '.' or '..' has no feed (no URL can name it).
CREATE TABLE article_terms (
  lang         TEXT NOT NULL,
  term         TEXT NOT NULL,
  published_ms INTEGER NOT NULL,
  article_id   TEXT NOT NULL,
  PRIMARY KEY (lang, term, published_ms, article_id)
) WITHOUT ROWID;
CREATE INDEX article_terms_by_article ON article_terms (article_id);

CREATE TABLE term_feed_versions (
  lang    TEXT NOT NULL,
  term    TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (lang, term)
) WITHOUT ROWID;

-- The articles stored before this migration.
INSERT OR IGNORE INTO article_terms (lang, term, published_ms, article_id)
  SELECT lang, term, published_ms, id FROM (
    SELECT a.lang, 'author/' || lower(replace(json_extract(j.value, '$.name'), ' ', '-')) AS term, a.published_ms, a.id
      FROM articles a, json_each(a.authors) j
    UNION SELECT a.lang, 'tag/' || lower(replace(j.value, ' ', '-')), a.published_ms, a.id
      FROM articles a, json_each(a.tags) j
  ) WHERE term NOT IN ('author/', 'author/.', 'author/..', 'tag/', 'tag/.', 'tag/..');
INSERT INTO term_feed_versions (lang, term, version) SELECT DISTINCT lang, term, 1 FROM article_terms WHERE true;

CREATE TRIGGER articles_insert_terms AFTER INSERT ON articles BEGIN
  INSERT OR IGNORE INTO article_terms (lang, term, published_ms, article_id)
    SELECT NEW.lang, term, NEW.published_ms, NEW.id FROM (
      SELECT 'author/' || lower(replace(json_extract(value, '$.name'), ' ', '-')) AS term FROM json_each(NEW.authors)
      UNION SELECT 'tag/' || lower(replace(value, ' ', '-')) FROM json_each(NEW.tags)
    ) WHERE term NOT IN ('author/', 'author/.', 'author/..', 'tag/', 'tag/.', 'tag/..');
  INSERT INTO term_feed_versions (lang, term, version)
    SELECT DISTINCT t.lang, t.term, 1 FROM article_terms t
      WHERE t.article_id IN (SELECT id FROM articles WHERE story = NEW.story)
    ON CONFLICT (lang, term) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER articles_update_terms AFTER UPDATE ON articles BEGIN
  -- The feeds it was in, and those of the other editions of its stories (old and new).
  INSERT INTO term_feed_versions (lang, term, version)
    SELECT DISTINCT t.lang, t.term, 1 FROM article_terms t
      WHERE t.article_id IN (SELECT id FROM articles WHERE story IN (OLD.story, NEW.story))
    ON CONFLICT (lang, term) DO UPDATE SET version = version + 1;
  DELETE FROM article_terms WHERE article_id = OLD.id;
  INSERT OR IGNORE INTO article_terms (lang, term, published_ms, article_id)
    SELECT NEW.lang, term, NEW.published_ms, NEW.id FROM (
      SELECT 'author/' || lower(replace(json_extract(value, '$.name'), ' ', '-')) AS term FROM json_each(NEW.authors)
      UNION SELECT 'tag/' || lower(replace(value, ' ', '-')) FROM json_each(NEW.tags)
    ) WHERE term NOT IN ('author/', 'author/.', 'author/..', 'tag/', 'tag/.', 'tag/..');
  -- The feeds it is in now.
  INSERT INTO term_feed_versions (lang, term, version)
    SELECT lang, term, 1 FROM article_terms WHERE article_id = NEW.id
    ON CONFLICT (lang, term) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER articles_delete_terms AFTER DELETE ON articles BEGIN
  INSERT INTO term_feed_versions (lang, term, version)
    SELECT DISTINCT t.lang, t.term, 1 FROM article_terms t
      WHERE t.article_id = OLD.id OR t.article_id IN (SELECT id FROM articles WHERE story = OLD.story)
    ON CONFLICT (lang, term) DO UPDATE SET version = version + 1;
  DELETE FROM article_terms WHERE article_id = OLD.id;
END;
