/**
 * Server-side request forgery: which addresses a URL an upstream chose may reach (every special-purpose
 * range, in IPv4 and each IPv6 form that carries IPv4), the Node fetch that checks the address a name
 * resolves to as it connects, and an ingest run whose upstream redirects to a name resolving to
 * loopback. Names are resolved by an injected resolver here; ssrf-netns.test.ts uses the real one.
 */
import type { LookupAddress } from "node:dns";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addressRefusal, AddressRefused, hostRefusal } from "../../src/ingest/fetch/addresses.ts";
import { runIngest } from "../../src/ingest/run.ts";
import { checkedFetch, checkedLookup, type Resolver } from "../../src/runtime/node-fetch.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import fc from "../fast-check.ts";
import { feedSource, ingestDeps, testSite } from "../helpers.ts";
import { everyArticle, runs } from "./support.ts";

/**
 * The IPv4 ranges that are not global unicast, written out from the IANA special-purpose registry
 * (RFC 6890 and its updates), plus multicast and 240/4: the oracle the classification is held to.
 */
const REFUSED_V4: Array<[string, number, string]> = [
  ["0.0.0.0", 8, '"this network"'],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "carrier-grade NAT"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "IETF protocol assignment"],
  ["192.0.2.0", 24, "documentation"],
  ["192.31.196.0", 24, "AS112"],
  ["192.52.193.0", 24, "AMT"],
  ["192.88.99.0", 24, "6to4 relay anycast"],
  ["192.168.0.0", 16, "private"],
  ["192.175.48.0", 24, "AS112"],
  ["198.18.0.0", 15, "benchmarking"],
  ["198.51.100.0", 24, "documentation"],
  ["203.0.113.0", 24, "documentation"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"],
];

const v4Number = (text: string) => text.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
const v4Text = (n: number) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join(".");
const inV4 = (n: number, [network, bits]: [string, number, string]) =>
  bits === 0 || n >>> (32 - bits) === v4Number(network) >>> (32 - bits);
const oracleRefusesV4 = (n: number) => REFUSED_V4.some((range) => inV4(n, range));

/** Eight 16-bit groups as an IPv6 address, uncompressed. */
const v6 = (groups: number[]) => groups.map((g) => g.toString(16)).join(":");
const high = (n: number) => n >>> 16;
const low = (n: number) => n & 0xffff;

