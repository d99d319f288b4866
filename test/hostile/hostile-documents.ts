/**
 * Upstream documents made to cost a parser time or memory, for the isolation tests and the parse
 * memory measurement (test/hostile/parse-memory.ts). Each is a whole document as a server sends it.
 */

const CHANNEL = `<title>Hostile wire</title><link>https://wire.example/</link><description>d</description>`;
const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");

function rss(items: string, rootAttributes = ""): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"${rootAttributes}><channel>${CHANNEL}${items}</channel></rss>\n`;
}

function item(key: string, extra: string): string {
  return (
    `<item><guid isPermaLink="false">${key}</guid><title>Item ${key}</title><link>https://wire.example/${key}</link>` +
    `<pubDate>Thu, 19 Nov 2026 09:00:00 +0900</pubDate>${extra}</item>`
  );
}

export interface HostileDocument {
  name: string;
  contentType: string;
  text: string;
}

/** An RSS author of `a` + `<@` x 2000 (10 KB escaped): cubic in the author pattern that froze the server. */
export function hostileAuthor(): HostileDocument {
  const author = "a" + "<@".repeat(2_000);
  return {
    name: "author",
    contentType: "application/rss+xml",
    text: rss(item("author", `<description>Body</description><author>${escapeXml(author)}</author>`)),
  };
}

/** An Atom author's e-mail of 100 000 dots: quadratic in the old address check. */
export function hostileEmail(): HostileDocument {
  return {
    name: "email",
    contentType: "application/atom+xml",
    text:
      `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:hostile</id><title>t</title>` +
      `<updated>2026-11-19T09:05:00+09:00</updated><entry><id>urn:hostile:email</id><title>Email</title>` +
      `<link href="https://wire.example/email"/><updated>2026-11-19T09:05:00+09:00</updated><content>Body</content>` +
      `<author><name>Reporter</name><email>a@${".".repeat(100_000)}"</email></author></entry></feed>\n`,
  };
}

/** An ordinary-looking RSS of `items` articles with a few KB of HTML each (985 make 4.8 MB). */
export function bigFeed(items = 985): HostileDocument {
  const paragraph =
    '<p>The committee met on Thursday to discuss the <a href="https://wire.example/budget">budget</a>; members said ' +
    "the <em>revised</em> figures would be published next week, after a review of the regional accounts.</p>";
  const body = escapeXml(paragraph.repeat(20));
  let items_ = "";
  for (let i = 0; i < items; i++) items_ += item(`big-${i}`, `<description>${body}</description><category>Politics</category>`);
  return { name: "big-feed", contentType: "application/rss+xml", text: rss(items_) };
}

/** One RSS item whose description is `megabytes` MB of tiny HTML elements: what the sanitizer pays most for. */
export function denseHtml(megabytes = 4.8, name = "dense-html"): HostileDocument {
  const unit = "<p><b>x</b> y</p>";
  const html = unit.repeat(Math.round((megabytes * 1_000_000) / unit.length));
  return {
    name,
    contentType: "application/rss+xml",
    text: rss(item("dense", `<description><![CDATA[${html}]]></description>`)),
  };
}

/** 200 000 attributes on one item element (2.3 MB). */
export function manyAttributes(count = 200_000): HostileDocument {
  let attributes = "";
  for (let i = 0; i < count; i++) attributes += ` a${i}="${i % 10}"`;
  return {
    name: "attributes",
    contentType: "application/rss+xml",
    text: rss(`<item${attributes}><guid>attributes</guid><title>t</title><description>d</description></item>`),
  };
}

/** Elements nested 100 000 deep, in the XML and, as HTML, in an item's description. */
export function deepNesting(depth = 100_000): HostileDocument[] {
  return [
    {
      name: "nested-xml",
      contentType: "application/rss+xml",
      text: rss(item("nested-xml", `<description>d</description>${"<x>".repeat(depth)}${"</x>".repeat(depth)}`)),
    },
    {
      name: "nested-html",
      contentType: "application/rss+xml",
      text: rss(item("nested-html", `<description><![CDATA[${"<div>".repeat(depth)}deep${"</div>".repeat(depth)}]]></description>`)),
    },
  ];
}
