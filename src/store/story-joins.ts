/**
 * Which editions to join into one story, and which joins to refuse: pure, shared by every adapter.
 *
 * A link is trusted by who says it. The newsroom (the content folder, the push API) speaks for its own
 * stories: its links join. An upstream article joins another edition only through a link to a page on
 * its own site (the host of its own URL: a publisher naming its other edition), or through links in both
 * directions. A newsroom story is never joined by upstream links alone, whatever they say.
 *
 * The pass reads only the links from and to the articles just written (indexed lookups), never the whole
 * table, and none of them when no link is stored at all: `editionPass` is a generator that yields the statements it needs read and returns the writes,
 * so the SQLite adapter drives it inside one transaction and the D1 adapter with awaits.
 */
import type { SourceSettings } from "../config/site.ts";
import * as sql from "./queries.ts";
import type { Statement } from "./queries.ts";
import { PENDING_LINK_LIMITS, type EditionJoins, type PendingLinks } from "./store.ts";
import type { Article } from "../model/article.ts";

/** Upstream sources write their articles' `source` as `${kind}:${id}`; every other source is the newsroom's. */
const UPSTREAM_KINDS = { feed: true, sitemap: true } satisfies Record<SourceSettings["kind"], true>;

/** Whether an article's `source` is an upstream feed or sitemap (`feed:wire-ko`), not the newsroom. */
export function isUpstreamSource(source: string): boolean {
  const colon = source.indexOf(":");
  return colon > 0 && Object.hasOwn(UPSTREAM_KINDS, source.slice(0, colon));
}

/** An article as the pass sees it. */
export interface EditionEnd {
  id: string;
  url: string;
  story: string;
  lang: string;
  source: string;
}

/** A stored link: the naming article, the URL or id it names, and whether its article has a site of its own. */
interface LinkRow {
  article_id: string;
  target: string;
  sited: number;
}

/** Two stories a trusted link says are one; `newsroom` when the newsroom said it. */
export interface JoinPair {
  stories: [string, string];
  newsroom: boolean;
  /** The link, for messages: "<url> names <url>". */
  what: string;
}

/** An article of a story: its language and where it came from. */
export interface StoryMember {
  story: string;
  lang: string;
  source: string;
}

export interface StoryJoinPlan {
  /** [from, to]: every article of story `from` moves to story `to`. */
  renames: [string, string][];
  conflicts: string[];
}

/** What a pass decided: the joins and refusals, and the statements that carry them out (one transaction). */
export interface EditionPassResult extends EditionJoins {
  writes: Statement[];
}

/** What articleWrite takes of `links` for one article: the links it names, and how they were named. */
export function linksOf(article: Article, links: PendingLinks | undefined): [readonly string[], { atMs: number; sited: boolean }] {
  const named = links?.targets.get(article.id) ?? [];
  return [named, { atMs: links?.atMs ?? 0, sited: !(links?.unsited?.has(article.id) ?? false) }];
}

/** The statements that bound the waiting links after a write of some (none when the write named none). */
export function boundsAfter(articles: readonly Article[], links: PendingLinks | undefined): Statement[] {
  if (!links) return [];
  const sources = articles.filter((a) => (links.targets.get(a.id)?.length ?? 0) > 0).map((a) => a.source);
  return sources.length ? sql.boundPendingLinks(sources, links.atMs, links.limits ?? PENDING_LINK_LIMITS) : [];
}

/** Refused joins one pass describes at most (a source naming our page from thousands of articles is one line and a count). */
export const MAX_CONFLICTS_SAID = 50;

const unique = <T>(values: Iterable<T>) => [...new Set(values)];

/**
 * One pass over edition links: the articles in `written` (else those marked since the last pass), their
 * links both ways, the articles those links name, and those articles' stories; then the plan. Each
 * `yield` hands statements to run and gets back all their rows.
 */
