/**
 * Feeds and pages as the world publishes them: each pattern that used to lose articles has its own
 * fixture under test/fixtures/realworld/ (each names its pattern in a comment), read by the real
 * parsers and ingested into a real SQLite store the way `npm run ingest -- --source <file>` does.
 */
import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Parser from "rss-parser";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterEach, describe, expect, it } from "vitest";
import { readFeed } from "../../src/feeds/build.ts";
import { renderAtom } from "../../src/feeds/atom.ts";
import { renderJsonFeed } from "../../src/feeds/json-feed.ts";
import { renderRss } from "../../src/feeds/rss.ts";
import { parseUpstream } from "../../src/ingest/formats/detect.ts";
import type { IncomingItem, ParsedDocument } from "../../src/ingest/incoming.ts";
import { decodeLocalDocument } from "../../src/ingest/local-document.ts";
import { normalizeItem, type ItemSource } from "../../src/ingest/normalize.ts";
import { deriveTitle } from "../../src/ingest/normalize-text.ts";
import { summary } from "../../src/ingest/report.ts";
import { runIngest } from "../../src/ingest/run.ts";
import type { Article } from "../../src/model/article.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { children, NS, only, parseXml, q } from "../feeds/xml-dom.ts";
import { INGEST_NOW, ingestDeps, testSite } from "../helpers.ts";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "realworld");
const bytes = (name: string) => readFileSync(join(FIXTURES, name));
const fixture = (name: string) => decodeLocalDocument(bytes(name)).text;
const documentUrl = (name: string) => `https://fixtures.example/realworld/${name}`;

function parse(name: string): ParsedDocument {
  return parseUpstream(fixture(name), "", documentUrl(name));
}

function itemsOf(name: string): IncomingItem[] {
  const document = parse(name);
  if (document.kind === "feed") return document.items.map((item) => ({ ...item, lang: item.lang ?? document.lang }));
  if (document.kind === "article-page") return [document.item];
  throw new Error(`${name}: a sitemap`);
}

const site = testSite();
const SOURCE: ItemSource = { name: "feed:fixture", lang: "en", section: "politics", sections: {}, timezone: "Asia/Seoul" };

/** Each item of a fixture normalized as the commit does it. */
function normalized(name: string) {
  return itemsOf(name).map((item) => normalizeItem(item, SOURCE, site.settings, site.siteUrl, INGEST_NOW));
}

function article(name: string, index = 0): Article {
  const result = normalized(name)[index]!;
  if (!result.ok) throw new Error(`${name} item ${index + 1} refused: ${result.reason}`);
  return result.article;
}

const stores: ArticleStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

/** Ingests a fixture as one document (the CLI's --source path) into a fresh store: the source's report and its articles. */
async function ingest(name: string, text = fixture(name), store = openSqliteStore(":memory:"), now = INGEST_NOW) {
  if (!stores.includes(store)) stores.push(store);
  const deps = ingestDeps(store, site, undefined, { content: undefined, now: () => now });
  const run = await runIngest(deps, { document: { url: documentUrl(name), text, lang: "en", section: "politics" } });
  const report = run.sources[0]!;
  const ids = (await store.fromSource("feed:")).map((a) => a.id);
  const articles = await store.byIds(ids);
  return { store, report, run, articles: articles.sort((a, b) => b.published.ms - a.published.ms) };
}

