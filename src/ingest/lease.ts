/**
 * The ingest lease in the store: one run at a time, whatever the process or isolate. A run takes it,
 * renews it before each source and releases it at the end; a lease whose run has ended without
 * releasing it is taken over instead of waited out.
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
  ended: { owner?: LeaseOwner; unreleased: Set<string> },
): Promise<{ held: boolean; tookOverFrom?: string }> {
  if (await store.acquireLease(LEASE, holder, nowMs, LEASE_TTL_MS)) return { held: true };
  const current = await store.leaseHolder(LEASE);
  if (current === null || !(ended.unreleased.has(current) || ended.owner?.isDead(current))) return { held: false };
  if (!(await store.acquireLease(LEASE, holder, nowMs, LEASE_TTL_MS, current))) return { held: false };
  ended.unreleased.delete(current);
  return { held: true, tookOverFrom: current };
}

/** Extends the lease before the next source; false when another run has taken it since (this run's had expired). */
export function renewLease(store: ArticleStore, holder: string, nowMs: number): Promise<boolean> {
  return store.acquireLease(LEASE, holder, nowMs, LEASE_TTL_MS);
}

/** Gives the lease back; where the store fails, the holder is kept in `unreleased` so the runtime's next run takes it over. */
export async function releaseLease(store: ArticleStore, holder: string, unreleased: Set<string>, logger: Logger): Promise<void> {
  await store.releaseLease(LEASE, holder).catch((error: Error) => {
    // Elsewhere it expires, or is taken over once this process is gone.
    unreleased.add(holder);
    logger.error(`ingest: unable to release the lease: ${error.message}`);
  });
}
