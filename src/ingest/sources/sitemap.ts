/**
 * What a sitemap source adds to the upstream poll: its child sitemaps and article pages, on its own
 * host, fetched a few per run (those not stored yet or changed since).
 */
import type { SourceSettings } from "../../config/site.ts";
import type { SourceDeps } from "../deps.ts";
import { DeadlinePassed } from "../fetch/errors.ts";
import type { IncomingItem, ParsedDocument } from "../incoming.ts";
import { itemId } from "../normalize.ts";
import type { SourceReport } from "../report.ts";
import { fetchListed } from "./upstream-fetch.ts";

/** Article pages read per sitemap per run: the rest wait for the next run. */
export const MAX_PAGES_PER_RUN = 50;
/** Child sitemaps of a sitemap index read per run. */
export const MAX_CHILD_SITEMAPS = 10;

type Sitemap = Extract<ParsedDocument, { kind: "sitemap" }>;

/**
 * The items of the sitemap's pages that are due, each page fetched and read as an article page. When
 * the source's deadline passes, the fetching stops: the pages read so far are returned (and committed),
 * the report says the source failed on its deadline, and the rest are read by the next run.
 */
export async function sitemapItems(
  deps: Pick<SourceDeps, "store" | "site" | "fetch" | "fetchChecked" | "now" | "userAgent" | "fetchTimeoutMs" | "signal" | "reader">,
  source: SourceSettings,
  document: Sitemap,
  report: SourceReport,
): Promise<IncomingItem[]> {
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
      if (stopped(deps.signal, report, "while reading the sitemap index")) return [];
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
  const reading = due.slice(0, MAX_PAGES_PER_RUN);
  for (const [i, page] of reading.entries()) {
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
      if (stopped(deps.signal, report, `after ${i} of ${reading.length} pages; those are kept, the rest are read next run`)) break;
      report.rejected.push({ key: page.url, reason: `ingest: source "${source.id}": page ${page.url}: ${(error as Error).message}` });
    }
  }
  return items;
}

/**
 * Whether the source's signal has stopped its work. On its deadline the report says the source failed
 * (`when` tells how far it got); any other reason (the run lost its lease) is thrown, so nothing is committed.
 */
function stopped(signal: AbortSignal | undefined, report: SourceReport, when: string): boolean {
  if (!signal?.aborted) return false;
  const reason: unknown = signal.reason;
  if (!(reason instanceof DeadlinePassed)) throw reason instanceof Error ? reason : new Error(String(reason));
  report.status = "failed";
  report.error = `${reason.message} ${when}`;
  return true;
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}
