/** Upstream documents of every format, as publishers write them and as attackers do, through parseUpstream. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FORMATS, FORMAT_NAMES } from "../../src/feeds/formats.ts";
import type { FeedModel } from "../../src/feeds/model.ts";
import { decodeHtmlEntities } from "../../src/ingest/formats/document.ts";
import { parseUpstream, UpstreamError } from "../../src/ingest/formats/detect.ts";
import type { IncomingItem, ParsedDocument } from "../../src/ingest/incoming.ts";
import { normalizeItem } from "../../src/ingest/normalize.ts";
import { MAX_IMAGE_TEXT } from "../../src/model/article.ts";
import { INGEST_NOW, testSite } from "../helpers.ts";
import { modelWithText, sampleModel } from "../feeds/sample-model.ts";

/** Documents we wrote in the shapes real publishers use; hostile/ holds the ones an attacker would send. */
const FIXTURES = join(import.meta.dirname, "..", "fixtures", "upstream");
const fixture = (name: string) => readFileSync(join(FIXTURES, name), "utf8");

function parseFixture(name: string, documentUrl: string, contentType = "") {
  return parseUpstream(fixture(name), contentType, documentUrl);
}

function feedOf(document: ParsedDocument) {
  if (document.kind !== "feed") throw new Error(`expected a feed, got ${document.kind}`);
  return document;
}

function errorOf(parse: () => unknown): UpstreamError {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamError);
    return error as UpstreamError;
  }
  throw new Error("expected an UpstreamError, but the document was accepted");
}

const rssWith = (items: string, namespaces = "") =>
  `<?xml version="1.0"?>\n<rss version="2.0"${namespaces}><channel><title>T</title><link>https://feed.example/</link>${items}</channel></rss>`;

describe("RSS 2.0 with namespaces", () => {
  const feed = feedOf(
    parseFixture("rss2-namespaces.xml", "https://www.hankyeol.example/rss/world.xml", "application/rss+xml; charset=utf-8"),
  );

  it("reads the channel and every item that can be told apart, reporting the one that cannot", () => {
    expect(feed).toMatchObject({ kind: "feed", format: "rss2", title: "한결일보 - 국제", lang: "ko-KR" });
    expect(feed.items.map((i) => i.key)).toEqual([
      "hankyeol-20240305-0412",
      "https://www.hankyeol.example/en/world/2024/03/04/shuttle-diplomacy",
      "https://www.hankyeol.example/ko/opinion/2024/03/05/editorial",
    ]);
    expect(feed.problems).toEqual([`item 4 ("속보 자리표시자") has neither a guid nor a link; skipped`]);
  });

  it("reads an item with every module: content, Dublin Core, Media RSS, enclosure, atom:link", () => {
    expect(feed.items[0]).toEqual({
      key: "hankyeol-20240305-0412",
      url: "/ko/world/2024/03/05/port-deal",
      // The channel link "/ko/world/" resolved against the document's URL.
      baseUrl: "https://www.hankyeol.example/ko/world/",
      lang: "ko-KR",
      sections: ["국제", "노동"],
      title: "항만 노사, 사흘 만에 임금 협상 타결",
      summaryHtml: "<p>부산항 노사가 <b>임금 4.1% 인상</b>에 합의했다.</p>",
      contentHtml:
        '<p>부산항 노사가 5일 새벽 임금 협상을 타결했다.</p>\n<p>협상은 <a href="/ko/world/2024/03/02/port-strike">사흘 전</a> 시작됐다.</p>',
      // dc:creator and the RSS author name one person once, with the address the author element gives.
      authors: [{ name: "박서준", email: "world@hankyeol.example" }, { name: "Emily Carter" }],
      tags: ["국제", "노동"],
      // media:content gives size and caption, the enclosure at the same URL the type and length.
      image: {
        url: "https://cdn.hankyeol.example/2024/03/port.jpg",
        width: 1600,
        height: 900,
        alt: "부산항 신선대 부두의 컨테이너 크레인",
        type: "image/jpeg",
        length: 182044,
      },
      published: "Tue, 05 Mar 2024 09:30:00 +0900",
      updated: "2024-03-05T10:15:00+09:00",
      editions: [{ url: "https://www.hankyeol.example/en/world/2024/03/05/port-deal", lang: "en" }],
    });
  });

  it("takes a permalink guid as the URL, decodes character references, and keeps a description as the body", () => {
    expect(feed.items[1]).toEqual({
      key: "https://www.hankyeol.example/en/world/2024/03/04/shuttle-diplomacy",
      url: "https://www.hankyeol.example/en/world/2024/03/04/shuttle-diplomacy",
      linkFromGuid: true,
      baseUrl: "https://www.hankyeol.example/ko/world/",
      lang: "en",
      sections: ["Diplomacy"],
      title: "Seoul & Tokyo resume “shuttle diplomacy”",
      contentHtml: 'The two leaders agreed to meet every quarter &mdash; a first since 2011. <a href="/en/world/">More world news</a>',
      authors: [],
      tags: ["Diplomacy"],
      image: { url: "https://cdn.hankyeol.example/2024/03/summit-thumb.jpg", width: 320, height: 180 },
      published: "2024-03-04T18:00:00+09:00",
      editions: [],
    });
  });

  it("keys an item without guid by its link resolved against the item's xml:base, and joins split CDATA", () => {
    expect(feed.items[2]).toEqual({
      key: "https://www.hankyeol.example/ko/opinion/2024/03/05/editorial",
      url: "2024/03/05/editorial",
      baseUrl: "https://www.hankyeol.example/ko/opinion/",
      lang: "ko-KR",
      sections: [],
      title: "[사설] 항만 협상이 남긴 숙제",
      contentHtml: "<p>타결은 끝이 아니라 시작이다. 자동화 ]]> 고용 문제는 여전히 남아 있다.</p>",
      authors: [],
      tags: [],
      published: "Tue, 05 Mar 2024 07:00:00 +0900",
      editions: [],
    });
  });
});

