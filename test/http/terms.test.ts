/**
 * Author and tag feeds and pages over real HTTP, through the same listener Node serves (the short way
 * to subscription feeds in front of the app): what each holds, its slug, 404s, validators, encodings,
 * `?limit=`, previews, archive months, editions, which feeds an edit moves, and a render cache of their
 * own that a walk over every tag cannot empty of the section feeds crawlers poll.
 */
import { getRequestListener } from "@hono/node-server";
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createService, type AppDeps } from "../../src/http/app.ts";
import { memoryCache } from "../../src/http/render-cache.ts";
import type { Article } from "../../src/model/article.ts";
import { namesOf, TERM_DIRECTORIES, termKey, termName, termSegment, type Term } from "../../src/model/terms.ts";
import { withFeedPath } from "../../src/runtime/node-feeds.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { termsOf } from "../feeds/every-feed.ts";
import { makeArticle } from "../store/contract.ts";
import { CONTENT_DIR, loadedStore, memoryLogger, readContentDir, SITE_URL, testSite } from "../helpers.ts";

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

const NOW = Date.parse("2026-11-27T12:00:00Z");
const site = testSite();
const all: Article[] = readContentDir(CONTENT_DIR, site.settings, site.siteUrl).articles;

/** A server as Node's entry builds one: the short way to subscription feeds in front of the app. */
async function serve(store: ArticleStore, extra: Partial<AppDeps> = {}) {
  const service = createService({
    store,
    site,
    logger: memoryLogger(),
    cache: memoryCache(),
    now: () => NOW,
    compress: (body, encoding) => (encoding === "gzip" ? gzipSync(body) : brotliCompressSync(body)),
    ...extra,
  });
  const listener = getRequestListener(service.app.fetch);
  const server = createServer(withFeedPath(service, site, (req, res) => void listener(req, res)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, service };
}

function get(server: Server, path: string, headers: Record<string, string> = {}): Promise<Raw> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode!, headers: res.headers, body, text: body.toString("utf8") });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));
const dir = (lang: string, term: Term) => `/${lang}/${TERM_DIRECTORIES[term.kind]}/${termSegment(term.key)}/`;
const tag = (key: string): Term => ({ kind: "tag", key });
const author = (key: string): Term => ({ kind: "author", key });

/** The articles of a term in a language, worked out from the content folder: newest first, id breaking ties. */
function expectedOf(lang: string, term: Term, articles: readonly Article[] = all): string[] {
  return articles
    .filter((a) => a.lang === lang && namesOf(a, term.kind).some((n) => termKey(n) === term.key))
    .sort((a, b) => b.published.ms - a.published.ms || (a.id < b.id ? 1 : -1))
    .slice(0, site.settings.itemCount)
    .map((a) => a.id);
}

const itemIds = {
  json: (text: string) => (JSON.parse(text) as { items: { id: string }[] }).items.map((i) => i.id),
  rss: (text: string) => [...text.matchAll(/<guid isPermaLink="false">([^<]*)<\/guid>/g)].map((m) => m[1]),
  atom: (text: string) => [...text.matchAll(/<entry>\n<id>([^<]*)<\/id>/g)].map((m) => m[1]),
};

