/**
 * The servers under test, each a child process of the bench (the load generator stays in the bench's
 * own process): our Node entry point, the bare node:http limit, the common way, and nginx when it is
 * installed. Every child is stopped by its own pid, and any still running when the bench exits.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { cpus } from "node:os";
import { join } from "node:path";
import { ROOT } from "./data.ts";
import { freePort } from "../ports.ts";

export interface Child {
  name: string;
  process: ChildProcess;
  port: number;
  /** What it printed, for the error when it fails. */
  log: () => string;
}

const running = new Set<ChildProcess>();

/** The CPU servers under load are pinned to while pinForLoad is in effect; null when not pinned. */
let serverCpu: number | null = null;

/**
 * With two or more CPUs and `taskset`, pins this process (the load generator, every thread) to CPU 0
 * and the servers started until `restore` to CPU 1, so the generator and the server under test each
 * have a core of their own instead of the scheduler moving them about. Returns what it did, for the log.
 */
export function pinForLoad(): { restore(): void; note: string } {
  const taskset = spawnSync("taskset", ["-a", "-p", "-c", "0", String(process.pid)], { encoding: "utf8" });
  if (cpus().length < 2 || taskset.status !== 0) {
    return { restore: () => undefined, note: "not pinned to CPUs (needs 2 CPUs and taskset)" };
  }
  serverCpu = 1;
  return {
    restore: () => {
      serverCpu = null;
      spawnSync("taskset", ["-a", "-p", "-c", `0-${cpus().length - 1}`, String(process.pid)]);
    },
    note: "load generator pinned to CPU 0, servers to CPU 1",
  };
}

/** `command args` as spawned: through `taskset` onto the server CPU while pinned. */
function onServerCpu(command: string, args: string[]): [string, string[]] {
  return serverCpu === null ? [command, args] : ["taskset", ["-c", String(serverCpu), command, ...args]];
}
process.once("exit", () => {
  // SIGTERM, so nginx's master takes its worker down with it.
  for (const child of running) if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, "SIGTERM");
});

/**
 * Starts `args` under this Node (TypeScript through tsx, unless `nodeArgs` says otherwise) and waits
 * until its output says it listens: a JSON line `{"port": n}`, or a line matching `ready` when the
 * port was given to it.
 */
export function startChild(
  name: string,
  args: string[],
  env: Record<string, string>,
  ready: { port: number; pattern: RegExp } | "json-port",
  timeoutMs = 60_000,
  nodeArgs = ["--import", "tsx"],
): Promise<Child> {
  const child = spawn(...onServerCpu(process.execPath, [...nodeArgs, ...args]), {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let log = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not start within ${timeoutMs / 1000} s`), timeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, "SIGKILL");
      reject(new Error(`bench: ${name} ${why}:\n${log}`));
    };
    const onOutput = (chunk: string) => {
      log += chunk;
      if (ready === "json-port") {
        const match = /^\{"port":(\d+)\}$/m.exec(log);
        if (match) done(Number(match[1]));
      } else if (ready.pattern.test(log)) done(ready.port);
    };
    const done = (port: number) => {
      clearTimeout(timer);
      child.stdout.off("data", onOutput);
      child.stdout.resume();
      resolve({ name, process: child, port, log: () => log });
    };
    child.stdout.setEncoding("utf8").on("data", onOutput);
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (log += chunk));
    child.once("exit", (code, signal) => fail(`exited (${signal ?? code})`));
  });
}

/** Stops a child by its pid (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
export async function stopChild(child: Child): Promise<void> {
  const proc = child.process;
  if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) return;
  // The start-up listeners (which report an early exit as a failure) go; what stays notes the exit.
  proc.removeAllListeners("exit");
  const exited = new Promise<void>((resolve) =>
    proc.once("exit", () => {
      running.delete(proc);
      resolve();
    }),
  );
  process.kill(proc.pid, "SIGTERM");
  const timer = setTimeout(() => proc.pid !== undefined && proc.exitCode === null && process.kill(proc.pid, "SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Peak and current resident set size of a process, in MB, from /proc/<pid>/status (VmHWM, VmRSS). */
export function residentMb(pid: number): { peak: number; now: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { peak: kb("VmHWM") / 1024, now: kb("VmRSS") / 1024 };
}

/**
 * CPU time (user + system, ms) a process and its children still running have used, from /proc/<pid>/stat
 * and /proc/<pid>/task/<pid>/children (nginx's worker is its master's child). Clock ticks are 100 Hz.
 */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  let ms = (Number(fields[11]) + Number(fields[12])) * 10;
  let children: string[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
  } catch {
    // No children file on this kernel: the process alone.
  }
  for (const child of children) {
    try {
      ms += cpuMs(Number(child));
    } catch {
      // The child exited meanwhile.
    }
  }
  return ms;
}

/** The nginx binary, or null when it is not installed. */
export function findNginx(): string | null {
  for (const path of ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx"]) if (existsSync(path)) return path;
  const which = spawnSync("sh", ["-c", "command -v nginx"], { encoding: "utf8" });
  return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : null;
}

/** Where Debian's packages put the brotli_static module; null without it. */
const BROTLI_STATIC_MODULES = [
  "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so",
  "/usr/share/nginx/modules/ngx_http_brotli_static_module.so",
];

/**
 * nginx serving files under `root` (with `.gz` and, when the brotli_static module is installed, `.br`
 * siblings) from one worker, as the single-threaded Node servers do, logging nothing.
 */
export async function startNginx(binary: string, dir: string, root: string, contentType: string): Promise<Child & { brotli: boolean }> {
  const port = await freePort();
  const brotliModule = BROTLI_STATIC_MODULES.find((path) => existsSync(path));
  const isRoot = process.getuid?.() === 0;
  const config = `${brotliModule ? `load_module ${brotliModule};\n` : ""}${isRoot ? "user root;\n" : ""}worker_processes 1;
daemon off;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "nginx-error.log")} warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  client_body_temp_path ${join(dir, "nginx-body")};
  proxy_temp_path ${join(dir, "nginx-proxy")};
  fastcgi_temp_path ${join(dir, "nginx-fastcgi")};
  uwsgi_temp_path ${join(dir, "nginx-uwsgi")};
  scgi_temp_path ${join(dir, "nginx-scgi")};
  types { }
  default_type "${contentType}";
  gzip_static on;
  ${brotliModule ? "brotli_static on;" : ""}
  etag on;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location / {
      add_header Cache-Control "public, max-age=300";
      add_header Vary "Accept-Encoding";
    }
  }
}
`;
  const configPath = join(dir, "nginx.conf");
  writeFileSync(configPath, config);
  const child = spawn(...onServerCpu(binary, ["-c", configPath, "-p", dir, "-e", join(dir, "nginx-error.log")]), {
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let log = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (log += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (log += c));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`bench: nginx exited (${child.exitCode}):\n${log}`);
    const up = await new Promise<boolean>((resolve) => {
      const req = request({ host: "127.0.0.1", port, path: "/", method: "HEAD" }, (res) => {
        res.resume();
        resolve(true);
      });
      req.once("error", () => resolve(false));
      req.end();
    });
    if (up) return { name: "nginx", process: child, port, log: () => log, brotli: brotliModule !== undefined };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`bench: nginx did not answer on 127.0.0.1:${port} within 10 s:\n${log}`);
}
