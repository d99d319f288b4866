/** The HTML pages of a language: its listing, a section's listing, and each article's page. */
import { Hono } from "hono";
import type { Site } from "../../config/site.ts";
import { articlePage } from "../../pages/article.ts";
import { gonePage } from "../../pages/gone.ts";
import { listingPage } from "../../pages/listing.ts";
import type { ArticleStore } from "../../store/store.ts";
import { languageParam, sectionParam } from "./language.ts";
import { notFound, quoted } from "../not-found.ts";

export function pageRoutes(deps: { store: ArticleStore; site: Site }): Hono {
  const { store, site } = deps;
  const { settings } = site;
  const language = languageParam(settings);
  const app = new Hono();

  app.get("/:lang", language, (c) => c.redirect(`/${c.var.language.tag}/`, 301));

  app.get("/:lang/", language, async (c) => {
    const lang = c.var.language;
    const articles = await store.latest({ lang: lang.tag, limit: settings.itemCount });
    return c.html(listingPage(site, lang, articles));
  });

  // Before the feeds' `/:lang/:section/:file`, which would take `articles` for a section.
  app.get("/:lang/articles/:slug", language, async (c) => {
    const lang = c.var.language;
    const slug = c.req.param("slug");
    const article = await store.bySlug(lang.tag, slug);
    if (!article) {
      // Withdrawn: 410 with a short note. Never published (unknown, or scheduled for later): the same 404.
      const tombstone = await store.tombstoneBySlug(lang.tag, slug);
      if (tombstone) return c.html(gonePage(site, lang, tombstone), 410);
      return notFound(c, `no article "${quoted(slug)}" in ${lang.tag}`);
    }
    const editions = await store.editions([article.story]);
    return c.html(articlePage(site, lang, article, editions));
  });

  app.get("/:lang/:section/", language, sectionParam, async (c) => {
    const { language: lang, section } = c.var;
    const articles = await store.latest({ lang: lang.tag, section: section.slug, limit: settings.itemCount });
    return c.html(listingPage(site, lang, articles, section));
  });

  return app;
}
