/**
 * The XML namespaces the parsers read, and the one name each gets in a parsed tree whatever prefix a
 * document binds it to (https://www.w3.org/TR/xml-names/): elements are found by namespace URI, never
 * by the prefix a publisher happened to choose.
 */
import { trimEndMatching } from "../../model/text.ts";

export const NS = {
  atom: "http://www.w3.org/2005/Atom",
  atom03: "http://purl.org/atom/ns#",
  content: "http://purl.org/rss/1.0/modules/content/",
  dc: "http://purl.org/dc/elements/1.1/",
  dcterms: "http://purl.org/dc/terms/",
  itunes: "http://www.itunes.com/dtds/podcast-1.0.dtd",
  media: "http://search.yahoo.com/mrss/",
  rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
  rss1: "http://purl.org/rss/1.0/",
  rss090: "http://my.netscape.com/rdf/simple/0.9/",
  /** RSS 2.0 has no namespace, but UserLand's own documents put it in these two. */
  userlandRss: "http://backend.userland.com/rss",
  userlandRss2: "http://backend.userland.com/rss2",
  news: "http://www.google.com/schemas/sitemap-news/0.9",
  sitemap: "http://www.sitemaps.org/schemas/sitemap/0.9",
  xhtml: "http://www.w3.org/1999/xhtml",
} as const;

/**
 * The prefix each known namespace is written with in a parsed tree ("" for none). RSS's core elements,
 * in no namespace in 2.0 and in the RSS 1.0 or 0.90 namespace in RDF, all read unprefixed, as do a
 * sitemap's. Atom 0.3 reads as Atom 1.0, whose names it mostly shares.
 */
export const CANONICAL_PREFIXES: ReadonlyMap<string, string> = new Map([
  [NS.atom, "atom"],
  [NS.atom03, "atom"],
  [NS.content, "content"],
  [NS.dc, "dc"],
  [NS.dcterms, "dcterms"],
  [NS.itunes, "itunes"],
  [NS.media, "media"],
  [NS.rdf, "rdf"],
  [NS.rss1, ""],
  [NS.rss090, ""],
  [NS.userlandRss, ""],
  [NS.userlandRss2, ""],
  [NS.news, "news"],
  [NS.sitemap, ""],
  [NS.xhtml, "xhtml"],
]);

/**
 * A namespace URI as compared: publishers drift on its trailing slash (`http://search.yahoo.com/mrss`),
 * its case (`http://www.itunes.com/DTDs/Podcast-1.0.dtd`) and its scheme (`https://www.w3.org/2005/Atom`).
 */
export function namespaceKey(uri: string): string {
  return trimEndMatching(
    uri
      .trim()
      .toLowerCase()
      .replace(/^https?:\/\//, ""),
    /[/#]/,
  );
}

const BY_KEY = new Map([...CANONICAL_PREFIXES].map(([uri, prefix]) => [namespaceKey(uri), prefix]));

/** The prefix a namespace is read under, or undefined for a namespace no parser reads. */
export function canonicalPrefix(uri: string): string | undefined {
  return BY_KEY.get(namespaceKey(uri));
}

/**
 * The name an element or attribute of `namespace` called `localName` has in a parsed tree: the
 * canonical prefix, or for a namespace no parser knows, the Clark form `{uri}local` (no XML name
 * contains a brace, so it never meets a name a parser looks for).
 */
export function qualifiedName(namespace: string, localName: string): string {
  const prefix = canonicalPrefix(namespace);
  if (prefix === undefined) return `{${namespace.trim()}}${localName}`;
  return prefix ? `${prefix}:${localName}` : localName;
}
