/**
 * `npm run dev:edge`: the Worker under `wrangler dev` on 127.0.0.1 (port EDGE_PORT, default 8788) with
 * a local D1 migrated and loaded from content/, in one command: build the bundle, apply the migrations,
 * start wrangler with --test-scheduled, then send one cron event so the content is in.
 */
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { buildEdge } from "./build-edge.ts";

const port = process.env.EDGE_PORT?.trim() || "8788";
if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
  console.error(`config: EDGE_PORT "${port}" is not a port number from 1 to 65535`);
  process.exit(1);
}
const origin = `http://127.0.0.1:${port}`;
const siteUrl = process.env.SITE_URL?.trim() || origin;
const wrangler = join(import.meta.dirname, "..", "..", "node_modules", "wrangler", "bin", "wrangler.js");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

const bundle = buildEdge();
console.log(`dev:edge: bundled ${bundle.files.length} article files`);
const migrate = spawnSync(process.execPath, [wrangler, "d1", "migrations", "apply", "hanbit-feeds", "--local"], { env, stdio: "inherit" });
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const dev = spawn(
  process.execPath,
  [
    wrangler,
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    port,
    "--test-scheduled",
    "--var",
    `SITE_URL:${siteUrl}`,
    "--var",
    "INGEST_WRITE_BUDGET:100000",
  ],
  { env, stdio: ["ignore", "inherit", "inherit"] },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => dev.kill(signal));
dev.once("exit", (code) => process.exit(code ?? 0));

/** Waits for wrangler to answer, then sends the cron event that loads the content folder. */
async function loadContent() {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${origin}/__scheduled?cron=${encodeURIComponent("*/5 * * * *")}`);
      if (response.ok) {
        console.log(`dev:edge: serving on ${origin} (links use ${siteUrl}); the first cron event is loading content/`);
        return;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  console.error("dev:edge: wrangler dev did not answer within 120 s");
  dev.kill("SIGTERM");
}

void loadContent();
