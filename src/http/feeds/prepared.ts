/**
 * What every response of one rendered document shares, worked out on its first request and kept with
 * it, since a cached document is reused for many requests: Last-Modified as text, its canonical URL, the
 * compressed bodies, and the header sets of a cache hit (for 304 and per encoding).
 */
import { correctionsLinks, feedLinks, termFeedLinks } from "../../feeds/links.ts";
import type { Encoding } from "../conditional.ts";
import { httpDate } from "../../model/http-date.ts";
import type { RenderedDocument } from "../render-cache.ts";
import type { Compressor } from "./encoding.ts";
import type { FeedSpec } from "./serving.ts";

/**
 * One document's shared parts. A document belongs to one feed (its cache key names the feed), so the
 * headers of a hit are the same on every hit; answers share them unchanged.
 */
export class PreparedDocument {
  readonly lastModified: string;
  /** The validator headers of a reusable hit (see answer.ts). */
  hitHeaders: Readonly<Record<string, string>> | undefined = undefined;
  /**
   * The headers of a reusable hit's 200, per encoding, with the body they were made for: a body
   * replaced by a better one (see `encoded`) gets headers of its own, its Content-Length among them.
   */
  readonly okHeaders: Partial<Record<Encoding, { body: Uint8Array; headers: Readonly<Record<string, string>> }>> = {};
  /** Each compressed body, or its compression under way (which every request for it waits on). */
  readonly #encoded: Partial<Record<"br" | "gzip", Uint8Array | Promise<Uint8Array>>> = {};
  /** Whether the compressor's queue had no room for this document's best form when it was last asked. */
  #bestRefused = false;

  constructor(
    readonly document: RenderedDocument,
    /** The document's canonical URL: the WebSub topic, and the feed subscriber counts are kept under. */
    readonly self: string,
  ) {
    this.lastModified = httpDate(document.lastModified);
  }

  /**
   * The body in `encoding`, compressed on its first request; a failed compression is tried again by the
   * next. Where the compressor offers a best form, the first brotli form is replaced by it when it is
   * ready (`feed` names the document's feed, every version, so the compressor drops the job of an older
   * version); while its queue is full, a later brotli request asks again. The bytes change, the
   * representation does not: they decode to the same document, under the same ETag (see
   * docs/http.md#compression).
   */
  encoded(encoding: "br" | "gzip", compress: Compressor, feed: string): Uint8Array | Promise<Uint8Array> {
    const known = this.#encoded[encoding];
    if (known !== undefined) {
      if (this.#bestRefused && encoding === "br") this.#askBest(compress, feed);
      return known;
    }
    const made = compress(this.document.body, encoding);
    if (made instanceof Uint8Array) return this.#made(encoding, made, compress, feed);
    return (this.#encoded[encoding] = made.then(
      (bytes) => this.#made(encoding, bytes, compress, feed),
      (error: unknown) => {
        delete this.#encoded[encoding];
        throw error;
      },
    ));
  }

  #made(encoding: "br" | "gzip", bytes: Uint8Array, compress: Compressor, feed: string): Uint8Array {
    this.#encoded[encoding] = bytes;
    if (encoding === "br") this.#askBest(compress, feed);
    return bytes;
  }

  #askBest(compress: Compressor, feed: string) {
    const job = compress.best?.(this.document.body, feed);
    this.#bestRefused = job === null;
    job?.then(
      (better) => {
        const first = this.#encoded.br;
        if (better !== null && first instanceof Uint8Array && better.byteLength < first.byteLength) this.#encoded.br = better;
      },
      // The first form stays: it is as good an answer, only larger.
      () => undefined,
    );
  }
}

/** The prepared form of each document, kept exactly as long as the document itself is (by the render cache). */
export class PreparedDocuments {
  readonly #prepared = new WeakMap<RenderedDocument, PreparedDocument>();

  constructor(private readonly siteUrl: string) {}

  of(document: RenderedDocument, spec: FeedSpec): PreparedDocument {
    let found = this.#prepared.get(document);
    if (!found) {
      const links = spec.corrections
        ? correctionsLinks(this.siteUrl, spec.language.tag)
        : spec.term === undefined
          ? feedLinks(this.siteUrl, spec.language.tag, spec.section?.slug, spec.archive, spec.before)
          : termFeedLinks(this.siteUrl, spec.language.tag, spec.term, spec.archive, spec.before);
      const self = links[spec.format];
      this.#prepared.set(document, (found = new PreparedDocument(document, self)));
    }
    return found;
  }
}
