/**
 * Where untrusted documents are read: an upstream document parsed, and a document's (or a push's) items
 * normalized, their HTML sanitized. This is the ingest's CPU- and memory-heavy part, so a runtime may
 * run it elsewhere (Node: a worker thread with a deadline and a memory cap, see src/runtime/parse-pool.ts);
 * everything that crosses is plain data (structured-clonable), and the default reads in this thread.
 */
import type { SiteSettings } from "../config/site.ts";
import { parseUpstream } from "./formats/detect.ts";
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
  /** normalizeItem over each item, in order, under one source's rules, at `nowMs`. */
  normalize(items: IncomingItem[], source: ItemSource, site: ReaderSite, nowMs: number): Promise<Normalized[]>;
}

/** The reader that works in the calling thread: Workers (whose CPU limit bounds it), tests, `npm run ingest`. */
export const inProcessReader: DocumentReader = {
  parse: (text, contentType, url) => Promise.resolve().then(() => parseUpstream(text, contentType, url)),
  normalize: (items, source, site, nowMs) => Promise.resolve(normalizeAll(items, source, site, nowMs)),
};

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
