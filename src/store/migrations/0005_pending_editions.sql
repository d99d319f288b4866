-- Links to other editions that wait for their other side, bounded: each row says which source named it
-- and when, so rows expire and each source keeps only its newest (see PENDING_LINK_LIMITS in store.ts).
-- And the articles written since the last pass that joins editions, so that pass reads only their links.
CREATE TABLE edition_links_named (
  article_id TEXT NOT NULL,
  target     TEXT NOT NULL,             -- another edition's URL or id
  source     TEXT NOT NULL,             -- the naming article's source (feed:wire-ko, push, content/...)
  named_ms   INTEGER NOT NULL,          -- when it was last named
  sited      INTEGER NOT NULL,          -- 1 when the naming article has a site of its own (not an upstream article on ours)
  PRIMARY KEY (article_id, target)
) WITHOUT ROWID;

-- Links kept before this migration count as named when their article was last updated.
INSERT INTO edition_links_named (article_id, target, source, named_ms, sited)
  SELECT l.article_id, l.target, a.source, a.updated_ms, 1 FROM edition_links l JOIN articles a ON a.id = l.article_id;
DROP TABLE edition_links;
ALTER TABLE edition_links_named RENAME TO edition_links;

CREATE INDEX edition_links_by_target ON edition_links (target);
CREATE INDEX edition_links_by_source ON edition_links (source, named_ms);
CREATE INDEX edition_links_by_age ON edition_links (named_ms);

-- Written with every article, emptied by the pass that joins editions.
CREATE TABLE edition_touches (
  article_id TEXT PRIMARY KEY
) WITHOUT ROWID;
