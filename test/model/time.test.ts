/** Instants as the newsroom writes them: reading, zone arithmetic and the forms feeds print. */
import { describe, expect, it } from "vitest";
import { inZone, instantAt, isTimeZone, parseNewsroomTime, parseRfc3339, toRfc822, wallClock } from "../../src/model/time.ts";

// 2023-09-14 08:17 KST is 2023-09-13 23:17 UTC: used throughout so a mix-up of wall time and UTC shows.
const KST_MORNING_MS = Date.UTC(2023, 8, 13, 23, 17, 0);

/** RFC 822 date-time as the RSS Profile narrows it: weekday, two-digit day, four-digit year, seconds, numeric zone. */
const RSS_PROFILE_DATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/;

describe("parseNewsroomTime", () => {
  it("reads the KST form the newsroom types, keeping the +09:00 it was written in", () => {
    expect(parseNewsroomTime("2023-09-14 08:17 +09:00", "UTC")).toEqual({
      iso: "2023-09-14T08:17:00+09:00",
      ms: KST_MORNING_MS,
    });
  });

  it("reads the RFC 3339 T form and the compact +0900 offset as the same instant", () => {
    expect(parseNewsroomTime("2023-09-14T08:17:00+09:00", "UTC")).toEqual({ iso: "2023-09-14T08:17:00+09:00", ms: KST_MORNING_MS });
    expect(parseNewsroomTime("2023-09-14 08:17 +0900", "UTC")).toEqual({ iso: "2023-09-14T08:17:00+09:00", ms: KST_MORNING_MS });
  });

  it("keeps seconds, and drops a fraction of a second that feeds cannot show", () => {
    expect(parseNewsroomTime("2023-09-14 08:17:45 +09:00", "UTC")).toEqual({
      iso: "2023-09-14T08:17:45+09:00",
      ms: KST_MORNING_MS + 45_000,
    });
    expect(parseNewsroomTime("2023-09-14T08:17:45.987+09:00", "UTC").ms).toBe(KST_MORNING_MS + 45_000);
  });

  it("reads a time without an offset in the given zone: Asia/Seoul gives +09:00", () => {
    expect(parseNewsroomTime("2023-09-14 08:17", "Asia/Seoul")).toEqual({ iso: "2023-09-14T08:17:00+09:00", ms: KST_MORNING_MS });
  });

  it("reads a time without an offset in a DST zone with the offset in force on that date", () => {
    // New York is -04:00 in September (EDT) and -05:00 in January (EST).
    expect(parseNewsroomTime("2023-09-14 08:17", "America/New_York").iso).toBe("2023-09-14T08:17:00-04:00");
    expect(parseNewsroomTime("2024-01-15 08:17", "America/New_York").iso).toBe("2024-01-15T08:17:00-05:00");
  });

  it("reads a wall time skipped by the spring-forward transition with the offset before it", () => {
    // 2023-03-12 02:00 EST jumped to 03:00 EDT in New York, so 02:30 never showed on a clock there.
    const skipped = parseNewsroomTime("2023-03-12 02:30", "America/New_York");
    expect(skipped.iso).toBe("2023-03-12T02:30:00-05:00");
    // With the offset before the jump, 02:30 lands where the clocks already showed 03:30 EDT.
    expect(skipped.ms).toBe(parseNewsroomTime("2023-03-12 03:30", "America/New_York").ms);
    expect(parseNewsroomTime("2023-03-12 03:30", "America/New_York").iso).toBe("2023-03-12T03:30:00-04:00");
  });

  // East of UTC a naive two-pass lookup lands on the offset after the jump; the rule must hold both ways.
  it("reads a skipped wall time east of UTC with the offset before the transition too", () => {
    expect(parseNewsroomTime("2026-03-29 02:30", "Europe/Berlin").iso).toBe("2026-03-29T02:30:00+01:00");
  });

  it("reads a wall time of the repeated fall-back hour as its first occurrence, and an explicit offset picks the second", () => {
    // 2023-11-05 01:30 happened twice in New York: first in EDT (-04:00), an hour later in EST (-05:00).
    const first = parseNewsroomTime("2023-11-05 01:30", "America/New_York");
    expect(first).toEqual({ iso: "2023-11-05T01:30:00-04:00", ms: Date.UTC(2023, 10, 5, 5, 30) });
    const second = parseNewsroomTime("2023-11-05 01:30 -05:00", "America/New_York");
    expect(second.ms - first.ms).toBe(60 * 60_000);
  });

  it("reads Z (either case) as UTC, whatever zone is given for offset-less times", () => {
    const expected = { iso: "2023-09-13T23:17:00+00:00", ms: KST_MORNING_MS };
    expect(parseNewsroomTime("2023-09-13T23:17:00Z", "Asia/Seoul")).toEqual(expected);
    expect(parseNewsroomTime("2023-09-13 23:17 z", "Asia/Seoul")).toEqual(expected);
  });

  it("keeps negative and half-hour offsets as written", () => {
    expect(parseNewsroomTime("2023-09-14 08:17 -03:30", "UTC")).toEqual({
      iso: "2023-09-14T08:17:00-03:30",
      ms: Date.UTC(2023, 8, 14, 11, 47),
    });
  });

  it("accepts 29 February only in a leap year", () => {
    expect(parseNewsroomTime("2024-02-29 12:00 +09:00", "UTC").iso).toBe("2024-02-29T12:00:00+09:00");
    expect(() => parseNewsroomTime("2023-02-29 12:00 +09:00", "UTC")).toThrow('time "2023-02-29 12:00 +09:00"');
  });

  it.each([
    ["30 February", "2024-02-30 10:00 +09:00", "is not a real calendar date and time"],
    ["month 13", "2023-13-01 10:00 +09:00", "is not a real calendar date and time"],
    ["hour 24", "2023-09-14 24:00 +09:00", "is not a real calendar date and time"],
    ["minute 60", "2023-09-14 08:60 +09:00", "is not a real calendar date and time"],
    ["second 60", "2023-09-14 08:17:60 +09:00", "is not a real calendar date and time"],
    ["words", "yesterday morning", "is not of the form YYYY-MM-DD HH:MM[:SS] [+HH:MM]"],
    ["a date without a time", "2023-09-14", "is not of the form"],
    ["a zone name instead of an offset", "2023-09-14 08:17 KST", "is not of the form"],
    ["an offset beyond 18 hours", "2023-09-14 08:17 +18:30", "has an offset beyond ±18:00"],
    ["an offset beyond 18 hours west", "2023-09-14 08:17 -19:00", "has an offset beyond ±18:00"],
  ])("refuses %s with a message naming the value", (_case, text, problem) => {
    expect(() => parseNewsroomTime(text, "Asia/Seoul")).toThrow(`time "${text}" ${problem}`);
  });

  it("accepts the extreme offsets of ±18:00 that RFC 3339 systems exchange", () => {
    expect(parseNewsroomTime("2023-09-14 08:17 +18:00", "UTC").iso).toBe("2023-09-14T08:17:00+18:00");
    expect(parseNewsroomTime("2023-09-14 08:17 -18:00", "UTC").iso).toBe("2023-09-14T08:17:00-18:00");
  });

  // A typo such as +09:99 must not be read as a silently shifted +10:39.
  it("refuses an offset whose minutes are 60 or more, naming the value", () => {
    expect(() => parseNewsroomTime("2023-09-14 08:17 +09:99", "UTC")).toThrow('time "2023-09-14 08:17 +09:99"');
  });

  // Date.UTC maps years 0-99 to 1900-1999; a year must stay the year that was written.
  it("reads a four-digit year below 0100 as that year, not as 19xx", () => {
    expect(parseNewsroomTime("0026-10-01 09:00 +00:00", "UTC").iso).toBe("0026-10-01T09:00:00+00:00");
  });
});

