/**
 * Serving one feed document the way crawlers need it: rendered once per data version, with a strong
 * ETag of its bytes and Last-Modified of its newest article, conditional GET (RFC 9110), precompressed
 * encodings where the runtime provides them, delta feeds (RFC 3229 + feed), WebSub Link headers, and
 * a readable preview for a person's browser instead of the raw document.
 */
import type { Context } from "hono";
import type { LanguageSettings, SectionSettings, Site } from "../config/site.ts";
import { monthRange, readFeed } from "../feeds/build.ts";
import { FORMATS } from "../feeds/formats.ts";
import { feedLinks } from "../feeds/links.ts";
import type { FeedFormat, FeedModel } from "../feeds/model.ts";
import { fnv64 } from "../model/hash.ts";
import type { ArticleStore } from "../store/store.ts";
import { httpDate, parseHttpDate } from "../model/http-date.ts";
import { chooseEncoding, noneMatchHits, parseEntityTags, type Encoding } from "./conditional.ts";
import type { RenderCache, RenderedDocument } from "./render-cache.ts";
import type { SubscriberRecorder } from "./subscribers.ts";
import { waitUntil } from "./background.ts";

/**
 * Compresses bytes once per document (Node); absent where a CDN compresses (Workers). It may work off
 * the main thread and answer later: brotli at its best quality takes a noticeable time on a large feed,
 * and the server keeps answering other requests meanwhile.
 */
export type Compressor = (body: Uint8Array, encoding: Exclude<Encoding, "identity">) => Uint8Array | Promise<Uint8Array>;

export interface FeedServing {
  store: ArticleStore;
  site: Site;
  cache?: RenderCache;
  /** Names what else the bytes depend on (code, settings, deployment). */
  namespace: string;
  /** Seconds a subscription document may be reused (FEED_MAX_AGE). */
  maxAge: number;
  compress?: Compressor;
  /** Renders the preview a person's browser gets (see pages/preview.ts). */
  preview?: (model: FeedModel, format: FeedFormat) => string;
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
}

const encoder = new TextEncoder();

/** What a client's Accept-Encoding allows: the encoding it prefers, and whether it takes gzip over identity. */
interface EncodingChoice {
  best: Encoding | null;
  gzip: boolean;
}

/**
 * Encoding choices by Accept-Encoding value. Clients send a handful of distinct values (`gzip`,
 * `gzip, deflate, br`, ...), so each is parsed once; past 256 distinct values the memory starts over.
 */
class EncodingChoices {
  readonly #choices = new Map<string, EncodingChoice>();
  constructor(private readonly available: readonly Encoding[]) {}

