/** A promise that gives up when its abort signal fires, whether or not the work behind it listens. */

/** Settles with `promise`, or rejects as soon as `signal` aborts, for runtimes and fetch implementations that ignore the signal. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  /* eslint-disable @typescript-eslint/prefer-promise-reject-errors -- the abort reason and the work's own rejection are passed on unchanged */
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
  /* eslint-enable @typescript-eslint/prefer-promise-reject-errors */
}
