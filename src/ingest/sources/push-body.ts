/**
 * The push API's body: one item or an array, in JSON Feed 1.1 item vocabulary
 * (https://www.jsonfeed.org/version/1.1/#items-a-name-items-a) plus `section`, `translations` and
 * `corrections` (`[{date_published, text}]`), and the `_media` extension our own JSON Feed writes
 * (alt text, size, caption, credit, copyright of the item's image).
 * Every problem is listed by field; an invalid body yields no items at all.
 */
import type { IncomingCorrection, IncomingImage, IncomingItem } from "../incoming.ts";
import { MAX_IMAGE_TEXT } from "../../model/article.ts";
import { parseNewsroomTime } from "../../model/time.ts";
import { MAX_EDITION_LINKS } from "../normalize.ts";

/** Items one request may carry. */
export const MAX_PUSH_ITEMS = 100;

const FIELDS = new Set([
  "id",
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
  "authors",
  "author",
  "tags",
  "language",
  "section",
  "translations",
  "corrections",
]);

/** Corrections one pushed article may carry, and the characters of one correction's text. */
export const MAX_PUSH_CORRECTIONS = 50;
export const MAX_PUSH_CORRECTION_TEXT = 2000;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

export type PushParse = { ok: true; items: IncomingItem[] } | { ok: false; errors: string[] };

/** Reads a parsed JSON body into incoming items, or every reason it cannot. */
export function parsePushBody(body: unknown, baseUrl: string): PushParse {
  const list = Array.isArray(body) ? body : [body];
  const errors: string[] = [];
  if (list.length === 0) errors.push("body: an empty array has no article to take");
  if (list.length > MAX_PUSH_ITEMS) errors.push(`body: ${list.length} items; at most ${MAX_PUSH_ITEMS} per request`);
  const items: IncomingItem[] = [];
  const seen = new Set<string>();
  list.slice(0, MAX_PUSH_ITEMS).forEach((entry, i) => {
    const at = Array.isArray(body) ? `[${i}].` : "";
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      errors.push(`${Array.isArray(body) ? `[${i}]` : "body"}: must be an object (a JSON Feed item)`);
      return;
    }
    const item = entry as Record<string, unknown>;
    const problem = (field: string, message: string) => errors.push(`${at}${field}: ${message}`);
    for (const key of Object.keys(item)) {
      if (!FIELDS.has(key) && !key.startsWith("_")) problem(key, "is not a field of a pushed article");
    }
    const text = (field: string, required = false): string | undefined => {
      const v = item[field];
      if (v === undefined || v === null) {
        if (required) problem(field, "is required");
        return undefined;
      }
      if (typeof v !== "string" || v.trim() === "") {
        problem(field, "must be a non-empty string");
        return undefined;
      }
      return v;
    };
    const id = text("id", true);
    if (id !== undefined) {
      if (seen.has(id)) problem("id", `"${id}" appears twice in this request`);
      seen.add(id);
    }
    const title = text("title", true);
    const contentHtml = text("content_html");
    const contentText = text("content_text");
    if (item.content_html === undefined && item.content_text === undefined)
      problem("content_html", "content_html or content_text is required");
    const url = text("url");
    for (const field of ["url", "external_url", "image", "banner_image"]) {
      const v = item[field];
      if (typeof v === "string" && !isHttpUrl(v, baseUrl)) problem(field, `"${v}" is not an http(s) URL`);
    }
    const dates: Record<string, string | undefined> = {};
    for (const field of ["date_published", "date_modified"]) {
      const v = text(field);
      if (v !== undefined && !RFC3339.test(v)) {
        problem(field, `"${v}" is not an RFC 3339 date-time such as 2023-09-14T08:17:00+09:00`);
      } else if (v !== undefined && !isRealTime(v)) {
        problem(field, `"${v}" is not a real date and time (day, hour, minute and offset must exist)`);
      } else dates[field] = v;
    }
    const authors = authorsOf(item, problem);
    const tags = stringList(item.tags, "tags", problem);
    const translations = stringList(item.translations, "translations", problem);
    if (translations.length > MAX_EDITION_LINKS) {
      problem("translations", `${translations.length} entries, over the ${MAX_EDITION_LINKS} other editions an article may name`);
    }
    const corrections = correctionsOf(item.corrections, problem);
    const section = text("section");
    const language = text("language");
    const image = text("image") ?? text("banner_image");
    const media = mediaOf(item._media, image, problem);
    if (id === undefined || title === undefined) return;
    items.push({
      key: id,
      url,
      baseUrl,
      lang: language,
      sections: section ? [section] : [],
      title,
      summaryText: text("summary"),
      contentHtml,
      contentText,
      authors,
      tags,
      image: image ? { url: image, ...media } : undefined,
      published: dates.date_published,
      updated: dates.date_modified,
      editions: translations.map((t) => (isHttpUrl(t, baseUrl) && /^https?:/i.test(t) ? { url: t } : { id: t })),
      ...(corrections.length ? { corrections } : {}),
    });
  });
  return errors.length ? { ok: false, errors } : { ok: true, items };
}

