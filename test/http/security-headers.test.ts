/**
 * Security headers on every kind of answer, through the app and on the real Node server (its feed path,
 * which answers without the app, and its `/media/`): a strict Content-Security-Policy on every HTML page,
 * whose style hashes are those of the page's own `<style>` blocks, a no-load policy on text answers, and
 * `X-Content-Type-Options: nosniff` on everything, feeds included.
 */
import { createHash } from "node:crypto";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import { memoryCache } from "../../src/http/render-cache.ts";
import { StoreError } from "../../src/store/errors.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { loadedStore, memoryLogger, testSite } from "../helpers.ts";
import { startNode, type RunningNode } from "../hostile/node-runtime.ts";

const NOW = Date.parse("2026-11-27T12:00:00Z");
const TOKEN = "headers-token-0123456789abcdef";
const NAVIGATE = { "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document" };

/** A policy as a map of directive to its sources. */
function directives(policy: string | null): Map<string, string[]> {
  expect(policy, "Content-Security-Policy").toBeTruthy();
  return new Map(
    policy!
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name!.toLowerCase(), sources]),
  );
}

/** The CSP source that allows an inline block of exactly `text`. */
const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/**
 * Fails unless `headers` and `html` are those of an HTML page under the strict policy: nothing by
 * default, no script at all, no inline anything but the page's own `<style>` blocks by hash, images from
 * the site and http(s), no base, no form, no framing; nosniff, no framing for old browsers, a referrer
 * policy; and the page itself holds nothing the policy would have to refuse.
 */
function expectStrictPage(headers: Headers, html: string, where: string) {
  expect(headers.get("content-type"), where).toMatch(/^text\/html/i);
  expect(headers.get("x-content-type-options"), where).toBe("nosniff");
  expect(headers.get("x-frame-options"), where).toBe("DENY");
  expect(headers.get("referrer-policy"), where).toBe("strict-origin-when-cross-origin");
  const policy = directives(headers.get("content-security-policy"));
  expect(policy.get("default-src"), where).toEqual(["'none'"]);
  expect(policy.has("script-src") || policy.has("script-src-elem"), `${where}: scripts allowed`).toBe(false);
  expect(policy.get("img-src"), where).toEqual(["'self'", "http:", "https:"]);
  expect(policy.get("base-uri"), where).toEqual(["'none'"]);
  expect(policy.get("form-action"), where).toEqual(["'none'"]);
  expect(policy.get("frame-ancestors"), where).toEqual(["'none'"]);
  expect(headers.get("content-security-policy"), where).not.toMatch(/unsafe|\*/);
  const styles = [...html.matchAll(/<style>([^<]*)<\/style>/g)].map((m) => sha256(m[1]!));
  expect(styles.length, `${where}: style blocks`).toBeGreaterThan(0);
  expect(policy.get("style-src"), where).toEqual(styles);
  // What the policy would refuse: inline style attributes and scripts other than JSON-LD data.
  expect(html, where).not.toMatch(/<[^>]+\sstyle\s*=/i);
  expect(html.replace(/<script type="application\/ld\+json">[^<]*<\/script>/g, ""), where).not.toMatch(/<script/i);
}

/** Fails unless `headers` are those of a text answer: nosniff, and a policy that loads nothing and allows no framing. */
function expectTextAnswer(headers: Headers, where: string) {
  expect(headers.get("x-content-type-options"), where).toBe("nosniff");
  const policy = directives(headers.get("content-security-policy"));
  expect(policy.get("default-src"), where).toEqual(["'none'"]);
  expect(policy.get("frame-ancestors"), where).toEqual(["'none'"]);
}

