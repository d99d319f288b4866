/**
 * What the outgoing notifications (WebSub publishes, IndexNow pings) share: their options, the verdict
 * of one attempt, and a wait that a deadline cuts short. Each caller keeps its own defaults and loop.
 */

/** How a notifier talks to the outside: every limit has the caller's own default. */
export interface NotifyOptions {
  fetch: typeof fetch;
  /** The clock a Retry-After date is read against. */
  now: () => number;
  /** Waits between attempts; the deadline cuts it short whatever it does. */
  sleep?: (ms: number) => Promise<void>;
  /** Tries per request, the first included. */
  attempts?: number;
  /** Wait before the second try; doubled for each try after it. */
  baseDelayMs?: number;
  /** Longest wait between tries; a Retry-After asking for more ends the retries. */
  maxDelayMs?: number;
  /** Limit on one request, from sending it to reading the verdict. */
  timeoutMs?: number;
  /** Limit on the whole call; what has not finished by then is reported as stopped. */
  deadlineMs?: number;
  userAgent?: string;
}

/** The verdict of one attempt. */
export type Answer =
  { kind: "accepted" } | { kind: "retryable"; reason: string; retryAfterMs: number | null } | { kind: "refused"; reason: string };

/** Waits `ms` (through `sleep` when given), or less if the deadline passes first. */
export function pauseUntil(ms: number, sleep: ((ms: number) => Promise<void>) | undefined, deadline: AbortSignal): Promise<void> {
  if (deadline.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const done = () => {
      if (timer !== null) clearTimeout(timer);
      deadline.removeEventListener("abort", done);
      resolve();
    };
    deadline.addEventListener("abort", done, { once: true });
    if (sleep)
      Promise.resolve()
        .then(() => sleep(ms))
        .then(done, done);
    else timer = setTimeout(done, ms);
  });
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
