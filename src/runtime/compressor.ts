/**
 * Compression of rendered feeds on Node, once per feed version, at the strongest settings, on one
 * thread of its own. Brotli at quality 11 takes about 400 ms on a 230 KB feed, so on the main thread
 * it would stop every other answer for that long; on libuv's thread pool each of the pool's threads
 * keeps the ~14 MB the encoder peaks at (glibc gives each thread its own heap), about 35 MB in all.
 * One worker thread, taking one document at a time, keeps neither cost.
 */
import { Worker } from "node:worker_threads";

/** The worker's code: plain JavaScript, so it runs the same whether the service runs from .ts or .js. */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const zlib = require("node:zlib");
const { constants } = zlib;
parentPort.on("message", ({ id, body, encoding }) => {
  try {
    const windowBits = Math.min(constants.BROTLI_MAX_WINDOW_BITS, Math.max(16, Math.ceil(Math.log2(body.byteLength + 16))));
    const out = encoding === "gzip"
      ? zlib.gzipSync(body, { level: 9 })
      : zlib.brotliCompressSync(body, { params: {
          [constants.BROTLI_PARAM_QUALITY]: 11,
          [constants.BROTLI_PARAM_LGWIN]: windowBits,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
        } });
    parentPort.postMessage({ id, out });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

interface Job {
  id: number;
  body: Uint8Array;
  encoding: "br" | "gzip";
  resolve(bytes: Uint8Array): void;
  reject(error: Error): void;
  /** The worker it was given to. */
  worker?: Worker;
}

/**
 * A compressor (see Compressor in http/feeds/encoding.ts) backed by one worker thread, taking one document at a time (brotli's window sized to the
 * document: output no larger, less memory). gzip (a few ms) goes ahead of brotli (hundreds) in the
 * queue, so after an ingest the feeds' gzip forms are ready long before the last brotli one. The
 * worker starts on first use and again after it dies; what it was doing then fails and is tried again
 * by the next request. `close` stops it.
 */
export function workerCompressor(): {
  compress: (body: Uint8Array, encoding: "br" | "gzip") => Promise<Uint8Array>;
  close(): Promise<void>;
} {
  let worker: Worker | null = null;
  let nextId = 0;
  const queue: Job[] = [];
  let running: Job | null = null;

  const pump = () => {
    if (running || queue.length === 0) return;
    running = queue.shift()!;
    running.worker = worker ??= start();
    worker.postMessage({ id: running.id, body: running.body, encoding: running.encoding });
  };
  const finish = (id: number, outcome: { out?: Uint8Array; error?: Error }) => {
    if (running?.id !== id) return;
    const job = running;
    running = null;
    // A Buffer over the bytes (no copy): what node:http writes without wrapping it on every response.
    if (outcome.out) job.resolve(Buffer.from(outcome.out.buffer, outcome.out.byteOffset, outcome.out.byteLength));
    else job.reject(outcome.error!);
    pump();
  };
  const start = (): Worker => {
    const started = new Worker(WORKER_SOURCE, { eval: true });
    started.unref();
    started.on("message", ({ id, out, error }: { id: number; out?: Uint8Array; error?: string }) =>
      finish(id, out ? { out } : { error: new Error(`compression failed: ${error}`) }),
    );
    const lost = (why: string) => {
      if (worker === started) worker = null;
      if (running?.worker === started) finish(running.id, { error: new Error(`compression worker ${why}`) });
    };
    started.on("error", (error) => lost(`failed: ${error.message}`));
    started.on("exit", (code) => lost(`exited (${code})`));
    return started;
  };

  return {
    compress(body, encoding) {
      return new Promise<Uint8Array>((resolve, reject) => {
        const job = { id: nextId++, body, encoding, resolve, reject };
        const firstBrotli = encoding === "gzip" ? queue.findIndex((j) => j.encoding === "br") : -1;
        if (firstBrotli >= 0) queue.splice(firstBrotli, 0, job);
        else queue.push(job);
        pump();
      });
    },
    async close() {
      const stopping = worker;
      worker = null;
      for (const job of queue.splice(0)) job.reject(new Error("compression stopped"));
      if (stopping) await stopping.terminate();
    },
  };
}
