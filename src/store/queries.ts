/**
 * The store's SQL, as plain functions returning a statement and its bound parameters, so the SQLite
 * and D1 adapters run the very same queries. Positional `?` parameters only (both drivers bind them).
 */
import type { ArticleRow, LatestQuery, PendingLinkLimits, SubscriberLimits } from "./store.ts";

export type SqlValue = string | number | null;
export interface Statement {
  sql: string;
  params: SqlValue[];
}

const COLUMNS = [
  "id",
  "lang",
  "section",
  "slug",
  "story",
  "url",
  "title",
  "summary",
  "content_html",
  "authors",
  "tags",
  "image",
  "published",
  "published_ms",
  "updated",
  "updated_ms",
  "source",
  "fingerprint",
] as const satisfies readonly (keyof ArticleRow)[];
const SELECT_ARTICLE = `SELECT ${COLUMNS.join(", ")} FROM articles`;
const CHANGEABLE = COLUMNS.filter((c) => c !== "id");

/** D1 takes at most 100 bound parameters per query; IN lists are cut below that. */
export const MAX_IN_LIST = 90;

const UPSERT_SQL =
  `INSERT INTO articles (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")}) ` +
  `ON CONFLICT (id) DO UPDATE SET ${CHANGEABLE.map((c) => `${c} = excluded.${c}`).join(", ")}, ` +
  `version = articles.version + 1 ` +
  `WHERE (${CHANGEABLE.map((c) => `articles.${c}`).join(", ")}) IS NOT (${CHANGEABLE.map((c) => `excluded.${c}`).join(", ")}) ` +
  `RETURNING version`;

/** Inserts or updates one article; returns its new version, or no row when nothing changed. */
function upsertArticle(row: ArticleRow): Statement {
  return { sql: UPSERT_SQL, params: COLUMNS.map((c) => row[c]) };
}

/** Newest first with id as the tie-break; the keyset condition uses the same order as the index. */
export function latestArticles(query: LatestQuery): Statement {
  const where = ["lang = ?"];
  const params: SqlValue[] = [query.lang];
  if (query.section !== undefined) {
    where.push("section = ?");
    params.push(query.section);
  }
  if (query.before) {
    where.push("(published_ms, id) < (?, ?)");
    params.push(query.before.publishedMs, query.before.id);
  }
  if (query.since !== undefined) {
    where.push("published_ms >= ?");
    params.push(query.since);
  }
  params.push(query.limit);
  return {
    sql: `${SELECT_ARTICLE} WHERE ${where.join(" AND ")} ORDER BY published_ms DESC, id DESC LIMIT ?`,
    params,
  };
}

/** The same index as latestArticles, read from its other end. */
export function firstPublishedSince(lang: string, section: string | undefined, sinceMs: number): Statement {
  const filter = section === undefined ? "lang = ?" : "lang = ? AND section = ?";
  const params = section === undefined ? [lang, sinceMs] : [lang, section, sinceMs];
  return {
    sql: `SELECT published_ms FROM articles WHERE ${filter} AND published_ms >= ? ORDER BY published_ms ASC, id ASC LIMIT 1`,
    params,
  };
}

export function articleBySlug(lang: string, slug: string): Statement {
  return { sql: `${SELECT_ARTICLE} WHERE lang = ? AND slug = ?`, params: [lang, slug] };
}

/** One statement per slice of at most MAX_IN_LIST stories. */
export function editionsOf(stories: readonly string[]): Statement[] {
  return perSlice(stories, (list, slice) => ({
    sql: `SELECT id, story, lang, title, url FROM articles WHERE story IN (${list})`,
    params: slice,
  }));
}

/** Reads MAX(updated_ms) from the end of an index, then the row's text form to keep its offset. */
export function lastUpdated(lang: string, section?: string): Statement {
  const filter = section === undefined ? "lang = ?" : "lang = ? AND section = ?";
  const params = section === undefined ? [lang] : [lang, section];
  return {
    sql: `SELECT updated, updated_ms FROM articles WHERE ${filter} ORDER BY updated_ms DESC LIMIT 1`,
    params,
  };
}

