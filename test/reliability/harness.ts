/**
 * What the reliability tests and the soak share: the real server and `npm run ingest` as child
 * processes on 127.0.0.1, a temporary copy of content/, raw HTTP (the bytes as sent, no decoding),
 * and a strict reading of every feed format.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { type Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SaxesParser } from "saxes";
import { waitForOutput } from "../child-output.ts";

export const ROOT = join(import.meta.dirname, "..", "..");
export const CONTENT_DIR = join(ROOT, "content");
const ATOM_NS = "http://www.w3.org/2005/Atom";
export const SERVING = /http: serving .* on http:\/\/127\.0\.0\.1:\d+/;

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `hanbit-${prefix}-`));
}

/** A copy of content/ at `dir/content`, its site.yaml's `sources: []` replaced by `sourcesYaml` when given. */
export function copyContent(dir: string, sourcesYaml?: string): string {
  const contentDir = join(dir, "content");
  cpSync(CONTENT_DIR, contentDir, { recursive: true });
  if (sourcesYaml !== undefined) {
    const path = join(contentDir, "site.yaml");
    const text = readFileSync(path, "utf8");
    if (!/^sources: \[\]$/m.test(text)) throw new Error("harness: content/site.yaml no longer ends with `sources: []`");
    writeFileSync(path, text.replace(/^sources: \[\]$/m, sourcesYaml));
  }
  return contentDir;
}

export interface Child {
  child: ChildProcess;
  pid: number;
  /** stdout and stderr as they arrived, interleaved. */
  log(): string;
  stdout(): string;
  stderr(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited(): boolean;
}

/** Every child still running, for the caller's clean-up. */
export const running = new Set<ChildProcess>();

/** `node --import tsx <script>` in the project, with only the given environment (plus PATH and HOME). */
export function spawnScript(script: string, args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let log = "";
  let stdout = "";
  let stderr = "";
  let done = false;
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    log += chunk;
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    log += chunk;
    stderr += chunk;
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => {
      running.delete(child);
      done = true;
      resolve({ code, signal });
    }),
  );
  return { child, pid: child.pid!, log: () => log, stdout: () => stdout, stderr: () => stderr, exit, exited: () => done };
}

export interface ServerSettings {
  port: number;
  databasePath: string;
  contentDir: string;
  /** Further settings: INGEST_TOKEN, INGEST_SCHEDULE, ... */
  env?: Record<string, string>;
}

/** The environment the server and `npm run ingest` share, so both write the same article URLs. */
export function serviceEnv(settings: ServerSettings): Record<string, string> {
  return {
    PORT: String(settings.port),
    HOST: "127.0.0.1",
    DATABASE_PATH: settings.databasePath,
    CONTENT_DIR: settings.contentDir,
    SITE_URL: `http://127.0.0.1:${settings.port}`,
    // Runs come from the test, never from the clock: 1 January at midnight only.
    INGEST_SCHEDULE: "0 0 1 1 *",
    ...settings.env,
  };
}

/** `npm start` (src/runtime/node.ts) as a child; not waited for. */
export function spawnServer(settings: ServerSettings): Child {
  return spawnScript("src/runtime/node.ts", [], serviceEnv(settings));
}

/** Waits until the log matches `pattern`; fails with the log when the process exits or time runs out. */
export function waitForLog(process: Child, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  return waitForOutput(process.child, () => process.log(), pattern, timeoutMs);
}

/** The server started and serving. */
export async function startServer(settings: ServerSettings): Promise<Child> {
  const server = spawnServer(settings);
  await waitForLog(server, SERVING);
  return server;
}

/** `npm run ingest [args]` (src/cli/ingest.ts) as a child, with the server's settings; not waited for. */
export function spawnIngest(settings: ServerSettings, args: string[] = []): Child {
  return spawnScript("src/cli/ingest.ts", args, serviceEnv(settings));
}

