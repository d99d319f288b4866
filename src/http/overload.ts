/**
 * Load shedding: past `maxInFlight` requests at once, new ones get 503 with Retry-After, which feed
 * readers and crawlers respect, rather than a slow answer or an HTML challenge page.
 */
import type { MiddlewareHandler } from "hono";

export function overload(maxInFlight: number, retryAfterSeconds = 5): MiddlewareHandler {
  let inFlight = 0;
  return async function shedLoad(c, next) {
    if (inFlight >= maxInFlight) {
      return c.text(`Service busy: too many requests at once; try again in ${retryAfterSeconds} seconds\n`, 503, { "Retry-After": String(retryAfterSeconds) });
    }
    inFlight++;
    try {
      await next();
    } finally {
      inFlight--;
    }
  };
}
