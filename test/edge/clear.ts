/** Empties every table the migrations made, so each test starts from a migrated, empty database. */
const TABLES = [
  "articles",
  "tombstones",
  "source_state",
  "leases",
  "ingest_runs",
  "edition_links",
  "edition_touches",
  "feed_versions",
  "feed_subscribers",
  "article_terms",
  "term_feed_versions",
  "article_changes",
];

export async function clearDatabase(db: D1Database) {
  await db.batch(TABLES.map((table) => db.prepare(`DELETE FROM ${table}`)));
}
