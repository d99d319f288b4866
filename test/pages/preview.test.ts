/** The feed preview page, built from the sample edition's real feeds and checked as text. */
import { afterAll, describe, expect, it } from "vitest";
import type { LanguageSettings, Site } from "../../src/config/site.ts";
import { buildFeed, readFeed } from "../../src/feeds/build.ts";
import { RULES } from "../../src/feeds/destinations.ts";
import { FORMAT_NAMES, FORMATS } from "../../src/feeds/formats.ts";
import type { FeedFormat, FeedModel } from "../../src/feeds/model.ts";
import { parseRfc3339 } from "../../src/model/time.ts";
import { feedPreviewPage } from "../../src/pages/preview.ts";
import { loadedStore } from "../helpers.ts";

const { store, site } = await loadedStore();
afterAll(() => store.close());

const language = (tag: string) => site.settings.languages.find((l) => l.tag === tag)!;
const languageName = (tag: string) => language(tag).name;

/** HTML text escaping written out here, independently of the code under test. */
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The instant shown on the newsroom's clocks (UTC+9, no daylight saving), as RFC 3339. */
const kst = (ms: number) => `${new Date(ms + 9 * 3600_000).toISOString().slice(0, 19)}+09:00`;

const VOID = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);

/**
 * What is wrong with the page's markup: a close tag that does not match the open one, an element left
 * open, or a `<` that starts no tag (text that escaped escaping). Empty for a well-formed page.
 */
function markupProblems(html: string): string[] {
  const problems: string[] = [];
  if (!html.startsWith("<!doctype html>\n")) problems.push("no doctype first");
  const rest = html.slice("<!doctype html>".length).replace(/<style>[^<]*<\/style>/, "<style></style>");
  const stack: string[] = [];
  let tags = 0;
  for (const [, close, name] of rest.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?>/g)) {
    tags++;
    const tag = name!.toLowerCase();
    if (VOID.has(tag)) {
      if (close) problems.push(`</${tag}> closes a void element`);
    } else if (!close) {
      stack.push(tag);
    } else if (stack.pop() !== tag) {
      problems.push(`</${tag}> does not close the open element`);
    }
  }
  if (stack.length) problems.push(`left open: ${stack.join(", ")}`);
  const angles = rest.split("<").length - 1;
  if (angles !== tags) problems.push(`${angles - tags} "<" start no tag`);
  return problems;
}

interface Case {
  name: string;
  model: FeedModel;
  format: FeedFormat;
  language: LanguageSettings;
  section?: string;
  subscribe: string;
}

const ko = language("ko");
const en = language("en");
const koPolitics = ko.sections.find((s) => s.slug === "politics")!;
const CASES: Case[] = [
  {
    name: "the English feed as RSS",
    model: await readFeed(store, site, { language: en }),
    format: "rss",
    language: en,
    subscribe: "How to subscribe",
  },
  {
    name: "the Korean feed as Atom",
    model: await readFeed(store, site, { language: ko }),
    format: "atom",
    language: ko,
    subscribe: "구독하는 방법",
  },
  {
    name: "the Korean politics feed as JSON Feed",
    model: await readFeed(store, site, { language: ko, section: koPolitics }),
    format: "json",
    language: ko,
    section: koPolitics.name,
    subscribe: "구독하는 방법",
  },
];

