/** Fetching one upstream document: conditional GET, bounded size and time, checked redirects, decoded text. */
import { joinChunks } from "../../model/bytes.ts";
import { parseRetryAfter } from "../../model/http-date.ts";
import { abortable } from "./abortable.ts";
import { addressRefusedIn, hostRefusal } from "./addresses.ts";
import { decodeBody, decodesStrictly } from "./charset.ts";
import { FetchError, describeError } from "./errors.ts";

export interface FetchRequest {
  /** Absolute http(s) URL of a configured source, or of a page it lists. */
  url: string;
  /** Validators stored from the last fetch, sent for a conditional GET. */
  etag?: string;
  lastModified?: string;
  /** Response-size cap in bytes, counted while the body streams in. */
  maxBytes: number;
  /** Deadline for the whole request: every redirect hop, the headers and the body. */
  timeoutMs: number;
  maxRedirects: number;
  userAgent: string;
  /**
   * Which requests must reach public addresses only: "redirects" for a URL the operator wrote (it is
   * fetched as written, every hop it redirects to is checked), "all" for a URL an upstream chose (a
   * page a sitemap lists), "none" for a source allowed to reach private addresses.
   */
  publicOnly: "redirects" | "all" | "none";
  /** Stops the request early (the source's deadline, the run losing its lease); its reason, an Error, is named in the FetchError. */
  signal?: AbortSignal;
}

export type FetchOutcome =
  | {
      kind: "fetched";
      /** Final URL, after redirects. */
      url: string;
      status: number;
      text: string;
      /** Media type, lowercased, without parameters; "" when the server sent none. */
      contentType: string;
      /** WHATWG name of the encoding used to decode (`iso-8859-1` is decoded as `windows-1252`). */
      charset: string;
      etag?: string;
      lastModified?: string;
      /** Body size in bytes as received (after the runtime undid any Content-Encoding). */
      bytes: number;
    }
  | { kind: "not-modified"; url: string }
  | { kind: "throttled"; url: string; status: 429 | 503; retryAfterMs: number | null };

/** Feed types first; HTML is accepted at lower weight because article pages and misconfigured feeds are HTML. */
const ACCEPT = [
  "application/rss+xml",
  "application/atom+xml",
  "application/feed+json",
  "application/json",
  "application/xml",
  "text/xml",
  "text/html;q=0.5",
  "*/*;q=0.1",
].join(", ");

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * GETs `request.url` (RFC 9110 conditional GET with the stored validators) and returns the decoded
 * document, a not-modified answer, or a throttled answer with its Retry-After. Redirects are followed
 * by hand so each target can be checked; anything else that goes wrong is a FetchError.
 *
 * A request that must reach a public address (`publicOnly`) is refused when its host is a non-public
 * address literal or localhost, then made with `checkedFetch`, which checks the address each name
 * resolves to as it connects (Node: src/runtime/node-fetch.ts). Without one, the literal check is all.
 */