describe("RSS 0.91 with the Netscape DOCTYPE", () => {
  it("ignores the PUBLIC DOCTYPE and reads the items by link", () => {
    const feed = feedOf(parseFixture("rss091-netscape.xml", "http://www.riverside-gazette.example/rss.xml", "text/xml"));
    const base = { baseUrl: "http://www.riverside-gazette.example/", lang: "en-us", sections: [], authors: [], tags: [], editions: [] };
    expect(feed).toEqual({
      kind: "feed",
      format: "rss09",
      title: "Riverside Gazette",
      lang: "en-us",
      problems: [],
      items: [
        {
          ...base,
          key: "http://www.riverside-gazette.example/stories/2001/06/11/cafe-hours.html",
          url: "http://www.riverside-gazette.example/stories/2001/06/11/cafe-hours.html",
          title: "Café owners petition for longer summer hours",
          // An HTML entity inside escaped HTML stays for the HTML reader.
          contentHtml: "Twelve caf&eacute;s on Main Street asked the council to let them stay open until midnight.",
        },
        {
          ...base,
          key: "http://www.riverside-gazette.example/stories/2001/06/10/bridge.html",
          url: "http://www.riverside-gazette.example/stories/2001/06/10/bridge.html",
          title: "Bridge repairs finish two weeks early",
          contentHtml: "The Old Mill bridge reopened to traffic on Sunday.",
        },
      ],
    });
  });
});

describe("RSS 1.0 (RDF)", () => {
  it("reads items beside the channel, keyed by rdf:about, with content:encoded and Dublin Core", () => {
    const feed = feedOf(parseFixture("rss1-rdf.xml", "https://kawabe-shimbun.example/rss/index.rdf", "application/rdf+xml"));
    const common = { baseUrl: "https://kawabe-shimbun.example/science/", lang: "ja", editions: [] };
    expect(feed).toEqual({
      kind: "feed",
      format: "rss1",
      title: "川辺新聞 科学",
      lang: "ja",
      problems: [],
      items: [
        {
          ...common,
          key: "https://kawabe-shimbun.example/science/2024/03/05/comet.html",
          url: "https://kawabe-shimbun.example/science/2024/03/05/comet.html",
          sections: ["天文"],
          title: "新彗星、今夜から肉眼で観測可能に",
          summaryHtml: "国立天文台によると、新彗星は西の空に見える。",
          contentHtml: "<p>国立天文台によると、新彗星は日没後の<strong>西の空</strong>に見える。</p>",
          authors: [{ name: "山田 花子" }],
          tags: ["天文"],
          published: "2024-03-05T11:40:00+09:00",
          updated: "2024-03-05T12:05:00+09:00",
        },
        {
          ...common,
          key: "https://kawabe-shimbun.example/science/2024/03/04/rice.html",
          url: "https://kawabe-shimbun.example/science/2024/03/04/rice.html",
          sections: ["農業", "気候"],
          title: "高温に強い稲、試験栽培で収量1割増",
          contentHtml: "<p>県の農業試験場が新品種の成果を発表した。</p>",
          authors: [{ name: "佐藤 健" }],
          tags: ["農業", "気候"],
          published: "2024-03-04T16:20:00+09:00",
        },
      ],
    });
  });
});

