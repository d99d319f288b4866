/** The SQLite adapter: the shared contract in memory and on disk, persistence, migrations and index use. */
import Database from "better-sqlite3";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { lastUpdated, latestArticles, type Statement } from "../../src/store/queries.ts";
import { migrate, MIGRATIONS_DIR } from "../../src/store/sqlite-migrate.ts";
import { openSqliteStore, OTHER_WRITERS_CHECK_MS } from "../../src/store/sqlite.ts";
import { loadedStore } from "../helpers.ts";
import { describeArticleStoreContract, makeArticle } from "./contract.ts";

const TEMP_DIR = mkdtempSync(join(tmpdir(), "hanbit-sqlite-test-"));
let databases = 0;
/** A fresh database file per use, so no test sees another's rows. */
const freshDatabasePath = () => join(TEMP_DIR, `store-${++databases}.db`);

afterAll(() => {
  rmSync(TEMP_DIR, { recursive: true, force: true });
});

describeArticleStoreContract("SQLite :memory:", async () => openSqliteStore(":memory:"));
describeArticleStoreContract("SQLite file", async () => openSqliteStore(freshDatabasePath()));

describe("SQLite file store across close and reopen", () => {
  const budget = makeArticle({ lang: "en", section: "politics", slug: "budget-vote", published: "2026-09-17T21:10:00+09:00" });

  it("keeps the articles written before closing", async () => {
    const path = freshDatabasePath();
    const first = openSqliteStore(path);
    await first.upsert([budget]);
    await first.close();

    const reopened = openSqliteStore(path);
    try {
      expect(await reopened.bySlug("en", "budget-vote")).toEqual(budget);
      expect(await reopened.upsert([budget])).toEqual({ inserted: [], updated: [], unchanged: 1, failed: [] });
    } finally {
      await reopened.close();
    }
  });

  it("records each migration once in d1_migrations, as wrangler does, and does not apply it again", async () => {
    const path = freshDatabasePath();
    await openSqliteStore(path).close();
    // A second open would fail on CREATE TABLE articles if the migration ran again.
    await openSqliteStore(path).close();

    const db = new Database(path);
    try {
      const files = readdirSync(MIGRATIONS_DIR)
        .filter((f) => f.endsWith(".sql"))
        .sort();
      expect(files.slice(0, 2)).toEqual(["0001_articles.sql", "0002_ingest.sql"]);
      expect(db.prepare("SELECT name FROM d1_migrations ORDER BY id").pluck().all()).toEqual(files);
      expect(migrate(db)).toEqual([]);
      expect(db.prepare("SELECT count(*) FROM d1_migrations").pluck().get()).toBe(files.length);
    } finally {
      db.close();
    }
  });

  it("leaves the row version alone on an unchanged upsert and raises it on a change", async () => {
    // The version column is what tells a reader a row really changed; an identical upsert must not touch it.
    const path = freshDatabasePath();
    const store = openSqliteStore(path);
    const db = new Database(path, { readonly: true });
    const version = () => db.prepare("SELECT version FROM articles WHERE id = ?").pluck().get(budget.id);
    try {
      await store.upsert([budget]);
      expect(version()).toBe(1);
      await store.upsert([budget]);
      await store.upsert([budget]);
      expect(version()).toBe(1);
      await store.upsert([{ ...budget, title: "Assembly passes the budget" }]);
      expect(version()).toBe(2);
    } finally {
      db.close();
      await store.close();
    }
  });
});

