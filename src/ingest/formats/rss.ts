/**
 * RSS 2.0 (https://www.rssboard.org/rss-specification) and 0.91-0.94, read with the extensions
 * publishers add: content:encoded, Dublin Core, Media RSS and `atom:link rel="alternate" hreflang`.
 * The item reader is shared with RSS 1.0 (rdf.ts), whose items carry the same modules.
 */
import type { IncomingImage, IncomingItem, ParsedDocument } from "../incoming.ts";
import {
  decodeHtmlEntities,
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
import { allTexts, atomLinkEditions, atomPageLink, mediaDescription, mediaImages, mediaThumbnails, NS } from "./modules.ts";
import { qualifiedName } from "./namespaces.ts";
import { attribute, child, children, childText, rawContent, textOf, xmlBase, type Names, type XmlElement, type XmlNode } from "./xml.ts";

export function parseRss(root: XmlElement, format: "rss2" | "rss09", documentUrl: string): ParsedDocument {
  const n = qualifiedName;
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
    const lang = trimmed(childText(node, n(NS.dc, "language"))) ?? trimmed(attribute(node, "xml:lang")) ?? context.lang;
    const title = rssTitle(childText(node, core("title")));
    const guidNode = child(node, "guid");
    const guid = trimmed(textOf(guidNode));
    // The item's page: its link, else an atom:link to it (.NET writes only `a10:link`), else a guid
    // that is a permalink, as it is unless it says otherwise (https://www.rssboard.org/rss-profile#element-channel-item-guid).
    const link = trimmed(childText(node, core("link"))) ?? atomPageLink(node, n, lang);
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
    const description = descriptionHtml(child(node, core("description")));
    const encoded = nonBlank(childText(node, n(NS.content, "encoded")));
    const categories = [...allTexts(node, "category"), ...allTexts(node, n(NS.dc, "subject"))];
    // Without content:encoded the description is all the body there is; without either, the body is
    // in whichever element the publisher's software writes (RSS 1.0's dc:description, a video
    // platform's media:description, a podcast's itunes:summary or subtitle), or there is none (a headline).
    const body =
      encoded !== undefined
        ? { contentHtml: encoded, summaryHtml: description }
        : description !== undefined
          ? { contentHtml: description }
          : (htmlOrText(childText(node, n(NS.dc, "description")), (b) => HTML_TAG.test(b) || CHARACTER_REFERENCE.test(b)) ??
            mediaDescription(node, n) ??
            htmlOrText(childText(node, n(NS.itunes, "summary")), (b) => HTML_TAG.test(b)) ??
            htmlOrText(childText(node, n(NS.itunes, "subtitle")), () => false));
    items.push(
      makeItem({
        key,
        url,
        linkFromGuid: link === undefined && url !== undefined ? true : undefined,
        baseUrl,
        lang,
        sections: categories,
        title,
        ...body,
        authors: mergeAuthors([
          ...allTexts(node, n(NS.dc, "creator")).map((name) => ({ name })),
          ...children(node, "author").flatMap((author) => parseAuthorText(textOf(author)) ?? []),
        ]),
        tags: categories,
        image: pickImage([...mediaImages(node, n), ...enclosureImages(node), ...mediaThumbnails(node, n)]),
        published:
          trimmed(childText(node, "pubDate")) ??
          trimmed(childText(node, n(NS.dc, "date"))) ??
          trimmed(childText(node, n(NS.atom, "published"))),
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

// A character reference, numeric or named, as an HTML-escaped text still carries it once decoded.
const CHARACTER_REFERENCE = /&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});/;

/**
 * An RSS title. Publishers escape titles as HTML and then once more as XML (`&amp;#163;300m`), and
 * readers show the character: references left after the XML decoding are decoded once more, unless
 * that would turn the text into markup (`&amp;lt;b&amp;gt;` stays as written).
 */
export function rssTitle(text: string | undefined): string | undefined {
  const title = trimmed(text);
  if (title === undefined || !CHARACTER_REFERENCE.test(title)) return title;
  const decoded = decodeHtmlEntities(title);
  return decoded.includes("<") ? title : trimmed(decoded);
}

/** An RSS description: HTML, escaped (the usual) or written as raw markup inside the element. */
function descriptionHtml(node: XmlNode | undefined): string | undefined {
  const content = rawContent(node);
  return content === undefined ? undefined : nonBlank(content.value);
}

const HTML_TAG = /<\/?[a-zA-Z][^<>]*>/;

/**
 * A body element whose value may be HTML or plain text (dc:description, itunes:summary): HTML when
 * `isHtml` says so, else text, escaped later with its paragraphs kept.
 */
function htmlOrText(
  value: string | undefined,
  isHtml: (body: string) => boolean,
): Pick<IncomingItem, "contentHtml" | "contentText"> | undefined {
  const body = nonBlank(value);
  if (body === undefined) return undefined;
  return isHtml(body) ? { contentHtml: body } : { contentText: body };
}

function enclosureImages(item: XmlNode): IncomingImage[] {
  return children(item, "enclosure").flatMap((enclosure) => {
    const url = trimmed(attribute(enclosure, "url"));
    const type = trimmed(attribute(enclosure, "type"));
    return url !== undefined && isImageType(type) ? [{ url, type, length: wholeNumber(attribute(enclosure, "length")) }] : [];
  });
}
