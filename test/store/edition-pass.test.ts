/**
 * The pass over edition links asks the store only what it needs: with no link stored at all (a first
 * ingest, a site of one language), it reads none of the written articles nor their links, and still
 * clears their marks; with links stored it reads them as before.
 */
import { describe, expect, it } from "vitest";
import * as sql from "../../src/store/queries.ts";
import type { Statement } from "../../src/store/queries.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import { editionPass, type EditionPassResult } from "../../src/store/story-joins.ts";
import { makeArticle } from "./contract.ts";

/** Drives the pass with `answer` for each statement it asks for; returns what it asked and its result. */
function drive(written: string[], answer: (s: Statement) => unknown[]): { asked: string[]; result: EditionPassResult } {
  const asked: string[] = [];
  const steps = editionPass(written);
  let step = steps.next();
  while (!step.done) {
    const statements = step.value;
    asked.push(...statements.map((s) => s.sql));
    step = steps.next(statements.flatMap(answer));
  }
  return { asked, result: step.value };
}

const ids = Array.from({ length: 250 }, (_, i) => `tag:t,2026:feed:w/a-${i}`);

describe("the pass over edition links", () => {
  it("with no link stored, reads neither the written articles nor links by article, and clears their marks", () => {
    const { asked, result } = drive(ids, () => []);
    expect(asked).toEqual([sql.ANY_EDITION_LINK.sql]);
    expect(result).toEqual({ joined: 0, conflicts: [], writes: sql.clearTouches(ids) });
  });

  it("with a link stored, reads the written articles and their links both ways", () => {
    const stored = (id: unknown) => ({ id, url: `https://w.example/${String(id)}`, story: `~${String(id)}`, lang: "en", source: "feed:w" });
    const { asked } = drive(ids, (s) =>
      s.sql === sql.ANY_EDITION_LINK.sql ? [{ found: 1 }] : s.sql.includes("FROM articles WHERE id IN") ? s.params.map(stored) : [],
    );
    expect(asked[0]).toBe(sql.ANY_EDITION_LINK.sql);
    expect(asked).toEqual(expect.arrayContaining([...sql.editionEndsByIds(ids), ...sql.linksFrom(ids)].map((s) => s.sql)));
  });

  it("in SQLite: a first ingest without links clears every mark, and a later one with links still joins", async () => {
    const store = openSqliteStore(":memory:");
    const article = (lang: string, slug: string, url: string) =>
      makeArticle(
        { lang, section: "society", slug, story: `~${slug}`, published: "2026-10-01T09:00:00+09:00", id: `tag:t,2026:feed:w/${slug}` },
        { source: "feed:w", url },
      );
    const first = Array.from({ length: 120 }, (_, i) => article("en", `first-${i}`, `https://w.example/en/first-${i}`));
    await store.upsert(first);
    expect(await store.linkEditions()).toEqual({ joined: 0, conflicts: [] });
    // Nothing left marked: a second pass has nothing to read.
    expect(await store.linkEditions()).toEqual({ joined: 0, conflicts: [] });
    const ko = article("ko", "first-0-ko", "https://w.example/ko/first-0");
    await store.upsert([ko], { targets: new Map([[ko.id, ["https://w.example/en/first-0"]]]), atMs: Date.now() });
    expect(await store.linkEditions()).toEqual({ joined: 1, conflicts: [] });
    const [en] = await store.byIds([first[0]!.id]);
    const [joined] = await store.byIds([ko.id]);
    expect(joined!.story).toBe(en!.story);
    await store.close();
  });
});
