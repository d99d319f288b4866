/**
 * The ArticleStore contract as one suite that every adapter runs (SQLite here, D1 under workerd), so the
 * two cannot drift apart. Articles are made by hand with fixed dates; nothing depends on the clock.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fingerprintOf, type Article, type Edition } from "../../src/model/article.ts";
import { parseRfc3339 } from "../../src/model/time.ts";
import { termKey } from "../../src/model/terms.ts";
import type { ArticleStore, Cursor, LatestQuery, PendingLinks } from "../../src/store/store.ts";

const SITE = "https://store.example";

interface ArticleSpec {
  lang: string;
  section: string;
  slug: string;
  /** RFC 3339, in the offset the article is to keep. */
  published: string;
  story?: string;
  updated?: string;
  id?: string;
  title?: string;
}

/** A complete article whose id, story and url follow from language and slug unless given. */
export function makeArticle(spec: ArticleSpec, extra: Partial<Article> = {}): Article {
  const story = spec.story ?? spec.slug;
  const article: Omit<Article, "fingerprint"> = {
    id: spec.id ?? `tag:store.example,2026-09-01:article/${spec.lang}/${story}`,
    lang: spec.lang,
    section: spec.section,
    slug: spec.slug,
    story,
    url: `${SITE}/${spec.lang}/articles/${spec.slug}`,
    title: spec.title ?? `Title of ${spec.slug}`,
    summary: `Summary of ${spec.slug}.`,
    contentHtml: `<p>Body of ${spec.slug}.</p>`,
    authors: [{ name: "Kim Ji-won" }],
    tags: [],
    image: null,
    published: parseRfc3339(spec.published),
    updated: parseRfc3339(spec.updated ?? spec.published),
    corrections: [],
    source: `test/${spec.lang}/${spec.section}/${spec.slug}.md`,
    ...extra,
  };
  return { ...article, fingerprint: extra.fingerprint ?? fingerprintOf(article) };
}

const ids = (articles: readonly Article[]) => articles.map((a) => a.id);
/** When the contract's edition links are named, unless a test says otherwise. */
const NAMED_AT = Date.parse("2026-10-01T00:00:00Z");
const DAY_MS = 24 * 3600_000;
const cursorAfter = (article: Article): Cursor => ({ publishedMs: article.published.ms, id: article.id });

/** Every article of a language (and section), read in one page large enough for the test data. */
async function everything(store: ArticleStore, lang: string, section?: string): Promise<Article[]> {
  return store.latest({ lang, ...(section === undefined ? {} : { section }), limit: 1000 });
}

