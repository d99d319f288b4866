/**
 * The ingest lease in the store: one run at a time, whatever the process or isolate. A run takes it,
 * renews it before each source and every third of its life while it works, and releases it at the end;
 * a lease whose run has ended without releasing it is taken over instead of waited out.
 */
import type { Logger } from "../model/logger.ts";
import type { ArticleStore } from "../store/store.ts";
import type { LeaseOwner } from "./deps.ts";

export const LEASE = "ingest";
export const LEASE_TTL_MS = 10 * 60_000;

/** A run's name in the lease: `<owner>:<random id>`, or the random id alone where the runtime cannot say who runs. */
export function leaseHolder(owner: LeaseOwner | undefined): string {
  return `${owner ? `${owner.owner}:` : ""}${crypto.randomUUID()}`;
}

/**
 * Takes the lease, or takes it over from a run that has ended: one of this runtime's that could not
 * release it (`unreleased`), or one whose process the runtime knows to be dead. `held` is false when
 * a live run has it; `tookOverFrom` names the run whose lease was taken over.
 */
export async function takeLease(
  store: ArticleStore,
  holder: string,
  nowMs: number,
  ended: { owner?: LeaseOwner; unreleased: Set<string>; ttlMs?: number },
): Promise<{ held: boolean; tookOverFrom?: string }> {
  const ttlMs = ended.ttlMs ?? LEASE_TTL_MS;
  if (await store.acquireLease(LEASE, holder, nowMs, ttlMs)) return { held: true };
  const current = await store.leaseHolder(LEASE);
  if (current === null || !(ended.unreleased.has(current) || ended.owner?.isDead(current))) return { held: false };
  if (!(await store.acquireLease(LEASE, holder, nowMs, ttlMs, current))) return { held: false };
  ended.unreleased.delete(current);
  return { held: true, tookOverFrom: current };
}

/** Extends the lease; false when another run has taken it since (this run's had expired). */
export function renewLease(store: ArticleStore, holder: string, nowMs: number, ttlMs = LEASE_TTL_MS): Promise<boolean> {
  return store.acquireLease(LEASE, holder, nowMs, ttlMs);
}

/** The error a run's work is stopped with when a renewal finds another run holds its lease. */
export class LeaseLost extends Error {
  override name = "LeaseLost";
}

/**
 * Renews the lease every third of its life until `stop()` is called, so that one slow source never
 * outlives it; `lost` aborts with a LeaseLost when a renewal finds another run has it. A renewal the
 * store fails is logged and tried again at the next tick.
 */
export function keepLease(
  store: ArticleStore,
  holder: string,
  clock: { now: () => number; logger: Logger; ttlMs?: number },
): { lost: AbortSignal; stop: () => void } {
  const ttlMs = clock.ttlMs ?? LEASE_TTL_MS;
  const lost = new AbortController();
  let renewing = false;
  const timer = setInterval(() => {
    if (renewing || lost.signal.aborted) return;
    renewing = true;
    renewLease(store, holder, clock.now(), ttlMs)
      .then((held) => {
        if (!held) lost.abort(new LeaseLost("another run took the lease (this run's had expired)"));
      })
      .catch((error: Error) => clock.logger.error(`ingest: unable to renew the lease: ${error.message}`))
      .finally(() => (renewing = false));
  }, ttlMs / 3);
  return { lost: lost.signal, stop: () => clearInterval(timer) };
}

/** Gives the lease back; where the store fails, the holder is kept in `unreleased` so the runtime's next run takes it over. */
export async function releaseLease(store: ArticleStore, holder: string, unreleased: Set<string>, logger: Logger): Promise<void> {
  await store.releaseLease(LEASE, holder).catch((error: Error) => {
    // Elsewhere it expires, or is taken over once this process is gone.
    unreleased.add(holder);
    logger.error(`ingest: unable to release the lease: ${error.message}`);
  });
}
