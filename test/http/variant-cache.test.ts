/**
 * `?limit=` documents, previews and deltas are kept per feed version in a bounded space of their own
 * (src/http/feeds/variants.ts): walking every variant of every feed cannot push the subscription documents
 * out of the render cache, and a variant asked for again at the same version is not made again. What is
 * made is counted by the store's article reads (every rendering reads the feed's articles first) and by
 * X-Cache; what the space holds, by its stats.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Site } from "../../src/config/site.ts";
import { FORMAT_NAMES, FORMATS } from "../../src/feeds/formats.ts";
import { feedDirectory } from "../../src/feeds/links.ts";
import { createService, type Service } from "../../src/http/app.ts";
import { memoryCache } from "../../src/http/render-cache.ts";
import { instantAt } from "../../src/model/time.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { loadedStore, memoryLogger, testSite } from "../helpers.ts";

const NOW = Date.parse("2026-11-27T12:00:00Z");
const NAVIGATE = { "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document" };

/** The store, counting the article reads every rendering starts with. */
function counting(store: ArticleStore) {
  const counter = { reads: 0 };
  const proxy = new Proxy(store, {
    get(target, name) {
      const value = Reflect.get(target, name, target) as unknown;
      if (typeof value !== "function") return value;
      const method = value as (...args: unknown[]) => unknown;
      return name === "latest"
        ? (...args: unknown[]) => {
            counter.reads++;
            return method.apply(target, args);
          }
        : method.bind(target);
    },
  });
  return { store: proxy, counter };
}

/** Every subscription document: each language and section, each format. */
function subscriptionDocuments(site: Site): string[] {
  return site.settings.languages.flatMap((l) =>
    [undefined, ...l.sections].flatMap((s) => FORMAT_NAMES.map((f) => feedDirectory(l.tag, s?.slug) + FORMATS[f].file)),
  );
}

let raw: ArticleStore;
let site: Site;
let counter: { reads: number };
let service: Service;
/** Room for every subscription document (72) and a little more, as a small server would have. */
const CACHE_ENTRIES = 100;

function serve(extra: { variantBytes?: number; variantEntries?: number } = {}) {
  const counted = counting(raw);
  counter = counted.counter;
  service = createService({
    store: counted.store,
    site,
    logger: memoryLogger(),
    cache: memoryCache(CACHE_ENTRIES),
    now: () => NOW,
    ...extra,
  });
}

beforeEach(async () => {
  site = testSite();
  ({ store: raw } = await loadedStore(site));
  serve();
});
afterEach(async () => {
  await raw.close();
});

const get = (path: string, headers: Record<string, string> = {}) => service.app.request(path, { headers });

/** Asks for every subscription document; the X-Cache of each. */
async function pollAll(): Promise<Map<string, string | null>> {
  const seen = new Map<string, string | null>();
  for (const path of subscriptionDocuments(site)) {
    const response = await get(path);
    expect(response.status, path).toBe(200);
    seen.set(path, response.headers.get("x-cache"));
  }
  return seen;
}

/**
 * The preview of every feed and of one limit of it, a delta from an unknown version of every feed, then every
 * `?limit=` of every format of a language's feed (300 documents, three times the render cache's room).
 */
async function walkVariants() {
  for (const path of subscriptionDocuments(site)) {
    expect((await get(path, NAVIGATE)).status, path).toBe(200);
    expect((await get(`${path}?limit=2`, NAVIGATE)).status, path).toBe(200);
    expect((await get(path, { "A-IM": "feed", "If-None-Match": '"0123456789abcdef"' })).status, path).toBe(200);
  }
  for (const format of FORMAT_NAMES) {
    for (let limit = 1; limit <= 100; limit++) expect((await get(`/en/${FORMATS[format].file}?limit=${limit}`)).status).toBe(200);
  }
}

