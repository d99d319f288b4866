/**
 * Sitemaps over real HTTP on 127.0.0.1: the index, each language's pages (paged with a small page size),
 * hreflang alternates and x-default, Google News sitemaps in their 48-hour window, validators, conditional
 * GET and encodings; every document checked against the sitemap schemas' rules and parsed strictly.
 */
import { getRequestListener } from "@hono/node-server";
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Site } from "../../src/config/site.ts";
import { articlesPerSitemap, MAX_SITEMAP_BYTES, newsLanguage, renderSitemap, storyAlternates } from "../../src/feeds/sitemap.ts";
import { createApp, type AppDeps } from "../../src/http/app.ts";
import type { Article } from "../../src/model/article.ts";
import { parseRfc3339 } from "../../src/model/time.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { checkSitemap, checkSitemapIndex, NEWS, SITEMAP, XHTML } from "../feeds/sitemap-schema.ts";
import type { XmlElement } from "../feeds/xml-dom.ts";
import { loadedStore, memoryLogger, SITE_URL, testSite } from "../helpers.ts";
import { makeArticle } from "../store/contract.ts";

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

function send(server: Server, path: string, headers: Record<string, string> = {}, method = "GET"): Promise<Raw> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode!, headers: res.headers, body, text: body.toString("utf8") });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

