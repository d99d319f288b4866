/**
 * Corrections and update times over real HTTP, on the real Node server (its short path for subscription
 * documents included): each language's corrections feed in every format with the serving guarantees of
 * the other feeds, the dated note on the article page and in its JSON-LD, and a pushed correction that
 * moves the article's update time in every format while a re-render moves nothing.
 */
import { parseFeed } from "@rowanmanning/feed-parser";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import Parser from "rss-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { itemId } from "../../src/ingest/normalize.ts";
import { TAG_URI } from "../feeds/every-feed.ts";
import { children, NS, only, parseXml, q, type XmlElement } from "../feeds/xml-dom.ts";
import { siteSettings } from "../helpers.ts";
import { startNode, type RunningNode } from "../hostile/node-runtime.ts";

const TOKEN = "corrections-push-token-0123456789";
const TYPHOON = "tag:hanbit.example,2026-09-01:article/en/typhoon-jeju-flights";
const TYPHOON_CORRECTION = "An earlier version of this article said Typhoon Ondal was the 15th of the season. It was the 14th.";
const schema = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "jsonfeed-1.1.schema.json"), "utf8"));
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats.default(ajv);
const validateJsonFeed = ajv.compile(schema);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

let node: RunningNode;

beforeAll(async () => {
  node = await startNode({ INGEST_TOKEN: TOKEN });
}, 60_000);
afterAll(async () => {
  await node?.stop();
});

