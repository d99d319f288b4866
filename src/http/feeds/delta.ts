/**
 * Delta feeds, RFC 3229 with `A-IM: feed` (https://www.rfc-editor.org/rfc/rfc3229): each rendered version
 * leaves its items' state in the cache under its ETag, and a client that names a version still known gets
 * only the entries new or changed since, as `226 IM Used`. A delta is made once per pair of versions and
 * kept with the other variants of its feed (see variants.ts).
 */
import { FORMATS } from "../../feeds/formats.ts";
import type { FeedModel } from "../../feeds/model.ts";
import { parseEntityTags } from "../conditional.ts";
import type { RenderCache } from "../render-cache.ts";
import { VARY } from "./headers.ts";
import type { Exchange, FeedAnswer, FeedRequest } from "./serving.ts";

/**
 * Entity tags of one If-None-Match looked up for a delta: a reader sends the one it holds, and a list of
 * thousands must not cost thousands of cache reads (on Workers, each is a subrequest, and they are capped).
 */
const MAX_DELTA_TAGS = 8;

/** The state a version leaves for later deltas: each item's id and update time. */
export function stateOf(model: FeedModel): string {
  return JSON.stringify(model.items.map((i) => [i.id, i.updated.ms]));
}

/** Where a version's state is kept: beside its documents, under its ETag. */
export function stateKey(scope: string, etag: string): string {
  return `${scope}/${etag}`;
}

/** Whether the client asks for a delta feed: `A-IM: feed`. */
export function asksForDelta(request: FeedRequest): boolean {
  const header = request.header("a-im");
  return header !== undefined && header.split(",").some((s) => s.trim().split(";")[0]!.toLowerCase() === "feed");
}

/** A version a delta starts from: the entity tag the client named, and the state it left. */
export interface DeltaBase {
  tag: string;
  state: string;
}

/**
 * The first version named by the request's If-None-Match that `cache` still knows the state of (looking at
 * no more than eight tags), or null: then the full feed follows, and nothing needs to be read or rendered.
 */
export async function deltaBase(cache: RenderCache, scope: string, request: FeedRequest): Promise<DeltaBase | null> {
  const tags = parseEntityTags(request.header("if-none-match"));
  if (tags === "*") return null;
  for (const tag of tags.slice(0, MAX_DELTA_TAGS)) {
    const state = await cache.getState(stateKey(scope, tag));
    if (state !== undefined) return { tag, state };
  }
  return null;
}

/** Where the delta from `base` to the exchange's document is kept once made (see variants.ts). */
export function deltaKey(exchange: Exchange, base: DeltaBase): string {
  return `${exchange.scope}/delta/${exchange.document.etag}/${base.tag}`;
}

/** The delta document: `model`'s entries new or changed since `base`, in the exchange's format. */
export function deltaText(exchange: Exchange, model: FeedModel, base: DeltaBase): string {
  const seen = new Set((JSON.parse(base.state) as [string, number][]).map(([id, updated]) => `${id}\n${updated}`));
  const delta = { ...model, items: model.items.filter((i) => !seen.has(`${i.id}\n${i.updated.ms}`)) };
  return FORMATS[exchange.spec.format].render(delta);
}

/** The 226 of a delta document, with the document's `validators`. */
export function deltaAnswer(exchange: Exchange, validators: Readonly<Record<string, string>>, body: Uint8Array): FeedAnswer {
  const headers = {
    ...validators,
    IM: "feed",
    Vary: `${VARY}, A-IM, If-None-Match`,
    "Cache-Control": "private, no-cache",
    ETag: exchange.document.etag,
    "Content-Type": FORMATS[exchange.spec.format].contentType,
    "Content-Length": String(body.byteLength),
  };
  return { status: 226, headers, body: exchange.request.method === "HEAD" ? null : body };
}
