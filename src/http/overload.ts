/**
 * Load shedding: past `maxInFlight` requests at once, new ones get 503 with Retry-After, which feed
 * readers and crawlers respect, rather than a slow answer or an HTML challenge page.
 */
import type { MiddlewareHandler } from "hono";

/** Requests being served now, counted by every path that serves them (the app, and Node's feed path). */
export class InFlight {
  #count = 0;
  constructor(readonly max: number) {}

  /** Counts a request in, or returns false when `max` are already being served. */
  enter(): boolean {
    if (this.#count >= this.max) return false;
    this.#count++;
    return true;
  }

  leave() {
    this.#count--;
  }
}

export function overload(inFlight: InFlight, retryAfterSeconds = 5): MiddlewareHandler {
  return async function shedLoad(c, next) {
    if (!inFlight.enter()) {
      return c.text(`Service busy: too many requests at once; try again in ${retryAfterSeconds} seconds\n`, 503, {
        "Retry-After": String(retryAfterSeconds),
      });
    }
    try {
      await next();
    } finally {
      inFlight.leave();
    }
  };
}
