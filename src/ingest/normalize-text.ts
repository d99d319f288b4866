/** Pure helpers that turn what upstream documents say into the store's clean values: dates, URLs, text, tags. */
import { Parser, type Handler } from "htmlparser2";
import { canonicalLanguageTag } from "../model/lang.ts";
import { cleanLine, cleanText } from "../model/text.ts";
import { parseNewsroomTime, type Instant } from "../model/time.ts";

const MONTH_NAMES = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
/** Month numbers by full English name, three-letter abbreviation, and the "Sept" some style guides use. */
const MONTHS = new Map([
  ...MONTH_NAMES.map((name, i) => [name, i + 1] as const),
  ...MONTH_NAMES.map((name, i) => [name.slice(0, 3), i + 1] as const),
  ["sept", 9],
]);

/** Zone names feeds print, as minutes east of UTC (RFC 822 section 5.1, plus the Korean and Japanese desks' own). */
const NAMED_ZONES = new Map([
  ["Z", 0],
  ["UT", 0],
  ["UTC", 0],
  ["GMT", 0],
  ["EST", -300],
  ["EDT", -240],
  ["CST", -360],
  ["CDT", -300],
  ["MST", -420],
  ["MDT", -360],
  ["PST", -480],
  ["PDT", -420],
  ["KST", 540],
  ["JST", 540],
]);

// Hour and minute, optional seconds and fraction (Instants keep whole seconds), and an AM/PM marker written
// before the time (Korean and Japanese) or after it (English). Five groups: marker, hour, minute, second, marker.
const TIME = String.raw`(?:(오전|오후|午前|午後)\s*)?(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:\s*([AaPp])\.?[Mm]\.?(?![A-Za-z]))?`;
const REST = String.raw`\s*(.*)$`;

/** `2023-09-14T08:17:00+09:00`, `2023-09-14 08:17:00.0`, `2023.09.14 08:17`, `2023/09/14`, `2023. 9. 14. 오후 3:04`. */
const NUMERIC_DATE = new RegExp(String.raw`^(\d{4})\s*([-./])\s*(\d{1,2})\s*\2\s*(\d{1,2})\.?(?:(?:\s*[Tt]\s*|\s+)${TIME})?${REST}`);
/** ISO 8601 basic format: `20230914`, `20230914T0817Z`, `20230914T081700+0900`. */
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})(?:[Tt](\d{2})(\d{2})(\d{2})?(?:[.,]\d+)?)?\s*(.*)$/;
/** RFC 822 and its relatives: `Thu, 14 Sep 2023 08:17:00 +0900`, `14 Sep 23 08:17 KST`, `14-Sep-2023`. */
const DAY_FIRST_DATE = new RegExp(
  String.raw`^(?:[A-Za-z]+\.?,?\s*)?(\d{1,2})[\s-]+([A-Za-z]+)\.?,?[\s-]+(\d{4}|\d{2})(?:(?:\s*,\s*|\s+|[Tt])${TIME})?${REST}`,
);
/** `Sep 14, 2023 8:17 PM`, and JavaScript's `Thu Sep 14 2023 08:17:00 GMT+0900`. */
const MONTH_FIRST_DATE = new RegExp(
  String.raw`^(?:[A-Za-z]+\.?,?\s+)?([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:,?\s+(?:at\s+)?${TIME})?${REST}`,
);
/** `2023년 9월 14일 08:17`, `2023년 9월 14일 (목) 오후 3시 4분`, `2023年9月14日 8時17分`. */
const CJK_DATE = new RegExp(
  String.raw`^(\d{4})\s*[년年]\s*(\d{1,2})\s*[월月]\s*(\d{1,2})\s*[일日](?:\s*[(（][^)）]{1,3}[)）])?` +
    String.raw`(?:\s*(?:${TIME}|(?:(오전|오후|午前|午後)\s*)?(\d{1,2})\s*[시時](?:\s*(\d{1,2})\s*[분分])?(?:\s*(\d{1,2})\s*[초秒])?))?${REST}`,
);

/**
 * Reads a date as feeds write it: RFC 822/1123 (RFC 5322 section 3.3, with its obsolete two-digit years
 * and named zones), RFC 3339 / ISO 8601, and the broken forms seen in the wild (dotted or slashed dates,
 * Korean and Japanese dates, a trailing `(KST)` comment). A weekday is ignored, right or wrong; military
 * zone letters mean UTC (RFC 5322 section 4.3); a date or time without a zone is read in `timeZone`.
 * The instant keeps the offset it was written with. Null when the text is not a readable date.
 */
