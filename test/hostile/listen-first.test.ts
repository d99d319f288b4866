/**
 * The Node server listens at once: its own content folder is loaded first (local and quick), but the
 * upstream sources are read beside the serving server, never in front of it. Here the only upstream
 * takes the request and never answers (the fetch deadline is 20 s), and the server still says it
 * serves, and answers a feed with the content folder's articles, while that request hangs.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../ports.ts";
import {
  copyContent,
  kill,
  rawRequest,
  readFeedItems,
  SERVING,
  spawnServer,
  tempDir,
  waitForLog,
  type Child,
} from "../reliability/harness.ts";

const sockets = new Set<Socket>();
let hanging: Server | undefined;
let server: Child | undefined;
let dir: string | undefined;

afterAll(async () => {
  if (server) await kill(server);
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => (hanging ? hanging.close(() => resolve()) : resolve()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a server whose only upstream never answers", () => {
  it("says it serves, and answers a feed, while the upstream's request is still hanging", { timeout: 60_000 }, async () => {
    let asked!: () => void;
    const requested = new Promise<void>((resolve) => (asked = resolve));
    hanging = createServer(() => asked());
    hanging.on("connection", (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => hanging!.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/feed.xml`;

    dir = tempDir("listen-first");
    const contentDir = copyContent(
      dir,
      `sources:\n  - id: hang\n    kind: feed\n    url: ${url}\n    lang: en\n    section: politics\n    min_interval: 0\n`,
    );
    const port = await freePort();
    server = spawnServer({ port, databasePath: join(dir, "articles.db"), contentDir });
    // Well inside the 20 s a request to the upstream may take: a server that waited for it before
    // listening would say it serves only after that.
    await waitForLog(server, SERVING, 15_000);
    await requested;

    const response = await rawRequest(`http://127.0.0.1:${port}/en/rss.xml`, { timeoutMs: 5_000 });
    expect(response.status).toBe(200);
    expect(readFeedItems("rss.xml", response.body.toString("utf8")).length).toBeGreaterThan(0);
    // The run that reads the upstream has not ended: its report (a line naming the source) is still to come.
    expect(server.log()).not.toContain('"source":"hang"');
    expect(server.log()).toMatch(/^\{"ingest":\[\{"source":"content","status":"loaded"/m);
  });
});
