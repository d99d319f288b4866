/** The ArticleStore contract that every adapter (SQLite on Node, D1 on Workers) fulfils. */
import type { Article, Edition } from "../model/article.ts";
import type { Instant } from "../model/time.ts";
import { describeConflict } from "./errors.ts";

/** Where an older page starts: strictly after this (published, id) position, newest first. */
export interface Cursor {
  publishedMs: number;
  id: string;
}

export interface LatestQuery {
  lang: string;
  section?: string;
  limit: number;
  before?: Cursor;
  /** Only articles published at or after this instant (ms). */
  since?: number;
  /** Only the articles of one author or tag (`author/<key>`, `tag/<key>`; see model/terms.ts); `section` is then not read. */
  term?: string;
}

export interface UpsertReport {
  inserted: string[];
  updated: string[];
  unchanged: number;
  /** Articles refused by the store (a slug or story already taken by another id), with the reason. */
  failed: { id: string; source: string; error: string }[];
}

/** What the ingest remembers of a source between runs. */
export interface SourceState {
  sourceId: string;
  etag: string | null;
  lastModified: string | null;
  checkedMs: number | null;
  /** The source is not asked again before this instant (interval, Retry-After, back-off). */
  nextMs: number;
  failures: number;
  lastError: string | null;
}

export interface StoredRun {
  startedMs: number;
  finishedMs: number;
  /** The run report as JSON. */
  report: string;
}

/** The latest subscriber count one aggregator reported for one feed, and when (ms). */
export interface SubscriberCount {
  feed: string;
  aggregator: string;
  subscribers: number;
  seenMs: number;
}

/** The version of one feed; section '' is a language's whole feed. */
export interface FeedVersion {
  lang: string;
  section: string;
  version: number;
}

/** The version of one author's or tag's feed (`term`: `author/<key>`, `tag/<key>`). */
export interface TermFeedVersion {
  lang: string;
  term: string;
  version: number;
}

/**
 * Links an article names to other editions (URLs or ids), written with it, waiting in the store until
 * the other edition is there and the link is judged (see linkEditions).
 */
export interface PendingLinks {
  /** Article id -> the other editions it names. */
  targets: ReadonlyMap<string, readonly string[]>;
  /** When they were named (ms): the clock that expires them. */
  atMs: number;
  /**
   * Upstream articles with no site of their own (their URL is on our site, for want of one): a link
   * from them to a page on that host speaks for nobody, so it joins only when named back.
   */
  unsited?: ReadonlySet<string>;
  /** PENDING_LINK_LIMITS unless given. */
  limits?: PendingLinkLimits;
}

/** Bounds on links still waiting for their other edition. */
export interface PendingLinkLimits {
  /** A link is forgotten this long after it was last named (at the next write of links). */
  ttlMs: number;
  /** Links one source (`feed:wire-ko`, `push`) may have waiting; its newest are kept. */
  perSource: number;
}

/**
 * 30 days, and 10 000 per source: a story's editions arrive within days, and a source whose articles
 * each name 64 editions that never come cannot make more rows than this.
 */
export const PENDING_LINK_LIMITS: PendingLinkLimits = { ttlMs: 30 * 24 * 3600_000, perSource: 10_000 };

/** What a pass over edition links did: stories joined, and every join it refused, with why. */
export interface EditionJoins {
  joined: number;
  conflicts: string[];
}

/** Which of a language's articles a sitemap page lists: those whose URL starts with `urlPrefix`, oldest first. */
export interface SitemapQuery {
  lang: string;
  /**
   * `https://news.example/en/`, where the language's sitemap is: a sitemap lists URLs under its own
   * directory only, and an article whose page is on another site is that site's to list.
   */
  urlPrefix: string;
  limit: number;
  offset: number;
}

/** One article of a sitemap page, with every edition of its story (itself included). */
export interface SitemapEntry {
  url: string;
  updated: Instant;
  editions: { lang: string; url: string; updatedMs: number }[];
}

/** How many of a language's articles a sitemap lists (URL under the prefix), and their newest update (ms; null for none). */
export interface SitemapCount {
  count: number;
  updatedMs: number | null;
}

