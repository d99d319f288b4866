/**
 * The writer that sqlite-batches.test.ts kills: upserts articles into the SQLite file named by its first
 * argument, in batches of its second argument, each article naming one other edition, numbered from its
 * third argument on, until it is killed. Prints "writing" once the store is open.
 */
import { fingerprintOf, type Article } from "../../src/model/article.ts";
import { parseRfc3339 } from "../../src/model/time.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";

const [path, size, from] = process.argv.slice(2);
if (!path || !size || !from) throw new Error("usage: batch-writer.ts <database> <batch size> <first number>");
const batchSize = Number(size);
const published = parseRfc3339("2026-10-01T09:00:00+09:00");

function article(n: number): Article {
  const slug = `kill-${n}`;
  const fields: Omit<Article, "fingerprint"> = {
    id: `tag:t,2026:feed:w/${slug}`,
    lang: ["en", "ko", "ja", "zh-Hans"][n % 4]!,
    section: "society",
    slug,
    story: `~${slug}`,
    url: `https://w.example/${slug}`,
    title: `Article ${n}`,
    summary: `Summary of article ${n}.`,
    contentHtml: `<p>${"A paragraph of the body. ".repeat(20)}</p>`,
    authors: [{ name: "Night Desk" }],
    tags: ["Kill"],
    image: null,
    published,
    updated: published,
    corrections: [],
    source: "feed:w",
  };
  return { ...fields, fingerprint: fingerprintOf(fields) };
}

const store = openSqliteStore(path);
console.log("writing");
for (let n = Number(from); ; n += 10 * batchSize) {
  const articles = Array.from({ length: 10 * batchSize }, (_, i) => article(n + i));
  const report = await store.upsert(
    articles,
    { targets: new Map(articles.map((a) => [a.id, [`https://w.example/other-${a.slug}`]])), atMs: published.ms },
    { batchSize },
  );
  if (report.failed.length) throw new Error(`batch-writer: refused ${JSON.stringify(report.failed[0])}`);
}
