/**
 * Parts 1 to 3 and 7 of the benchmarks: our real server (src/runtime/node.ts, a child process over a
 * generated SQLite file) against the limit (bare node:http, nginx when installed) serving the same bytes
 * with the same headers, and against the common way (Hono + `feed` per request); and the peak RSS of our
 * server over the 1M-article database under load. Requests cycle over `/{lang}/rss.xml` of the four
 * languages. The load generator (load.ts: wrk where installed) is pinned to CPU 0 and the servers to
 * CPU 1; rounds interleave the servers (A B A B). The primary figure is each server's own CPU time per
 * request, read from /proc, because on 2 cores req/s also depends on the client; req/s is given beside
 * it, with the proof in every round that the client was not the bottleneck.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request, type IncomingHttpHeaders } from "node:http";
import { join } from "node:path";
import { buildNode } from "../../src/cli/build-node.ts";
import type { SiteSettings } from "../../src/config/site.ts";
import { FORMATS } from "../../src/feeds/formats.ts";
import { ROOT, SITE_URL } from "./data.ts";
import { compared, median, paired, raisedTo, spread, type Figure } from "./figures.ts";
import { freePort } from "../ports.ts";
import { loadGenerator, type LoadGenerator, type LoadRequest, type LoadResult } from "./load.ts";
import { cpuMs, findNginx, pinForLoad, residentMb, startChild, startNginx, stopChild, type Child } from "./processes.ts";
import type { BareManifest } from "./servers/bare.ts";

const SCENARIOS = ["200 identity", "200 gzip", "200 br", "304", "HEAD"] as const;
type Scenario = (typeof SCENARIOS)[number];
const EXPECTED: Record<Scenario, { status: number; encoding?: "gzip" | "br"; body: boolean }> = {
  "200 identity": { status: 200, body: true },
  "200 gzip": { status: 200, encoding: "gzip", body: true },
  "200 br": { status: 200, encoding: "br", body: true },
  "304": { status: 304, body: false },
  HEAD: { status: 200, body: false },
};
const CONNECTIONS = 32;

export interface HttpOptions {
  quick: boolean;
  dir: string;
  contentDir: string;
  settings: SiteSettings;
  databasePath: string;
  log: (line: string) => void;
}

/** What the load generator sends for one scenario to one server: one request per language, in turn. */
type Requests = LoadRequest[];

