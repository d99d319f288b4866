/** ArticleStore on an embedded SQLite file through better-sqlite3 (Node). */
import Database from "better-sqlite3";
import { mkdirSync, watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";
import type { Article, Edition } from "../model/article.ts";
import * as sql from "./queries.ts";
import type { Statement } from "./queries.ts";
import {
  articleToRow,
  KEPT_RUNS,
  rowToArticle,
  rowToSubscriberCount,
  batchSizeOf,
  upsertInBatches,
  type ArticleOutcome,
  type ArticleRow,
  type ArticleStore,
  type EditionJoins,
  type FeedVersion,
  type LatestQuery,
  type PendingLinks,
  type SourceState,
  type StoredRun,
  type SubscriberLimits,
  type SubscriberRow,
  type UpsertOptions,
  type UpsertReport,
} from "./store.ts";
import { migrate } from "./sqlite-migrate.ts";
import { boundsAfter, editionPass, linksOf } from "./story-joins.ts";
import { kindOfSqliteCode, StoreError } from "./errors.ts";

/** How long a statement waits, blocking, for another connection's lock before the store waits without blocking. */
const BLOCKING_BUSY_MS = 25;
/** How long a call waits in all for another connection (another process's ingest, a backup) to let go of the database. */
export const BUSY_WAIT_MS = 5_000;
/**
 * How stale a feed version read from memory may be after another connection (another process: `npm run
 * ingest`, a backup restore) commits. This connection's own writes are seen at once.
 */
export const OTHER_WRITERS_CHECK_MS = 100;

/**
 * Articles per transaction in an upsert: one commit (and one write of the pages the articles share:
 * indexes, feed versions) for many articles instead of one each; a few hundred milliseconds of holding
 * the write lock at most (see docs/performance.md).
 */
export const SQLITE_BATCH = 500;

/**
 * Opens (creating when needed) the database at `path`, or `:memory:`, and migrates it. A migrated
 * database that cannot be written (a read-only mount, a full disk) still opens: reads work and each
 * write fails with the database's error. `busyWaitMs` bounds how long a call waits for another
 * connection's lock.
 */
export function openSqliteStore(path: string, busyWaitMs = BUSY_WAIT_MS): ArticleStore {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database | undefined;
  try {
    db = new Database(path);
    // Opening blocks anyway (nothing is served yet), so it waits on the lock for as long as a call may.
    db.pragma(`busy_timeout = ${busyWaitMs}`);
    const opened = db;
    // Switching a new file to WAL takes an exclusive lock that SQLite may refuse at once, without its busy
    // handler, while another process opens the same new file: such a refusal is waited out too, and the
    // steps (each safe to repeat) are taken again.
    const deadline = Date.now() + busyWaitMs;
    for (;;) {
      try {
        if (opened.pragma("journal_mode", { simple: true }) !== "wal") opened.pragma("journal_mode = WAL");
        opened.pragma("synchronous = NORMAL");
        migrate(opened);
        break;
      } catch (error) {
        if (!isBusy(error) || Date.now() > deadline) throw error;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
    }
    db.pragma(`busy_timeout = ${BLOCKING_BUSY_MS}`);
    // Statement and savepoint journals in memory: in a file they took some 50 writes per article written
    // (each page an article's write changes, journaled in case it is rolled back), most of a batch's time.
    db.pragma("temp_store = MEMORY");
  } catch (error) {
    db?.close();
    throw new Error(`store: unable to open the database "${path}": ${(error as Error).message}`, { cause: error });
  }
  const store = new SqliteArticleStore(db, busyWaitMs);
  if (path !== ":memory:") store.watchForOtherWriters(path);
  return store;
}

/** SQLITE_BUSY (another connection writes) and its kinds; SQLITE_BUSY_SNAPSHOT asks for the transaction again. */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}

/** A driver error as it leaves the store: a StoreError when SQLite's result code says the database cannot be used now. */
function leaving(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const kind = typeof code === "string" ? kindOfSqliteCode(code) : undefined;
  return kind === undefined ? error : new StoreError(kind, error);
}

/** An article's failure that SQLite answered by rolling back the whole transaction: the batch is written again without it. */
class BatchRolledBack extends Error {
  constructor(
    readonly index: number,
    cause: unknown,
  ) {
    super("store: the batch's transaction was rolled back", { cause });
  }
}

class SqliteArticleStore implements ArticleStore {
  readonly #db: Database.Database;
  readonly #busyWaitMs: number;
  readonly #prepared = new Map<string, Database.Statement>();
  /** Feed versions read since the database last changed, by `lang\nsection`; see feedVersion. */
  readonly #versions = new Map<string, number>();
  #versionsAt = { ownChanges: -1, dataVersion: -1, checkedMs: -Infinity };
  #watcher: FSWatcher | undefined;
  /** The two change counters feedVersion checks, prepared once (they run on every feed request). */
  readonly #changeCounters: { own: Database.Statement; all: Database.Statement };

  constructor(db: Database.Database, busyWaitMs: number) {
    this.#db = db;
    this.#busyWaitMs = busyWaitMs;
    this.#changeCounters = { own: db.prepare("SELECT total_changes()").pluck(), all: db.prepare("PRAGMA data_version").pluck() };
  }

  /**
   * Another process's commit (`npm run ingest`) writes the database's files, and the file system says so
   * at once: the next feed version asked is then checked against the database instead of waiting out
   * OTHER_WRITERS_CHECK_MS, so a reader who learns of that commit never gets an older feed after it.
   * Where the folder cannot be watched, the periodic check alone applies.
   */
  watchForOtherWriters(path: string): void {
    const name = basename(path);
    try {
      this.#watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
        if (file === null || file.startsWith(name)) this.#versionsAt.checkedMs = -Infinity;
      });
      this.#watcher.on("error", () => this.#watcher?.close());
    } catch {
      this.#watcher = undefined;
    }
  }

  /**
   * Runs `work` (synchronous, a statement or a whole transaction) and, while another connection holds
   * the lock, runs it again after a pause. better-sqlite3 blocks the thread while it waits on
   * busy_timeout, so a long wait there would stop the server answering every request; here the
   * server keeps serving while a write waits.
   */
  async #retry<T>(work: () => T): Promise<T> {
    const deadline = Date.now() + this.#busyWaitMs;
    for (let pause = 5; ; pause = Math.min(pause * 2, 200)) {
      try {
        return work();
      } catch (error) {
        if (!isBusy(error) || Date.now() + pause > deadline) throw leaving(error);
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
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

  async upsert(articles: readonly Article[], links?: PendingLinks, options?: UpsertOptions): Promise<UpsertReport> {
    const size = batchSizeOf(options, SQLITE_BATCH);
    // Between batches the event loop runs: a server that ingests in its own process keeps answering.
    const report = await upsertInBatches(
      articles,
      size,
      (batch) => this.#writeBatch(batch, links),
      () => new Promise(setImmediate),
    );
    const bound = boundsAfter(articles, links);
    if (bound.length) {
      const run = this.#db.transaction(() => {
        for (const s of bound) this.#run(s);
      });
      await this.#retry(() => run());
    }
    return report;
  }

  /**
   * One transaction for the batch, a savepoint for each article: an article the database refuses is
   * rolled back to its savepoint and the rest are written. The transaction takes the write lock as it
   * begins (IMMEDIATE), so another connection's commit cannot make it start over halfway; while another
   * connection holds that lock, the whole batch is tried again (#retry). A refusal that SQLite answers by
   * rolling back the whole transaction (RAISE(ROLLBACK), say) leaves that article refused and the batch
   * written again without it.
   */
  async #writeBatch(batch: readonly Article[], links: PendingLinks | undefined): Promise<ArticleOutcome[]> {
    const writeOne = this.#db.transaction((article: Article) => {
      const [upsert, ...rest] = sql.articleWrite(articleToRow(article), ...linksOf(article, links));
      const [changed] = this.#all<{ version: number }>(upsert!);
      for (const statement of rest) this.#run(statement);
      return changed;
    });
    const writeAll = this.#db.transaction((articles: readonly Article[]) =>
      articles.map((article, index): ArticleOutcome => {
        try {
          return writeOne(article);
        } catch (error) {
          // The database cannot be used now (locked, full, failing): the batch stops, not the article.
          if (leaving(error) instanceof StoreError) throw error;
          if (!this.#db.inTransaction) throw new BatchRolledBack(index, error);
          return { refused: error };
        }
      }),
    );
    const outcomes: ArticleOutcome[] = new Array<ArticleOutcome>(batch.length);
    let left = batch.map((article, index) => ({ article, index }));
    for (;;) {
      try {
        const written = await this.#retry(() => writeAll.immediate(left.map((l) => l.article)));
        for (const [i, outcome] of written.entries()) outcomes[left[i]!.index] = outcome;
        return outcomes;
      } catch (error) {
        if (!(error instanceof BatchRolledBack)) throw error;
        outcomes[left[error.index]!.index] = { refused: error.cause };
        left = left.filter((_, i) => i !== error.index);
      }
    }
  }

  async latest(query: LatestQuery) {
    return this.#retry(() => this.#all<ArticleRow>(sql.latestArticles(query)).map(rowToArticle));
  }

  async bySlug(lang: string, slug: string) {
    const [row] = await this.#retry(() => this.#all<ArticleRow>(sql.articleBySlug(lang, slug)));
    return row ? rowToArticle(row) : null;
  }

  async firstPublishedSince(lang: string, section: string | undefined, sinceMs: number) {
    return this.#retry(() => this.#all<{ published_ms: number }>(sql.firstPublishedSince(lang, section, sinceMs))[0]?.published_ms ?? null);
  }

  async byIds(ids: readonly string[]) {
    return this.#retry(() =>
      sql
        .articlesByIds(ids)
        .flatMap((s) => this.#all<ArticleRow>(s))
        .map(rowToArticle),
    );
  }

  async editions(stories: readonly string[]) {
    return this.#retry(() => sql.editionsOf(stories).flatMap((s) => this.#all<Edition>(s)));
  }

  async lastUpdated(lang: string, section?: string) {
    const [row] = await this.#retry(() => this.#all<{ updated: string; updated_ms: number }>(sql.lastUpdated(lang, section)));
    return row ? { iso: row.updated, ms: row.updated_ms } : null;
  }

  /**
   * Asked on every feed request, so answered from memory while the database has not changed: this
   * connection's own writes are counted by SQLite (total_changes(), no read of the file), and another
   * connection's commits show in PRAGMA data_version, which costs a read and so is checked at most
   * every OTHER_WRITERS_CHECK_MS.
   */
  async feedVersion(lang: string, section?: string) {
    const known = this.knownFeedVersion(lang, section);
    if (known !== undefined) return known;
    const version = await this.#retry(() => this.#all<{ version: number }>(sql.feedVersion(lang, section))[0]?.version ?? 0);
    this.#versions.set(`${lang}\n${section ?? ""}`, version);
    return version;
  }

  knownFeedVersion(lang: string, section?: string): number | undefined {
    let unchanged: boolean;
    try {
      unchanged = this.#unchangedSinceVersionsRead();
    } catch (error) {
      throw leaving(error);
    }
    return unchanged ? this.#versions.get(`${lang}\n${section ?? ""}`) : undefined;
  }

  /** Whether the versions in memory are still current; when not, forgets them and notes the database's state now. */
  #unchangedSinceVersionsRead(): boolean {
    const at = this.#versionsAt;
    const ownChanges = this.#changeCounters.own.get() as number;
    let unchanged = ownChanges === at.ownChanges;
    const now = Date.now();
    if (unchanged && now - at.checkedMs < OTHER_WRITERS_CHECK_MS) return true;
    const dataVersion = this.#changeCounters.all.get() as number;
    unchanged &&= dataVersion === at.dataVersion;
    this.#versionsAt = { ownChanges, dataVersion, checkedMs: now };
    if (!unchanged) this.#versions.clear();
    return unchanged;
  }

  async feedVersions() {
    return this.#retry(() => this.#all<FeedVersion>(sql.FEED_VERSIONS));
  }

  async fromSource(prefix: string) {
    return this.#retry(() => this.#all<{ id: string; source: string }>(sql.fromSource(prefix)));
  }

  async withdraw(ids: readonly string[], atMs: number) {
    const withdrawOne = this.#db.transaction((id: string) => {
      const statements = sql.withdrawArticle(id, atMs);
      for (const s of statements.slice(0, -1)) this.#run(s);
      return this.#all(statements.at(-1)!).length > 0;
    });
    const withdrawn: string[] = [];
    for (const id of ids) if (await this.#retry(() => withdrawOne(id))) withdrawn.push(id);
    return withdrawn;
  }

  async withdrawn(ids: readonly string[]) {
    return this.#retry(
      () =>
        new Set(
          sql
            .tombstonedIds(ids)
            .flatMap((s) => this.#all<{ id: string }>(s))
            .map((r) => r.id),
        ),
    );
  }

  async linkEditions(written?: readonly string[]): Promise<EditionJoins> {
    const pass = this.#db.transaction(() => {
      const steps = editionPass(written);
      let step = steps.next();
      while (!step.done) step = steps.next(step.value.flatMap((s) => this.#all(s)));
      for (const s of step.value.writes) this.#run(s);
      return { joined: step.value.joined, conflicts: step.value.conflicts };
    });
    // IMMEDIATE: the links are read under the write lock, so no other writer changes them before the renames.
    return this.#retry(() => pass.immediate());
  }

  async sourceState(sourceId: string): Promise<SourceState | null> {
    const [row] = await this.#retry(() =>
      this.#all<{
        source_id: string;
        etag: string | null;
        last_modified: string | null;
        checked_ms: number | null;
        next_ms: number;
        failures: number;
        last_error: string | null;
      }>(sql.sourceStateOf(sourceId)),
    );
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
  }

  async saveSourceState(state: SourceState) {
    await this.#retry(() => this.#run(sql.saveSourceState(state)));
  }

  async acquireLease(name: string, holder: string, nowMs: number, ttlMs: number, replacing?: string) {
    return this.#retry(() => this.#all(sql.acquireLease(name, holder, nowMs, ttlMs, replacing)).length > 0);
  }

  async leaseHolder(name: string) {
    return this.#retry(() => this.#all<{ holder: string }>(sql.leaseHolder(name))[0]?.holder ?? null);
  }

  async releaseLease(name: string, holder: string) {
    await this.#retry(() => this.#run(sql.releaseLease(name, holder)));
  }

  async saveRun(run: StoredRun) {
    const save = this.#db.transaction(() => {
      for (const s of sql.saveRun(run.startedMs, run.finishedMs, run.report, KEPT_RUNS)) this.#run(s);
    });
    await this.#retry(() => save());
  }

  async recentRuns(limit: number) {
    const rows = await this.#retry(() => this.#all<{ started_ms: number; finished_ms: number; report: string }>(sql.recentRuns(limit)));
    return rows.map((r) => ({ startedMs: r.started_ms, finishedMs: r.finished_ms, report: r.report }));
  }

  async recordSubscribers(feed: string, aggregator: string, subscribers: number, seenMs: number, limits?: SubscriberLimits) {
    await this.#retry(() => this.#run(sql.recordSubscribers(feed, aggregator, subscribers, seenMs, limits)));
  }

  async subscriberStats() {
    return this.#retry(() => this.#all<SubscriberRow>(sql.SUBSCRIBER_STATS).map(rowToSubscriberCount));
  }

  async close() {
    this.#watcher?.close();
    this.#db.close();
  }
}
