/** The push API: bearer token, body checks that list every problem, nothing partial, withdrawals. */
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import { itemId } from "../../src/ingest/normalize.ts";
import { StoreError } from "../../src/store/errors.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { ingestDeps, memoryLogger, testSite } from "../helpers.ts";

const TOKEN = "push-token-for-tests-0123456789";
const stores: ArticleStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

function app(token: string | null = TOKEN) {
  const site = testSite();
  const store = openSqliteStore(":memory:");
  stores.push(store);
  const ingest = { ...ingestDeps(store, site), now: () => Date.parse("2026-11-20T03:00:00Z") };
  return { store, site, app: createApp({ store, site, logger: memoryLogger(), ingest, ingestToken: token }) };
}

const item = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  url: `https://partner.example/en/${id}`,
  title: `Story ${id}`,
  content_html: "<p>Body <script>alert(1)</script></p>",
  summary: "A summary.",
  date_published: "2026-11-19T09:00:00+09:00",
  authors: [{ name: "Partner Desk" }],
  tags: ["Partners"],
  language: "en",
  section: "business",
  ...extra,
});

/** A response body as JSON, loosely typed for assertions. */
const json = async (response: Response): Promise<any> => response.json();

function post(target: ReturnType<typeof app>["app"], body: unknown, headers: Record<string, string> = {}) {
  return target.request("/api/articles", {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

describe("POST /api/articles", () => {
  it("refuses a section the site does not have, naming the ones it has", async () => {
    const { app: target, store } = app();
    const response = await post(target, [item("a"), item("b", { section: "sports" })]);
    expect(response.status).toBe(400);
    expect((await json(response)).details).toEqual([
      '[1]: section "sports" is not one of ours (politics, business, society, culture, opinion)',
    ]);
    expect(await store.latest({ lang: "en", limit: 10 })).toEqual([]);
  });

  it("refuses a date-time of RFC 3339's shape that names no real instant", async () => {
    const { app: target } = app();
    const response = await post(
      target,
      item("bad-date", { date_published: "2026-02-31T99:99:99+99:99", date_modified: "2026-02-29T10:00:00Z" }),
    );
    expect(response.status).toBe(400);
    expect((await json(response)).details).toEqual([
      'date_published: "2026-02-31T99:99:99+99:99" is not a real date and time (day, hour, minute and offset must exist)',
      'date_modified: "2026-02-29T10:00:00Z" is not a real date and time (day, hour, minute and offset must exist)',
    ]);
    expect((await post(target, item("good-date", { date_published: "2028-02-29T23:59:59-12:00" }))).status).toBe(200);
  });

  it("refuses an article naming more than 64 other editions, and takes one naming 64", async () => {
    const { app: target, store } = app();
    // A push with 90 000 translations once left 170 000 pending links, scanned after every later push.
    const many = Array.from({ length: 90_000 }, (_, i) => `t${i}`);
    const refused = await post(target, item("many", { translations: many }));
    expect(refused.status).toBe(400);
    expect((await json(refused)).details).toEqual(["translations: 90000 entries, over the 64 other editions an article may name"]);
    expect(await store.byIds([itemId(testSite().settings, "push", "many")])).toEqual([]);

    const enough = await post(target, item("enough", { translations: many.slice(0, 64) }));
    expect(enough.status).toBe(200);
  });

  it("is off without a configured token", async () => {
    const response = await post(app(null).app, item("a"));
    expect(response.status).toBe(404);
    expect((await json(response)).error).toContain("INGEST_TOKEN");
  });

  it("refuses a missing or wrong token with 401 and a Bearer challenge", async () => {
    const { app: target } = app();
    for (const authorization of ["", "Bearer wrong-token-0123456789", `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const response = await post(target, item("a"), { Authorization: authorization });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain("Bearer");
    }
  });

  it("takes one JSON Feed item, sanitizes it and serves it in the feeds", async () => {
    const { app: target, store, site } = app();
    const response = await post(target, item("one"));
    expect(response.status).toBe(200);
    const result = await json(response);
    const id = itemId(site.settings, "push", "one");
    expect(result).toMatchObject({ ids: [id], new: [id], updated: [], failed: [] });
    const [stored] = await store.byIds([id]);
    expect(stored).toMatchObject({ title: "Story one", lang: "en", section: "business", source: "push" });
    expect(stored!.contentHtml).toBe("<p>Body </p>");
    const feed = await json(await target.request("/en/business/feed.json"));
    expect(feed.items[0].id).toBe(id);
  });

  it("takes an image described in _media, as our own JSON Feed writes it, and serves it back the same", async () => {
    const { app: target, store, site } = app();
    const media = {
      about: "https://elsewhere.example/extensions/media",
      url: "https://partner.example/img/port.jpg",
      mime_type: "image/jpeg",
      size_in_bytes: 48213,
      width: 1200,
      height: 675,
      alt: "Cranes at Busan port",
      caption: "Cranes   at <b>Pier 3</b>.",
      credit: "Photo: Lee Jun / Partner",
      copyright: "© 2026 Partner",
    };
    const pushed = item("pictured", { image: "https://partner.example/img/port.jpg", _media: media });
    expect((await post(target, pushed)).status).toBe(200);
    const [stored] = await store.byIds([itemId(site.settings, "push", "pictured")]);
    expect(stored!.image).toEqual({
      url: "https://partner.example/img/port.jpg",
      type: "image/jpeg",
      length: 48213,
      width: 1200,
      height: 675,
      alt: "Cranes at Busan port",
      caption: "Cranes at <b>Pier 3</b>.",
      credit: "Photo: Lee Jun / Partner",
      copyright: "© 2026 Partner",
    });
    const served = (await json(await target.request("/en/business/feed.json"))).items[0];
    expect(served._media).toEqual({ ...media, about: `${site.siteUrl}/extensions/media`, caption: "Cranes at <b>Pier 3</b>." });
    // A new credit is a change; the same push again is not.
    expect(await json(await post(target, pushed))).toMatchObject({ updated: [], unchanged: 1 });
    const recredited = await json(await post(target, { ...pushed, _media: { ...media, credit: "Photo: Kim Na-ra" } }));
    expect(recredited.updated).toEqual([itemId(site.settings, "push", "pictured")]);
  });

  it("refuses a _media it cannot read, naming each member, and one without an image", async () => {
    const { app: target, store } = app();
    const response = await post(target, [
      item("bad-media", {
        image: "https://partner.example/img/a.jpg",
        _media: {
          url: "https://partner.example/img/b.jpg",
          mime_type: "text/html",
          width: 0,
          height: 1.5,
          caption: "",
          credit: 7,
          by: "x",
        },
      }),
      item("no-image", { _media: { caption: "A caption for nothing." } }),
      item("list-media", { image: "https://partner.example/img/a.jpg", _media: ["a caption"] }),
    ]);
    expect(response.status).toBe(400);
    expect((await json(response)).details).toEqual([
      "[0]._media.by: is not a field of _media (known: about, url, mime_type, size_in_bytes, width, height, alt, caption, credit, copyright)",
      "[0]._media.url: must be the same URL as image, or left out",
      "[0]._media.mime_type: must be an image media type such as image/jpeg",
      "[0]._media.width: must be a whole number above 0",
      "[0]._media.height: must be a whole number above 0",
      "[0]._media.caption: must be a non-empty string (plain text)",
      "[0]._media.credit: must be a non-empty string (plain text)",
      "[1]._media: describes an image: give the image's URL in image",
      "[2]._media: must be an object such as {alt, caption, credit, copyright, width, height}",
    ]);
    expect(await store.latest({ lang: "en", limit: 10 })).toEqual([]);
  });

  it("takes an array, links translations named by id, and the second push of the same items changes nothing", async () => {
    const { app: target, store, site } = app();
    const body = [
      item("en-1", { translations: ["ko-1"] }),
      item("ko-1", { language: "ko", title: "한국어 기사", url: "https://partner.example/ko/ko-1" }),
    ];
    expect((await post(target, body)).status).toBe(200);
    const [en] = await store.byIds([itemId(site.settings, "push", "en-1")]);
    expect((await store.editions([en!.story])).map((e) => e.lang).sort()).toEqual(["en", "ko"]);
    const again = await json(await post(target, body));
    expect(again).toMatchObject({ new: [], updated: [], unchanged: 2 });
  });

  it("lists every problem by field with 400 and stores nothing", async () => {
    const { app: target, store } = app();
    const response = await post(target, [
      item("good"),
      { id: 7, title: "", content_text: 3, date_published: "yesterday", tags: "x", authors: [{}], extra: 1 },
      item("fr", { language: "fr" }),
    ]);
    expect(response.status).toBe(400);
    const { error, details } = await json(response);
    expect(error).toContain("nothing was stored");
    expect(details).toEqual(
      expect.arrayContaining([
        "[1].extra: is not a field of a pushed article",
        "[1].id: must be a non-empty string",
        "[1].title: must be a non-empty string",
        "[1].content_text: must be a non-empty string",
        expect.stringContaining("[1].date_published:"),
        "[1].tags: must be an array of non-empty strings",
        "[1].authors[0]: must be an object with a non-empty name",
      ]),
    );
    expect(await store.latest({ lang: "en", limit: 10 })).toEqual([]);
  });

  it("refuses a language the site does not publish, naming the item", async () => {
    const response = await post(app().app, [item("fr", { language: "fr" })]);
    expect(response.status).toBe(400);
    expect((await json(response)).details).toEqual([expect.stringContaining('[0]: language "fr" is not one of the site\'s')]);
  });

  it("answers 415 for a wrong content type, 413 for an oversized body and 400 for malformed JSON", async () => {
    const { app: target } = app();
    expect((await post(target, item("a"), { "Content-Type": "text/plain" })).status).toBe(415);
    expect((await post(target, JSON.stringify({ ...item("big"), content_html: "x".repeat(1_100_000) }))).status).toBe(413);
    const malformed = await post(target, '{"id": "a", "title": ');
    expect(malformed.status).toBe(400);
    expect((await json(malformed)).details[0]).toMatch(/JSON/);
  });
});

describe("DELETE /api/articles/{id}", () => {
  it("withdraws a pushed article from every feed and page, and 404s for an unknown one", async () => {
    const { app: target, site } = app();
    await post(target, item("gone"));
    const del = await target.request("/api/articles/gone", { method: "DELETE", headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(del.status).toBe(200);
    expect((await json(del)).withdrawn).toEqual([itemId(site.settings, "push", "gone")]);
    expect((await json(await target.request("/en/feed.json"))).items).toEqual([]);
    const again = await target.request("/api/articles/gone", { method: "DELETE", headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(again.status).toBe(404);
  });
});

describe("a store that cannot be written", () => {
  it("answers a push with 503 and Retry-After rather than 500, and stores nothing", async () => {
    const { store, site } = app();
    const full = new Proxy(store, {
      get(target, property) {
        if (property === "upsert")
          return async () =>
            Promise.reject(new StoreError("full", Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" })));
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const ingest = { ...ingestDeps(full, site), now: () => Date.parse("2026-11-20T03:00:00Z") };
    const target = createApp({ store: full, site, logger: memoryLogger(), ingest, ingestToken: TOKEN });
    const response = await post(target, item("while-full"));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("30");
    expect(await store.byIds([itemId(site.settings, "push", "while-full")])).toEqual([]);
  });
});
