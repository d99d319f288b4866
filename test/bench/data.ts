/**
 * The benchmark's data sets: a content folder whose site.yaml is the real one with 50-item feeds, and
 * SQLite article databases of any size, written straight into the migrated schema with one prepared
 * statement in one transaction (not through the ingest, which `ingest.ts` measures on its own).
 * Articles come from render.ts's seeded writer: four languages, stories in all four editions, ~3 KB
 * HTML bodies, authors, tags and an image, published a few minutes apart going back in time.
 */
import Database from "better-sqlite3";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseSiteSettings, type SiteSettings } from "../../src/config/site.ts";
import { fnv64 } from "../../src/model/hash.ts";
import { instantAt } from "../../src/model/time.ts";
import { migrate } from "../../src/store/sqlite-migrate.ts";
import { htmlBody, makeWriter, PACKS, seededRandom } from "./render.ts";

export const ROOT = join(import.meta.dirname, "..", "..");
export const SITE_URL = "https://news.example";
/** Items in a subscription document of the bench's site (the 50-item feed). */
export const ITEM_COUNT = 50;
/** The newest article of every data set; older ones go back from here. */
const NEWEST_MS = Date.UTC(2026, 10, 1, 9, 0, 0);
/** Distinct bodies per language; rows reuse them (the text of an old article changes no query plan). */
const BODY_POOL = 64;

/** The real site.yaml with `item_count: 50` and, when given, upstream sources, written to `dir/site.yaml`. */
export function writeContentDir(dir: string, sourcesYaml = "[]"): SiteSettings {
  mkdirSync(dir, { recursive: true });
  const real = readFileSync(join(ROOT, "content", "site.yaml"), "utf8");
  const text = real.replace(/^item_count: \d+$/m, `item_count: ${ITEM_COUNT}`).replace(/^sources: \[\]$/m, `sources: ${sourcesYaml}`);
  if (!text.includes(`item_count: ${ITEM_COUNT}`) || !text.includes(`sources: ${sourcesYaml}`)) {
    throw new Error("bench: content/site.yaml no longer has the `item_count:` and `sources: []` lines the bench rewrites");
  }
  writeFileSync(join(dir, "site.yaml"), text);
  return parseSiteSettings(text, join(dir, "site.yaml"));
}

const INSERT = `INSERT INTO articles (id, lang, section, slug, story, url, title, summary, content_html, authors, tags, image,
  published, published_ms, updated, updated_ms, source, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * Writes a database of `count` articles (stories of four editions) at `path`, through a `.partial`
 * file renamed when complete, so an interrupted run never leaves a database that looks reusable.
 */
export function generateDatabase(path: string, count: number, settings: SiteSettings, onProgress?: (done: number) => void): void {
  const partial = `${path}.partial`;
  for (const file of [partial, `${partial}-wal`, `${partial}-shm`]) rmSync(file, { force: true });
  const db = new Database(partial);
  db.pragma("journal_mode = OFF");
  db.pragma("synchronous = OFF");
  db.pragma("cache_size = -262144");
  migrate(db);
  // Indexes and triggers are set aside while the rows go in and made again after (the same SQL, from
  // sqlite_master): building an index over sorted rows once is several times faster than keeping nine
  // of them up to date row by row. feed_versions, which the triggers would have moved, is filled after.
  const deferred = db
    .prepare("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'articles' AND type IN ('index', 'trigger') AND sql IS NOT NULL")
    .all() as { type: string; name: string; sql: string }[];
  for (const { type, name } of deferred) db.exec(`DROP ${type.toUpperCase()} "${name}"`);
  const insert = db.prepare(INSERT);
  const rand = seededRandom(20261101);
  const w = makeWriter(rand);
  const packs = PACKS.filter((p) => settings.languages.some((l) => l.tag === p.tag));
  const bodies = new Map(packs.map((p) => [p.tag, Array.from({ length: BODY_POOL }, (_, i) => htmlBody(w, p, `pool-${i}`))]));
  const stories = Math.ceil(count / packs.length);
  const width = String(stories).length;
  const batch = 20_000;
  let written = 0;
  const writeBatch = db.transaction((from: number) => {
    for (let s = from; s < Math.min(from + batch, stories); s++) {
      // Story 0 is the newest; ids ascend with age so the primary key grows at one end.
      const key = `s${String(s).padStart(width, "0")}`;
      const published = NEWEST_MS - s * 127_000;
      const section = settings.languages[0]!.sections[s % settings.languages[0]!.sections.length]!.slug;
      for (const pack of packs) {
        if (written >= count) return;
        const bodyIndex = (s * 7 + pack.offset) % BODY_POOL;
        const body = bodies.get(pack.tag)![bodyIndex]!;
        const title = w.title(pack);
        const summary = w.sentence(pack);
        const authors = [{ name: w.pick(pack.names) }];
        const tags = [w.pick(pack.tags)];
        const slug = `${key}-${pack.tag.toLowerCase()}`;
        const image = {
          url: `${SITE_URL}/media/${slug}.jpg`,
          type: "image/jpeg",
          length: 120_000 + (s % 9000),
          width: 1200,
          height: 675,
          alt: summary,
        };
        const at = instantAt(published, pack.offset);
        const updated = s % 5 === 0 ? instantAt(published + 3_600_000, pack.offset) : at;
        insert.run(
          `tag:hanbit.example,2026-09-01:article/${pack.tag}/${key}`,
          pack.tag,
          section,
          slug,
          `bench-${key}`,
          `${SITE_URL}/${pack.tag}/articles/${slug}`,
          title,
          summary,
          body,
          JSON.stringify(authors),
          JSON.stringify(tags),
          JSON.stringify(image),
          at.iso,
          at.ms,
          updated.iso,
          updated.ms,
          "bench:generated",
          // The real fingerprint's inputs, with the pooled body named by its index (hashing 3 KB a row would double the time).
          fnv64(JSON.stringify([title, summary, `${pack.tag}:${bodyIndex}`, image.url, authors, tags])),
        );
        written++;
      }
    }
  });
  for (let from = 0; from < stories && written < count; from += batch) {
    writeBatch(from);
    onProgress?.(written);
  }
  for (const { sql } of deferred) db.exec(sql);
  db.exec(`INSERT INTO feed_versions (lang, section, version) SELECT lang, section, count(*) FROM articles GROUP BY lang, section
    UNION ALL SELECT lang, '', count(*) FROM articles GROUP BY lang`);
  db.pragma("journal_mode = WAL");
  db.close();
  renameSync(partial, path);
}

/** How many articles the database at `path` holds; null when there is none. */
export function articlesIn(path: string): number | null {
  if (!existsSync(path)) return null;
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT count(*) FROM articles").pluck().get() as number;
  } finally {
    db.close();
  }
}

/** The database at `path` when a complete one is there, else a new one; says which. */
export function reuseOrGenerate(
  path: string,
  count: number,
  settings: SiteSettings,
  log: (line: string) => void,
): { reused: boolean; seconds: number } {
  const rows = articlesIn(path);
  if (rows === count) return { reused: true, seconds: 0 };
  if (rows !== null) log(`  ${path} holds ${rows} articles, not ${count}: writing it again`);
  const t0 = performance.now();
  let next = 0;
  generateDatabase(path, count, settings, (done) => {
    if (done >= next) {
      log(
        `  ${done.toLocaleString("en")} / ${count.toLocaleString("en")} articles written (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      );
      next = done + Math.max(count / 10, 20_000);
    }
  });
  return { reused: false, seconds: (performance.now() - t0) / 1000 };
}
