/**
 * The Node server as `npm start` runs it (the built bundle, its parse worker beside it), ingesting every
 * 2 s from upstreams on 127.0.0.1 that send hostile documents: an author of `a` + `<@` x 2000, an
 * address of 100 000 dots, 8 MB of tiny HTML elements in one item, 200 000 attributes on one element,
 * and elements nested 100 000 deep in the XML and in an item's HTML. A reader asks for a feed every
 * 200 ms all along, through several runs that read them all, and the same of a control server that ingests
 * nothing, at the same moments. No answer may take a second longer than the control's: only a frozen
 * event loop (one of those documents read on it, as before, takes seconds) comes near that. Each
 * hostile document's ingest ends within 2 s, or is stopped by the parse worker's deadline or heap cap
 * and says so.
 */
import Database from "better-sqlite3";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNode } from "../../src/cli/build-node.ts";
import { waitForOutput } from "../child-output.ts";
import { freePort } from "../ports.ts";
import { copyContent, rawRequest, ROOT, SERVING, tempDir } from "../reliability/harness.ts";
import { deepNesting, denseHtml, hostileAuthor, hostileEmail, manyAttributes, type HostileDocument } from "./hostile-documents.ts";

/** Far above any answer of a server whose loop runs (tens of ms here, even on a loaded machine), far below a frozen one. */
const FROZEN_MS = 1_000;
const RUNS = 3;
const STOPPED = /parsing took longer than \d+ ms; stopped|parsing needed more than \d+ MB; stopped/;

const DOCUMENTS: HostileDocument[] = [
  hostileAuthor(),
  hostileEmail(),
  // Just under the text one item may bring (read, at the sanitizer's full cost), and far over it (refused unread).
  denseHtml(0.95, "dense-html"),
  denseHtml(8, "dense-8mb"),
  manyAttributes(),
  ...deepNesting(),
];

interface SourceLine {
  source: string;
  status: string;
  rejected: number;
  error?: string;
  ms: number;
}

let upstream: Server;
let child: ChildProcess | undefined;
let control: ChildProcess | undefined;
let log = "";
const dirs: string[] = [];

