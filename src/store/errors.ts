/** Errors that leave the store: one typed error for a database that cannot be used right now, and refused articles in the store's words. */

/** Why the database cannot be used right now. */
export type StoreErrorKind = "unavailable" | "locked" | "read-only" | "full";

/**
 * The database cannot be read or written right now (locked by another process, read-only, full, failing
 * I/O): a wait, not an article breaking a rule. The adapter that knows its driver makes it; its message is
 * the driver's (run reports quote it), and the driver's error is its cause.
 */
export class StoreError extends Error {
  override readonly name = "StoreError";

  constructor(
    readonly kind: StoreErrorKind,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** SQLite's primary result codes (https://sqlite.org/rescode.html) that mean the database cannot be used now. */
const UNAVAILABLE_CODES = new Map<string, StoreErrorKind>([
  ["SQLITE_BUSY", "locked"],
  ["SQLITE_LOCKED", "locked"],
  ["SQLITE_READONLY", "read-only"],
  ["SQLITE_FULL", "full"],
  ["SQLITE_IOERR", "unavailable"],
  ["SQLITE_CANTOPEN", "unavailable"],
  ["SQLITE_NOTADB", "unavailable"],
  ["SQLITE_CORRUPT", "unavailable"],
]);

/** The kind of StoreError a SQLite result code (primary or extended: SQLITE_IOERR_WRITE) makes, if any. */
export function kindOfSqliteCode(code: string): StoreErrorKind | undefined {
  return UNAVAILABLE_CODES.get(code.toUpperCase().split("_", 2).join("_"));
}

/** Names the rule a refused article broke, in the store's words (both drivers quote SQLite's constraint message). */
export function describeConflict(error: unknown): string {
  const message = (error as Error).message ?? String(error);
  if (message.includes("articles.lang, articles.slug")) return "store: another article of this language already has this slug";
  if (message.includes("articles.story, articles.lang")) return "store: another article already is this story's edition in this language";
  return `store: unable to write the article: ${message}`;
}
