/** The HTTP surface through `createApp(deps).request(path)`: URL map, errors, redirects, pages, OPML. */
import { SaxesParser } from "saxes";
import { afterAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import type { Article } from "../../src/model/article.ts";
import { loadedStore, SITE_URL, siteSettings } from "../helpers.ts";

const settings = siteSettings();
const { store, site, logger, report } = await loadedStore();
const app = createApp({ store, site, logger });
afterAll(() => store.close());

const FEED_TYPES = {
  "rss.xml": "application/rss+xml; charset=utf-8",
  "atom.xml": "application/atom+xml; charset=utf-8",
  "feed.json": "application/feed+json; charset=utf-8",
} as const;
const FEED_FILES = Object.keys(FEED_TYPES) as (keyof typeof FEED_TYPES)[];
const HTML_TYPE = /^text\/html; charset=utf-8$/i;
const PLAIN_TYPE = /^text\/plain; charset=utf-8$/i;

/** `/ko/`, `/ko/politics/`, ... : the directory of every language and of every section of it. */
const FEED_DIRECTORIES = settings.languages.flatMap((l) => [`/${l.tag}/`, ...l.sections.map((s) => `/${l.tag}/${s.slug}/`)]);
const FEED_PATHS = FEED_DIRECTORIES.flatMap((dir) => FEED_FILES.map((file) => ({ path: `${dir}${file}`, type: FEED_TYPES[file] })));

/** Every article of the store, read language by language (the store has no "all articles" query). */
const ARTICLES: Article[] = (await Promise.all(settings.languages.map((l) => store.latest({ lang: l.tag, limit: 10_000 })))).flat();

function edition(story: string, lang: string): Article {
  const found = ARTICLES.find((a) => a.story === story && a.lang === lang);
  if (!found) throw new Error(`test data: no ${lang} edition of story "${story}" in content/`);
  return found;
}

async function get(path: string) {
  const response = await app.request(path);
  return { response, body: await response.text() };
}

function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (ref, name: string) => {
    if (name[0] === "#")
      return String.fromCodePoint(name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : Number(name.slice(1)));
    return named[name] ?? ref;
  });
}

function attributes(tagSource: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tagSource.matchAll(/([a-zA-Z_:][\w:.-]*)="([^"]*)"/g)) out[m[1]!] = decodeEntities(m[2]!);
  return out;
}

/** Every `<tag ...>` start tag of one element name, as its decoded attributes. */
function startTags(html: string, name: string): Record<string, string>[] {
  return [...html.matchAll(new RegExp(`<${name}\\s([^>]*)>`, "gi"))].map((m) => attributes(m[1]!));
}

/** `<a>` elements with their attributes and decoded text. */
function anchors(html: string): { attrs: Record<string, string>; text: string }[] {
  return [...html.matchAll(/<a\s([^>]*)>([\s\S]*?)<\/a>/gi)].map((m) => ({
    attrs: attributes(m[1]!),
    text: decodeEntities(m[2]!.replace(/<[^>]*>/g, "")),
  }));
}

/** Autodiscovery links: `<link rel="alternate" type="...">` with a feed media type, in page order. */
function discoveryLinks(html: string) {
  return startTags(html, "link").filter((l) => l.rel === "alternate" && l.type !== undefined);
}

const VOID_ELEMENTS = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);

/**
 * A small well-formedness check of generated HTML: every element closed in order, no stray `<` or
 * bare `&` in text or attributes. Returns the problems found (none for a good page).
 */
