/**
 * JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/). Links between language editions travel in
 * the `_editions` extension object, documented at FeedModel.extensionDocs; what an image's URL alone
 * cannot say (alt text, size, caption, credit, copyright) in `_media`, documented at FeedModel.mediaDocs.
 */
import type { ArticleImage, Author } from "../model/article.ts";
import { contentOrHeadlineLink, type FeedModel } from "./model.ts";

/** https://www.jsonfeed.org/version/1.1/#top-level-a-name-top-level-a */
interface JsonFeed {
  version: "https://jsonfeed.org/version/1.1";
  title: string;
  home_page_url: string;
  feed_url: string;
  description: string;
  language: string;
  /** The next (older) document: the articles right after this document's last one, then the archive months, newest first. */
  next_url?: string;
  hubs?: { type: "WebSub"; url: string }[];
  authors: JsonAuthor[];
  _editions: { about: string; feeds: { language: string; title: string; feed_url: string; home_page_url: string }[] };
  items: JsonItem[];
  /** Articles of this feed withdrawn lately, newest first; documented at `about`. Absent when none. */
  _deleted?: { about: string; items: { id: string; date_deleted: string; comment?: string }[] };
}

interface JsonAuthor {
  name: string;
  url?: string;
}

/** https://www.jsonfeed.org/version/1.1/#items-a-name-items-a */
interface JsonItem {
  id: string;
  url: string;
  title: string;
  /** Always present, as 1.1 requires content_html or content_text: for a headline kept without a body, a paragraph linking it. */
  content_html: string;
  /** Left out when there is none (a headline without a body has none). */
  summary?: string;
  image?: string;
  date_published: string;
  date_modified: string;
  authors?: JsonAuthor[];
  tags: string[];
  _editions?: { about: string; articles: { language: string; title: string; url: string }[] };
  /** The item's `image`, described; sizes and words only where known. */
  _media?: JsonMedia;
}

interface JsonMedia {
  about: string;
  url: string;
  mime_type: string;
  size_in_bytes?: number;
  width?: number;
  height?: number;
  alt?: string;
  caption?: string;
  credit?: string;
  copyright?: string;
}

function jsonMedia(image: ArticleImage, about: string): JsonMedia {
  return {
    about,
    url: image.url,
    mime_type: image.type,
    ...(image.length > 0 ? { size_in_bytes: image.length } : {}),
    ...(image.width > 0 ? { width: image.width } : {}),
    ...(image.height > 0 ? { height: image.height } : {}),
    ...(image.alt ? { alt: image.alt } : {}),
    ...(image.caption ? { caption: image.caption } : {}),
    ...(image.credit ? { credit: image.credit } : {}),
    ...(image.copyright ? { copyright: image.copyright } : {}),
  };
}

const jsonAuthor = (author: Author): JsonAuthor => (author.url ? { name: author.name, url: author.url } : { name: author.name });

export function renderJsonFeed(feed: FeedModel): string {
  const document: JsonFeed = {
    version: "https://jsonfeed.org/version/1.1",
    title: feed.title,
    home_page_url: feed.links.html,
    feed_url: feed.links.json,
    description: feed.description,
    language: feed.lang,
    ...(feed.history.nextPage ? { next_url: feed.history.nextPage } : {}),
    ...(feed.hubs.length ? { hubs: feed.hubs.map((url) => ({ type: "WebSub" as const, url })) } : {}),
    authors: [jsonAuthor(feed.author)],
    _editions: {
      about: feed.extensionDocs,
      feeds: feed.alternates.map((a) => ({ language: a.lang, title: a.title, feed_url: a.links.json, home_page_url: a.links.html })),
    },
    items: feed.items.map((item) => {
      const json: JsonItem = {
        id: item.id,
        url: item.url,
        title: item.title,
        content_html: contentOrHeadlineLink(item),
        ...(item.summary ? { summary: item.summary } : {}),
        date_published: item.published.iso,
        date_modified: item.updated.iso,
        ...(item.authors.length > 0 ? { authors: item.authors.map(jsonAuthor) } : {}),
        tags: item.categories.map((c) => c.label),
      };
      if (item.image) json.image = item.image.url;
      if (item.editions.length > 0) {
        json._editions = {
          about: feed.extensionDocs,
          articles: item.editions.map((e) => ({ language: e.lang, title: e.title, url: e.url })),
        };
      }
      if (item.image) json._media = jsonMedia(item.image, feed.mediaDocs);
      return json;
    }),
  };
  const withdrawals = feed.withdrawals ?? [];
  if (withdrawals.length) {
    document._deleted = {
      about: feed.withdrawalDocs ?? "",
      items: withdrawals.map((w) => ({ id: w.ref, date_deleted: w.when.iso, ...(w.comment ? { comment: w.comment } : {}) })),
    };
  }
  return `${JSON.stringify(document, null, 2)}\n`;
}
