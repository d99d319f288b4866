/**
 * Content files to articles: `<lang>/<section>/<slug>.md` files with YAML front matter and a Markdown
 * body, each read and checked field by field. Pure: the caller reads the files (Node) or bundles them (Workers).
 */
import { parse as parseYaml } from "yaml";
import type { SiteSettings } from "../../config/site.ts";
import {
  fingerprintOf,
  IMAGE_TYPES_BY_EXTENSION,
  MAX_IMAGE_TEXT,
  type Article,
  type ArticleImage,
  type Author,
  type Correction,
} from "../../model/article.ts";
import { parseNewsroomTime, type Instant } from "../../model/time.ts";
import { cleanLine, cleanText, isEmailAddress } from "../../model/text.ts";
import type { WithdrawReason } from "../../store/store.ts";
import type { ContentFile } from "../deps.ts";
import { absoluteUrl, markdownToHtml } from "../markdown.ts";
import { sanitizeHtml } from "../sanitize.ts";

export interface ContentProblem {
  path: string;
  message: string;
}

export interface ContentContext {
  settings: SiteSettings;
  siteUrl: string;
  /** Byte size of a file under content/media (name relative to it), or null when there is none. */
  mediaSize(name: string): number | null;
  /** Folder name shown in messages, e.g. `content`. */
  folder: string;
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const FIELDS = new Set(["id", "story", "title", "summary", "posted", "updated", "authors", "tags", "image", "corrections", "withdrawn"]);
const IMAGE_FIELDS = new Set(["src", "alt", "width", "height", "type", "length", "caption", "credit", "copyright"]);
/** A fediverse handle: `@user@host`, the host a domain name (https://docs.joinmastodon.org/spec/webfinger/). */
export const FEDIVERSE_HANDLE =
  /^@[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]$/;

/**
 * Reads every article file; a file that cannot be read is a problem, and the others still load. The
 * files marked `withdrawn:` are listed apart, with their reason, and are not among the articles.
 */
export function readContent(files: readonly ContentFile[], context: ContentContext) {
  const articles: Article[] = [];
  const withdrawn: { article: Article; why: WithdrawReason }[] = [];
  const problems: ContentProblem[] = [];
  const owners = new Map<string, string>();
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    try {
      const { article, why } = parseFile(file, context);
      const owner = owners.get(article.id);
      if (owner !== undefined) {
        throw new ContentError(`has the same id ${article.id} as ${context.folder}/${owner} (same story and language?)`);
      }
      owners.set(article.id, file.path);
      if (why) withdrawn.push({ article, why });
      else articles.push(article);
    } catch (error) {
      problems.push({ path: file.path, message: `content: ${context.folder}/${file.path}: ${(error as Error).message}` });
    }
  }
  return { articles, withdrawn, problems };
}

class ContentError extends Error {}

/** One article file to an article; throws a ContentError that says which field is wrong and why. */
export function parseArticleFile(file: ContentFile, context: ContentContext): Article {
  return parseFile(file, context).article;
}

/**
 * `withdrawn:` in front matter: `true`, or the public reason as text; a reason that starts with `legal`
 * (`legal`, `legal: court order 2026-123`) is a legal takedown, whose page shows no title and whose
 * feeds state no reason (what follows `legal:` stays in the file). `false` is the same as no field.
 */
export function withdrawReason(value: unknown): WithdrawReason | null {
  if (value === undefined || value === false) return null;
  if (value === true) return {};
  if (typeof value !== "string" || cleanLine(value) === "") {
    throw new ContentError(
      `field "withdrawn" must be true or a reason such as "The interview was withdrawn by its subject" or "legal: <note>"`,
    );
  }
  const reason = cleanLine(value);
  if (/^legal\b/i.test(reason)) return { legal: true };
  return { reason };
}

