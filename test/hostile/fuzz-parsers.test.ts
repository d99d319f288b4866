/**
 * Fuzzing every parser and normalizer with fast-check: arbitrary and mutated input never escapes as an
 * error other than the module's own (UpstreamError, a content problem, a push problem list), inputs are
 * bounded so that vitest's timeout catches a hang, and what is produced is well-formed.
 */
import fc from "../fast-check.ts";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from "vitest";
import { parseUpstream } from "../../src/ingest/formats/detect.ts";
import { parseFeedDate } from "../../src/ingest/feed-date.ts";
import { normalizeLanguageTag } from "../../src/ingest/normalize-text.ts";
import { sanitizeHtml } from "../../src/ingest/sanitize.ts";
import { parseArticleFile, readContent, type ContentContext } from "../../src/ingest/sources/content-file.ts";
import { MAX_PUSH_ITEMS, parsePushBody } from "../../src/ingest/sources/push-body.ts";
import { canonicalLanguageTag } from "../../src/model/lang.ts";
import { instantAt, parseNewsroomTime, toRfc822 } from "../../src/model/time.ts";
import { SITE_URL, siteSettings } from "../helpers.ts";
import { DOCUMENT_URL, expectInertHtml, expectParsedOrRefused, runs } from "./support.ts";

const UPSTREAM_DIR = join(import.meta.dirname, "..", "fixtures", "upstream");

/** Every upstream fixture, the hostile ones included, as text. */
const FIXTURES = readdirSync(UPSTREAM_DIR, { recursive: true, encoding: "utf8" })
  .filter((name) => /\.(xml|json|html)$/.test(name))
  .sort()
  .map((name) => ({ name, text: readFileSync(join(UPSTREAM_DIR, name), "utf8") }));

const MEDIA_TYPES = [
  "application/rss+xml",
  "application/atom+xml",
  "application/xml",
  "text/xml",
  "text/html",
  "application/json",
  "application/feed+json",
  "text/plain",
  "",
];

/** Pieces that break XML, JSON and HTML in the ways publishers and attackers do. */
const HOSTILE_PIECES = [
  "<!DOCTYPE rss>",
  '<!DOCTYPE x [<!ENTITY a "aaaa">]>',
  '<!DOCTYPE x SYSTEM "file:///etc/passwd">',
  "<!ENTITY e SYSTEM 'x'>",
  "&e;",
  "]]>",
  "<![CDATA[",
  "<!--",
  "-->",
  "<?xml version='1.0'?>",
  "\u0000",
  "\u0001",
  "\u001b",
  "\u0085",
  "\uD800",
  "\uFFFE",
  "\uFEFF",
  "&#0;",
  "&#x110000;",
  "&#xD800;",
  "&amp;amp;",
  "<",
  ">",
  "&",
  '"',
  "'",
  "</item>",
  "<item>",
  "<entry>",
  "</channel>",
  "<rss>",
  "</feed>",
  'xmlns:x="urn:x"',
  'xml:base="javascript:alert(1)//"',
  'xml:lang="\u0000"',
  "<script>alert(1)</script>",
  "{",
  "}",
  "[",
  "]",
  ":",
  ",",
  '"version":"https://jsonfeed.org/version/1.1"',
  '"items":',
  "null",
  "1e999",
  "\\u0000",
  "\\ud800",
];

/** One edit of a document: insert a piece, delete or duplicate a slice, copy one to the front, flip a bit, add a control or nesting. */
const mutation = fc.tuple(
  fc.nat(),
  fc.integer({ min: 1, max: 400 }),
  fc.constantFrom("insert", "delete", "duplicate", "flip", "control", "nest-xml", "nest-json", "prefix"),
  fc.constantFrom(...HOSTILE_PIECES),
);

