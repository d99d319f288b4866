/**
 * Namespaces and extension elements the XML formats share: Dublin Core, content:encoded, Media RSS
 * (https://www.rssboard.org/media-rss) and Atom links inside RSS items.
 */
import type { IncomingEdition, IncomingImage } from "../incoming.ts";
import { isImageType, trimmed, wholeNumber } from "./document.ts";
import { attribute, children, childText, textOf, type Names, type XmlNode } from "./xml.ts";

export const NS = {
  atom: "http://www.w3.org/2005/Atom",
  atom03: "http://purl.org/atom/ns#",
  content: "http://purl.org/rss/1.0/modules/content/",
  dc: "http://purl.org/dc/elements/1.1/",
  dcterms: "http://purl.org/dc/terms/",
  media: "http://search.yahoo.com/mrss/",
  rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
  rss1: "http://purl.org/rss/1.0/",
  rss090: "http://my.netscape.com/rdf/simple/0.9/",
  news: "http://www.google.com/schemas/sitemap-news/0.9",
  xhtml: "http://www.w3.org/1999/xhtml",
} as const;

/** The prefixes publishers use, for a document that declares a namespace below its root or not at all. */
export const CONVENTIONAL_PREFIXES: Readonly<Record<string, string>> = {
  [NS.atom]: "atom",
  [NS.content]: "content",
  [NS.dc]: "dc",
  [NS.dcterms]: "dcterms",
  [NS.media]: "media",
  [NS.rdf]: "rdf",
  [NS.news]: "news",
  [NS.xhtml]: "xhtml",
};

/** Images among an item's media:content elements, loose or in a media:group, in document order. */
export function mediaImages(item: XmlNode, n: Names): IncomingImage[] {
  const contents = [
    ...children(item, n(NS.media, "content")),
    ...children(item, n(NS.media, "group")).flatMap((group) => children(group, n(NS.media, "content"))),
  ];
  const images: IncomingImage[] = [];
  for (const content of contents) {
    const url = trimmed(attribute(content, "url"));
    const type = trimmed(attribute(content, "type"));
    if (url === undefined || !(attribute(content, "medium") === "image" || isImageType(type))) continue;
    images.push({
      url,
      type,
      length: wholeNumber(attribute(content, "fileSize")),
      width: wholeNumber(attribute(content, "width")),
      height: wholeNumber(attribute(content, "height")),
      alt: trimmed(childText(content, n(NS.media, "description")) ?? childText(content, n(NS.media, "title"))),
    });
  }
  return images;
}

/** An item's media:thumbnail images: small, so the last choice. */
export function mediaThumbnails(item: XmlNode, n: Names): IncomingImage[] {
  const thumbnails = [
    ...children(item, n(NS.media, "thumbnail")),
    ...children(item, n(NS.media, "group")).flatMap((group) => children(group, n(NS.media, "thumbnail"))),
  ];
  return thumbnails.flatMap((thumbnail) => {
    const url = trimmed(attribute(thumbnail, "url"));
    return url === undefined
      ? []
      : [{ url, width: wholeNumber(attribute(thumbnail, "width")), height: wholeNumber(attribute(thumbnail, "height")) }];
  });
}

/**
 * Other editions an RSS item links with `atom:link rel="alternate" hreflang` (as our own RSS does); a
 * link to the item's own page is not another edition.
 */
export function atomLinkEditions(item: XmlNode, n: Names, ownUrl: string | undefined): IncomingEdition[] {
  return children(item, n(NS.atom, "link")).flatMap((link) => {
    const url = trimmed(attribute(link, "href"));
    const lang = trimmed(attribute(link, "hreflang"));
    if (url === undefined || lang === undefined || (attribute(link, "rel") ?? "alternate") !== "alternate" || url === ownUrl) return [];
    return [{ url, lang }];
  });
}

/** The texts of every `name` child, trimmed, empty ones left out. */
export function allTexts(parent: XmlNode, name: string): string[] {
  return children(parent, name).flatMap((node) => trimmed(textOf(node)) ?? []);
}
