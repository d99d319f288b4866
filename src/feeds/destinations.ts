/**
 * What the aggregators a newsroom hopes to reach say a feed must be, and whether a feed is. One table,
 * RULES, holds every rule with the page that states it; `evaluateDestinations` measures a feed model
 * (and its RSS document's size) against each. A rule whose figure could not be found on any page the
 * destination publishes is kept in the table with `check: null` and says so, rather than a guess.
 *
 * Sizes count 1 MB as 1 000 000 bytes, the stricter reading of the pages' "MB". Characters are Unicode
 * code points. An image whose size its source did not state (0) counts as too small.
 */
import type { FeedItem, FeedModel } from "./model.ts";

export type DestinationId = "google-news" | "microsoft-start" | "flipboard" | "smartnews";

export interface Destination {
  id: DestinationId;
  /** The name people know it by, the same in every language. */
  name: string;
}

export const DESTINATIONS: readonly Destination[] = [
  { id: "google-news", name: "Google News" },
  { id: "microsoft-start", name: "Microsoft Start (MSN)" },
  { id: "flipboard", name: "Flipboard" },
  { id: "smartnews", name: "SmartNews" },
];

/** What a rule is about; the panel names it in the page's language. */
export type Aspect = "items" | "image" | "imageSize" | "titleLength" | "fullText" | "documentSize" | "articleSize" | "https";

/**
 * How a rule is measured. Per-item checks count the items that pass and are met when every item does
 * (and there is at least one: an empty feed meets none of them).
 */
export type Check =
  /** The number of items in the feed, within the bounds given. */
  | { kind: "items"; min?: number; max?: number }
  /** Every item has an image. */
  | { kind: "image" }
  /** Every item has an image at least `min` px on the side named: its width, its shorter side, or its longer one. */
  | { kind: "imageSize"; side: "width" | "shorter" | "longer"; min: number }
  /** Every title is `min` to `max` characters long. */
  | { kind: "titleLength"; min: number; max: number }
  /** Every item carries its full text: a body whose text is longer than the summary, and within `length` if given (characters). */
  | { kind: "fullText"; length?: { min: number; max: number } }
  /** The RSS document is at most `max` bytes. */
  | { kind: "documentSize"; max: number }
  /** Every item's body is at most `max` bytes. */
  | { kind: "articleSize"; max: number }
  /** The feed's address, every item's link and every image are https: URLs. */
  | { kind: "https" };

export interface Rule {
  destination: DestinationId;
  aspect: Aspect;
  /** The measure, or null where no published figure could be found (`says` tells what was found). */
  check: Check | null;
  /** "required": the page makes it a condition; "recommended": the page advises it. */
  level: "required" | "recommended";
  /** The public page that states the rule, and what it says, in our words. */
  source: { url: string; says: string };
}

const GOOGLE_TECH = "https://support.google.com/news/publisher-center/answer/9545420";
const GOOGLE_FEED_GUIDELINES = "https://support.google.com/news/producer/answer/4304250";
const MSN_SPEC = "https://helpcenter.microsoftstart.com/kb/articles/25-feed-content-specifications";
const MSN_SETUP = "https://support.microsoft.com/topic/msn-feed-setup-and-configuration-16ea6c2b-d51c-48a5-9ba4-4c3f8ed76c97";
const MSN_ITEMS = "https://support.microsoft.com/topic/msn-feed-item-metadata-requirements-0114c19c-36bb-4fef-8322-4a1ed6888329";
const MSN_ERRORS =
  "https://support.microsoft.com/topic/troubleshoot-msn-content-ingestion-and-feed-errors-55651a8b-7594-4a41-9666-5a2fd9906861";
const FLIPBOARD = "https://about.flipboard.com/rss-spec/";
const SMARTNEWS_SPEC = "https://publishers.smartnews.com/hc/ja/articles/360036526213";
const SMARTNEWS_SPEC_EN = "https://publishers.smartnews.com/hc/en-us/articles/360036526213-SmartFormat-Specification-Version-2-1";
const SMARTNEWS_TRAFFIC =
  "https://publishers.smartnews.com/hc/en-us/articles/360049232353-What-to-do-if-your-traffic-on-SmartNews-drops-significantly";

const MB = 1_000_000;

