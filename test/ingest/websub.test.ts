/** WebSub publish pings against real hubs on 127.0.0.1: the form sent, retries, refusals, concurrency, the deadline; and WEBSUB_HUBS. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { parseHubList } from "../../src/config/env.ts";
import { ConfigError } from "../../src/config/error.ts";
import { Announcements, publishToHubs, type PublishOptions } from "../../src/ingest/websub.ts";

/** What a hub answers to one request: a status (with optional headers and body), a reset connection, or nothing at all. */
type Answer = { status: number; headers?: Record<string, string>; body?: string } | "reset" | "hang";

interface Received {
  method: string;
  contentType: string | undefined;
  userAgent: string | undefined;
  body: string;
  form: Record<string, string>;
}

interface TestHub {
  url: string;
  received: Received[];
  /** Answers for the next requests, in order; after them the hub accepts. */
  failNext(...answers: Answer[]): void;
  /** The answer to every request once the queue is empty; 202 unless set. */
  otherwise: Answer;
  /** Requests held before answering, most at once: shows the caller's concurrency. */
  maxInFlight: number;
  /** Hold each request until this many are in flight, or until `expected` requests have come in all. */
  gather: number;
  /** How many requests the test will send in all, so the last few are not held for more that never come. */
  expected: number;
  /** Connections the client closed while the hub was still silent. */
  abandoned: number;
}

const hubs: Server[] = [];

afterEach(async () => {
  for (const server of hubs.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function startHub(): Promise<TestHub> {
  const queue: Answer[] = [];
  let inFlight = 0;
  const held: Array<() => void> = [];
  const hub: TestHub = {
    url: "",
    received: [],
    failNext: (...answers) => void queue.push(...answers),
    otherwise: { status: 202 },
    maxInFlight: 0,
    gather: 1,
    expected: Infinity,
    abandoned: 0,
  };

  const answer = (req: IncomingMessage, res: ServerResponse, chosen: Answer) => {
    if (chosen === "hang") return void res.on("close", () => hub.abandoned++);
    if (chosen === "reset") return void req.socket.resetAndDestroy();
    res.writeHead(chosen.status, chosen.headers ?? {}).end(chosen.body ?? "");
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      hub.received.push({
        method: req.method ?? "",
        contentType: req.headers["content-type"],
        userAgent: req.headers["user-agent"],
        body,
        form: Object.fromEntries(new URLSearchParams(body)),
      });
      const chosen = queue.shift() ?? hub.otherwise;
      inFlight++;
      hub.maxInFlight = Math.max(hub.maxInFlight, inFlight);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        inFlight--;
        answer(req, res, chosen);
      };
      if (hub.gather <= 1) return release();
      held.push(release);
      if (held.length >= hub.gather || hub.received.length >= hub.expected) for (const next of held.splice(0)) next();
    });
  });
  hubs.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  hub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hub`;
  return hub;
}

/** A hub URL nothing listens on: every request is refused at connect. */
async function downHubUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/hub`;
}

/** A sleep that returns at once and remembers what it was asked to wait. */
function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: (ms: number) => (waits.push(ms), Promise.resolve()) };
}

const TOPIC_KO = "https://news.example/ko/rss.xml";
const TOPIC_EN = "https://news.example/en/world/atom.xml?limit=20&page=2";
const FORM_KO = "hub.mode=publish&hub.url=https%3A%2F%2Fnews.example%2Fko%2Frss.xml";
const FORM_EN = "hub.mode=publish&hub.url=https%3A%2F%2Fnews.example%2Fen%2Fworld%2Fatom.xml%3Flimit%3D20%26page%3D2";
const USER_AGENT = "hanbit-feeds-test/1.0 (+https://news.example)";

const FIXED_NOW = Date.UTC(2026, 9, 21, 7, 26, 30);

const fast = (extra: Partial<PublishOptions> = {}): PublishOptions => ({
  fetch,
  now: () => FIXED_NOW,
  sleep: recordingSleep().sleep,
  baseDelayMs: 10,
  maxDelayMs: 100,
  timeoutMs: 2000,
  deadlineMs: 20_000,
  userAgent: USER_AGENT,
  ...extra,
});

