/**
 * Node's short way to the subscription feeds (src/runtime/node-feeds.ts) against the app it bypasses:
 * two real servers on 127.0.0.1 over one service (one store, one cache), one with the short way and one
 * without, must answer every kind of feed request with the same status, headers and bytes; and the
 * short way must really be taken, share the app's in-flight limit, and hand failures to the app.
 */
import { getRequestListener } from "@hono/node-server";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createService, type AppDeps } from "../../src/http/app.ts";
import { memoryCache } from "../../src/http/render-cache.ts";
import { runIngest } from "../../src/ingest/run.ts";
import { subscriptionPaths, withFeedPath } from "../../src/runtime/node-feeds.ts";
import { StoreError } from "../../src/store/errors.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { ingestDeps, loadedStore, memoryLogger, SITE_URL, testSite } from "../helpers.ts";
import { copyContent, ROOT, tempDir } from "../reliability/harness.ts";

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function send(server: Server, path: string, headers: Record<string, string> = {}, method = "GET"): Promise<Raw> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

function listen(server: Server): Promise<Server> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A server with the short way in front of the app, counting the requests that reach the app. */
async function serversFor(deps: AppDeps) {
  const service = createService(deps);
  const app = getRequestListener(service.app.fetch);
  const reachedApp: string[] = [];
  const toApp = (req: IncomingMessage, res: ServerResponse) => {
    reachedApp.push(`${req.method} ${req.url}`);
    void app(req, res);
  };
  const short = await listen(createServer(withFeedPath(service, deps.site, toApp)));
  const plain = await listen(createServer((req, res) => void app(req, res)));
  return { service, short, plain, reachedApp };
}

/** Headers that differ between any two responses of one server: when and how the connection is kept. */
const PER_CONNECTION = new Set(["date", "connection", "keep-alive", "transfer-encoding"]);
function comparable(raw: Raw) {
  const headers = Object.fromEntries(Object.entries(raw.headers).filter(([name]) => !PER_CONNECTION.has(name)));
  return { status: raw.status, headers, body: raw.body.toString("base64") };
}

const NOW = Date.parse("2026-11-27T12:00:00Z");
const FEEDLY = "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 42 subscribers; )";

