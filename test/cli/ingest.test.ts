/**
 * `npm run ingest` as a real process: one document from a file or URL, the report command, the exit
 * code, and a run killed mid-ingest that the next run completes without partial or duplicate articles.
 */
import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, watch, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runIngest } from "../../src/ingest/run.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import { ingestDeps, testSite } from "../helpers.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "ingest-cli-"));
let server: Server;
let base: string;

function bigFeed(count: number) {
  const items = Array.from(
    { length: count },
    (_, i) =>
      `<item><guid isPermaLink="false">big-${i}</guid><title>Item ${i}</title><link>https://wire.example/big/${i}</link>` +
      `<description>&lt;p&gt;${"Paragraph text. ".repeat(40)}&lt;/p&gt;</description><pubDate>Thu, 19 Nov 2026 09:${String(i % 60).padStart(2, "0")}:00 +0900</pubDate></item>`,
  ).join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Big</title><link>https://wire.example/</link><description>d</description>${items}</channel></rss>`;
}
const BIG = bigFeed(3000);

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/broken.xml") return res.writeHead(500).end("down");
    if (req.url === "/big.xml") return res.writeHead(200, { "Content-Type": "application/rss+xml" }).end(BIG);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

/** Articles committed so far, read through a separate connection (the database is in WAL mode). */
function countArticles(database: string): number {
  try {
    const db = new Database(database, { readonly: true, fileMustExist: true });
    try {
      return db.prepare("SELECT count(*) FROM articles").pluck().get() as number;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

/** Runs the command without blocking this process, which also serves the upstream documents. */
function ingest(args: string[], database: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/ingest.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_PATH: database, SITE_URL: "https://news.example" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.once("close", (status) => resolve({ status, stdout, stderr })));
}

describe("npm run ingest", () => {
  it("ingests one document from a file, in the language and section given, and exits 0", async () => {
    const database = join(dir, "file.db");
    const file = join(dir, "wire.xml");
    writeFileSync(file, bigFeed(3));
    const result = await ingest(["--source", file, "--lang", "ja", "--section", "business"], database);
    expect(result.status).toBe(0);
    // Not a terminal: progress comes as plain lines.
    expect(result.stderr).toMatch(/^ingest: 1\/1 adhoc-[0-9a-f]+$/m);
    expect(result.stdout).toMatch(/fetched/);
    const report = await ingest(["--report"], database);
    expect(report.status).toBe(0);
    expect(report.stdout).toMatch(/run \d{4}-\d{2}-\d{2}T/);
    expect(report.stdout).toMatch(/fetched/);
  });

  it("exits non-zero and names the source when it failed", async () => {
    const result = await ingest(["--source", `${base}/broken.xml`], join(dir, "broken.db"));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("failed");
    expect(result.stderr).toContain("500");
  });

  it("refuses unknown options with the usage line", async () => {
    const result = await ingest(["--sauce", "x"], join(dir, "usage.db"));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("usage: npm run ingest");
  });

  it("leaves no partial or duplicate article when killed mid-run, and the next run completes", async () => {
    const database = join(dir, "killed.db");
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/ingest.ts", "--source", `${base}/big.xml`], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_PATH: database, SITE_URL: "https://news.example" },
      stdio: "ignore",
    });
    // Killed as soon as the first articles are committed, well before all 3000 are in: looked for each
    // time the database's folder changes.
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        watcher.close();
        child.off("exit", exited);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (countArticles(database) > 0) settle();
      };
      // One look for however many changes came in meanwhile: each look opens the database.
      let looking = false;
      const changed = () => {
        if (looking) return;
        looking = true;
        setImmediate(() => {
          looking = false;
          check();
        });
      };
      const exited = () => settle(new Error("cli: the ingest exited before committing an article"));
      const watcher = watch(dirname(database), changed);
      child.once("exit", exited);
      check();
    });
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    const atKill = countArticles(database);
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(3000);

    const store = openSqliteStore(database);
    try {
      const site = testSite();
      const before = await store.latest({ lang: "ko", limit: 100 });
      for (const article of before) expect(article.contentHtml).toMatch(/^<p>Paragraph text\./);
      // The killed run's lease would hold for its lifetime; the rerun comes after it expired (the
      // killed command took it on this machine's clock, so the rerun's clock is read from it too).
      const later = Date.now() + 11 * 60_000;
      const rerun = await runIngest(ingestDeps(store, site, undefined, { fetch: globalThis.fetch, now: () => later, content: undefined }), {
        document: { url: `${base}/big.xml` },
      });
      expect(rerun.skipped).toBeUndefined();
      const [report] = rerun.sources;
      expect(report!.new + report!.unchanged).toBe(3000);
      expect(report!.rejected).toEqual([]);
      const all = [];
      for (let page = await store.latest({ lang: "ko", limit: 100 }); page.length;) {
        all.push(...page);
        const last = page.at(-1)!;
        page = await store.latest({ lang: "ko", limit: 100, before: { publishedMs: last.published.ms, id: last.id } });
      }
      expect(all).toHaveLength(3000);
      expect(new Set(all.map((a) => a.id)).size).toBe(3000);
    } finally {
      await store.close();
    }
  });
});
