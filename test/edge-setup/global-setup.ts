/**
 * Runs in Node before the edge tests: an upstream feed on 127.0.0.1 for the scheduled ingest and an
 * IndexNow endpoint that records what it is sent, the content bundle with that upstream as a source,
 * and every feed as Node renders it from the same content and SITE_URL, which the Worker must match
 * byte for byte.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parse as parseYaml } from "yaml";
import type { TestProject } from "vitest/node";
import { buildEdge } from "../../src/cli/build-edge.ts";
import { parseSiteSettings } from "../../src/config/site.ts";
import { FORMAT_NAMES, FORMATS } from "../../src/feeds/formats.ts";
import { CORRECTIONS_SEGMENT, feedDirectory, termDirectory } from "../../src/feeds/links.ts";
import { isTermKey, namesOf, termKey } from "../../src/model/terms.ts";
import { createApp } from "../../src/http/app.ts";
import { runIngest } from "../../src/ingest/run.ts";
import { bundledFolder } from "../../src/runtime/edge-content.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import { writeFileSync } from "node:fs";

export const EDGE_SITE_URL = "https://news.example";

const WIRE = (base: string) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Wire</title><link>${base}/</link><description>Wire</description><language>ja</language>
<item><guid isPermaLink="false">wire-1</guid><title>通信社の記事</title><link>${base}/wire-1</link>
<description>&lt;p&gt;本文です。&lt;/p&gt;</description><pubDate>Fri, 20 Nov 2026 09:00:00 +0900</pubDate></item>
</channel></rss>`;

export default async function setup(project: TestProject) {
  // IndexNow pings from the Worker are kept here, and read back (and cleared) by the tests over HTTP.
  let pings: unknown[] = [];
  const server = createServer((req, res) => {
    if (req.url === "/indexnow" && req.method === "POST") {
      let text = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => (text += chunk));
      req.on("end", () => {
        pings.push({ contentType: req.headers["content-type"], body: JSON.parse(text) as unknown });
        res.writeHead(200).end();
      });
      return;
    }
    if (req.url === "/indexnow/pings") {
      const body = JSON.stringify(pings);
      if (req.method === "DELETE") pings = [];
      return res.writeHead(200, { "Content-Type": "application/json" }).end(body);
    }
    if (req.url !== "/wire.xml") return res.writeHead(404).end();
    const etag = '"wire-v1"';
    if (req.headers["if-none-match"] === etag) return res.writeHead(304, { ETag: etag }).end();
    res.writeHead(200, { "Content-Type": "application/rss+xml; charset=utf-8", ETag: etag }).end(WIRE(base));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const bundle = buildEdge("content", ".build");
  const sources = `sources:\n  - id: wire\n    kind: feed\n    url: ${base}/wire.xml\n    lang: ja\n    section: business\n    min_interval: 0\n`;
  const siteYaml = bundle.siteYaml.replace(/^sources: \[\]\n/m, sources);
  if (!(parseYaml(siteYaml) as { sources: unknown[] }).sources.length)
    throw new Error("edge setup: could not add the test source to site.yaml");
  writeFileSync(".build/content.json", JSON.stringify({ ...bundle, siteYaml }));

  // Node renders every feed from the same content (the upstream not yet read) and SITE_URL.
  const settings = parseSiteSettings(bundle.siteYaml, "content/site.yaml");
  const site = { settings, siteUrl: EDGE_SITE_URL };
  const store = openSqliteStore(":memory:");
  const quiet = { info: () => undefined, error: () => undefined };
  await runIngest({ store, site, logger: quiet, now: Date.now, fetch: globalThis.fetch, content: () => bundledFolder(bundle) });
  const app = createApp({ store, site, logger: quiet });
  const nodeFeeds: Record<string, string> = {};
  for (const language of settings.languages) {
    for (const section of [undefined, ...language.sections]) {
      for (const format of FORMAT_NAMES) {
        const path = `${feedDirectory(language.tag, section?.slug)}${FORMATS[format].file}`;
        nodeFeeds[path] = await (await app.request(path)).text();
      }
    }
    for (const format of FORMAT_NAMES) {
      const path = `/${language.tag}/${CORRECTIONS_SEGMENT}/${FORMATS[format].file}`;
      nodeFeeds[path] = await (await app.request(path)).text();
    }
  }
  // JSON Feed paging: every document along next_url from a short subscription document of each language.
  const nodePages: Record<string, string> = {};
  for (const language of settings.languages) {
    let url: string | undefined = `${EDGE_SITE_URL}/${language.tag}/feed.json?limit=3`;
    while (url !== undefined && Object.keys(nodePages).length < 200) {
      const path = url.slice(EDGE_SITE_URL.length);
      const body = await (await app.request(path)).text();
      nodePages[path] = body;
      url = (JSON.parse(body) as { next_url?: string }).next_url;
    }
  }
  // Authors' and tags' feeds, by the keys worked out here from the names: in each language the first
  // three authors and six tags in key order (every one would take D1 minutes), the Korean tag 수출 and
  // one tag's archive month, in every format.
  const nodeTermFeeds: Record<string, string> = {};
  const termPaths = ["/ko/tags/%EC%88%98%EC%B6%9C/", "/en/tags/ai/archive/2026-10/"];
  for (const language of settings.languages) {
    const articles = await store.latest({ lang: language.tag, limit: 1000 });
    for (const [kind, count] of [
      ["author", 3],
      ["tag", 6],
    ] as const) {
      const keys = [...new Set(articles.flatMap((a) => namesOf(a, kind).map(termKey)))].filter(isTermKey).sort();
      termPaths.push(...keys.slice(0, count).map((key) => termDirectory(language.tag, { kind, key })));
    }
  }
  for (const directory of termPaths)
    for (const format of FORMAT_NAMES) {
      const path = `${directory}${FORMATS[format].file}`;
      nodeTermFeeds[path] = await (await app.request(path)).text();
    }
  await store.close();
  project.provide("nodeFeeds", nodeFeeds);
  project.provide("nodePages", nodePages);
  project.provide("nodeTermFeeds", nodeTermFeeds);
  project.provide("upstreamUrl", `${base}/wire.xml`);
  project.provide("indexNowUrl", `${base}/indexnow`);

  return async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // Leave the bundle as `npm run build:edge` makes it, without the test's source.
    buildEdge("content", ".build");
  };
}
