/** ArticleStore on an embedded SQLite file through better-sqlite3 (Node). */
import Database from "better-sqlite3";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Article, Edition } from "../model/article.ts";
import { articleBySlug, editionsOf, lastUpdated, latestArticles, upsertArticle, type Statement } from "./queries.ts";
import { articleToRow, rowToArticle, type ArticleRow, type ArticleStore, type LatestQuery, type UpsertReport } from "./store.ts";

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), "migrations");

/**
 * Applies the numbered migrations not yet applied, recording them in `d1_migrations` as wrangler does
 * for D1, so one database can move between the two tools.
 */
export function migrate(db: Database.Database, dir = MIGRATIONS_DIR): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS d1_migrations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT UNIQUE,
    applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)`);
  const applied = new Set(db.prepare("SELECT name FROM d1_migrations").pluck().all() as string[]);
  const pending = readdirSync(dir).filter((f) => /^\d{4}_.+\.sql$/.test(f) && !applied.has(f)).sort();
  for (const name of pending) {
    const sql = readFileSync(join(dir, name), "utf8");
    db.transaction(() => {
      db.exec(sql);
      db.prepare("INSERT INTO d1_migrations (name) VALUES (?)").run(name);
    })();
  }
  return pending;
}

/** Opens (creating when needed) the database at `path`, or `:memory:`, and migrates it. */
export function openSqliteStore(path: string): ArticleStore {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (error) {
    throw new Error(`store: unable to open the database "${path}": ${(error as Error).message}`);
  }
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return new SqliteArticleStore(db);
}

class SqliteArticleStore implements ArticleStore {
  readonly #db: Database.Database;
  readonly #prepared = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  #statement(sql: string): Database.Statement {
    let statement = this.#prepared.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#prepared.set(sql, statement);
    }
    return statement;
  }

  #all<T>(s: Statement): T[] {
    return this.#statement(s.sql).all(...s.params) as T[];
  }

  async upsert(articles: readonly Article[]): Promise<UpsertReport> {
    const report: UpsertReport = { inserted: [], updated: [], unchanged: 0, failed: [] };
    this.#db.transaction(() => {
      for (const article of articles) {
        try {
          const [changed] = this.#all<{ version: number }>(upsertArticle(articleToRow(article)));
          if (!changed) report.unchanged++;
          else if (changed.version === 1) report.inserted.push(article.id);
          else report.updated.push(article.id);
        } catch (error) {
          report.failed.push({ id: article.id, source: article.source, error: describeConflict(error) });
        }
      }
    })();
    return report;
  }

  async latest(query: LatestQuery) {
    return this.#all<ArticleRow>(latestArticles(query)).map(rowToArticle);
  }

  async bySlug(lang: string, slug: string) {
    const [row] = this.#all<ArticleRow>(articleBySlug(lang, slug));
    return row ? rowToArticle(row) : null;
  }

  async editions(stories: readonly string[]) {
    return editionsOf(stories).flatMap((s) => this.#all<Edition>(s));
  }

  async lastUpdated(lang: string, section?: string) {
    const [row] = this.#all<{ updated: string; updated_ms: number }>(lastUpdated(lang, section));
    return row ? { iso: row.updated, ms: row.updated_ms } : null;
  }

  async close() {
    this.#db.close();
  }
}

/** Names the rule a refused article broke, in the store's words. */
export function describeConflict(error: unknown): string {
  const message = (error as Error).message ?? String(error);
  if (message.includes("articles.lang, articles.slug")) return "store: another article of this language already has this slug";
  if (message.includes("articles.story, articles.lang")) return "store: another article already is this story's edition in this language";
  return `store: unable to write the article: ${message}`;
}
