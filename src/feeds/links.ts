/** Where every public document lives, from the site's base URL: one place for all URL shapes. */
import { TERM_DIRECTORIES, termSegment, type Term } from "../model/terms.ts";
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
  return linksIn(siteUrl, feedDirectory(lang, section), archive);
}

/** Path of an author's or tag's HTML page, which its feeds sit beside: `/en/authors/kang-min-seo/`, `/ko/tags/%ED%95%9C%EA%B0%95/`. */
export function termDirectory(lang: string, term: Term): string {
  return `/${lang}/${TERM_DIRECTORIES[term.kind]}/${termSegment(term.key)}/`;
}

/** An author's or tag's feed documents in every format (an archive month's, when given) and its HTML page. */
export function termFeedLinks(siteUrl: string, lang: string, term: Term, archive?: string): FeedLinks {
  return linksIn(siteUrl, termDirectory(lang, term), archive);
}

function linksIn(siteUrl: string, directory: string, archive: string | undefined): FeedLinks {
  const page = `${siteUrl}${directory}`;
  const base = archive === undefined ? page : `${page}${ARCHIVE_SEGMENT}/${archive}/`;
  const links = { html: page } as FeedLinks;
  for (const format of FORMAT_NAMES) links[format] = base + FORMATS[format].file;
  return links;
}

export function articlePath(lang: string, slug: string): string {
  return `/${lang}/articles/${slug}`;
}

export const EXTENSION_DOCS_PATH = "/extensions/editions";
