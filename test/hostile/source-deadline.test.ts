/**
 * A slow upstream against the run: sitemap pages and a feed that trickle a byte at a time, under the
 * per-request limit, served over real HTTP on 127.0.0.1. Each source stops at its deadline (a small one
 * injected here; 60 s by default), keeps what it read, and the next source still runs; the lease is
 * renewed while a source works, so a run with a short lease keeps it and a second run is skipped; and
 * a run whose lease is taken meanwhile stops its source at once. (Before, 50 trickling pages held a run
 * for 50 times the request limit, and the lease was renewed only between sources.)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { IngestDeps } from "../../src/ingest/deps.ts";
import { LEASE } from "../../src/ingest/lease.ts";
import { runIngest } from "../../src/ingest/run.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { feedSource, ingestDeps, testSite } from "../helpers.ts";
import { everyArticle } from "./support.ts";

const PAGES = 50;
const FAST_PAGES = 2;

let server: Server;
let origin: string;
const trickling = new Set<ServerResponse>();
/** Called with the path of each request as it arrives. */
let onRequest: (path: string) => void = () => {};

const feed = (guid: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link>` +
  `<description>d</description><item><guid isPermaLink="false">${guid}</guid><title>Story ${guid}</title>` +
  `<link>https://wire.example/${guid}</link><description>Body</description><pubDate>Thu, 19 Nov 2026 09:00:00 +0900</pubDate></item></channel></rss>`;

const page = (n: number) =>
  `<!doctype html><html lang="en"><head><script type="application/ld+json">${JSON.stringify({
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    headline: `Page ${n}`,
    datePublished: "2026-11-19T08:17:00+09:00",
    inLanguage: "en",
    articleBody: "Text.",
    url: `${origin}/page/${n}`,
  })}</script></head><body></body></html>`;

/** Headers at once, then one space every 100 ms, never ending: each request stays under any per-request limit's notice until it runs out. */
function trickle(response: ServerResponse, type: string) {
  response.writeHead(200, { "Content-Type": type });
  response.write(type.includes("html") ? "<!doctype html>" : "<rss>");
  const timer = setInterval(() => response.write(" "), 100);
  trickling.add(response);
  response.on("close", () => {
    clearInterval(timer);
    trickling.delete(response);
  });
}

function handle(request: IncomingMessage, response: ServerResponse) {
  const path = request.url ?? "/";
  onRequest(path);
  if (path === "/sitemap.xml") {
    const urls = Array.from({ length: PAGES }, (_, i) => `<url><loc>${origin}/page/${i + 1}</loc></url>`).join("");
    return response
      .writeHead(200, { "Content-Type": "application/xml" })
      .end(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${urls}</urlset>`);
  }
  const pageNumber = /^\/page\/(\d+)$/.exec(path);
  if (pageNumber) {
    const n = Number(pageNumber[1]);
    if (n <= FAST_PAGES) return response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(page(n));
    return trickle(response, "text/html; charset=utf-8");
  }
  if (path === "/slow-feed.xml") return trickle(response, "application/rss+xml");
  if (path === "/feed.xml") return response.writeHead(200, { "Content-Type": "application/rss+xml" }).end(feed("next-1"));
  response.writeHead(404).end();
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  onRequest = () => {};
});

afterAll(async () => {
  for (const response of trickling) response.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A store, the site with `sources`, and the ingest's dependencies on the real clock (leases expire in real time). */
function setup(sources: ReturnType<typeof feedSource>[], extra: Partial<IngestDeps> = {}) {
  const store = openSqliteStore(":memory:");
  const site = testSite();
  site.settings.sources = sources;
  const deps = ingestDeps(store, site, undefined, { fetch, content: undefined, now: Date.now, ...extra });
  return { store, site, deps };
}

/** The real store, telling `onRenew` after each time a lease is taken or renewed through it. */
function watchRenewals(store: ArticleStore, onRenew: () => void): ArticleStore {
  return new Proxy(store, {
    get(target, key) {
      if (key === "acquireLease") {
        return async (...args: Parameters<ArticleStore["acquireLease"]>) => {
          const held = await target.acquireLease(...args);
          onRenew();
          return held;
        };
      }
      const value: unknown = Reflect.get(target, key);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const sitemapSource = () => feedSource("slow-pages", `${origin}/sitemap.xml`, { kind: "sitemap", allowPrivate: true });
const slowFeed = (extra = {}) => feedSource("slow-feed", `${origin}/slow-feed.xml`, extra);
const nextFeed = () => feedSource("next", `${origin}/feed.xml`);

describe("a source's deadline", () => {
  it("stops 50 trickling pages and a trickling feed at their deadlines, keeps the pages read, and runs the next source", async () => {
    // The sitemap takes the run's deadline (1.5 s), the feed its own from site.yaml (1 s).
    const { store, site, deps } = setup([sitemapSource(), slowFeed({ deadline: 1 }), nextFeed()], { sourceDeadlineMs: 1500 });
    const report = await runIngest(deps);

    expect(report.error).toBeUndefined();
    expect(report.sources.map((s) => [s.source, s.status])).toEqual([
      ["slow-pages", "failed"],
      ["slow-feed", "failed"],
      ["next", "fetched"],
    ]);
    const [pages, slow, next] = report.sources;
    expect(pages).toMatchObject({
      new: FAST_PAGES,
      error: `the source's deadline (1.5 s) passed after ${FAST_PAGES} of ${PAGES} pages; those are kept, the rest are read next run`,
      rejected: [],
    });
    expect(slow!.error).toBe(`fetch: ${origin}/slow-feed.xml: stopped: the source's deadline (1 s) passed`);
    expect(next).toMatchObject({ new: 1 });
    expect((await everyArticle(store, site)).map((a) => a.title).sort()).toEqual(["Page 1", "Page 2", "Story next-1"]);
    // Not frozen: 48 pages at the 20 s request limit would have taken 16 minutes.
    expect(report.finishedMs - report.startedMs).toBeLessThan(20_000);
  });

  it("does not back the sitemap off: the next run goes on with the pages left", async () => {
    const { store, deps } = setup([sitemapSource()], { sourceDeadlineMs: 1000 });
    await runIngest(deps);
    expect(await store.sourceState("slow-pages")).toMatchObject({ failures: 0, lastError: null });
    const again = await runIngest(deps);
    expect(again.sources[0]!.error).toBe(
      `the source's deadline (1 s) passed after 0 of ${PAGES - FAST_PAGES} pages; those are kept, the rest are read next run`,
    );
  });
});

