/** What an ingest run reports, per source and as a whole: kept in the store and logged. */
import type { IndexNowReport } from "./indexnow.ts";

export type SourceStatus = "loaded" | "fetched" | "not-modified" | "not-due" | "throttled" | "failed";

/**
 * Items of a source kept with something their document lacked, by what stood in: no body (a headline
 * with a link), a title derived from the text, the link taken from the guid.
 */
export interface FallbackCounts {
  noBody: number;
  derivedTitle: number;
  linkFromGuid: number;
}

export interface SourceReport {
  source: string;
  status: SourceStatus;
  seen: number;
  new: number;
  updated: number;
  unchanged: number;
  withdrawn: number;
  /** Articles newly kept for a later publication time (content folder and push); absent when none. */
  scheduled?: number;
  rejected: { key: string; reason: string }[];
  /** Absent from reports stored before it was counted. */
  fallbacks?: FallbackCounts;
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
  /** IndexNow: how many changed pages were sent, and the requests that failed (see ingest/indexnow.ts). */
  indexnow?: IndexNowReport;
}

export interface Announcement {
  topics: string[];
  failed: { hub: string; topic: string; error: string }[];
}

export function emptyReport(source: string): SourceReport {
  return {
    source,
    status: "loaded",
    seen: 0,
    new: 0,
    updated: 0,
    unchanged: 0,
    withdrawn: 0,
    rejected: [],
    fallbacks: { noBody: 0, derivedTitle: 0, linkFromGuid: 0 },
    notes: [],
    ms: 0,
  };
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
    ...(s.scheduled ? { scheduled: s.scheduled } : {}),
    rejected: s.rejected.length,
    ...fallbackSummary(s.fallbacks),
    ...(s.error ? { error: s.error } : {}),
    ms: s.ms,
  }));
}

/** The fallbacks a source needed, only where it needed some: `{ fallbacks: "noBody 3, linkFromGuid 1" }`. */
function fallbackSummary(fallbacks: FallbackCounts | undefined): { fallbacks?: string } {
  const used = Object.entries(fallbacks ?? {}).filter(([, n]) => n > 0);
  return used.length ? { fallbacks: used.map(([name, n]) => `${name} ${n}`).join(", ") } : {};
}
