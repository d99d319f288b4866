/** Store rows to the format-neutral feed model: pure, plus one function that reads what it needs. */
import pkg from "../../package.json" with { type: "json" };
import type { LanguageSettings, SectionSettings, Site, SiteSettings } from "../config/site.ts";
import type { Article, Edition } from "../model/article.ts";
import { termId, termName, termSegment, TERM_DIRECTORIES, type Term } from "../model/terms.ts";
import { inZone, instantAt, parseNewsroomTime, type Instant } from "../model/time.ts";
import type { ArticleStore, Cursor, Tombstone } from "../store/store.ts";
import { contentWithCorrections } from "./correction-note.ts";
import { EXTENSION_DOCS_PATH, feedLinks, MEDIA_DOCS_PATH, termFeedLinks, WITHDRAWAL_DOCS_PATH } from "./links.ts";
import type { FeedItem, FeedLinks, FeedModel, FeedWithdrawal } from "./model.ts";

export interface FeedScope {
  language: LanguageSettings;
  section?: SectionSettings;
  /** An archive month (`2026-10`, in the newsroom's zone) instead of the latest articles. */
  archive?: string;
  /** How many of the latest articles (the subscription document); the settings' item_count by default. */
  limit?: number;
  /** With `archive`: only the month's articles older than this position (a JSON Feed page, see FeedHistory.nextPage). */
  before?: Cursor;
  /** The articles of one author or tag of the language instead (no section then). */
  term?: Term;
}

/** Neighbouring archive months of a document, as readFeed finds them. */
export interface FeedHistory {
  /** The month of the newest article before this document's (for a subscription document, its newest article's month). */
  prev?: string;
  next?: string;
  /** Where JSON Feed paging goes on: an archive month, whole or from a position on. */
  nextPage?: { month: string; before?: Cursor };
}

/** Articles one archive month holds at most; a busier month keeps its newest. */
export const MAX_ARCHIVE_ITEMS = 1000;

export const GENERATOR = { name: pkg.name, version: pkg.version };

/** Builds the feed of `scope` from its articles (newest first) and the editions of their stories. */
export function buildFeed(
  site: Site,
  scope: FeedScope,
  articles: readonly Article[],
  editions: readonly Edition[],
  history: FeedHistory = {},
  withdrawals: readonly Tombstone[] = [],
): FeedModel {
  const { settings, siteUrl } = site;
  const { language, section, term } = scope;
  if (term !== undefined) return buildTermFeed(site, { ...scope, term }, articles, editions, history);
  const items = feedItems(site, language, articles, editions);
  const links = (archive?: string, before?: Cursor) => feedLinks(siteUrl, language.tag, section?.slug, archive, before);

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
    ...(section ? { section: { slug: section.slug, name: section.name } } : {}),
    title: feedTitle(language, section),
    description: section ? `${language.description} (${section.name})` : language.description,
    links: links(scope.archive, scope.before),
    alternates,
    updated: newestUpdate(items) ?? idDateInstant(settings),
    author: settings.publisher,
    generator: GENERATOR,
    extensionDocs: `${siteUrl}${EXTENSION_DOCS_PATH}`,
    mediaDocs: `${siteUrl}${MEDIA_DOCS_PATH}`,
    hubs: site.hubs ?? [],
    history: historyOf(scope, history, links),
    items,
    withdrawals: withdrawals.map((t): FeedWithdrawal => ({
      ref: t.id,
      when: inZone(instantAt(t.withdrawnMs, 0), settings.timezone),
      // A legal takedown states no reason in public.
      comment: t.legal ? "" : t.reason,
    })),
    withdrawalDocs: `${siteUrl}${WITHDRAWAL_DOCS_PATH}`,
  };
}

/**
 * A document's RFC 5005 links and JSON Feed's next page, by the feed's own way of naming its documents
 * (an archive month's, and a page of one after a position).
 */
function historyOf(scope: FeedScope, history: FeedHistory, links: (archive?: string, before?: Cursor) => FeedLinks): FeedModel["history"] {
  return {
    archive: scope.archive !== undefined,
    ...(scope.archive !== undefined ? { current: links() } : {}),
    ...(history.prev ? { prevArchive: links(history.prev) } : {}),
    ...(history.next ? { nextArchive: links(history.next) } : {}),
    ...(history.nextPage ? { nextPage: links(history.nextPage.month, history.nextPage.before).json } : {}),
  };
}

/** Withdrawals one subscription document lists at most, newest first. */
export const MAX_LISTED_WITHDRAWALS = 100;

/**
 * The feed of one author or tag of a language: its articles as any feed's items, titled by the name as
 * the newest of them writes it (a tag after `#`), linking its own page and archive months. It has no
 * alternates (an author or tag need not be in another language); it names the site's WebSub hubs, which
 * are told when its version moves.
 */
