/**
 * Part 6 of the issue: runIngest over a 10k-item upstream RSS feed served by a child process on
 * 127.0.0.1. Each round starts from an empty database:
 *   1. the first ingest (fetch, parse, normalize, sanitize, commit), from a URL that sends no validators;
 *   2. the re-poll of the unchanged feed, forced and from the same URL, so the whole document is
 *      fetched (200) and compared with what this process last ingested: the figure with the target;
 *   3. the same re-poll by a store this process has not ingested through (as a new process would poll):
 *      fetched, parsed, normalized and compared item by item, from a URL that sends an ETag;
 *   4. that URL polled again: the 304 path.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SiteSettings } from "../../src/config/site.ts";
import { FORMATS } from "../../src/feeds/formats.ts";
import type { Logger } from "../../src/model/logger.ts";
import { createIngestState, type IngestDeps } from "../../src/ingest/deps.ts";
import type { RunReport } from "../../src/ingest/report.ts";
import { runIngest } from "../../src/ingest/run.ts";
import { fnv64 } from "../../src/model/hash.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { SITE_URL, writeContentDir } from "./data.ts";
import { alone, compared, median, raisedTo, spread, type Figure } from "./figures.ts";
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
  const repoll: number[] = [];
  const cold: number[] = [];
  const notModified: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const path = join(o.dir, `ingest-${round}.db`);
      const store = openSqliteStore(path);
      // A second connection to the same file, through which nothing was ingested yet: a new process.
      const fresh = openSqliteStore(path);
      // One process's memory of the documents it read, kept per store: the re-poll through `store` finds its last document.
      const state = createIngestState();
      const timed = async (through: ArticleStore, settings: SiteSettings) => {
        const deps: IngestDeps = {
          store: through,
          site: { settings, siteUrl: SITE_URL },
          fetch: globalThis.fetch,
          now: Date.now,
          logger: silent,
          state,
        };
        const start = performance.now();
        const report = await runIngest(deps, { force: true });
        return { ms: performance.now() - start, source: sourceOf(report) };
      };
      try {
        const a = await timed(store, plain);
        if (a.source.new !== ITEMS)
          throw new Error(
            `bench: the first ingest wrote ${a.source.new} articles, not ${ITEMS}: ${JSON.stringify(a.source.rejected.slice(0, 3))}`,
          );
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
        repoll.push(b.ms);
        cold.push(c.ms);
        notModified.push(d.ms);
        o.log(
          `  round ${round + 1}/${rounds}: first ingest ${(a.ms / 1000).toFixed(2)} s; forced re-poll ${b.ms.toFixed(0)} ms; the same by a new process ${(c.ms / 1000).toFixed(2)} s; 304 re-poll ${d.ms.toFixed(1)} ms`,
        );
      } finally {
        await store.close();
        await fresh.close();
        for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
      }
    }
  } finally {
    await stopChild(upstream);
  }
  const rate = (ms: number[]) => ms.map((m) => ITEMS / (m / 1000));
  const part = "6 ingest";
  return [
    alone(
      part,
      `ingest: first ingest of a ${ITEMS / 1000}k-item upstream feed (fetch, parse, normalize, sanitize, commit)`,
      median(rate(first)),
      "articles/s",
      spread(rate(first), 0),
    ),
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
