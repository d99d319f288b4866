/**
 * Namespaces and extension elements the XML formats share: Dublin Core, content:encoded, Media RSS
 * (https://www.rssboard.org/media-rss) and Atom links inside RSS items.
 */
import type { IncomingEdition, IncomingImage } from "../incoming.ts";
import { isImageType, trimmed, wholeNumber } from "./document.ts";
import { NS } from "./namespaces.ts";
import { attribute, child, children, childText, textOf, type Names, type XmlNode } from "./xml.ts";

export { NS };

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
    const description = trimmed(childText(content, n(NS.media, "description")));
    const title = trimmed(childText(content, n(NS.media, "title")));
    const credit = trimmed(childText(content, n(NS.media, "credit")));
    const copyright = trimmed(childText(content, n(NS.media, "copyright")));
    images.push({
      url,
      type,
      length: wholeNumber(attribute(content, "fileSize")),
      width: wholeNumber(attribute(content, "width")),
      height: wholeNumber(attribute(content, "height")),
      // The description is the alt text; beside one, the title is the caption (as our own feeds write
      // them); alone, the title is the best alt text there is.
      alt: description ?? title,
      ...(description !== undefined && title !== undefined ? { caption: title } : {}),
      ...(credit !== undefined ? { credit } : {}),
      ...(copyright !== undefined ? { copyright } : {}),
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

/**
 * The page an RSS item links with `atom:link` (rel="alternate" or no rel) in its own language or
 * none: the only link some generators write (.NET's SyndicationFeed, as `a10:link`).
 */
export function atomPageLink(item: XmlNode, n: Names, lang: string | undefined): string | undefined {
  for (const link of children(item, n(NS.atom, "link"))) {
    const href = trimmed(attribute(link, "href"));
    const hreflang = trimmed(attribute(link, "hreflang"));
    const rel = trimmed(attribute(link, "rel")) ?? "alternate";
    if (href === undefined || rel !== "alternate") continue;
    if (hreflang === undefined || (lang !== undefined && hreflang.toLowerCase() === lang.toLowerCase())) return href;
  }
  return undefined;
}

/**
 * Media RSS's description of an item (on the item, in its media:group or on a media:content), the
 * only text a video platform's feed carries: plain text unless `type="html"`.
 */
export function mediaDescription(item: XmlNode, n: Names): { contentHtml: string } | { contentText: string } | undefined {
  const holders = [
    item,
    ...children(item, n(NS.media, "group")),
    ...children(item, n(NS.media, "content")),
    ...children(item, n(NS.media, "group")).flatMap((group) => children(group, n(NS.media, "content"))),
  ];
  for (const holder of holders) {
    const description = child(holder, n(NS.media, "description"));
    const text = textOf(description);
    if (text === undefined || !/\S/.test(text)) continue;
    return attribute(description, "type")?.trim().toLowerCase() === "html" ? { contentHtml: text } : { contentText: text };
  }
  return undefined;
}

/** The texts of every `name` child, trimmed, empty ones left out. */
export function allTexts(parent: XmlNode, name: string): string[] {
  return children(parent, name).flatMap((node) => trimmed(textOf(node)) ?? []);
}
