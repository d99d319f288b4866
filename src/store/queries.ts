/**
 * The store's SQL, as plain functions returning a statement and its bound parameters, so the SQLite
 * and D1 adapters run the very same queries. Positional `?` parameters only (both drivers bind them).
 */
import type { ArticleRow, LatestQuery, NewsQuery, PendingLinkLimits, SitemapQuery, SubscriberLimits, WithdrawReason } from "./store.ts";

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
  "corrections",
  "corrected_ms",
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
  if (query.term !== undefined) return latestWithTerm(query, query.term);
  const where = ["lang = ?"];
  const params: SqlValue[] = [query.lang];
  if (query.section !== undefined) {
    where.push("section = ?");
    params.push(query.section);
  }
  keysetWindow(query, "published_ms", "id", where, params);
  return {
    sql: `${SELECT_ARTICLE} WHERE ${where.join(" AND ")} ORDER BY published_ms DESC, id DESC LIMIT ?`,
    params,
  };
}

/**
 * Adds a latest query's window to a keyset read over (published, id) columns: strictly after `before`,
 * at or after `since`, then the limit as the last parameter.
 */
function keysetWindow(query: LatestQuery, published: string, id: string, where: string[], params: SqlValue[]): void {
  if (query.before) {
    where.push(`(${published}, ${id}) < (?, ?)`);
    params.push(query.before.publishedMs, query.before.id);
  }
  if (query.since !== undefined) {
    where.push(`${published} >= ?`);
    params.push(query.since);
  }
  params.push(query.limit);
}

/** The corrected articles of a language, most recently corrected first, from one end of articles_corrected. */
export function correctedArticles(lang: string, limit: number): Statement {
  return {
    sql: `${SELECT_ARTICLE} WHERE lang = ? AND corrected_ms IS NOT NULL ORDER BY corrected_ms DESC, id DESC LIMIT ?`,
    params: [lang, limit],
  };
}

/**
 * The articles of one author or tag (see LatestQuery.term) from the article_terms index, newest first,
 * id breaking ties, each joined to its row.
 */
function latestWithTerm(query: LatestQuery, term: string): Statement {
  const where = ["t.lang = ?", "t.term = ?"];
  const params: SqlValue[] = [query.lang, term];
  keysetWindow(query, "t.published_ms", "t.article_id", where, params);
  return {
    sql:
      `SELECT ${COLUMNS.map((c) => `a.${c}`).join(", ")} FROM article_terms t JOIN articles a ON a.id = t.article_id ` +
      `WHERE ${where.join(" AND ")} ORDER BY t.published_ms DESC, t.article_id DESC LIMIT ?`,
    params,
  };
}

