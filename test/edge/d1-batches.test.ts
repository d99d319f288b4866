/**
 * The D1 adapter's batches inside workerd: how many calls an upsert makes (a Worker's invocation may
 * make only so many), a refused article written again alone, and a batch call that fails leaving
 * nothing of its articles.
 */
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import type { Article } from "../../src/model/article.ts";
import { D1_BATCH, d1Store } from "../../src/store/d1.ts";
import { StoreError } from "../../src/store/errors.ts";
import { makeArticle } from "../store/contract.ts";
import { clearDatabase } from "./clear.ts";

const NAMED_AT = Date.parse("2026-10-01T00:00:00Z");
const upstream = (lang: string, slug: string, extra: Partial<Article> = {}): Article =>
  makeArticle(
    { lang, section: "society", slug, story: `~${slug}`, published: "2026-10-01T09:00:00+09:00", id: `tag:t,2026:feed:w/${slug}` },
    { source: "feed:w", url: `https://w.example/${lang}/${slug}`, ...extra },
  );
const many = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, i) => upstream(["en", "ko", "ja"][i % 3]!, `${prefix}-${i}`));

/** env.DB, counting its batch calls; the batch call numbered `failing` (from 1) fails with `message` instead. */
function countedD1(failing?: { call: number; message: string }) {
  const calls = { batches: 0 };
  const db = new Proxy(env.DB, {
    get(target, key) {
      if (key === "batch") {
        return (statements: D1PreparedStatement[]) => {
          calls.batches++;
          if (calls.batches === failing?.call) return Promise.reject(new Error(failing.message));
          return target.batch(statements);
        };
      }
      const value = Reflect.get(target, key) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { calls, store: d1Store(db) };
}

const count = async () => (await env.DB.prepare("SELECT count(*) AS n FROM articles").first<{ n: number }>())!.n;

describe("D1 upserts in batches", () => {
  beforeEach(async () => {
    await clearDatabase(env.DB);
  });

  it(`writes ${D1_BATCH} articles per call, where one call per article was made before`, async () => {
    const articles = many(25, "calls");
    const { calls, store } = countedD1();
    const report = await store.upsert(articles);
    expect(report).toEqual({ inserted: articles.map((a) => a.id), updated: [], unchanged: 0, failed: [] });
    expect(calls.batches).toBe(Math.ceil(25 / D1_BATCH));

    const again = countedD1();
    expect(await again.store.upsert(articles, undefined, { batchSize: 1 })).toMatchObject({ unchanged: 25 });
    expect(again.calls.batches).toBe(25);
  });

  it("writes again one per call the articles of a batch that held a refusal, so the refused one fails alone", async () => {
    const held = upstream("en", "held");
    await d1Store(env.DB).upsert([held]);
    const articles = many(2 * D1_BATCH, "refusal");
    const slugTaken = upstream("en", "slug-taken", { slug: held.slug });
    articles.splice(D1_BATCH + 3, 0, slugTaken);
    const { calls, store } = countedD1();

    const report = await store.upsert(articles, { targets: new Map([[articles[D1_BATCH + 5]!.id, [held.url]]]), atMs: NAMED_AT });

    const written = articles.filter((a) => a !== slugTaken);
    expect(report).toEqual({
      inserted: written.map((a) => a.id),
      updated: [],
      unchanged: 0,
      failed: [{ id: slugTaken.id, source: slugTaken.source, error: "store: another article of this language already has this slug" }],
    });
    // The first batch whole; the second tried whole, then article by article; the third whole; the links' bound.
    expect(calls.batches).toBe(1 + (1 + D1_BATCH) + 1 + 1);
    expect(await count()).toBe(written.length + 1);
    expect(await store.linkEditions()).toEqual({ joined: 1, conflicts: [] });
  });

  it("stops at a batch call the database fails, leaving the batches before it whole and nothing of it", async () => {
    const articles = many(3 * D1_BATCH, "interrupted");
    const { store } = countedD1({ call: 2, message: "D1_ERROR: database or disk is full: SQLITE_FULL" });
    const targets = new Map(articles.map((a) => [a.id, [`https://w.example/other/${a.slug}`]]));

    const error = await store.upsert(articles, { targets, atMs: NAMED_AT }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).kind).toBe("full");
    const stored = (await d1Store(env.DB).byIds(articles.map((a) => a.id))).map((a) => a.id).sort();
    expect(stored).toEqual(
      articles
        .slice(0, D1_BATCH)
        .map((a) => a.id)
        .sort(),
    );
    const links = await env.DB.prepare("SELECT count(*) AS n FROM edition_links").first<{ n: number }>();
    const touches = await env.DB.prepare("SELECT count(*) AS n FROM edition_touches").first<{ n: number }>();
    expect([links!.n, touches!.n]).toEqual([D1_BATCH, D1_BATCH]);
  });
});