describe("addressRefusal: the special-purpose ranges", () => {
  it.each([
    ["127.0.0.1", "a loopback address"],
    ["127.255.255.254", "a loopback address"],
    ["10.1.2.3", "a private address"],
    ["172.31.255.255", "a private address"],
    ["192.168.0.1", "a private address"],
    ["169.254.169.254", "a link-local address"],
    ["100.64.0.1", "a shared (carrier-grade NAT) address"],
    ["100.127.255.255", "a shared (carrier-grade NAT) address"],
    ["0.0.0.0", 'a "this network" address (0.0.0.0/8)'],
    ["0.1.2.3", 'a "this network" address (0.0.0.0/8)'],
    ["198.18.0.1", "a benchmarking address"],
    ["198.19.255.255", "a benchmarking address"],
    ["192.0.0.8", "an IETF protocol assignment address"],
    ["192.0.0.170", "an IETF protocol assignment address"],
    ["192.0.2.1", "a documentation address"],
    ["198.51.100.7", "a documentation address"],
    ["203.0.113.9", "a documentation address"],
    ["224.0.0.1", "a multicast address"],
    ["239.255.255.250", "a multicast address"],
    ["240.0.0.1", "a reserved address (240.0.0.0/4)"],
    ["255.255.255.254", "a reserved address (240.0.0.0/4)"],
    ["255.255.255.255", "the broadcast address"],
    ["192.88.99.1", "a 6to4 relay anycast address"],
    ["::", "the unspecified address"],
    ["::1", "a loopback address"],
    ["fe80::1", "a link-local address"],
    ["fe80::1%eth0", "a link-local address"],
    ["fc00::1", "a unique local (private) address"],
    ["fd12:3456:789a::1", "a unique local (private) address"],
    ["fec0::1", "a site-local address"],
    ["ff02::1", "a multicast address"],
    ["100::1", "a discard-only address"],
    ["2001:db8::1", "a documentation address"],
    ["3fff::1", "a documentation address"],
    ["2001:2::1", "a benchmarking address"],
    ["2001:10::1", "an ORCHID address"],
    ["4000::1", "an address outside IPv6 global unicast space (2000::/3)"],
    ["::ffff:127.0.0.1", "an IPv4-mapped form of 127.0.0.1, a loopback address"],
    ["::ffff:7f00:1", "an IPv4-mapped form of 127.0.0.1, a loopback address"],
    ["::ffff:a9fe:a9fe", "an IPv4-mapped form of 169.254.169.254, a link-local address"],
    ["::ffff:0:7f00:1", "an IPv4-translated form of 127.0.0.1, a loopback address"],
    ["::7f00:1", "an IPv4-compatible form of 127.0.0.1, a loopback address"],
    ["::a00:1", "an IPv4-compatible form of 10.0.0.1, a private address"],
    ["64:ff9b::7f00:1", "a NAT64 form of 127.0.0.1, a loopback address"],
    ["64:ff9b::a9fe:a9fe", "a NAT64 form of 169.254.169.254, a link-local address"],
    ["64:ff9b:1::808:808", "a local-use NAT64 address (64:ff9b:1::/48), which reaches through a translator of this network"],
    ["2002:7f00:1::1", "a 6to4 form of 127.0.0.1, a loopback address"],
    ["2002:c0a8:101::", "a 6to4 form of 192.168.1.1, a private address"],
    ["2001:0:4136:e378:8000:63bf:80ff:fffe", "a Teredo address whose client is 127.0.0.1, a loopback address"],
    ["2001:0:a00:1:0:0:f7f7:f7f7", "a Teredo address whose server is 10.0.0.1, a private address"],
  ])("refuses %s: %s", (address, reason) => {
    expect(addressRefusal(address)).toBe(reason);
  });

  it.each([
    "8.8.8.8",
    "93.184.216.34",
    "1.1.1.1",
    "11.0.0.1",
    "172.15.255.255",
    "172.32.0.1",
    "192.169.0.1",
    "100.63.255.255",
    "100.128.0.1",
    "198.17.255.255",
    "198.20.0.0",
    "223.255.255.255",
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "2a00:1450:4001::200e",
    "::ffff:8.8.8.8",
    "::ffff:0:808:808",
    "64:ff9b::808:808",
    "2002:808:808::1",
    "2001:0:808:808:0:0:f7f7:f7f7",
  ])("lets %s through", (address) => {
    expect(addressRefusal(address)).toBeNull();
  });

  it("refuses text that is not an address", () => {
    expect(addressRefusal("wire.example")).toBe("not an IP address");
  });

  it("refuses exactly the IPv4 addresses the IANA registry sets apart, across the whole space", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        expect(addressRefusal(v4Text(n)) !== null, v4Text(n)).toBe(oracleRefusesV4(n));
      }),
      { numRuns: runs(5000) },
    );
  });

  it("refuses every address of every refused IPv4 range, and the addresses on either side of it pass unless their own range is refused", () => {
    const inRange = fc
      .constantFrom(...REFUSED_V4)
      .chain((range) => fc.integer({ min: 0, max: 2 ** (32 - range[1]) - 1 }).map((offset) => v4Number(range[0]) + offset));
    fc.assert(
      fc.property(inRange, (n) => {
        expect(addressRefusal(v4Text(n)), v4Text(n)).not.toBeNull();
      }),
      { numRuns: runs(2000) },
    );
    for (const range of REFUSED_V4) {
      const first = v4Number(range[0]);
      const last = first + 2 ** (32 - range[1]) - 1;
      for (const n of [first, last]) expect(addressRefusal(v4Text(n)), v4Text(n)).not.toBeNull();
      for (const n of [first - 1, last + 1].filter((m) => m >= 0 && m <= 0xffffffff)) {
        expect(addressRefusal(v4Text(n)) !== null, v4Text(n)).toBe(oracleRefusesV4(n));
      }
    }
  });

  it("judges every IPv6 form that carries an IPv4 address by that address", () => {
    const v4 = fc.oneof(
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.constantFrom(...REFUSED_V4).chain((r) => fc.integer({ min: 0, max: 2 ** (32 - r[1]) - 1 }).map((o) => v4Number(r[0]) + o)),
    );
    const group = fc.integer({ min: 0, max: 0xffff });
    fc.assert(
      fc.property(v4, v4, fc.array(group, { minLength: 5, maxLength: 5 }), (a, server, rest) => {
        const refused = oracleRefusesV4(a);
        const forms = {
          mapped: v6([0, 0, 0, 0, 0, 0xffff, high(a), low(a)]),
          mappedDotted: `::ffff:${v4Text(a)}`,
          translated: v6([0, 0, 0, 0, 0xffff, 0, high(a), low(a)]),
          nat64: v6([0x64, 0xff9b, 0, 0, 0, 0, high(a), low(a)]),
          sixToFour: v6([0x2002, high(a), low(a), ...rest]),
          teredoClient: v6([0x2001, 0, high(server), low(server), rest[0]!, rest[1]!, high(a) ^ 0xffff, low(a) ^ 0xffff]),
        };
        for (const [form, address] of Object.entries(forms)) {
          const expected = form === "teredoClient" ? refused || oracleRefusesV4(server) : refused;
          expect(addressRefusal(address) !== null, `${form} ${address} of ${v4Text(a)}`).toBe(expected);
        }
        // ::a.b.c.d, the deprecated IPv4-compatible form; :: and ::1 are refused in their own right.
        expect(addressRefusal(v6([0, 0, 0, 0, 0, 0, high(a), low(a)])) !== null, `::${v4Text(a)}`).toBe(refused);
      }),
      { numRuns: runs(2000) },
    );
  });

  it("lets global unicast IPv6 through and refuses everything outside 2000::/3", () => {
    const group = fc.integer({ min: 0, max: 0xffff });
    // 2000::/3 less the special ranges inside it: 2001::/16 (IETF assignments, Teredo, documentation),
    // 2002::/16 (6to4, judged by its IPv4), 2620:4f:8000::/48 (AS112) and 3fff::/20 (documentation).
    const special = (g: number[]) =>
      g[0] === 0x2001 || g[0] === 0x2002 || (g[0] === 0x2620 && g[1] === 0x4f && g[2] === 0x8000) || (g[0]! & 0xfff0) === 0x3ff0;
    const global = fc
      .array(group, { minLength: 7, maxLength: 7 })
      .chain((rest) => fc.integer({ min: 0x2000, max: 0x3fff }).map((first) => [first, ...rest]))
      .filter((g) => !special(g));
    fc.assert(
      fc.property(global, (g) => {
        expect(addressRefusal(v6(g)), v6(g)).toBeNull();
      }),
      { numRuns: runs(2000) },
    );
    // Outside 2000::/3, less the prefixes that carry IPv4 (::/96, ::ffff:0:0/96, ::ffff:0:0:0/96, 64:ff9b::/96).
    const carriesV4 = (g: number[]) =>
      (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && (g[4] === 0 || g[4] === 0xffff)) ||
      (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0);
    const outside = fc.array(group, { minLength: 8, maxLength: 8 }).filter((g) => (g[0]! & 0xe000) !== 0x2000 && !carriesV4(g));
    fc.assert(
      fc.property(outside, (g) => {
        expect(addressRefusal(v6(g)), v6(g)).not.toBeNull();
      }),
      { numRuns: runs(2000) },
    );
  });
});