function mutate(text: string, edits: [number, number, string, string][]): string {
  let s = text;
  for (const [position, length, kind, piece] of edits) {
    const at = s.length === 0 ? 0 : position % s.length;
    switch (kind) {
      case "insert":
        s = s.slice(0, at) + piece + s.slice(at);
        break;
      case "delete":
        s = s.slice(0, at) + s.slice(at + length);
        break;
      case "duplicate":
        s = s.slice(0, at) + s.slice(at, at + length) + s.slice(at);
        break;
      case "flip":
        s = s.slice(0, at) + String.fromCharCode(s.charCodeAt(at) ^ (1 << (length % 16))) + s.slice(at + 1);
        break;
      case "control":
        s = s.slice(0, at) + String.fromCharCode(length % 32) + s.slice(at);
        break;
      case "nest-xml":
        s = s.slice(0, at) + "<x>".repeat(length) + s.slice(at) + "</x>".repeat(length % 7 === 0 ? length : 0);
        break;
      case "nest-json":
        s = s.slice(0, at) + "[".repeat(length * 10) + s.slice(at);
        break;
      case "prefix":
        s = s.slice(at, at + length) + s;
        break;
    }
  }
  return s;
}

const mediaType = fc.constantFrom(...MEDIA_TYPES);

describe("parseUpstream on hostile documents", () => {
  it("refuses or reads arbitrary strings, bare and behind the openings that choose a parser", () => {
    const opening = fc.constantFrom(
      "",
      "<",
      "{",
      "[",
      '\uFEFF<?xml version="1.0"?>\n<rss version="2.0"><channel>',
      "<!doctype html><html>",
      '<feed xmlns="http://www.w3.org/2005/Atom">',
      '{"version":"https://jsonfeed.org/version/1","items":[',
    );
    fc.assert(
      fc.property(
        opening,
        fc.oneof(fc.string({ unit: "binary", maxLength: 300 }), fc.string({ maxLength: 300 })),
        mediaType,
        (start, rest, type) => {
          expectParsedOrRefused(start + rest, type);
        },
      ),
      { numRuns: runs(1500) },
    );
  });

  it.each(FIXTURES.map((f) => [f.name, f.text] as const))("refuses or reads %s after random edits", (_name, text) => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), mediaType, (edits, type) => {
        expectParsedOrRefused(mutate(text, edits), type);
      }),
      { numRuns: runs(250) },
    );
  });

  it("refuses nesting, item counts and entity tricks beyond the limits", () => {
    const rss = (inner: string) => `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>${inner}</channel></rss>`;
    for (const [text, problem] of [
      [rss(`<item><description>${"<b>".repeat(100_000)}</description></item>`), /nested deeper than 200/],
      [rss("<item><guid>a</guid></item>".repeat(10_001)), /more than 10000 items/],
      [`<!DOCTYPE rss [${'<!ENTITY a "x">'.repeat(1000)}]>${rss("")}`, /declares entities/],
      [`<!DOCTYPEX rss [<!ENTITY a "x">]>${rss("&a;")}`, /DOCTYPE|invalid XML|entit/],
      [
        `{"version":"https://jsonfeed.org/version/1.1","items":${"[".repeat(200_000)}${"]".repeat(200_000)}}`,
        /not a valid JSON Feed|invalid JSON/,
      ],
    ] as const) {
      expect(() => parseUpstream(text, "application/xml", DOCUMENT_URL)).toThrow(problem);
    }
  });
});

