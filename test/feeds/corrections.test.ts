/**
 * The corrections feed's model: the newest corrections of a language, newest first, read from the
 * first N corrected articles, checked against every correction sorted here; and the ids it gives.
 */
import { describe, expect, it } from "vitest";
import { correctionId } from "../../src/feeds/corrections.ts";
import { readCorrectionsFeed } from "../../src/feeds/corrections.ts";
import type { Article } from "../../src/model/article.ts";
import { instantAt, parseRfc3339 } from "../../src/model/time.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import { testSite } from "../helpers.ts";
import { seededRandom, seedFrom } from "../seeded-random.ts";
import { makeArticle } from "../store/contract.ts";

const site = testSite();
const en = site.settings.languages.find((l) => l.tag === "en")!;
const DAY = 24 * 3600_000;
const START = Date.parse("2026-09-01T00:00:00Z");

describe("the corrections feed's items", () => {
  const seed = seedFrom("CORRECTIONS_SEED", 1507);

  it("are the newest corrections of the language, newest first, whatever articles hold them", async () => {
    const random = seededRandom(seed);
    for (let round = 0; round < 12; round++) {
      const store = openSqliteStore(":memory:");
      try {
        const articles: Article[] = [];
        const count = random.int(1, 25);
        for (let i = 0; i < count; i++) {
          const published = START + random.int(0, 30) * DAY;
          // Corrections on a coarse grid, so that several articles share a correction time.
          const times = new Set<number>();
          const many = random.int(0, 5);
          for (let k = 0; k < many; k++) times.add(published + random.int(0, 40) * 6 * 3600_000);
          const corrections = [...times]
            .sort((a, b) => a - b)
            .map((ms, k) => ({ date: instantAt(ms, 540), text: `Correction ${k} of ${i}.` }));
          const lang = random.int(0, 4) === 0 ? "ko" : "en";
          articles.push(
            makeArticle(
              { lang, section: "society", slug: `story-${i}`, published: instantAt(published, 540).iso },
              { corrections, ...(corrections.length ? { updated: corrections.at(-1)!.date } : {}) },
            ),
          );
        }
        await store.upsert(articles);
        const limit = random.int(1, 12);
        const model = await readCorrectionsFeed(store, site, en, limit);

        const expected = articles
          .filter((a) => a.lang === "en")
          .flatMap((a) => a.corrections.map((c) => ({ a, c })))
          .sort((x, y) => y.c.date.ms - x.c.date.ms || (x.a.id < y.a.id ? 1 : x.a.id > y.a.id ? -1 : 0))
          .slice(0, limit);
        const context = `seed ${seed}, round ${round}`;
        expect(
          model.items.map((i) => [i.id, i.url, i.updated.ms]),
          context,
        ).toEqual(expected.map(({ a, c }) => [correctionId(a.id, c.date), a.url, c.date.ms]));
        expect(
          model.items.every((i) => !articles.some((a) => a.id === i.id)),
          context,
        ).toBe(true);
        expect(new Set(model.items.map((i) => i.id)).size, context).toBe(model.items.length);
        expect(model.updated.ms, context).toBe(expected[0]?.c.date.ms ?? Date.parse(`${site.settings.idDate}T00:00:00Z`));
      } finally {
        await store.close();
      }
    }
  });

  it("give each correction an id of its own, stable and distinct from the article's", () => {
    const date = parseRfc3339("2026-09-18T09:10:00+09:00");
    expect(correctionId("tag:hanbit.example,2026-09-01:article/en/typhoon", date)).toBe(
      "tag:hanbit.example,2026-09-01:article/en/typhoon#correction-20260918T001000Z",
    );
    // The same instant written in another offset is the same correction.
    expect(correctionId("tag:x,2026:a", parseRfc3339("2026-09-18T00:10:00Z"))).toBe(correctionId("tag:x,2026:a", date));
    expect(correctionId("https://partner.example/a#part", date)).toBe("https://partner.example/a#part-correction-20260918T001000Z");
  });
});