describe("1. a headline with a link and no body is an article", () => {
  it("is kept with an empty body and no invented summary; one with neither body nor link is refused, saying why", async () => {
    const { report, articles, run } = await ingest("headline-only.xml");
    expect(articles.map((a) => [a.title, a.url, a.contentHtml, a.summary])).toEqual([
      ["Council agrees budget after late-night session", "https://www.lakeside-courier.example/politics/2026/11/19/council-budget", "", ""],
      ["Mayor names new transport chief", "https://www.lakeside-courier.example/politics/2026/11/19/transport-chief", "", ""],
    ]);
    expect(articles[0]!.published.iso).toBe("2026-11-19T07:40:00+00:00");
    expect(report.rejected.map((r) => r.reason)).toEqual([
      expect.stringMatching(/: item courier-politics-20261119-0003: item has a title but neither a body nor a link to its article$/),
    ]);
    expect(report.fallbacks).toEqual({ noBody: 2, derivedTitle: 0, linkFromGuid: 0 });
    expect(summary(run)[0]).toMatchObject({ new: 2, rejected: 1, fallbacks: "noBody 2" });
  });

  it("renders with no summary: in RSS a title alone, in Atom and JSON Feed one paragraph linking the headline as content, all valid", async () => {
    const { store } = await ingest("headline-only.xml");
    const model = await readFeed(store, site, { language: site.settings.languages.find((l) => l.tag === "en")! });
    const titles = ["Council agrees budget after late-night session", "Mayor names new transport chief"];
    const links = model.items.map((i) => `<p><a href="${i.url}">${i.title}</a></p>`);
    expect(model.items.map((i) => i.title)).toEqual(titles);

    const rss = renderRss(model);
    const rssItems = children(only(parseXml(rss), q("", "channel")), q("", "item"));
    expect(rssItems.map((i) => only(i, q("", "title")).text)).toEqual(titles);
    // A title is enough in RSS; content:encoded without a description would draw a validator warning.
    for (const item of rssItems) {
      expect(children(item, q("", "description"))).toEqual([]);
      expect(children(item, q(NS.content, "encoded"))).toEqual([]);
    }
    const read = await new Parser().parseString(rss);
    expect(read.items.map((i) => [i.title, i.link])).toEqual(model.items.map((i) => [i.title, i.url]));

    const entries = children(parseXml(renderAtom(model)), q(NS.atom, "entry"));
    expect(entries).toHaveLength(2);
    // Textual content, which the W3C validator asks of every entry; still no invented summary.
    expect(entries.map((e) => only(e, q(NS.atom, "content")).text)).toEqual(links);
    for (const entry of entries) expect(children(entry, q(NS.atom, "summary"))).toEqual([]);

    const json = JSON.parse(renderJsonFeed(model));
    const validate = jsonFeedSchema();
    expect(validate(json) ? [] : validate.errors).toEqual([]);
    expect(json.items.map((i: Record<string, unknown>) => [i.title, i.content_html, "summary" in i])).toEqual([
      [titles[0], links[0], false],
      [titles[1], links[1], false],
    ]);
  });

  it("reading the same headline again is no update; its full text arriving later is one (updated moves, published stays)", async () => {
    const first = await ingest("headline-only.xml");
    const again = await ingest("headline-only.xml", undefined, first.store, INGEST_NOW + 3_600_000);
    expect(again.report).toMatchObject({ new: 0, updated: 0, unchanged: 2 });

    const withBody = fixture("headline-only.xml").replace(
      '<guid isPermaLink="false">courier-politics-20261119-0001</guid>',
      '<guid isPermaLink="false">courier-politics-20261119-0001</guid><description>&lt;p&gt;The council voted 31 to 20.&lt;/p&gt;</description>',
    );
    const later = INGEST_NOW + 7_200_000;
    const full = await ingest("headline-only.xml", withBody, first.store, later);
    expect(full.report).toMatchObject({ new: 0, updated: 1, unchanged: 1 });
    expect(full.report.fallbacks).toEqual({ noBody: 1, derivedTitle: 0, linkFromGuid: 0 });
    const [before] = first.articles;
    const [after] = full.articles;
    expect(after!.contentHtml).toBe("<p>The council voted 31 to 20.</p>");
    expect(after!.summary).toBe("The council voted 31 to 20.");
    expect(after!.published).toEqual(before!.published);
    expect(after!.updated.ms).toBe(later);
  });
});

describe("2. a body in an element that used to go unread", () => {
  it("Atom: a plain-text summary is the body, escaped, its paragraphs kept", () => {
    const a = article("atom-summary-text.xml");
    expect(a.title).toBe("Tide tables & the harbour wall");
    expect(a.contentHtml).toBe(
      "<p>High water came between 6 &amp; 7 pm, when the tables said &lt;b&gt;7&lt;/b&gt;.</p>\n<p>The wall held.</p>",
    );
    expect(a.summary).toBe("High water came between 6 & 7 pm, when the tables said <b>7</b>. The wall held.");
  });

  it("RSS 1.0: dc:description, as text or as escaped HTML", () => {
    expect(article("rss1-dc-description.rdf", 0).contentHtml).toBe(
      "<p>Winters with full ice cover fell from nine in ten to four in ten.</p>",
    );
    expect(article("rss1-dc-description.rdf", 1).contentHtml).toBe("<p>Cores show <em>two</em> flood layers.</p>");
  });

  it("Media RSS: the media:description in a media:group, plain text in paragraphs", () => {
    const a = article("media-group.xml");
    expect(a.contentHtml).toBe("<p>Waves over the wall at high tide.</p>\n<p>Filmed from the lifeboat station.</p>");
    expect(a.image?.url).toBe("https://img.video.example/vi/abc123/hq.jpg");
  });

  it("RSS: a description holding raw markup keeps it, in document order", () => {
    expect(article("description-raw-markup.xml").contentHtml).toBe(
      "<p>From <b>December</b> the stalls move into the hall.</p><p>Parking stays free &amp; open.</p>",
    );
  });

  it("a podcast: itunes:summary, and the enclosure's guid as the link (counted as a fallback)", async () => {
    const { articles, report } = await ingest("podcast-itunes-summary.xml");
    expect(articles.map((a) => [a.contentHtml, a.url])).toEqual([
      ["<p>Why the vote was close, and what changes in spring.</p>", "https://townhall.example/audio/ep12.mp3"],
    ]);
    expect(report.fallbacks).toEqual({ noBody: 0, derivedTitle: 0, linkFromGuid: 1 });
  });
});