function htmlProblems(html: string): string[] {
  const problems: string[] = [];
  const open: string[] = [];
  const token =
    /<!--[\s\S]*?-->|<!doctype[^>]*>|<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_:][\w:.-]*(?:="[^"<]*")?)*)\s*\/?>|<|&(?!(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);)/gi;
  let m: RegExpExecArray | null;
  while ((m = token.exec(html))) {
    const [whole, closing, rawName, attrs] = m;
    if (whole === "<") problems.push(`stray "<" at ${m.index}: ${html.slice(m.index, m.index + 30)}`);
    else if (whole === "&") problems.push(`bare "&" at ${m.index}: ${html.slice(m.index, m.index + 30)}`);
    else if (rawName) {
      const name = rawName.toLowerCase();
      if (/&(?!(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);)/.test(attrs ?? "")) problems.push(`bare "&" in an attribute of <${name}>`);
      if (closing) {
        const expected = open.pop();
        if (expected !== name) problems.push(`</${name}> closes <${expected ?? "nothing"}>`);
      } else if (name === "script" || name === "style") {
        const end = html.toLowerCase().indexOf(`</${name}`, token.lastIndex);
        if (end < 0) problems.push(`<${name}> is never closed`);
        token.lastIndex = end < 0 ? html.length : end;
        open.push(name);
      } else if (!VOID_ELEMENTS.has(name)) open.push(name);
    }
  }
  if (open.length) problems.push(`left open: ${open.join(" > ")}`);
  return problems;
}

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** Parses with saxes (strict XML 1.0); throws on any well-formedness error. */
function parseXml(xml: string): XmlElement {
  const parser = new SaxesParser();
  const root: XmlElement = { name: "#document", attributes: {}, children: [], text: "" };
  const stack = [root];
  parser.on("error", (error) => {
    throw error;
  });
  parser.on("opentag", (tag) => {
    const element: XmlElement = { name: tag.name, attributes: { ...tag.attributes }, children: [], text: "" };
    stack.at(-1)!.children.push(element);
    stack.push(element);
  });
  parser.on("closetag", () => void stack.pop());
  parser.on("text", (text) => void (stack.at(-1)!.text += text));
  parser.write(xml).close();
  return root.children[0]!;
}

function descendants(element: XmlElement): XmlElement[] {
  return element.children.flatMap((child) => [child, ...descendants(child)]);
}

/** RFC 822 as the RSS Profile writes it, from an instant and the offset to show it in. */
function rfc822(ms: number, offsetMinutes: number): string {
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const wall = new Date(ms + offsetMinutes * 60_000);
  const two = (n: number) => String(n).padStart(2, "0");
  const zone = `${offsetMinutes < 0 ? "-" : "+"}${two(Math.floor(Math.abs(offsetMinutes) / 60))}${two(Math.abs(offsetMinutes) % 60)}`;
  return `${days[wall.getUTCDay()]}, ${two(wall.getUTCDate())} ${months[wall.getUTCMonth()]} ${wall.getUTCFullYear()} ${two(wall.getUTCHours())}:${two(wall.getUTCMinutes())}:${two(wall.getUTCSeconds())} ${zone}`;
}

describe("the sample edition behind these tests", () => {
  it("loads every article of content/ without problems, so the URL map below covers all of them", () => {
    expect(report.rejected).toEqual([]);
    expect(ARTICLES.length).toBe(report.new);
    expect(ARTICLES.length).toBeGreaterThanOrEqual(40);
  });
});

describe("every URL of the map answers 200 with its content type", () => {
  it("/ is HTML", async () => {
    const { response, body } = await get("/");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(HTML_TYPE);
    expect(htmlProblems(body)).toEqual([]);
  });

  it("/feeds.opml is OPML", async () => {
    const { response } = await get("/feeds.opml");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/x-opml; charset=utf-8$/i);
  });

  it("/extensions/editions is HTML", async () => {
    const { response, body } = await get("/extensions/editions");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(HTML_TYPE);
    expect(htmlProblems(body)).toEqual([]);
  });

  it.each(FEED_PATHS)("$path is $type", async ({ path, type }) => {
    const { response, body } = await get(path);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe(type);
    expect(body.length).toBeGreaterThan(0);
  });

  it.each(FEED_DIRECTORIES)("%s is an HTML page", async (path) => {
    const { response, body } = await get(path);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(HTML_TYPE);
    expect(htmlProblems(body)).toEqual([]);
  });

  it.each(ARTICLES.map((a) => ({ path: `/${a.lang}/articles/${a.slug}`, article: a })))(
    "$path is the article page",
    async ({ path, article }) => {
      const { response, body } = await get(path);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(HTML_TYPE);
      expect(body).toContain(`<html lang="${article.lang}">`);
      expect(htmlProblems(body)).toEqual([]);
    },
  );
});

