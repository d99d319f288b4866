/**
 * The push API under attack, through createApp(...).request: tokens that are missing, wrong or nearly
 * right, bodies that are too large (declared, understated or streamed without end), of the wrong type,
 * malformed, nested ten thousand deep or holding ten thousand items. Each is refused with its status and
 * a JSON problem, and the store is checked after each: nothing partial is ever stored.
 */
import fc from "../fast-check.ts";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_PUSH_BYTES } from "../../src/http/routes/push.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { everyArticle, expectFeedsHold, hostileApp, runs, TOKEN } from "./support.ts";

const stores: ArticleStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

function pushApp(token: string | null = TOKEN) {
  const made = hostileApp({ token });
  stores.push(made.store);
  return made;
}

const item = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  title: `Story ${id}`,
  content_html: "<p>Body.</p>",
  date_published: "2026-11-19T09:00:00+09:00",
  language: "en",
  section: "business",
  ...extra,
});

type Body = string | Uint8Array | ReadableStream<Uint8Array>;

function post(app: ReturnType<typeof pushApp>["app"], body: Body, headers: Record<string, string> = {}) {
  return app.request("/api/articles", {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json", ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  });
}

/** The problem a refused request answers with, after checking that nothing at all was stored. */
async function expectRefused(made: ReturnType<typeof pushApp>, response: Response, status: number) {
  const text = await response.text();
  expect(response.status, text.slice(0, 300)).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const problem = JSON.parse(text) as { error: string; details?: string[] };
  expect(problem.error).toMatch(/\S/);
  expect(await everyArticle(made.store, made.site)).toEqual([]);
  expect(await made.store.feedVersions()).toEqual([]);
  return problem;
}

describe("the bearer token", () => {
  it.each([
    ["no Authorization header", null],
    ["an empty header", ""],
    ["the scheme alone", "Bearer"],
    ["the scheme and a space", "Bearer "],
    ["Basic with the token", `Basic ${TOKEN}`],
    ["the token without a scheme", TOKEN],
    ["a prefix of the token", `Bearer ${TOKEN.slice(0, -1)}`],
    ["the token and one more character", `Bearer ${TOKEN}x`],
    ["the token in upper case", `Bearer ${TOKEN.toUpperCase()}`],
    ["the token with an invisible soft hyphen", `Bearer ${TOKEN.slice(0, 5)}\u00ad${TOKEN.slice(5)}`],
    ["two credentials, the right one second", `Bearer wrong, Bearer ${TOKEN}`],
    ["a 10 KB token", `Bearer ${"t".repeat(10_000)}`],
  ])("refuses %s with 401 and a Bearer challenge, storing nothing", async (_name, authorization) => {
    const made = pushApp();
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      ...(authorization === null ? {} : { Authorization: authorization }),
    };
    const response = await made.app.request("/api/articles", { method: "POST", headers, body: JSON.stringify(item("a")) });
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="api"');
    await expectRefused(made, response, 401);
  });

  it("takes no token from the query string or another header", async () => {
    const made = pushApp();
    const response = await made.app.request(`/api/articles?access_token=${TOKEN}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Ingest-Token": TOKEN },
      body: JSON.stringify(item("a")),
    });
    await expectRefused(made, response, 401);
  });

  it("guards /api/stats and DELETE the same way, and turns the whole API off without a token", async () => {
    const made = pushApp();
    for (const [path, method] of [
      ["/api/stats", "GET"],
      ["/api/articles/a", "DELETE"],
    ]) {
      expect((await made.app.request(path!, { method, headers: { Authorization: "Bearer wrong-token-0123456789" } })).status).toBe(401);
    }
    const off = pushApp(null);
    for (const [path, method] of [
      ["/api/stats", "GET"],
      ["/api/articles/a", "DELETE"],
      ["/api/articles", "POST"],
    ]) {
      const response = await off.app.request(path!, { method, headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: string }).error).toContain("INGEST_TOKEN");
    }
  });
});

describe("body size", () => {
  const big = JSON.stringify(item("big", { content_html: "x".repeat(MAX_PUSH_BYTES) }));

  it("answers 413 for a body over the limit", async () => {
    const made = pushApp();
    await expectRefused(made, await post(made.app, big), 413);
  });

  it("answers 413 when the Content-Length says so, before reading", async () => {
    const made = pushApp();
    await expectRefused(made, await post(made.app, JSON.stringify(item("a")), { "Content-Length": String(MAX_PUSH_BYTES + 1) }), 413);
  });

  it("answers 413 when the Content-Length understates the body", async () => {
    const made = pushApp();
    await expectRefused(made, await post(made.app, big, { "Content-Length": "100" }), 413);
  });

  it("answers 413 for a streamed body of unknown length, and for one that never ends, without reading it all", async () => {
    const made = pushApp();
    const chunk = new TextEncoder().encode(" ".repeat(64 * 1024));
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(chunk);
      },
    });
    await expectRefused(made, await post(made.app, endless), 413);
    // The limit is 16 chunks; a few more may be in flight, never the hundreds an unbounded read would take.
    expect(pulled).toBeLessThan(40);
    const finite = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    await expectRefused(made, await post(made.app, finite), 413);
  });

  it("takes a body just under the limit", async () => {
    const made = pushApp();
    const body = JSON.stringify(item("fits", { content_text: "word ".repeat(150_000) }));
    expect(new TextEncoder().encode(body).byteLength).toBeLessThan(MAX_PUSH_BYTES);
    expect((await post(made.app, body)).status).toBe(200);
  });
});

describe("content type", () => {
  it.each([
    "text/plain",
    "",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/jsonx",
    "application/json-patch+json",
    "text/json",
    "application/xml",
  ])("answers 415 for %j, naming it", async (type) => {
    const made = pushApp();
    const headers: Record<string, string> = type === "" ? {} : { "Content-Type": type };
    const response = await made.app.request("/api/articles", {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, ...headers },
      body: new TextEncoder().encode(JSON.stringify(item("a"))),
    });
    const problem = await expectRefused(made, response, 415);
    expect(problem.error).toContain(`not "${type.split(";")[0] || "none"}"`);
  });

  it("takes application/json and application/feed+json in any case, with parameters", async () => {
    for (const type of [" APPLICATION/JSON ; charset=utf-8", "application/feed+json"]) {
      expect((await post(pushApp().app, JSON.stringify(item("a")), { "Content-Type": type })).status).toBe(200);
    }
  });
});

describe("malformed bodies", () => {
  it.each<[string, Body, RegExp]>([
    ["an empty body", "", /JSON/],
    ["a cut-off object", '{"id": "a", "title": ', /JSON/],
    ["single quotes", "{'id': 'a'}", /JSON/],
    ["a trailing comma", '{"id": "a",}', /JSON/],
    ["NaN", '{"id": NaN}', /JSON/],
    ["a comment", '{"id": "a" /* x */}', /JSON/],
    [
      "invalid UTF-8",
      new Uint8Array([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
      /encoded data was not valid|utf-8/i,
    ],
    ["a lone surrogate as UTF-8", new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]), /encoded data was not valid|utf-8/i],
    ["two documents", '{"id":"a"}{"id":"b"}', /JSON/],
  ])("answers 400 with the parser's detail for %s", async (_name, body, detail) => {
    const made = pushApp();
    const problem = await expectRefused(made, await post(made.app, body), 400);
    expect(problem.error).toBe("body is not valid UTF-8 JSON");
    expect(problem.details?.[0]).toMatch(detail);
  });

  it.each<[string, string, string]>([
    ["null", "null", "body: must be an object (a JSON Feed item)"],
    ["a number", "7", "body: must be an object (a JSON Feed item)"],
    ["an empty array", "[]", "body: an empty array has no article to take"],
    ["arrays nested 100 000 deep", `${"[".repeat(100_000)}${"]".repeat(100_000)}`, "[0]: must be an object (a JSON Feed item)"],
    ["objects nested 50 000 deep", `${'{"a":'.repeat(50_000)}1${"}".repeat(50_000)}`, "a: is not a field of a pushed article"],
    [
      "a field nested 10 000 deep",
      JSON.stringify({ ...item("a"), tags: "PLACEHOLDER" }).replace('"PLACEHOLDER"', `${"[".repeat(10_000)}${"]".repeat(10_000)}`),
      "tags: must be an array of non-empty strings",
    ],
  ])("answers 400 listing what is wrong with %s", async (_name, body, detail) => {
    const made = pushApp();
    const problem = await expectRefused(made, await post(made.app, body), 400);
    expect(problem.details).toContain(detail);
  });

  it("answers 400 for ten thousand items, valid or empty, naming the limit", async () => {
    for (const items of [
      Array.from({ length: 10_000 }, (_, i) => item(`i${i}`, { date_published: undefined, section: undefined })),
      Array.from({ length: 10_000 }, () => ({})),
    ]) {
      const made = pushApp();
      const body = JSON.stringify(items);
      expect(body.length).toBeLessThan(MAX_PUSH_BYTES);
      const problem = await expectRefused(made, await post(made.app, body), 400);
      expect(problem.details).toContain("body: 10000 items; at most 100 per request");
    }
  });

  it("stores nothing of a batch when its last item cannot be normalized", async () => {
    const made = pushApp();
    const batch = [...Array.from({ length: 99 }, (_, i) => item(`good-${i}`)), item("bad", { language: "fr" })];
    const problem = await expectRefused(made, await post(made.app, JSON.stringify(batch)), 400);
    expect(problem.details).toEqual([expect.stringMatching(/^\[99\]: language "fr"/)]);
  });
});

describe("arbitrary JSON through the push API", () => {
  const field = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(
      "<script>alert(1)</script><p>x</p>",
      "\u0000\uD800\u0085",
      "javascript:alert(1)",
      "2026-11-19T09:00:00+09:00",
      "en",
      "ko",
      "business",
    ),
  );
  const pushed = fc.record(
    {
      id: fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), field),
      title: fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), field),
      content_html: fc.oneof(fc.string({ maxLength: 60 }), field),
      content_text: field,
      summary: field,
      url: fc.oneof(fc.webUrl(), field),
      image: fc.oneof(fc.webUrl(), field),
      date_published: field,
      date_modified: field,
      language: field,
      section: field,
      tags: field,
      authors: fc.oneof(fc.array(fc.record({ name: fc.string({ minLength: 1 }), url: fc.webUrl() }), { maxLength: 2 }), field),
      translations: field,
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof(pushed, fc.array(pushed, { minLength: 1, maxLength: 4 }), fc.jsonValue({ maxDepth: 3 }));

  it("answers 200 with every article serving cleanly, or 400 with nothing stored", async () => {
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const made = pushApp();
        const response = await post(made.app, JSON.stringify(value));
        if (response.status === 400) {
          await expectRefused(made, response, 400);
          return;
        }
        expect(response.status, await response.clone().text()).toBe(200);
        const { ids, failed } = (await response.json()) as { ids: string[]; failed: unknown[] };
        expect(failed).toEqual([]);
        const stored = await made.store.byIds(ids);
        expect(stored.map((a) => a.id).sort()).toEqual([...new Set(ids)].sort());
        for (const article of stored) await expectFeedsHold(made.store, made.site, article);
      }),
      { numRuns: runs(150) },
    );
  });
});
