/**
 * One incoming item to one clean article, once, before the store: NFC text without forbidden
 * characters, sanitized HTML with absolute URLs, dates with their offsets, a language of the site, an
 * id namespaced by source. Pure: the clock comes in as `nowMs`.
 */
import type { SiteSettings } from "../config/site.ts";
import {
  fingerprintOf,
  IMAGE_TYPES_BY_EXTENSION,
  MAX_IMAGE_TEXT,
  type Article,
  type ArticleImage,
  type Author,
  type Correction,
} from "../model/article.ts";
import { fnv64 } from "../model/hash.ts";
import { cleanLine, cleanText, isEmailAddress, trimEndMatching, trimStartMatching } from "../model/text.ts";
import { instantAt, type Instant } from "../model/time.ts";
import type { IncomingItem } from "./incoming.ts";
import { parseFeedDate } from "./feed-date.ts";
import { deriveSummary, deriveTitle, htmlToText, normalizeLanguageTag, stripTracking } from "./normalize-text.ts";
import { sanitizeHtml } from "./sanitize.ts";

/** How the items of one source are read. */
export interface ItemSource {
  /** Namespace of the source's ids and the article's `source`: `feed:wire-ko`, `push`. */
  name: string;
  /** Language of items that state none. */
  lang: string;
  /** Section of items whose categories map to none. */
  section: string;
  /** Upstream category name (lower case) -> section slug. */
  sections: Record<string, string>;
  timezone: string;
  /**
   * Whether a publication date ahead of now is kept (the push API: the newsroom schedules); otherwise,
   * and for update dates always, a date further ahead than FUTURE_SKEW_MS is clamped to the present.
   */
  schedules?: boolean;
}

/**
 * What an article was kept without, and what stood in (counted per source in the run report): no body
 * (a headline with a link), a title derived from its text, the link taken from the guid.
 */
export type Fallback = "noBody" | "derivedTitle" | "linkFromGuid";

export type Normalized =
  { ok: true; article: Article; editions: string[]; notes: string[]; fallbacks: Fallback[] } | { ok: false; key: string; reason: string };

/** Dates further ahead than this are clamped to the present: clocks differ a little, not by hours. */
export const FUTURE_SKEW_MS = 5 * 60_000;
const MAX_TAGS = 20;
/**
 * Other editions one article may name: more than a newsroom has languages, and few enough that the
 * links waiting in the store for their other side stay bounded per article.
 */
export const MAX_EDITION_LINKS = 64;
const INLINE_TAG = /<\/?(?:a|abbr|b|br|cite|code|em|i|mark|q|s|small|span|strong|sub|sup|u)\b[^<>]*>/i;
/** Where a script alone does not say the language: the script a region uses by default. */
const CHINESE_SCRIPTS: Record<string, string> = {
  "zh-CN": "zh-Hans",
  "zh-SG": "zh-Hans",
  "zh-TW": "zh-Hant",
  "zh-HK": "zh-Hant",
  "zh-MO": "zh-Hant",
};