/** The articles of a language's news sitemap: on the site, published in [sinceMs, untilMs], newest first. */
export interface NewsQuery {
  lang: string;
  urlPrefix: string;
  sinceMs: number;
  untilMs: number;
  limit: number;
}

export interface NewsEntry {
  url: string;
  title: string;
  published: Instant;
  updatedMs: number;
}

/** How many run reports the store keeps. */
export const KEPT_RUNS = 100;

/** Bounds on new subscriber rows, for aggregators known only by the name their User-Agent claims. */
export interface SubscriberLimits {
  /** Rows one feed may have. */
  perFeed: number;
  /** Rows in all. */
  total: number;
}

export interface ArticleStore {
  /**
   * Writes new and changed articles, each with the other editions it names in `links`, each article
   * whole or not at all; identical ones are left alone, so their version stays. Writing an article lifts
   * its tombstone and leaves it for the next linkEditions. After a write of links, those that have waited
   * past `links.limits` are forgotten. Articles are committed in batches (see UpsertOptions): a refused
   * article fails alone, with its reason, and the rest of its batch is written; a write cut short (the
   * process killed, the database failing) leaves whole articles only, and every batch before it.
   */
  upsert(articles: readonly Article[], links?: PendingLinks, options?: UpsertOptions): Promise<UpsertReport>;
  /** The newest articles of a language (and section), newest first, ties broken by id. */
  latest(query: LatestQuery): Promise<Article[]>;
  bySlug(lang: string, slug: string): Promise<Article | null>;
  /**
   * Publication time of the oldest article of a language (and section, or author or tag: see
   * LatestQuery.term) published at or after `sinceMs`.
   */
  firstPublishedSince(lang: string, section: string | undefined, sinceMs: number, term?: string): Promise<number | null>;
  /** The stored articles among these ids. */
  byIds(ids: readonly string[]): Promise<Article[]>;
  /** Every edition of the given stories, in no particular order. */
  editions(stories: readonly string[]): Promise<Edition[]>;
  /**
   * The articles of a language that carry corrections, the most recently corrected first (ties broken
   * by id, descending): the newest `limit` corrections of the language are all in the first `limit`.
   */
  corrected(lang: string, limit: number): Promise<Article[]>;
  /** The newest update among the articles of a language (and section), or null when it has none. */
  lastUpdated(lang: string, section?: string): Promise<Instant | null>;
  /**
   * A number that moves whenever the feed of a language (and section) may render differently: an
   * article in it, or another edition of one of its stories, changed. 0 before any article.
   */
  feedVersion(lang: string, section?: string): Promise<number>;
  /**
   * The feed's version when the store holds it in memory and knows it is current, answered at once;
   * undefined otherwise (then feedVersion reads it). Stores that always read need not have it.
   */
  knownFeedVersion?(lang: string, section?: string): number | undefined;
  /**
   * A number that moves whenever the feed of an author or tag in a language (`term`: `author/<key>`,
   * `tag/<key>`) may render differently: an article carrying the term was written, changed or withdrawn,
   * or another edition of one of their stories changed. 0 for a term no article carries.
   */
  termFeedVersion(lang: string, term: string): Promise<number>;
  /** As knownFeedVersion, for termFeedVersion: kept apart, bounded, so no walk over terms pushes out a section's version. */
  knownTermFeedVersion?(lang: string, term: string): number | undefined;
  /** Every feed's version (see feedVersion), ordered by language, then section; section '' is a language's whole feed. */
  feedVersions(): Promise<FeedVersion[]>;
  /** Every author's and tag's feed version (see termFeedVersion), ordered by language, then term. */
  termFeedVersions(): Promise<TermFeedVersion[]>;
  /**
   * A page of a language's sitemap: its articles whose URL starts with the prefix, oldest first (published,
   * then id), each with its story's editions. Reads the articles table alone.
   */
  sitemapEntries(query: SitemapQuery): Promise<SitemapEntry[]>;
  /** How many of a language's articles have a URL under `urlPrefix`, and their newest update. */
  sitemapCount(lang: string, urlPrefix: string): Promise<SitemapCount>;
  /** A language's articles with a URL under the prefix published in the window, newest first, at most `limit`. */
  newsEntries(query: NewsQuery): Promise<NewsEntry[]>;
  /** Where the log of article changes stands now: pass it to changedArticles to learn what changed after it. */
  articleChangeMark(): Promise<number>;
  /**
   * The language and slug of every article page that changed after `mark`, once each: articles written,
   * updated or withdrawn, and the other editions of a story an edition came to, left or moved in. The
   * newest 100 000 changes are kept.
   */
  changedArticles(mark: number): Promise<{ lang: string; slug: string }[]>;
  /** Id and source of the articles whose source starts with `prefix` (`content/`). */
  fromSource(prefix: string): Promise<{ id: string; source: string }[]>;
  /**
   * Removes articles from every feed and page, keeping a tombstone (with `why`, when given) that the
   * feeds of the article's language and section list until unlistWithdrawals; returns the ids it withdrew.
   */
  withdraw(ids: readonly string[], atMs: number, why?: WithdrawReason): Promise<string[]>;
  /** The ids among these that have been withdrawn. */
  withdrawn(ids: readonly string[]): Promise<Set<string>>;
  /**
   * Judges the links from and to the articles written since the last pass (or only those of `written`,
   * when given), whichever edition arrived first, reading no other link, and joins into one story (the
   * smallest story key of the group) the editions a trusted link names (see story-joins.ts). A refused
   * join (two editions in one language, or an upstream's link that is not enough) is described in
   * `conflicts`. Links stay stored until they expire, so an edition written again later finds them.
   */
  linkEditions(written?: readonly string[]): Promise<EditionJoins>;
  sourceState(sourceId: string): Promise<SourceState | null>;
  saveSourceState(state: SourceState): Promise<void>;
  /**
   * Takes the named lease for `ttlMs` unless another holder has it unexpired, and `replacing` (a holder
   * the caller knows to be dead) is not that holder; true when taken.
   */
  acquireLease(name: string, holder: string, nowMs: number, ttlMs: number, replacing?: string): Promise<boolean>;
  /** Who has the named lease (expired or not), or null. */
  leaseHolder(name: string): Promise<string | null>;
  releaseLease(name: string, holder: string): Promise<void>;
  /** Keeps a run report, and only the last KEPT_RUNS of them. */
  saveRun(run: StoredRun): Promise<void>;
  /** The newest run reports first. */
  recentRuns(limit: number): Promise<StoredRun[]>;
  /**
   * Keeps `subscribers` as the latest count the aggregator reported for the feed URL, seen at `seenMs`,
   * replacing the one before.
   */
  recordSubscribers(feed: string, aggregator: string, subscribers: number, seenMs: number, limits?: SubscriberLimits): Promise<void>;
  /** The latest count per feed and aggregator, ordered by feed, then aggregator. */
  subscriberStats(): Promise<SubscriberCount[]>;
  close(): Promise<void>;
  /**
   * Withdraws articles the newsroom marked withdrawn (content files), each with its reason: a stored one
   * as withdraw does, one never stored by a tombstone made from what is given, withdrawn at `atMs`. A
   * tombstone already there keeps its time and takes the new reason. Returns the ids whose tombstone is new or changed.
   */
  withdrawGiven(entries: readonly { article: Article; why: WithdrawReason; atMs: number }[]): Promise<string[]>;
  /** The tombstones among these ids. */
  tombstones(ids: readonly string[]): Promise<Tombstone[]>;
  /** The tombstone of the article that had this page, or null. */
  tombstoneBySlug(lang: string, slug: string): Promise<Tombstone | null>;
  /** The withdrawals the feed of a language (and section) lists, newest first. */
  listedWithdrawals(lang: string, section: string | undefined, limit: number): Promise<Tombstone[]>;
  /** Feeds stop listing the withdrawals made before `beforeMs`, which moves those feeds; returns how many. */
  unlistWithdrawals(beforeMs: number): Promise<number>;
  /**
   * Keeps articles for their publication time, each with the other editions it names (`links`), out of
   * every feed, page and query until releaseDue moves them into the articles; an article already
   * published leaves the feeds until then. Returns the ids written (an identical copy is left alone).
   */
  schedule(articles: readonly Article[], links?: PendingLinks): Promise<string[]>;
  /** The scheduled articles among these ids. */
  scheduled(ids: readonly string[]): Promise<Article[]>;
  /** Id, source and due time of the scheduled articles whose source starts with `prefix`. */
  scheduledFromSource(prefix: string): Promise<{ id: string; source: string; dueMs: number }[]>;
  /** Takes articles off the schedule (nothing public remains of them); returns the ids it removed. */
  unschedule(ids: readonly string[]): Promise<string[]>;
  /**
   * Moves the scheduled articles due at `nowMs` (at most `limit`) into the articles, each as one
   * transaction that the database makes only while it is still scheduled and due, so two runtimes
   * releasing at once release it once. Returns the ids released, and those the store refused.
   */
  releaseDue(nowMs: number, limit?: number): Promise<{ released: string[]; failed: { id: string; error: string }[] }>;
}