describe("author and tag feeds over HTTP", () => {
  let store: ArticleStore;
  let server: Server;

  beforeEach(async () => {
    ({ store } = await loadedStore(site));
    ({ server } = await serve(store));
  });
  afterEach(async () => {
    await close(server);
    await store.close();
  });

  it("serves every author and tag of every language in the three formats, each holding exactly its articles", async () => {
    let feeds = 0;
    for (const language of site.settings.languages) {
      const terms = termsOf(all, language.tag);
      expect(terms.some((t) => t.kind === "author") && terms.some((t) => t.kind === "tag"), language.tag).toBe(true);
      for (const term of terms) {
        const expected = expectedOf(language.tag, term);
        expect(expected.length).toBeGreaterThan(0);
        for (const [file, format, type] of [
          ["feed.json", "json", "application/feed+json; charset=utf-8"],
          ["rss.xml", "rss", "application/rss+xml; charset=utf-8"],
          ["atom.xml", "atom", "application/atom+xml; charset=utf-8"],
        ] as const) {
          const path = `${dir(language.tag, term)}${file}`;
          const response = await get(server, path);
          expect(response.status, path).toBe(200);
          expect(response.headers["content-type"], path).toBe(type);
          expect(itemIds[format](response.text), path).toEqual(expected);
          feeds++;
        }
      }
    }
    expect(feeds).toBeGreaterThan(300);
  });

  it("names each by its slug: percent-encoded UTF-8 for Hangul, kana and Han, its own URL in every format", async () => {
    const cases: [string, Term][] = [
      ["ko", tag("수출")],
      ["ja", tag("ソリム市")],
      ["ja", tag("補欠選挙")],
      ["zh-Hans", termsOf(all, "zh-Hans").find((t) => t.kind === "tag" && /\p{Script=Han}/u.test(t.key))!],
      ["en", tag("r&d")],
    ];
    expect(dir("ko", tag("수출"))).toBe("/ko/tags/%EC%88%98%EC%B6%9C/");
    expect(dir("en", tag("r&d"))).toBe("/en/tags/r%26d/");
    for (const [lang, term] of cases) {
      const feed = JSON.parse((await get(server, `${dir(lang, term)}feed.json`)).text);
      expect(feed.home_page_url).toBe(`${SITE_URL}${dir(lang, term)}`);
      expect(feed.feed_url).toBe(`${SITE_URL}${dir(lang, term)}feed.json`);
      const shown = termName(
        term,
        all.filter((a) => expectedOf(lang, term).includes(a.id)).sort((a, b) => b.published.ms - a.published.ms),
      );
      expect(feed.title).toBe(`${site.settings.languages.find((l) => l.tag === lang)!.title} · #${shown}`);
      const atom = (await get(server, `${dir(lang, term)}atom.xml`)).text;
      expect(atom).toContain(`<link rel="self" type="application/atom+xml" href="${SITE_URL}${dir(lang, term)}atom.xml"/>`);
      expect(atom).toContain(`<id>tag:hanbit.example,2026-09-01:feed/${lang}/tags/${termSegment(term.key)}</id>`);
    }
  });

  it("redirects any other spelling of a slug to it, keeping the rest of the path and the query", async () => {
    const redirects: [string, string][] = [
      ["/en/tags/AI/rss.xml?limit=2", "/en/tags/ai/rss.xml?limit=2"],
      ["/en/authors/Kang%20Min-seo/", "/en/authors/kang-min-seo/"],
      ["/en/authors/KANG%20MIN-SEO/archive/2026-10/atom.xml", "/en/authors/kang-min-seo/archive/2026-10/atom.xml"],
      ["/en/tags/AI", "/en/tags/ai/"],
      ["/en/tags/ai", "/en/tags/ai/"],
      ["/ko/tags/%EC%88%98%EC%B6%9C", "/ko/tags/%EC%88%98%EC%B6%9C/"],
    ];
    for (const [from, to] of redirects) {
      const response = await get(server, from);
      expect(response.status, from).toBe(301);
      expect(response.headers.location, from).toBe(to);
    }
    // Lower-case hex is the same slug: no redirect.
    expect((await get(server, "/ko/tags/%ec%88%98%ec%b6%9c/rss.xml")).status).toBe(200);
  });

  it("answers an unknown author or tag, or one of another language only, with a 404 naming it", async () => {
    const misses: [string, string][] = [
      ["/en/tags/no-such-tag/rss.xml", 'Not found: no tag "no-such-tag" in en\n'],
      ["/en/tags/no-such-tag/", 'Not found: no tag "no-such-tag" in en\n'],
      ["/en/authors/nobody/feed.json", 'Not found: no author "nobody" in en\n'],
      ["/en/tags/%EC%88%98%EC%B6%9C/atom.xml", 'Not found: no tag "수출" in en\n'],
      ["/en/tags/ai/feed.xml", 'Not found: no feed format "feed.xml" (formats: rss.xml, atom.xml, feed.json)\n'],
      ["/en/tags/ai/archive/2020-01/rss.xml", "Not found: no articles in en/tags/ai archive 2020-01\n"],
      ["/xx/tags/ai/rss.xml", 'Not found: no language "xx" (languages: ko, en, ja, zh-Hans)\n'],
    ];
    for (const [path, text] of misses) {
      const response = await get(server, path);
      expect(response.status, path).toBe(404);
      expect(response.headers["content-type"], path).toBe("text/plain; charset=UTF-8");
      expect(response.text, path).toBe(text);
    }
  });

  it("keeps names that slug alike as one author or tag (ASCII case, spaces as hyphens), named as the newest article writes them", async () => {
    const fixture = (slug: string, day: number, tags: string[], authors: string[]) =>
      makeArticle(
        { lang: "en", section: "culture", slug, published: `2026-11-${String(day).padStart(2, "0")}T09:00:00+09:00` },
        { authors: authors.map((name) => ({ name })), tags },
      );
    const older = fixture("kpop-older", 1, ["K-Pop", "東京/大阪"], ["Émile Zola"]);
    const newer = fixture("kpop-newer", 2, ["k pop"], ["émile zola"]);
    await store.upsert([older, newer]);
    const merged = JSON.parse((await get(server, "/en/tags/k-pop/feed.json")).text);
    expect(merged.items.map((i: { id: string }) => i.id)).toEqual([newer.id, older.id]);
    expect(merged.title).toBe("Hanbit Daily · #k pop");
    // A slash in a name is part of its one segment; letters outside ASCII keep their case, so these two are apart.
    expect(itemIds.json((await get(server, "/en/tags/%E6%9D%B1%E4%BA%AC%2F%E5%A4%A7%E9%98%AA/feed.json")).text)).toEqual([older.id]);
    expect(itemIds.json((await get(server, "/en/authors/%C3%89mile-zola/feed.json")).text)).toEqual([older.id]);
    expect(itemIds.json((await get(server, "/en/authors/%C3%A9mile-zola/feed.json")).text)).toEqual([newer.id]);
  });

  it("gives validators, 304s, both encodings, ?limit= and a browser preview, as section feeds do", async () => {
    const path = "/en/authors/kang-min-seo/rss.xml";
    const first = await get(server, path);
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    const newest = all
      .filter((a) => expectedOf("en", author("kang-min-seo")).includes(a.id))
      .reduce((a, b) => (b.updated.ms > a.updated.ms ? b : a));
    expect(Date.parse(first.headers["last-modified"]!)).toBe(newest.updated.ms);
    expect(first.headers["cache-control"]).toBe("public, max-age=300, stale-while-revalidate=300, stale-if-error=86400");
    expect((await get(server, path)).headers["x-cache"]).toBe("HIT");
    expect((await get(server, path, { "If-None-Match": etag })).status).toBe(304);
    expect((await get(server, path, { "If-Modified-Since": first.headers["last-modified"]! })).status).toBe(304);
    const gzip = await get(server, path, { "Accept-Encoding": "gzip" });
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gzip.body).toString("utf8")).toBe(first.text);
    const br = await get(server, path, { "Accept-Encoding": "br" });
    expect(br.headers["content-encoding"]).toBe("br");
    expect(brotliDecompressSync(br.body).toString("utf8")).toBe(first.text);
    expect(br.headers.etag).toBe(etag);

    expect(itemIds.rss((await get(server, `${path}?limit=1`)).text)).toEqual(expectedOf("en", author("kang-min-seo")).slice(0, 1));
    const bad = await get(server, `${path}?limit=0`);
    expect(bad.status).toBe(400);
    expect(bad.text).toBe('Bad request: limit must be a whole number from 1 to 100, not "0"\n');

    const preview = await get(server, path, { "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document" });
    expect(preview.headers["content-type"]).toMatch(/^text\/html/);
    expect(preview.text).toContain("Kang Min-seo");
    expect(preview.text).not.toContain("<script");
  });

  it("links archive months (RFC 5005) that hold the term's articles of that month, and the other editions of each story", async () => {
    const ai = expectedOf("en", tag("ai"));
    const article = all.find((a) => a.id === ai[0])!;
    const month = article.published.iso.slice(0, 7);
    const subscription = (await get(server, "/en/tags/ai/atom.xml")).text;
    expect(subscription).toContain(
      `<link rel="prev-archive" type="application/atom+xml" href="${SITE_URL}/en/tags/ai/archive/${month}/atom.xml"/>`,
    );
    const archive = await get(server, `/en/tags/ai/archive/${month}/atom.xml`);
    expect(archive.status).toBe(200);
    expect(archive.text).toContain("<fh:archive/>");
    // The tag's only month holds all of it: no neighbour to link, so it says it is complete, and names no current document.
    expect(ai.every((id) => all.find((a) => a.id === id)!.published.iso.startsWith(month))).toBe(true);
    expect(archive.text).toContain("<fh:complete/>");
    expect(archive.text).not.toContain('rel="current"');
    expect(archive.text).not.toMatch(/rel="(prev|next)-archive"/);
    // A month with neighbours links them and the current document, and is not complete.
    const section = (await get(server, `/en/archive/${month}/atom.xml`)).text;
    expect(section).toMatch(/rel="(prev|next)-archive"/);
    expect(section).toContain(`<link rel="current" type="application/atom+xml" href="${SITE_URL}/en/atom.xml"/>`);
    expect(section).not.toContain("<fh:complete/>");
    expect(itemIds.atom(archive.text)).toEqual(ai.filter((id) => all.find((a) => a.id === id)!.published.iso.startsWith(month)));
    for (const edition of all.filter((a) => a.story === article.story && a.lang !== "en"))
      expect(subscription).toContain(`hreflang="${edition.lang}" title="${edition.title}" href="${edition.url}"/>`);
  });

  it("moves with an edit the validators of exactly the feeds the article is in", async () => {
    const article = all.find((a) => a.id === expectedOf("en", tag("ai"))[0])!;
    const inFeeds = [
      "/en/rss.xml",
      `/en/${article.section}/rss.xml`,
      ...article.authors.map((a) => `${dir("en", author(termKey(a.name)))}rss.xml`),
      ...article.tags.map((t) => `${dir("en", tag(termKey(t)))}atom.xml`),
    ];
    const enTerms = termsOf(all, "en").filter((t) => !expectedOf("en", t).includes(article.id));
    const outside = [
      `/en/${site.settings.languages[1]!.sections.find((s) => s.slug !== article.section)!.slug}/rss.xml`,
      ...enTerms.slice(0, 8).map((t) => `${dir("en", t)}feed.json`),
    ];
    const etags = async (paths: string[]) => Promise.all(paths.map(async (p) => (await get(server, p)).headers.etag));
    const before = { in: await etags(inFeeds), out: await etags(outside) };
    expect(before.in.every(Boolean) && before.out.every(Boolean)).toBe(true);
    const [stored] = await store.byIds([article.id]);
    await store.upsert([{ ...stored!, title: "A headline edited for the feeds it is in" }]);
    const after = { in: await etags(inFeeds), out: await etags(outside) };
    inFeeds.forEach((path, i) => expect(after.in[i], path).not.toBe(before.in[i]));
    expect(after.out).toEqual(before.out);
    for (const path of outside) expect((await get(server, path)).headers["x-cache"], path).toBe("HIT");
  });
});

