/**
 * Takedowns and embargoes over real HTTP on Node (the server as src/runtime/node.ts builds it, on
 * 127.0.0.1, with its feed cache), on a copy of content/, with a clock the test moves and a hub on
 * 127.0.0.1 that records what it is told: a withdrawn article's page answers 410 and its feeds list it
 * as deleted; a scheduled article is nowhere until its minute, then everywhere with fresh validators
 * and pings; a withdrawn article comes back only when the newsroom brings it back, as a new update.
 */
import { getRequestListener } from "@hono/node-server";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createService } from "../../src/http/app.ts";
import { memoryCache } from "../../src/http/render-cache.ts";
import type { IngestDeps } from "../../src/ingest/deps.ts";
import { itemId } from "../../src/ingest/normalize.ts";
import { releaseScheduled } from "../../src/ingest/release.ts";
import { runIngest } from "../../src/ingest/run.ts";
import { readContentFolder } from "../../src/ingest/sources/content-disk.ts";
import { withFeedPath } from "../../src/runtime/node-feeds.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { createIngestState } from "../../src/ingest/deps.ts";
import { memoryLogger, testSite } from "../helpers.ts";
import { copyContent, tempDir } from "../reliability/harness.ts";

const TOKEN = "lifecycle-token-0123456789abcdef";
const VALIDATOR = "/work/shared/tools/feedvalidator/validate.py";
const WITHDRAWN_SLUG = "harbor-festival-sponsor-report";
const WITHDRAWN_ID = "tag:hanbit.example,2026-09-01:article/en/harbor-festival-sponsor-report";
const SCHEDULED_SLUG = "national-museum-reopening";
const SCHEDULED_ID = "tag:hanbit.example,2026-09-01:article/en/national-museum-reopening";
const SCHEDULED_AT = Date.parse("2099-05-18T09:00:00+09:00");

const clock = { now: Date.parse("2026-11-27T12:00:00Z") };
const pings: string[] = [];
let hub: Server;
let server: Server;
let base: string;
let store: ArticleStore;
let contentDir: string;
let deps: IngestDeps;

beforeAll(async () => {
  hub = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      pings.push(new URLSearchParams(Buffer.concat(chunks).toString("utf8")).get("hub.url") ?? "");
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hub.listen(0, "127.0.0.1", resolve));
  const site = { ...testSite(), hubs: [`http://127.0.0.1:${(hub.address() as AddressInfo).port}/hub`] };
  contentDir = copyContent(tempDir("lifecycle"));
  store = openSqliteStore(":memory:");
  const logger = memoryLogger();
  deps = {
    store,
    site,
    logger,
    now: () => clock.now,
    fetch: globalThis.fetch,
    content: () => readContentFolder(contentDir),
    state: createIngestState(),
  };
  await runIngest(deps);
  const service = createService({ store, site, logger, ingest: deps, ingestToken: TOKEN, cache: memoryCache(), now: () => clock.now });
  const listener = getRequestListener(service.app.fetch);
  server = createServer(withFeedPath(service, site, (req, res) => void listener(req, res)));
  // Longer than the validator takes, so the client's kept-alive connection is not closed under it.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await new Promise<void>((resolve) => hub?.close(() => resolve()));
  await store?.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });
