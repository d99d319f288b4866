/** A strict XML 1.0 + namespaces parse (saxes) into a small tree the feed tests can query. */
import { SaxesParser } from "saxes";

export interface XmlElement {
  /** Namespace URI ("" for none) and local name, as `{uri}local`. */
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Text content directly inside this element (character data and CDATA, references decoded). */
  text: string;
  /** Line of the start tag, for messages. */
  line: number;
}

/** Anything outside XML 1.0's Char production (https://www.w3.org/TR/xml/#charsets), lone surrogates included. */
export const XML_FORBIDDEN = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export const NS = {
  rss: "",
  atom: "http://www.w3.org/2005/Atom",
  content: "http://purl.org/rss/1.0/modules/content/",
  dc: "http://purl.org/dc/elements/1.1/",
  dcterms: "http://purl.org/dc/terms/",
  media: "http://search.yahoo.com/mrss/",
  xml: "http://www.w3.org/XML/1998/namespace",
} as const;

/** Parses `xml` strictly; throws on the first well-formedness or namespace error. */
export function parseXml(xml: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failure: Error | undefined;
  parser.on("error", (error) => {
    failure ??= error;
  });
  parser.on("opentag", (tag) => {
    const attributes: Record<string, string> = {};
    for (const attribute of Object.values(tag.attributes)) {
      if (attribute.prefix === "xmlns" || attribute.name === "xmlns") continue;
      attributes[attribute.uri ? `{${attribute.uri}}${attribute.local}` : attribute.local] = attribute.value;
    }
    const element: XmlElement = { name: `{${tag.uri ?? ""}}${tag.local}`, attributes, children: [], text: "", line: parser.line };
    stack.at(-1)?.children.push(element);
    stack.push(element);
    root ??= element;
  });
  parser.on("text", (text) => {
    if (stack.length) stack.at(-1)!.text += text;
  });
  parser.on("cdata", (text) => {
    if (stack.length) stack.at(-1)!.text += text;
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  parser.write(xml).close();
  if (failure) throw failure;
  if (!root) throw new Error("no root element");
  return root;
}

export function q(ns: string, local: string): string {
  return `{${ns}}${local}`;
}

export function children(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

/** The one child of that name; fails when there are none or several. */
export function only(element: XmlElement, name: string): XmlElement {
  const found = children(element, name);
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${name} in ${element.name} (line ${element.line}), found ${found.length}`);
  }
  return found[0]!;
}

/** Undoes one level of HTML escaping (the five XML entities and numeric references), as readers do. */
export function decodeHtmlEntities(html: string): string {
  const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
  return html.replace(/&(?:#x([0-9a-f]+)|#(\d+)|(amp|lt|gt|quot|apos));/gi, (_, hex, dec, name) =>
    hex ? String.fromCodePoint(parseInt(hex, 16)) : dec ? String.fromCodePoint(Number(dec)) : named[name as string]!,
  );
}