describe("hostRefusal: what a URL's host says before any lookup", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1 is a loopback address"],
    ["0x7f.1", "127.0.0.1 is a loopback address"],
    ["2130706433", "127.0.0.1 is a loopback address"],
    ["0177.0.0.1", "127.0.0.1 is a loopback address"],
    ["127.0.0.1.", "127.0.0.1 is a loopback address"],
    ["[::1]", "::1 is a loopback address"],
    ["[::ffff:7f00:1]", "::ffff:7f00:1 is an IPv4-mapped form of 127.0.0.1, a loopback address"],
    ["localhost", "localhost is a name for this machine"],
    ["LocalHost.", "localhost is a name for this machine"],
    ["news.localhost", "news.localhost is a name for this machine"],
  ])("refuses %s", (host, reason) => {
    expect(hostRefusal(host)).toBe(reason);
  });

  it.each(["8.8.8.8", "[2606:4700:4700::1111]", "wire.example", "localhost.example.com", "mylocalhost", "10.0.0.256"])(
    "leaves %s to the lookup",
    (host) => {
      expect(hostRefusal(host)).toBeNull();
    },
  );

  it("judges hosts as the URL parser writes them", () => {
    for (const url of [
      "http://[::ffff:127.0.0.1]/",
      "http://[0:0:0:0:0:0:0:1]/",
      "http://0x7f000001/",
      "http://LocalHost./",
      "http://[::ffff:0:7f00:1]/",
    ]) {
      expect(hostRefusal(new URL(url).hostname), url).not.toBeNull();
    }
  });
});

