/** The destinations' rules, each measured against feed models made to just meet it and just miss it. */
import { describe, expect, it } from "vitest";
import {
  DESTINATIONS,
  evaluateDestinations,
  htmlText,
  measure,
  RULES,
  utf8Length,
  type Aspect,
  type Check,
  type Rule,
} from "../../src/feeds/destinations.ts";
import type { FeedItem, FeedModel } from "../../src/feeds/model.ts";
import { sampleModel } from "./sample-model.ts";

const SUMMARY = "A short summary.";

/** An item that meets every rule in the table unless told otherwise: a 40-character title, 600 characters of body, a 1200×800 image. */
function item(n: number, extra: Partial<FeedItem> = {}): FeedItem {
  const base = sampleModel().items[0]!;
  return {
    ...base,
    id: `tag:news.example,2023-01-01:article/en/story-${n}`,
    url: `https://news.example/en/articles/story-${n}`,
    title: "A headline of exactly forty characters!!",
    summary: SUMMARY,
    contentHtml: `<p>${"x".repeat(600)}</p>`,
    image: { url: `https://news.example/media/${n}.jpg`, type: "image/jpeg", length: 50_000, width: 1200, height: 800, alt: "" },
    ...extra,
  };
}

function model(items: FeedItem[]): FeedModel {
  return { ...sampleModel(), items };
}

const items = (count: number, extra: Partial<FeedItem> = {}) => Array.from({ length: count }, (_, i) => item(i, extra));
const image = (width: number, height: number) => ({ ...item(0).image!, width, height });

/** Models (and RSS sizes) that meet `check` exactly at its bounds, and models that miss it by one. */
function boundaryCases(check: Check): { meets: [FeedModel, number][]; misses: [FeedModel, number][] } {
  const plain = (m: FeedModel): [FeedModel, number] => [m, 10_000];
  switch (check.kind) {
    case "items": {
      const meets = [check.min, check.max].filter((n): n is number => n !== undefined).map((n) => plain(model(items(n))));
      const misses = [
        ...(check.min !== undefined ? [plain(model(items(check.min - 1)))] : []),
        ...(check.max !== undefined ? [plain(model(items(check.max + 1)))] : []),
      ];
      return { meets, misses };
    }
    case "image":
      return { meets: [plain(model(items(3)))], misses: [plain(model([...items(2), item(9, { image: null })]))] };
    case "imageSize": {
      const min = check.min;
      const edge = { width: image(min, 5000), shorter: image(5000, min), longer: image(min, 10) }[check.side];
      const short = { width: image(min - 1, 5000), shorter: image(5000, min - 1), longer: image(min - 1, min - 1) }[check.side];
      return {
        meets: [plain(model([item(0), item(1, { image: edge })]))],
        misses: [
          plain(model([item(0), item(1, { image: short })])),
          plain(model([item(0), item(1, { image: null })])),
          plain(model([item(0), item(1, { image: image(0, 0) })])),
        ],
      };
    }
    case "titleLength":
      return {
        meets: [plain(model([item(0, { title: "t".repeat(check.min) }), item(1, { title: "글".repeat(check.max) })]))],
        misses: [
          plain(model([item(0), item(1, { title: "t".repeat(check.min - 1) })])),
          plain(model([item(0), item(1, { title: "😀".repeat(check.max + 1) })])),
        ],
      };
    case "fullText": {
      const body = (chars: number) => `<p>${"y".repeat(chars - 6)}</p>\n<p>z &amp; z</p>`;
      const meets = check.length
        ? [plain(model([item(0, { contentHtml: body(check.length.min) }), item(1, { contentHtml: body(check.length.max) })]))]
        : [plain(model([item(0, { contentHtml: `<p>${SUMMARY} More.</p>` })]))];
      const misses = [
        plain(model([item(0), item(1, { contentHtml: "" })])),
        plain(model([item(0), item(1, { contentHtml: `<p>${SUMMARY}</p>` })])),
        ...(check.length
          ? [plain(model([item(0), item(1, { contentHtml: body(check.length.min - 1) })]))]
          : [plain(model([item(0, { summary: "s".repeat(700) })]))]),
      ];
      return { meets, misses };
    }
    case "documentSize":
      return { meets: [[model(items(2)), check.max]], misses: [[model(items(2)), check.max + 1]] };
    case "articleSize": {
      // 4 bytes of UTF-8 per emoji: the byte count, not the character count, is what is limited.
      const html = (bytes: number) => `<p>${"😀".repeat(Math.floor((bytes - 7) / 4))}${"a".repeat((bytes - 7) % 4)}</p>`;
      expect(utf8Length(html(check.max))).toBe(check.max);
      return {
        meets: [plain(model([item(0), item(1, { contentHtml: html(check.max) })]))],
        misses: [plain(model([item(0), item(1, { contentHtml: html(check.max + 1) })]))],
      };
    }
    case "https": {
      const http = (url: string) => url.replace("https://", "http://");
      const archive = model(items(2));
      return {
        meets: [plain(model(items(3)))],
        misses: [
          plain(model([item(0), item(1, { url: http(item(1).url) })])),
          plain(model([item(0), item(1, { image: { ...item(1).image!, url: http(item(1).image!.url) } })])),
          plain({ ...archive, links: { ...archive.links, rss: http(archive.links.rss) } }),
        ],
      };
    }
  }
}

