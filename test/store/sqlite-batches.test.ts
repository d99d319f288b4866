/**
 * The SQLite adapter's batches: one transaction per batch and a savepoint per article. A refusal that
 * rolls the whole transaction back, another connection reading while a batch is written or holding the
 * write lock, and a writer killed mid-batch: each leaves whole articles, and whole batches, only.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import type { Article } from "../../src/model/article.ts";
import { checkDatabase } from "../reliability/integrity.ts";
import { kill, running, spawnScript, waitForLog } from "../reliability/harness.ts";
import { seededRandom, seedFrom } from "../seeded-random.ts";
import { makeArticle } from "./contract.ts";

const TEMP_DIR = mkdtempSync(join(tmpdir(), "hanbit-sqlite-batches-"));
let databases = 0;
const freshDatabasePath = () => join(TEMP_DIR, `store-${++databases}.db`);

afterAll(() => {
  for (const child of running) child.kill("SIGKILL");
  rmSync(TEMP_DIR, { recursive: true, force: true });
});

const NAMED_AT = Date.parse("2026-10-01T00:00:00Z");
const upstream = (lang: string, slug: string): Article =>
  makeArticle(
    { lang, section: "society", slug, story: `~${slug}`, published: "2026-10-01T09:00:00+09:00", id: `tag:t,2026:feed:w/${slug}` },
    { source: "feed:w", url: `https://w.example/${lang}/${slug}` },
  );
const many = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, i) => upstream(["en", "ko", "ja"][i % 3]!, `${prefix}-${i}`));

describe("SQLite upserts in batches", () => {
  it("refuses alone an article whose refusal rolls the whole transaction back, and writes the others of its batch whole, links included", async () => {
    const path = freshDatabasePath();
    const store = openSqliteStore(path);
    const other = new Database(path);
    try {
      const target = upstream("ko", "target");
      const namer = upstream("en", "namer");
      const refused = upstream("ja", "rolls-back");
      const after = upstream("zh-Hans", "after");
      await store.upsert([target]);
      await store.linkEditions();
      other.exec(
        "CREATE TRIGGER test_rolls_back BEFORE INSERT ON articles WHEN NEW.slug = 'rolls-back' " +
          "BEGIN SELECT RAISE(ROLLBACK, 'refused by a trigger that rolls back'); END",
      );

      const report = await store.upsert([namer, refused, after], { targets: new Map([[namer.id, [target.url]]]), atMs: NAMED_AT });

      expect(report).toEqual({
        inserted: [namer.id, after.id],
        updated: [],
        unchanged: 0,
        failed: [{ id: refused.id, source: refused.source, error: expect.stringContaining("refused by a trigger that rolls back") }],
      });
      // The article before the refused one kept its link and its mark for the pass: it joins the edition it names.
      expect(await store.linkEditions()).toEqual({ joined: 1, conflicts: [] });
      expect((await store.byIds([target.id]))[0]!.story).toBe(namer.story);
      expect(await store.byIds([refused.id])).toEqual([]);
    } finally {
      other.close();
      await store.close();
    }
  });

  it("shows another connection whole batches only, and lets the event loop run between them", async () => {
    const path = freshDatabasePath();
    const store = openSqliteStore(path);
    const reader = new Database(path, { readonly: true });
    const count = reader.prepare("SELECT count(*) FROM articles").pluck();
    const seen = new Set<number>();
    const look = () => {
      seen.add(count.get() as number);
      next = setImmediate(look);
    };
    let next = setImmediate(look);
    try {
      const report = await store.upsert(many(12, "seen"), undefined, { batchSize: 3 });
      expect(report.inserted).toHaveLength(12);
      // The first batch is written before the first look; each look after it sees whole batches only.
      expect([...seen].sort((a, b) => a - b)).toEqual([3, 6, 9]);
    } finally {
      clearImmediate(next);
      reader.close();
      await store.close();
    }
  });

  it("waits while another connection holds the write lock, then writes each article of the batch once", async () => {
    const path = freshDatabasePath();
    const store = openSqliteStore(path);
    const other = new Database(path);
    try {
      const articles = many(7, "locked");
      other.exec("BEGIN IMMEDIATE");
      setTimeout(() => other.exec("COMMIT"), 150);
      const report = await store.upsert(articles, undefined, { batchSize: 5 });
      expect(report).toEqual({ inserted: articles.map((a) => a.id), updated: [], unchanged: 0, failed: [] });
      expect(other.prepare("SELECT count(*) FROM articles").pluck().get()).toBe(7);
    } finally {
      if (other.inTransaction) other.exec("ROLLBACK");
      other.close();
      await store.close();
    }
  });

  /** Where each kill lands, from one seed (said in every failure): STORE_KILL_SEED=<seed> replays it. */
  const random = seededRandom(seedFrom("STORE_KILL_SEED", 7));
  const KILLS = Number(process.env.RELIABILITY_KILLS ?? 4);
  const BATCH = 100;

  it(`a writer killed ${KILLS} times mid-write leaves whole batches of whole articles, each with its link and its mark`, async () => {
    const path = freshDatabasePath();
    let stored = 0;
    for (let round = 1; round <= KILLS; round++) {
      // The writer spends nearly all its time inside a batch's transaction, so a kill after a number of
      // articles drawn from the seed lands inside one (or, seldom, between two).
      const wanted = stored + random.int(1, 20) * 37;
      const writer = spawnScript("test/store/batch-writer.ts", [path, String(BATCH), String(stored)], {});
      await waitForLog(writer, /^writing$/m);
      const reader = new Database(path, { readonly: true });
      try {
        const count = reader.prepare("SELECT count(*) FROM articles").pluck();
        while ((count.get() as number) < wanted && !writer.exited()) await new Promise((resolve) => setTimeout(resolve, 2));
      } finally {
        reader.close();
      }
      await kill(writer);
      const where = `kill ${round} (STORE_KILL_SEED=${random.seed}), after at least ${wanted} articles`;
      expect(writer.stderr(), where).toBe("");
      const state = checkDatabase(path);
      const db = new Database(path, { readonly: true });
      try {
        const articles = db.prepare("SELECT count(*) FROM articles").pluck().get() as number;
        expect(articles, where).toBe(state.articles);
        expect(articles, where).toBeGreaterThanOrEqual(wanted);
        expect(articles % BATCH, `${where}: ${articles} articles`).toBe(0);
        const unlinked = db
          .prepare(
            "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM edition_links) OR id NOT IN (SELECT article_id FROM edition_touches)",
          )
          .pluck()
          .all();
        expect(unlinked, where).toEqual([]);
        expect(db.prepare("SELECT count(*) FROM edition_links").pluck().get(), where).toBe(articles);
        expect(db.prepare("SELECT count(*) FROM edition_touches").pluck().get(), where).toBe(articles);
        stored = articles;
      } finally {
        db.close();
      }
    }
  }, 120_000);
});
