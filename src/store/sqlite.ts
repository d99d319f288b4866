/** ArticleStore on an embedded SQLite file through better-sqlite3 (Node). */
import Database from "better-sqlite3";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Article, Edition } from "../model/article.ts";
import * as sql from "./queries.ts";
import type { Statement } from "./queries.ts";
import {
  articleToRow, KEPT_RUNS, rowToArticle, rowToSubscriberCount, upsertEach, type ArticleRow, type ArticleStore, type FeedVersion,
  type LatestQuery, type SourceState, type StoredRun, type SubscriberRow, type UpsertReport,
} from "./store.ts";
import { planStoryJoins } from "./story-joins.ts";

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), "migrations");

/**
 * Applies the numbered migrations not yet applied, recording them in `d1_migrations` as wrangler does
 * for D1, so one database can move between the two tools.
 */
export function migrate(db: Database.Database, dir = MIGRATIONS_DIR): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS d1_migrations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT UNIQUE,
    applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)`);
  const applied = new Set(db.prepare("SELECT name FROM d1_migrations").pluck().all() as string[]);
  const pending = readdirSync(dir).filter((f) => /^\d{4}_.+\.sql$/.test(f) && !applied.has(f)).sort();
  for (const name of pending) {
    const sql = readFileSync(join(dir, name), "utf8");
    db.transaction(() => {
      db.exec(sql);
      db.prepare("INSERT INTO d1_migrations (name) VALUES (?)").run(name);
    })();
  }
  return pending;
}

/** Opens (creating when needed) the database at `path`, or `:memory:`, and migrates it. */
export function openSqliteStore(path: string): ArticleStore {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (error) {
    throw new Error(`store: unable to open the database "${path}": ${(error as Error).message}`);
  }
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return new SqliteArticleStore(db);
}

class SqliteArticleStore implements ArticleStore {
  readonly #db: Database.Database;
  readonly #prepared = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  #statement(sql: string): Database.Statement {
    let statement = this.#prepared.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#prepared.set(sql, statement);
    }
    return statement;
  }

  #all<T>(s: Statement): T[] {
    return this.#statement(s.sql).all(...s.params) as T[];
  }

  #run(s: Statement) {
    return this.#statement(s.sql).run(...s.params);
  }

  async upsert(articles: readonly Article[], links?: ReadonlyMap<string, readonly string[]>): Promise<UpsertReport> {
    const writeOne = this.#db.transaction((article: Article) => {
      const [upsert, ...rest] = sql.articleWrite(articleToRow(article), links?.get(article.id) ?? []);
      const [changed] = this.#all<{ version: number }>(upsert!);
      for (const statement of rest) this.#run(statement);
      return changed;
    });
    return upsertEach(articles, async (article) => writeOne(article));
  }

  async latest(query: LatestQuery) {
    return this.#all<ArticleRow>(sql.latestArticles(query)).map(rowToArticle);
  }

  async bySlug(lang: string, slug: string) {
    const [row] = this.#all<ArticleRow>(sql.articleBySlug(lang, slug));
    return row ? rowToArticle(row) : null;
  }

  async firstPublishedSince(lang: string, section: string | undefined, sinceMs: number) {
    return this.#all<{ published_ms: number }>(sql.firstPublishedSince(lang, section, sinceMs))[0]?.published_ms ?? null;
  }

  async byIds(ids: readonly string[]) {
    return sql.articlesByIds(ids).flatMap((s) => this.#all<ArticleRow>(s)).map(rowToArticle);
  }

  async editions(stories: readonly string[]) {
    return sql.editionsOf(stories).flatMap((s) => this.#all<Edition>(s));
  }

  async lastUpdated(lang: string, section?: string) {
    const [row] = this.#all<{ updated: string; updated_ms: number }>(sql.lastUpdated(lang, section));
    return row ? { iso: row.updated, ms: row.updated_ms } : null;
  }

  async feedVersion(lang: string, section?: string) {
    return this.#all<{ version: number }>(sql.feedVersion(lang, section))[0]?.version ?? 0;
  }

  async feedVersions() {
    return this.#all<FeedVersion>(sql.FEED_VERSIONS);
  }

  async fromSource(prefix: string) {
    return this.#all<{ id: string; source: string }>(sql.fromSource(prefix));
  }

  async withdraw(ids: readonly string[], atMs: number) {
    const withdrawOne = this.#db.transaction((id: string) => {
      const statements = sql.withdrawArticle(id, atMs);
      for (const s of statements.slice(0, -1)) this.#run(s);
      return this.#all(statements.at(-1)!).length > 0;
    });
    return ids.filter((id) => withdrawOne(id));
  }

  async withdrawn(ids: readonly string[]) {
    return new Set(sql.tombstonedIds(ids).flatMap((s) => this.#all<{ id: string }>(s)).map((r) => r.id));
  }

  async linkEditions() {
    const pairs = this.#all<{ from_story: string; to_story: string }>(sql.UNJOINED_EDITIONS).map((p) => [p.from_story, p.to_story] as [string, string]);
    if (pairs.length === 0) return { joined: 0, conflicts: [] };
    const languages = new Map<string, string[]>();
    for (const row of sql.languagesOfStories(pairs.flat()).flatMap((s) => this.#all<{ story: string; lang: string }>(s))) {
      languages.set(row.story, [...(languages.get(row.story) ?? []), row.lang]);
    }
    const plan = planStoryJoins(pairs, languages);
    this.#db.transaction(() => {
      for (const [from, to] of plan.renames) this.#run(sql.renameStory(from, to));
    })();
    return { joined: plan.renames.length, conflicts: plan.conflicts };
  }

  async sourceState(sourceId: string): Promise<SourceState | null> {
    const [row] = this.#all<{ source_id: string; etag: string | null; last_modified: string | null; checked_ms: number | null; next_ms: number; failures: number; last_error: string | null }>(sql.sourceStateOf(sourceId));
    return row
      ? { sourceId: row.source_id, etag: row.etag, lastModified: row.last_modified, checkedMs: row.checked_ms, nextMs: row.next_ms, failures: row.failures, lastError: row.last_error }
      : null;
  }

  async saveSourceState(state: SourceState) {
    this.#run(sql.saveSourceState(state));
  }

  async acquireLease(name: string, holder: string, nowMs: number, ttlMs: number) {
    return this.#all(sql.acquireLease(name, holder, nowMs, ttlMs)).length > 0;
  }

  async releaseLease(name: string, holder: string) {
    this.#run(sql.releaseLease(name, holder));
  }

  async saveRun(run: StoredRun) {
    this.#db.transaction(() => {
      for (const s of sql.saveRun(run.startedMs, run.finishedMs, run.report, KEPT_RUNS)) this.#run(s);
    })();
  }

  async recentRuns(limit: number) {
    return this.#all<{ started_ms: number; finished_ms: number; report: string }>(sql.recentRuns(limit)).map((r) => ({
      startedMs: r.started_ms, finishedMs: r.finished_ms, report: r.report,
    }));
  }

  async recordSubscribers(feed: string, aggregator: string, subscribers: number, seenMs: number) {
    this.#run(sql.recordSubscribers(feed, aggregator, subscribers, seenMs));
  }

  async subscriberStats() {
    return this.#all<SubscriberRow>(sql.SUBSCRIBER_STATS).map(rowToSubscriberCount);
  }

  async close() {
    this.#db.close();
  }
}
