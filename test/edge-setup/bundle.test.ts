/** The Worker as `wrangler deploy` would upload it: it builds, and stays small. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const outdir = mkdtempSync(join(tmpdir(), "worker-bundle-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

it("builds with wrangler deploy --dry-run, under 1 MiB gzipped", () => {
  const result = spawnSync(
    process.execPath,
    [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", outdir],
    {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" },
      encoding: "utf8",
      timeout: 120_000,
    },
  );
  expect(result.status, result.stderr).toBe(0);
  const script = readdirSync(outdir).find((f) => f.endsWith(".js"));
  expect(script).toBeDefined();
  const bytes = readFileSync(join(outdir, script!));
  const gzipped = gzipSync(bytes).length;
  console.log(`worker bundle: ${bytes.length} bytes, ${gzipped} gzipped`);
  expect(gzipped).toBeLessThan(1024 * 1024);
  // Nothing Node-only slipped into the Worker.
  expect(bytes.toString("utf8")).not.toMatch(/from "node:|require\("node:/);
});
