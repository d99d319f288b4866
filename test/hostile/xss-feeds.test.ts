/**
 * Every XSS vector, pushed through the push API as an article's body and summary, comes out of every
 * feed, the article page and the feed preview inert: read as a reader reads them (the XML or JSON
 * decoded once), no script, SVG or iframe element, no event handler or srcdoc attribute, no
 * javascript: anywhere in the markup.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ArticleStore } from "../../src/store/store.ts";
import { children, NS, only, parseXml, q } from "../feeds/xml-dom.ts";
import { XSS_VECTORS } from "../ingest/xss-vectors.ts";
import { everyArticle, expectOnlyDataScripts, hostileApp, markupOf, TOKEN } from "./support.ts";

const stores: ArticleStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

/**
 * Fails when HTML as a reader decodes it from a feed could run anything. Text attributes (title, alt)
 * are blanked first: a title that reads "javascript:" is words, not a link.
 */
function expectNothingActive(html: string, where: string) {
  expect(html, `${where}: element`).not.toMatch(/<\s*(script|svg|iframe)\b/i);
  const markup = markupOf(html).replace(/\s(title|alt)="[^"]*"/g, ' $1=""');
  expect(markup.replace(/"[^"]*"/g, '""'), `${where}: handler`).not.toMatch(/\son\w+\s*=/i);
  expect(markup, `${where}: srcdoc`).not.toMatch(/srcdoc/i);
  expect(markup, `${where}: script scheme`).not.toMatch(/javascript:/i);
}

describe.each(XSS_VECTORS.map(([name, vector], index) => ({ name, vector, index })))("the vector $name", ({ vector, index }) => {
  it("survives into no feed, article page or preview", async () => {
    const { app, store, site } = hostileApp();
    stores.push(store);
    const response = await app.request("/api/articles", {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        id: `xss-${index}`,
        url: `https://partner.example/en/xss-vector-${index}`,
        title: `Vector ${index}`,
        content_html: `<p>Before the vector.</p>${vector}<p>After the vector.</p>`,
        summary: `Summary: ${vector}`,
        authors: [{ name: `Desk ${vector}` }],
        tags: [vector.slice(0, 60)],
        date_published: "2026-11-19T09:00:00+09:00",
        language: "en",
        section: "business",
      }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    const [article] = await everyArticle(store, site);
    // An unclosed script or SVG takes the rest of the body with it, so only what came before is sure to stay.
    expect(article?.contentHtml).toContain("Before the vector.");

    const rss = parseXml(await (await app.request("/en/rss.xml")).text());
    const item = only(only(rss, q("", "channel")), q("", "item"));
    expectNothingActive(only(item, q(NS.content, "encoded")).text, "rss content:encoded");
    expectNothingActive(only(item, q("", "description")).text, "rss description");

    const atom = parseXml(await (await app.request("/en/atom.xml")).text());
    const entry = only(atom, q(NS.atom, "entry"));
    expectNothingActive(only(entry, q(NS.atom, "content")).text, "atom content");
    // A text construct of type="text" is shown as text (RFC 4287 section 3.1.1); only HTML ones are markup.
    for (const summary of children(entry, q(NS.atom, "summary"))) {
      if (summary.attributes.type !== "text") expectNothingActive(summary.text, "atom summary");
    }

    const json = (await (await app.request("/en/feed.json")).json()) as { items: { content_html: string }[] };
    expect(json.items).toHaveLength(1);
    expectNothingActive(json.items[0]!.content_html, "json content_html");

    const page = await app.request(`/en/articles/${article!.slug}`);
    expect(page.status).toBe(200);
    expectOnlyDataScripts(await page.text(), "article page");

    for (const feed of ["/en/rss.xml", "/en/atom.xml", "/en/feed.json", "/en/business/rss.xml"]) {
      const preview = await app.request(feed, { headers: { "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document" } });
      expect(preview.headers.get("content-type")).toMatch(/^text\/html/);
      expectOnlyDataScripts(await preview.text(), `preview of ${feed}`);
    }
  });
});
