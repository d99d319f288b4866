/**
 * Answering a request for one feed document the way crawlers need it: rendered once per data version,
 * with a strong ETag of its bytes and Last-Modified of its newest article, conditional GET (RFC 9110),
 * precompressed encodings where the runtime provides them, delta feeds (RFC 3229 + feed), WebSub Link
 * headers, and a readable preview for a person's browser instead of the raw document.
 */
import { FORMATS } from "../../feeds/formats.ts";
import { noneMatchHits } from "../conditional.ts";
import { parseHttpDate } from "../../model/http-date.ts";
import { FeedLocations } from "./cache-keys.ts";
import { pageHeaders, TEXT_HEADERS } from "../security.ts";
import { memoryCache, type RenderCache } from "../render-cache.ts";
import { asksForDelta, deltaAnswer, deltaBase, deltaKey, deltaText } from "./delta.ts";
import { EncodingChoices, type Compressor } from "./encoding.ts";
import { bodyHeaders, validatorHeaders, VARY } from "./headers.ts";
import { PreparedDocuments, type PreparedDocument } from "./prepared.ts";
import { isEmptyAndGone, readModel, RenderOnce } from "./render-once.ts";
import {
  knownVersionOf,
  textAnswer,
  versionOf,
  type Defer,
  type Exchange,
  type FeedAnswer,
  type FeedRequest,
  type FeedServing,
  type FeedSpec,
} from "./serving.ts";
import { VariantSpace, type VariantStats } from "./variants.ts";

const encoder = new TextEncoder();

/**
 * Author and tag documents kept at most when the runtime gives no cache for them: about 5 MB of
 * 40 KB feeds, whatever the number of authors and tags.
 */
export const TERM_DOCUMENTS = 128;

/** A browser navigating to the URL (a person), as Fetch Metadata says; feed readers send neither header. */
function isNavigation(request: FeedRequest): boolean {
  return request.header("sec-fetch-mode") === "navigate" && request.header("sec-fetch-dest") === "document";
}

/**
 * Whether the exchange's answer may reuse the headers kept with its document: a hit on a subscription
 * document. A miss, an archive month (whose Cache-Control changes when the month ends) and a document
 * dated ahead of the clock get their own.
 */
function isReusable(exchange: Exchange): boolean {
  return exchange.hit && exchange.spec.archive === undefined && exchange.document.lastModified <= exchange.now;
}

/**
 * Answers feed requests for one app, and owns what it remembers between them: cache locations, the
 * renderings under way, the variants made (see variants.ts), each document's prepared parts and the
 * encoding choices. A runtime builds one per app (see createService), so two apps in one process share
 * none of it.
 */
export class FeedResponder {
  readonly #locations: FeedLocations;
  readonly #renderings: RenderOnce;
  readonly #prepared: PreparedDocuments;
  readonly #encodings: EncodingChoices;
  /** `?limit=` documents, previews and deltas, apart from the render cache; none without a render cache. */
  readonly #variants: VariantSpace | undefined;
  /** Author and tag subscription documents and archives, apart from the render cache; none without a render cache. */
  readonly #terms: RenderCache | undefined;
  /** The compressor without its best forms, for author and tag feeds: they never take the best-form queue from the feeds crawlers poll. */
  readonly #termCompress: Compressor | undefined;

  constructor(readonly serving: FeedServing) {
    this.#locations = new FeedLocations(serving.namespace, serving.site.settings.itemCount);
    this.#renderings = new RenderOnce(serving);
    this.#prepared = new PreparedDocuments(serving.site.siteUrl);
    this.#encodings = new EncodingChoices(serving.compress);
    this.#variants = serving.cache ? new VariantSpace(serving.variantBytes, serving.variantEntries) : undefined;
    this.#terms = serving.cache ? (serving.termCache ?? memoryCache(TERM_DOCUMENTS)) : undefined;
    const compress = serving.compress;
    this.#termCompress = compress && ((body, encoding) => compress(body, encoding));
  }

