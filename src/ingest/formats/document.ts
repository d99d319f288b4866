/** What every upstream format parser shares: its error, its limits, and small helpers for URLs, text and items. */
import type { IncomingAuthor, IncomingEdition, IncomingImage, IncomingItem } from "../incoming.ts";

/** An upstream document that cannot be read; the message starts with `parse: <document URL>:`. */
export class UpstreamError extends Error {
  override name = "UpstreamError";
}

export function fail(documentUrl: string, problem: string): never {
  throw new UpstreamError(`parse: ${documentUrl}: ${problem}`);
}

/** Items or entries a feed may hold: far beyond any real feed (they carry tens), low enough to bound a run. */
export const MAX_ITEMS = 10_000;

/** URLs a sitemap may list: the protocol's own limit (https://www.sitemaps.org/protocol.html#index). */
export const MAX_SITEMAP_URLS = 50_000;

/** The text without surrounding white space, or undefined when nothing else is left. */
export function trimmed(text: string | undefined): string | undefined {
  const value = text?.trim();
  return value ? value : undefined;
}

/** The text when it holds more than white space (HTML and other bodies are kept exactly as found). */
export function nonBlank(text: string | undefined): string | undefined {
  return text !== undefined && /\S/.test(text) ? text : undefined;
}

/** `href` resolved against `base` (an absolute `href` needs no base), when the result is an http(s) URL. */
export function resolveUrl(href: string | undefined, base: string): string | undefined {
  const value = trimmed(href);
  if (value === undefined) return undefined;
  const url = parseUrl(value, base) ?? parseUrl(value);
  return url !== undefined && (url.protocol === "http:" || url.protocol === "https:") ? url.href : undefined;
}

function parseUrl(value: string, base?: string): URL | undefined {
  try {
    return new URL(value, base);
  } catch {
    return undefined;
  }
}

/** A size or dimension written as digits (XML attributes, JSON-LD) or as a JSON number. */
export function wholeNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string" || !/^\s*\d{1,15}\s*$/.test(value)) return undefined;
  return Number(value);
}

export function isImageType(type: string | undefined): boolean {
  return type !== undefined && type.trim().toLowerCase().startsWith("image/");
}

/**
 * An author as RSS writes one: `minji@news.example (Kim Min-ji)` (the RSS 2.0 form), `Kim Min-ji
 * <minji@news.example>`, a bare address, or (against the spec, but common) a bare name.
 */
export function parseAuthorText(text: string | undefined): IncomingAuthor | undefined {
  const value = trimmed(text);
  if (value === undefined) return undefined;
  // Each part's characters exclude what ends it (the @, the space, the bracket), so no match backtracks.
  const emailThenName = /^([^\s@(]+@[^\s(]+)\s*\((.+)\)$/.exec(value);
  if (emailThenName) return { name: emailThenName[2]!.trim(), email: emailThenName[1]! };
  const nameThenEmail = /^([^<]+)<([^\s<>@]+@[^\s<>]+)>$/.exec(value);
  const name = nameThenEmail?.[1]!.trim();
  if (nameThenEmail && name) return { name, email: nameThenEmail[2]! };
  return /^[^\s@]+@\S+$/.test(value) ? { email: value } : { name: value };
}

/** Authors with one entry per name: an e-mail or URL found in a second mention joins the first. */
export function mergeAuthors(authors: IncomingAuthor[]): IncomingAuthor[] {
  const merged: IncomingAuthor[] = [];
  for (const author of authors) {
    const same = merged.find(
      (m) => (author.name !== undefined && m.name === author.name) || (author.email !== undefined && m.email === author.email),
    );
    if (same) Object.assign(same, { ...author, ...same });
    else merged.push({ ...author });
  }
  return merged;
}

/**
 * The first image found, completed from the others found at the same URL (an RSS item's enclosure
 * gives the length, its media:content the size and the caption).
 */
export function pickImage(candidates: IncomingImage[]): IncomingImage | undefined {
  const first = candidates[0];
  if (first === undefined) return undefined;
  const image: IncomingImage = { url: first.url };
  for (const candidate of candidates) {
    if (candidate.url !== first.url) continue;
    for (const key of ["type", "length", "width", "height", "alt", "caption", "credit", "copyright"] as const) {
      if (image[key] === undefined && candidate[key] !== undefined) Object.assign(image, { [key]: candidate[key] });
    }
  }
  return image;
}

/**
 * Editions with one entry per URL (resolved against `base` to compare), in the order found; a later
 * mention can add the language an earlier one lacked.
 */
export function mergeEditions(editions: IncomingEdition[], base: string): IncomingEdition[] {
  const byKey = new Map<string, IncomingEdition>();
  for (const edition of editions) {
    const key = edition.url !== undefined ? `url ${resolveUrl(edition.url, base) ?? edition.url}` : `id ${edition.id}`;
    const seen = byKey.get(key);
    if (seen === undefined) byKey.set(key, { ...edition });
    else if (seen.lang === undefined && edition.lang !== undefined) seen.lang = edition.lang;
  }
  return [...byKey.values()];
}

/** The object without its undefined properties, so what a parser returns shows only what it found. */
export function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

type ItemFields = Partial<IncomingItem> & Pick<IncomingItem, "key" | "baseUrl">;

/** An item with empty lists where nothing was found and no keys for absent values. */
export function makeItem(fields: ItemFields): IncomingItem {
  const { sections = [], authors = [], tags = [], editions = [] } = fields;
  return { ...definedOnly(fields), sections, authors, tags, editions };
}

// The named references an HTML title or attribute commonly carries; any other stays as written.
const HTML_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  copy: "©",
  reg: "®",
  trade: "™",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
  laquo: "«",
  raquo: "»",
  middot: "·",
  bull: "•",
};

/** Character references in HTML text or attribute values decoded (numeric ones and the common named ones). */
export function decodeHtmlEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(
    /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));/g,
    (reference, decimal?: string, hex?: string, name?: string) => {
      if (name !== undefined) return HTML_ENTITIES[name] ?? reference;
      const codePoint = decimal !== undefined ? Number(decimal) : Number.parseInt(hex!, 16);
      return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : reference;
    },
  );
}

/**
 * The text with every `<...>` removed, as `/<[^>]*>/g` would, in one pass: that pattern retries from
 * each `<` of a run that never closes, quadratic on a hostile title.
 */
function withoutTags(html: string): string {
  let text = "";
  let from = 0;
  for (let open = html.indexOf("<"); open !== -1; open = html.indexOf("<", from)) {
    const close = html.indexOf(">", open);
    if (close === -1) break;
    text += html.slice(from, open);
    from = close + 1;
  }
  return text + html.slice(from);
}

/** The text an HTML fragment shows: tags dropped, references decoded (for a title given as HTML). */
export function htmlToText(html: string): string {
  return decodeHtmlEntities(withoutTags(html));
}
