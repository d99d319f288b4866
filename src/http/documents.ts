/**
 * Answers a small document rendered for the request (the sitemaps) the way crawlers need it: a strong
 * ETag of its bytes, Last-Modified, conditional GET (If-None-Match first, then If-Modified-Since; RFC
 * 9110 section 13) and the content coding the client prefers where the runtime compresses (Node).
 */
import type { Context } from "hono";
import { fnv64 } from "../model/hash.ts";
import { httpDate, parseHttpDate } from "../model/http-date.ts";
import { chooseEncoding, noneMatchHits, type Encoding } from "./conditional.ts";
import type { Compressor } from "./feeds/encoding.ts";
import { TEXT_HEADERS } from "./security.ts";

export interface DocumentAnswer {
  contentType: string;
  /** The newest change the document shows (ms); sent as Last-Modified, never later than now. */
  lastModified: number;
  /** Seconds the answer may be reused. */
  maxAge: number;
  compress?: Compressor;
  now: number;
}

const encoder = new TextEncoder();

export async function answerDocument(c: Context, text: string, answer: DocumentAnswer): Promise<Response> {
  const etag = `"${fnv64(text)}"`;
  const lastModified = Math.floor(Math.min(answer.lastModified, answer.now) / 1000) * 1000;
  const headers: Record<string, string> = {
    ...TEXT_HEADERS,
    ETag: etag,
    "Last-Modified": httpDate(lastModified),
    "Cache-Control": `public, max-age=${answer.maxAge}, stale-while-revalidate=${answer.maxAge}`,
    Vary: "Accept-Encoding",
  };
  const noneMatch = c.req.header("if-none-match");
  if (noneMatch !== undefined) {
    if (noneMatchHits(noneMatch, etag)) return new Response(null, { status: 304, headers });
  } else {
    const since = parseHttpDate(c.req.header("if-modified-since"), answer.now);
    if (since !== null && lastModified <= since) return new Response(null, { status: 304, headers });
  }
  const available: Encoding[] = answer.compress ? ["br", "gzip", "identity"] : ["identity"];
  const encoding = chooseEncoding(c.req.header("accept-encoding"), available);
  if (encoding === null) return c.text("Not acceptable: this document is sent as br, gzip or identity\n", 406);
  const bytes = encoder.encode(text);
  const body = encoding === "identity" ? bytes : await answer.compress!(bytes, encoding);
  if (encoding !== "identity") headers["Content-Encoding"] = encoding;
  headers["Content-Type"] = answer.contentType;
  headers["Content-Length"] = String(body.byteLength);
  return new Response(c.req.method === "HEAD" ? null : body, { status: 200, headers });
}
