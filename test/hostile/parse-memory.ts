/**
 * `npx tsx test/hostile/parse-memory.ts`: what reading each hostile document (test/hostile/hostile-documents.ts)
 * costs the process, read in the process itself and through the Node runtime's parse worker: the
 * process's peak resident memory over its baseline (the modules loaded and the reader warmed up), the
 * time, and the outcome. Each measurement runs in a process of its own, so one peak hides no other.
 * A measurement, not a test: it prints figures and asserts nothing.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DocumentReader } from "../../src/ingest/reader.ts";
import { inProcessReader } from "../../src/ingest/reader.ts";
import { workerReader } from "../../src/runtime/parse-pool.ts";
import { testSite } from "../helpers.ts";
import { bigFeed, deepNesting, denseHtml, hostileAuthor, hostileEmail, manyAttributes } from "./hostile-documents.ts";

const SOURCE = { name: "feed:hostile", lang: "en", section: "politics", sections: {}, timezone: "Asia/Seoul" };
const TINY = `<rss version="2.0"><channel><title>t</title><link>https://wire.example/</link><description>d</description><item><guid>w</guid><title>w</title><description>&lt;p&gt;w&lt;/p&gt;</description></item></channel></rss>`;
const MB = 1024;

/** One document read once, by `mode`, in this process; prints one JSON line. */
async function measure(mode: "in-process" | "worker", file: string, contentType: string) {
  const reader: DocumentReader & { close?: () => Promise<void> } = mode === "worker" ? workerReader() : inProcessReader;
  const site = testSite();
  const read = async (text: string) => {
    const document = await reader.parse(text, contentType, "https://wire.example/hostile.xml");
    const items = document.kind === "feed" ? document.items : [];
    const normalized = await reader.normalize(items, SOURCE, site, Date.parse("2026-11-20T03:00:00Z"));
    return `${normalized.filter((n) => n.ok).length} of ${items.length} items read`;
  };
  await read(TINY);
  const text = readFileSync(file, "utf8");
  const baseline = process.resourceUsage().maxRSS / MB;
  const t0 = performance.now();
  const outcome = await read(text).catch((error: Error) => `refused: ${error.message.slice(0, 120)}`);
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ baseline, peak: process.resourceUsage().maxRSS / MB, ms, outcome }));
  await reader.close?.();
}

async function main() {
  const [, , child, mode, file, contentType] = process.argv;
  if (child === "--child") return measure(mode as "in-process" | "worker", file!, contentType!);
  const dir = mkdtempSync(join(tmpdir(), "parse-memory-"));
  try {
    const documents = [hostileAuthor(), hostileEmail(), bigFeed(), denseHtml(), manyAttributes(), ...deepNesting()];
    console.log("document        size MB  reader      baseline MB  peak MB  growth MB  time ms  outcome");
    for (const document of documents) {
      const file = join(dir, `${document.name}.xml`);
      writeFileSync(file, document.text);
      for (const mode of ["in-process", "worker"]) {
        const out = execFileSync(process.execPath, ["--import", "tsx", import.meta.filename, "--child", mode, file, document.contentType], {
          encoding: "utf8",
        });
        const m = JSON.parse(out.trim().split("\n").at(-1)!) as { baseline: number; peak: number; ms: number; outcome: string };
        console.log(
          [
            document.name.padEnd(15),
            (Buffer.byteLength(document.text) / 1e6).toFixed(2).padStart(7),
            mode.padEnd(10),
            m.baseline.toFixed(0).padStart(11),
            m.peak.toFixed(0).padStart(8),
            (m.peak - m.baseline).toFixed(0).padStart(9),
            m.ms.toFixed(0).padStart(8),
            m.outcome,
          ].join("  "),
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