/** The same index as latestArticles, read from its other end; with `term`, article_terms' index. */
export function firstPublishedSince(lang: string, section: string | undefined, sinceMs: number, term?: string): Statement {
  if (term !== undefined)
    return {
      sql: "SELECT published_ms FROM article_terms WHERE lang = ? AND term = ? AND published_ms >= ? ORDER BY published_ms ASC, article_id ASC LIMIT 1",
      params: [lang, term, sinceMs],
    };
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

/** URLs under a prefix, as a range on the text (LIKE would treat `_` and `%` in it as wildcards). */
const URL_UNDER = "url >= ? AND url < ?";
const under = (prefix: string) => [prefix, `${prefix}\uffff`];

/**
 * One page of a language's sitemap, oldest first so that the pages before the last rarely change: the
 * page's articles (OFFSET over the language's index), each joined to every edition of its story
 * (articles_by_story), one row per edition. Reads only `articles`: withdrawn articles have left it.
 */
export function sitemapPage(query: SitemapQuery): Statement {
  return {
    sql:
      "SELECT p.id, p.url, p.updated, p.updated_ms, e.lang AS edition_lang, e.url AS edition_url, e.updated_ms AS edition_updated_ms " +
      `FROM (SELECT id, story, url, updated, updated_ms, published_ms FROM articles WHERE lang = ? AND ${URL_UNDER} ` +
      "ORDER BY published_ms, id LIMIT ? OFFSET ?) AS p JOIN articles AS e ON e.story = p.story " +
      "ORDER BY p.published_ms, p.id, e.lang",
    params: [query.lang, ...under(query.urlPrefix), query.limit, query.offset],
  };
}

/** A language's articles under the prefix and their newest update: what the sitemap index is made from. */
export function sitemapCount(lang: string, urlPrefix: string): Statement {
  return {
    sql: `SELECT COUNT(*) AS count, MAX(updated_ms) AS updated_ms FROM articles WHERE lang = ? AND ${URL_UNDER}`,
    params: [lang, ...under(urlPrefix)],
  };
}

/** A language's articles under the prefix published in a window, newest first (articles_latest). */
export function newsEntries(query: NewsQuery): Statement {
  return {
    sql:
      "SELECT url, title, published, published_ms, updated_ms FROM articles " +
      `WHERE lang = ? AND published_ms >= ? AND published_ms <= ? AND ${URL_UNDER} ORDER BY published_ms DESC, id DESC LIMIT ?`,
    params: [query.lang, query.sinceMs, query.untilMs, ...under(query.urlPrefix), query.limit],
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
    // Written now, so no longer waiting for a later time.
    { sql: "DELETE FROM scheduled WHERE id = ?", params: [row.id] },
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

const TOMBSTONE_UPDATE =
  "ON CONFLICT (id) DO UPDATE SET title = excluded.title, reason = excluded.reason, legal = excluded.legal " +
  "WHERE (tombstones.title, tombstones.reason, tombstones.legal) IS NOT (excluded.title, excluded.reason, excluded.legal)";

/**
 * Moves one article to the tombstones, with its links, and out of the schedule; run as one
 * transaction. A stored article's own fields make the tombstone; an article given whole (a content file
 * marked withdrawn) makes it when none is stored. A tombstone already there keeps its time and takes the
 * new reason. The last statement returns the id when a stored article was taken down.
 */
export function withdrawArticle(
  target: string | Pick<ArticleRow, "id" | "lang" | "section" | "slug" | "url" | "title" | "source">,
  atMs: number,
  why: WithdrawReason = {},
): Statement[] {
  const id = typeof target === "string" ? target : target.id;
  const legal = why.legal ? 1 : 0;
  const reason = why.reason ?? "";
  const columns = "(id, lang, section, slug, url, title, source, withdrawn_ms, reason, legal, listed)";
  const fromArticle: Statement = {
    sql:
      `INSERT INTO tombstones ${columns} SELECT id, lang, section, slug, url, CASE WHEN ? THEN '' ELSE title END, source, ?, ?, ?, 1 ` +
      `FROM articles WHERE id = ? ${TOMBSTONE_UPDATE}`,
    params: [legal, atMs, reason, legal, id],
  };
  const given: Statement[] =
    typeof target === "string"
      ? []
      : [
          {
            sql: `INSERT INTO tombstones ${columns} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) ${TOMBSTONE_UPDATE}`,
            params: [
              id,
              target.lang,
              target.section,
              target.slug,
              target.url,
              legal ? "" : target.title,
              target.source,
              atMs,
              reason,
              legal,
            ],
          },
        ];
  return [
    fromArticle,
    ...given,
    { sql: "DELETE FROM scheduled WHERE id = ?", params: [id] },
    { sql: "DELETE FROM edition_links WHERE article_id = ?", params: [id] },
    { sql: "DELETE FROM edition_touches WHERE article_id = ?", params: [id] },
    { sql: "DELETE FROM articles WHERE id = ? RETURNING id", params: [id] },
  ];
}

const TOMBSTONE_COLUMNS = "id, lang, section, slug, url, title, reason, legal, withdrawn_ms";

/** A withdrawn article's tombstone by its page's address. */
export function tombstoneBySlug(lang: string, slug: string): Statement {
  return {
    sql: `SELECT ${TOMBSTONE_COLUMNS} FROM tombstones WHERE lang = ? AND slug = ? ORDER BY withdrawn_ms DESC LIMIT 1`,
    params: [lang, slug],
  };
}

export function tombstonesByIds(ids: readonly string[]): Statement[] {
  return perSlice(ids, (list, slice) => ({ sql: `SELECT ${TOMBSTONE_COLUMNS} FROM tombstones WHERE id IN (${list})`, params: slice }));
}

/** The withdrawals a feed lists, newest first (tombstones_listed and tombstones_listed_in_section). */
export function listedWithdrawals(lang: string, section: string | undefined, limit: number): Statement {
  const filter = section === undefined ? "listed = 1 AND lang = ?" : "listed = 1 AND lang = ? AND section = ?";
  const params: SqlValue[] = section === undefined ? [lang] : [lang, section];
  return {
    sql: `SELECT ${TOMBSTONE_COLUMNS} FROM tombstones WHERE ${filter} ORDER BY withdrawn_ms DESC, id DESC LIMIT ?`,
    params: [...params, limit],
  };
}

/** Feeds stop listing the withdrawals made before `beforeMs` (their trigger moves those feeds). */
export function unlistWithdrawals(beforeMs: number): Statement {
  return { sql: "UPDATE tombstones SET listed = 0 WHERE listed = 1 AND withdrawn_ms < ? RETURNING id", params: [beforeMs] };
}

const SCHEDULED_COLUMNS = [...COLUMNS, "editions"] as const;

/** Keeps an article for its later time, with the editions it names; a scheduled copy that is the same stays as it was. */
export function scheduleArticle(row: ArticleRow, editions: readonly string[]): Statement[] {
  const changeable = SCHEDULED_COLUMNS.filter((c) => c !== "id");
  const values: SqlValue[] = [...COLUMNS.map((c) => row[c]), JSON.stringify(editions)];
  return [
    {
      sql:
        `INSERT INTO scheduled (${SCHEDULED_COLUMNS.join(", ")}) VALUES (${SCHEDULED_COLUMNS.map(() => "?").join(", ")}) ` +
        `ON CONFLICT (id) DO UPDATE SET ${changeable.map((c) => `${c} = excluded.${c}`).join(", ")} ` +
        `WHERE (${changeable.map((c) => `scheduled.${c}`).join(", ")}) IS NOT (${changeable.map((c) => `excluded.${c}`).join(", ")}) ` +
        "RETURNING id",
      params: values,
    },
    // Published already and moved to a later time: it leaves the feeds until then.
    { sql: "DELETE FROM articles WHERE id = ?", params: [row.id] },
  ];
}

/** The scheduled articles whose source starts with `prefix`, and when each is due. */
export function scheduledFromSource(prefix: string): Statement {
  return {
    sql: "SELECT id, source, published_ms FROM scheduled WHERE source >= ? AND source < ?",
    params: [prefix, `${prefix}\uffff`],
  };
}

export function scheduledByIds(ids: readonly string[]): Statement[] {
  return perSlice(ids, (list, slice) => ({
    sql: `${SELECT_ARTICLE.replace("FROM articles", "FROM scheduled")} WHERE id IN (${list})`,
    params: slice,
  }));
}

export function unscheduleArticle(id: string): Statement {
  return { sql: "DELETE FROM scheduled WHERE id = ? RETURNING id", params: [id] };
}

/** The scheduled articles due at `nowMs`, oldest first (scheduled_due). */
export function dueArticles(nowMs: number, limit: number): Statement {
  return {
    sql: "SELECT id, source, editions FROM scheduled WHERE published_ms <= ? ORDER BY published_ms, id LIMIT ?",
    params: [nowMs, limit],
  };
}

/**
 * Moves one due article from the schedule into `articles`, as one transaction: copied by the database
 * only while it is still scheduled and due, so a second runtime releasing it at the same moment, or
 * after the newsroom changed it again, copies nothing. The first statement returns the new version when
 * it was released.
 */
export function releaseArticle(id: string, source: string, editions: readonly string[], nowMs: number): Statement[] {
  const named = { atMs: nowMs, sited: true };
  return [
    {
      sql:
        `INSERT INTO articles (${COLUMNS.join(", ")}) SELECT ${COLUMNS.join(", ")} FROM scheduled WHERE id = ? AND published_ms <= ? ` +
        UPSERT_SQL.slice(UPSERT_SQL.indexOf("ON CONFLICT")),
      params: [id, nowMs],
    },
    liftTombstone(id),
    ...editions.map((target) => nameEdition(id, target, source, named)),
    { sql: "INSERT OR IGNORE INTO edition_touches (article_id) VALUES (?)", params: [id] },
    { sql: "DELETE FROM scheduled WHERE id = ? AND published_ms <= ?", params: [id, nowMs] },
  ];
}

/** The articles written since the last pass over edition links. */
export const TOUCHED_ARTICLES: Statement = { sql: "SELECT article_id FROM edition_touches", params: [] };

/** A row when any link waits in the store, none when none does. */
export const ANY_EDITION_LINK: Statement = { sql: "SELECT 1 AS found FROM edition_links LIMIT 1", params: [] };

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

/** The version of one author's or tag's feed in a language (see migrations/0006_article_terms.sql). */
export function termFeedVersion(lang: string, term: string): Statement {
  return { sql: "SELECT version FROM term_feed_versions WHERE lang = ? AND term = ?", params: [lang, term] };
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
export const TERM_FEED_VERSIONS: Statement = {
  sql: "SELECT lang, term, version FROM term_feed_versions ORDER BY lang, term",
  params: [],
};

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
