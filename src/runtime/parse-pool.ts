/**
 * Reading untrusted documents on Node, off the event loop: a DocumentReader (src/ingest/reader.ts)
 * backed by one worker thread with V8 resource limits and a deadline per job. A job that runs past its
 * deadline, or whose heap reaches the cap, has its worker terminated; it fails with the reason, and the
 * next job gets a new worker. The HTTP server's thread only copies the text in and the plain result out.
 */
import { Worker } from "node:worker_threads";
import { UpstreamError } from "../ingest/formats/detect.ts";
import { ITEMS_PER_JOB, type DocumentReader } from "../ingest/reader.ts";
import type { Normalized } from "../ingest/normalize.ts";
import type { ParseJob, ParseReply } from "./parse-protocol.ts";

/** Items normalized in one job of the worker: a few hundred ms of work for ordinary items. */
export const NORMALIZE_CHUNK = ITEMS_PER_JOB;
/** The bounds of each job, and of the worker that runs it. */
export interface ParseLimits {
  /** Time one job (a document's parse, or the normalizing of its items) may take once its worker holds it. */
  deadlineMs: number;
  /** V8's old generation (most of the heap) of the worker. */
  maxOldGenerationSizeMb: number;
  /** V8's young generation of the worker. */
  maxYoungGenerationSizeMb: number;
  /** The worker's stack; deep recursion fails the job with a RangeError instead. */
  stackSizeMb: number;
  /** An idle worker is stopped after this long, giving its heap back; the next job starts another. */
  idleMs: number;
}

export const PARSE_LIMITS: ParseLimits = {
  deadlineMs: 5_000,
  maxOldGenerationSizeMb: 128,
  maxYoungGenerationSizeMb: 16,
  stackSizeMb: 4,
  idleMs: 30_000,
};

/** A worker that has not said it is ready after this long (its code failed to load) fails what waits for it. */
const START_TIMEOUT_MS = 60_000;

/** A job's message without its id (given when it is sent). */
type Work = ParseJob extends infer J ? (J extends ParseJob ? Omit<J, "id"> : never) : never;

