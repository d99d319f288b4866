/** What serving feeds is given (its settings, a feed to answer, a request) and gives back (an answer as plain data). */
import type { LanguageSettings, SectionSettings, Site } from "../../config/site.ts";
import type { FeedFormat, FeedModel } from "../../feeds/model.ts";
import { termId, type Term } from "../../model/terms.ts";
import type { ArticleStore, Cursor } from "../../store/store.ts";
import type { RenderCache, RenderedDocument } from "../render-cache.ts";
import type { SubscriberRecorder } from "../subscribers.ts";
import type { Compressor } from "./encoding.ts";

/** The settings and services every feed answer of one app uses; what it remembers between requests is FeedResponder's. */
export interface FeedServing {
  store: ArticleStore;
  site: Site;
  cache?: RenderCache;
  /**
   * Where author and tag feeds are kept, apart from `cache`, so a walk over every tag never pushes out
   * the language and section documents crawlers poll; a bounded memory cache of its own when not given
   * (see FeedResponder). None without `cache`.
   */
  termCache?: RenderCache;
  /** Names what else the bytes depend on (code, settings, deployment). */
  namespace: string;
  /** Seconds a subscription document may be reused (FEED_MAX_AGE). */
  maxAge: number;
  compress?: Compressor;
  /** Renders the preview a person's browser gets (see pages/preview.ts). */
  preview?: (model: FeedModel, format: FeedFormat) => string;
  /** Bounds of the space `?limit=` documents, previews and deltas are kept in (see variants.ts); its defaults otherwise. */
  variantBytes?: number;
  variantEntries?: number;
  /** Notes the subscriber counts aggregators report in their User-Agent. */
  subscribers?: SubscriberRecorder;
  now: () => number;
}

export interface FeedSpec {
  language: LanguageSettings;
  section?: SectionSettings;
  format: FeedFormat;
  /** An archive month, or the subscription document with `limit` items. */
  archive?: string;
  limit?: number;
  /** With `archive`, in JSON Feed: the page of the month's articles older than this position (`?before=`). */
  before?: Cursor;
  /**
   * The language's corrections feed instead of its articles (no section, no archive). Its version is
   * the language feed's: a correction is a change to an article of the language.
   */
  corrections?: true;
  /** One author's or tag's feed of the language (no section then). */
  term?: Term;
}

/** The feed's version as the store knows it in memory, or undefined (see ArticleStore.knownFeedVersion). */
export function knownVersionOf(serving: FeedServing, spec: FeedSpec): number | undefined {
  const { store } = serving;
  return spec.term === undefined
    ? store.knownFeedVersion?.(spec.language.tag, spec.section?.slug)
    : store.knownTermFeedVersion?.(spec.language.tag, termId(spec.term));
}

/** The feed's version, read from the store when it does not know it in memory. */
export function versionOf(serving: FeedServing, spec: FeedSpec): Promise<number> {
  const { store } = serving;
  return spec.term === undefined
    ? store.feedVersion(spec.language.tag, spec.section?.slug)
    : store.termFeedVersion(spec.language.tag, termId(spec.term));
}

/** What answering a feed reads of a request, whatever the runtime's request object. */
export interface FeedRequest {
  method: string;
  /** A header's value by its lowercase name. */
  header(name: string): string | undefined;
}

/** A response, as plain data a runtime writes out its own way; bodies are bytes with their Content-Length set. */
export interface FeedAnswer {
  status: number;
  /** Shared between answers of one document: read, never changed. */
  headers: Readonly<Record<string, string>>;
  body: Uint8Array | null;
}

/** Runs what may finish after the response (cache writes, subscriber counts, compressions). */
export type Defer = (work: Promise<unknown>) => void;

/** One request being answered from one document, as it travels through the steps of its answer. */
export interface Exchange {
  request: FeedRequest;
  spec: FeedSpec;
  defer: Defer;
  /** Where the feed's documents are cached, every version (see cache-keys.ts). */
  scope: string;
  document: RenderedDocument;
  /** Whether `document` came from the cache rather than being rendered for this request. */
  hit: boolean;
  /** The model `document` was rendered from, when it was rendered for this request. */
  model: FeedModel | undefined;
  /** The one instant the answer is made at. */
  now: number;
}

const encoder = new TextEncoder();

/** A whole answer of text, its Content-Length after `headers` (which name its Content-Type); HEAD gets the headers alone. */
export function textAnswer(request: FeedRequest, status: number, headers: Record<string, string>, text: string): FeedAnswer {
  const body = encoder.encode(text);
  return {
    status,
    headers: { ...headers, "Content-Length": String(body.byteLength) },
    body: request.method === "HEAD" ? null : body,
  };
}
