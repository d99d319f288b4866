/**
 * JSON Feed 1.0 (https://www.jsonfeed.org/version/1/) and 1.1 (https://www.jsonfeed.org/version/1.1/),
 * with the `_editions` extension of our own feeds and an item-level `translations` (or
 * `_translations`) list of other editions, the vocabulary the push API speaks.
 */
import type { IncomingAuthor, IncomingEdition, IncomingImage, ParsedDocument } from "../incoming.ts";
import { definedOnly, fail, isImageType, makeItem, MAX_ITEMS, nonBlank, pickImage, resolveUrl, trimmed, wholeNumber } from "./document.ts";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown) => (typeof value === "string" ? value : undefined);

/** Shown in full, the list of what is wrong with a feed of thousands of bad items would drown the log. */
const PROBLEMS_SHOWN = 10;

const ITEM_STRINGS = [
  "url",
  "external_url",
  "title",
  "content_html",
  "content_text",
  "summary",
  "image",
  "banner_image",
  "date_published",
  "date_modified",
  "language",
];

/**
 * The items of a JSON Feed whose version detect.ts has read. A feed of the wrong shape is refused as a
 * whole, with everything wrong listed (items counted from 1): a field of the wrong type means the
 * publisher's generator is broken, so the rest is suspect too. An item without an id is keyed by its
 * url, as readers do; with neither, it cannot be told apart from the next and is left out, reported.
 */
export function parseJsonFeed(feed: Json, format: "json-feed-1.0" | "json-feed-1.1", documentUrl: string): ParsedDocument {
  if (Array.isArray(feed.items) && feed.items.length > MAX_ITEMS) fail(documentUrl, `more than ${MAX_ITEMS} items; refused`);
  const problems = shapeProblems(feed);
  if (problems.length > 0) {
    const shown = problems.slice(0, PROBLEMS_SHOWN).join("; ");
    const more = problems.length > PROBLEMS_SHOWN ? `; and ${problems.length - PROBLEMS_SHOWN} more` : "";
    fail(documentUrl, `not a valid JSON Feed: ${shown}${more}`);
  }
  const entries = feed.items as Json[];
  const lang = trimmed(text(feed.language));
  const baseUrl = resolveUrl(text(feed.home_page_url), documentUrl) ?? documentUrl;
  const feedAuthors = authorsOf(feed);
  const skipped: string[] = [];
  const items = entries.flatMap((entry, index) => {
    // A linkblog's item may link only the page it is about.
    const url = trimmed(text(entry.url)) ?? trimmed(text(entry.external_url));
    const key = hasNoId(entry) ? resolveUrl(url, baseUrl) : String(entry.id).trim();
    if (key === undefined) {
      skipped.push(`item ${index + 1} has neither an id nor an http(s) url; skipped`);
      return [];
    }
    const tags = (entry.tags as string[] | undefined)?.flatMap((tag) => trimmed(tag) ?? []) ?? [];
    const authors = authorsOf(entry);
    return makeItem({
      key,
      url,
      baseUrl,
      lang: trimmed(text(entry.language)) ?? lang,
      // JSON Feed has no sections; tags are where a publisher puts them.
      sections: tags,
      title: trimmed(text(entry.title)),
      summaryText: nonBlank(text(entry.summary)),
      contentHtml: nonBlank(text(entry.content_html)),
      contentText: nonBlank(text(entry.content_text)),
      authors: authors.length > 0 ? authors : feedAuthors,
      tags,
      image: imageOf(entry),
      published: trimmed(text(entry.date_published)),
      updated: trimmed(text(entry.date_modified)),
      editions: editionsOf(entry, url),
    });
  });
  return { kind: "feed", format, title: trimmed(text(feed.title)), lang, items, problems: skipped };
}

const hasNoId = (item: Json) => item.id === undefined || item.id === null || (typeof item.id === "string" && item.id.trim() === "");

