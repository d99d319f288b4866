/**
 * Site-wide documents at fixed paths: the index page, the OPML of every feed, robots.txt, the extension
 * docs. Mounted before the per-language routes, whose `/:lang` would otherwise take these paths.
 */
import { Hono } from "hono";
import type { Site } from "../../config/site.ts";
import { EXTENSION_DOCS_PATH, MEDIA_DOCS_PATH, WITHDRAWAL_DOCS_PATH } from "../../feeds/links.ts";
import { extensionsPage, mediaPage, withdrawalsPage } from "../../pages/extensions.ts";
import { siteIndexPage } from "../../pages/listing.ts";
import type { ArticleStore } from "../../store/store.ts";
import { opml } from "./feeds.ts";

export function siteRoutes(deps: { store: ArticleStore; site: Site }): Hono {
  const { site } = deps;
  const app = new Hono();

  app.get("/", (c) => c.html(siteIndexPage(site)));

  app.get("/feeds.opml", (c) => opml(c, deps, site.settings.languages));

  app.get("/robots.txt", (c) =>
    c.text(
      `# Feeds, pages and archives may be fetched by anyone; the push API is not for crawlers.\nUser-agent: *\nAllow: /\nDisallow: /api/\n\nSitemap: ${site.siteUrl}/sitemap.xml\n`,
    ),
  );

  app.get(EXTENSION_DOCS_PATH, (c) => c.html(extensionsPage(site)));
  app.get(WITHDRAWAL_DOCS_PATH, (c) => c.html(withdrawalsPage(site)));
  app.get(MEDIA_DOCS_PATH, (c) => c.html(mediaPage(site)));

  return app;
}
