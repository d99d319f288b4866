/**
 * Sitemaps (https://www.sitemaps.org/protocol.html): a `urlset` of pages or a `sitemapindex` of
 * sitemaps, with the Google News extension (https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap)
 * and `xhtml:link rel="alternate" hreflang` for the other language editions of a page.
 */
import type { IncomingEdition, ParsedDocument, SitemapPage } from "../incoming.ts";
import { definedOnly, resolveUrl, trimmed } from "./document.ts";
import { NS, qualifiedName } from "./namespaces.ts";
import { attribute, child, children, childText, type XmlElement } from "./xml.ts";

/** Entries without a usable `loc` (absent, or not an http(s) URL) are left out: there is nothing to fetch. */
export function parseSitemap(root: XmlElement, isIndex: boolean, documentUrl: string): ParsedDocument {
  const loc = (entry: XmlElement | string) => resolveUrl(childText(entry, "loc"), documentUrl);
  if (isIndex) {
    return { kind: "sitemap", pages: [], sitemaps: children(root, "sitemap").flatMap((entry) => loc(entry) ?? []) };
  }
  const n = qualifiedName;
  const pages = children(root, "url").flatMap((entry): SitemapPage[] => {
    const url = loc(entry);
    if (url === undefined) return [];
    const news = child(entry, n(NS.news, "news"));
    let ownLang: string | undefined;
    const editions: IncomingEdition[] = [];
    for (const link of children(entry, n(NS.xhtml, "link"))) {
      const href = resolveUrl(attribute(link, "href"), documentUrl);
      const lang = trimmed(attribute(link, "hreflang"));
      if (href === undefined || lang === undefined || attribute(link, "rel")?.trim() !== "alternate" || lang === "x-default") continue;
      // Google asks each entry to list itself among its alternates: that one names the page's language.
      if (href === url) ownLang ??= lang;
      else editions.push({ url: href, lang });
    }
    return [
      definedOnly<SitemapPage>({
        url,
        // A news entry rarely has a lastmod; its publication date is the change that matters.
        lastmod: trimmed(childText(entry, "lastmod")) ?? trimmed(childText(news, n(NS.news, "publication_date"))),
        lang: trimmed(childText(child(news, n(NS.news, "publication")), n(NS.news, "language"))) ?? ownLang,
        editions,
      }),
    ];
  });
  return { kind: "sitemap", pages, sitemaps: [] };
}
