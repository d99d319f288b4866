/** WebSub publishing: telling each configured hub which feed URLs changed, with retries, a concurrency bound and a deadline. */
import { joinChunks } from "../model/bytes.ts";
import { parseRetryAfter } from "../model/http-date.ts";
import { abortable } from "./fetch/abortable.ts";
import { describeError } from "./fetch/errors.ts";
import { pauseUntil, plural, type Answer, type NotifyOptions } from "./retry.ts";

/** What became of one (hub, topic) publish. */
export interface PublishResult {
  hub: string;
  topic: string;
  /** The hub answered 2xx. */
  ok: boolean;
  /** Requests sent (or begun) for this pair; 0 when the pair was never sent. */
  attempts: number;
  /** Why the hub was not told, starting `websub:`; absent when `ok`. */
  error?: string;
}

/** Defaults: 3 attempts, 500 ms first backoff, 5 000 ms longest wait, 10 000 ms per request, 30 000 ms in all. */
export type PublishOptions = NotifyOptions;

/** Requests in flight at once, across every hub and topic of one call. */
const MAX_CONCURRENT_REQUESTS = 4;
/** How much of a refusing hub's body goes into the error: enough for its one-line reason. */
const ERROR_BODY_BYTES = 1024;
const ERROR_BODY_CHARS = 200;

interface Job {
  hub: string;
  topic: string;
  attempts: number;
  /** The latest failed attempt's reason, for a job the deadline stops. */
  lastReason: string | null;
  /** Set only while the deadline has not passed, so a late settlement never overwrites "stopped". */
  result: PublishResult | null;
}

interface Settings {
  fetchImpl: typeof fetch;
  now: () => number;
  sleep: ((ms: number) => Promise<void>) | undefined;
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
  deadlineMs: number;
  userAgent: string | undefined;
  deadline: AbortSignal;
  slot: <T>(task: () => Promise<T>) => Promise<T>;
}

/**
 * Tells each WebSub hub (https://www.w3.org/TR/websub/#publishing) that `topics` changed: `POST hub` with
 * `application/x-www-form-urlencoded` body `hub.mode=publish&hub.url=<topic>` (one request per topic and hub,
 * the form that hubs accept in practice), 2xx = accepted. Retries a failed request (network error, timeout,
 * 5xx, 429 — honouring Retry-After up to maxDelayMs) with exponential backoff from baseDelayMs, up to `attempts`
 * tries; 4xx other than 429 is not retried, nor is a redirect (following one would turn the POST into a GET).
 * Repeated hubs and topics are sent once. Hubs and topics are handled concurrently (bounded to 4 requests at
 * once); the whole call never throws and never takes longer than `deadlineMs`. Results come hub by hub, in the
 * order given.
 */
export async function publishToHubs(hubs: readonly string[], topics: readonly string[], options: PublishOptions): Promise<PublishResult[]> {
  const deadlineMs = options.deadlineMs ?? 30_000;
  const deadlinePassed = AbortSignal.timeout(deadlineMs);
  const finished = new AbortController();
  // Aborted at the deadline, or once every job is done: either way nothing may still be in flight.
  const deadline = AbortSignal.any([deadlinePassed, finished.signal]);
  const settings: Settings = {
    // Called as a plain function: Workers' fetch throws "Illegal invocation" when called as a method of `options`.
    fetchImpl: options.fetch,
    now: options.now,
    sleep: options.sleep,
    attempts: Math.max(1, Math.floor(options.attempts ?? 3)),
    baseDelayMs: Math.max(0, options.baseDelayMs ?? 500),
    maxDelayMs: Math.max(0, options.maxDelayMs ?? 5000),
    timeoutMs: options.timeoutMs ?? 10_000,
    deadlineMs,
    userAgent: options.userAgent,
    deadline,
    slot: limiter(MAX_CONCURRENT_REQUESTS),
  };

  const jobs: Job[] = [];
  const seen = new Set<string>();
  for (const hub of hubs) {
    for (const topic of topics) {
      const key = `${hub}\n${topic}`;
      if (seen.has(key)) continue;
      seen.add(key);
      jobs.push({ hub, topic, attempts: 0, lastReason: null, result: null });
    }
  }
  if (jobs.length === 0) return [];

  const timeUp = new Promise<void>((resolve) => deadlinePassed.addEventListener("abort", () => resolve(), { once: true }));
  try {
    await Promise.race([Promise.all(jobs.map((job) => runJob(job, settings))), timeUp]);
  } finally {
    finished.abort();
  }
  return jobs.map((job) => job.result ?? stopped(job, deadlineMs));
}

/**
 * One runtime's announcements, so that writes cannot pile publishes up: at most one publish is under
 * way; topics changed meanwhile wait together in one set (at most every feed in every format) and go out
 * in the next publish, and each caller gets the results of its own topics from the publish that sent them.
 */
export class Announcements {
  #waiting = new Set<string>();
  #next: Promise<PublishResult[]> | null = null;
  #current: Promise<unknown> = Promise.resolve();

  /** What became of `topics`, published by `send` alone or together with others waiting. */
  publish(topics: readonly string[], send: (topics: string[]) => Promise<PublishResult[]>): Promise<PublishResult[]> {
    for (const topic of topics) this.#waiting.add(topic);
    this.#next ??= this.#current.then(() => {
      const batch = [...this.#waiting];
      this.#waiting.clear();
      this.#next = null;
      const sent = send(batch);
      this.#current = sent.catch(() => undefined);
      return sent;
    });
    const mine = new Set(topics);
    return this.#next.then((results) => results.filter((result) => mine.has(result.topic)));
  }
}

