/**
 * Compression of rendered feeds on Node, in two steps. A new document version gets its gzip (level 6)
 * and brotli (quality 5) forms at once: about 2 ms each for a 41 KB feed, on the main thread for a
 * document up to 64 KB, on libuv's thread pool for a larger one. Its brotli form at quality 11 (about
 * 15% smaller, but 100 to 500 ms) is made later, on one thread of its own, and replaces the first.
 * On the main thread quality 11 would stop every other answer that long; on the thread pool each of
 * the pool's threads keeps the ~14 MB the encoder peaks at (glibc gives each thread its own heap).
 *
 * The quality-11 queue is bounded and keyed: a job names its document's feed (every version), so a
 * newer version of a feed replaces the job of an older one still waiting, in its place in the queue
 * (the older one is dropped); a job for a feed not yet queued is refused while the queue holds
 * MAX_QUEUED jobs or MAX_QUEUED_BYTES of bodies, and asked again by the document's next brotli request.
 * A document meanwhile, or for good when dropped or over MAX_BEST_BYTES, keeps its quality-5 form.
 */
import { Worker } from "node:worker_threads";
import zlib from "node:zlib";
import type { CompressionStats, Compressor } from "../http/feeds/encoding.ts";

/** Brotli quality of a version's first form: the knee of size against time (see docs/decisions.md). */
export const FAST_BROTLI_QUALITY = 5;
/** gzip level of the one gzip form: level 9 makes it 0.1% smaller in half as much time again. */
export const GZIP_LEVEL = 6;
/** Largest document compressed on the main thread (about 2 ms a form); a larger one goes to the thread pool. */
export const INLINE_BYTES = 64 * 1024;
/** Jobs waiting for the quality-11 thread at most: the sample site has 72 subscription documents. */
export const MAX_QUEUED = 64;
/** Bytes of bodies waiting for the quality-11 thread at most. */
export const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
/** Larger documents keep their quality-5 form: quality 11 takes about 2 s a megabyte here. */
export const MAX_BEST_BYTES = 1024 * 1024;

/** The worker's code: plain JavaScript, so it runs the same whether the service runs from .ts or .js. */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const zlib = require("node:zlib");
const { constants } = zlib;
// The lowest priority, for this thread alone (Linux gives each thread its own): a best form is worth
// making only with time the answers do not need.
try { require("node:os").setPriority(19); } catch {}
parentPort.on("message", ({ id, body }) => {
  try {
    const windowBits = Math.min(constants.BROTLI_MAX_WINDOW_BITS, Math.max(16, Math.ceil(Math.log2(body.byteLength + 16))));
    const out = zlib.brotliCompressSync(body, { params: {
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

/** Brotli's window sized to the document: output no larger, less memory. */
function brotliOptions(body: Uint8Array, quality: number): zlib.BrotliOptions {
  const { constants } = zlib;
  const windowBits = Math.min(constants.BROTLI_MAX_WINDOW_BITS, Math.max(16, Math.ceil(Math.log2(body.byteLength + 16))));
  return {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: quality,
      [constants.BROTLI_PARAM_LGWIN]: windowBits,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
    },
  };
}

/** A version's first form of `body`: at once on the main thread when small, else from the thread pool. */
export function compressNow(body: Uint8Array, encoding: "br" | "gzip"): Uint8Array | Promise<Uint8Array> {
  if (body.byteLength <= INLINE_BYTES) {
    return encoding === "gzip"
      ? zlib.gzipSync(body, { level: GZIP_LEVEL })
      : zlib.brotliCompressSync(body, brotliOptions(body, FAST_BROTLI_QUALITY));
  }
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, out: Buffer) => (error ? reject(error) : resolve(out));
    if (encoding === "gzip") zlib.gzip(body, { level: GZIP_LEVEL }, done);
    else zlib.brotliCompress(body, brotliOptions(body, FAST_BROTLI_QUALITY), done);
  });
}

interface Job {
  id: number;
  key: string;
  body: Uint8Array;
  resolve(bytes: Uint8Array | null): void;
  reject(error: Error): void;
  /** The worker it was given to. */
  worker?: Worker;
}

export interface CompressorBounds {
  maxQueued?: number;
  maxQueuedBytes?: number;
  maxBestBytes?: number;
}

/**
 * A compressor (see Compressor in http/feeds/encoding.ts): first forms by compressNow, quality-11
 * brotli by one worker thread, one document at a time, from the bounded queue described above. The
 * worker starts on first use and again after it dies; the job it was doing then fails (its document
 * keeps its first form). `close` stops it and fails what waits.
 */
export function workerCompressor(bounds: CompressorBounds = {}): { compress: Compressor; close(): Promise<void> } {
  const maxQueued = bounds.maxQueued ?? MAX_QUEUED;
  const maxQueuedBytes = bounds.maxQueuedBytes ?? MAX_QUEUED_BYTES;
  const maxBestBytes = bounds.maxBestBytes ?? MAX_BEST_BYTES;
  let worker: Worker | null = null;
  let nextId = 0;
  /** Waiting jobs by key, in the order their feeds first asked (a replacement keeps its place). */
  const queue = new Map<string, Job>();
  let queuedBytes = 0;
  let running: Job | null = null;
  const counts = { peakQueued: 0, made: 0, superseded: 0, refused: 0, failed: 0 };

  const pump = () => {
    if (running || queue.size === 0) return;
    const [key, job] = queue.entries().next().value!;
    queue.delete(key);
    queuedBytes -= job.body.byteLength;
    running = job;
    job.worker = worker ??= start();
    worker.postMessage({ id: job.id, body: job.body });
  };
  const finish = (id: number, outcome: { out?: Uint8Array; error?: Error }) => {
    if (running?.id !== id) return;
    const job = running;
    running = null;
    // A Buffer over the bytes (no copy): what node:http writes without wrapping it on every response.
    if (outcome.out) {
      counts.made++;
      job.resolve(Buffer.from(outcome.out.buffer, outcome.out.byteOffset, outcome.out.byteLength));
    } else {
      counts.failed++;
      job.reject(outcome.error!);
    }
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

  const best = (body: Uint8Array, key: string): Promise<Uint8Array | null> | null => {
    if (body.byteLength > maxBestBytes) {
      counts.refused++;
      return Promise.resolve(null);
    }
    const older = queue.get(key);
    const bytes = queuedBytes - (older?.body.byteLength ?? 0) + body.byteLength;
    if ((older === undefined && queue.size >= maxQueued) || bytes > maxQueuedBytes) {
      counts.refused++;
      return null;
    }
    return new Promise((resolve, reject) => {
      if (older !== undefined) {
        counts.superseded++;
        older.resolve(null);
      }
      // Map.set on a key already there keeps its place: a feed that changes often still gets its turn.
      queue.set(key, { id: nextId++, key, body, resolve, reject });
      queuedBytes = bytes;
      counts.peakQueued = Math.max(counts.peakQueued, queue.size);
      pump();
    });
  };

  const stats = (): CompressionStats => ({
    queued: queue.size,
    queuedBytes,
    running: running !== null,
    maxQueued,
    maxQueuedBytes,
    ...counts,
  });

  const compress: Compressor = Object.assign((body: Uint8Array, encoding: "br" | "gzip") => compressNow(body, encoding), { best, stats });
  return {
    compress,
    async close() {
      const stopping = worker;
      worker = null;
      const waiting = [...queue.values()];
      queue.clear();
      queuedBytes = 0;
      for (const job of waiting) job.reject(new Error("compression stopped"));
      if (stopping) await stopping.terminate();
    },
  };
}
