/** Where every public document lives, from the site's base URL: one place for all URL shapes. */
import { TERM_DIRECTORIES, termSegment, type Term } from "../model/terms.ts";
import { FORMAT_NAMES, FORMATS } from "./formats.ts";
import type { FeedLinks } from "./model.ts";
import type { Cursor } from "../store/store.ts";

/** Path of a language's (or section's) HTML page, which its feeds sit beside: `/en/` or `/en/politics/`. */
export function feedDirectory(lang: string, section?: string): string {
  return section === undefined ? `/${lang}/` : `/${lang}/${section}/`;
}

/** Path segment under a feed's directory where its monthly archives live: `/en/archive/2026-10/rss.xml`. */
export const ARCHIVE_SEGMENT = "archive";

/**
 * The feed's documents in every format (an archive month's, when given) and its HTML page. With
 * `before`, the JSON Feed document is the month's page of articles older than that position (see
 * pageQuery); the other formats keep whole months.
 */
export function feedLinks(siteUrl: string, lang: string, section?: string, archive?: string, before?: Cursor): FeedLinks {
  return linksIn(siteUrl, feedDirectory(lang, section), archive, before);
}

/** Path of an author's or tag's HTML page, which its feeds sit beside: `/en/authors/kang-min-seo/`, `/ko/tags/%ED%95%9C%EA%B0%95/`. */
export function termDirectory(lang: string, term: Term): string {
  return `/${lang}/${TERM_DIRECTORIES[term.kind]}/${termSegment(term.key)}/`;
}

/** An author's or tag's feed documents in every format (an archive month's, when given, and its JSON Feed page with `before`) and its HTML page. */
export function termFeedLinks(siteUrl: string, lang: string, term: Term, archive?: string, before?: Cursor): FeedLinks {
  return linksIn(siteUrl, termDirectory(lang, term), archive, before);
}

function linksIn(siteUrl: string, directory: string, archive: string | undefined, before: Cursor | undefined): FeedLinks {
  const page = `${siteUrl}${directory}`;
  const base = archive === undefined ? page : `${page}${ARCHIVE_SEGMENT}/${archive}/`;
  const links = { html: page } as FeedLinks;
  for (const format of FORMAT_NAMES) links[format] = base + FORMATS[format].file;
  if (archive !== undefined && before !== undefined) links.json += pageQuery(before);
  return links;
}

/** Query parameter of a JSON Feed archive page: `?before=<published ms>,<id>`, the id percent-encoded. */
export const BEFORE_PARAM = "before";

/** `?before=1790000000000,tag%3A...`: the articles of an archive month older than the position (published, id), newest first. */
export function pageQuery(before: Cursor): string {
  return `?${BEFORE_PARAM}=${before.publishedMs},${encodeURIComponent(before.id)}`;
}

/** Longest id a page cursor carries (an article id is an absolute URI; longer ones are refused). */
const MAX_CURSOR_ID = 2048;

/** The position a `before` parameter's (decoded) value names, or null when it is not `<ms>,<id>`. */
export function parseCursor(value: string): Cursor | null {
  const match = /^(-?\d{1,15}),(.+)$/s.exec(value);
  if (!match || match[2]!.length > MAX_CURSOR_ID) return null;
  return { publishedMs: Number(match[1]), id: match[2]! };
}

/** Path segment under a language where its corrections feed lives: `/en/corrections/rss.xml`. */
export const CORRECTIONS_SEGMENT = "corrections";

/** A language's corrections feed in every format; its HTML page is the language's page. */
export function correctionsLinks(siteUrl: string, lang: string): FeedLinks {
  const base = `${siteUrl}/${lang}/${CORRECTIONS_SEGMENT}/`;
  const links = { html: `${siteUrl}${feedDirectory(lang)}` } as FeedLinks;
  for (const format of FORMAT_NAMES) links[format] = base + FORMATS[format].file;
  return links;
}

export function articlePath(lang: string, slug: string): string {
  return `/${lang}/articles/${slug}`;
}

export const EXTENSION_DOCS_PATH = "/extensions/editions";

/** The page documenting how feeds list withdrawn articles (JSON Feed `_deleted`, the RSS elements' namespace). */
export const WITHDRAWAL_DOCS_PATH = "/extensions/deleted";

/** The page documenting the JSON Feed `_media` extension (an image's alt text, size, caption, credit, copyright). */
export const MEDIA_DOCS_PATH = "/extensions/media";
