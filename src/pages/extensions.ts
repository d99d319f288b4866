/** The page that documents how feeds link the language editions of a story (the `about` URL). */
import type { Site } from "../config/site.ts";
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