describe("JSON Feed of any shape", () => {
  const anyItem = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.record(
      {
        id: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.jsonValue({ maxDepth: 1 })),
        url: fc.oneof(fc.string(), fc.webUrl(), fc.jsonValue({ maxDepth: 1 })),
        title: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 1 })),
        content_html: fc.oneof(fc.string(), fc.constant("<script>alert(1)</script><p>x</p>")),
        content_text: fc.string(),
        summary: fc.string(),
        language: fc.oneof(fc.constantFrom("en", "ko", "zh_CN", "EN-us", ""), fc.string()),
        date_published: fc.oneof(
          fc.string(),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        ),
        tags: fc.oneof(fc.array(fc.string(), { maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })),
        authors: fc.oneof(
          fc.array(fc.record({ name: fc.string(), url: fc.string() }, { requiredKeys: [] }), { maxLength: 3 }),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        author: fc.jsonValue({ maxDepth: 2 }),
        attachments: fc.oneof(
          fc.array(
            fc.record({
              url: fc.string(),
              mime_type: fc.constantFrom("image/png", "text/html", ""),
              size_in_bytes: fc.jsonValue({ maxDepth: 0 }),
            }),
            { maxLength: 3 },
          ),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        _editions: fc.jsonValue({ maxDepth: 3 }),
        translations: fc.oneof(
          fc.array(fc.oneof(fc.string(), fc.record({ url: fc.string(), id: fc.string(), language: fc.string() })), { maxLength: 3 }),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        _translations: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    ),
  );
  const feed = fc.record(
    {
      version: fc.constantFrom(
        "https://jsonfeed.org/version/1",
        "https://jsonfeed.org/version/1.1",
        "http://jsonfeed.org/version/1.1/",
        "2",
        "",
      ),
      title: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 1 })),
      home_page_url: fc.oneof(fc.webUrl(), fc.string(), fc.constant("javascript:alert(1)")),
      language: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 1 })),
      authors: fc.jsonValue({ maxDepth: 2 }),
      items: fc.oneof(fc.array(anyItem, { maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })),
    },
    { requiredKeys: ["version"] },
  );

  it("is read or refused as a whole, with an UpstreamError", () => {
    fc.assert(
      fc.property(feed, mediaType, (value, type) => void expectParsedOrRefused(JSON.stringify(value), type)),
      { numRuns: runs(1500) },
    );
  });

  it("reads every item id of a feed it accepts as text (numbers included), never a title", () => {
    fc.assert(
      fc.property(feed, (value) => {
        const parsed = expectParsedOrRefused(JSON.stringify(value), "application/feed+json");
        if (parsed?.kind !== "feed") return;
        const ids = (value.items as { id: unknown }[]).map((i) => String(i.id).trim());
        expect(parsed.items.map((i) => i.key)).toEqual(ids);
      }),
      { numRuns: runs(500) },
    );
  });
});

describe("sanitizeHtml on hostile markup", () => {
  const markup = fc
    .array(
      fc.oneof(
        fc.string({ unit: "binary", maxLength: 20 }),
        fc.constantFrom(
          "<script>",
          "</script>",
          "<img src=x onerror=alert(1)>",
          "<svg onload=alert(1)>",
          "<iframe srcdoc='<script>x</script>'>",
          "<a href='javascript:alert(1)'>",
          "<a href='&#106;avascript:alert(1)'>",
          "<a href=' java\tscript:alert(1)'>",
          "<A HREF=JAVASCRIPT:x>",
          "<p style='x:expression(alert(1))'>",
          "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
          "<noscript><p title='</noscript><img src=x onerror=alert(1)>'>",
          "<table>",
          "<tr>",
          "<td>",
          "</td>",
          "<li>",
          "<dd>",
          "<dt>",
          "<p>",
          "</p>",
          "<h1>",
          "<pre>",
          "<a href=/x>",
          "</a>",
          "<b>",
          "</b>",
          "<blockquote cite='javascript:x'>",
          "<img src='data:image/png,x'>",
          "<object data=x>",
          "<embed src=x>",
          "<form action=x>",
          "<base href=x>",
          "<!--",
          "-->",
          "<![CDATA[",
          "]]>",
          "<?",
          "&",
          "&#",
          "&#x0;",
          "&lt;",
          "<",
          ">",
          '"',
          "'",
          "=",
          "\u0000",
          "\uD800",
          "\u0085",
          "\uFFFD",
        ),
      ),
      { maxLength: 40 },
    )
    .map((parts) => parts.join(""));
  const base = fc.constantFrom(
    "https://wire.example/2023/09/story.html",
    "http://[::1]:8080/a/b",
    "https://xn--bj0bj06e.example/기사/",
    "https://wire.example/?a=1#f",
  );

  it("writes inert, well-formed HTML whatever it reads, against any web base URL", () => {
    fc.assert(
      fc.property(markup, base, (html, baseUrl) => expectInertHtml(sanitizeHtml(html, baseUrl), "sanitized")),
      { numRuns: runs(2000) },
    );
  });

  it("refuses a base URL that is not absolute with its own message, and nothing else", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (baseUrl) => {
        try {
          sanitizeHtml("<p>x</p>", baseUrl);
        } catch (error) {
          expect((error as Error).message).toMatch(/^sanitize: base URL /);
        }
      }),
      { numRuns: runs(500) },
    );
  });
});

