/**
 * The ingest run end to end: upstream documents served over real HTTP on 127.0.0.1, a real SQLite
 * store, the content folder as a source; identity, updates, schedule, failures, editions and the lease.
 */
import { cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SiteSettings, SourceSettings } from "../../src/config/site.ts";
import { readFeed } from "../../src/feeds/build.ts";
import { FORMAT_NAMES, FORMATS } from "../../src/feeds/formats.ts";
import type { IngestDeps } from "../../src/ingest/deps.ts";
import { runIngest } from "../../src/ingest/run.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { CONTENT_DIR, ingestDeps, memoryLogger, testSite } from "../helpers.ts";
import { parseXml } from "../feeds/xml-dom.ts";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let base: string;
const routes = new Map<string, Handler>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const handler = routes.get(req.url ?? "");
    if (handler) handler(req, res);
    else res.writeHead(404).end("not here");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const temps: string[] = [];
const stores: ArticleStore[] = [];
afterEach(async () => {
  routes.clear();
  for (const s of stores.splice(0)) await s.close();
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), "ingest-run-"));
  temps.push(dir);
  return dir;
}

function source(id: string, path: string, extra: Partial<SourceSettings> = {}): SourceSettings {
  return {
    id,
    kind: "feed",
    url: `${base}${path}`,
    lang: "en",
    section: "society",
    sections: { economy: "business" },
    timezone: "Asia/Seoul",
    minInterval: 300,
    maxBytes: 1024 * 1024,
    ...extra,
  };
}

/** A store and ingest dependencies with these sources, a clock the test moves, and no content folder. */
function setup(sources: SourceSettings[], path = ":memory:") {
  const site = testSite();
  const settings: SiteSettings = { ...site.settings, sources };
  const store = openSqliteStore(path);
  stores.push(store);
  const clock = { ms: Date.parse("2026-11-20T00:00:00Z") };
  const logger = memoryLogger();
  const deps: IngestDeps = {
    ...ingestDeps(store, { ...site, settings }),
    fetch: globalThis.fetch,
    now: () => clock.ms,
    logger,
    content: undefined,
  };
  return { store, deps, clock, logger, site: { ...site, settings } };
}