describe("the lease while a source works", () => {
  it("is renewed every third of its life, so a second run started after it would have expired is skipped", async () => {
    const ttl = 600;
    const { store, deps } = setup([slowFeed()], { sourceDeadlineMs: 4000, leaseTtlMs: ttl });
    let renewals = 0;
    let renewedPastTtl!: () => void;
    const pastTtl = new Promise<void>((resolve) => (renewedPastTtl = resolve));
    let slowAsked!: () => void;
    const asked = new Promise<void>((resolve) => (slowAsked = resolve));
    onRequest = (path) => path === "/slow-feed.xml" && slowAsked();

    const first = runIngest({ ...deps, store: watchRenewals(store, () => ++renewals >= 6 && renewedPastTtl()) });
    await asked;
    // Taken, renewed before the source, then 4 timer renewals: 4/3 of the lease's life has passed
    // since the last renewal before the source. Without renewals, wait for the run to end instead.
    const firstDone = first.then(() => "done" as const);
    expect(await Promise.race([pastTtl.then(() => "renewed" as const), firstDone])).toBe("renewed");
    const second = await runIngest({ ...deps, logger: deps.logger });
    expect(second.skipped).toBe("another ingest run holds the lease");
    expect(await store.leaseHolder(LEASE)).not.toBeNull();

    const report = await first;
    expect(report.error).toBeUndefined();
    expect(report.sources[0]).toMatchObject({
      status: "failed",
      error: `fetch: ${origin}/slow-feed.xml: stopped: the source's deadline (4 s) passed`,
    });
    expect(await store.leaseHolder(LEASE)).toBeNull();
  });

  it("stops the source at once and the run when a renewal finds another run has taken it", async () => {
    const ttl = 600;
    const { store, deps } = setup([slowFeed(), nextFeed()], { sourceDeadlineMs: 25_000, leaseTtlMs: ttl });
    let slowAsked!: () => void;
    const asked = new Promise<void>((resolve) => (slowAsked = resolve));
    onRequest = (path) => path === "/slow-feed.xml" && slowAsked();

    const run = runIngest(deps);
    await asked;
    // Another run takes the lease as if this one's had expired (a clock far ahead).
    expect(await store.acquireLease(LEASE, "another-run", Date.now() + 100 * ttl, ttl)).toBe(true);
    const report = await run;

    expect(report.error).toBe(
      `ingest: the run stopped: another run took the lease (this run's had expired) while source "slow-feed" worked; 1 sources left for the next run`,
    );
    expect(report.sources.map((s) => s.source)).toEqual(["slow-feed"]);
    expect(report.sources[0]!.error).toBe(`fetch: ${origin}/slow-feed.xml: stopped: another run took the lease (this run's had expired)`);
    expect(await store.leaseHolder(LEASE)).toBe("another-run");
  });
});