describe("the short way to subscription feeds, against the app", () => {
  let store: ArticleStore;
  let servers: Awaited<ReturnType<typeof serversFor>>;
  const site = { ...testSite(), hubs: ["https://hub.example/"] };

  beforeAll(async () => {
    ({ store } = await loadedStore(site));
    servers = await serversFor({
      store,
      site,
      logger: memoryLogger(),
      cache: memoryCache(),
      now: () => NOW,
      maxInFlight: 64,
      compress: (body, encoding) => (encoding === "gzip" ? gzipSync(body) : brotliCompressSync(body)),
    });
  });
  afterAll(async () => {
    await close(servers.short);
    await close(servers.plain);
    await store.close();
  });

  it("knows every subscription document and only those: each language and section, and each language's corrections, each format", () => {
    const paths = [...subscriptionPaths(site).keys()];
    const languages = site.settings.languages;
    expect(paths).toHaveLength(languages.reduce((n, l) => n + (1 + l.sections.length + 1) * 3, 0));
    expect(paths).toContain("/en/rss.xml");
    expect(paths).toContain("/zh-Hans/culture/feed.json");
    expect(paths).toContain("/ko/politics/atom.xml");
    expect(paths).toContain("/en/corrections/rss.xml");
    expect(paths.every((p) => /^\/[A-Za-z-]+\/([a-z-]+\/)?(rss\.xml|atom\.xml|feed\.json)$/.test(p))).toBe(true);
  });

  const cases: [name: string, path: string, headers: (etag: string, lastModified: string) => Record<string, string>, method?: string][] = [
    ["a plain GET", "/en/rss.xml", () => ({})],
    ["gzip", "/en/rss.xml", () => ({ "Accept-Encoding": "gzip, deflate" })],
    ["brotli", "/ko/atom.xml", () => ({ "Accept-Encoding": "gzip, br" })],
    ["identity preferred by weight", "/ja/feed.json", () => ({ "Accept-Encoding": "gzip;q=0.5, identity" })],
    ["nothing acceptable (406)", "/en/rss.xml", () => ({ "Accept-Encoding": "identity;q=0, *;q=0" })],
    ["If-None-Match with the ETag (304)", "/en/politics/rss.xml", (etag) => ({ "If-None-Match": etag })],
    ["If-None-Match in a list, weak (304)", "/en/politics/rss.xml", (etag) => ({ "If-None-Match": `"x", W/${etag}` })],
    ["If-None-Match with another tag (200)", "/en/politics/rss.xml", () => ({ "If-None-Match": '"0000000000000000"' })],
    ["If-Modified-Since at Last-Modified (304)", "/zh-Hans/rss.xml", (_etag, lastModified) => ({ "If-Modified-Since": lastModified })],
    ["If-Modified-Since long ago (200)", "/zh-Hans/rss.xml", () => ({ "If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT" })],
    ["a delta asked for the current tag (304)", "/en/atom.xml", (etag) => ({ "If-None-Match": etag, "A-IM": "feed" })],
    ["a person's browser (preview page)", "/en/rss.xml", () => ({ "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document" })],
    ["an aggregator reporting subscribers", "/ko/rss.xml", () => ({ "User-Agent": FEEDLY, "Accept-Encoding": "gzip" })],
    ["HEAD", "/en/feed.json", () => ({}), "HEAD"],
    ["HEAD with gzip", "/en/feed.json", () => ({ "Accept-Encoding": "gzip" }), "HEAD"],
    ["a corrections feed", "/en/corrections/atom.xml", () => ({ "Accept-Encoding": "gzip, br" })],
    ["a corrections feed's ETag (304)", "/en/corrections/rss.xml", (etag) => ({ "If-None-Match": etag })],
    ["a corrections feed's preview", "/en/corrections/feed.json", () => ({ "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document" })],
  ];

  it.each(cases)("answers %s exactly as the app does, without the app", async (_name, path, headers, method = "GET") => {
    const { short, plain, reachedApp } = servers;
    // Rendered (and compressed) once through the app, so both answers come from the same cached document.
    const first = await send(plain, path, { "Accept-Encoding": "gzip, br" });
    await send(plain, path, { "Accept-Encoding": "gzip" });
    const validators = await send(plain, path);
    const sent = headers(validators.headers.etag!, validators.headers["last-modified"]!);
    const before = reachedApp.length;
    const viaShort = comparable(await send(short, path, sent, method));
    const viaApp = comparable(await send(plain, path, sent, method));
    expect(reachedApp.length, "requests the short way handed to the app").toBe(before);
    expect(viaShort).toEqual(viaApp);
    expect(first.status).toBe(200);
  });

  it("answers a delta (226) for a version it rendered, as the app does", async () => {
    const { short, plain, service, reachedApp } = servers;
    const old = await send(plain, "/en/culture/atom.xml");
    // The state of an older version is known: the same scope, under a tag whose items lack the newest one.
    const scope = `${service.serving.namespace}/en/culture/atom/latest-${site.settings.itemCount}`;
    const state = JSON.parse((await service.serving.cache!.getState(`${scope}/${old.headers.etag}`))!) as [string, number][];
    service.serving.cache!.putState(`${scope}/"1111111111111111"`, JSON.stringify(state.slice(1)), () => undefined);
    const sent = { "If-None-Match": '"1111111111111111"', "A-IM": "feed" };
    const before = reachedApp.length;
    const viaShort = comparable(await send(short, "/en/culture/atom.xml", sent));
    const viaApp = comparable(await send(plain, "/en/culture/atom.xml", sent));
    expect(reachedApp.length).toBe(before);
    expect(viaShort.status).toBe(226);
    expect(viaShort).toEqual(viaApp);
    expect(
      Buffer.from(viaShort.body, "base64")
        .toString()
        .match(/<entry>/g),
    ).toHaveLength(1);
  });

  it.each([
    ["a query", "/en/rss.xml?limit=5", "GET"],
    ["an archive month", "/en/archive/2026-11/rss.xml", "GET"],
    ["a differently cased language", "/EN/rss.xml", "GET"],
    ["a page", "/en/", "GET"],
    ["a feed by POST", "/en/rss.xml", "POST"],
    ["OPTIONS", "/en/rss.xml", "OPTIONS"],
  ])("leaves %s to the app", async (_name, path, method) => {
    const { short, plain, reachedApp } = servers;
    await send(plain, path, {}, method);
    const before = reachedApp.length;
    const viaShort = comparable(await send(short, path, {}, method));
    expect(reachedApp.slice(before)).toEqual([`${method} ${path}`]);
    expect(viaShort).toEqual(comparable(await send(plain, path, {}, method)));
  });
});