/** Split `values` into IN lists short enough for D1 and build one statement per slice. */
function perSlice(values: readonly string[], build: (placeholders: string, slice: string[]) => Statement): Statement[] {
  const unique = [...new Set(values)];
  const statements: Statement[] = [];
  for (let i = 0; i < unique.length; i += MAX_IN_LIST) {
    const slice = unique.slice(i, i + MAX_IN_LIST);
    statements.push(build(slice.map(() => "?").join(", "), slice));
  }
  return statements;
}

export function articlesByIds(ids: readonly string[]): Statement[] {
  return perSlice(ids, (list, slice) => ({ sql: `${SELECT_ARTICLE} WHERE id IN (${list})`, params: slice }));
}

export function tombstonedIds(ids: readonly string[]): Statement[] {
  return perSlice(ids, (list, slice) => ({ sql: `SELECT id FROM tombstones WHERE id IN (${list})`, params: slice }));
}

export function fromSource(prefix: string): Statement {
  // A range on the indexed column rather than LIKE, which would also treat `_` and `%` as wildcards.
  return { sql: "SELECT id, source FROM articles WHERE source >= ? AND source < ?", params: [prefix, `${prefix}\uffff`] };
}

/**
 * Everything one article's write is, to run as one transaction: the upsert first (its RETURNING row says
 * what happened), its tombstone lifted, the links it names (see PendingLinks), and a mark for the
 * next pass over edition links.
 */
export function articleWrite(row: ArticleRow, links: readonly string[], named: { atMs: number; sited: boolean }): Statement[] {
  return [
    upsertArticle(row),
    liftTombstone(row.id),
    ...links.map((target) => nameEdition(row.id, target, row.source, named)),
    { sql: "INSERT OR IGNORE INTO edition_touches (article_id) VALUES (?)", params: [row.id] },
  ];
}

function liftTombstone(id: string): Statement {
  return { sql: "DELETE FROM tombstones WHERE id = ?", params: [id] };
}

/** A link named again counts from the new naming, for its source. */
function nameEdition(articleId: string, target: string, source: string, named: { atMs: number; sited: boolean }): Statement {
  return {
    sql:
      "INSERT INTO edition_links (article_id, target, source, named_ms, sited) VALUES (?, ?, ?, ?, ?) " +
      "ON CONFLICT (article_id, target) DO UPDATE SET source = excluded.source, named_ms = excluded.named_ms, sited = excluded.sited",
    params: [articleId, target, source, named.atMs, named.sited ? 1 : 0],
  };
}

/** After a write of links by these sources: what has waited too long goes, then what is over each source's cap. */
export function boundPendingLinks(sources: readonly string[], atMs: number, limits: PendingLinkLimits): Statement[] {
  return [expireEditionLinks(atMs - limits.ttlMs), ...[...new Set(sources)].map((source) => capEditionLinks(source, limits.perSource))];
}

/** Forgets links last named before `beforeMs` (an index range, however many links wait). */
export function expireEditionLinks(beforeMs: number): Statement {
  return { sql: "DELETE FROM edition_links WHERE named_ms < ?", params: [beforeMs] };
}

/**
 * Keeps a source's newest `keep` links (newest by naming time, then by article and target, so the count
 * is exact): the row `keep` places from the newest end of the source's index, and all older, go.
 */
export function capEditionLinks(source: string, keep: number): Statement {
  return {
    sql:
      "DELETE FROM edition_links WHERE source = ? AND (named_ms, article_id, target) <= (" +
      "SELECT named_ms, article_id, target FROM edition_links WHERE source = ? " +
      "ORDER BY named_ms DESC, article_id DESC, target DESC LIMIT 1 OFFSET ?)",
    params: [source, source, keep],
  };
}

