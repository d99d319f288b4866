/**
 * The soak in its short form (the full one is `npm run soak`): the same code, 15 s, 8 readers, a
 * lighter warm-up. Its memory trend is printed, not asserted: 15 s of a process still filling its
 * caches says nothing about a steady state (the full soak asserts it); only a gross leak fails here.
 * A queue that grows with the writes fails here at once: the server's compression queue, read every
 * second, must stay within its bounds and keep making best forms, and brotli must answer at least 90%
 * of the GETs that prefer it (a compressor that makes them wait answers gzip meanwhile).
 */
import { describe, expect, it } from "vitest";
import { soak } from "./soak.ts";

describe("the soak, short", () => {
  it("serves every feed under readers and ingests for 15 s: no 5xx, nothing malformed, ETags true, nothing lost or going back, every commit seen at once, brotli at once, the compression queue bounded", async () => {
    const result = await soak({ seconds: 15, readers: 8, warmUpLimits: 3, maxRssSlopeKBps: null });
    console.log(result.summary);
    expect(result.failures, result.summary).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.requests).toBeGreaterThan(500);
    expect(result.ingestRuns).toBeGreaterThanOrEqual(2);
    expect(result.pushOps).toBeGreaterThanOrEqual(5);
    expect(result.probes).toBeGreaterThanOrEqual(result.ingestRuns + result.pushOps);
    expect(result.rssMaxKB / 1024).toBeLessThan(400);
    expect(result.brotliShare).toBeGreaterThanOrEqual(0.9);
    expect(result.compression!.last.made).toBeGreaterThan(0);
    expect(result.compression!.maxQueuedSeen).toBeLessThanOrEqual(result.compression!.last.maxQueued);
  }, 120_000);
});
