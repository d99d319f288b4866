/** Store rows to the format-neutral feed model: pure, plus one function that reads what it needs. */
import pkg from "../../package.json" with { type: "json" };
import type { LanguageSettings, SectionSettings, SiteSettings } from "../config.ts";
import type { Article, Edition } from "../model/article.ts";
import { instantAt, type Instant } from "../model/time.ts";
import type { ArticleStore } from "../store/store.ts";
import { EXTENSION_DOCS_PATH, feedLinks } from "./links.ts";
import type { FeedItem, FeedModel } from "./model.ts";

/** The site as every builder and page sees it: the newsroom's settings and the public base URL. */
export interface Site {
  settings: SiteSettings;
  siteUrl: string;
}

export interface FeedScope {
  language: LanguageSettings;
  section?: SectionSettings;
}

export const GENERATOR = { name: pkg.name, version: pkg.version };

/** Builds the feed of `scope` from its articles (newest first) and the editions of their stories. */
export function buildFeed(site: Site, scope: FeedScope, articles: readonly Article[], editions: readonly Edition[]): FeedModel {
  const { settings, siteUrl } = site;
  const { language, section } = scope;
  const order = new Map(settings.languages.map((l, i) => [l.tag, i]));
  const byStory = new Map<string, Edition[]>();
  for (const edition of editions) {
    if (!byStory.has(edition.story)) byStory.set(edition.story, []);
    byStory.get(edition.story)!.push(edition);
  }
  for (const list of byStory.values()) list.sort((a, b) => (order.get(a.lang) ?? 1e9) - (order.get(b.lang) ?? 1e9));

  const items: FeedItem[] = articles.map((article) => ({
    id: article.id,
    url: article.url,
    title: article.title,
    summary: article.summary,
    contentHtml: article.contentHtml,
    authors: article.authors,
    categories: [
      { term: article.section, label: sectionName(language, article.section) },
      ...article.tags.map((tag) => ({ term: tag, label: tag })),
    ],
    image: article.image,
    published: article.published,
    updated: article.updated,
    editions: (byStory.get(article.story) ?? [])
      .filter((e) => e.lang !== article.lang)
      .map((e) => ({ lang: e.lang, title: e.title, url: e.url })),
  }));

  const alternates = settings.languages
    .filter((l) => l.tag !== language.tag && (!section || l.sections.some((s) => s.slug === section.slug)))
    .map((l) => ({
      lang: l.tag,
      title: feedTitle(l, section && l.sections.find((s) => s.slug === section.slug)),
      links: feedLinks(siteUrl, l.tag, section?.slug),
    }));

  return {
    id: `tag:${settings.idAuthority},${settings.idDate}:feed/${language.tag}${section ? `/${section.slug}` : ""}`,
    lang: language.tag,
    title: feedTitle(language, section),
    description: section ? `${language.description} (${section.name})` : language.description,
    links: feedLinks(siteUrl, language.tag, section?.slug),
    alternates,
    updated: newestUpdate(items) ?? idDateInstant(settings),
    author: settings.publisher,
    generator: GENERATOR,
    extensionDocs: `${siteUrl}${EXTENSION_DOCS_PATH}`,
    items,
  };
}

/** Reads the latest articles of `scope` and their stories' editions, and builds the feed. */
export async function readFeed(store: ArticleStore, site: Site, scope: FeedScope): Promise<FeedModel> {
  const articles = await store.latest({
    lang: scope.language.tag,
    section: scope.section?.slug,
    limit: site.settings.itemCount,
  });
  const editions = articles.length ? await store.editions(articles.map((a) => a.story)) : [];
  return buildFeed(site, scope, articles, editions);
}

export function feedTitle(language: LanguageSettings, section?: SectionSettings): string {
  return section ? `${language.title} · ${section.name}` : language.title;
}

function sectionName(language: LanguageSettings, slug: string): string {
  return language.sections.find((s) => s.slug === slug)?.name ?? slug;
}

function newestUpdate(items: readonly FeedItem[]): Instant | undefined {
  let newest: Instant | undefined;
  for (const item of items) if (!newest || item.updated.ms > newest.ms) newest = item.updated;
  return newest;
}

/** An empty feed's updated time: the site's id date, a fixed day, so it never follows the clock. */
function idDateInstant(settings: SiteSettings): Instant {
  return instantAt(Date.parse(`${settings.idDate}T00:00:00Z`), 0);
}
