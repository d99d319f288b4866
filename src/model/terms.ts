/**
 * Authors and tags as feeds see them: each name's key (its slug), the same whichever adapter, SQL or
 * code, works it out. The store's triggers (migrations/0006_article_terms.sql) compute it in SQL as
 * `lower(replace(name, ' ', '-'))` from the clean name the store holds; `termKey` does the same here,
 * after cleaning the name as the ingest does. See docs/feeds.md#author-and-tag-feeds.
 */
import { cleanLine } from "./text.ts";

export type TermKind = "author" | "tag";

/** One author or tag of one language edition: its kind and key. */
export interface Term {
  kind: TermKind;
  key: string;
}

/** The path segment under a language that holds each kind's pages and feeds: `/en/authors/…`, `/en/tags/…`. */
export const TERM_DIRECTORIES: Readonly<Record<TermKind, string>> = { author: "authors", tag: "tags" };

/**
 * A name's key: NFC, every run of white space one space, trimmed (the clean form the store holds),
 * then ASCII letters in lower case and each space as `-`. Letters outside ASCII keep their case (SQLite's
 * lower() folds ASCII only, in both adapters). Names with the same key are one author or one tag.
 */
export function termKey(name: string): string {
  return cleanLine(name)
    .replace(/[A-Z]+/g, (letters) => letters.toLowerCase())
    .replace(/ /g, "-");
}

/** Whether a key can name a page: not empty, and not `.` or `..`, which URLs read as the folder itself or its parent. */
export function isTermKey(key: string): boolean {
  return key !== "" && key !== "." && key !== "..";
}

/** The term as the store names it: `author/kang-min-seo`, `tag/ai`. */
export function termId(term: Term): string {
  return `${term.kind}/${term.key}`;
}

/** The term a store id names (`tag/ai`), or null when it names none. */
export function termOfId(id: string): Term | null {
  const slash = id.indexOf("/");
  const kind = id.slice(0, slash);
  const key = id.slice(slash + 1);
  return slash > 0 && (kind === "author" || kind === "tag") && isTermKey(key) ? { kind, key } : null;
}

/** The key as one path segment: percent-encoded UTF-8 (`/` included), as `encodeURIComponent` writes it. */
export function termSegment(key: string): string {
  return encodeURIComponent(key);
}

/** The names of `kind` an article carries. */
export function namesOf(article: { authors: readonly { name: string }[]; tags: readonly string[] }, kind: TermKind): string[] {
  return kind === "author" ? article.authors.map((a) => a.name) : [...article.tags];
}

/** The name a term is shown by: as the newest of `articles` (newest first) writes it; the key when none does. */
export function termName(term: Term, articles: readonly { authors: readonly { name: string }[]; tags: readonly string[] }[]): string {
  for (const article of articles) {
    const found = namesOf(article, term.kind).find((name) => termKey(name) === term.key);
    if (found !== undefined) return found;
  }
  return term.key;
}