const text = async (path: string) => (await get(path)).text();
const api = (method: string, path: string, body?: unknown) =>
  fetch(`${base}/api/articles${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** Every document a reader or crawler can list articles from, for one language and section. */
const listings = (lang: string, section: string) => [
  `/${lang}/rss.xml`,
  `/${lang}/atom.xml`,
  `/${lang}/feed.json`,
  `/${lang}/${section}/rss.xml`,
  `/${lang}/${section}/atom.xml`,
  `/${lang}/${section}/feed.json`,
  `/${lang}/`,
  `/${lang}/${section}/`,
  `/${lang}/archive/2026-11/rss.xml`,
  `/${lang}/${section}/archive/2026-11/atom.xml`,
  `/${lang}/archive/2099-05/feed.json`,
  "/feeds.opml",
  `/${lang}/feeds.opml`,
];

/** The W3C validator's verdict on a document, line by line. */
function validate(name: string, body: string): string[] {
  const path = join(tempDir("validate"), name);
  writeFileSync(path, body);
  try {
    return execFileSync("python3", [VALIDATOR, path], { encoding: "utf8" }).trim().split("\n");
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error)
      .trim()
      .split("\n");
  }
}

describe("a content file marked withdrawn (legal)", () => {
  it("answers 410 Gone in its language, with neither title nor body", async () => {
    const response = await get(`/en/articles/${WITHDRAWN_SLUG}`);
    expect(response.status).toBe(410);
    const page = await response.text();
    expect(page).toContain("This article has been withdrawn for legal reasons.");
    expect(page).not.toContain("Harbor festival");
    expect(page).not.toContain("subcontracting");
    expect(page).not.toContain("injunction");
    expect(page).toContain('<meta name="robots" content="noindex">');
  });

  it("is in no feed, listing or archive, and every feed of its scope lists it as deleted, with no reason", async () => {
    for (const path of listings("en", "society")) {
      const body = await text(path);
      expect(body, path).not.toContain(`/en/articles/${WITHDRAWN_SLUG}`);
      expect(body, path).not.toContain("Harbor festival");
    }
    const atom = await text("/en/society/atom.xml");
    expect(atom).toContain('xmlns:at="http://purl.org/atompub/tombstones/1.0"');
    expect(atom).toContain(`<at:deleted-entry ref="${WITHDRAWN_ID}" when="2026-11-20T10:00:00+09:00"></at:deleted-entry>`);
    expect(await text("/en/atom.xml")).toContain(`ref="${WITHDRAWN_ID}"`);
    expect(await text("/en/culture/atom.xml")).not.toContain("deleted-entry");
    expect(await text("/ko/atom.xml")).not.toContain("deleted-entry");
    const json = JSON.parse(await text("/en/society/feed.json"));
    expect(json._deleted).toEqual({
      about: "https://news.example/extensions/deleted",
      items: [{ id: WITHDRAWN_ID, date_deleted: "2026-11-20T10:00:00+09:00" }],
    });
    expect(await text("/en/society/rss.xml")).toContain(`<deleted:deleted-entry ref="${WITHDRAWN_ID}"`);
    expect(await text("/en/archive/2026-11/atom.xml")).not.toContain("deleted-entry");
  });

  it("documents the extension where the feeds point", async () => {
    const page = await get("/extensions/deleted");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("_deleted");
  });
});

describe("a pushed article withdrawn with a public reason", () => {
  const pushed = {
    id: "partner-77",
    url: "https://partner.example/en/77",
    title: "Partner story to be withdrawn",
    content_html: "<p>Body.</p>",
    date_published: "2026-11-27T09:00:00+09:00",
    language: "en",
    section: "business",
  };
  const id = itemId(testSite().settings, "push", "partner-77");
  let page = "";

  it("moves the validators of its feeds, tells the hubs, and lists the reason in every format", async () => {
    expect((await api("POST", "", pushed)).status).toBe(200);
    const before = await get("/en/business/atom.xml");
    const etag = before.headers.get("etag")!;
    expect(await before.text()).toContain("Partner story to be withdrawn");
    const unrelated = (await get("/ko/business/atom.xml")).headers.get("etag");
    pings.length = 0;
    clock.now += 60_000;
    const response = await api("DELETE", `/partner-77?reason=${encodeURIComponent("The partner retracted the story")}`);
    expect(await response.json()).toEqual({ withdrawn: [id] });
    // Its language's feed, its section's and its language's corrections feed, in three formats each, to
    // the one hub (the pushed article names no author or tag of its own).
    await expect.poll(() => pings.length).toBe(9);
    expect(pings).toContain("https://news.example/en/corrections/rss.xml");
    expect(pings).toContain("https://news.example/en/business/atom.xml");
    expect(pings).toContain("https://news.example/en/feed.json");
    expect(pings).not.toContain("https://news.example/ko/business/atom.xml");

    const after = await get("/en/business/atom.xml", { "If-None-Match": etag });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(etag);
    const atom = await after.text();
    expect(atom).not.toContain("Partner story to be withdrawn");
    expect(atom).toContain(`<at:deleted-entry ref="${id}" when="`);
    expect(atom).toContain("<at:comment>The partner retracted the story</at:comment>");
    expect(await text("/en/business/rss.xml")).toContain("<deleted:comment>The partner retracted the story</deleted:comment>");
    expect(JSON.parse(await text("/en/business/feed.json"))._deleted.items[0]).toMatchObject({
      id,
      comment: "The partner retracted the story",
    });
    expect((await get("/ko/business/atom.xml")).headers.get("etag")).toBe(unrelated);

    page = `/en/articles/${(await store.tombstones([id]))[0]!.slug}`;
    const gone = await get(page);
    expect(gone.status).toBe(410);
    const html = await gone.text();
    expect(html).toContain("Partner story to be withdrawn");
    expect(html).toContain("This article has been withdrawn.");
    expect(html).toContain("The partner retracted the story");
    expect(html).not.toContain("Body.");
  });

  it("passes the W3C validator with the one unknown-namespace warning, in RSS and Atom", async () => {
    const rss = validate("rss.xml", await text("/en/business/rss.xml"));
    const atom = validate("atom.xml", await text("/en/business/atom.xml"));
    expect(rss.filter((l) => l.startsWith("warning") || l.startsWith("error"))).toEqual([
      "warning: line 2, column 0: Use of unknown namespace: https://news.example/extensions/deleted",
    ]);
    expect(rss.at(-1)).toMatch(/RSS 2\.0, 0 error\(s\), 1 warning\(s\)/);
    expect(atom.filter((l) => l.startsWith("warning") || l.startsWith("error"))).toEqual([
      "warning: line 2, column 0: Use of unknown namespace: http://purl.org/atompub/tombstones/1.0",
    ]);
    expect(atom.at(-1)).toMatch(/Atom 1\.0, 0 error\(s\), 1 warning\(s\)/);
  });

  it("never comes back from an ingest run, only from the newsroom's push, as a new update", async () => {
    await runIngest(deps);
    expect((await get(page)).status).toBe(410);
    clock.now += 60_000;
    const restored = await api("POST", "", pushed);
    expect(((await restored.json()) as { new: string[] }).new).toEqual([id]);
    const [article] = await store.byIds([id]);
    expect(article!.updated.ms).toBe(Math.floor(clock.now / 1000) * 1000);
    expect(article!.published.iso).toBe("2026-11-27T09:00:00+09:00");
    expect((await get(page)).status).toBe(200);
    const atom = await text("/en/business/atom.xml");
    expect(atom).toContain("Partner story to be withdrawn");
    expect(atom).not.toContain(`ref="${id}"`);
  });
});

