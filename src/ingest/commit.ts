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
import { readerOf } from "./reader.ts";
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
 * the store refused an article.
 */
export async function commitItems(
  deps: Pick<IngestDeps, "store" | "site" | "now" | "reader">,
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
  const normalized = await readerOf(deps).normalize(items, itemSource, site, nowMs);
  for (const [i, item] of items.entries()) {
    const result = normalized[i]!;
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
    const fallbacks = (report.fallbacks ??= { noBody: 0, derivedTitle: 0, linkFromGuid: 0 });
    for (const fallback of result.fallbacks) fallbacks[fallback]++;
    ready.push(result);
  }
  const written = await commitArticles(store, ready, nowMs, {
    keepWithdrawn: true,
    limit: (toWrite) => spend(budget, toWrite, report),
    siteUrl: site.siteUrl,
  });
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
