/**
 * Upstreams that misbehave, served by hand over raw TCP on 127.0.0.1 so each can break HTTP exactly
 * as it likes: too slow (past the fetch deadline, injected as 1 s rather than waiting the real 20 s),
 * connections reset, 500s, a Content-Length larger or smaller than the body, EUC-KR bytes declared as
 * UTF-8, garbage declared as gzip. Each such source is reported failed with its reason and backed off
 * (source_state.failures and next_ms, doubling), the sources around it proceed, and it is read again
 * once its back-off has passed and it is fixed.
 */
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SourceSettings } from "../../src/config/site.ts";
import type { RunReport } from "../../src/ingest/report.ts";
import { runIngest } from "../../src/ingest/run.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import { ingestDeps, testSite } from "../helpers.ts";

const FETCH_TIMEOUT_MS = 1_000;

function rss(name: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>${name}</title><link>https://${name}.example/</link><description>d</description>` +
    [1, 2]
      .map(
        (i) =>
          `<item><guid isPermaLink="false">${name}-${i}</guid><title>한국어 기사 ${i} from ${name}</title><link>https://${name}.example/${i}</link>` +
          `<description>본문 ${i}</description><pubDate>Thu, 19 Nov 2026 09:0${i}:00 +0900</pubDate></item>`,
      )
      .join("") +
    `</channel></rss>`
  );
}

const answer = (socket: Socket, head: string[], body: Buffer | string = "") => {
  socket.end(Buffer.concat([Buffer.from(`${head.join("\r\n")}\r\nConnection: close\r\n\r\n`), Buffer.from(body)]));
};
const okHead = (length: number, type = "application/rss+xml; charset=utf-8") => [
  "HTTP/1.1 200 OK",
  `Content-Type: ${type}`,
  `Content-Length: ${length}`,
];

/** How each faulty upstream answers; a fixed one answers like the good ones. */
const FAULTS: Record<string, { behave: (socket: Socket, name: string) => void; error: RegExp }> = {
  silent: { behave: () => undefined, error: /no complete response within 1000 ms/ },
  "slow-body": {
    behave: (socket, name) => {
      const body = Buffer.from(rss(name));
      socket.write(`${okHead(body.length).join("\r\n")}\r\n\r\n`);
      socket.write(body.subarray(0, 100));
    },
    error: /no complete response within 1000 ms/,
  },
  reset: { behave: (socket) => socket.resetAndDestroy(), error: /request failed/ },
  "http-500": {
    behave: (socket) => answer(socket, ["HTTP/1.1 500 Internal Server Error", "Content-Length: 4"], "down"),
    error: /answered HTTP 500/,
  },
  "length-longer": {
    behave: (socket, name) => {
      const body = Buffer.from(rss(name));
      answer(socket, okHead(body.length + 5000), body);
    },
    error: /connection failed while reading the body/,
  },
  "length-shorter": {
    behave: (socket, name) => {
      const body = Buffer.from(rss(name));
      answer(socket, okHead(body.length - 200), body);
    },
    error: /^parse: |XML|closing|unclosed|not well-formed|end of/i,
  },
  "euc-kr-as-utf8": {
    behave: (socket, name) => {
      // Its Korean words as EUC-KR bytes (한국어: c7d1 b1b9 beee), in a document whose header and
      // declaration say UTF-8.
      const parts = rss(name).split(/한국어|본문/);
      const bytes = Buffer.concat(
        parts.flatMap((part, i) => (i ? [Buffer.from("c7d1b1b9beee", "hex"), Buffer.from(part)] : [Buffer.from(part)])),
      );
      answer(socket, okHead(bytes.length), bytes);
    },
    error: /the body is not valid utf-8/,
  },
  "gzip-garbage": {
    behave: (socket) => {
      const garbage = Buffer.from("this is not gzip, whatever the header says ".repeat(20));
      answer(socket, [...okHead(garbage.length), "Content-Encoding: gzip"], garbage);
    },
    error: /connection failed while reading the body/,
  },
};