export async function fetchDocument(
  request: FetchRequest,
  fetchImpl: typeof fetch = fetch,
  now: () => number = Date.now,
  checkedFetch?: typeof fetch,
): Promise<FetchOutcome> {
  const original = parseHttpUrl(request.url);
  let current = original;
  const where = () => (current.href === original.href ? original.href : `${original.href} (redirected to ${current.href})`);

  const headers = new Headers({ Accept: ACCEPT, "User-Agent": request.userAgent });
  if (request.etag) headers.set("If-None-Match", request.etag);
  if (request.lastModified) headers.set("If-Modified-Since", request.lastModified);

  const deadline = AbortSignal.timeout(request.timeoutMs);
  const finished = new AbortController();
  const signal = AbortSignal.any([deadline, finished.signal, ...(request.signal ? [request.signal] : [])]);

  try {
    for (let redirects = 0; ; redirects++) {
      const mustBePublic = request.publicOnly === "all" || (request.publicOnly === "redirects" && redirects > 0);
      const refusal = mustBePublic ? hostRefusal(current.hostname) : null;
      if (refusal !== null) throw new FetchError(`fetch: ${where()}: ${refusal}; refused`);
      const impl = mustBePublic && checkedFetch ? checkedFetch : fetchImpl;
      let response: Response;
      try {
        response = await abortable(impl(current.href, { headers, redirect: "manual", signal }), signal);
      } catch (error) {
        const refused = addressRefusedIn(error);
        if (refused) throw new FetchError(`fetch: ${where()}: ${refused.message}`);
        throw new FetchError(`fetch: ${where()}: request failed: ${describeError(error)}`);
      }
      const { status } = response;

      if (REDIRECT_STATUSES.has(status)) {
        discardBody(response);
        current = checkRedirect(original, current, response, redirects, request.maxRedirects);
        continue;
      }
      if (status === 304) {
        discardBody(response);
        return { kind: "not-modified", url: current.href };
      }
      if (status === 429 || status === 503) {
        discardBody(response);
        return { kind: "throttled", url: current.href, status, retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), now()) };
      }
      if (status < 200 || status > 299) {
        discardBody(response);
        const reason = response.statusText ? ` ${response.statusText}` : "";
        throw new FetchError(`fetch: ${where()}: the server answered HTTP ${status}${reason}`, status);
      }

      const body = await readBody(response, request.maxBytes, signal, where());
      const contentTypeHeader = response.headers.get("content-type");
      let decoded: { text: string; charset: string };
      try {
        decoded = decodeBody(body, contentTypeHeader);
      } catch (error) {
        if (error instanceof FetchError) throw new FetchError(`fetch: ${where()}: ${error.message.replace(/^fetch: /, "")}`);
        throw error;
      }
      // Bytes that are not the declared character set (EUC-KR sent as UTF-8) would be stored garbled;
      // XML and JSON both make an encoding error fatal, so the source is failed and asked again later.
      if (decoded.text.includes("\uFFFD") && !decodesStrictly(body, decoded.charset)) {
        throw new FetchError(
          `fetch: ${where()}: the body is not valid ${decoded.charset}, the character set it declares (or UTF-8 when it declares none)`,
        );
      }
      const etag = response.headers.get("etag");
      const lastModified = response.headers.get("last-modified");
      return {
        kind: "fetched",
        url: current.href,
        status,
        text: decoded.text,
        contentType: mediaType(contentTypeHeader),
        charset: decoded.charset,
        ...(etag !== null && { etag }),
        ...(lastModified !== null && { lastModified }),
        bytes: body.byteLength,
      };
    }
  } catch (error) {
    // Whatever surfaced (an abort error, a cut stream), a fired deadline is the cause worth reporting.
    if (request.signal?.aborted) throw new FetchError(`fetch: ${where()}: stopped: ${describeError(request.signal.reason)}`);
    if (deadline.aborted) throw new FetchError(`fetch: ${where()}: no complete response within ${request.timeoutMs} ms`);
    throw error;
  } finally {
    // Tears down any connection still open on an error path; a no-op once a body has been read whole.
    finished.abort();
  }
}

function parseHttpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new FetchError(`fetch: "${text}" is not an absolute URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new FetchError(`fetch: ${url.href}: only http and https URLs are fetched`);
  }
  return url;
}

/** The next hop of a redirect, or a FetchError saying why it is not followed. */
function checkRedirect(original: URL, current: URL, response: Response, redirects: number, maxRedirects: number): URL {
  const location = response.headers.get("location");
  const hop = current.href === original.href ? original.href : `${original.href} (at ${current.href})`;
  if (location === null) {
    throw new FetchError(`fetch: ${hop}: HTTP ${response.status} redirect without a Location header`, response.status);
  }
  let target: URL;
  try {
    target = new URL(location, current);
  } catch {
    throw new FetchError(`fetch: ${hop}: HTTP ${response.status} redirect to "${location}", which is not a URL`, response.status);
  }
  if (redirects >= maxRedirects) {
    throw new FetchError(
      `fetch: ${original.href}: more than ${maxRedirects} redirects; redirect ${redirects + 1} in the chain goes to ${target.href}`,
    );
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    throw new FetchError(`fetch: ${hop}: redirect to ${target.href} is not http or https; refused`);
  }
  return target;
}

/** Reads the body to the end, counting bytes as they arrive so an oversized body is cut, not buffered. */
async function readBody(response: Response, maxBytes: number, signal: AbortSignal, where: string): Promise<Uint8Array> {
  const overLimit = `fetch: ${where}: response is over the ${maxBytes}-byte limit`;
  const declared = response.headers.get("content-length");
  if (declared !== null && /^\s*\d+\s*$/.test(declared) && Number(declared) > maxBytes) {
    discardBody(response);
    throw new FetchError(`${overLimit} (Content-Length: ${declared.trim()})`);
  }
  if (response.body === null) return new Uint8Array(0);

  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await abortable(reader.read(), signal);
    } catch (error) {
      reader.cancel().catch(() => {});
      throw new FetchError(`fetch: ${where}: the connection failed while reading the body: ${describeError(error)}`);
    }
    if (chunk.done) break;
    total += chunk.value.byteLength;
    if (total > maxBytes) {
      reader.cancel().catch(() => {});
      throw new FetchError(overLimit);
    }
    chunks.push(chunk.value);
  }
  return joinChunks(chunks, total);
}

/** Releases a body we will not read, so the connection is not held open for it. */
function discardBody(response: Response): void {
  response.body?.cancel().catch(() => {});
}

function mediaType(contentTypeHeader: string | null): string {
  return (contentTypeHeader ?? "").split(";")[0]!.trim().toLowerCase();
}