export function describeArticleStoreContract(name: string, makeStore: () => Promise<ArticleStore>): void {
  describe(`ArticleStore contract: ${name}`, () => {
    let store: ArticleStore;

    beforeEach(async () => {
      store = await makeStore();
    });

    afterEach(async () => {
      await store.close();
    });

    describe("an empty store", () => {
      it("has no articles, editions or last update", async () => {
        expect(await store.latest({ lang: "en", limit: 20 })).toEqual([]);
        expect(await store.bySlug("en", "anything")).toBeNull();
        expect(await store.editions(["anything"])).toEqual([]);
        expect(await store.lastUpdated("en")).toBeNull();
        expect(await store.lastUpdated("en", "politics")).toBeNull();
      });
    });

    describe("upsert", () => {
      const budget = makeArticle({ lang: "en", section: "politics", slug: "budget-vote", published: "2026-09-17T21:10:00+09:00" });
      const chips = makeArticle({ lang: "en", section: "business", slug: "chip-exports", published: "2026-10-01T10:40:00+09:00" });
      const typhoon = makeArticle({ lang: "ko", section: "society", slug: "typhoon-jeju", published: "2026-09-17T07:10:00+09:00" });

      it("reports new articles as inserted, by id", async () => {
        const report = await store.upsert([budget, chips, typhoon]);
        expect(report).toEqual({ inserted: [budget.id, chips.id, typhoon.id], updated: [], unchanged: 0, failed: [] });
      });

      it("reports an identical second upsert as unchanged and leaves every article as it was", async () => {
        await store.upsert([budget, chips, typhoon]);
        const before = [...(await everything(store, "en")), ...(await everything(store, "ko"))];

        const report = await store.upsert([budget, chips, typhoon]);

        expect(report).toEqual({ inserted: [], updated: [], unchanged: 3, failed: [] });
        expect([...(await everything(store, "en")), ...(await everything(store, "ko"))]).toEqual(before);
      });

      it("reports a changed article as updated and stores the change, in a batch of new and unchanged ones", async () => {
        await store.upsert([budget, chips]);
        const correctedChips = { ...chips, title: "Chip exports hit a record", updated: parseRfc3339("2026-10-01T15:40:00+09:00") };

        const report = await store.upsert([budget, correctedChips, typhoon]);

        expect(report).toEqual({ inserted: [typhoon.id], updated: [chips.id], unchanged: 1, failed: [] });
        expect(await store.bySlug("en", "chip-exports")).toEqual(correctedChips);
      });

      it("counts a change of any single field as an update", async () => {
        await store.upsert([budget]);
        const changes: Partial<Article>[] = [
          { summary: "A new summary." },
          { contentHtml: "<p>A corrected body.</p>" },
          { authors: [{ name: "Kim Ji-won" }, { name: "Oh Tae-yang" }] },
          { tags: ["Budget"] },
          { section: "opinion" },
          { url: `${SITE}/en/articles/budget-vote-2` },
          { source: "test/elsewhere.md" },
          { corrections: [{ date: parseRfc3339("2026-09-18T09:00:00+09:00"), text: "The vote was 151 to 120, not 150 to 121." }] },
        ];
        let current = budget;
        for (const change of changes) {
          current = { ...current, ...change };
          expect(await store.upsert([current]), JSON.stringify(change)).toMatchObject({ updated: [budget.id], unchanged: 0 });
        }
        expect(await store.bySlug("en", "budget-vote")).toEqual(current);
      });

      it("keeps an article's corrections, oldest first, with the offset each was written in", async () => {
        const corrections = [
          { date: parseRfc3339("2026-09-18T09:00:00+09:00"), text: "The vote was 151 to 120." },
          { date: parseRfc3339("2026-09-19T01:30:00Z"), text: 'The bill\'s name is "Heatwave Relief" <Act>.' },
        ];
        const corrected = { ...budget, corrections };
        await store.upsert([corrected]);
        expect(await store.bySlug("en", "budget-vote")).toEqual(corrected);
        expect((await store.byIds([budget.id]))[0]!.corrections).toEqual(corrections);
      });

      it("lists the corrected articles of a language, the most recently corrected first, and only those", async () => {
        const at = (iso: string, text = "A correction.") => ({ date: parseRfc3339(iso), text });
        const early = { ...budget, corrections: [at("2026-09-18T09:00:00+09:00"), at("2026-10-05T09:00:00+09:00")] };
        const late = { ...chips, corrections: [at("2026-10-02T09:00:00+09:00")] };
        const korean = { ...typhoon, corrections: [at("2026-10-09T09:00:00+09:00")] };
        const plain = makeArticle({ lang: "en", section: "society", slug: "plain", published: "2026-10-03T09:00:00+09:00" });
        await store.upsert([early, late, korean, plain]);

        expect(ids(await store.corrected("en", 10))).toEqual([early.id, late.id]);
        expect(ids(await store.corrected("en", 1))).toEqual([early.id]);
        expect(ids(await store.corrected("ko", 10))).toEqual([korean.id]);
        expect(await store.corrected("ja", 10)).toEqual([]);

        // Its corrections taken back, an article leaves the list.
        await store.upsert([{ ...early, corrections: [] }]);
        expect(ids(await store.corrected("en", 10))).toEqual([late.id]);
      });

      it("refuses an article whose slug another id holds in that language, and writes the rest of the batch", async () => {
        await store.upsert([budget]);
        const sameSlug = makeArticle({
          lang: "en",
          section: "opinion",
          slug: "budget-vote",
          story: "budget-editorial",
          published: "2026-09-18T06:00:00+09:00",
        });
        const sameSlugOtherLanguage = makeArticle({
          lang: "ko",
          section: "politics",
          slug: "budget-vote",
          published: "2026-09-17T21:10:00+09:00",
        });

        const report = await store.upsert([sameSlug, chips, sameSlugOtherLanguage]);

        expect(report.inserted).toEqual([chips.id, sameSlugOtherLanguage.id]);
        expect(report.failed).toEqual([{ id: sameSlug.id, source: sameSlug.source, error: expect.stringMatching(/^store: .*slug/) }]);
        expect(await store.bySlug("en", "budget-vote")).toEqual(budget);
        expect(ids(await everything(store, "en"))).toEqual([chips.id, budget.id]);
      });

      it("refuses a second edition of a story in one language under another id, and writes the rest of the batch", async () => {
        await store.upsert([budget]);
        const sameStory = makeArticle({
          lang: "en",
          section: "politics",
          slug: "budget-vote-again",
          story: budget.story,
          id: "tag:store.example,2026-09-01:other-id",
          published: "2026-09-18T06:00:00+09:00",
        });

        const report = await store.upsert([chips, sameStory, typhoon]);

        expect(report.inserted).toEqual([chips.id, typhoon.id]);
        expect(report.failed).toEqual([{ id: sameStory.id, source: sameStory.source, error: expect.stringMatching(/^store: .*story/) }]);
        expect(await store.bySlug("en", "budget-vote-again")).toBeNull();
      });

      it("refuses a clash inside one batch: the first article wins, the one after the refused article is still written", async () => {
        const rival = makeArticle({
          lang: "en",
          section: "opinion",
          slug: "budget-vote",
          story: "budget-editorial",
          published: "2026-09-18T06:00:00+09:00",
        });

        const report = await store.upsert([budget, rival, chips]);

        expect(report.inserted).toEqual([budget.id, chips.id]);
        expect(report.failed).toEqual([{ id: rival.id, source: rival.source, error: expect.stringMatching(/^store: .*slug/) }]);
      });
    });

    describe("upsert in batches", () => {
      const held = makeArticle({ lang: "en", section: "politics", slug: "held", published: "2026-09-17T21:10:00+09:00" });
      /** Articles of one batch size's own, so that no size's articles clash with another's. */
      const of = (size: string, slug: string, extra: Partial<ArticleSpec> = {}) =>
        makeArticle({ lang: "en", section: "society", slug: `${size}-${slug}`, published: "2026-10-01T09:00:00+09:00", ...extra });

      it("refuses an article alone, with its reason, wherever it falls in a batch of any size; the rest of its batch and the batches after it are written", async () => {
        await store.upsert([held]);
        for (const size of [1, 2, 3, 100, undefined]) {
          const name = `s${size ?? "default"}`;
          const written = [0, 1, 2, 3, 4].map((i) => of(name, `a${i}`));
          const slugTaken = of(name, "slug-taken", { slug: held.slug, story: `${name}-slug-taken` });
          const storyTaken = of(name, "story-taken", { story: held.story, id: `tag:store.example,2026-09-01:${name}/story-taken` });
          const rival = of(name, "rival", { slug: written[0]!.slug, story: `${name}-rival` });
          const articles = [written[0]!, slugTaken, written[1]!, written[2]!, storyTaken, written[3]!, rival, written[4]!];

          const report = await store.upsert(articles, undefined, size === undefined ? undefined : { batchSize: size });

          expect(report, name).toEqual({
            inserted: ids(written),
            updated: [],
            unchanged: 0,
            failed: [
              { id: slugTaken.id, source: slugTaken.source, error: expect.stringMatching(/^store: .*slug/) },
              { id: storyTaken.id, source: storyTaken.source, error: expect.stringMatching(/^store: .*story/) },
              { id: rival.id, source: rival.source, error: expect.stringMatching(/^store: .*slug/) },
            ],
          });
          for (const article of written) expect(await store.bySlug("en", article.slug), name).toEqual(article);
          expect(await store.byIds([slugTaken.id, storyTaken.id, rival.id]), name).toEqual([]);
          expect(await store.bySlug("en", held.slug), name).toEqual(held);

          const changed = { ...written[1]!, title: "Changed" };
          const again = await store.upsert([written[0]!, changed, of(name, "a5"), written[2]!, written[3]!], undefined, {
            batchSize: size ?? 2,
          });
          expect(again, name).toEqual({ inserted: [of(name, "a5").id], updated: [changed.id], unchanged: 3, failed: [] });
        }
      });

      it("takes no batch size below 1 or not whole", async () => {
        for (const batchSize of [0, -1, 1.5, Number.NaN]) {
          await expect(store.upsert([held], undefined, { batchSize }), String(batchSize)).rejects.toThrow(RangeError);
        }
        expect(await store.byIds([held.id])).toEqual([]);
      });
    });

    describe("latest", () => {
      // The instant decides the order, not the text: 08:00-03:00 (11:00Z) is newer than 19:00+09:00 (10:00Z).
      const seoulEvening = makeArticle({ lang: "en", section: "politics", slug: "seoul-evening", published: "2026-09-17T19:00:00+09:00" });
      const saoPauloMorning = makeArticle({
        lang: "en",
        section: "business",
        slug: "sao-paulo-morning",
        published: "2026-09-17T08:00:00-03:00",
      });
      const earliest = makeArticle({ lang: "en", section: "politics", slug: "earliest", published: "2026-09-01T09:00:00+09:00" });
      // Three articles published at the same instant, written in two offsets; ids end in a, b, c.
      const tieA = makeArticle({ lang: "en", section: "politics", slug: "tie-a", published: "2026-09-10T12:00:00+09:00" });
      const tieB = makeArticle({ lang: "en", section: "business", slug: "tie-b", published: "2026-09-10T03:00:00+00:00" });
      const tieC = makeArticle({ lang: "en", section: "politics", slug: "tie-c", published: "2026-09-10T12:00:00+09:00" });
      const korean = makeArticle({ lang: "ko", section: "politics", slug: "newest-of-all", published: "2026-12-31T23:00:00+09:00" });

      beforeEach(async () => {
        await store.upsert([tieA, earliest, seoulEvening, tieC, korean, saoPauloMorning, tieB]);
      });

      it("gives a language's articles newest first, equal instants by id descending", async () => {
        expect(ids(await store.latest({ lang: "en", limit: 20 }))).toEqual(
          ids([saoPauloMorning, seoulEvening, tieC, tieB, tieA, earliest]),
        );
      });

      it("gives only the newest N", async () => {
        expect(ids(await store.latest({ lang: "en", limit: 2 }))).toEqual(ids([saoPauloMorning, seoulEvening]));
      });

      it("gives a section's articles newest first, equal instants by id descending", async () => {
        expect(ids(await store.latest({ lang: "en", section: "politics", limit: 20 }))).toEqual(ids([seoulEvening, tieC, tieA, earliest]));
        expect(ids(await store.latest({ lang: "en", section: "business", limit: 20 }))).toEqual(ids([saoPauloMorning, tieB]));
      });

      it("gives nothing for a language or section without articles", async () => {
        expect(await store.latest({ lang: "ja", limit: 20 })).toEqual([]);
        expect(await store.latest({ lang: "ko", section: "business", limit: 20 })).toEqual([]);
      });

      it("starts strictly after the cursor, inside a group of equal instants", async () => {
        expect(ids(await store.latest({ lang: "en", limit: 20, before: cursorAfter(tieC) }))).toEqual(ids([tieB, tieA, earliest]));
        expect(ids(await store.latest({ lang: "en", section: "politics", limit: 1, before: cursorAfter(tieC) }))).toEqual(ids([tieA]));
      });
    });

    describe("keyset pagination", () => {
      // 23 articles in groups of three equal instants, so that pages of 4 break groups apart.
      const articles = Array.from({ length: 23 }, (_, i) => {
        const group = Math.floor(i / 3);
        return makeArticle({
          lang: "ja",
          section: i % 2 === 0 ? "politics" : "society",
          slug: `page-walk-${String(i).padStart(2, "0")}`,
          published: `2026-10-${String(1 + group).padStart(2, "0")}T09:00:00+09:00`,
        });
      });

      async function walk(section: string | undefined, pageSize: number): Promise<string[]> {
        const seen: string[] = [];
        let before: Cursor | undefined;
        for (let pages = 0; pages < 100; pages++) {
          const page = await store.latest({
            lang: "ja",
            ...(section === undefined ? {} : { section }),
            limit: pageSize,
            ...(before ? { before } : {}),
          });
          expect(page.length).toBeLessThanOrEqual(pageSize);
          if (page.length === 0) return seen;
          seen.push(...ids(page));
          before = cursorAfter(page[page.length - 1]!);
        }
        throw new Error("pagination did not end after 100 pages");
      }

      beforeEach(async () => {
        await store.upsert(articles);
      });

      it.each([1, 2, 3, 4, 7, 23, 50])("walks every article of a language exactly once, in order, with pages of %i", async (pageSize) => {
        const all = ids(await everything(store, "ja"));
        expect(all).toHaveLength(23);
        expect(await walk(undefined, pageSize)).toEqual(all);
      });

      it("walks every article of a section exactly once, in order", async () => {
        const all = ids(await everything(store, "ja", "politics"));
        expect(all).toHaveLength(12);
        expect(await walk("politics", 4)).toEqual(all);
      });
    });

    describe("bySlug", () => {
      const english = makeArticle({
        lang: "en",
        section: "culture",
        slug: "baseball-final-game7",
        story: "baseball-final",
        published: "2026-10-31T22:40:00+09:00",
      });
      const korean = makeArticle({
        lang: "ko",
        section: "culture",
        slug: "baseball-final-game7",
        story: "baseball-final",
        published: "2026-10-31T22:30:00+09:00",
      });

      beforeEach(async () => {
        await store.upsert([english, korean]);
      });

      it("finds the edition of the language asked for", async () => {
        expect(await store.bySlug("en", "baseball-final-game7")).toEqual(english);
        expect(await store.bySlug("ko", "baseball-final-game7")).toEqual(korean);
      });

      it("finds nothing for an unknown slug or a language without that slug", async () => {
        expect(await store.bySlug("en", "baseball-final")).toBeNull();
        expect(await store.bySlug("ja", "baseball-final-game7")).toBeNull();
      });
    });

    describe("editions", () => {
      const languages = ["ko", "en", "ja"];
      // 95 stories is more than one IN list of MAX_IN_LIST (90) bound parameters can carry on D1.
      const stories = Array.from({ length: 95 }, (_, i) => `story-${String(i).padStart(3, "0")}`);
      const articles = stories.flatMap((story, i) =>
        languages.map((lang) =>
          makeArticle({
            lang,
            section: "society",
            slug: `${story}-${lang}`,
            story,
            published: `2026-11-01T09:${String(i % 60).padStart(2, "0")}:00+09:00`,
          }),
        ),
      );
      const editionOf = (a: Article): Edition => ({ id: a.id, story: a.story, lang: a.lang, title: a.title, url: a.url });
      const byId = (a: Edition, b: Edition) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

      beforeEach(async () => {
        expect((await store.upsert(articles)).inserted).toHaveLength(articles.length);
      });

      it("gives every edition of more stories than fit one IN list", async () => {
        const editions = await store.editions(stories);
        expect(editions).toHaveLength(95 * 3);
        expect([...editions].sort(byId)).toEqual(articles.map(editionOf).sort(byId));
      });

      it("gives the editions of the stories asked for only, once each, even when a story is asked twice", async () => {
        const asked = ["story-000", "story-094", "story-000", "no-such-story"];
        const editions = await store.editions(asked);
        const expected = articles.filter((a) => a.story === "story-000" || a.story === "story-094").map(editionOf);
        expect([...editions].sort(byId)).toEqual(expected.sort(byId));
      });

      it("gives nothing for no stories", async () => {
        expect(await store.editions([])).toEqual([]);
      });
    });

    describe("lastUpdated", () => {
      // Published first but corrected last: lastUpdated must follow `updated`, not `published`.
      const corrected = makeArticle({
        lang: "en",
        section: "politics",
        slug: "corrected-late",
        published: "2026-09-01T09:00:00+09:00",
        updated: "2026-09-20T18:30:00-03:30",
      });
      const newestPolitics = makeArticle({ lang: "en", section: "politics", slug: "newer", published: "2026-09-19T10:00:00+09:00" });
      const business = makeArticle({ lang: "en", section: "business", slug: "business-news", published: "2026-09-18T10:00:00+09:00" });
      const korean = makeArticle({ lang: "ko", section: "business", slug: "korean-news", published: "2027-01-01T00:00:00+09:00" });

      beforeEach(async () => {
        await store.upsert([newestPolitics, corrected, business, korean]);
      });

      it("gives the newest update of a language, in the offset it was written in", async () => {
        expect(await store.lastUpdated("en")).toEqual({ iso: "2026-09-20T18:30:00-03:30", ms: corrected.updated.ms });
      });

      it("gives the newest update of a section", async () => {
        expect(await store.lastUpdated("en", "politics")).toEqual(corrected.updated);
        expect(await store.lastUpdated("en", "business")).toEqual(business.updated);
        expect(await store.lastUpdated("ko", "business")).toEqual(korean.updated);
      });

      it("gives null for a language or section without articles", async () => {
        expect(await store.lastUpdated("ja")).toBeNull();
        expect(await store.lastUpdated("en", "culture")).toBeNull();
        expect(await store.lastUpdated("ko", "politics")).toBeNull();
      });

      it("follows an update of an article", async () => {
        const correctedAgain = { ...business, updated: parseRfc3339("2026-09-30T08:00:00+09:00") };
        await store.upsert([correctedAgain]);
        expect(await store.lastUpdated("en")).toEqual(correctedAgain.updated);
        expect(await store.lastUpdated("en", "business")).toEqual(correctedAgain.updated);
      });
    });

    describe("sitemaps", () => {
      const PREFIX = `${SITE}/en/`;
      // A story in three languages, one of them an upstream's page on another site; an English story alone.
      const enBudget = makeArticle({ lang: "en", section: "politics", slug: "budget", published: "2026-09-10T09:00:00+09:00" });
      const koBudget = makeArticle(
        { lang: "ko", section: "politics", slug: "yesan", story: "budget", published: "2026-09-10T08:00:00+09:00" },
        { updated: parseRfc3339("2026-09-12T10:00:00+09:00") },
      );
      const jaBudget = makeArticle(
        { lang: "ja", section: "politics", slug: "yosan", story: "budget", published: "2026-09-10T10:00:00+09:00" },
        { url: "https://wire.example/ja/yosan" },
      );
      const enChips = makeArticle({ lang: "en", section: "business", slug: "chips", published: "2026-09-11T09:00:00+09:00" });
      const enTie = makeArticle({ lang: "en", section: "business", slug: "tie", published: "2026-09-11T09:00:00+09:00", id: "tag:z-last" });
      // Not under the language's directory: another host sharing the site's name as text, and another language's.
      const elsewhere = makeArticle(
        { lang: "en", section: "society", slug: "elsewhere", published: "2026-09-09T09:00:00+09:00" },
        { url: "https://store.example.evil/en/elsewhere" },
      );
      const misplaced = makeArticle(
        { lang: "en", section: "society", slug: "misplaced", published: "2026-09-09T10:00:00+09:00" },
        { url: `${SITE}/ko/articles/misplaced` },
      );

      beforeEach(async () => {
        await store.upsert([enBudget, koBudget, jaBudget, enChips, enTie, elsewhere, misplaced]);
      });

      it("pages a language's articles on the site oldest first, ties by id, each with every edition of its story", async () => {
        const all = await store.sitemapEntries({ lang: "en", urlPrefix: PREFIX, limit: 10, offset: 0 });
        expect(all.map((e) => e.url)).toEqual([enBudget.url, enChips.url, enTie.url]);
        expect(all[0]!.updated).toEqual(enBudget.updated);
        expect(all[0]!.editions).toEqual([
          { lang: "en", url: enBudget.url, updatedMs: enBudget.updated.ms },
          { lang: "ja", url: jaBudget.url, updatedMs: jaBudget.updated.ms },
          { lang: "ko", url: koBudget.url, updatedMs: koBudget.updated.ms },
        ]);
        expect(all[1]!.editions).toEqual([{ lang: "en", url: enChips.url, updatedMs: enChips.updated.ms }]);
        const second = await store.sitemapEntries({ lang: "en", urlPrefix: PREFIX, limit: 2, offset: 2 });
        expect(second.map((e) => e.url)).toEqual([enTie.url]);
        expect(await store.sitemapEntries({ lang: "en", urlPrefix: PREFIX, limit: 2, offset: 4 })).toEqual([]);
        // The Japanese edition's page is on another site: that site lists it, not this one.
        expect(await store.sitemapEntries({ lang: "ja", urlPrefix: `${SITE}/ja/`, limit: 10, offset: 0 })).toEqual([]);
        expect(await store.sitemapEntries({ lang: "ko", urlPrefix: PREFIX, limit: 10, offset: 0 })).toEqual([]);
      });

      it("counts a language's articles under the prefix, with their newest update", async () => {
        expect(await store.sitemapCount("en", PREFIX)).toEqual({ count: 3, updatedMs: enChips.updated.ms });
        expect(await store.sitemapCount("ko", `${SITE}/ko/`)).toEqual({ count: 1, updatedMs: koBudget.updated.ms });
        expect(await store.sitemapCount("ja", `${SITE}/ja/`)).toEqual({ count: 0, updatedMs: null });
      });

      it("lists no withdrawn article, nor a withdrawn edition among the others", async () => {
        await store.withdraw([enChips.id, koBudget.id], 1_790_000_000_000);
        const all = await store.sitemapEntries({ lang: "en", urlPrefix: PREFIX, limit: 10, offset: 0 });
        expect(all.map((e) => e.url)).toEqual([enBudget.url, enTie.url]);
        expect(all[0]!.editions.map((e) => e.lang)).toEqual(["en", "ja"]);
        expect(await store.sitemapCount("en", PREFIX)).toEqual({ count: 2, updatedMs: enTie.updated.ms });
      });

      it("gives the articles on the site published in a window, newest first, at most the limit", async () => {
        const window = { lang: "en", urlPrefix: PREFIX, sinceMs: enBudget.published.ms, untilMs: enChips.published.ms, limit: 10 };
        const news = await store.newsEntries(window);
        expect(news.map((n) => n.url)).toEqual([enTie.url, enChips.url, enBudget.url]);
        expect(news[2]).toEqual({
          url: enBudget.url,
          title: enBudget.title,
          published: enBudget.published,
          updatedMs: enBudget.updated.ms,
        });
        expect((await store.newsEntries({ ...window, limit: 1 })).map((n) => n.url)).toEqual([enTie.url]);
        expect((await store.newsEntries({ ...window, untilMs: enChips.published.ms - 1 })).map((n) => n.url)).toEqual([enBudget.url]);
        expect(await store.newsEntries({ ...window, sinceMs: enChips.published.ms + 1 })).toEqual([]);
        expect(await store.newsEntries({ ...window, lang: "ja" })).toEqual([]);
      });
    });

    describe("round trip", () => {
      it("keeps authors, tags, image and text exactly, Unicode included", async () => {
        const article = makeArticle(
          {
            lang: "ko",
            section: "business",
            slug: "bandoche-suchul",
            published: "2026-10-01T09:30:00+09:00",
            title: "반도체 수출 역대 최고 🚀",
          },
          {
            summary: '9월 반도체 수출이 174억 달러로 "역대 최고"를 기록했다.',
            contentHtml: '<p>AI 서버 수요 &amp; 메모리 <a href="https://store.example/ko">링크</a></p>',
            authors: [
              { name: "강민서", email: "minseo.kang@hanbit.example", url: "https://store.example/authors/kang" },
              { name: "오태양" },
            ],
            tags: ["반도체", "수출", "AI"],
            image: {
              url: "https://store.example/media/chip-fab.jpg",
              type: "image/jpeg",
              length: 22131,
              width: 1200,
              height: 675,
              alt: "파란 칩 블록 세 개가 금색 선으로 이어진 그림",
            },
          },
        );
        await store.upsert([article]);
        expect(await store.bySlug("ko", "bandoche-suchul")).toEqual(article);
        expect(await store.latest({ lang: "ko", limit: 1 })).toEqual([article]);
      });

      it("keeps a missing image as null and empty tags as an empty list", async () => {
        const article = makeArticle(
          { lang: "en", section: "opinion", slug: "no-picture", published: "2026-10-01T09:30:00+09:00" },
          { image: null, tags: [] },
        );
        await store.upsert([article]);
        const stored = await store.bySlug("en", "no-picture");
        expect(stored?.image).toBeNull();
        expect(stored?.tags).toEqual([]);
      });

      it("keeps every instant's original offset text", async () => {
        const written = [
          ["seoul", "2026-09-17T21:10:00+09:00"],
          ["utc", "2026-09-17T12:10:00+00:00"],
          ["newfoundland", "2026-09-17T08:40:00-03:30"],
          ["kathmandu", "2026-09-17T17:55:00+05:45"],
        ] as const;
        await store.upsert(
          written.map(([slug, time]) => makeArticle({ lang: "en", section: "society", slug, published: time, updated: time })),
        );
        for (const [slug, time] of written) {
          const stored = await store.bySlug("en", slug);
          expect(stored?.published.iso).toBe(time);
          expect(stored?.updated.iso).toBe(time);
          expect(stored?.published.ms).toBe(Date.parse(time));
        }
      });

      it("treats the same instant written in another offset as a change, since feeds print the text", async () => {
        const seoul = makeArticle({ lang: "en", section: "society", slug: "offset-rewrite", published: "2026-09-17T21:10:00+09:00" });
        await store.upsert([seoul]);
        const utc = { ...seoul, published: parseRfc3339("2026-09-17T12:10:00Z") };
        expect(utc.published.ms).toBe(seoul.published.ms);

        expect(await store.upsert([utc])).toMatchObject({ updated: [seoul.id], unchanged: 0 });
        expect((await store.bySlug("en", "offset-rewrite"))?.published.iso).toBe("2026-09-17T12:10:00+00:00");
      });
    });

    describe("ingest state", () => {
      const en = (slug: string, extra: Partial<Article> = {}) =>
        makeArticle({ lang: "en", section: "society", slug, published: "2026-10-01T09:00:00+09:00" }, extra);

      it("finds articles by id and by source prefix, without treating _ or % as wildcards", async () => {
        await store.upsert([
          en("a", { source: "content/en/a.md" }),
          en("b", { source: "feed:wire_ko" }),
          en("c", { source: "feed:wire%ko" }),
        ]);
        expect((await store.byIds([en("a").id, "tag:missing", en("c").id])).map((a) => a.slug).sort()).toEqual(["a", "c"]);
        expect(await store.fromSource("content/")).toEqual([{ id: en("a").id, source: "content/en/a.md" }]);
        expect(await store.fromSource("feed:wire_")).toEqual([{ id: en("b").id, source: "feed:wire_ko" }]);
      });

      it("withdraws an article from every query, keeps a tombstone, and lifts it when the article is written again", async () => {
        const article = en("withdrawn-one");
        await store.upsert([article, en("stays")]);
        expect(await store.withdraw([article.id, "tag:never-stored"], 1_790_000_000_000)).toEqual([article.id]);
        expect(await store.bySlug("en", "withdrawn-one")).toBeNull();
        expect((await store.latest({ lang: "en", limit: 10 })).map((a) => a.slug)).toEqual(["stays"]);
        expect(await store.withdrawn([article.id, en("stays").id])).toEqual(new Set([article.id]));
        expect(await store.withdraw([article.id], 1_790_000_000_000)).toEqual([]);

        expect((await store.upsert([article])).inserted).toEqual([article.id]);
        expect(await store.withdrawn([article.id])).toEqual(new Set());
      });

      it("joins editions into one story whichever names the other first, and refuses two editions in one language", async () => {
        const ko = makeArticle({
          lang: "ko",
          section: "society",
          slug: "ko-one",
          story: "story-b",
          published: "2026-10-01T09:00:00+09:00",
        });
        const en1 = makeArticle({
          lang: "en",
          section: "society",
          slug: "en-one",
          story: "story-a",
          published: "2026-10-01T10:00:00+09:00",
        });
        // The Korean edition names the English one before it exists.
        await store.upsert([ko], { targets: new Map([[ko.id, [en1.url]]]), atMs: NAMED_AT });
        expect(await store.linkEditions()).toEqual({ joined: 0, conflicts: [] });
        await store.upsert([en1]);
        expect(await store.linkEditions()).toEqual({ joined: 1, conflicts: [] });
        expect((await store.editions(["story-a"])).map((e) => e.lang).sort()).toEqual(["en", "ko"]);
        expect(await store.linkEditions()).toEqual({ joined: 0, conflicts: [] });

        const ko2 = makeArticle({
          lang: "ko",
          section: "society",
          slug: "ko-two",
          story: "story-c",
          published: "2026-10-01T11:00:00+09:00",
        });
        await store.upsert([ko2], { targets: new Map([[ko2.id, [en1.id]]]), atMs: NAMED_AT });
        const result = await store.linkEditions();
        expect(result.joined).toBe(0);
        expect(result.conflicts).toHaveLength(1);
        expect(result.conflicts[0]).toContain("ko");
        expect((await store.bySlug("ko", "ko-two"))?.story).toBe("story-c");
      });

      it("moves a feed's version on every change to it or to another edition of its stories, and on nothing else", async () => {
        const ko = makeArticle({
          lang: "ko",
          section: "business",
          slug: "v-ko",
          story: "versions",
          published: "2026-10-01T09:00:00+09:00",
        });
        const other = en("v-other");
        expect(await store.feedVersion("en")).toBe(0);
        await store.upsert([en("v-en", { story: "versions" }), other]);
        const versions = async () => [
          await store.feedVersion("en"),
          await store.feedVersion("en", "society"),
          await store.feedVersion("ko"),
          await store.feedVersion("ko", "business"),
          await store.feedVersion("ko", "politics"),
        ];
        const start = await versions();
        expect(start[0]).toBeGreaterThan(0);
        expect(start.slice(2)).toEqual([0, 0, 0]);

        await store.upsert([en("v-en", { story: "versions" }), other]);
        expect(await versions()).toEqual(start);

        await store.upsert([ko]);
        const afterKo = await versions();
        expect(afterKo[0]).toBeGreaterThan(start[0]!);
        expect(afterKo.slice(2, 4).every((v) => v > 0)).toBe(true);
        expect(afterKo[4]).toBe(0);

        await store.upsert([{ ...ko, title: "Edited" }]);
        const afterEdit = await versions();
        expect(afterEdit[0]).toBeGreaterThan(afterKo[0]!);
        expect(afterEdit[3]).toBeGreaterThan(afterKo[3]!);

        await store.withdraw([ko.id], 1);
        const afterWithdraw = await versions();
        expect(afterWithdraw[2]).toBeGreaterThan(afterEdit[2]!);
        expect(afterWithdraw[0]).toBeGreaterThan(afterEdit[0]!);
      });

      it("names the article pages changed after a mark: writes, edits, joins of editions and withdrawals, and nothing else", async () => {
        const ko = makeArticle({ lang: "ko", section: "business", slug: "c-ko", story: "changes", published: "2026-10-01T09:00:00+09:00" });
        const start = await store.articleChangeMark();
        expect(await store.changedArticles(start)).toEqual([]);

        await store.upsert([en("c-en", { story: "changes" }), en("c-other")]);
        const afterFirst = await store.articleChangeMark();
        expect(afterFirst).toBeGreaterThan(start);
        expect(await store.changedArticles(start)).toEqual([
          { lang: "en", slug: "c-en" },
          { lang: "en", slug: "c-other" },
        ]);

        await store.upsert([en("c-en", { story: "changes" }), en("c-other")]);
        expect(await store.articleChangeMark()).toBe(afterFirst);
        expect(await store.changedArticles(afterFirst)).toEqual([]);

        // A new edition changes its story's other pages too (they link it); an edit changes its own page alone.
        await store.upsert([ko]);
        const afterKo = await store.articleChangeMark();
        expect(await store.changedArticles(afterFirst)).toEqual([
          { lang: "en", slug: "c-en" },
          { lang: "ko", slug: "c-ko" },
        ]);
        await store.upsert([{ ...ko, title: "Edited" }]);
        const afterEdit = await store.articleChangeMark();
        expect(await store.changedArticles(afterKo)).toEqual([{ lang: "ko", slug: "c-ko" }]);

        // A withdrawn article is named by the slug it had, with the editions that linked it.
        await store.withdraw([ko.id], 1);
        expect(await store.changedArticles(afterEdit)).toEqual([
          { lang: "en", slug: "c-en" },
          { lang: "ko", slug: "c-ko" },
        ]);
        expect(await store.bySlug("ko", "c-ko")).toBeNull();
      });

      it("remembers a source's validators and schedule", async () => {
        expect(await store.sourceState("wire")).toBeNull();
        const state = {
          sourceId: "wire",
          etag: '"v1"',
          lastModified: "Thu, 01 Oct 2026 00:00:00 GMT",
          checkedMs: 1000,
          nextMs: 301_000,
          failures: 0,
          lastError: null,
        };
        await store.saveSourceState(state);
        await store.saveSourceState({ ...state, failures: 2, lastError: "fetch: timeout" });
        expect(await store.sourceState("wire")).toEqual({ ...state, failures: 2, lastError: "fetch: timeout" });
      });

      it("lets one holder at a time have the lease, until it is released or expires", async () => {
        expect(await store.acquireLease("ingest", "run-1", 1_000, 60_000)).toBe(true);
        expect(await store.acquireLease("ingest", "run-2", 2_000, 60_000)).toBe(false);
        expect(await store.acquireLease("ingest", "run-1", 3_000, 60_000)).toBe(true);
        await store.releaseLease("ingest", "run-2");
        expect(await store.acquireLease("ingest", "run-2", 4_000, 60_000)).toBe(false);
        expect(await store.acquireLease("ingest", "run-2", 63_000, 60_000)).toBe(true);
        await store.releaseLease("ingest", "run-2");
        expect(await store.acquireLease("ingest", "run-3", 64_000, 60_000)).toBe(true);
      });

      it("names the lease's holder, and lets a run replace only the holder it names as dead", async () => {
        expect(await store.leaseHolder("ingest")).toBeNull();
        expect(await store.acquireLease("ingest", "host:41:a", 1_000, 60_000)).toBe(true);
        expect(await store.leaseHolder("ingest")).toBe("host:41:a");
        expect(await store.acquireLease("ingest", "host:42:b", 2_000, 60_000, "host:40:z")).toBe(false);
        expect(await store.acquireLease("ingest", "host:42:b", 2_000, 60_000, "host:41:a")).toBe(true);
        expect(await store.leaseHolder("ingest")).toBe("host:42:b");
        // Two runs that both found the same dead holder: only the first replaces it.
        expect(await store.acquireLease("ingest", "host:43:c", 2_500, 60_000, "host:41:a")).toBe(false);
        expect(await store.acquireLease("ingest", "host:42:b", 3_000, 60_000)).toBe(true);
      });

      it("keeps the last 100 run reports, newest first", async () => {
        for (let i = 0; i < 105; i++) await store.saveRun({ startedMs: i, finishedMs: i + 1, report: JSON.stringify({ run: i }) });
        const runs = await store.recentRuns(1000);
        expect(runs).toHaveLength(100);
        expect(runs[0]).toEqual({ startedMs: 104, finishedMs: 105, report: '{"run":104}' });
        expect(runs.at(-1)!.startedMs).toBe(5);
      });

      it("lists every feed's version, the whole language as section '', ordered by language then section", async () => {
        expect(await store.feedVersions()).toEqual([]);
        await store.upsert([
          makeArticle({ lang: "ko", section: "business", slug: "fv-ko", story: "fv", published: "2026-10-01T09:00:00+09:00" }),
          en("fv-en", { story: "fv" }),
          en("fv-alone"),
        ]);
        await store.upsert([en("fv-alone", { title: "Edited" })]);

        const versions = await store.feedVersions();
        expect(versions.map(({ lang, section }) => [lang, section])).toEqual([
          ["en", ""],
          ["en", "society"],
          ["ko", ""],
          ["ko", "business"],
        ]);
        for (const { lang, section, version } of versions) {
          expect(version, `${lang}/${section}`).toBe(await store.feedVersion(lang, section === "" ? undefined : section));
          expect(version).toBeGreaterThan(0);
        }
      });
    });

    describe("edition links", () => {
      /** An article of `source` at `url`; its story is its own until a link joins it. */
      const edition = (lang: string, slug: string, source: string, url: string) =>
        makeArticle(
          {
            lang,
            section: "society",
            slug,
            story: `~${source}/${slug}`,
            published: "2026-10-01T09:00:00+09:00",
            id: `tag:t,2026:${source}/${slug}`,
          },
          { source, url },
        );
      const newsroom = (lang: string, slug: string) => edition(lang, slug, "push", `${SITE}/${lang}/articles/${slug}`);
      /** Writes articles, each naming the given targets, at `atMs`. */
      const write = (articles: Article[], named: [Article, string[]][] = [], atMs = NAMED_AT, extra: Partial<PendingLinks> = {}) =>
        store.upsert(articles, { targets: new Map(named.map(([a, t]) => [a.id, t])), atMs, ...extra });
      const storyOf = async (a: Article) => (await store.byIds([a.id]))[0]!.story;
      const langsOf = async (a: Article) => (await store.editions([await storyOf(a)])).map((e) => e.lang).sort();

      it("never joins a newsroom story through an upstream's link alone, whichever arrives first, and says so", async () => {
        const ours = newsroom("en", "budget");
        const evil = edition("zh-Hans", "evil", "feed:evil", "https://evil.example/zh/budget");
        await write([ours]);
        expect(await store.linkEditions()).toEqual({ joined: 0, conflicts: [] });
        await write([evil], [[evil, [ours.url, "https://evil.example/ko/budget"]]]);
        const result = await store.linkEditions();
        expect(result.joined).toBe(0);
        expect(result.conflicts).toEqual([
          `edition link refused: https://evil.example/zh/budget (feed:evil) names ${ours.url} (push), ` +
            "but an upstream's links alone never join a newsroom article; left apart",
        ]);
        expect(await langsOf(ours)).toEqual(["en"]);

        // The other way round: the upstream's link waits, and our article arrives later.
        const later = newsroom("ja", "budget-ja");
        const evil2 = edition("ko", "evil-2", "feed:evil", "https://evil.example/ko/2");
        await write([evil2], [[evil2, [later.url]]]);
        expect(await store.linkEditions()).toEqual({ joined: 0, conflicts: [] });
        await write([later]);
        const second = await store.linkEditions();
        expect(second.joined).toBe(0);
        expect(second.conflicts).toHaveLength(1);
        expect(second.conflicts[0]).toContain(`https://evil.example/ko/2 (feed:evil) names ${later.url} (push)`);
        expect(await langsOf(later)).toEqual(["ja"]);
      });

      it("describes at most 50 refused joins in one pass, then counts the rest", async () => {
        const ours = newsroom("en", "crowded");
        const claims = Array.from({ length: 60 }, (_, i) => edition("ko", `claim-${i}`, "feed:evil", `https://evil.example/ko/${i}`));
        await write(
          [ours, ...claims],
          claims.map((c): [Article, string[]] => [c, [ours.url]]),
        );
        const result = await store.linkEditions();
        expect(result.joined).toBe(0);
        expect(result.conflicts).toHaveLength(51);
        expect(result.conflicts.slice(0, 50).every((c) => c.startsWith("edition link refused: https://evil.example/ko/"))).toBe(true);
        expect(result.conflicts[50]).toBe("and 10 more joins refused");
        expect(await langsOf(ours)).toEqual(["en"]);
      });

      it("joins through the newsroom's own link, and through an upstream's link the newsroom names back", async () => {
        const ours = newsroom("en", "chips");
        const wire = edition("ko", "chips-ko", "feed:wire", "https://wire.example/ko/chips");
        await write([wire]);
        await write([ours], [[ours, [wire.url]]]);
        expect(await store.linkEditions()).toEqual({ joined: 1, conflicts: [] });
        expect(await langsOf(ours)).toEqual(["en", "ko"]);
        expect(await storyOf(wire)).toBe(ours.story);

        const ja = newsroom("ja", "chips-ja");
        const partner = edition("zh-Hans", "chips-zh", "feed:partner", "https://partner.example/zh/chips");
        // The upstream names our page before it exists: the link waits, judged when our article comes.
        await write([partner], [[partner, [ja.url]]]);
        expect(await store.linkEditions()).toEqual({ joined: 0, conflicts: [] });
        await write([ja], [[ja, [partner.url]]]);
        expect(await store.linkEditions()).toEqual({ joined: 1, conflicts: [] });
        expect(await langsOf(ja)).toEqual(["ja", "zh-Hans"]);
      });

      it("joins upstream editions through a link to the same site, or links both ways; refuses one way to another site", async () => {
        const en = edition("en", "w-en", "feed:wire-en", "https://wire.example/en/1");
        const ko = edition("ko", "w-ko", "feed:wire-ko", "https://WIRE.example/ko/1");
        await write([en], [[en, [ko.url]]]);
        await write([ko]);
        expect(await store.linkEditions()).toEqual({ joined: 1, conflicts: [] });
        expect(await langsOf(en)).toEqual(["en", "ko"]);

        const a = edition("en", "a-en", "feed:a", "https://a.example/en/2");
        const b = edition("ko", "b-ko", "feed:b", "https://b.example/ko/2");
        await write([a, b], [[a, [b.url]]]);
        const oneWay = await store.linkEditions();
        expect(oneWay.joined).toBe(0);
        expect(oneWay.conflicts).toEqual([
          "edition link refused: https://a.example/en/2 (feed:a) names https://b.example/ko/2 (feed:b), " +
            "but it is on another site, which does not name it back; left apart",
        ]);
        expect(await langsOf(a)).toEqual(["en"]);
        await write([{ ...b, title: "Named back" }], [[b, [a.url]]]);
        expect(await store.linkEditions()).toEqual({ joined: 1, conflicts: [] });
        expect(await langsOf(a)).toEqual(["en", "ko"]);
      });

      it("does not let an upstream article without a site of its own speak for ours", async () => {
        const first = edition("en", "nosite-en", "feed:x", `${SITE}/en/articles/nosite-en`);
        const other = edition("ko", "nosite-ko", "feed:y", `${SITE}/ko/articles/nosite-ko`);
        await write([other]);
        await write([first], [[first, [other.url]]], NAMED_AT, { unsited: new Set([first.id]) });
        const result = await store.linkEditions();
        expect(result.joined).toBe(0);
        expect(result.conflicts[0]).toContain("it has no site of its own, and is not named back");
      });

      it("keeps upstream links from reaching a newsroom story through an upstream edition it joined", async () => {
        const ours = newsroom("en", "adopt");
        const wire = edition("ko", "adopt-ko", "feed:wire", "https://wire.example/ko/adopt");
        await write([ours, wire], [[ours, [wire.url]]]);
        expect((await store.linkEditions()).joined).toBe(1);
        const same = edition("ja", "adopt-ja", "feed:spoof", "https://wire.example/ja/adopt");
        await write([same], [[same, [wire.url]]]);
        const result = await store.linkEditions();
        expect(result.joined).toBe(0);
        expect(result.conflicts).toEqual([
          "edition link refused: https://wire.example/ja/adopt names https://wire.example/ko/adopt on its own site, " +
            `but an upstream's links alone never join a newsroom story ("${ours.story}"); left apart`,
        ]);
        expect(await langsOf(ours)).toEqual(["en", "ko"]);
      });

      it("judges only the links of the articles written since the last pass, or of those it is given", async () => {
        const en = edition("en", "scope-en", "feed:w", "https://w.example/en/1");
        const ko = edition("ko", "scope-ko", "feed:w", "https://w.example/ko/1");
        const other = edition("ja", "scope-other", "feed:w", "https://w.example/ja/9");
        await write([en, ko], [[en, [ko.url]]]);
        await write([other]);
        // Given only `other`, the pass reads nothing of en and ko.
        expect(await store.linkEditions([other.id])).toEqual({ joined: 0, conflicts: [] });
        expect(await langsOf(en)).toEqual(["en"]);
        expect(await store.linkEditions()).toEqual({ joined: 1, conflicts: [] });
        expect(await store.linkEditions()).toEqual({ joined: 0, conflicts: [] });
        // Written again (in its joined story, as the ingest does), an article's links are judged again: nothing to do.
        await write([{ ...ko, story: await storyOf(ko), title: "Edited" }]);
        expect(await store.linkEditions()).toEqual({ joined: 0, conflicts: [] });
        expect(await langsOf(ko)).toEqual(["en", "ko"]);
      });

      it("forgets a link not named again within the time limit, counted from its latest naming", async () => {
        const limits = { ttlMs: 30 * DAY_MS, perSource: 100 };
        const en = edition("en", "old-en", "feed:w", "https://w.example/en/old");
        const ko = edition("ko", "old-ko", "feed:w", "https://w.example/ko/old");
        const kept = edition("en", "kept-en", "feed:w", "https://w.example/en/kept");
        const keptKo = edition("ko", "kept-ko", "feed:w", "https://w.example/ko/kept");
        await write([en], [[en, [ko.url]]], NAMED_AT, { limits });
        await write([kept], [[kept, [keptKo.url]]], NAMED_AT, { limits });
        await write([{ ...kept, title: "Renamed" }], [[kept, [keptKo.url]]], NAMED_AT + 20 * DAY_MS, { limits });
        await store.linkEditions();
        // A later write of links, 31 days after the first naming, forgets what has waited 30 days.
        const later = edition("ja", "later", "feed:other", "https://other.example/ja/1");
        await write([later], [[later, ["https://other.example/x"]]], NAMED_AT + 31 * DAY_MS, { limits });
        await write([ko, keptKo]);
        expect(await store.linkEditions()).toEqual({ joined: 1, conflicts: [] });
        expect(await langsOf(en)).toEqual(["en"]);
        expect(await langsOf(kept)).toEqual(["en", "ko"]);
      });

      it("keeps only the newest links of a source over its cap, and leaves other sources' alone", async () => {
        const limits = { ttlMs: 30 * DAY_MS, perSource: 3 };
        const namers = [0, 1, 2, 3, 4].map((i) => edition("en", `cap-${i}`, "feed:flood", `https://flood.example/en/${i}`));
        const targets = namers.map((_, i) => edition("ko", `cap-ko-${i}`, "feed:flood", `https://flood.example/ko/${i}`));
        const calm = edition("en", "calm", "feed:calm", "https://calm.example/en/1");
        const calmKo = edition("ko", "calm-ko", "feed:calm", "https://calm.example/ko/1");
        await write([calm], [[calm, [calmKo.url]]], NAMED_AT, { limits });
        for (const [i, namer] of namers.entries()) {
          await write([namer], [[namer, [targets[i]!.url]]], NAMED_AT + i * 1000, { limits });
        }
        await store.linkEditions();
        await write([...targets, calmKo]);
        expect((await store.linkEditions()).joined).toBe(4);
        const joined = await Promise.all(namers.map(async (n) => (await langsOf(n)).length === 2));
        expect(joined).toEqual([false, false, true, true, true]);
        expect(await langsOf(calm)).toEqual(["en", "ko"]);
      });
    });

    describe("subscribers", () => {
      const FEED_EN = "https://store.example/en/feed.xml";
      const FEED_KO = "https://store.example/ko/feed.atom";

      it("has no statistics before any count is recorded", async () => {
        expect(await store.subscriberStats()).toEqual([]);
      });

      it("keeps the latest count and time per feed and aggregator, ordered by feed then aggregator", async () => {
        await store.recordSubscribers(FEED_KO, "inoreader", 12, 1_000);
        await store.recordSubscribers(FEED_EN, "newsblur", 7, 2_000);
        await store.recordSubscribers(FEED_EN, "feedly", 42, 3_000);
        await store.recordSubscribers(FEED_KO, "feedly", 5, 4_000);
        await store.recordSubscribers(FEED_EN, "feedly", 40, 5_000);

        expect(await store.subscriberStats()).toEqual([
          { feed: FEED_EN, aggregator: "feedly", subscribers: 40, seenMs: 5_000 },
          { feed: FEED_EN, aggregator: "newsblur", subscribers: 7, seenMs: 2_000 },
          { feed: FEED_KO, aggregator: "feedly", subscribers: 5, seenMs: 4_000 },
          { feed: FEED_KO, aggregator: "inoreader", subscribers: 12, seenMs: 1_000 },
        ]);
      });

      it("records a count of zero, a large count and a later time with the same count", async () => {
        await store.recordSubscribers(FEED_EN, "feedbin", 0, 1_000);
        await store.recordSubscribers(FEED_EN, "feedly", 1_000_000_000, 1_790_000_000_000);
        await store.recordSubscribers(FEED_EN, "feedbin", 0, 1_790_000_000_000);
        expect(await store.subscriberStats()).toEqual([
          { feed: FEED_EN, aggregator: "feedbin", subscribers: 0, seenMs: 1_790_000_000_000 },
          { feed: FEED_EN, aggregator: "feedly", subscribers: 1_000_000_000, seenMs: 1_790_000_000_000 },
        ]);
      });

      it("adds a row under limits only while the feed and the table have room, and always updates a row it has", async () => {
        const limits = { perFeed: 2, total: 3 };
        await store.recordSubscribers(FEED_EN, "one", 1, 1_000, limits);
        await store.recordSubscribers(FEED_EN, "two", 2, 1_000, limits);
        await store.recordSubscribers(FEED_EN, "three", 3, 1_000, limits);
        await store.recordSubscribers(FEED_KO, "four", 4, 1_000, limits);
        await store.recordSubscribers(FEED_KO, "five", 5, 1_000, limits);
        await store.recordSubscribers(FEED_EN, "one", 10, 2_000, limits);
        await store.recordSubscribers(FEED_KO, "feedly", 6, 2_000);
        expect(await store.subscriberStats()).toEqual([
          { feed: FEED_EN, aggregator: "one", subscribers: 10, seenMs: 2_000 },
          { feed: FEED_EN, aggregator: "two", subscribers: 2, seenMs: 1_000 },
          { feed: FEED_KO, aggregator: "feedly", subscribers: 6, seenMs: 2_000 },
          { feed: FEED_KO, aggregator: "four", subscribers: 4, seenMs: 1_000 },
        ]);
      });

      it("keeps subscriber counts apart from articles and feed versions", async () => {
        await store.recordSubscribers(FEED_EN, "feedly", 3, 1_000);
        expect(await store.feedVersions()).toEqual([]);
        expect(await store.latest({ lang: "en", limit: 10 })).toEqual([]);
      });
    });

    describe("takedowns and the schedule", () => {
      const at = (published: string, slug: string, extra: Partial<Article> = {}) =>
        makeArticle({ lang: "en", section: "society", slug, published }, extra);
      const NOW = Date.parse("2026-10-01T09:00:00+09:00");
      const withdrawalIds = async (section?: string) => (await store.listedWithdrawals("en", section, 10)).map((t) => t.id);

      it("keeps a withdrawal's reason and scope, lists it in the feeds of its language and section only, and hides a legal one's title", async () => {
        const plain = at("2026-09-30T09:00:00+09:00", "plain");
        const legal = at("2026-09-30T10:00:00+09:00", "legal", { section: "politics" });
        await store.upsert([plain, legal]);
        expect(await store.withdraw([plain.id], NOW, { reason: "The source withdrew consent" })).toEqual([plain.id]);
        expect(await store.withdraw([legal.id], NOW + 1000, { legal: true })).toEqual([legal.id]);
        expect(await store.tombstoneBySlug("en", "plain")).toEqual({
          id: plain.id,
          lang: "en",
          section: "society",
          slug: "plain",
          url: plain.url,
          title: plain.title,
          reason: "The source withdrew consent",
          legal: false,
          withdrawnMs: NOW,
        });
        expect(await store.tombstoneBySlug("en", "legal")).toMatchObject({ title: "", reason: "", legal: true, section: "politics" });
        expect(await store.tombstoneBySlug("en", "unknown")).toBeNull();
        expect(await withdrawalIds()).toEqual([legal.id, plain.id]);
        expect(await withdrawalIds("society")).toEqual([plain.id]);
        expect(await withdrawalIds("culture")).toEqual([]);
        expect(await store.listedWithdrawals("ko", undefined, 10)).toEqual([]);
        expect((await store.tombstones([plain.id, "tag:none"])).map((t) => t.id)).toEqual([plain.id]);
      });

      it("moves the feeds a withdrawal is listed in when it stops being listed, and lists it no more", async () => {
        const old = at("2026-09-01T09:00:00+09:00", "old");
        const recent = at("2026-09-02T09:00:00+09:00", "recent", { section: "culture" });
        await store.upsert([old, recent]);
        await store.withdraw([old.id], NOW - 40 * DAY_MS);
        await store.withdraw([recent.id], NOW - DAY_MS);
        const before = [await store.feedVersion("en"), await store.feedVersion("en", "society"), await store.feedVersion("en", "culture")];
        expect(await store.unlistWithdrawals(NOW - 30 * DAY_MS)).toBe(1);
        expect(await withdrawalIds()).toEqual([recent.id]);
        expect(await store.feedVersion("en")).toBeGreaterThan(before[0]!);
        expect(await store.feedVersion("en", "society")).toBeGreaterThan(before[1]!);
        expect(await store.feedVersion("en", "culture")).toBe(before[2]);
        expect(await store.unlistWithdrawals(NOW - 30 * DAY_MS)).toBe(0);
        expect(await store.feedVersion("en")).toBeGreaterThan(before[0]!);
        // The page still answers Gone.
        expect(await store.tombstoneBySlug("en", "old")).not.toBeNull();
      });

      it("withdraws a given article never stored, keeps its time when the reason changes, and changes nothing for the same reason", async () => {
        const given = at("2026-09-30T09:00:00+09:00", "given");
        const version = await store.feedVersion("en", "society");
        expect(await store.withdrawGiven([{ article: given, why: { reason: "Retracted" }, atMs: NOW }])).toEqual([given.id]);
        expect(await store.feedVersion("en", "society")).toBeGreaterThan(version);
        expect(await store.withdrawGiven([{ article: given, why: { reason: "Retracted" }, atMs: NOW + 5 }])).toEqual([]);
        expect(await store.withdrawGiven([{ article: given, why: { legal: true }, atMs: NOW + 5 }])).toEqual([given.id]);
        expect(await store.tombstoneBySlug("en", "given")).toMatchObject({ title: "", legal: true, reason: "", withdrawnMs: NOW });
        const stored = at("2026-09-30T09:00:00+09:00", "stored-then-given");
        await store.upsert([stored]);
        expect(await store.withdrawGiven([{ article: stored, why: {}, atMs: NOW }])).toEqual([stored.id]);
        expect(await store.bySlug("en", "stored-then-given")).toBeNull();
      });

      it("keeps a scheduled article out of every query until it is due, then releases it once, moving its feeds", async () => {
        const later = at("2026-10-02T09:00:00+09:00", "later");
        expect(await store.schedule([later])).toEqual([later.id]);
        expect(await store.schedule([later])).toEqual([]);
        expect(await store.bySlug("en", "later")).toBeNull();
        expect(await store.latest({ lang: "en", limit: 10 })).toEqual([]);
        expect(await store.byIds([later.id])).toEqual([]);
        expect(await store.feedVersion("en")).toBe(0);
        expect(await store.scheduled([later.id])).toEqual([later]);
        expect(await store.scheduledFromSource("test/")).toEqual([{ id: later.id, source: later.source, dueMs: later.published.ms }]);

        expect(await store.releaseDue(later.published.ms - 1000)).toEqual({ released: [], failed: [] });
        expect(await store.bySlug("en", "later")).toBeNull();
        expect(await store.releaseDue(later.published.ms)).toEqual({ released: [later.id], failed: [] });
        expect(await store.bySlug("en", "later")).toEqual(later);
        expect(await store.scheduled([later.id])).toEqual([]);
        const version = await store.feedVersion("en", "society");
        expect(version).toBeGreaterThan(0);
        expect(await store.releaseDue(later.published.ms + 60_000)).toEqual({ released: [], failed: [] });
        expect(await store.feedVersion("en", "society")).toBe(version);
      });

      it("releases an article once when two releases race, and copies nothing the newsroom moved to a later time meanwhile", async () => {
        const a = at("2026-10-02T09:00:00+09:00", "race-a");
        const b = at("2026-10-02T09:00:00+09:00", "race-b");
        await store.schedule([a, b]);
        const due = a.published.ms;
        const [one, two] = await Promise.all([store.releaseDue(due), store.releaseDue(due)]);
        expect([...one.released, ...two.released].sort()).toEqual([a.id, b.id].sort());
        expect((await store.latest({ lang: "en", limit: 10 })).map((x) => x.slug).sort()).toEqual(["race-a", "race-b"]);

        const moved = at("2026-10-03T09:00:00+09:00", "moved");
        await store.schedule([moved]);
        await store.schedule([{ ...moved, published: parseRfc3339("2026-10-09T09:00:00+09:00") }]);
        expect((await store.releaseDue(moved.published.ms)).released).toEqual([]);
        expect(await store.bySlug("en", "moved")).toBeNull();
      });

      it("takes a published article out of the feeds when it is scheduled again, and an article written now off the schedule", async () => {
        const article = at("2026-09-30T09:00:00+09:00", "again");
        await store.upsert([article]);
        await store.schedule([{ ...article, published: parseRfc3339("2026-10-05T09:00:00+09:00") }]);
        expect(await store.bySlug("en", "again")).toBeNull();
        await store.upsert([article]);
        expect(await store.bySlug("en", "again")).toEqual(article);
        expect(await store.scheduled([article.id])).toEqual([]);
        expect(await store.unschedule([article.id])).toEqual([]);
        const other = at("2026-10-05T09:00:00+09:00", "unscheduled");
        await store.schedule([other]);
        expect(await store.unschedule([other.id])).toEqual([other.id]);
        expect((await store.releaseDue(other.published.ms)).released).toEqual([]);
      });

      it("refuses to release an article whose slug another took meanwhile, and keeps it scheduled", async () => {
        const waiting = at("2026-10-02T09:00:00+09:00", "taken", {
          id: "tag:store.example,2026-09-01:article/en/waiting",
          story: "waiting",
        });
        await store.schedule([waiting]);
        await store.upsert([at("2026-09-30T09:00:00+09:00", "taken")]);
        const result = await store.releaseDue(waiting.published.ms);
        expect(result.released).toEqual([]);
        expect(result.failed).toEqual([{ id: waiting.id, error: "store: another article of this language already has this slug" }]);
        expect(await store.scheduled([waiting.id])).toHaveLength(1);
      });

      it("brings a withdrawn article back when it is released from the schedule", async () => {
        const article = at("2026-09-30T09:00:00+09:00", "back");
        await store.upsert([article]);
        await store.withdraw([article.id], NOW);
        const again = { ...article, published: parseRfc3339("2026-10-02T09:00:00+09:00") };
        await store.schedule([again]);
        expect(await store.tombstoneBySlug("en", "back")).not.toBeNull();
        await store.releaseDue(again.published.ms);
        expect(await store.tombstoneBySlug("en", "back")).toBeNull();
        expect(await withdrawalIds()).toEqual([]);
      });
    });

    describe("authors and tags", () => {
      /** An article of `lang` with these authors and tags, published `day` days into October 2026. */
      const termed = (lang: string, slug: string, day: number, authors: string[], tags: string[], extra: Partial<Article> = {}) =>
        makeArticle(
          { lang, section: "culture", slug, published: `2026-10-${String(day).padStart(2, "0")}T09:00:00+09:00`, story: extra.story },
          { authors: authors.map((name) => ({ name })), tags, ...extra },
        );
      const tag = (name: string) => `tag/${termKey(name)}`;
      const author = (name: string) => `author/${termKey(name)}`;
      const slugsOf = async (lang: string, term: string, extra: Partial<LatestQuery> = {}) =>
        (await store.latest({ lang, term, limit: 100, ...extra })).map((a) => a.slug);

      it("gives the articles of one author or tag in one language, newest first, as the key derived in code names them", async () => {
        await store.upsert([
          termed("en", "t-one", 1, ["Kang Min-seo"], ["AI", "Exports"]),
          termed("en", "t-two", 3, ["KANG MIN-SEO", "Émile Zola"], ["ai"]),
          termed("en", "t-three", 2, ["Lee Ha-eun"], ["Chips"]),
          termed("ko", "t-ko", 4, ["강민서"], ["인공지능", "AI"]),
          termed("ja", "t-ja", 5, ["山田 花子"], ["半導体", "東京/大阪"]),
        ]);
        // Names that differ in ASCII case or white space are one author or tag.
        expect(await slugsOf("en", tag("AI"))).toEqual(["t-two", "t-one"]);
        expect(await slugsOf("en", author("Kang Min-seo"))).toEqual(["t-two", "t-one"]);
        expect(await slugsOf("en", author("Émile Zola"))).toEqual(["t-two"]);
        expect(await slugsOf("en", author("émile zola"))).toEqual([]);
        // One language edition at a time; Hangul, kana, Han and a slash in a name.
        expect(await slugsOf("ko", tag("AI"))).toEqual(["t-ko"]);
        expect(await slugsOf("ko", tag("인공지능"))).toEqual(["t-ko"]);
        expect(await slugsOf("ko", author("강민서"))).toEqual(["t-ko"]);
        expect(await slugsOf("ja", author("山田 花子"))).toEqual(["t-ja"]);
        expect(await slugsOf("ja", tag("東京/大阪"))).toEqual(["t-ja"]);
        // An author and a tag of the same name are apart.
        expect(await slugsOf("en", author("AI"))).toEqual([]);
        expect(await slugsOf("en", tag("Kang Min-seo"))).toEqual([]);
        expect(await slugsOf("en", tag("nobody"))).toEqual([]);
        // Whole rows, as latest gives them.
        expect(await store.latest({ lang: "en", term: tag("Chips"), limit: 5 })).toEqual(
          await store.byIds([termed("en", "t-three", 2, [], []).id]),
        );
      });

      it("pages by cursor and by month, and finds the first article after an instant, within the term", async () => {
        await store.upsert([1, 2, 3, 4, 5].map((day) => termed("en", `p-${day}`, day, ["Writer"], day % 2 ? ["Odd"] : ["Even"])));
        const odd = await store.latest({ lang: "en", term: tag("Odd"), limit: 2 });
        expect(odd.map((a) => a.slug)).toEqual(["p-5", "p-3"]);
        expect(await slugsOf("en", tag("Odd"), { before: cursorAfter(odd[1]!) })).toEqual(["p-1"]);
        const day3 = Date.parse("2026-10-03T00:00:00Z");
        expect(await slugsOf("en", tag("Odd"), { since: day3 })).toEqual(["p-5", "p-3"]);
        expect(await store.firstPublishedSince("en", undefined, day3, tag("Even"))).toBe(Date.parse("2026-10-04T00:00:00Z"));
        expect(await store.firstPublishedSince("en", undefined, Date.parse("2026-10-05T00:00:00Z"), tag("Even"))).toBeNull();
      });

      it("has no feed for a name whose key is . or ..", async () => {
        await store.upsert([termed("en", "dots", 1, [".."], [".", "ok"])]);
        expect(await slugsOf("en", tag("."))).toEqual([]);
        expect(await slugsOf("en", author(".."))).toEqual([]);
        expect(await store.termFeedVersion("en", tag("."))).toBe(0);
        expect(await slugsOf("en", tag("ok"))).toEqual(["dots"]);
      });

      it("moves the versions of exactly the term feeds an article and the other editions of its story are in", async () => {
        const enArticle = termed("en", "v-en", 1, ["Kang Min-seo"], ["AI", "Exports"], { story: "v-story" });
        const koArticle = termed("ko", "v-ko", 1, ["강민서"], ["수출"], { story: "v-story" });
        const unrelated = termed("en", "v-other", 2, ["Lee Ha-eun"], ["Chips"]);
        expect(await store.termFeedVersion("en", tag("AI"))).toBe(0);
        await store.upsert([enArticle, koArticle, unrelated]);
        const terms: [string, string][] = [
          ["en", author("Kang Min-seo")],
          ["en", tag("AI")],
          ["en", tag("Exports")],
          ["ko", author("강민서")],
          ["ko", tag("수출")],
          ["en", author("Lee Ha-eun")],
          ["en", tag("Chips")],
          ["en", tag("Media")],
        ];
        const versions = async () => Promise.all(terms.map(([lang, term]) => store.termFeedVersion(lang, term)));
        const start = await versions();
        expect(start.slice(0, 7).every((v) => v > 0)).toBe(true);
        expect(start[7]).toBe(0);

        // Written again unchanged: nothing moves.
        await store.upsert([enArticle, koArticle, unrelated]);
        expect(await versions()).toEqual(start);

        // An edit of the English edition: its own feeds and the Korean edition's (whose items link it) move; the unrelated ones do not.
        await store.upsert([{ ...enArticle, title: "Edited" }]);
        const edited = await versions();
        for (const i of [0, 1, 2, 3, 4]) expect(edited[i], terms[i]!.join(" ")).toBeGreaterThan(start[i]!);
        expect(edited.slice(5)).toEqual(start.slice(5));

        // A tag taken off and another put on: both feeds move, and the article leaves the first.
        await store.upsert([{ ...enArticle, title: "Edited", tags: ["AI", "Media"] }]);
        const retagged = await versions();
        expect(retagged[2]).toBeGreaterThan(edited[2]!);
        expect(retagged[7]).toBeGreaterThan(0);
        expect(await slugsOf("en", tag("Exports"))).toEqual([]);
        expect(await slugsOf("en", tag("Media"))).toEqual(["v-en"]);
        expect(retagged.slice(5, 7)).toEqual(start.slice(5, 7));

        // Withdrawn: its feeds move and no longer hold it.
        await store.withdraw([enArticle.id], 1);
        const withdrawn = await versions();
        for (const i of [0, 1, 3, 7]) expect(withdrawn[i], terms[i]!.join(" ")).toBeGreaterThan(retagged[i]!);
        expect(await slugsOf("en", tag("AI"))).toEqual([]);
        expect(withdrawn.slice(5, 7)).toEqual(start.slice(5, 7));
      });

      it("keeps term feed versions apart from the languages' and sections' list", async () => {
        await store.upsert([termed("en", "apart", 1, ["Kang Min-seo"], ["AI"])]);
        expect((await store.feedVersions()).map((v) => v.section)).toEqual(["", "culture"]);
        expect(await store.termFeedVersions()).toEqual([
          { lang: "en", term: author("Kang Min-seo"), version: 1 },
          { lang: "en", term: tag("AI"), version: 1 },
        ]);
        await store.upsert([termed("en", "apart", 1, ["Kang Min-seo"], ["AI", "Space"])]);
        const after = await store.termFeedVersions();
        expect(after.map((v) => v.term)).toEqual([author("Kang Min-seo"), tag("AI"), tag("Space")]);
        expect(after[0]!.version).toBeGreaterThan(1);
        expect(after[1]!.version).toBeGreaterThan(1);
        expect(after[2]!.version).toBe(1);
      });
    });
  });
}
