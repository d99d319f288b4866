/**
 * Crawler-grade HTTP on the feeds: validators, conditional GET, caching headers, encodings, limits,
 * RFC 5005 archives, RFC 3229 deltas, WebSub links, previews, OPML per language and load shedding.
 */
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import { memoryCache } from "../../src/http/render-cache.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { children, NS, only, parseXml, q } from "../feeds/xml-dom.ts";
import { loadedStore, memoryLogger, testSite } from "../helpers.ts";

let store: ArticleStore;
let app: ReturnType<typeof createApp>;
const NOW = Date.parse("2026-11-27T12:00:00Z");
const HUB = "https://hub.example/";
const TOKEN = "stats-token-0123456789abcdef";

beforeEach(async () => {
  const site = { ...testSite(), hubs: [HUB] };
  ({ store } = await loadedStore(site));
  app = createApp({
    store,
    site,
    logger: memoryLogger(),
    cache: memoryCache(),
    now: () => NOW,
    ingestToken: TOKEN,
    compress: (body, encoding) => (encoding === "gzip" ? gzipSync(body) : brotliCompressSync(body)),
  });
});
afterEach(async () => {
  await store.close();
});

const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers });

describe("validators and caching headers", () => {
  it("gives a strong ETag of the bytes, Last-Modified of the newest article, and the caching headers", async () => {
    const response = await get("/en/rss.xml");
    expect(response.status).toBe(200);
    const etag = response.headers.get("etag")!;
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    const [newest] = (await store.latest({ lang: "en", limit: 20 })).sort((a, b) => b.updated.ms - a.updated.ms);
    expect(Date.parse(response.headers.get("last-modified")!)).toBe(newest!.updated.ms);
    expect(response.headers.get("cache-control")).toBe("public, max-age=300, stale-while-revalidate=300, stale-if-error=86400");
    expect(response.headers.get("vary")).toContain("Accept-Encoding");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect((await get("/en/rss.xml")).headers.get("etag")).toBe(etag);
  });

  it.each([
    ["the same tag", (etag: string) => etag],
    ["the weak form", (etag: string) => `W/${etag}`],
    ["a list holding it", (etag: string) => `"other", ${etag}, W/"more"`],
    ["*", () => "*"],
  ])("answers If-None-Match with %s by 304, repeating the validators and no body", async (_name, header) => {
    const etag = (await get("/en/atom.xml")).headers.get("etag")!;
    const response = await get("/en/atom.xml", { "If-None-Match": header(etag) });
    expect(response.status).toBe(304);
    expect(await response.text()).toBe("");
    for (const name of ["etag", "last-modified", "cache-control", "vary"]) expect(response.headers.get(name), name).toBeTruthy();
  });

  it("lets If-None-Match win over If-Modified-Since, and uses If-Modified-Since alone otherwise", async () => {
    const first = await get("/ko/feed.json");
    const lastModified = first.headers.get("last-modified")!;
    expect((await get("/ko/feed.json", { "If-None-Match": '"stale"', "If-Modified-Since": lastModified })).status).toBe(200);
    expect((await get("/ko/feed.json", { "If-Modified-Since": lastModified })).status).toBe(304);
    expect((await get("/ko/feed.json", { "If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT" })).status).toBe(200);
    expect((await get("/ko/feed.json", { "If-None-Match": "garbage without quotes, W/" })).status).toBe(200);
    expect((await get("/ko/feed.json", { "If-Modified-Since": "not a date" })).status).toBe(200);
  });

  it("answers HEAD with the GET headers and no body", async () => {
    const head = await app.request("/ja/rss.xml", { method: "HEAD" });
    const getResponse = await get("/ja/rss.xml");
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    expect(head.headers.get("etag")).toBe(getResponse.headers.get("etag"));
    expect(head.headers.get("content-length")).toBe(getResponse.headers.get("content-length"));
  });

  it("changes the validators of exactly the feeds an edited article appears in", async () => {
    const paths = ["/en/rss.xml", "/en/culture/rss.xml", "/en/politics/rss.xml", "/ko/rss.xml", "/ko/culture/rss.xml"];
    const before = await Promise.all(paths.map(async (p) => (await get(p)).headers.get("etag")));
    const [webtoon] = await store
      .latest({ lang: "en", section: "culture", limit: 50 })
      .then((all) => all.filter((a) => a.slug === "webtoon-studio-expansion"));
    await store.upsert([{ ...webtoon!, title: "Inkbridge hires 400" }]);
    const after = await Promise.all(paths.map(async (p) => (await get(p)).headers.get("etag")));
    expect(paths.filter((_, i) => before[i] !== after[i])).toEqual(["/en/rss.xml", "/en/culture/rss.xml"]);
  });
});

