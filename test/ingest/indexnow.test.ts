/**
 * IndexNow against recording endpoints on 127.0.0.1: the JSON sent, batches of 10 000, 429 and
 * Retry-After, failing endpoints; runs that publish, withdraw or change nothing; the push API; the key
 * file; INDEXNOW_KEY and INDEXNOW_ENDPOINTS.
 */
import { cpSync, mkdtempSync, rmSync, unlinkSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_INDEXNOW_ENDPOINT, indexNowOf, readRuntimeConfig } from "../../src/config/env.ts";
import { ConfigError } from "../../src/config/error.ts";
import type { Site } from "../../src/config/site.ts";
import { createApp } from "../../src/http/app.ts";
import { INDEXNOW_BATCH, sendToIndexNow } from "../../src/ingest/indexnow.ts";
import { runIngest } from "../../src/ingest/run.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { CONTENT_DIR, ingestDeps, memoryLogger, SITE_URL, testSite } from "../helpers.ts";

const KEY = "a1b2c3d4-e5f6-4a5b-9c8d-0123456789ab";

/** What an endpoint answers to one request. */
type Answer = { status: number; headers?: Record<string, string>; body?: string };

interface Ping {
  contentType: string | undefined;
  body: { host: string; key: string; keyLocation: string; urlList: string[] };
}

interface Recorder {
  url: string;
  pings: Ping[];
  /** Answers for the next requests, in order; after them, `otherwise`. */
  answerNext(...answers: Answer[]): void;
  otherwise: Answer;
  /** Resolves once `count` requests have come in. */
  received(count: number): Promise<Ping[]>;
}