describe("HEAD", () => {
  it.each(["/en/rss.xml", "/ko/atom.xml", "/zh-Hans/opinion/feed.json"])("on %s gives the GET headers and an empty body", async (path) => {
    const getResponse = await app.request(path);
    const headResponse = await app.request(path, { method: "HEAD" });
    expect(headResponse.status).toBe(200);
    expect([...headResponse.headers]).toEqual([...getResponse.headers]);
    expect(await headResponse.text()).toBe("");
    expect((await getResponse.text()).length).toBeGreaterThan(0);
  });
});

describe("what is not there", () => {
  it.each([
    { path: "/xx/rss.xml", names: '"xx"' },
    { path: "/de/", names: '"de"' },
    { path: "/en/sports/rss.xml", names: '"sports"' },
    { path: "/en/sports/", names: '"sports"' },
    { path: "/en/rss.txt", names: '"rss.txt"' },
    { path: "/en/politics/feed.xml", names: '"feed.xml"' },
    { path: "/en/articles/no-such-story", names: '"no-such-story"' },
    { path: "/ko/articles/chip-exports-hit-record", names: '"chip-exports-hit-record"' },
    { path: "/en/politics/rss.xml/extra", names: "/en/politics/rss.xml/extra" },
    { path: "/a/b/c/d", names: "/a/b/c/d" },
  ])("$path is a 404 in plain text naming $names", async ({ path, names }) => {
    const { response, body } = await get(path);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toMatch(PLAIN_TYPE);
    expect(body).toContain(names);
    expect(body.trim().split("\n")).toHaveLength(1);
    expect(body.length).toBeLessThan(200);
  });
});

describe("redirects", () => {
  it.each([
    { path: "/ZH-HANS/rss.xml", to: "/zh-Hans/rss.xml" },
    { path: "/zh-hans/politics/atom.xml", to: "/zh-Hans/politics/atom.xml" },
    { path: "/EN/", to: "/en/" },
    { path: "/Ja/articles/handotai-yushutsu-kako-saiko", to: "/ja/articles/handotai-yushutsu-kako-saiko" },
    { path: "/en", to: "/en/" },
    { path: "/en/politics", to: "/en/politics/" },
    { path: "/zh-Hans/opinion", to: "/zh-Hans/opinion/" },
  ])("$path moves permanently to $to, which answers 200", async ({ path, to }) => {
    const response = await app.request(path);
    expect(response.status).toBe(301);
    const location = new URL(response.headers.get("location") ?? "", `http://localhost${path}`);
    expect(location.pathname).toBe(to);
    expect((await app.request(location.pathname)).status).toBe(200);
  });

  it("a percent-encoded, wrongly-cased language tag redirects to the canonical path, not to itself", async () => {
    const response = await app.request("/%45N/rss.xml");
    expect(response.status).toBe(301);
    expect(new URL(response.headers.get("location") ?? "", "http://localhost/").pathname).toBe("/en/rss.xml");
  });
});