/** Why an article was withdrawn: a public reason, and whether it was a legal takedown (its title is no longer shown). */
export interface WithdrawReason {
  reason?: string;
  legal?: boolean;
}

/** What remains of a withdrawn article. */
export interface Tombstone {
  id: string;
  lang: string;
  section: string;
  slug: string;
  url: string;
  /** '' after a legal takedown. */
  title: string;
  /** The public reason, '' for none. */
  reason: string;
  legal: boolean;
  withdrawnMs: number;
}

/** Scheduled articles one releaseDue moves at most, unless told. */
export const RELEASE_LIMIT = 50;

export interface TombstoneRow {
  id: string;
  lang: string;
  section: string;
  slug: string;
  url: string;
  title: string;
  reason: string;
  legal: number;
  withdrawn_ms: number;
}

export function rowToTombstone(row: TombstoneRow): Tombstone {
  return {
    id: row.id,
    lang: row.lang,
    section: row.section,
    slug: row.slug,
    url: row.url,
    title: row.title,
    reason: row.reason,
    legal: row.legal === 1,
    withdrawnMs: row.withdrawn_ms,
  };
}

/** How an upsert groups its articles into commits. */
export interface UpsertOptions {
  /**
   * Articles per commit: per transaction on SQLite (each article in a savepoint of its own), per batch
   * on D1. The adapter's own default unless given; 1 commits each article on its own.
   */
  batchSize?: number;
}

