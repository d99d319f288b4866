/** Content codings of a feed's bytes: what a client's Accept-Encoding allows, worked out once per distinct value. */
import { chooseEncoding, type Encoding } from "../conditional.ts";

/**
 * Compresses bytes once per document (Node); absent where a CDN compresses (Workers). It may work off
 * the main thread and answer later: brotli at its best quality takes a noticeable time on a large feed,
 * and the server keeps answering other requests meanwhile.
 */
export type Compressor = (body: Uint8Array, encoding: Exclude<Encoding, "identity">) => Uint8Array | Promise<Uint8Array>;

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
