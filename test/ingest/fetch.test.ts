/** Fetching upstream documents from a real HTTP server on 127.0.0.1: validators, throttling, redirects, limits, character sets. */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRetryAfter } from "../../src/model/http-date.ts";
import { decodeBody } from "../../src/ingest/fetch/charset.ts";
import { fetchDocument, type FetchRequest } from "../../src/ingest/fetch/document.ts";
import { FetchError } from "../../src/ingest/fetch/errors.ts";

/** Test strings encoded once with Python (`'한국어 뉴스'.encode('euc-kr').hex()` and so on). */
const KOREAN = "한국어 뉴스";
const JAPANESE = "日本語のニュース";
const CHINESE_SIMPLIFIED = "中文新闻";
const CHINESE_TRADITIONAL = "中文新聞";
const HEX = {
  eucKr: "c7d1b1b9beee20b4babdba",
  shiftJis: "93fa967b8cea82cc836a8385815b8358",
  eucJp: "c6fccbdcb8eca4cea5cba5e5a1bca5b9",
  gb18030: "d6d0cec4d0c2cec5",
  big5: "a4a4a4e5b773bb44",
  latin1: "436166e9206372e86d65", // "Café crème"
  utf16le: "5cd56dadb4c5200074b2a4c2",
  utf8: "ed959ceab5adec96b420eb89b4ec8aa4",
};

/** ASCII text and hex-encoded bytes, joined into one body. */
const bytes = (...parts: Array<string | { hex: string }>) =>
  Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part, "ascii") : Buffer.from(part.hex, "hex"))));
const xmlTitle = (declaration: string, hex: string) => bytes(declaration, "<rss><channel><title>", { hex }, "</title></channel></rss>");

const CHARSET_CASES: Record<string, { contentType: string; body: Buffer }> = {
  "euc-kr-header": { contentType: "application/rss+xml; charset=EUC-KR", body: xmlTitle('<?xml version="1.0"?>', HEX.eucKr) },
  "shift-jis-header": { contentType: 'text/xml; charset="Shift_JIS"', body: xmlTitle('<?xml version="1.0"?>', HEX.shiftJis) },
  "euc-jp-declaration": { contentType: "application/xml", body: xmlTitle('<?xml version="1.0" encoding="EUC-JP"?>', HEX.eucJp) },
  "gb18030-declaration": { contentType: "application/rss+xml", body: xmlTitle("<?xml version='1.0' encoding='GB18030' ?>", HEX.gb18030) },
  "big5-meta": {
    contentType: "text/html",
    body: bytes('<!doctype html><html><head><meta charset="big5"><title>', { hex: HEX.big5 }, "</title></head></html>"),
  },
  "euc-kr-meta-http-equiv": {
    contentType: "text/html",
    body: bytes(
      '<html><head><meta http-equiv="Content-Type" content="text/html; charset=euc-kr"><title>',
      { hex: HEX.eucKr },
      "</title></head></html>",
    ),
  },
  "utf-8-bom": {
    contentType: "text/xml; charset=iso-8859-1",
    body: bytes({ hex: "efbbbf" }, '<?xml version="1.0"?><title>', { hex: HEX.utf8 }, "</title>"),
  },
  "utf-16le-bom": {
    contentType: "application/xml",
    body: Buffer.concat([
      Buffer.from("fffe", "hex"),
      Buffer.from('<?xml version="1.0" encoding="UTF-16"?><title>', "utf16le"),
      Buffer.from(HEX.utf16le, "hex"),
      Buffer.from("</title>", "utf16le"),
    ]),
  },
  "header-beats-declaration": {
    contentType: "text/xml; charset=euc-kr",
    body: xmlTitle('<?xml version="1.0" encoding="Shift_JIS"?>', HEX.eucKr),
  },
  "latin1-header": { contentType: "text/plain; charset=ISO-8859-1", body: bytes({ hex: HEX.latin1 }) },
  undeclared: { contentType: "application/feed+json", body: bytes('{"title":"', { hex: HEX.utf8 }, '"}') },
  "unknown-header-label": { contentType: "text/xml; charset=x-made-up", body: bytes("<rss/>") },
  "unknown-declared-label": { contentType: "text/xml", body: bytes('<?xml version="1.0" encoding="klingon-8"?><rss/>') },
};

