/**
 * ArticleStore on Cloudflare D1 (Workers). The same statements as SQLite (queries.ts); what SQLite
 * does in a transaction, D1 does in one batch, which is a transaction.
 */
import type { Article, Edition } from "../model/article.ts";
import * as sql from "./queries.ts";
import type { Statement } from "./queries.ts";
import {
  articleToRow,
  KEPT_RUNS,
  rowToArticle,
  rowToNewsEntry,
  rowsToSitemapEntries,
  rowToSubscriberCount,
  batchSizeOf,
  upsertInBatches,
  type ArticleOutcome,
  type ArticleRow,
  type ArticleStore,
  type EditionJoins,
  type FeedVersion,
  type TermFeedVersion,
  type LatestQuery,
  type NewsQuery,
  type NewsRow,
  type SitemapQuery,
  type SitemapRow,
  type PendingLinks,
  type SourceState,
  type StoredRun,
  type SubscriberLimits,
  type SubscriberRow,
  type UpsertOptions,
  type UpsertReport,
  RELEASE_LIMIT,
  rowToTombstone,
  type TombstoneRow,
  type WithdrawReason,
} from "./store.ts";
import { boundsAfter, editionPass, linksOf } from "./story-joins.ts";
import { describeConflict, kindOfSqliteCode, StoreError, type StoreErrorKind } from "./errors.ts";
import { FeedVersionMemo } from "./version-memo.ts";

/**
 * Articles per D1 batch in an upsert (a batch is one transaction and one call): a scheduled run's
 * INGEST_WRITE_BUDGET of 30 is 3 calls, not 30. When the database refuses an article, D1 rolls its
 * whole batch back, and the batch's articles are written again one per batch, so the refused one fails
 * alone: at most this many calls more than one per article, and only for a batch that held a refusal.
 */
export const D1_BATCH = 10;

/** Author and tag feed versions an isolate keeps at most (see version-memo.ts). */
export const TERM_VERSIONS_KEPT = 1024;

/** SQLite's own words for a database that cannot be used now, for a D1 message that names no result code. */
const UNAVAILABLE_PHRASES: readonly (readonly [RegExp, StoreErrorKind])[] = [
  [/database is locked/i, "locked"],
  [/readonly database/i, "read-only"],
  [/database or disk is full/i, "full"],
  [/disk I\/O error/i, "unavailable"],
];

/**
 * A D1 error as it leaves the store. D1 reports SQLite's failures only as messages ("D1_ERROR: database is
 * locked: SQLITE_BUSY"), so the result code in the message, else SQLite's phrase, says whether the database
 * cannot be used now (a StoreError) or the statement failed on its own (the error as it is).
 */
function leaving(error: unknown): unknown {
  const message = error instanceof Error ? error.message : String(error);
  let kind: StoreErrorKind | undefined;
  for (const [code] of message.matchAll(/SQLITE_[A-Z]+/gi)) kind ??= kindOfSqliteCode(code);
  kind ??= UNAVAILABLE_PHRASES.find(([phrase]) => phrase.test(message))?.[1];
  return kind === undefined ? error : new StoreError(kind, error);
}

/** Runs one call to D1, its failure leaving as described above. */
async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw leaving(error);
  }
}

export interface D1StoreOptions {
  /**
   * How long a feed version read from D1 is reused in this isolate (see version-memo.ts): a write from
   * elsewhere shows within it, one through this isolate at once. 0, the default, reads it every time.
   */
  versionTtlMs?: number;
  now?: () => number;
}

