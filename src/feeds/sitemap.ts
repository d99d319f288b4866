/**
 * Sitemaps for search engines: the sitemap index, a language's sitemap pages with each URL's language
 * editions as hreflang alternates, and Google News sitemaps. Pure functions from store rows to XML text.
 *
 * Sitemaps protocol: https://www.sitemaps.org/protocol.html
 * hreflang in sitemaps: https://developers.google.com/search/docs/specialty/international/localized-versions#sitemap
 * News sitemaps: https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap
 */
import type { LanguageSettings, Site } from "../config/site.ts";
import { xmlAttribute, xmlText } from "../model/escape.ts";
import type { NewsEntry, SitemapEntry } from "../store/store.ts";
import { feedDirectory } from "./links.ts";

export const SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9";
export const XHTML_NS = "http://www.w3.org/1999/xhtml";
export const NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9";

/** The protocol's bounds on one sitemap (or index): URLs, and bytes uncompressed (50 MiB). */
export const MAX_SITEMAP_URLS = 50_000;
export const MAX_SITEMAP_BYTES = 52_428_800;
/** A `loc` (or an alternate's `href`) is less than 2 048 characters; a longer URL is left out. */
export const MAX_LOC_LENGTH = 2_047;
/** Google reads at most 1 000 `news:news` elements in one news sitemap. */
export const MAX_NEWS_URLS = 1_000;

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const URLSET_OPEN = `<urlset xmlns="${SITEMAP_NS}" xmlns:xhtml="${XHTML_NS}">\n`;
const URLSET_CLOSE = "</urlset>\n";
/** The longest lastmod this service writes: seconds and a numeric offset. */
const LASTMOD_SAMPLE = "0000-00-00T00:00:00+00:00";

/** Paths of a language's sitemap pages (page 1 is `sitemap.xml`, then `sitemap-2.xml`, ...) and its news sitemap. */
export function sitemapPath(lang: string, page: number): string {
  return page === 1 ? `/${lang}/sitemap.xml` : `/${lang}/sitemap-${page}.xml`;
}

export function newsSitemapPath(lang: string): string {
  return `/${lang}/news-sitemap.xml`;
}

/** One URL of a sitemap page: its location, last change, and the alternates (hreflang -> URL) it lists. */
export interface SitemapUrl {
  loc: string;
  lastmod?: string;
  alternates: { hreflang: string; href: string }[];
}

const loc = (url: string) => xmlText(url);
const fits = (url: string) => loc(url).length <= MAX_LOC_LENGTH && xmlAttribute(url).length <= MAX_LOC_LENGTH;

/** The bytes one URL entry can take at most, whatever its data: what page sizes are worked out from. */
function entryBound(site: Site): number {
  const languages = site.settings.languages;
  const longestTag = Math.max("x-default".length, ...languages.map((l) => l.tag.length));
  const link = `<xhtml:link rel="alternate" hreflang="" href=""/>\n`.length + longestTag + MAX_LOC_LENGTH;
  const url = `<url><loc></loc><lastmod>${LASTMOD_SAMPLE}</lastmod>\n</url>\n`.length + MAX_LOC_LENGTH;
  // Every language's edition, and x-default.
  return url + (languages.length + 1) * link;
}

/** The listing pages page 1 of a language's sitemap holds first: the language's home and each section. */
export function listingCount(language: LanguageSettings): number {
  return 1 + language.sections.length;
}

/**
 * Articles per sitemap page, so that no page can pass 50 000 URLs or 50 MiB whatever its URLs (each
 * under 2 048 characters, every language an alternate): page 1 holds the listing pages as well.
 */
export function articlesPerSitemap(site: Site): number {
  const listings = Math.max(...site.settings.languages.map(listingCount));
  const byBytes = Math.floor((MAX_SITEMAP_BYTES - HEAD.length - URLSET_OPEN.length - URLSET_CLOSE.length) / entryBound(site));
  return Math.min(MAX_SITEMAP_URLS, byBytes) - listings;
}

/**
 * The alternates of one story's editions, the same list on every edition: each edition in a language
 * of the site, in the site's language order, and `x-default`, the edition in the earliest of the
 * site's languages that the story has (the default language's when it has one). A story with one
 * edition lists itself, as every edition does.
 */
export function storyAlternates(site: Site, editions: readonly { lang: string; url: string }[]): SitemapUrl["alternates"] {
  const order = new Map(site.settings.languages.map((l, i) => [l.tag, i]));
  const known = editions.filter((e) => order.has(e.lang) && fits(e.url)).sort((a, b) => order.get(a.lang)! - order.get(b.lang)!);
  if (known.length === 0) return [];
  return [...known.map((e) => ({ hreflang: e.lang, href: e.url })), { hreflang: "x-default", href: known[0]!.url }];
}

