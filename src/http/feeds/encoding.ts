/** Content codings of a feed's bytes: what a client's Accept-Encoding allows, worked out once per distinct value. */
import { chooseEncoding, type Encoding } from "../conditional.ts";

/**
 * Compresses a document's bytes (Node); absent where a CDN compresses (Workers). Called, it gives the
 * form a document version is first served with, at once or soon: quick settings, so a new version is
 * answered in its encoding without waiting. It may also offer `best`: the strongest brotli form, made
 * later and in turn, which replaces the first form of the document when it is ready.
 */
export interface Compressor {
  (body: Uint8Array, encoding: Exclude<Encoding, "identity">): Uint8Array | Promise<Uint8Array>;
  /**
   * Brotli of `body` at its best quality, made off the request's path. `key` names the document's feed
   * (every version of it): a newer version of the same feed replaces a job still waiting, which then
   * gives null, as does a document too large for it. Null at once, with no job, while the queue is full:
   * ask again later. A failure rejects.
   */
  best?: (body: Uint8Array, key: string) => Promise<Uint8Array | null> | null;
  /** What the compressor holds and has done, for the statistics and the soak. */
  stats?: () => CompressionStats;
}

/** The queue of best-quality compressions and what became of its jobs (see runtime/compressor.ts). */
export interface CompressionStats {
  /** Jobs waiting, and the bytes of their bodies. */
  queued: number;
  queuedBytes: number;
  /** Whether a job is being compressed now. */
  running: boolean;
  /** The queue's bounds. */
  maxQueued: number;
  maxQueuedBytes: number;
  /** The most jobs ever waiting at once. */
  peakQueued: number;
  /** Best forms made. */
  made: number;
  /** Jobs dropped because a newer version of their feed came while they waited. */
  superseded: number;
  /** Times a job was refused: the queue was full (it may be asked again), or the document too large. */
  refused: number;
  failed: number;
}

/** What a client's Accept-Encoding allows: the encoding it prefers, and whether it takes gzip over identity. */
export interface EncodingChoice {
  best: Encoding | null;
  gzip: boolean;
}

/** Distinct Accept-Encoding values remembered; past this the memory starts over. */
const MAX_REMEMBERED = 256;

/**
 * Encoding choices by Accept-Encoding value. Clients send a handful of distinct values (`gzip`,
 * `gzip, deflate, br`, ...), so each is parsed once; values over 256 characters are not remembered.
 */
export class EncodingChoices {
  readonly #choices = new Map<string, EncodingChoice>();
  readonly #available: readonly Encoding[];

  /** Brotli and gzip where there is a compressor, else identity alone. */
  constructor(compress: Compressor | undefined) {
    this.#available = compress ? ["br", "gzip", "identity"] : ["identity"];
  }

  choose(header: string | undefined): EncodingChoice {
    const key = header ?? "";
    let choice = this.#choices.get(key);
    if (choice === undefined) {
      choice = {
        best: chooseEncoding(header, this.#available),
        gzip: this.#available.includes("gzip") && chooseEncoding(header, ["gzip", "identity"]) === "gzip",
      };
      if (key.length <= MAX_REMEMBERED) {
        if (this.#choices.size >= MAX_REMEMBERED) this.#choices.clear();
        this.#choices.set(key, choice);
      }
    }
    return choice;
  }
}