async function serve(deps: AppDeps): Promise<Server> {
  const listener = getRequestListener(createApp(deps).fetch);
  const server = createServer((req, res) => void listener(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));
const compress = (body: Uint8Array, encoding: "br" | "gzip") => (encoding === "gzip" ? gzipSync(body) : brotliCompressSync(body));
const named = (ns: string, local: string) => `{${ns}}${local}`;
const locOf = (entry: XmlElement) => entry.children.find((c) => c.name === named(SITEMAP, "loc"))!.text;
const lastmodOf = (entry: XmlElement) => entry.children.find((c) => c.name === named(SITEMAP, "lastmod"))?.text;
const alternatesOf = (entry: XmlElement) =>
  Object.fromEntries(
    entry.children.filter((c) => c.name === named(XHTML, "link")).map((l) => [l.attributes.hreflang!, l.attributes.href!]),
  );

/** A document fetched and checked: no rule broken, parsed strictly. */
async function fetchChecked(server: Server, path: string, kind: "sitemap" | "index" = "sitemap") {
  const response = await send(server, path);
  expect(response.status, path).toBe(200);
  expect(response.headers["content-type"], path).toBe("application/xml; charset=utf-8");
  const checked = (kind === "index" ? checkSitemapIndex : checkSitemap)(response.text, `${SITE_URL}${path}`);
  expect(checked.problems, path).toEqual([]);
  return { response, root: checked.root };
}

describe("the sample edition's sitemaps", () => {
  let store: ArticleStore;
  let server: Server;
  const NOW = Date.parse("2026-10-02T12:00:00Z");

  beforeEach(async () => {
    ({ store } = await loadedStore());
    server = await serve({ store, site: testSite(), logger: memoryLogger(), now: () => NOW, compress });
  });
  afterEach(async () => {
    await close(server);
    await store.close();
  });

  it("names the index in robots.txt, keeping what robots.txt allowed and refused", async () => {
    const robots = (await send(server, "/robots.txt")).text;
    expect(robots).toMatch(/^User-agent: \*$/m);
    expect(robots).toMatch(/^Allow: \/$/m);
    expect(robots).toMatch(/^Disallow: \/api\/$/m);
    expect(robots).toMatch(/^Sitemap: https:\/\/news\.example\/sitemap\.xml$/m);
  });

  it("validates the index, every language's sitemap and news sitemap, and lists every article page exactly once", async () => {
    const { root } = await fetchChecked(server, "/sitemap.xml", "index");
    const listed = root.children.map(locOf);
    expect(listed).toEqual(
      ["ko", "en", "ja", "zh-Hans"].flatMap((l) => [`${SITE_URL}/${l}/sitemap.xml`, `${SITE_URL}/${l}/news-sitemap.xml`]),
    );
    const pages = new Set<string>();
    for (const url of listed) {
      const { root: urlset } = await fetchChecked(server, new URL(url).pathname);
      // The news sitemaps name the articles of the last 48 hours again, in documents of their own.
      if (url.endsWith("/news-sitemap.xml")) continue;
      for (const entry of urlset.children) {
        expect(pages.has(locOf(entry)), locOf(entry)).toBe(false);
        pages.add(locOf(entry));
      }
    }
    const articles = (await Promise.all(["ko", "en", "ja", "zh-Hans"].map((lang) => store.latest({ lang, limit: 100 })))).flat();
    expect(articles).toHaveLength(56);
    for (const a of articles) expect(pages.has(a.url), a.url).toBe(true);
    const news = (await send(server, "/zh-Hans/news-sitemap.xml")).text;
    expect(news).toContain("<news:language>zh-cn</news:language>");
    expect(news).toContain(`<news:name>${testSite().settings.languages[3]!.title}</news:name>`);
  });

  it("answers If-None-Match and If-Modified-Since with 304, and sends br or gzip when asked", async () => {
    for (const path of ["/sitemap.xml", "/en/sitemap.xml", "/en/news-sitemap.xml"]) {
      const first = await send(server, path);
      const etag = first.headers.etag!;
      expect(etag, path).toMatch(/^"[0-9a-f]{16}"$/);
      expect(first.headers.vary).toBe("Accept-Encoding");
      const cached = await send(server, path, { "If-None-Match": `W/"other", ${etag}` });
      expect(cached.status, path).toBe(304);
      expect(cached.headers.etag).toBe(etag);
      expect(cached.body.byteLength).toBe(0);
      expect((await send(server, path, { "If-Modified-Since": first.headers["last-modified"]! })).status, path).toBe(304);
      // If-None-Match wins over If-Modified-Since.
      expect((await send(server, path, { "If-None-Match": '"other"', "If-Modified-Since": first.headers["last-modified"]! })).status).toBe(
        200,
      );
      const br = await send(server, path, { "Accept-Encoding": "gzip, br" });
      expect(br.headers["content-encoding"]).toBe("br");
      expect(brotliDecompressSync(br.body).toString("utf8")).toBe(first.text);
      const gzip = await send(server, path, { "Accept-Encoding": "gzip" });
      expect(gzip.headers["content-encoding"]).toBe("gzip");
      expect(gunzipSync(gzip.body).toString("utf8")).toBe(first.text);
      expect(gzip.headers.etag).toBe(etag);
      const head = await send(server, path, {}, "HEAD");
      expect(head.status).toBe(200);
      expect(head.body.byteLength).toBe(0);
      expect(head.headers.etag).toBe(etag);
    }
  });
});

describe("paging, alternates, withdrawals and the news window", () => {
  const site: Site = testSite();
  const NOW = Date.parse("2026-10-10T12:00:00Z");
  const HOUR = 3600_000;
  let store: ArticleStore;
  let server: Server;
  let now: number;

  /** An article on the site, published `hoursAgo` before NOW, optionally in a story of several editions. */
  const article = (lang: string, slug: string, hoursAgo: number, story = slug, extra: Partial<Article> = {}) => {
    const at = new Date(NOW - hoursAgo * HOUR).toISOString().replace(".000Z", "+00:00");
    return makeArticle(
      { lang, section: "politics", slug, story, published: at },
      { url: `${SITE_URL}/${lang}/articles/${slug}`, ...extra },
    );
  };

  // A story in Korean (the default language), English and Japanese; one in English and Japanese only; five
  // English articles in all, published over ten days; one English article on another site.
  const koBudget = article("ko", "yesan", 240, "budget");
  const enBudget = article("en", "budget", 239, "budget", { updated: parseRfc3339("2026-10-09T08:30:00+09:00") });
  const jaBudget = article("ja", "yosan", 238, "budget");
  const enChips = article("en", "chips", 200, "chips");
  const jaChips = article("ja", "handotai", 199, "chips");
  const enOld = article("en", "old", 49, "old");
  const enFresh = article("en", "fresh", 47, "fresh");
  const enNewest = article("en", "newest", 1, "newest", { title: "Markets & <rates>" });
  const enUpstream = article("en", "wire-item", 2, "wire-item", { url: "https://wire.example/en/wire-item" });
  const all = [koBudget, enBudget, jaBudget, enChips, jaChips, enOld, enFresh, enNewest, enUpstream];

  beforeEach(async () => {
    store = openSqliteStore(":memory:");
    await store.upsert(all);
    now = NOW;
    server = await serve({ store, site, logger: memoryLogger(), now: () => now, sitemapPageSize: 2 });
  });
  afterEach(async () => {
    await close(server);
    await store.close();
  });

  it("pages a language past the page size, oldest first, listing pages first; no page beyond, and no sitemap-1.xml", async () => {
    const { root: index } = await fetchChecked(server, "/sitemap.xml", "index");
    const en = index.children.map(locOf).filter((l) => l.startsWith(`${SITE_URL}/en/`));
    expect(en).toEqual([
      `${SITE_URL}/en/sitemap.xml`,
      `${SITE_URL}/en/sitemap-2.xml`,
      `${SITE_URL}/en/sitemap-3.xml`,
      `${SITE_URL}/en/news-sitemap.xml`,
    ]);
    expect(index.children.map(locOf)).toContain(`${SITE_URL}/zh-Hans/sitemap.xml`);

    const first = (await fetchChecked(server, "/en/sitemap.xml")).root.children.map(locOf);
    const listings = ["", ...site.settings.languages[1]!.sections.map((s) => `${s.slug}/`)].map((p) => `${SITE_URL}/en/${p}`);
    expect(first).toEqual([...listings, enBudget.url, enChips.url]);
    const second = (await fetchChecked(server, "/en/sitemap-2.xml")).root.children.map(locOf);
    expect(second).toEqual([enOld.url, enFresh.url]);
    const third = (await fetchChecked(server, "/en/sitemap-3.xml")).root.children.map(locOf);
    expect(third).toEqual([enNewest.url]);
    expect((await send(server, "/en/sitemap-4.xml")).status).toBe(404);
    // Five English articles on the site, two a page: the one on another site is that site's to list.
    expect([...first, ...second, ...third]).not.toContain(enUpstream.url);
    expect((await send(server, "/en/sitemap-1.xml")).status).toBe(404);
    expect((await send(server, "/en/sitemap-02.xml")).status).toBe(404);
  });

  it("lists every edition of a story on each edition, itself included, with x-default at the default language's edition or else the earliest language's", async () => {
    const ko = (await fetchChecked(server, "/ko/sitemap.xml")).root.children;
    const en = (await fetchChecked(server, "/en/sitemap.xml")).root.children;
    const ja = (await fetchChecked(server, "/ja/sitemap.xml")).root.children;
    const entry = (entries: XmlElement[], url: string) => entries.find((e) => locOf(e) === url)!;
    const budget = { ko: koBudget.url, en: enBudget.url, ja: jaBudget.url, "x-default": koBudget.url };
    for (const [entries, a] of [
      [ko, koBudget],
      [en, enBudget],
      [ja, jaBudget],
    ] as const)
      expect(alternatesOf(entry(entries, a.url))).toEqual(budget);
    const chips = { en: enChips.url, ja: jaChips.url, "x-default": enChips.url };
    expect(alternatesOf(entry(en, enChips.url))).toEqual(chips);
    expect(alternatesOf(entry(ja, jaChips.url))).toEqual(chips);
    // lastmod is the article's update time as written, W3C datetime.
    expect(lastmodOf(entry(en, enBudget.url))).toBe("2026-10-09T08:30:00+09:00");
    // The language homes are one page in four languages.
    expect(alternatesOf(entry(en, `${SITE_URL}/en/`))).toMatchObject({ ko: `${SITE_URL}/ko/`, "x-default": `${SITE_URL}/ko/` });
  });

  it("never lists a withdrawn article, nor names it among the other editions", async () => {
    const before = (await send(server, "/en/sitemap.xml")).headers.etag!;
    await store.withdraw([jaBudget.id, enChips.id], NOW);
    const en = (await fetchChecked(server, "/en/sitemap.xml")).root.children;
    expect(en.map(locOf)).not.toContain(enChips.url);
    const budget = en.find((e) => locOf(e) === enBudget.url)!;
    expect(alternatesOf(budget)).toEqual({ ko: koBudget.url, en: enBudget.url, "x-default": koBudget.url });
    expect((await send(server, "/en/sitemap.xml", { "If-None-Match": before })).status).toBe(200);
    const ja = (await fetchChecked(server, "/ja/sitemap.xml")).root.children.map(locOf);
    expect(ja).not.toContain(jaBudget.url);
  });

  it("puts in the news sitemap the articles on the site of the last 48 hours, newest first, and dates it by what left the window", async () => {
    const { response, root } = await fetchChecked(server, "/en/news-sitemap.xml");
    expect(root.children.map(locOf)).toEqual([enNewest.url, enFresh.url]);
    const news = root.children[0]!.children.find((c) => c.name === named(NEWS, "news"))!;
    const text = (local: string, parent = news) => parent.children.find((c) => c.name === named(NEWS, local))!.text;
    expect(text("title")).toBe("Markets & <rates>");
    expect(text("publication_date")).toBe(enNewest.published.iso);
    const publication = news.children.find((c) => c.name === named(NEWS, "publication"))!;
    expect(text("name", publication)).toBe("Hanbit Daily");
    expect(text("language", publication)).toBe("en");
    // enOld left the window an hour ago (published 49 h before NOW): newer than any update in the window.
    expect(Date.parse(response.headers["last-modified"]!)).toBe(Math.max(enOld.published.ms + 48 * HOUR, enNewest.updated.ms));

    // Two hours on, enFresh leaves the window: the document and its Last-Modified move.
    const since = response.headers["last-modified"]!;
    now = NOW + 2 * HOUR;
    const later = await send(server, "/en/news-sitemap.xml", { "If-Modified-Since": since });
    expect(later.status).toBe(200);
    expect(checkSitemap(later.text, `${SITE_URL}/en/news-sitemap.xml`).root.children.map(locOf)).toEqual([enNewest.url]);
    expect(Date.parse(later.headers["last-modified"]!)).toBe(enFresh.published.ms + 48 * HOUR);
  });

  it("holds at most 1 000 articles in a news sitemap, the newest", async () => {
    const many = Array.from({ length: 1001 }, (_, i) => article("ja", `burst-${i}`, 10 + i / 100));
    await store.upsert(many);
    const { root } = await fetchChecked(server, "/ja/news-sitemap.xml");
    expect(root.children).toHaveLength(1000);
    expect(locOf(root.children[0]!)).toBe(many[0]!.url);
    expect(root.children.map(locOf)).not.toContain(many[1000]!.url);
  });
});

describe("the bounds of one document", () => {
  const site = testSite();

  it("keeps a full page under 50 MiB however long its URLs, with every language an alternate", () => {
    const perPage = articlesPerSitemap(site);
    expect(perPage).toBeGreaterThan(1000);
    // URLs of 2 047 characters (escaped), each entry with every language and x-default.
    const url = (lang: string, i: number) =>
      `${SITE_URL}/${lang}/articles/${String(i).padEnd(2047 - `${SITE_URL}/${lang}/articles/`.length, "x")}`;
    const entries = Array.from({ length: perPage + 6 }, (_, i) => ({
      loc: url("zh-Hans", i),
      lastmod: "2026-10-01T10:40:00+09:00",
      alternates: storyAlternates(
        site,
        site.settings.languages.map((l) => ({ lang: l.tag, url: url(l.tag, i) })),
      ),
    }));
    expect(entries[0]!.alternates).toHaveLength(5);
    const bytes = Buffer.byteLength(renderSitemap(entries));
    expect(bytes).toBeLessThanOrEqual(MAX_SITEMAP_BYTES);
    // The bound is close: a page a twentieth larger would pass it.
    expect(bytes * 1.05).toBeGreaterThan(MAX_SITEMAP_BYTES);
  });

  it("leaves out a URL of 2 048 characters or more, as loc and as an alternate", () => {
    const long = `${SITE_URL}/en/articles/${"y".repeat(2048)}`;
    expect(
      storyAlternates(site, [
        { lang: "en", url: long },
        { lang: "ko", url: `${SITE_URL}/ko/articles/a` },
      ]),
    ).toEqual([
      { hreflang: "ko", href: `${SITE_URL}/ko/articles/a` },
      { hreflang: "x-default", href: `${SITE_URL}/ko/articles/a` },
    ]);
  });

  it.each([
    ["ko", "ko"],
    ["en", "en"],
    ["zh-Hans", "zh-cn"],
    ["zh-Hant", "zh-tw"],
    ["zh-TW", "zh-tw"],
    ["zh-HK", "zh-tw"],
    ["zh-Hans-HK", "zh-cn"],
    ["zh", "zh-cn"],
    ["pt-BR", "pt"],
    ["fil", "fil"],
  ])("writes the news language of %s as %s", (tag, expected) => {
    expect(newsLanguage(tag)).toBe(expected);
  });
});

describe("the schema rules catch what breaks them", () => {
  const at = `${SITE_URL}/en/sitemap.xml`;
  const urlset = (inner: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="${SITEMAP}" xmlns:xhtml="${XHTML}" xmlns:news="${NEWS}">${inner}</urlset>`;

  it.each([
    ["a url without loc", "<url><lastmod>2026-10-01</lastmod></url>", /has no loc/],
    ["lastmod before loc", `<url><lastmod>2026-10-01</lastmod><loc>${SITE_URL}/en/a</loc></url>`, /out of order/],
    ["a lastmod that is no W3C datetime", `<url><loc>${SITE_URL}/en/a</loc><lastmod>2026-10-01 10:40</lastmod></url>`, /W3C/],
    ["a date that does not exist", `<url><loc>${SITE_URL}/en/a</loc><lastmod>2026-02-30</lastmod></url>`, /W3C/],
    ["a URL outside the sitemap's directory", `<url><loc>${SITE_URL}/ko/a</loc></url>`, /not under/],
    ["a URL on another host", `<url><loc>https://other.example/en/a</loc></url>`, /not under/],
    ["a relative URL", "<url><loc>/en/articles/a-long-one</loc></url>", /absolute/],
    [
      "an alternate without hreflang",
      `<url><loc>${SITE_URL}/en/a</loc><xhtml:link rel="alternate" href="${SITE_URL}/ko/a"/></url>`,
      /hreflang/,
    ],
    [
      "a sitemap element after an alternate",
      `<url><loc>${SITE_URL}/en/a</loc><xhtml:link rel="alternate" hreflang="ko" href="${SITE_URL}/ko/a"/><lastmod>2026-10-01</lastmod></url>`,
      /after an element of another namespace/,
    ],
    [
      "a news language as a BCP 47 tag",
      `<url><loc>${SITE_URL}/en/a</loc><news:news><news:publication><news:name>N</news:name><news:language>zh-Hans</news:language></news:publication><news:publication_date>2026-10-01</news:publication_date><news:title>T</news:title></news:news></url>`,
      /ISO 639/,
    ],
    [
      "news without a title",
      `<url><loc>${SITE_URL}/en/a</loc><news:news><news:publication><news:name>N</news:name><news:language>en</news:language></news:publication><news:publication_date>2026-10-01</news:publication_date></news:news></url>`,
      /no news:title/,
    ],
  ])("refuses %s", (_name, inner, problem) => {
    const { problems } = checkSitemap(urlset(inner), at);
    expect(problems.join("\n")).toMatch(problem);
  });

  it("refuses an index holding a urlset's entries, and XML that is not well-formed", () => {
    const index = `<sitemapindex xmlns="${SITEMAP}"><url><loc>${SITE_URL}/en/sitemap.xml</loc></url></sitemapindex>`;
    expect(checkSitemapIndex(index, `${SITE_URL}/sitemap.xml`).problems.join()).toMatch(/not allowed in sitemapindex/);
    expect(() => checkSitemap(urlset(`<url><loc>${SITE_URL}/en/a&b</loc></url>`), at)).toThrow();
  });
});
