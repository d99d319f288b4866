/**
 * XML for the upstream parsers: a safety scan before anything is parsed, fast-xml-parser configured
 * once, and small readers over the tree it returns (https://www.w3.org/TR/xml/).
 */
import { XMLParser, XMLValidator, type EntityDecoderOptions } from "fast-xml-parser";
import { fail, MAX_ITEMS, MAX_SITEMAP_URLS, resolveUrl } from "./document.ts";

/** Elements may nest this deep (the root is level 1); feeds need about six, XHTML content a few more. */
export const MAX_DEPTH = 200;
/**
 * Attributes one element may carry: a feed's root with its namespace declarations needs a few dozen.
 * fast-xml-parser copies each element's attributes several times over (more than 1 KB and 20 µs apiece
 * when one element has 200 000 of them), so more are refused before parsing.
 */
export const MAX_ATTRIBUTES = 256;

/** What fast-xml-parser returns for an element: its text alone, or its attributes (`@_name`), children and `#text`. */
export type XmlNode = string | XmlElement;
export interface XmlElement {
  readonly [name: string]: XmlNode | XmlNode[] | undefined;
}

/** The document element, its tag as written and its namespace URI. */
export interface XmlRoot {
  name: string;
  localName: string;
  namespace: string | undefined;
  element: XmlElement;
}

/**
 * The five predefined entities and numeric character references, nothing else. fast-xml-parser's own
 * decoder leaves numeric references undecoded unless `htmlEntities` is on, and that also turns on
 * HTML's named entities, which XML does not have. DOCTYPE entities never reach here: the scan refuses
 * them, and `addInputEntities` keeps nothing.
 */
const XML_ENTITIES: EntityDecoderOptions = {
  setExternalEntities() {},
  addInputEntities() {},
  reset() {},
  setXmlVersion() {},
  decode(text) {
    if (!text.includes("&")) return text;
    return text.replace(
      /&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos));/g,
      (reference, decimal?: string, hex?: string, name?: string) => {
        if (name !== undefined) return PREDEFINED[name]!;
        const codePoint = decimal !== undefined ? Number(decimal) : Number.parseInt(hex!, 16);
        return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : reference;
      },
    );
  },
};
const PREDEFINED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Elements that may repeat, by local name: always arrays, so a feed with one item reads like one with ten. */
const REPEATING = new Set([
  "item",
  "entry",
  "link",
  "category",
  "author",
  "contributor",
  "enclosure",
  "content",
  "thumbnail",
  "creator",
  "subject",
  "url",
  "sitemap",
]);

const localNameOf = (name: string) => name.slice(name.indexOf(":") + 1);

const PARSER = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  parseAttributeValue: false,
  // Kept untrimmed: white space in content and in pre-formatted text is meaningful.
  trimValues: false,
  processEntities: true,
  entityDecoder: XML_ENTITIES,
  // No cdataPropName: without it CDATA sections join the element's text in document order, which is
  // the element's value; with it, text and CDATA land in two properties and their order is lost.
  isArray: (name, _path, _isLeaf, isAttribute) => !isAttribute && REPEATING.has(localNameOf(name)),
  // Atom's XHTML text constructs are markup; kept raw, they stay in document order.
  stopNodes: ["title", "subtitle", "summary", "content", "rights"].flatMap((name) => [
    `..${name}[type=xhtml]`,
    `..atom:${name}[type=xhtml]`,
  ]),
  // The scan has already held the document to MAX_DEPTH; this is the parser's own guard (default 100).
  maxNestedTags: MAX_DEPTH + 1,
});

/**
 * Checks, parses and returns the root of an XML document. Refused before parsing: a DOCTYPE that
 * declares entities or points at an external DTD (billion laughs, XXE), nesting deeper than MAX_DEPTH,
 * an element with more than MAX_ATTRIBUTES attributes, more than MAX_ITEMS items; then the document
 * must be well-formed.
 */