/** Every rule, by destination. The panel shows them in this order. */
export const RULES: readonly Rule[] = [
  {
    destination: "google-news",
    aspect: "items",
    check: { kind: "items", max: 60 },
    level: "required",
    source: {
      url: GOOGLE_TECH,
      says: "Google News reads at most 60 new articles each time it fetches a feed; more than that may go unread.",
    },
  },
  {
    destination: "google-news",
    aspect: "imageSize",
    check: { kind: "imageSize", side: "shorter", min: 800 },
    level: "recommended",
    source: {
      url: GOOGLE_FEED_GUIDELINES,
      says: "Large images: the shorter side of an image should be at least 800 px, larger still for tablets.",
    },
  },
  {
    destination: "google-news",
    aspect: "titleLength",
    check: null,
    level: "recommended",
    source: { url: GOOGLE_TECH, says: "No length for a feed item's title is published on the feed pages." },
  },
  {
    destination: "google-news",
    aspect: "fullText",
    check: { kind: "fullText" },
    level: "required",
    source: {
      url: GOOGLE_TECH,
      says: "Give the full content of each article in content:encoded (a description is used only without it); the feed guidelines want full-length articles readable without leaving the app.",
    },
  },
  {
    destination: "google-news",
    aspect: "documentSize",
    check: { kind: "documentSize", max: 2 * MB },
    level: "required",
    source: { url: GOOGLE_TECH, says: "Size limit: 2 MB per feed." },
  },
  {
    destination: "google-news",
    aspect: "articleSize",
    check: { kind: "articleSize", max: 1 * MB },
    level: "required",
    source: { url: GOOGLE_TECH, says: "Size limit: 1 MB per article." },
  },
  {
    destination: "google-news",
    aspect: "https",
    check: null,
    level: "recommended",
    source: { url: GOOGLE_TECH, says: "The feed pages do not ask for HTTPS links." },
  },

  {
    destination: "microsoft-start",
    aspect: "items",
    check: { kind: "items", max: 29 },
    level: "recommended",
    source: {
      url: MSN_SETUP,
      says: "MSN recommends keeping fewer than 30 fresh items in a feed at all times (Atom paging can window more).",
    },
  },
  {
    destination: "microsoft-start",
    aspect: "image",
    check: { kind: "image" },
    level: "required",
    source: { url: MSN_SPEC, says: "Articles need no image, but only articles with an image can be published automatically." },
  },
  {
    destination: "microsoft-start",
    aspect: "imageSize",
    check: { kind: "imageSize", side: "longer", min: 720 },
    level: "recommended",
    source: { url: MSN_SPEC, says: "Images are recommended to be at least 720 px in height or width (at most 15 MB)." },
  },
  {
    destination: "microsoft-start",
    aspect: "titleLength",
    check: { kind: "titleLength", min: 21, max: 150 },
    level: "required",
    source: {
      url: MSN_ITEMS,
      says: "A title must be more than 20 characters and at most 150 unless a short title is also given; longer ones may be removed.",
    },
  },
  {
    destination: "microsoft-start",
    aspect: "fullText",
    check: { kind: "fullText", length: { min: 450, max: 500_000 } },
    level: "required",
    source: { url: MSN_ERRORS, says: "An article must have a body, between 450 and 500,000 characters long." },
  },
  {
    destination: "microsoft-start",
    aspect: "documentSize",
    check: { kind: "documentSize", max: 10 * MB },
    level: "required",
    source: { url: MSN_SETUP, says: "The largest feed MSN takes is 10 MB." },
  },
  {
    destination: "microsoft-start",
    aspect: "https",
    check: { kind: "https" },
    level: "required",
    source: { url: MSN_SPEC, says: "Only HTTPS feed sources are supported, and feeds must use valid HTTPS URLs." },
  },

  {
    destination: "flipboard",
    aspect: "items",
    check: { kind: "items", min: 30 },
    level: "required",
    source: { url: FLIPBOARD, says: "A feed needs at least 30 items before Flipboard features it." },
  },
  {
    destination: "flipboard",
    aspect: "imageSize",
    check: { kind: "imageSize", side: "shorter", min: 400 },
    level: "required",
    source: {
      url: FLIPBOARD,
      says: "At least one image per article, no less than 400 px in its smallest dimension (an older version of the page says 400 px wide).",
    },
  },
  {
    destination: "flipboard",
    aspect: "titleLength",
    check: null,
    level: "recommended",
    source: { url: FLIPBOARD, says: "The spec asks for a title on every item but gives no length." },
  },
  {
    destination: "flipboard",
    aspect: "fullText",
    check: { kind: "fullText" },
    level: "required",
    source: {
      url: FLIPBOARD,
      says: "The feed must carry the entire body of each article in content:encoded, not only headlines and summaries.",
    },
  },
  {
    destination: "flipboard",
    aspect: "documentSize",
    check: null,
    level: "recommended",
    source: { url: FLIPBOARD, says: "The spec gives no limit on the feed's size." },
  },
  {
    destination: "flipboard",
    aspect: "https",
    check: null,
    level: "recommended",
    source: { url: FLIPBOARD, says: "The spec does not ask for HTTPS links; it prefers item links on the feed's own domain." },
  },

  {
    destination: "smartnews",
    aspect: "items",
    check: null,
    level: "recommended",
    source: { url: SMARTNEWS_SPEC, says: "A SmartFormat feed may hold any number of items, as long as it stays within the size limit." },
  },
  {
    destination: "smartnews",
    aspect: "imageSize",
    check: null,
    level: "recommended",
    source: { url: SMARTNEWS_SPEC_EN, says: "No minimum size for an article's image was found on the SmartFormat pages." },
  },
  {
    destination: "smartnews",
    aspect: "titleLength",
    check: null,
    level: "recommended",
    source: { url: SMARTNEWS_SPEC_EN, says: "The spec requires a title on every item but gives no length." },
  },
  {
    destination: "smartnews",
    aspect: "fullText",
    check: null,
    level: "recommended",
    source: { url: SMARTNEWS_SPEC_EN, says: "No rule on full text versus summary was found on the SmartFormat pages." },
  },
  {
    destination: "smartnews",
    aspect: "documentSize",
    check: { kind: "documentSize", max: 1 * MB },
    level: "required",
    source: {
      url: SMARTNEWS_SPEC,
      says: "The whole file should stay within 1 MB; the SmartFormat checker reports a larger file as invalid.",
    },
  },
  {
    destination: "smartnews",
    aspect: "https",
    check: { kind: "https" },
    level: "recommended",
    source: { url: SMARTNEWS_TRAFFIC, says: "Give each article's canonical URL with the right protocol, HTTPS." },
  },
];