  /** What the variant space holds and how it fared; undefined without a render cache. */
  variantStats(): VariantStats | undefined {
    return this.#variants?.stats();
  }

  /**
   * Where the documents of `spec` are kept: a subscription document (every item count the feed has by
   * default, `?limit=` of that count included) or an archive month in the render cache, any other
   * `?limit=` and any JSON Feed page (`?before=`) in the variant space.
   */
  #cacheOf(spec: FeedSpec): RenderCache | undefined {
    if (spec.before !== undefined) return this.#variants;
    if (spec.limit !== undefined && spec.limit !== this.serving.site.settings.itemCount) return this.#variants;
    return spec.term === undefined ? this.serving.cache : this.#terms;
  }

  /**
   * Answers `request` for `spec`, or returns null when it names an archive month, or an author or tag,
   * without articles. The
   * hot path, a document already rendered whose version the store knows in memory (Node), answers at
   * once, without a promise; anything else reads the version, renders when needed, and answers later.
   */
  answer(request: FeedRequest, spec: FeedSpec, defer: Defer): FeedAnswer | null | Promise<FeedAnswer | null> {
    const { serving } = this;
    if (serving.preview !== undefined && isNavigation(request)) return this.#preview(request, spec);
    const version = knownVersionOf(serving, spec);
    if (version !== undefined) {
      const { scope, key } = this.#locations.at(spec, version);
      const document = this.#cacheOf(spec)?.peek?.(key);
      if (document !== undefined)
        return this.#answerWith({ request, spec, defer, scope, document, hit: true, model: undefined, now: serving.now() });
    }
    return this.#answerReading(request, spec, defer);
  }

  /** The readable page a person's browser gets instead of the raw document, made once per feed version. */
  async #preview(request: FeedRequest, spec: FeedSpec): Promise<FeedAnswer | null> {
    const { serving } = this;
    const version = knownVersionOf(serving, spec);
    const { key } = this.#locations.at(spec, version ?? (await versionOf(serving, spec)));
    const previewKey = `${key}/preview`;
    const body =
      this.#variants?.body(previewKey) ??
      (await this.#renderings.once(previewKey, async () => {
        const model = await readModel(serving, spec);
        if (isEmptyAndGone(spec, model)) return null;
        const made = encoder.encode(serving.preview!(model, spec.format));
        this.#variants?.putBody(previewKey, made);
        return made;
      }));
    if (body === null) return null;
    const headers = {
      ...(await pageHeaders()),
      Vary: VARY,
      "Cache-Control": `public, max-age=${serving.maxAge}`,
      "Content-Type": "text/html; charset=UTF-8",
      "Content-Length": String(body.byteLength),
    };
    return { status: 200, headers, body: request.method === "HEAD" ? null : body };
  }

  /** answer's way when the version must be read first, or the document fetched from the cache or rendered. */
  async #answerReading(request: FeedRequest, spec: FeedSpec, defer: Defer): Promise<FeedAnswer | null> {
    const { serving } = this;
    const version = await versionOf(serving, spec);
    const location = this.#locations.at(spec, version);
    const { scope } = location;
    const cache = this.#cacheOf(spec);
    const cached = await cache?.get(location.key);
    if (cached !== undefined)
      return this.#answerWith({ request, spec, defer, scope, document: cached, hit: true, model: undefined, now: serving.now() });
    const rendered = await this.#renderings.render(spec, location, defer, cache);
    return (
      rendered &&
      this.#answerWith({ request, spec, defer, scope, document: rendered.document, hit: false, model: rendered.model, now: serving.now() })
    );
  }

  /** The answer from a document: 304, a delta (226), 406, or the bytes in the encoding negotiated. */
  #answerWith(exchange: Exchange): FeedAnswer | Promise<FeedAnswer> {
    const { serving } = this;
    const { request, document } = exchange;
    const prepared = this.#prepared.of(document, exchange.spec);
    serving.subscribers?.observe(prepared.self, request.header("user-agent"), exchange.defer);
    const headers = isReusable(exchange)
      ? (prepared.hitHeaders ??= validatorHeaders(serving, exchange, prepared))
      : validatorHeaders(serving, exchange, prepared);

    // If-None-Match takes precedence over If-Modified-Since (RFC 9110 section 13.2.2).
    const ifNoneMatch = request.header("if-none-match");
    if (ifNoneMatch !== undefined) {
      if (noneMatchHits(ifNoneMatch, document.etag)) return { status: 304, headers, body: null };
      if (serving.cache && asksForDelta(request)) return this.#deltaOrFull(exchange, prepared, headers);
    } else {
      const since = parseHttpDate(request.header("if-modified-since"), exchange.now);
      if (since !== null && document.lastModified <= since) return { status: 304, headers, body: null };
    }
    return this.#fullAnswer(exchange, prepared, headers);
  }

  /**
   * The delta a client asked for, made once per pair of versions; or the full document when the version it
   * names is not known, which then costs no reading and no rendering.
   */
  async #deltaOrFull(exchange: Exchange, prepared: PreparedDocument, headers: Readonly<Record<string, string>>): Promise<FeedAnswer> {
    const base = await deltaBase(this.#cacheOf(exchange.spec)!, exchange.scope, exchange.request);
    if (base === null) return this.#fullAnswer(exchange, prepared, headers);
    const key = deltaKey(exchange, base);
    const body =
      this.#variants!.body(key) ??
      (await this.#renderings.once(key, async () => {
        const model = exchange.model ?? (await readModel(this.serving, exchange.spec));
        const made = encoder.encode(deltaText(exchange, model, base));
        this.#variants!.putBody(key, made);
        return made;
      }));
    return deltaAnswer(exchange, headers, body);
  }

  #compressorOf(spec: FeedSpec): Compressor | undefined {
    return spec.term === undefined ? this.serving.compress : this.#termCompress;
  }

  /** The document's bytes in the encoding negotiated (waiting for its compression when it must), or 406. */
  #fullAnswer(exchange: Exchange, prepared: PreparedDocument, headers: Readonly<Record<string, string>>): FeedAnswer | Promise<FeedAnswer> {
    const { request } = exchange;
    const choice = this.#encodings.choose(request.header("accept-encoding"));
    let encoding = choice.best;
    // A compressor whose first form takes a while (a large document's, from the thread pool): a client
    // that also takes gzip gets gzip until the brotli form is ready, which is made meanwhile.
    if (encoding === "br" && choice.gzip) {
      const brotli = prepared.encoded("br", this.#compressorOf(exchange.spec)!, exchange.scope);
      if (!(brotli instanceof Uint8Array)) {
        exchange.defer(brotli);
        encoding = "gzip";
      }
    }
    if (encoding === null) {
      const refused = { ...TEXT_HEADERS, Vary: VARY, "Content-Type": "text/plain; charset=UTF-8" };
      return textAnswer(request, 406, refused, "Not acceptable: this feed is available as br, gzip or identity\n");
    }
    const chosen = encoding;
    const contentType = FORMATS[exchange.spec.format].contentType;
    const reusable = isReusable(exchange);
    const answer = (body: Uint8Array): FeedAnswer => {
      // The headers kept are those of the body they were made for: a brotli body replaced by its best form has its own.
      const kept = reusable ? prepared.okHeaders[chosen] : undefined;
      let ok: Readonly<Record<string, string>>;
      if (kept !== undefined && kept.body === body) ok = kept.headers;
      else {
        ok = bodyHeaders(headers, chosen, contentType, body);
        if (reusable) prepared.okHeaders[chosen] = { body, headers: ok };
      }
      return { status: 200, headers: ok, body: request.method === "HEAD" ? null : body };
    };
    const body =
      chosen === "identity" ? exchange.document.body : prepared.encoded(chosen, this.#compressorOf(exchange.spec)!, exchange.scope);
    return body instanceof Uint8Array ? answer(body) : body.then(answer);
  }
}
