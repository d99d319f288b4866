/**
 * The Worker's scheduled handler: cron events ingest the bundled content folder and an upstream feed,
 * a bounded number of writes at a time, resuming on the next event; once done, an event changes nothing.
 */
import { createExecutionContext, createScheduledController, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/runtime/worker.ts";
import type { RunReport } from "../../src/ingest/report.ts";
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
