-- Corrections: each article's list of {date, date_ms, text} as JSON (oldest first), and the time of its
-- newest correction, by which a language's corrections feed finds the corrected articles from one end
-- of an index that holds them alone.
ALTER TABLE articles ADD COLUMN corrections TEXT NOT NULL DEFAULT '[]';
ALTER TABLE articles ADD COLUMN corrected_ms INTEGER;
CREATE INDEX articles_corrected ON articles (lang, corrected_ms DESC, id DESC) WHERE corrected_ms IS NOT NULL;
