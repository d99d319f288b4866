/**
 * Hostile HTTP through createApp(...).request: traversal, invalid UTF-8, enormous limits and paths,
 * huge and malformed conditional and negotiation headers. Every answer is a clear 4xx, or the normal
 * 200/226/304 where the request is in fact valid; never a 5xx, and nothing is logged as an error.
 */
import fc from "../fast-check.ts";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import { memoryCache, type RenderCache } from "../../src/http/render-cache.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { ingestDeps, loadedStore, memoryLogger, testSite } from "../helpers.ts";
import { NOW_MS, runs, TOKEN } from "./support.ts";

let app: ReturnType<typeof createApp>;
let store: ArticleStore;
const logger = memoryLogger();

beforeAll(async () => {
  const loaded = await loadedStore();
  store = loaded.store;
  app = createApp({
    store,
    site: loaded.site,
    logger,
    ingest: ingestDeps(store, loaded.site),
    ingestToken: TOKEN,
    cache: memoryCache(),
    compress: (body, encoding) => (encoding === "gzip" ? gzipSync(body) : body),
  });
});

afterAll(async () => {
  expect(logger.errors, "errors the app logged").toEqual([]);
  await store.close();
});

/** Site settings a traversal must never reveal. */
const SECRET_MARKERS = ["id_authority", "root:x:0:0", "INGEST_TOKEN"];

async function get(path: string, headers: Record<string, string> = {}, method = "GET") {
  const response = await app.request(path, { method, headers });
  const body = await response.text();
  return { status: response.status, body, headers: response.headers };
}

function expectClear4xx({ status, body, headers }: Awaited<ReturnType<typeof get>>, where: string, allowed = [400, 404]) {
  expect(allowed, `${where}: status ${status} ${body.slice(0, 200)}`).toContain(status);
  expect(headers.get("content-type"), where).toMatch(/^text\/plain; charset=utf-8$/i);
  expect(body, where).toMatch(/^(Not found|Bad request): \S/);
  for (const marker of SECRET_MARKERS) expect(body, where).not.toContain(marker);
}

describe("request paths", () => {
  it.each([
    "/../site.yaml",
    "/en/../../site.yaml",
    "/%2e%2e/site.yaml",
    "/%2e%2e%2fsite.yaml",
    "/en/%2e%2e/%2e%2e/site.yaml",
    "/media/../site.yaml",
    "/media/..%2fsite.yaml",
    "/media/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/en/articles/..%2f..%2fsite.yaml",
    "/..%5c..%5csite.yaml",
    "/en/articles/....//....//site.yaml",
    "/en/%2e%2e%5c%2e%2e%5csite.yaml",
    "/en/archive/..%2f..%2f/rss.xml",
    "/content/site.yaml",
  ])("answers the traversal %s with a 404 that reveals nothing", async (path) => {
    expectClear4xx(await get(path), path, [404]);
  });

  // The URL standard reads %2e%2e as "..", so these name pages of the site itself, which are served.
  it.each([
    ["/en/articles/%2e%2e", "/en/"],
    ["/en/politics/%2e%2e/rss.xml", "/en/rss.xml"],
    ["/en/politics/../../en/atom.xml", "/en/atom.xml"],
  ])("serves %s as %s, the page it names once dot segments are removed", async (path, same) => {
    const [response, expected] = await Promise.all([get(path), get(same)]);
    expect(response.status).toBe(200);
    expect(response.body).toBe(expected.body);
  });

  it.each([
    "/%ff%fe/rss.xml",
    "/en/%ff%fe",
    "/en/%ff/rss.xml",
    "/en/%c0%ae%c0%ae/rss.xml",
    "/en/articles/%ed%a0%80",
    "/en/articles/%f8%88%80%80%80",
    "/%00/rss.xml",
    "/en/rss.xml%00",
    "/en/%e2%80%ae/rss.xml",
    "/en/archive/%ff/rss.xml",
    "/en/articles/" + "%".repeat(50),
    "/en/%zz/rss.xml",
  ])("answers the undecodable path %s with a 404", async (path) => {
    expectClear4xx(await get(path), path, [404]);
  });

  it.each([
    "?limit=99999999999999999999",
    "?limit=0",
    "?limit=-1",
    "?limit=1e3",
    "?limit=",
    "?limit=101",
    "?limit=%ff",
    "?limit=%EF%BC%91%EF%BC%90",
    "?limit=10%20",
    "?limit=0x10",
    "?limit=" + "9".repeat(10_000),
    "?limit=1&limit=99999999999999999999",
  ])("answers /en/rss.xml%s with a 400 naming the limit", async (query) => {
    for (const path of ["/en/rss.xml", "/en/politics/feed.json"]) {
      const response = await get(`${path}${query}`);
      if (query === "?limit=1&limit=99999999999999999999") {
        // The first value counts, as everywhere in Hono; 1 is a valid limit.
        expect(response.status).toBe(200);
        continue;
      }
      expectClear4xx(response, `${path}${query}`, [400]);
      expect(response.body).toContain("limit must be a whole number from 1 to 100");
    }
  });

  it("serves a valid limit", async () => {
    expect((await get("/en/rss.xml?limit=100")).status).toBe(200);
    expect((await get("/en/rss.xml?limit=1")).status).toBe(200);
  });

  it.each(["0000-01", "0999-05", "0999-12", "9999-12", "2026-13", "2026-00", "2026-1", "99999-01", "-2026-01"])(
    "answers the archive month %s with a 404, not an error",
    async (month) => {
      for (const path of [`/en/archive/${month}/rss.xml`, `/en/politics/archive/${month}/atom.xml`])
        expectClear4xx(await get(path), path, [404]);
    },
  );

  it("answers very long paths with a 404", async () => {
    for (const path of [
      "/" + "a".repeat(100_000),
      "/en/" + "x/".repeat(50_000),
      "/en/articles/" + "a".repeat(100_000),
      "/en/" + "%41".repeat(30_000),
    ]) {
      const answer = await get(path);
      expectClear4xx(answer, `${path.slice(0, 30)}… (${path.length})`, [404]);
      // The message quotes at most 80 characters of what was asked for, not the whole path back.
      expect(answer.body.length, path.slice(0, 30)).toBeLessThan(300);
    }
  });

  it("answers methods nothing serves with a 404, and HEAD like GET", async () => {
    for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) expect((await get("/en/rss.xml", {}, method)).status).toBe(404);
    const head = await get("/en/rss.xml", {}, "HEAD");
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
  });
});

