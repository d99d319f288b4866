/**
 * What "nothing partial, nothing broken" means for a database after a crash: SQLite's own integrity
 * check, every article row complete, versions for every feed that has articles, no article both
 * stored and withdrawn; and every feed rendered from it well-formed, with the articles the content
 * folder says it should hold.
 */
import Database from "better-sqlite3";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseSiteSettings, type Site } from "../../src/config/site.ts";
import { createApp } from "../../src/http/app.ts";
import { readContent } from "../../src/ingest/sources/content-file.ts";
import { readContentFolder } from "../../src/ingest/sources/content-disk.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import { FEED_FILES, readFeedItems } from "./harness.ts";

const REQUIRED_TEXT = [
  "id",
  "lang",
  "section",
  "slug",
  "story",
  "url",
  "title",
  "summary",
  "content_html",
  "published",
  "updated",
  "source",
  "fingerprint",
];

/** Throws, naming the row and the problem, unless the database is whole; returns what it holds. */
export function checkDatabase(path: string) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const integrity = db.pragma("integrity_check", { simple: true });
    if (integrity !== "ok") throw new Error(`integrity: ${path}: ${String(integrity)}`);
    const rows = db.prepare("SELECT * FROM articles").all() as Record<string, unknown>[];
    for (const row of rows) {
      const where = `integrity: article ${String(row.id)}`;
      for (const column of REQUIRED_TEXT) {
        if (typeof row[column] !== "string" || row[column].trim() === "")
          throw new Error(`${where}: ${column} is ${JSON.stringify(row[column])}`);
      }
      for (const column of ["published", "updated"]) {
        if (Date.parse(row[column] as string) !== row[`${column}_ms`])
          throw new Error(`${where}: ${column} ${String(row[column])} is not ${column}_ms ${String(row[`${column}_ms`])}`);
      }
      if (!Array.isArray(JSON.parse(row.authors as string)) || !Array.isArray(JSON.parse(row.tags as string)))
        throw new Error(`${where}: authors or tags are not lists`);
      if (row.image !== null && typeof JSON.parse(row.image as string) !== "object") throw new Error(`${where}: image is not an object`);
    }
    const versions = new Set(db.prepare("SELECT lang || '/' || section FROM feed_versions").pluck().all() as string[]);
    for (const feed of db
      .prepare("SELECT DISTINCT lang || '/' || section FROM articles UNION SELECT DISTINCT lang || '/' FROM articles")
      .pluck()
      .all() as string[]) {
      if (!versions.has(feed)) throw new Error(`integrity: feed ${feed} has articles but no version`);
    }
    const both = db.prepare("SELECT id FROM articles WHERE id IN (SELECT id FROM tombstones)").pluck().all();
    if (both.length) throw new Error(`integrity: stored and withdrawn at once: ${both.join(", ")}`);
    const tombstones = db.prepare("SELECT count(*) FROM tombstones").pluck().get() as number;
    const lease = (db.prepare("SELECT holder FROM leases WHERE name = 'ingest'").pluck().get() as string | undefined) ?? null;
    return { articles: rows.length, tombstones, lease };
  } finally {
    db.close();
  }
}

/**
 * Renders every subscription feed (language and section, each format) from the database through the
 * app, reads each strictly, and returns the ids per feed path (`/en/politics/feed.json`).
 */
export async function renderEveryFeed(path: string, contentDir: string): Promise<Map<string, string[]>> {
  const settings = parseSiteSettings(readFileSync(join(contentDir, "site.yaml"), "utf8"), "site.yaml");
  const site: Site = { settings, siteUrl: "http://127.0.0.1" };
  const store = openSqliteStore(path);
  try {
    const app = createApp({
      store,
      site,
      logger: {
        info: () => undefined,
        error: (m) => {
          throw new Error(m);
        },
      },
    });
    const feeds = new Map<string, string[]>();
    for (const language of settings.languages) {
      for (const section of [undefined, ...language.sections.map((s) => s.slug)]) {
        for (const file of FEED_FILES) {
          const feedPath = `/${language.tag}${section ? `/${section}` : ""}/${file}`;
          const response = await app.request(feedPath);
          if (response.status !== 200) throw new Error(`feed: ${feedPath}: ${response.status}`);
          feeds.set(
            feedPath,
            readFeedItems(file, await response.text()).map((item) => item.id),
          );
        }
      }
    }
    return feeds;
  } finally {
    await store.close();
  }
}

interface Listed {
  id: string;
  lang: string;
  section: string;
  published: number;
}

/** The ids each subscription feed should hold, newest first: the content folder's articles and `others`. */
export function expectedFeeds(contentDir: string, others: readonly Listed[] = []): Map<string, string[]> {
  const settings = parseSiteSettings(readFileSync(join(contentDir, "site.yaml"), "utf8"), "site.yaml");
  const folder = readContentFolder(contentDir);
  const { articles } = readContent(folder.files, {
    settings,
    siteUrl: "http://127.0.0.1",
    mediaSize: (name) => folder.mediaSize(name),
    folder: folder.folder,
  });
  // Articles scheduled for later are in no feed before their time.
  const all: Listed[] = [
    ...articles
      .filter((a) => a.published.ms <= Date.now())
      .map((a) => ({ id: a.id, lang: a.lang, section: a.section, published: a.published.ms })),
    ...others,
  ];
  const newestFirst = all.sort((a, b) => b.published - a.published || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const feeds = new Map<string, string[]>();
  for (const language of settings.languages) {
    for (const section of [undefined, ...language.sections.map((s) => s.slug)]) {
      const ids = newestFirst
        .filter((a) => a.lang === language.tag && (!section || a.section === section))
        .slice(0, settings.itemCount)
        .map((a) => a.id);
      for (const file of FEED_FILES) feeds.set(`/${language.tag}${section ? `/${section}` : ""}/${file}`, ids);
    }
  }
  return feeds;
}