describe("author and tag pages", () => {
  let store: ArticleStore;
  let server: Server;

  beforeAll(async () => {
    ({ store } = await loadedStore(site));
    ({ server } = await serve(store));
  });
  afterAll(async () => {
    await close(server);
    await store.close();
  });

  it("list the term's articles with autodiscovery of its three feeds first, in the page's language", async () => {
    const term = tag("수출");
    const page = await get(server, dir("ko", term));
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=UTF-8");
    expect(page.text).toContain('<html lang="ko">');
    expect(page.text).toContain("<h1>#수출</h1>");
    expect(page.text).toContain("태그");
    const discovery = [...page.text.matchAll(/<link rel="alternate" type="([^"]+)" hreflang="([^"]+)" title="[^"]*" href="([^"]+)">/g)];
    expect(discovery.slice(0, 3).map((m) => [m[1], m[2], m[3]])).toEqual([
      ["application/rss+xml", "ko", `${SITE_URL}${dir("ko", term)}rss.xml`],
      ["application/atom+xml", "ko", `${SITE_URL}${dir("ko", term)}atom.xml`],
      ["application/feed+json", "ko", `${SITE_URL}${dir("ko", term)}feed.json`],
    ]);
    for (const id of expectedOf("ko", term)) {
      const article = all.find((a) => a.id === id)!;
      expect(page.text).toContain(`<a href="/ko/articles/${article.slug}">`);
    }
    expect(page.text).not.toMatch(/<script|style=/);
  });

  it("are linked from each article page's byline and tags, and each link answers with the article listed", async () => {
    const article = all.find((a) => a.lang === "ja" && a.tags.length > 1 && a.authors.length > 0)!;
    const html = (await get(server, `/ja/articles/${article.slug}`)).text;
    const byline = /<p class="byline">[^:]*: (.*)<\/p>/.exec(html)![1]!;
    const links = [...html.matchAll(/<a href="(\/ja\/(?:authors|tags)\/[^"]+\/)">([^<]+)<\/a>/g)];
    expect(links.map((m) => m[2])).toEqual([...article.authors.map((a) => a.name), ...article.tags]);
    expect(byline).toContain(`<a href="${dir("ja", author(termKey(article.authors[0]!.name)))}">`);
    for (const [, href] of links) {
      const page = await get(server, href!);
      expect(page.status, href).toBe(200);
      expect(page.text, href).toContain(`<a href="/ja/articles/${article.slug}">`);
    }
  });
});

describe("bounds", () => {
  it("keeps the section feeds crawlers poll in the render cache however many author and tag feeds are walked", async () => {
    const { store } = await loadedStore(site);
    // Room for every language and section document (72) and a little more: a shared cache would lose them.
    const { server } = await serve(store, { cache: memoryCache(80) });
    try {
      const polled = ["/en/politics/rss.xml", "/ko/atom.xml", "/ja/society/feed.json"];
      for (const path of polled) expect((await get(server, path)).headers["x-cache"], path).toBe("MISS");
      for (const path of polled) expect((await get(server, path)).headers["x-cache"], path).toBe("HIT");
      const walked: string[] = [];
      for (const language of site.settings.languages)
        for (const term of termsOf(all, language.tag))
          for (const file of ["rss.xml", "atom.xml", "feed.json"]) {
            const path = `${dir(language.tag, term)}${file}`;
            expect((await get(server, path)).status, path).toBe(200);
            walked.push(path);
          }
      expect(walked.length).toBeGreaterThan(80 + 128);
      for (const path of polled) expect((await get(server, path)).headers["x-cache"], path).toBe("HIT");
      // The author and tag feeds have a bounded space of their own: the first walked has left it.
      expect((await get(server, walked[0]!)).headers["x-cache"]).toBe("MISS");
    } finally {
      await close(server);
      await store.close();
    }
  });
});