export function d1Store(db: D1Database, options: D1StoreOptions = {}): ArticleStore {
  const versions = new FeedVersionMemo(db, options.versionTtlMs ?? 0, options.now ?? Date.now);
  // Author and tag feeds grow with the archive: their versions are kept apart, bounded.
  const termVersions = new FeedVersionMemo(db, options.versionTtlMs ?? 0, options.now ?? Date.now, TERM_VERSIONS_KEPT);
  const bind = (s: Statement) => db.prepare(s.sql).bind(...s.params);
  const all = async <T>(s: Statement) => (await guarded(() => bind(s).all<T>())).results;
  const run = (s: Statement) => guarded(() => bind(s).run());
  // Every write that can move a feed version (articles, withdrawals, edition links) is a batch.
  const batch = <T>(statements: Statement[]) => versions.writing(() => guarded(() => db.batch<T>(statements.map(bind))));
  const allOf = async <T>(statements: Statement[]) => (await Promise.all(statements.map((s) => all<T>(s)))).flat();

  return {
    async upsert(articles: readonly Article[], links?: PendingLinks, options?: UpsertOptions): Promise<UpsertReport> {
      const report = await upsertInBatches(articles, batchSizeOf(options, D1_BATCH), async (group) => {
        const writes = group.map((article) => sql.articleWrite(articleToRow(article), ...linksOf(article, links)));
        if (writes.length > 1) {
          try {
            const results = await batch<{ version: number }>(writes.flat());
            let at = 0;
            return writes.map((statements) => {
              const written = results[at]?.results[0];
              at += statements.length;
              return written;
            });
          } catch (error) {
            if (error instanceof StoreError) throw error;
            // A refused article rolled the whole batch back: each is written again in a batch of its own.
          }
        }
        const outcomes: ArticleOutcome[] = [];
        for (const statements of writes) {
          try {
            const [written] = await batch<{ version: number }>(statements);
            outcomes.push(written?.results[0]);
          } catch (error) {
            if (error instanceof StoreError) throw error;
            outcomes.push({ refused: error });
          }
        }
        return outcomes;
      });
      const bound = boundsAfter(articles, links);
      if (bound.length) await batch(bound);
      return report;
    },

    async latest(query: LatestQuery) {
      return (await all<ArticleRow>(sql.latestArticles(query))).map(rowToArticle);
    },

    async corrected(lang: string, limit: number) {
      return (await all<ArticleRow>(sql.correctedArticles(lang, limit))).map(rowToArticle);
    },

    async bySlug(lang: string, slug: string) {
      const [row] = await all<ArticleRow>(sql.articleBySlug(lang, slug));
      return row ? rowToArticle(row) : null;
    },

    async firstPublishedSince(lang: string, section: string | undefined, sinceMs: number, term?: string) {
      return (await all<{ published_ms: number }>(sql.firstPublishedSince(lang, section, sinceMs, term)))[0]?.published_ms ?? null;
    },

    async byIds(ids: readonly string[]) {
      return (await allOf<ArticleRow>(sql.articlesByIds(ids))).map(rowToArticle);
    },

    async editions(stories: readonly string[]) {
      return allOf<Edition>(sql.editionsOf(stories));
    },

    async sitemapEntries(query: SitemapQuery) {
      return rowsToSitemapEntries(await all<SitemapRow>(sql.sitemapPage(query)));
    },

    async sitemapCount(lang: string, urlPrefix: string) {
      const [row] = await all<{ count: number; updated_ms: number | null }>(sql.sitemapCount(lang, urlPrefix));
      return { count: row?.count ?? 0, updatedMs: row?.updated_ms ?? null };
    },

    async newsEntries(query: NewsQuery) {
      return (await all<NewsRow>(sql.newsEntries(query))).map(rowToNewsEntry);
    },

    async lastUpdated(lang: string, section?: string) {
      const [row] = await all<{ updated: string; updated_ms: number }>(sql.lastUpdated(lang, section));
      return row ? { iso: row.updated, ms: row.updated_ms } : null;
    },

    feedVersion(lang: string, section?: string) {
      return versions.version(
        `${lang}\n${section ?? ""}`,
        async () => (await all<{ version: number }>(sql.feedVersion(lang, section)))[0]?.version ?? 0,
      );
    },

    knownFeedVersion(lang: string, section?: string) {
      return versions.known(`${lang}\n${section ?? ""}`);
    },

    termFeedVersion(lang: string, term: string) {
      return termVersions.version(
        `${lang}\n${term}`,
        async () => (await all<{ version: number }>(sql.termFeedVersion(lang, term)))[0]?.version ?? 0,
      );
    },

    knownTermFeedVersion(lang: string, term: string) {
      return termVersions.known(`${lang}\n${term}`);
    },

    async feedVersions() {
      return all<FeedVersion>(sql.FEED_VERSIONS);
    },

    async termFeedVersions() {
      return all<TermFeedVersion>(sql.TERM_FEED_VERSIONS);
    },

    async articleChangeMark() {
      return (await all<{ mark: number }>(sql.ARTICLE_CHANGE_MARK))[0]!.mark;
    },

    async changedArticles(mark: number) {
      return all<{ lang: string; slug: string }>(sql.changedArticles(mark));
    },

    async fromSource(prefix: string) {
      return all<{ id: string; source: string }>(sql.fromSource(prefix));
    },

    async withdraw(ids: readonly string[], atMs: number, why?: WithdrawReason) {
      const withdrawn: string[] = [];
      for (const id of ids) {
        const results = await batch(sql.withdrawArticle(id, atMs, why));
        if ((results.at(-1)?.results.length ?? 0) > 0) withdrawn.push(id);
      }
      return withdrawn;
    },

    async withdrawn(ids: readonly string[]) {
      return new Set((await allOf<{ id: string }>(sql.tombstonedIds(ids))).map((r) => r.id));
    },

    async linkEditions(written?: readonly string[]): Promise<EditionJoins> {
      const steps = editionPass(written);
      let step = steps.next();
      while (!step.done) step = steps.next(await allOf(step.value));
      if (step.value.writes.length) await batch(step.value.writes);
      return { joined: step.value.joined, conflicts: step.value.conflicts };
    },

    async sourceState(sourceId: string): Promise<SourceState | null> {
      const [row] = await all<{
        source_id: string;
        etag: string | null;
        last_modified: string | null;
        checked_ms: number | null;
        next_ms: number;
        failures: number;
        last_error: string | null;
      }>(sql.sourceStateOf(sourceId));
      return row
        ? {
            sourceId: row.source_id,
            etag: row.etag,
            lastModified: row.last_modified,
            checkedMs: row.checked_ms,
            nextMs: row.next_ms,
            failures: row.failures,
            lastError: row.last_error,
          }
        : null;
    },

    async saveSourceState(state: SourceState) {
      await run(sql.saveSourceState(state));
    },

    async acquireLease(name: string, holder: string, nowMs: number, ttlMs: number, replacing?: string) {
      return (await all(sql.acquireLease(name, holder, nowMs, ttlMs, replacing))).length > 0;
    },

    async leaseHolder(name: string) {
      return (await all<{ holder: string }>(sql.leaseHolder(name)))[0]?.holder ?? null;
    },

    async releaseLease(name: string, holder: string) {
      await run(sql.releaseLease(name, holder));
    },

    async saveRun(run: StoredRun) {
      await batch(sql.saveRun(run.startedMs, run.finishedMs, run.report, KEPT_RUNS));
    },

    async recentRuns(limit: number) {
      return (await all<{ started_ms: number; finished_ms: number; report: string }>(sql.recentRuns(limit))).map((r) => ({
        startedMs: r.started_ms,
        finishedMs: r.finished_ms,
        report: r.report,
      }));
    },

    async recordSubscribers(feed: string, aggregator: string, subscribers: number, seenMs: number, limits?: SubscriberLimits) {
      await run(sql.recordSubscribers(feed, aggregator, subscribers, seenMs, limits));
    },

    async subscriberStats() {
      return (await all<SubscriberRow>(sql.SUBSCRIBER_STATS)).map(rowToSubscriberCount);
    },

    async close() {
      // A D1 binding has no connection to close.
    },

    async withdrawGiven(entries: readonly { article: Article; why: WithdrawReason; atMs: number }[]) {
      const changed: string[] = [];
      for (const { article, why, atMs } of entries) {
        const results = await batch(sql.withdrawArticle(articleToRow(article), atMs, why));
        if (results.some((r) => (r.meta.changes ?? 0) > 0)) changed.push(article.id);
      }
      return changed;
    },

    async tombstones(ids: readonly string[]) {
      return (await allOf<TombstoneRow>(sql.tombstonesByIds(ids))).map(rowToTombstone);
    },

    async tombstoneBySlug(lang: string, slug: string) {
      const [row] = await all<TombstoneRow>(sql.tombstoneBySlug(lang, slug));
      return row ? rowToTombstone(row) : null;
    },

    async listedWithdrawals(lang: string, section: string | undefined, limit: number) {
      return (await all<TombstoneRow>(sql.listedWithdrawals(lang, section, limit))).map(rowToTombstone);
    },

    async unlistWithdrawals(beforeMs: number) {
      const [result] = await batch([sql.unlistWithdrawals(beforeMs)]);
      return result?.results.length ?? 0;
    },

    async schedule(articles: readonly Article[], links?: PendingLinks) {
      if (articles.length === 0) return [];
      const writes = articles.map((article) => sql.scheduleArticle(articleToRow(article), links?.targets.get(article.id) ?? []));
      const results = await batch(writes.flat());
      const written: string[] = [];
      let at = 0;
      for (const [i, statements] of writes.entries()) {
        if ((results[at]?.results.length ?? 0) > 0) written.push(articles[i]!.id);
        at += statements.length;
      }
      return written;
    },

    async scheduled(ids: readonly string[]) {
      return (await allOf<ArticleRow>(sql.scheduledByIds(ids))).map(rowToArticle);
    },

    async scheduledFromSource(prefix: string) {
      const rows = await all<{ id: string; source: string; published_ms: number }>(sql.scheduledFromSource(prefix));
      return rows.map((r) => ({ id: r.id, source: r.source, dueMs: r.published_ms }));
    },

    async unschedule(ids: readonly string[]) {
      const removed: string[] = [];
      for (const id of ids) if ((await all(sql.unscheduleArticle(id))).length > 0) removed.push(id);
      return removed;
    },

    async releaseDue(nowMs: number, limit = RELEASE_LIMIT) {
      const due = await all<{ id: string; source: string; editions: string }>(sql.dueArticles(nowMs, limit));
      const released: string[] = [];
      const failed: { id: string; error: string }[] = [];
      for (const row of due) {
        try {
          const [copy] = await batch(sql.releaseArticle(row.id, row.source, JSON.parse(row.editions) as string[], nowMs));
          if ((copy?.results.length ?? 0) > 0) released.push(row.id);
        } catch (error) {
          if (error instanceof StoreError) throw error;
          failed.push({ id: row.id, error: describeConflict(error) });
        }
      }
      return { released, failed };
    },
  };
}
