/**
 * XML for the upstream parsers: a safety scan before anything is parsed, fast-xml-parser configured
 * once, and small readers over the tree it returns (https://www.w3.org/TR/xml/).
 */
import { XMLParser, XMLValidator, type EntityDecoderOptions, type X2jOptions } from "fast-xml-parser";
import { escapeHtml } from "../../model/escape.ts";
import { fail, MAX_ITEMS, MAX_SITEMAP_URLS, resolveUrl } from "./document.ts";
import { canonicalPrefix, namespaceKey, NS, qualifiedName } from "./namespaces.ts";

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

/** The document element, its tag as written and its namespace URI; `element` holds names as written (see qualify). */
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

const PARSER_OPTIONS: Partial<X2jOptions> = {
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
  // The scan has already held the document to MAX_DEPTH; this is the parser's own guard (default 100).
  maxNestedTags: MAX_DEPTH + 1,
};

/** Atom's text constructs, whose `type="xhtml"` value is markup: kept raw, it stays in document order. */
const XHTML_CONSTRUCTS = ["title", "subtitle", "summary", "content", "rights"];

/**
 * Elements kept raw (their markup as written, see rawContent) under each prefix: Atom's XHTML text
 * constructs, and RSS's `description`, which publishers fill with unescaped markup as often as with
 * escaped HTML.
 */
function stopNodes(atomPrefixes: Iterable<string>, rssPrefixes: Iterable<string>): string[] {
  const qualified = (prefix: string, name: string) => (prefix ? `${prefix}:${name}` : name);
  return [
    ...[...atomPrefixes].flatMap((prefix) => XHTML_CONSTRUCTS.map((name) => `..${qualified(prefix, name)}[type=xhtml]`)),
    ...[...rssPrefixes].map((prefix) => `..${qualified(prefix, "description")}`),
  ];
}

const PARSER = new XMLParser({ ...PARSER_OPTIONS, stopNodes: stopNodes(["", "atom"], [""]) });

/** Prefixes a document may bind before the parser built for it stops looking at more. */
const MAX_PREFIXES = 32;

/**
 * The parser for this document: the shared one, unless the document binds Atom or RSS to a prefix of
 * its own (`<p0:entry xmlns:p0="http://www.w3.org/2005/Atom">`), whose raw elements then need naming.
 */