describe("dates and language tags", () => {
  const ZONES = ["Asia/Seoul", "UTC", "America/New_York", "Pacific/Kiritimati", "America/St_Johns", "Asia/Kathmandu"];
  const zone = fc.constantFrom(...ZONES);
  const datePiece = fc.constantFrom(
    "0000",
    "0001",
    "0099",
    "1969",
    "1970",
    "2023",
    "9999",
    "-",
    "/",
    ".",
    " ",
    "T",
    ":",
    "+",
    "Z",
    "GMT",
    "KST",
    "PM",
    "오후",
    "午後",
    "년",
    "월",
    "일",
    "시",
    "분",
    "Sep",
    "Sept",
    "September",
    "Thu,",
    "(KST)",
    "+09:00",
    "-18:00",
    "+18:30",
    "+0959",
    "99",
    "00",
    "31",
    "29",
    "02",
    "13",
    "24",
    "60",
    "\u0000",
    "\u00A0",
  );
  const dateText = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.array(fc.oneof(datePiece, fc.integer({ min: 0, max: 99 }).map(String)), { maxLength: 14 }).map((p) => p.join("")),
  );
  const RFC3339_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

  it("parseFeedDate reads or refuses anything, and what it reads is a real RFC 3339 instant", () => {
    fc.assert(
      fc.property(dateText, zone, (text, timeZone) => {
        const instant = parseFeedDate(text, timeZone);
        if (instant === null) return;
        expect(instant.iso).toMatch(RFC3339_SECONDS);
        expect(Number.isFinite(instant.ms)).toBe(true);
        // Date.parse cannot read years 0000-0099 reliably; the instant's own parser can.
        expect(parseNewsroomTime(instant.iso, "UTC").ms).toBe(instant.ms);
      }),
      { numRuns: runs(5000) },
    );
  });

  it("parseNewsroomTime throws only its own message, naming the value", () => {
    fc.assert(
      fc.property(dateText, zone, (text, timeZone) => {
        try {
          expect(parseNewsroomTime(text, timeZone).iso).toMatch(RFC3339_SECONDS);
        } catch (error) {
          expect((error as Error).message.startsWith(`time "${text}"`)).toBe(true);
        }
      }),
      { numRuns: runs(5000) },
    );
  });

  it("reads back every instant it writes, as RFC 822 and as RFC 3339, in any offset and any year", () => {
    const instant = fc.tuple(
      fc.integer({ min: Date.parse("0001-01-02T00:00:00Z") / 1000, max: Date.parse("9999-12-30T00:00:00Z") / 1000 }),
      fc.integer({ min: -18 * 60, max: 18 * 60 }),
    );
    fc.assert(
      fc.property(instant, zone, ([seconds, offset], timeZone) => {
        const written = instantAt(seconds * 1000, offset);
        expect(parseFeedDate(toRfc822(written), timeZone)).toEqual(written);
        expect(parseFeedDate(written.iso, timeZone)).toEqual(written);
        expect(parseNewsroomTime(written.iso, timeZone)).toEqual(written);
      }),
      { numRuns: runs(3000) },
    );
  });

  it("reads a local time in any year in the zone's offset, never the 1900s' for years below 100", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9998 }), zone, (year, timeZone) => {
        const text = `${String(year).padStart(4, "0")}-06-15 12:00`;
        const instant = parseNewsroomTime(text, timeZone);
        expect(instant.iso.startsWith(`${String(year).padStart(4, "0")}-06-15T12:00:00`)).toBe(true);
      }),
      { numRuns: runs(500) },
    );
  });

  it("canonicalLanguageTag and normalizeLanguageTag never throw, and canonical tags stay as they are", () => {
    // Dotless i, long s and the Kelvin sign upper-case to ASCII letters, which a case-insensitive pattern could take for a-z.
    const tagPiece = fc.constantFrom(
      "en",
      "EN",
      "ko",
      "zh",
      "Hans",
      "hant",
      "CN",
      "tw",
      "419",
      "-",
      "_",
      " ",
      "x",
      "valencia",
      "1996",
      "\u0130",
      "\u0131",
      "\u017F",
      "\u212A",
      "\u0000",
      "i-klingon",
      "--",
    );
    const tag = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.array(tagPiece, { maxLength: 8 }).map((p) => p.join("")),
    );
    fc.assert(
      fc.property(tag, (text) => {
        const canonical = canonicalLanguageTag(text);
        if (canonical !== null) {
          expect(canonical).toMatch(/^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|\d{3}))?(-[a-z\d]{4,8})*$/);
          expect(canonicalLanguageTag(canonical)).toBe(canonical);
          expect(canonical.toLowerCase()).toBe(text.toLowerCase());
        }
        const normalized = normalizeLanguageTag(text);
        if (normalized !== null) expect(normalizeLanguageTag(normalized)).toBe(normalized);
      }),
      { numRuns: runs(3000) },
    );
  });
});

