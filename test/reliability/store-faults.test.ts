/**
 * The database file locked by another process, read-only, or on a full disk: the server keeps
 * answering from what is there (no 5xx, no stall), each ingest (the server's own on its schedule and
 * `npm run ingest`) reports the error in its run report and exit code, and the first run after the
 * fault is gone writes what was waiting.
 *
 * Read-only: a read-only bind mount of the database's folder (root, which these tests run as, writes
 * through file modes). Full disk: a 2 MB tmpfs filled to the last byte. Both need mount(8) to be
 * permitted; where it is not, those two tests are skipped and say so in their names and the output.
 */
import { BUSY_WAIT_MS } from "../../src/store/sqlite.ts";
import { freePort } from "../ports.ts";
import Database from "better-sqlite3";
import { execFileSync } from "node:child_process";
import { closeSync, copyFileSync, mkdirSync, openSync, readdirSync, readlinkSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  copyContent,
  kill,
  rawRequest,
  readFeedItems,
  runIngestCli,
  running,
  spawnIngest,
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
const NO_MOUNT = "skipped: mount(8) is not permitted here (it needs root with CAP_SYS_ADMIN)";
if (!canMount) console.warn(`store-faults: ${NO_MOUNT}; the read-only and full-disk database tests did not run`);

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

/** Reads a few feeds, one after the other, until `until` settles; how many answers had each status. */
async function keepReading(base: string, until: Promise<unknown>) {
  const paths = ["/en/feed.json", "/ko/rss.xml", "/ja/culture/atom.xml", "/zh-Hans/archive/2026-10/rss.xml", "/en/politics/feed.json"];
  let done = false;
  void until.finally(() => (done = true));
  const statuses = new Map<number, number>();
  for (let i = 0; !done || i < paths.length; i++) {
    const response = await rawRequest(`${base}${paths[i % paths.length]}?limit=${1 + (i % 30)}`);
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  }
  return { statuses: Object.fromEntries(statuses) };
}

async function feedIds(base: string, path: string) {
  const response = await rawRequest(`${base}${path}`);
  expect(response.status).toBe(200);
  return readFeedItems("feed.json", response.body.toString("utf8")).map((item) => item.id);
}

/**
 * Waits until process `pid` holds `path` open, read from /proc/<pid>/fd every 20 ms: the one event of a
 * child that prints nothing before it blocks.
 */
async function waitForOpenFile(pid: number, path: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let open: string[];
    try {
      open = readdirSync(`/proc/${pid}/fd`).map((fd) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          return "";
        }
      });
    } catch {
      throw new Error(`process ${pid} ended before it opened ${path}`);
    }
    if (open.includes(path)) return;
    if (Date.now() > until) throw new Error(`process ${pid} did not open ${path} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** How many run reports the server has logged so far. */
function runsLogged(server: Child): number {
  return server.log().match(/^\{"ingest":/gm)?.length ?? 0;
}

/** Waits until the server logs a run that wrote the waiting article. */
function waitForRecovery(server: Child) {
  return waitForLog(server, /^\{"ingest":\[\{"source":"content".*"new":1/m, 20_000);
}

describe("the database locked by another process", () => {
  it("keeps the server answering without stalls; runs report 'database is locked'; the next run writes", async () => {
    const { contentDir, settings, base } = await setup("locked");
    const server = await startServer(settings);
    try {
      // Taken just after one of the server's runs has finished (its report is the last thing it
      // logs), so the next scheduled run starts under the lock rather than finding it mid-run.
      await waitForLog(server, new RegExp(`(^\\{"ingest":[^]*){${runsLogged(server) + 1}}`, "m"), 10_000);
      const locker = new Database(settings.databasePath);
      locker.exec("BEGIN EXCLUSIVE");
      writeFaultArticle(contentDir);
      const command = spawnIngest(settings);
      const cli = command.exit.then(({ code }) => ({ code, log: command.log(), stderr: command.stderr() }));
      // The fault under test is timed by the store's real busy wait (BUSY_WAIT_MS, in the child
      // processes, where no clock can be injected), counted from when the command has opened the
      // database (its run's first write follows at once), however long a loaded machine took to start
      // it: held past the 5 s that the command and the server's runs wait for the lock, so their runs
      // stop, and let go in the middle of the 5 s that the command then waits to write its run report,
      // so the stopped run's report is kept.
      await waitForOpenFile(command.pid, settings.databasePath, 30_000);
      const held = new Promise((resolve) => setTimeout(resolve, BUSY_WAIT_MS + 2_500)).then(() => {
        locker.exec("COMMIT");
        locker.close();
      });
      // The server answers all along: a write waiting for the lock does not hold up the requests.
      const reading = await keepReading(base, held);
      await held;
      const result = await cli;

      expect(reading.statuses).toEqual({ 200: expect.any(Number) });
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

describe.skipIf(!canMount)(`the database on a read-only mount${canMount ? "" : ` (${NO_MOUNT})`}`, () => {
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

describe.skipIf(!canMount)(`the database on a full disk (a 2 MB tmpfs)${canMount ? "" : ` (${NO_MOUNT})`}`, () => {
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
