/**
 * After articles change, those who want to know are told what moved: the WebSub hubs which feeds
 * (https://www.w3.org/TR/websub/#publishing), IndexNow which pages (https://www.indexnow.org/documentation).
 * Both measure the change against the store as it was before it, so every kind of change is told the same way.
 */
import { FORMAT_NAMES } from "../feeds/formats.ts";
import type { FeedLinks } from "../feeds/model.ts";
import { articlePath, correctionsLinks, feedLinks, termFeedLinks } from "../feeds/links.ts";
import { termOfId } from "../model/terms.ts";
import { DEFAULT_USER_AGENT, type IngestDeps } from "./deps.ts";
import { sendToIndexNow, type IndexNowReport } from "./indexnow.ts";
import type { Announcement } from "./report.ts";
import { publishToHubs } from "./websub.ts";

/** The store before a change: every feed's version, and where the log of article changes stood (when IndexNow is on). */
export interface BeforeChange {
  feeds: Map<string, number>;
  /** Every author's and tag's feed version, when there are hubs to tell. */
  terms: Map<string, number> | null;
  articles: number | null;
}

/** What the hubs and IndexNow were told; each is absent when it is not configured. */
export interface Announced {
  websub?: Announcement;
  indexnow?: IndexNowReport;
}

/** The store before a change, when there are hubs or IndexNow endpoints to tell about it. */
export async function beforeChangeIfAnnouncing(deps: Pick<IngestDeps, "site" | "store">): Promise<BeforeChange | null> {
  const { site, store } = deps;
  if (!site.hubs?.length && !site.indexNow) return null;
  const feeds = new Map((await store.feedVersions()).map((v) => [`${v.lang}\n${v.section}`, v.version]));
  const terms = site.hubs?.length ? new Map((await store.termFeedVersions()).map((v) => [`${v.lang}\n${v.term}`, v.version])) : null;
  return { feeds, terms, articles: site.indexNow ? await store.articleChangeMark() : null };
}

/**
 * Tells the WebSub hubs about exactly the feeds whose version moved since `before` (their subscription
 * documents in every format, through the runtime's one publish at a time when it keeps state, see
 * Announcements), and IndexNow about the pages that changed: the article pages (every edition whose page
 * changed, withdrawn ones included) and the HTML pages of the feeds that moved (a language's front page,
 * a section's page). Both at once; failures are reported, never thrown.
 */
export async function announceChanges(
  deps: Pick<IngestDeps, "site" | "store" | "fetch" | "now" | "userAgent" | "state">,
  before: BeforeChange,
): Promise<Announced> {
  const { site } = deps;
  const changed = (await deps.store.feedVersions()).filter((v) => before.feeds.get(`${v.lang}\n${v.section}`) !== v.version);
  const links = changed.map((v) => feedLinks(site.siteUrl, v.lang, v.section === "" ? undefined : v.section));
  const [websub, indexnow] = await Promise.all([
    site.hubs?.length
      ? publish(
          deps,
          [...links, ...(await otherFeedsMoved(deps, before, changed))].flatMap((l) => FORMAT_NAMES.map((format) => l[format])),
        )
      : undefined,
    site.indexNow && before.articles !== null
      ? indexNow(
          deps,
          before.articles,
          links.map((l) => l.html),
        )
      : undefined,
  ]);
  return { ...(websub ? { websub } : {}), ...(indexnow ? { indexnow } : {}) };
}

/**
 * The hubs hear of the other feeds that name them too: the author and tag feeds whose version moved,
 * and a language's corrections feed whenever the language's feed moved (it follows that version, so it
 * may be told of a change that left it the same; a hub then delivers the same entries again).
 */
async function otherFeedsMoved(
  deps: Pick<IngestDeps, "site" | "store">,
  before: BeforeChange,
  changed: readonly { lang: string; section: string }[],
): Promise<FeedLinks[]> {
  const { site } = deps;
  const corrections = changed.filter((v) => v.section === "").map((v) => correctionsLinks(site.siteUrl, v.lang));
  if (before.terms === null) return corrections;
  const terms = (await deps.store.termFeedVersions()).flatMap((v) => {
    const term = termOfId(v.term);
    return term !== null && before.terms!.get(`${v.lang}\n${v.term}`) !== v.version ? [termFeedLinks(site.siteUrl, v.lang, term)] : [];
  });
  return [...corrections, ...terms];
}

async function publish(deps: Parameters<typeof announceChanges>[0], topics: string[]): Promise<Announcement> {
  if (topics.length === 0) return { topics, failed: [] };
  const send = (batch: readonly string[]) =>
    publishToHubs(deps.site.hubs ?? [], batch, { fetch: deps.fetch, now: deps.now, userAgent: deps.userAgent ?? DEFAULT_USER_AGENT });
  const results = await (deps.state ? deps.state.announcements.publish(topics, send) : send(topics));
  return { topics, failed: results.filter((r) => !r.ok).map((r) => ({ hub: r.hub, topic: r.topic, error: r.error ?? "failed" })) };
}

async function indexNow(deps: Parameters<typeof announceChanges>[0], since: number, listings: string[]): Promise<IndexNowReport> {
  const { site } = deps;
  let articles: { lang: string; slug: string }[];
  try {
    articles = await deps.store.changedArticles(since);
  } catch (error) {
    const reason = `indexnow: unable to read which articles changed: ${(error as Error).message}; nothing sent`;
    return { urls: 0, sent: 0, failed: site.indexNow!.endpoints.map((endpoint) => ({ endpoint, urls: 0, error: reason })) };
  }
  const urls = [...articles.map((a) => `${site.siteUrl}${articlePath(a.lang, encodeURIComponent(a.slug))}`), ...listings];
  return sendToIndexNow(site.indexNow!, site.siteUrl, urls, {
    fetch: deps.fetch,
    now: deps.now,
    userAgent: deps.userAgent ?? DEFAULT_USER_AGENT,
  });
}
