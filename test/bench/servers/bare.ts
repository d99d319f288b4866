/**
 * The limit: bare `node:http` answering from memory with bytes read once from files (the same bytes
 * and headers our server sends), 304 for a matching If-None-Match, the first of br or gzip that
 * Accept-Encoding names. Started by the bench as a child process: argv[2] is a manifest (JSON), and
 * the port it listens on is printed as one JSON line.
 */
import { readFileSync } from "node:fs";
import { createServer, type OutgoingHttpHeaders } from "node:http";

/** One document: its files per encoding and the headers sent with it (without Content-Encoding/Length). */
export interface BareDocument {
  files: { identity: string; gzip?: string; br?: string };
  headers: Record<string, string>;
  /** Compared with If-None-Match; without one, every request gets the whole document (no 304). */
  etag?: string;
}

export type BareManifest = Record<string, BareDocument>;

interface Served {
  etag?: string;
  notModified: OutgoingHttpHeaders;
  variants: { encoding: "identity" | "gzip" | "br"; body: Buffer; headers: OutgoingHttpHeaders }[];
}

const manifest = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as BareManifest;
const served = new Map<string, Served>();
for (const [path, doc] of Object.entries(manifest)) {
  const base = { ...doc.headers, ...(doc.etag ? { ETag: doc.etag } : {}) };
  const variants = (["br", "gzip", "identity"] as const).flatMap((encoding) => {
    const file = doc.files[encoding];
    if (!file) return [];
    const body = readFileSync(file);
    const headers = {
      ...base,
      ...(encoding === "identity" ? {} : { "Content-Encoding": encoding }),
      "Content-Length": String(body.byteLength),
    };
    return [{ encoding, body, headers }];
  });
  served.set(path, { etag: doc.etag, notModified: base, variants });
}

const server = createServer((req, res) => {
  const doc = served.get(req.url ?? "");
  if (!doc) {
    res.writeHead(404, { "Content-Length": "0" });
    res.end();
    return;
  }
  if (doc.etag !== undefined && req.headers["if-none-match"] === doc.etag) {
    res.writeHead(304, doc.notModified);
    res.end();
    return;
  }
  const accepted = req.headers["accept-encoding"] ?? "";
  const variant = doc.variants.find((v) => v.encoding === "identity" || accepted.includes(v.encoding))!;
  res.writeHead(200, variant.headers);
  res.end(req.method === "HEAD" ? undefined : variant.body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(JSON.stringify({ port: typeof address === "object" && address ? address.port : 0 }));
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
