/**
 * Escaping for XML 1.0 and HTML output. Whatever the input holds, the output is well-formed: characters
 * XML forbids are dropped, markup characters become references, and `]]>` cannot occur because `>` is
 * always escaped.
 */
// One pass per string, over UTF-16 code units (faster than a Unicode-aware pattern): a surrogate pair is
// kept as it is, a markup character becomes its reference, and anything XML 1.0 forbids (C0 controls
// but tab, LF and CR; lone surrogates; U+FFFE and U+FFFF) is dropped.
const PAIR_OR_FORBIDDEN = "[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]|[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\uD800-\\uDFFF\\uFFFE\\uFFFF]";
const TEXT = new RegExp(`${PAIR_OR_FORBIDDEN}|[&<>\\r]`, "g");
const ATTRIBUTE = new RegExp(`${PAIR_OR_FORBIDDEN}|[&<>"\\t\\n\\r]`, "g");
const HTML = new RegExp(`${PAIR_OR_FORBIDDEN}|[&<>"]`, "g");

const TEXT_REFS: Record<string, string> = { "&": "&#x26;", "<": "&#x3C;", ">": "&#x3E;", "\r": "&#xD;" };
const MARKUP_REFS: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;" };
const ATTRIBUTE_REFS: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "\t": "&#x9;",
  "\n": "&#xA;",
  "\r": "&#xD;",
};

const replacer = (refs: Record<string, string>) => (c: string) => (c.length === 2 ? c : (refs[c] ?? ""));
const toText = replacer(TEXT_REFS);
const toMarkup = replacer(MARKUP_REFS);
const toAttribute = replacer(ATTRIBUTE_REFS);

/**
 * Plain-text element content, written the RSS Profile way: `&` and `<` as `&#x26;` and `&#x3C;`
 * (https://www.rssboard.org/rss-profile#data-types-characterdata). CR is kept as a reference because
 * parsers turn a literal one into LF.
 */
export function xmlText(text: string): string {
  return text.replace(TEXT, toText);
}

/** Element content that carries escaped HTML where it is short (the RSS description); bodies go in xmlCdata. */
export function xmlMarkup(html: string): string {
  return html.replace(TEXT, toMarkup);
}

// What a CDATA section cannot carry as it is: characters XML forbids, CR (parsers read a literal one as
// LF) and `]]>`, which would end it. Bodies rarely hold any, so one scan usually decides.
// eslint-disable-next-line no-control-regex -- finding the control characters XML forbids is the point
const CDATA_AWKWARD = /[\x00-\x08\x0B\x0C\x0E-\x1F\r\uD800-\uDFFF\uFFFE\uFFFF]|\]\]>/;
const CDATA_PARTS = new RegExp(`${PAIR_OR_FORBIDDEN}|\\r|\\]\\]>`, "g");
const toCdata = (c: string) => (c === "]]>" ? "]]]]><![CDATA[>" : c === "\r" ? "]]>&#xD;<![CDATA[" : c.length === 2 ? c : "");

/**
 * Element content that carries HTML (content:encoded, Atom type="html"), as a CDATA section: the same
 * text as escaped markup to every XML parser, written without touching the HTML's own `<`, `>` and `&`
 * (a full-text body holds thousands of them, and escaping them was most of a render). `]]>` is split
 * across two sections and CR is written as a reference between sections, so the text reads back exactly.
 */
export function xmlCdata(html: string): string {
  return `<![CDATA[${CDATA_AWKWARD.test(html) ? html.replace(CDATA_PARTS, toCdata) : html}]]>`;
}

/** A double-quoted attribute value; white space is kept as references so parsers do not fold it. */
export function xmlAttribute(value: string): string {
  return value.replace(ATTRIBUTE, toAttribute);
}

/** Text or attribute content of an HTML page. */
export function escapeHtml(text: string): string {
  return text.replace(HTML, toAttribute);
}