/** One article's outcome in a batch: its new version, nothing when it was identical, or why the store refused it. */
export type ArticleOutcome = { version: number } | undefined | { refused: unknown };

/** The batch size asked for, or the adapter's default: a whole number of at least 1. */
export function batchSizeOf(options: UpsertOptions | undefined, fallback: number): number {
  const size = options?.batchSize ?? fallback;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`store: a batch size is a whole number of at least 1, not ${size}`);
  return size;
}

/**
 * Writes articles in batches of `size` through an adapter's `writeBatch` (one commit, returning each
 * article's outcome in order) and reports what happened, in the order the articles came. Whatever
 * `writeBatch` throws (a database that cannot be written at all) fails the whole write; the batches
 * before it stay written.
 */
export async function upsertInBatches(
  articles: readonly Article[],
  size: number,
  writeBatch: (batch: readonly Article[]) => Promise<ArticleOutcome[]>,
  between?: () => Promise<void>,
): Promise<UpsertReport> {
  const report: UpsertReport = { inserted: [], updated: [], unchanged: 0, failed: [] };
  for (let start = 0; start < articles.length; start += size) {
    if (start > 0) await between?.();
    const batch = articles.slice(start, start + size);
    const outcomes = await writeBatch(batch);
    for (const [i, article] of batch.entries()) {
      const outcome = outcomes[i];
      if (outcome === undefined) report.unchanged++;
      else if ("refused" in outcome)
        report.failed.push({ id: article.id, source: article.source, error: describeConflict(outcome.refused) });
      else if (outcome.version === 1) report.inserted.push(article.id);
      else report.updated.push(article.id);
    }
  }
  return report;
}

