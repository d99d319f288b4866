/** Pure helpers that turn what upstream documents say into the store's clean values: URLs, text, summaries, language tags. */
import { Parser, type Handler } from "htmlparser2";
import { canonicalLanguageTag } from "../model/lang.ts";
import { cleanLine, cleanText, trimEndMatching } from "../model/text.ts";

// Names of query parameters that only say where a click came from, never what it leads to.
const TRACKING_PARAMETERS = new Set(["fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_ga", "ref_src"]);

const isTracking = (name: string) => {
  const lower = name.toLowerCase();
  return lower.startsWith("utm_") || TRACKING_PARAMETERS.has(lower);
};

/**
 * The URL without its click-tracking query parameters (`utm_*`, `fbclid`, `gclid` and the like). Every
 * other parameter keeps its place and its exact spelling, so the URL changes only when one is removed.
 */
export function stripTracking(url: string): string {
  const hash = url.indexOf("#");
  const beforeHash = hash === -1 ? url : url.slice(0, hash);
  const question = beforeHash.indexOf("?");
  if (question === -1) return url;
  const parameters = beforeHash.slice(question + 1).split("&");
  const kept = parameters.filter((parameter) => !isTracking(decodeName(parameter.split("=", 1)[0]!)));
  if (kept.length === parameters.length) return url;
  const query = kept.filter((parameter) => parameter !== "").join("&");
  return beforeHash.slice(0, question) + (query ? `?${query}` : "") + (hash === -1 ? "" : url.slice(hash));
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, " "));
  } catch {
    return name;
  }
}

/**
 * Elements whose content is never article text: scripts and styles, embedded documents and plug-ins,
 * SVG and MathML, forms, and the document head. The sanitizer drops them whole; text extraction skips them.
 */
export const NON_TEXT_ELEMENTS: ReadonlySet<string> = new Set([
  "script",
  "style",
  "iframe",
  "frame",
  "frameset",
  "object",
  "embed",
  "applet",
  "noscript",
  "noembed",
  "noframes",
  "template",
  "svg",
  "math",
  "form",
  "input",
  "button",
  "select",
  "textarea",
  "link",
  "meta",
  "base",
  "head",
  "title",
]);

/** Elements that start a new line of text where they open and close. */
export const BLOCK_ELEMENTS: ReadonlySet<string> = new Set([
  "address",
  "article",
  "aside",
  "blockquote",
  "body",
  "caption",
  "center",
  "dd",
  "details",
  "dialog",
  "div",
  "dl",
  "dt",
  "fieldset",
  "figcaption",
  "figure",
  "footer",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "header",
  "hgroup",
  "hr",
  "html",
  "legend",
  "li",
  "main",
  "nav",
  "ol",
  "p",
  "pre",
  "section",
  "summary",
  "table",
  "tbody",
  "tfoot",
  "thead",
  "tr",
  "ul",
]);

/**
 * What a walk over HTML hears: start tags with their decoded attributes, end tags (always matched), text.
 * `start` and `end` are the indexes of the `<` and `>` of the tag just read (for an end tag the HTML
 * implies, of the tag that implied it), so that a walker can slice out an element's inner markup.
 */
export interface HtmlWalker {
  open(name: string, attributes: Record<string, string>, start: number, end: number): void;
  close(name: string, start: number, end: number): void;
  text(text: string): void;
}

/** Open elements beyond which start tags are ignored (their text is kept); see BoundedParser. */
const MAX_OPEN_ELEMENTS = 256;

/**
 * htmlparser2 keeps its open elements in an array it grows with `unshift` and searches on every end tag, so
 * a document nested a million deep would cost quadratic time. Once MAX_OPEN_ELEMENTS are open, this parser
 * ignores start tags (htmlparser2 then also ignores their end tags), which keeps each step bounded.
 */
class BoundedParser extends Parser {
  readonly open: string[] = [];

  override onopentagname(start: number, endIndex: number): void {
    if (this.open.length < MAX_OPEN_ELEMENTS) super.onopentagname(start, endIndex);
  }
}

/**
 * Walks `html` with htmlparser2 (entities decoded, names lower-cased, the end tags HTML implies, comments,
 * doctypes and processing instructions skipped) in time linear in its length, however deeply it nests.
 * Every `open` gets its `close`, void elements at once, elements still open at the end in order.
 */
