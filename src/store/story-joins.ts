/** Which stories to join, given pairs of stories that name each other: pure, shared by every adapter. */

export interface StoryJoinPlan {
  /** [from, to]: every article of story `from` moves to story `to`. */
  renames: [string, string][];
  conflicts: string[];
}

/**
 * Union-find over the pairs, in a fixed order so the result does not depend on arrival order; each
 * group is named by its smallest story key. A pair whose groups both have an edition in one language
 * stays apart and is reported.
 */
export function planStoryJoins(pairs: readonly [string, string][], languages: ReadonlyMap<string, readonly string[]>): StoryJoinPlan {
  const parent = new Map<string, string>();
  const langs = new Map<string, Set<string>>();
  const root = (story: string): string => {
    let r = story;
    while (parent.has(r)) r = parent.get(r)!;
    return r;
  };
  const conflicts: string[] = [];
  const sorted = [...pairs]
    .map(([a, b]): [string, string] => (a < b ? [a, b] : [b, a]))
    .sort((x, y) => (x.join("\0") < y.join("\0") ? -1 : 1));
  for (const [a, b] of sorted) {
    const ra = root(a);
    const rb = root(b);
    if (ra === rb) continue;
    const la = langs.get(ra) ?? new Set(languages.get(ra) ?? []);
    const lb = langs.get(rb) ?? new Set(languages.get(rb) ?? []);
    const shared = [...la].filter((l) => lb.has(l));
    if (shared.length) {
      conflicts.push(`stories "${a}" and "${b}" name each other but both have a ${shared.join(", ")} edition; left apart`);
      continue;
    }
    const [keep, gone] = ra < rb ? [ra, rb] : [rb, ra];
    parent.set(gone, keep);
    langs.set(keep, new Set([...la, ...lb]));
    langs.delete(gone);
  }
  const renames: [string, string][] = [...parent.keys()].sort().map((story) => [story, root(story)]);
  return { renames, conflicts };
}
