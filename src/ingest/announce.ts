/** WebSub: after articles change, the hubs are told which feeds moved (https://www.w3.org/TR/websub/#publishing). */
import { FORMAT_NAMES } from "../feeds/formats.ts";
import { feedLinks } from "../feeds/links.ts";
import { DEFAULT_USER_AGENT, type IngestDeps } from "./deps.ts";
import type { Announcement } from "./report.ts";
import { publishToHubs } from "./websub.ts";

/** The feed versions before a change, when there are hubs to tell about it. */
export async function feedVersionsIfAnnouncing(deps: Pick<IngestDeps, "site" | "store">): Promise<Map<string, number> | null> {
  if (!deps.site.hubs?.length) return null;
  return new Map((await deps.store.feedVersions()).map((v) => [`${v.lang}\n${v.section}`, v.version]));
}

/**
 * Tells the WebSub hubs about exactly the feeds whose version moved since `before`: their
 * subscription documents in every format, through the runtime's one publish at a time when it keeps
 * state (see Announcements). Failures are reported, never thrown.
 */
export async function announceChanges(
  deps: Pick<IngestDeps, "site" | "store" | "fetch" | "now" | "userAgent" | "state">,
  before: Map<string, number>,
): Promise<Announcement> {
  const { site } = deps;
  const changed = (await deps.store.feedVersions()).filter((v) => before.get(`${v.lang}\n${v.section}`) !== v.version);
  const topics = changed.flatMap((v) => {
    const links = feedLinks(site.siteUrl, v.lang, v.section === "" ? undefined : v.section);
    return FORMAT_NAMES.map((format) => links[format]);
  });
  if (topics.length === 0) return { topics, failed: [] };
  const send = (batch: readonly string[]) =>
    publishToHubs(site.hubs ?? [], batch, { fetch: deps.fetch, now: deps.now, userAgent: deps.userAgent ?? DEFAULT_USER_AGENT });
  const results = await (deps.state ? deps.state.announcements.publish(topics, send) : send(topics));
  return { topics, failed: results.filter((r) => !r.ok).map((r) => ({ hub: r.hub, topic: r.topic, error: r.error ?? "failed" })) };
}
