/** ArticleStore on an embedded SQLite file through better-sqlite3 (Node). */
import Database from "better-sqlite3";
import { closeSync, mkdirSync, openSync, readSync } from "node:fs";
import { endianness } from "node:os";
import { dirname } from "node:path";
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
import { migrate } from "./sqlite-migrate.ts";
import { boundsAfter, editionPass, linksOf } from "./story-joins.ts";
import { describeConflict, kindOfSqliteCode, StoreError } from "./errors.ts";

/** How long a statement waits, blocking, for another connection's lock before the store waits without blocking. */
const BLOCKING_BUSY_MS = 25;
/** How long a call waits in all for another connection (another process's ingest, a backup) to let go of the database. */
export const BUSY_WAIT_MS = 5_000;
/**
 * The first copy of the WAL-index header, at the start of the `-shm` file: SQLite writes it last when
 * a transaction commits (see #unchangedSinceVersionsRead). Its fields are in the machine's byte order:
 * iVersion (u32, 3007000), unused (u32), iChange (u32, counts transactions), isInit (u8, 1), then the
 * page size, the last valid frame, the database size, checksums and salts.
 */
const WAL_INDEX_HEADER_BYTES = 48;
const WAL_INDEX_VERSION = 3007000;

/**
 * Articles per transaction in an upsert: one commit (and one write of the pages the articles share:
 * indexes, feed versions) for many articles instead of one each; a few hundred milliseconds of holding
 * the write lock at most (see docs/performance.md).
 */
export const SQLITE_BATCH = 500;