function parseFile(file: ContentFile, context: ContentContext): { article: Article; why: WithdrawReason | null } {
  const { settings, siteUrl } = context;
  const parts = file.path.split("/");
  const [langFolder, section, fileName] = parts;
  if (parts.length !== 3 || !fileName!.endsWith(".md")) {
    throw new ContentError("is not at <language>/<section>/<slug>.md");
  }
  const language = settings.languages.find((l) => l.tag === langFolder);
  if (!language) {
    throw new ContentError(`folder "${langFolder}" is not a language of site.yaml (${settings.languages.map((l) => l.tag).join(", ")})`);
  }
  if (!language.sections.some((s) => s.slug === section)) {
    throw new ContentError(`folder "${section}" is not a section of ${language.tag} in site.yaml`);
  }
  const slug = fileName!.slice(0, -3);
  if (!SLUG.test(slug)) throw new ContentError(`file name "${slug}" must be a slug of a-z, 0-9 and single hyphens`);

  const { meta, body } = splitFrontMatter(file.text);
  for (const key of Object.keys(meta)) {
    if (!FIELDS.has(key)) throw new ContentError(`front matter has an unknown field "${key}" (known: ${[...FIELDS].join(", ")})`);
  }
  const story = requiredLine(meta, "story");
  if (!SLUG.test(story)) throw new ContentError(`field "story" must be a slug of a-z, 0-9 and single hyphens`);
  const posted = time(meta, "posted", settings.timezone);
  const updated = meta.updated === undefined ? posted : time(meta, "updated", settings.timezone);
  if (updated.ms < posted.ms) throw new ContentError(`field "updated" (${updated.iso}) is before "posted" (${posted.iso})`);
  const corrected = corrections(meta.corrections, posted, settings.timezone);
  const newestCorrection = corrected.at(-1)?.date;

  const article = {
    id: articleId(meta, settings, language.tag, story),
    lang: language.tag,
    section: section!,
    slug,
    story,
    url: `${siteUrl}/${language.tag}/articles/${slug}`,
    title: requiredLine(meta, "title"),
    summary: requiredLine(meta, "summary"),
    // Markdown shows raw HTML as text already; the sanitizer still runs, so every source's HTML has
    // passed the same allowlist before the store.
    contentHtml: sanitizeHtml(markdownToHtml(cleanText(body), siteUrl), siteUrl),
    authors: authors(meta.authors),
    tags: tags(meta.tags),
    image: meta.image === undefined ? null : image(meta.image, context),
    published: posted,
    // A correction is an update: the article is updated at its newest correction, when that is later.
    updated: newestCorrection && newestCorrection.ms > updated.ms ? newestCorrection : updated,
    corrections: corrected,
    source: `${context.folder}/${file.path}`,
  };
  return { article: { ...article, fingerprint: fingerprintOf(article) }, why: withdrawReason(meta.withdrawn) };
}