describe("Atom 1.0 with xml:base and XHTML content", () => {
  const feed = feedOf(parseFixture("atom-xml-base.xml", "https://feeds.lindqvist.example/notes.atom", "application/atom+xml"));

  it("reads the feed and reports the entry with neither id nor link", () => {
    expect(feed).toMatchObject({ format: "atom", title: "Field Notes", lang: "en" });
    expect(feed.items.map((i) => i.key)).toEqual([
      "tag:notes.lindqvist.example,2024-03-05:ice-roads",
      "tag:notes.lindqvist.example,2024-03-01:valborg",
      "https://notes.lindqvist.example/2024/02/untitled-note",
    ]);
    expect(feed.problems).toEqual([`entry 4 ("Neither id nor link") has neither an id nor an alternate link; skipped`]);
  });

  it("reads an entry's text constructs, links, enclosure, categories and inherited author", () => {
    expect(feed.items[0]).toEqual({
      key: "tag:notes.lindqvist.example,2024-03-05:ice-roads",
      url: "ice-roads",
      // The entry's xml:base "2024/03/" resolved against the feed's.
      baseUrl: "https://notes.lindqvist.example/2024/03/",
      lang: "en",
      sections: ["Travel", "climate"],
      title: "Ice roads open late this year",
      summaryHtml: "<p>Three weeks behind the usual date.</p>",
      contentHtml:
        '\n        <p>The ice road to <a href="/places/hailuoto">Hailuoto</a> opened on 4 March &amp; traffic is light.</p>\n' +
        '        <figure><img src="ice-roads.webp" alt="A car on sea ice"/><figcaption>Sea ice, 40&#160;cm thick</figcaption></figure>\n      ',
      authors: [{ name: "Ingrid Lindqvist", email: "ingrid@lindqvist.example", url: "https://notes.lindqvist.example/about" }],
      tags: ["Travel", "climate"],
      image: { url: "ice-roads.webp", type: "image/webp", length: 90311 },
      published: "2024-03-05T07:45:00+01:00",
      updated: "2024-03-05T09:10:00+01:00",
      editions: [{ url: "/sv/2024/03/isvagar", lang: "sv" }],
    });
  });

  it("reads xml:lang on an entry, a link without rel, its own author and text content", () => {
    expect(feed.items[1]).toEqual({
      key: "tag:notes.lindqvist.example,2024-03-01:valborg",
      url: "https://notes.lindqvist.example/sv/2024/03/valborg",
      baseUrl: "https://notes.lindqvist.example/",
      lang: "sv",
      sections: [],
      title: "Förberedelser inför valborg",
      summaryText: "Kort notis om brasorna.",
      contentText: "Brasorna byggs redan.\nKommunen vill ha anmälan senast 15 april.",
      authors: [{ name: "Nils Berg" }],
      tags: [],
      updated: "2024-03-01T12:00:00+01:00",
      editions: [],
    });
  });

  it("keys an entry without id by its alternate link, and reads HTML content from CDATA", () => {
    expect(feed.items[2]).toMatchObject({
      url: "2024/02/untitled-note",
      baseUrl: "https://notes.lindqvist.example/",
      contentHtml: "<p>Short & sweet.</p>",
    });
  });
});

