/** Upstream HTML made safe to store and serve: allowlisted elements, attributes and URLs, re-serialized well-formed. */
import { escapeHtml } from "../model/escape.ts";
import { cleanText } from "../model/text.ts";
import { BLOCK_ELEMENTS, NON_TEXT_ELEMENTS, stripTracking, walkHtml } from "./normalize-text.ts";

/** How an allowed attribute's value is checked. */
type AttributeRule = "text" | "link" | "image" | "url" | "count" | "integer" | "datetime";

/**
 * The elements kept, each with the attributes it keeps, in the order they are written. Maps, not object
 * literals, so that a tag named `constructor` or `__proto__` finds nothing.
 */
const ALLOWED = new Map<string, ReadonlyMap<string, AttributeRule>>([
  ...[
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "small",
    "mark",
    "cite",
    "pre",
    "code",
    "kbd",
    "ul",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "caption",
  ].map((name) => [name, new Map<string, AttributeRule>()] as const),
  [
    "a",
    new Map([
      ["href", "link"],
      ["title", "text"],
    ]),
  ],
  [
    "img",
    new Map([
      ["src", "image"],
      ["alt", "text"],
      ["width", "count"],
      ["height", "count"],
      ["title", "text"],
    ]),
  ],
  ["blockquote", new Map([["cite", "url"]])],
  ["q", new Map([["cite", "url"]])],
  ["time", new Map([["datetime", "datetime"]])],
  [
    "td",
    new Map([
      ["colspan", "count"],
      ["rowspan", "count"],
    ]),
  ],
  [
    "th",
    new Map([
      ["colspan", "count"],
      ["rowspan", "count"],
    ]),
  ],
  ["abbr", new Map([["title", "text"]])],
  ["ol", new Map([["start", "integer"]])],
  ["li", new Map([["value", "integer"]])],
]);

/** Feeds use `h1` for headings inside the body, where the page's own title is the only `h1`. */
const RENAMED = new Map([["h1", "h2"]]);

const VOID_ELEMENTS = new Set(["br", "hr", "img"]);

const HEADINGS_AND_P = new Set(["h2", "h3", "h4", "h5", "h6", "p"]);
const TABLE_SECTIONS = new Set(["thead", "tbody"]);
const DEFINITIONS = new Set(["dd", "dt"]);
const PARAGRAPH = new Set(["p"]);

/**
 * The end tags an element's start tag implies, as htmlparser2 applies them to the innermost open element.
 * Applied again to the elements kept, so that unwrapping what stood between (`<td><div><td>`) cannot leave
 * markup that parses differently the next time: sanitizing the output changes nothing.
 */
const IMPLIED_END = new Map<string, ReadonlySet<string>>([
  ["tr", new Set(["tr", "th", "td"])],
  ["th", new Set(["th"])],
  ["td", new Set(["thead", "th", "td"])],
  ["li", new Set(["li"])],
  ["dd", DEFINITIONS],
  ["dt", DEFINITIONS],
  ["tbody", TABLE_SECTIONS],
  ["tfoot", TABLE_SECTIONS],
  ...["h2", "h3", "h4", "h5", "h6", "p"].map((name) => [name, HEADINGS_AND_P] as const),
  ...["blockquote", "dl", "figcaption", "figure", "hr", "ol", "pre", "table", "ul"].map((name) => [name, PARAGRAPH] as const),
]);

/** Kept even when empty: a table cell holds its place in the grid. */
const KEPT_WHEN_EMPTY = new Set(["td", "th"]);

/** Kept elements nested deeper than this are unwrapped (their text stays), so output depth is bounded. */
const MAX_DEPTH = 100;

const LINK_SCHEMES = new Set(["http:", "https:", "mailto:"]);
const WEB_SCHEMES = new Set(["http:", "https:"]);

/** An element the output wrote, while it is open. */
interface KeptElement {
  name: string;
  /** Where its start tag begins in the output, so that it can be taken back if it stays empty. */
  start: number;
  /** Holds text other than white space, an image, a rule or a kept element. */
  hasContent: boolean;
  /** Holds white space or a line break, which stands in for it if it is taken back. */
  hasSpace: boolean;
  /** Ended by a later start tag (IMPLIED_END) before its own end came. */
  ended: boolean;
}

type Frame = { kind: "kept"; element: KeptElement } | { kind: "unwrapped"; block: boolean } | { kind: "dropped" };

/**
 * HTML from an upstream document as the store keeps it: only allowlisted elements and attributes, every
 * URL absolute against `baseUrl` and limited to http(s) (and mailto for links), tracking parameters gone
 * from links, scripts, styles, embedded documents and forms dropped with their content, other unknown
 * elements unwrapped, text escaped, every element closed in order, empty elements removed. Whatever the
 * input, the output is well-formed; time is linear in the input and nesting is bounded.
 * Threat model: OWASP XSS Filter Evasion Cheat Sheet; allowlist in the spirit of the HTML Sanitizer API.
 */
