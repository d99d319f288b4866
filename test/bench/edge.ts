/**
 * The edge part of the bench: CPU per cached feed request in workerd, the Worker as `wrangler deploy`
 * bundles it, each configuration in its own workerd process under Miniflare (wrangler's local runtime,
 * without wrangler dev's proxy in front), side by side in interleaved rounds:
 *
 * - ours with FEED_VERSION_TTL=5 (the default: the feed's version and its document kept in the isolate,
 *   no D1 query and no Cache API lookup);
 * - ours with FEED_VERSION_TTL=0 (a D1 query for the version on every request);
 * - a bare Worker that answers the same bytes with the same headers from its memory, the least a cached
 *   answer can cost here.
 *
 * CPU is the workerd process's (user + system, /proc), all its threads: the Worker, and the local
 * Cache API and D1, which Miniflare runs in the same process (on Cloudflare they are services apart,
 * not billed as the Worker's CPU). So ours minus bare is what the app adds to a cached request, and
 * TTL 0 minus TTL 5 what a D1 query per request costs here.
 *
 *   npx tsx test/bench/edge.ts [--quick]
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Miniflare } from "miniflare";
import { buildEdge } from "../../src/cli/build-edge.ts";
import { ROOT } from "./data.ts";
import { compared, median, paired, spread, type Figure } from "./figures.ts";
import { loadGenerator, type LoadResult } from "./load.ts";
import { pinForLoad } from "./processes.ts";

const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
const QUIET_ENV = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" };
/** wrangler.toml's database_id: wrangler keeps the local D1 under it. */
const DATABASE_ID = "00000000-0000-0000-0000-000000000000";
const SITE_URL = "https://news.example";
const PATH = "/en/rss.xml";
const CONNECTIONS = 16;

/** The bare Worker: the bytes and headers it is given once, kept in its memory and answered as they are. */
const BARE_WORKER = `
let body;
let headers;
export default {
  async fetch(request) {
    if (request.method === "PUT") {
      headers = JSON.parse(request.headers.get("x-bare-headers"));
      body = new Uint8Array(await request.arrayBuffer());
      return new Response("primed");
    }
    return new Response(body, { headers });
  },
};
`;

interface Server {
  name: string;
  mf: Miniflare;
  url: URL;
  pid: number;
}

const run = (args: string[], what: string) => {
  const result = spawnSync(process.execPath, [WRANGLER, ...args], { cwd: ROOT, env: QUIET_ENV, encoding: "utf8", timeout: 180_000 });
  if (result.status !== 0) throw new Error(`bench edge: ${what} failed:\n${result.stdout}${result.stderr}`);
};

