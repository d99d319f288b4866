/** The numbered migrations (src/store/migrations) applied to a SQLite database, recorded the way wrangler records them for D1. */
import type Database from "better-sqlite3";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), "migrations");

/**
 * Applies the numbered migrations not yet applied, recording them in `d1_migrations` as wrangler does
 * for D1, so one database can move between the two tools. Each is applied under the write lock after
 * checking again that it is still pending, so two processes opening a new database at once apply it once.
 */
export function migrate(db: Database.Database, dir = MIGRATIONS_DIR): string[] {
  // Only created when missing, so a migrated database that cannot be written (read-only, full) still opens.
  const tracked = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'd1_migrations'").get();
  if (!tracked) {
    db.exec(`CREATE TABLE IF NOT EXISTS d1_migrations (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT UNIQUE,
      applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)`);
  }
  const appliedNames = () => new Set(db.prepare("SELECT name FROM d1_migrations").pluck().all() as string[]);
  const applied = appliedNames();
  const pending = readdirSync(dir)
    .filter((f) => /^\d{4}_.+\.sql$/.test(f) && !applied.has(f))
    .sort();
  const done: string[] = [];
  for (const name of pending) {
    const sql = readFileSync(join(dir, name), "utf8");
    db.transaction(() => {
      if (appliedNames().has(name)) return;
      db.exec(sql);
      db.prepare("INSERT INTO d1_migrations (name) VALUES (?)").run(name);
      done.push(name);
    }).immediate();
  }
  return done;
}
