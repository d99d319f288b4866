/**
 * The HTTP load generator of the bench: wrk (native, one thread) where the machine has it, autocannon
 * in this process otherwise, with a warning, since a generator written in JavaScript tops out near the
 * server's own rate here and presses every ratio toward 1. Each load says which generator ran and how
 * much CPU it used, so a figure can show the client had headroom.
 */
import autocannon from "autocannon";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** One request of the cycle a load sends, in turn, on every connection. */
export interface LoadRequest {
  method: "GET" | "HEAD";
  path: string;
  headers?: Record<string, string>;
}

export interface LoadResult {
  /** Requests completed per second. */
  rps: number;
  /** Requests completed. */
  total: number;
  /** Answers with a status of 400 or more, and socket errors (connect, read, write, timeout). */
  errors: number;
  /** The generator's own CPU time over the load's wall time (1 = one core busy all along); null when not known. */
  clientCpu: number | null;
  /** Which generator sent it: wrk, ab (HEAD beside wrk) or autocannon. */
  generator: string;
}

export interface LoadGenerator {
  name: "wrk" | "autocannon";
  /** What the log says of it. */
  note: string;
  run(port: number, requests: readonly LoadRequest[], seconds: number, connections: number): Promise<LoadResult>;
}

/** wrk when `wrk --version` runs, else autocannon with the reason. */
export function loadGenerator(): LoadGenerator {
  const probe = spawnSync("wrk", ["--version"], { encoding: "utf8" });
  if (probe.error === undefined && `${probe.stdout}${probe.stderr}`.includes("wrk")) {
    const version = /wrk \S+/.exec(`${probe.stdout}${probe.stderr}`)?.[0] ?? "wrk";
    // wrk's parser waits for the body a HEAD answer's Content-Length announces, so HEAD goes to ab.
    const ab = spawnSync("ab", ["-V"], { encoding: "utf8" }).error === undefined;
    return {
      name: "wrk",
      note: `load generator: ${version}, one thread; HEAD by ${ab ? "ApacheBench (ab -k -i), on the first path of the cycle" : "autocannon (WARNING: ab is not installed: apt-get install apache2-utils)"}`,
      run: (port, requests, seconds, connections) =>
        requests.every((r) => r.method === "HEAD")
          ? (ab ? abLoad : autocannonLoad)(port, requests, seconds, connections)
          : wrkLoad(port, requests, seconds, connections),
    };
  }
  return {
    name: "autocannon",
    note:
      "load generator: autocannon in the bench's own process. WARNING: wrk is not installed (apt-get install wrk); " +
      "autocannon reaches about the server's own rate on one core here, so the req/s ratios are pressed toward 1 and the client's headroom is not proven",
    run: autocannonLoad,
  };
}

/** A Lua string literal for wrk's script. */
const lua = (text: string) => JSON.stringify(text);

/**
 * `seconds` of wrk (one thread, `connections` connections) cycling over `requests`. The requests are
 * formatted once, in the script's init; the script prints its summary as one JSON line at the end.
 */
async function wrkLoad(port: number, requests: readonly LoadRequest[], seconds: number, connections: number): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), "bench-wrk-"));
  try {
    const script = join(dir, "cycle.lua");
    const formatted = requests.map((r) => {
      const headers = Object.entries(r.headers ?? {})
        .map(([name, value]) => `[${lua(name)}] = ${lua(value)}`)
        .join(", ");
      return `wrk.format(${lua(r.method)}, ${lua(r.path)}, { ${headers} })`;
    });
    writeFileSync(
      script,
      [
        "local cycle = {}",
        "local n = 0",
        `init = function(args) cycle = { ${formatted.join(", ")} } end`,
        "request = function() n = n % #cycle + 1 return cycle[n] end",
        "done = function(summary, latency, requests)",
        "  local e = summary.errors",
        '  io.write(string.format(\'\\nBENCH {"requests":%d,"us":%d,"errors":%d}\\n\', summary.requests, summary.duration,',
        "    e.connect + e.read + e.write + e.status + e.timeout))",
        "end",
        "",
      ].join("\n"),
    );
    // Whole seconds: wrk reads its duration as an integer and a unit.
    const duration = `${Math.max(1, Math.round(seconds))}s`;
    const { output, cpuSeconds } = await withChildCpu("wrk", [
      // Past wrk's 2 s default, a slow participant (the common way renders per request) would count timeouts as errors.
      "--timeout",
      "30s",
      "-t1",
      `-c${connections}`,
      `-d${duration}`,
      "-s",
      script,
      `http://127.0.0.1:${port}/`,
    ]);
    const summary = /^BENCH (\{.*\})$/m.exec(output);
    if (!summary) throw new Error(`bench: wrk printed no summary:\n${output}`);
    const { requests: total, us, errors } = JSON.parse(summary[1]!) as { requests: number; us: number; errors: number };
    return { rps: total / (us / 1e6), total, errors, clientCpu: cpuSeconds === null ? null : cpuSeconds / (us / 1e6), generator: "wrk" };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `sh -c "<command> && cat /proc/$$/stat"`: the command's output, and its CPU seconds (the shell's cutime + cstime). */