const FEED = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title></channel></rss>';
const ETAG = '"v1"';
const LAST_MODIFIED = "Tue, 20 Oct 2026 09:00:00 GMT";
const FIXED_NOW = Date.UTC(2026, 9, 21, 7, 26, 30);

let server: Server;
let origin: string;
let port: number;
/** Every request the server received, in order: path and headers. */
const received: Array<{ path: string; headers: IncomingHttpHeaders }> = [];
/** Called when the server sees the connection for a path close, so a test can tell the client hung up. */
const onClose = new Map<string, () => void>();
const timers = new Set<ReturnType<typeof setInterval>>();
/** Settles once the client of /reset has its response headers: the server resets the connection then. */
let headersReceived: Promise<void> = Promise.resolve();

/** Writes `chunk` as fast as the client takes it, up to `total` bytes or until the connection closes. */
function pump(res: ServerResponse, chunk: Buffer, total = Infinity) {
  let sent = 0;
  const write = () => {
    while (!res.destroyed && sent < total) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once("drain", write);
    }
    if (!res.destroyed) res.end();
  };
  write();
}

function handle(path: string, res: ServerResponse, headers: IncomingHttpHeaders) {
  const redirect = (status: number, location: string) => res.writeHead(status, { Location: location }).end();
  const chain = /^\/chain\/(\d+)$/.exec(path);
  if (chain) {
    const left = Number(chain[1]);
    return left > 0 ? redirect(302, `/chain/${left - 1}`) : res.writeHead(200, { "Content-Type": "application/rss+xml" }).end(FEED);
  }
  const charset = /^\/bytes\/(.+)$/.exec(path);
  if (charset) {
    const served = CHARSET_CASES[charset[1]!]!;
    return res.writeHead(200, { "Content-Type": served.contentType }).end(served.body);
  }
  switch (path) {
    case "/feed":
      if (headers["if-none-match"] === ETAG) return res.writeHead(304, { ETag: ETAG }).end();
      return res
        .writeHead(200, { "Content-Type": "Application/RSS+XML; charset=UTF-8", ETag: ETAG, "Last-Modified": LAST_MODIFIED })
        .end(FEED);
    case "/throttle/seconds":
      return res.writeHead(429, { "Retry-After": "120" }).end("slow down");
    case "/throttle/date":
      return res.writeHead(429, { "Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT" }).end("slow down");
    case "/unavailable":
      return res.writeHead(503).end("maintenance");
    case "/broken":
      return res.writeHead(500).end("oops");
    case "/gone":
      return res.writeHead(410).end();
    case "/same-host":
      return redirect(301, `http://127.0.0.1:${port}/feed`);
    case "/to-localhost":
      return redirect(302, `http://localhost:${port}/must-not-be-reached`);
    case "/to-private":
      return redirect(307, "http://10.0.0.1/feed.xml");
    case "/to-mapped-loopback":
      return redirect(302, `http://[::ffff:127.0.0.1]:${port}/must-not-be-reached`);
    case "/to-ftp":
      return redirect(302, "ftp://127.0.0.1/feed.xml");
    case "/no-location":
      return res.writeHead(302).end();
    case "/big/declared":
      res.writeHead(200, { "Content-Type": "application/rss+xml", "Content-Length": String(50 * 1024 * 1024) });
      return pump(res, Buffer.alloc(64 * 1024, 0x20), 50 * 1024 * 1024);
    case "/big/chunked":
      res.writeHead(200, { "Content-Type": "application/rss+xml" });
      return pump(res, Buffer.alloc(64 * 1024, 0x20));
    case "/endless": {
      res.writeHead(200, { "Content-Type": "application/rss+xml" });
      res.write("<rss>");
      const timer = setInterval(() => res.write(" "), 50);
      timers.add(timer);
      return res.on("close", () => clearInterval(timer));
    }
    case "/silent":
      return;
    case "/reset":
      res.writeHead(200, { "Content-Type": "application/rss+xml", "Content-Length": "1000" });
      res.write("<rss>".padEnd(100, " "));
      return void headersReceived.then(() => res.socket?.resetAndDestroy());
    default:
      return res.writeHead(404).end();
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? "/";
    received.push({ path, headers: req.headers });
    res.on("close", () => onClose.get(path)?.());
    handle(path, res, req.headers);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  for (const timer of timers) clearInterval(timer);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function request(path: string, overrides: Partial<FetchRequest> = {}): FetchRequest {
  return {
    url: path.startsWith("http") ? path : `${origin}${path}`,
    maxBytes: 5 * 1024 * 1024,
    timeoutMs: 10_000,
    maxRedirects: 5,
    userAgent: "hanbit-feeds-test/1.0 (+https://news.example)",
    publicOnly: "redirects",
    ...overrides,
  };
}

/** The FetchError a fetch fails with. */
async function failure(promise: Promise<unknown>): Promise<{ error: FetchError }> {
  const error = await promise.then(
    () => expect.unreachable("the fetch should have failed"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FetchError);
  return { error: error as FetchError };
}

/** A fetch that records the URLs it was asked for, to show which connections were never attempted. */
function recordingFetch() {
  const urls: string[] = [];
  const impl: typeof fetch = (input, init) => {
    urls.push(input instanceof Request ? input.url : input.toString());
    return fetch(input, init);
  };
  return { urls, impl };
}

describe("fetchDocument", () => {
  describe("answers", () => {
    it("returns a 200 with its validators, media type, charset and size", async () => {
      const outcome = await fetchDocument(request("/feed"));
      expect(outcome).toEqual({
        kind: "fetched",
        url: `${origin}/feed`,
        status: 200,
        text: FEED,
        contentType: "application/rss+xml",
        charset: "utf-8",
        etag: ETAG,
        lastModified: LAST_MODIFIED,
        bytes: Buffer.byteLength(FEED),
      });
    });

    it("sends the user agent and an Accept header listing feed types", async () => {
      await fetchDocument(request("/feed"));
      const { headers } = received.findLast((r) => r.path === "/feed")!;
      expect(headers["user-agent"]).toBe("hanbit-feeds-test/1.0 (+https://news.example)");
      expect(headers.accept).toBe(
        "application/rss+xml, application/atom+xml, application/feed+json, application/json, application/xml, text/xml, text/html;q=0.5, */*;q=0.1",
      );
      expect(headers["if-none-match"]).toBeUndefined();
      expect(headers["if-modified-since"]).toBeUndefined();
    });

    it("sends the stored validators and reports a 304 as not modified", async () => {
      const outcome = await fetchDocument(request("/feed", { etag: ETAG, lastModified: LAST_MODIFIED }));
      expect(outcome).toEqual({ kind: "not-modified", url: `${origin}/feed` });
      const { headers } = received.findLast((r) => r.path === "/feed")!;
      expect(headers["if-none-match"]).toBe(ETAG);
      expect(headers["if-modified-since"]).toBe(LAST_MODIFIED);
    });

    it("reports a 429 with Retry-After in seconds as throttled", async () => {
      expect(await fetchDocument(request("/throttle/seconds"))).toEqual({
        kind: "throttled",
        url: `${origin}/throttle/seconds`,
        status: 429,
        retryAfterMs: 120_000,
      });
    });

    it("reads a Retry-After HTTP-date against the clock it is given", async () => {
      const outcome = await fetchDocument(request("/throttle/date"), fetch, () => FIXED_NOW);
      expect(outcome).toEqual({ kind: "throttled", url: `${origin}/throttle/date`, status: 429, retryAfterMs: 90_000 });
    });

    it("reports a 503 without Retry-After as throttled with no delay given", async () => {
      expect(await fetchDocument(request("/unavailable"))).toEqual({
        kind: "throttled",
        url: `${origin}/unavailable`,
        status: 503,
        retryAfterMs: null,
      });
    });

    it.each([
      ["/broken", 500, "HTTP 500 Internal Server Error"],
      ["/gone", 410, "HTTP 410 Gone"],
      ["/nowhere", 404, "HTTP 404 Not Found"],
    ])("fails on %s with the status in the error", async (path, status, text) => {
      const { error } = await failure(fetchDocument(request(path)));
      expect(error.message).toBe(`fetch: ${origin}${path}: the server answered ${text}`);
      expect(error.status).toBe(status);
    });

    it("names the URL and the cause when nothing listens", async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
      const deadPort = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      const { error } = await failure(fetchDocument(request(`http://127.0.0.1:${deadPort}/feed`)));
      expect(error.message).toMatch(new RegExp(`^fetch: http://127\\.0\\.0\\.1:${deadPort}/feed: request failed: .*ECONNREFUSED`));
    });

    it.each([
      ["not a URL", 'fetch: "not a URL" is not an absolute URL'],
      ["/feed.xml", 'fetch: "/feed.xml" is not an absolute URL'],
      ["file:///etc/passwd", "fetch: file:///etc/passwd: only http and https URLs are fetched"],
    ])("refuses %s before any request", async (url, message) => {
      const { urls, impl } = recordingFetch();
      const { error } = await failure(fetchDocument({ ...request("/feed"), url }, impl));
      expect(error.message).toBe(message);
      expect(urls).toEqual([]);
    });
  });

  describe("redirects", () => {
    // The chains stay on this loopback server: as for a source that allows private addresses.
    const onLoopback = { publicOnly: "none" } as const;

    it("follows a chain of 3 and reports the final URL", async () => {
      const outcome = await fetchDocument(request("/chain/3", onLoopback));
      expect(outcome).toMatchObject({ kind: "fetched", url: `${origin}/chain/0`, text: FEED });
    });

    it("follows exactly maxRedirects", async () => {
      expect(await fetchDocument(request("/chain/5", onLoopback))).toMatchObject({ kind: "fetched", url: `${origin}/chain/0` });
    });

    it("refuses a chain of 6 when 5 are allowed, naming the chain length", async () => {
      const { urls, impl } = recordingFetch();
      const { error } = await failure(fetchDocument(request("/chain/6", onLoopback), impl));
      expect(error.message).toBe(`fetch: ${origin}/chain/6: more than 5 redirects; redirect 6 in the chain goes to ${origin}/chain/0`);
      expect(urls).toHaveLength(6);
    });

    it("follows a redirect to the same loopback host only for a source that allows private addresses", async () => {
      expect(await fetchDocument(request("/same-host", { publicOnly: "none" }))).toMatchObject({
        kind: "fetched",
        url: `${origin}/feed`,
        etag: ETAG,
      });
      const { urls, impl } = recordingFetch();
      const { error } = await failure(fetchDocument(request("/same-host"), impl));
      expect(error.message).toBe(`fetch: ${origin}/same-host (redirected to ${origin}/feed): 127.0.0.1 is a loopback address; refused`);
      expect(urls).toEqual([`${origin}/same-host`]);
    });

    it("refuses a redirect to localhost from another host without connecting", async () => {
      const before = received.length;
      const { urls, impl } = recordingFetch();
      const { error } = await failure(fetchDocument(request("/to-localhost"), impl));
      expect(error.message).toBe(
        `fetch: ${origin}/to-localhost (redirected to http://localhost:${port}/must-not-be-reached): localhost is a name for this machine; refused`,
      );
      expect(urls).toEqual([`${origin}/to-localhost`]);
      expect(received.slice(before).map((r) => r.path)).toEqual(["/to-localhost"]);
    });

    it("refuses a redirect to a private address without connecting", async () => {
      const { urls, impl } = recordingFetch();
      const { error } = await failure(fetchDocument(request("/to-private"), impl));
      expect(error.message).toBe(
        `fetch: ${origin}/to-private (redirected to http://10.0.0.1/feed.xml): 10.0.0.1 is a private address; refused`,
      );
      expect(urls).toEqual([`${origin}/to-private`]);
    });

    it("refuses a redirect to an IPv4-mapped IPv6 loopback address", async () => {
      const { urls, impl } = recordingFetch();
      const { error } = await failure(fetchDocument(request("/to-mapped-loopback"), impl));
      expect(error.message).toMatch(
        /\(redirected to http:\/\/\[::ffff:7f00:1\]:\d+\/must-not-be-reached\): ::ffff:7f00:1 is an IPv4-mapped form of 127\.0\.0\.1, a loopback address; refused$/,
      );
      expect(urls).toHaveLength(1);
    });

    it("refuses a redirect to a scheme other than http and https", async () => {
      const { error } = await failure(fetchDocument(request("/to-ftp")));
      expect(error.message).toBe(`fetch: ${origin}/to-ftp: redirect to ftp://127.0.0.1/feed.xml is not http or https; refused`);
    });

    it("fails on a redirect without a Location", async () => {
      const { error } = await failure(fetchDocument(request("/no-location")));
      expect(error.message).toBe(`fetch: ${origin}/no-location: HTTP 302 redirect without a Location header`);
    });

    it("names the original URL and where it was redirected to when the last hop fails", async () => {
      const { error } = await failure(fetchDocument(request(`${origin}/chain/1`, { ...onLoopback, maxBytes: 10 })));
      expect(error.message).toBe(`fetch: ${origin}/chain/1 (redirected to ${origin}/chain/0): response is over the 10-byte limit`);
    });
  });

  describe("limits", () => {
    it("rejects a body whose Content-Length is over the limit before reading it", async () => {
      const closed = new Promise<void>((resolve) => onClose.set("/big/declared", resolve));
      const { error } = await failure(fetchDocument(request("/big/declared", { maxBytes: 100_000 })));
      expect(error.message).toBe(`fetch: ${origin}/big/declared: response is over the 100000-byte limit (Content-Length: 52428800)`);
      await closed;
    });

    it("cuts a chunked body with no length as soon as it passes the limit", async () => {
      const closed = new Promise<void>((resolve) => onClose.set("/big/chunked", resolve));
      const { error } = await failure(fetchDocument(request("/big/chunked", { maxBytes: 100_000 })));
      // The server would send forever: an error that is not a timeout means the count stopped it.
      expect(error.message).toBe(`fetch: ${origin}/big/chunked: response is over the 100000-byte limit`);
      await closed;
    });

    it("accepts a body of exactly maxBytes", async () => {
      const outcome = await fetchDocument(request("/feed", { maxBytes: Buffer.byteLength(FEED) }));
      expect(outcome).toMatchObject({ kind: "fetched", bytes: Buffer.byteLength(FEED) });
    });

    it("stops a body that never ends at the timeout", async () => {
      const closed = new Promise<void>((resolve) => onClose.set("/endless", resolve));
      const { error } = await failure(fetchDocument(request("/endless", { timeoutMs: 300 })));
      expect(error.message).toBe(`fetch: ${origin}/endless: no complete response within 300 ms`);
      await closed;
    });

    it("stops waiting for a server that never answers", async () => {
      const { error } = await failure(fetchDocument(request("/silent", { timeoutMs: 300 })));
      expect(error.message).toBe(`fetch: ${origin}/silent: no complete response within 300 ms`);
    });

    it("fails when the connection is reset mid-body", async () => {
      let received!: () => void;
      headersReceived = new Promise((resolve) => (received = resolve));
      const noticing: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        received();
        return response;
      };
      const { error } = await failure(fetchDocument(request("/reset"), noticing));
      expect(error.message).toMatch(new RegExp(`^fetch: ${origin}/reset: the connection failed while reading the body: `));
    });
  });

  describe("character sets", () => {
    it.each([
      ["euc-kr-header", KOREAN, "euc-kr"],
      ["shift-jis-header", JAPANESE, "shift_jis"],
      ["euc-jp-declaration", JAPANESE, "euc-jp"],
      ["gb18030-declaration", CHINESE_SIMPLIFIED, "gb18030"],
      ["big5-meta", CHINESE_TRADITIONAL, "big5"],
      ["euc-kr-meta-http-equiv", KOREAN, "euc-kr"],
      ["utf-8-bom", KOREAN, "utf-8"],
      ["utf-16le-bom", KOREAN, "utf-16le"],
      ["header-beats-declaration", KOREAN, "euc-kr"],
      ["latin1-header", "Café crème", "windows-1252"],
      ["undeclared", KOREAN, "utf-8"],
    ])("decodes %s", async (name, expected, charset) => {
      const outcome = await fetchDocument(request(`/bytes/${name}`));
      if (outcome.kind !== "fetched") return expect.unreachable(outcome.kind);
      expect(outcome.text).toContain(expected);
      expect(outcome.text).not.toContain("\uFFFD");
      expect(outcome.text.startsWith("\uFEFF")).toBe(false);
      expect(outcome.charset).toBe(charset);
      expect(outcome.bytes).toBe(CHARSET_CASES[name]!.body.length);
    });

    it("fails on a charset label it cannot decode, naming the label and where it was found", async () => {
      const fromHeader = await failure(fetchDocument(request("/bytes/unknown-header-label")));
      expect(fromHeader.error.message).toBe(
        `fetch: ${origin}/bytes/unknown-header-label: character set "x-made-up" (from the Content-Type header) is not one this runtime can decode`,
      );
      const fromDeclaration = await failure(fetchDocument(request("/bytes/unknown-declared-label")));
      expect(fromDeclaration.error.message).toBe(
        `fetch: ${origin}/bytes/unknown-declared-label: character set "klingon-8" (from the XML declaration) is not one this runtime can decode`,
      );
    });
  });
});

describe("decodeBody", () => {
  const hex = (h: string) => new Uint8Array(Buffer.from(h, "hex"));

  it.each([
    ["gbk", "gbk"],
    ["gb2312", "gbk"],
    ["GB18030", "gb18030"],
  ])("decodes Chinese labelled %s", (label, charset) => {
    expect(decodeBody(hex(HEX.gb18030), `text/html; charset=${label}`)).toEqual({ text: CHINESE_SIMPLIFIED, charset });
  });

  it("lets a UTF-16BE byte order mark win over the header", () => {
    const body = new Uint8Array(Buffer.from("feff" + Buffer.from(KOREAN, "utf16le").swap16().toString("hex"), "hex"));
    expect(decodeBody(body, "text/xml; charset=euc-kr")).toEqual({ text: KOREAN, charset: "utf-16be" });
  });

  it("reads a declared UTF-16 without a byte order mark as UTF-8, as HTML's prescan does", () => {
    const body = bytes('<?xml version="1.0" encoding="UTF-16"?><t>', { hex: HEX.utf8 }, "</t>");
    expect(decodeBody(new Uint8Array(body), null)).toEqual({
      text: `<?xml version="1.0" encoding="UTF-16"?><t>${KOREAN}</t>`,
      charset: "utf-8",
    });
  });

  it("only looks for a <meta> charset in the first 1024 bytes", () => {
    const late = bytes("<html><head><!--", " ".repeat(1100), '--><meta charset="euc-kr"></head><p>', { hex: HEX.utf8 }, "</p>");
    expect(decodeBody(new Uint8Array(late), "text/html").charset).toBe("utf-8");
  });

  it("keeps going past malformed bytes with replacement characters", () => {
    expect(decodeBody(hex("41ff42"), "text/plain; charset=utf-8")).toEqual({ text: "A\uFFFDB", charset: "utf-8" });
  });

  it("decodes an empty body", () => {
    expect(decodeBody(new Uint8Array(0), null)).toEqual({ text: "", charset: "utf-8" });
  });
});

describe("parseRetryAfter", () => {
  it.each([
    ["120", 120_000],
    ["0", 0],
    [" 7 ", 7_000],
    ["Wed, 21 Oct 2026 07:28:00 GMT", 90_000],
    ["Wednesday, 21-Oct-26 07:28:00 GMT", 90_000],
    ["Wed Oct 21 07:28:00 2026", 90_000],
    ["Sun Nov  1 00:00:00 2026", Date.UTC(2026, 10, 1) - FIXED_NOW],
    ["Tue, 20 Oct 2026 07:28:00 GMT", 0],
  ])("reads %j", (value, ms) => {
    expect(parseRetryAfter(value, FIXED_NOW)).toBe(ms);
  });

  it.each([null, "", "soon", "-5", "1.5", "5s", "Wed, 31 Feb 2026 07:28:00 GMT", "2026-10-21T07:28:00Z", "Wed, 21 Oct 2026 07:28:00 KST"])(
    "gives null for %j",
    (value) => {
      expect(parseRetryAfter(value, FIXED_NOW)).toBeNull();
    },
  );

  it("reads a two-digit RFC 850 year as the most recent past year with those digits beyond 50 years ahead", () => {
    expect(parseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", FIXED_NOW)).toBe(0);
    expect(parseRetryAfter("Friday, 06-Nov-76 08:49:37 GMT", FIXED_NOW)).toBe(Date.UTC(2076, 10, 6, 8, 49, 37) - FIXED_NOW);
  });
});