describe("the variant space", () => {
  it("keeps every subscription document in the render cache while every variant is walked", async () => {
    await pollAll();
    const warm = await pollAll();
    expect([...warm.values()].every((x) => x === "HIT")).toBe(true);

    await walkVariants();
    const before = counter.reads;
    const after = await pollAll();
    const missed = [...after].filter(([, cache]) => cache !== "HIT").map(([path]) => path);
    expect(missed, "subscription documents no longer cached").toEqual([]);
    expect(counter.reads - before, "article reads while polling the subscription documents").toBe(0);
  });

  it("stays within its bounds, pushing out its own oldest entries, never the subscription documents", async () => {
    serve({ variantEntries: 40, variantBytes: 256 * 1024 });
    await pollAll();
    await walkVariants();
    const stats = service.feeds.variantStats()!;
    expect(stats.entries).toBeLessThanOrEqual(40);
    expect(stats.bytes).toBeLessThanOrEqual(256 * 1024);
    expect(stats.evictions).toBeGreaterThan(0);
    const before = counter.reads;
    expect([...(await pollAll()).values()].every((x) => x === "HIT")).toBe(true);
    expect(counter.reads).toBe(before);
  });

  it("makes a ?limit= document once per feed version, and again after the feed changes", async () => {
    const first = await get("/en/rss.xml?limit=7");
    expect(first.headers.get("x-cache")).toBe("MISS");
    const reads = counter.reads;
    const again = await get("/en/rss.xml?limit=7");
    expect(again.headers.get("x-cache")).toBe("HIT");
    expect(await again.text()).toBe(await first.text());
    expect(counter.reads).toBe(reads);

    const [article] = await raw.latest({ lang: "en", limit: 1 });
    await raw.upsert([{ ...article!, title: "A headline edited since", updated: instantAt(article!.updated.ms + 60_000, 540) }]);
    const fresh = await get("/en/rss.xml?limit=7");
    expect(fresh.headers.get("x-cache")).toBe("MISS");
    expect(await fresh.text()).toContain("A headline edited since");
  });

  it("makes a preview once per feed version, and again after the feed changes", async () => {
    const first = await get("/en/politics/atom.xml", NAVIGATE);
    expect(first.headers.get("content-type")).toMatch(/^text\/html/);
    const reads = counter.reads;
    const firstText = await first.text();
    const again = await get("/en/politics/atom.xml", NAVIGATE);
    expect(await again.text()).toBe(firstText);
    expect(counter.reads, "article reads for the same preview again").toBe(reads);
    // Another format's preview is another page.
    const json = await get("/en/politics/feed.json", NAVIGATE);
    expect(counter.reads).toBeGreaterThan(reads);
    expect(await json.text()).not.toBe(firstText);

    const [article] = await raw.latest({ lang: "en", section: "politics", limit: 1 });
    await raw.upsert([{ ...article!, title: "A politics headline edited since" }]);
    const fresh = await get("/en/politics/atom.xml", NAVIGATE);
    expect(await fresh.text()).toContain("A politics headline edited since");
  });

  it("answers a delta from an unknown version with the full feed, reading nothing", async () => {
    const full = await (await get("/en/feed.json")).text();
    const reads = counter.reads;
    for (let n = 0; n < 20; n++) {
      const response = await get("/en/feed.json", { "A-IM": "feed", "If-None-Match": `"${String(n).padStart(16, "0")}"` });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(full);
    }
    expect(counter.reads, "article reads for deltas from unknown versions").toBe(reads);
  });

  it("makes a delta from a known version once per pair of versions", async () => {
    const old = await get("/en/culture/atom.xml");
    const oldTag = old.headers.get("etag")!;
    const [article] = await raw.latest({ lang: "en", section: "culture", limit: 1 });
    await raw.upsert([{ ...article!, title: "A culture headline edited since", updated: instantAt(article!.updated.ms + 60_000, 540) }]);
    const current = await get("/en/culture/atom.xml");
    expect(current.headers.get("etag")).not.toBe(oldTag);

    const delta = await get("/en/culture/atom.xml", { "A-IM": "feed", "If-None-Match": oldTag });
    expect(delta.status).toBe(226);
    const text = await delta.text();
    expect(text).toContain("A culture headline edited since");
    expect((text.match(/<entry>/g) ?? []).length).toBe(1);
    const reads = counter.reads;
    const again = await get("/en/culture/atom.xml", { "A-IM": "feed", "If-None-Match": oldTag });
    expect(again.status).toBe(226);
    expect(await again.text()).toBe(text);
    expect(counter.reads, "article reads for the same delta again").toBe(reads);
  });
});
