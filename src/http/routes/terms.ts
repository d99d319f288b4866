/**
 * The authors and tags of a language: each one's page (`/{lang}/authors/{author}/`, `/{lang}/tags/{tag}/`),
 * its feeds beside it and their archive months. The `{author}` and `{tag}` segments are keys as
 * model/terms.ts derives them, percent-encoded; any other spelling of a key (`AI` for `ai`) is
 * redirected to it, and a key no article of the language carries is a 404.
 */
import { Hono, type Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { Site } from "../../config/site.ts";
import { ARCHIVE_SEGMENT, termDirectory } from "../../feeds/links.ts";
import { isTermKey, termId, termKey, TERM_DIRECTORIES, type Term, type TermKind } from "../../model/terms.ts";
import { termPage } from "../../pages/term.ts";
import type { ArticleStore } from "../../store/store.ts";
import type { FeedResponder } from "../feeds/answer.ts";
import { notFound, quoted } from "../not-found.ts";
import { answerFeedPath } from "./feeds.ts";
import { languageParam, type LanguageVariables } from "./language.ts";

interface TermVariables extends LanguageVariables {
  term: Term;
}

/** What a 404 calls an author or tag no article of the language carries: `no author "x" in en`. */
function missing(kind: TermKind, name: string, lang: string): string {
  return `no ${kind} "${quoted(name)}" in ${lang}`;
}

/**
 * The term of the `name` parameter as `c.var.term`. Hono hands the segment percent-decoded; its key is
 * worked out again, and a segment that is not already its own key is redirected (301) to the key's URL,
 * the rest of the path and the query kept. A key no URL can name (`.`, `..`) is a 404.
 */
function termParam(kind: TermKind) {
  return createMiddleware<{ Variables: TermVariables }>(async function term(c, next) {
    const lang = c.var.language;
    const raw = c.req.param("name")!;
    const key = termKey(raw);
    if (!isTermKey(key)) return notFound(c, missing(kind, raw, lang.tag));
    if (key !== raw) {
      const url = new URL(c.req.url);
      const prefix = `/${lang.tag}/${TERM_DIRECTORIES[kind]}/`;
      const end = url.pathname.indexOf("/", prefix.length);
      const rest = end < 0 ? "" : url.pathname.slice(end + 1);
      return c.redirect(`${termDirectory(lang.tag, { kind, key })}${rest}${url.search}`, 301);
    }
    c.set("term", { kind, key });
    await next();
  });
}

export function termRoutes(deps: { store: ArticleStore; site: Site; feeds: FeedResponder }): Hono {
  const { store, site, feeds } = deps;
  const language = languageParam(site.settings);
  const app = new Hono();

  for (const kind of ["author", "tag"] as const) {
    const dir = TERM_DIRECTORIES[kind];
    const term = termParam(kind);
    const feedMissing = (c: Context<{ Variables: TermVariables }>) => ({
      feed: missing(kind, c.var.term.key, c.var.language.tag),
      where: `${c.var.language.tag}/${dir}/${c.var.term.key}`,
    });

    app.get(`/:lang/${dir}/:name`, language, term, (c) => c.redirect(termDirectory(c.var.language.tag, c.var.term), 301));

    app.get(`/:lang/${dir}/:name/`, language, term, async (c) => {
      const { language: lang, term: found } = c.var;
      const articles = await store.latest({ lang: lang.tag, term: termId(found), limit: site.settings.itemCount });
      if (articles.length === 0) return notFound(c, missing(kind, found.key, lang.tag));
      return c.html(termPage(site, lang, found, articles));
    });

    app.get(`/:lang/${dir}/:name/:file`, language, term, (c) =>
      answerFeedPath(c, feeds, { language: c.var.language, term: c.var.term, file: c.req.param("file") }, feedMissing(c)),
    );

    app.get(`/:lang/${dir}/:name/${ARCHIVE_SEGMENT}/:month/:file`, language, term, (c) =>
      answerFeedPath(
        c,
        feeds,
        { language: c.var.language, term: c.var.term, file: c.req.param("file"), archive: c.req.param("month") },
        feedMissing(c),
      ),
    );
  }

  return app;
}
