/**
 * The ingest lease in one process: two cron ticks at once never both ingest; a lease left by a dead
 * process (SIGKILL) is taken over at once rather than after its ten minutes; a run that lost its
 * lease stops; a database that cannot be written makes a report, never an exception, and the next
 * run succeeds once it can.
 */
import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LEASE, LEASE_TTL_MS } from "../../src/ingest/lease.ts";
import { runIngest } from "../../src/ingest/run.ts";
import { processLease } from "../../src/runtime/node-setup.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import { INGEST_NOW, ingestDeps, memoryLogger, testSite } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "hanbit-lease-"));
let databases = 0;
const database = () => join(dir, `lease-${++databases}.db`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The PID of a process that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid!;
}

const articleIds = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT id FROM articles").pluck().all() as string[];
  } finally {
    db.close();
  }
};

describe("processLease (Node)", () => {
  const lease = processLease();
  const [, machine, life] = /^(.*):\d+:([0-9a-f]{8})$/.exec(lease.owner) ?? [];

  it("names this machine (host and PID namespace), this process and this life of it", () => {
    expect(lease.owner).toBe(`${machine}:${process.pid}:${life}`);
    expect(machine).not.toBe("");
  });

  it("knows a holder whose process exited on this machine is dead, and nothing else", async () => {
    const child = spawn(process.execPath, ["-e", "process.stdin.resume()"], { stdio: ["pipe", "ignore", "ignore"] });
    try {
      expect(lease.isDead(`${machine}:${await deadPid()}:0badf00d:run`)).toBe(true);
      expect(lease.isDead(`${machine}:${child.pid}:0badf00d:run`)).toBe(false);
      expect(lease.isDead(`${lease.owner}:run`)).toBe(false);
      // This process's id, another life: the process that had the id before is gone.
      expect(lease.isDead(`${machine}:${process.pid}:0badf00d:run`)).toBe(true);
      expect(lease.isDead(`another-host:${await deadPid()}:0badf00d:run`)).toBe(false);
      expect(lease.isDead("5d4a3c1e-7f0b-4d8e-9b1a-2c3d4e5f6a7b")).toBe(false);
    } finally {
      child.kill("SIGKILL");
    }
  });
});

