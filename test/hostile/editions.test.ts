/**
 * Upstream feeds naming other editions, served over HTTP on 127.0.0.1. Before, an Atom entry whose
 * `hreflang` links named one of our article pages and a page of evil.example joined our story: our
 * English page, its JSON-LD `workTranslation` and our feeds linked to evil.example. Now the newsroom's
 * stories are joined only by the newsroom's own links, an upstream article joins another edition only
 * through a link to its own site or links both ways, and every refused join is in the run report (and in
 * the push API's answer when a push meets one).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Site, SourceSettings } from "../../src/config/site.ts";
import { createApp } from "../../src/http/app.ts";
import { itemId } from "../../src/ingest/normalize.ts";
import { runIngest } from "../../src/ingest/run.ts";
import type { Edition } from "../../src/model/article.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { feedSource, ingestDeps, INGEST_NOW, memoryLogger, SITE_URL, testSite } from "../helpers.ts";
import { hostileApp, TOKEN } from "./support.ts";

/** Our English edition of the story "assembly-budget-vote" (en, ja, ko; no zh-Hans). */
const OUR_EN = `${SITE_URL}/en/articles/assembly-passes-heatwave-budget`;
const OUR_STORY = "assembly-budget-vote";

/** One Atom entry in `lang` at `url`, naming other editions as `hreflang` alternates. */
function atomEntry(id: string, lang: string, url: string, editions: [string, string][]) {
  const links = editions.map(([hreflang, href]) => `<link rel="alternate" hreflang="${hreflang}" href="${href}"/>`).join("");
  return (
    `<entry xml:lang="${lang}"><id>${id}</id><title>Entry ${id}</title>` +
    `<published>2026-11-19T09:00:00+09:00</published><updated>2026-11-19T09:00:00+09:00</updated>` +
    `<link rel="alternate" href="${url}"/>${links}<content type="html">&lt;p&gt;Body of ${id}&lt;/p&gt;</content></entry>`
  );
}

const atomFeed = (entries: string) =>
  `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Upstream</title>` +
  `<id>urn:upstream</id><updated>2026-11-19T00:00:00Z</updated>${entries}</feed>`;

/** What the upstream server answers, by path. */
const FEEDS: Record<string, string> = {
  // The hostile entry: our English page and a page of its own site, as its other editions.
  "/evil.xml": atomFeed(
    atomEntry("urn:evil:budget", "zh-Hans", "https://evil.example/zh/budget", [
      ["en", OUR_EN],
      ["ko", "https://evil.example/ko/budget"],
    ]),
  ),
  // A publisher's English feed naming its Korean edition on the same site, and the Korean feed.
  "/wire-en.xml": atomFeed(atomEntry("urn:wire:1:en", "en", "https://wire.example/en/1", [["ko", "https://wire.example/ko/1"]])),
  "/wire-ko.xml": atomFeed(atomEntry("urn:wire:1:ko", "ko", "https://wire.example/ko/1", [])),
  // Two sites naming each other, and one naming a site that does not name it back.
  "/a-en.xml": atomFeed(
    atomEntry("urn:a:2", "en", "https://a.example/en/2", [["ko", "https://b.example/ko/2"]]) +
      atomEntry("urn:a:3", "en", "https://a.example/en/3", [["ko", "https://b.example/ko/3"]]),
  ),
  "/b-ko.xml": atomFeed(
    atomEntry("urn:b:2", "ko", "https://b.example/ko/2", [["en", "https://a.example/en/2"]]) +
      atomEntry("urn:b:3", "ko", "https://b.example/ko/3", []),
  ),
  // An upstream naming a partner's page before the partner pushes it.
  "/claims-push.xml": atomFeed(atomEntry("urn:claim:9", "ja", "https://evil.example/ja/p-9", [["en", "https://partner.example/en/p-9"]])),
};

