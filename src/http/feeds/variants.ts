/**
 * The variants of a feed, kept apart from its subscription documents. A `?limit=` document, the preview a
 * browser gets and a delta (RFC 3229) are each made once per feed version and kept in a space of their
 * own, bounded by bytes and by entries, with its own least-recently-used order. Anyone can ask for every
 * `?limit=` of every feed, every preview and deltas from every version: that fills this space alone, and
 * the render cache keeps the subscription documents and archives crawlers poll.
 */
import type { RenderCache, RenderedDocument } from "../render-cache.ts";

/** What the space holds and how it fared, for tests and for the curious. */
export interface VariantStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  /** Entries pushed out to make room. */
  evictions: number;
}

/** Bytes kept at most: every `?limit=` of the sample's 72 feeds at about 100 KB each would not fit, a busy handful does. */
export const VARIANT_BYTES = 16 * 1024 * 1024;
/** Entries kept at most, whatever their size. */
export const VARIANT_ENTRIES = 2048;

type Value = { kind: "document"; document: RenderedDocument } | { kind: "body"; body: Uint8Array } | { kind: "state"; state: string };

/** Bytes an entry is counted as: its bytes or text (two bytes a character), its key, and a little for the entry itself. */
function sizeOf(key: string, value: Value): number {
  const own =
    value.kind === "document" ? value.document.body.byteLength : value.kind === "body" ? value.body.byteLength : value.state.length * 2;
  return own + key.length * 2 + 64;
}

/**
 * The space: a map in least-recently-used order (a hit moves its entry to the end; room is made from the
 * front). It is a RenderCache, so `?limit=` documents and their delta states go where subscription
 * documents go, only here; previews and deltas are bodies.
 */
export class VariantSpace implements RenderCache {
  readonly #entries = new Map<string, { value: Value; size: number }>();
  #bytes = 0;
  #hits = 0;
  #misses = 0;
  #evictions = 0;

  constructor(
    readonly maxBytes = VARIANT_BYTES,
    readonly maxEntries = VARIANT_ENTRIES,
  ) {}

  #get(key: string): Value | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  #set(key: string, value: Value) {
    const size = sizeOf(key, value);
    const old = this.#entries.get(key);
    if (old !== undefined) {
      this.#entries.delete(key);
      this.#bytes -= old.size;
    }
    // Something larger than the whole space is not kept (it would push out everything else for nothing).
    if (size > this.maxBytes) return;
    while (this.#entries.size > 0 && (this.#bytes + size > this.maxBytes || this.#entries.size >= this.maxEntries)) {
      const [oldest, entry] = this.#entries.entries().next().value!;
      this.#entries.delete(oldest);
      this.#bytes -= entry.size;
      this.#evictions++;
    }
    this.#entries.set(key, { value, size });
    this.#bytes += size;
  }

  peek(key: string): RenderedDocument | undefined {
    const value = this.#get(`d ${key}`);
    return value?.kind === "document" ? value.document : undefined;
  }

  async get(key: string): Promise<RenderedDocument | undefined> {
    return this.peek(key);
  }

  put(key: string, document: RenderedDocument) {
    this.#set(`d ${key}`, { kind: "document", document });
  }

  async getState(key: string): Promise<string | undefined> {
    const value = this.#get(`s ${key}`);
    return value?.kind === "state" ? value.state : undefined;
  }

  putState(key: string, state: string) {
    this.#set(`s ${key}`, { kind: "state", state });
  }

  /** A body made for a variant (a preview, a delta), or undefined. */
  body(key: string): Uint8Array | undefined {
    const value = this.#get(`b ${key}`);
    return value?.kind === "body" ? value.body : undefined;
  }

  putBody(key: string, body: Uint8Array) {
    this.#set(`b ${key}`, { kind: "body", body });
  }

  stats(): VariantStats {
    return { entries: this.#entries.size, bytes: this.#bytes, hits: this.#hits, misses: this.#misses, evictions: this.#evictions };
  }
}
