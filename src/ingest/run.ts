/**
 * One ingest run: every source once (the content folder, upstream feeds, sitemaps), under a lease so
 * overlapping runs never ingest twice, each source on its own so one failure stops nothing. The same
 * function runs from node-cron on Node and from `scheduled()` on Workers.
 */
import { announceChanges, beforeChangeIfAnnouncing } from "./announce.ts";
import type { Budget } from "./commit.ts";
import { createIngestState, type IngestDeps, type IngestOptions, type IngestState } from "./deps.ts";
import { DeadlinePassed } from "./fetch/errors.ts";
import { keepLease, leaseHolder, releaseLease, renewLease, takeLease } from "./lease.ts";
import { planSources } from "./plan.ts";
import { emptyReport, summary, type RunReport } from "./report.ts";

/** How long one source's work in a run may take, every request of it included, unless the runtime or the source says otherwise. */
export const SOURCE_DEADLINE_MS = 60_000;

/**
 * Runs every source once, or one document; the report says per source what happened. Never throws: a
 * store that cannot be written (locked, read-only, full) is the report's `error`, and the next run tries again.
 */
export async function runIngest(deps: IngestDeps, options: IngestOptions = {}): Promise<RunReport> {
  const { store, logger, now } = deps;
  const state = deps.state ?? createIngestState();
  const startedMs = now();
  const holder = leaseHolder(deps.lease);
  const report: RunReport = { startedMs, finishedMs: startedMs, sources: [], joined: 0, conflicts: [] };
  let held = false;
  try {
    const taken = await takeLease(store, holder, startedMs, {
      owner: deps.lease,
      unreleased: state.unreleasedLeases,
      ttlMs: deps.leaseTtlMs,
    });
    held = taken.held;
    if (taken.tookOverFrom) report.tookOverFrom = taken.tookOverFrom;
    if (!held) report.skipped = "another ingest run holds the lease";
    else await ingestSources(deps, state, options, holder, report);
  } catch (error) {
    report.error = `ingest: the run stopped: ${(error as Error).message ?? String(error)}`;
  } finally {
    report.finishedMs = now();
    try {
      await store.saveRun({ startedMs, finishedMs: report.finishedMs, report: JSON.stringify(report) });
    } catch (error) {
      logger.error(`ingest: unable to keep the run report: ${(error as Error).message}`);
    }
    if (held) await releaseLease(store, holder, state.unreleasedLeases, logger);
  }
  logReport(deps, report);
  return report;
}

/**
 * The sources one after the other, each under its deadline, the lease renewed before each and while
 * each works; stops when another run has taken the lease.
 */
async function ingestSources(deps: IngestDeps, state: IngestState, options: IngestOptions, holder: string, report: RunReport) {
  const { store, now } = deps;
  const budget: Budget = { left: deps.writeBudget ?? Infinity };
  const before = await beforeChangeIfAnnouncing(deps);
  const sources = planSources(deps, options, { budget, lastDocuments: state.lastDocuments });
  const lease = keepLease(store, holder, { now, logger: deps.logger, ttlMs: deps.leaseTtlMs });
  try {
    for (const [i, source] of sources.entries()) {
      options.progress?.(i, sources.length, source.label);
      const left = `${sources.length - i} sources left for the next run`;
      if (!(await renewLease(store, holder, now(), deps.leaseTtlMs)))
        throw new Error(`another run took the lease (this run's expired); ${left}`);
      const t0 = now();
      const sourceReport = emptyReport(source.label);
      const deadlineMs = source.deadlineMs ?? deps.sourceDeadlineMs ?? SOURCE_DEADLINE_MS;
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(new DeadlinePassed(deadlineMs)), deadlineMs);
      try {
        await source.ingest(sourceReport, AbortSignal.any([deadline.signal, lease.lost]));
      } catch (error) {
        sourceReport.status = "failed";
        sourceReport.error = (error as Error).message;
      } finally {
        clearTimeout(timer);
      }
      sourceReport.ms = now() - t0;
      report.sources.push(sourceReport);
      if (lease.lost.aborted) {
        const rest = `${sources.length - i - 1} sources left for the next run`;
        throw new Error(`${(lease.lost.reason as Error).message} while source "${source.label}" worked; ${rest}`);
      }
    }
  } finally {
    lease.stop();
  }
  options.progress?.(sources.length, sources.length, "done");
  // Links wait in the store for the other edition; only a run that wrote or withdrew an article can
  // have brought one, so a run that changed nothing skips the pass (a full scan of the links).
  if (report.sources.some((s) => s.new || s.updated || s.withdrawn)) {
    const links = await store.linkEditions();
    report.joined = links.joined;
    report.conflicts = links.conflicts;
  }
  if (before) Object.assign(report, await announceChanges(deps, before));
}

/** The run in the log: one summary line, then each problem on a line of its own. */
function logReport({ logger }: IngestDeps, report: RunReport) {
  if (report.skipped) {
    logger.info(`ingest: ${report.skipped}; nothing done`);
    return;
  }
  if (report.tookOverFrom) logger.info(`ingest: took over the lease of a run that ended without releasing it (${report.tookOverFrom})`);
  logger.info(JSON.stringify({ ingest: summary(report) }));
  for (const s of report.sources) {
    if (s.error) logger.error(`ingest: source "${s.source}": ${s.error}`);
    for (const r of s.rejected) logger.error(r.reason);
  }
  for (const conflict of report.conflicts) logger.error(`ingest: ${conflict}`);
  for (const failure of report.websub?.failed ?? []) logger.error(failure.error);
  for (const failure of report.indexnow?.failed ?? []) logger.error(failure.error);
  if (report.error) logger.error(report.error);
}
