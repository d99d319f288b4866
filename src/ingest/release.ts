/**
 * The minute task: scheduled articles whose time has come move into the articles (and so into every
 * feed, page and listing, their feeds' versions moved by the store), withdrawals older than
 * `withdrawn_days` leave the feeds that listed them, and the WebSub hubs hear of the feeds that moved
 * (IndexNow, when set, of the pages).
 * Node runs it from a timer at every minute, Workers from a cron trigger every minute; it needs no
 * lease, since the store releases each article once however many runtimes ask at the same moment.
 */
import type { IngestDeps } from "./deps.ts";
import { announceChanges, beforeChangeIfAnnouncing } from "./announce.ts";
import type { IndexNowReport } from "./indexnow.ts";
import type { Announcement } from "./report.ts";

const DAY_MS = 24 * 3600_000;

export interface ReleaseReport {
  atMs: number;
  released: string[];
  /** Due articles the store refused (a slug another article took meanwhile), with why; they wait for the next minute. */
  failed: { id: string; error: string }[];
  /** Withdrawals the feeds stopped listing. */
  unlisted: number;
  conflicts: string[];
  websub?: Announcement;
  /** What IndexNow was told of the released articles and the pages that list them. */
  indexnow?: IndexNowReport;
  /** Why the task stopped short (the store could not be used); the next minute tries again. */
  error?: string;
}

type ReleaseDeps = Pick<IngestDeps, "store" | "site" | "now" | "fetch" | "userAgent" | "state" | "logger">;

/** Runs the minute task once; never throws (a failure is the report's `error`, and is logged). */
export async function releaseScheduled(deps: ReleaseDeps): Promise<ReleaseReport> {
  const { store, site, logger } = deps;
  const atMs = deps.now();
  const report: ReleaseReport = { atMs, released: [], failed: [], unlisted: 0, conflicts: [] };
  try {
    const before = await beforeChangeIfAnnouncing(deps);
    const { released, failed } = await store.releaseDue(atMs);
    report.released = released;
    report.failed = failed;
    report.unlisted = await store.unlistWithdrawals(atMs - site.settings.withdrawnDays * DAY_MS);
    if (released.length) report.conflicts = (await store.linkEditions(released)).conflicts;
    if (before && (released.length || report.unlisted)) {
      const announced = await announceChanges(deps, before);
      if (announced.websub) report.websub = announced.websub;
      if (announced.indexnow) report.indexnow = announced.indexnow;
    }
  } catch (error) {
    report.error = `schedule: the minute task stopped: ${(error as Error).message ?? String(error)}`;
  }
  if (report.released.length) logger.info(`schedule: released ${report.released.join(", ")}`);
  for (const f of report.failed) logger.error(`schedule: article ${f.id} is due but not released: ${f.error}`);
  for (const conflict of report.conflicts) logger.error(`schedule: ${conflict}`);
  for (const failure of [...(report.websub?.failed ?? []), ...(report.indexnow?.failed ?? [])]) logger.error(failure.error);
  if (report.error) logger.error(report.error);
  return report;
}
