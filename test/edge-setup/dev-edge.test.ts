/** `npm run dev:edge` in one command: wrangler dev with local D1 loaded from content/, serving what Node serves. */
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import { waitForOutput } from "../child-output.ts";
import { loadedStore, memoryLogger, testSite } from "../helpers.ts";
import { freePort } from "../ports.ts";

const ROOT = join(import.meta.dirname, "..", "..");
let child: ChildProcess | undefined;
// wrangler keeps its local D1 under .wrangler/ in the folder it runs in: a copy keeps the tree clean.
const work = mkdtempSync(join(tmpdir(), "dev-edge-"));

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill("SIGTERM");
    await new Promise((resolve) => child!.once("exit", resolve));
  }
  rmSync(work, { recursive: true, force: true });
});

it("serves the same feed bytes as Node for the same content and SITE_URL", { timeout: 180_000 }, async () => {
  for (const entry of ["src", "content", "wrangler.toml", "package.json", "tsconfig.json"])
    cpSync(join(ROOT, entry), join(work, entry), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(work, "node_modules"), "dir");
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  let log = "";
  child = spawn(process.execPath, ["--import", "tsx", "src/cli/dev-edge.ts"], {
    cwd: work,
    env: { ...process.env, EDGE_PORT: String(port), SITE_URL: "https://news.example" },
  });
  child.stdout!.on("data", (chunk) => (log += chunk));
  child.stderr!.on("data", (chunk) => (log += chunk));

  const { store, site } = await loadedStore(testSite("https://news.example"));
  const expected = await (await createApp({ store, site, logger: memoryLogger() }).request("/en/rss.xml")).text();
  await store.close();

  // Said once the cron event that loads content/ has been answered.
  await waitForOutput(child, () => log, /^dev:edge: serving on /m, 150_000);
  const body = await (await fetch(`${origin}/en/rss.xml`)).text();
  expect(body, log).toBe(expected);
  const image = await fetch(`${origin}/media/chip-fab.jpg`);
  expect(image.status).toBe(200);
  expect(image.headers.get("content-type")).toBe("image/jpeg");
});
