/** The SQLite adapter: the shared contract in memory and on disk, persistence, migrations and index use. */
import Database from "better-sqlite3";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import * as queries from "../../src/store/queries.ts";
import { correctedArticles, lastUpdated, latestArticles, type Statement } from "../../src/store/queries.ts";
import { migrate, MIGRATIONS_DIR } from "../../src/store/sqlite-migrate.ts";
import { openSqliteStore, TERM_VERSIONS_KEPT } from "../../src/store/sqlite.ts";
import { articleToRow, PENDING_LINK_LIMITS } from "../../src/store/store.ts";
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

  it("reads the articles of a database from before corrections with none, and writes nothing for them again", async () => {
    const path = freshDatabasePath();
    const before = mkdtempSync(join(TEMP_DIR, "migrations-"));
    for (const name of readdirSync(MIGRATIONS_DIR).filter((f) => f < "0007")) copyFileSync(join(MIGRATIONS_DIR, name), join(before, name));
    const db = new Database(path);
    try {
      migrate(db, before);
      const columns = new Set(db.prepare("SELECT name FROM pragma_table_info('articles')").pluck().all() as string[]);
      expect(columns.has("corrections")).toBe(false);
      const row = Object.entries(articleToRow(budget)).filter(([column]) => columns.has(column));
      db.prepare(`INSERT INTO articles (${row.map(([c]) => c).join(", ")}) VALUES (${row.map(() => "?").join(", ")})`).run(
        ...row.map(([, value]) => value),
      );
    } finally {
      db.close();
    }
    const upgraded = openSqliteStore(path);
    try {
      expect(await upgraded.bySlug("en", "budget-vote")).toEqual({ ...budget, corrections: [] });
      expect(await upgraded.upsert([budget])).toEqual({ inserted: [], updated: [], unchanged: 1, failed: [] });
      expect(await upgraded.corrected("en", 10)).toEqual([]);
    } finally {
      await upgraded.close();
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
  const ROOT = join(import.meta.dirname, "..", "..");

  /**
   * Another process's commit, made while this process waits for it: no turn of this process's event
   * loop comes between the commit and what the test does next. It retitles the articles of `slug`
   * straight through better-sqlite3, as any other program could.
   */
  function commitInAnotherProcess(path: string, slug: string, title: string) {
    const script = `const Database = require("better-sqlite3");
const db = new Database(process.argv[1]);
db.pragma("busy_timeout = 5000");
const changed = db.prepare("UPDATE articles SET title = ? WHERE slug = ?").run(process.argv[3], process.argv[2]).changes;
db.close();
if (changed !== 1) throw new Error("changed " + changed + " rows");`;
    const child = spawnSync(process.execPath, ["-e", script, path, slug, title], { cwd: ROOT, encoding: "utf8" });
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
  }

  /** Lets the task that asked last finish (its microtasks), without a turn of the event loop. */
  const nextTask = () => new Promise<void>((resolve) => queueMicrotask(resolve));

  it("sees its own writes and another process's commit at the very next look, with the clock standing still", async () => {
    const path = freshDatabasePath();
    const serving = openSqliteStore(path);
    // The store's clock (Date) stands still: seeing the commit can come from no periodic check.
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      await serving.upsert([article("a")]);
      const first = await serving.feedVersion("en", "politics");
      expect(first).toBeGreaterThan(0);
      await nextTask();
      expect(serving.knownFeedVersion?.("en", "politics")).toBe(first);

      // Its own write: the next answer is the new version.
      await serving.upsert([article("a", "Edited")]);
      const own = await serving.feedVersion("en", "politics");
      expect(own).toBeGreaterThan(first);
      await nextTask();
      expect(serving.knownFeedVersion?.("en", "politics")).toBe(own);

      // Another process's commit (as `npm run ingest` is): the very next look sees it.
      await nextTask();
      commitInAnotherProcess(path, "a", "Edited elsewhere");
      await nextTask();
      expect(serving.knownFeedVersion?.("en", "politics")).toBeUndefined();
      const other = await serving.feedVersion("en", "politics");
      expect(other).toBeGreaterThan(own);
      expect((await serving.bySlug("en", "a"))?.title).toBe("Edited elsewhere");

      // A version asked again and again while nothing changes is the same number, from memory.
      for (let i = 0; i < 5; i++) {
        await nextTask();
        expect(serving.knownFeedVersion?.("en", "politics")).toBe(other);
      }
      expect(await serving.feedVersion("en", "society")).toBe(0);
    } finally {
      vi.useRealTimers();
      await serving.close();
    }
  });

  it("looks for other processes' commits in the WAL-index, reading data_version only once one came", async () => {
    const path = freshDatabasePath();
    const serving = openSqliteStore(path);
    const db = new Database(path);
    // Every statement this process's connections run, by its text.
    const statements = Object.getPrototypeOf(db.prepare("SELECT 1")) as { get: (...args: unknown[]) => unknown };
    const get = vi.spyOn(statements, "get");
    const dataVersionReads = () =>
      get.mock.contexts.filter((statement) => (statement as { source: string }).source === "PRAGMA data_version").length;
    try {
      await serving.upsert([article("a")]);
      const first = await serving.feedVersion("en", "politics");
      await nextTask();
      const before = dataVersionReads();
      for (let i = 0; i < 20; i++) {
        await nextTask();
        expect(serving.knownFeedVersion?.("en", "politics")).toBe(first);
      }
      expect(dataVersionReads()).toBe(before);

      commitInAnotherProcess(path, "a", "Edited elsewhere");
      await nextTask();
      expect(serving.knownFeedVersion?.("en", "politics")).toBeUndefined();
      expect(dataVersionReads()).toBe(before + 1);
    } finally {
      get.mockRestore();
      db.close();
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
    ["corrected articles of a language", correctedArticles("en", 20), "articles_corrected"],
  ];

  it("reads latest-N, lastUpdated and the corrected articles from their indexes, without a table scan or a sort, before and after ANALYZE", async () => {
    const path = freshDatabasePath();
    const { store, report } = await loadedStore(undefined, path);
    expect(report.new).toBe(56);
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

describe("SQLite edition links waiting for their other side", () => {
  const DAY_MS = 24 * 3600_000;
  const AT = Date.parse("2026-10-01T00:00:00Z");
  const upstream = (lang: string, slug: string, url: string) =>
    makeArticle(
      { lang, section: "society", slug, story: `~${slug}`, published: "2026-10-01T09:00:00+09:00", id: `tag:t,2026:feed:w/${slug}` },
      { source: "feed:w", url },
    );
  const en = upstream("en", "pending-en", "https://w.example/en/1");
  const ko = upstream("ko", "pending-ko", "https://w.example/ko/1");

  /** 20 000 links of a flood source that name nothing stored, as a pile left by many pushes would be. */
  function pileUp(db: Database.Database, count = 20_000) {
    const insert = db.prepare("INSERT INTO edition_links (article_id, target, source, named_ms, sited) VALUES (?, ?, 'feed:flood', ?, 1)");
    db.transaction(() => {
      for (let i = 0; i < count; i++) insert.run(`tag:flood/${i % 400}`, `https://flood.example/${i}`, AT);
    })();
  }

  it("judges after a write only the links from and to what was written, not the rest of the table", async () => {
    const path = freshDatabasePath();
    const store = openSqliteStore(path);
    const db = new Database(path);
    try {
      await store.upsert([en, ko]);
      await store.linkEditions();
      // A link that a whole-table pass would act on, stored without either article being written since.
      db.prepare("INSERT INTO edition_links (article_id, target, source, named_ms, sited) VALUES (?, ?, 'feed:w', ?, 1)").run(
        en.id,
        ko.url,
        AT,
      );
      pileUp(db);
      await store.upsert([upstream("ja", "unrelated", "https://w.example/ja/9")], { targets: new Map(), atMs: AT });
      expect(await store.linkEditions()).toEqual({ joined: 0, conflicts: [] });
      expect((await store.byIds([ko.id]))[0]!.story).toBe(ko.story);
      // Written again, the Korean edition finds the link naming it, and the join that should happen does.
      await store.upsert([{ ...ko, title: "Edited" }]);
      expect(await store.linkEditions()).toEqual({ joined: 1, conflicts: [] });
      expect((await store.byIds([ko.id]))[0]!.story).toBe(en.story);
    } finally {
      db.close();
      await store.close();
    }
  });

  it("reads and bounds them by index, with no scan of the links or the articles", async () => {
    const path = freshDatabasePath();
    const store = openSqliteStore(path);
    const db = new Database(path);
    try {
      await store.upsert([en, ko]);
      pileUp(db);
      // A newsroom's worth of articles, so the planner's statistics are those of a real table, not of two rows.
      const row = articleToRow(en);
      const insert = db.prepare(
        `INSERT INTO articles (${Object.keys(row).join(", ")}) VALUES (${Object.keys(row)
          .map(() => "?")
          .join(", ")})`,
      );
      db.transaction(() => {
        for (let i = 0; i < 2000; i++) {
          insert.run(
            ...Object.values({ ...row, id: `tag:filler/${i}`, slug: `filler-${i}`, story: `filler-${i}`, url: `https://w.example/f/${i}` }),
          );
        }
      })();
      db.exec("ANALYZE");
      const statements: [string, Statement[]][] = [
        ["links an article names", queries.linksFrom([en.id])],
        ["links naming an article", queries.linksTo([en.id, en.url])],
        ["articles by id", queries.editionEndsByIds([en.id, "tag:missing"])],
        ["articles by URL", queries.editionEndsByUrls([ko.url, "https://flood.example/1"])],
        ["a story's editions", queries.storyMembers([en.story, ko.story])],
        ["expiry", [queries.expireEditionLinks(AT - 30 * DAY_MS)]],
        ["cap of one source", [queries.capEditionLinks("feed:flood", 10_000)]],
        ["marks cleared", queries.clearTouches([en.id, ko.id])],
      ];
      for (const [name, list] of statements) {
        for (const statement of list) {
          const plan = db
            .prepare(`EXPLAIN QUERY PLAN ${statement.sql}`)
            .all(...statement.params)
            .map((row) => (row as { detail: string }).detail)
            .join("\n");
          expect(plan, `${name}:\n${plan}`).not.toMatch(/SCAN (edition_links|articles)\b/);
          expect(plan, `${name}:\n${plan}`).toMatch(/SEARCH (edition_links|articles|edition_touches) USING/);
        }
      }
    } finally {
      db.close();
      await store.close();
    }
  });

  it("holds each source to its newest 10 000 and forgets what waited over 30 days, with the default limits", async () => {
    const path = freshDatabasePath();
    const store = openSqliteStore(path);
    const db = new Database(path, { readonly: true });
    const count = (source: string) => db.prepare("SELECT count(*) FROM edition_links WHERE source = ?").pluck().get(source) as number;
    try {
      // 200 articles naming 64 editions each: 12 800 links of one source.
      for (let i = 0; i < 200; i++) {
        const article = upstream("en", `flood-${i}`, `https://w.example/en/flood-${i}`);
        const targets = Array.from({ length: 64 }, (_, j) => `https://w.example/x/${i}/${j}`);
        await store.upsert([article], { targets: new Map([[article.id, targets]]), atMs: AT + i });
      }
      expect(PENDING_LINK_LIMITS).toEqual({ ttlMs: 30 * DAY_MS, perSource: 10_000 });
      expect(count("feed:w")).toBe(10_000);
      // The oldest went first: the first articles' links are gone, the last ones' are all there.
      const oldest = db.prepare("SELECT min(named_ms) FROM edition_links").pluck().get() as number;
      expect(oldest).toBeGreaterThan(AT + 40);
      const last = db.prepare("SELECT count(*) FROM edition_links WHERE article_id = ?").pluck();
      expect(last.get(upstream("en", "flood-199", "").id)).toBe(64);

      const later = makeArticle(
        { lang: "ko", section: "society", slug: "later", published: "2026-10-01T09:00:00+09:00" },
        { source: "push" },
      );
      await store.upsert([later], { targets: new Map([[later.id, ["https://w.example/y"]]]), atMs: AT + 30 * DAY_MS + 200 });
      expect(count("feed:w")).toBe(0);
      expect(count("push")).toBe(1);
    } finally {
      db.close();
      await store.close();
    }
  });

  it("gives the articles stored before the author and tag migration their terms, each term feed at version 1", async () => {
    const path = freshDatabasePath();
    const before = mkdtempSync(join(TEMP_DIR, "migrations-"));
    for (const name of readdirSync(MIGRATIONS_DIR).filter((f) => f < "0006")) copyFileSync(join(MIGRATIONS_DIR, name), join(before, name));
    const stored = makeArticle(
      { lang: "ko", section: "culture", slug: "terms-before", published: "2026-10-01T09:00:00+09:00" },
      { authors: [{ name: "Kang Min-seo" }, { name: "강민서" }], tags: ["K-Pop Tours", "한강"] },
    );
    const db = new Database(path);
    try {
      migrate(db, before);
      // The columns the articles had then: later migrations add others.
      const columns = new Set(db.prepare("SELECT name FROM pragma_table_info('articles')").pluck().all() as string[]);
      const row = Object.entries(articleToRow(stored)).filter(([column]) => columns.has(column));
      db.prepare(`INSERT INTO articles (${row.map(([c]) => c).join(", ")}) VALUES (${row.map(() => "?").join(", ")})`).run(
        ...row.map(([, value]) => value),
      );
      expect(migrate(db)).toContain("0006_article_terms.sql");
    } finally {
      db.close();
    }
    const store = openSqliteStore(path);
    try {
      for (const term of ["author/kang-min-seo", "author/강민서", "tag/k-pop-tours", "tag/한강"]) {
        expect(
          (await store.latest({ lang: "ko", term, limit: 5 })).map((a) => a.id),
          term,
        ).toEqual([stored.id]);
        expect(await store.termFeedVersion("ko", term), term).toBe(1);
      }
    } finally {
      await store.close();
    }
  });

  it("keeps the links stored before their migration, with their source and their article's update time", async () => {
    const path = freshDatabasePath();
    const before = mkdtempSync(join(TEMP_DIR, "migrations-"));
    for (const name of readdirSync(MIGRATIONS_DIR).filter((f) => f < "0005")) copyFileSync(join(MIGRATIONS_DIR, name), join(before, name));
    const db = new Database(path);
    try {
      migrate(db, before);
      // The columns the articles had then: later migrations add others.
      const columns = new Set(db.prepare("SELECT name FROM pragma_table_info('articles')").pluck().all() as string[]);
      const row = Object.entries(articleToRow(en)).filter(([column]) => columns.has(column));
      db.prepare(`INSERT INTO articles (${row.map(([c]) => c).join(", ")}) VALUES (${row.map(() => "?").join(", ")})`).run(
        ...row.map(([, value]) => value),
      );
      db.prepare("INSERT INTO edition_links (article_id, target) VALUES (?, ?)").run(en.id, ko.url);
      expect(migrate(db)).toContain("0005_pending_editions.sql");
      expect(db.prepare("SELECT article_id, target, source, named_ms, sited FROM edition_links").all()).toEqual([
        { article_id: en.id, target: ko.url, source: "feed:w", named_ms: en.updated.ms, sited: 1 },
      ]);
    } finally {
      db.close();
    }
    const store = openSqliteStore(path);
    try {
      await store.upsert([ko]);
      expect(await store.linkEditions()).toEqual({ joined: 1, conflicts: [] });
    } finally {
      await store.close();
    }
  });
});

describe("SQLite author and tag feed versions in memory", () => {
  it("keeps at most TERM_VERSIONS_KEPT of them, the oldest read going first, and never pushes out a section's", async () => {
    const store = openSqliteStore(":memory:");
    try {
      await store.upsert([
        makeArticle(
          { lang: "en", section: "culture", slug: "memo", published: "2026-10-01T09:00:00+09:00" },
          { tags: ["AI"], authors: [{ name: "Kang Min-seo" }] },
        ),
      ]);
      const section = await store.feedVersion("en", "culture");
      const first = await store.termFeedVersion("en", "tag/ai");
      expect(first).toBeGreaterThan(0);
      expect(store.knownTermFeedVersion!("en", "tag/ai")).toBe(first);
      for (let i = 0; i < TERM_VERSIONS_KEPT; i++) expect(await store.termFeedVersion("en", `tag/walked-${i}`)).toBe(0);
      expect(store.knownTermFeedVersion!("en", "tag/ai")).toBeUndefined();
      expect(store.knownTermFeedVersion!("en", `tag/walked-${TERM_VERSIONS_KEPT - 1}`)).toBe(0);
      expect(store.knownFeedVersion!("en", "culture")).toBe(section);
      // Read again, it is the same version.
      expect(await store.termFeedVersion("en", "tag/ai")).toBe(first);
    } finally {
      await store.close();
    }
  });
});
