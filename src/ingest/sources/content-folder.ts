/**
 * The content folder as a source: new and changed files become articles, files dated later are
 * scheduled, files marked `withdrawn:` and deleted files withdraw theirs.
 */
import { inZone, instantAt } from "../../model/time.ts";
import type { Article } from "../../model/article.ts";
import { articleToRow } from "../../store/store.ts";
import { count, spend, type Budget } from "../commit.ts";
import type { ContentFolder, IngestDeps } from "../deps.ts";
import type { SourceReport } from "../report.ts";
import { readContent } from "./content-file.ts";
import type { Source } from "./source.ts";

export function contentFolderSource(
  deps: Pick<IngestDeps, "store" | "site" | "now">,
  content: () => ContentFolder,
  budget: Budget,
): Source {
  return { label: "content", ingest: (report) => ingestContent(deps, content(), report, budget) };
}

async function ingestContent(
  deps: Pick<IngestDeps, "store" | "site" | "now">,
  folder: ContentFolder,
  report: SourceReport,
  budget: Budget,
) {
  const { store, site, now } = deps;
  const nowMs = now();
  const { articles, withdrawn, problems } = readContent(folder.files, {
    settings: site.settings,
    siteUrl: site.siteUrl,
    mediaSize: (name) => folder.mediaSize(name),
    folder: folder.folder,
  });
  report.seen = folder.files.length;
  report.rejected.push(...problems.map((p) => ({ key: p.path, reason: p.message })));
  // Posted later than now: kept apart until then (see releaseDue), in no feed or page before.
  const due = articles.filter((a) => a.published.ms <= nowMs);
  const later = articles.filter((a) => a.published.ms > nowMs);
  const written = await restoredAsUpdates(deps, due, nowMs);
  // Compared here first, so a run over an unchanged folder reads the store and writes nothing.
  const stored = new Map((await store.byIds(written.map((a) => a.id))).map((a) => [a.id, JSON.stringify(articleToRow(a))]));
  const changed = written.filter((a) => stored.get(a.id) !== JSON.stringify(articleToRow(a)));
  report.unchanged += written.length - changed.length;
  count(report, await store.upsert(spend(budget, changed, report)));
  if (later.length) {
    const waiting = new Map((await store.scheduled(later.map((a) => a.id))).map((a) => [a.id, JSON.stringify(articleToRow(a))]));
    const moved = later.filter((a) => waiting.get(a.id) !== JSON.stringify(articleToRow(a)));
    report.unchanged += later.length - moved.length;
    // Few, and the newsroom's own: outside the run's write budget, like withdrawals.
    const scheduled = (await store.schedule(moved)).length;
    if (scheduled) report.scheduled = scheduled;
  }
  // A file marked withdrawn takes its article down, with its reason; the same reason again changes nothing.
  // One dated later was never public: it only leaves the schedule, and no tombstone says it existed.
  const neverPublic = withdrawn.filter((w) => w.article.published.ms > nowMs).map((w) => w.article.id);
  if (neverPublic.length) report.unchanged += neverPublic.length - (await store.unschedule(neverPublic)).length;
  const shown = withdrawn.filter((w) => w.article.published.ms <= nowMs);
  const tombstones = new Map((await store.tombstones(shown.map((w) => w.article.id))).map((t) => [t.id, t]));
  const takeDown = shown.filter(({ article, why }) => {
    const t = tombstones.get(article.id);
    return !t || t.legal !== (why.legal ?? false) || t.reason !== (why.legal ? "" : (why.reason ?? ""));
  });
  report.unchanged += shown.length - takeDown.length;
  // A file dates its takedown by its `updated:` time (when it gives one, not ahead of now); else now.
  const takenDown = await store.withdrawGiven(
    takeDown.map((w) => ({ ...w, atMs: w.article.updated.ms > w.article.published.ms ? Math.min(w.article.updated.ms, nowMs) : nowMs })),
  );
  // Only a deleted file withdraws its article: one that fails to parse keeps it, since a typo must not
  // take a published story down. A deleted file that was only scheduled leaves nothing behind.
  const files = new Set(folder.files.map((f) => `${folder.folder}/${f.path}`));
  const kept = new Set([...articles, ...withdrawn.map((w) => w.article)].map((a) => a.id));
  const goneFile = (a: { id: string; source: string }) => !files.has(a.source) && !kept.has(a.id);
  const gone = (await store.fromSource(`${folder.folder}/`)).filter(goneFile).map((a) => a.id);
  await store.unschedule((await store.scheduledFromSource(`${folder.folder}/`)).filter(goneFile).map((a) => a.id));
  report.withdrawn = takenDown.length + (await store.withdraw(gone, nowMs)).length;
}

/**
 * An article the newsroom brings back (its file's `withdrawn:` taken away) is a new update: its update
 * time moves to now, and, as for every article of the folder, never goes back to the file's earlier one.
 */
async function restoredAsUpdates(deps: Pick<IngestDeps, "store" | "site">, articles: Article[], nowMs: number): Promise<Article[]> {
  const ids = articles.map((a) => a.id);
  const [restored, stored] = await Promise.all([deps.store.withdrawn(ids), deps.store.byIds(ids)]);
  const updatedBefore = new Map(stored.map((a) => [a.id, a.updated]));
  const at = inZone(instantAt(nowMs, 0), deps.site.settings.timezone);
  return articles.map((a) => {
    const before = updatedBefore.get(a.id);
    if (restored.has(a.id) && a.updated.ms < nowMs) return { ...a, updated: at };
    if (before && before.ms > a.updated.ms) return { ...a, updated: before };
    return a;
  });
}
