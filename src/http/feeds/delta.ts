/**
 * Delta feeds, RFC 3229 with `A-IM: feed` (https://www.rfc-editor.org/rfc/rfc3229): each rendered version
 * leaves its items' state in the cache under its ETag, and a client that names a version still known gets
 * only the entries new or changed since, as `226 IM Used`.
 */
import { FORMATS } from "../../feeds/formats.ts";
import type { FeedModel } from "../../feeds/model.ts";
import { parseEntityTags } from "../conditional.ts";
import type { RenderCache } from "../render-cache.ts";
import { VARY } from "./headers.ts";
import { textAnswer, type Exchange, type FeedAnswer, type FeedRequest } from "./serving.ts";

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

/**
 * For an If-None-Match naming a version this server still knows, the entries of the exchange's model new or
 * changed since, as 226 with `validators`; null (the full feed follows) when no version named is known.
 */
export async function deltaAnswer(
  cache: RenderCache,
  exchange: Exchange & { model: FeedModel },
  validators: Readonly<Record<string, string>>,
): Promise<FeedAnswer | null> {
  const { request, spec, model } = exchange;
  const tags = parseEntityTags(request.header("if-none-match"));
  if (tags === "*") return null;
  for (const tag of tags.slice(0, MAX_DELTA_TAGS)) {
    const state = await cache.getState(stateKey(exchange.scope, tag));
    if (state === undefined) continue;
    const seen = new Set((JSON.parse(state) as [string, number][]).map(([id, updated]) => `${id}\n${updated}`));
    const delta = { ...model, items: model.items.filter((i) => !seen.has(`${i.id}\n${i.updated.ms}`)) };
    const format = FORMATS[spec.format];
    const headers = {
      ...validators,
      IM: "feed",
      Vary: `${VARY}, A-IM, If-None-Match`,
      "Cache-Control": "private, no-cache",
      ETag: exchange.document.etag,
      "Content-Type": format.contentType,
    };
    return textAnswer(request, 226, headers, format.render(delta));
  }
  return null;
}
