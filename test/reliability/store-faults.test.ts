/**
 * The database file locked by another process, read-only, or on a full disk: the server keeps
 * answering from what is there (no 5xx, no stall), each ingest (the server's own on its schedule and
 * `npm run ingest`) reports the error in its run report and exit code, and the first run after the
 * fault is gone writes what was waiting.
 *
 * Read-only: these tests run as root, and root writes through `chmod 0444` on the file and `0555` on
 * its folder (checked below), so the read-only database is a read-only bind mount of its folder.
 * Full disk: a 2 MB tmpfs filled to the last byte. Both need mount(8) to be permitted; where it is
 * not, those two tests are skipped and say so.
 */
import { freePort } from "../ports.ts";
import Database from "better-sqlite3";
import { execFileSync } from "node:child_process";
import { chmodSync, closeSync, copyFileSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  copyContent,
  kill,
  rawRequest,
  readFeedItems,
  runIngestCli,
  running,
  startServer,
  tempDir,
  waitForLog,
  type Child,
  type ServerSettings,
} from "./harness.ts";

const dirs: string[] = [];
const mounts: string[] = [];

function mount(args: string[]): boolean {
  try {
    execFileSync("mount", args, { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

/** Whether this machine lets the tests mount a tmpfs (root, with CAP_SYS_ADMIN). */
const canMount = (() => {
  const probe = tempDir("mount-probe");
  dirs.push(probe);
  if (!mount(["-t", "tmpfs", "-o", "size=1m", "tmpfs", probe])) return false;
  execFileSync("umount", [probe]);
  return true;
})();

afterAll(() => {
  for (const child of running) child.kill("SIGKILL");
  for (const target of mounts.reverse()) {
    try {
      execFileSync("umount", ["-l", target], { stdio: "pipe" });
    } catch {
      // Already gone.
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Every 2 s, so a test sees the server's own runs fail during the fault and succeed after it. */
const EVERY_TWO_SECONDS = "*/2 * * * * *";
const FAULT_ARTICLE_ID = "tag:hanbit.example,2026-09-01:article/en/fault-story";

function writeFaultArticle(contentDir: string) {
  writeFileSync(
    join(contentDir, "en", "politics", "fault-story.md"),
    `---\nstory: fault-story\ntitle: "Written while the database could not be"\nsummary: "Waits for the fault to go."\nposted: 2026-11-26 09:00 +09:00\nauthors:\n  - Night Desk\n---\nBody.\n`,
  );
}

async function setup(name: string, databaseDir?: string) {
  const dir = tempDir(name);
  dirs.push(dir);
  const contentDir = copyContent(dir);
  const settings: ServerSettings = {
    port: await freePort(),
    databasePath: join(databaseDir ?? join(dir, "db"), "articles.db"),
    contentDir,
    env: { INGEST_SCHEDULE: EVERY_TWO_SECONDS },
  };
  return { dir, contentDir, settings, base: `http://127.0.0.1:${settings.port}` };
}

/** Reads a few feeds over and over until `until` settles; every answer's status and the slowest. */
async function keepReading(base: string, until: Promise<unknown>) {
  const paths = ["/en/feed.json", "/ko/rss.xml", "/ja/culture/atom.xml", "/zh-Hans/archive/2026-10/rss.xml", "/en/politics/feed.json"];
  let done = false;
  void until.finally(() => (done = true));
  const statuses = new Map<number, number>();
  let slowest = 0;
  for (let i = 0; !done || i < paths.length; i++) {
    const t0 = Date.now();
    const response = await rawRequest(`${base}${paths[i % paths.length]}?limit=${1 + (i % 30)}`);
    slowest = Math.max(slowest, Date.now() - t0);
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { statuses: Object.fromEntries(statuses), slowest };
}

async function feedIds(base: string, path: string) {
  const response = await rawRequest(`${base}${path}`);
  expect(response.status).toBe(200);
  return readFeedItems("feed.json", response.body.toString("utf8")).map((item) => item.id);
}

/** Waits until the server logs a run that wrote the waiting article. */
async function waitForRecovery(server: Child) {
  const deadline = Date.now() + 20_000;
  const recovered = () =>
    server
      .log()
      .split("\n")
      .some((line) => line.startsWith('{"ingest":[{"source":"content"') && line.includes('"new":1'));
  while (!recovered()) {
    if (Date.now() > deadline) throw new Error(`no run wrote the waiting article after the fault:\n${server.log().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("the database locked by another process", () => {
  it("keeps the server answering without stalls; runs report 'database is locked'; the next run writes", async () => {
    const { contentDir, settings, base } = await setup("locked");
    const server = await startServer(settings);
    try {
      const locker = new Database(settings.databasePath);
      locker.exec("BEGIN EXCLUSIVE");
      writeFaultArticle(contentDir);
      const cli = runIngestCli(settings);
      // Held past the 5 s that the command and the server's runs (every 2 s) wait for the lease, so
      // their runs stop; then let go.
      const held = new Promise((resolve) => setTimeout(resolve, 8_000)).then(() => {
        locker.exec("COMMIT");
        locker.close();
      });
      const reading = await keepReading(base, held);
      const result = await cli;

      expect(reading.statuses).toEqual({ 200: expect.any(Number) });
      // A write waiting for the lock never holds up the requests (better-sqlite3 would block for all 5 s).
      expect(reading.slowest).toBeLessThan(2_500);
      expect(result.code, result.log).toBe(1);
      expect(result.stderr).toContain("ingest: the run stopped: database is locked");
      await waitForLog(server, /ingest: the run stopped: database is locked/, 10_000);

      await waitForRecovery(server);
      expect(await feedIds(base, "/en/politics/feed.json")).toContain(FAULT_ARTICLE_ID);
      const after = await runIngestCli(settings);
      expect(after.code, after.log).toBe(0);
      // The stopped runs are in the store's run reports too, once it could be written again.
      const reports = await runIngestCli(settings, ["--report", "--runs", "100"]);
      expect(reports.stdout).toContain("ingest: the run stopped: database is locked");
    } finally {
      await kill(server);
    }
  }, 60_000);
});

describe.skipIf(!canMount)("the database on a read-only mount", () => {
  it("root ignores file modes, so chmod alone would not make the database read-only", () => {
    const dir = tempDir("chmod");
    dirs.push(dir);
    const path = join(dir, "scratch.db");
    new Database(path).close();
    chmodSync(path, 0o444);
    chmodSync(dir, 0o555);
    try {
      const db = new Database(path);
      const write = () => db.exec("CREATE TABLE written (x)");
      if (process.getuid?.() === 0) expect(write).not.toThrow();
      else expect(write).toThrow(/readonly/);
      db.close();
    } finally {
      chmodSync(dir, 0o755);
    }
  });

  it("serves from it (and the writable server goes on); runs there report 'readonly database'; a run on the writable path writes", async () => {
    const { dir, contentDir, settings, base } = await setup("readonly");
    const writable = await startServer({ ...settings, env: {} });
    const readOnlyDir = join(dir, "db-ro");
    mkdirSync(readOnlyDir);
    expect(mount(["--bind", join(dir, "db"), readOnlyDir])).toBe(true);
    mounts.push(readOnlyDir);
    expect(mount(["-o", "remount,bind,ro", readOnlyDir])).toBe(true);
    const readOnly: ServerSettings = { ...settings, port: await freePort(), databasePath: join(readOnlyDir, "articles.db") };
    let second: Child | undefined;
    try {
      writeFaultArticle(contentDir);
      const cli = await runIngestCli(readOnly);
      expect(cli.code, cli.log).toBe(1);
      expect(cli.stderr).toContain("ingest: the run stopped: attempt to write a readonly database");

      // A second server on the read-only path: it starts, says its ingest failed, and serves.
      second = await startServer(readOnly);
      expect(second.log()).toContain("ingest: the run stopped: attempt to write a readonly database");
      const readOnlyBase = `http://127.0.0.1:${readOnly.port}`;
      const before = await feedIds(base, "/en/feed.json");
      expect(await feedIds(readOnlyBase, "/en/feed.json")).toEqual(before);
      expect(before).not.toContain(FAULT_ARTICLE_ID);
      // Read while its scheduled runs fail again (every 2 s): it keeps trying, and keeps serving.
      const retried = waitForLog(second, /(ingest: the run stopped: attempt to write a readonly database[^]*){2}/, 10_000);
      const reading = await keepReading(readOnlyBase, retried);
      await retried;
      expect(reading.statuses).toEqual({ 200: expect.any(Number) });

      const fixed = await runIngestCli({ ...settings, env: {} });
      expect(fixed.code, fixed.log).toBe(0);
      expect(await feedIds(base, "/en/politics/feed.json")).toContain(FAULT_ARTICLE_ID);
      expect(await feedIds(readOnlyBase, "/en/politics/feed.json")).toContain(FAULT_ARTICLE_ID);
    } finally {
      if (second) await kill(second);
      await kill(writable);
      execFileSync("umount", [readOnlyDir]);
      mounts.splice(mounts.indexOf(readOnlyDir), 1);
    }
  }, 60_000);
});

describe.skipIf(!canMount)("the database on a full disk (a 2 MB tmpfs)", () => {
  it("keeps the server answering; runs report 'database or disk is full'; the next run after space is freed writes", async () => {
    const { dir, contentDir, settings, base } = await setup("full");
    const loaded = await runIngestCli({ ...settings, env: {} });
    expect(loaded.code, loaded.log).toBe(0);
    const disk = join(dir, "disk");
    mkdirSync(disk);
    expect(mount(["-t", "tmpfs", "-o", "size=2m", "tmpfs", disk])).toBe(true);
    mounts.push(disk);
    copyFileSync(settings.databasePath, join(disk, "articles.db"));
    const onDisk: ServerSettings = { ...settings, databasePath: join(disk, "articles.db") };
    const server = await startServer(onDisk);
    const filler = join(disk, "filler");
    try {
      // An empty write-ahead log, so the very next write needs space the disk no longer has.
      const checkpoint = new Database(onDisk.databasePath);
      checkpoint.pragma("wal_checkpoint(TRUNCATE)");
      checkpoint.close();
      const fd = openSync(filler, "w");
      try {
        const chunk = Buffer.alloc(16 * 1024, 1);
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        expect((error as NodeJS.ErrnoException).code).toBe("ENOSPC");
      } finally {
        closeSync(fd);
      }
      writeFaultArticle(contentDir);
      const cli = runIngestCli(onDisk);
      const reading = await keepReading(base, cli);
      const result = await cli;
      expect(reading.statuses).toEqual({ 200: expect.any(Number) });
      expect(result.code, result.log).toBe(1);
      expect(result.stderr).toMatch(/ingest: .*(database or disk is full|disk I\/O error)/);
      await waitForLog(server, /ingest: .*(database or disk is full|disk I\/O error)/, 10_000);

      rmSync(filler);
      await waitForRecovery(server);
      expect(await feedIds(base, "/en/politics/feed.json")).toContain(FAULT_ARTICLE_ID);
    } finally {
      await kill(server);
      execFileSync("umount", [disk]);
      mounts.splice(mounts.indexOf(disk), 1);
    }
  }, 60_000);
});
