/** What the Worker builds from its environment: the same app and ingest as Node, over D1 and the Cache API. */
import { readRuntimeConfig } from "../config/env.ts";
import { ConfigError } from "../config/error.ts";
import { parseSiteSettings } from "../config/site.ts";
import { createApp } from "../http/app.ts";
import type { Logger } from "../model/logger.ts";
import { memoryCache, type RenderCache } from "../http/render-cache.ts";
import { createIngestState, type IngestDeps } from "../ingest/deps.ts";
import { d1Store } from "../store/d1.ts";
import { bundledFolder, type EdgeContent } from "./edge-content.ts";

/**
 * The Worker's bindings. `Env` holds those of wrangler.toml, generated into worker-configuration.d.ts by
 * `npm run types:worker`; these are set elsewhere, so the generator cannot see them.
 */
export interface WorkerEnv extends Env {
  /** A secret (`wrangler secret put INGEST_TOKEN`), never in wrangler.toml; the push API is off without it. */
  INGEST_TOKEN?: string;
  /** Settings an operator may add as vars; without them the Node defaults apply. */
  FEED_MAX_AGE?: string;
  WEBSUB_HUBS?: string;
  /** IndexNow: the key served at `/{key}.txt`, and where pings go (comma-separated; the shared endpoint by default). */
  INDEXNOW_KEY?: string;
  INDEXNOW_ENDPOINTS?: string;
  /** Seconds a feed version read from D1 is reused in the isolate (see versionTtlSeconds). */
  FEED_VERSION_TTL?: string;
}

const logger: Logger = {
  info: (message) => console.log(message),
  error: (message) => console.error(message),
};
/** Writes per scheduled run unless INGEST_WRITE_BUDGET says otherwise: within D1's 50 queries a run on the free plan. */
const DEFAULT_WRITE_BUDGET = 30;

/**
 * Seconds a feed version read from D1 is reused in the isolate unless FEED_VERSION_TTL says otherwise:
 * a cached feed request then costs no D1 query, and a commit made elsewhere (another isolate's push, the
 * cron in another location) is served within this time, a small part of the FEED_MAX_AGE readers already
 * allow. At most 1 query per feed every 5 s per isolate; writes through the isolate show at once.
 */
const DEFAULT_VERSION_TTL = 5;

/** FEED_VERSION_TTL in seconds (0 to 3600, never beyond FEED_MAX_AGE). */
function versionTtlSeconds(text: string | undefined, feedMaxAge: number): number {
  const value = text?.trim() || String(DEFAULT_VERSION_TTL);
  if (!/^\d{1,4}$/.test(value) || Number(value) > 3600)
    throw new ConfigError(`config: FEED_VERSION_TTL "${text}" is not a number of seconds (0 to 3600)`);
  return Math.min(Number(value), feedMaxAge);
}

/** Rendered documents an isolate keeps in memory besides the Cache API: a few MB at most for 41 KB feeds. */
const ISOLATE_DOCUMENTS = 64;
/** Author and tag documents an isolate keeps in memory, apart from the language and section ones (see FeedServing.termCache). */
const ISOLATE_TERM_DOCUMENTS = 32;

/**
 * The Cache API (`caches.default`) as the render cache, with the documents this isolate last used kept
 * in its memory in front of it: a request for one of them, its version known too, is answered without
 * a subrequest or a promise. Keys name a feed version, so a document kept never goes stale. The Cache
 * API's keys must be URLs; they sit under the site's own URL, in a path no page uses. It works on a
 * custom domain (on workers.dev it stores nothing).
 */
function edgeCache(siteUrl: string, documents: number): RenderCache {
  const request = (kind: string, key: string) => new Request(`${siteUrl}/.feed-cache/${kind}/${encodeURIComponent(key)}`);
  const forever = "public, max-age=31536000, immutable";
  const memory = memoryCache(documents);
  return {
    async get(key) {
      const kept = memory.peek!(key);
      if (kept !== undefined) return kept;
      const hit = await caches.default.match(request("document", key));
      if (!hit) return undefined;
      const document = {
        body: new Uint8Array(await hit.arrayBuffer()),
        etag: hit.headers.get("ETag")!,
        lastModified: Number(hit.headers.get("X-Last-Modified")),
      };
      memory.put(key, document, () => undefined);
      return document;
    },
    peek: (key) => memory.peek!(key),
    put(key, document, waitUntil) {
      memory.put(key, document, waitUntil);
      const headers = { "Cache-Control": forever, ETag: document.etag, "X-Last-Modified": String(document.lastModified) };
      waitUntil(caches.default.put(request("document", key), new Response(document.body, { headers })));
    },
    async getState(key) {
      const hit = await caches.default.match(request("state", key));
      return hit ? hit.text() : undefined;
    },
    putState(key, state, waitUntil) {
      waitUntil(
        caches.default.put(request("state", key), new Response(state, { headers: { "Cache-Control": "public, max-age=2592000" } })),
      );
    },
  };
}

export interface EdgeDeps {
  app: ReturnType<typeof createApp>;
  ingest: IngestDeps;
}

/** Everything made from the environment and the bundled content; the Worker entry keeps it for the isolate. */
export function edgeDeps(env: WorkerEnv, content: EdgeContent): EdgeDeps {
  const config = readRuntimeConfig({
    SITE_URL: env.SITE_URL,
    INGEST_TOKEN: env.INGEST_TOKEN,
    FEED_MAX_AGE: env.FEED_MAX_AGE,
    WEBSUB_HUBS: env.WEBSUB_HUBS,
    INDEXNOW_KEY: env.INDEXNOW_KEY,
    INDEXNOW_ENDPOINTS: env.INDEXNOW_ENDPOINTS,
  });
  const site = {
    settings: parseSiteSettings(content.siteYaml, `${content.folder}/site.yaml`),
    siteUrl: config.siteUrl,
    hubs: config.websubHubs,
    ...(config.indexNow ? { indexNow: config.indexNow } : {}),
  };
  const store = d1Store(env.DB, { versionTtlMs: versionTtlSeconds(env.FEED_VERSION_TTL, config.feedMaxAge) * 1000 });
  const budget = Number(env.INGEST_WRITE_BUDGET ?? DEFAULT_WRITE_BUDGET);
  if (!Number.isInteger(budget) || budget < 1)
    throw new ConfigError(`config: INGEST_WRITE_BUDGET "${env.INGEST_WRITE_BUDGET}" is not a whole number above 0`);
  const ingest: IngestDeps = {
    store,
    site,
    // Called through a closure: Workers refuse a fetch detached from the global object.
    fetch: (input, init) => fetch(input, init),
    now: Date.now,
    logger,
    content: () => bundledFolder(content),
    writeBudget: budget,
    state: createIngestState(),
  };
  const app = createApp({
    store,
    site,
    logger,
    ingest,
    ingestToken: config.ingestToken,
    cache: edgeCache(config.siteUrl, ISOLATE_DOCUMENTS),
    termCache: edgeCache(config.siteUrl, ISOLATE_TERM_DOCUMENTS),
    cacheNamespace: env.CF_VERSION_METADATA?.id ?? "",
    maxAge: config.feedMaxAge,
  });
  return { app, ingest };
}

/** The cron trigger (wrangler.toml) of the minute task: scheduled articles, withdrawals leaving the feeds. */
export const MINUTE_CRON = "* * * * *";
