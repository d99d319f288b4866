/**
 * The store's SQL, as plain functions returning a statement and its bound parameters, so the SQLite
 * and D1 adapters run the very same queries. Positional `?` parameters only (both drivers bind them).
 */
import type { ArticleRow, Cursor, LatestQuery } from "./store.ts";

export type SqlValue = string | number | null;
export interface Statement {
  sql: string;
  params: SqlValue[];
}

const COLUMNS = [
  "id", "lang", "section", "slug", "story", "url", "title", "summary", "content_html", "authors", "tags",
  "image", "published", "published_ms", "updated", "updated_ms", "source", "fingerprint",
] as const satisfies readonly (keyof ArticleRow)[];
const SELECT_ARTICLE = `SELECT ${COLUMNS.join(", ")} FROM articles`;
const CHANGEABLE = COLUMNS.filter((c) => c !== "id");

/** D1 takes at most 100 bound parameters per query; IN lists are cut below that. */
export const MAX_IN_LIST = 90;

const UPSERT_SQL =
  `INSERT INTO articles (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")}) ` +
  `ON CONFLICT (id) DO UPDATE SET ${CHANGEABLE.map((c) => `${c} = excluded.${c}`).join(", ")}, ` +
  `version = articles.version + 1 ` +
  `WHERE (${CHANGEABLE.map((c) => `articles.${c}`).join(", ")}) IS NOT (${CHANGEABLE.map((c) => `excluded.${c}`).join(", ")}) ` +
  `RETURNING version`;

/** Inserts or updates one article; returns its new version, or no row when nothing changed. */
export function upsertArticle(row: ArticleRow): Statement {
  return { sql: UPSERT_SQL, params: COLUMNS.map((c) => row[c]) };
}

/** Newest first with id as the tie-break; the keyset condition uses the same order as the index. */
export function latestArticles(query: LatestQuery): Statement {
  const where = ["lang = ?"];
  const params: SqlValue[] = [query.lang];
  if (query.section !== undefined) {
    where.push("section = ?");
    params.push(query.section);
  }
  if (query.before) {
    where.push("(published_ms, id) < (?, ?)");
    params.push(query.before.publishedMs, query.before.id);
  }
  params.push(query.limit);
  return {
    sql: `${SELECT_ARTICLE} WHERE ${where.join(" AND ")} ORDER BY published_ms DESC, id DESC LIMIT ?`,
    params,
  };
}

export function articleBySlug(lang: string, slug: string): Statement {
  return { sql: `${SELECT_ARTICLE} WHERE lang = ? AND slug = ?`, params: [lang, slug] };
}

/** One statement per slice of at most MAX_IN_LIST stories. */
export function editionsOf(stories: readonly string[]): Statement[] {
  const unique = [...new Set(stories)];
  const statements: Statement[] = [];
  for (let i = 0; i < unique.length; i += MAX_IN_LIST) {
    const slice = unique.slice(i, i + MAX_IN_LIST);
    statements.push({
      sql: `SELECT id, story, lang, title, url FROM articles WHERE story IN (${slice.map(() => "?").join(", ")})`,
      params: slice,
    });
  }
  return statements;
}

/** Reads MAX(updated_ms) from the end of an index, then the row's text form to keep its offset. */
export function lastUpdated(lang: string, section?: string): Statement {
  const filter = section === undefined ? "lang = ?" : "lang = ? AND section = ?";
  const params = section === undefined ? [lang] : [lang, section];
  return {
    sql: `SELECT updated, updated_ms FROM articles WHERE ${filter} ORDER BY updated_ms DESC LIMIT 1`,
    params,
  };
}

export type { Cursor };
