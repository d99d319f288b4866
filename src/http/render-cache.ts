/**
 * Rendered feed documents kept per feed data version, so a feed renders once per change rather than
 * once per request, with their validators worked out once too. Keys name the feed, its format and
 * its version; nothing is invalidated, a new version is simply a new key. Beside them, the item
 * states of recent versions by ETag, from which delta feeds (RFC 3229) are made.
 */

export interface RenderedDocument {
  body: Uint8Array;
  /** Strong entity tag of `body`. */
  etag: string;
  /** Newest article update in the document (ms), for Last-Modified. */
  lastModified: number;
}

export interface RenderCache {
  get(key: string): Promise<RenderedDocument | undefined>;
  /** The document at once, where the cache is in memory; caches that must wait for it need not have it. */
  peek?(key: string): RenderedDocument | undefined;
  /** Stores `document`; a runtime that can finish the write after the response passes it to `waitUntil`. */
  put(key: string, document: RenderedDocument, waitUntil: (work: Promise<unknown>) => void): void;
  /** The items (id and update time) a feed had at the version with this ETag. */
  getState(key: string): Promise<string | undefined>;
  putState(key: string, state: string, waitUntil: (work: Promise<unknown>) => void): void;
}

/**
 * A bounded map: least recently used entries leave first. A hit only stamps its entry (the map is not
 * reordered on every read of a hot feed); an insertion into a full map looks for the oldest stamp.
 */
function lru<T>(max: number) {
  const entries = new Map<string, { value: T; used: number }>();
  let clock = 0;
  return {
    get(key: string): T | undefined {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      entry.used = ++clock;
      return entry.value;
    },
    set(key: string, value: T) {
      const entry = entries.get(key);
      if (entry !== undefined) {
        entry.value = value;
        entry.used = ++clock;
        return;
      }
      if (entries.size >= max) {
        let oldest: string | undefined;
        let oldestUsed = Infinity;
        for (const [k, e] of entries) if (e.used < oldestUsed) [oldest, oldestUsed] = [k, e.used];
        entries.delete(oldest!);
      }
      entries.set(key, { value, used: ++clock });
    },
  };
}

/** The in-process cache (Node). */
export function memoryCache(maxEntries = 512): RenderCache {
  const documents = lru<RenderedDocument>(maxEntries);
  const states = lru<string>(maxEntries * 4);
  return {
    get: async (key) => documents.get(key),
    peek: (key) => documents.get(key),
    put: (key, document) => documents.set(key, document),
    getState: async (key) => states.get(key),
    putState: (key, state) => states.set(key, state),
  };
}
