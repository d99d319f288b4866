/** What a run asks of every kind of source it plans: a name for the report, and one pass that commits what changed. */
import type { SourceReport } from "../report.ts";

export interface Source {
  /** The source's id in the report (`content` for the content folder). */
  label: string;
  /** The source's own deadline for one run, where it sets one (the run's default otherwise). */
  deadlineMs?: number;
  /**
   * Reads the source once and writes what changed, counting into `report`; throws when the source
   * failed as a whole. `signal` stops its requests: its deadline passed, or the run lost its lease.
   */
  ingest(report: SourceReport, signal: AbortSignal): Promise<void>;
}
