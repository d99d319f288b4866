/** Requests to an upstream source, and to the URLs it lists, under the source's size cap and the run's deadline. */
import type { SourceSettings } from "../../config/site.ts";
import { DEFAULT_USER_AGENT, type IngestDeps } from "../deps.ts";
import { fetchDocument, type FetchOutcome } from "../fetch/document.ts";
import { FetchError } from "../fetch/errors.ts";
import type { ParsedDocument } from "../incoming.ts";
import { readerOf } from "../reader.ts";

const FETCH_TIMEOUT_MS = 20_000;
const MAX_REDIRECTS = 5;

type FetchDeps = Pick<IngestDeps, "fetch" | "now" | "userAgent" | "fetchTimeoutMs" | "reader">;

/** One GET for `source`, conditional when the validators of its last answer are given. */
export function fetchUpstream(
  deps: FetchDeps,
  source: SourceSettings,
  url: string,
  validators: { etag?: string; lastModified?: string } = {},
): Promise<FetchOutcome> {
  return fetchDocument(
    {
      url,
      ...validators,
      maxBytes: source.maxBytes,
      timeoutMs: deps.fetchTimeoutMs ?? FETCH_TIMEOUT_MS,
      maxRedirects: MAX_REDIRECTS,
      userAgent: deps.userAgent ?? DEFAULT_USER_AGENT,
    },
    deps.fetch,
    deps.now,
  );
}

/** A URL the source lists (a child sitemap, an article page), fetched with the source's limits and parsed. */
export async function fetchListed(deps: FetchDeps, source: SourceSettings, url: string): Promise<ParsedDocument> {
  const outcome = await fetchUpstream(deps, source, url);
  if (outcome.kind !== "fetched") throw new FetchError(`fetch: ${url}: answered ${outcome.kind}`);
  return readerOf(deps).parse(outcome.text, outcome.contentType, outcome.url);
}