let server: Server;
let origin: string;
const fixed = new Set<string>();
const asked = new Map<string, number>();
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let head = "";
    socket.on("data", (chunk) => {
      if (head.includes("\r\n\r\n")) return;
      head += chunk.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      const name = /^GET \/([\w-]+)\.xml /.exec(head)?.[1] ?? "";
      asked.set(name, (asked.get(name) ?? 0) + 1);
      const fault = FAULTS[name];
      if (fault && !fixed.has(name)) return fault.behave(socket, name);
      const body = Buffer.from(rss(name));
      answer(socket, okHead(body.length), body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const source = (id: string): SourceSettings => ({
  id,
  kind: "feed",
  url: `${origin}/${id}.xml`,
  lang: "ko",
  section: "society",
  sections: {},
  timezone: "Asia/Seoul",
  minInterval: 0,
  maxBytes: 1 << 20,
});

describe("misbehaving upstreams", () => {
  it("are reported and backed off, doubling, while the sources around them proceed; once fixed and due, they are read", async () => {
    const names = ["good-first", ...Object.keys(FAULTS), "good-last"];
    const site = testSite();
    site.settings = { ...site.settings, sources: names.map(source) };
    const store = openSqliteStore(":memory:");
    let clock = Date.parse("2026-12-01T09:00:00Z");
    const deps = ingestDeps(store, site, undefined, {
      content: undefined,
      fetch: globalThis.fetch,
      now: () => clock,
      fetchTimeoutMs: FETCH_TIMEOUT_MS,
    });
    const byName = (report: RunReport) => new Map(report.sources.map((s) => [s.source, s]));

    const first = byName(await runIngest(deps));
    for (const name of ["good-first", "good-last"]) expect(first.get(name)).toMatchObject({ status: "fetched", new: 2 });
    for (const [name, fault] of Object.entries(FAULTS)) {
      expect(first.get(name), name).toMatchObject({ status: "failed", new: 0 });
      expect(first.get(name)!.error, name).toMatch(fault.error);
      expect(await store.sourceState(name), name).toMatchObject({
        failures: 1,
        nextMs: clock + 120_000,
        lastError: first.get(name)!.error,
      });
    }
    expect((await store.latest({ lang: "ko", limit: 100 })).map((a) => a.title).sort()).toEqual(
      ["good-first", "good-last"].flatMap((name) => [1, 2].map((i) => `한국어 기사 ${i} from ${name}`)).sort(),
    );

    // A minute later: the failed ones are not asked (backed off), the good ones are.
    clock += 60_000;
    const askedBefore = new Map(asked);
    const second = byName(await runIngest(deps));
    for (const name of Object.keys(FAULTS)) {
      expect(second.get(name)!.status, name).toBe("not-due");
      expect(asked.get(name), name).toBe(askedBefore.get(name));
    }
    expect(second.get("good-last")!.status).toBe("fetched");

    // Due again and still broken: failed again, and the back-off doubles.
    clock += 61_000;
    const third = byName(await runIngest(deps));
    for (const name of Object.keys(FAULTS)) {
      expect(third.get(name)!.status, name).toBe("failed");
      expect(await store.sourceState(name), name).toMatchObject({ failures: 2, nextMs: clock + 240_000 });
    }

    // Fixed, and due: read, and the failures forgotten.
    for (const name of Object.keys(FAULTS)) fixed.add(name);
    clock += 240_000;
    const fourth = byName(await runIngest(deps));
    for (const name of Object.keys(FAULTS)) {
      expect(fourth.get(name), name).toMatchObject({ status: "fetched", new: 2 });
      expect(await store.sourceState(name), name).toMatchObject({ failures: 0, lastError: null });
    }
    expect(await store.latest({ lang: "ko", limit: 100 })).toHaveLength(2 * names.length);
    await store.close();
  }, 30_000);
});
