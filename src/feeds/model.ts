/** The format-neutral feed: everything any of the three renderers writes, and nothing they compute. */
import type { ArticleImage, Author } from "../model/article.ts";
import type { Instant } from "../model/time.ts";

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

export interface FeedModel {
  /** Stable tag: URI of the feed. */
  id: string;
  lang: string;
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
  items: FeedItem[];
}