function splitFrontMatter(text: string): { meta: Record<string, unknown>; body: string } {
  const m = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  if (!m) throw new ContentError("does not start with YAML front matter between two --- lines");
  let meta: unknown;
  try {
    meta = parseYaml(m[1]!);
  } catch (error) {
    throw new ContentError(`front matter is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  if (meta === null || typeof meta !== "object" || Array.isArray(meta)) {
    throw new ContentError("front matter must be a mapping of fields");
  }
  const body = text.slice(m[0].length);
  if (body.trim() === "") throw new ContentError("has no body after the front matter");
  return { meta: meta as Record<string, unknown>, body };
}

function requiredLine(meta: Record<string, unknown>, key: string): string {
  const value = meta[key];
  const text = typeof value === "string" ? cleanLine(value) : "";
  if (text === "") throw new ContentError(`field "${key}" must be a non-empty string`);
  return text;
}

function time(meta: Record<string, unknown>, key: string, timeZone: string): Instant {
  const value = meta[key];
  if (typeof value !== "string") throw new ContentError(`field "${key}" must be a time such as 2023-09-14 08:17 +09:00`);
  try {
    return parseNewsroomTime(value, timeZone);
  } catch (error) {
    throw new ContentError(`field "${key}": ${(error as Error).message}`);
  }
}

/** Corrections one article may carry, and the characters of one correction's text. */
export const MAX_CORRECTIONS = 50;
export const MAX_CORRECTION_TEXT = 2000;

/**
 * `corrections:`, a list of `{date, text}`: the date a newsroom time no earlier than `posted`, no two
 * alike; the text plain, one paragraph. Returned oldest first.
 */
function corrections(value: unknown, posted: Instant, timeZone: string): Correction[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ContentError(`field "corrections" must be a list of {date, text}`);
  if (value.length > MAX_CORRECTIONS) throw new ContentError(`field "corrections" has ${value.length} entries; at most ${MAX_CORRECTIONS}`);
  const list = value.map((entry, i): Correction => {
    const where = `corrections[${i}]`;
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      throw new ContentError(`${where} must be a mapping {date, text}`);
    }
    const fields = entry as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      if (key !== "date" && key !== "text") throw new ContentError(`${where} has an unknown field "${key}" (known: date, text)`);
    }
    let date: Instant;
    try {
      date = time(fields, "date", timeZone);
    } catch (error) {
      throw new ContentError(`${where}.${(error as Error).message.replace(/^field "date"/, "date")}`);
    }
    if (date.ms < posted.ms) throw new ContentError(`${where}.date (${date.iso}) is before "posted" (${posted.iso})`);
    const text = typeof fields.text === "string" ? cleanLine(fields.text) : "";
    if (!text) throw new ContentError(`${where}.text must be a non-empty string`);
    if (text.length > MAX_CORRECTION_TEXT)
      throw new ContentError(`${where}.text has ${text.length} characters; at most ${MAX_CORRECTION_TEXT}`);
    return { date, text };
  });
  const sorted = [...list].sort((a, b) => a.date.ms - b.date.ms);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.date.ms === sorted[i - 1]!.date.ms) {
      throw new ContentError(`field "corrections" has two corrections dated ${sorted[i]!.date.iso}; each needs its own time`);
    }
  }
  return sorted;
}

/**
 * The stable id: an explicit `id` (any absolute URI) wins; otherwise a tag: URI (RFC 4151) from the
 * site's authority, the story key and the language, none of which change when a headline is edited
 * or the site moves to another host or scheme.
 */
function articleId(meta: Record<string, unknown>, settings: SiteSettings, lang: string, story: string): string {
  if (meta.id !== undefined) {
    const id = typeof meta.id === "string" ? meta.id.trim() : "";
    if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(id))
      throw new ContentError(`field "id" must be an absolute URI such as tag:news.example,2024:1234`);
    return id;
  }
  return `tag:${settings.idAuthority},${settings.idDate}:article/${lang}/${story}`;
}

function authors(value: unknown): Author[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ContentError(`field "authors" must list at least one author ({name, email?, url?, fediverse?} or a name)`);
  }
  return value.map((entry, i) => {
    const where = `authors[${i}]`;
    if (typeof entry === "string") {
      const name = cleanLine(entry);
      if (name) return { name };
      throw new ContentError(`${where} is empty`);
    }
    if (entry === null || typeof entry !== "object") throw new ContentError(`${where} must be a name or {name, email?, url?, fediverse?}`);
    const { name, email, url, fediverse, ...rest } = entry as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length) throw new ContentError(`${where} has an unknown field "${unknown[0]}"`);
    const author: Author = { name: typeof name === "string" ? cleanLine(name) : "" };
    if (!author.name) throw new ContentError(`${where}.name must be a non-empty string`);
    if (email !== undefined) {
      if (typeof email !== "string" || !isEmailAddress(email)) {
        throw new ContentError(`${where}.email must be an e-mail address`);
      }
      author.email = email;
    }
    if (url !== undefined) {
      const absolute = typeof url === "string" ? absoluteUrl(url, "http://invalid") : null;
      if (!absolute || !/^https?:\/\//.test(url as string)) throw new ContentError(`${where}.url must be an absolute http(s) URL`);
      author.url = absolute;
    }
    if (fediverse !== undefined) {
      const handle = typeof fediverse === "string" ? fediverse.trim() : "";
      if (!FEDIVERSE_HANDLE.test(handle) || handle.length > 320) {
        throw new ContentError(`${where}.fediverse must be a handle such as @name@mastodon.example (@user@host)`);
      }
      author.fediverse = handle;
    }
    return author;
  });
}

function tags(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((t) => typeof t !== "string" || cleanLine(t) === "")) {
    throw new ContentError(`field "tags" must be a list of non-empty strings`);
  }
  return [...new Set(value.map((t: string) => cleanLine(t)))];
}

function image(value: unknown, context: ContentContext): ArticleImage {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ContentError(`field "image" must be a mapping with src, alt, width, height (type, length, caption, credit, copyright)`);
  }
  const fields = value as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!IMAGE_FIELDS.has(key)) throw new ContentError(`image has an unknown field "${key}"`);
  }
  const src = typeof fields.src === "string" ? fields.src.trim() : "";
  const alt = typeof fields.alt === "string" ? cleanLine(fields.alt) : "";
  if (!alt) throw new ContentError(`image.alt must describe the picture`);
  const dimension = (key: "width" | "height") => {
    const n = fields[key];
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1) throw new ContentError(`image.${key} must be a whole number of pixels`);
    return n;
  };
  const declaredLength = fields.length;
  if (declaredLength !== undefined && (typeof declaredLength !== "number" || !Number.isInteger(declaredLength) || declaredLength < 1)) {
    throw new ContentError(`image.length must be the file's size in bytes`);
  }
  const declaredType = fields.type;
  if (declaredType !== undefined && (typeof declaredType !== "string" || !/^image\/[a-z0-9.+-]+$/.test(declaredType))) {
    throw new ContentError(`image.type must be an image media type such as image/jpeg`);
  }

  let url: string;
  let length: number;
  let type: string | undefined = declaredType;
  if (src.startsWith("/media/")) {
    const name = src.slice("/media/".length);
    const size = /^[\w.-]+(?:\/[\w.-]+)*$/.test(name) && !name.split("/").includes("..") ? context.mediaSize(name) : null;
    if (size === null) throw new ContentError(`image.src ${src}: no such file in ${context.folder}/media/`);
    if (declaredLength !== undefined && declaredLength !== size) {
      throw new ContentError(`image.length says ${declaredLength} bytes but ${context.folder}${src} has ${size}`);
    }
    length = size;
    type ??= IMAGE_TYPES_BY_EXTENSION[name.split(".").pop()!.toLowerCase()];
    if (!type) throw new ContentError(`image.type is needed: the kind of ${src} is not known from its name`);
    url = `${context.siteUrl}${src}`;
  } else {
    const absolute = /^https?:\/\//i.test(src) ? absoluteUrl(src, context.siteUrl) : null;
    if (!absolute) throw new ContentError(`image.src must be /media/<file> or an absolute http(s) URL`);
    if (declaredLength === undefined || type === undefined) {
      throw new ContentError(`image.type and image.length are needed for an image outside ${context.folder}/media/`);
    }
    url = absolute;
    length = declaredLength;
  }
  return { url, type, length, width: dimension("width"), height: dimension("height"), alt, ...imageWords(fields) };
}

/** `caption`, `credit` and `copyright`: each optional, one line of plain text when given. */
function imageWords(fields: Record<string, unknown>): Pick<ArticleImage, "caption" | "credit" | "copyright"> {
  const words: Pick<ArticleImage, "caption" | "credit" | "copyright"> = {};
  for (const key of ["caption", "credit", "copyright"] as const) {
    const value = fields[key];
    if (value === undefined) continue;
    const line = typeof value === "string" ? cleanLine(value) : "";
    if (!line) throw new ContentError(`image.${key} must be a non-empty string (plain text)`);
    if (line.length > MAX_IMAGE_TEXT[key]) {
      throw new ContentError(`image.${key} has ${line.length} characters; at most ${MAX_IMAGE_TEXT[key]}`);
    }
    words[key] = line;
  }
  return words;
}
