/** Rendered feeds are kept per feed version: rendered once per change, not once per request. */
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import { memoryCache } from "../../src/http/render-cache.ts";
import { loadedStore, memoryLogger } from "../helpers.ts";

describe("the render cache", () => {
  it("serves a feed's bytes again until an article in that feed changes", async () => {
    const { store, site } = await loadedStore();
    const app = createApp({ store, site, logger: memoryLogger(), cache: memoryCache() });
    const first = await app.request("/en/culture/rss.xml");
    expect(first.headers.get("x-cache")).toBe("MISS");
    const second = await app.request("/en/culture/rss.xml");
    expect(second.headers.get("x-cache")).toBe("HIT");
    expect(await second.text()).toBe(await first.text());

    const [article] = await store.latest({ lang: "en", section: "culture", limit: 1 });
    await store.upsert([{ ...article!, title: "Edited" }]);
    const third = await app.request("/en/culture/rss.xml");
    expect(third.headers.get("x-cache")).toBe("MISS");
    expect(await third.text()).toContain("<title>Edited</title>");
    expect((await app.request("/ja/culture/rss.xml")).headers.get("x-cache")).toBe("MISS");
    expect((await app.request("/ja/culture/rss.xml")).headers.get("x-cache")).toBe("HIT");
    await store.close();
  });

  it("keeps the newest version of each feed only: a new version pushes the older out, an older one put late is not kept", async () => {
    const cache = memoryCache(8);
    const noWait = () => undefined;
    const doc = (etag: string) => ({ body: new TextEncoder().encode(etag), etag, lastModified: 0 });
    const held = async (...keys: string[]) => Promise.all(keys.map(async (key) => (await cache.get(key))?.etag));
    cache.put("ns/en//rss/latest-20/7", doc("en7"), noWait);
    cache.put("ns/ko//rss/latest-20/3", doc("ko3"), noWait);
    cache.put("ns/en//rss/latest-20/9", doc("en9"), noWait);
    expect(await held("ns/en//rss/latest-20/7", "ns/en//rss/latest-20/9", "ns/ko//rss/latest-20/3")).toEqual([undefined, "en9", "ko3"]);
    cache.put("ns/en//rss/latest-20/8", doc("en8"), noWait);
    expect(await held("ns/en//rss/latest-20/8", "ns/en//rss/latest-20/9")).toEqual([undefined, "en9"]);
    // However many versions are written, the cache holds one document per feed.
    for (let version = 10; version < 100; version++) cache.put(`ns/en//rss/latest-20/${version}`, doc(`en${version}`), noWait);
    for (let version = 1; version < 100; version++) cache.put(`ns/ja//rss/latest-20/${version}`, doc(`ja${version}`), noWait);
    expect(await held("ns/en//rss/latest-20/99", "ns/ja//rss/latest-20/99", "ns/ko//rss/latest-20/3")).toEqual(["en99", "ja99", "ko3"]);
  });

  it("forgets the least recently used feed first", async () => {
    const cache = memoryCache(2);
    const noWait = () => undefined;
    const doc = (etag: string) => ({ body: new TextEncoder().encode(etag), etag, lastModified: 0 });
    cache.put("a", doc("A"), noWait);
    cache.put("b", doc("B"), noWait);
    expect((await cache.get("a"))?.etag).toBe("A");
    cache.put("c", doc("C"), noWait);
    expect([(await cache.get("a"))?.etag, await cache.get("b"), (await cache.get("c"))?.etag]).toEqual(["A", undefined, "C"]);
  });

  it("keeps a document put again under its key fresh, and counts reads of states apart from documents", async () => {
    const cache = memoryCache(3);
    const noWait = () => undefined;
    const doc = (etag: string) => ({ body: new TextEncoder().encode(etag), etag, lastModified: 0 });
    for (const key of ["a", "b", "c"]) cache.put(key, doc(key.toUpperCase()), noWait);
    cache.put("a", doc("A2"), noWait);
    await cache.get("b");
    cache.put("d", doc("D"), noWait);
    expect(await Promise.all(["a", "b", "c", "d"].map(async (k) => (await cache.get(k))?.etag))).toEqual(["A2", "B", undefined, "D"]);
    cache.putState("a", "state", noWait);
    expect(await cache.getState("a")).toBe("state");
    expect((await cache.get("a"))?.etag).toBe("A2");
  });
});