describe("through the app", () => {
  let store: ArticleStore;
  let app: ReturnType<typeof createApp>;
  let slug: string;

  beforeAll(async () => {
    const site = testSite();
    ({ store } = await loadedStore(site));
    app = createApp({ store, site, logger: memoryLogger(), cache: memoryCache(), now: () => NOW, ingestToken: TOKEN });
    const [article] = await store.latest({ lang: "en", limit: 1 });
    slug = article!.slug;
  });
  afterAll(async () => {
    await store.close();
  });

  const get = (path: string, headers: Record<string, string> = {}, method = "GET") => app.request(path, { method, headers });

  it.each([
    ["the home page", "/"],
    ["a language's page", "/en/"],
    ["a section's page", "/ko/politics/"],
    ["the extension docs", "/extensions/editions"],
  ])("gives %s the strict page policy", async (name, path) => {
    const response = await get(path);
    expect(response.status, name).toBe(200);
    expectStrictPage(response.headers, await response.text(), name);
  });

  it("gives an article page the strict page policy, its JSON-LD included", async () => {
    const response = await get(`/en/articles/${slug}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<script type="application/ld+json">');
    expectStrictPage(response.headers, html, "article");
  });

  it.each([
    ["a language's feed", "/en/rss.xml"],
    ["a section's feed", "/ja/business/feed.json"],
    ["a ?limit= variant", "/en/atom.xml?limit=3"],
    ["an archive month", "/en/archive/2026-10/rss.xml"],
  ])("gives the preview of %s the strict page policy, HEAD too", async (name, path) => {
    const response = await get(path, NAVIGATE);
    expect(response.status, name).toBe(200);
    expectStrictPage(response.headers, await response.text(), name);
    const head = await get(path, NAVIGATE, "HEAD");
    expect(head.headers.get("content-security-policy")).toBe(response.headers.get("content-security-policy"));
  });

  it.each([
    ["an unknown path", "/nothing/here/at/all"],
    ["an unknown language", "/xx/rss.xml"],
    ["an unknown section", "/en/sports/"],
    ["an unknown article", "/en/articles/no-such-story"],
    ["an unknown format", "/en/rss.txt"],
    ["an archive month without articles", "/en/archive/2020-01/rss.xml"],
    ["its preview", "/en/archive/2020-01/rss.xml"],
  ])("answers %s with a 404 that loads nothing", async (name, path) => {
    const response = await get(path, name === "its preview" ? NAVIGATE : {});
    expect(response.status, name).toBe(404);
    expectTextAnswer(response.headers, name);
  });

  it.each([
    ["a limit out of range (400)", "/en/rss.xml?limit=1000", {}, 400],
    ["no acceptable encoding (406)", "/en/rss.xml", { "Accept-Encoding": "identity;q=0, *;q=0" }, 406],
    ["robots.txt", "/robots.txt", {}, 200],
    ["the API without its token (401, JSON)", "/api/stats", {}, 401],
  ] as const)("answers %s with nosniff and a policy that loads nothing", async (name, path, headers, status) => {
    const response = await get(path, headers);
    expect(response.status, name).toBe(status);
    expectTextAnswer(response.headers, name);
  });

  it.each([
    ["a feed", "/en/rss.xml", {}, 200],
    ["a feed by HEAD", "/en/feed.json", {}, 200],
    ["the OPML list", "/feeds.opml", {}, 200],
    ["a redirect", "/EN/rss.xml", {}, 301],
  ] as const)("gives %s nosniff", async (name, path, headers, status) => {
    const response = await get(path, headers, name.includes("HEAD") ? "HEAD" : "GET");
    expect(response.status, name).toBe(status);
    expect(response.headers.get("x-content-type-options"), name).toBe("nosniff");
  });

  it("gives a 304 and a delta (226) nosniff", async () => {
    const first = await get("/en/culture/atom.xml");
    const etag = first.headers.get("etag")!;
    const notModified = await get("/en/culture/atom.xml", { "If-None-Match": etag });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get("x-content-type-options")).toBe("nosniff");
    // A version whose state lacks the newest item, so a delta has something to say.
    const unknown = await get("/en/culture/atom.xml", { "If-None-Match": '"0000000000000000"', "A-IM": "feed" });
    expect(unknown.status).toBe(200);
    expect(unknown.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("gives the error handler's 503 and 500 a policy that loads nothing", async () => {
    const site = testSite();
    const broken = (error: Error) =>
      createApp({
        store: new Proxy(store, {
          get: (target, name, receiver) => (name === "latest" ? () => Promise.reject(error) : Reflect.get(target, name, receiver)),
        }),
        site,
        logger: memoryLogger(),
      });
    const busy = await broken(new StoreError("locked", new Error("database is locked"))).request("/en/");
    expect(busy.status).toBe(503);
    expectTextAnswer(busy.headers, "503");
    const failed = await broken(new Error("boom")).request("/en/");
    expect(failed.status).toBe(500);
    expectTextAnswer(failed.headers, "500");
  });

  it("gives load shedding's 503 a policy that loads nothing", async () => {
    const site = testSite();
    const shedding = createApp({ store, site, logger: memoryLogger(), maxInFlight: 1 });
    // The first request holds the only place while the second arrives.
    const first = shedding.request("/en/");
    const second = await shedding.request("/ko/");
    await first;
    expect(second.status).toBe(503);
    expectTextAnswer(second.headers, "503 busy");
  });
});

describe("on the real Node server", () => {
  let node: RunningNode;
  let slug: string;

  beforeAll(async () => {
    node = await startNode();
    const feed = (await (await fetch(`${node.base}/en/feed.json`)).json()) as { items: { url: string }[] };
    slug = new URL(feed.items[0]!.url).pathname.split("/").pop()!;
  }, 60_000);
  afterAll(async () => {
    await node?.stop();
  });

  /** A GET by node:http, which (unlike fetch) sends the Sec-Fetch headers as given. */
  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<Response>((resolve, reject) => {
      const req = request(`${node.base}${path}`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const answer = new Headers();
          for (const [name, value] of Object.entries(res.headers)) if (typeof value === "string") answer.set(name, value);
          resolve(new Response(res.statusCode === 304 ? null : Buffer.concat(chunks), { status: res.statusCode, headers: answer }));
        });
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end();
    });

  it("gives every page kind the strict page policy", async () => {
    for (const path of ["/", "/en/", "/en/politics/", `/en/articles/${slug}`]) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expectStrictPage(response.headers, await response.text(), path);
    }
  });

  it("gives a preview on the feed path the strict page policy, and feeds nosniff", async () => {
    const preview = await get("/en/rss.xml", NAVIGATE);
    expect(preview.status).toBe(200);
    expectStrictPage(preview.headers, await preview.text(), "preview");
    for (const path of ["/en/rss.xml", "/ko/atom.xml", "/ja/politics/feed.json"]) {
      const feed = await get(path);
      expect(feed.status, path).toBe(200);
      expect(feed.headers.get("x-content-type-options"), path).toBe("nosniff");
    }
    const refused = await get("/en/rss.xml", { "Accept-Encoding": "identity;q=0, *;q=0" });
    expect(refused.status).toBe(406);
    expectTextAnswer(refused.headers, "406 on the feed path");
  });

  it("gives 404s a policy that loads nothing", async () => {
    for (const path of ["/nothing", "/en/articles/no-such-story", "/media/no-such-file.png"]) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expectTextAnswer(response.headers, path);
    }
  });

  it("gives media files nosniff", async () => {
    const image = await get("/media/chip-fab.jpg");
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/jpeg");
    expect(image.headers.get("x-content-type-options")).toBe("nosniff");
  });
});
