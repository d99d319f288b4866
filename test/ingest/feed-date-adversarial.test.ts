/**
 * parseFeedDate on text built to make its patterns backtrack: long runs of digits, spaces, line breaks and date
 * pieces. Each call must come back with null or the date; vitest's timeout, not a clock, is what catches a hang.
 */
import fc from "../fast-check.ts";
import { describe, expect, it } from "vitest";
import { parseFeedDate } from "../../src/ingest/feed-date.ts";

const SEOUL = "Asia/Seoul";
const RFC3339_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;
// Long enough that a quadratic scan outlasts the test's timeout.
const N = 50_000;

describe("parseFeedDate on adversarial text", () => {
  it.each<[string, string, string | null]>([
    // What the ESLint regexp rules name: runs of `\d` and `\s` with a rejecting suffix.
    ["digits, then a rejecting character", "1".repeat(N) + "!", null],
    ["spaces, then a rejecting character", " ".repeat(N) + "x", null],
    ["a date, spaces, then a rejecting character", "2026-01-01" + " ".repeat(N) + "!", null],
    ["digits and spaces alternating", "1 ".repeat(N) + "!", null],
    ["digits and tabs alternating", "\t1".repeat(N) + "!", null],
    ["line breaks, then a rejecting character", "\n".repeat(N) + "x", null],
    // The fraction's `\d+` against the zone: a `.*$` after it that cannot match a line break would retry every split.
    ["a time with an endless fraction and a line break", "2023-09-14T08:17:00." + "1".repeat(N) + "!\n", null],
    ["a time with an endless fraction, a line break and more", "2023-09-14 08:17:00," + "0".repeat(N) + "\n!", null],
    ["a compact date with an endless fraction", "20230914T081700." + "1".repeat(N) + "!", null],
    ["a Korean date and endless digits", "2023년 9월 14일 " + "1".repeat(N) + "!", null],
    // The trailing-comment scan: every space or parenthesis is a place it could start.
    ["spaces before an opening parenthesis", " ".repeat(N) + "(x", null],
    ["spaced opening parentheses", " (".repeat(N) + ")", null],
    ["opening parentheses", "(".repeat(N), null],
    ["parenthesised pieces", "(a".repeat(N) + ")x", null],
    ["a date and an endless comment", "2023-09-14 (" + "a".repeat(N) + ")", null],
    // The day-first and month-first patterns: words, digits and separators that almost make a date.
    ["letters, then a rejecting character", "a".repeat(N) + "!", null],
    ["words", "a ".repeat(N) + "!", null],
    ["a day and endless dashes", "1" + "-".repeat(N) + "!", null],
    ["days and dashes", "1-".repeat(N) + "!", null],
    ["days and words", "1 a ".repeat(N) + "!", null],
    ["times", "0:00 ".repeat(N) + "!", null],
    ["a weekday and repeated day-months", "Thu, " + "14 Sep ".repeat(N / 5) + "!", null],
    ["repeated month-days", "Sep 14, ".repeat(N / 5) + "!", null],
    // A real date survives any amount of space around it: spacing is collapsed before the length is judged.
    ["a date, then spaces", "2026-01-01" + " ".repeat(N), "2026-01-01T00:00:00+09:00"],
    ["a date between spaces and line breaks", " ".repeat(N) + "2023-09-14T08:17:00+09:00" + "\n".repeat(N), "2023-09-14T08:17:00+09:00"],
    [
      "an RFC 822 date padded with tabs",
      "\t".repeat(N) + "Thu, 14 Sep 2023 08:17:00 +0900 (KST)" + "\t".repeat(N),
      "2023-09-14T08:17:00+09:00",
    ],
  ])("comes back from %s", { timeout: 10_000 }, (_name, text, iso) => {
    expect(parseFeedDate(text, SEOUL)?.iso ?? null).toBe(iso);
  });

  // Pieces of every form the parser reads, each repeated many times, so the patterns meet long runs mid-date.
  const fragment = fc.constantFrom(
    "2023",
    "-",
    "09",
    "14",
    "T",
    "08:17",
    ":00",
    ".",
    ",",
    "1",
    " ",
    "\t",
    "\n",
    "+0900",
    "Z",
    "GMT",
    "KST",
    "Thu, ",
    "Sep",
    "at ",
    " PM",
    "오후 ",
    "년",
    "월",
    "일",
    "시",
    "(",
    ")",
    "(목)",
    "/",
    "20230914",
    "!",
  );
  const repeated = fc
    .array(fc.tuple(fragment, fc.integer({ min: 1, max: 5_000 })), { minLength: 1, maxLength: 6 })
    .map((runs) => runs.map(([piece, times]) => piece.repeat(times)).join(""));

  it("reads or refuses strings of repeated date pieces, and reads only short ones", { timeout: 10_000 }, () => {
    fc.assert(
      fc.property(repeated, (text) => {
        const instant = parseFeedDate(text, SEOUL);
        if (instant === null) return;
        expect(instant.iso).toMatch(RFC3339_SECONDS);
        expect(text.replace(/\s+/g, " ").trim().length).toBeLessThanOrEqual(200);
      }),
      { numRuns: 300 },
    );
  });

  it("reads a date the same however much space surrounds it", { timeout: 10_000 }, () => {
    const date = fc.constantFrom(
      "Thu, 14 Sep 2023 08:17:00 +0900",
      "2023-09-14T08:17:00+09:00",
      "2023. 9. 14. 오후 3:04",
      "2023년 9월 14일 (목) 오후 3시 4분",
      "Sep 14, 2023 8:17 PM",
    );
    const space = fc.constantFrom(" ", "\t", "\n", "\u00a0", "\u3000");
    const padding = fc.tuple(space, fc.integer({ min: 0, max: 20_000 })).map(([s, times]) => s.repeat(times));
    fc.assert(
      fc.property(date, padding, padding, (text, before, after) => {
        expect(parseFeedDate(before + text + after, SEOUL)).toEqual(parseFeedDate(text, SEOUL));
      }),
      { numRuns: 200 },
    );
  });
});
