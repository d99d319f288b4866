/**
 * An upstream that answers 429 with an absurd Retry-After: the source waits at most 24 hours, every
 * run goes on (before, `Retry-After: 99999999999999999999` made each later run fail with "Invalid time
 * value", and a merely large value stopped polling for good), and a wait stored before the cap is held
 * to it too.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runIngest } from "../../src/ingest/run.ts";
import { MAX_RETRY_AFTER_MS } from "../../src/ingest/sources/upstream.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import { feedSource, ingestDeps, INGEST_NOW, testSite } from "../helpers.ts";

const FEED =
  `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title><link>https://wire.example/</link>` +
  `<description>d</description><item><guid isPermaLink="false">wire-1</guid><title>Wire story</title>` +
  `<link>https://wire.example/1</link><description>Body</description><pubDate>Thu, 19 Nov 2026 09:00:00 +0900</pubDate></item>` +
  `</channel></rss>`;

let server: Server;
let origin: string;
/** What the upstream answers next: a Retry-After value to throttle with, or null to serve the feed. */
let throttleWith: string | null = null;
let requests = 0;

beforeAll(async () => {
  server = createServer((_request, response) => {
    requests++;
    if (throttleWith !== null) {
      response.writeHead(429, { "Retry-After": throttleWith, "Content-Type": "text/plain" });
      response.end("slow down");
      return;
    }
    response.writeHead(200, { "Content-Type": "application/rss+xml; charset=utf-8" });
    response.end(FEED);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const source = () => feedSource("wire", `${origin}/feed.xml`);

describe("Retry-After from an upstream", () => {
  it.each([
    ["20 nines", "99999999999999999999"],
    ["400 nines", "9".repeat(400)],
    ["a year in seconds", "31536000"],
    ["the last second of 9999", "Fri, 31 Dec 9999 23:59:59 GMT"],
  ])("Retry-After of %s: waits 24 h at most, and every run in between reports the source not due", async (_label, retryAfter) => {
    const store = openSqliteStore(":memory:");
    const site = testSite();
    site.settings.sources = [source()];
    const runAt = (ms: number) => runIngest(ingestDeps(store, site, undefined, { fetch, content: undefined, now: () => ms }));

    throttleWith = retryAfter;
    const throttled = await runAt(INGEST_NOW);
    expect(throttled.error).toBeUndefined();
    expect(throttled.sources[0]).toMatchObject({ status: "throttled" });
    expect(throttled.sources[0]!.notes.join(" ")).toContain(`asked again after ${MAX_RETRY_AFTER_MS / 1000} s`);

    const before = requests;
    const waiting = await runAt(INGEST_NOW + MAX_RETRY_AFTER_MS - 1);
    expect(waiting.error).toBeUndefined();
    expect(waiting.sources[0]).toMatchObject({ status: "not-due" });
    expect(waiting.sources[0]!.notes).toEqual([`next request after ${new Date(INGEST_NOW + MAX_RETRY_AFTER_MS).toISOString()}`]);
    expect(requests).toBe(before);

    throttleWith = null;
    const due = await runAt(INGEST_NOW + MAX_RETRY_AFTER_MS);
    expect(due.sources[0]).toMatchObject({ status: "fetched", new: 1 });
    await store.close();
  });

  it("holds a wait stored before the cap to 24 h from when it was set", async () => {
    const store = openSqliteStore(":memory:");
    const site = testSite();
    site.settings.sources = [source()];
    await store.saveSourceState({
      sourceId: "wire",
      etag: null,
      lastModified: null,
      checkedMs: INGEST_NOW,
      nextMs: 1e23,
      failures: 1,
      lastError: "HTTP 429",
    });
    const runAt = (ms: number) => runIngest(ingestDeps(store, site, undefined, { fetch, content: undefined, now: () => ms }));
    throttleWith = null;

    const waiting = await runAt(INGEST_NOW + 3600_000);
    expect(waiting.error).toBeUndefined();
    expect(waiting.sources[0]).toMatchObject({ status: "not-due" });
    const due = await runAt(INGEST_NOW + MAX_RETRY_AFTER_MS);
    expect(due.sources[0]).toMatchObject({ status: "fetched", new: 1 });
    await store.close();
  });
});
