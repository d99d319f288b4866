/**
 * The language and section a path names (`/:lang/...`, `/:lang/:section/...`), checked by one middleware
 * each that a route lists before its handler; the handler reads them as typed context variables
 * (`c.var.language`, `c.var.section`).
 */
import { createMiddleware } from "hono/factory";
import { findLanguage, type LanguageSettings, type SectionSettings, type SiteSettings } from "../../config/site.ts";
import { notFound, quoted } from "../not-found.ts";

export interface LanguageVariables {
  language: LanguageSettings;
}

export interface SectionVariables extends LanguageVariables {
  section: SectionSettings;
}

/**
 * The language of the `lang` parameter as `c.var.language`; a 404 naming the languages when there is
 * none, and a 301 to the canonical tag for a differently-cased one (`/EN/feed.json` to `/en/feed.json`).
 * It sits on each route rather than on `/:lang/*`, so a path no route takes stays a plain "nothing at".
 */
export function languageParam(settings: SiteSettings) {
  const tags = settings.languages.map((l) => l.tag).join(", ");
  return createMiddleware<{ Variables: LanguageVariables }>(async function language(c, next) {
    const raw = c.req.param("lang")!;
    const found = findLanguage(settings, raw);
    if (!found) return notFound(c, `no language "${quoted(raw)}" (languages: ${tags})`);
    if (found.tag !== raw) {
      const url = new URL(c.req.url);
      const segments = url.pathname.split("/");
      segments[1] = found.tag;
      return c.redirect(segments.join("/") + url.search, 301);
    }
    c.set("language", found);
    await next();
  });
}

/** The section of the `section` parameter in `c.var.language` as `c.var.section`, or a 404 naming that language's sections. */
export const sectionParam = createMiddleware<{ Variables: SectionVariables }>(async function section(c, next) {
  const { language } = c.var;
  const slug = c.req.param("section")!;
  const found = language.sections.find((s) => s.slug === slug);
  if (!found)
    return notFound(c, `no section "${quoted(slug)}" in ${language.tag} (sections: ${language.sections.map((s) => s.slug).join(", ")})`);
  c.set("section", found);
  await next();
});
