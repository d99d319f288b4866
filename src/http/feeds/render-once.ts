/**
 * Rendering a feed document (or a preview, or a delta) once per data version: requests for the same cache
 * key that arrive while it renders (a crowd of crawlers just after an ingest) wait for that one rendering
 * instead of each doing their own.
 */
import { readFeed } from "../../feeds/build.ts";
import { readCorrectionsFeed } from "../../feeds/corrections.ts";
import { FORMATS } from "../../feeds/formats.ts";
import type { FeedModel } from "../../feeds/model.ts";
import { fnv64 } from "../../model/hash.ts";
import type { RenderCache, RenderedDocument } from "../render-cache.ts";
import type { Location } from "./cache-keys.ts";
import { stateKey, stateOf } from "./delta.ts";
import type { Defer, FeedServing, FeedSpec } from "./serving.ts";

export interface Rendered {
  document: RenderedDocument;
  model: FeedModel;
}

const encoder = new TextEncoder();

/** The feed model of `spec`, read from the store. */
export function readModel(serving: FeedServing, spec: FeedSpec): Promise<FeedModel> {
  if (spec.corrections) return readCorrectionsFeed(serving.store, serving.site, spec.language, spec.limit);
  return readFeed(serving.store, serving.site, {
    language: spec.language,
    section: spec.section,
    archive: spec.archive,
    limit: spec.limit,
    before: spec.before,
    term: spec.term,
  });
}

/** Whether a document is nothing to serve: an archive month, or an author or tag, without articles. */
export function isEmptyAndGone(spec: FeedSpec, model: FeedModel): boolean {
  return (spec.archive !== undefined || spec.term !== undefined) && model.items.length === 0;
}

/** Renderings under way for one app, by cache key; each leaves the map when it settles, so the map holds only what is rendering. */
export class RenderOnce {
  readonly #pending = new Map<string, Promise<unknown>>();

  constructor(private readonly serving: FeedServing) {}

  /** `make()`, unless a making under `key` is under way: then that one's result. */
  once<T>(key: string, make: () => Promise<T>): Promise<T> {
    let making = this.#pending.get(key) as Promise<T> | undefined;
    if (!making) {
      making = make().finally(() => this.#pending.delete(key));
      this.#pending.set(key, making);
    }
    return making;
  }

  /**
   * `spec` rendered at the version of `location.key`, kept in `cache` with the state later deltas start
   * from (the writes go to `defer`); null for an archive month without articles.
   */
  render(spec: FeedSpec, location: Location, defer: Defer, cache: RenderCache | undefined): Promise<Rendered | null> {
    return this.once(location.key, () => this.#render(spec, location, defer, cache));
  }

  async #render(spec: FeedSpec, location: Location, defer: Defer, cache: RenderCache | undefined): Promise<Rendered | null> {
    const model = await readModel(this.serving, spec);
    if (isEmptyAndGone(spec, model)) return null;
    const text = FORMATS[spec.format].render(model);
    const document = { body: encoder.encode(text), etag: `"${fnv64(text)}"`, lastModified: Math.floor(model.updated.ms / 1000) * 1000 };
    cache?.put(location.key, document, defer);
    cache?.putState(stateKey(location.scope, document.etag), stateOf(model), defer);
    return { document, model };
  }
}