describe("JSON Feed", () => {
  it("1.0: the feed-level author, a numeric id, content_text, image before banner_image", () => {
    const feed = feedOf(parseFixture("jsonfeed-1.0.json", "https://marginalia.example/feed.json", "application/json"));
    expect(feed).toEqual({
      kind: "feed",
      format: "json-feed-1.0",
      title: "Marginalia Weekly",
      problems: [],
      items: [
        {
          key: "2024031",
          url: "https://marginalia.example/2024/03/library-hours",
          baseUrl: "https://marginalia.example/",
          sections: ["local", "libraries"],
          title: "The library keeps its Sunday hours",
          summaryText: "Sunday opening survives the budget.",
          contentText: "After a petition with 2,300 signatures, the county kept Sunday opening.\n\nThe vote was 5 to 2.",
          authors: [{ name: "Theo Marsh", url: "https://marginalia.example/theo" }],
          tags: ["local", "libraries"],
          image: { url: "https://marginalia.example/img/library.jpg" },
          published: "2024-03-03T09:00:00-05:00",
          editions: [],
        },
        {
          key: "https://marginalia.example/2024/02/ferry",
          url: "https://marginalia.example/2024/02/ferry",
          baseUrl: "https://marginalia.example/",
          sections: [],
          title: "Ferry timetable, spring edition",
          contentHtml: "<p>The 7:40 sailing moves to <em>7:55</em>.</p>",
          authors: [{ name: "Priya Raman" }],
          tags: [],
          // The first attachment is a PDF; the image attachment becomes the image.
          image: { url: "https://marginalia.example/img/ferry.png", type: "image/png", length: 40210, alt: "The ferry at the north pier" },
          published: "2024-02-27T18:30:00-05:00",
          updated: "2024-02-28T08:00:00-05:00",
          editions: [],
        },
      ],
    });
  });

  it("1.1: authors, language, `_editions` and `translations`", () => {
    const feed = feedOf(parseFixture("jsonfeed-1.1.json", "https://dagbladet-nord.example/en/feed.json", "application/feed+json"));
    expect(feed).toMatchObject({ format: "json-feed-1.1", title: "Dagbladet Nord — English", lang: "en", problems: [] });
    expect(feed.items).toEqual([
      {
        key: "dn-2024-0305-fisheries",
        url: "https://dagbladet-nord.example/en/2024/03/05/fisheries",
        baseUrl: "https://dagbladet-nord.example/en/",
        lang: "en",
        sections: ["Economy", "Fisheries"],
        title: "Cod quota cut by a fifth",
        summaryText: "A 20 percent cut for 2025.",
        contentHtml: "<p>The ministry cut next year's cod quota by 20 percent.</p>",
        authors: [{ name: "Kari Solheim", url: "https://dagbladet-nord.example/staff/kari-solheim" }, { name: "Ole Hansen" }],
        tags: ["Economy", "Fisheries"],
        image: {
          url: "https://dagbladet-nord.example/img/trawler.jpg",
          type: "image/jpeg",
          length: 120455,
          alt: "A trawler in Tromsø harbour",
        },
        published: "2024-03-05T10:00:00+01:00",
        updated: "2024-03-05T13:20:00+01:00",
        editions: [{ url: "https://dagbladet-nord.example/nb/2024/03/05/fiskeri", lang: "nb" }],
      },
      {
        key: "dn-2024-0304-aurora",
        url: "https://dagbladet-nord.example/en/2024/03/04/aurora",
        baseUrl: "https://dagbladet-nord.example/en/",
        lang: "en-GB",
        sections: ["Travel"],
        title: "Aurora tourism breaks records",
        contentText: "Hotels in Tromsø were full for 41 nights in a row.",
        authors: [{ name: "Dagbladet Nord" }],
        tags: ["Travel"],
        published: "2024-03-04T21:00:00+01:00",
        editions: [
          { url: "https://dagbladet-nord.example/nb/2024/03/04/nordlys", lang: "nb" },
          { id: "dn-2024-0304-aurora-se", lang: "sv" },
          { id: "dn-2024-0304-aurora-fi" },
        ],
      },
    ]);
  });
});

describe("sitemaps", () => {
  it("a sitemap index lists its sitemaps, leaving out an entry without loc", () => {
    expect(parseFixture("sitemap-index.xml", "https://www.hankyeol.example/sitemap.xml", "application/xml")).toEqual({
      kind: "sitemap",
      pages: [],
      sitemaps: [
        "https://www.hankyeol.example/sitemaps/news.xml",
        "https://www.hankyeol.example/sitemaps/articles-2024-03.xml",
        "https://www.hankyeol.example/sitemaps/articles-2024-02.xml?page=1&lang=ko",
      ],
    });
  });

  it("a urlset's xhtml:link alternates: the one to the page itself names its language, x-default is skipped", () => {
    const port = (lang: string) => `https://www.hankyeol.example/${lang}/world/2024/03/05/port-deal`;
    expect(parseFixture("sitemap-hreflang.xml", "https://www.hankyeol.example/sitemaps/articles-2024-03.xml")).toEqual({
      kind: "sitemap",
      sitemaps: [],
      pages: [
        { url: port("ko"), lastmod: "2024-03-05T10:15:00+09:00", lang: "ko", editions: [{ url: port("en"), lang: "en" }] },
        { url: port("en"), lastmod: "2024-03-05T10:40:00+09:00", lang: "en", editions: [{ url: port("ko"), lang: "ko" }] },
        { url: "https://www.hankyeol.example/ko/about", editions: [] },
      ],
    });
  });

  it("a Google News sitemap gives the language, and the publication date where lastmod is missing", () => {
    expect(parseFixture("sitemap-news.xml", "https://www.hankyeol.example/sitemaps/news.xml")).toEqual({
      kind: "sitemap",
      sitemaps: [],
      pages: [
        {
          url: "https://www.hankyeol.example/ko/world/2024/03/05/port-deal",
          lastmod: "2024-03-05T09:30:00+09:00",
          lang: "ko",
          editions: [],
        },
        {
          url: "https://www.hankyeol.example/ko/opinion/2024/03/05/editorial",
          lastmod: "2024-03-05T07:20:00+09:00",
          lang: "ko",
          editions: [],
        },
      ],
    });
  });
});

