/**
 * The real Node entry point (src/runtime/node.ts) as a child process for the hostile tests, and a raw
 * HTTP/1.1 client over a TCP socket, so requests can carry exactly the bytes an attacker sends.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitForOutput } from "../child-output.ts";
import { freePort } from "../ports.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const SERVING = /http: serving .* on http:\/\/127\.0\.0\.1:\d+/;

export interface RunningNode {
  port: number;
  base: string;
  databasePath: string;
  /** stdout and stderr as they arrived, interleaved. */
  log: () => string;
  stop: () => Promise<void>;
}

/** Starts the server on a fresh database over the real content folder; resolves once it serves. */
export async function startNode(env: Record<string, string> = {}): Promise<RunningNode> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "hostile-node-"));
  const databasePath = join(dir, "articles.db");
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/runtime/node.ts"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_PATH: databasePath,
      SITE_URL: `http://127.0.0.1:${port}`,
      CONTENT_DIR: "content",
      INGEST_SCHEDULE: "0 0 1 1 *",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (log += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (log += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForOutput(child, () => log, SERVING, 30_000);
  } catch (error) {
    await stop();
    throw new Error(`hostile: the Node server did not serve: ${(error as Error).message}`, { cause: error });
  }
  return { port, base: `http://127.0.0.1:${port}`, databasePath, log: () => log, stop };
}

export interface RawResponse {
  status: number;
  head: string;
  body: Buffer;
}

/**
 * Sends `request` (bytes exactly as given) on a new connection and reads the first response. `more`
 * writes further bytes after it (a body that keeps coming); `halfClose` ends the client's side right
 * after `request`, as a client that gives up on its upload does. Resolves when the first response is
 * complete (and, with `untilClosed`, the server has closed the connection: the request is over on
 * its side); rejects when the server closes the connection before a complete response.
 */
export function rawRequest(
  port: number,
  request: string | Buffer,
  options: {
    halfClose?: boolean;
    untilClosed?: boolean;
    more?: (write: (chunk: Buffer | string) => boolean) => void;
    timeoutMs?: number;
  } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = Buffer.alloc(0);
    let settled = false;
    let closed = false;
    const finish = () => {
      if (settled) return;
      const parsed = parseResponse(received);
      if (!parsed || (options.untilClosed && !closed)) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parsed);
    };
    const timer = setTimeout(() => {
      settled = true;
      socket.destroy();
      reject(
        new Error(
          `hostile: no complete response within ${options.timeoutMs ?? 20_000} ms; got ${JSON.stringify(received.toString("latin1").slice(0, 300))}`,
        ),
      );
    }, options.timeoutMs ?? 20_000);
    socket.on("data", (chunk) => {
      received = Buffer.concat([received, chunk]);
      finish();
    });
    socket.on("error", () => {
      // A reset after the server answered (it stops reading a body it refused) is expected.
    });
    socket.on("close", () => {
      closed = true;
      finish();
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(
          new Error(
            `hostile: the server closed the connection without a complete response; got ${JSON.stringify(received.toString("latin1").slice(0, 300))}`,
          ),
        );
      }
    });
    socket.write(request);
    options.more?.((chunk) => !socket.destroyed && socket.write(chunk));
    if (options.halfClose) socket.end();
  });
}

/** The first response in `bytes` once complete (Content-Length, chunked, or no body), else null. */
function parseResponse(bytes: Buffer): RawResponse | null {
  const end = bytes.indexOf("\r\n\r\n");
  if (end === -1) return null;
  const head = bytes.subarray(0, end).toString("latin1");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1]);
  const rest = bytes.subarray(end + 4);
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) {
    const n = Number(length[1]);
    return rest.length >= n ? { status, head, body: rest.subarray(0, n) } : null;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const chunks: Buffer[] = [];
    let at = 0;
    for (;;) {
      const line = rest.indexOf("\r\n", at);
      if (line === -1) return null;
      const size = Number.parseInt(rest.subarray(at, line).toString("latin1"), 16);
      if (size === 0) return { status, head, body: Buffer.concat(chunks) };
      if (rest.length < line + 2 + size + 2) return null;
      chunks.push(rest.subarray(line + 2, line + 2 + size));
      at = line + 2 + size + 2;
    }
  }
  return { status, head, body: rest };
}
