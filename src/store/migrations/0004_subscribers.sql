-- Subscriber counts that feed aggregators report in their User-Agent ("Feedly/1.0 (...; 42 subscribers; )"):
-- the latest count per feed URL and aggregator, and when it was last seen.
CREATE TABLE feed_subscribers (
  feed        TEXT NOT NULL,       -- the feed URL the aggregator fetched
  aggregator  TEXT NOT NULL,       -- lowercase name (feedly, inoreader, newsblur, ...)
  subscribers INTEGER NOT NULL,
  seen_ms     INTEGER NOT NULL,
  PRIMARY KEY (feed, aggregator)
) WITHOUT ROWID;