describe("conditional and negotiation headers", () => {
  const FEEDS = ["/en/rss.xml", "/en/atom.xml", "/en/feed.json", "/ko/politics/rss.xml"];
  const manyTags = Array.from({ length: 10_000 }, (_, i) => `"${i.toString(16).padStart(16, "0")}"`).join(", ");

  it.each<[string, Record<string, string>, number[]]>([
    ["a 60 KB If-None-Match", { "If-None-Match": "x".repeat(60_000) }, [200]],
    ["a 60 KB quoted If-None-Match", { "If-None-Match": `"${"x".repeat(60_000)}"` }, [200]],
    ["10 000 entity tags", { "If-None-Match": manyTags }, [200]],
    ["10 000 entity tags asking for a delta", { "If-None-Match": manyTags, "A-IM": "feed" }, [200]],
    ["10 000 weak entity tags", { "If-None-Match": manyTags.replaceAll('"', 'W/"').replaceAll('W/", ', '", ') }, [200]],
    ["a lone quote", { "If-None-Match": '"' }, [200]],
    ["a bare W/", { "If-None-Match": "W/", "A-IM": "feed" }, [200]],
    ["an unterminated tag", { "If-None-Match": 'W/"abc', "A-IM": "feed" }, [200]],
    ["a star among tags", { "If-None-Match": '"a", *' }, [200]],
    ["a star", { "If-None-Match": "*", "A-IM": "feed" }, [304]],
    ["Latin-1 in a tag", { "If-None-Match": '"\u00ff\u00fe"', "A-IM": "feed" }, [200]],
    ["an A-IM of separators", { "A-IM": ";;;,,,=" }, [200]],
    ["a 60 KB A-IM", { "A-IM": "feed,".repeat(12_000) }, [200]],
    ["an A-IM with parameters", { "A-IM": "feed;q=0, gzip;;", "If-None-Match": '"0"' }, [200]],
    ["a q-value above 1", { "Accept-Encoding": "gzip;q=2" }, [200]],
    ["identity refused alone", { "Accept-Encoding": "identity;q=0" }, [200, 406]],
    ["everything refused", { "Accept-Encoding": "*;q=0" }, [406]],
    ["an Accept-Encoding of separators", { "Accept-Encoding": ";;;,,,=" }, [200]],
    ["NaN and infinite q-values", { "Accept-Encoding": "gzip;q=NaN, br;q=1e999, *;q=-1" }, [200]],
    ["a 60 KB Accept-Encoding", { "Accept-Encoding": "x-unknown, ".repeat(6_000) }, [200]],
    ["10 000 codings", { "Accept-Encoding": Array.from({ length: 10_000 }, (_, i) => `c${i};q=0.${i % 10}`).join(",") }, [200]],
    ["an unreadable If-Modified-Since", { "If-Modified-Since": "garbage" }, [200]],
    ["an If-Modified-Since in the year 10000", { "If-Modified-Since": "Sat, 01 Jan 10000 00:00:00 GMT" }, [200]],
    ["an If-Modified-Since with impossible fields", { "If-Modified-Since": "Mon, 99 Foo 9999 99:99:99 GMT" }, [200]],
    // Not a valid HTTP-date (no 31 February, no hour 25), so the field is ignored (RFC 9110, section 13.1.3).
    ["an If-Modified-Since whose fields would overflow into a real date", { "If-Modified-Since": "Thu, 31 Feb 2030 25:61:61 GMT" }, [200]],
    ["a 60 KB If-Modified-Since", { "If-Modified-Since": "Mon, ".repeat(12_000) }, [200]],
    ["the epoch", { "If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT" }, [200]],
  ])("answers %s normally", async (_name, headers, statuses) => {
    for (const feed of FEEDS) {
      const response = await get(feed, headers);
      expect(statuses, `${feed}: ${response.status} ${response.body.slice(0, 120)}`).toContain(response.status);
      if (response.status === 406) expect(response.body).toMatch(/^Not acceptable: /);
    }
  });

  it("still matches its own ETag among 10 000 others, strong or weak", async () => {
    const first = await app.request("/en/rss.xml");
    const etag = first.headers.get("etag")!;
    expect((await get("/en/rss.xml", { "If-None-Match": `${manyTags}, ${etag}` })).status).toBe(304);
    expect((await get("/en/rss.xml", { "If-None-Match": `${manyTags.slice(0, 5_000)}, W/${etag}`, "A-IM": "feed" })).status).toBe(304);
  });

  it("looks up a handful of a long If-None-Match's tags for a delta, not all 10 000, and still sends deltas", async () => {
    const site = testSite();
    const pushStore = openSqliteStore(":memory:");
    const cache = memoryCache();
    let lookups = 0;
    const counting: RenderCache = { ...cache, getState: (key) => (lookups++, cache.getState(key)) };
    const pushApp = createApp({
      store: pushStore,
      site,
      logger,
      ingest: { ...ingestDeps(pushStore, site), now: () => NOW_MS },
      ingestToken: TOKEN,
      cache: counting,
      now: () => NOW_MS,
    });
    const push = (id: string) =>
      pushApp.request("/api/articles", {
        method: "POST",
        headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify({
          id,
          title: `Story ${id}`,
          content_text: "Body.",
          language: "en",
          section: "business",
          date_published: `2026-11-19T0${id.length}:00:00+09:00`,
        }),
      });
    try {
      expect((await push("a")).status).toBe(200);
      const etag = (await pushApp.request("/en/rss.xml")).headers.get("etag")!;
      expect((await push("bb")).status).toBe(200);
      const delta = await pushApp.request("/en/rss.xml", { headers: { "If-None-Match": etag, "A-IM": "feed" } });
      expect(delta.status).toBe(226);
      expect(await delta.text()).toContain("Story bb");
      lookups = 0;
      const flooded = await pushApp.request("/en/rss.xml", { headers: { "If-None-Match": `${manyTags}, ${etag}`, "A-IM": "feed" } });
      expect(flooded.status).toBe(200);
      expect(lookups).toBeLessThanOrEqual(8);
    } finally {
      await pushStore.close();
    }
  });

  it("never answers 5xx to arbitrary paths and header values", async () => {
    const piece = fc.constantFrom(
      "en",
      "ko",
      "zh-Hans",
      "EN",
      "rss.xml",
      "atom.xml",
      "feed.json",
      "politics",
      "archive",
      "2026-11",
      "articles",
      "..",
      "%2e%2e",
      "%ff",
      "%00",
      "%2f",
      "%5c",
      "%",
      "?",
      "?limit=",
      "#",
      ";",
      "feeds.opml",
      "api",
      "stats",
      "media",
    );
    const path = fc
      .array(fc.oneof(piece, fc.string({ maxLength: 6 }).map(encodeURIComponent)), { minLength: 1, maxLength: 6 })
      .map((p) => `/${p.join("/")}`);
    const value = fc
      .oneof(
        fc.string({ maxLength: 60 }),
        fc.constantFrom('"a"', "*", "W/", "feed", "gzip;q=0", "identity;q=0", "Thu, 01 Jan 1970 00:00:00 GMT"),
      )
      .map((v) => v.replace(/[^\t\x20-\x7e\x80-\xff]/g, ""));
    const headers = fc.record(
      {
        "If-None-Match": value,
        "A-IM": value,
        "Accept-Encoding": value,
        "If-Modified-Since": value,
        "Sec-Fetch-Mode": fc.constantFrom("navigate", "cors"),
        "Sec-Fetch-Dest": fc.constantFrom("document", "empty"),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(path, headers, async (p, h) => {
        const response = await app.request(p, { headers: h });
        expect(response.status, `${p} ${JSON.stringify(h)}`).toBeLessThan(500);
      }),
      { numRuns: runs(400) },
    );
  });
});
