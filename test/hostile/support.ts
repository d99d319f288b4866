/**
 * What the hostile-input tests share: an app with the push API on a fresh SQLite store, the feed checks
 * every stored article must pass in every format, an HTML safety check, and headless Chromium.
 */
import { escapeHtml } from "../../src/model/escape.ts";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "vitest";
import type { SectionSettings, Site } from "../../src/config/site.ts";
import { readFeed } from "../../src/feeds/build.ts";
import { FORMATS } from "../../src/feeds/formats.ts";
import { createApp } from "../../src/http/app.ts";
import { memoryCache } from "../../src/http/render-cache.ts";
import { parseUpstream, UpstreamError } from "../../src/ingest/formats/detect.ts";
import type { IncomingItem } from "../../src/ingest/incoming.ts";
import { normalizeItem, type ItemSource } from "../../src/ingest/normalize.ts";
import type { Article } from "../../src/model/article.ts";
import { articlePage } from "../../src/pages/article.ts";
import { feedPreviewPage } from "../../src/pages/preview.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { children, NS, only, parseXml, q, XML_FORBIDDEN, type XmlElement } from "../feeds/xml-dom.ts";
import { CHROMIUM, chromiumArgs } from "../browser.ts";
import { ingestDeps, memoryLogger, testSite } from "../helpers.ts";

/**
 * Runs of a fast-check property: `n` in `npm test`, times HOSTILE_FUZZ_SCALE for a longer hunt
 * (`HOSTILE_FUZZ_SCALE=50 npx vitest run --project node test/hostile`).
 */