describe("publishToHubs", () => {
  describe("when every hub accepts", () => {
    it("sends exactly one form-encoded publish per hub and topic", async () => {
      const first = await startHub();
      const second = await startHub();
      second.otherwise = { status: 204 };

      const results = await publishToHubs([first.url, second.url], [TOPIC_KO, TOPIC_EN], fast());

      expect(results).toEqual([
        { hub: first.url, topic: TOPIC_KO, ok: true, attempts: 1 },
        { hub: first.url, topic: TOPIC_EN, ok: true, attempts: 1 },
        { hub: second.url, topic: TOPIC_KO, ok: true, attempts: 1 },
        { hub: second.url, topic: TOPIC_EN, ok: true, attempts: 1 },
      ]);
      for (const hub of [first, second]) {
        expect(hub.received).toHaveLength(2);
        expect(hub.received.map((r) => r.body).sort()).toEqual([FORM_EN, FORM_KO].sort());
        for (const request of hub.received) {
          expect(request.method).toBe("POST");
          expect(request.contentType).toBe("application/x-www-form-urlencoded");
          expect(request.userAgent).toBe(USER_AGENT);
          expect(Object.keys(request.form)).toEqual(["hub.mode", "hub.url"]);
          expect(request.form["hub.mode"]).toBe("publish");
        }
        expect(hub.received.map((r) => r.form["hub.url"]).sort()).toEqual([TOPIC_EN, TOPIC_KO].sort());
      }
    });

    it("sends a hub or topic given twice only once", async () => {
      const hub = await startHub();
      const results = await publishToHubs([hub.url, hub.url], [TOPIC_KO, TOPIC_KO], fast());
      expect(results).toEqual([{ hub: hub.url, topic: TOPIC_KO, ok: true, attempts: 1 }]);
      expect(hub.received.map((r) => r.body)).toEqual([FORM_KO]);
    });

    it("sends nothing when there is no hub or no topic", async () => {
      const hub = await startHub();
      expect(await publishToHubs([], [TOPIC_KO], fast())).toEqual([]);
      expect(await publishToHubs([hub.url], [], fast())).toEqual([]);
      expect(hub.received).toHaveLength(0);
    });

    it("keeps at most four requests in flight", async () => {
      const hub = await startHub();
      hub.gather = 4;
      hub.expected = 10;
      const topics = Array.from({ length: 10 }, (_, i) => `https://news.example/en/section-${i}/rss.xml`);

      const results = await publishToHubs([hub.url], topics, fast());

      expect(results.every((r) => r.ok && r.attempts === 1)).toBe(true);
      expect(hub.received).toHaveLength(10);
      expect(hub.maxInFlight).toBe(4);
    });
  });

  describe("retries", () => {
    it("retries a 500, a 429 with Retry-After: 0 and a reset connection, then succeeds", async () => {
      const hub = await startHub();
      hub.failNext({ status: 500 }, { status: 429, headers: { "Retry-After": "0" } }, "reset");
      const { waits, sleep } = recordingSleep();

      const [result] = await publishToHubs([hub.url], [TOPIC_KO], fast({ sleep, attempts: 4 }));

      expect(result).toEqual({ hub: hub.url, topic: TOPIC_KO, ok: true, attempts: 4 });
      expect(hub.received.map((r) => r.body)).toEqual([FORM_KO, FORM_KO, FORM_KO, FORM_KO]);
      // Exponential backoff from baseDelayMs; Retry-After: 0 does not shorten it.
      expect(waits).toEqual([10, 20, 40]);
    });

    it("retries a request that gets no answer within timeoutMs, closing its connection", async () => {
      const hub = await startHub();
      hub.failNext("hang");

      const [result] = await publishToHubs([hub.url], [TOPIC_EN], fast({ timeoutMs: 100 }));

      expect(result).toEqual({ hub: hub.url, topic: TOPIC_EN, ok: true, attempts: 2 });
      expect(hub.received).toHaveLength(2);
      await expect.poll(() => hub.abandoned).toBe(1);
    });

    it("waits as long as Retry-After asks when that is within maxDelayMs", async () => {
      const hub = await startHub();
      hub.failNext({ status: 503, headers: { "Retry-After": "1" } });
      const { waits, sleep } = recordingSleep();

      const [result] = await publishToHubs([hub.url], [TOPIC_KO], fast({ sleep, maxDelayMs: 5000 }));

      expect(result).toMatchObject({ ok: true, attempts: 2 });
      expect(waits).toEqual([1000]);
    });

    it("reads a Retry-After date against the clock it is given", async () => {
      const hub = await startHub();
      hub.failNext({ status: 503, headers: { "Retry-After": new Date(FIXED_NOW + 3000).toUTCString() } });
      const { waits, sleep } = recordingSleep();

      const [result] = await publishToHubs([hub.url], [TOPIC_KO], fast({ sleep, maxDelayMs: 5000 }));

      expect(result).toMatchObject({ ok: true, attempts: 2 });
      expect(waits).toEqual([3000]);
    });

    it("caps the backoff at maxDelayMs", async () => {
      const hub = await startHub();
      hub.otherwise = { status: 500 };
      const { waits, sleep } = recordingSleep();

      await publishToHubs([hub.url], [TOPIC_KO], fast({ sleep, attempts: 4, baseDelayMs: 10, maxDelayMs: 25 }));

      expect(waits).toEqual([10, 20, 25]);
    });

    it("gives up after `attempts` tries with an error naming the hub, the topic and the last failure", async () => {
      const hub = await startHub();
      hub.otherwise = { status: 500, body: "database is down" };

      const [result] = await publishToHubs([hub.url], [TOPIC_KO], fast({ attempts: 3 }));

      expect(result).toMatchObject({ hub: hub.url, topic: TOPIC_KO, ok: false, attempts: 3 });
      expect(result!.error).toBe(
        `websub: hub ${hub.url}: publishing ${TOPIC_KO}: no success in 3 attempts; the last: ` +
          `the hub answered HTTP 500 Internal Server Error ("database is down")`,
      );
      expect(hub.received).toHaveLength(3);
    });

    it("gives up at once when Retry-After asks for longer than maxDelayMs", async () => {
      const hub = await startHub();
      hub.otherwise = { status: 429, headers: { "Retry-After": "120" } };

      const [result] = await publishToHubs([hub.url], [TOPIC_KO], fast({ maxDelayMs: 5000 }));

      expect(result).toMatchObject({ ok: false, attempts: 1 });
      expect(result!.error).toMatch(/^websub: hub .*HTTP 429 Too Many Requests asking to retry after 120000 ms, longer than the 5000 ms/);
      expect(hub.received).toHaveLength(1);
    });
  });

  describe("refusals", () => {
    it("does not retry a 400, and reports the hub's reason", async () => {
      const hub = await startHub();
      hub.failNext({ status: 400, headers: { "Content-Type": "text/plain" }, body: "hub.url: not a topic\nthis hub serves" });

      const [result] = await publishToHubs([hub.url], [TOPIC_KO], fast());

      expect(result).toEqual({
        hub: hub.url,
        topic: TOPIC_KO,
        ok: false,
        attempts: 1,
        error: `websub: hub ${hub.url}: publishing ${TOPIC_KO}: the hub answered HTTP 400 Bad Request ("hub.url: not a topic this hub serves"); not retried`,
      });
      expect(hub.received).toHaveLength(1);
    });

    it("does not follow a redirect, which would turn the POST into a GET", async () => {
      const hub = await startHub();
      hub.failNext({ status: 302, headers: { Location: "https://hub.example/elsewhere" } });

      const [result] = await publishToHubs([hub.url], [TOPIC_KO], fast());

      expect(result).toMatchObject({ ok: false, attempts: 1 });
      expect(result!.error).toContain("HTTP 302 Found, a redirect to https://hub.example/elsewhere");
      expect(hub.received).toHaveLength(1);
    });

    it("reports a hub or topic that is not an http(s) URL without sending anything", async () => {
      const hub = await startHub();
      const results = await publishToHubs(["hub.example/publish", hub.url], ["ftp://news.example/rss.xml"], fast());
      expect(results).toEqual([
        {
          hub: "hub.example/publish",
          topic: "ftp://news.example/rss.xml",
          ok: false,
          attempts: 0,
          error: 'websub: hub "hub.example/publish" is not an absolute http(s) URL; not contacted',
        },
        {
          hub: hub.url,
          topic: "ftp://news.example/rss.xml",
          ok: false,
          attempts: 0,
          error: `websub: hub ${hub.url}: publishing ftp://news.example/rss.xml: the topic is not an absolute http(s) URL; not sent`,
        },
      ]);
      expect(hub.received).toHaveLength(0);
    });

    it("never throws, even when the fetch implementation throws synchronously", async () => {
      const hub = await startHub();
      const throwing: typeof fetch = () => {
        throw new TypeError("no network in this test");
      };
      const results = await publishToHubs([hub.url], [TOPIC_KO], fast({ fetch: throwing, attempts: 2 }));
      expect(results).toEqual([
        expect.objectContaining({ ok: false, attempts: 2, error: expect.stringContaining("request failed: no network in this test") }),
      ]);
    });
  });

  describe("several hubs", () => {
    it("still notifies the other hub when one is down", async () => {
      const down = await downHubUrl();
      const up = await startHub();

      const results = await publishToHubs([down, up.url], [TOPIC_KO, TOPIC_EN], fast());

      expect(results.filter((r) => r.hub === up.url)).toEqual([
        { hub: up.url, topic: TOPIC_KO, ok: true, attempts: 1 },
        { hub: up.url, topic: TOPIC_EN, ok: true, attempts: 1 },
      ]);
      expect(up.received.map((r) => r.body).sort()).toEqual([FORM_EN, FORM_KO].sort());
      for (const result of results.filter((r) => r.hub === down)) {
        expect(result).toMatchObject({ ok: false, attempts: 3 });
        expect(result.error).toMatch(
          new RegExp(`^websub: hub ${down}: publishing .*: no success in 3 attempts; the last: request failed: .*ECONNREFUSED`),
        );
      }
    });
  });

  describe("the deadline", () => {
    it("stops requests that are still waiting, reports them, and keeps what finished", async () => {
      const silent = await startHub();
      silent.otherwise = "hang";
      const quick = await startHub();

      const results = await publishToHubs([silent.url, quick.url], [TOPIC_KO], fast({ timeoutMs: 60_000, deadlineMs: 300 }));

      expect(results).toEqual([
        {
          hub: silent.url,
          topic: TOPIC_KO,
          ok: false,
          attempts: 1,
          error: `websub: hub ${silent.url}: publishing ${TOPIC_KO}: stopped by the 300 ms deadline after 1 attempt`,
        },
        { hub: quick.url, topic: TOPIC_KO, ok: true, attempts: 1 },
      ]);
      await expect.poll(() => silent.abandoned).toBe(1);
    });

    it("cuts short a backoff sleep and says what failed before it", async () => {
      const hub = await startHub();
      hub.otherwise = { status: 503 };
      const never = () => new Promise<void>(() => {});

      const [result] = await publishToHubs([hub.url], [TOPIC_KO], fast({ sleep: never, deadlineMs: 300 }));

      expect(result).toMatchObject({ ok: false, attempts: 1 });
      expect(result!.error).toBe(
        `websub: hub ${hub.url}: publishing ${TOPIC_KO}: stopped by the 300 ms deadline after 1 attempt; ` +
          "the last failure: the hub answered HTTP 503 Service Unavailable",
      );
      expect(hub.received).toHaveLength(1);
    });

    it("returns even when the fetch implementation ignores its abort signal", async () => {
      const deaf: typeof fetch = () => new Promise<Response>(() => {});
      const topics = Array.from({ length: 6 }, (_, i) => `https://news.example/en/s${i}/rss.xml`);

      const results = await publishToHubs(["https://hub.example/"], topics, fast({ fetch: deaf, timeoutMs: 60_000, deadlineMs: 200 }));

      expect(results).toHaveLength(6);
      expect(results.every((r) => !r.ok && r.error?.includes("stopped by the 200 ms deadline"))).toBe(true);
      // Four were sent; the other two were still waiting for a place when time ran out.
      expect(results.map((r) => r.attempts)).toEqual([1, 1, 1, 1, 0, 0]);
      expect(results[5]!.error).toContain("deadline before the first attempt");
    });
  });
});