describe("runIngest and the lease", () => {
  it("lets only one of two cron ticks that fire together in one process ingest", async () => {
    const path = database();
    const store = openSqliteStore(path);
    const deps = ingestDeps(store, testSite(), undefined, { lease: processLease() });
    const [first, second] = await Promise.all([runIngest(deps), runIngest(deps)]);
    const reports = [first, second];
    expect(reports.filter((r) => r.skipped === "another ingest run holds the lease")).toHaveLength(1);
    const ran = reports.find((r) => !r.skipped)!;
    expect(ran.sources[0]).toMatchObject({ source: "content", new: 56 });
    const ids = articleIds(path);
    expect(ids).toHaveLength(56);
    expect(new Set(ids).size).toBe(56);
    expect(await store.recentRuns(10)).toHaveLength(2);
    expect(await store.leaseHolder(LEASE)).toBeNull();
    await store.close();
  });

  it("takes over at once a lease whose holder's process is dead, and says whose", async () => {
    const store = openSqliteStore(database());
    const lease = processLease();
    const machine = lease.owner.split(":").slice(0, -2).join(":");
    const dead = `${machine}:${await deadPid()}:0badf00d:5d4a3c1e-7f0b-4d8e-9b1a-2c3d4e5f6a7b`;
    expect(await store.acquireLease(LEASE, dead, INGEST_NOW, LEASE_TTL_MS)).toBe(true);
    const logger = memoryLogger();
    const report = await runIngest(ingestDeps(store, testSite(), undefined, { lease, logger }));
    expect(report.skipped).toBeUndefined();
    expect(report.tookOverFrom).toBe(dead);
    expect(report.sources[0]).toMatchObject({ source: "content", new: 56 });
    expect(logger.infos.join("\n")).toContain(`took over the lease of a run that ended without releasing it (${dead})`);
    expect(await store.leaseHolder(LEASE)).toBeNull();
    await store.close();
  });

  it("waits out a live holder's lease, and one it cannot check (no runtime help, as on Workers) until it expires", async () => {
    const store = openSqliteStore(database());
    const lease = processLease();
    const child = spawn(process.execPath, ["-e", "process.stdin.resume()"], { stdio: ["pipe", "ignore", "ignore"] });
    try {
      const machine = lease.owner.split(":").slice(0, -2).join(":");
      const live = `${machine}:${child.pid}:0badf00d:1f2e`;
      const now = INGEST_NOW;
      await store.acquireLease(LEASE, live, now, LEASE_TTL_MS);
      expect((await runIngest(ingestDeps(store, testSite(), undefined, { lease }))).skipped).toBe("another ingest run holds the lease");
      await store.releaseLease(LEASE, live);
      const dead = `${machine}:${await deadPid()}:0badf00d:2a3b`;
      await store.acquireLease(LEASE, dead, now, LEASE_TTL_MS);
      expect((await runIngest(ingestDeps(store, testSite()))).skipped).toBe("another ingest run holds the lease");
      const later = await runIngest(ingestDeps(store, testSite(), undefined, { now: () => now + LEASE_TTL_MS + 1 }));
      expect(later.skipped).toBeUndefined();
      expect(later.sources[0]).toMatchObject({ new: 56 });
    } finally {
      child.kill("SIGKILL");
      await store.close();
    }
  });

  it("stops before the next source once another run has taken its (expired) lease", async () => {
    const store = openSqliteStore(database());
    const site = testSite();
    const source = (id: string) => ({
      id,
      kind: "feed" as const,
      url: `https://wire.example/${id}.xml`,
      lang: "en",
      section: "business",
      sections: {},
      timezone: "Asia/Seoul",
      minInterval: 0,
      maxBytes: 1 << 20,
    });
    site.settings = { ...site.settings, sources: [source("first"), source("second")] };
    const fetched: string[] = [];
    const report = await runIngest(
      ingestDeps(store, site, undefined, {
        fetch: async (url) => {
          fetched.push(url instanceof Request ? url.url : url.toString());
          // This run stalled past its lease: another run found it expired and took it.
          await store.acquireLease(LEASE, "another-run", INGEST_NOW + LEASE_TTL_MS, LEASE_TTL_MS);
          return new Response(
            '<rss version="2.0"><channel><title>t</title><link>https://wire.example/</link><description>d</description></channel></rss>',
            {
              headers: { "Content-Type": "application/rss+xml" },
            },
          );
        },
      }),
    );
    expect(fetched).toEqual(["https://wire.example/first.xml"]);
    expect(report.sources.map((s) => s.source)).toEqual(["content", "first"]);
    expect(report.error).toMatch(/another run took the lease .*1 sources left for the next run/);
    expect(await store.leaseHolder(LEASE)).toBe("another-run");
    await store.close();
  });
});

describe("runIngest on a database another process has locked", () => {
  it("reports the error instead of throwing, and the next run after the lock is gone ingests everything", async () => {
    const path = database();
    const store = openSqliteStore(path, 300);
    const locker = new Database(path);
    locker.exec("BEGIN EXCLUSIVE");
    const logger = memoryLogger();
    const deps = ingestDeps(store, testSite(), undefined, { lease: processLease(), logger });
    const locked = await runIngest(deps);
    expect(locked.error).toMatch(/^ingest: the run stopped: database is locked/);
    expect(locked.sources).toEqual([]);
    expect(logger.errors.join("\n")).toMatch(/unable to keep the run report: database is locked/);
    locker.exec("COMMIT");
    locker.close();
    const after = await runIngest(deps);
    expect(after.error).toBeUndefined();
    expect(after.sources[0]).toMatchObject({ new: 56 });
    await store.close();
  });

  it("fails the source, not each article in turn, when the lock comes mid-run; the run's lease is taken back by the next run here", async () => {
    const path = database();
    const store = openSqliteStore(path, 300);
    const locker = new Database(path);
    const base = ingestDeps(store, testSite(), undefined, { lease: processLease() });
    const report = await runIngest({
      ...base,
      content: () => {
        locker.exec("BEGIN EXCLUSIVE");
        return base.content!();
      },
    });
    // One wait for the lock (the article write), then the run's end (report, lease): the source
    // fails as a whole, no article is rejected one by one.
    expect(report.sources[0]).toMatchObject({ source: "content", status: "failed", new: 0, rejected: [] });
    expect(report.sources[0]!.error).toMatch(/database is locked/);
    locker.exec("COMMIT");
    locker.close();
    expect(articleIds(path)).toEqual([]);
    const after = await runIngest(base);
    expect(after.tookOverFrom).toMatch(new RegExp(`^${base.lease!.owner}:`));
    expect(after.sources[0]).toMatchObject({ new: 56 });
    await store.close();
  });
});
