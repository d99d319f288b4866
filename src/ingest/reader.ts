/**
 * Where untrusted documents are read: an upstream document parsed, and a document's (or a push's) items
 * normalized, their HTML sanitized. This is the ingest's CPU- and memory-heavy part, so a runtime may
 * run it elsewhere (Node: a worker thread with a deadline and a memory cap, see src/runtime/parse-pool.ts);
 * everything that crosses is plain data (structured-clonable), and the default reads in this thread.
 */
import type { SiteSettings } from "../config/site.ts";
import { openUpstream, parseUpstream, UpstreamError, type DocumentParts } from "./formats/detect.ts";
import type { IncomingItem, ParsedDocument } from "./incoming.ts";
import { normalizeItem, type ItemSource, type Normalized } from "./normalize.ts";

/** What normalizing needs of the site: its settings and its public base URL. */
export interface ReaderSite {
  settings: SiteSettings;
  siteUrl: string;
}

export interface DocumentReader {
  /** parseUpstream: the document read by the kind it turns out to be; rejects with its UpstreamError. */
  parse(text: string, contentType: string, url: string): Promise<ParsedDocument>;
  /**
   * openUpstream with ITEMS_PER_JOB: a long RSS document checked whole and cut into parts of that many
   * items, each read by readPart; any other document parsed as `parse` does.
   */
  open(text: string, contentType: string, url: string): Promise<{ kind: "document"; document: ParsedDocument } | DocumentParts>;
  /**
   * readFeedPart: one part of an opened document (partOf) parsed and its items normalized; `first` is
   * the index of its first item in the document, for messages.
   */
  readPart(
    text: string,
    contentType: string,
    url: string,
    source: ItemSource,
    site: ReaderSite,
    nowMs: number,
    first: number,
  ): Promise<FeedPart>;
  /** normalizeItem over each item, in order, under one source's rules, at `nowMs`. */
  normalize(items: IncomingItem[], source: ItemSource, site: ReaderSite, nowMs: number): Promise<Normalized[]>;
}

/**
 * Items read in one job: a document's items are normalized (and a long RSS document parsed) this many at
 * a time, so a job's deadline and memory cap are met by ordinary items however long their document is,
 * and the ingest writes one part while the next is read.
 */
export const ITEMS_PER_JOB = 500;

/** One part of a document, read: what its parser passed over, and its items' keys (as found) and normalized forms, in order. */
export interface FeedPart {
  problems: string[];
  keys: string[];
  normalized: Normalized[];
}

/** The reader that works in the calling thread: Workers (whose CPU limit bounds it), tests, `npm run ingest`. */
export const inProcessReader: DocumentReader = {
  parse: (text, contentType, url) => Promise.resolve().then(() => parseUpstream(text, contentType, url)),
  open: (text, contentType, url) => Promise.resolve().then(() => openUpstream(text, contentType, url, ITEMS_PER_JOB)),
  readPart: (text, contentType, url, source, site, nowMs) =>
    Promise.resolve().then(() => readFeedPart(text, contentType, url, source, site, nowMs)),
  normalize: (items, source, site, nowMs) => Promise.resolve(normalizeAll(items, source, site, nowMs)),
};

/**
 * A part of a document that openUpstream checked whole (so it is parsed without checking it again):
 * its items, with the document's language where they have none of their own, normalized.
 */
export function readFeedPart(
  text: string,
  contentType: string,
  url: string,
  source: ItemSource,
  site: ReaderSite,
  nowMs: number,
): FeedPart {
  const document = parseUpstream(text, contentType, url, { wellFormed: true });
  if (document.kind !== "feed") throw new UpstreamError(`parse: ${url}: a part of the document read as a ${document.kind}`);
  const items = document.items.map((item) => ({ ...item, lang: item.lang ?? document.lang }));
  return { problems: document.problems ?? [], keys: items.map((i) => i.key), normalized: normalizeAll(items, source, site, nowMs) };
}

/**
 * The most text one item may bring for its body and summary, in characters, before anything parses it.
 * A long article is a few hundred thousand characters of HTML; 8 MB of tiny elements in one item took a
 * worker thread over 5 s and 128 MB to sanitize. Past this the item is refused with the reason, and the
 * rest of its document is read as usual.
 */
export const MAX_ITEM_TEXT = 1_000_000;

export function normalizeAll(items: IncomingItem[], source: ItemSource, site: ReaderSite, nowMs: number): Normalized[] {
  return items.map((item) => {
    const length = itemTextLength(item);
    if (length > MAX_ITEM_TEXT) {
      const key = (item.key ?? "").trim().slice(0, 200) || "(no id)";
      return { ok: false, key, reason: `the item's body and summary are ${length} characters, over the ${MAX_ITEM_TEXT} read; refused` };
    }
    return normalizeItem(item, source, site.settings, site.siteUrl, nowMs);
  });
}

/** The characters of every body and summary field an item carries. */
function itemTextLength(item: IncomingItem): number {
  return [item.contentHtml, item.summaryHtml, item.contentText, item.summaryText].reduce((sum, text) => sum + (text?.length ?? 0), 0);
}

/** The runtime's reader, or the in-process one. */
export function readerOf(deps: { reader?: DocumentReader }): DocumentReader {
  return deps.reader ?? inProcessReader;
}
