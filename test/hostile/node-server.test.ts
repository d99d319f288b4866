/**
 * The same hostile requests against the real Node server (src/runtime/node.ts on 127.0.0.1), sent as raw
 * bytes: traversal into the content folder through /media, invalid UTF-8, headers beyond Node's limits,
 * and push bodies whose framing lies (Content-Length too small or too large, chunked without end). Never
 * a 5xx, nothing pushed is stored by a refused request (the SQLite file is read to check), the server
 * keeps serving, and its log holds neither an error nor the token.
 */
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest, startNode, type RawResponse, type RunningNode } from "./node-runtime.ts";
import { TOKEN } from "./support.ts";

let node: RunningNode;
const WRONG_TOKENS = [`${TOKEN.slice(0, -1)}Z`, "wrong-token-for-the-hostile-tests"];

beforeAll(async () => {
  node = await startNode({ INGEST_TOKEN: TOKEN });
}, 40_000);

afterAll(async () => {
  await node?.stop();
});

const get = (path: string, headers = "") =>
  rawRequest(node.port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${headers}\r\n`);

/** A push request's head and body as raw bytes, with the framing headers given as written. */
const post = (framing: string, body: string | Buffer, headers = `Authorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\n`) =>
  Buffer.concat([
    Buffer.from(`POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${headers}${framing}\r\n`, "latin1"),
    Buffer.from(body),
  ]);

const chunk = (data: string) => `${Buffer.byteLength(data).toString(16)}\r\n${data}\r\n`;

function pushedRows(): number {
  const db = new Database(node.databasePath, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM articles WHERE source = 'push'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function expectStatus(response: RawResponse, allowed: number[], where: string) {
  expect(allowed, `${where}: ${response.head.split("\r\n")[0]} ${response.body.toString("utf8").slice(0, 200)}`).toContain(response.status);
  for (const marker of ["id_authority", "root:x:0:0"]) expect(response.body.toString("latin1"), where).not.toContain(marker);
}

describe("paths on the Node server", () => {
  it.each([
    ["/media/../site.yaml", [404]],
    ["/media/%2e%2e/site.yaml", [404]],
    ["/media/..%2fsite.yaml", [404]],
    ["/media/%2e%2e%2fsite.yaml", [404]],
    ["/media/....//site.yaml", [404]],
    ["/media/..\\site.yaml", [400, 404]],
    ["/media/%5c..%5csite.yaml", [404]],
    ["/media//etc/passwd", [404]],
    ["/media/%2fetc%2fpasswd", [404]],
    ["/../site.yaml", [404]],
    ["/media/chip-fab.jpg/../../site.yaml", [404]],
    ["/media/chip-fab.jpg%00.yaml", [404]],
    ["/media/..%252fsite.yaml", [404]],
    ["/media/%c0%ae%c0%ae/site.yaml", [404]],
    ["/media/../../../../etc/passwd", [404]],
  ])("answers %s without reaching outside content/media", async (path, allowed) => {
    expectStatus(await get(path), allowed, path);
  });

  it("still serves a media file, and answers invalid UTF-8 in a path with a 4xx", async () => {
    expectStatus(await get("/media/chip-fab.jpg"), [200], "chip-fab.jpg");
    expectStatus(await get("/%ff%fe/rss.xml"), [404], "/%ff%fe/rss.xml");
    const raw = Buffer.concat([
      Buffer.from("GET /"),
      Buffer.from([0xff, 0xfe]),
      Buffer.from("/rss.xml HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
    ]);
    expectStatus(await rawRequest(node.port, raw), [400, 404], "raw 0xff 0xfe in the path");
  });

  it("answers an enormous limit with 400 and a very long path with 431 or 414", async () => {
    expectStatus(await get("/en/rss.xml?limit=99999999999999999999"), [400], "limit");
    expectStatus(await get(`/${"a".repeat(100_000)}`), [414, 431], "100 KB path");
    expectStatus(await get(`/en/${"a/".repeat(3_000)}`), [404], "6 KB path");
  });
});

describe("headers on the Node server", () => {
  const tags = (n: number) => Array.from({ length: n }, (_, i) => `"${i.toString(16).padStart(8, "0")}"`).join(", ");

  it("answers headers beyond Node's limit with 431, and a large but legal If-None-Match normally", async () => {
    expectStatus(await get("/en/rss.xml", `If-None-Match: ${"x".repeat(60_000)}\r\n`), [431], "60 KB If-None-Match");
    expectStatus(await get("/en/rss.xml", `If-None-Match: ${tags(10_000)}\r\n`), [431], "10 000 entity tags");
    expectStatus(await get("/en/rss.xml", `If-None-Match: ${tags(1_000)}\r\nA-IM: feed\r\n`), [200], "1 000 entity tags");
  });

  it.each([
    ["If-None-Match", '"'],
    ["If-None-Match", "W/"],
    ["If-None-Match", '"\xff\xfe"'],
    ["If-None-Match", "*"],
    ["A-IM", ";;;,,,="],
    ["A-IM", "feed;q=x, , ,"],
    ["Accept-Encoding", "gzip;q=2"],
    ["Accept-Encoding", "*;q=0"],
    ["Accept-Encoding", "identity;q=0"],
    ["Accept-Encoding", "gzip;q=NaN, br;q=1e999"],
    ["If-Modified-Since", "garbage"],
    ["If-Modified-Since", "Sat, 01 Jan 10000 00:00:00 GMT"],
    ["If-Modified-Since", "Mon, 99 Foo 9999 99:99:99 GMT"],
  ])("answers %s: %j normally", async (name, value) => {
    for (const path of ["/en/atom.xml", "/ko/politics/feed.json"])
      expectStatus(await get(path, `${name}: ${value}\r\n`), [200, 304, 406], `${path} ${name}`);
  });

  it("answers a request line Node cannot read with 400", async () => {
    expectStatus(await rawRequest(node.port, "GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n"), [400, 505], "HTTP/9.9");
    expectStatus(await rawRequest(node.port, "GET /\x00 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), [400], "a NUL in the path");
  });
});

describe("push bodies on the Node server", () => {
  const valid = JSON.stringify({
    id: "node-push",
    title: "Pushed over a socket",
    content_text: "Body.",
    language: "en",
    section: "business",
  });

  it.each(WRONG_TOKENS)("refuses the token %s with 401", async (token) => {
    expectStatus(
      await rawRequest(
        node.port,
        post(`Content-Length: ${valid.length}\r\n`, valid, `Authorization: Bearer ${token}\r\nContent-Type: application/json\r\n`),
      ),
      [401],
      "wrong token",
    );
    expect(pushedRows()).toBe(0);
  });

  it("answers 413 to a Content-Length over the limit without waiting for the body", async () => {
    expectStatus(await rawRequest(node.port, post("Content-Length: 5000000\r\n", "{}")), [413], "declared 5 MB");
    expect(pushedRows()).toBe(0);
  });

  it("answers 413 to a chunked body over the limit, and to one that never ends while it is still coming", async () => {
    expectStatus(
      await rawRequest(
        node.port,
        post("Transfer-Encoding: chunked\r\n", chunk(" ".repeat(700_000)) + chunk(" ".repeat(700_000)) + "0\r\n\r\n"),
      ),
      [413],
      "chunked 1.4 MB",
    );
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const endless = await rawRequest(node.port, post("Transfer-Encoding: chunked\r\n", ""), {
      more: (write) => {
        timer = setInterval(() => {
          if (write(chunk(" ".repeat(128 * 1024)))) sent += 128 * 1024;
        }, 2);
      },
    });
    clearInterval(timer);
    expectStatus(endless, [413], "endless chunked body");
    expect(sent).toBeLessThan(16 * 1024 * 1024);
    expect(pushedRows()).toBe(0);
  });

  it("answers 400 when the Content-Length understates the body, and Node refuses the rest", async () => {
    expectStatus(await rawRequest(node.port, post("Content-Length: 10\r\n", valid + " ".repeat(100_000))), [400], "understated length");
    expect(pushedRows()).toBe(0);
  });

  it("answers 400 when the client gives up before the length it announced, and logs no error", async () => {
    expectStatus(
      // Read until the server has closed the connection, so anything it logs about it is in the log.
      await rawRequest(node.port, post("Content-Length: 1000\r\n", valid.slice(0, 20)), { halfClose: true, untilClosed: true }),
      [400],
      "overstated length",
    );
    expect(node.log()).not.toMatch(/^http: POST /m);
    expect(pushedRows()).toBe(0);
  });

  it.each([
    ["an unreadable Content-Length", "Content-Length: abc\r\n", "{}", [400]],
    ["both Content-Length and chunked", "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n", "2\r\n{}\r\n0\r\n\r\n", [400]],
    ["two Content-Lengths", "Content-Length: 2\r\nContent-Length: 3\r\n", "{}", [400]],
    ["a malformed chunk size", "Transfer-Encoding: chunked\r\n", "zz\r\n{}\r\n0\r\n\r\n", [400]],
  ])("answers %s with 400", async (_name, framing, body, allowed) => {
    expectStatus(await rawRequest(node.port, post(framing, body)), allowed, framing);
    expect(pushedRows()).toBe(0);
  });

  it("answers a wrong type with 415 and bad JSON, deep nesting or ten thousand items with a detailed 400", async () => {
    const text = `POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: text/plain\r\nContent-Length: ${valid.length}\r\n\r\n${valid}`;
    expectStatus(await rawRequest(node.port, text), [415], "text/plain");
    for (const body of [
      '{"id": "a", "title": ',
      `${"[".repeat(100_000)}${"]".repeat(100_000)}`,
      JSON.stringify(Array.from({ length: 10_000 }, (_, i) => ({ id: `n${i}` }))),
    ]) {
      const response = await rawRequest(node.port, post(`Content-Length: ${Buffer.byteLength(body)}\r\n`, body));
      expectStatus(response, [400], body.slice(0, 20));
      const problem = JSON.parse(response.body.toString("utf8")) as { error: string; details: string[] };
      expect(problem.details.length).toBeGreaterThan(0);
    }
    expect(pushedRows()).toBe(0);
  });

  it("stores a valid push, which shows the store check above can see one", async () => {
    const response = await rawRequest(node.port, post(`Content-Length: ${Buffer.byteLength(valid)}\r\n`, valid));
    expectStatus(response, [200], "valid push");
    expect(pushedRows()).toBe(1);
  });
});

describe("after everything above", () => {
  it("still serves, and its log holds no server error and no token", async () => {
    expectStatus(await get("/en/rss.xml"), [200], "/en/rss.xml");
    expectStatus(await get("/api/stats", `Authorization: Bearer ${TOKEN}\r\n`), [200], "/api/stats");
    expectStatus(await get("/api/stats", `Authorization: Bearer ${WRONG_TOKENS[0]}\r\n`), [401], "/api/stats with a wrong token");
    const log = node.log();
    expect(log).toMatch(/http: serving/);
    expect(log).not.toMatch(/^http: (GET|HEAD|POST|DELETE) /m);
    expect(log).not.toContain("Internal error");
    for (const secret of [TOKEN, ...WRONG_TOKENS]) expect(log).not.toContain(secret);
  });
});