interface Job {
  work: Work;
  /** Names the work in errors: `parse: <url>` or `normalize: <n> items from <source>`. */
  label: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Running {
  worker: Worker;
  ready: boolean;
  job: (Job & { id: number }) | null;
  timer?: NodeJS.Timeout;
}

export interface WorkerReader extends DocumentReader {
  limits: ParseLimits;
  close(): Promise<void>;
}

/** A DocumentReader whose work runs in a worker thread under `limits`, one job at a time, in order. */
export function workerReader(overrides: Partial<ParseLimits> = {}): WorkerReader {
  const limits: ParseLimits = { ...PARSE_LIMITS, ...overrides };
  const queue: Job[] = [];
  let current: Running | null = null;
  let nextId = 1;
  let idleTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const stop = (running: Running) => {
    clearTimeout(running.timer);
    if (current === running) current = null;
    void running.worker.terminate();
  };

  /** Ends the running job with `error`, stops its worker, and goes on with the next job. */
  const fail = (running: Running, error: Error) => {
    const job = running.job;
    running.job = null;
    stop(running);
    job?.reject(error);
    if (!running.ready) for (const waiting of queue.splice(0)) waiting.reject(error);
    pump();
  };

  const start = (): Running => {
    const worker = spawnWorker(limits);
    worker.unref();
    const running: Running = { worker, ready: false, job: null };
    running.timer = setTimeout(
      () => fail(running, new Error(`parse: the parse worker did not start within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    ).unref();
    worker.on("message", (reply: ParseReply) => {
      if ("ready" in reply) {
        clearTimeout(running.timer);
        running.ready = true;
        pump();
        return;
      }
      const job = running.job;
      if (!job || job.id !== reply.id) return;
      clearTimeout(running.timer);
      running.job = null;
      if ("error" in reply)
        job.reject(reply.error.name === "UpstreamError" ? new UpstreamError(reply.error.message) : new Error(reply.error.message));
      else job.resolve(reply.result);
      pump();
    });
    worker.on("error", (error: Error & { code?: string }) => {
      const what = running.job?.label ?? "parse";
      fail(
        running,
        new Error(
          error.code === "ERR_WORKER_OUT_OF_MEMORY"
            ? `${what}: parsing needed more than ${limits.maxOldGenerationSizeMb} MB; stopped`
            : `${what}: the parse worker failed: ${error.message}`,
        ),
      );
    });
    worker.on("exit", (code) => {
      if (current === running) fail(running, new Error(`${running.job?.label ?? "parse"}: the parse worker exited (${code})`));
    });
    return running;
  };

  const pump = () => {
    if (closed) return;
    clearTimeout(idleTimer);
    if (queue.length === 0) {
      if (current && !current.job) {
        const idle = current;
        idleTimer = setTimeout(() => {
          if (idle === current && !idle.job) stop(idle);
        }, limits.idleMs).unref();
      }
      return;
    }
    current ??= start();
    const running = current;
    if (!running.ready || running.job) return;
    const job = { ...queue.shift()!, id: nextId++ };
    running.job = job;
    running.timer = setTimeout(
      () => fail(running, new Error(`${job.label}: parsing took longer than ${limits.deadlineMs} ms; stopped`)),
      limits.deadlineMs,
    );
    try {
      running.worker.postMessage({ ...job.work, id: job.id } satisfies ParseJob);
    } catch (error) {
      // Not plain data (a DataCloneError): this job alone fails, and the worker never saw it.
      clearTimeout(running.timer);
      running.job = null;
      job.reject(error as Error);
      pump();
    }
  };

  const submit = <T>(label: string, work: Work): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (closed) {
        reject(new Error(`${label}: the parse worker is stopped`));
        return;
      }
      queue.push({ work, label, resolve, reject });
      pump();
    });

  return {
    limits,
    parse: (text, contentType, url) => submit(`parse: ${url}`, { kind: "parse", text, contentType, url }),
    open: (text, contentType, url) => submit(`parse: ${url}`, { kind: "open", text, contentType, url, perPart: ITEMS_PER_JOB }),
    // Each part of a long document is a job of its own: its parse and its items, under one deadline.
    readPart: (text, contentType, url, source, site, nowMs, first) =>
      submit(`parse: ${url}, the part from item ${first + 1}`, {
        kind: "part",
        text,
        contentType,
        url,
        source,
        site: { settings: site.settings, siteUrl: site.siteUrl },
        nowMs,
      }),
    // A document's items go in chunks, each a job with its own deadline: 10 000 ordinary items take
    // seconds in all, which one deadline meant for one runaway document must not cut.
    normalize: async (items, source, site, nowMs) => {
      const chunks: (typeof items)[] = [];
      for (let start = 0; start < items.length; start += NORMALIZE_CHUNK) chunks.push(items.slice(start, start + NORMALIZE_CHUNK));
      if (chunks.length === 0) chunks.push([]);
      const label = (chunk: typeof items, n: number) =>
        chunks.length === 1
          ? `normalize: ${chunk.length === 1 ? "1 item" : `${chunk.length} items`} from ${source.name}`
          : `normalize: items ${n * NORMALIZE_CHUNK + 1}-${n * NORMALIZE_CHUNK + chunk.length} of ${items.length} from ${source.name}`;
      const done = await Promise.all(
        chunks.map((chunk, n) =>
          submit<Normalized[]>(label(chunk, n), {
            kind: "normalize",
            items: chunk,
            source,
            site: { settings: site.settings, siteUrl: site.siteUrl },
            nowMs,
          }),
        ),
      );
      return done.flat();
    },
    async close() {
      closed = true;
      clearTimeout(idleTimer);
      const stopping = current;
      current = null;
      for (const job of queue.splice(0)) job.reject(new Error("parse: the parse worker is stopped"));
      if (stopping) {
        clearTimeout(stopping.timer);
        stopping.job?.reject(new Error("parse: the parse worker is stopped"));
        await stopping.worker.terminate();
      }
    },
  };
}

/**
 * The worker thread, from the built `parse-worker.js` beside the bundle (`npm start`), or from
 * `parse-worker.ts` under tsx or vitest, where the thread registers tsx's loader before importing it
 * (a worker does not inherit its parent's module hooks).
 */
function spawnWorker(limits: ParseLimits): Worker {
  const resourceLimits = {
    maxOldGenerationSizeMb: limits.maxOldGenerationSizeMb,
    maxYoungGenerationSizeMb: limits.maxYoungGenerationSizeMb,
    stackSizeMb: limits.stackSizeMb,
  };
  const here = import.meta.url;
  if (!here.endsWith(".ts")) return new Worker(new URL("./parse-worker.js", here), { resourceLimits });
  const tsx = import.meta.resolve("tsx/esm/api");
  const entry = new URL("./parse-worker.ts", here).href;
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, resourceLimits });
}