export function runs(n: number): number {
  const scale = Number(process.env.HOSTILE_FUZZ_SCALE ?? "1");
  return Math.max(1, Math.round(n * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

/** The clock every hostile test runs at. */
export const NOW_MS = Date.parse("2026-11-20T03:00:00Z");
export const TOKEN = "hostile-input-token-0123456789abcdef";

/** createApp over a fresh in-memory store, with the push API on (TOKEN) and a render cache. */
export function hostileApp(options: { token?: string | null; siteUrl?: string } = {}) {
  const site = testSite(options.siteUrl);
  const store = openSqliteStore(":memory:");
  const logger = memoryLogger();
  const ingest = { ...ingestDeps(store, site), logger, now: () => NOW_MS };
  const app = createApp({
    store,
    site,
    logger,
    ingest,
    ingestToken: options.token === undefined ? TOKEN : options.token,
    cache: memoryCache(),
    now: () => NOW_MS,
  });
  return { app, store, site, logger };
}

/** Every article of every language, as the store serves them (at most 100 each), for "nothing stored" checks. */
export async function everyArticle(store: ArticleStore, site: Site): Promise<Article[]> {
  const lists = await Promise.all(site.settings.languages.map((l) => store.latest({ lang: l.tag, limit: 100 })));
  return lists.flat();
}

/** The document URL the parser fuzzers read under. */
export const DOCUMENT_URL = "https://wire.example/feeds/world.xml";

/**
 * parseUpstream's whole contract: a parsed document of one of the three kinds, or an UpstreamError
 * whose message starts `parse: <document URL>:`. Anything else escaping is a bug.
 */
export function expectParsedOrRefused(text: string, contentType: string, documentUrl = DOCUMENT_URL) {
  let parsed: ReturnType<typeof parseUpstream>;
  try {
    parsed = parseUpstream(text, contentType, documentUrl);
  } catch (error) {
    expect(error, String((error as Error).stack)).toBeInstanceOf(UpstreamError);
    expect((error as Error).message.startsWith(`parse: ${documentUrl}: `)).toBe(true);
    return undefined;
  }
  const items = parsed.kind === "feed" ? parsed.items : parsed.kind === "article-page" ? [parsed.item] : [];
  for (const item of items) {
    expect(typeof item.key).toBe("string");
    expect(item.key.trim()).not.toBe("");
    for (const list of [item.sections, item.authors, item.tags, item.editions]) expect(Array.isArray(list)).toBe(true);
  }
  if (parsed.kind === "sitemap")
    for (const url of [...parsed.pages.map((p) => p.url), ...parsed.sitemaps]) expect(url).toMatch(/^https?:\/\//);
  return parsed;
}

/** The site and upstream source fuzzed items are normalized for. */
export const FUZZ_SITE = testSite();
export const FUZZ_SOURCE: ItemSource = {
  name: "feed:fuzz",
  lang: "en",
  section: "society",
  sections: { economy: "business", 정치: "politics" },
  timezone: "Asia/Seoul",
};

/** Normalizes `item`; when an article comes out, stores it alone and checks every feed and page it is on. */
export async function expectNormalizedItemHolds(item: IncomingItem, source = FUZZ_SOURCE) {
  const normalized = normalizeItem(item, source, FUZZ_SITE.settings, FUZZ_SITE.siteUrl, NOW_MS);
  if (!normalized.ok) {
    expect(normalized.reason).not.toBe("");
    return false;
  }
  const { article } = normalized;
  const store = openSqliteStore(":memory:");
  try {
    const report = await store.upsert([article]);
    expect(report.failed).toEqual([]);
    expect(report.inserted).toEqual([article.id]);
    expect(await store.byIds([article.id])).toEqual([article]);
    await expectFeedsHold(store, FUZZ_SITE, article);
  } finally {
    await store.close();
  }
  return true;
}

/** Elements and attributes the sanitizer may write (src/ingest/sanitize.ts ALLOWED). */
const SAFE_ELEMENTS = new Set([
  "p",
  "br",
  "hr",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "strong",
  "b",
  "em",
  "i",
  "u",
  "s",
  "sub",
  "sup",
  "small",
  "mark",
  "cite",
  "pre",
  "code",
  "kbd",
  "ul",
  "ol",
  "li",
  "dl",
  "dt",
  "dd",
  "figure",
  "figcaption",
  "table",
  "thead",
  "tbody",
  "tfoot",
  "tr",
  "td",
  "th",
  "caption",
  "a",
  "img",
  "blockquote",
  "q",
  "time",
  "abbr",
]);
const SAFE_ATTRIBUTES = new Set([
  "href",
  "title",
  "src",
  "alt",
  "width",
  "height",
  "cite",
  "datetime",
  "colspan",
  "rowspan",
  "start",
  "value",
]);
const URL_ATTRIBUTES = new Set(["href", "src", "cite"]);

/** The start and end tags of `html` (text there is escaped, so every `<` begins markup). */
export const markupOf = (html: string) => (html.match(/<[^>]*>?/g) ?? []).join("");

/**
 * Fails unless `html` (a sanitized body, as a reader gets it after decoding the feed) is inert and
 * well-formed: only allowlisted elements and attributes, every URL http(s) or mailto, no handler,
 * srcdoc or script scheme in the markup, every element closed in order, no bare `&` or `<` in text.
 */
export function expectInertHtml(html: string, where: string) {
  expect(html, `${where}: dangerous element`).not.toMatch(/<\s*(script|svg|iframe|math|object|embed|style|form|meta|base|link)\b/i);
  const markup = markupOf(html);
  expect(markup.replace(/"[^"]*"/g, '""'), `${where}: handler or srcdoc`).not.toMatch(/\bon\w+\s*=|srcdoc|style\s*=/i);
  // A scheme is dangerous where a URL starts; "javascript:" inside a path (a relative link resolved
  // against the item's URL) is text. URL attributes are held to http(s) and mailto below as well.
  expect(markup, `${where}: script scheme in markup`).not.toMatch(/=\s*"\s*(?:javascript|vbscript|data):/i);
  const open: string[] = [];
  let last = 0;
  for (const m of html.matchAll(/<(\/?)([a-z][a-z0-9]*)((?:\s[a-z]+="[^"<>]*")*)>|&(?:#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi)) {
    expect(html.slice(last, m.index), `${where}: bare & or < in text`).not.toMatch(/[&<]/);
    last = m.index + m[0].length;
    if (m[0][0] === "&") continue;
    const [, closing, name, attributes] = m;
    expect(SAFE_ELEMENTS.has(name!), `${where}: <${name}>`).toBe(true);
    for (const [, attribute, value] of attributes!.matchAll(/\s([a-z]+)="([^"]*)"/g)) {
      expect(SAFE_ATTRIBUTES.has(attribute!), `${where}: ${name} ${attribute}`).toBe(true);
      if (URL_ATTRIBUTES.has(attribute!)) expect(value, `${where}: ${name} ${attribute}`).toMatch(/^(https?:\/\/|mailto:)/);
    }
    if (closing) expect(open.pop(), `${where}: </${name}> closes something else`).toBe(name);
    else if (!["br", "hr", "img"].includes(name!)) open.push(name!);
  }
  expect(html.slice(last), `${where}: bare & or < in text`).not.toMatch(/[&<]/);
  expect(open, `${where}: unclosed elements`).toEqual([]);
}

const RFC3339 = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(Z|[+-](0\d|1[0-8]):[0-5]\d)$/;
const RFC822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/;
const ASCII_URL = /^https?:\/\/[\x21-\x7E]+$/;
/** What the W3C Feed Validation Service reports as bad characters: C1 controls and U+FFFD. */
const BAD_CHARACTERS = /[\u0080-\u009F\uFFFD]/;

/** An element and all its descendants, in document order. */
function* walk(element: XmlElement): Generator<XmlElement> {
  yield element;
  for (const child of element.children) yield* walk(child);
}

/** The checks one stored article must pass in the feeds it appears in, in every format, and on its pages. */
export async function expectFeedsHold(store: ArticleStore, site: Site, article: Article, nowMs = NOW_MS) {
  const language = site.settings.languages.find((l) => l.tag === article.lang)!;
  const section: SectionSettings | undefined = language.sections.find((s) => s.slug === article.section);
  expect(section, `section ${article.section} of ${article.lang}`).toBeDefined();
  for (const scope of [{ language }, { language, section }]) {
    const model = await readFeed(store, site, scope);
    const where = `${article.lang}${scope.section ? `/${scope.section.slug}` : ""}`;
    expect(
      model.items.map((i) => i.id),
      where,
    ).toContain(article.id);

    const rss = FORMATS.rss.render(model);
    const atom = FORMATS.atom.render(model);
    for (const [name, xml] of [
      ["rss", rss],
      ["atom", atom],
    ] as const) {
      expect(xml.match(XML_FORBIDDEN), `${where} ${name}: characters XML forbids`).toBeNull();
      expect(BAD_CHARACTERS.test(xml), `${where} ${name}: C1 control or U+FFFD`).toBe(false);
      const root = parseXml(xml);
      for (const element of walk(root)) {
        for (const [attribute, value] of Object.entries(element.attributes)) {
          if (attribute === "href" || attribute === "url")
            expect(value, `${where} ${name} ${element.name}@${attribute}`).toMatch(ASCII_URL);
        }
      }
    }

    const channel = only(parseXml(rss), q("", "channel"));
    for (const item of children(channel, q("", "item"))) {
      expect(only(item, q("", "link")).text).toMatch(ASCII_URL);
      expect(only(item, q("", "pubDate")).text).toMatch(RFC822);
      // An article kept without a body (a headline) has no content:encoded; in Atom and JSON Feed, a paragraph linking it.
      for (const encoded of children(item, q(NS.content, "encoded"))) expectInertHtml(encoded.text, `${where} rss content:encoded`);
    }
    for (const entry of children(parseXml(atom), q(NS.atom, "entry"))) {
      for (const date of ["published", "updated"]) expect(only(entry, q(NS.atom, date)).text).toMatch(RFC3339);
      for (const content of children(entry, q(NS.atom, "content"))) expectInertHtml(content.text, `${where} atom content`);
    }
    const json = JSON.parse(FORMATS.json.render(model)) as {
      items: { id: string; url: string; content_html: string; date_published: string; date_modified?: string }[];
    };
    for (const item of json.items) {
      expect(item.url).toMatch(ASCII_URL);
      expect(item.date_published).toMatch(RFC3339);
      if (item.date_modified !== undefined) expect(item.date_modified).toMatch(RFC3339);
      expectInertHtml(item.content_html, `${where} json content_html`);
    }
    const mine = json.items.find((i) => i.id === article.id)!;
    // A headline kept without a body is carried as one paragraph linking it (escaped like any text).
    if (article.contentHtml) expect(mine.content_html).toBe(article.contentHtml);
    else expect(mine.content_html).toBe(`<p><a href="${escapeHtml(article.url)}">${escapeHtml(article.title)}</a></p>`);
    expect(Date.parse(mine.date_published)).toBeLessThanOrEqual(nowMs + 5 * 60_000);

    expectPage(feedPreviewPage(site, model, "rss"), `${where} preview`);
  }
  const stored = await store.bySlug(article.lang, article.slug);
  expect(stored?.id).toBe(article.id);
  expectPage(articlePage(site, language, stored!, await store.editions([stored!.story])), `article page ${article.slug}`);
}

/** A page runs nothing, and every time on it is a real RFC 3339 date-time. */
function expectPage(page: string, where: string) {
  expectOnlyDataScripts(page, where);
  for (const [, datetime] of page.matchAll(/<time datetime="([^"]*)"/g)) expect(datetime, `${where}: time`).toMatch(RFC3339);
}

/**
 * Fails when an HTML page holds anything that can run: a script other than JSON-LD data, an event
 * handler or srcdoc attribute, an SVG or an iframe, or a script scheme in a URL attribute.
 */
export function expectOnlyDataScripts(page: string, where: string) {
  const withoutData = page.replace(/<script type="application\/ld\+json">[^<]*<\/script>/g, "");
  expect(withoutData, `${where}: script`).not.toMatch(/<script/i);
  expect(withoutData, `${where}: svg or iframe`).not.toMatch(/<(svg|iframe|object|embed)\b/i);
  const markup = markupOf(withoutData);
  expect(markup.replace(/"[^"]*"/g, '""'), `${where}: handler or srcdoc attribute`).not.toMatch(/\s(on\w+|srcdoc)\s*=/i);
  for (const [, name, value] of markup.matchAll(/\s(href|src|cite|action|formaction|data|poster|background)="([^"]*)"/gi)) {
    expect(value!.replace(/&amp;/g, "&"), `${where}: ${name}`).not.toMatch(/^\s*(javascript|vbscript|data):/i);
  }
}

export const CHROMIUM_TIMEOUT_MS = 60_000;
const run = promisify(execFile);

/** `chromium --headless --dump-dom url` on a fresh profile: the DOM after the page has loaded and run. */
export async function dumpDom(url: string): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), "hostile-chromium-"));
  try {
    const { stdout } = await run(CHROMIUM, [...chromiumArgs(profile), "--dump-dom", url], {
      timeout: CHROMIUM_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } finally {
    await rm(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}