describe("SQLite feed versions, answered from memory", () => {
  const article = (slug: string, title = slug) =>
    makeArticle({ lang: "en", section: "politics", slug, title, published: "2026-09-17T21:10:00+09:00" });

  it("sees its own writes at once and another connection's once OTHER_WRITERS_CHECK_MS has passed", async () => {
    const path = freshDatabasePath();
    const serving = openSqliteStore(path);
    const ingesting = openSqliteStore(path);
    // The store's clock (Date) is the test's: time passes when the test says so.
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      await serving.upsert([article("a")]);
      const first = await serving.feedVersion("en", "politics");
      expect(first).toBeGreaterThan(0);

      // Its own write: the next answer is the new version, with no wait.
      await serving.upsert([article("a", "Edited")]);
      const own = await serving.feedVersion("en", "politics");
      expect(own).toBeGreaterThan(first);

      // Another connection's write (another process, as `npm run ingest` is): seen once the check is due.
      await ingesting.upsert([article("b")]);
      vi.advanceTimersByTime(OTHER_WRITERS_CHECK_MS + 1);
      const other = await serving.feedVersion("en", "politics");
      expect(other).toBeGreaterThan(own);
      expect(await serving.feedVersion("en", "politics")).toBe(await ingesting.feedVersion("en", "politics"));

      // A version asked again and again while nothing changes is the same number.
      for (let i = 0; i < 5; i++) expect(await serving.feedVersion("en", "politics")).toBe(other);
      expect(await serving.feedVersion("en", "society")).toBe(0);
    } finally {
      vi.useRealTimers();
      await ingesting.close();
      await serving.close();
    }
  });

  it("learns of another connection's commit from the file system, without waiting for the periodic check", async () => {
    const path = freshDatabasePath();
    const serving = openSqliteStore(path);
    const ingesting = openSqliteStore(path);
    // The store's clock stands still: only the file system's word can make it read the version again.
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      await serving.upsert([article("a")]);
      const before = await serving.feedVersion("en", "politics");
      expect(serving.knownFeedVersion?.("en", "politics")).toBe(before);
      await ingesting.upsert([article("b")]);
      const after = await ingesting.feedVersion("en", "politics");
      expect(after).toBeGreaterThan(before);
      // Waits for the change notice to arrive (polled, never a fixed pause); the clock has not moved.
      await vi.waitFor(() => expect(serving.knownFeedVersion?.("en", "politics")).toBeUndefined(), { timeout: 5_000, interval: 5 });
      expect(await serving.feedVersion("en", "politics")).toBe(after);
    } finally {
      vi.useRealTimers();
      await ingesting.close();
      await serving.close();
    }
  });
});

describe("SQLite query plans on the loaded sample edition", () => {
  /** The plan's lines, read through a connection of our own so the store's prepared statements are not involved. */
  function planOf(db: Database.Database, statement: Statement): string[] {
    return db
      .prepare(`EXPLAIN QUERY PLAN ${statement.sql}`)
      .all(...statement.params)
      .map((row) => (row as { detail: string }).detail);
  }

  const queries: [string, Statement, string][] = [
    ["latest of a language", latestArticles({ lang: "ko", limit: 20 }), "articles_latest"],
    ["latest of a section", latestArticles({ lang: "ko", section: "politics", limit: 20 }), "articles_latest_in_section"],
    [
      "an older page of a language",
      latestArticles({ lang: "ko", limit: 20, before: { publishedMs: Date.UTC(2026, 9, 1), id: "tag:x" } }),
      "articles_latest",
    ],
    [
      "an older page of a section",
      latestArticles({ lang: "ko", section: "politics", limit: 20, before: { publishedMs: Date.UTC(2026, 9, 1), id: "tag:x" } }),
      "articles_latest_in_section",
    ],
    ["last update of a language", lastUpdated("ko"), "articles_updated"],
    ["last update of a section", lastUpdated("ko", "politics"), "articles_updated_in_section"],
  ];

  it("reads latest-N and lastUpdated from their indexes, without a table scan or a sort, before and after ANALYZE", async () => {
    const path = freshDatabasePath();
    const { store, report } = await loadedStore(undefined, path);
    expect(report.new).toBe(50);
    // ANALYZE gives the planner real statistics, which can make it prefer a scan on a small table.
    for (const moment of ["as loaded", "after ANALYZE"]) {
      if (moment === "after ANALYZE") {
        const writer = new Database(path);
        writer.exec("ANALYZE");
        writer.close();
      }
      const db = new Database(path, { readonly: true });
      try {
        for (const [name, statement, index] of queries) {
          const plan = planOf(db, statement).join("\n");
          const context = `${name} (${moment}):\n${plan}`;
          expect(plan, context).not.toMatch(/SCAN articles/);
          expect(plan, context).not.toMatch(/USE TEMP B-TREE/);
          expect(plan, context).toMatch(new RegExp(`SEARCH articles USING (COVERING )?INDEX ${index} \\(`));
        }
      } finally {
        db.close();
      }
    }
    await store.close();
  });
});