async function withChildCpu(command: string, args: string[]): Promise<{ output: string; cpuSeconds: number | null }> {
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn("sh", ["-c", `${command} "$@" && cat /proc/$$/stat`, "sh", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(text) : reject(new Error(`bench: ${command} exited with ${code}:\n${text}`))));
  });
  // The shell's stat: "pid (sh) state ..."; after the name, cutime and cstime are fields 14 and 15.
  const stat = output.slice(output.lastIndexOf("(sh)") + 5).split(" ");
  const ticks = Number(stat[13]) + Number(stat[14]);
  const hz = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
  return { output, cpuSeconds: Number.isFinite(ticks) ? ticks / hz : null };
}

/** `seconds` of ApacheBench, keep-alive, HEAD, on the first request's path (ab asks one URL). */
async function abLoad(port: number, requests: readonly LoadRequest[], seconds: number, connections: number): Promise<LoadResult> {
  const [first] = requests;
  const headers = Object.entries(first!.headers ?? {}).flatMap(([name, value]) => ["-H", `${name}: ${value}`]);
  const { output, cpuSeconds } = await withChildCpu("ab", [
    "-q",
    "-k",
    "-i",
    "-c",
    String(connections),
    "-t",
    String(Math.max(1, Math.round(seconds))),
    "-n",
    "100000000",
    ...headers,
    `http://127.0.0.1:${port}${first!.path}`,
  ]);
  const number = (label: string) => Number(new RegExp(`^${label}:\\s+([\\d.]+)`, "m").exec(output)?.[1] ?? NaN);
  const total = number("Complete requests");
  const wall = number("Time taken for tests");
  if (!Number.isFinite(total) || !Number.isFinite(wall)) throw new Error(`bench: ab printed no summary:\n${output}`);
  const failed = number("Failed requests") + (Number.isFinite(number("Non-2xx responses")) ? number("Non-2xx responses") : 0);
  return { rps: total / wall, total, errors: failed, clientCpu: cpuSeconds === null ? null : cpuSeconds / wall, generator: "ab" };
}

/**
 * Two changes to autocannon's client, made through its `setupClient` hook. It keeps each response's
 * body as a string, for body checks this bench does not use: decoding 240 KB a response held it near
 * 700 requests a second whatever the server, so the body is counted and dropped instead. And its
 * parser (http-parser-js) waits for the Content-Length of a HEAD response unless onHeadersComplete
 * (slot 2 of the parser, set after this hook runs) returns true, as Node's own client does for HEAD.
 */
function leanClient(head: boolean) {
  return (client: autocannon.Client) => {
    const internals = client as unknown as {
      pipelinedRequests: { addBody(data: Buffer): void };
      parser: Record<number, (...args: unknown[]) => unknown>;
    };
    internals.pipelinedRequests.addBody = () => undefined;
    if (!head) return;
    let handler: (...args: unknown[]) => unknown = () => undefined;
    Object.defineProperty(internals.parser, 2, {
      configurable: true,
      get:
        () =>
        (...args: unknown[]) => {
          handler(...args);
          return true;
        },
      set: (fn: (...args: unknown[]) => unknown) => (handler = fn),
    });
  };
}

/** `seconds` of autocannon in this process; its CPU is this process's, measured over the load. */
async function autocannonLoad(port: number, requests: readonly LoadRequest[], seconds: number, connections: number): Promise<LoadResult> {
  const head = requests.every((r) => r.method === "HEAD");
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    sampleInt: 250,
    requests: requests.map((r) => ({ method: r.method, path: r.path, ...(r.headers && { headers: r.headers }) })),
    setupClient: leanClient(head),
  });
  const cpu = process.cpuUsage(cpuBefore);
  let failed = result.errors;
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) if (Number(code) >= 400) failed += stat.count ?? 0;
  return {
    rps: result.requests.total / result.duration,
    total: result.requests.total,
    errors: failed,
    clientCpu: (cpu.user + cpu.system) / 1e6 / result.duration,
    generator: "autocannon",
  };
}
