/**
 * RSS 2.0 (https://www.rssboard.org/rss-specification) and 0.91-0.94, read with the extensions
 * publishers add: content:encoded, Dublin Core, Media RSS and `atom:link rel="alternate" hreflang`.
 * The item reader is shared with RSS 1.0 (rdf.ts), whose items carry the same modules.
 */
import type { IncomingImage, IncomingItem, ParsedDocument } from "../incoming.ts";
import {
  fail,
  isImageType,
  makeItem,
  mergeAuthors,
  nonBlank,
  parseAuthorText,
  pickImage,
  resolveUrl,
  trimmed,
  wholeNumber,
} from "./document.ts";
import { allTexts, atomLinkEditions, CONVENTIONAL_PREFIXES, mediaImages, mediaThumbnails, NS } from "./modules.ts";
import { attribute, child, children, childText, namesOf, textOf, xmlBase, type Names, type XmlElement, type XmlNode } from "./xml.ts";

export function parseRss(root: XmlElement, format: "rss2" | "rss09", documentUrl: string): ParsedDocument {
  const n = namesOf(root, CONVENTIONAL_PREFIXES);
  const channel = child(root, "channel");
  if (channel === undefined) fail(documentUrl, "an RSS document without a <channel> element");
  const lang = trimmed(childText(channel, "language")) ?? trimmed(childText(channel, n(NS.dc, "language"))) ?? documentLang(root, channel);
  const base = channelBase(root, channel, childText(channel, "link"), documentUrl);
  const { items, problems } = readRssItems(children(channel, "item"), { n, core: (name) => name, base, lang });
  return { kind: "feed", format, title: trimmed(childText(channel, "title")), lang, items, problems };
}

/** xml:lang on the channel or the root element. */
export function documentLang(root: XmlNode, channel: XmlNode): string | undefined {
  return trimmed(attribute(channel, "xml:lang")) ?? trimmed(attribute(root, "xml:lang"));
}

/**
 * The base for an RSS channel's relative URLs: an xml:base on the root or channel when there is one,
 * else the channel's link (the site the items belong to) resolved against the document's URL, else
 * the document's URL.
 */
export function channelBase(root: XmlNode, channel: XmlNode, channelLink: string | undefined, documentUrl: string): string {
  if (attribute(root, "xml:base") !== undefined || attribute(channel, "xml:base") !== undefined) {
    return xmlBase(channel, xmlBase(root, documentUrl));
  }
  return resolveUrl(channelLink, documentUrl) ?? documentUrl;
}

export interface RssContext {
  n: Names;
  /** The name of a core element (`item`, `title`, `link`): unqualified in RSS 2.0, in the RSS 1.0 namespace in RDF. */
  core: (localName: string) => string;
  base: string;
  lang: string | undefined;
}

/**
 * Items of an RSS feed of any version. The key is the guid (RSS 2.0), the rdf:about (RSS 1.0) or the
 * link; an item with none of them cannot be told apart from the next one, so it is left out and
 * reported, never keyed by its title.
 */
export function readRssItems(nodes: XmlNode[], context: RssContext): { items: IncomingItem[]; problems: string[] } {
  const { n, core } = context;
  const items: IncomingItem[] = [];
  const problems: string[] = [];
  nodes.forEach((node, index) => {
    const baseUrl = xmlBase(node, context.base);
    const title = trimmed(childText(node, core("title")));
    const guidNode = child(node, "guid");
    const guid = trimmed(textOf(guidNode));
    const link = trimmed(childText(node, core("link")));
    // A guid is a permalink unless it says otherwise (https://www.rssboard.org/rss-profile#element-channel-item-guid).
    const guidIsLink = guid !== undefined && attribute(guidNode, "isPermaLink")?.trim() !== "false" && /^https?:\/\//i.test(guid);
    const url = link ?? (guidIsLink ? guid : undefined);
    const key = guid ?? trimmed(attribute(node, n(NS.rdf, "about"))) ?? resolveUrl(url, baseUrl);
    if (key === undefined) {
      const named = title === undefined ? `item ${index + 1}` : `item ${index + 1} ("${title}")`;
      problems.push(
        link === undefined
          ? `${named} has neither a guid nor a link; skipped`
          : `${named} has no guid and its link "${link}" is not an http(s) URL; skipped`,
      );
      return;
    }
    const description = nonBlank(childText(node, core("description")));
    const encoded = nonBlank(childText(node, n(NS.content, "encoded")));
    const categories = [...allTexts(node, "category"), ...allTexts(node, n(NS.dc, "subject"))];
    items.push(
      makeItem({
        key,
        url,
        baseUrl,
        lang: trimmed(childText(node, n(NS.dc, "language"))) ?? trimmed(attribute(node, "xml:lang")) ?? context.lang,
        sections: categories,
        title,
        // Without content:encoded the description is all the body there is.
        summaryHtml: encoded === undefined ? undefined : description,
        contentHtml: encoded ?? description,
        authors: mergeAuthors([
          ...allTexts(node, n(NS.dc, "creator")).map((name) => ({ name })),
          ...children(node, "author").flatMap((author) => parseAuthorText(textOf(author)) ?? []),
        ]),
        tags: categories,
        image: pickImage([...mediaImages(node, n), ...enclosureImages(node), ...mediaThumbnails(node, n)]),
        published: trimmed(childText(node, "pubDate")) ?? trimmed(childText(node, n(NS.dc, "date"))),
        updated:
          trimmed(childText(node, n(NS.atom, "updated"))) ??
          trimmed(childText(node, n(NS.dcterms, "modified"))) ??
          trimmed(childText(node, n(NS.dc, "modified"))),
        editions: atomLinkEditions(node, n, url),
      }),
    );
  });
  return { items, problems };
}

function enclosureImages(item: XmlNode): IncomingImage[] {
  return children(item, "enclosure").flatMap((enclosure) => {
    const url = trimmed(attribute(enclosure, "url"));
    const type = trimmed(attribute(enclosure, "type"));
    return url !== undefined && isImageType(type) ? [{ url, type, length: wholeNumber(attribute(enclosure, "length")) }] : [];
  });
}