export function walkHtml(html: string, walker: HtmlWalker): void {
  const handler: Partial<Handler> = {
    onopentag(name, attributes) {
      parser.open.push(name);
      walker.open(name, attributes, parser.startIndex, parser.endIndex);
    },
    onclosetag(name) {
      // htmlparser2 closes elements strictly in order, but also closes, first thing at the end, an element
      // whose start tag the input cut off (`<p class="x`), which it never reported as opened.
      if (parser.open.at(-1) !== name) return;
      parser.open.pop();
      walker.close(name, parser.startIndex, parser.endIndex);
    },
    ontext(text) {
      walker.text(text);
    },
  };
  const parser: BoundedParser = new BoundedParser(handler, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
  parser.end(html);
}

/**
 * The text of an HTML fragment: entities decoded, scripts, styles and the like left out, a line break
 * where a block or `<br>` ends, a space between table cells, and every other run of white space folded.
 */
export function htmlToText(html: string): string {
  const parts: string[] = [];
  let skipping = 0;
  walkHtml(html, {
    open(name) {
      if (skipping || NON_TEXT_ELEMENTS.has(name)) skipping++;
      else if (name === "br" || BLOCK_ELEMENTS.has(name)) parts.push("\n");
      else if (name === "td" || name === "th") parts.push(" ");
    },
    close(name) {
      if (skipping) skipping--;
      else if (BLOCK_ELEMENTS.has(name)) parts.push("\n");
      else if (name === "td" || name === "th") parts.push(" ");
    },
    text(text) {
      if (!skipping) parts.push(text.replace(/\s+/gu, " "));
    },
  });
  return cleanText(parts.join(""))
    .split("\n")
    .map((line) => line.replace(/\s+/gu, " ").trim())
    .filter((line) => line !== "")
    .join("\n");
}

// A sentence ends at . ! ? followed by white space or the end, at the Korean `다.` and at a full-width or
// ideographic stop, which need no space after them; closing quotes and brackets stay with the sentence.
const SENTENCE_END = /(?:[.!?]["'”’)]*(?=\s|$)|(?:다\.|[。！？])["'”’」』)）]*)/gu;

/**
 * A plain-text summary from an HTML body: the first sentences that fit in `maxChars` characters (a cut
 * at a sentence end, in English, Korean `…다.`, Japanese or Chinese). When the sentences that fit fill
 * less than half of it, the text is cut at the last word boundary instead, or for text written without
 * spaces at `maxChars`, and ends with `…`, which counts toward `maxChars`.
 */
export function deriveSummary(html: string, maxChars = 200): string {
  const text = cleanLine(htmlToText(html));
  const chars = Array.from(text.slice(0, maxChars * 2 + 2));
  if (chars.length <= maxChars) return text;
  // One character past the limit, so that a stop right at the limit is seen to be followed by a space.
  const window = chars.slice(0, maxChars + 1).join("");
  let sentence = "";
  for (const m of window.matchAll(SENTENCE_END)) {
    const candidate = window.slice(0, m.index + m[0].length);
    if (Array.from(candidate).length > maxChars) break;
    sentence = candidate;
  }
  if (Array.from(sentence).length >= maxChars / 2) return sentence.trim();
  const room = chars.slice(0, maxChars - 1).join("");
  // A space at index maxChars - 1 means the word before it ends exactly where the room does.
  const space = chars[maxChars - 1] === " " ? room.length : room.lastIndexOf(" ");
  const cut = space > 0 && Array.from(room.slice(0, space)).length >= maxChars / 2 ? room.slice(0, space) : room;
  return `${trimEndMatching(cut, /[\s,;:、，。·\-–—]/u)}…`;
}

/**
 * A title for an untitled item (RSS and JSON Feed allow one) from its text: its first paragraph when
 * that fits in `maxChars` characters, or the paragraph's first sentence when that fits (and is not a
 * mere word or two), else the paragraph cut at the last word
 * boundary that fits, found with the item's language's own word rules (Intl.Segmenter: Japanese,
 * Chinese and Thai have no spaces), and `…`, which counts toward `maxChars`.
 */
export function deriveTitle(text: string, lang: string, maxChars = 80): string {
  const paragraph = cleanLine(text.split("\n").find((line) => line.trim() !== "") ?? "");
  const chars = Array.from(paragraph.slice(0, maxChars * 2 + 2));
  if (chars.length <= maxChars) return paragraph;
  const window = chars.slice(0, maxChars + 1).join("");
  const [first] = window.matchAll(SENTENCE_END);
  const sentence = first === undefined ? "" : window.slice(0, first.index + first[0].length).trim();
  const length = Array.from(sentence).length;
  if (length >= maxChars / 4 && length <= maxChars) return sentence;
  const room = chars.slice(0, maxChars - 1).join("");
  let cut = 0;
  for (const segment of segmenter(lang).segment(chars.slice(0, maxChars).join(""))) {
    const end = segment.index + segment.segment.length;
    // A boundary right after a word, inside the room left for `…`.
    if (segment.isWordLike && end <= room.length) cut = end;
  }
  const head = cut >= room.length / 3 ? room.slice(0, cut) : room;
  return `${trimEndMatching(head, /[\s,;:、，。·\-–—]/u)}…`;
}

function segmenter(lang: string): Intl.Segmenter {
  try {
    return new Intl.Segmenter(lang, { granularity: "word" });
  } catch {
    return new Intl.Segmenter(undefined, { granularity: "word" });
  }
}

/**
 * A language tag as feeds write it (`ko`, `en-us`, `zh_CN`, ` ja `) in BCP 47 canonical case
 * (RFC 5646 section 2.1.1), or null when there is none or it is not a well-formed tag.
 */
export function normalizeLanguageTag(tag: string | undefined): string | null {
  if (tag === undefined) return null;
  return canonicalLanguageTag(tag.trim().replace(/_/g, "-"));
}
