/**
 * Replays every file of test/fixtures/fuzz/, the worst cases fuzzing found, through the part its name
 * prefix names, with the same properties the fuzzers check. A file whose prefix names no part fails, so
 * nothing in the corpus goes unreplayed.
 *
 *   upstream-*.{xml,json,html}  parseUpstream, then every item it yields through normalize, SQLite and the feeds
 *   item-*.json                 an IncomingItem through normalize, SQLite and the feeds
 *   push-*.json                 the body of a push API request
 *   html-*.html                 sanitizeHtml
 *   date-*.tsv                  `text<TAB>time zone<TAB>expected RFC 3339 instant or null` for parseFeedDate
 *   content-*.md                an article file of the content folder (readContent)
 *   http-*.txt                  one request path per line, never answered with a 5xx
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { IncomingItem } from "../../src/ingest/incoming.ts";
import { parseFeedDate } from "../../src/ingest/feed-date.ts";
import { sanitizeHtml } from "../../src/ingest/sanitize.ts";
import { readContent } from "../../src/ingest/sources/content-file.ts";
import { inZone } from "../../src/model/time.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { SITE_URL, siteSettings } from "../helpers.ts";
import {
  everyArticle,
  expectFeedsHold,
  expectInertHtml,
  expectNormalizedItemHolds,
  expectParsedOrRefused,
  hostileApp,
  TOKEN,
} from "./support.ts";

const CORPUS_DIR = join(import.meta.dirname, "..", "fixtures", "fuzz");
const files = readdirSync(CORPUS_DIR)
  .filter((name) => !name.startsWith("."))
  .sort();
const read = (name: string) => readFileSync(join(CORPUS_DIR, name), "utf8");

const stores: ArticleStore[] = [];
afterAll(async () => {
  for (const store of stores) await store.close();
});

const MEDIA_TYPES: Record<string, string> = { xml: "application/xml", json: "application/feed+json", html: "text/html" };
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

const REPLAY: [RegExp, (name: string) => Promise<void>][] = [
  [
    /^upstream-.+\.(xml|json|html)$/,
    async (name) => {
      const parsed = expectParsedOrRefused(read(name), MEDIA_TYPES[name.split(".").pop()!]!);
      const items: IncomingItem[] = parsed?.kind === "feed" ? parsed.items : parsed?.kind === "article-page" ? [parsed.item] : [];
      for (const item of items) await expectNormalizedItemHolds(item);
    },
  ],
  [
    /^item-.+\.json$/,
    async (name) => {
      await expectNormalizedItemHolds(JSON.parse(read(name)) as IncomingItem);
    },
  ],
  [
    /^push-.+\.json$/,
    async (name) => {
      const made = hostileApp();
      stores.push(made.store);
      const response = await made.app.request("/api/articles", {
        method: "POST",
        headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
        body: read(name),
      });
      expect([200, 400, 413], await response.clone().text()).toContain(response.status);
      const stored = await everyArticle(made.store, made.site);
      if (response.status !== 200) expect(stored).toEqual([]);
      for (const article of stored) await expectFeedsHold(made.store, made.site, article);
    },
  ],
  [
    /^html-.+\.html$/,
    async (name) => {
      const once = sanitizeHtml(read(name), "https://wire.example/2023/09/story.html");
      expectInertHtml(once, name);
      expect(sanitizeHtml(once, "https://wire.example/2023/09/story.html")).toBe(once);
    },
  ],
  [
    /^date-.+\.tsv$/,
    async (name) => {
      for (const line of read(name)
        .split("\n")
        .filter((l) => l !== "" && !l.startsWith("#"))) {
        const [text, zone, expected] = line.split("\t") as [string, string, string];
        const instant = parseFeedDate(text, zone);
        expect(instant?.iso ?? "null", JSON.stringify(text)).toBe(expected);
        // Normalize reads anything before the year 0001 as no date and clamps the future to now; in between,
        // every zone shows an instant as RFC 3339.
        if (instant && instant.ms >= Date.parse("0001-01-01T00:00:00Z") && instant.ms < Date.parse("9999-12-31T00:00:00Z")) {
          for (const shown of ["UTC", "Asia/Seoul", "Pacific/Kiritimati", zone])
            expect(inZone(instant, shown).iso, `${text} in ${shown}`).toMatch(RFC3339);
        }
      }
    },
  ],
  [
    /^content-.+\.md$/,
    async (name) => {
      const context = { settings: siteSettings(), siteUrl: SITE_URL, folder: "content", mediaSize: () => null };
      const { articles, problems } = readContent(
        [{ path: `en/politics/${name.replace(/^content-|\.md$/g, "")}.md`, text: read(name) }],
        context,
      );
      expect(articles.length + problems.length).toBe(1);
      for (const problem of problems) expect(problem.message).toMatch(/^content: content\/en\/politics\/[a-z-]+\.md: \S/);
      for (const article of articles) expectInertHtml(article.contentHtml, name);
    },
  ],
  [
    /^http-.+\.txt$/,
    async (name) => {
      const made = hostileApp();
      stores.push(made.store);
      for (const path of read(name)
        .split("\n")
        .filter((l) => l !== "" && !l.startsWith("#"))) {
        const response = await made.app.request(path);
        expect(response.status, path).toBeLessThan(500);
      }
      expect(made.logger.errors).toEqual([]);
    },
  ],
];

describe("the fuzzing corpus", () => {
  it("holds files", () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files)("replays %s", async (name) => {
    const replay = REPLAY.find(([pattern]) => pattern.test(name));
    expect(replay, `${name}: no replay for this name; see the list at the top of corpus.test.ts`).toBeDefined();
    await replay![1](name);
  });
});