describe("parseRfc3339", () => {
  it("reads a stored timestamp and keeps its offset", () => {
    expect(parseRfc3339("2023-09-14T08:17:00+09:00")).toEqual({ iso: "2023-09-14T08:17:00+09:00", ms: KST_MORNING_MS });
    expect(parseRfc3339("2023-09-14T08:17:00-03:30").iso).toBe("2023-09-14T08:17:00-03:30");
  });

  it("reads Z as +00:00", () => {
    expect(parseRfc3339("2023-09-13T23:17:00Z")).toEqual({ iso: "2023-09-13T23:17:00+00:00", ms: KST_MORNING_MS });
  });

  it.each([
    ["the newsroom's space form", "2023-09-14 08:17:00+09:00"],
    ["a time without seconds", "2023-09-14T08:17+09:00"],
    ["a time without an offset", "2023-09-14T08:17:00"],
    ["a compact offset", "2023-09-14T08:17:00+0900"],
  ])("refuses %s, naming the value", (_case, text) => {
    expect(() => parseRfc3339(text)).toThrow(`time "${text}" is not an RFC 3339 timestamp`);
  });

  // RFC 3339 section 5.6 allows a lowercase t and z.
  it("reads lowercase t and z, which RFC 3339 allows", () => {
    expect(parseRfc3339("2023-09-13t23:17:00z").ms).toBe(KST_MORNING_MS);
  });
});