export function* editionPass(written?: readonly string[]): Generator<Statement[], EditionPassResult, unknown[]> {
  const ids = written ? unique(written) : ((yield [sql.TOUCHED_ARTICLES]) as { article_id: string }[]).map((r) => r.article_id);
  if (ids.length === 0) return { joined: 0, conflicts: [], writes: [] };
  // No link stored at all (a first ingest, a site of one language): nothing to join, and the articles
  // need not be read.
  if ((yield [sql.ANY_EDITION_LINK]).length === 0) return { joined: 0, conflicts: [], writes: sql.clearTouches(ids) };
  const own = (yield sql.editionEndsByIds(ids)) as EditionEnd[];
  const ends = new Map(own.map((a) => [a.id, a]));
  const outgoing = (yield sql.linksFrom(own.map((a) => a.id))) as LinkRow[];
  const incoming = (yield sql.linksTo([...own.map((a) => a.id), ...own.map((a) => a.url)])) as LinkRow[];
  const links = [...new Map([...outgoing, ...incoming].map((l) => [`${l.article_id}\n${l.target}`, l])).values()];
  if (links.length === 0) return { joined: 0, conflicts: [], writes: sql.clearTouches(ids) };

  const targets = unique(links.map((l) => l.target));
  const missing = unique([...links.map((l) => l.article_id), ...targets]).filter((id) => !ends.has(id));
  for (const a of [
    ...((yield sql.editionEndsByIds(missing)) as EditionEnd[]),
    ...((yield sql.editionEndsByUrls(targets)) as EditionEnd[]),
  ]) {
    ends.set(a.id, a);
  }
  const byUrl = new Map<string, EditionEnd[]>();
  for (const a of ends.values()) byUrl.set(a.url, [...(byUrl.get(a.url) ?? []), a]);
  const named = (target: string) => unique([...(ends.has(target) ? [ends.get(target)!] : []), ...(byUrl.get(target) ?? [])]);

  const judged = judgeLinks(links, ends, named);
  const stories = unique(judged.pairs.flatMap((p) => p.stories));
  const members = stories.length ? ((yield sql.storyMembers(stories)) as StoryMember[]) : [];
  const plan = planStoryJoins(judged.pairs, members);

  const conflicts = [...judged.refused, ...plan.conflicts];
  if (conflicts.length > MAX_CONFLICTS_SAID) {
    conflicts.splice(MAX_CONFLICTS_SAID, Infinity, `and ${conflicts.length - MAX_CONFLICTS_SAID} more joins refused`);
  }
  return {
    joined: plan.renames.length,
    conflicts,
    writes: [...plan.renames.map(([from, to]) => sql.renameStory(from, to)), ...sql.clearTouches(ids)],
  };
}

/** The host of an http(s) URL, or null. */
function hostOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.host.toLowerCase() : null;
  } catch {
    return null;
  }
}

const describe = (a: EditionEnd) => `${a.url} (${a.source})`;

/**
 * Each pair of articles a link connects, judged by who names whom: the pairs to join, and a sentence for
 * every link refused (it stays stored, waiting for the other side to name it back).
 */
