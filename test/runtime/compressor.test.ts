/** The compression worker of the Node server (src/runtime/compressor.ts): real worker thread, real zlib. */
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { workerCompressor } from "../../src/runtime/compressor.ts";

/** A feed-sized document of mixed scripts, different for each seed. */
function document(seed: number, kb = 200): Uint8Array {
  const words = ["서울", "budget", "東京", "经济", "<item>", "&amp;", "뉴스", "market", "選挙", "文化"];
  let text = "";
  for (let i = 0; text.length < kb * 400; i++) text += `${words[(i * 7 + seed) % words.length]} ${i % (97 + seed)} `;
  return new TextEncoder().encode(text);
}

let compressor: ReturnType<typeof workerCompressor> | undefined;
afterEach(async () => {
  await compressor?.close();
  compressor = undefined;
});

describe("the compression worker", () => {
  it("makes gzip and brotli that decode to the same bytes, brotli the smaller", async () => {
    compressor = workerCompressor();
    const body = document(1);
    const [gzip, brotli] = await Promise.all([compressor.compress(body, "gzip"), compressor.compress(body, "br")]);
    expect(new Uint8Array(gunzipSync(gzip))).toEqual(body);
    expect(new Uint8Array(brotliDecompressSync(brotli))).toEqual(body);
    expect(brotli.byteLength).toBeLessThan(gzip.byteLength);
  });

  it("takes gzip ahead of brotli waiting in its queue, and one document at a time", async () => {
    compressor = workerCompressor();
    const done: string[] = [];
    const jobs = [
      ...[1, 2, 3].map((n) => compressor!.compress(document(n), "br").then(() => done.push(`br ${n}`))),
      compressor.compress(document(4), "gzip").then(() => done.push("gzip 4")),
    ];
    await Promise.all(jobs);
    // The first brotli was already under way when the gzip came; the other two waited behind it.
    expect(done).toEqual(["br 1", "gzip 4", "br 2", "br 3"]);
  });

  it("fails what is queued when closed, and works again on the next use", async () => {
    compressor = workerCompressor();
    const queued = [1, 2].map((n) => compressor!.compress(document(n), "br"));
    const settled = Promise.allSettled(queued);
    await compressor.close();
    const outcomes = await settled;
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    for (const o of outcomes) expect(String((o as PromiseRejectedResult).reason)).toMatch(/compression (stopped|worker exited)/);
    const body = document(5, 20);
    expect(new Uint8Array(gunzipSync(await compressor.compress(body, "gzip")))).toEqual(body);
  });
});