/** Moves one article to the tombstones, with its links; run as one transaction. */
export function withdrawArticle(id: string, atMs: number): Statement[] {
  return [
    {
      sql: "INSERT OR REPLACE INTO tombstones (id, lang, slug, url, source, withdrawn_ms) SELECT id, lang, slug, url, source, ? FROM articles WHERE id = ?",
      params: [atMs, id],
    },
    { sql: "DELETE FROM edition_links WHERE article_id = ?", params: [id] },
    { sql: "DELETE FROM edition_touches WHERE article_id = ?", params: [id] },
    { sql: "DELETE FROM articles WHERE id = ? RETURNING id", params: [id] },
  ];
}

/** The articles written since the last pass over edition links. */
export const TOUCHED_ARTICLES: Statement = { sql: "SELECT article_id FROM edition_touches", params: [] };

export function clearTouches(ids: readonly string[]): Statement[] {
  return perSlice(ids, (list, slice) => ({ sql: `DELETE FROM edition_touches WHERE article_id IN (${list})`, params: slice }));
}

/** What the pass over edition links reads of an article. */
const SELECT_EDITION_END = "SELECT id, url, story, lang, source FROM articles";

export function editionEndsByIds(ids: readonly string[]): Statement[] {
  return perSlice(ids, (list, slice) => ({ sql: `${SELECT_EDITION_END} WHERE id IN (${list})`, params: slice }));
}

export function editionEndsByUrls(urls: readonly string[]): Statement[] {
  return perSlice(urls, (list, slice) => ({ sql: `${SELECT_EDITION_END} WHERE url IN (${list})`, params: slice }));
}

/** The links these articles name (the primary key's first column). */
export function linksFrom(ids: readonly string[]): Statement[] {
  return perSlice(ids, (list, slice) => ({
    sql: `SELECT article_id, target, sited FROM edition_links WHERE article_id IN (${list})`,
    params: slice,
  }));
}

/** The links naming any of these URLs or ids (edition_links_by_target). */
export function linksTo(targets: readonly string[]): Statement[] {
  return perSlice(targets, (list, slice) => ({
    sql: `SELECT article_id, target, sited FROM edition_links WHERE target IN (${list})`,
    params: slice,
  }));
}

/** Every edition of these stories, with where it came from. */
export function storyMembers(stories: readonly string[]): Statement[] {
  return perSlice(stories, (list, slice) => ({ sql: `SELECT story, lang, source FROM articles WHERE story IN (${list})`, params: slice }));
}

export function renameStory(from: string, to: string): Statement {
  return { sql: "UPDATE articles SET story = ? WHERE story = ?", params: [to, from] };
}

export function sourceStateOf(sourceId: string): Statement {
  return {
    sql: "SELECT source_id, etag, last_modified, checked_ms, next_ms, failures, last_error FROM source_state WHERE source_id = ?",
    params: [sourceId],
  };
}

export function saveSourceState(s: {
  sourceId: string;
  etag: string | null;
  lastModified: string | null;
  checkedMs: number | null;
  nextMs: number;
  failures: number;
  lastError: string | null;
}): Statement {
  return {
    sql:
      "INSERT INTO source_state (source_id, etag, last_modified, checked_ms, next_ms, failures, last_error) VALUES (?, ?, ?, ?, ?, ?, ?) " +
      "ON CONFLICT (source_id) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, checked_ms = excluded.checked_ms, " +
      "next_ms = excluded.next_ms, failures = excluded.failures, last_error = excluded.last_error",
    params: [s.sourceId, s.etag, s.lastModified, s.checkedMs, s.nextMs, s.failures, s.lastError],
  };
}

/**
 * Takes the lease when it is free or expired, or still held by `replacing` (a holder known to be dead);
 * a row comes back only when this holder now has it.
 */
export function acquireLease(name: string, holder: string, nowMs: number, ttlMs: number, replacing?: string): Statement {
  return {
    sql:
      "INSERT INTO leases (name, holder, expires_ms) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET " +
      "holder = excluded.holder, expires_ms = excluded.expires_ms WHERE leases.expires_ms <= ? OR leases.holder = excluded.holder OR leases.holder = ? RETURNING holder",
    params: [name, holder, nowMs + ttlMs, nowMs, replacing ?? null],
  };
}

