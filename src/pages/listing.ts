/** Pages that list feeds and articles: the site index, a language's front page, a section's page. */
import type { LanguageSettings, SectionSettings, Site } from "../config/site.ts";
import { feedTitle } from "../feeds/build.ts";
import { FORMAT_NAMES, FORMATS } from "../feeds/formats.ts";
import { articlePath, feedDirectory, feedLinks } from "../feeds/links.ts";
import { escapeHtml as h } from "../model/escape.ts";
import type { Article } from "../model/article.ts";
import { inZone } from "../model/time.ts";
import { discoveryLinks, page } from "./layout.ts";
import { pageStrings, zoneLabel } from "./strings.ts";

function feedList(site: Site, language: LanguageSettings, section?: SectionSettings): string {
  const links = feedLinks(site.siteUrl, language.tag, section?.slug);
  return FORMAT_NAMES.map((f) => `<a href="${h(links[f])}">${h(FORMATS[f].label)}</a>`).join(" · ");
}

function languageBlock(site: Site, language: LanguageSettings): string {
  const sections = language.sections
    .map((s) => `<li><a href="${h(feedDirectory(language.tag, s.slug))}">${h(s.name)}</a>: ${feedList(site, language, s)}</li>`)
    .join("\n");
  return `<section lang="${h(language.tag)}">
<h2><a href="${h(feedDirectory(language.tag))}">${h(language.name)}</a></h2>
<ul class="feeds">
<li><strong>${h(language.title)}</strong>: ${feedList(site, language)}</li>
${sections}
</ul>
</section>`;
}

/** `/`: every language with its sections and every feed, in the default language's words. */
export function siteIndexPage(site: Site): string {
  const [home] = site.settings.languages as [LanguageSettings];
  const strings = pageStrings(home.tag);
  const body = `<h1>${h(site.settings.name)}</h1>
${site.settings.languages.map((l) => languageBlock(site, l)).join("\n")}
<p><a href="/feeds.opml">${h(strings.allFeeds)}</a></p>`;
  return page(
    { lang: home.tag, title: site.settings.name, canonical: `${site.siteUrl}/` },
    discoveryLinks(site, home),
    body,
    site.settings.name,
    "/",
  );
}

/** The `<li>` of each article, its headline linked and its posting time in the newsroom's zone. */
export function articleItems(site: Site, language: LanguageSettings, articles: readonly Article[]): string {
  const strings = pageStrings(language.tag);
  const zone = site.settings.timezone;
  return articles
    .map((a) => {
      const posted = inZone(a.published, zone);
      return `<li><a href="${h(articlePath(a.lang, a.slug))}">${h(a.title)}</a> <span class="dates"><time datetime="${posted.iso}">${h(strings.date(posted, zoneLabel(zone, posted)))}</time></span></li>`;
    })
    .join("\n");
}

/** `/{lang}/` and `/{lang}/{section}/`: the latest articles, the sections and the feeds of one edition. */
export function listingPage(site: Site, language: LanguageSettings, articles: readonly Article[], section?: SectionSettings): string {
  const strings = pageStrings(language.tag);
  const title = feedTitle(language, section);
  const items = articleItems(site, language, articles);
  const sections = language.sections
    .map((s) =>
      s.slug === section?.slug
        ? `<li><strong>${h(s.name)}</strong></li>`
        : `<li><a href="${h(feedDirectory(language.tag, s.slug))}">${h(s.name)}</a></li>`,
    )
    .join("\n");
  const body = `<h1>${h(title)}</h1>
<p>${h(language.description)}</p>
<p class="section">${h(strings.feeds)}: ${feedList(site, language, section)}</p>
<h2>${h(strings.latest)}</h2>
${items ? `<ul>\n${items}\n</ul>` : `<p>${h(strings.noArticles)}</p>`}
<h2>${h(strings.sections)}</h2>
<ul>
${sections}
</ul>
<p><a href="/">${h(site.settings.name)}</a> · <a href="/feeds.opml">${h(strings.allFeeds)}</a></p>`;
  const canonical = `${site.siteUrl}${feedDirectory(language.tag, section?.slug)}`;
  return page(
    { lang: language.tag, title, description: language.description, canonical },
    discoveryLinks(site, language, section?.slug),
    body,
    language.title,
    feedDirectory(language.tag),
  );
}
