-- Every change to an article, in order, so that a run can say which article pages it changed (IndexNow):
-- the run notes the newest seq before it starts and reads the rows after it when it ends. Written by
-- triggers, so every kind of change (a write, a join of editions, a withdrawal) is here however it was made.
-- `editions` is 1 when the story's other editions changed with it (an edition came, went, or moved to
-- another story or slug), since each edition's page links the others.
CREATE TABLE article_changes (
  seq      INTEGER PRIMARY KEY,
  lang     TEXT NOT NULL,
  slug     TEXT NOT NULL,
  story    TEXT NOT NULL,
  editions INTEGER NOT NULL
);

CREATE TRIGGER articles_insert_noted AFTER INSERT ON articles BEGIN
  INSERT INTO article_changes (lang, slug, story, editions) VALUES (NEW.lang, NEW.slug, NEW.story, 1);
END;

CREATE TRIGGER articles_update_noted AFTER UPDATE ON articles BEGIN
  INSERT INTO article_changes (lang, slug, story, editions)
    VALUES (NEW.lang, NEW.slug, NEW.story, OLD.story IS NOT NEW.story OR OLD.slug IS NOT NEW.slug OR OLD.lang IS NOT NEW.lang);
  INSERT INTO article_changes (lang, slug, story, editions)
    SELECT OLD.lang, OLD.slug, OLD.story, 1 WHERE OLD.story IS NOT NEW.story OR OLD.slug IS NOT NEW.slug OR OLD.lang IS NOT NEW.lang;
END;

CREATE TRIGGER articles_delete_noted AFTER DELETE ON articles BEGIN
  INSERT INTO article_changes (lang, slug, story, editions) VALUES (OLD.lang, OLD.slug, OLD.story, 1);
END;

-- Bounded: only the newest 100 000 changes are kept, far more than one run makes.
CREATE TRIGGER article_changes_bounded AFTER INSERT ON article_changes BEGIN
  DELETE FROM article_changes WHERE seq <= NEW.seq - 100000;
END;