describe("the index page /", () => {
  const home = settings.languages[0]!;

  it("lists every language by its own name and every section by its name", async () => {
    const { body } = await get("/");
    const linkTexts = anchors(body).map((a) => a.text);
    for (const language of settings.languages) {
      expect(linkTexts).toContain(language.name);
      for (const section of language.sections) expect(linkTexts).toContain(section.name);
    }
  });

  it("links every feed URL, in all three formats, absolute under SITE_URL", async () => {
    const { body } = await get("/");
    const hrefs = new Set(anchors(body).map((a) => a.attrs.href));
    for (const { path } of FEED_PATHS) expect(hrefs).toContain(`${SITE_URL}${path}`);
    expect(FEED_PATHS).toHaveLength(72);
  });

  it("has autodiscovery links for every feed of every language, the first one its own language's RSS feed", async () => {
    const { body } = await get("/");
    const links = discoveryLinks(body);
    expect(body).toContain(`<html lang="${home.tag}">`);
    expect(links[0]).toMatchObject({ type: "application/rss+xml", hreflang: home.tag, href: `${SITE_URL}/${home.tag}/rss.xml` });
    expect(links.map((l) => l.href)).toEqual(
      [home, ...settings.languages.filter((l) => l !== home)].flatMap((l) => FEED_FILES.map((f) => `${SITE_URL}/${l.tag}/${f}`)),
    );
  });

  it.each(settings.languages.map((l) => l.tag))("/%s/ puts its own language's feeds first", async (tag) => {
    const { body } = await get(`/${tag}/`);
    const links = discoveryLinks(body);
    expect(body).toContain(`<html lang="${tag}">`);
    expect(links.slice(0, 3).map((l) => [l.hreflang, l.href])).toEqual(FEED_FILES.map((f) => [tag, `${SITE_URL}/${tag}/${f}`]));
    expect(new Set(links.map((l) => l.hreflang))).toEqual(new Set(settings.languages.map((l) => l.tag)));
  });

  it.each(settings.languages.flatMap((l) => l.sections.map((s) => ({ tag: l.tag, section: s.slug }))))(
    "/$tag/$section/ puts its section's feeds first, then its language's",
    async ({ tag, section }) => {
      const { body } = await get(`/${tag}/${section}/`);
      const hrefs = discoveryLinks(body).map((l) => l.href);
      expect(hrefs.slice(0, 6)).toEqual([
        ...FEED_FILES.map((f) => `${SITE_URL}/${tag}/${section}/${f}`),
        ...FEED_FILES.map((f) => `${SITE_URL}/${tag}/${f}`),
      ]);
    },
  );
});

describe("/feeds.opml", () => {
  const feedOutlines = async () => {
    const opml = parseXml((await get("/feeds.opml")).body);
    return { opml, outlines: descendants(opml).filter((e) => e.name === "outline" && "xmlUrl" in e.attributes) };
  };

  it('is strict XML: an <opml version="2.0"> with a head and a body', async () => {
    const { opml } = await feedOutlines();
    expect(opml.name).toBe("opml");
    expect(opml.attributes.version).toBe("2.0");
    expect(opml.children.map((c) => c.name)).toEqual(["head", "body"]);
  });

  it("has one outline per language x (all + each section) x format, each with text, title, type, xmlUrl, htmlUrl, language", async () => {
    const { outlines } = await feedOutlines();
    expect(outlines).toHaveLength(4 * 6 * 3);
    for (const outline of outlines) {
      const { text, title, type, xmlUrl, htmlUrl, language } = outline.attributes;
      expect(text, xmlUrl).toMatch(/\S/);
      expect(title, xmlUrl).toMatch(/\S/);
      expect(type, xmlUrl).toBe("rss");
      expect(xmlUrl!.startsWith(`${SITE_URL}/${language}/`), xmlUrl).toBe(true);
      expect(xmlUrl!.startsWith(htmlUrl!), xmlUrl).toBe(true);
      expect(settings.languages.map((l) => l.tag)).toContain(language);
    }
  });

  it("lists exactly the feed URLs the app serves, and each answers 200 with its feed type", async () => {
    const { outlines } = await feedOutlines();
    const xmlUrls = outlines.map((o) => o.attributes.xmlUrl!);
    expect([...xmlUrls].sort()).toEqual(FEED_PATHS.map((f) => `${SITE_URL}${f.path}`).sort());
    for (const outline of outlines) {
      const path = outline.attributes.xmlUrl!.slice(SITE_URL.length);
      const response = await app.request(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type"), path).toBe(FEED_TYPES[path.split("/").pop() as keyof typeof FEED_TYPES]);
      const page = await app.request(outline.attributes.htmlUrl!.slice(SITE_URL.length));
      expect(page.status, outline.attributes.htmlUrl).toBe(200);
    }
  });

  it("dates itself with the newest article update in the store, as RFC 822 in that update's offset", async () => {
    const { opml } = await feedOutlines();
    const newest = ARTICLES.reduce((a, b) => (b.updated.ms > a.updated.ms ? b : a));
    const zone = /([+-])(\d{2}):(\d{2})$/.exec(newest.updated.iso);
    const offset = zone ? (zone[1] === "-" ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3])) : 0;
    const dateModified = opml.children[0]!.children.find((e) => e.name === "dateModified")!.text;
    expect(dateModified).toBe(rfc822(newest.updated.ms, offset));
    expect(dateModified).toBe("Tue, 24 Nov 2026 17:10:00 +0900");
  });
});