function parserFor(xml: string): XMLParser {
  const atom = new Set<string>();
  const rss = new Set<string>();
  for (const m of xml.matchAll(/\sxmlns:([^\s=/<>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    const [, prefix, double, single] = m;
    const uri = (double ?? single)!;
    const canonical = canonicalPrefix(uri);
    if (canonical === "atom" && prefix !== "atom") atom.add(prefix!);
    else if (canonical === "" && namespaceKey(uri) !== namespaceKey(NS.sitemap)) rss.add(prefix!);
    if (atom.size + rss.size >= MAX_PREFIXES) break;
  }
  if (atom.size === 0 && rss.size === 0) return PARSER;
  return new XMLParser({ ...PARSER_OPTIONS, stopNodes: stopNodes(["", "atom", ...atom], ["", ...rss]) });
}

/**
 * Checks, parses and returns the root of an XML document. Refused before parsing: a DOCTYPE that
 * declares entities or points at an external DTD (billion laughs, XXE), nesting deeper than MAX_DEPTH,
 * an element with more than MAX_ATTRIBUTES attributes, more than MAX_ITEMS items; then the document
 * must be well-formed.
 */
export function parseXml(text: string, documentUrl: string, options: { wellFormed?: boolean } = {}): XmlRoot {
  const xml = options.wellFormed ? prepared(text) : checkXml(text, documentUrl);
  let parsed: XmlElement;
  try {
    parsed = parserFor(xml).parse(xml) as XmlElement;
  } catch (error) {
    fail(documentUrl, `invalid XML: ${(error as Error).message}`);
  }
  const roots = Object.keys(parsed).filter((key) => !key.startsWith("?") && !key.startsWith("#"));
  const found = parsed[roots[0] ?? ""];
  // A root whose name may repeat (an Atom entry document's <entry>) comes back as a list of one.
  const value = Array.isArray(found) && found.length === 1 ? found[0] : found;
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

/**
 * White space before the XML declaration is a common publisher slip that readers forgive. The
 * declaration (whose encoding the fetch has already applied) becomes spaces, so that every line and
 * column in a message still points into the document as served, and every index into it stays where it was.
 */
function prepared(text: string): string {
  return text.replace(/^(\s+)(<\?xml\s[^>]*>)/, (_, space: string, declaration: string) => space + " ".repeat(declaration.length));
}

/**
 * The checks of parseXml before parsing (the scan, then well-formedness), the document returned as
 * parseXml reads it; with `items`, the scan also notes where the items are (see ItemRanges).
 */
export function checkXml(text: string, documentUrl: string, items?: ItemRanges): string {
  const xml = prepared(text);
  scan(xml, documentUrl, items);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) fail(documentUrl, `invalid XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  return xml;
}

/**
 * Where a feed's items are, as the scan found them: the index of each item's `<` and of the character
 * after its end tag. `contiguous` is false when they cannot be cut into parts that read alike: items at
 * two levels, an item inside an item, another element between two items, or a document the scan could
 * not finish.
 */
export interface ItemRanges {
  root: string;
  starts: number[];
  ends: number[];
  contiguous: boolean;
}

export function itemRanges(): ItemRanges {
  return { root: "", starts: [], ends: [], contiguous: true };
}

const DOCTYPE_REFUSED = "the document declares entities (DOCTYPE); refused";

/**
 * One pass over the markup, before any parser sees it: refuses DOCTYPEs that declare entities or an
 * external DTD, nesting deeper than MAX_DEPTH, elements with more than MAX_ATTRIBUTES attributes, and
 * more items (or sitemap URLs) than the limit. Text,
 * comments, CDATA and quoted attribute values are skipped, so the cost is one look at each `<`.
 */
function scan(xml: string, documentUrl: string, ranges?: ItemRanges) {
  const at = (index: number) => `line ${countLines(xml, index)}`;
  let depth = 0;
  let rootName: string | undefined;
  let sitemap = false;
  let items = 0;
  // For `ranges`: the level items are at, the depth of the item open now (0: none), and whether another
  // element at the items' level came after an item.
  let itemLevel = 0;
  let openItem = 0;
  let siblingAfterItem = false;
  for (let i = xml.indexOf("<"); i !== -1; i = xml.indexOf("<", i + 1)) {
    const next = xml.charCodeAt(i + 1);
    if (next === 0x2f /* / */) {
      depth--;
      i = xml.indexOf(">", i);
      if (ranges && openItem > depth && i !== -1) {
        ranges.ends.push(i + 1);
        openItem = 0;
      }
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
      const item = sitemap ? level === 2 : level <= 3 && (localNameOf(name) === "item" || localNameOf(name) === "entry");
      if (item) {
        if (++items > (sitemap ? MAX_SITEMAP_URLS : MAX_ITEMS)) {
          fail(
            documentUrl,
            sitemap ? `more than ${MAX_SITEMAP_URLS} URLs in one sitemap; refused` : `more than ${MAX_ITEMS} items; refused`,
          );
        }
      }
      if (ranges && openItem === 0) {
        if (item) {
          if (itemLevel === 0) itemLevel = level;
          if (level !== itemLevel || siblingAfterItem) ranges.contiguous = false;
          ranges.starts.push(i);
          if (selfClosing) ranges.ends.push(end + 1);
          else openItem = depth;
        } else if (level === itemLevel) {
          siblingAfterItem = true;
        }
      } else if (ranges && item) {
        ranges.contiguous = false;
      }
      i = end;
    }
    // An unclosed comment, tag or section: the validator reports it with its line.
    if (i === -1) {
      if (ranges) ranges.contiguous = false;
      return;
    }
  }
  if (ranges) {
    ranges.root = rootName ?? "";
    if (openItem !== 0 || ranges.starts.length !== ranges.ends.length) ranges.contiguous = false;
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

/** Finds an element or attribute by namespace URI and local name: see namespaces.ts. */
export type Names = (namespace: string, localName: string) => string;

/**
 * The root's content with every element and attribute renamed by namespace URI (namespaces.ts): the
 * prefix a document chose, where it declared it (on the root or on the element itself) and a default
 * namespace all read alike. A prefix declared nowhere is kept as written, as readers forgive.
 * `noNamespace` reads elements in no namespace as if in that one (an Atom feed that forgot its xmlns).
 */
export function qualify(root: XmlRoot, noNamespace?: string): XmlElement {
  return qualifyElement(root.element, scopeOf(root.element, new Map()), noNamespace);
}

type Scope = ReadonlyMap<string, string>;

/** The namespaces in scope inside `element`: those around it plus its own declarations ("" for the default). */
function scopeOf(element: XmlNode, outer: Scope): Scope {
  if (typeof element === "string") return outer;
  let scope: Map<string, string> | undefined;
  for (const [key, value] of Object.entries(element)) {
    if (typeof value !== "string" || !(key === "@_xmlns" || key.startsWith("@_xmlns:"))) continue;
    scope ??= new Map(outer);
    scope.set(key === "@_xmlns" ? "" : key.slice("@_xmlns:".length), value.trim());
  }
  return scope ?? outer;
}

function qualifyElement(element: XmlElement, scope: Scope, noNamespace: string | undefined): XmlElement {
  const renamed = new Map<string, XmlNode[]>();
  const repeated = new Set<string>();
  for (const [key, value] of Object.entries(element)) {
    if (value === undefined) continue;
    if (key === "#text" || key.startsWith("@_")) {
      const name = key === "#text" || key.startsWith("@_xmlns") ? key : `@_${attributeName(key.slice(2), scope)}`;
      // Two prefixes for one namespace on one element name one attribute twice: the first stands.
      if (!renamed.has(name)) renamed.set(name, [value as XmlNode]);
      continue;
    }
    // Each element may declare its own prefix, so each is named in its own scope.
    for (const node of Array.isArray(value) ? value : [value]) {
      const inner = scopeOf(node, scope);
      const name = elementName(key, inner, noNamespace);
      const list = renamed.get(name) ?? [];
      list.push(typeof node === "string" ? node : qualifyElement(node, inner, noNamespace));
      renamed.set(name, list);
      if (Array.isArray(value)) repeated.add(name);
    }
  }
  // Object.fromEntries defines own properties, so no name (`__proto__`) reaches a prototype.
  return Object.fromEntries<XmlNode | XmlNode[]>(
    [...renamed].map(([name, nodes]) => [name, nodes.length === 1 && !repeated.has(name) ? nodes[0]! : nodes]),
  );
}

function elementName(written: string, scope: Scope, noNamespace: string | undefined): string {
  const colon = written.indexOf(":");
  if (colon === -1) {
    const namespace = scope.get("") || noNamespace;
    return namespace ? qualifiedName(namespace, written) : written;
  }
  const namespace = scope.get(written.slice(0, colon));
  return namespace ? qualifiedName(namespace, written.slice(colon + 1)) : written;
}

/** An unprefixed attribute is in no namespace; `xml:` is bound by definition. */
function attributeName(written: string, scope: Scope): string {
  const colon = written.indexOf(":");
  if (colon === -1 || written.startsWith("xml:")) return written;
  const namespace = scope.get(written.slice(0, colon));
  return namespace ? qualifiedName(namespace, written.slice(colon + 1)) : written;
}

/**
 * An element the parser kept raw (see stopNodes): as text, entities decoded and CDATA sections
 * unwrapped, when that is all it holds; else as the markup written inside it, CDATA sections escaped.
 */
export function rawContent(node: XmlNode | undefined): { kind: "text" | "markup"; value: string } | undefined {
  const raw = textOf(node);
  if (raw === undefined) return undefined;
  let text = "";
  for (let from = 0; ;) {
    const open = raw.indexOf("<", from);
    if (open === -1) return { kind: "text", value: text + XML_ENTITIES.decode(raw.slice(from)) };
    if (!raw.startsWith("<![CDATA[", open)) break;
    const close = raw.indexOf("]]>", open);
    const end = close === -1 ? raw.length : close;
    text += XML_ENTITIES.decode(raw.slice(from, open)) + raw.slice(open + "<![CDATA[".length, end);
    from = close === -1 ? raw.length : close + 3;
  }
  return { kind: "markup", value: raw.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_, cdata: string) => escapeHtml(cdata)) };
}

/** The base for relative URLs inside `node`: its xml:base resolved against the base around it (https://www.w3.org/TR/xmlbase/). */
export function xmlBase(node: XmlNode | undefined, outerBase: string): string {
  const base = attribute(node, "xml:base");
  return base === undefined ? outerBase : (resolveUrl(base, outerBase) ?? outerBase);
}
