/** The headers of a feed answer: validators and caching for every answer of a document, and what describes a 200's body. */
import { monthRange } from "../../feeds/build.ts";
import type { Encoding } from "../conditional.ts";
import { httpDate } from "../../model/http-date.ts";
import type { PreparedDocument } from "./prepared.ts";
import type { Exchange, FeedServing, FeedSpec } from "./serving.ts";

/** What the response varies on: the encoding negotiated, and the navigation headers that choose the preview. */
export const VARY = "Accept-Encoding, Sec-Fetch-Dest, Sec-Fetch-Mode";

/** Seconds an archive month that has ended may be reused: it changes only when an article in it does. */
const CLOSED_ARCHIVE_MAX_AGE = 86_400;

/** The validators and caching headers every answer of the exchange's document carries, 304 or 200. */
export function validatorHeaders(serving: FeedServing, exchange: Exchange, prepared: PreparedDocument): Record<string, string> {
  const { document, now } = exchange;
  const headers: Record<string, string> = {
    ETag: document.etag,
    "Last-Modified": document.lastModified <= now ? prepared.lastModified : httpDate(now),
    "Cache-Control": cacheControl(serving, exchange.spec, now),
    Vary: VARY,
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Link, IM",
    "Cross-Origin-Resource-Policy": "cross-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Cache": exchange.hit ? "HIT" : "MISS",
  };
  const hubs = serving.site.hubs;
  if (hubs?.length) headers.Link = [...hubs.map((hub) => `<${hub}>; rel="hub"`), `<${prepared.self}>; rel="self"`].join(", ");
  return headers;
}

/** The headers of a 200: the validators, and what describes the body. */
export function bodyHeaders(
  validators: Readonly<Record<string, string>>,
  encoding: Encoding,
  contentType: string,
  body: Uint8Array,
): Record<string, string> {
  return {
    ...validators,
    ...(encoding === "identity" ? {} : { "Content-Encoding": encoding }),
    "Content-Type": contentType,
    "Content-Length": String(body.byteLength),
  };
}

function cacheControl(serving: FeedServing, spec: FeedSpec, now: number): string {
  if (spec.archive !== undefined && monthRange(spec.archive, serving.site.settings.timezone).end <= now) {
    return `public, max-age=${CLOSED_ARCHIVE_MAX_AGE}, stale-while-revalidate=${CLOSED_ARCHIVE_MAX_AGE}, stale-if-error=${7 * CLOSED_ARCHIVE_MAX_AGE}`;
  }
  return `public, max-age=${serving.maxAge}, stale-while-revalidate=${serving.maxAge}, stale-if-error=86400`;
}