describe("encodings", () => {
  it("serves gzip and brotli made once, negotiated with q-values, decoding to the same bytes", async () => {
    const identity = new Uint8Array(await (await get("/en/rss.xml")).arrayBuffer());
    const gz = await get("/en/rss.xml", { "Accept-Encoding": "gzip" });
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    expect(new Uint8Array(gunzipSync(new Uint8Array(await gz.arrayBuffer())))).toEqual(identity);
    const br = await get("/en/rss.xml", { "Accept-Encoding": "gzip, deflate, br" });
    expect(br.headers.get("content-encoding")).toBe("br");
    expect(new Uint8Array(brotliDecompressSync(new Uint8Array(await br.arrayBuffer())))).toEqual(identity);
    expect((await get("/en/rss.xml", { "Accept-Encoding": "br;q=0.2, gzip;q=0.8" })).headers.get("content-encoding")).toBe("gzip");
    expect((await get("/en/rss.xml", { "Accept-Encoding": "br;q=0, gzip;q=0" })).headers.get("content-encoding")).toBeNull();
    expect((await get("/en/rss.xml", { "Accept-Encoding": "identity;q=0, *;q=0" })).status).toBe(406);
  });

  it("renders and compresses a document once for a crowd, off the request's path: others are answered meanwhile; a failure is tried again", async () => {
    const { store: ownStore, site } = await loadedStore();
    let reads = 0;
    const counted = new Proxy(ownStore, {
      get(target, property) {
        if (property === "latest") return (query: Parameters<ArticleStore["latest"]>[0]) => (reads++, target.latest(query));
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const calls: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let failNext = false;
    const slowApp = createApp({
      store: counted,
      site,
      logger: memoryLogger(),
      cache: memoryCache(),
      now: () => NOW,
      compress: async (body, encoding) => {
        calls.push(encoding);
        if (failNext) {
          failNext = false;
          throw new Error("compression failed");
        }
        if (encoding === "br") await gate;
        return encoding === "gzip" ? gzipSync(body) : brotliCompressSync(body);
      },
    });
    try {
      const waiting = [1, 2, 3].map(() => slowApp.request("/en/rss.xml", { headers: { "Accept-Encoding": "br" } }));
      const meanwhile = await slowApp.request("/en/rss.xml");
      expect(meanwhile.status).toBe(200);
      expect(meanwhile.headers.get("content-encoding")).toBeNull();
      const identity = new Uint8Array(await meanwhile.arrayBuffer());
      // A client that takes gzip too does not wait for brotli: it gets gzip until brotli is ready.
      const mixed = await slowApp.request("/en/rss.xml", { headers: { "Accept-Encoding": "gzip, br" } });
      expect(mixed.headers.get("content-encoding")).toBe("gzip");
      expect(new Uint8Array(gunzipSync(new Uint8Array(await mixed.arrayBuffer())))).toEqual(identity);
      release();
      const bodies = await Promise.all(
        waiting.map(async (r) => {
          const response = await r;
          expect(response.headers.get("content-encoding")).toBe("br");
          return new Uint8Array(brotliDecompressSync(new Uint8Array(await response.arrayBuffer())));
        }),
      );
      for (const body of bodies) expect(body).toEqual(identity);
      expect(calls).toEqual(["br", "gzip"]);
      expect(reads).toBe(1);
      expect((await slowApp.request("/en/rss.xml", { headers: { "Accept-Encoding": "gzip, br" } })).headers.get("content-encoding")).toBe(
        "br",
      );

      failNext = true;
      expect((await slowApp.request("/ko/rss.xml", { headers: { "Accept-Encoding": "gzip" } })).status).toBe(500);
      const retried = await slowApp.request("/ko/rss.xml", { headers: { "Accept-Encoding": "gzip" } });
      expect(retried.status).toBe(200);
      expect(retried.headers.get("content-encoding")).toBe("gzip");
      expect(calls).toEqual(["br", "gzip", "gzip", "gzip"]);
    } finally {
      await ownStore.close();
    }
  });

  it("chooses by each Accept-Encoding value on its own, however many distinct values and however often each comes", async () => {
    // Each value's choice is remembered; 600 distinct values outgrow that memory twice over.
    for (let round = 0; round < 2; round++) {
      for (let i = 1; i <= 300; i++) {
        const q = (i / 1000).toFixed(3);
        expect((await get("/ja/rss.xml", { "Accept-Encoding": `br;q=${q}, gzip;q=0.5` })).headers.get("content-encoding"), q).toBe("gzip");
        expect((await get("/ja/rss.xml", { "Accept-Encoding": `gzip;q=${q}, br;q=0.001` })).headers.get("content-encoding"), q).toBe(
          i === 1 ? "br" : "gzip",
        );
      }
    }
  });
});

describe("?limit=", () => {
  it("holds that many of the latest articles, from 1 to 100", async () => {
    const feed = (await (await get("/en/feed.json?limit=3")).json()) as { items: unknown[] };
    expect(feed.items).toHaveLength(3);
  });

  it.each(["0", "101", "abc", "-1", "1e2", ""])("refuses limit=%s with 400 naming the range", async (value) => {
    const response = await get(`/en/rss.xml?limit=${value}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("from 1 to 100");
  });

  it("ignores other query parameters, which create no new cache entry", async () => {
    const plain = await get("/en/atom.xml");
    const busted = await get("/en/atom.xml?utm_source=x&cachebust=12345");
    expect(busted.headers.get("x-cache")).toBe("HIT");
    expect(busted.headers.get("etag")).toBe(plain.headers.get("etag"));
  });
});

describe("RFC 5005 archives", () => {
  async function walk(start: string) {
    const ids: string[][] = [];
    const seen = new Set<string>();
    let url: string | undefined = start;
    let archives = 0;
    while (url) {
      const path = new URL(url).pathname;
      expect(seen.has(path)).toBe(false);
      seen.add(path);
      const response = await get(path);
      expect(response.status, path).toBe(200);
      const channel = only(parseXml(await response.text()), q("", "channel"));
      ids.push(children(channel, q("", "item")).map((i) => only(i, q("", "guid")).text));
      const links = children(channel, q(NS.atom, "link"));
      if (path !== new URL(start).pathname) {
        archives++;
        expect(children(channel, q("http://purl.org/syndication/history/1.0", "archive"))).toHaveLength(1);
        expect(links.find((l) => l.attributes.rel === "current")?.attributes.href).toBe(start);
      }
      url = links.find((l) => l.attributes.rel === "prev-archive")?.attributes.href;
    }
    return { ids, archives };
  }

  it("lets a client following prev-archive reach every article of a feed, none twice in one document or in two archives", async () => {
    const all = (await store.latest({ lang: "ko", limit: 1000 })).map((a) => a.id);
    const { ids, archives } = await walk("https://news.example/ko/rss.xml?limit=5".replace("?limit=5", ""));
    expect(archives).toBeGreaterThan(1);
    for (const document of ids) expect(new Set(document).size).toBe(document.length);
    const inArchives = ids.slice(1).flat();
    expect(new Set(inArchives).size).toBe(inArchives.length);
    expect(new Set(ids.flat())).toEqual(new Set(all));
  });

  it("links next-archive back, marks archives in Atom, pages JSON Feed with next_url, and gives an ended month a long lifetime", async () => {
    const october = await get("/en/archive/2026-10/atom.xml");
    expect(october.status).toBe(200);
    expect(october.headers.get("cache-control")).toMatch(/^public, max-age=86400/);
    const feed = parseXml(await october.text());
    const rels = children(feed, q(NS.atom, "link")).map((l) => [l.attributes.rel, l.attributes.href]);
    expect(rels).toContainEqual(["next-archive", "https://news.example/en/archive/2026-11/atom.xml"]);
    expect(rels).toContainEqual(["prev-archive", "https://news.example/en/archive/2026-09/atom.xml"]);
    expect(children(feed, q("http://purl.org/syndication/history/1.0", "archive"))).toHaveLength(1);
    const json = (await (await get("/en/feed.json?limit=2")).json()) as { next_url: string; items: { id: string }[] };
    const [, last] = await store.latest({ lang: "en", limit: 2 });
    expect(json.items.at(-1)!.id).toBe(last!.id);
    expect(json.next_url).toBe(
      `https://news.example/en/archive/2026-11/feed.json?before=${last!.published.ms},${encodeURIComponent(last!.id)}`,
    );
    expect((await get("/en/archive/2026-11/rss.xml")).headers.get("cache-control")).toMatch(/max-age=300/);
  });

  it("404s a month without articles and a malformed month", async () => {
    expect((await get("/en/archive/2020-01/rss.xml")).status).toBe(404);
    expect((await get("/en/archive/2026-13/rss.xml")).status).toBe(404);
    expect((await get("/en/politics/archive/october/rss.xml")).status).toBe(404);
  });
});

describe("RFC 3229 delta feeds", () => {
  it("answers A-IM: feed with an older ETag by 226 and only what changed since", async () => {
    const old = (await get("/en/feed.json")).headers.get("etag")!;
    const [article] = await store.latest({ lang: "en", limit: 1 });
    await store.upsert([
      { ...article!, title: "Changed since", updated: { iso: "2026-11-26T09:00:00+09:00", ms: Date.parse("2026-11-26T09:00:00+09:00") } },
    ]);
    const current = (await get("/en/feed.json")).headers.get("etag")!;
    const delta = await get("/en/feed.json", { "A-IM": "feed", "If-None-Match": old });
    expect(delta.status).toBe(226);
    expect(delta.headers.get("im")).toBe("feed");
    expect(delta.headers.get("etag")).toBe(current);
    const body = (await delta.json()) as { items: { title: string }[] };
    expect(body.items.map((i) => i.title)).toEqual(["Changed since"]);
    expect((await get("/en/feed.json", { "A-IM": "feed", "If-None-Match": '"unknown-version"' })).status).toBe(200);
    expect((await get("/en/feed.json", { "A-IM": "feed", "If-None-Match": current })).status).toBe(304);
  });
});

describe("WebSub", () => {
  it("links the hub and the feed itself, in headers and in every format", async () => {
    const response = await get("/ja/atom.xml?x=1");
    expect(response.headers.get("link")).toBe(`<${HUB}>; rel="hub", <https://news.example/ja/atom.xml>; rel="self"`);
    const feed = parseXml(await response.text());
    expect(
      children(feed, q(NS.atom, "link"))
        .filter((l) => l.attributes.rel === "hub")
        .map((l) => l.attributes.href),
    ).toEqual([HUB]);
    const rss = only(parseXml(await (await get("/ja/rss.xml")).text()), q("", "channel"));
    expect(children(rss, q(NS.atom, "link")).filter((l) => l.attributes.rel === "self")).toHaveLength(1);
    expect(children(rss, q(NS.atom, "link")).some((l) => l.attributes.rel === "hub" && l.attributes.href === HUB)).toBe(true);
    const json = (await (await get("/ja/feed.json")).json()) as { hubs: unknown };
    expect(json.hubs).toEqual([{ type: "WebSub", url: HUB }]);
  });
});

describe("people and crawlers", () => {
  it("gives a browser navigating to a feed a readable preview, and everything else the feed", async () => {
    const browser = await get("/en/rss.xml", { "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document", "Accept-Language": "ko" });
    expect(browser.headers.get("content-type")).toMatch(/^text\/html/);
    expect(browser.headers.get("vary")).toContain("Sec-Fetch-Mode");
    const html = await browser.text();
    expect(html).toContain('<html lang="en"');
    expect(html).not.toContain("<script");
    const reader = await get("/en/rss.xml", { "Accept-Language": "ko", "User-Agent": "Mozilla/5.0" });
    expect(reader.headers.get("content-type")).toBe("application/rss+xml; charset=utf-8");
    const fetchFromScript = await get("/en/rss.xml", { "Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty" });
    expect(fetchFromScript.headers.get("content-type")).toBe("application/rss+xml; charset=utf-8");
  });

  it("lists one language's feeds at /{lang}/feeds.opml and allows crawling in robots.txt", async () => {
    const opml = await get("/zh-Hans/feeds.opml");
    expect(opml.headers.get("content-type")).toBe("text/x-opml; charset=utf-8");
    const doc = parseXml(await opml.text());
    const outlines = only(doc, q("", "body")).children.flatMap((o) => o.children);
    expect(outlines).toHaveLength(18);
    expect(outlines.every((o) => o.attributes.language === "zh-Hans")).toBe(true);
    const robots = await (await get("/robots.txt")).text();
    expect(robots).toMatch(/^User-agent: \*$/m);
    expect(robots).toMatch(/^Allow: \/$/m);
  });

  it("sheds load past its limit with 503 and Retry-After, never an HTML page", async () => {
    const { store: slowStore, site } = await loadedStore();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const asked = new Promise<void>((resolve) => (reached = resolve));
    // The same store, its latest() held until the test lets it go.
    const slow = new Proxy(slowStore, {
      get(target, property) {
        if (property === "latest")
          return async (query: Parameters<ArticleStore["latest"]>[0]) => (reached(), await gate, target.latest(query));
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const limited = createApp({ store: slow, site, logger: memoryLogger(), maxInFlight: 1 });
    const first = limited.request("/en/");
    // The first request holds the one place once it waits in the store.
    await asked;
    const second = await limited.request("/en/rss.xml");
    expect(second.status).toBe(503);
    expect(second.headers.get("retry-after")).toBe("5");
    expect(second.headers.get("content-type")).toMatch(/^text\/plain/);
    release();
    expect((await first).status).toBe(200);
    await slowStore.close();
  });
});

describe("subscriber statistics", () => {
  it("records the counts aggregators report and shows them at /api/stats behind the token", async () => {
    // The counts are written after the response; an execution context collects that work to wait for it.
    const background: Promise<unknown>[] = [];
    const context = { waitUntil: (work: Promise<unknown>) => void background.push(work), passThroughOnException() {}, props: {} };
    const observed = (path: string, userAgent: string) => app.request(path, { headers: { "User-Agent": userAgent } }, undefined, context);
    await observed("/en/rss.xml?utm_source=feedly", "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 42 subscribers; )");
    await observed("/en/rss.xml", "Inoreader/1.0 (+http://www.inoreader.com/feed-fetcher; 7 subscribers; )");
    await observed("/en/rss.xml", "Mozilla/5.0 (X11; Linux x86_64)");
    await Promise.all(background);
    expect((await get("/api/stats")).status).toBe(401);
    const stats = (await (await get("/api/stats", { Authorization: `Bearer ${TOKEN}` })).json()) as {
      feeds: { url: string; subscribers: number; aggregators: { name: string; subscribers: number }[] }[];
    };
    expect(stats.feeds).toHaveLength(1);
    expect(stats.feeds[0]).toMatchObject({ url: "https://news.example/en/rss.xml", subscribers: 49 });
    expect(stats.feeds[0]!.aggregators.map((a) => [a.name, a.subscribers])).toEqual([
      ["feedly", 42],
      ["inoreader", 7],
    ]);
  });
});