export function parseXml(text: string, documentUrl: string): XmlRoot {
  // White space before the XML declaration is a common publisher slip that readers forgive. The
  // declaration (whose encoding the fetch has already applied) becomes spaces, so that every line and
  // column in a message still points into the document as served.
  const xml = text.replace(/^(\s+)(<\?xml\s[^>]*>)/, (_, space: string, declaration: string) => space + " ".repeat(declaration.length));
  scan(xml, documentUrl);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) fail(documentUrl, `invalid XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  let parsed: XmlElement;
  try {
    parsed = PARSER.parse(xml) as XmlElement;
  } catch (error) {
    fail(documentUrl, `invalid XML: ${(error as Error).message}`);
  }
  const roots = Object.keys(parsed).filter((key) => !key.startsWith("?") && !key.startsWith("#"));
  const value = parsed[roots[0] ?? ""];
  if (roots.length > 1 || Array.isArray(value)) {
    fail(documentUrl, `invalid XML: more than one root element (${roots.map((r) => `<${r}>`).join(", ")})`);
  }
  if (value === undefined) fail(documentUrl, "invalid XML: no root element");
  const name = roots[0]!;
  const element: XmlElement = typeof value === "string" ? {} : value;
  const colon = name.indexOf(":");
  const namespace = attribute(element, colon === -1 ? "xmlns" : `xmlns:${name.slice(0, colon)}`);
  return { name, localName: localNameOf(name), namespace: namespace?.trim(), element };
}

const DOCTYPE_REFUSED = "the document declares entities (DOCTYPE); refused";

/**
 * One pass over the markup, before any parser sees it: refuses DOCTYPEs that declare entities or an
 * external DTD, nesting deeper than MAX_DEPTH, elements with more than MAX_ATTRIBUTES attributes, and
 * more items (or sitemap URLs) than the limit. Text,
 * comments, CDATA and quoted attribute values are skipped, so the cost is one look at each `<`.
 */
function scan(xml: string, documentUrl: string) {
  const at = (index: number) => `line ${countLines(xml, index)}`;
  let depth = 0;
  let rootName: string | undefined;
  let sitemap = false;
  let items = 0;
  for (let i = xml.indexOf("<"); i !== -1; i = xml.indexOf("<", i + 1)) {
    const next = xml.charCodeAt(i + 1);
    if (next === 0x2f /* / */) {
      depth--;
      i = xml.indexOf(">", i);
    } else if (next === 0x3f /* ? */) {
      i = xml.indexOf("?>", i);
    } else if (next === 0x21 /* ! */) {
      if (xml.startsWith("!--", i + 1)) i = xml.indexOf("-->", i);
      else if (xml.startsWith("![CDATA[", i + 1)) i = xml.indexOf("]]>", i);
      // Any `<!D...`, as fast-xml-parser reads a DOCTYPE from those three characters alone.
      else if (/^<!DOCTYPE/i.test(xml.slice(i, i + 9))) {
        if (rootName !== undefined) fail(documentUrl, `invalid XML at ${at(i)}: a DOCTYPE inside the document`);
        i = checkDoctype(xml, i, documentUrl);
      } else if (xml.startsWith("!ENTITY", i + 1)) {
        fail(documentUrl, DOCTYPE_REFUSED);
      }
    } else {
      const end = tagEnd(xml, i);
      if (end !== -1 && quotedValues(xml, i, end) > MAX_ATTRIBUTES) {
        fail(documentUrl, `an element with more than ${MAX_ATTRIBUTES} attributes (at ${at(i)}); refused`);
      }
      const name = /^[^\s/>]*/.exec(xml.slice(i + 1, i + 200))![0];
      if (depth === 0 && rootName === undefined) {
        rootName = name;
        sitemap = name === "urlset" || name === "sitemapindex";
      }
      const selfClosing = end !== -1 && xml.charCodeAt(end - 1) === 0x2f;
      if (!selfClosing && ++depth > MAX_DEPTH) fail(documentUrl, `elements nested deeper than ${MAX_DEPTH} levels (at ${at(i)}); refused`);
      const level = selfClosing ? depth + 1 : depth;
      if (sitemap ? level === 2 : level <= 3 && (localNameOf(name) === "item" || localNameOf(name) === "entry")) {
        if (++items > (sitemap ? MAX_SITEMAP_URLS : MAX_ITEMS)) {
          fail(
            documentUrl,
            sitemap ? `more than ${MAX_SITEMAP_URLS} URLs in one sitemap; refused` : `more than ${MAX_ITEMS} items; refused`,
          );
        }
      }
      i = end;
    }
    // An unclosed comment, tag or section: the validator reports it with its line.
    if (i === -1) return;
  }
}

/** Index of the `>` that closes the tag opened at `start`, stepping over quoted attribute values. */
function tagEnd(xml: string, start: number): number {
  for (let i = start + 1; i < xml.length; i++) {
    const c = xml.charCodeAt(i);
    if (c === 0x22 || c === 0x27) {
      i = xml.indexOf(xml[i]!, i + 1);
      if (i === -1) return -1;
    } else if (c === 0x3e) {
      return i;
    }
  }
  return -1;
}

/** How many quoted values (attribute values) the tag from `start` to its closing `>` at `end` holds. */
function quotedValues(xml: string, start: number, end: number): number {
  let count = 0;
  for (let i = start + 1; i < end; i++) {
    const c = xml.charCodeAt(i);
    if (c === 0x22 || c === 0x27) {
      i = xml.indexOf(xml[i]!, i + 1);
      count++;
    }
  }
  return count;
}

/**
 * A DOCTYPE may stay only when it cannot change the document: no internal subset (where entities are
 * declared) and no external DTD, except the `<!DOCTYPE rss PUBLIC ...>` that RSS 0.91 feeds carry (we
 * never fetch it). Returns the index of its closing `>`.
 */
function checkDoctype(xml: string, start: number, documentUrl: string): number {
  const end = tagEnd(xml, start);
  const declaration = xml.slice(start, end === -1 ? undefined : end + 1);
  const unquoted = declaration.replace(/"[^"]*"|'[^']*'/g, "");
  if (unquoted.includes("[")) fail(documentUrl, DOCTYPE_REFUSED);
  const [, name, externalId] = /^<!DOCTYPE\s+([^\s>]+)(?:\s+(SYSTEM|PUBLIC)\b)?/i.exec(unquoted) ?? [];
  if (externalId !== undefined && !(name === "rss" && externalId === "PUBLIC")) fail(documentUrl, DOCTYPE_REFUSED);
  return end;
}

/** 1-based number of the line holding `index`. */
function countLines(text: string, index: number): number {
  let lines = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) lines++;
  return lines;
}

/** The child elements called `name` (none when `parent` is text or absent). */
export function children(parent: XmlNode | undefined, name: string): XmlNode[] {
  if (parent === undefined || typeof parent === "string") return [];
  const value = parent[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export function child(parent: XmlNode | undefined, name: string): XmlNode | undefined {
  return children(parent, name)[0];
}

/** An element's text, entities decoded and CDATA included; "" for an empty element. */
export function textOf(node: XmlNode | undefined): string | undefined {
  if (node === undefined || typeof node === "string") return node;
  const text = node["#text"];
  return typeof text === "string" ? text : "";
}

export function childText(parent: XmlNode | undefined, name: string): string | undefined {
  return textOf(child(parent, name));
}

export function attribute(node: XmlNode | undefined, name: string): string | undefined {
  if (node === undefined || typeof node === "string") return undefined;
  const value = node[`@_${name}`];
  return typeof value === "string" ? value : undefined;
}

/**
 * Qualified names as this document writes them: the prefix its root declares for a namespace URI, or
 * else the prefix everyone uses (`dc:`), so `creator` in Dublin Core is found whatever it is called.
 */
export type Names = (namespace: string, localName: string) => string;

export function namesOf(root: XmlElement, conventionalPrefixes: Readonly<Record<string, string>>): Names {
  const declared = new Map<string, string>();
  for (const [key, value] of Object.entries(root)) {
    if (typeof value !== "string") continue;
    if (key === "@_xmlns") declared.set(namespaceKey(value), "");
    else if (key.startsWith("@_xmlns:")) declared.set(namespaceKey(value), key.slice("@_xmlns:".length));
  }
  return (namespace, localName) => {
    const prefix = declared.get(namespaceKey(namespace)) ?? conventionalPrefixes[namespace] ?? "";
    return prefix ? `${prefix}:${localName}` : localName;
  };
}

// Publishers drift on the trailing slash of a namespace URI (`http://search.yahoo.com/mrss`).
const namespaceKey = (uri: string) => uri.trim().replace(/\/$/, "");

/** The base for relative URLs inside `node`: its xml:base resolved against the base around it (https://www.w3.org/TR/xmlbase/). */
export function xmlBase(node: XmlNode | undefined, outerBase: string): string {
  const base = attribute(node, "xml:base");
  return base === undefined ? outerBase : (resolveUrl(base, outerBase) ?? outerBase);
}
