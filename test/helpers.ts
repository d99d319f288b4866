/** Shared test setup: the real settings and content folder loaded into a real SQLite store. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseSiteSettings } from "../src/config.ts";
import type { Site } from "../src/feeds/build.ts";
import type { Logger } from "../src/http/app.ts";
import { loadContentIntoStore } from "../src/ingest/content-load.ts";
import { openSqliteStore } from "../src/store/sqlite.ts";

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

/** The sample edition in an in-memory SQLite store. */
export async function loadedStore(site = testSite(), path = ":memory:") {
  const store = openSqliteStore(path);
  const logger = memoryLogger();
  const report = await loadContentIntoStore(store, site, CONTENT_DIR, logger);
  return { store, site, logger, report };
}
