import { join } from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// Nothing in the tests may reach the internet: no wrangler metrics, no request.cf data download.
process.env.WRANGLER_SEND_METRICS ??= "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
// Nor IndexNow's public endpoints, whatever the shell sets: a test that turns IndexNow on names its own recorder.
const NO_INDEXNOW = "http://127.0.0.1:9/indexnow";
process.env.INDEXNOW_ENDPOINTS = NO_INDEXNOW;

export default defineConfig(async () => {
  const migrations = await readD1Migrations(join(import.meta.dirname, "src/store/migrations"));
  return {
    test: {
      testTimeout: 30_000,
      projects: [
        {
          test: {
            name: "node",
            include: ["test/**/*.test.ts"],
            exclude: ["test/edge/**"],
            // Says which browser checks did not run when Chromium is missing.
            globalSetup: ["test/browser-setup.ts"],
            testTimeout: 30_000,
          },
        },
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: { TEST_MIGRATIONS: migrations, SITE_URL: "https://news.example", INDEXNOW_ENDPOINTS: NO_INDEXNOW },
              },
            }),
          ],
          test: {
            name: "edge",
            // One D1 database and one cache serve the whole project; files take turns with them.
            fileParallelism: false,
            include: ["test/edge/**/*.test.ts"],
            globalSetup: ["test/edge-setup/global-setup.ts"],
            setupFiles: ["test/edge/apply-migrations.ts"],
            testTimeout: 60_000,
          },
        },
      ],
    },
  };
});
