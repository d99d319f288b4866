-- A version per feed (language, and language + section; section '' is the whole language), moved by
-- every change to an article in it or to another edition of one of its stories, whose title and URL
-- its items show. Caches key rendered feeds by it; a run that changes nothing moves nothing.
CREATE TABLE feed_versions (
  lang    TEXT NOT NULL,
  section TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (lang, section)
) WITHOUT ROWID;

CREATE TRIGGER articles_insert_moves_feeds AFTER INSERT ON articles BEGIN
  INSERT INTO feed_versions (lang, section, version)
    SELECT lang, section, 1 FROM articles WHERE story = NEW.story
    UNION SELECT lang, '', 1 FROM articles WHERE story = NEW.story
    ON CONFLICT (lang, section) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER articles_update_moves_feeds AFTER UPDATE ON articles BEGIN
  INSERT INTO feed_versions (lang, section, version)
    SELECT lang, section, 1 FROM articles WHERE story IN (OLD.story, NEW.story)
    UNION SELECT lang, '', 1 FROM articles WHERE story IN (OLD.story, NEW.story)
    UNION SELECT OLD.lang, OLD.section, 1
    UNION SELECT OLD.lang, '', 1
    ON CONFLICT (lang, section) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER articles_delete_moves_feeds AFTER DELETE ON articles BEGIN
  INSERT INTO feed_versions (lang, section, version)
    SELECT lang, section, 1 FROM articles WHERE story = OLD.story
    UNION SELECT lang, '', 1 FROM articles WHERE story = OLD.story
    UNION SELECT OLD.lang, OLD.section, 1
    UNION SELECT OLD.lang, '', 1
    ON CONFLICT (lang, section) DO UPDATE SET version = version + 1;
END;
