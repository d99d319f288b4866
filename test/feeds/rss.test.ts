/** RSS 2.0 from the sample edition: strict XML, the RSS Profile's rules, and reader-grade parsers. */
import Parser from "rss-parser";
import { describe, expect, it } from "vitest";
import { buildFeed } from "../../src/feeds/build.ts";
import { renderRss, RSS_NAMESPACES, WITHDRAWAL_PREFIX } from "../../src/feeds/rss.ts";
import { testSite } from "../helpers.ts";
import { everyFeedBeforeAll, expectedContent, expectFeedParserReads, otherEditions, RFC822 } from "./every-feed.ts";
import { children, decodeHtmlEntities, NS, only, parseXml, q, type XmlElement } from "./xml-dom.ts";

const loaded = everyFeedBeforeAll();

const text = (element: XmlElement, name: string) => only(element, name).text;
const rssChild = (local: string) => q(NS.rss, local);

function channelOf(xml: string): XmlElement {
  const rss = parseXml(xml);
  expect(rss.name).toBe(rssChild("rss"));
  expect(rss.attributes.version).toBe("2.0");
  return only(rss, rssChild("channel"));
}

describe("RSS 2.0", () => {
  it("covers every language and section of the site, each with articles, and every author and tag of each language", () => {
    expect(loaded.cases.map((c) => c.name)).toContain("zh-Hans/opinion");
    expect(loaded.cases.filter((c) => !c.term)).toHaveLength(loaded.languages.reduce((n, l) => n + 1 + l.sections.length, 0));
    expect(loaded.cases.map((c) => c.name)).toEqual(
      expect.arrayContaining(["ko/tags/수출", "ja/tags/補欠選挙", "ja/tags/ソリム市", "en/tags/r&d"]),
    );
    for (const c of loaded.cases.filter((c) => c.term)) expect(c.expected.length, c.name).toBeGreaterThan(0);
    for (const c of loaded.cases.filter((c) => !c.section && !c.term)) expect(c.expected.length).toBeGreaterThan(5);
  });

  it("includes a corrected article, whose item carries the dated note after its body", () => {
    const corrected = loaded.cases.flatMap((c) => c.expected.filter((a) => a.corrections.length > 0).map((a) => [c, a] as const));
    expect(corrected.length).toBeGreaterThan(0);
    for (const [c, article] of corrected) {
      const item = children(channelOf(renderRss(c.model)), rssChild("item")).find((i) => text(i, rssChild("guid")) === article.id)!;
      const content = text(item, q(NS.content, "encoded"));
      expect(content.startsWith(article.contentHtml), c.name).toBe(true);
      expect(content.slice(article.contentHtml.length)).toMatch(
        /^<p><strong>[^<]+ \(\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\+09:00\):<\/strong> /,
      );
      // A correction is an update: the article's update time is at least its newest correction's.
      expect(text(item, q(NS.dcterms, "modified"))).toBe(article.updated.iso);
      expect(article.updated.ms).toBeGreaterThanOrEqual(article.corrections.at(-1)!.date.ms);
    }
  });

  it("parses in a strict XML 1.0 parser and carries the channel the profile requires", () => {
    for (const c of loaded.cases) {
      const channel = channelOf(renderRss(c.model));
      expect(text(channel, rssChild("title")), c.name).toBe(c.model.title);
      expect(text(channel, rssChild("link"))).toBe(c.model.links.html);
      expect(text(channel, rssChild("description"))).toBe(c.model.description);
      expect(text(channel, rssChild("language"))).toBe(c.language.tag);
      expect(text(channel, rssChild("generator"))).toMatch(/^hanbit-feeds \d+\.\d+\.\d+$/);
    }
  });

  it("states as lastBuildDate the newest update among its items (a fixed day when empty), in RFC 822", () => {
    const idDate = loaded.cases[0]!.model.id.split(",")[1]!.split(":")[0];
    // Every sample feed has articles: an empty one is built here.
    const empty = buildFeed(testSite(), { language: loaded.languages[0]! }, [], []);
    expect(Date.parse(text(channelOf(renderRss(empty)), rssChild("lastBuildDate")))).toBe(Date.parse(`${idDate}T00:00:00Z`));
    for (const c of loaded.cases) {
      const lastBuild = text(channelOf(renderRss(c.model)), rssChild("lastBuildDate"));
      expect(lastBuild).toMatch(RFC822);
      const newest = c.expected.length ? Math.max(...c.expected.map((a) => a.updated.ms)) : Date.parse(`${idDate}T00:00:00Z`);
      expect(Date.parse(lastBuild), c.name).toBe(newest);
    }
  });

  it("has exactly one atom:link rel=self with the RSS type, and hreflang alternates for the other languages", () => {
    for (const c of loaded.cases) {
      const links = children(channelOf(renderRss(c.model)), q(NS.atom, "link"));
      const self = links.filter((l) => l.attributes.rel === "self");
      expect(self).toHaveLength(1);
      expect(self[0]!.attributes).toMatchObject({ type: "application/rss+xml", href: c.model.links.rss });
      const alternates = links.filter((l) => l.attributes.rel === "alternate");
      expect(alternates.map((l) => l.attributes.hreflang)).toEqual(
        loaded.languages.map((l) => l.tag).filter((t) => t !== c.language.tag && !c.term),
      );
      for (const link of alternates) {
        expect(link.attributes.href).toBe(c.model.links.rss.replace(`/${c.language.tag}/`, `/${link.attributes.hreflang}/`));
      }
    }
  });

  it("lists the latest articles newest first, each item matching the store", () => {
    for (const c of loaded.cases) {
      const items = children(channelOf(renderRss(c.model)), rssChild("item"));
      expect(
        items.map((i) => text(i, rssChild("guid"))),
        c.name,
      ).toEqual(c.expected.map((a) => a.id));
      items.forEach((item, i) => {
        const article = c.expected[i]!;
        expect(text(item, rssChild("title"))).toBe(article.title);
        expect(text(item, rssChild("link"))).toBe(article.url);
        expect(only(item, rssChild("guid")).attributes.isPermaLink).toBe("false");
        expect(Date.parse(text(item, rssChild("pubDate")))).toBe(article.published.ms);
        expect(text(item, rssChild("pubDate"))).toMatch(/\+0900$/);
        expect(decodeHtmlEntities(text(item, rssChild("description")))).toBe(article.summary);
        expect(text(item, q(NS.content, "encoded"))).toBe(expectedContent(article));
        expect(text(item, q(NS.dcterms, "modified"))).toBe(article.updated.iso);
        expect(children(item, q(NS.dc, "creator")).map((e) => e.text)).toEqual(article.authors.map((a) => a.name));
        const categories = children(item, rssChild("category")).map((e) => e.text);
        expect(categories).toEqual([c.language.sections.find((s) => s.slug === article.section)!.name, ...article.tags]);
      });
    }
  });

  it("links each item to its story's other editions with hreflang, after its own link", () => {
    let linked = 0;
    for (const c of loaded.cases) {
      children(channelOf(renderRss(c.model)), rssChild("item")).forEach((item, i) => {
        const article = c.expected[i]!;
        const editions = children(item, q(NS.atom, "link"));
        const expected = otherEditions(article, c.all, loaded.languages);
        expect(editions.map((e) => [e.attributes.rel, e.attributes.hreflang, e.attributes.href, e.attributes.title])).toEqual(
          expected.map((e) => ["alternate", e.lang, e.url, e.title]),
        );
        linked += editions.length;
        expect(item.children.findIndex((e) => e.name === rssChild("link"))).toBeLessThan(
          editions.length ? item.children.indexOf(editions[0]!) : Infinity,
        );
      });
    }
    expect(linked).toBeGreaterThan(40);
  });

  it("describes an image once as an enclosure with the file's real length and type, and as media:content", () => {
    let images = 0;
    for (const c of loaded.cases) {
      children(channelOf(renderRss(c.model)), rssChild("item")).forEach((item, i) => {
        const image = c.expected[i]!.image;
        const enclosures = children(item, rssChild("enclosure"));
        const media = children(item, q(NS.media, "content"));
        if (!image) {
          expect(enclosures).toHaveLength(0);
          expect(media).toHaveLength(0);
          return;
        }
        images++;
        expect(enclosures).toHaveLength(1);
        expect(enclosures[0]!.attributes).toEqual({ url: image.url, length: String(image.length), type: image.type });
        expect(media).toHaveLength(1);
        expect(media[0]!.attributes).toEqual({
          url: image.url,
          type: image.type,
          medium: "image",
          width: String(image.width),
          height: String(image.height),
          fileSize: String(image.length),
        });
        expect(only(media[0]!, q(NS.media, "description")).text).toBe(image.alt);
      });
    }
    expect(images).toBeGreaterThan(5);
  });

  describe("RSS Advisory Board profile rules", () => {
    it("writes & and < in plain-text elements as hexadecimal references, never as named entities", () => {
      const plainText = /<(title|dc:creator|category|guid|link|language|generator)>([^<]*)<\/\1>/g;
      let escapedAmpersands = 0;
      for (const c of loaded.cases) {
        const xml = renderRss(c.model);
        for (const [, element, body] of xml.matchAll(plainText)) {
          expect(body, `${c.name} <${element}>`).not.toMatch(/&(amp|lt|gt|quot|apos);/);
          escapedAmpersands += body!.split("&#x26;").length - 1;
        }
      }
      expect(escapedAmpersands).toBeGreaterThan(0);
    });

    it("declares every namespace prefix it uses, with the URIs validators know", () => {
      for (const c of loaded.cases) {
        const xml = renderRss(c.model);
        const used = new Set([...xml.matchAll(/<\/?([a-z]+):[a-zA-Z]+/g)].map((m) => m[1]!));
        for (const prefix of used) {
          // The withdrawal extension's namespace is the page documenting it.
          const uri = prefix === WITHDRAWAL_PREFIX ? c.model.withdrawalDocs : RSS_NAMESPACES[prefix as keyof typeof RSS_NAMESPACES];
          expect(xml, prefix).toContain(`xmlns:${prefix}="${uri}"`);
        }
      }
      expect(RSS_NAMESPACES.media).toBe("http://search.yahoo.com/mrss/");
    });

    it("never puts a bare name in <author>, and gives each item a unique guid, a title and at most one enclosure", () => {
      for (const c of loaded.cases) {
        const items = children(channelOf(renderRss(c.model)), rssChild("item"));
        const guids = items.map((i) => text(i, rssChild("guid")));
        expect(new Set(guids).size).toBe(guids.length);
        for (const item of items) {
          for (const author of children(item, rssChild("author"))) expect(author.text).toMatch(/^\S+@\S+ \(.+\)$/);
          expect(text(item, rssChild("title")).length).toBeGreaterThan(0);
          expect(children(item, rssChild("enclosure")).length).toBeLessThanOrEqual(1);
        }
      }
    });

    it("puts every channel element before the first item and the description before content:encoded", () => {
      for (const c of loaded.cases) {
        const channel = channelOf(renderRss(c.model));
        const firstItem = channel.children.findIndex((e) => e.name === rssChild("item"));
        if (firstItem >= 0) expect(channel.children.slice(firstItem).every((e) => e.name === rssChild("item"))).toBe(true);
        for (const item of children(channel, rssChild("item"))) {
          const names = item.children.map((e) => e.name);
          expect(names.indexOf(rssChild("description"))).toBeLessThan(names.indexOf(q(NS.content, "encoded")));
        }
      }
    });

    it("gives pubDate the weekday that matches its date", () => {
      for (const c of loaded.cases) {
        for (const item of children(channelOf(renderRss(c.model)), rssChild("item"))) {
          const pubDate = text(item, rssChild("pubDate"));
          const offset = pubDate.slice(-5);
          const wall = new Date(
            Date.parse(pubDate) + (offset[0] === "-" ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3))) * 60_000,
          );
          expect(pubDate.slice(0, 3)).toBe(["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][wall.getUTCDay()]);
        }
      }
    });
  });

  describe("read by feed readers", () => {
    it("@rowanmanning/feed-parser reads the same titles, ids, links, dates, authors and language", () => {
      for (const c of loaded.cases) expectFeedParserReads(renderRss(c.model), c, c.model.links.rss);
    });

    it("rss-parser reads the same titles, guids, links and dates", async () => {
      const parser = new Parser();
      for (const c of loaded.cases) {
        const feed = await parser.parseString(renderRss(c.model));
        expect(feed.title).toBe(c.model.title);
        expect(feed.items.map((i) => i.guid)).toEqual(c.expected.map((a) => a.id));
        feed.items.forEach((item, i) => {
          const article = c.expected[i]!;
          expect(item.title).toBe(article.title);
          expect(item.link).toBe(article.url);
          expect(Date.parse(item.isoDate!)).toBe(article.published.ms);
          expect(item.creator).toBe(article.authors[0]!.name);
          if (article.image)
            expect(item.enclosure).toMatchObject({
              url: article.image.url,
              length: String(article.image.length),
              type: article.image.type,
            });
        });
      }
    });
  });
});
