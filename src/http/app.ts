/** The HTTP surface of the service, the same on every runtime: `createApp(deps)` returns a Hono app. */
import { Hono, type Context } from "hono";
import { findLanguage, type LanguageSettings, type SectionSettings } from "../config.ts";
import { GENERATOR, isArchiveMonth } from "../feeds/build.ts";
import type { Site } from "../config.ts";
import { fnv64 } from "../model/hash.ts";
import { FORMATS, formatOfFile } from "../feeds/formats.ts";
import { ARCHIVE_SEGMENT, EXTENSION_DOCS_PATH } from "../feeds/links.ts";
import { renderOpml } from "../feeds/opml.ts";
import { instantAt, type Instant } from "../model/time.ts";
import { articlePage } from "../pages/article.ts";
import { extensionsPage } from "../pages/extensions.ts";
import { listingPage, siteIndexPage } from "../pages/listing.ts";
import type { IngestDeps } from "../ingest/run.ts";
import { StoreError } from "../store/errors.ts";
import type { Logger } from "../model/logger.ts";
import type { ArticleStore } from "../store/store.ts";
import { FeedResponder } from "./feeds/answer.ts";
import type { Compressor } from "./feeds/encoding.ts";
import { serveFeed } from "./feeds/hono.ts";
import type { FeedServing } from "./feeds/serving.ts";
import { bearerAuth } from "./bearer.ts";
import { InFlight, overload } from "./overload.ts";
import { subscriberRecorder, subscriberReport } from "./subscribers.ts";
import type { RenderCache } from "./render-cache.ts";
import { feedPreviewPage } from "../pages/preview.ts";
import { pushRoutes } from "./routes/push.ts";

export interface AppDeps {
  store: ArticleStore;
  site: Site;
  logger: Logger;
  /** The ingest, for the push API (`/api/articles`); without it the API answers 404. */
  ingest?: IngestDeps;
  ingestToken?: string | null;
  /** Rendered feeds per data version; without it every request renders. */
  cache?: RenderCache;
  /** Names what else the rendered bytes depend on (code and settings), so a new deployment never gets old bytes. */
  cacheNamespace?: string;
  /** Seconds a feed may be reused (FEED_MAX_AGE); 300 by default. */
  maxAge?: number;
  /** Precompresses feeds where the runtime serves encodings itself (Node). */
  compress?: Compressor;
  /** Requests served at once before new ones get 503 with Retry-After. */
  maxInFlight?: number;
  now?: () => number;
}

const FEED_FILES = Object.values(FORMATS)
  .map((f) => f.file)
  .join(", ");
export const MAX_LIMIT = 100;
/** Archive months whose start and the next month's start are both four-digit-year times (0999-05 and 9999-12 are not). */
const FIRST_ARCHIVE = "1000-01";
const LAST_ARCHIVE = "9999-11";

/** A 404 with a short plain-text message naming what was not found. */
function notFound(c: Context, what: string): Response {
  return c.text(`Not found: ${what}\n`, 404);
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
}

export function createApp(deps: AppDeps): Hono {
  return createService(deps).app;
}