describe("3. a link in another place", () => {
  it("RSS: atom:link rel=alternate (its own language, not another edition's), .NET's a10:link, a permalink guid", async () => {
    const { articles, report } = await ingest("rss-links-elsewhere.xml");
    expect(articles.map((a) => [a.title, a.url])).toEqual([
      ["New tide gauge online", "https://harbour.example/notices/103"],
      ["Pontoon C closed for repairs", "https://harbour.example/notices/102"],
      ["Dredging starts in the east basin", "https://harbour.example/notices/101"],
    ]);
    expect(report.fallbacks).toEqual({ noBody: 0, derivedTitle: 0, linkFromGuid: 1 });
    expect(itemsOf("rss-links-elsewhere.xml")[1]!.editions).toEqual([{ url: "https://harbour.example/de/hinweise/102", lang: "de" }]);
  });

  it("Atom: a link without rel, and an entry whose only page link is rel=related", () => {
    expect(article("atom-links-elsewhere.xml", 0).url).toBe("https://lights.example/lenses");
    expect(article("atom-links-elsewhere.xml", 1).url).toBe("https://ferries.example/fog");
  });
});

describe("4. namespaces bound to other prefixes", () => {
  it("Atom bound to p0: on the entry itself, and declared as an entry's own default namespace under a: on the root", () => {
    const document = parse("namespaces-other-prefixes.xml");
    expect(document).toMatchObject({ kind: "feed", format: "atom", title: "Registry updates" });
    expect(normalized("namespaces-other-prefixes.xml").map((r) => r.ok && [r.article.title, r.article.url, r.article.contentHtml])).toEqual(
      [
        ["Ship register reopens", "https://registry.example/news/reopens", "<p>The register is open <em>again</em>.</p>"],
        ["Fees unchanged for 2027", "https://registry.example/news/fees", "<p>No change to any fee.</p>"],
      ],
    );
  });

  it("RSS 2.0 in UserLand's namespace under r:, Dublin Core under purl:", () => {
    expect(parse("rss2-in-a-namespace.xml")).toMatchObject({ kind: "feed", format: "rss2", title: "Lock keepers' log" });
    const a = article("rss2-in-a-namespace.xml");
    expect([a.title, a.url, a.contentHtml, a.published.iso, a.authors]).toEqual([
      "Lock 4 open again",
      "https://locks.example/log/lock-4",
      "The gates were repaired overnight.",
      "2026-11-10T07:00:00+00:00",
      [{ name: "Keeper Aled Price" }],
    ]);
  });
});

describe("4b. namespace URIs as publishers write them", () => {
  it("finds a namespace whose URI drifts in case, scheme or trailing slash (a podcast host's DTDs, an https Atom)", () => {
    const rss =
      `<rss version="2.0" xmlns:i="http://www.itunes.com/DTDs/Podcast-1.0.dtd" xmlns:a="https://www.w3.org/2005/Atom" xmlns:m="http://search.yahoo.com/mrss">` +
      `<channel><title>P</title><item><guid isPermaLink="false">ep-2</guid><title>Ep 2</title><a:link href="https://p.example/2"/>` +
      `<i:summary>Two.</i:summary><m:thumbnail url="https://p.example/2.jpg"/></item></channel></rss>`;
    const document = parseUpstream(rss, "", "https://p.example/feed");
    expect(document.kind === "feed" && document.items[0]).toMatchObject({
      url: "https://p.example/2",
      contentText: "Two.",
      image: { url: "https://p.example/2.jpg" },
    });
  });
});

describe("5. titles escaped twice", () => {
  it("decodes the references left after XML decoding, unless that would make markup of the text", () => {
    expect(normalized("title-double-escaped.xml").map((r) => r.ok && r.article.title)).toEqual([
      "Drugs worth £300m seized at the port",
      "Loïc Martin joins the board & the trust",
      "The &lt;blink&gt; tag, remembered",
    ]);
  });
});

