/** Fetching one upstream document: conditional GET, bounded size and time, checked redirects, decoded text. */

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

export class FetchError extends Error {
  override name = "FetchError";
  /** The HTTP status, when the failure is the server's answer. */
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

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
 */
export async function fetchDocument(
  request: FetchRequest,
  fetchImpl: typeof fetch = fetch,
  now: () => number = Date.now,
): Promise<FetchOutcome> {
  const original = parseHttpUrl(request.url);
  let current = original;
  const where = () => (current.href === original.href ? original.href : `${original.href} (redirected to ${current.href})`);

  const headers = new Headers({ Accept: ACCEPT, "User-Agent": request.userAgent });
  if (request.etag) headers.set("If-None-Match", request.etag);
  if (request.lastModified) headers.set("If-Modified-Since", request.lastModified);

  const timeout = timeoutSignal(request.timeoutMs);
  const { signal } = timeout;

  try {
    for (let redirects = 0; ; redirects++) {
      let response: Response;
      try {
        response = await abortable(fetchImpl(current.href, { headers, redirect: "manual", signal }), signal);
      } catch (error) {
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
    if (timeout.timedOut()) throw new FetchError(`fetch: ${where()}: no complete response within ${request.timeoutMs} ms`);
    throw error;
  } finally {
    // Tears down any connection still open on an error path; a no-op once a body has been read whole.
    timeout.end();
  }
}

/**
 * An abort signal that fires after `ms`, for one request with its body; `timedOut` tells a timeout
 * from another abort, and `end` clears the timer and aborts whatever is still open.
 */
export function timeoutSignal(ms: number) {
  const controller = new AbortController();
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
    controller.abort();
  }, ms);
  return {
    signal: controller.signal,
    abort: () => controller.abort(),
    timedOut: () => fired,
    end: () => {
      clearTimeout(timer);
      controller.abort();
    },
  };
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
  // Only literal addresses can be judged here: resolving names is not something every runtime offers.
  if (target.hostname !== original.hostname && isPrivateAddress(target.hostname)) {
    throw new FetchError(`fetch: ${hop}: redirect to ${target.href} leaves the source's host for a private address; refused`);
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

  const reader = response.body.getReader();
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

/** The chunks of a body read as a stream, as one array of `size` bytes. */
export function joinChunks(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** Releases a body we will not read, so the connection is not held open for it. */
function discardBody(response: Response): void {
  response.body?.cancel().catch(() => {});
}

/** Settles with `promise`, or rejects as soon as `signal` aborts, for runtimes and fetch implementations that ignore the signal. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** The runtime's words for a network failure; Node hides the useful part (ECONNREFUSED ...) in `cause`. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : "";
  return cause && cause !== error.message ? `${error.message} (${cause})` : error.message;
}

function mediaType(contentTypeHeader: string | null): string {
  return (contentTypeHeader ?? "").split(";")[0]!.trim().toLowerCase();
}

/**
 * Parses a Retry-After value (RFC 9110 §10.2.3): delta-seconds, or an HTTP-date in any of the three
 * forms of §5.6.7. Returns milliseconds from `now`, never negative, or null when absent or invalid.
 */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = parseHttpDate(text, now);
  return date === null ? null : Math.max(0, date - now);
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const IMF_FIXDATE = /^[a-z]{3}, (\d{2}) ([a-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) gmt$/i;
const RFC_850_DATE = /^[a-z]{6,9}, (\d{2})-([a-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) gmt$/i;
const ASCTIME_DATE = /^[a-z]{3} ([a-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/i;

/** An HTTP-date as epoch milliseconds; written by hand because Date.parse reads asctime as local time. */
function parseHttpDate(text: string, now: number): number | null {
  let parts: [day: string, month: string, year: number, hour: string, minute: string, second: string];
  let match: RegExpExecArray | null;
  if ((match = IMF_FIXDATE.exec(text))) {
    const [, day, month, year, hour, minute, second] = match as unknown as string[];
    parts = [day!, month!, Number(year), hour!, minute!, second!];
  } else if ((match = RFC_850_DATE.exec(text))) {
    const [, day, month, year, hour, minute, second] = match as unknown as string[];
    // RFC 9110: a two-digit year more than 50 years ahead is the most recent past year with those digits.
    const nowYear = new Date(now).getUTCFullYear();
    let fullYear = Math.floor(nowYear / 100) * 100 + Number(year);
    if (fullYear > nowYear + 50) fullYear -= 100;
    parts = [day!, month!, fullYear, hour!, minute!, second!];
  } else if ((match = ASCTIME_DATE.exec(text))) {
    const [, month, day, hour, minute, second, year] = match as unknown as string[];
    parts = [day!.trim(), month!, Number(year), hour!, minute!, second!];
  } else {
    return null;
  }
  const [day, monthName, year, hour, minute, second] = parts;
  const month = MONTHS.indexOf(monthName.toLowerCase());
  if (month === -1) return null;
  const fields = [year, month, Number(day), Number(hour), Number(minute), Number(second)] as const;
  const time = Date.UTC(...fields);
  const check = new Date(time);
  // Date.UTC rolls 31 Feb over into March; a date that does not come back unchanged was not a date.
  const roundTrip = [
    check.getUTCFullYear(),
    check.getUTCMonth(),
    check.getUTCDate(),
    check.getUTCHours(),
    check.getUTCMinutes(),
    check.getUTCSeconds(),
  ];
  return roundTrip.every((field, i) => field === fields[i]) ? time : null;
}

/**
 * True for a host that is a loopback, private, link-local, shared (CGNAT) or unspecified address
 * literal (RFC 1918, RFC 6598, RFC 3927, RFC 4193, RFC 4291), including IPv4 carried in IPv6, and
 * for the names localhost and *.localhost (RFC 6761). Other names are not resolved: false.
 */
export function isPrivateAddress(host: string): boolean {
  let name = host.trim().toLowerCase();
  if (name.startsWith("[") && name.endsWith("]")) name = name.slice(1, -1);
  if (name.endsWith(".")) name = name.slice(0, -1);
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (name.includes(":")) {
    const groups = parseIPv6(name);
    return groups !== null && isPrivateIPv6(groups);
  }
  const octets = parseIPv4(canonicalIPv4(name));
  return octets !== null && isPrivateIPv4(octets);
}

/** The WHATWG URL parser's reading of a host, so 0x7f.1, 2130706433 and 0177.0.0.1 all become 127.0.0.1. */
function canonicalIPv4(name: string): string {
  try {
    return new URL(`http://${name}/`).hostname;
  } catch {
    return name;
  }
}

function parseIPv4(text: string): number[] | null {
  const octets = text.split(".");
  if (octets.length !== 4 || !octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255)) return null;
  return octets.map(Number);
}

function isPrivateIPv4([a, b]: number[]): boolean {
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 169 && b === 254) ||
    (a === 172 && b! >= 16 && b! <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b! >= 64 && b! <= 127)
  );
}

/** Eight 16-bit groups, or null; accepts `::` shortening, a dotted IPv4 tail and a zone id. */
function parseIPv6(text: string): number[] | null {
  let address = text.split("%")[0]!;
  const lastColon = address.lastIndexOf(":");
  const tail = address.slice(lastColon + 1);
  if (tail.includes(".")) {
    const octets = parseIPv4(tail);
    if (octets === null) return null;
    const [a, b, c, d] = octets as [number, number, number, number];
    address = `${address.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if ([...head, ...rest].some(Number.isNaN)) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - rest.length;
  if (missing < 1) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...rest];
}

function isPrivateIPv6(groups: number[]): boolean {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  const embeddedIPv4 = [g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff];
  const upperZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  // ::/96 covers ::, ::1 and the deprecated IPv4-compatible form; ::ffff:0:0/96 is IPv4-mapped.
  if (upperZero && (g5 === 0 || g5 === 0xffff)) return isPrivateIPv4(embeddedIPv4) || (g5 === 0 && g6 === 0);
  // 64:ff9b::/96 (RFC 6052) is a NAT64 gateway's way of reaching the IPv4 address it embeds.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return isPrivateIPv4(embeddedIPv4);
  return (
    (g0 & 0xfe00) === 0xfc00 || // fc00::/7 unique local
    (g0 & 0xffc0) === 0xfe80 || // fe80::/10 link-local
    (g0 & 0xffc0) === 0xfec0 // fec0::/10 site-local, deprecated but still routed inside some networks
  );
}

type Charset = { label: string; from: string };

/**
 * Decodes a body the way the WHATWG Encoding Standard and HTML's prescan choose an encoding: a BOM
 * first, then the Content-Type charset, then an XML declaration, then an HTML `<meta>` in the first
 * 1024 bytes, else UTF-8. Malformed bytes become U+FFFD; a label the runtime cannot decode is a FetchError.
 */
export function decodeBody(bytes: Uint8Array, contentTypeHeader: string | null): { text: string; charset: string } {
  const chosen = bomCharset(bytes) ?? headerCharset(contentTypeHeader) ?? documentCharset(bytes) ?? { label: "utf-8", from: "default" };
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(chosen.label, { fatal: false, ignoreBOM: false });
  } catch {
    throw new FetchError(`fetch: character set "${chosen.label}" (from ${chosen.from}) is not one this runtime can decode`);
  }
  const text = decoder.decode(bytes);
  return { text: text.startsWith("\uFEFF") ? text.slice(1) : text, charset: decoder.encoding };
}

/** True when `bytes` are well-formed in `charset`: decoding them makes no replacement character. */
function decodesStrictly(bytes: Uint8Array, charset: string): boolean {
  try {
    new TextDecoder(charset, { fatal: true, ignoreBOM: false }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function bomCharset(bytes: Uint8Array): Charset | null {
  const [b0, b1, b2] = bytes;
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return { label: "utf-8", from: "the byte order mark" };
  if (b0 === 0xff && b1 === 0xfe) return { label: "utf-16le", from: "the byte order mark" };
  if (b0 === 0xfe && b1 === 0xff) return { label: "utf-16be", from: "the byte order mark" };
  return null;
}

function headerCharset(contentTypeHeader: string | null): Charset | null {
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentTypeHeader ?? "");
  const label = (match?.[1] ?? match?.[2] ?? "").trim();
  return label ? { label, from: "the Content-Type header" } : null;
}

const XML_DECLARATION_ENCODING = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"']+)["']/;
const META_CHARSET = /<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([^\s"';>/]+)/i;

/** A declaration inside the document, read from its first 1024 bytes as if they were ASCII. */
function documentCharset(bytes: Uint8Array): Charset | null {
  const head = String.fromCharCode(...bytes.subarray(0, 1024));
  const declaration = XML_DECLARATION_ENCODING.exec(head);
  const meta = declaration ? null : META_CHARSET.exec(head);
  const found = declaration
    ? { label: declaration[1]!.trim(), from: "the XML declaration" }
    : meta
      ? { label: meta[1]!, from: "an HTML <meta> tag" }
      : null;
  if (found === null) return null;
  // A declaration readable as ASCII cannot be UTF-16; HTML's prescan reads such a claim as UTF-8.
  if (/^utf-16(?:le|be)?$/i.test(found.label)) return { label: "utf-8", from: found.from };
  return found;
}
