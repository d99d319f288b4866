/**
 * Property tests: whatever Unicode an article holds (controls, lone surrogates, `]]>`, literal
 * `&amp;`, RTL, CJK, emoji), every format stays well-formed and gives back the same text.
 */
import fc from "../fast-check.ts";
import { describe, expect, it } from "vitest";
import { renderAtom } from "../../src/feeds/atom.ts";
import { renderJsonFeed } from "../../src/feeds/json-feed.ts";
import { renderRss } from "../../src/feeds/rss.ts";
import { cleanLine, cleanText } from "../../src/model/text.ts";
import { modelWithText } from "./sample-model.ts";
import { children, decodeHtmlEntities, NS, only, parseXml, q, XML_FORBIDDEN } from "./xml-dom.ts";

const tricky = fc.constantFrom(
  "]]>",
  "]]]]>>",
  "<![CDATA[x]]>",
  "&amp;",
  "&#x26;",
  "&lt;b&gt;",
  "<b>bold</b>",
  "</script>",
  "\u0000",
  "\u0008",
  "\u001B",
  "\u007F",
  "\u0085",
  "\uD800",
  "\uDFFF",
  "\uFFFE",
  "\uFFFF",
  "\uFFFD",
  "\r\n",
  "\r",
  "\t",
  "  ",
  "\u202Eevil\u202C",
  "مرحبا بالعالم",
  "שלום",
  "한국어 기사",
  "日本語の記事",
  "中文新闻",
  "👩‍👩‍👧",
  "🎆",
  "e\u0301",
  "\u1100\u1161",
  '"quoted"',
  "'single'",
);
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
const articleText = fc
  .array(fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: anyUnit }), tricky), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.join(""));

/** What an XML document can carry of `text`: every character but those XML 1.0 forbids. */
const xmlCarried = (text: string) => text.replace(XML_FORBIDDEN, "");

function rssTexts(xml: string) {
  const channel = only(parseXml(xml), q("", "channel"));
  const item = children(channel, q("", "item"))[0]!;
  return {
    title: only(channel, q("", "title")).text,
    itemTitle: only(item, q("", "title")).text,
    // An empty summary or body leaves its element out (an article kept without a body has neither).
    summary: decodeHtmlEntities(children(item, q("", "description"))[0]?.text ?? ""),
    content: children(item, q(NS.content, "encoded"))[0]?.text ?? "",
    author: only(item, q(NS.dc, "creator")).text,
    category: only(item, q("", "category")).text,
    // An empty alt text leaves media:description out.
    alt: children(only(item, q(NS.media, "content")), q(NS.media, "description"))[0]?.text ?? "",
    editionTitle: children(item, q(NS.atom, "link"))[0]!.attributes.title,
  };
}

function atomTexts(xml: string) {
  const feed = parseXml(xml);
  const entry = children(feed, q(NS.atom, "entry"))[0]!;
  return {
    title: only(feed, q(NS.atom, "title")).text,
    itemTitle: only(entry, q(NS.atom, "title")).text,
    summary: children(entry, q(NS.atom, "summary"))[0]?.text ?? "",
    content: children(entry, q(NS.atom, "content"))[0]?.text ?? "",
    author: only(only(entry, q(NS.atom, "author")), q(NS.atom, "name")).text,
    // A label equal to its term is left out.
    category: only(entry, q(NS.atom, "category")).attributes.label ?? only(entry, q(NS.atom, "category")).attributes.term,
    alt: children(only(entry, q(NS.media, "content")), q(NS.media, "description"))[0]?.text ?? "",
    editionTitle: children(entry, q(NS.atom, "link"))[1]!.attributes.title,
  };
}

const expectAll = (texts: Record<string, string | undefined>, expected: string) => {
  for (const [field, value] of Object.entries(texts)) expect(value, field).toBe(expected);
};

/**
 * What Atom and JSON Feed carry as the content of an item without a body: its headline (here, the same
 * text, empty) as a link to its URL. RSS carries none.
 */
function headlineOnly(text: string): string {
  return `<p><a href="${modelWithText(text).items[0]!.url}">${text}</a></p>`;
}

describe("arbitrary Unicode in every text field", () => {
  it("RSS stays well-formed XML 1.0 and gives back the text minus what XML cannot carry", () => {
    fc.assert(
      fc.property(articleText, (text) => expectAll(rssTexts(renderRss(modelWithText(text))), xmlCarried(text))),
      { numRuns: 300 },
    );
  });

  it("Atom stays well-formed XML 1.0 and gives back the text minus what XML cannot carry", () => {
    fc.assert(
      fc.property(articleText, (text) => {
        const { content, ...rest } = atomTexts(renderAtom(modelWithText(text)));
        expectAll(rest, xmlCarried(text));
        expect(content).toBe(text === "" ? headlineOnly(text) : xmlCarried(text));
      }),
      { numRuns: 300 },
    );
  });

  it("JSON Feed gives back exactly the text, lone surrogates included", () => {
    fc.assert(
      fc.property(articleText, (text) => {
        const feed = JSON.parse(renderJsonFeed(modelWithText(text)));
        const item = feed.items[0];
        expectAll(
          {
            title: feed.title,
            itemTitle: item.title,
            // Left out when empty.
            summary: item.summary ?? "",
            author: item.authors[0].name,
            tag: item.tags[0],
            edition: item._editions.articles[0].title,
          },
          text,
        );
        expect(item.content_html).toBe(text === "" ? headlineOnly(text) : text);
      }),
      { numRuns: 300 },
    );
  });

  it("text cleaned as the store holds it comes back unchanged from every format", () => {
    fc.assert(
      fc.property(articleText, (raw) => {
        const line = cleanLine(raw);
        expectAll(rssTexts(renderRss(modelWithText(line))), line);
        const { content, ...rest } = atomTexts(renderAtom(modelWithText(line)));
        expectAll(rest, line);
        expect(content).toBe(line === "" ? headlineOnly(line) : line);
        const body = cleanText(raw);
        expect(rssTexts(renderRss(modelWithText(body))).content).toBe(body);
        expect(atomTexts(renderAtom(modelWithText(body))).content).toBe(body === "" ? headlineOnly(body) : body);
      }),
      { numRuns: 300 },
    );
  });

  it("never writes a character XML 1.0 forbids, nor an unsplit ]]> ", () => {
    fc.assert(
      fc.property(articleText, (text) => {
        for (const xml of [renderRss(modelWithText(text)), renderAtom(modelWithText(text))]) {
          expect(XML_FORBIDDEN.test(xml)).toBe(false);
          XML_FORBIDDEN.lastIndex = 0;
          // Bodies go in CDATA sections: a `]]>` may only be the end of one, never stray in the text.
          expect(xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, "").includes("]]>")).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});