describe("6. a local file in a legacy character set", () => {
  it("is refused with where and what to do when it declares none, never read with characters dropped", () => {
    expect(() => decodeLocalDocument(bytes("latin1-undeclared.xml"))).toThrow(
      /^the file is not valid utf-8, the character set it declares \(or UTF-8 when it declares none\), from line 6 on; declare its real encoding/,
    );
  });

  it("npm run ingest -- --source <file> refuses it and stores nothing; a declared one comes in whole", async () => {
    const dir = mkdtempSync(join(tmpdir(), "realworld-cli-"));
    try {
      const refused = await cli(["--source", join(FIXTURES, "latin1-undeclared.xml")], join(dir, "latin1.db"));
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain("latin1-undeclared.xml: the file is not valid utf-8");
      expect(titlesIn(join(dir, "latin1.db"))).toEqual([]);
      const read = await cli(["--source", join(FIXTURES, "windows1251-declared.xml"), "--lang", "en"], join(dir, "cp1251.db"));
      expect(read.status).toBe(0);
      expect(titlesIn(join(dir, "cp1251.db"))).toEqual(["Мост открыт"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is read in the character set its XML declaration names", () => {
    const { charset } = decodeLocalDocument(bytes("windows1251-declared.xml"));
    expect(charset).toBe("windows-1251");
    expect(article("windows1251-declared.xml").title).toBe("Мост открыт");
  });
});

describe("7. an article page whose JSON-LD has no articleBody", () => {
  it("comes in whole: the page's own text (no navigation, headline, dates, share or related links), dates, author, Korean edition", async () => {
    const { articles } = await ingest("article-page-no-body.html");
    const [a] = articles;
    expect(a!.url).toBe("https://www.hanbyeol.example/en/article/all/20261125/1201/1");
    expect(a!.title).toBe("City and port agree on night-time noise limits");
    expect(a!.summary).toBe("Cranes and trucks will work under new limits between midnight and 5 a.m.");
    expect(a!.published.iso).toBe("2026-11-25T08:17:00+09:00");
    expect(a!.updated.iso).toBe("2026-11-25T09:40:00+09:00");
    expect(a!.authors).toEqual([{ name: "Yoon Ha-eun" }]);
    const text = a!.contentHtml;
    expect(text.startsWith("The city and the port authority agreed on Wednesday")).toBe(true);
    expect(text).toContain("<br><br>");
    expect(text).toContain("“We asked for quiet nights, not for the port to stop,” said a residents’ association member");
    expect(text.endsWith("The city will review them after a year &amp; may extend them to the rail yard.")).toBe(true);
    for (const furniture of ["Go to contents", "Posted", "Politics", "Share", "Related stories", "Port traffic", "Copyright", "한국어"]) {
      expect(text, furniture).not.toContain(furniture);
    }
    const result = normalized("article-page-no-body.html")[0]!;
    expect(result.ok && result.editions).toEqual(["https://www.hanbyeol.example/news/article/all/20261125/998/1"]);
  });

  it("takes the itemprop=articleBody element over a longer aside, with Open Graph's date and the author meta", () => {
    const a = article("article-page-itemprop.html");
    expect(a.contentHtml).toBe(
      "<p>He climbed the 120 steps twice a day for forty years.</p>\n    <p>When the light went automatic, he stayed on as its caretaker.</p>",
    );
    expect(a.published.iso).toBe("2026-11-24T12:00:00+00:00");
    expect(a.authors).toEqual([{ name: "Dana Whitcombe" }]);
  });

  it("falls back to the JSON-LD description, as the summary and the body, when the page holds no text", () => {
    const a = article("article-page-description-only.html");
    expect([a.summary, a.contentHtml]).toEqual([
      "Negotiators return to the table on Monday.",
      "<p>Negotiators return to the table on Monday.</p>",
    ]);
  });
});

describe("8. an Atom entry document", () => {
  it("is a feed of that one entry, not a document with several roots", () => {
    const a = article("atom-entry-document.xml");
    expect([a.title, a.url, a.contentHtml, a.published.iso, a.authors]).toEqual([
      "Bridge reopens to cyclists",
      "https://bridge.example/posts/31",
      "<p>The cycle lane is open from today.</p>",
      "2026-11-09T09:30:00+00:00",
      [{ name: "Bridge Trust" }],
    ]);
  });
});

describe("smaller patterns of the same classes", () => {
  const feedItems = (text: string) => {
    const document = parseUpstream(text, "", "https://fixtures.example/inline");
    if (document.kind !== "feed") throw new Error("not a feed");
    return document;
  };

  it("Atom content given as the media type text/html is HTML, as type=html is", () => {
    const atom =
      `<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>e</id><title>T</title><link href="https://a.example/e"/>` +
      `<content type="text/html">&lt;p&gt;Para&lt;/p&gt;</content></entry></feed>`;
    expect(feedItems(atom).items[0]!.contentHtml).toBe("<p>Para</p>");
  });

  it("a podcast episode with only itunes:subtitle has it as its text", () => {
    const rss =
      `<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>P</title>` +
      `<item><title>Ep 1</title><guid>https://p.example/1.mp3</guid><itunes:subtitle>Short & sweet</itunes:subtitle></item></channel></rss>`;
    expect(feedItems(rss.replace("&", "&amp;")).items[0]!.contentText).toBe("Short & sweet");
  });

  it("a JSON Feed item without an id is keyed by its url (or external_url); with neither it is left out, reported", () => {
    const json = JSON.stringify({
      version: "https://jsonfeed.org/version/1.1",
      title: "Links",
      items: [
        { url: "https://links.example/a", title: "A" },
        { external_url: "https://elsewhere.example/b", title: "B", content_text: "About B." },
        { title: "C", content_text: "Nowhere." },
      ],
    });
    const document = feedItems(json);
    expect(document.items.map((i) => [i.key, i.url])).toEqual([
      ["https://links.example/a", "https://links.example/a"],
      ["https://elsewhere.example/b", "https://elsewhere.example/b"],
    ]);
    expect(document.problems).toEqual(["item 3 has neither an id nor an http(s) url; skipped"]);
  });
});

describe("an untitled item", () => {
  const untitled = (description: string, lang = "en") =>
    `<rss version="2.0"><channel><title>T</title><link>https://micro.example/</link><language>${lang}</language>` +
    `<item><guid>https://micro.example/p/1</guid><description>${description}</description></item></channel></rss>`;

  it("is kept with a title from its text, cut at a word boundary, and counted", async () => {
    const text = "The ferry timetable for the winter months is out today, with two fewer crossings on Sundays and an earlier last boat.";
    const { articles, report } = await ingest("untitled.xml", untitled(text));
    expect(articles[0]!.title).toBe("The ferry timetable for the winter months is out today, with two fewer…");
    expect(report.fallbacks).toEqual({ noBody: 0, derivedTitle: 1, linkFromGuid: 1 });
  });

  it("cuts by the item's language's own words where it writes no spaces", () => {
    const japanese = "本日から冬季ダイヤに変わり、日曜日の便が二便減って、最終便の出発時刻が三十分早くなりますので、ご注意ください。";
    const title = deriveTitle(japanese, "ja", 30);
    expect(Array.from(title).length).toBeLessThanOrEqual(30);
    expect(title.endsWith("…")).toBe(true);
    expect(japanese.startsWith(title.slice(0, -1))).toBe(true);
    // The cut falls between two words of Japanese, as Intl.Segmenter finds them.
    const words = [...new Intl.Segmenter("ja", { granularity: "word" }).segment(japanese)].map((s) => s.index);
    expect(words).toContain(title.length - 1);
    expect(deriveTitle("Short and whole.", "en")).toBe("Short and whole.");
    expect(deriveTitle("First sentence is a title. The rest goes on and on for a long while, past any sensible length.", "en", 40)).toBe(
      "First sentence is a title.",
    );
  });

  it("with no text at all is refused, saying why", () => {
    const result = normalizeItem(
      { key: "k", url: "https://micro.example/p/2", baseUrl: "https://micro.example/", sections: [], authors: [], tags: [], editions: [] },
      SOURCE,
      site.settings,
      site.siteUrl,
      INGEST_NOW,
    );
    expect(result).toEqual({ ok: false, key: "k", reason: "item has neither a title nor any text" });
  });
});

/** `npm run ingest` as a real process. */
function cli(args: string[], database: string): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/ingest.ts", ...args], {
    cwd: join(import.meta.dirname, "..", ".."),
    env: { ...process.env, DATABASE_PATH: database, SITE_URL: "https://news.example" },
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.once("close", (status) => resolve({ status, stderr })));
}

function titlesIn(database: string): string[] {
  try {
    const db = new Database(database, { readonly: true, fileMustExist: true });
    try {
      return db.prepare("SELECT title FROM articles").pluck().all() as string[];
    } finally {
      db.close();
    }
  } catch {
    return [];
  }
}

function jsonFeedSchema() {
  const schema = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "jsonfeed-1.1.schema.json"), "utf8"));
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(schema);
}