function rss(items: string, extraChannel = "") {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Wire</title><link>${base}/</link><description>Wire service</description><language>en</language>${extraChannel}
${items}
</channel></rss>`;
}

function item(guid: string, title: string, body = "<p>Body text.</p>", extra = "") {
  return `<item><guid isPermaLink="false">${guid}</guid><title>${title}</title><link>${base}/news/${guid}</link>
<description><![CDATA[${body}]]></description><pubDate>Thu, 19 Nov 2026 09:00:00 +0900</pubDate><dc:creator>Wire Reporter</dc:creator>${extra}</item>`;
}

/** Serves `body` with an ETag and honours If-None-Match. */
function serveFeed(path: string, body: () => string, type = "application/rss+xml; charset=utf-8") {
  const requests: IncomingMessage[] = [];
  routes.set(path, (req, res) => {
    requests.push(req);
    const etag = `"${Buffer.from(body()).toString("base64").slice(0, 16)}-${body().length}"`;
    if (req.headers["if-none-match"] === etag) return res.writeHead(304, { ETag: etag }).end();
    res.writeHead(200, { "Content-Type": type, ETag: etag }).end(body());
  });
  return requests;
}

describe("an upstream feed", () => {
  it("is read into articles with ids namespaced by source, and a second run changes nothing", async () => {
    let body = rss(item("a-1", "First story") + item("a-2", "Second story"));
    const requests = serveFeed("/wire.xml", () => body);
    const { store, deps, clock } = setup([source("wire", "/wire.xml")]);

    const first = await runIngest(deps);
    expect(first.sources[0]).toMatchObject({ source: "wire", status: "fetched", seen: 2, new: 2, rejected: [] });
    const [story] = await store.byIds(["tag:hanbit.example,2026-09-01:feed:wire/a-1"]);
    expect(story).toMatchObject({ title: "First story", lang: "en", section: "society", url: `${base}/news/a-1`, source: "feed:wire" });
    expect(story!.published.iso).toBe("2026-11-19T09:00:00+09:00");

    clock.ms += 301_000;
    const second = await runIngest(deps);
    expect(second.sources[0]).toMatchObject({ status: "not-modified", new: 0, updated: 0 });
    expect(requests[1]!.headers["if-none-match"]).toBeTruthy();

    // A copy that differs only in white space and in the items' order is not a change.
    body = rss(item("a-2", "Second   story", "<p>Body  text.</p>\n") + item("a-1", "First story"));
    clock.ms += 301_000;
    expect((await runIngest(deps)).sources[0]).toMatchObject({ status: "fetched", new: 0, updated: 0, unchanged: 2 });
  });

  it("keeps the publication time and moves the update time on a real change, and never deletes an item that left the feed", async () => {
    let body = rss(item("b-1", "Budget passes") + item("b-2", "Port opens"));
    serveFeed("/wire.xml", () => body);
    const { store, deps, clock } = setup([source("wire", "/wire.xml")]);
    await runIngest(deps);
    const before = (await store.byIds(["tag:hanbit.example,2026-09-01:feed:wire/b-1"]))[0]!;

    body = rss(item("b-1", "Budget passes after late-night vote"));
    clock.ms += 3_600_000;
    expect((await runIngest(deps)).sources[0]).toMatchObject({ new: 0, updated: 1 });
    const after = (await store.byIds([before.id]))[0]!;
    expect(after.title).toBe("Budget passes after late-night vote");
    expect(after.published).toEqual(before.published);
    expect(after.updated.ms).toBe(clock.ms);
    expect(after.slug).toBe(before.slug);
    expect(await store.byIds(["tag:hanbit.example,2026-09-01:feed:wire/b-2"])).toHaveLength(1);
  });

  it("waits out its minimum interval unless forced", async () => {
    const requests = serveFeed("/wire.xml", () => rss(item("c-1", "One")));
    const { deps, clock } = setup([source("wire", "/wire.xml")]);
    await runIngest(deps);
    clock.ms += 60_000;
    expect((await runIngest(deps)).sources[0]!.status).toBe("not-due");
    expect(requests).toHaveLength(1);
    expect((await runIngest(deps, { force: true })).sources[0]!.status).toBe("not-modified");
  });

  it("honours 429 with Retry-After, and a failing source stops no other", async () => {
    routes.set("/busy.xml", (_req, res) => res.writeHead(429, { "Retry-After": "3600" }).end());
    routes.set("/broken.xml", (_req, res) => res.writeHead(500).end("oops"));
    serveFeed("/good.xml", () => rss(item("d-1", "Still here")));
    const { deps, clock, logger } = setup([source("busy", "/busy.xml"), source("broken", "/broken.xml"), source("good", "/good.xml")]);

    const report = await runIngest(deps);
    expect(report.sources.map((s) => [s.source, s.status])).toEqual([
      ["busy", "throttled"],
      ["broken", "failed"],
      ["good", "fetched"],
    ]);
    expect(report.sources[1]!.error).toContain("500");
    expect(logger.errors.some((line) => line.startsWith('ingest: source "broken"'))).toBe(true);
    expect(report.sources[2]!.new).toBe(1);

    clock.ms += 600_000;
    const later = await runIngest(deps);
    expect(later.sources[0]!.status).toBe("not-due");
  });

  it("rejects items it cannot use, saying why, and keeps the rest", async () => {
    serveFeed("/wire.xml", () =>
      rss(
        item("e-1", "Fine") +
          item("e-2", "") +
          `<item><title>No id at all</title><description>x</description></item>` +
          item("e-3", "French", "<p>x</p>", "<dc:language>fr</dc:language>"),
      ),
    );
    const { deps } = setup([source("wire", "/wire.xml")]);
    const [report] = (await runIngest(deps)).sources;
    // The untitled item is kept, titled from its text (see "items as real feeds publish them").
    expect(report!.new).toBe(2);
    expect(report!.notes.join("\n")).toContain("has neither a guid nor a link");
    const reasons = report!.rejected.map((r) => r.reason).join("\n");
    expect(reasons).toContain('language "fr" is not one of the site\'s');
  });

  it("clamps a date in the future to the moment it was seen, and says so", async () => {
    serveFeed("/wire.xml", () => rss(item("f-1", "From the future").replace("Thu, 19 Nov 2026", "Sat, 19 Dec 2026")));
    const { store, deps, clock } = setup([source("wire", "/wire.xml")]);
    const [report] = (await runIngest(deps)).sources;
    expect(report!.notes.join("\n")).toContain("in the future");
    expect((await store.byIds(["tag:hanbit.example,2026-09-01:feed:wire/f-1"]))[0]!.published.ms).toBe(clock.ms);
  });
});

describe("hostile and legacy documents", () => {
  const FIXTURES = join(import.meta.dirname, "..", "fixtures", "upstream");

  it("refuses a hostile document with a clear message while the other sources go on", async () => {
    routes.set("/laughs.xml", (_req, res) =>
      res.writeHead(200, { "Content-Type": "application/xml" }).end(readFileSync(join(FIXTURES, "hostile", "billion-laughs.xml"))),
    );
    routes.set("/page.xml", (_req, res) =>
      res.writeHead(200, { "Content-Type": "text/html" }).end("<!doctype html><html><body>Please enable JavaScript</body></html>"),
    );
    routes.set("/huge.xml", (_req, res) => res.writeHead(200, { "Content-Type": "application/xml" }).end("x".repeat(3 * 1024 * 1024)));
    serveFeed("/good.xml", () => rss(item("l-1", "Fine")));
    const { deps } = setup([
      source("laughs", "/laughs.xml"),
      source("html", "/page.xml"),
      source("huge", "/huge.xml", { maxBytes: 1024 * 1024 }),
      source("good", "/good.xml"),
    ]);
    const report = await runIngest(deps);
    expect(report.sources.map((s) => s.status)).toEqual(["failed", "failed", "failed", "fetched"]);
    expect(report.sources[0]!.error).toContain("declares entities");
    expect(report.sources[1]!.error).toContain("no JSON-LD article");
    expect(report.sources[2]!.error).toContain("limit");
    expect(report.sources[3]!.new).toBe(1);
  });

  it("reads a feed served in EUC-KR, declared only in its XML declaration", async () => {
    const title = Buffer.from("c7d1b1b9beee20b1e2bbe7", "hex"); // "한국어 기사" in EUC-KR
    const body = Buffer.concat([
      Buffer.from(
        `<?xml version="1.0" encoding="EUC-KR"?><rss version="2.0"><channel><title>w</title><link>${base}/</link><description>d</description><language>ko</language><item><guid>m-1</guid><title>`,
      ),
      title,
      Buffer.from(
        `</title><link>${base}/m-1</link><description>x</description><pubDate>Thu, 19 Nov 2026 09:00:00 +0900</pubDate></item></channel></rss>`,
      ),
    ]);
    routes.set("/euc-kr.xml", (_req, res) => res.writeHead(200, { "Content-Type": "application/rss+xml" }).end(body));
    const { store, deps } = setup([source("wire-ko", "/euc-kr.xml", { lang: "ko" })]);
    await runIngest(deps);
    expect((await store.latest({ lang: "ko", limit: 5 })).map((a) => a.title)).toEqual(["한국어 기사"]);
  });
});

describe("a sitemap index of article pages", () => {
  const page = (lang: string, other: string, headline: string) => `<!doctype html><html lang="${lang}"><head>
<link rel="canonical" href="${base}/${lang}/story">
<link rel="alternate" hreflang="${lang}" href="${base}/${lang}/story">
<link rel="alternate" hreflang="${other}" href="${base}/${other}/story">
<script type="application/ld+json">${JSON.stringify({
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    headline,
    datePublished: "2026-11-19T08:17:00+09:00",
    dateModified: "2026-11-19T10:00:00+09:00",
    author: { "@type": "Person", name: "Reporter" },
    inLanguage: lang,
    articleBody: "First paragraph.\n\nSecond paragraph.",
    url: `${base}/${lang}/story`,
  })}</script></head><body><h1>${headline}</h1></body></html>`;

  it("reads each listed page's JSON-LD and links the editions by their hreflang links", async () => {
    // An index whose one child lists the pages, and a child on another host that is never fetched.
    routes.set("/sitemap.xml", (_req, res) =>
      res.writeHead(200, { "Content-Type": "application/xml" }).end(`<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>${base}/sitemap-1.xml</loc></sitemap><sitemap><loc>http://10.0.0.1/sitemap-2.xml</loc></sitemap></sitemapindex>`),
    );
    routes.set("/sitemap-1.xml", (_req, res) =>
      res.writeHead(200, { "Content-Type": "application/xml" }).end(`<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>${base}/ko/story</loc><lastmod>2026-11-19</lastmod></url><url><loc>${base}/en/story</loc></url><url><loc>http://169.254.169.254/latest/meta-data/</loc></url></urlset>`),
    );
    routes.set("/ko/story", (_req, res) =>
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(page("ko", "en", "정상회담 열려")),
    );
    routes.set("/en/story", (_req, res) =>
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(page("en", "ko", "Summit held")),
    );
    // The pages are on this loopback server, which only a source allowed private addresses may read.
    const { store, deps } = setup([source("pages", "/sitemap.xml", { kind: "sitemap", allowPrivate: true })]);
    const report = await runIngest(deps);
    expect(report.sources[0]).toMatchObject({ status: "fetched", new: 2 });
    expect(report.sources[0]!.rejected.map((r) => r.key)).toEqual([
      "http://10.0.0.1/sitemap-2.xml",
      "http://169.254.169.254/latest/meta-data/",
    ]);
    expect(report.sources[0]!.rejected.every((r) => r.reason.includes("is not on the sitemap's host"))).toBe(true);
    const [ko] = await store.latest({ lang: "ko", limit: 1 });
    expect(ko).toMatchObject({ title: "정상회담 열려", url: `${base}/ko/story` });
    expect(ko!.published.iso).toBe("2026-11-19T08:17:00+09:00");
    expect((await store.editions([ko!.story])).map((e) => e.title).sort()).toEqual(["Summit held", "정상회담 열려"]);
    // Pages already stored and not changed since are not fetched again.
    const again = await runIngest(deps, { force: true });
    expect(again.sources[0]).toMatchObject({ new: 0, updated: 0, seen: 0 });
  });
});