  choose(header: string | undefined): EncodingChoice {
    const key = header ?? "";
    let choice = this.#choices.get(key);
    if (choice === undefined) {
      choice = {
        best: chooseEncoding(header, this.available),
        gzip: this.available.includes("gzip") && chooseEncoding(header, ["gzip", "identity"]) === "gzip",
      };
      if (key.length <= 256) {
        if (this.#choices.size >= 256) this.#choices.clear();
        this.#choices.set(key, choice);
      }
    }
    return choice;
  }
}
const COMPRESSED = new EncodingChoices(["br", "gzip", "identity"]);
const IDENTITY_ONLY = new EncodingChoices(["identity"]);

/**
 * What every response of one rendered document shares, worked out on its first request and kept with
 * it (a cached document is reused for many requests): Last-Modified as text, the compressed bodies,
 * and the header sets of a cache hit, for 304 and per encoding. A document belongs to one feed (its
 * cache key names the feed), so these headers are the same on every hit; answers share them unchanged.
 */
interface Prepared {
  lastModified: string;
  /** The document's canonical URL: the WebSub topic, and the feed subscriber counts are kept under. */
  self: string;
  /** Each compressed body, or its compression under way (which every request for it waits on). */
  encoded: Partial<Record<"br" | "gzip", Uint8Array | Promise<Uint8Array>>>;
  hitHeaders?: Readonly<Record<string, string>>;
  okHeaders: Partial<Record<Encoding, Readonly<Record<string, string>>>>;
}
const PREPARED = new WeakMap<RenderedDocument, Prepared>();

interface Rendered {
  document: RenderedDocument;
  model: FeedModel;
}
/** Renderings under way, by cache key, per serving. */
const RENDERING = new WeakMap<FeedServing, Map<string, Promise<Rendered | null>>>();

function prepared(document: RenderedDocument, serving: FeedServing, spec: FeedSpec): Prepared {
  let found = PREPARED.get(document);
  if (!found) {
    const self = feedLinks(serving.site.siteUrl, spec.language.tag, spec.section?.slug, spec.archive)[spec.format];
    PREPARED.set(document, (found = { lastModified: httpDate(document.lastModified), self, encoded: {}, okHeaders: {} }));
  }
  return found;
}

/** Seconds an archive month that has ended may be reused: it changes only when an article in it does. */
const CLOSED_ARCHIVE_MAX_AGE = 86_400;

/**
 * Entity tags of one If-None-Match looked up for a delta: a reader sends the one it holds, and a list of
 * thousands must not cost thousands of cache reads (on Workers, each is a subrequest, and they are capped).
 */
const MAX_DELTA_TAGS = 8;

/** What the response varies on: the encoding negotiated, and the navigation headers that choose the preview. */
const VARY = "Accept-Encoding, Sec-Fetch-Dest, Sec-Fetch-Mode";

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

/** The request of a Hono context, as answering a feed reads it. */
function honoFeedRequest(c: Context): FeedRequest {
  return { method: c.req.method, header: (name) => c.req.header(name) };
}

/** The answer as a Fetch API Response (Hono, Workers). */
function toResponse(answer: FeedAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** A browser navigating to the URL (a person), as Fetch Metadata says; feed readers send neither header. */
function isNavigation(request: FeedRequest): boolean {
  return request.header("sec-fetch-mode") === "navigate" && request.header("sec-fetch-dest") === "document";
}

function stateOf(model: FeedModel): string {
  return JSON.stringify(model.items.map((i) => [i.id, i.updated.ms]));
}

function readSpec(serving: FeedServing, spec: FeedSpec): Promise<FeedModel> {
  return readFeed(serving.store, serving.site, {
    language: spec.language,
    section: spec.section,
    archive: spec.archive,
    limit: spec.limit,
  });
}

/** A whole answer of text; HEAD gets its headers without the body. */
function textAnswer(request: FeedRequest, status: number, contentType: string, text: string, headers: Record<string, string>): FeedAnswer {
  const body = encoder.encode(text);
  return {
    status,
    headers: { ...headers, "Content-Type": contentType, "Content-Length": String(body.byteLength) },
    body: request.method === "HEAD" ? null : body,
  };
}

/** Serves `spec` through Hono: see answerFeed. */
export async function serveFeed(c: Context, serving: FeedServing, spec: FeedSpec): Promise<Response | null> {
  const answer = await answerFeed(honoFeedRequest(c), serving, spec, (work) => waitUntil(c, work));
  return answer && toResponse(answer);
}

type Defer = (work: Promise<unknown>) => void;

/** Where `spec`'s documents are cached: its scope (every version), and its key at `version`. */
interface Location {
  scope: string;
  key: string;
}

/**
 * The last location worked out per spec, for specs that live as long as the server (Node's table of
 * subscription documents): the same key string each time, so the cache's map does not hash it again.
 */
const LOCATIONS = new WeakMap<FeedSpec, Location & { serving: FeedServing; version: number }>();

function locate(serving: FeedServing, spec: FeedSpec, version: number): Location {
  const last = LOCATIONS.get(spec);
  if (last !== undefined && last.version === version && last.serving === serving) return last;
  const variant = spec.archive === undefined ? `latest-${spec.limit ?? serving.site.settings.itemCount}` : `archive-${spec.archive}`;
  const scope = `${serving.namespace}/${spec.language.tag}/${spec.section?.slug ?? ""}/${spec.format}/${variant}`;
  const location = { serving, version, scope, key: `${scope}/${version}` };
  LOCATIONS.set(spec, location);
  return location;
}

/**
 * Answers `request` for `spec`, or returns null when it names an archive month without articles. The
 * hot path, a document already rendered whose version the store knows in memory (Node), answers at
 * once, without a promise; anything else reads the version, renders when needed, and answers later.
 * `defer` runs what may finish after the response (cache writes, subscriber counts, compressions).
 */
export function answerFeed(
  request: FeedRequest,
  serving: FeedServing,
  spec: FeedSpec,
  defer: Defer,
): FeedAnswer | null | Promise<FeedAnswer | null> {
  const preview = serving.preview !== undefined && isNavigation(request);
  if (!preview) {
    const version = serving.store.knownFeedVersion?.(spec.language.tag, spec.section?.slug);
    if (version !== undefined) {
      const { scope, key } = locate(serving, spec, version);
      const document = serving.cache?.peek?.(key);
      if (document !== undefined) return answerWith(request, serving, spec, scope, { document, hit: true }, defer);
    }
  }
  return answerReading(request, serving, spec, preview, defer);
}

/** answerFeed's way when something must be read or rendered first, or a person's browser gets the preview. */
async function answerReading(
  request: FeedRequest,
  serving: FeedServing,
  spec: FeedSpec,
  preview: boolean,
  defer: Defer,
): Promise<FeedAnswer | null> {
  const version = await serving.store.feedVersion(spec.language.tag, spec.section?.slug);
  const { scope, key } = locate(serving, spec, version);

  if (preview) {
    const model = await readSpec(serving, spec);
    if (spec.archive !== undefined && model.items.length === 0) return null;
    return textAnswer(request, 200, "text/html; charset=UTF-8", serving.preview!(model, spec.format), {
      Vary: VARY,
      "Cache-Control": `public, max-age=${serving.maxAge}`,
    });
  }

  const cached = await serving.cache?.get(key);
  if (cached !== undefined) return answerWith(request, serving, spec, scope, { document: cached, hit: true }, defer);
  const rendered = await renderOnce(serving, spec, scope, key, defer);
  return rendered && answerWith(request, serving, spec, scope, { ...rendered, hit: false }, defer);
}

/** A document to answer with: from the cache (`hit`), or just rendered from `model`. */
interface Found {
  document: RenderedDocument;
  hit: boolean;
  model?: FeedModel;
}

/** The answer from a document: 304, a delta (226), 406, or the bytes in the encoding negotiated. */
function answerWith(
  request: FeedRequest,
  serving: FeedServing,
  spec: FeedSpec,
  scope: string,
  found: Found,
  defer: Defer,
): FeedAnswer | Promise<FeedAnswer> {
  const { document, hit } = found;
  const shared = prepared(document, serving, spec);
  const now = serving.now();
  serving.subscribers?.observe(shared.self, request.header("user-agent"), defer);
  // The usual answer (a hit on a subscription document) reuses the headers of the last one; a miss, an
  // archive month (whose Cache-Control changes when the month ends) and a document dated ahead of the
  // clock get their own.
  const reusable = hit && spec.archive === undefined && document.lastModified <= now;
  const headers = reusable
    ? (shared.hitHeaders ??= validatorHeaders(serving, spec, document, shared, now, true))
    : validatorHeaders(serving, spec, document, shared, now, hit);

  // If-None-Match takes precedence over If-Modified-Since (RFC 9110 section 13.2.2).
  const ifNoneMatch = request.header("if-none-match");
  if (ifNoneMatch !== undefined) {
    if (noneMatchHits(ifNoneMatch, document.etag)) return { status: 304, headers, body: null };
    if (asksForDelta(request) && serving.cache) {
      return (async () => {
        const model = found.model ?? (await readSpec(serving, spec));
        const delta = await deltaAnswer(request, serving, spec, scope, ifNoneMatch, document, headers, model);
        return delta ?? fullAnswer(request, serving, spec, document, shared, headers, reusable, defer);
      })();
    }
  } else {
    const since = parseHttpDate(request.header("if-modified-since"), now);
    if (since !== null && document.lastModified <= since) return { status: 304, headers, body: null };
  }
  return fullAnswer(request, serving, spec, document, shared, headers, reusable, defer);
}

/** The document's bytes in the encoding negotiated (waiting for its compression when it must), or 406. */
function fullAnswer(
  request: FeedRequest,
  serving: FeedServing,
  spec: FeedSpec,
  document: RenderedDocument,
  shared: Prepared,
  headers: Readonly<Record<string, string>>,
  reusable: boolean,
  defer: Defer,
): FeedAnswer | Promise<FeedAnswer> {
  const choice = (serving.compress ? COMPRESSED : IDENTITY_ONLY).choose(request.header("accept-encoding"));
  let encoding = choice.best;
  // Brotli at its best takes a while, and after an ingest many documents wait for it: a client that also
  // takes gzip gets gzip until the brotli form is ready, which is made meanwhile.
  if (encoding === "br" && choice.gzip) {
    const brotli = compressed(serving, document, shared, "br");
    if (!(brotli instanceof Uint8Array)) {
      defer(brotli);
      encoding = "gzip";
    }
  }
  if (encoding === null)
    return textAnswer(request, 406, "text/plain; charset=UTF-8", "Not acceptable: this feed is available as br, gzip or identity\n", {
      Vary: VARY,
    });
  const chosen = encoding;
  const answer = (body: Uint8Array): FeedAnswer => ({
    status: 200,
    headers: reusable
      ? (shared.okHeaders[chosen] ??= bodyHeaders(headers, chosen, FORMATS[spec.format].contentType, body))
      : bodyHeaders(headers, chosen, FORMATS[spec.format].contentType, body),
    body: request.method === "HEAD" ? null : body,
  });
  const body = chosen === "identity" ? document.body : compressed(serving, document, shared, chosen);
  return body instanceof Uint8Array ? answer(body) : body.then(answer);
}

/** The document's body in `encoding`, compressed on its first request; a failed compression is tried again by the next. */
function compressed(
  serving: FeedServing,
  document: RenderedDocument,
  shared: Prepared,
  encoding: "br" | "gzip",
): Uint8Array | Promise<Uint8Array> {
  const known = shared.encoded[encoding];
  if (known !== undefined) return known;
  const made = serving.compress!(document.body, encoding);
  if (made instanceof Uint8Array) return (shared.encoded[encoding] = made);
  return (shared.encoded[encoding] = made.then(
    (bytes) => (shared.encoded[encoding] = bytes),
    (error: unknown) => {
      delete shared.encoded[encoding];
      throw error;
    },
  ));
}

/**
 * Renders `spec` at the version in `key` and caches it; requests for the same key that arrive while it
 * renders (a crowd of crawlers just after an ingest) wait for that one rendering instead of each doing
 * their own. Null for an archive month without articles.
 */
function renderOnce(serving: FeedServing, spec: FeedSpec, scope: string, key: string, defer: Defer) {
  let pending = RENDERING.get(serving);
  if (!pending) RENDERING.set(serving, (pending = new Map()));
  let rendering = pending.get(key);
  if (!rendering) {
    const render = async (): Promise<Rendered | null> => {
      const model = await readSpec(serving, spec);
      if (spec.archive !== undefined && model.items.length === 0) return null;
      const text = FORMATS[spec.format].render(model);
      const document = { body: encoder.encode(text), etag: `"${fnv64(text)}"`, lastModified: Math.floor(model.updated.ms / 1000) * 1000 };
      serving.cache?.put(key, document, defer);
      serving.cache?.putState(`${scope}/${document.etag}`, stateOf(model), defer);
      return { document, model };
    };
    const started = render().finally(() => pending.delete(key));
    pending.set(key, (rendering = started));
  }
  return rendering;
}

/** The headers of a 200: the validators, and what describes the body. */
function bodyHeaders(
  headers: Readonly<Record<string, string>>,
  encoding: Encoding,
  contentType: string,
  body: Uint8Array,
): Record<string, string> {
  return {
    ...headers,
    ...(encoding === "identity" ? {} : { "Content-Encoding": encoding }),
    "Content-Type": contentType,
    "Content-Length": String(body.byteLength),
  };
}

/** The validators and caching headers every answer of `document` carries, 304 or 200. */
function validatorHeaders(
  serving: FeedServing,
  spec: FeedSpec,
  document: RenderedDocument,
  shared: Prepared,
  now: number,
  hit: boolean,
): Record<string, string> {
  const headers: Record<string, string> = {
    ETag: document.etag,
    "Last-Modified": document.lastModified <= now ? shared.lastModified : httpDate(now),
    "Cache-Control": cacheControl(serving, spec),
    Vary: VARY,
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Link, IM",
    "Cross-Origin-Resource-Policy": "cross-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Cache": hit ? "HIT" : "MISS",
  };
  const hubs = serving.site.hubs;
  if (hubs?.length) headers.Link = [...hubs.map((hub) => `<${hub}>; rel="hub"`), `<${shared.self}>; rel="self"`].join(", ");
  return headers;
}

function cacheControl(serving: FeedServing, spec: FeedSpec): string {
  if (spec.archive !== undefined && monthRange(spec.archive, serving.site.settings.timezone).end <= serving.now()) {
    return `public, max-age=${CLOSED_ARCHIVE_MAX_AGE}, stale-while-revalidate=${CLOSED_ARCHIVE_MAX_AGE}, stale-if-error=${7 * CLOSED_ARCHIVE_MAX_AGE}`;
  }
  return `public, max-age=${serving.maxAge}, stale-while-revalidate=${serving.maxAge}, stale-if-error=86400`;
}

/** Whether the client asks for a delta feed: `A-IM: feed` (RFC 3229). */
function asksForDelta(request: FeedRequest): boolean {
  const header = request.header("a-im");
  return header !== undefined && header.split(",").some((s) => s.trim().split(";")[0]!.toLowerCase() === "feed");
}

/**
 * RFC 3229 with `A-IM: feed`: for an If-None-Match naming a version this server still knows, only the
 * entries new or changed since, as `226 IM Used`, for a client that asked (see asksForDelta). Null (the
 * full feed follows) when the version is unknown.
 */
async function deltaAnswer(
  request: FeedRequest,
  serving: FeedServing,
  spec: FeedSpec,
  scope: string,
  ifNoneMatch: string,
  document: RenderedDocument,
  headers: Readonly<Record<string, string>>,
  model: FeedModel,
): Promise<FeedAnswer | null> {
  if (!serving.cache) return null;
  const tags = parseEntityTags(ifNoneMatch);
  if (tags === "*") return null;
  for (const tag of tags.slice(0, MAX_DELTA_TAGS)) {
    const state = await serving.cache.getState(`${scope}/${tag}`);
    if (state === undefined) continue;
    const seen = new Set((JSON.parse(state) as [string, number][]).map(([id, updated]) => `${id}\n${updated}`));
    const delta = { ...model, items: model.items.filter((i) => !seen.has(`${i.id}\n${i.updated.ms}`)) };
    return textAnswer(request, 226, FORMATS[spec.format].contentType, FORMATS[spec.format].render(delta), {
      ...headers,
      IM: "feed",
      Vary: `${VARY}, A-IM, If-None-Match`,
      "Cache-Control": "private, no-cache",
      ETag: document.etag,
    });
  }
  return null;
}
