/**
 * From arbitrary input to the feeds: an item of any shape (or read from a mutated real document) is
 * normalized, stored in SQLite and rendered in every format, and what comes out passes the feed checks:
 * strict XML (saxes) and JSON, no forbidden or C1 characters, inert well-formed HTML, absolute ASCII
 * URLs, RFC 3339 and RFC 822 dates, no future date, no script on the article page or the preview.
 */
import fc from "../fast-check.ts";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseUpstream } from "../../src/ingest/formats/detect.ts";
import type { IncomingItem } from "../../src/ingest/incoming.ts";
import { expectNormalizedItemHolds, FUZZ_SOURCE, runs } from "./support.ts";

const UPSTREAM_DIR = join(import.meta.dirname, "..", "fixtures", "upstream");

const hostileText = fc.constantFrom(
  "",
  " ",
  "\u0000",
  "\u0008",
  "\u001B",
  "\u007F",
  "\u0085",
  "\u009F",
  "\uD800",
  "\uDFFF",
  "\uFFFD",
  "\uFFFE",
  "\uFEFF",
  "\u202E",
  "e\u0301",
  "]]>",
  "&amp;",
  "&#0;",
  "<b>bold</b>",
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  "\r\n",
  "한국어 기사",
  "日本語",
  "👩‍👩‍👧",
  '"quoted"',
);
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.array(fc.oneof(hostileText, fc.string({ maxLength: 8 })), { maxLength: 6 }).map((p) => p.join("")) },
);
const nonBlank = text.map((t) => `${t}x`);
/** A well-formed value with one hostile piece slipped in somewhere: what a broken or malicious generator writes. */
const spiked = (valid: fc.Arbitrary<string>) =>
  fc
    .tuple(valid, hostileText, fc.nat())
    .map(([value, piece, at]) => value.slice(0, at % (value.length + 1)) + piece + value.slice(at % (value.length + 1)));
const url = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  spiked(fc.webUrl({ withQueryParameters: true, withFragments: true })),
  fc.constantFrom(
    "/relative/path?utm_source=rss&id=1",
    "../up",
    "//cdn.example/i.png",
    "javascript:alert(1)",
    " \u0000javascript:alert(1)",
    "data:text/html,x",
    "https://wire.example/기사/一",
    "https://xn--bj0bj06e.example/a",
    'https://wire.example/a b<c>"d',
    "http://[::1]/x",
    "mailto:a@b.example",
    "https://user:pass@wire.example/",
    "https://wire.example/" + "a".repeat(3000),
  ),
  text,
);
const date = fc.oneof(
  fc
    .date({ min: new Date("1969-01-01T00:00:00Z"), max: new Date("2030-01-01T00:00:00Z"), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc
    .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2030-01-01T00:00:00Z"), noInvalidDate: true })
    .map((d) => d.toUTCString()),
  fc.constantFrom(
    "0000-01-01T00:00:00+18:00",
    "0000-01-01T00:00:00-18:00",
    "0001-01-01 00:00",
    "0099-06-01T12:00:00",
    "9999-12-31T23:59:59-18:00",
    "Thu, 01 Jan 1970 00:00:00 GMT",
    "2026-11-20 12:00",
    "2023. 9. 14. 오후 3:04",
    "2023년 9월 14일 (목) 오후 3시 4분",
    "2023-02-29",
    "2023-09-14T25:00:00Z",
    "yesterday",
    "",
  ),
  text,
);
const html = fc.oneof(
  text,
  fc
    .array(
      fc.oneof(
        text,
        fc.constantFrom(
          "<p>",
          "</p>",
          "<a href='/x?utm_source=a&b=1'>",
          "</a>",
          "<img src=/i.png alt=x>",
          "<script>alert(1)</script>",
          "<svg onload=alert(1)>",
          "<table><tr><td>",
          "<h1>",
          "<pre>",
          "<![CDATA[",
          "]]>",
          "<!--",
          "&",
          "&#xD800;",
          "&nbsp;",
          "<b>",
          "</b>",
          "<li>",
          "<math>",
          "<iframe srcdoc=x>",
          "<a href='javascript:x'>",
        ),
      ),
      { maxLength: 12 },
    )
    .map((p) => p.join("")),
);
const siteLang = fc.constantFrom("en", "ko", "ja", "zh-Hans", "EN-us", "ko_KR", "zh-CN", "zh_TW", "zh", "ja-JP", "fr", "");
const lang = fc.oneof(siteLang, spiked(siteLang), text);
const opt = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const size = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, Number.MAX_SAFE_INTEGER, Number.NaN, Infinity));