function shapeProblems(feed: Json): string[] {
  const problems: string[] = [];
  for (const field of ["title", "home_page_url", "language"]) {
    if (feed[field] !== undefined && typeof feed[field] !== "string") problems.push(`${field} is not a string`);
  }
  problems.push(...authorProblems(feed, ""));
  if (!Array.isArray(feed.items)) return [...problems, "items is not an array"];
  feed.items.forEach((item: unknown, index) => {
    const name = `item ${index + 1}`;
    if (!isObject(item)) {
      problems.push(`${name} is not an object`);
      return;
    }
    // Spec: an id given as a number is read as its string. An item without one is keyed by its url
    // (as RSS items without a guid are by their link), or left out (see parseJsonFeed).
    if (!hasNoId(item) && typeof item.id !== "string" && typeof item.id !== "number")
      problems.push(`${name} has an id that is not a string`);
    for (const field of ITEM_STRINGS) {
      if (item[field] !== undefined && typeof item[field] !== "string") problems.push(`${name}: ${field} is not a string`);
    }
    if (item.tags !== undefined && !(Array.isArray(item.tags) && item.tags.every((t) => typeof t === "string"))) {
      problems.push(`${name}: tags is not an array of strings`);
    }
    if (item.attachments !== undefined && !(Array.isArray(item.attachments) && item.attachments.every(isObject))) {
      problems.push(`${name}: attachments is not an array of objects`);
    }
    problems.push(...authorProblems(item, `${name}: `));
  });
  return problems;
}

function authorProblems(owner: Json, prefix: string): string[] {
  const problems: string[] = [];
  if (owner.authors !== undefined && !(Array.isArray(owner.authors) && owner.authors.every(isObject))) {
    problems.push(`${prefix}authors is not an array of objects`);
  }
  if (owner.author !== undefined && !isObject(owner.author)) problems.push(`${prefix}author is not an object`);
  return problems;
}

/** 1.1's `authors`, else 1.0's `author` (still found in 1.1 feeds). */
function authorsOf(owner: Json): IncomingAuthor[] {
  const list = (owner.authors as Json[] | undefined) ?? (owner.author === undefined ? [] : [owner.author as Json]);
  return list.flatMap((author) => {
    const found = definedOnly<IncomingAuthor>({ name: trimmed(text(author.name)), url: trimmed(text(author.url)) });
    return Object.keys(found).length > 0 ? [found] : [];
  });
}

/** `image`, else `banner_image`, else the first image attachment. */
function imageOf(item: Json): IncomingImage | undefined {
  const candidates: IncomingImage[] = [];
  for (const field of ["image", "banner_image"]) {
    const url = trimmed(text(item[field]));
    if (url !== undefined) candidates.push({ url });
  }
  for (const attachment of (item.attachments as Json[] | undefined) ?? []) {
    const url = trimmed(text(attachment.url));
    const type = trimmed(text(attachment.mime_type));
    if (url !== undefined && isImageType(type)) {
      candidates.push({ url, type, length: wholeNumber(attachment.size_in_bytes), alt: trimmed(text(attachment.title)) });
    }
  }
  return pickImage(candidates);
}

/**
 * Other editions: `_editions.articles` ({language, url}) as our feeds write it, and `translations` or
 * `_translations`, whose entries are {url or id, language} or a bare URL or id.
 */
function editionsOf(item: Json, ownUrl: string | undefined): IncomingEdition[] {
  const editions: IncomingEdition[] = [];
  const extension = item._editions;
  const listed = [
    ...(isObject(extension) && Array.isArray(extension.articles) ? (extension.articles as unknown[]) : []),
    ...[item.translations, item._translations].flatMap((list): unknown[] => (Array.isArray(list) ? (list as unknown[]) : [])),
  ];
  for (const entry of listed) {
    if (typeof entry === "string") {
      const value = trimmed(entry);
      if (value !== undefined) editions.push(/^https?:\/\//i.test(value) ? { url: value } : { id: value });
      continue;
    }
    if (!isObject(entry)) continue;
    const edition = definedOnly<IncomingEdition>({
      url: trimmed(text(entry.url)),
      id: trimmed(text(entry.id)),
      lang: trimmed(text(entry.language)),
    });
    if ((edition.url !== undefined || edition.id !== undefined) && edition.url !== ownUrl) editions.push(edition);
  }
  return editions;
}
