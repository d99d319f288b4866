/**
 * What a browser may do with an answer. Every answer is `X-Content-Type-Options: nosniff` (taken as the
 * type it is sent as, never guessed); an HTML page gets a Content-Security-Policy that lets it load
 * nothing but its own stylesheet block and images, run no script, be framed by no one and send no form;
 * a plain-text or JSON answer (errors, robots.txt, the API) gets one that lets it load nothing at all.
 */
import type { MiddlewareHandler } from "hono";
import { PAGE_STYLES } from "../pages/layout.ts";

export const NOSNIFF = "nosniff";

/** Plain text and JSON: nothing to load, nothing to frame them. */
export const TEXT_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** The headers of a plain-text answer (an error, robots.txt). */
export const TEXT_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": NOSNIFF,
  "Content-Security-Policy": TEXT_POLICY,
};

/** `'sha256-…'`, the CSP source that allows one inline block whose text is exactly `text`. */
export async function hashSource(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return `'sha256-${btoa(binary)}'`;
}

/**
 * The policy of every HTML page, from the hashes of its inline `<style>` blocks. Nothing is allowed by
 * default; scripts fall under that (the article's JSON-LD is a data block, which is never run, so no
 * script-src is needed for it). Images come from the site itself (`/media/`) or from the http(s) URLs an
 * article body may hold (the ingest keeps only those); `<base>`, forms and framing are refused.
 */
export function pagePolicy(styleSources: readonly string[]): string {
  return [
    "default-src 'none'",
    "img-src 'self' http: https:",
    `style-src ${styleSources.join(" ")}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

let pageHeadersMade: Promise<Readonly<Record<string, string>>> | undefined;
let pageHeadersReady: Readonly<Record<string, string>> | undefined;

/** The security headers of an HTML page, made once (hashing is asynchronous in Web Crypto). */
export function pageHeaders(): Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>> {
  return (
    pageHeadersReady ??
    (pageHeadersMade ??= Promise.all(PAGE_STYLES.map(hashSource)).then((sources) => {
      pageHeadersReady = {
        "X-Content-Type-Options": NOSNIFF,
        "Content-Security-Policy": pagePolicy(sources),
        "X-Frame-Options": "DENY",
        // Other sites (an article's links, an upstream's images) learn the site, never the page.
        "Referrer-Policy": "strict-origin-when-cross-origin",
      };
      return pageHeadersReady;
    }))
  );
}

/**
 * Adds the headers above to every answer the app (or a runtime's own route) gives, where the answer has
 * not set them itself: feed answers carry their own (see feeds/answer.ts), so that Node's feed path,
 * which bypasses this middleware, sends the same.
 */
export const securityHeaders: MiddlewareHandler = async function securityHeaders(c, next) {
  await next();
  const headers = c.res.headers;
  if (!headers.has("X-Content-Type-Options")) headers.set("X-Content-Type-Options", NOSNIFF);
  if (headers.has("Content-Security-Policy")) return;
  const type = (headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "text/html") {
    for (const [name, value] of Object.entries(await pageHeaders())) headers.set(name, value);
  } else if (type === "text/plain" || type === "application/json" || type === "application/problem+json") {
    headers.set("Content-Security-Policy", TEXT_POLICY);
  }
};
