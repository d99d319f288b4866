/**
 * The security headers from workerd: every HTML page and feed preview carries the same strict
 * Content-Security-Policy as on Node, text answers (404s) one that loads nothing, and every answer,
 * feeds and media included, `X-Content-Type-Options: nosniff`.
 */
import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import bundle from "../../.build/content.json" with { type: "json" };
import { runIngest } from "../../src/ingest/run.ts";
import { edgeDeps } from "../../src/runtime/worker-deps.ts";
import { clearDatabase } from "./clear.ts";

const SITE = "https://news.example";
const NAVIGATE = { "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document" };

beforeAll(async () => {
  await clearDatabase(env.DB);
  const { ingest } = edgeDeps(env, bundle);
  await runIngest({ ...ingest, site: { ...ingest.site, settings: { ...ingest.site.settings, sources: [] } }, writeBudget: undefined });
});

const get = (path: string, headers: Record<string, string> = {}) => SELF.fetch(`${SITE}${path}`, { headers, redirect: "manual" });

/** The page policy: nothing by default, no script, the pages' own style by hash, images from the site and http(s), no base, form or framing. */
const PAGE_POLICY =
  /^default-src 'none'; img-src 'self' http: https:; style-src 'sha256-[A-Za-z0-9+/]{43}='; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$/;

describe("security headers from workerd", () => {
  it.each([
    ["the home page", "/", {}],
    ["a language's page", "/en/", {}],
    ["a section's page", "/ja/culture/", {}],
    ["an article page", "/en/articles/chip-exports-hit-record", {}],
    ["a feed's preview", "/en/rss.xml", NAVIGATE],
    ["a section feed's preview", "/ko/politics/feed.json", NAVIGATE],
  ])("give %s the strict page policy", async (name, path, headers) => {
    const response = await get(path, headers);
    expect(response.status, name).toBe(200);
    expect(response.headers.get("content-type"), name).toMatch(/^text\/html/i);
    expect(response.headers.get("content-security-policy"), name).toMatch(PAGE_POLICY);
    expect(response.headers.get("x-content-type-options"), name).toBe("nosniff");
    expect(response.headers.get("x-frame-options"), name).toBe("DENY");
    expect(response.headers.get("referrer-policy"), name).toBe("strict-origin-when-cross-origin");
    await response.arrayBuffer();
  });

  it("allow by hash exactly the style block each page and preview carries", async () => {
    for (const [path, headers] of [
      ["/", {}],
      ["/en/articles/chip-exports-hit-record", {}],
      ["/en/atom.xml", NAVIGATE],
    ] as const) {
      const response = await get(path, headers);
      const style = /<style>([^<]*)<\/style>/.exec(await response.text())![1]!;
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(style)));
      const hash = btoa(String.fromCharCode(...digest));
      expect(/style-src ([^;]*)/.exec(response.headers.get("content-security-policy")!)![1], path).toBe(`'sha256-${hash}'`);
    }
  });

  it.each([
    ["an unknown path", "/nothing/here"],
    ["an unknown article", "/en/articles/no-such-story"],
    ["an unknown language", "/xx/"],
  ])("answer %s with a 404 that loads nothing", async (name, path) => {
    const response = await get(path);
    expect(response.status, name).toBe(404);
    expect(response.headers.get("content-security-policy"), name).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(response.headers.get("x-content-type-options"), name).toBe("nosniff");
    await response.arrayBuffer();
  });

  it.each(["/en/rss.xml", "/en/politics/atom.xml", "/zh-Hans/feed.json", "/en/rss.xml?limit=3", "/feeds.opml", "/robots.txt"])(
    "give %s nosniff",
    async (path) => {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
      await response.arrayBuffer();
    },
  );

  it("give media files nosniff", async () => {
    const response = await get("/media/chip-fab.jpg");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/jpeg");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    await response.arrayBuffer();
  });
});
