/** The Node server's compressor (src/runtime/compressor.ts): real zlib, a real worker thread for the best brotli forms. */
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { INLINE_BYTES, workerCompressor } from "../../src/runtime/compressor.ts";

/** A feed-like document of mixed scripts, different for each seed, of about `kb` / 2 KB. */
function document(seed: number, kb = 200): Uint8Array {
  const words = ["서울", "budget", "東京", "经济", "<item>", "&amp;", "뉴스", "market", "選挙", "文化"];
  let text = "";
  for (let i = 0; text.length < kb * 400; i++) text += `${words[(i * 7 + seed) % words.length]} ${i % (97 + seed)} `;
  return new TextEncoder().encode(text);
}

const decoded = (bytes: Uint8Array) => new Uint8Array(brotliDecompressSync(bytes));

let compressor: ReturnType<typeof workerCompressor> | undefined;
afterEach(async () => {
  await compressor?.close();
  compressor = undefined;
});

describe("the first forms", () => {
  it("makes gzip and brotli at once for a small document and soon for a large one, decoding to the same bytes", async () => {
    compressor = workerCompressor();
    const { compress } = compressor;
    const small = document(1, 20);
    expect(small.byteLength).toBeLessThanOrEqual(INLINE_BYTES);
    const gzip = compress(small, "gzip");
    const brotli = compress(small, "br");
    expect(gzip).toBeInstanceOf(Uint8Array);
    expect(brotli).toBeInstanceOf(Uint8Array);
    expect(new Uint8Array(gunzipSync(gzip as Uint8Array))).toEqual(small);
    expect(decoded(brotli as Uint8Array)).toEqual(small);

    const large = document(2, 200);
    expect(large.byteLength).toBeGreaterThan(INLINE_BYTES);
    const later = compress(large, "br");
    expect(later).toBeInstanceOf(Promise);
    expect(decoded(await later)).toEqual(large);
    expect(new Uint8Array(gunzipSync(await compress(large, "gzip")))).toEqual(large);
  });
});

describe("the best forms", () => {
  it("makes brotli smaller than the first form, decoding to the same bytes, on the worker thread", async () => {
    compressor = workerCompressor();
    const body = document(3, 40);
    const first = compressor.compress(body, "br") as Uint8Array;
    const best = await compressor.compress.best!(body, "feed-a");
    expect(best).not.toBeNull();
    expect(decoded(best!)).toEqual(body);
    expect(best!.byteLength).toBeLessThan(first.byteLength);
    expect(compressor.compress.stats!()).toMatchObject({ made: 1, queued: 0, running: false });
  });

  it("flooded with versions faster than it compresses, keeps one job per feed and drops every superseded one", async () => {
    compressor = workerCompressor();
    const { best, stats } = compressor.compress;
    const feeds = 8;
    const versions = 50;
    const jobs: { feed: number; version: number; made: Promise<Uint8Array | null> }[] = [];
    // Every version is handed over before the worker can answer once: nothing finishes in between.
    for (let version = 0; version < versions; version++) {
      for (let feed = 0; feed < feeds; feed++) {
        const made = best!(document(feed * 1000 + version, 8), `feed-${feed}`);
        expect(made).not.toBeNull();
        jobs.push({ feed, version, made: made! });
        expect(stats!().queued).toBeLessThanOrEqual(feeds);
      }
    }
    // The very first job went to the worker at once; of the rest, only each feed's newest waits.
    expect(stats!()).toMatchObject({ queued: feeds, running: true, peakQueued: feeds, superseded: feeds * versions - feeds - 1 });
    const outcomes = await Promise.all(jobs.map((job) => job.made));
    const made = jobs.filter((_, i) => outcomes[i] !== null);
    expect(made.map((job) => `${job.feed}@${job.version}`)).toEqual([
      "0@0",
      ...Array.from({ length: feeds }, (_, feed) => `${feed}@${versions - 1}`),
    ]);
    for (const job of made) {
      expect(decoded(outcomes[jobs.indexOf(job)]!)).toEqual(document(job.feed * 1000 + job.version, 8));
    }
    expect(stats!()).toMatchObject({ queued: 0, queuedBytes: 0, made: feeds + 1, superseded: feeds * versions - feeds - 1, refused: 0 });
  }, 60_000);

  it("refuses a new feed's job while the queue holds its bound of jobs or bytes, until there is room again; drops a document over the size bound", async () => {
    compressor = workerCompressor({ maxQueued: 3, maxQueuedBytes: 40_000, maxBestBytes: 60_000 });
    const { best, stats } = compressor.compress;
    const jobs = [0, 1, 2, 3, 4, 5].map((feed) => best!(document(feed, 10), `feed-${feed}`));
    // One under way, three waiting, two refused at once, with no job made for them.
    expect(jobs.slice(4)).toEqual([null, null]);
    expect(stats!()).toMatchObject({ running: true, queued: 3, refused: 2 });
    // A newer version of a waiting feed still takes that feed's place, unless it passes the byte bound.
    const newer = best!(document(10, 10), "feed-2");
    expect(best!(document(11, 90), "feed-3")).toBeNull();
    const tooLarge = best!(document(12, 200), "feed-9");
    expect(stats!()).toMatchObject({ queued: 3, superseded: 1, refused: 4 });
    expect(stats!().queuedBytes).toBeLessThanOrEqual(40_000);
    const outcomes = await Promise.all([...jobs.slice(0, 4), newer, tooLarge]);
    expect(outcomes.map((bytes) => bytes !== null)).toEqual([true, true, false, true, true, false]);
    expect(decoded(outcomes[4]!)).toEqual(document(10, 10));
    // Room again: a refused feed asked again is taken.
    const again = best!(document(4, 10), "feed-4");
    expect(again).not.toBeNull();
    expect(decoded((await again)!)).toEqual(document(4, 10));
  }, 60_000);

  it("fails what waits when closed, and works again on the next use", async () => {
    compressor = workerCompressor();
    const queued = [1, 2].map((n) => compressor!.compress.best!(document(n, 100), `feed-${n}`)!);
    const settled = Promise.allSettled(queued);
    await compressor.close();
    const outcomes = await settled;
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    for (const o of outcomes) expect(String((o as PromiseRejectedResult).reason)).toMatch(/compression (stopped|worker exited)/);
    const body = document(5, 20);
    expect(decoded((await compressor.compress.best!(body, "feed-5"))!)).toEqual(body);
  });
});