/** Records shaped like an IncomingItem, most of them complete enough to become an article. */
const incomingItem: fc.Arbitrary<IncomingItem> = fc.record(
  {
    key: fc.oneof(nonBlank, url, text),
    url: opt(url),
    baseUrl: fc.oneof(fc.constant("https://wire.example/world/"), url),
    lang: opt(lang),
    sections: fc.array(fc.oneof(fc.constantFrom("Economy", "정치", "politics", "culture"), text), { maxLength: 3 }),
    title: fc.oneof(nonBlank, opt(text), fc.constantFrom("Partner & <story>", "<b>Bold</b> news", "<script>x</script>")),
    summaryText: opt(text),
    summaryHtml: opt(html),
    contentHtml: fc.oneof(
      html.map((h) => `${h}<p>body</p>`),
      opt(html),
    ),
    contentText: opt(text),
    authors: fc.array(
      fc.record(
        { name: opt(text), email: opt(fc.oneof(fc.emailAddress(), spiked(fc.emailAddress()), text)), url: opt(url) },
        { requiredKeys: [] },
      ),
      { maxLength: 3 },
    ),
    tags: fc.array(text, { maxLength: 25 }),
    image: opt(
      fc.record(
        {
          url,
          type: opt(fc.oneof(fc.constantFrom("image/png", "IMAGE/JPEG", "image/svg+xml", "text/html"), text)),
          length: opt(size),
          width: opt(size),
          height: opt(size),
          alt: opt(text),
        },
        { requiredKeys: ["url"] },
      ),
    ),
    published: opt(date),
    updated: opt(date),
    editions: fc.array(fc.record({ url: opt(url), id: opt(text), lang: opt(lang) }, { requiredKeys: [] }), { maxLength: 3 }),
  },
  { requiredKeys: ["key", "baseUrl", "sections", "authors", "tags", "editions"] },
);

describe("normalizeItem on arbitrary items, through SQLite to every feed", () => {
  it("either refuses an item with a reason or stores an article every format serves cleanly", async () => {
    let stored = 0;
    await fc.assert(
      fc.asyncProperty(incomingItem, async (item) => {
        if (await expectNormalizedItemHolds(item)) stored++;
      }),
      { numRuns: runs(400) },
    );
    // The generator is meant to reach the renderers, not to stop at the first check.
    expect(stored).toBeGreaterThan(100);
  });
});

describe("mutated real documents, from parseUpstream to the feeds", () => {
  const fixtures = readdirSync(UPSTREAM_DIR)
    .filter((name) => /\.(xml|json|html)$/.test(name) && !name.startsWith("sitemap"))
    .map((name) => readFileSync(join(UPSTREAM_DIR, name), "utf8"));
  const pieces = [
    "\u0000",
    "\uD800",
    "]]>",
    "&#xFFFE;",
    "<![CDATA[<script>alert(1)</script>]]>",
    "&lt;img src=x onerror=alert(1)&gt;",
    "javascript:",
    "\u0085",
    "0000-01-01T00:00:00+18:00",
  ];

  it("serves whatever items a damaged feed still yields, cleanly", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fixtures),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...pieces), fc.integer({ min: 0, max: 30 })), { minLength: 1, maxLength: 5 }),
        async (fixture, edits) => {
          let document = fixture;
          for (const [position, piece, cut] of edits) {
            const at = position % document.length;
            document = document.slice(0, at) + piece + document.slice(at + cut);
          }
          let items: IncomingItem[];
          try {
            const parsed = parseUpstream(document, "application/xml", "https://wire.example/world/feed.xml");
            items = parsed.kind === "feed" ? parsed.items : parsed.kind === "article-page" ? [parsed.item] : [];
          } catch {
            return;
          }
          for (const item of items.slice(0, 3)) await expectNormalizedItemHolds(item, { ...FUZZ_SOURCE, lang: "ko" });
        },
      ),
      { numRuns: runs(150) },
    );
  });
});
