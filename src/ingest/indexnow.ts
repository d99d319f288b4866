/** IndexNow (https://www.indexnow.org/documentation): telling search engines which of the site's pages changed, one JSON POST per endpoint and batch. */
import type { IndexNowSettings } from "../config/env.ts";
import { parseRetryAfter } from "../model/http-date.ts";
import { abortable } from "./fetch/abortable.ts";
import { describeError } from "./fetch/errors.ts";
import { pauseUntil, plural, type Answer, type NotifyOptions } from "./retry.ts";
import { bodyExcerpt } from "./websub.ts";

/** URLs in one request at most, as the protocol allows. */
export const INDEXNOW_BATCH = 10_000;

/** What a run or a push told IndexNow: the URLs, the requests made, and each request that failed, with why. */
export interface IndexNowReport {
  /** URLs sent, each to every endpoint. */
  urls: number;
  /** Requests that succeeded (one per endpoint and batch of 10 000). */
  sent: number;
  failed: { endpoint: string; urls: number; error: string }[];
}

/** Defaults: 3 attempts, 1 000 ms first backoff, 10 000 ms longest wait, 15 000 ms per request, 60 000 ms in all. */
export type IndexNowOptions = NotifyOptions;

/** What each refusal means, from the protocol's table of responses. */
const MEANINGS: Record<number, string> = {
  400: "the request was not understood",
  403: `the key was not accepted: the key file at keyLocation must answer 200 with the key`,
  422: "a URL is not on the host, or the key does not match the host",
};

/**
 * Sends `urls` (absolute URLs on the site's host) to every endpoint: `POST` with a JSON body of `host`,
 * `key`, `keyLocation` and `urlList`, at most 10 000 URLs a request. 200 and 202 are accepted; a network
 * error, a timeout, 429 or 5xx is retried with exponential backoff, honouring Retry-After up to
 * `maxDelayMs`; any other answer (400, 403, 422, a redirect) is reported and not retried. Endpoints are
 * told at once, each one's batches in turn. Never throws; never takes longer than `deadlineMs`.
 */
export async function sendToIndexNow(
  settings: IndexNowSettings,
  siteUrl: string,
  urls: readonly string[],
  options: IndexNowOptions,
): Promise<IndexNowReport> {
  const unique = [...new Set(urls)];
  const report: IndexNowReport = { urls: unique.length, sent: 0, failed: [] };
  if (unique.length === 0) return report;
  const deadlineMs = options.deadlineMs ?? 60_000;
  const deadline = AbortSignal.timeout(deadlineMs);
  const batches: string[][] = [];
  for (let i = 0; i < unique.length; i += INDEXNOW_BATCH) batches.push(unique.slice(i, i + INDEXNOW_BATCH));
  const base = { host: new URL(siteUrl).host, key: settings.key, keyLocation: `${siteUrl}/${settings.key}.txt` };

  await Promise.all(
    settings.endpoints.map(async (endpoint) => {
      for (const urlList of batches) {
        const error = await sendBatch(endpoint, JSON.stringify({ ...base, urlList }), options, deadline, deadlineMs);
        if (error === null) report.sent++;
        else report.failed.push({ endpoint, urls: urlList.length, error: `indexnow: ${endpoint}: ${urlList.length} URLs: ${error}` });
      }
    }),
  );
  return report;
}

/** One request with its retries: null once accepted, else why not. */
async function sendBatch(endpoint: string, body: string, options: IndexNowOptions, deadline: AbortSignal, deadlineMs: number) {
  const attempts = Math.max(1, Math.floor(options.attempts ?? 3));
  const baseDelayMs = Math.max(0, options.baseDelayMs ?? 1000);
  const maxDelayMs = Math.max(0, options.maxDelayMs ?? 10_000);
  let last = "";
  for (let attempt = 1; ; attempt++) {
    if (deadline.aborted) return stopped(deadlineMs, attempt - 1, last);
    let answer: Answer;
    try {
      answer = await postOnce(endpoint, body, options, deadline);
    } catch (error) {
      return `unexpected failure: ${describeError(error)}`;
    }
    if (answer.kind === "accepted") return null;
    if (answer.kind === "refused") return `${answer.reason}; not retried`;
    last = answer.reason;
    if (deadline.aborted) return stopped(deadlineMs, attempt, last);
    if (attempt >= attempts) return `no success in ${plural(attempt, "attempt")}; the last: ${last}`;
    if (answer.retryAfterMs !== null && answer.retryAfterMs > maxDelayMs) {
      return `${last} asking to retry after ${answer.retryAfterMs} ms, longer than the ${maxDelayMs} ms a run waits; gave up after ${plural(attempt, "attempt")}`;
    }
    await pauseUntil(Math.max(Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)), answer.retryAfterMs ?? 0), options.sleep, deadline);
  }
}

/** One POST, read only as far as its verdict. */
async function postOnce(endpoint: string, body: string, options: IndexNowOptions, deadline: AbortSignal): Promise<Answer> {
  const headers = new Headers({ "Content-Type": "application/json; charset=utf-8" });
  if (options.userAgent) headers.set("User-Agent", options.userAgent);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const finished = new AbortController();
  const signal = AbortSignal.any([timeout, deadline, finished.signal]);
  try {
    let response: Response;
    try {
      // Called as a plain function: Workers' fetch throws "Illegal invocation" when called as a method of `options`.
      const fetchImpl = options.fetch;
      response = await abortable(fetchImpl(endpoint, { method: "POST", headers, body, redirect: "manual", signal }), signal);
    } catch (error) {
      const reason = timeout.aborted ? `no response within ${timeoutMs} ms` : `request failed: ${describeError(error)}`;
      return { kind: "retryable", reason, retryAfterMs: null };
    }
    const { status } = response;
    if (status === 200 || status === 202) {
      response.body?.cancel().catch(() => {});
      return { kind: "accepted" };
    }
    const answered = `the endpoint answered HTTP ${status}${response.statusText ? ` ${response.statusText}` : ""}`;
    if (status >= 300 && status <= 399) {
      response.body?.cancel().catch(() => {});
      return { kind: "refused", reason: `${answered}, a redirect; INDEXNOW_ENDPOINTS should name the endpoint's final URL` };
    }
    const excerpt = await bodyExcerpt(response, signal);
    const meaning = MEANINGS[status];
    const reason = `${answered}${meaning ? ` (${meaning})` : ""}${excerpt ? `: "${excerpt}"` : ""}`;
    if (status === 429 || status >= 500) {
      return { kind: "retryable", reason, retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), options.now()) };
    }
    return { kind: "refused", reason };
  } finally {
    finished.abort();
  }
}

function stopped(deadlineMs: number, attempts: number, last: string): string {
  return `stopped by the ${deadlineMs} ms deadline after ${plural(attempts, "attempt")}${last ? `; the last failure: ${last}` : ""}`;
}
