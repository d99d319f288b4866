/**
 * Escaping for XML 1.0 and HTML output. Whatever the input holds, the output is well-formed: characters
 * XML forbids are dropped, markup characters become references, and `]]>` cannot occur because `>` is
 * always escaped.
 */
import { XML_FORBIDDEN } from "../model/text.ts";

const TEXT_REFS: Record<string, string> = { "&": "&#x26;", "<": "&#x3C;", ">": "&#x3E;", "\r": "&#xD;" };
const MARKUP_REFS: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;" };
const ATTRIBUTE_REFS: Record<string, string> = {
  "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#x9;", "\n": "&#xA;", "\r": "&#xD;",
};

/**
 * Plain-text element content, written the RSS Profile way: `&` and `<` as `&#x26;` and `&#x3C;`
 * (https://www.rssboard.org/rss-profile#data-types-characterdata). CR is kept as a reference because
 * parsers turn a literal one into LF.
 */
export function xmlText(text: string): string {
  return text.replace(XML_FORBIDDEN, "").replace(/[&<>\r]/g, (c) => TEXT_REFS[c]!);
}

/** Element content that carries escaped HTML (description, content:encoded, Atom type="html"). */
export function xmlMarkup(html: string): string {
  return html.replace(XML_FORBIDDEN, "").replace(/[&<>\r]/g, (c) => MARKUP_REFS[c]!);
}

/** A double-quoted attribute value; white space is kept as references so parsers do not fold it. */
export function xmlAttribute(value: string): string {
  return value.replace(XML_FORBIDDEN, "").replace(/[&<>"\t\n\r]/g, (c) => ATTRIBUTE_REFS[c]!);
}

/** Text or attribute content of an HTML page. */
export function escapeHtml(text: string): string {
  return text.replace(XML_FORBIDDEN, "").replace(/[&<>"]/g, (c) => ATTRIBUTE_REFS[c]!);
}