/** This process's workerd children now. */
function workerdChildren(): Set<number> {
  const pids = new Set<number>();
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    let children: string[];
    try {
      children = readFileSync(`/proc/${process.pid}/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
    } catch {
      continue;
    }
    for (const child of children) {
      try {
        if (readFileSync(`/proc/${child}/comm`, "utf8").trim() === "workerd") pids.add(Number(child));
      } catch {
        // Gone meanwhile.
      }
    }
  }
  return pids;
}

/** CPU time (ms) of one process, every thread, from /proc/<pid>/stat (100 Hz ticks). */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A Miniflare instance (one workerd process), moved to the server CPU when the bench is pinned. */
async function start(name: string, options: ConstructorParameters<typeof Miniflare>[0], serverCpu: number | null): Promise<Server> {
  const before = workerdChildren();
  const mf = new Miniflare({ host: "127.0.0.1", port: 0, compatibilityDate: "2026-04-20", ...options });
  const url = await mf.ready;
  const [pid, ...more] = [...workerdChildren()].filter((p) => !before.has(p));
  if (pid === undefined || more.length) throw new Error(`bench edge: cannot tell ${name}'s workerd process`);
  if (serverCpu !== null) spawnSync("taskset", ["-a", "-p", "-c", String(serverCpu), String(pid)]);
  return { name, mf, url, pid };
}

export interface EdgeBenchOptions {
  quick: boolean;
  log: (line: string) => void;
}

export async function edgeBench({ quick, log }: EdgeBenchOptions): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), "hanbit-bench-edge-"));
  const servers: Server[] = [];
  const pin = pinForLoad();
  try {
    buildEdge();
    run(["deploy", "--dry-run", "--outdir", join(dir, "bundle")], "wrangler deploy --dry-run");
    const script = readdirSync(join(dir, "bundle")).find((f) => f.endsWith(".js"))!;
    const scriptPath = join(dir, "bundle", script);
    // The local D1 as `wrangler d1 migrations apply --local` makes it, loaded once by a cron event, then copied per server.
    const loaded = join(dir, "d1-loaded");
    run(["d1", "migrations", "apply", "hanbit-feeds", "--local", "--persist-to", loaded], "wrangler d1 migrations apply");
    const ours = (persist: string, ttl: string): ConstructorParameters<typeof Miniflare>[0] => ({
      modules: true,
      scriptPath,
      modulesRoot: join(dir, "bundle"),
      d1Databases: { DB: DATABASE_ID },
      d1Persist: join(persist, "v3", "d1"),
      bindings: { SITE_URL, INGEST_WRITE_BUDGET: "100000", FEED_VERSION_TTL: ttl },
    });
    const loader = await start("loader", ours(loaded, "0"), null);
    await (await loader.mf.getWorker()).scheduled({ cron: "*/5 * * * *" });
    await loader.mf.dispose();

    const serverCpu = pin.note.includes("CPU 1") ? 1 : null;
    for (const [name, ttl] of [
      ["ours, version kept 5 s", "5"],
      ["ours, version read per request", "0"],
    ] as const) {
      const persist = join(dir, `d1-${ttl}`);
      cpSync(loaded, persist, { recursive: true });
      servers.push(await start(name, ours(persist, ttl), serverCpu));
    }
    const sample = await servers[0]!.mf.dispatchFetch(`${servers[0]!.url.origin}${PATH}`);
    const body = await sample.arrayBuffer();
    if (sample.status !== 200 || body.byteLength < 1000) throw new Error(`bench edge: ${PATH} answered ${sample.status}`);
    const headers = Object.fromEntries([...sample.headers].filter(([name]) => name !== "x-cache" && name !== "content-length"));
    const bare = await start("bare Worker, bytes in memory", { modules: true, script: BARE_WORKER }, serverCpu);
    servers.push(bare);
    await fetch(bare.url, { method: "PUT", headers: { "x-bare-headers": JSON.stringify(headers) }, body });

    // Every server answers the same bytes, ours from the Cache API (X-Cache: HIT).
    for (const server of servers) {
      for (let i = 0; i < 2; i++) {
        const response = await fetch(new URL(PATH, server.url));
        const bytes = Buffer.from(await response.arrayBuffer());
        if (!bytes.equals(Buffer.from(body))) throw new Error(`bench edge: ${server.name} answered other bytes`);
        if (i === 1 && server !== bare && response.headers.get("x-cache") !== "HIT")
          throw new Error(`bench edge: ${server.name} did not answer from the Cache API`);
      }
    }

    const generator = loadGenerator();
    const rounds = quick ? 2 : 5;
    const seconds = quick ? 2 : 4;
    log(
      `${generator.note}; ${pin.note}; ${rounds} interleaved rounds of ${seconds} s, ${CONNECTIONS} connections, GET ${PATH} (${body.byteLength} bytes, identity)`,
    );
    const cpu = new Map<Server, number[]>(servers.map((s) => [s, []]));
    const rps = new Map<Server, number[]>(servers.map((s) => [s, []]));
    const clientCpu: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const server of round % 2 ? [...servers].reverse() : servers) {
        const before = processCpuMs(server.pid);
        const load: LoadResult = await generator.run(Number(server.url.port), [{ method: "GET", path: PATH }], seconds, CONNECTIONS);
        const used = processCpuMs(server.pid) - before;
        if (load.errors > 0) throw new Error(`bench edge: ${server.name}: ${load.errors} errors under load`);
        cpu.get(server)!.push((used * 1000) / load.total);
        rps.get(server)!.push(load.rps);
        if (load.clientCpu !== null) clientCpu.push(load.clientCpu);
      }
    }
    for (const server of servers)
      log(
        `  ${server.name.padEnd(34)} ${median(cpu.get(server)!).toFixed(0).padStart(6)} µs CPU/request (${spread(cpu.get(server)!, 0)}), ` +
          `${median(rps.get(server)!).toFixed(0)} req/s`,
      );
    if (clientCpu.length) log(`  load generator CPU: at most ${(Math.max(...clientCpu) * 100).toFixed(0)}% of a core`);

    const [kept, perRequest] = servers as [Server, Server, Server];
    const figure = (server: Server, base: Server, baseName: string) =>
      paired(
        compared(
          "edge",
          `edge: workerd CPU per cached GET ${PATH}, ${server.name} vs ${baseName}`,
          median(cpu.get(server)!),
          "µs",
          median(cpu.get(base)!),
          baseName,
          false,
          null,
          spread(cpu.get(server)!, 0),
        ),
        cpu.get(server)!,
        cpu.get(base)!,
        false,
      );
    return [
      figure(kept, perRequest, "version read per request"),
      figure(kept, bare, "bare Worker"),
      figure(perRequest, bare, "bare Worker"),
    ];
  } finally {
    for (const server of servers) await server.mf.dispose().catch(() => undefined);
    pin.restore();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename) {
  const { printFigures, jsonLine } = await import("./figures.ts");
  const figures = await edgeBench({ quick: process.argv.includes("--quick"), log: console.log });
  printFigures(figures);
  for (const f of figures) console.log(jsonLine(f));
}
