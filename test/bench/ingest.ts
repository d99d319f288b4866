/**
 * Part 6 of the issue: runIngest over a 10k-item upstream RSS feed served by a child process on
 * 127.0.0.1. Each round starts from empty databases:
 *   1. the first ingest (fetch, parse, normalize, sanitize, commit), from a URL that sends no validators,
 *      twice side by side, order rotated each round: as the store writes (in batches) and the way it
 *      wrote before (one transaction per article: the same store, upsert's batchSize 1);
 *   2. the re-poll of the unchanged feed, forced and from the same URL, so the whole document is
 *      fetched (200) and compared with what this process last ingested: the figure with the target;
 *   3. the same re-poll by a store this process has not ingested through (as a new process would poll):
 *      fetched, parsed, normalized and compared item by item, from a URL that sends an ETag;
 *   4. that URL polled again: the 304 path;
 *   5. the first ingest's stages one by one, in this process, on the same document: fetch, parse,
 *      normalize (sanitizing and fingerprints included), the fingerprints alone, the commit both ways
 *      (wall and CPU), the pass over edition links: where the time of step 1 goes.
 * Times are wall clock; each first ingest's CPU time (this process: the ingest runs in it, the upstream
 * in its own) is logged beside it, the steadier figure on a shared machine.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SiteSettings } from "../../src/config/site.ts";
import { FORMATS } from "../../src/feeds/formats.ts";
import type { Logger } from "../../src/model/logger.ts";
import { commitArticles } from "../../src/ingest/commit.ts";
import { createIngestState, type IngestDeps, type IngestState } from "../../src/ingest/deps.ts";
import { parseUpstream } from "../../src/ingest/formats/detect.ts";
import { documentFingerprint } from "../../src/ingest/last-document.ts";
import { normalizeAll } from "../../src/ingest/reader.ts";
import type { RunReport } from "../../src/ingest/report.ts";
import { runIngest } from "../../src/ingest/run.ts";
import { fingerprintOf } from "../../src/model/article.ts";
import { fnv64 } from "../../src/model/hash.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { SITE_URL, writeContentDir } from "./data.ts";
import { alone, compared, median, paired, raisedTo, spread, type Figure } from "./figures.ts";
import { startChild, stopChild } from "./processes.ts";
import { generateModel } from "./render.ts";
import type { BareManifest } from "./servers/bare.ts";

export interface IngestOptions {
  quick: boolean;
  dir: string;
  log: (line: string) => void;
}

const ITEMS = 10_000;
const silent: Logger = { info: () => undefined, error: () => undefined };

function sourcesYaml(url: string): string {
  return `[{id: wire, kind: feed, url: "${url}", lang: en, section: society, sections: {Politics: politics, Business: business, Technology: society, Culture: culture}, min_interval: 0, max_bytes: 104857600}]`;
}

function sourceOf(report: RunReport) {
  const source = report.sources[0];
  if (!source) throw new Error(`bench: the ingest ran no source: ${JSON.stringify(report)}`);
  if (source.error) throw new Error(`bench: the ingest failed: ${source.error}`);
  return source;
}

/** The store as the ingest wrote before batches: every article committed in a transaction of its own. */
function perArticle(store: ArticleStore): ArticleStore {
  return new Proxy(store, {
    get(target, key) {
      if (key === "upsert")
        return (...[articles, links]: Parameters<ArticleStore["upsert"]>) => target.upsert(articles, links, { batchSize: 1 });
      const value = Reflect.get(target, key) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Wall and CPU time (this process) of `work`, in ms. */
async function measured<T>(work: () => Promise<T> | T): Promise<{ ms: number; cpuMs: number; value: T }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await work();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, value };
}

const STAGES = ["fetch", "parse", "normalize", "hash", "commit", "commitPerArticle", "commitCpu", "commitPerArticleCpu", "link"] as const;
type Stage = (typeof STAGES)[number];

/**
 * The first ingest's stages one by one, in this process, on `text`: what runIngest does between the
 * fetch and the run report, each timed alone, the commit into empty databases both ways.
 */
async function stages(text: string, settings: SiteSettings, url: string, dir: string): Promise<Record<Stage, number>> {
  const source = settings.sources[0]!;
  const site = { settings, siteUrl: SITE_URL };
  const nowMs = Date.now();
  const fetched = await measured(async () => new TextDecoder().decode(await (await fetch(url)).arrayBuffer()));
  if (fetched.value !== text) throw new Error("bench: the upstream sent another document than the one written");
  const parsed = await measured(() => parseUpstream(text, FORMATS.rss.contentType, url));
  if (parsed.value.kind !== "feed") throw new Error(`bench: the upstream document read as a ${parsed.value.kind}`);
  const items = parsed.value.items;
  const itemSource = {
    name: `${source.kind}:${source.id}`,
    lang: source.lang,
    section: source.section,
    sections: source.sections,
    timezone: source.timezone,
  };
  const normalized = await measured(() => normalizeAll(items, itemSource, site, nowMs));
  const ready = normalized.value.flatMap((r) => (r.ok ? [r] : []));
  if (ready.length !== ITEMS) throw new Error(`bench: ${ITEMS - ready.length} items were refused in the stage pass`);
  // Part of the two stages above and of the fetch: every article's fingerprint, and the document's.
  const hashed = await measured(() => {
    for (const { article } of ready) fingerprintOf(article);
    return documentFingerprint(site, source, { url, contentType: FORMATS.rss.contentType, text });
  });
  const commit = async (name: string, wrap: (store: ArticleStore) => ArticleStore) => {
    const path = join(dir, `stages-${name}.db`);
    const store = openSqliteStore(path);
    try {
      const written = await measured(() => commitArticles(wrap(store), ready, nowMs, { keepWithdrawn: true, siteUrl: SITE_URL }));
      if (written.value.report.inserted.length !== ITEMS)
        throw new Error(`bench: the ${name} commit wrote ${written.value.report.inserted.length} articles`);
      const linked = await measured(() => store.linkEditions());
      return { commit: written.ms, commitCpu: written.cpuMs, link: linked.ms };
    } finally {
      await store.close();
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
    }
  };
  const batched = await commit("batched", (store) => store);
  const single = await commit("per-article", perArticle);
  return {
    fetch: fetched.ms,
    parse: parsed.ms,
    normalize: normalized.ms,
    hash: hashed.ms,
    commit: batched.commit,
    commitPerArticle: single.commit,
    commitCpu: batched.commitCpu,
    commitPerArticleCpu: single.commitCpu,
    link: batched.link,
  };
}

export async function ingestBench(o: IngestOptions): Promise<Figure[]> {
  const rounds = o.quick ? 1 : 3;
  const t0 = performance.now();
  const text = FORMATS.rss.render(generateModel("en", ITEMS, 6060));
  const file = join(o.dir, "upstream.xml");
  writeFileSync(file, text);
  const headers = { "Content-Type": FORMATS.rss.contentType, "Last-Modified": new Date(Date.UTC(2026, 10, 1)).toUTCString() };
  const manifest: BareManifest = {
    "/upstream.xml": { files: { identity: file }, headers, etag: `"${fnv64(text)}"` },
    "/plain/upstream.xml": { files: { identity: file }, headers: { "Content-Type": FORMATS.rss.contentType } },
  };
  const manifestPath = join(o.dir, "upstream-manifest.json");
  writeFileSync(manifestPath, JSON.stringify(manifest));
  const upstream = await startChild("upstream feed server", ["test/bench/servers/bare.ts", manifestPath], {}, "json-port");
  o.log(
    `  upstream: ${ITEMS.toLocaleString("en")}-item RSS 2.0 feed, ${(Buffer.byteLength(text) / 1e6).toFixed(1)} MB, on 127.0.0.1:${upstream.port} (made in ${((performance.now() - t0) / 1000).toFixed(1)} s); ${rounds} round${rounds > 1 ? "s" : ` (--quick)`}`,
  );
  const base = `http://127.0.0.1:${upstream.port}`;
  const settingsFor = (url: string, name: string): SiteSettings => writeContentDir(join(o.dir, name), sourcesYaml(url));
  const plain = settingsFor(`${base}/plain/upstream.xml`, "ingest-plain");
  const validated = settingsFor(`${base}/upstream.xml`, "ingest-validated");

  const first: number[] = [];
  const firstCpu: number[] = [];
  const single: number[] = [];
  const singleCpu: number[] = [];
  const repoll: number[] = [];
  const cold: number[] = [];
  const notModified: number[] = [];
  const stageTimes = Object.fromEntries(STAGES.map((s) => [s, [] as number[]])) as Record<Stage, number[]>;
  try {
    for (let round = 0; round < rounds; round++) {
      const path = join(o.dir, `ingest-${round}.db`);
      const singlePath = join(o.dir, `ingest-${round}-per-article.db`);
      const store = openSqliteStore(path);
      // A second connection to the same file, through which nothing was ingested yet: a new process.
      const fresh = openSqliteStore(path);
      const singleStore = perArticle(openSqliteStore(singlePath));
      // One process's memory of the documents it read, kept per store: the re-poll through `store` finds its last document.
      const state = createIngestState();
      const timed = async (through: ArticleStore, settings: SiteSettings, memory: IngestState = state) => {
        const deps: IngestDeps = {
          store: through,
          site: { settings, siteUrl: SITE_URL },
          fetch: globalThis.fetch,
          now: Date.now,
          logger: silent,
          state: memory,
        };
        const run = await measured(() => runIngest(deps, { force: true }));
        return { ms: run.ms, cpuMs: run.cpuMs, source: sourceOf(run.value) };
      };
      const firstIngest = async (through: ArticleStore, how: string) => {
        const r = await timed(through, plain, through === store ? state : createIngestState());
        if (r.source.new !== ITEMS)
          throw new Error(
            `bench: the first ingest (${how}) wrote ${r.source.new} articles, not ${ITEMS}: ${JSON.stringify(r.source.rejected.slice(0, 3))}`,
          );
        return r;
      };
      try {
        // A B, then B A: neither way always runs on a warmer machine.
        const [a, s] =
          round % 2 === 0
            ? [await firstIngest(store, "batches"), await firstIngest(singleStore, "per article")]
            : await firstIngest(singleStore, "per article").then(async (s) => [await firstIngest(store, "batches"), s] as const);
        const b = await timed(store, plain);
        const c = await timed(fresh, validated);
        for (const [what, r] of [
          ["re-poll", b],
          ["re-poll by a new process", c],
        ] as const) {
          if (r.source.status !== "fetched" || r.source.unchanged !== ITEMS || r.source.new || r.source.updated) {
            throw new Error(
              `bench: the ${what} was ${r.source.status} and found ${r.source.unchanged} of ${ITEMS} unchanged, ${r.source.new} new, ${r.source.updated} updated`,
            );
          }
        }
        const d = await timed(fresh, validated);
        if (d.source.status !== "not-modified") throw new Error(`bench: the conditional re-poll was ${d.source.status}, not not-modified`);
        first.push(a.ms);
        firstCpu.push(a.cpuMs);
        single.push(s.ms);
        singleCpu.push(s.cpuMs);
        repoll.push(b.ms);
        cold.push(c.ms);
        notModified.push(d.ms);
        o.log(
          `  round ${round + 1}/${rounds}: first ingest ${(a.ms / 1000).toFixed(2)} s (CPU ${(a.cpuMs / 1000).toFixed(2)} s), one transaction per article ${(s.ms / 1000).toFixed(2)} s (CPU ${(s.cpuMs / 1000).toFixed(2)} s); forced re-poll ${b.ms.toFixed(0)} ms; the same by a new process ${(c.ms / 1000).toFixed(2)} s; 304 re-poll ${d.ms.toFixed(1)} ms`,
        );
      } finally {
        await store.close();
        await fresh.close();
        await singleStore.close();
        for (const file of [path, singlePath]) for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
      }
      const times = await stages(text, plain, `${base}/plain/upstream.xml`, o.dir);
      for (const stage of STAGES) stageTimes[stage].push(times[stage]);
      o.log(
        `  round ${round + 1}/${rounds}, stages alone (ms): ${STAGES.map((stage) => `${stage} ${times[stage].toFixed(0)}`).join(", ")}`,
      );
    }
  } finally {
    await stopChild(upstream);
  }
  const rate = (ms: number[]) => ms.map((m) => ITEMS / (m / 1000));
  const perThousand = (ms: number[]) => ms.map((m) => m / (ITEMS / 1000));
  const part = "6 ingest";
  const stage = (name: string, key: Stage) =>
    alone(part, `ingest stage, alone: ${name}`, median(stageTimes[key]), "ms", spread(stageTimes[key], 0));
  return [
    paired(
      compared(
        part,
        `ingest: first ingest of a ${ITEMS / 1000}k-item upstream feed (fetch, parse, normalize, sanitize, commit), commits in batches vs one transaction per article`,
        median(rate(first)),
        "articles/s",
        median(rate(single)),
        "one transaction per article",
        true,
        5,
        spread(rate(first), 0),
      ),
      rate(first),
      rate(single),
      true,
    ),
    paired(
      compared(
        part,
        "ingest: CPU time of the first ingest per 1 000 articles (this process), batches vs one transaction per article",
        median(perThousand(firstCpu)),
        "ms",
        median(perThousand(singleCpu)),
        "one transaction per article",
        false,
        null,
        spread(perThousand(firstCpu), 0),
      ),
      perThousand(firstCpu),
      perThousand(singleCpu),
      false,
    ),
    paired(
      compared(
        part,
        `ingest: commit of ${ITEMS / 1000}k normalized articles into an empty database (stored and withdrawn read, upsert), batches vs one transaction per article`,
        median(rate(stageTimes.commit)),
        "articles/s",
        median(rate(stageTimes.commitPerArticle)),
        "one transaction per article",
        true,
        null,
        spread(rate(stageTimes.commit), 0),
      ),
      rate(stageTimes.commit),
      rate(stageTimes.commitPerArticle),
      true,
    ),
    paired(
      compared(
        part,
        `ingest: CPU time of that commit per 1 000 articles, batches vs one transaction per article`,
        median(perThousand(stageTimes.commitCpu)),
        "ms",
        median(perThousand(stageTimes.commitPerArticleCpu)),
        "one transaction per article",
        false,
        null,
        spread(perThousand(stageTimes.commitCpu), 0),
      ),
      perThousand(stageTimes.commitCpu),
      perThousand(stageTimes.commitPerArticleCpu),
      false,
    ),
    stage("fetch the document from 127.0.0.1 and decode it", "fetch"),
    stage("parse the document (fast-xml-parser)", "parse"),
    stage("normalize the items (sanitizing with htmlparser2, text, dates, fingerprints)", "normalize"),
    stage("of which hashing: the articles' fingerprints and the document's", "hash"),
    stage("commit in batches (read stored and withdrawn, upsert)", "commit"),
    stage("the pass over edition links after the writes", "link"),
    raisedTo(
      compared(
        part,
        "ingest: re-poll of the unchanged feed, forced 200 (fetched, compared with the last document) vs first ingest",
        median(rate(repoll)),
        "articles/s",
        median(rate(first)),
        "first ingest",
        true,
        10,
        spread(rate(repoll), 0),
      ),
      25,
    ),
    compared(
      part,
      "ingest: the same re-poll by a new process (fetched, parsed, normalized, compared per item) vs first ingest",
      median(rate(cold)),
      "articles/s",
      median(rate(first)),
      "first ingest",
      true,
      null,
      spread(rate(cold), 0),
    ),
    compared(
      part,
      "ingest: re-poll of the unchanged feed answered 304 (If-None-Match) vs first ingest",
      median(notModified),
      "ms",
      median(first),
      "first ingest",
      false,
      null,
      spread(notModified, 1),
    ),
  ];
}