function buildTermFeed(
  site: Site,
  scope: FeedScope & { term: Term },
  articles: readonly Article[],
  editions: readonly Edition[],
  history: FeedHistory,
): FeedModel {
  const { settings, siteUrl } = site;
  const { language, term } = scope;
  const name = termFeedName(term, articles);
  const items = feedItems(site, language, articles, editions);
  const links = (archive?: string, before?: Cursor) => termFeedLinks(siteUrl, language.tag, term, archive, before);
  return {
    id: `tag:${settings.idAuthority},${settings.idDate}:feed/${language.tag}/${TERM_DIRECTORIES[term.kind]}/${termSegment(term.key)}`,
    lang: language.tag,
    title: `${language.title} · ${name}`,
    description: `${language.description} (${name})`,
    links: links(scope.archive, scope.before),
    alternates: [],
    updated: newestUpdate(items) ?? idDateInstant(settings),
    author: settings.publisher,
    generator: GENERATOR,
    extensionDocs: `${siteUrl}${EXTENSION_DOCS_PATH}`,
    mediaDocs: `${siteUrl}${MEDIA_DOCS_PATH}`,
    hubs: site.hubs ?? [],
    history: historyOf(scope, history, links),
    items,
  };
}

/** How an author's or tag's feed and page name it: the name as the newest article writes it, a tag after `#`. */
export function termFeedName(term: Term, articles: readonly Article[]): string {
  const name = termName(term, articles);
  return term.kind === "tag" ? `#${name}` : name;
}

/** The items of `articles`, with the other editions of each one's story in the site's language order. */
function feedItems(site: Site, language: LanguageSettings, articles: readonly Article[], editions: readonly Edition[]): FeedItem[] {
  const order = new Map(site.settings.languages.map((l, i) => [l.tag, i]));
  const byStory = new Map<string, Edition[]>();
  for (const edition of editions) {
    if (!byStory.has(edition.story)) byStory.set(edition.story, []);
    byStory.get(edition.story)!.push(edition);
  }
  for (const list of byStory.values()) list.sort((a, b) => (order.get(a.lang) ?? 1e9) - (order.get(b.lang) ?? 1e9));

  return articles.map((article) => ({
    id: article.id,
    url: article.url,
    title: article.title,
    summary: article.summary,
    contentHtml: contentWithCorrections(article, site.settings.timezone),
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
}

/**
 * Reads what `scope` holds (the latest articles, or one archive month) with the editions of their
 * stories and the neighbouring archive months, and builds the feed.
 */
export async function readFeed(store: ArticleStore, site: Site, scope: FeedScope): Promise<FeedModel> {
  const term = scope.term && termId(scope.term);
  const base = { lang: scope.language.tag, section: term === undefined ? scope.section?.slug : undefined, term };
  const zone = site.settings.timezone;
  let articles: Article[];
  const history: FeedHistory = {};
  let withdrawals: Tombstone[] = [];
  if (scope.archive === undefined) {
    // One more than the document holds: the article JSON Feed paging goes on with, if any.
    const limit = scope.limit ?? site.settings.itemCount;
    articles = await store.latest({ ...base, limit: limit + 1 });
    const older = articles.length > limit ? articles.pop() : undefined;
    withdrawals = await store.listedWithdrawals(base.lang, base.section, MAX_LISTED_WITHDRAWALS);
    const newest = articles[0];
    if (newest) history.prev = monthOf(newest.published, zone);
    // JSON Feed pages on from right after the last item: the rest of its month, or an older month whole.
    const last = articles.at(-1);
    if (last && older) {
      const month = monthOf(older.published, zone);
      history.nextPage =
        month === monthOf(last.published, zone) ? { month, before: { publishedMs: last.published.ms, id: last.id } } : { month };
    }
  } else {
    const { start, end } = monthRange(scope.archive, zone);
    const before = scope.before && scope.before.publishedMs < end ? scope.before : { publishedMs: end, id: "" };
    articles = await store.latest({ ...base, since: start, before, limit: MAX_ARCHIVE_ITEMS });
    const [older] = await store.latest({ ...base, before: { publishedMs: start, id: "" }, limit: 1 });
    if (older) history.prev = monthOf(older.published, zone);
    if (history.prev) history.nextPage = { month: history.prev };
    const newer = await store.firstPublishedSince(base.lang, base.section, end, term);
    if (newer !== null) history.next = monthOf({ ms: newer }, zone);
  }
  const editions = articles.length ? await store.editions(articles.map((a) => a.story)) : [];
  return buildFeed(site, scope, articles, editions, history, withdrawals);
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Whether `text` names a month as archives do: `2026-10`. */
export function isArchiveMonth(text: string): boolean {
  return MONTH.test(text);
}

/** The month (`YYYY-MM`) an instant falls in, on the newsroom's clocks. */
export function monthOf(instant: Pick<Instant, "ms">, timeZone: string): string {
  return inZone({ iso: "", ms: instant.ms }, timeZone).iso.slice(0, 7);
}

/** First instant of a month in the newsroom's zone, and of the next month. */
export function monthRange(month: string, timeZone: string): { start: number; end: number } {
  const [year, mon] = month.split("-").map(Number) as [number, number];
  const next = mon === 12 ? `${year + 1}-01` : `${year}-${String(mon + 1).padStart(2, "0")}`;
  return {
    start: parseNewsroomTime(`${month}-01 00:00`, timeZone).ms,
    end: parseNewsroomTime(`${next}-01 00:00`, timeZone).ms,
  };
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
