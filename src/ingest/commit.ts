/**
 * The commit every source shares, and the push API with them: normalized articles written against
 * what is stored, within the run's write budget, and counted into the source's report.
 */
import type { SourceSettings } from "../config/site.ts";
import type { Article } from "../model/article.ts";
import { instantAt } from "../model/time.ts";
import type { ArticleStore, UpsertReport } from "../store/store.ts";
import type { IngestDeps } from "./deps.ts";
import type { IncomingItem } from "./incoming.ts";
import type { ItemSource } from "./normalize.ts";
import { ITEMS_PER_JOB, readerOf, type FeedPart } from "./reader.ts";
import type { SourceReport } from "./report.ts";

/** Writes left in this run. */
export interface Budget {
  left: number;
}

/** The part of `items` the run's write budget still allows; the rest is noted for the next run. */
export function spend<T>(budget: Budget, items: readonly T[], report: SourceReport): T[] {
  const allowed = items.slice(0, Math.max(0, budget.left));
  budget.left -= allowed.length;
  if (allowed.length < items.length) report.notes.push(`${items.length - allowed.length} articles left for the next run (write budget)`);
  return allowed;
}

/** Adds what the store wrote, and what it refused, to the source's report. */
export function count(report: SourceReport, written: UpsertReport) {
  report.new += written.inserted.length;
  report.updated += written.updated.length;
  report.unchanged += written.unchanged;
  report.rejected.push(...written.failed.map((f) => ({ key: f.id, reason: `${f.error} (${f.source})` })));
}

/**
 * Normalizes and writes an upstream source's items: an unchanged fingerprint writes nothing; a real
 * change keeps the publication time and story and moves the update time forward; a withdrawn article
 * stays withdrawn. `complete` is false when the write budget cut the document short, `settled` when
 * the store refused an article. The items are normalized ITEMS_PER_JOB at a time, each run asked for
 * before the one before it is written (see commitParts).
 */
export async function commitItems(
  deps: Pick<IngestDeps, "store" | "site" | "now" | "reader">,
  source: SourceSettings,
  items: IncomingItem[],
  report: SourceReport,
  budget: Budget,
): Promise<{ complete: boolean; settled: boolean }> {
  return commitParts(deps, source, report, budget, (itemSource, nowMs) => {
    const reader = readerOf(deps);
    const parts: Promise<FeedPart>[] = [];
    for (let start = 0; start === 0 || start < items.length; start += ITEMS_PER_JOB) {
      const run = items.slice(start, start + ITEMS_PER_JOB);
      parts.push(
        reader
          .normalize(run, itemSource, deps.site, nowMs)
          .then((normalized) => ({ problems: [], keys: run.map((i) => i.key), normalized })),
      );
    }
    return parts;
  });
}

/**
 * commitItems over a document read in parts (`read` asks for every part at once; the reader works on
 * them in order): each part is written as soon as it is read, while the reader goes on with the next,
 * so reading and writing overlap where the reader has a thread of its own. An id seen in an earlier
 * part is refused as in one document; a part that fails to be read fails the source, the parts before
 * it staying written (each article in full or not at all), and the document is read again at the next run.
 */
export async function commitParts(
  deps: Pick<IngestDeps, "store" | "site" | "now">,
  source: SourceSettings,
  report: SourceReport,
  budget: Budget,
  read: (itemSource: ItemSource, nowMs: number) => Promise<FeedPart>[],
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
  const parts = read(itemSource, nowMs);
  // Every part is awaited below in turn; one that fails while an earlier part is written waits for it.
  for (const part of parts) part.catch(() => undefined);
  const seenIds = new Set<string>();
  let deferred = 0;
  let settled = true;
  for (const part of parts) {
    const { problems, keys, normalized } = await part;
    report.notes.push(...problems);
    report.seen += keys.length;
    const ready: { article: Article; editions: string[] }[] = [];
    for (const [i, key] of keys.entries()) {
      const result = normalized[i]!;
      const refuse = (key: string, reason: string) =>
        report.rejected.push({ key, reason: `ingest: source "${source.id}": item ${key}: ${reason}` });
      if (!result.ok) {
        refuse(result.key, result.reason);
        continue;
      }
      if (seenIds.has(result.article.id)) {
        refuse(key, "the same id appears twice in the document; the first is kept");
        continue;
      }
      seenIds.add(result.article.id);
      report.notes.push(...result.notes.map((n) => `${key}: ${n}`));
      const fallbacks = (report.fallbacks ??= { noBody: 0, derivedTitle: 0, linkFromGuid: 0 });
      for (const fallback of result.fallbacks) fallbacks[fallback]++;
      ready.push(result);
    }
    const written = await commitArticles(store, ready, nowMs, {
      keepWithdrawn: true,
      // The note of what the budget left for the next run is made once, for the whole document.
      limit: (toWrite) => {
        const allowed = toWrite.slice(0, Math.max(0, budget.left));
        budget.left -= allowed.length;
        return allowed;
      },
      siteUrl: site.siteUrl,
    });
    deferred += written.deferred;
    report.rejected.push(
      ...written.withdrawn.map((id) => ({
        key: id,
        reason: `ingest: source "${source.id}": article ${id} was withdrawn here; not taken again from the source`,
      })),
    );
    report.unchanged += written.same;
    count(report, written.report);
    settled &&= written.report.failed.length === 0;
  }
  if (deferred > 0) report.notes.push(`${deferred} articles left for the next run (write budget)`);
  return { complete: deferred === 0, settled };
}

/**
 * Writes normalized articles against what is stored: identity by id, substance by fingerprint, with the
 * other editions each names, for the store to judge (see ArticleStore.linkEditions). Shared by upstream
 * sources and the push API. With `siteUrl` (upstream sources), an article whose URL is on our own site
 * (it gave none of its own) is marked as having no site of its own, so its links do not speak for ours.
 */
export async function commitArticles(
  store: ArticleStore,
  ready: readonly { article: Article; editions: string[] }[],
  nowMs: number,
  options: { keepWithdrawn: boolean; limit?: (toWrite: Article[]) => Article[]; siteUrl?: string },
) {
  const ids = ready.map((r) => r.article.id);
  const stored = new Map((await store.byIds(ids)).map((a) => [a.id, a]));
  const tombstoned = await store.withdrawn(ids);
  const withdrawn = options.keepWithdrawn ? tombstoned : new Set<string>();
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
      : tombstoned.has(article.id) && article.updated.ms < nowMs
        ? // The newsroom brings a withdrawn article back: a new update.
          { ...article, updated: instantAt(nowMs, 0) }
        : article;
    toWrite.push(next);
    if (editions.length) links.set(article.id, editions);
  }
  const allowed = options.limit ? options.limit(toWrite) : toWrite;
  const ours = options.siteUrl === undefined ? null : hostOf(options.siteUrl);
  const unsited = new Set(allowed.filter((a) => ours !== null && hostOf(a.url) === ours).map((a) => a.id));
  const report = await store.upsert(allowed, { targets: links, atMs: nowMs, unsited });
  return { report, same, withdrawn: [...withdrawn], deferred: toWrite.length - allowed.length };
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return null;
  }
}
