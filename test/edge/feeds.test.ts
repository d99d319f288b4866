/**
 * Every feed served from workerd over D1 is byte-identical to what Node serves for the same content
 * and SITE_URL (the Node suite runs the full feed checks on those bytes), parses strictly here too,
 * and comes from the Cache API until its data changes.
 */
import { env, SELF } from "cloudflare:test";
import { SaxesParser } from "saxes";
import { beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import bundle from "../../.build/content.json" with { type: "json" };
import { runIngest } from "../../src/ingest/run.ts";
import { edgeDeps } from "../../src/runtime/worker-deps.ts";
import { clearDatabase } from "./clear.ts";

const SITE = "https://news.example";
const nodeFeeds = inject("nodeFeeds");
const nodePages = inject("nodePages");
const nodeTermFeeds = inject("nodeTermFeeds");

/** Throws on the first well-formedness or namespace error. */
function parseStrictly(xml: string) {
  const parser = new SaxesParser({ xmlns: true });
  let failure: Error | undefined;
  parser.on("error", (error) => {
    failure ??= error;
  });
  parser.write(xml).close();
  if (failure) throw failure;
}

beforeAll(async () => {
  await clearDatabase(env.DB);
  // The content folder alone, whole, as Node's copy was made: no upstream, no write budget.
  const { ingest } = edgeDeps(env, bundle);
  await runIngest({ ...ingest, site: { ...ingest.site, settings: { ...ingest.site.settings, sources: [] } }, writeBudget: undefined });
});

describe("feeds from workerd over D1", () => {
  it("cover every language, section and format, and each language's corrections feed", () => {
    expect(Object.keys(nodeFeeds)).toHaveLength(72 + 12);
    for (const format of ["rss.xml", "atom.xml", "feed.json"]) expect(nodeFeeds).toHaveProperty(`/en/corrections/${format}`);
    // The sample's corrected article, so the corrections compared are not only empty feeds.
    expect(nodeFeeds["/en/corrections/atom.xml"]).toContain("#correction-");
  });

  it("are byte-identical to Node's, with the same media types", async () => {
    for (const [path, expected] of Object.entries(nodeFeeds)) {
      const response = await SELF.fetch(`${SITE}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type"), path).toMatch(/^application\/(rss\+xml|atom\+xml|feed\+json); charset=utf-8$/);
      expect(await response.text(), path).toBe(expected);
    }
  });

  it("page JSON Feed along next_url exactly as Node does: month pages after a position, then whole months", async () => {
    const paths = Object.keys(nodePages);
    expect(paths.some((p) => p.includes("?before="))).toBe(true);
    expect(paths.filter((p) => /\/archive\/\d{4}-\d{2}\/feed\.json$/.test(p)).length).toBeGreaterThan(3);
    for (const [path, expected] of Object.entries(nodePages)) {
      const response = await SELF.fetch(`${SITE}${path}`);
      expect(response.status, path).toBe(200);
      expect(await response.text(), path).toBe(expected);
    }
  });

  it("are byte-identical to Node's for authors and tags of every language (Hangul among them) and an archive month, cached on a second request", async () => {
    const paths = Object.keys(nodeTermFeeds);
    expect(paths.length).toBeGreaterThan(100);
    expect(paths).toContain("/ko/tags/%EC%88%98%EC%B6%9C/rss.xml");
    for (const path of paths) {
      const response = await SELF.fetch(`${SITE}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type"), path).toMatch(/^application\/(rss\+xml|atom\+xml|feed\+json); charset=utf-8$/);
      expect(await response.text(), path).toBe(nodeTermFeeds[path]);
    }
    const again = await SELF.fetch(`${SITE}${paths[0]}`);
    expect(again.headers.get("x-cache")).toBe("HIT");
    expect(await again.text()).toBe(nodeTermFeeds[paths[0]!]);
  });

  it("parse strictly (XML 1.0 with namespaces) or as JSON Feed 1.1, in the Worker itself", async () => {
    for (const path of [...Object.keys(nodeFeeds), ...Object.keys(nodeTermFeeds)]) {
      const body = await (await SELF.fetch(`${SITE}${path}`)).text();
      if (path.endsWith(".json")) {
        const feed = JSON.parse(body);
        expect(feed.version).toBe("https://jsonfeed.org/version/1.1");
        expect(feed.language).toBe(path.split("/")[1]);
      } else {
        parseStrictly(body);
      }
    }
  });

  it("serve the second request from the Cache API, and fresh bytes once an article in the feed changes", async () => {
    const path = "/en/culture/atom.xml";
    await SELF.fetch(`${SITE}${path}`);
    const cached = await SELF.fetch(`${SITE}${path}`);
    expect(cached.headers.get("x-cache")).toBe("HIT");
    expect(await cached.text()).toBe(nodeFeeds[path]);

    const { ingest } = edgeDeps(env, bundle);
    const [article] = await ingest.store.latest({ lang: "en", section: "culture", limit: 1 });
    await ingest.store.upsert([{ ...article!, title: "A headline edited at the edge" }]);
    const fresh = await SELF.fetch(`${SITE}${path}`);
    expect(fresh.headers.get("x-cache")).toBe("MISS");
    expect(await fresh.text()).toContain("A headline edited at the edge");
    // A feed the change does not touch keeps its cached bytes.
    expect((await SELF.fetch(`${SITE}/ko/politics/rss.xml`)).headers.get("x-cache")).toBe("HIT");
  });
});