describe.each(CASES)("preview of $name", ({ model, format, language: lang, section, subscribe }) => {
  const html = feedPreviewPage(site, model, format);

  it("is a well-formed page in the feed's language, with no script", () => {
    expect(markupProblems(html)).toEqual([]);
    expect(html).toContain(`<html lang="${lang.tag}">`);
    expect(html).not.toMatch(/<script|\son[a-z]+=|javascript:/i);
  });

  it("names the feed, its language and, for a section feed, its section", () => {
    expect(html).toContain(`<title>${esc(model.title)} (${FORMATS[format].label})</title>`);
    expect(html).toContain(`<h1>${esc(model.title)}</h1>`);
    expect(html).toContain(`<p>${esc(model.description)}</p>`);
    const facts = /<p class="facts">(.*)<\/p>/.exec(html)?.[1] ?? "";
    expect(facts).toContain(`<span lang="${lang.tag}">${esc(lang.name)}</span>`);
    if (section) expect(facts).toContain(`>${esc(section)}</a>`);
    else for (const s of lang.sections) expect(facts).not.toContain(esc(s.name));
  });

  it("shows how to subscribe, in the page's language, with the feed's address", () => {
    expect(html).toContain(`<h2 id="subscribe-heading">${subscribe}</h2>`);
    expect(html).toContain(`<input id="feed-address" type="url" readonly value="${model.links[format]}">`);
  });

  it("links the feed in its other formats and languages", () => {
    for (const f of FORMAT_NAMES.filter((f) => f !== format)) {
      expect(html).toContain(`<a href="${model.links[f]}" type="${FORMATS[f].contentType.split(";")[0]}">${FORMATS[f].label}</a>`);
    }
    expect(model.alternates.length).toBeGreaterThan(0);
    for (const alternate of model.alternates) {
      expect(html).toContain(
        `<a href="${alternate.links[format]}" hreflang="${alternate.lang}" lang="${alternate.lang}" title="${esc(alternate.title)}">${esc(languageName(alternate.lang))}</a>`,
      );
    }
  });

  it("lets readers discover this feed, in this format first", () => {
    const discovered = [...html.matchAll(/<link rel="alternate" type="([^"]+)" hreflang="([^"]+)" title="[^"]*" href="([^"]+)">/g)];
    expect(discovered[0]!.slice(1)).toEqual([FORMATS[format].contentType.split(";")[0], lang.tag, model.links[format]]);
    const hrefs = discovered.map((m) => m[3]);
    for (const f of FORMAT_NAMES) expect(hrefs).toContain(model.links[f]);
    for (const alternate of model.alternates) expect(hrefs).toContain(alternate.links[format]);
  });

  it("lists every item: title linked to the article, posted time in KST, summary, other editions", () => {
    expect(model.items.length).toBeGreaterThan(0);
    expect(html.match(/<time datetime=/g)).toHaveLength(model.items.length);
    for (const item of model.items) {
      expect(html).toContain(`<h3><a href="${esc(item.url)}">${esc(item.title)}</a></h3>`);
      expect(html).toMatch(new RegExp(`<time datetime="${kst(item.published.ms).replace("+", "\\+")}">[^<]+ KST</time>`));
      expect(html).toContain(`<p>${esc(item.summary)}</p>`);
      for (const edition of item.editions) {
        expect(html).toContain(
          `<a href="${esc(edition.url)}" hreflang="${edition.lang}" lang="${edition.lang}" title="${esc(edition.title)}">${esc(languageName(edition.lang))}</a>`,
        );
      }
    }
    for (const [, datetime] of html.matchAll(/<time datetime="([^"]+)">/g)) expect(datetime).toMatch(/\+09:00$/);
  });

  it("links the older articles in the same format", () => {
    const older = model.history.prevArchive;
    expect(older).toBeDefined();
    expect(html).toContain(`<a href="${older![format]}" rel="prev">`);
  });
});

describe("feed preview", () => {
  const enModel = CASES[0]!.model;

  it("escapes a title and summary holding < & and quotes (story startup-rnd-fund)", () => {
    const item = enModel.items.find((i) => i.url.endsWith("/en/articles/rnd-fund-deep-tech-loans"))!;
    expect(item.title).toBe('R&D fund offers loans at < 1% to "deep tech" startups');
    const html = feedPreviewPage(site, enModel, "rss");
    expect(html).toContain(">R&amp;D fund offers loans at &lt; 1% to &quot;deep tech&quot; startups</a>");
    expect(html).toContain("rates &lt; 1%, the SME ministry said");
    expect(html).not.toContain("at < 1%");
    expect(html).not.toContain('"deep tech"');
  });

  it("shows dates the English and the Korean way", () => {
    expect(feedPreviewPage(site, enModel, "rss")).toContain(
      '<time datetime="2026-11-10T10:00:00+09:00">November 10, 2026 10:00 KST</time>',
    );
    expect(feedPreviewPage(site, CASES[1]!.model, "atom")).toContain(
      '<time datetime="2026-11-10T08:30:00+09:00">2026-11-10 08:30 KST</time>',
    );
  });

  it("shows a time written in another offset on the newsroom's clocks", () => {
    const [first] = enModel.items;
    const model = { ...enModel, items: [{ ...first!, published: parseRfc3339("2026-11-09T20:30:00-05:00") }] };
    expect(feedPreviewPage(site, model, "rss")).toContain('<time datetime="2026-11-10T10:30:00+09:00">November 10, 2026 10:30 KST</time>');
  });

  it("speaks Japanese and Chinese on those feeds", async () => {
    const ja = await readFeed(store, site, { language: language("ja") });
    const zh = await readFeed(store, site, { language: language("zh-Hans") });
    expect(feedPreviewPage(site, ja, "rss")).toContain("購読のしかた");
    expect(feedPreviewPage(site, zh, "rss")).toContain("如何订阅");
  });

  it("falls back to English words for a language without its own, and says when a feed is empty", () => {
    const de: LanguageSettings = { tag: "de", name: "Deutsch", title: "Hanbit Tageszeitung", description: "Nachrichten", sections: [] };
    const withGerman: Site = { ...site, settings: { ...site.settings, languages: [...site.settings.languages, de] } };
    const html = feedPreviewPage(withGerman, buildFeed(withGerman, { language: de }, [], []), "atom");
    expect(html).toContain('<html lang="de">');
    expect(html).toContain("How to subscribe");
    expect(html).toContain("No articles yet.");
    expect(html).not.toContain('rel="prev"');
    expect(markupProblems(html)).toEqual([]);
  });

  it("offers an archive's subscription document to subscribe to, and links its neighbouring months", async () => {
    const archive = await readFeed(store, site, { language: en, archive: "2026-10" });
    expect(archive.items.length).toBeGreaterThan(0);
    const html = feedPreviewPage(site, archive, "json");
    expect(html).toContain('readonly value="https://news.example/en/feed.json"');
    expect(html).toContain('<a href="https://news.example/en/archive/2026-11/feed.json" rel="next">');
    expect(html).toContain(`<a href="${archive.history.prevArchive!.json}" rel="prev">`);
    for (const item of archive.items) expect(html).toContain(`<h3><a href="${esc(item.url)}">`);
    expect(markupProblems(html)).toEqual([]);
  });
});

describe("the Destinations panel", () => {
  const VERDICTS: Record<string, [string, string]> = {
    en: ["Met", "Not met"],
    ko: ["충족", "미충족"],
    ja: ["適合", "不適合"],
    zh: ["符合", "不符合"],
  };
  const HEADINGS: Record<string, string> = { en: "Destinations", ko: "배포처", ja: "配信先", zh: "分发平台" };

  /** The panel's markup: each destination's name and its rule lines (class, aspect, verdict, sentence, source). */
  function panel(html: string) {
    const section = /<section class="destinations"[^>]*>([\s\S]*?)<\/section>/.exec(html)?.[1] ?? "";
    return {
      heading: /<h2 id="destinations-heading">([^<]*)<\/h2>/.exec(section)?.[1],
      destinations: [...section.matchAll(/<h3 id="destination-([a-z-]+)" lang="en">([^<]*)<\/h3>\n<ul[^>]*>\n([\s\S]*?)\n<\/ul>/g)].map(
        ([, id, name, list]) => ({
          id,
          name,
          rules: [
            ...list!.matchAll(
              /<li class="(met|not-met)" data-aspect="([a-zA-Z]+)"><strong class="verdict">([^<]*)<\/strong> ([^<]*)(?:<span[^>]*>[^<]*<\/span> )?<a href="([^"]+)">/g,
            ),
          ].map(([, cls, aspect, verdict, sentence, source]) => ({ cls, aspect, verdict, sentence: sentence!.trim(), source })),
        }),
      ),
    };
  }

  it.each(["en", "ko", "ja", "zh-Hans"])("shows every destination and each of its measured rules as met or not met, in %s", async (tag) => {
    const model = await readFeed(store, site, { language: language(tag) });
    const html = feedPreviewPage(site, model, "atom");
    const words = tag.split("-")[0]!;
    const shown = panel(html);
    expect(shown.heading).toBe(HEADINGS[words]);
    expect(shown.destinations.map((d) => d.name)).toEqual(["Google News", "Microsoft Start (MSN)", "Flipboard", "SmartNews"]);
    for (const destination of shown.destinations) {
      const rules = RULES.filter((r) => r.destination === destination.id && r.check !== null);
      expect(destination.rules.map((r) => r.aspect)).toEqual(rules.map((r) => r.aspect));
      expect(destination.rules.map((r) => r.source)).toEqual(rules.map((r) => r.source.url));
      for (const rule of destination.rules) {
        expect(rule.verdict).toBe(VERDICTS[words]![rule.cls === "met" ? 0 : 1]);
        expect(rule.sentence).toMatch(/\d/);
      }
    }
    expect(markupProblems(html)).toEqual([]);
  });

  it("counts what the English feed holds, as the editor would count it", () => {
    const model = CASES[0]!.model;
    const shown = panel(feedPreviewPage(site, model, "rss"));
    const rule = (id: string, aspect: string) => shown.destinations.find((d) => d.id === id)!.rules.find((r) => r.aspect === aspect)!;
    const count = model.items.length;
    expect(count).toBeLessThan(30);
    expect(rule("flipboard", "items")).toMatchObject({ cls: "not-met", sentence: `The feed holds ${count} items (at least 30)` });
    expect(rule("google-news", "items")).toMatchObject({ cls: "met", sentence: `The feed holds ${count} items (at most 60)` });
    const withImage = model.items.filter((i) => i.image).length;
    expect(withImage).toBeGreaterThan(0);
    expect(withImage).toBeLessThan(count);
    expect(rule("microsoft-start", "image")).toMatchObject({ cls: "not-met", sentence: `${withImage} of ${count} items have an image` });
    const rss = new TextEncoder().encode(FORMATS.rss.render(model)).length;
    expect(rule("smartnews", "documentSize")).toMatchObject({
      cls: "met",
      sentence: `The RSS document is ${Math.round(rss / 1000)} KB (at most 1 MB)`,
    });
    const links = 1 + count + withImage;
    expect(rule("microsoft-start", "https")).toMatchObject({
      cls: "met",
      sentence: `${links} of ${links} addresses (the feed, its links and images) are HTTPS`,
    });
  });

  it("names what a destination publishes no figure for", () => {
    const html = feedPreviewPage(site, CASES[1]!.model, "atom");
    expect(html).toContain('<p class="unpublished">공개된 기준을 찾지 못한 항목: 제목 길이, 문서 크기, HTTPS 링크</p>');
    expect(feedPreviewPage(site, CASES[0]!.model, "rss")).toContain(
      '<p class="unpublished">No published figure found for: item count, image size, title length, full text</p>',
    );
  });

  it("meets a rule when every item passes it, and marks recommended rules", () => {
    const base = CASES[0]!.model;
    const big = { url: "https://news.example/media/big.jpg", type: "image/jpeg", length: 90_000, width: 1600, height: 900, alt: "" };
    const model = { ...base, items: base.items.map((i) => ({ ...i, image: big })) };
    const shown = panel(feedPreviewPage(site, model, "rss"));
    const google = shown.destinations.find((d) => d.id === "google-news")!.rules.find((r) => r.aspect === "imageSize")!;
    expect(google).toMatchObject({
      cls: "met",
      sentence: `${model.items.length} of ${model.items.length} items have an image at least 800 px on its shorter side`,
    });
    expect(feedPreviewPage(site, model, "rss")).toMatch(
      /<li class="met" data-aspect="imageSize"><strong class="verdict">Met<\/strong> [^<]+ <span class="level">\(recommended\)<\/span> <a href="https:\/\/support\.google\.com\/news\/producer\/answer\/4304250">source<\/a><\/li>/,
    );
  });

  it("says an empty feed meets no per-item rule", () => {
    const de: LanguageSettings = { tag: "de", name: "Deutsch", title: "Hanbit Tageszeitung", description: "Nachrichten", sections: [] };
    const withGerman: Site = { ...site, settings: { ...site.settings, languages: [...site.settings.languages, de] } };
    const shown = panel(feedPreviewPage(withGerman, buildFeed(withGerman, { language: de }, [], []), "rss"));
    const flipboard = shown.destinations.find((d) => d.id === "flipboard")!.rules;
    expect(flipboard.find((r) => r.aspect === "fullText")).toMatchObject({
      cls: "not-met",
      sentence: "0 of 0 items carry the full text, not only a summary",
    });
  });
});