describe("a content file's withdrawal taken back by the newsroom", () => {
  it("restores the article as a new update, and the next run changes nothing", async () => {
    const path = join(contentDir, "en/society", `${WITHDRAWN_SLUG}.md`);
    const original = readFileSync(path, "utf8");
    writeFileSync(path, original.replace(/^withdrawn: .*\n/m, ""));
    try {
      clock.now += 60_000;
      const run = await runIngest(deps);
      expect(run.sources[0]).toMatchObject({ new: 1, updated: 0, withdrawn: 0 });
      const response = await get(`/en/articles/${WITHDRAWN_SLUG}`);
      expect(response.status).toBe(200);
      const [article] = await store.byIds([WITHDRAWN_ID]);
      expect(article!.updated.ms).toBe(Math.floor(clock.now / 1000) * 1000);
      expect(await text("/en/society/atom.xml")).not.toContain("deleted-entry");
      clock.now += 60_000;
      expect((await runIngest(deps)).sources[0]).toMatchObject({ new: 0, updated: 0, withdrawn: 0 });
    } finally {
      writeFileSync(path, original);
    }
    clock.now += 60_000;
    expect((await runIngest(deps)).sources[0]).toMatchObject({ withdrawn: 1 });
    expect((await get(`/en/articles/${WITHDRAWN_SLUG}`)).status).toBe(410);
  });
});

describe("withdrawals older than withdrawn_days", () => {
  it("stops listing withdrawals after withdrawn_days, moving their feeds", async () => {
    clock.now = Date.parse("2026-12-20T09:59:00+09:00");
    expect((await releaseScheduled(deps)).unlisted).toBe(0);
    const etag = (await get("/en/society/atom.xml")).headers.get("etag");
    clock.now = Date.parse("2026-12-20T10:01:00+09:00");
    expect(await text("/en/society/atom.xml")).toContain("deleted-entry");
    const report = await releaseScheduled(deps);
    expect(report.unlisted).toBeGreaterThan(0);
    const after = await get("/en/society/atom.xml");
    expect(after.headers.get("etag")).not.toBe(etag);
    expect(await after.text()).not.toContain("deleted-entry");
    expect((await get(`/en/articles/${WITHDRAWN_SLUG}`)).status).toBe(410);
  });
});

