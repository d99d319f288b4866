/**
 * Feed versions kept in the isolate by the D1 store (src/store/version-memo.ts): read from D1 at most
 * once per feed within the time set, seen at once after a write through any store over the binding,
 * within that time after a commit made elsewhere, and never going back.
 */
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { d1Store } from "../../src/store/d1.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { describeArticleStoreContract, makeArticle } from "../store/contract.ts";
import { clearDatabase } from "./clear.ts";
import { countedD1, type CountedD1 } from "./d1-binding.ts";

const TTL_MS = 5_000;
const VERSION_READ = /FROM feed_versions WHERE/;

describeArticleStoreContract("D1 in workerd, feed versions kept for 60 s", async () => {
  await clearDatabase(env.DB);
  return d1Store(env.DB, { versionTtlMs: 60_000 });
});

const article = (slug: string, title?: string) =>
  makeArticle({ lang: "en", section: "society", slug, title, published: "2026-10-01T09:00:00+09:00" });

describe("feed versions kept in the isolate", () => {
  let d1: CountedD1;
  let clock: number;
  let store: ArticleStore;
  /** A store over the same database through another binding: its commits come from elsewhere. */
  let elsewhere: ArticleStore;

  beforeEach(async () => {
    await clearDatabase(env.DB);
    d1 = countedD1(env.DB);
    clock = 1_000_000;
    store = d1Store(d1.binding, { versionTtlMs: TTL_MS, now: () => clock });
    elsewhere = d1Store(env.DB);
    await elsewhere.upsert([article("first")]);
  });

  it("reads a feed's version once within the time set, and again after it", async () => {
    const first = await store.feedVersion("en");
    expect(first).toBeGreaterThan(0);
    for (let i = 0; i < 1000; i++) expect(await store.feedVersion("en")).toBe(first);
    expect(store.knownFeedVersion!("en")).toBe(first);
    expect(d1.count(VERSION_READ)).toBe(1);

    clock += TTL_MS - 1;
    await store.feedVersion("en");
    expect(d1.count(VERSION_READ)).toBe(1);
    clock += 1;
    expect(store.knownFeedVersion!("en")).toBeUndefined();
    await store.feedVersion("en");
    expect(d1.count(VERSION_READ)).toBe(2);
    // Each feed has its own.
    await store.feedVersion("en", "society");
    expect(d1.count(VERSION_READ)).toBe(3);
  });

  it("shares one read among the requests that arrive while it runs", async () => {
    const versions = await Promise.all(Array.from({ length: 100 }, () => store.feedVersion("en")));
    expect(new Set(versions).size).toBe(1);
    expect(d1.count(VERSION_READ)).toBe(1);
  });

  it("reads every time when the time set is 0", async () => {
    const always = d1Store(d1.binding, { versionTtlMs: 0, now: () => clock });
    for (let i = 0; i < 10; i++) await always.feedVersion("en");
    expect(always.knownFeedVersion!("en")).toBeUndefined();
    expect(d1.count(VERSION_READ)).toBe(10);
  });

  it("sees a write through the store at once, and one through any other store over the same binding", async () => {
    const before = await store.feedVersion("en");
    await store.upsert([article("second")]);
    expect(store.knownFeedVersion!("en")).toBeUndefined();
    const afterOwn = await store.feedVersion("en");
    expect(afterOwn).toBeGreaterThan(before);

    const sibling = d1Store(d1.binding, { versionTtlMs: TTL_MS, now: () => clock });
    expect(await sibling.withdraw([article("second").id], clock)).toEqual([article("second").id]);
    const afterSibling = await store.feedVersion("en");
    expect(afterSibling).toBeGreaterThan(afterOwn);
    expect(await sibling.feedVersion("en")).toBe(afterSibling);
  });

  it("sees a commit made elsewhere within the time set", async () => {
    const before = await store.feedVersion("en");
    await elsewhere.upsert([article("first", "Edited elsewhere")]);
    const now = await elsewhere.feedVersion("en");
    expect(now).toBeGreaterThan(before);
    clock += TTL_MS - 1;
    expect(await store.feedVersion("en")).toBe(before);
    clock += 1;
    expect(await store.feedVersion("en")).toBe(now);
  });

  it("does not keep a version read before a write of its own that finished after it", async () => {
    const held = d1.hold(VERSION_READ);
    const early = store.feedVersion("en");
    await held.arrived;
    await store.upsert([article("second")]);
    held.release();
    const current = await elsewhere.feedVersion("en");
    // The early read ran before the write: its answer is the version of its time, and it is not kept.
    expect(await early).toBeLessThan(current);
    expect(store.knownFeedVersion!("en")).toBeUndefined();
    expect(await store.feedVersion("en")).toBe(current);
  });

  it("never goes back when an older read answers after a newer one", async () => {
    expect(await store.feedVersion("en")).toBeGreaterThan(0);
    clock += TTL_MS;
    const held = d1.hold(VERSION_READ);
    const older = store.feedVersion("en");
    await held.arrived;
    await elsewhere.upsert([article("second")]);
    // The older read started too long ago to be shared: a request now reads afresh and is answered first.
    clock += TTL_MS;
    const newer = await store.feedVersion("en");
    held.release();
    const olderVersion = await older;
    expect(olderVersion).toBeLessThan(newer);
    expect(store.knownFeedVersion!("en")).toBe(newer);
    expect(await store.feedVersion("en")).toBe(newer);
  });
});
