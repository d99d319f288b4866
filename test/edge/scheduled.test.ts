/**
 * The Worker's scheduled handler: cron events ingest the bundled content folder and an upstream feed,
 * a bounded number of writes at a time, resuming on the next event; once done, an event changes nothing.
 * The minute trigger releases scheduled articles whose time has come, and runs no ingest.
 */
import { createExecutionContext, createScheduledController, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/runtime/worker.ts";
import type { RunReport } from "../../src/ingest/report.ts";
import bundle from "../../.build/content.json" with { type: "json" };
import { instantAt } from "../../src/model/time.ts";
import { edgeDeps } from "../../src/runtime/worker-deps.ts";
import { clearDatabase } from "./clear.ts";

const SITE = "https://news.example";

async function cronEvent(): Promise<RunReport> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: Date.now() }), env, ctx);
  await waitOnExecutionContext(ctx);
  const [latest] = (await env.DB.prepare("SELECT report FROM ingest_runs ORDER BY id DESC LIMIT 1").all<{ report: string }>()).results;
  return JSON.parse(latest!.report) as RunReport;
}

beforeAll(async () => {
  await clearDatabase(env.DB);
});

describe("cron events", () => {
  it("ingest within the write budget and resume where the last event stopped", async () => {
    const first = await cronEvent();
    expect(first.sources.map((s) => [s.source, s.new])).toEqual([
      ["content", 30],
      ["wire", 0],
    ]);
    expect(first.sources[0]!.notes).toEqual(["26 articles left for the next run (write budget)"]);

    const second = await cronEvent();
    expect(second.sources.map((s) => [s.source, s.status, s.new])).toEqual([
      ["content", "loaded", 26],
      ["wire", "fetched", 1],
    ]);

    const feed = await (await SELF.fetch(`${SITE}/ja/business/rss.xml`)).text();
    expect(feed).toContain("<title>通信社の記事</title>");
  });

  it("change nothing once everything is in", async () => {
    const before = await (await SELF.fetch(`${SITE}/ja/rss.xml`)).text();
    const third = await cronEvent();
    expect(third.sources.map((s) => [s.source, s.new, s.updated])).toEqual([
      ["content", 0, 0],
      ["wire", 0, 0],
    ]);
    expect(third.sources[1]!.status).toBe("not-modified");
    const after = await SELF.fetch(`${SITE}/ja/rss.xml`);
    expect(after.headers.get("x-cache")).toBe("HIT");
    expect(await after.text()).toBe(before);
  });
});

describe("the minute trigger", () => {
  const FUTURE_ID = "tag:hanbit.example,2026-09-01:article/en/national-museum-reopening";
  const minuteEvent = async () => {
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "* * * * *", scheduledTime: Date.now() }), env, ctx);
    await waitOnExecutionContext(ctx);
  };
  const runs = async () => (await env.DB.prepare("SELECT count(*) AS n FROM ingest_runs").first<{ n: number }>())!.n;

  it("releases the scheduled articles whose minute has come, into every feed and page, and runs no ingest", async () => {
    const { ingest } = edgeDeps(env, bundle);
    const [future] = await ingest.store.scheduled([FUTURE_ID]);
    expect(future!.published.iso).toBe("2099-05-18T09:00:00+09:00");
    // A copy whose minute has just passed, as if it had waited in the schedule until now.
    const due = instantAt(Date.now() - 60_000, 540);
    const copy = {
      ...future!,
      id: `${FUTURE_ID}-due`,
      slug: "museum-due",
      story: "museum-due",
      url: `${SITE}/en/articles/museum-due`,
      published: due,
      updated: due,
    };
    await ingest.store.schedule([copy]);
    expect((await SELF.fetch(`${SITE}/en/articles/museum-due`)).status).toBe(404);
    const before = await SELF.fetch(`${SITE}/en/culture/atom.xml`);
    const etag = before.headers.get("etag");
    expect(await before.text()).not.toContain("museum-due");
    const ingestRuns = await runs();

    await minuteEvent();

    expect(await runs()).toBe(ingestRuns);
    const after = await SELF.fetch(`${SITE}/en/culture/atom.xml`);
    expect(after.headers.get("etag")).not.toBe(etag);
    expect(await after.text()).toContain(`${SITE}/en/articles/museum-due`);
    expect((await SELF.fetch(`${SITE}/en/articles/museum-due`)).status).toBe(200);
    // The far one stays where it is, its page the same 404 as an unknown article's.
    expect((await SELF.fetch(`${SITE}/en/articles/national-museum-reopening`)).status).toBe(404);
    expect(await ingest.store.scheduled([FUTURE_ID])).toHaveLength(1);
  });

  it("answers a withdrawn article's page with 410, and lists it in its Atom feed", async () => {
    const gone = await SELF.fetch(`${SITE}/en/articles/harbor-festival-sponsor-report`);
    expect(gone.status).toBe(410);
    expect(await gone.text()).not.toContain("Harbor festival");
    const atom = await (await SELF.fetch(`${SITE}/en/society/atom.xml`)).text();
    expect(atom).toContain('<at:deleted-entry ref="tag:hanbit.example,2026-09-01:article/en/harbor-festival-sponsor-report"');
  });
});
