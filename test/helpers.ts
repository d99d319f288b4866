/** Shared test setup: the real settings and content folder loaded into a real SQLite store. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseSiteSettings, type Site, type SourceSettings } from "../src/config/site.ts";
import type { Logger } from "../src/model/logger.ts";
import { createIngestState, type IngestDeps } from "../src/ingest/deps.ts";
import { runIngest } from "../src/ingest/run.ts";
import { readContent } from "../src/ingest/sources/content-file.ts";
import { readContentFolder } from "../src/ingest/sources/content-disk.ts";
import { openSqliteStore } from "../src/store/sqlite.ts";
import type { ArticleStore } from "../src/store/store.ts";

export const CONTENT_DIR = join(import.meta.dirname, "..", "content");
export const SITE_URL = "https://news.example";

export function siteSettings() {
  return parseSiteSettings(readFileSync(join(CONTENT_DIR, "site.yaml"), "utf8"), "content/site.yaml");
}

export function testSite(siteUrl = SITE_URL): Site {
  return { settings: siteSettings(), siteUrl };
}

/** A logger that keeps what it was told, for assertions. */
export function memoryLogger(): Logger & { infos: string[]; errors: string[] } {
  const infos: string[] = [];
  const errors: string[] = [];
  return { infos, errors, info: (m) => infos.push(m), error: (m) => errors.push(m) };
}

/** The ingest tests' clock: a fixed instant after every article of content/, so runs replay exactly. */
export const INGEST_NOW = Date.parse("2026-11-27T12:00:00Z");

/** Ingest dependencies over a store, reading `contentDir`, with no upstream fetches allowed unless given. */
export function ingestDeps(store: ArticleStore, site: Site, contentDir = CONTENT_DIR, extra: Partial<IngestDeps> = {}): IngestDeps {
  return {
    store,
    site,
    logger: memoryLogger(),
    now: () => INGEST_NOW,
    fetch: () => Promise.reject(new Error("test: no upstream fetch expected")),
    content: () => readContentFolder(contentDir),
    state: createIngestState(),
    ...extra,
  };
}

/**
 * Reads a content folder the way the ingest does, without a store: the articles published at `nowMs`
 * (INGEST_NOW unless given), not those scheduled later, nor those marked withdrawn.
 */
export function readContentDir(dir: string, settings = siteSettings(), siteUrl = SITE_URL, nowMs = INGEST_NOW) {
  const folder = readContentFolder(dir);
  const read = readContent(folder.files, { settings, siteUrl, mediaSize: (name) => folder.mediaSize(name), folder: folder.folder });
  return { ...read, articles: read.articles.filter((a) => a.published.ms <= nowMs) };
}

/** The sample edition ingested into a SQLite store (in memory unless a path is given). */
export async function loadedStore(site = testSite(), path = ":memory:") {
  const store = openSqliteStore(path);
  const logger = memoryLogger();
  const run = await runIngest(ingestDeps(store, site, CONTENT_DIR, { logger }));
  return { store, site, logger, run, report: run.sources[0]! };
}

/** An upstream feed source at `url`, polled whenever a run asks, into English politics unless `extra` says otherwise. */
export function feedSource(id: string, url: string, extra: Partial<SourceSettings> = {}): SourceSettings {
  return {
    id,
    kind: "feed",
    url,
    lang: "en",
    section: "politics",
    sections: {},
    timezone: "Asia/Seoul",
    minInterval: 0,
    maxBytes: 1 << 20,
    ...extra,
  };
}
