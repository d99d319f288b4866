/** The pure helpers ingest normalizes with: feed dates in every form seen, tracking-free URLs, text, summaries, tags. */
import fc from "../fast-check.ts";
import { describe, expect, it } from "vitest";
import { parseFeedDate } from "../../src/ingest/feed-date.ts";
import { deriveSummary, htmlToText, normalizeLanguageTag, stripTracking } from "../../src/ingest/normalize-text.ts";

const SEOUL = "Asia/Seoul";
// 2023-09-14 08:17 KST is 2023-09-13 23:17 UTC: a mix-up of wall time and UTC shows in every case.
const KST_MORNING_MS = Date.UTC(2023, 8, 13, 23, 17, 0);

describe("parseFeedDate", () => {
  it.each([
    // RFC 822 / 1123
    ["Thu, 14 Sep 2023 08:17:00 +0900", "2023-09-14T08:17:00+09:00"],
    ["Thu, 14 Sep 23 08:17:00 +0900", "2023-09-14T08:17:00+09:00"],
    ["Sat, 31 Dec 99 23:59:59 GMT", "1999-12-31T23:59:59+00:00"],
    ["Sun, 6 Nov 1994 08:49:37 GMT", "1994-11-06T08:49:37+00:00"],
    ["14 Sep 2023 08:17 +0900", "2023-09-14T08:17:00+09:00"],
    ["Thursday, 14 September 2023 08:17:00 +0900", "2023-09-14T08:17:00+09:00"],
    ["Thu, 13 Sep 2023 23:17:00 GMT", "2023-09-13T23:17:00+00:00"],
    ["Wed, 13 Sep 2023 23:17:00 UT", "2023-09-13T23:17:00+00:00"],
    ["Wed, 13 Sep 2023 23:17:00 Z", "2023-09-13T23:17:00+00:00"],
    ["Wed, 13 Sep 2023 10:17:00 -1300", "2023-09-13T10:17:00-13:00"],
    ["Wed, 13 Sep 2023 19:17:00 EDT", "2023-09-13T19:17:00-04:00"],
    ["Wed, 13 Sep 2023 18:17:00 EST", "2023-09-13T18:17:00-05:00"],
    ["Wed, 13 Sep 2023 18:17:00 CDT", "2023-09-13T18:17:00-05:00"],
    ["Wed, 13 Sep 2023 17:17:00 CST", "2023-09-13T17:17:00-06:00"],
    ["Wed, 13 Sep 2023 17:17:00 MDT", "2023-09-13T17:17:00-06:00"],
    ["Wed, 13 Sep 2023 16:17:00 MST", "2023-09-13T16:17:00-07:00"],
    ["Wed, 13 Sep 2023 16:17:00 PDT", "2023-09-13T16:17:00-07:00"],
    ["Wed, 13 Sep 2023 15:17:00 PST", "2023-09-13T15:17:00-08:00"],
    ["Thu, 14 Sep 2023 08:17:00 KST", "2023-09-14T08:17:00+09:00"],
    ["Thu, 14 Sep 2023 08:17:00 JST", "2023-09-14T08:17:00+09:00"],
    ["Thu, 14 Sep 2023 08:17:00 +0900 (KST)", "2023-09-14T08:17:00+09:00"],
    ["Thu Sep 14 2023 08:17:00 GMT+0900 (Korean Standard Time)", "2023-09-14T08:17:00+09:00"],
    // RFC 3339 / ISO 8601
    ["2023-09-14T08:17:00+09:00", "2023-09-14T08:17:00+09:00"],
    ["2023-09-13T23:17:00Z", "2023-09-13T23:17:00+00:00"],
    ["2023-09-13t23:17:00z", "2023-09-13T23:17:00+00:00"],
    ["2023-09-14T08:17:00.123456+09:00", "2023-09-14T08:17:00+09:00"],
    ["2023-09-14T08:17:00+0900", "2023-09-14T08:17:00+09:00"],
    ["2023-09-14T08:17:00+09", "2023-09-14T08:17:00+09:00"],
    ["2023-09-14 08:17:00+09:00", "2023-09-14T08:17:00+09:00"],
    ["2023-09-14T08:17+09:00", "2023-09-14T08:17:00+09:00"],
    ["2023-09-13 23:17:00 UTC", "2023-09-13T23:17:00+00:00"],
    ["20230913T231700Z", "2023-09-13T23:17:00+00:00"],
    // Forms seen in the wild, without a zone: read in the newsroom's
    ["2023-09-14", "2023-09-14T00:00:00+09:00"],
    ["2023-09-14 08:17:00", "2023-09-14T08:17:00+09:00"],
    ["2023-09-14T08:17:00", "2023-09-14T08:17:00+09:00"],
    ["2023-09-14 08:17:00.0", "2023-09-14T08:17:00+09:00"],
    ["2023.09.14 08:17", "2023-09-14T08:17:00+09:00"],
    ["2023/09/14 08:17:00", "2023-09-14T08:17:00+09:00"],
    ["2023. 9. 14. 오전 8:17", "2023-09-14T08:17:00+09:00"],
    ["2023. 9. 14. 오후 3:04", "2023-09-14T15:04:00+09:00"],
    ["2023년 9월 14일 08:17", "2023-09-14T08:17:00+09:00"],
    ["2023년 9월 14일 (목) 오후 3시 4분", "2023-09-14T15:04:00+09:00"],
    ["2023年9月14日 8時17分", "2023-09-14T08:17:00+09:00"],
    ["2023年9月14日 午後3:04", "2023-09-14T15:04:00+09:00"],
    ["Thu, 14 Sep 2023 08:17:00", "2023-09-14T08:17:00+09:00"],
    ["Sep 14, 2023 8:17 PM", "2023-09-14T20:17:00+09:00"],
    ["Sept 14, 2023", "2023-09-14T00:00:00+09:00"],
    ["2023-09-14 12:00 AM", "2023-09-14T00:00:00+09:00"],
    ["  Thu,  14 Sep 2023\t08:17:00  +0900 ", "2023-09-14T08:17:00+09:00"],
  ])("reads %j as %s", (text, iso) => {
    expect(parseFeedDate(text, SEOUL)?.iso).toBe(iso);
  });

  it("gives the same instant for the same moment written in any zone", () => {
    for (const text of [
      "Thu, 14 Sep 2023 08:17:00 +0900",
      "Wed, 13 Sep 2023 23:17:00 GMT",
      "Wed, 13 Sep 2023 19:17:00 EDT",
      "2023-09-14 08:17",
      "2023년 9월 14일 08:17",
    ]) {
      expect(parseFeedDate(text, SEOUL)?.ms, text).toBe(KST_MORNING_MS);
    }
  });

  it("ignores a weekday that does not match the date", () => {
    expect(parseFeedDate("Mon, 14 Sep 2023 08:17:00 +0900", SEOUL)?.iso).toBe("2023-09-14T08:17:00+09:00");
  });

  it("reads military zone letters as UTC", () => {
    expect(parseFeedDate("Thu, 14 Sep 2023 08:17:00 A", SEOUL)?.iso).toBe("2023-09-14T08:17:00+00:00");
    expect(parseFeedDate("Thu, 14 Sep 2023 08:17:00 Y", SEOUL)?.iso).toBe("2023-09-14T08:17:00+00:00");
  });

  it("reads a time without a zone in the given zone, daylight saving included", () => {
    expect(parseFeedDate("2023-07-01 12:00", "America/New_York")?.iso).toBe("2023-07-01T12:00:00-04:00");
    expect(parseFeedDate("2023-12-01 12:00", "America/New_York")?.iso).toBe("2023-12-01T12:00:00-05:00");
    expect(parseFeedDate("Sat, 01 Jul 2023 12:00:00", "Europe/Berlin")?.iso).toBe("2023-07-01T12:00:00+02:00");
  });

  it.each([
    [""],
    ["yesterday"],
    ["2023-13-01"],
    ["2023-02-30"],
    ["2023-09-14 24:00"],
    ["Thu, 14 Foo 2023 08:17:00 +0900"],
    ["Thu, 14 Sep 2023 25:17:00 +0900"],
    ["2023-09-14T08:17:00+19:00"],
    ["2023-09-14T08:17:00+09:75"],
    ["2023-09-14T08:17:00 XYZ"],
    ["2023-09-14 13:00 PM"],
    ["1694647020"],
    ["14/09/2023"],
  ])("gives null for %j", (text) => {
    expect(parseFeedDate(text, SEOUL)).toBeNull();
  });

  it("says so when the zone setting is not a zone", () => {
    expect(() => parseFeedDate("2023-09-14", "Mars/Olympus")).toThrow(/^normalize-text: time zone "Mars\/Olympus"/);
  });

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        const instant = parseFeedDate(text, SEOUL);
        if (instant) expect(instant.iso).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("stripTracking", () => {
  it.each([
    ["https://a.example/x?utm_source=rss&utm_medium=feed&id=3", "https://a.example/x?id=3"],
    ["https://a.example/x?id=3&UTM_Campaign=fall#part-2", "https://a.example/x?id=3#part-2"],
    ["https://a.example/x?fbclid=1&gclid=2&dclid=3&msclkid=4&mc_cid=5&mc_eid=6&igshid=7&yclid=8&_ga=9&ref_src=10", "https://a.example/x"],
    ["https://a.example/x?utm_source=rss#top", "https://a.example/x#top"],
    ["https://a.example/x?b=2&utm_source=rss&a=1", "https://a.example/x?b=2&a=1"],
    ["https://a.example/x?utm%5Fsource=rss&q=a%20b", "https://a.example/x?q=a%20b"],
  ])("strips %s", (url, stripped) => {
    expect(stripTracking(url)).toBe(stripped);
  });

  it("leaves a URL without tracking parameters exactly as it was", () => {
    for (const url of [
      "https://a.example/x",
      "https://a.example/x?q=a+b&&z",
      "https://a.example/x?ref=home",
      "https://a.example/x#utm_source=x",
      "not a url?utm",
    ]) {
      expect(stripTracking(url)).toBe(url);
    }
  });
});

describe("htmlToText", () => {
  it("gives text with a line per block and entities decoded", () => {
    expect(htmlToText("<p>One &amp; <b>two</b></p><p>Three<br>four</p>")).toBe("One & two\nThree\nfour");
  });

  it("folds white space and leaves out scripts, styles and the like", () => {
    expect(htmlToText("<div>  a \n\t b  </div><script>alert(1)</script><style>p{}</style><svg><text>x</text></svg>c")).toBe("a b\nc");
  });

  it("separates list items and table cells", () => {
    expect(htmlToText("<ul><li>a</li><li>b</li></ul><table><tr><td>1</td><td>2</td></tr><tr><td>3</td></tr></table>")).toBe("a\nb\n1 2\n3");
  });

  it("keeps Korean and Japanese text and normalizes it to NFC", () => {
    expect(htmlToText("<p>서울&nbsp;시청</p><p>東京都</p><p>e\u0301</p>")).toBe("서울 시청\n東京都\né");
  });

  it("reads plain text as it is", () => {
    expect(htmlToText("just text")).toBe("just text");
    expect(htmlToText("")).toBe("");
  });
});

describe("deriveSummary", () => {
  const english =
    "<p>The city council approved the budget on Thursday. It grows by five percent over last year. " +
    "Most of the increase goes to transport and welfare, officials said. The vote was 31 to 12.</p>";

  it("returns a short body whole, as one line", () => {
    expect(deriveSummary("<p>Short.</p><p>Two paragraphs.</p>")).toBe("Short. Two paragraphs.");
  });

  it("cuts English text at the last sentence end that fits", () => {
    expect(deriveSummary(english, 100)).toBe("The city council approved the budget on Thursday. It grows by five percent over last year.");
  });

  it("cuts at a word boundary with an ellipsis when no sentence ends in the first half", () => {
    const summary = deriveSummary(
      "<p>A very long sentence without any full stop that keeps going and going well past the limit of characters we allow</p>",
      60,
    );
    expect(summary).toBe("A very long sentence without any full stop that keeps going…");
    expect(Array.from(summary).length).toBeLessThanOrEqual(60);
  });

  it("cuts Korean text after 다.", () => {
    const korean =
      "<p>서울시는 14일 내년도 예산안을 발표했다. 예산은 지난해보다 5% 늘었다. 시는 복지와 교통에 중점을 뒀다고 밝혔다. 의회는 다음 달 심의를 시작한다.</p>";
    expect(deriveSummary(korean, 60)).toBe("서울시는 14일 내년도 예산안을 발표했다. 예산은 지난해보다 5% 늘었다.");
    expect(deriveSummary("<p>첫 문장이다.둘째 문장이 이어지고 계속 이어지며 끝나지 않는다</p>", 12)).toBe("첫 문장이다.");
  });

  it("cuts Japanese text after 。", () => {
    const japanese = "<p>東京都は14日、来年度の予算案を発表した。予算は前年より5％増えた。都は福祉と交通に重点を置いたと説明した。</p>";
    expect(deriveSummary(japanese, 40)).toBe("東京都は14日、来年度の予算案を発表した。予算は前年より5％増えた。");
  });

  it("cuts text written without spaces or stops at maxChars, ellipsis included", () => {
    const summary = deriveSummary(`<p>${"東京都予算案発表".repeat(10)}</p>`, 20);
    expect(summary).toBe(`${"東京都予算案発表".repeat(3).slice(0, 19)}…`);
    expect(Array.from(summary)).toHaveLength(20);
  });

  it("counts characters, not UTF-16 units, and never splits a surrogate pair", () => {
    const summary = deriveSummary(`<p>${"😀".repeat(30)}</p>`, 10);
    expect(summary).toBe(`${"😀".repeat(9)}…`);
  });

  it("stays within maxChars for any text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.integer({ min: 2, max: 80 }), (text, max) => {
        expect(Array.from(deriveSummary(text, max)).length).toBeLessThanOrEqual(max);
      }),
      { numRuns: 500 },
    );
  });
});

describe("normalizeLanguageTag", () => {
  it.each([
    ["ko", "ko"],
    ["EN-us", "en-US"],
    [" ja ", "ja"],
    ["zh_CN", "zh-CN"],
    ["zh-tw", "zh-TW"],
    ["zh-hans-cn", "zh-Hans-CN"],
    ["ko_KR", "ko-KR"],
  ])("writes %j as %s", (tag, normalized) => {
    expect(normalizeLanguageTag(tag)).toBe(normalized);
  });

  it.each([[undefined], [""], ["  "], ["english"], ["en-"], ["k"], ["en us"]])("gives null for %j", (tag) => {
    expect(normalizeLanguageTag(tag)).toBeNull();
  });
});
