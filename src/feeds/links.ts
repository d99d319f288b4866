/** Where every public document lives, from the site's base URL: one place for all URL shapes. */
import { FORMAT_NAMES, FORMATS } from "./formats.ts";
import type { FeedLinks } from "./model.ts";

/** Path of a language's (or section's) HTML page, which its feeds sit beside: `/en/` or `/en/politics/`. */
export function feedDirectory(lang: string, section?: string): string {
  return section === undefined ? `/${lang}/` : `/${lang}/${section}/`;
}

export function feedLinks(siteUrl: string, lang: string, section?: string): FeedLinks {
  const base = `${siteUrl}${feedDirectory(lang, section)}`;
  const links = { html: base } as FeedLinks;
  for (const format of FORMAT_NAMES) links[format] = base + FORMATS[format].file;
  return links;
}

export function articlePath(lang: string, slug: string): string {
  return `/${lang}/articles/${slug}`;
}

export const EXTENSION_DOCS_PATH = "/extensions/editions";
