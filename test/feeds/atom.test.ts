/** Atom 1.0 from the sample edition: strict XML, RFC 4287's required elements, and a reader-grade parser. */
import Parser from "rss-parser";
import { describe, expect, it } from "vitest";
import { renderAtom } from "../../src/feeds/atom.ts";
import { everyFeedBeforeAll, expectedContent, expectFeedParserReads, otherEditions, RFC3339, TAG_URI } from "./every-feed.ts";
import { children, NS, only, parseXml, q, type XmlElement } from "./xml-dom.ts";

const loaded = everyFeedBeforeAll();

const atom = (local: string) => q(NS.atom, local);
const text = (element: XmlElement, local: string) => only(element, atom(local)).text;

function feedOf(xml: string): XmlElement {
  const feed = parseXml(xml);
  expect(feed.name).toBe(atom("feed"));
  return feed;
}

describe("Atom 1.0", () => {
  it("has exactly one id, title and updated, a self link, an author and xml:lang on the feed (RFC 4287 4.1.1)", () => {
    for (const c of loaded.cases) {
      const feed = feedOf(renderAtom(c.model));
      expect(feed.attributes[q(NS.xml, "lang")], c.name).toBe(c.language.tag);
      expect(text(feed, "id")).toMatch(TAG_URI);
      expect(text(feed, "title")).toBe(c.model.title);
      expect(only(feed, atom("title")).attributes.type).toBe("text");
      expect(text(feed, "updated")).toMatch(RFC3339);
      const self = children(feed, atom("link")).filter((l) => l.attributes.rel === "self");
      expect(self.map((l) => [l.attributes.type, l.attributes.href])).toEqual([["application/atom+xml", c.model.links.atom]]);
      expect(only(only(feed, atom("author")), atom("name")).text).toBe("Hanbit Daily");
    }
  });

  it("gives each feed a distinct, stable id", () => {
    const ids = loaded.cases.map((c) => text(feedOf(renderAtom(c.model)), "id"));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain("tag:hanbit.example,2026-09-01:feed/zh-Hans/opinion");
  });

  it("states as updated the newest update among its entries, with the offset it was written in", () => {
    for (const c of loaded.cases.filter((c) => c.expected.length)) {
      const newest = c.expected.reduce((a, b) => (b.updated.ms > a.updated.ms ? b : a));
      expect(text(feedOf(renderAtom(c.model)), "updated"), c.name).toBe(newest.updated.iso);
    }
  });

  it("links the same feed in the other loaded.languages, never two alternates with one type and hreflang", () => {
    for (const c of loaded.cases) {
      const feed = feedOf(renderAtom(c.model));
      const alternates = children(feed, atom("link")).filter((l) => l.attributes.rel === "alternate");
      const keys = alternates.map((l) => `${l.attributes.type} ${l.attributes.hreflang}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(alternates[0]!.attributes).toMatchObject({ type: "text/html", hreflang: c.language.tag, href: c.model.links.html });
      expect(alternates.slice(1).map((l) => l.attributes.hreflang)).toEqual(
        loaded.languages.map((l) => l.tag).filter((t) => t !== c.language.tag && !c.term),
      );
    }
  });

  it("writes each entry with exactly one id, title and updated, published, authors, summary and content", () => {
    for (const c of loaded.cases) {
      const entries = children(feedOf(renderAtom(c.model)), atom("entry"));
      expect(
        entries.map((e) => text(e, "id")),
        c.name,
      ).toEqual(c.expected.map((a) => a.id));
      entries.forEach((entry, i) => {
        const article = c.expected[i]!;
        expect(text(entry, "id")).toMatch(TAG_URI);
        expect(text(entry, "title")).toBe(article.title);
        expect(text(entry, "published")).toBe(article.published.iso);
        expect(text(entry, "updated")).toBe(article.updated.iso);
        expect(text(entry, "published")).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/);
        expect(only(entry, atom("summary")).attributes.type).toBe("text");
        expect(text(entry, "summary")).toBe(article.summary);
        expect(only(entry, atom("content")).attributes.type).toBe("html");
        expect(text(entry, "content")).toBe(expectedContent(article));
        expect(children(entry, atom("author")).map((a) => only(a, atom("name")).text)).toEqual(article.authors.map((a) => a.name));
        expect(children(entry, atom("author")).map((a) => children(a, atom("email"))[0]?.text)).toEqual(
          article.authors.map((a) => a.email),
        );
        const categories = children(entry, atom("category")).map((e) => e.attributes);
        expect(categories[0]).toEqual({ term: article.section, label: c.language.sections.find((s) => s.slug === article.section)!.name });
        expect(categories.slice(1).map((e) => e.term)).toEqual(article.tags);
      });
    }
  });

  it("puts the entry's own edition first among its alternate links, then the other editions with hreflang", () => {
    for (const c of loaded.cases) {
      children(feedOf(renderAtom(c.model)), atom("entry")).forEach((entry, i) => {
        const article = c.expected[i]!;
        const alternates = children(entry, atom("link")).filter((l) => l.attributes.rel === "alternate");
        const expected = [article, ...otherEditions(article, c.all, loaded.languages)];
        expect(alternates.map((l) => [l.attributes.hreflang, l.attributes.href])).toEqual(expected.map((a) => [a.lang, a.url]));
        const keys = alternates.map((l) => `${l.attributes.type} ${l.attributes.hreflang}`);
        expect(new Set(keys).size).toBe(keys.length);
      });
    }
  });

  it("links an image as an enclosure with its real length and type", () => {
    for (const c of loaded.cases) {
      children(feedOf(renderAtom(c.model)), atom("entry")).forEach((entry, i) => {
        const image = c.expected[i]!.image;
        const enclosures = children(entry, atom("link")).filter((l) => l.attributes.rel === "enclosure");
        expect(enclosures.map((l) => l.attributes)).toEqual(
          image ? [{ rel: "enclosure", type: image.type, length: String(image.length), href: image.url }] : [],
        );
      });
    }
  });

  it("never gives two entries of one feed the same updated time (validators warn on it)", () => {
    for (const c of loaded.cases) {
      const updated = children(feedOf(renderAtom(c.model)), atom("entry")).map((e) => text(e, "updated"));
      expect(new Set(updated).size, c.name).toBe(updated.length);
    }
  });

  it("uses no prefix for Atom elements and keeps all metadata before the first entry", () => {
    for (const c of loaded.cases) {
      const xml = renderAtom(c.model);
      expect(xml).not.toMatch(/<atom:/);
      const feed = feedOf(xml);
      const first = feed.children.findIndex((e) => e.name === atom("entry"));
      if (first >= 0) expect(feed.children.slice(first).every((e) => e.name === atom("entry"))).toBe(true);
    }
  });

  describe("read by feed readers", () => {
    it("@rowanmanning/feed-parser reads the same titles, ids, links, dates, authors and language", () => {
      for (const c of loaded.cases) {
        const feed = expectFeedParserReads(renderAtom(c.model), c, c.model.links.atom);
        feed.items.forEach((item, i) => expect(item.updated?.getTime()).toBe(c.expected[i]!.updated.ms));
      }
    });

    it("rss-parser takes the entry's own edition as its link", async () => {
      const parser = new Parser();
      for (const c of loaded.cases) {
        const feed = await parser.parseString(renderAtom(c.model));
        expect(feed.items.map((i) => [i.id, i.title, i.link])).toEqual(c.expected.map((a) => [a.id, a.title, a.url]));
      }
    });
  });
});
