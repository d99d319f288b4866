/** Where every public document lives, from the site's base URL: one place for all URL shapes. */
import { FORMAT_NAMES, FORMATS } from "./formats.ts";
import type { FeedLinks } from "./model.ts";

/** Path of a language's (or section's) HTML page, which its feeds sit beside: `/en/` or `/en/politics/`. */
export function feedDirectory(lang: string, section?: string): string {
  return section === undefined ? `/${lang}/` : `/${lang}/${section}/`;
}

/** Path segment under a feed's directory where its monthly archives live: `/en/archive/2026-10/rss.xml`. */
export const ARCHIVE_SEGMENT = "archive";

/** The feed's documents in every format (an archive month's, when given) and its HTML page. */
export function feedLinks(siteUrl: string, lang: string, section?: string, archive?: string): FeedLinks {
  const page = `${siteUrl}${feedDirectory(lang, section)}`;
  const base = archive === undefined ? page : `${page}${ARCHIVE_SEGMENT}/${archive}/`;
  const links = { html: page } as FeedLinks;
  for (const format of FORMAT_NAMES) links[format] = base + FORMATS[format].file;
  return links;
}

export function articlePath(lang: string, slug: string): string {
  return `/${lang}/articles/${slug}`;
}

export const EXTENSION_DOCS_PATH = "/extensions/editions";

/** The page documenting how feeds list withdrawn articles (JSON Feed `_deleted`, the RSS elements' namespace). */
export const WITHDRAWAL_DOCS_PATH = "/extensions/deleted";