describe("editions of one story", () => {
  const ko = () =>
    rss(item("k-1", "예산안 통과", "<p>본문</p>", `<atom:link rel="alternate" hreflang="en" href="${base}/news/e-1"/>`), "").replace(
      "<language>en</language>",
      "<language>ko</language>",
    );
  const en = () => rss(item("e-1", "Budget passes"));

  for (const order of [
    ["ko", "en"],
    ["en", "ko"],
  ]) {
    it(`are joined into one story when the ${order[0]} edition arrives first`, async () => {
      serveFeed("/ko.xml", ko);
      serveFeed("/en.xml", en);
      const sources = { ko: source("wire-ko", "/ko.xml", { lang: "ko" }), en: source("wire-en", "/en.xml") };
      const { store, deps } = setup([sources[order[0] as "ko"], sources[order[1] as "en"]]);
      const report = await runIngest(deps);
      expect(report.joined).toBe(1);
      const [koArticle] = await store.byIds(["tag:hanbit.example,2026-09-01:feed:wire-ko/k-1"]);
      const editions = await store.editions([koArticle!.story]);
      expect(editions.map((e) => e.lang).sort()).toEqual(["en", "ko"]);
    });
  }
});

describe("the content folder as a source", () => {
  it("turns new, changed and deleted files into new, updated and withdrawn articles", async () => {
    const dir = tempDir();
    cpSync(CONTENT_DIR, dir, { recursive: true });
    const site = testSite();
    const store = openSqliteStore(":memory:");
    stores.push(store);
    const deps = ingestDeps(store, site, dir);
    // The sample's one file marked withdrawn takes its article down at the first run, and only then.
    expect((await runIngest(deps)).sources[0]).toMatchObject({ new: 56, withdrawn: 1, scheduled: 1 });

    const changed = join(dir, "en/culture/webtoon-studio-expansion.md");
    writeFileSync(changed, readFileSync(changed, "utf8").replace("to triple its staff", "to triple its workforce"));
    unlinkSync(join(dir, "ko/society/jeonse-sagi-jingyeok-12nyeon.md"));
    const broken = join(dir, "en/opinion/column-kimchi-prices.md");
    writeFileSync(broken, "no front matter any more");

    const [report] = (await runIngest(deps)).sources;
    expect(report).toMatchObject({ new: 0, updated: 1, withdrawn: 1 });
    expect(report!.rejected.map((r) => r.key)).toEqual(["en/opinion/column-kimchi-prices.md"]);
    expect(await store.bySlug("ko", "jeonse-sagi-jingyeok-12nyeon")).toBeNull();
    // A file that no longer parses keeps its article rather than taking a published story down.
    expect(await store.bySlug("en", "column-kimchi-prices")).not.toBeNull();
  });
});

