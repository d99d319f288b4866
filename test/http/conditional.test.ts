/** The pure parts of conditional requests and encoding negotiation. */
import { describe, expect, it } from "vitest";
import { chooseEncoding, noneMatchHits, parseEntityTags } from "../../src/http/conditional.ts";
import { httpDate, parseHttpDate } from "../../src/model/http-date.ts";

describe("entity tags", () => {
  it("reads lists, weak tags and *; skips what is not a tag", () => {
    expect(parseEntityTags('"a", W/"b" ,"c"')).toEqual(['"a"', '"b"', '"c"']);
    expect(parseEntityTags(" * ")).toBe("*");
    expect(parseEntityTags("no quotes, W/")).toEqual([]);
    expect(parseEntityTags(undefined)).toEqual([]);
  });

  it("compares weakly, as If-None-Match requires", () => {
    expect(noneMatchHits('W/"abc"', '"abc"')).toBe(true);
    expect(noneMatchHits('"abc"', 'W/"abc"')).toBe(true);
    expect(noneMatchHits('"abd"', '"abc"')).toBe(false);
    expect(noneMatchHits("*", '"anything"')).toBe(true);
  });
});

describe("HTTP dates", () => {
  const ms = Date.UTC(1994, 10, 6, 8, 49, 37);
  const now = Date.UTC(2026, 9, 21, 7, 26, 30);
  it.each(["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"])("reads %s", (text) => {
    expect(parseHttpDate(text, now)).toBe(ms);
  });
  it("refuses anything else and writes IMF-fixdate", () => {
    expect(parseHttpDate("2024-01-01T00:00:00Z", now)).toBeNull();
    expect(parseHttpDate("Sun, 06 Foo 1994 08:49:37 GMT", now)).toBeNull();
    expect(httpDate(ms)).toBe("Sun, 06 Nov 1994 08:49:37 GMT");
  });
});

describe("choosing an encoding", () => {
  const all = ["br", "gzip", "identity"] as const;
  it.each([
    [undefined, "identity"],
    ["", "identity"],
    ["gzip", "gzip"],
    ["gzip, deflate, br", "br"],
    ["br;q=0.2, gzip;q=0.8", "gzip"],
    ["gzip;q=0.5, identity", "identity"],
    ["*", "br"],
    ["br;q=0, *;q=0.5", "gzip"],
    ["deflate", "identity"],
    ["identity;q=0, gzip;q=0", null],
    ["GZIP; Q=1.0", "gzip"],
    ["gzip;q=garbage", "gzip"],
  ])("%s gives %s", (header, expected) => {
    expect(chooseEncoding(header, all)).toBe(expected);
  });
  it("offers only what is available", () => {
    expect(chooseEncoding("br, gzip", ["identity"])).toBe("identity");
  });
});