function judgeLinks(
  links: readonly LinkRow[],
  ends: ReadonlyMap<string, EditionEnd>,
  named: (target: string) => EditionEnd[],
): { pairs: JoinPair[]; refused: string[] } {
  const between = new Map<string, { x: EditionEnd; y: EditionEnd; namers: Map<string, LinkRow> }>();
  for (const link of links) {
    const from = ends.get(link.article_id);
    if (!from) continue;
    for (const to of named(link.target)) {
      if (to.id === from.id) continue;
      const [x, y] = from.id < to.id ? [from, to] : [to, from];
      const key = `${x.id}\n${y.id}`;
      const entry = between.get(key) ?? { x, y, namers: new Map<string, LinkRow>() };
      entry.namers.set(from.id, link);
      between.set(key, entry);
    }
  }
  const pairs: JoinPair[] = [];
  const refused: string[] = [];
  for (const key of [...between.keys()].sort()) {
    const { x, y, namers } = between.get(key)!;
    if (x.story === y.story) continue;
    const stories: [string, string] = [x.story, y.story];
    const byNewsroom = [...namers.keys()].find((id) => !isUpstreamSource(ends.get(id)!.source));
    if (byNewsroom !== undefined) {
      const [from, to] = byNewsroom === x.id ? [x, y] : [y, x];
      pairs.push({ stories, newsroom: true, what: `${from.url} names ${to.url}` });
      continue;
    }
    const [namerId, link] = [...namers.entries()][0]!;
    const [from, to] = namerId === x.id ? [x, y] : [y, x];
    const refuse = (why: string) => refused.push(`edition link refused: ${describe(from)} names ${describe(to)}, but ${why}; left apart`);
    if (!isUpstreamSource(x.source) || !isUpstreamSource(y.source)) {
      refuse("an upstream's links alone never join a newsroom article");
    } else if (namers.size === 2) {
      pairs.push({ stories, newsroom: false, what: `${x.url} and ${y.url} name each other` });
    } else if (link.sited === 1 && hostOf(from.url) !== null && hostOf(from.url) === hostOf(to.url)) {
      pairs.push({ stories, newsroom: false, what: `${from.url} names ${to.url} on its own site` });
    } else {
      refuse(link.sited === 1 ? "it is on another site, which does not name it back" : "it has no site of its own, and is not named back");
    }
  }
  return { pairs, refused };
}

/**
 * Union-find over the pairs, newsroom pairs first, each kind in a fixed order, so the result does not
 * depend on arrival order within a pass; each group keeps the newsroom's story key when it has one, else
 * the smallest (an upstream article's own starts with `~`). A pair whose groups both have an edition
 * in one language stays apart, as does a pair of upstream links that would reach a newsroom story; both
 * are reported.
 */
export function planStoryJoins(pairs: readonly JoinPair[], members: readonly StoryMember[]): StoryJoinPlan {
  const parent = new Map<string, string>();
  const groups = new Map<string, { langs: Set<string>; newsroom: boolean }>();
  for (const m of members) {
    const group = groups.get(m.story) ?? { langs: new Set<string>(), newsroom: false };
    group.langs.add(m.lang);
    group.newsroom ||= !isUpstreamSource(m.source);
    groups.set(m.story, group);
  }
  const groupOf = (story: string) => groups.get(story) ?? { langs: new Set<string>(), newsroom: false };
  const root = (story: string): string => {
    let r = story;
    while (parent.has(r)) r = parent.get(r)!;
    return r;
  };
  const conflicts: string[] = [];
  const sorted = pairs
    .map((p): JoinPair => ({ ...p, stories: p.stories[0] < p.stories[1] ? p.stories : [p.stories[1], p.stories[0]] }))
    .sort(
      (p, q) => Number(q.newsroom) - Number(p.newsroom) || compare(p.stories.join("\0"), q.stories.join("\0")) || compare(p.what, q.what),
    );
  for (const { stories, newsroom, what } of sorted) {
    const [a, b] = stories;
    const ra = root(a);
    const rb = root(b);
    if (ra === rb) continue;
    const ga = groupOf(ra);
    const gb = groupOf(rb);
    if (!newsroom && (ga.newsroom || gb.newsroom)) {
      conflicts.push(
        `edition link refused: ${what}, but an upstream's links alone never join a newsroom story ("${ga.newsroom ? ra : rb}"); left apart`,
      );
      continue;
    }
    const shared = [...ga.langs].filter((l) => gb.langs.has(l));
    if (shared.length) {
      conflicts.push(`stories "${a}" and "${b}" name each other (${what}) but both have a ${shared.join(", ")} edition; left apart`);
      continue;
    }
    const [keep, gone] = ga.newsroom !== gb.newsroom ? (ga.newsroom ? [ra, rb] : [rb, ra]) : ra < rb ? [ra, rb] : [rb, ra];
    parent.set(gone, keep);
    groups.set(keep, { langs: new Set([...ga.langs, ...gb.langs]), newsroom: ga.newsroom || gb.newsroom });
    groups.delete(gone);
  }
  const renames: [string, string][] = [...parent.keys()].sort().map((story) => [story, root(story)]);
  return { renames, conflicts };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
