/** HTTP dates as RFC 9110 §5.6.7 reads them: three forms, two-digit years against the clock, no impossible dates. */
import { describe, expect, it } from "vitest";
import { httpDate, parseHttpDate, parseRetryAfter } from "../../src/model/http-date.ts";

const NOW = Date.UTC(2026, 9, 21, 7, 26, 30);

describe("parseHttpDate", () => {
  const ms = Date.UTC(1994, 10, 6, 8, 49, 37);

  it.each([
    ["IMF-fixdate", "Sun, 06 Nov 1994 08:49:37 GMT"],
    ["RFC 850", "Sunday, 06-Nov-94 08:49:37 GMT"],
    ["asctime, one-digit day", "Sun Nov  6 08:49:37 1994"],
    ["asctime, two-digit day", "Sun Nov 06 08:49:37 1994"],
  ])("reads the %s form", (_, text) => {
    expect(parseHttpDate(text, NOW)).toBe(ms);
  });

  it("reads names in any case and ignores surrounding space", () => {
    expect(parseHttpDate("  sun, 06 NOV 1994 08:49:37 gmt ", NOW)).toBe(ms);
  });

  it("gives null for nothing", () => {
    expect(parseHttpDate(null, NOW)).toBeNull();
    expect(parseHttpDate(undefined, NOW)).toBeNull();
    expect(parseHttpDate("", NOW)).toBeNull();
  });

  describe("RFC 850 two-digit years", () => {
    it.each([
      ["26", 2026],
      ["75", 2075],
      ["76", 2076],
      ["77", 1977],
      ["94", 1994],
      ["00", 2000],
    ])("reads %s as %i when the clock says 2026: up to 50 years ahead, else the latest past year", (yy, year) => {
      expect(parseHttpDate(`Monday, 02-Mar-${yy} 10:00:00 GMT`, NOW)).toBe(Date.UTC(year, 2, 2, 10));
    });

    it("crosses into the next century when the clock is near its end", () => {
      const late = Date.UTC(2099, 0, 1);
      expect(parseHttpDate("Monday, 02-Mar-01 10:00:00 GMT", late)).toBe(Date.UTC(2101, 2, 2, 10));
      expect(parseHttpDate("Monday, 02-Mar-50 10:00:00 GMT", late)).toBe(Date.UTC(2050, 2, 2, 10));
    });
  });

  it.each([
    "Wed, 31 Feb 2026 07:28:00 GMT",
    "Sunday, 31-Feb-26 07:28:00 GMT",
    "Wed Feb 31 07:28:00 2026",
    "Thu, 29 Feb 2026 07:28:00 GMT",
    "Wed, 31 Apr 2026 07:28:00 GMT",
    "Wed, 21 Oct 2026 24:00:00 GMT",
    "Wed, 21 Oct 2026 07:60:00 GMT",
    "Wed, 00 Oct 2026 07:28:00 GMT",
  ])("refuses the impossible date %j", (text) => {
    expect(parseHttpDate(text, NOW)).toBeNull();
  });

  it("accepts 29 February in a leap year", () => {
    expect(parseHttpDate("Thu, 29 Feb 2024 07:28:00 GMT", NOW)).toBe(Date.UTC(2024, 1, 29, 7, 28));
  });

  it("reads a year below 100 as written, not as 19xx", () => {
    expect(parseHttpDate("Sat, 01 Jan 0050 00:00:00 GMT", NOW)).toBe(new Date("0050-01-01T00:00:00Z").getTime());
  });

  it.each([
    "2026-10-21T07:28:00Z",
    "Wed, 21 Oct 2026 07:28:00 KST",
    "Wed, 21 Oct 2026 07:28:00 +0000",
    "Wed, 21 Foo 2026 07:28:00 GMT",
    "Wed, 21 Oct 26 07:28:00 GMT",
    "Wed, 1 Oct 2026 07:28:00 GMT",
    "Wed, 21-Oct-26 07:28:00 GMT",
    "Wed Oct 6 07:28:00 2026",
  ])("refuses %j, which is none of the three forms", (text) => {
    expect(parseHttpDate(text, NOW)).toBeNull();
  });
});

describe("httpDate", () => {
  it("writes IMF-fixdate, which parseHttpDate reads back", () => {
    const ms = Date.UTC(2026, 1, 3, 4, 5, 6);
    expect(httpDate(ms)).toBe("Tue, 03 Feb 2026 04:05:06 GMT");
    expect(parseHttpDate(httpDate(ms), NOW)).toBe(ms);
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds, and a date in any form as the wait from now", () => {
    expect(parseRetryAfter("30", NOW)).toBe(30_000);
    expect(parseRetryAfter("Wednesday, 21-Oct-26 07:28:00 GMT", NOW)).toBe(90_000);
    expect(parseRetryAfter("Wed, 31 Feb 2026 07:28:00 GMT", NOW)).toBeNull();
  });
});
