/**
 * Text made to make regular expressions backtrack: each pattern that reads upstream text runs in linear
 * time, so these end at once (before, an author of `a` + `<@` x 8000 took over a minute and a 100 KB
 * address of dots 21 s, inside the server's own ingest). Nothing here measures time: each case asserts
 * its result, and the test timeout stands for "it ended".
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { htmlToText, parseAuthorText } from "../../src/ingest/formats/document.ts";
import { runIngest } from "../../src/ingest/run.ts";
import { isEmailAddress } from "../../src/model/text.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import { feedSource, ingestDeps, testSite } from "../helpers.ts";

const ENDS = { timeout: 10_000 };

/** The RSS author that froze the server: cubic in the old `name <address>` pattern. */
const HOSTILE_AUTHOR = "a" + "<@".repeat(8_000);
/** The kind of address that took 21 s in the old e-mail check: quadratic over its dots, then refused at the last character. */
const HOSTILE_EMAIL = "a@" + ".".repeat(100_000) + '"';

describe("patterns over upstream text", () => {
  it("reads an RSS author of `a` + `<@` x 8000 as the address it claims to be (normalizing refuses it)", ENDS, () => {
    expect(parseAuthorText(HOSTILE_AUTHOR)).toEqual({ email: HOSTILE_AUTHOR });
    expect(isEmailAddress(HOSTILE_AUTHOR)).toBe(false);
  });

  it("reads the forms of an RSS author as before", () => {
    expect(parseAuthorText("minji@news.example (Kim Min-ji)")).toEqual({ name: "Kim Min-ji", email: "minji@news.example" });
    expect(parseAuthorText("Kim Min-ji <minji@news.example>")).toEqual({ name: "Kim Min-ji", email: "minji@news.example" });
    expect(parseAuthorText("minji@news.example")).toEqual({ email: "minji@news.example" });
    expect(parseAuthorText("Kim Min-ji")).toEqual({ name: "Kim Min-ji" });
    expect(parseAuthorText("<minji@news.example>")).toEqual({ email: "<minji@news.example>" });
  });

  it("refuses a 100 KB address of dots, and long runs of each separator", ENDS, () => {
    expect(isEmailAddress(HOSTILE_EMAIL)).toBe(false);
    expect(isEmailAddress("a@" + "b.".repeat(50_000))).toBe(false);
    expect(isEmailAddress("@".repeat(100_000))).toBe(false);
    expect(isEmailAddress("minji.kang@news.hanbit.example")).toBe(true);
    expect(isEmailAddress("minji@localhost")).toBe(false);
  });

  it("drops tags from a title of 100 000 unclosed `<` in one pass, as the tag pattern did", ENDS, () => {
    expect(htmlToText("<".repeat(100_000))).toBe("<".repeat(100_000));
    expect(htmlToText("a <b>bold</b> <i>x")).toBe("a bold x");
    expect(htmlToText("1 < 2 <br> 3 <")).toBe("1  3 <");
  });
});

describe("a hostile author in a polled feed", () => {
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    const item = (i: number, author: string) =>
      `<item><guid isPermaLink="false">hostile-${i}</guid><title>Item ${i}</title><link>https://wire.example/${i}</link>` +
      `<description>Body ${i}</description><author>${author.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</author>` +
      `<pubDate>Thu, 19 Nov 2026 09:0${i}:00 +0900</pubDate></item>`;
    const atomEntry =
      `<entry><id>urn:hostile:atom</id><title>Atom item</title><link href="https://wire.example/atom"/>` +
      `<updated>2026-11-19T09:05:00+09:00</updated><content>Body</content>` +
      `<author><name>Reporter</name><email>${HOSTILE_EMAIL}</email></author></entry>`;
    const documents: Record<string, [string, string]> = {
      "/rss.xml": [
        "application/rss+xml; charset=utf-8",
        `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title><link>https://wire.example/</link>` +
          `<description>d</description>${item(1, HOSTILE_AUTHOR)}${item(2, "Kim Min-ji <minji@news.example>")}</channel></rss>`,
      ],
      "/atom.xml": [
        "application/atom+xml; charset=utf-8",
        `<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><id>urn:hostile</id><title>t</title>` +
          `<updated>2026-11-19T09:05:00+09:00</updated>${atomEntry}</feed>`,
      ],
    };
    server = createServer((request, response) => {
      const [type, body] = documents[request.url ?? ""] ?? ["text/plain", "not found"];
      response.writeHead(type === "text/plain" ? 404 : 200, { "Content-Type": type });
      response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("is ingested over HTTP with every item kept and the address refused", ENDS, async () => {
    const store = openSqliteStore(":memory:");
    const site = testSite();
    site.settings.sources = [feedSource("hostile-rss", `${origin}/rss.xml`), feedSource("hostile-atom", `${origin}/atom.xml`)];
    const report = await runIngest(ingestDeps(store, site, undefined, { fetch, content: undefined }));
    expect(report.sources.map((s) => [s.source, s.status, s.new, s.error])).toEqual([
      ["hostile-rss", "fetched", 2, undefined],
      ["hostile-atom", "fetched", 1, undefined],
    ]);
    const articles = await store.latest({ lang: "en", limit: 10 });
    const byTitle = new Map(articles.map((a) => [a.title, a]));
    expect(byTitle.get("Item 2")?.authors).toEqual([{ name: "Kim Min-ji", email: "minji@news.example" }]);
    expect(byTitle.get("Item 1")?.authors).toEqual([]);
    expect(byTitle.get("Atom item")?.authors).toEqual([{ name: "Reporter" }]);
    await store.close();
  });
});
