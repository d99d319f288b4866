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
import { DESTINATIONS, RULES } from "../../src/feeds/destinations.ts";
import type { FeedModel } from "../../src/feeds/model.ts";
import { feedPreviewPage } from "../../src/pages/preview.ts";
import { browserChecksRun, browserSkipNote, CHROMIUM, chromiumArgs, requireChromium } from "../browser.ts";
import { loadedStore } from "../helpers.ts";

const TIMEOUT_MS = 60_000;
const run = promisify(execFile);

const { store, site } = await loadedStore();
const pages = new Map<string, { model: FeedModel; html: string }>();
for (const tag of ["en", "ko", "ja", "zh-Hans"]) {
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

const dumps = new Map<string, Promise<string>>();

/** The DOM Chromium builds for `path`, dumped once and shared by the checks that read it. */
function dumpedDom(path: string): Promise<string> {
  let dump = dumps.get(path);
  if (!dump) dumps.set(path, (dump = chromium(["--dump-dom"], `${base}${path}`)));
  return dump;
}

/** Text as Chromium serializes it in a dumped DOM. */
const domText = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\u00a0/g, "&nbsp;");

/** The panel's heading and verdicts per language, written out here. */
const PANEL_WORDS: Record<string, { heading: string; met: string; notMet: string }> = {
  en: { heading: "Destinations", met: "Met", notMet: "Not met" },
  ko: { heading: "배포처", met: "충족", notMet: "미충족" },
  ja: { heading: "配信先", met: "適合", notMet: "不適合" },
  zh: { heading: "分发平台", met: "符合", notMet: "不符合" },
};

describe.skipIf(!browserChecksRun).each([...pages.keys()])(`the preview of %s in headless Chromium${browserSkipNote}`, (path) => {
  it(
    "renders the feed and its items",
    async () => {
      const { model } = pages.get(path)!;
      const dom = await dumpedDom(path);
      expect(dom).toContain(`<html lang="${model.lang}">`);
      expect(dom).toContain(`<h1>${domText(model.title)}</h1>`);
      expect(dom).toContain(domText(model.items[0]!.title));
      expect(dom).toContain(`value="${model.links.rss}"`);
    },
    TIMEOUT_MS,
  );

  it(
    "shows the Destinations panel: every destination, each measured rule met or not met, in the feed's language",
    async () => {
      const { model } = pages.get(path)!;
      const dom = await dumpedDom(path);
      const words = PANEL_WORDS[model.lang.split("-")[0]!]!;
      const section = /<section class="destinations"[^>]*>([\s\S]*?)<\/section>/.exec(dom)?.[1] ?? "";
      expect(section).toContain(`<h2 id="destinations-heading">${words.heading}</h2>`);
      for (const destination of DESTINATIONS) {
        const list = new RegExp(`<h3 id="destination-${destination.id}" lang="en">([^<]*)</h3>\\s*<ul[^>]*>([\\s\\S]*?)</ul>`).exec(
          section,
        );
        expect(list?.[1], destination.id).toBe(destination.name);
        const shown = [
          ...list![2]!.matchAll(/<li class="(met|not-met)" data-aspect="([a-zA-Z]+)"><strong class="verdict">([^<]*)<\/strong>/g),
        ];
        const rules = RULES.filter((r) => r.destination === destination.id && r.check !== null);
        expect(shown.map((m) => m[2])).toEqual(rules.map((r) => r.aspect));
        for (const [, cls, , verdict] of shown) expect(verdict).toBe(cls === "met" ? words.met : words.notMet);
      }
      // The sample feeds hold fewer than Flipboard's 30 items, which the panel must say.
      expect(section).toMatch(/<h3 id="destination-flipboard"[\s\S]*?<li class="not-met" data-aspect="items">/);
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
