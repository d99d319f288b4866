/**
 * Feeds served through the Node server's compressor (src/runtime/compressor.ts, src/http/feeds/prepared.ts):
 * a new version answers brotli at once in its quick form, and its best form takes over when ready,
 * under the same validators, with headers that describe the bytes sent.
 */
import { brotliDecompressSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import type { Compressor } from "../../src/http/feeds/encoding.ts";
import { memoryCache } from "../../src/http/render-cache.ts";
import { compressNow, workerCompressor, type CompressorBounds } from "../../src/runtime/compressor.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { loadedStore, memoryLogger } from "../helpers.ts";

const NOW = Date.parse("2026-11-27T12:00:00Z");

let store: ArticleStore;
let site: Awaited<ReturnType<typeof loadedStore>>["site"];
let compressor: ReturnType<typeof workerCompressor>;
let app: ReturnType<typeof createApp>;
/** The best-form jobs handed to the compressor, to wait for them (no sleeping). */
let jobs: Promise<Uint8Array | null>[];

/** The app over a compressor with these bounds, its best-form jobs collected in `jobs`. */
function serve(bounds: CompressorBounds = {}) {
  compressor = workerCompressor(bounds);
  jobs = [];
  const real = compressor.compress;
  const compress: Compressor = Object.assign((body: Uint8Array, encoding: "br" | "gzip") => real(body, encoding), {
    best: (body: Uint8Array, key: string) => {
      const job = real.best!(body, key);
      if (job !== null) jobs.push(job);
      return job;
    },
    stats: real.stats,
  });
  app = createApp({ store, site, logger: memoryLogger(), cache: memoryCache(), now: () => NOW, compress });
}

beforeEach(async () => {
  ({ store, site } = await loadedStore());
  serve();
});
afterEach(async () => {
  await compressor.close();
  await store.close();
});

const bytesOf = async (response: Response) => new Uint8Array(await response.arrayBuffer());

describe("brotli for a new version", () => {
  it.each([["br"], ["gzip, deflate, br"], ["br, gzip;q=0.5"]])(
    "answers %s at once with the quick form, then with the best form under the same validators",
    async (acceptEncoding) => {
      const identity = await app.request("/en/rss.xml");
      const body = await bytesOf(identity);
      const etag = identity.headers.get("etag")!;

      const first = await app.request("/en/rss.xml", { headers: { "Accept-Encoding": acceptEncoding } });
      expect(first.headers.get("content-encoding")).toBe("br");
      const quick = await bytesOf(first);
      expect(new Uint8Array(brotliDecompressSync(quick))).toEqual(body);
      expect(quick).toEqual(new Uint8Array(compressNow(body, "br") as Uint8Array));
      expect(first.headers.get("content-length")).toBe(String(quick.byteLength));
      expect(first.headers.get("etag")).toBe(etag);

      expect(jobs).toHaveLength(1);
      const best = await jobs[0]!;
      expect(best).not.toBeNull();
      expect(best!.byteLength).toBeLessThan(quick.byteLength);

      const later = await app.request("/en/rss.xml", { headers: { "Accept-Encoding": acceptEncoding } });
      expect(later.headers.get("content-encoding")).toBe("br");
      const served = await bytesOf(later);
      expect(served).toEqual(new Uint8Array(best!));
      expect(new Uint8Array(brotliDecompressSync(served))).toEqual(body);
      // The same representation in other bytes: the validators stay, the length is the new body's.
      expect(later.headers.get("etag")).toBe(etag);
      expect(later.headers.get("last-modified")).toBe(identity.headers.get("last-modified"));
      expect(later.headers.get("content-length")).toBe(String(served.byteLength));
      const head = await app.request("/en/rss.xml", { method: "HEAD", headers: { "Accept-Encoding": acceptEncoding } });
      expect(head.headers.get("content-length")).toBe(String(served.byteLength));
      expect((await app.request("/en/rss.xml", { headers: { "Accept-Encoding": "br", "If-None-Match": etag } })).status).toBe(304);
      // One best form per version: asked once, whatever the number of requests.
      expect(jobs).toHaveLength(1);
    },
  );

  it("asks again for a best form its compressor had no room for, on the document's next brotli request", async () => {
    await compressor.close();
    serve({ maxQueued: 1 });
    const br = { headers: { "Accept-Encoding": "br" } };
    // The first goes to the worker at once, the second waits, the third is refused.
    for (const path of ["/en/rss.xml", "/ko/rss.xml", "/ja/rss.xml"])
      expect((await app.request(path, br)).headers.get("content-encoding")).toBe("br");
    expect(jobs).toHaveLength(2);
    expect(compressor.compress.stats!()).toMatchObject({ refused: 1 });
    const quick = await bytesOf(await app.request("/ja/rss.xml", br));
    expect(jobs).toHaveLength(2);
    await Promise.all(jobs);
    await app.request("/ja/rss.xml", br);
    expect(jobs).toHaveLength(3);
    const best = await jobs[2]!;
    const served = await bytesOf(await app.request("/ja/rss.xml", br));
    expect(served).toEqual(new Uint8Array(best!));
    expect(served.byteLength).toBeLessThan(quick.byteLength);
  });

  it("reports the compression queue at /api/stats", async () => {
    const token = "stats-token-0123456789abcdef";
    const withToken = createApp({
      store,
      site,
      logger: memoryLogger(),
      cache: memoryCache(),
      now: () => NOW,
      ingestToken: token,
      compress: compressor.compress,
    });
    await withToken.request("/en/rss.xml", { headers: { "Accept-Encoding": "br" } });
    const stats = (await (await withToken.request("/api/stats", { headers: { Authorization: `Bearer ${token}` } })).json()) as {
      compression: { queued: number; running: boolean; maxQueued: number; made: number };
    };
    expect(stats.compression.queued + Number(stats.compression.running) + stats.compression.made).toBe(1);
    expect(stats.compression.maxQueued).toBeGreaterThan(0);
  });
});
