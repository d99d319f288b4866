/** Subscriber statistics: the counts feed aggregators put in their User-Agent, recorded per feed and aggregator. */
import type { ArticleStore, SubscriberCount } from "../store/store.ts";

export interface ReportedSubscribers {
  /** Lowercase: a known aggregator's name, else the User-Agent's first product token. */
  aggregator: string;
  subscribers: number;
}

/**
 * Aggregators known by name wherever it appears in the User-Agent; the one named first wins, so a
 * NewsBlur fetch of a site whose URL slug says "feedly" is still NewsBlur's.
 */
const KNOWN_AGGREGATORS: readonly (readonly [name: string, pattern: string])[] = [
  ["feedly", "feedly"], // Feedly/1.0, FeedlyBot/1.0
  ["inoreader", "inoreader"],
  ["newsblur", "newsblur"],
  ["feedbin", "feedbin"],
  ["theoldreader", "the ?old ?reader"],
  ["feedspot", "feedspot"], // Feedspot/1.0, Feedspotbot/1.0
  ["bazqux", "bazqux"],
  ["tt-rss", "tiny ?tiny ?rss|tt-rss"],
  ["freshrss", "freshrss"],
  ["miniflux", "miniflux"],
];
const KNOWN_NAMES: ReadonlySet<string> = new Set(KNOWN_AGGREGATORS.map(([name]) => name));
const KNOWN_AGGREGATOR = new RegExp(`\\b(?:${KNOWN_AGGREGATORS.map(([, pattern]) => `(${pattern})`).join("|")})`, "i");

/**
 * The word before "subscribers" or "readers", bounded by a space, `(`, `[` or `;`. Bounded words keep
 * the scan linear; whether the word is a count is decided after.
 */
