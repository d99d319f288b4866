/** The page that documents how feeds link the language editions of a story (the `about` URL). */
import type { Site } from "../config/site.ts";
import { WITHDRAWAL_DOCS_PATH } from "../feeds/links.ts";
import { escapeHtml as h } from "../model/escape.ts";
import { discoveryLinks, page } from "./layout.ts";

export function extensionsPage(site: Site): string {
  const [home] = site.settings.languages;
  const body = `<h1>Language editions in ${h(site.settings.name)} feeds</h1>
<p>Every story may exist in several languages. Each feed links the same feed in the other languages,
and each item links the story's editions in the other languages. The same-language link always comes first.</p>
<h2>RSS 2.0</h2>
<p>In the channel, <code>&lt;atom:link rel="alternate" type="application/rss+xml" hreflang="…" href="…"/&gt;</code>
for each other language's feed. In an item, after <code>&lt;link&gt;</code> (the item's own edition),
<code>&lt;atom:link rel="alternate" type="text/html" hreflang="…" title="…" href="…"/&gt;</code> for each other edition.
The prefix <code>atom</code> is bound to <code>http://www.w3.org/2005/Atom</code>.</p>
<h2>Atom 1.0</h2>
<p>Standard RFC 4287 links: an entry's first <code>&lt;link rel="alternate" hreflang="…"&gt;</code> is its own edition,
the next ones are the other editions; the feed links the other languages' feeds with
<code>rel="alternate" type="application/atom+xml" hreflang="…"</code>.</p>
<h2>JSON Feed 1.1</h2>
<p>An extension object <code>_editions</code>. At the top level:
<code>{"about": "…", "feeds": [{"language", "title", "feed_url", "home_page_url"}]}</code>.
In an item that has other editions: <code>{"about": "…", "articles": [{"language", "title", "url"}]}</code>.
<code>language</code> is a BCP 47 tag; <code>about</code> is the address of this page.</p>`;
  return page(
    { lang: "en", title: `Language editions in ${site.settings.name} feeds` },
    discoveryLinks(site, home!),
    body,
    site.settings.name,
    "/",
  );
}

/** The page that documents how feeds list withdrawn articles (the JSON Feed `about` URL and the RSS namespace). */
export function withdrawalsPage(site: Site): string {
  const [home] = site.settings.languages;
  const docs = `${site.siteUrl}${WITHDRAWAL_DOCS_PATH}`;
  const body = `<h1>Withdrawn articles in ${h(site.settings.name)} feeds</h1>
<p>When the newsroom withdraws an article, it leaves every feed, page and archive, and its page answers
<code>410 Gone</code>. For ${site.settings.withdrawnDays} days after, the subscription document of every feed
the article was in (its language, and its language and section) lists the withdrawal, newest first, so that
readers and aggregators can remove their copy. Archive documents do not list withdrawals.
Each withdrawal gives the article's id (the <code>id</code>, <code>guid</code> or JSON Feed <code>id</code> it had),
the time it was withdrawn, and the public reason where there is one (a legal takedown states none).</p>
<h2>Atom 1.0</h2>
<p>RFC 6721 deleted entries, after the entries:
<code>&lt;at:deleted-entry ref="…" when="…"&gt;&lt;at:comment&gt;…&lt;/at:comment&gt;&lt;/at:deleted-entry&gt;</code>,
the prefix <code>at</code> bound to <code>http://purl.org/atompub/tombstones/1.0</code>.</p>
<h2>RSS 2.0</h2>
<p>RSS has no standard form; the channel carries the same elements as Atom's, after the items, in this namespace:
<code>&lt;deleted:deleted-entry ref="…" when="…"&gt;&lt;deleted:comment&gt;…&lt;/deleted:comment&gt;&lt;/deleted:deleted-entry&gt;</code>,
the prefix <code>deleted</code> bound to <code>${h(docs)}</code> (the address of this page).
<code>ref</code> is the item's <code>guid</code>; <code>when</code> is an RFC 3339 date-time; <code>comment</code> is plain text.</p>
<h2>JSON Feed 1.1</h2>
<p>An extension object <code>_deleted</code> at the top level:
<code>{"about": "…", "items": [{"id", "date_deleted", "comment"}]}</code>. <code>id</code> is the item's id,
<code>date_deleted</code> an RFC 3339 date-time, <code>comment</code> (left out when there is none) plain text;
<code>about</code> is the address of this page.</p>`;
  return page(
    { lang: "en", title: `Withdrawn articles in ${site.settings.name} feeds` },
    discoveryLinks(site, home!),
    body,
    site.settings.name,
    "/",
  );
}

/** The page that documents how feeds describe an article's image (the JSON Feed `_media` extension's `about` URL). */
export function mediaPage(site: Site): string {
  const [home] = site.settings.languages;
  const body = `<h1>Images in ${h(site.settings.name)} feeds</h1>
<p>An article may have one image. Every feed gives its address, and says what else is known of it:
its media type, its size in bytes and in pixels, its alt text (a description of the picture for readers who cannot see it),
and, where the newsroom gave them, its caption, its credit (who made it) and its copyright notice. All of them are plain text.</p>
<h2>RSS 2.0 and Atom 1.0</h2>
<p>Media RSS (<code>http://search.yahoo.com/mrss/</code>, prefix <code>media</code>), one element per item or entry:
<code>&lt;media:content url="…" type="…" medium="image" width="…" height="…" fileSize="…"&gt;</code>, holding
<code>&lt;media:thumbnail url="…" width="…" height="…"/&gt;</code> (the image itself),
<code>&lt;media:title type="plain"&gt;</code> (the caption), <code>&lt;media:description type="plain"&gt;</code> (the alt text),
<code>&lt;media:credit&gt;</code> and <code>&lt;media:copyright&gt;</code>. RSS also gives the image as an <code>enclosure</code>,
Atom as a <code>link rel="enclosure"</code>.</p>
<h2>JSON Feed 1.1</h2>
<p>The item's <code>image</code> is the image's address. An item with an image also carries an extension object <code>_media</code>:
<code>{"about", "url", "mime_type", "size_in_bytes", "width", "height", "alt", "caption", "credit", "copyright"}</code>.
<code>url</code> is the same address as <code>image</code>; <code>size_in_bytes</code>, <code>width</code> and <code>height</code>
are whole numbers; every member after <code>mime_type</code> is left out when it is not known;
<code>about</code> is the address of this page.</p>`;
  return page({ lang: "en", title: `Images in ${site.settings.name} feeds` }, discoveryLinks(site, home!), body, site.settings.name, "/");
}