/** The id of an item: the source's key, never its title, namespaced by the source, scheme-free. */
export function itemId(settings: SiteSettings, sourceName: string, key: string): string {
  let k = key.trim();
  if (/^https?:\/\//i.test(k)) k = stripTracking(k).replace(/^https?:/i, "");
  const encoded = encodeURIComponent(k);
  const specific = encoded.length > 200 ? `h-${fnv64(k)}` : encoded;
  return `tag:${settings.idAuthority},${settings.idDate}:${sourceName}/${specific}`;
}

/** The story an upstream article starts in, until a link joins it to others (`~` sorts after any story key the newsroom writes, so joins keep the newsroom's key). */
export function initialStory(id: string): string {
  return `~${id}`;
}

export function normalizeItem(item: IncomingItem, source: ItemSource, settings: SiteSettings, siteUrl: string, nowMs: number): Normalized {
  const key = cleanLine(item.key ?? "");
  const reject = (reason: string): Normalized => ({ ok: false, key: key || "(no id)", reason });
  if (!key) return reject("item has no id, guid or link");
  const notes: string[] = [];

  const lang = siteLanguage(settings, item.lang, source.lang);
  if (!lang) return reject(`language "${item.lang}" is not one of the site's (${settings.languages.map((l) => l.tag).join(", ")})`);
  const language = settings.languages.find((l) => l.tag === lang)!;
  const mapped = item.sections.map((s) => source.sections[s.trim().toLowerCase()]).find((s) => s !== undefined);
  const section = [mapped, source.section].find((s) => s !== undefined && language.sections.some((x) => x.slug === s));
  if (!section) return reject(`section "${mapped ?? source.section}" is not a section of ${lang}`);

  const base = safeBase(item.baseUrl, siteUrl);
  // The body as found, HTML or text, the first that keeps anything once sanitized; a summary alone is
  // the body there is. None at all is a headline.
  const bodies = [item.contentHtml, item.summaryHtml, textToHtml(item.contentText), textToHtml(item.summaryText)];
  let contentHtml = "";
  let bodyFrom = -1;
  for (const [index, body] of bodies.entries()) {
    contentHtml = body === undefined ? "" : sanitizeHtml(cleanText(body), base);
    if (contentHtml) {
      bodyFrom = index;
      break;
    }
  }
  // An HTML summary beside the body it summarizes (RSS description beside content:encoded).
  const summarySource = item.summaryText ?? (item.summaryHtml && bodyFrom === 0 ? htmlToText(item.summaryHtml) : undefined);
  // Never invented: a headline without a body has no summary.
  const summary = cleanLine(summarySource ?? "") || cleanLine(deriveSummary(contentHtml));

  const id = itemId(settings, source.name, key);
  const url = absoluteHttp(item.url, base) ?? (absoluteHttp(key, base) && /^https?:/i.test(key) ? absoluteHttp(key, base)! : null);
  const fallbacks: Fallback[] = [];

  // Titles are plain text, but some feeds put inline markup in them: only real inline tags are read as
  // HTML, so a title such as "Partner & <story>" keeps its words. RSS and JSON Feed allow an untitled
  // item: its title is the start of its text, cut at a word boundary of its language.
  let title = cleanLine(item.title && INLINE_TAG.test(item.title) ? htmlToText(item.title) : (item.title ?? ""));
  if (!title) {
    title = deriveTitle(contentHtml ? htmlToText(contentHtml) : summary, lang);
    if (!title) return reject("item has neither a title nor any text");
    fallbacks.push("derivedTitle");
  }
  if (!contentHtml) {
    // A headline is an article when it links to one; without a link there would be nothing to read.
    if (url === null) return reject("item has a title but neither a body nor a link to its article");
    fallbacks.push("noBody");
  }
  if (item.linkFromGuid && url !== null) fallbacks.push("linkFromGuid");

  const slug = slugFor(url ?? title, id);

  const now = instantAt(nowMs, 0);
  const clamp = (instant: Instant, what: string) => {
    if (instant.ms <= nowMs + FUTURE_SKEW_MS) return instant;
    notes.push(`${what} ${instant.iso} is in the future; read as the time it was seen`);
    return now;
  };
  const publishedRead = readDate(item.published, source.timezone) ?? readDate(item.updated, source.timezone);
  if (!publishedRead) notes.push("no readable publication date; the time it was first seen stands in");
  const scheduledFor = source.schedules ? readDate(item.published, source.timezone) : null;
  const published = scheduledFor ?? clamp(publishedRead ?? now, "publication date");
  const updatedRead = readDate(item.updated, source.timezone);
  const updatedClamped = updatedRead ? clamp(updatedRead, "update date") : published;
  const updatedStated = updatedClamped.ms < published.ms ? published : updatedClamped;
  const corrections: Correction[] = [];
  for (const [i, stated] of (item.corrections ?? []).entries()) {
    const date = readDate(stated.date, source.timezone);
    const text = cleanLine(stated.text);
    if (!date || !text) return reject(`corrections[${i}] needs a readable date and a non-empty text`);
    if (date.ms < published.ms)
      return reject(`corrections[${i}] is dated ${date.iso}, before the article's publication (${published.iso})`);
    corrections.push({ date: clamp(date, `corrections[${i}] date`), text });
  }
  corrections.sort((a, b) => a.date.ms - b.date.ms);
  if (corrections.some((c, i) => i > 0 && c.date.ms === corrections[i - 1]!.date.ms)) {
    return reject("two corrections have the same date; each needs its own time");
  }
  // A correction is an update: the article is updated at its newest correction, when that is later.
  const newestCorrection = corrections.at(-1)?.date;
  const updated = newestCorrection && newestCorrection.ms > updatedStated.ms ? newestCorrection : updatedStated;

  const article: Omit<Article, "fingerprint"> = {
    id,
    lang,
    section,
    slug,
    story: initialStory(id),
    url: url ?? `${siteUrl}/${lang}/articles/${slug}`,
    title,
    summary,
    contentHtml,
    authors: authorsOf(item, base),
    tags: [...new Set(item.tags.map(cleanLine).filter(Boolean))].slice(0, MAX_TAGS),
    image: imageOf(item, base),
    published,
    updated,
    corrections,
    source: source.name,
  };
  const editions = item.editions.flatMap((e) => [
    // Cleaned as the item's own key is, so an edition named by id finds it (and a lone surrogate cannot reach encodeURIComponent).
    ...(e.id && cleanLine(e.id) ? [itemId(settings, source.name, cleanLine(e.id))] : []),
    ...(e.url ? [absoluteHttp(e.url, base)].filter((u): u is string => u !== null && u !== article.url) : []),
  ]);
  const distinct = [...new Set(editions)];
  if (distinct.length > MAX_EDITION_LINKS) {
    notes.push(`${distinct.length} other editions named; the first ${MAX_EDITION_LINKS} are kept`);
  }
  return {
    ok: true,
    article: { ...article, fingerprint: fingerprintOf(article) },
    editions: distinct.slice(0, MAX_EDITION_LINKS),
    notes,
    fallbacks,
  };
}

function siteLanguage(settings: SiteSettings, stated: string | undefined, fallback: string): string | null {
  if (stated === undefined || stated.trim() === "") return fallback;
  const tag = normalizeLanguageTag(stated);
  if (!tag) return null;
  const tags = settings.languages.map((l) => l.tag);
  const scripted = CHINESE_SCRIPTS[tag];
  for (const candidate of [tag, scripted, tag.split("-")[0]]) {
    const found = tags.find((t) => candidate !== undefined && t.toLowerCase() === candidate.toLowerCase());
    if (found) return found;
  }
  return null;
}

/** The earliest instant every offset can write as RFC 3339 (at -18:00 it is still in the year 0000). */
const EARLIEST_MS = Date.parse("0001-01-01T00:00:00Z");

function readDate(text: string | undefined, timeZone: string): Instant | null {
  const instant = text && text.trim() ? parseFeedDate(text, timeZone) : null;
  return instant && instant.ms >= EARLIEST_MS ? instant : null;
}

function safeBase(baseUrl: string, siteUrl: string): string {
  return absoluteHttp(baseUrl, siteUrl) ?? siteUrl;
}

/** `href` made absolute against `base`, tracking parameters removed; null unless http(s). */
function absoluteHttp(href: string | undefined, base: string): string | null {
  if (!href || !href.trim()) return null;
  try {
    const url = new URL(href.trim(), base);
    return url.protocol === "http:" || url.protocol === "https:" ? stripTracking(url.href) : null;
  } catch {
    return null;
  }
}

/** A readable, stable slug: the URL's last path segment (or the title) in ASCII, plus a short hash of the id. */
function slugFor(from: string, id: string): string {
  let words = from;
  try {
    const path = new URL(from).pathname.split("/").filter(Boolean);
    words = decodeURIComponent(path.at(-1) ?? "").replace(/\.[a-z0-9]+$/i, "");
  } catch {
    // Not a URL: the title gives the words.
  }
  const dashed = words
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-");
  const ascii = trimEndMatching(trimStartMatching(dashed, /-/).slice(0, 60), /-/);
  const hash = fnv64(id).slice(0, 8);
  return ascii ? `${ascii}-${hash}` : `article-${hash}`;
}

/** Plain text as HTML: escaped, a paragraph at each blank line. */
function textToHtml(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${escape(p)}</p>`)
    .join("\n");
}

function authorsOf(item: IncomingItem, base: string): Author[] {
  const authors: Author[] = [];
  for (const a of item.authors) {
    // Cleaned like every other text: JavaScript's \s does not cover C1 controls such as U+0085, which no feed may carry.
    const address = cleanLine(a.email ?? "");
    const email = isEmailAddress(address) ? address : undefined;
    const name = cleanLine(a.name ?? "") || email;
    if (!name || authors.some((x) => x.name === name)) continue;
    const url = absoluteHttp(a.url, base) ?? undefined;
    authors.push({ name, ...(email ? { email } : {}), ...(url ? { url } : {}) });
  }
  return authors;
}

function imageOf(item: IncomingItem, base: string): ArticleImage | null {
  const image = item.image;
  const url = image ? absoluteHttp(image.url, base) : null;
  if (!image || !url) return null;
  const extension = new URL(url).pathname.split(".").pop()?.toLowerCase() ?? "";
  const type = image.type && /^image\/[a-z0-9.+-]+$/i.test(image.type) ? image.type.toLowerCase() : IMAGE_TYPES_BY_EXTENSION[extension];
  if (!type) return null;
  const whole = (n: number | undefined) => (n !== undefined && Number.isInteger(n) && n > 0 ? n : 0);
  return {
    url,
    type,
    length: whole(image.length),
    width: whole(image.width),
    height: whole(image.height),
    alt: cleanLine(image.alt ?? ""),
    // Only the words the source gave, so an image without them keeps its fingerprint; an upstream's
    // longer words are cut at the lengths a content file may have.
    ...Object.fromEntries(
      (["caption", "credit", "copyright"] as const)
        .map((key) => [key, clipped(cleanLine(image[key] ?? ""), MAX_IMAGE_TEXT[key])] as const)
        .filter(([, text]) => text !== ""),
    ),
  };
}

/** The first `max` code points of `text`. */
function clipped(text: string, max: number): string {
  return text.length <= max
    ? text
    : Array.from(text.slice(0, max * 2))
        .slice(0, max)
        .join("");
}