/** Author and tag feed versions the store keeps in memory at most (see #termVersions). */
export const TERM_VERSIONS_KEPT = 1024;

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
  if (path !== ":memory:") store.watchForOtherWriters(`${path}-shm`);
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
  /** Feed versions read since the database last changed, by language, then section ("" for a language's whole feed); see feedVersion. */
  readonly #versions = new Map<string, Map<string, number>>();
  /**
   * Author and tag feed versions read since the database last changed, by language and term, apart from
   * #versions and at most TERM_VERSIONS_KEPT of them (the oldest read goes first): a walk over every tag
   * neither grows memory nor pushes out a section's version.
   */
  readonly #termVersions = new Map<string, number>();
  /** The change counters when the versions in memory were read. */
  #versionsAt = { ownChanges: -1, dataVersion: -1 };
  /** The change counters a look reads, prepared once. */
  readonly #changeCounters: { own: Database.Statement; all: Database.Statement };
  /**
   * The `-shm` file, read for the WAL-index header at every look (see watchForOtherWriters): the header
   * as last noted, and a buffer to read it into. Undefined for `:memory:` (no other connection can see
   * it) and where the file cannot be read (PRAGMA data_version is then read at every look).
   */
  #walIndex: { fd: number; noted: Buffer; read: Buffer } | undefined;
  /** Whether another connection can write this database (any file, not `:memory:`). */
  #shared = false;
  /** Whether the database was looked at in the current task of the event loop (see #unchangedSinceVersionsRead). */
  #lookedInThisTask = false;

  constructor(db: Database.Database, busyWaitMs: number) {
    this.#db = db;
    this.#busyWaitMs = busyWaitMs;
    this.#changeCounters = { own: db.prepare("SELECT total_changes()").pluck(), all: db.prepare("PRAGMA data_version").pluck() };
  }

  /**
   * Opens the WAL-index (`shmPath`, the database's `-shm` file) to learn of another process's commits
   * (`npm run ingest`) at every look, by one read of its header. Each commit ends by writing that header
   * (iChange, a counter of transactions, the last valid frame and the checksums all change), and every
   * connection in WAL mode reads it to start a read transaction, so while it is unchanged no connection
   * has committed; SQLite keeps it as a file mapped into the memory of every process that has the
   * database open, and a read of the file sees what they wrote. A header that does not look like one
   * (another layout, or not yet initialised) leaves the store to read PRAGMA data_version at every look.
   */
  watchForOtherWriters(shmPath: string): void {
    this.#shared = true;
    let fd: number | undefined;
    try {
      fd = openSync(shmPath, "r");
      const read = Buffer.alloc(WAL_INDEX_HEADER_BYTES);
      const length = readSync(fd, read, 0, WAL_INDEX_HEADER_BYTES, 0);
      const version = endianness() === "LE" ? read.readUInt32LE(0) : read.readUInt32BE(0);
      if (length === WAL_INDEX_HEADER_BYTES && version === WAL_INDEX_VERSION && read[12] === 1) {
        this.#walIndex = { fd, noted: Buffer.alloc(WAL_INDEX_HEADER_BYTES), read };
        return;
      }
    } catch {
      // No readable -shm file (a read-only folder, another VFS): data_version at every look instead.
    }
    if (fd !== undefined) closeSync(fd);
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

  async corrected(lang: string, limit: number) {
    return this.#retry(() => this.#all<ArticleRow>(sql.correctedArticles(lang, limit)).map(rowToArticle));
  }

  async bySlug(lang: string, slug: string) {
    const [row] = await this.#retry(() => this.#all<ArticleRow>(sql.articleBySlug(lang, slug)));
    return row ? rowToArticle(row) : null;
  }

  async firstPublishedSince(lang: string, section: string | undefined, sinceMs: number, term?: string) {
    return this.#retry(
      () => this.#all<{ published_ms: number }>(sql.firstPublishedSince(lang, section, sinceMs, term))[0]?.published_ms ?? null,
    );
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

  async sitemapEntries(query: SitemapQuery) {
    return this.#retry(() => rowsToSitemapEntries(this.#all<SitemapRow>(sql.sitemapPage(query))));
  }

  async sitemapCount(lang: string, urlPrefix: string) {
    const [row] = await this.#retry(() => this.#all<{ count: number; updated_ms: number | null }>(sql.sitemapCount(lang, urlPrefix)));
    return { count: row?.count ?? 0, updatedMs: row?.updated_ms ?? null };
  }

  async newsEntries(query: NewsQuery) {
    return this.#retry(() => this.#all<NewsRow>(sql.newsEntries(query)).map(rowToNewsEntry));
  }

  async lastUpdated(lang: string, section?: string) {
    const [row] = await this.#retry(() => this.#all<{ updated: string; updated_ms: number }>(sql.lastUpdated(lang, section)));
    return row ? { iso: row.updated, ms: row.updated_ms } : null;
  }

  /**
   * Asked on every feed request, so answered from memory while the database has not changed, as a look
   * once per task of the event loop tells (see #unchangedSinceVersionsRead): this connection's own
   * writes are counted by SQLite (total_changes(), no read of the file), another connection's commits
   * show in the WAL-index header (one read of 48 bytes; see watchForOtherWriters). A version read
   * from the database is kept in the same synchronous step, under the look of its task (made before
   * the read, or else right after it, and then kept only if that look found nothing changed), so it is
   * never older than the state that look noted.
   */
  async feedVersion(lang: string, section?: string) {
    const known = this.knownFeedVersion(lang, section);
    if (known !== undefined) return known;
    return this.#retry(() => {
      const version = this.#all<{ version: number }>(sql.feedVersion(lang, section))[0]?.version ?? 0;
      if (this.#unchangedSinceVersionsRead()) {
        let sections = this.#versions.get(lang);
        if (sections === undefined) this.#versions.set(lang, (sections = new Map<string, number>()));
        sections.set(section ?? "", version);
      }
      return version;
    });
  }

  knownFeedVersion(lang: string, section?: string): number | undefined {
    let unchanged: boolean;
    try {
      unchanged = this.#unchangedSinceVersionsRead();
    } catch (error) {
      throw leaving(error);
    }
    return unchanged ? this.#versions.get(lang)?.get(section ?? "") : undefined;
  }

  /**
   * Whether the versions in memory are still current; when not, forgets them and notes the database's
   * state now. The database is looked at once per task of the event loop (one callback and its
   * microtasks), and the rest of the task answers from that look: every request a task answers was read
   * from its socket before the task began (a socket's data comes in a callback of its own), so the look
   * comes after each of them arrived and sees every commit that returned before. A commit made later in
   * the same task (by this process) came after those requests arrived; it is seen by the next task's
   * look, and meanwhile a version read from the database is kept as it is read, so no feed goes back.
   * Node's feed path answers the requests of one poll of the sockets in one task (see node-feeds.ts).
   */
  #unchangedSinceVersionsRead(): boolean {
    if (this.#lookedInThisTask) return true;
    const at = this.#versionsAt;
    const ownChanges = this.#changeCounters.own.get() as number;
    let dataVersion = at.dataVersion;
    if (this.#shared && !this.#walIndexUnchanged()) {
      dataVersion = this.#changeCounters.all.get() as number;
      // Noted only once data_version is read: a look that fails halfway leaves the next one to look again.
      this.#walIndex?.read.copy(this.#walIndex.noted);
    }
    const unchanged = ownChanges === at.ownChanges && dataVersion === at.dataVersion;
    this.#versionsAt = { ownChanges, dataVersion };
    if (!unchanged) {
      this.#versions.clear();
      this.#termVersions.clear();
    }
    this.#lookedInThisTask = true;
    queueMicrotask(this.#taskDone);
    return unchanged;
  }

  readonly #taskDone = () => {
    this.#lookedInThisTask = false;
  };

  /**
   * Whether the WAL-index header is the one noted at the last look: then no connection has committed
   * since. Read before data_version, so a commit that lands between the two reads shows as a changed
   * header at the next look. False without a readable WAL-index.
   */
  #walIndexUnchanged(): boolean {
    const index = this.#walIndex;
    if (index === undefined) return false;
    if (this.#readWalIndex(index) === WAL_INDEX_HEADER_BYTES) return index.read.equals(index.noted);
    this.#closeWalIndex();
    return false;
  }

  /** Bytes of the header read; -1 when the file can no longer be read (the store then reads data_version). */
  #readWalIndex(index: { fd: number; read: Buffer }): number {
    try {
      return readSync(index.fd, index.read, 0, WAL_INDEX_HEADER_BYTES, 0);
    } catch {
      return -1;
    }
  }

  #closeWalIndex() {
    if (this.#walIndex === undefined) return;
    closeSync(this.#walIndex.fd);
    this.#walIndex = undefined;
  }

  /** As feedVersion, kept in #termVersions. */
  async termFeedVersion(lang: string, term: string) {
    const known = this.knownTermFeedVersion(lang, term);
    if (known !== undefined) return known;
    return this.#retry(() => {
      const version = this.#all<{ version: number }>(sql.termFeedVersion(lang, term))[0]?.version ?? 0;
      if (this.#unchangedSinceVersionsRead()) {
        if (this.#termVersions.size >= TERM_VERSIONS_KEPT) this.#termVersions.delete(this.#termVersions.keys().next().value!);
        this.#termVersions.set(`${lang}\n${term}`, version);
      }
      return version;
    });
  }

  knownTermFeedVersion(lang: string, term: string): number | undefined {
    let unchanged: boolean;
    try {
      unchanged = this.#unchangedSinceVersionsRead();
    } catch (error) {
      throw leaving(error);
    }
    return unchanged ? this.#termVersions.get(`${lang}\n${term}`) : undefined;
  }

  async feedVersions() {
    return this.#retry(() => this.#all<FeedVersion>(sql.FEED_VERSIONS));
  }

  async termFeedVersions() {
    return this.#retry(() => this.#all<TermFeedVersion>(sql.TERM_FEED_VERSIONS));
  }

  async articleChangeMark() {
    return this.#retry(() => this.#all<{ mark: number }>(sql.ARTICLE_CHANGE_MARK)[0]!.mark);
  }

  async changedArticles(mark: number) {
    return this.#retry(() => this.#all<{ lang: string; slug: string }>(sql.changedArticles(mark)));
  }

  async fromSource(prefix: string) {
    return this.#retry(() => this.#all<{ id: string; source: string }>(sql.fromSource(prefix)));
  }

  async withdraw(ids: readonly string[], atMs: number, why?: WithdrawReason) {
    const withdrawOne = this.#db.transaction((id: string) => {
      const statements = sql.withdrawArticle(id, atMs, why);
      for (const s of statements.slice(0, -1)) this.#run(s);
      return this.#all(statements.at(-1)!).length > 0;
    });
    const withdrawn: string[] = [];
    for (const id of ids) if (await this.#retry(() => withdrawOne(id))) withdrawn.push(id);
    return withdrawn;
  }

  async withdrawGiven(entries: readonly { article: Article; why: WithdrawReason; atMs: number }[]) {
    const withdrawOne = this.#db.transaction((entry: { article: Article; why: WithdrawReason; atMs: number }) => {
      let changes = 0;
      for (const s of sql.withdrawArticle(articleToRow(entry.article), entry.atMs, entry.why)) changes += this.#run(s).changes;
      return changes > 0;
    });
    const changed: string[] = [];
    for (const entry of entries) if (await this.#retry(() => withdrawOne.immediate(entry))) changed.push(entry.article.id);
    return changed;
  }

  async tombstones(ids: readonly string[]) {
    return this.#retry(() =>
      sql
        .tombstonesByIds(ids)
        .flatMap((s) => this.#all<TombstoneRow>(s))
        .map(rowToTombstone),
    );
  }

  async tombstoneBySlug(lang: string, slug: string) {
    const [row] = await this.#retry(() => this.#all<TombstoneRow>(sql.tombstoneBySlug(lang, slug)));
    return row ? rowToTombstone(row) : null;
  }

  async listedWithdrawals(lang: string, section: string | undefined, limit: number) {
    return this.#retry(() => this.#all<TombstoneRow>(sql.listedWithdrawals(lang, section, limit)).map(rowToTombstone));
  }

  async unlistWithdrawals(beforeMs: number) {
    return this.#retry(() => this.#all(sql.unlistWithdrawals(beforeMs)).length);
  }

  async schedule(articles: readonly Article[], links?: PendingLinks) {
    const write = this.#db.transaction((list: readonly Article[]) =>
      list.flatMap((article) => {
        const [upsert, ...rest] = sql.scheduleArticle(articleToRow(article), links?.targets.get(article.id) ?? []);
        const written = this.#all(upsert!).length > 0;
        for (const s of rest) this.#run(s);
        return written ? [article.id] : [];
      }),
    );
    return this.#retry(() => write.immediate(articles));
  }

  async scheduled(ids: readonly string[]) {
    return this.#retry(() =>
      sql
        .scheduledByIds(ids)
        .flatMap((s) => this.#all<ArticleRow>(s))
        .map(rowToArticle),
    );
  }

  async scheduledFromSource(prefix: string) {
    const rows = await this.#retry(() => this.#all<{ id: string; source: string; published_ms: number }>(sql.scheduledFromSource(prefix)));
    return rows.map((r) => ({ id: r.id, source: r.source, dueMs: r.published_ms }));
  }

  async unschedule(ids: readonly string[]) {
    const removed: string[] = [];
    for (const id of ids) if ((await this.#retry(() => this.#all(sql.unscheduleArticle(id)))).length > 0) removed.push(id);
    return removed;
  }

  async releaseDue(nowMs: number, limit = RELEASE_LIMIT) {
    const due = await this.#retry(() => this.#all<{ id: string; source: string; editions: string }>(sql.dueArticles(nowMs, limit)));
    const releaseOne = this.#db.transaction((row: { id: string; source: string; editions: string }) => {
      const [copy, ...rest] = sql.releaseArticle(row.id, row.source, JSON.parse(row.editions) as string[], nowMs);
      const released = this.#all(copy!).length > 0;
      for (const s of rest) this.#run(s);
      return released;
    });
    const released: string[] = [];
    const failed: { id: string; error: string }[] = [];
    for (const row of due) {
      try {
        if (await this.#retry(() => releaseOne.immediate(row))) released.push(row.id);
      } catch (error) {
        if (error instanceof StoreError) throw error;
        failed.push({ id: row.id, error: describeConflict(error) });
      }
    }
    return { released, failed };
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
    this.#closeWalIndex();
    this.#db.close();
  }
}
