/** The content folder as a source: new and changed files become articles, deleted files withdraw theirs. */
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
  const { articles, problems } = readContent(folder.files, {
    settings: site.settings,
    siteUrl: site.siteUrl,
    mediaSize: (name) => folder.mediaSize(name),
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
