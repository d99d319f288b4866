/**
 * The corrections feed of a language edition (`/{lang}/corrections/rss.xml`, `atom.xml`, `feed.json`):
 * one item per correction, newest first, each linking to the article it corrects.
 */
import type { LanguageSettings, Site } from "../config/site.ts";
import type { Article, Correction } from "../model/article.ts";
import { escapeHtml } from "../model/escape.ts";
import { instantAt, type Instant } from "../model/time.ts";
import type { ArticleStore } from "../store/store.ts";
import { GENERATOR } from "./build.ts";
import { correctionParagraph, correctionWords } from "./correction-note.ts";
import { correctionsLinks, EXTENSION_DOCS_PATH, MEDIA_DOCS_PATH } from "./links.ts";
import type { FeedItem, FeedModel } from "./model.ts";

/**
 * The id of a correction's item: the article's id and the correction's instant, so that it differs from
 * the article's own and stays the same however often the feed is rendered.
 */
export function correctionId(articleId: string, date: Instant): string {
  const stamp = new Date(date.ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
  // A fragment when the id has none (tag: URIs, RFC 4151, may carry one); else a suffix on its fragment.
  return articleId.includes("#") ? `${articleId}-correction-${stamp}` : `${articleId}#correction-${stamp}`;
}

/** One correction to an article, as the corrections feed lists it. */
interface CorrectionOf {
  article: Article;
  correction: Correction;
}

/** Newest first; ties by article id, descending, as the store orders corrected articles. */
function newestFirst(a: CorrectionOf, b: CorrectionOf): number {
  return b.correction.date.ms - a.correction.date.ms || (a.article.id < b.article.id ? 1 : a.article.id > b.article.id ? -1 : 0);
}

/** Builds a language's corrections feed from its corrected articles (see ArticleStore.corrected). */
export function buildCorrectionsFeed(site: Site, language: LanguageSettings, corrected: readonly Article[], limit: number): FeedModel {
  const { settings, siteUrl } = site;
  const zone = settings.timezone;
  const words = correctionWords(language.tag);
  const all = corrected.flatMap((article) => article.corrections.map((correction) => ({ article, correction })));
  const items: FeedItem[] = all
    .sort(newestFirst)
    .slice(0, limit)
    .map(({ article, correction }) => {
      const headline = `<p><a href="${escapeHtml(article.url)}">${escapeHtml(article.title)}</a></p>`;
      return {
        id: correctionId(article.id, correction.date),
        url: article.url,
        title: words.itemTitle(article.title),
        summary: correction.text,
        contentHtml: correctionParagraph(language.tag, correction, zone) + headline,
        authors: [],
        categories: [{ term: article.section, label: language.sections.find((s) => s.slug === article.section)?.name ?? article.section }],
        image: null,
        published: correction.date,
        updated: correction.date,
        editions: [],
      };
    });
  const newest = items.reduce<Instant | undefined>((n, i) => (!n || i.updated.ms > n.ms ? i.updated : n), undefined);
  return {
    id: `tag:${settings.idAuthority},${settings.idDate}:feed/${language.tag}/corrections`,
    lang: language.tag,
    title: words.feedTitle(language.title),
    description: words.feedDescription(language.title),
    links: correctionsLinks(siteUrl, language.tag),
    alternates: settings.languages
      .filter((l) => l.tag !== language.tag)
      .map((l) => ({ lang: l.tag, title: correctionWords(l.tag).feedTitle(l.title), links: correctionsLinks(siteUrl, l.tag) })),
    updated: newest ?? instantAt(Date.parse(`${settings.idDate}T00:00:00Z`), 0),
    author: settings.publisher,
    generator: GENERATOR,
    extensionDocs: `${siteUrl}${EXTENSION_DOCS_PATH}`,
    mediaDocs: `${siteUrl}${MEDIA_DOCS_PATH}`,
    hubs: site.hubs ?? [],
    history: { archive: false },
    items,
  };
}

/** Reads a language's corrections feed: its `limit` newest corrections (the settings' item_count by default). */
export async function readCorrectionsFeed(store: ArticleStore, site: Site, language: LanguageSettings, limit?: number): Promise<FeedModel> {
  const count = limit ?? site.settings.itemCount;
  return buildCorrectionsFeed(site, language, await store.corrected(language.tag, count), count);
}