/** W3C Datetime of an instant given in ms, in UTC, to the second. */
function utcDatetime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** The URL entries of an article page of a sitemap; an article whose URL is too long for a `loc` is left out. */
export function articleUrls(site: Site, entries: readonly SitemapEntry[]): SitemapUrl[] {
  return entries
    .filter((e) => fits(e.url))
    .map((e) => ({ loc: e.url, lastmod: e.updated.iso, alternates: storyAlternates(site, e.editions) }));
}

/**
 * The listing pages of a language (its home, then each section), each with the same page in every
 * language that has it as alternates; `updatedMs` gives each one's newest article (its lastmod) by
 * section slug, '' for the home, and none for a page without articles.
 */
export function listingUrls(site: Site, language: LanguageSettings, updatedMs: ReadonlyMap<string, number>): SitemapUrl[] {
  const { languages } = site.settings;
  const page = (lang: string, section?: string) => `${site.siteUrl}${feedDirectory(lang, section)}`;
  const urls: SitemapUrl[] = [];
  for (const section of [undefined, ...language.sections.map((s) => s.slug)]) {
    const having = languages.filter((l) => section === undefined || l.sections.some((s) => s.slug === section));
    const updated = updatedMs.get(section ?? "");
    urls.push({
      loc: page(language.tag, section),
      ...(updated === undefined ? {} : { lastmod: utcDatetime(updated) }),
      alternates: storyAlternates(
        site,
        having.map((l) => ({ lang: l.tag, url: page(l.tag, section) })),
      ),
    });
  }
  return urls.filter((u) => fits(u.loc));
}

/** A `<urlset>` of URLs with their hreflang alternates. */
export function renderSitemap(urls: readonly SitemapUrl[]): string {
  const parts = [HEAD, URLSET_OPEN];
  for (const url of urls) {
    parts.push(`<url><loc>${loc(url.loc)}</loc>${url.lastmod ? `<lastmod>${url.lastmod}</lastmod>` : ""}\n`);
    for (const a of url.alternates)
      parts.push(`<xhtml:link rel="alternate" hreflang="${xmlAttribute(a.hreflang)}" href="${xmlAttribute(a.href)}"/>\n`);
    parts.push("</url>\n");
  }
  parts.push(URLSET_CLOSE);
  return parts.join("");
}

/** A `<sitemapindex>` of sitemap URLs (no lastmod: see docs/sitemaps.md). */
export function renderSitemapIndex(locs: readonly string[]): string {
  const items = locs.map((l) => `<sitemap><loc>${loc(l)}</loc></sitemap>\n`).join("");
  return `${HEAD}<sitemapindex xmlns="${SITEMAP_NS}">\n${items}</sitemapindex>\n`;
}

/**
 * The language of a publication as Google News takes it: an ISO 639 code (two or three letters), except
 * Chinese, which is `zh-cn` (Simplified) or `zh-tw` (Traditional). A Chinese tag names its script
 * (`zh-Hans`, `zh-Hant`) or else a region (`zh-TW`, `zh-HK` and `zh-MO` are Traditional); plain `zh` is Simplified.
 */
export function newsLanguage(tag: string): string {
  const [primary = "", ...rest] = tag.toLowerCase().split("-");
  if (primary !== "zh") return primary;
  const script = rest.find((s) => s.length === 4);
  if (script) return script === "hant" ? "zh-tw" : "zh-cn";
  return rest.some((s) => s === "tw" || s === "hk" || s === "mo") ? "zh-tw" : "zh-cn";
}

/** A news sitemap of one language edition: its publication's name (the edition's title) and language, each article's date and title. */
export function renderNewsSitemap(language: LanguageSettings, entries: readonly NewsEntry[]): string {
  const publication = `<news:publication><news:name>${xmlText(language.title)}</news:name><news:language>${newsLanguage(language.tag)}</news:language></news:publication>`;
  const parts = [HEAD, `<urlset xmlns="${SITEMAP_NS}" xmlns:news="${NEWS_NS}">\n`];
  for (const e of entries.slice(0, MAX_NEWS_URLS)) {
    if (!fits(e.url)) continue;
    parts.push(
      `<url><loc>${loc(e.url)}</loc><news:news>${publication}<news:publication_date>${e.published.iso}</news:publication_date>` +
        `<news:title>${xmlText(e.title)}</news:title></news:news></url>\n`,
    );
  }
  parts.push(URLSET_CLOSE);
  return parts.join("");
}