/** `npm run ingest [args]` to its end. */
export async function runIngestCli(settings: ServerSettings, args: string[] = []) {
  const run = spawnIngest(settings, args);
  const { code, signal } = await run.exit;
  return { code, signal, log: run.log(), stdout: run.stdout(), stderr: run.stderr() };
}

/** Sends SIGKILL and waits until the process is gone (and reaped, so its PID is free). */
export async function kill(process: Child): Promise<void> {
  if (!process.exited()) process.child.kill("SIGKILL");
  await process.exit;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The bytes as sent, still in their Content-Encoding. */
  body: Buffer;
}

/** One request over a real socket; nothing decoded, nothing followed. */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; agent?: Agent; timeoutMs?: number } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: options.method ?? "GET", headers: options.headers, agent: options.agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on("error", reject);
    });
    request.setTimeout(options.timeoutMs ?? 30_000, () =>
      request.destroy(new Error(`no response from ${url} within ${options.timeoutMs ?? 30_000} ms`)),
    );
    request.on("error", reject);
    request.end(options.body);
  });
}

export type FeedFile = "rss.xml" | "atom.xml" | "feed.json";
export const FEED_FILES: FeedFile[] = ["rss.xml", "atom.xml", "feed.json"];

export interface FeedItemSeen {
  id: string;
  title: string;
  /** Publication time (ms). */
  published: number;
}

/**
 * The items of a feed document, read strictly: XML through saxes (well-formed XML 1.0 with
 * namespaces, any error throws), JSON Feed through JSON.parse and a check of its shape.
 */
export function readFeedItems(file: FeedFile, text: string): FeedItemSeen[] {
  if (file === "feed.json") {
    const feed = JSON.parse(text) as { version?: unknown; items?: unknown };
    if (feed.version !== "https://jsonfeed.org/version/1.1" || !Array.isArray(feed.items)) throw new Error("not a JSON Feed 1.1 document");
    return feed.items.map((item: { id?: unknown; title?: unknown; date_published?: unknown }) => {
      if (typeof item.id !== "string" || typeof item.title !== "string" || typeof item.date_published !== "string") {
        throw new Error(`a JSON Feed item without id, title or date_published: ${JSON.stringify(item).slice(0, 200)}`);
      }
      return { id: item.id, title: item.title, published: parseTime(item.date_published) };
    });
  }
  const rss = file === "rss.xml";
  const itemUri = rss ? "" : ATOM_NS;
  const itemName = rss ? "item" : "entry";
  const fields = new Set(rss ? ["guid", "title", "pubDate"] : ["id", "title", "published"]);
  const items: FeedItemSeen[] = [];
  const open: { uri: string; local: string }[] = [];
  let current: Record<string, string> | null = null;
  let root: string | undefined;
  const parser = new SaxesParser({ xmlns: true });
  parser.on("error", (error) => {
    throw error;
  });
  parser.on("opentag", (tag) => {
    root ??= tag.local;
    open.push({ uri: tag.uri, local: tag.local });
    if (tag.uri === itemUri && tag.local === itemName) current = {};
  });
  parser.on("text", (text) => {
    const [parent, element] = open.slice(-2);
    if (current && element && parent?.local === itemName && element.uri === itemUri && fields.has(element.local)) {
      current[element.local] = (current[element.local] ?? "") + text;
    }
  });
  parser.on("closetag", (tag) => {
    open.pop();
    if (current && tag.uri === itemUri && tag.local === itemName) {
      const item: Record<string, string> = current;
      current = null;
      const id = item[rss ? "guid" : "id"];
      const title = item.title;
      const published = item[rss ? "pubDate" : "published"];
      if (id === undefined || title === undefined || published === undefined)
        throw new Error(`an ${itemName} without id, title or publication date`);
      items.push({ id, title, published: parseTime(published) });
    }
  });
  parser.write(text).close();
  if (root !== (rss ? "rss" : "feed")) throw new Error(`root element is <${root}>, not <${rss ? "rss" : "feed"}>`);
  return items;
}

function parseTime(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`"${text}" is not a date`);
  return ms;
}
