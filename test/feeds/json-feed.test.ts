/** JSON Feed 1.1 from the sample edition: the 1.1 schema, the spec's rules, and the same data as the store. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { renderJsonFeed } from "../../src/feeds/json-feed.ts";
import { everyFeedBeforeAll, expectedContent, otherEditions, RFC3339 } from "./every-feed.ts";
import { sampleModel } from "./sample-model.ts";

const loaded = everyFeedBeforeAll();

const schema = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "jsonfeed-1.1.schema.json"), "utf8"));
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);

describe("JSON Feed 1.1", () => {
  it("the schema is strict enough to refuse what 1.1 forbids", () => {
    const good = JSON.parse(renderJsonFeed(sampleModel()));
    expect(validate(good)).toBe(true);
    for (const broken of [
      { ...good, version: "https://jsonfeed.org/version/1" },
      { ...good, author: { name: "x" } },
      { ...good, _editions: "not an object" },
      { ...good, items: [{ ...good.items[0], content_html: undefined }] },
      { ...good, items: [{ ...good.items[0], date_published: "14 Sep 2023" }] },
    ]) {
      expect(validate(JSON.parse(JSON.stringify(broken)))).toBe(false);
    }
  });

  it("validates against the JSON Feed 1.1 schema, for every language and section", () => {
    for (const c of loaded.cases) {
      const valid = validate(JSON.parse(renderJsonFeed(c.model)));
      expect(valid ? [] : validate.errors, c.name).toEqual([]);
    }
  });

  it("declares version, language, home page, its own URL and the publisher as authors", () => {
    for (const c of loaded.cases) {
      const feed = JSON.parse(renderJsonFeed(c.model));
      expect(feed.version).toBe("https://jsonfeed.org/version/1.1");
      expect(feed.title).toBe(c.model.title);
      expect(feed.language).toBe(c.language.tag);
      expect(feed.feed_url).toBe(c.model.links.json);
      expect(feed.home_page_url).toBe(c.model.links.html);
      expect(feed.authors).toEqual([{ name: "Hanbit Daily" }]);
      expect(feed).not.toHaveProperty("author");
      expect(feed._editions.feeds.map((f: { language: string }) => f.language)).toEqual(
        loaded.languages.map((l) => l.tag).filter((t) => t !== c.language.tag && !c.term),
      );
    }
  });

  it("gives each item the store's id, url, title, content, summary, dates with their offset, authors and tags", () => {
    for (const c of loaded.cases) {
      const feed = JSON.parse(renderJsonFeed(c.model));
      expect(
        feed.items.map((i: { id: string }) => i.id),
        c.name,
      ).toEqual(c.expected.map((a) => a.id));
      feed.items.forEach((item: Record<string, unknown>, i: number) => {
        const article = c.expected[i]!;
        expect(item).toMatchObject({
          url: article.url,
          title: article.title,
          content_html: expectedContent(article),
          summary: article.summary,
          date_published: article.published.iso,
          date_modified: article.updated.iso,
          authors: article.authors.map((a) => (a.url ? { name: a.name, url: a.url } : { name: a.name })),
          tags: [c.language.sections.find((s) => s.slug === article.section)!.name, ...article.tags],
        });
        expect(item.date_published).toMatch(RFC3339);
        expect(item.image).toBe(article.image?.url);
        // An item states its language only where it differs from the feed's, which it never does here.
        expect(item).not.toHaveProperty("language");
      });
    }
  });

  it("links each item's other editions in the _editions extension object", () => {
    for (const c of loaded.cases) {
      const feed = JSON.parse(renderJsonFeed(c.model));
      feed.items.forEach((item: { _editions?: { about: string; articles: unknown[] } }, i: number) => {
        const others = otherEditions(c.expected[i]!, c.all, loaded.languages);
        if (others.length === 0) return expect(item._editions).toBeUndefined();
        expect(item._editions!.about).toBe(c.model.extensionDocs);
        expect(item._editions!.articles).toEqual(others.map((e) => ({ language: e.lang, title: e.title, url: e.url })));
      });
    }
  });
});
