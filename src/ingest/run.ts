/**
 * One ingest run: every source once (the content folder, upstream feeds, sitemaps), under a lease so
 * overlapping runs never ingest twice, each source on its own so one failure stops nothing. The same
 * function runs from node-cron on Node and from `scheduled()` on Workers.
 */
import type { SourceSettings, Site } from "../config/site.ts";
import type { Logger } from "../model/logger.ts";
import type { Article } from "../model/article.ts";
import { fnv64 } from "../model/hash.ts";
import { instantAt } from "../model/time.ts";
import { articleToRow, type ArticleStore, type SourceState, type UpsertReport } from "../store/store.ts";
import { FORMAT_NAMES } from "../feeds/formats.ts";
import { feedLinks } from "../feeds/links.ts";
import { fetchDocument, type FetchOutcome } from "./fetch/document.ts";
import { FetchError } from "./fetch/errors.ts";
import { publishToHubs } from "./websub.ts";
import { parseUpstream } from "./formats/detect.ts";
import type { IncomingItem, ParsedDocument } from "./incoming.ts";
import { itemId, normalizeItem, type ItemSource } from "./normalize.ts";
import { readContent, type ContentFile } from "./sources/content.ts";

export interface ContentFolder {
  files: ContentFile[];
  mediaSize(name: string): number | null;
  /** Name shown in messages and kept as the articles' source prefix: `content`. */
  folder: string;
}

export interface IngestDeps {
  store: ArticleStore;
  site: Site;
  fetch: typeof fetch;
  now: () => number;
  logger: Logger;
  /** The content folder, where the runtime can read it. */
  content?: () => ContentFolder;
  userAgent?: string;
  /**
   * Articles written at most per run, where a runtime bounds a run's work (Workers' cron CPU and query
   * limits); the rest are written by the next run.
   */
  writeBudget?: number;
  /**
   * Where the runtime can tell (Node: processes on this machine): who runs here, and whether the run
   * that holds the lease has died, in which case its lease is taken over rather than waited out.
   * Without it a dead run's lease expires after LEASE_TTL_MS.
   */
  lease?: LeaseOwner;
  /** Deadline of one upstream request (FETCH_TIMEOUT_MS by default). */
  fetchTimeoutMs?: number;
}

export interface LeaseOwner {
  /** Names this process (its machine and process id, say); a holder is `<owner>:<random id>`. */
  owner: string;
  /** True only when the holder's process is certainly gone. */
  isDead(holder: string): boolean;
}

export interface IngestOptions {
  /** Ingest this one document instead of the configured sources (`npm run ingest -- --source`). */
  document?: { url: string; text?: string; contentType?: string; lang?: string; section?: string };
  /** Ask sources even when their minimum interval has not passed. */
  force?: boolean;
  progress?: (done: number, total: number, label: string) => void;
}

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

export const LEASE = "ingest";
export const LEASE_TTL_MS = 10 * 60_000;
const FETCH_TIMEOUT_MS = 20_000;
const MAX_REDIRECTS = 5;
/** Article pages read per sitemap per run: the rest wait for the next run. */
export const MAX_PAGES_PER_RUN = 50;
/** Child sitemaps of a sitemap index read per run. */
export const MAX_CHILD_SITEMAPS = 10;
const MAX_BACKOFF_MS = 6 * 3600_000;
const DEFAULT_USER_AGENT = "hanbit-feeds-ingest/1 (+https://www.rssboard.org/rss-specification)";

/**
 * Runs every source once, or one document; the report says per source what happened. Never throws: a
 * store that cannot be written (locked, read-only, full) is the report's `error`, and the next run tries again.
 */