function isHttpUrl(value: string, base: string): boolean {
  try {
    const url = new URL(value, base);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

function stringList(value: unknown, field: string, problem: (f: string, m: string) => void): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v.trim() === "")) {
    problem(field, "must be an array of non-empty strings");
    return [];
  }
  return value as string[];
}

/** `corrections`: an array of `{date_published, text}`, each date RFC 3339, each text non-empty plain text. */
function correctionsOf(value: unknown, problem: (f: string, m: string) => void): IncomingCorrection[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problem("corrections", "must be an array of {date_published, text}");
    return [];
  }
  if (value.length > MAX_PUSH_CORRECTIONS) {
    problem("corrections", `${value.length} entries; at most ${MAX_PUSH_CORRECTIONS}`);
    return [];
  }
  return value.flatMap((entry, i) => {
    const at = `corrections[${i}]`;
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      problem(at, "must be an object {date_published, text}");
      return [];
    }
    const fields = entry as Record<string, unknown>;
    const unknown = Object.keys(fields).filter((k) => k !== "date_published" && k !== "text");
    for (const key of unknown) problem(`${at}.${key}`, "is not a field of a correction (date_published, text)");
    const date = fields.date_published;
    const text = fields.text;
    let ok = unknown.length === 0;
    if (typeof date !== "string" || !RFC3339.test(date)) {
      problem(`${at}.date_published`, "must be an RFC 3339 date-time such as 2023-09-14T08:17:00+09:00");
      ok = false;
    } else if (!isRealTime(date)) {
      problem(`${at}.date_published`, `"${date}" is not a real date and time (day, hour, minute and offset must exist)`);
      ok = false;
    }
    if (typeof text !== "string" || text.trim() === "") {
      problem(`${at}.text`, "must be a non-empty string");
      ok = false;
    } else if (text.length > MAX_PUSH_CORRECTION_TEXT) {
      problem(`${at}.text`, `${text.length} characters; at most ${MAX_PUSH_CORRECTION_TEXT}`);
      ok = false;
    }
    return ok ? [{ date: date as string, text: text as string }] : [];
  });
}

/** JSON Feed 1.1 `authors`, and 1.0's single `author` for publishers not yet on 1.1. */
function authorsOf(item: Record<string, unknown>, problem: (f: string, m: string) => void) {
  const raw = item.authors ?? (item.author !== undefined ? [item.author] : []);
  if (!Array.isArray(raw)) {
    problem("authors", "must be an array of {name, url?}");
    return [];
  }
  return raw.flatMap((a, i) => {
    if (a === null || typeof a !== "object" || typeof (a as { name?: unknown }).name !== "string" || !(a as { name: string }).name.trim()) {
      problem(`authors[${i}]`, "must be an object with a non-empty name");
      return [];
    }
    const { name, url } = a as { name: string; url?: unknown };
    return [{ name, ...(typeof url === "string" ? { url } : {}) }];
  });
}

const MEDIA_FIELDS = ["about", "url", "mime_type", "size_in_bytes", "width", "height", "alt", "caption", "credit", "copyright"];

/**
 * `_media`, as the service's JSON Feed writes it (documented at /extensions/media): what the `image`
 * URL cannot say. Every member is optional; `about` is not read; `url`, when given, must be the image's.
 */
function mediaOf(value: unknown, image: string | undefined, problem: (f: string, m: string) => void): Omit<IncomingImage, "url"> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    problem("_media", "must be an object such as {alt, caption, credit, copyright, width, height}");
    return {};
  }
  if (image === undefined) problem("_media", "describes an image: give the image's URL in image");
  const fields = value as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!MEDIA_FIELDS.includes(key)) problem(`_media.${key}`, `is not a field of _media (known: ${MEDIA_FIELDS.join(", ")})`);
  }
  const media: Omit<IncomingImage, "url"> = {};
  if (fields.url !== undefined && fields.url !== image) problem("_media.url", "must be the same URL as image, or left out");
  if (fields.mime_type !== undefined) {
    if (typeof fields.mime_type === "string" && /^image\/[a-z0-9.+-]+$/i.test(fields.mime_type)) media.type = fields.mime_type;
    else problem("_media.mime_type", "must be an image media type such as image/jpeg");
  }
  for (const [key, target] of [
    ["size_in_bytes", "length"],
    ["width", "width"],
    ["height", "height"],
  ] as const) {
    const n = fields[key];
    if (n === undefined) continue;
    if (typeof n === "number" && Number.isInteger(n) && n > 0) media[target] = n;
    else problem(`_media.${key}`, "must be a whole number above 0");
  }
  const limits: Record<string, number> = { alt: 1000, ...MAX_IMAGE_TEXT };
  for (const key of ["alt", "caption", "credit", "copyright"] as const) {
    const v = fields[key];
    if (v === undefined) continue;
    if (typeof v !== "string" || v.trim() === "") problem(`_media.${key}`, "must be a non-empty string (plain text)");
    else if (v.length > limits[key]!) problem(`_media.${key}`, `has ${v.length} characters; at most ${limits[key]}`);
    else media[key] = v;
  }
  return media;
}

/** Whether an RFC 3339-shaped text names a real instant: no 31 February, no hour 99, no offset past ±18:00. */
function isRealTime(text: string): boolean {
  try {
    parseNewsroomTime(text, "UTC");
    return true;
  } catch {
    return false;
  }
}