export function parseFeedDate(text: string, timeZone: string): Instant | null {
  const trimmed = text
    .replace(/\s+/g, " ")
    .trim()
    .replace(/\s*\([^()]*\)$/, "");
  let m: RegExpExecArray | null;
  if ((m = NUMERIC_DATE.exec(trimmed))) {
    return dateFrom(timeZone, m[1]!, m[3], m[4]!, m.slice(5, 10), m[10]!);
  }
  if ((m = COMPACT_DATE.exec(trimmed))) {
    return dateFrom(timeZone, m[1]!, m[2], m[3]!, [undefined, m[4], m[5], m[6], undefined], m[7]!);
  }
  if ((m = DAY_FIRST_DATE.exec(trimmed))) {
    return dateFrom(timeZone, fullYear(m[3]!), monthNumber(m[2]!), m[1]!, m.slice(4, 9), m[9]!);
  }
  if ((m = MONTH_FIRST_DATE.exec(trimmed))) {
    return dateFrom(timeZone, m[3]!, monthNumber(m[1]!), m[2]!, m.slice(4, 9), m[9]!);
  }
  if ((m = CJK_DATE.exec(trimmed))) {
    const time = m[5] !== undefined ? m.slice(4, 9) : [...m.slice(9, 13), undefined];
    return dateFrom(timeZone, m[1]!, m[2], m[3]!, time, m[13]!);
  }
  return null;
}

/** RFC 5322 section 4.3: a two-digit year below 50 is in the 2000s, any other in the 1900s. */
function fullYear(year: string): string {
  if (year.length === 4) return year;
  return String(Number(year) < 50 ? 2000 + Number(year) : 1900 + Number(year));
}

function monthNumber(name: string): string | undefined {
  const month = MONTHS.get(name.toLowerCase());
  return month === undefined ? undefined : String(month);
}

/** The instant for the parts a pattern matched, through parseNewsroomTime so calendar and zone rules live in one place. */
function dateFrom(
  timeZone: string,
  year: string,
  month: string | undefined,
  day: string,
  [before, hour, minute, second, after]: (string | undefined)[],
  zoneText: string,
): Instant | null {
  if (month === undefined) return null;
  let offset: number | undefined;
  if (zoneText !== "") {
    offset = zoneOffset(zoneText);
    if (offset === undefined) return null;
  }
  let h = Number(hour ?? 0);
  const marker = before ?? after;
  if (marker !== undefined) {
    if (h < 1 || h > 12) return null;
    const pm = /^(?:오후|午後|p)$/i.test(marker);
    h = (h % 12) + (pm ? 12 : 0);
  }
  const pad = (v: string | number) => String(v).padStart(2, "0");
  const zone =
    offset === undefined ? "" : `${offset < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  try {
    return parseNewsroomTime(`${year}-${pad(month)}-${pad(day)} ${pad(h)}:${pad(minute ?? 0)}:${pad(second ?? 0)}${zone}`, timeZone);
  } catch (error) {
    // Intl rejects an unknown zone name with a RangeError: that is a settings mistake, not a bad date.
    if (error instanceof RangeError) throw new Error(`normalize-text: time zone "${timeZone}" is not an IANA zone name`, { cause: error });
    return null;
  }
}

/** Minutes east of UTC for `+0900`, `+09:00`, `+09`, `GMT+9`, `Z`, a zone name or a military letter; undefined if unknown. */
function zoneOffset(zone: string): number | undefined {
  const upper = zone.toUpperCase();
  const named = NAMED_ZONES.get(upper);
  if (named !== undefined) return named;
  if (/^[A-IK-Z]$/.test(upper)) return 0;
  const m = /^(?:UTC|GMT|UT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(upper);
  if (!m) return undefined;
  const minutes = Number(m[3] ?? 0);
  if (minutes > 59) return undefined;
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + minutes);
}

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

/** What a walk over HTML hears: start tags with their decoded attributes, end tags (always matched), text. */
export interface HtmlWalker {
  open(name: string, attributes: Record<string, string>): void;
  close(name: string): void;
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
      walker.open(name, attributes);
    },
    onclosetag(name) {
      // htmlparser2 closes elements strictly in order, but also closes, first thing at the end, an element
      // whose start tag the input cut off (`<p class="x`), which it never reported as opened.
      if (parser.open.at(-1) !== name) return;
      parser.open.pop();
      walker.close(name);
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
  return `${cut.replace(/[\s,;:、，。·\-–—]+$/u, "")}…`;
}

/**
 * A language tag as feeds write it (`ko`, `en-us`, `zh_CN`, ` ja `) in BCP 47 canonical case
 * (RFC 5646 section 2.1.1), or null when there is none or it is not a well-formed tag.
 */
export function normalizeLanguageTag(tag: string | undefined): string | null {
  if (tag === undefined) return null;
  return canonicalLanguageTag(tag.trim().replace(/_/g, "-"));
}
