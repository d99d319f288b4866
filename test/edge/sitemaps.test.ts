/**
 * Sitemaps from workerd over D1: the index, every language's sitemap and news sitemap keep the sitemap
 * schemas' rules and parse strictly in the Worker; validators and 304s; a withdrawn article leaves them;
 * a fresh article is in its language's news sitemap.
 */
import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import bundle from "../../.build/content.json" with { type: "json" };
import { runIngest } from "../../src/ingest/run.ts";
import { edgeDeps } from "../../src/runtime/worker-deps.ts";
import { checkSitemap, checkSitemapIndex, SITEMAP } from "../feeds/sitemap-schema.ts";
import type { XmlElement } from "../feeds/xml-dom.ts";
import { makeArticle } from "../store/contract.ts";
import { clearDatabase } from "./clear.ts";

const SITE = "https://news.example";
const locs = (root: XmlElement) => root.children.map((e) => e.children.find((c) => c.name === `{${SITEMAP}}loc`)!.text);

beforeAll(async () => {
  await clearDatabase(env.DB);
  const { ingest } = edgeDeps(env, bundle);
  await runIngest({ ...ingest, site: { ...ingest.site, settings: { ...ingest.site.settings, sources: [] } }, writeBudget: undefined });
});

async function checked(path: string) {
  const response = await SELF.fetch(`${SITE}${path}`);
  expect(response.status, path).toBe(200);
  expect(response.headers.get("content-type"), path).toBe("application/xml; charset=utf-8");
  const text = await response.text();
  const result = (path === "/sitemap.xml" ? checkSitemapIndex : checkSitemap)(text, `${SITE}${path}`);
  expect(result.problems, path).toEqual([]);
  return { response, root: result.root };
}

describe("sitemaps from workerd over D1", () => {
  it("validate and list every article of the sample edition", async () => {
    const { root: index } = await checked("/sitemap.xml");
    const listed = locs(index);
    expect(listed).toHaveLength(8);
    const urls = new Set<string>();
    for (const url of listed) {
      const { root } = await checked(new URL(url).pathname);
      if (!url.endsWith("/news-sitemap.xml")) for (const loc of locs(root)) urls.add(loc);
    }
    const { store } = edgeDeps(env, bundle).ingest;
    const articles = (await Promise.all(["ko", "en", "ja", "zh-Hans"].map((lang) => store.latest({ lang, limit: 100 })))).flat();
    expect(articles).toHaveLength(56);
    for (const a of articles) expect(urls.has(a.url), a.url).toBe(true);
  });

  it("answer If-None-Match and If-Modified-Since with 304", async () => {
    const first = await SELF.fetch(`${SITE}/ja/sitemap.xml`);
    await first.arrayBuffer();
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    const byTag = await SELF.fetch(`${SITE}/ja/sitemap.xml`, { headers: { "If-None-Match": etag } });
    expect(byTag.status).toBe(304);
    expect(byTag.headers.get("etag")).toBe(etag);
    const byDate = await SELF.fetch(`${SITE}/ja/sitemap.xml`, { headers: { "If-Modified-Since": first.headers.get("last-modified")! } });
    expect(byDate.status).toBe(304);
  });

  it("drop a withdrawn article, and list a fresh one in the news sitemap", async () => {
    const { store } = edgeDeps(env, bundle).ingest;
    const [victim] = await store.latest({ lang: "ko", limit: 1 });
    const before = await checked("/ko/sitemap.xml");
    expect(locs(before.root)).toContain(victim!.url);
    await store.withdraw([victim!.id], Date.now());
    const after = await checked("/ko/sitemap.xml");
    expect(locs(after.root)).not.toContain(victim!.url);
    expect(after.response.headers.get("etag")).not.toBe(before.response.headers.get("etag"));

    const published = new Date(Date.now() - 3600_000).toISOString().replace(/\.\d{3}Z$/, "+00:00");
    const fresh = makeArticle(
      { lang: "ko", section: "politics", slug: "edge-fresh", published },
      { url: `${SITE}/ko/articles/edge-fresh`, title: "방금 들어온 기사" },
    );
    await store.upsert([fresh]);
    const news = await checked("/ko/news-sitemap.xml");
    expect(locs(news.root)).toContain(fresh.url);
  });
});