let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const body = FEEDS[request.url ?? ""];
    if (body === undefined) {
      response.writeHead(404, { "Content-Type": "text/plain" }).end("not here");
      return;
    }
    response.writeHead(200, { "Content-Type": "application/atom+xml; charset=utf-8" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const source = (id: string, lang: string): SourceSettings => feedSource(id, `${origin}/${id}.xml`, { lang });

/** A site reading these sources (and the content folder unless `content` is false), and one run. */
function run(store: ArticleStore, sources: SourceSettings[], content = true, site: Site = testSite()) {
  site.settings.sources = sources;
  const extra = { fetch, now: () => INGEST_NOW, logger: memoryLogger(), ...(content ? {} : { content: undefined }) };
  return runIngest(ingestDeps(store, site, undefined, extra));
}

const byLang = (editions: Edition[]) => [...editions].sort((a, b) => (a.lang < b.lang ? -1 : 1)).map((e) => `${e.lang} ${e.url}`);
const upstreamId = (sourceId: string, key: string) => itemId(testSite().settings, `feed:${sourceId}`, key);

/** Our story's feeds and pages, as readers get them over the app, none of which may name evil.example. */
async function expectOursClean(store: ArticleStore) {
  const site = testSite();
  const app = createApp({ store, site, logger: memoryLogger(), now: () => INGEST_NOW });
  const editions = await store.editions([OUR_STORY]);
  for (const edition of editions) {
    const path = new URL(edition.url).pathname;
    const page = await (await app.request(path)).text();
    expect(page, path).toContain(edition.title.replace(/&/g, "&amp;").slice(0, 10));
    expect(page, path).not.toContain("evil.example");
    const [, jsonLd] = /<script type="application\/ld\+json">([^<]*)<\/script>/.exec(page) ?? [];
    const data = JSON.parse(jsonLd!) as { workTranslation: { url: string; inLanguage: string }[] };
    expect(data.workTranslation.map((t) => t.inLanguage).sort(), path).toEqual(
      editions
        .filter((e) => e !== edition)
        .map((e) => e.lang)
        .sort(),
    );
    for (const feed of ["rss.xml", "atom.xml", "feed.json", "politics/rss.xml", "politics/atom.xml", "politics/feed.json"]) {
      const response = await app.request(`/${edition.lang}/${feed}`);
      expect(response.status, `${edition.lang}/${feed}`).toBe(200);
      expect(await response.text(), `${edition.lang}/${feed}`).not.toContain("evil.example");
    }
  }
}

describe("an upstream entry naming one of our pages as its other edition", () => {
  it("does not join our story when it arrives after our article, and the run report names the refused join", async () => {
    const store = openSqliteStore(":memory:");
    await run(store, []);
    const before = byLang(await store.editions([OUR_STORY]));
    expect(before.map((e) => e.split(" ")[0])).toEqual(["en", "ja", "ko"]);

    const report = await run(store, [source("evil", "zh-Hans")]);
    expect(report.sources.find((s) => s.source === "evil")).toMatchObject({ status: "fetched", new: 1 });
    expect(report.conflicts).toEqual([
      `edition link refused: https://evil.example/zh/budget (feed:evil) names ${OUR_EN} (content/en/politics/assembly-passes-heatwave-budget.md), ` +
        "but an upstream's links alone never join a newsroom article; left apart",
    ]);
    expect(byLang(await store.editions([OUR_STORY]))).toEqual(before);
    const [evil] = await store.byIds([upstreamId("evil", "urn:evil:budget")]);
    expect(evil?.story).not.toBe(OUR_STORY);
    await expectOursClean(store);
    await store.close();
  });

  it("does not join our story when it arrives first and our article later", async () => {
    const store = openSqliteStore(":memory:");
    const early = await run(store, [source("evil", "zh-Hans")], false);
    expect(early.conflicts).toEqual([]);
    const report = await run(store, []);
    expect(report.sources[0]).toMatchObject({ source: "content", new: 56 });
    expect(report.conflicts).toHaveLength(1);
    expect(report.conflicts[0]).toContain(`https://evil.example/zh/budget (feed:evil) names ${OUR_EN}`);
    expect(byLang(await store.editions([OUR_STORY])).map((e) => e.split(" ")[0])).toEqual(["en", "ja", "ko"]);
    await expectOursClean(store);
    await store.close();
  });
});

describe("upstream editions that are trusted", () => {
  it("joins an entry naming its other edition on its own site, in either order of the feeds", async () => {
    for (const order of [
      ["wire-en", "wire-ko"],
      ["wire-ko", "wire-en"],
    ]) {
      const store = openSqliteStore(":memory:");
      for (const id of order) await run(store, [source(id, id.slice(-2))], false);
      const [en] = await store.byIds([upstreamId("wire-en", "urn:wire:1:en")]);
      expect(byLang(await store.editions([en!.story])), order.join(" then ")).toEqual([
        "en https://wire.example/en/1",
        "ko https://wire.example/ko/1",
      ]);
      // The English page shows its Korean edition.
      const app = createApp({ store, site: testSite(), logger: memoryLogger(), now: () => INGEST_NOW });
      const page = await (await app.request(`/en/articles/${en!.slug}`)).text();
      expect(page).toContain('<link rel="alternate" hreflang="ko" href="https://wire.example/ko/1">');
      await store.close();
    }
  });

  it("joins entries of two sites that name each other, and refuses one that is not named back, saying so", async () => {
    const store = openSqliteStore(":memory:");
    const report = await run(store, [source("a-en", "en"), source("b-ko", "ko")], false);
    const [a2, a3] = await store.byIds([upstreamId("a-en", "urn:a:2"), upstreamId("a-en", "urn:a:3")].sort());
    const two = [a2, a3].find((a) => a!.url.endsWith("/2"))!;
    const three = [a2, a3].find((a) => a!.url.endsWith("/3"))!;
    expect(byLang(await store.editions([two.story]))).toEqual(["en https://a.example/en/2", "ko https://b.example/ko/2"]);
    expect(byLang(await store.editions([three.story]))).toEqual(["en https://a.example/en/3"]);
    expect(report.joined).toBe(1);
    expect(report.conflicts).toEqual([
      "edition link refused: https://a.example/en/3 (feed:a-en) names https://b.example/ko/3 (feed:b-ko), " +
        "but it is on another site, which does not name it back; left apart",
    ]);
    await store.close();
  });
});

describe("a push meeting an upstream's claim on it", () => {
  it("is not joined to the upstream entry, and the answer names the refused join", async () => {
    const { app, store, site } = hostileApp();
    await run(store, [source("claims-push", "ja")], false, site);
    const response = await app.request("/api/articles", {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        id: "p-9",
        url: "https://partner.example/en/p-9",
        title: "Pushed story",
        content_html: "<p>Pushed</p>",
        date_published: "2026-11-19T09:00:00+09:00",
        language: "en",
        section: "politics",
      }),
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { conflicts: string[] };
    expect(answer.conflicts).toEqual([
      "edition link refused: https://evil.example/ja/p-9 (feed:claims-push) names https://partner.example/en/p-9 (push), " +
        "but an upstream's links alone never join a newsroom article; left apart",
    ]);
    const [pushed] = await store.byIds([itemId(site.settings, "push", "p-9")]);
    expect((await store.editions([pushed!.story])).map((e) => e.lang)).toEqual(["en"]);
    await store.close();
  });
});
