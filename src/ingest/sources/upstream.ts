/**
 * An upstream source (a feed or a sitemap, as site.yaml lists it, or one document named on the command
 * line): asked on its schedule with a conditional GET, backed off while it fails, its document read by
 * the kind it turns out to be, its items committed. Its schedule and validators are kept in the store.
 */
import type { SourceSettings } from "../../config/site.ts";
import type { SourceState } from "../../store/store.ts";
import { commitItems, commitParts, type Budget } from "../commit.ts";
import type { IngestDeps, SourceDeps } from "../deps.ts";
import type { FetchOutcome } from "../fetch/document.ts";
import type { IncomingItem, ParsedDocument } from "../incoming.ts";
import type { SourceReport } from "../report.ts";
import { documentFingerprint, type LastDocuments } from "../last-document.ts";
import { ITEMS_PER_JOB, readerOf } from "../reader.ts";
import { partOf } from "../formats/detect.ts";
import { sitemapItems } from "./sitemap.ts";
import type { Source } from "./source.ts";
import { fetchUpstream } from "./upstream-fetch.ts";

const MAX_BACKOFF_MS = 6 * 3600_000;
/** The longest an upstream's own Retry-After can make us wait: past it, a mistaken or hostile value would stop polling for good. */
export const MAX_RETRY_AFTER_MS = 24 * 3600_000;

/** How this run asks: `force` ignores the minimum interval; `text` is the document itself, given instead of fetched. */
export interface UpstreamRequest {
  force: boolean;
  text?: string;
  contentType?: string;
}

/** What the run lends its upstream sources: the writes it has left, and the runtime's memory of the documents it read. */
export interface UpstreamRun {
  budget: Budget;
  lastDocuments: LastDocuments;
}

export function upstreamSource(deps: IngestDeps, source: SourceSettings, how: UpstreamRequest, run: UpstreamRun): Source {
  return {
    label: source.id,
    ...(source.deadline !== undefined && { deadlineMs: source.deadline * 1000 }),
    ingest: (report, signal) => ingestUpstream({ ...deps, signal }, source, how, run, report),
  };
}

async function ingestUpstream(deps: SourceDeps, source: SourceSettings, how: UpstreamRequest, run: UpstreamRun, report: SourceReport) {
  const { budget, lastDocuments } = run;
  const { store, now } = deps;
  const nowMs = now();
  const state: SourceState = (await store.sourceState(source.id)) ?? {
    sourceId: source.id,
    etag: null,
    lastModified: null,
    checkedMs: null,
    nextMs: 0,
    failures: 0,
    lastError: null,
  };
  // A wait stored before waits were capped is held to the cap from when it was set.
  const longest = Math.max(MAX_RETRY_AFTER_MS, source.minInterval * 1000);
  const dueMs = state.checkedMs === null ? state.nextMs : Math.min(state.nextMs, state.checkedMs + longest);
  if (!how.force && nowMs < dueMs) {
    report.status = "not-due";
    report.notes.push(`next request after ${new Date(dueMs).toISOString()}`);
    return;
  }
  try {
    const outcome: FetchOutcome =
      how.text !== undefined
        ? {
            kind: "fetched",
            url: source.url,
            status: 200,
            text: how.text,
            contentType: how.contentType ?? "",
            charset: "utf-8",
            bytes: how.text.length,
          }
        : await fetchUpstream(deps, source, source.url, { etag: state.etag ?? undefined, lastModified: state.lastModified ?? undefined });
    if (outcome.kind === "not-modified") {
      report.status = "not-modified";
      await store.saveSourceState({ ...state, checkedMs: nowMs, nextMs: nowMs + source.minInterval * 1000, failures: 0, lastError: null });
      return;
    }
    if (outcome.kind === "throttled") {
      report.status = "throttled";
      const asked = outcome.retryAfterMs ?? backoff(source, state.failures + 1);
      const wait = Math.max(Math.min(asked, MAX_RETRY_AFTER_MS), source.minInterval * 1000);
      const capped =
        asked > MAX_RETRY_AFTER_MS ? ` (Retry-After asked for more than ${MAX_RETRY_AFTER_MS / 3600_000} h, the most we wait)` : "";
      report.notes.push(`${outcome.status}: asked again after ${Math.round(wait / 1000)} s${capped}`);
      await store.saveSourceState({
        ...state,
        checkedMs: nowMs,
        nextMs: nowMs + wait,
        failures: state.failures + 1,
        lastError: `HTTP ${outcome.status}`,
      });
      return;
    }
    report.status = "fetched";
    const fetched = {
      sourceId: source.id,
      etag: outcome.etag ?? null,
      lastModified: outcome.lastModified ?? null,
      checkedMs: nowMs,
      nextMs: nowMs + source.minInterval * 1000,
      failures: 0,
      lastError: null,
    };
    const fingerprint = documentFingerprint(deps.site, source, outcome);
    const last = lastDocuments.take(store, source.id);
    if (last?.fingerprint === fingerprint) {
      report.seen = last.seen;
      report.unchanged = last.accepted;
      report.rejected.push(...last.rejected);
      report.notes.push(...last.notes, "the same document as the last run here: not read again");
      lastDocuments.keep(store, source.id, last);
      await store.saveSourceState(fetched);
      return;
    }
    const reader = readerOf(deps);
    const opened = await reader.open(outcome.text, outcome.contentType, outcome.url);
    let isFeed = true;
    let written: { complete: boolean; settled: boolean };
    if (opened.kind === "parts") {
      const { text, contentType, url } = outcome;
      written = await commitParts(deps, source, report, budget, (itemSource, partNowMs) =>
        opened.cuts.map((_, n) =>
          reader.readPart(partOf(text, opened, n), contentType, url, itemSource, deps.site, partNowMs, n * ITEMS_PER_JOB),
        ),
      );
    } else {
      isFeed = opened.document.kind === "feed";
      const items = await itemsOf(deps, source, opened.document, report);
      written = await commitItems(deps, source, items, report, budget);
    }
    const { complete, settled } = written;
    if (isFeed && complete && settled) {
      lastDocuments.keep(store, source.id, {
        fingerprint,
        seen: report.seen,
        accepted: report.new + report.updated + report.unchanged,
        rejected: [...report.rejected],
        notes: [...report.notes],
      });
    }
    // A document only partly written is asked for again, whole, at the next run.
    await store.saveSourceState(complete ? fetched : { ...state, checkedMs: nowMs, nextMs: nowMs, failures: 0, lastError: null });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await store.saveSourceState({
      ...state,
      checkedMs: nowMs,
      nextMs: nowMs + backoff(source, state.failures + 1),
      failures: state.failures + 1,
      lastError: message,
    });
    throw error instanceof Error ? error : new Error(message);
  }
}

/** Exponential back-off from the source's interval, capped at six hours. */
function backoff(source: SourceSettings, failures: number): number {
  return Math.min(Math.max(source.minInterval, 60) * 1000 * 2 ** Math.min(failures, 12), MAX_BACKOFF_MS);
}

/** The items a document yields, by its kind; a sitemap's pages are fetched. */
async function itemsOf(deps: SourceDeps, source: SourceSettings, document: ParsedDocument, report: SourceReport): Promise<IncomingItem[]> {
  if (document.kind === "feed") {
    report.notes.push(...(document.problems ?? []));
    return document.items.map((item) => ({ ...item, lang: item.lang ?? document.lang }));
  }
  if (document.kind === "article-page") return [document.item];
  return sitemapItems(deps, source, document, report);
}
