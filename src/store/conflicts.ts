/** Store errors in the store's words, the same from every adapter. */

/** Names the rule a refused article broke, in the store's words. */
export function describeConflict(error: unknown): string {
  const message = (error as Error).message ?? String(error);
  if (message.includes("articles.lang, articles.slug")) return "store: another article of this language already has this slug";
  if (message.includes("articles.story, articles.lang")) return "store: another article already is this story's edition in this language";
  return `store: unable to write the article: ${message}`;
}

/**
 * True when the database cannot be written at all right now (locked by another process, read-only,
 * full, failing I/O), rather than one article breaking a rule: better-sqlite3's error codes, D1's messages.
 */
export function isStoreUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const text = `${typeof code === "string" ? code : ""} ${(error as Error | null)?.message ?? String(error)}`;
  return /SQLITE_(?:BUSY|LOCKED|READONLY|FULL|IOERR|CANTOPEN|NOTADB|CORRUPT)|database is locked|readonly database|database or disk is full|disk I\/O error/i.test(
    text,
  );
}