describe("the article page", () => {
  const english = edition("semiconductor-export-record", "en");
  const korean = edition("semiconductor-export-record", "ko");

  it("declares its language and shows the headline in <h1>", async () => {
    for (const article of [english, korean]) {
      const { body } = await get(`/${article.lang}/articles/${article.slug}`);
      expect(body).toContain(`<html lang="${article.lang}">`);
      const h1 = [...body.matchAll(/<h1>([\s\S]*?)<\/h1>/g)].map((m) => decodeEntities(m[1]!));
      expect(h1).toEqual([article.title]);
    }
  });

  it.each([
    {
      lang: "en",
      posted: "Posted",
      postedAt: "2026-10-01T10:40:00+09:00",
      postedText: "October 1, 2026 10:40 KST",
      updated: "Updated",
      updatedAt: "2026-10-01T15:40:00+09:00",
      updatedText: "October 1, 2026 15:40 KST",
    },
    {
      lang: "ko",
      posted: "입력",
      postedAt: "2026-10-01T09:30:00+09:00",
      postedText: "2026-10-01 09:30 KST",
      updated: "수정",
      updatedAt: "2026-10-01T15:10:00+09:00",
      updatedText: "2026-10-01 15:10 KST",
    },
  ])("shows the $lang edition's posted and updated times in KST with <time datetime> in +09:00", async (expected) => {
    const article = edition("semiconductor-export-record", expected.lang);
    const { body } = await get(`/${article.lang}/articles/${article.slug}`);
    const timeAfter = (label: string) => new RegExp(`${label}\\s*<time datetime="([^"]+)">([^<]+)</time>`).exec(body);
    const posted = timeAfter(expected.posted);
    const updated = timeAfter(expected.updated);
    expect(posted?.slice(1)).toEqual([expected.postedAt, expected.postedText]);
    expect(updated?.slice(1)).toEqual([expected.updatedAt, expected.updatedText]);
    expect(Date.parse(expected.postedAt)).toBe(article.published.ms);
    expect(Date.parse(expected.updatedAt)).toBe(article.updated.ms);
  });

  it("shows only the posted time for an article never updated", async () => {
    const article = edition("startup-rnd-fund", "en");
    expect(article.updated.ms).toBe(article.published.ms);
    const { body } = await get(`/en/articles/${article.slug}`);
    expect(body).toMatch(/Posted\s*<time datetime="[^"]+\+09:00">/);
    expect(body).not.toMatch(/Updated\s*<time/);
  });

  it.each(["en", "ko"])("links the %s edition's other editions visibly, each labelled with its language's own name", async (lang) => {
    const article = edition("semiconductor-export-record", lang);
    const others = (await store.editions([article.story])).filter((e) => e.lang !== lang);
    expect(others.length).toBeGreaterThanOrEqual(1);
    const { body } = await get(`/${lang}/articles/${article.slug}`);
    const links = anchors(body);
    for (const other of others) {
      const name = settings.languages.find((l) => l.tag === other.lang)!.name;
      expect(links, `${other.lang} edition`).toContainEqual(
        expect.objectContaining({ attrs: expect.objectContaining({ href: other.url, hreflang: other.lang }), text: name }),
      );
    }
    expect(links.some((l) => l.attrs.href === article.url)).toBe(false);
  });

  it("names 한국어 on the English page and English on the Korean page", async () => {
    const englishTexts = anchors((await get(`/en/articles/${english.slug}`)).body).map((a) => a.text);
    const koreanTexts = anchors((await get(`/ko/articles/${korean.slug}`)).body).map((a) => a.text);
    expect(englishTexts).toContain("한국어");
    expect(koreanTexts).toContain("English");
  });

  it.each(["en", "ko"])("has <link rel=alternate hreflang> for every edition of the story, itself included (%s)", async (lang) => {
    const article = edition("semiconductor-export-record", lang);
    const editions = await store.editions([article.story]);
    const { body } = await get(`/${lang}/articles/${article.slug}`);
    const alternates = startTags(body, "link")
      .filter((l) => l.rel === "alternate" && l.type === undefined)
      .map((l) => [l.hreflang, l.href]);
    expect(alternates.sort()).toEqual(editions.map((e) => [e.lang, e.url]).sort());
    expect(alternates).toContainEqual([lang, article.url]);
  });

  it.each(["en", "ko"])("carries one JSON-LD NewsArticle matching the store (%s)", async (lang) => {
    const article = edition("semiconductor-export-record", lang);
    const { body } = await get(`/${lang}/articles/${article.slug}`);
    const scripts = [...body.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    const ld = JSON.parse(scripts[0]![1]!);
    expect(ld["@type"]).toBe("NewsArticle");
    expect(ld.headline).toBe(article.title);
    expect(ld.datePublished).toBe(article.published.iso);
    expect(ld.dateModified).toBe(article.updated.iso);
    expect(ld.inLanguage).toBe(lang);
    expect(ld.author.map((a: { name: string }) => a.name)).toEqual(article.authors.map((a) => a.name));
    expect(article.image).not.toBeNull();
    expect(ld.image.url).toBe(article.image!.url);
  });

  it("escapes a title with <, & and quotes in the HTML, and keeps the JSON-LD from closing its script", async () => {
    const article = edition("startup-rnd-fund", "en");
    expect(article.title).toContain("<");
    expect(article.title).toContain("&");
    const { body } = await get(`/en/articles/${article.slug}`);
    expect(htmlProblems(body)).toEqual([]);
    expect(body).toContain("<h1>R&amp;D fund offers loans at &lt; 1% to &quot;deep tech&quot; startups</h1>");
    expect(decodeEntities(/<title>([^<]*)<\/title>/.exec(body)![1]!)).toContain(article.title);
    expect(body).not.toContain("< 1%");

    expect(body.match(/<\/script/gi)).toHaveLength(1);
    const json = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(body)![1]!;
    expect(json).not.toContain("<");
    expect(JSON.parse(json).headline).toBe(article.title);
  });
});

describe("rendering is deterministic", () => {
  it("gives identical bytes for the same feed requested twice, and from a store loaded later", async () => {
    const later = await loadedStore();
    const laterApp = createApp({ store: later.store, site: later.site, logger: later.logger });
    for (const path of [...FEED_PATHS.map((f) => f.path), "/feeds.opml", "/", "/en/articles/chip-exports-hit-record"]) {
      const first = new Uint8Array(await (await app.request(path)).arrayBuffer());
      const second = new Uint8Array(await (await app.request(path)).arrayBuffer());
      const third = new Uint8Array(await (await laterApp.request(path)).arrayBuffer());
      expect(first.length, path).toBeGreaterThan(0);
      expect(Buffer.from(second).equals(Buffer.from(first)), path).toBe(true);
      expect(Buffer.from(third).equals(Buffer.from(first)), path).toBe(true);
    }
    await later.store.close();
  });
});
