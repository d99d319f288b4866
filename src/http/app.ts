/** The HTTP surface of the service, the same on every runtime: `createApp(deps)` returns a Hono app. */
import { Hono, type MiddlewareHandler } from "hono";
import type { Site } from "../config/site.ts";
import { GENERATOR } from "../feeds/build.ts";
import type { IngestDeps } from "../ingest/deps.ts";
import { fnv64 } from "../model/hash.ts";
import type { Logger } from "../model/logger.ts";
import { feedPreviewPage } from "../pages/preview.ts";
import { StoreError } from "../store/errors.ts";
import type { ArticleStore } from "../store/store.ts";
import { FeedResponder } from "./feeds/answer.ts";
import type { Compressor } from "./feeds/encoding.ts";
import type { FeedServing } from "./feeds/serving.ts";
import { InFlight, overload } from "./overload.ts";
import type { RenderCache } from "./render-cache.ts";
import { apiRoutes } from "./routes/api.ts";
import { feedRoutes } from "./routes/feeds.ts";
import { indexNowRoutes } from "./routes/indexnow.ts";
import { notFound, quoted } from "./not-found.ts";
import { pageRoutes } from "./routes/pages.ts";
import { siteRoutes } from "./routes/site.ts";
import { termRoutes } from "./routes/terms.ts";
import { sitemapRoutes } from "./routes/sitemaps.ts";
import { securityHeaders } from "./security.ts";
import { subscriberRecorder } from "./subscribers.ts";

export interface AppDeps {
  store: ArticleStore;
  site: Site;
  logger: Logger;
  /** The ingest, for the push API (`/api/articles`); without it the API answers 404. */
  ingest?: IngestDeps;
  ingestToken?: string | null;
  /** Rendered feeds per data version; without it every request renders. */
  cache?: RenderCache;
  /** Rendered author and tag feeds, apart from `cache`; a bounded memory cache when not given (see FeedServing.termCache). */
  termCache?: RenderCache;
  /** Names what else the rendered bytes depend on (code and settings), so a new deployment never gets old bytes. */
  cacheNamespace?: string;
  /** Seconds a feed may be reused (FEED_MAX_AGE); 300 by default. */
  maxAge?: number;
  /** Bytes and entries kept at most of `?limit=` documents, previews and deltas, apart from `cache` (see feeds/variants.ts). */
  variantBytes?: number;
  variantEntries?: number;
  /** Precompresses feeds where the runtime serves encodings itself (Node). */
  compress?: Compressor;
  /** Requests served at once before new ones get 503 with Retry-After. */
  maxInFlight?: number;
  now?: () => number;
  /** Articles per sitemap page (see routes/sitemaps.ts); tests set a small one. */
  sitemapPageSize?: number;
}

/** The app, and what a runtime may use to answer some requests itself before it (see runtime/node-feeds.ts). */
export interface Service {
  app: Hono;
  /** How feeds are served: the same cache, clock and counters as the app's. */
  serving: FeedServing;
  /** The app's feed answers, and what they remember between requests. */
  feeds: FeedResponder;
  /** The app's count of requests in flight, when it sheds load. */
  inFlight?: InFlight;
  /** Adds the security headers every answer carries (see security.ts), for routes a runtime serves itself (Node's `/media/`). */
  securityHeaders: MiddlewareHandler;
}

export function createApp(deps: AppDeps): Hono {
  return createService(deps).app;
}

export function createService(deps: AppDeps): Service {
  const { store, site, logger } = deps;
  const now = deps.now ?? Date.now;
  const app = new Hono();

  const serving: FeedServing = {
    store,
    site,
    cache: deps.cache,
    termCache: deps.termCache,
    namespace: `${deps.cacheNamespace ?? ""}${fnv64(JSON.stringify([site, GENERATOR]))}`,
    maxAge: deps.maxAge ?? 300,
    compress: deps.compress,
    preview: (model, format) => feedPreviewPage(site, model, format),
    variantBytes: deps.variantBytes,
    variantEntries: deps.variantEntries,
    subscribers: subscriberRecorder(store, now),
    now,
  };
  const feeds = new FeedResponder(serving);

  // First, so that every answer gets them: the 503 of load shedding, the 404s and the error handler's too.
  app.use("*", securityHeaders);
  const inFlight = deps.maxInFlight ? new InFlight(deps.maxInFlight) : undefined;
  if (inFlight) app.use("*", overload(inFlight));

  // Hono tries routes in the order they were added, so fixed paths come before the parameters that would
  // take them: the site's own paths before `/:lang`, and a language's pages (`/:lang/articles/:slug`)
  // before its feeds (`/:lang/:section/:file`).
  const compression = () => deps.compress?.stats?.();
  app.route("/", apiRoutes({ store, ingest: deps.ingest, token: deps.ingestToken ?? null, compression }));
  app.route("/", siteRoutes({ store, site }));
  app.route("/", termRoutes({ store, site, feeds }));
  app.route("/", sitemapRoutes({ store, site, maxAge: serving.maxAge, compress: deps.compress, now, pageSize: deps.sitemapPageSize }));
  app.route("/", indexNowRoutes(site));
  app.route("/", pageRoutes({ store, site }));
  app.route("/", feedRoutes({ store, site, feeds }));

  app.notFound((c) => notFound(c, `nothing at ${quoted(new URL(c.req.url).pathname)}`));

  app.onError((error, c) => {
    // A store that cannot be used right now (locked, read-only, full) is a wait, not a failure.
    if (error instanceof StoreError) {
      logger.error(`http: ${c.req.method} ${new URL(c.req.url).pathname}: ${error.message}`);
      return c.text("Service unavailable: the article store cannot be written right now; try again later\n", 503, { "Retry-After": "30" });
    }
    logger.error(`http: ${c.req.method} ${new URL(c.req.url).pathname}: ${error.stack ?? error.message}`);
    return c.text("Internal error: the request could not be served; it has been logged.\n", 500);
  });

  return { app, serving, feeds, inFlight, securityHeaders };
}