describe("content files with arbitrary front matter", () => {
  // yaml reports unknown tags and directives as process warnings; thousands of them would bury the test output.
  let warnings: MockInstance<typeof process.emitWarning>;
  beforeAll(() => {
    warnings = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
  });
  afterAll(() => {
    warnings.mockRestore();
  });
  const context: ContentContext = {
    settings: siteSettings(),
    siteUrl: SITE_URL,
    folder: "content",
    mediaSize: (name) => (name === "chip-fab.jpg" ? 48_213 : null),
  };
  const FIELDS = [
    "id",
    "story",
    "title",
    "summary",
    "posted",
    "updated",
    "authors",
    "tags",
    "image",
    "extra",
    "__proto__",
    "constructor",
    "<<",
  ];
  const scalar = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom(
      "2026-09-17 22:30 +09:00",
      "2026-09-17",
      "0000-01-01 00:00",
      "9999-12-31 23:59 -18:00",
      "2026-02-30 10:00",
      "tag:x,2024:1",
      "javascript:alert(1)",
      "null",
      "~",
      "true",
      "0x1F",
      ".inf",
      "1e999",
      "'quoted'",
      '"dq \\u0000"',
      "!!binary aGVsbG8=",
      "!!js/function 'x'",
      "&anchor v",
      "*anchor",
      "*nothing",
      "[a, b, {c: d}]",
      "{name: N, email: n@x.example, url: 'https://x.example/'}",
      "{src: /media/chip-fab.jpg, alt: A, width: 1, height: 1}",
      "{src: /media/../site.yaml, alt: A, width: 1, height: 1}",
      "|\n  block\n  text",
      ">-\n  folded",
      "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
      "- a\n  - b\n    - c",
      "\u0000",
      "\uD800",
      "\t",
      "? complex key\n: value",
    ),
  );
  const line = fc
    .tuple(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 10 })), scalar)
    .map(([key, value]) => `${key}: ${value}`);
  const frontMatter = fc.oneof(
    fc.array(line, { maxLength: 10 }).map((lines) => lines.join("\n")),
    fc.string({ maxLength: 200 }),
    // A billion-laughs alias bomb: yaml refuses aliases past its count limit.
    fc.constant(
      `a: &a ["x","x","x","x","x","x","x","x","x"]\n${Array.from(
        { length: 9 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(",")}]`,
      ).join("\n")}`,
    ),
  );
  const body = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.constantFrom(
      "Body.",
      "<script>alert(1)</script>",
      "[x](javascript:alert(1))",
      "> ".repeat(500) + "deep",
      "- ".repeat(500) + "deep",
      "*a".repeat(300),
      "",
    ),
  );
  const file = fc
    .tuple(frontMatter, body, fc.constantFrom("---\n", "\uFEFF---\r\n", "--- \n", ""))
    .map(([meta, text, open]) => `${open}${meta}\n---\n${text}`);
  const path = fc.constantFrom(
    "en/politics/fuzzed-story.md",
    "ko/business/x.md",
    "fr/politics/x.md",
    "en/nowhere/x.md",
    "en/politics/Bad_Slug.md",
    "en/politics/a/b.md",
    "en/politics/x.txt",
  );

  it("parseArticleFile gives an article or a content problem, never another error", () => {
    fc.assert(
      fc.property(file, path, (text, filePath) => {
        try {
          const article = parseArticleFile({ path: filePath, text }, context);
          expect(article.title).not.toBe("");
          expectInertHtml(article.contentHtml, "content body");
        } catch (error) {
          expect((error as Error).constructor.name, (error as Error).stack).toBe("ContentError");
        }
      }),
      { numRuns: runs(2000) },
    );
  });

  it("readContent reports every bad file by its path and keeps the good ones", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(file, path), { maxLength: 5 }), (files) => {
        const { articles, problems } = readContent(
          files.map(([text, p]) => ({ path: p, text })),
          context,
        );
        expect(articles.length + problems.length).toBe(files.length);
        for (const problem of problems) expect(problem.message.startsWith(`content: content/${problem.path}: `)).toBe(true);
      }),
      { numRuns: runs(300) },
    );
  });
});

describe("push bodies of any JSON", () => {
  const pushedItem = fc.record(
    {
      id: fc.oneof(fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 1 })),
      title: fc.oneof(fc.string({ maxLength: 40 }), fc.jsonValue({ maxDepth: 1 })),
      content_html: fc.oneof(fc.string(), fc.constant("<p>x<script>alert(1)</script></p>"), fc.jsonValue({ maxDepth: 1 })),
      content_text: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 1 })),
      url: fc.oneof(fc.webUrl(), fc.string(), fc.constant("javascript:alert(1)")),
      image: fc.oneof(fc.webUrl(), fc.string()),
      date_published: fc.oneof(fc.string(), fc.constant("2026-11-19T09:00:00+09:00"), fc.constant("0000-01-01T00:00:00+18:00")),
      authors: fc.jsonValue({ maxDepth: 3 }),
      author: fc.jsonValue({ maxDepth: 2 }),
      tags: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })),
      translations: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })),
      language: fc.oneof(fc.constantFrom("en", "ko", "fr"), fc.jsonValue({ maxDepth: 1 })),
      section: fc.oneof(fc.constantFrom("business", "politics"), fc.jsonValue({ maxDepth: 1 })),
      _extension: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof(fc.jsonValue({ maxDepth: 4 }), pushedItem, fc.array(pushedItem, { maxLength: 6 }), fc.anything({ maxDepth: 3 }));

  it("gives items or a list of problems, each naming its field, and never throws", () => {
    fc.assert(
      fc.property(body, (value) => {
        const parsed = parsePushBody(value, SITE_URL);
        if (parsed.ok) {
          expect(parsed.items.length).toBeGreaterThan(0);
          expect(parsed.items.length).toBeLessThanOrEqual(MAX_PUSH_ITEMS);
          for (const item of parsed.items) expect(item.key.trim()).not.toBe("");
        } else {
          expect(parsed.errors.length).toBeGreaterThan(0);
          // `[2].tags: ...`, `body: ...`, `authors[0]: ...`, or an unknown field named as sent.
          for (const error of parsed.errors) expect(error).toMatch(/^[^]*?: \S/);
        }
      }),
      { numRuns: runs(3000) },
    );
  });

  it("refuses a JSON value nested ten thousand deep without recursing into it", () => {
    const deep = JSON.parse(`{"id":"a","title":"t","content_text":"x","_deep":${"[".repeat(10_000)}${"]".repeat(10_000)}}`);
    expect(parsePushBody(deep, SITE_URL).ok).toBe(true);
    const deepTags = JSON.parse(`{"id":"a","title":"t","content_text":"x","tags":${"[".repeat(10_000)}${"]".repeat(10_000)}}`);
    expect(parsePushBody(deepTags, SITE_URL)).toEqual({ ok: false, errors: ["tags: must be an array of non-empty strings"] });
  });
});
