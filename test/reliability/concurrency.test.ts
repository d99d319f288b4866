/**
 * Two `npm run ingest` processes at once on one database never write twice: either one finds the
 * lease taken and says so, or they ran one after the other and the second found nothing new; every
 * article is there once, whole, and the run reports add up.
 */
import Database from "better-sqlite3";
import { rmSync, unlinkSync, writeFileSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunReport } from "../../src/ingest/report.ts";
import { freePort } from "../ports.ts";
import { copyContent, running, spawnIngest, tempDir, type ServerSettings } from "./harness.ts";
import { checkDatabase } from "./integrity.ts";

const UPSTREAM_ITEMS = 150;
let upstream: Server;
let upstreamUrl: string;
let revision = 0;
/** While the upstream takes this long, a run holds the lease long enough for the other to find it taken. */
let upstreamDelayMs = 0;
const dirs: string[] = [];

function wireFeed() {
  const items = Array.from(
    { length: UPSTREAM_ITEMS },
    (_, i) =>
      `<item><guid isPermaLink="false">wire-${i}</guid><title>Wire ${i} (${revision})</title><link>https://wire.example/${i}</link>` +
      `<description>&lt;p&gt;${"Wire copy. ".repeat(30)}&lt;/p&gt;</description><pubDate>Thu, 19 Nov 2026 09:${String(i % 60).padStart(2, "0")}:00 +0900</pubDate></item>`,
  ).join("");
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link><description>d</description>${items}</channel></rss>`;
}

beforeAll(async () => {
  upstream = createServer((_req, res) => {
    setTimeout(() => res.writeHead(200, { "Content-Type": "application/rss+xml" }).end(wireFeed()), upstreamDelayMs);
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/wire.xml`;
});

afterAll(async () => {
  for (const child of running) child.kill("SIGKILL");
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function setup(): Promise<ServerSettings> {
  const dir = tempDir("concurrent");
  dirs.push(dir);
  const contentDir = copyContent(
    dir,
    `sources:\n  - id: wire\n    kind: feed\n    url: ${upstreamUrl}\n    lang: en\n    section: business\n    min_interval: 0\n`,
  );
  return { port: await freePort(), databasePath: join(dir, "articles.db"), contentDir };
}

/** Both commands started in the same instant; their exit codes and output. */
async function twoAtOnce(settings: ServerSettings) {
  const runs = [spawnIngest(settings), spawnIngest(settings)];
  const exits = await Promise.all(runs.map((r) => r.exit));
  return runs.map((run, i) => ({ code: exits[i]!.code, stdout: run.stdout(), log: run.log() }));
}

function storedReports(path: string): RunReport[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("SELECT report FROM ingest_runs ORDER BY id").pluck().all() as string[]).map((r) => JSON.parse(r) as RunReport);
  } finally {
    db.close();
  }
}

const total = (reports: RunReport[], source: string, field: "new" | "updated" | "withdrawn") =>
  reports
    .flatMap((r) => r.sources)
    .filter((s) => s.source === source)
    .reduce((sum, s) => sum + s[field], 0);

describe("two npm run ingest processes at once on one database", () => {
  it("on a new database, overlapping: one ingests and the other says the lease is taken; every article stored once and whole", async () => {
    const settings = await setup();
    upstreamDelayMs = 1_500;
    const results = await twoAtOnce(settings).finally(() => (upstreamDelayMs = 0));
    for (const result of results) expect(result.code, result.log).toBe(0);
    const skipped = results.filter((r) => r.stdout.includes("ingest: another ingest run holds the lease"));
    expect(skipped).toHaveLength(1);

    const reports = storedReports(settings.databasePath);
    expect(reports).toHaveLength(2);
    expect(reports.filter((r) => r.skipped)).toHaveLength(skipped.length);
    expect(total(reports, "content", "new")).toBe(56);
    expect(total(reports, "wire", "new")).toBe(UPSTREAM_ITEMS);
    expect(total(reports, "content", "updated") + total(reports, "wire", "updated")).toBe(0);
    const { articles } = checkDatabase(settings.databasePath);
    expect(articles).toBe(56 + UPSTREAM_ITEMS);
  }, 60_000);

  it("on a loaded database with changes waiting, however they interleave: each change written once, the reports adding up", async () => {
    const settings = await setup();
    const first = spawnIngest(settings);
    expect((await first.exit).code, first.log()).toBe(0);

    revision++;
    const edited = join(settings.contentDir, "en", "culture", "webtoon-studio-expansion.md");
    writeFileSync(edited, readFileSync(edited, "utf8").replace("to triple its staff", "to triple its workforce"));
    unlinkSync(join(settings.contentDir, "ko", "society", "jeonse-sagi-jingyeok-12nyeon.md"));

    const results = await twoAtOnce(settings);
    for (const result of results) expect(result.code, result.log).toBe(0);
    const reports = storedReports(settings.databasePath).slice(1);
    expect(total(reports, "content", "updated")).toBe(1);
    expect(total(reports, "content", "withdrawn")).toBe(1);
    expect(total(reports, "wire", "updated")).toBe(UPSTREAM_ITEMS);
    expect(total(reports, "content", "new") + total(reports, "wire", "new")).toBe(0);
    const { articles, tombstones } = checkDatabase(settings.databasePath);
    expect(articles).toBe(55 + UPSTREAM_ITEMS);
    // The deleted file's, and the sample's article marked withdrawn.
    expect(tombstones).toBe(2);
  }, 60_000);
});