/** One request by node:http, which neither adds nor decodes an encoding. */
function send(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${node.base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

const get = (path: string, headers: Record<string, string> = {}) => send("GET", path, headers);
const text = async (path: string) => {
  const answer = await get(path);
  expect(answer.status, path).toBe(200);
  return answer.body.toString("utf8");
};

async function push(body: unknown): Promise<{ ids: string[]; new: string[]; updated: string[]; unchanged: number }> {
  const answer = await send(
    "POST",
    "/api/articles",
    { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    JSON.stringify(body),
  );
  expect(answer.status, answer.body.toString()).toBe(200);
  return JSON.parse(answer.body.toString()) as { ids: string[]; new: string[]; updated: string[]; unchanged: number };
}

const rssItems = (xml: string) => children(only(parseXml(xml), q("", "channel")), q("", "item"));
const atomEntries = (xml: string) => children(parseXml(xml), q(NS.atom, "entry"));
const child = (element: XmlElement, name: string) => only(element, name).text;

describe("the corrections feed of a language", () => {
  it("lists the sample's correction in every format, with an id of its own, linking to the corrected article", async () => {
    const articleUrl = `${node.base}/en/articles/typhoon-jeju-flights`;
    const correctionId = `${TYPHOON}#correction-20260918T001000Z`;
    const expectedTitle = "Correction to: Typhoon Ondal grounds Jeju flights, stranding about 38,000 travelers";

    const rss = await get("/en/corrections/rss.xml");
    expect(rss.headers["content-type"]).toBe("application/rss+xml; charset=utf-8");
    const rssXml = rss.body.toString();
    const [item, ...more] = rssItems(rssXml);
    expect(more).toEqual([]);
    expect(child(item!, q("", "guid"))).toBe(correctionId);
    expect(only(item!, q("", "guid")).attributes.isPermaLink).toBe("false");
    expect(child(item!, q("", "link"))).toBe(articleUrl);
    expect(child(item!, q("", "title"))).toBe(expectedTitle);
    expect(child(item!, q(NS.dcterms, "modified"))).toBe("2026-09-18T09:10:00+09:00");
    expect(child(item!, q(NS.content, "encoded"))).toContain(`(2026-09-18 09:10 UTC+09:00):</strong> ${TYPHOON_CORRECTION}</p>`);
    const channel = only(parseXml(rssXml), q("", "channel"));
    expect(children(channel, q(NS.atom, "link")).find((l) => l.attributes.rel === "self")!.attributes.href).toBe(
      `${node.base}/en/corrections/rss.xml`,
    );
    const read = await new Parser().parseString(rssXml);
    expect(read.items.map((i) => [i.guid, i.link, i.title])).toEqual([[correctionId, articleUrl, expectedTitle]]);

    const atomXml = await text("/en/corrections/atom.xml");
    const [entry] = atomEntries(atomXml);
    expect(child(entry!, q(NS.atom, "id"))).toBe(correctionId);
    expect(child(entry!, q(NS.atom, "id"))).toMatch(TAG_URI);
    expect(child(entry!, q(NS.atom, "updated"))).toBe("2026-09-18T09:10:00+09:00");
    expect(only(entry!, q(NS.atom, "link")).attributes.href).toBe(articleUrl);
    const parsed = parseFeed(atomXml);
    expect(parsed.self).toBe(`${node.base}/en/corrections/atom.xml`);
    expect(parsed.items.map((i) => [i.id, i.url, i.title])).toEqual([[correctionId, articleUrl, expectedTitle]]);

    const json = JSON.parse(await text("/en/corrections/feed.json"));
    expect(validateJsonFeed(json), JSON.stringify(validateJsonFeed.errors)).toBe(true);
    expect(json.feed_url).toBe(`${node.base}/en/corrections/feed.json`);
    expect(json.items).toHaveLength(1);
    expect(json.items[0]).toMatchObject({
      id: correctionId,
      url: articleUrl,
      title: expectedTitle,
      summary: TYPHOON_CORRECTION,
      date_published: "2026-09-18T09:10:00+09:00",
      date_modified: "2026-09-18T09:10:00+09:00",
    });
  });

  it("is empty, and still valid, in a language without corrections; an unknown format is a 404", async () => {
    expect(rssItems(await text("/ko/corrections/rss.xml"))).toEqual([]);
    expect(atomEntries(await text("/ko/corrections/atom.xml"))).toEqual([]);
    const json = JSON.parse(await text("/ko/corrections/feed.json"));
    expect(validateJsonFeed(json)).toBe(true);
    expect(json.items).toEqual([]);
    expect((await get("/en/corrections/index.xml")).status).toBe(404);
    expect((await get("/xx/corrections/rss.xml")).status).toBe(404);
  });

  it("answers If-None-Match and If-Modified-Since with 304, and serves gzip and brotli of the same bytes", async () => {
    for (const path of [
      "/en/corrections/rss.xml",
      "/en/corrections/atom.xml",
      "/en/corrections/feed.json",
      "/en/corrections/rss.xml?limit=5",
    ]) {
      const plain = await get(path);
      const etag = plain.headers.etag as string;
      expect(etag, path).toMatch(/^"[0-9a-f]{16}"$/);
      expect(plain.headers["last-modified"], path).toBe("Fri, 18 Sep 2026 00:10:00 GMT");
      expect(plain.headers["cache-control"], path).toMatch(/^public, max-age=\d+/);
      expect((await get(path, { "If-None-Match": etag })).status, path).toBe(304);
      expect((await get(path, { "If-None-Match": `W/${etag}` })).status, path).toBe(304);
      expect((await get(path, { "If-Modified-Since": plain.headers["last-modified"] as string })).status, path).toBe(304);
      const gzip = await get(path, { "Accept-Encoding": "gzip" });
      expect(gzip.headers["content-encoding"], path).toBe("gzip");
      expect(gunzipSync(gzip.body).equals(plain.body), path).toBe(true);
      const brotli = await get(path, { "Accept-Encoding": "br" });
      expect(brotli.headers["content-encoding"], path).toBe("br");
      expect(brotliDecompressSync(brotli.body).equals(plain.body), path).toBe(true);
    }
  });
});

describe("the corrected article's page", () => {
  it("shows each correction, dated in the page's language, below the body, and in JSON-LD as CorrectionComment", async () => {
    const page = await text("/en/articles/typhoon-jeju-flights");
    const body = page.slice(page.indexOf("<article>"), page.indexOf("</article>"));
    const note = body.indexOf('<aside class="corrections"');
    expect(note).toBeGreaterThan(body.indexOf("Jeju stranded-traveler support page"));
    expect(body.slice(note)).toContain('<h2 id="corrections-heading">Corrections</h2>');
    expect(body.slice(note)).toContain(
      `<strong>Correction</strong> <time datetime="2026-09-18T09:10:00+09:00">September 18, 2026 09:10 KST</time>: ${TYPHOON_CORRECTION}`,
    );
    const ld = JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(page)![1]!);
    expect(ld["@type"]).toBe("NewsArticle");
    expect(ld.correction).toEqual([{ "@type": "CorrectionComment", datePublished: "2026-09-18T09:10:00+09:00", text: TYPHOON_CORRECTION }]);
    expect(ld.dateModified).toBe("2026-09-18T09:10:00+09:00");

    const uncorrected = await text("/ko/articles/typhoon-jeju-flights");
    expect(uncorrected).not.toContain('class="corrections"');
    expect(uncorrected).not.toContain("CorrectionComment");
  });
});

describe("a correction pushed to an article", () => {
  const settings = siteSettings();
  const id = itemId(settings, "push", "corr-1");
  const article = {
    id: "corr-1",
    url: "https://partner.example/en/corr-1",
    title: "Port strike ends after nine days",
    content_html: "<p>Dockworkers in Busan returned to work on Friday.</p>",
    summary: "The strike is over.",
    date_published: "2026-11-20T09:00:00+09:00",
    language: "en",
    section: "business",
  };
  const correction = { date_published: "2026-11-21T10:00:00+09:00", text: "The strike lasted nine days, not ten." };
  const feeds = ["/en/business/rss.xml?limit=100", "/en/business/atom.xml?limit=100", "/en/business/feed.json?limit=100"];

  /** The article's update time and content in each format, as served. */
  async function served(): Promise<{ modified: string; content: string }[]> {
    const [rss, atom, json] = await Promise.all(feeds.map(text));
    const item = rssItems(rss!).find((i) => child(i, q("", "guid")) === id)!;
    const entry = atomEntries(atom!).find((e) => child(e, q(NS.atom, "id")) === id)!;
    const jsonItem = (JSON.parse(json!) as { items: { id: string; date_modified: string; content_html: string }[] }).items.find(
      (i) => i.id === id,
    )!;
    return [
      { modified: child(item, q(NS.dcterms, "modified")), content: child(item, q(NS.content, "encoded")) },
      { modified: child(entry, q(NS.atom, "updated")), content: child(entry, q(NS.atom, "content")) },
      { modified: jsonItem.date_modified, content: jsonItem.content_html },
    ];
  }

  it("moves the update time in every format and tops the corrections feed; a re-render or an unchanged push moves nothing", async () => {
    expect((await push(article)).new).toEqual([id]);
    const first = await served();
    expect(first.map((f) => f.modified)).toEqual(Array(3).fill("2026-11-20T09:00:00+09:00"));
    const correctionsEtag = (await get("/en/corrections/atom.xml")).headers.etag as string;

    // Another article changes the feeds' version, so they render again: this one's update time stays.
    await push({ ...article, id: "corr-2", url: "https://partner.example/en/corr-2", title: "Another story" });
    expect(await served()).toEqual(first);
    const rerendered = await get("/en/corrections/atom.xml");
    expect(rerendered.headers.etag).toBe(correctionsEtag);
    expect((await get("/en/corrections/atom.xml", { "If-None-Match": correctionsEtag })).status).toBe(304);

    // The same article again, its body's white space aside: no change.
    const same = await push({ ...article, content_html: "<p>Dockworkers in Busan   returned to work\n on Friday.</p>" });
    expect(same).toMatchObject({ new: [], updated: [], unchanged: 1 });
    expect(await served()).toEqual(first);

    // A correction is a real change: the update time is the correction's, and the note follows the body.
    expect((await push({ ...article, corrections: [correction] })).updated).toEqual([id]);
    const corrected = await served();
    const note = `<p><strong>Correction (2026-11-21 10:00 UTC+09:00):</strong> ${correction.text}</p>`;
    for (const format of corrected) {
      expect(format.modified).toBe("2026-11-21T10:00:00+09:00");
      expect(format.content).toBe(`<p>Dockworkers in Busan returned to work on Friday.</p>${note}`);
    }
    const after = await get("/en/corrections/atom.xml", { "If-None-Match": correctionsEtag });
    expect(after.status).toBe(200);
    expect(atomEntries(after.body.toString()).map((e) => [child(e, q(NS.atom, "id")), child(e, q(NS.atom, "title"))])).toEqual([
      [`${id}#correction-20261121T010000Z`, "Correction to: Port strike ends after nine days"],
      [`${TYPHOON}#correction-20260918T001000Z`, "Correction to: Typhoon Ondal grounds Jeju flights, stranding about 38,000 travelers"],
    ]);
    expect(rssItems(await text("/en/corrections/rss.xml")).map((i) => child(i, q("", "guid")))).toEqual([
      `${id}#correction-20261121T010000Z`,
      `${TYPHOON}#correction-20260918T001000Z`,
    ]);

    // The same correction again, its text's white space aside: no change.
    expect(await push({ ...article, corrections: [{ ...correction, text: `  ${correction.text.replace(" ", "\n ")} ` }] })).toMatchObject({
      updated: [],
      unchanged: 1,
    });
    expect(await served()).toEqual(corrected);
  });

  it("keeps markup in a correction's text as text: on the page, in its JSON-LD and in every feed", async () => {
    const hostile = `Fixed </script><script>alert(1)</script> & <img src=x onerror=alert(2)> "quotes"`;
    const hostileArticle = {
      ...article,
      id: "corr-hostile",
      url: undefined,
      title: "A story with a hostile correction",
      corrections: [{ date_published: "2026-11-22T08:00:00+09:00", text: hostile }],
    };
    expect((await push(hostileArticle)).new).toEqual([itemId(settings, "push", "corr-hostile")]);
    const feed = JSON.parse(await text("/en/business/feed.json?limit=100")) as { items: { id: string; url: string }[] };
    const slugPath = new URL(feed.items.find((i) => i.id === itemId(settings, "push", "corr-hostile"))!.url).pathname;
    const page = await text(slugPath);
    expect(page).not.toContain("<script>alert");
    expect(page).not.toContain("<img src=x");
    expect(page).toContain(
      "Fixed &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt; &quot;quotes&quot;",
    );
    const scripts = [...page.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts).toEqual(['<script type="application/ld+json">']);
    const ld = JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(page)![1]!);
    expect(ld.correction[0].text).toBe(hostile);
    for (const path of ["/en/corrections/rss.xml", "/en/corrections/atom.xml", "/en/business/atom.xml?limit=100"]) {
      const xml = await text(path);
      expect(() => parseXml(xml), path).not.toThrow();
      expect(xml, path).not.toContain("<script>");
      expect(xml, path).not.toContain("<img src=x");
    }
  });

  it("refuses malformed corrections field by field, storing nothing", async () => {
    const answer = await send(
      "POST",
      "/api/articles",
      { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      JSON.stringify({
        ...article,
        id: "corr-bad",
        corrections: [
          { date_published: "yesterday", text: "" },
          { date_published: "2026-11-21T10:00:00+09:00", text: "Fine.", by: "Desk" },
        ],
      }),
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body.toString()).details).toEqual([
      "corrections[0].date_published: must be an RFC 3339 date-time such as 2023-09-14T08:17:00+09:00",
      "corrections[0].text: must be a non-empty string",
      "corrections[1].by: is not a field of a correction (date_published, text)",
    ]);
    const early = await send(
      "POST",
      "/api/articles",
      { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      JSON.stringify({ ...article, id: "corr-early", corrections: [{ date_published: "2026-11-19T10:00:00+09:00", text: "Too early." }] }),
    );
    expect(early.status).toBe(400);
    expect(early.body.toString()).toContain("before the article's publication");
    const feed = await text("/en/business/atom.xml?limit=100");
    expect(feed).not.toContain(itemId(settings, "push", "corr-bad"));
    expect(feed).not.toContain(itemId(settings, "push", "corr-early"));
  });
});
