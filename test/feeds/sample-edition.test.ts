/**
 * The sample edition in content/ shows every kind of feed with something in it: every language and
 * each of its sections has articles, and one author writes in two language editions under one byline.
 */
import { describe, expect, it } from "vitest";
import { everyFeedBeforeAll } from "./every-feed.ts";

describe("the sample edition", () => {
  const loaded = everyFeedBeforeAll();

  it("fills every feed: each language, and each section of it", () => {
    expect(loaded.cases.filter((c) => c.term === undefined)).toHaveLength(loaded.languages.reduce((n, l) => n + 1 + l.sections.length, 0));
    const empty = loaded.cases.filter((c) => c.model.items.length === 0).map((c) => c.name);
    expect(empty).toEqual([]);
    for (const c of loaded.cases) expect(c.model.items.length, c.name).toBe(c.expected.length);
  });

  it("has an author who writes in two languages under the same byline, more than once in each", () => {
    const all = loaded.cases[0]!.all;
    const byName = new Map<string, Map<string, number>>();
    for (const article of all) {
      for (const { name } of article.authors) {
        const langs = byName.get(name) ?? new Map<string, number>();
        langs.set(article.lang, (langs.get(article.lang) ?? 0) + 1);
        byName.set(name, langs);
      }
    }
    const bilingual = [...byName].filter(([, langs]) => [...langs.values()].filter((n) => n >= 2).length >= 2).map(([name]) => name);
    expect(bilingual).toContain("林美玲");
  });
});
