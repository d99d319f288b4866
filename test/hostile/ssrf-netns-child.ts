/**
 * Run by ssrf-netns.test.ts inside a network namespace that has loopback alone, with an /etc/hosts of
 * its own mapping inside.test (and wire.test) to 127.0.0.1 and ::1. Serves the upstreams on port 8080,
 * runs one ingest the way `npm run ingest` does (nodeSetup over a site.yaml, the real resolver), then
 * prints what happened as one JSON line: the report, the requests the upstream received, the stored
 * titles, and a rebinding resolver's attempt.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runIngest } from "../../src/ingest/run.ts";
import { checkedFetch, type Resolver } from "../../src/runtime/node-fetch.ts";
import { nodeSetup } from "../../src/runtime/node-setup.ts";
import { CONTENT_DIR } from "../helpers.ts";

export const PORT = 8080;
const INSIDE = `http://inside.test:${PORT}`;

const secretFeed = (guid: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Inside</title><link>${INSIDE}/</link>` +
  `<description>internal</description><item><guid isPermaLink="false">${guid}</guid><title>Internal ${guid}</title>` +
  `<link>${INSIDE}/${guid}</link><description>secret</description><pubDate>Thu, 19 Nov 2026 09:00:00 +0900</pubDate></item></channel></rss>`;

const sitemap = (page: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>${INSIDE}${page}</loc></url></urlset>`;

const articlePage = (page: string) =>
  `<!doctype html><html lang="en"><head><link rel="canonical" href="${INSIDE}${page}"><script type="application/ld+json">${JSON.stringify({
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    headline: `Intranet ${page}`,
    datePublished: "2026-11-19T08:17:00+09:00",
    inLanguage: "en",
    articleBody: "Only for the people inside.",
    url: `${INSIDE}${page}`,
  })}</script></head><body></body></html>`;

const ROUTES: Record<string, [string, string] | string> = {
  "/feed": `${INSIDE}/secret-a`,
  "/open-feed": `${INSIDE}/secret-b`,
  "/secret-a": ["application/rss+xml", secretFeed("secret-a")],
  "/secret-b": ["application/rss+xml", secretFeed("secret-b")],
  "/sitemap-a.xml": ["application/xml", sitemap("/page-a")],
  "/sitemap-b.xml": ["application/xml", sitemap("/page-b")],
  "/page-a": ["text/html; charset=utf-8", articlePage("/page-a")],
  "/page-b": ["text/html; charset=utf-8", articlePage("/page-b")],
};

const SOURCES = `sources:
  - { id: wire, kind: feed, url: "http://127.0.0.1:${PORT}/feed", lang: en, section: society, min_interval: 0 }
  - { id: pages, kind: sitemap, url: "${INSIDE}/sitemap-a.xml", lang: en, section: society, min_interval: 0 }
  - { id: wire-open, kind: feed, url: "http://127.0.0.1:${PORT}/open-feed", lang: en, section: society, min_interval: 0, allow_private: true }
  - { id: pages-open, kind: sitemap, url: "${INSIDE}/sitemap-b.xml", lang: en, section: society, min_interval: 0, allow_private: true }`;

async function main() {
  const hits: string[] = [];
  const server = createServer((request, response) => {
    const path = request.url ?? "/";
    hits.push(path);
    const route = ROUTES[path];
    if (typeof route === "string") return response.writeHead(302, { Location: route }).end();
    if (route) return response.writeHead(200, { "Content-Type": route[0] }).end(route[1]);
    response.writeHead(404).end();
  });
  // Both address families: the names map to ::1 and 127.0.0.1.
  await new Promise<void>((resolve) => server.listen({ port: PORT, host: "::", ipv6Only: false }, resolve));

  const dir = mkdtempSync(join(tmpdir(), "ssrf-netns-"));
  try {
    const siteYaml = readFileSync(join(CONTENT_DIR, "site.yaml"), "utf8");
    if (!/^sources: \[\]$/m.test(siteYaml)) throw new Error("ssrf-netns: content/site.yaml has no `sources: []` line to replace");
    writeFileSync(join(dir, "site.yaml"), siteYaml.replace(/^sources: \[\]$/m, SOURCES));
    const logger = { info: () => undefined, error: () => undefined };
    const { ingestDeps, store } = nodeSetup({ CONTENT_DIR: dir, DATABASE_PATH: join(dir, "articles.db") }, logger);
    const report = await runIngest(ingestDeps);
    const titles = (await store.latest({ lang: "en", limit: 100 })).map((a) => `${a.source}: ${a.title}`).sort();
    await store.close();
    const ingestHits = [...hits];

    // A resolver that answers a public address first and loopback after: the connection must go to
    // the address that was checked, with no second lookup to rebind.
    const lookups: string[] = [];
    const rebinding: Resolver = (hostname, _options, callback) => {
      lookups.push(hostname);
      callback(null, [{ address: lookups.length === 1 ? "8.8.8.8" : "127.0.0.1", family: 4 }]);
    };
    const before = hits.length;
    const rebind = await checkedFetch(rebinding)(`http://rebind.test:${PORT}/secret-a`).then(
      (response) => ({ status: response.status, error: null }),
      (error: Error) => ({ status: null, error: `${error.message} (${String((error.cause as Error | undefined)?.message)})` }),
    );
    const rebindResult = { ...rebind, lookups, hits: hits.slice(before) };

    console.log(JSON.stringify({ report, hits: ingestHits, titles, rebind: rebindResult }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    server.closeAllConnections();
    server.close();
  }
}

main().catch((error: unknown) => {
  console.error(`ssrf-netns: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