/** Turns a stored row into an article; both adapters read the same columns. */
export interface ArticleRow {
  id: string;
  lang: string;
  section: string;
  slug: string;
  story: string;
  url: string;
  title: string;
  summary: string;
  content_html: string;
  authors: string;
  tags: string;
  image: string | null;
  published: string;
  published_ms: number;
  updated: string;
  updated_ms: number;
  source: string;
  fingerprint: string;
  /** JSON array of {date, date_ms, text}, oldest first. */
  corrections: string;
  /** The newest correction's time, or null when there is none (what the corrections feed's index holds). */
  corrected_ms: number | null;
}

/** A correction as the `corrections` column keeps it. */
interface CorrectionRow {
  date: string;
  date_ms: number;
  text: string;
}

export function rowToArticle(row: ArticleRow): Article {
  return {
    id: row.id,
    lang: row.lang,
    section: row.section,
    slug: row.slug,
    story: row.story,
    url: row.url,
    title: row.title,
    summary: row.summary,
    contentHtml: row.content_html,
    authors: JSON.parse(row.authors) as Article["authors"],
    tags: JSON.parse(row.tags) as Article["tags"],
    image: row.image === null ? null : (JSON.parse(row.image) as Article["image"]),
    published: { iso: row.published, ms: row.published_ms },
    updated: { iso: row.updated, ms: row.updated_ms },
    source: row.source,
    fingerprint: row.fingerprint,
    corrections: (JSON.parse(row.corrections) as CorrectionRow[]).map((c) => ({ date: { iso: c.date, ms: c.date_ms }, text: c.text })),
  };
}

export function articleToRow(a: Article): ArticleRow {
  return {
    id: a.id,
    lang: a.lang,
    section: a.section,
    slug: a.slug,
    story: a.story,
    url: a.url,
    title: a.title,
    summary: a.summary,
    content_html: a.contentHtml,
    authors: JSON.stringify(a.authors),
    tags: JSON.stringify(a.tags),
    image: a.image === null ? null : JSON.stringify(a.image),
    published: a.published.iso,
    published_ms: a.published.ms,
    updated: a.updated.iso,
    updated_ms: a.updated.ms,
    source: a.source,
    fingerprint: a.fingerprint,
    corrections: JSON.stringify(a.corrections.map((c): CorrectionRow => ({ date: c.date.iso, date_ms: c.date.ms, text: c.text }))),
    corrected_ms: a.corrections.reduce<number | null>((newest, c) => (newest === null || c.date.ms > newest ? c.date.ms : newest), null),
  };
}

/** A row of queries.sitemapPage: one edition of the story of one listed article. */
export interface SitemapRow {
  id: string;
  url: string;
  updated: string;
  updated_ms: number;
  edition_lang: string;
  edition_url: string;
  edition_updated_ms: number;
}

/** Folds the rows of a sitemap page (one per listed article and edition, in page order) into entries. */
export function rowsToSitemapEntries(rows: readonly SitemapRow[]): SitemapEntry[] {
  const entries: SitemapEntry[] = [];
  let lastId: string | undefined;
  for (const row of rows) {
    if (row.id !== lastId) {
      entries.push({ url: row.url, updated: { iso: row.updated, ms: row.updated_ms }, editions: [] });
      lastId = row.id;
    }
    entries.at(-1)!.editions.push({ lang: row.edition_lang, url: row.edition_url, updatedMs: row.edition_updated_ms });
  }
  return entries;
}

export interface NewsRow {
  url: string;
  title: string;
  published: string;
  published_ms: number;
  updated_ms: number;
}

export function rowToNewsEntry(row: NewsRow): NewsEntry {
  return { url: row.url, title: row.title, published: { iso: row.published, ms: row.published_ms }, updatedMs: row.updated_ms };
}

/** A feed_subscribers row as both adapters read it. */
export interface SubscriberRow {
  feed: string;
  aggregator: string;
  subscribers: number;
  seen_ms: number;
}

export function rowToSubscriberCount(row: SubscriberRow): SubscriberCount {
  return { feed: row.feed, aggregator: row.aggregator, subscribers: row.subscribers, seenMs: row.seen_ms };
}