export function createService(deps: AppDeps): Service {
  const { store, site, logger } = deps;
  const { settings } = site;
  const now = deps.now ?? Date.now;
  const app = new Hono();

  /** The language of a path segment; a differently-cased tag is redirected to the canonical one. */
  const language = (c: Context, raw: string): LanguageSettings | Response => {
    const found = findLanguage(settings, raw);
    if (!found) return notFound(c, `no language "${raw}" (languages: ${settings.languages.map((l) => l.tag).join(", ")})`);
    if (found.tag !== raw) {
      const url = new URL(c.req.url);
      const segments = url.pathname.split("/");
      segments[1] = found.tag;
      return c.redirect(segments.join("/") + url.search, 301);
    }
    return found;
  };
  const section = (c: Context, lang: LanguageSettings, slug: string): SectionSettings | Response =>
    lang.sections.find((s) => s.slug === slug) ??
    notFound(c, `no section "${slug}" in ${lang.tag} (sections: ${lang.sections.map((s) => s.slug).join(", ")})`);

  const serving: FeedServing = {
    store,
    site,
    cache: deps.cache,
    namespace: `${deps.cacheNamespace ?? ""}${fnv64(JSON.stringify([site, GENERATOR]))}`,
    maxAge: deps.maxAge ?? 300,
    compress: deps.compress,
    preview: (model, format) => feedPreviewPage(site, model, format),
    subscribers: subscriberRecorder(store, now),
    now,
  };
  const feeds = new FeedResponder(serving);

  /** A subscription document (`?limit=` from 1 to 100; other query parameters change nothing) or an archive month. */
  const feed = async (c: Context, lang: LanguageSettings, file: string, sectionSettings?: SectionSettings, archive?: string) => {
    const format = formatOfFile(file);
    if (!format) return notFound(c, `no feed format "${file}" (formats: ${FEED_FILES})`);
    let limit: number | undefined;
    const raw = c.req.query("limit");
    if (archive === undefined && raw !== undefined) {
      limit = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
      if (!(limit >= 1 && limit <= MAX_LIMIT))
        return c.text(`Bad request: limit must be a whole number from 1 to ${MAX_LIMIT}, not "${raw.slice(0, 40)}"\n`, 400);
    }
    if (archive !== undefined && !(isArchiveMonth(archive) && archive >= FIRST_ARCHIVE && archive <= LAST_ARCHIVE)) {
      return notFound(c, `no archive "${archive}" (archives are months: YYYY-MM, from ${FIRST_ARCHIVE} to ${LAST_ARCHIVE})`);
    }
    const response = await serveFeed(c, feeds, { language: lang, section: sectionSettings, format, archive, limit });
    return response ?? notFound(c, `no articles in ${lang.tag}${sectionSettings ? `/${sectionSettings.slug}` : ""} archive ${archive}`);
  };

  const opml = async (c: Context, languages: readonly LanguageSettings[]) => {
    const updates = await Promise.all(languages.map((l) => store.lastUpdated(l.tag)));
    const modified = updates.reduce<Instant | null>((a, b) => (b && (!a || b.ms > a.ms) ? b : a), null);
    const body = renderOpml(settings, site.siteUrl, modified ?? instantAt(Date.parse(`${settings.idDate}T00:00:00Z`), 0), languages);
    return c.body(body, 200, {
      "Content-Type": "text/x-opml; charset=utf-8",
      "Access-Control-Allow-Origin": "*",
      "Cross-Origin-Resource-Policy": "cross-origin",
    });
  };

  const inFlight = deps.maxInFlight ? new InFlight(deps.maxInFlight) : undefined;
  if (inFlight) app.use("*", overload(inFlight));

  if (deps.ingest) app.route("/api/articles", pushRoutes(deps.ingest, deps.ingestToken ?? null));
  app.get("/api/stats", bearerAuth(deps.ingestToken ?? null), async (c) => c.json(subscriberReport(await store.subscriberStats())));

  app.get("/", (c) => c.html(siteIndexPage(site)));

  app.get("/feeds.opml", (c) => opml(c, settings.languages));

  app.get("/robots.txt", (c) =>
    c.text(
      `# Feeds, pages and archives may be fetched by anyone; the push API is not for crawlers.\nUser-agent: *\nAllow: /\nDisallow: /api/\n\nSitemap: ${site.siteUrl}/feeds.opml\n`,
    ),
  );

  app.get(EXTENSION_DOCS_PATH, (c) => c.html(extensionsPage(site)));

  app.get("/:lang", (c) => {
    const lang = language(c, c.req.param("lang"));
    return lang instanceof Response ? lang : c.redirect(`/${lang.tag}/`, 301);
  });

  app.get("/:lang/", async (c) => {
    const lang = language(c, c.req.param("lang"));
    if (lang instanceof Response) return lang;
    const articles = await store.latest({ lang: lang.tag, limit: settings.itemCount });
    return c.html(listingPage(site, lang, articles));
  });

  app.get("/:lang/feeds.opml", (c) => {
    const lang = language(c, c.req.param("lang"));
    return lang instanceof Response ? lang : opml(c, [lang]);
  });

  app.get(`/:lang/${ARCHIVE_SEGMENT}/:month/:file`, (c) => {
    const lang = language(c, c.req.param("lang"));
    return lang instanceof Response ? lang : feed(c, lang, c.req.param("file"), undefined, c.req.param("month"));
  });

  app.get(`/:lang/:section/${ARCHIVE_SEGMENT}/:month/:file`, (c) => {
    const lang = language(c, c.req.param("lang"));
    if (lang instanceof Response) return lang;
    const sec = section(c, lang, c.req.param("section"));
    return sec instanceof Response ? sec : feed(c, lang, c.req.param("file"), sec, c.req.param("month"));
  });

  app.get("/:lang/articles/:slug", async (c) => {
    const lang = language(c, c.req.param("lang"));
    if (lang instanceof Response) return lang;
    const slug = c.req.param("slug");
    const article = await store.bySlug(lang.tag, slug);
    if (!article) return notFound(c, `no article "${slug}" in ${lang.tag}`);
    const editions = await store.editions([article.story]);
    return c.html(articlePage(site, lang, article, editions));
  });

  app.get("/:lang/:name", (c) => {
    const lang = language(c, c.req.param("lang"));
    if (lang instanceof Response) return lang;
    const name = c.req.param("name");
    if (formatOfFile(name)) return feed(c, lang, name);
    if (lang.sections.some((s) => s.slug === name)) return c.redirect(`/${lang.tag}/${name}/`, 301);
    return notFound(c, `no feed format or section "${name}" in ${lang.tag} (formats: ${FEED_FILES})`);
  });

  app.get("/:lang/:section/", async (c) => {
    const lang = language(c, c.req.param("lang"));
    if (lang instanceof Response) return lang;
    const sec = section(c, lang, c.req.param("section"));
    if (sec instanceof Response) return sec;
    const articles = await store.latest({ lang: lang.tag, section: sec.slug, limit: settings.itemCount });
    return c.html(listingPage(site, lang, articles, sec));
  });

  app.get("/:lang/:section/:file", (c) => {
    const lang = language(c, c.req.param("lang"));
    if (lang instanceof Response) return lang;
    const sec = section(c, lang, c.req.param("section"));
    if (sec instanceof Response) return sec;
    return feed(c, lang, c.req.param("file"), sec);
  });

  app.notFound((c) => notFound(c, `nothing at ${new URL(c.req.url).pathname}`));

  app.onError((error, c) => {
    // A store that cannot be written right now (locked, read-only, full) is a wait, not a failure.
    if (error instanceof StoreError) {
      logger.error(`http: ${c.req.method} ${new URL(c.req.url).pathname}: ${error.message}`);
      return c.text("Service unavailable: the article store cannot be written right now; try again later\n", 503, { "Retry-After": "30" });
    }
    logger.error(`http: ${c.req.method} ${new URL(c.req.url).pathname}: ${error.stack ?? error.message}`);
    return c.text("Internal error: the request could not be served; it has been logged.\n", 500);
  });

  return { app, serving, feeds, inFlight };
}
