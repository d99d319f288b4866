/** Waiting on a child process's output: settled by the output itself, never by polling on a timer. */
import type { ChildProcess } from "node:child_process";

/**
 * Resolves once `log()` (the child's output so far) matches `pattern`, checked as each chunk
 * arrives; rejects with the log when the child's output ends first or `timeoutMs` passes.
 */
export function waitForOutput(child: ChildProcess, log: () => string, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      clearTimeout(timer);
      child.stdout?.off("data", check);
      child.stderr?.off("data", check);
      child.off("close", closed);
      if (error) reject(error);
      else resolve();
    };
    // Registered after the listeners that collect the log, so `log()` already holds the chunk.
    const check = () => {
      if (pattern.test(log())) settle();
    };
    const closed = () => {
      if (pattern.test(log())) settle();
      else settle(new Error(`the process exited before logging ${pattern}:\n${log()}`));
    };
    const timer = setTimeout(() => settle(new Error(`no ${pattern} within ${timeoutMs} ms:\n${log()}`)), timeoutMs);
    child.stdout?.on("data", check);
    child.stderr?.on("data", check);
    child.once("close", closed);
    if (pattern.test(log())) settle();
    else if ((child.exitCode !== null || child.signalCode !== null) && child.stdout?.readableEnded !== false) closed();
  });
}
