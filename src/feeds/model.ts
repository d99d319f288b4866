/** The format-neutral feed: everything any of the three renderers writes, and nothing they compute. */
import { escapeHtml } from "../model/escape.ts";
import type { ArticleImage, Author } from "../model/article.ts";
import type { Instant } from "../model/time.ts";

/** RFC 5005's namespace, for `fh:archive`. */
export const FEED_HISTORY_NS = "http://purl.org/syndication/history/1.0";

export type FeedFormat = "rss" | "atom" | "json";

/** Where one feed lives: its document in each format and the HTML page it summarizes. */
export interface FeedLinks {
  rss: string;
  atom: string;
  json: string;
  html: string;
}

export interface FeedEdition {
  lang: string;
  title: string;
  url: string;
}

export interface FeedItem {
  id: string;
  url: string;
  title: string;
  summary: string;
  contentHtml: string;
  authors: Author[];
  /** The section first (term is its slug), then the article's tags. */
  categories: { term: string; label: string }[];
  image: ArticleImage | null;
  published: Instant;
  updated: Instant;
  /** The story's editions in other languages, in the site's language order. */
  editions: FeedEdition[];
}

/** The RFC 5005 links of a document, in the order feeds write them. */
export function historyLinks(feed: Pick<FeedModel, "history">): [string, FeedLinks][] {
  const { current, prevArchive, nextArchive } = feed.history;
  return [
    ...(current && !isWholeArchive(feed) ? [["current", current] as [string, FeedLinks]] : []),
    ...(prevArchive ? [["prev-archive", prevArchive] as [string, FeedLinks]] : []),
    ...(nextArchive ? [["next-archive", nextArchive] as [string, FeedLinks]] : []),
  ];
}

/**
 * An archive month with no month before or after it holds every article the feed ever had (a tag used
 * in one month): RFC 5005 archives link their neighbours, and this one has none, so it says it is
 * complete (`fh:complete`) instead, and, being the whole feed, names no other document as current.
 */
export function isWholeArchive(feed: Pick<FeedModel, "history">): boolean {
  const { archive, prevArchive, nextArchive } = feed.history;
  return archive && prevArchive === undefined && nextArchive === undefined;
}

export interface FeedModel {
  /** Stable tag: URI of the feed. */
  id: string;
  lang: string;
  /** The section this feed is limited to, if any. */
  section?: { slug: string; name: string };
  title: string;
  description: string;
  links: FeedLinks;
  /** The same feed in the site's other languages. */
  alternates: { lang: string; title: string; links: FeedLinks }[];
  /** The newest update among the items: never the clock, so equal data renders equal bytes. */
  updated: Instant;
  author: Author;
  generator: { name: string; version: string };
  /** Page documenting the `_editions` JSON Feed extension. */
  extensionDocs: string;
  /** Page documenting the `_media` JSON Feed extension. */
  mediaDocs: string;
  /** WebSub hubs that announce this feed's changes. */
  hubs: string[];
  /**
   * RFC 5005 archives (https://www.rfc-editor.org/rfc/rfc5005): `archive` marks an archive document,
   * `current` links its subscription document, and the archive months around it.
   */
  history: {
    archive: boolean;
    current?: FeedLinks;
    prevArchive?: FeedLinks;
    nextArchive?: FeedLinks;
    /**
     * JSON Feed's `next_url`: the document that starts right after this one's last item (for a
     * subscription document, the page of its last item's month older than that item; for an archive,
     * the previous month), so following it gives every article exactly once.
     */
    nextPage?: string;
  };
  items: FeedItem[];
  /**
   * Articles of this feed's scope withdrawn lately, newest first (subscription documents only): Atom
   * writes RFC 6721 deleted entries (https://www.rfc-editor.org/rfc/rfc6721), RSS and JSON Feed the
   * extension documented at `withdrawalDocs`. Empty elsewhere.
   */
  withdrawals?: FeedWithdrawal[];
  /** Page documenting the withdrawal extension; also the RSS extension's namespace. */
  withdrawalDocs?: string;
}

/** A withdrawn entry: its id, when it was withdrawn (in the newsroom's zone), and the public reason ('' for none). */
export interface FeedWithdrawal {
  ref: string;
  when: Instant;
  comment: string;
}

/** RFC 6721's namespace, for `at:deleted-entry`. */
export const TOMBSTONES_NS = "http://purl.org/atompub/tombstones/1.0";

/**
 * The content of an item kept without a body (an upstream headline) where a format wants one: one
 * paragraph linking its headline to the article. Atom wants textual content in an entry (the W3C
 * validator warns without it) and JSON Feed wants content_html; RSS needs neither (a title is enough,
 * and content:encoded without a description draws a warning), so it carries none. Nothing is invented:
 * there is still no summary.
 */
export function contentOrHeadlineLink(item: Pick<FeedItem, "contentHtml" | "url" | "title">): string {
  return item.contentHtml || `<p><a href="${escapeHtml(item.url)}">${escapeHtml(item.title)}</a></p>`;
}
