/** How a fetch fails: the FetchError that ingest reports, and the runtime's words for a network failure. */

export class FetchError extends Error {
  override name = "FetchError";
  /** The HTTP status, when the failure is the server's answer. */
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

/** The runtime's words for a network failure; Node hides the useful part (ECONNREFUSED ...) in `cause`. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : "";
  return cause && cause !== error.message ? `${error.message} (${cause})` : error.message;
}

/** Why a source's work was stopped: its deadline passed. The abort reason of the source's signal. */
export class DeadlinePassed extends Error {
  override name = "DeadlinePassed";

  constructor(readonly deadlineMs: number) {
    super(`the source's deadline (${deadlineMs / 1000} s) passed`);
  }
}
