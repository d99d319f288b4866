/**
 * Untrusted documents read in the Node runtime's parse worker (src/runtime/parse-pool.ts): the same
 * results as read in-process; a job that runs past its deadline or its heap cap has its worker stopped
 * and fails alone, with the reason, and the next job gets a new worker; in a run, that source fails and
 * the next one is read; a push whose HTML runs away is refused. Real worker threads, HTTP on 127.0.0.1,
 * SQLite. Also the attribute bound that keeps fast-xml-parser's copies of attributes small.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseUpstream, UpstreamError } from "../../src/ingest/formats/detect.ts";
import { MAX_ATTRIBUTES } from "../../src/ingest/formats/xml.ts";
import { inProcessReader } from "../../src/ingest/reader.ts";
import { runIngest } from "../../src/ingest/run.ts";
import { pushArticles } from "../../src/ingest/sources/push.ts";
import { NORMALIZE_CHUNK, workerReader, type WorkerReader } from "../../src/runtime/parse-pool.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import { feedSource, ingestDeps, testSite } from "../helpers.ts";
import { bigFeed, denseHtml, manyAttributes } from "./hostile-documents.ts";
import { FUZZ_SITE, FUZZ_SOURCE, NOW_MS } from "./support.ts";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "upstream");
const fixture = (name: string) => readFileSync(join(FIXTURES, name), "utf8");
const TINY = `<rss version="2.0"><channel><title>t</title><link>https://wire.example/</link><description>d</description><item><guid>tiny</guid><title>Tiny</title><description>Body</description></item></channel></rss>`;
/**
 * A feed of this many ordinary items is about 14 MB: reading it within 100 ms would take a parser of
 * 140 MB/s, several times what any machine here does, so a 100 ms deadline stops it however fast the
 * machine is, while a tiny document stays far inside it.
 */
const RUNAWAY_ITEMS = 2_800;
/** Generous: a worker thread starting under tsx on a loaded machine, and documents that take seconds in-process. */
const SLOW = { timeout: 90_000 };

const readers: WorkerReader[] = [];
function reader(limits: Parameters<typeof workerReader>[0] = {}): WorkerReader {
  const made = workerReader(limits);
  readers.push(made);
  return made;
}
afterAll(async () => {
  await Promise.all(readers.map((r) => r.close()));
});

describe("the parse worker", () => {
  it("reads a feed, a JSON Feed, a sitemap and an article page exactly as the in-process reader does", SLOW, async () => {
    const worker = reader();
    for (const [name, contentType, url] of [
      ["rss2-namespaces.xml", "application/rss+xml", "https://wire.example/rss.xml"],
      ["jsonfeed-1.1.json", "application/feed+json", "https://wire.example/feed.json"],
      ["sitemap-news.xml", "application/xml", "https://www.hankyeol.example/sitemap.xml"],
      ["page-en.html", "text/html", "https://www.hankyeol.example/en/world/port-deal"],
    ] as const) {
      const text = fixture(name);
      expect(await worker.parse(text, contentType, url), name).toEqual(parseUpstream(text, contentType, url));
    }
    const feed = parseUpstream(fixture("rss2-namespaces.xml"), "", "https://wire.example/rss.xml");
    expect(feed.kind === "feed" && feed.items.length).toBeGreaterThan(0);
    const items = feed.kind === "feed" ? feed.items : [];
    const inWorker = await worker.normalize(items, FUZZ_SOURCE, FUZZ_SITE, NOW_MS);
    expect(inWorker).toEqual(await inProcessReader.normalize(items, FUZZ_SOURCE, FUZZ_SITE, NOW_MS));
    expect(inWorker.some((n) => n.ok)).toBe(true);
  });

  it("hands back a document's UpstreamError with its class and message", SLOW, async () => {
    const error = await reader()
      .parse("just words", "text/plain", "https://wire.example/x")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as Error).message).toBe(
      `parse: https://wire.example/x: neither XML, JSON nor HTML (served as text/plain; begins "just words")`,
    );
  });

  it("stops a parse past its deadline, says so, and reads the next document in a new worker", SLOW, async () => {
    const worker = reader({ deadlineMs: 100 });
    const big = bigFeed(RUNAWAY_ITEMS);
    await expect(worker.parse(big.text, big.contentType, "https://wire.example/big.xml")).rejects.toThrow(
      "parse: https://wire.example/big.xml: parsing took longer than 100 ms; stopped",
    );
    expect(await worker.parse(TINY, "", "https://wire.example/tiny.xml")).toMatchObject({ kind: "feed", items: [{ key: "tiny" }] });
  });

  it("stops a job whose heap passes the cap, says so, and goes on", SLOW, async () => {
    const worker = reader({ maxOldGenerationSizeMb: 32, deadlineMs: 80_000 });
    // Items just under the text one item may bring (MAX_ITEM_TEXT), so each is read, and costs the heap it does.
    const dense = denseHtml(0.95);
    const document = parseUpstream(dense.text, dense.contentType, "https://wire.example/dense.xml");
    const one = document.kind === "feed" ? document.items : [];
    expect(one).toHaveLength(1);
    const items = Array.from({ length: 8 }, (_, i) => ({ ...one[0]!, key: `dense-${i}` }));
    await expect(worker.normalize(items, FUZZ_SOURCE, FUZZ_SITE, NOW_MS)).rejects.toThrow(
      "normalize: 8 items from feed:fuzz: parsing needed more than 32 MB; stopped",
    );
    expect(await worker.parse(TINY, "", "https://wire.example/tiny.xml")).toMatchObject({ kind: "feed" });
  });

  it(`normalizes a document's items in chunks of ${NORMALIZE_CHUNK}, each a job of its own: the same results, in order`, SLOW, async () => {
    const worker = reader();
    const big = bigFeed();
    const document = parseUpstream(big.text, big.contentType, "https://wire.example/big.xml");
    const items = document.kind === "feed" ? document.items : [];
    expect(items.length).toBeGreaterThan(NORMALIZE_CHUNK);
    expect(await worker.normalize(items, FUZZ_SOURCE, FUZZ_SITE, NOW_MS)).toEqual(
      await inProcessReader.normalize(items, FUZZ_SOURCE, FUZZ_SITE, NOW_MS),
    );
  });

  it("names the chunk that ran away, and its place in the document", SLOW, async () => {
    const worker = reader({ maxOldGenerationSizeMb: 32, deadlineMs: 80_000 });
    const tiny = parseUpstream(TINY, "", "https://wire.example/tiny.xml");
    const dense = denseHtml(0.95);
    const heavy = parseUpstream(dense.text, dense.contentType, "https://wire.example/dense.xml");
    const light = Array.from({ length: NORMALIZE_CHUNK }, (_, i) => ({
      ...(tiny.kind === "feed" ? tiny.items[0]! : undefined)!,
      key: `t-${i}`,
    }));
    const runaway = Array.from({ length: 8 }, (_, i) => ({ ...(heavy.kind === "feed" ? heavy.items[0]! : undefined)!, key: `d-${i}` }));
    await expect(worker.normalize([...light, ...runaway], FUZZ_SOURCE, FUZZ_SITE, NOW_MS)).rejects.toThrow(
      `normalize: items ${NORMALIZE_CHUNK + 1}-${NORMALIZE_CHUNK + 8} of ${NORMALIZE_CHUNK + 8} from feed:fuzz: parsing needed more than 32 MB; stopped`,
    );
  });
});

