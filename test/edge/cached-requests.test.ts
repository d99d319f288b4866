/**
 * What a cached feed request costs the Worker in D1 queries, counted on the binding it is given: none
 * while the feed's version is kept in the isolate (FEED_VERSION_TTL), where each request used to read
 * it. Writes through the isolate (the push API, a cron event) are served at once, a commit made
 * elsewhere within FEED_VERSION_TTL.
 */
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import bundle from "../../.build/content.json" with { type: "json" };
import { runIngest } from "../../src/ingest/run.ts";
import worker from "../../src/runtime/worker.ts";
import { edgeDeps, type WorkerEnv } from "../../src/runtime/worker-deps.ts";
import { ConfigError } from "../../src/config/error.ts";
import { d1Store } from "../../src/store/d1.ts";
import { clearDatabase } from "./clear.ts";
import { countedD1 } from "./d1-binding.ts";

const SITE = "https://news.example";
const TOKEN = "edge-push-token-0123456789";
/** Feeds of three versions (en, ko, ja/business) in every format. */
const FEEDS = ["/en/rss.xml", "/en/atom.xml", "/en/feed.json", "/ko/rss.xml", "/ko/atom.xml", "/ja/business/feed.json"];
const VERSION_KEYS = 3;

async function get(workerEnv: WorkerEnv, path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const request = new Request(`${SITE}${path}`, init) as Request<unknown, IncomingRequestCfProperties>;
  const response = await worker.fetch(request, workerEnv, ctx);
  const body = await response.arrayBuffer();
  await waitOnExecutionContext(ctx);
  return new Response(body, response);
}

beforeAll(async () => {
  await clearDatabase(env.DB);
  // The content folder alone, written from elsewhere (a store over the binding itself).
  const { ingest } = edgeDeps(env, bundle);
  await runIngest({ ...ingest, site: { ...ingest.site, settings: { ...ingest.site.settings, sources: [] } }, writeBudget: undefined });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("cached feed requests at the edge", () => {
  it("cost no D1 query and no Cache API lookup while the feed's version is kept", async () => {
    const d1 = countedD1(env.DB);
    const workerEnv: WorkerEnv = { ...env, DB: d1.binding };
    for (const path of FEEDS) await get(workerEnv, path);
    for (const path of FEEDS) expect((await get(workerEnv, path)).headers.get("x-cache"), path).toBe("HIT");

    const before = d1.statements.length;
    const lookups = vi.spyOn(caches.default, "match");
    const started = Date.now();
    for (let i = 0; i < 1000; i++) {
      const path = FEEDS[i % FEEDS.length]!;
      const response = await get(workerEnv, path);
      expect(response.headers.get("x-cache"), path).toBe("HIT");
    }
    const elapsedMs = Date.now() - started;
    const queries = d1.statements.length - before;
    console.log(
      `per 1 000 cached requests: ${queries} D1 queries, ${lookups.mock.calls.length} Cache API lookups ` +
        `(${FEEDS.length} feeds of ${VERSION_KEYS} versions, ${elapsedMs} ms)`,
    );
    // The documents this isolate served are in its memory.
    expect(lookups).not.toHaveBeenCalled();
    // At most one read per feed version each time its 5 s run out.
    expect(queries).toBeLessThanOrEqual(VERSION_KEYS * (Math.ceil(elapsedMs / 5000) + 1));
  });

  it("serve a push through the isolate at once", async () => {
    const d1 = countedD1(env.DB);
    const workerEnv: WorkerEnv = { ...env, DB: d1.binding, INGEST_TOKEN: TOKEN };
    const path = "/en/business/rss.xml";
    await get(workerEnv, path);
    expect((await get(workerEnv, path)).headers.get("x-cache")).toBe("HIT");

    const item = {
      id: "edge-push-1",
      url: "https://partner.example/en/edge-push-1",
      title: "Pushed through the edge",
      content_html: "<p>Body.</p>",
      date_published: "2026-12-01T09:00:00+09:00",
      language: "en",
      section: "business",
    };
    const pushed = await get(workerEnv, "/api/articles", {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify(item),
    });
    expect(pushed.status).toBe(200);
    const fresh = await get(workerEnv, path);
    expect(fresh.headers.get("x-cache")).toBe("MISS");
    expect(await fresh.text()).toContain("Pushed through the edge");
    expect(await (await get(workerEnv, "/en/rss.xml")).text()).toContain("Pushed through the edge");
  });

  it("serve a cron event's ingest at once", async () => {
    const workerEnv: WorkerEnv = { ...env, DB: countedD1(env.DB).binding };
    const path = "/ja/business/rss.xml";
    await get(workerEnv, path);
    const cached = await get(workerEnv, path);
    expect(cached.headers.get("x-cache")).toBe("HIT");
    expect(await cached.text()).not.toContain("通信社の記事");

    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: Date.now() }), workerEnv, ctx);
    await waitOnExecutionContext(ctx);
    const fresh = await get(workerEnv, path);
    expect(fresh.headers.get("x-cache")).toBe("MISS");
    expect(await fresh.text()).toContain("通信社の記事");
  });

  it("serve a commit made elsewhere within FEED_VERSION_TTL", async () => {
    const workerEnv: WorkerEnv = { ...env, DB: countedD1(env.DB).binding, FEED_VERSION_TTL: "1" };
    const path = "/en/culture/atom.xml";
    await get(workerEnv, path);
    expect((await get(workerEnv, path)).headers.get("x-cache")).toBe("HIT");

    const elsewhere = d1Store(env.DB);
    const [article] = await elsewhere.latest({ lang: "en", section: "culture", limit: 1 });
    await elsewhere.upsert([{ ...article!, title: "Edited in another isolate" }]);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const fresh = await get(workerEnv, path);
    expect(fresh.headers.get("x-cache")).toBe("MISS");
    expect(await fresh.text()).toContain("Edited in another isolate");
  });

  it("read the version every time when FEED_MAX_AGE is 0, as FEED_VERSION_TTL never outlasts it", async () => {
    const d1 = countedD1(env.DB);
    const workerEnv: WorkerEnv = { ...env, DB: d1.binding, FEED_MAX_AGE: "0" };
    await get(workerEnv, "/ko/rss.xml");
    const before = d1.count(/FROM feed_versions WHERE/);
    for (let i = 0; i < 10; i++) expect((await get(workerEnv, "/ko/rss.xml")).headers.get("x-cache")).toBe("HIT");
    expect(d1.count(/FROM feed_versions WHERE/) - before).toBe(10);
  });

  it.each(["-1", "1.5", "3601", "soon"])("refuse FEED_VERSION_TTL %s", (value) => {
    expect(() => edgeDeps({ ...env, FEED_VERSION_TTL: value }, bundle)).toThrow(ConfigError);
  });
});