describe("article pages", () => {
  const KO = "https://www.hankyeol.example/ko/world/2024/03/05/port-deal";
  const EN = "https://www.hankyeol.example/en/world/2024/03/05/port-deal";

  function pageItem(name: string, documentUrl: string, contentType = "text/html; charset=utf-8"): IncomingItem {
    const document = parseFixture(name, documentUrl, contentType);
    if (document.kind !== "article-page") throw new Error(`expected an article page, got ${document.kind}`);
    return document.item;
  }

  it("the Korean edition: an @graph NewsArticle after a broken JSON-LD block, hreflang links in the head only", () => {
    expect(pageItem("page-ko.html", `${KO}?utm_source=feed`)).toEqual({
      key: KO,
      url: KO,
      baseUrl: `${KO}?utm_source=feed`,
      lang: "ko-KR",
      sections: ["국제"],
      title: "항만 노사, 사흘 만에 임금 협상 타결",
      summaryText: "부산항 노사가 임금 4.1% 인상에 합의했다.",
      authors: [{ name: "박서준", url: "https://www.hankyeol.example/reporters/park-seojun" }, { name: "Emily Carter" }],
      tags: ["항만", "노동", "부산"],
      image: {
        url: "https://cdn.hankyeol.example/2024/03/port.jpg",
        width: 1600,
        height: 900,
        alt: "부산항 신선대 부두의 컨테이너 크레인",
      },
      published: "2024-03-05T09:30:00+09:00",
      updated: "2024-03-05T10:15:00+09:00",
      // Not the page itself, not x-default, not the links in a comment, a script or the body.
      editions: [{ url: EN, lang: "en" }],
    });
  });

  it("the English edition: an array of JSON-LD nodes, <base href>, a relative canonical, unquoted attributes", () => {
    expect(pageItem("page-en.html", EN)).toEqual({
      key: EN,
      url: EN,
      baseUrl: "https://www.hankyeol.example/en/",
      lang: "en",
      sections: ["World", "Labour"],
      title: "Port workers and operators settle wage talks in three days",
      summaryText: "Busan port unions agreed to a 4.1% raise.",
      contentText: "Unions and operators at Busan port settled their wage talks early on Tuesday. The deal raises wages by 4.1 percent.",
      authors: [{ name: "Emily Carter" }],
      tags: ["ports", "labour", "Busan"],
      image: { url: "https://cdn.hankyeol.example/2024/03/port.jpg" },
      published: "2024-03-05T10:05:00+09:00",
      editions: [{ url: KO, lang: "ko" }],
    });
  });

  it("the two editions link each other both ways", () => {
    expect(pageItem("page-ko.html", KO).editions.map((e) => e.url)).toEqual([EN]);
    expect(pageItem("page-en.html", EN).editions.map((e) => e.url)).toEqual([KO]);
  });

  it("a JSON-LD translation alone is an edition, with its language", () => {
    const html = `<!doctype html><html lang="en"><head><script type="application/ld+json">
      {"@type": "BlogPosting", "headline": "H", "workTranslation": [{"@id": "https://b.example/fr/h", "inLanguage": "fr"}, "https://b.example/de/h"]}
      </script></head><body></body></html>`;
    const page = parseUpstream(html, "text/html", "https://b.example/en/h");
    expect(page.kind === "article-page" && page.item.editions).toEqual([
      { url: "https://b.example/fr/h", lang: "fr" },
      { url: "https://b.example/de/h" },
    ]);
  });

  it("HTML served where a feed was expected is still read as a page", () => {
    expect(pageItem("page-en.html", EN, "application/rss+xml")).toEqual(pageItem("page-en.html", EN));
  });

  it("a page without a JSON-LD article is refused with a hint", () => {
    expect(errorOf(() => parseFixture("page-no-jsonld.html", "https://www.hankyeol.example/rss", "application/rss+xml")).message).toBe(
      "parse: https://www.hankyeol.example/rss: an HTML page with no JSON-LD article (is this a feed URL?)",
    );
  });
});