describe("the lease", () => {
  it("lets only one of two overlapping runs on one database ingest", async () => {
    const dir = tempDir();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const fetching = new Promise<void>((resolve) => (reached = resolve));
    routes.set("/slow.xml", (_req, res) => {
      reached();
      void gate.then(() => res.writeHead(200, { "Content-Type": "application/rss+xml" }).end(rss(item("g-1", "Slow"))));
    });
    const path = join(dir, "db.sqlite");
    const one = setup([source("slow", "/slow.xml")], path);
    const two = setup([source("slow", "/slow.xml")], path);
    const first = runIngest(one.deps);
    // The first run holds the lease by the time it fetches.
    await fetching;
    const second = await runIngest(two.deps);
    release();
    expect(second.skipped).toBe("another ingest run holds the lease");
    expect((await first).sources[0]).toMatchObject({ status: "fetched", new: 1 });
    expect(await one.store.recentRuns(10)).toHaveLength(2);
  });
});

describe("after an ingest", () => {
  it("serves feeds that still parse strictly, with the upstream articles in them", async () => {
    serveFeed("/wire.xml", () =>
      rss(item("h-1", "R&amp;D &lt; 1% &amp; more", '<p>Hello <script>alert(1)</script><a href="/rel">link</a></p>')),
    );
    const { store, deps, site } = setup([source("wire", "/wire.xml")]);
    await runIngest(deps);
    const language = site.settings.languages.find((l) => l.tag === "en")!;
    const model = await readFeed(store, site, { language });
    expect(model.items.map((i) => i.title)).toEqual(["R&D < 1% & more"]);
    expect(model.items[0]!.contentHtml).not.toContain("<script");
    expect(model.items[0]!.contentHtml).toContain(`href="${base}/rel"`);
    for (const format of FORMAT_NAMES) {
      const text = FORMATS[format].render(model);
      if (format === "json") expect(JSON.parse(text).items).toHaveLength(1);
      else parseXml(text);
    }
  });
});

