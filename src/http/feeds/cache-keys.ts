/** Where a feed's rendered documents are kept in the render cache: its scope (every version) and its key at one version. */
import { pageQuery } from "../../feeds/links.ts";
import { termId } from "../../model/terms.ts";
import type { FeedSpec } from "./serving.ts";

export interface Location {
  scope: string;
  key: string;
}

/**
 * The last location worked out per spec, for specs that live as long as the server (Node's table of
 * subscription documents): the same key string each time, so the cache's map does not hash it again.
 * Kept weakly: a spec made for one request goes with it.
 */
export class FeedLocations {
  readonly #last = new WeakMap<FeedSpec, Location & { version: number }>();

  constructor(
    /** Names what else the bytes depend on (see FeedServing.namespace). */
    private readonly namespace: string,
    /** Items in a subscription document without `?limit=`. */
    private readonly itemCount: number,
  ) {}

  at(spec: FeedSpec, version: number): Location {
    const last = this.#last.get(spec);
    if (last !== undefined && last.version === version) return last;
    const latest = `${spec.corrections ? "corrections-" : ""}latest-${spec.limit ?? this.itemCount}`;
    const variant =
      spec.archive === undefined ? latest : `archive-${spec.archive}${spec.before === undefined ? "" : pageQuery(spec.before)}`;
    // A term's id holds a `/` (`tag/ai`), which no section slug does: the two never name one scope.
    const feed = spec.term === undefined ? (spec.section?.slug ?? "") : termId(spec.term);
    const scope = `${this.namespace}/${spec.language.tag}/${feed}/${spec.format}/${variant}`;
    const location = { version, scope, key: `${scope}/${version}` };
    this.#last.set(spec, location);
    return location;
  }
}
