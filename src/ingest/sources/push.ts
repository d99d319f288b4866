/**
 * The push API as a source: a pushed body is taken whole or not at all, its items normalized under the
 * site's defaults and committed, editions linked, and the hubs told. The HTTP route only reads the
 * request and answers with what this returns.
 */
import type { SiteSettings } from "../../config/site.ts";
import type { UpsertReport } from "../../store/store.ts";
import { announceChanges, beforeChangeIfAnnouncing, type Announced, type BeforeChange } from "../announce.ts";
import { commitArticles } from "../commit.ts";
import type { IngestDeps } from "../deps.ts";
import { itemId, type ItemSource, type Normalized } from "../normalize.ts";
import { readerOf } from "../reader.ts";
import { withdrawReason } from "./content-file.ts";
import { parsePushBody } from "./push-body.ts";

const SOURCE_NAME = "push";

type PushDeps = Pick<IngestDeps, "store" | "site" | "now" | "fetch" | "userAgent" | "reader" | "state" | "logger">;

/** What was written; `announcement` is the hubs and IndexNow being told, still under way, for the runtime to keep alive. */
export type Pushed =
  | { ok: false; problems: string[] }
  | {
      ok: true;
      result: {
        ids: string[];
        new: string[];
        updated: string[];
        unchanged: number;
        failed: UpsertReport["failed"];
        conflicts: string[];
        /** Articles kept for their later `date_published` (written or changed by this push); absent when none. */
        scheduled?: string[];
      };
      announcement: Promise<Announced> | null;
    };

/** Takes a parsed JSON body: every problem of any item refuses the whole body, and nothing is stored. */
export async function pushArticles(deps: PushDeps, body: unknown): Promise<Pushed> {
  const { store, site } = deps;
  const parsed = parsePushBody(body, site.siteUrl);
  if (!parsed.ok) return { ok: false, problems: parsed.errors };
  const nowMs = deps.now();
  const source = pushSource(site.settings);
  const where = (i: number) => (Array.isArray(body) ? `[${i}]` : "body");
  // A section we do not have is the publisher's mistake, said in the answer rather than filed elsewhere.
  const unknownSections = parsed.items.flatMap((item, i) =>
    item.sections
      .filter((s) => !(s in source.sections))
      .map((s) => `${where(i)}: section "${s}" is not one of ours (${Object.keys(source.sections).join(", ")})`),
  );
  if (unknownSections.length) return { ok: false, problems: unknownSections };
  let normalized: Normalized[];
  try {
    normalized = await readerOf(deps).normalize(parsed.items, source, site, nowMs);
  } catch (error) {
    // A body whose HTML the reader gave up on (its deadline or memory cap): refused, with the reason.
    return { ok: false, problems: [`body: ${(error as Error).message}`] };
  }
  const refused = normalized.flatMap((n, i) => (n.ok ? [] : [`${where(i)}: ${n.reason}`]));
  if (refused.length) return { ok: false, problems: refused };

  const all = normalized.flatMap((n) => (n.ok ? [n] : []));
  // A new article dated later is scheduled; one already published keeps its publication time.
  const published = new Set((await store.byIds(all.map((r) => r.article.id))).map((a) => a.id));
  const isLater = (r: (typeof all)[number]) => r.article.published.ms > nowMs && !published.has(r.article.id);
  const later = all.filter(isLater);
  const ready = all.filter((r) => !isLater(r));
  const scheduled = later.length
    ? await store.schedule(
        later.map((r) => r.article),
        { targets: new Map(later.map((r) => [r.article.id, r.editions])), atMs: nowMs },
      )
    : [];
  const before = await beforeChangeIfAnnouncing(deps);
  const { report } = await commitArticles(store, ready, nowMs, { keepWithdrawn: false });
  // Only the links of what this push wrote are judged, so the answer names the joins it refused.
  const links = await store.linkEditions([...report.inserted, ...report.updated]);
  return {
    ok: true,
    result: {
      ids: all.map((r) => r.article.id),
      new: report.inserted,
      updated: report.updated,
      unchanged: all.length - report.inserted.length - report.updated.length - report.failed.length - scheduled.length,
      failed: report.failed,
      conflicts: links.conflicts,
      ...(scheduled.length ? { scheduled } : {}),
    },
    announcement: before ? announce(deps, before) : null,
  };
}

/**
 * Withdraws the pushed article with the id its publisher gave, with `reason` read as front matter's
 * `withdrawn:` is (`legal: …` for a legal takedown); `withdrawn` is empty when there is none. A pushed
 * article still waiting for its time is taken off the schedule instead (`unscheduled`), leaving nothing.
 */
export async function withdrawPushed(
  deps: PushDeps,
  id: string,
  reason?: string,
): Promise<{ withdrawn: string[]; unscheduled: string[]; announcement: Promise<Announced> | null }> {
  const articleId = itemId(deps.site.settings, SOURCE_NAME, id);
  const unscheduled = await deps.store.unschedule([articleId]);
  const before = await beforeChangeIfAnnouncing(deps);
  const why = reason === undefined || reason.trim() === "" ? {} : (withdrawReason(reason) ?? {});
  const withdrawn = await deps.store.withdraw([articleId], deps.now(), why);
  return { withdrawn, unscheduled, announcement: before && withdrawn.length ? announce(deps, before) : null };
}

/** Tells the hubs and IndexNow after the answer has gone; with no run report to keep them, failures go to the log. */
async function announce(deps: PushDeps, before: BeforeChange): Promise<Announced> {
  const announced = await announceChanges(deps, before);
  for (const failure of [...(announced.websub?.failed ?? []), ...(announced.indexnow?.failed ?? [])]) deps.logger.error(failure.error);
  return announced;
}

/** Pushed items default to the first language and its first section, and name our sections by slug. */
function pushSource(settings: SiteSettings): ItemSource {
  const [language] = settings.languages;
  const sections: Record<string, string> = {};
  for (const l of settings.languages) for (const s of l.sections) sections[s.slug] = s.slug;
  return {
    name: SOURCE_NAME,
    lang: language!.tag,
    section: language!.sections[0]!.slug,
    sections,
    timezone: settings.timezone,
    schedules: true,
  };
}
