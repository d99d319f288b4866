/** Requests to an upstream source, and to the URLs it lists, under the source's size cap, its deadline and the address rules. */
import type { SourceSettings } from "../../config/site.ts";
import { DEFAULT_USER_AGENT, type SourceDeps } from "../deps.ts";
import { fetchDocument, type FetchOutcome, type FetchRequest } from "../fetch/document.ts";
import { FetchError } from "../fetch/errors.ts";
import type { ParsedDocument } from "../incoming.ts";
import { readerOf } from "../reader.ts";

const FETCH_TIMEOUT_MS = 20_000;
const MAX_REDIRECTS = 5;

type FetchDeps = Pick<SourceDeps, "fetch" | "fetchChecked" | "now" | "userAgent" | "fetchTimeoutMs" | "signal" | "reader">;

/**
 * One GET of the URL the operator wrote for `source`, conditional when the validators of its last
 * answer are given: fetched as written, and every redirect it takes must reach a public address
 * unless the source allows private ones.
 */
export function fetchUpstream(
  deps: FetchDeps,
  source: SourceSettings,
  url: string,
  validators: { etag?: string; lastModified?: string } = {},
): Promise<FetchOutcome> {
  return fetchFor(deps, source, { url, ...validators, publicOnly: source.allowPrivate ? "none" : "redirects" });
}

/**
 * A URL the source lists (a child sitemap, an article page), fetched with the source's limits and
 * parsed. The upstream chose it, so it must reach a public address, redirects included, unless the
 * source allows private ones: every URL an upstream chooses is fetched through here.
 */
export async function fetchListed(deps: FetchDeps, source: SourceSettings, url: string): Promise<ParsedDocument> {
  const outcome = await fetchFor(deps, source, { url, publicOnly: source.allowPrivate ? "none" : "all" });
  if (outcome.kind !== "fetched") throw new FetchError(`fetch: ${url}: answered ${outcome.kind}`);
  return readerOf(deps).parse(outcome.text, outcome.contentType, outcome.url);
}

function fetchFor(
  deps: FetchDeps,
  source: SourceSettings,
  request: Pick<FetchRequest, "url" | "etag" | "lastModified" | "publicOnly">,
): Promise<FetchOutcome> {
  return fetchDocument(
    {
      ...request,
      maxBytes: source.maxBytes,
      timeoutMs: deps.fetchTimeoutMs ?? FETCH_TIMEOUT_MS,
      maxRedirects: MAX_REDIRECTS,
      userAgent: deps.userAgent ?? DEFAULT_USER_AGENT,
      ...(deps.signal && { signal: deps.signal }),
    },
    deps.fetch,
    deps.now,
    deps.fetchChecked,
  );
}
