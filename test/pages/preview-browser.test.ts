/**
 * The feed preview as a person's browser shows it: served over HTTP on 127.0.0.1 and opened in headless
 * Chromium (Debian package `chromium`), which must render it and take a screenshot of it.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFeed } from "../../src/feeds/build.ts";
import type { FeedModel } from "../../src/feeds/model.ts";
import { feedPreviewPage } from "../../src/pages/preview.ts";
import { browserChecksRun, browserSkipNote, CHROMIUM, chromiumArgs, requireChromium } from "../browser.ts";
import { loadedStore } from "../helpers.ts";

const TIMEOUT_MS = 60_000;
const run = promisify(execFile);

const { store, site } = await loadedStore();
const pages = new Map<string, { model: FeedModel; html: string }>();
for (const tag of ["en", "ko"]) {
  const model = await readFeed(store, site, { language: site.settings.languages.find((l) => l.tag === tag)! });
  pages.set(`/${tag}/rss.xml`, { model, html: feedPreviewPage(site, model, "rss") });
}
await store.close();

let server: Server;
let base: string;
let scratch: string;

beforeAll(async () => {
  requireChromium("preview-browser");
  scratch = await mkdtemp(join(tmpdir(), "preview-browser-"));
  server = createServer((request, response) => {
    const page = pages.get(request.url ?? "");
    if (!page) {
      response.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("not found");
      return;
    }
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(page.html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (scratch) await rm(scratch, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});

/** Runs headless Chromium on a fresh profile with `args` then `url`; its stdout. */
async function chromium(args: string[], url: string): Promise<string> {
  const profile = await mkdtemp(join(scratch, "profile-"));
  try {
    const { stdout } = await run(CHROMIUM, [...chromiumArgs(profile), "--window-size=1000,1400", "--hide-scrollbars", ...args, url], {
      timeout: TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } finally {
    await rm(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}

/** Text as Chromium serializes it in a dumped DOM. */
const domText = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\u00a0/g, "&nbsp;");

describe.skipIf(!browserChecksRun).each([...pages.keys()])(`the preview of %s in headless Chromium${browserSkipNote}`, (path) => {
  it(
    "renders the feed and its items",
    async () => {
      const { model } = pages.get(path)!;
      const dom = await chromium(["--dump-dom"], `${base}${path}`);
      expect(dom).toContain(`<html lang="${model.lang}">`);
      expect(dom).toContain(`<h1>${domText(model.title)}</h1>`);
      expect(dom).toContain(domText(model.items[0]!.title));
      expect(dom).toContain(`value="${model.links.rss}"`);
    },
    TIMEOUT_MS,
  );

  it(
    "takes a screenshot of the page",
    async () => {
      const png = join(scratch, `${path.replaceAll("/", "_")}.png`);
      await chromium([`--screenshot=${png}`], `${base}${path}`);
      const bytes = await readFile(png);
      expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      // The IHDR chunk: the window's width and height.
      expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([1000, 1400]);
      // A blank page of that size compresses to about 7 KB; text and boxes make it far larger.
      expect(bytes.length).toBeGreaterThan(20_000);
    },
    TIMEOUT_MS,
  );
});