export async function runIngest(deps: IngestDeps, options: IngestOptions = {}): Promise<RunReport> {
  const { store, logger, now } = deps;
  const startedMs = now();
  const holder = `${deps.lease ? `${deps.lease.owner}:` : ""}${crypto.randomUUID()}`;
  const report: RunReport = { startedMs, finishedMs: startedMs, sources: [], joined: 0, conflicts: [] };
  let held = false;
  try {
    held = await takeLease(deps, holder, startedMs, report);
    if (!held) report.skipped = "another ingest run holds the lease";
    else await ingestSources(deps, options, holder, report);
  } catch (error) {
    report.error = `ingest: the run stopped: ${(error as Error).message ?? String(error)}`;
  } finally {
    report.finishedMs = now();
    try {
      await store.saveRun({ startedMs, finishedMs: report.finishedMs, report: JSON.stringify(report) });
    } catch (error) {
      logger.error(`ingest: unable to keep the run report: ${(error as Error).message}`);
    }
    if (held) {
      await store.releaseLease(LEASE, holder).catch((error: Error) => {
        // The next run here takes it over; elsewhere it expires, or is taken over once this process is gone.
        unreleased.add(holder);
        logger.error(`ingest: unable to release the lease: ${error.message}`);
      });
    }
  }
  if (report.skipped) {
    logger.info(`ingest: ${report.skipped}; nothing done`);
    return report;
  }
  if (report.tookOverFrom) logger.info(`ingest: took over the lease of a run that ended without releasing it (${report.tookOverFrom})`);
  logger.info(JSON.stringify({ ingest: summary(report) }));
  for (const s of report.sources) {
    if (s.error) logger.error(`ingest: source "${s.source}": ${s.error}`);
    for (const r of s.rejected) logger.error(r.reason);
  }
  for (const conflict of report.conflicts) logger.error(`ingest: ${conflict}`);
  for (const failure of report.websub?.failed ?? []) logger.error(failure.error);
  if (report.error) logger.error(report.error);
  return report;
}

/** Leases of runs in this process that ended without releasing them (the store failed at the end). */
const unreleased = new Set<string>();

/**
 * Takes the lease, or takes it over from a run that has ended: one of this process's that could not
 * release it, or one whose process the runtime knows to be dead. False when a live run has it.
 */
async function takeLease(deps: IngestDeps, holder: string, nowMs: number, report: RunReport): Promise<boolean> {
  const { store } = deps;
  if (await store.acquireLease(LEASE, holder, nowMs, LEASE_TTL_MS)) return true;
  const current = await store.leaseHolder(LEASE);
  if (current === null || !(unreleased.has(current) || deps.lease?.isDead(current))) return false;
  if (!(await store.acquireLease(LEASE, holder, nowMs, LEASE_TTL_MS, current))) return false;
  unreleased.delete(current);
  report.tookOverFrom = current;
  return true;
}

/** The sources one after the other, the lease renewed before each; stops when another run has taken the lease. */
async function ingestSources(deps: IngestDeps, options: IngestOptions, holder: string, report: RunReport) {
  const { store, now } = deps;
  const budget: Budget = { left: deps.writeBudget ?? Infinity };
  const versions = await feedVersionsIfAnnouncing(deps);
  const jobs = plan(deps, options, budget);
  for (const [i, job] of jobs.entries()) {
    options.progress?.(i, jobs.length, job.label);
    if (!(await store.acquireLease(LEASE, holder, now(), LEASE_TTL_MS))) {
      throw new Error(`another run took the lease (this run's expired); ${jobs.length - i} sources left for the next run`);
    }
    const t0 = now();
    const sourceReport = emptyReport(job.label);
    try {
      await job.run(sourceReport);
    } catch (error) {
      sourceReport.status = "failed";
      sourceReport.error = (error as Error).message;
    }
    sourceReport.ms = now() - t0;
    report.sources.push(sourceReport);
  }
  options.progress?.(jobs.length, jobs.length, "done");
  // Links wait in the store for the other edition; only a run that wrote or withdrew an article can
  // have brought one, so a run that changed nothing skips the pass (a full scan of the links).
  if (report.sources.some((s) => s.new || s.updated || s.withdrawn)) {
    const links = await store.linkEditions();
    report.joined = links.joined;
    report.conflicts = links.conflicts;
  }
  if (versions) report.websub = await announceChanges(deps, versions);
}

/** The feed versions before a change, when there are hubs to tell about it. */
export async function feedVersionsIfAnnouncing(deps: Pick<IngestDeps, "site" | "store">): Promise<Map<string, number> | null> {
  if (!deps.site.hubs?.length) return null;
  return new Map((await deps.store.feedVersions()).map((v) => [`${v.lang}\n${v.section}`, v.version]));
}

