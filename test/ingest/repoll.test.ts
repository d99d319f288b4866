/**
 * The re-poll path of an upstream feed (src/ingest/sources/upstream.ts): a forced re-poll that gets back the very
 * document this process last ingested whole is not parsed or normalized again, and reports what the
 * full comparison would; anything else (a changed document, other settings, a store this process has
 * not ingested through) is read whole. A run that wrote nothing skips the pass that joins editions.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SiteSettings, SourceSettings } from "../../src/config/site.ts";
import { createIngestState, type IngestDeps } from "../../src/ingest/deps.ts";
import { runIngest } from "../../src/ingest/run.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { memoryLogger, testSite } from "../helpers.ts";

const SAME = "the same document as the last run here: not read again";
let server: Server;
let base: string;
let body = "";

beforeAll(async () => {
  // No validators: every poll is a whole 200, as from an upstream that sends neither ETag nor Last-Modified.
  server = createServer((_req, res) => res.writeHead(200, { "Content-Type": "application/rss+xml; charset=utf-8" }).end(body));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const stores: ArticleStore[] = [];
const temps: string[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

function rss(items: string) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Wire</title><link>${base}/</link><description>Wire</description><language>en</language>
${items}
</channel></rss>`;
}

function item(guid: string, title: string, edition = "") {
  return `<item><guid isPermaLink="false">${guid}</guid><title>${title}</title><link>${base}/news/${guid}</link>
<description>&lt;p&gt;Body of ${guid}.&lt;/p&gt;</description><pubDate>Thu, 19 Nov 2026 09:00:00 +0900</pubDate>${edition}</item>`;
}

function source(extra: Partial<SourceSettings> = {}): SourceSettings {
  return {
    id: "wire",
    kind: "feed",
    url: `${base}/wire.xml`,
    lang: "en",
    section: "society",
    sections: {},
    timezone: "Asia/Seoul",
    minInterval: 0,
    maxBytes: 1 << 20,
    ...extra,
  };
}

/** Ingest dependencies over `store` with one source, counting the link passes. */
function depsFor(store: ArticleStore, wire = source()) {
  const site = testSite();
  const settings: SiteSettings = { ...site.settings, sources: [wire] };
  const counted = { linkPasses: 0 };
  const spied = new Proxy(store, {
    get(target, name) {
      const value = Reflect.get(target, name) as unknown;
      if (name === "linkEditions") counted.linkPasses++;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const deps: IngestDeps = {
    store: spied,
    site: { ...site, settings },
    fetch: globalThis.fetch,
    now: () => Date.parse("2026-11-20T00:00:00Z"),
    logger: memoryLogger(),
    state: createIngestState(),
  };
  return { deps, counted };
}

function openStore(path = ":memory:") {
  const store = openSqliteStore(path);
  stores.push(store);
  return store;
}

const poll = async (deps: IngestDeps) => (await runIngest(deps, { force: true })).sources[0]!;

describe("a forced re-poll", () => {
  it("of the very same document reads nothing again and reports what the comparison would", async () => {
    // An item in a language the site does not serve is refused (an untitled one is kept, titled from its text).
    body = rss(item("a-1", "First") + item("a-2", "Second") + item("a-3", "Troisième", "<dc:language>fr</dc:language>"));
    const { deps } = depsFor(openStore());
    const first = await poll(deps);
    expect(first).toMatchObject({ status: "fetched", seen: 3, new: 2, unchanged: 0 });
    expect(first.rejected).toHaveLength(1);

    const again = await poll(deps);
    expect(again).toMatchObject({ status: "fetched", seen: 3, new: 0, updated: 0, unchanged: 2, rejected: first.rejected });
    expect(again.notes).toContain(SAME);
  });

  it("of a changed document reads it whole and writes the change", async () => {
    body = rss(item("b-1", "First") + item("b-2", "Second"));
    const { deps } = depsFor(openStore());
    await poll(deps);
    body = rss(item("b-1", "First, corrected") + item("b-2", "Second"));
    const changed = await poll(deps);
    expect(changed).toMatchObject({ status: "fetched", new: 0, updated: 1, unchanged: 1 });
    expect(changed.notes).not.toContain(SAME);
    expect((await poll(deps)).notes).toContain(SAME);
  });

  it("under other source settings, or through a store this process has not ingested through, reads it whole", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ingest-repoll-"));
    temps.push(dir);
    body = rss(item("c-1", "First") + item("c-2", "Second"));
    const path = join(dir, "articles.db");
    await poll(depsFor(openStore(path)).deps);

    const otherSettings = await poll(depsFor(openStore(path), source({ section: "business" })).deps);
    expect(otherSettings.notes).not.toContain(SAME);
    const newProcess = await poll(depsFor(openStore(path)).deps);
    expect(newProcess).toMatchObject({ status: "fetched", new: 0, updated: 0, unchanged: 2 });
    expect(newProcess.notes).not.toContain(SAME);
  });
});

describe("the pass that joins editions", () => {
  it("runs after a run that wrote, and is skipped after one that changed nothing", async () => {
    body = rss(item("d-1", "English edition", `<atom:link rel="alternate" hreflang="ko" href="${base}/news/d-2"/>`));
    const { deps, counted } = depsFor(openStore());
    expect((await poll(deps)).new).toBe(1);
    expect(counted.linkPasses).toBe(1);
    expect((await poll(deps)).unchanged).toBe(1);
    expect(counted.linkPasses).toBe(1);
    body = rss(item("d-1", "English edition, corrected", `<atom:link rel="alternate" hreflang="ko" href="${base}/news/d-2"/>`));
    expect((await poll(deps)).updated).toBe(1);
    expect(counted.linkPasses).toBe(2);
  });
});
