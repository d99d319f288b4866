/** OPML 2.0 (http://opml.org/spec2.opml): every feed, grouped by language. */
import type { LanguageSettings, SiteSettings } from "../config/site.ts";
import { toRfc822, type Instant } from "../model/time.ts";
import { feedTitle } from "./build.ts";
import { FORMAT_NAMES, FORMATS } from "./formats.ts";
import { feedLinks } from "./links.ts";
import { xmlAttribute as attr, xmlText as text } from "../model/escape.ts";

/** Every feed of `languages` (by default all the site's). */
export function renderOpml(
  settings: SiteSettings,
  siteUrl: string,
  modified: Instant,
  languages: readonly LanguageSettings[] = settings.languages,
): string {
  const out: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">\n<head>\n`,
    `<title>${text(settings.name)}</title>\n`,
    `<dateModified>${toRfc822(modified)}</dateModified>\n`,
    `<ownerName>${text(settings.publisher.name)}</ownerName>\n`,
    settings.publisher.email ? `<ownerEmail>${text(settings.publisher.email)}</ownerEmail>\n` : "",
    `<docs>http://opml.org/spec2.opml</docs>\n</head>\n<body>\n`,
  ];
  for (const language of languages) {
    out.push(`<outline text="${attr(language.name)}" title="${attr(language.name)}">\n`);
    for (const section of [undefined, ...language.sections]) {
      const links = feedLinks(siteUrl, language.tag, section?.slug);
      const title = feedTitle(language, section);
      for (const format of FORMAT_NAMES) {
        const label = `${title} (${FORMATS[format].label})`;
        out.push(
          `<outline type="rss" text="${attr(label)}" title="${attr(label)}" xmlUrl="${attr(links[format])}" htmlUrl="${attr(links.html)}" language="${attr(language.tag)}"/>\n`,
        );
      }
    }
    out.push(`</outline>\n`);
  }
  out.push(`</body>\n</opml>\n`);
  return out.join("");
}