/**
 * Tells the WebSub hubs about exactly the feeds whose version moved since `before`: their
 * subscription documents in every format. Failures are reported, never thrown.
 */
export async function announceChanges(
  deps: Pick<IngestDeps, "site" | "store" | "fetch" | "now" | "userAgent">,
  before: Map<string, number>,
): Promise<Announcement> {
  const { site } = deps;
  const changed = (await deps.store.feedVersions()).filter((v) => before.get(`${v.lang}\n${v.section}`) !== v.version);
  const topics = changed.flatMap((v) => {
    const links = feedLinks(site.siteUrl, v.lang, v.section === "" ? undefined : v.section);
    return FORMAT_NAMES.map((format) => links[format]);
  });
  if (topics.length === 0) return { topics, failed: [] };
  const results = await publishToHubs(site.hubs ?? [], topics, {
    fetch: deps.fetch,
    now: deps.now,
    userAgent: deps.userAgent ?? DEFAULT_USER_AGENT,
  });
  return { topics, failed: results.filter((r) => !r.ok).map((r) => ({ hub: r.hub, topic: r.topic, error: r.error ?? "failed" })) };
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

interface Job {
  label: string;
  run(report: SourceReport): Promise<void>;
}

/** Writes left in this run. */
interface Budget {
  left: number;
}

function plan(deps: IngestDeps, options: IngestOptions, budget: Budget): Job[] {
  if (options.document) {
    const doc = options.document;
    const configured = deps.site.settings.sources.find((s) => s.url === doc.url);
    const source: SourceSettings = configured
      ? { ...configured, lang: doc.lang ?? configured.lang, section: doc.section ?? configured.section }
      : adHocSource(deps, doc.url, doc.lang, doc.section);
    return [
      {
        label: source.id,
        run: (r) => ingestUpstream(deps, source, r, budget, { force: true, text: doc.text, contentType: doc.contentType }),
      },
    ];
  }
  const jobs: Job[] = [];
  const content = deps.content;
  if (content) jobs.push({ label: "content", run: (r) => ingestContent(deps, content(), r, budget) });
  for (const source of deps.site.settings.sources) {
    jobs.push({ label: source.id, run: (r) => ingestUpstream(deps, source, r, budget, { force: options.force ?? false }) });
  }
  return jobs;
}

/** Settings for a document named on the command line: the site's defaults, the newsroom's zone. */
function adHocSource(deps: IngestDeps, url: string, lang?: string, section?: string): SourceSettings {
  const { settings } = deps.site;
  const language = settings.languages.find((l) => l.tag === lang) ?? settings.languages[0]!;
  const sectionSlug = section ?? language.sections[0]?.slug ?? "";
  return {
    id: `adhoc-${fnv64(url).slice(0, 10)}`,
    kind: "feed",
    url,
    lang: language.tag,
    section: sectionSlug,
    sections: {},
    timezone: settings.timezone,
    minInterval: 0,
    maxBytes: 5 * 1024 * 1024,
  };
}

function emptyReport(source: string): SourceReport {
  return { source, status: "loaded", seen: 0, new: 0, updated: 0, unchanged: 0, withdrawn: 0, rejected: [], notes: [], ms: 0 };
}

/** The content folder: new and changed files become articles, deleted files withdraw theirs. */
async function ingestContent(deps: IngestDeps, folder: ContentFolder, report: SourceReport, budget: Budget) {
  const { store, site, now } = deps;
  const { articles, problems } = readContent(folder.files, {
    settings: site.settings,
    siteUrl: site.siteUrl,
    mediaSize: folder.mediaSize,
    folder: folder.folder,
  });
  report.seen = folder.files.length;
  report.rejected.push(...problems.map((p) => ({ key: p.path, reason: p.message })));
  // Compared here first, so a run over an unchanged folder reads the store and writes nothing.
  const stored = new Map((await store.byIds(articles.map((a) => a.id))).map((a) => [a.id, JSON.stringify(articleToRow(a))]));
  const changed = articles.filter((a) => stored.get(a.id) !== JSON.stringify(articleToRow(a)));
  report.unchanged += articles.length - changed.length;
  count(report, await store.upsert(spend(budget, changed, report)));
  // Only a deleted file withdraws its article: one that fails to parse keeps it, since a typo must not
  // take a published story down.
  const files = new Set(folder.files.map((f) => `${folder.folder}/${f.path}`));
  const kept = new Set(articles.map((a) => a.id));
  const gone = (await store.fromSource(`${folder.folder}/`)).filter((a) => !files.has(a.source) && !kept.has(a.id)).map((a) => a.id);
  report.withdrawn = (await store.withdraw(gone, now())).length;
}

/** The part of `items` the run's write budget still allows; the rest is noted for the next run. */
function spend<T>(budget: Budget, items: readonly T[], report: SourceReport): T[] {
  const allowed = items.slice(0, Math.max(0, budget.left));
  budget.left -= allowed.length;
  if (allowed.length < items.length) report.notes.push(`${items.length - allowed.length} articles left for the next run (write budget)`);
  return allowed;
}

function count(report: SourceReport, written: UpsertReport) {
  report.new += written.inserted.length;
  report.updated += written.updated.length;
  report.unchanged += written.unchanged;
  report.rejected.push(...written.failed.map((f) => ({ key: f.id, reason: `${f.error} (${f.source})` })));
}

/** A feed or sitemap: conditional GET, parse, normalize, commit; its schedule and back-off kept in the store. */
async function ingestUpstream(
  deps: IngestDeps,
  source: SourceSettings,
  report: SourceReport,
  budget: Budget,
  how: { force: boolean; text?: string; contentType?: string },
) {
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
  if (!how.force && nowMs < state.nextMs) {
    report.status = "not-due";
    report.notes.push(`next request after ${new Date(state.nextMs).toISOString()}`);
    return;
  }
  try {
    let outcome: FetchOutcome;
    if (how.text !== undefined) {
      outcome = {
        kind: "fetched",
        url: source.url,
        status: 200,
        text: how.text,
        contentType: how.contentType ?? "",
        charset: "utf-8",
        bytes: how.text.length,
      };
    } else {
      outcome = await fetchDocument(
        {
          url: source.url,
          etag: state.etag ?? undefined,
          lastModified: state.lastModified ?? undefined,
          maxBytes: source.maxBytes,
          timeoutMs: deps.fetchTimeoutMs ?? FETCH_TIMEOUT_MS,
          maxRedirects: MAX_REDIRECTS,
          userAgent: deps.userAgent ?? DEFAULT_USER_AGENT,
        },
        deps.fetch,
        now,
      );
    }
    if (outcome.kind === "not-modified") {
      report.status = "not-modified";
      await store.saveSourceState({ ...state, checkedMs: nowMs, nextMs: nowMs + source.minInterval * 1000, failures: 0, lastError: null });
      return;
    }
    if (outcome.kind === "throttled") {
      report.status = "throttled";
      const wait = Math.max(outcome.retryAfterMs ?? backoff(source, state.failures + 1), source.minInterval * 1000);
      report.notes.push(`${outcome.status}: asked again after ${Math.round(wait / 1000)} s`);
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
    const remembered = lastDocuments.get(store) ?? new Map<string, LastDocument>();
    lastDocuments.set(store, remembered);
    const fingerprint = documentFingerprint(deps, source, outcome);
    const last = remembered.get(source.id);
    remembered.delete(source.id);
    if (last?.fingerprint === fingerprint) {
      report.seen = last.seen;
      report.unchanged = last.accepted;
      report.rejected.push(...last.rejected);
      report.notes.push(...last.notes, "the same document as the last run here: not read again");
      remembered.set(source.id, last);
      await store.saveSourceState(fetched);
      return;
    }
    const document = parseUpstream(outcome.text, outcome.contentType, outcome.url);
    const items = await itemsOf(deps, source, document, report);
    const { complete, settled } = await commit(deps, source, items, report, budget);
    if (document.kind === "feed" && complete && settled) {
      remembered.set(source.id, {
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

/**
 * The feed document each upstream source last sent that this process read and wrote whole (no article
 * cut by the write budget or refused by the store), per store, with what its run reported. A re-poll
 * that gets the very same text back under the same settings would normalize every item to the article
 * already stored and write nothing, so it is not parsed, normalized or compared again: the re-poll of an
 * unchanged feed costs its fetch and one hash. Kept in memory (a few numbers and the report's lines per
 * source): a new process or isolate reads the document whole once, and a sitemap is always read, since
 * its pages are fetched a few per run.
 */
interface LastDocument {
  fingerprint: string;
  seen: number;
  accepted: number;
  rejected: SourceReport["rejected"];
  notes: string[];
}
const lastDocuments = new WeakMap<ArticleStore, Map<string, LastDocument>>();

/** The document's text, and everything else its articles depend on: where it came from, its type, the settings. */
function documentFingerprint(
  deps: IngestDeps,
  source: SourceSettings,
  outcome: { url: string; contentType: string; text: string },
): string {
  const context = JSON.stringify([source, deps.site.settings, deps.site.siteUrl, outcome.url, outcome.contentType]);
  return `${fnv64(context)}${fnv64(outcome.text)}${outcome.text.length}`;
}

/** Exponential back-off from the source's interval, capped at six hours. */
function backoff(source: SourceSettings, failures: number): number {
  return Math.min(Math.max(source.minInterval, 60) * 1000 * 2 ** Math.min(failures, 12), MAX_BACKOFF_MS);
}

/** A URL the source lists (a child sitemap, an article page), fetched with the source's limits and parsed. */
async function fetchListed(deps: IngestDeps, source: SourceSettings, url: string): Promise<ParsedDocument> {
  const outcome = await fetchDocument(
    {
      url,
      maxBytes: source.maxBytes,
      timeoutMs: deps.fetchTimeoutMs ?? FETCH_TIMEOUT_MS,
      maxRedirects: MAX_REDIRECTS,
      userAgent: deps.userAgent ?? DEFAULT_USER_AGENT,
    },
    deps.fetch,
    deps.now,
  );
  if (outcome.kind !== "fetched") throw new FetchError(`fetch: ${url}: answered ${outcome.kind}`);
  return parseUpstream(outcome.text, outcome.contentType, outcome.url);
}

/** The items a document yields; a sitemap's pages are fetched (those not stored yet or changed since). */
async function itemsOf(deps: IngestDeps, source: SourceSettings, document: ParsedDocument, report: SourceReport): Promise<IncomingItem[]> {
  if (document.kind === "feed") {
    report.notes.push(...(document.problems ?? []));
    return document.items.map((item) => ({ ...item, lang: item.lang ?? document.lang }));
  }
  if (document.kind === "article-page") return [document.item];
  // The sitemaps protocol keeps a sitemap's URLs on its own host; fetching elsewhere would let a
  // sitemap send the ingest anywhere.
  const host = new URL(source.url).host;
  const onHost = (url: string, what: string) => {
    if (hostOf(url) === host) return true;
    report.rejected.push({
      key: url,
      reason: `ingest: source "${source.id}": ${what} ${url} is not on the sitemap's host ${host}; not fetched`,
    });
    return false;
  };
  const pages = [...document.pages];
  const children = document.sitemaps.filter((url) => onHost(url, "sitemap"));
  if (children.length > MAX_CHILD_SITEMAPS)
    report.notes.push(`sitemap index lists ${children.length} sitemaps; the first ${MAX_CHILD_SITEMAPS} are read`);
  for (const url of children.slice(0, MAX_CHILD_SITEMAPS)) {
    try {
      const child = await fetchListed(deps, source, url);
      if (child.kind !== "sitemap") throw new Error(`parse: ${url}: not a sitemap`);
      pages.push(...child.pages);
    } catch (error) {
      report.rejected.push({ key: url, reason: `ingest: source "${source.id}": sitemap ${url}: ${(error as Error).message}` });
    }
  }
  const listed = pages.filter((page) => onHost(page.url, "page"));
  const stored = new Map(
    (await deps.store.byIds(listed.map((p) => itemId(deps.site.settings, `sitemap:${source.id}`, p.url)))).map((a) => [a.id, a]),
  );
  const due = listed.filter((page) => {
    const article = stored.get(itemId(deps.site.settings, `sitemap:${source.id}`, page.url));
    return !article || (page.lastmod !== undefined && Date.parse(page.lastmod) > article.updated.ms);
  });
  if (due.length > MAX_PAGES_PER_RUN) report.notes.push(`${due.length - MAX_PAGES_PER_RUN} pages left for the next run`);
  const items: IncomingItem[] = [];
  for (const page of due.slice(0, MAX_PAGES_PER_RUN)) {
    try {
      const parsed = await fetchListed(deps, source, page.url);
      if (parsed.kind !== "article-page") throw new Error(`parse: ${page.url}: not an article page`);
      items.push({
        ...parsed.item,
        key: page.url,
        lang: parsed.item.lang ?? page.lang,
        editions: [...parsed.item.editions, ...page.editions],
        updated: parsed.item.updated ?? page.lastmod,
      });
    } catch (error) {
      report.rejected.push({ key: page.url, reason: `ingest: source "${source.id}": page ${page.url}: ${(error as Error).message}` });
    }
  }
  return items;
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

/**
 * Normalizes and writes items: an unchanged fingerprint writes nothing; a real change keeps the
 * publication time and story and moves the update time forward; a withdrawn article stays withdrawn.
 */
/** `complete` is false when the write budget cut the document short, `settled` when the store refused an article. */
async function commit(
  deps: IngestDeps,
  source: SourceSettings,
  items: IncomingItem[],
  report: SourceReport,
  budget: Budget,
): Promise<{ complete: boolean; settled: boolean }> {
  const { store, site, now } = deps;
  const nowMs = now();
  const itemSource: ItemSource = {
    name: `${source.kind}:${source.id}`,
    lang: source.lang,
    section: source.section,
    sections: source.sections,
    timezone: source.timezone,
  };
  report.seen += items.length;
  const ready: { article: Article; editions: string[] }[] = [];
  const seenIds = new Set<string>();
  for (const item of items) {
    const result = normalizeItem(item, itemSource, site.settings, site.siteUrl, nowMs);
    const refuse = (key: string, reason: string) =>
      report.rejected.push({ key, reason: `ingest: source "${source.id}": item ${key}: ${reason}` });
    if (!result.ok) {
      refuse(result.key, result.reason);
      continue;
    }
    if (seenIds.has(result.article.id)) {
      refuse(item.key, "the same id appears twice in the document; the first is kept");
      continue;
    }
    seenIds.add(result.article.id);
    report.notes.push(...result.notes.map((n) => `${item.key}: ${n}`));
    ready.push(result);
  }
  const written = await commitArticles(store, ready, nowMs, { keepWithdrawn: true, limit: (toWrite) => spend(budget, toWrite, report) });
  report.rejected.push(
    ...written.withdrawn.map((id) => ({
      key: id,
      reason: `ingest: source "${source.id}": article ${id} was withdrawn here; not taken again from the source`,
    })),
  );
  report.unchanged += written.same;
  count(report, written.report);
  return { complete: written.deferred === 0, settled: written.report.failed.length === 0 };
}

/**
 * Writes normalized articles against what is stored: identity by id, substance by fingerprint. Shared
 * by upstream sources and the push API.
 */
export async function commitArticles(
  store: ArticleStore,
  ready: readonly { article: Article; editions: string[] }[],
  nowMs: number,
  options: { keepWithdrawn: boolean; limit?: (toWrite: Article[]) => Article[] },
) {
  const ids = ready.map((r) => r.article.id);
  const stored = new Map((await store.byIds(ids)).map((a) => [a.id, a]));
  const withdrawn = options.keepWithdrawn ? await store.withdrawn(ids) : new Set<string>();
  const toWrite: Article[] = [];
  const links = new Map<string, string[]>();
  let same = 0;
  for (const { article, editions } of ready) {
    if (withdrawn.has(article.id)) continue;
    const before = stored.get(article.id);
    if (before && before.fingerprint === article.fingerprint) {
      same++;
      continue;
    }
    const next = before
      ? {
          ...article,
          published: before.published,
          story: before.story,
          slug: before.slug,
          // The source's own update time when it moved forward, else the moment the change was seen.
          updated: article.updated.ms > before.updated.ms ? article.updated : instantAt(nowMs, 0),
        }
      : article;
    toWrite.push(next);
    if (editions.length) links.set(article.id, editions);
  }
  const allowed = options.limit ? options.limit(toWrite) : toWrite;
  const report = await store.upsert(allowed, links);
  return { report, same, withdrawn: [...withdrawn], deferred: toWrite.length - allowed.length };
}
