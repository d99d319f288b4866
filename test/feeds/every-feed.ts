/**
 * Every feed the sample edition produces (language x (all sections + each section)), with what each
 * must contain worked out independently of the store's queries: the content folder's articles,
 * filtered and sorted here.
 */
import { parseFeed } from "@rowanmanning/feed-parser";
import { beforeAll, expect } from "vitest";
import type { LanguageSettings, SectionSettings } from "../../src/config/site.ts";
import { readFeed } from "../../src/feeds/build.ts";
import { readCorrectionsFeed } from "../../src/feeds/corrections.ts";
import type { FeedModel } from "../../src/feeds/model.ts";
import type { Article } from "../../src/model/article.ts";
import { isTermKey, namesOf, TERM_DIRECTORIES, termKey, type Term } from "../../src/model/terms.ts";
import { CONTENT_DIR, loadedStore, readContentDir } from "../helpers.ts";

export interface FeedCase {
  name: string;
  language: LanguageSettings;
  section?: SectionSettings;
  /** An author's or tag's feed of the language (no section then). */
  term?: Term;
  model: FeedModel;
  /** The articles the feed must hold, newest first (ties: id descending). */
  expected: Article[];
  /** Every article of the site, to look up the editions of a story. */
  all: Article[];
}

export async function everyFeed() {
  const { store, site } = await loadedStore();
  const { articles: all } = readContentDir(CONTENT_DIR, site.settings, site.siteUrl);
  const cases: FeedCase[] = [];
  for (const language of site.settings.languages) {
    for (const section of [undefined, ...language.sections]) {
      const expected = all
        .filter((a) => a.lang === language.tag && (!section || a.section === section.slug))
        .sort((a, b) => b.published.ms - a.published.ms || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
        .slice(0, site.settings.itemCount);
      const model = await readFeed(store, site, { language, section });
      cases.push({ name: `${language.tag}${section ? `/${section.slug}` : ""}`, language, section, model, expected, all });
    }
    for (const term of termsOf(all, language.tag)) {
      const expected = newestFirst(
        all.filter((a) => a.lang === language.tag && namesOf(a, term.kind).some((n) => termKey(n) === term.key)),
      ).slice(0, site.settings.itemCount);
      const model = await readFeed(store, site, { language, term });
      cases.push({ name: `${language.tag}/${TERM_DIRECTORIES[term.kind]}/${term.key}`, language, term, model, expected, all });
    }
  }
  // Every document the checks that read models alone apply to: the feeds above and each language's corrections feed.
  const documents = cases.map((c) => ({ name: c.name, model: c.model }));
  for (const language of site.settings.languages) {
    documents.push({ name: `${language.tag}/corrections`, model: await readCorrectionsFeed(store, site, language) });
  }
  return { store, site, cases, documents };
}

/** Every author and tag of a language's articles, each key once, worked out from the names (see model/terms.ts). */
export function termsOf(all: readonly Article[], lang: string): Term[] {
  const keys = new Set<string>();
  const terms: Term[] = [];
  for (const article of all.filter((a) => a.lang === lang))
    for (const kind of ["author", "tag"] as const)
      for (const name of namesOf(article, kind)) {
        const key = termKey(name);
        if (isTermKey(key) && !keys.has(`${kind}/${key}`)) {
          keys.add(`${kind}/${key}`);
          terms.push({ kind, key });
        }
      }
  return terms;
}

function newestFirst(articles: Article[]): Article[] {
  return articles.sort((a, b) => b.published.ms - a.published.ms || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** Loads every feed once before the file's tests; read `.cases` and `.languages` inside a test. */
export function everyFeedBeforeAll() {
  const loaded = { cases: [] as FeedCase[], documents: [] as { name: string; model: FeedModel }[], languages: [] as LanguageSettings[] };
  beforeAll(async () => {
    const { cases, documents, site } = await everyFeed();
    loaded.cases = cases;
    loaded.documents = documents;
    loaded.languages = site.settings.languages;
  });
  return loaded;
}

/** The word before a correction's date in each sample language. */
const CORRECTION_WORD: Record<string, string> = { en: "Correction", ko: "정정", ja: "訂正", "zh-Hans": "更正" };

/**
 * The HTML content an article's item carries: its body, then a paragraph per correction, oldest first,
 * dated on the newsroom's clocks (the sample's corrections are written in its +09:00).
 */
export function expectedContent(article: Article): string {
  const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const notes = article.corrections.map((c) => {
    expect(c.date.iso, "sample corrections are written in the newsroom's offset").toMatch(/\+09:00$/);
    const when = `${c.date.iso.slice(0, 10)} ${c.date.iso.slice(11, 16)} UTC+09:00`;
    return `<p><strong>${CORRECTION_WORD[article.lang]} (${when}):</strong> ${escape(c.text)}</p>`;
  });
  return article.contentHtml + notes.join("");
}

/** The other editions of an article's story, in the site's language order. */
export function otherEditions(article: Article, all: readonly Article[], languages: readonly LanguageSettings[]): Article[] {
  const order = languages.map((l) => l.tag);
  return all
    .filter((a) => a.story === article.story && a.lang !== article.lang)
    .sort((a, b) => order.indexOf(a.lang) - order.indexOf(b.lang));
}

export const RFC822 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/;
export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
/** The tag: URI grammar (RFC 4151) as feed validators check it. */
export const TAG_URI = /^tag:(?:[^@]+@)?[a-z0-9.-]+,\d{4}(?:-\d{2}(?:-\d{2})?)?:[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,]*(?:#.*)?$/;

/** What @rowanmanning/feed-parser, a reader-grade parser, reads from `xml` must be the feed case's data. */
export function expectFeedParserReads(xml: string, c: FeedCase, selfUrl: string) {
  const feed = parseFeed(xml);
  expect(feed.title).toBe(c.model.title);
  expect(feed.language).toBe(c.language.tag);
  expect(feed.self).toBe(selfUrl);
  expect(feed.items.map((i) => i.id)).toEqual(c.expected.map((a) => a.id));
  feed.items.forEach((item, i) => {
    const article = c.expected[i]!;
    expect(item.title).toBe(article.title);
    expect(item.url).toBe(article.url);
    expect(item.published?.getTime()).toBe(article.published.ms);
    expect(item.description).toBe(article.summary);
    expect(item.authors.map((a) => a.name)).toEqual(article.authors.map((a) => a.name));
    if (article.image) expect(item.image?.url).toBe(article.image.url);
  });
  return feed;
}