describe("an article scheduled far ahead", () => {
  it("appears nowhere: its page answers exactly as an unknown article's", async () => {
    const page = await get(`/en/articles/${SCHEDULED_SLUG}`);
    const unknown = await get(`/en/articles/no-such-article-at-all`);
    expect(page.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(await page.text()).toBe((await unknown.text()).replace("no-such-article-at-all", SCHEDULED_SLUG));
    expect(page.headers.get("content-type")).toBe(unknown.headers.get("content-type"));
    for (const path of listings("en", "culture")) {
      const body = await text(path);
      expect(body, path).not.toContain(SCHEDULED_SLUG);
      expect(body, path).not.toContain("National Museum");
    }
    expect((await get("/en/archive/2099-05/rss.xml")).status).not.toBe(200);
  });

  it("stays out while the minute task runs before its minute", async () => {
    clock.now = SCHEDULED_AT - 1000;
    expect((await releaseScheduled(deps)).released).toEqual([]);
    expect((await get(`/en/articles/${SCHEDULED_SLUG}`)).status).toBe(404);
  });

  it("appears everywhere at its minute, with fresh validators and pings, without an ingest run", async () => {
    const before = await get("/en/culture/feed.json");
    const etag = before.headers.get("etag")!;
    expect(await before.text()).not.toContain(SCHEDULED_ID);
    const untouched = (await get("/ko/culture/feed.json")).headers.get("etag");
    pings.length = 0;
    clock.now = SCHEDULED_AT + 250;
    const report = await releaseScheduled(deps);
    expect(report.released).toEqual([SCHEDULED_ID]);
    expect(pings).toContain("https://news.example/en/culture/feed.json");
    expect(pings).toContain("https://news.example/en/rss.xml");

    const after = await get("/en/culture/feed.json", { "If-None-Match": etag });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(etag);
    expect(JSON.parse(await after.text()).items[0].id).toBe(SCHEDULED_ID);
    for (const path of ["/en/rss.xml", "/en/atom.xml", "/en/culture/atom.xml", "/en/", "/en/culture/", "/en/archive/2099-05/feed.json"]) {
      expect(await text(path), path).toContain(SCHEDULED_SLUG);
    }
    expect((await get(`/en/articles/${SCHEDULED_SLUG}`)).status).toBe(200);
    expect((await get("/ko/culture/feed.json")).headers.get("etag")).toBe(untouched);
    // The next run of the folder finds it published and leaves it so.
    expect((await runIngest(deps)).sources[0]).toMatchObject({ new: 0, updated: 0 });
    expect((await releaseScheduled(deps)).released).toEqual([]);
  });
});

describe("a push dated later", () => {
  it("is scheduled, nowhere until its minute, then released; a DELETE before leaves nothing behind", async () => {
    const now = clock.now;
    const later = new Date(now + 10 * 60_000).toISOString().replace(/\.\d+Z$/, "Z");
    const body = (id: string) => ({
      id,
      title: `Embargoed ${id}`,
      content_html: "<p>Embargoed.</p>",
      date_published: later,
      language: "en",
    });
    const answer = await (await api("POST", "", [body("emb-1"), body("emb-2")])).json();
    const ids = ["emb-1", "emb-2"].map((k) => itemId(testSite().settings, "push", k));
    expect(answer).toMatchObject({ new: [], updated: [], scheduled: ids });
    expect(await text("/en/politics/feed.json")).not.toContain("Embargoed");
    expect(await (await api("DELETE", "/emb-2")).json()).toEqual({ withdrawn: [], unscheduled: [ids[1]] });

    clock.now = now + 10 * 60_000;
    expect((await releaseScheduled(deps)).released).toEqual([ids[0]]);
    const feed = await text("/en/politics/feed.json");
    expect(feed).toContain("Embargoed emb-1");
    expect(feed).not.toContain("Embargoed emb-2");
    expect(await store.tombstones(ids)).toEqual([]);
  });
});
