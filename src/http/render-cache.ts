/**
 * Rendered feed documents kept per feed data version, so a feed renders once per change rather than
 * once per request. Keys name the format, the feed and its version; nothing is ever invalidated, a
 * new version is simply a new key.
 */

export interface RenderCache {
  get(key: string): Promise<string | undefined>;
  /** Stores `body`; a runtime that can finish the write after the response passes it to `waitUntil`. */
  put(key: string, body: string, waitUntil: (work: Promise<unknown>) => void): void;
}

/** A bounded in-process cache (Node): least recently used entries leave first. */
export function memoryCache(maxEntries = 256): RenderCache {
  const entries = new Map<string, string>();
  return {
    async get(key) {
      const body = entries.get(key);
      if (body !== undefined) {
        entries.delete(key);
        entries.set(key, body);
      }
      return body;
    },
    put(key, body) {
      entries.delete(key);
      entries.set(key, body);
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    },
  };
}
