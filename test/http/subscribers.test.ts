/** Subscriber statistics: the User-Agent parser, the throttled recorder on a real SQLite store, the report. */
import { afterEach, describe, expect, it } from "vitest";
import {
  parseSubscriberAgent,
  REMEMBERED_PAIRS,
  subscriberRecorder,
  subscriberReport,
  UNKNOWN_AGGREGATOR_LIMITS,
} from "../../src/http/subscribers.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import type { ArticleStore } from "../../src/store/store.ts";

const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

describe("parseSubscriberAgent", () => {
  const reporting: [string, string, number][] = [
    ["Feedly/1.0 (+http://www.feedly.com/fetcher.html; 42 subscribers; )", "feedly", 42],
    ["Feedly/1.0 (+https://feedly.com/poller.html; 16 subscribers; )", "feedly", 16],
    ["Mozilla/5.0 (compatible; FeedlyBot/1.0; +http://feedly.com/fetcher.html; 1530 subscribers)", "feedly", 1530],
    ["Inoreader/1.0 (+http://www.inoreader.com/feed-fetcher; 12 subscribers; )", "inoreader", 12],
    [`NewsBlur Feed Fetcher - 7 subscribers - https://www.newsblur.com/site/123/hanbit-news (${CHROME})`, "newsblur", 7],
    // The site's slug names another aggregator; the one named first is the fetcher.
    [`NewsBlur Feed Fetcher - 1 subscriber - https://www.newsblur.com/site/6071/feedly-digest (${CHROME})`, "newsblur", 1],
    ["Feedbin feed-id:1234 - 15 subscribers", "feedbin", 15],
    ["theoldreader.com (9 subscribers; feed-id=5f1e2d3c4b5a697887766554)", "theoldreader", 9],
    ["Mozilla/5.0 (compatible; theoldreader.com; 3 subscribers; feed-id=5f1e2d3c4b5a697887766554)", "theoldreader", 3],
    ["Mozilla/5.0 (compatible; Feedspot/1.0 (+https://www.feedspot.com/fs/fetcher; 4 subscribers))", "feedspot", 4],
    ["Mozilla/5.0 (compatible; BazQux/2.4; +https://bazqux.com/fetcher; 2 subscribers)", "bazqux", 2],
    ["Tiny Tiny RSS/22.08-ae1c8e9 (https://tt-rss.org/; 3 subscribers)", "tt-rss", 3],
    ["FreshRSS/1.23.1 (Linux; https://freshrss.org; 6 readers)", "freshrss", 6],
    ["Mozilla/5.0 (compatible; Miniflux/2.1.0; +https://miniflux.app; 11 subscribers)", "miniflux", 11],
    // Unknown aggregators: the first product token, or the product after "compatible;" behind Mozilla.
    ["Netvibes (crawler/bot; http://www.netvibes.com; 3 subscribers; feedID: 40129)", "netvibes", 3],
    ["g2reader-bot/1.0 (+http://www.g2reader.com/; 5 subscribers)", "g2reader-bot", 5],
    ["Mozilla/5.0 (compatible; Digg Feed Fetcher 1.0; +http://digg.com/reader; 8 Readers)", "digg", 8],
    ["  Bloglines/3.1 (http://www.bloglines.com; 0 subscribers)  ", "bloglines", 0],
    ["Feedly/1.0 (+http://www.feedly.com/fetcher.html; 50000000 subscribers; )", "feedly", 50_000_000],
  ];

  it.each(reporting)("reads %j as %s with %i", (agent, aggregator, subscribers) => {
    expect(parseSubscriberAgent(agent)).toEqual({ aggregator, subscribers });
  });

  const silent: [string, string | undefined][] = [
    ["no header", undefined],
    ["an empty header", ""],
    ["Chrome", CHROME],
    ["Firefox", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"],
    ["Safari", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"],
    ["NetNewsWire, whose name says Reader", "NetNewsWire (RSS Reader; https://netnewswire.com/)"],
    ["Thunderbird", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.5.0"],
    ["Feedly without a count", "Feedly/1.0 (+http://www.feedly.com/fetcher.html; like FeedFetcher-Google)"],
    ["NewsBlur's page fetcher", `NewsBlur Page Fetcher (${CHROME})`],
    ["Miniflux without a count", "Mozilla/5.0 (compatible; Miniflux/2.1.0; +https://miniflux.app)"],
    ["curl", "curl/8.5.0"],
    ["a count of nothing", "Feedly/1.0 (+http://www.feedly.com/fetcher.html; many subscribers; )"],
  ];

  it.each(silent)("finds nothing in %s", (_, agent) => {
    expect(parseSubscriberAgent(agent)).toBeNull();
  });

  const hostile: [string, string][] = [
    ["a count over 5 * 10^7, more than any aggregator has", "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 50000001 subscribers; )"],
    ["the count of the forged flood", "Forged/1.0 (999999999 subscribers)"],
    ["a count past Number.MAX_SAFE_INTEGER", "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 99999999999999999999 subscribers; )"],
    ["a negative count", "Inoreader/1.0 (+http://www.inoreader.com/feed-fetcher; -12 subscribers; )"],
    ["a fraction", "Feedbin feed-id:1234 - 4.5 subscribers"],
    ["an exponent", "Feedbin feed-id:1234 - 1e9 subscribers"],
    ["a separated thousand", "Feedbin feed-id:1234 - 1,234 subscribers"],
    ["a count with nobody to credit", "(5 subscribers)"],
    ["a 10 000-character User-Agent", `Feedly/1.0 (+http://www.feedly.com/fetcher.html; 42 subscribers; ${"x".repeat(10_000)})`],
  ];

  it.each(hostile)("refuses %s", (_, agent) => {
    expect(parseSubscriberAgent(agent)).toBeNull();
  });

  it("keeps an unknown aggregator's name lowercase, to a safe alphabet and at most 40 characters", () => {
    expect(parseSubscriberAgent(`${"VeryLongAggregatorName".repeat(3)}/2.0 (7 subscribers)`)).toEqual({
      aggregator: "verylongaggregatornameverylongaggregator",
      subscribers: 7,
    });
    expect(parseSubscriberAgent('<b>"Evil</b>/1.0 (2 subscribers)')?.aggregator).toBe("bevil");
  });

  // Backtracking on these would hang the test until its timeout; how fast they parse is for npm run bench.
  it("parses the longest User-Agents it accepts, whatever they hold", () => {
    for (const filler of ["1", " ", "a(", "; 1", "- ", "x subscribers "]) {
      parseSubscriberAgent(filler.repeat(Math.floor(1_000 / filler.length)));
      parseSubscriberAgent(filler.repeat(5_000));
    }
  });
});

describe("subscriberRecorder", () => {
  const FEED = "https://news.example/en/feed.xml";
  const OTHER_FEED = "https://news.example/ko/feed.atom";
  const FEEDLY = (n: number) => `Feedly/1.0 (+http://www.feedly.com/fetcher.html; ${n} subscribers; )`;
  const INOREADER = (n: number) => `Inoreader/1.0 (+http://www.inoreader.com/feed-fetcher; ${n} subscribers; )`;
  const HOUR = 3_600_000;
  const START = Date.parse("2026-11-20T03:00:00Z");

  const stores: ArticleStore[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  /** A real store, a clock the test moves, and the writes handed to waitUntil. */
  function setup(store: Pick<ArticleStore, "recordSubscribers"> = openSqliteStore(":memory:")) {
    if ("close" in store) stores.push(store as ArticleStore);
    const clock = { ms: START };
    const pending: Promise<unknown>[] = [];
    const recorder = subscriberRecorder(store, () => clock.ms);
    const observe = async (feed: string, agent: string | undefined) => {
      const before = pending.length;
      recorder.observe(feed, agent, (p) => pending.push(p));
      await Promise.all(pending.slice(before));
      return pending.length - before;
    };
    return { store, clock, observe };
  }

  it("writes the first count, skips the same count within the interval, and writes a changed one at once", async () => {
    const { store, clock, observe } = setup();
    expect(await observe(FEED, FEEDLY(42))).toBe(1);
    clock.ms += 10 * 60_000;
    expect(await observe(FEED, FEEDLY(42))).toBe(0);
    clock.ms += 10 * 60_000;
    expect(await observe(FEED, FEEDLY(43))).toBe(1);
    expect(await (store as ArticleStore).subscriberStats()).toEqual([
      { feed: FEED, aggregator: "feedly", subscribers: 43, seenMs: START + 20 * 60_000 },
    ]);
  });

  it("writes the same count again once the last write is an interval old", async () => {
    const { store, clock, observe } = setup();
    await observe(FEED, FEEDLY(42));
    clock.ms = START + HOUR - 1;
    expect(await observe(FEED, FEEDLY(42))).toBe(0);
    clock.ms = START + HOUR;
    expect(await observe(FEED, FEEDLY(42))).toBe(1);
    expect(await (store as ArticleStore).subscriberStats()).toEqual([
      { feed: FEED, aggregator: "feedly", subscribers: 42, seenMs: START + HOUR },
    ]);
  });

  it("throttles each feed and aggregator on its own", async () => {
    const { store, observe } = setup();
    expect(await observe(FEED, FEEDLY(42))).toBe(1);
    expect(await observe(FEED, INOREADER(42))).toBe(1);
    expect(await observe(OTHER_FEED, FEEDLY(42))).toBe(1);
    expect(await observe(FEED, INOREADER(42))).toBe(0);
    expect((await (store as ArticleStore).subscriberStats()).map((r) => [r.feed, r.aggregator])).toEqual([
      [FEED, "feedly"],
      [FEED, "inoreader"],
      [OTHER_FEED, "feedly"],
    ]);
  });

  it("does nothing for a request whose User-Agent reports no count", async () => {
    const { store, observe } = setup();
    expect(await observe(FEED, CHROME)).toBe(0);
    expect(await observe(FEED, undefined)).toBe(0);
    expect(await (store as ArticleStore).subscriberStats()).toEqual([]);
  });

  it("forgets the least recently written pairs beyond its bound", async () => {
    let writes = 0;
    const { observe } = setup({ recordSubscribers: async () => void writes++ });
    for (let i = 0; i <= REMEMBERED_PAIRS; i++) await observe(`${FEED}?n=${i}`, FEEDLY(1));
    expect(writes).toBe(REMEMBERED_PAIRS + 1);
    expect(await observe(`${FEED}?n=${REMEMBERED_PAIRS}`, FEEDLY(1))).toBe(0);
    expect(await observe(`${FEED}?n=0`, FEEDLY(1))).toBe(1);
  });

  it("never throws nor rejects when the store fails, and tries again on the next request", async () => {
    let calls = 0;
    const failing = setup({
      recordSubscribers: async () => {
        calls++;
        throw new Error("store: database is locked");
      },
    });
    expect(await failing.observe(FEED, FEEDLY(42))).toBe(1);
    expect(await failing.observe(FEED, FEEDLY(42))).toBe(1);
    expect(calls).toBe(2);

    const throwing = setup({
      recordSubscribers: () => {
        throw new Error("store: closed");
      },
    });
    expect(await throwing.observe(FEED, FEEDLY(42))).toBe(1);
  });

  it("never throws when the clock or waitUntil does", () => {
    const store = openSqliteStore(":memory:");
    stores.push(store);
    const brokenClock = subscriberRecorder(store, () => {
      throw new Error("clock");
    });
    expect(() => brokenClock.observe(FEED, FEEDLY(1), () => {})).not.toThrow();
    const recorder = subscriberRecorder(store, () => START);
    expect(() =>
      recorder.observe(FEED, FEEDLY(1), () => {
        throw new Error("waitUntil after the response");
      }),
    ).not.toThrow();
  });

  it("feeds the report through the store", async () => {
    const { store, observe } = setup();
    await observe(FEED, FEEDLY(42));
    await observe(FEED, `NewsBlur Feed Fetcher - 7 subscribers - https://www.newsblur.com/site/123/x (${CHROME})`);
    await observe(OTHER_FEED, INOREADER(100));
    expect(subscriberReport(await (store as ArticleStore).subscriberStats())).toEqual({
      feeds: [
        { url: OTHER_FEED, subscribers: 100, aggregators: [{ name: "inoreader", subscribers: 100, seen: "2026-11-20T03:00:00.000Z" }] },
        {
          url: FEED,
          subscribers: 49,
          aggregators: [
            { name: "feedly", subscribers: 42, seen: "2026-11-20T03:00:00.000Z" },
            { name: "newsblur", subscribers: 7, seen: "2026-11-20T03:00:00.000Z" },
          ],
        },
      ],
    });
  });
});

describe("a flood of forged User-Agents", () => {
  it("adds at most 20 unknown aggregators per feed and 2 000 in all, and the known ones still get in", async () => {
    const store = openSqliteStore(":memory:");
    const recorder = subscriberRecorder(store, () => 1_000);
    const writes: Promise<unknown>[] = [];
    const feeds = Array.from({ length: 120 }, (_, i) => `https://news.example/${i}/rss.xml`);
    // 6 000 forged names (120 feeds x 50), each claiming a count, like 5 000 forged requests made 5 000 rows before.
    for (const feed of feeds) {
      for (let i = 0; i < 50; i++) recorder.observe(feed, `Forged${i}-${feed.length}/1.0 (${i + 1} subscribers)`, (w) => writes.push(w));
    }
    recorder.observe(feeds[0]!, "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 42 subscribers; )", (w) => writes.push(w));
    await Promise.all(writes);
    const rows = await store.subscriberStats();
    expect(rows.length).toBe(UNKNOWN_AGGREGATOR_LIMITS.total + 1);
    const perFeed = new Map<string, number>();
    for (const row of rows) if (row.aggregator !== "feedly") perFeed.set(row.feed, (perFeed.get(row.feed) ?? 0) + 1);
    expect(Math.max(...perFeed.values())).toBe(UNKNOWN_AGGREGATOR_LIMITS.perFeed);
    expect(rows).toContainEqual({ feed: feeds[0], aggregator: "feedly", subscribers: 42, seenMs: 1_000 });
    await store.close();
  });
});

describe("subscriberReport", () => {
  it("is an empty list of feeds without statistics", () => {
    expect(subscriberReport([])).toEqual({ feeds: [] });
  });

  it("totals each feed, orders feeds by total then URL and aggregators by count then name, with UTC times", () => {
    const report = subscriberReport([
      { feed: "https://news.example/a.xml", aggregator: "feedly", subscribers: 5, seenMs: Date.parse("2026-11-20T12:00:00+09:00") },
      { feed: "https://news.example/b.xml", aggregator: "inoreader", subscribers: 3, seenMs: 0 },
      { feed: "https://news.example/b.xml", aggregator: "newsblur", subscribers: 3, seenMs: 1 },
      { feed: "https://news.example/b.xml", aggregator: "feedbin", subscribers: 0, seenMs: 2 },
      { feed: "https://news.example/c.xml", aggregator: "feedly", subscribers: 6, seenMs: 3 },
    ]);
    expect(report).toEqual({
      feeds: [
        {
          url: "https://news.example/b.xml",
          subscribers: 6,
          aggregators: [
            { name: "inoreader", subscribers: 3, seen: "1970-01-01T00:00:00.000Z" },
            { name: "newsblur", subscribers: 3, seen: "1970-01-01T00:00:00.001Z" },
            { name: "feedbin", subscribers: 0, seen: "1970-01-01T00:00:00.002Z" },
          ],
        },
        {
          url: "https://news.example/c.xml",
          subscribers: 6,
          aggregators: [{ name: "feedly", subscribers: 6, seen: "1970-01-01T00:00:00.003Z" }],
        },
        {
          url: "https://news.example/a.xml",
          subscribers: 5,
          aggregators: [{ name: "feedly", subscribers: 5, seen: "2026-11-20T03:00:00.000Z" }],
        },
      ],
    });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});
