/** The page of one author or tag of a language edition: its latest articles and its feeds, with their autodiscovery links. */
import type { LanguageSettings, Site } from "../config/site.ts";
import { termFeedName } from "../feeds/build.ts";
import { FORMAT_NAMES, FORMATS } from "../feeds/formats.ts";
import { feedDirectory, termDirectory, termFeedLinks } from "../feeds/links.ts";
import type { Article } from "../model/article.ts";
import { escapeHtml as h } from "../model/escape.ts";
import type { Term } from "../model/terms.ts";
import { discoveryLinks, page } from "./layout.ts";
import { articleItems } from "./listing.ts";
import { pageStrings } from "./strings.ts";

/**
 * `/{lang}/authors/{author}/` and `/{lang}/tags/{tag}/`: `articles` (newest first, at least one) by the
 * author or with the tag. Autodiscovery names this page's feeds first, then the language's.
 */
export function termPage(site: Site, language: LanguageSettings, term: Term, articles: readonly Article[]): string {
  const strings = pageStrings(language.tag);
  const name = termFeedName(term, articles);
  const title = `${language.title} · ${name}`;
  const links = termFeedLinks(site.siteUrl, language.tag, term);
  const feeds = FORMAT_NAMES.map((f) => `<a href="${h(links[f])}">${h(FORMATS[f].label)}</a>`).join(" · ");
  const discovery = FORMAT_NAMES.map(
    (f) =>
      `<link rel="alternate" type="${FORMATS[f].contentType.split(";")[0]}" hreflang="${h(language.tag)}" title="${h(`${title} (${FORMATS[f].label})`)}" href="${h(links[f])}">`,
  ).join("\n");
  const body = `<h1>${h(name)}</h1>
<p class="section">${h(term.kind === "author" ? strings.author : strings.tag)} · <a href="${h(feedDirectory(language.tag))}">${h(language.title)}</a></p>
<p class="section">${h(strings.feeds)}: ${feeds}</p>
<h2>${h(strings.latest)}</h2>
<ul>
${articleItems(site, language, articles)}
</ul>
<p><a href="/">${h(site.settings.name)}</a> · <a href="/feeds.opml">${h(strings.allFeeds)}</a></p>`;
  return page(
    {
      lang: language.tag,
      title,
      description: `${language.description} (${name})`,
      canonical: `${site.siteUrl}${termDirectory(language.tag, term)}`,
    },
    `${discovery}\n${discoveryLinks(site, language)}`,
    body,
    language.title,
    feedDirectory(language.tag),
  );
}
