/**
 * `npm run ingest`: every configured source once; `-- --source <url-or-path> [--lang <tag>]
 * [--section <slug>]`: one upstream document; `-- --report`: the last runs. Exits non-zero when a
 * source failed or the run stopped short (the database locked, read-only or full).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ConfigError } from "../config/error.ts";
import type { IngestOptions } from "../ingest/deps.ts";
import { decodeLocalDocument } from "../ingest/local-document.ts";
import { summary, type RunReport } from "../ingest/report.ts";
import { runIngest } from "../ingest/run.ts";
import { exitWith, nodeSetup } from "../runtime/node-setup.ts";

const USAGE = "usage: npm run ingest [-- --source <url-or-path> [--lang <tag>] [--section <slug>] | --report [--runs <n>] | --force]";

/** A bar on a terminal, plain lines otherwise (logs, CI). */
function progressPrinter(): IngestOptions["progress"] {
  if (process.stderr.isTTY) {
    return (done, total, label) => {
      const width = 24;
      const filled = total ? Math.round((done / total) * width) : width;
      process.stderr.write(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total} ${label.padEnd(30).slice(0, 30)}`);
      if (done === total) process.stderr.write("\n");
    };
  }
  return (done, total, label) => {
    if (done < total) process.stderr.write(`ingest: ${done + 1}/${total} ${label}\n`);
  };
}

function printReport(report: RunReport) {
  if (report.skipped) {
    console.log(`ingest: ${report.skipped}`);
    return;
  }
  if (report.tookOverFrom) console.log(`ingest: took over the lease of a run that ended without releasing it (${report.tookOverFrom})`);
  console.table(summary(report));
  for (const s of report.sources) for (const note of s.notes) console.log(`note: ${s.source}: ${note}`);
  if (report.joined) console.log(`editions joined into stories: ${report.joined}`);
}

async function main() {
  let args;
  try {
    args = parseArgs({
      options: {
        source: { type: "string" },
        lang: { type: "string" },
        section: { type: "string" },
        report: { type: "boolean" },
        runs: { type: "string" },
        force: { type: "boolean" },
      },
      strict: true,
    }).values;
  } catch (error) {
    throw new ConfigError(`ingest: ${(error as Error).message}\n${USAGE}`);
  }
  const quiet = { info: () => undefined, error: (m: string) => console.error(m) };
  const { store, ingestDeps } = nodeSetup(process.env, args.report ? quiet : undefined);
  try {
    if (args.report) {
      const runs = await store.recentRuns(Number(args.runs ?? 10));
      if (runs.length === 0) console.log("ingest: no run recorded yet");
      for (const run of runs.reverse()) {
        console.log(`run ${new Date(run.startedMs).toISOString()} (${run.finishedMs - run.startedMs} ms)`);
        const report = JSON.parse(run.report) as RunReport;
        printReport(report);
        if (report.error) console.log(report.error);
      }
      return 0;
    }
    let document: IngestOptions["document"];
    if (args.source) {
      const isUrl = /^https?:\/\//i.test(args.source);
      document = isUrl
        ? { url: args.source, lang: args.lang, section: args.section }
        : {
            url: new URL(args.source, `file://${process.cwd()}/`).href,
            text: readSource(args.source),
            lang: args.lang,
            section: args.section,
          };
    } else if (args.lang || args.section) {
      throw new ConfigError(`ingest: --lang and --section go with --source\n${USAGE}`);
    }
    const report = await runIngest({ ...ingestDeps, logger: quiet }, { document, force: args.force ?? false, progress: progressPrinter() });
    printReport(report);
    const failed = report.sources.filter((s) => s.status === "failed");
    for (const s of failed) console.error(`ingest: source "${s.source}" failed: ${s.error}`);
    if (report.error) console.error(report.error);
    return failed.length || report.error ? 1 : 0;
  } finally {
    await store.close();
  }
}

/**
 * A file's text, its character set found as for a fetched document (BOM, XML declaration, meta); a
 * file that is not in the character set it declares (or UTF-8) is refused, never read with losses.
 */
function readSource(path: string): string {
  try {
    return decodeLocalDocument(readFileSync(path)).text;
  } catch (error) {
    throw new ConfigError(`ingest: unable to read --source ${path}: ${(error as Error).message}`);
  }
}

main().then(
  (code) => process.exit(code),
  (error) => exitWith(error),
);
