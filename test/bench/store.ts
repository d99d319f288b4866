/**
 * Part 5 of the issue: the store's latest-50 of a language and section, and of a language, at 10k and
 * at 1M articles, and a keyset page deep in the archive, timed in this process with tinybench through
 * the real SqliteArticleStore (rows read and turned into articles). The two databases take turns
 * (A B A B), a round each.
 */
import Database from "better-sqlite3";
import { Bench } from "tinybench";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import type { Cursor, LatestQuery } from "../../src/store/store.ts";
import { compared, alone, median, spread, type Figure } from "./figures.ts";

export interface StoreOptions {
  quick: boolean;
  small: { path: string; articles: number };
  big: { path: string; articles: number };
  log: (line: string) => void;
}

const LANG = "en";
const SECTION = "business";
const LIMIT = 50;

/** The (published, id) position `fraction` of the way down a language section's archive (or a page from its end). */
function cursorAt(path: string, fraction: number): { cursor: Cursor; depth: number } {
  const db = new Database(path, { readonly: true });
  try {
    const total = db.prepare("SELECT count(*) FROM articles WHERE lang = ? AND section = ?").pluck().get(LANG, SECTION) as number;
    // Deep, but with a whole page after it.
    const depth = Math.min(Math.floor(total * fraction), total - LIMIT - 1);
    const row = db
      .prepare("SELECT published_ms, id FROM articles WHERE lang = ? AND section = ? ORDER BY published_ms DESC, id DESC LIMIT 1 OFFSET ?")
      .get(LANG, SECTION, depth) as { published_ms: number; id: string };
    return { cursor: { publishedMs: row.published_ms, id: row.id }, depth };
  } finally {
    db.close();
  }
}

export async function storeBench(o: StoreOptions): Promise<Figure[]> {
  const rounds = o.quick ? 3 : 7;
  const label = (n: number) => (n === 1_000_000 ? "1M" : n >= 1000 ? `${n / 1000}k` : String(n));
  const sets = [o.small, o.big].map((db) => {
    const deep = cursorAt(db.path, 0.9);
    return { ...db, name: label(db.articles), store: openSqliteStore(db.path), deep };
  });
  const queries: { key: string; query: (deep: Cursor) => LatestQuery }[] = [
    { key: `latest-${LIMIT} ${LANG}/${SECTION}`, query: () => ({ lang: LANG, section: SECTION, limit: LIMIT }) },
    { key: `latest-${LIMIT} ${LANG}`, query: () => ({ lang: LANG, limit: LIMIT }) },
    {
      key: `keyset page of ${LIMIT} ${LANG}/${SECTION} at 90% depth`,
      query: (deep) => ({ lang: LANG, section: SECTION, limit: LIMIT, before: deep }),
    },
  ];
  for (const set of sets)
    o.log(`  ${set.name}: ${set.path}; the keyset page starts after article ${set.deep.depth.toLocaleString("en")} of ${LANG}/${SECTION}`);
  const samples = new Map<string, number[]>();
  let sink = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      for (let s = 0; s < sets.length; s++) {
        const set = sets[(s + round) % sets.length]!;
        const bench = new Bench({
          time: o.quick ? 150 : 600,
          warmupTime: o.quick ? 30 : 100,
          iterations: 10,
          warmupIterations: 5,
          throws: true,
        });
        for (const { key, query } of queries) {
          const q = query(set.deep.cursor);
          bench.add(`${set.name} ${key}`, async () => {
            sink += (await set.store.latest(q)).length;
          });
        }
        for (const task of await bench.run()) {
          if (task.result.state !== "completed") throw new Error(`bench: ${task.name}: ${task.result.state}`);
          samples.set(task.name, [...(samples.get(task.name) ?? []), task.result.latency.p50]);
        }
      }
    }
  } finally {
    for (const set of sets) await set.store.close();
  }
  if (sink % LIMIT !== 0) throw new Error("bench: a query returned a short page");
  const [small, big] = sets as [(typeof sets)[0], (typeof sets)[0]];
  const ms = (key: string) => median(samples.get(key)!);
  const range = (key: string) => spread(samples.get(key)!, 3);
  const part = "5 store";
  const figures: Figure[] = [];
  for (const [i, { key }] of queries.entries()) {
    const a = `${small.name} ${key}`;
    const b = `${big.name} ${key}`;
    figures.push(alone(part, `store ${key} at ${small.name} articles`, ms(a), "ms", range(a)));
    figures.push(
      compared(
        part,
        `store ${key} at ${big.name} articles vs at ${small.name}`,
        ms(b),
        "ms",
        ms(a),
        `at ${small.name} articles`,
        false,
        i < 2 ? 0.6667 : null,
        range(b),
      ),
    );
  }
  return figures;
}