describe("one runtime's announcements", () => {
  it("keep one publish under way: topics changed meanwhile wait together and go out in one next publish, however many writes", async () => {
    // A hub that holds every request until released, counting them.
    const topicsSeen: string[] = [];
    let held: (() => void)[] = [];
    let holding = true;
    let inFlight = 0;
    let maxInFlight = 0;
    let firstArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (firstArrived = resolve));
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      req.on("end", () => {
        topicsSeen.push(new URLSearchParams(body).get("hub.url")!);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const answer = () => {
          inFlight--;
          res.writeHead(202).end();
        };
        if (holding) held.push(answer);
        else answer();
        firstArrived();
      });
    });
    hubs.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const hub = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hub`;

    const announcements = new Announcements();
    const batches: string[][] = [];
    const send = (topics: string[]) => {
      batches.push(topics);
      return publishToHubs([hub], topics, { fetch, now: Date.now });
    };
    const topic = (n: number) => `https://news.example/${n % 10}/rss.xml`;
    const first = announcements.publish([topic(0)], send);
    await arrived;
    // Forty writes while the first publish is held, naming ten distinct feeds.
    const later = Array.from({ length: 40 }, (_, i) => announcements.publish([topic(i + 1)], send));
    expect(batches).toHaveLength(1);
    holding = false;
    for (const answer of held) answer();
    held = [];
    const results = await Promise.all([first, ...later]);
    expect(batches).toEqual([[topic(0)], Array.from({ length: 10 }, (_, i) => topic(i + 1))]);
    expect(topicsSeen).toHaveLength(11);
    expect(maxInFlight).toBeLessThanOrEqual(4);
    // Each write hears of its own topic, from the publish that sent it.
    results.forEach((result, i) => expect(result.map((r) => [r.topic, r.ok])).toEqual([[topic(i), true]]));
  });
});

