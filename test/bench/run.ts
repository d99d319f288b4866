/**
 * `npm run bench`: the whole benchmark suite of issue 6, each part against its baselines in the same
 * run, printed as a table for people and then, last, one JSON line per figure:
 * `{"name", "value", "unit", "baseline", "ratio", "target"}` (ratio: higher is better for us; target:
 * the issue's minimum ratio, or null).
 *
 *   npm run bench                 full run (about 10 minutes; the first one also writes the 1M-article database)
 *   npm run bench -- --quick      under 2 minutes: fewer, shorter rounds; the 1M step reuses that database
 *                                 when a full run left one, else runs at 100k articles and says so
 *   npm run bench -- --only=http,store   some parts only (http, render, store, ingest, memory, edge)
 *
 * Parts: 1-3 http.ts (our server, bare node:http, nginx, the common way; wrk, or autocannon without it), 4 render.ts
 * (renderers against feedsmith and feed v6; tinybench), 5 store.ts, 6 ingest.ts, 7 memory (http.ts), 8 edge.ts
 * (the Worker in workerd under Miniflare).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseSiteSettings } from "../../src/config/site.ts";
import { articlesIn, generateDatabase, reuseOrGenerate, ROOT, SITE_URL, writeContentDir } from "./data.ts";
import { edgeBench } from "./edge.ts";
import { compared, jsonLine, printFigures, raisedTo, spread, type Figure } from "./figures.ts";
import { httpBench, memoryBench } from "./http.ts";
import { ingestBench } from "./ingest.ts";
import { renderComparison } from "./render.ts";
import { storeBench } from "./store.ts";

const QUICK = process.argv.includes("--quick");
const PARTS = ["http", "render", "store", "ingest", "memory", "edge"] as const;
const onlyArg = process.argv.find((a) => a.startsWith("--only="));
const only = new Set(onlyArg ? onlyArg.slice("--only=".length).split(",") : PARTS);
for (const part of only)
  if (!(PARTS as readonly string[]).includes(part)) throw new Error(`bench: no part "${part}" (parts: ${PARTS.join(", ")})`);

const SMALL = 10_000;
const BIG = 1_000_000;
const QUICK_BIG = 100_000;
const BIG_PATH = join(tmpdir(), "hanbit-bench-1m.db");

const log = (line: string) => console.log(line);
const version = (pkg: string) =>
  (JSON.parse(readFileSync(join(ROOT, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
const cpuModel = () => /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpus()[0]?.model ?? "unknown";

const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;
log(
  `hanbit-feeds bench${QUICK ? " --quick" : ""}: ${new Date().toISOString()}; ${cpuModel()}, ${cpus().length} cores; Node ${process.version}; ` +
    `autocannon ${version("autocannon")}, tinybench ${version("tinybench")}, feed ${version("feed")}, feedsmith ${version("feedsmith")}`,
);

const dir = mkdtempSync(join(tmpdir(), "hanbit-bench-"));
const figures: Figure[] = [];
try {
  const contentDir = join(dir, "content");
  const settings = writeContentDir(contentDir);
  const smallPath = join(dir, "articles-10k.db");
  if (only.has("store")) {
    const start = performance.now();
    generateDatabase(smallPath, SMALL, settings);
    log(
      `data set: ${SMALL.toLocaleString("en")} articles (${settings.languages.map((l) => l.tag).join(", ")}; ~3 KB bodies) in ${((performance.now() - start) / 1000).toFixed(1)} s`,
    );
  }
  let big = { path: BIG_PATH, articles: BIG };
  if (only.has("store") || only.has("memory")) {
    const reuse = QUICK && articlesIn(BIG_PATH) === BIG;
    if (QUICK && !reuse) {
      big = { path: join(tmpdir(), "hanbit-bench-100k.db"), articles: QUICK_BIG };
      log(
        `NOTE --quick: no 1M-article database at ${BIG_PATH} yet (a full run writes it once), so the 1M steps run at ${QUICK_BIG.toLocaleString("en")} articles`,
      );
    }
    const made = reuseOrGenerate(big.path, big.articles, settings, log);
    log(
      `big database: ${big.articles.toLocaleString("en")} articles at ${big.path} (${made.reused ? "reused" : `written in ${made.seconds.toFixed(0)} s`})`,
    );
  }

  if (only.has("http")) {
    log(`\n== 1-3. HTTP: our server, the limit (bare node:http, nginx), the common way [${elapsed()}] ==`);
    // The sample edition as shipped (content/, written by `npm run ingest` before any server starts):
    // the documents a reader of the sample site gets (/en/rss.xml is ~41 KB), so the client's cost per
    // request is that of a real feed, not of the 50-item documents of the generated data set.
    const sample = join(ROOT, "content");
    const sampleSettings = parseSiteSettings(readFileSync(join(sample, "site.yaml"), "utf8"), join(sample, "site.yaml"));
    const samplePath = join(dir, "sample.db");
    const ingest = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/ingest.ts")], {
      cwd: ROOT,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATABASE_PATH: samplePath, CONTENT_DIR: sample, SITE_URL },
    });
    if (ingest.status !== 0) throw new Error(`bench: npm run ingest of the sample edition failed:\n${ingest.stderr}`);
    figures.push(...(await httpBench({ quick: QUICK, dir, contentDir: sample, settings: sampleSettings, databasePath: samplePath, log })));
  }
  if (only.has("render")) {
    log(`\n== 4. Render: a cache miss, FeedModel to document, ours against feedsmith and feed v6 (test/bench/render.ts) [${elapsed()}] ==`);
    const timings = await renderComparison();
    const ms = (format: string, items: number, lib: string) =>
      timings.find((t) => t.format === format && t.items === items && t.lib === lib)!.ms;
    for (const t of timings.filter((t) => t.lib === "ours")) {
      for (const lib of ["feed", "feedsmith"]) {
        const target = lib === "feed" && t.items === 50 && t.format !== "json" ? 3 : null;
        const figure = compared(
          "4 render",
          `render ${t.format} ${t.items} full-text items: ours vs ${lib === "feed" ? "feed v6" : "feedsmith"}`,
          t.ms,
          "ms",
          ms(t.format, t.items, lib),
          lib === "feed" ? "feed v6" : lib,
          false,
          target,
          spread(t.rounds, 3),
        );
        figures.push(target === null ? figure : raisedTo(figure, t.format === "rss" ? 3.5 : 4));
      }
    }
  }
  if (only.has("store")) {
    log(
      `\n== 5. Store: latest-50 and keyset paging at ${SMALL / 1000}k and ${big.articles === BIG ? "1M" : big.articles.toLocaleString("en")} articles [${elapsed()}] ==`,
    );
    figures.push(...(await storeBench({ quick: QUICK, small: { path: smallPath, articles: SMALL }, big, log })));
  }
  if (only.has("ingest")) {
    log(`\n== 6. Ingest: runIngest over a 10k-item upstream feed on 127.0.0.1 [${elapsed()}] ==`);
    figures.push(...(await ingestBench({ quick: QUICK, dir, log })));
  }
  if (only.has("memory")) {
    log(
      `\n== 7. Memory: our server over ${big.articles === BIG ? "1M" : big.articles.toLocaleString("en")} articles under load [${elapsed()}] ==`,
    );
    figures.push(...(await memoryBench({ quick: QUICK, contentDir, settings, databasePath: big.path, articles: big.articles, log })));
  }
  if (only.has("edge")) {
    log(`\n== 8. Edge: CPU per cached feed request in workerd, the Worker under Miniflare (test/bench/edge.ts) [${elapsed()}] ==`);
    figures.push(...(await edgeBench({ quick: QUICK, log })));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

log(`\n== Summary (${QUICK ? "--quick, " : ""}${elapsed()}; medians over rounds; ratio > 1 is better for us) ==\n`);
printFigures(figures);
const missed = figures.filter((f) => f.target !== null && f.ratio !== null && f.ratio < f.target);
const underRaised = figures.filter((f) => f.raised !== undefined && f.ratio !== null && !missed.includes(f) && f.ratio < f.raised);
log(
  `\n${figures.filter((f) => f.target !== null).length - missed.length} targets met, ${missed.length} missed${missed.length ? `: ${missed.map((f) => f.name).join("; ")}` : ""}`,
);
log(
  `${figures.filter((f) => f.raised !== undefined).length - underRaised.length} raised bars held, ${underRaised.length} not${underRaised.length ? `: ${underRaised.map((f) => f.name).join("; ")}` : ""}\n`,
);
for (const f of figures) log(jsonLine(f));
