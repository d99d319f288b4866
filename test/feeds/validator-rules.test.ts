/**
 * The checks the W3C Feed Validation Service makes beyond the specs' grammar, applied to every feed of
 * the sample edition (its corrections feeds included): HTML in content that parses strictly and carries nothing it flags, absolute
 * ASCII URLs, plausible dates, no characters it reports as bad.
 */
import { describe, expect, it } from "vitest";
import { renderAtom } from "../../src/feeds/atom.ts";
import { renderRss } from "../../src/feeds/rss.ts";
import { everyFeedBeforeAll } from "./every-feed.ts";
import { children, NS, only, parseXml, q } from "./xml-dom.ts";

const loaded = everyFeedBeforeAll();

const ALLOWED_ELEMENTS = new Set([
  "p",
  "a",
  "em",
  "strong",
  "b",
  "i",
  "h2",
  "h3",
  "h4",
  "ul",
  "ol",
  "li",
  "blockquote",
  "code",
  "pre",
  "br",
  "hr",
  "img",
  "figure",
  "figcaption",
]);
const ALLOWED_ATTRIBUTES = new Set(["href", "src", "alt", "title", "width", "height"]);

/** Fails on anything an HTML checker in strict mode or the validator's safety rules would report. */
function checkHtml(html: string, where: string) {
  const open: string[] = [];
  const markup = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z-]+="[^"]*")*)\s*(\/?)>|&(?:#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g;
  let last = 0;
  for (const m of html.matchAll(markup)) {
    const between = html.slice(last, m.index);
    expect(between, `${where}: bare & or < in text`).not.toMatch(/[&<]/);
    last = m.index + m[0].length;
    if (m[0][0] === "&") continue;
    const [, closing, name, attributes] = m;
    const element = name!.toLowerCase();
    expect(ALLOWED_ELEMENTS.has(element), `${where}: <${element}>`).toBe(true);
    for (const [, attribute, value] of attributes!.matchAll(/([a-zA-Z-]+)="([^"]*)"/g)) {
      expect(ALLOWED_ATTRIBUTES.has(attribute!), `${where}: ${element} ${attribute}`).toBe(true);
      if (attribute === "href" || attribute === "src") expect(value, `${where}: relative URL`).toMatch(/^(https?:\/\/|mailto:)/);
    }
    if (closing) expect(open.pop(), `${where}: </${element}> closes something else`).toBe(element);
    else if (!["br", "hr", "img"].includes(element)) open.push(element);
  }
  expect(html.slice(last), `${where}: bare & or < in text`).not.toMatch(/[&<]/);
  expect(open, `${where}: unclosed elements`).toEqual([]);
}

const BAD_CHARACTERS = /[\u0080-\u009F\uFFFD]/;
const ASCII_URL = /^https?:\/\/[\x21-\x7E]+$/;

describe("what the W3C Feed Validation Service checks", () => {
  it("HTML in content and descriptions is well-formed, safe and has absolute links only", () => {
    for (const c of loaded.documents) {
      for (const item of children(only(parseXml(renderRss(c.model)), q("", "channel")), q("", "item"))) {
        checkHtml(only(item, q(NS.content, "encoded")).text, `${c.name} rss content`);
        checkHtml(only(item, q("", "description")).text, `${c.name} rss description`);
      }
      for (const entry of children(parseXml(renderAtom(c.model)), q(NS.atom, "entry"))) {
        checkHtml(only(entry, q(NS.atom, "content")).text, `${c.name} atom content`);
      }
    }
  });

  it("has no C1 control characters and no U+FFFD anywhere", () => {
    for (const c of loaded.documents) {
      expect(BAD_CHARACTERS.test(renderRss(c.model)), c.name).toBe(false);
      expect(BAD_CHARACTERS.test(renderAtom(c.model)), c.name).toBe(false);
    }
  });

  it("writes every link, guid-like URL and enclosure as an absolute ASCII http(s) URL", () => {
    for (const c of loaded.documents) {
      const xml = renderRss(c.model) + renderAtom(c.model);
      for (const [, url] of xml.matchAll(/(?:href|url)="([^"]*)"/g)) expect(url, c.name).toMatch(ASCII_URL);
      for (const [, url] of xml.matchAll(/<link>([^<]*)<\/link>/g)) expect(url, c.name).toMatch(ASCII_URL);
    }
  });

  it("dates no item after the present or before 1990", () => {
    const now = Date.now();
    for (const c of loaded.cases) {
      for (const article of c.expected) {
        expect(article.published.ms).toBeLessThanOrEqual(now);
        expect(article.updated.ms).toBeLessThanOrEqual(now);
        expect(article.published.ms).toBeGreaterThan(Date.UTC(1990, 0, 1));
      }
    }
  });

  it("gives media:content only the attributes Media RSS defines, with positive sizes", () => {
    for (const c of loaded.documents) {
      for (const media of renderRss(c.model).matchAll(/<media:content ([^>]*)>/g)) {
        const attributes = Object.fromEntries([...media[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
        expect(Object.keys(attributes).sort()).toEqual(["fileSize", "height", "medium", "type", "url", "width"]);
        for (const size of ["fileSize", "height", "width"]) expect(Number(attributes[size])).toBeGreaterThan(0);
      }
    }
  });

  it("puts in media:content only Media RSS elements, each once, in plain text, with a sized thumbnail of the image itself", () => {
    const known = ["thumbnail", "title", "description", "credit", "copyright"].map((local) => q(NS.media, local));
    let seen = 0;
    for (const c of loaded.documents) {
      for (const xml of [renderRss(c.model), renderAtom(c.model)]) {
        for (const media of xml.matchAll(/<media:content [^>]*>.*?<\/media:content>/g)) {
          const content = parseXml(media[0].replace("<media:content ", `<media:content xmlns:media="${NS.media}" `));
          const names = content.children.map((child) => child.name);
          expect(
            names.every((n) => known.includes(n)),
            c.name,
          ).toBe(true);
          expect(new Set(names).size, `${c.name}: a Media RSS element twice`).toBe(names.length);
          const thumbnail = only(content, q(NS.media, "thumbnail"));
          expect(thumbnail.attributes.url).toBe(content.attributes.url);
          expect(thumbnail.attributes.width).toBe(content.attributes.width);
          for (const child of content.children) {
            // The validator checks media:title and media:description as text that must not look like HTML unless typed so.
            if (child.name === q(NS.media, "title") || child.name === q(NS.media, "description"))
              expect(child.attributes).toEqual({ type: "plain" });
            // A role would have to be one of the EBU's list; a credit line states none.
            if (child.name === q(NS.media, "credit")) expect(child.attributes).toEqual({});
          }
          seen++;
        }
      }
    }
    expect(seen).toBeGreaterThan(10);
  });
});
