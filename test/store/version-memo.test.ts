/** The memo of feed versions read from a database a round trip away (D1): its bound on versions kept. */
import { describe, expect, it } from "vitest";
import { FeedVersionMemo } from "../../src/store/version-memo.ts";

describe("FeedVersionMemo", () => {
  it("keeps at most maxKept versions, the oldest kept going first; without a bound it keeps every one", async () => {
    const now = () => 1_000;
    const bounded = new FeedVersionMemo({}, 60_000, now, 3);
    const unbounded = new FeedVersionMemo({}, 60_000, now);
    for (const memo of [bounded, unbounded])
      for (const [feed, version] of [
        ["a", 1],
        ["b", 2],
        ["c", 3],
        ["d", 4],
      ] as const)
        await memo.version(feed, async () => version);
    expect(["a", "b", "c", "d"].map((feed) => bounded.known(feed))).toEqual([undefined, 2, 3, 4]);
    expect(["a", "b", "c", "d"].map((feed) => unbounded.known(feed))).toEqual([1, 2, 3, 4]);
  });
});