export function leaseHolder(name: string): Statement {
  return { sql: "SELECT holder FROM leases WHERE name = ?", params: [name] };
}

export function releaseLease(name: string, holder: string): Statement {
  return { sql: "DELETE FROM leases WHERE name = ? AND holder = ?", params: [name, holder] };
}

export function saveRun(startedMs: number, finishedMs: number, report: string, keep: number): Statement[] {
  return [
    { sql: "INSERT INTO ingest_runs (started_ms, finished_ms, report) VALUES (?, ?, ?)", params: [startedMs, finishedMs, report] },
    { sql: "DELETE FROM ingest_runs WHERE id <= (SELECT max(id) FROM ingest_runs) - ?", params: [keep] },
  ];
}

export function recentRuns(limit: number): Statement {
  return { sql: "SELECT started_ms, finished_ms, report FROM ingest_runs ORDER BY id DESC LIMIT ?", params: [limit] };
}

/** Section '' is the whole language's feed. */
export function feedVersion(lang: string, section?: string): Statement {
  return { sql: "SELECT version FROM feed_versions WHERE lang = ? AND section = ?", params: [lang, section ?? ""] };
}

/** The newest entry of the change log (0 when it is empty): where a caller's "since" starts. */
export const ARTICLE_CHANGE_MARK: Statement = { sql: "SELECT COALESCE(MAX(seq), 0) AS mark FROM article_changes", params: [] };

/**
 * The article pages changed after `since`, once each: the changed articles (withdrawn ones too, by the
 * language and slug they had), and the editions, read from `articles` alone, of stories an edition came
 * to, left or moved in. Ordered by language and slug.
 */
export function changedArticles(since: number): Statement {
  return {
    sql:
      "SELECT lang, slug FROM article_changes WHERE seq > ? " +
      "UNION SELECT lang, slug FROM articles WHERE story IN (SELECT story FROM article_changes WHERE seq > ? AND editions = 1) " +
      "ORDER BY lang, slug",
    params: [since, since],
  };
}

/** In primary-key order, so no sort. */
export const FEED_VERSIONS: Statement = { sql: "SELECT lang, section, version FROM feed_versions ORDER BY lang, section", params: [] };

/**
 * Upserts one count. With `limits`, a new (feed, aggregator) row is added only while the feed has fewer
 * than `perFeed` rows and the table fewer than `total`; a known row is always updated.
 */
export function recordSubscribers(
  feed: string,
  aggregator: string,
  subscribers: number,
  seenMs: number,
  limits?: SubscriberLimits,
): Statement {
  const perFeed = limits?.perFeed ?? null;
  return {
    sql:
      "INSERT INTO feed_subscribers (feed, aggregator, subscribers, seen_ms) SELECT ?, ?, ?, ? " +
      "WHERE ? IS NULL OR EXISTS (SELECT 1 FROM feed_subscribers WHERE feed = ? AND aggregator = ?) " +
      "OR ((SELECT COUNT(*) FROM feed_subscribers WHERE feed = ?) < ? AND (SELECT COUNT(*) FROM feed_subscribers) < ?) " +
      "ON CONFLICT (feed, aggregator) DO UPDATE SET subscribers = excluded.subscribers, seen_ms = excluded.seen_ms",
    // In the order the placeholders stand (D1 and SQLite both take plain `?`).
    params: [feed, aggregator, subscribers, seenMs, perFeed, feed, aggregator, feed, perFeed, limits?.total ?? null],
  };
}

/** In primary-key order, so no sort. */
export const SUBSCRIBER_STATS: Statement = {
  sql: "SELECT feed, aggregator, subscribers, seen_ms FROM feed_subscribers ORDER BY feed, aggregator",
  params: [],
};
