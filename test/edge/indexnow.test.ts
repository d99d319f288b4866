/**
 * IndexNow in workerd: the key file, and the pings of cron events and of the push API reaching a
 * recording endpoint on 127.0.0.1 (the edge project's global setup), one per run, nothing when nothing changed.
 */
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { RunReport } from "../../src/ingest/report.ts";
import worker from "../../src/runtime/worker.ts";
import type { WorkerEnv } from "../../src/runtime/worker-deps.ts";
import { clearDatabase } from "./clear.ts";

const SITE = "https://news.example";
const KEY = "edge-indexnow-key-0123456789";
const TOKEN = "edge-push-token-0123456789";
const ENDPOINT = inject("indexNowUrl");
const workerEnv: WorkerEnv = { ...env, INDEXNOW_KEY: KEY, INDEXNOW_ENDPOINTS: ENDPOINT, INGEST_TOKEN: TOKEN };

interface Ping {
  contentType: string;
  body: { host: string; key: string; keyLocation: string; urlList: string[] };
}

/** The pings the endpoint kept since it was last asked, cleared. */
async function takePings(): Promise<Ping[]> {
  return (await fetch(`${ENDPOINT}/pings`, { method: "DELETE" })).json();
}

async function cronEvent(): Promise<RunReport> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: Date.now() }), workerEnv, ctx);
  await waitOnExecutionContext(ctx);
  const [latest] = (await env.DB.prepare("SELECT report FROM ingest_runs ORDER BY id DESC LIMIT 1").all<{ report: string }>()).results;
  return JSON.parse(latest!.report) as RunReport;
}

async function request(path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`${SITE}${path}`, init) as Request<unknown, IncomingRequestCfProperties>, workerEnv, ctx);
  const body = await response.arrayBuffer();
  await waitOnExecutionContext(ctx);
  return new Response(body, response);
}

/** The article pages D1 holds now. */
async function storedPages(): Promise<string[]> {
  const rows = (await env.DB.prepare("SELECT lang, slug FROM articles").all<{ lang: string; slug: string }>()).results;
  return rows.map((r) => `${SITE}/${r.lang}/articles/${r.slug}`);
}

beforeAll(async () => {
  await clearDatabase(env.DB);
  await takePings();
});

describe("IndexNow on Workers", () => {
  it("serves the key file", async () => {
    const response = await request(`/${KEY}.txt`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; charset=UTF-8");
    expect(await response.text()).toBe(KEY);
    expect((await request("/another-key-0123.txt")).status).toBe(404);
  });

  it("pings once per cron event with the pages it changed, and not at all when it changed nothing", async () => {
    const first = await cronEvent();
    expect(first.sources[0]!.new).toBe(30);
    const [ping, ...more] = await takePings();
    expect(more).toEqual([]);
    expect(ping!.contentType).toBe("application/json; charset=utf-8");
    expect({ ...ping!.body, urlList: [] }).toEqual({ host: "news.example", key: KEY, keyLocation: `${SITE}/${KEY}.txt`, urlList: [] });
    const afterFirst = await storedPages();
    expect(ping!.body.urlList.filter((u) => u.includes("/articles/")).sort()).toEqual(afterFirst.sort());
    expect(ping!.body.urlList).toContain(`${SITE}/ko/`);
    expect(first.indexnow).toEqual({ urls: ping!.body.urlList.length, sent: 1, failed: [] });

    const second = await cronEvent();
    expect(second.sources.map((s) => s.new)).toEqual([26, 1]);
    const [next] = await takePings();
    expect(next!.body.urlList).toContain(`${SITE}/ja/business/`);
    const wire = (await env.DB.prepare("SELECT slug FROM articles WHERE source LIKE 'feed:%'").all<{ slug: string }>()).results;
    expect(next!.body.urlList).toContain(`${SITE}/ja/articles/${wire[0]!.slug}`);
    const added = (await storedPages()).filter((page) => !afterFirst.includes(page));
    expect(added).toHaveLength(27);
    for (const page of added) expect(next!.body.urlList).toContain(page);

    const third = await cronEvent();
    expect(third.sources.map((s) => s.new + s.updated + s.withdrawn)).toEqual([0, 0]);
    expect(third.indexnow).toEqual({ urls: 0, sent: 0, failed: [] });
    expect(await takePings()).toEqual([]);
  });

  it("pings after the push API's answer, for a pushed article and for its withdrawal", async () => {
    const headers = { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" };
    const item = {
      id: "edge-indexnow-1",
      url: "https://partner.example/en/edge-indexnow-1",
      title: "Pushed at the edge",
      content_html: "<p>Body.</p>",
      date_published: "2026-11-19T09:00:00+09:00",
      language: "en",
      section: "culture",
    };
    expect((await request("/api/articles", { method: "POST", headers, body: JSON.stringify(item) })).status).toBe(200);
    const { slug } = (await env.DB.prepare("SELECT slug FROM articles WHERE title = ?").bind(item.title).first<{ slug: string }>())!;
    const expected = [`${SITE}/en/`, `${SITE}/en/articles/${slug}`, `${SITE}/en/culture/`];
    const [pushed] = await takePings();
    expect(pushed!.body.urlList.sort()).toEqual(expected);

    expect((await request(`/api/articles/${item.id}`, { method: "DELETE", headers })).status).toBe(200);
    const [withdrawn] = await takePings();
    expect(withdrawn!.body.urlList.sort()).toEqual(expected);
  });
});