const COUNT_PHRASE = /(?:^|[\s([;])([^\s([;]+) +(?:subscribers?|readers?)\b/gi;
/**
 * What every User-Agent with a count holds (COUNT_PHRASE's last word), tested first: most User-Agents
 * (browsers, crawlers, readers that report nothing) fail it in one quick scan and are not parsed.
 */
const MAY_REPORT = /subscriber|reader/i;
/** A word that is meant as a number: only these are counts, valid or not. */
const NUMBER_LIKE = /^[-+]?(?=[.,]*\d)[\d.,]+$/;
/** More readers than any aggregator reports for one feed: a larger count is made up. */
const MAX_SUBSCRIBERS = 50_000_000;
/**
 * Rows for aggregators known only by the name their User-Agent gives: anyone can send any name, so
 * these are bounded per feed and in all; the known aggregators are always recorded.
 */
export const UNKNOWN_AGGREGATOR_LIMITS = { perFeed: 20, total: 2_000 };
/** Real aggregator User-Agents are a few hundred characters; longer ones are not parsed at all. */
const MAX_AGENT_LENGTH = 1_000;
const MAX_NAME_LENGTH = 40;

/**
 * The subscriber count an aggregator reports in its User-Agent, as Feedly documents at
 * http://www.feedly.com/fetcher.html ("Feedly/1.0 (+http://www.feedly.com/fetcher.html; 42 subscribers; )")
 * and Inoreader, NewsBlur, Feedbin, The Old Reader, Feedspot, BazQux and others follow: the first
 * "<n> subscribers" (or "readers"). Null when there is no count, when the count is not a plain
 * non-negative integer up to 5 * 10^7, or when the User-Agent is over 1 000 characters.
 */
export function parseSubscriberAgent(userAgent: string | undefined): ReportedSubscribers | null {
  if (userAgent === undefined || userAgent.length > MAX_AGENT_LENGTH || !MAY_REPORT.test(userAgent)) return null;
  const agent = userAgent.trim();
  const subscribers = countIn(agent);
  if (subscribers === null) return null;
  const aggregator = aggregatorOf(agent);
  return aggregator === null ? null : { aggregator, subscribers };
}

function countIn(agent: string): number | null {
  for (const [, word] of agent.matchAll(COUNT_PHRASE)) {
    if (!NUMBER_LIKE.test(word!)) continue;
    if (!/^\d{1,10}$/.test(word!)) return null;
    const count = Number(word);
    return count <= MAX_SUBSCRIBERS ? count : null;
  }
  return null;
}

/**
 * A known name, else the first product token (`Netvibes` of "Netvibes (crawler; ...)"); when that token is
 * only the browser-compatibility `Mozilla`, the product named after "compatible;" instead.
 */
function aggregatorOf(agent: string): string | null {
  const known = KNOWN_AGGREGATOR.exec(agent);
  if (known) return KNOWN_AGGREGATORS[known.slice(1).findIndex((group) => group !== undefined)]![0];
  let token = productToken(agent);
  if (token === "mozilla") {
    const compatible = /\(compatible; *([^;)]*)/i.exec(agent);
    if (compatible) token = productToken(compatible[1]!) || token;
  }
  return token || null;
}

/** The leading name up to `/`, whitespace, `(` or `;`, lowercase, kept to a safe alphabet and 40 characters. */
function productToken(text: string): string {
  const [token = ""] = /^[^\s/(;]*/.exec(text.trim()) ?? [];
  return token
    .toLowerCase()
    .replace(/[^a-z0-9._:+-]/g, "")
    .slice(0, MAX_NAME_LENGTH);
}

export interface SubscriberRecorder {
  /**
   * Records the count in `userAgent`, if any, for `feedUrl` (the feed's canonical URL, not the raw
   * request URL, so a query string cannot mint new rows). The write goes through `waitUntil`, so the
   * response never waits for it; nothing here throws.
   */
  observe(feedUrl: string, userAgent: string | undefined, waitUntil: (promise: Promise<unknown>) => void): void;
}

/** How many (feed, aggregator) pairs the recorder remembers; the least recently written is forgotten first. */
export const REMEMBERED_PAIRS = 10_000;

/**
 * A recorder that writes a (feed, aggregator) count only when it differs from the last one it wrote, or
 * that write is `minIntervalMs` old, since an aggregator polls a feed many times an hour with the same
 * count. A failed write is forgotten, so the next fetch tries again.
 */
export function subscriberRecorder(
  store: Pick<ArticleStore, "recordSubscribers">,
  now: () => number,
  minIntervalMs = 3_600_000,
): SubscriberRecorder {
  const lastWritten = new Map<string, { subscribers: number; atMs: number }>();

  return {
    observe(feedUrl, userAgent, waitUntil) {
      try {
        const reported = parseSubscriberAgent(userAgent);
        if (!reported) return;
        const key = `${reported.aggregator}\n${feedUrl}`;
        const atMs = now();
        const last = lastWritten.get(key);
        if (last && last.subscribers === reported.subscribers && atMs - last.atMs < minIntervalMs) return;

        const written = { subscribers: reported.subscribers, atMs };
        lastWritten.delete(key);
        lastWritten.set(key, written);
        if (lastWritten.size > REMEMBERED_PAIRS) lastWritten.delete(lastWritten.keys().next().value!);

        const write = Promise.resolve()
          .then(() => {
            const limits = KNOWN_NAMES.has(reported.aggregator) ? undefined : UNKNOWN_AGGREGATOR_LIMITS;
            return store.recordSubscribers(feedUrl, reported.aggregator, reported.subscribers, atMs, limits);
          })
          .catch(() => {
            if (lastWritten.get(key) === written) lastWritten.delete(key);
          });
        waitUntil(write);
      } catch {
        // Statistics are never worth failing a feed request for.
      }
    },
  };
}

/** The body of `GET /api/stats`. */
export interface SubscriberReport {
  feeds: {
    url: string;
    /** The sum over the feed's aggregators. */
    subscribers: number;
    aggregators: { name: string; subscribers: number; seen: string }[];
  }[];
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Groups the stored counts per feed, with each feed's total: feeds by total descending then URL, and
 * inside a feed aggregators by count descending then name; `seen` is ISO 8601 in UTC.
 */
export function subscriberReport(rows: readonly SubscriberCount[]): SubscriberReport {
  const feeds = new Map<string, SubscriberReport["feeds"][number]>();
  for (const row of rows) {
    let feed = feeds.get(row.feed);
    if (!feed) feeds.set(row.feed, (feed = { url: row.feed, subscribers: 0, aggregators: [] }));
    feed.subscribers += row.subscribers;
    feed.aggregators.push({ name: row.aggregator, subscribers: row.subscribers, seen: new Date(row.seenMs).toISOString() });
  }
  const report = [...feeds.values()];
  for (const feed of report) feed.aggregators.sort((a, b) => b.subscribers - a.subscribers || byText(a.name, b.name));
  return { feeds: report.sort((a, b) => b.subscribers - a.subscribers || byText(a.url, b.url)) };
}
