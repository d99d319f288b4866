/** The ArticleStore contract, the same suite as SQLite's, on D1 inside workerd; and D1's failures as they leave the store. */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { d1Store } from "../../src/store/d1.ts";
import { describeConflict, StoreError } from "../../src/store/errors.ts";
import { describeArticleStoreContract, makeArticle } from "../store/contract.ts";
import { clearDatabase } from "./clear.ts";

describeArticleStoreContract("D1 in workerd", async () => {
  await clearDatabase(env.DB);
  return d1Store(env.DB);
});

describe("the D1 adapter", () => {
  it("judges after a write only the links from and to what was written, not the rest of the table", async () => {
    await clearDatabase(env.DB);
    const store = d1Store(env.DB);
    const upstream = (lang: string, slug: string, url: string) =>
      makeArticle(
        { lang, section: "society", slug, story: `~${slug}`, published: "2026-10-01T09:00:00+09:00", id: `tag:t,2026:feed:w/${slug}` },
        { source: "feed:w", url },
      );
    const en = upstream("en", "d1-en", "https://w.example/en/1");
    const ko = upstream("ko", "d1-ko", "https://w.example/ko/1");
    await store.upsert([en, ko]);
    await store.linkEditions();
    // A link that a whole-table pass would act on, stored without either article being written since.
    const at = Date.parse("2026-10-01T00:00:00Z");
    await env.DB.prepare("INSERT INTO edition_links (article_id, target, source, named_ms, sited) VALUES (?, ?, 'feed:w', ?, 1)")
      .bind(en.id, ko.url, at)
      .run();
    await store.upsert([upstream("ja", "d1-unrelated", "https://w.example/ja/9")]);
    expect(await store.linkEditions()).toEqual({ joined: 0, conflicts: [] });
    expect((await store.byIds([ko.id]))[0]!.story).toBe(ko.story);
    await store.upsert([{ ...ko, title: "Edited" }]);
    expect(await store.linkEditions()).toEqual({ joined: 1, conflicts: [] });
    expect((await store.byIds([ko.id]))[0]!.story).toBe(en.story);
  });

  /** A D1 binding whose every statement fails with `message`. */
  function failingD1(message: string): D1Database {
    const statement = {
      bind: () => statement,
      all: () => Promise.reject(new Error(message)),
      run: () => Promise.reject(new Error(message)),
    };
    return { prepare: () => statement, batch: () => Promise.reject(new Error(message)) } as unknown as D1Database;
  }

  it.each([
    ["D1_ERROR: database is locked: SQLITE_BUSY", "locked"],
    ["D1_ERROR: attempt to write a readonly database", "read-only"],
    ["D1_ERROR: database or disk is full: SQLITE_FULL", "full"],
    ["D1_ERROR: disk I/O error", "unavailable"],
  ])("throws a StoreError for %s", async (message, kind) => {
    for (const call of [
      (store: ReturnType<typeof d1Store>) => store.latest({ lang: "en", limit: 1 }),
      (store: ReturnType<typeof d1Store>) => store.withdraw(["a"], 0),
      (store: ReturnType<typeof d1Store>) => store.releaseLease("ingest", "me"),
    ]) {
      const error = await call(d1Store(failingD1(message))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).kind).toBe(kind);
      expect((error as StoreError).message).toBe(message);
    }
  });

  it("leaves any other failure as it is", async () => {
    const message = "D1_ERROR: UNIQUE constraint failed: articles.lang, articles.slug: SQLITE_CONSTRAINT";
    const error = await d1Store(failingD1(message))
      .latest({ lang: "en", limit: 1 })
      .catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(StoreError);
    expect(describeConflict(error)).toBe("store: another article of this language already has this slug");
  });
});
