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
  /** Publication time of the oldest article of a language (and section) published at or after `sinceMs`. */
  firstPublishedSince(lang: string, section: string | undefined, sinceMs: number): Promise<number | null>;
  /** The stored articles among these ids. */
  byIds(ids: readonly string[]): Promise<Article[]>;
  /** Every edition of the given stories, in no particular order. */
  editions(stories: readonly string[]): Promise<Edition[]>;
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
  /** Every feed's version (see feedVersion), ordered by language, then section; section '' is a language's whole feed. */
  feedVersions(): Promise<FeedVersion[]>;
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
  /** Removes articles from every feed and page, keeping a tombstone; returns the ids it withdrew. */
  withdraw(ids: readonly string[], atMs: number): Promise<string[]>;
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
  };
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