/** One (hub, topic) pair from first try to outcome; records its result and never rejects. */
async function runJob(job: Job, settings: Settings): Promise<void> {
  const finish = (result: Omit<PublishResult, "hub" | "topic" | "attempts">) => {
    if (!settings.deadline.aborted) job.result = { hub: job.hub, topic: job.topic, attempts: job.attempts, ...result };
  };
  const fail = (reason: string) => finish({ ok: false, error: `websub: hub ${job.hub}: publishing ${job.topic}: ${reason}` });

  if (!isHttpUrl(job.hub))
    return void finish({ ok: false, error: `websub: hub "${job.hub}" is not an absolute http(s) URL; not contacted` });
  if (!isHttpUrl(job.topic)) return void fail(`the topic is not an absolute http(s) URL; not sent`);

  try {
    for (let attempt = 1; ; attempt++) {
      const answer = await settings.slot(async (): Promise<Answer | null> => {
        if (settings.deadline.aborted) return null;
        job.attempts = attempt;
        return publishOnce(job.hub, job.topic, settings);
      });
      if (answer === null) return;
      if (answer.kind === "accepted") return void finish({ ok: true });
      if (answer.kind === "refused") return void fail(`${answer.reason}; not retried`);
      job.lastReason = answer.reason;
      if (attempt >= settings.attempts) return void fail(`no success in ${plural(attempt, "attempt")}; the last: ${answer.reason}`);

      const backoffMs = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
      if (answer.retryAfterMs !== null && answer.retryAfterMs > settings.maxDelayMs) {
        return void fail(
          `${answer.reason} asking to retry after ${answer.retryAfterMs} ms, longer than the ${settings.maxDelayMs} ms this run waits; ` +
            `gave up after ${plural(attempt, "attempt")}`,
        );
      }
      await pause(Math.max(backoffMs, answer.retryAfterMs ?? 0), settings);
      if (settings.deadline.aborted) return;
    }
  } catch (error) {
    fail(`unexpected failure: ${describeError(error)}`);
  }
}

/** One POST to the hub, read only as far as its verdict. */
async function publishOnce(hub: string, topic: string, settings: Settings): Promise<Answer> {
  const headers = new Headers({ "Content-Type": "application/x-www-form-urlencoded" });
  if (settings.userAgent) headers.set("User-Agent", settings.userAgent);
  const body = new URLSearchParams([
    ["hub.mode", "publish"],
    ["hub.url", topic],
  ]).toString();

  const timeout = AbortSignal.timeout(settings.timeoutMs);
  const finished = new AbortController();
  const signal = AbortSignal.any([timeout, settings.deadline, finished.signal]);

  try {
    let response: Response;
    try {
      const { fetchImpl } = settings;
      response = await abortable(fetchImpl(hub, { method: "POST", headers, body, redirect: "manual", signal }), signal);
    } catch (error) {
      const reason = timeout.aborted ? `no response within ${settings.timeoutMs} ms` : `request failed: ${describeError(error)}`;
      return { kind: "retryable", reason, retryAfterMs: null };
    }
    const { status } = response;
    if (status >= 200 && status <= 299) {
      response.body?.cancel().catch(() => {});
      return { kind: "accepted" };
    }
    const answered = `the hub answered HTTP ${status}${response.statusText ? ` ${response.statusText}` : ""}`;
    if (status >= 300 && status <= 399) {
      response.body?.cancel().catch(() => {});
      const location = response.headers.get("location");
      const target = location === null ? "" : ` to ${location}`;
      return { kind: "refused", reason: `${answered}, a redirect${target}; WEBSUB_HUBS should name the hub's final URL` };
    }
    const excerpt = await bodyExcerpt(response, signal);
    const reason = excerpt ? `${answered} ("${excerpt}")` : answered;
    if (status === 429 || status >= 500) {
      return { kind: "retryable", reason, retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), settings.now()) };
    }
    return { kind: "refused", reason };
  } finally {
    finished.abort();
  }
}

/** The start of a refusal's body, on one line: hubs put their reason there. Empty when there is none or it cannot be read. */
export async function bodyExcerpt(response: Response, signal: AbortSignal): Promise<string> {
  if (response.body === null) return "";
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < ERROR_BODY_BYTES) {
      const chunk = await abortable(reader.read(), signal);
      if (chunk.done) break;
      chunks.push(chunk.value);
      total += chunk.value.byteLength;
    }
  } catch {
    // Whatever arrived before the failure is still worth showing.
  } finally {
    reader.cancel().catch(() => {});
  }
  const text = new TextDecoder().decode(joinChunks(chunks, total).subarray(0, ERROR_BODY_BYTES)).replace(/\s+/g, " ").trim();
  return text.length > ERROR_BODY_CHARS ? `${text.slice(0, ERROR_BODY_CHARS)}…` : text;
}

function stopped(job: Job, deadlineMs: number): PublishResult {
  const progress = job.attempts === 0 ? "before the first attempt" : `after ${plural(job.attempts, "attempt")}`;
  const last = job.lastReason === null ? "" : `; the last failure: ${job.lastReason}`;
  return {
    hub: job.hub,
    topic: job.topic,
    ok: false,
    attempts: job.attempts,
    error: `websub: hub ${job.hub}: publishing ${job.topic}: stopped by the ${deadlineMs} ms deadline ${progress}${last}`,
  };
}

/** Waits `ms`, or less if the deadline passes first. */
function pause(ms: number, { sleep, deadline }: Settings): Promise<void> {
  return pauseUntil(ms, sleep, deadline);
}

/** Runs tasks with at most `size` of them at once, the rest in arrival order. */
function limiter(size: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (active < size) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      // A released place passes straight to the next waiter, so `active` counts it still.
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}
