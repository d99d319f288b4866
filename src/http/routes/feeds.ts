/** The feeds of a language and its sections: subscription documents, archive months, and the OPML list of them. */
import { Hono, type Context } from "hono";
import type { LanguageSettings, SectionSettings, Site } from "../../config/site.ts";
import { isArchiveMonth, monthRange } from "../../feeds/build.ts";
import { FORMATS, formatOfFile } from "../../feeds/formats.ts";
import { ARCHIVE_SEGMENT, BEFORE_PARAM, CORRECTIONS_SEGMENT, parseCursor } from "../../feeds/links.ts";
import { renderOpml } from "../../feeds/opml.ts";
import type { Term } from "../../model/terms.ts";
import { instantAt, type Instant } from "../../model/time.ts";
import type { ArticleStore, Cursor } from "../../store/store.ts";
import type { FeedResponder } from "../feeds/answer.ts";
import { serveFeed } from "../feeds/hono.ts";
import { languageParam, sectionParam } from "./language.ts";
import { notFound, quoted } from "../not-found.ts";

const FEED_FILES = Object.values(FORMATS)
  .map((f) => f.file)
  .join(", ");
const MAX_LIMIT = 100;
/** Archive months whose start and the next month's start are both four-digit-year times (0999-05 and 9999-12 are not). */
const FIRST_ARCHIVE = "1000-01";
const LAST_ARCHIVE = "9999-11";

/** The OPML list of the feeds of `languages`, dated by their newest update. */
export async function opml(c: Context, deps: { store: ArticleStore; site: Site }, languages: readonly LanguageSettings[]) {
  const { store, site } = deps;
  const { settings } = site;
  const updates = await Promise.all(languages.map((l) => store.lastUpdated(l.tag)));
  const modified = updates.reduce<Instant | null>((a, b) => (b && (!a || b.ms > a.ms) ? b : a), null);
  const body = renderOpml(settings, site.siteUrl, modified ?? instantAt(Date.parse(`${settings.idDate}T00:00:00Z`), 0), languages);
  return c.body(body, 200, {
    "Content-Type": "text/x-opml; charset=utf-8",
    "Access-Control-Allow-Origin": "*",
    "Cross-Origin-Resource-Policy": "cross-origin",
  });
}

/**
 * Which feed document a path names: the feed (a language, maybe a section, or an author or tag of it),
 * its file, and an archive month if any.
 */
export interface FeedPath {
  language: LanguageSettings;
  section?: SectionSettings;
  term?: Term;
  file: string;
  archive?: string;
  /** The language's corrections feed (see FeedSpec.corrections). */
  corrections?: true;
}

/**
 * A subscription document (`?limit=` from 1 to 100; other query parameters change nothing) or an archive
 * month (in JSON Feed, `?before=<ms>,<id>` for its page of articles older than that position); 404 for an archive month, or an author or tag, without articles (`missing` says what an
 * author's or tag's 404 names: the feed, and where its archive months are).
 */
export async function answerFeedPath(
  c: Context,
  feeds: FeedResponder,
  path: FeedPath,
  missing?: { feed: string; where: string },
): Promise<Response> {
  const { language: lang, section, archive, term } = path;
  const format = formatOfFile(path.file);
  if (!format) return notFound(c, `no feed format "${quoted(path.file)}" (formats: ${FEED_FILES})`);
  let limit: number | undefined;
  const raw = c.req.query("limit");
  if (archive === undefined && raw !== undefined) {
    limit = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT))
      return c.text(`Bad request: limit must be a whole number from 1 to ${MAX_LIMIT}, not "${raw.slice(0, 40)}"\n`, 400);
  }
  if (archive !== undefined && !(isArchiveMonth(archive) && archive >= FIRST_ARCHIVE && archive <= LAST_ARCHIVE)) {
    return notFound(c, `no archive "${quoted(archive)}" (archives are months: YYYY-MM, from ${FIRST_ARCHIVE} to ${LAST_ARCHIVE})`);
  }
  let before: Cursor | undefined;
  const cursor = c.req.query(BEFORE_PARAM);
  if (archive !== undefined && format === "json" && cursor !== undefined) {
    const parsed = parseCursor(cursor);
    if (parsed === null) return c.text(`Bad request: ${BEFORE_PARAM} must be <published ms>,<article id>, as next_url gives it\n`, 400);
    const { start, end } = monthRange(archive, feeds.serving.site.settings.timezone);
    if (!(parsed.publishedMs >= start && parsed.publishedMs < end))
      return notFound(
        c,
        `no page of ${missing?.where ?? `${lang.tag}${section ? `/${section.slug}` : ""}`} archive ${archive} before a time outside that month`,
      );
    before = parsed;
  }
  const response = await serveFeed(c, feeds, {
    language: lang,
    section,
    format,
    archive,
    limit,
    before,
    ...(term && { term }),
    ...(path.corrections ? { corrections: true } : {}),
  });
  if (response !== null) return response;
  if (archive === undefined && missing !== undefined) return notFound(c, missing.feed);
  return notFound(c, `no articles in ${missing?.where ?? `${lang.tag}${section ? `/${section.slug}` : ""}`} archive ${archive}`);
}

export function feedRoutes(deps: { store: ArticleStore; site: Site; feeds: FeedResponder }): Hono {
  const { site, feeds } = deps;
  const language = languageParam(site.settings);
  const app = new Hono();
  const feed = (c: Context, path: FeedPath) => answerFeedPath(c, feeds, path);

  app.get("/:lang/feeds.opml", language, (c) => opml(c, deps, [c.var.language]));

  app.get(`/:lang/${ARCHIVE_SEGMENT}/:month/:file`, language, (c) =>
    feed(c, { language: c.var.language, file: c.req.param("file"), archive: c.req.param("month") }),
  );

  app.get(`/:lang/:section/${ARCHIVE_SEGMENT}/:month/:file`, language, sectionParam, (c) =>
    feed(c, { language: c.var.language, section: c.var.section, file: c.req.param("file"), archive: c.req.param("month") }),
  );

  // A language's feed, or a section's name without its trailing slash (redirected to its page).
  app.get("/:lang/:name", language, (c) => {
    const lang = c.var.language;
    const name = c.req.param("name");
    if (formatOfFile(name)) return feed(c, { language: lang, file: name });
    if (lang.sections.some((s) => s.slug === name)) return c.redirect(`/${lang.tag}/${name}/`, 301);
    return notFound(c, `no feed format or section "${quoted(name)}" in ${lang.tag} (formats: ${FEED_FILES})`);
  });

  // Before `/:lang/:section/:file`, which would take `corrections` for a section.
  app.get(`/:lang/${CORRECTIONS_SEGMENT}/:file`, language, (c) =>
    feed(c, { language: c.var.language, file: c.req.param("file"), corrections: true }),
  );

  app.get("/:lang/:section/:file", language, sectionParam, (c) =>
    feed(c, { language: c.var.language, section: c.var.section, file: c.req.param("file") }),
  );

  return app;
}
