/**
 * The one place an upstream document's format is decided: by its content, with the media type as a
 * hint only where the content leaves it open (publishers serve feeds as text/html and challenge pages
 * as application/rss+xml alike).
 */
import type { FeedFormatName, ParsedDocument } from "../incoming.ts";
import { parseAtom } from "./atom.ts";
import { fail } from "./document.ts";
import { parseJsonFeed } from "./json-feed.ts";
import { canonicalPrefix, namespaceKey, NS, qualifiedName } from "./namespaces.ts";
import { parsePage } from "./page.ts";
import { parseRdf } from "./rdf.ts";
import { parseRss } from "./rss.ts";
import { parseSitemap } from "./sitemap.ts";
import { attribute, checkXml, itemRanges, parseXml, qualify, type XmlElement, type XmlRoot } from "./xml.ts";

export { UpstreamError } from "./document.ts";

/** https://www.rssboard.org/rss-version-history */
const RSS_VERSIONS: Readonly<Record<string, "rss2" | "rss09">> = {
  "2.0": "rss2",
  "0.94": "rss09",
  "0.93": "rss09",
  "0.92": "rss09",
  "0.91": "rss09",
};

const JSON_FEED_VERSIONS: Readonly<Record<string, FeedFormatName>> = {
  "https://jsonfeed.org/version/1": "json-feed-1.0",
  "https://jsonfeed.org/version/1.1": "json-feed-1.1",
};

const HTML_MEDIA_TYPES = new Set(["text/html", "application/xhtml+xml"]);
const XML_ROOTS = new Set(["rss", "RDF", "feed", "entry", "urlset", "sitemapindex"]);

/**
 * Parses a feed (RSS 2.0, 0.9x and 1.0, Atom 1.0, JSON Feed 1.0 and 1.1), a sitemap, or an article
 * page. Throws an UpstreamError whose message starts `parse: <documentUrl>:` and says what is wrong.
 */
export function parseUpstream(
  text: string,
  contentType: string,
  documentUrl: string,
  options: { wellFormed?: boolean } = {},
): ParsedDocument {
  const { body, kind } = kindOf(text, contentType, documentUrl);
  if (kind === "json") return parseJson(body, documentUrl);
  if (kind === "html") return parsePage(body, documentUrl);
  return parseXmlDocument(parseXml(body, documentUrl, options), documentUrl);
}

/** The document without its byte order mark, and the parser it goes to. */
function kindOf(text: string, contentType: string, documentUrl: string): { body: string; kind: "json" | "html" | "xml" } {
  // A byte order mark survives decoding as U+FEFF.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const start = body.search(/\S/);
  if (start === -1) fail(documentUrl, "the document is empty");
  const mediaType = contentType.split(";")[0]!.trim().toLowerCase();
  const opening = body.slice(start, start + 4096);
  if (opening.startsWith("{") || (opening.startsWith("[") && /[/+]json$/.test(mediaType))) return { body, kind: "json" };
  if (opening.startsWith("<")) return { body, kind: isHtml(opening, mediaType) ? "html" : "xml" };
  fail(
    documentUrl,
    `neither XML, JSON nor HTML (served as ${contentType || "no media type"}; begins ${JSON.stringify(opening.slice(0, 40))})`,
  );
}

/**
 * A document opened for reading in parts: its head (everything before the first item), the items cut
 * into runs of at most `perPart`, and its tail (everything after the last item), as indexes into the
 * text. Head, one run and tail together make a well-formed document that reads as the whole one does,
 * restricted to those items.
 */
export interface DocumentParts {
  kind: "parts";
  head: number;
  /** Where each part's items begin; a part ends where the next begins, the last at `tail`. */
  cuts: number[];
  tail: number;
  items: number;
}

/**
 * parseUpstream, or, for an RSS or RDF document of more than `perPart` items one after the other, its
 * parts (see DocumentParts): the document checked whole (the scan and well-formedness, as parseUpstream
 * checks it), and each part then read with partOf and parseUpstream's `wellFormed`, so that no part
 * needs the whole document's tree.
 */
export function openUpstream(
  text: string,
  contentType: string,
  documentUrl: string,
  perPart: number,
): { kind: "document"; document: ParsedDocument } | DocumentParts {
  const { body, kind } = kindOf(text, contentType, documentUrl);
  if (kind !== "xml") return { kind: "document", document: parseUpstream(text, contentType, documentUrl) };
  const ranges = itemRanges();
  const xml = checkXml(body, documentUrl, ranges);
  const root = ranges.root.slice(ranges.root.indexOf(":") + 1);
  if (ranges.contiguous && ranges.starts.length > perPart && (root === "rss" || root === "RDF")) {
    const shift = text.length - body.length;
    const cuts: number[] = [];
    for (let i = 0; i < ranges.starts.length; i += perPart) cuts.push(ranges.starts[i]! + shift);
    return { kind: "parts", head: cuts[0]!, cuts, tail: ranges.ends.at(-1)! + shift, items: ranges.starts.length };
  }
  return { kind: "document", document: parseXmlDocument(parseXml(xml, documentUrl, { wellFormed: true }), documentUrl) };
}

