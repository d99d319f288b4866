/**
 * JSON Feed paging over real HTTP: a client that follows `next_url` from a subscription document (of
 * any item count) through the archives gets every article of the feed exactly once, newest first, in
 * every language and section; and the page a subscription document links to is well-formed paging.
 */
import { getRequestListener } from "@hono/node-server";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { termDirectory } from "../../src/feeds/links.ts";
import { createApp } from "../../src/http/app.ts";
import { isTermKey, namesOf, termId, termKey } from "../../src/model/terms.ts";
import { memoryCache } from "../../src/http/render-cache.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { loadedStore, memoryLogger, testSite } from "../helpers.ts";

interface Page {
  feed_url: string;
  next_url?: string;
  items: { id: string }[];
}

const NOW = Date.parse("2026-11-27T12:00:00Z");
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats.default(ajv);
const validJsonFeed = ajv.compile(
  JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "jsonfeed-1.1.schema.json"), "utf8")),
);
let server: Server;
let base: string;
let store: ArticleStore;
let feeds: { lang: string; section?: string }[];

beforeAll(async () => {
  // The app needs the server's address as its SITE_URL: it takes the requests once it exists.
  const app: { listener?: ReturnType<typeof getRequestListener> } = {};
  server = createServer((req, res) => void app.listener!(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const site = testSite(base);
  ({ store } = await loadedStore(site));
  app.listener = getRequestListener(createApp({ store, site, logger: memoryLogger(), cache: memoryCache(), now: () => NOW }).fetch);
  feeds = site.settings.languages.flatMap((l) => [{ lang: l.tag }, ...l.sections.map((s) => ({ lang: l.tag, section: s.slug }))]);
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store.close();
});

/** Follows next_url from `start` to the end: every document's item ids, each document checked on the way. */
async function walk(start: string): Promise<string[][]> {
  const pages: string[][] = [];
  const visited = new Set<string>();
  let url: string | undefined = start;
  while (url !== undefined) {
    expect(url.startsWith(`${base}/`), url).toBe(true);
    expect(visited.has(url), `${url} twice along the chain`).toBe(false);
    visited.add(url);
    expect(visited.size, "a chain that does not end").toBeLessThan(200);
    const response = await fetch(url);
    expect(response.status, url).toBe(200);
    expect(response.headers.get("content-type"), url).toBe("application/feed+json; charset=utf-8");
    const page = (await response.json()) as Page;
    expect(validJsonFeed(page), `${url}: ${JSON.stringify(validJsonFeed.errors)}`).toBe(true);
    if (pages.length > 0) expect(page.feed_url, "an archive page names itself").toBe(url);
    expect(page.items.length, `${url} is empty`).toBeGreaterThan(0);
    pages.push(page.items.map((i) => i.id));
    url = page.next_url;
  }
  return pages;
}

describe("JSON Feed paging", () => {
  it("gives every article of every feed exactly once and newest first, following next_url from a subscription document of any length", async () => {
    let chainsWithArchives = 0;
    for (const { lang, section } of feeds) {
      const all = (await store.latest({ lang, section, limit: 1000 })).map((a) => a.id);
      expect(all.length, `${lang}/${section ?? ""} has articles`).toBeGreaterThan(0);
      const path = `${base}/${lang}/${section ? `${section}/` : ""}feed.json`;
      for (const limit of [undefined, 1, 2, 3, 5, 8]) {
        const start = limit === undefined ? path : `${path}?limit=${limit}`;
        const pages = await walk(start);
        expect(pages[0], start).toHaveLength(Math.min(limit ?? 20, all.length));
        expect(pages.flat(), start).toEqual(all);
        if (pages.length > 2) chainsWithArchives++;
      }
    }
    expect(chainsWithArchives).toBeGreaterThan(20);
  });

  it("pages an author's or tag's feed the same way: every article once, whatever the first document holds", async () => {
    let chainsWithArchives = 0;
    for (const { lang } of feeds.filter((f) => f.section === undefined)) {
      const articles = await store.latest({ lang, limit: 1000 });
      for (const kind of ["author", "tag"] as const) {
        // The language's author or tag with the most articles.
        const counts = new Map<string, number>();
        for (const article of articles)
          for (const key of new Set(namesOf(article, kind).map(termKey))) counts.set(key, (counts.get(key) ?? 0) + 1);
        const [key] = [...counts].filter(([k]) => isTermKey(k)).sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0]!;
        const term = { kind, key };
        const all = (await store.latest({ lang, term: termId(term), limit: 1000 })).map((a) => a.id);
        expect(all.length, `${lang} ${termId(term)}`).toBeGreaterThan(1);
        for (const limit of [1, 2, 3]) {
          const start = `${base}${termDirectory(lang, term)}feed.json?limit=${limit}`;
          const pages = await walk(start);
          expect(pages[0], start).toHaveLength(Math.min(limit, all.length));
          expect(pages.flat(), start).toEqual(all);
          if (pages.length > 1) chainsWithArchives++;
        }
      }
    }
    expect(chainsWithArchives).toBeGreaterThan(8);
  });

  it("links a subscription document to the articles after its own last one, and a complete one to nothing", async () => {
    const all = await store.latest({ lang: "ko", limit: 1000 });
    const first = (await (await fetch(`${base}/ko/feed.json?limit=3`)).json()) as Page;
    expect(first.items.map((i) => i.id)).toEqual(all.slice(0, 3).map((a) => a.id));
    const next = (await (await fetch(first.next_url!)).json()) as Page;
    expect(next.items[0]!.id).toBe(all[3]!.id);
    const whole = (await (await fetch(`${base}/ko/feed.json?limit=100`)).json()) as Page;
    expect(whole.items).toHaveLength(all.length);
    expect(whole.next_url).toBeUndefined();
  });

  it("refuses a malformed position, 404s one outside the month, and leaves RSS and Atom archives whole months", async () => {
    const first = (await (await fetch(`${base}/ko/feed.json?limit=3`)).json()) as Page;
    const page = new URL(first.next_url!);
    const month = page.pathname.split("/")[3]!;
    expect(page.search).toMatch(/^\?before=\d+,tag%3A/);
    for (const bad of ["", "x", "12", ",tag:x", "12,", `1,${"x".repeat(3000)}`]) {
      const response = await fetch(`${base}${page.pathname}?before=${encodeURIComponent(bad)}`);
      expect(response.status, bad).toBe(400);
    }
    expect((await fetch(`${base}${page.pathname}?before=0,tag%3Ax`)).status).toBe(404);
    const whole = await (await fetch(`${base}/ko/archive/${month}/atom.xml`)).text();
    const withCursor = await (await fetch(`${base}/ko/archive/${month}/atom.xml${page.search}`)).text();
    expect(withCursor).toBe(whole);
    const wholeJson = (await (await fetch(`${base}/ko/archive/${month}/feed.json`)).json()) as Page;
    const pageJson = (await (await fetch(page)).json()) as Page;
    expect(wholeJson.items.length).toBeGreaterThan(pageJson.items.length);
    expect(wholeJson.next_url).toBe(pageJson.next_url);
  });

  it("keeps RFC 5005 archives whole months: the Atom subscription document links prev-archive to its newest article's month", async () => {
    const atom = await (await fetch(`${base}/en/atom.xml?limit=3`)).text();
    const [newest] = await store.latest({ lang: "en", limit: 1 });
    const month = newest!.published.iso.slice(0, 7);
    expect(atom).toContain(`<link rel="prev-archive" type="application/atom+xml" href="${base}/en/archive/${month}/atom.xml"/>`);
  });
});