describe("parseHubList", () => {
  it("reads comma- and space-separated URLs, normalized, without repeats", () => {
    expect(
      parseHubList(
        "https://pubsubhubbub.appspot.com, https://websub.example/hub?x=1  http://127.0.0.1:8080/hub\nhttps://pubsubhubbub.appspot.com/,",
      ),
    ).toEqual(["https://pubsubhubbub.appspot.com/", "https://websub.example/hub?x=1", "http://127.0.0.1:8080/hub"]);
    expect(parseHubList("https://a.example/hub,https://b.example/hub")).toEqual(["https://a.example/hub", "https://b.example/hub"]);
  });

  it("reads unset or blank as no hubs", () => {
    expect(parseHubList(undefined)).toEqual([]);
    expect(parseHubList("")).toEqual([]);
    expect(parseHubList(" , \t")).toEqual([]);
  });

  it.each([
    [
      "pubsubhubbub.appspot.com",
      'config: WEBSUB_HUBS entry "pubsubhubbub.appspot.com" is not an absolute URL such as https://pubsubhubbub.appspot.com/',
    ],
    ["https://ok.example/hub /hub", 'config: WEBSUB_HUBS entry "/hub" is not an absolute URL such as https://pubsubhubbub.appspot.com/'],
    ["https://ok.example/hub,ftp://hub.example/", 'config: WEBSUB_HUBS entry "ftp://hub.example/" must start with http:// or https://'],
    ["mailto:hub@example.com", 'config: WEBSUB_HUBS entry "mailto:hub@example.com" must start with http:// or https://'],
  ])("refuses %j, naming the bad entry", (value, message) => {
    expect(() => parseHubList(value)).toThrow(ConfigError);
    expect(() => parseHubList(value)).toThrow(message);
  });
});