beforeAll(async () => {
  let served = 0;
  // Encoded once: this process also measures the answers, so it does no heavy work while serving.
  const bodies = new Map(DOCUMENTS.map((d) => [`/${d.name}.xml`, { type: d.contentType, bytes: Buffer.from(d.text) }]));
  upstream = createServer((request, response) => {
    const body = bodies.get(request.url ?? "");
    if (!body) return void response.writeHead(404).end();
    response.writeHead(200, { "Content-Type": `${body.type}; charset=utf-8` });
    response.write(body.bytes);
    // Never the same text twice, so a document read whole is read again next run, not skipped as unchanged.
    response.end(`<!-- ${++served} -->\n`);
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
}, 60_000);

afterAll(async () => {
  child?.kill("SIGKILL");
  control?.kill("SIGKILL");
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The built server (`npm start`'s bundle) on `port`, its output handed to `onOutput`. */
function startBuilt(
  serverJs: string,
  o: { port: number; databasePath: string; contentDir: string; schedule: string },
  onOutput: (chunk: string) => void,
): ChildProcess {
  const started = spawn(process.execPath, ["--enable-source-maps", serverJs], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      PORT: String(o.port),
      HOST: "127.0.0.1",
      DATABASE_PATH: o.databasePath,
      SITE_URL: `http://127.0.0.1:${o.port}`,
      CONTENT_DIR: o.contentDir,
      INGEST_SCHEDULE: o.schedule,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.stdout.setEncoding("utf8").on("data", onOutput);
  started.stderr.setEncoding("utf8").on("data", onOutput);
  return started;
}

/** Every run report the server has logged so far, one array of source lines per run. */
function runs(): SourceLine[][] {
  return log
    .split("\n")
    .filter((line) => line.startsWith('{"ingest":'))
    .map((line) => (JSON.parse(line) as { ingest: SourceLine[] }).ingest);
}

describe("the server ingesting hostile upstreams every 2 s", () => {
  it(`answers every feed request in under ${FROZEN_MS} ms through ${RUNS} runs that read them all`, { timeout: 240_000 }, async () => {
    mkdirSync(join(ROOT, ".build"), { recursive: true });
    const buildDir = mkdtempSync(join(ROOT, ".build", "test-frozen-"));
    dirs.push(buildDir);
    const serverJs = await buildNode(buildDir);
    const dir = tempDir("never-frozen");
    dirs.push(dir);
    const origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const sources = DOCUMENTS.map(
      (d) =>
        `  - id: ${d.name}\n    kind: feed\n    url: ${origin}/${d.name}.xml\n    lang: en\n    section: politics\n` +
        `    min_interval: 0\n    max_bytes: 16777216\n`,
    ).join("");
    const contentDir = copyContent(dir, `sources:\n${sources}`);
    const databasePath = join(dir, "articles.db");
    const port = await freePort();
    child = startBuilt(serverJs, { port, databasePath, contentDir, schedule: "*/2 * * * * *" }, (chunk) => (log += chunk));
    // The control: the same server over the same articles, ingesting nothing while the test runs (its
    // one start-up run reads no upstream). It is asked at the same moments, so what the machine's load
    // does to an answer shows in both, and what ingest does to ours shows in ours alone.
    const controlDir = tempDir("never-frozen-control");
    dirs.push(controlDir);
    const controlPort = await freePort();
    let controlLog = "";
    control = startBuilt(
      serverJs,
      { port: controlPort, databasePath: join(controlDir, "articles.db"), contentDir: copyContent(controlDir), schedule: "0 0 1 1 *" },
      (chunk) => (controlLog += chunk),
    );
    await waitForOutput(child, () => log, SERVING, 30_000);
    await waitForOutput(control, () => controlLog, SERVING, 30_000);

    // A source that failed waits (backs off) for minutes: after each run the test makes every source
    // due again, so the next run reads every hostile document once more.
    const db = new Database(databasePath);
    const readAll = () => db.prepare("UPDATE source_state SET next_ms = 0").run();
    const latencies: number[] = [];
    /** How much longer each answer of ours took than the control's, asked at the same moment. */
    const excess: number[] = [];
    let polling = true;
    const failures: string[] = [];
    const timed = async (url: string) => {
      const t0 = performance.now();
      try {
        const response = await rawRequest(url, { timeoutMs: 30_000 });
        if (response.status !== 200) failures.push(`${url}: HTTP ${response.status}`);
      } catch (error) {
        failures.push(`${url}: ${(error as Error).message}`);
      }
      return performance.now() - t0;
    };
    const poller = (async () => {
      while (polling) {
        const started = performance.now();
        const [ours, theirs] = await Promise.all([
          timed(`http://127.0.0.1:${port}/en/feed.json`),
          timed(`http://127.0.0.1:${controlPort}/en/feed.json`),
        ]);
        latencies.push(ours);
        excess.push(ours - theirs);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 200 - (performance.now() - started))));
      }
    })();

    const names = DOCUMENTS.map((d) => d.name);
    const readingAll = (run: SourceLine[]) => names.every((name) => run.some((s) => s.source === name && s.status !== "not-due"));
    try {
      for (let seen = 0; runs().filter(readingAll).length < RUNS;) {
        await waitForOutput(child, () => log, new RegExp(`(^\\{"ingest":[^]*){${seen + 1}}`, "m"), 60_000);
        seen = runs().length;
        readAll();
      }
    } finally {
      polling = false;
      await poller;
      db.close();
    }

    const sorted = [...latencies].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const max = sorted.at(-1)!;
    const worst = Math.max(...excess);
    console.log(
      `never-frozen: ${latencies.length} feed requests, median ${median.toFixed(1)} ms, max ${max.toFixed(1)} ms; ` +
        `at most ${worst.toFixed(1)} ms longer than the control's answer at the same moment`,
    );
    const full = runs().filter(readingAll);
    for (const run of full) {
      console.log(`never-frozen: run: ${run.map((s) => `${s.source} ${s.status} ${s.ms} ms${s.error ? ` (${s.error})` : ""}`).join("; ")}`);
    }
    expect(failures, log.slice(-2_000)).toEqual([]);
    expect(worst, `the slowest of ${latencies.length} answers, over the control's at the same moment`).toBeLessThan(FROZEN_MS);
    expect(latencies.length).toBeGreaterThan(RUNS * 5);
    // Within 2 s, or stopped with the reason: judged on each document's median over the runs, so that one
    // run slowed by the machine's other work does not count as the document's cost.
    for (const name of names) {
      const lines = full.map((run) => run.find((s) => s.source === name)!);
      const middle = [...lines].sort((a, b) => a.ms - b.ms)[Math.floor(lines.length / 2)]!;
      if (middle.ms > 2_000) expect(middle.error, `${name}: ${lines.map((l) => l.ms).join(", ")} ms`).toMatch(STOPPED);
    }
    // The 8 MB of elements is more text than one item may bring: refused unread every time.
    for (const run of full) expect(run.find((s) => s.source === "dense-8mb")).toMatchObject({ status: "fetched", rejected: 1 });
  });
});