interface Participant {
  name: string;
  child: Child;
  requests: Partial<Record<Scenario, Requests>>;
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request with node:http (no decoding), for set-up and checks. */
export function fetchRaw(port: number, path: string, headers: Record<string, string> = {}, method = "GET"): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** The generator every load of this bench run uses: wrk where installed. */
let generator: LoadGenerator | undefined;
function theGenerator(): LoadGenerator {
  return (generator ??= loadGenerator());
}

/** `seconds` of load on 127.0.0.1:`port`, cycling over `requests`. */
export function load(port: number, requests: Requests, seconds: number, connections = CONNECTIONS): Promise<LoadResult> {
  return theGenerator().run(port, requests, seconds, connections);
}

function requestsFor(scenario: Scenario, paths: readonly string[], etags: ReadonlyMap<string, string>): Requests {
  return paths.map((path): LoadRequest => {
    switch (scenario) {
      case "200 identity":
        return { method: "GET", path };
      case "200 gzip":
        return { method: "GET", path, headers: { "accept-encoding": "gzip" } };
      case "200 br":
        return { method: "GET", path, headers: { "accept-encoding": "br" } };
      case "304":
        return { method: "GET", path, headers: { "if-none-match": etags.get(path)! } };
      case "HEAD":
        return { method: "HEAD", path };
    }
  });
}

/** Checks one request of each kind before timing it: status, encoding and length as expected. */
async function check(p: Participant, scenario: Scenario, lengths: ReadonlyMap<string, number>) {
  const expected = EXPECTED[scenario];
  for (const r of p.requests[scenario]!) {
    const res = await fetchRaw(p.child.port, r.path, r.headers ?? {}, r.method);
    const problem =
      res.status !== expected.status
        ? `status ${res.status}, not ${expected.status}`
        : (res.headers["content-encoding"] ?? undefined) !== expected.encoding
          ? `Content-Encoding ${res.headers["content-encoding"]}, not ${expected.encoding}`
          : expected.body && p.name !== "common way" && res.body.byteLength !== lengths.get(`${r.path} ${expected.encoding ?? "identity"}`)
            ? `a body of ${res.body.byteLength} bytes, not the same bytes as ours`
            : !expected.body && res.body.byteLength !== 0
              ? "a body"
              : null;
    if (problem) throw new Error(`bench: ${p.name} answered ${scenario} ${r.path} with ${problem}`);
  }
}

/**
 * The server as `npm start` runs it: built once per bench run into a folder of its own inside the
 * project (its imports of npm packages resolve from there), removed when the bench exits.
 */
let built: Promise<string> | undefined;

/** Starts our server (src/runtime/node.ts, built as `npm start` builds and runs it) on `databasePath`. */
export async function startOurs(o: Pick<HttpOptions, "contentDir" | "databasePath">, name = "our server"): Promise<Child> {
  const port = await freePort();
  built ??= (() => {
    mkdirSync(join(ROOT, ".build"), { recursive: true });
    const dir = mkdtempSync(join(ROOT, ".build", "bench-server-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    return buildNode(dir);
  })();
  const server = await built;
  return startChild(
    name,
    [server],
    {
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_PATH: o.databasePath,
      CONTENT_DIR: o.contentDir,
      SITE_URL,
      // No scheduled ingest during a measurement (it runs once at start, as always).
      INGEST_SCHEDULE: "0 0 1 1 *",
    },
    { port, pattern: /http: serving/ },
    60_000,
    ["--enable-source-maps"],
  );
}

/** Headers the limit servers copy from ours: everything but what each server writes itself. */
const OWN_HEADERS = new Set(["date", "connection", "keep-alive", "content-length", "content-encoding", "transfer-encoding"]);

export async function httpBench(o: HttpOptions): Promise<Figure[]> {
  const rounds = o.quick ? 3 : 7;
  const seconds = o.quick ? 0.6 : 3;
  const warmup = o.quick ? 0.3 : 1.5;
  const paths = o.settings.languages.map((l) => `/${l.tag}/rss.xml`);
  const started: Child[] = [];
  const pinned = pinForLoad();
  o.log(`  ${pinned.note}; ${theGenerator().note}`);
  try {
    const ours = await startOurs(o);
    started.push(ours);

    // The bytes ours sends, per path and encoding, become the files the limit servers send.
    const www = join(o.dir, "www");
    const manifest: BareManifest = {};
    const lengths = new Map<string, number>();
    const etags = new Map<string, string>();
    let documentKb = 0;
    const itemCounts: number[] = [];
    for (const path of paths) {
      const file = join(www, path);
      mkdirSync(join(file, ".."), { recursive: true });
      const identity = await fetchRaw(ours.port, path);
      if (identity.status !== 200) throw new Error(`bench: our server answered ${path} with ${identity.status}`);
      const items = identity.body.toString("utf8").split("<item>").length - 1;
      if (items === 0) throw new Error(`bench: ${path} has no items`);
      itemCounts.push(items);
      documentKb += identity.body.byteLength / 1024 / paths.length;
      writeFileSync(file, identity.body);
      lengths.set(`${path} identity`, identity.body.byteLength);
      for (const encoding of ["gzip", "br"] as const) {
        const res = await fetchRaw(ours.port, path, { "accept-encoding": encoding });
        if (res.headers["content-encoding"] !== encoding) throw new Error(`bench: our server sent ${path} without ${encoding}`);
        writeFileSync(`${file}.${encoding === "gzip" ? "gz" : "br"}`, res.body);
        lengths.set(`${path} ${encoding}`, res.body.byteLength);
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(identity.headers))
        if (!OWN_HEADERS.has(name) && typeof value === "string") headers[name] = value;
      etags.set(path, identity.headers.etag!);
      manifest[path] = { files: { identity: file, gzip: `${file}.gz`, br: `${file}.br` }, headers, etag: identity.headers.etag! };
    }
    const manifestPath = join(o.dir, "bare-manifest.json");
    writeFileSync(manifestPath, JSON.stringify(manifest));
    o.log(
      `  documents: ${paths.join(", ")}: ${itemCounts.join(", ")} items, ${documentKb.toFixed(0)} KB on average (gzip ${avgKb(lengths, "gzip")} KB, br ${avgKb(lengths, "br")} KB)`,
    );

    const nginxBinary = findNginx();
    const [bare, common, nginx] = await Promise.all([
      startChild("bare node:http", ["test/bench/servers/bare.ts", manifestPath], {}, "json-port"),
      startChild(
        "common way",
        ["test/bench/servers/common.ts"],
        { DATABASE_PATH: o.databasePath, CONTENT_DIR: o.contentDir, SITE_URL },
        "json-port",
      ),
      nginxBinary ? startNginx(nginxBinary, o.dir, www, FORMATS.rss.contentType) : Promise.resolve(null),
    ]);
    started.push(bare, common, ...(nginx ? [nginx] : []));
    if (!nginx) o.log("  nginx: not installed, so not measured (apt-get install nginx to add it)");
    else if (!nginx.brotli)
      o.log("  nginx: no brotli_static module (apt-get install libnginx-mod-http-brotli-static), so no nginx br figure");

    const participants: Participant[] = [
      { name: "ours", child: ours, requests: Object.fromEntries(SCENARIOS.map((s) => [s, requestsFor(s, paths, etags)])) },
      { name: "bare node", child: bare, requests: Object.fromEntries(SCENARIOS.map((s) => [s, requestsFor(s, paths, etags)])) },
      { name: "common way", child: common, requests: { "200 identity": requestsFor("200 identity", paths, etags) } },
    ];
    if (nginx) {
      const nginxEtags = new Map<string, string>();
      for (const path of paths) nginxEtags.set(path, (await fetchRaw(nginx.port, path, {}, "HEAD")).headers.etag!);
      const kinds = SCENARIOS.filter((s) => s !== "200 br" || nginx.brotli);
      participants.push({
        name: "nginx",
        child: nginx,
        requests: Object.fromEntries(kinds.map((s) => [s, requestsFor(s, paths, nginxEtags)])),
      });
    }
    for (const p of participants) for (const s of SCENARIOS) if (p.requests[s]) await check(p, s, lengths);

    const runs = SCENARIOS.flatMap((scenario) => participants.filter((p) => p.requests[scenario]).map((p) => ({ scenario, p })));
    o.log(
      `  ${runs.length} runs a round: ${CONNECTIONS} connections, ${seconds} s each, ${rounds} rounds; participants alternate (A B A B), order rotated each round`,
    );
    for (const { scenario, p } of runs) await load(p.child.port, p.requests[scenario]!, warmup);

    const samples = new Map<string, number[]>();
    /** The server's own CPU time per request (µs): what it costs, apart from the load generator sharing the machine. */
    const cpuSamples = new Map<string, number[]>();
    /** The generator's CPU over each load (1 = a core), per participant and scenario. */
    const clientSamples = new Map<string, number[]>();
    const generators = new Map<Scenario, string>();
    const add = (map: Map<string, number[]>, key: string, value: number) => map.set(key, [...(map.get(key) ?? []), value]);
    for (let round = 0; round < rounds; round++) {
      const line: string[] = [];
      for (const scenario of SCENARIOS) {
        const inScenario = runs.filter((r) => r.scenario === scenario);
        for (let i = 0; i < inScenario.length; i++) {
          const { p } = inScenario[(i + round) % inScenario.length]!;
          const cpuBefore = cpuMs(p.child.process.pid!);
          const result = await load(p.child.port, p.requests[scenario]!, seconds);
          const cpuPerRequest = ((cpuMs(p.child.process.pid!) - cpuBefore) * 1000) / result.total;
          if (result.errors)
            throw new Error(`bench: ${p.name} ${scenario}: ${result.errors} errors (status 400 or more, or socket errors)`);
          const key = `${p.name} ${scenario}`;
          add(samples, key, result.rps);
          add(cpuSamples, key, cpuPerRequest);
          if (result.clientCpu !== null) add(clientSamples, key, result.clientCpu);
          generators.set(scenario, result.generator);
        }
        const cpu = (name: string) => cpuSamples.get(`${name} ${scenario}`)![round]!;
        const client = clientSamples.get(`ours ${scenario}`)?.[round];
        line.push(
          `${scenario} ${cpu("ours").toFixed(1)} µs (${(cpu("bare node") / cpu("ours")).toFixed(2)}x)` +
            (client === undefined ? "" : ` client ${(client * 100).toFixed(0)}%`),
        );
      }
      o.log(`  round ${round + 1}/${rounds}: ours ${line.join(", ")} (server CPU per request; x: bare node:http's over ours this round)`);
    }

    const figures: Figure[] = [];
    const rate = (key: string) => median(samples.get(key)!);
    const range = (key: string) => spread(samples.get(key)!, 0);
    const part = "1-3 http";
    /** Ours against `other` in `scenario`, requests per second, the ratio taken round by round. */
    const versus = (scenario: Scenario, other: string, otherName: string, name: string, goal: number | null) =>
      paired(
        compared(
          part,
          name,
          rate(`ours ${scenario}`),
          "req/s",
          rate(`${other} ${scenario}`),
          `${otherName} ${range(`${other} ${scenario}`)}`,
          true,
          goal,
          range(`ours ${scenario}`),
        ),
        samples.get(`ours ${scenario}`)!,
        samples.get(`${other} ${scenario}`)!,
        true,
      );
    // The primary figures: the server's own CPU per request against bare node:http serving the same
    // bytes with the same headers (ratio = bare / ours, the median of the per-round ratios).
    for (const scenario of SCENARIOS) {
      const cpu = (key: string) => median(cpuSamples.get(key)!);
      figures.push(
        paired(
          compared(
            part,
            `server CPU per request, ${scenario}: ours vs bare node:http`,
            cpu(`ours ${scenario}`),
            "µs",
            cpu(`bare node ${scenario}`),
            `bare node:http ${spread(cpuSamples.get(`bare node ${scenario}`)!, 1)}`,
            false,
            0.9,
            spread(cpuSamples.get(`ours ${scenario}`)!, 1),
          ),
          cpuSamples.get(`ours ${scenario}`)!,
          cpuSamples.get(`bare node ${scenario}`)!,
          false,
        ),
      );
    }
    // The client had headroom in a round when its CPU stayed under 80% of its core while it loaded ours,
    // or when it drove bare node:http faster than ours in the same round (so it was not what held ours).
    for (const scenario of SCENARIOS) {
      const client = clientSamples.get(`ours ${scenario}`) ?? [];
      const oursRps = samples.get(`ours ${scenario}`)!;
      const bareRps = samples.get(`bare node ${scenario}`)!;
      const proven = oursRps.filter((rps, r) => (client[r] !== undefined && client[r] < 0.8) || bareRps[r]! > rps).length;
      const cpuRange = client.length
        ? `client CPU ${spread(
            client.map((c) => c * 100),
            0,
          )}%`
        : "client CPU not measured";
      figures.push(
        compared(
          part,
          `load generator headroom, ${scenario} (${generators.get(scenario)})`,
          proven,
          "rounds",
          rounds,
          "rounds run",
          true,
          1,
          cpuRange,
        ),
      );
    }
    // Beside them, requests per second (bounded by the client as much as by the server on 2 cores).
    for (const scenario of SCENARIOS) {
      figures.push(versus(scenario, "bare node", "bare node:http", `http /{lang}/rss.xml ${scenario}: ours vs bare node:http`, null));
    }
    figures.push(
      raisedTo(
        versus(
          "200 identity",
          "common way",
          "common way",
          "http /{lang}/rss.xml 200 identity: ours vs the common way (Hono + feed per request)",
          30,
        ),
        60,
      ),
    );
    if (nginx) {
      for (const scenario of SCENARIOS.filter((s) => samples.has(`nginx ${s}`))) {
        figures.push(versus(scenario, "nginx", "nginx", `http /{lang}/rss.xml ${scenario}: ours vs nginx static`, null));
      }
    }
    return figures;
  } finally {
    for (const child of started.reverse()) await stopChild(child);
    pinned.restore();
  }
}

function avgKb(lengths: ReadonlyMap<string, number>, encoding: string): string {
  const values = [...lengths].filter(([key]) => key.endsWith(` ${encoding}`)).map(([, v]) => v);
  return (values.reduce((a, b) => a + b, 0) / values.length / 1024).toFixed(0);
}

/** Every subscription document of the site: each language and section, each format. */
function feedPaths(settings: SiteSettings): string[] {
  const files = Object.values(FORMATS).map((f) => f.file);
  return settings.languages.flatMap((l) =>
    ["", ...l.sections.map((s) => `${s.slug}/`)].flatMap((scope) => files.map((file) => `/${l.tag}/${scope}${file}`)),
  );
}

/**
 * Part 7: our server over the big database, every subscription document requested in every encoding
 * and conditionally (as a crowd of aggregators would), then its peak RSS (VmHWM) read from /proc.
 */
export async function memoryBench(
  o: Pick<HttpOptions, "quick" | "contentDir" | "settings" | "log"> & { databasePath: string; articles: number },
): Promise<Figure[]> {
  const pinned = pinForLoad();
  const ours = await startOurs(o, "our server (big database)").catch((error: unknown) => {
    pinned.restore();
    throw error;
  });
  try {
    const pid = ours.process.pid!;
    const atStart = residentMb(pid);
    const paths = feedPaths(o.settings);
    const etags = new Map<string, string>();
    for (const path of paths) {
      const res = await fetchRaw(ours.port, path);
      if (res.status !== 200) throw new Error(`bench: ${path} answered ${res.status}`);
      etags.set(path, res.headers.etag!);
    }
    const kinds: Scenario[] = ["200 identity", "200 gzip", "200 br", "304"];
    const requests = kinds.flatMap((k) => requestsFor(k, paths, etags));
    const seconds = o.quick ? 3 : 15;
    const result = await load(ours.port, requests, seconds);
    const after = residentMb(pid);
    o.log(
      `  ${paths.length} feeds × ${kinds.join(", ")}; ${result.rps.toFixed(0)} req/s for ${seconds} s; RSS at start ${atStart.now.toFixed(0)} MB, after ${after.now.toFixed(0)} MB, peak ${after.peak.toFixed(0)} MB`,
    );
    if (result.errors) {
      throw new Error(`bench: memory load: ${result.errors} errors (status 400 or more, or socket errors)`);
    }
    const label = o.articles === 1_000_000 ? "1M" : `${o.articles.toLocaleString("en")} (--quick: not 1M)`;
    // Raised: under 185 MB (200 / 185 = 1.08).
    return [
      raisedTo(
        compared(
          "7 memory",
          `server peak RSS (VmHWM) with ${label} articles under load, vs the 200 MB limit`,
          after.peak,
          "MB",
          200,
          "limit",
          false,
          1,
        ),
        1.08,
      ),
    ];
  } finally {
    await stopChild(ours);
    pinned.restore();
  }
}
