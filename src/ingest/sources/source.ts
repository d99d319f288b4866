/** What a run asks of every kind of source it plans: a name for the report, and one pass that commits what changed. */
import type { SourceReport } from "../report.ts";

export interface Source {
  /** The source's id in the report (`content` for the content folder). */
  label: string;
  /** Reads the source once and writes what changed, counting into `report`; throws when the source failed as a whole. */
  ingest(report: SourceReport): Promise<void>;
}