/** A resolver answering from a table, counting the lookups of each name. */
function tableResolver(table: Record<string, string[]>) {
  const lookups: string[] = [];
  const resolve: Resolver = (hostname, options, callback) => {
    lookups.push(hostname);
    const addresses = table[hostname];
    if (!addresses) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }), []);
    const answer: LookupAddress[] = addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
    callback(null, options.family ? answer.filter((a) => a.family === options.family) : answer);
  };
  return { resolve, lookups };
}

describe("checkedLookup: the lookup net and tls are given", () => {
  const { resolve } = tableResolver({
    "public.example": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    "inside.example": ["127.0.0.1"],
    "mixed.example": ["93.184.216.34", "10.0.0.5"],
    "mapped.example": ["::ffff:169.254.169.254"],
  });
  const lookup = checkedLookup(resolve);
  const ask = (host: string, options: { all?: boolean; family?: number }) =>
    new Promise<{ error: Error | null; address: unknown; family: unknown }>((done) =>
      lookup(host, options, (error, address, family) => done({ error, address, family })),
    );

  it("answers every address when asked for all, and the first when asked for one", async () => {
    expect(await ask("public.example", { all: true })).toEqual({
      error: null,
      address: [
        { address: "93.184.216.34", family: 4 },
        { address: "2606:2800:220:1:248:1893:25c8:1946", family: 6 },
      ],
      family: undefined,
    });
    expect(await ask("public.example", {})).toEqual({ error: null, address: "93.184.216.34", family: 4 });
    expect(await ask("public.example", { family: 6 })).toEqual({ error: null, address: "2606:2800:220:1:248:1893:25c8:1946", family: 6 });
  });

  it.each([
    ["inside.example", "inside.example resolves to 127.0.0.1, a loopback address; refused"],
    ["mixed.example", "mixed.example resolves to 10.0.0.5, a private address; refused"],
    [
      "mapped.example",
      "mapped.example resolves to ::ffff:169.254.169.254, an IPv4-mapped form of 169.254.169.254, a link-local address; refused",
    ],
  ])("refuses %s in both forms", async (host, message) => {
    for (const options of [{ all: true }, {}]) {
      const { error } = await ask(host, options);
      expect(error).toBeInstanceOf(AddressRefused);
      expect(error!.message).toBe(message);
    }
  });

  it("passes a failed lookup on", async () => {
    const { error } = await ask("nowhere.example", {});
    expect(error!.message).toBe("getaddrinfo ENOTFOUND nowhere.example");
  });
});