const measured = RULES.filter((r): r is Rule & { check: Check } => r.check !== null);

describe.each(measured.map((rule) => ({ rule, name: `${rule.destination} ${rule.aspect} ${JSON.stringify(rule.check)}` })))(
  "the rule $name",
  ({ rule }) => {
    const { meets, misses } = boundaryCases(rule.check);

    it("is met by a feed at its bound", () => {
      expect(meets.length).toBeGreaterThan(0);
      for (const [m, bytes] of meets) expect(measure(rule.check, m, bytes).met).toBe(true);
    });

    it("is not met by a feed one past it", () => {
      expect(misses.length).toBeGreaterThan(0);
      for (const [m, bytes] of misses) expect(measure(rule.check, m, bytes).met).toBe(false);
    });
  },
);

describe("the numbers seen", () => {
  it("count the items that pass a per-item rule, out of all items", () => {
    const m = model([...items(12), ...items(8, { image: image(640, 480) })]);
    expect(measure({ kind: "imageSize", side: "width", min: 1200 }, m, 0)).toEqual({ met: false, seen: 12, of: 20 });
    expect(measure({ kind: "image" }, m, 0)).toEqual({ met: true, seen: 20, of: 20 });
  });

  it("count the feed's address, item links and images for HTTPS", () => {
    const m = model([item(0), item(1, { image: null }), item(2, { url: "http://news.example/en/articles/old" })]);
    expect(measure({ kind: "https" }, m, 0)).toEqual({ met: false, seen: 5, of: 6 });
  });

  it("give the document's size in bytes, and the item count", () => {
    expect(measure({ kind: "documentSize", max: 2_000_000 }, model(items(1)), 41_234)).toEqual({ met: true, seen: 41_234, of: 41_234 });
    expect(measure({ kind: "items", min: 30 }, model(items(20)), 0)).toEqual({ met: false, seen: 20, of: 20 });
  });

  it("meet no per-item rule on an empty feed, and say 0 of 0", () => {
    for (const check of [{ kind: "image" }, { kind: "fullText" }, { kind: "titleLength", min: 1, max: 9 }] as Check[]) {
      expect(measure(check, model([]), 0)).toEqual({ met: false, seen: 0, of: 0 });
    }
  });
});

describe("the table of rules", () => {
  const ASPECTS: Aspect[] = ["items", "imageSize", "titleLength", "fullText", "documentSize", "https"];

  it("covers item count, image size, title length, full text, document size and HTTPS for every destination", () => {
    for (const destination of DESTINATIONS) {
      const aspects = RULES.filter((r) => r.destination === destination.id).map((r) => r.aspect);
      for (const aspect of ASPECTS) expect(aspects, `${destination.id} ${aspect}`).toContain(aspect);
      expect(new Set(aspects).size, destination.id).toBe(aspects.length);
    }
  });

  it("gives every rule, published or not, the public page it comes from and what that page says", () => {
    for (const rule of RULES) {
      expect(DESTINATIONS.map((d) => d.id)).toContain(rule.destination);
      expect(rule.source.url).toMatch(/^https:\/\/[a-z.]+\.(com|google\.com)\//);
      expect(rule.source.says.length).toBeGreaterThan(20);
    }
  });

  it("groups the outcomes by destination and lists what each publishes no figure for", () => {
    const reports = evaluateDestinations(model(items(20)), 41_000);
    expect(reports.map((r) => r.destination.id)).toEqual(["google-news", "microsoft-start", "flipboard", "smartnews"]);
    const flipboard = reports.find((r) => r.destination.id === "flipboard")!;
    expect(flipboard.unpublished).toEqual(["titleLength", "documentSize", "https"]);
    expect(flipboard.outcomes.map((o) => [o.rule.aspect, o.met])).toEqual([
      ["items", false],
      ["imageSize", true],
      ["fullText", true],
    ]);
    const total = reports.reduce((sum, r) => sum + r.outcomes.length + r.unpublished.length, 0);
    expect(total).toBe(RULES.length);
  });
});

describe("helpers", () => {
  it("reads the text of sanitized HTML: tags dropped, entities decoded, white space folded", () => {
    expect(htmlText('<p>R&amp;D &lt; 1% &#233;t&#xE9;</p>\n<p><a href="x">link</a>&nbsp;end</p>')).toBe("R&D < 1% été link end");
    expect(htmlText("a <b>b</b> <unterminated")).toBe("a b");
    expect(htmlText("&bogus; &#0;")).toBe("&bogus; &#0;");
  });

  it("counts UTF-8 bytes as an encoder does", () => {
    for (const s of ["", "ascii", "é", "한국어 기사", "😀 emoji", "mixed é 글 😀 a", "\ud800 lone"]) {
      expect(utf8Length(s), JSON.stringify(s)).toBe(new TextEncoder().encode(s).length);
    }
  });
});