describe("the short way when the store is slow or failing", () => {
  /**
   * A store whose feedVersion waits for `gate`, or fails as a locked database does; `asked` settles
   * when a request first reaches feedVersion.
   */
  async function heldStore(behaviour: { gate?: Promise<void>; locked?: boolean }) {
    const { store, site } = await loadedStore();
    let reached!: () => void;
    const asked = new Promise<void>((resolve) => (reached = resolve));
    const held = new Proxy(store, {
      get(target, property) {
        if (property === "feedVersion") {
          return async (lang: string, section?: string) => {
            reached();
            if (behaviour.locked) throw new StoreError("locked", Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" }));
            await behaviour.gate;
            return target.feedVersion(lang, section);
          };
        }
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    return { store, held, site, asked };
  }

  it("counts its requests in the app's in-flight limit: past it, the app answers 503 with Retry-After", async () => {
    let release!: () => void;
    const { store, held, site, asked } = await heldStore({ gate: new Promise<void>((resolve) => (release = resolve)) });
    const { short, plain, reachedApp } = await serversFor({ store: held, site, logger: memoryLogger(), maxInFlight: 1 });
    try {
      const first = send(short, "/en/rss.xml");
      // The first request holds the one place once it waits in the store.
      await asked;
      const second = await send(short, "/en/atom.xml");
      expect(second.status).toBe(503);
      expect(second.headers["retry-after"]).toBe("5");
      expect(reachedApp).toEqual(["GET /en/atom.xml"]);
      release();
      expect((await first).status).toBe(200);
      expect((await send(short, "/en/atom.xml")).status).toBe(200);
    } finally {
      await close(short);
      await close(plain);
      await store.close();
    }
  });

  it("hands a request it could not answer to the app, which answers 503 for a locked store and logs it", async () => {
    const { store, held, site } = await heldStore({ locked: true });
    const logger = memoryLogger();
    const { short, plain, reachedApp } = await serversFor({ store: held, site, logger, maxInFlight: 4 });
    try {
      const response = await send(short, "/en/rss.xml");
      expect(response.status).toBe(503);
      expect(response.headers["retry-after"]).toBe("30");
      expect(reachedApp).toEqual(["GET /en/rss.xml"]);
      expect(logger.errors.join("\n")).toContain("database is locked");
    } finally {
      await close(short);
      await close(plain);
      await store.close();
    }
  });
});

/**
 * A keep-alive HTTP/1.1 connection written by hand, so that a request can be put on the wire at a
 * chosen moment (socket.write hands it to the kernel before it returns) and its answer read later.
 */
class Connection {
  #buffer = Buffer.alloc(0);
  readonly #pending: { method: string; resolve: (raw: Raw) => void }[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#parse();
    });
  }

  static open(server: Server): Promise<Connection> {
    const { port } = server.address() as AddressInfo;
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => resolve(new Connection(socket)));
      socket.once("error", reject);
    });
  }

  send(path: string, method = "GET"): Promise<Raw> {
    const answered = new Promise<Raw>((resolve) => this.#pending.push({ method, resolve }));
    this.socket.write(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    return answered;
  }

  close() {
    this.socket.destroy();
  }

  #parse() {
    const end = this.#buffer.indexOf("\r\n\r\n");
    if (end < 0 || this.#pending.length === 0) return;
    const [statusLine, ...lines] = this.#buffer.subarray(0, end).toString("latin1").split("\r\n");
    const headers: IncomingHttpHeaders = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const status = Number(statusLine!.split(" ")[1]);
    const length = this.#pending[0]!.method === "HEAD" || status === 304 ? 0 : Number(headers["content-length"]);
    if (this.#buffer.byteLength < end + 4 + length) return;
    const body = this.#buffer.subarray(end + 4, end + 4 + length);
    this.#buffer = this.#buffer.subarray(end + 4 + length);
    this.#pending.shift()!.resolve({ status, headers, body });
    this.#parse();
  }
}

describe("another process's commit, on the short way and through the app", () => {
  const dir = tempDir("node-feeds-commit");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("answers every request read after `npm run ingest` committed from that commit, GET and HEAD", async () => {
    const contentDir = copyContent(dir);
    const databasePath = join(dir, "articles.db");
    const site = testSite();
    const store = openSqliteStore(databasePath);
    await runIngest(ingestDeps(store, site, contentDir));
    const { short, plain } = await serversFor({ store, site, logger: memoryLogger(), cache: memoryCache(), now: () => NOW });
    // The connections wait idle while the ingest runs, however long a loaded machine takes.
    for (const server of [short, plain]) server.keepAliveTimeout = 120_000;
    const connections = await Promise.all([Connection.open(short), Connection.open(short), Connection.open(plain)]);
    const [shortGet, shortHead, appGet] = connections;
    // The store's clock stands still: what makes the commit seen can be no periodic check.
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const before = await shortGet.send("/en/business/rss.xml");
      expect(before.status).toBe(200);
      expect(before.body.toString()).toContain("Chip exports hit a monthly record");
      expect((await shortHead.send("/en/business/rss.xml", "HEAD")).headers.etag).toBe(before.headers.etag);
      expect((await appGet.send("/en/business/rss.xml")).headers.etag).toBe(before.headers.etag);

      // An article retitled, and `npm run ingest` run to its end in another process while this one
      // waits: the three requests below are on the wire before it starts, and read by the servers only
      // after its commit returned.
      const article = join(contentDir, "en", "business", "chip-exports-hit-record.md");
      writeFileSync(article, readFileSync(article, "utf8").replace("Chip exports hit a monthly record", "Chip exports set another record"));
      const answers = [
        shortGet.send("/en/business/rss.xml"),
        shortHead.send("/en/business/rss.xml", "HEAD"),
        appGet.send("/en/business/rss.xml"),
      ];
      const ingest = spawnSync(process.execPath, ["--import", "tsx", "src/cli/ingest.ts"], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATABASE_PATH: databasePath, CONTENT_DIR: contentDir, SITE_URL },
        encoding: "utf8",
      });
      expect(ingest.status, ingest.stderr).toBe(0);

      const [get, head, app] = await Promise.all(answers);
      expect(get!.status).toBe(200);
      expect(get!.body.toString()).toContain("Chip exports set another record");
      expect(get!.headers.etag).not.toBe(before.headers.etag);
      expect(head!.headers.etag).toBe(get!.headers.etag);
      expect(app!.headers.etag).toBe(get!.headers.etag);
      expect(app!.body.equals(get!.body)).toBe(true);
    } finally {
      vi.useRealTimers();
      for (const connection of connections) connection.close();
      await close(short);
      await close(plain);
      await store.close();
    }
  });
});