export function sanitizeHtml(html: string, baseUrl: string): string {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    throw new Error(`sanitize: base URL "${baseUrl}" is not an absolute URL; pass the item's or document's URL`);
  }
  const out: string[] = [];
  const frames: Frame[] = [];
  const kept: KeptElement[] = [];
  let dropping = 0;
  let openLinks = 0;
  let pendingText = "";

  // Text arrives in pieces (each entity is one); it is written whole so NFC sees combining marks with their base.
  const flushText = () => {
    if (pendingText === "") return;
    const text = cleanText(pendingText);
    pendingText = "";
    if (text === "") return;
    out.push(escapeHtml(text));
    const parent = kept.at(-1);
    if (!parent) return;
    if (/\S/u.test(text)) parent.hasContent = true;
    else parent.hasSpace = true;
  };

  const closeKept = (element: KeptElement) => {
    kept.pop();
    if (element.name === "a") openLinks--;
    const parent = kept.at(-1);
    if (element.hasContent || KEPT_WHEN_EMPTY.has(element.name)) {
      out.push(`</${element.name}>`);
      if (parent) parent.hasContent = true;
      return;
    }
    out.length = element.start;
    if (element.hasSpace) {
      out.push(" ");
      if (parent) parent.hasSpace = true;
    }
  };

  walkHtml(html, {
    open(name, attributes) {
      flushText();
      if (dropping || NON_TEXT_ELEMENTS.has(name)) {
        dropping++;
        frames.push({ kind: "dropped" });
        return;
      }
      const outName = RENAMED.get(name) ?? name;
      const allowed = ALLOWED.get(outName);
      const tooDeep = kept.length >= MAX_DEPTH && !VOID_ELEMENTS.has(outName);
      const nestedLink = outName === "a" && openLinks > 0;
      const attributeText = allowed && !tooDeep && !nestedLink ? writeAttributes(outName, allowed, attributes, base) : null;
      if (attributeText === null) {
        const block = BLOCK_ELEMENTS.has(name);
        // An unwrapped block still separates words: `<div>a</div><div>b</div>` must not read "ab".
        if (block) pendingText += "\n";
        frames.push({ kind: "unwrapped", block });
        return;
      }
      const implied = IMPLIED_END.get(outName);
      for (let top = kept.at(-1); top && implied?.has(top.name); top = kept.at(-1)) {
        top.ended = true;
        closeKept(top);
      }
      const parent = kept.at(-1);
      if (VOID_ELEMENTS.has(outName)) {
        out.push(`<${outName}${attributeText}>`);
        if (parent && outName === "br") parent.hasSpace = true;
        else if (parent) parent.hasContent = true;
        frames.push({ kind: "unwrapped", block: false });
        return;
      }
      const element: KeptElement = { name: outName, start: out.length, hasContent: false, hasSpace: false, ended: false };
      out.push(`<${outName}${attributeText}>`);
      kept.push(element);
      if (outName === "a") openLinks++;
      frames.push({ kind: "kept", element });
    },
    close() {
      flushText();
      const frame = frames.pop();
      if (frame?.kind === "dropped") dropping--;
      else if (frame?.kind === "kept") {
        if (!frame.element.ended) closeKept(frame.element);
      } else if (frame?.block) pendingText += "\n";
    },
    text(text) {
      if (!dropping) pendingText += text;
    },
  });
  flushText();
  return out.join("").trim();
}

/**
 * The attributes of an allowed element as ` name="value"` pairs, or null when the element cannot be kept:
 * a link without a safe href, an image without a safe src.
 */
function writeAttributes(
  name: string,
  allowed: ReadonlyMap<string, AttributeRule>,
  attributes: Record<string, string>,
  base: URL,
): string | null {
  let written = "";
  for (const [attribute, rule] of allowed) {
    if (!Object.hasOwn(attributes, attribute)) continue;
    const value = checkAttribute(rule, attributes[attribute]!, base);
    if (value !== null) written += ` ${attribute}="${escapeHtml(value)}"`;
  }
  if (name === "a" && !written.startsWith(" href=")) return null;
  if (name === "img" && !written.startsWith(" src=")) return null;
  return written;
}

/** The value to write for an attribute under its rule, or null to leave the attribute out. */
function checkAttribute(rule: AttributeRule, raw: string, base: URL): string | null {
  switch (rule) {
    case "text":
      return cleanText(raw);
    case "datetime": {
      const value = cleanText(raw).trim();
      return value === "" ? null : value;
    }
    case "count":
      return /^\s*\d{1,5}\s*$/.test(raw) && Number(raw) > 0 ? String(Number(raw)) : null;
    case "integer":
      return /^\s*-?\d{1,9}\s*$/.test(raw) ? String(Number(raw)) : null;
    case "link": {
      const url = absoluteUrl(raw, base, LINK_SCHEMES);
      return url === null || url.startsWith("mailto:") ? url : stripTracking(url);
    }
    case "image":
    case "url":
      return absoluteUrl(raw, base, WEB_SCHEMES);
  }
}

/**
 * `raw` resolved against `base` by the WHATWG URL parser, which is what a browser does with it: it strips
 * leading control characters and space and drops tabs and line breaks anywhere, so `\x00java\tscript:`
 * is seen as the javascript: URL it is. Null unless the resolved scheme is one of `schemes`.
 */
function absoluteUrl(raw: string, base: URL, schemes: ReadonlySet<string>): string | null {
  try {
    const url = new URL(raw, base);
    return schemes.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}