describe("a run reading through the parse worker", () => {
  let server: Server;
  let origin: string;
  const documents: Record<string, string> = {
    "/big.xml": bigFeed(RUNAWAY_ITEMS).text,
    "/tiny.xml": TINY,
  };

  beforeAll(async () => {
    server = createServer((request, response) => {
      const body = documents[request.url ?? ""];
      response.writeHead(body ? 200 : 404, { "Content-Type": "application/rss+xml; charset=utf-8" });
      response.end(body ?? "not here");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("fails the source whose document runs away, with the reason, and reads the next source", SLOW, async () => {
    const store = openSqliteStore(":memory:");
    const site = testSite();
    site.settings.sources = [feedSource("runaway", `${origin}/big.xml`, { maxBytes: 16 << 20 }), feedSource("after", `${origin}/tiny.xml`)];
    const report = await runIngest(ingestDeps(store, site, undefined, { fetch, content: undefined, reader: reader({ deadlineMs: 100 }) }));
    expect(report.sources.map((s) => [s.source, s.status, s.new, s.error])).toEqual([
      ["runaway", "failed", 0, `parse: ${origin}/big.xml: parsing took longer than 100 ms; stopped`],
      ["after", "fetched", 1, undefined],
    ]);
    expect((await store.sourceState("runaway"))?.lastError).toBe(`parse: ${origin}/big.xml: parsing took longer than 100 ms; stopped`);
    await store.close();
  });

  it("refuses a push whose HTML runs away, storing nothing", SLOW, async () => {
    const store = openSqliteStore(":memory:");
    // About 1 MB of tiny elements (just under what one item may bring): sanitizing it takes hundreds of
    // ms here, far past a 50 ms deadline on any machine, while the small push after stays far inside it.
    const deps = { ...ingestDeps(store, testSite()), reader: reader({ deadlineMs: 50 }) };
    const html = "<p><b>x</b> y</p>".repeat(58_000);
    const pushed = await pushArticles(deps, { id: "dense", title: "Dense", content_html: html, language: "en", section: "business" });
    expect(pushed).toEqual({ ok: false, problems: ["body: normalize: 1 item from push: parsing took longer than 50 ms; stopped"] });
    expect(await store.latest({ lang: "en", limit: 10 })).toEqual([]);
    const fine = await pushArticles(deps, { id: "fine", title: "Fine", content_html: "<p>x</p>", language: "en", section: "business" });
    expect(fine.ok).toBe(true);
    await store.close();
  });
});

describe("attributes on one element", () => {
  const withAttributes = (n: number) =>
    `<rss version="2.0"><channel><title>t</title><link>https://wire.example/</link><description>d</description>` +
    `<item${Array.from({ length: n }, (_, i) => ` a${i}="${i}"`).join("")}><guid>g</guid><title>t</title><description>d</description></item></channel></rss>`;

  it(`are read up to ${MAX_ATTRIBUTES}; more are refused before parsing, 200 000 of them at once`, () => {
    expect(MAX_ATTRIBUTES).toBe(256);
    expect(parseUpstream(withAttributes(MAX_ATTRIBUTES), "", "u")).toMatchObject({ kind: "feed", items: [{ key: "g" }] });
    expect(() => parseUpstream(withAttributes(MAX_ATTRIBUTES + 1), "", "u")).toThrow(
      "parse: u: an element with more than 256 attributes (at line 1); refused",
    );
    const many = manyAttributes();
    expect(() => parseUpstream(many.text, many.contentType, "u")).toThrow(
      "parse: u: an element with more than 256 attributes (at line 2); refused",
    );
  });
});
