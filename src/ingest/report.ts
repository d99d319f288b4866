/** What an ingest run reports, per source and as a whole: kept in the store and logged. */

export type SourceStatus = "loaded" | "fetched" | "not-modified" | "not-due" | "throttled" | "failed";

export interface SourceReport {
  source: string;
  status: SourceStatus;
  seen: number;
  new: number;
  updated: number;
  unchanged: number;
  withdrawn: number;
  rejected: { key: string; reason: string }[];
  notes: string[];
  error?: string;
  ms: number;
}

export interface RunReport {
  startedMs: number;
  finishedMs: number;
  /** Why nothing ran, when another run held the lease. */
  skipped?: string;
  /** Why the run stopped short (the store could not be read or written, the lease was lost); the next run tries again. */
  error?: string;
  /** The holder of a lease this run took over because that run had ended without releasing it (its process died). */
  tookOverFrom?: string;
  sources: SourceReport[];
  joined: number;
  conflicts: string[];
  /** WebSub: the feed URLs announced to the hubs, and the announcements that failed. */
  websub?: Announcement;
}

export interface Announcement {
  topics: string[];
  failed: { hub: string; topic: string; error: string }[];
}

export function emptyReport(source: string): SourceReport {
  return { source, status: "loaded", seen: 0, new: 0, updated: 0, unchanged: 0, withdrawn: 0, rejected: [], notes: [], ms: 0 };
}

/** One line per source for people: what happened and the counts. */
export function summary(report: RunReport) {
  return report.sources.map((s) => ({
    source: s.source,
    status: s.status,
    seen: s.seen,
    new: s.new,
    updated: s.updated,
    unchanged: s.unchanged,
    withdrawn: s.withdrawn,
    rejected: s.rejected.length,
    ...(s.error ? { error: s.error } : {}),
    ms: s.ms,
  }));
}