describe("format detection", () => {
  it("reads a feed by its content whatever media type it is served with", () => {
    const asHtml = feedOf(parseFixture("rss2-namespaces.xml", "https://www.hankyeol.example/rss/world.xml", "text/html"));
    expect(asHtml.format).toBe("rss2");
    expect(feedOf(parseFixture("jsonfeed-1.1.json", "https://dagbladet-nord.example/en/feed.json", "text/plain")).format).toBe(
      "json-feed-1.1",
    );
  });

  it("takes the media type's word for HTML that starts without <!doctype html> or <html>", () => {
    const head = `<head><script type="application/ld+json">{"@type":"Article","headline":"Bare"}</script></head>`;
    expect(parseUpstream(head, "text/html", "https://x.example/a").kind).toBe("article-page");
    expect(errorOf(() => parseUpstream(head, "application/xml", "https://x.example/a")).message).toBe(
      "parse: https://x.example/a: unknown root element <head> (expected rss, rdf:RDF, feed, entry, urlset or sitemapindex)",
    );
  });

  it("reads XHTML served with an XML declaration as a page", () => {
    const xhtml = `<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml"><head></head></html>`;
    expect(errorOf(() => parseUpstream(xhtml, "application/xml", "https://x.example/")).message).toContain(
      "an HTML page with no JSON-LD article",
    );
  });

  it("forgives a byte order mark and blank lines before the XML declaration, and counts them in line numbers", () => {
    const feed = feedOf(
      parseUpstream(`\uFEFF\n\n${rssWith("<item><guid>a</guid></item>")}`, "application/rss+xml", "https://feed.example/rss"),
    );
    expect(feed.items.map((i) => i.key)).toEqual(["a"]);
    expect(errorOf(() => parseUpstream(`\n\n<rss version="2.0">\n<channel>\n</rss>`, "", "u")).message).toBe(
      "parse: u: invalid XML at line 5, column 1: Expected closing tag 'channel' (opened in line 4, col 1) instead of closing tag 'rss'.",
    );
  });

  it("finds namespaced elements by namespace URI, whatever prefix the document chose", () => {
    const xml = rssWith(
      `<item><guid>p</guid><purl:creator>Ana</purl:creator><purl:date>2024-03-01</purl:date><m:thumbnail url="https://feed.example/t.png"/></item>`,
      ` xmlns:purl="http://purl.org/dc/elements/1.1/" xmlns:m="http://search.yahoo.com/mrss"`,
    );
    expect(feedOf(parseUpstream(xml, "", "https://feed.example/rss")).items[0]).toMatchObject({
      authors: [{ name: "Ana" }],
      published: "2024-03-01",
      image: { url: "https://feed.example/t.png" },
    });
  });

  it("decodes numeric references and the five XML entities only, and keeps text and CDATA in document order", () => {
    const xml = rssWith(
      `<item><guid>e</guid><title> A &#x26; B &#169; &#x1F91D; &amp;&lt;&gt;&quot;&apos; &nbsp; </title><description>x <![CDATA[<b>&amp;</b>]]> y</description></item>`,
    );
    expect(feedOf(parseUpstream(xml, "", "u")).items[0]).toMatchObject({
      title: `A & B © 🤝 &<>"' &nbsp;`,
      contentHtml: "x <b>&amp;</b> y",
    });
  });

  it("names what it cannot read", () => {
    const message = (text: string) =>
      errorOf(() => parseUpstream(text, "", "https://x.example/d")).message.replace("parse: https://x.example/d: ", "");
    expect(message("   \n")).toBe("the document is empty");
    expect(message("Service Unavailable")).toBe(`neither XML, JSON nor HTML (served as no media type; begins "Service Unavailable")`);
    expect(message(`<opml version="2.0"><head/><body/></opml>`)).toBe(
      "unknown root element <opml> (expected rss, rdf:RDF, feed, entry, urlset or sitemapindex)",
    );
    expect(message(`<rss version="3.0"><channel/></rss>`)).toBe(`RSS version "3.0" is not one of 2.0, 0.94, 0.93, 0.92, 0.91`);
    expect(message(`<rss version="2.0"></rss>`)).toBe("an RSS document without a <channel> element");
    expect(message(`<feed xmlns="http://example.com/not-atom"><entry/></feed>`)).toBe(
      "<feed> in the namespace http://example.com/not-atom: neither Atom 1.0 (http://www.w3.org/2005/Atom) nor Atom 0.3 (http://purl.org/atom/ns#)",
    );
    expect(message(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>`)).toBe(
      "an RDF document in neither the RSS 1.0 (http://purl.org/rss/1.0/) nor the RSS 0.90 namespace",
    );
    // The validator notices a second root with children; one written as an empty tag is caught after parsing.
    expect(message(`<rss version="2.0"><channel/></rss><rss version="2.0"><channel/></rss>`)).toBe(
      "invalid XML at line 1, column 54: Multiple possible root nodes found.",
    );
    expect(message(`<rss version="2.0"><channel/></rss><opml/>`)).toBe("invalid XML: more than one root element (<rss>, <opml>)");
    expect(message(`{"title": "no version", "items": []}`)).toBe(`JSON without a "version", so not a JSON Feed`);
    expect(message(`{"version": "https://jsonfeed.org/version/2", "items": []}`)).toBe(
      `JSON Feed version "https://jsonfeed.org/version/2" is neither 1 nor 1.1`,
    );
    expect(message(`{"version": "https://jsonfeed.org/version/1.1", "items": [}`)).toMatch(/^invalid JSON: /);
  });

  it("reads RSS 0.90, whose RDF items have neither guid nor about", () => {
    const xml = `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/">
      <channel><title>Old</title><link>https://old.example/</link></channel>
      <item><title>First</title><link>/first</link></item></rdf:RDF>`;
    expect(feedOf(parseUpstream(xml, "", "https://old.example/rss.rdf"))).toMatchObject({
      format: "rss09",
      items: [{ key: "https://old.example/first", url: "/first", baseUrl: "https://old.example/", title: "First" }],
    });
  });
});

describe("hostile documents are refused before they cost anything", () => {
  const DOCTYPE_REFUSED = "the document declares entities (DOCTYPE); refused";
  const hostile = (name: string) => errorOf(() => parseFixture(`hostile/${name}`, `https://attacker.example/${name}`)).message;

  it("entity expansion (billion laughs)", () => {
    expect(hostile("billion-laughs.xml")).toBe(`parse: https://attacker.example/billion-laughs.xml: ${DOCTYPE_REFUSED}`);
  });

  it("an external entity (XXE) and an external DTD", () => {
    expect(hostile("xxe-system.xml")).toBe(`parse: https://attacker.example/xxe-system.xml: ${DOCTYPE_REFUSED}`);
    expect(hostile("external-dtd.xml")).toBe(`parse: https://attacker.example/external-dtd.xml: ${DOCTYPE_REFUSED}`);
  });

  it("any internal subset, even behind the RSS 0.91 DOCTYPE, and a DOCTYPE inside the document", () => {
    const withSubset = `<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd" [<!ENTITY x "y">]>\n<rss version="0.91"><channel/></rss>`;
    expect(errorOf(() => parseUpstream(withSubset, "", "u")).message).toBe(`parse: u: ${DOCTYPE_REFUSED}`);
    const inside = `<rss version="2.0">\n<channel><!DOCTYPE rss></channel></rss>`;
    expect(errorOf(() => parseUpstream(inside, "", "u")).message).toBe("parse: u: invalid XML at line 2: a DOCTYPE inside the document");
  });

  it("nesting deeper than 200 elements; 200 is fine", () => {
    expect(hostile("nesting-300.xml")).toBe(
      "parse: https://attacker.example/nesting-300.xml: elements nested deeper than 200 levels (at line 2); refused",
    );
    const nested = (depth: number) =>
      rssWith(`<item><guid>d</guid><description>${"<x>".repeat(depth - 4)}${"</x>".repeat(depth - 4)}</description></item>`);
    expect(feedOf(parseUpstream(nested(200), "", "u")).items).toHaveLength(1);
    expect(errorOf(() => parseUpstream(nested(201), "", "u")).message).toBe(
      "parse: u: elements nested deeper than 200 levels (at line 2); refused",
    );
  });

  it("more than 10 000 items in RSS, Atom or JSON Feed; a sitemap may list more URLs", () => {
    const many = 20_000;
    const rss = rssWith(Array.from({ length: many }, (_, i) => `<item><guid>${i}</guid></item>`).join(""));
    expect(errorOf(() => parseUpstream(rss, "", "u")).message).toBe("parse: u: more than 10000 items; refused");
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom">${"<entry><id>e</id></entry>".repeat(many)}</feed>`;
    expect(errorOf(() => parseUpstream(atom, "", "u")).message).toBe("parse: u: more than 10000 items; refused");
    const json = JSON.stringify({
      version: "https://jsonfeed.org/version/1.1",
      items: Array.from({ length: many }, (_, i) => ({ id: `${i}` })),
    });
    expect(errorOf(() => parseUpstream(json, "", "u")).message).toBe("parse: u: more than 10000 items; refused");
    const urlset = `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${Array.from({ length: 10_001 }, (_, i) => `<url><loc>https://s.example/${i}</loc></url>`).join("")}</urlset>`;
    const sitemap = parseUpstream(urlset, "", "https://s.example/sitemap.xml");
    expect(sitemap.kind === "sitemap" && sitemap.pages).toHaveLength(10_001);
  });

  it("invalid XML, with the parser's message and line", () => {
    expect(hostile("invalid-unclosed.xml")).toBe(
      "parse: https://attacker.example/invalid-unclosed.xml: invalid XML at line 8, column 5: Expected closing tag 'description' (opened in line 7, col 7) instead of closing tag 'item'.",
    );
  });

  it("a JSON Feed of the wrong shape, with everything wrong listed", () => {
    expect(hostile("jsonfeed-wrong-shape.json")).toBe(
      "parse: https://attacker.example/jsonfeed-wrong-shape.json: not a valid JSON Feed: item 2: title is not a string; " +
        "item 4 is not an object; item 5: tags is not an array of strings; item 5: authors is not an array of objects",
    );
    expect(hostile("jsonfeed-items-not-array.json")).toBe(
      "parse: https://attacker.example/jsonfeed-items-not-array.json: not a valid JSON Feed: items is not an array",
    );
    expect(errorOf(() => parseUpstream(`[{"id": "1"}]`, "application/feed+json", "u")).message).toBe(
      "parse: u: JSON that is not an object, so not a JSON Feed",
    );
  });
});

describe("our own feeds read back", () => {
  const DOCUMENT_URL: Record<string, string> = {
    rss: "https://news.example/en/rss.xml",
    atom: "https://news.example/en/atom.xml",
    json: "https://news.example/en/feed.json",
  };
  const EXPECTED_FORMAT = { rss: "rss2", atom: "atom", json: "json-feed-1.1" } as const;

  /** The summary each format carries: escaped HTML in RSS, text in Atom and JSON Feed. */
  const summaryOf = (item: IncomingItem) => item.summaryText ?? decodeHtmlEntities(item.summaryHtml ?? "");

  for (const [label, model] of [
    ["the sample", sampleModel()],
    ["awkward text", modelWithText(`R&D <b> "q" 'a' ]]> \u00a0🤝 정상회담`)],
  ] as [string, FeedModel][]) {
    for (const format of FORMAT_NAMES) {
      it(`${FORMATS[format].label}, ${label}: ids, titles, urls, dates, authors, tags, image and editions`, () => {
        const feed = feedOf(parseUpstream(FORMATS[format].render(model), FORMATS[format].contentType, DOCUMENT_URL[format]!));
        expect(feed).toMatchObject({ format: EXPECTED_FORMAT[format], title: model.title, lang: model.lang, problems: [] });
        expect(feed.items).toHaveLength(model.items.length);
        model.items.forEach((expected, index) => {
          const item = feed.items[index]!;
          expect(item.key).toBe(expected.id);
          expect(item.url).toBe(expected.url);
          expect(item.title).toBe(expected.title);
          expect(summaryOf(item)).toBe(expected.summary);
          expect(item.contentHtml).toBe(expected.contentHtml);
          expect(item.lang).toBe(model.lang);
          expect(Date.parse(item.published!)).toBe(expected.published.ms);
          // RSS has no place for the update time; Atom and JSON Feed carry it.
          if (format !== "rss") expect(Date.parse(item.updated!)).toBe(expected.updated.ms);
          expect(item.authors.map((a) => a.name)).toEqual(expected.authors.map((a) => a.name));
          expect(item.tags).toEqual(expected.categories.map((c) => c.label));
          expect(item.editions).toEqual(expected.editions.map((e) => ({ url: e.url, lang: e.lang })));
          if (expected.image === null) {
            expect(item.image).toBeUndefined();
          } else if (format === "json") {
            // JSON Feed's `image` is a URL and nothing more.
            expect(item.image).toEqual({ url: expected.image.url });
          } else {
            expect(item.image).toEqual(expected.image);
          }
        });
      });
    }
  }

  it("Atom keeps the authors' addresses and pages", () => {
    const atom = feedOf(parseUpstream(FORMATS.atom.render(sampleModel()), "", DOCUMENT_URL.atom!));
    expect(atom.items.map((i) => i.authors)).toEqual(sampleModel().items.map((i) => i.authors));
  });
});

describe("an upstream image's words", () => {
  it("are read from Media RSS (title the caption beside a description, credit, copyright) and cut at a content file's lengths", () => {
    const long = (word: string) => `${word} `.repeat(2000).trim();
    const xml = rssWith(
      `<item><guid>https://wire.example/a</guid><title>A</title><link>https://wire.example/a</link>` +
        `<media:content url="https://wire.example/a.jpg" medium="image" type="image/jpeg" width="1200" height="800">` +
        `<media:title>${long("caption")}</media:title><media:description>The alt text</media:description>` +
        `<media:credit>${long("credit")}</media:credit><media:copyright>© 2026 Wire</media:copyright></media:content></item>`,
      ' xmlns:media="http://search.yahoo.com/mrss/"',
    );
    const [item] = feedOf(parseUpstream(xml, "application/rss+xml", "https://wire.example/feed.xml")).items;
    expect(item!.image).toMatchObject({ alt: "The alt text", caption: long("caption"), credit: long("credit"), copyright: "© 2026 Wire" });
    const site = testSite();
    const source = { name: "feed:wire", lang: "en", section: "society", sections: {}, timezone: site.settings.timezone };
    const normalized = normalizeItem(item!, source, site.settings, site.siteUrl, INGEST_NOW);
    expect(normalized.ok).toBe(true);
    const image = normalized.ok ? normalized.article.image! : null;
    expect(image).toMatchObject({ alt: "The alt text", copyright: "© 2026 Wire" });
    expect(image!.caption).toBe(long("caption").slice(0, MAX_IMAGE_TEXT.caption));
    expect(image!.credit).toBe(long("credit").slice(0, MAX_IMAGE_TEXT.credit));
  });
});