/** One rule measured against one feed. */
export interface Outcome {
  rule: Rule & { check: Check };
  met: boolean;
  /** What was seen: items passing (per-item checks), items (`items`), bytes (`documentSize`), https URLs (`https`). */
  seen: number;
  /** Out of how many: items, or URLs for `https`; for `items` and `documentSize`, equal to `seen`. */
  of: number;
}

export interface DestinationReport {
  destination: Destination;
  outcomes: Outcome[];
  /** The aspects this destination publishes no figure for (rules with `check: null`). */
  unpublished: Aspect[];
}

/** Unicode code points. */
const length = (s: string) => [...s].length;

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** The text of sanitized HTML: tags dropped, entities read, white space folded. */
export function htmlText(html: string): string {
  let text = "";
  for (let i = 0; i < html.length;) {
    const open = html.indexOf("<", i);
    if (open < 0) {
      text += html.slice(i);
      break;
    }
    text += `${html.slice(i, open)} `;
    const close = html.indexOf(">", open);
    if (close < 0) break;
    i = close + 1;
  }
  return text
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] === "#") {
        const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .replace(/\s+/gu, " ")
    .trim();
}

/** The length of a UTF-8 encoding of `text`, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function imageSide(item: FeedItem, side: "width" | "shorter" | "longer"): number {
  const image = item.image;
  if (!image) return 0;
  if (side === "width") return image.width;
  return side === "shorter" ? Math.min(image.width, image.height) : Math.max(image.width, image.height);
}

function itemPasses(check: Check, item: FeedItem): boolean {
  switch (check.kind) {
    case "image":
      return item.image !== null;
    case "imageSize":
      return imageSide(item, check.side) >= check.min;
    case "titleLength": {
      const n = length(item.title);
      return n >= check.min && n <= check.max;
    }
    case "fullText": {
      if (!item.contentHtml) return false;
      const n = length(htmlText(item.contentHtml));
      if (n <= length(item.summary)) return false;
      return !check.length || (n >= check.length.min && n <= check.length.max);
    }
    case "articleSize":
      return utf8Length(item.contentHtml) <= check.max;
    default:
      return true;
  }
}

/** Measures `model` against one check; `rssBytes` is the size of its RSS document. */
export function measure(check: Check, model: FeedModel, rssBytes: number): { met: boolean; seen: number; of: number } {
  const items = model.items;
  switch (check.kind) {
    case "items": {
      const n = items.length;
      return { met: n >= (check.min ?? 0) && n <= (check.max ?? Infinity), seen: n, of: n };
    }
    case "documentSize":
      return { met: rssBytes <= check.max, seen: rssBytes, of: rssBytes };
    case "https": {
      const urls = [(model.history.current ?? model.links).rss, ...items.flatMap((i) => [i.url, ...(i.image ? [i.image.url] : [])])];
      const seen = urls.filter((u) => u.startsWith("https://")).length;
      return { met: seen === urls.length, seen, of: urls.length };
    }
    default: {
      const seen = items.filter((item) => itemPasses(check, item)).length;
      return { met: items.length > 0 && seen === items.length, seen, of: items.length };
    }
  }
}

/** Every destination's rules measured against `model`, whose RSS document is `rssBytes` long. */
export function evaluateDestinations(model: FeedModel, rssBytes: number, rules: readonly Rule[] = RULES): DestinationReport[] {
  return DESTINATIONS.map((destination) => {
    const own = rules.filter((r) => r.destination === destination.id);
    const outcomes: Outcome[] = [];
    const unpublished: Aspect[] = [];
    for (const rule of own) {
      if (rule.check === null) unpublished.push(rule.aspect);
      else outcomes.push({ rule: { ...rule, check: rule.check }, ...measure(rule.check, model, rssBytes) });
    }
    return { destination, outcomes, unpublished };
  });
}