/** Part `n` of `parts` as a document of its own (head, its items, tail). */
export function partOf(text: string, parts: DocumentParts, n: number): string {
  return text.slice(0, parts.head) + text.slice(parts.cuts[n], parts.cuts[n + 1] ?? parts.tail) + text.slice(parts.tail);
}

/**
 * HTML when the first markup after any XML declaration and comments is `<!DOCTYPE html` or `<html`;
 * when it is served as HTML, also a page that starts straight with `<head>` or `<meta>`, as long as
 * it does not open with a feed's or sitemap's root element.
 */
function isHtml(opening: string, mediaType: string): boolean {
  let i = 0;
  for (;;) {
    while (i < opening.length && /\s/.test(opening[i]!)) i++;
    const end = opening.startsWith("<?", i)
      ? opening.indexOf("?>", i) + 2
      : opening.startsWith("<!--", i)
        ? opening.indexOf("-->", i) + 3
        : -1;
    if (end <= 1) break;
    i = end;
  }
  const first = /^<(!doctype\s+)?([^\s>/[]+)/i.exec(opening.slice(i, i + 300));
  if (first === null) return HTML_MEDIA_TYPES.has(mediaType);
  const [, doctype, name] = first;
  if (name!.toLowerCase() === "html") return true;
  return doctype === undefined && HTML_MEDIA_TYPES.has(mediaType) && !XML_ROOTS.has(name!.slice(name!.indexOf(":") + 1));
}

function parseJson(body: string, documentUrl: string): ParsedDocument {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    fail(documentUrl, `invalid JSON: ${(error as Error).message}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) fail(documentUrl, "JSON that is not an object, so not a JSON Feed");
  const version = (json as Record<string, unknown>).version;
  // Seen in the wild: http:// and a trailing slash.
  const format =
    typeof version === "string"
      ? JSON_FEED_VERSIONS[
          version
            .trim()
            .replace(/^http:/, "https:")
            .replace(/\/$/, "")
        ]
      : undefined;
  if (format === undefined) {
    fail(
      documentUrl,
      version === undefined
        ? `JSON without a "version", so not a JSON Feed`
        : `JSON Feed version ${JSON.stringify(version)} is neither 1 nor 1.1`,
    );
  }
  return parseJsonFeed(json as Record<string, unknown>, format as "json-feed-1.0" | "json-feed-1.1", documentUrl);
}

function parseXmlDocument(root: XmlRoot, documentUrl: string): ParsedDocument {
  const namespace = root.namespace === undefined || root.namespace === "" ? undefined : root.namespace;
  const is = (uri: string) => namespace !== undefined && namespaceKey(namespace) === namespaceKey(uri);
  const rootName = `<${root.name}>${namespace === undefined ? "" : ` in the namespace ${namespace}`}`;
  // RSS 2.0 is in no namespace; a few generators put it in UserLand's or RSS 1.0's (`<r:rss xmlns:r=...>`).
  if (root.localName === "rss" && (namespace === undefined || canonicalPrefix(namespace) === "")) {
    // A version-less <rss> is read as 2.0, the version every later RSS is compatible with.
    const version = attribute(root.element, "version")?.trim() ?? "2.0";
    const format = RSS_VERSIONS[version];
    if (format === undefined) fail(documentUrl, `RSS version "${version}" is not one of 2.0, 0.94, 0.93, 0.92, 0.91`);
    return parseRss(qualify(root), format, documentUrl);
  }
  if (root.localName === "RDF" && is(NS.rdf)) {
    if (declares(root.element, NS.rss1)) return parseRdf(qualify(root), "rss1", documentUrl);
    if (declares(root.element, NS.rss090)) return parseRdf(qualify(root), "rss09", documentUrl);
    fail(documentUrl, `an RDF document in neither the RSS 1.0 (${NS.rss1}) nor the RSS 0.90 namespace`);
  }
  if (root.localName === "feed" || root.localName === "entry") {
    // Atom 0.3 is read with the names it shares with 1.0 (atom.ts adds its own dates); a feed that
    // forgot its xmlns is read as Atom, as every reader does.
    if (namespace !== undefined && !is(NS.atom) && !is(NS.atom03)) {
      fail(documentUrl, `${rootName}: neither Atom 1.0 (${NS.atom}) nor Atom 0.3 (${NS.atom03})`);
    }
    const element = qualify(root, namespace === undefined ? NS.atom : undefined);
    // An Atom entry document (RFC 4287 section 2) is a feed of that one entry.
    return parseAtom(root.localName === "entry" ? { [qualifiedName(NS.atom, "entry")]: [element] } : element, documentUrl);
  }
  if (root.localName === "urlset" || root.localName === "sitemapindex") {
    return parseSitemap(qualify(root), root.localName === "sitemapindex", documentUrl);
  }
  fail(documentUrl, `unknown root element ${rootName} (expected rss, rdf:RDF, feed, entry, urlset or sitemapindex)`);
}

function declares(element: XmlElement, namespace: string): boolean {
  return Object.entries(element).some(
    ([key, value]) => key.startsWith("@_xmlns") && typeof value === "string" && namespaceKey(value) === namespaceKey(namespace),
  );
}
