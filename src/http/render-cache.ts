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
function lru<T>(max: number, evicted: (key: string) => void = () => undefined) {
  const entries = new Map<string, { value: T; used: number }>();
  let clock = 0;
  return {
    delete(key: string) {
      entries.delete(key);
    },
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
        evicted(oldest!);
      }
      entries.set(key, { value, used: ++clock });
    },
  };
}

/**
 * The in-process cache (Node). Keys end in their feed's version (`<scope>/<version>`, see
 * feeds/cache-keys.ts), and it keeps one document per scope, the newest: putting a version pushes out
 * the older one (no answer will be made from it again), and an older version put late is not kept, so
 * writes make no more documents to keep than there are feeds.
 */
export function memoryCache(maxEntries = 512): RenderCache {
  /** The version kept per scope, and its key. */
  const newest = new Map<string, { version: number; key: string }>();
  const scopeOf = (key: string) => {
    const cut = key.lastIndexOf("/");
    const version = Number(key.slice(cut + 1));
    return cut < 0 || !Number.isFinite(version) ? undefined : { scope: key.slice(0, cut), version };
  };
  const documents = lru<RenderedDocument>(maxEntries, (key) => {
    const at = scopeOf(key);
    if (at !== undefined && newest.get(at.scope)?.key === key) newest.delete(at.scope);
  });
  const states = lru<string>(maxEntries * 4);
  return {
    get: async (key) => documents.get(key),
    peek: (key) => documents.get(key),
    put: (key, document) => {
      const at = scopeOf(key);
      if (at !== undefined) {
        const kept = newest.get(at.scope);
        if (kept !== undefined && kept.version > at.version) return;
        if (kept !== undefined && kept.key !== key) documents.delete(kept.key);
        newest.set(at.scope, { version: at.version, key });
      }
      documents.set(key, document);
    },
    getState: async (key) => states.get(key),
    putState: (key, state) => states.set(key, state),
  };
}
