/**
 * The soak (`npm run soak [-- --seconds N]`, 120 s by default; a short form runs in `npm test`): the
 * real Node server on 127.0.0.1 polled by concurrent readers (GET, conditional GET and HEAD; gzip,
 * br and identity; every language, section and format, subscription documents and archives) while
 * writers add, update and withdraw articles: through `npm run ingest` (files in a copy of content/
 * and items of an upstream feed served here) and through the push API, at the same time.
 *
 * It asserts: no 5xx; every body well-formed (saxes, strictly) or valid JSON; every ETag the hash of
 * its body; no reader ever sees an article go missing and come back or a feed go back to an older
 * revision (an article leaves a document only when withdrawn, or when it slid out of the latest-N
 * window, which the document itself shows); every committed change in the very next request; and
 * the server's memory without an upward trend over the second half, measured after a warm-up that
 * fills the server's bounded caches; brotli for nearly every request that asks for it first; and the
 * server's queue of best-quality compressions (its figures at /api/stats, read every second) within its
 * bounds, making best forms, never growing with the writes. It prints counts and latency percentiles per kind of response
 * (measured by this process, which parses every body on the same cores), and exits non-zero on any
 * failed assertion.
 */
import { freePort } from "../ports.ts";
import { seededRandom, seedFrom } from "../seeded-random.ts";
import type { CompressionStats } from "../../src/http/feeds/encoding.ts";
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { Agent, createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { parseSiteSettings, type SiteSettings } from "../../src/config/site.ts";
import { fnv64 } from "../../src/model/hash.ts";
import {
  copyContent,
  FEED_FILES,
  kill,
  rawRequest,
  readFeedItems,
  runIngestCli,
  startServer,
  tempDir,
  type Child,
  type FeedFile,
  type RawResponse,
  type ServerSettings,
} from "./harness.ts";

export interface SoakOptions {
  seconds: number;
  /** Requests in flight at once. */
  readers?: number;
  /**
   * Largest growth of the server's resident memory allowed over the second half, in KB per second
   * (least-squares slope of one sample a second); null measures and prints without asserting.
   */
  maxRssSlopeKBps?: number | null;
  /**
   * Smallest share of GETs preferring brotli (`br, gzip;q=0.5`) answered 200 in brotli, after the warm-up;
   * 0.9 by default. A new version is answered brotli at once, so only a compressor that makes readers wait
   * (and gives gzip meanwhile) falls below it.
   */
  minBrotliShare?: number;
  /** Subscription-document lengths (`?limit=1…N`) each is read with while warming up; 30 by default. */
  warmUpLimits?: number;
  /** Progress lines (the summary is returned, not logged). */
  log?: (line: string) => void;
}

export interface SoakResult {
  ok: boolean;
  failures: string[];
  summary: string;
  requests: number;
  ingestRuns: number;
  pushOps: number;
  probes: number;
  rssSlopeKBps: number | null;
  /** The largest resident memory sampled, in KB. */
  rssMaxKB: number;
  /** Brotli answers over the GETs preferring brotli answered 200, after the warm-up; null without any. */
  brotliShare: number | null;
  /** The compression queue: the most jobs seen waiting in a sample, and the server's last figures. */
  compression: { maxQueuedSeen: number; last: CompressionFigures } | null;
}

/** What the server reports of its queue of best-quality compressions (`compression` in /api/stats). */
type CompressionFigures = CompressionStats;

/**
 * The default limit on the second half's memory trend: 128 KB/s, 7.5 MB a minute, what leaking 0.4 KB
 * per request would cost at this soak's ~350 requests a second. Below it, on two noisy cores, lie the
 * garbage collector's sawtooth and a slow rise that levels off (in 300-s runs, within four minutes);
 * a leak of a document, a response or a connection per request is far above it.
 */
export const DEFAULT_MAX_RSS_SLOPE_KBPS = 128;

const SOAK_TITLE = /^Soak ([cup]\d+) rev (\d+)$/;
const FEEDLY = (n: number) => `Feedly/1.0 (+http://www.feedly.com/fetcher.html; ${n} subscribers; )`;
const CONTENT_TYPES: Record<FeedFile, string> = {
  "rss.xml": "application/rss+xml; charset=utf-8",
  "atom.xml": "application/atom+xml; charset=utf-8",
  "feed.json": "application/feed+json; charset=utf-8",
};
const KST_OFFSET_MS = 9 * 3600_000;

/** An article the soak writes: its revision is in its title, so every format shows it. */
interface Managed {
  key: string;
  via: "content" | "upstream" | "push";
  lang: string;
  section: string;
  story: string;
  rev: number;
  published: number;
  live: boolean;
  path?: string;
}

type Op = { kind: "add" | "update" | "withdraw"; article: Managed };

/** What readers must see of one article in one feed document, from the requests and commits before theirs. */
interface Floor {
  rev: number;
  published: number;
  withdrawn: boolean;
}

interface Target {
  path: string;
  file: FeedFile;
  lang: string;
  section: string;
  /** The archive month, or undefined for the subscription document. */
  month?: string;
}

interface DocumentSeen {
  items: { key: string; rev: number; published: number }[];
  bytes: number;
}

/**
 * The soak's choices (which operation, which feed, which headers) come from SOAK_SEED, said in its
 * first line (7 unless a run asks for another). The interleaving of readers and writers still depends on the machine, so a seed replays
 * the same sequence of choices, not the same timing.
 */
const random = seededRandom(seedFrom("SOAK_SEED", 7));
const pick = <T>(list: readonly T[]): T => list[Math.floor(random.fraction() * list.length)]!;
const chance = (p: number) => random.fraction() < p;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `2026-11-24 14:05:07 +09:00`, the newsroom's way of writing a time. */
function kstText(ms: number): string {
  return `${new Date(ms + KST_OFFSET_MS).toISOString().slice(0, 19).replace("T", " ")} +09:00`;
}

function kstMonth(ms: number): string {
  return new Date(ms + KST_OFFSET_MS).toISOString().slice(0, 7);
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;
}

/** Least-squares slope of y over x. */
function slope(points: readonly [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

function residentKB(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** An upstream feed on 127.0.0.1 whose items the soak edits; conditional GET on its ETag. */
async function upstreamFeed(items: () => Managed[]): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url !== "/wire.xml") return res.writeHead(404).end();
    const body =
      `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Soak wire</title><link>http://127.0.0.1/</link>` +
      `<description>Items the soak adds and edits</description><language>en</language>` +
      items()
        .map(
          (a) =>
            `<item><guid isPermaLink="false">soak-${a.key}</guid><title>Soak ${a.key} rev ${a.rev}</title>` +
            `<link>http://127.0.0.1/wire/${a.key}</link><category>${a.section}</category>` +
            `<description>&lt;p&gt;Wire copy ${a.key}, revision ${a.rev}.&lt;/p&gt;</description>` +
            `<pubDate>${new Date(a.published).toUTCString().replace("GMT", "+0000")}</pubDate></item>`,
        )
        .join("") +
      `</channel></rss>`;
    const etag = `"${fnv64(body)}"`;
    if (req.headers["if-none-match"] === etag) return res.writeHead(304, { ETag: etag }).end();
    res.writeHead(200, { "Content-Type": "application/rss+xml; charset=utf-8", ETag: etag }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/wire.xml`, server };
}

/** Failures by kind, with the first few messages of each. */
class Failures {
  readonly counts = new Map<string, number>();
  readonly messages: string[] = [];
  add(kind: string, message: string) {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    if ((this.counts.get(kind) ?? 0) <= 5) this.messages.push(`${kind}: ${message}`);
  }
  get total() {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }
}

export async function soak(options: SoakOptions): Promise<SoakResult> {
  const seconds = options.seconds;
  const readers = options.readers ?? 16;
  const maxSlope = options.maxRssSlopeKBps === undefined ? DEFAULT_MAX_RSS_SLOPE_KBPS : options.maxRssSlopeKBps;
  const log = options.log ?? (() => undefined);
  const warmUpLimits = options.warmUpLimits ?? 30;
  const minBrotliShare = options.minBrotliShare ?? 0.9;
  const failures = new Failures();
  const dir = tempDir("soak");

  const managed: Managed[] = [];
  const upstream = await upstreamFeed(() => managed.filter((a) => a.via === "upstream"));
  const sections = ["politics", "business", "society", "culture", "opinion"];
  const contentDir = copyContent(
    dir,
    `sources:\n  - id: soak-wire\n    kind: feed\n    url: ${upstream.url}\n    lang: en\n    section: society\n` +
      `    sections: { ${sections.map((s) => `${s}: ${s}`).join(", ")} }\n    min_interval: 0\n`,
  );
  const settings: SiteSettings = parseSiteSettings(readFileSync(join(contentDir, "site.yaml"), "utf8"), "site.yaml");
  const languages = settings.languages.map((l) => l.tag);
  const itemCount = settings.itemCount;

  // Soak articles are newer than every article of the sample edition, a minute apart (and 7 s off the
  // minute, so none shares a publication time with a newsroom article), and all in the past. Articles
  // the sample schedules for later are not yet published, so they do not count.
  const newest = Math.max(...listPosted(contentDir).filter((ms) => ms <= Date.now()));
  let nextPublished = newest + 3600_000 + 7_000;
  const maxAdds = seconds * 20;
  const months = [...new Set([kstMonth(nextPublished), kstMonth(nextPublished + maxAdds * 60_000)])];

  const token = randomBytes(24).toString("hex");
  const port = await freePort();
  const service: ServerSettings = { port, databasePath: join(dir, "db", "articles.db"), contentDir, env: { INGEST_TOKEN: token } };
  const base = `http://127.0.0.1:${port}`;
  const agent = new Agent({ keepAlive: true, maxSockets: readers + 8 });
  let server: Child | undefined;

  const floors = new Map<string, Map<string, Floor>>();
  const withdrawing = new Set<string>();
  const documents = new Map<string, Map<string, DocumentSeen>>();
  const latencies = new Map<string, number[]>();
  let requests = 0;
  let ingestRuns = 0;
  let pushOps = 0;
  let probes = 0;
  let headMatched = 0;
  let headUnmatched = 0;
  const rss: [number, number][] = [];
  let measuring = false;
  let brotliAsked = 0;
  let brotliAnswered = 0;
  const queueSamples: CompressionFigures[] = [];

  const floorOf = (key: string) => {
    let floor = floors.get(key);
    if (!floor) floors.set(key, (floor = new Map()));
    return floor;
  };
  const floorKeys = (lang: string, section: string, published: number) => [
    `${lang}|${section}|latest`,
    `${lang}||latest`,
    `${lang}|${section}|${kstMonth(published)}`,
    `${lang}||${kstMonth(published)}`,
  ];
  const targetKey = (t: Target) => `${t.lang}|${t.section}|${t.month ?? "latest"}`;

  const targets: Target[] = [];
  for (const lang of languages) {
    for (const section of ["", ...sections]) {
      const prefix = `/${lang}${section ? `/${section}` : ""}`;
      for (const file of FEED_FILES) {
        targets.push({ path: `${prefix}/${file}`, file, lang, section });
        for (const month of months) targets.push({ path: `${prefix}/archive/${month}/${file}`, file, lang, section, month });
      }
    }
  }

  /** Checks one document against what readers had to see when its request started, then learns from it. */
  function observe(target: Target, limit: number | null, before: Map<string, Floor>, doc: DocumentSeen, where: string, kind: string) {
    const present = new Map(doc.items.map((i) => [i.key, i]));
    if (present.size !== doc.items.length) failures.add("malformed", `${where}: an article twice in one document`);
    const full = limit !== null && doc.items.length >= limit;
    const oldest = doc.items.reduce((min, i) => Math.min(min, i.published), Infinity);
    const slidOut = (f: Floor) => full && f.published <= oldest;
    for (const [key, want] of before) {
      const got = present.get(key);
      if (want.withdrawn) {
        if (got) failures.add(kind, `${where}: ${key} is back after its withdrawal was committed or seen`);
      } else if (got) {
        if (got.rev < want.rev)
          failures.add(kind, `${where}: ${key} went back to rev ${got.rev} after rev ${want.rev} was committed or seen`);
      } else if (!slidOut(want) && !withdrawing.has(key)) {
        failures.add(
          kind,
          `${where}: ${key} (rev ${want.rev}) went missing though not withdrawn nor out of the latest ${limit ?? "(archive)"}`,
        );
      }
    }
    const floor = floorOf(targetKey(target));
    for (const item of doc.items) {
      const known = floor.get(item.key);
      if (!known) floor.set(item.key, { rev: item.rev, published: item.published, withdrawn: false });
      else if (!known.withdrawn && item.rev > known.rev) known.rev = item.rev;
    }
    // Committed and seen before this request, absent now and not slid out: its withdrawal is committed.
    for (const [key, want] of before) {
      if (!want.withdrawn && !present.has(key) && !slidOut(want) && withdrawing.has(key)) floor.set(key, { ...want, withdrawn: true });
    }
  }

  function summarize(text: string, file: FeedFile): DocumentSeen {
    const items = readFeedItems(file, text).map((item) => {
      const soakTitle = SOAK_TITLE.exec(item.title);
      return soakTitle
        ? { key: `soak:${soakTitle[1]}`, rev: Number(soakTitle[2]), published: item.published }
        : { key: item.id, rev: 0, published: item.published };
    });
    return { items, bytes: Buffer.byteLength(text) };
  }

  /** One request with its checks; `probe` is the first request after a commit, which must show it. */
  type Mode = "identity" | "gzip" | "br" | "conditional" | "head";
  async function read(target: Target, probe = false, fixed: { mode?: Mode; limit?: number } = {}) {
    const limit = target.month ? null : (fixed.limit ?? (!probe && chance(0.1) ? 1 + Math.floor(random.fraction() * 100) : itemCount));
    const url = `${base}${target.path}${limit !== null && limit !== itemCount ? `?limit=${limit}` : ""}`;
    const seen = documents.get(url);
    const lastEtag = seen ? [...seen.keys()].at(-1) : undefined;
    const lastDocument = lastEtag ? seen!.get(lastEtag) : undefined;
    const roll = random.fraction();
    const randomMode: Mode =
      roll < 0.1 ? "head" : roll < 0.3 && lastEtag ? "conditional" : roll < 0.55 ? "gzip" : roll < 0.65 ? "br" : "identity";
    const mode: Mode = fixed.mode ?? (probe ? "identity" : randomMode);
    const headers: Record<string, string> = {};
    if (mode === "gzip" || (mode === "conditional" && chance(0.5))) headers["Accept-Encoding"] = "gzip";
    if (mode === "br") headers["Accept-Encoding"] = "br, gzip;q=0.5";
    if (mode === "conditional") headers["If-None-Match"] = lastEtag!;
    if (chance(0.05)) headers["User-Agent"] = FEEDLY(Math.floor(random.fraction() * 3));
    const method = mode === "head" ? "HEAD" : "GET";
    const before = new Map([...floorOf(targetKey(target))].map(([k, v]) => [k, { ...v }]));
    const where = `${method} ${url}${headers["If-None-Match"] ? ` (If-None-Match ${headers["If-None-Match"]})` : ""}`;
    const category = probe ? "visibility" : "consistency";
    const t0 = performance.now();
    let response: RawResponse;
    try {
      response = await rawRequest(url, { method, headers, agent });
    } catch (error) {
      failures.add("transport", `${where}: ${(error as Error).message}`);
      return;
    }
    const ms = performance.now() - t0;
    requests++;
    if (probe) probes++;
    const encoding = String(response.headers["content-encoding"] ?? "identity");
    const kind = `${method} ${response.status}${response.status === 200 && method === "GET" ? ` ${encoding}` : ""}${target.month ? " archive" : ""}`;
    (latencies.get(kind) ?? latencies.set(kind, []).get(kind)!).push(ms);

    if (response.status >= 500) return failures.add("5xx", `${where}: ${response.status} ${response.body.toString("utf8").slice(0, 200)}`);
    if (response.status === 404 && target.month) {
      return observe(target, null, before, { items: [], bytes: 0 }, where, category);
    }
    const etag = response.headers.etag;
    if (response.status === 304) {
      if (mode !== "conditional" || etag !== lastEtag) return failures.add("etag", `${where}: 304 with ETag ${etag}`);
      return observe(target, limit, before, lastDocument!, where, category);
    }
    if (response.status !== 200) return failures.add("status", `${where}: ${response.status}`);
    if (measuring && method === "GET" && mode === "br") {
      brotliAsked++;
      if (encoding === "br") brotliAnswered++;
    }
    if (response.headers["content-type"] !== CONTENT_TYPES[target.file])
      failures.add("malformed", `${where}: Content-Type ${response.headers["content-type"]}`);
    if (typeof etag !== "string" || !/^"[0-9a-f]{16}"$/.test(etag)) return failures.add("etag", `${where}: ETag ${etag}`);
    if (method === "HEAD") {
      if (response.body.length) failures.add("malformed", `${where}: HEAD with a body`);
      const doc = seen?.get(etag);
      if (doc) {
        headMatched++;
        observe(target, limit, before, doc, where, category);
      } else headUnmatched++;
      return;
    }
    if (String(response.body.length) !== response.headers["content-length"])
      failures.add("malformed", `${where}: Content-Length ${response.headers["content-length"]} for ${response.body.length} bytes`);
    let text: string;
    let doc: DocumentSeen;
    try {
      const bytes =
        encoding === "gzip" ? gunzipSync(response.body) : encoding === "br" ? brotliDecompressSync(response.body) : response.body;
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      doc = summarize(text, target.file);
    } catch (error) {
      return failures.add("malformed", `${where}: ${(error as Error).message}`);
    }
    if (etag !== `"${fnv64(text)}"`) failures.add("etag", `${where}: ETag ${etag} is not the hash of the body ("${fnv64(text)}")`);
    const docs = seen ?? documents.set(url, new Map()).get(url)!;
    docs.delete(etag);
    docs.set(etag, doc);
    if (docs.size > 3) docs.delete(docs.keys().next().value!);
    observe(target, limit, before, doc, where, category);
  }

  /** The server's compression figures, or null (and a failure) when it reports none. */
  async function compressionFigures(): Promise<CompressionFigures | null> {
    try {
      const response = await rawRequest(`${base}/api/stats`, { headers: { Authorization: `Bearer ${token}` }, agent });
      const figures = (JSON.parse(response.body.toString("utf8")) as { compression?: CompressionFigures }).compression;
      if (response.status === 200 && figures !== undefined) return figures;
      failures.add("compression", `/api/stats answered ${response.status} without the compression queue's figures`);
    } catch (error) {
      failures.add("compression", `/api/stats: ${(error as Error).message}`);
    }
    return null;
  }

  /** After a commit: what readers must see from now on, and a request that must show it. */
  async function committed(ops: Op[]) {
    for (const { kind, article } of ops) {
      for (const key of floorKeys(article.lang, article.section, article.published)) {
        const floor = floorOf(key);
        const item = `soak:${article.key}`;
        const known = floor.get(item);
        if (kind === "withdraw") floor.set(item, { rev: article.rev, published: article.published, withdrawn: true });
        else if (!known?.withdrawn)
          floor.set(item, { rev: Math.max(article.rev, known?.rev ?? 0), published: article.published, withdrawn: false });
      }
    }
    for (const { article } of ops) {
      const file = pick(FEED_FILES);
      await read({ path: `/${article.lang}/${article.section}/${file}`, file, lang: article.lang, section: article.section }, true);
    }
  }

  let serial = 0;
  /** Picks the next change: adds while few are live, withdrawals while many are, updates otherwise. */
  function plan(via: Managed["via"], busy: Set<Managed>): Op | null {
    const live = managed.filter((a) => a.via === via && a.live && !busy.has(a));
    const count = managed.filter((a) => a.via === via && a.live).length;
    const roll = random.fraction();
    const canAdd = nextPublished < newest + 3600_000 + maxAdds * 60_000 && (via !== "upstream" || count < 25);
    let kind: Op["kind"] = count < 6 || roll < 0.35 ? "add" : roll < 0.7 || via === "upstream" ? "update" : "withdraw";
    if (count > 24 && via !== "upstream") kind = roll < 0.6 ? "withdraw" : "update";
    if (kind === "add" && !canAdd) kind = "update";
    if (kind !== "add") {
      if (live.length === 0) return null;
      return { kind, article: pick(live) };
    }
    const lang = via === "upstream" ? "en" : pick(languages);
    const section = pick(sections);
    const key = `${via[0]}${++serial}`;
    let story = `soak-${key}`;
    if (via === "content" && chance(0.3)) {
      const partner = live.find((a) => a.lang !== lang && !managed.some((b) => b.story === a.story && b.lang === lang));
      if (partner) story = partner.story;
    }
    const article: Managed = { key, via, lang, section, story, rev: 0, published: nextPublished, live: true };
    nextPublished += 60_000;
    if (via === "content") article.path = join(contentDir, lang, section, `soak-${key}.md`);
    // Known at once, so the next pick in the same batch gives no story a second edition in this language.
    managed.push(article);
    return { kind, article };
  }

  function writeFile(article: Managed) {
    mkdirSync(join(article.path!, ".."), { recursive: true });
    writeFileSync(
      article.path!,
      `---\nstory: ${article.story}\ntitle: "Soak ${article.key} rev ${article.rev}"\nsummary: "A soak article, revision ${article.rev}."\n` +
        `posted: ${kstText(article.published)}\n${article.rev ? `updated: ${kstText(article.published + article.rev * 60_000)}\n` : ""}` +
        `authors:\n  - Soak Desk\ntags: [Soak]\n---\nBody of soak article ${article.key}, revision ${article.rev}.\n`,
    );
  }

  /** `npm run ingest` after one to three changes to content files and the upstream feed. */
  async function ingestLoop() {
    while (Date.now() < deadline && ingestRuns < seconds * 2) {
      const busy = new Set<Managed>();
      const ops: Op[] = [];
      const wanted = 1 + Math.floor(random.fraction() * 3);
      for (let i = 0; i < wanted; i++) {
        const op = plan(i === 0 && chance(0.4) ? "upstream" : "content", busy);
        if (!op) continue;
        busy.add(op.article);
        ops.push(op);
      }
      for (const { kind, article } of ops) {
        if (kind === "update") article.rev++;
        if (kind === "withdraw") {
          withdrawing.add(`soak:${article.key}`);
          article.live = false;
        }
        if (article.via === "content") {
          if (kind === "withdraw") unlinkSync(article.path!);
          else writeFile(article);
        }
      }
      let result = await runIngestCli(service);
      for (let tries = 0; /another ingest run holds the lease/.test(result.log) && tries < 5; tries++) result = await runIngestCli(service);
      ingestRuns++;
      // Besides its progress lines, a clean run says nothing on stderr: a refused article would be there.
      const complaints = result.stderr.split("\n").filter((line) => line.trim() && !/^ingest: \d+\/\d+ /.test(line));
      if (result.code !== 0 || complaints.length || /another ingest run holds the lease/.test(result.log)) {
        failures.add("ingest", `npm run ingest exited ${result.code}: ${(complaints.join("\n") || result.log).slice(-1500)}`);
        return;
      }
      await committed(ops);
    }
  }

  /** Articles through the push API: POST one, or DELETE one. */
  async function pushLoop() {
    while (Date.now() < deadline && pushOps < seconds * 20) {
      const op = plan("push", new Set());
      if (!op) continue;
      const { kind, article } = op;
      const auth = { Authorization: `Bearer ${token}` };
      let response: RawResponse;
      if (kind === "withdraw") {
        withdrawing.add(`soak:${article.key}`);
        article.live = false;
        response = await rawRequest(`${base}/api/articles/soak-${article.key}`, { method: "DELETE", headers: auth, agent });
      } else {
        if (kind === "update") article.rev++;
        const body = JSON.stringify({
          id: `soak-${article.key}`,
          url: `https://partner.example/soak-${article.key}`,
          title: `Soak ${article.key} rev ${article.rev}`,
          content_html: `<p>Pushed article ${article.key}, revision ${article.rev}.</p>`,
          date_published: new Date(article.published + KST_OFFSET_MS).toISOString().replace(/\.\d{3}Z$/, "+09:00"),
          language: article.lang,
          section: article.section,
        });
        response = await rawRequest(`${base}/api/articles`, {
          method: "POST",
          headers: { ...auth, "Content-Type": "application/json" },
          body,
          agent,
        });
      }
      pushOps++;
      if (response.status !== 200) {
        failures.add("push", `${kind} ${article.key}: ${response.status} ${response.body.toString("utf8").slice(0, 300)}`);
        return;
      }
      await committed([op]);
      await sleep(100);
    }
  }

  let deadline = Date.now() + seconds * 1000;
  let warmUpRequests = 0;
  try {
    server = await startServer(service);
    const pid = server.pid;
    log(`soak: server pid ${pid} on ${base}, ${targets.length} documents, ${readers} readers, ${seconds} s, SOAK_SEED=${random.seed}`);
    // Warm-up, before the clock and the memory samples start: every document in each encoding and, for
    // subscription documents, many lengths, so the server's bounded caches (512 rendered documents, the
    // item lists of 2048 versions for delta feeds) are full and its code compiled; what memory does
    // after that is the steady state, where any upward trend is a leak.
    const lengths = Array.from({ length: warmUpLimits }, (_, i) => i + 1).filter((n) => n !== itemCount);
    const warmUp = targets.flatMap((target) => [
      ...(["identity", "gzip", "br"] as const).map((mode) => () => read(target, false, { mode, limit: itemCount })),
      ...(target.month ? [] : lengths.map((limit) => () => read(target, false, { mode: "identity", limit }))),
    ]);
    await Promise.all(
      Array.from({ length: readers }, async () => {
        for (let next = warmUp.shift(); next; next = warmUp.shift()) await next();
      }),
    );
    warmUpRequests = requests;
    const clock = Date.now();
    deadline = clock + seconds * 1000;
    const sampler = setInterval(() => {
      const kb = residentKB(pid);
      if (kb !== null) rss.push([(Date.now() - clock) / 1000, kb]);
      void compressionFigures().then((figures) => figures && queueSamples.push(figures));
    }, 1000);
    measuring = true;
    const readerLoop = async () => {
      while (Date.now() < deadline && requests < seconds * 5000) await read(pick(targets));
    };
    // A loop that throws (the harness, not the server) stops them all.
    const guarded = (loop: () => Promise<void>) =>
      loop().catch((error: Error) => {
        deadline = 0;
        failures.add("harness", error.stack ?? String(error));
      });
    try {
      await Promise.all([...Array.from({ length: readers }, () => guarded(readerLoop)), guarded(ingestLoop), guarded(pushLoop)]);
    } finally {
      clearInterval(sampler);
      measuring = false;
    }
    const last = await compressionFigures();
    if (last) queueSamples.push(last);
    // Every document once more, with nothing in flight: all of them consistent with everything committed.
    for (const target of targets) await read(target, true);
    if (server.exited()) failures.add("server", `the server exited:\n${server.log().slice(-2000)}`);
    const errors = server
      .log()
      .split("\n")
      .filter((line) => /^http: [A-Z]+ \/|^start: |Unhandled|FATAL/.test(line));
    for (const line of errors) failures.add("server", line.slice(0, 300));
  } catch (error) {
    failures.add("harness", (error as Error).stack ?? String(error));
  } finally {
    agent.destroy();
    if (server) await kill(server);
    await new Promise<void>((resolve) => upstream.server.close(() => resolve()));
    // SOAK_KEEP=1 keeps the database and content folder for a look after a failure.
    if (process.env.SOAK_KEEP) log(`soak: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }

  const half = rss.filter(([t]) => t >= (rss.at(-1)?.[0] ?? 0) / 2);
  const rssSlopeKBps = half.length >= 5 ? slope(half) : null;
  if (maxSlope !== null && rssSlopeKBps !== null && rssSlopeKBps > maxSlope) {
    failures.add("memory", `resident memory grew ${rssSlopeKBps.toFixed(1)} KB/s over the second half (limit ${maxSlope} KB/s)`);
  }
  if (maxSlope !== null && rssSlopeKBps === null) failures.add("memory", "too few memory samples for a trend");

  const brotliShare = brotliAsked ? brotliAnswered / brotliAsked : null;
  if (brotliShare !== null && brotliShare < minBrotliShare) {
    failures.add(
      "compression",
      `${brotliAnswered} of ${brotliAsked} GETs preferring brotli got it (at least ${minBrotliShare * 100}% must)`,
    );
  }
  const lastFigures = queueSamples.at(-1);
  const maxQueuedSeen = Math.max(0, ...queueSamples.map((f) => f.queued));
  for (const f of queueSamples) {
    if (f.queued > f.maxQueued || f.queuedBytes > f.maxQueuedBytes || f.peakQueued > f.maxQueued) {
      failures.add("compression", `the queue held ${f.queued} jobs (${f.queuedBytes} bytes; ${f.peakQueued} at most) past its bounds`);
    }
  }
  if (lastFigures && lastFigures.made === 0) failures.add("compression", "no best-quality form was made");
  if (rss.length >= 5 && queueSamples.length < rss.length / 2) failures.add("compression", "too few samples of the compression queue");

  const lines: string[] = [];
  lines.push(
    `soak: ${seconds} s, ${readers} readers, ${targets.length} documents (${languages.length} languages × ${sections.length + 1} feeds × 3 formats, latest and ${months.join(", ")} archives)`,
  );
  lines.push(
    `requests: ${requests} (${warmUpRequests} of them warming up, before the clock); ingest: ${ingestRuns} npm run ingest runs, ${pushOps} push API calls; ${probes} first-requests-after-a-commit`,
  );
  const counts = { add: 0, update: 0, withdraw: 0 };
  for (const a of managed) {
    counts.add++;
    counts.update += a.rev;
    if (!a.live) counts.withdraw++;
  }
  lines.push(
    `changes: ${counts.add} added, ${counts.update} updates, ${counts.withdraw} withdrawn (${managed.filter((a) => a.via === "content").length} content files, ${managed.filter((a) => a.via === "upstream").length} upstream items, ${managed.filter((a) => a.via === "push").length} pushed)`,
  );
  lines.push(
    `HEAD answers: ${headMatched} checked against the body a GET had shown for their ETag, ${headUnmatched} with an ETag no GET had shown yet (headers checked only)`,
  );
  lines.push(
    `brotli: ${brotliAnswered} of ${brotliAsked} GETs preferring it answered br` +
      (brotliShare === null ? "" : ` (${(brotliShare * 100).toFixed(1)}%, at least ${minBrotliShare * 100}%)`),
  );
  if (lastFigures) {
    lines.push(
      `compression queue: at most ${maxQueuedSeen} jobs waiting in the samples, ${lastFigures.peakQueued} ever (bound ${lastFigures.maxQueued}); ` +
        `${lastFigures.made} best forms made, ${lastFigures.superseded} dropped for a newer version, ${lastFigures.refused} refused, ${lastFigures.failed} failed`,
    );
  }
  lines.push("");
  lines.push(
    `${"response".padEnd(26)}${"count".padStart(8)}${"p50".padStart(9)}${"p90".padStart(9)}${"p99".padStart(9)}${"max".padStart(9)}  (ms)`,
  );
  for (const [kind, values] of [...latencies].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const sorted = values.sort((a, b) => a - b);
    const cell = (v: number) => v.toFixed(1).padStart(9);
    lines.push(
      `${kind.padEnd(26)}${String(sorted.length).padStart(8)}${cell(percentile(sorted, 50))}${cell(percentile(sorted, 90))}${cell(percentile(sorted, 99))}${cell(sorted.at(-1)!)}`,
    );
  }
  lines.push("");
  const first = rss[0]?.[1];
  const last = rss.at(-1)?.[1];
  lines.push(
    `memory: server RSS ${first ? (first / 1024).toFixed(1) : "?"} MB when the clock started, ${last ? (last / 1024).toFixed(1) : "?"} MB at the end, ` +
      `max ${(Math.max(...rss.map(([, kb]) => kb)) / 1024).toFixed(1)} MB; second-half trend ${rssSlopeKBps === null ? "n/a" : `${rssSlopeKBps >= 0 ? "+" : ""}${rssSlopeKBps.toFixed(1)} KB/s`}` +
      (maxSlope === null ? " (not asserted)" : ` (limit ${maxSlope} KB/s)`),
  );
  lines.push(
    `server RSS every 10 s (MB): ${rss
      .filter((_, i) => i % 10 === 0)
      .map(([, kb]) => (kb / 1024).toFixed(0))
      .join(" ")}`,
  );
  lines.push(
    failures.total === 0
      ? "result: PASS, no failed assertion"
      : `result: FAIL, ${failures.total} failed assertions: ${[...failures.counts].map(([k, n]) => `${k} ${n}`).join(", ")}`,
  );
  for (const message of failures.messages) lines.push(`  ${message}`);
  return {
    ok: failures.total === 0,
    failures: failures.messages,
    summary: lines.join("\n"),
    requests,
    ingestRuns,
    pushOps,
    probes,
    rssSlopeKBps,
    rssMaxKB: Math.max(0, ...rss.map(([, kb]) => kb)),
    brotliShare,
    compression: lastFigures ? { maxQueuedSeen, last: lastFigures } : null,
  };
}

/** Publication times (ms) of the sample edition's articles, from their front matter. */
function listPosted(contentDir: string): number[] {
  const posted: number[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".md")) {
        const match = /^posted: (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}(?::\d{2})?)(?: ([+-]\d{2}:\d{2}))?$/m.exec(readFileSync(path, "utf8"));
        if (match) posted.push(Date.parse(`${match[1]}T${match[2]}${match[3] ?? "+09:00"}`));
      }
    }
  };
  walk(contentDir);
  return posted;
}

async function main() {
  const { values } = parseArgs({ options: { seconds: { type: "string", default: "120" }, readers: { type: "string", default: "16" } } });
  const seconds = Number(values.seconds);
  const readers = Number(values.readers);
  if (!Number.isInteger(seconds) || seconds < 5 || seconds > 3600)
    throw new Error(`soak: --seconds must be a whole number from 5 to 3600, not "${values.seconds}"`);
  if (!Number.isInteger(readers) || readers < 1 || readers > 256)
    throw new Error(`soak: --readers must be a whole number from 1 to 256, not "${values.readers}"`);
  const result = await soak({ seconds, readers, log: (line) => console.error(line) });
  console.log(result.summary);
  return result.ok ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error((error as Error).message);
      process.exit(1);
    },
  );
}
