/** Atom 1.0 (RFC 4287, https://www.rfc-editor.org/rfc/rfc4287). */
import type { Author } from "../model/article.ts";
import { contentOrHeadlineLink, FEED_HISTORY_NS, historyLinks, isWholeArchive, TOMBSTONES_NS, type FeedModel } from "./model.ts";
import { mediaContent } from "./media.ts";
import { xmlAttribute as attr, xmlCdata, xmlText as text } from "../model/escape.ts";

export const ATOM_NAMESPACES = {
  "": "http://www.w3.org/2005/Atom",
  fh: FEED_HISTORY_NS,
  media: "http://search.yahoo.com/mrss/",
} as const;

function person(author: Author): string {
  return (
    `<author><name>${text(author.name)}</name>` +
    (author.email ? `<email>${text(author.email)}</email>` : "") +
    (author.url ? `<uri>${text(author.url)}</uri>` : "") +
    `</author>\n`
  );
}

export function renderAtom(feed: FeedModel): string {
  const withdrawals = feed.withdrawals ?? [];
  // RFC 6721's namespace only where a deleted entry needs it, so feeds without one stay as they were.
  const at = withdrawals.length ? ` xmlns:at="${TOMBSTONES_NS}"` : "";
  const out: string[] = [
    `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="${ATOM_NAMESPACES[""]}" xmlns:fh="${ATOM_NAMESPACES.fh}" xmlns:media="${ATOM_NAMESPACES.media}"${at} xml:lang="${attr(feed.lang)}">\n`,
    `<id>${text(feed.id)}</id>\n`,
    `<title type="text">${text(feed.title)}</title>\n`,
    `<subtitle type="text">${text(feed.description)}</subtitle>\n`,
    `<updated>${feed.updated.iso}</updated>\n`,
    `<link rel="self" type="application/atom+xml" href="${attr(feed.links.atom)}"/>\n`,
    `<link rel="alternate" type="text/html" hreflang="${attr(feed.lang)}" href="${attr(feed.links.html)}"/>\n`,
  ];
  for (const alternate of feed.alternates) {
    out.push(
      `<link rel="alternate" type="application/atom+xml" hreflang="${attr(alternate.lang)}" title="${attr(alternate.title)}" href="${attr(alternate.links.atom)}"/>\n`,
    );
  }
  for (const hub of feed.hubs) out.push(`<link rel="hub" href="${attr(hub)}"/>\n`);
  for (const [rel, links] of historyLinks(feed)) out.push(`<link rel="${rel}" type="application/atom+xml" href="${attr(links.atom)}"/>\n`);
  if (feed.history.archive) out.push(`<fh:archive/>\n`);
  if (isWholeArchive(feed)) out.push(`<fh:complete/>\n`);
  out.push(person(feed.author), `<generator version="${attr(feed.generator.version)}">${text(feed.generator.name)}</generator>\n`);
  // https://www.rfc-editor.org/rfc/rfc6721#section-2: among the feed's metadata, before the first entry.
  for (const w of withdrawals) {
    const comment = w.comment ? `<at:comment>${text(w.comment)}</at:comment>` : "";
    out.push(`<at:deleted-entry ref="${attr(w.ref)}" when="${w.when.iso}">${comment}</at:deleted-entry>\n`);
  }
  for (const item of feed.items) {
    out.push(
      `<entry>\n`,
      `<id>${text(item.id)}</id>\n`,
      `<title type="text">${text(item.title)}</title>\n`,
      `<link rel="alternate" type="text/html" hreflang="${attr(feed.lang)}" href="${attr(item.url)}"/>\n`,
    );
    for (const edition of item.editions) {
      out.push(
        `<link rel="alternate" type="text/html" hreflang="${attr(edition.lang)}" title="${attr(edition.title)}" href="${attr(edition.url)}"/>\n`,
      );
    }
    const image = item.image;
    if (image) {
      const length = image.length > 0 ? ` length="${image.length}"` : "";
      out.push(`<link rel="enclosure" type="${attr(image.type)}"${length} href="${attr(image.url)}"/>\n`);
    }
    out.push(`<published>${item.published.iso}</published>\n`, `<updated>${item.updated.iso}</updated>\n`);
    for (const author of item.authors) out.push(person(author));
    for (const category of item.categories) {
      out.push(
        category.term === category.label
          ? `<category term="${attr(category.term)}"/>\n`
          : `<category term="${attr(category.term)}" label="${attr(category.label)}"/>\n`,
      );
    }
    // A headline kept without a body has no summary, and a paragraph linking it as its content.
    if (item.summary) out.push(`<summary type="text">${text(item.summary)}</summary>\n`);
    out.push(`<content type="html">${xmlCdata(contentOrHeadlineLink(item))}</content>\n`);
    if (image) out.push(mediaContent(image));
    out.push(`</entry>\n`);
  }
  out.push(`</feed>\n`);
  return out.join("");
}
