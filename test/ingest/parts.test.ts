/**
 * A long RSS document is checked whole, then read in parts of ITEMS_PER_JOB items (each part parsed and
 * normalized as one job) and each part written while the next is read: the same articles as reading it
 * whole, an id repeated across parts refused as in one document, and a document broken anywhere written
 * not at all. Through the in-process reader and the parse worker alike.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { isDeepStrictEqual } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SiteSettings } from "../../src/config/site.ts";
import { openUpstream, parseUpstream, partOf } from "../../src/ingest/formats/detect.ts";
import { inProcessReader, ITEMS_PER_JOB, normalizeAll, readFeedPart, type DocumentReader } from "../../src/ingest/reader.ts";
import { runIngest } from "../../src/ingest/run.ts";
import { workerReader } from "../../src/runtime/parse-pool.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import { feedSource, ingestDeps, testSite } from "../helpers.ts";

let server: Server;
let base: string;
let body = "";

beforeAll(async () => {
  server = createServer((_req, res) => res.writeHead(200, { "Content-Type": "application/rss+xml; charset=utf-8" }).end(body));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const rss = (items: string[], between = "\n") =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link><language>en</language>\n${items.join(between)}\n<copyright>Wire</copyright></channel></rss>\n`;
const item = (n: number, guid = `g-${n}`, extra = "") =>
  `<item><guid isPermaLink="false">${guid}</guid><title>Story ${n}</title><link>https://wire.example/news/${n}</link>` +
  `<description>&lt;p&gt;Body of &lt;b&gt;${n}&lt;/b&gt;.&lt;/p&gt;</description><pubDate>Thu, 19 Nov 2026 09:00:00 +0900</pubDate>${extra}</item>`;
const items = (count: number) => Array.from({ length: count }, (_, n) => item(n));
const URL = "https://wire.example/feed.xml";
const TYPE = "application/rss+xml";

describe("a long RSS document read in parts", () => {
  it("is cut after every ITEMS_PER_JOB items, and its parts read as the whole document does", () => {
    const text = rss(items(2 * ITEMS_PER_JOB + 7));
    const opened = openUpstream(text, TYPE, URL, ITEMS_PER_JOB);
    if (opened.kind !== "parts") throw new Error(`read as a ${opened.kind}`);
    expect(opened.cuts.length).toBe(3);
    const site = testSite();
    const source = { name: "feed:wire", lang: "en", section: "society", sections: {}, timezone: "UTC" };
    const whole = parseUpstream(text, TYPE, URL);
    if (whole.kind !== "feed") throw new Error("not a feed");
    const expected = normalizeAll(whole.items, source, site, 0);
    const parts = opened.cuts.map((_, n) => readFeedPart(partOf(text, opened, n), TYPE, URL, source, site, 0));
    expect(parts.map((p) => p.keys.length)).toEqual([ITEMS_PER_JOB, ITEMS_PER_JOB, 7]);
    expect(parts.flatMap((p) => p.keys)).toEqual(whole.items.map((i) => i.key));
    expect(
      isDeepStrictEqual(
        parts.flatMap((p) => p.normalized),
        expected,
      ),
    ).toBe(true);
  });

  it("is read whole when its items cannot be cut apart, or are few", () => {
    const interleaved = [...items(ITEMS_PER_JOB + 1)];
    interleaved.splice(
      3,
      0,
      "<image><url>https://wire.example/logo.png</url><title>Wire</title><link>https://wire.example/</link></image>",
    );
    expect(openUpstream(rss(interleaved), TYPE, URL, ITEMS_PER_JOB).kind).toBe("document");
    expect(openUpstream(rss(items(ITEMS_PER_JOB)), TYPE, URL, ITEMS_PER_JOB).kind).toBe("document");
  });

  for (const [name, make] of [
    ["in this thread", () => ({ reader: inProcessReader, close: async () => undefined })],
    ["in the parse worker", () => workerReader()],
  ] as [string, () => DocumentReader & { close(): Promise<void> }][]) {
    it(`${name}: writes every article once, refuses an id repeated in a later part, and writes nothing of a broken document`, async () => {
      const made = make();
      const reader = "reader" in made ? (made.reader as DocumentReader) : made;
      try {
        const store = openSqliteStore(":memory:");
        const site = testSite();
        const settings: SiteSettings = { ...site.settings, sources: [feedSource("wire", `${base}/feed.xml`)] };
        const deps = ingestDeps(store, { ...site, settings }, undefined, { fetch, content: undefined, reader });
        const list = items(2 * ITEMS_PER_JOB + 10);
        list.push(item(9999, "g-3"));
        body = rss(list);
        const first = (await runIngest(deps, { force: true })).sources[0]!;
        expect([first.status, first.seen, first.new, first.error]).toEqual([
          "fetched",
          2 * ITEMS_PER_JOB + 11,
          2 * ITEMS_PER_JOB + 10,
          undefined,
        ]);
        expect(first.rejected).toEqual([
          { key: "g-3", reason: `ingest: source "wire": item g-3: the same id appears twice in the document; the first is kept` },
        ]);
        // The last item broken: the whole document is refused before any part is written.
        const fresh = openSqliteStore(":memory:");
        const broken = items(2 * ITEMS_PER_JOB + 10);
        broken[broken.length - 1] = broken.at(-1)!.replace("</title>", "</titel>");
        body = rss(broken);
        const refused = (await runIngest({ ...deps, store: fresh }, { force: true })).sources[0]!;
        expect(refused.status).toBe("failed");
        expect(refused.error).toMatch(/^parse: .*: invalid XML at line \d+/);
        expect(await fresh.latest({ lang: "en", limit: 5 })).toEqual([]);
        await store.close();
        await fresh.close();
      } finally {
        await made.close();
      }
    });
  }
});
