/**
 * Sitemaps for search engines (see docs/sitemaps.md): the index at `/sitemap.xml`, each language's pages
 * at `/{lang}/sitemap.xml`, `/{lang}/sitemap-2.xml`, ..., and its Google News sitemap at
 * `/{lang}/news-sitemap.xml`. Rendered for each request from the articles table alone, so a withdrawn
 * or not yet published article (kept out of that table) is never listed.
 */
import { Hono, type Context } from "hono";
import type { LanguageSettings, Site } from "../../config/site.ts";
import {
  articlesPerSitemap,
  articleUrls,
  listingUrls,
  MAX_NEWS_URLS,
  MAX_SITEMAP_URLS,
  newsSitemapPath,
  renderNewsSitemap,
  renderSitemap,
  renderSitemapIndex,
  sitemapPath,
} from "../../feeds/sitemap.ts";
import type { ArticleStore } from "../../store/store.ts";
import { answerDocument } from "../documents.ts";
import type { Compressor } from "../feeds/encoding.ts";
import { notFound } from "../not-found.ts";
import { languageParam } from "./language.ts";

/** Articles published this long ago at most are in a news sitemap (Google News reads two days). */
export const NEWS_WINDOW_MS = 48 * 3600_000;

const XML = "application/xml; charset=utf-8";

export interface SitemapDeps {
  store: ArticleStore;
  site: Site;
  maxAge: number;
  compress?: Compressor;
  now: () => number;
  /** Articles per sitemap page; by default as many as keep a page under 50 000 URLs and 50 MiB (see feeds/sitemap.ts). */
  pageSize?: number;
}

export function sitemapRoutes(deps: SitemapDeps): Hono {
  const { store, site } = deps;
  const { settings } = site;
  const language = languageParam(settings);
  const perPage = deps.pageSize ?? articlesPerSitemap(site);
  /** A language's sitemaps list the URLs under its directory (`https://news.example/en/`), as the protocol asks. */
  const prefixOf = (lang: string) => `${site.siteUrl}/${lang}/`;
  /** What a document dates from when it lists nothing: the day the site's ids start. */
  const epoch = Date.parse(`${settings.idDate}T00:00:00Z`);
  const app = new Hono();

  const answer = (c: Context, text: string, lastModified: number, now = deps.now()) =>
    answerDocument(c, text, { contentType: XML, lastModified, maxAge: deps.maxAge, compress: deps.compress, now });

  app.get("/sitemap.xml", async (c) => {
    const counts = await Promise.all(settings.languages.map((l) => store.sitemapCount(l.tag, prefixOf(l.tag))));
    const locs: string[] = [];
    let lastModified = epoch;
    for (const [i, { tag }] of settings.languages.entries()) {
      const { count, updatedMs } = counts[i]!;
      const pages = Math.max(1, Math.ceil(count / perPage));
      for (let page = 1; page <= pages; page++) locs.push(site.siteUrl + sitemapPath(tag, page));
      locs.push(site.siteUrl + newsSitemapPath(tag));
      if (updatedMs !== null) lastModified = Math.max(lastModified, updatedMs);
    }
    return answer(c, renderSitemapIndex(locs.slice(0, MAX_SITEMAP_URLS)), lastModified);
  });

  const sitemapPage = async (c: Context, lang: LanguageSettings, page: number) => {
    const entries = await store.sitemapEntries({
      lang: lang.tag,
      urlPrefix: prefixOf(lang.tag),
      limit: perPage,
      offset: (page - 1) * perPage,
    });
    if (page > 1 && entries.length === 0) return notFound(c, `no sitemap page ${page} in ${lang.tag}`);
    let lastModified = epoch;
    for (const entry of entries) for (const e of entry.editions) lastModified = Math.max(lastModified, e.updatedMs, entry.updated.ms);
    const urls = articleUrls(site, entries);
    if (page === 1) {
      const sections = ["", ...lang.sections.map((s) => s.slug)];
      const updates = await Promise.all(sections.map((s) => store.lastUpdated(lang.tag, s === "" ? undefined : s)));
      const updated = new Map<string, number>();
      for (const [i, u] of updates.entries()) {
        if (u === null) continue;
        updated.set(sections[i]!, u.ms);
        lastModified = Math.max(lastModified, u.ms);
      }
      urls.unshift(...listingUrls(site, lang, updated));
    }
    return answer(c, renderSitemap(urls), lastModified);
  };

  app.get("/:lang/sitemap.xml", language, (c) => sitemapPage(c, c.var.language, 1));
  // Page 2 onwards; `sitemap-1.xml` is not a name of page 1, so every page has one URL.
  app.get("/:lang/:file{sitemap-[1-9][0-9]{0,8}\\.xml}", language, (c) => {
    const page = Number(/\d+/.exec(c.req.param("file"))![0]);
    return page === 1
      ? notFound(c, `no sitemap-1.xml in ${c.var.language.tag} (page 1 is sitemap.xml)`)
      : sitemapPage(c, c.var.language, page);
  });

  app.get("/:lang/news-sitemap.xml", language, async (c) => {
    const lang = c.var.language;
    const now = deps.now();
    const since = now - NEWS_WINDOW_MS;
    const [entries, [left]] = await Promise.all([
      store.newsEntries({ lang: lang.tag, urlPrefix: prefixOf(lang.tag), sinceMs: since, untilMs: now, limit: MAX_NEWS_URLS }),
      // The newest article that has left the window: the document changed when it left.
      store.latest({ lang: lang.tag, limit: 1, before: { publishedMs: since, id: "" } }),
    ]);
    let lastModified = left ? left.published.ms + NEWS_WINDOW_MS : epoch;
    for (const e of entries) lastModified = Math.max(lastModified, e.updatedMs);
    return answer(c, renderNewsSitemap(lang, entries), lastModified, now);
  });

  return app;
}
