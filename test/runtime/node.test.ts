/**
 * The real Node entry point as `npm start` runs it (src/runtime/node.ts built into one JavaScript file
 * by src/cli/build-node.ts) in a child process, spoken to over HTTP on 127.0.0.1.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SaxesParser } from "saxes";
import { request as httpRequest } from "node:http";
import { gunzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildNode } from "../../src/cli/build-node.ts";
import { waitForOutput } from "../child-output.ts";
import { CONTENT_DIR } from "../helpers.ts";
import { freePort } from "../ports.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const ATOM_NS = "http://www.w3.org/2005/Atom";
const SERVING = /http: serving .* on http:\/\/127\.0\.0\.1:\d+/;

interface RunningServer {
  child: ChildProcess;
  /** stdout and stderr as they arrived, interleaved. */
  log: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every child still running, killed after all tests; those started inside a test die after it. */
const children = new Set<ChildProcess>();
const testChildren = new Set<ChildProcess>();
const tempDirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "hanbit-node-test-"));
  tempDirs.push(dir);
  return dir;
}

/**
 * Starts `src/runtime/node.ts` with the given settings (and nothing else from this process's env);
 * a "suite" server outlives single tests and is stopped by its describe block or at the very end.
 */
function startNode(env: Record<string, string>, lifetime: "test" | "suite" = "test"): RunningServer {
  const child = spawn(process.execPath, ["--enable-source-maps", serverJs], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  if (lifetime === "test") testChildren.add(child);
  let log = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (log += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    log += chunk;
    stderr += chunk;
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => {
      children.delete(child);
      testChildren.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, log: () => log, stderr: () => stderr, exit };
}

/** Waits until the log matches `pattern`; fails with the log when the process exits or time runs out. */
function waitForLog(server: RunningServer, pattern: RegExp, timeoutMs = 20_000): Promise<void> {
  return waitForOutput(server.child, server.log, pattern, timeoutMs);
}

/** The content folder's line of the ingest report the server logged first (one JSON line per run). */
function contentReport(server: RunningServer) {
  const line = server
    .log()
    .split("\n")
    .find((l) => l.startsWith('{"ingest":'));
  if (!line) throw new Error(`no ingest report in the log:\n${server.log()}`);
  return (JSON.parse(line) as { ingest: { source: string }[] }).ingest.find((s) => s.source === "content");
}

/** The exit of a process that is expected to stop by itself (a start-up failure, SIGTERM). */
async function exitWithin(server: RunningServer, timeoutMs = 20_000) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms:\n${server.log()}`)), timeoutMs);
  });
  try {
    return await Promise.race([server.exit, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function startServing(settings: { port: number; databasePath: string; contentDir?: string }, lifetime: "test" | "suite" = "test") {
  const server = startNode(
    {
      PORT: String(settings.port),
      HOST: "127.0.0.1",
      DATABASE_PATH: settings.databasePath,
      SITE_URL: `http://127.0.0.1:${settings.port}`,
      CONTENT_DIR: settings.contentDir ?? "content",
    },
    lifetime,
  );
  await waitForLog(server, SERVING);
  return server;
}

/** Strict XML 1.0 parse of an RSS document; the channel's self link and every item's link. */
function readRss(xml: string) {
  const parser = new SaxesParser({ xmlns: true });
  const open: { uri: string; local: string }[] = [];
  let self: string | undefined;
  const itemLinks: string[] = [];
  parser.on("error", (error) => {
    throw error;
  });
  parser.on("opentag", (tag) => {
    open.push({ uri: tag.uri, local: tag.local });
    if (tag.uri === ATOM_NS && tag.local === "link" && tag.attributes.rel?.value === "self") self = tag.attributes.href?.value;
    if (tag.uri === "" && tag.local === "link" && open.at(-2)?.local === "item") itemLinks.push("");
  });
  parser.on("text", (text) => {
    const [parent, current] = open.slice(-2);
    if (current?.uri === "" && current.local === "link" && parent?.local === "item") itemLinks[itemLinks.length - 1] += text;
  });
  parser.on("closetag", () => void open.pop());
  parser.write(xml).close();
  return { self, itemLinks };
}

/** The built server, in a folder of its own inside the project (its npm imports resolve from there). */
let serverJs: string;
beforeAll(async () => {
  mkdirSync(join(ROOT, ".build"), { recursive: true });
  const dir = mkdtempSync(join(ROOT, ".build", "test-server-"));
  tempDirs.push(dir);
  serverJs = await buildNode(dir);
});

afterEach(() => {
  for (const child of testChildren) child.kill("SIGKILL");
});

afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe("the built server (npm start) on a fresh database", () => {
  let port: number;
  let databasePath: string;
  let server: RunningServer;
  let base: string;

  beforeAll(async () => {
    port = await freePort();
    databasePath = join(tempDir(), "articles.db");
    base = `http://127.0.0.1:${port}`;
    server = await startServing({ port, databasePath }, "suite");
  });

  afterAll(() => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
  });

  it("loads every article of content/ as new and says where it serves", () => {
    expect(contentReport(server)).toMatchObject({ status: "loaded", seen: 58, new: 56, updated: 0, unchanged: 0, rejected: 0 });
    expect(server.log()).toContain(`on http://127.0.0.1:${port} (links use http://127.0.0.1:${port})`);
  });

  it("serves /en/rss.xml as well-formed RSS whose links live under SITE_URL", async () => {
    const response = await fetch(`${base}/en/rss.xml`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/rss+xml; charset=utf-8");
    const { self, itemLinks } = readRss(await response.text());
    expect(self).toBe(`${base}/en/rss.xml`);
    expect(itemLinks.length).toBeGreaterThan(0);
    for (const link of itemLinks) expect(link).toMatch(new RegExp(`^${base}/en/articles/[a-z0-9-]+$`));
  });

  it("serves /media/chip-fab.jpg as image/jpeg with the file's exact bytes", async () => {
    const response = await fetch(`${base}/media/chip-fab.jpg`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/jpeg");
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.equals(readFileSync(join(CONTENT_DIR, "media", "chip-fab.jpg")))).toBe(true);
  });

  it("speaks HTTP to crawlers over a real socket: precompressed gzip, 304 on the ETag, HEAD without a body", async () => {
    const raw = (path: string, headers: Record<string, string>, method = "GET") =>
      new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
        const request = httpRequest(`${base}${path}`, { method, headers }, (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
        });
        request.on("error", reject);
        request.end();
      });
    const identity = await raw("/en/atom.xml", {});
    const gzipped = await raw("/en/atom.xml", { "Accept-Encoding": "gzip" });
    expect(gzipped.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gzipped.body).equals(identity.body)).toBe(true);
    const etag = identity.headers.etag as string;
    const notModified = await raw("/en/atom.xml", { "If-None-Match": etag, "Accept-Encoding": "gzip" });
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);
    expect(notModified.headers.etag).toBe(etag);
    expect(notModified.headers.date).toBeTruthy();
    const head = await raw("/en/atom.xml", {}, "HEAD");
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers["content-length"]).toBe(String(identity.body.length));
  });

  it("answers /media/missing.jpg with a plain-text 404", async () => {
    const response = await fetch(`${base}/media/missing.jpg`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; charset=utf-8$/i);
    expect(await response.text()).toContain("/media/missing.jpg");
  });

  it("stops cleanly on SIGTERM, and a second start on the same database finds 0 new and 0 changed", async () => {
    const before = await (await fetch(`${base}/en/rss.xml`)).text();
    server.child.kill("SIGTERM");
    expect(await exitWithin(server)).toEqual({ code: 0, signal: null });

    server = await startServing({ port, databasePath });
    expect(contentReport(server)).toMatchObject({
      status: "loaded",
      seen: 58,
      new: 0,
      updated: 0,
      unchanged: 58,
      withdrawn: 0,
      rejected: 0,
    });
    expect(await (await fetch(`${base}/en/rss.xml`)).text()).toBe(before);

    server.child.kill("SIGTERM");
    expect(await exitWithin(server)).toEqual({ code: 0, signal: null });
  });
});

describe("start-up failures", () => {
  it("PORT=abc stops the process with an error naming PORT", async () => {
    const server = startNode({ PORT: "abc", HOST: "127.0.0.1", DATABASE_PATH: join(tempDir(), "articles.db"), CONTENT_DIR: "content" });
    const { code } = await exitWithin(server);
    expect(code).not.toBe(0);
    expect(server.stderr()).toMatch(/PORT "abc"/);
    expect(server.log()).not.toMatch(SERVING);
  });

  it("a CONTENT_DIR without site.yaml stops the process with an error naming the missing file", async () => {
    const emptyContent = tempDir();
    const server = startNode({
      PORT: String(await freePort()),
      HOST: "127.0.0.1",
      DATABASE_PATH: join(tempDir(), "articles.db"),
      CONTENT_DIR: emptyContent,
    });
    const { code } = await exitWithin(server);
    expect(code).not.toBe(0);
    expect(server.stderr()).toContain(join(emptyContent, "site.yaml"));
    expect(server.log()).not.toMatch(SERVING);
  });
});

describe("a content folder with one malformed article file", () => {
  it("still starts, logs the file's path and problem, and serves the other articles", async () => {
    const contentDir = join(tempDir(), "content");
    cpSync(CONTENT_DIR, contentDir, { recursive: true });
    const broken = join(contentDir, "en", "politics", "local-election-turnout.md");
    writeFileSync(broken, '---\nstory: local-election-turnout\ntitle: "an unclosed quote\n---\nBody.\n');

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const server = await startServing({ port, databasePath: join(tempDir(), "articles.db"), contentDir });

    expect(server.stderr()).toMatch(/content\/en\/politics\/local-election-turnout\.md: front matter is not valid YAML/);
    expect(contentReport(server)).toMatchObject({ status: "loaded", seen: 58, new: 55, updated: 0, unchanged: 0, rejected: 1 });

    expect((await fetch(`${base}/en/articles/local-election-turnout`)).status).toBe(404);
    const article = await fetch(`${base}/en/articles/chip-exports-hit-record`);
    expect(article.status).toBe(200);
    expect(await article.text()).toContain("<h1>Chip exports hit a monthly record as AI servers pull demand</h1>");
    const feed = await fetch(`${base}/en/politics/rss.xml`);
    expect(feed.status).toBe(200);
    const { itemLinks } = readRss(await feed.text());
    expect(itemLinks.length).toBeGreaterThan(0);
    expect(itemLinks).not.toContain(`${base}/en/articles/local-election-turnout`);
    const media = await fetch(`${base}/media/chip-fab.jpg`);
    expect(media.status).toBe(200);
    expect(Buffer.from(await media.arrayBuffer()).equals(readFileSync(join(contentDir, "media", "chip-fab.jpg")))).toBe(true);

    server.child.kill("SIGTERM");
    expect(await exitWithin(server)).toEqual({ code: 0, signal: null });
  });
});