const servers: Server[] = [];
const stores: ArticleStore[] = [];
const temps: string[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  for (const store of stores.splice(0)) await store.close();
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function recorder(): Promise<Recorder> {
  const queue: Answer[] = [];
  const waiting: { count: number; resolve: (pings: Ping[]) => void }[] = [];
  const endpoint: Recorder = {
    url: "",
    pings: [],
    answerNext: (...answers) => void queue.push(...answers),
    otherwise: { status: 200 },
    received: (count) =>
      endpoint.pings.length >= count ? Promise.resolve(endpoint.pings) : new Promise((resolve) => waiting.push({ count, resolve })),
  };
  const server = createServer((req, res) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (text += chunk));
    req.on("end", () => {
      const answer = queue.shift() ?? endpoint.otherwise;
      endpoint.pings.push({ contentType: req.headers["content-type"], body: JSON.parse(text) as Ping["body"] });
      res.writeHead(answer.status, answer.headers).end(answer.body ?? "");
      for (const w of waiting.filter((w) => endpoint.pings.length >= w.count)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(endpoint.pings);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/indexnow`;
  return endpoint;
}

/** A sleep that only notes how long it was asked to wait. */
function noSleep() {
  const asked: number[] = [];
  return { asked, sleep: (ms: number) => (asked.push(ms), Promise.resolve()) };
}

const urls = (count: number) => Array.from({ length: count }, (_, i) => `${SITE_URL}/en/articles/story-${i}`);

describe("sendToIndexNow", () => {
  it("posts host, key, keyLocation and the URLs as JSON, 10 000 URLs a request, to every endpoint", async () => {
    const [first, second] = [await recorder(), await recorder()];
    const list = urls(2 * INDEXNOW_BATCH + 1);
    const report = await sendToIndexNow({ key: KEY, endpoints: [first.url, second.url] }, SITE_URL, [...list, list[0]!], {
      fetch: globalThis.fetch,
      now: Date.now,
    });

    expect(report).toEqual({ urls: 2 * INDEXNOW_BATCH + 1, sent: 6, failed: [] });
    for (const endpoint of [first, second]) {
      expect(endpoint.pings.map((p) => p.body.urlList.length)).toEqual([INDEXNOW_BATCH, INDEXNOW_BATCH, 1]);
      expect(endpoint.pings.flatMap((p) => p.body.urlList)).toEqual(list);
      const { urlList: _, ...rest } = endpoint.pings[0]!.body;
      expect(rest).toEqual({ host: "news.example", key: KEY, keyLocation: `${SITE_URL}/${KEY}.txt` });
      expect(endpoint.pings[0]!.contentType).toBe("application/json; charset=utf-8");
    }
  });

  it("waits as long as a 429's Retry-After asks, then sends again", async () => {
    const endpoint = await recorder();
    endpoint.answerNext({ status: 429, headers: { "Retry-After": "7" } }, { status: 503 });
    const { asked, sleep } = noSleep();
    const report = await sendToIndexNow({ key: KEY, endpoints: [endpoint.url] }, SITE_URL, urls(3), {
      fetch: globalThis.fetch,
      now: Date.now,
      sleep,
      baseDelayMs: 100,
    });
    expect(report).toEqual({ urls: 3, sent: 1, failed: [] });
    expect(asked).toEqual([7000, 200]);
    expect(endpoint.pings).toHaveLength(3);
    expect(endpoint.pings[2]!.body).toEqual(endpoint.pings[0]!.body);
  });

  it("gives up at once, and says why, when Retry-After asks for longer than a run waits", async () => {
    const endpoint = await recorder();
    endpoint.otherwise = { status: 429, headers: { "Retry-After": "3600" }, body: "slow down" };
    const { asked, sleep } = noSleep();
    const report = await sendToIndexNow({ key: KEY, endpoints: [endpoint.url] }, SITE_URL, urls(1), {
      fetch: globalThis.fetch,
      now: Date.now,
      sleep,
    });
    expect(asked).toEqual([]);
    expect(endpoint.pings).toHaveLength(1);
    expect(report.failed).toEqual([
      {
        endpoint: endpoint.url,
        urls: 1,
        error: `indexnow: ${endpoint.url}: 1 URLs: the endpoint answered HTTP 429 Too Many Requests: "slow down" asking to retry after 3600000 ms, longer than the 10000 ms a run waits; gave up after 1 attempt`,
      },
    ]);
  });

  it("reports an endpoint that keeps failing after its tries, and still tells the others", async () => {
    const [failing, working] = [await recorder(), await recorder()];
    failing.otherwise = { status: 500 };
    const { asked, sleep } = noSleep();
    const report = await sendToIndexNow({ key: KEY, endpoints: [failing.url, working.url] }, SITE_URL, urls(2), {
      fetch: globalThis.fetch,
      now: Date.now,
      sleep,
    });
    expect(failing.pings).toHaveLength(3);
    expect(asked).toEqual([1000, 2000]);
    expect(working.pings).toHaveLength(1);
    expect(report.sent).toBe(1);
    expect(report.failed.map((f) => f.error)).toEqual([
      `indexnow: ${failing.url}: 2 URLs: no success in 3 attempts; the last: the endpoint answered HTTP 500 Internal Server Error`,
    ]);
  });

  it("does not retry a refused key, and says where the key file must be", async () => {
    const endpoint = await recorder();
    endpoint.otherwise = { status: 403 };
    const report = await sendToIndexNow({ key: KEY, endpoints: [endpoint.url] }, SITE_URL, urls(1), {
      fetch: globalThis.fetch,
      now: Date.now,
    });
    expect(endpoint.pings).toHaveLength(1);
    expect(report.failed[0]!.error).toContain("HTTP 403 Forbidden (the key was not accepted: the key file at keyLocation must answer 200");
  });

  it("sends nothing when nothing changed", async () => {
    const endpoint = await recorder();
    const report = await sendToIndexNow({ key: KEY, endpoints: [endpoint.url] }, SITE_URL, [], { fetch: globalThis.fetch, now: Date.now });
    expect(report).toEqual({ urls: 0, sent: 0, failed: [] });
    expect(endpoint.pings).toEqual([]);
  });
});

/** A copy of the sample content, ingested with IndexNow pointing at `endpoints`. */
function indexNowRun(endpoints: string[]) {
  const dir = mkdtempSync(join(tmpdir(), "indexnow-"));
  temps.push(dir);
  cpSync(CONTENT_DIR, dir, { recursive: true });
  const store = openSqliteStore(":memory:");
  stores.push(store);
  const site: Site = { ...testSite(), indexNow: { key: KEY, endpoints } };
  const logger = memoryLogger();
  const deps = ingestDeps(store, site, dir, { fetch: globalThis.fetch, logger });
  return { dir, store, site, logger, deps };
}

describe("ingest runs", () => {
  it("send every changed page once per run, the withdrawn article's among them, and nothing when nothing changed", async () => {
    const endpoint = await recorder();
    const { dir, store, deps } = indexNowRun([endpoint.url]);

    const first = await runIngest(deps);
    expect(endpoint.pings).toHaveLength(1);
    const sent = endpoint.pings[0]!.body.urlList;
    const stored = (await Promise.all(["ko", "en", "ja", "zh-Hans"].map((lang) => store.latest({ lang, limit: 1000 })))).flat();
    expect(stored.length).toBeGreaterThan(40);
    const articlePages = stored.map((a) => `${SITE_URL}/${a.lang}/articles/${a.slug}`);
    expect(sent.filter((u) => u.includes("/articles/")).sort()).toEqual(articlePages.sort());
    expect(sent).toContain(`${SITE_URL}/en/`);
    expect(sent).toContain(`${SITE_URL}/zh-Hans/business/`);
    expect(first.indexnow).toEqual({ urls: sent.length, sent: 1, failed: [] });

    const again = await runIngest(deps);
    expect(again.indexnow).toEqual({ urls: 0, sent: 0, failed: [] });
    expect(endpoint.pings).toHaveLength(1);

    unlinkSync(join(dir, "en/business/chip-exports-hit-record.md"));
    const withdrawal = await runIngest(deps);
    expect(withdrawal.sources[0]!.withdrawn).toBe(1);
    expect(endpoint.pings).toHaveLength(2);
    const told = endpoint.pings[1]!.body.urlList;
    // The withdrawn page, its other editions (they linked it), and the pages that listed it.
    expect(told).toContain(`${SITE_URL}/en/articles/chip-exports-hit-record`);
    expect(told).toContain(`${SITE_URL}/ko/articles/bandoche-suchul-yeokdae-choego`);
    expect(told).toContain(`${SITE_URL}/en/`);
    expect(told).toContain(`${SITE_URL}/en/business/`);
    expect(told).not.toContain(`${SITE_URL}/en/articles/rnd-fund-deep-tech-loans`);
    expect(told).not.toContain(`${SITE_URL}/en/culture/`);
  });

  it("report an endpoint that refuses in the run report and the log, and the run itself goes on", async () => {
    const [refusing, working] = [await recorder(), await recorder()];
    refusing.otherwise = { status: 422, body: "URLs not on host" };
    const { deps, logger, store } = indexNowRun([refusing.url, working.url]);
    const report = await runIngest(deps);
    expect(report.error).toBeUndefined();
    expect(report.sources[0]!.status).toBe("loaded");
    expect(report.sources[0]!.new).toBeGreaterThan(40);
    expect(working.pings).toHaveLength(1);
    expect(report.indexnow!.sent).toBe(1);
    const error = `indexnow: ${refusing.url}: ${report.indexnow!.urls} URLs: the endpoint answered HTTP 422 Unprocessable Entity (a URL is not on the host, or the key does not match the host): "URLs not on host"; not retried`;
    expect(report.indexnow!.failed).toEqual([{ endpoint: refusing.url, urls: report.indexnow!.urls, error }]);
    expect(logger.errors).toContain(error);
    const [kept] = await store.recentRuns(1);
    expect(JSON.parse(kept!.report).indexnow.failed[0].error).toBe(error);
  });

  it("leave IndexNow out of the run when no key is set", async () => {
    const endpoint = await recorder();
    const { deps } = indexNowRun([endpoint.url]);
    const report = await runIngest({ ...deps, site: testSite() });
    expect(report.indexnow).toBeUndefined();
    expect(endpoint.pings).toEqual([]);
  });
});

describe("the push API", () => {
  const TOKEN = "push-token-for-tests-0123456789";
  const item = {
    id: "p-1",
    url: "https://partner.example/en/p-1",
    title: "Pushed story",
    content_html: "<p>Body.</p>",
    date_published: "2026-11-19T09:00:00+09:00",
    language: "en",
    section: "business",
  };

  it("tells IndexNow after the answer, of a pushed article and of its withdrawal", async () => {
    const endpoint = await recorder();
    const { store, site, deps } = indexNowRun([endpoint.url]);
    const app = createApp({ store, site, logger: memoryLogger(), ingest: { ...deps, content: undefined }, ingestToken: TOKEN });
    const auth = { Authorization: `Bearer ${TOKEN}` };

    const pushed = await app.request("/api/articles", {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify(item),
    });
    expect(pushed.status).toBe(200);
    const [ping] = await endpoint.received(1);
    const [article] = await store.latest({ lang: "en", section: "business", limit: 1 });
    expect(article!.title).toBe("Pushed story");
    const page = `${SITE_URL}/en/articles/${article!.slug}`;
    expect(ping!.body.urlList.sort()).toEqual([`${SITE_URL}/en/`, `${SITE_URL}/en/business/`, page].sort());

    expect((await app.request("/api/articles/p-1", { method: "DELETE", headers: auth })).status).toBe(200);
    const pings = await endpoint.received(2);
    expect(pings[1]!.body.urlList.sort()).toEqual([`${SITE_URL}/en/`, `${SITE_URL}/en/business/`, page].sort());
    expect(await store.bySlug("en", article!.slug)).toBeNull();
  });
});

describe("the key file", () => {
  it("is served at /{key}.txt as plain text holding the key, and is not there without a key", async () => {
    const store = openSqliteStore(":memory:");
    stores.push(store);
    const site: Site = { ...testSite(), indexNow: { key: KEY, endpoints: ["http://127.0.0.1:9/indexnow"] } };
    const response = await createApp({ store, site, logger: memoryLogger() }).request(`/${KEY}.txt`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; charset=UTF-8");
    expect(await response.text()).toBe(KEY);

    expect((await createApp({ store, site, logger: memoryLogger() }).request(`/${KEY}x.txt`)).status).toBe(404);
    expect((await createApp({ store, site: testSite(), logger: memoryLogger() }).request(`/${KEY}.txt`)).status).toBe(404);
  });
});

describe("INDEXNOW_KEY and INDEXNOW_ENDPOINTS", () => {
  it("turn IndexNow on with a key, at the shared endpoint unless endpoints are named", () => {
    expect(readRuntimeConfig({}).indexNow).toBeNull();
    expect(readRuntimeConfig({ INDEXNOW_KEY: KEY }).indexNow).toEqual({ key: KEY, endpoints: [DEFAULT_INDEXNOW_ENDPOINT] });
    expect(
      indexNowOf(
        KEY,
        " https://searchadvisor.naver.com/indexnow , https://api.indexnow.org/indexnow,https://searchadvisor.naver.com/indexnow",
      ),
    ).toEqual({
      key: KEY,
      endpoints: ["https://searchadvisor.naver.com/indexnow", "https://api.indexnow.org/indexnow"],
    });
  });

  it("refuse a key of the wrong length or characters, and an endpoint that is not a URL, naming the setting", () => {
    for (const key of ["short", "a".repeat(129), "has space-12345", "ünïcode-1234"]) {
      expect(() => readRuntimeConfig({ INDEXNOW_KEY: key })).toThrow(ConfigError);
      expect(() => readRuntimeConfig({ INDEXNOW_KEY: key })).toThrow(/^config: INDEXNOW_KEY must be 8 to 128 characters/);
    }
    expect(indexNowOf("a".repeat(8), undefined)?.key).toBe("aaaaaaaa");
    expect(indexNowOf("A-".repeat(64), undefined)?.key).toBe("A-".repeat(64));
    expect(() => indexNowOf(KEY, "api.indexnow.org/indexnow")).toThrow(
      /^config: INDEXNOW_ENDPOINTS entry "api.indexnow.org\/indexnow" is not an absolute URL/,
    );
    expect(() => indexNowOf(KEY, "ftp://x.example/indexnow")).toThrow(
      /^config: INDEXNOW_ENDPOINTS entry "ftp:\/\/x.example\/indexnow" must start with https:\/\//,
    );
  });
});