describe("titles", () => {
  it("read inline markup as HTML but keep angle brackets that are words", async () => {
    serveFeed("/wire.xml", () => rss(item("t-1", "Partner &amp; &lt;story&gt;") + item("t-2", "&lt;b&gt;Bold&lt;/b&gt; move")));
    const { store, deps } = setup([source("wire", "/wire.xml")]);
    await runIngest(deps);
    const titles = (await store.latest({ lang: "en", limit: 5 })).map((a) => a.title).sort();
    expect(titles).toEqual(["Bold move", "Partner & <story>"]);
  });
});

describe("a write budget", () => {
  it("spreads the content folder over several runs and then writes nothing", async () => {
    const store = openSqliteStore(":memory:");
    stores.push(store);
    const deps = { ...ingestDeps(store, testSite()), writeBudget: 20 };
    const runs = [];
    for (let i = 0; i < 4; i++) runs.push((await runIngest(deps)).sources[0]!);
    // The files marked withdrawn or dated later are written at the first run, outside the budget, then unchanged.
    expect(runs.map((r) => [r.new, r.unchanged])).toEqual([
      [20, 0],
      [20, 22],
      [16, 42],
      [0, 58],
    ]);
    expect(runs[0]!.notes).toEqual(["36 articles left for the next run (write budget)"]);
  });

  it("asks an upstream cut short for the whole document again at the next run, validators unused", async () => {
    const requests = serveFeed("/wire.xml", () => rss(item("w-1", "One") + item("w-2", "Two") + item("w-3", "Three")));
    const { deps, store } = setup([source("wire", "/wire.xml")]);
    const budgeted = { ...deps, writeBudget: 2 };
    expect((await runIngest(budgeted)).sources[0]).toMatchObject({ status: "fetched", new: 2 });
    expect((await runIngest(budgeted)).sources[0]).toMatchObject({ status: "fetched", new: 1, unchanged: 2 });
    expect(requests[1]!.headers["if-none-match"]).toBeUndefined();
    expect((await store.latest({ lang: "en", limit: 10 })).length).toBe(3);
  });
});

