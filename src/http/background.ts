/** Work that finishes after the response: handed to the runtime's execution context where it has one. */
import type { Context } from "hono";

/** Lets a runtime with an execution context finish `work` after the response; elsewhere it just runs. */
export function waitUntil(c: Context, work: Promise<unknown>) {
  let context: { waitUntil(p: Promise<unknown>): void } | undefined;
  try {
    context = c.executionCtx;
  } catch {
    // No execution context (Node): the promise runs on its own.
  }
  if (context) context.waitUntil(work);
  else inBackground(work);
}

/** Where nothing outlives the response (Node), work after it simply runs; its failure is its own to report. */
export function inBackground(work: Promise<unknown>) {
  void work.catch(() => undefined);
}
