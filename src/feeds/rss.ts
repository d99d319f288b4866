/**
 * RSS 2.0 (https://www.rssboard.org/rss-specification), written to the RSS Advisory Board's profile
 * (https://www.rssboard.org/rss-profile). Links to other editions use `atom:link rel="alternate"
 * hreflang`, the extension documented at FeedModel.extensionDocs.
 */
import { toRfc822 } from "../model/time.ts";
import { FEED_HISTORY_NS, historyLinks, isWholeArchive, type FeedModel } from "./model.ts";
import { xmlAttribute as attr, xmlCdata, xmlMarkup, xmlText as text } from "../model/escape.ts";
import { escapeHtml } from "../model/escape.ts";
import { mediaContent } from "./media.ts";

export const RSS_NAMESPACES = {
  atom: "http://www.w3.org/2005/Atom",
  content: "http://purl.org/rss/1.0/modules/content/",
  dc: "http://purl.org/dc/elements/1.1/",
  fh: FEED_HISTORY_NS,
  media: "http://search.yahoo.com/mrss/",
  dcterms: "http://purl.org/dc/terms/",
} as const;

/** Prefix of the withdrawal extension, whose namespace is the page documenting it (FeedModel.withdrawalDocs). */
export const WITHDRAWAL_PREFIX = "deleted";

export function renderRss(feed: FeedModel): string {
  const withdrawals = feed.withdrawals ?? [];
  const out: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"`,
    ...Object.entries(RSS_NAMESPACES).map(([prefix, uri]) => ` xmlns:${prefix}="${uri}"`),
    // Declared only where an element needs it, so feeds without a withdrawal stay as they were.
    withdrawals.length ? ` xmlns:${WITHDRAWAL_PREFIX}="${attr(feed.withdrawalDocs ?? "")}"` : "",
    `>\n<channel>\n`,
    `<title>${text(feed.title)}</title>\n`,
    `<link>${text(feed.links.html)}</link>\n`,
    `<description>${text(feed.description)}</description>\n`,
    `<language>${text(feed.lang)}</language>\n`,
    `<lastBuildDate>${toRfc822(feed.updated)}</lastBuildDate>\n`,
    `<docs>https://www.rssboard.org/rss-specification</docs>\n`,
    `<generator>${text(`${feed.generator.name} ${feed.generator.version}`)}</generator>\n`,
    `<atom:link rel="self" type="application/rss+xml" href="${attr(feed.links.rss)}"/>\n`,
  ];
  for (const alternate of feed.alternates) {
    out.push(
      `<atom:link rel="alternate" type="application/rss+xml" hreflang="${attr(alternate.lang)}" title="${attr(alternate.title)}" href="${attr(alternate.links.rss)}"/>\n`,
    );
  }
  for (const hub of feed.hubs) out.push(`<atom:link rel="hub" href="${attr(hub)}"/>\n`);
  for (const [rel, links] of historyLinks(feed))
    out.push(`<atom:link rel="${rel}" type="application/rss+xml" href="${attr(links.rss)}"/>\n`);
  if (feed.history.archive) out.push(`<fh:archive/>\n`);
  if (isWholeArchive(feed)) out.push(`<fh:complete/>\n`);
  // The shape of RFC 6721's at:deleted-entry, in our own namespace: RSS has no standard one. Channel elements, before the first item.
  for (const w of withdrawals) {
    const comment = w.comment ? `<${WITHDRAWAL_PREFIX}:comment>${text(w.comment)}</${WITHDRAWAL_PREFIX}:comment>` : "";
    out.push(
      `<${WITHDRAWAL_PREFIX}:deleted-entry ref="${attr(w.ref)}" when="${w.when.iso}">${comment}</${WITHDRAWAL_PREFIX}:deleted-entry>\n`,
    );
  }
  for (const item of feed.items) {
    out.push(`<item>\n`, `<title>${text(item.title)}</title>\n`, `<link>${text(item.url)}</link>\n`);
    // A headline kept without a body has neither: RSS needs only a title or a description.
    if (item.summary) out.push(`<description>${xmlMarkup(escapeHtml(item.summary))}</description>\n`);
    if (item.contentHtml) out.push(`<content:encoded>${xmlCdata(item.contentHtml)}</content:encoded>\n`);
    for (const author of item.authors) out.push(`<dc:creator>${text(author.name)}</dc:creator>\n`);
    for (const category of item.categories) out.push(`<category>${text(category.label)}</category>\n`);
    out.push(
      `<guid isPermaLink="${item.id === item.url}">${text(item.id)}</guid>\n`,
      `<pubDate>${toRfc822(item.published)}</pubDate>\n`,
      // RSS 2.0 has no update time of its own: DCMI Terms' `modified`, in W3C-DTF (RFC 3339).
      `<dcterms:modified>${item.updated.iso}</dcterms:modified>\n`,
    );
    const image = item.image;
    if (image) {
      // An enclosure must state its length; without a known one the image goes in media:content alone.
      if (image.length > 0) out.push(`<enclosure url="${attr(image.url)}" length="${image.length}" type="${attr(image.type)}"/>\n`);
      out.push(mediaContent(image));
    }
    for (const edition of item.editions) {
      out.push(
        `<atom:link rel="alternate" type="text/html" hreflang="${attr(edition.lang)}" title="${attr(edition.title)}" href="${attr(edition.url)}"/>\n`,
      );
    }
    out.push(`</item>\n`);
  }
  out.push(`</channel>\n</rss>\n`);
  return out.join("");
}