let server: Server;
let port: number;
const hits: string[] = [];
const SECRET_FEED =
  `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Inside</title><link>http://inside.example/</link>` +
  `<description>internal</description><item><guid isPermaLink="false">secret-1</guid><title>Internal only</title>` +
  `<link>http://inside.example/1</link><description>secret</description><pubDate>Thu, 19 Nov 2026 09:00:00 +0900</pubDate></item></channel></rss>`;

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? "/";
    hits.push(path);
    if (path === "/feed") return response.writeHead(302, { Location: `http://inside.example:${port}/secret` }).end();
    if (path === "/feed-to-literal") return response.writeHead(302, { Location: `http://127.0.0.1:${port}/secret` }).end();
    if (path === "/secret") return response.writeHead(200, { "Content-Type": "application/rss+xml" }).end(SECRET_FEED);
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("checkedFetch: connections to public addresses only", () => {
  it.each([
    ["a loopback literal", () => `http://127.0.0.1:${port}/secret`, "127.0.0.1 is a loopback address; refused"],
    ["localhost", () => `http://localhost:${port}/secret`, "localhost is a name for this machine; refused"],
    [
      "a name resolving to loopback",
      () => `http://inside.example:${port}/secret`,
      "inside.example resolves to 127.0.0.1, a loopback address; refused",
    ],
  ])("refuses %s without sending a request", async (_label, url, message) => {
    const { resolve, lookups } = tableResolver({ "inside.example": ["127.0.0.1"] });
    const before = hits.length;
    const error = await checkedFetch(resolve)(url()).then(
      () => expect.unreachable("the fetch should have been refused"),
      (e: unknown) => e as Error,
    );
    expect(error.cause).toBeInstanceOf(AddressRefused);
    expect((error.cause as Error).message).toBe(message);
    expect(hits.slice(before)).toEqual([]);
    expect(lookups).toEqual(url().includes("inside.example") ? ["inside.example"] : []);
  });
});

describe("an ingest run whose upstream redirects to a name resolving to loopback", () => {
  const setup = (source: ReturnType<typeof feedSource>, resolve: Resolver) => {
    const store = openSqliteStore(":memory:");
    const site = testSite();
    site.settings.sources = [source];
    return { store, site, deps: ingestDeps(store, site, undefined, { fetch, fetchChecked: checkedFetch(resolve), content: undefined }) };
  };

  it("fetches the operator's loopback URL as written, refuses the redirect, stores nothing, and reports the source failed", async () => {
    const { resolve, lookups } = tableResolver({ "inside.example": ["127.0.0.1"] });
    const { store, site, deps } = setup(feedSource("wire", `http://127.0.0.1:${port}/feed`), resolve);
    const before = hits.length;
    const report = await runIngest(deps);
    expect(report.error).toBeUndefined();
    expect(report.sources[0]).toMatchObject({
      source: "wire",
      status: "failed",
      error: `fetch: http://127.0.0.1:${port}/feed (redirected to http://inside.example:${port}/secret): inside.example resolves to 127.0.0.1, a loopback address; refused`,
    });
    expect(hits.slice(before)).toEqual(["/feed"]);
    expect(lookups).toEqual(["inside.example"]);
    expect(await everyArticle(store, site)).toEqual([]);
  });

  it("refuses a redirect to a loopback literal, and follows it for a source that allows private addresses", async () => {
    const { resolve } = tableResolver({});
    const refused = setup(feedSource("wire", `http://127.0.0.1:${port}/feed-to-literal`), resolve);
    const report = await runIngest(refused.deps);
    expect(report.sources[0]).toMatchObject({
      status: "failed",
      error: `fetch: http://127.0.0.1:${port}/feed-to-literal (redirected to http://127.0.0.1:${port}/secret): 127.0.0.1 is a loopback address; refused`,
    });
    expect(await everyArticle(refused.store, refused.site)).toEqual([]);

    const allowed = setup(feedSource("wire", `http://127.0.0.1:${port}/feed-to-literal`, { allowPrivate: true }), resolve);
    const followed = await runIngest(allowed.deps);
    expect(followed.sources[0]).toMatchObject({ status: "fetched", new: 1 });
    expect((await everyArticle(allowed.store, allowed.site)).map((a) => a.title)).toEqual(["Internal only"]);
  });

  it("goes on to the next source after the refused one", async () => {
    const { resolve } = tableResolver({ "inside.example": ["127.0.0.1"] });
    const { store, site, deps } = setup(feedSource("wire", `http://127.0.0.1:${port}/feed`), resolve);
    site.settings.sources.push(feedSource("direct", `http://127.0.0.1:${port}/secret`));
    const report = await runIngest(deps);
    expect(report.sources.map((s) => [s.source, s.status])).toEqual([
      ["wire", "failed"],
      ["direct", "fetched"],
    ]);
    expect((await everyArticle(store, site)).map((a) => a.source)).toEqual(["feed:direct"]);
  });
});