describe("WebSub announcements", () => {
  it("tell the hub about exactly the feeds a run changed (the byline's and the corrections feed too), and nothing when nothing changed", async () => {
    const received: string[] = [];
    routes.set("/hub", (req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        const form = new URLSearchParams(body);
        if (form.get("hub.mode") === "publish") received.push(form.get("hub.url")!);
        res.writeHead(204).end();
      });
    });
    serveFeed("/wire.xml", () => rss(item("ws-1", "Announced")));
    const { deps } = setup([source("wire", "/wire.xml", { section: "society" })]);
    const withHub = { ...deps, site: { ...deps.site, hubs: [`${base}/hub`] } };

    const first = await runIngest(withHub);
    const topics = (...dirs: string[]) =>
      dirs.flatMap((dir) => ["rss.xml", "atom.xml", "feed.json"].map((f) => `https://news.example/${dir}${f}`));
    const expected = topics("en/", "en/society/", "en/corrections/", "en/authors/wire-reporter/");
    expect(first.websub).toEqual({ topics: expected, failed: [] });
    expect(received.sort()).toEqual([...expected].sort());

    received.length = 0;
    const second = await runIngest(withHub, { force: true });
    expect(second.websub).toEqual({ topics: [], failed: [] });
    expect(received).toEqual([]);

    // An edit that adds a tag: the tag's new feed and the byline's, beside the language's and section's.
    serveFeed("/wire.xml", () => rss(item("ws-1", "Announced again", "<p>Body text.</p>", "<category>Tidal power</category>")));
    const third = await runIngest(withHub, { force: true });
    expect(third.websub!.topics.sort()).toEqual(
      topics("en/", "en/society/", "en/corrections/", "en/authors/wire-reporter/", "en/tags/tidal-power/").sort(),
    );
  });
});
