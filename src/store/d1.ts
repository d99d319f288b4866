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
  rowToSubscriberCount,
  upsertEach,
  type ArticleRow,
  type ArticleStore,
  type FeedVersion,
  type LatestQuery,
  type SourceState,
  type StoredRun,
  type SubscriberRow,
  type UpsertReport,
} from "./store.ts";
import { planStoryJoins } from "./story-joins.ts";

export function d1Store(db: D1Database): ArticleStore {
  const bind = (s: Statement) => db.prepare(s.sql).bind(...s.params);
  const all = async <T>(s: Statement) => (await bind(s).all<T>()).results;
  const allOf = async <T>(statements: Statement[]) => (await Promise.all(statements.map((s) => all<T>(s)))).flat();

  return {
    async upsert(articles: readonly Article[], links?: ReadonlyMap<string, readonly string[]>): Promise<UpsertReport> {
      return upsertEach(articles, async (article) => {
        const [written] = await db.batch<{ version: number }>(
          sql.articleWrite(articleToRow(article), links?.get(article.id) ?? []).map(bind),
        );
        return written?.results[0];
      });
    },

    async latest(query: LatestQuery) {
      return (await all<ArticleRow>(sql.latestArticles(query))).map(rowToArticle);
    },

    async bySlug(lang: string, slug: string) {
      const [row] = await all<ArticleRow>(sql.articleBySlug(lang, slug));
      return row ? rowToArticle(row) : null;
    },

    async firstPublishedSince(lang: string, section: string | undefined, sinceMs: number) {
      return (await all<{ published_ms: number }>(sql.firstPublishedSince(lang, section, sinceMs)))[0]?.published_ms ?? null;
    },

    async byIds(ids: readonly string[]) {
      return (await allOf<ArticleRow>(sql.articlesByIds(ids))).map(rowToArticle);
    },

    async editions(stories: readonly string[]) {
      return allOf<Edition>(sql.editionsOf(stories));
    },

    async lastUpdated(lang: string, section?: string) {
      const [row] = await all<{ updated: string; updated_ms: number }>(sql.lastUpdated(lang, section));
      return row ? { iso: row.updated, ms: row.updated_ms } : null;
    },

    async feedVersion(lang: string, section?: string) {
      return (await all<{ version: number }>(sql.feedVersion(lang, section)))[0]?.version ?? 0;
    },

    async feedVersions() {
      return all<FeedVersion>(sql.FEED_VERSIONS);
    },

    async fromSource(prefix: string) {
      return all<{ id: string; source: string }>(sql.fromSource(prefix));
    },

    async withdraw(ids: readonly string[], atMs: number) {
      const withdrawn: string[] = [];
      for (const id of ids) {
        const results = await db.batch(sql.withdrawArticle(id, atMs).map(bind));
        if ((results.at(-1)?.results.length ?? 0) > 0) withdrawn.push(id);
      }
      return withdrawn;
    },

    async withdrawn(ids: readonly string[]) {
      return new Set((await allOf<{ id: string }>(sql.tombstonedIds(ids))).map((r) => r.id));
    },

    async linkEditions() {
      const pairs = (await all<{ from_story: string; to_story: string }>(sql.UNJOINED_EDITIONS)).map(
        (p) => [p.from_story, p.to_story] as [string, string],
      );
      if (pairs.length === 0) return { joined: 0, conflicts: [] };
      const languages = new Map<string, string[]>();
      for (const row of await allOf<{ story: string; lang: string }>(sql.languagesOfStories(pairs.flat()))) {
        languages.set(row.story, [...(languages.get(row.story) ?? []), row.lang]);
      }
      const plan = planStoryJoins(pairs, languages);
      if (plan.renames.length) await db.batch(plan.renames.map(([from, to]) => bind(sql.renameStory(from, to))));
      return { joined: plan.renames.length, conflicts: plan.conflicts };
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
      await bind(sql.saveSourceState(state)).run();
    },

    async acquireLease(name: string, holder: string, nowMs: number, ttlMs: number, replacing?: string) {
      return (await all(sql.acquireLease(name, holder, nowMs, ttlMs, replacing))).length > 0;
    },

    async leaseHolder(name: string) {
      return (await all<{ holder: string }>(sql.leaseHolder(name)))[0]?.holder ?? null;
    },

    async releaseLease(name: string, holder: string) {
      await bind(sql.releaseLease(name, holder)).run();
    },

    async saveRun(run: StoredRun) {
      await db.batch(sql.saveRun(run.startedMs, run.finishedMs, run.report, KEPT_RUNS).map(bind));
    },

    async recentRuns(limit: number) {
      return (await all<{ started_ms: number; finished_ms: number; report: string }>(sql.recentRuns(limit))).map((r) => ({
        startedMs: r.started_ms,
        finishedMs: r.finished_ms,
        report: r.report,
      }));
    },

    async recordSubscribers(feed: string, aggregator: string, subscribers: number, seenMs: number) {
      await bind(sql.recordSubscribers(feed, aggregator, subscribers, seenMs)).run();
    },

    async subscriberStats() {
      return (await all<SubscriberRow>(sql.SUBSCRIBER_STATS)).map(rowToSubscriberCount);
    },

    async close() {
      // A D1 binding has no connection to close.
    },
  };
}
