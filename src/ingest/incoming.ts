/**
 * What a source yields before normalization: an item as its document states it. Strings are as found
 * (entities decoded by the parser, nothing else done); normalize.ts turns one into an article.
 */

export interface IncomingAuthor {
  name?: string;
  email?: string;
  url?: string;
}

export interface IncomingImage {
  url: string;
  type?: string;
  length?: number;
  width?: number;
  height?: number;
  alt?: string;
  caption?: string;
  credit?: string;
  copyright?: string;
}

/** A link from an item to another language edition of the same story. */
export interface IncomingEdition {
  /** URL of the other edition's page (hreflang link, workTranslation url, JSON Feed translation). */
  url?: string;
  /** Id of the other edition, where the source names it by id. */
  id?: string;
  lang?: string;
}

export interface IncomingItem {
  /** The item's identity within its source: guid, Atom id, JSON Feed id, or else its canonical URL. */
  key: string;
  /** Canonical URL of the article page, as found (may be relative to `baseUrl`). */
  url?: string;
  /** True when `url` is the item's guid, its document giving no link (a fallback the run report counts). */
  linkFromGuid?: boolean;
  /** Base for relative URLs in this item: xml:base, the document's link or the document's own URL. */
  baseUrl: string;
  /** Language tag as found on the item, or the document's. */
  lang?: string;
  /** Section or category names as found (the source's section mapping picks ours). */
  sections: string[];
  title?: string;
  /** Plain-text summary, when the document has one as text. */
  summaryText?: string;
  /** Summary given as HTML (RSS description, Atom summary type="html"). */
  summaryHtml?: string;
  /** The body as HTML, or as plain text (paragraphs at blank lines); an item may have neither (a headline). */
  contentHtml?: string;
  contentText?: string;
  authors: IncomingAuthor[];
  tags: string[];
  image?: IncomingImage;
  /** Date texts as found; normalize.ts reads RFC 822, RFC 3339 and common broken forms. */
  published?: string;
  updated?: string;
  editions: IncomingEdition[];
  /** Corrections the publisher states (the push API's `corrections`): date texts as found, plain text. */
  corrections?: IncomingCorrection[];
}

export interface IncomingCorrection {
  date: string;
  text: string;
}

/** A parsed upstream document: a feed's items, a sitemap's URLs, or one article page. */
export type ParsedDocument =
  | {
      kind: "feed";
      format: FeedFormatName;
      title?: string;
      lang?: string;
      items: IncomingItem[];
      /** What the parser passed over and why (an item with neither guid nor link), for the run report. */
      problems?: string[];
    }
  | { kind: "sitemap"; pages: SitemapPage[]; sitemaps: string[] }
  | { kind: "article-page"; item: IncomingItem };

export type FeedFormatName = "rss2" | "rss09" | "rss1" | "atom" | "json-feed-1.0" | "json-feed-1.1";

export interface SitemapPage {
  url: string;
  lastmod?: string;
  /** From a Google News sitemap's news:language or an xhtml:link hreflang on the entry. */
  lang?: string;
  /** Other editions listed beside it with xhtml:link rel="alternate" hreflang. */
  editions: IncomingEdition[];
}