describe("instantAt", () => {
  it("writes the instant in the offset it is given", () => {
    expect(instantAt(KST_MORNING_MS, 9 * 60)).toEqual({ iso: "2023-09-14T08:17:00+09:00", ms: KST_MORNING_MS });
    expect(instantAt(KST_MORNING_MS, 0)).toEqual({ iso: "2023-09-13T23:17:00+00:00", ms: KST_MORNING_MS });
    expect(instantAt(KST_MORNING_MS, -(3 * 60 + 30))).toEqual({ iso: "2023-09-13T19:47:00-03:30", ms: KST_MORNING_MS });
  });

  it("drops milliseconds so that ms and iso always name the same second", () => {
    expect(instantAt(KST_MORNING_MS + 999, 540)).toEqual({ iso: "2023-09-14T08:17:00+09:00", ms: KST_MORNING_MS });
    // Before 1970 the second is found by rounding down, not toward zero.
    expect(instantAt(-1500, 0)).toEqual({ iso: "1969-12-31T23:59:58+00:00", ms: -2000 });
  });
});

describe("inZone", () => {
  it("shows a +00:00 instant in Asia/Seoul on the next day, after midnight", () => {
    const utcEvening = parseNewsroomTime("2023-09-13T15:30:00+00:00", "UTC");
    const seoul = inZone(utcEvening, "Asia/Seoul");
    expect(seoul).toEqual({ iso: "2023-09-14T00:30:00+09:00", ms: utcEvening.ms });
  });

  it("uses the offset a DST zone has at that instant", () => {
    // 05:30Z and 06:30Z on 2023-11-05 both read 01:30 on New York clocks: before and after the fall-back.
    const beforeFallBack = inZone(parseRfc3339("2023-11-05T05:30:00Z"), "America/New_York");
    const afterFallBack = inZone(parseRfc3339("2023-11-05T06:30:00Z"), "America/New_York");
    expect(beforeFallBack.iso).toBe("2023-11-05T01:30:00-04:00");
    expect(afterFallBack.iso).toBe("2023-11-05T01:30:00-05:00");
  });
});

describe("toRfc822", () => {
  it("writes the RSS Profile form with four-digit year, seconds and +0900", () => {
    const text = toRfc822(parseNewsroomTime("2023-09-14 08:17 +09:00", "UTC"));
    expect(text).toBe("Thu, 14 Sep 2023 08:17:00 +0900");
    expect(text).toMatch(RSS_PROFILE_DATE);
  });

  it("names the weekday of the local date, not of the UTC date", () => {
    // 2023-09-13T15:30Z is Wednesday in UTC but already Thursday in Seoul.
    expect(toRfc822(parseRfc3339("2023-09-14T00:30:00+09:00"))).toBe("Thu, 14 Sep 2023 00:30:00 +0900");
    // And 2023-09-14T01:00Z is Thursday in UTC but still Wednesday at -03:30.
    expect(toRfc822(parseRfc3339("2023-09-13T21:30:00-03:30"))).toBe("Wed, 13 Sep 2023 21:30:00 -0330");
  });

  it("writes negative and zero offsets with a sign and four digits", () => {
    expect(toRfc822(parseRfc3339("2023-09-14T08:17:00-03:30"))).toBe("Thu, 14 Sep 2023 08:17:00 -0330");
    expect(toRfc822(parseRfc3339("2023-09-14T08:17:00Z"))).toBe("Thu, 14 Sep 2023 08:17:00 +0000");
  });

  it("writes every day of a year in the RSS Profile form, as the same instant", () => {
    // A walk over 2024 (a leap year) in three offsets: every day must parse back to its instant.
    for (const offset of [9 * 60, 0, -(3 * 60 + 30)]) {
      for (let day = 0; day < 366; day++) {
        const instant = instantAt(Date.UTC(2024, 0, 1, 13, 5, 9) + day * 86_400_000, offset);
        const text = toRfc822(instant);
        expect(text).toMatch(RSS_PROFILE_DATE);
        expect(Date.parse(text)).toBe(instant.ms);
      }
    }
  });

  // The RSS Profile wants a four-digit year, even below 1000.
  it("writes a year below 1000 with four digits", () => {
    expect(toRfc822(parseRfc3339("0999-06-01T12:00:00+00:00"))).toMatch(RSS_PROFILE_DATE);
  });
});

describe("wallClock", () => {
  it("gives the date and time on the clock of the instant's own offset", () => {
    // The UTC date of this instant is the 13th; the page shows the Seoul date, the 14th.
    expect(wallClock(parseRfc3339("2023-09-14T00:30:00+09:00"))).toEqual({ year: 2023, month: 9, day: 14, hour: 0, minute: 30 });
    expect(wallClock(parseRfc3339("2023-09-13T21:30:00-03:30"))).toEqual({ year: 2023, month: 9, day: 13, hour: 21, minute: 30 });
  });
});

describe("isTimeZone", () => {
  it("knows IANA zone names and UTC", () => {
    expect(isTimeZone("Asia/Seoul")).toBe(true);
    expect(isTimeZone("America/New_York")).toBe(true);
    expect(isTimeZone("UTC")).toBe(true);
  });

  it("refuses names that are not zones", () => {
    expect(isTimeZone("Mars/Olympus_Mons")).toBe(false);
    expect(isTimeZone("KST+9")).toBe(false);
    expect(isTimeZone("")).toBe(false);
  });
});
