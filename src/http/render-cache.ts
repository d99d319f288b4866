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
  /** Stores `document`; a runtime that can finish the write after the response passes it to `waitUntil`. */
  put(key: string, document: RenderedDocument, waitUntil: (work: Promise<unknown>) => void): void;
  /** The items (id and update time) a feed had at the version with this ETag. */
  getState(key: string): Promise<string | undefined>;
  putState(key: string, state: string, waitUntil: (work: Promise<unknown>) => void): void;
}

/** A bounded map: least recently used entries leave first. */
function lru<T>(max: number) {
  const entries = new Map<string, T>();
  return {
    get(key: string): T | undefined {
      const value = entries.get(key);
      if (value !== undefined) {
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    set(key: string, value: T) {
      entries.delete(key);
      entries.set(key, value);
      if (entries.size > max) entries.delete(entries.keys().next().value!);
    },
  };
}

/** The in-process cache (Node). */
export function memoryCache(maxEntries = 512): RenderCache {
  const documents = lru<RenderedDocument>(maxEntries);
  const states = lru<string>(maxEntries * 4);
  return {
    get: async (key) => documents.get(key),
    put: (key, document) => documents.set(key, document),
    getState: async (key) => states.get(key),
    putState: (key, state) => states.set(key, state),
  };
}
